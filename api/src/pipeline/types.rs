//! GraphQL objects and inputs of the funnel and the contact log.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    enums::{ContactChannel, Direction, InteractionKind, StageOutcome},
    interaction, pipeline_stage, stage_history,
};

use crate::{
    auth::loaders::UserById,
    automations::loaders::RuleById,
    batch::load,
    clients::{
        loaders::{ClientById, StageById},
        types::Client,
    },
    domain::Money,
    page_type,
};

/// A stage of the sales funnel.
pub struct PipelineStage(pub pipeline_stage::Model);

#[Object]
impl PipelineStage {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// `#rrggbb`.
    async fn color(&self) -> &str {
        &self.0.color
    }
    /// Order in the funnel, smallest first.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Open, won (a conversion) or lost.
    async fn outcome(&self) -> StageOutcome {
        self.0.outcome
    }
    /// The staff member a new lead entering this stage is due with, the same day; with none,
    /// the lead is due with everyone who works the funnel.
    async fn owner_user_id(&self) -> Option<ID> {
        self.0.owner_user_id.map(Into::into)
    }
}

/// One move of a client through the funnel.
pub struct StageMove(pub stage_history::Model);

#[Object]
impl StageMove {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn moved_at(&self) -> DateTime<Utc> {
        self.0.moved_at
    }
    /// The staff member who moved the client; none for leads, imports and rules.
    async fn moved_by_user_id(&self) -> Option<ID> {
        self.0.moved_by.map(Into::into)
    }
    /// The automation rule that moved the client, when no person did.
    async fn rule_id(&self) -> Option<ID> {
        self.0.rule_id.map(Into::into)
    }
    /// Who made the move, as a person reads it: a staff member's name, «по правилу «…»» for
    /// a rule, «автоматически» for a lead or an import.
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        if let Some(id) = self.0.rule_id {
            let name = load::<RuleById, _>(ctx, id)
                .await?
                .map_or_else(|| format!("№{id}"), |r| r.name);
            return Ok(format!("по правилу «{name}»"));
        }
        if let Some(id) = self.0.moved_by {
            return Ok(load::<UserById, _>(ctx, id)
                .await?
                .map_or_else(|| format!("сотрудник №{id}"), |u| u.display_name));
        }
        Ok("автоматически".to_owned())
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn lost_reason(&self) -> Option<&str> {
        self.0.lost_reason.as_deref()
    }
    /// None for the first move into the funnel.
    #[graphql(name = "fromStage")]
    async fn previous_stage(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<PipelineStage>> {
        match self.0.from_stage_id {
            Some(id) => Ok(load::<StageById, _>(ctx, id).await?.map(PipelineStage)),
            None => Ok(None),
        }
    }
    async fn to_stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PipelineStage>> {
        Ok(load::<StageById, _>(ctx, self.0.to_stage_id)
            .await?
            .map(PipelineStage))
    }
}

/// A contact with a client: a call, message, meeting, e-mail, visit or note.
pub struct Interaction(pub interaction::Model);

#[Object]
impl Interaction {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn client_id(&self) -> ID {
        self.0.client_id.into()
    }
    async fn kind(&self) -> InteractionKind {
        self.0.kind
    }
    async fn channel(&self) -> Option<ContactChannel> {
        self.0.channel
    }
    async fn direction(&self) -> Option<Direction> {
        self.0.direction
    }
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// When it happened.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// The staff member who recorded it.
    async fn author_user_id(&self) -> Option<ID> {
        self.0.author_user_id.map(Into::into)
    }
    async fn client(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Client>> {
        Ok(load::<ClientById, _>(ctx, self.0.client_id)
            .await?
            .map(Client))
    }
}

/// One column of the kanban board.
#[derive(SimpleObject)]
pub struct BoardColumn {
    pub stage: PipelineStage,
    /// Active clients in the stage.
    pub count: i64,
    /// The deal values of the stage's active clients, summed (clients without one add 0).
    pub expected_value: Money,
    /// What the stage's active clients have paid in all, summed.
    pub paid_value: Money,
    /// The most recently moved ones.
    pub clients: Vec<Client>,
}

#[derive(SimpleObject)]
pub struct StageFigures {
    pub stage: PipelineStage,
    /// Moves into the stage during the period.
    pub entered: i64,
    /// Entered the next stage ÷ entered this one (0–1).
    pub conversion_to_next: Option<f64>,
    /// Median hours spent in the stage, for stays that ended.
    pub median_hours_in_stage: Option<f64>,
}

#[derive(SimpleObject)]
pub struct LostReason {
    pub reason: String,
    pub count: i64,
}

/// The funnel over a period.
#[derive(SimpleObject)]
pub struct FunnelAnalytics {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub stages: Vec<StageFigures>,
    /// Clients who entered the first stage in the period.
    pub leads: i64,
    /// Of those, the ones that reached a won stage.
    pub won: i64,
    /// won ÷ leads (0–1).
    pub conversion_to_won: Option<f64>,
    pub lost_by_reason: Vec<LostReason>,
    /// The deal values of the period's leads that are now in an open stage (the pipeline's
    /// expected money).
    pub expected_value: Money,
    /// What the period's leads who reached a won stage paid during the period.
    pub won_value: Money,
}

/// A client someone is to contact.
#[derive(SimpleObject)]
pub struct DueContact {
    pub client: Client,
    pub next_contact_at: DateTime<Utc>,
    /// Due before today.
    pub overdue: bool,
}

#[derive(InputObject, Debug, Clone)]
pub struct CreatePipelineStageInput {
    pub name: String,
    pub color: Option<String>,
    /// At the end when absent.
    pub position: Option<i32>,
    pub outcome: Option<StageOutcome>,
    /// Who a new lead entering the stage is due with.
    pub owner_user_id: Option<ID>,
}

#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdatePipelineStageInput {
    pub name: Option<String>,
    pub color: Option<String>,
    pub position: Option<i32>,
    pub outcome: Option<StageOutcome>,
    /// Who a new lead entering the stage is due with; `null` clears it.
    pub owner_user_id: MaybeUndefined<ID>,
}

#[derive(InputObject, Debug, Clone)]
pub struct LogInteractionInput {
    pub client_id: ID,
    pub kind: InteractionKind,
    /// With a channel and a direction the entry belongs to the contact log.
    pub channel: Option<ContactChannel>,
    pub direction: Option<Direction>,
    pub text: String,
    /// Now when absent.
    pub at: Option<DateTime<Utc>>,
    /// Also plan the next contact.
    pub next_contact_at: Option<DateTime<Utc>>,
    /// Who makes the next contact; the caller when absent.
    pub next_contact_user_id: Option<ID>,
}

#[derive(InputObject, Debug, Clone, Default)]
pub struct InteractionFilter {
    pub client_id: Option<ID>,
    pub kind: Option<InteractionKind>,
    pub channel: Option<ContactChannel>,
    pub direction: Option<Direction>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// A request left on the website, in the bot or in the Mini App.
#[derive(InputObject, Debug, Clone)]
pub struct LeadInput {
    /// The person's name as they typed it.
    pub name: String,
    pub phone: String,
    /// How they heard about the venue.
    pub source: Option<String>,
    pub comment: Option<String>,
    /// Where the request came from; the website when absent.
    pub channel: Option<ContactChannel>,
}

/// The answer to a lead; it does not tell whether the person was already a client.
#[derive(SimpleObject)]
pub struct LeadReceipt {
    pub accepted: bool,
    pub message: String,
}

page_type!(InteractionPage, Interaction);

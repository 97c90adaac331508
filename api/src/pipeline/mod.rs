//! The sales funnel (seed 001): stages, moves with history, the kanban board, analytics;
//! interactions and the contact log; next contacts; leads.

pub mod analytics;
pub mod deals;
pub mod interactions;
pub mod leads;
pub mod stages;
pub mod types;

use async_graphql::{Context, ID, MaybeUndefined, Object};
use chrono::{DateTime, Utc};

use crate::{
    auth::{actor::Actor, policy::policy},
    clients::types::Client,
    context::ContextExt,
    domain::{Money, parse_id},
    error::{AppError, IntoGql},
    pagination::{Page, PageInput},
};
use types::{
    BoardColumn, CreatePipelineStageInput, DueContact, FunnelAnalytics, Interaction,
    InteractionFilter, InteractionPage, LeadInput, LeadReceipt, LogInteractionInput, LostReason,
    PipelineStage, StageFigures, UpdatePipelineStageInput,
};

/// Clients per column of the board, at most.
const MAX_PER_STAGE: i32 = 100;

#[derive(Default)]
pub struct PipelineQuery;

#[Object]
impl PipelineQuery {
    /// The funnel stages, in order.
    #[graphql(guard = "policy(\"Query.pipelineStages\")")]
    async fn pipeline_stages(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<PipelineStage>> {
        let state = ctx.state()?;
        Ok(stages::list(&state.db)
            .await
            .gql()?
            .into_iter()
            .map(PipelineStage)
            .collect())
    }

    /// The kanban board: every stage with its count and its most recently moved clients.
    #[graphql(guard = "policy(\"Query.pipelineBoard\")")]
    async fn pipeline_board(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Clients per stage, 1–100 (default 20).")] per_stage: Option<i32>,
    ) -> async_graphql::Result<Vec<BoardColumn>> {
        let state = ctx.state()?;
        let per_stage = per_stage.unwrap_or(20);
        if !(1..=MAX_PER_STAGE).contains(&per_stage) {
            return Err(AppError::validation(
                "perStage",
                format!("от 1 до {MAX_PER_STAGE}, получено {per_stage}"),
                format!("1 to {MAX_PER_STAGE}, got {per_stage}"),
            ))
            .gql();
        }
        let columns = stages::board(state, per_stage as u64).await.gql()?;
        Ok(columns
            .into_iter()
            .map(|c| BoardColumn {
                stage: PipelineStage(c.stage),
                count: c.count,
                expected_value: Money(c.expected_value),
                paid_value: Money(c.paid_value),
                clients: c.clients.into_iter().map(Client).collect(),
            })
            .collect())
    }

    /// Funnel figures for a period: entries per stage, stage-to-stage and overall conversion,
    /// median time in stage, losses by reason.
    #[graphql(guard = "policy(\"Query.funnelAnalytics\")")]
    async fn funnel_analytics(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> async_graphql::Result<FunnelAnalytics> {
        let state = ctx.state()?;
        let a = analytics::analytics(state, from, to).await.gql()?;
        Ok(FunnelAnalytics {
            from,
            to,
            stages: a
                .stages
                .into_iter()
                .map(|s| StageFigures {
                    stage: PipelineStage(s.stage),
                    entered: s.entered,
                    conversion_to_next: s.conversion_to_next,
                    median_hours_in_stage: s.median_hours_in_stage,
                })
                .collect(),
            leads: a.leads,
            won: a.won,
            conversion_to_won: a.conversion_to_won,
            lost_by_reason: a
                .lost_by_reason
                .into_iter()
                .map(|(reason, count)| LostReason { reason, count })
                .collect(),
            expected_value: Money(a.expected_value),
            won_value: Money(a.won_value),
        })
    }

    /// Interactions and contact-log entries, newest first.
    #[graphql(guard = "policy(\"Query.interactions\")")]
    async fn interactions(
        &self,
        ctx: &Context<'_>,
        filter: Option<InteractionFilter>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<InteractionPage> {
        let state = ctx.state()?;
        let filter = filter.unwrap_or_default();
        let criteria = interactions::InteractionCriteria {
            client_id: filter
                .client_id
                .as_ref()
                .map(|id| parse_id("filter.clientId", id))
                .transpose()
                .gql()?,
            kind: filter.kind,
            channel: filter.channel,
            direction: filter.direction,
            from: filter.from,
            to: filter.to,
        };
        let (rows, page_info) = interactions::list(state, criteria, Page::asked(ctx, page).gql()?)
            .await
            .gql()?;
        Ok(InteractionPage {
            items: rows.into_iter().map(Interaction).collect(),
            page_info,
        })
    }

    /// Clients to contact by the end of today: the caller's, and those with nobody named (a
    /// new lead in a stage without an owner); overdue first.
    #[graphql(guard = "policy(\"Query.contactsDue\")")]
    async fn contacts_due(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DueContact>> {
        let state = ctx.state()?;
        let Actor::User { id, .. } = ctx.actor() else {
            return Err(AppError::forbidden()).gql();
        };
        let (rows, start_of_today) = interactions::due(state, *id).await.gql()?;
        Ok(rows
            .into_iter()
            .filter_map(|c| {
                let at = c.next_contact_at?;
                Some(DueContact {
                    next_contact_at: at,
                    overdue: at < start_of_today,
                    client: Client(c),
                })
            })
            .collect())
    }
}

#[derive(Default)]
pub struct PipelineMutation;

#[Object]
impl PipelineMutation {
    /// Adds a funnel stage.
    #[graphql(guard = "policy(\"Mutation.createPipelineStage\")")]
    async fn create_pipeline_stage(
        &self,
        ctx: &Context<'_>,
        input: CreatePipelineStageInput,
    ) -> async_graphql::Result<PipelineStage> {
        let state = ctx.state()?;
        let draft = stages::StageDraft {
            name: Some(input.name),
            color: input.color,
            position: input.position,
            outcome: input.outcome,
            owner_user_id: input
                .owner_user_id
                .map(|id| parse_id("input.ownerUserId", &id))
                .transpose()
                .gql()?
                .map(Some),
        };
        stages::create(state, &ctx.caller(), draft)
            .await
            .map(PipelineStage)
            .gql()
    }

    /// Renames, recolours, reorders or re-marks a stage.
    #[graphql(guard = "policy(\"Mutation.updatePipelineStage\")")]
    async fn update_pipeline_stage(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdatePipelineStageInput,
    ) -> async_graphql::Result<PipelineStage> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let draft = stages::StageDraft {
            name: input.name,
            color: input.color,
            position: input.position,
            outcome: input.outcome,
            owner_user_id: match input.owner_user_id {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(id) => Some(Some(parse_id("input.ownerUserId", &id).gql()?)),
            },
        };
        stages::update(state, &ctx.caller(), id, draft)
            .await
            .map(PipelineStage)
            .gql()
    }

    /// Moves a client to a stage; who, when and why are kept in the history.
    #[graphql(guard = "policy(\"Mutation.moveClientToStage\")")]
    async fn move_client_to_stage(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        stage_id: ID,
        note: Option<String>,
        #[graphql(desc = "Why the client was lost (only with a lost stage).")] lost_reason: Option<
            String,
        >,
    ) -> async_graphql::Result<Client> {
        let state = ctx.state()?;
        let client_id = parse_id("clientId", &client_id).gql()?;
        let stage_id = parse_id("stageId", &stage_id).gql()?;
        stages::move_client(state, &ctx.caller(), client_id, stage_id, note, lost_reason)
            .await
            .map(Client)
            .gql()
    }

    /// Sets what the client's deal is expected to bring; `null` clears it.
    #[graphql(guard = "policy(\"Mutation.setDealValue\")")]
    async fn set_deal_value(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        #[graphql(desc = "0 or more; null clears the value.")] value: Option<Money>,
    ) -> async_graphql::Result<Client> {
        let state = ctx.state()?;
        let client_id = parse_id("clientId", &client_id).gql()?;
        deals::set_value(state, &ctx.caller(), client_id, value.map(Money::minor))
            .await
            .map(Client)
            .gql()
    }

    /// Records a call, message, meeting, e-mail, visit or note.
    #[graphql(guard = "policy(\"Mutation.logInteraction\")")]
    async fn log_interaction(
        &self,
        ctx: &Context<'_>,
        input: LogInteractionInput,
    ) -> async_graphql::Result<Interaction> {
        let state = ctx.state()?;
        let new = interactions::NewInteraction {
            client_id: parse_id("input.clientId", &input.client_id).gql()?,
            kind: input.kind,
            channel: input.channel,
            direction: input.direction,
            text: input.text,
            at: input.at,
            next_contact_at: input.next_contact_at,
            next_contact_user_id: input
                .next_contact_user_id
                .as_ref()
                .map(|id| parse_id("input.nextContactUserId", id))
                .transpose()
                .gql()?,
        };
        interactions::record(state, &ctx.caller(), new)
            .await
            .map(Interaction)
            .gql()
    }

    /// Plans (or, with no date, clears) the next contact with a client.
    #[graphql(guard = "policy(\"Mutation.setNextContact\")")]
    async fn set_next_contact(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        at: Option<DateTime<Utc>>,
        user_id: Option<ID>,
    ) -> async_graphql::Result<Client> {
        let state = ctx.state()?;
        let client_id = parse_id("clientId", &client_id).gql()?;
        let user_id = user_id
            .as_ref()
            .map(|id| parse_id("userId", id))
            .transpose()
            .gql()?;
        interactions::set_next_contact(state, &ctx.caller(), client_id, at, user_id)
            .await
            .map(Client)
            .gql()
    }

    /// Leaves a request (website, bot, Mini App); no sign-in needed, rate-limited.
    #[graphql(guard = "policy(\"Mutation.submitLead\")")]
    async fn submit_lead(
        &self,
        ctx: &Context<'_>,
        input: LeadInput,
    ) -> async_graphql::Result<LeadReceipt> {
        let state = ctx.state()?;
        let lead = leads::Lead {
            name: input.name,
            phone: input.phone,
            source: input.source,
            comment: input.comment,
            channel: input.channel,
        };
        leads::submit(state, &ctx.caller(), lead).await.gql()?;
        Ok(LeadReceipt {
            accepted: true,
            message: "Спасибо! Мы свяжемся с вами в ближайшее время.".into(),
        })
    }
}

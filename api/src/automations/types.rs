//! GraphQL objects and inputs of the automations.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    automation_run,
    enums::{InteractionKind, PaymentKind},
};

use super::{
    preview::PreviewItem,
    rules::{Action, AutomationTrigger, Conditions, Draft, Rule},
};
use crate::{
    batch::load,
    clients::{
        loaders::{ClientById, StageById},
        types::Client,
    },
    domain::{Money, parse_id},
    error::{AppError, AppResult},
    page_type,
    pipeline::types::PipelineStage,
};

/// What an action does.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutomationActionType {
    /// Moves the client to `stageId` (never backwards unless `allowBackwards`).
    MoveToStage,
    /// Plans the next contact in `inDays` days with `userId` (or whoever it was planned with,
    /// else the stage's owner).
    SetNextContact,
    /// Records an interaction or note of `interactionKind` saying `text`.
    CreateInteraction,
    AddTag,
    RemoveTag,
    /// Sends the client `text` through the notification channels.
    SendMessage,
}

/// A rule's conditions; every one given must hold.
#[derive(InputObject, Debug, Clone, Default)]
pub struct AutomationConditionsInput {
    /// A payment for one of these (the payment trigger only).
    pub payment_for: Option<Vec<PaymentKind>>,
    /// The amount paid or the price sold at, at least this.
    pub min_amount: Option<Money>,
    /// The client stands at one of these stages.
    pub stage_in: Option<Vec<ID>>,
    /// The client stands at none of these stages.
    pub stage_not_in: Option<Vec<ID>>,
    /// The stage moved to (the stage-change trigger only).
    pub to_stage: Option<ID>,
    pub has_tag: Option<String>,
    pub lacks_tag: Option<String>,
    /// The event happened at this location.
    pub location_id: Option<ID>,
    /// Days without a contact (the no-contact trigger only, and there required).
    pub days: Option<i32>,
}

/// One action; the fields its type needs are required, the others must be left out.
#[derive(InputObject, Debug, Clone)]
pub struct AutomationActionInput {
    #[graphql(name = "type")]
    pub kind: AutomationActionType,
    pub stage_id: Option<ID>,
    pub allow_backwards: Option<bool>,
    pub lost_reason: Option<String>,
    pub in_days: Option<i32>,
    pub user_id: Option<ID>,
    pub interaction_kind: Option<InteractionKind>,
    pub text: Option<String>,
    pub tag: Option<String>,
}

/// A rule as staff write it.
#[derive(InputObject, Debug, Clone)]
pub struct AutomationRuleInput {
    pub name: String,
    pub trigger: AutomationTrigger,
    pub conditions: Option<AutomationConditionsInput>,
    /// Done in order.
    pub actions: Vec<AutomationActionInput>,
    /// On unless said otherwise.
    pub enabled: Option<bool>,
}

fn ids(field: &str, list: Option<Vec<ID>>) -> AppResult<Vec<i64>> {
    list.unwrap_or_default()
        .iter()
        .map(|id| parse_id(field, id))
        .collect()
}

fn needs<T>(field: &str, what: &str, value: Option<T>) -> AppResult<T> {
    value.ok_or_else(|| {
        AppError::validation(
            field,
            format!("этому действию нужно поле {what}"),
            format!("this action needs `{what}`"),
        )
    })
}

impl AutomationActionInput {
    fn into_action(self, i: usize) -> AppResult<Action> {
        let field = format!("input.actions.{i}");
        let f = field.as_str();
        Ok(match self.kind {
            AutomationActionType::MoveToStage => Action::MoveToStage {
                stage_id: parse_id(f, &needs(f, "stageId", self.stage_id)?)?,
                allow_backwards: self.allow_backwards.unwrap_or(false),
                lost_reason: self.lost_reason,
            },
            AutomationActionType::SetNextContact => Action::SetNextContact {
                in_days: needs(f, "inDays", self.in_days)?,
                user_id: self.user_id.map(|id| parse_id(f, &id)).transpose()?,
            },
            AutomationActionType::CreateInteraction => Action::CreateInteraction {
                kind: self.interaction_kind.unwrap_or(InteractionKind::Note),
                text: needs(f, "text", self.text)?,
            },
            AutomationActionType::AddTag => Action::AddTag {
                tag: needs(f, "tag", self.tag)?,
            },
            AutomationActionType::RemoveTag => Action::RemoveTag {
                tag: needs(f, "tag", self.tag)?,
            },
            AutomationActionType::SendMessage => Action::SendMessage {
                text: needs(f, "text", self.text)?,
            },
        })
    }
}

impl AutomationRuleInput {
    pub fn into_draft(self) -> AppResult<Draft> {
        let c = self.conditions.unwrap_or_default();
        let conditions = Conditions {
            payment_for: c.payment_for.unwrap_or_default(),
            min_amount: c.min_amount.map(|m| m.minor()),
            stage_in: ids("input.conditions.stageIn", c.stage_in)?,
            stage_not_in: ids("input.conditions.stageNotIn", c.stage_not_in)?,
            to_stage: c
                .to_stage
                .map(|id| parse_id("input.conditions.toStage", &id))
                .transpose()?,
            has_tag: c.has_tag,
            lacks_tag: c.lacks_tag,
            location_id: c
                .location_id
                .map(|id| parse_id("input.conditions.locationId", &id))
                .transpose()?,
            days: c.days,
        };
        let actions = self
            .actions
            .into_iter()
            .enumerate()
            .map(|(i, a)| a.into_action(i))
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Draft {
            name: self.name,
            trigger: self.trigger,
            conditions,
            actions,
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

/// What a rule's event and client must match.
#[derive(SimpleObject)]
pub struct AutomationConditions {
    pub payment_for: Vec<PaymentKind>,
    pub min_amount: Option<Money>,
    pub stage_in: Vec<ID>,
    pub stage_not_in: Vec<ID>,
    pub to_stage: Option<ID>,
    pub has_tag: Option<String>,
    pub lacks_tag: Option<String>,
    pub location_id: Option<ID>,
    pub days: Option<i32>,
}

impl From<&Conditions> for AutomationConditions {
    fn from(c: &Conditions) -> Self {
        AutomationConditions {
            payment_for: c.payment_for.clone(),
            min_amount: c.min_amount.map(Money),
            stage_in: c.stage_in.iter().map(|id| (*id).into()).collect(),
            stage_not_in: c.stage_not_in.iter().map(|id| (*id).into()).collect(),
            to_stage: c.to_stage.map(Into::into),
            has_tag: c.has_tag.clone(),
            lacks_tag: c.lacks_tag.clone(),
            location_id: c.location_id.map(Into::into),
            days: c.days,
        }
    }
}

/// One thing a rule does.
pub struct AutomationAction(pub Action);

#[Object]
impl AutomationAction {
    #[graphql(name = "type")]
    async fn kind(&self) -> AutomationActionType {
        match self.0 {
            Action::MoveToStage { .. } => AutomationActionType::MoveToStage,
            Action::SetNextContact { .. } => AutomationActionType::SetNextContact,
            Action::CreateInteraction { .. } => AutomationActionType::CreateInteraction,
            Action::AddTag { .. } => AutomationActionType::AddTag,
            Action::RemoveTag { .. } => AutomationActionType::RemoveTag,
            Action::SendMessage { .. } => AutomationActionType::SendMessage,
        }
    }
    async fn stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PipelineStage>> {
        match self.0 {
            Action::MoveToStage { stage_id, .. } => Ok(load::<StageById, _>(ctx, stage_id)
                .await?
                .map(PipelineStage)),
            _ => Ok(None),
        }
    }
    async fn allow_backwards(&self) -> Option<bool> {
        match self.0 {
            Action::MoveToStage {
                allow_backwards, ..
            } => Some(allow_backwards),
            _ => None,
        }
    }
    async fn lost_reason(&self) -> Option<&str> {
        match &self.0 {
            Action::MoveToStage { lost_reason, .. } => lost_reason.as_deref(),
            _ => None,
        }
    }
    async fn in_days(&self) -> Option<i32> {
        match self.0 {
            Action::SetNextContact { in_days, .. } => Some(in_days),
            _ => None,
        }
    }
    async fn user_id(&self) -> Option<ID> {
        match self.0 {
            Action::SetNextContact { user_id, .. } => user_id.map(Into::into),
            _ => None,
        }
    }
    async fn interaction_kind(&self) -> Option<InteractionKind> {
        match self.0 {
            Action::CreateInteraction { kind, .. } => Some(kind),
            _ => None,
        }
    }
    async fn text(&self) -> Option<&str> {
        match &self.0 {
            Action::CreateInteraction { text, .. } | Action::SendMessage { text } => Some(text),
            _ => None,
        }
    }
    async fn tag(&self) -> Option<&str> {
        match &self.0 {
            Action::AddTag { tag } | Action::RemoveTag { tag } => Some(tag),
            _ => None,
        }
    }
}

/// A rule that acts on events by itself.
pub struct AutomationRule(pub Rule);

#[Object]
impl AutomationRule {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn trigger(&self) -> AutomationTrigger {
        self.0.trigger
    }
    async fn conditions(&self) -> AutomationConditions {
        (&self.0.conditions).into()
    }
    async fn actions(&self) -> Vec<AutomationAction> {
        self.0
            .actions
            .iter()
            .cloned()
            .map(AutomationAction)
            .collect()
    }
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// The key of a default rule (`paid_service`, `program_started`, `program_completed`,
    /// `no_contact`): it can be switched off, not deleted.
    async fn builtin(&self) -> Option<&str> {
        self.0.builtin.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.model.updated_at
    }
}

/// One run of a rule on one event.
pub struct AutomationRun(pub automation_run::Model);

#[Object]
impl AutomationRun {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn rule_id(&self) -> ID {
        self.0.rule_id.into()
    }
    /// The outbox event it ran on; none for a no-contact scan.
    async fn event_id(&self) -> Option<ID> {
        self.0.event_id.map(Into::into)
    }
    /// `payment.taken`, `client.no_contact`, …
    async fn event_kind(&self) -> &str {
        &self.0.event_kind
    }
    async fn client(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Client>> {
        match self.0.client_id {
            Some(id) => Ok(load::<ClientById, _>(ctx, id).await?.map(Client)),
            None => Ok(None),
        }
    }
    /// `done` (something changed), `skipped` (nothing to change) or `failed`.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// What each action did, or why not, in order.
    async fn actions(&self) -> Vec<String> {
        serde_json::from_value(self.0.actions.clone()).unwrap_or_default()
    }
    /// Why it failed.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// When the event happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// When the rule ran.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

page_type!(AutomationRunPage, AutomationRun);

/// What a rule would have done for one event.
pub struct AutomationPreviewItem(pub PreviewItem);

#[Object]
impl AutomationPreviewItem {
    async fn event_id(&self) -> Option<ID> {
        self.0.event_id.map(Into::into)
    }
    async fn event_kind(&self) -> &str {
        &self.0.event_kind
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    async fn client(&self) -> Client {
        Client(self.0.client.clone())
    }
    /// Whether any action would have changed something.
    async fn acts(&self) -> bool {
        self.0.acts
    }
    /// What each action would have done, or why not.
    async fn actions(&self) -> &[String] {
        &self.0.actions
    }
}

/// A rule's dry run.
#[derive(SimpleObject)]
pub struct AutomationPreview {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Events of the trigger in the period (quiet clients now, for a no-contact rule).
    pub considered: i32,
    /// Of those, how many its conditions accept.
    pub matched: i32,
    /// Of those, how many it would change something for.
    pub would_act: i32,
    pub items: Vec<AutomationPreviewItem>,
}

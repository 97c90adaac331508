//! What a rule is: a trigger, conditions and actions, kept as data and checked when saved
//! (the stages, staff and tags it names exist; its actions cannot set off a cycle of rules).

use std::collections::{HashMap, HashSet};

use async_graphql::Enum;
use entity::{
    automation_rule,
    enums::{InteractionKind, PaymentKind, StageOutcome},
    pipeline_stage,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    auth::actor::Caller,
    domain::text,
    error::{AppError, AppResult},
    pipeline::stages,
    state::AppState,
};

/// The events a rule can act on.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AutomationTrigger {
    /// A payment taken (`payment.taken`).
    PaymentTaken,
    /// An academy membership sold.
    MembershipSold,
    /// A recurring membership renewed.
    MembershipRenewed,
    /// A training program given to a client.
    ProgramAssigned,
    /// A client started an assigned program.
    ProgramStarted,
    /// An assigned program completed.
    ProgramCompleted,
    /// A lead from the website, the bot or the Mini App.
    LeadReceived,
    /// An appointment booked.
    AppointmentBooked,
    /// A client moved to another funnel stage.
    StageChanged,
    /// No contact with a client for `days` days (checked every minute, not an event).
    NoContact,
}

impl AutomationTrigger {
    pub const ALL: [AutomationTrigger; 10] = [
        AutomationTrigger::PaymentTaken,
        AutomationTrigger::MembershipSold,
        AutomationTrigger::MembershipRenewed,
        AutomationTrigger::ProgramAssigned,
        AutomationTrigger::ProgramStarted,
        AutomationTrigger::ProgramCompleted,
        AutomationTrigger::LeadReceived,
        AutomationTrigger::AppointmentBooked,
        AutomationTrigger::StageChanged,
        AutomationTrigger::NoContact,
    ];

    /// The event kind it acts on, as the outbox names it.
    pub fn key(self) -> &'static str {
        match self {
            AutomationTrigger::PaymentTaken => "payment.taken",
            AutomationTrigger::MembershipSold => "membership.sold",
            AutomationTrigger::MembershipRenewed => "membership.renewed",
            AutomationTrigger::ProgramAssigned => "program.assigned",
            AutomationTrigger::ProgramStarted => "program.started",
            AutomationTrigger::ProgramCompleted => "program.completed",
            AutomationTrigger::LeadReceived => "lead.received",
            AutomationTrigger::AppointmentBooked => "appointment.booked",
            AutomationTrigger::StageChanged => "client.stage_changed",
            AutomationTrigger::NoContact => "client.no_contact",
        }
    }

    pub fn from_key(key: &str) -> Option<AutomationTrigger> {
        Self::ALL.into_iter().find(|t| t.key() == key)
    }
}

/// What the event and its client must match; every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Conditions {
    /// A payment for one of these (payments only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payment_for: Vec<PaymentKind>,
    /// The amount paid or the price, at least this (minor units).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_amount: Option<i64>,
    /// The client stands at one of these stages when the rule acts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stage_in: Vec<i64>,
    /// The client stands at none of these stages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stage_not_in: Vec<i64>,
    /// The stage a client moved to (stage changes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_stage: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lacks_tag: Option<String>,
    /// The event happened at this location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<i64>,
    /// Days without a contact (the no-contact trigger only, and there required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<i32>,
}

/// One thing a rule does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Moves the client to a stage; never backwards (to an earlier open or won stage than
    /// where they stand) unless `allow_backwards`.
    MoveToStage {
        stage_id: i64,
        #[serde(default)]
        allow_backwards: bool,
        /// Why the client was lost (a move to a lost stage).
        #[serde(default)]
        lost_reason: Option<String>,
    },
    /// Plans the next contact `in_days` days from the event, with `user_id` (or, with none,
    /// whoever it was planned with, else the stage's owner).
    SetNextContact {
        in_days: i32,
        user_id: Option<i64>,
    },
    /// Records an interaction or a note.
    CreateInteraction {
        kind: InteractionKind,
        text: String,
    },
    AddTag {
        tag: String,
    },
    RemoveTag {
        tag: String,
    },
    /// Sends the client a message through the notification channels.
    SendMessage {
        text: String,
    },
}

/// A rule as it is saved.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub trigger: AutomationTrigger,
    pub conditions: Conditions,
    pub actions: Vec<Action>,
    pub enabled: bool,
    pub builtin: Option<String>,
    pub model: automation_rule::Model,
}

impl Rule {
    /// Reads a stored rule; a row that no longer reads (a trigger since removed) is `None`.
    pub fn read(model: automation_rule::Model) -> Option<Rule> {
        Some(Rule {
            id: model.id,
            name: model.name.clone(),
            trigger: AutomationTrigger::from_key(&model.trigger)?,
            conditions: serde_json::from_value(model.conditions.clone()).ok()?,
            actions: serde_json::from_value(model.actions.clone()).ok()?,
            enabled: model.enabled,
            builtin: model.builtin.clone(),
            model,
        })
    }
}

/// A rule as staff write it.
#[derive(Debug, Clone)]
pub struct Draft {
    pub name: String,
    pub trigger: AutomationTrigger,
    pub conditions: Conditions,
    pub actions: Vec<Action>,
    pub enabled: bool,
}

/// How many actions one rule may take.
const MAX_ACTIONS: usize = 10;
/// The longest no-contact spell a rule may wait for.
const MAX_DAYS: i32 = 365;

fn invalid(field: &str, ru: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::validation(field, ru, en)
}

fn tag(field: &str, value: &str) -> AppResult<String> {
    Ok(text::required(field, value, 50)?.to_lowercase())
}

/// Checks a draft against what it names; answers it with its texts trimmed.
async fn check<C: ConnectionTrait>(conn: &C, draft: Draft) -> AppResult<Draft> {
    let name = text::required("input.name", &draft.name, 200)?;
    let stages: HashMap<i64, pipeline_stage::Model> = stages::list(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let stage = |field: &str, id: i64| -> AppResult<&pipeline_stage::Model> {
        stages.get(&id).ok_or_else(|| {
            invalid(
                field,
                format!("этапа {id} нет"),
                format!("there is no stage {id}"),
            )
        })
    };
    let mut c = draft.conditions;
    let trigger = draft.trigger;
    if !c.payment_for.is_empty() && trigger != AutomationTrigger::PaymentTaken {
        return Err(invalid(
            "input.conditions.paymentFor",
            "вид оплаты проверяют только у правила на оплату",
            "what a payment was for is checked only by a rule on payments",
        ));
    }
    if c.to_stage.is_some() && trigger != AutomationTrigger::StageChanged {
        return Err(invalid(
            "input.conditions.toStage",
            "этап перехода проверяют только у правила на смену этапа",
            "the stage moved to is checked only by a rule on stage changes",
        ));
    }
    if let Some(min) = c.min_amount
        && !(0..=1_000_000_000_000).contains(&min)
    {
        return Err(invalid(
            "input.conditions.minAmount",
            "сумма не может быть отрицательной",
            "the amount cannot be negative",
        ));
    }
    for id in c.stage_in.iter().chain(&c.stage_not_in).chain(&c.to_stage) {
        stage("input.conditions", *id)?;
    }
    c.has_tag = c
        .has_tag
        .as_deref()
        .map(|t| tag("input.conditions.hasTag", t))
        .transpose()?;
    c.lacks_tag = c
        .lacks_tag
        .as_deref()
        .map(|t| tag("input.conditions.lacksTag", t))
        .transpose()?;
    if let Some(location) = c.location_id {
        entity::location::Entity::find_by_id(location)
            .one(conn)
            .await?
            .ok_or_else(|| {
                invalid(
                    "input.conditions.locationId",
                    format!("локации {location} нет"),
                    format!("there is no location {location}"),
                )
            })?;
    }
    match (trigger, c.days) {
        (AutomationTrigger::NoContact, Some(days)) if (1..=MAX_DAYS).contains(&days) => {}
        (AutomationTrigger::NoContact, _) => {
            return Err(invalid(
                "input.conditions.days",
                format!("укажите, сколько дней без контакта: от 1 до {MAX_DAYS}"),
                format!("give the days without a contact: 1 to {MAX_DAYS}"),
            ));
        }
        (_, Some(_)) => {
            return Err(invalid(
                "input.conditions.days",
                "дни без контакта задают только у правила «нет контакта»",
                "days without a contact go only with the no-contact trigger",
            ));
        }
        (_, None) => {}
    }

    if draft.actions.is_empty() || draft.actions.len() > MAX_ACTIONS {
        return Err(invalid(
            "input.actions",
            format!("правилу нужно от 1 до {MAX_ACTIONS} действий"),
            format!("a rule needs 1 to {MAX_ACTIONS} actions"),
        ));
    }
    let mut actions = Vec::with_capacity(draft.actions.len());
    for (i, action) in draft.actions.into_iter().enumerate() {
        let field = format!("input.actions.{i}");
        actions.push(match action {
            Action::MoveToStage {
                stage_id,
                allow_backwards,
                lost_reason,
            } => {
                let target = stage(&field, stage_id)?;
                let lost_reason = text::optional(&field, lost_reason.as_deref(), 200)?;
                if lost_reason.is_some() && target.outcome != StageOutcome::Lost {
                    return Err(invalid(
                        &field,
                        "причину потери указывают только при переводе в этап потери",
                        "a lost reason goes only with a move to a lost stage",
                    ));
                }
                Action::MoveToStage {
                    stage_id,
                    allow_backwards,
                    lost_reason,
                }
            }
            Action::SetNextContact { in_days, user_id } => {
                if !(0..=MAX_DAYS).contains(&in_days) {
                    return Err(invalid(
                        &field,
                        format!("через сколько дней: от 0 до {MAX_DAYS}"),
                        format!("in how many days: 0 to {MAX_DAYS}"),
                    ));
                }
                if let Some(user) = user_id {
                    stages::check_owner(conn, &field, user).await?;
                }
                Action::SetNextContact { in_days, user_id }
            }
            Action::CreateInteraction { kind, text: body } => Action::CreateInteraction {
                kind,
                text: text::required(&field, &body, 2000)?,
            },
            Action::AddTag { tag: t } => Action::AddTag {
                tag: tag(&field, &t)?,
            },
            Action::RemoveTag { tag: t } => Action::RemoveTag {
                tag: tag(&field, &t)?,
            },
            Action::SendMessage { text: body } => Action::SendMessage {
                text: text::required(&field, &body, 1000)?,
            },
        });
    }
    Ok(Draft {
        name,
        trigger,
        conditions: c,
        actions,
        enabled: draft.enabled,
    })
}

/// The rules a rule's actions can set off next: a move to a stage sets off the rules on a
/// stage change that accept that stage. Other actions raise no event.
fn sets_off<'r>(
    actions: &[Action],
    rules: impl Iterator<Item = &'r (i64, String, AutomationTrigger, Conditions)>,
) -> Vec<i64> {
    let targets: Vec<i64> = actions
        .iter()
        .filter_map(|a| match a {
            Action::MoveToStage { stage_id, .. } => Some(*stage_id),
            _ => None,
        })
        .collect();
    rules
        .filter(|(_, _, trigger, c)| {
            *trigger == AutomationTrigger::StageChanged
                && targets.iter().any(|s| {
                    c.to_stage.is_none_or(|to| to == *s)
                        && (c.stage_in.is_empty() || c.stage_in.contains(s))
                        && !c.stage_not_in.contains(s)
                })
        })
        .map(|(id, ..)| *id)
        .collect()
}

/// Refuses a rule whose actions, through other enabled rules, come back to it. A rule setting
/// itself off directly is no cycle: an event its own action raised never runs it again.
fn refuse_cycle(
    rule_id: i64,
    draft: &Draft,
    others: &[Rule],
    names: &HashMap<i64, String>,
) -> AppResult<()> {
    let graph: Vec<(i64, String, AutomationTrigger, Conditions)> = others
        .iter()
        .filter(|r| r.enabled && r.id != rule_id)
        .map(|r| (r.id, r.name.clone(), r.trigger, r.conditions.clone()))
        .chain(std::iter::once((
            rule_id,
            draft.name.clone(),
            draft.trigger,
            draft.conditions.clone(),
        )))
        .collect();
    let actions: HashMap<i64, &[Action]> = others
        .iter()
        .filter(|r| r.enabled && r.id != rule_id)
        .map(|r| (r.id, r.actions.as_slice()))
        .chain(std::iter::once((rule_id, draft.actions.as_slice())))
        .collect();
    // Depth-first from the rule, keeping the path, looking for a way back to it.
    let mut stack: Vec<(i64, Vec<i64>)> = vec![(rule_id, vec![rule_id])];
    let mut seen = HashSet::new();
    while let Some((at, path)) = stack.pop() {
        let next = sets_off(
            actions.get(&at).copied().unwrap_or_default(),
            graph.iter().filter(|(id, ..)| *id != at),
        );
        for n in next {
            if n == rule_id {
                let mut names_on: Vec<String> = path
                    .iter()
                    .map(|id| names.get(id).cloned().unwrap_or_else(|| draft.name.clone()))
                    .collect();
                names_on.push(draft.name.clone());
                let cycle = names_on
                    .iter()
                    .map(|n| format!("«{n}»"))
                    .collect::<Vec<_>>()
                    .join(" → ");
                return Err(invalid(
                    "input.actions",
                    format!("правила зациклились бы: {cycle}; измените этап или условия"),
                    format!("the rules would loop: {cycle}; change the stage or the conditions"),
                ));
            }
            if seen.insert(n) {
                let mut p = path.clone();
                p.push(n);
                stack.push((n, p));
            }
        }
    }
    Ok(())
}

/// Checks a draft as saving would, and saves nothing.
pub async fn checked(state: &AppState, draft: Draft) -> AppResult<Draft> {
    check(&state.db, draft).await
}

pub async fn all<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<Rule>> {
    Ok(automation_rule::Entity::find()
        .order_by_asc(automation_rule::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(Rule::read)
        .collect())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<Rule> {
    automation_rule::Entity::find_by_id(id)
        .one(conn)
        .await?
        .and_then(Rule::read)
        .ok_or_else(|| AppError::not_found("Правило", "Rule", id))
}

/// Saves a new rule (`id` none) or a rule's new version, after checking it and its cycles.
pub async fn save(
    state: &AppState,
    caller: &Caller,
    id: Option<i64>,
    draft: Draft,
) -> AppResult<Rule> {
    state
        .write(caller, |tx| {
            let draft = draft.clone();
            Box::pin(async move {
                let draft = check(tx.db(), draft).await?;
                let existing = match id {
                    Some(id) => Some(get(tx.db(), id).await?),
                    None => None,
                };
                let others = all(tx.db()).await?;
                let names: HashMap<i64, String> =
                    others.iter().map(|r| (r.id, r.name.clone())).collect();
                if draft.enabled {
                    // A new rule has no id yet: 0 stands for it.
                    refuse_cycle(id.unwrap_or(0), &draft, &others, &names)?;
                }
                let now = tx.now();
                let conditions =
                    serde_json::to_value(&draft.conditions).map_err(AppError::internal)?;
                let actions = serde_json::to_value(&draft.actions).map_err(AppError::internal)?;
                let model = match existing {
                    Some(rule) => {
                        let mut m: automation_rule::ActiveModel = rule.model.into();
                        m.name = Set(draft.name.clone());
                        m.trigger = Set(draft.trigger.key().to_owned());
                        m.conditions = Set(conditions.clone());
                        m.actions = Set(actions.clone());
                        m.enabled = Set(draft.enabled);
                        m.updated_at = Set(now);
                        m.update(tx.db()).await?
                    }
                    None => {
                        automation_rule::ActiveModel {
                            name: Set(draft.name.clone()),
                            trigger: Set(draft.trigger.key().to_owned()),
                            conditions: Set(conditions.clone()),
                            actions: Set(actions.clone()),
                            enabled: Set(draft.enabled),
                            builtin: Set(None),
                            created_by: Set(tx.caller().actor.user_id()),
                            created_at: Set(now),
                            updated_at: Set(now),
                            ..Default::default()
                        }
                        .insert(tx.db())
                        .await?
                    }
                };
                tx.audit(
                    if id.is_some() {
                        "automation.update"
                    } else {
                        "automation.create"
                    },
                    "automation_rule",
                    Some(model.id),
                    json!({
                        "name": model.name,
                        "trigger": model.trigger,
                        "conditions": conditions,
                        "actions": actions,
                        "enabled": model.enabled,
                    }),
                )
                .await?;
                Rule::read(model).ok_or_else(|| AppError::internal("a saved rule does not read"))
            })
        })
        .await
}

/// Deletes a rule staff made, with its runs; a default rule is switched off instead.
pub async fn delete(state: &AppState, caller: &Caller, id: i64) -> AppResult<()> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let rule = get(tx.db(), id).await?;
                if rule.builtin.is_some() {
                    return Err(AppError::conflict(
                        format!(
                            "«{}» — правило по умолчанию: его выключают, а не удаляют",
                            rule.name
                        ),
                        format!(
                            "`{}` is a default rule: switch it off rather than delete it",
                            rule.name
                        ),
                    ));
                }
                entity::automation_run::Entity::delete_many()
                    .filter(entity::automation_run::Column::RuleId.eq(id))
                    .exec(tx.db())
                    .await?;
                automation_rule::Entity::delete_by_id(id)
                    .exec(tx.db())
                    .await?;
                tx.audit(
                    "automation.delete",
                    "automation_rule",
                    Some(id),
                    json!({ "name": rule.name }),
                )
                .await?;
                Ok(())
            })
        })
        .await
}

/// The default rules of seed 001, by the stage each moves to.
const DEFAULTS: &[(&str, &str, AutomationTrigger, &str)] = &[
    (
        "paid_service",
        "Оплачена программа, пакет или абонемент → «Куплена услуга»",
        AutomationTrigger::PaymentTaken,
        "Куплена услуга",
    ),
    (
        "program_started",
        "Клиент начал программу → «Активный клиент»",
        AutomationTrigger::ProgramStarted,
        "Активный клиент",
    ),
    (
        "program_completed",
        "Программа завершена → «Завершен»",
        AutomationTrigger::ProgramCompleted,
        "Завершен",
    ),
    (
        "no_contact",
        "Нет контакта 30 дней → «Неактивен»",
        AutomationTrigger::NoContact,
        "Неактивен",
    ),
];

/// Days without a contact before the default rule calls a client inactive.
pub const DEFAULT_NO_CONTACT_DAYS: i32 = 30;

/// Adds the default rules not there yet (on, as seed 001 asks), each once: one switched off
/// stays off. A default whose stage was renamed or removed is left out.
pub async fn ensure_defaults(state: &AppState) -> AppResult<usize> {
    let present: HashSet<String> = automation_rule::Entity::find()
        .filter(automation_rule::Column::Builtin.is_not_null())
        .all(&state.db)
        .await?
        .into_iter()
        .filter_map(|r| r.builtin)
        .collect();
    if DEFAULTS.iter().all(|(key, ..)| present.contains(*key)) {
        return Ok(0);
    }
    let system = Caller::system();
    state
        .write(&system, |tx| {
            let present = present.clone();
            Box::pin(async move {
                let stages = stages::list(tx.db()).await?;
                let mut added = 0;
                for (key, name, trigger, stage_name) in DEFAULTS {
                    let Some(stage) = stages.iter().find(|s| s.name == *stage_name) else {
                        continue;
                    };
                    if present.contains(*key) {
                        continue;
                    }
                    let (conditions, lost_reason) = match trigger {
                        AutomationTrigger::PaymentTaken => (
                            Conditions {
                                payment_for: vec![
                                    PaymentKind::Program,
                                    PaymentKind::Package,
                                    PaymentKind::Membership,
                                ],
                                ..Default::default()
                            },
                            None,
                        ),
                        AutomationTrigger::NoContact => (
                            Conditions {
                                days: Some(DEFAULT_NO_CONTACT_DAYS),
                                ..Default::default()
                            },
                            Some("нет ответа".to_owned()),
                        ),
                        _ => (Conditions::default(), None),
                    };
                    let actions = vec![Action::MoveToStage {
                        stage_id: stage.id,
                        allow_backwards: false,
                        lost_reason,
                    }];
                    let now = tx.now();
                    let row = automation_rule::ActiveModel {
                        name: Set((*name).to_owned()),
                        trigger: Set(trigger.key().to_owned()),
                        conditions: Set(
                            serde_json::to_value(&conditions).map_err(AppError::internal)?
                        ),
                        actions: Set(serde_json::to_value(&actions).map_err(AppError::internal)?),
                        enabled: Set(true),
                        builtin: Set(Some((*key).to_owned())),
                        created_by: Set(None),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                    .insert(tx.db())
                    .await?;
                    tx.audit(
                        "automation.create",
                        "automation_rule",
                        Some(row.id),
                        json!({ "name": row.name, "builtin": key }),
                    )
                    .await?;
                    added += 1;
                }
                Ok(added)
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: i64, trigger: AutomationTrigger, to_stage: Option<i64>, moves_to: i64) -> Rule {
        let conditions = Conditions {
            to_stage,
            ..Default::default()
        };
        let actions = vec![Action::MoveToStage {
            stage_id: moves_to,
            allow_backwards: true,
            lost_reason: None,
        }];
        Rule {
            id,
            name: format!("r{id}"),
            trigger,
            conditions: conditions.clone(),
            actions: actions.clone(),
            enabled: true,
            builtin: None,
            model: automation_rule::Model {
                id,
                name: format!("r{id}"),
                trigger: trigger.key().into(),
                conditions: serde_json::to_value(conditions).unwrap(),
                actions: serde_json::to_value(actions).unwrap(),
                enabled: true,
                builtin: None,
                created_by: None,
                created_at: chrono::DateTime::UNIX_EPOCH,
                updated_at: chrono::DateTime::UNIX_EPOCH,
            },
        }
    }

    fn draft(trigger: AutomationTrigger, to_stage: Option<i64>, moves_to: i64) -> Draft {
        let r = rule(0, trigger, to_stage, moves_to);
        Draft {
            name: "new".into(),
            trigger,
            conditions: r.conditions,
            actions: r.actions,
            enabled: true,
        }
    }

    #[test]
    fn two_rules_moving_each_other_back_are_a_cycle() {
        use AutomationTrigger::StageChanged;
        // r1: on a move to 2, move to 3. The new rule: on a move to 3, move to 2.
        let others = vec![rule(1, StageChanged, Some(2), 3)];
        let names = HashMap::from([(1, "r1".to_owned())]);
        let err = refuse_cycle(0, &draft(StageChanged, Some(3), 2), &others, &names).unwrap_err();
        assert!(err.to_string().contains("«new» → «r1» → «new»"), "{err}");
        // On a move to 3, move to 4: r1 never answers a move to 4.
        refuse_cycle(0, &draft(StageChanged, Some(3), 4), &others, &names).unwrap();
        // A rule setting itself off is no cycle: its own events never run it again.
        refuse_cycle(0, &draft(StageChanged, None, 5), &[], &names).unwrap();
    }

    #[test]
    fn a_longer_loop_through_three_rules_is_found() {
        use AutomationTrigger::StageChanged;
        let others = vec![
            rule(1, StageChanged, Some(2), 3),
            rule(2, StageChanged, Some(3), 4),
        ];
        let names = HashMap::from([(1, "r1".to_owned()), (2, "r2".to_owned())]);
        let err = refuse_cycle(0, &draft(StageChanged, Some(4), 2), &others, &names).unwrap_err();
        assert!(
            err.to_string().contains("«new» → «r1» → «r2» → «new»"),
            "{err}"
        );
        // A payment rule starts chains but nothing leads back to a payment.
        refuse_cycle(
            0,
            &draft(AutomationTrigger::PaymentTaken, None, 2),
            &others,
            &names,
        )
        .unwrap();
    }

    #[test]
    fn triggers_read_back_from_their_keys() {
        for t in AutomationTrigger::ALL {
            assert_eq!(AutomationTrigger::from_key(t.key()), Some(t));
        }
        assert_eq!(AutomationTrigger::from_key("nothing"), None);
    }
}

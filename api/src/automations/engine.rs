//! The rule engine: reads committed outbox events (its own cursor, `outbox_event.automated_at`)
//! and scans for clients without a contact, and runs the enabled rules each one sets off.
//!
//! - **Once per event.** A rule's run is a row unique on (rule, source), inserted in the same
//!   unit of work as the rule's actions: a second engine, a replay after a crash or a retry
//!   finds it and does nothing. The cursor is stamped after the runs, so a crash in between
//!   only replays events whose runs are already there.
//! - **No loops.** The rule acts as [`Actor::Rule`]; the events its actions raise carry the
//!   chain of rules they came from, and a rule never runs on an event of its own chain.
//!   Saving refuses a cycle among rules ([`super::rules`]), so the chain stays short.
//! - **Failures** (a stage since removed, say) are runs of their own with the reason, and the
//!   event moves on; only a database that does not answer holds the cursor back.

use std::{
    collections::{HashMap, HashSet},
    sync::Weak,
    time::Duration,
};

use chrono::{DateTime, Utc};
use entity::{
    automation_run, client, client_tag,
    enums::{PaymentKind, StageOutcome},
    outbox_event, pipeline_stage,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, sea_query::Expr, sea_query::OnConflict,
};
use serde_json::{Value, json};

use super::{
    MESSAGE_KIND,
    rules::{self, Action, AutomationTrigger, Conditions, Rule},
};
use crate::{
    auth::actor::{Actor, Caller},
    clients::service as clients,
    error::{AppError, AppResult},
    notify::{self, Recipient},
    pipeline::{interactions, stages},
    state::{AppState, Inner, wall_clock},
    write::Tx,
};

/// How many events one round takes.
const BATCH: u64 = 200;
/// How many rules one chain of events may pass through.
const MAX_CHAIN: usize = 8;
/// Events written longer ago than this by the wall clock when the engine meets them (a
/// restored backup's, say) set off nothing.
pub const STALE_AFTER: chrono::Duration = chrono::Duration::days(7);
/// How many quiet clients one scan takes per rule.
const SCAN_LIMIT: u64 = 500;

pub const DONE: &str = "done";
pub const SKIPPED: &str = "skipped";
pub const FAILED: &str = "failed";

/// What a rule reads of an event.
#[derive(Debug, Clone)]
pub struct Facts {
    /// `event:<outbox id>` or `no_contact:<client>:<last activity>`.
    pub source_key: String,
    pub event_id: Option<i64>,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub location_id: Option<i64>,
    pub client_id: Option<i64>,
    pub paid_for: Option<PaymentKind>,
    /// The amount paid, or the price of what was sold.
    pub amount: Option<i64>,
    pub to_stage_id: Option<i64>,
    /// The rules whose actions led to the event.
    pub chain: Vec<i64>,
}

fn int_at(payload: &Value, path: &[&str]) -> Option<i64> {
    path.iter()
        .try_fold(payload, |at, key| at.get(key))
        .and_then(Value::as_i64)
}

impl Facts {
    pub fn of_event(row: &outbox_event::Model) -> Facts {
        let p = &row.payload;
        Facts {
            source_key: format!("event:{}", row.id),
            event_id: Some(row.id),
            kind: row.kind.clone(),
            occurred_at: row.occurred_at,
            location_id: row.location_id,
            client_id: int_at(p, &["client_id"])
                .or_else(|| int_at(p, &["appointment", "client_id"])),
            paid_for: (row.kind == AutomationTrigger::PaymentTaken.key()).then(|| {
                p.get("paid_for")
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
                    .unwrap_or_default()
            }),
            amount: int_at(p, &["amount"])
                .or_else(|| int_at(p, &["price"]))
                .or_else(|| int_at(p, &["appointment", "price"])),
            to_stage_id: int_at(p, &["to_stage_id"]),
            chain: row
                .rule_chain
                .as_ref()
                .and_then(|c| serde_json::from_value(c.clone()).ok())
                .unwrap_or_default(),
        }
    }

    /// Whether `rule` may run on this event at all: not one of its own chain.
    fn may_run(&self, rule: &Rule) -> bool {
        !self.chain.contains(&rule.id) && self.chain.len() < MAX_CHAIN
    }
}

/// The conditions that read the event alone.
pub fn event_matches(c: &Conditions, facts: &Facts) -> bool {
    (c.payment_for.is_empty() || facts.paid_for.is_some_and(|k| c.payment_for.contains(&k)))
        && c.min_amount
            .is_none_or(|min| facts.amount.is_some_and(|a| a >= min))
        && c.to_stage.is_none_or(|s| facts.to_stage_id == Some(s))
        && c.location_id.is_none_or(|l| facts.location_id == Some(l))
}

/// The conditions that read where the client stands.
pub fn client_matches(c: &Conditions, stage_id: Option<i64>, tags: &[String]) -> bool {
    (c.stage_in.is_empty() || stage_id.is_some_and(|s| c.stage_in.contains(&s)))
        && stage_id.is_none_or(|s| !c.stage_not_in.contains(&s))
        && c.has_tag.as_ref().is_none_or(|t| tags.contains(t))
        && c.lacks_tag.as_ref().is_none_or(|t| !tags.contains(t))
}

/// What a move to `target` comes to for a client at `current`.
pub enum MovePlan {
    Move,
    /// Nothing to do, and why (in Russian).
    Stay(String),
}

/// A move is backwards when the client stands at an open or won stage later in the funnel
/// than the target; out of a lost stage any move is forwards.
pub fn plan_move(
    current: Option<&pipeline_stage::Model>,
    target: &pipeline_stage::Model,
    allow_backwards: bool,
) -> MovePlan {
    match current {
        Some(c) if c.id == target.id => MovePlan::Stay(format!("уже на этапе «{}»", c.name)),
        Some(c)
            if !allow_backwards
                && c.outcome != StageOutcome::Lost
                && c.position > target.position =>
        {
            MovePlan::Stay(format!(
                "уже дальше по воронке: «{}»; назад правило не переводит",
                c.name
            ))
        }
        _ => MovePlan::Move,
    }
}

/// Adds the default rules, then starts this process's engine; it stops when the state is
/// dropped. The defaults are there before the server answers: a rule list read right after
/// start already holds them.
pub async fn start(state: &AppState) {
    if !state.settings.automations_enabled {
        return;
    }
    if let Err(err) = rules::ensure_defaults(state).await {
        tracing::warn!(%err, "default automation rules not added");
    }
    spawn(state);
}

fn spawn(state: &AppState) {
    let weak = state.downgrade();
    let wake = state.automation_wake.clone();
    let poll = Duration::from_millis(state.settings.automation_poll_ms.max(10));
    let scan_every = Duration::from_millis(state.settings.automation_scan_every_ms.max(10));
    tokio::spawn(crate::db::uncounted(async move {
        let mut next_scan = tokio::time::Instant::now();
        loop {
            if !round(&weak, &mut next_scan, scan_every).await {
                return;
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }));
}

/// One round; `false` once the state is gone.
async fn round(
    weak: &Weak<Inner>,
    next_scan: &mut tokio::time::Instant,
    scan_every: Duration,
) -> bool {
    let Some(state) = AppState::upgrade(weak) else {
        return false;
    };
    loop {
        match take_events(&state).await {
            Ok(n) if n as u64 >= BATCH => continue,
            Ok(_) => break,
            Err(err) => {
                tracing::warn!(%err, "automations on events failed");
                break;
            }
        }
    }
    if tokio::time::Instant::now() >= *next_scan {
        *next_scan = tokio::time::Instant::now() + scan_every;
        if let Err(err) = scan_quiet_clients(&state).await {
            tracing::warn!(%err, "no-contact automations failed");
        }
    }
    true
}

/// Runs every rule due now, on the events waiting and on the quiet clients, once (tests and
/// the bench call it to not wait for the poll).
pub async fn run_once(state: &AppState) -> AppResult<()> {
    while take_events(state).await? as u64 >= BATCH {}
    scan_quiet_clients(state).await?;
    Ok(())
}

async fn enabled_rules(state: &AppState) -> AppResult<Vec<Rule>> {
    Ok(rules::all(&state.db)
        .await?
        .into_iter()
        .filter(|r| r.enabled)
        .collect())
}

/// Runs the rules of one batch of waiting events; answers how many events it took.
async fn take_events(state: &AppState) -> AppResult<usize> {
    let events = outbox_event::Entity::find()
        .filter(outbox_event::Column::AutomatedAt.is_null())
        .order_by_asc(outbox_event::Column::Id)
        .limit(BATCH)
        .all(&state.db)
        .await?;
    if events.is_empty() {
        return Ok(0);
    }
    let rules = enabled_rules(state).await?;
    let now = wall_clock();
    for event in &events {
        if now - event.created_at > STALE_AFTER {
            continue;
        }
        let facts = Facts::of_event(event);
        for rule in rules.iter().filter(|r| r.trigger.key() == event.kind) {
            if facts.may_run(rule) && event_matches(&rule.conditions, &facts) {
                fire(state, rule, &facts).await?;
            }
        }
    }
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    let ids = &ids;
    state
        .write(&Caller::system(), |tx| {
            Box::pin(async move {
                outbox_event::Entity::update_many()
                    .col_expr(outbox_event::Column::AutomatedAt, Expr::value(wall_clock()))
                    .filter(outbox_event::Column::Id.is_in(ids.iter().copied()))
                    .exec(tx.db())
                    .await?;
                Ok(())
            })
        })
        .await?;
    Ok(events.len())
}

/// The clients a no-contact rule of `days` days finds now: in the funnel but not lost, with
/// no contact, visit, stage move or record newer than the cutoff.
pub async fn quiet_clients<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    days: i32,
) -> AppResult<Vec<client::Model>> {
    let cutoff = now - chrono::Duration::days(i64::from(days));
    let lost: Vec<i64> = stages::list(conn)
        .await?
        .into_iter()
        .filter(|s| s.outcome == StageOutcome::Lost)
        .map(|s| s.id)
        .collect();
    let before = |col: client::Column| Condition::any().add(col.is_null()).add(col.lt(cutoff));
    Ok(client::Entity::find()
        .filter(client::Column::Active.eq(true))
        .filter(client::Column::StageId.is_not_null())
        .filter(client::Column::StageId.is_not_in(lost))
        .filter(client::Column::CreatedAt.lt(cutoff))
        .filter(before(client::Column::LastContactAt))
        .filter(before(client::Column::LastVisitAt))
        .filter(before(client::Column::StageEnteredAt))
        .order_by_asc(client::Column::Id)
        .limit(SCAN_LIMIT)
        .all(conn)
        .await?)
}

/// The facts of a client found quiet: one source per quiet spell, so a rule acts on it once.
pub fn quiet_facts(c: &client::Model, now: DateTime<Utc>) -> Facts {
    let last = [c.last_contact_at, c.last_visit_at, c.stage_entered_at]
        .into_iter()
        .flatten()
        .fold(c.created_at, DateTime::max);
    Facts {
        source_key: format!("no_contact:{}:{}", c.id, last.timestamp()),
        event_id: None,
        kind: AutomationTrigger::NoContact.key().to_owned(),
        occurred_at: now,
        location_id: None,
        client_id: Some(c.id),
        paid_for: None,
        amount: None,
        to_stage_id: None,
        chain: Vec::new(),
    }
}

/// Runs the no-contact rules on the clients quiet now.
async fn scan_quiet_clients(state: &AppState) -> AppResult<usize> {
    let rules: Vec<Rule> = enabled_rules(state)
        .await?
        .into_iter()
        .filter(|r| r.trigger == AutomationTrigger::NoContact)
        .collect();
    let now = state.clock.now();
    let mut fired = 0;
    for rule in &rules {
        let days = rule
            .conditions
            .days
            .unwrap_or(rules::DEFAULT_NO_CONTACT_DAYS);
        let quiet = quiet_clients(&state.db, now, days).await?;
        let facts: Vec<Facts> = quiet.iter().map(|c| quiet_facts(c, now)).collect();
        // Spells this rule has already acted on cost no unit of work.
        let done: HashSet<String> = automation_run::Entity::find()
            .select_only()
            .column(automation_run::Column::SourceKey)
            .filter(automation_run::Column::RuleId.eq(rule.id))
            .filter(
                automation_run::Column::SourceKey.is_in(facts.iter().map(|f| f.source_key.clone())),
            )
            .into_tuple::<String>()
            .all(&state.db)
            .await?
            .into_iter()
            .collect();
        for f in facts.iter().filter(|f| !done.contains(&f.source_key)) {
            fire(state, rule, f).await?;
            fired += 1;
        }
    }
    Ok(fired)
}

fn rule_caller(rule: &Rule, facts: &Facts) -> Caller {
    Caller {
        actor: Actor::Rule {
            id: rule.id,
            name: rule.name.clone(),
            chain: facts.chain.clone(),
        },
        address: None,
        request_id: Some(format!("rule:{}:{}", rule.id, facts.source_key)),
    }
}

/// Runs one rule on one event in its own unit of work. A refusal (a stage gone, a tag too
/// long) is kept as a failed run; a database that does not answer stops the round.
async fn fire(state: &AppState, rule: &Rule, facts: &Facts) -> AppResult<()> {
    let Some(client_id) = facts.client_id else {
        return Ok(());
    };
    let caller = rule_caller(rule, facts);
    let outcome = state
        .write(&caller, |tx| {
            Box::pin(async move { run_in(tx, rule, facts, client_id).await })
        })
        .await;
    match outcome {
        Ok(()) => Ok(()),
        Err(err @ AppError::Unavailable(_)) => Err(err),
        Err(err) => {
            tracing::warn!(rule = rule.id, source = %facts.source_key, %err, "automation failed");
            let message = err.message();
            let error = format!("{} / {}", message.ru, message.en);
            let error = &error;
            state
                .write(&caller, |tx| {
                    Box::pin(async move {
                        claim_run(tx, rule, facts, client_id, FAILED, Some(error.clone())).await?;
                        Ok(())
                    })
                })
                .await
        }
    }
}

/// Inserts the run's row; `false` when the rule has already run on this source.
async fn claim_run(
    tx: &Tx<'_>,
    rule: &Rule,
    facts: &Facts,
    client_id: i64,
    status: &str,
    error: Option<String>,
) -> AppResult<bool> {
    let once = OnConflict::columns([
        automation_run::Column::RuleId,
        automation_run::Column::SourceKey,
    ])
    .do_nothing()
    .to_owned();
    let row = automation_run::ActiveModel {
        rule_id: Set(rule.id),
        source_key: Set(facts.source_key.clone()),
        event_id: Set(facts.event_id),
        event_kind: Set(facts.kind.clone()),
        client_id: Set(Some(client_id)),
        status: Set(status.to_owned()),
        actions: Set(json!([])),
        error: Set(error),
        occurred_at: Set(facts.occurred_at),
        created_at: Set(wall_clock()),
        ..Default::default()
    };
    match automation_run::Entity::insert(row)
        .on_conflict(once)
        .exec_without_returning(tx.db())
        .await
    {
        Ok(n) => Ok(n > 0),
        Err(sea_orm::DbErr::RecordNotInserted) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

async fn run_in(tx: &Tx<'_>, rule: &Rule, facts: &Facts, client_id: i64) -> AppResult<()> {
    let Some(client) = client::Entity::find_by_id(client_id).one(tx.db()).await? else {
        return Ok(());
    };
    if !client.active {
        return Ok(());
    }
    let tags = clients::tags_of(tx.db(), client.id).await?;
    if !client_matches(&rule.conditions, client.stage_id, &tags) {
        return Ok(());
    }
    if !claim_run(tx, rule, facts, client_id, DONE, None).await? {
        return Ok(());
    }
    let mut did = Vec::with_capacity(rule.actions.len());
    let mut acted = false;
    for action in &rule.actions {
        let (done, text) = act(tx, rule, facts, client_id, action).await?;
        acted |= done;
        did.push(text);
    }
    automation_run::Entity::update_many()
        .col_expr(automation_run::Column::Actions, Expr::value(json!(did)))
        .col_expr(
            automation_run::Column::Status,
            Expr::value(if acted { DONE } else { SKIPPED }),
        )
        .filter(automation_run::Column::RuleId.eq(rule.id))
        .filter(automation_run::Column::SourceKey.eq(facts.source_key.clone()))
        .exec(tx.db())
        .await?;
    Ok(())
}

/// Carries out one action; answers whether it changed anything, and what it did or why not.
async fn act(
    tx: &Tx<'_>,
    rule: &Rule,
    facts: &Facts,
    client_id: i64,
    action: &Action,
) -> AppResult<(bool, String)> {
    let client = clients::get(tx.db(), client_id).await?;
    let now = tx.now();
    match action {
        Action::MoveToStage {
            stage_id,
            allow_backwards,
            lost_reason,
        } => {
            let target = stages::get(tx.db(), *stage_id).await?;
            let current = match client.stage_id {
                Some(id) => stages::get(tx.db(), id).await.ok(),
                None => None,
            };
            match plan_move(current.as_ref(), &target, *allow_backwards) {
                MovePlan::Stay(why) => Ok((false, format!("Не переведён: {why}"))),
                MovePlan::Move => {
                    let note = format!("по правилу «{}»", rule.name);
                    stages::move_client_in(tx, &client, &target, Some(note), lost_reason.clone())
                        .await?;
                    let from = current.map_or("вне воронки".to_owned(), |c| {
                        format!("«{}»", c.name)
                    });
                    Ok((true, format!("Переведён из {from} в «{}»", target.name)))
                }
            }
        }
        Action::SetNextContact { in_days, user_id } => {
            let at = now + chrono::Duration::days(i64::from(*in_days));
            let owner = match client.stage_id {
                Some(id) => stages::get(tx.db(), id)
                    .await
                    .ok()
                    .and_then(|s| s.owner_user_id),
                None => None,
            };
            let user = user_id.or(client.next_contact_user_id).or(owner);
            let mut model: client::ActiveModel = client.into();
            model.next_contact_at = Set(Some(at));
            model.next_contact_user_id = Set(user);
            model.updated_at = Set(now);
            model.update(tx.db()).await?;
            tx.audit(
                "client.next_contact",
                "client",
                Some(client_id),
                json!({ "at": at, "user": user, "rule": rule.id }),
            )
            .await?;
            Ok((
                true,
                format!("Следующий контакт: {}", at.format("%d.%m.%Y")),
            ))
        }
        Action::CreateInteraction { kind, text } => {
            let new = interactions::NewInteraction {
                client_id,
                kind: *kind,
                channel: None,
                direction: None,
                text: text.clone(),
                at: None,
                next_contact_at: None,
                next_contact_user_id: None,
            };
            interactions::record_in(tx, &client, &new).await?;
            Ok((true, format!("Записано в историю: {text}")))
        }
        Action::AddTag { tag } | Action::RemoveTag { tag } => {
            let has = clients::tags_of(tx.db(), client_id).await?.contains(tag);
            let add = matches!(action, Action::AddTag { .. });
            if has == add {
                let why = if add {
                    "уже есть"
                } else {
                    "и так нет"
                };
                return Ok((false, format!("Метка «{tag}» {why}")));
            }
            if add {
                clients::add_tags(tx.db(), client_id, std::slice::from_ref(tag)).await?;
            } else {
                client_tag::Entity::delete_many()
                    .filter(client_tag::Column::ClientId.eq(client_id))
                    .filter(client_tag::Column::Tag.eq(tag.clone()))
                    .exec(tx.db())
                    .await?;
            }
            tx.audit(
                if add {
                    "client.tag_add"
                } else {
                    "client.tag_remove"
                },
                "client",
                Some(client_id),
                json!({ "tag": tag, "rule": rule.id }),
            )
            .await?;
            let verb = if add {
                "Добавлена"
            } else {
                "Снята"
            };
            Ok((true, format!("{verb} метка «{tag}»")))
        }
        Action::SendMessage { text } => {
            let draft = notify::engine::Draft {
                source_key: format!("rule:{}:{}", rule.id, facts.source_key),
                kind: MESSAGE_KIND.to_owned(),
                location_id: facts.location_id,
                payload: json!({ "text": text, "rule": rule.name }),
                occurred_at: now,
                recipients: vec![Recipient::Client(client_id)],
                only: None,
            };
            let queued = notify::engine::enqueue(tx.db(), &draft).await?;
            Ok((
                queued > 0,
                format!("Сообщение клиенту поставлено в очередь: {text}"),
            ))
        }
    }
}

/// Where each of `client_ids` stood at each moment: their stage moves, oldest first.
pub async fn stage_moves<C: ConnectionTrait>(
    conn: &C,
    client_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<(DateTime<Utc>, i64)>>> {
    let mut by_client: HashMap<i64, Vec<(DateTime<Utc>, i64)>> = HashMap::new();
    for chunk in client_ids.chunks(500) {
        let rows = entity::stage_history::Entity::find()
            .filter(entity::stage_history::Column::ClientId.is_in(chunk.iter().copied()))
            .order_by_asc(entity::stage_history::Column::MovedAt)
            .order_by_asc(entity::stage_history::Column::Id)
            .all(conn)
            .await?;
        for r in rows {
            by_client
                .entry(r.client_id)
                .or_default()
                .push((r.moved_at, r.to_stage_id));
        }
    }
    Ok(by_client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(id: i64, position: i32, outcome: StageOutcome) -> pipeline_stage::Model {
        pipeline_stage::Model {
            id,
            name: format!("s{id}"),
            color: "#000000".into(),
            position,
            outcome,
            owner_user_id: None,
            created_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn moves_go_forwards_unless_told_and_out_of_a_loss_freely() {
        let bought = stage(4, 3, StageOutcome::Won);
        let active = stage(5, 4, StageOutcome::Won);
        let first = stage(1, 0, StageOutcome::Open);
        let inactive = stage(7, 6, StageOutcome::Lost);
        assert!(matches!(plan_move(None, &bought, false), MovePlan::Move));
        assert!(matches!(
            plan_move(Some(&first), &bought, false),
            MovePlan::Move
        ));
        assert!(matches!(
            plan_move(Some(&active), &bought, false),
            MovePlan::Stay(_)
        ));
        assert!(matches!(
            plan_move(Some(&active), &bought, true),
            MovePlan::Move
        ));
        assert!(matches!(
            plan_move(Some(&bought), &bought, true),
            MovePlan::Stay(_)
        ));
        assert!(matches!(
            plan_move(Some(&inactive), &bought, false),
            MovePlan::Move
        ));
    }

    #[test]
    fn conditions_read_the_event_and_the_client() {
        let c = Conditions {
            payment_for: vec![PaymentKind::Program],
            min_amount: Some(1000),
            stage_not_in: vec![5],
            lacks_tag: Some("vip".into()),
            ..Default::default()
        };
        let mut f = Facts {
            source_key: "event:1".into(),
            event_id: Some(1),
            kind: "payment.taken".into(),
            occurred_at: DateTime::UNIX_EPOCH,
            location_id: None,
            client_id: Some(1),
            paid_for: Some(PaymentKind::Program),
            amount: Some(1000),
            to_stage_id: None,
            chain: vec![],
        };
        assert!(event_matches(&c, &f));
        f.paid_for = Some(PaymentKind::ClubSession);
        assert!(!event_matches(&c, &f));
        f.paid_for = Some(PaymentKind::Program);
        f.amount = Some(999);
        assert!(!event_matches(&c, &f));
        assert!(client_matches(&c, None, &[]));
        assert!(client_matches(&c, Some(4), &["new".into()]));
        assert!(!client_matches(&c, Some(5), &[]));
        assert!(!client_matches(&c, Some(4), &["vip".into()]));
    }
}

//! The dispatcher: fans committed outbox events out into the notification log, then sends
//! what is due.
//!
//! - **Fan-out.** Events not yet fanned out (`outbox_event.notified_at` empty) become one
//!   `notification` row per recipient and channel, inserted with ON CONFLICT DO NOTHING on
//!   (source key, recipient, channel), and the event is stamped in the same transaction. On
//!   PostgreSQL each replica takes its own events (`FOR UPDATE SKIP LOCKED`); on SQLite the
//!   write turn and the unique index do the same.
//! - **Claiming.** A due row (pending or failed, its next attempt reached, no live claim) is
//!   claimed by one dispatcher for a lease with a token of its own; the outcome is written
//!   only under that token.
//! - **Outcome.** Sent; skipped (opted out, channel off, nowhere to send); held (quiet hours);
//!   failed with the next try after an exponential backoff with jitter; dead after the last
//!   try, with the last error.

use std::{
    sync::{Arc, Weak},
    time::Duration,
};

use chrono::{DateTime, Utc};
use entity::{notification, outbox_event};
use futures_util::StreamExt;
use rand::Rng;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
    sea_query::{Expr, LockBehavior, LockType, OnConflict},
};
use serde_json::Value;
use tokio::sync::Notify;

use super::{channels, fanout, prefs, quiet, reminders, templates, vapid::Vapid};
use crate::{
    error::{AppError, AppResult},
    state::{AppState, Inner, wall_clock},
};

pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
pub const DEAD: &str = "dead";
pub const SKIPPED: &str = "skipped";

pub const TELEGRAM: &str = "telegram";
pub const PUSH: &str = "push";

/// The kind of the one-time sign-in code: Telegram only, never held, blanked once sent.
pub const SIGN_IN_CODE: &str = "client.sign_in_code";

/// Who a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recipient {
    Client(i64),
    User(i64),
}

impl Recipient {
    pub fn key(self) -> String {
        match self {
            Recipient::Client(id) => format!("client:{id}"),
            Recipient::User(id) => format!("user:{id}"),
        }
    }

    pub fn parse(key: &str) -> Option<Recipient> {
        let (kind, id) = key.split_once(':')?;
        let id = id.parse().ok()?;
        match kind {
            "client" => Some(Recipient::Client(id)),
            "user" => Some(Recipient::User(id)),
            _ => None,
        }
    }

    /// The channels that can reach them: Web Push subscriptions belong to clients.
    pub fn channels(self) -> &'static [&'static str] {
        match self {
            Recipient::Client(_) => &[TELEGRAM, PUSH],
            Recipient::User(_) => &[TELEGRAM],
        }
    }
}

/// One message to fan out to its recipients.
#[derive(Debug, Clone)]
pub struct Draft {
    pub source_key: String,
    pub kind: String,
    pub location_id: Option<i64>,
    pub payload: Value,
    pub occurred_at: DateTime<Utc>,
    pub recipients: Vec<Recipient>,
    /// Only these channels (else every channel of each recipient).
    pub only: Option<&'static [&'static str]>,
}

/// Writes the rows of a draft; a row already there (the same source, recipient and channel)
/// stays as it is. Answers how many were new.
pub async fn enqueue<C: ConnectionTrait>(conn: &C, draft: &Draft) -> AppResult<u64> {
    let now = wall_clock();
    let mut rows = Vec::new();
    for recipient in &draft.recipients {
        for channel in recipient.channels() {
            if draft.only.is_some_and(|only| !only.contains(channel)) {
                continue;
            }
            let (client_id, user_id) = match recipient {
                Recipient::Client(id) => (Some(*id), None),
                Recipient::User(id) => (None, Some(*id)),
            };
            rows.push(notification::ActiveModel {
                source_key: Set(draft.source_key.clone()),
                kind: Set(draft.kind.clone()),
                recipient: Set(recipient.key()),
                client_id: Set(client_id),
                user_id: Set(user_id),
                channel: Set((*channel).to_owned()),
                location_id: Set(draft.location_id),
                status: Set(PENDING.to_owned()),
                payload: Set(draft.payload.clone()),
                attempts: Set(0),
                next_attempt_at: Set(now),
                held_until: Set(None),
                claimed_until: Set(None),
                claim_token: Set(None),
                last_error: Set(None),
                occurred_at: Set(draft.occurred_at),
                created_at: Set(now),
                sent_at: Set(None),
                updated_at: Set(now),
                ..Default::default()
            });
        }
    }
    let mut made = 0;
    // One statement per row: a conflict on one must not drop the others.
    for row in rows {
        // On the unique (source, recipient, channel), not on the primary key.
        let once = OnConflict::columns([
            notification::Column::SourceKey,
            notification::Column::Recipient,
            notification::Column::Channel,
        ])
        .do_nothing()
        .to_owned();
        match notification::Entity::insert(row)
            .on_conflict(once)
            .exec_without_returning(conn)
            .await
        {
            Ok(n) => made += n,
            Err(sea_orm::DbErr::RecordNotInserted) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(made)
}

/// The dispatcher's shared parts, kept in the application state.
pub struct Notifier {
    /// Woken by every commit that raised events in this process.
    pub wake: Arc<Notify>,
    pub(super) http: reqwest::Client,
    pub(super) vapid: tokio::sync::OnceCell<Arc<Vapid>>,
}

impl Notifier {
    pub fn new(settings: &crate::config::Settings) -> Notifier {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(
                settings.notify_send_timeout_ms.max(100),
            ))
            .build()
            .unwrap_or_default();
        Notifier {
            wake: Arc::new(Notify::new()),
            http,
            vapid: tokio::sync::OnceCell::new(),
        }
    }
}

/// Events older than this when the fan-out meets them make no message.
pub const STALE_AFTER: chrono::Duration = chrono::Duration::hours(24);
/// How many events one fan-out round takes.
const INGEST_BATCH: u64 = 200;
/// How many messages one dispatch round claims.
const CLAIM_BATCH: u64 = 100;
/// How many sends run at once.
const SEND_CONCURRENCY: usize = 16;
/// How long a claim lasts: longer than any send.
const LEASE: chrono::Duration = chrono::Duration::seconds(120);

/// Starts this process's dispatcher; it stops when the state is dropped.
pub fn spawn(state: &AppState) {
    if !state.settings.notify_enabled {
        return;
    }
    let weak = state.downgrade();
    let wake = state.notifier.wake.clone();
    let poll = Duration::from_millis(state.settings.notify_poll_ms.max(10));
    let remind_every = Duration::from_millis(state.settings.notify_reminder_every_ms.max(10));
    tokio::spawn(crate::db::uncounted(async move {
        let mut next_reminders = tokio::time::Instant::now();
        loop {
            if !round(&weak, &mut next_reminders, remind_every).await {
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
    next_reminders: &mut tokio::time::Instant,
    remind_every: Duration,
) -> bool {
    let Some(state) = AppState::upgrade(weak) else {
        return false;
    };
    if tokio::time::Instant::now() >= *next_reminders {
        *next_reminders = tokio::time::Instant::now() + remind_every;
        if let Err(err) = reminders::run(&state).await {
            tracing::warn!(%err, "reminders failed");
        }
    }
    loop {
        match ingest(&state).await {
            Ok(n) if n as u64 >= INGEST_BATCH => continue,
            Ok(_) => break,
            Err(err) => {
                tracing::warn!(%err, "notification fan-out failed");
                break;
            }
        }
    }
    loop {
        match dispatch(&state).await {
            Ok(n) if n as u64 >= CLAIM_BATCH => continue,
            Ok(_) => break,
            Err(err) => {
                tracing::warn!(%err, "notification dispatch failed");
                break;
            }
        }
    }
    true
}

/// Runs the fan-out and the sends of what is due now, once (tests and the bench call it to
/// not wait for the poll).
pub async fn run_once(state: &AppState) -> AppResult<()> {
    ingest(state).await?;
    dispatch(state).await?;
    Ok(())
}

fn postgres(state: &AppState) -> bool {
    state.db.get_database_backend() == DatabaseBackend::Postgres
}

/// Fans out one batch of events; answers how many events it took.
async fn ingest(state: &AppState) -> AppResult<usize> {
    let waiting = outbox_event::Entity::find()
        .select_only()
        .column(outbox_event::Column::Id)
        .filter(outbox_event::Column::NotifiedAt.is_null())
        .limit(1)
        .into_tuple::<i64>()
        .one(&state.db)
        .await?;
    if waiting.is_none() {
        return Ok(0);
    }
    let _turn = state.write_turn().await;
    let txn = state.db.begin().await?;
    let mut select = outbox_event::Entity::find()
        .filter(outbox_event::Column::NotifiedAt.is_null())
        .order_by_asc(outbox_event::Column::Id)
        .limit(INGEST_BATCH);
    if postgres(state) {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let events = select.all(&txn).await?;
    let now = state.clock.now();
    for event in &events {
        // News of long ago (a restored backup's, the demo's month) is not told now.
        if now - event.occurred_at > STALE_AFTER {
            continue;
        }
        if let Some(draft) = fanout::draft(&txn, event).await? {
            enqueue(&txn, &draft).await?;
        }
    }
    if !events.is_empty() {
        outbox_event::Entity::update_many()
            .col_expr(outbox_event::Column::NotifiedAt, Expr::value(wall_clock()))
            .filter(outbox_event::Column::Id.is_in(events.iter().map(|e| e.id)))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(events.len())
}

fn due(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(notification::Column::Status.is_in([PENDING, FAILED]))
        .add(notification::Column::NextAttemptAt.lte(now))
        .add(
            Condition::any()
                .add(notification::Column::ClaimedUntil.is_null())
                .add(notification::Column::ClaimedUntil.lt(now)),
        )
}

/// Claims one batch of due messages and sends them; answers how many it claimed.
async fn dispatch(state: &AppState) -> AppResult<usize> {
    let now = wall_clock();
    let any = notification::Entity::find()
        .select_only()
        .column(notification::Column::Id)
        .filter(due(now))
        .limit(1)
        .into_tuple::<i64>()
        .one(&state.db)
        .await?;
    if any.is_none() {
        return Ok(0);
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    {
        let _turn = state.write_turn().await;
        let txn = state.db.begin().await?;
        let mut select = notification::Entity::find()
            .select_only()
            .column(notification::Column::Id)
            .filter(due(now))
            .order_by_asc(notification::Column::NextAttemptAt)
            .limit(CLAIM_BATCH);
        if postgres(state) {
            select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let ids: Vec<i64> = select.into_tuple().all(&txn).await?;
        if ids.is_empty() {
            return Ok(0);
        }
        notification::Entity::update_many()
            .col_expr(notification::Column::ClaimedUntil, Expr::value(now + LEASE))
            .col_expr(notification::Column::ClaimToken, Expr::value(token.clone()))
            .filter(notification::Column::Id.is_in(ids))
            .filter(due(now))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
    let rows = notification::Entity::find()
        .filter(notification::Column::ClaimToken.eq(token.as_str()))
        .all(&state.db)
        .await?;
    let count = rows.len();
    futures_util::stream::iter(rows)
        .for_each_concurrent(SEND_CONCURRENCY, |row| async move {
            let id = row.id;
            if let Err(err) = deliver(state, row).await {
                tracing::warn!(%err, id, "notification not delivered");
            }
        })
        .await;
    Ok(count)
}

/// What one try came to.
#[derive(Debug)]
pub enum Outcome {
    Sent,
    /// Nothing to send, for this reason.
    Skipped(String),
    /// Held by quiet hours until this business time.
    Held(DateTime<Utc>),
    /// Worth another try.
    Retry(String),
    /// Never worth another try.
    Dead(String),
}

async fn deliver(state: &AppState, row: notification::Model) -> AppResult<()> {
    let outcome = match try_deliver(state, &row).await {
        Ok(outcome) => outcome,
        Err(err) => Outcome::Retry(err.to_string()),
    };
    finish(state, &row, outcome).await
}

async fn try_deliver(state: &AppState, row: &notification::Model) -> AppResult<Outcome> {
    let Some(recipient) = Recipient::parse(&row.recipient) else {
        return Ok(Outcome::Dead(format!(
            "unknown recipient {}",
            row.recipient
        )));
    };
    let pref = prefs::of(&state.db, &row.recipient).await?;
    if pref.opted_out {
        return Ok(Outcome::Skipped("opted out".into()));
    }
    let channel_on = match row.channel.as_str() {
        TELEGRAM => pref.telegram,
        PUSH => pref.push,
        _ => false,
    };
    if !channel_on {
        return Ok(Outcome::Skipped(format!("{} is off", row.channel)));
    }
    if row.kind != SIGN_IN_CODE
        && let Some(location_id) = row.location_id
        && let Some(until) = quiet::held_until(&state.db, location_id, state.clock.now()).await?
    {
        return Ok(Outcome::Held(until));
    }
    let language = prefs::language(&state.db, recipient, &pref).await?;
    let message = templates::render(&state.db, row, recipient, language).await?;
    Ok(match row.channel.as_str() {
        TELEGRAM => channels::telegram(state, recipient, &message).await?,
        PUSH => channels::push(state, recipient, row, &message).await?,
        other => Outcome::Dead(format!("unknown channel {other}")),
    })
}

/// The delay before try number `attempt + 1`: base·2^(attempt−1), capped, ±50 % jitter.
pub fn backoff(state: &AppState, attempt: i32) -> chrono::Duration {
    let base = state.settings.notify_retry_base_ms.max(1);
    let cap = state.settings.notify_retry_max_ms.max(base);
    let shift = u32::try_from((attempt - 1).clamp(0, 30)).unwrap_or(0);
    let delay = base.saturating_mul(1u64 << shift).min(cap);
    let jittered = rand::rng().random_range(delay / 2..=delay + delay / 2);
    chrono::Duration::milliseconds(i64::try_from(jittered).unwrap_or(i64::MAX / 2))
}

async fn finish(state: &AppState, row: &notification::Model, outcome: Outcome) -> AppResult<()> {
    let now = wall_clock();
    let mut update = notification::Entity::update_many()
        .col_expr(
            notification::Column::ClaimedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(
            notification::Column::ClaimToken,
            Expr::value(None::<String>),
        )
        .col_expr(notification::Column::UpdatedAt, Expr::value(now));
    let attempts = row.attempts + 1;
    match outcome {
        Outcome::Sent => {
            update = update
                .col_expr(notification::Column::Status, Expr::value(SENT))
                .col_expr(notification::Column::Attempts, Expr::value(attempts))
                .col_expr(notification::Column::SentAt, Expr::value(now))
                .col_expr(
                    notification::Column::HeldUntil,
                    Expr::value(None::<DateTime<Utc>>),
                )
                .col_expr(notification::Column::LastError, Expr::value(None::<String>));
            if row.kind == SIGN_IN_CODE {
                let mut payload = row.payload.clone();
                if let Some(code) = payload.get_mut("code") {
                    *code = Value::String(String::new());
                }
                update = update.col_expr(notification::Column::Payload, Expr::value(payload));
            }
        }
        Outcome::Skipped(reason) => {
            update = update
                .col_expr(notification::Column::Status, Expr::value(SKIPPED))
                .col_expr(notification::Column::LastError, Expr::value(reason));
        }
        Outcome::Held(until) => {
            let remaining = (until - state.clock.now()).max(chrono::Duration::zero());
            let recheck =
                chrono::Duration::milliseconds(state.settings.notify_hold_recheck_ms as i64);
            update = update
                .col_expr(notification::Column::HeldUntil, Expr::value(until))
                .col_expr(
                    notification::Column::NextAttemptAt,
                    Expr::value(now + remaining.min(recheck)),
                );
        }
        Outcome::Retry(error) if attempts < state.settings.notify_max_attempts => {
            update = update
                .col_expr(notification::Column::Status, Expr::value(FAILED))
                .col_expr(notification::Column::Attempts, Expr::value(attempts))
                .col_expr(notification::Column::LastError, Expr::value(error))
                .col_expr(
                    notification::Column::NextAttemptAt,
                    Expr::value(now + backoff(state, attempts)),
                );
        }
        Outcome::Retry(error) | Outcome::Dead(error) => {
            update = update
                .col_expr(notification::Column::Status, Expr::value(DEAD))
                .col_expr(notification::Column::Attempts, Expr::value(attempts))
                .col_expr(notification::Column::LastError, Expr::value(error));
        }
    }
    let _turn = state.write_turn().await;
    update
        .filter(notification::Column::Id.eq(row.id))
        .filter(notification::Column::ClaimToken.eq(row.claim_token.clone()))
        .exec(&state.db)
        .await
        .map_err(AppError::from)?;
    Ok(())
}

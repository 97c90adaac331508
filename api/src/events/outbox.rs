//! The transactional outbox: domain events are rows written in the transaction of their
//! change ([`crate::write::Tx::emit`]); the relay publishes them to the bus after the commit.
//!
//! - **Right after a commit** the unit of work hands its events to this process's relay,
//!   which publishes them at once and stamps them sent. Publishing never holds up a request.
//! - **The sweep** publishes rows left unsent longer than a grace period: by a process that
//!   died between commit and publish, or while the bus was away. On PostgreSQL each row is
//!   claimed by one relay (`FOR UPDATE SKIP LOCKED`), however many replicas sweep.
//! - **Pruning** deletes sent rows older than the retention.
//!
//! Delivery is at least once: a consumer deduplicates on the event id, which every message on
//! the bus carries in its [`Envelope`].

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::outbox_event;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
    sea_query::{Expr, LockBehavior, LockType},
};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::{EventBus, Topic};
use crate::{
    error::{AppError, AppResult},
    state::{WriteTurn, wall_clock},
};

/// A domain event: what it is called and where it is published.
pub trait Event: Serialize + Sync {
    /// The bus topic its subscribers listen on.
    fn topic(&self) -> Topic;
    /// What happened, e.g. `appointment.booked`.
    fn kind(&self) -> &'static str;
    /// Where it happened, kept on its outbox row: by default its topic's location.
    fn location_id(&self) -> Option<i64> {
        self.topic().location_id()
    }
}

/// What travels on the bus: the event and the id consumers deduplicate on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub id: i64,
    pub kind: String,
    /// When it happened, in business time.
    pub at: DateTime<Utc>,
    pub data: T,
}

/// An event written in a transaction, ready to publish once that commits.
#[derive(Debug, Clone)]
pub struct Written {
    id: i64,
    topic: String,
    json: Box<str>,
}

impl Written {
    /// The event, if it was published on `topic` and reads as a `T`.
    pub fn decode<T: serde::de::DeserializeOwned>(&self, topic: &Topic) -> Option<T> {
        if self.topic != topic.key() {
            return None;
        }
        serde_json::from_str::<Envelope<T>>(&self.json)
            .ok()
            .map(|e| e.data)
    }
}

/// Inserts the outbox row of `event` in the open transaction; `rule_chain` names the rules
/// whose actions led to it.
pub(crate) async fn insert<C: sea_orm::ConnectionTrait, E: Event>(
    conn: &C,
    event: &E,
    at: DateTime<Utc>,
    rule_chain: Option<Vec<i64>>,
) -> AppResult<Written> {
    let topic = event.topic();
    let data = serde_json::to_value(event).map_err(AppError::internal)?;
    let row = outbox_event::ActiveModel {
        topic: Set(topic.key()),
        kind: Set(event.kind().to_owned()),
        location_id: Set(event.location_id()),
        occurred_at: Set(at),
        payload: Set(data),
        created_at: Set(wall_clock()),
        sent_at: Set(None),
        rule_chain: Set(rule_chain.map(|chain| serde_json::json!(chain))),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    written(row)
}

fn written(row: outbox_event::Model) -> AppResult<Written> {
    let envelope = Envelope {
        id: row.id,
        kind: row.kind,
        at: row.occurred_at,
        data: row.payload,
    };
    let json = serde_json::to_string(&envelope).map_err(AppError::internal)?;
    Ok(Written {
        id: row.id,
        topic: row.topic,
        json: json.into(),
    })
}

/// The relay's timings.
#[derive(Debug, Clone, Copy)]
pub struct RelaySettings {
    /// How long a row may stay unsent before any relay's sweep takes it.
    pub grace: Duration,
    /// How often the sweep runs.
    pub sweep_every: Duration,
    /// How long sent rows are kept.
    pub retention: Duration,
}

/// This process's relay: takes committed events and publishes them.
#[derive(Clone)]
pub struct Relay {
    committed: mpsc::UnboundedSender<Vec<Written>>,
}

impl Relay {
    /// Starts the relay task of this process.
    pub fn start(
        db: DatabaseConnection,
        bus: EventBus,
        turn: WriteTurn,
        settings: RelaySettings,
    ) -> Relay {
        let (committed, rx) = mpsc::unbounded_channel();
        let worker = Worker {
            db,
            bus,
            turn,
            settings,
        };
        tokio::spawn(crate::db::uncounted(worker.run(rx)));
        Relay { committed }
    }

    /// Hands over the events of a unit of work that has just committed.
    pub(crate) fn committed(&self, events: Vec<Written>) {
        if !events.is_empty() && self.committed.send(events).is_err() {
            tracing::warn!("outbox relay stopped; the sweep of a live process will publish");
        }
    }
}

struct Worker {
    db: DatabaseConnection,
    bus: EventBus,
    turn: WriteTurn,
    settings: RelaySettings,
}

/// How long one publish may take before the event is left to the sweep.
const PUBLISH_TIMEOUT: Duration = Duration::from_millis(500);
/// The most rows one sweep takes.
const SWEEP_BATCH: u64 = 500;
/// How often sent rows are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(600);

impl Worker {
    async fn run(self, mut rx: mpsc::UnboundedReceiver<Vec<Written>>) {
        let mut sweep = tokio::time::interval(self.settings.sweep_every);
        sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut prune = tokio::time::interval(PRUNE_EVERY);
        prune.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                batch = rx.recv() => {
                    let Some(mut events) = batch else { return };
                    while let Ok(more) = rx.try_recv() {
                        events.extend(more);
                    }
                    self.publish_committed(events).await;
                }
                _ = sweep.tick() => {
                    if let Err(err) = self.sweep().await {
                        tracing::warn!(%err, "outbox sweep failed");
                    }
                }
                _ = prune.tick() => {
                    if let Err(err) = self.prune().await {
                        tracing::warn!(%err, "outbox prune failed");
                    }
                }
            }
        }
    }

    /// Publishes each event, then stamps the published ones sent in one statement.
    async fn publish_committed(&self, events: Vec<Written>) {
        let mut sent = Vec::with_capacity(events.len());
        for event in &events {
            if !self.publish(event).await {
                // The bus is away: the rest wait for the sweep rather than each for its own
                // timeout here.
                break;
            }
            sent.push(event.id);
        }
        if sent.is_empty() {
            return;
        }
        let _turn = self.turn.take().await;
        if let Err(err) = mark_sent(&self.db, &sent).await {
            // Unstamped rows are published again by a sweep: at least once, never lost.
            tracing::warn!(%err, "outbox rows published but not stamped");
        }
    }

    async fn publish(&self, event: &Written) -> bool {
        match tokio::time::timeout(
            PUBLISH_TIMEOUT,
            self.bus.publish_json(&event.topic, &event.json),
        )
        .await
        {
            Ok(Ok(())) => true,
            Ok(Err(err)) => {
                tracing::warn!(%err, id = event.id, "event not published; the sweep retries");
                false
            }
            Err(_) => {
                tracing::warn!(id = event.id, "event publish timed out; the sweep retries");
                false
            }
        }
    }

    /// Publishes rows unsent for longer than the grace period, oldest first.
    async fn sweep(&self) -> AppResult<usize> {
        let cutoff = wall_clock()
            - chrono::Duration::from_std(self.settings.grace).unwrap_or(chrono::Duration::zero());
        let postgres = self.db.get_database_backend() == DatabaseBackend::Postgres;
        let _turn = self.turn.take().await;
        let txn = self.db.begin().await?;
        let mut select = outbox_event::Entity::find()
            .filter(outbox_event::Column::SentAt.is_null())
            .filter(outbox_event::Column::CreatedAt.lt(cutoff))
            .order_by_asc(outbox_event::Column::Id)
            .limit(SWEEP_BATCH);
        if postgres {
            select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let rows = select.all(&txn).await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut sent = Vec::with_capacity(rows.len());
        for row in rows {
            let event = written(row)?;
            if !self.publish(&event).await {
                // The bus is away: keep the order, try the rest on the next sweep.
                break;
            }
            sent.push(event.id);
        }
        mark_sent(&txn, &sent).await?;
        txn.commit().await?;
        if !sent.is_empty() {
            tracing::info!(count = sent.len(), "outbox: published events left unsent");
        }
        Ok(sent.len())
    }

    async fn prune(&self) -> AppResult<u64> {
        let cutoff = wall_clock()
            - chrono::Duration::from_std(self.settings.retention)
                .unwrap_or(chrono::Duration::days(3));
        let _turn = self.turn.take().await;
        let done = outbox_event::Entity::delete_many()
            .filter(outbox_event::Column::SentAt.lt(cutoff))
            // Notifications fan an event out before it may go.
            .filter(outbox_event::Column::NotifiedAt.is_not_null())
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected)
    }
}

async fn mark_sent<C: sea_orm::ConnectionTrait>(conn: &C, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    outbox_event::Entity::update_many()
        .col_expr(outbox_event::Column::SentAt, Expr::value(wall_clock()))
        .filter(outbox_event::Column::Id.is_in(ids.iter().copied()))
        .filter(outbox_event::Column::SentAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

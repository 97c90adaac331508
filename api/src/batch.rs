//! Per-request batching of relation lookups, so a nested list costs one statement per level.
//!
//! Loaders implement async-graphql's [`Loader`] trait; [`Batcher`] runs them. Unlike
//! async-graphql's `DataLoader`, which fires a fixed delay after the first key, a batch here
//! waits until no new key has arrived for [`IDLE_GAP`] (at most [`MAX_WAIT`]): resolving 100
//! sibling objects can take longer than any fixed delay on a busy machine, and a batch that
//! fires half-way would cost a second statement.

use std::{
    collections::{HashMap, HashSet},
    hash::Hash,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_graphql::{Context, ErrorExtensions, dataloader::Loader};
use tokio::{sync::oneshot, time::Instant};

use crate::{context::ContextExt, error::AppError};

/// A batch runs once no key has arrived for this long… An operating-system time slice is a
/// few milliseconds: a shorter gap lets a descheduled resolver split a batch on a busy host.
pub const IDLE_GAP: Duration = Duration::from_millis(5);
/// …or this long after its first key, whichever comes first.
pub const MAX_WAIT: Duration = Duration::from_millis(100);
/// Keys per statement; longer batches are split.
pub const MAX_BATCH: usize = 500;

/// What every loader fails with: the database error, shared by all who waited.
pub type LoadError = Arc<sea_orm::DbErr>;

/// Declares a loader of `$entity` rows by primary key: `by_id_loader!(ZoneById, zone);`.
macro_rules! by_id_loader {
    ($name:ident, $entity:ident) => {
        pub struct $name(sea_orm::DatabaseConnection);

        impl async_graphql::dataloader::Loader<i64> for $name {
            type Value = $entity::Model;
            type Error = $crate::batch::LoadError;

            async fn load(
                &self,
                keys: &[i64],
            ) -> Result<std::collections::HashMap<i64, Self::Value>, Self::Error> {
                use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
                let rows = $entity::Entity::find()
                    .filter($entity::Column::Id.is_in(keys.iter().copied()))
                    .all(&self.0)
                    .await
                    .map_err(std::sync::Arc::new)?;
                Ok(rows.into_iter().map(|m| (m.id, m)).collect())
            }
        }
    };
}
pub(crate) use by_id_loader;

/// The rows of `E` whose `column` is one of `keys`, grouped by `key_of` (rows without a key
/// are left out), each group in `order`: the body of every one-to-many loader.
pub async fn grouped<E>(
    db: &sea_orm::DatabaseConnection,
    column: E::Column,
    keys: &[i64],
    key_of: impl Fn(&E::Model) -> Option<i64>,
    order: impl IntoIterator<Item = (E::Column, sea_orm::Order)>,
) -> Result<HashMap<i64, Vec<E::Model>>, LoadError>
where
    E: sea_orm::EntityTrait,
{
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let mut select = E::find().filter(column.is_in(keys.iter().copied()));
    for (col, dir) in order {
        select = select.order_by(col, dir);
    }
    let rows = select.all(db).await.map_err(Arc::new)?;
    let mut out: HashMap<i64, Vec<E::Model>> = HashMap::with_capacity(keys.len());
    for row in rows {
        if let Some(key) = key_of(&row) {
            out.entry(key).or_default().push(row);
        }
    }
    Ok(out)
}

type Reply<V, E> = oneshot::Sender<Result<Option<V>, E>>;
type Shared<K, V, E> = Arc<Mutex<Pending<K, V, E>>>;

pub struct Batcher<L: Loader<K>, K: Send + Sync + Hash + Eq + Clone + 'static> {
    loader: Arc<L>,
    pending: Shared<K, L::Value, L::Error>,
}

struct Pending<K, V, E> {
    waiters: Vec<(K, Reply<V, E>)>,
    first_at: Instant,
    last_at: Instant,
    scheduled: bool,
}

impl<L, K> Batcher<L, K>
where
    L: Loader<K>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    pub fn new(loader: L) -> Self {
        let now = Instant::now();
        Batcher {
            loader: Arc::new(loader),
            pending: Arc::new(Mutex::new(Pending {
                waiters: Vec::new(),
                first_at: now,
                last_at: now,
                scheduled: false,
            })),
        }
    }

    /// The value for `key`, loaded together with every other key asked for meanwhile.
    pub async fn load_one(&self, key: K) -> Result<Option<L::Value>, L::Error> {
        let (tx, rx) = oneshot::channel();
        let spawn = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            if pending.waiters.is_empty() {
                pending.first_at = now;
            }
            pending.last_at = now;
            pending.waiters.push((key, tx));
            !std::mem::replace(&mut pending.scheduled, true)
        };
        if spawn {
            tokio::spawn(run(self.loader.clone(), self.pending.clone()));
        }
        match rx.await {
            Ok(result) => result,
            // The batch task died (runtime shutting down): nothing to return.
            Err(_) => Ok(None),
        }
    }
}

async fn run<L, K>(loader: Arc<L>, pending: Shared<K, L::Value, L::Error>)
where
    L: Loader<K>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    let waiters = loop {
        let wake_at = {
            let mut p = pending.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let idle_until = p.last_at + IDLE_GAP;
            let deadline = p.first_at + MAX_WAIT;
            if now >= idle_until || now >= deadline {
                p.scheduled = false;
                break std::mem::take(&mut p.waiters);
            }
            idle_until.min(deadline)
        };
        tokio::time::sleep_until(wake_at).await;
    };
    let mut waiters = waiters;
    while !waiters.is_empty() {
        let rest = waiters.split_off(waiters.len().min(MAX_BATCH));
        let keys: Vec<K> = waiters
            .iter()
            .map(|(k, _)| k.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let result: Result<HashMap<K, L::Value>, L::Error> = loader.load(&keys).await;
        for (key, reply) in waiters {
            let answer = match &result {
                Ok(values) => Ok(values.get(&key).cloned()),
                Err(err) => Err(err.clone()),
            };
            // The asker may have gone (request cancelled); that is fine.
            let _ = reply.send(answer);
        }
        waiters = rest;
    }
}

/// One related value through the request's batcher for `L`.
pub async fn load<L, V>(ctx: &Context<'_>, key: i64) -> async_graphql::Result<Option<V>>
where
    L: Loader<i64, Value = V, Error = LoadError>,
    V: Clone + Send + Sync + 'static,
{
    ctx.loader::<L>()?
        .load_one(key)
        .await
        .map_err(|e| AppError::internal(e).extend())
}

/// A related list through the request's batcher for `L` (empty when there is none).
pub async fn load_many<L, V>(ctx: &Context<'_>, key: i64) -> async_graphql::Result<Vec<V>>
where
    L: Loader<i64, Value = Vec<V>, Error = LoadError>,
    V: Clone + Send + Sync + 'static,
{
    Ok(load::<L, Vec<V>>(ctx, key).await?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    struct Doubler(Arc<AtomicUsize>);

    impl Loader<u32> for Doubler {
        type Value = u32;
        type Error = Arc<String>;

        async fn load(&self, keys: &[u32]) -> Result<HashMap<u32, u32>, Self::Error> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(keys
                .iter()
                .filter(|k| **k != 0)
                .map(|k| (*k, k * 2))
                .collect())
        }
    }

    /// On a paused clock, so the gaps are exact whatever the machine is doing.
    #[tokio::test(start_paused = true)]
    async fn keys_that_trickle_in_share_one_batch() {
        let calls = Arc::new(AtomicUsize::new(0));
        let batcher = Arc::new(Batcher::new(Doubler(calls.clone())));
        let mut tasks = Vec::new();
        for key in 0..40u32 {
            let batcher = batcher.clone();
            tasks.push(tokio::spawn(async move { batcher.load_one(key).await }));
            // Siblings arrive 1 ms apart: 40 ms for all, far past a fixed 1 ms window.
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap().unwrap());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(answers[0], None);
        assert_eq!(answers[21], Some(42));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_longer_than_the_gap_starts_a_new_batch() {
        let calls = Arc::new(AtomicUsize::new(0));
        let batcher = Arc::new(Batcher::new(Doubler(calls.clone())));
        assert_eq!(batcher.load_one(1).await.unwrap(), Some(2));
        tokio::time::sleep(IDLE_GAP * 2).await;
        assert_eq!(batcher.load_one(2).await.unwrap(), Some(4));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}

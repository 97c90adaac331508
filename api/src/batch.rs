//! Per-request batching of relation lookups, so a nested list costs one statement per level.
//!
//! Loaders implement async-graphql's [`Loader`] trait; [`Batcher`] runs them. A batch waits
//! for no timer: async-graphql polls every sibling of a list inside the request's one task, so
//! an asker yields to its siblings and the batch runs as soon as a whole round of yields brings
//! no new key ([`QUIET_ROUNDS`]). The asker that sees the round quiet runs the statement itself
//! and hands each sibling its value; a query's values are then kept for the rest of the
//! request, so a row asked for twice is read once.

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex},
};

use async_graphql::{Context, ErrorExtensions, dataloader::Loader, parser::types::OperationType};
use tokio::sync::oneshot;

use crate::{context::ContextExt, error::AppError};

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
    let rows = select_in::<E>(column, keys, order)
        .all(db)
        .await
        .map_err(Arc::new)?;
    Ok(group(rows, keys.len(), key_of))
}

/// [`grouped`] for the long lists: each row is read by position as `E`'s tuple `R` (its
/// columns in order) and made into a model from that.
pub async fn grouped_by_position<E, R>(
    db: &sea_orm::DatabaseConnection,
    column: E::Column,
    keys: &[i64],
    key_of: impl Fn(&E::Model) -> Option<i64>,
    order: impl IntoIterator<Item = (E::Column, sea_orm::Order)>,
) -> Result<HashMap<i64, Vec<E::Model>>, LoadError>
where
    E: sea_orm::EntityTrait,
    R: sea_orm::TryGetableMany + Into<E::Model>,
{
    let select = select_in::<E>(column, keys, order);
    grouped_select::<E, R>(db, select, keys.len(), key_of).await
}

/// The rows `select` picks, read by position as in [`grouped_by_position`] and grouped by
/// `key_of` (about `groups` of them), each group in the select's order.
pub async fn grouped_select<E, R>(
    db: &sea_orm::DatabaseConnection,
    select: sea_orm::Select<E>,
    groups: usize,
    key_of: impl Fn(&E::Model) -> Option<i64>,
) -> Result<HashMap<i64, Vec<E::Model>>, LoadError>
where
    E: sea_orm::EntityTrait,
    R: sea_orm::TryGetableMany + Into<E::Model>,
{
    let rows = select.into_tuple::<R>().all(db).await.map_err(Arc::new)?;
    Ok(group(rows.into_iter().map(Into::into), groups, key_of))
}

fn select_in<E: sea_orm::EntityTrait>(
    column: E::Column,
    keys: &[i64],
    order: impl IntoIterator<Item = (E::Column, sea_orm::Order)>,
) -> sea_orm::Select<E> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let mut select = E::find().filter(column.is_in(keys.iter().copied()));
    for (col, dir) in order {
        select = select.order_by(col, dir);
    }
    select
}

fn group<M>(
    rows: impl IntoIterator<Item = M>,
    keys: usize,
    key_of: impl Fn(&M) -> Option<i64>,
) -> HashMap<i64, Vec<M>> {
    let mut out: HashMap<i64, Vec<M>> = HashMap::with_capacity(keys);
    for row in rows {
        if let Some(key) = key_of(&row) {
            out.entry(key).or_default().push(row);
        }
    }
    out
}

/// Makes one request's batcher of a loader from the database connection.
type Maker = Box<dyn Fn(&sea_orm::DatabaseConnection) -> Arc<dyn Any + Send + Sync> + Send + Sync>;

/// Every loader the schema's resolvers may ask for, by type: built once per process, so a
/// request pays only for the batchers it uses.
#[derive(Default)]
pub struct LoaderTable {
    makers: HashMap<TypeId, Maker>,
}

impl LoaderTable {
    /// Registers the loader `make` builds from a connection (a tuple struct's constructor).
    pub fn add<L>(
        &mut self,
        make: impl Fn(sea_orm::DatabaseConnection) -> L + Send + Sync + 'static,
    ) where
        L: Loader<i64>,
    {
        self.makers.insert(
            TypeId::of::<Batcher<L, i64>>(),
            Box::new(move |db| Arc::new(Batcher::new(make(db.clone())))),
        );
    }
}

/// The batchers of one request (or one subscription), each made when first asked for.
pub struct Loaders {
    db: sea_orm::DatabaseConnection,
    table: &'static LoaderTable,
    made: Mutex<Vec<(TypeId, Arc<dyn Any + Send + Sync>)>>,
}

impl Loaders {
    pub fn new(db: sea_orm::DatabaseConnection, table: &'static LoaderTable) -> Self {
        Loaders {
            db,
            table,
            made: Mutex::new(Vec::new()),
        }
    }

    /// The request's batcher for `L`, or `None` when `L` was never registered.
    pub fn get<L: Loader<i64>>(&self) -> Option<Arc<Batcher<L, i64>>> {
        let id = TypeId::of::<Batcher<L, i64>>();
        let mut made = self.made.lock().unwrap_or_else(|p| p.into_inner());
        let batcher = match made.iter().find(|(t, _)| *t == id) {
            Some((_, batcher)) => batcher.clone(),
            None => {
                let batcher = (self.table.makers.get(&id)?)(&self.db);
                made.push((id, batcher.clone()));
                batcher
            }
        };
        batcher.downcast::<Batcher<L, i64>>().ok()
    }
}

/// Quiet rounds of yields after which a batch runs: one round lets the siblings polled after
/// the asker in the same pass ask too; the next show that nobody else is coming, even when
/// some siblings were held back a pass by the runtime's cooperative budget.
pub const QUIET_ROUNDS: u32 = 3;
/// Rounds after which a batch runs even if keys are still arriving (a very long list).
pub const MAX_ROUNDS: u32 = 64;

type Reply<V, E> = oneshot::Sender<Result<Option<V>, E>>;
/// The keys of one batch, each with the asker's reply.
type Waiters<K, V, E> = Vec<(K, Reply<V, E>)>;

pub struct Batcher<L: Loader<K>, K: Send + Sync + Hash + Eq + Clone + 'static> {
    loader: L,
    inner: Mutex<Inner<K, L::Value, L::Error>>,
}

struct Inner<K, V, E> {
    waiters: Vec<(K, Reply<V, E>)>,
    /// Keys queued since the batcher was made: a round that does not move it is quiet.
    arrivals: u64,
    /// Batches taken so far: an asker whose batch number moved on was taken along.
    taken: u64,
    /// Values read by queries of this request (never for mutations and subscriptions, whose
    /// rows change between reads).
    cache: HashMap<K, Option<V>>,
}

enum Turn<K, V, E> {
    /// Someone else took the asker's key: its reply is on the way.
    Taken,
    /// The round was quiet: the asker runs this batch.
    Run(Vec<(K, Reply<V, E>)>),
    /// Keys are still arriving.
    Wait,
}

impl<L, K> Batcher<L, K>
where
    L: Loader<K>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    pub fn new(loader: L) -> Self {
        Batcher {
            loader,
            inner: Mutex::new(Inner {
                waiters: Vec::new(),
                arrivals: 0,
                taken: 0,
                cache: HashMap::new(),
            }),
        }
    }

    /// The loader, to read ahead with: see [`Batcher::prime`].
    pub fn loader(&self) -> &L {
        &self.loader
    }

    /// Keeps values a resolver read ahead of its children (each key with its value, `None`
    /// for a key that has none), as if a batch of this request had read them: a later
    /// [`Batcher::load_one`] with the cache answers them at once. For queries only, like the
    /// cache.
    pub fn prime(&self, values: impl IntoIterator<Item = (K, Option<L::Value>)>) {
        self.inner().cache.extend(values);
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner<K, L::Value, L::Error>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value for `key`, loaded together with every other key its siblings ask for; with
    /// `cached`, a value this batcher has read before is answered without a statement.
    pub async fn load_one(&self, key: K, cached: bool) -> Result<Option<L::Value>, L::Error> {
        loop {
            let (rx, mut seen, batch) = {
                let mut inner = self.inner();
                if cached && let Some(value) = inner.cache.get(&key) {
                    return Ok(value.clone());
                }
                let (tx, rx) = oneshot::channel();
                inner.waiters.push((key.clone(), tx));
                inner.arrivals += 1;
                (rx, inner.arrivals, inner.taken)
            };
            let (mut quiet, mut rounds) = (0, 0);
            loop {
                tokio::task::yield_now().await;
                rounds += 1;
                let turn = {
                    let mut inner = self.inner();
                    if inner.taken != batch {
                        Turn::Taken
                    } else if inner.arrivals == seen {
                        quiet += 1;
                        if quiet >= QUIET_ROUNDS || rounds >= MAX_ROUNDS {
                            inner.taken += 1;
                            Turn::Run(std::mem::take(&mut inner.waiters))
                        } else {
                            Turn::Wait
                        }
                    } else if rounds >= MAX_ROUNDS {
                        inner.taken += 1;
                        Turn::Run(std::mem::take(&mut inner.waiters))
                    } else {
                        seen = inner.arrivals;
                        quiet = 0;
                        Turn::Wait
                    }
                };
                match turn {
                    Turn::Wait => continue,
                    Turn::Taken => break,
                    Turn::Run(waiters) => {
                        self.run(waiters, cached).await;
                        break;
                    }
                }
            }
            // Outside the cooperative budget: a reply that is there is taken now, so the
            // siblings of the next level ask within the same pass.
            match tokio::task::unconstrained(rx).await {
                Ok(result) => return result,
                // The asker running the batch was dropped half-way: ask again.
                Err(_) => continue,
            }
        }
    }

    /// Loads the keys of `waiters` (in statements of at most [`MAX_BATCH`]) and answers each.
    async fn run(&self, mut waiters: Waiters<K, L::Value, L::Error>, cached: bool) {
        while !waiters.is_empty() {
            let rest = waiters.split_off(waiters.len().min(MAX_BATCH));
            // How many askers each key has: each value is cloned for all but the last of its
            // askers, who is given it.
            let mut askers: HashMap<K, usize> = HashMap::with_capacity(waiters.len());
            for (key, _) in &waiters {
                *askers.entry(key.clone()).or_default() += 1;
            }
            let keys: Vec<K> = askers.keys().cloned().collect();
            let result = self.loader.load(&keys).await;
            match result {
                Ok(mut values) => {
                    if cached {
                        let mut inner = self.inner();
                        for key in &keys {
                            inner.cache.insert(key.clone(), values.get(key).cloned());
                        }
                    }
                    for (key, reply) in waiters {
                        let left = askers.get_mut(&key).map_or(0, |n| {
                            *n -= 1;
                            *n
                        });
                        let value = if left == 0 {
                            values.remove(&key)
                        } else {
                            values.get(&key).cloned()
                        };
                        // The asker may have gone (request cancelled); that is fine.
                        let _ = reply.send(Ok(value));
                    }
                }
                Err(err) => {
                    for (_, reply) in waiters {
                        let _ = reply.send(Err(err.clone()));
                    }
                }
            }
            waiters = rest;
        }
    }
}

/// Whether the request is a query: only a query reads rows that stay put for the whole
/// request, so only a query's batchers keep what they read (and what was read ahead).
pub fn is_query(ctx: &Context<'_>) -> bool {
    ctx.query_env.operation.node.ty == OperationType::Query
}

/// One related value through the request's batcher for `L`.
pub async fn load<L, V>(ctx: &Context<'_>, key: i64) -> async_graphql::Result<Option<V>>
where
    L: Loader<i64, Value = V, Error = LoadError>,
    V: Clone + Send + Sync + 'static,
{
    ctx.loader::<L>()?
        .load_one(key, is_query(ctx))
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

    fn doubler() -> (Arc<AtomicUsize>, Batcher<Doubler, u32>) {
        let calls = Arc::new(AtomicUsize::new(0));
        (calls.clone(), Batcher::new(Doubler(calls)))
    }

    /// Siblings polled together, as async-graphql polls a list: one statement, no timer.
    #[tokio::test(start_paused = true)]
    async fn siblings_share_one_batch_without_waiting() {
        let (calls, batcher) = doubler();
        let started = tokio::time::Instant::now();
        let answers =
            futures_util::future::join_all((0..100u32).map(|key| batcher.load_one(key, true)))
                .await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(answers[0].clone().unwrap(), None);
        assert_eq!(answers[21].clone().unwrap(), Some(42));
        assert_eq!(started.elapsed(), std::time::Duration::ZERO);
    }

    /// Siblings that reach the batcher a few polls apart (another await first) still share.
    #[tokio::test]
    async fn siblings_a_few_polls_apart_share_one_batch() {
        let (calls, batcher) = doubler();
        let answers = futures_util::future::join_all((1..=30u32).map(|key| {
            let batcher = &batcher;
            async move {
                for _ in 0..key % 3 {
                    tokio::task::yield_now().await;
                }
                batcher.load_one(key, true).await
            }
        }))
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(answers[9].clone().unwrap(), Some(20));
    }

    /// A query's second read of a key costs nothing; without the cache it is read again.
    #[tokio::test]
    async fn a_query_reads_a_key_once() {
        let (calls, batcher) = doubler();
        assert_eq!(batcher.load_one(4, true).await.unwrap(), Some(8));
        assert_eq!(batcher.load_one(4, true).await.unwrap(), Some(8));
        assert_eq!(batcher.load_one(0, true).await.unwrap(), None);
        assert_eq!(batcher.load_one(0, true).await.unwrap(), None);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(batcher.load_one(4, false).await.unwrap(), Some(8));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    /// Values read ahead answer without a statement, a key with no value included; a key not
    /// read ahead still goes to the loader.
    #[tokio::test]
    async fn primed_values_answer_without_a_statement() {
        let (calls, batcher) = doubler();
        batcher.prime([(3, Some(6)), (0, None)]);
        assert_eq!(batcher.load_one(3, true).await.unwrap(), Some(6));
        assert_eq!(batcher.load_one(0, true).await.unwrap(), None);
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert_eq!(batcher.load_one(5, true).await.unwrap(), Some(10));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    /// Siblings asking for the same key in one batch all get its value: all but the last get
    /// a copy, the last the value itself. Without the cache too (a mutation's reads).
    #[tokio::test]
    async fn every_asker_of_a_repeated_key_gets_its_value() {
        for cached in [false, true] {
            let (calls, batcher) = doubler();
            let answers = futures_util::future::join_all(
                [4u32, 5, 4, 4, 0, 0].map(|key| batcher.load_one(key, cached)),
            )
            .await;
            let answers: Vec<_> = answers.into_iter().map(Result::unwrap).collect();
            assert_eq!(answers, [Some(8), Some(10), Some(8), Some(8), None, None]);
            assert_eq!(calls.load(Ordering::SeqCst), 1);
        }
    }

    /// A later level (keys that come from the values of the first) is its own batch.
    #[tokio::test]
    async fn levels_are_batches_of_their_own() {
        let (calls, batcher) = doubler();
        let answers = futures_util::future::join_all((1..=10u32).map(|key| {
            let batcher = &batcher;
            async move {
                let doubled = batcher.load_one(key, false).await.unwrap().unwrap();
                batcher.load_one(doubled + 1000, false).await.unwrap()
            }
        }))
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(answers[2], Some(2012));
    }

    /// The shape of a nested list as async-graphql resolves it: more than 30 siblings (its
    /// "big" join), each asking one loader and then three more at once, on the multi-thread
    /// runtime the server runs.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_long_list_with_nested_fields_costs_one_batch_per_loader() {
        let (first_calls, first) = doubler();
        let others: Vec<_> = (0..3).map(|_| doubler()).collect();
        let rows = futures_util::future::try_join_all((1..=40u32).map(|key| {
            let (first, others) = (&first, &others);
            async move {
                let doubled = first.load_one(key, true).await?.unwrap_or_default();
                let (a, b, c) = futures_util::future::try_join3(
                    others[0].1.load_one(doubled, true),
                    others[1].1.load_one(doubled + 1, true),
                    others[2].1.load_one(doubled + 2, true),
                )
                .await?;
                Ok::<_, Arc<String>>((a, b, c))
            }
        }))
        .await
        .unwrap();
        assert_eq!(rows[3], (Some(16), Some(18), Some(20)));
        assert_eq!(first_calls.load(Ordering::SeqCst), 1);
        for (calls, _) in &others {
            assert_eq!(calls.load(Ordering::SeqCst), 1);
        }
    }
}

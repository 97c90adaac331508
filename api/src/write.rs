//! The one way to write: a unit of work.
//!
//! [`AppState::write`] runs a feature's work in one transaction and owns everything around
//! it, so no feature begins or commits by hand:
//! - the SQLite write turn (one writer at a time in the process) and the transaction;
//! - retries when the database says "try again" (SQLite busy or locked, a PostgreSQL
//!   serialization failure or deadlock, a connection lost before the commit);
//! - idempotency ([`AppState::write_once`]): the stored answer on a repeat, CONFLICT on other
//!   input, the winner's answer after a race;
//! - the audit rows and the domain events the work raises ([`Tx::audit`], [`Tx::emit`]):
//!   events are outbox rows in the same transaction, published by the relay after the commit.

use std::{sync::Mutex, time::Duration};

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use rand::Rng;
use sea_orm::{DatabaseTransaction, TransactionTrait};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::{
    audit,
    auth::actor::Caller,
    billing::idempotency::Claim,
    error::{AppError, AppResult},
    events::outbox::{self, Event},
    state::AppState,
};

/// How many times a unit of work is tried when the database asks to try again. A hundred
/// writers racing for one PC on a loaded 2-core machine used up six tries now and then (one
/// answered UNAVAILABLE); with the backoff capped at 0.64 s, ten tries wait at most ~6 s.
const ATTEMPTS: u32 = 10;

/// The open unit of work handed to a feature's write.
pub struct Tx<'a> {
    txn: DatabaseTransaction,
    caller: &'a Caller,
    now: DateTime<Utc>,
    events: Mutex<Vec<outbox::Written>>,
}

impl Tx<'_> {
    /// The transaction: pass it wherever a connection is asked for.
    pub fn db(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Who is writing.
    pub fn caller(&self) -> &Caller {
        self.caller
    }

    /// The business time of this write, read once from the state's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Appends an audit row for this change.
    pub async fn audit(
        &self,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        details: Value,
    ) -> AppResult<()> {
        audit::record(
            &self.txn,
            self.caller,
            self.now,
            action,
            entity,
            entity_id,
            details,
        )
        .await
    }

    /// Raises a domain event: an outbox row now, on the bus once the change has committed.
    pub async fn emit<E: Event>(&self, event: &E) -> AppResult<()> {
        // What a rule does carries the rule on, so it never sets the same rule off again.
        let chain = self.caller.actor.rule().map(|(id, before)| {
            let mut chain = before.to_vec();
            chain.push(id);
            chain
        });
        let written = outbox::insert(&self.txn, event, self.now, chain).await?;
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(written);
        Ok(())
    }
}

/// What one attempt came to.
enum Attempt<T> {
    Done(T),
    /// The database asked to try again; the error answers if no attempt is left.
    Again(AppError),
}

/// What a unit's work asks for at its end.
enum Step<T> {
    Commit(T),
    /// Answer without keeping anything the work wrote.
    RollBack(T),
}

/// How an idempotent unit ended.
enum Once<T> {
    Did(T),
    /// The key was used before with the same input: its stored answer.
    Earlier(T),
    /// The key raced in from another request and won: read its answer after rolling back.
    Lost,
}

impl AppState {
    /// Runs `work` as one unit of work: one transaction, committed when it returns `Ok`,
    /// rolled back on `Err`, retried from the start when the database asks to try again (so
    /// `work` must not act outside the transaction). Its events reach the bus after the commit.
    ///
    /// ```ignore
    /// state.write(caller, |tx| Box::pin(async move {
    ///     let row = model.insert(tx.db()).await?;
    ///     tx.audit("thing.create", "thing", Some(row.id), json!({})).await?;
    ///     Ok(row)
    /// })).await
    /// ```
    pub async fn write<'a, T, F>(&'a self, caller: &'a Caller, mut work: F) -> AppResult<T>
    where
        T: Send + 'a,
        F: for<'t> FnMut(&'t Tx<'a>) -> BoxFuture<'t, AppResult<T>> + Send,
    {
        self.unit(caller, false, |tx| {
            let done = work(tx);
            Box::pin(async move { done.await.map(Step::Commit) })
        })
        .await
    }

    /// Runs `work` like [`AppState::write`] and then rolls everything back: a dry run that
    /// answers what the write would do, with the same reads and checks, and keeps nothing.
    pub async fn rehearse<'a, T, F>(&'a self, caller: &'a Caller, mut work: F) -> AppResult<T>
    where
        T: Send + 'a,
        F: for<'t> FnMut(&'t Tx<'a>) -> BoxFuture<'t, AppResult<T>> + Send,
    {
        self.unit(caller, false, |tx| {
            let done = work(tx);
            Box::pin(async move { done.await.map(Step::RollBack) })
        })
        .await
    }

    /// [`AppState::write`] once per idempotency key: a repeat with the same input answers
    /// what the first did without doing the work again; the same key with other input is
    /// CONFLICT; the loser of a race for the key answers the winner's result.
    pub async fn write_once<'a, T, F>(
        &'a self,
        caller: &'a Caller,
        claim: &'a Claim,
        mut work: F,
    ) -> AppResult<T>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'a,
        F: for<'t> FnMut(&'t Tx<'a>) -> BoxFuture<'t, AppResult<T>> + Send,
    {
        let outcome = self
            .unit(caller, true, |tx| {
                let done = work(tx);
                Box::pin(async move {
                    if let Some(earlier) = claim.earlier::<_, T>(tx.db()).await? {
                        return Ok(Step::RollBack(Once::Earlier(earlier)));
                    }
                    let value = done.await?;
                    Ok(if claim.remember(tx.db(), &value, tx.now()).await? {
                        Step::Commit(Once::Did(value))
                    } else {
                        Step::RollBack(Once::Lost)
                    })
                })
            })
            .await;
        match outcome {
            Ok(Once::Did(value) | Once::Earlier(value)) => Ok(value),
            Ok(Once::Lost) => claim.winner::<_, T>(&self.db).await,
            // A request with the same key may have finished while this one waited on its
            // locks and then failed on what it changed (spent the balance, say): the key's
            // answer is the first request's.
            Err(err) => match claim.earlier::<_, T>(&self.db).await? {
                Some(earlier) => Ok(earlier),
                None => Err(err),
            },
        }
    }

    async fn unit<'a, T, F>(
        &'a self,
        caller: &'a Caller,
        idempotent: bool,
        mut work: F,
    ) -> AppResult<T>
    where
        T: Send + 'a,
        F: for<'t> FnMut(&'t Tx<'a>) -> BoxFuture<'t, AppResult<Step<T>>> + Send,
    {
        let mut attempt = 1;
        loop {
            match self.attempt(caller, idempotent, &mut work).await? {
                Attempt::Done(value) => return Ok(value),
                Attempt::Again(err) if attempt >= ATTEMPTS => return Err(err),
                Attempt::Again(err) => {
                    tracing::debug!(%err, attempt, "unit of work tried again");
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn attempt<'a, T, F>(
        &'a self,
        caller: &'a Caller,
        idempotent: bool,
        work: &mut F,
    ) -> AppResult<Attempt<T>>
    where
        T: Send + 'a,
        F: for<'t> FnMut(&'t Tx<'a>) -> BoxFuture<'t, AppResult<Step<T>>> + Send,
    {
        let turn = self.write_turn().await;
        let txn = match self.db.begin().await {
            Ok(txn) => txn,
            Err(err) => return again_or_fail(err.into()),
        };
        let tx = Tx {
            txn,
            caller,
            now: self.clock.now(),
            events: Mutex::new(Vec::new()),
        };
        let value = match work(&tx).await {
            Ok(Step::Commit(value)) => value,
            // Dropping the transaction rolls it back.
            Ok(Step::RollBack(value)) => return Ok(Attempt::Done(value)),
            Err(err) => return again_or_fail(err),
        };
        let Tx { txn, events, .. } = tx;
        if let Err(err) = txn.commit().await {
            let err = AppError::from(err);
            // A commit cut off may have landed: only an idempotent write may safely repeat.
            return match err {
                AppError::Unavailable(_) if idempotent => Ok(Attempt::Again(err)),
                err => Err(err),
            };
        }
        drop(turn);
        let events = events.into_inner().unwrap_or_else(|p| p.into_inner());
        if self.settings.fault_abort_after_commit && !events.is_empty() {
            tracing::error!("fault_abort_after_commit: stopping between commit and publish");
            std::process::abort();
        }
        let raised = !events.is_empty();
        // Ended sign-ins stop being answered from the cache before the caller hears "done".
        self.auth_cache.forget_committed(&events);
        self.outbox.committed(events);
        if raised {
            self.notifier.wake.notify_one();
            self.automation_wake.notify_one();
        }
        Ok(Attempt::Done(value))
    }
}

fn again_or_fail<T>(err: AppError) -> AppResult<Attempt<T>> {
    match err {
        AppError::Unavailable(_) => Ok(Attempt::Again(err)),
        err => Err(err),
    }
}

/// 10, 20, 40 … ms with jitter, so racing writers do not collide again in step.
fn backoff(attempt: u32) -> Duration {
    let base = 10u64 << attempt.min(6);
    Duration::from_millis(base + rand::rng().random_range(0..base))
}

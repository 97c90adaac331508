//! Short-lived holds on named locks (a specialist at a start time, a room at a start time).
//!
//! Two engines behind one type. In-process, holds live in a map and expire by the wall clock.
//! With Redis, each lock is `SET <prefix>:hold:lock:<lock> <token> NX PX <ttl>`, the hold itself
//! is kept under its token with the same TTL, and a sorted set by expiry lets every replica list
//! the live holds of a group and find the ones that ran out. A hold is advisory: the database
//! stays the final arbiter of what is booked.
//!
//! Expiry is wall-clock time, not the business clock: a hold is a real-time lock.
//!
//! When Redis is away, taking a hold answers UNAVAILABLE (retry in a moment), and listing
//! free slots goes on without the holds (the database still refuses a double booking at
//! confirm). In-process holds live only as long as the process: a restart forgets them, and
//! their holders are told the hold ran out.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, Weak},
    time::Duration,
};

use chrono::{DateTime, Utc};
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// One live hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldRecord {
    pub token: String,
    /// What the hold belongs to, for listing (a location, say).
    pub group: String,
    pub locks: Vec<String>,
    /// What the holder wants remembered.
    pub payload: serde_json::Value,
    pub expires_at: DateTime<Utc>,
}

/// Lets one task at a time in this process work on a key, and tells the next ones whether an
/// earlier turn already took it. Many people asking for one slot at the same moment would
/// otherwise all work the slot out before any of them takes its lock; in turn, the first
/// works it out and takes it, and the rest are refused without a single statement or round
/// trip. A key is forgotten once nobody waits on it. Only a queue inside one process: the hold
/// store's locks still decide, across replicas too.
#[derive(Default)]
pub struct Gate {
    keys: Mutex<HashMap<String, Weak<tokio::sync::Mutex<bool>>>>,
}

/// A turn at a key: deref for "an earlier turn took it", set it when this turn does.
pub type Turn = tokio::sync::OwnedMutexGuard<bool>;

impl Gate {
    pub async fn enter(&self, key: &str) -> Turn {
        let turn = {
            let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
            if keys.len() > 1024 {
                keys.retain(|_, w| w.strong_count() > 0);
            }
            match keys.get(key).and_then(Weak::upgrade) {
                Some(turn) => turn,
                None => {
                    let turn = Arc::new(tokio::sync::Mutex::new(false));
                    keys.insert(key.to_owned(), Arc::downgrade(&turn));
                    turn
                }
            }
        };
        turn.lock_owned().await
    }
}

pub enum HoldStore {
    Memory(MemoryHolds),
    Redis(RedisHolds),
}

#[derive(Default)]
pub struct MemoryHolds {
    inner: Mutex<MemoryInner>,
}

#[derive(Default)]
struct MemoryInner {
    holds: HashMap<String, HoldRecord>,
    locks: HashMap<String, String>,
    /// Holds that ran out and were dropped, not yet reported by a sweep.
    lapsed: Vec<HoldRecord>,
}

impl MemoryInner {
    fn purge(&mut self, now: DateTime<Utc>) {
        let gone: Vec<String> = self
            .holds
            .values()
            .filter(|h| h.expires_at <= now)
            .map(|h| h.token.clone())
            .collect();
        for token in gone {
            if let Some(hold) = self.drop_hold(&token) {
                self.lapsed.push(hold);
            }
        }
    }

    fn drop_hold(&mut self, token: &str) -> Option<HoldRecord> {
        let hold = self.holds.remove(token)?;
        for lock in &hold.locks {
            if self.locks.get(lock).is_some_and(|t| t == token) {
                self.locks.remove(lock);
            }
        }
        Some(hold)
    }
}

pub struct RedisHolds {
    conn: redis::aio::ConnectionManager,
    prefix: String,
}

/// Deletes a key only while it still holds the caller's value.
const COMPARE_AND_DELETE: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/// Redis not answering is a dependency being away, not a bug: the caller gets UNAVAILABLE, a
/// retryable code with a Russian message, and the desk keeps working without holds.
fn redis_err(e: redis::RedisError) -> AppError {
    AppError::Away {
        msg: crate::error::Msg::new(
            "Удержание времени сейчас недоступно: повторите через несколько секунд; уже \
             подтверждённые записи не затронуты",
            "Holding a time is unavailable right now: try again in a few seconds; bookings \
             already confirmed are not affected",
        ),
        retry_after_secs: 5,
        cause: format!("redis holds: {e}"),
    }
}

fn token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl HoldStore {
    pub fn memory() -> HoldStore {
        HoldStore::Memory(MemoryHolds::default())
    }

    pub fn redis(conn: redis::aio::ConnectionManager, prefix: &str) -> HoldStore {
        HoldStore::Redis(RedisHolds {
            conn,
            prefix: prefix.to_owned(),
        })
    }

    pub fn engine(&self) -> &'static str {
        match self {
            HoldStore::Memory(_) => "memory",
            HoldStore::Redis(_) => "redis",
        }
    }

    /// Takes every lock for `ttl`, or none of them: `None` when one is held by another hold.
    pub async fn acquire(
        &self,
        group: &str,
        locks: Vec<String>,
        payload: serde_json::Value,
        ttl: Duration,
    ) -> AppResult<Option<HoldRecord>> {
        let expires_at = crate::state::wall_clock()
            + chrono::Duration::from_std(ttl).map_err(AppError::internal)?;
        let hold = HoldRecord {
            token: token(),
            group: group.to_owned(),
            locks,
            payload,
            expires_at,
        };
        match self {
            HoldStore::Memory(m) => {
                let mut inner = m.inner.lock().unwrap_or_else(|p| p.into_inner());
                inner.purge(crate::state::wall_clock());
                if hold.locks.iter().any(|l| inner.locks.contains_key(l)) {
                    return Ok(None);
                }
                for lock in &hold.locks {
                    inner.locks.insert(lock.clone(), hold.token.clone());
                }
                inner.holds.insert(hold.token.clone(), hold.clone());
                Ok(Some(hold))
            }
            HoldStore::Redis(r) => r.acquire(hold, ttl).await,
        }
    }

    /// Whether a live hold has `lock` now. Only a hint, for refusing early: by the time the
    /// answer arrives the lock may have been taken or let go; `acquire` is the real test.
    pub async fn is_held(&self, lock: &str) -> AppResult<bool> {
        match self {
            HoldStore::Memory(m) => {
                let inner = m.inner.lock().unwrap_or_else(|p| p.into_inner());
                let now = crate::state::wall_clock();
                Ok(inner
                    .locks
                    .get(lock)
                    .and_then(|token| inner.holds.get(token))
                    .is_some_and(|h| h.expires_at > now))
            }
            HoldStore::Redis(r) => {
                let mut conn = r.conn.clone();
                conn.exists(r.lock_key(lock)).await.map_err(redis_err)
            }
        }
    }

    /// The live hold of a token.
    pub async fn get(&self, token: &str) -> AppResult<Option<HoldRecord>> {
        let now = crate::state::wall_clock();
        let found = match self {
            HoldStore::Memory(m) => {
                let inner = m.inner.lock().unwrap_or_else(|p| p.into_inner());
                inner.holds.get(token).cloned()
            }
            HoldStore::Redis(r) => r.get(token).await?,
        };
        Ok(found.filter(|h| h.expires_at > now))
    }

    /// Ends a hold; `false` when it was no longer live.
    pub async fn release(&self, token: &str) -> AppResult<Option<HoldRecord>> {
        match self {
            HoldStore::Memory(m) => {
                let mut inner = m.inner.lock().unwrap_or_else(|p| p.into_inner());
                inner.purge(crate::state::wall_clock());
                Ok(inner.drop_hold(token))
            }
            HoldStore::Redis(r) => r.release(token).await,
        }
    }

    /// Live holds of a group.
    pub async fn list(&self, group: &str) -> AppResult<Vec<HoldRecord>> {
        let now = crate::state::wall_clock();
        let all = match self {
            HoldStore::Memory(m) => {
                let inner = m.inner.lock().unwrap_or_else(|p| p.into_inner());
                inner.holds.values().cloned().collect()
            }
            HoldStore::Redis(r) => r.live(now).await?,
        };
        Ok(all
            .into_iter()
            .filter(|h| h.group == group && h.expires_at > now)
            .collect())
    }

    /// Holds that ran out since the last sweep, each reported once (across replicas too).
    pub async fn sweep(&self) -> AppResult<Vec<HoldRecord>> {
        match self {
            HoldStore::Memory(m) => {
                let mut inner = m.inner.lock().unwrap_or_else(|p| p.into_inner());
                inner.purge(crate::state::wall_clock());
                Ok(std::mem::take(&mut inner.lapsed))
            }
            HoldStore::Redis(r) => r.sweep().await,
        }
    }
}

impl RedisHolds {
    fn lock_key(&self, lock: &str) -> String {
        format!("{}:hold:lock:{lock}", self.prefix)
    }

    fn token_key(&self, token: &str) -> String {
        format!("{}:hold:token:{token}", self.prefix)
    }

    fn index_key(&self) -> String {
        format!("{}:holds", self.prefix)
    }

    async fn compare_and_delete(&self, key: &str, value: &str) -> AppResult<bool> {
        let mut conn = self.conn.clone();
        let deleted: i64 = redis::cmd("EVAL")
            .arg(COMPARE_AND_DELETE)
            .arg(1)
            .arg(key)
            .arg(value)
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Ok(deleted > 0)
    }

    async fn acquire(&self, hold: HoldRecord, ttl: Duration) -> AppResult<Option<HoldRecord>> {
        let mut conn = self.conn.clone();
        let ttl_ms = ttl.as_millis().max(1) as u64;
        let mut taken: Vec<String> = Vec::new();
        for lock in &hold.locks {
            let key = self.lock_key(lock);
            let set: Option<String> = redis::cmd("SET")
                .arg(&key)
                .arg(&hold.token)
                .arg("NX")
                .arg("PX")
                .arg(ttl_ms)
                .query_async(&mut conn)
                .await
                .map_err(redis_err)?;
            if set.is_none() {
                for key in taken {
                    self.compare_and_delete(&key, &hold.token).await?;
                }
                return Ok(None);
            }
            taken.push(key);
        }
        let json = serde_json::to_string(&hold).map_err(AppError::internal)?;
        let _: () = redis::cmd("SET")
            .arg(self.token_key(&hold.token))
            .arg(&json)
            .arg("PX")
            .arg(ttl_ms)
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        let _: () = conn
            .zadd(self.index_key(), &json, hold.expires_at.timestamp_millis())
            .await
            .map_err(redis_err)?;
        Ok(Some(hold))
    }

    async fn get(&self, token: &str) -> AppResult<Option<HoldRecord>> {
        let mut conn = self.conn.clone();
        let json: Option<String> = conn.get(self.token_key(token)).await.map_err(redis_err)?;
        json.map(|j| serde_json::from_str(&j).map_err(AppError::internal))
            .transpose()
    }

    async fn release(&self, token: &str) -> AppResult<Option<HoldRecord>> {
        let mut conn = self.conn.clone();
        let key = self.token_key(token);
        let json: Option<String> = conn.get(&key).await.map_err(redis_err)?;
        let Some(json) = json else { return Ok(None) };
        if !self.compare_and_delete(&key, &json).await? {
            return Ok(None);
        }
        let hold: HoldRecord = serde_json::from_str(&json).map_err(AppError::internal)?;
        for lock in &hold.locks {
            self.compare_and_delete(&self.lock_key(lock), token).await?;
        }
        let _: i64 = conn
            .zrem(self.index_key(), &json)
            .await
            .map_err(redis_err)?;
        Ok(Some(hold))
    }

    async fn live(&self, now: DateTime<Utc>) -> AppResult<Vec<HoldRecord>> {
        let mut conn = self.conn.clone();
        let members: Vec<String> = conn
            .zrangebyscore(self.index_key(), now.timestamp_millis() + 1, "+inf")
            .await
            .map_err(redis_err)?;
        Ok(members
            .iter()
            .filter_map(|m| serde_json::from_str(m).ok())
            .collect())
    }

    async fn sweep(&self) -> AppResult<Vec<HoldRecord>> {
        let mut conn = self.conn.clone();
        let members: Vec<String> = conn
            .zrangebyscore(
                self.index_key(),
                "-inf",
                crate::state::wall_clock().timestamp_millis(),
            )
            .await
            .map_err(redis_err)?;
        let mut lapsed = Vec::new();
        for member in members {
            // Whoever removes it reports it; other replicas find it gone.
            let removed: i64 = conn
                .zrem(self.index_key(), &member)
                .await
                .map_err(redis_err)?;
            if removed > 0
                && let Ok(hold) = serde_json::from_str::<HoldRecord>(&member)
            {
                lapsed.push(hold);
            }
        }
        Ok(lapsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_lock_is_held_once_until_released_or_lapsed() {
        let store = HoldStore::memory();
        let ttl = Duration::from_millis(200);
        let a = store
            .acquire("loc:1", vec!["s:1:t".into()], serde_json::Value::Null, ttl)
            .await
            .unwrap()
            .unwrap();
        let b = store
            .acquire(
                "loc:1",
                vec!["s:1:t".into(), "r:2:t".into()],
                serde_json::Value::Null,
                ttl,
            )
            .await
            .unwrap();
        assert!(b.is_none());
        assert!(store.is_held("s:1:t").await.unwrap());
        assert!(!store.is_held("r:2:t").await.unwrap());
        assert_eq!(store.list("loc:1").await.unwrap().len(), 1);
        assert!(store.release(&a.token).await.unwrap().is_some());
        assert!(!store.is_held("s:1:t").await.unwrap());
        assert!(store.release(&a.token).await.unwrap().is_none());
        let c = store
            .acquire("loc:1", vec!["s:1:t".into()], serde_json::Value::Null, ttl)
            .await
            .unwrap()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(store.get(&c.token).await.unwrap().is_none());
        assert!(!store.is_held("s:1:t").await.unwrap());
        let lapsed = store.sweep().await.unwrap();
        assert_eq!(lapsed.len(), 1);
        assert!(store.sweep().await.unwrap().is_empty());
        assert!(
            store
                .acquire("loc:1", vec!["s:1:t".into()], serde_json::Value::Null, ttl)
                .await
                .unwrap()
                .is_some()
        );
    }

    #[tokio::test]
    async fn a_gate_tells_later_turns_and_forgets_when_nobody_waits() {
        let gate = Arc::new(Gate::default());
        let mut first = gate.enter("slot").await;
        assert!(!*first);
        let waiter = {
            let gate = gate.clone();
            tokio::spawn(async move { *gate.enter("slot").await })
        };
        // Let the waiter queue up behind the first turn.
        tokio::task::yield_now().await;
        // Another key does not wait for this one.
        assert!(!*gate.enter("other").await);
        *first = true;
        drop(first);
        assert!(waiter.await.unwrap(), "the next turn sees the slot taken");
        assert!(
            !*gate.enter("slot").await,
            "a key nobody waits on is forgotten"
        );
    }
}

//! Checked access tokens, so an authenticated request costs no statement.
//!
//! Checking a token reads its revocation, its sign-in and its user. The verdict is kept here
//! by the token's id, for staff tokens only (a client's token also carries the client record
//! it acts for, which merges and links move). It is forgotten:
//! - in this process, as soon as a unit of work that ends a sign-in commits
//!   ([`AuthCache::forget_committed`]), and when a user's account changes;
//! - in every other process, when the sign-in's end reaches it through the bus
//!   ([`spawn`]); a bus that lost events (a resync) forgets everything;
//! - after [`TTL`] in any case.
//!
//! While the bus cannot hear other processes ([`crate::events::EventBus::listening`]) nothing is
//! kept or answered from here: every request reads the database as before. A verdict read
//! from the database races an invalidation only through the generation: a verdict is kept
//! only if nothing was forgotten between the start of its reads and its storing.

use std::{
    collections::HashMap,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use entity::user;
use futures_util::StreamExt;

use super::{actor::Actor, revocation::SignInEnded};
use crate::{
    events::{Delivery, Topic, outbox::Written},
    state::AppState,
};

/// How long a verdict is trusted without news.
pub const TTL: Duration = Duration::from_secs(30);
/// The most verdicts kept; past it the stale ones go, then all.
const CAPACITY: usize = 100_000;

#[derive(Default)]
pub struct AuthCache {
    verdicts: Mutex<HashMap<String, Verdict>>,
    generation: AtomicU64,
}

#[derive(Clone)]
struct Verdict {
    actor: Actor,
    user: user::Model,
    at: Instant,
}

impl AuthCache {
    fn verdicts(&self) -> std::sync::MutexGuard<'_, HashMap<String, Verdict>> {
        self.verdicts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Taken before the reads of a verdict; [`AuthCache::keep`] refuses it if it moved.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The actor of the token `jti`, if its verdict is fresh.
    pub fn actor(&self, jti: &str) -> Option<Actor> {
        self.fresh(jti).map(|v| v.actor)
    }

    /// The user row read when the token `jti` was last checked, if still fresh.
    pub fn user(&self, jti: &str) -> Option<user::Model> {
        self.fresh(jti).map(|v| v.user)
    }

    fn fresh(&self, jti: &str) -> Option<Verdict> {
        let verdicts = self.verdicts();
        verdicts.get(jti).filter(|v| v.at.elapsed() < TTL).cloned()
    }

    /// Keeps the verdict on a staff token, unless something was forgotten since `generation`.
    pub fn keep(&self, generation: u64, actor: &Actor, user: &user::Model) {
        let Actor::User { jti, client_id, .. } = actor else {
            return;
        };
        if client_id.is_some() || user.role == entity::enums::Role::Client {
            return;
        }
        let mut verdicts = self.verdicts();
        // Checked under the lock that forgetting also takes: nothing slips in between.
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if verdicts.len() >= CAPACITY {
            verdicts.retain(|_, v| v.at.elapsed() < TTL);
            if verdicts.len() >= CAPACITY {
                verdicts.clear();
            }
        }
        let user = user::Model {
            // Nothing here needs it; it stays in the database.
            password_hash: String::new(),
            ..user.clone()
        };
        verdicts.insert(
            jti.clone(),
            Verdict {
                actor: actor.clone(),
                user,
                at: Instant::now(),
            },
        );
    }

    /// Forgets every verdict on `user_id`'s tokens.
    pub fn forget_user(&self, user_id: i64) {
        let mut verdicts = self.verdicts();
        self.generation.fetch_add(1, Ordering::AcqRel);
        verdicts.retain(|_, v| v.user.id != user_id);
    }

    /// Forgets everything (events may have been missed).
    pub fn forget_all(&self) {
        let mut verdicts = self.verdicts();
        self.generation.fetch_add(1, Ordering::AcqRel);
        verdicts.clear();
    }

    /// Forgets the users whose sign-ins the committed `events` ended.
    pub fn forget_committed(&self, events: &[Written]) {
        for event in events {
            if let Some(ended) = event.decode::<SignInEnded>(&Topic::SignInsEnded) {
                self.forget_user(ended.user_id);
            }
        }
    }
}

/// Listens for sign-ins ended by other processes for as long as the state lives.
pub fn spawn(state: &AppState) {
    let mut ended = state.bus.subscribe::<SignInEnded>(&Topic::SignInsEnded);
    let weak = state.downgrade();
    tokio::spawn(async move {
        while let Some(delivery) = ended.next().await {
            let Some(inner) = weak.upgrade() else { return };
            match delivery {
                Delivery::Event { event, .. } => inner.auth_cache.forget_user(event.user_id),
                Delivery::Resync => inner.auth_cache.forget_all(),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use entity::enums::Role;

    use super::*;

    fn staff(id: i64, jti: &str) -> (Actor, user::Model) {
        let now = crate::state::wall_clock();
        let user = user::Model {
            id,
            username: format!("u{id}"),
            display_name: "Оператор".into(),
            password_hash: String::new(),
            role: Role::Operator,
            active: true,
            tokens_valid_after: now,
            created_at: now,
            updated_at: now,
        };
        let actor = Actor::User {
            id,
            username: user.username.clone(),
            role: Role::Operator,
            jti: jti.into(),
            expires_at: now,
            session: None,
            client_id: None,
        };
        (actor, user)
    }

    #[test]
    fn a_verdict_read_before_a_revocation_is_not_kept() {
        let cache = AuthCache::default();
        let (actor, user) = staff(1, "a");
        let before = cache.generation();
        cache.forget_user(1);
        cache.keep(before, &actor, &user);
        assert!(cache.actor("a").is_none());
        cache.keep(cache.generation(), &actor, &user);
        assert!(cache.actor("a").is_some());
    }

    #[test]
    fn forgetting_a_user_leaves_the_others() {
        let cache = AuthCache::default();
        let (a, ua) = staff(1, "a");
        let (b, ub) = staff(2, "b");
        cache.keep(cache.generation(), &a, &ua);
        cache.keep(cache.generation(), &b, &ub);
        cache.forget_user(1);
        assert!(cache.actor("a").is_none());
        assert_eq!(cache.user("b").map(|u| u.id), Some(2));
        cache.forget_all();
        assert!(cache.actor("b").is_none());
    }

    #[test]
    fn client_tokens_are_not_kept() {
        let cache = AuthCache::default();
        let (mut actor, mut user) = staff(3, "c");
        user.role = Role::Client;
        if let Actor::User { role, .. } = &mut actor {
            *role = Role::Client;
        }
        cache.keep(cache.generation(), &actor, &user);
        assert!(cache.actor("c").is_none());
    }
}

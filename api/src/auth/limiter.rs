//! Slows, then refuses, repeated failed logins for one username or one client address.
//!
//! Counts live in the process. With several replicas an attacker gets the limit once per
//! replica; the argon2 cost still bounds the guessing rate.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::config::Settings;

/// Failures before answers start to slow down.
const FREE_FAILURES: u32 = 3;
const STEP_DELAY: Duration = Duration::from_millis(250);
const MAX_DELAY: Duration = Duration::from_secs(2);
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go on, after waiting this long.
    Allow { delay: Duration },
    /// Too many failures: try again after this long.
    Refuse { retry_after: Duration },
}

pub struct LoginLimiter {
    max_per_user: u32,
    max_per_address: u32,
    window: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    since: Instant,
}

impl LoginLimiter {
    pub fn new(settings: &Settings) -> LoginLimiter {
        LoginLimiter {
            max_per_user: settings.login_max_failures,
            max_per_address: settings.login_max_failures_per_address,
            window: Duration::from_secs(settings.login_window_minutes * 60),
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn check(&self, username: &str, address: Option<&str>) -> Verdict {
        let now = Instant::now();
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let live = |key: String| {
            entries
                .get(&key)
                .filter(|e| now.duration_since(e.since) < self.window)
                .copied()
        };
        let user = live(user_key(username));
        let addr = address.and_then(|a| live(addr_key(a)));
        for (entry, max) in [(user, self.max_per_user), (addr, self.max_per_address)] {
            if let Some(e) = entry.filter(|e| e.failures >= max) {
                let retry_after = self.window.saturating_sub(now.duration_since(e.since));
                return Verdict::Refuse {
                    retry_after: retry_after.max(Duration::from_secs(1)),
                };
            }
        }
        let failures = user.map_or(0, |e| e.failures);
        let delay = STEP_DELAY
            .saturating_mul(failures.saturating_sub(FREE_FAILURES - 1))
            .min(MAX_DELAY);
        Verdict::Allow {
            delay: if failures < FREE_FAILURES {
                Duration::ZERO
            } else {
                delay
            },
        }
    }

    pub fn failed(&self, username: &str, address: Option<&str>) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, e| now.duration_since(e.since) < self.window);
        }
        let keys = std::iter::once(user_key(username)).chain(address.map(addr_key));
        for key in keys {
            let entry = entries.entry(key).or_insert(Entry {
                failures: 0,
                since: now,
            });
            if now.duration_since(entry.since) >= self.window {
                *entry = Entry {
                    failures: 0,
                    since: now,
                };
            }
            entry.failures += 1;
        }
    }

    pub fn succeeded(&self, username: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(&user_key(username));
    }
}

fn user_key(username: &str) -> String {
    format!("u:{username}")
}

fn addr_key(address: &str) -> String {
    format!("a:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> LoginLimiter {
        LoginLimiter::new(&Settings {
            login_max_failures: 5,
            login_max_failures_per_address: 8,
            ..Settings::default()
        })
    }

    #[test]
    fn slows_then_refuses_a_username() {
        let l = limiter();
        assert_eq!(
            l.check("ann", None),
            Verdict::Allow {
                delay: Duration::ZERO
            }
        );
        for _ in 0..3 {
            l.failed("ann", None);
        }
        assert_eq!(l.check("ann", None), Verdict::Allow { delay: STEP_DELAY });
        for _ in 0..2 {
            l.failed("ann", None);
        }
        assert!(matches!(l.check("ann", None), Verdict::Refuse { .. }));
        assert_eq!(
            l.check("bob", None),
            Verdict::Allow {
                delay: Duration::ZERO
            }
        );
    }

    #[test]
    fn refuses_an_address_that_tries_many_usernames() {
        let l = limiter();
        for i in 0..8 {
            l.failed(&format!("user{i}"), Some("10.0.0.1"));
        }
        assert!(matches!(
            l.check("fresh", Some("10.0.0.1")),
            Verdict::Refuse { .. }
        ));
        assert!(matches!(
            l.check("fresh", Some("10.0.0.2")),
            Verdict::Allow { .. }
        ));
    }

    #[test]
    fn success_clears_the_username() {
        let l = limiter();
        for _ in 0..4 {
            l.failed("ann", None);
        }
        l.succeeded("ann");
        assert_eq!(
            l.check("ann", None),
            Verdict::Allow {
                delay: Duration::ZERO
            }
        );
    }
}

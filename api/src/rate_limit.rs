//! Fixed-window counters for public endpoints (lead forms, booking pages).
//!
//! Counts live in the process, like the login limiter: with several replicas each one counts
//! on its own.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

const MAX_KEYS: usize = 100_000;

pub struct WindowLimiter {
    window: Duration,
    hits: Mutex<HashMap<String, (u32, Instant)>>,
}

impl WindowLimiter {
    pub fn new(window: Duration) -> WindowLimiter {
        WindowLimiter {
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one hit on `key`; `Err(retry_after)` once `max` hits fell in the window.
    pub fn hit(&self, key: &str, max: u32) -> Result<(), Duration> {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() >= MAX_KEYS {
            hits.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        }
        let entry = hits.entry(key.to_owned()).or_insert((0, now));
        if now.duration_since(entry.1) >= self.window {
            *entry = (0, now);
        }
        if entry.0 >= max {
            return Err(self
                .window
                .saturating_sub(now.duration_since(entry.1))
                .max(Duration::from_secs(1)));
        }
        entry.0 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_per_key() {
        let limiter = WindowLimiter::new(Duration::from_secs(60));
        assert!(limiter.hit("a", 2).is_ok());
        assert!(limiter.hit("a", 2).is_ok());
        assert!(limiter.hit("a", 2).is_err());
        assert!(limiter.hit("b", 2).is_ok());
    }
}

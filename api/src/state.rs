//! The application state shared by every request: settings, database, bus, auth machinery.

use std::{ops::Deref, sync::Arc};

use sea_orm::DatabaseConnection;

use crate::{
    auth::{limiter::LoginLimiter, password::PasswordHasher, tokens::JwtKeys},
    config::Settings,
    db::{self, StatementCounter},
    events::{EventBus, Relay, outbox::RelaySettings},
    holds::{Gate, HoldStore},
    rate_limit::WindowLimiter,
};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub settings: Settings,
    pub db: DatabaseConnection,
    pub statements: StatementCounter,
    pub bus: EventBus,
    pub redis: Option<redis::aio::ConnectionManager>,
    /// Appointment slot holds: in Redis when configured, in the process otherwise.
    pub holds: HoldStore,
    /// Hold attempts on one slot take turns within this process.
    pub hold_gate: Gate,
    pub jwt: JwtKeys,
    pub passwords: PasswordHasher,
    pub login_limiter: LoginLimiter,
    /// Public forms (leads now, bookings later).
    pub public_limiter: WindowLimiter,
    /// On SQLite, writes take turns (see [`WriteTurn`]).
    turn: WriteTurn,
    /// Publishes the events of committed units of work.
    pub outbox: Relay,
    /// What time it is for the business rules (sessions, bookings, money, reports).
    pub clock: Clock,
    /// The notification dispatcher's shared parts (its wake-up, HTTP client, VAPID keys).
    pub notifier: crate::notify::Notifier,
    /// Checked staff tokens, so an authenticated request reads nothing.
    pub auth_cache: crate::auth::cache::AuthCache,
    /// Wakes the rule engine when a commit raised events.
    pub automation_wake: Arc<tokio::sync::Notify>,
}

/// The time the business rules read. It follows the system clock unless pinned: tests and
/// simulations pin it to play a day at chosen moments.
#[derive(Debug, Default)]
pub struct Clock {
    pinned: std::sync::RwLock<Option<chrono::DateTime<chrono::Utc>>>,
}

impl Clock {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        match self.pinned.read() {
            Ok(pinned) => pinned.unwrap_or_else(wall_clock),
            Err(_) => wall_clock(),
        }
    }

    /// Where the clock is pinned, if it is.
    pub fn pinned(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.pinned.read().ok().and_then(|p| *p)
    }

    /// Pins the clock at `at`; `None` returns it to the system clock.
    pub fn pin(&self, at: Option<chrono::DateTime<chrono::Utc>>) {
        if let Ok(mut pinned) = self.pinned.write() {
            *pinned = at;
        }
    }
}

/// The machine's time, for what must follow real seconds whatever the business clock says:
/// token lifetimes, slot holds (a real-time lock), rate-limit windows and the outbox's own
/// bookkeeping. Business rules read [`Clock::now`] instead; clippy refuses `Utc::now` elsewhere.
#[allow(clippy::disallowed_methods)]
pub fn wall_clock() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database {url}: {source}")]
    Database { url: String, source: sea_orm::DbErr },
    #[error("redis {url}: {source}")]
    Redis {
        url: String,
        source: redis::RedisError,
    },
    #[error("{0}")]
    Other(String),
}

/// A turn at writing. SQLite has one writer at a time, and a deferred transaction that read
/// before it writes can fail to upgrade under contention; taking a turn first makes writers
/// wait in line instead. PostgreSQL needs no turn: row locks and constraints do the work.
#[derive(Clone)]
pub struct WriteTurn(Option<Arc<tokio::sync::Mutex<()>>>);

impl WriteTurn {
    fn for_backend(backend: sea_orm::DatabaseBackend) -> WriteTurn {
        match backend {
            sea_orm::DatabaseBackend::Sqlite => {
                WriteTurn(Some(Arc::new(tokio::sync::Mutex::new(()))))
            }
            _ => WriteTurn(None),
        }
    }

    pub async fn take(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match &self.0 {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        }
    }
}

impl AppState {
    /// A reference that does not keep the state alive: background tasks hold this and stop
    /// once the state is gone.
    pub fn downgrade(&self) -> std::sync::Weak<Inner> {
        Arc::downgrade(&self.0)
    }

    pub fn upgrade(weak: &std::sync::Weak<Inner>) -> Option<AppState> {
        weak.upgrade().map(AppState)
    }

    /// This process's turn at writing; the unit of work takes it ([`AppState::write`]).
    pub async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        self.turn.take().await
    }

    /// Connects to the database (and Redis when configured). Settings must have been
    /// [`Settings::prepare`]d: a JWT secret is required here.
    pub async fn init(settings: Settings) -> Result<AppState, StartupError> {
        let (db, statements) =
            db::connect(&settings)
                .await
                .map_err(|source| StartupError::Database {
                    url: redact_url(&settings.database_url),
                    source,
                })?;
        let (bus, redis) = match &settings.redis_url {
            Some(url) => {
                let redis_err = |source| StartupError::Redis {
                    url: redact_url(url),
                    source,
                };
                let client = redis::Client::open(url.as_str()).map_err(redis_err)?;
                let conn = redis::aio::ConnectionManager::new_with_config(
                    client.clone(),
                    redis_link_config(),
                )
                .await
                .map_err(redis_err)?;
                let bus = EventBus::redis(client, conn.clone(), &settings.redis_prefix)
                    .await
                    .map_err(|e| StartupError::Other(e.to_string()))?;
                (bus, Some(conn))
            }
            None => (EventBus::memory(), None),
        };
        let holds = match &redis {
            Some(conn) => HoldStore::redis(conn.clone(), &settings.redis_prefix),
            None => HoldStore::memory(),
        };
        let jwt = JwtKeys::new(&settings).map_err(|e| StartupError::Other(e.to_string()))?;
        let passwords = PasswordHasher::new(settings.password_hash_concurrency)
            .map_err(|e| StartupError::Other(e.to_string()))?;
        let login_limiter = LoginLimiter::new(&settings);
        let turn = WriteTurn::for_backend(db.get_database_backend());
        let outbox = Relay::start(
            db.clone(),
            bus.clone(),
            turn.clone(),
            RelaySettings {
                grace: std::time::Duration::from_millis(settings.outbox_grace_ms),
                sweep_every: std::time::Duration::from_millis(settings.outbox_sweep_ms.max(50)),
                retention: std::time::Duration::from_secs(
                    settings.outbox_retention_hours.saturating_mul(3600),
                ),
            },
        );
        let notifier = crate::notify::Notifier::new(&settings);
        let state = AppState(Arc::new(Inner {
            settings,
            db,
            statements,
            bus,
            redis,
            holds,
            hold_gate: Gate::default(),
            jwt,
            passwords,
            login_limiter,
            public_limiter: WindowLimiter::new(std::time::Duration::from_secs(3600)),
            turn,
            outbox,
            clock: Clock::default(),
            notifier,
            auth_cache: crate::auth::cache::AuthCache::default(),
            automation_wake: Arc::default(),
        }));
        crate::notify::spawn(&state);
        crate::automations::engine::start(&state).await;
        crate::auth::cache::spawn(&state);
        Ok(state)
    }
}

/// Hides the password of a connection URL before it is printed.
/// How the shared Redis connection behaves when Redis goes away: a command waits at most
/// half a second for its answer and a reconnect at most a quarter of a second, with one retry.
/// Redis is never on a mutation's path (the outbox relay publishes after the commit), and the
/// callers that do use it (slot holds, readiness) answer at once instead of queueing behind
/// a dead server; the manager reconnects on the next command once Redis is back.
fn redis_link_config() -> redis::aio::ConnectionManagerConfig {
    redis::aio::ConnectionManagerConfig::new()
        .set_response_timeout(Some(std::time::Duration::from_millis(500)))
        .set_connection_timeout(Some(std::time::Duration::from_millis(250)))
        .set_number_of_retries(1)
        .set_max_delay(std::time::Duration::from_millis(200))
}

pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_in_urls_are_hidden() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/clubgrid"),
            "postgres://app:***@db:5432/clubgrid"
        );
        assert_eq!(
            redact_url("sqlite://clubgrid.db?mode=rwc"),
            "sqlite://clubgrid.db?mode=rwc"
        );
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
    }
}

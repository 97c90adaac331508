//! Connecting to SQLite or PostgreSQL, migrating, and counting statements.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbErr,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use crate::config::Settings;

/// Counts every SQL statement the connection runs; tests read it to prove there is no N+1.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

tokio::task_local! {
    /// Set around background work (the outbox relay) whose statements are not a request's.
    static UNCOUNTED: ();
}

/// Runs `work` without counting its statements: background work that happens to run while a
/// test counts a request's statements must not add to them.
pub async fn uncounted<F: std::future::Future>(work: F) -> F::Output {
    UNCOUNTED.scope((), work).await
}

pub async fn connect(settings: &Settings) -> Result<(DatabaseConnection, StatementCounter), DbErr> {
    let mut opts = ConnectOptions::new(settings.database_url.clone());
    opts.max_connections(settings.database_max_connections)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // Report queries plan as costly enough for PostgreSQL to compile them (JIT), which
        // takes far longer than running them; an API of short queries does better without.
        .map_sqlx_postgres_opts(|o| o.options([("jit", "off")]))
        .map_sqlx_sqlite_opts(|o| {
            o.foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
        });
    if let Some(schema) = &settings.database_schema {
        opts.set_schema_search_path(schema.clone());
    }
    let mut db = Database::connect(opts).await?;
    let counter = StatementCounter::default();
    let count = counter.0.clone();
    db.set_metric_callback(move |_| {
        if UNCOUNTED.try_with(|_| ()).is_err() {
            count.fetch_add(1, Ordering::Relaxed);
        }
    });
    Ok((db, counter))
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Refuses to go on with a database that misses migrations, saying what to run: without it
/// the first query would fail with "no such table".
pub async fn check_migrated(db: &DatabaseConnection) -> Result<(), String> {
    let pending = Migrator::get_pending_migrations(db)
        .await
        .map_err(|e| format!("cannot read the migrations of the database: {e}"))?;
    if pending.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the database is not migrated ({} of {} migrations pending, the first {}): run \
         `clubgrid migrate`, or set auto_migrate = true (CLUBGRID_AUTO_MIGRATE=true)",
        pending.len(),
        Migrator::migrations().len(),
        pending[0].name()
    ))
}

//! `/metrics` in the Prometheus text format (version 0.0.4), written by hand: GraphQL requests
//! by operation and outcome with latency histograms, the database pool, open WebSockets, the
//! outbox, and the desk's own gauges (sessions running, shifts open, appointments today).
//!
//! Counters live in this process; each replica is scraped on its own.

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    sync::{
        Mutex,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
    time::Duration,
};

use chrono::NaiveTime;
use entity::{
    appointment, cash_shift,
    enums::{AppointmentStatus, SessionStatus},
    location, outbox_event, play_session,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

use crate::{domain::timezone, state::AppState};

/// Upper bounds of the latency buckets, in seconds.
pub const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Distinct operation names kept; more are counted as `other`, so a client cannot grow the
/// scrape without bound.
const MAX_OPERATIONS: usize = 200;

#[derive(Default, Clone)]
struct Histogram {
    /// Per bucket (not cumulative), plus one for +Inf.
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS.len() + 1];
        }
        let i = BUCKETS
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(BUCKETS.len());
        self.counts[i] += 1;
        self.sum += seconds;
        self.count += 1;
    }
}

#[derive(Default)]
struct Requests {
    by: BTreeMap<(String, String), Histogram>,
    operations: std::collections::BTreeSet<String>,
}

static REQUESTS: Mutex<Requests> = Mutex::new(Requests {
    by: BTreeMap::new(),
    operations: std::collections::BTreeSet::new(),
});
static WEBSOCKETS: AtomicI64 = AtomicI64::new(0);
static WEBSOCKETS_TOTAL: AtomicU64 = AtomicU64::new(0);

/// Records one GraphQL request.
pub fn observe(operation: &str, outcome: &str, elapsed: Duration) {
    if let Ok(mut r) = REQUESTS.lock() {
        let known = r.operations.contains(operation);
        let operation = if known || r.operations.len() < MAX_OPERATIONS {
            if !known {
                r.operations.insert(operation.to_owned());
            }
            operation.to_owned()
        } else {
            "other".to_owned()
        };
        r.by.entry((operation, outcome.to_owned()))
            .or_default()
            .observe(elapsed.as_secs_f64());
    }
}

/// An open WebSocket: counted while the guard lives.
pub struct SocketGuard(());

impl SocketGuard {
    pub fn open() -> SocketGuard {
        WEBSOCKETS.fetch_add(1, Ordering::Relaxed);
        WEBSOCKETS_TOTAL.fetch_add(1, Ordering::Relaxed);
        SocketGuard(())
    }
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        WEBSOCKETS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The name a request goes by: its operation name, or the name of its only operation, or
/// `anonymous`.
pub fn operation_name(request: &mut async_graphql::Request) -> String {
    use async_graphql::parser::types::DocumentOperations;
    if let Some(name) = &request.operation_name {
        return clean(name);
    }
    // Parsed once: the engine reuses the document.
    match request.parsed_query() {
        Ok(doc) => match &doc.operations {
            DocumentOperations::Single(_) => "anonymous".into(),
            DocumentOperations::Multiple(ops) if ops.len() == 1 => ops
                .keys()
                .next()
                .map(|n| clean(n.as_str()))
                .unwrap_or_else(|| "anonymous".into()),
            DocumentOperations::Multiple(_) => "anonymous".into(),
        },
        Err(_) => "unparsable".into(),
    }
}

/// An operation name as a label value: GraphQL names are `[_A-Za-z][_0-9A-Za-z]*`; anything
/// else is cut to that.
fn clean(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(64)
        .collect();
    if cleaned.is_empty() {
        "anonymous".into()
    } else {
        cleaned
    }
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        "+Inf".into()
    }
}

/// The whole scrape.
pub async fn render(state: &AppState) -> String {
    let mut out = String::new();
    let requests: Vec<((String, String), Histogram)> = REQUESTS
        .lock()
        .map(|r| r.by.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    header(
        &mut out,
        "clubgrid_graphql_requests_total",
        "counter",
        "GraphQL requests by operation name and outcome (OK or the first error's code).",
    );
    for ((op, outcome), h) in &requests {
        let _ = writeln!(
            out,
            "clubgrid_graphql_requests_total{{operation=\"{}\",outcome=\"{}\"}} {}",
            escape(op),
            escape(outcome),
            h.count
        );
    }
    header(
        &mut out,
        "clubgrid_graphql_request_duration_seconds",
        "histogram",
        "Time to answer a GraphQL request, by operation name and outcome.",
    );
    for ((op, outcome), h) in &requests {
        let labels = format!(
            "operation=\"{}\",outcome=\"{}\"",
            escape(op),
            escape(outcome)
        );
        let mut cumulative = 0;
        for (i, bound) in BUCKETS
            .iter()
            .chain(std::iter::once(&f64::INFINITY))
            .enumerate()
        {
            cumulative += h.counts.get(i).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "clubgrid_graphql_request_duration_seconds_bucket{{{labels},le=\"{}\"}} {cumulative}",
                number(*bound)
            );
        }
        let _ = writeln!(
            out,
            "clubgrid_graphql_request_duration_seconds_sum{{{labels}}} {}",
            h.sum
        );
        let _ = writeln!(
            out,
            "clubgrid_graphql_request_duration_seconds_count{{{labels}}} {}",
            h.count
        );
    }

    header(
        &mut out,
        "clubgrid_websockets_open",
        "gauge",
        "WebSocket connections (GraphQL subscriptions) open now.",
    );
    let _ = writeln!(
        out,
        "clubgrid_websockets_open {}",
        WEBSOCKETS.load(Ordering::Relaxed)
    );
    header(
        &mut out,
        "clubgrid_websockets_opened_total",
        "counter",
        "WebSocket connections opened since the process started.",
    );
    let _ = writeln!(
        out,
        "clubgrid_websockets_opened_total {}",
        WEBSOCKETS_TOTAL.load(Ordering::Relaxed)
    );

    let (size, idle, max) = pool(&state.db, state.settings.database_max_connections);
    header(
        &mut out,
        "clubgrid_db_pool_connections",
        "gauge",
        "Database pool connections, by state (in use, idle) and the pool's maximum.",
    );
    let _ = writeln!(
        out,
        "clubgrid_db_pool_connections{{state=\"in_use\"}} {}",
        size.saturating_sub(idle)
    );
    let _ = writeln!(out, "clubgrid_db_pool_connections{{state=\"idle\"}} {idle}");
    let _ = writeln!(out, "clubgrid_db_pool_connections{{state=\"max\"}} {max}");
    header(
        &mut out,
        "clubgrid_db_statements_total",
        "counter",
        "SQL statements run by this process.",
    );
    let _ = writeln!(
        out,
        "clubgrid_db_statements_total {}",
        state.statements.get()
    );

    let db = &state.db;
    let now = state.clock.now();
    let wall = crate::state::wall_clock();
    let backlog = outbox_backlog(db).await;
    header(
        &mut out,
        "clubgrid_outbox_backlog",
        "gauge",
        "Committed events not yet published to the bus.",
    );
    let _ = writeln!(out, "clubgrid_outbox_backlog {}", backlog.0);
    header(
        &mut out,
        "clubgrid_outbox_lag_seconds",
        "gauge",
        "Age of the oldest unpublished event (0 when none waits).",
    );
    let lag = backlog
        .1
        .map(|oldest| (wall - oldest).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    let _ = writeln!(out, "clubgrid_outbox_lag_seconds {lag}");

    let running = play_session::Entity::find()
        .filter(play_session::Column::Status.eq(SessionStatus::Active))
        .count(db)
        .await
        .unwrap_or(0);
    header(
        &mut out,
        "clubgrid_sessions_running",
        "gauge",
        "Play sessions running now.",
    );
    let _ = writeln!(out, "clubgrid_sessions_running {running}");
    let shifts = cash_shift::Entity::find()
        .filter(cash_shift::Column::ClosedAt.is_null())
        .count(db)
        .await
        .unwrap_or(0);
    header(
        &mut out,
        "clubgrid_shifts_open",
        "gauge",
        "Cash shifts open now.",
    );
    let _ = writeln!(out, "clubgrid_shifts_open {shifts}");

    header(
        &mut out,
        "clubgrid_appointments_today",
        "gauge",
        "Appointments booked or done today (the location's own day), by location.",
    );
    let locations = location::Entity::find().all(db).await.unwrap_or_default();
    for loc in locations {
        let Ok(tz) = loc.timezone.parse::<chrono_tz::Tz>() else {
            continue;
        };
        let today = timezone::local_date(tz, now);
        let from = timezone::instant(tz, today.and_time(NaiveTime::MIN));
        let to = timezone::instant(
            tz,
            today.succ_opt().unwrap_or(today).and_time(NaiveTime::MIN),
        );
        let count = appointment::Entity::find()
            .filter(appointment::Column::LocationId.eq(loc.id))
            .filter(appointment::Column::StartsAt.gte(from))
            .filter(appointment::Column::StartsAt.lt(to))
            .filter(
                appointment::Column::Status
                    .is_in([AppointmentStatus::Booked, AppointmentStatus::Completed]),
            )
            .count(db)
            .await
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "clubgrid_appointments_today{{location=\"{}\"}} {count}",
            loc.id
        );
    }
    out
}

/// Unpublished outbox events and when the oldest was written.
pub async fn outbox_backlog(
    db: &DatabaseConnection,
) -> (u64, Option<chrono::DateTime<chrono::Utc>>) {
    let count = outbox_event::Entity::find()
        .filter(outbox_event::Column::SentAt.is_null())
        .count(db)
        .await
        .unwrap_or(0);
    let oldest = if count > 0 {
        outbox_event::Entity::find()
            .select_only()
            .column_as(outbox_event::Column::CreatedAt.min(), "oldest")
            .filter(outbox_event::Column::SentAt.is_null())
            .into_tuple::<Option<chrono::DateTime<chrono::Utc>>>()
            .one(db)
            .await
            .ok()
            .flatten()
            .flatten()
    } else {
        None
    };
    (count, oldest)
}

/// Connections of the pool: open, idle, the maximum.
fn pool(db: &DatabaseConnection, max: u32) -> (u32, u32, u32) {
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), p.num_idle() as u32, max)
        }
        sea_orm::DatabaseBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), p.num_idle() as u32, max)
        }
        _ => (0, 0, max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latency_lands_in_its_bucket() {
        let mut h = Histogram::default();
        h.observe(0.003);
        h.observe(0.2);
        h.observe(30.0);
        assert_eq!(h.count, 3);
        assert_eq!(h.counts[0], 1);
        assert_eq!(h.counts[5], 1);
        assert_eq!(h.counts[BUCKETS.len()], 1);
    }

    #[test]
    fn operation_names_are_label_safe() {
        assert_eq!(clean("Pc\"Map\n"), "PcMap");
        assert_eq!(clean("\""), "anonymous");
    }
}

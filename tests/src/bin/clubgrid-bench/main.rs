//! Benchmarks with named scenarios. Each prints one JSON line per figure:
//! `{"scenario":…,"metric":…,"value":…,"unit":…}`.
//!
//! ```text
//! cargo run --release --bin clubgrid-bench -- login
//! cargo run --release --bin clubgrid-bench -- graphql-me --seconds 10 --concurrency 32
//! cargo run --release --bin clubgrid-bench -- nested-statements --backend sqlite
//! cargo run --release --bin clubgrid-bench -- pc-status-fanout --backend sqlite
//! cargo run --release --bin clubgrid-bench -- reports-1m
//! cargo run --release --bin clubgrid-bench -- slots-week --backend sqlite
//! cargo run --release --bin clubgrid-bench -- booking-contention
//! cargo run --release --bin clubgrid-bench -- notify-throughput --rounds 1000 --backend sqlite
//! cargo run --release --bin clubgrid-bench -- nested-throughput --seconds 10
//! cargo run --release --bin clubgrid-bench -- raw-sql
//! cargo run --release --bin clubgrid-bench -- peer-postgraphile --seconds 10
//! cargo run --release --bin clubgrid-bench -- fanout-10k --backend sqlite
//! cargo run --release --bin clubgrid-bench -- replicas
//! ```
//! PostgreSQL and Redis are those of the tests (`CLUBGRID_TEST_DATABASE_URL`,
//! `CLUBGRID_TEST_REDIS_URL`); `--backend sqlite` uses a temporary SQLite file instead.

// Tests stand outside the business clock: they read the machine's time to build their inputs.
#![allow(clippy::disallowed_methods)]
use std::{
    process::ExitCode,
    time::{Duration, Instant},
};

use clap::{Parser, ValueEnum};
use clubgrid_api::{
    auth::actor::Caller,
    venue::{locations, resources, types, zones},
};
use clubgrid_tests::{
    Backend, PASSWORD, TestApp,
    clubgrid_client::{Client, ops},
};
use entity::enums::{ResourceKind, Role};
use serde_json::json;

mod automations;
mod booking;
mod club;
mod nested;
mod notify;
mod screens;

pub(crate) type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Scenario {
    /// Sign-ins per second (bound by argon2id).
    Login,
    /// Authenticated `me` over HTTP: requests per second and latency percentiles.
    GraphqlMe,
    /// SQL statements of the nested venue query at 1, 10 and 100 rows.
    NestedStatements,
    /// Search latency over 100,000 clients (name, phone and e-mail fragments).
    ClientsSearch,
    /// Importing a 10,000-row .xlsx through the API.
    ClientsImport,
    /// One PC status change delivered to 1,000 WebSocket subscribers of the live map.
    PcStatusFanout,
    /// The club's daily report and a month of income by day over 1,000,000 sessions and
    /// payments (PostgreSQL).
    #[value(name = "reports-1m")]
    Reports1m,
    /// Free slots for one week: 20 specialists, 2,000 appointments already booked.
    SlotsWeek,
    /// 200 concurrent hold-and-confirm attempts on one slot: how many win, how long each takes.
    BookingContention,
    /// Events through the outbox to the fake Telegram and Web Push endpoints: messages per
    /// second and commit-to-delivery lag (`--rounds` events, `--concurrency` writers).
    NotifyThroughput,
    /// The nested venue query over HTTP at 1 and 16 connections, beside the raw-SQL ceiling
    /// (PostgreSQL).
    NestedThroughput,
    /// The same rows from a bare axum handler with sqlx: the practical ceiling (PostgreSQL).
    RawSql,
    /// clubgrid and PostGraphile 4.14.1 (run with npx) on the same database, with ratios.
    PeerPostgraphile,
    /// 10,000 live-map subscribers of a separate server process: delivery p50/p99 and the
    /// server's resident memory before, connected and after they leave.
    #[value(name = "fanout-10k")]
    Fanout10k,
    /// The nested query at 16 connections through a round-robin proxy in front of 1, 2 and 3
    /// replicas on one PostgreSQL + Redis.
    Replicas,
    /// `--rounds` payments for programs (default 1,000) from `--concurrency` writers, each
    /// moving its client to «Куплена услуга» by the default rule: the lag from payment to
    /// move (p50, p99).
    AutomationLag,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum BackendArg {
    Postgres,
    Sqlite,
}

#[derive(Parser, Debug)]
#[command(about = "clubgrid benchmarks; each figure is one JSON line")]
struct Args {
    scenario: Scenario,
    #[arg(long, value_enum, default_value = "postgres")]
    backend: BackendArg,
    /// How long a throughput scenario runs.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrent clients of a throughput scenario.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// WebSocket subscribers of a fan-out scenario (each scenario has its own default).
    #[arg(long)]
    subscribers: Option<usize>,
    /// Measured repetitions (each scenario has its own default).
    #[arg(long)]
    rounds: Option<usize>,
}

impl Args {
    /// `--rounds`, or the scenario's default.
    pub(crate) fn rounds(&self, default: usize) -> usize {
        self.rounds.unwrap_or(default).max(1)
    }

    /// `--subscribers`, or the scenario's default.
    pub(crate) fn subscribers(&self, default: usize) -> usize {
        self.subscribers.unwrap_or(default).max(1)
    }
}

pub(crate) fn emit(scenario: &str, metric: &str, value: f64, unit: &str) {
    let value = (value * 100.0).round() / 100.0;
    println!(
        "{}",
        json!({ "scenario": scenario, "metric": metric, "value": value, "unit": unit })
    );
}

/// Sorts `latencies` and prints `<prefix>_p50<suffix>` and `<prefix>_p99<suffix>` in
/// milliseconds (the suffix names the engine where it matters, e.g. `_redis`).
pub(crate) fn emit_latencies(
    scenario: &str,
    prefix: &str,
    suffix: &str,
    latencies: &mut [Duration],
) {
    latencies.sort_unstable();
    for p in [50, 99] {
        emit(
            scenario,
            &format!("{prefix}_p{p}{suffix}"),
            percentile(latencies, f64::from(p)),
            "ms",
        );
    }
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// Runs `call` from `concurrency` tasks for `seconds`; returns every successful latency.
async fn hammer<F, Fut>(
    concurrency: usize,
    seconds: u64,
    call: F,
) -> BenchResult<(Vec<Duration>, Duration)>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let call = call.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < until {
                let t = Instant::now();
                if call().await {
                    latencies.push(t.elapsed());
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await?);
    }
    let elapsed = started.elapsed();
    all.sort_unstable();
    Ok((all, elapsed))
}

async fn login_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    app.create_user("bench", Role::Operator).await;
    let client = app.client();
    let (latencies, elapsed) = hammer(args.concurrency, args.seconds, move || {
        let client = client.clone();
        async move {
            let vars = ops::login::Variables {
                username: "bench".into(),
                password: PASSWORD.into(),
            };
            client.run::<ops::Login>(vars).await.is_ok()
        }
    })
    .await?;
    emit(
        "login",
        "logins_per_second",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        "1/s",
    );
    emit("login", "p99_latency", percentile(&latencies, 99.0), "ms");
    emit(
        "login",
        "hash_concurrency",
        app.state.settings.password_hash_concurrency as f64,
        "threads",
    );
    Ok(())
}

async fn me_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    let client: Client = app.as_role(Role::Operator).await;
    let (latencies, elapsed) = hammer(args.concurrency, args.seconds, move || {
        let client = client.clone();
        async move { client.run::<ops::Me>(ops::me::Variables).await.is_ok() }
    })
    .await?;
    emit(
        "graphql-me",
        "requests_per_second",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        "1/s",
    );
    emit(
        "graphql-me",
        "p50_latency",
        percentile(&latencies, 50.0),
        "ms",
    );
    emit(
        "graphql-me",
        "p99_latency",
        percentile(&latencies, 99.0),
        "ms",
    );
    Ok(())
}

async fn nested_scenario(app: &TestApp) -> BenchResult<()> {
    let viewer = app.as_role(Role::ReadOnly).await;
    let system = Caller::system();
    let mut made = 0;
    for size in [1, 10, 100] {
        while made < size {
            made += 1;
            let location = locations::create(
                &app.state,
                &system,
                types::CreateLocationInput {
                    name: format!("L{made:03}"),
                    address: "—".into(),
                    timezone: None,
                },
            )
            .await?;
            let zone = zones::create(
                &app.state,
                &system,
                types::CreateZoneInput {
                    location_id: location.id.into(),
                    name: "Standard".into(),
                    description: None,
                    color: None,
                    sort_order: None,
                },
            )
            .await?;
            resources::create(
                &app.state,
                &system,
                types::CreateResourceInput {
                    location_id: location.id.into(),
                    zone_id: Some(zone.id.into()),
                    kind: ResourceKind::Pc,
                    name: "PC-1".into(),
                    capacity: None,
                    notes: None,
                    sort_order: None,
                },
            )
            .await?;
        }
        let before = app.statements();
        let vars = ops::venue_map::Variables {
            page: Some(ops::venue_map::PageInput {
                limit: Some(100),
                offset: None,
            }),
        };
        viewer.run::<ops::VenueMap>(vars).await?;
        let statements = app.statements() - before;
        emit(
            "nested-statements",
            &format!("statements_at_{size}_rows"),
            statements as f64,
            "statements",
        );
    }
    Ok(())
}

const LAST_NAMES: &[&str] = &[
    "Иванов",
    "Петров",
    "Сидоров",
    "Ким",
    "Ли",
    "Оспанов",
    "Ахметов",
    "Нурланов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
];
const FIRST_NAMES: &[&str] = &[
    "Анна",
    "Мария",
    "Дана",
    "Айгерим",
    "Иван",
    "Алихан",
    "Ержан",
    "Сергей",
    "Ольга",
    "Алия",
    "Тимур",
    "Асель",
];

/// Inserts `count` clients in batches, bypassing the API (set-up, not the measured part).
async fn seed_clients(app: &TestApp, count: usize) -> BenchResult<()> {
    use clubgrid_api::clients::fields::RawFields;
    use sea_orm::{ActiveValue::Set, EntityTrait, TransactionTrait};
    let now = chrono::Utc::now();
    let txn = app.state.db.begin().await?;
    for start in (0..count).step_by(1000) {
        let mut batch = Vec::with_capacity(1000);
        for i in start..(start + 1000).min(count) {
            let last = LAST_NAMES[i % LAST_NAMES.len()];
            let first = FIRST_NAMES[(i / LAST_NAMES.len()) % FIRST_NAMES.len()];
            let fields = RawFields {
                last_name: Some(format!("{last}{}", if i % 2 == 0 { "" } else { "а" })),
                first_name: Some(first.into()),
                phone: Some(format!("+7701{i:07}")),
                email: Some(format!("client{i}@mail.kz")),
                ..RawFields::default()
            }
            .check("")
            .map_err(|e| e.to_string())?;
            batch.push(entity::client::ActiveModel {
                last_name: Set(fields.last_name.clone()),
                first_name: Set(fields.first_name.clone()),
                patronymic: Set(None),
                display_name: Set(fields.display_name()),
                phone: Set(fields.phone.as_ref().map(|p| p.as_str().to_owned())),
                phone2: Set(None),
                email: Set(fields.email.clone()),
                telegram_id: Set(None),
                telegram_username: Set(None),
                birth_date: Set(None),
                birth_month: Set(None),
                source_id: Set(None),
                notes: Set(None),
                discount_percent: Set(0),
                active: Set(true),
                stage_id: Set(None),
                stage_entered_at: Set(None),
                last_visit_at: Set(None),
                last_contact_at: Set(None),
                next_contact_at: Set(None),
                next_contact_user_id: Set(None),
                search_text: Set(fields.search_text()),
                merged_into_id: Set(None),
                credit_limit: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        entity::client::Entity::insert_many(batch)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn clients_search_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    const CLIENTS: usize = 100_000;
    seed_clients(app, CLIENTS).await?;
    if app.db.backend == Backend::Postgres {
        use sea_orm::ConnectionTrait;
        app.state.db.execute_unprepared("ANALYZE client").await?;
    }
    let manager = app.as_role(Role::Manager).await;
    let queries: Vec<String> = (0..200)
        .map(|i| match i % 4 {
            0 => LAST_NAMES[i % LAST_NAMES.len()]
                .to_lowercase()
                .chars()
                .take(3)
                .collect(),
            1 => format!("701 {:03}", (i * 37) % 1000),
            2 => format!("client{}@", (i * 331) % CLIENTS),
            _ => format!(
                "{} {}",
                FIRST_NAMES[i % FIRST_NAMES.len()],
                &LAST_NAMES[i % LAST_NAMES.len()][..4]
            ),
        })
        .collect();
    let mut latencies = Vec::with_capacity(queries.len());
    let mut found = 0;
    let started = Instant::now();
    for query in &queries {
        let vars = ops::clients::Variables {
            filter: Some(ops::clients::ClientFilter {
                search: Some(query.clone()),
                tag: None,
                source_id: None,
                stage_id: None,
                birthday_month: None,
                last_visit_before: None,
                last_visit_after: None,
                created_from: None,
                created_to: None,
                include_inactive: None,
                has_debt: None,
            }),
            sort: None,
            page: Some(ops::clients::PageInput {
                limit: Some(20),
                offset: None,
            }),
        };
        let t = Instant::now();
        let page = manager.run::<ops::Clients>(vars).await?;
        latencies.push(t.elapsed());
        found += page.clients.items.len();
        if started.elapsed() > Duration::from_secs(args.seconds * 20) {
            break;
        }
    }
    latencies.sort_unstable();
    let backend = format!("{:?}", app.db.backend).to_lowercase();
    emit(
        "clients-search",
        &format!("median_latency_{backend}"),
        percentile(&latencies, 50.0),
        "ms",
    );
    emit(
        "clients-search",
        &format!("p99_latency_{backend}"),
        percentile(&latencies, 99.0),
        "ms",
    );
    emit("clients-search", "clients", CLIENTS as f64, "rows");
    emit(
        "clients-search",
        "queries",
        latencies.len() as f64,
        "queries",
    );
    emit("clients-search", "rows_returned", found as f64, "rows");
    Ok(())
}

async fn clients_import_scenario(app: &TestApp) -> BenchResult<()> {
    const ROWS: u32 = 10_000;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, header) in [
        "Фамилия",
        "Имя",
        "Телефон",
        "Email",
        "Дата рождения",
        "Источник",
        "Теги",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *header)?;
    }
    for r in 1..=ROWS {
        let i = r as usize;
        sheet.write_string(r, 0, LAST_NAMES[i % LAST_NAMES.len()])?;
        sheet.write_string(r, 1, FIRST_NAMES[i % FIRST_NAMES.len()])?;
        sheet.write_string(r, 2, format!("8 702 {i:07}"))?;
        sheet.write_string(r, 3, format!("import{i}@mail.kz"))?;
        sheet.write_string(
            r,
            4,
            format!("{:02}.{:02}.19{:02}", 1 + i % 28, 1 + i % 12, 50 + i % 50),
        )?;
        sheet.write_string(r, 5, ["Instagram", "2ГИС", "Друзья"][i % 3])?;
        sheet.write_string(r, 6, "импорт")?;
    }
    let bytes = book.save_to_buffer()?;
    let manager = app.as_role(Role::Manager).await;
    let size = bytes.len();
    let vars = ops::import_clients::Variables {
        file: serde_json::Value::Null,
        dry_run: Some(false),
    };
    let started = Instant::now();
    let report = manager
        .upload::<ops::ImportClients>(vars, "file", "clients.xlsx", bytes)
        .await?
        .import_clients;
    let elapsed = started.elapsed().as_secs_f64();
    if report.created != ROWS as i64 {
        return Err(format!(
            "expected {ROWS} created, got {} ({} failed)",
            report.created, report.failed
        )
        .into());
    }
    emit("clients-import", "seconds", elapsed, "s");
    emit(
        "clients-import",
        "rows_per_second",
        f64::from(ROWS) / elapsed,
        "1/s",
    );
    emit("clients-import", "file_size", size as f64 / 1024.0, "KiB");
    Ok(())
}

async fn run(args: Args) -> BenchResult<()> {
    let backend = match args.backend {
        BackendArg::Postgres => Backend::Postgres,
        BackendArg::Sqlite => Backend::Sqlite,
    };
    if let Scenario::NotifyThroughput = args.scenario {
        return notify::notify_scenario(backend, &args).await;
    }
    let app = TestApp::spawn_with(backend, |s| {
        // Throughput scenarios need more connections than a test does.
        s.database_max_connections = 32;
        s.login_max_failures = u32::MAX;
        s.body_limit_bytes = 32 * 1024 * 1024;
    })
    .await;
    let outcome = match args.scenario {
        Scenario::Login => login_scenario(&app, &args).await,
        Scenario::GraphqlMe => me_scenario(&app, &args).await,
        Scenario::NestedStatements => nested_scenario(&app).await,
        Scenario::ClientsSearch => clients_search_scenario(&app, &args).await,
        Scenario::ClientsImport => clients_import_scenario(&app).await,
        Scenario::PcStatusFanout => club::fanout_scenario(&app, &args).await,
        Scenario::Reports1m => club::reports_scenario(&app, &args).await,
        Scenario::SlotsWeek => booking::slots_week_scenario(&app, &args).await,
        Scenario::BookingContention => booking::contention_scenario(&app, &args).await,
        Scenario::NotifyThroughput => Ok(()),
        Scenario::NestedThroughput => nested::throughput_scenario(&app, &args).await,
        Scenario::RawSql => nested::raw_scenario(&app, &args).await,
        Scenario::PeerPostgraphile => nested::peer_scenario(&app, &args).await,
        Scenario::Fanout10k => club::fanout_10k_scenario(&app, &args).await,
        Scenario::Replicas => nested::replicas_scenario(&app, &args).await,
        Scenario::AutomationLag => automations::lag_scenario(&app, &args).await,
    };
    app.stop().await;
    outcome
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench failed: {err}");
            ExitCode::FAILURE
        }
    }
}

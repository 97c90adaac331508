//! Benchmarks with named scenarios. Each prints one JSON line per figure:
//! `{"scenario":…,"metric":…,"value":…,"unit":…}`.
//!
//! ```text
//! cargo run --release --bin clubgrid-bench -- login
//! cargo run --release --bin clubgrid-bench -- graphql-me --seconds 10 --concurrency 32
//! cargo run --release --bin clubgrid-bench -- nested-statements --backend sqlite
//! ```
//! PostgreSQL and Redis are those of the tests (`CLUBGRID_TEST_DATABASE_URL`,
//! `CLUBGRID_TEST_REDIS_URL`); `--backend sqlite` uses a temporary SQLite file instead.

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

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Scenario {
    /// Sign-ins per second (bound by argon2id).
    Login,
    /// Authenticated `me` over HTTP: requests per second and latency percentiles.
    GraphqlMe,
    /// SQL statements of the nested venue query at 1, 10 and 100 rows.
    NestedStatements,
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
}

fn emit(scenario: &str, metric: &str, value: f64, unit: &str) {
    let value = (value * 100.0).round() / 100.0;
    println!(
        "{}",
        json!({ "scenario": scenario, "metric": metric, "value": value, "unit": unit })
    );
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
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

async fn run(args: Args) -> BenchResult<()> {
    let backend = match args.backend {
        BackendArg::Postgres => Backend::Postgres,
        BackendArg::Sqlite => Backend::Sqlite,
    };
    let app = TestApp::spawn_with(backend, |s| {
        // Throughput scenarios need more connections than a test does.
        s.database_max_connections = 32;
        s.login_max_failures = u32::MAX;
    })
    .await;
    let outcome = match args.scenario {
        Scenario::Login => login_scenario(&app, &args).await,
        Scenario::GraphqlMe => me_scenario(&app, &args).await,
        Scenario::NestedStatements => nested_scenario(&app).await,
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

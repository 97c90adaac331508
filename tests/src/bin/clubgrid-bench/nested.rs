//! The nested venue query (locations → zones → resources, name and status) over HTTP, against
//! the practical ceiling and a peer, on one PostgreSQL database:
//! - **clubgrid**: the `clubgrid serve` binary of this build, as its own process;
//! - **raw-sql**: a bare axum handler in this process running the same three SELECTs with sqlx
//!   and writing the same JSON shape;
//! - **postgraphile**: PostGraphile 4.14.1 started with `npx` on the same schema.
//!
//! Every target gets the same load from this process: figures at 1 and 16 connections,
//! `--seconds` each, after a one-second warm-up. Each target's answer is checked in full
//! once; under load an answer counts when it is a 200 of that same length, so the load
//! generator's own parsing does not take the cores the servers share with it.
//!
//! All three reach PostgreSQL the same way, over loopback without TLS (`sslmode=disable`):
//! the Rust driver would otherwise negotiate TLS with a server that offers it while Node's
//! does not ask, and the figures would compare encryption rather than servers.

use std::{process::Stdio, time::Duration};

use axum::{Json, Router, extract::State, routing::get};
use clubgrid_api::{
    auth::actor::Caller,
    venue::{locations, resources, types, zones},
};
use clubgrid_tests::{Backend, ServerProcess, TestApp};
use entity::enums::{ResourceKind, Role};
use sea_orm::sqlx::{self, PgPool};
use serde_json::{Value, json};

use super::{Args, BenchResult, emit, hammer, percentile};

const CLUBGRID_QUERY: &str =
    "{ locations(page: {limit: 100}) { items { name zones { name resources { name status } } } } }";
const PEER_QUERY: &str = "{ allLocations(orderBy: NAME_ASC) { nodes { name zonesByLocationId(orderBy: SORT_ORDER_ASC) { nodes { name resourcesByZoneId(orderBy: SORT_ORDER_ASC) { nodes { name status } } } } } } }";
/// PostGraphile's version, as the issue measured it.
const POSTGRAPHILE: &str = "postgraphile@4.14.1";

/// A server under load: where to send, what, and with which credential.
#[derive(Clone)]
struct Target {
    name: &'static str,
    url: String,
    body: String,
    token: Option<String>,
}

/// `url` without TLS, unless it names its own `sslmode`.
fn plain(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// What one level of load gave.
struct Figures {
    rps: f64,
    p50: f64,
    p99: f64,
}

/// 20 zones of 20 PCs in one location, plus two small locations: about 420 resources.
async fn venue(app: &TestApp) -> BenchResult<usize> {
    let system = Caller::system();
    let mut made = 0;
    for (name, zone_count, pcs) in [("Арена", 20, 20), ("Байтерек", 2, 8), ("Cyber", 1, 8)]
    {
        let location = locations::create(
            &app.state,
            &system,
            types::CreateLocationInput {
                name: name.into(),
                address: "Алматы".into(),
                timezone: Some("Asia/Almaty".into()),
            },
        )
        .await?;
        for z in 1..=zone_count {
            let zone = zones::create(
                &app.state,
                &system,
                types::CreateZoneInput {
                    location_id: location.id.into(),
                    name: format!("Зона {z:02}"),
                    description: None,
                    color: None,
                    sort_order: Some(z),
                },
            )
            .await?;
            for i in 1..=pcs {
                resources::create(
                    &app.state,
                    &system,
                    types::CreateResourceInput {
                        location_id: location.id.into(),
                        zone_id: Some(zone.id.into()),
                        kind: ResourceKind::Pc,
                        name: format!("PC-{z:02}-{i:02}"),
                        capacity: None,
                        notes: None,
                        sort_order: Some(i),
                    },
                )
                .await?;
                made += 1;
            }
        }
    }
    Ok(made)
}

/// One POST: a 200 answer.
async fn post(http: &reqwest::Client, target: &Target) -> Option<reqwest::Response> {
    let mut request = http
        .post(&target.url)
        .header("content-type", "application/json")
        .body(target.body.clone());
    if let Some(token) = &target.token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.ok()?;
    response.status().is_success().then_some(response)
}

/// One POST, read in full; `Some(bytes)` when it answered 200 with data and no errors.
async fn ask(http: &reqwest::Client, target: &Target) -> Option<usize> {
    let bytes = post(http, target).await?.bytes().await.ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    (value.get("errors").is_none() && value.get("data").is_some()).then_some(bytes.len())
}

/// Load at `concurrency` for `seconds` after a one-second warm-up; an answer counts when it
/// is as long as the full answer [`ask`] checked first.
async fn measure(target: &Target, concurrency: usize, seconds: u64) -> BenchResult<Figures> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let expected = ask(&http, target)
        .await
        .ok_or_else(|| format!("{} does not answer the query", target.name))?;
    let target = std::sync::Arc::new(target.clone());
    let call = {
        let (http, target) = (http.clone(), target.clone());
        move || {
            let (http, target) = (http.clone(), target.clone());
            async move {
                match post(&http, &target).await {
                    Some(answer) => answer.bytes().await.is_ok_and(|b| b.len() == expected),
                    None => false,
                }
            }
        }
    };
    hammer(concurrency, 1, call.clone()).await?;
    let (latencies, elapsed) = hammer(concurrency, seconds, call).await?;
    if latencies.is_empty() {
        return Err(format!("{}: no request succeeded", target.name).into());
    }
    Ok(Figures {
        rps: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
    })
}

/// Measures every target at 1 and 16 connections and prints their figures; answers
/// `(req/s at 16, p50 at 1)` per target, in order.
async fn compare(scenario: &str, targets: &[Target], args: &Args) -> BenchResult<Vec<(f64, f64)>> {
    let http = reqwest::Client::new();
    for target in targets {
        let bytes = ask(&http, target)
            .await
            .ok_or_else(|| format!("{} does not answer the query", target.name))?;
        emit(
            scenario,
            &format!("{}_response_bytes", target.name),
            bytes as f64,
            "B",
        );
    }
    let mut out = Vec::new();
    for target in targets {
        let one = measure(target, 1, args.seconds).await?;
        let many = measure(target, 16, args.seconds).await?;
        for (n, f) in [(1, &one), (16, &many)] {
            emit(scenario, &format!("{}_rps_c{n}", target.name), f.rps, "1/s");
            emit(scenario, &format!("{}_p50_c{n}", target.name), f.p50, "ms");
            emit(scenario, &format!("{}_p99_c{n}", target.name), f.p99, "ms");
        }
        out.push((many.rps, one.p50));
    }
    Ok(out)
}

/// The seeded database served by `clubgrid serve` (release when this bench is).
async fn clubgrid(app: &TestApp) -> BenchResult<(ServerProcess, Target)> {
    let admin = app.as_role(Role::Admin).await;
    let token = admin.token().map(str::to_owned);
    let server = ServerProcess::start(&plain_settings(app)).await;
    let target = Target {
        name: "clubgrid",
        url: format!("{}/graphql", server.url),
        body: json!({ "query": CLUBGRID_QUERY }).to_string(),
        token,
    };
    Ok((server, target))
}

/// The test app's settings with a database URL without TLS.
fn plain_settings(app: &TestApp) -> clubgrid_api::Settings {
    let mut settings = app.state.settings.clone();
    settings.database_url = plain(&settings.database_url);
    settings
}

fn postgres_only(app: &TestApp) -> BenchResult<()> {
    if app.db.backend != Backend::Postgres {
        return Err("this scenario compares on PostgreSQL: drop --backend sqlite".into());
    }
    Ok(())
}

/// `nested-throughput`: clubgrid beside the raw-SQL ceiling.
pub(crate) async fn throughput_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    postgres_only(app)?;
    let resources = venue(app).await?;
    emit("nested-throughput", "resources", resources as f64, "rows");
    let (server, ours) = clubgrid(app).await?;
    let raw = raw_target(app).await?;
    let figures = compare("nested-throughput", &[ours, raw], args).await?;
    emit(
        "nested-throughput",
        "clubgrid_share_of_raw_rps_c16",
        figures[0].0 / figures[1].0 * 100.0,
        "%",
    );
    server.stop().await;
    Ok(())
}

/// `raw-sql`: the ceiling alone.
pub(crate) async fn raw_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    postgres_only(app)?;
    let resources = venue(app).await?;
    emit("raw-sql", "resources", resources as f64, "rows");
    let raw = raw_target(app).await?;
    compare("raw-sql", &[raw], args).await?;
    Ok(())
}

/// `peer-postgraphile`: clubgrid and PostGraphile on the same rows, from one run.
pub(crate) async fn peer_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    postgres_only(app)?;
    let resources = venue(app).await?;
    emit("peer-postgraphile", "resources", resources as f64, "rows");
    let (server, ours) = clubgrid(app).await?;
    let peer = Postgraphile::start(app).await?;
    let peer_target = Target {
        name: "postgraphile",
        url: format!("{}/graphql", peer.url),
        body: json!({ "query": PEER_QUERY }).to_string(),
        token: None,
    };
    let figures = compare("peer-postgraphile", &[ours, peer_target], args).await?;
    let (ours, theirs) = (figures[0], figures[1]);
    emit("peer-postgraphile", "rps_ratio_c16", ours.0 / theirs.0, "x");
    emit("peer-postgraphile", "p50_ratio_c1", ours.1 / theirs.1, "x");
    server.stop().await;
    drop(peer);
    Ok(())
}

/// The bare handler: the three SELECTs, grouped in memory, written as the same JSON shape.
async fn raw_handler(State(pool): State<PgPool>) -> Result<Json<Value>, String> {
    let fail = |e: sqlx::Error| e.to_string();
    let places: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM location WHERE active ORDER BY name LIMIT 100")
            .fetch_all(&pool)
            .await
            .map_err(fail)?;
    let ids: Vec<i64> = places.iter().map(|p| p.0).collect();
    let zones: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, location_id, name FROM zone WHERE location_id = ANY($1) ORDER BY sort_order, id",
    )
    .bind(&ids)
    .fetch_all(&pool)
    .await
    .map_err(fail)?;
    let zone_ids: Vec<i64> = zones.iter().map(|z| z.0).collect();
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT zone_id, name, status::text FROM resource WHERE zone_id = ANY($1) ORDER BY sort_order, id",
    )
    .bind(&zone_ids)
    .fetch_all(&pool)
    .await
    .map_err(fail)?;
    let mut by_zone: std::collections::HashMap<i64, Vec<Value>> = Default::default();
    for (zone, name, status) in rows {
        by_zone
            .entry(zone)
            .or_default()
            .push(json!({ "name": name, "status": status.to_uppercase() }));
    }
    let items: Vec<Value> = places
        .into_iter()
        .map(|(id, name)| {
            let zones: Vec<Value> = zones
                .iter()
                .filter(|z| z.1 == id)
                .map(|z| json!({ "name": z.2, "resources": by_zone.remove(&z.0).unwrap_or_default() }))
                .collect();
            json!({ "name": name, "zones": zones })
        })
        .collect();
    Ok(Json(json!({ "data": { "locations": { "items": items } } })))
}

async fn raw_target(app: &TestApp) -> BenchResult<Target> {
    use std::str::FromStr;
    let settings = &app.state.settings;
    let mut options = sqlx::postgres::PgConnectOptions::from_str(&plain(&settings.database_url))?;
    if let Some(schema) = &settings.database_schema {
        options = options.options([("search_path", schema.as_str())]);
    }
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(settings.database_max_connections)
        .connect_with(options)
        .await?;
    let router = Router::new()
        .route("/graphql", get(raw_handler).post(raw_handler))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(Target {
        name: "raw_sql",
        url: format!("http://{addr}/graphql"),
        body: "{}".into(),
        token: None,
    })
}

/// PostGraphile run by `npx` in its own process group, stopped (the group) on drop.
struct Postgraphile {
    url: String,
    child: std::process::Child,
}

impl Postgraphile {
    async fn start(app: &TestApp) -> BenchResult<Postgraphile> {
        use std::os::unix::process::CommandExt;
        let schema = app
            .state
            .settings
            .database_schema
            .clone()
            .ok_or("no schema")?;
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
            probe.local_addr()?.port()
        };
        let child = std::process::Command::new("npx")
            .args(["-y", POSTGRAPHILE, "-c"])
            .arg(plain(&clubgrid_tests::postgres_url()))
            .args(["--schema", &schema, "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .arg("--disable-query-log")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("npx {POSTGRAPHILE}: {e}"))?;
        let peer = Postgraphile {
            url: format!("http://127.0.0.1:{port}"),
            child,
        };
        let http = reqwest::Client::new();
        let probe = Target {
            name: "postgraphile",
            url: format!("{}/graphql", peer.url),
            body: json!({ "query": "{ __typename }" }).to_string(),
            token: None,
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(180);
        while ask(&http, &probe).await.is_none() {
            if std::time::Instant::now() > deadline {
                return Err(format!("{POSTGRAPHILE} did not start within 3 minutes").into());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Ok(peer)
    }
}

impl Drop for Postgraphile {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = std::process::Command::new("kill")
            .args(["-TERM", "--", &group])
            .status();
        let _ = self.child.wait();
    }
}

/// A round-robin TCP proxy on a free port in front of `backends` (`host:port` each): the
/// small load balancer of the `replicas` scenario.
async fn proxy(backends: Vec<String>) -> BenchResult<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let mut next = 0usize;
        while let Ok((mut inbound, _)) = listener.accept().await {
            let backend = backends[next % backends.len()].clone();
            next += 1;
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(&backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    Ok(format!("http://{addr}"))
}

/// `replicas`: the nested query at 16 connections through a round-robin proxy in front of
/// 1, 2 and 3 `clubgrid serve` replicas on one PostgreSQL + Redis, printed together. On a
/// machine with fewer cores than replicas the figures show the CPU, not the design.
pub(crate) async fn replicas_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    postgres_only(app)?;
    let resources = venue(app).await?;
    emit("replicas", "resources", resources as f64, "rows");
    let admin = app.as_role(Role::Admin).await;
    let token = admin.token().map(str::to_owned);
    let mut servers = Vec::new();
    let settings = plain_settings(app);
    for _ in 0..3 {
        servers.push(ServerProcess::start(&settings).await);
    }
    let hosts: Vec<String> = servers
        .iter()
        .map(|s| s.url.trim_start_matches("http://").to_owned())
        .collect();
    for n in 1..=3usize {
        let front = proxy(hosts[..n].to_vec()).await?;
        let target = Target {
            name: "clubgrid",
            url: format!("{front}/graphql"),
            body: json!({ "query": CLUBGRID_QUERY }).to_string(),
            token: token.clone(),
        };
        let figures = measure(&target, 16, args.seconds).await?;
        emit("replicas", &format!("rps_{n}_replicas"), figures.rps, "1/s");
        emit("replicas", &format!("p50_{n}_replicas"), figures.p50, "ms");
        emit("replicas", &format!("p99_{n}_replicas"), figures.p99, "ms");
    }
    emit(
        "replicas",
        "cores",
        std::thread::available_parallelism().map_or(1, |n| n.get()) as f64,
        "cores",
    );
    for server in servers {
        server.stop().await;
    }
    Ok(())
}

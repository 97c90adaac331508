//! Computer-club scenarios: the live map's fan-out and the reports over a million sessions.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use clubgrid_api::{
    auth::actor::Caller,
    club::catalog::{self, TariffSpec},
    venue::{locations, resources, types, zones},
};
use clubgrid_tests::{
    Backend, ServerProcess, TestApp,
    clubgrid_client::{Client, ops},
};
use entity::enums::{ResourceKind, Role, Rounding};
use futures_util::StreamExt;
use sea_orm::{ConnectionTrait, Statement};

use super::{Args, BenchResult, emit, emit_latencies, percentile, screens::Screens};

/// A location with one zone, `pcs` PCs and an hourly tariff; returns (location, zone, PCs).
pub(crate) async fn location(
    app: &TestApp,
    name: &str,
    pcs: usize,
) -> BenchResult<(i64, i64, Vec<i64>)> {
    let system = Caller::system();
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
    let zone = zones::create(
        &app.state,
        &system,
        types::CreateZoneInput {
            location_id: location.id.into(),
            name: "Standart".into(),
            description: None,
            color: None,
            sort_order: None,
        },
    )
    .await?;
    catalog::create_tariff(
        &app.state,
        &system,
        zone.id,
        TariffSpec {
            name: "Standart".into(),
            price_per_hour: 60_000,
            step_minutes: 1,
            rounding: Rounding::Up,
            active: true,
            windows: Vec::new(),
        },
    )
    .await?;
    let mut ids = Vec::with_capacity(pcs);
    for i in 1..=pcs {
        let pc = resources::create(
            &app.state,
            &system,
            types::CreateResourceInput {
                location_id: location.id.into(),
                zone_id: Some(zone.id.into()),
                kind: ResourceKind::Pc,
                name: format!("PC-{i:02}"),
                capacity: None,
                notes: None,
                sort_order: Some(i as i32),
            },
        )
        .await?;
        ids.push(pc.id);
    }
    Ok((location.id, zone.id, ids))
}

type Live =
    clubgrid_tests::clubgrid_client::Subscription<ops::resource_status_changed::ResponseData>;

/// Opens `n` live-map subscriptions as `viewer`, a few at a time, and reads each one's
/// snapshot.
async fn subscribe_all(viewer: &Client, location_id: i64, n: usize) -> BenchResult<Vec<Live>> {
    let mut streams = Vec::with_capacity(n);
    let mut pending = Vec::new();
    for i in 0..n {
        let viewer = viewer.clone();
        pending.push(tokio::spawn(async move {
            let vars = ops::resource_status_changed::Variables {
                location_id: location_id.to_string(),
            };
            let mut stream = viewer.subscribe::<ops::ResourceStatusChanged>(vars).await?;
            match stream.next().await {
                Some(Ok(first)) if first.resource_status_changed.snapshot => Ok(stream),
                other => Err(format!("expected a snapshot, got {other:?}").into()),
            }
        }));
        if pending.len() == 50 || i + 1 == n {
            for task in pending.drain(..) {
                let stream: BenchResult<Live> = task.await?;
                streams.push(stream?);
            }
        }
    }
    Ok(streams)
}

/// `rounds` changes of `pc` made by `tech`, alternating out of order and free; answers every
/// subscriber's delivery time (from just before the mutation is sent to the update's arrival)
/// and each mutation's own time.
async fn play_rounds(
    streams: &mut Vec<Live>,
    tech: &Client,
    pc: i64,
    rounds: usize,
) -> BenchResult<(Vec<Duration>, Vec<Duration>)> {
    let mut latencies = Vec::with_capacity(streams.len() * rounds);
    let mut mutations = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let waiting: Vec<_> = streams
            .drain(..)
            .map(|mut stream| {
                tokio::spawn(async move {
                    let item = tokio::time::timeout(Duration::from_secs(30), stream.next()).await;
                    (stream, Instant::now(), item)
                })
            })
            .collect();
        // Let every waiter reach its `next()` before the change is made.
        tokio::task::yield_now().await;
        let sent = change(tech, pc, round).await?;
        mutations.push(sent.elapsed());
        for task in waiting {
            let (stream, arrived, item) = task.await?;
            match item {
                Ok(Some(Ok(update))) if !update.resource_status_changed.snapshot => {
                    latencies.push(arrived.saturating_duration_since(sent));
                }
                other => return Err(format!("round {round}: unexpected {other:?}").into()),
            }
            streams.push(stream);
        }
    }
    latencies.sort_unstable();
    mutations.sort_unstable();
    Ok((latencies, mutations))
}

/// Round `round`'s change of `pc` by `tech` (out of order, then free again); answers the
/// instant just before it was sent.
pub(crate) async fn change(tech: &Client, pc: i64, round: usize) -> BenchResult<Instant> {
    let status = if round.is_multiple_of(2) {
        ops::set_resource_status::ResourceStatus::OUT_OF_ORDER
    } else {
        ops::set_resource_status::ResourceStatus::FREE
    };
    let sent = Instant::now();
    tech.run::<ops::SetResourceStatus>(ops::set_resource_status::Variables {
        id: pc.to_string(),
        status,
        note: None,
    })
    .await?;
    Ok(sent)
}

/// `--subscribers` WebSocket subscribers watch one location's map; each round a technician
/// changes one PC's status and every subscriber's delivery time is taken, from just before the
/// mutation is sent to the update's arrival. SQLite runs on the in-process bus, PostgreSQL
/// through Redis.
pub(crate) async fn fanout_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    let rounds = args.rounds(20);
    let subscribers = args.subscribers(1000);
    let (location_id, _, pcs) = location(app, "Fan-out", 1).await?;
    let opened = Instant::now();
    let viewer = app.as_role(Role::Operator).await;
    let mut streams = subscribe_all(&viewer, location_id, subscribers).await?;
    let connect = opened.elapsed();
    let tech = app.as_role(Role::Tech).await;
    let (mut latencies, mutations) = play_rounds(&mut streams, &tech, pcs[0], rounds).await?;
    let bus = app.state.bus.engine();
    let name = "pc-status-fanout";
    emit(name, "subscribers", subscribers as f64, "connections");
    emit(name, "rounds", rounds as f64, "changes");
    emit(
        name,
        &format!("connect_all_{bus}"),
        connect.as_secs_f64(),
        "s",
    );
    emit(
        name,
        &format!("mutation_p50_{bus}"),
        percentile(&mutations, 50.0),
        "ms",
    );
    emit_latencies(name, "delivery", &format!("_{bus}"), &mut latencies);
    emit(
        name,
        &format!("delivery_max_{bus}"),
        percentile(&latencies, 100.0),
        "ms",
    );
    Ok(())
}

/// Resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> BenchResult<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS")?;
    let kib: f64 = line
        .split_whitespace()
        .nth(1)
        .ok_or("no VmRSS value")?
        .parse()?;
    Ok(kib)
}

/// `fanout-10k`: the same fan-out against a `clubgrid serve` process of its own (default
/// 10,000 subscribers), so its resident memory can be read: before the subscribers connect,
/// with them all connected and idle, and some seconds after they have left. The subscribers
/// are bare sockets ([`Screens`]): they share the cores with the server they measure.
pub(crate) async fn fanout_10k_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    let rounds = args.rounds(10);
    let subscribers = args.subscribers(10_000);
    let (location_id, _, pcs) = location(app, "Fan-out", 1).await?;
    let viewer_token = app.as_role(Role::Operator).await;
    let tech_token = app.as_role(Role::Tech).await;
    let server = ServerProcess::start(&app.state.settings).await;
    let pid = server.pid().ok_or("the server has no pid")?;
    let viewer = Client::new(&server.url).with_token(viewer_token.token().unwrap_or_default());
    let tech = Client::new(&server.url).with_token(tech_token.token().unwrap_or_default());
    // One subscriber first, so the baseline has the schema and the pools warm.
    let mut warm = Screens::open(&viewer, location_id, 1).await?;
    for round in 0..2 {
        let sent = change(&tech, pcs[0], round).await?;
        warm.changes_since(sent).await?;
    }
    drop(warm);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib(pid)?;
    let opened = Instant::now();
    let mut screens = Screens::open(&viewer, location_id, subscribers).await?;
    let connect = opened.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let connected = rss_kib(pid)?;
    let mut latencies = Vec::with_capacity(subscribers * rounds);
    let mut mutations = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let sent = change(&tech, pcs[0], round).await?;
        mutations.push(sent.elapsed());
        latencies.extend(screens.changes_since(sent).await?);
    }
    mutations.sort_unstable();
    let busy = rss_kib(pid)?;
    drop(screens);
    tokio::time::sleep(Duration::from_secs(12)).await;
    let left = rss_kib(pid)?;
    // A second wave of the same size: if the first wave's memory is kept for reuse rather
    // than leaked, the process hardly grows.
    let again = Screens::open(&viewer, location_id, subscribers).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let second = rss_kib(pid)?;
    drop(again);
    let name = "fanout-10k";
    let bus = app.state.bus.engine();
    emit(name, "subscribers", subscribers as f64, "connections");
    emit(
        name,
        &format!("connect_all_{bus}"),
        connect.as_secs_f64(),
        "s",
    );
    emit(
        name,
        &format!("mutation_p50_{bus}"),
        percentile(&mutations, 50.0),
        "ms",
    );
    emit_latencies(name, "delivery", &format!("_{bus}"), &mut latencies);
    emit(name, "rss_before_mib", before / 1024.0, "MiB");
    emit(name, "rss_connected_mib", connected / 1024.0, "MiB");
    emit(name, "rss_after_rounds_mib", busy / 1024.0, "MiB");
    emit(name, "rss_after_leaving_mib", left / 1024.0, "MiB");
    emit(
        name,
        "rss_second_wave_connected_mib",
        second / 1024.0,
        "MiB",
    );
    emit(
        name,
        "rss_per_idle_subscriber",
        (connected - before) / subscribers as f64,
        "KiB",
    );
    server.stop().await;
    Ok(())
}

const LOCATIONS: usize = 10;
const PCS: usize = 40;
const SESSIONS_PER_LOCATION: i64 = 100_000;
const DAYS: i64 = 365;
const CLIENTS: usize = 20_000;

async fn exec(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) -> BenchResult<u64> {
    let statement = Statement::from_sql_and_values(sea_orm::DatabaseBackend::Postgres, sql, values);
    Ok(app.state.db.execute_raw(statement).await?.rows_affected())
}

/// Ten locations with 40 PCs each, a year of two shifts a day, and 100,000 finished sessions
/// per location (about 274 a day), each paid once (cash, card, Kaspi or wallet) in the shift it
/// ended in; a tenth of them also bring a wallet top-up. Written with set-based SQL: this is
/// set-up, not the measured part.
async fn seed_year(app: &TestApp, first_day: NaiveDate) -> BenchResult<Vec<i64>> {
    super::seed_clients(app, CLIENTS).await?;
    let operator = app.create_user("bench-operator", Role::Operator).await;
    let start = Utc
        .from_local_datetime(&first_day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .ok_or("bad first day")?
        - chrono::Duration::hours(5);
    let mut ids = Vec::with_capacity(LOCATIONS);
    for l in 0..LOCATIONS {
        let (location_id, zone_id, _) = location(app, &format!("Клуб {l}"), PCS).await?;
        ids.push(location_id);
        // Shifts from 09:00 and 21:00 local, twelve hours each.
        exec(
            app,
            "INSERT INTO cash_shift (location_id, operator_id, opened_at, opening_cash, closed_at, \
             closed_by, counted_cash, counted_coins, counted_kaspi, counted_card, counted_debt) \
             SELECT $1, $2, $3::timestamptz + interval '1 hour' * (9 + 12 * g), 1000000, \
             $3::timestamptz + interval '1 hour' * (21 + 12 * g), $2, 1000000, 0, 0, 0, 0 \
             FROM generate_series(0, $4 * 2 - 1) g",
            vec![
                location_id.into(),
                operator.into(),
                start.into(),
                DAYS.into(),
            ],
        )
        .await?;
        exec(
            app,
            "INSERT INTO play_session (location_id, resource_id, client_id, guest_name, tariff_id, \
             kind, status, started_at, ends_at, ended_at, stop_reason, paid, cost, started_by, \
             ended_by) \
             SELECT $1, p.pcs[CAST(1 + g % $5 AS INT)], CASE WHEN g % 5 = 0 THEN NULL ELSE c.lo + (g * 7919) % c.n END, \
             CASE WHEN g % 5 = 0 THEN 'Гость' END, t.id, 'open', 'finished', \
             $3::timestamptz + interval '1 second' * (g * 86400 * $4 / $6), NULL, \
             $3::timestamptz + interval '1 second' * (g * 86400 * $4 / $6) \
               + interval '1 minute' * (30 + (g * 37) % 210), \
             'operator', 1000 * (30 + (g * 37) % 210), 1000 * (30 + (g * 37) % 210), $2, $2 \
             FROM generate_series(0, $6 - 1) g, \
             (SELECT array_agg(id ORDER BY id) AS pcs FROM resource WHERE location_id = $1) p, \
             (SELECT min(id) AS lo, count(*) AS n FROM client) c, \
             (SELECT id FROM tariff WHERE zone_id = $7) t",
            vec![
                location_id.into(),
                operator.into(),
                start.into(),
                DAYS.into(),
                (PCS as i64).into(),
                SESSIONS_PER_LOCATION.into(),
                zone_id.into(),
            ],
        )
        .await?;
    }
    exec(
        app,
        "INSERT INTO play_session_part (session_id, resource_id, zone_id, tariff_id, started_at, \
         ended_at) SELECT s.id, s.resource_id, r.zone_id, s.tariff_id, s.started_at, s.ended_at \
         FROM play_session s JOIN resource r ON r.id = s.resource_id",
        Vec::new(),
    )
    .await?;
    exec(
        app,
        "INSERT INTO payment (client_id, amount, method, purpose, shift_id, play_session_id, \
         created_by, created_at) \
         SELECT s.client_id, s.cost, \
         CASE WHEN s.client_id IS NULL THEN 'cash' \
              ELSE (ARRAY['cash', 'card', 'kaspi', 'wallet'])[CAST(1 + s.id % 4 AS INT)] END, \
         'Игровая сессия', sh.id, s.id, s.ended_by, s.ended_at \
         FROM play_session s \
         LEFT JOIN LATERAL (SELECT id FROM cash_shift WHERE location_id = s.location_id \
           AND opened_at <= s.ended_at ORDER BY opened_at DESC LIMIT 1) sh ON true",
        Vec::new(),
    )
    .await?;
    exec(
        app,
        "INSERT INTO wallet_entry (client_id, kind, method, amount, reason, shift_id, created_by, \
         created_at) \
         SELECT p.client_id, 'deposit', 'cash', 500000, NULL, p.shift_id, p.created_by, \
         p.created_at - interval '5 minutes' FROM payment p \
         WHERE p.client_id IS NOT NULL AND p.id % 10 = 0",
        Vec::new(),
    )
    .await?;
    app.state
        .db
        .execute_unprepared("ANALYZE cash_shift; ANALYZE play_session; ANALYZE play_session_part; ANALYZE payment; ANALYZE wallet_entry")
        .await?;
    Ok(ids)
}

async fn count(app: &TestApp, table: &str) -> BenchResult<i64> {
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"),
        ))
        .await?
        .ok_or("no count")?;
    Ok(row.try_get::<i64>("", "n")?)
}

/// Over a year of ten clubs (1,000,000 sessions and 1,000,000 payments), a manager asks, over
/// HTTP, for one club's report of one day (`--rounds` different days) and for a month of
/// income by day; each call's latency is taken.
pub(crate) async fn reports_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    let rounds = args.rounds(20);
    if app.db.backend != Backend::Postgres {
        return Err("reports-1m runs on PostgreSQL only".into());
    }
    let first_day = NaiveDate::from_ymd_opt(2025, 11, 1).ok_or("bad date")?;
    let seeding = Instant::now();
    let locations = seed_year(app, first_day).await?;
    let name = "reports-1m";
    emit(name, "seed_seconds", seeding.elapsed().as_secs_f64(), "s");
    emit(
        name,
        "sessions",
        count(app, "play_session").await? as f64,
        "rows",
    );
    emit(
        name,
        "payments",
        count(app, "payment").await? as f64,
        "rows",
    );
    emit(
        name,
        "wallet_entries",
        count(app, "wallet_entry").await? as f64,
        "rows",
    );

    let manager = app.as_role(Role::Manager).await;
    let report = |location: i64, from: NaiveDate, to: NaiveDate| {
        let manager = manager.clone();
        async move {
            let vars = ops::club_report::Variables {
                location_id: location.to_string(),
                from: from.to_string(),
                to: to.to_string(),
            };
            let t = Instant::now();
            let report = manager.run::<ops::ClubReport>(vars).await?.club_report;
            BenchResult::Ok((t.elapsed(), report))
        }
    };
    // One warm-up call, not counted.
    report(locations[0], first_day, first_day).await?;
    let mut daily = Vec::with_capacity(rounds);
    let mut monthly = Vec::with_capacity(rounds);
    let mut sessions_seen = 0;
    for round in 0..rounds {
        let location = locations[round % locations.len()];
        let day = first_day + chrono::Duration::days(((round as i64) * 97) % (DAYS - 31));
        let (took, r) = report(location, day, day).await?;
        sessions_seen += r.total.sessions;
        daily.push(took);
        let (took, r) = report(location, day, day + chrono::Duration::days(30)).await?;
        if r.days.len() != 31 {
            return Err(format!("a month came back with {} days", r.days.len()).into());
        }
        monthly.push(took);
    }
    emit(
        name,
        "daily_sessions_avg",
        sessions_seen as f64 / rounds as f64,
        "sessions",
    );
    emit_latencies(name, "daily_report", "", &mut daily);
    emit_latencies(name, "month_by_day", "", &mut monthly);
    Ok(())
}

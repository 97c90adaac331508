//! The desk keeps working when a dependency goes away rather than the process:
//! - Redis stopped under two replicas on PostgreSQL (a Redis of the test's own, on a free port,
//!   never the shared one): mutations answer at once, holds answer the documented UNAVAILABLE,
//!   free slots are still listed, `/readyz` says "degraded" with 200, and once Redis is back a
//!   subscriber on the other replica sees what changed meanwhile;
//! - the server's PostgreSQL connections terminated during a burst of reads and deposits: no
//!   INTERNAL, no UNAUTHENTICATED to a valid token, and every idempotency key applied once;
//! - a PC booking that became a no-show while the server was down is dated at its grace end.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use std::{
    process::Stdio,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use clubgrid_api::{
    auth::actor::Caller,
    clients::{fields::RawFields, service as clients},
    club::{bookings, ticker},
    demo,
};
use clubgrid_tests::{
    Backend, TestApp, both_backends,
    clubgrid_client::{Client, ClientError, ops},
    postgres_url,
};
use entity::{enums::BookingStatus, location, pc_booking, resource};
use futures_util::StreamExt;
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, QueryFilter};

both_backends!(a_no_show_caught_up_after_a_restart_is_dated_at_its_grace_end);

/// A `redis-server` of the test's own on a free port; stopped and started again at will.
struct OwnRedis {
    port: u16,
    child: Option<tokio::process::Child>,
}

impl OwnRedis {
    async fn start() -> OwnRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut redis = OwnRedis { port, child: None };
        redis.up().await;
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn up(&mut self) {
        let child = tokio::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--port", &self.port.to_string()])
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server on the PATH");
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server did not listen on {}", self.port);
    }

    async fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.unwrap();
        }
    }
}

async fn readyz(url: &str) -> (u16, serde_json::Value) {
    let res = reqwest::get(format!("{url}/readyz")).await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn location_named(app: &TestApp, name: &str) -> i64 {
    location::Entity::find()
        .filter(location::Column::Name.eq(name))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("demo location")
        .id
}

async fn set_status(
    client: &Client,
    pc: &str,
    status: ops::set_resource_status::ResourceStatus,
) -> Duration {
    let started = Instant::now();
    client
        .run::<ops::SetResourceStatus>(ops::set_resource_status::Variables {
            id: pc.to_owned(),
            status,
            note: None,
        })
        .await
        .unwrap();
    started.elapsed()
}

/// Redis stops under two replicas and comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_away_keeps_the_desk_working() {
    use ops::set_resource_status::ResourceStatus::{FREE, OUT_OF_ORDER};
    let mut redis = OwnRedis::start().await;
    let redis_url = redis.url();
    let app = TestApp::spawn_with(Backend::Postgres, |s| {
        s.redis_url = Some(redis_url);
        s.outbox_grace_ms = 300;
        s.outbox_sweep_ms = 200;
    })
    .await;
    demo::seed(&app.state).await.unwrap();
    let other = app.replica().await;
    let admin = app.login("admin", demo::DEMO_PASSWORD).await;
    let tech = app.login("tech", demo::DEMO_PASSWORD).await;
    let watcher = Client::new(&other.url).with_token(tech.token().unwrap());

    let club = location_named(&app, "CyberArena Абая").await;
    let pcs: Vec<String> = resource::Entity::find()
        .filter(resource::Column::LocationId.eq(club))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .take(3)
        .map(|r| r.id.to_string())
        .collect();
    let mut live = watcher
        .subscribe::<ops::ResourceStatusChanged>(ops::resource_status_changed::Variables {
            location_id: club.to_string(),
        })
        .await
        .unwrap();
    let first = next(&mut live).await;
    assert!(first.snapshot);

    // With Redis up: a baseline, and the change reaches the other replica.
    let mut up = Vec::new();
    for _ in 0..5 {
        up.push(set_status(&admin, &pcs[0], OUT_OF_ORDER).await);
        up.push(set_status(&admin, &pcs[0], FREE).await);
    }
    let studio = location_named(&app, "Студия «Баланс»").await;
    let slot = first_free_slot(&admin, &app, studio).await;
    let held = admin.run::<ops::HoldSlot>(hold_vars(studio, &slot)).await;
    assert!(held.is_ok(), "a hold with Redis up: {held:?}");

    redis.down().await;

    // Mutations answer at once: the relay publishes after the commit, off the request path.
    let mut away = Vec::new();
    for _ in 0..5 {
        away.push(set_status(&admin, &pcs[1], OUT_OF_ORDER).await);
        away.push(set_status(&admin, &pcs[1], FREE).await);
    }
    away.push(set_status(&admin, &pcs[2], OUT_OF_ORDER).await);
    println!(
        "setResourceStatus with Redis up: median {:?}, max {:?}; with Redis stopped: median {:?}, max {:?}",
        median(&mut up),
        up.iter().max().unwrap(),
        median(&mut away),
        away.iter().max().unwrap()
    );
    // A generous bound that still tells "answers at once" from "waits on Redis" (seconds).
    assert!(
        away.iter().all(|d| *d < Duration::from_secs(1)),
        "a mutation waited on the bus: {away:?}"
    );

    // Free slots are still listed; a hold answers the documented, retryable UNAVAILABLE.
    let still = first_free_slot(&admin, &app, studio).await;
    let err = admin
        .run::<ops::HoldSlot>(hold_vars(studio, &still))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UNAVAILABLE"), "{err:?}");
    let ClientError::Graphql(errors) = &err else {
        panic!("a GraphQL error: {err:?}")
    };
    assert!(errors[0].message.contains("Удержание времени"));
    assert_eq!(
        errors[0]
            .extensions
            .as_ref()
            .and_then(|e| e.get("retryAfterSeconds"))
            .and_then(|v| v.as_u64()),
        Some(5)
    );

    // Readiness: the replica still serves, so 200, and it says why it is degraded.
    let (status, body) = readyz(&app.url).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["redis"], "unreachable");
    let live_ok = reqwest::get(format!("{}/healthz", app.url)).await.unwrap();
    assert_eq!(live_ok.status(), 200);

    // Redis comes back: the other replica's subscriber sees the PC that went out of order
    // meanwhile (a fresh snapshot, or the event the outbox sweep sends again).
    redis.up().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(
            Instant::now() < deadline,
            "the change made while Redis was away never reached the other replica"
        );
        let update = next(&mut live).await;
        if update
            .resources
            .iter()
            .any(|r| r.id == pcs[2] && matches!(r.status, OUT_OF_ORDER_LIVE))
        {
            break;
        }
    }
    let (status, body) = readyz(&app.url).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
    // And holds work again.
    let again = first_free_slot(&admin, &app, studio).await;
    let mut tries = 0;
    loop {
        match admin.run::<ops::HoldSlot>(hold_vars(studio, &again)).await {
            Ok(_) => break,
            Err(err) if err.code() == Some("UNAVAILABLE") && tries < 20 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(err) => panic!("a hold after Redis came back: {err:?}"),
        }
    }
    other.stop();
    app.stop().await;
    redis.down().await;
}

const OUT_OF_ORDER_LIVE: ops::resource_status_changed::ResourceStatus =
    ops::resource_status_changed::ResourceStatus::OUT_OF_ORDER;

fn median(d: &mut [Duration]) -> Duration {
    d.sort();
    d[d.len() / 2]
}

async fn next(
    stream: &mut clubgrid_tests::clubgrid_client::Subscription<
        ops::resource_status_changed::ResponseData,
    >,
) -> ops::resource_status_changed::ResourceStatusChangedResourceStatusChanged {
    tokio::time::timeout(Duration::from_secs(20), stream.next())
        .await
        .expect("an update within 20 s")
        .expect("the stream is open")
        .expect("no error")
        .resource_status_changed
}

struct FreeSlot {
    service: String,
    specialist: String,
    starts_at: String,
}

/// The first free slot of the demo studio within the coming week.
async fn first_free_slot(admin: &Client, app: &TestApp, studio: i64) -> FreeSlot {
    let service = entity::service::Entity::find()
        .filter(entity::service::Column::LocationId.eq(studio))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("a demo service")
        .id;
    let from = (app.state.clock.now() + ChronoDuration::days(1)).date_naive();
    let slots = admin
        .run::<ops::AvailableSlots>(ops::available_slots::Variables {
            location_id: studio.to_string(),
            service_id: service.to_string(),
            specialist_id: None,
            from: from.to_string(),
            to: (from + ChronoDuration::days(6)).to_string(),
        })
        .await
        .unwrap()
        .available_slots;
    let slot = slots.first().expect("a free slot in the demo week");
    FreeSlot {
        service: service.to_string(),
        specialist: slot.specialist_id.clone(),
        starts_at: slot.starts_at.clone(),
    }
}

fn hold_vars(location: i64, slot: &FreeSlot) -> ops::hold_slot::Variables {
    ops::hold_slot::Variables {
        input: ops::hold_slot::HoldSlotInput {
            location_id: location.to_string(),
            service_id: slot.service.clone(),
            specialist_id: slot.specialist.clone(),
            starts_at: slot.starts_at.clone(),
        },
    }
}

/// The server's PostgreSQL connections are terminated again and again during a burst.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminated_database_connections_are_retried_not_misreported() {
    let tag = format!("cg_{}", uuid::Uuid::new_v4().simple());
    let url = postgres_url();
    let joiner = if url.contains('?') { '&' } else { '?' };
    let tagged = format!("{url}{joiner}application_name={tag}");
    let app = TestApp::spawn_with(Backend::Postgres, |s| {
        s.database_url = tagged;
        s.database_max_connections = 4;
    })
    .await;
    app.create_user("cutover", entity::enums::Role::Admin).await;
    let admin = app.login("cutover", clubgrid_tests::PASSWORD).await;
    let system = Caller::system();
    let mut wallets = Vec::new();
    for i in 0..4 {
        let fields = RawFields {
            first_name: Some(format!("Клиент {i}")),
            phone: Some(format!("+7701555000{i}")),
            ..RawFields::default()
        }
        .check("input.")
        .unwrap();
        wallets.push(
            clients::create(&app.state, &system, fields)
                .await
                .unwrap()
                .id,
        );
    }

    // Terminates every connection of the server, every 40 ms, until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let cuts = Arc::new(AtomicUsize::new(0));
    let cutter = {
        let (stop, cuts, tag) = (stop.clone(), cuts.clone(), tag.clone());
        tokio::spawn(async move {
            let pg = Database::connect(postgres_url()).await.unwrap();
            while !stop.load(Ordering::Relaxed) {
                let sql = format!(
                    "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
                     WHERE application_name = '{tag}' AND pid <> pg_backend_pid()"
                );
                if let Ok(Some(row)) = pg
                    .query_one_raw(sea_orm::Statement::from_string(
                        pg.get_database_backend(),
                        sql,
                    ))
                    .await
                {
                    let n: i64 = row.try_get("", "n").unwrap_or(0);
                    cuts.fetch_add(n as usize, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
        })
    };

    // 40 deposits, each with its key, retried by the caller on UNAVAILABLE as the code says;
    // reads in between. Nothing may answer INTERNAL or UNAUTHENTICATED.
    let keys: Vec<(i64, String)> = (0..40)
        .map(|i| (wallets[i % wallets.len()], uuid::Uuid::new_v4().to_string()))
        .collect();
    let unavailable = Arc::new(AtomicUsize::new(0));
    let outcomes = futures_util::stream::iter(keys.iter().cloned().enumerate())
        .map(|(i, (client_id, key))| {
            let admin = admin.clone();
            let unavailable = unavailable.clone();
            async move {
                for _ in 0..30 {
                    let read = admin
                        .run::<ops::Wallet>(ops::wallet::Variables {
                            client_id: client_id.to_string(),
                        })
                        .await;
                    check_refusal(read.err(), &unavailable)?;
                    let deposit = admin
                        .run::<ops::DepositToWallet>(ops::deposit_to_wallet::Variables {
                            input: ops::deposit_to_wallet::DepositInput {
                                amount: format!("{}.00", 100 + i),
                                client_id: client_id.to_string(),
                                idempotency_key: key.clone(),
                                method: ops::deposit_to_wallet::PaymentMethod::CASH,
                            },
                        })
                        .await;
                    match deposit {
                        Ok(_) => return Ok(()),
                        Err(err) => check_refusal(Some(err), &unavailable)?,
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(format!("deposit {i} never went through"))
            }
        })
        .buffer_unordered(6)
        .collect::<Vec<Result<(), String>>>()
        .await;
    stop.store(true, Ordering::Relaxed);
    cutter.await.unwrap();
    let failures: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert!(failures.is_empty(), "{failures:?}");
    assert!(
        cuts.load(Ordering::Relaxed) > 0,
        "the burst ran without a single connection cut"
    );
    println!(
        "connections terminated: {}, UNAVAILABLE answers (retried by the caller): {}",
        cuts.load(Ordering::Relaxed),
        unavailable.load(Ordering::Relaxed)
    );

    // Every key applied exactly once: one deposit entry per key, each wallet's balance the
    // sum of its own deposits.
    for (n, client_id) in wallets.iter().enumerate() {
        let expected: i64 = keys
            .iter()
            .enumerate()
            .filter(|(_, (c, _))| c == client_id)
            .map(|(i, _)| (100 + i as i64) * 100)
            .sum();
        let entries = entity::wallet_entry::Entity::find()
            .filter(entity::wallet_entry::Column::ClientId.eq(*client_id))
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(entries.len(), keys.len() / wallets.len(), "wallet {n}");
        assert_eq!(entries.iter().map(|e| e.amount).sum::<i64>(), expected);
    }
    app.stop().await;
}

/// UNAVAILABLE is the one refusal a cut connection may cause; anything else fails the test.
fn check_refusal(err: Option<ClientError>, unavailable: &AtomicUsize) -> Result<(), String> {
    match err {
        None => Ok(()),
        Some(err) if err.code() == Some("UNAVAILABLE") => {
            unavailable.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Some(err) => Err(format!("{err}")),
    }
}

/// The server was down when a booking's grace ran out; the first tick after the restart
/// marks it a no-show as of the grace end, not the restart.
async fn a_no_show_caught_up_after_a_restart_is_dated_at_its_grace_end(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    demo::seed(&app.state).await.unwrap();
    let club = location_named(&app, "CyberArena Абая").await;
    let system = Caller::system();
    let evening = Utc.with_ymd_and_hms(2026, 12, 1, 14, 0, 0).unwrap();
    app.state
        .clock
        .pin(Some(evening - ChronoDuration::hours(2)));
    let fields = RawFields {
        first_name: Some("Гость".into()),
        phone: Some("+77015550199".into()),
        ..RawFields::default()
    }
    .check("input.")
    .unwrap();
    let client = clients::create(&app.state, &system, fields).await.unwrap();
    let booking = bookings::create(
        &app.state,
        &system,
        bookings::BookingSpec {
            zone_id: entity::zone::Entity::find()
                .filter(entity::zone::Column::LocationId.eq(club))
                .one(&app.state.db)
                .await
                .unwrap()
                .expect("a demo zone")
                .id,
            client_id: client.id,
            starts_at: evening,
            minutes: 120,
            pc_count: 1,
            resource_ids: vec![],
            note: None,
        },
    )
    .await
    .unwrap();

    // The server stops before the booking starts and comes back three hours later.
    let app = app.restart().await;
    app.state
        .clock
        .pin(Some(evening + ChronoDuration::hours(3)));
    let report = ticker::tick(&app.state).await.unwrap();
    // The demo's own bookings for tonight may lapse in the same tick; ours is among them.
    assert!(report.no_shows >= 1, "{report:?}");
    let row = pc_booking::Entity::find_by_id(booking.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, BookingStatus::NoShow);
    let grace = ChronoDuration::minutes(app.state.settings.booking_grace_minutes);
    assert_eq!(row.closed_at, Some(evening + grace));
    app.stop().await;
}

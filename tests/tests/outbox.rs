//! The transactional outbox end to end, on both backends: a real `clubgrid serve` that aborts
//! right after a commit that raised events (the fault `CLUBGRID_FAULT_ABORT_AFTER_COMMIT`),
//! hit by a burst of writes. After a restart every event that committed reaches a subscriber
//! exactly once per event id, and no event of a write that did not commit reaches anyone. On
//! PostgreSQL + Redis a second replica sweeps and watches too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::{BTreeMap, BTreeSet},
    os::unix::process::ExitStatusExt,
    time::Duration,
};

use chrono::{DateTime, Utc};
use clubgrid_api::{
    AppState,
    auth::{actor::Caller, users},
    db,
    events::Topic,
    state::wall_clock,
    venue::{
        locations, resources,
        resources::ResourceEvent,
        types::{CreateLocationInput, CreateResourceInput},
    },
};
use clubgrid_tests::{
    Backend, PASSWORD, ServerProcess, TestDb, both_backends,
    clubgrid_client::{Client, ops},
};
use entity::{
    enums::{ResourceKind, ResourceStatus, Role},
    outbox_event, resource,
};
use futures_util::{StreamExt, stream::BoxStream};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::Expr};

both_backends!(a_crash_between_commit_and_publish_loses_no_event);

/// PCs the burst of writes sets out of order at once.
const PCS: usize = 12;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

async fn login(client: &Client) -> Client {
    let token = client
        .run::<ops::Login>(ops::login::Variables {
            username: "tech".into(),
            password: PASSWORD.into(),
        })
        .await
        .expect("login")
        .login
        .access_token;
    client.with_token(token)
}

/// A location with [`PCS`] PCs and a technician, made through the library. Its relay is the
/// test's own: it publishes the set-up's events at once and, with a grace of a day, never
/// sweeps what the servers leave.
async fn seed(settings: &clubgrid_api::Settings) -> (i64, Vec<i64>) {
    let mut quiet = settings.clone();
    quiet.outbox_grace_ms = 86_400_000;
    let state = AppState::init(quiet).await.unwrap();
    let system = Caller::system();
    let location = locations::create(
        &state,
        &system,
        CreateLocationInput {
            name: "Клуб".into(),
            address: "Абая 1".into(),
            timezone: Some("Asia/Almaty".into()),
        },
    )
    .await
    .unwrap()
    .id;
    let mut pcs = Vec::new();
    for n in 1..=PCS {
        let pc = resources::create(
            &state,
            &system,
            CreateResourceInput {
                location_id: location.into(),
                zone_id: None,
                kind: ResourceKind::Pc,
                name: format!("PC-{n:02}"),
                capacity: None,
                notes: None,
                sort_order: None,
            },
        )
        .await
        .unwrap();
        pcs.push(pc.id);
    }
    users::create(
        &state,
        &system,
        users::NewUser {
            username: "tech".into(),
            display_name: None,
            password: PASSWORD.into(),
            role: Role::Tech,
        },
    )
    .await
    .unwrap();
    (location, pcs)
}

/// The unsent outbox rows of the live map: event id → the PC it reports.
async fn unsent(conn: &DatabaseConnection, location: i64) -> BTreeMap<i64, i64> {
    outbox_event::Entity::find()
        .filter(outbox_event::Column::SentAt.is_null())
        .filter(
            outbox_event::Column::Topic.eq(Topic::ResourceStatus {
                location_id: location,
            }
            .key()),
        )
        .all(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|row| match serde_json::from_value(row.payload).unwrap() {
            ResourceEvent::Changed(pc) => (row.id, pc.id),
            other => panic!("unexpected event {other:?}"),
        })
        .collect()
}

/// PCs the database has out of order.
async fn out_of_order(conn: &DatabaseConnection, location: i64) -> BTreeSet<i64> {
    resource::Entity::find()
        .filter(resource::Column::LocationId.eq(location))
        .filter(resource::Column::Status.eq(ResourceStatus::OutOfOrder))
        .all(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|pc| pc.id)
        .collect()
}

type Live = BoxStream<
    'static,
    Result<ops::resource_events::ResponseData, clubgrid_tests::clubgrid_client::ClientError>,
>;

/// Subscribes to the live map through `server` and checks its snapshot: exactly the PCs in
/// `broken` are out of order.
async fn watch(server: &ServerProcess, location: i64, broken: &BTreeSet<i64>) -> Live {
    let tech = login(&server.client()).await;
    let mut live = tech
        .subscribe::<ops::ResourceEvents>(ops::resource_events::Variables {
            location_id: location.to_string(),
        })
        .await
        .expect("subscribe");
    let first = tokio::time::timeout(Duration::from_secs(20), live.next())
        .await
        .expect("the snapshot in time")
        .expect("open")
        .expect("no error")
        .resource_status_changed;
    assert!(first.snapshot && first.event_id.is_none());
    let shown: BTreeSet<i64> = first
        .resources
        .iter()
        .filter(|pc| pc.status == ops::resource_events::ResourceStatus::OUT_OF_ORDER)
        .map(|pc| pc.id.parse().unwrap())
        .collect();
    assert_eq!(&shown, broken, "the snapshot shows what committed");
    live
}

/// The events `live` delivers (event id → PC) until `want` have come, and then for one more
/// quiet second, which is twenty sweeps: time for any repeat to show.
async fn deliveries(live: &mut Live, want: usize) -> Vec<(i64, i64)> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let wait = if got.len() < want {
            deadline.saturating_duration_since(tokio::time::Instant::now())
        } else {
            Duration::from_secs(1)
        };
        let Ok(next) = tokio::time::timeout(wait, live.next()).await else {
            break;
        };
        let message = next
            .expect("open")
            .expect("no error")
            .resource_status_changed;
        // A snapshot may come again after a resync; only events count.
        if let Some(id) = message.event_id {
            assert_eq!(message.resources.len(), 1);
            got.push((
                id.parse().unwrap(),
                message.resources[0].id.parse().unwrap(),
            ));
        }
    }
    got
}

async fn a_crash_between_commit_and_publish_loses_no_event(backend: Backend) {
    let (db, settings) = TestDb::create(backend).await;
    let (location, pcs) = seed(&settings).await;
    let (conn, _) = db::connect(&settings).await.unwrap();
    // Whatever the set-up raised is old news.
    outbox_event::Entity::update_many()
        .col_expr(outbox_event::Column::SentAt, Expr::value(wall_clock()))
        .filter(outbox_event::Column::SentAt.is_null())
        .exec(&conn)
        .await
        .unwrap();

    // 1. A server that aborts right after the first commit that raised events, before it
    //    publishes them, takes a burst of writes: one per PC, all at once.
    let mut doomed =
        ServerProcess::start_env(&settings, &[("CLUBGRID_FAULT_ABORT_AFTER_COMMIT", "true")]).await;
    let tech = login(&doomed.client()).await;
    let burst = futures_util::future::join_all(pcs.iter().map(|pc| {
        tech.run::<ops::SetResourceStatus>(ops::set_resource_status::Variables {
            id: pc.to_string(),
            status: ops::set_resource_status::ResourceStatus::OUT_OF_ORDER,
            note: None,
        })
    }))
    .await;
    let status = doomed
        .exited(Duration::from_secs(30))
        .await
        .expect("the server aborts");
    assert_eq!(status.signal(), Some(6), "killed by SIGABRT: {status:?}");
    assert!(
        burst.iter().all(Result::is_err),
        "no write is answered: the process died between commit and publish"
    );

    // What committed: the PCs the database has out of order, each with exactly one event
    // left unsent; the writes cut off changed nothing and left no event.
    let broken = out_of_order(&conn, location).await;
    let committed = unsent(&conn, location).await;
    assert!(
        !broken.is_empty(),
        "the first write committed before the abort"
    );
    assert!(
        broken.len() < PCS,
        "writes still in flight at the abort did not commit ({} of {PCS} did)",
        broken.len()
    );
    assert_eq!(
        committed.values().copied().collect::<BTreeSet<_>>(),
        broken,
        "one unsent event per committed change"
    );
    assert_eq!(committed.len(), broken.len());

    // 2. The server comes back; on PostgreSQL + Redis a second replica runs beside it. Both
    //    sweep every 50 ms but leave rows younger than the grace (ten minutes) alone, so the
    //    watchers are attached before anything is due.
    let quick = [
        ("CLUBGRID_OUTBOX_SWEEP_MS", "50"),
        ("CLUBGRID_OUTBOX_GRACE_MS", "600000"),
    ];
    let mut servers = vec![ServerProcess::start_env(&settings, &quick).await];
    if backend == Backend::Postgres {
        servers.push(ServerProcess::start_env(&settings, &quick).await);
    }
    let mut watchers = Vec::new();
    for server in &servers {
        watchers.push(watch(server, location, &broken).await);
    }

    // 3. The grace passes: the unsent rows are made older than it (instead of waiting ten
    //    minutes), and the next sweep of either replica takes each of them once.
    outbox_event::Entity::update_many()
        .col_expr(
            outbox_event::Column::CreatedAt,
            Expr::value(utc("2000-01-01T00:00:00Z")),
        )
        .filter(outbox_event::Column::SentAt.is_null())
        .exec(&conn)
        .await
        .unwrap();
    let expected: Vec<(i64, i64)> = committed.into_iter().collect();
    for live in &mut watchers {
        let mut got = deliveries(live, expected.len()).await;
        got.sort_unstable();
        assert_eq!(
            got, expected,
            "every committed event once per id, and nothing else"
        );
    }
    assert!(
        unsent(&conn, location).await.is_empty(),
        "the sweep stamped what it published"
    );

    drop(watchers);
    for server in servers {
        server.stop().await;
    }
    db.remove().await;
}

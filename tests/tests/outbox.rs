//! The transactional outbox end to end, on both backends.
//!
//! - A real `clubgrid serve` that aborts right after a commit that raised events (the fault
//!   `CLUBGRID_FAULT_ABORT_AFTER_COMMIT`), hit by a burst of writes: after a restart every
//!   event that committed reaches a subscriber exactly once per event id, and no event of a
//!   write that did not commit reaches anyone. On PostgreSQL + Redis a second replica sweeps
//!   and watches too.
//! - The domain events that notifications and the bot will listen to are written in the unit
//!   of work of their change, with their kind, location, time and payload, and reach a bus
//!   subscriber.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::{BTreeMap, BTreeSet},
    os::unix::process::ExitStatusExt,
    time::Duration,
};

use chrono::{DateTime, NaiveTime, Utc};
use clubgrid_api::{
    AppState,
    academy::{memberships, students, timetable},
    auth::{actor::Caller, users},
    billing::ledger,
    booking::{
        appointments::{self, Booker, ConfirmSpec},
        catalog::{self, ServiceSpec, SpecialistSpec},
        hold::{self, HoldSpec},
        lifecycle, schedules,
    },
    clients::{fields::RawFields, service as clients},
    db,
    events::{
        Delivery, Topic,
        domain::{AppointmentEvent, AppointmentFacts},
    },
    state::wall_clock,
    venue::{
        locations, resources,
        resources::ResourceEvent,
        types::{CreateLocationInput, CreateResourceInput, OpeningHoursInput},
    },
};
use clubgrid_tests::{
    Backend, PASSWORD, ServerProcess, TestApp, TestDb, both_backends,
    clubgrid_client::{Client, ops},
};
use entity::{
    enums::{
        AppointmentPayment, AppointmentStatus, BeltTrack, ClassLevel, PaymentKind, PaymentMethod,
        ResourceKind, ResourceStatus, Role,
    },
    outbox_event, resource,
};
use futures_util::{StreamExt, stream::BoxStream};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};

both_backends!(
    a_crash_between_commit_and_publish_loses_no_event,
    domain_events_are_written_with_their_change,
);

/// PCs the burst of writes sets out of order at once.
const PCS: usize = 12;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
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
    // A COMMIT the dead process had already sent may still be finishing on the server: read
    // until what the database shows has settled.
    let mut broken = out_of_order(&conn, location).await;
    let mut committed = unsent(&conn, location).await;
    for _ in 0..50 {
        if committed.values().copied().collect::<BTreeSet<_>>() == broken {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        broken = out_of_order(&conn, location).await;
        committed = unsent(&conn, location).await;
    }
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

/// Outbox rows of `kind`, oldest first.
async fn rows(app: &TestApp, kind: &str) -> Vec<outbox_event::Model> {
    outbox_event::Entity::find()
        .filter(outbox_event::Column::Kind.eq(kind))
        .order_by_asc(outbox_event::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
}

async fn client(app: &TestApp, name: &str) -> i64 {
    let fields = RawFields {
        first_name: Some(name.into()),
        ..RawFields::default()
    }
    .check("input.")
    .unwrap();
    clients::create(&app.state, &Caller::system(), fields)
        .await
        .unwrap()
        .id
}

/// A location open 09:00–18:00 local every day with a 60-minute service and its specialist.
async fn studio(app: &TestApp) -> (i64, i64, i64) {
    let (state, system) = (&app.state, &Caller::system());
    let location = locations::create(
        state,
        system,
        CreateLocationInput {
            name: "Студия".into(),
            address: "Проспект 1".into(),
            timezone: Some("Asia/Almaty".into()),
        },
    )
    .await
    .unwrap()
    .id;
    let hours: Vec<OpeningHoursInput> = (1..=7)
        .map(|weekday| OpeningHoursInput {
            weekday,
            opens_at: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            closes_at: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
        })
        .collect();
    locations::set_opening_hours(state, system, location, hours.clone())
        .await
        .unwrap();
    let svc = catalog::save_service(
        state,
        system,
        None,
        location,
        ServiceSpec {
            name: "Массаж".into(),
            category: None,
            description: None,
            duration_minutes: 60,
            price: 1_000_000,
            buffer_before: 0,
            buffer_after: 0,
            active: true,
        },
    )
    .await
    .unwrap()
    .id;
    let specialist = catalog::save_specialist(
        state,
        system,
        None,
        SpecialistSpec {
            first_name: "Анна".into(),
            last_name: "Мастер".into(),
            title: None,
            bio: None,
            user_id: None,
            active: true,
        },
    )
    .await
    .unwrap()
    .id;
    catalog::set_specialist_services(state, system, specialist, vec![svc])
        .await
        .unwrap();
    schedules::set_hours(state, system, specialist, location, hours)
        .await
        .unwrap();
    (location, svc, specialist)
}

async fn domain_events_are_written_with_their_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let now = utc("2026-11-20T03:00:00Z");
    app.state.clock.pin(Some(now));
    let system = Caller::system();
    let (location, svc, specialist) = studio(&app).await;
    let maria = client(&app, "Мария").await;
    let mut appointments_feed = Box::pin(
        app.state
            .bus
            .subscribe::<AppointmentEvent>(&Topic::Appointments),
    );

    // An appointment booked, moved and cancelled by the desk.
    let held = hold::hold_slot(
        &app.state,
        &system,
        HoldSpec {
            location_id: location,
            service_id: svc,
            specialist_id: specialist,
            starts_at: utc("2026-11-23T05:00:00Z"),
        },
    )
    .await
    .unwrap();
    let spec = ConfirmSpec {
        client: Booker::Client(maria),
        payment: AppointmentPayment::AtVenue,
        client_package_id: None,
        discount_percent: 0,
        note: None,
        consent: false,
    };
    let booked = appointments::confirm(&app.state, &system, &held.token, spec, None)
        .await
        .unwrap();
    let moved = lifecycle::reschedule(
        &app.state,
        &system,
        clubgrid_api::auth::actor::Reach::Staff,
        booked.id,
        utc("2026-11-23T07:00:00Z"),
        None,
    )
    .await
    .unwrap();
    lifecycle::cancel(
        &app.state,
        &system,
        clubgrid_api::auth::actor::Reach::Staff,
        booked.id,
        Some("Заболела".into()),
    )
    .await
    .unwrap();

    let facts = |starts_at: &str, status| AppointmentFacts {
        appointment_id: booked.id,
        location_id: location,
        client_id: maria,
        service_id: svc,
        specialist_id: specialist,
        resource_id: None,
        starts_at: utc(starts_at),
        ends_at: utc(starts_at) + chrono::Duration::minutes(60),
        status,
    };
    let expected = [
        AppointmentEvent::Booked {
            appointment: facts("2026-11-23T05:00:00Z", AppointmentStatus::Booked),
            payment: AppointmentPayment::AtVenue,
            total: 1_000_000,
        },
        AppointmentEvent::Changed {
            appointment: facts("2026-11-23T07:00:00Z", AppointmentStatus::Booked),
            moved_from: Some(booked.starts_at),
            previous_specialist_id: Some(specialist),
        },
        AppointmentEvent::Cancelled {
            appointment: facts("2026-11-23T07:00:00Z", AppointmentStatus::Cancelled),
            reason: Some("Заболела".into()),
            refunded: 0,
            by_client: false,
        },
    ];
    assert_eq!(moved.starts_at, utc("2026-11-23T07:00:00Z"));
    // On the bus, in order, each with the id of its outbox row.
    let mut ids = Vec::new();
    for want in &expected {
        let next = tokio::time::timeout(Duration::from_secs(10), appointments_feed.next())
            .await
            .expect("the event reaches the bus")
            .expect("open");
        match next {
            Delivery::Event { id, event } => {
                assert_eq!(&event, want);
                ids.push(id);
            }
            Delivery::Resync => panic!("no resync expected"),
        }
    }
    // In the outbox: the kind, the location, the business time and the payload.
    for (kind, want, id) in [
        ("appointment.booked", &expected[0], ids[0]),
        ("appointment.changed", &expected[1], ids[1]),
        ("appointment.cancelled", &expected[2], ids[2]),
    ] {
        let rows = rows(&app, kind).await;
        assert_eq!(rows.len(), 1, "{kind}");
        let row = &rows[0];
        assert_eq!(row.id, id);
        assert_eq!(row.topic, "appointments");
        assert_eq!(row.location_id, Some(location));
        assert_eq!(row.occurred_at, now);
        assert_eq!(row.payload["kind"], kind);
        assert_eq!(row.payload, serde_json::to_value(want).unwrap());
    }

    // A membership sold by card: the sale and its payment, both placed at the student's
    // location.
    let student = students::create(
        &app.state,
        &system,
        students::NewStudent {
            client_id: maria,
            location_id: location,
            user_id: None,
            track: BeltTrack::Adults,
            belt_id: None,
            stripes: 0,
            joined_at: None,
            notes: None,
        },
    )
    .await
    .unwrap();
    let plan = memberships::save_plan(
        &app.state,
        &system,
        None,
        memberships::PlanSpec {
            name: "8 занятий".into(),
            visits: Some(8),
            validity_days: 30,
            price: 2_000_000,
            active: true,
            recurring: false,
        },
    )
    .await
    .unwrap();
    let sold = memberships::sell(
        &app.state,
        &system,
        memberships::Sale {
            student_id: student.id,
            plan_id: plan.id,
            starts_on: None,
            price: None,
            method: Some(PaymentMethod::Card),
        },
        &key(),
    )
    .await
    .unwrap();
    let sale = rows(&app, "membership.sold").await;
    assert_eq!(sale.len(), 1);
    assert_eq!(sale[0].topic, "memberships");
    assert_eq!(sale[0].location_id, Some(location));
    let payload = &sale[0].payload;
    assert_eq!(payload["membership_id"], sold.id);
    assert_eq!(payload["client_id"], maria);
    assert_eq!(payload["plan_name"], "8 занятий");
    assert_eq!(payload["visits"], 8);
    assert_eq!(payload["starts_on"], "2026-11-20");
    assert_eq!(payload["payment_id"], sold.payment_id.unwrap());
    let paid = rows(&app, "payment.taken").await;
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].topic, "payments");
    assert_eq!(paid[0].location_id, Some(location));
    assert_eq!(paid[0].payload["payment_id"], sold.payment_id.unwrap());
    assert_eq!(paid[0].payload["amount"], 2_000_000);
    assert_eq!(paid[0].payload["method"], "card");

    // A payment at the desk, away from any location or shift: taken all the same, placed
    // nowhere.
    let receipt = ledger::apply(
        &app.state,
        &system,
        ledger::Operation::Pay {
            client_id: None,
            amount: 150_000,
            method: PaymentMethod::Kaspi,
            purpose: "Кофе".into(),
            kind: PaymentKind::Other,
        },
        &key(),
    )
    .await
    .unwrap();
    let paid = rows(&app, "payment.taken").await;
    assert_eq!(paid.len(), 2);
    assert_eq!(paid[1].location_id, None);
    assert_eq!(paid[1].payload["payment_id"], receipt.payment_id.unwrap());
    assert_eq!(paid[1].payload["method"], "kaspi");
    assert_eq!(paid[1].payload["client_id"], serde_json::Value::Null);

    // A class session scheduled and cancelled.
    let session = timetable::create_one_off(
        &app.state,
        &system,
        timetable::OneOffSpec {
            location_id: location,
            name: "Открытый ковёр".into(),
            starts_at: utc("2026-11-21T12:00:00Z"),
            duration_minutes: 90,
            trainer_id: None,
            room_id: None,
            capacity: 10,
            level: ClassLevel::All,
            min_belt_id: None,
        },
    )
    .await
    .unwrap();
    timetable::cancel(&app.state, &system, session.id, Some("Зал закрыт".into()))
        .await
        .unwrap();
    let scheduled = rows(&app, "class_session.scheduled").await;
    let cancelled = rows(&app, "class_session.cancelled").await;
    assert_eq!((scheduled.len(), cancelled.len()), (1, 1));
    assert_eq!(scheduled[0].topic, "class-sessions");
    assert_eq!(scheduled[0].location_id, Some(location));
    assert_eq!(scheduled[0].payload["session"]["session_id"], session.id);
    assert_eq!(scheduled[0].payload["session"]["status"], "scheduled");
    assert_eq!(cancelled[0].payload["session"]["status"], "cancelled");
    assert_eq!(cancelled[0].payload["reason"], "Зал закрыт");

    // A lead from the website, through the public API.
    app.client()
        .run::<ops::SubmitLead>(ops::submit_lead::Variables {
            input: ops::submit_lead::LeadInput {
                name: "Ерлан".into(),
                phone: "+7 701 000 03 99".into(),
                comment: Some("Перезвоните".into()),
                source: Some("instagram".into()),
                channel: None,
            },
        })
        .await
        .unwrap();
    let leads = rows(&app, "lead.received").await;
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0].topic, "leads");
    assert_eq!(leads[0].location_id, None);
    assert_eq!(leads[0].payload["phone"], "+77010000399");
    assert_eq!(leads[0].payload["channel"], "website");
    assert_eq!(leads[0].payload["comment"], "Перезвоните");
    assert!(leads[0].payload["client_id"].as_i64().is_some());
    app.stop().await;
}

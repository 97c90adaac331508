//! The lived-in demo: every venue shows its day through the API, a second seed adds nothing,
//! and the same seed plays the same month.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use clubgrid_api::demo;
use clubgrid_tests::{Backend, TestApp, both_backends, clubgrid_client::ops};
use entity::location;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

both_backends!(
    every_demo_venue_shows_its_day,
    a_second_demo_seed_adds_nothing,
    a_venue_cut_off_half_way_is_built_again,
);

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn location_named(app: &TestApp, name: &str) -> location::Model {
    location::Entity::find()
        .filter(location::Column::Name.eq(name))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no demo venue {name}"))
}

async fn every_demo_venue_shows_its_day(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // A Tuesday afternoon in Almaty.
    let now = utc("2026-12-01T09:30:00Z");
    app.state.clock.pin(Some(now));
    demo::seed(&app.state).await.unwrap();
    assert_eq!(app.state.clock.now(), now, "the seed puts the clock back");
    let admin = app.login("admin", demo::DEMO_PASSWORD).await;

    // The club: PCs in play now, an open shift, tonight's bookings, a promotion for today.
    let club = location_named(&app, "CyberArena Абая").await;
    let map = admin
        .run::<ops::PcMap>(ops::pc_map::Variables {
            location_id: club.id.to_string(),
        })
        .await
        .unwrap()
        .pc_map;
    let playing = map
        .zones
        .iter()
        .flat_map(|z| &z.pcs)
        .filter(|pc| pc.session.is_some())
        .count();
    assert!(playing >= 5, "{playing} PCs in play");
    let shift = admin
        .run::<ops::CurrentShift>(ops::current_shift::Variables {
            location_id: club.id.to_string(),
        })
        .await
        .unwrap()
        .current_shift;
    assert!(shift.is_some(), "an open shift");
    let month = entity::play_session::Entity::find()
        .filter(entity::play_session::Column::LocationId.eq(club.id))
        .count(&app.state.db)
        .await
        .unwrap();
    assert!(month >= 200, "{month} sessions in the month");
    let mut balances = Vec::new();
    for c in entity::client::Entity::find()
        .filter(entity::client::Column::CreditLimit.gt(0))
        .all(&app.state.db)
        .await
        .unwrap()
    {
        balances.push(
            clubgrid_api::billing::ledger::balance(&app.state.db, c.id)
                .await
                .unwrap(),
        );
    }
    assert!(
        balances.iter().any(|b| *b < 0),
        "someone owes: {balances:?}"
    );
    let bookings = entity::pc_booking::Entity::find()
        .filter(entity::pc_booking::Column::LocationId.eq(club.id))
        .count(&app.state.db)
        .await
        .unwrap();
    assert!(bookings >= 3);
    let promotions = admin
        .run::<ops::Promotions>(ops::promotions::Variables {
            location_id: club.id.to_string(),
        })
        .await
        .unwrap()
        .promotions;
    assert_eq!(promotions.len(), 2);

    // The trainer's funnel: cards in every stage.
    let board = admin
        .run::<ops::PipelineBoard>(ops::pipeline_board::Variables {
            per_stage: Some(10),
        })
        .await
        .unwrap()
        .pipeline_board;
    assert_eq!(board.len(), 7);
    for column in &board {
        assert!(
            !column.clients.is_empty(),
            "stage {} is empty",
            column.stage.name
        );
    }
    let journal = entity::coaching_journal_entry::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert!(journal >= 18, "{journal} journal entries");

    // The academy: today's classes, with attendance marked or places booked.
    let academy = location_named(&app, "Академия BJJ «Барыс»").await;
    let today = admin
        .run::<ops::ClassSessions>(ops::class_sessions::Variables {
            location_id: academy.id.to_string(),
            from: (now - Duration::hours(12)).to_rfc3339(),
            to: (now + Duration::hours(12)).to_rfc3339(),
            include_cancelled: None,
        })
        .await
        .unwrap()
        .class_sessions;
    assert!(!today.is_empty(), "classes today");
    let mut marked = 0;
    for class in &today {
        let list = admin
            .run::<ops::ClassSessionAttendance>(ops::class_session_attendance::Variables {
                id: class.id.clone(),
            })
            .await
            .unwrap()
            .class_session
            .attendance;
        marked += list.len();
    }
    assert!(marked > 0, "attendance today");
    let absent = entity::academy_attendance::Entity::find()
        .filter(
            entity::academy_attendance::Column::Status.eq(entity::enums::AttendanceStatus::Absent),
        )
        .count(&app.state.db)
        .await
        .unwrap();
    assert!(absent > 0, "some classes missed");
    let frozen = entity::academy_freeze::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(frozen, 1);
    let exams = entity::academy_exam::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(exams, 1);

    // The studio: yesterday done and missed, free slots tomorrow.
    let studio = location_named(&app, "Студия «Баланс»").await;
    let service = entity::service::Entity::find()
        .filter(entity::service::Column::LocationId.eq(studio.id))
        .order_by_asc(entity::service::Column::Id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let tomorrow = (now + Duration::days(1)).date_naive().to_string();
    let slots = app
        .client()
        .run::<ops::AvailableSlots>(ops::available_slots::Variables {
            location_id: studio.id.to_string(),
            service_id: service.id.to_string(),
            specialist_id: None,
            from: tomorrow.clone(),
            to: tomorrow,
        })
        .await
        .unwrap()
        .available_slots;
    assert!(!slots.is_empty(), "free slots tomorrow");
    let statuses: Vec<entity::enums::AppointmentStatus> = entity::appointment::Entity::find()
        .filter(entity::appointment::Column::LocationId.eq(studio.id))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.status)
        .collect();
    use entity::enums::AppointmentStatus as S;
    for wanted in [S::Completed, S::NoShow, S::Booked] {
        assert!(statuses.contains(&wanted), "{wanted:?} in {statuses:?}");
    }

    // The arena: this week's parties, booked by families with two phones and a source.
    let arena = location_named(&app, "Лазертаг «Рубеж»").await;
    let parties = admin
        .run::<ops::PartyOrders>(ops::party_orders::Variables {
            location_id: arena.id.to_string(),
            from: (now - Duration::days(3)).to_rfc3339(),
            to: (now + Duration::days(7)).to_rfc3339(),
        })
        .await
        .unwrap()
        .party_orders;
    assert!(parties.len() >= 6, "{} parties", parties.len());
    let families = entity::client::Entity::find()
        .filter(entity::client::Column::Phone2.is_not_null())
        .filter(entity::client::Column::SourceId.is_not_null())
        .count(&app.state.db)
        .await
        .unwrap();
    assert!(families >= 10);
    app.stop().await;
}

/// Row counts of what the demo writes.
async fn counts(app: &TestApp) -> Vec<u64> {
    let db = &app.state.db;
    vec![
        entity::location::Entity::find().count(db).await.unwrap(),
        entity::user::Entity::find().count(db).await.unwrap(),
        entity::client::Entity::find().count(db).await.unwrap(),
        entity::play_session::Entity::find()
            .count(db)
            .await
            .unwrap(),
        entity::payment::Entity::find().count(db).await.unwrap(),
        entity::cash_shift::Entity::find().count(db).await.unwrap(),
        entity::interaction::Entity::find().count(db).await.unwrap(),
        entity::academy_attendance::Entity::find()
            .count(db)
            .await
            .unwrap(),
        entity::appointment::Entity::find().count(db).await.unwrap(),
        entity::party_order::Entity::find().count(db).await.unwrap(),
        entity::audit_log::Entity::find().count(db).await.unwrap(),
    ]
}

async fn a_second_demo_seed_adds_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let started = std::time::Instant::now();
    demo::seed(&app.state).await.unwrap();
    println!("demo seed on {backend:?}: {:?}", started.elapsed());
    let first = counts(&app).await;
    demo::seed(&app.state).await.unwrap();
    assert_eq!(counts(&app).await, first);
    app.stop().await;
}

/// A run stopped half-way through the studio (its location made, its catalogue not): the next
/// run keeps the partial venue aside, renamed and switched off, and builds a whole one; the
/// run after that adds nothing.
async fn a_venue_cut_off_half_way_is_built_again(backend: Backend) {
    use clubgrid_api::{
        auth::actor::Caller,
        venue::{locations, types::CreateLocationInput},
    };
    const STUDIO: &str = "Студия «Баланс»";
    let app = TestApp::spawn(backend).await;
    demo::mark(&app.state, STUDIO, demo::VENUE_STARTED)
        .await
        .unwrap();
    let partial = locations::create(
        &app.state,
        &Caller::system(),
        CreateLocationInput {
            name: STUDIO.into(),
            address: "—".into(),
            timezone: Some("Asia/Almaty".into()),
        },
    )
    .await
    .unwrap();

    demo::seed(&app.state).await.unwrap();
    let whole = location_named(&app, STUDIO).await;
    assert_ne!(whole.id, partial.id);
    assert!(whole.active);
    let services = entity::service::Entity::find()
        .filter(entity::service::Column::LocationId.eq(whole.id))
        .count(&app.state.db)
        .await
        .unwrap();
    assert!(services > 0, "the studio's catalogue is there");
    let aside = location::Entity::find_by_id(partial.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!aside.active);
    assert!(aside.name.starts_with(STUDIO) && aside.name.contains("прерванный"));

    let first = counts(&app).await;
    demo::seed(&app.state).await.unwrap();
    assert_eq!(counts(&app).await, first, "a whole demo is left alone");
    app.stop().await;
}

/// What identifies the demo's month: its people and when each session ran.
async fn fingerprint(app: &TestApp) -> Vec<String> {
    let db = &app.state.db;
    let mut out: Vec<String> = entity::client::Entity::find()
        .order_by_asc(entity::client::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| format!("{} {} {:?}", c.first_name, c.last_name, c.phone))
        .collect();
    out.extend(
        entity::play_session::Entity::find()
            .order_by_asc(entity::play_session::Column::Id)
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|s| format!("{} {} {:?}", s.resource_id, s.started_at, s.ended_at)),
    );
    out
}

/// The same seed and the same "now" give the same month.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_plays_the_same_month() {
    let now = utc("2026-11-05T15:00:00Z");
    let mut prints = Vec::new();
    for _ in 0..2 {
        let app = TestApp::spawn(Backend::Sqlite).await;
        app.state.clock.pin(Some(now));
        demo::seed(&app.state).await.unwrap();
        prints.push(fingerprint(&app).await);
        app.stop().await;
    }
    assert!(prints[0].len() > 300);
    assert_eq!(prints[0], prints[1]);
}

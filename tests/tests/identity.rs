//! One client identity, one ownership rule: a client login made and linked once through the
//! API (`createUser` with the client role, then `linkClientAccount`) reads its own bookings,
//! wallet, memberships, attendance, journal and programs, and nobody else's. Every vertical
//! asks the same question of the caller (`Actor::reach`, then `Reach::may_touch` or
//! `Reach::own`), so one link opens all of them. One test per vertical, on both backends; a
//! login linked to no record is refused in each.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, NaiveTime, Utc};
use clubgrid_api::{
    academy::{attendance, memberships, students, timetable},
    auth::actor::Caller,
    billing::ledger,
    booking::{
        appointments::{self, Booker, ConfirmSpec},
        catalog::{self, ServiceSpec, SpecialistSpec},
        hold::{self, HoldSpec},
        packages, schedules,
    },
    clients::{fields::RawFields, service as clients},
    coaching::{journal, programs},
    venue::{
        locations,
        types::{CreateLocationInput, OpeningHoursInput},
    },
};
use clubgrid_tests::{
    Backend, PASSWORD, TestApp, both_backends,
    clubgrid_client::{Client, ClientError, ops},
};
use entity::enums::{
    AppointmentPayment, AttendanceStatus, BeltTrack, ClassLevel, PaymentKind, PaymentMethod,
    ProgramFormat, Role,
};

both_backends!(
    own_bookings_only,
    own_wallet_only,
    own_memberships_only,
    own_attendance_only,
    own_journal_only,
    own_programs_only,
    a_login_linked_to_no_record_reads_nothing,
);

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn forbidden<T: std::fmt::Debug>(answer: Result<T, ClientError>) {
    let err = answer.expect_err("another client's records must be refused");
    assert_eq!(err.code(), Some("FORBIDDEN"), "{err:?}");
}

/// Two clients of one venue; `me` is Мария's login, made and linked once through the API.
struct Venue {
    app: TestApp,
    location: i64,
    mine: i64,
    theirs: i64,
    me: Client,
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

/// A client-role login made by an admin through the API; linked to `client` when given.
async fn client_login(app: &TestApp, client: Option<i64>) -> Client {
    let admin = app.as_role(Role::Admin).await;
    let username = format!("client-{}", &key()[..8]);
    let user = admin
        .run::<ops::CreateUser>(ops::create_user::Variables {
            input: ops::create_user::CreateUserInput {
                username: username.clone(),
                display_name: None,
                password: PASSWORD.into(),
                role: ops::create_user::Role::CLIENT,
            },
        })
        .await
        .unwrap()
        .create_user
        .id;
    if let Some(client) = client {
        let linked = admin
            .run::<ops::LinkClientAccount>(ops::link_client_account::Variables {
                user_id: user,
                client_id: client.to_string(),
            })
            .await
            .unwrap()
            .link_client_account;
        assert!(linked);
    }
    app.login(&username, PASSWORD).await
}

async fn venue(backend: Backend) -> Venue {
    let app = TestApp::spawn(backend).await;
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));
    let location = locations::create(
        &app.state,
        &Caller::system(),
        CreateLocationInput {
            name: "Студия".into(),
            address: "Проспект 1".into(),
            timezone: Some("Asia/Almaty".into()),
        },
    )
    .await
    .unwrap()
    .id;
    let mine = client(&app, "Мария").await;
    let theirs = client(&app, "Ерлан").await;
    let me = client_login(&app, Some(mine)).await;
    Venue {
        app,
        location,
        mine,
        theirs,
        me,
    }
}

/// A 60-minute service with one specialist working 09:00–18:00 local every day.
async fn service(v: &Venue) -> (i64, i64) {
    let (state, system) = (&v.app.state, &Caller::system());
    let hours: Vec<OpeningHoursInput> = (1..=7)
        .map(|weekday| OpeningHoursInput {
            weekday,
            opens_at: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            closes_at: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
        })
        .collect();
    locations::set_opening_hours(state, system, v.location, hours.clone())
        .await
        .unwrap();
    let svc = catalog::save_service(
        state,
        system,
        None,
        v.location,
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
    schedules::set_hours(state, system, specialist, v.location, hours)
        .await
        .unwrap();
    (svc, specialist)
}

/// Books `client` at `at` as the desk would.
async fn book(v: &Venue, svc: i64, specialist: i64, at: &str, client: i64) -> i64 {
    let system = Caller::system();
    let held = hold::hold_slot(
        &v.app.state,
        &system,
        HoldSpec {
            location_id: v.location,
            service_id: svc,
            specialist_id: specialist,
            starts_at: utc(at),
        },
    )
    .await
    .unwrap();
    let spec = ConfirmSpec {
        client: Booker::Client(client),
        payment: AppointmentPayment::AtVenue,
        client_package_id: None,
        discount_percent: 0,
        note: None,
        consent: false,
    };
    appointments::confirm(&v.app.state, &system, &held.token, spec, None)
        .await
        .unwrap()
        .id
}

/// An academy student for each client, and the student ids (mine, theirs).
async fn students(v: &Venue) -> (i64, i64) {
    let mut ids = Vec::new();
    for client_id in [v.mine, v.theirs] {
        let row = students::create(
            &v.app.state,
            &Caller::system(),
            students::NewStudent {
                client_id,
                location_id: v.location,
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
        ids.push(row.id);
    }
    (ids[0], ids[1])
}

async fn own_bookings_only(backend: Backend) {
    let v = venue(backend).await;
    let (svc, specialist) = service(&v).await;
    // 10:00 and 11:00 local on Monday 23 November (UTC+5).
    let mine = book(&v, svc, specialist, "2026-11-23T05:00:00Z", v.mine).await;
    let theirs = book(&v, svc, specialist, "2026-11-23T06:00:00Z", v.theirs).await;
    let package = catalog::create_package(
        &v.app.state,
        &Caller::system(),
        svc,
        "5 визитов",
        5,
        90,
        4_000_000,
    )
    .await
    .unwrap()
    .id;
    for client in [v.mine, v.theirs] {
        packages::sell(
            &v.app.state,
            &Caller::system(),
            client,
            package,
            PaymentMethod::Cash,
            &key(),
        )
        .await
        .unwrap();
    }

    let listed =
        v.me.run::<ops::MyAppointments>(ops::my_appointments::Variables { page: None })
            .await
            .unwrap()
            .my_appointments;
    assert_eq!(listed.page_info.total, 1);
    assert_eq!(listed.items[0].id, mine.to_string());
    assert_eq!(listed.items[0].client_id, v.mine.to_string());
    let one =
        v.me.run::<ops::Appointment>(ops::appointment::Variables {
            id: mine.to_string(),
        })
        .await
        .unwrap()
        .appointment;
    assert_eq!(one.client_id, v.mine.to_string());
    let held =
        v.me.run::<ops::ClientPackages>(ops::client_packages::Variables {
            client_id: v.mine.to_string(),
        })
        .await
        .unwrap()
        .client_packages;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].client_id, v.mine.to_string());

    forbidden(
        v.me.run::<ops::Appointment>(ops::appointment::Variables {
            id: theirs.to_string(),
        })
        .await,
    );
    forbidden(
        v.me.run::<ops::ClientPackages>(ops::client_packages::Variables {
            client_id: v.theirs.to_string(),
        })
        .await,
    );
    forbidden(
        v.me.run::<ops::CancelAppointment>(ops::cancel_appointment::Variables {
            id: theirs.to_string(),
            reason: None,
        })
        .await,
    );
    v.app.stop().await;
}

async fn own_wallet_only(backend: Backend) {
    let v = venue(backend).await;
    for (client, amount) in [(v.mine, 500_000), (v.theirs, 900_000)] {
        let op = ledger::Operation::Deposit {
            client_id: client,
            amount,
            method: PaymentMethod::Cash,
        };
        ledger::apply(&v.app.state, &Caller::system(), op, &key())
            .await
            .unwrap();
    }
    let op = ledger::Operation::Pay {
        client_id: Some(v.mine),
        amount: 200_000,
        method: PaymentMethod::Wallet,
        purpose: "Кофе".into(),
        kind: PaymentKind::Other,
    };
    ledger::apply(&v.app.state, &Caller::system(), op, &key())
        .await
        .unwrap();

    let balance =
        v.me.run::<ops::Wallet>(ops::wallet::Variables {
            client_id: v.mine.to_string(),
        })
        .await
        .unwrap()
        .wallet;
    assert_eq!(balance.client_id, v.mine.to_string());
    assert_eq!(balance.balance, "3000.00");
    let history =
        v.me.run::<ops::WalletEntries>(ops::wallet_entries::Variables {
            client_id: v.mine.to_string(),
            page: None,
        })
        .await
        .unwrap()
        .wallet_entries;
    assert_eq!(history.page_info.total, 2);
    let amounts: Vec<_> = history.items.iter().map(|e| e.amount.as_str()).collect();
    assert_eq!(amounts, ["-2000.00", "5000.00"]);

    forbidden(
        v.me.run::<ops::Wallet>(ops::wallet::Variables {
            client_id: v.theirs.to_string(),
        })
        .await,
    );
    forbidden(
        v.me.run::<ops::WalletEntries>(ops::wallet_entries::Variables {
            client_id: v.theirs.to_string(),
            page: None,
        })
        .await,
    );
    // An id of nobody is refused alike: a client learns nothing from ids.
    forbidden(
        v.me.run::<ops::Wallet>(ops::wallet::Variables {
            client_id: "999999".into(),
        })
        .await,
    );
    v.app.stop().await;
}

async fn own_memberships_only(backend: Backend) {
    let v = venue(backend).await;
    let (mine, theirs) = students(&v).await;
    let plan = memberships::save_plan(
        &v.app.state,
        &Caller::system(),
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
    .unwrap()
    .id;
    for student_id in [mine, theirs] {
        let sale = memberships::Sale {
            student_id,
            plan_id: plan,
            starts_on: None,
            price: None,
            method: Some(PaymentMethod::Card),
        };
        memberships::sell(&v.app.state, &Caller::system(), sale, &key())
            .await
            .unwrap();
    }

    let me =
        v.me.run::<ops::MyStudent>(ops::my_student::Variables)
            .await
            .unwrap()
            .my_student
            .expect("the linked client is a student");
    assert_eq!(me.id, mine.to_string());
    assert_eq!(me.client_id, v.mine.to_string());
    let held =
        v.me.run::<ops::Memberships>(ops::memberships::Variables {
            student_id: mine.to_string(),
        })
        .await
        .unwrap()
        .memberships;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].student_id, mine.to_string());
    assert_eq!(held[0].visits_left, Some(8));

    forbidden(
        v.me.run::<ops::Memberships>(ops::memberships::Variables {
            student_id: theirs.to_string(),
        })
        .await,
    );
    forbidden(
        v.me.run::<ops::Student>(ops::student::Variables {
            id: theirs.to_string(),
        })
        .await,
    );
    forbidden(
        v.me.run::<ops::Memberships>(ops::memberships::Variables {
            student_id: "999999".into(),
        })
        .await,
    );
    v.app.stop().await;
}

async fn own_attendance_only(backend: Backend) {
    let v = venue(backend).await;
    let (mine, theirs) = students(&v).await;
    let session = timetable::create_one_off(
        &v.app.state,
        &Caller::system(),
        timetable::OneOffSpec {
            location_id: v.location,
            name: "Открытый ковёр".into(),
            starts_at: utc("2026-11-20T02:00:00Z"),
            duration_minutes: 90,
            trainer_id: None,
            room_id: None,
            capacity: 10,
            level: ClassLevel::All,
            min_belt_id: None,
        },
    )
    .await
    .unwrap()
    .id;
    attendance::mark(
        &v.app.state,
        &Caller::system(),
        session,
        [
            (mine, AttendanceStatus::Present),
            (theirs, AttendanceStatus::Late),
        ]
        .into_iter()
        .map(|(student_id, status)| attendance::Mark {
            student_id,
            status,
            note: None,
        })
        .collect(),
    )
    .await
    .unwrap();

    let own =
        v.me.run::<ops::StudentAttendance>(ops::student_attendance::Variables {
            student_id: mine.to_string(),
        })
        .await
        .unwrap()
        .student_attendance;
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].student_id, mine.to_string());
    assert_eq!(
        own[0].status,
        ops::student_attendance::AttendanceStatus::PRESENT
    );
    // The class list shows her own row only, though both came.
    let class =
        v.me.run::<ops::ClassSessionAttendance>(ops::class_session_attendance::Variables {
            id: session.to_string(),
        })
        .await
        .unwrap()
        .class_session;
    assert_eq!(class.class_session_fields.taken, 2);
    let rows: Vec<_> = class
        .attendance
        .iter()
        .map(|a| a.attendance_fields.student_id.clone())
        .collect();
    assert_eq!(rows, [mine.to_string()]);

    forbidden(
        v.me.run::<ops::StudentAttendance>(ops::student_attendance::Variables {
            student_id: theirs.to_string(),
        })
        .await,
    );
    // Checking in for someone else is refused by the same rule.
    forbidden(
        v.me.run::<ops::CheckIn>(ops::check_in::Variables {
            session_id: session.to_string(),
            student_id: Some(theirs.to_string()),
        })
        .await,
    );
    v.app.stop().await;
}

async fn own_journal_only(backend: Backend) {
    let v = venue(backend).await;
    for (client_id, weight) in [(v.mine, 61.5), (v.theirs, 90.0)] {
        journal::save(
            &v.app.state,
            &Caller::system(),
            None,
            journal::EntrySpec {
                client_id,
                measured_on: None,
                period: None,
                weight: Some(weight),
                chest: None,
                waist: None,
                lower_abdomen: None,
                glutes: None,
                right_thigh: None,
                left_thigh: None,
                right_calf: None,
                left_calf: None,
                right_arm: None,
                left_arm: None,
                notes: None,
            },
        )
        .await
        .unwrap();
    }

    let own =
        v.me.run::<ops::ProgressJournal>(ops::progress_journal::Variables {
            client_id: v.mine.to_string(),
            measure: ops::progress_journal::Measure::WEIGHT,
        })
        .await
        .unwrap()
        .progress_journal;
    assert_eq!(own.client_id, v.mine.to_string());
    assert_eq!(own.entries.len(), 1);
    assert_eq!(own.entries[0].weight, Some(61.5));

    forbidden(
        v.me.run::<ops::ProgressJournal>(ops::progress_journal::Variables {
            client_id: v.theirs.to_string(),
            measure: ops::progress_journal::Measure::WEIGHT,
        })
        .await,
    );

    // A client logs their own measurement (and no one else's); the coach sees who did.
    let entry = |client_id: i64, weight: f64| ops::add_journal_entry::Variables {
        input: ops::add_journal_entry::JournalEntryInput {
            client_id: client_id.to_string(),
            measured_on: Some("2026-11-20".into()),
            period: Some("week_1".into()),
            weight: Some(weight),
            chest: None,
            waist: Some(70.5),
            lower_abdomen: None,
            glutes: None,
            right_thigh: None,
            left_thigh: None,
            right_calf: None,
            left_calf: None,
            right_arm: None,
            left_arm: None,
            notes: None,
        },
    };
    let logged =
        v.me.run::<ops::AddJournalEntry>(entry(v.mine, 60.8))
            .await
            .unwrap()
            .add_journal_entry;
    assert!(logged.logged_by_client);
    forbidden(
        v.me.run::<ops::AddJournalEntry>(entry(v.theirs, 80.0))
            .await,
    );
    let coach = v.app.as_role(Role::Trainer).await;
    let seen = coach
        .run::<ops::ProgressJournal>(ops::progress_journal::Variables {
            client_id: v.mine.to_string(),
            measure: ops::progress_journal::Measure::WEIGHT,
        })
        .await
        .unwrap()
        .progress_journal;
    let by: Vec<(Option<f64>, bool, bool)> = seen
        .entries
        .iter()
        .map(|e| (e.weight, e.logged_by_client, e.logged_by.is_some()))
        .collect();
    // The first entry came from the system (no account); the second from Мария's login.
    assert!(by.contains(&(Some(61.5), false, false)), "{by:?}");
    assert!(by.contains(&(Some(60.8), true, true)), "{by:?}");
    let theirs = coach
        .run::<ops::ProgressJournal>(ops::progress_journal::Variables {
            client_id: v.theirs.to_string(),
            measure: ops::progress_journal::Measure::WEIGHT,
        })
        .await
        .unwrap()
        .progress_journal;
    assert_eq!(theirs.entries.len(), 1, "nothing was logged for Ерлан");
    v.app.stop().await;
}

async fn own_programs_only(backend: Backend) {
    let v = venue(backend).await;
    let mut given = Vec::new();
    for (title, client_id) in [("Сила", v.mine), ("Выносливость", v.theirs)] {
        let program = programs::save(
            &v.app.state,
            &Caller::system(),
            None,
            programs::ProgramSpec {
                title: title.into(),
                description: None,
                format: ProgramFormat::RichText,
                content: Some("Три раза в неделю".into()),
                exercises: Vec::new(),
                price: 0,
                active: true,
            },
        )
        .await
        .unwrap()
        .id;
        let assignment = programs::Assignment {
            program_id: program,
            client_id,
            paid: false,
            price: None,
            method: None,
            notes: None,
        };
        programs::assign(&v.app.state, &Caller::system(), assignment, &key())
            .await
            .unwrap();
        given.push(program);
    }

    let own =
        v.me.run::<ops::ClientPrograms>(ops::client_programs::Variables {
            client_id: v.mine.to_string(),
        })
        .await
        .unwrap()
        .client_programs;
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].program.as_ref().unwrap().title, "Сила");
    let program =
        v.me.run::<ops::TrainingProgram>(ops::training_program::Variables {
            id: given[0].to_string(),
        })
        .await
        .unwrap()
        .training_program;
    assert_eq!(program.title, "Сила");

    forbidden(
        v.me.run::<ops::ClientPrograms>(ops::client_programs::Variables {
            client_id: v.theirs.to_string(),
        })
        .await,
    );
    forbidden(
        v.me.run::<ops::TrainingProgram>(ops::training_program::Variables {
            id: given[1].to_string(),
        })
        .await,
    );
    v.app.stop().await;
}

/// A client login nobody linked is refused in every vertical, with a message saying why.
async fn a_login_linked_to_no_record_reads_nothing(backend: Backend) {
    let v = venue(backend).await;
    let stray = client_login(&v.app, None).await;
    let refused = |answer: Result<(), ClientError>| {
        let err = answer.expect_err("an unlinked login reads nothing");
        assert_eq!(err.code(), Some("FORBIDDEN"), "{err:?}");
        assert!(
            err.to_string().contains("не связан с карточкой клиента"),
            "{err}"
        );
    };
    let id = v.mine.to_string();
    refused(
        stray
            .run::<ops::MyAppointments>(ops::my_appointments::Variables { page: None })
            .await
            .map(|_| ()),
    );
    refused(
        stray
            .run::<ops::Wallet>(ops::wallet::Variables {
                client_id: id.clone(),
            })
            .await
            .map(|_| ()),
    );
    refused(
        stray
            .run::<ops::MyStudent>(ops::my_student::Variables)
            .await
            .map(|_| ()),
    );
    refused(
        stray
            .run::<ops::ProgressJournal>(ops::progress_journal::Variables {
                client_id: id.clone(),
                measure: ops::progress_journal::Measure::WEIGHT,
            })
            .await
            .map(|_| ()),
    );
    refused(
        stray
            .run::<ops::ClientPrograms>(ops::client_programs::Variables { client_id: id })
            .await
            .map(|_| ()),
    );
    v.app.stop().await;
}

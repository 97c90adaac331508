//! A computer club's operator day, end to end on a pinned clock: a shift, a top-up, sessions
//! across the night window under a promotion, extend, move, stop, every payment method, a
//! booking that turns into a no-show, the clock stopping prepaid time, the shift closed with a
//! difference, and the day's report (and its .xlsx) equal to figures worked out by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{io::Cursor, time::Duration};

use base64::Engine;
use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, TimeZone, Utc};
use clubgrid_api::{
    auth::actor::Caller,
    billing::ledger,
    clients::{fields::RawFields, service},
    club::ticker,
    venue::{
        locations, resources, types::CreateLocationInput, types::CreateResourceInput,
        types::CreateZoneInput, zones,
    },
};
use clubgrid_tests::{
    Backend, TestApp, both_backends,
    clubgrid_client::{Client, ops},
};
use entity::enums::{ResourceKind, ResourceStatus, Role};
use futures_util::StreamExt;
use sea_orm::EntityTrait;

both_backends!(an_operator_day);
both_backends!(concurrent_bookings_never_overlap);
both_backends!(session_stream_opens_with_running_sessions);
both_backends!(a_quote_before_the_start_is_what_the_start_takes);

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// 2026-11-23 (a Monday) at `h:m` in Almaty (UTC+5); hours past 23 run into the next day.
fn at(h: u32, m: u32) -> DateTime<Utc> {
    let day = 23 + h / 24;
    chrono::FixedOffset::east_opt(5 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, day, h % 24, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}

struct Club {
    location: i64,
    standart: i64,
    vip: i64,
    pcs: Vec<i64>,
    vip_pc: i64,
}

async fn club(app: &TestApp) -> Club {
    let system = Caller::system();
    let location = locations::create(
        &app.state,
        &system,
        CreateLocationInput {
            name: "Клуб".into(),
            address: "Алматы".into(),
            timezone: Some("Asia/Almaty".into()),
        },
    )
    .await
    .unwrap()
    .id;
    let zone = |name: &str, order: i32| CreateZoneInput {
        location_id: location.into(),
        name: name.into(),
        description: None,
        color: None,
        sort_order: Some(order),
    };
    let standart = zones::create(&app.state, &system, zone("Standart", 1))
        .await
        .unwrap()
        .id;
    let vip = zones::create(&app.state, &system, zone("VIP", 2))
        .await
        .unwrap()
        .id;
    let pc = |zone: i64, name: &str, order: i32| CreateResourceInput {
        location_id: location.into(),
        zone_id: Some(zone.into()),
        kind: ResourceKind::Pc,
        name: name.into(),
        capacity: None,
        notes: None,
        sort_order: Some(order),
    };
    let mut pcs = Vec::new();
    for i in 1..=4 {
        let r = resources::create(&app.state, &system, pc(standart, &format!("PC{i}"), i))
            .await
            .unwrap();
        pcs.push(r.id);
    }
    let vip_pc = resources::create(&app.state, &system, pc(vip, "VIP1", 1))
        .await
        .unwrap()
        .id;
    Club {
        location,
        standart,
        vip,
        pcs,
        vip_pc,
    }
}

async fn client(app: &TestApp, name: &str, phone: &str, credit: i64) -> String {
    let system = Caller::system();
    let fields = RawFields {
        first_name: Some(name.into()),
        phone: Some(phone.into()),
        ..RawFields::default()
    }
    .check("input.")
    .unwrap();
    let c = service::create(&app.state, &system, fields).await.unwrap();
    ledger::set_credit_limit(&app.state, &system, c.id, credit)
        .await
        .unwrap();
    c.id.to_string()
}

fn start(
    pc: i64,
    client: Option<&str>,
    minutes: Option<i64>,
    method: Option<ops::start_session::PaymentMethod>,
) -> ops::start_session::Variables {
    ops::start_session::Variables {
        input: ops::start_session::StartSessionInput {
            resource_id: pc.to_string(),
            client_id: client.map(Into::into),
            guest_name: client.is_none().then(|| "Гость".into()),
            tariff_id: None,
            prepaid_minutes: minutes,
            package_id: None,
            payment_method: method,
            idempotency_key: key(),
        },
    }
}

async fn stop(
    c: &Client,
    session: &str,
    method: ops::stop_session::PaymentMethod,
) -> ops::stop_session::SessionFields {
    c.run::<ops::StopSession>(ops::stop_session::Variables {
        input: ops::stop_session::StopSessionInput {
            session_id: session.into(),
            payment_method: Some(method),
            idempotency_key: key(),
        },
    })
    .await
    .unwrap()
    .stop_session
}

async fn status(app: &TestApp, pc: i64) -> ResourceStatus {
    resources::get(&app.state, pc).await.unwrap().status
}

async fn tariffs(admin: &Client, club: &Club) {
    use ops::create_tariff::{Rounding, TariffInput, TariffWindowInput, Variables};
    let standart = admin
        .run::<ops::CreateTariff>(Variables {
            zone_id: club.standart.to_string(),
            input: TariffInput {
                name: "Standart".into(),
                price_per_hour: "600".into(),
                step_minutes: 1,
                rounding: Rounding::UP,
                active: true,
                windows: vec![TariffWindowInput {
                    name: "Ночь".into(),
                    weekdays: vec![],
                    starts_at: "22:00:00".into(),
                    ends_at: "08:00:00".into(),
                    price_per_hour: "300".into(),
                }],
            },
        })
        .await
        .unwrap()
        .create_tariff;
    assert_eq!(standart.windows[0].weekdays, vec![1, 2, 3, 4, 5, 6, 7]);
    admin
        .run::<ops::CreateTariff>(Variables {
            zone_id: club.vip.to_string(),
            input: TariffInput {
                name: "VIP".into(),
                price_per_hour: "1200".into(),
                step_minutes: 1,
                rounding: Rounding::UP,
                active: true,
                windows: vec![],
            },
        })
        .await
        .unwrap();
    use ops::create_promotion::{PromotionInput, PromotionKind};
    admin
        .run::<ops::CreatePromotion>(ops::create_promotion::Variables {
            location_id: club.location.to_string(),
            input: PromotionInput {
                name: "2+1".into(),
                kind: PromotionKind::BONUS_TIME,
                pay_minutes: Some(120),
                free_minutes: Some(60),
                percent: None,
                price_per_hour: None,
                weekdays: vec![],
                starts_at: None,
                ends_at: None,
                valid_from: None,
                valid_to: None,
                zone_ids: vec![club.standart.to_string()],
                active: true,
            },
        })
        .await
        .unwrap();
}

async fn an_operator_day(backend: Backend) {
    use ops::start_session::PaymentMethod as Start;
    use ops::stop_session::PaymentMethod as Stop;
    let app = TestApp::spawn(backend).await;
    let clock = |t: DateTime<Utc>| app.state.clock.pin(Some(t));
    clock(at(17, 0));
    let club = club(&app).await;
    let admin = app.as_role(Role::Admin).await;
    tariffs(&admin, &club).await;
    let aigerim = client(&app, "Айгерим", "+77010000001", 500_000).await;
    let bolat = client(&app, "Болат", "+77010000002", 100_000).await;
    let op = app.as_role(Role::Operator).await;
    let [pc1, pc2, pc3, pc4] = club.pcs[..] else {
        panic!("four PCs")
    };

    clock(at(18, 0));
    let shift = op
        .run::<ops::OpenShift>(ops::open_shift::Variables {
            location_id: club.location.to_string(),
            opening_cash: "10000".into(),
        })
        .await
        .unwrap()
        .open_shift;
    clock(at(18, 5));
    op.run::<ops::DepositToWallet>(ops::deposit_to_wallet::Variables {
        input: ops::deposit_to_wallet::DepositInput {
            client_id: aigerim.clone(),
            amount: "5000".into(),
            method: ops::deposit_to_wallet::PaymentMethod::CASH,
            idempotency_key: key(),
        },
    })
    .await
    .unwrap();

    // A booking of two PCs for 20:00: neighbours PC1 and PC2.
    clock(at(18, 10));
    let booking = op
        .run::<ops::CreatePcBooking>(ops::create_pc_booking::Variables {
            input: ops::create_pc_booking::CreatePcBookingInput {
                zone_id: club.standart.to_string(),
                client_id: aigerim.clone(),
                starts_at: at(20, 0).to_rfc3339(),
                minutes: 60,
                pc_count: 2,
                resource_ids: vec![],
                note: None,
            },
        })
        .await
        .unwrap()
        .create_pc_booking;
    assert_eq!(booking.resource_ids, vec![pc1.to_string(), pc2.to_string()]);
    assert_eq!(status(&app, pc1).await, ResourceStatus::Free);
    // 30 minutes before, the clock shows them booked; a walk-in cannot take one.
    clock(at(19, 35));
    ticker::tick(&app.state).await.unwrap();
    assert_eq!(status(&app, pc1).await, ResourceStatus::Booked);
    assert_eq!(status(&app, pc2).await, ResourceStatus::Booked);
    let err = op
        .run::<ops::StartSession>(start(pc1, None, None, None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("RESOURCE_BOOKED"));
    // Nobody comes: after the 15-minute grace the booking is a no-show and the PCs are free.
    clock(at(20, 16));
    let report = ticker::tick(&app.state).await.unwrap();
    assert_eq!(report.no_shows, 1);
    assert_eq!(status(&app, pc1).await, ResourceStatus::Free);
    let bookings = op
        .run::<ops::PcBookings>(ops::pc_bookings::Variables {
            filter: None,
            page: None,
        })
        .await
        .unwrap()
        .pc_bookings;
    assert_eq!(
        format!("{:?}", bookings.items[0].status),
        "NO_SHOW",
        "the booking was released"
    );

    // Out of order refuses a session; back in service takes one.
    resources::set_status(
        &app.state,
        &Caller::system(),
        pc4,
        ResourceStatus::OutOfOrder,
        None,
    )
    .await
    .unwrap();
    let err = op
        .run::<ops::StartSession>(start(pc4, None, None, None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("OUT_OF_ORDER"));
    resources::set_status(
        &app.state,
        &Caller::system(),
        pc4,
        ResourceStatus::Free,
        None,
    )
    .await
    .unwrap();

    // 21:00 Aigerim prepays 150 minutes from her wallet. By hand: 21:00–22:00 at 600/h = 600,
    // 22:00–23:30 in the night window at 300/h = 450; 2+1 frees minutes 120–149, which fall
    // at night: 30 × 300/60 = 150. Total 900.
    clock(at(21, 0));
    let a = op
        .run::<ops::StartSession>(start(pc1, Some(&aigerim), Some(150), Some(Start::WALLET)))
        .await
        .unwrap()
        .start_session;
    assert_eq!(a.paid, "900.00");
    assert_eq!(status(&app, pc1).await, ResourceStatus::Busy);
    let err = op
        .run::<ops::StartSession>(start(pc1, None, None, None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("RESOURCE_BUSY"));

    // 21:30 a guest on PC2, open.
    clock(at(21, 30));
    let guest = op
        .run::<ops::StartSession>(start(pc2, None, None, None))
        .await
        .unwrap()
        .start_session;
    // 22:00 Bolat on PC3, open; Aigerim extends by 30 minutes: 21:00–00:00 is 600 + 600,
    // and 2+1 now frees a whole night hour (300): still 900, nothing more to pay.
    clock(at(22, 0));
    let b1 = op
        .run::<ops::StartSession>(start(pc3, Some(&bolat), None, None))
        .await
        .unwrap()
        .start_session;
    let extended = op
        .run::<ops::ExtendSession>(ops::extend_session::Variables {
            input: ops::extend_session::ExtendSessionInput {
                session_id: a.id.clone(),
                minutes: 30,
                payment_method: Some(ops::extend_session::PaymentMethod::WALLET),
                idempotency_key: key(),
            },
        })
        .await
        .unwrap()
        .extend_session;
    assert_eq!(extended.paid, "900.00");
    assert_eq!(
        extended
            .ends_at
            .as_deref()
            .map(|e| e.parse::<DateTime<Utc>>().unwrap()),
        Some(at(24, 0))
    );

    // 22:30 the guest moves to VIP; the live map shows who plays where.
    clock(at(22, 30));
    op.run::<ops::MoveSession>(ops::move_session::Variables {
        session_id: guest.id.clone(),
        resource_id: club.vip_pc.to_string(),
    })
    .await
    .unwrap();
    assert_eq!(status(&app, pc2).await, ResourceStatus::Free);
    let map = op
        .run::<ops::PcMap>(ops::pc_map::Variables {
            location_id: club.location.to_string(),
        })
        .await
        .unwrap()
        .pc_map;
    let vip_entry = &map.zones[1].pcs[0];
    assert_eq!(vip_entry.session.as_ref().unwrap().id, guest.id);
    // So far: 21:30–22:00 at 600 = 300, 22:00–22:30 at 300 = 150.
    assert_eq!(vip_entry.cost_so_far.as_deref(), Some("450.00"));
    let a_entry = &map.zones[0].pcs[0];
    assert_eq!(a_entry.client_name.as_deref(), Some("Айгерим"));
    assert_eq!(a_entry.minutes_left, Some(90));

    // 22:45 Bolat stops and pays by Kaspi: 45 minutes at night, 225.
    clock(at(22, 45));
    let b1 = stop(&op, &b1.id, Stop::KASPI).await;
    assert_eq!(b1.cost.as_deref(), Some("225.00"));
    // 23:00 the guest stops and pays cash: 300 + 150 + VIP 30 minutes at 1200 = 600 → 1050.
    clock(at(23, 0));
    let g = stop(&op, &guest.id, Stop::CASH).await;
    assert_eq!(g.cost.as_deref(), Some("1050.00"));
    let lines: Vec<(String, i64, String)> = g
        .breakdown
        .unwrap()
        .lines
        .into_iter()
        .map(|l| (l.label, l.minutes, l.amount))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("Standart".to_string(), 30, "300.00".to_string()),
            ("Standart: Ночь".to_string(), 30, "150.00".to_string()),
            ("VIP".to_string(), 30, "600.00".to_string()),
        ]
    );
    // 23:00 Bolat again, on credit; a guest prepays an hour by card (night: 300).
    let b2 = op
        .run::<ops::StartSession>(start(pc3, Some(&bolat), None, None))
        .await
        .unwrap()
        .start_session;
    let card = op
        .run::<ops::StartSession>(start(pc4, None, Some(60), Some(Start::CARD)))
        .await
        .unwrap()
        .start_session;
    assert_eq!(card.paid, "300.00");
    clock(at(23, 20));
    let b2 = stop(&op, &b2.id, Stop::DEBT).await;
    assert_eq!(b2.cost.as_deref(), Some("100.00"));

    // Midnight passes: the clock stops both prepaid sessions as of their end.
    clock(at(24, 1));
    let report = ticker::tick(&app.state).await.unwrap();
    assert_eq!(report.stopped, 2);
    let a = op
        .run::<ops::PlaySession>(ops::play_session::Variables { id: a.id.clone() })
        .await
        .unwrap()
        .play_session;
    assert_eq!(format!("{:?}", a.stop_reason), "Some(TIME_UP)");
    assert_eq!(a.cost.as_deref(), Some("900.00"));
    assert_eq!(a.breakdown.unwrap().discount.unwrap().label, "2+1");
    assert_eq!(status(&app, pc1).await, ResourceStatus::Free);
    assert_eq!(status(&app, pc4).await, ResourceStatus::Free);

    // Close: cash 10000 + 5000 top-up + 1050 = 16050 expected, 16000 counted → −50.
    clock(at(24, 10));
    let closed = op
        .run::<ops::CloseShift>(ops::close_shift::Variables {
            id: shift.id.clone(),
            input: ops::close_shift::CloseShiftInput {
                cash: "15950".into(),
                coins: "50".into(),
                kaspi: "225".into(),
                card: "300".into(),
                debt: "100".into(),
                comment: Some("не хватает 50".into()),
            },
        })
        .await
        .unwrap()
        .close_shift;
    assert_eq!(closed.shift_figures.expected_cash, "16050.00");
    assert_eq!(
        closed.shift_figures.cash_difference.as_deref(),
        Some("-50.00")
    );

    // The day's report, by hand: payments wallet 900, cash 1050, Kaspi 225, card 300,
    // debt 100; wallet top-ups 5000; received 1050 + 225 + 300 + 5000 = 6575; five sessions
    // started, 180 + 90 + 45 + 60 + 20 = 395 minutes; two clients.
    let analyst = app.as_role(Role::Manager).await;
    let vars = || ops::club_report::Variables {
        location_id: club.location.to_string(),
        from: "2026-11-23".into(),
        to: "2026-11-23".into(),
    };
    let report = analyst
        .run::<ops::ClubReport>(vars())
        .await
        .unwrap()
        .club_report;
    let day = &report.days[0];
    let mut payments: Vec<(String, String)> = day
        .payments
        .iter()
        .map(|p| (format!("{:?}", p.method), p.amount.clone()))
        .collect();
    payments.sort();
    assert_eq!(
        payments,
        vec![
            ("CARD".into(), "300.00".into()),
            ("CASH".into(), "1050.00".into()),
            ("DEBT".into(), "100.00".into()),
            ("KASPI".into(), "225.00".into()),
            ("WALLET".into(), "900.00".into()),
        ]
    );
    assert_eq!(day.wallet_net, "5000.00");
    assert_eq!(day.received, "6575.00");
    // Received by method counts the drawer's 5000 cash top-up as cash: 1050 + 5000.
    let raw = analyst
        .raw(
            "query($l: ID!) { clubReport(locationId: $l, from: \"2026-11-23\", to: \"2026-11-23\") { days { receivedByMethod { method amount } } total { receivedByMethod { method amount } } } }",
            serde_json::json!({ "l": club.location.to_string() }),
        )
        .await
        .unwrap();
    assert!(raw.errors.is_empty(), "{:?}", raw.errors);
    let data = raw.data.unwrap();
    for part in [&data["clubReport"]["days"][0], &data["clubReport"]["total"]] {
        let by: Vec<(String, String)> = part["receivedByMethod"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["method"].as_str().unwrap().to_owned(),
                    m["amount"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            by,
            vec![
                ("CASH".into(), "6050.00".into()),
                ("CARD".into(), "300.00".into()),
                ("KASPI".into(), "225.00".into()),
                ("TRANSFER".into(), "0.00".into()),
            ]
        );
    }
    assert_eq!(
        (day.sessions, day.played_minutes, day.active_clients),
        (5, 395, 2)
    );
    let perf = &report.shifts[0];
    assert_eq!((perf.shifts, perf.sessions), (1, 5));
    assert_eq!(perf.revenue, "2575.00");
    assert_eq!(perf.cash_difference, "-50.00");
    // Standart at 22:00–23:00 local: PC1 60, PC2 0 (moved at 22:30 — 30), PC3 45 + 0, PC4 0.
    let hour22 = report
        .utilisation
        .iter()
        .find(|u| u.zone_name == "Standart" && u.hour == 22)
        .unwrap();
    assert_eq!(hour22.busy_minutes, 60 + 30 + 45);
    assert_eq!(hour22.available_minutes, 4 * 60);

    // The .xlsx holds the same figures.
    let file = analyst
        .run::<ops::ClubReportXlsx>(ops::club_report_xlsx::Variables {
            location_id: club.location.to_string(),
            from: "2026-11-23".into(),
            to: "2026-11-23".into(),
        })
        .await
        .unwrap()
        .club_report_xlsx;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file.content_base64)
        .unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let days = book.worksheet_range("Дни").unwrap();
    assert_eq!(
        days.get_value((0, 1)),
        Some(&Data::String("Наличные".into()))
    );
    assert_eq!(days.get_value((1, 1)), Some(&Data::Float(1050.0)));
    assert_eq!(days.get_value((1, 8)), Some(&Data::Float(6575.0)));
    assert_eq!(days.get_value((1, 9)), Some(&Data::Float(5.0)));
    assert_eq!(
        days.get_value((0, 12)),
        Some(&Data::String("Получено наличными".into()))
    );
    assert_eq!(days.get_value((1, 12)), Some(&Data::Float(6050.0)));
    assert_eq!(days.get_value((2, 12)), Some(&Data::Float(6050.0)));
    // Every column is explained in the workbook itself.
    let notes = book.worksheet_range("Пояснения").unwrap();
    let explained: Vec<String> = (1..notes.height())
        .filter_map(|r| notes.get_value((r as u32, 0)).map(|v| v.to_string()))
        .collect();
    for column in (0..=15).filter_map(|c| days.get_value((0, c))) {
        let column = column.to_string();
        assert!(
            column == "Дата" || explained.iter().any(|e| e.split(", ").any(|n| n == column)),
            "column {column} is not explained"
        );
    }
    let shifts = book.worksheet_range("Смены").unwrap();
    assert_eq!(shifts.get_value((1, 4)), Some(&Data::Float(-50.0)));

    // A PC with sessions behind it cannot be deleted: CONFLICT saying why, not INTERNAL.
    let response = admin
        .raw(
            "mutation($id: ID!) { deleteResource(id: $id) }",
            serde_json::json!({ "id": pc1.to_string() }),
        )
        .await
        .unwrap();
    let err = &response.errors[0];
    assert_eq!(err.code(), Some("CONFLICT"), "{err:?}");
    assert!(err.message.contains("связана"), "{err:?}");
}

/// 100 bookings race for the same four PCs: the database lets none overlap.
async fn concurrent_bookings_never_overlap(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.state.clock.pin(Some(at(12, 0)));
    let club = club(&app).await;
    let who = client(&app, "Дана", "+77010000003", 0).await;
    let op = app.as_role(Role::Operator).await;
    let mut tasks = Vec::new();
    for i in 0..100i64 {
        let op = op.clone();
        let vars = ops::create_pc_booking::Variables {
            input: ops::create_pc_booking::CreatePcBookingInput {
                zone_id: club.standart.to_string(),
                client_id: who.clone(),
                // Overlapping starts every 10 minutes from 14:00, each for an hour.
                starts_at: at(14, 0)
                    .checked_add_signed(chrono::Duration::minutes(10 * (i % 12)))
                    .unwrap()
                    .to_rfc3339(),
                minutes: 60,
                pc_count: 1 + (i % 2),
                resource_ids: vec![],
                note: None,
            },
        };
        tasks.push(tokio::spawn(async move {
            op.run::<ops::CreatePcBooking>(vars).await
        }));
    }
    let mut made = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => made += 1,
            Err(e) => assert_eq!(e.code(), Some("SLOT_TAKEN"), "{e:?}"),
        }
    }
    assert!(made > 0);
    let seats = entity::pc_booking_seat::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    for a in &seats {
        for b in &seats {
            if a.id < b.id && a.resource_id == b.resource_id {
                assert!(
                    a.ends_at <= b.starts_at || b.ends_at <= a.starts_at,
                    "seats {} and {} overlap on PC {}",
                    a.id,
                    b.id,
                    a.resource_id
                );
            }
        }
    }
    // Four PCs, an hour each, starts between 14:00 and 15:50: at most 4 × 3 seats fit.
    assert!(seats.len() <= 12, "{} seats", seats.len());
}

/// The session stream opens with the running sessions, then carries each start, coming end
/// and end, with the session as it is after the change.
async fn session_stream_opens_with_running_sessions(backend: Backend) {
    use ops::session_events::SessionEventKind as Kind;
    let app = TestApp::spawn(backend).await;
    let clock = |t: DateTime<Utc>| app.state.clock.pin(Some(t));
    clock(at(12, 0));
    let club = club(&app).await;
    let admin = app.as_role(Role::Admin).await;
    tariffs(&admin, &club).await;
    let op = app.as_role(Role::Operator).await;
    let first = op
        .run::<ops::StartSession>(start(club.pcs[0], None, None, None))
        .await
        .unwrap()
        .start_session;

    let mut live = op
        .subscribe::<ops::SessionEvents>(ops::session_events::Variables {
            location_id: club.location.to_string(),
        })
        .await
        .unwrap();
    let mut next = async || {
        tokio::time::timeout(Duration::from_secs(10), live.next())
            .await
            .expect("an update within 10 s")
            .expect("the stream stays open")
            .expect("an update, not an error")
            .session_events
    };
    let snapshot = next().await;
    assert!(matches!(snapshot.kind, Kind::SNAPSHOT));
    assert_eq!(snapshot.sessions.len(), 1);
    assert_eq!(snapshot.sessions[0].id, first.id);

    // A guest prepays 10 minutes on PC2.
    let second = op
        .run::<ops::StartSession>(start(
            club.pcs[1],
            None,
            Some(10),
            Some(ops::start_session::PaymentMethod::CASH),
        ))
        .await
        .unwrap()
        .start_session;
    let started = next().await;
    assert!(matches!(started.kind, Kind::STARTED));
    assert_eq!(started.sessions[0].id, second.id);
    assert_eq!(started.sessions[0].resource_id, club.pcs[1].to_string());
    assert!(started.sessions[0].ends_at.is_some());

    // Six minutes on, the clock warns that its time runs out soon, then stops it at the end.
    clock(at(12, 6));
    assert_eq!(ticker::tick(&app.state).await.unwrap().warned, 1);
    let ending = next().await;
    assert!(matches!(ending.kind, Kind::ENDING));
    assert_eq!(ending.sessions[0].id, second.id);
    clock(at(12, 11));
    assert_eq!(ticker::tick(&app.state).await.unwrap().stopped, 1);
    let ended = next().await;
    assert!(matches!(ended.kind, Kind::ENDED));
    assert_eq!(ended.sessions[0].id, second.id);
    assert!(ended.sessions[0].ended_at.is_some());

    // The operator stops the open one; its final cost travels with the event.
    stop(&op, &first.id, ops::stop_session::PaymentMethod::CARD).await;
    let stopped = next().await;
    assert!(matches!(stopped.kind, Kind::ENDED));
    assert_eq!(stopped.sessions[0].id, first.id);
    assert!(stopped.sessions[0].cost.is_some());
}

fn quote_input(
    pc: i64,
    client: Option<&str>,
    minutes: Option<i64>,
    package: Option<&str>,
) -> ops::quote_start::Variables {
    ops::quote_start::Variables {
        input: ops::quote_start::QuoteStartInput {
            resource_id: pc.to_string(),
            client_id: client.map(Into::into),
            tariff_id: None,
            prepaid_minutes: minutes,
            package_id: package.map(Into::into),
        },
    }
}

/// The start dialog's price: `quoteStart` asks for what `startSession` takes for the same PC,
/// client and time at the same moment, windows, promotion, personal discount and package
/// included, and writes nothing.
async fn a_quote_before_the_start_is_what_the_start_takes(backend: Backend) {
    use ops::start_session::PaymentMethod as Start;
    let app = TestApp::spawn(backend).await;
    let clock = |t: DateTime<Utc>| app.state.clock.pin(Some(t));
    clock(at(17, 0));
    let club = club(&app).await;
    let admin = app.as_role(Role::Admin).await;
    tariffs(&admin, &club).await;
    let standart = admin
        .run::<ops::Tariffs>(ops::tariffs::Variables {
            location_id: club.location.to_string(),
            zone_id: Some(club.standart.to_string()),
        })
        .await
        .unwrap()
        .tariffs[0]
        .id
        .clone();
    let night = admin
        .run::<ops::AddTariffPackage>(ops::add_tariff_package::Variables {
            input: ops::add_tariff_package::TariffPackageInput {
                tariff_id: standart.clone(),
                name: "Ночь".into(),
                price: "2000".into(),
                minutes: None,
                window_start: Some("22:00:00".into()),
                window_end: Some("08:00:00".into()),
            },
        })
        .await
        .unwrap()
        .add_tariff_package
        .id;
    // A regular with a 20 % personal discount, and money on the wallet.
    let system = Caller::system();
    let fields = RawFields {
        first_name: Some("Дана".into()),
        phone: Some("+77010000009".into()),
        discount_percent: Some(20),
        ..RawFields::default()
    }
    .check("input.")
    .unwrap();
    let dana = service::create(&app.state, &system, fields)
        .await
        .unwrap()
        .id
        .to_string();
    let op = app.as_role(Role::Operator).await;
    op.run::<ops::OpenShift>(ops::open_shift::Variables {
        location_id: club.location.to_string(),
        opening_cash: "0".into(),
    })
    .await
    .unwrap();
    let [pc1, pc2, pc3, _] = club.pcs[..] else {
        panic!("four PCs")
    };

    // 21:00, three hours for Dana: 60 min at 600 and 120 at the night's 300 = 1200. The 2+1
    // frees the last hour (300), more than her 20 % (240): 900, the 2+1 named.
    clock(at(21, 0));
    let quoted = op
        .run::<ops::QuoteStart>(quote_input(pc1, Some(&dana), Some(180), None))
        .await
        .unwrap()
        .quote_start;
    assert_eq!(quoted.tariff_name, "Standart");
    assert_eq!(quoted.ends_at, at(24, 0).to_rfc3339());
    let lines: Vec<_> = quoted
        .quote
        .lines
        .iter()
        .map(|l| (l.label.as_str(), l.minutes, l.amount.as_str()))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("Standart", 60, "600.00"),
            ("Standart: Ночь", 120, "600.00")
        ]
    );
    assert_eq!(quoted.quote.subtotal, "1200.00");
    let discount = quoted.quote.discount.as_ref().unwrap();
    assert_eq!(
        (discount.label.as_str(), discount.amount.as_str()),
        ("2+1", "300.00")
    );
    assert_eq!(quoted.quote.total, "900.00");
    assert_eq!(
        status(&app, pc1).await,
        ResourceStatus::Free,
        "a quote writes nothing"
    );
    let mut dana_start = start(pc1, Some(&dana), Some(180), Some(Start::CASH));
    dana_start.input.guest_name = None;
    let started = op
        .run::<ops::StartSession>(dana_start)
        .await
        .unwrap()
        .start_session;
    assert_eq!(started.paid, quoted.quote.total);

    // A guest's 90 minutes in VIP: no promotion there, no personal discount.
    let vip = op
        .run::<ops::QuoteStart>(quote_input(club.vip_pc, None, Some(90), None))
        .await
        .unwrap()
        .quote_start;
    assert_eq!(
        (vip.tariff_name.as_str(), vip.quote.total.as_str()),
        ("VIP", "1800.00")
    );
    assert!(vip.quote.discount.is_none());
    let guest = op
        .run::<ops::StartSession>(start(club.vip_pc, None, Some(90), Some(Start::CARD)))
        .await
        .unwrap()
        .start_session;
    assert_eq!(guest.paid, vip.quote.total);

    // The night package is not sold before 22:00, in the quote as at the start.
    let early = op
        .run::<ops::QuoteStart>(quote_input(pc2, None, None, Some(&night)))
        .await
        .unwrap_err();
    assert_eq!(early.code(), Some("VALIDATION"));
    assert_eq!(early.errors()[0].field(), Some("input.packageId"));
    // At 22:30 it runs to 08:00 for its price; the promotion does not touch a package.
    clock(at(22, 30));
    let package = op
        .run::<ops::QuoteStart>(quote_input(pc2, None, None, Some(&night)))
        .await
        .unwrap()
        .quote_start;
    assert_eq!(package.package_name.as_deref(), Some("Ночь"));
    assert_eq!(package.ends_at, at(32, 0).to_rfc3339());
    assert_eq!(package.quote.total, "2000.00");
    let mut by_package = start(pc2, None, None, Some(Start::KASPI));
    by_package.input.package_id = Some(night.clone());
    let started = op
        .run::<ops::StartSession>(by_package)
        .await
        .unwrap()
        .start_session;
    assert_eq!(started.paid, package.quote.total);

    // What a start would refuse, the quote refuses, naming the field.
    let refused = [
        (quote_input(pc3, None, None, None), "input.prepaidMinutes"),
        (
            quote_input(pc3, None, Some(60), Some(&night)),
            "input.packageId",
        ),
        (
            quote_input(pc3, None, Some(0), None),
            "input.prepaidMinutes",
        ),
        (
            quote_input(pc3, None, Some(24 * 60 + 1), None),
            "input.prepaidMinutes",
        ),
    ];
    for (input, field) in refused {
        let err = op.run::<ops::QuoteStart>(input).await.unwrap_err();
        assert_eq!(
            (err.code(), err.errors()[0].field()),
            (Some("VALIDATION"), Some(field))
        );
    }
    let mut other_zone = quote_input(pc3, None, Some(60), None);
    other_zone.input.tariff_id = Some(vip.tariff_id.clone());
    let err = op.run::<ops::QuoteStart>(other_zone).await.unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("input.tariffId"));
    let err = op
        .run::<ops::QuoteStart>(quote_input(999_999, None, Some(60), None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NOT_FOUND"));
    // A viewer may see a price too.
    let viewer = app.as_role(Role::ReadOnly).await;
    viewer
        .run::<ops::QuoteStart>(quote_input(pc3, None, Some(60), None))
        .await
        .unwrap();
}

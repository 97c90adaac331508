//! Appointments end to end on both backends: free slots against hand-built schedules (breaks,
//! holidays, buffers, a DST change), hold then confirm, holds that run out, the public page,
//! wallet and package payments with refunds, clients kept to their own bookings, 200 confirms
//! racing for one slot, a paused holder, party orders, and random sequences that never leave
//! two live bookings overlapping.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration as StdDuration;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use clubgrid_api::{
    auth::actor::{Caller, Reach},
    billing::ledger,
    booking::{
        appointments::{self, Booker, ConfirmSpec},
        catalog::{self, ServiceSpec, SpecialistSpec},
        hold::{self, HoldSpec},
        lifecycle, party, schedules,
    },
    clients::{fields::RawFields, identity, service as clients},
    venue::{
        locations, resources,
        types::{CreateLocationInput, CreateResourceInput, HolidayInput, OpeningHoursInput},
    },
};
use clubgrid_tests::{
    Backend, TestApp, both_backends,
    clubgrid_client::{Client, ops},
};
use entity::enums::{AppointmentPayment, AppointmentStatus, PaymentMethod, ResourceKind, Role};
use futures_util::StreamExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

both_backends!(
    availability_follows_hand_built_schedules,
    hold_confirm_release_and_cancel,
    holds_run_out,
    wallet_and_package_payments_with_refunds,
    clients_touch_only_their_own_bookings,
    two_hundred_confirms_make_one_appointment,
    public_confirms_race_without_internal_errors,
    a_paused_holder_cannot_book_over_a_newer_booking,
    party_orders_reserve_area_and_rest_room,
    random_sequences_never_overlap,
    appointment_lists_cost_the_same_statements_at_any_length,
    the_demo_is_ready_to_book_and_play,
);

fn t(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn every_day(from: &str, to: &str) -> Vec<OpeningHoursInput> {
    (1..=7)
        .map(|weekday| OpeningHoursInput {
            weekday,
            opens_at: t(from),
            closes_at: t(to),
        })
        .collect()
}

struct Studio {
    loc: i64,
    svc: i64,
    anna: i64,
    boris: i64,
    room: i64,
}

/// A studio open 09:00–18:00 every day; a 60-minute service priced 10 000.00 with the given
/// buffers; Anna works 10:00–17:00 and Boris 09:00–13:00, every day; both need the one room.
async fn studio(app: &TestApp, tz: &str, before: i32, after: i32) -> Studio {
    let system = Caller::system();
    let state = &app.state;
    let loc = locations::create(
        state,
        &system,
        CreateLocationInput {
            name: "Студия".into(),
            address: "Проспект 1".into(),
            timezone: Some(tz.into()),
        },
    )
    .await
    .unwrap()
    .id;
    locations::set_opening_hours(state, &system, loc, every_day("09:00", "18:00"))
        .await
        .unwrap();
    let room = resources::create(
        state,
        &system,
        CreateResourceInput {
            location_id: loc.into(),
            zone_id: None,
            kind: ResourceKind::Room,
            name: "Кабинет 1".into(),
            capacity: None,
            notes: None,
            sort_order: None,
        },
    )
    .await
    .unwrap()
    .id;
    let svc = catalog::save_service(
        state,
        &system,
        None,
        loc,
        ServiceSpec {
            name: "Массаж 60 мин".into(),
            category: Some("Массаж".into()),
            description: None,
            duration_minutes: 60,
            price: 1_000_000,
            buffer_before: before,
            buffer_after: after,
            active: true,
        },
    )
    .await
    .unwrap()
    .id;
    catalog::set_service_rooms(state, &system, svc, vec![room])
        .await
        .unwrap();
    let mut people = Vec::new();
    for (name, from, to) in [("Анна", "10:00", "17:00"), ("Борис", "09:00", "13:00")] {
        let id = catalog::save_specialist(
            state,
            &system,
            None,
            SpecialistSpec {
                first_name: name.into(),
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
        catalog::set_specialist_services(state, &system, id, vec![svc])
            .await
            .unwrap();
        schedules::set_hours(state, &system, id, loc, every_day(from, to))
            .await
            .unwrap();
        people.push(id);
    }
    Studio {
        loc,
        svc,
        anna: people[0],
        boris: people[1],
        room,
    }
}

async fn client(app: &TestApp, name: &str, phone: &str, discount: i32) -> i64 {
    let fields = RawFields {
        first_name: Some(name.into()),
        phone: Some(phone.into()),
        discount_percent: Some(discount),
        ..RawFields::default()
    }
    .check("input.")
    .unwrap();
    clients::create(&app.state, &Caller::system(), fields)
        .await
        .unwrap()
        .id
}

async fn deposit(app: &TestApp, client_id: i64, amount: i64) {
    let op = ledger::Operation::Deposit {
        client_id,
        amount,
        method: PaymentMethod::Cash,
    };
    ledger::apply(&app.state, &Caller::system(), op, &key())
        .await
        .unwrap();
}

async fn balance(app: &TestApp, client_id: i64) -> i64 {
    ledger::balance(&app.state.db, client_id).await.unwrap()
}

fn slots_vars(
    s: &Studio,
    who: Option<i64>,
    from: &str,
    to: &str,
) -> ops::available_slots::Variables {
    ops::available_slots::Variables {
        location_id: s.loc.to_string(),
        service_id: s.svc.to_string(),
        specialist_id: who.map(|w| w.to_string()),
        from: from.into(),
        to: to.into(),
    }
}

async fn starts(c: &Client, vars: ops::available_slots::Variables) -> Vec<String> {
    c.run::<ops::AvailableSlots>(vars)
        .await
        .unwrap()
        .available_slots
        .into_iter()
        .map(|s| utc(&s.starts_at).to_rfc3339())
        .collect()
}

fn hold_vars(s: &Studio, who: i64, at: &str) -> ops::hold_slot::Variables {
    ops::hold_slot::Variables {
        input: ops::hold_slot::HoldSlotInput {
            location_id: s.loc.to_string(),
            service_id: s.svc.to_string(),
            specialist_id: who.to_string(),
            starts_at: at.into(),
        },
    }
}

fn confirm_vars(
    token: &str,
    client_id: Option<i64>,
    payment: ops::confirm_booking::AppointmentPayment,
    discount: Option<i64>,
) -> ops::confirm_booking::Variables {
    ops::confirm_booking::Variables {
        input: ops::confirm_booking::ConfirmBookingInput {
            hold_token: token.into(),
            client_id: client_id.map(|c| c.to_string()),
            payment,
            client_package_id: None,
            discount_percent: discount,
            note: None,
            idempotency_key: None,
        },
    }
}

/// Holds and confirms as the system, for set-up.
async fn book(app: &TestApp, s: &Studio, who: i64, at: &str, client_id: i64) -> i64 {
    let system = Caller::system();
    let held = hold::hold_slot(
        &app.state,
        &system,
        HoldSpec {
            location_id: s.loc,
            service_id: s.svc,
            specialist_id: who,
            starts_at: utc(at),
        },
    )
    .await
    .unwrap();
    let spec = ConfirmSpec {
        client: Booker::Client(client_id),
        payment: AppointmentPayment::AtVenue,
        client_package_id: None,
        discount_percent: 0,
        note: None,
        consent: false,
    };
    appointments::confirm(&app.state, &system, &held.token, spec, None)
        .await
        .unwrap()
        .id
}

/// Berlin changes to summer time on 2026-03-29; local hours must hold on both sides.
async fn availability_follows_hand_built_schedules(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.state.clock.pin(Some(utc("2026-03-20T00:00:00Z")));
    let s = studio(&app, "Europe/Berlin", 0, 30).await;
    let system = Caller::system();
    schedules::set_rules(&app.state, &system, s.loc, 30, 24 * 60, 0)
        .await
        .unwrap();
    schedules::set_hours(
        &app.state,
        &system,
        s.anna,
        s.loc,
        every_day("10:00", "14:00"),
    )
    .await
    .unwrap();
    let lunch = (1..=7)
        .map(|w| schedules::BreakSpec {
            weekday: Some(w),
            date: None,
            starts_at: t("12:00"),
            ends_at: t("12:30"),
        })
        .collect();
    schedules::set_breaks(&app.state, &system, s.anna, lunch)
        .await
        .unwrap();
    locations::set_holiday(
        &app.state,
        &system,
        s.loc,
        HolidayInput {
            date: d("2026-03-27"),
            name: "Закрыто".into(),
            opens_at: None,
            closes_at: None,
        },
    )
    .await
    .unwrap();
    schedules::set_day(
        &app.state,
        &system,
        s.anna,
        s.loc,
        d("2026-03-31"),
        None,
        None,
    )
    .await
    .unwrap();
    let who = client(&app, "Вера", "+77010000101", 0).await;
    // Monday 10:00 local (summer time, UTC+2) is taken; with its 30-minute after-buffer it
    // blocks 10:00–11:30.
    book(&app, &s, s.anna, "2026-03-30T08:00:00Z", who).await;

    let visitor = app.client();
    let got = starts(
        &visitor,
        slots_vars(&s, Some(s.anna), "2026-03-27", "2026-03-31"),
    )
    .await;
    let want: Vec<String> = [
        // Saturday, winter time (UTC+1): 10:00, 10:30, 11:00, then 12:30 and 13:00 after lunch.
        "2026-03-28T09:00:00Z",
        "2026-03-28T09:30:00Z",
        "2026-03-28T10:00:00Z",
        "2026-03-28T11:30:00Z",
        "2026-03-28T12:00:00Z",
        // Sunday, summer time (UTC+2): the same local times.
        "2026-03-29T08:00:00Z",
        "2026-03-29T08:30:00Z",
        "2026-03-29T09:00:00Z",
        "2026-03-29T10:30:00Z",
        "2026-03-29T11:00:00Z",
        // Monday: the morning is taken by the booking and its buffer.
        "2026-03-30T10:30:00Z",
        "2026-03-30T11:00:00Z",
    ]
    .iter()
    .map(|s| utc(s).to_rfc3339())
    .collect();
    // Friday is a holiday and Tuesday Anna's day off.
    assert_eq!(got, want);

    // Boris starts at 09:00, but the room is Anna's 10:00–11:30 on Monday: his 09:00 would
    // need it until 10:30 with its own buffer, so he starts at 11:30.
    let boris = starts(
        &visitor,
        slots_vars(&s, Some(s.boris), "2026-03-30", "2026-03-30"),
    )
    .await;
    assert_eq!(
        boris,
        ["2026-03-30T09:30:00Z", "2026-03-30T10:00:00Z"]
            .iter()
            .map(|s| utc(s).to_rfc3339())
            .collect::<Vec<_>>()
    );
    let err = visitor
        .run::<ops::AvailableSlots>(slots_vars(&s, None, "2026-03-01", "2026-04-30"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("VALIDATION"));
    app.stop().await;
}

async fn next_update(
    stream: &mut clubgrid_tests::clubgrid_client::Subscription<ops::slots_changed::ResponseData>,
) -> ops::slots_changed::SlotsChangedSlotsChanged {
    tokio::time::timeout(StdDuration::from_secs(10), stream.next())
        .await
        .expect("an update in time")
        .expect("the stream is open")
        .expect("no error")
        .slots_changed
}

/// Monday 2026-11-23 10:00 in Almaty (UTC+5).
const MONDAY_10: &str = "2026-11-23T05:00:00Z";

async fn hold_confirm_release_and_cancel(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));
    let s = studio(&app, "Asia/Almaty", 0, 0).await;
    let visitor = app.client();
    let mut live = visitor
        .subscribe::<ops::SlotsChanged>(ops::slots_changed::Variables {
            location_id: s.loc.to_string(),
            service_id: Some(s.svc.to_string()),
        })
        .await
        .unwrap();
    let first = next_update(&mut live).await;
    assert_eq!(first.kind, ops::slots_changed::SlotChange::SNAPSHOT);
    assert!(!first.slots.is_empty());

    let day = || slots_vars(&s, Some(s.anna), "2026-11-23", "2026-11-23");
    let monday = utc(MONDAY_10).to_rfc3339();
    assert!(starts(&visitor, day()).await.contains(&monday));
    let held = visitor
        .run::<ops::HoldSlot>(hold_vars(&s, s.anna, MONDAY_10))
        .await
        .unwrap()
        .hold_slot;
    assert_eq!(held.resource_id, Some(s.room.to_string()));
    let again = visitor
        .run::<ops::HoldSlot>(hold_vars(&s, s.anna, MONDAY_10))
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("SLOT_TAKEN"));
    // Boris needs the same room at that time.
    let room = visitor
        .run::<ops::HoldSlot>(hold_vars(&s, s.boris, MONDAY_10))
        .await
        .unwrap_err();
    assert_eq!(room.code(), Some("SLOT_TAKEN"));
    assert!(!starts(&visitor, day()).await.contains(&monday));
    assert_eq!(
        next_update(&mut live).await.kind,
        ops::slots_changed::SlotChange::HELD
    );

    visitor
        .run::<ops::ReleaseHold>(ops::release_hold::Variables {
            token: held.token.clone(),
        })
        .await
        .unwrap();
    assert!(starts(&visitor, day()).await.contains(&monday));
    assert_eq!(
        next_update(&mut live).await.kind,
        ops::slots_changed::SlotChange::RELEASED
    );

    let held = visitor
        .run::<ops::HoldSlot>(hold_vars(&s, s.anna, MONDAY_10))
        .await
        .unwrap()
        .hold_slot;
    next_update(&mut live).await;
    let booked = visitor
        .run::<ops::ConfirmPublicBooking>(ops::confirm_public_booking::Variables {
            input: ops::confirm_public_booking::PublicBookingInput {
                consent_to_contact: None,
                hold_token: held.token.clone(),
                name: "Алия Омарова".into(),
                phone: "8 701 555 11 22".into(),
                note: None,
                idempotency_key: None,
            },
        })
        .await
        .unwrap()
        .confirm_public_booking;
    assert_eq!(
        booked.status,
        ops::confirm_public_booking::AppointmentStatus::BOOKED
    );
    assert_eq!(
        next_update(&mut live).await.kind,
        ops::slots_changed::SlotChange::BOOKED
    );
    // The visitor became a client, found by phone next time.
    let alia = clients::find_by_phone(
        &app.state.db,
        &clubgrid_api::domain::Phone::parse("phone", "+77015551122").unwrap(),
        None,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(alia.first_name, "Алия");
    let found = visitor
        .run::<ops::PublicBookingByCode>(ops::public_booking_by_code::Variables {
            code: booked.code.to_lowercase(),
        })
        .await
        .unwrap()
        .public_booking;
    assert_eq!(utc(&found.starts_at), utc(MONDAY_10));
    assert!(!starts(&visitor, day()).await.contains(&monday));
    let taken = visitor
        .run::<ops::HoldSlot>(hold_vars(&s, s.anna, MONDAY_10))
        .await
        .unwrap_err();
    assert_eq!(taken.code(), Some("SLOT_TAKEN"));
    let reused = visitor
        .run::<ops::ConfirmPublicBooking>(ops::confirm_public_booking::Variables {
            input: ops::confirm_public_booking::PublicBookingInput {
                consent_to_contact: None,
                hold_token: held.token.clone(),
                name: "Алия".into(),
                phone: "+77015551122".into(),
                note: None,
                idempotency_key: None,
            },
        })
        .await
        .unwrap_err();
    assert_eq!(reused.code(), Some("HOLD_EXPIRED"));

    let push = visitor
        .run::<ops::SavePushSubscription>(ops::save_push_subscription::Variables {
            input: ops::save_push_subscription::PushSubscriptionInput {
                booking_code: Some(booked.code.clone()),
                endpoint: "https://push.example.com/abc".into(),
                p256_dh: "BPk3".into(),
                auth: "a1b2".into(),
            },
        })
        .await
        .unwrap()
        .save_push_subscription;
    assert_eq!(push.endpoint, "https://push.example.com/abc");

    let cancelled = visitor
        .run::<ops::CancelPublicBooking>(ops::cancel_public_booking::Variables {
            code: booked.code.clone(),
            reason: Some("Заболела".into()),
        })
        .await
        .unwrap()
        .cancel_public_booking;
    assert_eq!(
        cancelled.status,
        ops::cancel_public_booking::AppointmentStatus::CANCELLED
    );
    assert_eq!(
        next_update(&mut live).await.kind,
        ops::slots_changed::SlotChange::CANCELLED
    );
    assert!(starts(&visitor, day()).await.contains(&monday));
    app.stop().await;
}

async fn holds_run_out(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.hold_seconds = 1).await;
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));
    let s = studio(&app, "Asia/Almaty", 0, 0).await;
    let visitor = app.client();
    let held = visitor
        .run::<ops::HoldSlot>(hold_vars(&s, s.anna, MONDAY_10))
        .await
        .unwrap()
        .hold_slot;
    tokio::time::sleep(StdDuration::from_millis(1500)).await;
    let err = visitor
        .run::<ops::ConfirmPublicBooking>(ops::confirm_public_booking::Variables {
            input: ops::confirm_public_booking::PublicBookingInput {
                consent_to_contact: None,
                hold_token: held.token,
                name: "Опоздавший".into(),
                phone: "+77015550000".into(),
                note: None,
                idempotency_key: None,
            },
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("HOLD_EXPIRED"));
    assert_eq!(hold::sweep(&app.state).await.unwrap(), 1);
    assert_eq!(hold::sweep(&app.state).await.unwrap(), 0);
    // The slot is free again.
    visitor
        .run::<ops::HoldSlot>(hold_vars(&s, s.anna, MONDAY_10))
        .await
        .unwrap();
    app.stop().await;
}

async fn wallet_and_package_payments_with_refunds(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));
    let s = studio(&app, "Asia/Almaty", 0, 0).await;
    let system = Caller::system();
    let aigerim = client(&app, "Айгерим", "+77010000201", 10).await;
    deposit(&app, aigerim, 2_000_000).await;
    let desk = app.as_role(Role::Operator).await;
    let hold_as = |c: &Client, who: i64, at: &'static str| {
        let c = c.clone();
        let vars = hold_vars(&s, who, at);
        async move { c.run::<ops::HoldSlot>(vars).await.unwrap().hold_slot.token }
    };

    // 10 000.00, less her 10 % (1 000.00), less 5 % of the rest (450.00): 8 550.00.
    let token = hold_as(&desk, s.anna, MONDAY_10).await;
    let paid = desk
        .run::<ops::ConfirmBooking>(confirm_vars(
            &token,
            Some(aigerim),
            ops::confirm_booking::AppointmentPayment::WALLET,
            Some(5),
        ))
        .await
        .unwrap()
        .confirm_booking;
    assert_eq!(paid.price.price, "10000.00");
    assert_eq!(paid.price.client_discount, "1000.00");
    assert_eq!(paid.price.discount, "450.00");
    assert_eq!(paid.price.total, "8550.00");
    assert_eq!(paid.paid, "8550.00");
    assert_eq!(balance(&app, aigerim).await, 2_000_000 - 855_000);
    // Cancelled days ahead: inside the policy, the money goes back.
    let cancelled = desk
        .run::<ops::CancelAppointment>(ops::cancel_appointment::Variables {
            id: paid.id.clone(),
            reason: None,
        })
        .await
        .unwrap()
        .cancel_appointment;
    assert_eq!(cancelled.refunded, "8550.00");
    assert_eq!(balance(&app, aigerim).await, 2_000_000);

    // Cancelled an hour before the start (the cut-off is a day): the desk may, nothing returns.
    let token = hold_as(&desk, s.anna, "2026-11-23T06:00:00Z").await;
    let late = desk
        .run::<ops::ConfirmBooking>(confirm_vars(
            &token,
            Some(aigerim),
            ops::confirm_booking::AppointmentPayment::WALLET,
            None,
        ))
        .await
        .unwrap()
        .confirm_booking;
    app.state.clock.pin(Some(utc("2026-11-23T05:00:00Z")));
    let late = desk
        .run::<ops::CancelAppointment>(ops::cancel_appointment::Variables {
            id: late.id,
            reason: Some("Поздно".into()),
        })
        .await
        .unwrap()
        .cancel_appointment;
    assert_eq!(late.refunded, "0.00");
    assert_eq!(balance(&app, aigerim).await, 2_000_000 - 900_000);
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));

    // "2 visits for 15 000.00, valid 30 days".
    let pack = catalog::create_package(&app.state, &system, s.svc, "2 массажа", 2, 30, 1_500_000)
        .await
        .unwrap();
    let sold = clubgrid_api::booking::packages::sell(
        &app.state,
        &system,
        aigerim,
        pack.id,
        PaymentMethod::Card,
        &key(),
    )
    .await
    .unwrap();
    assert_eq!(sold.visits_left, 2);
    let visits = |id: i64| {
        let db = app.state.db.clone();
        async move {
            entity::client_package::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .visits_left
        }
    };
    let by_package = ops::confirm_booking::AppointmentPayment::PACKAGE;
    let token = hold_as(&desk, s.anna, MONDAY_10).await;
    let first = desk
        .run::<ops::ConfirmBooking>(confirm_vars(
            &token,
            Some(aigerim),
            by_package.clone(),
            None,
        ))
        .await
        .unwrap()
        .confirm_booking;
    assert_eq!(first.price.total, "0.00");
    assert_eq!(first.client_package_id, Some(sold.id.to_string()));
    assert_eq!(visits(sold.id).await, 1);
    desk.run::<ops::CancelAppointment>(ops::cancel_appointment::Variables {
        id: first.id,
        reason: None,
    })
    .await
    .unwrap();
    assert_eq!(visits(sold.id).await, 2);
    for at in ["2026-11-23T05:00:00Z", "2026-11-23T07:00:00Z"] {
        let token = hold_as(&desk, s.anna, at).await;
        desk.run::<ops::ConfirmBooking>(confirm_vars(
            &token,
            Some(aigerim),
            by_package.clone(),
            None,
        ))
        .await
        .unwrap();
    }
    assert_eq!(visits(sold.id).await, 0);
    let token = hold_as(&desk, s.anna, "2026-11-23T09:00:00Z").await;
    let used_up = desk
        .run::<ops::ConfirmBooking>(confirm_vars(
            &token,
            Some(aigerim),
            by_package.clone(),
            None,
        ))
        .await
        .unwrap_err();
    assert_eq!(used_up.code(), Some("CONFLICT"));

    // A one-day package has run out by a booking three days later.
    let dana = client(&app, "Дана", "+77010000202", 0).await;
    let short = catalog::create_package(&app.state, &system, s.svc, "Пробный", 1, 1, 0)
        .await
        .unwrap();
    clubgrid_api::booking::packages::sell(
        &app.state,
        &system,
        dana,
        short.id,
        PaymentMethod::Cash,
        &key(),
    )
    .await
    .unwrap();
    let expired = desk
        .run::<ops::ConfirmBooking>(confirm_vars(&token, Some(dana), by_package, None))
        .await
        .unwrap_err();
    assert_eq!(expired.code(), Some("CONFLICT"));
    // And an empty wallet does not pay.
    let broke = desk
        .run::<ops::ConfirmBooking>(confirm_vars(
            &token,
            Some(dana),
            ops::confirm_booking::AppointmentPayment::WALLET,
            None,
        ))
        .await
        .unwrap_err();
    assert_eq!(broke.code(), Some("INSUFFICIENT_FUNDS"));
    app.stop().await;
}

async fn clients_touch_only_their_own_bookings(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));
    let s = studio(&app, "Asia/Almaty", 0, 0).await;
    let mine = client(&app, "Мария", "+77010000301", 0).await;
    let theirs = client(&app, "Ерлан", "+77010000302", 0).await;
    let user = app.create_user("maria", Role::Client).await;
    identity::link(&app.state, &Caller::system(), user, mine)
        .await
        .unwrap();
    let maria = app.login("maria", clubgrid_tests::PASSWORD).await;
    let erlan_booking = book(&app, &s, s.boris, MONDAY_10, theirs).await;

    let err = maria
        .run::<ops::CancelAppointment>(ops::cancel_appointment::Variables {
            id: erlan_booking.to_string(),
            reason: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    let err = maria
        .run::<ops::RescheduleAppointment>(ops::reschedule_appointment::Variables {
            id: erlan_booking.to_string(),
            starts_at: "2026-11-23T06:00:00Z".into(),
            specialist_id: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));

    let token = maria
        .run::<ops::HoldSlot>(hold_vars(&s, s.anna, "2026-11-23T08:00:00Z"))
        .await
        .unwrap()
        .hold_slot
        .token;
    let err = maria
        .run::<ops::ConfirmBooking>(confirm_vars(
            &token,
            Some(theirs),
            ops::confirm_booking::AppointmentPayment::AT_VENUE,
            None,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    // Someone else's hold is not hers to confirm either.
    let desk = app.as_role(Role::Operator).await;
    let err = desk
        .run::<ops::ConfirmBooking>(confirm_vars(
            &token,
            Some(mine),
            ops::confirm_booking::AppointmentPayment::AT_VENUE,
            None,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    let own = maria
        .run::<ops::ConfirmBooking>(confirm_vars(
            &token,
            None,
            ops::confirm_booking::AppointmentPayment::AT_VENUE,
            None,
        ))
        .await
        .unwrap()
        .confirm_booking;
    assert_eq!(own.client_id, mine.to_string());
    let moved = maria
        .run::<ops::RescheduleAppointment>(ops::reschedule_appointment::Variables {
            id: own.id.clone(),
            starts_at: "2026-11-23T09:00:00Z".into(),
            specialist_id: None,
        })
        .await
        .unwrap()
        .reschedule_appointment;
    assert_eq!(utc(&moved.starts_at), utc("2026-11-23T09:00:00Z"));
    let done = maria
        .run::<ops::CancelAppointment>(ops::cancel_appointment::Variables {
            id: own.id,
            reason: None,
        })
        .await
        .unwrap()
        .cancel_appointment;
    assert_eq!(
        done.status,
        ops::cancel_appointment::AppointmentStatus::CANCELLED
    );
    app.stop().await;
}

async fn booked_count(app: &TestApp) -> usize {
    entity::appointment::Entity::find()
        .filter(entity::appointment::Column::Status.eq(AppointmentStatus::Booked))
        .all(&app.state.db)
        .await
        .unwrap()
        .len()
}

async fn two_hundred_confirms_make_one_appointment(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));
    let s = studio(&app, "Asia/Almaty", 0, 0).await;
    let who = client(&app, "Гульнара", "+77010000401", 0).await;
    let desk = app.as_role(Role::Operator).await;
    let token = desk
        .run::<ops::HoldSlot>(hold_vars(&s, s.anna, MONDAY_10))
        .await
        .unwrap()
        .hold_slot
        .token;
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let desk = desk.clone();
        let vars = confirm_vars(
            &token,
            Some(who),
            ops::confirm_booking::AppointmentPayment::AT_VENUE,
            None,
        );
        tasks.push(tokio::spawn(async move {
            desk.run::<ops::ConfirmBooking>(vars).await
        }));
    }
    let mut made = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => made += 1,
            Err(e) => assert!(
                matches!(e.code(), Some("SLOT_TAKEN" | "HOLD_EXPIRED")),
                "{e:?}"
            ),
        }
    }
    assert_eq!(made, 1);
    assert_eq!(booked_count(&app).await, 1);
    app.stop().await;
}

fn public_vars(
    token: &str,
    name: &str,
    phone: &str,
    key: Option<&str>,
) -> ops::confirm_public_booking::Variables {
    ops::confirm_public_booking::Variables {
        input: ops::confirm_public_booking::PublicBookingInput {
            consent_to_contact: None,
            hold_token: token.into(),
            name: name.into(),
            phone: phone.into(),
            note: None,
            idempotency_key: key.map(Into::into),
        },
    }
}

/// 50 visitors confirm 50 holds at once: 50 bookings, none refused (no INTERNAL for a busy
/// database). Then 10 retries of one confirmation with one idempotency key, all at once: one
/// booking, and every answer is that booking.
async fn public_confirms_race_without_internal_errors(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.public_writes_per_address_per_hour = 10_000;
    })
    .await;
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));
    let s = studio(&app, "Asia/Almaty", 0, 0).await;
    let system = Caller::system();
    // Both need the one room: Boris 09:00–13:00 and Anna 13:00–17:00 local, a week of days.
    let mut tokens = Vec::new();
    for day in 0..7 {
        for hour in 9..17 {
            let who = if hour < 13 { s.boris } else { s.anna };
            let at = utc("2026-11-23T00:00:00Z")
                + chrono::Duration::days(day)
                + chrono::Duration::hours(hour - 5);
            let spec = HoldSpec {
                location_id: s.loc,
                service_id: s.svc,
                specialist_id: who,
                starts_at: at,
            };
            tokens.push(
                hold::hold_slot(&app.state, &system, spec)
                    .await
                    .unwrap()
                    .token,
            );
        }
    }
    tokens.truncate(51);
    let again = tokens.pop().unwrap();

    let visitor = app.client();
    let mut tasks = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let (visitor, vars) = (
            visitor.clone(),
            public_vars(token, "Гость Быстрый", &format!("+770155{i:05}"), None),
        );
        tasks.push(tokio::spawn(async move {
            visitor.run::<ops::ConfirmPublicBooking>(vars).await
        }));
    }
    let mut codes = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(done) => codes.push(done.confirm_public_booking.code),
            Err(e) => panic!("a public confirm of its own hold failed: {e:?}"),
        }
    }
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 50);
    assert_eq!(booked_count(&app).await, 50);

    let key = key();
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (visitor, vars) = (
            visitor.clone(),
            public_vars(&again, "Гость Повторный", "+77015599999", Some(&key)),
        );
        tasks.push(tokio::spawn(async move {
            visitor.run::<ops::ConfirmPublicBooking>(vars).await
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap().unwrap().confirm_public_booking);
    }
    assert_eq!(booked_count(&app).await, 51);
    let booked = entity::appointment::Entity::find()
        .filter(entity::appointment::Column::Code.eq(answers[0].code.clone()))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("the answer is a booking");
    assert_eq!(booked.status, AppointmentStatus::Booked);
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    // One visitor, one client record, whatever the retries.
    let phone = clubgrid_api::domain::Phone::parse("phone", "+77015599999").unwrap();
    let guest = clients::find_by_phone(&app.state.db, &phone, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(booked.client_id, guest.id);
    app.stop().await;
}

async fn a_paused_holder_cannot_book_over_a_newer_booking(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.hold_seconds = 1).await;
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));
    let s = studio(&app, "Asia/Almaty", 0, 0).await;
    let first = client(&app, "Первый", "+77010000501", 0).await;
    let second = client(&app, "Второй", "+77010000502", 0).await;
    let system = Caller::system();
    let spec = HoldSpec {
        location_id: s.loc,
        service_id: s.svc,
        specialist_id: s.anna,
        starts_at: utc(MONDAY_10),
    };
    // The first holder reads its hold, then stalls past the TTL.
    let stale = hold::hold_slot(&app.state, &system, spec).await.unwrap();
    tokio::time::sleep(StdDuration::from_millis(1300)).await;
    let spec = HoldSpec {
        location_id: s.loc,
        service_id: s.svc,
        specialist_id: s.anna,
        starts_at: utc(MONDAY_10),
    };
    let fresh = hold::hold_slot(&app.state, &system, spec).await.unwrap();
    let confirm = |client_id| ConfirmSpec {
        client: Booker::Client(client_id),
        payment: AppointmentPayment::AtVenue,
        client_package_id: None,
        discount_percent: 0,
        note: None,
        consent: false,
    };
    appointments::confirm(&app.state, &system, &fresh.token, confirm(second), None)
        .await
        .unwrap();
    // It wakes up and writes with what it read.
    let err = appointments::write(&app.state, &system, &stale, &confirm(first))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.code(),
            clubgrid_api::ErrorCode::SlotTaken | clubgrid_api::ErrorCode::HoldExpired
        ),
        "{err:?}"
    );
    let err = appointments::confirm(&app.state, &system, &stale.token, confirm(first), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), clubgrid_api::ErrorCode::HoldExpired);
    assert_eq!(booked_count(&app).await, 1);
    app.stop().await;
}

async fn party_orders_reserve_area_and_rest_room(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));
    let system = Caller::system();
    let loc = locations::create(
        &app.state,
        &system,
        CreateLocationInput {
            name: "Лазертаг".into(),
            address: "Парк".into(),
            timezone: Some("Asia/Almaty".into()),
        },
    )
    .await
    .unwrap()
    .id;
    let place = |kind: ResourceKind, name: &str, capacity: i32| CreateResourceInput {
        location_id: loc.into(),
        zone_id: None,
        kind,
        name: name.into(),
        capacity: Some(capacity),
        notes: None,
        sort_order: None,
    };
    let mut ids = Vec::new();
    for input in [
        place(ResourceKind::Arena, "Арена", 20),
        place(ResourceKind::Arena, "Лес", 30),
        place(ResourceKind::RestRoom, "Комната 1", 15),
        place(ResourceKind::RestRoom, "Комната 2", 15),
    ] {
        ids.push(
            resources::create(&app.state, &system, input)
                .await
                .unwrap()
                .id,
        );
    }
    let (arena, forest, rest1, rest2) = (ids[0], ids[1], ids[2], ids[3]);
    let gifts = party::gifts(&app.state, false).await.unwrap();
    assert_eq!(gifts.len(), 4);
    let manager = app.as_role(Role::Manager).await;
    let order =
        |area: i64, rest: Option<i64>, at: &str, players: i64| ops::create_party_order::Variables {
            input: ops::create_party_order::PartyOrderInput {
                location_id: loc.to_string(),
                client_id: None,
                contact_name: "Тимур".into(),
                contact_phone: "+77010000601".into(),
                game_type: ops::create_party_order::GameType::BIRTHDAY,
                players,
                area_id: area.to_string(),
                starts_at: at.into(),
                game_minutes: 60,
                rest_room_id: rest.map(|r| r.to_string()),
                rest_minutes: rest.map(|_| 60),
                gift_ids: Some(vec![gifts[0].id.to_string(), gifts[1].id.to_string()]),
                notes: Some("Торт свой".into()),
            },
        };
    // 14:00–15:00 in the arena, then 15:00–16:00 in rest room 1 (Almaty, UTC+5).
    let first = manager
        .run::<ops::CreatePartyOrder>(order(arena, Some(rest1), "2026-11-23T09:00:00Z", 12))
        .await
        .unwrap()
        .create_party_order;
    assert_eq!(utc(&first.game_ends_at), utc("2026-11-23T10:00:00Z"));
    assert_eq!(utc(&first.ends_at), utc("2026-11-23T11:00:00Z"));
    assert_eq!(first.gift_ids.len(), 2);
    let arena_taken = manager
        .run::<ops::CreatePartyOrder>(order(arena, None, "2026-11-23T09:30:00Z", 10))
        .await
        .unwrap_err();
    assert_eq!(arena_taken.code(), Some("SLOT_TAKEN"));
    let rest_taken = manager
        .run::<ops::CreatePartyOrder>(order(forest, Some(rest1), "2026-11-23T09:00:00Z", 10))
        .await
        .unwrap_err();
    assert_eq!(rest_taken.code(), Some("SLOT_TAKEN"));
    // The clash names the room and the taken interval in Almaty time (UTC+5): the first
    // order's rest follows its game, 10:00-11:00 UTC.
    let clubgrid_tests::clubgrid_client::ClientError::Graphql(errors) = &rest_taken else {
        panic!("{rest_taken}")
    };
    let ext = errors[0].extensions.as_ref().unwrap();
    assert_eq!(ext["resourceName"], "Комната 1");
    assert_eq!(ext["resourceId"], rest1.to_string());
    assert!(
        ext["takenFrom"].as_str().unwrap().ends_with("+05:00"),
        "{ext:?}"
    );
    assert!(
        errors[0]
            .message
            .contains("«Комната 1» занята с 23.11.2026 15:00"),
        "{}",
        errors[0].message
    );
    // A rest room holds no more than its capacity (15).
    let crowded_room = manager
        .run::<ops::CreatePartyOrder>(order(forest, Some(rest2), "2026-11-23T09:00:00Z", 25))
        .await
        .unwrap_err();
    assert_eq!(crowded_room.code(), Some("VALIDATION"));
    assert!(
        crowded_room.to_string().contains("Комната 2")
            || format!("{crowded_room:?}").contains("Комната 2")
    );
    manager
        .run::<ops::CreatePartyOrder>(order(forest, Some(rest2), "2026-11-23T09:00:00Z", 15))
        .await
        .unwrap();
    let crowd = manager
        .run::<ops::CreatePartyOrder>(order(arena, None, "2026-11-23T12:00:00Z", 25))
        .await
        .unwrap_err();
    assert_eq!(crowd.code(), Some("VALIDATION"));
    // Right after the first game the arena is free again.
    manager
        .run::<ops::CreatePartyOrder>(order(arena, None, "2026-11-23T10:00:00Z", 20))
        .await
        .unwrap();

    // Editing: a move onto taken time changes nothing; a move onto free time frees the old.
    let edit = |area: i64, rest: Option<i64>, at: &str, players: i64| {
        let o = order(area, rest, at, players).input;
        ops::update_party_order::Variables {
            id: first.id.clone(),
            input: ops::update_party_order::PartyOrderInput {
                location_id: o.location_id,
                client_id: None,
                contact_name: o.contact_name,
                contact_phone: o.contact_phone,
                game_type: ops::update_party_order::GameType::QUEST,
                players: o.players,
                area_id: o.area_id,
                starts_at: o.starts_at,
                game_minutes: 90,
                rest_room_id: o.rest_room_id,
                rest_minutes: o.rest_minutes,
                gift_ids: Some(vec![gifts[2].id.to_string()]),
                notes: None,
            },
        }
    };
    let onto_forest = manager
        .run::<ops::UpdatePartyOrder>(edit(forest, Some(rest1), "2026-11-23T08:30:00Z", 12))
        .await
        .unwrap_err();
    assert_eq!(onto_forest.code(), Some("SLOT_TAKEN"));
    let still = party::get(&app.state.db, first.id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(still.area_id, arena);
    assert_eq!(utc(&still.starts_at.to_rfc3339()), utc(&first.starts_at));
    let arena_still_taken = manager
        .run::<ops::CreatePartyOrder>(order(arena, None, "2026-11-23T09:30:00Z", 10))
        .await
        .unwrap_err();
    assert_eq!(arena_still_taken.code(), Some("SLOT_TAKEN"));
    let too_many = manager
        .run::<ops::UpdatePartyOrder>(edit(arena, Some(rest1), "2026-11-23T12:00:00Z", 21))
        .await
        .unwrap_err();
    assert_eq!(too_many.code(), Some("VALIDATION"));
    // 17:00–18:30 in the arena, then 18:30–19:30 in rest room 1.
    let moved = manager
        .run::<ops::UpdatePartyOrder>(edit(arena, Some(rest1), "2026-11-23T12:00:00Z", 14))
        .await
        .unwrap()
        .update_party_order;
    assert_eq!(moved.id, first.id);
    assert_eq!(utc(&moved.game_ends_at), utc("2026-11-23T13:30:00Z"));
    assert_eq!(utc(&moved.ends_at), utc("2026-11-23T14:30:00Z"));
    assert_eq!(moved.players, 14);
    assert_eq!(moved.game_type, ops::update_party_order::GameType::QUEST);
    assert_eq!(moved.gift_ids, vec![gifts[2].id.to_string()]);
    // The old time is free: 14:00–15:00 in the arena for someone else.
    manager
        .run::<ops::CreatePartyOrder>(order(arena, None, "2026-11-23T09:00:00Z", 8))
        .await
        .unwrap();

    party::close(
        &app.state,
        &system,
        first.id.parse().unwrap(),
        entity::enums::PartyStatus::Cancelled,
    )
    .await
    .unwrap();
    let closed = manager
        .run::<ops::UpdatePartyOrder>(edit(arena, None, "2026-11-23T15:00:00Z", 10))
        .await
        .unwrap_err();
    assert_eq!(closed.code(), Some("CONFLICT"));
    manager
        .run::<ops::CreatePartyOrder>(order(forest, Some(rest1), "2026-11-23T08:00:00Z", 10))
        .await
        .unwrap();
    let listed = manager
        .run::<ops::PartyOrders>(ops::party_orders::Variables {
            location_id: loc.to_string(),
            from: "2026-11-23T00:00:00Z".into(),
            to: "2026-11-24T00:00:00Z".into(),
        })
        .await
        .unwrap()
        .party_orders;
    let with_rest = listed
        .iter()
        .find(|o| o.rest_room_id.as_deref() == Some(&rest1.to_string()) && o.id != first.id)
        .unwrap();
    assert_eq!(with_rest.area.as_ref().unwrap().name, "Лес");
    assert_eq!(with_rest.rest_room.as_ref().unwrap().name, "Комната 1");
    assert_eq!(with_rest.client.as_ref().unwrap().display_name, "Тимур");
    let calendar = manager
        .run::<ops::BookingCalendar>(ops::booking_calendar::Variables {
            location_id: loc.to_string(),
            date: "2026-11-23".into(),
            view: ops::booking_calendar::CalendarView::WEEK,
        })
        .await
        .unwrap()
        .booking_calendar;
    assert_eq!(calendar.entries.len(), 4);
    assert_eq!(utc(&calendar.from), utc("2026-11-22T19:00:00Z"));
    app.stop().await;
}

/// The front desk's list (client, service, specialist and room of each appointment) costs the
/// same statements for 1, 10 and 50 appointments.
async fn appointment_lists_cost_the_same_statements_at_any_length(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));
    let s = studio(&app, "Asia/Almaty", 0, 0).await;
    // Anna's 10:00–17:00 holds seven a day (Almaty is UTC+5).
    let mut made = 0;
    'days: for day in 0..8 {
        for hour in 5..12 {
            let at = format!("2026-11-{:02}T{hour:02}:00:00Z", 23 + day);
            let who = client(
                &app,
                &format!("Гость {made}"),
                &format!("+7701100{made:04}"),
                0,
            )
            .await;
            book(&app, &s, s.anna, &at, who).await;
            made += 1;
            if made == 50 {
                break 'days;
            }
        }
    }
    let desk = app.as_role(Role::Operator).await;
    let mut costs = Vec::new();
    for size in [1i64, 10, 50] {
        let vars = || ops::appointments::Variables {
            filter: Some(ops::appointments::AppointmentFilter {
                location_id: Some(s.loc.to_string()),
                client_id: None,
                specialist_id: None,
                status: None,
                from: None,
                to: None,
            }),
            page: Some(ops::appointments::PageInput {
                limit: Some(size),
                offset: None,
            }),
        };
        // The least of three runs: a busy two-core host can split a batch now and then.
        let mut cost = u64::MAX;
        let mut got = None;
        for _ in 0..3 {
            let before = app.statements();
            let page = desk
                .run::<ops::Appointments>(vars())
                .await
                .unwrap()
                .appointments;
            cost = cost.min(app.statements() - before);
            got = Some(page);
        }
        let page = got.unwrap();
        assert_eq!(page.items.len() as i64, size);
        assert_eq!(page.page_info.total, 50);
        assert!(page.items.iter().all(|a| {
            a.client
                .as_ref()
                .is_some_and(|c| c.display_name.starts_with("Гость"))
                && a.service.as_ref().is_some_and(|v| v.duration_minutes == 60)
                && a.specialist
                    .as_ref()
                    .is_some_and(|p| p.first_name == "Анна")
                && a.room.as_ref().is_some_and(|r| r.name == "Кабинет 1")
        }));
        costs.push(cost);
    }
    clubgrid_tests::flat_statements("appointment list with relations", &costs);
    app.stop().await;
}

/// `seed --demo` leaves a studio a visitor can book and a club an operator can sell time in;
/// seeding again adds nothing.
async fn the_demo_is_ready_to_book_and_play(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));
    clubgrid_api::demo::seed(&app.state).await.unwrap();
    clubgrid_api::demo::seed(&app.state).await.unwrap();
    let by_name = |name: &'static str| {
        let state = app.state.clone();
        async move {
            entity::location::Entity::find()
                .filter(entity::location::Column::Name.eq(name))
                .all(&state.db)
                .await
                .unwrap()
        }
    };
    let studio = by_name("Студия «Баланс»").await;
    assert_eq!(studio.len(), 1);
    let studio = studio[0].id;
    let services = catalog::services(&app.state, studio, false).await.unwrap();
    assert_eq!(services.len(), 3);
    let visitor = app.client();
    let classic = services
        .iter()
        .find(|s| s.duration_minutes == 60)
        .unwrap()
        .id;
    let slots = visitor
        .run::<ops::AvailableSlots>(ops::available_slots::Variables {
            location_id: studio.to_string(),
            service_id: classic.to_string(),
            specialist_id: None,
            from: "2026-11-23".into(),
            to: "2026-11-23".into(),
        })
        .await
        .unwrap()
        .available_slots;
    // Two specialists, 10:00–19:00 and 09:00–18:00 with an hour's lunch, 75-minute blocks.
    assert!(slots.len() >= 20, "{} slots", slots.len());
    // Nobody works through lunch, 14:00–15:00 in Almaty.
    let (lunch, after) = (utc("2026-11-23T09:00:00Z"), utc("2026-11-23T10:00:00Z"));
    assert!(
        slots
            .iter()
            .all(|s| utc(&s.ends_at) <= lunch || utc(&s.starts_at) >= after)
    );

    let club = by_name("CyberArena Абая").await;
    let tariffs = clubgrid_api::club::catalog::tariffs(&app.state.db, club[0].id, None)
        .await
        .unwrap();
    assert_eq!(tariffs.len(), 4);
    assert!(tariffs.iter().all(|(_, packages)| packages.len() == 2));
    let promotions = clubgrid_api::club::catalog::promotions(&app.state.db, club[0].id)
        .await
        .unwrap();
    // The weekday mornings and this week in VIP.
    assert_eq!(promotions.len(), 2);
    app.stop().await;
}

/// A small deterministic generator, so a failing sequence can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

async fn assert_no_overlap(app: &TestApp, step: usize) {
    let claims = entity::booking_claim::Entity::find()
        .filter(entity::booking_claim::Column::Live.eq(true))
        .all(&app.state.db)
        .await
        .unwrap();
    for a in &claims {
        for b in &claims {
            if a.id >= b.id {
                continue;
            }
            let same = (a.specialist_id.is_some() && a.specialist_id == b.specialist_id)
                || (a.resource_id.is_some() && a.resource_id == b.resource_id);
            assert!(
                !same || a.ends_at <= b.starts_at || b.ends_at <= a.starts_at,
                "step {step}: claims {} and {} overlap",
                a.id,
                b.id
            );
        }
    }
    let booked = entity::appointment::Entity::find()
        .filter(entity::appointment::Column::Status.eq(AppointmentStatus::Booked))
        .all(&app.state.db)
        .await
        .unwrap();
    for x in &booked {
        assert!(
            claims.iter().any(|c| c.appointment_id == Some(x.id)),
            "step {step}: appointment {} holds no time",
            x.id
        );
    }
}

async fn random_sequences_never_overlap(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.state.clock.pin(Some(utc("2026-11-20T03:00:00Z")));
    let s = studio(&app, "Asia/Almaty", 0, 15).await;
    let system = Caller::system();
    let who = client(&app, "Случай", "+77010000701", 0).await;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let starts: Vec<DateTime<Utc>> = (0..16)
        .map(|i| utc("2026-11-23T04:00:00Z") + chrono::Duration::minutes(30 * i))
        .collect();
    let people = [s.anna, s.boris];
    let mut holds: Vec<hold::Held> = Vec::new();
    let mut stale: Vec<hold::Held> = Vec::new();
    let mut booked: Vec<i64> = Vec::new();
    let spec = || ConfirmSpec {
        client: Booker::Client(who),
        payment: AppointmentPayment::AtVenue,
        client_package_id: None,
        discount_percent: 0,
        note: None,
        consent: false,
    };
    for step in 0..120 {
        match rng.below(6) {
            0 | 1 => {
                let at = starts[rng.below(starts.len())];
                let spec = HoldSpec {
                    location_id: s.loc,
                    service_id: s.svc,
                    specialist_id: people[rng.below(2)],
                    starts_at: at,
                };
                if let Ok(h) = hold::hold_slot(&app.state, &system, spec).await {
                    holds.push(h);
                }
            }
            2 if !holds.is_empty() => {
                let h = holds.remove(rng.below(holds.len()));
                if let Ok(row) =
                    appointments::confirm(&app.state, &system, &h.token, spec(), None).await
                {
                    booked.push(row.id);
                }
                stale.push(h);
            }
            3 if !booked.is_empty() => {
                let id = booked[rng.below(booked.len())];
                let at = starts[rng.below(starts.len())];
                let who = Some(people[rng.below(2)]);
                let _ = lifecycle::reschedule(&app.state, &system, Reach::Staff, id, at, who).await;
            }
            4 if !booked.is_empty() => {
                let id = booked.remove(rng.below(booked.len()));
                lifecycle::cancel(&app.state, &system, Reach::Staff, id, None)
                    .await
                    .unwrap();
            }
            4 | 5 if !holds.is_empty() => {
                // A hold runs out: gone from the store, its holder may still try to write.
                let h = holds.remove(rng.below(holds.len()));
                app.state.holds.release(&h.token).await.unwrap();
                stale.push(h);
            }
            _ if !stale.is_empty() => {
                let h = &stale[rng.below(stale.len())];
                if let Ok(row) = appointments::write(&app.state, &system, h, &spec()).await {
                    booked.push(row.id);
                }
            }
            _ => {}
        }
        assert_no_overlap(&app, step).await;
    }
    assert!(!booked.is_empty());
    app.stop().await;
}

//! Notifications end to end on both backends: events of the outbox to the fake Telegram Bot
//! API and to a local Web Push service that decrypts every payload and checks its VAPID JWT;
//! retries, removal of gone subscriptions and the dead letter; quiet hours and opt-out; the
//! sign-in code; reminders on a pinned clock that fire once, across a restart and two
//! replicas; the log and "send again" through the API.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};
use clubgrid_api::{
    Settings,
    academy::{belts, memberships, students, timetable},
    auth::actor::Caller,
    booking::{
        appointments::{self, Booker, ConfirmSpec},
        catalog::{self, ServiceSpec, SpecialistSpec},
        hold::{self, HoldSpec},
        schedules,
    },
    events::domain::ClientMessageEvent,
    notify::engine,
    telegram::linking::{self, SharedContact, TelegramUser},
    venue::{
        locations,
        types::{CreateLocationInput, OpeningHoursInput},
    },
};
use clubgrid_tests::{
    Backend, TestApp, both_backends,
    clubgrid_client::ops,
    telegram::FakeTelegram,
    webpush::{FakePush, Subscription},
};
use entity::enums::{BeltTrack, ClassLevel, ExamResult, Role};
use entity::{client_account, enums::AppointmentPayment, notification, push_subscription};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

both_backends!(
    a_booking_reaches_telegram_and_web_push,
    push_retries_after_429_and_drops_gone_subscriptions,
    telegram_failures_end_dead_and_staff_send_again,
    quiet_hours_hold_and_opt_out_skips,
    a_sign_in_code_goes_to_telegram_and_is_blanked,
    reminders_fire_once_across_restart_and_replicas,
    an_unpaid_appointment_is_reminded_once_the_day_before,
    academy_reminders_come_at_their_time_and_once,
);

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn t(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

/// Fast polls and retries, pointed at the fakes.
fn fast(settings: &mut Settings, telegram: &FakeTelegram) {
    settings.telegram_bot_token = Some(clubgrid_api::config::Secret::new("123:test"));
    settings.telegram_api_url = telegram.url.clone();
    settings.notify_poll_ms = 50;
    settings.notify_reminder_every_ms = 100;
    settings.notify_retry_base_ms = 50;
    settings.notify_retry_max_ms = 200;
    settings.notify_hold_recheck_ms = 100;
    settings.notify_max_attempts = 3;
}

struct Studio {
    loc: i64,
    svc: i64,
    anna: i64,
}

/// A studio in UTC open 09:00–18:00; a 60-minute service; Anna works 10:00–17:00.
async fn studio(app: &TestApp) -> Studio {
    let system = Caller::system();
    let state = &app.state;
    let loc = locations::create(
        state,
        &system,
        CreateLocationInput {
            name: "Студия".into(),
            address: "Проспект 1".into(),
            timezone: Some("UTC".into()),
        },
    )
    .await
    .unwrap()
    .id;
    let every_day = |from: &str, to: &str| -> Vec<OpeningHoursInput> {
        (1..=7)
            .map(|weekday| OpeningHoursInput {
                weekday,
                opens_at: t(from),
                closes_at: t(to),
            })
            .collect()
    };
    locations::set_opening_hours(state, &system, loc, every_day("09:00", "18:00"))
        .await
        .unwrap();
    let svc = catalog::save_service(
        state,
        &system,
        None,
        loc,
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
    let anna = catalog::save_specialist(
        state,
        &system,
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
    catalog::set_specialist_services(state, &system, anna, vec![svc])
        .await
        .unwrap();
    schedules::set_hours(state, &system, anna, loc, every_day("10:00", "17:00"))
        .await
        .unwrap();
    Studio { loc, svc, anna }
}

/// A client who shared their phone with the bot: linked to Telegram chat `chat`.
async fn telegram_client(app: &TestApp, chat: i64, phone: &str, language: &str) -> i64 {
    let account = linking::link_client(
        &app.state,
        &Caller::system(),
        SharedContact {
            phone: phone.into(),
            first_name: "Дина".into(),
            last_name: None,
        },
        TelegramUser {
            telegram_user_id: chat,
            chat_id: chat,
            language: Some(language.into()),
        },
    )
    .await
    .unwrap();
    client_account::Entity::find()
        .filter(client_account::Column::UserId.eq(account.user_id))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .client_id
}

/// Stores a browser subscription of the fake push service for the client.
async fn subscribe(app: &TestApp, push: &FakePush, client_id: i64) -> Subscription {
    let sub = push.subscribe();
    push_subscription::ActiveModel {
        client_id: Set(client_id),
        endpoint: Set(sub.endpoint.clone()),
        p256dh: Set(sub.p256dh.clone()),
        auth: Set(sub.auth.clone()),
        created_at: Set(app.state.clock.now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    sub
}

async fn book(app: &TestApp, s: &Studio, at: &str, client_id: i64) -> i64 {
    let system = Caller::system();
    let held = hold::hold_slot(
        &app.state,
        &system,
        HoldSpec {
            location_id: s.loc,
            service_id: s.svc,
            specialist_id: s.anna,
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

async fn rows(app: &TestApp, kind: &str) -> Vec<notification::Model> {
    notification::Entity::find()
        .filter(notification::Column::Kind.eq(kind))
        .all(&app.state.db)
        .await
        .unwrap()
}

/// Waits until the rows of `kind` on `channel` satisfy `done`; panics with them after 15 s.
async fn wait_rows(
    app: &TestApp,
    kind: &str,
    channel: &str,
    done: impl Fn(&[notification::Model]) -> bool,
) -> Vec<notification::Model> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let got: Vec<_> = rows(app, kind)
            .await
            .into_iter()
            .filter(|r| r.channel == channel)
            .collect();
        if done(&got) {
            return got;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("{kind} on {channel} never settled: {got:#?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn all_status(status: &'static str) -> impl Fn(&[notification::Model]) -> bool {
    move |rows| !rows.is_empty() && rows.iter().all(|r| r.status == status)
}

const NOW: &str = "2026-11-20T03:00:00Z";
const MONDAY_10: &str = "2026-11-23T10:00:00Z";

async fn a_booking_reaches_telegram_and_web_push(backend: Backend) {
    let telegram = FakeTelegram::start().await;
    let push = FakePush::start().await;
    let app = TestApp::spawn_with(backend, |s| fast(s, &telegram)).await;
    app.state.clock.pin(Some(utc(NOW)));
    let s = studio(&app).await;
    let dina = telegram_client(&app, 7001, "+77010000001", "ru").await;
    let sub = subscribe(&app, &push, dina).await;
    // An English speaker gets English.
    let eve = telegram_client(&app, 7002, "+77010000002", "en").await;

    book(&app, &s, MONDAY_10, dina).await;
    telegram
        .expect(7001, "Вы записаны: Массаж, 23.11.2026 10:00")
        .await;
    let pushes = push.wait_for(&sub, 1).await;
    let vapid = app
        .client()
        .run::<ops::VapidPublicKey>(ops::vapid_public_key::Variables)
        .await
        .unwrap()
        .vapid_public_key;
    assert_eq!(pushes[0].status, 201, "{:?}", pushes[0].error);
    assert_eq!(pushes[0].vapid_key, vapid, "signed with the published key");
    let payload = pushes[0].payload.clone().unwrap();
    assert_eq!(payload["kind"], "appointment.booked");
    assert_eq!(payload["title"], "Студия");
    assert_eq!(payload["body"], "Вы записаны: Массаж, 23.11.2026 10:00");
    let sent = wait_rows(&app, "appointment.booked", engine::PUSH, all_status("sent")).await;
    assert_eq!(sent[0].recipient, format!("client:{dina}"));

    book(&app, &s, "2026-11-23T12:00:00Z", eve).await;
    telegram
        .expect(7002, "You are booked: Массаж, 23.11.2026 12:00")
        .await;
    // Eve has no browser subscription: her push row is skipped, not failed.
    let eve_push = wait_rows(&app, "appointment.booked", engine::PUSH, |rows| {
        rows.iter()
            .any(|r| r.recipient == format!("client:{eve}") && r.status == "skipped")
    })
    .await;
    assert!(
        eve_push
            .iter()
            .any(|r| r.last_error.as_deref() == Some("no push subscription"))
    );
    // Each message went once.
    assert_eq!(telegram.texts_to(7001).len(), 1);
    assert_eq!(push.pushes().len(), 1);
    app.stop().await;
}

async fn push_retries_after_429_and_drops_gone_subscriptions(backend: Backend) {
    let telegram = FakeTelegram::start().await;
    let push = FakePush::start().await;
    let app = TestApp::spawn_with(backend, |s| fast(s, &telegram)).await;
    app.state.clock.pin(Some(utc(NOW)));
    let s = studio(&app).await;
    let dina = telegram_client(&app, 7101, "+77010000011", "ru").await;
    let phone = subscribe(&app, &push, dina).await;
    let laptop = subscribe(&app, &push, dina).await;
    push.script(&phone, &[429]);
    push.script(&laptop, &[410]);

    book(&app, &s, MONDAY_10, dina).await;
    // The phone answered 429 first, then took the retry; the laptop's subscription is gone.
    let to_phone = push.wait_for(&phone, 2).await;
    assert_eq!(
        to_phone.iter().map(|p| p.status).collect::<Vec<_>>(),
        [429, 201]
    );
    assert_eq!(
        to_phone[1].payload.as_ref().unwrap()["kind"],
        "appointment.booked"
    );
    let sent = wait_rows(&app, "appointment.booked", engine::PUSH, all_status("sent")).await;
    assert_eq!(sent[0].attempts, 2);
    let left: Vec<String> = push_subscription::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.endpoint)
        .collect();
    assert_eq!(
        left,
        std::slice::from_ref(&phone.endpoint),
        "the 410 subscription was removed"
    );
    assert_eq!(
        push.wait_for(&laptop, 1).await.len(),
        1,
        "never pushed again"
    );
    app.stop().await;
}

async fn telegram_failures_end_dead_and_staff_send_again(backend: Backend) {
    let telegram = FakeTelegram::start().await;
    let app = TestApp::spawn_with(backend, |s| fast(s, &telegram)).await;
    app.state.clock.pin(Some(utc(NOW)));
    let s = studio(&app).await;
    let dina = telegram_client(&app, 7201, "+77010000021", "ru").await;
    telegram.fail_sends(&[500, 502, 429]);

    book(&app, &s, MONDAY_10, dina).await;
    let dead = wait_rows(
        &app,
        "appointment.booked",
        engine::TELEGRAM,
        all_status("dead"),
    )
    .await;
    assert_eq!(dead[0].attempts, 3, "three tries, then the dead letter");
    assert!(
        dead[0].last_error.as_deref().unwrap().contains("429"),
        "the last error is kept: {:?}",
        dead[0].last_error
    );
    assert_eq!(telegram.failed_sends().len(), 3);
    assert!(telegram.texts_to(7201).is_empty());

    // The log shows it to management; staff send it again and it goes.
    let admin = app.as_role(Role::Admin).await;
    let log = admin
        .run::<ops::Notifications>(ops::notifications::Variables {
            filter: Some(ops::notifications::NotificationFilter {
                location_id: Some(s.loc.to_string()),
                status: Some("dead".into()),
                channel: Some("telegram".into()),
                recipient: None,
                kind: None,
                from: None,
                to: None,
                not_status: None,
            }),
        })
        .await
        .unwrap()
        .notifications;
    assert_eq!(log.page_info.total, 1);
    assert_eq!(log.items[0].recipient_name.as_deref(), Some("Дина"));
    let id = log.items[0].id.clone();
    let manager = app.as_role(Role::Manager).await;
    let again = manager
        .run::<ops::ResendNotification>(ops::resend_notification::Variables { id })
        .await
        .unwrap()
        .resend_notification;
    assert_eq!(again.status, "pending");
    telegram.expect(7201, "Вы записаны: Массаж").await;
    wait_rows(
        &app,
        "appointment.booked",
        engine::TELEGRAM,
        all_status("sent"),
    )
    .await;
    // The log is management's alone.
    assert!(
        manager
            .run::<ops::Notifications>(ops::notifications::Variables { filter: None })
            .await
            .is_err()
    );
    app.stop().await;
}

async fn quiet_hours_hold_and_opt_out_skips(backend: Backend) {
    let telegram = FakeTelegram::start().await;
    let app = TestApp::spawn_with(backend, |s| fast(s, &telegram)).await;
    app.state.clock.pin(Some(utc("2026-11-20T23:00:00Z")));
    let s = studio(&app).await;
    let dina = telegram_client(&app, 7301, "+77010000031", "ru").await;
    let admin = app.as_role(Role::Admin).await;
    let settings = admin
        .run::<ops::SetNotificationSettings>(ops::set_notification_settings::Variables {
            location_id: s.loc.to_string(),
            input: ops::set_notification_settings::NotificationSettingsInput {
                quiet_from: Some("22:00:00".into()),
                quiet_to: Some("08:00:00".into()),
                appointment_hours: vec![24, 2],
                class_hours: Some(2),
                membership_expiring_days: Some(3),
                membership_expired: true,
                missed_threshold: Some(2),
                exam_days: Some(1),
                payment_due_days: None,
            },
        })
        .await
        .unwrap()
        .set_notification_settings;
    assert_eq!(settings.quiet_to.as_deref(), Some("08:00:00"));

    book(&app, &s, MONDAY_10, dina).await;
    let held = wait_rows(&app, "appointment.booked", engine::TELEGRAM, |rows| {
        rows.iter().any(|r| r.held_until.is_some())
    })
    .await;
    assert_eq!(held[0].status, "pending");
    assert_eq!(held[0].held_until, Some(utc("2026-11-21T08:00:00Z")));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        telegram.texts_to(7301).is_empty(),
        "nothing goes in quiet hours"
    );

    // Morning comes: it goes.
    app.state.clock.pin(Some(utc("2026-11-21T08:00:30Z")));
    telegram.expect(7301, "Вы записаны").await;

    // The client opts out at the desk: the next message is skipped.
    admin
        .run::<ops::SetClientNotificationPreferences>(
            ops::set_client_notification_preferences::Variables {
                client_id: dina.to_string(),
                input: ops::set_client_notification_preferences::NotificationPreferencesInput {
                    telegram: true,
                    push: true,
                    opted_out: true,
                    language: None,
                },
            },
        )
        .await
        .unwrap();
    book(&app, &s, "2026-11-23T12:00:00Z", dina).await;
    let skipped = wait_rows(&app, "appointment.booked", engine::TELEGRAM, |rows| {
        rows.len() == 2 && rows.iter().any(|r| r.status == "skipped")
    })
    .await;
    assert!(
        skipped
            .iter()
            .any(|r| r.last_error.as_deref() == Some("opted out"))
    );
    assert_eq!(telegram.texts_to(7301).len(), 1);
    app.stop().await;
}

async fn a_sign_in_code_goes_to_telegram_and_is_blanked(backend: Backend) {
    let telegram = FakeTelegram::start().await;
    let app = TestApp::spawn_with(backend, |s| fast(s, &telegram)).await;
    app.state.clock.pin(Some(utc(NOW)));
    let dina = telegram_client(&app, 7401, "+77010000041", "ru").await;
    let event = ClientMessageEvent::SignInCode {
        client_id: dina,
        code: "482913".into(),
        expires_at: utc("2026-11-20T03:10:00Z"),
    };
    let event = &event;
    app.state
        .write(&Caller::system(), |tx| {
            Box::pin(async move { tx.emit(event).await })
        })
        .await
        .unwrap();
    telegram
        .expect(
            7401,
            "Код для входа: 482913. Действует до 20.11.2026 03:10.",
        )
        .await;
    let sent = wait_rows(
        &app,
        engine::SIGN_IN_CODE,
        engine::TELEGRAM,
        all_status("sent"),
    )
    .await;
    assert_eq!(sent.len(), 1, "Telegram only");
    assert_eq!(
        sent[0].payload["code"], "",
        "the code is not kept once sent"
    );
    assert_eq!(sent[0].payload["clientId"], dina);
    app.stop().await;
}

async fn reminders_fire_once_across_restart_and_replicas(backend: Backend) {
    let telegram = FakeTelegram::start().await;
    let app = TestApp::spawn_with(backend, |s| fast(s, &telegram)).await;
    app.state.clock.pin(Some(utc(NOW)));
    let s = studio(&app).await;
    let dina = telegram_client(&app, 7501, "+77010000051", "ru").await;
    book(&app, &s, MONDAY_10, dina).await;
    telegram.expect(7501, "Вы записаны").await;

    // Three days before: no reminder yet.
    let reminders = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            notification::Entity::find()
                .filter(notification::Column::Kind.eq("reminder.appointment"))
                .filter(notification::Column::Channel.eq(engine::TELEGRAM))
                .all(&db)
                .await
                .unwrap()
        }
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(reminders(&app).await.is_empty());

    // A day before, to the minute: the 24-hour reminder, once.
    app.state.clock.pin(Some(utc("2026-11-22T10:00:00Z")));
    telegram
        .expect(7501, "Напоминание: Массаж, 23.11.2026 10:00")
        .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(reminders(&app).await.len(), 1);

    // A restart an hour later computes again and sends nothing new.
    let app = app.restart().await;
    app.state.clock.pin(Some(utc("2026-11-22T11:00:00Z")));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(reminders(&app).await.len(), 1);
    assert_eq!(
        telegram
            .texts_to(7501)
            .iter()
            .filter(|t| t.starts_with("Напоминание"))
            .count(),
        1
    );

    // Two replicas reach the 2-hour mark together: one reminder, one message.
    let replica = app.replica().await;
    let two_hours = utc("2026-11-23T08:00:00Z");
    app.state.clock.pin(Some(two_hours));
    replica.state.clock.pin(Some(two_hours));
    let both = tokio::join!(
        clubgrid_api::notify::reminders::run(&app.state),
        clubgrid_api::notify::reminders::run(&replica.state),
    );
    both.0.unwrap();
    both.1.unwrap();
    let second = wait_rows(&app, "reminder.appointment", engine::TELEGRAM, |rows| {
        rows.len() == 2 && rows.iter().all(|r| r.status == "sent")
    })
    .await;
    assert!(second.iter().any(|r| r.source_key.ends_with(":2")));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        telegram
            .texts_to(7501)
            .iter()
            .filter(|t| t.starts_with("Напоминание"))
            .count(),
        2,
        "the 24 h and the 2 h reminder, each once: {:?}",
        telegram.texts_to(7501)
    );
    replica.stop();
    app.stop().await;
}

/// Seed 002's payment reminder: an appointment with nothing paid is reminded once, within the
/// location's days before it (one by default), and not before.
async fn an_unpaid_appointment_is_reminded_once_the_day_before(backend: Backend) {
    let telegram = FakeTelegram::start().await;
    let app = TestApp::spawn_with(backend, |s| fast(s, &telegram)).await;
    app.state.clock.pin(Some(utc(NOW)));
    let s = studio(&app).await;
    let dina = telegram_client(&app, 7601, "+77010000061", "ru").await;
    book(&app, &s, MONDAY_10, dina).await;
    telegram.expect(7601, "Вы записаны").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rows(&app, "reminder.payment_due").await.is_empty());

    app.state.clock.pin(Some(utc("2026-11-22T12:00:00Z")));
    telegram
        .expect(7601, "К оплате 10000.00 до 23.11.2026 10:00")
        .await;
    app.state.clock.pin(Some(utc("2026-11-23T08:00:00Z")));
    tokio::time::sleep(Duration::from_millis(400)).await;
    let due: Vec<_> = rows(&app, "reminder.payment_due")
        .await
        .into_iter()
        .filter(|r| r.channel == engine::TELEGRAM)
        .collect();
    assert_eq!(due.len(), 1, "once, however often the scan runs");
    assert_eq!(due[0].payload["due"], 1_000_000);
    app.stop().await;
}

/// Seed 002's reminders on a pinned clock: a class two hours before, a membership three days
/// before it ends and once it has ended, an exam the day before; none early, each once.
async fn academy_reminders_come_at_their_time_and_once(backend: Backend) {
    let telegram = FakeTelegram::start().await;
    let app = TestApp::spawn_with(backend, |s| fast(s, &telegram)).await;
    app.state.clock.pin(Some(utc(NOW)));
    let system = Caller::system();
    let state = &app.state;
    let s = studio(&app).await;
    let dina = telegram_client(&app, 7701, "+77010000071", "ru").await;
    let student = students::create(
        state,
        &system,
        students::NewStudent {
            client_id: dina,
            location_id: s.loc,
            user_id: None,
            track: BeltTrack::Adults,
            belt_id: None,
            stripes: 0,
            joined_at: None,
            notes: None,
        },
    )
    .await
    .unwrap()
    .id;
    let session = timetable::create_one_off(
        state,
        &system,
        timetable::OneOffSpec {
            location_id: s.loc,
            name: "Открытый ковёр".into(),
            starts_at: utc("2026-11-20T12:00:00Z"),
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
    clubgrid_api::academy::attendance::book(state, &system, session, student)
        .await
        .unwrap();
    let plan = memberships::save_plan(
        state,
        &system,
        None,
        memberships::PlanSpec {
            name: "Месяц".into(),
            visits: None,
            validity_days: 30,
            price: 0,
            active: true,
            recurring: false,
        },
    )
    .await
    .unwrap()
    .id;
    // Ends on the 22nd: two days from now, inside the three days' notice.
    let membership = memberships::sell(
        state,
        &system,
        memberships::Sale {
            student_id: student,
            plan_id: plan,
            starts_on: Some("2026-10-24".parse().unwrap()),
            price: None,
            method: None,
        },
        "reminder-test-membership",
    )
    .await
    .unwrap();
    let ends = membership.ends_on.format("%d.%m.%Y").to_string();
    assert!(membership.ends_on < "2026-11-23".parse().unwrap(), "{ends}");
    let blue = belts::save_belt(
        state,
        &system,
        None,
        belts::BeltSpec {
            track: BeltTrack::Adults,
            name: "Синий".into(),
            color: "#1e40af".into(),
            position: 2,
            max_stripes: 4,
            classes_required: 0,
            active: true,
        },
    )
    .await
    .unwrap()
    .id;
    belts::save_exam(
        state,
        &system,
        None,
        belts::ExamSpec {
            student_id: student,
            belt_id: blue,
            exam_date: "2026-11-25".parse().unwrap(),
            result: ExamResult::Scheduled,
            notes: None,
            promote: false,
        },
    )
    .await
    .unwrap();

    // Now (03:00): the membership's notice only; the class is nine hours off, the exam five days.
    telegram
        .expect(7701, &format!("Абонемент «Месяц» заканчивается {ends}"))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rows(&app, "reminder.class").await.is_empty());
    assert!(rows(&app, "reminder.exam").await.is_empty());

    // Two hours before the class.
    app.state.clock.pin(Some(utc("2026-11-20T10:00:00Z")));
    telegram
        .expect(
            7701,
            "Напоминание: занятие «Открытый ковёр», 20.11.2026 12:00",
        )
        .await;

    // The day before the exam, the membership has ended.
    app.state.clock.pin(Some(utc("2026-11-24T09:00:00Z")));
    // Both come from the same scan, in either order.
    for kind in ["reminder.exam", "reminder.membership_expired"] {
        wait_rows(&app, kind, engine::TELEGRAM, all_status("sent")).await;
    }
    let texts = telegram.texts_to(7701);
    for text in [
        "Экзамен на пояс «Синий»: 25.11.2026".to_owned(),
        format!("Абонемент «Месяц» закончился {ends}"),
    ] {
        assert!(
            texts.iter().any(|t| t.contains(&text)),
            "{text} not in {texts:?}"
        );
    }

    // Scans go on; nothing is said twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for kind in [
        "reminder.class",
        "reminder.membership_expiring",
        "reminder.membership_expired",
        "reminder.exam",
    ] {
        let sent: Vec<_> = rows(&app, kind)
            .await
            .into_iter()
            .filter(|r| r.channel == engine::TELEGRAM)
            .collect();
        assert_eq!(sent.len(), 1, "{kind}: {sent:#?}");
        assert_eq!(sent[0].recipient, format!("client:{dina}"));
    }
    assert_eq!(
        telegram.texts_to(7701).len(),
        4,
        "{:?}",
        telegram.texts_to(7701)
    );
    app.stop().await;
}

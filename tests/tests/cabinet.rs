//! The clients' door, on both backends: the public page found by its location's slug, a
//! party asked for from it and confirmed by a manager, a booking moved by its code, and a
//! client signing in two ways — the Telegram Mini App (signed `initData`, then a shared
//! contact the first time) and a one-time code sent to their linked chat — both ending in
//! the one client identity, which reads its own record and nobody else's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveTime, Utc};
use clubgrid_api::{
    auth::actor::Caller,
    booking::catalog::{self, ServiceSpec, SpecialistSpec},
    booking::schedules,
    cabinet::webapp::signed_query,
    clients::{fields::RawFields, service as clients},
    config::Secret,
    telegram::linking::{self, SharedContact, TelegramUser},
    venue::{
        locations, resources,
        types::{CreateLocationInput, CreateResourceInput, OpeningHoursInput},
    },
};
use clubgrid_tests::{
    Backend, TestApp, both_backends,
    clubgrid_client::{Client, ClientError, ops},
};
use entity::{enums::ResourceKind, outbox_event};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

both_backends!(
    the_public_page_is_found_by_its_slug,
    a_party_request_holds_its_time_until_a_manager_confirms,
    a_booking_moves_by_its_code,
    mini_app_sign_in_links_by_shared_contact_then_signs_in_at_once,
    mini_app_data_that_is_tampered_stale_or_foreign_is_refused,
    a_one_time_code_signs_a_client_in_once,
);

const BOT_TOKEN: &str = "7001234567:AAFtestTOKENforTHEminiAPPsignIN_x";

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn code(err: &ClientError) -> Option<&str> {
    err.code()
}

async fn app(backend: Backend) -> TestApp {
    let app = TestApp::spawn_with(backend, |s| {
        s.telegram_bot_token = Some(Secret::new(BOT_TOKEN));
        s.telegram_init_data_max_age_seconds = 3600;
    })
    .await;
    app.state.clock.pin(Some(utc("2026-12-01T03:00:00Z")));
    app
}

async fn location(app: &TestApp, name: &str) -> (i64, String) {
    let loc = locations::create(
        &app.state,
        &Caller::system(),
        CreateLocationInput {
            name: name.into(),
            address: "Абая, 10".into(),
            timezone: Some("Asia/Almaty".into()),
        },
    )
    .await
    .unwrap();
    let hours: Vec<OpeningHoursInput> = (1..=7)
        .map(|weekday| OpeningHoursInput {
            weekday,
            opens_at: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            closes_at: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
        })
        .collect();
    locations::set_opening_hours(&app.state, &Caller::system(), loc.id, hours)
        .await
        .unwrap();
    (loc.id, loc.slug)
}

/// A 60-minute service with one specialist working 10:00–22:00 local every day.
async fn service(app: &TestApp, location: i64) -> (i64, i64) {
    let (state, system) = (&app.state, &Caller::system());
    let svc = catalog::save_service(
        state,
        system,
        None,
        location,
        ServiceSpec {
            name: "Стрижка".into(),
            category: None,
            description: None,
            duration_minutes: 60,
            price: 500_000,
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
            first_name: "Алия".into(),
            last_name: "Сейткали".into(),
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
    let hours: Vec<OpeningHoursInput> = (1..=7)
        .map(|weekday| OpeningHoursInput {
            weekday,
            opens_at: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            closes_at: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
        })
        .collect();
    schedules::set_hours(state, system, specialist, location, hours)
        .await
        .unwrap();
    (svc, specialist)
}

async fn the_public_page_is_found_by_its_slug(backend: Backend) {
    let app = app(backend).await;
    let (id, slug) = location(&app, "Салон «Ақ Жол» на Абая").await;
    assert_eq!(slug, "salon-ak-zhol-na-abaia");
    // A second location of the same name gets a number, not a clash.
    let (_, second) = location(&app, "Салон «Ақ Жол» на Абая").await;
    assert_eq!(second, "salon-ak-zhol-na-abaia-2");
    service(&app, id).await;

    let visitor = app.client();
    let page = visitor
        .run::<ops::PublicLocation>(ops::public_location::Variables {
            slug: "Salon-Ak-Zhol-na-Abaia".into(),
        })
        .await
        .unwrap()
        .public_location;
    assert_eq!(page.id, id.to_string());
    assert!(page.offers_appointments);
    assert!(page.party_areas.is_empty());

    let missing = visitor
        .run::<ops::PublicLocation>(ops::public_location::Variables {
            slug: "nowhere".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(code(&missing), Some("NOT_FOUND"));

    // An owner may give the page another address; a taken or malformed one is refused.
    let owner = app.as_role(entity::enums::Role::Owner).await;
    let update = |slug: &str| ops::update_location::Variables {
        id: id.to_string(),
        input: ops::update_location::UpdateLocationInput {
            name: None,
            address: None,
            timezone: None,
            active: None,
            slug: Some(slug.into()),
        },
    };
    owner
        .run::<ops::UpdateLocation>(update("ak-zhol"))
        .await
        .unwrap();
    let taken = owner
        .run::<ops::UpdateLocation>(update("salon-ak-zhol-na-abaia-2"))
        .await
        .unwrap_err();
    assert_eq!(taken.errors()[0].field(), Some("input.slug"), "{taken:?}");
    let bad = owner
        .run::<ops::UpdateLocation>(update("Ақ Жол!"))
        .await
        .unwrap_err();
    assert_eq!(code(&bad), Some("VALIDATION"));
    let moved = visitor
        .run::<ops::PublicLocation>(ops::public_location::Variables {
            slug: "ak-zhol".into(),
        })
        .await
        .unwrap();
    assert_eq!(moved.public_location.id, id.to_string());
    app.stop().await;
}

async fn a_party_request_holds_its_time_until_a_manager_confirms(backend: Backend) {
    let app = app(backend).await;
    let (location, slug) = location(&app, "Лазертаг Арена").await;
    let area = resources::create(
        &app.state,
        &Caller::system(),
        CreateResourceInput {
            location_id: location.to_string().into(),
            zone_id: None,
            kind: ResourceKind::Arena,
            name: "Лес".into(),
            capacity: Some(20),
            notes: None,
            sort_order: None,
        },
    )
    .await
    .unwrap()
    .id;
    let visitor = app.client();
    let page = visitor
        .run::<ops::PublicLocation>(ops::public_location::Variables { slug })
        .await
        .unwrap()
        .public_location;
    assert!(!page.offers_appointments);
    assert_eq!(page.party_areas[0].name, "Лес");
    assert_eq!(page.party_areas[0].capacity, 20);

    let times = |minutes: i64| ops::party_start_times::Variables {
        location_id: location.to_string(),
        area_id: area.to_string(),
        date: "2026-12-02".into(),
        game_minutes: minutes,
    };
    let free = visitor
        .run::<ops::PartyStartTimes>(times(90))
        .await
        .unwrap()
        .party_start_times;
    // 10:00 to 20:30 local (UTC+5) every half hour: the game must end by 22:00.
    assert_eq!(
        free.first().map(String::as_str),
        Some("2026-12-02T05:00:00+00:00")
    );
    assert_eq!(
        free.last().map(String::as_str),
        Some("2026-12-02T15:30:00+00:00")
    );
    assert_eq!(free.len(), 22);

    let input = |starts_at: &str, consent: bool| ops::request_party::Variables {
        input: ops::request_party::PartyRequestInput {
            location_id: location.to_string(),
            area_id: area.to_string(),
            starts_at: starts_at.into(),
            game_minutes: 90,
            players: 12,
            game_type: ops::request_party::GameType::BIRTHDAY,
            name: "Айгерим".into(),
            phone: "+7 701 555 12 34".into(),
            notes: Some("Торт свой".into()),
            consent_to_contact: consent,
        },
    };
    let no_consent = visitor
        .run::<ops::RequestParty>(input("2026-12-02T09:00:00Z", false))
        .await
        .unwrap_err();
    assert_eq!(
        no_consent.errors()[0].field(),
        Some("input.consentToContact")
    );
    let asked = visitor
        .run::<ops::RequestParty>(input("2026-12-02T09:00:00Z", true))
        .await
        .unwrap()
        .request_party;
    assert_eq!(asked.status, ops::request_party::PartyStatus::REQUESTED);
    assert_eq!(asked.area_name, "Лес");
    // The time is held: it leaves the free list, and a second request for it is refused.
    let free = visitor
        .run::<ops::PartyStartTimes>(times(90))
        .await
        .unwrap()
        .party_start_times;
    assert!(!free.iter().any(|t| t.starts_with("2026-12-02T09:00")));
    assert!(!free.iter().any(|t| t.starts_with("2026-12-02T08:00")));
    let again = visitor
        .run::<ops::RequestParty>(input("2026-12-02T09:30:00Z", true))
        .await
        .unwrap_err();
    assert_eq!(code(&again), Some("SLOT_TAKEN"), "{again:?}");

    let manager = app.as_role(entity::enums::Role::Manager).await;
    let confirmed = manager
        .run::<ops::ConfirmPartyOrder>(ops::confirm_party_order::Variables {
            id: asked.id.clone(),
        })
        .await
        .unwrap()
        .confirm_party_order;
    assert_eq!(
        confirmed.status,
        ops::confirm_party_order::PartyStatus::BOOKED
    );
    let twice = manager
        .run::<ops::ConfirmPartyOrder>(ops::confirm_party_order::Variables { id: asked.id })
        .await
        .unwrap_err();
    assert_eq!(code(&twice), Some("CONFLICT"));
    // A visitor may not confirm anything.
    let refused = visitor
        .run::<ops::ConfirmPartyOrder>(ops::confirm_party_order::Variables { id: confirmed.id })
        .await
        .unwrap_err();
    assert_eq!(code(&refused), Some("UNAUTHENTICATED"));
    app.stop().await;
}

async fn a_booking_moves_by_its_code(backend: Backend) {
    let app = app(backend).await;
    let (location, _) = location(&app, "Студия").await;
    let (svc, specialist) = service(&app, location).await;
    let visitor = app.client();
    let hold = |at: &str| ops::hold_slot::Variables {
        input: ops::hold_slot::HoldSlotInput {
            location_id: location.to_string(),
            service_id: svc.to_string(),
            specialist_id: specialist.to_string(),
            starts_at: at.into(),
        },
    };
    let held = visitor
        .run::<ops::HoldSlot>(hold("2026-12-02T06:00:00Z"))
        .await
        .unwrap()
        .hold_slot;
    let booked = visitor
        .run::<ops::ConfirmPublicBooking>(ops::confirm_public_booking::Variables {
            input: ops::confirm_public_booking::PublicBookingInput {
                hold_token: held.token,
                name: "Дана".into(),
                phone: "+77015550001".into(),
                note: None,
                consent_to_contact: Some(true),
                idempotency_key: None,
            },
        })
        .await
        .unwrap()
        .confirm_public_booking;
    let moved = visitor
        .run::<ops::ReschedulePublicBooking>(ops::reschedule_public_booking::Variables {
            code: booked.code.clone(),
            starts_at: "2026-12-02T08:00:00Z".into(),
        })
        .await
        .unwrap()
        .reschedule_public_booking;
    assert_eq!(moved.code, booked.code);
    assert!(moved.starts_at.starts_with("2026-12-02T08:00:00"));
    // The old time is free again: another visitor holds it.
    visitor
        .run::<ops::HoldSlot>(hold("2026-12-02T06:00:00Z"))
        .await
        .unwrap();
    // Within the cut-off it may not move.
    app.state.clock.pin(Some(utc("2026-12-02T07:50:00Z")));
    let late = visitor
        .run::<ops::ReschedulePublicBooking>(ops::reschedule_public_booking::Variables {
            code: booked.code.clone(),
            starts_at: "2026-12-02T10:00:00Z".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(late.code(), Some("CONFLICT"), "{late:?}");
    assert!(
        late.errors()[0]
            .message_en()
            .is_some_and(|m| m.contains("could be changed online until")),
        "{late:?}"
    );
    // The consent given on the page is kept on the client.
    let client = clients::find_by_phone(
        &app.state.db,
        &clubgrid_api::domain::Phone::parse("p", "+77015550001").unwrap(),
        None,
    )
    .await
    .unwrap()
    .unwrap();
    assert!(client.contact_consent_at.is_some());
    app.stop().await;
}

fn init_data(user_id: i64, first_name: &str, auth_date: DateTime<Utc>, token: &str) -> String {
    let user = format!(r#"{{"id":{user_id},"first_name":"{first_name}","language_code":"ru"}}"#);
    let date = auth_date.timestamp().to_string();
    signed_query(
        &[("query_id", "AAE1"), ("user", &user), ("auth_date", &date)],
        token,
    )
}

fn contact(user_id: i64, phone: &str, auth_date: DateTime<Utc>) -> String {
    let card = format!(
        r#"{{"user_id":{user_id},"phone_number":"{phone}","first_name":"Жанна","last_name":"Ким"}}"#
    );
    let date = auth_date.timestamp().to_string();
    signed_query(&[("contact", &card), ("auth_date", &date)], BOT_TOKEN)
}

async fn mini_app(
    visitor: &Client,
    init: String,
    contact: Option<String>,
) -> Result<ops::mini_app_sign_in::ResponseData, ClientError> {
    visitor
        .run::<ops::MiniAppSignIn>(ops::mini_app_sign_in::Variables {
            init_data: init,
            contact,
            phone: None,
            code: None,
        })
        .await
}

async fn mini_app_sign_in_links_by_shared_contact_then_signs_in_at_once(backend: Backend) {
    let app = app(backend).await;
    let visitor = app.client();
    let now = clubgrid_api::state::wall_clock();
    // Not linked yet: the page is told to ask for the phone.
    let first = mini_app(&visitor, init_data(5001, "Жанна", now, BOT_TOKEN), None)
        .await
        .unwrap_err();
    assert_eq!(first.errors()[0].field(), Some("contact"), "{first:?}");
    // Someone else's contact does not link.
    let foreign = mini_app(
        &visitor,
        init_data(5001, "Жанна", now, BOT_TOKEN),
        Some(contact(5002, "+77017770000", now)),
    )
    .await
    .unwrap_err();
    assert_eq!(foreign.errors()[0].field(), Some("contact"));
    // Their own shared contact links them to a client by that phone.
    let signed = mini_app(
        &visitor,
        init_data(5001, "Жанна", now, BOT_TOKEN),
        Some(contact(5001, "+77017770000", now)),
    )
    .await
    .unwrap()
    .mini_app_sign_in;
    assert_eq!(signed.user.role, ops::mini_app_sign_in::Role::CLIENT);
    let me = visitor.with_token(signed.access_token);
    let mine = me
        .run::<ops::MyClient>(ops::my_client::Variables)
        .await
        .unwrap()
        .my_client;
    assert_eq!(mine.phone.as_deref(), Some("+77017770000"));
    assert_eq!(mine.first_name, "Жанна");

    // The next time the signed launch data alone signs them in, as the same client.
    let again = mini_app(&visitor, init_data(5001, "Жанна", now, BOT_TOKEN), None)
        .await
        .unwrap()
        .mini_app_sign_in;
    assert_eq!(again.user.id, signed.user.id);
    let me = visitor.with_token(again.access_token);
    assert_eq!(
        me.run::<ops::MyClient>(ops::my_client::Variables)
            .await
            .unwrap()
            .my_client
            .id,
        mine.id
    );
    // Another client's wallet is still not theirs.
    let other = clients::create(
        &app.state,
        &Caller::system(),
        RawFields {
            first_name: Some("Ерлан".into()),
            ..RawFields::default()
        }
        .check("input.")
        .unwrap(),
    )
    .await
    .unwrap()
    .id;
    let refused = me
        .run::<ops::Wallet>(ops::wallet::Variables {
            client_id: other.to_string(),
        })
        .await
        .unwrap_err();
    assert_eq!(code(&refused), Some("FORBIDDEN"));
    me.run::<ops::Wallet>(ops::wallet::Variables {
        client_id: mine.id.clone(),
    })
    .await
    .unwrap();
    app.stop().await;
}

async fn mini_app_data_that_is_tampered_stale_or_foreign_is_refused(backend: Backend) {
    let app = app(backend).await;
    let visitor = app.client();
    let now = clubgrid_api::state::wall_clock();
    let good = init_data(6001, "Асель", now, BOT_TOKEN);
    let tampered = good.replace("6001", "6002");
    let stale = init_data(6001, "Асель", now - Duration::hours(2), BOT_TOKEN);
    let foreign = init_data(
        6001,
        "Асель",
        now,
        "7001234567:AAFanotherBOTsTOKENentirely_y",
    );
    for (what, data) in [
        ("tampered", tampered),
        ("stale", stale),
        ("foreign", foreign),
    ] {
        let err = mini_app(&visitor, data, Some(contact(6001, "+77011112233", now)))
            .await
            .unwrap_err();
        assert_eq!(code(&err), Some("UNAUTHENTICATED"), "{what}: {err:?}");
        assert!(err.errors()[0].message_en().is_some());
    }
    let garbage = mini_app(&visitor, "not signed data".into(), None)
        .await
        .unwrap_err();
    assert_eq!(code(&garbage), Some("VALIDATION"));
    // Nothing was linked or made by the refused attempts.
    let phone = clubgrid_api::domain::Phone::parse("p", "+77011112233").unwrap();
    assert!(
        clients::find_by_phone(&app.state.db, &phone, None)
            .await
            .unwrap()
            .is_none()
    );
    app.stop().await;
}

/// The code the server raised for the bot to send, read where the bot reads it.
async fn sent_code(app: &TestApp) -> String {
    let row = outbox_event::Entity::find()
        .filter(outbox_event::Column::Kind.eq("client.sign_in_code"))
        .order_by_desc(outbox_event::Column::Id)
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("a sign-in code event");
    row.payload["code"].as_str().unwrap().to_owned()
}

async fn a_one_time_code_signs_a_client_in_once(backend: Backend) {
    let app = app(backend).await;
    let visitor = app.client();
    let request = |phone: &str| ops::request_sign_in_code::Variables {
        phone: phone.into(),
    };
    // No client with this phone: said so, with what to do.
    let unknown = visitor
        .run::<ops::RequestSignInCode>(request("+77019990000"))
        .await
        .unwrap_err();
    assert_eq!(unknown.errors()[0].field(), Some("phone"));

    // A client linked to the bot by their phone gets the code in Telegram.
    linking::link_client(
        &app.state,
        &Caller::system(),
        SharedContact {
            phone: "+77019990000".into(),
            first_name: "Ильяс".into(),
            last_name: None,
        },
        TelegramUser {
            telegram_user_id: 7001,
            chat_id: 7001,
            language: Some("ru".into()),
        },
    )
    .await
    .unwrap();
    let sent = visitor
        .run::<ops::RequestSignInCode>(request("8 701 999 00 00"))
        .await
        .unwrap()
        .request_sign_in_code;
    assert_eq!(
        sent.channels,
        vec![ops::request_sign_in_code::CodeChannel::TELEGRAM]
    );
    let code_sent = sent_code(&app).await;
    assert_eq!(code_sent.len(), 6);

    let sign_in = |code: &str| ops::sign_in_with_code::Variables {
        phone: "+77019990000".into(),
        code: code.into(),
    };
    let wrong = if code_sent == "000000" {
        "111111"
    } else {
        "000000"
    };
    let err = visitor
        .run::<ops::SignInWithCode>(sign_in(wrong))
        .await
        .unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("code"));
    let signed = visitor
        .run::<ops::SignInWithCode>(sign_in(&code_sent))
        .await
        .unwrap()
        .sign_in_with_code;
    assert_eq!(signed.user.role, ops::sign_in_with_code::Role::CLIENT);
    let me = visitor.with_token(signed.access_token);
    let mine = me
        .run::<ops::MyClient>(ops::my_client::Variables)
        .await
        .unwrap()
        .my_client;
    assert_eq!(mine.first_name, "Ильяс");
    // Used once: the same code again is refused.
    let reused = visitor
        .run::<ops::SignInWithCode>(sign_in(&code_sent))
        .await
        .unwrap_err();
    assert_eq!(reused.errors()[0].field(), Some("code"));

    // Five wrong tries spend a code, even the right one after them.
    visitor
        .run::<ops::RequestSignInCode>(request("+77019990000"))
        .await
        .unwrap();
    let fresh = sent_code(&app).await;
    let wrong = if fresh == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        visitor
            .run::<ops::SignInWithCode>(sign_in(wrong))
            .await
            .unwrap_err();
    }
    let spent = visitor
        .run::<ops::SignInWithCode>(sign_in(&fresh))
        .await
        .unwrap_err();
    assert_eq!(spent.errors()[0].field(), Some("code"));

    // A phone may ask only a few times an hour.
    let mut limited = None;
    for _ in 0..6 {
        if let Err(err) = visitor
            .run::<ops::RequestSignInCode>(request("+77019990000"))
            .await
        {
            limited = Some(err);
            break;
        }
    }
    assert_eq!(
        limited.expect("the phone's codes are limited").code(),
        Some("RATE_LIMITED")
    );
    // Staff sign-in is untouched by any of it, and a client token reads no staff field.
    let refused = me
        .run::<ops::Clients>(ops::clients::Variables {
            filter: Some(clubgrid_tests::client_filter()),
            page: None,
            sort: None,
        })
        .await
        .unwrap_err();
    assert_eq!(code(&refused), Some("FORBIDDEN"));
    app.stop().await;
}

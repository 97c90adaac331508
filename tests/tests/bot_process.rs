//! The real `clubgrid-bot` binary, run as a process, against the local fake of the Telegram Bot
//! API and the real API on both backends. The process is killed (SIGKILL) in the middle of a
//! conversation and started again: the chat carries on where it was, since where each chat
//! stands is kept in clubgrid. A client books through `/book` (a time someone else holds is
//! refused, a hold that ran out says so), sees the booking in `/my` and cancels it; a manager
//! puts an order together across a restart, is refused over capacity with the reason, edits
//! the order from the calendar, cancels it, and deletes a client after a confirmation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use std::time::Duration;

use chrono::Utc;
use clubgrid_api::{auth::actor::Caller, auth::api_keys, demo};
use clubgrid_tests::{
    Backend, BotProcess, TestApp, both_backends,
    clubgrid_client::ops,
    telegram::{FakeTelegram, Sent},
};
use entity::enums::Role;

both_backends!(
    a_client_books_through_the_bot_process,
    a_manager_order_survives_a_bot_process_restart
);

const MANAGER: i64 = 5101;
const CLIENT: i64 = 7101;
/// How long a held slot waits, short so the test can see one run out.
const HOLD_SECONDS: u64 = 6;

async fn bot_key(app: &TestApp) -> String {
    let (_, secret) = api_keys::create(&app.state, &Caller::system(), "Telegram bot", Role::Bot)
        .await
        .unwrap();
    secret
}

async fn start_bot(app: &TestApp, fake: &FakeTelegram, key: &str) -> BotProcess {
    BotProcess::start(
        &fake.url,
        &app.url,
        key,
        &[("CLUBGRID_BOT_WEBAPP_URL", "https://clubgrid.example/")],
    )
    .await
}

/// The `web_app` addresses of a message's buttons.
fn web_apps(sent: &Sent) -> Vec<String> {
    sent.body["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["web_app"]["url"].as_str().map(str::to_owned))
        .collect()
}

/// Taps through the month picker to the first day with free times from the day after
/// tomorrow on (well outside any cut-off), this month or the next.
async fn pick_a_free_day(fake: &FakeTelegram, user: i64, month: Sent) -> Sent {
    let mut month = month;
    let after = (Utc::now() + chrono::Duration::days(1))
        .date_naive()
        .to_string();
    for _ in 0..2 {
        if let Some((_, data)) = month.buttons().into_iter().find(|(text, data)| {
            data.starts_with("b:d:") && text.contains('•') && data[4..] > *after
        }) {
            fake.tap(user, month.message_id, &data);
            return fake.expect(user, "свободное время").await;
        }
        let next = month
            .buttons()
            .into_iter()
            .filter(|(_, data)| data.starts_with("b:m:"))
            .nth(1)
            .expect("the next-month arrow")
            .1;
        fake.tap(user, month.message_id, &next);
        month = fake.expect(user, "Выберите день").await;
    }
    panic!("no free day in two months: {:?}", month.buttons());
}

/// `/book` up to the month picker: the first place, service and specialist.
async fn book_to_the_month(fake: &FakeTelegram) -> Sent {
    fake.say(CLIENT, "/book");
    // The next message, whatever it says: a choice of place, or the services of the only one.
    let mut next = fake.expect(CLIENT, "").await;
    if next.text().contains("Куда?") {
        fake.tap(CLIENT, next.message_id, &next.button("b:loc:"));
        next = fake.expect(CLIENT, "Какая услуга?").await;
    }
    assert!(next.text().contains("Какая услуга?"), "{}", next.text());
    assert!(
        web_apps(&next)
            .iter()
            .all(|u| u.starts_with("https://clubgrid.example/book/")),
        "{:?}",
        web_apps(&next)
    );
    fake.tap(CLIENT, next.message_id, &next.button("b:svc:"));
    let whom = fake.expect(CLIENT, "К кому?").await;
    assert_eq!(
        whom.method, "editMessageText",
        "the choices edit one message"
    );
    assert!(whom.buttons().iter().any(|(_, d)| d == "b:sp:any"));
    fake.tap(CLIENT, whom.message_id, &whom.button("b:sp:"));
    fake.expect(CLIENT, "Выберите день").await
}

async fn a_client_books_through_the_bot_process(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.hold_seconds = HOLD_SECONDS).await;
    demo::seed(&app.state).await.unwrap();
    let fake = FakeTelegram::start().await;
    let key = bot_key(&app).await;
    let mut bot = start_bot(&app, &fake, &key).await;

    // Booking needs the phone first.
    fake.say(CLIENT, "/book");
    fake.expect(CLIENT, "поделитесь номером").await;
    fake.share_contact(CLIENT, CLIENT, "+7 701 555 00 12", "Айгерим");
    fake.expect(CLIENT, "номер привязан").await;
    let online = fake.expect(CLIENT, "Записаться онлайн").await;
    assert!(online.buttons().iter().any(|(_, d)| d == "b:start"));
    let pages = web_apps(&online);
    assert!(!pages.is_empty(), "a Mini App button per bookable location");
    assert!(
        pages
            .iter()
            .all(|u| u.starts_with("https://clubgrid.example/book/")),
        "{pages:?}"
    );
    // Each button opens a public page that exists: the address carries the location's slug.
    for page in &pages {
        let slug = page.trim_start_matches("https://clubgrid.example/book/");
        app.client()
            .run::<clubgrid_tests::clubgrid_client::ops::PublicLocation>(
                clubgrid_tests::clubgrid_client::ops::public_location::Variables {
                    slug: slug.into(),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{page} opens no page: {e:?}"));
    }

    // Service, specialist, a day with free times …
    let month = book_to_the_month(&fake).await;
    let times = pick_a_free_day(&fake, CLIENT, month).await;
    // … and the bot is killed with the day's times on screen, then started again.
    bot.kill().await;
    bot = start_bot(&app, &fake, &key).await;
    let slot = times.button("b:s:");
    fake.tap(CLIENT, times.message_id, &slot);
    let summary = fake.expect(CLIENT, "придержано").await;
    assert_eq!(summary.message_id, times.message_id, "edited in place");
    fake.tap(CLIENT, summary.message_id, "b:ok");
    let booked = fake.expect(CLIENT, "Вы записаны").await;
    let code = booked
        .text()
        .split("Код записи: ")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
        .unwrap()
        .to_owned();

    // /my shows it, and cancels it after asking.
    fake.say(CLIENT, "/my");
    let mine = fake.expect(CLIENT, "Ваши записи").await;
    assert!(mine.text().contains(&code), "{}", mine.text());
    fake.tap(CLIENT, mine.message_id, &mine.button("my:x:"));
    let ask = fake.expect(CLIENT, "Отменить эту запись?").await;
    fake.tap(CLIENT, ask.message_id, &ask.button("my:xx:"));
    fake.expect(CLIENT, "Запись отменена").await;
    fake.expect(CLIENT, "Предстоящих записей нет").await;

    // A time someone else holds is refused, and the day's times come back.
    let month = book_to_the_month(&fake).await;
    let times = pick_a_free_day(&fake, CLIENT, month).await;
    let slot = times.button("b:s:");
    let mut parts = slot.split(':').skip(2);
    let (unix, specialist) = (parts.next().unwrap(), parts.next().unwrap());
    let starts_at = chrono::DateTime::from_timestamp(unix.parse().unwrap(), 0).unwrap();
    // The bot offers the first service of the first place; hold the same time for it as an
    // anonymous visitor of the public page.
    let (location_id, service_id) = first_service(&app).await;
    app.client()
        .run::<ops::HoldSlot>(ops::hold_slot::Variables {
            input: ops::hold_slot::HoldSlotInput {
                location_id,
                service_id,
                specialist_id: specialist.to_owned(),
                starts_at: starts_at.to_rfc3339(),
            },
        })
        .await
        .unwrap();
    fake.tap(CLIENT, times.message_id, &slot);
    let refused = fake.expect(CLIENT, "только что заняли").await;
    assert!(
        !refused.buttons().iter().any(|(_, d)| *d == slot),
        "the held time is no longer offered"
    );

    // A hold that runs out before the confirmation says so and offers the times again.
    fake.tap(CLIENT, refused.message_id, &refused.button("b:s:"));
    let summary = fake.expect(CLIENT, "придержано").await;
    tokio::time::sleep(Duration::from_secs(HOLD_SECONDS + 2)).await;
    fake.tap(CLIENT, summary.message_id, "b:ok");
    let expired = fake.expect(CLIENT, "Время ожидания вышло").await;
    assert!(expired.buttons().iter().any(|(_, d)| d.starts_with("b:s:")));
    fake.tap(CLIENT, expired.message_id, "b:abort");
    fake.expect(CLIENT, "Запись отменена").await;

    bot.kill().await;
    app.stop().await;
}

/// The first service of the first location that has any, as `(location, service)` ids.
async fn first_service(app: &TestApp) -> (String, String) {
    let admin = app.login("admin", demo::DEMO_PASSWORD).await;
    let raw = |query: &'static str, variables: serde_json::Value| {
        let admin = admin.clone();
        async move { admin.raw(query, variables).await.unwrap().data.unwrap() }
    };
    let locations = raw(
        "query { locations(page: { limit: 50 }) { items { id } } }",
        serde_json::json!({}),
    )
    .await;
    for l in locations["locations"]["items"].as_array().unwrap() {
        let id = l["id"].as_str().unwrap().to_owned();
        let services = raw(
            "query($id: ID!) { services(locationId: $id) { id } }",
            serde_json::json!({ "id": id }),
        )
        .await;
        if let Some(first) = services["services"][0]["id"].as_str() {
            return (id, first.to_owned());
        }
    }
    panic!("the demo has no services");
}

async fn a_manager_order_survives_a_bot_process_restart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    demo::seed(&app.state).await.unwrap();
    let fake = FakeTelegram::start().await;
    let key = bot_key(&app).await;
    let mut bot = start_bot(&app, &fake, &key).await;

    let manager = app.login("manager", demo::DEMO_PASSWORD).await;
    let code = manager
        .run::<ops::CreateTelegramLinkCode>(ops::create_telegram_link_code::Variables)
        .await
        .unwrap()
        .create_telegram_link_code
        .code;
    fake.say(MANAGER, &format!("/link {code}"));
    fake.expect(MANAGER, "аккаунт привязан").await;

    // A client added, then deleted after a confirmation: searches no longer find them.
    fake.say(MANAGER, "/client");
    let ask = fake.expect(MANAGER, "Напишите имя").await;
    fake.tap(MANAGER, ask.message_id, "cl:new");
    fake.expect(MANAGER, "Фамилия, имя и отчество").await;
    fake.say(MANAGER, "Удалов Пётр");
    fake.expect(MANAGER, "Телефон клиента").await;
    fake.say(MANAGER, "+7 701 555 77 66");
    let card = fake.expect(MANAGER, "👤 Удалов Пётр").await;
    fake.tap(MANAGER, card.message_id, &card.button("cl:del:"));
    let ask = fake.expect(MANAGER, "Удалить клиента Удалов Пётр?").await;
    assert_eq!(ask.message_id, card.message_id);
    // "No" goes back to the card; "yes" deletes.
    fake.tap(MANAGER, ask.message_id, &ask.button("cl:show:"));
    let card = fake.expect(MANAGER, "👤 Удалов Пётр").await;
    fake.tap(MANAGER, card.message_id, &card.button("cl:del:"));
    let ask = fake.expect(MANAGER, "Удалить клиента").await;
    fake.tap(MANAGER, ask.message_id, &ask.button("cl:dely:"));
    fake.expect(MANAGER, "удалён (в архиве)").await;
    fake.say(MANAGER, "/client 5557766");
    fake.expect(MANAGER, "никого нет").await;

    // /order, killed halfway and started again.
    // Past the demo's own parties (they run to five days ahead).
    let day = (Utc::now() + chrono::Duration::days(9)).date_naive();
    fake.say(MANAGER, "/order");
    let mut next = fake.expect(MANAGER, "").await;
    if next.text().contains("Какая площадка?") {
        fake.tap(MANAGER, next.message_id, &next.button("o:loc:"));
        next = fake.expect(MANAGER, "Дата игры?").await;
    }
    fake.tap(MANAGER, next.message_id, &format!("o:date:{day}"));
    let times = fake.expect(MANAGER, "Время начала?").await;
    fake.tap(MANAGER, times.message_id, "o:time:16-00");
    let minutes = fake.expect(MANAGER, "Сколько длится игра?").await;
    bot.kill().await;
    bot = start_bot(&app, &fake, &key).await;
    fake.tap(MANAGER, minutes.message_id, "o:game:90");
    let areas = fake.expect(MANAGER, "Площадка?").await;
    fake.tap(MANAGER, areas.message_id, &areas.button("o:area:"));
    let rooms = fake.expect(MANAGER, "Комната отдыха").await;
    fake.tap(MANAGER, rooms.message_id, "o:rest:none");
    fake.expect(MANAGER, "Сколько игроков?").await;
    fake.say(MANAGER, "500");
    let kinds = fake.expect(MANAGER, "Тип игры?").await;
    fake.tap(MANAGER, kinds.message_id, "o:type:GAME");
    fake.expect(MANAGER, "Телефон клиента?").await;
    fake.say(MANAGER, "+7 701 555 88 99");
    fake.expect(MANAGER, "Как зовут клиента?").await;
    fake.say(MANAGER, "Ерлан");
    let summary = fake.expect(MANAGER, "Игроков: 500").await;
    // Over capacity: refused with the reason, and the players can be changed.
    fake.tap(MANAGER, summary.message_id, "o:confirm");
    let refused = fake.expect(MANAGER, "Не получилось").await;
    assert!(refused.text().contains("игроков"), "{}", refused.text());
    fake.tap(MANAGER, refused.message_id, "o:clear:players");
    fake.expect(MANAGER, "Сколько игроков?").await;
    fake.say(MANAGER, "10");
    let summary = fake.expect(MANAGER, "Игроков: 10").await;
    fake.tap(MANAGER, summary.message_id, "o:confirm");
    let created = fake.expect(MANAGER, "создана").await;
    assert!(created.text().contains("16:00"), "{}", created.text());

    // /calendar: forward a month and back, edited in place, then the day and its order.
    fake.say(MANAGER, "/calendar");
    let mut month = fake.expect(MANAGER, "").await;
    if month.text().contains("Какая площадка?") {
        fake.tap(MANAGER, month.message_id, &month.button("cal:loc:"));
        month = fake.expect(MANAGER, "заявки за").await;
    }
    let arrows: Vec<String> = month
        .buttons()
        .into_iter()
        .filter(|(_, d)| d.starts_with("cal:m:"))
        .map(|(_, d)| d)
        .collect();
    fake.tap(MANAGER, month.message_id, &arrows[1]);
    let later = fake.expect(MANAGER, "заявки за").await;
    assert_eq!(later.method, "editMessageText");
    assert_ne!(later.text(), month.text());
    let back = later
        .buttons()
        .into_iter()
        .find(|(_, d)| d.starts_with("cal:m:"))
        .unwrap()
        .1;
    fake.tap(MANAGER, later.message_id, &back);
    let month = fake.expect(MANAGER, "заявки за").await;
    let location = month.button("cal:d:").split(':').nth(2).unwrap().to_owned();
    fake.tap(
        MANAGER,
        month.message_id,
        &format!("cal:d:{location}:{day}"),
    );
    let listed = fake.expect(MANAGER, "16:00").await;
    assert!(listed.text().contains("Ерлан"), "{}", listed.text());

    // Edit the order: another time, saved.
    fake.tap(MANAGER, listed.message_id, &listed.button("o:edit:"));
    let editing = fake.expect(MANAGER, "Игроков: 10").await;
    assert!(editing.buttons().iter().any(|(_, d)| d == "o:drop"));
    fake.tap(MANAGER, editing.message_id, "o:clear:time");
    let times = fake.expect(MANAGER, "Время начала?").await;
    fake.tap(MANAGER, times.message_id, "o:time:18-00");
    let summary = fake.expect(MANAGER, "18:00").await;
    fake.tap(MANAGER, summary.message_id, "o:confirm");
    fake.expect(MANAGER, "изменена").await;
    fake.say(MANAGER, "/calendar");
    let mut month = fake.expect(MANAGER, "").await;
    if month.text().contains("Какая площадка?") {
        fake.tap(MANAGER, month.message_id, &month.button("cal:loc:"));
        month = fake.expect(MANAGER, "заявки за").await;
    }
    fake.tap(
        MANAGER,
        month.message_id,
        &format!("cal:d:{location}:{day}"),
    );
    let listed = fake.expect(MANAGER, "18:00").await;
    assert!(!listed.text().contains("16:00"), "{}", listed.text());

    // And cancel it, after asking.
    fake.tap(MANAGER, listed.message_id, &listed.button("o:edit:"));
    fake.expect(MANAGER, "Игроков: 10").await;
    fake.tap(MANAGER, listed.message_id, "o:drop");
    let ask = fake.expect(MANAGER, "Отменить эту заявку?").await;
    fake.tap(MANAGER, ask.message_id, "o:dropy");
    fake.expect(MANAGER, "отменена").await;

    bot.kill().await;
    app.stop().await;
}

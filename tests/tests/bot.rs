//! The real bot (`clubgrid_bot::run`, what the `clubgrid-bot` binary runs) against a local fake
//! of the Telegram Bot API and the real API, on both backends: seed 004's manager day (linking
//! with a one-time code, finding and adding a client, a party order step by step, a clash
//! refused with its reason, the calendar, the PC map, the day), a restart in the middle of an order that carries on,
//! and a client who shares their phone and reads their own bookings.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use chrono::{Duration, Utc};
use clubgrid_api::{auth::actor::Caller, auth::api_keys, demo};
use clubgrid_tests::{
    Backend, TestApp, both_backends, clubgrid_client::ops, telegram::FakeTelegram,
};
use entity::enums::Role;
use tokio::task::JoinHandle;

both_backends!(a_manager_day_through_the_bot, a_client_links_by_phone);

const MANAGER: i64 = 5001;
const CLIENT: i64 = 7001;

async fn start_bot(app: &TestApp, fake: &FakeTelegram, key: &str) -> JoinHandle<()> {
    let config = clubgrid_bot::Config {
        telegram_token: "123456:TEST".into(),
        telegram_api_url: Some(fake.url.clone()),
        api_url: app.url.clone(),
        api_key: key.to_owned(),
        webapp_url: Some("https://clubgrid.example".into()),
        poll_seconds: 1,
    };
    tokio::spawn(async move {
        if let Err(err) = clubgrid_bot::run(config).await {
            panic!("the bot stopped: {err}");
        }
    })
}

async fn bot_key(app: &TestApp) -> String {
    let (_, secret) = api_keys::create(&app.state, &Caller::system(), "Telegram bot", Role::Bot)
        .await
        .unwrap();
    secret
}

async fn a_manager_day_through_the_bot(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    demo::seed(&app.state).await.unwrap();
    let fake = FakeTelegram::start().await;
    let key = bot_key(&app).await;
    let mut bot = start_bot(&app, &fake, &key).await;

    // Unlinked, the staff commands say how to link.
    fake.say(MANAGER, "/client");
    fake.expect(MANAGER, "/link").await;

    // The manager makes a code in the staff app and sends it to the bot.
    let manager = app.login("manager", demo::DEMO_PASSWORD).await;
    let code = manager
        .run::<ops::CreateTelegramLinkCode>(ops::create_telegram_link_code::Variables)
        .await
        .unwrap()
        .create_telegram_link_code
        .code;
    fake.say(MANAGER, "/link 0000-0000");
    fake.expect(MANAGER, "неверен").await;
    fake.say(MANAGER, &format!("/link {code}"));
    fake.expect(MANAGER, "аккаунт привязан").await;
    // A code works once.
    fake.say(MANAGER + 1, &format!("/link {code}"));
    fake.expect(MANAGER + 1, "использован").await;

    // /client: nobody yet, add one, find them again, open the card in place.
    fake.say(MANAGER, "/client");
    fake.expect(MANAGER, "Напишите имя").await;
    fake.say(MANAGER, "Минеев");
    let none = fake.expect(MANAGER, "никого нет").await;
    fake.tap(MANAGER, none.message_id, &none.button("cl:new"));
    fake.expect(MANAGER, "Фамилия, имя и отчество").await;
    fake.say(MANAGER, "Минеев Михаил Владимирович");
    fake.expect(MANAGER, "Телефон клиента").await;
    fake.say(MANAGER, "не телефон");
    fake.expect(MANAGER, "не номер телефона").await;
    fake.say(MANAGER, "8 701 555 44 33");
    fake.expect(MANAGER, "Клиент добавлен: Минеев Михаил").await;
    fake.expect(MANAGER, "+77015554433").await;
    fake.say(MANAGER, "/client 5554433");
    let found = fake.expect(MANAGER, "Найдено: 1").await;
    fake.tap(MANAGER, found.message_id, &found.button("cl:show:"));
    let card = fake.expect(MANAGER, "👤 Минеев Михаил Владимирович").await;
    assert_eq!(
        card.method, "editMessageText",
        "the card replaces the list in place"
    );
    assert_eq!(card.message_id, found.message_id);
    fake.tap(
        MANAGER,
        card.message_id,
        &card.button("cl:edit:").replace(":name", ":notes"),
    );
    fake.expect(MANAGER, "новое значение").await;
    fake.say(MANAGER, "Любит лес");
    fake.expect(MANAGER, "Примечание: Любит лес").await;

    // /order, step by step, for three days from now at 15:00, counted in the arena's own days
    // (Yekaterinburg, UTC+5): in UTC's, from 19:00 on, the day fell on the demo's own order
    // two local days ahead, and the calendar rightly counted two.
    let day = (Utc::now() + Duration::days(3))
        .with_timezone(&chrono_tz::Asia::Yekaterinburg)
        .date_naive();
    let order = |fake: &FakeTelegram| {
        let fake = fake.clone();
        async move {
            fake.say(MANAGER, "/order");
            let calendar = fake.expect(MANAGER, "Дата игры?").await;
            fake.tap(MANAGER, calendar.message_id, &format!("o:date:{day}"));
            let times = fake.expect(MANAGER, "Время начала?").await;
            fake.tap(MANAGER, times.message_id, "o:time:15-00");
            let minutes = fake.expect(MANAGER, "Сколько длится игра?").await;
            fake.tap(MANAGER, minutes.message_id, "o:game:60");
            let areas = fake.expect(MANAGER, "Площадка?").await;
            fake.tap(MANAGER, areas.message_id, &areas.button("o:area:"));
            let rooms = fake.expect(MANAGER, "Комната отдыха").await;
            fake.tap(MANAGER, rooms.message_id, &rooms.button("o:rest:"));
            fake.expect(MANAGER, "Сколько игроков?").await;
        }
    };
    order(&fake).await;
    // The bot restarts here; the order carries on from where it was.
    bot.abort();
    let _ = bot.await;
    bot = start_bot(&app, &fake, &key).await;
    fake.say(MANAGER, "много");
    fake.expect(MANAGER, "Нужно число игроков").await;
    fake.say(MANAGER, "12");
    let kinds = fake.expect(MANAGER, "Тип игры?").await;
    fake.tap(MANAGER, kinds.message_id, "o:type:BIRTHDAY");
    fake.expect(MANAGER, "Телефон клиента?").await;
    fake.say(MANAGER, "+7 701 555 44 33");
    fake.expect(MANAGER, "Как зовут клиента?").await;
    fake.say(MANAGER, "Михаил");
    let summary = fake.expect(MANAGER, "Игроков: 12, тип: BIRTHDAY").await;
    fake.tap(MANAGER, summary.message_id, "o:confirm");
    fake.expect(MANAGER, "создана").await;

    // The same area at the same time: refused with the reason, and another time offered.
    order(&fake).await;
    fake.say(MANAGER, "8");
    let kinds = fake.expect(MANAGER, "Тип игры?").await;
    fake.tap(MANAGER, kinds.message_id, "o:type:GAME");
    fake.expect(MANAGER, "Телефон клиента?").await;
    fake.say(MANAGER, "+7 701 555 44 34");
    fake.expect(MANAGER, "Как зовут клиента?").await;
    fake.say(MANAGER, "Ольга");
    let summary = fake.expect(MANAGER, "Заявка:").await;
    fake.tap(MANAGER, summary.message_id, "o:confirm");
    let refused = fake.expect(MANAGER, "Не получилось").await;
    assert!(refused.buttons().iter().any(|(_, d)| d == "o:retime"));

    // /calendar: the day carries one order; tapping it lists the order.
    fake.say(MANAGER, "/calendar");
    let month = fake.expect(MANAGER, "заявки за").await;
    let first_of_month = month.button("cal:m:");
    assert!(!first_of_month.is_empty());
    let day_button = month
        .buttons()
        .into_iter()
        .find(|(_, data)| data.ends_with(&format!(":{day}")));
    match day_button {
        // The order's day is in the month shown: it carries the count.
        Some((text, data)) => {
            assert!(text.ends_with("•1"), "{text}");
            fake.tap(MANAGER, month.message_id, &data);
        }
        // Three days ahead may be next month: the day is tapped all the same.
        None => {
            let data = month.button("cal:d:");
            let location = data.split(':').nth(2).unwrap();
            fake.tap(
                MANAGER,
                month.message_id,
                &format!("cal:d:{location}:{day}"),
            );
        }
    }
    let listed = fake.expect(MANAGER, "15:00").await;
    assert!(listed.text().contains("12 игр."), "{}", listed.text());
    assert!(listed.text().contains("Михаил"));

    // /map: the club's PCs with their status; /today: the venue's day, the new order included
    // when it falls today.
    fake.say(MANAGER, "/map");
    let venues = fake.expect(MANAGER, "Какая площадка?").await;
    let club = venues
        .buttons()
        .into_iter()
        .find(|(name, _)| name.contains("CyberArena"))
        .unwrap();
    fake.tap(MANAGER, venues.message_id, &club.1);
    let map = fake.expect(MANAGER, "Карта ПК: свободно").await;
    assert!(map.text().contains("🟢"), "{}", map.text());
    fake.tap(MANAGER, map.message_id, &map.button("map:"));
    let again = fake.expect(MANAGER, "Карта ПК").await;
    assert_eq!(again.method, "editMessageText");
    fake.say(MANAGER, "/today");
    let venues = fake.expect(MANAGER, "Какая площадка?").await;
    let arena = venues
        .buttons()
        .into_iter()
        .find(|(name, _)| name.contains("Лазертаг"))
        .unwrap();
    fake.tap(MANAGER, venues.message_id, &arena.1);
    fake.expect(MANAGER, "Сегодня,").await;

    bot.abort();
    app.stop().await;
}

async fn a_client_links_by_phone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    demo::seed(&app.state).await.unwrap();
    let fake = FakeTelegram::start().await;
    let key = bot_key(&app).await;
    let bot = start_bot(&app, &fake, &key).await;

    fake.say(CLIENT, "/start");
    let hello = fake.expect(CLIENT, "Поделитесь номером").await;
    assert!(hello.body["reply_markup"]["keyboard"][0][0]["request_contact"] == true);
    // Someone else's card is refused; their own links them.
    fake.share_contact(CLIENT, CLIENT + 1, "+77015550001", "Чужой");
    fake.expect(CLIENT, "чужой контакт").await;
    fake.share_contact(CLIENT, CLIENT, "+7 701 555 00 02", "Айгерим");
    fake.expect(CLIENT, "номер привязан").await;
    let app_button = fake.expect(CLIENT, "Записаться онлайн").await;
    // `/book` in the chat, then the booking page of each location that takes bookings.
    let rows = &app_button.body["reply_markup"]["inline_keyboard"];
    assert_eq!(rows[0][0]["callback_data"], "b:start");
    let page = rows[1][0]["web_app"]["url"].as_str().unwrap();
    assert!(page.starts_with("https://clubgrid.example/book/"), "{page}");
    fake.say(CLIENT, "/my");
    fake.expect(CLIENT, "Предстоящих записей нет").await;
    // A client is not staff.
    fake.say(CLIENT, "/client");
    fake.expect(CLIENT, "для сотрудников").await;
    // The client record was made from the shared card, with Telegram as its source.
    let admin = app.login("admin", demo::DEMO_PASSWORD).await;
    let found = admin
        .run::<ops::Clients>(ops::clients::Variables {
            filter: Some(ops::clients::ClientFilter {
                search: Some("5550002".into()),
                ..clubgrid_tests::client_filter()
            }),
            sort: None,
            page: None,
        })
        .await
        .unwrap()
        .clients;
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].display_name, "Айгерим");
    bot.abort();
    app.stop().await;
}

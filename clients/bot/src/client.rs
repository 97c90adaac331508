//! The client's side: `/start` with phone sharing, `/my` bookings with cancel, and the buttons
//! that open the booking Mini App (`/book` itself is in `book`).

use teloxide::types::{
    ButtonRequest, Contact, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton,
    KeyboardMarkup, ReplyMarkup, WebAppInfo,
};

use crate::{
    BotError, Turn,
    api::{ops, refusal},
    keyboards::button,
};

/// `/start`: who the bot takes the person for, and what they can do.
pub async fn start(turn: &mut Turn<'_>) -> Result<(), BotError> {
    match turn.person.clone() {
        Some(p) if p.is_staff() => {
            let text = turn.t(
                &format!(
                    "Здравствуйте, {}! Команды: /client — клиенты, /order — новая заявка, \
                     /calendar — заявки по дням.",
                    p.display_name
                ),
                &format!(
                    "Hello, {}! Commands: /client for clients, /order for a new order, \
                     /calendar for orders by day.",
                    p.display_name
                ),
            );
            turn.say(&text, None).await
        }
        Some(p) => {
            let text = turn.t(
                &format!(
                    "Здравствуйте, {}! /book — записаться, /my — ваши записи.",
                    p.display_name
                ),
                &format!(
                    "Hello, {}! /book to book, /my for your bookings.",
                    p.display_name
                ),
            );
            let buttons = mini_app(turn).await?;
            turn.say(&text, Some(buttons)).await
        }
        None => {
            let text = turn.t(
                "Здравствуйте! Поделитесь номером телефона кнопкой ниже: по нему мы найдём \
                 ваши записи. Сотрудник клуба? Отправьте /link КОД из кабинета сотрудника.",
                "Hello! Share your phone number with the button below: it finds your \
                 bookings. Staff? Send /link CODE from the staff app.",
            );
            let share = turn.t("📱 Поделиться номером", "📱 Share my number");
            let keyboard = KeyboardMarkup::new(vec![vec![
                KeyboardButton::new(share).request(ButtonRequest::Contact),
            ]])
            .resize_keyboard()
            .one_time_keyboard();
            turn.say_with(&text, ReplyMarkup::Keyboard(keyboard)).await
        }
    }
}

/// The address of a location's booking page, opened inside Telegram as a Mini App, when the
/// public address is set (`CLUBGRID_BOT_WEBAPP_URL`).
pub fn booking_url(base: &str, location: &str) -> Option<reqwest::Url> {
    reqwest::Url::parse(&format!("{}/book/{location}", base.trim_end_matches('/'))).ok()
}

/// The button that opens a location's booking page inside Telegram.
/// `location` is the location's slug, the readable part of its page's address.
pub fn booking_page(turn: &Turn<'_>, location: &str) -> Option<InlineKeyboardButton> {
    let url = booking_url(turn.webapp_url?, location)?;
    let text = turn.t("📱 Открыть онлайн-запись", "📱 Open online booking");
    Some(InlineKeyboardButton::web_app(text, WebAppInfo { url }))
}

/// `/book` in the chat, and a Mini App button per location that takes bookings, when the
/// public address is set.
async fn mini_app(turn: &Turn<'_>) -> Result<InlineKeyboardMarkup, BotError> {
    let mut rows = vec![vec![button(turn.t("🗓 Записаться", "🗓 Book"), "b:start")]];
    if let (Some(base), Some(person)) = (turn.webapp_url, turn.person.as_ref()) {
        let locations = person
            .run::<ops::BotBookLocations>(ops::bot_book_locations::Variables)
            .await?
            .locations
            .items;
        for l in locations {
            let has_services = !person
                .run::<ops::BotServices>(ops::bot_services::Variables {
                    location_id: l.id.clone(),
                })
                .await?
                .services
                .is_empty();
            if let (true, Some(url)) = (has_services, booking_url(base, &l.slug)) {
                rows.push(vec![InlineKeyboardButton::web_app(
                    format!("📱 {}", l.name),
                    WebAppInfo { url },
                )]);
            }
        }
    }
    Ok(InlineKeyboardMarkup::new(rows))
}

/// A shared contact: the person's own number links them to their client record.
pub async fn contact(turn: &mut Turn<'_>, contact: Contact) -> Result<(), BotError> {
    let user_id = turn.user.id;
    if contact.user_id != Some(user_id) {
        let text = turn.t(
            "Это чужой контакт. Нажмите «Поделиться номером», чтобы отправить свой.",
            "That is someone else's contact. Tap \"Share my number\" to send your own.",
        );
        return turn.say(&text, None).await;
    }
    let telegram_user_id = user_id.0 as i64;
    turn.api
        .run::<ops::BotLinkClient>(ops::bot_link_client::Variables {
            contact: ops::bot_link_client::SharedContactInput {
                phone: contact.phone_number.clone(),
                first_name: contact.first_name.clone(),
                last_name: contact.last_name.clone(),
            },
            who: ops::bot_link_client::TelegramUserInput {
                telegram_user_id: telegram_user_id.to_string(),
                chat_id: turn.chat_id.to_string(),
                language: turn.user.language_code.clone(),
            },
        })
        .await?;
    turn.api.forget(telegram_user_id);
    turn.person = turn.api.person(telegram_user_id).await?;
    let text = turn.t(
        "Спасибо, номер привязан. /book — записаться, /my — ваши записи.",
        "Thank you, your number is linked. /book to book, /my for your bookings.",
    );
    turn.say_with(&text, ReplyMarkup::kb_remove()).await?;
    let buttons = mini_app(turn).await?;
    let text = turn.t("Записаться онлайн:", "Book online:");
    turn.say(&text, Some(buttons)).await
}

/// `/my`: the client's bookings to come, each with a cancel button.
pub async fn my(turn: &mut Turn<'_>) -> Result<(), BotError> {
    let Some(person) = turn.person.clone().filter(|p| p.client_id.is_some()) else {
        let text = turn.t(
            "Сначала поделитесь номером телефона: /start",
            "Share your phone number first: /start",
        );
        return turn.say(&text, None).await;
    };
    let items = person
        .run::<ops::BotMyAppointments>(ops::bot_my_appointments::Variables)
        .await?
        .my_appointments
        .items;
    let upcoming: Vec<_> = items
        .into_iter()
        .filter(|a| {
            matches!(
                a.status,
                ops::bot_my_appointments::AppointmentStatus::BOOKED
            )
        })
        .collect();
    if upcoming.is_empty() {
        let text = turn.t("Предстоящих записей нет.", "No bookings to come.");
        let buttons = mini_app(turn).await?;
        return turn.show(&text, buttons).await;
    }
    let mut lines = vec![turn.t("Ваши записи:", "Your bookings:")];
    let mut rows = Vec::new();
    for a in &upcoming {
        let service = a.service.as_ref().map(|s| s.name.as_str()).unwrap_or("");
        let specialist = a
            .specialist
            .as_ref()
            .map(|s| format!("{} {}", s.first_name, s.last_name))
            .unwrap_or_default();
        lines.push(format!(
            "• {} — {service}, {specialist} (код {})",
            short_time(&a.starts_at),
            a.code
        ));
        let cancel = turn.t("Отменить", "Cancel");
        rows.push(vec![button(
            format!("✖ {cancel} {}", short_time(&a.starts_at)),
            format!("my:x:{}", a.id),
        )]);
    }
    turn.show(&lines.join("\n"), InlineKeyboardMarkup::new(rows))
        .await
}

/// `2026-12-05T09:00:00+00:00` → `05.12 09:00 UTC` when the offset is not known better.
fn short_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.format("%d.%m %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// `my:x:<id>` asks to confirm a cancellation; `my:xx:<id>` cancels; `my:list` goes back.
pub async fn tap(turn: &mut Turn<'_>, rest: &str) -> Result<(), BotError> {
    let (action, id) = rest.split_once(':').unwrap_or((rest, ""));
    match action {
        "x" => {
            let text = turn.t("Отменить эту запись?", "Cancel this booking?");
            let yes = turn.t("Да, отменить", "Yes, cancel");
            let no = turn.t("Нет", "No");
            let buttons = InlineKeyboardMarkup::new(vec![vec![
                button(yes, format!("my:xx:{id}")),
                button(no, "my:list"),
            ]]);
            turn.show(&text, buttons).await
        }
        "xx" => {
            let Some(person) = turn.person.clone() else {
                return start(turn).await;
            };
            match person
                .run::<ops::BotCancelAppointment>(ops::bot_cancel_appointment::Variables {
                    id: id.to_owned(),
                })
                .await
            {
                Ok(_) => {
                    let text = turn.t("Запись отменена.", "The booking is cancelled.");
                    turn.say(&text, None).await?;
                    turn.tapped = None;
                    my(turn).await
                }
                Err(err) => {
                    let text = refusal(&err, turn.english);
                    turn.say(&text, None).await
                }
            }
        }
        _ => my(turn).await,
    }
}

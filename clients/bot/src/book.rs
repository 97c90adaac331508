//! `/book`: a client books an appointment step by step (location, service, specialist or
//! anyone, day, a free time), the time is held for them while they look at the summary, and
//! they confirm. Every call runs with the client's own sign-in, so they book for themselves.
//! A time someone else took, or a hold that ran out, sends them back to the day's times with
//! a word on why.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use crate::{
    BotError, Turn,
    api::{Person, now, ops, refusal},
    chat::{BookDraft, Hold, Step},
    client::booking_page,
    keyboards::{self, button, first_of, grid},
};

/// A location where something can be booked.
struct Place {
    id: String,
    /// The readable part of its public page's address.
    slug: String,
    name: String,
    timezone: Tz,
}

/// The signed-in client, or a word on how to become one.
async fn client(turn: &mut Turn<'_>) -> Result<Option<Person>, BotError> {
    match turn.person.clone() {
        Some(p) if p.client_id.is_some() => Ok(Some(p)),
        _ => {
            let text = turn.t(
                "Чтобы записаться, сначала поделитесь номером телефона: /start",
                "To book, share your phone number first: /start",
            );
            turn.say(&text, None).await?;
            Ok(None)
        }
    }
}

/// The locations that offer services.
async fn places(person: &Person) -> Result<Vec<Place>, BotError> {
    let locations = person
        .run::<ops::BotBookLocations>(ops::bot_book_locations::Variables)
        .await?
        .locations
        .items;
    let mut places = Vec::new();
    for l in locations {
        let services = person
            .run::<ops::BotServices>(ops::bot_services::Variables {
                location_id: l.id.clone(),
            })
            .await?
            .services;
        if !services.is_empty() {
            places.push(Place {
                id: l.id,
                slug: l.slug,
                name: l.name,
                timezone: l.timezone.parse().unwrap_or(Tz::UTC),
            });
        }
    }
    Ok(places)
}

/// `/book`.
pub async fn start(turn: &mut Turn<'_>) -> Result<(), BotError> {
    let Some(person) = client(turn).await? else {
        return Ok(());
    };
    let all = places(&person).await?;
    match all.as_slice() {
        [] => {
            let text = turn.t(
                "Онлайн-запись сейчас недоступна: услуг пока нет.",
                "Online booking is not available: there are no services yet.",
            );
            turn.say(&text, None).await
        }
        [one] => {
            let draft = BookDraft {
                location_id: Some(one.id.clone()),
                timezone: Some(one.timezone.name().to_owned()),
                ..BookDraft::default()
            };
            turn.tapped = None;
            ask_next(turn, &person, draft, None).await
        }
        many => {
            turn.chat.step = Step::Book {
                draft: Box::default(),
            };
            let buttons = many
                .iter()
                .map(|p| button(p.name.clone(), format!("b:loc:{}", p.id)))
                .collect();
            let text = turn.t("Запись. Куда?", "Booking. Where?");
            turn.say(&text, Some(grid(buttons, 1))).await
        }
    }
}

fn tz_of(draft: &BookDraft) -> Tz {
    draft
        .timezone
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(Tz::UTC)
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// `2026-12-05T06:00:00+00:00` in the location's time, as `05.12.2026 11:00`.
fn local_text(tz: Tz, rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// The free times of `from..=to`, one per start time (the first specialist free then), in
/// order, as `(start, specialist)`.
async fn free_slots(
    person: &Person,
    draft: &BookDraft,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(DateTime<chrono::FixedOffset>, String)>, BotError> {
    let specialist_id = draft.specialist.clone().flatten().map(|(id, _)| id);
    let slots = person
        .run::<ops::BotSlots>(ops::bot_slots::Variables {
            location_id: draft.location_id.clone().unwrap_or_default(),
            service_id: draft.service_id.clone().unwrap_or_default(),
            specialist_id,
            from: from.to_string(),
            to: to.to_string(),
        })
        .await?
        .available_slots;
    let mut by_start = BTreeMap::new();
    for s in slots {
        if let Ok(at) = DateTime::parse_from_rfc3339(&s.starts_at) {
            by_start.entry(at).or_insert(s.specialist_id);
        }
    }
    Ok(by_start.into_iter().collect())
}

/// The day picker for the month of `first`, each day with its number of free times.
async fn month(
    turn: &mut Turn<'_>,
    person: &Person,
    draft: &BookDraft,
    first: NaiveDate,
    note: Option<String>,
) -> Result<(), BotError> {
    let tz = tz_of(draft);
    let today = now().with_timezone(&tz).date_naive();
    let last = keyboards::next_month(first).pred_opt().unwrap_or(first);
    let mut marks: HashMap<NaiveDate, usize> = HashMap::new();
    if last >= today {
        for (at, _) in free_slots(person, draft, first.max(today), last).await? {
            *marks.entry(at.with_timezone(&tz).date_naive()).or_insert(0) += 1;
        }
    }
    let head = turn.t(
        "Выберите день. Цифра после точки — сколько свободных окон.",
        "Pick a day. The number after the dot counts free times.",
    );
    let text = match note {
        Some(note) => format!("{note}\n\n{head}"),
        None => head,
    };
    let mut kb = keyboards::month(first, "b:d:", "b:m:", &marks, Some(today), turn.english);
    kb.inline_keyboard
        .push(vec![button(turn.t("✖ Отмена", "✖ Cancel"), "b:abort")]);
    turn.show(&text, kb).await
}

/// Asks for the first thing the booking still lacks; shows the summary with the hold when
/// nothing is missing. `note` goes first (why they are asked again).
async fn ask_next(
    turn: &mut Turn<'_>,
    person: &Person,
    draft: BookDraft,
    note: Option<String>,
) -> Result<(), BotError> {
    let tz = tz_of(&draft);
    let with_note = |text: String| match &note {
        Some(note) => format!("{note}\n\n{text}"),
        None => text,
    };
    turn.chat.step = Step::Book {
        draft: Box::new(draft.clone()),
    };
    let cancel = button(turn.t("✖ Отмена", "✖ Cancel"), "b:abort");
    let Some(location_id) = draft.location_id.clone() else {
        turn.chat.step = Step::Idle;
        let text = turn.t("Начните заново: /book", "Start again: /book");
        return turn.say(&text, None).await;
    };
    let Some(service_id) = draft.service_id.clone() else {
        let services = person
            .run::<ops::BotServices>(ops::bot_services::Variables {
                location_id: location_id.clone(),
            })
            .await?
            .services;
        let mut rows: Vec<Vec<InlineKeyboardButton>> = services
            .iter()
            .map(|s| {
                vec![button(
                    format!("{} · {} мин · {}", s.name, s.duration_minutes, s.price),
                    format!("b:svc:{}", s.id),
                )]
            })
            .collect();
        if turn.webapp_url.is_some() {
            let slug = places(person)
                .await?
                .into_iter()
                .find(|p| p.id == location_id)
                .map(|p| p.slug);
            if let Some(page) = slug.and_then(|slug| booking_page(turn, &slug)) {
                rows.push(vec![page]);
            }
        }
        rows.push(vec![cancel]);
        let text = with_note(turn.t("Какая услуга?", "Which service?"));
        return turn.show(&text, InlineKeyboardMarkup::new(rows)).await;
    };
    if draft.specialist.is_none() {
        let specialists = person
            .run::<ops::BotSpecialists>(ops::bot_specialists::Variables {
                service_id: service_id.clone(),
            })
            .await?
            .specialists;
        let mut buttons: Vec<_> = specialists
            .iter()
            .map(|s| {
                button(
                    format!("{} {}", s.first_name, s.last_name),
                    format!("b:sp:{}", s.id),
                )
            })
            .collect();
        buttons.push(button(
            turn.t("Любой специалист", "Any specialist"),
            "b:sp:any",
        ));
        buttons.push(cancel);
        let text = with_note(turn.t("К кому?", "With whom?"));
        return turn.show(&text, grid(buttons, 1)).await;
    }
    let Some(day) = draft.date.as_deref().and_then(parse_day) else {
        let first = first_of(now().with_timezone(&tz).date_naive());
        return month(turn, person, &draft, first, note).await;
    };
    let Some(hold) = draft.hold.clone() else {
        let slots = free_slots(person, &draft, day, day).await?;
        let buttons: Vec<_> = slots
            .iter()
            .map(|(at, specialist)| {
                button(
                    at.with_timezone(&tz).format("%H:%M").to_string(),
                    format!("b:s:{}:{specialist}", at.timestamp()),
                )
            })
            .collect();
        let text = if slots.is_empty() {
            turn.t(
                &format!(
                    "На {} свободного времени нет. Выберите другой день.",
                    day.format("%d.%m.%Y")
                ),
                &format!(
                    "No free time on {}. Pick another day.",
                    day.format("%d.%m.%Y")
                ),
            )
        } else {
            turn.t(
                &format!("{}: свободное время", day.format("%d.%m.%Y")),
                &format!("{}: free times", day.format("%d.%m.%Y")),
            )
        };
        let mut kb = grid(buttons, 4);
        kb.inline_keyboard.push(vec![
            button(turn.t("◀ Другой день", "◀ Another day"), "b:redate"),
            cancel,
        ]);
        return turn.show(&with_note(text), kb).await;
    };
    let specialist = match &draft.specialist {
        Some(Some((_, name))) => name.clone(),
        _ => person
            .run::<ops::BotSpecialists>(ops::bot_specialists::Variables {
                service_id: service_id.clone(),
            })
            .await?
            .specialists
            .into_iter()
            .find(|s| s.id == hold.specialist_id)
            .map(|s| format!("{} {}", s.first_name, s.last_name))
            .unwrap_or_default(),
    };
    let service = draft.service.clone().unwrap_or_default();
    let when = local_text(tz, &hold.starts_at);
    let until = DateTime::parse_from_rfc3339(&hold.expires_at)
        .map(|t| t.with_timezone(&tz).format("%H:%M").to_string())
        .unwrap_or_default();
    let text = turn.t(
        &format!(
            "Запись: {service}\nСпециалист: {specialist}\nКогда: {when}\nОплата на месте.\n\n\
             Время придержано за вами до {until}. Записаться?"
        ),
        &format!(
            "Booking: {service}\nSpecialist: {specialist}\nWhen: {when}\nPaid at the venue.\n\n\
             The time is held for you until {until}. Book it?"
        ),
    );
    let buttons = grid(
        vec![
            button(turn.t("✅ Записаться", "✅ Book"), "b:ok"),
            button(turn.t("🕑 Другое время", "🕑 Another time"), "b:retime"),
            cancel,
        ],
        1,
    );
    turn.show(&with_note(text), buttons).await
}

/// Lets the held time go (quietly: a hold that already ran out is no matter).
async fn release(person: &Person, draft: &mut BookDraft) {
    if let Some(hold) = draft.hold.take()
        && let Err(err) = person
            .run::<ops::BotReleaseHold>(ops::bot_release_hold::Variables { token: hold.token })
            .await
    {
        tracing::debug!(%err, "a hold was not released");
    }
}

/// A tap under a `/book` message: `b:<what>:…`.
pub async fn tap(turn: &mut Turn<'_>, rest: &str) -> Result<(), BotError> {
    let Some(person) = client(turn).await? else {
        return Ok(());
    };
    let mut draft = match &turn.chat.step {
        Step::Book { draft } => (**draft).clone(),
        _ => BookDraft::default(),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let mut note = None;
    match parts.as_slice() {
        ["loc", id] => {
            let Some(place) = places(&person).await?.into_iter().find(|p| p.id == *id) else {
                return start(turn).await;
            };
            release(&person, &mut draft).await;
            draft = BookDraft {
                location_id: Some(place.id),
                timezone: Some(place.timezone.name().to_owned()),
                ..BookDraft::default()
            };
        }
        ["svc", id] => {
            let services = person
                .run::<ops::BotServices>(ops::bot_services::Variables {
                    location_id: draft.location_id.clone().unwrap_or_default(),
                })
                .await?
                .services;
            if let Some(s) = services.into_iter().find(|s| s.id == *id) {
                draft.service_id = Some(s.id);
                draft.service = Some(s.name);
            }
        }
        ["sp", "any"] => draft.specialist = Some(None),
        ["sp", id] => {
            let specialists = person
                .run::<ops::BotSpecialists>(ops::bot_specialists::Variables {
                    service_id: draft.service_id.clone().unwrap_or_default(),
                })
                .await?
                .specialists;
            if let Some(s) = specialists.into_iter().find(|s| s.id == *id) {
                draft.specialist = Some(Some((s.id, format!("{} {}", s.first_name, s.last_name))));
            }
        }
        ["m", first] => {
            let Some(first) = parse_day(first) else {
                return Ok(());
            };
            turn.chat.step = Step::Book {
                draft: Box::new(draft.clone()),
            };
            return month(turn, &person, &draft, first_of(first), None).await;
        }
        ["d", day] => draft.date = parse_day(day).map(|d| d.to_string()),
        ["s", unix, specialist] => {
            let Some(at) = unix
                .parse::<i64>()
                .ok()
                .and_then(|s| DateTime::from_timestamp(s, 0))
            else {
                return Ok(());
            };
            release(&person, &mut draft).await;
            let input = ops::bot_hold_slot::HoldSlotInput {
                location_id: draft.location_id.clone().unwrap_or_default(),
                service_id: draft.service_id.clone().unwrap_or_default(),
                specialist_id: (*specialist).to_owned(),
                starts_at: at.to_rfc3339(),
            };
            match person
                .run::<ops::BotHoldSlot>(ops::bot_hold_slot::Variables { input })
                .await
            {
                Ok(held) => {
                    let h = held.hold_slot;
                    draft.hold = Some(Hold {
                        token: h.token,
                        starts_at: h.starts_at,
                        specialist_id: h.specialist_id,
                        expires_at: h.expires_at,
                    });
                }
                Err(err) if err.code() == Some("SLOT_TAKEN") => {
                    note = Some(turn.t(
                        "😕 Это время только что заняли. Выберите другое.",
                        "😕 Someone has just taken that time. Pick another.",
                    ));
                }
                Err(err) => return Err(err.into()),
            }
        }
        ["ok"] => return confirm(turn, &person, draft).await,
        ["retime"] => release(&person, &mut draft).await,
        ["redate"] => {
            release(&person, &mut draft).await;
            draft.date = None;
        }
        ["abort"] => {
            release(&person, &mut draft).await;
            turn.chat.step = Step::Idle;
            let text = turn.t(
                "Запись отменена. /book — начать заново.",
                "Booking dropped. /book starts again.",
            );
            return turn
                .show(&text, InlineKeyboardMarkup::new(Vec::<Vec<_>>::new()))
                .await;
        }
        _ => return Ok(()),
    }
    ask_next(turn, &person, draft, note).await
}

/// Books the held time.
async fn confirm(
    turn: &mut Turn<'_>,
    person: &Person,
    mut draft: BookDraft,
) -> Result<(), BotError> {
    let Some(hold) = draft.hold.clone() else {
        return ask_next(turn, person, draft, None).await;
    };
    match person
        .run::<ops::BotConfirmBooking>(ops::bot_confirm_booking::Variables {
            hold_token: hold.token.clone(),
        })
        .await
    {
        Ok(done) => {
            let a = done.confirm_booking;
            turn.chat.step = Step::Idle;
            let when = local_text(tz_of(&draft), &a.starts_at);
            let service = draft.service.clone().unwrap_or_default();
            let text = turn.t(
                &format!(
                    "✅ Вы записаны: {service}, {when}. Код записи: {}.\n/my — ваши записи, там же \
                     можно отменить.",
                    a.code
                ),
                &format!(
                    "✅ You are booked: {service}, {when}. Booking code: {}.\n/my shows your \
                     bookings, and cancels them.",
                    a.code
                ),
            );
            turn.show(&text, InlineKeyboardMarkup::new(Vec::<Vec<_>>::new()))
                .await
        }
        Err(err) if matches!(err.code(), Some("HOLD_EXPIRED" | "SLOT_TAKEN")) => {
            draft.hold = None;
            let note = if err.code() == Some("HOLD_EXPIRED") {
                turn.t(
                    "⌛ Время ожидания вышло, и время больше не придержано. Выберите время заново.",
                    "⌛ The hold ran out and the time is no longer kept for you. Pick a time again.",
                )
            } else {
                turn.t(
                    "😕 Это время уже заняли. Выберите другое.",
                    "😕 That time has been taken. Pick another.",
                )
            };
            ask_next(turn, person, draft, Some(note)).await
        }
        Err(err) if !err.errors().is_empty() => {
            let reason = refusal(&err, turn.english);
            ask_next(turn, person, draft, Some(reason)).await
        }
        Err(err) => Err(err.into()),
    }
}

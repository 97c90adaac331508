//! The staff side (seed 004's manager): `/client` to find, show, add and edit clients,
//! `/order` to put a party order together step by step, `/calendar` to see orders by day.
//! Every call runs with the linked staff member's own token, so their role decides.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use teloxide::types::InlineKeyboardMarkup;

use crate::{
    BotError, Turn,
    api::{Person, now, ops, refusal},
    chat::{ClientField, OrderDraft, OrderText, Step},
    keyboards::{self, button, first_of, grid},
};

// ---- /client ----------------------------------------------------------------------------

/// `/client [text]`: searches at once when text is given, otherwise asks for it.
pub async fn clients(turn: &mut Turn<'_>, query: &str) -> Result<(), BotError> {
    let Some(person) = turn.staff().await? else {
        return Ok(());
    };
    if query.is_empty() {
        turn.chat.step = Step::ClientSearch;
        let text = turn.t(
            "Напишите имя, фамилию или телефон клиента.",
            "Send the client's name or phone.",
        );
        let new = turn.t("➕ Новый клиент", "➕ New client");
        return turn
            .say(&text, Some(grid(vec![button(new, "cl:new")], 1)))
            .await;
    }
    search(turn, &person, query).await
}

async fn search(turn: &mut Turn<'_>, person: &Person, query: &str) -> Result<(), BotError> {
    let found = person
        .run::<ops::BotFindClients>(ops::bot_find_clients::Variables {
            search: query.to_owned(),
        })
        .await?
        .clients;
    turn.chat.step = Step::ClientSearch;
    let mut buttons: Vec<_> = found
        .items
        .iter()
        .map(|c| {
            button(
                format!("{} {}", c.display_name, c.phone.as_deref().unwrap_or("")),
                format!("cl:show:{}", c.id),
            )
        })
        .collect();
    buttons.push(button(turn.t("➕ Новый клиент", "➕ New client"), "cl:new"));
    let text = if found.items.is_empty() {
        turn.t(
            &format!("По запросу «{query}» никого нет. Напишите иначе или добавьте клиента."),
            &format!("Nobody matches \"{query}\". Try other words or add the client."),
        )
    } else {
        turn.t(
            &format!(
                "Найдено: {} (показаны первые {}). Выберите клиента:",
                found.page_info.total,
                found.items.len()
            ),
            &format!(
                "Found {} (first {} shown). Pick a client:",
                found.page_info.total,
                found.items.len()
            ),
        )
    };
    turn.say(&text, Some(grid(buttons, 1))).await
}

async fn card(turn: &mut Turn<'_>, person: &Person, id: &str) -> Result<(), BotError> {
    let c = person
        .run::<ops::BotClientCard>(ops::bot_client_card::Variables { id: id.to_owned() })
        .await?
        .client;
    let dash = "—".to_owned();
    let lines = [
        format!("👤 {}", c.display_name),
        format!(
            "{}: {}",
            turn.t("Телефон", "Phone"),
            c.phone.clone().unwrap_or_else(|| dash.clone())
        ),
        format!(
            "{}: {}",
            turn.t("Доп. телефон", "Second phone"),
            c.phone2.clone().unwrap_or_else(|| dash.clone())
        ),
        format!(
            "{}: {}",
            turn.t("Откуда узнал", "Heard of us from"),
            c.source
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_else(|| dash.clone())
        ),
        format!("{}: {}", turn.t("Баланс", "Balance"), c.balance),
        format!(
            "{}: {}",
            turn.t("Примечание", "Note"),
            c.notes.clone().unwrap_or(dash)
        ),
    ];
    let buttons = grid(
        vec![
            button(turn.t("✏️ Имя", "✏️ Name"), format!("cl:edit:{id}:name")),
            button(
                turn.t("✏️ Телефон", "✏️ Phone"),
                format!("cl:edit:{id}:phone"),
            ),
            button(
                turn.t("✏️ Доп. телефон", "✏️ Second phone"),
                format!("cl:edit:{id}:phone2"),
            ),
            button(
                turn.t("✏️ Примечание", "✏️ Note"),
                format!("cl:edit:{id}:notes"),
            ),
            button(turn.t("🗑 Удалить", "🗑 Delete"), format!("cl:del:{id}")),
        ],
        2,
    );
    turn.show(&lines.join("\n"), buttons).await
}

/// Asks before a client is deleted (archived: the record and its history stay).
async fn delete_ask(turn: &mut Turn<'_>, person: &Person, id: &str) -> Result<(), BotError> {
    let c = person
        .run::<ops::BotClientCard>(ops::bot_client_card::Variables { id: id.to_owned() })
        .await?
        .client;
    let text = turn.t(
        &format!(
            "Удалить клиента {}? Карточка уйдёт в архив: история визитов и оплат сохранится, \
             в поиске клиента не будет.",
            c.display_name
        ),
        &format!(
            "Delete the client {}? The card goes to the archive: visits and payments stay, \
             searches no longer find it.",
            c.display_name
        ),
    );
    let buttons = grid(
        vec![
            button(
                turn.t("🗑 Да, удалить", "🗑 Yes, delete"),
                format!("cl:dely:{id}"),
            ),
            button(turn.t("◀ Нет", "◀ No"), format!("cl:show:{id}")),
        ],
        2,
    );
    turn.show(&text, buttons).await
}

async fn delete(turn: &mut Turn<'_>, person: &Person, id: &str) -> Result<(), BotError> {
    let done = person
        .run::<ops::BotArchiveClient>(ops::bot_archive_client::Variables { id: id.to_owned() })
        .await?
        .archive_client;
    turn.chat.step = Step::Idle;
    let text = turn.t(
        &format!("Клиент {} удалён (в архиве).", done.display_name),
        &format!("The client {} is deleted (archived).", done.display_name),
    );
    turn.show(&text, InlineKeyboardMarkup::new(Vec::<Vec<_>>::new()))
        .await
}

/// "Фамилия Имя Отчество" as seed 004 keeps them; one word is a first name.
fn split_name(full: &str) -> (Option<String>, Option<String>, Option<String>) {
    let words: Vec<&str> = full.split_whitespace().collect();
    match words.as_slice() {
        [] => (None, None, None),
        [first] => (None, Some((*first).to_owned()), None),
        [last, first] => (Some((*last).to_owned()), Some((*first).to_owned()), None),
        [last, first, rest @ ..] => (
            Some((*last).to_owned()),
            Some((*first).to_owned()),
            Some(rest.join(" ")),
        ),
    }
}

fn create_input(name: &str, phone: &str) -> ops::bot_create_client::CreateClientInput {
    let (last_name, first_name, patronymic) = split_name(name);
    ops::bot_create_client::CreateClientInput {
        birth_date: None,
        discount_percent: None,
        email: None,
        first_name,
        last_name,
        notes: None,
        patronymic,
        phone: Some(phone.to_owned()),
        phone2: None,
        source_id: None,
        tags: None,
        telegram_id: None,
        telegram_username: None,
    }
}

fn update_input(field: ClientField, value: &str) -> ops::bot_update_client::UpdateClientInput {
    let mut input = ops::bot_update_client::UpdateClientInput {
        birth_date: None,
        discount_percent: None,
        email: None,
        first_name: None,
        last_name: None,
        notes: None,
        patronymic: None,
        phone: None,
        phone2: None,
        source_id: None,
        tags: None,
        telegram_id: None,
        telegram_username: None,
    };
    match field {
        ClientField::Name => {
            let (last, first, patronymic) = split_name(value);
            input.last_name = Some(last.unwrap_or_default());
            input.first_name = first;
            input.patronymic = Some(patronymic.unwrap_or_default());
        }
        ClientField::Phone => input.phone = Some(value.to_owned()),
        ClientField::Phone2 => input.phone2 = Some(value.to_owned()),
        ClientField::Notes => input.notes = Some(value.to_owned()),
    }
    input
}

// ---- text answers -----------------------------------------------------------------------

/// Text sent while a step waits for it.
pub async fn text(turn: &mut Turn<'_>, text: &str) -> Result<(), BotError> {
    let Some(person) = turn.staff().await? else {
        turn.chat.step = Step::Idle;
        return Ok(());
    };
    match turn.chat.step.clone() {
        Step::Idle | Step::ClientSearch => search(turn, &person, text).await,
        Step::NewClientName => {
            turn.chat.step = Step::NewClientPhone {
                name: text.to_owned(),
            };
            let ask = turn.t("Телефон клиента?", "The client's phone?");
            turn.say(&ask, None).await
        }
        Step::NewClientPhone { name } => {
            match person
                .run::<ops::BotCreateClient>(ops::bot_create_client::Variables {
                    input: create_input(&name, text),
                })
                .await
            {
                Ok(done) => {
                    turn.chat.step = Step::Idle;
                    let c = done.create_client;
                    let said = turn.t(
                        &format!("Клиент добавлен: {}", c.display_name),
                        &format!("Client added: {}", c.display_name),
                    );
                    turn.say(&said, None).await?;
                    card(turn, &person, &c.id).await
                }
                // Stay on the phone step: the reason says what to send instead.
                Err(err) => turn.say(&refusal(&err, turn.english), None).await,
            }
        }
        Step::EditClient { id, field } => {
            match person
                .run::<ops::BotUpdateClient>(ops::bot_update_client::Variables {
                    id: id.clone(),
                    input: update_input(field, text),
                })
                .await
            {
                Ok(_) => {
                    turn.chat.step = Step::Idle;
                    turn.tapped = None;
                    card(turn, &person, &id).await
                }
                Err(err) => turn.say(&refusal(&err, turn.english), None).await,
            }
        }
        Step::Order { draft, awaiting } => order_text(turn, &person, *draft, awaiting, text).await,
        // A client's booking takes buttons only (answered before this).
        Step::Book { .. } => Ok(()),
    }
}

// ---- taps -------------------------------------------------------------------------------

pub async fn tap(turn: &mut Turn<'_>, scope: &str, rest: &str) -> Result<(), BotError> {
    let Some(person) = turn.staff().await? else {
        return Ok(());
    };
    let parts: Vec<&str> = rest.split(':').collect();
    match (scope, parts.as_slice()) {
        ("cl", ["new"]) => {
            turn.chat.step = Step::NewClientName;
            let ask = turn.t(
                "Фамилия, имя и отчество клиента (можно только имя)?",
                "The client's surname, name and patronymic (a first name will do)?",
            );
            turn.say(&ask, None).await
        }
        ("cl", ["show", id]) => card(turn, &person, id).await,
        ("cl", ["del", id]) => delete_ask(turn, &person, id).await,
        ("cl", ["dely", id]) => delete(turn, &person, id).await,
        ("cl", ["edit", id, field]) => {
            let field = match *field {
                "name" => ClientField::Name,
                "phone" => ClientField::Phone,
                "phone2" => ClientField::Phone2,
                _ => ClientField::Notes,
            };
            turn.chat.step = Step::EditClient {
                id: (*id).to_owned(),
                field,
            };
            let ask = turn.t("Напишите новое значение.", "Send the new value.");
            turn.say(&ask, None).await
        }
        ("cal", ["loc", id]) => calendar(turn, &person, id, None).await,
        ("cal", ["m", id, month]) => calendar(turn, &person, id, parse_day(month)).await,
        ("cal", ["d", id, day]) => calendar_day(turn, &person, id, day).await,
        ("o", _) => order_tap(turn, &person, &parts).await,
        ("map", [id]) => pc_map(turn, &person, id).await,
        ("day", [id]) => today(turn, &person, id).await,
        _ => Ok(()),
    }
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

// ---- locations ---------------------------------------------------------------------------

struct Venue {
    id: String,
    name: String,
    timezone: Tz,
    areas: Vec<(String, String, i64)>,
    rest_rooms: Vec<(String, String)>,
}

/// The locations with play areas: where party orders are taken.
async fn party_venues(person: &Person) -> Result<Vec<Venue>, BotError> {
    let locations = person
        .run::<ops::BotLocations>(ops::bot_locations::Variables)
        .await?
        .locations
        .items;
    let mut venues = Vec::new();
    for l in locations {
        let resources = person
            .run::<ops::BotPartyResources>(ops::bot_party_resources::Variables {
                location_id: l.id.clone(),
            })
            .await?
            .resources
            .items;
        let areas: Vec<_> = resources
            .iter()
            .filter(|r| matches!(r.kind, ops::bot_party_resources::ResourceKind::ARENA))
            .map(|r| (r.id.clone(), r.name.clone(), r.capacity))
            .collect();
        if areas.is_empty() {
            continue;
        }
        let rest_rooms = resources
            .iter()
            .filter(|r| matches!(r.kind, ops::bot_party_resources::ResourceKind::REST_ROOM))
            .map(|r| (r.id.clone(), r.name.clone()))
            .collect();
        venues.push(Venue {
            id: l.id,
            name: l.name,
            timezone: l.timezone.parse().unwrap_or(Tz::UTC),
            areas,
            rest_rooms,
        });
    }
    Ok(venues)
}

/// The venue an order being put together is for.
async fn draft_venue(person: &Person, draft: &OrderDraft) -> Result<Option<Venue>, BotError> {
    venue(person, draft.location_id.as_deref().unwrap_or("")).await
}

async fn venue(person: &Person, id: &str) -> Result<Option<Venue>, BotError> {
    Ok(party_venues(person).await?.into_iter().find(|v| v.id == id))
}

fn nobody_plays(turn: &Turn<'_>) -> String {
    turn.t(
        "Нет площадок для игр: добавьте ресурс вида «арена» в кабинете.",
        "There are no play areas: add a resource of kind ARENA in the staff app.",
    )
}

// ---- /calendar ---------------------------------------------------------------------------

pub async fn calendar_start(turn: &mut Turn<'_>) -> Result<(), BotError> {
    let Some(person) = turn.staff().await? else {
        return Ok(());
    };
    let venues = party_venues(&person).await?;
    match venues.as_slice() {
        [] => {
            let text = nobody_plays(turn);
            turn.say(&text, None).await
        }
        [one] => {
            let id = one.id.clone();
            calendar(turn, &person, &id, None).await
        }
        many => {
            let buttons = many
                .iter()
                .map(|v| button(v.name.clone(), format!("cal:loc:{}", v.id)))
                .collect();
            let text = turn.t("Какая площадка?", "Which venue?");
            turn.say(&text, Some(grid(buttons, 1))).await
        }
    }
}

/// Local days of a month with the number of booked orders on each.
async fn orders_by_day(
    person: &Person,
    venue: &Venue,
    first: NaiveDate,
) -> Result<
    (
        Vec<ops::bot_party_orders::BotPartyOrdersPartyOrders>,
        HashMap<NaiveDate, usize>,
    ),
    BotError,
> {
    let to = keyboards::next_month(first);
    let orders = person
        .run::<ops::BotPartyOrders>(ops::bot_party_orders::Variables {
            location_id: venue.id.clone(),
            from: instant(venue.timezone, first, NaiveTime::MIN),
            to: instant(venue.timezone, to, NaiveTime::MIN),
        })
        .await?
        .party_orders;
    let mut marks = HashMap::new();
    for o in &orders {
        if !matches!(o.status, ops::bot_party_orders::PartyStatus::BOOKED) {
            continue;
        }
        if let Some(day) = local(venue.timezone, &o.starts_at).map(|t| t.date()) {
            *marks.entry(day).or_insert(0) += 1;
        }
    }
    Ok((orders, marks))
}

async fn calendar(
    turn: &mut Turn<'_>,
    person: &Person,
    venue_id: &str,
    month: Option<NaiveDate>,
) -> Result<(), BotError> {
    let Some(venue) = venue(person, venue_id).await? else {
        return Ok(());
    };
    let today = now().with_timezone(&venue.timezone).date_naive();
    let first = first_of(month.unwrap_or(today));
    let (_, marks) = orders_by_day(person, &venue, first).await?;
    let text = turn.t(
        &format!(
            "{}: заявки за {}. Цифра после точки — число заявок; нажмите на день.",
            venue.name,
            keyboards::month_name(first, false)
        ),
        &format!(
            "{}: orders in {}. The number after the dot counts orders; tap a day.",
            venue.name,
            keyboards::month_name(first, true)
        ),
    );
    let buttons = keyboards::month(
        first,
        &format!("cal:d:{}:", venue.id),
        &format!("cal:m:{}:", venue.id),
        &marks,
        None,
        turn.english,
    );
    turn.show(&text, buttons).await
}

async fn calendar_day(
    turn: &mut Turn<'_>,
    person: &Person,
    venue_id: &str,
    day: &str,
) -> Result<(), BotError> {
    let (Some(venue), Some(day)) = (venue(person, venue_id).await?, parse_day(day)) else {
        return Ok(());
    };
    let (orders, _) = orders_by_day(person, &venue, first_of(day)).await?;
    let mut lines = vec![format!("{} — {}", venue.name, day.format("%d.%m.%Y"))];
    let mut todays: Vec<_> = orders
        .iter()
        .filter_map(|o| Some((local(venue.timezone, &o.starts_at)?, o)))
        .filter(|(start, _)| start.date() == day)
        .collect();
    todays.sort_by_key(|(start, _)| *start);
    if todays.is_empty() {
        lines.push(turn.t("Заявок нет.", "No orders."));
    }
    let mut edits = Vec::new();
    for (start, o) in todays {
        if matches!(o.status, ops::bot_party_orders::PartyStatus::BOOKED) {
            edits.push(button(
                format!("✏️ {} {}", start.format("%H:%M"), o.contact_name),
                format!("o:edit:{}:{day}:{}", venue.id, o.id),
            ));
        }
        let area = o.area.as_ref().map(|a| a.name.as_str()).unwrap_or("");
        let rest = o
            .rest_room
            .as_ref()
            .map(|r| format!(", {} {} мин", r.name, o.rest_minutes))
            .unwrap_or_default();
        let cancelled = if matches!(o.status, ops::bot_party_orders::PartyStatus::CANCELLED) {
            turn.t(" (отменена)", " (cancelled)")
        } else {
            String::new()
        };
        lines.push(format!(
            "• {} {area}, {} мин, {} игр., {:?}{rest} — {} {}{cancelled}",
            start.format("%H:%M"),
            o.game_minutes,
            o.players,
            o.game_type,
            o.contact_name,
            o.contact_phone
        ));
    }
    let back = turn.t("◀ К месяцу", "◀ Back to the month");
    edits.push(button(
        back,
        format!("cal:m:{}:{}", venue.id, first_of(day)),
    ));
    let buttons = grid(edits, 1);
    turn.show(&lines.join("\n"), buttons).await
}

// ---- /order ------------------------------------------------------------------------------

pub async fn order_start(turn: &mut Turn<'_>) -> Result<(), BotError> {
    let Some(person) = turn.staff().await? else {
        return Ok(());
    };
    let venues = party_venues(&person).await?;
    match venues.as_slice() {
        [] => {
            let text = nobody_plays(turn);
            turn.say(&text, None).await
        }
        [one] => {
            let draft = OrderDraft {
                location_id: Some(one.id.clone()),
                timezone: Some(one.timezone.name().to_owned()),
                ..OrderDraft::default()
            };
            ask_next(turn, &person, draft).await
        }
        many => {
            turn.chat.step = Step::Order {
                draft: Box::default(),
                awaiting: None,
            };
            let buttons = many
                .iter()
                .map(|v| button(v.name.clone(), format!("o:loc:{}", v.id)))
                .collect();
            let text = turn.t("Новая заявка. Какая площадка?", "A new order. Which venue?");
            turn.say(&text, Some(grid(buttons, 1))).await
        }
    }
}

/// Asks for the first thing the draft still lacks; shows the summary when nothing is missing.
async fn ask_next(turn: &mut Turn<'_>, person: &Person, draft: OrderDraft) -> Result<(), BotError> {
    let Some(venue) = draft_venue(person, &draft).await? else {
        turn.chat.step = Step::Idle;
        return Ok(());
    };
    let today = now().with_timezone(&venue.timezone).date_naive();
    let mut awaiting = None;
    let (text, buttons) = if draft.date.is_none() {
        let first = first_of(today);
        (
            turn.t("Дата игры?", "The day of the game?"),
            Some(keyboards::month(
                first,
                "o:date:",
                "o:month:",
                &HashMap::new(),
                Some(today),
                turn.english,
            )),
        )
    } else if draft.time.is_none() {
        let times = (10..=21)
            .map(|h| button(format!("{h:02}:00"), format!("o:time:{h:02}-00")))
            .collect();
        (
            turn.t("Время начала?", "The start time?"),
            Some(grid(times, 4)),
        )
    } else if draft.game_minutes.is_none() {
        let options = [60, 90, 120, 180]
            .iter()
            .map(|m| button(format!("{m} мин"), format!("o:game:{m}")))
            .collect();
        (
            turn.t("Сколько длится игра?", "How long is the game?"),
            Some(grid(options, 4)),
        )
    } else if draft.area_id.is_none() {
        let options = venue
            .areas
            .iter()
            .map(|(id, name, cap)| button(format!("{name} (до {cap})"), format!("o:area:{id}")))
            .collect();
        (
            turn.t("Площадка?", "The play area?"),
            Some(grid(options, 1)),
        )
    } else if draft.rest_room.is_none() {
        let mut options: Vec<_> = venue
            .rest_rooms
            .iter()
            .map(|(id, name)| button(name.clone(), format!("o:rest:{id}")))
            .collect();
        options.push(button(
            turn.t("Без комнаты отдыха", "No rest room"),
            "o:rest:none",
        ));
        (
            turn.t(
                "Комната отдыха после игры (час)?",
                "A rest room after the game (an hour)?",
            ),
            Some(grid(options, 1)),
        )
    } else if draft.players.is_none() {
        awaiting = Some(OrderText::Players);
        (
            turn.t(
                "Сколько игроков? Напишите число.",
                "How many players? Send a number.",
            ),
            None,
        )
    } else if draft.game_type.is_none() {
        let options = vec![
            button(turn.t("Игра", "Game"), "o:type:GAME"),
            button(turn.t("День рождения", "Birthday"), "o:type:BIRTHDAY"),
            button(turn.t("Квест", "Quest"), "o:type:QUEST"),
        ];
        (
            turn.t("Тип игры?", "The kind of game?"),
            Some(grid(options, 3)),
        )
    } else if draft.phone.is_none() {
        awaiting = Some(OrderText::Phone);
        (turn.t("Телефон клиента?", "The client's phone?"), None)
    } else if draft.name.is_none() {
        awaiting = Some(OrderText::Name);
        (turn.t("Как зовут клиента?", "The client's name?"), None)
    } else {
        let summary = summary(turn, &venue, &draft);
        let save = if draft.order_id.is_some() {
            turn.t("💾 Сохранить изменения", "💾 Save the changes")
        } else {
            turn.t("✅ Создать заявку", "✅ Create the order")
        };
        let mut rows = vec![vec![button(save, "o:confirm")]];
        let changes = [
            ("📅 Дата", "📅 Day", "date"),
            ("🕑 Время", "🕑 Time", "time"),
            ("⏱ Длительность", "⏱ Length", "game"),
            ("🏟 Площадка", "🏟 Area", "area"),
            ("🛋 Комната", "🛋 Rest room", "rest"),
            ("👥 Игроки", "👥 Players", "players"),
            ("🎮 Тип", "🎮 Kind", "type"),
            ("📞 Телефон", "📞 Phone", "phone"),
            ("👤 Имя", "👤 Name", "name"),
        ]
        .iter()
        .map(|(ru, en, field)| button(turn.t(ru, en), format!("o:clear:{field}")))
        .collect::<Vec<_>>();
        rows.extend(changes.chunks(3).map(<[_]>::to_vec));
        let mut last = Vec::new();
        if draft.order_id.is_some() {
            last.push(button(
                turn.t("🗑 Отменить заявку", "🗑 Cancel the order"),
                "o:drop",
            ));
        }
        last.push(button(turn.t("✖ Выйти", "✖ Leave"), "o:abort"));
        rows.push(last);
        (summary, Some(InlineKeyboardMarkup::new(rows)))
    };
    turn.chat.step = Step::Order {
        draft: Box::new(draft),
        awaiting,
    };
    match buttons {
        Some(buttons) => turn.show(&text, buttons).await,
        None => turn.say(&text, None).await,
    }
}

fn summary(turn: &Turn<'_>, venue: &Venue, d: &OrderDraft) -> String {
    let rest = match &d.rest_room {
        Some(Some((_, name))) => format!("{name}, 60 мин"),
        _ => turn.t("нет", "none"),
    };
    turn.t(
        &format!(
            "Заявка: {}\n{} {}, игра {} мин, {}\nКомната отдыха: {rest}\nИгроков: {}, тип: {}\nКлиент: {} {}",
            venue.name,
            d.date.as_deref().unwrap_or(""),
            d.time.as_deref().unwrap_or(""),
            d.game_minutes.unwrap_or(0),
            d.area.as_deref().unwrap_or(""),
            d.players.unwrap_or(0),
            d.game_type.as_deref().unwrap_or(""),
            d.name.as_deref().unwrap_or(""),
            d.phone.as_deref().unwrap_or(""),
        ),
        &format!(
            "Order: {}\n{} {}, a {}-minute game, {}\nRest room: {rest}\nPlayers: {}, kind: {}\nClient: {} {}",
            venue.name,
            d.date.as_deref().unwrap_or(""),
            d.time.as_deref().unwrap_or(""),
            d.game_minutes.unwrap_or(0),
            d.area.as_deref().unwrap_or(""),
            d.players.unwrap_or(0),
            d.game_type.as_deref().unwrap_or(""),
            d.name.as_deref().unwrap_or(""),
            d.phone.as_deref().unwrap_or(""),
        ),
    )
}

async fn order_text(
    turn: &mut Turn<'_>,
    person: &Person,
    mut draft: OrderDraft,
    awaiting: Option<OrderText>,
    text: &str,
) -> Result<(), BotError> {
    match awaiting {
        Some(OrderText::Players) => match text.parse::<i64>() {
            Ok(n) if (1..=500).contains(&n) => draft.players = Some(n),
            _ => {
                let again = turn.t(
                    "Нужно число игроков, например 12.",
                    "A number of players, e.g. 12.",
                );
                return turn.say(&again, None).await;
            }
        },
        Some(OrderText::Phone) => draft.phone = Some(text.to_owned()),
        Some(OrderText::Name) => draft.name = Some(text.to_owned()),
        None => {
            let again = turn.t(
                "Выберите кнопкой выше или начните заново: /order",
                "Use the buttons above, or start again: /order",
            );
            return turn.say(&again, None).await;
        }
    }
    turn.tapped = None;
    ask_next(turn, person, draft).await
}

async fn order_tap(turn: &mut Turn<'_>, person: &Person, parts: &[&str]) -> Result<(), BotError> {
    let mut draft = match &turn.chat.step {
        Step::Order { draft, .. } => (**draft).clone(),
        _ => OrderDraft::default(),
    };
    match parts {
        ["loc", id] => {
            let Some(venue) = venue(person, id).await? else {
                return Ok(());
            };
            draft = OrderDraft {
                location_id: Some(venue.id),
                timezone: Some(venue.timezone.name().to_owned()),
                ..OrderDraft::default()
            };
        }
        ["month", month] => {
            let (Some(first), Some(venue)) = (parse_day(month), draft_venue(person, &draft).await?)
            else {
                return Ok(());
            };
            let today = now().with_timezone(&venue.timezone).date_naive();
            let text = turn.t("Дата игры?", "The day of the game?");
            let kb = keyboards::month(
                first,
                "o:date:",
                "o:month:",
                &HashMap::new(),
                Some(today),
                turn.english,
            );
            return turn.show(&text, kb).await;
        }
        ["date", day] => draft.date = parse_day(day).map(|d| d.to_string()),
        ["time", hm] => draft.time = Some(hm.replace('-', ":")),
        ["game", minutes] => draft.game_minutes = minutes.parse().ok(),
        ["area", id] => {
            let Some(venue) = draft_venue(person, &draft).await? else {
                return Ok(());
            };
            if let Some((id, name, _)) = venue.areas.iter().find(|(a, _, _)| a == id) {
                draft.area_id = Some(id.clone());
                draft.area = Some(name.clone());
            }
        }
        ["rest", "none"] => draft.rest_room = Some(None),
        ["rest", id] => {
            let Some(venue) = draft_venue(person, &draft).await? else {
                return Ok(());
            };
            draft.rest_room = venue
                .rest_rooms
                .iter()
                .find(|(r, _)| r == id)
                .map(|room| Some(room.clone()));
        }
        ["type", kind] => draft.game_type = Some((*kind).to_owned()),
        ["retime"] => draft.time = None,
        ["edit", venue_id, day, id] => {
            let (Some(venue), Some(day)) = (venue(person, venue_id).await?, parse_day(day)) else {
                return Ok(());
            };
            let (orders, _) = orders_by_day(person, &venue, first_of(day)).await?;
            let Some(order) = orders.into_iter().find(|o| o.id == *id) else {
                let text = turn.t("Заявка не найдена.", "The order is not found.");
                return turn.say(&text, None).await;
            };
            draft = draft_of(&venue, order);
        }
        ["clear", field] => match *field {
            "date" => {
                draft.date = None;
                draft.time = None;
            }
            "time" => draft.time = None,
            "game" => draft.game_minutes = None,
            "area" => {
                draft.area_id = None;
                draft.area = None;
            }
            "rest" => draft.rest_room = None,
            "players" => draft.players = None,
            "type" => draft.game_type = None,
            "phone" => draft.phone = None,
            _ => draft.name = None,
        },
        ["drop"] => {
            let text = turn.t(
                "Отменить эту заявку? Площадка и комната освободятся.",
                "Cancel this order? The area and the room are freed.",
            );
            let buttons = grid(
                vec![
                    button(turn.t("Да, отменить заявку", "Yes, cancel it"), "o:dropy"),
                    button(turn.t("◀ Нет", "◀ No"), "o:back"),
                ],
                1,
            );
            turn.chat.step = Step::Order {
                draft: Box::new(draft),
                awaiting: None,
            };
            return turn.show(&text, buttons).await;
        }
        ["dropy"] => {
            let Some(id) = draft.order_id.clone() else {
                return Ok(());
            };
            person
                .run::<ops::BotCancelPartyOrder>(ops::bot_cancel_party_order::Variables {
                    id: id.clone(),
                })
                .await?;
            turn.chat.step = Step::Idle;
            let text = turn.t(
                &format!("Заявка №{id} отменена."),
                &format!("Order #{id} is cancelled."),
            );
            return turn
                .show(&text, InlineKeyboardMarkup::new(Vec::<Vec<_>>::new()))
                .await;
        }
        ["back"] => {}
        ["abort"] => {
            turn.chat.step = Step::Idle;
            let text = turn.t("Заявка отменена.", "The order was dropped.");
            return turn
                .show(&text, InlineKeyboardMarkup::new(Vec::<Vec<_>>::new()))
                .await;
        }
        ["confirm"] => return order_create(turn, person, draft).await,
        _ => return Ok(()),
    }
    ask_next(turn, person, draft).await
}

/// A booked order as a draft to change.
fn draft_of(venue: &Venue, o: ops::bot_party_orders::BotPartyOrdersPartyOrders) -> OrderDraft {
    use ops::bot_party_orders::GameType;
    let start = local(venue.timezone, &o.starts_at);
    let rest_room = match &o.rest_room_id {
        Some(id) => venue.rest_rooms.iter().find(|(r, _)| r == id).cloned(),
        None => None,
    };
    OrderDraft {
        order_id: Some(o.id),
        location_id: Some(venue.id.clone()),
        timezone: Some(venue.timezone.name().to_owned()),
        date: start.map(|t| t.date().to_string()),
        time: start.map(|t| t.format("%H:%M").to_string()),
        game_minutes: Some(o.game_minutes),
        area: venue
            .areas
            .iter()
            .find(|(a, _, _)| *a == o.area_id)
            .map(|(_, name, _)| name.clone()),
        area_id: Some(o.area_id),
        rest_room: Some(rest_room),
        players: Some(o.players),
        game_type: Some(
            match o.game_type {
                GameType::BIRTHDAY => "BIRTHDAY",
                GameType::QUEST => "QUEST",
                _ => "GAME",
            }
            .to_owned(),
        ),
        phone: Some(o.contact_phone),
        name: Some(o.contact_name),
    }
}

async fn order_create(
    turn: &mut Turn<'_>,
    person: &Person,
    draft: OrderDraft,
) -> Result<(), BotError> {
    let tz: Tz = draft
        .timezone
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(Tz::UTC);
    let (Some(date), Some(time)) = (
        draft.date.as_deref().and_then(parse_day),
        draft
            .time
            .as_deref()
            .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok()),
    ) else {
        return ask_next(turn, person, draft).await;
    };
    let rest_room_id = draft.rest_room.clone().flatten().map(|(id, _)| id);
    // The create and update operations each have their own generated input type.
    macro_rules! input {
        ($op:ident) => {
            ops::$op::PartyOrderInput {
                area_id: draft.area_id.clone().unwrap_or_default(),
                client_id: None,
                contact_name: draft.name.clone().unwrap_or_default(),
                contact_phone: draft.phone.clone().unwrap_or_default(),
                game_minutes: draft.game_minutes.unwrap_or(60),
                game_type: match draft.game_type.as_deref() {
                    Some("BIRTHDAY") => ops::$op::GameType::BIRTHDAY,
                    Some("QUEST") => ops::$op::GameType::QUEST,
                    _ => ops::$op::GameType::GAME,
                },
                gift_ids: None,
                location_id: draft.location_id.clone().unwrap_or_default(),
                notes: Some("Создана в Telegram".to_owned()),
                players: draft.players.unwrap_or(1),
                rest_minutes: Some(if rest_room_id.is_some() { 60 } else { 0 }),
                rest_room_id: rest_room_id.clone(),
                starts_at: instant(tz, date, time),
            }
        };
    }
    let saved = match draft.order_id.clone() {
        None => person
            .run::<ops::BotCreatePartyOrder>(ops::bot_create_party_order::Variables {
                input: input!(bot_create_party_order),
            })
            .await
            .map(|done| {
                (
                    done.create_party_order.id,
                    done.create_party_order.players,
                    false,
                )
            }),
        Some(id) => person
            .run::<ops::BotUpdatePartyOrder>(ops::bot_update_party_order::Variables {
                id,
                input: input!(bot_update_party_order),
            })
            .await
            .map(|done| {
                (
                    done.update_party_order.id,
                    done.update_party_order.players,
                    true,
                )
            }),
    };
    match saved {
        Ok((id, players, changed)) => {
            turn.chat.step = Step::Idle;
            let (done_ru, done_en) = if changed {
                ("изменена", "changed")
            } else {
                ("создана", "created")
            };
            let text = turn.t(
                &format!(
                    "✅ Заявка №{id} {done_ru}: {} {}, {players} игроков.",
                    date.format("%d.%m.%Y"),
                    time.format("%H:%M"),
                ),
                &format!(
                    "✅ Order #{id} {done_en}: {} {}, {players} players.",
                    date.format("%d.%m.%Y"),
                    time.format("%H:%M"),
                ),
            );
            turn.show(&text, InlineKeyboardMarkup::new(Vec::<Vec<_>>::new()))
                .await
        }
        Err(err) if !err.errors().is_empty() => {
            // A clash or too many players: say why and let them change it.
            let reason = refusal(&err, turn.english);
            let buttons = grid(
                vec![
                    button(turn.t("🕑 Другое время", "🕑 Another time"), "o:retime"),
                    button(
                        turn.t("🏟 Другая площадка", "🏟 Another area"),
                        "o:clear:area",
                    ),
                    button(
                        turn.t("👥 Другое число игроков", "👥 Other players"),
                        "o:clear:players",
                    ),
                    button(turn.t("✖ Отмена", "✖ Cancel"), "o:abort"),
                ],
                1,
            );
            turn.chat.step = Step::Order {
                draft: Box::new(draft),
                awaiting: None,
            };
            let text = turn.t(
                &format!("Не получилось: {reason}"),
                &format!("Not created: {reason}"),
            );
            turn.show(&text, buttons).await
        }
        Err(err) => Err(err.into()),
    }
}

// ---- time ------------------------------------------------------------------------------

/// A local date and time of a location as an RFC 3339 instant.
fn instant(tz: Tz, date: NaiveDate, time: NaiveTime) -> String {
    let local = NaiveDateTime::new(date, time);
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| format!("{}Z", local.format("%Y-%m-%dT%H:%M:%S")))
}

/// An RFC 3339 instant in a location's time.
fn local(tz: Tz, rfc3339: &str) -> Option<NaiveDateTime> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|t| t.with_timezone(&tz).naive_local())
}

// ---- /map and /today ---------------------------------------------------------------------

/// Every location, for the commands that ask which one.
async fn locations(person: &Person) -> Result<Vec<(String, String, Tz)>, BotError> {
    Ok(person
        .run::<ops::BotLocations>(ops::bot_locations::Variables)
        .await?
        .locations
        .items
        .into_iter()
        .map(|l| (l.id, l.name, l.timezone.parse().unwrap_or(Tz::UTC)))
        .collect())
}

/// `/map` and `/today` ask for a location when there are several; `scope` is the tap prefix.
pub async fn pick_location(turn: &mut Turn<'_>, scope: &str) -> Result<(), BotError> {
    let Some(person) = turn.staff().await? else {
        return Ok(());
    };
    let all = locations(&person).await?;
    if let [(id, _, _)] = all.as_slice() {
        let id = id.clone();
        return match scope {
            "map" => pc_map(turn, &person, &id).await,
            _ => today(turn, &person, &id).await,
        };
    }
    let buttons = all
        .iter()
        .map(|(id, name, _)| button(name.clone(), format!("{scope}:{id}")))
        .collect();
    let text = turn.t("Какая площадка?", "Which venue?");
    turn.say(&text, Some(grid(buttons, 1))).await
}

/// The PC map of a location: each PC with its status, who plays and how long is left.
pub async fn pc_map(turn: &mut Turn<'_>, person: &Person, id: &str) -> Result<(), BotError> {
    use ops::bot_pc_map::ResourceStatus;
    let map = person
        .run::<ops::BotPcMap>(ops::bot_pc_map::Variables {
            location_id: id.to_owned(),
        })
        .await?
        .pc_map;
    let mut lines = Vec::new();
    let (mut free, mut busy) = (0, 0);
    for zone in &map.zones {
        if zone.pcs.is_empty() {
            continue;
        }
        lines.push(format!("\n{}", zone.name));
        for pc in &zone.pcs {
            let (mark, what) = match pc.resource.status {
                ResourceStatus::FREE => {
                    free += 1;
                    ("🟢", String::new())
                }
                ResourceStatus::BUSY => {
                    busy += 1;
                    let left = pc
                        .minutes_left
                        .map(|m| turn.t(&format!(", ещё {m} мин"), &format!(", {m} min left")))
                        .unwrap_or_default();
                    (
                        "🔴",
                        format!(" — {}{left}", pc.client_name.as_deref().unwrap_or("гость")),
                    )
                }
                ResourceStatus::BOOKED => ("🟡", turn.t(" — бронь", " — booked")),
                _ => ("⚫", turn.t(" — не работает", " — out of order")),
            };
            lines.push(format!("{mark} {}{what}", pc.resource.name));
        }
    }
    if free + busy == 0 && lines.is_empty() {
        let text = turn.t("На этой площадке нет ПК.", "This venue has no PCs.");
        return turn.say(&text, None).await;
    }
    let head = turn.t(
        &format!("Карта ПК: свободно {free}, занято {busy}"),
        &format!("PC map: {free} free, {busy} busy"),
    );
    let refresh = turn.t("🔄 Обновить", "🔄 Refresh");
    let text = format!("{head}\n{}", lines.join("\n"));
    turn.show(&text, grid(vec![button(refresh, format!("map:{id}"))], 1))
        .await
}

/// The location's day: appointments, classes and party orders, in its own time.
pub async fn today(turn: &mut Turn<'_>, person: &Person, id: &str) -> Result<(), BotError> {
    let tz = locations(person)
        .await?
        .into_iter()
        .find(|(l, _, _)| l == id)
        .map_or(Tz::UTC, |(_, _, tz)| tz);
    let day = now().with_timezone(&tz).date_naive();
    let day_after = day.succ_opt().unwrap_or(day);
    let data = person
        .run::<ops::BotDay>(ops::bot_day::Variables {
            location_id: id.to_owned(),
            from: instant(tz, day, NaiveTime::MIN),
            to: instant(tz, day_after, NaiveTime::MIN),
        })
        .await?;
    let mut entries: Vec<(NaiveDateTime, String)> = Vec::new();
    for a in &data.appointments.items {
        if !matches!(a.status, ops::bot_day::AppointmentStatus::BOOKED) {
            continue;
        }
        let Some(at) = local(tz, &a.starts_at) else {
            continue;
        };
        let who = a
            .client
            .as_ref()
            .map(|c| c.display_name.as_str())
            .unwrap_or("");
        let what = a.service.as_ref().map(|s| s.name.as_str()).unwrap_or("");
        let by = a
            .specialist
            .as_ref()
            .map(|s| format!(", {} {}", s.first_name, s.last_name))
            .unwrap_or_default();
        entries.push((at, format!("{what} — {who}{by}")));
    }
    for c in &data.class_sessions {
        if !matches!(c.status, ops::bot_day::ClassSessionStatus::SCHEDULED) {
            continue;
        }
        let Some(at) = local(tz, &c.starts_at) else {
            continue;
        };
        entries.push((at, format!("{} ({}/{})", c.name, c.taken, c.capacity)));
    }
    for p in &data.party_orders {
        if !matches!(p.status, ops::bot_day::PartyStatus::BOOKED) {
            continue;
        }
        let Some(at) = local(tz, &p.starts_at) else {
            continue;
        };
        let area = p.area.as_ref().map(|a| a.name.as_str()).unwrap_or("");
        entries.push((
            at,
            turn.t(
                &format!("Игра: {area}, {} игр. — {}", p.players, p.contact_name),
                &format!("Game: {area}, {} players — {}", p.players, p.contact_name),
            ),
        ));
    }
    entries.sort_by_key(|(at, _)| *at);
    let mut lines = vec![turn.t(
        &format!("Сегодня, {}:", day.format("%d.%m.%Y")),
        &format!("Today, {}:", day.format("%d.%m.%Y")),
    )];
    if entries.is_empty() {
        lines.push(turn.t(
            "Записей, занятий и игр нет.",
            "No appointments, classes or games.",
        ));
    }
    lines.extend(
        entries
            .into_iter()
            .map(|(at, what)| format!("{} {what}", at.format("%H:%M"))),
    );
    turn.say(&lines.join("\n"), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_as_seed_004_keeps_them() {
        assert_eq!(
            split_name("Минеев Михаил Владимирович"),
            (
                Some("Минеев".into()),
                Some("Михаил".into()),
                Some("Владимирович".into())
            )
        );
        assert_eq!(split_name("Михаил"), (None, Some("Михаил".into()), None));
    }

    #[test]
    fn local_times_become_instants_in_the_venue_zone() {
        let tz: Tz = "Asia/Almaty".parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let at = instant(tz, day, NaiveTime::from_hms_opt(15, 0, 0).unwrap());
        assert_eq!(at, "2026-12-05T15:00:00+05:00");
        assert_eq!(
            local(tz, &at).unwrap().time(),
            NaiveTime::from_hms_opt(15, 0, 0).unwrap()
        );
    }
}

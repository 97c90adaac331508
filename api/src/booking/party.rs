//! Laser-tag party orders: a play area for the game, then a rest room, both claimed without
//! overlap; the area's capacity bounds the players; gifts from a managed list.

use chrono::{DateTime, Duration, Utc};
use entity::{
    enums::{GameType, PartyStatus, ResourceKind, ResourceStatus},
    party_gift, party_order, resource,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use serde_json::json;

use super::{
    availability,
    claims::{self, Owner, Want},
    hold,
    live::{SlotChange, SlotEvent},
};
use crate::{
    auth::actor::Caller,
    clients::service as clients,
    domain::{Phone, names::Named, text},
    error::{AppError, AppResult, Msg},
    events::domain::PartyOrderEvent,
    state::AppState,
    write::Tx,
};

#[derive(Debug, Clone)]
pub struct PartySpec {
    pub location_id: i64,
    /// The client; when absent the contact phone finds or makes one.
    pub client_id: Option<i64>,
    pub contact_name: String,
    pub contact_phone: String,
    pub game_type: GameType,
    pub players: i32,
    pub area_id: i64,
    pub starts_at: DateTime<Utc>,
    pub game_minutes: i32,
    pub rest_room_id: Option<i64>,
    pub rest_minutes: i32,
    pub gift_ids: Vec<i64>,
    pub notes: Option<String>,
}

pub async fn gifts(state: &AppState, include_inactive: bool) -> AppResult<Vec<party_gift::Model>> {
    let mut select = party_gift::Entity::find();
    if !include_inactive {
        select = select.filter(party_gift::Column::Active.eq(true));
    }
    Ok(select
        .order_by_asc(party_gift::Column::SortOrder)
        .order_by_asc(party_gift::Column::Id)
        .all(&state.db)
        .await?)
}

pub async fn save_gift(
    state: &AppState,
    caller: &Caller,
    id: Option<i64>,
    name: &str,
    active: bool,
    sort_order: i32,
) -> AppResult<party_gift::Model> {
    let name = &text::required("input.name", name, 100)?;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let model = match id {
                    Some(id) => {
                        let row = party_gift::Entity::find_by_id(id)
                            .one(tx.db())
                            .await?
                            .ok_or_else(|| AppError::not_found("Подарок", "Gift", id))?;
                        let mut model: party_gift::ActiveModel = row.into();
                        model.name = Set(name.clone());
                        model.active = Set(active);
                        model.sort_order = Set(sort_order);
                        model.update(tx.db()).await?
                    }
                    None => {
                        party_gift::ActiveModel {
                            name: Set(name.clone()),
                            active: Set(active),
                            sort_order: Set(sort_order),
                            ..Default::default()
                        }
                        .insert(tx.db())
                        .await?
                    }
                };
                tx.audit(
                    "party_gift.save",
                    "party_gift",
                    Some(model.id),
                    json!({ "name": model.name, "active": model.active }),
                )
                .await?;
                Ok(model)
            })
        })
        .await
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<party_order::Model> {
    party_order::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Заказ", "Party order", id))
}

pub async fn list(
    state: &AppState,
    location_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Vec<party_order::Model>> {
    Ok(party_order::Entity::find()
        .filter(party_order::Column::LocationId.eq(location_id))
        .filter(party_order::Column::StartsAt.lt(to))
        .filter(party_order::Column::StartsAt.gte(from - Duration::days(1)))
        .order_by_asc(party_order::Column::StartsAt)
        .order_by_asc(party_order::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .filter(|o| ends_at(o) > from)
        .collect())
}

/// When the game ends and the rest begins.
pub fn game_ends_at(o: &party_order::Model) -> DateTime<Utc> {
    o.starts_at + Duration::minutes(i64::from(o.game_minutes))
}

/// When the party is over (the rest room, when there is one, included).
pub fn ends_at(o: &party_order::Model) -> DateTime<Utc> {
    game_ends_at(o) + Duration::minutes(i64::from(o.rest_minutes))
}

async fn place<C: ConnectionTrait>(
    conn: &C,
    field: &str,
    id: i64,
    location_id: i64,
    kind: ResourceKind,
) -> AppResult<resource::Model> {
    let row = resource::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Ресурс", "Resource", id))?;
    if row.location_id != location_id || row.kind != kind {
        return Err(AppError::validation(
            field,
            format!("ресурс {id} не подходит: нужна {} этой локации", kind.ru()),
            format!(
                "resource {id} does not fit: a {} of this location is needed",
                kind.en()
            ),
        ));
    }
    if row.status == ResourceStatus::OutOfOrder {
        return Err(AppError::OutOfOrder(Msg::new(
            format!("«{}» не работает", row.name),
            format!("`{}` is out of order", row.name),
        )));
    }
    Ok(row)
}

fn event(kind: SlotChange, o: &party_order::Model) -> SlotEvent {
    SlotEvent {
        kind,
        location_id: o.location_id,
        service_id: None,
        specialist_id: None,
        resource_id: Some(o.area_id),
        starts_at: o.starts_at,
        ends_at: ends_at(o),
    }
}

/// A party order's input, checked: what to write and which time to claim.
struct Checked {
    contact_name: String,
    phone: Phone,
    notes: Option<String>,
    area: resource::Model,
    rest_room: Option<resource::Model>,
    tz: chrono_tz::Tz,
    gift_ids: Vec<i64>,
    wanted: Vec<Want>,
}

impl Checked {
    /// The refusal for a clash: which place, and from when to when in the location's time.
    fn taken(&self, clash: &entity::booking_claim::Model) -> AppError {
        let place = [Some(&self.area), self.rest_room.as_ref()]
            .into_iter()
            .flatten()
            .find(|p| Some(p.id) == clash.resource_id);
        let Some(place) = place else {
            return taken();
        };
        let (from, to) = (
            clash.starts_at.with_timezone(&self.tz),
            clash.ends_at.with_timezone(&self.tz),
        );
        let to_text = if from.date_naive() == to.date_naive() {
            to.format("%H:%M").to_string()
        } else {
            to.format("%d.%m.%Y %H:%M").to_string()
        };
        let from_text = from.format("%d.%m.%Y %H:%M");
        let (what_ru, what_en) = if place.kind == ResourceKind::RestRoom {
            ("Комната отдыха", "The rest room")
        } else {
            ("Площадка", "The area")
        };
        AppError::Taken(Box::new(crate::error::TakenBy {
            msg: Msg::new(
                format!(
                    "{what_ru} «{}» занята с {from_text} до {to_text} (время локации): выберите другое время",
                    place.name
                ),
                format!(
                    "{what_en} `{}` is taken from {from_text} to {to_text} (the location's time): pick another time",
                    place.name
                ),
            ),
            resource_id: place.id,
            resource: place.name.clone(),
            from: from.to_rfc3339(),
            to: to.to_rfc3339(),
        }))
    }
}

async fn check(state: &AppState, spec: &PartySpec) -> AppResult<Checked> {
    let contact_name = text::required("input.contactName", &spec.contact_name, 200)?;
    let phone = Phone::parse("input.contactPhone", &spec.contact_phone)?;
    let notes = text::optional("input.notes", spec.notes.as_deref(), 1000)?;
    if !(15..=600).contains(&spec.game_minutes) {
        return Err(AppError::validation(
            "input.gameMinutes",
            "игра — от 15 минут до 10 часов",
            "a game lasts 15 minutes to 10 hours",
        ));
    }
    if !(0..=600).contains(&spec.rest_minutes)
        || (spec.rest_room_id.is_some() && spec.rest_minutes == 0)
    {
        return Err(AppError::validation(
            "input.restMinutes",
            "отдых — до 10 часов; с комнатой отдыха — больше нуля",
            "rest is up to 10 hours, and above zero with a rest room",
        ));
    }
    let area = place(
        &state.db,
        "input.areaId",
        spec.area_id,
        spec.location_id,
        ResourceKind::Arena,
    )
    .await?;
    if !(1..=area.capacity.max(1)).contains(&spec.players) {
        return Err(AppError::validation(
            "input.players",
            format!(
                "на площадке «{}» помещается от 1 до {} игроков",
                area.name, area.capacity
            ),
            format!("`{}` takes 1 to {} players", area.name, area.capacity),
        ));
    }
    let rest_room = match spec.rest_room_id {
        Some(room) => Some(
            place(
                &state.db,
                "input.restRoomId",
                room,
                spec.location_id,
                ResourceKind::RestRoom,
            )
            .await?,
        ),
        None => None,
    };
    if let Some(room) = &rest_room
        && spec.players > room.capacity.max(1)
    {
        return Err(AppError::validation(
            "input.players",
            format!(
                "в комнате отдыха «{}» помещается не больше {} человек",
                room.name, room.capacity
            ),
            format!(
                "the rest room `{}` holds at most {} people",
                room.name, room.capacity
            ),
        ));
    }
    let tz = availability::timezone(&crate::venue::locations::get(state, spec.location_id).await?)?;
    let mut gift_ids = spec.gift_ids.clone();
    gift_ids.sort_unstable();
    gift_ids.dedup();
    let known = party_gift::Entity::find()
        .filter(party_gift::Column::Id.is_in(gift_ids.clone()))
        .filter(party_gift::Column::Active.eq(true))
        .all(&state.db)
        .await?;
    if let Some(bad) = gift_ids
        .iter()
        .find(|id| !known.iter().any(|g| g.id == **id))
    {
        return Err(AppError::validation(
            "input.giftIds",
            format!("подарка {bad} нет в списке"),
            format!("gift {bad} is not on the list"),
        ));
    }
    if spec.starts_at <= state.clock.now() {
        return Err(AppError::validation(
            "input.startsAt",
            "время игры уже прошло",
            "the game time is already over",
        ));
    }
    let game_end = spec.starts_at + Duration::minutes(i64::from(spec.game_minutes));
    let mut wanted = vec![Want {
        specialist_id: None,
        resource_id: Some(area.id),
        from: spec.starts_at,
        to: game_end,
    }];
    if let Some(room) = spec.rest_room_id {
        wanted.push(Want {
            specialist_id: None,
            resource_id: Some(room),
            from: game_end,
            to: game_end + Duration::minutes(i64::from(spec.rest_minutes)),
        });
    }
    Ok(Checked {
        contact_name,
        phone,
        notes,
        area,
        rest_room,
        tz,
        gift_ids,
        wanted,
    })
}

/// The given client, or the one the contact phone finds, or a new one made from the contact.
async fn party_client(tx: &Tx<'_>, client_id: Option<i64>, c: &Checked) -> AppResult<i64> {
    if let Some(id) = client_id {
        return Ok(clients::get(tx.db(), id).await?.id);
    }
    let contact = clients::Contact {
        name: &c.contact_name,
        phone: &c.phone,
        source: None,
    };
    Ok(clients::find_or_create(tx, contact, "party").await?.id)
}

fn taken() -> AppError {
    AppError::SlotTaken(Msg::new(
        "Площадка или комната отдыха на это время заняты",
        "The area or the rest room is taken for that time",
    ))
}

/// Claims the checked time for an order; refuses with SLOT_TAKEN when any of it is taken.
async fn claim<C: ConnectionTrait>(conn: &C, id: i64, c: &Checked) -> AppResult<()> {
    if let Some(clash) = claims::first_clash(conn, &c.wanted, Some(Owner::Party(id))).await? {
        return Err(c.taken(&clash));
    }
    claims::take(conn, Owner::Party(id), &c.wanted)
        .await
        .map_err(|e| match e {
            AppError::SlotTaken(_) => hold::taken(),
            other => other,
        })
}

fn audit_details(row: &party_order::Model) -> serde_json::Value {
    json!({
        "areaId": row.area_id,
        "restRoomId": row.rest_room_id,
        "startsAt": row.starts_at,
        "gameMinutes": row.game_minutes,
        "restMinutes": row.rest_minutes,
        "players": row.players,
    })
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    spec: PartySpec,
) -> AppResult<party_order::Model> {
    write_new(state, caller, spec, PartyStatus::Booked).await
}

/// A party asked for from the public page: its time is claimed at once, so nobody else gets
/// it, and a manager confirms it ([`confirm`]) or cancels it. The contact's phone finds or
/// makes the client.
pub async fn request(
    state: &AppState,
    caller: &Caller,
    mut spec: PartySpec,
) -> AppResult<party_order::Model> {
    spec.client_id = match caller.actor.reach()? {
        crate::auth::actor::Reach::Client(id) => Some(id),
        _ => None,
    };
    write_new(state, caller, spec, PartyStatus::Requested).await
}

async fn write_new(
    state: &AppState,
    caller: &Caller,
    spec: PartySpec,
    status: PartyStatus,
) -> AppResult<party_order::Model> {
    let (checked, spec) = (&check(state, &spec).await?, &spec);
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let client_id = party_client(tx, spec.client_id, checked).await?;
                if let Some(clash) = claims::first_clash(tx.db(), &checked.wanted, None).await? {
                    return Err(checked.taken(&clash));
                }
                let now = tx.now();
                let row = party_order::ActiveModel {
                    location_id: Set(spec.location_id),
                    client_id: Set(client_id),
                    contact_name: Set(checked.contact_name.clone()),
                    contact_phone: Set(checked.phone.as_str().to_owned()),
                    game_type: Set(spec.game_type),
                    players: Set(spec.players),
                    area_id: Set(checked.area.id),
                    starts_at: Set(spec.starts_at),
                    game_minutes: Set(spec.game_minutes),
                    rest_room_id: Set(spec.rest_room_id),
                    rest_minutes: Set(spec.rest_minutes),
                    gifts: Set(json!(checked.gift_ids)),
                    notes: Set(checked.notes.clone()),
                    status: Set(status),
                    created_by: Set(tx.caller().actor.user_id()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                claim(tx.db(), row.id, checked).await?;
                let action = if status == PartyStatus::Requested {
                    "party.request"
                } else {
                    "party.create"
                };
                tx.audit(action, "party_order", Some(row.id), audit_details(&row))
                    .await?;
                tx.emit(&event(SlotChange::Booked, &row)).await?;
                let order = (&row).into();
                if status == PartyStatus::Requested {
                    tx.emit(&PartyOrderEvent::Requested { order }).await?;
                } else {
                    tx.emit(&PartyOrderEvent::Booked { order }).await?;
                }
                Ok(row)
            })
        })
        .await
}

/// Edits a booked party order: everything may change but the location. The new time is
/// claimed in the same transaction that frees the old one, so a clash leaves the order as it
/// was (SLOT_TAKEN).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    spec: PartySpec,
) -> AppResult<party_order::Model> {
    let current = get(&state.db, id).await?;
    if spec.location_id != current.location_id {
        return Err(AppError::validation(
            "input.locationId",
            "заказ нельзя перенести в другую локацию: отмените его и создайте новый",
            "an order cannot move to another location: cancel it and make a new one",
        ));
    }
    let (checked, spec) = (&check(state, &spec).await?, &spec);
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let before = get(tx.db(), id).await?;
                if !before.status.is_open() {
                    return Err(AppError::conflict(
                        format!("Заказ {id} уже закрыт, его нельзя изменить"),
                        format!("Party order {id} is closed and cannot be edited"),
                    ));
                }
                let client_id = match spec.client_id {
                    Some(_) => party_client(tx, spec.client_id, checked).await?,
                    None => before.client_id,
                };
                claims::free(tx.db(), Owner::Party(id)).await?;
                claim(tx.db(), id, checked).await?;
                let mut model: party_order::ActiveModel = before.clone().into();
                model.client_id = Set(client_id);
                model.contact_name = Set(checked.contact_name.clone());
                model.contact_phone = Set(checked.phone.as_str().to_owned());
                model.game_type = Set(spec.game_type);
                model.players = Set(spec.players);
                model.area_id = Set(checked.area.id);
                model.starts_at = Set(spec.starts_at);
                model.game_minutes = Set(spec.game_minutes);
                model.rest_room_id = Set(spec.rest_room_id);
                model.rest_minutes = Set(spec.rest_minutes);
                model.gifts = Set(json!(checked.gift_ids));
                model.notes = Set(checked.notes.clone());
                model.updated_at = Set(tx.now());
                let row = model.update(tx.db()).await?;
                tx.audit(
                    "party.update",
                    "party_order",
                    Some(id),
                    json!({ "from": audit_details(&before), "to": audit_details(&row) }),
                )
                .await?;
                tx.emit(&event(SlotChange::Cancelled, &before)).await?;
                tx.emit(&event(SlotChange::Moved, &row)).await?;
                tx.emit(&PartyOrderEvent::Changed {
                    order: (&row).into(),
                    previous_starts_at: before.starts_at,
                })
                .await?;
                Ok(row)
            })
        })
        .await
}

/// Cancels a party order or marks it played.
pub async fn close(
    state: &AppState,
    caller: &Caller,
    id: i64,
    status: PartyStatus,
) -> AppResult<party_order::Model> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let done = party_order::Entity::update_many()
                    .col_expr(party_order::Column::Status, Expr::value(status))
                    .col_expr(party_order::Column::UpdatedAt, Expr::value(tx.now()))
                    .filter(party_order::Column::Id.eq(id))
                    .filter(party_order::Column::Status.is_in(closable(status)))
                    .exec(tx.db())
                    .await?;
                let row = get(tx.db(), id).await?;
                if done.rows_affected == 0 {
                    return Err(if row.status == PartyStatus::Requested {
                        AppError::conflict(
                            format!("Заказ {id} ещё не подтверждён: сначала подтвердите его"),
                            format!("Party order {id} is not confirmed yet: confirm it first"),
                        )
                    } else {
                        AppError::conflict(
                            format!("Заказ {id} уже закрыт"),
                            format!("Party order {id} is already closed"),
                        )
                    });
                }
                if status == PartyStatus::Cancelled {
                    claims::free(tx.db(), Owner::Party(id)).await?;
                }
                tx.audit(
                    "party.close",
                    "party_order",
                    Some(id),
                    json!({ "status": status }),
                )
                .await?;
                if status == PartyStatus::Cancelled {
                    tx.emit(&event(SlotChange::Cancelled, &row)).await?;
                }
                tx.emit(&PartyOrderEvent::Closed {
                    order: (&row).into(),
                })
                .await?;
                Ok(row)
            })
        })
        .await
}

/// The statuses an order may be closed from with `status`: a request may be turned down, only
/// a booked party may be played.
fn closable(status: PartyStatus) -> Vec<PartyStatus> {
    if status == PartyStatus::Cancelled {
        vec![PartyStatus::Requested, PartyStatus::Booked]
    } else {
        vec![PartyStatus::Booked]
    }
}

/// A manager confirms a requested party: it becomes booked, keeping the time it holds.
pub async fn confirm(state: &AppState, caller: &Caller, id: i64) -> AppResult<party_order::Model> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let done = party_order::Entity::update_many()
                    .col_expr(
                        party_order::Column::Status,
                        Expr::value(PartyStatus::Booked),
                    )
                    .col_expr(party_order::Column::UpdatedAt, Expr::value(tx.now()))
                    .filter(party_order::Column::Id.eq(id))
                    .filter(party_order::Column::Status.eq(PartyStatus::Requested))
                    .exec(tx.db())
                    .await?;
                let row = get(tx.db(), id).await?;
                if done.rows_affected == 0 {
                    return Err(AppError::conflict(
                        format!("Заказ {id} не ждёт подтверждения: он {}", row.status.ru()),
                        format!(
                            "Party order {id} is not waiting for confirmation: it is {}",
                            row.status.en()
                        ),
                    ));
                }
                tx.audit("party.confirm", "party_order", Some(id), json!({}))
                    .await?;
                tx.emit(&PartyOrderEvent::Booked {
                    order: (&row).into(),
                })
                .await?;
                Ok(row)
            })
        })
        .await
}

/// Free starting times of a game of `game_minutes` on a play area on a local day: every half
/// hour the location is open, the game ending by closing time, the area free for all of it,
/// and not in the past. What the public party request offers.
pub async fn free_starts(
    state: &AppState,
    location_id: i64,
    area_id: i64,
    date: chrono::NaiveDate,
    game_minutes: i32,
) -> AppResult<Vec<DateTime<Utc>>> {
    use chrono::{Datelike, NaiveTime};
    use entity::{booking_claim, holiday, location, opening_hours};

    if !(15..=600).contains(&game_minutes) {
        return Err(AppError::validation(
            "gameMinutes",
            "игра — от 15 минут до 10 часов",
            "a game lasts 15 minutes to 10 hours",
        ));
    }
    let db = &state.db;
    let area = place(db, "areaId", area_id, location_id, ResourceKind::Arena).await?;
    let loc = location::Entity::find_by_id(location_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Локация", "Location", location_id))?;
    let tz = availability::timezone(&loc)?;
    let special = holiday::Entity::find()
        .filter(holiday::Column::LocationId.eq(location_id))
        .filter(holiday::Column::Date.eq(date))
        .one(db)
        .await?;
    let hours: Vec<(NaiveTime, NaiveTime)> = match special {
        Some(day) => match (day.opens_at, day.closes_at) {
            (Some(open), Some(close)) => vec![(open, close)],
            _ => Vec::new(),
        },
        None => opening_hours::Entity::find()
            .filter(opening_hours::Column::LocationId.eq(location_id))
            .filter(opening_hours::Column::Weekday.eq(date.weekday().number_from_monday() as i16))
            .all(db)
            .await?
            .into_iter()
            .map(|h| (h.opens_at, h.closes_at))
            .collect(),
    };
    let game = Duration::minutes(i64::from(game_minutes));
    let earliest = state.clock.now() + Duration::minutes(30);
    let mut windows = Vec::new();
    for (open, close) in hours {
        let from = crate::domain::timezone::instant(tz, date.and_time(open));
        // Closing at or before opening runs past midnight; equal means round the clock.
        let close_day = if close <= open {
            date.succ_opt().unwrap_or(date)
        } else {
            date
        };
        let to = crate::domain::timezone::instant(tz, close_day.and_time(close));
        windows.push((from, to));
    }
    let (Some(first), Some(last)) = (
        windows.iter().map(|w| w.0).min(),
        windows.iter().map(|w| w.1).max(),
    ) else {
        return Ok(Vec::new());
    };
    let busy: Vec<(DateTime<Utc>, DateTime<Utc>)> = booking_claim::Entity::find()
        .filter(booking_claim::Column::Live.eq(true))
        .filter(booking_claim::Column::ResourceId.eq(area.id))
        .filter(booking_claim::Column::StartsAt.lt(last))
        .filter(booking_claim::Column::EndsAt.gt(first))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.starts_at, c.ends_at))
        .collect();
    let mut starts = Vec::new();
    for (from, to) in windows {
        let mut start = from;
        while start + game <= to {
            let end = start + game;
            let free = busy
                .iter()
                .all(|(b_from, b_to)| *b_to <= start || *b_from >= end);
            if start >= earliest && free {
                starts.push(start);
            }
            start += Duration::minutes(30);
        }
    }
    starts.sort();
    starts.dedup();
    Ok(starts)
}

//! PC bookings: N PCs of a zone for a client from a start for a duration. Specific PCs are
//! assigned, side by side where possible. The database is the final arbiter of overlaps: an
//! exclusion constraint on PostgreSQL, a check inside the write turn on SQLite.

use chrono::{DateTime, Duration, Utc};
use entity::{
    enums::{BookingStatus, ResourceStatus, SessionKind, SessionStatus},
    pc_booking, pc_booking_seat, play_session, resource, zone,
};
use std::sync::atomic::{AtomicBool, Ordering};

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;

use async_graphql::ID;

use super::{
    live::{self, SessionEventKind},
    sessions::{self, StartSpec},
    types::PcBookingFilter,
};
use crate::{
    auth::actor::Caller,
    domain::{parse_id, text},
    error::{AppError, AppResult, Msg},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
    write::Tx,
};

/// What a booking asks for.
pub struct BookingSpec {
    pub zone_id: i64,
    pub client_id: i64,
    pub starts_at: DateTime<Utc>,
    pub minutes: i32,
    pub pc_count: i32,
    /// Specific PCs; otherwise the service picks.
    pub resource_ids: Vec<i64>,
    pub note: Option<String>,
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<pc_booking::Model> {
    pc_booking::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Бронь", "Booking", id))
}

pub async fn seats_of<C: ConnectionTrait>(
    conn: &C,
    booking_ids: Vec<i64>,
) -> AppResult<Vec<pc_booking_seat::Model>> {
    Ok(pc_booking_seat::Entity::find()
        .filter(pc_booking_seat::Column::BookingId.is_in(booking_ids))
        .order_by_asc(pc_booking_seat::Column::Id)
        .all(conn)
        .await?)
}

/// PC bookings matching `filter`, by start, each with the PCs it holds.
pub async fn list(
    state: &AppState,
    filter: PcBookingFilter,
    page: Page,
) -> AppResult<(Vec<(pc_booking::Model, Vec<i64>)>, PageInfo)> {
    let id = |field, id: &Option<ID>| id.as_ref().map(|id| parse_id(field, id)).transpose();
    let mut select = pc_booking::Entity::find();
    if let Some(id) = id("filter.locationId", &filter.location_id)? {
        select = select.filter(pc_booking::Column::LocationId.eq(id));
    }
    if let Some(id) = id("filter.clientId", &filter.client_id)? {
        select = select.filter(pc_booking::Column::ClientId.eq(id));
    }
    if let Some(status) = filter.status {
        select = select.filter(pc_booking::Column::Status.eq(status));
    }
    if let Some(from) = filter.from {
        select = select.filter(pc_booking::Column::EndsAt.gt(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(pc_booking::Column::StartsAt.lt(to));
    }
    let select = select
        .order_by_asc(pc_booking::Column::StartsAt)
        .order_by_asc(pc_booking::Column::Id);
    let (rows, page_info) = fetch_page(&state.db, select, page).await?;
    let seats = seats_of(&state.db, rows.iter().map(|b| b.id).collect()).await?;
    let rows = rows
        .into_iter()
        .map(|b| {
            let pcs = seats
                .iter()
                .filter(|s| s.booking_id == b.id)
                .map(|s| s.resource_id)
                .collect();
            (b, pcs)
        })
        .collect();
    Ok((rows, page_info))
}

/// The PCs a booking holds (or held).
pub async fn pcs_of<C: ConnectionTrait>(conn: &C, booking_id: i64) -> AppResult<Vec<i64>> {
    Ok(seats_of(conn, vec![booking_id])
        .await?
        .into_iter()
        .map(|s| s.resource_id)
        .collect())
}

fn taken(count: i32, free: usize) -> AppError {
    AppError::SlotTaken(Msg::new(
        format!("Свободных ПК на это время: {free}, нужно {count}"),
        format!("{free} PCs are free for that time, {count} are needed"),
    ))
}

/// PCs of the zone that can be held for `from..to`, in map order, each with whether it is
/// free right now (a PC in an open session is used only when no free one is left).
async fn candidates<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    zone_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<(Vec<resource::Model>, Vec<(i64, bool)>)> {
    let pcs = resource::Entity::find()
        .filter(resource::Column::ZoneId.eq(zone_id))
        .order_by_asc(resource::Column::SortOrder)
        .order_by_asc(resource::Column::Name)
        .order_by_asc(resource::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = pcs.iter().map(|p| p.id).collect();
    let show = Duration::minutes(state.settings.booking_show_minutes);
    let held: Vec<i64> = pc_booking_seat::Entity::find()
        .filter(pc_booking_seat::Column::ResourceId.is_in(ids.clone()))
        .filter(pc_booking_seat::Column::Live.eq(true))
        .filter(pc_booking_seat::Column::StartsAt.lt(to))
        .filter(pc_booking_seat::Column::EndsAt.gt(from))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.resource_id)
        .collect();
    let playing = play_session::Entity::find()
        .filter(play_session::Column::ResourceId.is_in(ids))
        .filter(play_session::Column::Status.eq(SessionStatus::Active))
        .all(conn)
        .await?;
    let mut out = Vec::new();
    for pc in &pcs {
        if pc.status == ResourceStatus::OutOfOrder || held.contains(&pc.id) {
            continue;
        }
        match playing.iter().find(|s| s.resource_id == pc.id) {
            // Prepaid time that ends before the booking shows is no obstacle.
            Some(s) if s.kind == SessionKind::Prepaid => {
                if s.ends_at.is_some_and(|end| end <= from - show) {
                    out.push((pc.id, true));
                }
            }
            Some(_) => out.push((pc.id, false)),
            None => out.push((pc.id, true)),
        }
    }
    Ok((pcs, out))
}

/// Picks `count` PCs: the first run of neighbours (in map order) that are all free now, then
/// the first run of neighbours at all, then the first free ones.
fn pick(order: &[resource::Model], available: &[(i64, bool)], count: usize) -> Option<Vec<i64>> {
    if available.len() < count || count == 0 {
        return None;
    }
    let position = |id: i64| order.iter().position(|p| p.id == id).unwrap_or(usize::MAX);
    for need_free in [true, false] {
        for window in available.windows(count) {
            let neighbours = window
                .windows(2)
                .all(|w| position(w[1].0) == position(w[0].0) + 1);
            if neighbours && (!need_free || window.iter().all(|(_, free)| *free)) {
                return Some(window.iter().map(|(id, _)| *id).collect());
            }
        }
    }
    let mut sorted: Vec<&(i64, bool)> = available.iter().collect();
    sorted.sort_by_key(|(id, free)| (!*free, position(*id)));
    Some(sorted.iter().take(count).map(|(id, _)| *id).collect())
}

fn overlap(err: &DbErr) -> bool {
    // 23P01: exclusion_violation.
    err.to_string().contains("23P01") || err.to_string().contains("ex_pc_booking_seat_overlap")
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    spec: BookingSpec,
) -> AppResult<pc_booking::Model> {
    if !(15..=24 * 60).contains(&spec.minutes) {
        return Err(AppError::validation(
            "input.minutes",
            "бронь — от 15 минут до суток",
            "a booking lasts 15 minutes to a day",
        ));
    }
    if !(1..=50).contains(&spec.pc_count) {
        return Err(AppError::validation(
            "input.pcCount",
            "можно забронировать от 1 до 50 ПК",
            "1 to 50 PCs may be booked",
        ));
    }
    if !spec.resource_ids.is_empty() && spec.resource_ids.len() != spec.pc_count as usize {
        return Err(AppError::validation(
            "input.resourceIds",
            "число выбранных ПК не совпадает с числом бронируемых",
            "the number of chosen PCs differs from the count booked",
        ));
    }
    let now = state.clock.now();
    if spec.starts_at + Duration::minutes(i64::from(spec.minutes)) <= now {
        return Err(AppError::validation(
            "input.startsAt",
            "время брони уже прошло",
            "the booking time is already over",
        ));
    }
    let note = text::optional("input.note", spec.note.as_deref(), 500)?;
    let zone = zone::Entity::find_by_id(spec.zone_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("Зона", "Zone", spec.zone_id))?;
    crate::clients::service::get(&state.db, spec.client_id).await?;
    let ends_at = spec.starts_at + Duration::minutes(i64::from(spec.minutes));
    // On PostgreSQL two bookings may pick the same PC at once; the loser's constraint error
    // rolls its unit back and sends it round again, in a new unit, to pick among what is left.
    let (spec, zone, note) = (&spec, &zone, &note);
    for _ in 0..5 {
        let overlapped = AtomicBool::new(false);
        let overlapped = &overlapped;
        let created = state
            .write(caller, |tx| {
                Box::pin(async move {
                    match try_create(tx, state, spec, zone, ends_at, note.clone()).await {
                        Ok(booking) => Ok(booking),
                        Err(Retry::Overlap) => {
                            overlapped.store(true, Ordering::Relaxed);
                            Err(chosen_taken())
                        }
                        Err(Retry::Fail(e)) => Err(e),
                    }
                })
            })
            .await;
        match created {
            Err(_) if overlapped.load(Ordering::Relaxed) && spec.resource_ids.is_empty() => {}
            done => return done,
        }
    }
    Err(AppError::SlotTaken(Msg::new(
        "ПК разбирают слишком быстро: попробуйте ещё раз",
        "PCs are being taken too fast: try again",
    )))
}

fn chosen_taken() -> AppError {
    AppError::SlotTaken(Msg::new(
        "Выбранные ПК только что заняли другой бронью",
        "The chosen PCs were just taken by another booking",
    ))
}

enum Retry {
    Overlap,
    Fail(AppError),
}

impl From<AppError> for Retry {
    fn from(e: AppError) -> Self {
        Retry::Fail(e)
    }
}

impl From<DbErr> for Retry {
    fn from(e: DbErr) -> Self {
        if overlap(&e) {
            Retry::Overlap
        } else {
            Retry::Fail(e.into())
        }
    }
}

async fn try_create(
    tx: &Tx<'_>,
    state: &AppState,
    spec: &BookingSpec,
    zone: &zone::Model,
    ends_at: DateTime<Utc>,
    note: Option<String>,
) -> Result<pc_booking::Model, Retry> {
    let txn = tx.db();
    let (order, available) = candidates(txn, state, zone.id, spec.starts_at, ends_at).await?;
    let chosen = if spec.resource_ids.is_empty() {
        pick(&order, &available, spec.pc_count as usize)
            .ok_or_else(|| taken(spec.pc_count, available.len()))?
    } else {
        for id in &spec.resource_ids {
            if !order.iter().any(|p| p.id == *id) {
                return Err(AppError::validation(
                    "input.resourceIds",
                    format!("ПК {id} не в этой зоне"),
                    format!("PC {id} is not in this zone"),
                )
                .into());
            }
            if !available.iter().any(|(a, _)| a == id) {
                return Err(AppError::SlotTaken(Msg::new(
                    format!("ПК {id} на это время занят или не работает"),
                    format!("PC {id} is taken or out of order for that time"),
                ))
                .into());
            }
        }
        spec.resource_ids.clone()
    };
    let booking = pc_booking::ActiveModel {
        location_id: Set(zone.location_id),
        zone_id: Set(zone.id),
        client_id: Set(spec.client_id),
        starts_at: Set(spec.starts_at),
        ends_at: Set(ends_at),
        pc_count: Set(spec.pc_count),
        status: Set(BookingStatus::Active),
        note: Set(note),
        created_by: Set(tx.caller().actor.user_id()),
        created_at: Set(tx.now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for id in &chosen {
        pc_booking_seat::ActiveModel {
            booking_id: Set(booking.id),
            resource_id: Set(*id),
            starts_at: Set(spec.starts_at),
            ends_at: Set(ends_at),
            live: Set(true),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    let changed = live::refresh(tx, state, &chosen).await?;
    tx.audit(
        "booking.create",
        "pc_booking",
        Some(booking.id),
        json!({ "zoneId": zone.id, "clientId": spec.client_id, "startsAt": spec.starts_at, "endsAt": ends_at, "pcs": chosen }),
    )
    .await?;
    live::announce(tx, &changed).await?;
    Ok(booking)
}

/// Ends a booking's hold: cancelled, used, or a no-show. Returns None when it was no longer
/// active (another process closed it first).
async fn close(
    tx: &Tx<'_>,
    booking_id: i64,
    status: BookingStatus,
    now: DateTime<Utc>,
) -> AppResult<Option<(pc_booking::Model, Vec<i64>)>> {
    let txn = tx.db();
    let updated = pc_booking::Entity::update_many()
        .col_expr(
            pc_booking::Column::Status,
            sea_orm::sea_query::Expr::value(status),
        )
        .col_expr(
            pc_booking::Column::ClosedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(pc_booking::Column::Id.eq(booking_id))
        .filter(pc_booking::Column::Status.eq(BookingStatus::Active))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(None);
    }
    pc_booking_seat::Entity::update_many()
        .col_expr(
            pc_booking_seat::Column::Live,
            sea_orm::sea_query::Expr::value(false),
        )
        .filter(pc_booking_seat::Column::BookingId.eq(booking_id))
        .exec(txn)
        .await?;
    let pcs = pcs_of(txn, booking_id).await?;
    Ok(Some((get(txn, booking_id).await?, pcs)))
}

fn not_active(booking: &pc_booking::Model) -> AppError {
    AppError::conflict(
        format!(
            "Бронь {} уже не активна ({})",
            booking.id,
            crate::domain::names::Named::ru(booking.status)
        ),
        format!(
            "Booking {} is no longer active ({})",
            booking.id,
            crate::domain::names::Named::en(booking.status)
        ),
    )
}

pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    id: i64,
    reason: Option<String>,
) -> AppResult<pc_booking::Model> {
    let reason = &text::optional("reason", reason.as_deref(), 500)?;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let booking = get(tx.db(), id).await?;
                let Some((closed, pcs)) = close(tx, id, BookingStatus::Cancelled, tx.now()).await?
                else {
                    return Err(not_active(&booking));
                };
                let changed = live::refresh(tx, state, &pcs).await?;
                tx.audit(
                    "booking.cancel",
                    "pc_booking",
                    Some(id),
                    json!({ "reason": reason }),
                )
                .await?;
                live::announce(tx, &changed).await?;
                Ok(closed)
            })
        })
        .await
}

/// Marks a booking nobody came to; the ticker calls it after the grace period. It is dated
/// `at`, the end of the grace period, whether the ticker ran then or caught up later (after
/// a restart, say), like a session that ran out is stopped as of its end.
pub async fn no_show(
    state: &AppState,
    id: i64,
    at: DateTime<Utc>,
) -> AppResult<Option<pc_booking::Model>> {
    let caller = Caller::system();
    state
        .write(&caller, |tx| {
            Box::pin(async move {
                let Some((closed, pcs)) =
                    close(tx, id, BookingStatus::NoShow, at.min(tx.now())).await?
                else {
                    return Ok(None);
                };
                let changed = live::refresh(tx, state, &pcs).await?;
                tx.audit(
                    "booking.no_show",
                    "pc_booking",
                    Some(id),
                    json!({ "startsAt": closed.starts_at }),
                )
                .await?;
                live::announce(tx, &changed).await?;
                Ok(Some(closed))
            })
        })
        .await
}

/// The client has come: each held PC starts an open session for them.
pub async fn use_booking(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<Vec<play_session::Model>> {
    state
        .write(caller, |tx| Box::pin(use_in(tx, state, id)))
        .await
}

async fn use_in(tx: &Tx<'_>, state: &AppState, id: i64) -> AppResult<Vec<play_session::Model>> {
    let (txn, now) = (tx.db(), tx.now());
    let booking = get(txn, id).await?;
    if booking.status != BookingStatus::Active {
        return Err(not_active(&booking));
    }
    if now < booking.starts_at - Duration::minutes(state.settings.booking_show_minutes) {
        return Err(AppError::validation(
            "id",
            "бронь ещё не началась: её можно использовать за время показа до начала",
            "the booking has not begun: it may be used from its show-before time",
        ));
    }
    let seats = seats_of(txn, vec![id]).await?;
    let mut started = Vec::new();
    let mut touched = Vec::new();
    for seat in &seats {
        let pc = resource::Entity::find_by_id(seat.resource_id)
            .one(txn)
            .await?
            .ok_or_else(|| AppError::not_found("ПК", "PC", seat.resource_id))?;
        let spec = StartSpec {
            resource_id: pc.id,
            client_id: Some(booking.client_id),
            guest_name: None,
            tariff_id: None,
            prepaid_minutes: None,
            package_id: None,
            method: None,
        };
        let (session, changed) = sessions::begin(tx, state, &pc, &spec, None, Some(id)).await?;
        started.push(session);
        touched.extend(changed);
    }
    close(tx, id, BookingStatus::Used, now).await?;
    tx.audit(
        "booking.use",
        "pc_booking",
        Some(id),
        json!({ "sessions": started.iter().map(|s| s.id).collect::<Vec<_>>() }),
    )
    .await?;
    live::announce(tx, &touched).await?;
    for s in &started {
        live::announce_session(tx, SessionEventKind::Started, s).await?;
    }
    Ok(started)
}

//! Booking PCs: the candidates of a zone, the pick of neighbours, and the write that the
//! database's overlap rule has the last word on.

use chrono::{DateTime, Duration, Utc};
use entity::{
    enums::{BookingStatus, ResourceStatus, SessionKind, SessionStatus},
    pc_booking, pc_booking_seat, play_session, resource, zone,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};

use super::BookingSpec;
use crate::{
    auth::actor::Caller,
    club::live,
    domain::text,
    error::{AppError, AppResult, Msg},
    state::AppState,
    write::Tx,
};

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

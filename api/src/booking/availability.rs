//! Free slots from the database: reads what [`slots::compute`] needs in a fixed number of
//! statements, whatever the number of specialists or days.

use crate::domain::timezone;
use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveTime};
use entity::{
    booking_claim, enums::ResourceStatus, holiday, location, opening_hours, resource, service,
    specialist, specialist_break, specialist_day, specialist_hours, specialist_service,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use super::{
    catalog,
    hold::{self, HoldPayload},
    schedules,
    slots::{self, Local, Room, Shape, Slot, Span, Venue, Window},
};
use crate::{
    domain::Timezone,
    error::{AppError, AppResult},
    state::AppState,
};

/// The longest stretch one request may ask for.
pub const MAX_DAYS: i64 = 31;

#[derive(Debug, Clone, Default)]
pub struct SlotQuery {
    pub location_id: i64,
    pub service_id: i64,
    pub specialist_id: Option<i64>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// An appointment being moved does not stand in its own way.
    pub ignore_appointment: Option<i64>,
}

/// A service of a location, ready to book: active and at that location.
pub async fn bookable_service<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
    service_id: i64,
) -> AppResult<service::Model> {
    let svc = catalog::service(conn, service_id).await?;
    if svc.location_id != location_id || !svc.active {
        return Err(AppError::not_found("Услуга", "Service", service_id));
    }
    Ok(svc)
}

pub fn shape(svc: &service::Model) -> Shape {
    Shape {
        duration: i64::from(svc.duration_minutes),
        before: i64::from(svc.buffer_before),
        after: i64::from(svc.buffer_after),
    }
}

pub fn timezone(loc: &location::Model) -> AppResult<chrono_tz::Tz> {
    Ok(Timezone::parse("location.timezone", &loc.timezone)?.0)
}

fn local(start: NaiveTime, end: NaiveTime) -> Local {
    Local::new(start, end)
}

/// Free slots of a service at a location over local days `from..=to`.
pub async fn find(state: &AppState, q: &SlotQuery) -> AppResult<Vec<Slot>> {
    if q.to < q.from || (q.to - q.from).num_days() >= MAX_DAYS {
        return Err(AppError::validation(
            "to",
            format!("период — от 1 до {MAX_DAYS} дней, «to» не раньше «from»"),
            format!("the period is 1 to {MAX_DAYS} days, `to` not before `from`"),
        ));
    }
    let db = &state.db;
    let loc = location::Entity::find_by_id(q.location_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Локация", "Location", q.location_id))?;
    let tz = timezone(&loc)?;
    let svc = bookable_service(db, q.location_id, q.service_id).await?;
    let rules = schedules::rules(db, q.location_id).await?;

    let mut who: Vec<i64> = specialist_service::Entity::find()
        .filter(specialist_service::Column::ServiceId.eq(svc.id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.specialist_id)
        .collect();
    if let Some(only) = q.specialist_id {
        who.retain(|id| *id == only);
    }
    let active: Vec<i64> = specialist::Entity::find()
        .filter(specialist::Column::Id.is_in(who))
        .filter(specialist::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    if active.is_empty() {
        return Ok(Vec::new());
    }
    let day_before = q.from.pred_opt().unwrap_or(q.from);
    let hours = specialist_hours::Entity::find()
        .filter(specialist_hours::Column::LocationId.eq(q.location_id))
        .filter(specialist_hours::Column::SpecialistId.is_in(active.clone()))
        .all(db)
        .await?;
    let days = specialist_day::Entity::find()
        .filter(specialist_day::Column::LocationId.eq(q.location_id))
        .filter(specialist_day::Column::SpecialistId.is_in(active.clone()))
        .filter(specialist_day::Column::Date.between(day_before, q.to))
        .all(db)
        .await?;
    let breaks = specialist_break::Entity::find()
        .filter(specialist_break::Column::SpecialistId.is_in(active.clone()))
        .all(db)
        .await?;
    let opening = opening_hours::Entity::find()
        .filter(opening_hours::Column::LocationId.eq(q.location_id))
        .all(db)
        .await?;
    let holidays = holiday::Entity::find()
        .filter(holiday::Column::LocationId.eq(q.location_id))
        .filter(holiday::Column::Date.between(day_before, q.to))
        .all(db)
        .await?;
    let room_ids = catalog::service_rooms(db, svc.id).await?;
    let rooms: Vec<i64> = resource::Entity::find()
        .filter(resource::Column::Id.is_in(room_ids.clone()))
        .filter(resource::Column::Status.ne(ResourceStatus::OutOfOrder))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    if !room_ids.is_empty() && rooms.is_empty() {
        return Ok(Vec::new());
    }

    // Everything taken within a day either side of the window (buffers reach at most 4 h).
    let from_at = timezone::instant(tz, day_before.and_time(NaiveTime::MIN)) - Duration::days(1);
    let to_at = timezone::instant(tz, q.to.and_time(NaiveTime::MIN)) + Duration::days(3);
    let mut taken = Condition::any().add(booking_claim::Column::SpecialistId.is_in(active.clone()));
    if !rooms.is_empty() {
        taken = taken.add(booking_claim::Column::ResourceId.is_in(rooms.clone()));
    }
    let mut claims = booking_claim::Entity::find()
        .filter(booking_claim::Column::Live.eq(true))
        .filter(booking_claim::Column::StartsAt.lt(to_at))
        .filter(booking_claim::Column::EndsAt.gt(from_at))
        .filter(taken);
    if let Some(id) = q.ignore_appointment {
        claims = claims.filter(
            Condition::any()
                .add(booking_claim::Column::AppointmentId.is_null())
                .add(booking_claim::Column::AppointmentId.ne(id)),
        );
    }
    let claims = claims.all(db).await?;
    let holds = hold::live(state).await?;

    let mut by_specialist: HashMap<i64, Vec<Span>> = HashMap::new();
    let mut by_room: HashMap<i64, Vec<Span>> = HashMap::new();
    for c in &claims {
        if let Some(id) = c.specialist_id {
            by_specialist
                .entry(id)
                .or_default()
                .push((c.starts_at, c.ends_at));
        }
        if let Some(id) = c.resource_id {
            by_room
                .entry(id)
                .or_default()
                .push((c.starts_at, c.ends_at));
        }
    }
    for h in &holds {
        add_hold(&mut by_specialist, &mut by_room, h);
    }

    let venue = Venue {
        tz,
        hours: opening
            .iter()
            .map(|h| (h.weekday as u32, local(h.opens_at, h.closes_at)))
            .collect(),
        holidays: holidays
            .iter()
            .map(|h| {
                let open = match (h.opens_at, h.closes_at) {
                    (Some(a), Some(b)) => Some(local(a, b)),
                    _ => None,
                };
                (h.date, open)
            })
            .collect(),
    };
    let plans: Vec<slots::Specialist> = active
        .iter()
        .map(|id| slots::Specialist {
            id: *id,
            weekly: hours
                .iter()
                .filter(|h| h.specialist_id == *id)
                .map(|h| (h.weekday as u32, local(h.starts_at, h.ends_at)))
                .collect(),
            days: days
                .iter()
                .filter(|d| d.specialist_id == *id)
                .map(|d| {
                    let open = match (d.starts_at, d.ends_at) {
                        (Some(a), Some(b)) => Some(local(a, b)),
                        _ => None,
                    };
                    (d.date, open)
                })
                .collect(),
            weekly_breaks: breaks
                .iter()
                .filter(|b| b.specialist_id == *id)
                .filter_map(|b| b.weekday.map(|w| (w as u32, local(b.starts_at, b.ends_at))))
                .collect(),
            dated_breaks: breaks
                .iter()
                .filter(|b| b.specialist_id == *id)
                .filter_map(|b| b.date.map(|d| (d, local(b.starts_at, b.ends_at))))
                .collect(),
            busy: by_specialist.remove(id).unwrap_or_default(),
        })
        .collect();
    let rooms: Vec<Room> = rooms
        .iter()
        .map(|id| Room {
            id: *id,
            busy: by_room.remove(id).unwrap_or_default(),
        })
        .collect();
    let window = Window {
        from: q.from,
        to: q.to,
        step_minutes: i64::from(rules.slot_step_minutes),
        not_before: state.clock.now() + Duration::minutes(i64::from(rules.min_lead_minutes)),
    };
    Ok(slots::compute(&venue, shape(&svc), &plans, &rooms, &window))
}

fn add_hold(
    by_specialist: &mut HashMap<i64, Vec<Span>>,
    by_room: &mut HashMap<i64, Vec<Span>>,
    h: &HoldPayload,
) {
    let span = (h.blocked_from, h.blocked_to);
    by_specialist.entry(h.specialist_id).or_default().push(span);
    if let Some(room) = h.resource_id {
        by_room.entry(room).or_default().push(span);
    }
}

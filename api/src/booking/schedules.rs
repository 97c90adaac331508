//! Specialists' working weeks, breaks and one-off days, and each location's booking rules.

use chrono::{DateTime, NaiveDate, NaiveTime};
use entity::{booking_rules, specialist_break, specialist_day, specialist_hours};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;

use super::catalog;
use crate::{
    auth::actor::Caller,
    domain::text,
    error::{AppError, AppResult},
    state::AppState,
    venue::{locations, types::OpeningHoursInput},
};

/// Slot grid, cancellation cut-off and lead time when a location has not set its own.
pub const DEFAULT_STEP_MINUTES: i32 = 15;
pub const DEFAULT_CANCEL_CUTOFF_MINUTES: i32 = 24 * 60;
pub const DEFAULT_MIN_LEAD_MINUTES: i32 = 0;

/// A break: on every `weekday`, or on one `date`.
#[derive(Debug, Clone)]
pub struct BreakSpec {
    pub weekday: Option<i32>,
    pub date: Option<NaiveDate>,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
}

pub struct Schedule {
    pub hours: Vec<specialist_hours::Model>,
    pub breaks: Vec<specialist_break::Model>,
    pub days: Vec<specialist_day::Model>,
}

pub async fn schedule(
    state: &AppState,
    specialist_id: i64,
    location_id: i64,
) -> AppResult<Schedule> {
    catalog::specialist(&state.db, specialist_id).await?;
    let hours = specialist_hours::Entity::find()
        .filter(specialist_hours::Column::SpecialistId.eq(specialist_id))
        .filter(specialist_hours::Column::LocationId.eq(location_id))
        .order_by_asc(specialist_hours::Column::Weekday)
        .order_by_asc(specialist_hours::Column::StartsAt)
        .all(&state.db)
        .await?;
    let breaks = specialist_break::Entity::find()
        .filter(specialist_break::Column::SpecialistId.eq(specialist_id))
        .order_by_asc(specialist_break::Column::Id)
        .all(&state.db)
        .await?;
    let days = specialist_day::Entity::find()
        .filter(specialist_day::Column::SpecialistId.eq(specialist_id))
        .filter(specialist_day::Column::LocationId.eq(location_id))
        .order_by_asc(specialist_day::Column::Date)
        .all(&state.db)
        .await?;
    Ok(Schedule {
        hours,
        breaks,
        days,
    })
}

/// Replaces a specialist's week at a location. The same rules as opening hours: weekdays 1–7
/// and no overlaps.
pub async fn set_hours(
    state: &AppState,
    caller: &Caller,
    specialist_id: i64,
    location_id: i64,
    hours: Vec<OpeningHoursInput>,
) -> AppResult<Vec<specialist_hours::Model>> {
    locations::get(state, location_id).await?;
    locations::check_week(&hours)?;
    let hours = &hours;
    let mut saved = state
        .write(caller, |tx| {
            Box::pin(async move {
                catalog::specialist(tx.db(), specialist_id).await?;
                specialist_hours::Entity::delete_many()
                    .filter(specialist_hours::Column::SpecialistId.eq(specialist_id))
                    .filter(specialist_hours::Column::LocationId.eq(location_id))
                    .exec(tx.db())
                    .await?;
                let mut saved = Vec::with_capacity(hours.len());
                for h in hours {
                    saved.push(
                        specialist_hours::ActiveModel {
                            specialist_id: Set(specialist_id),
                            location_id: Set(location_id),
                            weekday: Set(h.weekday as i16),
                            starts_at: Set(h.opens_at),
                            ends_at: Set(h.closes_at),
                            ..Default::default()
                        }
                        .insert(tx.db())
                        .await?,
                    );
                }
                tx.audit(
                    "specialist.hours",
                    "specialist",
                    Some(specialist_id),
                    json!({ "locationId": location_id, "intervals": saved.len() }),
                )
                .await?;
                Ok(saved)
            })
        })
        .await?;
    saved.sort_by_key(|h| (h.weekday, h.starts_at));
    Ok(saved)
}

/// Replaces a specialist's breaks.
pub async fn set_breaks(
    state: &AppState,
    caller: &Caller,
    specialist_id: i64,
    breaks: Vec<BreakSpec>,
) -> AppResult<Vec<specialist_break::Model>> {
    for (i, b) in breaks.iter().enumerate() {
        if b.weekday.is_some() == b.date.is_some() {
            return Err(AppError::validation(
                format!("breaks[{i}]"),
                "укажите либо день недели, либо дату",
                "give either a weekday or a date",
            ));
        }
        if b.weekday.is_some_and(|w| !(1..=7).contains(&w)) {
            return Err(AppError::validation(
                format!("breaks[{i}].weekday"),
                "день недели — от 1 (пн) до 7 (вс)",
                "weekday is 1 (Monday) to 7 (Sunday)",
            ));
        }
        if b.ends_at <= b.starts_at {
            return Err(AppError::validation(
                format!("breaks[{i}].endsAt"),
                "перерыв заканчивается позже, чем начинается",
                "a break ends after it starts",
            ));
        }
    }
    let breaks = &breaks;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                catalog::specialist(tx.db(), specialist_id).await?;
                specialist_break::Entity::delete_many()
                    .filter(specialist_break::Column::SpecialistId.eq(specialist_id))
                    .exec(tx.db())
                    .await?;
                let mut saved = Vec::with_capacity(breaks.len());
                for b in breaks {
                    saved.push(
                        specialist_break::ActiveModel {
                            specialist_id: Set(specialist_id),
                            weekday: Set(b.weekday.map(|w| w as i16)),
                            date: Set(b.date),
                            starts_at: Set(b.starts_at),
                            ends_at: Set(b.ends_at),
                            ..Default::default()
                        }
                        .insert(tx.db())
                        .await?,
                    );
                }
                tx.audit(
                    "specialist.breaks",
                    "specialist",
                    Some(specialist_id),
                    json!({ "breaks": saved.len() }),
                )
                .await?;
                Ok(saved)
            })
        })
        .await
}

/// Sets a one-off day: no times for a day off, or other hours.
pub async fn set_day(
    state: &AppState,
    caller: &Caller,
    specialist_id: i64,
    location_id: i64,
    date: NaiveDate,
    hours: Option<(NaiveTime, NaiveTime)>,
    note: Option<String>,
) -> AppResult<specialist_day::Model> {
    let note = text::optional("input.note", note.as_deref(), 500)?;
    locations::get(state, location_id).await?;
    let note = &note;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                catalog::specialist(tx.db(), specialist_id).await?;
                let existing = specialist_day::Entity::find()
                    .filter(specialist_day::Column::SpecialistId.eq(specialist_id))
                    .filter(specialist_day::Column::LocationId.eq(location_id))
                    .filter(specialist_day::Column::Date.eq(date))
                    .one(tx.db())
                    .await?;
                let mut model = match existing {
                    Some(row) => row.into(),
                    None => specialist_day::ActiveModel {
                        specialist_id: Set(specialist_id),
                        location_id: Set(location_id),
                        date: Set(date),
                        ..Default::default()
                    },
                };
                model.starts_at = Set(hours.map(|h| h.0));
                model.ends_at = Set(hours.map(|h| h.1));
                model.note = Set(note.clone());
                let saved = model.save(tx.db()).await?;
                let saved = specialist_day::Entity::find()
                    .filter(specialist_day::Column::SpecialistId.eq(specialist_id))
                    .filter(specialist_day::Column::LocationId.eq(location_id))
                    .filter(specialist_day::Column::Date.eq(date))
                    .one(tx.db())
                    .await?
                    .ok_or_else(|| {
                        AppError::internal(format!("specialist day vanished: {saved:?}"))
                    })?;
                tx.audit(
                    "specialist.day",
                    "specialist",
                    Some(specialist_id),
                    json!({ "locationId": location_id, "date": date.to_string(), "off": hours.is_none() }),
                )
                .await?;
                Ok(saved)
            })
        })
        .await
}

pub async fn delete_day(state: &AppState, caller: &Caller, id: i64) -> AppResult<()> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let row = specialist_day::Entity::find_by_id(id)
                    .one(tx.db())
                    .await?
                    .ok_or_else(|| AppError::not_found("День специалиста", "Specialist day", id))?;
                specialist_day::Entity::delete_by_id(id)
                    .exec(tx.db())
                    .await?;
                tx.audit(
                    "specialist.day_delete",
                    "specialist",
                    Some(row.specialist_id),
                    json!({ "date": row.date.to_string() }),
                )
                .await?;
                Ok(())
            })
        })
        .await
}

/// The rules of a location, defaults when it has set none.
pub async fn rules<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
) -> AppResult<booking_rules::Model> {
    Ok(booking_rules::Entity::find_by_id(location_id)
        .one(conn)
        .await?
        .unwrap_or(booking_rules::Model {
            location_id,
            slot_step_minutes: DEFAULT_STEP_MINUTES,
            cancel_cutoff_minutes: DEFAULT_CANCEL_CUTOFF_MINUTES,
            min_lead_minutes: DEFAULT_MIN_LEAD_MINUTES,
            // Never set, so never updated.
            updated_at: DateTime::UNIX_EPOCH,
        }))
}

pub async fn set_rules(
    state: &AppState,
    caller: &Caller,
    location_id: i64,
    step: i32,
    cutoff: i32,
    lead: i32,
) -> AppResult<booking_rules::Model> {
    if !(5..=240).contains(&step) {
        return Err(AppError::validation(
            "input.slotStepMinutes",
            "шаг сетки — от 5 до 240 минут",
            "the slot step is 5 to 240 minutes",
        ));
    }
    for (field, v) in [
        ("input.cancelCutoffMinutes", cutoff),
        ("input.minLeadMinutes", lead),
    ] {
        if !(0..=30 * 24 * 60).contains(&v) {
            return Err(AppError::validation(
                field,
                "от 0 минут до 30 дней",
                "0 minutes to 30 days",
            ));
        }
    }
    locations::get(state, location_id).await?;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let existing = booking_rules::Entity::find_by_id(location_id)
                    .one(tx.db())
                    .await?;
                let model = booking_rules::ActiveModel {
                    location_id: Set(location_id),
                    slot_step_minutes: Set(step),
                    cancel_cutoff_minutes: Set(cutoff),
                    min_lead_minutes: Set(lead),
                    updated_at: Set(tx.now()),
                };
                let saved = match existing {
                    Some(_) => model.update(tx.db()).await?,
                    None => model.insert(tx.db()).await?,
                };
                tx.audit(
                    "booking.rules",
                    "location",
                    Some(location_id),
                    json!({ "step": step, "cutoff": cutoff, "lead": lead }),
                )
                .await?;
                Ok(saved)
            })
        })
        .await
}

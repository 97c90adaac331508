//! The weekly class timetable and the sessions it makes, in the location's local time.
//!
//! A class says "Mondays, Wednesdays and Fridays at 19:00 for 90 minutes" (each day may have
//! its own time: see [`ClassDay`]); [`occurrences`] turns that into UTC
//! instants day by day through the location's timezone, so a class keeps its wall-clock time
//! across a daylight-saving change. Generating sessions is idempotent: a class has at most one
//! session a start.

use crate::domain::timezone;
use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use entity::{
    academy_class, academy_session,
    enums::{ClassLevel, ClassSessionStatus},
    location,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    auth::actor::Caller,
    domain::{Timezone, text},
    error::{AppError, AppResult},
    events::domain::ClassSessionEvent,
    state::AppState,
};

/// The longest range sessions are generated or listed for at once.
pub const MAX_RANGE_DAYS: i64 = 93;

/// The most days one class meets in a week.
pub const MAX_CLASS_DAYS: usize = 14;

/// One weekly meeting of a class: an ISO weekday (1 = Monday) and a local start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassDay {
    pub weekday: i16,
    pub starts_at: NaiveTime,
}

/// A class's weekly pattern, in week order: its `days`, or the one weekday and time of a class
/// saved with one day.
pub fn pattern(class: &academy_class::Model) -> Vec<ClassDay> {
    let days = class
        .days
        .as_ref()
        .and_then(|v| serde_json::from_value::<Vec<ClassDay>>(v.clone()).ok())
        .filter(|d| !d.is_empty());
    let mut days = days.unwrap_or_else(|| {
        vec![ClassDay {
            weekday: class.weekday,
            starts_at: class.starts_at,
        }]
    });
    days.sort();
    days
}

/// A pattern as people read it: `пн, ср, пт 18:00` or `пн 18:00, сб 11:00`.
pub fn pattern_label(days: &[ClassDay]) -> String {
    const NAMES: [&str; 7] = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"];
    let name = |d: &ClassDay| NAMES[(d.weekday.clamp(1, 7) - 1) as usize];
    let time = |d: &ClassDay| d.starts_at.format("%H:%M").to_string();
    match days.first() {
        Some(first) if days.iter().all(|d| d.starts_at == first.starts_at) => format!(
            "{} {}",
            days.iter().map(name).collect::<Vec<_>>().join(", "),
            time(first)
        ),
        _ => days
            .iter()
            .map(|d| format!("{} {}", name(d), time(d)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A class as the service takes it, checked.
#[derive(Debug, Clone)]
pub struct ClassSpec {
    pub location_id: i64,
    pub name: String,
    /// The weekly pattern; `days[i]` is reported as `input.days.<i>` (or as `input.weekday`
    /// when it is the only day).
    pub days: Vec<ClassDay>,
    pub duration_minutes: i32,
    pub trainer_id: Option<i64>,
    pub room_id: Option<i64>,
    pub capacity: i32,
    pub level: ClassLevel,
    pub min_belt_id: Option<i64>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub active: bool,
}

/// A one-off session as the service takes it.
#[derive(Debug, Clone)]
pub struct OneOffSpec {
    pub location_id: i64,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub trainer_id: Option<i64>,
    pub room_id: Option<i64>,
    pub capacity: i32,
    pub level: ClassLevel,
    pub min_belt_id: Option<i64>,
}

pub fn check_duration(field: &str, minutes: i32) -> AppResult<i32> {
    if !(10..=8 * 60).contains(&minutes) {
        return Err(AppError::validation(
            field,
            "длительность — от 10 минут до 8 часов",
            "a class lasts 10 minutes to 8 hours",
        ));
    }
    Ok(minutes)
}

pub fn check_capacity(field: &str, capacity: i32) -> AppResult<i32> {
    if !(1..=1000).contains(&capacity) {
        return Err(AppError::validation(
            field,
            "вместимость — от 1 до 1000 человек",
            "capacity is 1 to 1000 people",
        ));
    }
    Ok(capacity)
}

impl ClassSpec {
    pub fn check(mut self) -> AppResult<ClassSpec> {
        self.name = text::required("input.name", &self.name, 100)?;
        if self.days.is_empty() || self.days.len() > MAX_CLASS_DAYS {
            return Err(AppError::validation(
                "input.days",
                format!("укажите от 1 до {MAX_CLASS_DAYS} дней недели"),
                format!("give 1 to {MAX_CLASS_DAYS} weekdays"),
            ));
        }
        let field = |i: usize| match self.days.len() {
            1 => "input.weekday".to_owned(),
            _ => format!("input.days.{i}.weekday"),
        };
        for (i, day) in self.days.iter().enumerate() {
            if !(1..=7).contains(&day.weekday) {
                return Err(AppError::validation(
                    field(i),
                    "день недели — от 1 (понедельник) до 7 (воскресенье)",
                    "the weekday is 1 (Monday) to 7 (Sunday)",
                ));
            }
            if self.days[..i].contains(day) {
                return Err(AppError::validation(
                    field(i),
                    "этот день и время уже есть в расписании занятия",
                    "this weekday and time are in the class's pattern already",
                ));
            }
        }
        self.days.sort();
        check_duration("input.durationMinutes", self.duration_minutes)?;
        check_capacity("input.capacity", self.capacity)?;
        if let Some(to) = self.valid_to
            && to < self.valid_from
        {
            return Err(AppError::validation(
                "input.validTo",
                "конец расписания раньше его начала",
                "the timetable ends before it starts",
            ));
        }
        Ok(self)
    }
}

pub async fn location_tz<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
) -> AppResult<(location::Model, Tz)> {
    let location = location::Entity::find_by_id(location_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Локация", "Location", location_id))?;
    let tz = Timezone::parse("location.timezone", &location.timezone)?.0;
    Ok((location, tz))
}

/// The starts and ends of a class's sessions from `from` to `to` (local dates, inclusive).
pub fn occurrences(
    class: &academy_class::Model,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let first = from.max(class.valid_from);
    let last = class.valid_to.map_or(to, |v| v.min(to));
    let days = pattern(class);
    let length = Duration::minutes(i64::from(class.duration_minutes));
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .flat_map(|d| {
            days.iter()
                .filter(move |p| d.weekday().number_from_monday() == p.weekday as u32)
                .map(move |p| timezone::instant(tz, d.and_time(p.starts_at)))
        })
        .map(|start| (start, start + length))
        .collect()
}

/// The pattern as stored: none for one day (the row's weekday and time say it all).
fn stored_days(days: &[ClassDay]) -> Option<serde_json::Value> {
    match days {
        [_] => None,
        _ => serde_json::to_value(days).ok(),
    }
}

pub async fn get_class<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<academy_class::Model> {
    academy_class::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Занятие расписания", "Timetable class", id))
}

pub async fn get_session<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> AppResult<academy_session::Model> {
    academy_session::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Тренировка", "Class session", id))
}

async fn check_refs<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
    trainer_id: Option<i64>,
    room_id: Option<i64>,
    min_belt_id: Option<i64>,
) -> AppResult<()> {
    location_tz(conn, location_id).await?;
    if let Some(id) = trainer_id {
        entity::user::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::not_found("Тренер", "Trainer", id))?;
    }
    if let Some(id) = room_id {
        let room = entity::resource::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::not_found("Зал", "Room", id))?;
        if room.location_id != location_id {
            return Err(AppError::validation(
                "input.roomId",
                "зал в другой локации",
                "the room is at another location",
            ));
        }
    }
    if let Some(id) = min_belt_id {
        super::belts::get(conn, id).await?;
    }
    Ok(())
}

pub async fn create_class(
    state: &AppState,
    caller: &Caller,
    spec: ClassSpec,
) -> AppResult<academy_class::Model> {
    let spec = spec.check()?;
    state
        .write(caller, |tx| {
            let spec = spec.clone();
            Box::pin(async move {
                check_refs(
                    tx.db(),
                    spec.location_id,
                    spec.trainer_id,
                    spec.room_id,
                    spec.min_belt_id,
                )
                .await?;
                let now = tx.now();
                let row = academy_class::ActiveModel {
                    location_id: Set(spec.location_id),
                    name: Set(spec.name),
                    weekday: Set(spec.days[0].weekday),
                    starts_at: Set(spec.days[0].starts_at),
                    days: Set(stored_days(&spec.days)),
                    duration_minutes: Set(spec.duration_minutes),
                    trainer_id: Set(spec.trainer_id),
                    room_id: Set(spec.room_id),
                    capacity: Set(spec.capacity),
                    level: Set(spec.level),
                    min_belt_id: Set(spec.min_belt_id),
                    valid_from: Set(spec.valid_from),
                    valid_to: Set(spec.valid_to),
                    active: Set(spec.active),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                tx.audit(
                    "academy.class.create",
                    "academy_class",
                    Some(row.id),
                    json!({ "name": row.name, "days": pattern(&row) }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// Changes a class; sessions already made keep their times (cancel and regenerate to move
/// them).
pub async fn update_class(
    state: &AppState,
    caller: &Caller,
    id: i64,
    spec: ClassSpec,
) -> AppResult<academy_class::Model> {
    let spec = spec.check()?;
    state
        .write(caller, |tx| {
            let spec = spec.clone();
            Box::pin(async move {
                let current = get_class(tx.db(), id).await?;
                if current.location_id != spec.location_id {
                    return Err(AppError::validation(
                        "input.locationId",
                        "занятие нельзя перенести в другую локацию; создайте новое",
                        "a class cannot move to another location; create a new one",
                    ));
                }
                check_refs(
                    tx.db(),
                    spec.location_id,
                    spec.trainer_id,
                    spec.room_id,
                    spec.min_belt_id,
                )
                .await?;
                let mut row: academy_class::ActiveModel = current.into();
                row.name = Set(spec.name);
                row.weekday = Set(spec.days[0].weekday);
                row.starts_at = Set(spec.days[0].starts_at);
                row.days = Set(stored_days(&spec.days));
                row.duration_minutes = Set(spec.duration_minutes);
                row.trainer_id = Set(spec.trainer_id);
                row.room_id = Set(spec.room_id);
                row.capacity = Set(spec.capacity);
                row.level = Set(spec.level);
                row.min_belt_id = Set(spec.min_belt_id);
                row.valid_from = Set(spec.valid_from);
                row.valid_to = Set(spec.valid_to);
                row.active = Set(spec.active);
                row.updated_at = Set(tx.now());
                let row = row.update(tx.db()).await?;
                tx.audit(
                    "academy.class.update",
                    "academy_class",
                    Some(id),
                    json!({ "name": row.name, "active": row.active, "days": pattern(&row) }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

pub async fn classes<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
    include_inactive: bool,
) -> AppResult<Vec<academy_class::Model>> {
    let mut select = academy_class::Entity::find()
        .filter(academy_class::Column::LocationId.eq(location_id))
        .order_by_asc(academy_class::Column::Weekday)
        .order_by_asc(academy_class::Column::StartsAt)
        .order_by_asc(academy_class::Column::Id);
    if !include_inactive {
        select = select.filter(academy_class::Column::Active.eq(true));
    }
    Ok(select.all(conn).await?)
}

fn check_range(from: NaiveDate, to: NaiveDate) -> AppResult<()> {
    if to < from {
        return Err(AppError::validation(
            "to",
            "конец периода раньше начала",
            "the range ends before it starts",
        ));
    }
    if (to - from).num_days() >= MAX_RANGE_DAYS {
        return Err(AppError::validation(
            "to",
            format!("не больше {MAX_RANGE_DAYS} дней за раз"),
            format!("at most {MAX_RANGE_DAYS} days at a time"),
        ));
    }
    Ok(())
}

/// Makes the sessions of every active class of a location from `from` to `to` (local dates,
/// inclusive) that do not exist yet; answers every session of those classes in the range.
pub async fn generate(
    state: &AppState,
    caller: &Caller,
    location_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<academy_session::Model>> {
    check_range(from, to)?;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let (_, tz) = location_tz(tx.db(), location_id).await?;
                let classes = classes(tx.db(), location_id, false).await?;
                let start = timezone::instant(tz, from.and_time(NaiveTime::MIN));
                let end =
                    timezone::instant(tz, to.succ_opt().unwrap_or(to).and_time(NaiveTime::MIN));
                let existing: HashSet<(i64, DateTime<Utc>)> = academy_session::Entity::find()
                    .select_only()
                    .column(academy_session::Column::ClassId)
                    .column(academy_session::Column::StartsAt)
                    .filter(academy_session::Column::LocationId.eq(location_id))
                    .filter(academy_session::Column::ClassId.is_not_null())
                    .filter(academy_session::Column::StartsAt.gte(start))
                    .filter(academy_session::Column::StartsAt.lt(end))
                    .into_tuple::<(Option<i64>, DateTime<Utc>)>()
                    .all(tx.db())
                    .await?
                    .into_iter()
                    .filter_map(|(class, at)| class.map(|c| (c, at)))
                    .collect();
                let now = tx.now();
                let mut new_rows = Vec::new();
                for class in &classes {
                    for (starts_at, ends_at) in occurrences(class, tz, from, to) {
                        if existing.contains(&(class.id, starts_at)) {
                            continue;
                        }
                        new_rows.push(academy_session::ActiveModel {
                            location_id: Set(location_id),
                            class_id: Set(Some(class.id)),
                            name: Set(class.name.clone()),
                            trainer_id: Set(class.trainer_id),
                            room_id: Set(class.room_id),
                            starts_at: Set(starts_at),
                            ends_at: Set(ends_at),
                            capacity: Set(class.capacity),
                            level: Set(class.level),
                            min_belt_id: Set(class.min_belt_id),
                            status: Set(ClassSessionStatus::Scheduled),
                            cancel_reason: Set(None),
                            created_at: Set(now),
                            ..Default::default()
                        });
                    }
                }
                let made = new_rows.len();
                for chunk in new_rows.chunks(200) {
                    academy_session::Entity::insert_many(chunk.to_vec())
                        .exec_without_returning(tx.db())
                        .await?;
                }
                if made > 0 {
                    tx.audit(
                        "academy.sessions.generate",
                        "location",
                        Some(location_id),
                        json!({ "from": from, "to": to, "made": made }),
                    )
                    .await?;
                    tx.emit(&ClassSessionEvent::Generated {
                        location_id,
                        from,
                        to,
                        made: made as u64,
                    })
                    .await?;
                }
                let sessions = academy_session::Entity::find()
                    .filter(academy_session::Column::LocationId.eq(location_id))
                    .filter(academy_session::Column::ClassId.is_not_null())
                    .filter(academy_session::Column::StartsAt.gte(start))
                    .filter(academy_session::Column::StartsAt.lt(end))
                    .order_by_asc(academy_session::Column::StartsAt)
                    .order_by_asc(academy_session::Column::Id)
                    .all(tx.db())
                    .await?;
                Ok(sessions)
            })
        })
        .await
}

pub async fn create_one_off(
    state: &AppState,
    caller: &Caller,
    spec: OneOffSpec,
) -> AppResult<academy_session::Model> {
    let name = text::required("input.name", &spec.name, 100)?;
    let minutes = check_duration("input.durationMinutes", spec.duration_minutes)?;
    let capacity = check_capacity("input.capacity", spec.capacity)?;
    state
        .write(caller, |tx| {
            let name = name.clone();
            Box::pin(async move {
                check_refs(
                    tx.db(),
                    spec.location_id,
                    spec.trainer_id,
                    spec.room_id,
                    spec.min_belt_id,
                )
                .await?;
                let row = academy_session::ActiveModel {
                    location_id: Set(spec.location_id),
                    class_id: Set(None),
                    name: Set(name),
                    trainer_id: Set(spec.trainer_id),
                    room_id: Set(spec.room_id),
                    starts_at: Set(spec.starts_at),
                    ends_at: Set(spec.starts_at + Duration::minutes(i64::from(minutes))),
                    capacity: Set(capacity),
                    level: Set(spec.level),
                    min_belt_id: Set(spec.min_belt_id),
                    status: Set(ClassSessionStatus::Scheduled),
                    cancel_reason: Set(None),
                    created_at: Set(tx.now()),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                tx.audit(
                    "academy.session.create",
                    "academy_session",
                    Some(row.id),
                    json!({ "name": row.name, "startsAt": row.starts_at }),
                )
                .await?;
                tx.emit(&ClassSessionEvent::Scheduled {
                    session: (&row).into(),
                })
                .await?;
                Ok(row)
            })
        })
        .await
}

pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    id: i64,
    reason: Option<String>,
) -> AppResult<academy_session::Model> {
    let reason = text::optional("reason", reason.as_deref(), 500)?;
    state
        .write(caller, |tx| {
            let reason = reason.clone();
            Box::pin(async move {
                let session = get_session(tx.db(), id).await?;
                if session.status == ClassSessionStatus::Cancelled {
                    return Err(AppError::conflict(
                        "Тренировка уже отменена",
                        "The session is already cancelled",
                    ));
                }
                // Visits used for a session that did not happen go back to their memberships.
                super::attendance::release_visits(tx.db(), id).await?;
                let mut row: academy_session::ActiveModel = session.into();
                row.status = Set(ClassSessionStatus::Cancelled);
                row.cancel_reason = Set(reason.clone());
                let row = row.update(tx.db()).await?;
                tx.audit(
                    "academy.session.cancel",
                    "academy_session",
                    Some(id),
                    json!({ "reason": reason }),
                )
                .await?;
                tx.emit(&ClassSessionEvent::Cancelled {
                    session: (&row).into(),
                    reason,
                })
                .await?;
                Ok(row)
            })
        })
        .await
}

/// Sessions of a location starting in `[from, to)`, by start.
pub async fn between<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    include_cancelled: bool,
) -> AppResult<Vec<academy_session::Model>> {
    if to <= from || to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(AppError::validation(
            "to",
            format!("период — от минуты до {MAX_RANGE_DAYS} дней"),
            format!("the range is a minute to {MAX_RANGE_DAYS} days"),
        ));
    }
    let mut select = academy_session::Entity::find()
        .filter(academy_session::Column::LocationId.eq(location_id))
        .filter(academy_session::Column::StartsAt.gte(from))
        .filter(academy_session::Column::StartsAt.lt(to))
        .order_by_asc(academy_session::Column::StartsAt)
        .order_by_asc(academy_session::Column::Id);
    if !include_cancelled {
        select = select.filter(academy_session::Column::Status.eq(ClassSessionStatus::Scheduled));
    }
    Ok(select.all(conn).await?)
}

/// The next `limit` scheduled sessions of a location that have not ended.
pub async fn upcoming(
    state: &AppState,
    location_id: i64,
    limit: u64,
) -> AppResult<Vec<academy_session::Model>> {
    location_tz(&state.db, location_id).await?;
    Ok(academy_session::Entity::find()
        .filter(academy_session::Column::LocationId.eq(location_id))
        .filter(academy_session::Column::Status.eq(ClassSessionStatus::Scheduled))
        .filter(academy_session::Column::EndsAt.gt(state.clock.now()))
        .order_by_asc(academy_session::Column::StartsAt)
        .order_by_asc(academy_session::Column::Id)
        .limit(limit)
        .all(&state.db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(weekday: i16, h: u32, m: u32) -> academy_class::Model {
        let t = chrono::DateTime::UNIX_EPOCH;
        academy_class::Model {
            id: 1,
            location_id: 1,
            name: "BJJ".into(),
            weekday,
            starts_at: NaiveTime::from_hms_opt(h, m, 0).unwrap(),
            days: None,
            duration_minutes: 90,
            trainer_id: None,
            room_id: None,
            capacity: 20,
            level: ClassLevel::All,
            min_belt_id: None,
            valid_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            valid_to: None,
            active: true,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn wall_clock_time_survives_the_autumn_change() {
        // Berlin leaves summer time on Sunday 2026-10-25.
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let got = occurrences(&class(2, 19, 0), tz, d(10, 1), d(10, 31));
        let starts: Vec<String> = got.iter().map(|(s, _)| s.to_rfc3339()).collect();
        assert_eq!(
            starts,
            [
                "2026-10-06T17:00:00+00:00",
                "2026-10-13T17:00:00+00:00",
                "2026-10-20T17:00:00+00:00",
                "2026-10-27T18:00:00+00:00",
            ]
        );
        assert!(got.iter().all(|(s, e)| *e - *s == Duration::minutes(90)));
    }

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn a_pattern_meets_on_each_of_its_days_at_its_time() {
        let tz: Tz = "Asia/Almaty".parse().unwrap();
        let mut c = class(1, 18, 0);
        c.days = serde_json::to_value([
            ClassDay {
                weekday: 6,
                starts_at: at(11, 0),
            },
            ClassDay {
                weekday: 1,
                starts_at: at(18, 0),
            },
        ])
        .ok();
        let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        let starts: Vec<String> = occurrences(&c, tz, d(1), d(9))
            .iter()
            .map(|(s, _)| s.to_rfc3339())
            .collect();
        assert_eq!(
            starts,
            [
                "2026-11-02T13:00:00+00:00",
                "2026-11-07T06:00:00+00:00",
                "2026-11-09T13:00:00+00:00",
            ]
        );
        assert_eq!(pattern_label(&pattern(&c)), "пн 18:00, сб 11:00");
        // A class saved with one day reads as a pattern of that day.
        assert_eq!(pattern_label(&pattern(&class(3, 7, 30))), "ср 07:30");
    }
}

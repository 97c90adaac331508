//! Locations, their weekly hours and their holidays.

use chrono::{NaiveTime, Timelike};
use entity::{holiday, location, opening_hours};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use super::{
    organisation,
    types::{CreateLocationInput, HolidayInput, OpeningHoursInput, UpdateLocationInput},
};
use crate::{
    auth::actor::Caller,
    domain::{Timezone, text},
    error::{AppError, AppResult},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
    write::Tx,
};

/// A location's time zone: how its people read an instant.
pub async fn time_zone<C: sea_orm::ConnectionTrait>(conn: &C, id: i64) -> AppResult<chrono_tz::Tz> {
    let loc = location::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Локация", "Location", id))?;
    Ok(crate::domain::Timezone::parse("location.timezone", &loc.timezone)?.0)
}

pub async fn get(state: &AppState, id: i64) -> AppResult<location::Model> {
    location::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("Локация", "Location", id))
}

/// An active location by its public page's slug.
pub async fn by_slug(state: &AppState, slug: &str) -> AppResult<location::Model> {
    let wanted = slug.trim().to_lowercase();
    location::Entity::find()
        .filter(location::Column::Slug.eq(wanted.as_str()))
        .filter(location::Column::Active.eq(true))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("Страница записи", "Booking page", &wanted))
}

/// A slug the owner typed: what the address may hold, checked.
fn typed_slug(raw: &str) -> AppResult<String> {
    let slug = raw.trim().to_lowercase();
    let fits = (2..=migration::slug::MAX_LEN).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if fits {
        Ok(slug)
    } else {
        Err(AppError::validation(
            "input.slug",
            "адрес страницы — от 2 до 60 латинских букв, цифр и дефисов, без дефиса в начале и в конце",
            "a page address is 2 to 60 latin letters, digits and dashes, not starting or ending with a dash",
        ))
    }
}

/// `wanted` if no other location has it, else the first free `wanted-N`; a slug the owner
/// typed must be free as it is.
async fn free_slug(
    tx: &Tx<'_>,
    wanted: &str,
    typed: bool,
    except: Option<i64>,
) -> AppResult<String> {
    // A venue has a handful of locations: their slugs are read whole, no pattern is matched.
    let taken: Vec<String> = location::Entity::find()
        .all(tx.db())
        .await?
        .into_iter()
        .filter(|l| Some(l.id) != except && l.slug.starts_with(wanted))
        .map(|l| l.slug)
        .collect();
    if typed && taken.iter().any(|t| t == wanted) {
        return Err(AppError::validation(
            "input.slug",
            format!("адрес «{wanted}» уже занят другой локацией"),
            format!("the address `{wanted}` is taken by another location"),
        ));
    }
    Ok(migration::slug::unique(wanted, |s| {
        taken.iter().any(|t| t == s)
    }))
}

pub async fn list(
    state: &AppState,
    include_inactive: bool,
    page: Page,
) -> AppResult<(Vec<location::Model>, PageInfo)> {
    let mut select = location::Entity::find().order_by_asc(location::Column::Name);
    if !include_inactive {
        select = select.filter(location::Column::Active.eq(true));
    }
    fetch_page(&state.db, select, page).await
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: CreateLocationInput,
) -> AppResult<location::Model> {
    let name = text::required("input.name", &input.name, 200)?;
    let address = text::required("input.address", &input.address, 500)?;
    let timezone = match &input.timezone {
        Some(tz) => Timezone::parse("input.timezone", tz)?.name().to_owned(),
        None => organisation::get(&state.db).await?.default_timezone,
    };
    let now = state.clock.now();
    state
        .write(caller, |tx| {
            let address = address.clone();
            let name = name.clone();
            let timezone = timezone.clone();
            Box::pin(async move {
                // The page's address comes from the name; an owner may change it later.
                let slug = free_slug(tx, &migration::slug::slugify(&name), false, None).await?;
                let created = location::ActiveModel {
                    name: Set(name),
                    slug: Set(slug),
                    address: Set(address),
                    timezone: Set(timezone),
                    active: Set(true),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                tx.audit(
                    "location.create",
                    "location",
                    Some(created.id),
                    json!({ "name": created.name, "timezone": created.timezone }),
                )
                .await?;
                Ok(created)
            })
        })
        .await
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: UpdateLocationInput,
) -> AppResult<location::Model> {
    let current = get(state, id).await?;
    let mut model: location::ActiveModel = current.into();
    if let Some(name) = &input.name {
        model.name = Set(text::required("input.name", name, 200)?);
    }
    if let Some(address) = &input.address {
        model.address = Set(text::required("input.address", address, 500)?);
    }
    if let Some(tz) = &input.timezone {
        model.timezone = Set(Timezone::parse("input.timezone", tz)?.name().to_owned());
    }
    if let Some(active) = input.active {
        model.active = Set(active);
    }
    let typed = input.slug.as_deref().map(typed_slug).transpose()?;
    model.updated_at = Set(state.clock.now());
    state
        .write(caller, |tx| {
            let mut model = model.clone();
            let typed = typed.clone();
            Box::pin(async move {
                if let Some(slug) = &typed {
                    model.slug = Set(free_slug(tx, slug, true, Some(id)).await?);
                }
                let updated = model.update(tx.db()).await?;
                tx.audit(
                    "location.update",
                    "location",
                    Some(id),
                    json!({ "name": updated.name, "slug": updated.slug, "address": updated.address, "timezone": updated.timezone, "active": updated.active }),
                )
                .await?;
                Ok(updated)
            })
        })
        .await
}

/// Minutes since the start of the weekday's Monday, as a half-open range; an interval that
/// closes at or before it opens runs into the next day.
fn week_minutes(weekday: i32, opens: NaiveTime, closes: NaiveTime) -> (u32, u32) {
    let day = (weekday as u32 - 1) * 24 * 60;
    let open = opens.hour() * 60 + opens.minute();
    let close = closes.hour() * 60 + closes.minute();
    let end = if close <= open {
        close + 24 * 60
    } else {
        close
    };
    (day + open, day + end)
}

/// Checks a whole week of intervals: weekdays 1–7, no two intervals overlapping (intervals
/// past midnight included, Sunday night wrapping onto Monday).
pub fn check_week(hours: &[OpeningHoursInput]) -> AppResult<()> {
    const WEEK: u32 = 7 * 24 * 60;
    let mut ranges = Vec::with_capacity(hours.len() * 2);
    for (i, h) in hours.iter().enumerate() {
        if !(1..=7).contains(&h.weekday) {
            return Err(AppError::validation(
                format!("hours[{i}].weekday"),
                format!(
                    "день недели должен быть от 1 (пн) до 7 (вс), получено {}",
                    h.weekday
                ),
                format!(
                    "weekday must be 1 (Monday) to 7 (Sunday), got {}",
                    h.weekday
                ),
            ));
        }
        let (start, end) = week_minutes(h.weekday, h.opens_at, h.closes_at);
        ranges.push((start, end.min(WEEK), i));
        if end > WEEK {
            ranges.push((0, end - WEEK, i));
        }
    }
    ranges.sort_unstable();
    for pair in ranges.windows(2) {
        let ((_, a_end, a), (b_start, _, b)) = (pair[0], pair[1]);
        if b_start < a_end {
            return Err(AppError::validation(
                format!("hours[{}]", a.max(b)),
                format!(
                    "интервалы hours[{}] и hours[{}] пересекаются",
                    a.min(b),
                    a.max(b)
                ),
                format!(
                    "intervals hours[{}] and hours[{}] overlap",
                    a.min(b),
                    a.max(b)
                ),
            ));
        }
    }
    Ok(())
}

/// Replaces the location's week of opening hours.
pub async fn set_opening_hours(
    state: &AppState,
    caller: &Caller,
    location_id: i64,
    hours: Vec<OpeningHoursInput>,
) -> AppResult<Vec<opening_hours::Model>> {
    get(state, location_id).await?;
    check_week(&hours)?;
    let hours = &hours;
    let mut saved = state
        .write(caller, |tx| {
            Box::pin(async move {
                opening_hours::Entity::delete_many()
                    .filter(opening_hours::Column::LocationId.eq(location_id))
                    .exec(tx.db())
                    .await?;
                let mut saved = Vec::with_capacity(hours.len());
                for h in hours {
                    let row = opening_hours::ActiveModel {
                        location_id: Set(location_id),
                        weekday: Set(h.weekday as i16),
                        opens_at: Set(h.opens_at),
                        closes_at: Set(h.closes_at),
                        ..Default::default()
                    }
                    .insert(tx.db())
                    .await?;
                    saved.push(row);
                }
                let summary: Vec<_> = saved
                    .iter()
                    .map(|h| {
                        json!([
                            h.weekday,
                            h.opens_at.format("%H:%M").to_string(),
                            h.closes_at.format("%H:%M").to_string()
                        ])
                    })
                    .collect();
                tx.audit(
                    "location.set_hours",
                    "location",
                    Some(location_id),
                    json!({ "hours": summary }),
                )
                .await?;
                Ok(saved)
            })
        })
        .await?;
    saved.sort_by_key(|h| (h.weekday, h.opens_at));
    Ok(saved)
}

/// Adds or replaces the holiday of a date.
pub async fn set_holiday(
    state: &AppState,
    caller: &Caller,
    location_id: i64,
    input: HolidayInput,
) -> AppResult<holiday::Model> {
    get(state, location_id).await?;
    let name = text::required("input.name", &input.name, 200)?;
    if input.opens_at.is_some() != input.closes_at.is_some() {
        return Err(AppError::validation(
            "input.closesAt",
            "укажите и время открытия, и время закрытия, или ни одно (выходной)",
            "give both opening and closing time, or neither for a closed day",
        ));
    }
    state
        .write(caller, |tx| {
            let name = name.clone();
            Box::pin(async move {
                let existing = holiday::Entity::find()
                    .filter(holiday::Column::LocationId.eq(location_id))
                    .filter(holiday::Column::Date.eq(input.date))
                    .one(tx.db())
                    .await?;
                let saved = match existing {
                    Some(row) => {
                        let mut model: holiday::ActiveModel = row.into();
                        model.name = Set(name);
                        model.opens_at = Set(input.opens_at);
                        model.closes_at = Set(input.closes_at);
                        model.update(tx.db()).await?
                    }
                    None => {
                        holiday::ActiveModel {
                            location_id: Set(location_id),
                            date: Set(input.date),
                            name: Set(name),
                            opens_at: Set(input.opens_at),
                            closes_at: Set(input.closes_at),
                            ..Default::default()
                        }
                        .insert(tx.db())
                        .await?
                    }
                };
                tx.audit(
                    "location.set_holiday",
                    "location",
                    Some(location_id),
                    json!({ "date": saved.date.to_string(), "name": saved.name, "closed": saved.opens_at.is_none() }),
                )
                .await?;
                Ok(saved)
            })
        })
        .await
}

pub async fn delete_holiday(state: &AppState, caller: &Caller, id: i64) -> AppResult<()> {
    let row = holiday::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("Праздничный день", "Holiday", id))?;
    state
        .write(caller, |tx| {
            let row = row.clone();
            Box::pin(async move {
                holiday::Entity::delete_by_id(id).exec(tx.db()).await?;
                tx.audit(
                    "location.delete_holiday",
                    "location",
                    Some(row.location_id),
                    json!({ "date": row.date.to_string(), "name": row.name }),
                )
                .await?;
                Ok(())
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(weekday: i32, opens: &str, closes: &str) -> OpeningHoursInput {
        OpeningHoursInput {
            weekday,
            opens_at: NaiveTime::parse_from_str(opens, "%H:%M").unwrap(),
            closes_at: NaiveTime::parse_from_str(closes, "%H:%M").unwrap(),
        }
    }

    #[test]
    fn a_normal_week_and_a_round_the_clock_week_pass() {
        let week: Vec<_> = (1..=7).map(|d| h(d, "10:00", "22:00")).collect();
        assert!(check_week(&week).is_ok());
        let club: Vec<_> = (1..=7).map(|d| h(d, "00:00", "00:00")).collect();
        assert!(check_week(&club).is_ok());
        let split = [h(1, "09:00", "13:00"), h(1, "14:00", "18:00")];
        assert!(check_week(&split).is_ok());
    }

    #[test]
    fn overlaps_and_bad_weekdays_are_named() {
        let err = check_week(&[h(1, "09:00", "13:00"), h(1, "12:00", "18:00")]).unwrap_err();
        assert!(matches!(err, AppError::Validation { ref field, .. } if field == "hours[1]"));
        // Friday night past midnight runs into Saturday morning.
        assert!(check_week(&[h(5, "20:00", "04:00"), h(6, "03:00", "10:00")]).is_err());
        // Sunday night wraps onto Monday.
        assert!(check_week(&[h(7, "20:00", "06:00"), h(1, "05:00", "10:00")]).is_err());
        let err = check_week(&[h(8, "09:00", "10:00")]).unwrap_err();
        assert!(
            matches!(err, AppError::Validation { ref field, .. } if field == "hours[0].weekday")
        );
    }
}

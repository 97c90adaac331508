//! Tariffs (with their windows and packages) and promotions: what the club sells play time by.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime};
use entity::{
    enums::{PromotionKind, Rounding},
    promotion, tariff, tariff_package, tariff_window, zone,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;

use super::pricing::TariffRules;
use crate::{
    auth::actor::Caller,
    domain::text,
    error::{AppError, AppResult},
    state::AppState,
};

/// A checked tariff window.
pub struct WindowSpec {
    pub name: String,
    pub weekdays: Vec<i32>,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
    pub price_per_hour: i64,
}

/// A checked tariff.
pub struct TariffSpec {
    pub name: String,
    pub price_per_hour: i64,
    pub step_minutes: i32,
    pub rounding: Rounding,
    pub active: bool,
    pub windows: Vec<WindowSpec>,
}

/// A checked promotion.
pub struct PromotionSpec {
    pub name: String,
    pub kind: PromotionKind,
    pub pay_minutes: Option<i32>,
    pub free_minutes: Option<i32>,
    pub percent: Option<i32>,
    pub price_per_hour: Option<i64>,
    pub weekdays: Vec<i32>,
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub zone_ids: Vec<i64>,
    pub active: bool,
}

/// The largest hourly price accepted, in minor units.
const MAX_PRICE: i64 = 10_000_000_000;

fn price(field: &str, value: i64) -> AppResult<i64> {
    if (0..=MAX_PRICE).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::validation(
            field,
            "цена от 0 до 100 000 000",
            "the price is 0 to 100,000,000",
        ))
    }
}

/// Weekdays as a bit mask; an empty list means every day.
fn weekday_mask(field: &str, days: &[i32]) -> AppResult<i16> {
    if days.is_empty() {
        return Ok(0x7f);
    }
    let mut mask = 0i16;
    for &d in days {
        if !(1..=7).contains(&d) {
            return Err(AppError::validation(
                field,
                format!("день недели — число от 1 (понедельник) до 7 (воскресенье), получено {d}"),
                format!("a weekday is 1 (Monday) to 7 (Sunday), got {d}"),
            ));
        }
        mask |= 1 << (d - 1);
    }
    Ok(mask)
}

/// The weekdays of a mask, 1 = Monday.
pub fn weekdays_of(mask: i16) -> Vec<i32> {
    (1..=7).filter(|d| mask & (1 << (d - 1)) != 0).collect()
}

async fn zone_of(state: &AppState, zone_id: i64) -> AppResult<zone::Model> {
    zone::Entity::find_by_id(zone_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("Зона", "Zone", zone_id))
}

pub async fn get_tariff<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<tariff::Model> {
    tariff::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Тариф", "Tariff", id))
}

pub async fn get_package<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> AppResult<tariff_package::Model> {
    tariff_package::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Пакет", "Package", id))
}

fn check_tariff(spec: &TariffSpec) -> AppResult<()> {
    price("input.pricePerHour", spec.price_per_hour)?;
    if !(1..=60).contains(&spec.step_minutes) {
        return Err(AppError::validation(
            "input.stepMinutes",
            "шаг тарификации — от 1 до 60 минут",
            "the billing step is 1 to 60 minutes",
        ));
    }
    for (i, w) in spec.windows.iter().enumerate() {
        price(
            &format!("input.windows[{i}].pricePerHour"),
            w.price_per_hour,
        )?;
        weekday_mask(&format!("input.windows[{i}].weekdays"), &w.weekdays)?;
        text::required(&format!("input.windows[{i}].name"), &w.name, 100)?;
        if w.starts_at == w.ends_at {
            return Err(AppError::validation(
                format!("input.windows[{i}].endsAt"),
                "окно не может начинаться и заканчиваться в одно время",
                "a window cannot start and end at the same time",
            ));
        }
    }
    Ok(())
}

async fn write_windows<C: ConnectionTrait>(
    conn: &C,
    tariff_id: i64,
    windows: &[WindowSpec],
) -> AppResult<()> {
    tariff_window::Entity::delete_many()
        .filter(tariff_window::Column::TariffId.eq(tariff_id))
        .exec(conn)
        .await?;
    for (position, w) in windows.iter().enumerate() {
        tariff_window::ActiveModel {
            tariff_id: Set(tariff_id),
            name: Set(w.name.trim().to_owned()),
            weekdays: Set(weekday_mask("input.windows", &w.weekdays)?),
            starts_at: Set(w.starts_at),
            ends_at: Set(w.ends_at),
            price_per_hour: Set(w.price_per_hour),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

pub async fn create_tariff(
    state: &AppState,
    caller: &Caller,
    zone_id: i64,
    spec: TariffSpec,
) -> AppResult<tariff::Model> {
    let zone = zone_of(state, zone_id).await?;
    check_tariff(&spec)?;
    let name = text::required("input.name", &spec.name, 100)?;
    let (spec, name) = (&spec, &name);
    state
        .write(caller, |tx| {
            let row = tariff::ActiveModel {
                location_id: Set(zone.location_id),
                zone_id: Set(zone.id),
                name: Set(name.clone()),
                price_per_hour: Set(spec.price_per_hour),
                step_minutes: Set(spec.step_minutes),
                rounding: Set(spec.rounding),
                active: Set(spec.active),
                created_at: Set(tx.now()),
                updated_at: Set(tx.now()),
                ..Default::default()
            };
            Box::pin(async move {
                let row = row.insert(tx.db()).await?;
                write_windows(tx.db(), row.id, &spec.windows).await?;
                tx.audit(
                    "tariff.create",
                    "tariff",
                    Some(row.id),
                    json!({ "zoneId": zone_id, "name": row.name, "pricePerHour": row.price_per_hour, "windows": spec.windows.len() }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// Replaces a tariff's terms and windows. Sessions already running are billed by the new
/// terms when they stop; finished sessions keep their stored breakdown.
pub async fn update_tariff(
    state: &AppState,
    caller: &Caller,
    id: i64,
    spec: TariffSpec,
) -> AppResult<tariff::Model> {
    let current = get_tariff(&state.db, id).await?;
    check_tariff(&spec)?;
    let mut model: tariff::ActiveModel = current.into();
    model.name = Set(text::required("input.name", &spec.name, 100)?);
    model.price_per_hour = Set(spec.price_per_hour);
    model.step_minutes = Set(spec.step_minutes);
    model.rounding = Set(spec.rounding);
    model.active = Set(spec.active);
    let spec = &spec;
    state
        .write(caller, |tx| {
            let mut model = model.clone();
            model.updated_at = Set(tx.now());
            Box::pin(async move {
                let row = model.update(tx.db()).await?;
                write_windows(tx.db(), id, &spec.windows).await?;
                tx.audit(
                    "tariff.update",
                    "tariff",
                    Some(id),
                    json!({ "name": row.name, "pricePerHour": row.price_per_hour, "active": row.active, "windows": spec.windows.len() }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

#[allow(clippy::too_many_arguments)]
pub async fn add_package(
    state: &AppState,
    caller: &Caller,
    tariff_id: i64,
    name: &str,
    package_price: i64,
    minutes: Option<i32>,
    window: Option<(NaiveTime, NaiveTime)>,
) -> AppResult<tariff_package::Model> {
    get_tariff(&state.db, tariff_id).await?;
    let name = text::required("input.name", name, 100)?;
    price("input.price", package_price)?;
    match (minutes, window) {
        (Some(m), None) if (1..=24 * 60).contains(&m) => {}
        (None, Some((starts, ends))) if starts != ends => {}
        _ => {
            return Err(AppError::validation(
                "input.minutes",
                "пакет — это либо длительность от 1 минуты до суток, либо окно «с — по»",
                "a package is either a duration of 1 minute to a day, or a from–to window",
            ));
        }
    }
    let row = tariff_package::ActiveModel {
        tariff_id: Set(tariff_id),
        name: Set(name),
        price: Set(package_price),
        minutes: Set(minutes),
        window_start: Set(window.map(|w| w.0)),
        window_end: Set(window.map(|w| w.1)),
        active: Set(true),
        ..Default::default()
    };
    state
        .write(caller, |tx| {
            let row = row.clone();
            Box::pin(async move {
                let row = row.insert(tx.db()).await?;
                tx.audit(
                    "tariff.package.create",
                    "tariff_package",
                    Some(row.id),
                    json!({ "tariffId": tariff_id, "name": row.name, "price": package_price }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

pub async fn set_package_active(
    state: &AppState,
    caller: &Caller,
    id: i64,
    active: bool,
) -> AppResult<tariff_package::Model> {
    let current = get_package(&state.db, id).await?;
    let mut model: tariff_package::ActiveModel = current.into();
    model.active = Set(active);
    state
        .write(caller, |tx| {
            let model = model.clone();
            Box::pin(async move {
                let row = model.update(tx.db()).await?;
                tx.audit(
                    "tariff.package.set_active",
                    "tariff_package",
                    Some(id),
                    json!({ "active": active }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// One tariff of a location with its windows and packages.
pub async fn tariff<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
    id: i64,
) -> AppResult<(TariffRules, Vec<tariff_package::Model>)> {
    tariffs(conn, location_id, None)
        .await?
        .into_iter()
        .find(|(r, _)| r.tariff.id == id)
        .ok_or_else(|| AppError::not_found("Тариф", "Tariff", id))
}

/// Tariffs of a location (or one zone) with their windows and packages: three statements.
pub async fn tariffs<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
    zone_id: Option<i64>,
) -> AppResult<Vec<(TariffRules, Vec<tariff_package::Model>)>> {
    let mut select = tariff::Entity::find().filter(tariff::Column::LocationId.eq(location_id));
    if let Some(zone) = zone_id {
        select = select.filter(tariff::Column::ZoneId.eq(zone));
    }
    let rows = select.order_by_asc(tariff::Column::Id).all(conn).await?;
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    let mut windows: HashMap<i64, Vec<tariff_window::Model>> = HashMap::new();
    for w in tariff_window::Entity::find()
        .filter(tariff_window::Column::TariffId.is_in(ids.clone()))
        .all(conn)
        .await?
    {
        windows.entry(w.tariff_id).or_default().push(w);
    }
    let mut packages: HashMap<i64, Vec<tariff_package::Model>> = HashMap::new();
    for p in tariff_package::Entity::find()
        .filter(tariff_package::Column::TariffId.is_in(ids))
        .order_by_asc(tariff_package::Column::Id)
        .all(conn)
        .await?
    {
        packages.entry(p.tariff_id).or_default().push(p);
    }
    Ok(rows
        .into_iter()
        .map(|t| {
            let id = t.id;
            (
                TariffRules::new(t, windows.remove(&id).unwrap_or_default()),
                packages.remove(&id).unwrap_or_default(),
            )
        })
        .collect())
}

/// The tariff a session in `zone_id` gets when none is named: the zone's oldest active one.
pub fn default_tariff(
    rules: &[(TariffRules, Vec<tariff_package::Model>)],
    zone_id: i64,
) -> Option<&TariffRules> {
    rules
        .iter()
        .map(|(r, _)| r)
        .find(|r| r.tariff.zone_id == zone_id && r.tariff.active)
}

fn check_promotion(spec: &PromotionSpec) -> AppResult<i16> {
    let positive = |field: &str, v: Option<i32>, max: i32| match v {
        Some(v) if (1..=max).contains(&v) => Ok(()),
        _ => Err(AppError::validation(
            field,
            format!("нужно число от 1 до {max}"),
            format!("a number from 1 to {max} is needed"),
        )),
    };
    match spec.kind {
        PromotionKind::BonusTime => {
            positive("input.payMinutes", spec.pay_minutes, 24 * 60)?;
            positive("input.freeMinutes", spec.free_minutes, 24 * 60)?;
        }
        PromotionKind::Percent => positive("input.percent", spec.percent, 100)?,
        PromotionKind::FixedPrice => {
            price("input.pricePerHour", spec.price_per_hour.unwrap_or(-1))?;
        }
    }
    if spec.starts_at.is_some() != spec.ends_at.is_some()
        || spec.starts_at == spec.ends_at && spec.starts_at.is_some()
    {
        return Err(AppError::validation(
            "input.endsAt",
            "часы акции задаются парой «с — по» с разным временем",
            "promotion hours take both a start and a different end",
        ));
    }
    if let (Some(from), Some(to)) = (spec.valid_from, spec.valid_to)
        && to < from
    {
        return Err(AppError::validation(
            "input.validTo",
            "дата окончания раньше даты начала",
            "the end date is before the start date",
        ));
    }
    weekday_mask("input.weekdays", &spec.weekdays)
}

async fn check_zones(state: &AppState, location_id: i64, zone_ids: &[i64]) -> AppResult<()> {
    if zone_ids.is_empty() {
        return Ok(());
    }
    let found = zone::Entity::find()
        .filter(zone::Column::Id.is_in(zone_ids.to_vec()))
        .filter(zone::Column::LocationId.eq(location_id))
        .all(&state.db)
        .await?;
    if let Some(missing) = zone_ids.iter().find(|z| !found.iter().any(|f| f.id == **z)) {
        return Err(AppError::validation(
            "input.zoneIds",
            format!("зоны {missing} в этой локации нет"),
            format!("this location has no zone {missing}"),
        ));
    }
    Ok(())
}

fn promotion_model(spec: &PromotionSpec, mask: i16) -> AppResult<promotion::ActiveModel> {
    Ok(promotion::ActiveModel {
        name: Set(text::required("input.name", &spec.name, 100)?),
        kind: Set(spec.kind),
        pay_minutes: Set(spec.pay_minutes),
        free_minutes: Set(spec.free_minutes),
        percent: Set(spec.percent),
        price_per_hour: Set(spec.price_per_hour),
        weekdays: Set(mask),
        starts_at: Set(spec.starts_at),
        ends_at: Set(spec.ends_at),
        valid_from: Set(spec.valid_from),
        valid_to: Set(spec.valid_to),
        zone_ids: Set(json!(spec.zone_ids)),
        active: Set(spec.active),
        ..Default::default()
    })
}

pub async fn save_promotion(
    state: &AppState,
    caller: &Caller,
    existing: Option<i64>,
    location_id: i64,
    spec: PromotionSpec,
) -> AppResult<promotion::Model> {
    let mask = check_promotion(&spec)?;
    let mut model = promotion_model(&spec, mask)?;
    match existing {
        Some(id) => {
            let current = promotion::Entity::find_by_id(id)
                .one(&state.db)
                .await?
                .ok_or_else(|| AppError::not_found("Акция", "Promotion", id))?;
            check_zones(state, current.location_id, &spec.zone_ids).await?;
            model.id = Set(id);
            model.location_id = Set(current.location_id);
            model.created_at = Set(current.created_at);
        }
        None => {
            crate::venue::locations::get(state, location_id).await?;
            check_zones(state, location_id, &spec.zone_ids).await?;
            model.location_id = Set(location_id);
        }
    }
    let action = if existing.is_some() {
        "promotion.update"
    } else {
        "promotion.create"
    };
    state
        .write(caller, |tx| {
            let mut model = model.clone();
            model.updated_at = Set(tx.now());
            if existing.is_none() {
                model.created_at = Set(tx.now());
            }
            Box::pin(async move {
                let row = if existing.is_some() {
                    model.update(tx.db()).await?
                } else {
                    model.insert(tx.db()).await?
                };
                tx.audit(
                    action,
                    "promotion",
                    Some(row.id),
                    json!({ "name": row.name, "kind": row.kind, "active": row.active }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

pub async fn promotions<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
) -> AppResult<Vec<promotion::Model>> {
    Ok(promotion::Entity::find()
        .filter(promotion::Column::LocationId.eq(location_id))
        .order_by_asc(promotion::Column::Id)
        .all(conn)
        .await?)
}

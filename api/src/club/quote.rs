//! The price of a session before it starts: what `startSession` would take now for the same
//! PC, client, tariff and prepaid minutes or package. The terms are chosen as a start chooses
//! them (the zone's default tariff, a package of that tariff inside its window) and priced by
//! the same [`Rules::quote`] over the same one-part session, so the dialog's figure is the
//! charge: tariff windows crossed, the package, the promotion or personal discount that wins.

use chrono::{DateTime, Duration, Utc};
use entity::{
    enums::{SessionKind, SessionStatus},
    play_session, play_session_part, resource, tariff_package,
};
use sea_orm::{ConnectionTrait, EntityTrait};

use super::{
    catalog,
    pricing::{self, Quote, TariffRules},
    sessions::Rules,
};
use crate::{
    error::{AppError, AppResult},
    state::AppState,
};

/// What a start would be asked for, without the guest's name, the payment method or the key.
#[derive(Debug, Clone)]
pub struct QuoteSpec {
    pub resource_id: i64,
    pub client_id: Option<i64>,
    pub tariff_id: Option<i64>,
    pub prepaid_minutes: Option<i32>,
    pub package_id: Option<i64>,
}

/// A start priced: the terms it would run under and what it would cost.
#[derive(Debug, Clone)]
pub struct StartQuote {
    pub tariff: TariffRules,
    pub package: Option<tariff_package::Model>,
    pub started_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub quote: Quote,
}

/// Prices a prepaid start on `spec.resource_id` at the business clock's now.
pub async fn start(state: &AppState, spec: QuoteSpec) -> AppResult<StartQuote> {
    check_time(&spec)?;
    let now = state.clock.now();
    let db = &state.db;
    let pc = resource::Entity::find_by_id(spec.resource_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("ПК", "PC", spec.resource_id))?;
    let zone_id = pc.zone_id.ok_or_else(|| {
        AppError::validation(
            "input.resourceId",
            format!(
                "«{}» не входит ни в одну зону, поэтому у него нет тарифа",
                pc.name
            ),
            format!("`{}` is in no zone, so it has no tariff", pc.name),
        )
    })?;
    let rules = Rules::load(db, pc.location_id).await?;
    let tariff = choose_tariff(&rules, zone_id, spec.tariff_id)?;
    let discount = client_discount(db, spec.client_id).await?;
    let package = match spec.package_id {
        Some(id) => Some(choose_package(&rules, tariff, id, now)?),
        None => None,
    };
    let ends_at = match (package, spec.prepaid_minutes) {
        (Some(p), _) => pricing::package_end(p, now, rules.tz),
        (None, Some(m)) => now + Duration::minutes(i64::from(m)),
        // check_time refused a start with neither.
        (None, None) => now,
    };
    // The session and its first part as the start would write them.
    let session = play_session::Model {
        id: 0,
        location_id: pc.location_id,
        resource_id: pc.id,
        client_id: spec.client_id,
        guest_name: None,
        tariff_id: tariff.tariff.id,
        package_id: package.map(|p| p.id),
        booking_id: None,
        kind: SessionKind::Prepaid,
        status: SessionStatus::Active,
        started_at: now,
        ends_at: Some(ends_at),
        ended_at: None,
        stop_reason: None,
        warned_at: None,
        paid: 0,
        cost: None,
        promotion_id: None,
        breakdown: None,
        started_by: None,
        ended_by: None,
    };
    let part = play_session_part::Model {
        id: 0,
        session_id: 0,
        resource_id: pc.id,
        zone_id,
        tariff_id: tariff.tariff.id,
        started_at: now,
        ended_at: None,
    };
    let quote = rules.quote(&session, &[part], discount, now);
    Ok(StartQuote {
        tariff: tariff.clone(),
        package: package.cloned(),
        started_at: now,
        ends_at,
        quote,
    })
}

/// The same bounds a start puts on prepaid time; an open session has no price until its stop.
fn check_time(spec: &QuoteSpec) -> AppResult<()> {
    if let Some(m) = spec.prepaid_minutes
        && !(1..=24 * 60).contains(&m)
    {
        return Err(AppError::validation(
            "input.prepaidMinutes",
            "предоплата — от 1 минуты до суток",
            "prepaid time is 1 minute to a day",
        ));
    }
    match (spec.prepaid_minutes, spec.package_id) {
        (Some(_), Some(_)) => Err(AppError::validation(
            "input.packageId",
            "укажите либо минуты предоплаты, либо пакет",
            "give either prepaid minutes or a package, not both",
        )),
        (None, None) => Err(AppError::validation(
            "input.prepaidMinutes",
            "укажите минуты предоплаты или пакет: открытый сеанс считается при остановке",
            "give prepaid minutes or a package: an open session is priced when it stops",
        )),
        _ => Ok(()),
    }
}

fn choose_tariff(rules: &Rules, zone_id: i64, id: Option<i64>) -> AppResult<&TariffRules> {
    match id {
        Some(id) => rules
            .tariffs
            .iter()
            .map(|(r, _)| r)
            .find(|r| r.tariff.id == id && r.tariff.zone_id == zone_id && r.tariff.active)
            .ok_or_else(|| {
                AppError::validation(
                    "input.tariffId",
                    format!("тариф {id} не действует в зоне этого ПК"),
                    format!("tariff {id} is not active in this PC's zone"),
                )
            }),
        None => catalog::default_tariff(&rules.tariffs, zone_id).ok_or_else(|| {
            AppError::validation(
                "input.resourceId",
                "у зоны этого ПК нет действующего тарифа",
                "this PC's zone has no active tariff",
            )
        }),
    }
}

fn choose_package<'a>(
    rules: &'a Rules,
    tariff: &TariffRules,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<&'a tariff_package::Model> {
    let package = rules
        .tariffs
        .iter()
        .flat_map(|(_, p)| p.iter())
        .find(|p| p.id == id && p.tariff_id == tariff.tariff.id && p.active)
        .ok_or_else(|| {
            AppError::validation(
                "input.packageId",
                format!("пакет {id} не продаётся по этому тарифу"),
                format!("package {id} is not on sale under this tariff"),
            )
        })?;
    if !pricing::package_open_at(package, now.with_timezone(&rules.tz)) {
        return Err(AppError::validation(
            "input.packageId",
            format!(
                "пакет «{}» сейчас не продаётся: он действует в своё окно",
                package.name
            ),
            format!("package `{}` is sold only inside its window", package.name),
        ));
    }
    Ok(package)
}

/// The client's personal discount; an inactive client cannot start, so is refused here too.
async fn client_discount<C: ConnectionTrait>(conn: &C, client_id: Option<i64>) -> AppResult<i32> {
    let Some(id) = client_id else {
        return Ok(0);
    };
    let client = crate::clients::service::get(conn, id).await?;
    if !client.active {
        return Err(AppError::validation(
            "input.clientId",
            "клиент неактивен",
            "the client is inactive",
        ));
    }
    Ok(client.discount_percent)
}

//! Starting a session, prepaid or open, by hand or by the use of a booking.

use chrono::Duration;
use entity::{
    enums::{SessionKind, SessionStatus},
    play_session, play_session_part, resource,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::json;

use super::{
    Rules, StartSpec,
    checks::{check_free, pc_of, unique_busy, zone_of_pc},
    get,
    payment::charge,
    queries::discount_of,
};
use crate::{
    auth::actor::Caller,
    billing::idempotency::Claim,
    club::{
        catalog,
        live::{self, SessionEventKind},
        pricing,
    },
    domain::text,
    error::{AppError, AppResult},
    state::AppState,
    write::Tx,
};

pub async fn start(
    state: &AppState,
    caller: &Caller,
    spec: StartSpec,
    key: &str,
) -> AppResult<play_session::Model> {
    let guest_name = text::optional("input.guestName", spec.guest_name.as_deref(), 100)?;
    if let Some(m) = spec.prepaid_minutes
        && !(1..=24 * 60).contains(&m)
    {
        return Err(AppError::validation(
            "input.prepaidMinutes",
            "предоплата — от 1 минуты до суток",
            "prepaid time is 1 minute to a day",
        ));
    }
    if spec.prepaid_minutes.is_some() && spec.package_id.is_some() {
        return Err(AppError::validation(
            "input.packageId",
            "укажите либо минуты предоплаты, либо пакет",
            "give either prepaid minutes or a package, not both",
        ));
    }
    let claim = Claim::new(key, "session.start", &spec)?;
    let (spec, guest_name) = (&spec, &guest_name);
    // The key's answer is the session's id: a repeat reads the session as it is now.
    let id = state
        .write_once(caller, &claim, |tx| {
            Box::pin(async move {
                let pc = pc_of(tx.db(), spec.resource_id).await?;
                let (session, changed) =
                    begin(tx, state, &pc, spec, guest_name.clone(), None).await?;
                live::announce(tx, &changed).await?;
                live::announce_session(tx, SessionEventKind::Started, &session).await?;
                Ok(session.id)
            })
        })
        .await?;
    get(&state.db, id).await
}

/// Starts one session inside the unit `tx`; shared by [`start`] and the use of a booking.
/// Returns the session and the PCs whose status changed; the caller raises their events.
pub(crate) async fn begin(
    tx: &Tx<'_>,
    state: &AppState,
    pc: &resource::Model,
    spec: &StartSpec,
    guest_name: Option<String>,
    booking_id: Option<i64>,
) -> AppResult<(play_session::Model, Vec<resource::Model>)> {
    let (txn, caller, now) = (tx.db(), tx.caller(), tx.now());
    let zone_id = zone_of_pc(pc)?;
    let rules = Rules::load(txn, pc.location_id).await?;
    let tariff = match spec.tariff_id {
        Some(id) => rules
            .tariff(id)
            .filter(|t| t.tariff.zone_id == zone_id && t.tariff.active)
            .ok_or_else(|| {
                AppError::validation(
                    "input.tariffId",
                    format!("тариф {id} не действует в зоне этого ПК"),
                    format!("tariff {id} is not active in this PC's zone"),
                )
            })?,
        None => catalog::default_tariff(&rules.tariffs, zone_id).ok_or_else(|| {
            AppError::validation(
                "input.resourceId",
                "у зоны этого ПК нет действующего тарифа",
                "this PC's zone has no active tariff",
            )
        })?,
    };
    if let Some(id) = spec.client_id {
        let c = crate::clients::service::get(txn, id).await?;
        if !c.active {
            return Err(AppError::validation(
                "input.clientId",
                "клиент неактивен",
                "the client is inactive",
            ));
        }
    }
    let package = match spec.package_id {
        Some(id) => {
            let p = rules
                .package(id)
                .filter(|p| p.tariff_id == tariff.tariff.id && p.active)
                .ok_or_else(|| {
                    AppError::validation(
                        "input.packageId",
                        format!("пакет {id} не продаётся по этому тарифу"),
                        format!("package {id} is not on sale under this tariff"),
                    )
                })?;
            if !pricing::package_open_at(p, now.with_timezone(&rules.tz)) {
                return Err(AppError::validation(
                    "input.packageId",
                    format!(
                        "пакет «{}» сейчас не продаётся: он действует в своё окно",
                        p.name
                    ),
                    format!("package `{}` is sold only inside its window", p.name),
                ));
            }
            Some(p)
        }
        None => None,
    };
    let ends_at = match (package, spec.prepaid_minutes) {
        (Some(p), _) => Some(pricing::package_end(p, now, rules.tz)),
        (None, Some(m)) => Some(now + Duration::minutes(i64::from(m))),
        (None, None) => None,
    };
    check_free(
        txn,
        state,
        pc,
        now,
        ends_at.unwrap_or(now + Duration::minutes(1)),
        booking_id,
    )
    .await?;
    let session = play_session::ActiveModel {
        location_id: Set(pc.location_id),
        resource_id: Set(pc.id),
        client_id: Set(spec.client_id),
        guest_name: Set(guest_name),
        tariff_id: Set(tariff.tariff.id),
        package_id: Set(package.map(|p| p.id)),
        booking_id: Set(booking_id),
        kind: Set(if ends_at.is_some() {
            SessionKind::Prepaid
        } else {
            SessionKind::Open
        }),
        status: Set(SessionStatus::Active),
        started_at: Set(now),
        ends_at: Set(ends_at),
        paid: Set(0),
        started_by: Set(caller.actor.user_id()),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| unique_busy(e.into(), pc))?;
    let part = play_session_part::ActiveModel {
        session_id: Set(session.id),
        resource_id: Set(pc.id),
        zone_id: Set(zone_id),
        tariff_id: Set(tariff.tariff.id),
        started_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut session = session;
    if ends_at.is_some() {
        let discount = discount_of(txn, spec.client_id).await?;
        let quote = rules.quote(&session, &[part], discount, now);
        if charge(tx, &session, quote.total, spec.method)
            .await?
            .is_some()
        {
            let mut model: play_session::ActiveModel = session.into();
            model.paid = Set(quote.total);
            model.promotion_id = Set(quote.discount.as_ref().and_then(|d| d.promotion_id));
            session = model.update(txn).await?;
        }
    }
    let changed = live::refresh(tx, state, &[pc.id]).await?;
    tx.audit(
        "session.start",
        "play_session",
        Some(session.id),
        json!({ "resourceId": pc.id, "clientId": session.client_id, "kind": session.kind, "endsAt": session.ends_at, "paid": session.paid, "bookingId": booking_id }),
    )
    .await?;
    Ok((session, changed))
}

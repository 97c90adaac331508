//! Moving a session to another PC of its location.

use chrono::Duration;
use entity::{play_session, play_session_part};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::json;

use super::{
    Rules,
    checks::{check_free, pc_of, unique_busy, zone_of_pc},
    parts_of,
    queries::lock_session,
};
use crate::{
    auth::actor::Caller,
    club::{
        catalog,
        live::{self, SessionEventKind},
    },
    error::{AppError, AppResult},
    state::AppState,
    write::Tx,
};

/// Moves a session to another PC of the location. A move into another zone continues under
/// that zone's tariff.
pub async fn move_to(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    resource_id: i64,
) -> AppResult<play_session::Model> {
    state
        .write(caller, |tx| {
            Box::pin(move_in(tx, state, session_id, resource_id))
        })
        .await
}

async fn move_in(
    tx: &Tx<'_>,
    state: &AppState,
    session_id: i64,
    resource_id: i64,
) -> AppResult<play_session::Model> {
    let txn = tx.db();
    let session = lock_session(txn, session_id).await?;
    let from_pc = session.resource_id;
    if from_pc == resource_id {
        return Err(AppError::validation(
            "input.resourceId",
            "сеанс уже идёт на этом ПК",
            "the session is already on this PC",
        ));
    }
    let target = pc_of(txn, resource_id).await?;
    if target.location_id != session.location_id {
        return Err(AppError::validation(
            "input.resourceId",
            "ПК в другой локации",
            "the PC is at another location",
        ));
    }
    let now = tx.now();
    check_free(
        txn,
        state,
        &target,
        now,
        session.ends_at.unwrap_or(now + Duration::minutes(1)),
        None,
    )
    .await?;
    let zone_id = zone_of_pc(&target)?;
    let parts = parts_of(txn, vec![session.id]).await?;
    let current = parts.last().cloned();
    let tariff_id = match &current {
        Some(part) if part.zone_id == zone_id => part.tariff_id,
        _ => {
            let rules = Rules::load(txn, session.location_id).await?;
            catalog::default_tariff(&rules.tariffs, zone_id)
                .map(|t| t.tariff.id)
                .ok_or_else(|| {
                    AppError::validation(
                        "input.resourceId",
                        "у зоны этого ПК нет действующего тарифа",
                        "this PC's zone has no active tariff",
                    )
                })?
        }
    };
    if let Some(part) = current {
        let mut model: play_session_part::ActiveModel = part.into();
        model.ended_at = Set(Some(now));
        model.update(txn).await?;
    }
    play_session_part::ActiveModel {
        session_id: Set(session.id),
        resource_id: Set(target.id),
        zone_id: Set(zone_id),
        tariff_id: Set(tariff_id),
        started_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut model: play_session::ActiveModel = session.into();
    model.resource_id = Set(target.id);
    let updated = model
        .update(txn)
        .await
        .map_err(|e| unique_busy(e.into(), &target))?;
    let changed = live::refresh(tx, state, &[from_pc, target.id]).await?;
    tx.audit(
        "session.move",
        "play_session",
        Some(updated.id),
        json!({ "from": from_pc, "to": target.id, "tariffId": tariff_id }),
    )
    .await?;
    live::announce(tx, &changed).await?;
    live::announce_session(tx, SessionEventKind::Moved, &updated).await?;
    Ok(updated)
}

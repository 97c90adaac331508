//! The client has come: a booking's PCs start their sessions.

use chrono::Duration;
use entity::{enums::BookingStatus, play_session, resource};
use sea_orm::EntityTrait;
use serde_json::json;

use super::{
    close::{close, not_active},
    get, seats_of,
};
use crate::{
    auth::actor::Caller,
    club::{
        live::{self, SessionEventKind},
        sessions::{self, StartSpec},
    },
    error::{AppError, AppResult},
    state::AppState,
    write::Tx,
};

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

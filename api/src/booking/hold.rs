//! Holding a slot for a short time while its client confirms.
//!
//! A hold takes two named locks in the hold store, the specialist at the start time and the
//! room at the start time, so a second hold of the same slot is refused at once. Holds of
//! overlapping slots that start at other times are caught by comparing the blocked time of
//! the live holds right after. Neither is the last word: the database refuses overlapping
//! appointments whatever the holds say.

use crate::domain::timezone;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    availability::{self, SlotQuery},
    live::{self, SlotChange, SlotEvent},
    slots::Slot,
};
use crate::{
    auth::actor::{Actor, Caller},
    error::{AppError, AppResult, Msg},
    holds::HoldRecord,
    state::AppState,
};

/// Every appointment hold is in one group: a specialist may work at several locations.
const GROUP: &str = "appointments";

/// What a hold remembers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldPayload {
    pub location_id: i64,
    pub service_id: i64,
    pub specialist_id: i64,
    pub resource_id: Option<i64>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub blocked_from: DateTime<Utc>,
    pub blocked_to: DateTime<Utc>,
    /// Who took it; `None` for a visitor without a login, whose token is their proof.
    pub holder: Option<String>,
}

/// A live hold with its token.
#[derive(Debug, Clone)]
pub struct Held {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub slot: HoldPayload,
}

pub fn holder_of(actor: &Actor) -> Option<String> {
    match actor {
        Actor::User { id, .. } => Some(format!("user:{id}")),
        Actor::ApiKey { id, .. } => Some(format!("key:{id}")),
        Actor::Anonymous | Actor::System | Actor::Rule { .. } => None,
    }
}

fn decode(record: HoldRecord) -> Option<Held> {
    let slot = serde_json::from_value(record.payload).ok()?;
    Some(Held {
        token: record.token,
        expires_at: record.expires_at,
        slot,
    })
}

pub fn expired() -> AppError {
    AppError::HoldExpired(Msg::new(
        "Время брони слота истекло или бронь не найдена: выберите время заново",
        "The slot hold ran out or does not exist: pick a time again",
    ))
}

pub fn taken() -> AppError {
    AppError::SlotTaken(Msg::new(
        "Это время уже занято: выберите другое",
        "That time is already taken: pick another",
    ))
}

/// Live holds, after reporting the ones that ran out. Holds are advisory: with the hold store
/// away (Redis down) the free slots are worked out without them rather than not at all, and
/// the database still refuses a double booking at confirm.
pub async fn live(state: &AppState) -> AppResult<Vec<HoldPayload>> {
    let listed = match sweep(state).await {
        Ok(_) => state.holds.list(GROUP).await,
        Err(err) => Err(err),
    };
    match listed {
        Ok(records) => Ok(records
            .into_iter()
            .filter_map(decode)
            .map(|h| h.slot)
            .collect()),
        Err(AppError::Away { cause, .. }) => {
            tracing::warn!(%cause, "hold store away: slots listed without holds");
            Ok(Vec::new())
        }
        Err(err) => Err(err),
    }
}

/// Reports holds that ran out unconfirmed; returns how many.
pub async fn sweep(state: &AppState) -> AppResult<usize> {
    let lapsed = state.holds.sweep().await?;
    let count = lapsed.len();
    let events: Vec<SlotEvent> = lapsed
        .into_iter()
        .filter_map(decode)
        .map(|held| event(SlotChange::Expired, &held.slot))
        .collect();
    live::announce_holds(state, &Caller::system(), &events).await;
    Ok(count)
}

/// Sweeps once a second, so a hold that runs out is announced even when nobody asks.
pub fn spawn_sweeper(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(crate::db::uncounted(async move {
        let mut tick = tokio::time::interval(StdDuration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(err) = sweep(&state).await {
                tracing::warn!(%err, "hold sweep failed");
            }
        }
    }))
}

pub fn event(kind: SlotChange, slot: &HoldPayload) -> SlotEvent {
    SlotEvent {
        kind,
        location_id: slot.location_id,
        service_id: Some(slot.service_id),
        specialist_id: Some(slot.specialist_id),
        resource_id: slot.resource_id,
        starts_at: slot.starts_at,
        ends_at: slot.ends_at,
    }
}

pub struct HoldSpec {
    pub location_id: i64,
    pub service_id: i64,
    pub specialist_id: i64,
    pub starts_at: DateTime<Utc>,
}

fn specialist_lock(specialist_id: i64, starts_at: DateTime<Utc>) -> String {
    format!("specialist:{specialist_id}:{}", starts_at.timestamp())
}

/// Holds a free slot for the configured time.
pub async fn hold_slot(state: &AppState, caller: &Caller, spec: HoldSpec) -> AppResult<Held> {
    if spec.starts_at <= state.clock.now() {
        return Err(AppError::validation(
            "input.startsAt",
            "это время уже прошло: выберите время в будущем",
            "that time has passed: pick a time in the future",
        ));
    }
    // When many ask for one slot at once they take turns here; once one has it, the rest are
    // refused before the slot is worked out. The locks below still decide.
    let lock = specialist_lock(spec.specialist_id, spec.starts_at);
    let mut turn = state.hold_gate.enter(&lock).await;
    if *turn || state.holds.is_held(&lock).await? {
        return Err(taken());
    }
    let loc = crate::venue::locations::get(state, spec.location_id).await?;
    let tz = availability::timezone(&loc)?;
    let svc = availability::bookable_service(&state.db, spec.location_id, spec.service_id).await?;
    let day = timezone::local_date(tz, spec.starts_at);
    let free = availability::find(
        state,
        &SlotQuery {
            location_id: spec.location_id,
            service_id: spec.service_id,
            specialist_id: Some(spec.specialist_id),
            from: day,
            to: day,
            ignore_appointment: None,
        },
    )
    .await?;
    let slot: Slot = free
        .into_iter()
        .find(|s| s.starts_at == spec.starts_at && s.specialist_id == spec.specialist_id)
        .ok_or_else(taken)?;
    let (blocked_from, blocked_to) = availability::shape(&svc).blocked(slot.starts_at);
    let payload = HoldPayload {
        location_id: spec.location_id,
        service_id: svc.id,
        specialist_id: slot.specialist_id,
        resource_id: slot.resource_id,
        starts_at: slot.starts_at,
        ends_at: slot.ends_at,
        blocked_from,
        blocked_to,
        holder: holder_of(&caller.actor),
    };
    let mut locks = vec![specialist_lock(slot.specialist_id, slot.starts_at)];
    if let Some(room) = slot.resource_id {
        locks.push(format!("room:{room}:{}", slot.starts_at.timestamp()));
    }
    let ttl = StdDuration::from_secs(state.settings.hold_seconds.max(1));
    let record = state
        .holds
        .acquire(
            GROUP,
            locks,
            serde_json::to_value(&payload).map_err(AppError::internal)?,
            ttl,
        )
        .await?
        .ok_or_else(taken)?;
    // Another hold that overlaps without sharing the start time.
    let clash = state
        .holds
        .list(GROUP)
        .await?
        .into_iter()
        .filter(|h| h.token != record.token)
        .filter_map(decode)
        .any(|h| {
            let same = h.slot.specialist_id == payload.specialist_id
                || (payload.resource_id.is_some() && h.slot.resource_id == payload.resource_id);
            same && h.slot.blocked_from < payload.blocked_to
                && h.slot.blocked_to > payload.blocked_from
        });
    if clash {
        state.holds.release(&record.token).await?;
        return Err(taken());
    }
    *turn = true;
    drop(turn);
    live::announce_holds(state, caller, &[event(SlotChange::Held, &payload)]).await;
    Ok(Held {
        token: record.token,
        expires_at: record.expires_at,
        slot: payload,
    })
}

/// The live hold of a token, if the caller may use it.
pub async fn claim(state: &AppState, caller: &Caller, token: &str) -> AppResult<Held> {
    let held = state
        .holds
        .get(token.trim())
        .await?
        .and_then(decode)
        .ok_or_else(expired)?;
    if let Some(holder) = &held.slot.holder
        && holder_of(&caller.actor).as_deref() != Some(holder.as_str())
    {
        return Err(AppError::Forbidden(Msg::new(
            "Этот слот удерживает другой пользователь",
            "Another user holds this slot",
        )));
    }
    Ok(held)
}

/// Lets a hold go before it runs out.
pub async fn release(state: &AppState, caller: &Caller, token: &str) -> AppResult<()> {
    let held = claim(state, caller, token).await?;
    if state.holds.release(&held.token).await?.is_some() {
        live::announce_holds(state, caller, &[event(SlotChange::Released, &held.slot)]).await;
    }
    Ok(())
}

/// Ends a hold that was confirmed, after the unit of work of its booking has committed (that
/// unit raised the booking's event).
/// The booking stands either way: a hold store that cannot be reached now lets the hold run out
/// by itself, and the request still answers with its booking.
pub async fn consume(state: &AppState, token: &str) -> AppResult<()> {
    match state.holds.release(token).await {
        Ok(_) => Ok(()),
        Err(AppError::Away { cause, .. }) => {
            tracing::warn!(%cause, "a confirmed hold is left to run out");
            Ok(())
        }
        Err(err) => Err(err),
    }
}

//! Stopping a session: by hand, taking what is still due, or by itself when prepaid time runs
//! out.

use chrono::{DateTime, Utc};
use entity::{
    enums::{PaymentMethod, SessionStatus, StopReason},
    play_session, play_session_part, resource,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde::Serialize;
use serde_json::json;

use super::{
    Rules, get, parts_of,
    payment::charge,
    queries::{discount_of, lock_session},
};
use crate::{
    auth::actor::Caller,
    billing::idempotency::Claim,
    club::live::{self, SessionEventKind},
    error::{AppError, AppResult},
    state::AppState,
    write::Tx,
};

#[derive(Serialize)]
struct StopRequest {
    session_id: i64,
    method: Option<PaymentMethod>,
}

/// Stops a session by hand and takes what is still due.
pub async fn stop(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    method: Option<PaymentMethod>,
    key: &str,
) -> AppResult<play_session::Model> {
    let request = StopRequest { session_id, method };
    let claim = Claim::new(key, "session.stop", &request)?;
    let id = state
        .write_once(caller, &claim, |tx| {
            Box::pin(async move {
                let session = lock_session(tx.db(), session_id).await?;
                let at = tx.now();
                let (session, changed) =
                    finish(tx, state, session, at, StopReason::Operator, method).await?;
                live::announce(tx, &changed).await?;
                live::announce_session(tx, SessionEventKind::Ended, &session).await?;
                Ok(session.id)
            })
        })
        .await?;
    get(&state.db, id).await
}

/// Ends a prepaid session whose time ran out, as of its end. Returns None when another
/// process got there first.
pub async fn time_up(state: &AppState, session_id: i64) -> AppResult<Option<play_session::Model>> {
    let caller = Caller::system();
    state
        .write(&caller, |tx| {
            Box::pin(async move {
                let session = match lock_session(tx.db(), session_id).await {
                    Ok(s) => s,
                    Err(AppError::Conflict(_)) => return Ok(None),
                    Err(e) => return Err(e),
                };
                let Some(at) = session.ends_at else {
                    return Ok(None);
                };
                let (session, changed) =
                    finish(tx, state, session, at, StopReason::TimeUp, None).await?;
                live::announce(tx, &changed).await?;
                live::announce_session(tx, SessionEventKind::Ended, &session).await?;
                Ok(Some(session))
            })
        })
        .await
}

async fn finish(
    tx: &Tx<'_>,
    state: &AppState,
    session: play_session::Model,
    at: DateTime<Utc>,
    reason: StopReason,
    method: Option<PaymentMethod>,
) -> AppResult<(play_session::Model, Vec<resource::Model>)> {
    let (txn, caller) = (tx.db(), tx.caller());
    let rules = Rules::load(txn, session.location_id).await?;
    let parts = parts_of(txn, vec![session.id]).await?;
    let discount = discount_of(txn, session.client_id).await?;
    let quote = rules.quote(&session, &parts, discount, at);
    let due = quote.total - session.paid;
    // A time-up stop takes nothing: prepaid time was paid for when bought.
    if reason == StopReason::Operator {
        charge(tx, &session, due, method).await?;
    }
    if let Some(part) = parts.last() {
        let mut model: play_session_part::ActiveModel = part.clone().into();
        model.ended_at = Set(Some(at));
        model.update(txn).await?;
    }
    let pc = session.resource_id;
    let paid = session.paid
        + if reason == StopReason::Operator {
            due.max(0)
        } else {
            0
        };
    let mut model: play_session::ActiveModel = session.into();
    model.status = Set(SessionStatus::Finished);
    model.ended_at = Set(Some(at));
    model.stop_reason = Set(Some(reason));
    model.cost = Set(Some(quote.total));
    model.paid = Set(paid);
    model.promotion_id = Set(quote.discount.as_ref().and_then(|d| d.promotion_id));
    model.breakdown = Set(Some(
        serde_json::to_value(&quote).map_err(AppError::internal)?,
    ));
    model.ended_by = Set(caller.actor.user_id());
    let updated = model.update(txn).await?;
    let changed = live::refresh(tx, state, &[pc]).await?;
    tx.audit(
        "session.stop",
        "play_session",
        Some(updated.id),
        json!({ "reason": reason, "cost": quote.total, "paid": paid, "promotionId": updated.promotion_id }),
    )
    .await?;
    Ok((updated, changed))
}

//! Adding prepaid time to a session.

use chrono::Duration;
use entity::{enums::PaymentMethod, play_session};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde::Serialize;
use serde_json::json;

use super::{
    Rules,
    checks::{holding_seat, pc_of},
    get, parts_of,
    payment::charge,
    queries::{discount_of, lock_session},
};
use crate::{
    auth::actor::Caller,
    billing::idempotency::Claim,
    club::live::{self, SessionEventKind},
    error::{AppError, AppResult, Msg},
    state::AppState,
};

#[derive(Serialize)]
struct ExtendRequest {
    session_id: i64,
    minutes: i32,
    method: Option<PaymentMethod>,
}

/// Adds prepaid time and takes what it costs.
pub async fn extend(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    minutes: i32,
    method: Option<PaymentMethod>,
    key: &str,
) -> AppResult<play_session::Model> {
    if !(1..=24 * 60).contains(&minutes) {
        return Err(AppError::validation(
            "input.minutes",
            "продление — от 1 минуты до суток",
            "an extension is 1 minute to a day",
        ));
    }
    let request = ExtendRequest {
        session_id,
        minutes,
        method,
    };
    let claim = Claim::new(key, "session.extend", &request)?;
    let id = state
        .write_once(caller, &claim, |tx| {
            Box::pin(async move {
                let txn = tx.db();
                let session = lock_session(txn, session_id).await?;
                let Some(ends_at) = session.ends_at else {
                    return Err(AppError::validation(
                        "input.sessionId",
                        "открытый сеанс длится до остановки: продлевать нечего",
                        "an open session runs until stopped: there is nothing to extend",
                    ));
                };
                let now = tx.now();
                let new_end = ends_at.max(now) + Duration::minutes(i64::from(minutes));
                let pc = pc_of(txn, session.resource_id).await?;
                if let Some(seat) = holding_seat(txn, state, pc.id, ends_at, new_end, None).await? {
                    return Err(AppError::ResourceBooked(Msg::new(
                        format!(
                            "Продлить нельзя: «{}» забронирован (бронь {})",
                            pc.name, seat.booking_id
                        ),
                        format!(
                            "Cannot extend: `{}` is booked (booking {})",
                            pc.name, seat.booking_id
                        ),
                    )));
                }
                let rules = Rules::load(txn, session.location_id).await?;
                let parts = parts_of(txn, vec![session.id]).await?;
                let discount = discount_of(txn, session.client_id).await?;
                let mut longer = session.clone();
                longer.ends_at = Some(new_end);
                let quote = rules.quote(&longer, &parts, discount, now);
                let due = quote.total - session.paid;
                charge(tx, &session, due, method).await?;
                let mut model: play_session::ActiveModel = session.into();
                model.ends_at = Set(Some(new_end));
                model.warned_at = Set(None);
                model.paid = Set(quote.total.max(longer.paid));
                let updated = model.update(txn).await?;
                tx.audit(
                    "session.extend",
                    "play_session",
                    Some(updated.id),
                    json!({ "minutes": minutes, "endsAt": new_end, "charged": due.max(0) }),
                )
                .await?;
                live::announce_session(tx, SessionEventKind::Extended, &updated).await?;
                Ok(updated.id)
            })
        })
        .await?;
    get(&state.db, id).await
}

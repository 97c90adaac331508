//! Ending a booking's hold: cancelled by the desk, or a no-show after the grace period.

use chrono::{DateTime, Utc};
use entity::{enums::BookingStatus, pc_booking, pc_booking_seat};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{get, pcs_of};
use crate::{
    auth::actor::Caller,
    club::live,
    domain::text,
    error::{AppError, AppResult},
    state::AppState,
    write::Tx,
};

/// Ends a booking's hold: cancelled, used, or a no-show. Returns None when it was no longer
/// active (another process closed it first).
pub(super) async fn close(
    tx: &Tx<'_>,
    booking_id: i64,
    status: BookingStatus,
    now: DateTime<Utc>,
) -> AppResult<Option<(pc_booking::Model, Vec<i64>)>> {
    let txn = tx.db();
    let updated = pc_booking::Entity::update_many()
        .col_expr(
            pc_booking::Column::Status,
            sea_orm::sea_query::Expr::value(status),
        )
        .col_expr(
            pc_booking::Column::ClosedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(pc_booking::Column::Id.eq(booking_id))
        .filter(pc_booking::Column::Status.eq(BookingStatus::Active))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(None);
    }
    pc_booking_seat::Entity::update_many()
        .col_expr(
            pc_booking_seat::Column::Live,
            sea_orm::sea_query::Expr::value(false),
        )
        .filter(pc_booking_seat::Column::BookingId.eq(booking_id))
        .exec(txn)
        .await?;
    let pcs = pcs_of(txn, booking_id).await?;
    Ok(Some((get(txn, booking_id).await?, pcs)))
}

pub(super) fn not_active(booking: &pc_booking::Model) -> AppError {
    AppError::conflict(
        format!(
            "Бронь {} уже не активна ({})",
            booking.id,
            crate::domain::names::Named::ru(booking.status)
        ),
        format!(
            "Booking {} is no longer active ({})",
            booking.id,
            crate::domain::names::Named::en(booking.status)
        ),
    )
}

pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    id: i64,
    reason: Option<String>,
) -> AppResult<pc_booking::Model> {
    let reason = &text::optional("reason", reason.as_deref(), 500)?;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let booking = get(tx.db(), id).await?;
                let Some((closed, pcs)) = close(tx, id, BookingStatus::Cancelled, tx.now()).await?
                else {
                    return Err(not_active(&booking));
                };
                let changed = live::refresh(tx, state, &pcs).await?;
                tx.audit(
                    "booking.cancel",
                    "pc_booking",
                    Some(id),
                    json!({ "reason": reason }),
                )
                .await?;
                live::announce(tx, &changed).await?;
                Ok(closed)
            })
        })
        .await
}

/// Marks a booking nobody came to; the ticker calls it after the grace period. It is dated
/// `at`, the end of the grace period, whether the ticker ran then or caught up later (after
/// a restart, say), like a session that ran out is stopped as of its end.
pub async fn no_show(
    state: &AppState,
    id: i64,
    at: DateTime<Utc>,
) -> AppResult<Option<pc_booking::Model>> {
    let caller = Caller::system();
    state
        .write(&caller, |tx| {
            Box::pin(async move {
                let Some((closed, pcs)) =
                    close(tx, id, BookingStatus::NoShow, at.min(tx.now())).await?
                else {
                    return Ok(None);
                };
                let changed = live::refresh(tx, state, &pcs).await?;
                tx.audit(
                    "booking.no_show",
                    "pc_booking",
                    Some(id),
                    json!({ "startsAt": closed.starts_at }),
                )
                .await?;
                live::announce(tx, &changed).await?;
                Ok(Some(closed))
            })
        })
        .await
}

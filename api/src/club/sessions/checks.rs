//! Whether a PC can take a session: in order, not playing, not held by a booking, in a zone.

use chrono::{DateTime, Duration, Utc};
use entity::{
    enums::{ResourceStatus, SessionStatus},
    pc_booking_seat, play_session, resource,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    error::{AppError, AppResult, Msg},
    state::AppState,
};

/// Refuses a PC that cannot take a session for `from..to`; `booking` is the booking being
/// used, whose own seat does not count against it.
pub(super) async fn check_free<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    pc: &resource::Model,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    booking: Option<i64>,
) -> AppResult<()> {
    if pc.status == ResourceStatus::OutOfOrder {
        return Err(AppError::OutOfOrder(Msg::new(
            format!("«{}» не работает", pc.name),
            format!("`{}` is out of order", pc.name),
        )));
    }
    let playing = play_session::Entity::find()
        .filter(play_session::Column::ResourceId.eq(pc.id))
        .filter(play_session::Column::Status.eq(SessionStatus::Active))
        .one(conn)
        .await?;
    if playing.is_some() {
        return Err(busy(pc));
    }
    if let Some(seat) = holding_seat(conn, state, pc.id, from, to, booking).await? {
        let tz = crate::venue::locations::time_zone(conn, pc.location_id).await?;
        let local = crate::domain::timezone::local_text(tz, seat.starts_at);
        return Err(AppError::ResourceBooked(Msg::new(
            format!(
                "«{}» забронирован на {local} (бронь {})",
                pc.name, seat.booking_id
            ),
            format!(
                "`{}` is booked from {local} (booking {})",
                pc.name, seat.booking_id
            ),
        )));
    }
    Ok(())
}

/// A live booking seat that holds `pc_id` at some moment of `from..to`: a seat holds its PC
/// from `booking_show_minutes` before its start. `except` is a booking whose seats do not count.
pub(super) async fn holding_seat<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    pc_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    except: Option<i64>,
) -> AppResult<Option<pc_booking_seat::Model>> {
    let show = Duration::minutes(state.settings.booking_show_minutes);
    let mut seats = pc_booking_seat::Entity::find()
        .filter(pc_booking_seat::Column::ResourceId.eq(pc_id))
        .filter(pc_booking_seat::Column::Live.eq(true))
        .filter(pc_booking_seat::Column::StartsAt.lt(to + show))
        .filter(pc_booking_seat::Column::EndsAt.gt(from));
    if let Some(id) = except {
        seats = seats.filter(pc_booking_seat::Column::BookingId.ne(id));
    }
    Ok(seats.one(conn).await?)
}

pub(super) fn busy(pc: &resource::Model) -> AppError {
    AppError::ResourceBusy(Msg::new(
        format!("«{}» занят: на нём идёт сеанс", pc.name),
        format!("`{}` is busy: a session is running on it", pc.name),
    ))
}

pub(super) fn unique_busy(err: AppError, pc: &resource::Model) -> AppError {
    // The partial unique index answers a race for the same PC.
    match err {
        AppError::Conflict(_) => busy(pc),
        other => other,
    }
}

pub(super) async fn pc_of<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<resource::Model> {
    resource::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("ПК", "PC", id))
}

pub(super) fn zone_of_pc(pc: &resource::Model) -> AppResult<i64> {
    pc.zone_id.ok_or_else(|| {
        AppError::validation(
            "input.resourceId",
            format!(
                "«{}» не входит ни в одну зону, поэтому у него нет тарифа",
                pc.name
            ),
            format!("`{}` is in no zone, so it has no tariff", pc.name),
        )
    })
}

//! Reading bookings: one, a filtered page with their PCs, the seats and PCs they hold.

use async_graphql::ID;
use entity::{pc_booking, pc_booking_seat};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    club::types::PcBookingFilter,
    domain::parse_id,
    error::{AppError, AppResult},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
};

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<pc_booking::Model> {
    pc_booking::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Бронь", "Booking", id))
}

pub async fn seats_of<C: ConnectionTrait>(
    conn: &C,
    booking_ids: Vec<i64>,
) -> AppResult<Vec<pc_booking_seat::Model>> {
    Ok(pc_booking_seat::Entity::find()
        .filter(pc_booking_seat::Column::BookingId.is_in(booking_ids))
        .order_by_asc(pc_booking_seat::Column::Id)
        .all(conn)
        .await?)
}

/// PC bookings matching `filter`, by start, each with the PCs it holds.
pub async fn list(
    state: &AppState,
    filter: PcBookingFilter,
    page: Page,
) -> AppResult<(Vec<(pc_booking::Model, Vec<i64>)>, PageInfo)> {
    let id = |field, id: &Option<ID>| id.as_ref().map(|id| parse_id(field, id)).transpose();
    let mut select = pc_booking::Entity::find();
    if let Some(id) = id("filter.locationId", &filter.location_id)? {
        select = select.filter(pc_booking::Column::LocationId.eq(id));
    }
    if let Some(id) = id("filter.clientId", &filter.client_id)? {
        select = select.filter(pc_booking::Column::ClientId.eq(id));
    }
    if let Some(status) = filter.status {
        select = select.filter(pc_booking::Column::Status.eq(status));
    }
    if let Some(from) = filter.from {
        select = select.filter(pc_booking::Column::EndsAt.gt(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(pc_booking::Column::StartsAt.lt(to));
    }
    let select = select
        .order_by_asc(pc_booking::Column::StartsAt)
        .order_by_asc(pc_booking::Column::Id);
    let (rows, page_info) = fetch_page(&state.db, select, page).await?;
    let seats = seats_of(&state.db, rows.iter().map(|b| b.id).collect()).await?;
    let rows = rows
        .into_iter()
        .map(|b| {
            let pcs = seats
                .iter()
                .filter(|s| s.booking_id == b.id)
                .map(|s| s.resource_id)
                .collect();
            (b, pcs)
        })
        .collect();
    Ok((rows, page_info))
}

/// The PCs a booking holds (or held).
pub async fn pcs_of<C: ConnectionTrait>(conn: &C, booking_id: i64) -> AppResult<Vec<i64>> {
    Ok(seats_of(conn, vec![booking_id])
        .await?
        .into_iter()
        .map(|s| s.resource_id)
        .collect())
}

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{AppointmentPayment, AppointmentStatus};

/// A client's visit to a specialist for a service, maybe in a room.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "appointment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub location_id: i64,
    pub service_id: i64,
    pub specialist_id: i64,
    pub resource_id: Option<i64>,
    pub client_id: i64,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub status: AppointmentStatus,
    pub payment: AppointmentPayment,
    pub client_package_id: Option<i64>,
    /// The service's price when booked, minor units.
    pub price: i64,
    pub client_discount_percent: i32,
    pub discount_percent: i32,
    pub total: i64,
    /// Taken from the wallet when booked.
    pub paid: i64,
    /// Returned to the wallet on cancellation.
    pub refunded: i64,
    /// The code a client without a login uses to find and cancel the booking.
    #[sea_orm(unique)]
    pub code: String,
    pub note: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When it was completed, cancelled or marked a no-show.
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{SessionKind, SessionStatus, StopReason};

/// Time played on a PC by a client or a walk-in guest.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "play_session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub location_id: i64,
    /// The PC it is on now (or ended on).
    pub resource_id: i64,
    pub client_id: Option<i64>,
    pub guest_name: Option<String>,
    pub tariff_id: i64,
    pub package_id: Option<i64>,
    pub booking_id: Option<i64>,
    pub kind: SessionKind,
    pub status: SessionStatus,
    pub started_at: DateTimeUtc,
    /// When a prepaid session runs out.
    pub ends_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub stop_reason: Option<StopReason>,
    /// When its coming end was announced.
    pub warned_at: Option<DateTimeUtc>,
    /// Paid so far, minor units.
    pub paid: i64,
    /// The final cost, once over.
    pub cost: Option<i64>,
    pub promotion_id: Option<i64>,
    /// The final cost breakdown, once over.
    pub breakdown: Option<Json>,
    pub started_by: Option<i64>,
    pub ended_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

use crate::enums::Rounding;

/// An hourly price for a zone, with its billing step. Windows and packages hang off it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tariff")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub location_id: i64,
    pub zone_id: i64,
    pub name: String,
    /// Minor units per hour outside every window.
    pub price_per_hour: i64,
    /// Billed time is a whole number of these.
    pub step_minutes: i32,
    pub rounding: Rounding,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// A time of the week with its own hourly price ("night", "weekend"), in local time.
/// `ends_at <= starts_at` runs past midnight; the weekday is the one it starts on.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tariff_window")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tariff_id: i64,
    pub name: String,
    /// Bit `d - 1` set for ISO weekday `d` (1 = Monday).
    pub weekdays: i16,
    pub starts_at: Time,
    pub ends_at: Time,
    pub price_per_hour: i64,
    /// Where windows overlap, the lower position wins.
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

use crate::enums::PromotionKind;

/// A promotion on play time, with when and where it applies.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "promotion")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub location_id: i64,
    pub name: String,
    pub kind: PromotionKind,
    /// Bonus time: minutes paid for …
    pub pay_minutes: Option<i32>,
    /// … and minutes given free after them.
    pub free_minutes: Option<i32>,
    pub percent: Option<i32>,
    /// Fixed price: minor units per hour.
    pub price_per_hour: Option<i64>,
    /// Bit `d - 1` set for ISO weekday `d` on which a session may start under it.
    pub weekdays: i16,
    /// Local hours a session may start in; none means all day.
    pub starts_at: Option<Time>,
    pub ends_at: Option<Time>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    /// Zones it applies to; empty means every zone of the location.
    pub zone_ids: Json,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

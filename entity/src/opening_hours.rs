use sea_orm::entity::prelude::*;

/// One opening interval on a weekday, in the location's local time.
/// `closes_at <= opens_at` means the interval runs past midnight.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opening_hours")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub location_id: i64,
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: i16,
    pub opens_at: Time,
    pub closes_at: Time,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

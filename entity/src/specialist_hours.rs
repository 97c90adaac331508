use sea_orm::entity::prelude::*;

/// One weekly working interval of a specialist at a location, in the location's local time.
/// `ends_at <= starts_at` means it runs past midnight.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "specialist_hours")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub specialist_id: i64,
    pub location_id: i64,
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: i16,
    pub starts_at: Time,
    pub ends_at: Time,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

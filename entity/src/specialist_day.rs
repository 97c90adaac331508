use sea_orm::entity::prelude::*;

/// A one-off change of a specialist's day at a location: a day off (no times) or other hours.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "specialist_day")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub specialist_id: i64,
    pub location_id: i64,
    pub date: Date,
    pub starts_at: Option<Time>,
    pub ends_at: Option<Time>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

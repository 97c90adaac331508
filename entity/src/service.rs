use sea_orm::entity::prelude::*;

/// Something a location sells by appointment: a massage, a consultation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub location_id: i64,
    pub name: String,
    pub category: Option<String>,
    pub description: Option<String>,
    pub duration_minutes: i32,
    /// Minor units.
    pub price: i64,
    /// Minutes kept free before and after, for preparation and cleaning.
    pub buffer_before: i32,
    pub buffer_after: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

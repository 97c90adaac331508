use sea_orm::entity::prelude::*;

/// A fixed price for fixed time: a duration ("3 hours") or a local window ("night
/// 22:00–08:00", bought inside it, ending at its end).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tariff_package")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tariff_id: i64,
    pub name: String,
    pub price: i64,
    pub minutes: Option<i32>,
    pub window_start: Option<Time>,
    pub window_end: Option<Time>,
    pub active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

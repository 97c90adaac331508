use sea_orm::entity::prelude::*;

/// Several visits of one service sold together ("5 massages for the price of 4").
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_package")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub service_id: i64,
    pub name: String,
    pub visits: i32,
    /// Days from the purchase the visits may be used.
    pub validity_days: i32,
    /// Minor units.
    pub price: i64,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// A service package a client bought, with the visits left.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_package")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub client_id: i64,
    pub package_id: i64,
    pub service_id: i64,
    pub visits_total: i32,
    pub visits_left: i32,
    pub valid_until: DateTimeUtc,
    /// Minor units paid.
    pub price: i64,
    pub payment_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

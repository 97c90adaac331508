use sea_orm::entity::prelude::*;

/// A program given to a client by a trainer, paid or not.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coaching_assignment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub program_id: i64,
    pub client_id: i64,
    pub assigned_by: Option<i64>,
    pub assigned_at: DateTimeUtc,
    pub paid: bool,
    /// Minor units charged.
    pub price: i64,
    pub payment_id: Option<i64>,
    pub notes: Option<String>,
    /// When the client started it.
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

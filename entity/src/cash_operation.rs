use sea_orm::entity::prelude::*;

/// Cash put into (`in`) or taken out of (`out`) the drawer during a shift, with a reason.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cash_operation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub shift_id: i64,
    /// `in` or `out`.
    pub kind: String,
    /// Minor units, positive.
    pub amount: i64,
    pub reason: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

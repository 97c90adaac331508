use sea_orm::entity::prelude::*;

/// A membership plan: unlimited for a period, or N visits within a validity.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "academy_plan")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// None: unlimited visits.
    pub visits: Option<i32>,
    pub validity_days: i32,
    /// Minor units.
    pub price: i64,
    pub active: bool,
    /// Memberships of this plan renew on their end date (see `academy::renewals`).
    pub recurring: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

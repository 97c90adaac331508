use sea_orm::entity::prelude::*;

/// A plan sold to a student: its dates, visits and freezes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "academy_membership")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub student_id: i64,
    pub plan_id: i64,
    pub starts_on: Date,
    /// The last valid day, pushed out by freezes.
    pub ends_on: Date,
    pub visits_total: Option<i32>,
    pub visits_left: Option<i32>,
    /// Minor units paid.
    pub price: i64,
    pub payment_id: Option<i64>,
    /// The latest freeze.
    pub frozen_from: Option<Date>,
    pub frozen_to: Option<Date>,
    pub frozen_days: i32,
    pub cancelled_at: Option<DateTimeUtc>,
    /// Renews on its end date (a recurring plan's, until stopped or cancelled).
    pub renews: bool,
    /// The membership its renewal made.
    pub renewed_to_id: Option<i64>,
    /// Minor units still to pay (a renewal the wallet did not cover); 0 when paid.
    pub amount_due: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

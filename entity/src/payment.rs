use sea_orm::entity::prelude::*;

use crate::enums::{PaymentKind, PaymentMethod};

/// Money received for something, by one method.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// None for a walk-in guest.
    pub client_id: Option<i64>,
    /// Minor units, positive.
    pub amount: i64,
    pub method: PaymentMethod,
    pub purpose: String,
    /// What it was for.
    pub kind: PaymentKind,
    /// The cashier shift it was taken in.
    pub shift_id: Option<i64>,
    /// The play session it paid for.
    pub play_session_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

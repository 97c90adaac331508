use sea_orm::entity::prelude::*;

use crate::enums::{LedgerKind, PaymentMethod};

/// One line of a client's wallet; the balance is the sum of the lines. Never updated.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wallet_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub client_id: i64,
    pub kind: LedgerKind,
    pub method: Option<PaymentMethod>,
    /// Minor units; positive adds to the balance.
    pub amount: i64,
    pub reason: Option<String>,
    pub payment_id: Option<i64>,
    /// The cashier shift it was taken in.
    pub shift_id: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! GraphQL objects and inputs of wallets and payments.

use async_graphql::{ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    enums::{LedgerKind, PaymentKind, PaymentMethod},
    wallet_entry,
};

use super::ledger::Receipt;
use crate::{domain::Money, page_type};

/// One line of a wallet.
pub struct WalletEntry(pub wallet_entry::Model);

#[Object]
impl WalletEntry {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn kind(&self) -> LedgerKind {
        self.0.kind
    }
    async fn method(&self) -> Option<PaymentMethod> {
        self.0.method
    }
    /// Positive adds to the balance.
    async fn amount(&self) -> Money {
        Money(self.0.amount)
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn payment_id(&self) -> Option<ID> {
        self.0.payment_id.map(Into::into)
    }
    async fn created_by_user_id(&self) -> Option<ID> {
        self.0.created_by.map(Into::into)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A client's wallet: the balance is the sum of its lines.
#[derive(SimpleObject)]
pub struct Wallet {
    pub client_id: ID,
    pub balance: Money,
    /// What the client owes: the part of a negative balance.
    pub debt: Money,
    pub credit_limit: Money,
}

/// What a money operation did. Repeating the request with the same idempotency key returns
/// the same receipt and does nothing more.
#[derive(SimpleObject)]
pub struct MoneyReceipt {
    pub client_id: Option<ID>,
    pub entry_id: Option<ID>,
    pub payment_id: Option<ID>,
    /// The balance right after the operation (for operations on a client).
    pub balance: Option<Money>,
}

impl From<Receipt> for MoneyReceipt {
    fn from(r: Receipt) -> Self {
        MoneyReceipt {
            client_id: r.client_id.map(Into::into),
            entry_id: r.entry_id.map(Into::into),
            payment_id: r.payment_id.map(Into::into),
            balance: r.balance.map(Money),
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct DepositInput {
    pub client_id: ID,
    pub amount: Money,
    /// Cash, card, Kaspi or transfer.
    pub method: PaymentMethod,
    /// A unique string per intended operation (a UUID); retries send the same one.
    pub idempotency_key: String,
}

#[derive(InputObject, Debug, Clone)]
pub struct WithdrawInput {
    pub client_id: ID,
    pub amount: Money,
    pub method: PaymentMethod,
    pub reason: Option<String>,
    pub idempotency_key: String,
}

#[derive(InputObject, Debug, Clone)]
pub struct PaymentInput {
    /// None for a walk-in guest (not with wallet or debt).
    pub client_id: Option<ID>,
    pub amount: Money,
    pub method: PaymentMethod,
    /// What is paid for.
    pub purpose: String,
    /// What kind of sale it is, for revenue by kind and the funnel (default: other).
    pub kind: Option<PaymentKind>,
    pub idempotency_key: String,
}

#[derive(InputObject, Debug, Clone)]
pub struct RefundInput {
    pub client_id: ID,
    pub amount: Money,
    pub reason: String,
    pub idempotency_key: String,
}

#[derive(InputObject, Debug, Clone)]
pub struct CorrectionInput {
    pub client_id: ID,
    /// Signed: negative takes money off the balance.
    pub amount: Money,
    pub reason: String,
    pub idempotency_key: String,
}

page_type!(WalletEntryPage, WalletEntry);

/// A cashier's shift at a location.
pub struct CashShift(pub entity::cash_shift::Model);

#[Object]
impl CashShift {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn location_id(&self) -> ID {
        self.0.location_id.into()
    }
    /// The staff member who opened it.
    async fn operator_id(&self) -> ID {
        self.0.operator_id.into()
    }
    async fn opened_at(&self) -> DateTime<Utc> {
        self.0.opened_at
    }
    async fn opening_cash(&self) -> Money {
        Money(self.0.opening_cash)
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    async fn counted_cash(&self) -> Option<Money> {
        self.0.counted_cash.map(Money)
    }
    async fn counted_coins(&self) -> Option<Money> {
        self.0.counted_coins.map(Money)
    }
    async fn counted_kaspi(&self) -> Option<Money> {
        self.0.counted_kaspi.map(Money)
    }
    async fn counted_card(&self) -> Option<Money> {
        self.0.counted_card.map(Money)
    }
    async fn counted_debt(&self) -> Option<Money> {
        self.0.counted_debt.map(Money)
    }
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
}

/// Money taken by one method during a shift.
#[derive(SimpleObject)]
pub struct MethodTotal {
    pub method: PaymentMethod,
    pub amount: Money,
}

/// A shift's figures: what its records say the drawer and terminals hold, what was counted,
/// and the difference (counted − expected; negative is a shortfall).
#[derive(SimpleObject)]
pub struct ShiftReport {
    pub shift: CashShift,
    pub payments_count: i64,
    pub payments_by_method: Vec<MethodTotal>,
    /// Wallet top-ups less money handed back, by method.
    pub wallet_net_by_method: Vec<MethodTotal>,
    pub pay_ins: Money,
    pub pay_outs: Money,
    pub expected_cash: Money,
    pub expected_kaspi: Money,
    pub expected_card: Money,
    pub expected_debt: Money,
    /// Counted cash and coins − expected cash (once closed).
    pub cash_difference: Option<Money>,
    pub kaspi_difference: Option<Money>,
    pub card_difference: Option<Money>,
    pub debt_difference: Option<Money>,
}

#[derive(InputObject, Debug, Clone)]
pub struct CloseShiftInput {
    /// Notes counted in the drawer.
    pub cash: Money,
    /// Coins counted.
    pub coins: Money,
    /// The Kaspi terminal's total.
    pub kaspi: Money,
    pub card: Money,
    /// Credit given, by the paper book.
    pub debt: Money,
    pub comment: Option<String>,
}

#[derive(SimpleObject)]
pub struct CashOperationResult {
    pub id: ID,
    pub shift_id: ID,
    pub amount: Money,
    pub reason: String,
}

page_type!(CashShiftPage, CashShift);

//! The wallet ledger and payments. A balance is the sum of a client's ledger lines; it is
//! never stored apart from them. Operations on one client are serialised: on PostgreSQL by
//! locking the client row, on SQLite (one process) by a lock in the process.

use chrono::{DateTime, Utc};
use entity::{
    cash_shift, client,
    enums::{LedgerKind, PaymentKind, PaymentMethod},
    payment, wallet_entry,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Statement, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::idempotency::Claim;
use crate::{
    auth::actor::Caller,
    clients::service as clients,
    domain::{Money, text},
    error::{AppError, AppResult, Msg},
    events::domain::PaymentEvent,
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
    write::Tx,
};

/// The largest single amount accepted, in minor units (10 billion in major units).
pub(crate) const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// One money operation.
#[derive(Debug, Clone, Serialize)]
pub enum Operation {
    /// Put money into the wallet (repays debt first, since debt is a negative balance).
    Deposit {
        client_id: i64,
        amount: i64,
        method: PaymentMethod,
    },
    /// Give money from the wallet back to the client.
    Withdraw {
        client_id: i64,
        amount: i64,
        method: PaymentMethod,
        reason: Option<String>,
    },
    /// Take a payment; wallet and debt payments also write a ledger line.
    Pay {
        client_id: Option<i64>,
        amount: i64,
        method: PaymentMethod,
        purpose: String,
        /// What it pays for.
        kind: PaymentKind,
    },
    /// Return money to the wallet.
    Refund {
        client_id: i64,
        amount: i64,
        reason: String,
    },
    /// Correct the balance by a signed amount, with a reason.
    Correct {
        client_id: i64,
        amount: i64,
        reason: String,
    },
}

/// What an operation did; a retried key answers with the same receipt.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Receipt {
    pub client_id: Option<i64>,
    pub entry_id: Option<i64>,
    pub payment_id: Option<i64>,
    /// The balance right after the operation.
    pub balance: Option<i64>,
}

fn positive(field: &str, amount: i64) -> AppResult<i64> {
    if amount <= 0 || amount > MAX_AMOUNT {
        return Err(AppError::validation(
            field,
            "сумма должна быть больше нуля и не больше 10 000 000 000",
            "the amount must be above zero and at most 10,000,000,000",
        ));
    }
    Ok(amount)
}

/// Money into or out of a wallet changes hands by cash, card, Kaspi or transfer.
fn money_moves_by(method: PaymentMethod) -> AppResult<()> {
    if matches!(method, PaymentMethod::Wallet | PaymentMethod::Debt) {
        return Err(AppError::validation(
            "input.method",
            "деньги в кошелёк и из него передаются наличными, картой, Kaspi или переводом",
            "money goes into or out of a wallet by cash, card, Kaspi or transfer",
        ));
    }
    Ok(())
}

impl Operation {
    pub(crate) fn scope(&self) -> &'static str {
        match self {
            Operation::Deposit { .. } => "wallet.deposit",
            Operation::Withdraw { .. } => "wallet.withdraw",
            Operation::Pay { .. } => "payment.create",
            Operation::Refund { .. } => "wallet.refund",
            Operation::Correct { .. } => "wallet.correct",
        }
    }

    fn client_id(&self) -> Option<i64> {
        match self {
            Operation::Deposit { client_id, .. }
            | Operation::Withdraw { client_id, .. }
            | Operation::Refund { client_id, .. }
            | Operation::Correct { client_id, .. } => Some(*client_id),
            Operation::Pay { client_id, .. } => *client_id,
        }
    }

    /// Checks amounts and texts; returns the operation with trimmed texts.
    pub(crate) fn check(self) -> AppResult<Operation> {
        Ok(match self {
            Operation::Deposit {
                client_id,
                amount,
                method,
            } => {
                money_moves_by(method)?;
                Operation::Deposit {
                    client_id,
                    amount: positive("input.amount", amount)?,
                    method,
                }
            }
            Operation::Withdraw {
                client_id,
                amount,
                method,
                reason,
            } => {
                money_moves_by(method)?;
                Operation::Withdraw {
                    client_id,
                    amount: positive("input.amount", amount)?,
                    method,
                    reason: text::optional("input.reason", reason.as_deref(), 500)?,
                }
            }
            Operation::Pay {
                client_id,
                amount,
                method,
                purpose,
                kind,
            } => {
                if client_id.is_none()
                    && matches!(method, PaymentMethod::Wallet | PaymentMethod::Debt)
                {
                    return Err(AppError::validation(
                        "input.clientId",
                        "оплата с кошелька или в долг требует клиента",
                        "a wallet or debt payment needs a client",
                    ));
                }
                Operation::Pay {
                    client_id,
                    amount: positive("input.amount", amount)?,
                    method,
                    purpose: text::required("input.purpose", &purpose, 200)?,
                    kind,
                }
            }
            Operation::Refund {
                client_id,
                amount,
                reason,
            } => Operation::Refund {
                client_id,
                amount: positive("input.amount", amount)?,
                reason: text::required("input.reason", &reason, 500)?,
            },
            Operation::Correct {
                client_id,
                amount,
                reason,
            } => {
                if amount == 0 || amount.abs() > MAX_AMOUNT {
                    return Err(AppError::validation(
                        "input.amount",
                        "поправка не может быть нулевой или больше 10 000 000 000",
                        "a correction cannot be zero or beyond 10,000,000,000",
                    ));
                }
                Operation::Correct {
                    client_id,
                    amount,
                    reason: text::required("input.reason", &reason, 500)?,
                }
            }
        })
    }
}

#[derive(Debug, FromQueryResult)]
struct Sum {
    total: Option<i64>,
}

/// The balance of a client: the sum of the ledger.
pub async fn balance<C: ConnectionTrait>(conn: &C, client_id: i64) -> AppResult<i64> {
    let sum = wallet_entry::Entity::find()
        .select_only()
        // PostgreSQL sums BIGINT to NUMERIC; cast back so both engines answer an integer.
        .column_as(
            Expr::cust("CAST(SUM(wallet_entry.amount) AS BIGINT)"),
            "total",
        )
        .filter(wallet_entry::Column::ClientId.eq(client_id))
        .into_model::<Sum>()
        .one(conn)
        .await?;
    Ok(sum.and_then(|s| s.total).unwrap_or(0))
}

/// The lines of a client's wallet, newest first.
pub async fn entries<C: ConnectionTrait>(
    conn: &C,
    client_id: i64,
    page: Page,
) -> AppResult<(Vec<wallet_entry::Model>, PageInfo)> {
    let select = wallet_entry::Entity::find()
        .filter(wallet_entry::Column::ClientId.eq(client_id))
        .order_by_desc(wallet_entry::Column::Id);
    fetch_page(conn, select, page).await
}

async fn lock_client<C: ConnectionTrait>(conn: &C, client_id: i64) -> AppResult<client::Model> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        conn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT id FROM client WHERE id = $1 FOR UPDATE",
            [client_id.into()],
        ))
        .await?;
    }
    let client = clients::get(conn, client_id).await?;
    if client.merged_into_id.is_some() {
        return Err(AppError::conflict(
            format!(
                "Клиент {client_id} объединён с {}: используйте его",
                client.merged_into_id.unwrap_or_default()
            ),
            format!(
                "Client {client_id} was merged into {}: use that one",
                client.merged_into_id.unwrap_or_default()
            ),
        ));
    }
    Ok(client)
}

fn insufficient(balance: i64, needed: i64, limit: i64) -> AppError {
    AppError::InsufficientFunds(Msg::new(
        format!(
            "Недостаточно средств: на счёте {}, нужно {}, кредитный лимит {}",
            Money(balance),
            Money(needed),
            Money(limit)
        ),
        format!(
            "Insufficient funds: the balance is {}, {} is needed, the credit limit is {}",
            Money(balance),
            Money(needed),
            Money(limit)
        ),
    ))
}

/// Carries out one operation, once per idempotency key.
pub async fn apply(
    state: &AppState,
    caller: &Caller,
    op: Operation,
    key: &str,
) -> AppResult<Receipt> {
    let op = &op.check()?;
    let claim = Claim::new(key, op.scope(), op)?;
    let claim = &claim;
    state
        .write_once(caller, claim, |tx| {
            Box::pin(async move {
                let receipt = write(tx, op, None).await?;
                tx.audit(
                    op.scope(),
                    "client",
                    receipt.client_id,
                    json!({ "operation": op, "receipt": receipt, "idempotencyKey": claim.key }),
                )
                .await?;
                Ok(receipt)
            })
        })
        .await
}

/// Takes `price` from a client for `purpose` inside the caller's unit of work: nothing when
/// the price is zero, VALIDATION naming `input.paymentMethod` when a price is due without a
/// method. `location_id` is where what it pays for is, if anywhere. Answers the payment's id.
pub(crate) async fn charge(
    tx: &Tx<'_>,
    client_id: i64,
    price: i64,
    method: Option<PaymentMethod>,
    kind: PaymentKind,
    purpose: String,
    location_id: Option<i64>,
) -> AppResult<Option<i64>> {
    if price == 0 {
        return Ok(None);
    }
    let method = method.ok_or_else(|| {
        AppError::validation(
            "input.paymentMethod",
            format!("к оплате {}: укажите способ оплаты", Money(price)),
            format!("{} is due: give a payment method", Money(price)),
        )
    })?;
    let op = Operation::Pay {
        client_id: Some(client_id),
        amount: price,
        method,
        purpose,
        kind,
    }
    .check()?;
    Ok(write(tx, &op, location_id).await?.payment_id)
}

/// Writes one [`Operation::check`]ed operation in the caller's unit of work: locks the client,
/// checks the floor and writes the payment and ledger lines; a payment raises
/// [`PaymentEvent::Taken`], placed at `location_id` (where what it pays for is) or else at the
/// cashier's open shift. The caller answers for idempotency and the audit row.
pub(crate) async fn write(
    tx: &Tx<'_>,
    op: &Operation,
    location_id: Option<i64>,
) -> AppResult<Receipt> {
    let conn = tx.db();
    let client = lock_for(conn, op).await?;
    let shift = super::shifts::open_shift_of(conn, tx.caller().actor.user_id()).await?;
    let receipt = write_locked(conn, tx.caller(), op, client, shift.as_ref(), tx.now()).await?;
    if let (
        Operation::Pay {
            client_id,
            amount,
            method,
            purpose,
            kind,
        },
        Some(payment_id),
    ) = (op, receipt.payment_id)
    {
        tx.emit(&PaymentEvent::Taken {
            payment_id,
            location_id: location_id.or(shift.as_ref().map(|s| s.location_id)),
            client_id: *client_id,
            amount: *amount,
            method: *method,
            purpose: purpose.clone(),
            paid_for: *kind,
            shift_id: shift.as_ref().map(|s| s.id),
        })
        .await?;
    }
    Ok(receipt)
}

async fn lock_for<C: ConnectionTrait>(
    conn: &C,
    op: &Operation,
) -> AppResult<Option<client::Model>> {
    match op.client_id() {
        Some(id) => Ok(Some(lock_client(conn, id).await?)),
        None => Ok(None),
    }
}

async fn write_locked<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    op: &Operation,
    client: Option<client::Model>,
    shift: Option<&cash_shift::Model>,
    now: DateTime<Utc>,
) -> AppResult<Receipt> {
    let shift_id = shift.map(|s| s.id);
    let entry = |client_id: i64, kind, method, amount: i64, reason: Option<String>, payment_id| {
        wallet_entry::ActiveModel {
            client_id: Set(client_id),
            kind: Set(kind),
            method: Set(method),
            amount: Set(amount),
            reason: Set(reason),
            payment_id: Set(payment_id),
            shift_id: Set(shift_id),
            created_by: Set(caller.actor.user_id()),
            created_at: Set(now),
            ..Default::default()
        }
    };
    let current = match &client {
        Some(c) => balance(conn, c.id).await?,
        None => 0,
    };
    let limit = client.as_ref().map_or(0, |c| c.credit_limit);
    let check_floor = |delta: i64| {
        if delta < 0 && current + delta < -limit {
            Err(insufficient(current, -delta, limit))
        } else {
            Ok(())
        }
    };
    let mut receipt = Receipt {
        client_id: client.as_ref().map(|c| c.id),
        entry_id: None,
        payment_id: None,
        balance: client.as_ref().map(|_| current),
    };
    match op {
        Operation::Deposit {
            client_id,
            amount,
            method,
        } => {
            let row = entry(
                *client_id,
                LedgerKind::Deposit,
                Some(*method),
                *amount,
                None,
                None,
            )
            .insert(conn)
            .await?;
            receipt.entry_id = Some(row.id);
            receipt.balance = Some(current + amount);
        }
        Operation::Withdraw {
            client_id,
            amount,
            method,
            reason,
        } => {
            check_floor(-amount)?;
            let row = entry(
                *client_id,
                LedgerKind::Withdraw,
                Some(*method),
                -amount,
                reason.clone(),
                None,
            )
            .insert(conn)
            .await?;
            receipt.entry_id = Some(row.id);
            receipt.balance = Some(current - amount);
        }
        Operation::Pay {
            client_id,
            amount,
            method,
            purpose,
            kind,
        } => {
            let from_wallet = matches!(method, PaymentMethod::Wallet | PaymentMethod::Debt);
            if *method == PaymentMethod::Wallet {
                // Paying from the wallet never dips into credit; that is what "debt" is for.
                if current < *amount {
                    return Err(insufficient(current, *amount, 0));
                }
            } else if from_wallet {
                check_floor(-amount)?;
            }
            let pay = payment::ActiveModel {
                client_id: Set(*client_id),
                amount: Set(*amount),
                method: Set(*method),
                purpose: Set(purpose.clone()),
                kind: Set(*kind),
                shift_id: Set(shift_id),
                created_by: Set(caller.actor.user_id()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(conn)
            .await?;
            receipt.payment_id = Some(pay.id);
            if let (true, Some(id)) = (from_wallet, client_id) {
                let row = entry(
                    *id,
                    LedgerKind::Payment,
                    Some(*method),
                    -amount,
                    Some(purpose.clone()),
                    Some(pay.id),
                )
                .insert(conn)
                .await?;
                receipt.entry_id = Some(row.id);
                receipt.balance = Some(current - amount);
            }
        }
        Operation::Refund {
            client_id,
            amount,
            reason,
        } => {
            let row = entry(
                *client_id,
                LedgerKind::Refund,
                None,
                *amount,
                Some(reason.clone()),
                None,
            )
            .insert(conn)
            .await?;
            receipt.entry_id = Some(row.id);
            receipt.balance = Some(current + amount);
        }
        Operation::Correct {
            client_id,
            amount,
            reason,
        } => {
            check_floor(*amount)?;
            let row = entry(
                *client_id,
                LedgerKind::Correction,
                None,
                *amount,
                Some(reason.clone()),
                None,
            )
            .insert(conn)
            .await?;
            receipt.entry_id = Some(row.id);
            receipt.balance = Some(current + amount);
        }
    }
    Ok(receipt)
}

/// Sets how far below zero a client's wallet may go.
pub async fn set_credit_limit(
    state: &AppState,
    caller: &Caller,
    client_id: i64,
    limit: i64,
) -> AppResult<client::Model> {
    if !(0..=MAX_AMOUNT).contains(&limit) {
        return Err(AppError::validation(
            "limit",
            "лимит от 0",
            "the limit is 0 or more",
        ));
    }
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let client = clients::get(tx.db(), client_id).await?;
                let before = client.credit_limit;
                let mut model: client::ActiveModel = client.into();
                model.credit_limit = Set(limit);
                model.updated_at = Set(tx.now());
                let updated = model.update(tx.db()).await?;
                tx.audit(
                    "wallet.credit_limit",
                    "client",
                    Some(client_id),
                    json!({ "from": before, "to": limit }),
                )
                .await?;
                Ok(updated)
            })
        })
        .await
}

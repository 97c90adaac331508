//! Cashier shifts (seed 000): open with the cash in the drawer, take payments and cash in and
//! out, close with what was counted; expected against counted, with the difference.

use std::collections::HashMap;

use entity::{
    cash_operation, cash_shift,
    enums::{LedgerKind, PaymentMethod},
    payment, wallet_entry,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde_json::json;

use crate::{
    audit,
    auth::actor::Caller,
    domain::{Money, text},
    error::{AppError, AppResult, Msg},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
    venue::locations,
};

/// What was counted at the close, in minor units.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counted {
    pub cash: i64,
    pub coins: i64,
    pub kaspi: i64,
    pub card: i64,
    pub debt: i64,
}

/// What the drawer and the terminals should hold, from the shift's own records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Payments taken, by method.
    pub payments: HashMap<PaymentMethod, i64>,
    pub payments_count: i64,
    /// Wallet top-ups less money handed back, by method.
    pub wallet_net: HashMap<PaymentMethod, i64>,
    pub pay_ins: i64,
    pub pay_outs: i64,
    pub expected_cash: i64,
    pub expected_kaspi: i64,
    pub expected_card: i64,
    /// Credit given during the shift.
    pub expected_debt: i64,
}

fn user_of(caller: &Caller) -> AppResult<i64> {
    caller.actor.user_id().ok_or_else(|| {
        AppError::Forbidden(Msg::new(
            "Смену открывает и ведёт сотрудник, вошедший под своим именем",
            "A shift is run by a signed-in staff member",
        ))
    })
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<cash_shift::Model> {
    cash_shift::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Смена", "Shift", id))
}

pub async fn current(state: &AppState, location_id: i64) -> AppResult<Option<cash_shift::Model>> {
    Ok(cash_shift::Entity::find()
        .filter(cash_shift::Column::LocationId.eq(location_id))
        .filter(cash_shift::Column::ClosedAt.is_null())
        .one(&state.db)
        .await?)
}

/// The open shift a staff member runs, which their money operations belong to.
pub async fn open_shift_of<C: ConnectionTrait>(
    conn: &C,
    user_id: Option<i64>,
) -> AppResult<Option<i64>> {
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    Ok(cash_shift::Entity::find()
        .filter(cash_shift::Column::OperatorId.eq(user_id))
        .filter(cash_shift::Column::ClosedAt.is_null())
        .order_by_desc(cash_shift::Column::OpenedAt)
        .one(conn)
        .await?
        .map(|s| s.id))
}

pub async fn open(
    state: &AppState,
    caller: &Caller,
    location_id: i64,
    opening_cash: i64,
) -> AppResult<cash_shift::Model> {
    let operator = user_of(caller)?;
    locations::get(state, location_id).await?;
    if opening_cash < 0 {
        return Err(AppError::validation(
            "openingCash",
            "сумма не может быть отрицательной",
            "cannot be negative",
        ));
    }
    if let Some(open) = current(state, location_id).await? {
        return Err(AppError::conflict(
            format!(
                "В этой локации уже открыта смена {} (с {})",
                open.id,
                open.opened_at.format("%d.%m %H:%M")
            ),
            format!(
                "Shift {} is already open at this location (since {})",
                open.id, open.opened_at
            ),
        ));
    }
    let txn = state.db.begin().await?;
    let shift = cash_shift::ActiveModel {
        location_id: Set(location_id),
        operator_id: Set(operator),
        opened_at: Set(state.clock.now()),
        opening_cash: Set(opening_cash),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        caller,
        "shift.open",
        "cash_shift",
        Some(shift.id),
        json!({ "location": location_id, "openingCash": opening_cash }),
    )
    .await?;
    txn.commit().await?;
    Ok(shift)
}

fn check_open(shift: &cash_shift::Model) -> AppResult<()> {
    if shift.closed_at.is_some() {
        return Err(AppError::conflict(
            format!("Смена {} уже закрыта", shift.id),
            format!("Shift {} is closed", shift.id),
        ));
    }
    Ok(())
}

/// Cash into (`out = false`) or out of the drawer, with a reason.
pub async fn cash_operation(
    state: &AppState,
    caller: &Caller,
    shift_id: i64,
    out: bool,
    amount: i64,
    reason: &str,
) -> AppResult<cash_operation::Model> {
    let reason = text::required("reason", reason, 500)?;
    if amount <= 0 {
        return Err(AppError::validation(
            "amount",
            "сумма должна быть больше нуля",
            "the amount must be above zero",
        ));
    }
    let txn = state.db.begin().await?;
    let shift = get(&txn, shift_id).await?;
    check_open(&shift)?;
    let row = cash_operation::ActiveModel {
        shift_id: Set(shift_id),
        kind: Set(if out { "out" } else { "in" }.into()),
        amount: Set(amount),
        reason: Set(reason),
        created_by: Set(caller.actor.user_id()),
        created_at: Set(state.clock.now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let action = if out { "shift.pay_out" } else { "shift.pay_in" };
    audit::record(
        &txn,
        caller,
        action,
        "cash_shift",
        Some(shift_id),
        json!({ "amount": amount, "reason": row.reason }),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The shift's figures from its payments, wallet lines and cash operations.
pub async fn figures<C: ConnectionTrait>(
    conn: &C,
    shift: &cash_shift::Model,
) -> AppResult<Figures> {
    let mut f = Figures::default();
    for p in payment::Entity::find()
        .filter(payment::Column::ShiftId.eq(shift.id))
        .all(conn)
        .await?
    {
        *f.payments.entry(p.method).or_default() += p.amount;
        f.payments_count += 1;
    }
    let lines = wallet_entry::Entity::find()
        .filter(wallet_entry::Column::ShiftId.eq(shift.id))
        .filter(wallet_entry::Column::Kind.is_in([LedgerKind::Deposit, LedgerKind::Withdraw]))
        .all(conn)
        .await?;
    for line in lines {
        if let Some(method) = line.method {
            *f.wallet_net.entry(method).or_default() += line.amount;
        }
    }
    for op in cash_operation::Entity::find()
        .filter(cash_operation::Column::ShiftId.eq(shift.id))
        .all(conn)
        .await?
    {
        if op.kind == "out" {
            f.pay_outs += op.amount;
        } else {
            f.pay_ins += op.amount;
        }
    }
    let taken = |m: PaymentMethod| {
        f.payments.get(&m).copied().unwrap_or(0) + f.wallet_net.get(&m).copied().unwrap_or(0)
    };
    f.expected_cash = shift.opening_cash + taken(PaymentMethod::Cash) + f.pay_ins - f.pay_outs;
    f.expected_kaspi = taken(PaymentMethod::Kaspi);
    f.expected_card = taken(PaymentMethod::Card);
    f.expected_debt = f.payments.get(&PaymentMethod::Debt).copied().unwrap_or(0);
    Ok(f)
}

pub async fn close(
    state: &AppState,
    caller: &Caller,
    shift_id: i64,
    counted: Counted,
    comment: Option<String>,
) -> AppResult<(cash_shift::Model, Figures)> {
    let comment = text::optional("input.comment", comment.as_deref(), 2000)?;
    for (field, value) in [
        ("input.cash", counted.cash),
        ("input.coins", counted.coins),
        ("input.kaspi", counted.kaspi),
        ("input.card", counted.card),
        ("input.debt", counted.debt),
    ] {
        if value < 0 {
            return Err(AppError::validation(
                field,
                "сумма не может быть отрицательной",
                "cannot be negative",
            ));
        }
    }
    let txn = state.db.begin().await?;
    let shift = get(&txn, shift_id).await?;
    check_open(&shift)?;
    let figures = figures(&txn, &shift).await?;
    let mut model: cash_shift::ActiveModel = shift.into();
    model.closed_at = Set(Some(state.clock.now()));
    model.closed_by = Set(caller.actor.user_id());
    model.counted_cash = Set(Some(counted.cash));
    model.counted_coins = Set(Some(counted.coins));
    model.counted_kaspi = Set(Some(counted.kaspi));
    model.counted_card = Set(Some(counted.card));
    model.counted_debt = Set(Some(counted.debt));
    model.comment = Set(comment);
    let closed = model.update(&txn).await?;
    audit::record(
        &txn,
        caller,
        "shift.close",
        "cash_shift",
        Some(shift_id),
        json!({
            "expectedCash": figures.expected_cash, "countedCash": counted.cash + counted.coins,
            "cashDifference": Money(counted.cash + counted.coins - figures.expected_cash).to_string(),
            "expectedKaspi": figures.expected_kaspi, "countedKaspi": counted.kaspi,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok((closed, figures))
}

pub async fn list(
    state: &AppState,
    location_id: Option<i64>,
    page: Page,
) -> AppResult<(Vec<cash_shift::Model>, PageInfo)> {
    let mut select = cash_shift::Entity::find().order_by_desc(cash_shift::Column::OpenedAt);
    if let Some(id) = location_id {
        select = select.filter(cash_shift::Column::LocationId.eq(id));
    }
    fetch_page(&state.db, select, page).await
}

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
    QueryOrder, QuerySelect, sea_query::Expr,
};
use serde_json::json;

use crate::{
    auth::actor::Caller,
    domain::{Money, text},
    error::{AppError, AppResult, Msg},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
    venue::locations,
    write::Tx,
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
    open_at(&state.db, location_id).await
}

async fn open_at<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
) -> AppResult<Option<cash_shift::Model>> {
    Ok(cash_shift::Entity::find()
        .filter(cash_shift::Column::LocationId.eq(location_id))
        .filter(cash_shift::Column::ClosedAt.is_null())
        .one(conn)
        .await?)
}

/// The open shift a staff member runs, which their money operations belong to.
pub async fn open_shift_of<C: ConnectionTrait>(
    conn: &C,
    user_id: Option<i64>,
) -> AppResult<Option<cash_shift::Model>> {
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    Ok(cash_shift::Entity::find()
        .filter(cash_shift::Column::OperatorId.eq(user_id))
        .filter(cash_shift::Column::ClosedAt.is_null())
        .order_by_desc(cash_shift::Column::OpenedAt)
        .one(conn)
        .await?)
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
    state
        .write(caller, |tx| {
            Box::pin(async move {
                // Checked in the unit, so two opens at once cannot both pass.
                if let Some(open) = open_at(tx.db(), location_id).await? {
                    let tz = crate::venue::locations::time_zone(tx.db(), location_id).await?;
                    let since = crate::domain::timezone::local_text(tz, open.opened_at);
                    return Err(AppError::conflict(
                        format!("В этой локации уже открыта смена {} (с {since})", open.id),
                        format!(
                            "Shift {} is already open at this location (since {since})",
                            open.id
                        ),
                    ));
                }
                let shift = cash_shift::ActiveModel {
                    location_id: Set(location_id),
                    operator_id: Set(operator),
                    opened_at: Set(tx.now()),
                    opening_cash: Set(opening_cash),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                tx.audit(
                    "shift.open",
                    "cash_shift",
                    Some(shift.id),
                    json!({ "location": location_id, "openingCash": opening_cash }),
                )
                .await?;
                Ok(shift)
            })
        })
        .await
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
    let reason = &reason;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let shift = get(tx.db(), shift_id).await?;
                check_open(&shift)?;
                let row = cash_operation::ActiveModel {
                    shift_id: Set(shift_id),
                    kind: Set(if out { "out" } else { "in" }.into()),
                    amount: Set(amount),
                    reason: Set(reason.clone()),
                    created_by: Set(tx.caller().actor.user_id()),
                    created_at: Set(tx.now()),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                let action = if out { "shift.pay_out" } else { "shift.pay_in" };
                tx.audit(
                    action,
                    "cash_shift",
                    Some(shift_id),
                    json!({ "amount": amount, "reason": row.reason }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// The shift's figures from its payments, wallet lines and cash operations.
pub async fn figures<C: ConnectionTrait>(
    conn: &C,
    shift: &cash_shift::Model,
) -> AppResult<Figures> {
    let mut all = figures_of(conn, std::slice::from_ref(shift)).await?;
    Ok(all.remove(&shift.id).unwrap_or_default())
}

/// The figures of many shifts in three grouped queries, whatever their number.
pub async fn figures_of<C: ConnectionTrait>(
    conn: &C,
    shifts: &[cash_shift::Model],
) -> AppResult<HashMap<i64, Figures>> {
    let ids: Vec<i64> = shifts.iter().map(|s| s.id).collect();
    let mut out: HashMap<i64, Figures> = ids.iter().map(|id| (*id, Figures::default())).collect();
    if ids.is_empty() {
        return Ok(out);
    }
    let total = || Expr::cust("CAST(SUM(amount) AS BIGINT)");
    let payments: Vec<(Option<i64>, PaymentMethod, Option<i64>, i64)> = payment::Entity::find()
        .select_only()
        .column(payment::Column::ShiftId)
        .column(payment::Column::Method)
        .column_as(total(), "total")
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(payment::Column::ShiftId.is_in(ids.clone()))
        .group_by(payment::Column::ShiftId)
        .group_by(payment::Column::Method)
        .into_tuple()
        .all(conn)
        .await?;
    for (shift_id, method, amount, count) in payments {
        if let Some(f) = shift_id.and_then(|id| out.get_mut(&id)) {
            *f.payments.entry(method).or_default() += amount.unwrap_or(0);
            f.payments_count += count;
        }
    }
    let lines: Vec<(Option<i64>, Option<PaymentMethod>, Option<i64>)> =
        wallet_entry::Entity::find()
            .select_only()
            .column(wallet_entry::Column::ShiftId)
            .column(wallet_entry::Column::Method)
            .column_as(total(), "total")
            .filter(wallet_entry::Column::ShiftId.is_in(ids.clone()))
            .filter(wallet_entry::Column::Kind.is_in([LedgerKind::Deposit, LedgerKind::Withdraw]))
            .group_by(wallet_entry::Column::ShiftId)
            .group_by(wallet_entry::Column::Method)
            .into_tuple()
            .all(conn)
            .await?;
    for (shift_id, method, amount) in lines {
        if let (Some(f), Some(method)) = (shift_id.and_then(|id| out.get_mut(&id)), method) {
            *f.wallet_net.entry(method).or_default() += amount.unwrap_or(0);
        }
    }
    let operations: Vec<(i64, String, Option<i64>)> = cash_operation::Entity::find()
        .select_only()
        .column(cash_operation::Column::ShiftId)
        .column(cash_operation::Column::Kind)
        .column_as(total(), "total")
        .filter(cash_operation::Column::ShiftId.is_in(ids))
        .group_by(cash_operation::Column::ShiftId)
        .group_by(cash_operation::Column::Kind)
        .into_tuple()
        .all(conn)
        .await?;
    for (shift_id, kind, amount) in operations {
        if let Some(f) = out.get_mut(&shift_id) {
            if kind == "out" {
                f.pay_outs += amount.unwrap_or(0);
            } else {
                f.pay_ins += amount.unwrap_or(0);
            }
        }
    }
    for shift in shifts {
        if let Some(f) = out.get_mut(&shift.id) {
            let taken = |m: PaymentMethod| {
                f.payments.get(&m).copied().unwrap_or(0)
                    + f.wallet_net.get(&m).copied().unwrap_or(0)
            };
            f.expected_cash =
                shift.opening_cash + taken(PaymentMethod::Cash) + f.pay_ins - f.pay_outs;
            f.expected_kaspi = taken(PaymentMethod::Kaspi);
            f.expected_card = taken(PaymentMethod::Card);
            f.expected_debt = f.payments.get(&PaymentMethod::Debt).copied().unwrap_or(0);
        }
    }
    Ok(out)
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
    let comment = &comment;
    state
        .write(caller, |tx| {
            Box::pin(close_in(tx, shift_id, counted, comment.clone()))
        })
        .await
}

async fn close_in(
    tx: &Tx<'_>,
    shift_id: i64,
    counted: Counted,
    comment: Option<String>,
) -> AppResult<(cash_shift::Model, Figures)> {
    let txn = tx.db();
    let shift = get(txn, shift_id).await?;
    check_open(&shift)?;
    let figures = figures(txn, &shift).await?;
    let mut model: cash_shift::ActiveModel = shift.into();
    model.closed_at = Set(Some(tx.now()));
    model.closed_by = Set(tx.caller().actor.user_id());
    model.counted_cash = Set(Some(counted.cash));
    model.counted_coins = Set(Some(counted.coins));
    model.counted_kaspi = Set(Some(counted.kaspi));
    model.counted_card = Set(Some(counted.card));
    model.counted_debt = Set(Some(counted.debt));
    model.comment = Set(comment);
    let closed = model.update(txn).await?;
    tx.audit(
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

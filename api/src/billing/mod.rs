//! Wallets as an append-only ledger, payments by method, idempotency keys.

pub mod idempotency;
pub mod ledger;
pub mod loaders;
pub mod shifts;
pub mod types;

use crate::{
    auth::policy::policy,
    clients::service as clients,
    context::ContextExt,
    domain::{Money, parse_id},
    error::{AppResult, IntoGql},
    pagination::{Page, PageInput},
    state::AppState,
};
use async_graphql::{Context, ID, Object};
use ledger::Operation;
use types::{
    CashOperationResult, CashShift, CashShiftPage, CloseShiftInput, CorrectionInput, DepositInput,
    MethodTotal, MoneyReceipt, PaymentInput, RefundInput, ShiftReport, Wallet, WalletEntry,
    WalletEntryPage, WithdrawInput,
};

/// A client's wallet as the API shows it: the ledger sum, the debt in it, the limit.
async fn wallet_of(state: &AppState, client: &entity::client::Model) -> AppResult<Wallet> {
    let balance = ledger::balance(&state.db, client.id).await?;
    Ok(Wallet {
        client_id: client.id.into(),
        balance: Money(balance),
        debt: Money((-balance).max(0)),
        credit_limit: Money(client.credit_limit),
    })
}

#[derive(Default)]
pub struct BillingQuery;

#[Object]
impl BillingQuery {
    /// A client's wallet: balance, debt and credit limit.
    // A client may read only their own (the guard lets the client role in).
    #[graphql(guard = "policy(\"Query.wallet\")")]
    async fn wallet(&self, ctx: &Context<'_>, client_id: ID) -> async_graphql::Result<Wallet> {
        let state = ctx.state()?;
        let id = parse_id("clientId", &client_id).gql()?;
        ctx.actor().reach().gql()?.may_touch(id).gql()?;
        let client = clients::get(&state.db, id).await.gql()?;
        wallet_of(state, &client).await.gql()
    }

    /// The lines of a client's wallet, newest first.
    // A client may read only their own.
    #[graphql(guard = "policy(\"Query.walletEntries\")")]
    async fn wallet_entries(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        page: Option<PageInput>,
    ) -> async_graphql::Result<WalletEntryPage> {
        let state = ctx.state()?;
        let id = parse_id("clientId", &client_id).gql()?;
        ctx.actor().reach().gql()?.may_touch(id).gql()?;
        let (rows, page_info) = ledger::entries(&state.db, id, Page::asked(ctx, page).gql()?)
            .await
            .gql()?;
        Ok(WalletEntryPage {
            items: rows.into_iter().map(WalletEntry).collect(),
            page_info,
        })
    }
}

fn totals(map: std::collections::HashMap<entity::enums::PaymentMethod, i64>) -> Vec<MethodTotal> {
    let mut out: Vec<MethodTotal> = map
        .into_iter()
        .map(|(method, amount)| MethodTotal {
            method,
            amount: Money(amount),
        })
        .collect();
    out.sort_by_key(|t| format!("{:?}", t.method));
    out
}

fn report(shift: entity::cash_shift::Model, f: shifts::Figures) -> ShiftReport {
    let diff = |counted: Option<i64>, expected: i64| counted.map(|c| Money(c - expected));
    let cash = shift
        .counted_cash
        .map(|c| c + shift.counted_coins.unwrap_or(0));
    ShiftReport {
        cash_difference: diff(cash, f.expected_cash),
        kaspi_difference: diff(shift.counted_kaspi, f.expected_kaspi),
        card_difference: diff(shift.counted_card, f.expected_card),
        debt_difference: diff(shift.counted_debt, f.expected_debt),
        payments_count: f.payments_count,
        payments_by_method: totals(f.payments),
        wallet_net_by_method: totals(f.wallet_net),
        pay_ins: Money(f.pay_ins),
        pay_outs: Money(f.pay_outs),
        expected_cash: Money(f.expected_cash),
        expected_kaspi: Money(f.expected_kaspi),
        expected_card: Money(f.expected_card),
        expected_debt: Money(f.expected_debt),
        shift: CashShift(shift),
    }
}

#[derive(Default)]
pub struct ShiftsQuery;

#[Object]
impl ShiftsQuery {
    /// The open shift of a location, if any.
    #[graphql(guard = "policy(\"Query.currentShift\")")]
    async fn current_shift(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
    ) -> async_graphql::Result<Option<CashShift>> {
        let state = ctx.state()?;
        let id = parse_id("locationId", &location_id).gql()?;
        Ok(shifts::current(state, id).await.gql()?.map(CashShift))
    }

    /// Shift history, newest first.
    #[graphql(guard = "policy(\"Query.shifts\")")]
    async fn shifts(
        &self,
        ctx: &Context<'_>,
        location_id: Option<ID>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<CashShiftPage> {
        let state = ctx.state()?;
        let location = location_id
            .as_ref()
            .map(|id| parse_id("locationId", id))
            .transpose()
            .gql()?;
        let (rows, page_info) = shifts::list(state, location, Page::asked(ctx, page).gql()?)
            .await
            .gql()?;
        Ok(CashShiftPage {
            items: rows.into_iter().map(CashShift).collect(),
            page_info,
        })
    }

    /// A shift's figures: expected against counted.
    #[graphql(guard = "policy(\"Query.shiftReport\")")]
    async fn shift_report(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ShiftReport> {
        let state = ctx.state()?;
        let shift = shifts::get(&state.db, parse_id("id", &id).gql()?)
            .await
            .gql()?;
        let f = shifts::figures(&state.db, &shift).await.gql()?;
        Ok(report(shift, f))
    }
}

#[derive(Default)]
pub struct ShiftsMutation;

#[Object]
impl ShiftsMutation {
    /// Opens the caller's shift at a location (one open shift per location).
    #[graphql(guard = "policy(\"Mutation.openShift\")")]
    async fn open_shift(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        opening_cash: Money,
    ) -> async_graphql::Result<CashShift> {
        let state = ctx.state()?;
        let id = parse_id("locationId", &location_id).gql()?;
        shifts::open(state, &ctx.caller(), id, opening_cash.minor())
            .await
            .map(CashShift)
            .gql()
    }

    /// Puts cash into the drawer (`out: false`) or takes it out, with a reason.
    #[graphql(guard = "policy(\"Mutation.recordCashOperation\")")]
    async fn record_cash_operation(
        &self,
        ctx: &Context<'_>,
        shift_id: ID,
        out: bool,
        amount: Money,
        reason: String,
    ) -> async_graphql::Result<CashOperationResult> {
        let state = ctx.state()?;
        let id = parse_id("shiftId", &shift_id).gql()?;
        let row = shifts::cash_operation(state, &ctx.caller(), id, out, amount.minor(), &reason)
            .await
            .gql()?;
        Ok(CashOperationResult {
            id: row.id.into(),
            shift_id,
            amount: Money(row.amount),
            reason: row.reason,
        })
    }

    /// Closes a shift with what was counted; answers the figures and the differences.
    #[graphql(guard = "policy(\"Mutation.closeShift\")")]
    async fn close_shift(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CloseShiftInput,
    ) -> async_graphql::Result<ShiftReport> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let counted = shifts::Counted {
            cash: input.cash.minor(),
            coins: input.coins.minor(),
            kaspi: input.kaspi.minor(),
            card: input.card.minor(),
            debt: input.debt.minor(),
        };
        let (shift, f) = shifts::close(state, &ctx.caller(), id, counted, input.comment)
            .await
            .gql()?;
        Ok(report(shift, f))
    }
}

#[derive(Default)]
pub struct BillingMutation;

#[Object]
impl BillingMutation {
    /// Tops up a wallet (a negative balance, a debt, is repaid first).
    #[graphql(guard = "policy(\"Mutation.depositToWallet\")")]
    async fn deposit_to_wallet(
        &self,
        ctx: &Context<'_>,
        input: DepositInput,
    ) -> async_graphql::Result<MoneyReceipt> {
        let state = ctx.state()?;
        let op = Operation::Deposit {
            client_id: parse_id("input.clientId", &input.client_id).gql()?,
            amount: input.amount.minor(),
            method: input.method,
        };
        ledger::apply(state, &ctx.caller(), op, &input.idempotency_key)
            .await
            .map(Into::into)
            .gql()
    }

    /// Hands money from the wallet back to the client.
    #[graphql(guard = "policy(\"Mutation.withdrawFromWallet\")")]
    async fn withdraw_from_wallet(
        &self,
        ctx: &Context<'_>,
        input: WithdrawInput,
    ) -> async_graphql::Result<MoneyReceipt> {
        let state = ctx.state()?;
        let op = Operation::Withdraw {
            client_id: parse_id("input.clientId", &input.client_id).gql()?,
            amount: input.amount.minor(),
            method: input.method,
            reason: input.reason,
        };
        ledger::apply(state, &ctx.caller(), op, &input.idempotency_key)
            .await
            .map(Into::into)
            .gql()
    }

    /// Takes a payment by cash, card, Kaspi, transfer, from the wallet, or on credit (debt).
    #[graphql(guard = "policy(\"Mutation.recordPayment\")")]
    async fn record_payment(
        &self,
        ctx: &Context<'_>,
        input: PaymentInput,
    ) -> async_graphql::Result<MoneyReceipt> {
        let state = ctx.state()?;
        let op = Operation::Pay {
            client_id: input
                .client_id
                .as_ref()
                .map(|id| parse_id("input.clientId", id))
                .transpose()
                .gql()?,
            amount: input.amount.minor(),
            method: input.method,
            purpose: input.purpose,
            kind: input.kind.unwrap_or_default(),
        };
        ledger::apply(state, &ctx.caller(), op, &input.idempotency_key)
            .await
            .map(Into::into)
            .gql()
    }

    /// Returns money to a wallet.
    #[graphql(guard = "policy(\"Mutation.refundToWallet\")")]
    async fn refund_to_wallet(
        &self,
        ctx: &Context<'_>,
        input: RefundInput,
    ) -> async_graphql::Result<MoneyReceipt> {
        let state = ctx.state()?;
        let op = Operation::Refund {
            client_id: parse_id("input.clientId", &input.client_id).gql()?,
            amount: input.amount.minor(),
            reason: input.reason,
        };
        ledger::apply(state, &ctx.caller(), op, &input.idempotency_key)
            .await
            .map(Into::into)
            .gql()
    }

    /// Corrects a balance by a signed amount, with a reason.
    #[graphql(guard = "policy(\"Mutation.correctWallet\")")]
    async fn correct_wallet(
        &self,
        ctx: &Context<'_>,
        input: CorrectionInput,
    ) -> async_graphql::Result<MoneyReceipt> {
        let state = ctx.state()?;
        let op = Operation::Correct {
            client_id: parse_id("input.clientId", &input.client_id).gql()?,
            amount: input.amount.minor(),
            reason: input.reason,
        };
        ledger::apply(state, &ctx.caller(), op, &input.idempotency_key)
            .await
            .map(Into::into)
            .gql()
    }

    /// Sets how far below zero a client's wallet may go (0: no credit).
    #[graphql(guard = "policy(\"Mutation.setCreditLimit\")")]
    async fn set_credit_limit(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        limit: Money,
    ) -> async_graphql::Result<Wallet> {
        let state = ctx.state()?;
        let id = parse_id("clientId", &client_id).gql()?;
        let client = ledger::set_credit_limit(state, &ctx.caller(), id, limit.minor())
            .await
            .gql()?;
        wallet_of(state, &client).await.gql()
    }
}

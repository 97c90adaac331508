//! Wallets as an append-only ledger, payments by method, idempotency keys.

pub mod idempotency;
pub mod ledger;
pub mod loaders;
pub mod types;

use async_graphql::{Context, ID, Object};
use entity::wallet_entry;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    auth::policy::policy,
    clients::service as clients,
    context::ContextExt,
    domain::{Money, parse_id},
    error::IntoGql,
    pagination::{Page, PageInput, fetch_page},
};
use ledger::Operation;
use types::{
    CorrectionInput, DepositInput, MoneyReceipt, PaymentInput, RefundInput, Wallet, WalletEntry,
    WalletEntryPage, WithdrawInput,
};

#[derive(Default)]
pub struct BillingQuery;

#[Object]
impl BillingQuery {
    /// A client's wallet: balance, debt and credit limit.
    #[graphql(guard = "policy(\"Query.wallet\")")]
    async fn wallet(&self, ctx: &Context<'_>, client_id: ID) -> async_graphql::Result<Wallet> {
        let state = ctx.state()?;
        let id = parse_id("clientId", &client_id).gql()?;
        let client = clients::get(&state.db, id).await.gql()?;
        let balance = ledger::balance(&state.db, id).await.gql()?;
        Ok(Wallet {
            client_id,
            balance: Money(balance),
            debt: Money((-balance).max(0)),
            credit_limit: Money(client.credit_limit),
        })
    }

    /// The lines of a client's wallet, newest first.
    #[graphql(guard = "policy(\"Query.walletEntries\")")]
    async fn wallet_entries(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        page: Option<PageInput>,
    ) -> async_graphql::Result<WalletEntryPage> {
        let state = ctx.state()?;
        let id = parse_id("clientId", &client_id).gql()?;
        let select = wallet_entry::Entity::find()
            .filter(wallet_entry::Column::ClientId.eq(id))
            .order_by_desc(wallet_entry::Column::Id);
        let (rows, page_info) = fetch_page(&state.db, select, Page::parse(page).gql()?)
            .await
            .gql()?;
        Ok(WalletEntryPage {
            items: rows.into_iter().map(WalletEntry).collect(),
            page_info,
        })
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
        let balance = ledger::balance(&state.db, id).await.gql()?;
        Ok(Wallet {
            client_id,
            balance: Money(balance),
            debt: Money((-balance).max(0)),
            credit_limit: Money(client.credit_limit),
        })
    }
}

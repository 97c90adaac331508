//! Balances and payment totals of many clients, one statement each.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use entity::{payment, wallet_entry};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    sea_query::Expr,
};

use crate::batch::{LoadError, LoaderTable};

pub fn register(table: &mut LoaderTable) {
    table.add(BalanceByClient);
    table.add(PaidByClient);
}

#[derive(Debug, FromQueryResult)]
struct ClientSum {
    client_id: i64,
    total: Option<i64>,
}

/// The ledger sum of each client (absent: no lines, a zero balance).
pub struct BalanceByClient(DatabaseConnection);

impl Loader<i64> for BalanceByClient {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, i64>, Self::Error> {
        let rows = wallet_entry::Entity::find()
            .select_only()
            .column(wallet_entry::Column::ClientId)
            // PostgreSQL sums BIGINT to NUMERIC; cast back so both engines answer an integer.
            .column_as(
                Expr::cust("CAST(SUM(wallet_entry.amount) AS BIGINT)"),
                "total",
            )
            .filter(wallet_entry::Column::ClientId.is_in(keys.iter().copied()))
            .group_by(wallet_entry::Column::ClientId)
            .into_model::<ClientSum>()
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|r| (r.client_id, r.total.unwrap_or(0)))
            .collect())
    }
}

/// What each client has paid in all: the sum of their payment rows, whatever the method
/// (absent: no payments).
pub struct PaidByClient(DatabaseConnection);

impl Loader<i64> for PaidByClient {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, i64>, Self::Error> {
        let rows = payment::Entity::find()
            .select_only()
            .column(payment::Column::ClientId)
            .column_as(Expr::cust("CAST(SUM(payment.amount) AS BIGINT)"), "total")
            .filter(payment::Column::ClientId.is_in(keys.iter().copied()))
            .group_by(payment::Column::ClientId)
            .into_model::<ClientSum>()
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|r| (r.client_id, r.total.unwrap_or(0)))
            .collect())
    }
}

//! The business in figures (seed 001's analytics): revenue by local day or month, by what was
//! sold, how it was paid and how the client heard of the venue; and an overview of clients,
//! conversion and revenue with growth by month. Days and months are the organisation's.

pub mod overview;
pub mod periods;
pub mod revenue;
pub mod types;

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};

use crate::{auth::policy::policy, context::ContextExt, error::IntoGql};
use types::{AnalyticsOverview, PeriodUnit, RevenueReport};

#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// Revenue over `[from, to)` by local day (at most two years) or month: payments by kind,
    /// method and client source, refunds to wallets, and the net. Every day or month is
    /// listed, those without payments as zeros.
    #[graphql(guard = "policy(\"Query.revenueReport\")")]
    async fn revenue_report(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        #[graphql(default_with = "PeriodUnit::Month")] group_by: PeriodUnit,
    ) -> async_graphql::Result<RevenueReport> {
        let state = ctx.state()?;
        revenue::report(state, from, to, group_by).await.gql()
    }

    /// Clients, conversion and revenue over `[from, to)`, and by local month with growth
    /// against the month before.
    #[graphql(guard = "policy(\"Query.analyticsOverview\")")]
    async fn analytics_overview(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> async_graphql::Result<AnalyticsOverview> {
        let state = ctx.state()?;
        overview::overview(state, from, to).await.gql()
    }
}

//! GraphQL objects of the analytics: revenue by period and the overview.

use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::{PaymentKind, PaymentMethod};

use crate::domain::Money;

/// How a report groups time.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodUnit {
    /// Local days of the organisation's time zone.
    Day,
    /// Local calendar months of the organisation's time zone.
    Month,
}

/// Payments of one kind.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct KindRevenue {
    pub kind: PaymentKind,
    pub amount: Money,
    pub count: i64,
}

/// Payments by one method.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct MethodRevenue {
    pub method: PaymentMethod,
    pub amount: Money,
    pub count: i64,
}

/// Payments of clients who heard of the venue one way ("how did you hear").
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct SourceRevenue {
    /// Null for the bucket of walk-ins and clients who named no source.
    pub source_id: Option<ID>,
    /// The source's name; `не указан` for the bucket without one.
    pub name: String,
    pub amount: Money,
    pub count: i64,
}

/// Revenue of one local day or month (or of the whole report).
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct RevenueRow {
    /// `2026-11-30` for a day, `2026-11` for a month; for the total, the first and the last
    /// row's labels joined by `..`.
    pub period: String,
    /// The row's first instant (the report's start for its first row).
    pub start: DateTime<Utc>,
    /// The instant after the row (the report's end for its last row).
    pub end: DateTime<Utc>,
    /// Payments taken, by every method (money spent from a wallet included; money put into a
    /// wallet counts when it is spent).
    pub total: Money,
    /// Number of payments.
    pub count: i64,
    /// `total ÷ count`, rounded to the minor unit; null with no payments.
    pub average_check: Option<Money>,
    /// Money returned to wallets.
    pub refunds: Money,
    pub refund_count: i64,
    /// `total − refunds`.
    pub net: Money,
    /// Every kind, in a fixed order, zeros included.
    pub by_kind: Vec<KindRevenue>,
    /// Every method, in a fixed order, zeros included.
    pub by_method: Vec<MethodRevenue>,
    /// Every source with payments anywhere in the report, in the sources' order, the bucket
    /// without a source last: the same list in every row.
    pub by_source: Vec<SourceRevenue>,
}

/// Revenue over a period by local day or month.
#[derive(SimpleObject, Debug, Clone)]
pub struct RevenueReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub group_by: PeriodUnit,
    /// The time zone the days and months are read in (the organisation's).
    pub timezone: String,
    /// Every day or month of the period, those without payments as zeros.
    pub rows: Vec<RevenueRow>,
    /// The whole period.
    pub total: RevenueRow,
}

/// One local calendar month of the overview.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct OverviewMonth {
    /// `2026-11`.
    pub month: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Clients created in the month (merged records left out).
    pub new_clients: i64,
    /// Clients with a payment, an attended class, an appointment (not cancelled, not a
    /// no-show) or a play session in the month.
    pub active_clients: i64,
    /// Client records at the month's end (merged records left out).
    pub total_clients: i64,
    /// Payments less refunds to wallets.
    pub revenue: Money,
    /// `(totalClients − previous) ÷ previous` against the month before; null when the
    /// month before ended with none.
    pub clients_growth: Option<f64>,
    /// `(revenue − previous) ÷ previous` against the month before; null when the month
    /// before had no revenue.
    pub revenue_growth: Option<f64>,
}

/// The business at a glance over a period.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct AnalyticsOverview {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The time zone the months are read in (the organisation's).
    pub timezone: String,
    /// Clients created in the period (merged records left out).
    pub new_clients: i64,
    /// Clients with a payment, an attended class, an appointment (not cancelled, not a
    /// no-show) or a play session in the period; a merged record counts as the one it was
    /// merged into.
    pub active_clients: i64,
    /// Client records at the period's end (merged records left out).
    pub total_clients: i64,
    /// Clients who entered the funnel's first stage in the period.
    pub leads: i64,
    /// Of those, the ones that reached a won stage.
    pub won: i64,
    /// `won ÷ leads` (0–1), as the funnel analytics compute it.
    pub conversion: Option<f64>,
    /// Number of payments.
    pub payments: i64,
    /// Payments taken, by every method.
    pub gross_revenue: Money,
    /// Money returned to wallets.
    pub refunds: Money,
    /// `grossRevenue − refunds`.
    pub revenue: Money,
    /// `grossRevenue ÷ payments`, rounded to the minor unit; null with no payments.
    pub average_check: Option<Money>,
    /// Every local month the period touches, whole, oldest first.
    pub months: Vec<OverviewMonth>,
}

//! Revenue by local day or month: payments by kind, method and the client's source ("how did
//! you hear"), refunds to wallets apart, and the net.
//!
//! Revenue is the payment rows: a payment from the wallet is revenue when the money is spent,
//! and money put into a wallet is not revenue until then. A refund returns money to a wallet;
//! it is shown on the day it was made and taken off the net.
//!
//! Two grouped statements (payments; refunds) and the list of sources, whatever the length of
//! the period: the database groups each row by its day or month with a balanced CASE over the
//! boundaries (see [`periods::bucket_index`]).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    client_source,
    enums::{LedgerKind, PaymentKind, PaymentMethod},
};
use sea_orm::{
    ActiveEnum, ConnectionTrait, EntityTrait, FromQueryResult, Iterable, QueryOrder, Statement,
};

use super::{
    periods::{self, Bucket, Params},
    types::{KindRevenue, MethodRevenue, PeriodUnit, RevenueReport, RevenueRow, SourceRevenue},
};
use crate::{domain::Money, error::AppResult, state::AppState};

/// The name of the bucket of walk-ins and clients who named no source.
pub const NO_SOURCE: &str = "не указан";

/// Payments of one bucket, kind, method and client source.
#[derive(Debug, FromQueryResult)]
pub(super) struct PaymentGroup {
    pub bucket: i64,
    pub kind: PaymentKind,
    pub method: PaymentMethod,
    pub source_id: Option<i64>,
    pub n: i64,
    pub total: Option<i64>,
}

/// Refunds to wallets in one bucket.
#[derive(Debug, FromQueryResult)]
pub(super) struct RefundGroup {
    pub bucket: i64,
    pub n: i64,
    pub total: Option<i64>,
}

fn starts(buckets: &[Bucket]) -> Vec<DateTime<Utc>> {
    buckets.iter().map(|b| b.start).collect()
}

/// The window `buckets` cover, when there are any.
fn window(buckets: &[Bucket]) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    Some((buckets.first()?.start, buckets.last()?.end))
}

/// Payments in `buckets` (consecutive), grouped by bucket index, kind, method and source.
pub(super) async fn payment_groups<C: ConnectionTrait>(
    conn: &C,
    buckets: &[Bucket],
) -> AppResult<Vec<PaymentGroup>> {
    let Some(window) = window(buckets) else {
        return Ok(Vec::new());
    };
    let backend = conn.get_database_backend();
    let mut p = Params::new(backend);
    let bucket = periods::bucket_index(&mut p, "p.created_at", &starts(buckets));
    let created = p.within("p.created_at", window);
    // PostgreSQL sums BIGINT to NUMERIC; cast back so both engines answer an integer.
    let sql = format!(
        "SELECT {bucket} AS bucket, p.kind AS kind, p.method AS method, \
         c.source_id AS source_id, COUNT(*) AS n, CAST(SUM(p.amount) AS BIGINT) AS total \
         FROM payment p LEFT JOIN client c ON c.id = p.client_id \
         WHERE {created} \
         GROUP BY 1, 2, 3, 4"
    );
    Ok(
        PaymentGroup::find_by_statement(Statement::from_sql_and_values(backend, sql, p.values))
            .all(conn)
            .await?,
    )
}

/// Refunds to wallets in `buckets` (consecutive), grouped by bucket index.
pub(super) async fn refund_groups<C: ConnectionTrait>(
    conn: &C,
    buckets: &[Bucket],
) -> AppResult<Vec<RefundGroup>> {
    let Some(window) = window(buckets) else {
        return Ok(Vec::new());
    };
    let backend = conn.get_database_backend();
    let mut p = Params::new(backend);
    let bucket = periods::bucket_index(&mut p, "w.created_at", &starts(buckets));
    let kind = p.push(LedgerKind::Refund.to_value());
    let created = p.within("w.created_at", window);
    let sql = format!(
        "SELECT {bucket} AS bucket, COUNT(*) AS n, CAST(SUM(w.amount) AS BIGINT) AS total \
         FROM wallet_entry w \
         WHERE w.kind = {kind} AND {created} \
         GROUP BY 1"
    );
    Ok(
        RefundGroup::find_by_statement(Statement::from_sql_and_values(backend, sql, p.values))
            .all(conn)
            .await?,
    )
}

/// `total ÷ count` rounded half up to the minor unit; none without payments.
pub(super) fn average(total: i64, count: i64) -> Option<Money> {
    (count > 0).then(|| {
        let (total, count) = (i128::from(total), i128::from(count));
        Money(((2 * total + count).div_euclid(2 * count)) as i64)
    })
}

/// Amount and count.
type Pair = (i64, i64);

fn add(pair: &mut Pair, amount: i64, count: i64) {
    pair.0 += amount;
    pair.1 += count;
}

/// The figures of one row, as they are summed.
#[derive(Default)]
struct Tally {
    payments: Pair,
    refunds: Pair,
    kinds: HashMap<PaymentKind, Pair>,
    methods: HashMap<PaymentMethod, Pair>,
    sources: HashMap<Option<i64>, Pair>,
}

impl Tally {
    fn payment(&mut self, g: &PaymentGroup) {
        let amount = g.total.unwrap_or(0);
        add(&mut self.payments, amount, g.n);
        add(self.kinds.entry(g.kind).or_default(), amount, g.n);
        add(self.methods.entry(g.method).or_default(), amount, g.n);
        add(self.sources.entry(g.source_id).or_default(), amount, g.n);
    }

    fn refund(&mut self, g: &RefundGroup) {
        add(&mut self.refunds, g.total.unwrap_or(0), g.n);
    }

    fn row(&self, bucket: &Bucket, sources: &[(Option<i64>, String)]) -> RevenueRow {
        let (total, count) = self.payments;
        let (refunds, refund_count) = self.refunds;
        RevenueRow {
            period: bucket.label.clone(),
            start: bucket.start,
            end: bucket.end,
            total: Money(total),
            count,
            average_check: average(total, count),
            refunds: Money(refunds),
            refund_count,
            net: Money(total - refunds),
            by_kind: PaymentKind::iter()
                .map(|kind| {
                    let (amount, count) = self.kinds.get(&kind).copied().unwrap_or_default();
                    KindRevenue {
                        kind,
                        amount: Money(amount),
                        count,
                    }
                })
                .collect(),
            by_method: PaymentMethod::iter()
                .map(|method| {
                    let (amount, count) = self.methods.get(&method).copied().unwrap_or_default();
                    MethodRevenue {
                        method,
                        amount: Money(amount),
                        count,
                    }
                })
                .collect(),
            by_source: sources
                .iter()
                .map(|(id, name)| {
                    let (amount, count) = self.sources.get(id).copied().unwrap_or_default();
                    SourceRevenue {
                        source_id: id.map(Into::into),
                        name: name.clone(),
                        amount: Money(amount),
                        count,
                    }
                })
                .collect(),
        }
    }
}

/// The sources that have payments, in the sources' order, the bucket without one last.
fn listed_sources(
    all: &[client_source::Model],
    seen: &HashSet<Option<i64>>,
) -> Vec<(Option<i64>, String)> {
    let mut out: Vec<(Option<i64>, String)> = all
        .iter()
        .filter(|s| seen.contains(&Some(s.id)))
        .map(|s| (Some(s.id), s.name.clone()))
        .collect();
    // A source missing from the list (never deleted today) still shows, by its id.
    let mut unknown: Vec<i64> = seen
        .iter()
        .flatten()
        .copied()
        .filter(|id| !all.iter().any(|s| s.id == *id))
        .collect();
    unknown.sort_unstable();
    out.extend(unknown.into_iter().map(|id| (Some(id), format!("#{id}"))));
    if seen.contains(&None) {
        out.push((None, NO_SOURCE.to_owned()));
    }
    out
}

/// Revenue over `[from, to)` by the organisation's local day or month.
pub async fn report(
    state: &AppState,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    unit: PeriodUnit,
) -> AppResult<RevenueReport> {
    let db = &state.db;
    let tz = periods::organisation_tz(db).await?;
    let buckets = periods::split(tz, unit, from, to)?;
    let payments = payment_groups(db, &buckets).await?;
    let refunds = refund_groups(db, &buckets).await?;
    let sources = client_source::Entity::find()
        .order_by_asc(client_source::Column::SortOrder)
        .order_by_asc(client_source::Column::Id)
        .all(db)
        .await?;

    let mut rows: Vec<Tally> = buckets.iter().map(|_| Tally::default()).collect();
    let mut whole = Tally::default();
    for g in &payments {
        if let Some(row) = usize::try_from(g.bucket).ok().and_then(|i| rows.get_mut(i)) {
            row.payment(g);
            whole.payment(g);
        }
    }
    for g in &refunds {
        if let Some(row) = usize::try_from(g.bucket).ok().and_then(|i| rows.get_mut(i)) {
            row.refund(g);
            whole.refund(g);
        }
    }
    let listed = listed_sources(&sources, &whole.sources.keys().copied().collect());
    let period = Bucket {
        label: format!(
            "{}..{}",
            buckets.first().map_or("", |b| b.label.as_str()),
            buckets.last().map_or("", |b| b.label.as_str())
        ),
        start: from,
        end: to,
    };
    Ok(RevenueReport {
        from,
        to,
        group_by: unit,
        timezone: tz.name().to_owned(),
        rows: rows
            .iter()
            .zip(&buckets)
            .map(|(tally, bucket)| tally.row(bucket, &listed))
            .collect(),
        total: whole.row(&period, &listed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_average_check_rounds_half_up() {
        assert_eq!(average(0, 0), None);
        assert_eq!(average(1000, 3), Some(Money(333)));
        assert_eq!(average(1001, 2), Some(Money(501)));
        assert_eq!(average(1000, 2), Some(Money(500)));
        assert_eq!(average(i64::MAX, 1), Some(Money(i64::MAX)));
    }

    #[test]
    fn sources_are_listed_in_order_with_the_unnamed_last() {
        let source = |id, name: &str, sort_order| client_source::Model {
            id,
            name: name.into(),
            active: true,
            sort_order,
        };
        let all = [source(2, "Друзья", 1), source(1, "Instagram", 2)];
        let seen: HashSet<Option<i64>> = [None, Some(1), Some(9)].into_iter().collect();
        assert_eq!(
            listed_sources(&all, &seen),
            [
                (Some(1), "Instagram".to_owned()),
                (Some(9), "#9".to_owned()),
                (None, NO_SOURCE.to_owned()),
            ]
        );
    }
}

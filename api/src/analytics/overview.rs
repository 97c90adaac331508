//! The overview: new, active and total clients, the funnel's conversion, revenue and the
//! average check over a period, and the same by local month with growth against the month
//! before.
//!
//! The months are whole (a chart of months shows true months) and begin with the month
//! before the period, which the first month's growth is measured against; it is not listed.
//! The window they cover is cut at the period's start and end too, so each piece lies in one
//! month and wholly inside or outside the period: the period's figures are the sums of the
//! pieces inside, and a month's the sums of its pieces. Active clients are sets, not sums,
//! so they are read per piece as (piece, client) pairs.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    client,
    enums::{AppointmentStatus, AttendanceStatus},
};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, Statement,
};

use super::{
    periods::{self, Bucket, Params},
    revenue::{self, average},
    types::{AnalyticsOverview, OverviewMonth},
};
use crate::{
    domain::Money,
    error::{AppError, AppResult},
    pipeline,
    state::AppState,
};

/// A part of one month, wholly inside or outside the period.
struct Piece {
    month: usize,
    inside: bool,
    bucket: Bucket,
}

fn pieces(months: &[Bucket], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Piece> {
    let mut out = Vec::new();
    for (month, m) in months.iter().enumerate() {
        let mut cuts: BTreeSet<DateTime<Utc>> = [m.start, m.end].into();
        cuts.extend(
            [from, to]
                .into_iter()
                .filter(|t| m.start < *t && *t < m.end),
        );
        let cuts: Vec<DateTime<Utc>> = cuts.into_iter().collect();
        for pair in cuts.windows(2) {
            let (start, end) = (pair[0], pair[1]);
            out.push(Piece {
                month,
                inside: from <= start && end <= to,
                bucket: Bucket {
                    label: m.label.clone(),
                    start,
                    end,
                },
            });
        }
    }
    out
}

/// `(current − previous) ÷ previous`, four decimals; none when there was nothing before.
fn growth(current: i64, previous: i64) -> Option<f64> {
    (previous > 0).then(|| {
        let ratio = (current - previous) as f64 / previous as f64;
        (ratio * 10_000.0).round() / 10_000.0
    })
}

#[derive(Debug, FromQueryResult)]
struct BucketCount {
    bucket: i64,
    n: i64,
}

#[derive(Debug, FromQueryResult)]
struct BucketClient {
    bucket: i64,
    client_id: i64,
}

/// Client records created in each bucket, merged records left out.
async fn new_clients<C: ConnectionTrait>(
    conn: &C,
    starts: &[DateTime<Utc>],
    window: (DateTime<Utc>, DateTime<Utc>),
) -> AppResult<Vec<BucketCount>> {
    let backend = conn.get_database_backend();
    let mut p = Params::new(backend);
    let bucket = periods::bucket_index(&mut p, "c.created_at", starts);
    let created = p.within("c.created_at", window);
    let sql = format!(
        "SELECT {bucket} AS bucket, COUNT(*) AS n FROM client c \
         WHERE c.merged_into_id IS NULL AND {created} GROUP BY 1"
    );
    Ok(
        BucketCount::find_by_statement(Statement::from_sql_and_values(backend, sql, p.values))
            .all(conn)
            .await?,
    )
}

/// The clients active in each bucket: with a payment, an attended class, an appointment
/// that is not cancelled or a no-show, or a play session there. A merged record counts as
/// the record it was merged into.
async fn active_clients<C: ConnectionTrait>(
    conn: &C,
    starts: &[DateTime<Utc>],
    window: (DateTime<Utc>, DateTime<Utc>),
) -> AppResult<Vec<BucketClient>> {
    let backend = conn.get_database_backend();
    let mut p = Params::new(backend);
    let bucket = periods::bucket_index(&mut p, "a.happened_at", starts);
    // Placeholders are positional on SQLite: values are pushed in the order the text below
    // names them.
    let payments = p.within("created_at", window);
    let classes = p.within("s.starts_at", window);
    let present = p.push(AttendanceStatus::Present.to_value());
    let late = p.push(AttendanceStatus::Late.to_value());
    let appointments = p.within("starts_at", window);
    let cancelled = p.push(AppointmentStatus::Cancelled.to_value());
    let no_show = p.push(AppointmentStatus::NoShow.to_value());
    let sessions = p.within("started_at", window);
    let sql = format!(
        "SELECT DISTINCT {bucket} AS bucket, COALESCE(c.merged_into_id, c.id) AS client_id \
         FROM ( \
           SELECT client_id, created_at AS happened_at FROM payment \
             WHERE client_id IS NOT NULL AND {payments} \
           UNION ALL \
           SELECT st.client_id, s.starts_at FROM academy_attendance t \
             JOIN academy_session s ON s.id = t.session_id \
             JOIN academy_student st ON st.id = t.student_id \
             WHERE {classes} AND t.status IN ({present}, {late}) \
           UNION ALL \
           SELECT client_id, starts_at FROM appointment \
             WHERE {appointments} AND status NOT IN ({cancelled}, {no_show}) \
           UNION ALL \
           SELECT client_id, started_at FROM play_session \
             WHERE client_id IS NOT NULL AND {sessions} \
         ) a JOIN client c ON c.id = a.client_id"
    );
    Ok(
        BucketClient::find_by_statement(Statement::from_sql_and_values(backend, sql, p.values))
            .all(conn)
            .await?,
    )
}

/// Sums per piece.
#[derive(Default, Clone)]
struct Figures {
    new_clients: i64,
    active: HashSet<i64>,
    payments: i64,
    gross: i64,
    refunds: i64,
}

pub async fn overview(
    state: &AppState,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<AnalyticsOverview> {
    let db = &state.db;
    periods::check_range(from, to)?;
    let tz = periods::organisation_tz(db).await?;
    let months = periods::months_with_previous(tz, from, to)?;
    let pieces = pieces(&months, from, to);
    let buckets: Vec<Bucket> = pieces.iter().map(|p| p.bucket.clone()).collect();
    let starts: Vec<DateTime<Utc>> = buckets.iter().map(|b| b.start).collect();
    let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
        return Err(AppError::internal("a period with no months"));
    };
    let window = (first.start, last.end);

    let before = client::Entity::find()
        .filter(client::Column::MergedIntoId.is_null())
        .filter(client::Column::CreatedAt.lt(window.0))
        .count(db)
        .await? as i64;
    let mut figures: Vec<Figures> = vec![Figures::default(); pieces.len()];
    let at = |bucket: i64| usize::try_from(bucket).ok().filter(|i| *i < pieces.len());
    for c in new_clients(db, &starts, window).await? {
        if let Some(i) = at(c.bucket) {
            figures[i].new_clients += c.n;
        }
    }
    for a in active_clients(db, &starts, window).await? {
        if let Some(i) = at(a.bucket) {
            figures[i].active.insert(a.client_id);
        }
    }
    for g in revenue::payment_groups(db, &buckets).await? {
        if let Some(i) = at(g.bucket) {
            figures[i].payments += g.n;
            figures[i].gross += g.total.unwrap_or(0);
        }
    }
    for g in revenue::refund_groups(db, &buckets).await? {
        if let Some(i) = at(g.bucket) {
            figures[i].refunds += g.total.unwrap_or(0);
        }
    }
    let funnel = pipeline::analytics::analytics(state, from, to).await?;

    // By month, and the period's pieces summed.
    let mut by_month: Vec<Figures> = vec![Figures::default(); months.len()];
    let mut period = Figures::default();
    let mut total_at_to = before;
    for (piece, f) in pieces.iter().zip(&figures) {
        let m = &mut by_month[piece.month];
        m.new_clients += f.new_clients;
        m.active.extend(&f.active);
        m.payments += f.payments;
        m.gross += f.gross;
        m.refunds += f.refunds;
        if piece.bucket.end <= to {
            total_at_to += f.new_clients;
        }
        if piece.inside {
            period.new_clients += f.new_clients;
            period.active.extend(&f.active);
            period.payments += f.payments;
            period.gross += f.gross;
            period.refunds += f.refunds;
        }
    }
    let mut total = before;
    let mut previous: Option<(i64, i64)> = None;
    let mut listed = Vec::new();
    for (month, f) in months.iter().zip(&by_month) {
        total += f.new_clients;
        let revenue = f.gross - f.refunds;
        if let Some((clients_before, revenue_before)) = previous {
            listed.push(OverviewMonth {
                month: month.label.clone(),
                start: month.start,
                end: month.end,
                new_clients: f.new_clients,
                active_clients: f.active.len() as i64,
                total_clients: total,
                revenue: Money(revenue),
                clients_growth: growth(total, clients_before),
                revenue_growth: growth(revenue, revenue_before),
            });
        }
        previous = Some((total, revenue));
    }
    Ok(AnalyticsOverview {
        from,
        to,
        timezone: tz.name().to_owned(),
        new_clients: period.new_clients,
        active_clients: period.active.len() as i64,
        total_clients: total_at_to,
        leads: funnel.leads,
        won: funnel.won,
        conversion: funnel.conversion_to_won,
        payments: period.payments,
        gross_revenue: Money(period.gross),
        refunds: Money(period.refunds),
        revenue: Money(period.gross - period.refunds),
        average_check: average(period.gross, period.payments),
        months: listed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn growth_against_the_month_before() {
        assert_eq!(growth(150, 100), Some(0.5));
        assert_eq!(growth(50, 100), Some(-0.5));
        assert_eq!(growth(1, 3), Some(-0.6667));
        assert_eq!(growth(100, 0), None);
        assert_eq!(growth(100, -20), None);
    }

    #[test]
    fn pieces_lie_in_one_month_and_wholly_in_or_out_of_the_period() {
        let tz = chrono_tz::Asia::Almaty;
        let (from, to) = (utc("2026-11-10T00:00:00Z"), utc("2026-12-05T00:00:00Z"));
        let months = periods::months_with_previous(tz, from, to).unwrap();
        let got: Vec<(usize, bool, DateTime<Utc>, DateTime<Utc>)> = pieces(&months, from, to)
            .into_iter()
            .map(|p| (p.month, p.inside, p.bucket.start, p.bucket.end))
            .collect();
        assert_eq!(
            got,
            [
                (
                    0,
                    false,
                    utc("2026-09-30T19:00:00Z"),
                    utc("2026-10-31T19:00:00Z")
                ),
                (1, false, utc("2026-10-31T19:00:00Z"), from),
                (1, true, from, utc("2026-11-30T19:00:00Z")),
                (2, true, utc("2026-11-30T19:00:00Z"), to),
                (2, false, to, utc("2026-12-31T19:00:00Z")),
            ]
        );
    }
}

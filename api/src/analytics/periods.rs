//! Cutting a period into the organisation's local days or months, and the SQL that tells
//! which of them a timestamp falls in.
//!
//! Payments name no location, so the analytics read days and months in the organisation's
//! default time zone. Boundaries are local midnights turned into UTC instants here, and the
//! database compares stored instants with them: exact on both engines and across DST changes.

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, DatabaseBackend, Value};

use super::types::PeriodUnit;
use crate::{
    domain::{Timezone, timezone, when},
    error::{AppError, AppResult},
    venue::organisation,
};

/// Local days one report may list: two years and a leap day.
pub const MAX_DAYS: usize = 731;
/// Local months one report may list: ten years.
pub const MAX_MONTHS: usize = 120;

/// One local day or month, cut to the asked period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    /// `2026-11-30` for a day, `2026-11` for a month.
    pub label: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The organisation's default time zone: the local days and months of the analytics.
pub async fn organisation_tz<C: ConnectionTrait>(conn: &C) -> AppResult<Tz> {
    let org = organisation::get(conn).await?;
    Ok(Timezone::parse("timezone", &org.default_timezone)?.0)
}

/// A period the analytics accept: within the accepted years, ending after it starts.
pub fn check_range(from: DateTime<Utc>, to: DateTime<Utc>) -> AppResult<()> {
    when::instant("from", from)?;
    when::instant("to", to)?;
    if to <= from {
        return Err(AppError::validation(
            "to",
            "конец периода должен быть позже начала",
            "the period must end after it starts",
        ));
    }
    Ok(())
}

/// The first local day of the day or month containing `date`.
fn unit_start(unit: PeriodUnit, date: NaiveDate) -> NaiveDate {
    match unit {
        PeriodUnit::Day => date,
        PeriodUnit::Month => date.with_day(1).unwrap_or(date),
    }
}

fn next(unit: PeriodUnit, date: NaiveDate) -> Option<NaiveDate> {
    match unit {
        PeriodUnit::Day => date.succ_opt(),
        PeriodUnit::Month => date.checked_add_months(Months::new(1)),
    }
}

fn label(unit: PeriodUnit, date: NaiveDate) -> String {
    match unit {
        PeriodUnit::Day => date.format("%Y-%m-%d").to_string(),
        PeriodUnit::Month => date.format("%Y-%m").to_string(),
    }
}

fn midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    timezone::instant(tz, date.and_time(NaiveTime::MIN))
}

/// The local days or months of `[from, to)`, the first and last cut to the period; refused
/// (naming `to`) past [`MAX_DAYS`] days or [`MAX_MONTHS`] months.
pub fn split(
    tz: Tz,
    unit: PeriodUnit,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Vec<Bucket>> {
    let max = match unit {
        PeriodUnit::Day => MAX_DAYS,
        PeriodUnit::Month => MAX_MONTHS,
    };
    cut(tz, unit, from, to, max)
}

fn cut(
    tz: Tz,
    unit: PeriodUnit,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    max: usize,
) -> AppResult<Vec<Bucket>> {
    check_range(from, to)?;
    let too_long = || match unit {
        PeriodUnit::Day => AppError::validation(
            "to",
            format!("по дням — не больше {MAX_DAYS} дней (два года); возьмите по месяцам"),
            format!("by day, at most {MAX_DAYS} days (two years); group by month instead"),
        ),
        PeriodUnit::Month => AppError::validation(
            "to",
            format!("не больше {MAX_MONTHS} месяцев (десять лет)"),
            format!("at most {MAX_MONTHS} months (ten years)"),
        ),
    };
    let mut out = Vec::new();
    let mut date = unit_start(unit, timezone::local_date(tz, from));
    let mut start = from;
    while start < to {
        if out.len() == max {
            return Err(too_long());
        }
        let following = next(unit, date).ok_or_else(too_long)?;
        // A local midnight is after every instant of the day before it, so `end > start`.
        let end = midnight(tz, following).min(to);
        out.push(Bucket {
            label: label(unit, date),
            start,
            end,
        });
        (start, date) = (end, following);
    }
    Ok(out)
}

/// The whole local months `[from, to)` touches, with the month before them: a month's
/// growth is measured against the one before, the first month's too.
pub fn months_with_previous(
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Vec<Bucket>> {
    check_range(from, to)?;
    let first = unit_start(PeriodUnit::Month, timezone::local_date(tz, from));
    let previous = first.checked_sub_months(Months::new(1)).unwrap_or(first);
    // The month holding the period's last instant ends the window.
    let last = unit_start(
        PeriodUnit::Month,
        timezone::local_date(tz, to - chrono::Duration::nanoseconds(1)),
    );
    let end = next(PeriodUnit::Month, last).unwrap_or(last);
    cut(
        tz,
        PeriodUnit::Month,
        midnight(tz, previous),
        midnight(tz, end),
        MAX_MONTHS + 1,
    )
}

/// The values of a statement being written, with the placeholder each one takes.
pub struct Params {
    pg: bool,
    pub values: Vec<Value>,
}

impl Params {
    pub fn new(backend: DatabaseBackend) -> Params {
        Params {
            pg: backend == DatabaseBackend::Postgres,
            values: Vec::new(),
        }
    }

    /// The placeholder of a new value. Values are pushed in the order their placeholders
    /// appear in the text (SQLite's `?` are positional).
    pub fn push(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        if self.pg {
            format!("${}", self.values.len())
        } else {
            "?".into()
        }
    }

    /// `column` within `[start, end)`.
    pub fn within(&mut self, column: &str, (start, end): (DateTime<Utc>, DateTime<Utc>)) -> String {
        let (start, end) = (self.push(start), self.push(end));
        format!("{column} >= {start} AND {column} < {end}")
    }
}

/// The index of the bucket `column` falls in, for a row already known to lie within
/// `[starts[0], end of the last)`: a balanced CASE over the buckets' starts, so a row costs
/// a handful of comparisons however many days the report lists.
pub fn bucket_index(params: &mut Params, column: &str, starts: &[DateTime<Utc>]) -> String {
    fn half(params: &mut Params, column: &str, starts: &[DateTime<Utc>], lo: usize) -> String {
        if starts.len() <= 1 {
            return lo.to_string();
        }
        let mid = starts.len() / 2;
        let at = params.push(starts[mid]);
        let below = half(params, column, &starts[..mid], lo);
        let above = half(params, column, &starts[mid..], lo + mid);
        format!("CASE WHEN {column} < {at} THEN {below} ELSE {above} END")
    }
    format!("CAST({} AS BIGINT)", half(params, column, starts, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    const ALMATY: Tz = chrono_tz::Asia::Almaty;

    #[test]
    fn days_are_cut_at_local_midnight_and_to_the_period() {
        // Almaty is UTC+5: local midnight of 1 Nov is 31 Oct 19:00 UTC.
        let days = split(
            ALMATY,
            PeriodUnit::Day,
            utc("2026-10-30T12:00:00Z"),
            utc("2026-11-01T10:00:00Z"),
        )
        .unwrap();
        let got: Vec<(&str, String, String)> = days
            .iter()
            .map(|b| (b.label.as_str(), b.start.to_rfc3339(), b.end.to_rfc3339()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2026-10-30",
                    "2026-10-30T12:00:00+00:00".into(),
                    "2026-10-30T19:00:00+00:00".into()
                ),
                (
                    "2026-10-31",
                    "2026-10-30T19:00:00+00:00".into(),
                    "2026-10-31T19:00:00+00:00".into()
                ),
                (
                    "2026-11-01",
                    "2026-10-31T19:00:00+00:00".into(),
                    "2026-11-01T10:00:00+00:00".into()
                ),
            ]
        );
    }

    #[test]
    fn months_follow_the_local_calendar() {
        let months = split(
            ALMATY,
            PeriodUnit::Month,
            utc("2026-10-31T19:00:00Z"),
            utc("2027-01-31T19:00:00Z"),
        )
        .unwrap();
        let labels: Vec<&str> = months.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["2026-11", "2026-12", "2027-01"]);
        assert_eq!(months[1].start, utc("2026-11-30T19:00:00Z"));
    }

    #[test]
    fn the_overview_takes_whole_months_and_the_one_before() {
        let months = months_with_previous(
            ALMATY,
            utc("2026-11-10T00:00:00Z"),
            utc("2026-12-05T00:00:00Z"),
        )
        .unwrap();
        let labels: Vec<&str> = months.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(months[0].start, utc("2026-09-30T19:00:00Z"));
        assert_eq!(months[2].end, utc("2026-12-31T19:00:00Z"));
        // A period ending at a month's first instant does not touch that month.
        let months = months_with_previous(
            ALMATY,
            utc("2026-10-31T19:00:00Z"),
            utc("2026-11-30T19:00:00Z"),
        )
        .unwrap();
        let labels: Vec<&str> = months.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["2026-10", "2026-11"]);
    }

    #[test]
    fn a_period_is_checked() {
        let at = utc("2026-11-01T00:00:00Z");
        for (from, to) in [(at, at), (at, at - chrono::Duration::seconds(1))] {
            let err = split(ALMATY, PeriodUnit::Day, from, to).unwrap_err();
            assert!(matches!(err, AppError::Validation { ref field, .. } if field == "to"));
        }
        let two_years = split(
            ALMATY,
            PeriodUnit::Day,
            utc("2025-01-01T00:00:00Z"),
            utc("2027-01-01T00:00:00Z"),
        );
        assert!(two_years.is_ok());
        let err = split(
            ALMATY,
            PeriodUnit::Day,
            utc("2025-01-01T00:00:00Z"),
            utc("2027-01-03T00:00:00Z"),
        )
        .unwrap_err();
        assert!(matches!(err, AppError::Validation { ref field, .. } if field == "to"));
        assert!(
            split(
                ALMATY,
                PeriodUnit::Month,
                utc("2020-01-01T00:00:00Z"),
                utc("2029-12-01T00:00:00Z"),
            )
            .is_ok()
        );
        assert!(
            split(
                ALMATY,
                PeriodUnit::Month,
                utc("2020-01-01T00:00:00Z"),
                utc("2031-01-01T00:00:00Z"),
            )
            .is_err()
        );
    }

    #[test]
    fn the_bucket_case_is_balanced_and_binds_in_text_order() {
        let starts: Vec<DateTime<Utc>> = (0..5)
            .map(|d| utc("2026-11-01T00:00:00Z") + chrono::Duration::days(d))
            .collect();
        let mut sqlite = Params::new(DatabaseBackend::Sqlite);
        let sql = bucket_index(&mut sqlite, "t.at", &starts);
        assert_eq!(
            sql,
            "CAST(CASE WHEN t.at < ? THEN CASE WHEN t.at < ? THEN 0 ELSE 1 END \
             ELSE CASE WHEN t.at < ? THEN 2 ELSE CASE WHEN t.at < ? THEN 3 ELSE 4 END END END \
             AS BIGINT)"
        );
        let bound: Vec<Value> = [2, 1, 3, 4].iter().map(|i| starts[*i].into()).collect();
        assert_eq!(sqlite.values, bound);
        let mut pg = Params::new(DatabaseBackend::Postgres);
        let sql = bucket_index(&mut pg, "t.at", &starts[..2]);
        assert_eq!(sql, "CAST(CASE WHEN t.at < $1 THEN 0 ELSE 1 END AS BIGINT)");
        assert_eq!(
            bucket_index(&mut pg, "t.at", &starts[..1]),
            "CAST(0 AS BIGINT)"
        );
    }
}

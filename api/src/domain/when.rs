//! Instants and dates the business accepts. Chrono reads years from −262143 to +262142, and
//! date arithmetic near those ends panics; the databases have ranges of their own. Every
//! `DateTime` and `NaiveDate` argument is held to [`FIRST_YEAR`]..=[`LAST_YEAR`] where it
//! enters (see `crate::inputs`), so no service ever sees a date outside it.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

use crate::error::{AppError, AppResult};

/// The earliest year accepted: old enough for any client's birth date.
pub const FIRST_YEAR: i32 = 1900;
/// The latest year accepted: far enough for any booking, membership or report.
pub const LAST_YEAR: i32 = 2200;

fn out_of_range(field: &str, raw: &str) -> AppError {
    AppError::validation(
        field,
        format!("«{raw}» — дата вне допустимого диапазона {FIRST_YEAR}–{LAST_YEAR} гг."),
        format!("`{raw}` is outside the accepted years {FIRST_YEAR}–{LAST_YEAR}"),
    )
}

fn year_accepted(year: i32) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

/// An instant within the accepted years.
pub fn instant(field: &str, value: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    if year_accepted(value.year()) {
        Ok(value)
    } else {
        Err(out_of_range(field, &value.to_rfc3339()))
    }
}

/// A calendar date within the accepted years.
pub fn date(field: &str, value: NaiveDate) -> AppResult<NaiveDate> {
    if year_accepted(value.year()) {
        Ok(value)
    } else {
        Err(out_of_range(field, &value.to_string()))
    }
}

/// Checks the text of a `DateTime` argument. Text that is not a date at all is left to the
/// scalar's own parser, which answers with its own message.
pub fn check_instant_text(field: &str, raw: &str) -> AppResult<()> {
    match raw.parse::<DateTime<FixedOffset>>() {
        Ok(value) if !year_accepted(value.year()) || !year_accepted(value.naive_utc().year()) => {
            Err(out_of_range(field, raw))
        }
        _ => Ok(()),
    }
}

/// Checks the text of a `NaiveDate` argument, like [`check_instant_text`].
pub fn check_date_text(field: &str, raw: &str) -> AppResult<()> {
    match raw.parse::<NaiveDate>() {
        Ok(value) if !year_accepted(value.year()) => Err(out_of_range(field, raw)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_outside_the_range_are_refused_naming_the_field() {
        for raw in [
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "+262142-12-31T23:59:59Z",
            "-262143-01-01T00:00:00Z",
            "1899-12-31T23:59:59Z",
        ] {
            let err = check_instant_text("filter.from", raw).unwrap_err();
            assert!(
                matches!(err, AppError::Validation { ref field, .. } if field == "filter.from"),
                "{raw}"
            );
        }
        for raw in ["0000-01-01", "9999-12-31", "+262142-12-31", "-262143-01-01"] {
            assert!(check_date_text("from", raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn ordinary_dates_and_non_dates_pass() {
        assert!(check_instant_text("at", "2026-11-30T10:00:00+05:00").is_ok());
        assert!(check_instant_text("at", "1900-01-01T00:00:00Z").is_ok());
        assert!(check_date_text("on", "2200-12-31").is_ok());
        // Not a date: the scalar's parser refuses it with its own message.
        assert!(check_date_text("on", "tomorrow").is_ok());
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 30, 10, 0, 0).unwrap();
        assert_eq!(instant("at", at).unwrap(), at);
    }
}

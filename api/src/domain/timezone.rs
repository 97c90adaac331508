use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{AppError, AppResult};

/// An IANA timezone such as `Asia/Almaty`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timezone(pub Tz);

impl Timezone {
    pub fn parse(field: &str, value: &str) -> AppResult<Timezone> {
        value.trim().parse::<Tz>().map(Timezone).map_err(|_| {
            AppError::validation(
                field,
                format!(
                    "«{value}» — неизвестный часовой пояс; укажите имя IANA, например Asia/Almaty"
                ),
                format!("`{value}` is not a known timezone; use an IANA name such as Asia/Almaty"),
            )
        })
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

/// The instant of a local wall-clock time. In a repeated hour (clocks back) the first one
/// counts; in a skipped hour (clocks forward) it is the end of the gap.
pub fn instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // Walk forward to the first local time that exists: the end of the gap.
            let mut probe = local;
            for _ in 0..(24 * 60) {
                probe += Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&local)
        }
    }
}

/// The local date of an instant.
pub fn local_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// An instant as people at the location read it, for messages: `23.11.2026 15:00`.
pub fn local_text(tz: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_local_time() {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
            .single()
            .unwrap();
        assert_eq!(local_text(chrono_tz::Asia::Almaty, at), "23.11.2026 15:00");
    }

    /// Times in messages are the location's, never UTC.
    #[test]
    fn no_message_formats_a_time_as_utc() {
        fn scan(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    scan(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for (n, line) in text.lines().enumerate() {
                        if line.contains(concat!("%H:%M", " UTC")) {
                            found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        scan(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.is_empty(),
            "times shown in UTC:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn iana_names_only() {
        assert_eq!(
            Timezone::parse("tz", "Asia/Almaty").unwrap().name(),
            "Asia/Almaty"
        );
        assert_eq!(
            Timezone::parse("tz", " Europe/Moscow ").unwrap().name(),
            "Europe/Moscow"
        );
        let err = Timezone::parse("timezone", "Mars/Olympus").unwrap_err();
        assert!(matches!(err, AppError::Validation { ref field, .. } if field == "timezone"));
    }

    #[test]
    fn a_skipped_hour_starts_when_the_gap_ends() {
        // 2026-03-29 02:30 does not exist in Berlin.
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let local = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(instant(tz, local).to_rfc3339(), "2026-03-29T01:00:00+00:00");
    }

    #[test]
    fn a_repeated_hour_takes_the_first() {
        // 2026-10-25 02:30 happens twice in Berlin: first at 00:30 UTC.
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let local = NaiveDate::from_ymd_opt(2026, 10, 25)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(instant(tz, local).to_rfc3339(), "2026-10-25T00:30:00+00:00");
    }
}

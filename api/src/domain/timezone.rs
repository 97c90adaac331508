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

#[cfg(test)]
mod tests {
    use super::*;

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
}

//! Phone numbers in E.164. Kazakhstan and Russia share +7, the default country:
//! `8 (701) 123-45-67`, `+7 701 123 45 67`, `87011234567` and `7011234567` are one number.

use std::fmt;

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(field: &str, raw: &str) -> AppResult<Phone> {
        Phone::normalise(raw).ok_or_else(|| {
            AppError::validation(
                field,
                format!("«{raw}» — не номер телефона; пример: +7 701 123 45 67"),
                format!("`{raw}` is not a phone number; for example +7 701 123 45 67"),
            )
        })
    }

    /// The E.164 form, or `None` when the text is not a phone number.
    pub fn normalise(raw: &str) -> Option<Phone> {
        let trimmed = raw.trim();
        if trimmed.is_empty()
            || !trimmed
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
        {
            return None;
        }
        let international = trimmed.starts_with('+') || trimmed.starts_with("00");
        let mut digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        if trimmed.starts_with("00") {
            digits.drain(..2);
        }
        let e164 = match digits.len() {
            // A local number without the country code.
            10 if !international => format!("7{digits}"),
            // The trunk prefix 8 in place of +7.
            11 if !international && digits.starts_with('8') => format!("7{}", &digits[1..]),
            11 if digits.starts_with('7') => digits,
            8..=15 if international => digits,
            _ => return None,
        };
        Some(Phone(format!("+{e164}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// Only the digits, as kept in the search text.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_in_many_spellings() {
        for raw in [
            "8 (701) 123-45-67",
            "+77011234567",
            "7011234567",
            "87011234567",
            "+7 701 123 45 67",
            "77011234567",
        ] {
            assert_eq!(
                Phone::normalise(raw).unwrap().as_str(),
                "+77011234567",
                "{raw}"
            );
        }
    }

    #[test]
    fn other_countries_need_a_plus() {
        assert_eq!(
            Phone::normalise("+998 90 123 45 67").unwrap().as_str(),
            "+998901234567"
        );
        assert_eq!(
            Phone::normalise("00998901234567").unwrap().as_str(),
            "+998901234567"
        );
        assert!(Phone::normalise("998901234567").is_none());
    }

    #[test]
    fn refuses_what_is_not_a_phone() {
        for raw in [
            "",
            "12345",
            "phone",
            "8701123456a",
            "+1",
            "8 (701) 123-45-67-89-00",
        ] {
            assert!(Phone::normalise(raw).is_none(), "{raw}");
        }
        let err = Phone::parse("input.phone", "abc").unwrap_err();
        assert!(matches!(err, AppError::Validation { ref field, .. } if field == "input.phone"));
    }
}

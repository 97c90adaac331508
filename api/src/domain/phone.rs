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

    /// The E.164 form, or `None` when the text is not a number that can be dialled: its
    /// country's numbering plan (Google's libphonenumber metadata, through the
    /// `phonenumber` crate) decides the length and the prefixes. Without a country code
    /// the number is Kazakh (+7, shared with Russia), and `8` is the trunk prefix.
    pub fn normalise(raw: &str) -> Option<Phone> {
        let trimmed = raw.trim();
        if trimmed.is_empty()
            || trimmed.len() > 32
            || !trimmed
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
        {
            return None;
        }
        let international = trimmed.starts_with('+') || trimmed.starts_with("00");
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let text = match trimmed.strip_prefix("00") {
            Some(_) => format!("+{}", &digits[2..]),
            // 11 digits starting with 7 are +7 written without the plus.
            None if !international && digits.len() == 11 && digits.starts_with('7') => {
                format!("+{digits}")
            }
            // Ten digits are a Kazakh number without its trunk prefix.
            None if !international && digits.len() == 10 => format!("8{digits}"),
            None => trimmed.to_owned(),
        };
        let number = phonenumber::parse(Some(phonenumber::country::Id::KZ), &text).ok()?;
        if !phonenumber::is_valid(&number) {
            return None;
        }
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        e164.starts_with('+').then_some(Phone(e164))
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
                Phone::normalise(raw)
                    .unwrap_or_else(|| panic!("{raw}"))
                    .as_str(),
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
            // +7 with 9 or 12 digits cannot be dialled.
            "+7 701 123 45",
            "+7 701 123 45 678",
            "+77011234",
            "+770112345678",
        ] {
            assert!(Phone::normalise(raw).is_none(), "{raw}");
        }
        let err = Phone::parse("input.phone", "abc").unwrap_err();
        assert!(matches!(err, AppError::Validation { ref field, .. } if field == "input.phone"));
    }
}

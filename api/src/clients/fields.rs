//! The validated fields of a client record, shared by create, update and import.

use chrono::NaiveDate;

use crate::{
    domain::{Phone, email::parse_email, search::fold, text},
    error::{AppError, AppResult},
};

pub const MAX_TAGS: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientFields {
    pub last_name: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub phone: Option<Phone>,
    pub phone2: Option<Phone>,
    pub email: Option<String>,
    pub telegram_id: Option<i64>,
    pub telegram_username: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub source_id: Option<i64>,
    pub notes: Option<String>,
    pub discount_percent: i32,
    pub tags: Vec<String>,
}

/// Unchecked input, as typed by a person or read from a file. `prefix` names the fields in
/// errors (`input.` for GraphQL, `` for the import, whose errors name columns).
#[derive(Debug, Clone, Default)]
pub struct RawFields {
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub patronymic: Option<String>,
    pub phone: Option<String>,
    pub phone2: Option<String>,
    pub email: Option<String>,
    pub telegram_id: Option<String>,
    pub telegram_username: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub source_id: Option<i64>,
    pub notes: Option<String>,
    pub discount_percent: Option<i32>,
    pub tags: Vec<String>,
}

impl RawFields {
    pub fn check(self, prefix: &str) -> AppResult<ClientFields> {
        let f = |name: &str| format!("{prefix}{name}");
        let first_name = text::optional(&f("firstName"), self.first_name.as_deref(), 100)?;
        let last_name = text::optional(&f("lastName"), self.last_name.as_deref(), 100)?;
        if first_name.is_none() && last_name.is_none() {
            return Err(AppError::validation(
                f("firstName"),
                "укажите имя или фамилию клиента",
                "give the client's first or last name",
            ));
        }
        let phone = match self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => Some(Phone::parse(&f("phone"), p)?),
            None => None,
        };
        let phone2 = match self
            .phone2
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => Some(Phone::parse(&f("phone2"), p)?),
            None => None,
        };
        let phone2 = phone2.filter(|p| Some(p) != phone.as_ref());
        let email = match self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            Some(e) => Some(parse_email(&f("email"), e)?),
            None => None,
        };
        let telegram_id = match self
            .telegram_id
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(t) => Some(t.parse::<i64>().ok().filter(|v| *v > 0).ok_or_else(|| {
                AppError::validation(
                    f("telegramId"),
                    "идентификатор Telegram — положительное число",
                    "a Telegram id is a positive number",
                )
            })?),
            None => None,
        };
        let telegram_username = match self
            .telegram_username
            .as_deref()
            .map(|t| t.trim().trim_start_matches('@'))
        {
            Some("") | None => None,
            Some(handle) => {
                let ok = (5..=32).contains(&handle.len())
                    && handle
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ok {
                    return Err(AppError::validation(
                        f("telegramUsername"),
                        format!(
                            "«{handle}» — не имя пользователя Telegram (5–32 латинских букв, цифр, _)"
                        ),
                        format!(
                            "`{handle}` is not a Telegram username (5–32 Latin letters, digits, _)"
                        ),
                    ));
                }
                Some(handle.to_lowercase())
            }
        };
        let discount_percent = self.discount_percent.unwrap_or(0);
        if !(0..=100).contains(&discount_percent) {
            return Err(AppError::validation(
                f("discountPercent"),
                format!("скидка от 0 до 100 %, получено {discount_percent}"),
                format!("a discount is 0 to 100 %, got {discount_percent}"),
            ));
        }
        Ok(ClientFields {
            last_name: last_name.unwrap_or_default(),
            first_name: first_name.unwrap_or_default(),
            patronymic: text::optional(&f("patronymic"), self.patronymic.as_deref(), 100)?,
            phone,
            phone2,
            email,
            telegram_id,
            telegram_username,
            birth_date: self.birth_date,
            source_id: self.source_id,
            notes: text::optional(&f("notes"), self.notes.as_deref(), 5000)?,
            discount_percent,
            tags: tags(&f("tags"), &self.tags)?,
        })
    }
}

/// Tags: lower-case, trimmed, unique, at most 50 characters and [`MAX_TAGS`] of them.
pub fn tags(field: &str, raw: &[String]) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for tag in raw {
        let tag = fold(tag);
        if tag.is_empty() || out.contains(&tag) {
            continue;
        }
        if tag.chars().count() > 50 {
            return Err(AppError::validation(
                field,
                "метка длиннее 50 символов",
                "a tag is longer than 50 characters",
            ));
        }
        out.push(tag);
    }
    if out.len() > MAX_TAGS {
        return Err(AppError::validation(
            field,
            format!("не больше {MAX_TAGS} меток"),
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    Ok(out)
}

impl ClientFields {
    pub fn display_name(&self) -> String {
        [
            Some(self.last_name.as_str()),
            Some(self.first_name.as_str()),
            self.patronymic.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// What the one search box looks through.
    pub fn search_text(&self) -> String {
        let parts = [
            Some(self.display_name()),
            self.email.clone(),
            self.telegram_username.clone(),
            self.phone.as_ref().map(|p| p.digits().to_owned()),
            self.phone2.as_ref().map(|p| p.digits().to_owned()),
        ];
        fold(&parts.into_iter().flatten().collect::<Vec<_>>().join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_holds_names_contacts_and_phone_digits() {
        let fields = RawFields {
            last_name: Some("Ёлкина".into()),
            first_name: Some("Анна".into()),
            phone: Some("8 701 123 45 67".into()),
            telegram_username: Some("@Anna_Elk".into()),
            ..RawFields::default()
        }
        .check("input.")
        .unwrap();
        assert_eq!(fields.display_name(), "Ёлкина Анна");
        assert_eq!(fields.search_text(), "елкина анна anna_elk 77011234567");
    }

    #[test]
    fn bad_fields_are_named() {
        let err = RawFields {
            first_name: Some("Анна".into()),
            phone: Some("12".into()),
            ..RawFields::default()
        }
        .check("input.")
        .unwrap_err();
        assert!(matches!(err, AppError::Validation { ref field, .. } if field == "input.phone"));
        let err = RawFields::default().check("input.").unwrap_err();
        assert!(
            matches!(err, AppError::Validation { ref field, .. } if field == "input.firstName")
        );
        let err = RawFields {
            first_name: Some("A".into()),
            discount_percent: Some(150),
            ..RawFields::default()
        }
        .check("input.")
        .unwrap_err();
        assert!(
            matches!(err, AppError::Validation { ref field, .. } if field == "input.discountPercent")
        );
    }
}

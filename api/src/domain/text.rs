//! Names, notes and colours typed by people.

use crate::error::{AppError, AppResult};

/// A required single-line text: trimmed, not empty, at most `max` characters, no control
/// characters.
pub fn required(field: &str, value: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::validation(
            field,
            "не может быть пустым",
            "must not be empty",
        ));
    }
    checked(field, value, max)
}

/// An optional text: blank means absent.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => checked(field, v, max).map(Some),
    }
}

fn checked(field: &str, value: &str, max: usize) -> AppResult<String> {
    let len = value.chars().count();
    if len > max {
        return Err(AppError::validation(
            field,
            format!("не длиннее {max} символов (сейчас {len})"),
            format!("must be at most {max} characters (got {len})"),
        ));
    }
    controls(field, value)?;
    Ok(value.to_owned())
}

/// The one check every text argument passes (`crate::inputs` applies it to each string of
/// every request): no NUL and no other control character but line breaks and tabs.
/// PostgreSQL refuses NUL in text, and nothing a person types contains the others.
pub fn controls(field: &str, value: &str) -> AppResult<()> {
    match value
        .chars()
        .find(|&c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        None => Ok(()),
        Some(c) => Err(AppError::validation(
            field,
            format!(
                "содержит управляющий символ U+{:04X}; уберите его",
                u32::from(c)
            ),
            format!(
                "contains the control character U+{:04X}; remove it",
                u32::from(c)
            ),
        )),
    }
}

/// A colour as `#rrggbb`, stored lower-case.
pub fn color(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let hex = value.strip_prefix('#').unwrap_or("");
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(Some(format!("#{}", hex.to_ascii_lowercase())))
    } else {
        Err(AppError::validation(
            field,
            format!("«{value}» — не цвет вида #rrggbb"),
            format!("`{value}` is not a colour like #rrggbb"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_trims_and_bounds() {
        assert_eq!(required("name", "  Зал VIP ", 20).unwrap(), "Зал VIP");
        assert!(required("name", "   ", 20).is_err());
        assert!(required("name", &"я".repeat(21), 20).is_err());
        assert!(required("name", "a\u{0}b", 20).is_err());
    }

    #[test]
    fn optional_treats_blank_as_absent() {
        assert_eq!(optional("notes", Some("  "), 10).unwrap(), None);
        assert_eq!(optional("notes", None, 10).unwrap(), None);
        assert_eq!(
            optional("notes", Some(" x "), 10).unwrap(),
            Some("x".into())
        );
    }

    #[test]
    fn colours_are_hex_triplets() {
        assert_eq!(
            color("color", Some("#FFaa00")).unwrap(),
            Some("#ffaa00".into())
        );
        assert_eq!(color("color", None).unwrap(), None);
        for bad in ["red", "#fff", "ffaa00", "#ggaa00"] {
            assert!(color("color", Some(bad)).is_err(), "{bad}");
        }
    }
}

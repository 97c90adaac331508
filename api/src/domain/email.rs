use crate::error::{AppError, AppResult};

/// A plausible e-mail address, stored lower-case.
pub fn parse_email(field: &str, raw: &str) -> AppResult<String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && email.matches('@').count() == 1
        });
    if valid {
        Ok(email)
    } else {
        Err(AppError::validation(
            field,
            format!("«{raw}» — не адрес электронной почты"),
            format!("`{raw}` is not an e-mail address"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            parse_email("email", " Anna@Mail.KZ ").unwrap(),
            "anna@mail.kz"
        );
        for bad in [
            "anna",
            "anna@",
            "@mail.kz",
            "anna@mail",
            "a b@mail.kz",
            "a@@mail.kz",
            "a@.kz",
        ] {
            assert!(parse_email("email", bad).is_err(), "{bad}");
        }
    }
}

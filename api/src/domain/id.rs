use async_graphql::ID;

use crate::error::{AppError, AppResult};

/// Record ids are integers in the database and opaque `ID` strings in GraphQL.
pub fn parse_id(field: &str, id: &ID) -> AppResult<i64> {
    id.parse::<i64>().ok().filter(|v| *v > 0).ok_or_else(|| {
        AppError::validation(
            field,
            format!("«{}» не является идентификатором записи", id.as_str()),
            format!("`{}` is not a record id", id.as_str()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_positive_integers_only() {
        assert_eq!(parse_id("id", &ID::from("42")).unwrap(), 42);
        for bad in ["", "0", "-1", "abc", "1.5", "99999999999999999999"] {
            let err = parse_id("locationId", &ID::from(bad)).unwrap_err();
            assert!(matches!(err, AppError::Validation { ref field, .. } if field == "locationId"));
        }
    }
}

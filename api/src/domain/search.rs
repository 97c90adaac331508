//! Text folded for searching: lower-case in any script, `ё` as `е`, single spaces; and the
//! one way a text search reaches SQL, with LIKE wildcards escaped.

use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef, LikeExpr, SimpleExpr};

/// `needle` as a LIKE pattern matching it anywhere, with `%`, `_` and `\` escaped.
pub fn like_pattern(needle: &str) -> String {
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The column contains `needle` literally: every text search filters through this, so a
/// search for `%` finds a percent sign, not every row.
pub fn contains(column: impl IntoColumnRef, needle: &str) -> SimpleExpr {
    Expr::col(column).like(LikeExpr::new(like_pattern(needle)).escape('\\'))
}

pub fn fold(text: &str) -> String {
    let lowered: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What to look for in the folded search text, any one matching: the folded query or, when
/// the query looks like part of a phone number, its digits, and when those start with the
/// trunk prefix `8`, the same digits with `7` in its place.
pub fn needles(query: &str) -> Vec<String> {
    let folded = fold(query);
    if folded.is_empty() {
        return Vec::new();
    }
    let phone_like = folded
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    let digits: String = folded.chars().filter(char::is_ascii_digit).collect();
    if !(phone_like && digits.len() >= 3) {
        return vec![folded];
    }
    match digits.strip_prefix('8') {
        Some(rest) if digits.len() == 11 => vec![format!("7{rest}")],
        Some(rest) if rest.len() >= 3 => vec![format!("7{rest}"), digits],
        _ => vec![digits],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_yo() {
        assert_eq!(fold("  Пётр   ЁЛКИН "), "петр елкин");
        assert_eq!(fold("ANNA"), "anna");
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_pattern("50%_off"), "%50\\%\\_off%");
        assert_eq!(like_pattern("a\\b"), "%a\\\\b%");
    }

    /// Text searches go through [`contains`]: a column's own `contains`/`like` in a service
    /// would treat `%` and `_` as wildcards again.
    #[test]
    fn no_text_search_bypasses_the_escaping_helper() {
        fn scan(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    scan(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let column = concat!("Column", "::");
                    for (n, line) in text.lines().enumerate() {
                        let raw_like = [".contains(", ".like(", ".starts_with(", ".ends_with("]
                            .iter()
                            .any(|m| line.contains(m));
                        if line.contains(column) && raw_like {
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
            "text searches without domain::search::contains:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn phone_queries_become_digits() {
        assert_eq!(needles("701 123"), vec!["701123"]);
        assert_eq!(needles("8 (701) 123-45-67"), vec!["77011234567"]);
        assert_eq!(needles("8 701 12"), vec!["770112", "870112"]);
        assert_eq!(needles("Ёлкин"), vec!["елкин"]);
        assert!(needles("   ").is_empty());
    }
}

//! Text folded for searching: lower-case in any script, `ё` as `е`, single spaces.

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
    fn phone_queries_become_digits() {
        assert_eq!(needles("701 123"), vec!["701123"]);
        assert_eq!(needles("8 (701) 123-45-67"), vec!["77011234567"]);
        assert_eq!(needles("8 701 12"), vec!["770112", "870112"]);
        assert_eq!(needles("Ёлкин"), vec!["елкин"]);
        assert!(needles("   ").is_empty());
    }
}

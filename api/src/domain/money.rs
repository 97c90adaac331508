//! Money is an integer count of minor units (tiyn, kopecks, cents) everywhere but the wire,
//! where it is a decimal string with up to two fraction digits: `"1500"`, `"1500.5"`, `"-20.75"`.

use std::fmt;

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// Minor units per major unit; every currency the venues use (KZT, RUB, USD, EUR) has 100.
pub const MINOR_PER_MAJOR: i64 = 100;

/// An amount of money in minor units of the venue's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount is empty")]
    Empty,
    #[error("`{0}` is not a decimal amount with at most two fraction digits")]
    Malformed(String),
    #[error("`{0}` is too large")]
    Overflow(String),
}

impl Money {
    pub fn minor(self) -> i64 {
        self.0
    }

    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 2 {
            return Err(MoneyError::Malformed(text.to_owned()));
        }
        if digits.contains('.') && fraction.is_empty() {
            return Err(MoneyError::Malformed(text.to_owned()));
        }
        let overflow = || MoneyError::Overflow(text.to_owned());
        let whole: i64 = whole.parse().map_err(|_| overflow())?;
        let mut minor: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().map_err(|_| overflow())? * 10,
            _ => fraction.parse::<i64>().map_err(|_| overflow())?,
        };
        minor = whole
            .checked_mul(MINOR_PER_MAJOR)
            .and_then(|w| w.checked_add(minor))
            .ok_or_else(overflow)?;
        Ok(Money(if negative { -minor } else { minor }))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let per = MINOR_PER_MAJOR.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / per, abs % per)
    }
}

/// A decimal amount of money in the venue's currency, as a string: "1500.00".
#[Scalar(name = "Money")]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => Money::parse(&s).map_err(InputValueError::custom),
            Value::Number(n) => n
                .as_i64()
                .and_then(|v| v.checked_mul(MINOR_PER_MAJOR))
                .map(Money)
                .ok_or_else(|| InputValueError::custom("send amounts with a fraction as strings")),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_decimal_strings() {
        for (text, minor, shown) in [
            ("1500", 150_000, "1500.00"),
            ("1500.5", 150_050, "1500.50"),
            ("0.05", 5, "0.05"),
            ("-20.75", -2075, "-20.75"),
            (" 7 ", 700, "7.00"),
        ] {
            let money = Money::parse(text).unwrap();
            assert_eq!(money.minor(), minor, "{text}");
            assert_eq!(money.to_string(), shown);
        }
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        for bad in ["1,5", "1.234", "abc", "1.", ".5", "--1", "1e3", "+5"] {
            assert!(
                matches!(Money::parse(bad), Err(MoneyError::Malformed(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            Money::parse("99999999999999999999"),
            Err(MoneyError::Overflow(_))
        ));
    }
}

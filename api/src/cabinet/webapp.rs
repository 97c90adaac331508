//! Telegram Mini App sign-in data (`initData`), checked as Telegram specifies: the secret key
//! is HMAC-SHA256 of the bot token keyed with `"WebAppData"`; the data-check string is every
//! received field but `hash`, as `key=value`, sorted by key and joined with line feeds; its
//! HMAC-SHA256 under the secret key, in hex, must equal `hash`; and `auth_date` must be
//! recent. The same check covers what `WebApp.requestContact` answers, which Telegram signs
//! the same way.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::error::{AppError, Msg};

type HmacSha256 = Hmac<Sha256>;

/// Why signed data was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not `key=value&…` with a `hash`, or a field that does not read.
    Malformed(&'static str),
    /// The hash does not match: changed on the way, or signed for another bot.
    BadSignature,
    /// `auth_date` is older than the window allows (or in the future).
    Stale,
}

impl Refusal {
    pub fn error(&self, field: &str) -> AppError {
        match self {
            Refusal::Malformed(what) => AppError::validation(
                field,
                format!("данные Telegram не читаются ({what}): откройте приложение из бота заново"),
                format!(
                    "the Telegram data does not read ({what}): open the app from the bot again"
                ),
            ),
            Refusal::BadSignature => AppError::Unauthenticated(Msg::new(
                "Подпись данных Telegram не сходится: откройте приложение из нашего бота",
                "The Telegram data's signature does not match: open the app from our bot",
            )),
            Refusal::Stale => AppError::Unauthenticated(Msg::new(
                "Данные Telegram устарели: закройте приложение и откройте его из бота заново",
                "The Telegram data is too old: close the app and open it from the bot again",
            )),
        }
    }
}

/// The Telegram user of the Mini App, as `initData.user` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebAppUser {
    pub id: i64,
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub language_code: Option<String>,
}

/// The contact a user shared through `WebApp.requestContact`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SharedContact {
    pub user_id: i64,
    pub phone_number: String,
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
}

/// Signed data that passed the check: its fields, decoded.
#[derive(Debug, Clone)]
pub struct Checked {
    fields: Vec<(String, String)>,
    pub auth_date: DateTime<Utc>,
}

impl Checked {
    fn field(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The `user` field (initData).
    pub fn user(&self) -> Result<WebAppUser, Refusal> {
        let raw = self.field("user").ok_or(Refusal::Malformed("no user"))?;
        serde_json::from_str(raw).map_err(|_| Refusal::Malformed("user"))
    }

    /// The `contact` field (requestContact's answer).
    pub fn contact(&self) -> Result<SharedContact, Refusal> {
        let raw = self
            .field("contact")
            .ok_or(Refusal::Malformed("no contact"))?;
        serde_json::from_str(raw).map_err(|_| Refusal::Malformed("contact"))
    }
}

/// A query string read for the check: its fields but `hash` (sorted), the data-check string,
/// and the hash.
struct Split {
    fields: Vec<(String, String)>,
    check: String,
    hash: String,
}

/// The data-check string and the hash of a query string, or why it does not read.
fn split(raw: &str) -> Result<Split, Refusal> {
    let mut fields: Vec<(String, String)> = form_urlencoded::parse(raw.trim().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let at = fields
        .iter()
        .position(|(k, _)| k == "hash")
        .ok_or(Refusal::Malformed("no hash"))?;
    let (_, hash) = fields.remove(at);
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    let check = fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Split {
        fields,
        check,
        hash,
    })
}

/// HMAC-SHA256 of `data` under `key`, ready to finish or verify. HMAC takes a key of any
/// length, so this is always `Some`.
fn mac(key: &[u8], data: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(data);
    Some(mac)
}

/// The secret key of a bot's Mini App data.
fn secret_key(bot_token: &str) -> Option<Vec<u8>> {
    Some(
        mac(b"WebAppData", bot_token.as_bytes())?
            .finalize()
            .into_bytes()
            .to_vec(),
    )
}

/// The hex signature Telegram puts in `hash` for a data-check string, for a bot token.
pub fn sign(check: &str, bot_token: &str) -> String {
    let tag = secret_key(bot_token)
        .and_then(|secret| mac(&secret, check.as_bytes()))
        .map(|m| m.finalize().into_bytes().to_vec())
        .unwrap_or_default();
    tag.iter().map(|b| format!("{b:02x}")).collect()
}

/// Signs fields as Telegram would for a bot: the query string with its `hash` (for tests and
/// tools that play Telegram).
pub fn signed_query(fields: &[(&str, &str)], bot_token: &str) -> String {
    let mut sorted = fields.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let check = sorted
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        query.append_pair(k, v);
    }
    query.append_pair("hash", &sign(&check, bot_token));
    query.finish()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Checks signed data from the Mini App against the bot token, `now` and the freshness window.
pub fn check(
    raw: &str,
    bot_token: &str,
    now: DateTime<Utc>,
    max_age: Duration,
) -> Result<Checked, Refusal> {
    let Split {
        fields,
        check,
        hash,
    } = split(raw)?;
    let given = unhex(&hash).ok_or(Refusal::BadSignature)?;
    // Compared in constant time.
    secret_key(bot_token)
        .and_then(|secret| mac(&secret, check.as_bytes()))
        .ok_or(Refusal::BadSignature)?
        .verify_slice(&given)
        .map_err(|_| Refusal::BadSignature)?;
    let auth_date = fields
        .iter()
        .find(|(k, _)| k == "auth_date")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .ok_or(Refusal::Malformed("auth_date"))?;
    // A minute of clock difference is forgiven; older than the window is not.
    if auth_date > now + Duration::minutes(1) || now - auth_date > max_age {
        return Err(Refusal::Stale);
    }
    Ok(Checked { fields, auth_date })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8";
    /// Signed for `TOKEN` by an independent implementation (Python's `hmac` and `hashlib`,
    /// following Telegram's "Validating data received via the Mini App").
    const INIT_DATA: &str = "query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%7D&auth_date=1662771648&hash=HASH";

    fn signed() -> String {
        INIT_DATA.replace("HASH", EXPECTED_HASH)
    }

    const EXPECTED_HASH: &str = "c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2";

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn the_known_vector_passes_and_reads() {
        let checked = check(&signed(), TOKEN, at(1662771648 + 60), Duration::hours(1)).unwrap();
        let user = checked.user().unwrap();
        assert_eq!(user.id, 279058397);
        assert_eq!(user.first_name, "Vladislav");
        assert_eq!(user.language_code.as_deref(), Some("ru"));
        assert_eq!(checked.auth_date, at(1662771648));
    }

    #[test]
    fn the_data_check_string_is_sorted_fields_without_hash() {
        let Split { check, hash, .. } = split(&signed()).unwrap();
        assert_eq!(hash, EXPECTED_HASH);
        assert!(check.starts_with(
            "auth_date=1662771648\nquery_id=AAHdF6IQAAAAAN0XohDhrOrc\nuser={\"id\":279058397,"
        ));
        assert_eq!(sign(&check, TOKEN), EXPECTED_HASH);
    }

    #[test]
    fn signed_queries_pass_the_check() {
        let query = signed_query(
            &[
                ("user", "{\"id\":5,\"first_name\":\"Ая\"}"),
                ("auth_date", "1662771648"),
            ],
            TOKEN,
        );
        let checked = check(&query, TOKEN, at(1662771648), Duration::hours(1)).unwrap();
        assert_eq!(checked.user().unwrap().first_name, "Ая");
    }

    #[test]
    fn tampered_foreign_and_stale_data_are_refused() {
        let now = at(1662771648 + 60);
        let hour = Duration::hours(1);
        let tampered = signed().replace("279058397", "279058398");
        assert_eq!(
            check(&tampered, TOKEN, now, hour).unwrap_err(),
            Refusal::BadSignature
        );
        let foreign = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx9";
        assert_eq!(
            check(&signed(), foreign, now, hour).unwrap_err(),
            Refusal::BadSignature
        );
        let late = at(1662771648) + Duration::hours(2);
        assert_eq!(
            check(&signed(), TOKEN, late, hour).unwrap_err(),
            Refusal::Stale
        );
        assert_eq!(
            check("user=1&auth_date=2", TOKEN, now, hour).unwrap_err(),
            Refusal::Malformed("no hash")
        );
        assert_eq!(
            check(&signed().replace(EXPECTED_HASH, "zz"), TOKEN, now, hour).unwrap_err(),
            Refusal::BadSignature
        );
    }
}

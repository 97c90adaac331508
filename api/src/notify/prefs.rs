//! Each recipient's channels, opt-out and language; each location's quiet hours and reminders.

use entity::{client_account, notification_preference, notification_setting, telegram_account};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::engine::Recipient;
use crate::error::AppResult;

/// A recipient's preferences; everything on, no language, when they never set any.
pub async fn of<C: ConnectionTrait>(
    conn: &C,
    recipient: &str,
) -> AppResult<notification_preference::Model> {
    Ok(
        notification_preference::Entity::find_by_id(recipient.to_owned())
            .one(conn)
            .await?
            .unwrap_or_else(|| notification_preference::Model {
                recipient: recipient.to_owned(),
                telegram: true,
                push: true,
                opted_out: false,
                language: None,
                updated_at: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
            }),
    )
}

/// The template language: `ru` or `en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Ru,
    En,
}

impl Language {
    pub fn parse(code: &str) -> Option<Language> {
        let code = code.trim().to_ascii_lowercase();
        if code.starts_with("en") {
            Some(Language::En)
        } else if code.starts_with("ru") {
            Some(Language::Ru)
        } else {
            None
        }
    }
}

/// The login ids a recipient signs in with: their own user, or the client's logins.
pub async fn logins<C: ConnectionTrait>(conn: &C, recipient: Recipient) -> AppResult<Vec<i64>> {
    Ok(match recipient {
        Recipient::User(id) => vec![id],
        Recipient::Client(id) => {
            client_account::Entity::find()
                .select_only()
                .column(client_account::Column::UserId)
                .filter(client_account::Column::ClientId.eq(id))
                .into_tuple::<i64>()
                .all(conn)
                .await?
        }
    })
}

/// The recipient's language: the one they chose, else their Telegram's, else Russian.
pub async fn language<C: ConnectionTrait>(
    conn: &C,
    recipient: Recipient,
    pref: &notification_preference::Model,
) -> AppResult<Language> {
    if let Some(lang) = pref.language.as_deref().and_then(Language::parse) {
        return Ok(lang);
    }
    let users = logins(conn, recipient).await?;
    if !users.is_empty() {
        let telegram = telegram_account::Entity::find()
            .filter(telegram_account::Column::UserId.is_in(users))
            .all(conn)
            .await?;
        if let Some(lang) = telegram
            .iter()
            .find_map(|a| a.language.as_deref().and_then(Language::parse))
        {
            return Ok(lang);
        }
    }
    Ok(Language::Ru)
}

/// The defaults of a location that never set its notifications.
pub fn default_settings(location_id: i64) -> notification_setting::Model {
    notification_setting::Model {
        location_id,
        quiet_from: None,
        quiet_to: None,
        appointment_hours: serde_json::json!([24, 2]),
        class_hours: Some(2),
        membership_expiring_days: Some(3),
        membership_expired: true,
        missed_threshold: Some(2),
        exam_days: Some(1),
        payment_due_days: Some(1),
        updated_at: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
    }
}

/// A location's settings, or the defaults.
pub async fn settings<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
) -> AppResult<notification_setting::Model> {
    Ok(notification_setting::Entity::find_by_id(location_id)
        .one(conn)
        .await?
        .unwrap_or_else(|| default_settings(location_id)))
}

/// The appointment reminder hours of a setting, largest first.
pub fn appointment_hours(setting: &notification_setting::Model) -> Vec<i64> {
    let mut hours: Vec<i64> = setting
        .appointment_hours
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h.as_i64())
        .filter(|h| *h > 0)
        .collect();
    hours.sort_unstable_by(|a, b| b.cmp(a));
    hours.dedup();
    hours
}

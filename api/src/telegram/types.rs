use async_graphql::{ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::Role;

/// A one-time code to send the bot (`/link 1234-5678`), valid for 15 minutes.
#[derive(SimpleObject)]
pub struct TelegramLinkCode {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// A Telegram account and the login it is linked to.
#[derive(SimpleObject)]
pub struct TelegramAccount {
    pub telegram_user_id: ID,
    pub chat_id: ID,
    pub user_id: ID,
    pub linked_at: DateTime<Utc>,
}

impl From<entity::telegram_account::Model> for TelegramAccount {
    fn from(a: entity::telegram_account::Model) -> Self {
        TelegramAccount {
            telegram_user_id: a.telegram_user_id.into(),
            chat_id: a.chat_id.into(),
            user_id: a.user_id.into(),
            linked_at: a.linked_at,
        }
    }
}

/// The bot's sign-in for a linked Telegram user: an access token of their login.
#[derive(SimpleObject)]
pub struct TelegramSession {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub user_id: ID,
    pub role: Role,
    pub display_name: String,
    /// The client record a client login acts for.
    pub client_id: Option<ID>,
    /// Telegram's language code of the user (`ru`, `en`, …).
    pub language: Option<String>,
}

/// Who the bot is talking to, as Telegram tells it.
#[derive(InputObject)]
pub struct TelegramUserInput {
    pub telegram_user_id: ID,
    /// The private chat with the bot.
    pub chat_id: ID,
    pub language: Option<String>,
}

/// The contact card a client shared with the bot (Telegram's "share my phone number").
#[derive(InputObject)]
pub struct SharedContactInput {
    pub phone: String,
    pub first_name: String,
    pub last_name: Option<String>,
}

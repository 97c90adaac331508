use sea_orm::entity::prelude::*;

/// A Telegram account linked to a clubgrid login: a staff member's own user, or the client
/// login a shared phone number found or made. The bot acts for that login.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "telegram_account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub telegram_user_id: i64,
    /// The private chat with the bot, where messages for this person go.
    pub chat_id: i64,
    pub user_id: i64,
    /// Telegram's `language_code` (`ru`, `en`, …), for choosing templates.
    pub language: Option<String>,
    /// The sign-in family of the bot's tokens for this account: ending it (logout, password or
    /// role change) ends the bot's access too.
    pub family: String,
    pub linked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

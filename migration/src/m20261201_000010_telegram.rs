//! Telegram: accounts linked to logins, one-time link codes, and the bot's conversations.
//!
//! `telegram_account` links a Telegram user to the login the bot acts for (a staff member's
//! own, or a client login); `telegram_link_code` holds hashed one-time codes a staff member
//! sends the bot to link; `bot_chat` keeps where each chat's conversation stands, so a bot
//! restart carries on.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TelegramAccount {
    Table,
    TelegramUserId,
    ChatId,
    UserId,
    Language,
    Family,
    LinkedAt,
}

#[derive(DeriveIden)]
enum TelegramLinkCode {
    Table,
    CodeHash,
    UserId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum BotChat {
    Table,
    ChatId,
    State,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TelegramAccount::Table)
                    .col(big_integer(TelegramAccount::TelegramUserId).primary_key())
                    .col(big_integer(TelegramAccount::ChatId))
                    .col(big_integer(TelegramAccount::UserId))
                    .col(string_len_null(TelegramAccount::Language, 16))
                    .col(string_len(TelegramAccount::Family, 64))
                    .col(timestamp_with_time_zone(TelegramAccount::LinkedAt))
                    .foreign_key(&mut fk(
                        TelegramAccount::Table,
                        TelegramAccount::UserId,
                        AppUser::Table,
                        AppUser::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_telegram_account_user",
                TelegramAccount::Table,
                &["user_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TelegramLinkCode::Table)
                    .col(string_len(TelegramLinkCode::CodeHash, 64).primary_key())
                    .col(big_integer(TelegramLinkCode::UserId))
                    .col(timestamp_with_time_zone(TelegramLinkCode::CreatedAt))
                    .col(timestamp_with_time_zone(TelegramLinkCode::ExpiresAt))
                    .col(timestamp_with_time_zone_null(TelegramLinkCode::UsedAt))
                    .foreign_key(&mut fk(
                        TelegramLinkCode::Table,
                        TelegramLinkCode::UserId,
                        AppUser::Table,
                        AppUser::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BotChat::Table)
                    .col(big_integer(BotChat::ChatId).primary_key())
                    .col(text(BotChat::State))
                    .col(timestamp_with_time_zone(BotChat::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            BotChat::Table.into_iden(),
            TelegramLinkCode::Table.into_iden(),
            TelegramAccount::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

//! Wallets as an append-only ledger, payments by method, and idempotency keys.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Client {
    Table,
    Id,
    CreditLimit,
}

#[derive(DeriveIden)]
enum WalletEntry {
    Table,
    Id,
    ClientId,
    Kind,
    Method,
    Amount,
    Reason,
    PaymentId,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    Id,
    ClientId,
    Amount,
    Method,
    Purpose,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    Key,
    Scope,
    RequestHash,
    Response,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Client::Table)
                    .add_column(big_integer(Client::CreditLimit).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Payment::Table)
                    .col(big_pk_auto(Payment::Id))
                    .col(big_integer_null(Payment::ClientId))
                    .col(big_integer(Payment::Amount))
                    .col(string_len(Payment::Method, 16))
                    .col(string_len(Payment::Purpose, 200))
                    .col(big_integer_null(Payment::CreatedBy))
                    .col(timestamp_with_time_zone(Payment::CreatedAt))
                    .foreign_key(&mut fk(
                        Payment::Table,
                        Payment::ClientId,
                        Client::Table,
                        Client::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_payment_client",
                Payment::Table,
                &["client_id", "created_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_payment_created",
                Payment::Table,
                &["created_at"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WalletEntry::Table)
                    .col(big_pk_auto(WalletEntry::Id))
                    .col(big_integer(WalletEntry::ClientId))
                    .col(string_len(WalletEntry::Kind, 16))
                    .col(string_len_null(WalletEntry::Method, 16))
                    .col(big_integer(WalletEntry::Amount))
                    .col(string_len_null(WalletEntry::Reason, 500))
                    .col(big_integer_null(WalletEntry::PaymentId))
                    .col(big_integer_null(WalletEntry::CreatedBy))
                    .col(timestamp_with_time_zone(WalletEntry::CreatedAt))
                    .foreign_key(&mut fk(
                        WalletEntry::Table,
                        WalletEntry::ClientId,
                        Client::Table,
                        Client::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        WalletEntry::Table,
                        WalletEntry::PaymentId,
                        Payment::Table,
                        Payment::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_wallet_entry_client",
                WalletEntry::Table,
                &["client_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(string_len(IdempotencyKey::Key, 100).primary_key())
                    .col(string_len(IdempotencyKey::Scope, 64))
                    .col(string_len(IdempotencyKey::RequestHash, 64))
                    .col(json(IdempotencyKey::Response))
                    .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKey::Table.into_iden(),
            WalletEntry::Table.into_iden(),
            Payment::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Client::Table)
                    .drop_column(Client::CreditLimit)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

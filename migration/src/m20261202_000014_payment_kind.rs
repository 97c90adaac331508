//! What a payment was for (a club session, an appointment, a package, a membership, a
//! training program, or something else), so revenue can be told apart by what sold and the
//! funnel can follow the money; and the value a funnel card is expected to bring.
//!
//! Payments taken before this migration are classed by the purpose text each feature wrote.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Payment {
    Table,
    Kind,
}

#[derive(DeriveIden)]
enum Client {
    Table,
    DealValue,
}

/// The purpose texts each feature wrote before payments said what they were for.
const CLASSES: &[(&str, &str)] = &[
    ("club_session", "Игровой сеанс %"),
    ("appointment", "Запись: %"),
    ("package", "Пакет: %"),
    ("membership", "Абонемент «%"),
    ("membership", "Продление абонемента «%"),
    ("program", "Программа «%"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Payment::Table)
                    .add_column(string_len(Payment::Kind, 16).default("other"))
                    .to_owned(),
            )
            .await?;
        for (kind, pattern) in CLASSES {
            manager
                .exec_stmt(
                    Query::update()
                        .table(Payment::Table)
                        .value(Payment::Kind, *kind)
                        .and_where(Expr::col(Alias::new("purpose")).like(*pattern))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(index(
                "ix_payment_kind_created",
                Payment::Table,
                &["kind", "created_at"],
                false,
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Client::Table)
                    .add_column(big_integer_null(Client::DealValue))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Client::Table)
                    .drop_column(Client::DealValue)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_payment_kind_created")
                    .table(Payment::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Payment::Table)
                    .drop_column(Payment::Kind)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

//! Cashier shifts: one open shift per location, its cash operations, and the shift every
//! payment and wallet line belongs to.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CashShift {
    Table,
    Id,
    LocationId,
    OperatorId,
    OpenedAt,
    OpeningCash,
    ClosedAt,
    ClosedBy,
    CountedCash,
    CountedCoins,
    CountedKaspi,
    CountedCard,
    CountedDebt,
    Comment,
}

#[derive(DeriveIden)]
enum CashOperation {
    Table,
    Id,
    ShiftId,
    Kind,
    Amount,
    Reason,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    ShiftId,
}

#[derive(DeriveIden)]
enum WalletEntry {
    Table,
    ShiftId,
}

#[derive(DeriveIden)]
enum Location {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CashShift::Table)
                    .col(big_pk_auto(CashShift::Id))
                    .col(big_integer(CashShift::LocationId))
                    .col(big_integer(CashShift::OperatorId))
                    .col(timestamp_with_time_zone(CashShift::OpenedAt))
                    .col(big_integer(CashShift::OpeningCash))
                    .col(timestamp_with_time_zone_null(CashShift::ClosedAt))
                    .col(big_integer_null(CashShift::ClosedBy))
                    .col(big_integer_null(CashShift::CountedCash))
                    .col(big_integer_null(CashShift::CountedCoins))
                    .col(big_integer_null(CashShift::CountedKaspi))
                    .col(big_integer_null(CashShift::CountedCard))
                    .col(big_integer_null(CashShift::CountedDebt))
                    .col(text_null(CashShift::Comment))
                    .foreign_key(&mut fk(
                        CashShift::Table,
                        CashShift::LocationId,
                        Location::Table,
                        Location::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_cash_shift_location",
                CashShift::Table,
                &["location_id", "opened_at"],
                false,
            ))
            .await?;
        // The database refuses a second open shift at a location, whatever races.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_cash_shift_open ON cash_shift (location_id) WHERE closed_at IS NULL",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CashOperation::Table)
                    .col(big_pk_auto(CashOperation::Id))
                    .col(big_integer(CashOperation::ShiftId))
                    .col(string_len(CashOperation::Kind, 8))
                    .col(big_integer(CashOperation::Amount))
                    .col(string_len(CashOperation::Reason, 500))
                    .col(big_integer_null(CashOperation::CreatedBy))
                    .col(timestamp_with_time_zone(CashOperation::CreatedAt))
                    .foreign_key(&mut fk(
                        CashOperation::Table,
                        CashOperation::ShiftId,
                        CashShift::Table,
                        CashShift::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_cash_operation_shift",
                CashOperation::Table,
                &["shift_id"],
                false,
            ))
            .await?;
        for (table, name) in [
            (Payment::Table.into_iden(), "ix_payment_shift"),
            (WalletEntry::Table.into_iden(), "ix_wallet_entry_shift"),
        ] {
            let column: DynIden = if name == "ix_payment_shift" {
                Payment::ShiftId.into_iden()
            } else {
                WalletEntry::ShiftId.into_iden()
            };
            manager
                .alter_table(
                    Table::alter()
                        .table(table.clone())
                        .add_column(big_integer_null(column))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(index(name, table, &["shift_id"], false))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CashOperation::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CashShift::Table).to_owned())
            .await?;
        Ok(())
    }
}

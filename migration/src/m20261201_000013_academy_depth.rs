//! A class's weekly pattern (one class on several weekdays, each with its time); a location's
//! academy rules (the age of adult belts, the time a belt is held); and who answers a funnel
//! stage's new cards: a stage may name the staff member a lead entering it is due with, the
//! same day (SQLite cannot add a constraint to a table it has; accounts are switched off,
//! never deleted, and the service checks the id).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcademyClass {
    Table,
    Days,
}

#[derive(DeriveIden)]
enum AcademySetting {
    Table,
    LocationId,
    AdultAge,
    MinMonthsAtBelt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Location {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PipelineStage {
    Table,
    OwnerUserId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AcademyClass::Table)
                    .add_column(json_binary_null(AcademyClass::Days))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AcademySetting::Table)
                    .col(big_integer(AcademySetting::LocationId).primary_key())
                    .col(integer(AcademySetting::AdultAge))
                    .col(integer(AcademySetting::MinMonthsAtBelt))
                    .col(timestamp_with_time_zone(AcademySetting::UpdatedAt))
                    .foreign_key(&mut fk(
                        AcademySetting::Table,
                        AcademySetting::LocationId,
                        Location::Table,
                        Location::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PipelineStage::Table)
                    .add_column(big_integer_null(PipelineStage::OwnerUserId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AcademySetting::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AcademyClass::Table)
                    .drop_column(AcademyClass::Days)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PipelineStage::Table)
                    .drop_column(PipelineStage::OwnerUserId)
                    .to_owned(),
            )
            .await
    }
}

//! A class's weekly pattern (one class on several weekdays, each with its time); the waitlist
//! of a full class session; memberships that renew (a recurring plan, what a renewal left
//! due); a location's
//! academy rules (the age of adult belts, the time a belt is held); and who answers a funnel
//! stage's new cards: a stage may name the staff member a lead entering it is due with, the
//! same day (SQLite cannot add a constraint to a table it has; accounts are switched off,
//! never deleted, and the service checks the id).

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

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
enum AcademyPlan {
    Table,
    Recurring,
}

#[derive(DeriveIden)]
enum AcademyMembership {
    Table,
    Renews,
    RenewedToId,
    AmountDue,
}

#[derive(DeriveIden)]
enum AcademyWaitlist {
    Table,
    Id,
    SessionId,
    StudentId,
    Status,
    OfferedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AcademySession {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AcademyStudent {
    Table,
    Id,
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
                    .table(AcademyPlan::Table)
                    .add_column(boolean(AcademyPlan::Recurring).default(false))
                    .to_owned(),
            )
            .await?;
        // One column a statement: SQLite adds one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(AcademyMembership::Table)
                    .add_column(boolean(AcademyMembership::Renews).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AcademyMembership::Table)
                    .add_column(big_integer_null(AcademyMembership::RenewedToId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AcademyMembership::Table)
                    .add_column(big_integer(AcademyMembership::AmountDue).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AcademyWaitlist::Table)
                    .col(big_pk_auto(AcademyWaitlist::Id))
                    .col(big_integer(AcademyWaitlist::SessionId))
                    .col(big_integer(AcademyWaitlist::StudentId))
                    .col(string_len(AcademyWaitlist::Status, 16))
                    .col(timestamp_with_time_zone_null(AcademyWaitlist::OfferedAt))
                    .col(timestamp_with_time_zone(AcademyWaitlist::CreatedAt))
                    .col(timestamp_with_time_zone(AcademyWaitlist::UpdatedAt))
                    .foreign_key(&mut fk(
                        AcademyWaitlist::Table,
                        AcademyWaitlist::SessionId,
                        AcademySession::Table,
                        AcademySession::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        AcademyWaitlist::Table,
                        AcademyWaitlist::StudentId,
                        AcademyStudent::Table,
                        AcademyStudent::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_academy_waitlist_session_student",
                AcademyWaitlist::Table,
                &["session_id", "student_id"],
                true,
            ))
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
            .drop_table(Table::drop().table(AcademyWaitlist::Table).to_owned())
            .await?;
        for column in [
            AcademyMembership::Renews,
            AcademyMembership::RenewedToId,
            AcademyMembership::AmountDue,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AcademyMembership::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AcademyPlan::Table)
                    .drop_column(AcademyPlan::Recurring)
                    .to_owned(),
            )
            .await?;
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

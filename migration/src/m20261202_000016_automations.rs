//! Automations: rules that act on the outbox's events (a trigger, conditions, actions, kept as
//! data), the log of their runs (one per rule and event, which is what makes a rule fire at
//! most once per event), the cursor of the rule engine on the outbox and the chain of rules an
//! event came from; a stage move made by a rule names it; an assigned training program is
//! started and completed.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AutomationRule {
    Table,
    Id,
    Name,
    Trigger,
    Conditions,
    Actions,
    Enabled,
    Builtin,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AutomationRun {
    Table,
    Id,
    RuleId,
    SourceKey,
    EventId,
    EventKind,
    ClientId,
    Status,
    Actions,
    Error,
    OccurredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OutboxEvent {
    Table,
    AutomatedAt,
    RuleChain,
}

#[derive(DeriveIden)]
enum StageHistory {
    Table,
    RuleId,
}

#[derive(DeriveIden)]
enum CoachingAssignment {
    Table,
    StartedAt,
    CompletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AutomationRule::Table)
                    .col(big_pk_auto(AutomationRule::Id))
                    .col(string_len(AutomationRule::Name, 200))
                    .col(string_len(AutomationRule::Trigger, 40))
                    .col(json_binary(AutomationRule::Conditions))
                    .col(json_binary(AutomationRule::Actions))
                    .col(boolean(AutomationRule::Enabled).default(true))
                    .col(string_len_null(AutomationRule::Builtin, 40).unique_key())
                    .col(big_integer_null(AutomationRule::CreatedBy))
                    .col(timestamp_with_time_zone(AutomationRule::CreatedAt))
                    .col(timestamp_with_time_zone(AutomationRule::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AutomationRun::Table)
                    .col(big_pk_auto(AutomationRun::Id))
                    .col(big_integer(AutomationRun::RuleId))
                    .col(string_len(AutomationRun::SourceKey, 100))
                    .col(big_integer_null(AutomationRun::EventId))
                    .col(string_len(AutomationRun::EventKind, 40))
                    .col(big_integer_null(AutomationRun::ClientId))
                    .col(string_len(AutomationRun::Status, 16))
                    .col(json_binary(AutomationRun::Actions))
                    .col(text_null(AutomationRun::Error))
                    .col(timestamp_with_time_zone(AutomationRun::OccurredAt))
                    .col(timestamp_with_time_zone(AutomationRun::CreatedAt))
                    .foreign_key(&mut fk(
                        AutomationRun::Table,
                        AutomationRun::RuleId,
                        AutomationRule::Table,
                        AutomationRule::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_automation_run_rule_source",
                AutomationRun::Table,
                &["rule_id", "source_key"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_automation_run_rule_id",
                AutomationRun::Table,
                &["rule_id", "id"],
                false,
            ))
            .await?;
        for column in [
            timestamp_with_time_zone_null(OutboxEvent::AutomatedAt),
            json_binary_null(OutboxEvent::RuleChain),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OutboxEvent::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        // The engine's cursor: rows not yet seen, oldest first.
        manager
            .create_index(index(
                "ix_outbox_event_automated",
                OutboxEvent::Table,
                &["automated_at", "id"],
                false,
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(StageHistory::Table)
                    .add_column(big_integer_null(StageHistory::RuleId))
                    .to_owned(),
            )
            .await?;
        for column in [
            timestamp_with_time_zone_null(CoachingAssignment::StartedAt),
            timestamp_with_time_zone_null(CoachingAssignment::CompletedAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CoachingAssignment::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            CoachingAssignment::CompletedAt,
            CoachingAssignment::StartedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CoachingAssignment::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(StageHistory::Table)
                    .drop_column(StageHistory::RuleId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_outbox_event_automated")
                    .table(OutboxEvent::Table)
                    .to_owned(),
            )
            .await?;
        for column in [OutboxEvent::RuleChain, OutboxEvent::AutomatedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(OutboxEvent::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(AutomationRun::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AutomationRule::Table).to_owned())
            .await?;
        Ok(())
    }
}

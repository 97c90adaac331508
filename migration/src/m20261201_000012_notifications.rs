//! Notifications: a durable log of what is sent to whom on which channel, each recipient's
//! preferences, each location's settings (quiet hours, reminders), and the VAPID key pair of
//! Web Push.
//!
//! - `notification` is unique on (source key, recipient, channel): an event or a reminder
//!   reaches each recipient at most once per channel, however many replicas fan it out.
//! - `outbox_event.notified_at` marks the events already fanned out; the events written
//!   before this migration count as done, so an upgrade does not replay old news.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    SourceKey,
    Kind,
    Recipient,
    ClientId,
    UserId,
    Channel,
    LocationId,
    Status,
    Payload,
    Attempts,
    NextAttemptAt,
    HeldUntil,
    ClaimedUntil,
    ClaimToken,
    LastError,
    OccurredAt,
    CreatedAt,
    SentAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NotificationPreference {
    Table,
    Recipient,
    Telegram,
    Push,
    OptedOut,
    Language,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NotificationSetting {
    Table,
    LocationId,
    QuietFrom,
    QuietTo,
    AppointmentHours,
    ClassHours,
    MembershipExpiringDays,
    MembershipExpired,
    MissedThreshold,
    ExamDays,
    PaymentDueDays,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NotificationKey {
    Table,
    Id,
    PrivateKey,
    PublicKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OutboxEvent {
    Table,
    NotifiedAt,
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
                    .table(Notification::Table)
                    .col(big_pk_auto(Notification::Id))
                    .col(string_len(Notification::SourceKey, 200))
                    .col(string_len(Notification::Kind, 64))
                    .col(string_len(Notification::Recipient, 64))
                    .col(big_integer_null(Notification::ClientId))
                    .col(big_integer_null(Notification::UserId))
                    .col(string_len(Notification::Channel, 16))
                    .col(big_integer_null(Notification::LocationId))
                    .col(string_len(Notification::Status, 16))
                    .col(json_binary(Notification::Payload))
                    .col(integer(Notification::Attempts))
                    .col(timestamp_with_time_zone(Notification::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Notification::HeldUntil))
                    .col(timestamp_with_time_zone_null(Notification::ClaimedUntil))
                    .col(string_len_null(Notification::ClaimToken, 40))
                    .col(text_null(Notification::LastError))
                    .col(timestamp_with_time_zone(Notification::OccurredAt))
                    .col(timestamp_with_time_zone(Notification::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notification::SentAt))
                    .col(timestamp_with_time_zone(Notification::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_notification_once",
                Notification::Table,
                &["source_key", "recipient", "channel"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_notification_due",
                Notification::Table,
                &["status", "next_attempt_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_notification_recipient",
                Notification::Table,
                &["recipient", "created_at"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationPreference::Table)
                    .col(string_len(NotificationPreference::Recipient, 64).primary_key())
                    .col(boolean(NotificationPreference::Telegram))
                    .col(boolean(NotificationPreference::Push))
                    .col(boolean(NotificationPreference::OptedOut))
                    .col(string_len_null(NotificationPreference::Language, 8))
                    .col(timestamp_with_time_zone(NotificationPreference::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationSetting::Table)
                    .col(big_integer(NotificationSetting::LocationId).primary_key())
                    .col(time_null(NotificationSetting::QuietFrom))
                    .col(time_null(NotificationSetting::QuietTo))
                    .col(json_binary(NotificationSetting::AppointmentHours))
                    .col(integer_null(NotificationSetting::ClassHours))
                    .col(integer_null(NotificationSetting::MembershipExpiringDays))
                    .col(boolean(NotificationSetting::MembershipExpired))
                    .col(integer_null(NotificationSetting::MissedThreshold))
                    .col(integer_null(NotificationSetting::ExamDays))
                    .col(integer_null(NotificationSetting::PaymentDueDays))
                    .col(timestamp_with_time_zone(NotificationSetting::UpdatedAt))
                    .foreign_key(&mut fk(
                        NotificationSetting::Table,
                        NotificationSetting::LocationId,
                        Location::Table,
                        Location::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationKey::Table)
                    .col(integer(NotificationKey::Id).primary_key())
                    .col(string_len(NotificationKey::PrivateKey, 100))
                    .col(string_len(NotificationKey::PublicKey, 200))
                    .col(timestamp_with_time_zone(NotificationKey::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OutboxEvent::Table)
                    .add_column(timestamp_with_time_zone_null(OutboxEvent::NotifiedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("UPDATE outbox_event SET notified_at = created_at")
            .await?;
        manager
            .create_index(index(
                "ix_outbox_event_notified",
                OutboxEvent::Table,
                &["notified_at"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_outbox_event_notified")
                    .table(OutboxEvent::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OutboxEvent::Table)
                    .drop_column(OutboxEvent::NotifiedAt)
                    .to_owned(),
            )
            .await?;
        for table in [
            NotificationKey::Table.into_iden(),
            NotificationSetting::Table.into_iden(),
            NotificationPreference::Table.into_iden(),
            Notification::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

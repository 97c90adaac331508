//! The transactional outbox, and one link from a login to a client.
//!
//! `outbox_event` holds domain events written in the transaction of their change; the relay
//! publishes unsent rows and stamps `sent_at`. The index on `(sent_at, id)` keeps the relay's
//! "oldest unsent first" scan short however many sent rows wait to be pruned.
//!
//! Logins used to reach a client two ways: booking's `client_account` and the academy's
//! `academy_student.user_id`. Every academy link that `client_account` lacks is copied into
//! it, and the academy column is emptied: nothing reads it any more. The column itself stays,
//! because SQLite cannot drop a column that a foreign key names.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OutboxEvent {
    Table,
    Id,
    Topic,
    Kind,
    LocationId,
    OccurredAt,
    Payload,
    CreatedAt,
    SentAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxEvent::Table)
                    .col(big_pk_auto(OutboxEvent::Id))
                    .col(string_len(OutboxEvent::Topic, 100))
                    .col(string_len(OutboxEvent::Kind, 64))
                    .col(big_integer_null(OutboxEvent::LocationId))
                    .col(timestamp_with_time_zone(OutboxEvent::OccurredAt))
                    .col(json(OutboxEvent::Payload))
                    .col(timestamp_with_time_zone(OutboxEvent::CreatedAt))
                    .col(timestamp_with_time_zone_null(OutboxEvent::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_outbox_event_unsent",
                OutboxEvent::Table,
                &["sent_at", "id"],
                false,
            ))
            .await?;
        let conn = manager.get_connection();
        conn.execute_unprepared(
            "INSERT INTO client_account (user_id, client_id, created_at) \
             SELECT s.user_id, s.client_id, s.created_at FROM academy_student s \
             JOIN app_user u ON u.id = s.user_id \
             WHERE s.user_id IS NOT NULL AND u.role = 'client' \
             AND NOT EXISTS (SELECT 1 FROM client_account a WHERE a.user_id = s.user_id)",
        )
        .await?;
        conn.execute_unprepared("UPDATE academy_student SET user_id = NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE academy_student SET user_id = \
                 (SELECT a.user_id FROM client_account a WHERE a.client_id = academy_student.client_id \
                  ORDER BY a.user_id LIMIT 1)",
            )
            .await?;
        manager
            .drop_table(Table::drop().table(OutboxEvent::Table).to_owned())
            .await?;
        Ok(())
    }
}

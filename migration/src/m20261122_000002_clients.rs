//! One client record for every vertical, its tags and sources; the sales funnel with its
//! history; interactions and the contact log.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ClientSource {
    Table,
    Id,
    Name,
    Active,
    SortOrder,
}

#[derive(DeriveIden)]
enum PipelineStage {
    Table,
    Id,
    Name,
    Color,
    Position,
    Outcome,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Client {
    Table,
    Id,
    LastName,
    FirstName,
    Patronymic,
    DisplayName,
    Phone,
    Phone2,
    Email,
    TelegramId,
    TelegramUsername,
    BirthDate,
    BirthMonth,
    SourceId,
    Notes,
    DiscountPercent,
    Active,
    StageId,
    StageEnteredAt,
    LastVisitAt,
    LastContactAt,
    NextContactAt,
    NextContactUserId,
    SearchText,
    MergedIntoId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ClientTag {
    Table,
    ClientId,
    Tag,
}

#[derive(DeriveIden)]
enum StageHistory {
    Table,
    Id,
    ClientId,
    FromStageId,
    ToStageId,
    MovedAt,
    MovedBy,
    Note,
    LostReason,
}

#[derive(DeriveIden)]
enum Interaction {
    Table,
    Id,
    ClientId,
    Kind,
    Channel,
    Direction,
    Text,
    At,
    AuthorUserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

/// The funnel of seed 001, in Russian.
const DEFAULT_STAGES: &[(&str, &str, &str)] = &[
    ("Первичный контакт", "#90caf9", "open"),
    ("Консультация", "#64b5f6", "open"),
    ("Принимают решение", "#ffb74d", "open"),
    ("Куплена услуга", "#81c784", "won"),
    ("Активный клиент", "#4caf50", "won"),
    ("Завершен", "#9e9e9e", "won"),
    ("Неактивен", "#e57373", "lost"),
];

const DEFAULT_SOURCES: &[&str] = &[
    "Instagram",
    "2ГИС",
    "Друзья",
    "Сайт",
    "Telegram",
    "Проходил мимо",
    "Другое",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ClientSource::Table)
                    .col(big_pk_auto(ClientSource::Id))
                    .col(string_len_uniq(ClientSource::Name, 100))
                    .col(boolean(ClientSource::Active))
                    .col(integer(ClientSource::SortOrder))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PipelineStage::Table)
                    .col(big_pk_auto(PipelineStage::Id))
                    .col(string_len_uniq(PipelineStage::Name, 100))
                    .col(string_len(PipelineStage::Color, 7))
                    .col(integer(PipelineStage::Position))
                    .col(string_len(PipelineStage::Outcome, 8))
                    .col(timestamp_with_time_zone(PipelineStage::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Client::Table)
                    .col(big_pk_auto(Client::Id))
                    .col(string_len(Client::LastName, 100))
                    .col(string_len(Client::FirstName, 100))
                    .col(string_len_null(Client::Patronymic, 100))
                    .col(string_len(Client::DisplayName, 300))
                    .col(string_len_null(Client::Phone, 16))
                    .col(string_len_null(Client::Phone2, 16))
                    .col(string_len_null(Client::Email, 254))
                    .col(big_integer_null(Client::TelegramId))
                    .col(string_len_null(Client::TelegramUsername, 64))
                    .col(date_null(Client::BirthDate))
                    .col(small_integer_null(Client::BirthMonth))
                    .col(big_integer_null(Client::SourceId))
                    .col(text_null(Client::Notes))
                    .col(integer(Client::DiscountPercent))
                    .col(boolean(Client::Active))
                    .col(big_integer_null(Client::StageId))
                    .col(timestamp_with_time_zone_null(Client::StageEnteredAt))
                    .col(timestamp_with_time_zone_null(Client::LastVisitAt))
                    .col(timestamp_with_time_zone_null(Client::LastContactAt))
                    .col(timestamp_with_time_zone_null(Client::NextContactAt))
                    .col(big_integer_null(Client::NextContactUserId))
                    .col(text(Client::SearchText))
                    .col(big_integer_null(Client::MergedIntoId))
                    .col(timestamp_with_time_zone(Client::CreatedAt))
                    .col(timestamp_with_time_zone(Client::UpdatedAt))
                    .foreign_key(&mut fk(
                        Client::Table,
                        Client::SourceId,
                        ClientSource::Table,
                        ClientSource::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Client::Table,
                        Client::StageId,
                        PipelineStage::Table,
                        PipelineStage::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Client::Table,
                        Client::NextContactUserId,
                        AppUser::Table,
                        AppUser::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // One phone number belongs to one client; the service also checks the second phone.
        manager
            .create_index(index("ux_client_phone", Client::Table, &["phone"], true))
            .await?;
        for (name, cols) in [
            ("ix_client_phone2", &["phone2"][..]),
            ("ix_client_telegram", &["telegram_id"][..]),
            ("ix_client_stage", &["stage_id", "stage_entered_at"][..]),
            ("ix_client_source", &["source_id"][..]),
            ("ix_client_created", &["created_at"][..]),
            (
                "ix_client_next_contact",
                &["next_contact_user_id", "next_contact_at"][..],
            ),
            ("ix_client_birth_month", &["birth_month"][..]),
            ("ix_client_last_visit", &["last_visit_at"][..]),
        ] {
            manager
                .create_index(index(name, Client::Table, cols, false))
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ClientTag::Table)
                    .col(big_integer(ClientTag::ClientId))
                    .col(string_len(ClientTag::Tag, 50))
                    .primary_key(Index::create().col(ClientTag::ClientId).col(ClientTag::Tag))
                    .foreign_key(&mut fk(
                        ClientTag::Table,
                        ClientTag::ClientId,
                        Client::Table,
                        Client::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_client_tag_tag",
                ClientTag::Table,
                &["tag"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StageHistory::Table)
                    .col(big_pk_auto(StageHistory::Id))
                    .col(big_integer(StageHistory::ClientId))
                    .col(big_integer_null(StageHistory::FromStageId))
                    .col(big_integer(StageHistory::ToStageId))
                    .col(timestamp_with_time_zone(StageHistory::MovedAt))
                    .col(big_integer_null(StageHistory::MovedBy))
                    .col(text_null(StageHistory::Note))
                    .col(string_len_null(StageHistory::LostReason, 200))
                    .foreign_key(&mut fk(
                        StageHistory::Table,
                        StageHistory::ClientId,
                        Client::Table,
                        Client::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        StageHistory::Table,
                        StageHistory::ToStageId,
                        PipelineStage::Table,
                        PipelineStage::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_stage_history_client",
                StageHistory::Table,
                &["client_id", "moved_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_stage_history_moved",
                StageHistory::Table,
                &["moved_at"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Interaction::Table)
                    .col(big_pk_auto(Interaction::Id))
                    .col(big_integer(Interaction::ClientId))
                    .col(string_len(Interaction::Kind, 16))
                    .col(string_len_null(Interaction::Channel, 16))
                    .col(string_len_null(Interaction::Direction, 8))
                    .col(text(Interaction::Text))
                    .col(timestamp_with_time_zone(Interaction::At))
                    .col(big_integer_null(Interaction::AuthorUserId))
                    .col(timestamp_with_time_zone(Interaction::CreatedAt))
                    .foreign_key(&mut fk(
                        Interaction::Table,
                        Interaction::ClientId,
                        Client::Table,
                        Client::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_interaction_client",
                Interaction::Table,
                &["client_id", "at"],
                false,
            ))
            .await?;

        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            // Substring search over 100k clients: a trigram index serves `LIKE '%…%'`. The
            // extension lives in `public` so every schema of the database can use it.
            db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
                .await?;
            db.execute_unprepared(
                "CREATE INDEX ix_client_search ON client USING gin (search_text public.gin_trgm_ops)",
            )
            .await?;
        } else {
            // SQLite: an FTS5 trigram index over the same text, kept in step by triggers.
            for statement in [
                "CREATE VIRTUAL TABLE client_search USING fts5(search_text, content='client', \
                 content_rowid='id', tokenize='trigram')",
                "CREATE TRIGGER client_search_insert AFTER INSERT ON client BEGIN \
                 INSERT INTO client_search(rowid, search_text) VALUES (new.id, new.search_text); END",
                "CREATE TRIGGER client_search_delete AFTER DELETE ON client BEGIN \
                 INSERT INTO client_search(client_search, rowid, search_text) \
                 VALUES ('delete', old.id, old.search_text); END",
                "CREATE TRIGGER client_search_update AFTER UPDATE OF search_text ON client BEGIN \
                 INSERT INTO client_search(client_search, rowid, search_text) \
                 VALUES ('delete', old.id, old.search_text); \
                 INSERT INTO client_search(rowid, search_text) VALUES (new.id, new.search_text); END",
            ] {
                db.execute_unprepared(statement).await?;
            }
        }
        let now = "CURRENT_TIMESTAMP";
        for (position, (name, color, outcome)) in DEFAULT_STAGES.iter().enumerate() {
            db.execute_unprepared(&format!(
                "INSERT INTO pipeline_stage (name, color, position, outcome, created_at) \
                 VALUES ('{name}', '{color}', {position}, '{outcome}', {now})"
            ))
            .await?;
        }
        for (order, name) in DEFAULT_SOURCES.iter().enumerate() {
            db.execute_unprepared(&format!(
                "INSERT INTO client_source (name, active, sort_order) VALUES ('{name}', TRUE, {order})"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Interaction::Table.into_iden(),
            StageHistory::Table.into_iden(),
            ClientTag::Table.into_iden(),
            Client::Table.into_iden(),
            PipelineStage::Table.into_iden(),
            ClientSource::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

//! Staff and their credentials, the audit log, and the venue: organisation, locations,
//! opening hours, holidays, zones and resources.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Username,
    DisplayName,
    PasswordHash,
    Role,
    Active,
    TokensValidAfter,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RefreshSession {
    Table,
    Id,
    UserId,
    Family,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum RevokedToken {
    Table,
    Jti,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiKey {
    Table,
    Id,
    Name,
    Prefix,
    KeyHash,
    Role,
    CreatedBy,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorUserId,
    ActorApiKeyId,
    ActorLabel,
    Action,
    Entity,
    EntityId,
    Details,
    Address,
    RequestId,
}

#[derive(DeriveIden)]
enum Organisation {
    Table,
    Id,
    Name,
    Currency,
    DefaultTimezone,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Location {
    Table,
    Id,
    Name,
    Address,
    Timezone,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OpeningHours {
    Table,
    Id,
    LocationId,
    Weekday,
    OpensAt,
    ClosesAt,
}

#[derive(DeriveIden)]
enum Holiday {
    Table,
    Id,
    LocationId,
    Date,
    Name,
    OpensAt,
    ClosesAt,
}

#[derive(DeriveIden)]
enum Zone {
    Table,
    Id,
    LocationId,
    Name,
    Description,
    Color,
    SortOrder,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Resource {
    Table,
    Id,
    LocationId,
    ZoneId,
    Kind,
    Name,
    Status,
    Capacity,
    Notes,
    SortOrder,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(big_pk_auto(AppUser::Id))
                    .col(string_len_uniq(AppUser::Username, 64))
                    .col(string_len(AppUser::DisplayName, 200))
                    .col(string(AppUser::PasswordHash))
                    .col(string_len(AppUser::Role, 16))
                    .col(boolean(AppUser::Active))
                    .col(timestamp_with_time_zone(AppUser::TokensValidAfter))
                    .col(timestamp_with_time_zone(AppUser::CreatedAt))
                    .col(timestamp_with_time_zone(AppUser::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshSession::Table)
                    .col(big_pk_auto(RefreshSession::Id))
                    .col(big_integer(RefreshSession::UserId))
                    .col(string_len(RefreshSession::Family, 64))
                    .col(string_len_uniq(RefreshSession::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshSession::CreatedAt))
                    .col(timestamp_with_time_zone(RefreshSession::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshSession::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshSession::RevokedAt))
                    .foreign_key(&mut fk(
                        RefreshSession::Table,
                        RefreshSession::UserId,
                        AppUser::Table,
                        AppUser::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_refresh_session_family",
                RefreshSession::Table,
                &["family"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_refresh_session_user",
                RefreshSession::Table,
                &["user_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RevokedToken::Table)
                    .col(string_len(RevokedToken::Jti, 64).primary_key())
                    .col(timestamp_with_time_zone(RevokedToken::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_revoked_token_expires",
                RevokedToken::Table,
                &["expires_at"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiKey::Table)
                    .col(big_pk_auto(ApiKey::Id))
                    .col(string_len(ApiKey::Name, 200))
                    .col(string_len(ApiKey::Prefix, 16))
                    .col(string_len_uniq(ApiKey::KeyHash, 64))
                    .col(string_len(ApiKey::Role, 16))
                    .col(big_integer_null(ApiKey::CreatedBy))
                    .col(timestamp_with_time_zone(ApiKey::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKey::RevokedAt))
                    .foreign_key(&mut fk(
                        ApiKey::Table,
                        ApiKey::CreatedBy,
                        AppUser::Table,
                        AppUser::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(big_integer_null(AuditLog::ActorUserId))
                    .col(big_integer_null(AuditLog::ActorApiKeyId))
                    .col(string_len(AuditLog::ActorLabel, 200))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::Entity, 64))
                    .col(string_len_null(AuditLog::EntityId, 64))
                    .col(json(AuditLog::Details))
                    .col(string_len_null(AuditLog::Address, 64))
                    .col(string_len_null(AuditLog::RequestId, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_audit_log_at", AuditLog::Table, &["at"], false))
            .await?;
        manager
            .create_index(index(
                "ix_audit_log_entity",
                AuditLog::Table,
                &["entity", "entity_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_audit_log_actor",
                AuditLog::Table,
                &["actor_user_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Organisation::Table)
                    .col(big_integer(Organisation::Id).primary_key())
                    .col(string_len(Organisation::Name, 200))
                    .col(string_len(Organisation::Currency, 3))
                    .col(string_len(Organisation::DefaultTimezone, 64))
                    .col(timestamp_with_time_zone(Organisation::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Location::Table)
                    .col(big_pk_auto(Location::Id))
                    .col(string_len(Location::Name, 200))
                    .col(string_len(Location::Address, 500))
                    .col(string_len(Location::Timezone, 64))
                    .col(boolean(Location::Active))
                    .col(timestamp_with_time_zone(Location::CreatedAt))
                    .col(timestamp_with_time_zone(Location::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OpeningHours::Table)
                    .col(big_pk_auto(OpeningHours::Id))
                    .col(big_integer(OpeningHours::LocationId))
                    .col(small_integer(OpeningHours::Weekday))
                    .col(time(OpeningHours::OpensAt))
                    .col(time(OpeningHours::ClosesAt))
                    .foreign_key(&mut fk(
                        OpeningHours::Table,
                        OpeningHours::LocationId,
                        Location::Table,
                        Location::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_opening_hours_location",
                OpeningHours::Table,
                &["location_id", "weekday"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Holiday::Table)
                    .col(big_pk_auto(Holiday::Id))
                    .col(big_integer(Holiday::LocationId))
                    .col(date(Holiday::Date))
                    .col(string_len(Holiday::Name, 200))
                    .col(time_null(Holiday::OpensAt))
                    .col(time_null(Holiday::ClosesAt))
                    .foreign_key(&mut fk(
                        Holiday::Table,
                        Holiday::LocationId,
                        Location::Table,
                        Location::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_holiday_location_date",
                Holiday::Table,
                &["location_id", "date"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Zone::Table)
                    .col(big_pk_auto(Zone::Id))
                    .col(big_integer(Zone::LocationId))
                    .col(string_len(Zone::Name, 100))
                    .col(string_len_null(Zone::Description, 1000))
                    .col(string_len_null(Zone::Color, 7))
                    .col(integer(Zone::SortOrder))
                    .col(timestamp_with_time_zone(Zone::CreatedAt))
                    .foreign_key(&mut fk(
                        Zone::Table,
                        Zone::LocationId,
                        Location::Table,
                        Location::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_zone_location_name",
                Zone::Table,
                &["location_id", "name"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Resource::Table)
                    .col(big_pk_auto(Resource::Id))
                    .col(big_integer(Resource::LocationId))
                    .col(big_integer_null(Resource::ZoneId))
                    .col(string_len(Resource::Kind, 16))
                    .col(string_len(Resource::Name, 100))
                    .col(string_len(Resource::Status, 16))
                    .col(integer(Resource::Capacity))
                    .col(string_len_null(Resource::Notes, 1000))
                    .col(integer(Resource::SortOrder))
                    .col(timestamp_with_time_zone(Resource::CreatedAt))
                    .col(timestamp_with_time_zone(Resource::UpdatedAt))
                    .foreign_key(&mut fk(
                        Resource::Table,
                        Resource::LocationId,
                        Location::Table,
                        Location::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Resource::Table,
                        Resource::ZoneId,
                        Zone::Table,
                        Zone::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_resource_location_name",
                Resource::Table,
                &["location_id", "name"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_resource_zone",
                Resource::Table,
                &["zone_id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Resource::Table.into_iden(),
            Zone::Table.into_iden(),
            Holiday::Table.into_iden(),
            OpeningHours::Table.into_iden(),
            Location::Table.into_iden(),
            Organisation::Table.into_iden(),
            AuditLog::Table.into_iden(),
            ApiKey::Table.into_iden(),
            RevokedToken::Table.into_iden(),
            RefreshSession::Table.into_iden(),
            AppUser::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

//! The computer club: tariffs with time windows and packages, promotions, play sessions and
//! the parts they were played in, and PC bookings with the seats they hold.
//!
//! Two rules live in the database so that no race can break them: one active session per PC
//! (a partial unique index), and no two live booking seats on one PC at overlapping times (an
//! exclusion constraint on PostgreSQL; on SQLite the service checks inside its write turn).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tariff {
    Table,
    Id,
    LocationId,
    ZoneId,
    Name,
    PricePerHour,
    StepMinutes,
    Rounding,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TariffWindow {
    Table,
    Id,
    TariffId,
    Name,
    Weekdays,
    StartsAt,
    EndsAt,
    PricePerHour,
    Position,
}

#[derive(DeriveIden)]
enum TariffPackage {
    Table,
    Id,
    TariffId,
    Name,
    Price,
    Minutes,
    WindowStart,
    WindowEnd,
    Active,
}

#[derive(DeriveIden)]
enum Promotion {
    Table,
    Id,
    LocationId,
    Name,
    Kind,
    PayMinutes,
    FreeMinutes,
    Percent,
    PricePerHour,
    Weekdays,
    StartsAt,
    EndsAt,
    ValidFrom,
    ValidTo,
    ZoneIds,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PlaySession {
    Table,
    Id,
    LocationId,
    ResourceId,
    ClientId,
    GuestName,
    TariffId,
    PackageId,
    BookingId,
    Kind,
    Status,
    StartedAt,
    EndsAt,
    EndedAt,
    StopReason,
    WarnedAt,
    Paid,
    Cost,
    PromotionId,
    Breakdown,
    StartedBy,
    EndedBy,
}

#[derive(DeriveIden)]
enum PlaySessionPart {
    Table,
    Id,
    SessionId,
    ResourceId,
    ZoneId,
    TariffId,
    StartedAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum PcBooking {
    Table,
    Id,
    LocationId,
    ZoneId,
    ClientId,
    StartsAt,
    EndsAt,
    PcCount,
    Status,
    Note,
    CreatedBy,
    CreatedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum PcBookingSeat {
    Table,
    Id,
    BookingId,
    ResourceId,
    StartsAt,
    EndsAt,
    Live,
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    PlaySessionId,
}

#[derive(DeriveIden)]
enum Location {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Zone {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Resource {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Client {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let restrict = ForeignKeyAction::Restrict;
        let cascade = ForeignKeyAction::Cascade;
        manager
            .create_table(
                Table::create()
                    .table(Tariff::Table)
                    .col(big_pk_auto(Tariff::Id))
                    .col(big_integer(Tariff::LocationId))
                    .col(big_integer(Tariff::ZoneId))
                    .col(string_len(Tariff::Name, 100))
                    .col(big_integer(Tariff::PricePerHour))
                    .col(integer(Tariff::StepMinutes))
                    .col(string_len(Tariff::Rounding, 8))
                    .col(boolean(Tariff::Active))
                    .col(timestamp_with_time_zone(Tariff::CreatedAt))
                    .col(timestamp_with_time_zone(Tariff::UpdatedAt))
                    .foreign_key(&mut fk(
                        Tariff::Table,
                        Tariff::LocationId,
                        Location::Table,
                        Location::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        Tariff::Table,
                        Tariff::ZoneId,
                        Zone::Table,
                        Zone::Id,
                        restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ix_tariff_zone", Tariff::Table, &["zone_id"], false))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TariffWindow::Table)
                    .col(big_pk_auto(TariffWindow::Id))
                    .col(big_integer(TariffWindow::TariffId))
                    .col(string_len(TariffWindow::Name, 100))
                    .col(small_integer(TariffWindow::Weekdays))
                    .col(time(TariffWindow::StartsAt))
                    .col(time(TariffWindow::EndsAt))
                    .col(big_integer(TariffWindow::PricePerHour))
                    .col(integer(TariffWindow::Position))
                    .foreign_key(&mut fk(
                        TariffWindow::Table,
                        TariffWindow::TariffId,
                        Tariff::Table,
                        Tariff::Id,
                        cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_tariff_window_tariff",
                TariffWindow::Table,
                &["tariff_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TariffPackage::Table)
                    .col(big_pk_auto(TariffPackage::Id))
                    .col(big_integer(TariffPackage::TariffId))
                    .col(string_len(TariffPackage::Name, 100))
                    .col(big_integer(TariffPackage::Price))
                    .col(integer_null(TariffPackage::Minutes))
                    .col(time_null(TariffPackage::WindowStart))
                    .col(time_null(TariffPackage::WindowEnd))
                    .col(boolean(TariffPackage::Active))
                    .foreign_key(&mut fk(
                        TariffPackage::Table,
                        TariffPackage::TariffId,
                        Tariff::Table,
                        Tariff::Id,
                        cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_tariff_package_tariff",
                TariffPackage::Table,
                &["tariff_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Promotion::Table)
                    .col(big_pk_auto(Promotion::Id))
                    .col(big_integer(Promotion::LocationId))
                    .col(string_len(Promotion::Name, 100))
                    .col(string_len(Promotion::Kind, 16))
                    .col(integer_null(Promotion::PayMinutes))
                    .col(integer_null(Promotion::FreeMinutes))
                    .col(integer_null(Promotion::Percent))
                    .col(big_integer_null(Promotion::PricePerHour))
                    .col(small_integer(Promotion::Weekdays))
                    .col(time_null(Promotion::StartsAt))
                    .col(time_null(Promotion::EndsAt))
                    .col(date_null(Promotion::ValidFrom))
                    .col(date_null(Promotion::ValidTo))
                    .col(json_binary(Promotion::ZoneIds))
                    .col(boolean(Promotion::Active))
                    .col(timestamp_with_time_zone(Promotion::CreatedAt))
                    .col(timestamp_with_time_zone(Promotion::UpdatedAt))
                    .foreign_key(&mut fk(
                        Promotion::Table,
                        Promotion::LocationId,
                        Location::Table,
                        Location::Id,
                        restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_promotion_location",
                Promotion::Table,
                &["location_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PcBooking::Table)
                    .col(big_pk_auto(PcBooking::Id))
                    .col(big_integer(PcBooking::LocationId))
                    .col(big_integer(PcBooking::ZoneId))
                    .col(big_integer(PcBooking::ClientId))
                    .col(timestamp_with_time_zone(PcBooking::StartsAt))
                    .col(timestamp_with_time_zone(PcBooking::EndsAt))
                    .col(integer(PcBooking::PcCount))
                    .col(string_len(PcBooking::Status, 12))
                    .col(text_null(PcBooking::Note))
                    .col(big_integer_null(PcBooking::CreatedBy))
                    .col(timestamp_with_time_zone(PcBooking::CreatedAt))
                    .col(timestamp_with_time_zone_null(PcBooking::ClosedAt))
                    .foreign_key(&mut fk(
                        PcBooking::Table,
                        PcBooking::LocationId,
                        Location::Table,
                        Location::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        PcBooking::Table,
                        PcBooking::ZoneId,
                        Zone::Table,
                        Zone::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        PcBooking::Table,
                        PcBooking::ClientId,
                        Client::Table,
                        Client::Id,
                        restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_pc_booking_location_start",
                PcBooking::Table,
                &["location_id", "starts_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_pc_booking_status_start",
                PcBooking::Table,
                &["status", "starts_at"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PcBookingSeat::Table)
                    .col(big_pk_auto(PcBookingSeat::Id))
                    .col(big_integer(PcBookingSeat::BookingId))
                    .col(big_integer(PcBookingSeat::ResourceId))
                    .col(timestamp_with_time_zone(PcBookingSeat::StartsAt))
                    .col(timestamp_with_time_zone(PcBookingSeat::EndsAt))
                    .col(boolean(PcBookingSeat::Live))
                    .foreign_key(&mut fk(
                        PcBookingSeat::Table,
                        PcBookingSeat::BookingId,
                        PcBooking::Table,
                        PcBooking::Id,
                        cascade,
                    ))
                    .foreign_key(&mut fk(
                        PcBookingSeat::Table,
                        PcBookingSeat::ResourceId,
                        Resource::Table,
                        Resource::Id,
                        restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_pc_booking_seat_resource",
                PcBookingSeat::Table,
                &["resource_id", "starts_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_pc_booking_seat_booking",
                PcBookingSeat::Table,
                &["booking_id"],
                false,
            ))
            .await?;
        let conn = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            // `resource_id WITH =` inside a GiST index needs btree_gist.
            conn.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public")
                .await?;
            conn.execute_unprepared(
                "ALTER TABLE pc_booking_seat ADD CONSTRAINT ex_pc_booking_seat_overlap \
                 EXCLUDE USING gist (resource_id WITH =, tstzrange(starts_at, ends_at) WITH &&) \
                 WHERE (live)",
            )
            .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(PlaySession::Table)
                    .col(big_pk_auto(PlaySession::Id))
                    .col(big_integer(PlaySession::LocationId))
                    .col(big_integer(PlaySession::ResourceId))
                    .col(big_integer_null(PlaySession::ClientId))
                    .col(string_len_null(PlaySession::GuestName, 100))
                    .col(big_integer(PlaySession::TariffId))
                    .col(big_integer_null(PlaySession::PackageId))
                    .col(big_integer_null(PlaySession::BookingId))
                    .col(string_len(PlaySession::Kind, 8))
                    .col(string_len(PlaySession::Status, 8))
                    .col(timestamp_with_time_zone(PlaySession::StartedAt))
                    .col(timestamp_with_time_zone_null(PlaySession::EndsAt))
                    .col(timestamp_with_time_zone_null(PlaySession::EndedAt))
                    .col(string_len_null(PlaySession::StopReason, 12))
                    .col(timestamp_with_time_zone_null(PlaySession::WarnedAt))
                    .col(big_integer(PlaySession::Paid))
                    .col(big_integer_null(PlaySession::Cost))
                    .col(big_integer_null(PlaySession::PromotionId))
                    .col(json_binary_null(PlaySession::Breakdown))
                    .col(big_integer_null(PlaySession::StartedBy))
                    .col(big_integer_null(PlaySession::EndedBy))
                    .foreign_key(&mut fk(
                        PlaySession::Table,
                        PlaySession::LocationId,
                        Location::Table,
                        Location::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        PlaySession::Table,
                        PlaySession::ResourceId,
                        Resource::Table,
                        Resource::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        PlaySession::Table,
                        PlaySession::ClientId,
                        Client::Table,
                        Client::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        PlaySession::Table,
                        PlaySession::TariffId,
                        Tariff::Table,
                        Tariff::Id,
                        restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_play_session_location_start",
                &["location_id", "started_at"][..],
            ),
            ("ix_play_session_client", &["client_id"][..]),
            ("ix_play_session_status_end", &["status", "ends_at"][..]),
        ] {
            manager
                .create_index(index(name, PlaySession::Table, cols, false))
                .await?;
        }
        // One active session per PC, whatever races.
        conn.execute_unprepared(
            "CREATE UNIQUE INDEX ux_play_session_active ON play_session (resource_id) \
             WHERE status = 'active'",
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlaySessionPart::Table)
                    .col(big_pk_auto(PlaySessionPart::Id))
                    .col(big_integer(PlaySessionPart::SessionId))
                    .col(big_integer(PlaySessionPart::ResourceId))
                    .col(big_integer(PlaySessionPart::ZoneId))
                    .col(big_integer(PlaySessionPart::TariffId))
                    .col(timestamp_with_time_zone(PlaySessionPart::StartedAt))
                    .col(timestamp_with_time_zone_null(PlaySessionPart::EndedAt))
                    .foreign_key(&mut fk(
                        PlaySessionPart::Table,
                        PlaySessionPart::SessionId,
                        PlaySession::Table,
                        PlaySession::Id,
                        cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_play_session_part_session",
                PlaySessionPart::Table,
                &["session_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_play_session_part_start",
                PlaySessionPart::Table,
                &["started_at"],
                false,
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Payment::Table)
                    .add_column(big_integer_null(Payment::PlaySessionId))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PlaySessionPart::Table.into_iden(),
            PlaySession::Table.into_iden(),
            PcBookingSeat::Table.into_iden(),
            PcBooking::Table.into_iden(),
            Promotion::Table.into_iden(),
            TariffPackage::Table.into_iden(),
            TariffWindow::Table.into_iden(),
            Tariff::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

//! Appointments and party orders: the catalogue (services, packages, specialists, who does
//! what and in which room), specialists' schedules, appointments, the time they claim, client
//! packages, client log-ins, Web Push subscriptions, party orders and their gifts.
//!
//! Every appointment and party order claims time on a specialist and/or a resource in
//! `booking_claim`. No two live claims of one specialist or one resource overlap: on PostgreSQL
//! two exclusion constraints say so; on SQLite the service checks inside its write turn.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Service {
    Table,
    Id,
    LocationId,
    Name,
    Category,
    Description,
    DurationMinutes,
    Price,
    BufferBefore,
    BufferAfter,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ServicePackage {
    Table,
    Id,
    ServiceId,
    Name,
    Visits,
    ValidityDays,
    Price,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Specialist {
    Table,
    Id,
    FirstName,
    LastName,
    Title,
    Bio,
    UserId,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SpecialistService {
    Table,
    Id,
    SpecialistId,
    ServiceId,
}

#[derive(DeriveIden)]
enum ServiceResource {
    Table,
    Id,
    ServiceId,
    ResourceId,
}

#[derive(DeriveIden)]
enum SpecialistHours {
    Table,
    Id,
    SpecialistId,
    LocationId,
    Weekday,
    StartsAt,
    EndsAt,
}

#[derive(DeriveIden)]
enum SpecialistBreak {
    Table,
    Id,
    SpecialistId,
    Weekday,
    Date,
    StartsAt,
    EndsAt,
}

#[derive(DeriveIden)]
enum SpecialistDay {
    Table,
    Id,
    SpecialistId,
    LocationId,
    Date,
    StartsAt,
    EndsAt,
    Note,
}

#[derive(DeriveIden)]
enum BookingRules {
    Table,
    LocationId,
    SlotStepMinutes,
    CancelCutoffMinutes,
    MinLeadMinutes,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Appointment {
    Table,
    Id,
    LocationId,
    ServiceId,
    SpecialistId,
    ResourceId,
    ClientId,
    StartsAt,
    EndsAt,
    Status,
    Payment,
    ClientPackageId,
    Price,
    ClientDiscountPercent,
    DiscountPercent,
    Total,
    Paid,
    Refunded,
    Code,
    Note,
    CancelReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum BookingClaim {
    Table,
    Id,
    AppointmentId,
    PartyOrderId,
    SpecialistId,
    ResourceId,
    StartsAt,
    EndsAt,
    Live,
}

#[derive(DeriveIden)]
enum ClientPackage {
    Table,
    Id,
    ClientId,
    PackageId,
    ServiceId,
    VisitsTotal,
    VisitsLeft,
    ValidUntil,
    Price,
    PaymentId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ClientAccount {
    Table,
    UserId,
    ClientId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PushSubscription {
    Table,
    Id,
    ClientId,
    Endpoint,
    P256dh,
    Auth,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PartyGift {
    Table,
    Id,
    Name,
    Active,
    SortOrder,
}

#[derive(DeriveIden)]
enum PartyOrder {
    Table,
    Id,
    LocationId,
    ClientId,
    ContactName,
    ContactPhone,
    GameType,
    Players,
    AreaId,
    StartsAt,
    GameMinutes,
    RestRoomId,
    RestMinutes,
    Gifts,
    Notes,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Location {
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

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

async fn create(manager: &SchemaManager<'_>, table: TableCreateStatement) -> Result<(), DbErr> {
    manager.create_table(table).await
}

async fn indexes(
    manager: &SchemaManager<'_>,
    table: DynIden,
    list: &[(&str, &[&'static str], bool)],
) -> Result<(), DbErr> {
    for (name, cols, unique) in list {
        manager
            .create_index(index(name, table.clone(), cols, *unique))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let restrict = ForeignKeyAction::Restrict;
        let cascade = ForeignKeyAction::Cascade;
        let set_null = ForeignKeyAction::SetNull;
        create(
            manager,
            Table::create()
                .table(Service::Table)
                .col(big_pk_auto(Service::Id))
                .col(big_integer(Service::LocationId))
                .col(string_len(Service::Name, 200))
                .col(string_len_null(Service::Category, 100))
                .col(string_len_null(Service::Description, 2000))
                .col(integer(Service::DurationMinutes))
                .col(big_integer(Service::Price))
                .col(integer(Service::BufferBefore))
                .col(integer(Service::BufferAfter))
                .col(boolean(Service::Active))
                .col(timestamp_with_time_zone(Service::CreatedAt))
                .col(timestamp_with_time_zone(Service::UpdatedAt))
                .foreign_key(&mut fk(
                    Service::Table,
                    Service::LocationId,
                    Location::Table,
                    Location::Id,
                    restrict,
                ))
                .to_owned(),
        )
        .await?;
        indexes(
            manager,
            Service::Table.into_iden(),
            &[("ix_service_location", &["location_id"], false)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(ServicePackage::Table)
                .col(big_pk_auto(ServicePackage::Id))
                .col(big_integer(ServicePackage::ServiceId))
                .col(string_len(ServicePackage::Name, 200))
                .col(integer(ServicePackage::Visits))
                .col(integer(ServicePackage::ValidityDays))
                .col(big_integer(ServicePackage::Price))
                .col(boolean(ServicePackage::Active))
                .col(timestamp_with_time_zone(ServicePackage::CreatedAt))
                .foreign_key(&mut fk(
                    ServicePackage::Table,
                    ServicePackage::ServiceId,
                    Service::Table,
                    Service::Id,
                    restrict,
                ))
                .to_owned(),
        )
        .await?;
        indexes(
            manager,
            ServicePackage::Table.into_iden(),
            &[("ix_service_package_service", &["service_id"], false)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(Specialist::Table)
                .col(big_pk_auto(Specialist::Id))
                .col(string_len(Specialist::FirstName, 100))
                .col(string_len(Specialist::LastName, 100))
                .col(string_len_null(Specialist::Title, 200))
                .col(string_len_null(Specialist::Bio, 2000))
                .col(big_integer_null(Specialist::UserId))
                .col(boolean(Specialist::Active))
                .col(timestamp_with_time_zone(Specialist::CreatedAt))
                .col(timestamp_with_time_zone(Specialist::UpdatedAt))
                .foreign_key(&mut fk(
                    Specialist::Table,
                    Specialist::UserId,
                    AppUser::Table,
                    AppUser::Id,
                    set_null,
                ))
                .to_owned(),
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(SpecialistService::Table)
                .col(big_pk_auto(SpecialistService::Id))
                .col(big_integer(SpecialistService::SpecialistId))
                .col(big_integer(SpecialistService::ServiceId))
                .foreign_key(&mut fk(
                    SpecialistService::Table,
                    SpecialistService::SpecialistId,
                    Specialist::Table,
                    Specialist::Id,
                    cascade,
                ))
                .foreign_key(&mut fk(
                    SpecialistService::Table,
                    SpecialistService::ServiceId,
                    Service::Table,
                    Service::Id,
                    cascade,
                ))
                .to_owned(),
        )
        .await?;
        indexes(
            manager,
            SpecialistService::Table.into_iden(),
            &[
                (
                    "ux_specialist_service",
                    &["specialist_id", "service_id"],
                    true,
                ),
                ("ix_specialist_service_service", &["service_id"], false),
            ],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(ServiceResource::Table)
                .col(big_pk_auto(ServiceResource::Id))
                .col(big_integer(ServiceResource::ServiceId))
                .col(big_integer(ServiceResource::ResourceId))
                .foreign_key(&mut fk(
                    ServiceResource::Table,
                    ServiceResource::ServiceId,
                    Service::Table,
                    Service::Id,
                    cascade,
                ))
                .foreign_key(&mut fk(
                    ServiceResource::Table,
                    ServiceResource::ResourceId,
                    Resource::Table,
                    Resource::Id,
                    cascade,
                ))
                .to_owned(),
        )
        .await?;
        indexes(
            manager,
            ServiceResource::Table.into_iden(),
            &[("ux_service_resource", &["service_id", "resource_id"], true)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(SpecialistHours::Table)
                .col(big_pk_auto(SpecialistHours::Id))
                .col(big_integer(SpecialistHours::SpecialistId))
                .col(big_integer(SpecialistHours::LocationId))
                .col(small_integer(SpecialistHours::Weekday))
                .col(time(SpecialistHours::StartsAt))
                .col(time(SpecialistHours::EndsAt))
                .foreign_key(&mut fk(
                    SpecialistHours::Table,
                    SpecialistHours::SpecialistId,
                    Specialist::Table,
                    Specialist::Id,
                    cascade,
                ))
                .foreign_key(&mut fk(
                    SpecialistHours::Table,
                    SpecialistHours::LocationId,
                    Location::Table,
                    Location::Id,
                    cascade,
                ))
                .to_owned(),
        )
        .await?;
        indexes(
            manager,
            SpecialistHours::Table.into_iden(),
            &[(
                "ix_specialist_hours_location",
                &["location_id", "specialist_id"],
                false,
            )],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(SpecialistBreak::Table)
                .col(big_pk_auto(SpecialistBreak::Id))
                .col(big_integer(SpecialistBreak::SpecialistId))
                .col(small_integer_null(SpecialistBreak::Weekday))
                .col(date_null(SpecialistBreak::Date))
                .col(time(SpecialistBreak::StartsAt))
                .col(time(SpecialistBreak::EndsAt))
                .foreign_key(&mut fk(
                    SpecialistBreak::Table,
                    SpecialistBreak::SpecialistId,
                    Specialist::Table,
                    Specialist::Id,
                    cascade,
                ))
                .to_owned(),
        )
        .await?;
        indexes(
            manager,
            SpecialistBreak::Table.into_iden(),
            &[("ix_specialist_break_specialist", &["specialist_id"], false)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(SpecialistDay::Table)
                .col(big_pk_auto(SpecialistDay::Id))
                .col(big_integer(SpecialistDay::SpecialistId))
                .col(big_integer(SpecialistDay::LocationId))
                .col(date(SpecialistDay::Date))
                .col(time_null(SpecialistDay::StartsAt))
                .col(time_null(SpecialistDay::EndsAt))
                .col(string_len_null(SpecialistDay::Note, 500))
                .foreign_key(&mut fk(
                    SpecialistDay::Table,
                    SpecialistDay::SpecialistId,
                    Specialist::Table,
                    Specialist::Id,
                    cascade,
                ))
                .foreign_key(&mut fk(
                    SpecialistDay::Table,
                    SpecialistDay::LocationId,
                    Location::Table,
                    Location::Id,
                    cascade,
                ))
                .to_owned(),
        )
        .await?;
        indexes(
            manager,
            SpecialistDay::Table.into_iden(),
            &[(
                "ux_specialist_day",
                &["specialist_id", "location_id", "date"],
                true,
            )],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(BookingRules::Table)
                .col(big_integer(BookingRules::LocationId).primary_key())
                .col(integer(BookingRules::SlotStepMinutes))
                .col(integer(BookingRules::CancelCutoffMinutes))
                .col(integer(BookingRules::MinLeadMinutes))
                .col(timestamp_with_time_zone(BookingRules::UpdatedAt))
                .foreign_key(&mut fk(
                    BookingRules::Table,
                    BookingRules::LocationId,
                    Location::Table,
                    Location::Id,
                    cascade,
                ))
                .to_owned(),
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(ClientPackage::Table)
                .col(big_pk_auto(ClientPackage::Id))
                .col(big_integer(ClientPackage::ClientId))
                .col(big_integer(ClientPackage::PackageId))
                .col(big_integer(ClientPackage::ServiceId))
                .col(integer(ClientPackage::VisitsTotal))
                .col(integer(ClientPackage::VisitsLeft))
                .col(timestamp_with_time_zone(ClientPackage::ValidUntil))
                .col(big_integer(ClientPackage::Price))
                .col(big_integer_null(ClientPackage::PaymentId))
                .col(timestamp_with_time_zone(ClientPackage::CreatedAt))
                .foreign_key(&mut fk(
                    ClientPackage::Table,
                    ClientPackage::ClientId,
                    Client::Table,
                    Client::Id,
                    restrict,
                ))
                .foreign_key(&mut fk(
                    ClientPackage::Table,
                    ClientPackage::PackageId,
                    ServicePackage::Table,
                    ServicePackage::Id,
                    restrict,
                ))
                .to_owned(),
        )
        .await?;
        indexes(
            manager,
            ClientPackage::Table.into_iden(),
            &[("ix_client_package_client", &["client_id"], false)],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(Appointment::Table)
                .col(big_pk_auto(Appointment::Id))
                .col(big_integer(Appointment::LocationId))
                .col(big_integer(Appointment::ServiceId))
                .col(big_integer(Appointment::SpecialistId))
                .col(big_integer_null(Appointment::ResourceId))
                .col(big_integer(Appointment::ClientId))
                .col(timestamp_with_time_zone(Appointment::StartsAt))
                .col(timestamp_with_time_zone(Appointment::EndsAt))
                .col(string_len(Appointment::Status, 16))
                .col(string_len(Appointment::Payment, 16))
                .col(big_integer_null(Appointment::ClientPackageId))
                .col(big_integer(Appointment::Price))
                .col(integer(Appointment::ClientDiscountPercent))
                .col(integer(Appointment::DiscountPercent))
                .col(big_integer(Appointment::Total))
                .col(big_integer(Appointment::Paid))
                .col(big_integer(Appointment::Refunded))
                .col(string_len_uniq(Appointment::Code, 16))
                .col(string_len_null(Appointment::Note, 1000))
                .col(string_len_null(Appointment::CancelReason, 500))
                .col(big_integer_null(Appointment::CreatedBy))
                .col(timestamp_with_time_zone(Appointment::CreatedAt))
                .col(timestamp_with_time_zone(Appointment::UpdatedAt))
                .col(timestamp_with_time_zone_null(Appointment::ClosedAt))
                .foreign_key(&mut fk(
                    Appointment::Table,
                    Appointment::LocationId,
                    Location::Table,
                    Location::Id,
                    restrict,
                ))
                .foreign_key(&mut fk(
                    Appointment::Table,
                    Appointment::ServiceId,
                    Service::Table,
                    Service::Id,
                    restrict,
                ))
                .foreign_key(&mut fk(
                    Appointment::Table,
                    Appointment::SpecialistId,
                    Specialist::Table,
                    Specialist::Id,
                    restrict,
                ))
                .foreign_key(&mut fk(
                    Appointment::Table,
                    Appointment::ClientId,
                    Client::Table,
                    Client::Id,
                    restrict,
                ))
                .to_owned(),
        )
        .await?;
        indexes(
            manager,
            Appointment::Table.into_iden(),
            &[
                (
                    "ix_appointment_location_start",
                    &["location_id", "starts_at"],
                    false,
                ),
                ("ix_appointment_client", &["client_id"], false),
                ("ix_appointment_specialist", &["specialist_id"], false),
            ],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(PartyGift::Table)
                .col(big_pk_auto(PartyGift::Id))
                .col(string_len_uniq(PartyGift::Name, 100))
                .col(boolean(PartyGift::Active))
                .col(integer(PartyGift::SortOrder))
                .to_owned(),
        )
        .await?;
        let conn = manager.get_connection();
        for (order, name) in ["Бандана", "Пули", "Жетон", "Снуд"].iter().enumerate()
        {
            manager
                .exec_stmt(
                    Query::insert()
                        .into_table(PartyGift::Table)
                        .columns([PartyGift::Name, PartyGift::Active, PartyGift::SortOrder])
                        .values_panic([(*name).into(), true.into(), (order as i32 + 1).into()])
                        .to_owned(),
                )
                .await?;
        }
        create(
            manager,
            Table::create()
                .table(PartyOrder::Table)
                .col(big_pk_auto(PartyOrder::Id))
                .col(big_integer(PartyOrder::LocationId))
                .col(big_integer(PartyOrder::ClientId))
                .col(string_len(PartyOrder::ContactName, 200))
                .col(string_len(PartyOrder::ContactPhone, 20))
                .col(string_len(PartyOrder::GameType, 16))
                .col(integer(PartyOrder::Players))
                .col(big_integer(PartyOrder::AreaId))
                .col(timestamp_with_time_zone(PartyOrder::StartsAt))
                .col(integer(PartyOrder::GameMinutes))
                .col(big_integer_null(PartyOrder::RestRoomId))
                .col(integer(PartyOrder::RestMinutes))
                .col(json(PartyOrder::Gifts))
                .col(string_len_null(PartyOrder::Notes, 1000))
                .col(string_len(PartyOrder::Status, 16))
                .col(big_integer_null(PartyOrder::CreatedBy))
                .col(timestamp_with_time_zone(PartyOrder::CreatedAt))
                .col(timestamp_with_time_zone(PartyOrder::UpdatedAt))
                .foreign_key(&mut fk(
                    PartyOrder::Table,
                    PartyOrder::LocationId,
                    Location::Table,
                    Location::Id,
                    restrict,
                ))
                .foreign_key(&mut fk(
                    PartyOrder::Table,
                    PartyOrder::ClientId,
                    Client::Table,
                    Client::Id,
                    restrict,
                ))
                .foreign_key(&mut fk(
                    PartyOrder::Table,
                    PartyOrder::AreaId,
                    Resource::Table,
                    Resource::Id,
                    restrict,
                ))
                .foreign_key(&mut fk(
                    PartyOrder::Table,
                    PartyOrder::RestRoomId,
                    Resource::Table,
                    Resource::Id,
                    restrict,
                ))
                .to_owned(),
        )
        .await?;
        indexes(
            manager,
            PartyOrder::Table.into_iden(),
            &[(
                "ix_party_order_location_start",
                &["location_id", "starts_at"],
                false,
            )],
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(BookingClaim::Table)
                .col(big_pk_auto(BookingClaim::Id))
                .col(big_integer_null(BookingClaim::AppointmentId))
                .col(big_integer_null(BookingClaim::PartyOrderId))
                .col(big_integer_null(BookingClaim::SpecialistId))
                .col(big_integer_null(BookingClaim::ResourceId))
                .col(timestamp_with_time_zone(BookingClaim::StartsAt))
                .col(timestamp_with_time_zone(BookingClaim::EndsAt))
                .col(boolean(BookingClaim::Live))
                .foreign_key(&mut fk(
                    BookingClaim::Table,
                    BookingClaim::AppointmentId,
                    Appointment::Table,
                    Appointment::Id,
                    cascade,
                ))
                .foreign_key(&mut fk(
                    BookingClaim::Table,
                    BookingClaim::PartyOrderId,
                    PartyOrder::Table,
                    PartyOrder::Id,
                    cascade,
                ))
                .to_owned(),
        )
        .await?;
        indexes(
            manager,
            BookingClaim::Table.into_iden(),
            &[
                (
                    "ix_booking_claim_specialist",
                    &["specialist_id", "starts_at"],
                    false,
                ),
                (
                    "ix_booking_claim_resource",
                    &["resource_id", "starts_at"],
                    false,
                ),
                ("ix_booking_claim_appointment", &["appointment_id"], false),
                ("ix_booking_claim_party", &["party_order_id"], false),
            ],
        )
        .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            conn.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public")
                .await?;
            // NULLs are never equal, so a claim on only a room never meets the specialist
            // constraint and the other way round.
            for (name, col) in [
                ("ex_booking_claim_specialist", "specialist_id"),
                ("ex_booking_claim_resource", "resource_id"),
            ] {
                conn.execute_unprepared(&format!(
                    "ALTER TABLE booking_claim ADD CONSTRAINT {name} \
                     EXCLUDE USING gist ({col} WITH =, tstzrange(starts_at, ends_at) WITH &&) \
                     WHERE (live)"
                ))
                .await?;
            }
        }
        create(
            manager,
            Table::create()
                .table(ClientAccount::Table)
                .col(big_integer(ClientAccount::UserId).primary_key())
                .col(big_integer(ClientAccount::ClientId))
                .col(timestamp_with_time_zone(ClientAccount::CreatedAt))
                .foreign_key(&mut fk(
                    ClientAccount::Table,
                    ClientAccount::UserId,
                    AppUser::Table,
                    AppUser::Id,
                    cascade,
                ))
                .foreign_key(&mut fk(
                    ClientAccount::Table,
                    ClientAccount::ClientId,
                    Client::Table,
                    Client::Id,
                    cascade,
                ))
                .to_owned(),
        )
        .await?;
        create(
            manager,
            Table::create()
                .table(PushSubscription::Table)
                .col(big_pk_auto(PushSubscription::Id))
                .col(big_integer(PushSubscription::ClientId))
                .col(string_len_uniq(PushSubscription::Endpoint, 1000))
                .col(string_len(PushSubscription::P256dh, 200))
                .col(string_len(PushSubscription::Auth, 100))
                .col(timestamp_with_time_zone(PushSubscription::CreatedAt))
                .foreign_key(&mut fk(
                    PushSubscription::Table,
                    PushSubscription::ClientId,
                    Client::Table,
                    Client::Id,
                    cascade,
                ))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PushSubscription::Table.into_iden(),
            ClientAccount::Table.into_iden(),
            BookingClaim::Table.into_iden(),
            PartyOrder::Table.into_iden(),
            PartyGift::Table.into_iden(),
            Appointment::Table.into_iden(),
            ClientPackage::Table.into_iden(),
            BookingRules::Table.into_iden(),
            SpecialistDay::Table.into_iden(),
            SpecialistBreak::Table.into_iden(),
            SpecialistHours::Table.into_iden(),
            ServiceResource::Table.into_iden(),
            SpecialistService::Table.into_iden(),
            Specialist::Table.into_iden(),
            ServicePackage::Table.into_iden(),
            Service::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

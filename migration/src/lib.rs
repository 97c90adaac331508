//! Schema migrations, shared by SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261122_000001_foundation;
mod m20261122_000002_clients;
mod m20261123_000003_billing;
mod m20261123_000004_shifts;
mod m20261123_000005_club;
mod m20261123_000006_academy;
mod m20261123_000007_booking;
mod m20261123_000008_club_report_indexes;
mod m20261130_000009_outbox_and_client_link;
mod m20261201_000010_telegram;
mod m20261201_000011_client_door;
mod m20261201_000012_notifications;
mod m20261201_000013_academy_depth;
mod m20261202_000014_payment_kind;
mod m20261202_000016_automations;
pub mod slug;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_foundation::Migration),
            Box::new(m20261122_000002_clients::Migration),
            Box::new(m20261123_000003_billing::Migration),
            Box::new(m20261123_000004_shifts::Migration),
            Box::new(m20261123_000005_club::Migration),
            Box::new(m20261123_000006_academy::Migration),
            Box::new(m20261123_000007_booking::Migration),
            Box::new(m20261123_000008_club_report_indexes::Migration),
            Box::new(m20261130_000009_outbox_and_client_link::Migration),
            Box::new(m20261201_000010_telegram::Migration),
            Box::new(m20261201_000011_client_door::Migration),
            Box::new(m20261201_000012_notifications::Migration),
            Box::new(m20261201_000013_academy_depth::Migration),
            Box::new(m20261202_000014_payment_kind::Migration),
            Box::new(m20261202_000016_automations::Migration),
        ]
    }
}

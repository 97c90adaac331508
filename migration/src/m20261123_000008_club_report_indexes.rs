//! The club's utilisation report asks which session parts of a zone overlap a range of days.
//! Neither a start nor an end index bounds that search from both sides, so on PostgreSQL a GiST
//! index over the part's time range does (btree_gist supplies `zone_id WITH =`). An open part
//! has no end: `tstzrange(started_at, NULL)` runs to infinity. SQLite keeps the start index.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            let conn = manager.get_connection();
            conn.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public")
                .await?;
            conn.execute_unprepared(
                "CREATE INDEX ix_play_session_part_span ON play_session_part \
                 USING gist (zone_id, tstzrange(started_at, ended_at))",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS ix_play_session_part_span")
                .await?;
        }
        Ok(())
    }
}

//! The clients' own door: a readable slug per location for its public page (`/book/<slug>`),
//! one-time sign-in codes sent to a client's linked channel, and when a client agreed to be
//! contacted.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{ConnectionTrait, FromQueryResult, Statement},
};

use crate::{
    helpers::{fk, index},
    slug,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Location {
    Table,
    Id,
    Slug,
}

#[derive(DeriveIden)]
enum ClientSignInCode {
    Table,
    Id,
    ClientId,
    CodeHash,
    Attempts,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Client {
    Table,
    Id,
    ContactConsentAt,
}

#[derive(FromQueryResult)]
struct Named {
    id: i64,
    name: String,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Location::Table)
                    .add_column(string_len(Location::Slug, 80).default(""))
                    .to_owned(),
            )
            .await?;
        // Existing locations get slugs from their names, the oldest first keeping the plain one.
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let rows = Named::find_by_statement(Statement::from_string(
            backend,
            "SELECT id, name FROM location ORDER BY id",
        ))
        .all(db)
        .await?;
        let mut taken: Vec<String> = Vec::with_capacity(rows.len());
        for row in rows {
            let slug = slug::unique(&slug::slugify(&row.name), |s| taken.iter().any(|t| t == s));
            let update = Query::update()
                .table(Location::Table)
                .value(Location::Slug, slug.clone())
                .and_where(Expr::col(Location::Id).eq(row.id))
                .to_owned();
            db.execute(&update).await?;
            taken.push(slug);
        }
        manager
            .create_index(index("ux_location_slug", Location::Table, &["slug"], true))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Client::Table)
                    .add_column(timestamp_with_time_zone_null(Client::ContactConsentAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ClientSignInCode::Table)
                    .col(big_pk_auto(ClientSignInCode::Id))
                    .col(big_integer(ClientSignInCode::ClientId))
                    .col(string_len(ClientSignInCode::CodeHash, 64))
                    .col(integer(ClientSignInCode::Attempts).default(0))
                    .col(timestamp_with_time_zone(ClientSignInCode::CreatedAt))
                    .col(timestamp_with_time_zone(ClientSignInCode::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ClientSignInCode::UsedAt))
                    .foreign_key(&mut fk(
                        ClientSignInCode::Table,
                        ClientSignInCode::ClientId,
                        Client::Table,
                        Client::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_client_sign_in_code_client",
                ClientSignInCode::Table,
                &["client_id", "created_at"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ClientSignInCode::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Client::Table)
                    .drop_column(Client::ContactConsentAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_location_slug")
                    .table(Location::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Location::Table)
                    .drop_column(Location::Slug)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

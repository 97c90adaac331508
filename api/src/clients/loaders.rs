//! Relation lookups of client records, batched per request.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use entity::{client, client_source, client_tag, interaction, pipeline_stage, stage_history};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::batch::{LoadError, LoaderTable, by_id_loader};

/// How many recent interactions a client carries in lists.
pub const RECENT_INTERACTIONS: usize = 20;

pub fn register(table: &mut LoaderTable) {
    table.add(SourceById);
    table.add(StageById);
    table.add(TagsByClient);
    table.add(RecentInteractions);
    table.add(ClientById);
    table.add(StageHistoryByClient);
}

by_id_loader!(SourceById, client_source);
by_id_loader!(StageById, pipeline_stage);
by_id_loader!(ClientById, client);

pub struct TagsByClient(DatabaseConnection);

impl Loader<i64> for TagsByClient {
    type Value = Vec<String>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = client_tag::Entity::find()
            .filter(client_tag::Column::ClientId.is_in(keys.iter().copied()))
            .order_by_asc(client_tag::Column::Tag)
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for row in rows {
            out.entry(row.client_id).or_default().push(row.tag);
        }
        Ok(out)
    }
}

/// The latest [`RECENT_INTERACTIONS`] interactions of each client, newest first.
pub struct RecentInteractions(DatabaseConnection);

impl Loader<i64> for RecentInteractions {
    type Value = Vec<interaction::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = interaction::Entity::find()
            .filter(interaction::Column::ClientId.is_in(keys.iter().copied()))
            .order_by_desc(interaction::Column::At)
            .order_by_desc(interaction::Column::Id)
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<i64, Vec<interaction::Model>> = HashMap::new();
        for row in rows {
            let list = out.entry(row.client_id).or_default();
            if list.len() < RECENT_INTERACTIONS {
                list.push(row);
            }
        }
        Ok(out)
    }
}

/// Every funnel move of each client, oldest first.
pub struct StageHistoryByClient(DatabaseConnection);

impl Loader<i64> for StageHistoryByClient {
    type Value = Vec<stage_history::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = stage_history::Entity::find()
            .filter(stage_history::Column::ClientId.is_in(keys.iter().copied()))
            .order_by_asc(stage_history::Column::MovedAt)
            .order_by_asc(stage_history::Column::Id)
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<i64, Vec<stage_history::Model>> = HashMap::new();
        for row in rows {
            out.entry(row.client_id).or_default().push(row);
        }
        Ok(out)
    }
}

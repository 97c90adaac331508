//! Relation lookups of coaching, batched per request.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use entity::coaching_program;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::batch::{Batcher, LoadError};

pub fn register(data: &mut async_graphql::Data, db: &DatabaseConnection) {
    data.insert(Batcher::new(ProgramById(db.clone())));
}

pub struct ProgramById(DatabaseConnection);

impl Loader<i64> for ProgramById {
    type Value = coaching_program::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = coaching_program::Entity::find()
            .filter(coaching_program::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

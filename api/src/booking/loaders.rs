//! Per-request loaders of booking's relation fields.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use entity::{service, service_resource, specialist, specialist_service};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::batch::{LoadError, LoaderTable, by_id_loader};

pub fn register(table: &mut LoaderTable) {
    table.add(ServicesBySpecialist);
    table.add(RoomsByService);
    table.add(ServiceById);
    table.add(SpecialistById);
}

by_id_loader!(ServiceById, service);
by_id_loader!(SpecialistById, specialist);

/// Service ids each specialist performs.
pub struct ServicesBySpecialist(DatabaseConnection);

impl Loader<i64> for ServicesBySpecialist {
    type Value = Vec<i64>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = specialist_service::Entity::find()
            .filter(specialist_service::Column::SpecialistId.is_in(keys.iter().copied()))
            .order_by_asc(specialist_service::Column::ServiceId)
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
        for r in rows {
            out.entry(r.specialist_id).or_default().push(r.service_id);
        }
        Ok(out)
    }
}

/// Room ids that suit each service.
pub struct RoomsByService(DatabaseConnection);

impl Loader<i64> for RoomsByService {
    type Value = Vec<i64>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = service_resource::Entity::find()
            .filter(service_resource::Column::ServiceId.is_in(keys.iter().copied()))
            .order_by_asc(service_resource::Column::ResourceId)
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
        for r in rows {
            out.entry(r.service_id).or_default().push(r.resource_id);
        }
        Ok(out)
    }
}

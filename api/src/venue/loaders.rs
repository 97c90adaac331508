//! Per-request loaders (run by [`crate::batch::Batcher`]): every relation field of the venue goes through one of these, so a
//! nested list costs one statement per level, whatever its length.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{holiday, location, opening_hours, resource, zone};
use sea_orm::{DatabaseConnection, Order};

use crate::batch::{LoadError, LoaderTable, by_id_loader, grouped, grouped_by_position};

/// Registers the venue loaders.
pub fn register(table: &mut LoaderTable) {
    table.add(LocationById);
    table.add(ZoneById);
    table.add(ResourceById);
    table.add(ZonesByLocation);
    table.add(ResourcesByZone);
    table.add(ResourcesByLocation);
    table.add(OpeningHoursByLocation);
    table.add(HolidaysByLocation);
}

by_id_loader!(LocationById, location);
by_id_loader!(ZoneById, zone);
by_id_loader!(ResourceById, resource);

pub struct ZonesByLocation(DatabaseConnection);

impl Loader<i64> for ZonesByLocation {
    type Value = Vec<zone::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        grouped_by_position::<zone::Entity, zone::Row>(
            &self.0,
            zone::Column::LocationId,
            keys,
            |m| Some(m.location_id),
            [
                (zone::Column::SortOrder, Order::Asc),
                (zone::Column::Name, Order::Asc),
            ],
        )
        .await
    }
}

pub struct ResourcesByZone(DatabaseConnection);

impl Loader<i64> for ResourcesByZone {
    type Value = Vec<resource::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        grouped_by_position::<resource::Entity, resource::Row>(
            &self.0,
            resource::Column::ZoneId,
            keys,
            |m| m.zone_id,
            [
                (resource::Column::SortOrder, Order::Asc),
                (resource::Column::Name, Order::Asc),
            ],
        )
        .await
    }
}

pub struct ResourcesByLocation(DatabaseConnection);

impl Loader<i64> for ResourcesByLocation {
    type Value = Vec<resource::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        grouped_by_position::<resource::Entity, resource::Row>(
            &self.0,
            resource::Column::LocationId,
            keys,
            |m| Some(m.location_id),
            [
                (resource::Column::SortOrder, Order::Asc),
                (resource::Column::Name, Order::Asc),
            ],
        )
        .await
    }
}

pub struct OpeningHoursByLocation(DatabaseConnection);

impl Loader<i64> for OpeningHoursByLocation {
    type Value = Vec<opening_hours::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        grouped::<opening_hours::Entity>(
            &self.0,
            opening_hours::Column::LocationId,
            keys,
            |m| Some(m.location_id),
            [
                (opening_hours::Column::Weekday, Order::Asc),
                (opening_hours::Column::OpensAt, Order::Asc),
            ],
        )
        .await
    }
}

pub struct HolidaysByLocation(DatabaseConnection);

impl Loader<i64> for HolidaysByLocation {
    type Value = Vec<holiday::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        grouped::<holiday::Entity>(
            &self.0,
            holiday::Column::LocationId,
            keys,
            |m| Some(m.location_id),
            [(holiday::Column::Date, Order::Asc)],
        )
        .await
    }
}

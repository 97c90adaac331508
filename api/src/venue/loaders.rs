//! Per-request loaders (run by [`crate::batch::Batcher`]): every relation field of the venue goes through one of these, so a
//! nested list costs one statement per level, whatever its length.

use std::collections::HashMap;

use async_graphql::{Context, ErrorExtensions, dataloader::Loader};
use entity::{holiday, location, opening_hours, resource, zone};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};

use crate::{
    batch::{
        LoadError, LoaderTable, by_id_loader, grouped, grouped_by_position, grouped_select,
        is_query,
    },
    context::ContextExt,
    error::AppError,
};

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

/// Resources in display order, as every list of them is.
fn resource_order() -> [(resource::Column, Order); 2] {
    [
        (resource::Column::SortOrder, Order::Asc),
        (resource::Column::Name, Order::Asc),
    ]
}

impl Loader<i64> for ResourcesByZone {
    type Value = Vec<resource::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        grouped_by_position::<resource::Entity, resource::Row>(
            &self.0,
            resource::Column::ZoneId,
            keys,
            |m| m.zone_id,
            resource_order(),
        )
        .await
    }
}

/// The resources of every zone of `locations`, by zone: what [`ResourcesByZone`] reads for
/// those zones, asked without knowing them yet.
async fn resources_in_zones_of(
    db: &DatabaseConnection,
    locations: &[i64],
) -> Result<HashMap<i64, Vec<resource::Model>>, LoadError> {
    let zones = zone::Entity::find()
        .select_only()
        .column(zone::Column::Id)
        .filter(zone::Column::LocationId.is_in(locations.iter().copied()))
        .into_query();
    let mut select = resource::Entity::find().filter(resource::Column::ZoneId.in_subquery(zones));
    for (column, order) in resource_order() {
        select = select.order_by(column, order);
    }
    grouped_select::<resource::Entity, resource::Row>(db, select, locations.len(), |m| m.zone_id)
        .await
}

/// Reads ahead what a query's selection under `items` will ask of this page of locations:
/// their zones and, when selected, those zones' resources. The two statements run side by
/// side, each on its own connection, and what they read goes onto the request's batchers, so
/// the levels below answer at once instead of waiting for their siblings, and the
/// resources do not wait for the zones.
pub async fn read_ahead(ctx: &Context<'_>, locations: &[i64]) -> async_graphql::Result<()> {
    let selected = ctx.look_ahead().field("items").field("zones");
    if locations.is_empty() || !selected.exists() || !is_query(ctx) {
        return Ok(());
    }
    let failed = |e: LoadError| AppError::internal(e).extend();
    let zones = ctx.loader::<ZonesByLocation>()?;
    let mut read = if selected.field("resources").exists() {
        let resources = ctx.loader::<ResourcesByZone>()?;
        let (read, mut theirs) = tokio::try_join!(
            zones.loader().load(locations),
            resources_in_zones_of(&ctx.state()?.db, locations),
        )
        .map_err(failed)?;
        resources.prime(
            read.values()
                .flatten()
                .map(|zone| (zone.id, theirs.remove(&zone.id))),
        );
        read
    } else {
        zones.loader().load(locations).await.map_err(failed)?
    };
    zones.prime(locations.iter().map(|id| (*id, read.remove(id))));
    Ok(())
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

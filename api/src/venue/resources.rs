//! Resources and their live status. Every change that a live map shows is published on
//! [`Topic::ResourceStatus`] after its transaction commits.

use entity::{enums::ResourceStatus, resource};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    locations,
    types::{CreateResourceInput, ResourceFilter, UpdateResourceInput},
    zones,
};
use crate::{
    auth::actor::Caller,
    domain::{parse_id, text},
    error::{AppError, AppResult},
    events::{Event, Topic},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
};

/// What the bus carries for a location's live map.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ResourceEvent {
    Changed(resource::Model),
    Removed { id: i64, location_id: i64 },
}

impl Event for ResourceEvent {
    fn topic(&self) -> Topic {
        let location_id = match self {
            ResourceEvent::Changed(row) => row.location_id,
            ResourceEvent::Removed { location_id, .. } => *location_id,
        };
        Topic::ResourceStatus { location_id }
    }

    fn kind(&self) -> &'static str {
        match self {
            ResourceEvent::Changed(_) => "resource.changed",
            ResourceEvent::Removed { .. } => "resource.removed",
        }
    }
}

pub async fn get(state: &AppState, id: i64) -> AppResult<resource::Model> {
    resource::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("Ресурс", "Resource", id))
}

pub async fn list(
    state: &AppState,
    filter: ResourceFilter,
    page: Page,
) -> AppResult<(Vec<resource::Model>, PageInfo)> {
    let mut select = resource::Entity::find();
    if let Some(id) = &filter.location_id {
        select = select.filter(resource::Column::LocationId.eq(parse_id("filter.locationId", id)?));
    }
    if let Some(id) = &filter.zone_id {
        select = select.filter(resource::Column::ZoneId.eq(parse_id("filter.zoneId", id)?));
    }
    if let Some(kind) = filter.kind {
        select = select.filter(resource::Column::Kind.eq(kind));
    }
    if let Some(status) = filter.status {
        select = select.filter(resource::Column::Status.eq(status));
    }
    let select = select
        .order_by_asc(resource::Column::LocationId)
        .order_by_asc(resource::Column::SortOrder)
        .order_by_asc(resource::Column::Name)
        .order_by_asc(resource::Column::Id);
    fetch_page(&state.db, select, page).await
}

/// Every resource of a location: the first message of a live map.
pub async fn snapshot(state: &AppState, location_id: i64) -> AppResult<Vec<resource::Model>> {
    Ok(resource::Entity::find()
        .filter(resource::Column::LocationId.eq(location_id))
        .order_by_asc(resource::Column::SortOrder)
        .order_by_asc(resource::Column::Name)
        .all(&state.db)
        .await?)
}

async fn check_zone(
    state: &AppState,
    field: &str,
    location_id: i64,
    zone_id: i64,
) -> AppResult<()> {
    let zone = zones::get(state, zone_id).await.map_err(|_| {
        AppError::validation(
            field,
            format!("зоны {zone_id} нет"),
            format!("there is no zone {zone_id}"),
        )
    })?;
    if zone.location_id != location_id {
        return Err(AppError::validation(
            field,
            "зона принадлежит другой локации",
            "the zone belongs to another location",
        ));
    }
    Ok(())
}

fn check_capacity(capacity: i32) -> AppResult<i32> {
    if (1..=10_000).contains(&capacity) {
        Ok(capacity)
    } else {
        Err(AppError::validation(
            "input.capacity",
            format!("вместимость должна быть от 1 до 10000, получено {capacity}"),
            format!("capacity must be 1 to 10000, got {capacity}"),
        ))
    }
}

async fn check_name_free(
    state: &AppState,
    location_id: i64,
    name: &str,
    except: Option<i64>,
) -> AppResult<()> {
    let mut select = resource::Entity::find()
        .filter(resource::Column::LocationId.eq(location_id))
        .filter(resource::Column::Name.eq(name));
    if let Some(id) = except {
        select = select.filter(resource::Column::Id.ne(id));
    }
    if select.one(&state.db).await?.is_some() {
        return Err(AppError::conflict(
            format!("Ресурс «{name}» в этой локации уже есть"),
            format!("This location already has a resource named `{name}`"),
        ));
    }
    Ok(())
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: CreateResourceInput,
) -> AppResult<resource::Model> {
    let location_id = parse_id("input.locationId", &input.location_id)?;
    locations::get(state, location_id).await?;
    let zone_id = match &input.zone_id {
        Some(id) => {
            let id = parse_id("input.zoneId", id)?;
            check_zone(state, "input.zoneId", location_id, id).await?;
            Some(id)
        }
        None => None,
    };
    let name = text::required("input.name", &input.name, 100)?;
    check_name_free(state, location_id, &name, None).await?;
    let now = state.clock.now();
    let row = resource::ActiveModel {
        location_id: Set(location_id),
        zone_id: Set(zone_id),
        kind: Set(input.kind),
        name: Set(name),
        status: Set(ResourceStatus::Free),
        capacity: Set(check_capacity(input.capacity.unwrap_or(1))?),
        notes: Set(text::optional("input.notes", input.notes.as_deref(), 1000)?),
        sort_order: Set(input.sort_order.unwrap_or(0)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    state
        .write(caller, |tx| {
            let row = row.clone();
            Box::pin(async move {
                let created = row.insert(tx.db()).await?;
                tx.audit(
                    "resource.create",
                    "resource",
                    Some(created.id),
                    json!({ "locationId": location_id, "zoneId": zone_id, "kind": created.kind, "name": created.name }),
                )
                .await?;
                tx.emit(&ResourceEvent::Changed(created.clone())).await?;
                Ok(created)
            })
        })
        .await
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: UpdateResourceInput,
) -> AppResult<resource::Model> {
    let current = get(state, id).await?;
    let location_id = current.location_id;
    let mut model: resource::ActiveModel = current.into();
    match input.zone_id.as_opt_ref() {
        None => {}
        Some(None) => model.zone_id = Set(None),
        Some(Some(zone)) => {
            let zone_id = parse_id("input.zoneId", zone)?;
            check_zone(state, "input.zoneId", location_id, zone_id).await?;
            model.zone_id = Set(Some(zone_id));
        }
    }
    if let Some(kind) = input.kind {
        model.kind = Set(kind);
    }
    if let Some(name) = &input.name {
        let name = text::required("input.name", name, 100)?;
        check_name_free(state, location_id, &name, Some(id)).await?;
        model.name = Set(name);
    }
    if let Some(capacity) = input.capacity {
        model.capacity = Set(check_capacity(capacity)?);
    }
    if let Some(notes) = input.notes.as_opt_deref() {
        model.notes = Set(text::optional("input.notes", notes, 1000)?);
    }
    if let Some(order) = input.sort_order {
        model.sort_order = Set(order);
    }
    model.updated_at = Set(state.clock.now());
    state
        .write(caller, |tx| {
            let model = model.clone();
            Box::pin(async move {
                let updated = model.update(tx.db()).await?;
                tx.audit(
                    "resource.update",
                    "resource",
                    Some(id),
                    json!({ "zoneId": updated.zone_id, "kind": updated.kind, "name": updated.name, "capacity": updated.capacity }),
                )
                .await?;
                tx.emit(&ResourceEvent::Changed(updated.clone())).await?;
                Ok(updated)
            })
        })
        .await
}

pub async fn delete(state: &AppState, caller: &Caller, id: i64) -> AppResult<()> {
    let current = get(state, id).await?;
    if current.status == ResourceStatus::Busy {
        return Err(AppError::conflict(
            format!("«{}» сейчас занят: сначала освободите его", current.name),
            format!("`{}` is in use: free it first", current.name),
        ));
    }
    let (name, location_id) = (&current.name, current.location_id);
    state
        .write(caller, |tx| {
            Box::pin(async move {
                resource::Entity::delete_by_id(id).exec(tx.db()).await?;
                tx.audit(
                    "resource.delete",
                    "resource",
                    Some(id),
                    json!({ "name": name }),
                )
                .await?;
                tx.emit(&ResourceEvent::Removed { id, location_id }).await?;
                Ok(())
            })
        })
        .await
}

/// Sets the live status by hand: out of order, back in service, or a correction.
pub async fn set_status(
    state: &AppState,
    caller: &Caller,
    id: i64,
    status: ResourceStatus,
    note: Option<String>,
) -> AppResult<resource::Model> {
    let note = text::optional("note", note.as_deref(), 500)?;
    let current = get(state, id).await?;
    let previous = current.status;
    let note = &note;
    state
        .write(caller, |tx| {
            let mut model: resource::ActiveModel = current.clone().into();
            model.status = Set(status);
            model.updated_at = Set(tx.now());
            Box::pin(async move {
                let updated = model.update(tx.db()).await?;
                tx.audit(
                    "resource.set_status",
                    "resource",
                    Some(id),
                    json!({ "from": previous, "to": status, "note": note }),
                )
                .await?;
                tx.emit(&ResourceEvent::Changed(updated.clone())).await?;
                Ok(updated)
            })
        })
        .await
}

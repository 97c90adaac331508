//! Zones of a location.

use entity::{resource, zone};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;

use super::{
    locations,
    types::{CreateZoneInput, UpdateZoneInput},
};
use crate::{
    auth::actor::Caller,
    domain::{parse_id, text},
    error::{AppError, AppResult},
    state::AppState,
};

pub async fn get(state: &AppState, id: i64) -> AppResult<zone::Model> {
    zone::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("Зона", "Zone", id))
}

pub async fn list(state: &AppState, location_id: i64) -> AppResult<Vec<zone::Model>> {
    locations::get(state, location_id).await?;
    Ok(zone::Entity::find()
        .filter(zone::Column::LocationId.eq(location_id))
        .order_by_asc(zone::Column::SortOrder)
        .order_by_asc(zone::Column::Name)
        .all(&state.db)
        .await?)
}

fn name_taken(name: &str) -> AppError {
    AppError::conflict(
        format!("Зона «{name}» в этой локации уже есть"),
        format!("This location already has a zone named `{name}`"),
    )
}

async fn check_name_free(
    state: &AppState,
    location_id: i64,
    name: &str,
    except: Option<i64>,
) -> AppResult<()> {
    let mut select = zone::Entity::find()
        .filter(zone::Column::LocationId.eq(location_id))
        .filter(zone::Column::Name.eq(name));
    if let Some(id) = except {
        select = select.filter(zone::Column::Id.ne(id));
    }
    match select.one(&state.db).await? {
        Some(_) => Err(name_taken(name)),
        None => Ok(()),
    }
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: CreateZoneInput,
) -> AppResult<zone::Model> {
    let location_id = parse_id("input.locationId", &input.location_id)?;
    locations::get(state, location_id).await?;
    let name = text::required("input.name", &input.name, 100)?;
    check_name_free(state, location_id, &name, None).await?;
    state
        .write(caller, |tx| {
            let input = input.clone();
            let name = name.clone();
            Box::pin(async move {
                let created = zone::ActiveModel {
                    location_id: Set(location_id),
                    name: Set(name),
                    description: Set(text::optional(
                        "input.description",
                        input.description.as_deref(),
                        1000,
                    )?),
                    color: Set(text::color("input.color", input.color.as_deref())?),
                    sort_order: Set(input.sort_order.unwrap_or(0)),
                    created_at: Set(tx.now()),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                tx.audit(
                    "zone.create",
                    "zone",
                    Some(created.id),
                    json!({ "locationId": location_id, "name": created.name }),
                )
                .await?;
                Ok(created)
            })
        })
        .await
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    input: UpdateZoneInput,
) -> AppResult<zone::Model> {
    let current = get(state, id).await?;
    let location_id = current.location_id;
    let mut model: zone::ActiveModel = current.into();
    if let Some(name) = &input.name {
        let name = text::required("input.name", name, 100)?;
        check_name_free(state, location_id, &name, Some(id)).await?;
        model.name = Set(name);
    }
    if let Some(description) = input.description.as_opt_deref() {
        model.description = Set(text::optional("input.description", description, 1000)?);
    }
    if let Some(color) = input.color.as_opt_deref() {
        model.color = Set(text::color("input.color", color)?);
    }
    if let Some(order) = input.sort_order {
        model.sort_order = Set(order);
    }
    state
        .write(caller, |tx| {
            let model = model.clone();
            Box::pin(async move {
                let updated = model.update(tx.db()).await?;
                tx.audit(
                    "zone.update",
                    "zone",
                    Some(id),
                    json!({ "name": updated.name, "color": updated.color, "sortOrder": updated.sort_order }),
                )
                .await?;
                Ok(updated)
            })
        })
        .await
}

/// Deletes an empty zone; a zone that still has resources is refused.
pub async fn delete(state: &AppState, caller: &Caller, id: i64) -> AppResult<()> {
    let current = get(state, id).await?;
    state
        .write(caller, |tx| {
            let current = current.clone();
            Box::pin(async move {
                let in_use = resource::Entity::find()
                    .filter(resource::Column::ZoneId.eq(id))
                    .count(tx.db())
                    .await?;
                if in_use > 0 {
                    return Err(AppError::conflict(
                        format!(
                            "В зоне «{}» ещё {in_use} ресурс(ов): перенесите или удалите их",
                            current.name
                        ),
                        format!(
                            "Zone `{}` still has {in_use} resource(s): move or delete them first",
                            current.name
                        ),
                    ));
                }
                zone::Entity::delete_by_id(id).exec(tx.db()).await?;
                tx.audit(
                    "zone.delete",
                    "zone",
                    Some(id),
                    json!({ "name": current.name }),
                )
                .await?;
                Ok(())
            })
        })
        .await
}

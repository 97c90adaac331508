//! The catalogue: services, their packages, specialists, who performs what, and which rooms
//! suit which service.

use entity::{
    enums::ResourceKind, resource, service, service_package, service_resource, specialist,
    specialist_service,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;

use crate::{
    auth::actor::Caller,
    domain::text,
    error::{AppError, AppResult},
    state::AppState,
};

/// The checked terms of a service.
pub struct ServiceSpec {
    pub name: String,
    pub category: Option<String>,
    pub description: Option<String>,
    pub duration_minutes: i32,
    pub price: i64,
    pub buffer_before: i32,
    pub buffer_after: i32,
    pub active: bool,
}

impl ServiceSpec {
    fn check(self) -> AppResult<ServiceSpec> {
        if !(5..=24 * 60).contains(&self.duration_minutes) {
            return Err(AppError::validation(
                "input.durationMinutes",
                "услуга длится от 5 минут до суток",
                "a service lasts 5 minutes to a day",
            ));
        }
        for (field, v) in [
            ("input.bufferBefore", self.buffer_before),
            ("input.bufferAfter", self.buffer_after),
        ] {
            if !(0..=240).contains(&v) {
                return Err(AppError::validation(
                    field,
                    "перерыв — от 0 до 240 минут",
                    "a buffer is 0 to 240 minutes",
                ));
            }
        }
        Ok(ServiceSpec {
            name: text::required("input.name", &self.name, 200)?,
            category: text::optional("input.category", self.category.as_deref(), 100)?,
            description: text::optional("input.description", self.description.as_deref(), 2000)?,
            price: price("input.price", self.price)?,
            ..self
        })
    }
}

pub fn price(field: &str, amount: i64) -> AppResult<i64> {
    if !(0..=1_000_000_000_000).contains(&amount) {
        return Err(AppError::validation(
            field,
            "цена не может быть отрицательной или больше 10 000 000 000",
            "a price cannot be negative or above 10,000,000,000",
        ));
    }
    Ok(amount)
}

pub async fn service<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<service::Model> {
    service::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Услуга", "Service", id))
}

pub async fn services(
    state: &AppState,
    location_id: i64,
    include_inactive: bool,
) -> AppResult<Vec<service::Model>> {
    let mut select = service::Entity::find().filter(service::Column::LocationId.eq(location_id));
    if !include_inactive {
        select = select.filter(service::Column::Active.eq(true));
    }
    Ok(select
        .order_by_asc(service::Column::Category)
        .order_by_asc(service::Column::Name)
        .all(&state.db)
        .await?)
}

pub async fn save_service(
    state: &AppState,
    caller: &Caller,
    id: Option<i64>,
    location_id: i64,
    spec: ServiceSpec,
) -> AppResult<service::Model> {
    let spec = &spec.check()?;
    if id.is_none() {
        crate::venue::locations::get(state, location_id).await?;
    }
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let now = tx.now();
                let mut model = match id {
                    Some(id) => service(tx.db(), id).await?.into(),
                    None => service::ActiveModel {
                        location_id: Set(location_id),
                        created_at: Set(now),
                        ..Default::default()
                    },
                };
                model.name = Set(spec.name.clone());
                model.category = Set(spec.category.clone());
                model.description = Set(spec.description.clone());
                model.duration_minutes = Set(spec.duration_minutes);
                model.price = Set(spec.price);
                model.buffer_before = Set(spec.buffer_before);
                model.buffer_after = Set(spec.buffer_after);
                model.active = Set(spec.active);
                model.updated_at = Set(now);
                let saved = match id {
                    Some(_) => model.update(tx.db()).await?,
                    None => model.insert(tx.db()).await?,
                };
                tx.audit(
                    if id.is_some() {
                        "service.update"
                    } else {
                        "service.create"
                    },
                    "service",
                    Some(saved.id),
                    json!({ "name": saved.name, "minutes": saved.duration_minutes, "price": saved.price }),
                )
                .await?;
                Ok(saved)
            })
        })
        .await
}

pub async fn packages(state: &AppState, service_id: i64) -> AppResult<Vec<service_package::Model>> {
    Ok(service_package::Entity::find()
        .filter(service_package::Column::ServiceId.eq(service_id))
        .order_by_asc(service_package::Column::Id)
        .all(&state.db)
        .await?)
}

pub async fn package<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<service_package::Model> {
    service_package::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Пакет услуг", "Service package", id))
}

pub async fn create_package(
    state: &AppState,
    caller: &Caller,
    service_id: i64,
    name: &str,
    visits: i32,
    validity_days: i32,
    amount: i64,
) -> AppResult<service_package::Model> {
    let name = text::required("input.name", name, 200)?;
    if !(1..=1000).contains(&visits) {
        return Err(AppError::validation(
            "input.visits",
            "посещений в пакете — от 1 до 1000",
            "a package has 1 to 1000 visits",
        ));
    }
    if !(1..=3660).contains(&validity_days) {
        return Err(AppError::validation(
            "input.validityDays",
            "срок действия — от 1 дня до 10 лет",
            "validity is 1 day to 10 years",
        ));
    }
    let amount = price("input.price", amount)?;
    let name = &name;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                service(tx.db(), service_id).await?;
                let row = service_package::ActiveModel {
                    service_id: Set(service_id),
                    name: Set(name.clone()),
                    visits: Set(visits),
                    validity_days: Set(validity_days),
                    price: Set(amount),
                    active: Set(true),
                    created_at: Set(tx.now()),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                tx.audit(
                    "service_package.create",
                    "service_package",
                    Some(row.id),
                    json!({ "serviceId": service_id, "visits": visits, "days": validity_days, "price": amount }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

pub async fn set_package_active(
    state: &AppState,
    caller: &Caller,
    id: i64,
    active: bool,
) -> AppResult<service_package::Model> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let mut model: service_package::ActiveModel = package(tx.db(), id).await?.into();
                model.active = Set(active);
                let row = model.update(tx.db()).await?;
                tx.audit(
                    "service_package.active",
                    "service_package",
                    Some(id),
                    json!({ "active": active }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// The checked profile of a specialist.
pub struct SpecialistSpec {
    pub first_name: String,
    pub last_name: String,
    pub title: Option<String>,
    pub bio: Option<String>,
    pub user_id: Option<i64>,
    pub active: bool,
}

pub async fn specialist<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<specialist::Model> {
    specialist::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Специалист", "Specialist", id))
}

/// Active specialists, all or those who perform a service.
pub async fn specialists(
    state: &AppState,
    service_id: Option<i64>,
    include_inactive: bool,
) -> AppResult<Vec<specialist::Model>> {
    let mut select = specialist::Entity::find();
    if let Some(service_id) = service_id {
        let ids: Vec<i64> = specialist_service::Entity::find()
            .filter(specialist_service::Column::ServiceId.eq(service_id))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|s| s.specialist_id)
            .collect();
        select = select.filter(specialist::Column::Id.is_in(ids));
    }
    if !include_inactive {
        select = select.filter(specialist::Column::Active.eq(true));
    }
    Ok(select
        .order_by_asc(specialist::Column::LastName)
        .order_by_asc(specialist::Column::FirstName)
        .order_by_asc(specialist::Column::Id)
        .all(&state.db)
        .await?)
}

pub async fn save_specialist(
    state: &AppState,
    caller: &Caller,
    id: Option<i64>,
    spec: SpecialistSpec,
) -> AppResult<specialist::Model> {
    let first_name = text::required("input.firstName", &spec.first_name, 100)?;
    let last_name =
        text::optional("input.lastName", Some(&spec.last_name), 100)?.unwrap_or_default();
    let title = text::optional("input.title", spec.title.as_deref(), 200)?;
    let bio = text::optional("input.bio", spec.bio.as_deref(), 2000)?;
    let (first_name, last_name, title, bio, spec) = (&first_name, &last_name, &title, &bio, &spec);
    state
        .write(caller, |tx| {
            Box::pin(async move {
                if let Some(user_id) = spec.user_id
                    && entity::user::Entity::find_by_id(user_id)
                        .one(tx.db())
                        .await?
                        .is_none()
                {
                    return Err(AppError::validation(
                        "input.userId",
                        format!("пользователя {user_id} нет"),
                        format!("there is no user {user_id}"),
                    ));
                }
                let now = tx.now();
                let mut model = match id {
                    Some(id) => specialist(tx.db(), id).await?.into(),
                    None => specialist::ActiveModel {
                        created_at: Set(now),
                        ..Default::default()
                    },
                };
                model.first_name = Set(first_name.clone());
                model.last_name = Set(last_name.clone());
                model.title = Set(title.clone());
                model.bio = Set(bio.clone());
                model.user_id = Set(spec.user_id);
                model.active = Set(spec.active);
                model.updated_at = Set(now);
                let saved = match id {
                    Some(_) => model.update(tx.db()).await?,
                    None => model.insert(tx.db()).await?,
                };
                tx.audit(
                    if id.is_some() {
                        "specialist.update"
                    } else {
                        "specialist.create"
                    },
                    "specialist",
                    Some(saved.id),
                    json!({ "name": format!("{} {}", saved.first_name, saved.last_name), "userId": saved.user_id }),
                )
                .await?;
                Ok(saved)
            })
        })
        .await
}

/// Replaces the services a specialist performs.
pub async fn set_specialist_services(
    state: &AppState,
    caller: &Caller,
    specialist_id: i64,
    service_ids: Vec<i64>,
) -> AppResult<Vec<i64>> {
    let mut ids = service_ids;
    ids.sort_unstable();
    ids.dedup();
    let ids = &ids;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                specialist(tx.db(), specialist_id).await?;
                let found = service::Entity::find()
                    .filter(service::Column::Id.is_in(ids.clone()))
                    .all(tx.db())
                    .await?;
                if let Some(missing) = ids.iter().find(|id| !found.iter().any(|s| s.id == **id)) {
                    return Err(AppError::validation(
                        "serviceIds",
                        format!("услуги {missing} нет"),
                        format!("there is no service {missing}"),
                    ));
                }
                specialist_service::Entity::delete_many()
                    .filter(specialist_service::Column::SpecialistId.eq(specialist_id))
                    .exec(tx.db())
                    .await?;
                if !ids.is_empty() {
                    specialist_service::Entity::insert_many(ids.iter().map(|id| {
                        specialist_service::ActiveModel {
                            specialist_id: Set(specialist_id),
                            service_id: Set(*id),
                            ..Default::default()
                        }
                    }))
                    .exec_without_returning(tx.db())
                    .await?;
                }
                tx.audit(
                    "specialist.services",
                    "specialist",
                    Some(specialist_id),
                    json!({ "serviceIds": ids }),
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    Ok(ids.clone())
}

/// Replaces the rooms that suit a service; they must be rooms of the service's location.
pub async fn set_service_rooms(
    state: &AppState,
    caller: &Caller,
    service_id: i64,
    resource_ids: Vec<i64>,
) -> AppResult<Vec<i64>> {
    let mut ids = resource_ids;
    ids.sort_unstable();
    ids.dedup();
    let ids = &ids;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let svc = service(tx.db(), service_id).await?;
                let rooms = resource::Entity::find()
                    .filter(resource::Column::Id.is_in(ids.clone()))
                    .all(tx.db())
                    .await?;
                for id in ids {
                    match rooms.iter().find(|r| r.id == *id) {
                        Some(r)
                            if r.location_id == svc.location_id && r.kind != ResourceKind::Pc => {}
                        _ => {
                            return Err(AppError::validation(
                                "resourceIds",
                                format!("ресурс {id} — не помещение этой локации"),
                                format!("resource {id} is not a room of this location"),
                            ));
                        }
                    }
                }
                service_resource::Entity::delete_many()
                    .filter(service_resource::Column::ServiceId.eq(service_id))
                    .exec(tx.db())
                    .await?;
                if !ids.is_empty() {
                    service_resource::Entity::insert_many(ids.iter().map(|id| {
                        service_resource::ActiveModel {
                            service_id: Set(service_id),
                            resource_id: Set(*id),
                            ..Default::default()
                        }
                    }))
                    .exec_without_returning(tx.db())
                    .await?;
                }
                tx.audit(
                    "service.rooms",
                    "service",
                    Some(service_id),
                    json!({ "resourceIds": ids }),
                )
                .await?;
                Ok(())
            })
        })
        .await?;
    Ok(ids.clone())
}

/// Room ids of a service.
pub async fn service_rooms<C: ConnectionTrait>(conn: &C, service_id: i64) -> AppResult<Vec<i64>> {
    Ok(service_resource::Entity::find()
        .filter(service_resource::Column::ServiceId.eq(service_id))
        .order_by_asc(service_resource::Column::ResourceId)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.resource_id)
        .collect())
}

//! Students: clients enrolled at the academy, and who may read whose records.
//!
//! A client signs in as a client-role user linked to their client record (the one client
//! identity, `clients::identity`); such a caller sees only their own records, everyone on
//! the staff sees all.

use chrono::{DateTime, Utc};
use entity::{academy_belt, academy_student, enums::BeltTrack};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde_json::json;

use crate::{
    auth::actor::{Actor, Caller},
    clients::{identity, service as clients},
    domain::text,
    error::{AppError, AppResult},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
};

pub fn not_found(id: i64) -> AppError {
    AppError::not_found("Ученик", "Student", id)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<academy_student::Model> {
    academy_student::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| not_found(id))
}

/// The student record of a client-role caller (None for anyone else).
pub async fn own<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
) -> AppResult<Option<academy_student::Model>> {
    let Some(client_id) = actor.reach()?.own() else {
        return Ok(None);
    };
    Ok(academy_student::Entity::find()
        .filter(academy_student::Column::ClientId.eq(client_id))
        .one(conn)
        .await?)
}

/// The student record a client-role caller acts as; FORBIDDEN when none is linked.
pub async fn own_required<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
) -> AppResult<academy_student::Model> {
    own(conn, actor).await?.ok_or_else(|| {
        AppError::Forbidden(crate::error::Msg::new(
            "Ваша учётная запись не привязана к ученику академии",
            "Your account is not linked to an academy student",
        ))
    })
}

/// Staff may read any student; a client only themselves (the one rule,
/// [`crate::auth::actor::Reach::may_touch`]).
pub async fn ensure_may_read_student<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    student_id: i64,
) -> AppResult<()> {
    let reach = actor.reach()?;
    if reach.own().is_none() {
        return Ok(());
    }
    let owner = academy_student::Entity::find_by_id(student_id)
        .one(conn)
        .await?
        .map(|s| s.client_id);
    reach.may_touch_found(owner)
}

pub struct NewStudent {
    pub client_id: i64,
    pub location_id: i64,
    pub user_id: Option<i64>,
    pub track: BeltTrack,
    pub belt_id: Option<i64>,
    pub stripes: i16,
    pub joined_at: Option<DateTime<Utc>>,
    pub notes: Option<String>,
}

pub struct StudentChanges {
    pub location_id: Option<i64>,
    pub user_id: Option<i64>,
    pub track: Option<BeltTrack>,
    pub active: Option<bool>,
    pub notes: Option<String>,
}

pub(crate) fn check_stripes(
    field: &str,
    stripes: i32,
    belt: &academy_belt::Model,
) -> AppResult<i16> {
    if stripes < 0 || stripes > i32::from(belt.max_stripes) {
        return Err(AppError::validation(
            field,
            format!("у пояса «{}» от 0 до {} полос", belt.name, belt.max_stripes),
            format!("belt `{}` has 0 to {} stripes", belt.name, belt.max_stripes),
        ));
    }
    Ok(stripes as i16)
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    new: NewStudent,
) -> AppResult<academy_student::Model> {
    let notes = &text::optional("input.notes", new.notes.as_deref(), 2000)?;
    crate::venue::locations::get(state, new.location_id).await?;
    if new.belt_id.is_none() && new.stripes != 0 {
        return Err(AppError::validation(
            "input.stripes",
            "полосы бывают только на поясе: укажите пояс",
            "stripes go on a belt: give the belt",
        ));
    }
    let new = &new;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                clients::get(tx.db(), new.client_id).await?;
                if let Some(belt_id) = new.belt_id {
                    let belt = super::belts::get(tx.db(), belt_id).await?;
                    if belt.track != new.track {
                        return Err(AppError::validation(
                            "input.beltId",
                            "пояс из другой линейки (взрослые/дети)",
                            "the belt is on the other ladder (adults/kids)",
                        ));
                    }
                    check_stripes("input.stripes", i32::from(new.stripes), &belt)?;
                }
                let taken = academy_student::Entity::find()
                    .filter(academy_student::Column::ClientId.eq(new.client_id))
                    .one(tx.db())
                    .await?;
                if let Some(taken) = taken {
                    return Err(AppError::conflict(
                        format!("Клиент уже записан в академию: ученик {}", taken.id),
                        format!("The client is already a student: student {}", taken.id),
                    ));
                }
                if let Some(user_id) = new.user_id {
                    identity::link_in(tx, "input.userId", user_id, new.client_id).await?;
                }
                let now = tx.now();
                let row = academy_student::ActiveModel {
                    client_id: Set(new.client_id),
                    location_id: Set(new.location_id),
                    track: Set(new.track),
                    belt_id: Set(new.belt_id),
                    stripes: Set(new.stripes),
                    promoted_at: Set(None),
                    joined_at: Set(new.joined_at.unwrap_or(now)),
                    active: Set(true),
                    notes: Set(notes.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                tx.audit(
                    "academy.student.create",
                    "academy_student",
                    Some(row.id),
                    json!({ "clientId": row.client_id, "locationId": row.location_id }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: i64,
    changes: StudentChanges,
) -> AppResult<academy_student::Model> {
    let notes = &text::optional("input.notes", changes.notes.as_deref(), 2000)?;
    if let Some(location_id) = changes.location_id {
        crate::venue::locations::get(state, location_id).await?;
    }
    let changes = &changes;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let current = get(tx.db(), id).await?;
                let mut row: academy_student::ActiveModel = current.clone().into();
                if let Some(location_id) = changes.location_id {
                    row.location_id = Set(location_id);
                }
                if let Some(user_id) = changes.user_id {
                    identity::link_in(tx, "input.userId", user_id, current.client_id).await?;
                }
                if let Some(track) = changes.track
                    && track != current.track
                {
                    if current.belt_id.is_some() {
                        return Err(AppError::validation(
                            "input.track",
                            "у ученика есть пояс: сменить линейку можно повышением на пояс другой линейки",
                            "the student holds a belt: move ladders by promoting to a belt of the other one",
                        ));
                    }
                    row.track = Set(track);
                }
                if let Some(active) = changes.active {
                    row.active = Set(active);
                }
                if changes.notes.is_some() {
                    row.notes = Set(notes.clone());
                }
                row.updated_at = Set(tx.now());
                let updated = row.update(tx.db()).await?;
                tx.audit(
                    "academy.student.update",
                    "academy_student",
                    Some(id),
                    json!({ "active": updated.active, "userId": changes.user_id }),
                )
                .await?;
                Ok(updated)
            })
        })
        .await
}

pub struct StudentQuery {
    pub location_id: Option<i64>,
    pub search: Option<String>,
    pub include_inactive: bool,
    pub track: Option<BeltTrack>,
}

/// Students by name (through the client record), a page at a time.
pub async fn list(
    state: &AppState,
    query: StudentQuery,
    page: Page,
) -> AppResult<(Vec<academy_student::Model>, PageInfo)> {
    let mut select = academy_student::Entity::find().order_by_asc(academy_student::Column::Id);
    if let Some(location_id) = query.location_id {
        select = select.filter(academy_student::Column::LocationId.eq(location_id));
    }
    if !query.include_inactive {
        select = select.filter(academy_student::Column::Active.eq(true));
    }
    if let Some(track) = query.track {
        select = select.filter(academy_student::Column::Track.eq(track));
    }
    if let Some(search) = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let needle = crate::domain::search::fold(search);
        let ids = entity::client::Entity::find()
            .select_only()
            .column(entity::client::Column::Id)
            .filter(crate::domain::search::contains(
                entity::client::Column::SearchText,
                &needle,
            ))
            .into_query();
        select =
            select.filter(Condition::all().add(academy_student::Column::ClientId.in_subquery(ids)));
    }
    fetch_page(&state.db, select, page).await
}

//! Reading sessions: one, a filtered page, their parts, what one costs so far; and the locked
//! read a change starts from.

use async_graphql::ID;
use entity::{client, enums::SessionStatus, play_session, play_session_part};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Statement,
};

use super::Rules;
use crate::{
    club::{pricing::Quote, types::PlaySessionFilter},
    domain::parse_id,
    error::{AppError, AppResult},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
};

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<play_session::Model> {
    play_session::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Сеанс", "Session", id))
}

/// Play sessions matching `filter`, newest first.
pub async fn list(
    state: &AppState,
    filter: PlaySessionFilter,
    page: Page,
) -> AppResult<(Vec<play_session::Model>, PageInfo)> {
    let id = |field, id: &Option<ID>| id.as_ref().map(|id| parse_id(field, id)).transpose();
    let mut select = play_session::Entity::find();
    if let Some(id) = id("filter.locationId", &filter.location_id)? {
        select = select.filter(play_session::Column::LocationId.eq(id));
    }
    if let Some(id) = id("filter.clientId", &filter.client_id)? {
        select = select.filter(play_session::Column::ClientId.eq(id));
    }
    if let Some(id) = id("filter.resourceId", &filter.resource_id)? {
        select = select.filter(play_session::Column::ResourceId.eq(id));
    }
    if let Some(status) = filter.status {
        select = select.filter(play_session::Column::Status.eq(status));
    }
    if let Some(from) = filter.started_from {
        select = select.filter(play_session::Column::StartedAt.gte(from));
    }
    if let Some(to) = filter.started_to {
        select = select.filter(play_session::Column::StartedAt.lt(to));
    }
    let select = select.order_by_desc(play_session::Column::Id);
    fetch_page(&state.db, select, page).await
}

pub async fn parts_of<C: ConnectionTrait>(
    conn: &C,
    session_ids: Vec<i64>,
) -> AppResult<Vec<play_session_part::Model>> {
    Ok(play_session_part::Entity::find()
        .filter(play_session_part::Column::SessionId.is_in(session_ids))
        .order_by_asc(play_session_part::Column::Id)
        .all(conn)
        .await?)
}

pub(super) async fn lock_session(
    conn: &DatabaseTransaction,
    id: i64,
) -> AppResult<play_session::Model> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        conn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT id FROM play_session WHERE id = $1 FOR UPDATE",
            [id.into()],
        ))
        .await?;
    }
    let session = get(conn, id).await?;
    if session.status != SessionStatus::Active {
        return Err(AppError::conflict(
            format!("Сеанс {id} уже завершён"),
            format!("Session {id} is already over"),
        ));
    }
    Ok(session)
}

pub(super) async fn discount_of<C: ConnectionTrait>(
    conn: &C,
    client_id: Option<i64>,
) -> AppResult<i32> {
    Ok(match client_id {
        Some(id) => client::Entity::find_by_id(id)
            .one(conn)
            .await?
            .map_or(0, |c| c.discount_percent),
        None => 0,
    })
}

/// What a session costs so far (or in the end).
pub async fn current_quote(state: &AppState, session: &play_session::Model) -> AppResult<Quote> {
    if let Some(stored) = &session.breakdown
        && let Ok(q) = serde_json::from_value::<Quote>(stored.clone())
    {
        return Ok(q);
    }
    let rules = Rules::load(&state.db, session.location_id).await?;
    let parts = parts_of(&state.db, vec![session.id]).await?;
    let discount = discount_of(&state.db, session.client_id).await?;
    Ok(rules.quote(session, &parts, discount, state.clock.now()))
}

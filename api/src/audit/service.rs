use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::Value;

use super::types::{AuditEntryPage, AuditFilter};
use crate::{
    auth::actor::{Actor, Caller},
    domain::parse_id,
    error::AppResult,
    pagination::{Page, fetch_page},
    state::AppState,
};

/// Appends one row dated `at`. Units of work call it through [`crate::write::Tx::audit`].
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    at: DateTime<Utc>,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    details: Value,
) -> AppResult<()> {
    let (user_id, key_id) = match &caller.actor {
        Actor::User { id, .. } => (Some(*id), None),
        Actor::ApiKey { id, .. } => (None, Some(*id)),
        Actor::Anonymous | Actor::System | Actor::Rule { .. } => (None, None),
    };
    audit_log::Entity::insert(audit_log::ActiveModel {
        at: Set(at),
        actor_user_id: Set(user_id),
        actor_api_key_id: Set(key_id),
        actor_label: Set(caller.actor.label()),
        action: Set(action.to_owned()),
        entity: Set(entity.to_owned()),
        entity_id: Set(entity_id.map(|id| id.to_string())),
        details: Set(details),
        address: Set(caller.address.clone()),
        request_id: Set(caller.request_id.clone()),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn list(state: &AppState, filter: AuditFilter, page: Page) -> AppResult<AuditEntryPage> {
    let mut select = audit_log::Entity::find();
    if let Some(id) = &filter.actor_user_id {
        select =
            select.filter(audit_log::Column::ActorUserId.eq(parse_id("filter.actorUserId", id)?));
    }
    if let Some(action) = &filter.action {
        select = select.filter(audit_log::Column::Action.eq(action.as_str()));
    }
    if let Some(entity) = &filter.entity {
        select = select.filter(audit_log::Column::Entity.eq(entity.as_str()));
    }
    if let Some(id) = &filter.entity_id {
        select = select.filter(audit_log::Column::EntityId.eq(id.as_str()));
    }
    if let Some(from) = filter.from {
        select = select.filter(audit_log::Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(audit_log::Column::At.lt(to));
    }
    let select = select.order_by_desc(audit_log::Column::Id);
    let (rows, page_info) = fetch_page(&state.db, select, page).await?;
    Ok(AuditEntryPage {
        items: rows.into_iter().map(Into::into).collect(),
        page_info,
    })
}

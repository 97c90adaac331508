//! API keys for integrations: shown once, stored as a hash, revocable.

use chrono::Utc;
use entity::{api_key, enums::Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use serde_json::json;

use super::{
    actor::Caller,
    service::API_KEY_PREFIX,
    tokens::{random_token, sha256_hex},
};
use crate::{
    audit,
    domain::text,
    error::{AppError, AppResult, Msg},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
};

/// Characters of the key kept in clear so people can tell keys apart.
const SHOWN_PREFIX_CHARS: usize = 10;

pub async fn create(
    state: &AppState,
    caller: &Caller,
    name: &str,
    role: Role,
) -> AppResult<(api_key::Model, String)> {
    let name = text::required("name", name, 200)?;
    match role {
        Role::Owner => {
            return Err(AppError::validation(
                "role",
                "API-ключ не может иметь роль владельца",
                "an API key cannot have the owner role",
            ));
        }
        Role::Admin if !caller.actor.is_owner() => {
            return Err(AppError::Forbidden(Msg::new(
                "Ключ с ролью администратора может создать только владелец",
                "Only an owner may create a key with the admin role",
            )));
        }
        _ => {}
    }
    let secret = format!("{API_KEY_PREFIX}{}", random_token());
    let txn = state.db.begin().await?;
    let key = api_key::ActiveModel {
        name: Set(name.clone()),
        prefix: Set(secret.chars().take(SHOWN_PREFIX_CHARS).collect()),
        key_hash: Set(sha256_hex(&secret)),
        role: Set(role),
        created_by: Set(caller.actor.user_id()),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        caller,
        "api_key.create",
        "api_key",
        Some(key.id),
        json!({ "name": name, "role": role.as_str() }),
    )
    .await?;
    txn.commit().await?;
    Ok((key, secret))
}

pub async fn revoke(state: &AppState, caller: &Caller, id: i64) -> AppResult<api_key::Model> {
    let key = api_key::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("API-ключ", "API key", id))?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut model: api_key::ActiveModel = key.into();
    model.revoked_at = Set(Some(Utc::now()));
    let txn = state.db.begin().await?;
    let key = model.update(&txn).await?;
    audit::record(
        &txn,
        caller,
        "api_key.revoke",
        "api_key",
        Some(id),
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(key)
}

pub async fn list(
    state: &AppState,
    include_revoked: bool,
    page: Page,
) -> AppResult<(Vec<api_key::Model>, PageInfo)> {
    let mut select = api_key::Entity::find().order_by_desc(api_key::Column::Id);
    if !include_revoked {
        select = select.filter(api_key::Column::RevokedAt.is_null());
    }
    fetch_page(&state.db, select, page).await
}

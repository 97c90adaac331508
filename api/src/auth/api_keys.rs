//! API keys for integrations: shown once, stored as a hash, revocable.

use crate::state::wall_clock;
use entity::{api_key, enums::Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use super::{
    actor::Caller,
    service::API_KEY_PREFIX,
    tokens::{random_token, sha256_hex},
};
use crate::{
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
    state
        .write(caller, |tx| {
            let name = name.clone();
            let secret = secret.clone();
            Box::pin(async move {
                let key = api_key::ActiveModel {
                    name: Set(name.clone()),
                    prefix: Set(secret.chars().take(SHOWN_PREFIX_CHARS).collect()),
                    key_hash: Set(sha256_hex(&secret)),
                    role: Set(role),
                    created_by: Set(caller.actor.user_id()),
                    created_at: Set(tx.now()),
                    revoked_at: Set(None),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                tx.audit(
                    "api_key.create",
                    "api_key",
                    Some(key.id),
                    json!({ "name": name, "role": role.as_str() }),
                )
                .await?;
                Ok((key, secret))
            })
        })
        .await
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
    model.revoked_at = Set(Some(wall_clock()));
    state
        .write(caller, |tx| {
            let model = model.clone();
            Box::pin(async move {
                let key = model.update(tx.db()).await?;
                tx.audit("api_key.revoke", "api_key", Some(id), json!({}))
                    .await?;
                Ok(key)
            })
        })
        .await
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

//! Staff accounts: created, re-roled, deactivated and reset by owners and admins.

use crate::state::wall_clock;
use chrono::SubsecRound;
use entity::{enums::Role, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use super::{
    actor::{Actor, Caller},
    password::check_new_password,
    revocation,
    service::{Session, normalise_username, revoke_user_sessions, start_session},
};
use crate::{
    domain::text,
    error::{AppError, AppResult, Msg},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
};

pub struct NewUser {
    pub username: String,
    pub display_name: Option<String>,
    pub password: String,
    pub role: Role,
}

fn check_username(raw: &str) -> AppResult<String> {
    let username = normalise_username(raw);
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !(3..=64).contains(&username.len()) || !ok_chars {
        return Err(AppError::validation(
            "username",
            "от 3 до 64 символов: латинские буквы, цифры, точка, дефис, подчёркивание",
            "3–64 characters: Latin letters, digits, dot, dash, underscore",
        ));
    }
    Ok(username)
}

/// Only an owner may create, change or grant the owner role.
fn check_may_touch(caller: &Caller, target_role: Role, new_role: Option<Role>) -> AppResult<()> {
    if matches!(new_role, Some(Role::Integration | Role::Bot)) {
        return Err(AppError::validation(
            "input.role",
            "эта роль — для API-ключей интеграций, не для людей",
            "this role is for integration API keys, not for people",
        ));
    }
    let touches_owner = target_role == Role::Owner || new_role == Some(Role::Owner);
    if touches_owner && !caller.actor.is_owner() {
        return Err(AppError::Forbidden(Msg::new(
            "Только владелец может назначать роль владельца или менять учётную запись владельца",
            "Only an owner may grant the owner role or change an owner's account",
        )));
    }
    Ok(())
}

fn not_found(id: i64) -> AppError {
    AppError::not_found("Пользователь", "User", id)
}

pub async fn get(state: &AppState, id: i64) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| not_found(id))
}

pub async fn list(
    state: &AppState,
    include_inactive: bool,
    page: Page,
) -> AppResult<(Vec<user::Model>, PageInfo)> {
    let mut select = user::Entity::find().order_by_asc(user::Column::Username);
    if !include_inactive {
        select = select.filter(user::Column::Active.eq(true));
    }
    fetch_page(&state.db, select, page).await
}

pub async fn create(state: &AppState, caller: &Caller, input: NewUser) -> AppResult<user::Model> {
    let username = check_username(&input.username)?;
    let display_name = text::optional("displayName", input.display_name.as_deref(), 200)?
        .unwrap_or_else(|| username.clone());
    check_new_password("password", &input.password)?;
    check_may_touch(caller, input.role, Some(input.role))?;
    let taken = user::Entity::find()
        .filter(user::Column::Username.eq(username.as_str()))
        .one(&state.db)
        .await?;
    if taken.is_some() {
        return Err(AppError::conflict(
            format!("Имя пользователя «{username}» уже занято"),
            format!("The username `{username}` is taken"),
        ));
    }
    let hash = state.passwords.hash(&input.password).await?;
    let now = wall_clock();
    state
        .write(caller, |tx| {
            let display_name = display_name.clone();
            let hash = hash.clone();
            let username = username.clone();
            Box::pin(async move {
                let created = user::ActiveModel {
                    username: Set(username.clone()),
                    display_name: Set(display_name),
                    password_hash: Set(hash),
                    role: Set(input.role),
                    active: Set(true),
                    tokens_valid_after: Set(now.trunc_subsecs(0)),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                tx.audit(
                    "user.create",
                    "user",
                    Some(created.id),
                    json!({ "username": username, "role": input.role.as_str() }),
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
    display_name: Option<String>,
    role: Option<Role>,
) -> AppResult<user::Model> {
    let current = get(state, id).await?;
    check_may_touch(caller, current.role, role)?;
    if role.is_some_and(|r| r != current.role) && caller.actor.user_id() == Some(id) {
        return Err(AppError::Forbidden(Msg::new(
            "Нельзя менять собственную роль",
            "You cannot change your own role",
        )));
    }
    let mut model: user::ActiveModel = current.clone().into();
    if let Some(name) = display_name {
        model.display_name = Set(text::required("input.displayName", &name, 200)?);
    }
    if let Some(role) = role {
        model.role = Set(role);
    }
    model.updated_at = Set(state.clock.now());
    let (model, current) = (&model, &current);
    let updated = state
        .write(caller, |tx| {
            Box::pin(async move {
                let updated = model.clone().update(tx.db()).await?;
                if updated.role != current.role {
                    // A new role is a new sign-in: what the old one could reach ends now.
                    revoke_user_sessions(tx.db(), id).await?;
                    revocation::announce(tx, id, None).await?;
                }
                tx.audit(
                    "user.update",
                    "user",
                    Some(id),
                    json!({
                        "displayName": updated.display_name,
                        "role": { "from": current.role.as_str(), "to": updated.role.as_str() },
                    }),
                )
                .await?;
                Ok(updated)
            })
        })
        .await?;
    // `me` answers from the checked-token cache: it must show the new name at once.
    state.auth_cache.forget_user(id);
    Ok(updated)
}

pub async fn set_active(
    state: &AppState,
    caller: &Caller,
    id: i64,
    active: bool,
) -> AppResult<user::Model> {
    let current = get(state, id).await?;
    check_may_touch(caller, current.role, None)?;
    if !active && caller.actor.user_id() == Some(id) {
        return Err(AppError::Forbidden(Msg::new(
            "Нельзя отключить собственную учётную запись",
            "You cannot deactivate your own account",
        )));
    }
    // Token lifetimes follow the machine's clock, whatever the business clock says.
    let now = wall_clock();
    let mut model: user::ActiveModel = current.into();
    model.active = Set(active);
    model.updated_at = Set(now);
    if !active {
        model.tokens_valid_after = Set(now.trunc_subsecs(0));
    }
    let action = if active {
        "user.activate"
    } else {
        "user.deactivate"
    };
    let model = &model;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let updated = model.clone().update(tx.db()).await?;
                if !active {
                    revoke_user_sessions(tx.db(), id).await?;
                    revocation::announce(tx, id, None).await?;
                }
                tx.audit(action, "user", Some(id), json!({})).await?;
                Ok(updated)
            })
        })
        .await
}

/// Sets a new password and ends every session of the user.
pub async fn reset_password(
    state: &AppState,
    caller: &Caller,
    id: i64,
    new_password: &str,
) -> AppResult<user::Model> {
    check_new_password("newPassword", new_password)?;
    let current = get(state, id).await?;
    check_may_touch(caller, current.role, None)?;
    let updated =
        store_password(state, caller, current, new_password, "user.reset_password").await?;
    Ok(updated)
}

/// The caller changes their own password; other sessions end, a fresh one is returned.
pub async fn change_own_password(
    state: &AppState,
    caller: &Caller,
    current_password: &str,
    new_password: &str,
) -> AppResult<Session> {
    let Actor::User { id, .. } = &caller.actor else {
        return Err(AppError::Forbidden(Msg::new(
            "Пароль меняет только вошедший пользователь",
            "Only a signed-in user has a password to change",
        )));
    };
    let current = get(state, *id).await?;
    if !state
        .passwords
        .verify(current_password, Some(&current.password_hash))
        .await?
    {
        return Err(AppError::validation(
            "currentPassword",
            "текущий пароль введён неверно",
            "the current password is wrong",
        ));
    }
    check_new_password("newPassword", new_password)?;
    if current_password == new_password {
        return Err(AppError::validation(
            "newPassword",
            "новый пароль совпадает с текущим",
            "the new password is the same as the current one",
        ));
    }
    let updated =
        store_password(state, caller, current, new_password, "user.change_password").await?;
    start_session(state, caller, updated).await
}

async fn store_password(
    state: &AppState,
    caller: &Caller,
    current: user::Model,
    new_password: &str,
    action: &str,
) -> AppResult<user::Model> {
    let hash = state.passwords.hash(new_password).await?;
    let id = current.id;
    let now = wall_clock();
    let mut model: user::ActiveModel = current.into();
    model.password_hash = Set(hash);
    // Tokens issued in an earlier second stop working.
    model.tokens_valid_after = Set(now.trunc_subsecs(0));
    model.updated_at = Set(now);
    let model = &model;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let updated = model.clone().update(tx.db()).await?;
                revoke_user_sessions(tx.db(), id).await?;
                tx.audit(action, "user", Some(id), json!({})).await?;
                revocation::announce(tx, id, None).await?;
                Ok(updated)
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(check_username("  Admin.Main ").unwrap(), "admin.main");
        for bad in ["ab", "имя", "a b", "x@y", &"a".repeat(65)] {
            assert!(check_username(bad).is_err(), "{bad}");
        }
    }
}

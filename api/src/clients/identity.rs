//! One client identity: a login acts for one client record through one link, written here
//! and read once per request when the caller is authenticated ([`Actor::reach`] is the rule
//! every vertical checks ownership by). Staff links, Telegram and one-time codes all end here.
//!
//! [`Actor::reach`]: crate::auth::actor::Actor::reach

use entity::{client, client_account, enums::Role, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::{
    auth::actor::Caller,
    error::{AppError, AppResult},
    state::AppState,
    write::Tx,
};

/// The client record a login acts for, if it is linked to one.
pub async fn client_of<C: ConnectionTrait>(conn: &C, user_id: i64) -> AppResult<Option<i64>> {
    Ok(client_account::Entity::find_by_id(user_id)
        .one(conn)
        .await?
        .map(|link| link.client_id))
}

/// Links a client-role login to a client record, replacing an earlier link of that login.
pub async fn link(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    client_id: i64,
) -> AppResult<client_account::Model> {
    state
        .write(caller, |tx| {
            Box::pin(link_in(tx, "userId", user_id, client_id))
        })
        .await
}

/// [`link`] inside a unit of work already open; `field` names the input the login came from.
pub async fn link_in(
    tx: &Tx<'_>,
    field: &str,
    user_id: i64,
    client_id: i64,
) -> AppResult<client_account::Model> {
    let account = user::Entity::find_by_id(user_id)
        .one(tx.db())
        .await?
        .ok_or_else(|| AppError::not_found("Пользователь", "User", user_id))?;
    if account.role != Role::Client {
        return Err(AppError::validation(
            field,
            "связать с клиентом можно только пользователя с ролью client",
            "only a user with the client role may be linked to a client",
        ));
    }
    super::service::get(tx.db(), client_id).await?;
    client_account::Entity::delete_by_id(user_id)
        .exec(tx.db())
        .await?;
    let row = client_account::ActiveModel {
        user_id: Set(user_id),
        client_id: Set(client_id),
        created_at: Set(tx.now()),
    }
    .insert(tx.db())
    .await?;
    tx.audit(
        "client.link_account",
        "client",
        Some(client_id),
        json!({ "userId": user_id }),
    )
    .await?;
    Ok(row)
}

/// The active client login of a client, if it has one.
pub async fn login_of(tx: &Tx<'_>, client_id: i64) -> AppResult<Option<user::Model>> {
    let links = client_account::Entity::find()
        .filter(client_account::Column::ClientId.eq(client_id))
        .all(tx.db())
        .await?;
    for link in links {
        if let Some(login) = user::Entity::find_by_id(link.user_id)
            .one(tx.db())
            .await?
            .filter(|u| u.active && u.role == Role::Client)
        {
            return Ok(Some(login));
        }
    }
    Ok(None)
}

/// The client's login, made (and linked) when they have none: a login nobody types a
/// password for, signed in through Telegram or a one-time code. `username` is used only when
/// it is made; a taken one gets the client's id appended.
pub async fn login_for(
    tx: &Tx<'_>,
    state: &AppState,
    field: &str,
    client: &client::Model,
    username: &str,
) -> AppResult<user::Model> {
    if let Some(login) = login_of(tx, client.id).await? {
        return Ok(login);
    }
    let password_hash = state
        .passwords
        .hash(&crate::auth::tokens::random_token())
        .await?;
    let taken = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(tx.db())
        .await?
        .is_some();
    let username = if taken {
        format!("{username}-{}", client.id)
    } else {
        username.to_owned()
    };
    let now = tx.now();
    let name = format!("{} {}", client.first_name, client.last_name)
        .trim()
        .to_owned();
    let login = user::ActiveModel {
        username: Set(username),
        display_name: Set(name),
        password_hash: Set(password_hash),
        role: Set(Role::Client),
        active: Set(true),
        tokens_valid_after: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(tx.db())
    .await?;
    link_in(tx, field, login.id, client.id).await?;
    Ok(login)
}

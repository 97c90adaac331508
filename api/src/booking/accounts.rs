//! Who acts on a booking: the staff, a signed-in client for their own record, or a visitor of
//! the public page. A client user is linked to one client record.

use chrono::Utc;
use entity::{client_account, enums::Role, user};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionTrait};
use serde_json::json;

use crate::{
    audit,
    auth::actor::{Actor, Caller},
    clients::service as clients,
    error::{AppError, AppResult, Msg},
    state::AppState,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acting {
    Staff,
    /// A signed-in client, for the client record they are linked to.
    Client(i64),
    /// Nobody signed in.
    Public,
}

impl Acting {
    /// Refuses a client acting on someone else's record.
    pub fn may_touch(self, client_id: i64) -> AppResult<()> {
        match self {
            Acting::Client(own) if own != client_id => Err(AppError::Forbidden(Msg::new(
                "Это не ваша запись",
                "This is not your booking",
            ))),
            _ => Ok(()),
        }
    }
}

pub async fn acting<C: ConnectionTrait>(conn: &C, actor: &Actor) -> AppResult<Acting> {
    match (actor.role(), actor.user_id()) {
        (None, _) => Ok(Acting::Public),
        (Some(Role::Client), Some(user_id)) => {
            let link = client_account::Entity::find_by_id(user_id)
                .one(conn)
                .await?;
            link.map(|l| Acting::Client(l.client_id)).ok_or_else(|| {
                AppError::Forbidden(Msg::new(
                    "Ваш вход не связан с карточкой клиента: обратитесь к администратору",
                    "Your login is not linked to a client record: ask the venue",
                ))
            })
        }
        (Some(Role::Client), None) => Err(AppError::forbidden()),
        (Some(_), _) => Ok(Acting::Staff),
    }
}

/// Links a client user to a client record (replacing an earlier link).
pub async fn link(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    client_id: i64,
) -> AppResult<client_account::Model> {
    let txn = state.db.begin().await?;
    let account = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("Пользователь", "User", user_id))?;
    if account.role != Role::Client {
        return Err(AppError::validation(
            "userId",
            "связать с клиентом можно только пользователя с ролью client",
            "only a user with the client role may be linked to a client",
        ));
    }
    clients::get(&txn, client_id).await?;
    client_account::Entity::delete_by_id(user_id)
        .exec(&txn)
        .await?;
    let row = client_account::ActiveModel {
        user_id: Set(user_id),
        client_id: Set(client_id),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        caller,
        "client.link_account",
        "client",
        Some(client_id),
        json!({ "userId": user_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

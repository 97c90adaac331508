//! Linking Telegram accounts to logins, and the bot's sign-in for a linked account.
//!
//! A staff member makes a one-time code (dashboard or `clubgrid`), sends it to the bot, and the
//! bot links their Telegram account to their user. A client shares their phone with the bot,
//! which finds or makes their client record by that phone, and a client login for it through
//! the one client identity. Either way the link carries a sign-in family of its own: the bot's
//! tokens for that person end when their sign-ins end (logout everywhere, a password or role
//! change, deactivation), and the link then has to be made again.

use chrono::{DateTime, Duration, Utc};
use entity::{enums::Role, refresh_session, telegram_account, telegram_link_code, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use serde_json::json;

use crate::{
    auth::{
        actor::Caller,
        tokens::{random_token, sha256_hex},
    },
    clients::{
        identity,
        service::{self as clients, Contact},
    },
    domain::{phone::Phone, text},
    error::{AppError, AppResult, Msg},
    state::{AppState, wall_clock},
    write::Tx,
};

/// How long a link code may wait to be sent to the bot.
const CODE_MINUTES: i64 = 15;

/// A one-time code for linking the caller's Telegram account.
pub async fn create_code(state: &AppState, caller: &Caller) -> AppResult<(String, DateTime<Utc>)> {
    let user_id = caller.actor.user_id().ok_or_else(|| {
        AppError::Forbidden(Msg::new(
            "Код привязки Telegram выдаётся только сотруднику, вошедшему под своим именем",
            "A Telegram link code is given only to a signed-in staff member",
        ))
    })?;
    let code = new_code();
    let hash = sha256_hex(&normalise_code(&code));
    let expires_at = wall_clock() + Duration::minutes(CODE_MINUTES);
    state
        .write(caller, |tx| {
            let hash = hash.clone();
            Box::pin(async move {
                telegram_link_code::ActiveModel {
                    code_hash: Set(hash),
                    user_id: Set(user_id),
                    created_at: Set(wall_clock()),
                    expires_at: Set(expires_at),
                    used_at: Set(None),
                }
                .insert(tx.db())
                .await?;
                tx.audit("telegram.link_code", "user", Some(user_id), json!({}))
                    .await
            })
        })
        .await?;
    Ok((code, expires_at))
}

/// Eight digits in two groups, easy to read out and to type on a phone.
fn new_code() -> String {
    let digits: String = random_token()
        .bytes()
        .filter(u8::is_ascii_digit)
        .chain(std::iter::repeat(b'7'))
        .take(8)
        .map(char::from)
        .collect();
    format!("{}-{}", &digits[..4], &digits[4..])
}

/// The code as typed: spaces, dashes and a leading `/link` do not matter.
fn normalise_code(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_digit).collect()
}

/// What the bot knows of the Telegram user it links.
pub struct TelegramUser {
    pub telegram_user_id: i64,
    pub chat_id: i64,
    pub language: Option<String>,
}

/// Links the Telegram user to the staff member whose code they sent.
pub async fn link_staff(
    state: &AppState,
    caller: &Caller,
    code: &str,
    who: TelegramUser,
) -> AppResult<telegram_account::Model> {
    let hash = sha256_hex(&normalise_code(code));
    let who = &who;
    state
        .write(caller, |tx| {
            let hash = hash.clone();
            Box::pin(async move {
                let now = wall_clock();
                let taken = telegram_link_code::Entity::update_many()
                    .col_expr(telegram_link_code::Column::UsedAt, Expr::value(now))
                    .filter(telegram_link_code::Column::CodeHash.eq(hash.as_str()))
                    .filter(telegram_link_code::Column::UsedAt.is_null())
                    .filter(telegram_link_code::Column::ExpiresAt.gt(now))
                    .exec(tx.db())
                    .await?;
                if taken.rows_affected != 1 {
                    return Err(AppError::validation(
                        "input.code",
                        "код привязки неверен, уже использован или истёк: получите новый в \
                         кабинете сотрудника",
                        "the link code is wrong, used or expired: get a new one in the staff app",
                    ));
                }
                let user_id = telegram_link_code::Entity::find_by_id(hash)
                    .one(tx.db())
                    .await?
                    .map(|c| c.user_id)
                    .ok_or_else(|| AppError::internal("a link code vanished in its unit"))?;
                let staff = active_user(tx, user_id).await?;
                if staff.role == Role::Client {
                    return Err(AppError::validation(
                        "input.code",
                        "этот код выдан не сотруднику",
                        "this code was not given to a staff member",
                    ));
                }
                let account = save_link(tx, who, staff.id).await?;
                tx.audit(
                    "telegram.link_staff",
                    "user",
                    Some(staff.id),
                    json!({ "telegramUserId": who.telegram_user_id }),
                )
                .await?;
                Ok(account)
            })
        })
        .await
}

/// What a client shared with the bot: their own contact card.
pub struct SharedContact {
    pub phone: String,
    pub first_name: String,
    pub last_name: Option<String>,
}

/// Links the Telegram user to the client with the phone they shared (made if new), through a
/// client login of their own.
pub async fn link_client(
    state: &AppState,
    caller: &Caller,
    contact: SharedContact,
    who: TelegramUser,
) -> AppResult<telegram_account::Model> {
    let phone = Phone::parse("input.phone", &contact.phone)?;
    let name = text::required(
        "input.firstName",
        &format!(
            "{} {}",
            contact.first_name.trim(),
            contact.last_name.as_deref().unwrap_or("").trim()
        ),
        200,
    )?;
    let (phone, name, who) = (&phone, &name, &who);
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let client = clients::find_or_create(
                    tx,
                    Contact {
                        name,
                        phone,
                        source: Some("Telegram"),
                    },
                    "telegram",
                )
                .await?;
                let username = format!("tg{}", who.telegram_user_id);
                let login =
                    identity::login_for(tx, state, "input.phone", &client, &username).await?;
                let account = save_link(tx, who, login.id).await?;
                tx.audit(
                    "telegram.link_client",
                    "client",
                    Some(client.id),
                    json!({ "telegramUserId": who.telegram_user_id, "userId": login.id }),
                )
                .await?;
                Ok(account)
            })
        })
        .await
}

async fn active_user(tx: &Tx<'_>, id: i64) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .one(tx.db())
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| {
            AppError::validation(
                "input.code",
                "пользователь этого кода отключён или удалён",
                "the user of this code was deactivated or removed",
            )
        })
}

/// Links the Telegram user to a login already chosen (a client's, found by a one-time code).
pub async fn link_login(
    state: &AppState,
    caller: &Caller,
    user_id: i64,
    who: TelegramUser,
) -> AppResult<telegram_account::Model> {
    let who = &who;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let account = save_link(tx, who, user_id).await?;
                tx.audit(
                    "telegram.link_client",
                    "user",
                    Some(user_id),
                    json!({ "telegramUserId": who.telegram_user_id }),
                )
                .await?;
                Ok(account)
            })
        })
        .await
}

/// The active login a Telegram user's live link acts for, if any.
pub async fn linked_login(
    state: &AppState,
    telegram_user_id: i64,
) -> AppResult<Option<user::Model>> {
    Ok(sign_in(state, telegram_user_id)
        .await?
        .map(|(_, login, _, _)| login))
}

/// Writes the link, replacing an earlier one of the same Telegram user, with a fresh sign-in
/// family that the user's other sign-ins end with.
async fn save_link(
    tx: &Tx<'_>,
    who: &TelegramUser,
    user_id: i64,
) -> AppResult<telegram_account::Model> {
    let now = wall_clock();
    if let Some(old) = telegram_account::Entity::find_by_id(who.telegram_user_id)
        .one(tx.db())
        .await?
    {
        end_family(tx, &old.family).await?;
        telegram_account::Entity::delete_by_id(old.telegram_user_id)
            .exec(tx.db())
            .await?;
    }
    let family = format!("tg-{}", uuid::Uuid::new_v4().simple());
    // The family's one row: never handed out, there to be revoked with the user's sign-ins.
    refresh_session::ActiveModel {
        user_id: Set(user_id),
        family: Set(family.clone()),
        token_hash: Set(sha256_hex(&random_token())),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(3650)),
        used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(tx.db())
    .await?;
    let language = who
        .language
        .as_deref()
        .map(|l| l.chars().take(16).collect::<String>());
    Ok(telegram_account::ActiveModel {
        telegram_user_id: Set(who.telegram_user_id),
        chat_id: Set(who.chat_id),
        user_id: Set(user_id),
        language: Set(language),
        family: Set(family),
        linked_at: Set(now),
    }
    .insert(tx.db())
    .await?)
}

async fn end_family(tx: &Tx<'_>, family: &str) -> AppResult<()> {
    refresh_session::Entity::update_many()
        .col_expr(
            refresh_session::Column::RevokedAt,
            Expr::value(wall_clock()),
        )
        .filter(refresh_session::Column::Family.eq(family))
        .filter(refresh_session::Column::RevokedAt.is_null())
        .exec(tx.db())
        .await?;
    Ok(())
}

/// A short-lived access token for the login a Telegram user is linked to; `None` when they are
/// not linked, or their link ended with their sign-ins.
pub async fn sign_in(
    state: &AppState,
    telegram_user_id: i64,
) -> AppResult<Option<(telegram_account::Model, user::Model, String, DateTime<Utc>)>> {
    let Some(account) = telegram_account::Entity::find_by_id(telegram_user_id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let ended = refresh_session::Entity::find()
        .filter(refresh_session::Column::Family.eq(account.family.as_str()))
        .filter(refresh_session::Column::RevokedAt.is_not_null())
        .one(&state.db)
        .await?
        .is_some();
    let Some(login) = user::Entity::find_by_id(account.user_id)
        .one(&state.db)
        .await?
        .filter(|u| u.active && !ended)
    else {
        return Ok(None);
    };
    let (token, claims) = state.jwt.issue(login.id, login.role, &account.family)?;
    let expires_at = DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(wall_clock);
    Ok(Some((account, login, token, expires_at)))
}

/// Unlinks the caller's Telegram accounts; the bot's tokens for them end at once.
pub async fn unlink(state: &AppState, caller: &Caller) -> AppResult<u64> {
    let user_id = caller.actor.user_id().ok_or_else(AppError::forbidden)?;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let accounts = telegram_account::Entity::find()
                    .filter(telegram_account::Column::UserId.eq(user_id))
                    .all(tx.db())
                    .await?;
                for account in &accounts {
                    end_family(tx, &account.family).await?;
                    crate::auth::revocation::announce(tx, user_id, Some(&account.family)).await?;
                }
                let gone = telegram_account::Entity::delete_many()
                    .filter(telegram_account::Column::UserId.eq(user_id))
                    .exec(tx.db())
                    .await?;
                tx.audit("telegram.unlink", "user", Some(user_id), json!({}))
                    .await?;
                Ok(gone.rows_affected)
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_digits_and_read_back_however_typed() {
        let code = new_code();
        assert_eq!(code.len(), 9);
        assert_eq!(normalise_code(&code).len(), 8);
        assert_eq!(normalise_code("/link 1234 - 5678"), "12345678");
    }
}

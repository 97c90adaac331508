//! Signing in and out: login, refresh-token rotation with reuse detection, logout, and turning
//! a presented credential into an [`Actor`].

use crate::state::wall_clock;
use chrono::{DateTime, Duration, Utc};
use entity::{api_key, enums::Role, refresh_session, revoked_token, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use serde_json::json;

use super::{
    actor::{Actor, AuthFailure, Caller},
    limiter::Verdict,
    revocation,
    tokens::{instant, random_token, sha256_hex},
};
use crate::{
    error::{AppError, AppResult, Msg},
    state::AppState,
};

/// API keys start with this, so a bearer value tells which kind of credential it is.
pub const API_KEY_PREFIX: &str = "cg_";

/// What a successful login or refresh hands back.
pub struct Session {
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub user: user::Model,
}

fn bad_credentials() -> AppError {
    AppError::Unauthenticated(Msg::new(
        "Неверное имя пользователя или пароль",
        "Wrong username or password",
    ))
}

fn bad_refresh() -> AppError {
    AppError::Unauthenticated(Msg::new(
        "Токен обновления недействителен или истёк: войдите снова",
        "The refresh token is not valid or has expired: sign in again",
    ))
}

pub fn normalise_username(username: &str) -> String {
    username.trim().to_lowercase()
}

pub async fn login(
    state: &AppState,
    caller: &Caller,
    username: &str,
    password: &str,
) -> AppResult<Session> {
    let username = normalise_username(username);
    let address = caller.address.as_deref();
    match state.login_limiter.check(&username, address) {
        Verdict::Refuse { retry_after } => {
            return Err(AppError::RateLimited {
                msg: Msg::new(
                    format!(
                        "Слишком много неудачных попыток входа; попробуйте через {} мин.",
                        retry_after.as_secs().div_ceil(60)
                    ),
                    format!(
                        "Too many failed sign-in attempts; try again in {} min",
                        retry_after.as_secs().div_ceil(60)
                    ),
                ),
                retry_after_secs: retry_after.as_secs(),
            });
        }
        Verdict::Allow { delay } if !delay.is_zero() => tokio::time::sleep(delay).await,
        Verdict::Allow { .. } => {}
    }

    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username.as_str()))
        .one(&state.db)
        .await?;
    let matches = state
        .passwords
        .verify(password, found.as_ref().map(|u| u.password_hash.as_str()))
        .await?;
    let user = match found {
        Some(u) if matches && u.active => u,
        _ => {
            state.login_limiter.failed(&username, address);
            let username = &username;
            state
                .write(caller, |tx| {
                    Box::pin(async move {
                        tx.audit(
                            "auth.login_failed",
                            "user",
                            None,
                            json!({ "username": username }),
                        )
                        .await
                    })
                })
                .await?;
            return Err(bad_credentials());
        }
    };
    state.login_limiter.succeeded(&username);
    start_session(state, caller, user).await
}

/// Signs a user in: a new refresh-token family, an access token, an audit row.
pub(crate) async fn start_session(
    state: &AppState,
    caller: &Caller,
    user: user::Model,
) -> AppResult<Session> {
    let family = uuid::Uuid::new_v4().simple().to_string();
    let (access_token, claims) = state.jwt.issue(user.id, user.role, &family)?;
    let signed_in = Caller {
        actor: Actor::User {
            id: user.id,
            username: user.username.clone(),
            role: user.role,
            jti: claims.jti.clone(),
            expires_at: instant(claims.exp),
            session: Some(family.clone()),
            client_id: None,
        },
        ..caller.clone()
    };
    let (user_id, family_ref) = (user.id, &family);
    let (refresh_token, refresh_expires_at) = state
        .write(&signed_in, |tx| {
            Box::pin(async move {
                let issued = insert_refresh(state, tx.db(), user_id, family_ref).await?;
                tx.audit("auth.login", "user", Some(user_id), json!({}))
                    .await?;
                Ok(issued)
            })
        })
        .await?;
    Ok(Session {
        access_token,
        access_expires_at: instant(claims.exp),
        refresh_token,
        refresh_expires_at,
        user,
    })
}

async fn insert_refresh<C: ConnectionTrait>(
    state: &AppState,
    conn: &C,
    user_id: i64,
    family: &str,
) -> AppResult<(String, DateTime<Utc>)> {
    let token = random_token();
    let now = wall_clock();
    let expires_at = now + Duration::days(state.settings.refresh_token_days);
    refresh_session::ActiveModel {
        user_id: Set(user_id),
        family: Set(family.to_owned()),
        token_hash: Set(sha256_hex(&token)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok((token, expires_at))
}

fn issue(
    state: &AppState,
    user: user::Model,
    family: &str,
    refresh_token: String,
    refresh_expires_at: DateTime<Utc>,
) -> AppResult<Session> {
    let (access_token, claims) = state.jwt.issue(user.id, user.role, family)?;
    Ok(Session {
        access_token,
        access_expires_at: instant(claims.exp),
        refresh_token,
        refresh_expires_at,
        user,
    })
}

/// Swaps a refresh token for a new pair. A token that was already used means it was stolen
/// or replayed: the whole family (every token descended from that login) is revoked.
pub async fn refresh(state: &AppState, caller: &Caller, token: &str) -> AppResult<Session> {
    let now = wall_clock();
    let Some(session) = refresh_session::Entity::find()
        .filter(refresh_session::Column::TokenHash.eq(sha256_hex(token.trim())))
        .one(&state.db)
        .await?
    else {
        return Err(bad_refresh());
    };
    if session.used_at.is_some() || session.revoked_at.is_some() {
        let session = &session;
        state
            .write(caller, |tx| {
                Box::pin(async move {
                    revoke_family(tx.db(), &session.family).await?;
                    tx.audit(
                        "auth.refresh_reuse",
                        "user",
                        Some(session.user_id),
                        json!({ "family": session.family }),
                    )
                    .await?;
                    revocation::announce(tx, session.user_id, Some(&session.family)).await
                })
            })
            .await?;
        return Err(AppError::Unauthenticated(Msg::new(
            "Токен обновления уже использован: все сеансы этого входа завершены, войдите снова",
            "The refresh token was already used: every session of that sign-in was ended; sign in again",
        )));
    }
    if session.expires_at <= now {
        return Err(bad_refresh());
    }
    let user = match user::Entity::find_by_id(session.user_id)
        .one(&state.db)
        .await?
    {
        Some(u) if u.active => u,
        _ => return Err(bad_refresh()),
    };

    let (session, user_id) = (&session, user.id);
    let (refresh_token, refresh_expires_at) = state
        .write(caller, |tx| {
            Box::pin(async move {
                // Conditional update: of two concurrent refreshes with one token, only one wins.
                let spent = refresh_session::Entity::update_many()
                    .col_expr(refresh_session::Column::UsedAt, Expr::value(now))
                    .filter(refresh_session::Column::Id.eq(session.id))
                    .filter(refresh_session::Column::UsedAt.is_null())
                    .filter(refresh_session::Column::RevokedAt.is_null())
                    .exec(tx.db())
                    .await?;
                if spent.rows_affected != 1 {
                    return Err(bad_refresh());
                }
                insert_refresh(state, tx.db(), user_id, &session.family).await
            })
        })
        .await?;
    issue(
        state,
        user,
        &session.family,
        refresh_token,
        refresh_expires_at,
    )
}

async fn revoke_family<C: ConnectionTrait>(conn: &C, family: &str) -> AppResult<()> {
    refresh_session::Entity::update_many()
        .col_expr(
            refresh_session::Column::RevokedAt,
            Expr::value(wall_clock()),
        )
        .filter(refresh_session::Column::Family.eq(family))
        .filter(refresh_session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends every refresh session of a user (password reset, deactivation).
pub async fn revoke_user_sessions<C: ConnectionTrait>(conn: &C, user_id: i64) -> AppResult<()> {
    refresh_session::Entity::update_many()
        .col_expr(
            refresh_session::Column::RevokedAt,
            Expr::value(wall_clock()),
        )
        .filter(refresh_session::Column::UserId.eq(user_id))
        .filter(refresh_session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Revokes the caller's access token until it expires, and the given refresh token's family.
pub async fn logout(
    state: &AppState,
    caller: &Caller,
    refresh_token: Option<&str>,
) -> AppResult<()> {
    let Actor::User {
        id,
        jti,
        expires_at,
        session: sign_in,
        ..
    } = &caller.actor
    else {
        return Err(AppError::forbidden());
    };
    state
        .write(caller, |tx| {
            Box::pin(async move {
                revoked_token::Entity::insert(revoked_token::ActiveModel {
                    jti: Set(jti.clone()),
                    expires_at: Set(*expires_at),
                })
                .on_conflict_do_nothing()
                .exec_without_returning(tx.db())
                .await?;
                if let Some(token) = refresh_token {
                    let session = refresh_session::Entity::find()
                        .filter(refresh_session::Column::TokenHash.eq(sha256_hex(token.trim())))
                        .filter(refresh_session::Column::UserId.eq(*id))
                        .one(tx.db())
                        .await?;
                    if let Some(session) = session {
                        revoke_family(tx.db(), &session.family).await?;
                    }
                }
                // The sign-in of the access token ends too, with every token it issued.
                if let Some(sign_in) = sign_in {
                    revoke_family(tx.db(), sign_in).await?;
                }
                // Forget revocations that have expired anyway.
                revoked_token::Entity::delete_many()
                    .filter(revoked_token::Column::ExpiresAt.lt(wall_clock()))
                    .exec(tx.db())
                    .await?;
                tx.audit("auth.logout", "user", Some(*id), json!({}))
                    .await?;
                revocation::announce(tx, *id, sign_in.as_deref()).await
            })
        })
        .await
}

/// Turns the value of `Authorization: Bearer <credential>` into an actor.
pub async fn authenticate(state: &AppState, credential: &str) -> Result<Actor, AuthFailure> {
    match check(state, credential).await {
        // A dropped connection or a busy database: once more on a fresh connection (these are
        // reads), then UNAVAILABLE. A valid token is never refused because the database
        // hiccupped.
        Err(AuthFailure::Unchecked(cause)) => {
            tracing::warn!(%cause, "token check failed; trying once more");
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            check(state, credential).await
        }
        done => done,
    }
}

async fn check(state: &AppState, credential: &str) -> Result<Actor, AuthFailure> {
    let internal = |e: sea_orm::DbErr| {
        tracing::warn!(error = %e, "authentication lookup failed");
        AuthFailure::Unchecked(e.to_string())
    };
    let credential = credential.trim();
    if credential.starts_with(API_KEY_PREFIX) {
        let key = api_key::Entity::find()
            .filter(api_key::Column::KeyHash.eq(sha256_hex(credential)))
            .filter(api_key::Column::RevokedAt.is_null())
            .one(&state.db)
            .await
            .map_err(internal)?
            .ok_or_else(|| {
                AuthFailure::Refused(Msg::new(
                    "API-ключ недействителен или отозван",
                    "The API key is not valid or was revoked",
                ))
            })?;
        return Ok(Actor::ApiKey {
            id: key.id,
            name: key.name,
            role: key.role,
        });
    }

    let claims = state.jwt.verify(credential).map_err(AuthFailure::Refused)?;
    let invalid = || {
        AuthFailure::Refused(Msg::new(
            "Токен доступа недействителен",
            "The access token is not valid",
        ))
    };
    let user_id: i64 = claims.sub.parse().map_err(|_| invalid())?;
    // Only while other processes' revocations reach this one is a kept verdict trusted.
    let cache = state.bus.listening().then_some(&state.auth_cache);
    if let Some(actor) = cache.and_then(|c| c.actor(&claims.jti)) {
        return Ok(actor);
    }
    let generation = state.auth_cache.generation();
    let revoked = revoked_token::Entity::find_by_id(claims.jti.clone())
        .one(&state.db)
        .await
        .map_err(internal)?;
    if revoked.is_some() {
        return Err(AuthFailure::Refused(Msg::new(
            "Токен отозван: вы вышли из системы, войдите снова",
            "The token was revoked by logging out; sign in again",
        )));
    }
    let user = user::Entity::find_by_id(user_id)
        .one(&state.db)
        .await
        .map_err(internal)?
        .filter(|u| u.active)
        .ok_or_else(|| {
            AuthFailure::Refused(Msg::new(
                "Пользователь отключён или удалён",
                "The user was deactivated or removed",
            ))
        })?;
    if let Some(sign_in) = &claims.sid {
        let ended = refresh_session::Entity::find()
            .filter(refresh_session::Column::Family.eq(sign_in.as_str()))
            .filter(refresh_session::Column::RevokedAt.is_not_null())
            .one(&state.db)
            .await
            .map_err(internal)?;
        if ended.is_some() {
            return Err(AuthFailure::Refused(Msg::new(
                "Этот вход завершён (выход, смена пароля или роли, повторное использование \
                 токена обновления): войдите снова",
                "This sign-in has ended (logout, a password or role change, or a reused \
                 refresh token); sign in again",
            )));
        }
    }
    if claims.iat < user.tokens_valid_after.timestamp() {
        return Err(AuthFailure::Refused(Msg::new(
            "Пароль был изменён после выдачи токена: войдите снова",
            "The password changed after this token was issued; sign in again",
        )));
    }
    // The one client identity, resolved once here for the whole request.
    let client_id = match user.role {
        Role::Client => crate::clients::identity::client_of(&state.db, user.id)
            .await
            .map_err(|err| AuthFailure::Unchecked(format!("client link lookup: {err}")))?,
        _ => None,
    };
    let actor = Actor::User {
        id: user.id,
        username: user.username.clone(),
        role: user.role,
        jti: claims.jti,
        expires_at: instant(claims.exp),
        session: claims.sid,
        client_id,
    };
    if let Some(cache) = cache {
        cache.keep(generation, &actor, &user);
    }
    Ok(actor)
}

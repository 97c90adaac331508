//! Client sign-in from the Mini App: the page opened inside Telegram sends its signed
//! `initData`. A Telegram user already linked to a client login is signed in at once; one
//! who is not links by the phone they share with `requestContact` (signed by Telegram too)
//! or by a one-time code, and every way ends in the one client identity.

use chrono::Duration;
use entity::enums::Role;

use super::{codes, webapp};
use crate::{
    auth::{actor::Caller, service::Session},
    error::{AppError, AppResult, Msg},
    state::{AppState, wall_clock},
    telegram::linking::{self, SharedContact, TelegramUser},
};

/// What the Mini App sends to sign in.
pub struct MiniAppProof<'a> {
    pub init_data: &'a str,
    /// `requestContact`'s signed answer, for a user not linked yet.
    pub contact: Option<&'a str>,
    /// A phone and the one-time code sent for it, the other way to link.
    pub code: Option<(&'a str, &'a str)>,
}

fn check(state: &AppState, field: &str, raw: &str) -> AppResult<webapp::Checked> {
    let token = state.settings.telegram_bot_token.as_ref().ok_or_else(|| {
        AppError::Forbidden(Msg::new(
            "Вход через Telegram на этом сервере не настроен: войдите по одноразовому коду или \
             обратитесь к администратору",
            "Telegram sign-in is not set up on this server: ask the venue's staff",
        ))
    })?;
    let max_age = Duration::seconds(
        i64::try_from(state.settings.telegram_init_data_max_age_seconds).unwrap_or(i64::MAX / 2),
    );
    webapp::check(raw, token.expose(), wall_clock(), max_age).map_err(|r| r.error(field))
}

fn share_phone() -> AppError {
    AppError::validation(
        "contact",
        "поделитесь номером телефона, чтобы войти: так мы найдём ваши записи",
        "share your phone number to sign in: that is how we find your bookings",
    )
}

/// Signs the Mini App's user in as their client, linking them first when needed.
pub async fn mini_app(
    state: &AppState,
    caller: &Caller,
    proof: MiniAppProof<'_>,
) -> AppResult<Session> {
    let init = check(state, "initData", proof.init_data)?;
    let user = init.user().map_err(|r| r.error("initData"))?;
    let who = || TelegramUser {
        telegram_user_id: user.id,
        // A private chat with the bot has the user's id.
        chat_id: user.id,
        language: user.language_code.clone(),
    };
    let login = match linking::linked_login(state, user.id).await? {
        Some(login) if login.role == Role::Client => login,
        Some(_) => {
            return Err(AppError::Forbidden(Msg::new(
                "Этот Telegram привязан к сотруднику: кабинет клиента открывается из Telegram \
                 клиента",
                "This Telegram account is linked to a staff member: the client cabinet opens \
                 from a client's Telegram",
            )));
        }
        None => match (proof.contact, proof.code) {
            (Some(raw), _) => {
                let shared = check(state, "contact", raw)?
                    .contact()
                    .map_err(|r| r.error("contact"))?;
                if shared.user_id != user.id {
                    return Err(AppError::validation(
                        "contact",
                        "это не ваш номер: поделитесь своим контактом",
                        "this is not your own contact: share your own",
                    ));
                }
                let contact = SharedContact {
                    phone: shared.phone_number,
                    first_name: shared.first_name,
                    last_name: shared.last_name,
                };
                let account = linking::link_client(state, caller, contact, who()).await?;
                login_by_id(state, account.user_id).await?
            }
            (None, Some((phone, code))) => {
                let client = codes::redeem(state, caller, phone, code).await?;
                let login = codes::login(state, caller, &client).await?;
                linking::link_login(state, caller, login.id, who()).await?;
                login
            }
            (None, None) => return Err(share_phone()),
        },
    };
    crate::auth::service::start_session(state, caller, login).await
}

async fn login_by_id(state: &AppState, id: i64) -> AppResult<entity::user::Model> {
    use sea_orm::EntityTrait;
    entity::user::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("a linked login vanished"))
}

/// Signs a client in with a one-time code sent to their phone's linked channel.
pub async fn with_code(
    state: &AppState,
    caller: &Caller,
    phone: &str,
    code: &str,
) -> AppResult<Session> {
    let client = codes::redeem(state, caller, phone, code).await?;
    let login = codes::login(state, caller, &client).await?;
    crate::auth::service::start_session(state, caller, login).await
}

//! One-time sign-in codes for clients: six digits, sent to the client's linked channel (the
//! Telegram bot), valid ten minutes, used once, five wrong tries spend a code, and a phone
//! may ask a few times an hour. Only a hash of the code is kept. In `--demo`, where no bot
//! delivers, the code is also written to the log.

use chrono::{DateTime, Duration, Utc};
use entity::{client, client_sign_in_code};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;

use crate::{
    auth::{
        actor::Caller,
        tokens::{random_token, sha256_hex},
    },
    clients::{identity, service as clients},
    domain::Phone,
    error::{AppError, AppResult, Msg},
    events::domain::ClientMessageEvent,
    state::{AppState, wall_clock},
};

/// How long a code lives.
const CODE_MINUTES: i64 = 10;
/// Wrong tries that spend a code.
const MAX_ATTEMPTS: i32 = 5;

/// Where a code went.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeChannel {
    /// The client's chat with the venue's Telegram bot.
    Telegram,
    /// The server's log: demo mode only.
    Log,
}

/// A code sent: where to look for it, and until when it works.
pub struct Sent {
    pub channels: Vec<CodeChannel>,
    pub expires_at: DateTime<Utc>,
}

fn hash(client_id: i64, code: &str) -> String {
    sha256_hex(&format!("{client_id}:{code}"))
}

fn six_digits() -> String {
    random_token()
        .bytes()
        .filter(u8::is_ascii_digit)
        .chain(std::iter::repeat(b'3'))
        .take(6)
        .map(char::from)
        .collect()
}

fn no_client() -> AppError {
    AppError::validation(
        "phone",
        "клиента с таким телефоном нет: запишитесь онлайн или откройте нашего Telegram-бота и \
         поделитесь номером",
        "no client has this phone: book online, or open our Telegram bot and share your number",
    )
}

/// The client with this phone, if any.
async fn client_by_phone(state: &AppState, phone: &Phone) -> AppResult<Option<client::Model>> {
    clients::find_by_phone(&state.db, phone, None).await
}

/// Makes a code for the client with this phone and sends it to their channel.
pub async fn request(state: &AppState, caller: &Caller, phone: &str) -> AppResult<Sent> {
    crate::booking::public::limit_write(state, caller)?;
    let phone = Phone::parse("phone", phone)?;
    state
        .public_limiter
        .hit(
            &format!("sign-in-code:{}", phone.as_str()),
            state.settings.sign_in_codes_per_phone_per_hour,
        )
        .map_err(|retry| {
            let minutes = retry.as_secs().div_ceil(60);
            AppError::RateLimited {
                msg: Msg::new(
                    format!("Коды на этот номер уже отправлены; новый можно запросить через {minutes} мин."),
                    format!("Codes were already sent to this number; ask for a new one in {minutes} min"),
                ),
                retry_after_secs: retry.as_secs(),
            }
        })?;
    let client = client_by_phone(state, &phone)
        .await?
        .ok_or_else(no_client)?;
    let mut channels = Vec::new();
    let chats = crate::notify::channels::telegram_chats(
        state,
        crate::notify::engine::Recipient::Client(client.id),
    )
    .await?;
    if !chats.is_empty() {
        channels.push(CodeChannel::Telegram);
    }
    if state.settings.log_sign_in_codes {
        channels.push(CodeChannel::Log);
    }
    if channels.is_empty() {
        return Err(AppError::validation(
            "phone",
            "код некуда отправить: откройте нашего Telegram-бота, нажмите «Старт» и поделитесь \
             номером, затем запросите код снова",
            "there is nowhere to send a code: open our Telegram bot, press Start and share your \
             number, then ask again",
        ));
    }
    let code = six_digits();
    let expires_at = wall_clock() + Duration::minutes(CODE_MINUTES);
    let (code_ref, telegram) = (&code, channels.contains(&CodeChannel::Telegram));
    let client_id = client.id;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                client_sign_in_code::ActiveModel {
                    client_id: Set(client_id),
                    code_hash: Set(hash(client_id, code_ref)),
                    attempts: Set(0),
                    created_at: Set(wall_clock()),
                    expires_at: Set(expires_at),
                    used_at: Set(None),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                if telegram {
                    tx.emit(&ClientMessageEvent::SignInCode {
                        client_id,
                        code: code_ref.clone(),
                        expires_at,
                    })
                    .await?;
                }
                tx.audit("client.sign_in_code", "client", Some(client_id), json!({}))
                    .await
            })
        })
        .await?;
    if state.settings.log_sign_in_codes {
        tracing::info!(client_id, phone = phone.as_str(), code = %code, "one-time sign-in code (demo)");
    }
    Ok(Sent {
        channels,
        expires_at,
    })
}

fn wrong_code() -> AppError {
    AppError::validation(
        "code",
        "код неверен или истёк: проверьте цифры или запросите новый код",
        "the code is wrong or expired: check the digits or ask for a new code",
    )
}

/// Spends the client's newest live code if `code` is it, and answers the client; a wrong code
/// counts a try against it.
pub async fn redeem(
    state: &AppState,
    caller: &Caller,
    phone: &str,
    code: &str,
) -> AppResult<client::Model> {
    crate::booking::public::limit_write(state, caller)?;
    let phone = Phone::parse("phone", phone)?;
    let typed: String = code.chars().filter(char::is_ascii_digit).collect();
    let client = client_by_phone(state, &phone)
        .await?
        .ok_or_else(wrong_code)?;
    let now = wall_clock();
    let Some(live) = client_sign_in_code::Entity::find()
        .filter(client_sign_in_code::Column::ClientId.eq(client.id))
        .filter(client_sign_in_code::Column::UsedAt.is_null())
        .filter(client_sign_in_code::Column::ExpiresAt.gt(now))
        .filter(client_sign_in_code::Column::Attempts.lt(MAX_ATTEMPTS))
        .order_by_desc(client_sign_in_code::Column::CreatedAt)
        .order_by_desc(client_sign_in_code::Column::Id)
        .one(&state.db)
        .await?
    else {
        return Err(wrong_code());
    };
    let right = live.code_hash == hash(client.id, &typed);
    let id = live.id;
    let spent = state
        .write(caller, |tx| {
            Box::pin(async move {
                let update = client_sign_in_code::Entity::update_many()
                    .filter(client_sign_in_code::Column::Id.eq(id))
                    .filter(client_sign_in_code::Column::UsedAt.is_null())
                    .filter(client_sign_in_code::Column::Attempts.lt(MAX_ATTEMPTS));
                let update = if right {
                    update.col_expr(client_sign_in_code::Column::UsedAt, Expr::value(now))
                } else {
                    update.col_expr(
                        client_sign_in_code::Column::Attempts,
                        Expr::col(client_sign_in_code::Column::Attempts).add(1),
                    )
                };
                Ok(update.exec(tx.db()).await?.rows_affected == 1)
            })
        })
        .await?;
    if right && spent {
        Ok(client)
    } else {
        Err(wrong_code())
    }
}

/// The client's login (made when they have none), ready to start a session for.
pub async fn login(
    state: &AppState,
    caller: &Caller,
    client: &client::Model,
) -> AppResult<entity::user::Model> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                identity::login_for(tx, state, "phone", client, &format!("client{}", client.id))
                    .await
            })
        })
        .await
}

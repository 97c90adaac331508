//! The channels: Telegram's `sendMessage` and Web Push.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use entity::{notification, push_subscription, telegram_account};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use web_push_native::{Auth, WebPushBuilder, p256};

use super::{engine::Outcome, engine::Recipient, prefs, templates::Message, vapid};
use crate::{error::AppResult, state::AppState};

/// The Telegram chats linked to a recipient's logins.
pub async fn telegram_chats(state: &AppState, recipient: Recipient) -> AppResult<Vec<i64>> {
    let users = prefs::logins(&state.db, recipient).await?;
    if users.is_empty() {
        return Ok(Vec::new());
    }
    Ok(telegram_account::Entity::find()
        .filter(telegram_account::Column::UserId.is_in(users))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|a| a.chat_id)
        .collect())
}

/// Sends a message to every Telegram chat linked to the recipient.
pub async fn telegram(
    state: &AppState,
    recipient: Recipient,
    message: &Message,
) -> AppResult<Outcome> {
    let Some(token) = &state.settings.telegram_bot_token else {
        return Ok(Outcome::Skipped("Telegram is not configured".into()));
    };
    let chats = telegram_chats(state, recipient).await?;
    if chats.is_empty() {
        return Ok(Outcome::Skipped("no linked Telegram chat".into()));
    }
    let url = format!(
        "{}/bot{}/sendMessage",
        state.settings.telegram_api_url.trim_end_matches('/'),
        token.expose()
    );
    let mut delivered = false;
    let mut retry = None;
    let mut dead = None;
    for chat in chats {
        let sent = state
            .notifier
            .http
            .post(&url)
            .json(&json!({ "chat_id": chat, "text": message.body }))
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status().is_success() => delivered = true,
            Ok(answer) => {
                let status = answer.status();
                let description = answer
                    .json::<serde_json::Value>()
                    .await
                    .ok()
                    .and_then(|v| v["description"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                let error = format!("Telegram answered {status}: {description}");
                if status.as_u16() == 429 || status.is_server_error() {
                    retry = Some(error);
                } else {
                    dead = Some(error);
                }
            }
            // The token is in the URL: never log the request itself.
            Err(err) => retry = Some(format!("Telegram unreachable: {}", err.without_url())),
        }
    }
    Ok(if delivered {
        Outcome::Sent
    } else if let Some(error) = retry {
        Outcome::Retry(error)
    } else {
        Outcome::Dead(dead.unwrap_or_default())
    })
}

/// Sends a message to every Web Push subscription of the client; a subscription the push
/// service calls gone (404, 410) is deleted.
pub async fn push(
    state: &AppState,
    recipient: Recipient,
    row: &notification::Model,
    message: &Message,
) -> AppResult<Outcome> {
    let Recipient::Client(client_id) = recipient else {
        return Ok(Outcome::Skipped("no push subscription".into()));
    };
    let subscriptions = push_subscription::Entity::find()
        .filter(push_subscription::Column::ClientId.eq(client_id))
        .all(&state.db)
        .await?;
    if subscriptions.is_empty() {
        return Ok(Outcome::Skipped("no push subscription".into()));
    }
    let keys = vapid::get(state).await?;
    let body = serde_json::to_vec(&json!({
        "id": row.id,
        "kind": row.kind,
        "title": message.title,
        "body": message.body,
    }))
    .unwrap_or_default();
    let (mut delivered, mut retry, mut dead, mut gone) = (false, None, None, 0);
    let total = subscriptions.len();
    for sub in subscriptions {
        let request = match build(&sub, &keys, &state.settings.vapid_subject, &body) {
            Ok(request) => request,
            Err(error) => {
                dead = Some(error);
                continue;
            }
        };
        match state.notifier.http.execute(request).await {
            Ok(answer) if answer.status().is_success() => delivered = true,
            Ok(answer) if matches!(answer.status().as_u16(), 404 | 410) => {
                let _turn = state.write_turn().await;
                push_subscription::Entity::delete_by_id(sub.id)
                    .exec(&state.db)
                    .await?;
                gone += 1;
            }
            Ok(answer) => {
                let status = answer.status();
                let error = format!("push service answered {status}");
                if status.as_u16() == 429 || status.is_server_error() {
                    retry = Some(error);
                } else {
                    dead = Some(error);
                }
            }
            Err(err) => retry = Some(format!("push service unreachable: {}", err.without_url())),
        }
    }
    Ok(if delivered {
        Outcome::Sent
    } else if let Some(error) = retry {
        Outcome::Retry(error)
    } else if gone == total {
        Outcome::Skipped("every push subscription is gone".into())
    } else {
        Outcome::Dead(dead.unwrap_or_default())
    })
}

fn build(
    sub: &push_subscription::Model,
    keys: &vapid::Vapid,
    subject: &str,
    body: &[u8],
) -> Result<reqwest::Request, String> {
    let endpoint = sub
        .endpoint
        .parse()
        .map_err(|e| format!("bad endpoint: {e}"))?;
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s.trim().trim_end_matches('='));
    let public = decode(&sub.p256dh)
        .ok()
        .and_then(|b| p256::PublicKey::from_sec1_bytes(&b).ok())
        .ok_or("bad p256dh key")?;
    let auth = decode(&sub.auth)
        .ok()
        .and_then(|b| <[u8; 16]>::try_from(b).ok())
        .map(Auth::from)
        .ok_or("bad auth secret")?;
    let request = WebPushBuilder::new(endpoint, public, auth)
        .with_vapid(&keys.key, subject)
        .build(body.to_vec())
        .map_err(|e| format!("web push: {e}"))?;
    reqwest::Request::try_from(request).map_err(|e| format!("web push request: {e}"))
}

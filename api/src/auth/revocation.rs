//! Sign-ins that end before their tokens expire, and the connections that must end with them.
//!
//! Every request checks its token's sign-in against the database (see
//! [`super::service::authenticate`]), so a revoked sign-in is refused at once by every replica.
//! A WebSocket authenticates once, at `connection_init`; it learns of the end through the
//! event bus (Redis pub/sub across replicas), checks its token again, and closes with
//! [`CLOSE_SIGNED_OUT`]. It also closes when its token expires.

use chrono::Utc;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::{
    actor::{Actor, AuthFailure},
    service::authenticate,
};
use crate::{
    error::Msg,
    events::{Delivery, Topic},
    state::AppState,
};

/// WebSocket close code when the connection's sign-in ended or its token expired
/// (the 44xx range, as `graphql-transport-ws` uses 4401 for "Unauthorized").
pub const CLOSE_SIGNED_OUT: u16 = 4401;

/// One ended sign-in, or all of a user's when `session` is `None`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInEnded {
    pub user_id: i64,
    pub session: Option<String>,
}

/// Tells every replica that a user's sign-in (or all of them) ended. Call after the commit
/// that revoked it. The database already refuses the tokens; a lost announcement only
/// delays closing open WebSockets until the next event or the token's expiry.
pub async fn announce(state: &AppState, user_id: i64, session: Option<&str>) {
    let event = SignInEnded {
        user_id,
        session: session.map(str::to_owned),
    };
    if let Err(err) = state.bus.publish(&Topic::SignInsEnded, &event).await {
        tracing::warn!(%err, user_id, "could not announce an ended sign-in");
    }
}

/// Waits until a connection of `actor`, authenticated with `credential`, must close; returns
/// why. Anonymous connections and API keys never end this way.
pub async fn watch(state: AppState, actor: Actor, credential: Option<String>) -> Msg {
    let (
        Actor::User {
            id,
            session,
            expires_at,
            ..
        },
        Some(credential),
    ) = (actor, credential)
    else {
        return std::future::pending().await;
    };
    let mut ended = state.bus.subscribe::<SignInEnded>(&Topic::SignInsEnded);
    let left = (expires_at - Utc::now()).to_std().unwrap_or_default();
    let expiry = tokio::time::sleep(left);
    tokio::pin!(expiry);
    loop {
        tokio::select! {
            () = &mut expiry => {
                return Msg::new(
                    "Срок действия токена истёк: подключитесь снова с новым токеном",
                    "The access token expired: reconnect with a fresh token",
                );
            }
            delivery = ended.next() => {
                let concerns = match &delivery {
                    Some(Delivery::Event(e)) => {
                        e.user_id == id && (e.session.is_none() || e.session == session)
                    }
                    // Events may have been missed: check again.
                    Some(Delivery::Resync) => true,
                    None => return std::future::pending().await,
                };
                if concerns
                    && let Err(AuthFailure(msg)) = authenticate(&state, &credential).await
                {
                    return msg;
                }
            }
        }
    }
}

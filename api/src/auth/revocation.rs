//! Sign-ins that end before their tokens expire, and the connections that must end with them.
//!
//! Every request checks its token's sign-in (see [`super::service::authenticate`]): against the
//! database, or against a verdict [`super::cache`] keeps only while this process hears every
//! sign-in's end through the bus, so a revoked sign-in is refused by every replica as soon as
//! the news arrives (at once on the replica that revoked it).
//! A WebSocket authenticates once, at `connection_init`; it learns of the end through the
//! event bus (Redis pub/sub across replicas), checks its token again, and closes with
//! [`CLOSE_SIGNED_OUT`]. It also closes when its token expires.

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::{
    actor::{Actor, AuthFailure},
    service::authenticate,
};
use crate::{
    error::{AppResult, Msg},
    events::{Delivery, Event, Topic},
    state::{AppState, wall_clock},
    write::Tx,
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

impl Event for SignInEnded {
    fn topic(&self) -> Topic {
        Topic::SignInsEnded
    }

    fn kind(&self) -> &'static str {
        "auth.sign_in_ended"
    }
}

/// Tells every replica, once the unit that revoked it commits, that a user's sign-in (or all
/// of them) ended. The database already refuses the tokens; the event closes open WebSockets.
pub async fn announce(tx: &Tx<'_>, user_id: i64, session: Option<&str>) -> AppResult<()> {
    tx.emit(&SignInEnded {
        user_id,
        session: session.map(str::to_owned),
    })
    .await
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
    let left = (expires_at - wall_clock()).to_std().unwrap_or_default();
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
                // The checked-token cache hears the same news on its own; forget here too, so
                // the check below cannot meet a verdict the news has not reached yet.
                let concerns = match &delivery {
                    Some(Delivery::Event { event: e, .. }) => {
                        state.auth_cache.forget_user(e.user_id);
                        e.user_id == id && (e.session.is_none() || e.session == session)
                    }
                    // Events may have been missed: check again.
                    Some(Delivery::Resync) => {
                        state.auth_cache.forget_all();
                        true
                    }
                    None => return std::future::pending().await,
                };
                // A credential that cannot be checked right now is not a sign-out: the socket
                // stays, and the next event or resync checks again.
                // Boxed: this check runs only on news, and inline its future would sit in
                // every open socket for the socket's whole life.
                if concerns
                    && let Err(AuthFailure::Refused(msg)) =
                        Box::pin(authenticate(&state, &credential)).await
                {
                    return msg;
                }
            }
        }
    }
}

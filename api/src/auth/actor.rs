//! Who is calling: decided once at the edge (HTTP header or WebSocket `connection_init`).

use chrono::{DateTime, Utc};
use entity::enums::Role;

use crate::error::{AppError, AppResult, Msg};

#[derive(Debug, Clone)]
pub enum Actor {
    Anonymous,
    /// A person signed in with an access token.
    User {
        id: i64,
        username: String,
        role: Role,
        jti: String,
        expires_at: DateTime<Utc>,
        /// The sign-in (refresh-token family) the access token belongs to.
        session: Option<String>,
        /// For a client login: the client record it acts for, looked up once when the request
        /// was authenticated (`None` when the login is linked to no record).
        client_id: Option<i64>,
    },
    /// An integration calling with an API key.
    ApiKey {
        id: i64,
        name: String,
        role: Role,
    },
    /// The server itself: command-line tools and seeding.
    System,
    /// An automation rule acting on an event; `chain` holds the rules whose actions led to
    /// that event, so what this rule does is known to come from all of them.
    Rule {
        id: i64,
        name: String,
        chain: Vec<i64>,
    },
}

impl Actor {
    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::Anonymous => None,
            Actor::User { role, .. } | Actor::ApiKey { role, .. } => Some(*role),
            Actor::System | Actor::Rule { .. } => Some(Role::Owner),
        }
    }

    /// The rule acting, and the chain of rules before it.
    pub fn rule(&self) -> Option<(i64, &[i64])> {
        match self {
            Actor::Rule { id, chain, .. } => Some((*id, chain)),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Actor::User { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Whose client records this actor reaches: the one ownership rule of every vertical.
    /// A client login linked to no record is refused here, with a message that says so.
    pub fn reach(&self) -> AppResult<Reach> {
        match self {
            Actor::Anonymous => Ok(Reach::Public),
            Actor::User {
                role: Role::Client,
                client_id,
                ..
            } => client_id.map(Reach::Client).ok_or_else(|| {
                AppError::Forbidden(Msg::new(
                    "Ваш вход не связан с карточкой клиента: обратитесь к администратору",
                    "Your login is not linked to a client record: ask the venue",
                ))
            }),
            Actor::ApiKey {
                role: Role::Client, ..
            } => Err(AppError::forbidden()),
            Actor::User { .. } | Actor::ApiKey { .. } | Actor::System | Actor::Rule { .. } => {
                Ok(Reach::Staff)
            }
        }
    }

    pub fn is_owner(&self) -> bool {
        self.role() == Some(Role::Owner)
    }

    /// How the actor appears in the audit log.
    pub fn label(&self) -> String {
        match self {
            Actor::Anonymous => "anonymous".into(),
            Actor::User { username, .. } => username.clone(),
            Actor::ApiKey { name, .. } => format!("api-key:{name}"),
            Actor::System => "system".into(),
            Actor::Rule { name, .. } => format!("rule:{name}"),
        }
    }
}

/// Whose client records a caller may act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Staff, integrations and the server: any client's.
    Staff,
    /// A signed-in client: their own record only.
    Client(i64),
    /// Nobody signed in: only what a public flow allows (a booking code, say).
    Public,
}

impl Reach {
    /// Refuses a client acting on someone else's record.
    pub fn may_touch(self, client_id: i64) -> AppResult<()> {
        match self {
            Reach::Client(own) if own != client_id => Err(not_yours()),
            _ => Ok(()),
        }
    }

    /// [`Reach::may_touch`] for a record looked up by id: a client is refused alike whether
    /// it belongs to someone else or does not exist, so an id tells them nothing.
    pub fn may_touch_found(self, owner: Option<i64>) -> AppResult<()> {
        match (self, owner) {
            (Reach::Client(_), None) => Err(not_yours()),
            (_, Some(client_id)) => self.may_touch(client_id),
            (_, None) => Ok(()),
        }
    }

    /// The client a signed-in client acts for; `None` for staff and the public.
    pub fn own(self) -> Option<i64> {
        match self {
            Reach::Client(id) => Some(id),
            _ => None,
        }
    }
}

/// The refusal of a client reaching for another client's records.
fn not_yours() -> AppError {
    AppError::Forbidden(Msg::new("Это не ваши данные", "These are not your records"))
}

/// Why the credential a request presented was not accepted.
#[derive(Debug, Clone)]
pub enum AuthFailure {
    /// The credential itself is no good: UNAUTHENTICATED, with why.
    Refused(Msg),
    /// The credential could not be checked (the database did not answer, even on a second
    /// try): UNAVAILABLE, so a client retries rather than taking it for a sign-out. The cause
    /// is for the log only.
    Unchecked(String),
}

impl AuthFailure {
    /// The error a guarded field answers with.
    pub fn error(&self) -> crate::error::AppError {
        match self {
            AuthFailure::Refused(msg) => crate::error::AppError::Unauthenticated(msg.clone()),
            AuthFailure::Unchecked(cause) => crate::error::AppError::Unavailable(cause.clone()),
        }
    }
}

/// The actor plus what the audit log needs to know about the request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub address: Option<String>,
    pub request_id: Option<String>,
}

impl Caller {
    pub fn system() -> Caller {
        Caller {
            actor: Actor::System,
            address: None,
            request_id: None,
        }
    }
}

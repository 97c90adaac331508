//! Who is calling: decided once at the edge (HTTP header or WebSocket `connection_init`).

use chrono::{DateTime, Utc};
use entity::enums::Role;

use crate::error::Msg;

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
    },
    /// An integration calling with an API key.
    ApiKey {
        id: i64,
        name: String,
        role: Role,
    },
    /// The server itself: command-line tools and seeding.
    System,
}

impl Actor {
    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::Anonymous => None,
            Actor::User { role, .. } | Actor::ApiKey { role, .. } => Some(*role),
            Actor::System => Some(Role::Owner),
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Actor::User { id, .. } => Some(*id),
            _ => None,
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
        }
    }
}

/// Why the credential a request presented was refused; it explains UNAUTHENTICATED.
#[derive(Debug, Clone)]
pub struct AuthFailure(pub Msg);

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

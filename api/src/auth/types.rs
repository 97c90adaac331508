use async_graphql::{ComplexObject, ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{api_key, enums::Role, user};

use super::service::Session;
use crate::page_type;

/// A staff account.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct User {
    pub id: ID,
    /// Lower-case login name.
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Deactivated users cannot sign in.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<user::Model> for User {
    fn from(m: user::Model) -> Self {
        User {
            id: m.id.into(),
            username: m.username,
            display_name: m.display_name,
            role: m.role,
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[ComplexObject]
impl User {
    /// The root fields this account's role may call (`Query.pcMap`, `Mutation.startSession`,
    /// …), read from the policy table; public fields included. Apps build their menus from it.
    async fn permissions(&self) -> Vec<&'static str> {
        super::policy::permitted(self.role)
    }
}

/// Tokens for a signed-in user.
#[derive(SimpleObject, Debug, Clone)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <accessToken>`; valid for 15 minutes.
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    /// Exchange with `refreshToken` for a new pair; each one works once.
    pub refresh_token: String,
    pub refresh_token_expires_at: DateTime<Utc>,
    pub user: User,
}

impl From<Session> for AuthPayload {
    fn from(s: Session) -> Self {
        AuthPayload {
            access_token: s.access_token,
            access_token_expires_at: s.access_expires_at,
            refresh_token: s.refresh_token,
            refresh_token_expires_at: s.refresh_expires_at,
            user: s.user.into(),
        }
    }
}

/// A key an integration uses instead of a password.
#[derive(SimpleObject, Debug, Clone)]
pub struct ApiKey {
    pub id: ID,
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    /// The role the key acts with.
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_key::Model> for ApiKey {
    fn from(m: api_key::Model) -> Self {
        ApiKey {
            id: m.id.into(),
            name: m.name,
            prefix: m.prefix,
            role: m.role,
            created_at: m.created_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// A new API key with its secret.
#[derive(SimpleObject, Debug, Clone)]
pub struct CreatedApiKey {
    pub api_key: ApiKey,
    /// The key itself, shown this once: send it as `Authorization: Bearer <secret>`.
    pub secret: String,
}

#[derive(InputObject, Debug, Clone)]
pub struct CreateUserInput {
    /// 3–64 characters: Latin letters, digits, `.`, `-`, `_`; stored lower-case.
    pub username: String,
    /// Shown in the UI; the username when absent.
    pub display_name: Option<String>,
    /// At least 8 characters.
    pub password: String,
    pub role: Role,
}

/// Changes to a user; absent fields stay as they are.
#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateUserInput {
    pub display_name: Option<String>,
    pub role: Option<Role>,
}

page_type!(UserPage, User);
page_type!(ApiKeyPage, ApiKey);

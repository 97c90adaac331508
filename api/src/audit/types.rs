use async_graphql::{ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use entity::audit_log;

use crate::page_type;

/// One recorded action.
#[derive(SimpleObject, Debug, Clone)]
pub struct AuditEntry {
    pub id: ID,
    pub at: DateTime<Utc>,
    /// The staff user who acted, if a person did.
    pub actor_user_id: Option<ID>,
    /// The API key that acted, if an integration did.
    pub actor_api_key_id: Option<ID>,
    /// Who acted, readable after the user is gone: a username, `api-key:<name>` or `system`.
    pub actor_label: String,
    /// What was done, as `entity.verb`: `location.create`, `auth.login`.
    pub action: String,
    pub entity: String,
    pub entity_id: Option<ID>,
    /// What changed.
    pub details: async_graphql::Json<serde_json::Value>,
    /// The client address of the request.
    pub address: Option<String>,
    pub request_id: Option<String>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(m: audit_log::Model) -> Self {
        AuditEntry {
            id: m.id.into(),
            at: m.at,
            actor_user_id: m.actor_user_id.map(Into::into),
            actor_api_key_id: m.actor_api_key_id.map(Into::into),
            actor_label: m.actor_label,
            action: m.action,
            entity: m.entity,
            entity_id: m.entity_id.map(ID),
            details: async_graphql::Json(m.details),
            address: m.address,
            request_id: m.request_id,
        }
    }
}

/// Narrows the audit log; every given condition must hold.
#[derive(InputObject, Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_user_id: Option<ID>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<ID>,
    /// From this instant, inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Until this instant, exclusive.
    pub to: Option<DateTime<Utc>>,
}

page_type!(AuditEntryPage, AuditEntry);

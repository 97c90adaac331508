//! sea-orm entities: one module a table. Enums shared with the GraphQL layer live in `enums`.

pub mod api_key;
pub mod audit_log;
pub mod cash_operation;
pub mod cash_shift;
pub mod client;
pub mod client_source;
pub mod client_tag;
pub mod enums;
pub mod holiday;
pub mod idempotency_key;
pub mod interaction;
pub mod location;
pub mod opening_hours;
pub mod organisation;
pub mod payment;
pub mod pipeline_stage;
pub mod refresh_session;
pub mod resource;
pub mod revoked_token;
pub mod stage_history;
pub mod user;
pub mod wallet_entry;
pub mod zone;

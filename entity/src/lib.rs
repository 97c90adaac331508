//! sea-orm entities: one module a table. Enums shared with the GraphQL layer live in `enums`.

pub mod api_key;
pub mod audit_log;
pub mod enums;
pub mod holiday;
pub mod location;
pub mod opening_hours;
pub mod organisation;
pub mod refresh_session;
pub mod resource;
pub mod revoked_token;
pub mod user;
pub mod zone;

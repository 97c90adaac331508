//! What a PC booking asks for.

use chrono::{DateTime, Utc};

/// What a booking asks for.
pub struct BookingSpec {
    pub zone_id: i64,
    pub client_id: i64,
    pub starts_at: DateTime<Utc>,
    pub minutes: i32,
    pub pc_count: i32,
    /// Specific PCs; otherwise the service picks.
    pub resource_ids: Vec<i64>,
    pub note: Option<String>,
}

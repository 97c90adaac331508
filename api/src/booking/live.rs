//! What the slot stream of a location carries: a hold taken, released or run out, an
//! appointment or party booked, moved or cancelled. Published after the change commits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    events::{Event, Topic},
    state::AppState,
};

/// What happened to a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
pub enum SlotChange {
    /// The first message of a stream, and again whenever events may have been missed: the
    /// free slots as they are now.
    Snapshot,
    Held,
    Released,
    /// A hold ran out unconfirmed.
    Expired,
    Booked,
    Moved,
    Cancelled,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlotEvent {
    pub kind: SlotChange,
    pub location_id: i64,
    pub service_id: Option<i64>,
    pub specialist_id: Option<i64>,
    pub resource_id: Option<i64>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

pub async fn announce(state: &AppState, event: SlotEvent) {
    state.emit_after(&[event]).await;
}

impl Event for SlotEvent {
    fn topic(&self) -> Topic {
        Topic::Slots {
            location_id: self.location_id,
        }
    }

    fn kind(&self) -> &'static str {
        match self.kind {
            SlotChange::Snapshot => "slot.snapshot",
            SlotChange::Held => "slot.held",
            SlotChange::Released => "slot.released",
            SlotChange::Expired => "slot.expired",
            SlotChange::Booked => "slot.booked",
            SlotChange::Moved => "slot.moved",
            SlotChange::Cancelled => "slot.cancelled",
        }
    }
}

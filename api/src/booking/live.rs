//! What the slot stream of a location carries: a hold taken, released or run out, an
//! appointment or party booked, moved or cancelled. An appointment's or a party's event is
//! raised in the unit of work of its change ([`crate::write::Tx::emit`]); a hold lives in the
//! hold store, not the database, so its events are a unit of their own ([`announce_holds`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    auth::actor::Caller,
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

/// Raises the events of holds taken, let go or run out, after the hold store has changed.
/// A unit of work of its own: never call it inside another. Failing to write them is logged,
/// not answered: the hold stands either way, and a stream's next snapshot shows it.
pub async fn announce_holds(state: &AppState, caller: &Caller, events: &[SlotEvent]) {
    if events.is_empty() {
        return;
    }
    let written = state
        .write(caller, |tx| {
            Box::pin(async move {
                for event in events {
                    tx.emit(event).await?;
                }
                Ok(())
            })
        })
        .await;
    if let Err(err) = written {
        tracing::warn!(%err, "slot events of holds not written");
    }
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

//! A PC's live status follows from what holds it: out of order (set by hand) stays; otherwise
//! an active session makes it busy, a booking seat inside its show-before window makes it
//! booked, and nothing makes it free. Every service that changes a holder calls [`refresh`] in
//! its unit of work and raises what changed there ([`announce`]).

use chrono::{DateTime, Duration, Utc};
use entity::{
    enums::{ResourceStatus, SessionStatus},
    pc_booking_seat, play_session, resource,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};

use crate::{
    error::AppResult,
    events::{Event, Topic},
    state::AppState,
    venue::resources::ResourceEvent,
    write::Tx,
};

/// What a status should be now, given its holders.
pub async fn derived_status<C: ConnectionTrait>(
    conn: &C,
    resource: &resource::Model,
    now: DateTime<Utc>,
    show_minutes: i64,
) -> AppResult<ResourceStatus> {
    if resource.status == ResourceStatus::OutOfOrder {
        return Ok(ResourceStatus::OutOfOrder);
    }
    let playing = play_session::Entity::find()
        .filter(play_session::Column::ResourceId.eq(resource.id))
        .filter(play_session::Column::Status.eq(SessionStatus::Active))
        .one(conn)
        .await?;
    if playing.is_some() {
        return Ok(ResourceStatus::Busy);
    }
    let held = pc_booking_seat::Entity::find()
        .filter(pc_booking_seat::Column::ResourceId.eq(resource.id))
        .filter(pc_booking_seat::Column::Live.eq(true))
        .filter(pc_booking_seat::Column::StartsAt.lte(now + Duration::minutes(show_minutes)))
        .filter(pc_booking_seat::Column::EndsAt.gt(now))
        .one(conn)
        .await?;
    Ok(if held.is_some() {
        ResourceStatus::Booked
    } else {
        ResourceStatus::Free
    })
}

/// Brings the stored status of `ids` in line with their holders, as of the unit's time;
/// returns the rows that changed.
pub async fn refresh(
    tx: &Tx<'_>,
    state: &AppState,
    ids: &[i64],
) -> AppResult<Vec<resource::Model>> {
    let (conn, now) = (tx.db(), tx.now());
    let mut changed = Vec::new();
    for row in resource::Entity::find()
        .filter(resource::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await?
    {
        let status = derived_status(conn, &row, now, state.settings.booking_show_minutes).await?;
        if status != row.status {
            let mut model: resource::ActiveModel = row.into();
            model.status = Set(status);
            model.updated_at = Set(now);
            changed.push(model.update(conn).await?);
        }
    }
    Ok(changed)
}

/// Raises status changes for the live map, in the unit of the change.
pub async fn announce(tx: &Tx<'_>, changed: &[resource::Model]) -> AppResult<()> {
    for row in changed {
        tx.emit(&ResourceEvent::Changed(row.clone())).await?;
    }
    Ok(())
}

/// What the session stream of a location carries: the session as it is after the change.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionEvent {
    pub kind: SessionEventKind,
    pub session: play_session::Model,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, async_graphql::Enum)]
pub enum SessionEventKind {
    /// Every running session of the location: the first message, and again whenever events
    /// may have been missed.
    Snapshot,
    Started,
    Extended,
    Moved,
    /// A prepaid session will run out within the warning time.
    Ending,
    Ended,
}

/// Raises a change of a session for the location's session stream, in the unit of the change.
pub async fn announce_session(
    tx: &Tx<'_>,
    kind: SessionEventKind,
    session: &play_session::Model,
) -> AppResult<()> {
    tx.emit(&SessionEvent {
        kind,
        session: session.clone(),
    })
    .await
}

impl Event for SessionEvent {
    fn topic(&self) -> Topic {
        Topic::Sessions {
            location_id: self.session.location_id,
        }
    }

    fn kind(&self) -> &'static str {
        match self.kind {
            SessionEventKind::Snapshot => "session.snapshot",
            SessionEventKind::Started => "session.started",
            SessionEventKind::Extended => "session.extended",
            SessionEventKind::Moved => "session.moved",
            SessionEventKind::Ending => "session.ending",
            SessionEventKind::Ended => "session.ended",
        }
    }
}

/// The running sessions of a location, oldest first.
pub async fn running_sessions(
    state: &AppState,
    location_id: i64,
) -> AppResult<Vec<play_session::Model>> {
    Ok(play_session::Entity::find()
        .filter(play_session::Column::LocationId.eq(location_id))
        .filter(play_session::Column::Status.eq(SessionStatus::Active))
        .order_by_asc(play_session::Column::StartedAt)
        .all(&state.db)
        .await?)
}

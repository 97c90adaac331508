//! The club's clock work: prepaid sessions that ran out stop, sessions about to run out are
//! announced, bookings coming up show as booked, and bookings nobody came to are released.
//!
//! Everything it acts on is read from the database, so a restart loses nothing: a session
//! whose time ran out while the server was down is stopped as of its end on the first tick.
//! Each step is a conditional update in a unit of work of the system caller, so several
//! replicas ticking at once do each thing once.

use std::time::Duration as StdDuration;

use chrono::Duration;
use entity::{
    enums::{BookingStatus, ResourceStatus, SessionKind, SessionStatus},
    pc_booking, pc_booking_seat, play_session, resource,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use super::{
    bookings,
    live::{self, SessionEventKind},
    sessions,
};
use crate::{auth::actor::Caller, error::AppResult, state::AppState};

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub stopped: usize,
    pub warned: usize,
    pub no_shows: usize,
    pub refreshed: usize,
}

/// Runs one round of the clock work at the state's current time.
pub async fn tick(state: &AppState) -> AppResult<TickReport> {
    let now = state.clock.now();
    let system = Caller::system();
    let mut report = TickReport::default();

    let due = play_session::Entity::find()
        .filter(play_session::Column::Status.eq(SessionStatus::Active))
        .filter(play_session::Column::Kind.eq(SessionKind::Prepaid))
        .filter(play_session::Column::EndsAt.lte(now))
        .all(&state.db)
        .await?;
    for session in due {
        if sessions::time_up(state, session.id).await?.is_some() {
            report.stopped += 1;
        }
    }

    let warn_from = now + Duration::minutes(state.settings.session_warn_minutes);
    let ending = play_session::Entity::find()
        .filter(play_session::Column::Status.eq(SessionStatus::Active))
        .filter(play_session::Column::Kind.eq(SessionKind::Prepaid))
        .filter(play_session::Column::WarnedAt.is_null())
        .filter(play_session::Column::EndsAt.lte(warn_from))
        .all(&state.db)
        .await?;
    for session in &ending {
        let warned = state
            .write(&system, |tx| {
                Box::pin(async move {
                    let claimed = play_session::Entity::update_many()
                        .col_expr(play_session::Column::WarnedAt, Expr::value(now))
                        .filter(play_session::Column::Id.eq(session.id))
                        .filter(play_session::Column::WarnedAt.is_null())
                        .exec(tx.db())
                        .await?;
                    let warned = claimed.rows_affected == 1;
                    if warned {
                        live::announce_session(tx, SessionEventKind::Ending, session).await?;
                    }
                    Ok(warned)
                })
            })
            .await?;
        if warned {
            report.warned += 1;
        }
    }

    let grace = Duration::minutes(state.settings.booking_grace_minutes);
    let missed = pc_booking::Entity::find()
        .filter(pc_booking::Column::Status.eq(BookingStatus::Active))
        .filter(pc_booking::Column::StartsAt.lte(now - grace))
        .all(&state.db)
        .await?;
    for booking in missed {
        let grace_end = booking.starts_at + grace;
        if bookings::no_show(state, booking.id, grace_end)
            .await?
            .is_some()
        {
            report.no_shows += 1;
        }
    }

    // PCs whose booking comes into view, and booked PCs whose hold has gone.
    let show = Duration::minutes(state.settings.booking_show_minutes);
    let mut ids: Vec<i64> = pc_booking_seat::Entity::find()
        .filter(pc_booking_seat::Column::Live.eq(true))
        .filter(pc_booking_seat::Column::StartsAt.lte(now + show))
        .filter(pc_booking_seat::Column::EndsAt.gt(now))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|s| s.resource_id)
        .collect();
    ids.extend(
        resource::Entity::find()
            .filter(resource::Column::Status.eq(ResourceStatus::Booked))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|r| r.id),
    );
    ids.sort_unstable();
    ids.dedup();
    if !ids.is_empty() {
        let ids = &ids;
        report.refreshed = state
            .write(&system, |tx| {
                Box::pin(async move {
                    let changed = live::refresh(tx, state, ids).await?;
                    live::announce(tx, &changed).await?;
                    Ok(changed.len())
                })
            })
            .await?;
    }
    Ok(report)
}

/// Ticks every `club_tick_seconds` until the process ends.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(crate::db::uncounted(async move {
        let period = StdDuration::from_secs(state.settings.club_tick_seconds.max(1));
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match tick(&state).await {
                Ok(report) if report != TickReport::default() => {
                    tracing::info!(?report, "club tick");
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(%err, "club tick failed"),
            }
        }
    }))
}

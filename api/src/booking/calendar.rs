//! The staff calendar: appointments and party orders of a location by local day, week
//! (Monday first) or month.

use crate::domain::timezone;
use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use entity::{appointment, enums::AppointmentStatus, party_order, service, specialist};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{availability, party};
use crate::{error::AppResult, state::AppState, venue::locations};

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarView {
    Day,
    Week,
    Month,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarEntryKind {
    Appointment,
    Party,
}

/// One thing on the calendar.
#[derive(SimpleObject, Debug, Clone)]
pub struct CalendarEntry {
    pub kind: CalendarEntryKind,
    pub id: ID,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The service and specialist, or the game type and players.
    pub title: String,
    /// `booked`, `completed`, `cancelled`, `no_show`.
    pub status: String,
    pub client_id: ID,
    pub specialist_id: Option<ID>,
    /// The room, or the area and the rest room.
    pub resource_ids: Vec<ID>,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct Calendar {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub entries: Vec<CalendarEntry>,
}

/// The local days a view of `date` covers.
pub fn days(date: NaiveDate, view: CalendarView) -> (NaiveDate, NaiveDate) {
    match view {
        CalendarView::Day => (date, date),
        CalendarView::Week => {
            let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
            (monday, monday + Duration::days(6))
        }
        CalendarView::Month => {
            let first = date.with_day(1).unwrap_or(date);
            let next = if first.month() == 12 {
                NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
            };
            (first, next.and_then(|n| n.pred_opt()).unwrap_or(first))
        }
    }
}

fn status_name(s: AppointmentStatus) -> &'static str {
    match s {
        AppointmentStatus::Booked => "booked",
        AppointmentStatus::Completed => "completed",
        AppointmentStatus::Cancelled => "cancelled",
        AppointmentStatus::NoShow => "no_show",
    }
}

pub async fn build(
    state: &AppState,
    location_id: i64,
    date: NaiveDate,
    view: CalendarView,
    include_cancelled: bool,
) -> AppResult<Calendar> {
    let loc = locations::get(state, location_id).await?;
    let tz = availability::timezone(&loc)?;
    let (first, last) = days(date, view);
    let from = timezone::instant(tz, first.and_time(NaiveTime::MIN));
    let to = timezone::instant(tz, last.succ_opt().unwrap_or(last).and_time(NaiveTime::MIN));
    let mut select = appointment::Entity::find()
        .filter(appointment::Column::LocationId.eq(location_id))
        .filter(appointment::Column::StartsAt.lt(to))
        .filter(appointment::Column::EndsAt.gt(from));
    if !include_cancelled {
        select = select.filter(appointment::Column::Status.ne(AppointmentStatus::Cancelled));
    }
    let appointments = select
        .order_by_asc(appointment::Column::StartsAt)
        .all(&state.db)
        .await?;
    let services = service::Entity::find()
        .filter(service::Column::LocationId.eq(location_id))
        .all(&state.db)
        .await?;
    let specialists = specialist::Entity::find()
        .filter(
            specialist::Column::Id.is_in(
                appointments
                    .iter()
                    .map(|a| a.specialist_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(&state.db)
        .await?;
    let mut entries: Vec<CalendarEntry> = appointments
        .iter()
        .map(|a| {
            let svc = services
                .iter()
                .find(|s| s.id == a.service_id)
                .map_or("—", |s| s.name.as_str());
            let who = specialists
                .iter()
                .find(|s| s.id == a.specialist_id)
                .map_or(String::new(), |s| {
                    format!("{} {}", s.first_name, s.last_name)
                });
            CalendarEntry {
                kind: CalendarEntryKind::Appointment,
                id: a.id.into(),
                starts_at: a.starts_at,
                ends_at: a.ends_at,
                title: format!("{svc} — {}", who.trim()),
                status: status_name(a.status).into(),
                client_id: a.client_id.into(),
                specialist_id: Some(a.specialist_id.into()),
                resource_ids: a.resource_id.into_iter().map(Into::into).collect(),
            }
        })
        .collect();
    let parties: Vec<party_order::Model> = party::list(state, location_id, from, to)
        .await?
        .into_iter()
        .filter(|o| include_cancelled || o.status != entity::enums::PartyStatus::Cancelled)
        .collect();
    entries.extend(parties.iter().map(|o| {
        CalendarEntry {
            kind: CalendarEntryKind::Party,
            id: o.id.into(),
            starts_at: o.starts_at,
            ends_at: party::ends_at(o),
            title: format!(
                "{}, {} игроков — {}",
                crate::domain::names::Named::ru(o.game_type),
                o.players,
                o.contact_name
            ),
            status: format!("{:?}", o.status).to_lowercase(),
            client_id: o.client_id.into(),
            specialist_id: None,
            resource_ids: std::iter::once(o.area_id)
                .chain(o.rest_room_id)
                .map(Into::into)
                .collect(),
        }
    }));
    entries.sort_by_key(|e| e.starts_at);
    Ok(Calendar { from, to, entries })
}

//! Appointments for clinics and studios, and laser-tag party orders: the catalogue, specialists'
//! schedules, free slots, hold then confirm, an appointment's life, packages and wallet
//! payments, the public booking page, the live slot stream, party orders and the calendar.

pub mod appointments;
pub mod availability;
pub mod calendar;
pub mod catalog;
pub mod claims;
pub mod hold;
pub mod lifecycle;
pub mod live;
pub mod loaders;
mod mutations;
pub mod packages;
pub mod party;
pub mod public;
pub mod schedules;
pub mod slots;
pub mod types;

use crate::domain::timezone;
use async_graphql::{Context, ID, Object, Subscription};
use chrono::{Duration, NaiveDate};
use futures_util::{FutureExt, Stream, StreamExt};

pub use mutations::BookingMutation;

use crate::auth::actor::Reach;
use crate::{
    auth::{actor::Caller, policy::policy},
    context::ContextExt,
    domain::parse_id,
    error::{AppResult, IntoGql},
    events::{Delivery, Topic},
    pagination::{Page, PageInput},
    state::AppState,
};
use availability::SlotQuery;
use live::{SlotChange, SlotEvent};
use types::{
    Appointment, AppointmentFilter, AppointmentPage, BookingRules, ClientPackage, PartyGift,
    PartyOrder, PublicBooking, Service, ServicePackage, Slot, SlotsUpdate, Specialist,
    SpecialistSchedule,
};

pub(crate) fn optional_id(field: &str, id: Option<&ID>) -> AppResult<Option<i64>> {
    id.map(|id| parse_id(field, id)).transpose()
}

#[derive(Default)]
pub struct BookingQuery;

#[Object]
impl BookingQuery {
    /// Services of a location, by category and name (the public catalogue).
    #[graphql(guard = "policy(\"Query.services\")")]
    async fn services(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        #[graphql(desc = "Include ones taken off sale (default false).")] include_inactive: Option<
            bool,
        >,
    ) -> async_graphql::Result<Vec<Service>> {
        let state = ctx.state()?;
        public::limit_read(state, &ctx.caller()).gql()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let staff = matches!(ctx.actor().role(), Some(r) if r != entity::enums::Role::Client);
        let rows = catalog::services(
            state,
            location_id,
            include_inactive.unwrap_or(false) && staff,
        )
        .await
        .gql()?;
        Ok(rows.into_iter().map(Service::from).collect())
    }

    /// Packages of a service.
    #[graphql(guard = "policy(\"Query.servicePackages\")")]
    async fn service_packages(
        &self,
        ctx: &Context<'_>,
        service_id: ID,
    ) -> async_graphql::Result<Vec<ServicePackage>> {
        let state = ctx.state()?;
        public::limit_read(state, &ctx.caller()).gql()?;
        let service_id = parse_id("serviceId", &service_id).gql()?;
        let rows = catalog::packages(state, service_id).await.gql()?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Active specialists, all or those who perform a service.
    #[graphql(guard = "policy(\"Query.specialists\")")]
    async fn specialists(
        &self,
        ctx: &Context<'_>,
        service_id: Option<ID>,
    ) -> async_graphql::Result<Vec<Specialist>> {
        let state = ctx.state()?;
        public::limit_read(state, &ctx.caller()).gql()?;
        let service_id = optional_id("serviceId", service_id.as_ref()).gql()?;
        let rows = catalog::specialists(state, service_id, false).await.gql()?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// A specialist's week, breaks and one-off days at a location.
    #[graphql(guard = "policy(\"Query.specialistSchedule\")")]
    async fn specialist_schedule(
        &self,
        ctx: &Context<'_>,
        specialist_id: ID,
        location_id: ID,
    ) -> async_graphql::Result<SpecialistSchedule> {
        let state = ctx.state()?;
        let specialist_id = parse_id("specialistId", &specialist_id).gql()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let s = schedules::schedule(state, specialist_id, location_id)
            .await
            .gql()?;
        Ok(SpecialistSchedule {
            hours: s.hours.into_iter().map(Into::into).collect(),
            breaks: s.breaks.into_iter().map(Into::into).collect(),
            days: s.days.into_iter().map(Into::into).collect(),
        })
    }

    /// How a location takes bookings: slot step, cancellation cut-off, lead time.
    #[graphql(guard = "policy(\"Query.bookingRules\")")]
    async fn booking_rules(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
    ) -> async_graphql::Result<BookingRules> {
        let state = ctx.state()?;
        public::limit_read(state, &ctx.caller()).gql()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let rules = schedules::rules(&state.db, location_id).await.gql()?;
        Ok(rules.into())
    }

    /// Free slots of a service over the location's local days `from..=to` (at most 31), by
    /// start: opening hours, holidays, specialists' hours and breaks, buffers, appointments
    /// and live holds all respected.
    #[graphql(guard = "policy(\"Query.availableSlots\")")]
    async fn available_slots(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        service_id: ID,
        specialist_id: Option<ID>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> async_graphql::Result<Vec<Slot>> {
        let state = ctx.state()?;
        public::limit_read(state, &ctx.caller()).gql()?;
        let q = SlotQuery {
            location_id: parse_id("locationId", &location_id).gql()?,
            service_id: parse_id("serviceId", &service_id).gql()?,
            specialist_id: optional_id("specialistId", specialist_id.as_ref()).gql()?,
            from,
            to,
            ignore_appointment: None,
        };
        let rows = availability::find(state, &q).await.gql()?;
        Ok(rows.into_iter().map(Slot::from).collect())
    }

    /// Appointments, by start.
    #[graphql(guard = "policy(\"Query.appointments\")")]
    async fn appointments(
        &self,
        ctx: &Context<'_>,
        filter: Option<AppointmentFilter>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<AppointmentPage> {
        let state = ctx.state()?;
        let f = filter.unwrap_or_default();
        let spec = lifecycle::ListFilter {
            location_id: optional_id("filter.locationId", f.location_id.as_ref()).gql()?,
            client_id: optional_id("filter.clientId", f.client_id.as_ref()).gql()?,
            specialist_id: optional_id("filter.specialistId", f.specialist_id.as_ref()).gql()?,
            status: f.status,
            from: f.from,
            to: f.to,
        };
        let (rows, page_info) = lifecycle::list(state, spec, Page::asked(ctx, page).gql()?)
            .await
            .gql()?;
        Ok(AppointmentPage {
            items: rows.into_iter().map(Into::into).collect(),
            page_info,
        })
    }

    /// One appointment; a client sees only their own.
    #[graphql(guard = "policy(\"Query.appointment\")")]
    async fn appointment(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Appointment> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let acting = ctx.actor().reach().gql()?;
        let row = appointments::get(&state.db, id).await.gql()?;
        acting.may_touch(row.client_id).gql()?;
        Ok(row.into())
    }

    /// The signed-in client's appointments, by start.
    #[graphql(guard = "policy(\"Query.myAppointments\")")]
    async fn my_appointments(
        &self,
        ctx: &Context<'_>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<AppointmentPage> {
        let state = ctx.state()?;
        let Reach::Client(client_id) = ctx.actor().reach().gql()? else {
            return Err(async_graphql::ErrorExtensions::extend(
                &crate::error::AppError::forbidden(),
            ));
        };
        let spec = lifecycle::ListFilter {
            client_id: Some(client_id),
            ..Default::default()
        };
        let (rows, page_info) = lifecycle::list(state, spec, Page::asked(ctx, page).gql()?)
            .await
            .gql()?;
        Ok(AppointmentPage {
            items: rows.into_iter().map(Into::into).collect(),
            page_info,
        })
    }

    /// Packages a client bought, newest first; a client sees only their own.
    #[graphql(guard = "policy(\"Query.clientPackages\")")]
    async fn client_packages(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
    ) -> async_graphql::Result<Vec<ClientPackage>> {
        let state = ctx.state()?;
        let client_id = parse_id("clientId", &client_id).gql()?;
        ctx.actor().reach().gql()?.may_touch(client_id).gql()?;
        let rows = packages::of_client(state, client_id).await.gql()?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// A booking by its code, for a visitor without a login.
    #[graphql(guard = "policy(\"Query.publicBooking\")")]
    async fn public_booking(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> async_graphql::Result<PublicBooking> {
        let state = ctx.state()?;
        Ok(public::find(state, &ctx.caller(), &code)
            .await
            .gql()?
            .into())
    }

    /// Gifts a party may include, in list order.
    #[graphql(guard = "policy(\"Query.partyGifts\")")]
    async fn party_gifts(
        &self,
        ctx: &Context<'_>,
        include_inactive: Option<bool>,
    ) -> async_graphql::Result<Vec<PartyGift>> {
        let state = ctx.state()?;
        let rows = party::gifts(state, include_inactive.unwrap_or(false))
            .await
            .gql()?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Party orders of a location that meet `from..to`, by start.
    #[graphql(guard = "policy(\"Query.partyOrders\")")]
    async fn party_orders(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> async_graphql::Result<Vec<PartyOrder>> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let rows = party::list(state, location_id, from, to).await.gql()?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Appointments and party orders of a location for the local day, week or month of
    /// `date`.
    #[graphql(guard = "policy(\"Query.bookingCalendar\")")]
    async fn booking_calendar(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        date: NaiveDate,
        view: calendar::CalendarView,
        include_cancelled: Option<bool>,
    ) -> async_graphql::Result<calendar::Calendar> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        calendar::build(
            state,
            location_id,
            date,
            view,
            include_cancelled.unwrap_or(false),
        )
        .await
        .gql()
    }
}

/// The free slots of a service for a week from today, as a snapshot message.
async fn snapshot(
    state: &AppState,
    location_id: i64,
    service_id: Option<i64>,
) -> AppResult<SlotsUpdate> {
    let slots = match service_id {
        Some(service_id) => {
            let loc = crate::venue::locations::get(state, location_id).await?;
            let tz = availability::timezone(&loc)?;
            let today = timezone::local_date(tz, state.clock.now());
            let q = SlotQuery {
                location_id,
                service_id,
                specialist_id: None,
                from: today,
                to: today + Duration::days(6),
                ignore_appointment: None,
            };
            availability::find(state, &q).await?
        }
        None => Vec::new(),
    };
    Ok(SlotsUpdate {
        kind: SlotChange::Snapshot,
        slots: slots.into_iter().map(Into::into).collect(),
        specialist_id: None,
        resource_id: None,
        starts_at: None,
        ends_at: None,
        event_id: None,
    })
}

/// Whether an event may change the slots of a service: it touches one of the service's
/// specialists or rooms.
struct Interest {
    specialists: Vec<i64>,
    rooms: Vec<i64>,
}

impl Interest {
    async fn of(state: &AppState, service_id: Option<i64>) -> AppResult<Option<Interest>> {
        let Some(service_id) = service_id else {
            return Ok(None);
        };
        let specialists = catalog::specialists(state, Some(service_id), true)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let rooms = catalog::service_rooms(&state.db, service_id).await?;
        Ok(Some(Interest { specialists, rooms }))
    }

    fn wants(&self, e: &SlotEvent) -> bool {
        e.specialist_id
            .is_some_and(|s| self.specialists.contains(&s))
            || e.resource_id.is_some_and(|r| self.rooms.contains(&r))
    }
}

#[derive(Default)]
pub struct BookingSubscription;

#[Subscription]
impl BookingSubscription {
    /// Slot changes of a location (of one service's specialists and rooms when given): first
    /// a snapshot of the free slots for a week, then each hold, release, expiry, booking,
    /// move and cancellation. A snapshot is sent again whenever events may have been missed.
    #[graphql(guard = "policy(\"Subscription.slotsChanged\")")]
    async fn slots_changed(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        service_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = SlotsUpdate> + use<>> {
        let state = ctx.state()?.clone();
        let caller: Caller = ctx.caller();
        public::limit_read(&state, &caller).gql()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let service_id = optional_id("serviceId", service_id.as_ref()).gql()?;
        crate::venue::locations::get(&state, location_id)
            .await
            .gql()?;
        let interest = std::sync::Arc::new(Interest::of(&state, service_id).await.gql()?);
        // Listen before reading the snapshot, so no change falls between the two.
        let events = state
            .bus
            .subscribe::<SlotEvent>(&Topic::Slots { location_id });
        let first = snapshot(&state, location_id, service_id).await.gql()?;
        // The resync's read is boxed: unboxed, the largest future of this stream sat inline in
        // every idle subscription, thousands of them on a live map.
        let changes = events.filter_map(move |delivery| {
            let state = state.clone();
            let interest = interest.clone();
            async move {
                match delivery {
                    Delivery::Event { id, event: e } => {
                        if interest.as_ref().as_ref().is_some_and(|i| !i.wants(&e)) {
                            return None;
                        }
                        Some(SlotsUpdate {
                            kind: e.kind,
                            slots: Vec::new(),
                            specialist_id: e.specialist_id.map(Into::into),
                            resource_id: e.resource_id.map(Into::into),
                            starts_at: Some(e.starts_at),
                            ends_at: Some(e.ends_at),
                            event_id: Some(id.into()),
                        })
                    }
                    Delivery::Resync => snapshot(&state, location_id, service_id).await.ok(),
                }
            }
            .boxed()
        });
        Ok(futures_util::stream::once(async move { first }).chain(changes))
    }
}

//! GraphQL objects and inputs of booking.

use async_graphql::{ComplexObject, Context, ID, InputObject, SimpleObject};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use entity::{
    appointment, booking_rules, client_package,
    enums::{AppointmentPayment, AppointmentStatus, GameType, PartyStatus, PaymentMethod},
    party_gift, party_order, push_subscription, service, service_package, specialist,
    specialist_break, specialist_day, specialist_hours,
};

use super::{
    appointments::price_of,
    hold::Held,
    live::SlotChange,
    loaders::{RoomsByService, ServiceById, ServicesBySpecialist, SpecialistById},
    party, slots,
};
use crate::{
    batch::{load, load_many},
    clients::{loaders::ClientById, types::Client},
    domain::Money,
    page_type,
    venue::{
        loaders::ResourceById,
        types::{OpeningHoursInput, Resource},
    },
};

async fn client_of(ctx: &Context<'_>, client_id: i64) -> async_graphql::Result<Option<Client>> {
    Ok(load::<ClientById, _>(ctx, client_id).await?.map(Client))
}

async fn resource_of(
    ctx: &Context<'_>,
    id: Option<i64>,
) -> async_graphql::Result<Option<Resource>> {
    match id {
        Some(id) => Ok(load::<ResourceById, _>(ctx, id).await?.map(Resource)),
        None => Ok(None),
    }
}

fn id(v: i64) -> ID {
    v.into()
}

/// A service sold by appointment.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Service {
    pub id: ID,
    pub location_id: ID,
    pub name: String,
    pub category: Option<String>,
    pub description: Option<String>,
    pub duration_minutes: i32,
    pub price: Money,
    /// Minutes kept free before the service (preparation).
    pub buffer_before: i32,
    /// Minutes kept free after the service (cleaning).
    pub buffer_after: i32,
    pub active: bool,
    #[graphql(skip)]
    pub raw_id: i64,
}

#[ComplexObject]
impl Service {
    /// Rooms that suit the service; empty when it needs none.
    async fn resource_ids(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ID>> {
        let rows = load_many::<RoomsByService, _>(ctx, self.raw_id).await?;
        Ok(rows.into_iter().map(id).collect())
    }
}

impl From<service::Model> for Service {
    fn from(m: service::Model) -> Self {
        Service {
            id: id(m.id),
            location_id: id(m.location_id),
            name: m.name,
            category: m.category,
            description: m.description,
            duration_minutes: m.duration_minutes,
            price: Money(m.price),
            buffer_before: m.buffer_before,
            buffer_after: m.buffer_after,
            active: m.active,
            raw_id: m.id,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct ServiceInput {
    pub name: String,
    pub category: Option<String>,
    pub description: Option<String>,
    pub duration_minutes: i32,
    pub price: Money,
    /// Minutes before (default 0).
    pub buffer_before: Option<i32>,
    /// Minutes after (default 0).
    pub buffer_after: Option<i32>,
    /// Default true.
    pub active: Option<bool>,
}

/// Visits of one service sold together.
#[derive(SimpleObject, Debug, Clone)]
pub struct ServicePackage {
    pub id: ID,
    pub service_id: ID,
    pub name: String,
    pub visits: i32,
    pub validity_days: i32,
    pub price: Money,
    pub active: bool,
}

impl From<service_package::Model> for ServicePackage {
    fn from(m: service_package::Model) -> Self {
        ServicePackage {
            id: id(m.id),
            service_id: id(m.service_id),
            name: m.name,
            visits: m.visits,
            validity_days: m.validity_days,
            price: Money(m.price),
            active: m.active,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct ServicePackageInput {
    pub service_id: ID,
    pub name: String,
    pub visits: i32,
    pub validity_days: i32,
    pub price: Money,
}

/// A person who serves appointments.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Specialist {
    pub id: ID,
    pub first_name: String,
    pub last_name: String,
    pub title: Option<String>,
    pub bio: Option<String>,
    /// The staff user who is this specialist, if any.
    pub user_id: Option<ID>,
    pub active: bool,
    #[graphql(skip)]
    pub raw_id: i64,
}

#[ComplexObject]
impl Specialist {
    /// Services this specialist performs.
    async fn service_ids(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ID>> {
        let rows = load_many::<ServicesBySpecialist, _>(ctx, self.raw_id).await?;
        Ok(rows.into_iter().map(id).collect())
    }
}

impl From<specialist::Model> for Specialist {
    fn from(m: specialist::Model) -> Self {
        Specialist {
            id: id(m.id),
            first_name: m.first_name,
            last_name: m.last_name,
            title: m.title,
            bio: m.bio,
            user_id: m.user_id.map(id),
            active: m.active,
            raw_id: m.id,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct SpecialistInput {
    pub first_name: String,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub bio: Option<String>,
    pub user_id: Option<ID>,
    /// Default true.
    pub active: Option<bool>,
}

/// One weekly working interval, in the location's local time.
#[derive(SimpleObject, Debug, Clone)]
pub struct WorkingHours {
    pub weekday: i32,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
}

impl From<specialist_hours::Model> for WorkingHours {
    fn from(m: specialist_hours::Model) -> Self {
        WorkingHours {
            weekday: i32::from(m.weekday),
            starts_at: m.starts_at,
            ends_at: m.ends_at,
        }
    }
}

/// A break, weekly or on a date.
#[derive(SimpleObject, Debug, Clone)]
pub struct SpecialistBreak {
    pub id: ID,
    pub weekday: Option<i32>,
    pub date: Option<NaiveDate>,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
}

impl From<specialist_break::Model> for SpecialistBreak {
    fn from(m: specialist_break::Model) -> Self {
        SpecialistBreak {
            id: id(m.id),
            weekday: m.weekday.map(i32::from),
            date: m.date,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct BreakInput {
    /// Every such weekday (1 = Monday)…
    pub weekday: Option<i32>,
    /// …or one date.
    pub date: Option<NaiveDate>,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
}

/// A one-off day: off, or other hours.
#[derive(SimpleObject, Debug, Clone)]
pub struct SpecialistDay {
    pub id: ID,
    pub date: NaiveDate,
    /// Empty for a day off.
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub note: Option<String>,
}

impl From<specialist_day::Model> for SpecialistDay {
    fn from(m: specialist_day::Model) -> Self {
        SpecialistDay {
            id: id(m.id),
            date: m.date,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            note: m.note,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct SpecialistDayInput {
    pub specialist_id: ID,
    pub location_id: ID,
    pub date: NaiveDate,
    /// Leave both empty for a day off.
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub note: Option<String>,
}

/// A specialist's week, breaks and one-off days at a location.
#[derive(SimpleObject, Debug, Clone)]
pub struct SpecialistSchedule {
    pub hours: Vec<WorkingHours>,
    pub breaks: Vec<SpecialistBreak>,
    pub days: Vec<SpecialistDay>,
}

#[derive(InputObject, Debug, Clone)]
pub struct SpecialistHoursInput {
    pub specialist_id: ID,
    pub location_id: ID,
    /// The whole week; same rules as opening hours.
    pub hours: Vec<OpeningHoursInput>,
}

/// How a location takes bookings.
#[derive(SimpleObject, Debug, Clone)]
pub struct BookingRules {
    pub location_id: ID,
    pub slot_step_minutes: i32,
    /// Clients may cancel or move (and are refunded) until this many minutes before.
    pub cancel_cutoff_minutes: i32,
    pub min_lead_minutes: i32,
}

impl From<booking_rules::Model> for BookingRules {
    fn from(m: booking_rules::Model) -> Self {
        BookingRules {
            location_id: id(m.location_id),
            slot_step_minutes: m.slot_step_minutes,
            cancel_cutoff_minutes: m.cancel_cutoff_minutes,
            min_lead_minutes: m.min_lead_minutes,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct BookingRulesInput {
    pub slot_step_minutes: i32,
    pub cancel_cutoff_minutes: i32,
    pub min_lead_minutes: i32,
}

/// A free slot.
#[derive(SimpleObject, Debug, Clone)]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub specialist_id: ID,
    /// The room it would take, when the service needs one.
    pub resource_id: Option<ID>,
}

impl From<slots::Slot> for Slot {
    fn from(s: slots::Slot) -> Self {
        Slot {
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            specialist_id: id(s.specialist_id),
            resource_id: s.resource_id.map(id),
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct HoldSlotInput {
    pub location_id: ID,
    pub service_id: ID,
    pub specialist_id: ID,
    pub starts_at: DateTime<Utc>,
}

/// A slot held for a short time; confirm it with its token before `expiresAt`.
#[derive(SimpleObject, Debug, Clone)]
pub struct SlotHold {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub location_id: ID,
    pub service_id: ID,
    pub specialist_id: ID,
    pub resource_id: Option<ID>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl From<Held> for SlotHold {
    fn from(h: Held) -> Self {
        SlotHold {
            token: h.token,
            expires_at: h.expires_at,
            location_id: id(h.slot.location_id),
            service_id: id(h.slot.service_id),
            specialist_id: id(h.slot.specialist_id),
            resource_id: h.slot.resource_id.map(id),
            starts_at: h.slot.starts_at,
            ends_at: h.slot.ends_at,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct ConfirmBookingInput {
    pub hold_token: String,
    /// The client; a signed-in client books for themselves and may leave it out.
    pub client_id: Option<ID>,
    pub payment: AppointmentPayment,
    /// Which package pays; by default the one that runs out first.
    pub client_package_id: Option<ID>,
    /// A discount for this appointment, 0–100 %, on top of the client's own.
    pub discount_percent: Option<i32>,
    pub note: Option<String>,
    /// Retrying with the same key answers with the same appointment.
    pub idempotency_key: Option<String>,
}

#[derive(InputObject, Debug, Clone)]
pub struct PublicBookingInput {
    pub hold_token: String,
    pub name: String,
    pub phone: String,
    pub note: Option<String>,
    /// The visitor agreed to be contacted about the booking (kept on the client).
    pub consent_to_contact: Option<bool>,
    /// Retrying with the same key answers with the same booking.
    pub idempotency_key: Option<String>,
}

/// How the price of an appointment came about.
#[derive(SimpleObject, Debug, Clone)]
pub struct PriceBreakdown {
    /// The service's price when booked.
    pub price: Money,
    pub client_discount_percent: i32,
    pub client_discount: Money,
    pub discount_percent: i32,
    pub discount: Money,
    /// What the client pays; zero when a package visit pays.
    pub total: Money,
}

/// A client's visit.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Appointment {
    pub id: ID,
    pub location_id: ID,
    pub service_id: ID,
    pub specialist_id: ID,
    pub resource_id: Option<ID>,
    pub client_id: ID,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: AppointmentStatus,
    pub payment: AppointmentPayment,
    pub client_package_id: Option<ID>,
    /// Taken from the wallet when booked.
    pub paid: Money,
    /// Returned to the wallet on cancellation.
    pub refunded: Money,
    /// The code a client uses to find or cancel the booking without a login.
    pub code: String,
    pub note: Option<String>,
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub row: appointment::Model,
}

#[ComplexObject]
impl Appointment {
    async fn price(&self) -> PriceBreakdown {
        let p = price_of(&self.row);
        PriceBreakdown {
            price: Money(p.list),
            client_discount_percent: p.client_discount_percent,
            client_discount: Money(p.client_discount),
            discount_percent: p.discount_percent,
            discount: Money(p.discount),
            total: Money(p.total),
        }
    }
    async fn client(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Client>> {
        client_of(ctx, self.row.client_id).await
    }
    async fn service(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Service>> {
        Ok(load::<ServiceById, _>(ctx, self.row.service_id)
            .await?
            .map(Service::from))
    }
    async fn specialist(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Specialist>> {
        Ok(load::<SpecialistById, _>(ctx, self.row.specialist_id)
            .await?
            .map(Specialist::from))
    }
    /// The room, when the service needs one.
    async fn room(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Resource>> {
        resource_of(ctx, self.row.resource_id).await
    }
}

impl From<appointment::Model> for Appointment {
    fn from(m: appointment::Model) -> Self {
        Appointment {
            id: id(m.id),
            location_id: id(m.location_id),
            service_id: id(m.service_id),
            specialist_id: id(m.specialist_id),
            resource_id: m.resource_id.map(id),
            client_id: id(m.client_id),
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            status: m.status,
            payment: m.payment,
            client_package_id: m.client_package_id.map(id),
            paid: Money(m.paid),
            refunded: Money(m.refunded),
            code: m.code.clone(),
            note: m.note.clone(),
            cancel_reason: m.cancel_reason.clone(),
            created_at: m.created_at,
            row: m,
        }
    }
}

page_type!(AppointmentPage, Appointment);

#[derive(InputObject, Debug, Clone, Default)]
pub struct AppointmentFilter {
    pub location_id: Option<ID>,
    pub client_id: Option<ID>,
    pub specialist_id: Option<ID>,
    pub status: Option<AppointmentStatus>,
    /// Appointments that end after this…
    pub from: Option<DateTime<Utc>>,
    /// …and start before this.
    pub to: Option<DateTime<Utc>>,
}

/// What a visitor sees of their booking.
#[derive(SimpleObject, Debug, Clone)]
pub struct PublicBooking {
    pub code: String,
    pub status: AppointmentStatus,
    pub location_id: ID,
    pub service_id: ID,
    pub specialist_id: ID,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub total: Money,
}

impl From<appointment::Model> for PublicBooking {
    fn from(m: appointment::Model) -> Self {
        PublicBooking {
            code: m.code,
            status: m.status,
            location_id: id(m.location_id),
            service_id: id(m.service_id),
            specialist_id: id(m.specialist_id),
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            total: Money(m.total),
        }
    }
}

/// A package a client bought.
#[derive(SimpleObject, Debug, Clone)]
pub struct ClientPackage {
    pub id: ID,
    pub client_id: ID,
    pub package_id: ID,
    pub service_id: ID,
    pub visits_total: i32,
    pub visits_left: i32,
    pub valid_until: DateTime<Utc>,
    pub price: Money,
}

impl From<client_package::Model> for ClientPackage {
    fn from(m: client_package::Model) -> Self {
        ClientPackage {
            id: id(m.id),
            client_id: id(m.client_id),
            package_id: id(m.package_id),
            service_id: id(m.service_id),
            visits_total: m.visits_total,
            visits_left: m.visits_left,
            valid_until: m.valid_until,
            price: Money(m.price),
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct SellPackageInput {
    pub client_id: ID,
    pub package_id: ID,
    pub method: PaymentMethod,
    pub idempotency_key: String,
}

#[derive(InputObject, Debug, Clone)]
pub struct PushSubscriptionInput {
    /// The booking the visitor holds; a signed-in client may leave it out.
    pub booking_code: Option<String>,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

/// A stored Web Push subscription.
#[derive(SimpleObject, Debug, Clone)]
pub struct PushSubscription {
    pub id: ID,
    pub endpoint: String,
    pub created_at: DateTime<Utc>,
}

impl From<push_subscription::Model> for PushSubscription {
    fn from(m: push_subscription::Model) -> Self {
        PushSubscription {
            id: id(m.id),
            endpoint: m.endpoint,
            created_at: m.created_at,
        }
    }
}

/// What changed in a location's slots; the first message is a snapshot.
#[derive(SimpleObject, Debug, Clone)]
pub struct SlotsUpdate {
    pub kind: SlotChange,
    /// With a snapshot: the free slots of the service from now for a week.
    pub slots: Vec<Slot>,
    pub specialist_id: Option<ID>,
    pub resource_id: Option<ID>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// The id of the event this message reports (absent in a snapshot): the same event
    /// delivered twice carries the same id.
    pub event_id: Option<ID>,
}

/// A gift a party may include.
#[derive(SimpleObject, Debug, Clone)]
pub struct PartyGift {
    pub id: ID,
    pub name: String,
    pub active: bool,
    pub sort_order: i32,
}

impl From<party_gift::Model> for PartyGift {
    fn from(m: party_gift::Model) -> Self {
        PartyGift {
            id: id(m.id),
            name: m.name,
            active: m.active,
            sort_order: m.sort_order,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct PartyGiftInput {
    pub name: String,
    /// Default true.
    pub active: Option<bool>,
    /// Default 0.
    pub sort_order: Option<i32>,
}

/// A laser-tag party order.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct PartyOrder {
    pub id: ID,
    pub location_id: ID,
    pub client_id: ID,
    pub contact_name: String,
    pub contact_phone: String,
    pub game_type: GameType,
    pub players: i32,
    pub area_id: ID,
    pub starts_at: DateTime<Utc>,
    pub game_minutes: i32,
    pub game_ends_at: DateTime<Utc>,
    pub rest_room_id: Option<ID>,
    pub rest_minutes: i32,
    pub ends_at: DateTime<Utc>,
    pub gift_ids: Vec<ID>,
    pub notes: Option<String>,
    pub status: PartyStatus,
    #[graphql(skip)]
    pub row: party_order::Model,
}

#[ComplexObject]
impl PartyOrder {
    async fn client(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Client>> {
        client_of(ctx, self.row.client_id).await
    }
    async fn area(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Resource>> {
        resource_of(ctx, Some(self.row.area_id)).await
    }
    async fn rest_room(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Resource>> {
        resource_of(ctx, self.row.rest_room_id).await
    }
}

impl From<party_order::Model> for PartyOrder {
    fn from(m: party_order::Model) -> Self {
        let gift_ids = m
            .gifts
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_i64()).map(id).collect())
            .unwrap_or_default();
        PartyOrder {
            id: id(m.id),
            location_id: id(m.location_id),
            client_id: id(m.client_id),
            contact_name: m.contact_name.clone(),
            contact_phone: m.contact_phone.clone(),
            game_type: m.game_type,
            players: m.players,
            area_id: id(m.area_id),
            starts_at: m.starts_at,
            game_minutes: m.game_minutes,
            game_ends_at: party::game_ends_at(&m),
            rest_room_id: m.rest_room_id.map(id),
            rest_minutes: m.rest_minutes,
            ends_at: party::ends_at(&m),
            gift_ids,
            notes: m.notes.clone(),
            status: m.status,
            row: m,
        }
    }
}

#[derive(InputObject, Debug, Clone)]
pub struct PartyOrderInput {
    pub location_id: ID,
    /// The client; without it the contact phone finds or makes one.
    pub client_id: Option<ID>,
    pub contact_name: String,
    pub contact_phone: String,
    pub game_type: GameType,
    pub players: i32,
    /// The play area: a resource of kind ARENA.
    pub area_id: ID,
    pub starts_at: DateTime<Utc>,
    pub game_minutes: i32,
    /// A resource of kind REST_ROOM, taken right after the game.
    pub rest_room_id: Option<ID>,
    /// Default 0.
    pub rest_minutes: Option<i32>,
    /// Default none.
    pub gift_ids: Option<Vec<ID>>,
    pub notes: Option<String>,
}

//! GraphQL objects and inputs of the computer club.

use async_graphql::{ComplexObject, Context, ID, InputObject, SimpleObject};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use entity::{
    enums::{
        BookingStatus, PaymentMethod, PromotionKind, Rounding, SessionKind, SessionStatus,
        StopReason,
    },
    pc_booking, play_session, promotion, tariff_package, tariff_window,
};

use super::{catalog, live, pricing};
use crate::{
    batch::load,
    clients::{loaders::ClientById, types::Client},
    domain::Money,
    page_type,
    venue::{loaders::ResourceById, types::Resource},
};

/// A time of the week with its own hourly price, in the location's local time.
#[derive(SimpleObject)]
pub struct TariffWindow {
    pub name: String,
    /// ISO weekdays it starts on (1 = Monday).
    pub weekdays: Vec<i32>,
    pub starts_at: NaiveTime,
    /// Not after `startsAt` means past midnight.
    pub ends_at: NaiveTime,
    pub price_per_hour: Money,
}

impl From<&tariff_window::Model> for TariffWindow {
    fn from(w: &tariff_window::Model) -> Self {
        TariffWindow {
            name: w.name.clone(),
            weekdays: catalog::weekdays_of(w.weekdays),
            starts_at: w.starts_at,
            ends_at: w.ends_at,
            price_per_hour: Money(w.price_per_hour),
        }
    }
}

/// A fixed price for fixed time: a duration, or a local window ending at its end.
#[derive(SimpleObject)]
pub struct TariffPackage {
    pub id: ID,
    pub tariff_id: ID,
    pub name: String,
    pub price: Money,
    pub minutes: Option<i32>,
    pub window_start: Option<NaiveTime>,
    pub window_end: Option<NaiveTime>,
    pub active: bool,
}

impl From<tariff_package::Model> for TariffPackage {
    fn from(p: tariff_package::Model) -> Self {
        TariffPackage {
            id: p.id.into(),
            tariff_id: p.tariff_id.into(),
            name: p.name,
            price: Money(p.price),
            minutes: p.minutes,
            window_start: p.window_start,
            window_end: p.window_end,
            active: p.active,
        }
    }
}

/// An hourly price for a zone with its windows, packages and billing step.
#[derive(SimpleObject)]
pub struct Tariff {
    pub id: ID,
    pub location_id: ID,
    pub zone_id: ID,
    pub name: String,
    pub price_per_hour: Money,
    pub step_minutes: i32,
    pub rounding: Rounding,
    pub active: bool,
    /// In order of precedence: where windows overlap, the first wins.
    pub windows: Vec<TariffWindow>,
    pub packages: Vec<TariffPackage>,
}

impl Tariff {
    pub fn new(rules: pricing::TariffRules, packages: Vec<tariff_package::Model>) -> Tariff {
        let t = rules.tariff;
        Tariff {
            id: t.id.into(),
            location_id: t.location_id.into(),
            zone_id: t.zone_id.into(),
            name: t.name,
            price_per_hour: Money(t.price_per_hour),
            step_minutes: t.step_minutes,
            rounding: t.rounding,
            active: t.active,
            windows: rules.windows.iter().map(TariffWindow::from).collect(),
            packages: packages.into_iter().map(TariffPackage::from).collect(),
        }
    }
}

#[derive(InputObject)]
pub struct TariffWindowInput {
    pub name: String,
    /// ISO weekdays (1 = Monday); empty means every day.
    #[graphql(default)]
    pub weekdays: Vec<i32>,
    pub starts_at: NaiveTime,
    pub ends_at: NaiveTime,
    pub price_per_hour: Money,
}

#[derive(InputObject)]
pub struct TariffInput {
    pub name: String,
    pub price_per_hour: Money,
    /// Billed time is a whole number of steps.
    #[graphql(default = 1)]
    pub step_minutes: i32,
    #[graphql(default_with = "Rounding::Up")]
    pub rounding: Rounding,
    #[graphql(default = true)]
    pub active: bool,
    /// In order of precedence.
    #[graphql(default)]
    pub windows: Vec<TariffWindowInput>,
}

impl From<TariffInput> for catalog::TariffSpec {
    fn from(i: TariffInput) -> Self {
        catalog::TariffSpec {
            name: i.name,
            price_per_hour: i.price_per_hour.minor(),
            step_minutes: i.step_minutes,
            rounding: i.rounding,
            active: i.active,
            windows: i
                .windows
                .into_iter()
                .map(|w| catalog::WindowSpec {
                    name: w.name,
                    weekdays: w.weekdays,
                    starts_at: w.starts_at,
                    ends_at: w.ends_at,
                    price_per_hour: w.price_per_hour.minor(),
                })
                .collect(),
        }
    }
}

#[derive(InputObject)]
pub struct TariffPackageInput {
    pub tariff_id: ID,
    pub name: String,
    pub price: Money,
    /// A duration package ("3 hours")…
    pub minutes: Option<i32>,
    /// … or a window package ("night 22:00–08:00").
    pub window_start: Option<NaiveTime>,
    pub window_end: Option<NaiveTime>,
}

/// A promotion on play time.
#[derive(SimpleObject)]
pub struct Promotion {
    pub id: ID,
    pub location_id: ID,
    pub name: String,
    pub kind: PromotionKind,
    pub pay_minutes: Option<i32>,
    pub free_minutes: Option<i32>,
    pub percent: Option<i32>,
    pub price_per_hour: Option<Money>,
    /// ISO weekdays a session may start on under it.
    pub weekdays: Vec<i32>,
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    /// Empty means every zone.
    pub zone_ids: Vec<ID>,
    pub active: bool,
}

impl From<promotion::Model> for Promotion {
    fn from(p: promotion::Model) -> Self {
        let zones: Vec<i64> = serde_json::from_value(p.zone_ids).unwrap_or_default();
        Promotion {
            id: p.id.into(),
            location_id: p.location_id.into(),
            name: p.name,
            kind: p.kind,
            pay_minutes: p.pay_minutes,
            free_minutes: p.free_minutes,
            percent: p.percent,
            price_per_hour: p.price_per_hour.map(Money),
            weekdays: catalog::weekdays_of(p.weekdays),
            starts_at: p.starts_at,
            ends_at: p.ends_at,
            valid_from: p.valid_from,
            valid_to: p.valid_to,
            zone_ids: zones.into_iter().map(Into::into).collect(),
            active: p.active,
        }
    }
}

#[derive(InputObject)]
pub struct PromotionInput {
    pub name: String,
    pub kind: PromotionKind,
    /// Bonus time: pay for this many minutes…
    pub pay_minutes: Option<i32>,
    /// … and get this many free.
    pub free_minutes: Option<i32>,
    pub percent: Option<i32>,
    pub price_per_hour: Option<Money>,
    /// Empty means every day.
    #[graphql(default)]
    pub weekdays: Vec<i32>,
    /// Local hours a session may start in; both or neither.
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    /// Empty means every zone.
    #[graphql(default)]
    pub zone_ids: Vec<ID>,
    #[graphql(default = true)]
    pub active: bool,
}

/// One line of a cost breakdown.
#[derive(SimpleObject)]
pub struct QuoteLine {
    pub label: String,
    pub minutes: i64,
    /// None for a package.
    pub price_per_hour: Option<Money>,
    pub amount: Money,
}

/// The promotion or personal discount that won.
#[derive(SimpleObject)]
pub struct QuoteDiscount {
    /// None for the client's personal discount.
    pub promotion_id: Option<ID>,
    pub label: String,
    pub amount: Money,
}

/// What play time costs, line by line.
#[derive(SimpleObject)]
pub struct Quote {
    pub seconds: i64,
    pub billed_minutes: i64,
    pub lines: Vec<QuoteLine>,
    pub subtotal: Money,
    pub discount: Option<QuoteDiscount>,
    pub total: Money,
}

impl From<pricing::Quote> for Quote {
    fn from(q: pricing::Quote) -> Self {
        Quote {
            seconds: q.seconds,
            billed_minutes: q.billed_minutes,
            lines: q
                .lines
                .into_iter()
                .map(|l| QuoteLine {
                    label: l.label,
                    minutes: l.minutes,
                    price_per_hour: l.price_per_hour.map(Money),
                    amount: Money(l.amount),
                })
                .collect(),
            subtotal: Money(q.subtotal),
            discount: q.discount.map(|d| QuoteDiscount {
                promotion_id: d.promotion_id.map(Into::into),
                label: d.label,
                amount: Money(d.amount),
            }),
            total: Money(q.total),
        }
    }
}

/// Time played on a PC.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PlaySession {
    pub id: ID,
    pub location_id: ID,
    /// The PC it is on (or ended on).
    pub resource_id: ID,
    pub client_id: Option<ID>,
    pub guest_name: Option<String>,
    pub tariff_id: ID,
    pub package_id: Option<ID>,
    pub booking_id: Option<ID>,
    pub kind: SessionKind,
    pub status: SessionStatus,
    pub started_at: DateTime<Utc>,
    /// When prepaid time runs out.
    pub ends_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub stop_reason: Option<StopReason>,
    pub paid: Money,
    /// The final cost, once over.
    pub cost: Option<Money>,
    pub promotion_id: Option<ID>,
    /// The final breakdown, once over (`quoteSession` prices a running one).
    pub breakdown: Option<Quote>,
    #[graphql(skip)]
    raw_resource_id: i64,
    #[graphql(skip)]
    raw_client_id: Option<i64>,
}

#[ComplexObject]
impl PlaySession {
    /// The client playing; none for a walk-in guest.
    async fn client(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Client>> {
        match self.raw_client_id {
            Some(id) => Ok(load::<ClientById, _>(ctx, id).await?.map(Client)),
            None => Ok(None),
        }
    }

    /// The PC it is on (or ended on).
    async fn resource(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Resource>> {
        Ok(load::<ResourceById, _>(ctx, self.raw_resource_id)
            .await?
            .map(Resource))
    }
}

impl From<play_session::Model> for PlaySession {
    fn from(s: play_session::Model) -> Self {
        PlaySession {
            id: s.id.into(),
            location_id: s.location_id.into(),
            resource_id: s.resource_id.into(),
            client_id: s.client_id.map(Into::into),
            guest_name: s.guest_name,
            tariff_id: s.tariff_id.into(),
            package_id: s.package_id.map(Into::into),
            booking_id: s.booking_id.map(Into::into),
            kind: s.kind,
            status: s.status,
            started_at: s.started_at,
            ends_at: s.ends_at,
            ended_at: s.ended_at,
            stop_reason: s.stop_reason,
            paid: Money(s.paid),
            cost: s.cost.map(Money),
            promotion_id: s.promotion_id.map(Into::into),
            breakdown: s
                .breakdown
                .and_then(|b| serde_json::from_value::<pricing::Quote>(b).ok())
                .map(Quote::from),
            raw_resource_id: s.resource_id,
            raw_client_id: s.client_id,
        }
    }
}

page_type!(PlaySessionPage, PlaySession);

#[derive(InputObject, Default)]
pub struct PlaySessionFilter {
    pub location_id: Option<ID>,
    pub status: Option<SessionStatus>,
    pub client_id: Option<ID>,
    pub resource_id: Option<ID>,
    pub started_from: Option<DateTime<Utc>>,
    pub started_to: Option<DateTime<Utc>>,
}

#[derive(InputObject)]
pub struct StartSessionInput {
    pub resource_id: ID,
    /// None for a walk-in guest.
    pub client_id: Option<ID>,
    pub guest_name: Option<String>,
    /// Defaults to the zone's oldest active tariff.
    pub tariff_id: Option<ID>,
    /// Prepaid time; with neither this nor a package the session is open.
    pub prepaid_minutes: Option<i32>,
    pub package_id: Option<ID>,
    /// How prepaid time is paid.
    pub payment_method: Option<PaymentMethod>,
    pub idempotency_key: String,
}

#[derive(InputObject)]
pub struct ExtendSessionInput {
    pub session_id: ID,
    pub minutes: i32,
    pub payment_method: Option<PaymentMethod>,
    pub idempotency_key: String,
}

#[derive(InputObject)]
pub struct StopSessionInput {
    pub session_id: ID,
    /// How what is still due is paid.
    pub payment_method: Option<PaymentMethod>,
    pub idempotency_key: String,
}

/// One PC on the live map.
#[derive(SimpleObject)]
pub struct PcMapEntry {
    pub resource: Resource,
    pub session: Option<PlaySession>,
    /// What the running session costs so far.
    pub cost_so_far: Option<Money>,
    /// Prepaid minutes left.
    pub minutes_left: Option<i64>,
    pub client_name: Option<String>,
}

/// One zone of the live map.
#[derive(SimpleObject)]
pub struct PcMapZone {
    pub zone_id: Option<ID>,
    pub name: String,
    pub pcs: Vec<PcMapEntry>,
}

/// A location's PCs by zone, with what runs on them.
#[derive(SimpleObject)]
pub struct PcMap {
    pub location_id: ID,
    pub at: DateTime<Utc>,
    pub zones: Vec<PcMapZone>,
}

/// N PCs held for a client.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PcBooking {
    pub id: ID,
    pub location_id: ID,
    pub zone_id: ID,
    pub client_id: ID,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub pc_count: i32,
    pub status: BookingStatus,
    pub note: Option<String>,
    pub resource_ids: Vec<ID>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    raw_client_id: i64,
}

#[ComplexObject]
impl PcBooking {
    /// The client it is held for.
    async fn client(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Client>> {
        Ok(load::<ClientById, _>(ctx, self.raw_client_id)
            .await?
            .map(Client))
    }
}

impl PcBooking {
    pub fn new(b: pc_booking::Model, resource_ids: Vec<i64>) -> PcBooking {
        PcBooking {
            id: b.id.into(),
            location_id: b.location_id.into(),
            zone_id: b.zone_id.into(),
            client_id: b.client_id.into(),
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            pc_count: b.pc_count,
            status: b.status,
            note: b.note,
            resource_ids: resource_ids.into_iter().map(Into::into).collect(),
            created_at: b.created_at,
            closed_at: b.closed_at,
            raw_client_id: b.client_id,
        }
    }
}

page_type!(PcBookingPage, PcBooking);

#[derive(InputObject, Default)]
pub struct PcBookingFilter {
    pub location_id: Option<ID>,
    pub status: Option<BookingStatus>,
    pub client_id: Option<ID>,
    /// Bookings that end after this…
    pub from: Option<DateTime<Utc>>,
    /// … and start before this.
    pub to: Option<DateTime<Utc>>,
}

#[derive(InputObject)]
pub struct CreatePcBookingInput {
    pub zone_id: ID,
    pub client_id: ID,
    pub starts_at: DateTime<Utc>,
    pub minutes: i32,
    pub pc_count: i32,
    /// Specific PCs; otherwise neighbours are picked where possible.
    #[graphql(default)]
    pub resource_ids: Vec<ID>,
    pub note: Option<String>,
}

/// One message of the session stream.
#[derive(SimpleObject)]
pub struct SessionUpdate {
    pub kind: live::SessionEventKind,
    /// Every running session for `SNAPSHOT`; otherwise the one that changed, as it is now.
    pub sessions: Vec<PlaySession>,
    /// The id of the event this message reports (absent in a snapshot): the same event
    /// delivered twice carries the same id.
    pub event_id: Option<ID>,
}

/// A start to price: the fields of `StartSessionInput` that change the price.
#[derive(InputObject)]
pub struct QuoteStartInput {
    pub resource_id: ID,
    /// The client's personal discount competes with the promotions; none for a guest.
    pub client_id: Option<ID>,
    /// Defaults to the zone's oldest active tariff, as a start does.
    pub tariff_id: Option<ID>,
    /// Prepaid time; give this or a package (an open session is priced when it stops).
    pub prepaid_minutes: Option<i32>,
    pub package_id: Option<ID>,
}

/// What starting a session now would take, and the terms it would run under.
#[derive(SimpleObject)]
pub struct StartQuote {
    pub tariff_id: ID,
    pub tariff_name: String,
    pub package_id: Option<ID>,
    pub package_name: Option<String>,
    /// The moment priced: the server's now.
    pub starts_at: DateTime<Utc>,
    /// When the prepaid time or the package would run out.
    pub ends_at: DateTime<Utc>,
    pub quote: Quote,
}

impl From<super::quote::StartQuote> for StartQuote {
    fn from(q: super::quote::StartQuote) -> Self {
        StartQuote {
            tariff_id: q.tariff.tariff.id.into(),
            tariff_name: q.tariff.tariff.name,
            package_id: q.package.as_ref().map(|p| p.id.into()),
            package_name: q.package.map(|p| p.name),
            starts_at: q.started_at,
            ends_at: q.ends_at,
            quote: q.quote.into(),
        }
    }
}

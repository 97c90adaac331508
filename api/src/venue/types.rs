//! GraphQL objects and inputs of the venue.

use std::sync::OnceLock;

use async_graphql::{
    ComplexObject, Context, ID, InputObject, MaybeUndefined, Name, Object, ScalarType,
    SimpleObject, Value,
};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use entity::{
    enums::{ResourceKind, ResourceStatus},
    holiday, location, opening_hours, organisation, resource, zone,
};

use super::loaders::{
    HolidaysByLocation, LocationById, OpeningHoursByLocation, ResourcesByLocation, ResourcesByZone,
    ZoneById, ZonesByLocation,
};
use crate::{
    batch::{load, load_many},
    page_type,
    plain::{PlainList, PlainObject, enum_value},
};

/// The venue's own settings.
#[derive(SimpleObject, Debug, Clone)]
pub struct Organisation {
    pub name: String,
    /// ISO 4217 code of the currency every `Money` amount is in.
    pub currency: String,
    /// IANA timezone for new locations.
    pub default_timezone: String,
    pub updated_at: DateTime<Utc>,
}

impl From<organisation::Model> for Organisation {
    fn from(m: organisation::Model) -> Self {
        Organisation {
            name: m.name,
            currency: m.currency,
            default_timezone: m.default_timezone,
            updated_at: m.updated_at,
        }
    }
}

/// A place where the venue works: a club hall, a studio, an arena.
pub struct Location(pub location::Model);

#[Object]
impl Location {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn address(&self) -> &str {
        &self.0.address
    }
    /// The public booking page's address: `/book/<slug>`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// IANA timezone; "a day" at this location is its local day.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }
    async fn active(&self) -> bool {
        self.0.active
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Weekly opening hours, Monday first.
    async fn opening_hours(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<OpeningHours>> {
        let rows = load_many::<OpeningHoursByLocation, _>(ctx, self.0.id).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
    /// Closed days and days with special hours, by date.
    async fn holidays(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Holiday>> {
        let rows = load_many::<HolidaysByLocation, _>(ctx, self.0.id).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
    /// Zones, in display order.
    async fn zones(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Zone>> {
        let rows = load_many::<ZonesByLocation, _>(ctx, self.0.id).await?;
        Ok(rows.into_iter().map(Zone).collect())
    }
    /// Every resource of the location, in display order.
    async fn resources(&self, ctx: &Context<'_>) -> async_graphql::Result<PlainList<Resource>> {
        let rows = load_many::<ResourcesByLocation, _>(ctx, self.0.id).await?;
        Ok(rows.into_iter().map(Resource).collect())
    }
}

/// One opening interval of a weekday, in the location's local time. When `closesAt` is not
/// after `opensAt` the interval runs past midnight (equal times mean round the clock).
#[derive(SimpleObject, Debug, Clone)]
pub struct OpeningHours {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: i32,
    pub opens_at: NaiveTime,
    pub closes_at: NaiveTime,
}

impl From<opening_hours::Model> for OpeningHours {
    fn from(m: opening_hours::Model) -> Self {
        OpeningHours {
            weekday: i32::from(m.weekday),
            opens_at: m.opens_at,
            closes_at: m.closes_at,
        }
    }
}

/// A date when the location is closed, or open on special hours.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct Holiday {
    pub id: ID,
    pub date: NaiveDate,
    pub name: String,
    pub opens_at: Option<NaiveTime>,
    pub closes_at: Option<NaiveTime>,
}

#[ComplexObject]
impl Holiday {
    /// Closed all day (no special hours).
    async fn closed(&self) -> bool {
        self.opens_at.is_none()
    }
}

impl From<holiday::Model> for Holiday {
    fn from(m: holiday::Model) -> Self {
        Holiday {
            id: m.id.into(),
            date: m.date,
            name: m.name,
            opens_at: m.opens_at,
            closes_at: m.closes_at,
        }
    }
}

/// A part of a location: Standard, PRO, VIP, PS5; arena, park, forest.
pub struct Zone(pub zone::Model);

#[Object]
impl Zone {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn location_id(&self) -> ID {
        self.0.location_id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// `#rrggbb`.
    async fn color(&self) -> Option<&str> {
        self.0.color.as_deref()
    }
    async fn sort_order(&self) -> i32 {
        self.0.sort_order
    }
    async fn location(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Location>> {
        Ok(load::<LocationById, _>(ctx, self.0.location_id)
            .await?
            .map(Location))
    }
    /// The zone's resources, in display order.
    async fn resources(&self, ctx: &Context<'_>) -> async_graphql::Result<PlainList<Resource>> {
        let rows = load_many::<ResourcesByZone, _>(ctx, self.0.id).await?;
        Ok(rows.into_iter().map(Resource).collect())
    }
}

/// Something used or booked: a PC, a console, a room, an arena, a rest room.
pub struct Resource(pub resource::Model);

#[Object]
impl Resource {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn location_id(&self) -> ID {
        self.0.location_id.into()
    }
    async fn zone_id(&self) -> Option<ID> {
        self.0.zone_id.map(Into::into)
    }
    async fn kind(&self) -> ResourceKind {
        self.0.kind
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The live state: free, busy, booked or out of order.
    async fn status(&self) -> ResourceStatus {
        self.0.status
    }
    /// How many people it takes at once.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    async fn sort_order(&self) -> i32 {
        self.0.sort_order
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn zone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Zone>> {
        match self.0.zone_id {
            Some(id) => Ok(load::<ZoneById, _>(ctx, id).await?.map(Zone)),
            None => Ok(None),
        }
    }
    async fn location(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Location>> {
        Ok(load::<LocationById, _>(ctx, self.0.location_id)
            .await?
            .map(Location))
    }
}

/// Every field of [`Resource`] but its relations (`zone`, `location`): the live map and the
/// venue tree ask for hundreds of these at a time.
impl PlainObject for Resource {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "locationId",
        "zoneId",
        "kind",
        "name",
        "status",
        "capacity",
        "notes",
        "sortOrder",
        "createdAt",
        "updatedAt",
    ];

    fn plain(&self, index: usize) -> Value {
        static KINDS: OnceLock<Vec<Name>> = OnceLock::new();
        static STATUSES: OnceLock<Vec<Name>> = OnceLock::new();
        let r = &self.0;
        let text = |s: &str| Value::String(s.to_owned());
        let id = |id: i64| Value::String(id.to_string());
        match index {
            0 => id(r.id),
            1 => id(r.location_id),
            2 => r.zone_id.map_or(Value::Null, id),
            3 => enum_value(r.kind, &KINDS),
            4 => text(&r.name),
            5 => enum_value(r.status, &STATUSES),
            6 => Value::from(r.capacity),
            7 => r.notes.as_deref().map_or(Value::Null, text),
            8 => Value::from(r.sort_order),
            9 => r.created_at.to_value(),
            10 => r.updated_at.to_value(),
            _ => Value::Null,
        }
    }
}

/// One message of `resourceStatusChanged`.
#[derive(SimpleObject)]
pub struct ResourceStatusUpdate {
    /// True for the first message and after a resync: `resources` is then the whole location.
    pub snapshot: bool,
    /// Resources whose state changed (or all of them, in a snapshot).
    pub resources: PlainList<Resource>,
    /// Resources that were deleted.
    pub removed_ids: Vec<ID>,
    /// The id of the event this message reports (absent in a snapshot): the same event
    /// delivered twice carries the same id.
    pub event_id: Option<ID>,
}

/// Changes to the organisation; absent fields stay as they are.
#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateOrganisationInput {
    pub name: Option<String>,
    /// ISO 4217 code, e.g. KZT.
    pub currency: Option<String>,
    pub default_timezone: Option<String>,
}

#[derive(InputObject, Debug, Clone)]
pub struct CreateLocationInput {
    pub name: String,
    pub address: String,
    /// IANA timezone; the organisation's default when absent.
    pub timezone: Option<String>,
}

/// Changes to a location; absent fields stay as they are.
#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateLocationInput {
    pub name: Option<String>,
    pub address: Option<String>,
    pub timezone: Option<String>,
    pub active: Option<bool>,
    /// A new address for the public page; the old one stops working.
    pub slug: Option<String>,
}

#[derive(InputObject, Debug, Clone)]
pub struct OpeningHoursInput {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: i32,
    pub opens_at: NaiveTime,
    /// Not after `opensAt` means past midnight; equal means round the clock.
    pub closes_at: NaiveTime,
}

#[derive(InputObject, Debug, Clone)]
pub struct HolidayInput {
    pub date: NaiveDate,
    pub name: String,
    /// Special hours; leave both empty for a closed day.
    pub opens_at: Option<NaiveTime>,
    pub closes_at: Option<NaiveTime>,
}

#[derive(InputObject, Debug, Clone)]
pub struct CreateZoneInput {
    pub location_id: ID,
    pub name: String,
    pub description: Option<String>,
    /// `#rrggbb`.
    pub color: Option<String>,
    pub sort_order: Option<i32>,
}

/// Changes to a zone; absent fields stay as they are, `null` clears.
#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateZoneInput {
    pub name: Option<String>,
    pub description: MaybeUndefined<String>,
    pub color: MaybeUndefined<String>,
    pub sort_order: Option<i32>,
}

#[derive(InputObject, Debug, Clone)]
pub struct CreateResourceInput {
    pub location_id: ID,
    /// A zone of the same location.
    pub zone_id: Option<ID>,
    pub kind: ResourceKind,
    pub name: String,
    /// Default 1.
    pub capacity: Option<i32>,
    pub notes: Option<String>,
    pub sort_order: Option<i32>,
}

/// Changes to a resource; absent fields stay as they are, `null` clears.
#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateResourceInput {
    pub zone_id: MaybeUndefined<ID>,
    pub kind: Option<ResourceKind>,
    pub name: Option<String>,
    pub capacity: Option<i32>,
    pub notes: MaybeUndefined<String>,
    pub sort_order: Option<i32>,
}

/// Narrows a resource list; every given condition must hold.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ResourceFilter {
    pub location_id: Option<ID>,
    pub zone_id: Option<ID>,
    pub kind: Option<ResourceKind>,
    pub status: Option<ResourceStatus>,
}

page_type!(LocationPage, Location);
page_type!(ResourcePage, Resource);

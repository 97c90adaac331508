//! The venue: organisation settings, locations with hours and holidays, zones, resources and
//! their live status.

pub mod loaders;
pub mod locations;
pub mod organisation;
pub mod resources;
pub mod types;
pub mod zones;

use async_graphql::{Context, ID, Object, Subscription};
use entity::enums::ResourceStatus;
use futures_util::{FutureExt, Stream, StreamExt};

use crate::{
    auth::policy::policy,
    context::ContextExt,
    domain::parse_id,
    error::IntoGql,
    events::{Delivery, Topic},
    pagination::{Page, PageInput},
    plain::PlainList,
};
use resources::ResourceEvent;
use types::{
    CreateLocationInput, CreateResourceInput, CreateZoneInput, Holiday, HolidayInput, Location,
    LocationPage, OpeningHours, OpeningHoursInput, Organisation, Resource, ResourceFilter,
    ResourcePage, ResourceStatusUpdate, UpdateLocationInput, UpdateOrganisationInput,
    UpdateResourceInput, UpdateZoneInput, Zone,
};

#[derive(Default)]
pub struct VenueQuery;

#[Object]
impl VenueQuery {
    /// The venue's name, currency and default timezone.
    #[graphql(guard = "policy(\"Query.organisation\")")]
    async fn organisation(&self, ctx: &Context<'_>) -> async_graphql::Result<Organisation> {
        let state = ctx.state()?;
        organisation::get(&state.db).await.map(Into::into).gql()
    }

    /// Locations by name; inactive ones only on request.
    #[graphql(guard = "policy(\"Query.locations\")")]
    async fn locations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Include deactivated ones (default false).")] include_inactive: Option<
            bool,
        >,
        page: Option<PageInput>,
    ) -> async_graphql::Result<LocationPage> {
        let state = ctx.state()?;
        let page = Page::asked(ctx, page).gql()?;
        let (rows, page_info) = locations::list(state, include_inactive.unwrap_or(false), page)
            .await
            .gql()?;
        let ids: Vec<i64> = rows.iter().map(|l| l.id).collect();
        loaders::read_ahead(ctx, &ids).await?;
        Ok(LocationPage {
            items: rows.into_iter().map(Location).collect(),
            page_info,
        })
    }

    /// One location.
    #[graphql(guard = "policy(\"Query.location\")")]
    async fn location(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Location> {
        let state = ctx.state()?;
        locations::get(state, parse_id("id", &id).gql()?)
            .await
            .map(Location)
            .gql()
    }

    /// The zones of a location, in display order.
    #[graphql(guard = "policy(\"Query.zones\")")]
    async fn zones(&self, ctx: &Context<'_>, location_id: ID) -> async_graphql::Result<Vec<Zone>> {
        let state = ctx.state()?;
        let rows = zones::list(state, parse_id("locationId", &location_id).gql()?)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Zone).collect())
    }

    /// Resources, filtered, by location and display order.
    #[graphql(guard = "policy(\"Query.resources\")")]
    async fn resources(
        &self,
        ctx: &Context<'_>,
        filter: Option<ResourceFilter>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<ResourcePage> {
        let state = ctx.state()?;
        let page = Page::asked(ctx, page).gql()?;
        let (rows, page_info) = resources::list(state, filter.unwrap_or_default(), page)
            .await
            .gql()?;
        Ok(ResourcePage {
            items: rows.into_iter().map(Resource).collect(),
            page_info,
        })
    }

    /// One resource.
    #[graphql(guard = "policy(\"Query.resource\")")]
    async fn resource(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Resource> {
        let state = ctx.state()?;
        resources::get(state, parse_id("id", &id).gql()?)
            .await
            .map(Resource)
            .gql()
    }
}

#[derive(Default)]
pub struct VenueMutation;

#[Object]
impl VenueMutation {
    /// Renames the venue or changes its currency or default timezone.
    #[graphql(guard = "policy(\"Mutation.updateOrganisation\")")]
    async fn update_organisation(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganisationInput,
    ) -> async_graphql::Result<Organisation> {
        let state = ctx.state()?;
        organisation::update(state, &ctx.caller(), input)
            .await
            .map(Into::into)
            .gql()
    }

    /// Opens a new location.
    #[graphql(guard = "policy(\"Mutation.createLocation\")")]
    async fn create_location(
        &self,
        ctx: &Context<'_>,
        input: CreateLocationInput,
    ) -> async_graphql::Result<Location> {
        let state = ctx.state()?;
        locations::create(state, &ctx.caller(), input)
            .await
            .map(Location)
            .gql()
    }

    /// Changes a location; `active: false` hides it without losing its history.
    #[graphql(guard = "policy(\"Mutation.updateLocation\")")]
    async fn update_location(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateLocationInput,
    ) -> async_graphql::Result<Location> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        locations::update(state, &ctx.caller(), id, input)
            .await
            .map(Location)
            .gql()
    }

    /// Replaces the weekly opening hours of a location.
    #[graphql(guard = "policy(\"Mutation.setOpeningHours\")")]
    async fn set_opening_hours(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        hours: Vec<OpeningHoursInput>,
    ) -> async_graphql::Result<Vec<OpeningHours>> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let rows = locations::set_opening_hours(state, &ctx.caller(), location_id, hours)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Marks a date closed, or open on special hours (replacing what that date had).
    #[graphql(guard = "policy(\"Mutation.setHoliday\")")]
    async fn set_holiday(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        input: HolidayInput,
    ) -> async_graphql::Result<Holiday> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        locations::set_holiday(state, &ctx.caller(), location_id, input)
            .await
            .map(Into::into)
            .gql()
    }

    /// Removes a holiday: the date follows the weekly hours again.
    #[graphql(guard = "policy(\"Mutation.deleteHoliday\")")]
    async fn delete_holiday(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        locations::delete_holiday(state, &ctx.caller(), id)
            .await
            .gql()?;
        Ok(true)
    }

    /// Adds a zone to a location.
    #[graphql(guard = "policy(\"Mutation.createZone\")")]
    async fn create_zone(
        &self,
        ctx: &Context<'_>,
        input: CreateZoneInput,
    ) -> async_graphql::Result<Zone> {
        let state = ctx.state()?;
        zones::create(state, &ctx.caller(), input)
            .await
            .map(Zone)
            .gql()
    }

    /// Changes a zone.
    #[graphql(guard = "policy(\"Mutation.updateZone\")")]
    async fn update_zone(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateZoneInput,
    ) -> async_graphql::Result<Zone> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        zones::update(state, &ctx.caller(), id, input)
            .await
            .map(Zone)
            .gql()
    }

    /// Deletes an empty zone.
    #[graphql(guard = "policy(\"Mutation.deleteZone\")")]
    async fn delete_zone(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        zones::delete(state, &ctx.caller(), id).await.gql()?;
        Ok(true)
    }

    /// Adds a resource (a PC, a console, a room, an arena…); it starts free.
    #[graphql(guard = "policy(\"Mutation.createResource\")")]
    async fn create_resource(
        &self,
        ctx: &Context<'_>,
        input: CreateResourceInput,
    ) -> async_graphql::Result<Resource> {
        let state = ctx.state()?;
        resources::create(state, &ctx.caller(), input)
            .await
            .map(Resource)
            .gql()
    }

    /// Changes a resource's zone, kind, name, capacity or notes.
    #[graphql(guard = "policy(\"Mutation.updateResource\")")]
    async fn update_resource(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateResourceInput,
    ) -> async_graphql::Result<Resource> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        resources::update(state, &ctx.caller(), id, input)
            .await
            .map(Resource)
            .gql()
    }

    /// Deletes a resource that is not in use.
    #[graphql(guard = "policy(\"Mutation.deleteResource\")")]
    async fn delete_resource(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        resources::delete(state, &ctx.caller(), id).await.gql()?;
        Ok(true)
    }

    /// Sets a resource's live status by hand (out of order, back in service).
    #[graphql(guard = "policy(\"Mutation.setResourceStatus\")")]
    async fn set_resource_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: ResourceStatus,
        note: Option<String>,
    ) -> async_graphql::Result<Resource> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        resources::set_status(state, &ctx.caller(), id, status, note)
            .await
            .map(Resource)
            .gql()
    }
}

#[derive(Default)]
pub struct VenueSubscription;

#[Subscription]
impl VenueSubscription {
    /// The live map of a location: first every resource (`snapshot: true`), then each change.
    /// A snapshot is sent again whenever events may have been missed.
    #[graphql(guard = "policy(\"Subscription.resourceStatusChanged\")")]
    async fn resource_status_changed(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = ResourceStatusUpdate> + use<>> {
        let state = ctx.state()?.clone();
        let location_id = parse_id("locationId", &location_id).gql()?;
        locations::get(&state, location_id).await.gql()?;
        // Listen before reading the snapshot, so no change falls between the two.
        let events = state
            .bus
            .subscribe::<ResourceEvent>(&Topic::ResourceStatus { location_id });
        let first = resources::snapshot(&state, location_id).await.gql()?;
        let snapshot = |rows: Vec<entity::resource::Model>| ResourceStatusUpdate {
            snapshot: true,
            resources: rows.into_iter().map(Resource).collect(),
            removed_ids: Vec::new(),
            event_id: None,
        };
        // The resync's read is boxed: unboxed, the largest future of this stream sat inline in
        // every idle subscription, thousands of them on a live map.
        let changes = events.filter_map(move |delivery| {
            let state = state.clone();
            async move {
                match delivery {
                    Delivery::Event {
                        id: event_id,
                        event: ResourceEvent::Changed(row),
                    } => Some(ResourceStatusUpdate {
                        snapshot: false,
                        resources: PlainList(vec![Resource(row)]),
                        removed_ids: Vec::new(),
                        event_id: Some(event_id.into()),
                    }),
                    Delivery::Event {
                        id: event_id,
                        event: ResourceEvent::Removed { id, .. },
                    } => Some(ResourceStatusUpdate {
                        snapshot: false,
                        resources: PlainList(Vec::new()),
                        removed_ids: vec![id.into()],
                        event_id: Some(event_id.into()),
                    }),
                    Delivery::Resync => match resources::snapshot(&state, location_id).await {
                        Ok(rows) => Some(snapshot(rows)),
                        Err(err) => {
                            tracing::warn!(%err, location_id, "resync snapshot failed");
                            None
                        }
                    },
                }
            }
            .boxed()
        });
        Ok(futures_util::stream::once(async move { snapshot(first) }).chain(changes))
    }
}

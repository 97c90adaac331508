//! The computer club: tariffs and promotions, play sessions, the live PC map, PC bookings,
//! the clock work behind them, and the club's reports.

pub mod bookings;
pub mod catalog;
pub mod live;
pub mod map;
pub mod pricing;
pub mod quote;
pub mod reports;
pub mod sessions;
pub mod ticker;
pub mod types;

use async_graphql::{Context, ID, Object, Subscription};
use chrono::NaiveDate;
use entity::play_session;
use futures_util::{FutureExt, Stream, StreamExt};

use crate::{
    auth::policy::policy,
    context::ContextExt,
    domain::parse_id,
    error::{AppResult, IntoGql},
    events::{Delivery, Topic},
    pagination::{Page, PageInput},
    venue::locations,
};
use types::{
    CreatePcBookingInput, ExtendSessionInput, PcBooking, PcBookingFilter, PcBookingPage, PcMap,
    PlaySession, PlaySessionFilter, PlaySessionPage, Promotion, PromotionInput, Quote,
    QuoteStartInput, SessionUpdate, StartQuote, StartSessionInput, StopSessionInput, Tariff,
    TariffInput, TariffPackage, TariffPackageInput,
};

fn optional_id(field: &str, id: Option<&ID>) -> AppResult<Option<i64>> {
    id.map(|id| parse_id(field, id)).transpose()
}

fn promotion_spec(input: PromotionInput) -> AppResult<catalog::PromotionSpec> {
    let zone_ids = input
        .zone_ids
        .iter()
        .map(|z| parse_id("input.zoneIds", z))
        .collect::<AppResult<Vec<i64>>>()?;
    Ok(catalog::PromotionSpec {
        name: input.name,
        kind: input.kind,
        pay_minutes: input.pay_minutes,
        free_minutes: input.free_minutes,
        percent: input.percent,
        price_per_hour: input.price_per_hour.map(|m| m.minor()),
        weekdays: input.weekdays,
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        valid_from: input.valid_from,
        valid_to: input.valid_to,
        zone_ids,
        active: input.active,
    })
}

#[derive(Default)]
pub struct ClubQuery;

#[Object]
impl ClubQuery {
    /// Tariffs of a location (or of one zone), with windows and packages.
    #[graphql(guard = "policy(\"Query.tariffs\")")]
    async fn tariffs(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        zone_id: Option<ID>,
    ) -> async_graphql::Result<Vec<Tariff>> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let zone_id = optional_id("zoneId", zone_id.as_ref()).gql()?;
        let rows = catalog::tariffs(&state.db, location_id, zone_id)
            .await
            .gql()?;
        Ok(rows.into_iter().map(|(r, p)| Tariff::new(r, p)).collect())
    }

    /// Promotions of a location.
    #[graphql(guard = "policy(\"Query.promotions\")")]
    async fn promotions(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
    ) -> async_graphql::Result<Vec<Promotion>> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let rows = catalog::promotions(&state.db, location_id).await.gql()?;
        Ok(rows.into_iter().map(Promotion::from).collect())
    }

    /// The live map: zones, PCs, status, and the session on each with its cost so far.
    #[graphql(guard = "policy(\"Query.pcMap\")")]
    async fn pc_map(&self, ctx: &Context<'_>, location_id: ID) -> async_graphql::Result<PcMap> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        map::build(state, location_id).await.gql()
    }

    /// Play sessions, newest first.
    #[graphql(guard = "policy(\"Query.playSessions\")")]
    async fn play_sessions(
        &self,
        ctx: &Context<'_>,
        filter: Option<PlaySessionFilter>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<PlaySessionPage> {
        let state = ctx.state()?;
        let filter = filter.unwrap_or_default();
        let (rows, page_info) = sessions::list(state, filter, Page::asked(ctx, page).gql()?)
            .await
            .gql()?;
        Ok(PlaySessionPage {
            items: rows.into_iter().map(PlaySession::from).collect(),
            page_info,
        })
    }

    #[graphql(guard = "policy(\"Query.playSession\")")]
    async fn play_session(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PlaySession> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        Ok(sessions::get(&state.db, id).await.gql()?.into())
    }

    /// What a session costs: so far while it runs, the final bill once over.
    #[graphql(guard = "policy(\"Query.quoteSession\")")]
    async fn quote_session(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Quote> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let session = sessions::get(&state.db, id).await.gql()?;
        Ok(sessions::current_quote(state, &session).await.gql()?.into())
    }

    /// What starting a session would take now: the tariff windows it would cross, the
    /// package, the promotion or personal discount that wins, and the total `startSession`
    /// charges for the same input at this moment.
    #[graphql(guard = "policy(\"Query.quoteStart\")")]
    async fn quote_start(
        &self,
        ctx: &Context<'_>,
        input: QuoteStartInput,
    ) -> async_graphql::Result<StartQuote> {
        let state = ctx.state()?;
        let spec = quote::QuoteSpec {
            resource_id: parse_id("input.resourceId", &input.resource_id).gql()?,
            client_id: optional_id("input.clientId", input.client_id.as_ref()).gql()?,
            tariff_id: optional_id("input.tariffId", input.tariff_id.as_ref()).gql()?,
            prepaid_minutes: input.prepaid_minutes,
            package_id: optional_id("input.packageId", input.package_id.as_ref()).gql()?,
        };
        Ok(quote::start(state, spec).await.gql()?.into())
    }

    /// PC bookings, by start.
    #[graphql(guard = "policy(\"Query.pcBookings\")")]
    async fn pc_bookings(
        &self,
        ctx: &Context<'_>,
        filter: Option<PcBookingFilter>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<PcBookingPage> {
        let state = ctx.state()?;
        let filter = filter.unwrap_or_default();
        let (rows, page_info) = bookings::list(state, filter, Page::asked(ctx, page).gql()?)
            .await
            .gql()?;
        Ok(PcBookingPage {
            items: rows
                .into_iter()
                .map(|(b, pcs)| PcBooking::new(b, pcs))
                .collect(),
            page_info,
        })
    }

    /// The club's figures by the location's local days: income by method, sessions, hours,
    /// active clients, shift performance and PC utilisation.
    #[graphql(guard = "policy(\"Query.clubReport\")")]
    async fn club_report(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        from: NaiveDate,
        to: NaiveDate,
    ) -> async_graphql::Result<reports::ClubReport> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        reports::build(state, location_id, from, to).await.gql()
    }

    /// The same report as an .xlsx workbook, one sheet a section.
    #[graphql(guard = "policy(\"Query.clubReportXlsx\")")]
    async fn club_report_xlsx(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        from: NaiveDate,
        to: NaiveDate,
    ) -> async_graphql::Result<reports::ReportFile> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let report = reports::build(state, location_id, from, to).await.gql()?;
        reports::xlsx(&report).gql()
    }
}

#[derive(Default)]
pub struct ClubMutation;

#[Object]
impl ClubMutation {
    /// A tariff for a zone.
    #[graphql(guard = "policy(\"Mutation.createTariff\")")]
    async fn create_tariff(
        &self,
        ctx: &Context<'_>,
        zone_id: ID,
        input: TariffInput,
    ) -> async_graphql::Result<Tariff> {
        let state = ctx.state()?;
        let zone_id = parse_id("zoneId", &zone_id).gql()?;
        let row = catalog::create_tariff(state, &ctx.caller(), zone_id, input.into())
            .await
            .gql()?;
        let (rules, packages) = catalog::tariff(&state.db, row.location_id, row.id)
            .await
            .gql()?;
        Ok(Tariff::new(rules, packages))
    }

    /// Replaces a tariff's terms and windows.
    #[graphql(guard = "policy(\"Mutation.updateTariff\")")]
    async fn update_tariff(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: TariffInput,
    ) -> async_graphql::Result<Tariff> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let row = catalog::update_tariff(state, &ctx.caller(), id, input.into())
            .await
            .gql()?;
        let (rules, packages) = catalog::tariff(&state.db, row.location_id, row.id)
            .await
            .gql()?;
        Ok(Tariff::new(rules, packages))
    }

    /// A package sold under a tariff.
    #[graphql(guard = "policy(\"Mutation.addTariffPackage\")")]
    async fn add_tariff_package(
        &self,
        ctx: &Context<'_>,
        input: TariffPackageInput,
    ) -> async_graphql::Result<TariffPackage> {
        let state = ctx.state()?;
        let tariff_id = parse_id("input.tariffId", &input.tariff_id).gql()?;
        let window = match (input.window_start, input.window_end) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        let row = catalog::add_package(
            state,
            &ctx.caller(),
            tariff_id,
            &input.name,
            input.price.minor(),
            input.minutes,
            window,
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    /// Takes a package off sale, or back on.
    #[graphql(guard = "policy(\"Mutation.setTariffPackageActive\")")]
    async fn set_tariff_package_active(
        &self,
        ctx: &Context<'_>,
        id: ID,
        active: bool,
    ) -> async_graphql::Result<TariffPackage> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let row = catalog::set_package_active(state, &ctx.caller(), id, active)
            .await
            .gql()?;
        Ok(row.into())
    }

    #[graphql(guard = "policy(\"Mutation.createPromotion\")")]
    async fn create_promotion(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        input: PromotionInput,
    ) -> async_graphql::Result<Promotion> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let spec = promotion_spec(input).gql()?;
        let row = catalog::save_promotion(state, &ctx.caller(), None, location_id, spec)
            .await
            .gql()?;
        Ok(row.into())
    }

    /// Replaces a promotion's terms.
    #[graphql(guard = "policy(\"Mutation.updatePromotion\")")]
    async fn update_promotion(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: PromotionInput,
    ) -> async_graphql::Result<Promotion> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let spec = promotion_spec(input).gql()?;
        let row = catalog::save_promotion(state, &ctx.caller(), Some(id), 0, spec)
            .await
            .gql()?;
        Ok(row.into())
    }

    /// Starts a session: prepaid (minutes or a package, paid now) or open (paid at the stop).
    #[graphql(guard = "policy(\"Mutation.startSession\")")]
    async fn start_session(
        &self,
        ctx: &Context<'_>,
        input: StartSessionInput,
    ) -> async_graphql::Result<PlaySession> {
        let state = ctx.state()?;
        let spec = sessions::StartSpec {
            resource_id: parse_id("input.resourceId", &input.resource_id).gql()?,
            client_id: optional_id("input.clientId", input.client_id.as_ref()).gql()?,
            guest_name: input.guest_name,
            tariff_id: optional_id("input.tariffId", input.tariff_id.as_ref()).gql()?,
            prepaid_minutes: input.prepaid_minutes,
            package_id: optional_id("input.packageId", input.package_id.as_ref()).gql()?,
            method: input.payment_method,
        };
        let row = sessions::start(state, &ctx.caller(), spec, &input.idempotency_key)
            .await
            .gql()?;
        Ok(row.into())
    }

    /// Adds prepaid time and takes its price.
    #[graphql(guard = "policy(\"Mutation.extendSession\")")]
    async fn extend_session(
        &self,
        ctx: &Context<'_>,
        input: ExtendSessionInput,
    ) -> async_graphql::Result<PlaySession> {
        let state = ctx.state()?;
        let id = parse_id("input.sessionId", &input.session_id).gql()?;
        let row = sessions::extend(
            state,
            &ctx.caller(),
            id,
            input.minutes,
            input.payment_method,
            &input.idempotency_key,
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    /// Moves a running session to another PC.
    #[graphql(guard = "policy(\"Mutation.moveSession\")")]
    async fn move_session(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        resource_id: ID,
    ) -> async_graphql::Result<PlaySession> {
        let state = ctx.state()?;
        let session_id = parse_id("sessionId", &session_id).gql()?;
        let resource_id = parse_id("resourceId", &resource_id).gql()?;
        let row = sessions::move_to(state, &ctx.caller(), session_id, resource_id)
            .await
            .gql()?;
        Ok(row.into())
    }

    /// Stops a session and takes what is still due.
    #[graphql(guard = "policy(\"Mutation.stopSession\")")]
    async fn stop_session(
        &self,
        ctx: &Context<'_>,
        input: StopSessionInput,
    ) -> async_graphql::Result<PlaySession> {
        let state = ctx.state()?;
        let id = parse_id("input.sessionId", &input.session_id).gql()?;
        let row = sessions::stop(
            state,
            &ctx.caller(),
            id,
            input.payment_method,
            &input.idempotency_key,
        )
        .await
        .gql()?;
        Ok(row.into())
    }

    /// Books N PCs of a zone for a client.
    #[graphql(guard = "policy(\"Mutation.createPcBooking\")")]
    async fn create_pc_booking(
        &self,
        ctx: &Context<'_>,
        input: CreatePcBookingInput,
    ) -> async_graphql::Result<PcBooking> {
        let state = ctx.state()?;
        let spec = bookings::BookingSpec {
            zone_id: parse_id("input.zoneId", &input.zone_id).gql()?,
            client_id: parse_id("input.clientId", &input.client_id).gql()?,
            starts_at: input.starts_at,
            minutes: input.minutes,
            pc_count: input.pc_count,
            resource_ids: input
                .resource_ids
                .iter()
                .map(|id| parse_id("input.resourceIds", id))
                .collect::<AppResult<Vec<i64>>>()
                .gql()?,
            note: input.note,
        };
        let row = bookings::create(state, &ctx.caller(), spec).await.gql()?;
        let pcs = bookings::pcs_of(&state.db, row.id).await.gql()?;
        Ok(PcBooking::new(row, pcs))
    }

    #[graphql(guard = "policy(\"Mutation.cancelPcBooking\")")]
    async fn cancel_pc_booking(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<PcBooking> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let row = bookings::cancel(state, &ctx.caller(), id, reason)
            .await
            .gql()?;
        let pcs = bookings::pcs_of(&state.db, row.id).await.gql()?;
        Ok(PcBooking::new(row, pcs))
    }

    /// The client has come: open sessions start on the booked PCs.
    #[graphql(guard = "policy(\"Mutation.usePcBooking\")")]
    async fn use_pc_booking(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Vec<PlaySession>> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let rows = bookings::use_booking(state, &ctx.caller(), id)
            .await
            .gql()?;
        Ok(rows.into_iter().map(PlaySession::from).collect())
    }
}

#[derive(Default)]
pub struct ClubSubscription;

#[Subscription]
impl ClubSubscription {
    /// The running sessions of a location: first all of them (`SNAPSHOT`), then each start,
    /// extension, move, coming end and end. A snapshot is sent again whenever events may have
    /// been missed.
    #[graphql(guard = "policy(\"Subscription.sessionEvents\")")]
    async fn session_events(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = SessionUpdate> + use<>> {
        let state = ctx.state()?.clone();
        let location_id = parse_id("locationId", &location_id).gql()?;
        locations::get(&state, location_id).await.gql()?;
        // Listen before reading the snapshot, so no change falls between the two.
        let events = state
            .bus
            .subscribe::<live::SessionEvent>(&Topic::Sessions { location_id });
        let first = live::running_sessions(&state, location_id).await.gql()?;
        let snapshot = |rows: Vec<play_session::Model>| SessionUpdate {
            kind: live::SessionEventKind::Snapshot,
            sessions: rows.into_iter().map(PlaySession::from).collect(),
            event_id: None,
        };
        // The resync's read is boxed: unboxed, the largest future of this stream sat inline in
        // every idle subscription, thousands of them on a live map.
        let changes = events.filter_map(move |delivery| {
            let state = state.clone();
            async move {
                match delivery {
                    Delivery::Event { id, event } => Some(SessionUpdate {
                        kind: event.kind,
                        sessions: vec![PlaySession::from(event.session)],
                        event_id: Some(id.into()),
                    }),
                    Delivery::Resync => match live::running_sessions(&state, location_id).await {
                        Ok(rows) => Some(snapshot(rows)),
                        Err(err) => {
                            tracing::warn!(%err, location_id, "session snapshot failed");
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

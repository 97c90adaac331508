//! The clients' own door: the public page's location by its slug, party requests, the
//! client's sign-in (Telegram Mini App, one-time code) and their cabinet's own record. What
//! a signed-in client may read of their own (wallet, packages, memberships, journal,
//! programs, appointments) is served by each vertical under the one ownership rule
//! ([`crate::auth::actor::Actor::reach`]); this module adds what was missing around it.

pub mod codes;
pub mod sign_in;
pub mod webapp;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    enums::{GameType, PartyStatus, ResourceKind, ResourceStatus},
    resource, service,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    auth::{actor::Reach, policy::policy, types::AuthPayload},
    booking::{
        party, public,
        types::{BookingRules, Service},
    },
    clients::types::Client,
    context::ContextExt,
    domain::parse_id,
    error::{AppError, AppResult, IntoGql},
    state::AppState,
    venue::{locations, organisation},
};
use codes::CodeChannel;

/// A location as its public booking page shows it.
#[derive(SimpleObject, Debug, Clone)]
#[graphql(complex)]
pub struct PublicLocation {
    #[graphql(skip)]
    pub location_id: i64,
    pub id: ID,
    pub name: String,
    pub slug: String,
    pub address: String,
    /// IANA time zone: the page shows times in it.
    pub timezone: String,
    pub organisation_name: String,
    /// Whether it has services to book (a clinic, a studio, a trainer).
    pub offers_appointments: bool,
    /// Play areas a party may be asked for (a laser-tag arena); empty elsewhere.
    pub party_areas: Vec<PartyArea>,
}

#[async_graphql::ComplexObject]
impl PublicLocation {
    /// Its services on sale, by category and name: the page's first screen comes in one
    /// request.
    async fn services(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Service>> {
        let state = ctx.state()?;
        let rows = crate::booking::catalog::services(state, self.location_id, false)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Service::from).collect())
    }

    /// Its booking rules: the cut-off for cancelling and moving, the shortest notice.
    async fn booking_rules(&self, ctx: &Context<'_>) -> async_graphql::Result<BookingRules> {
        let state = ctx.state()?;
        let rules = crate::booking::schedules::rules(&state.db, self.location_id)
            .await
            .gql()?;
        Ok(rules.into())
    }
}

/// A play area of a laser-tag venue, as the party request shows it.
#[derive(SimpleObject, Debug, Clone)]
pub struct PartyArea {
    pub id: ID,
    pub name: String,
    /// The most players it takes.
    pub capacity: i32,
}

/// A party asked for from the public page.
#[derive(SimpleObject, Debug, Clone)]
pub struct PartyRequest {
    /// The order number to name when calling the venue.
    pub id: ID,
    /// REQUESTED until a manager confirms it.
    pub status: PartyStatus,
    pub area_name: String,
    pub starts_at: DateTime<Utc>,
    pub game_minutes: i32,
    pub players: i32,
    pub game_type: GameType,
}

/// A party the public page asks for: the time is held at once, a manager confirms it.
#[derive(async_graphql::InputObject, Debug, Clone)]
pub struct PartyRequestInput {
    pub location_id: ID,
    pub area_id: ID,
    /// One of `partyStartTimes`.
    pub starts_at: DateTime<Utc>,
    pub game_minutes: i32,
    pub players: i32,
    pub game_type: GameType,
    pub name: String,
    pub phone: String,
    pub notes: Option<String>,
    /// The visitor agrees to be contacted about the request; required.
    pub consent_to_contact: bool,
}

/// Where a one-time sign-in code was sent.
#[derive(SimpleObject, Debug, Clone)]
pub struct SignInCodeSent {
    pub channels: Vec<CodeChannel>,
    pub expires_at: DateTime<Utc>,
}

async fn public_location(state: &AppState, slug: &str) -> AppResult<PublicLocation> {
    let loc = locations::by_slug(state, slug).await?;
    let org = organisation::get(&state.db).await?;
    described(state, loc, org.name).await
}

/// Every active location's public page, by name: what `/book/` offers to choose from.
async fn public_locations(state: &AppState) -> AppResult<Vec<PublicLocation>> {
    let org = organisation::get(&state.db).await?;
    let (rows, _) = locations::list(
        state,
        false,
        crate::pagination::Page {
            limit: crate::pagination::MAX_PAGE_SIZE,
            offset: 0,
            count: false,
        },
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for loc in rows {
        out.push(described(state, loc, org.name.clone()).await?);
    }
    Ok(out)
}

async fn described(
    state: &AppState,
    loc: entity::location::Model,
    organisation_name: String,
) -> AppResult<PublicLocation> {
    let offers_appointments = service::Entity::find()
        .filter(service::Column::LocationId.eq(loc.id))
        .filter(service::Column::Active.eq(true))
        .one(&state.db)
        .await?
        .is_some();
    let party_areas = resource::Entity::find()
        .filter(resource::Column::LocationId.eq(loc.id))
        .filter(resource::Column::Kind.eq(ResourceKind::Arena))
        .filter(resource::Column::Status.ne(ResourceStatus::OutOfOrder))
        .order_by_asc(resource::Column::Name)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| PartyArea {
            id: r.id.into(),
            name: r.name,
            capacity: r.capacity,
        })
        .collect();
    Ok(PublicLocation {
        location_id: loc.id,
        id: loc.id.into(),
        name: loc.name,
        slug: loc.slug,
        address: loc.address,
        timezone: loc.timezone,
        organisation_name,
        offers_appointments,
        party_areas,
    })
}

fn consent_needed() -> AppError {
    AppError::validation(
        "input.consentToContact",
        "отметьте согласие на связь: без него менеджер не сможет подтвердить заявку",
        "tick the consent to be contacted: without it the manager cannot confirm the request",
    )
}

#[derive(Default)]
pub struct CabinetQuery;

#[Object]
impl CabinetQuery {
    /// A location's public booking page by the slug of its address (`/book/<slug>`).
    #[graphql(guard = "policy(\"Query.publicLocation\")")]
    async fn public_location(
        &self,
        ctx: &Context<'_>,
        slug: String,
    ) -> async_graphql::Result<PublicLocation> {
        let state = ctx.state()?;
        public::limit_read(state, &ctx.caller()).gql()?;
        public_location(state, &slug).await.gql()
    }

    /// Every active location's public page, by name (what `/book/` lists).
    #[graphql(guard = "policy(\"Query.publicLocations\")")]
    async fn public_locations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<PublicLocation>> {
        let state = ctx.state()?;
        public::limit_read(state, &ctx.caller()).gql()?;
        public_locations(state).await.gql()
    }

    /// Free starting times of a party game on a play area on a local day: every half hour
    /// the venue is open, with the area free for the whole game.
    #[graphql(guard = "policy(\"Query.partyStartTimes\")")]
    async fn party_start_times(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        area_id: ID,
        date: NaiveDate,
        game_minutes: i32,
    ) -> async_graphql::Result<Vec<DateTime<Utc>>> {
        let state = ctx.state()?;
        public::limit_read(state, &ctx.caller()).gql()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let area_id = parse_id("areaId", &area_id).gql()?;
        party::free_starts(state, location_id, area_id, date, game_minutes)
            .await
            .gql()
    }

    /// The signed-in client's own record.
    #[graphql(guard = "policy(\"Query.myClient\")")]
    async fn my_client(&self, ctx: &Context<'_>) -> async_graphql::Result<Client> {
        let state = ctx.state()?;
        let Reach::Client(id) = ctx.actor().reach().gql()? else {
            return Err(AppError::forbidden()).gql();
        };
        let row = crate::clients::service::get(&state.db, id).await.gql()?;
        Ok(Client(row))
    }
}

#[derive(Default)]
pub struct CabinetMutation;

#[Object]
impl CabinetMutation {
    /// Signs a client in from the Telegram Mini App with its `initData`. A Telegram user not
    /// linked yet also sends `contact` (what `requestContact` answered) or a `phone` with the
    /// one-time `code` sent for it; without either the answer is VALIDATION on `contact`.
    #[graphql(guard = "policy(\"Mutation.miniAppSignIn\")")]
    async fn mini_app_sign_in(
        &self,
        ctx: &Context<'_>,
        init_data: String,
        contact: Option<String>,
        phone: Option<String>,
        code: Option<String>,
    ) -> async_graphql::Result<AuthPayload> {
        let state = ctx.state()?;
        let proof = sign_in::MiniAppProof {
            init_data: &init_data,
            contact: contact.as_deref(),
            code: phone.as_deref().zip(code.as_deref()),
        };
        let session = sign_in::mini_app(state, &ctx.caller(), proof).await.gql()?;
        Ok(session.into())
    }

    /// Sends a one-time sign-in code to the linked channel of the client with this phone.
    #[graphql(guard = "policy(\"Mutation.requestSignInCode\")")]
    async fn request_sign_in_code(
        &self,
        ctx: &Context<'_>,
        phone: String,
    ) -> async_graphql::Result<SignInCodeSent> {
        let state = ctx.state()?;
        let sent = codes::request(state, &ctx.caller(), &phone).await.gql()?;
        Ok(SignInCodeSent {
            channels: sent.channels,
            expires_at: sent.expires_at,
        })
    }

    /// Signs a client in with the one-time code sent for their phone.
    #[graphql(guard = "policy(\"Mutation.signInWithCode\")")]
    async fn sign_in_with_code(
        &self,
        ctx: &Context<'_>,
        phone: String,
        code: String,
    ) -> async_graphql::Result<AuthPayload> {
        let state = ctx.state()?;
        let session = sign_in::with_code(state, &ctx.caller(), &phone, &code)
            .await
            .gql()?;
        Ok(session.into())
    }

    /// Asks for a laser-tag party from the public page. Its time is held at once; it waits
    /// as REQUESTED for a manager to confirm.
    #[graphql(guard = "policy(\"Mutation.requestParty\")")]
    async fn request_party(
        &self,
        ctx: &Context<'_>,
        input: PartyRequestInput,
    ) -> async_graphql::Result<PartyRequest> {
        let state = ctx.state()?;
        let caller = ctx.caller();
        public::limit_write(state, &caller).gql()?;
        if !input.consent_to_contact {
            return Err(consent_needed()).gql();
        }
        let spec = party::PartySpec {
            location_id: parse_id("input.locationId", &input.location_id).gql()?,
            client_id: None,
            contact_name: input.name,
            contact_phone: input.phone,
            game_type: input.game_type,
            players: input.players,
            area_id: parse_id("input.areaId", &input.area_id).gql()?,
            starts_at: input.starts_at,
            game_minutes: input.game_minutes,
            rest_room_id: None,
            rest_minutes: 0,
            gift_ids: Vec::new(),
            notes: input.notes,
        };
        let row = party::request(state, &caller, spec).await.gql()?;
        let area = resource::Entity::find_by_id(row.area_id)
            .one(&state.db)
            .await
            .map_err(AppError::from)
            .gql()?
            .map(|r| r.name)
            .unwrap_or_default();
        Ok(PartyRequest {
            id: row.id.into(),
            status: row.status,
            area_name: area,
            starts_at: row.starts_at,
            game_minutes: row.game_minutes,
            players: row.players,
            game_type: row.game_type,
        })
    }

    /// Removes a browser's Web Push subscription (the browser unsubscribed). The endpoint is
    /// the proof: only that browser knows it. True when one was removed.
    #[graphql(guard = "policy(\"Mutation.deletePushSubscription\")")]
    async fn delete_push_subscription(
        &self,
        ctx: &Context<'_>,
        endpoint: String,
    ) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        public::delete_push(state, &ctx.caller(), &endpoint)
            .await
            .gql()
    }
}

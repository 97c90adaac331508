//! The only file that knows every feature: it merges their roots and their request data.

use async_graphql::{Data, MergedObject, MergedSubscription, SDLExportOptions, Schema};

use crate::{
    academy::{AcademyMutation, AcademyQuery},
    analytics::AnalyticsQuery,
    audit::AuditQuery,
    auth::{
        AuthMutation, AuthQuery,
        actor::{Actor, AuthFailure},
    },
    automations::{AutomationsMutation, AutomationsQuery},
    billing::{BillingMutation, BillingQuery, ShiftsMutation, ShiftsQuery},
    booking::{BookingMutation, BookingQuery, BookingSubscription},
    cabinet::{CabinetMutation, CabinetQuery},
    clients::{ClientsMutation, ClientsQuery},
    club::{ClubMutation, ClubQuery, ClubSubscription},
    coaching::{CoachingMutation, CoachingQuery},
    context::RequestMeta,
    notify::{NotifyMutation, NotifyQuery},
    pipeline::{PipelineMutation, PipelineQuery},
    state::AppState,
    telegram::{TelegramMutation, TelegramQuery},
    venue::{self, VenueMutation, VenueQuery, VenueSubscription},
};

#[derive(MergedObject, Default)]
pub struct Query(
    AuthQuery,
    AuditQuery,
    VenueQuery,
    ClientsQuery,
    PipelineQuery,
    AnalyticsQuery,
    BillingQuery,
    ShiftsQuery,
    ClubQuery,
    AcademyQuery,
    CoachingQuery,
    BookingQuery,
    TelegramQuery,
    CabinetQuery,
    NotifyQuery,
    AutomationsQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    AuthMutation,
    VenueMutation,
    ClientsMutation,
    PipelineMutation,
    BillingMutation,
    ShiftsMutation,
    ClubMutation,
    AcademyMutation,
    CoachingMutation,
    BookingMutation,
    TelegramMutation,
    CabinetMutation,
    NotifyMutation,
    AutomationsMutation,
);

#[derive(MergedSubscription, Default)]
pub struct Subscription(VenueSubscription, ClubSubscription, BookingSubscription);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// Deepest query accepted; GraphiQL's introspection query needs 13.
pub const MAX_DEPTH: usize = 15;
pub const MAX_COMPLEXITY: usize = 2_000;
pub const MAX_RECURSIVE_DEPTH: usize = 32;
pub const MAX_DIRECTIVES: usize = 8;

fn builder() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_recursive_depth(MAX_RECURSIVE_DEPTH)
    .limit_directives(MAX_DIRECTIVES)
    .extension(crate::inputs::InputChecks)
}

pub fn build_schema(state: AppState) -> AppSchema {
    let mut builder = builder();
    if !state.settings.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.data(state).finish()
}

/// The SDL of the schema, stable across builds: what `schema.graphql` holds.
pub fn export_sdl() -> String {
    builder().finish().sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}

/// Everything one request (or one WebSocket connection) carries: the actor, why a credential
/// was refused if it was, request facts, and fresh DataLoaders.
pub fn fill_request_data(
    data: &mut Data,
    state: &AppState,
    actor: Actor,
    failure: Option<AuthFailure>,
    meta: RequestMeta,
) {
    data.insert(actor);
    if let Some(failure) = failure {
        data.insert(failure);
    }
    data.insert(meta);
    venue::loaders::register(data, &state.db);
    crate::auth::loaders::register(data, &state.db);
    crate::clients::loaders::register(data, &state.db);
    crate::billing::loaders::register(data, &state.db);
    crate::academy::loaders::register(data, &state.db);
    crate::coaching::loaders::register(data, &state.db);
    crate::booking::loaders::register(data, &state.db);
    crate::automations::loaders::register(data, &state.db);
}

//! The only file that knows every feature: it merges their roots and their request data.

use std::sync::{Arc, OnceLock};

use async_graphql::{
    Data, Executor, MergedObject, MergedSubscription, OutputType, Request, Response,
    SDLExportOptions, Schema, ServerError, SubscriptionType, futures_util::stream::BoxStream,
    registry::Registry,
};
use futures_util::StreamExt;

use crate::{
    academy::{AcademyMutation, AcademyQuery},
    analytics::AnalyticsQuery,
    audit::AuditQuery,
    auth::{
        AuthMutation, AuthQuery,
        actor::{Actor, AuthFailure},
    },
    automations::{AutomationsMutation, AutomationsQuery},
    batch::{LoaderTable, Loaders},
    billing::{BillingMutation, BillingQuery, ShiftsMutation, ShiftsQuery},
    booking::{BookingMutation, BookingQuery, BookingSubscription},
    cabinet::{CabinetMutation, CabinetQuery},
    clients::{ClientsMutation, ClientsQuery},
    club::{ClubMutation, ClubQuery, ClubSubscription},
    coaching::{CoachingMutation, CoachingQuery},
    context::RequestMeta,
    inputs::InputChecks,
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
}

fn build_schema(state: AppState) -> AppSchema {
    let mut builder = builder();
    if !state.settings.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.data(state).finish()
}

/// The schema as the edges run it: every request's arguments pass [`InputChecks`] first, and
/// every request or subscription gets its own [`Loaders`].
///
/// The checks run here rather than as an engine extension: an extension, once registered,
/// puts a chain of boxed calls around every field the engine resolves, which cost more than
/// the rest of resolving a long list of plain objects.
#[derive(Clone)]
pub struct Api {
    schema: AppSchema,
    checks: Arc<InputChecks>,
    db: sea_orm::DatabaseConnection,
}

pub fn build_api(state: AppState) -> Api {
    Api {
        db: state.db.clone(),
        schema: build_schema(state),
        checks: Arc::new(InputChecks::new(registry())),
    }
}

impl Api {
    fn prepare(&self, request: &mut Request) -> Result<(), ServerError> {
        self.checks.check(request)?;
        request
            .data
            .insert(Loaders::new(self.db.clone(), loader_table()));
        Ok(())
    }
}

impl Executor for Api {
    async fn execute(&self, mut request: Request) -> Response {
        match self.prepare(&mut request) {
            Ok(()) => self.schema.execute(request).await,
            Err(err) => Response::from_errors(vec![err]),
        }
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match self.prepare(&mut request) {
            Ok(()) => self
                .schema
                .execute_stream_with_session_data(request, session_data.unwrap_or_default()),
            Err(err) => futures_util::stream::iter([Response::from_errors(vec![err])]).boxed(),
        }
    }
}

/// The types of the schema, for the checks to read argument types from.
fn registry() -> Registry {
    let mut registry = Registry {
        query_type: Query::type_name().into_owned(),
        mutation_type: Some(Mutation::type_name().into_owned()),
        subscription_type: Some(Subscription::type_name().into_owned()),
        ..Registry::default()
    };
    Query::create_type_info(&mut registry);
    Mutation::create_type_info(&mut registry);
    Subscription::create_type_info(&mut registry);
    registry
}

/// Every feature's loaders, registered once.
fn loader_table() -> &'static LoaderTable {
    static TABLE: OnceLock<LoaderTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = LoaderTable::default();
        venue::loaders::register(&mut table);
        crate::auth::loaders::register(&mut table);
        crate::clients::loaders::register(&mut table);
        crate::billing::loaders::register(&mut table);
        crate::academy::loaders::register(&mut table);
        crate::coaching::loaders::register(&mut table);
        crate::booking::loaders::register(&mut table);
        crate::automations::loaders::register(&mut table);
        table
    })
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
/// was refused if it was, and request facts.
pub fn fill_request_data(
    data: &mut Data,
    actor: Actor,
    failure: Option<AuthFailure>,
    meta: RequestMeta,
) {
    data.insert(actor);
    if let Some(failure) = failure {
        data.insert(failure);
    }
    data.insert(meta);
}

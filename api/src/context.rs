//! One accessor for what a resolver needs from its context: the state, the actor, the caller
//! (actor plus request facts for the audit log) and the per-request DataLoaders.

use std::sync::Arc;

use async_graphql::{Context, dataloader::Loader};

use crate::{
    auth::actor::{Actor, Caller},
    batch::{Batcher, Loaders},
    error::AppError,
    state::AppState,
};

/// Facts about the request that the audit log records.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub address: Option<String>,
    pub request_id: Option<String>,
}

static ANONYMOUS: Actor = Actor::Anonymous;

pub trait ContextExt {
    fn state(&self) -> async_graphql::Result<&AppState>;
    fn actor(&self) -> &Actor;
    fn caller(&self) -> Caller;
    fn loader<L: Loader<i64>>(&self) -> async_graphql::Result<Arc<Batcher<L, i64>>>;
}

impl ContextExt for Context<'_> {
    fn state(&self) -> async_graphql::Result<&AppState> {
        self.data::<AppState>().map_err(|_| {
            async_graphql::ErrorExtensions::extend(&AppError::internal(
                "schema built without AppState",
            ))
        })
    }

    fn actor(&self) -> &Actor {
        self.data_opt::<Actor>().unwrap_or(&ANONYMOUS)
    }

    fn caller(&self) -> Caller {
        let meta = self.data_opt::<RequestMeta>();
        Caller {
            actor: self.actor().clone(),
            address: meta.and_then(|m| m.address.clone()),
            request_id: meta.and_then(|m| m.request_id.clone()),
        }
    }

    fn loader<L: Loader<i64>>(&self) -> async_graphql::Result<Arc<Batcher<L, i64>>> {
        self.data_opt::<Loaders>()
            .and_then(Loaders::get::<L>)
            .ok_or_else(|| {
                async_graphql::ErrorExtensions::extend(&AppError::internal(format!(
                    "request has no loader {}",
                    std::any::type_name::<L>()
                )))
            })
    }
}

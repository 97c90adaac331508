//! The append-only log of who did what: written in the transaction of the change it records.

pub mod service;
pub mod types;

use async_graphql::{Context, Object};

use crate::{
    auth::policy::policy,
    context::ContextExt,
    error::IntoGql,
    pagination::{Page, PageInput},
};
pub use service::record;
use types::{AuditEntryPage, AuditFilter};

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, newest first.
    #[graphql(guard = "policy(\"Query.auditLog\")")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditFilter>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<AuditEntryPage> {
        let state = ctx.state()?;
        let page = Page::asked(ctx, page).gql()?;
        service::list(state, filter.unwrap_or_default(), page)
            .await
            .gql()
    }
}

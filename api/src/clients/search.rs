//! Finding clients: one search box, filters, sorting and paging.

use chrono::{DateTime, Utc};
use entity::{client, client_tag, wallet_entry};
use sea_orm::{
    ColumnTrait, Condition, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
    sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr},
};

use crate::{
    domain::search::{fold, needles},
    error::{AppError, AppResult},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
};

#[derive(Debug, Clone, Default)]
pub struct Criteria {
    pub search: Option<String>,
    pub tag: Option<String>,
    pub source_id: Option<i64>,
    pub stage_id: Option<i64>,
    pub birthday_month: Option<i32>,
    pub last_visit_before: Option<DateTime<Utc>>,
    pub last_visit_after: Option<DateTime<Utc>>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub include_inactive: bool,
    /// Only clients whose wallet is below zero (true) or not (false).
    pub has_debt: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, async_graphql::Enum)]
pub enum ClientSort {
    /// By last name, then first name.
    #[default]
    Name,
    /// Newest first.
    CreatedDesc,
    /// Most recent visit first; never-visited last.
    LastVisitDesc,
    /// Most recent contact first.
    LastContactDesc,
}

/// The condition for one needle. On SQLite a needle of three or more plain characters goes
/// through the FTS5 trigram index; on PostgreSQL the trigram index serves `LIKE` directly.
fn matches(needle: &str, backend: DatabaseBackend) -> SimpleExpr {
    let plain = !needle.contains(['%', '_', '\\', '"']);
    if backend == DatabaseBackend::Sqlite && plain && needle.chars().count() >= 3 {
        return Expr::col((client::Entity, client::Column::Id)).in_subquery(
            Query::select()
                .expr(Expr::cust("rowid"))
                .from(Alias::new("client_search"))
                .and_where(Expr::col(Alias::new("search_text")).like(format!("%{needle}%")))
                .to_owned(),
        );
    }
    crate::domain::search::contains(client::Column::SearchText, needle)
}

pub fn select(
    criteria: &Criteria,
    sort: ClientSort,
    backend: DatabaseBackend,
) -> AppResult<Select<client::Entity>> {
    let mut select = client::Entity::find();
    if !criteria.include_inactive {
        select = select.filter(client::Column::Active.eq(true));
    }
    let needles = criteria.search.as_deref().map(needles).unwrap_or_default();
    if !needles.is_empty() {
        let mut any = Condition::any();
        for needle in &needles {
            any = any.add(matches(needle, backend));
        }
        select = select.filter(any);
    }
    if let Some(tag) = criteria.tag.as_deref().map(fold).filter(|t| !t.is_empty()) {
        select = select.filter(
            client::Column::Id.in_subquery(
                Query::select()
                    .column(client_tag::Column::ClientId)
                    .from(client_tag::Entity)
                    .and_where(client_tag::Column::Tag.eq(tag))
                    .to_owned(),
            ),
        );
    }
    if let Some(has_debt) = criteria.has_debt {
        let in_debt = Query::select()
            .column(wallet_entry::Column::ClientId)
            .from(wallet_entry::Entity)
            .group_by_col(wallet_entry::Column::ClientId)
            .and_having(Expr::col(wallet_entry::Column::Amount).sum().lt(0))
            .to_owned();
        select = select.filter(if has_debt {
            client::Column::Id.in_subquery(in_debt)
        } else {
            client::Column::Id.not_in_subquery(in_debt)
        });
    }
    if let Some(id) = criteria.source_id {
        select = select.filter(client::Column::SourceId.eq(id));
    }
    if let Some(id) = criteria.stage_id {
        select = select.filter(client::Column::StageId.eq(id));
    }
    if let Some(month) = criteria.birthday_month {
        if !(1..=12).contains(&month) {
            return Err(AppError::validation(
                "filter.birthdayMonth",
                format!("месяц от 1 до 12, получено {month}"),
                format!("a month is 1 to 12, got {month}"),
            ));
        }
        select = select.filter(client::Column::BirthMonth.eq(month as i16));
    }
    if let Some(at) = criteria.last_visit_before {
        select = select.filter(client::Column::LastVisitAt.lt(at));
    }
    if let Some(at) = criteria.last_visit_after {
        select = select.filter(client::Column::LastVisitAt.gte(at));
    }
    if let Some(at) = criteria.created_from {
        select = select.filter(client::Column::CreatedAt.gte(at));
    }
    if let Some(at) = criteria.created_to {
        select = select.filter(client::Column::CreatedAt.lt(at));
    }
    select = match sort {
        ClientSort::Name => select
            .order_by_asc(client::Column::LastName)
            .order_by_asc(client::Column::FirstName),
        ClientSort::CreatedDesc => select.order_by_desc(client::Column::CreatedAt),
        ClientSort::LastVisitDesc => select
            .order_by_asc(Expr::col(client::Column::LastVisitAt).is_null())
            .order_by_desc(client::Column::LastVisitAt),
        ClientSort::LastContactDesc => select
            .order_by_asc(Expr::col(client::Column::LastContactAt).is_null())
            .order_by_desc(client::Column::LastContactAt),
    };
    Ok(select.order_by_asc(client::Column::Id))
}

pub async fn list(
    state: &AppState,
    criteria: &Criteria,
    sort: ClientSort,
    page: Page,
) -> AppResult<(Vec<client::Model>, PageInfo)> {
    let backend = state.db.get_database_backend();
    fetch_page(&state.db, select(criteria, sort, backend)?, page).await
}

/// Every matching client, in pages of `batch`, for exports.
pub async fn all(
    state: &AppState,
    criteria: &Criteria,
    sort: ClientSort,
    batch: u64,
) -> AppResult<Vec<client::Model>> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let rows = select(criteria, sort, state.db.get_database_backend())?
            .offset(offset)
            .limit(batch)
            .all(&state.db)
            .await?;
        let done = (rows.len() as u64) < batch;
        offset += rows.len() as u64;
        out.extend(rows);
        if done {
            return Ok(out);
        }
    }
}

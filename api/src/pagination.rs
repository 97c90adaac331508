//! One paging style for every list: offset paging with a total count.
//!
//! A list field takes `page: PageInput` (`limit` 1–100, default 20; `offset` ≥ 0, default 0)
//! and returns `<Thing>Page { items, pageInfo { total limit offset hasMore } }`. A limit above
//! 100 is refused with VALIDATION on `page.limit`, never silently capped.
//!
//! The total costs a statement of its own, so a resolver that takes its page with
//! [`Page::asked`] counts only when the request selects `pageInfo { total }`; `hasMore` comes
//! from reading one row past the page either way.

use async_graphql::{Context, InputObject, SimpleObject};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QuerySelect, Select};

use crate::error::{AppError, AppResult};

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;

/// Which slice of a list to return.
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct PageInput {
    /// How many items, 1–100 (default 20).
    pub limit: Option<i32>,
    /// How many items to skip (default 0).
    pub offset: Option<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: u64,
    pub offset: u64,
    /// Whether the list's total is counted (a statement of its own).
    pub count: bool,
}

impl Page {
    pub fn parse(input: Option<PageInput>) -> AppResult<Page> {
        let input = input.unwrap_or_default();
        let limit = match input.limit {
            None => DEFAULT_PAGE_SIZE,
            Some(l) if l >= 1 && l as u64 <= MAX_PAGE_SIZE => l as u64,
            Some(l) => {
                return Err(AppError::validation(
                    "page.limit",
                    format!("размер страницы должен быть от 1 до {MAX_PAGE_SIZE}, получено {l}"),
                    format!("page size must be between 1 and {MAX_PAGE_SIZE}, got {l}"),
                ));
            }
        };
        let offset = match input.offset {
            None => 0,
            Some(o) if o >= 0 => o as u64,
            Some(o) => {
                return Err(AppError::validation(
                    "page.offset",
                    format!("смещение не может быть отрицательным, получено {o}"),
                    format!("offset cannot be negative, got {o}"),
                ));
            }
        };
        Ok(Page {
            limit,
            offset,
            count: true,
        })
    }

    /// [`Page::parse`] for a list field: the total is counted only when the request selects
    /// `pageInfo { total }`.
    pub fn asked(ctx: &Context<'_>, input: Option<PageInput>) -> AppResult<Page> {
        let count = ctx.look_ahead().field("pageInfo").field("total").exists();
        Ok(Page {
            count,
            ..Page::parse(input)?
        })
    }
}

/// Where a page sits in its list.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// Items in the whole list.
    // Counted when the page asks for it ([`Page::count`]); otherwise the least it can be,
    // from the rows read, which no answer shows.
    pub total: i64,
    pub limit: i32,
    pub offset: i32,
    /// Whether items follow this page.
    pub has_more: bool,
}

/// Runs a filtered, ordered select as one page: a slice one row longer than the page, which
/// tells whether more follow, and a count when the page asks for the total.
pub async fn fetch_page<E, C>(
    db: &C,
    select: Select<E>,
    page: Page,
) -> AppResult<(Vec<E::Model>, PageInfo)>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let total = match page.count {
        true => Some(select.clone().count(db).await?),
        false => None,
    };
    let mut items = select
        .offset(page.offset)
        .limit(page.limit + 1)
        .all(db)
        .await?;
    let has_more = items.len() as u64 > page.limit;
    items.truncate(page.limit as usize);
    let read = page.offset + items.len() as u64 + u64::from(has_more);
    let info = PageInfo {
        total: total.unwrap_or(read) as i64,
        limit: page.limit as i32,
        offset: page.offset as i32,
        has_more,
    };
    Ok((items, info))
}

/// Declares the page type of a list: `page_type!(LocationPage, Location);`.
#[macro_export]
macro_rules! page_type {
    ($name:ident, $item:ty) => {
        #[doc = concat!("One page of ", stringify!($item), " items.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            pub items: Vec<$item>,
            pub page_info: $crate::pagination::PageInfo,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(
            Page::parse(None).unwrap(),
            Page {
                limit: 20,
                offset: 0,
                count: true,
            }
        );
        let page = |limit, offset| Page::parse(Some(PageInput { limit, offset }));
        assert_eq!(
            page(Some(100), Some(5)).unwrap(),
            Page {
                limit: 100,
                offset: 5,
                count: true,
            }
        );
        for bad in [
            page(Some(0), None),
            page(Some(101), None),
            page(Some(10_000), None),
        ] {
            assert!(
                matches!(bad, Err(AppError::Validation { ref field, .. }) if field == "page.limit")
            );
        }
        assert!(
            matches!(page(None, Some(-1)), Err(AppError::Validation { ref field, .. }) if field == "page.offset")
        );
    }
}

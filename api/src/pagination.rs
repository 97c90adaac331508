//! One paging style for every list: offset paging with a total count.
//!
//! A list field takes `page: PageInput` (`limit` 1–100, default 20; `offset` ≥ 0, default 0)
//! and returns `<Thing>Page { items, pageInfo { total limit offset hasMore } }`. A limit above
//! 100 is refused with VALIDATION on `page.limit`, never silently capped.

use async_graphql::{InputObject, SimpleObject};
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
        Ok(Page { limit, offset })
    }
}

/// Where a page sits in its list.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// Items in the whole list.
    pub total: i64,
    pub limit: i32,
    pub offset: i32,
    /// Whether items follow this page.
    pub has_more: bool,
}

/// Runs a filtered, ordered select as one page: a count and a slice (two statements).
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
    let total = select.clone().count(db).await?;
    let items = select.offset(page.offset).limit(page.limit).all(db).await?;
    let info = PageInfo {
        total: total as i64,
        limit: page.limit as i32,
        offset: page.offset as i32,
        has_more: page.offset + (items.len() as u64) < total,
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
                offset: 0
            }
        );
        let page = |limit, offset| Page::parse(Some(PageInput { limit, offset }));
        assert_eq!(
            page(Some(100), Some(5)).unwrap(),
            Page {
                limit: 100,
                offset: 5
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

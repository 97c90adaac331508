//! Per-request loaders of staff accounts (run by [`Batcher`]).

use entity::user;
use sea_orm::DatabaseConnection;

use crate::batch::{Batcher, by_id_loader};

/// Registers the account loaders in a request's data.
pub fn register(data: &mut async_graphql::Data, db: &DatabaseConnection) {
    data.insert(Batcher::new(UserById(db.clone())));
}

by_id_loader!(UserById, user);

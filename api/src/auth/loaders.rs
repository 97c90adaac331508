//! Per-request loaders of staff accounts (run by [`crate::batch::Batcher`]).

use entity::user;

use crate::batch::{LoaderTable, by_id_loader};

/// Registers the account loaders.
pub fn register(table: &mut LoaderTable) {
    table.add(UserById);
}

by_id_loader!(UserById, user);

//! Per-request loaders of the automations (run by [`Batcher`]).

use entity::automation_rule;
use sea_orm::DatabaseConnection;

use crate::batch::{Batcher, by_id_loader};

/// Registers the automation loaders in a request's data.
pub fn register(data: &mut async_graphql::Data, db: &DatabaseConnection) {
    data.insert(Batcher::new(RuleById(db.clone())));
}

by_id_loader!(RuleById, automation_rule);

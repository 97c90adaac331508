//! Per-request loaders of the automations (run by [`crate::batch::Batcher`]).

use entity::automation_rule;

use crate::batch::{LoaderTable, by_id_loader};

/// Registers the automation loaders.
pub fn register(table: &mut LoaderTable) {
    table.add(RuleById);
}

by_id_loader!(RuleById, automation_rule);

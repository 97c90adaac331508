//! Relation lookups of coaching, batched per request.

use entity::coaching_program;

use crate::batch::{LoaderTable, by_id_loader};

pub fn register(table: &mut LoaderTable) {
    table.add(ProgramById);
}

by_id_loader!(ProgramById, coaching_program);

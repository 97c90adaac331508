//! Relation lookups of coaching, batched per request.

use entity::coaching_program;
use sea_orm::DatabaseConnection;

use crate::batch::{Batcher, by_id_loader};

pub fn register(data: &mut async_graphql::Data, db: &DatabaseConnection) {
    data.insert(Batcher::new(ProgramById(db.clone())));
}

by_id_loader!(ProgramById, coaching_program);

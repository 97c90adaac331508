use sea_orm::entity::prelude::*;

use serde::{Deserialize, Serialize};

use crate::enums::{ResourceKind, ResourceStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "resource")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub location_id: i64,
    pub zone_id: Option<i64>,
    pub kind: ResourceKind,
    pub name: String,
    pub status: ResourceStatus,
    /// How many people it takes at once (1 for a PC, 20 for an arena).
    pub capacity: i32,
    pub notes: Option<String>,
    pub sort_order: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

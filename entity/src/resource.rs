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

/// A `resource` row as a tuple in column order, for [`sea_orm::Select::into_tuple`]: decoded
/// by position, which costs a fraction of decoding a [`Model`] by column name. The live map
/// and the venue tree read hundreds of these at a time.
pub type Row = (
    i64,
    i64,
    Option<i64>,
    ResourceKind,
    String,
    ResourceStatus,
    i32,
    Option<String>,
    i32,
    DateTimeUtc,
    DateTimeUtc,
);

impl From<Row> for Model {
    fn from(row: Row) -> Model {
        let (
            id,
            location_id,
            zone_id,
            kind,
            name,
            status,
            capacity,
            notes,
            sort_order,
            created_at,
            updated_at,
        ) = row;
        Model {
            id,
            location_id,
            zone_id,
            kind,
            name,
            status,
            capacity,
            notes,
            sort_order,
            created_at,
            updated_at,
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

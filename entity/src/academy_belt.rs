use sea_orm::entity::prelude::*;

use crate::enums::BeltTrack;

/// One rank of a belt ladder, with the rule for moving on.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "academy_belt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub track: BeltTrack,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    /// Order on the ladder, lowest first.
    pub position: i32,
    pub max_stripes: i16,
    /// Classes attended since the last promotion before the next belt.
    pub classes_required: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

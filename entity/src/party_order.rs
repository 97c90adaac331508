use sea_orm::entity::prelude::*;

use crate::enums::{GameType, PartyStatus};

/// A laser-tag party: a play area for the game, then a rest room.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "party_order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub location_id: i64,
    pub client_id: i64,
    pub contact_name: String,
    pub contact_phone: String,
    pub game_type: GameType,
    pub players: i32,
    /// The play area (arena, park, forest).
    pub area_id: i64,
    pub starts_at: DateTimeUtc,
    pub game_minutes: i32,
    pub rest_room_id: Option<i64>,
    /// Minutes in the rest room right after the game.
    pub rest_minutes: i32,
    /// Ids of the gifts included, as a JSON array.
    pub gifts: Json,
    pub notes: Option<String>,
    pub status: PartyStatus,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

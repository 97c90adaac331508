use sea_orm::entity::prelude::*;

use crate::enums::{ContactChannel, Direction, InteractionKind};

/// A call, message, meeting, email, visit or note; with a channel and direction it is an entry
/// of the contact log.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "interaction")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub client_id: i64,
    pub kind: InteractionKind,
    pub channel: Option<ContactChannel>,
    pub direction: Option<Direction>,
    pub text: String,
    pub at: DateTimeUtc,
    pub author_user_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

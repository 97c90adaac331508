use sea_orm::entity::prelude::*;

use crate::enums::BeltTrack;

/// A client enrolled at the academy: their ladder and current rank. (The table keeps an
/// emptied `user_id` column: logins reach a client through `client_account` only.)
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "academy_student")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub client_id: i64,
    /// The home location: reports and "today" follow its timezone.
    pub location_id: i64,
    pub track: BeltTrack,
    pub belt_id: Option<i64>,
    pub stripes: i16,
    /// The last promotion; classes for the next one count from here (or from joining).
    pub promoted_at: Option<DateTimeUtc>,
    pub joined_at: DateTimeUtc,
    pub active: bool,
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

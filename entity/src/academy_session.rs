use sea_orm::entity::prelude::*;

use crate::enums::{ClassLevel, ClassSessionStatus};

/// One class on one day: made from the timetable or one-off.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "academy_session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub location_id: i64,
    /// The timetable class it was made from; none for a one-off session.
    pub class_id: Option<i64>,
    pub name: String,
    pub trainer_id: Option<i64>,
    pub room_id: Option<i64>,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub capacity: i32,
    pub level: ClassLevel,
    pub min_belt_id: Option<i64>,
    pub status: ClassSessionStatus,
    pub cancel_reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

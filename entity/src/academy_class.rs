use sea_orm::entity::prelude::*;

use crate::enums::ClassLevel;

/// A recurring class on the weekly timetable, in the location's local time.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "academy_class")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub location_id: i64,
    pub name: String,
    /// ISO weekday, 1 = Monday: the first day of the weekly pattern.
    pub weekday: i16,
    /// The local start on `weekday`.
    pub starts_at: Time,
    /// The whole weekly pattern, `[{"weekday": 1, "startsAt": "18:00:00"}, …]`; none for a
    /// class of one day (`weekday` and `starts_at`).
    pub days: Option<Json>,
    pub duration_minutes: i32,
    pub trainer_id: Option<i64>,
    pub room_id: Option<i64>,
    pub capacity: i32,
    pub level: ClassLevel,
    pub min_belt_id: Option<i64>,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

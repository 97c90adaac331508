use sea_orm::entity::prelude::*;

use crate::enums::AttendanceStatus;

/// A student in a class session: booked, present, late, absent or excused.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "academy_attendance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub session_id: i64,
    pub student_id: i64,
    pub status: AttendanceStatus,
    /// The membership whose visit this attendance used.
    pub membership_id: Option<i64>,
    /// Marked as attended with no valid membership that day.
    pub without_membership: bool,
    pub checked_in_at: Option<DateTimeUtc>,
    pub marked_by: Option<i64>,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

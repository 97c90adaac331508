use sea_orm::entity::prelude::*;

/// A location's notification settings; no row means the defaults.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_setting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub location_id: i64,
    /// Quiet hours, local time: messages wait from `quiet_from` until `quiet_to`.
    pub quiet_from: Option<Time>,
    pub quiet_to: Option<Time>,
    /// Hours before an appointment to remind (a JSON array of integers; empty is off).
    pub appointment_hours: Json,
    /// Hours before a class to remind its booked students; none is off.
    pub class_hours: Option<i32>,
    /// Days before a membership ends to remind; none is off.
    pub membership_expiring_days: Option<i32>,
    pub membership_expired: bool,
    /// Missed classes in a row that tell the student and the trainers; none is off.
    pub missed_threshold: Option<i32>,
    /// Days before an exam to remind; none is off.
    pub exam_days: Option<i32>,
    /// Days before an appointment to remind of its unpaid balance; none is off.
    pub payment_due_days: Option<i32>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

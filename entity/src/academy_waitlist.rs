use sea_orm::entity::prelude::*;

/// A student waiting for a place in a full class session.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "academy_waitlist")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub session_id: i64,
    pub student_id: i64,
    /// `waiting`, `offered` (told of a freed place), `booked` or `left`.
    pub status: String,
    pub offered_at: Option<DateTimeUtc>,
    /// The place in the queue: the earliest waits longest.
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

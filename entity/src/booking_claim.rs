use sea_orm::entity::prelude::*;

/// Time an appointment or party order holds on a specialist or a resource (buffers included).
/// Live claims of one specialist, or of one resource, never overlap.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "booking_claim")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub appointment_id: Option<i64>,
    pub party_order_id: Option<i64>,
    pub specialist_id: Option<i64>,
    pub resource_id: Option<i64>,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// False once the appointment or order is cancelled, moved or a no-show.
    pub live: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

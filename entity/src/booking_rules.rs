use sea_orm::entity::prelude::*;

/// A location's booking rules; a location without a row uses the defaults.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "booking_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub location_id: i64,
    /// Slots start on this grid of minutes from the start of a working interval.
    pub slot_step_minutes: i32,
    /// A client may cancel (and is refunded) until this many minutes before the start.
    pub cancel_cutoff_minutes: i32,
    /// How soon from now the first slot may start.
    pub min_lead_minutes: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

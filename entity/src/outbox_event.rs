use sea_orm::entity::prelude::*;

/// A domain event written in the transaction of the change it reports; the relay publishes
/// it to the bus after the commit (or after a crash) and marks it sent.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_event")]
pub struct Model {
    /// The event id consumers deduplicate on.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The bus topic it is published on, e.g. `slots:3`.
    pub topic: String,
    /// What happened, e.g. `appointment.booked`.
    pub kind: String,
    pub location_id: Option<i64>,
    /// When it happened, in business time (the state's clock).
    pub occurred_at: DateTimeUtc,
    /// The event as the topic's subscribers decode it.
    pub payload: Json,
    /// When the row was written, by the wall clock: the relay's grace period counts from here.
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// When notifications fanned it out to its recipients.
    pub notified_at: Option<DateTimeUtc>,
    /// When the rule engine took it.
    pub automated_at: Option<DateTimeUtc>,
    /// The rules whose actions led to it, oldest first (none when a person or the server did).
    pub rule_chain: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

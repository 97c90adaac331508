use sea_orm::entity::prelude::*;

/// One message for one recipient on one channel: an event or a reminder fanned out, with
/// where its delivery stands. Unique on (source key, recipient, channel).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// What it came from: `event:<outbox id>` or `reminder:<kind>:<what>:<when>`.
    pub source_key: String,
    /// What it tells, e.g. `appointment.booked` or `reminder.appointment`.
    pub kind: String,
    /// `client:<id>` or `user:<id>`.
    pub recipient: String,
    pub client_id: Option<i64>,
    pub user_id: Option<i64>,
    /// `telegram` or `push`.
    pub channel: String,
    pub location_id: Option<i64>,
    /// `pending`, `sent`, `failed` (will retry), `dead` or `skipped`.
    pub status: String,
    /// What the templates read.
    pub payload: Json,
    pub attempts: i32,
    /// When a dispatcher may take it next (wall clock).
    pub next_attempt_at: DateTimeUtc,
    /// Held by quiet hours until this business time.
    pub held_until: Option<DateTimeUtc>,
    /// A dispatcher took it until then (wall clock); another takes it only after.
    pub claimed_until: Option<DateTimeUtc>,
    pub claim_token: Option<String>,
    pub last_error: Option<String>,
    /// When what it tells happened (business time).
    pub occurred_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

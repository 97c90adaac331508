use sea_orm::entity::prelude::*;

/// One run of a rule on one event: what it did, or why it did nothing, or what went wrong.
/// Unique per rule and source, so a rule fires at most once per event.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "automation_run")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub rule_id: i64,
    /// `event:<outbox id>`, or `no_contact:<client>:<last activity>` for a scan.
    pub source_key: String,
    pub event_id: Option<i64>,
    pub event_kind: String,
    pub client_id: Option<i64>,
    /// `done`, `skipped` or `failed`.
    pub status: String,
    /// What each action did (or why it did nothing), in Russian, in order.
    pub actions: Json,
    pub error: Option<String>,
    /// When the event happened (business time).
    pub occurred_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

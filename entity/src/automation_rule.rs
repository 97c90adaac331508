use sea_orm::entity::prelude::*;

/// A rule that acts on events by itself: a trigger, conditions and actions, kept as data.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "automation_rule")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// The event it acts on, e.g. `payment.taken`, or `client.no_contact` (a scan).
    pub trigger: String,
    /// What the event and its client must match (the API's `AutomationConditions`).
    pub conditions: Json,
    /// What it does, in order (the API's `AutomationAction` list).
    pub actions: Json,
    pub enabled: bool,
    /// The key of a default rule (`paid_service`, …), none for a rule staff made.
    pub builtin: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

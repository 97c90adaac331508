use sea_orm::entity::prelude::*;

/// One move of a client between funnel stages.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub client_id: i64,
    pub from_stage_id: Option<i64>,
    pub to_stage_id: i64,
    pub moved_at: DateTimeUtc,
    pub moved_by: Option<i64>,
    pub note: Option<String>,
    pub lost_reason: Option<String>,
    /// The rule that made the move, when no person did.
    pub rule_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

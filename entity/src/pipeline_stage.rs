use sea_orm::entity::prelude::*;

use crate::enums::StageOutcome;

/// A stage of the sales funnel.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pipeline_stage")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub color: String,
    pub position: i32,
    pub outcome: StageOutcome,
    /// The staff member a new lead entering this stage is due with, the same day.
    pub owner_user_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

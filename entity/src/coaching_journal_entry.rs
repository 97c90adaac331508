use sea_orm::entity::prelude::*;

/// One body-measurement entry of a client's progress journal (kg and cm).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "coaching_journal_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub client_id: i64,
    pub measured_on: Date,
    /// before, week_1, week_2, …
    pub period: Option<String>,
    pub weight: Option<f64>,
    pub chest: Option<f64>,
    pub waist: Option<f64>,
    pub lower_abdomen: Option<f64>,
    pub glutes: Option<f64>,
    pub right_thigh: Option<f64>,
    pub left_thigh: Option<f64>,
    pub right_calf: Option<f64>,
    pub left_calf: Option<f64>,
    pub right_arm: Option<f64>,
    pub left_arm: Option<f64>,
    pub notes: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// A promotion: the rank a student reached and when (the rank history).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "academy_rank")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub student_id: i64,
    pub belt_id: i64,
    pub stripes: i16,
    pub previous_belt_id: Option<i64>,
    pub previous_stripes: i16,
    pub exam_id: Option<i64>,
    pub note: Option<String>,
    pub promoted_at: DateTimeUtc,
    pub promoted_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

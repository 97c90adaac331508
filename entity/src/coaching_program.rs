use sea_orm::entity::prelude::*;

use crate::enums::ProgramFormat;

/// A training program: formatted text or a table of exercises.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coaching_program")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub format: ProgramFormat,
    /// Markdown for rich text.
    pub content: Option<String>,
    /// Rows of the exercise table.
    pub exercises: Option<Json>,
    /// Minor units; zero for a free program.
    pub price: i64,
    pub active: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

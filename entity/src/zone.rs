use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "zone")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub location_id: i64,
    pub name: String,
    pub description: Option<String>,
    /// `#rrggbb`, for maps and calendars.
    pub color: Option<String>,
    pub sort_order: i32,
    pub created_at: DateTimeUtc,
}

/// A `zone` row as a tuple in column order, decoded by position (see `resource::Row`).
pub type Row = (
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    i32,
    DateTimeUtc,
);

impl From<Row> for Model {
    fn from(row: Row) -> Model {
        let (id, location_id, name, description, color, sort_order, created_at) = row;
        Model {
            id,
            location_id,
            name,
            description,
            color,
            sort_order,
            created_at,
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

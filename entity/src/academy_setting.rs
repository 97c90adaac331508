use sea_orm::entity::prelude::*;

/// A location's academy rules; no row means the defaults.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "academy_setting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub location_id: i64,
    /// The age from which a student may hold an adult belt (IBJJF: 16); younger students stay
    /// on the kids' ladder.
    pub adult_age: i32,
    /// Months a belt is held before the next belt (stripes are not held back); 0 for none.
    pub min_months_at_belt: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

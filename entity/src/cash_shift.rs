use sea_orm::entity::prelude::*;

/// A cashier's shift at a location: opened with the cash in the drawer, closed with what was
/// counted. Amounts in minor units.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cash_shift")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub location_id: i64,
    pub operator_id: i64,
    pub opened_at: DateTimeUtc,
    pub opening_cash: i64,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<i64>,
    pub counted_cash: Option<i64>,
    pub counted_coins: Option<i64>,
    pub counted_kaspi: Option<i64>,
    pub counted_card: Option<i64>,
    pub counted_debt: Option<i64>,
    pub comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

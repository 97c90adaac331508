use sea_orm::entity::prelude::*;

/// A recipient's channels and language; no row means every channel, in the default language.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_preference")]
pub struct Model {
    /// `client:<id>` or `user:<id>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub recipient: String,
    pub telegram: bool,
    pub push: bool,
    /// Nothing at all is sent.
    pub opted_out: bool,
    /// `ru` or `en`.
    pub language: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// The VAPID key pair of Web Push, made once (row 1).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_key")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// The P-256 private scalar, base64url.
    pub private_key: String,
    /// The uncompressed public point, base64url: the browser's `applicationServerKey`.
    pub public_key: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

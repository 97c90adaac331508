use sea_orm::entity::prelude::*;

/// A person the venue serves, shared by every vertical.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub display_name: String,
    /// E.164, e.g. `+77011234567`.
    pub phone: Option<String>,
    pub phone2: Option<String>,
    pub email: Option<String>,
    pub telegram_id: Option<i64>,
    pub telegram_username: Option<String>,
    pub birth_date: Option<Date>,
    /// 1–12, kept beside the date so "birthdays in March" is an indexed lookup on every engine.
    pub birth_month: Option<i16>,
    pub source_id: Option<i64>,
    pub notes: Option<String>,
    pub discount_percent: i32,
    pub active: bool,
    pub stage_id: Option<i64>,
    pub stage_entered_at: Option<DateTimeUtc>,
    pub last_visit_at: Option<DateTimeUtc>,
    pub last_contact_at: Option<DateTimeUtc>,
    pub next_contact_at: Option<DateTimeUtc>,
    pub next_contact_user_id: Option<i64>,
    /// Lower-case names, email, Telegram handle and phone digits, `ё` folded to `е`.
    pub search_text: String,
    /// Set when this record was merged into another; such records are inactive.
    pub merged_into_id: Option<i64>,
    /// How far (minor units) the wallet may go below zero.
    pub credit_limit: i64,
    /// What the deal on the funnel card is expected to bring (minor units); none when not
    /// estimated.
    pub deal_value: Option<i64>,
    /// When they agreed to be contacted (on the public page); none when never asked.
    pub contact_consent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! GraphQL objects and inputs of client records.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{client, client_source};

use super::loaders::{
    RecentInteractions, SourceById, StageById, StageHistoryByClient, TagsByClient,
};
use crate::{
    auth::actor::Reach,
    batch::{load, load_many},
    billing::loaders::{BalanceByClient, PaidByClient},
    context::ContextExt,
    domain::Money,
    page_type,
    pipeline::types::{Interaction, PipelineStage, StageMove},
};

/// A person the venue serves.
pub struct Client(pub client::Model);

/// Whether staff (or an integration) read the record. What the venue keeps about a client for
/// itself (notes, tags, the funnel, the contact plan, the interactions) is not shown to the
/// client reading their own record.
fn venue_reads(ctx: &Context<'_>) -> bool {
    matches!(ctx.actor().reach(), Ok(Reach::Staff))
}

#[Object]
impl Client {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }
    async fn patronymic(&self) -> Option<&str> {
        self.0.patronymic.as_deref()
    }
    /// "Фамилия Имя Отчество".
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// E.164, e.g. +77011234567.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    async fn phone2(&self) -> Option<&str> {
        self.0.phone2.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn telegram_id(&self) -> Option<String> {
        self.0.telegram_id.map(|id| id.to_string())
    }
    async fn telegram_username(&self) -> Option<&str> {
        self.0.telegram_username.as_deref()
    }
    async fn birth_date(&self) -> Option<NaiveDate> {
        self.0.birth_date
    }
    /// The venue's notes; null for a client reading their own record.
    async fn notes(&self, ctx: &Context<'_>) -> Option<&str> {
        self.0.notes.as_deref().filter(|_| venue_reads(ctx))
    }
    /// Personal discount, 0–100 %.
    async fn discount_percent(&self) -> i32 {
        self.0.discount_percent
    }
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Set when this record was merged into another.
    async fn merged_into_id(&self) -> Option<ID> {
        self.0.merged_into_id.map(Into::into)
    }
    async fn stage_entered_at(&self) -> Option<DateTime<Utc>> {
        self.0.stage_entered_at
    }
    async fn last_visit_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_visit_at
    }
    /// Null for a client reading their own record, as is the contact plan.
    async fn last_contact_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.0.last_contact_at.filter(|_| venue_reads(ctx))
    }
    async fn next_contact_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.0.next_contact_at.filter(|_| venue_reads(ctx))
    }
    async fn next_contact_user_id(&self, ctx: &Context<'_>) -> Option<ID> {
        self.0
            .next_contact_user_id
            .filter(|_| venue_reads(ctx))
            .map(Into::into)
    }
    /// When they agreed to be contacted (on the public page); null when never asked.
    async fn contact_consent_at(&self) -> Option<DateTime<Utc>> {
        self.0.contact_consent_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Lower-case tags, sorted; none for a client reading their own record.
    async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        if !venue_reads(ctx) {
            return Ok(Vec::new());
        }
        load_many::<TagsByClient, _>(ctx, self.0.id).await
    }
    /// How the client heard about the venue.
    async fn source(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ClientSource>> {
        match self.0.source_id {
            Some(id) => Ok(load::<SourceById, _>(ctx, id).await?.map(Into::into)),
            None => Ok(None),
        }
    }
    /// The funnel stage the client is in; null for a client reading their own record.
    async fn stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PipelineStage>> {
        match self.0.stage_id.filter(|_| venue_reads(ctx)) {
            Some(id) => Ok(load::<StageById, _>(ctx, id).await?.map(PipelineStage)),
            None => Ok(None),
        }
    }
    /// The wallet balance: the sum of its ledger.
    async fn balance(&self, ctx: &Context<'_>) -> async_graphql::Result<Money> {
        Ok(Money(
            load::<BalanceByClient, _>(ctx, self.0.id)
                .await?
                .unwrap_or(0),
        ))
    }
    /// What the client owes: the part of a negative balance.
    async fn debt(&self, ctx: &Context<'_>) -> async_graphql::Result<Money> {
        let balance = load::<BalanceByClient, _>(ctx, self.0.id)
            .await?
            .unwrap_or(0);
        Ok(Money((-balance).max(0)))
    }
    /// How far below zero the wallet may go.
    async fn credit_limit(&self) -> Money {
        Money(self.0.credit_limit)
    }
    /// What the deal on the funnel card is expected to bring; null when not estimated, and
    /// for a client reading their own record.
    async fn deal_value(&self, ctx: &Context<'_>) -> Option<Money> {
        self.0.deal_value.filter(|_| venue_reads(ctx)).map(Money)
    }
    /// What the client has paid in all: the sum of their payments, by any method (money put
    /// into the wallet counts once it is spent).
    async fn paid_total(&self, ctx: &Context<'_>) -> async_graphql::Result<Money> {
        Ok(Money(
            load::<PaidByClient, _>(ctx, self.0.id).await?.unwrap_or(0),
        ))
    }
    /// Every move through the funnel, oldest first; none for a client reading their own
    /// record.
    async fn stage_history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StageMove>> {
        if !venue_reads(ctx) {
            return Ok(Vec::new());
        }
        let rows = load_many::<StageHistoryByClient, _>(ctx, self.0.id).await?;
        Ok(rows.into_iter().map(StageMove).collect())
    }
    /// The latest interactions, newest first (at most 20); none for a client reading their
    /// own record.
    async fn recent_interactions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Interaction>> {
        if !venue_reads(ctx) {
            return Ok(Vec::new());
        }
        let rows = load_many::<RecentInteractions, _>(ctx, self.0.id).await?;
        Ok(rows.into_iter().map(Interaction).collect())
    }
}

/// "How did you hear about us".
#[derive(SimpleObject, Debug, Clone)]
pub struct ClientSource {
    pub id: ID,
    pub name: String,
    pub active: bool,
}

impl From<client_source::Model> for ClientSource {
    fn from(m: client_source::Model) -> Self {
        ClientSource {
            id: m.id.into(),
            name: m.name,
            active: m.active,
        }
    }
}

#[derive(InputObject, Debug, Clone, Default)]
pub struct CreateClientInput {
    pub last_name: Option<String>,
    /// First name; a last name alone is also accepted.
    pub first_name: Option<String>,
    pub patronymic: Option<String>,
    /// Any common spelling; stored as E.164 (+7 when no country is given).
    pub phone: Option<String>,
    pub phone2: Option<String>,
    pub email: Option<String>,
    pub telegram_id: Option<String>,
    pub telegram_username: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub source_id: Option<ID>,
    pub notes: Option<String>,
    pub discount_percent: Option<i32>,
    pub tags: Option<Vec<String>>,
}

/// Changes to a client; absent fields stay as they are, `null` clears.
#[derive(InputObject, Debug, Clone, Default)]
pub struct UpdateClientInput {
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub patronymic: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub phone2: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub telegram_id: MaybeUndefined<String>,
    pub telegram_username: MaybeUndefined<String>,
    pub birth_date: MaybeUndefined<NaiveDate>,
    pub source_id: MaybeUndefined<ID>,
    pub notes: MaybeUndefined<String>,
    pub discount_percent: Option<i32>,
    /// Replaces every tag.
    pub tags: Option<Vec<String>>,
}

/// Narrows a client list; every given condition must hold.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ClientFilter {
    /// Any part of a name, phone (any format), e-mail or Telegram handle; case and ё/е do
    /// not matter.
    pub search: Option<String>,
    pub tag: Option<String>,
    pub source_id: Option<ID>,
    pub stage_id: Option<ID>,
    /// 1–12.
    pub birthday_month: Option<i32>,
    pub last_visit_before: Option<DateTime<Utc>>,
    pub last_visit_after: Option<DateTime<Utc>>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    /// Include deactivated and merged records (default false).
    pub include_inactive: Option<bool>,
    /// Only clients who owe money (true) or who do not (false).
    pub has_debt: Option<bool>,
}

/// What happened to one row of an import.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    Created,
    /// An existing client (same phone) got what the row added.
    Updated,
    /// A duplicate with nothing new.
    Skipped,
    Error,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct ImportRowResult {
    /// The row number as the spreadsheet shows it.
    pub row: i32,
    pub outcome: ImportOutcome,
    pub client_id: Option<ID>,
    /// The column the problem is in, as headed in the file.
    pub column: Option<String>,
    pub message: Option<String>,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct ImportReport {
    /// A dry run wrote nothing.
    pub dry_run: bool,
    /// Columns recognised, as headed in the file.
    pub columns: Vec<String>,
    pub total: i32,
    pub created: i32,
    pub updated: i32,
    pub skipped: i32,
    pub failed: i32,
    pub rows: Vec<ImportRowResult>,
}

/// A generated file.
#[derive(SimpleObject, Debug, Clone)]
pub struct FileDownload {
    pub filename: String,
    pub content_type: String,
    /// The file, base64-encoded.
    pub data_base64: String,
    pub rows: i32,
}

page_type!(ClientPage, Client);

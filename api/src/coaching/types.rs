//! GraphQL objects and inputs of coaching.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    coaching_assignment, coaching_journal_entry, coaching_program,
    enums::{PaymentMethod, ProgramFormat},
};

use super::{
    journal::{self, Measure},
    loaders::ProgramById,
    programs::{self, Exercise},
};
use crate::{auth::loaders::UserById, batch::load, domain::Money};

/// One entry of the progress journal: kilograms for weight, centimetres for the rest.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct JournalEntry {
    pub id: ID,
    pub client_id: ID,
    pub measured_on: NaiveDate,
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
    /// The account that logged it (a coach, or the client themselves); none for an import.
    pub logged_by_user_id: Option<ID>,
    #[graphql(skip)]
    pub created_by: Option<i64>,
}

#[ComplexObject]
impl JournalEntry {
    /// Who logged it, by name.
    async fn logged_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(self.logger(ctx).await?.map(|u| u.display_name))
    }

    /// Whether the client logged it themselves (a coach may want to check it).
    async fn logged_by_client(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(self
            .logger(ctx)
            .await?
            .is_some_and(|u| u.role == entity::enums::Role::Client))
    }
}

impl JournalEntry {
    async fn logger(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<entity::user::Model>> {
        match self.created_by {
            Some(id) => load::<UserById, _>(ctx, id).await,
            None => Ok(None),
        }
    }
}

impl From<coaching_journal_entry::Model> for JournalEntry {
    fn from(e: coaching_journal_entry::Model) -> Self {
        JournalEntry {
            id: e.id.into(),
            client_id: e.client_id.into(),
            measured_on: e.measured_on,
            period: e.period,
            weight: e.weight,
            chest: e.chest,
            waist: e.waist,
            lower_abdomen: e.lower_abdomen,
            glutes: e.glutes,
            right_thigh: e.right_thigh,
            left_thigh: e.left_thigh,
            right_calf: e.right_calf,
            left_calf: e.left_calf,
            right_arm: e.right_arm,
            left_arm: e.left_arm,
            notes: e.notes,
            logged_by_user_id: e.created_by.map(Into::into),
            created_by: e.created_by,
        }
    }
}

/// One point of a chart.
#[derive(SimpleObject)]
pub struct ChartPoint {
    pub date: NaiveDate,
    pub period: Option<String>,
    pub value: f64,
}

impl From<journal::Point> for ChartPoint {
    fn from(p: journal::Point) -> Self {
        ChartPoint {
            date: p.date,
            period: p.period,
            value: p.value,
        }
    }
}

/// A measure from its first entry to its latest.
#[derive(SimpleObject)]
pub struct MeasureChange {
    pub measure: Measure,
    pub first: ChartPoint,
    pub last: ChartPoint,
    /// Latest minus first, rounded to 0.1.
    pub change: f64,
}

/// A client's progress journal.
pub struct ProgressJournal {
    pub client_id: i64,
    pub entries: Vec<coaching_journal_entry::Model>,
}

#[Object]
impl ProgressJournal {
    async fn client_id(&self) -> ID {
        self.client_id.into()
    }
    /// Oldest first.
    async fn entries(&self) -> Vec<JournalEntry> {
        self.entries
            .iter()
            .cloned()
            .map(JournalEntry::from)
            .collect()
    }
    /// Chart data of one measure over time.
    async fn chart(&self, measure: Measure) -> Vec<ChartPoint> {
        journal::chart(&self.entries, measure)
            .into_iter()
            .map(ChartPoint::from)
            .collect()
    }
    /// The change of every measure that has entries, since the first.
    async fn changes(&self) -> Vec<MeasureChange> {
        Measure::ALL
            .iter()
            .filter_map(|m| {
                journal::change(&self.entries, *m).map(|(first, last, change)| MeasureChange {
                    measure: *m,
                    first: first.into(),
                    last: last.into(),
                    change,
                })
            })
            .collect()
    }
}

/// A training program.
pub struct TrainingProgram(pub coaching_program::Model);

#[Object]
impl TrainingProgram {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn format(&self) -> ProgramFormat {
        self.0.format
    }
    /// Markdown, for a rich-text program.
    async fn content(&self) -> Option<&str> {
        self.0.content.as_deref()
    }
    /// The exercise table, for a table program.
    async fn exercises(&self) -> Vec<Exercise> {
        programs::exercises_of(&self.0)
    }
    async fn price(&self) -> Money {
        Money(self.0.price)
    }
    async fn active(&self) -> bool {
        self.0.active
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A program given to a client.
pub struct ProgramAssignment(pub coaching_assignment::Model);

#[Object]
impl ProgramAssignment {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn client_id(&self) -> ID {
        self.0.client_id.into()
    }
    async fn program(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TrainingProgram>> {
        Ok(load::<ProgramById, _>(ctx, self.0.program_id)
            .await?
            .map(TrainingProgram))
    }
    /// The trainer who assigned it.
    async fn assigned_by_id(&self) -> Option<ID> {
        self.0.assigned_by.map(Into::into)
    }
    async fn assigned_at(&self) -> DateTime<Utc> {
        self.0.assigned_at
    }
    async fn paid(&self) -> bool {
        self.0.paid
    }
    async fn price(&self) -> Money {
        Money(self.0.price)
    }
    async fn payment_id(&self) -> Option<ID> {
        self.0.payment_id.map(Into::into)
    }
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// When the client started it.
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
}

/// A journal entry: kilograms for weight, centimetres for the rest; leave out what was not
/// measured.
#[derive(InputObject)]
pub struct JournalEntryInput {
    pub client_id: ID,
    /// Defaults to today.
    pub measured_on: Option<NaiveDate>,
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
}

#[derive(InputObject)]
pub struct TrainingProgramInput {
    pub title: String,
    pub description: Option<String>,
    pub format: ProgramFormat,
    /// Markdown, for a rich-text program.
    pub content: Option<String>,
    /// Rows, for a table program.
    pub exercises: Option<Vec<Exercise>>,
    /// Defaults to free.
    pub price: Option<Money>,
    /// Defaults to true.
    pub active: Option<bool>,
}

#[derive(InputObject)]
pub struct AssignProgramInput {
    pub program_id: ID,
    pub client_id: ID,
    /// The client pays now (through the payment ledger).
    pub paid: bool,
    /// Defaults to the program's price.
    pub price: Option<Money>,
    /// Needed for a paid program with a price.
    pub payment_method: Option<PaymentMethod>,
    pub notes: Option<String>,
    /// A retried assignment with the same key assigns once.
    pub idempotency_key: String,
}

//! Coaching: the progress journal of body measurements with chart data, and training programs
//! assigned to clients by their trainer, paid or not. A client reads only their own.

pub mod journal;
pub mod loaders;
pub mod programs;
pub mod types;

use async_graphql::{Context, ID, Object};

use crate::{auth::policy::policy, context::ContextExt, domain::parse_id, error::IntoGql};
use types::{
    AssignProgramInput, JournalEntry, JournalEntryInput, ProgramAssignment, ProgressJournal,
    TrainingProgram, TrainingProgramInput,
};

fn entry_spec(input: JournalEntryInput) -> async_graphql::Result<journal::EntrySpec> {
    Ok(journal::EntrySpec {
        client_id: parse_id("input.clientId", &input.client_id).gql()?,
        measured_on: input.measured_on,
        period: input.period,
        weight: input.weight,
        chest: input.chest,
        waist: input.waist,
        lower_abdomen: input.lower_abdomen,
        glutes: input.glutes,
        right_thigh: input.right_thigh,
        left_thigh: input.left_thigh,
        right_calf: input.right_calf,
        left_calf: input.left_calf,
        right_arm: input.right_arm,
        left_arm: input.left_arm,
        notes: input.notes,
    })
}

fn program_spec(input: TrainingProgramInput) -> programs::ProgramSpec {
    programs::ProgramSpec {
        title: input.title,
        description: input.description,
        format: input.format,
        content: input.content,
        exercises: input.exercises.unwrap_or_default(),
        price: input.price.map_or(0, |p| p.minor()),
        active: input.active.unwrap_or(true),
    }
}

#[derive(Default)]
pub struct CoachingQuery;

#[Object]
impl CoachingQuery {
    /// A client's progress journal with chart data; a client may read only their own.
    #[graphql(guard = "policy(\"Query.progressJournal\")")]
    async fn progress_journal(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
    ) -> async_graphql::Result<ProgressJournal> {
        let state = ctx.state()?;
        let client_id = parse_id("clientId", &client_id).gql()?;
        ctx.actor()
            .reach()
            .and_then(|r| r.may_touch(client_id))
            .gql()?;
        crate::clients::service::get(&state.db, client_id)
            .await
            .gql()?;
        Ok(ProgressJournal {
            client_id,
            entries: journal::entries(&state.db, client_id).await.gql()?,
        })
    }

    /// The program library.
    #[graphql(guard = "policy(\"Query.trainingPrograms\")")]
    async fn training_programs(
        &self,
        ctx: &Context<'_>,
        include_inactive: Option<bool>,
    ) -> async_graphql::Result<Vec<TrainingProgram>> {
        let state = ctx.state()?;
        let rows = programs::list(&state.db, include_inactive.unwrap_or(false))
            .await
            .gql()?;
        Ok(rows.into_iter().map(TrainingProgram).collect())
    }

    /// One program; a client may read only one assigned to them.
    #[graphql(guard = "policy(\"Query.trainingProgram\")")]
    async fn training_program(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<TrainingProgram> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        programs::ensure_may_read(&state.db, ctx.actor(), id)
            .await
            .gql()?;
        Ok(TrainingProgram(programs::get(&state.db, id).await.gql()?))
    }

    /// Programs assigned to a client, newest first; a client may read only their own.
    #[graphql(guard = "policy(\"Query.clientPrograms\")")]
    async fn client_programs(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
    ) -> async_graphql::Result<Vec<ProgramAssignment>> {
        let state = ctx.state()?;
        let client_id = parse_id("clientId", &client_id).gql()?;
        ctx.actor()
            .reach()
            .and_then(|r| r.may_touch(client_id))
            .gql()?;
        let rows = programs::of_client(&state.db, client_id).await.gql()?;
        Ok(rows.into_iter().map(ProgramAssignment).collect())
    }
}

#[derive(Default)]
pub struct CoachingMutation;

#[Object]
impl CoachingMutation {
    /// Adds a measurement entry to a client's journal.
    #[graphql(guard = "policy(\"Mutation.addJournalEntry\")")]
    async fn add_journal_entry(
        &self,
        ctx: &Context<'_>,
        input: JournalEntryInput,
    ) -> async_graphql::Result<JournalEntry> {
        let state = ctx.state()?;
        let spec = entry_spec(input)?;
        Ok(journal::save(state, &ctx.caller(), None, spec)
            .await
            .gql()?
            .into())
    }

    /// Replaces a journal entry.
    #[graphql(guard = "policy(\"Mutation.updateJournalEntry\")")]
    async fn update_journal_entry(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: JournalEntryInput,
    ) -> async_graphql::Result<JournalEntry> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let spec = entry_spec(input)?;
        Ok(journal::save(state, &ctx.caller(), Some(id), spec)
            .await
            .gql()?
            .into())
    }

    #[graphql(guard = "policy(\"Mutation.deleteJournalEntry\")")]
    async fn delete_journal_entry(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        journal::delete(state, &ctx.caller(), id).await.gql()?;
        Ok(true)
    }

    #[graphql(guard = "policy(\"Mutation.createTrainingProgram\")")]
    async fn create_training_program(
        &self,
        ctx: &Context<'_>,
        input: TrainingProgramInput,
    ) -> async_graphql::Result<TrainingProgram> {
        let state = ctx.state()?;
        Ok(TrainingProgram(
            programs::save(state, &ctx.caller(), None, program_spec(input))
                .await
                .gql()?,
        ))
    }

    #[graphql(guard = "policy(\"Mutation.updateTrainingProgram\")")]
    async fn update_training_program(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: TrainingProgramInput,
    ) -> async_graphql::Result<TrainingProgram> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        Ok(TrainingProgram(
            programs::save(state, &ctx.caller(), Some(id), program_spec(input))
                .await
                .gql()?,
        ))
    }

    /// Gives a program to a client; a paid one is charged through the payment ledger.
    #[graphql(guard = "policy(\"Mutation.assignTrainingProgram\")")]
    async fn assign_training_program(
        &self,
        ctx: &Context<'_>,
        input: AssignProgramInput,
    ) -> async_graphql::Result<ProgramAssignment> {
        let state = ctx.state()?;
        let a = programs::Assignment {
            program_id: parse_id("input.programId", &input.program_id).gql()?,
            client_id: parse_id("input.clientId", &input.client_id).gql()?,
            paid: input.paid,
            price: input.price.map(|p| p.minor()),
            method: input.payment_method,
            notes: input.notes,
        };
        Ok(ProgramAssignment(
            programs::assign(state, &ctx.caller(), a, &input.idempotency_key)
                .await
                .gql()?,
        ))
    }

    /// Marks an assigned program started (staff, or the client it was given to); again is a
    /// no-op.
    #[graphql(guard = "policy(\"Mutation.startTrainingProgram\")")]
    async fn start_training_program(
        &self,
        ctx: &Context<'_>,
        assignment_id: ID,
    ) -> async_graphql::Result<ProgramAssignment> {
        self.progress(ctx, assignment_id, programs::Progress::Start)
            .await
    }

    /// Marks an assigned program completed (staff, or the client it was given to); again is a
    /// no-op.
    #[graphql(guard = "policy(\"Mutation.completeTrainingProgram\")")]
    async fn complete_training_program(
        &self,
        ctx: &Context<'_>,
        assignment_id: ID,
    ) -> async_graphql::Result<ProgramAssignment> {
        self.progress(ctx, assignment_id, programs::Progress::Complete)
            .await
    }
}

impl CoachingMutation {
    async fn progress(
        &self,
        ctx: &Context<'_>,
        assignment_id: ID,
        step: programs::Progress,
    ) -> async_graphql::Result<ProgramAssignment> {
        let state = ctx.state()?;
        let id = parse_id("assignmentId", &assignment_id).gql()?;
        programs::progress(state, &ctx.caller(), id, step)
            .await
            .map(ProgramAssignment)
            .gql()
    }
}

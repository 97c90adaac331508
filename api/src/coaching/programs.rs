//! Training programs (formatted text or a table of exercises) and their assignment to clients,
//! paid through the payment ledger or given free.

use entity::{
    coaching_assignment, coaching_program,
    enums::{PaymentKind, PaymentMethod, ProgramFormat},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    auth::actor::{Actor, Caller},
    billing::{idempotency::Claim, ledger},
    clients::service as clients,
    domain::text,
    error::{AppError, AppResult},
    events::domain::{ProgramEvent, ProgramFacts},
    state::AppState,
};

/// Most rows in an exercise table.
pub const MAX_EXERCISES: usize = 200;

/// One row of a program's exercise table.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    async_graphql::SimpleObject,
    async_graphql::InputObject,
)]
#[graphql(input_name = "ExerciseInput")]
#[serde(rename_all = "camelCase")]
pub struct Exercise {
    /// "Day 1", "Monday", a block name.
    pub day: Option<String>,
    pub name: String,
    pub sets: Option<i32>,
    /// "8-12", "to failure".
    pub reps: Option<String>,
    /// "60 kg", "bodyweight".
    pub weight: Option<String>,
    pub rest_seconds: Option<i32>,
    pub notes: Option<String>,
}

impl Exercise {
    fn check(self, i: usize) -> AppResult<Exercise> {
        let f = |name: &str| format!("input.exercises.{i}.{name}");
        if self.sets.is_some_and(|s| !(1..=100).contains(&s)) {
            return Err(AppError::validation(f("sets"), "от 1 до 100", "1 to 100"));
        }
        if self.rest_seconds.is_some_and(|s| !(0..=3600).contains(&s)) {
            return Err(AppError::validation(
                f("restSeconds"),
                "от 0 до 3600 секунд",
                "0 to 3600 seconds",
            ));
        }
        Ok(Exercise {
            day: text::optional(&f("day"), self.day.as_deref(), 60)?,
            name: text::required(&f("name"), &self.name, 200)?,
            sets: self.sets,
            reps: text::optional(&f("reps"), self.reps.as_deref(), 60)?,
            weight: text::optional(&f("weight"), self.weight.as_deref(), 60)?,
            rest_seconds: self.rest_seconds,
            notes: text::optional(&f("notes"), self.notes.as_deref(), 500)?,
        })
    }
}

pub fn exercises_of(p: &coaching_program::Model) -> Vec<Exercise> {
    p.exercises
        .clone()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

#[derive(Debug, Clone)]
pub struct ProgramSpec {
    pub title: String,
    pub description: Option<String>,
    pub format: ProgramFormat,
    pub content: Option<String>,
    pub exercises: Vec<Exercise>,
    pub price: i64,
    pub active: bool,
}

impl ProgramSpec {
    fn check(self) -> AppResult<ProgramSpec> {
        let content = text::optional("input.content", self.content.as_deref(), 50_000)?;
        if self.exercises.len() > MAX_EXERCISES {
            return Err(AppError::validation(
                "input.exercises",
                format!("не больше {MAX_EXERCISES} упражнений"),
                format!("at most {MAX_EXERCISES} exercises"),
            ));
        }
        let exercises = self
            .exercises
            .into_iter()
            .enumerate()
            .map(|(i, e)| e.check(i))
            .collect::<AppResult<Vec<_>>>()?;
        match self.format {
            ProgramFormat::RichText if content.is_none() => {
                return Err(AppError::validation(
                    "input.content",
                    "программа в виде текста требует текст",
                    "a rich-text program needs its text",
                ));
            }
            ProgramFormat::Table if exercises.is_empty() => {
                return Err(AppError::validation(
                    "input.exercises",
                    "программа в виде таблицы требует хотя бы одно упражнение",
                    "a table program needs at least one exercise",
                ));
            }
            _ => {}
        }
        if !(0..=1_000_000_000_000).contains(&self.price) {
            return Err(AppError::validation(
                "input.price",
                "цена не может быть отрицательной",
                "the price cannot be negative",
            ));
        }
        Ok(ProgramSpec {
            title: text::required("input.title", &self.title, 200)?,
            description: text::optional("input.description", self.description.as_deref(), 2000)?,
            content,
            exercises,
            ..self
        })
    }
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<coaching_program::Model> {
    coaching_program::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Программа", "Program", id))
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    include_inactive: bool,
) -> AppResult<Vec<coaching_program::Model>> {
    let mut select = coaching_program::Entity::find().order_by_asc(coaching_program::Column::Title);
    if !include_inactive {
        select = select.filter(coaching_program::Column::Active.eq(true));
    }
    Ok(select.all(conn).await?)
}

pub async fn save(
    state: &AppState,
    caller: &Caller,
    id: Option<i64>,
    spec: ProgramSpec,
) -> AppResult<coaching_program::Model> {
    let spec = spec.check()?;
    state
        .write(caller, |tx| {
            let spec = spec.clone();
            Box::pin(async move {
                let now = tx.now();
                let mut row = match id {
                    Some(id) => get(tx.db(), id).await?.into(),
                    None => coaching_program::ActiveModel {
                        created_by: Set(caller.actor.user_id()),
                        created_at: Set(now),
                        ..Default::default()
                    },
                };
                let exercises = if spec.exercises.is_empty() {
                    None
                } else {
                    Some(serde_json::to_value(&spec.exercises).map_err(AppError::internal)?)
                };
                row.title = Set(spec.title);
                row.description = Set(spec.description);
                row.format = Set(spec.format);
                row.content = Set(spec.content);
                row.exercises = Set(exercises);
                row.price = Set(spec.price);
                row.active = Set(spec.active);
                row.updated_at = Set(now);
                let row = match id {
                    Some(_) => row.update(tx.db()).await?,
                    None => row.insert(tx.db()).await?,
                };
                tx.audit(
                    if id.is_some() {
                        "coaching.program.update"
                    } else {
                        "coaching.program.create"
                    },
                    "coaching_program",
                    Some(row.id),
                    json!({ "title": row.title, "price": row.price }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// A program to give a client.
#[derive(Debug, Clone, Serialize)]
pub struct Assignment {
    pub program_id: i64,
    pub client_id: i64,
    /// Whether the client pays for it now.
    pub paid: bool,
    /// Defaults to the program's price.
    pub price: Option<i64>,
    pub method: Option<PaymentMethod>,
    pub notes: Option<String>,
}

pub async fn get_assignment<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> AppResult<coaching_assignment::Model> {
    coaching_assignment::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Назначение программы", "Program assignment", id))
}

/// Assigns a program to a client; a paid one takes the payment through the ledger in the same
/// transaction. Once per idempotency key.
pub async fn assign(
    state: &AppState,
    caller: &Caller,
    a: Assignment,
    key: &str,
) -> AppResult<coaching_assignment::Model> {
    let notes = &text::optional("input.notes", a.notes.as_deref(), 1000)?;
    let claim = &Claim::new(key, "coaching.program.assign", &a)?;
    let a = &a;
    // The key remembers the assignment's id; a repeat reads the assignment back.
    let id = state
        .write_once(caller, claim, |tx| {
            Box::pin(async move {
                let program = get(tx.db(), a.program_id).await?;
                if !program.active {
                    return Err(AppError::validation(
                        "input.programId",
                        format!("программа «{}» в архиве", program.title),
                        format!("program `{}` is archived", program.title),
                    ));
                }
                clients::get(tx.db(), a.client_id).await?;
                let price = a.price.unwrap_or(program.price);
                if !(0..=1_000_000_000_000).contains(&price) {
                    return Err(AppError::validation(
                        "input.price",
                        "цена не может быть отрицательной",
                        "the price cannot be negative",
                    ));
                }
                let now = tx.now();
                let payment_id = if a.paid {
                    let purpose = format!("Программа «{}»", program.title);
                    ledger::charge(
                        tx,
                        a.client_id,
                        price,
                        a.method,
                        PaymentKind::Program,
                        purpose,
                        None,
                    )
                    .await?
                } else {
                    None
                };
                let row = coaching_assignment::ActiveModel {
                    program_id: Set(program.id),
                    client_id: Set(a.client_id),
                    assigned_by: Set(caller.actor.user_id()),
                    assigned_at: Set(now),
                    paid: Set(a.paid),
                    price: Set(price),
                    payment_id: Set(payment_id),
                    notes: Set(notes.clone()),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                tx.emit(&ProgramEvent::Assigned(facts(&row, &program)))
                    .await?;
                tx.audit(
                    "coaching.program.assign",
                    "client",
                    Some(a.client_id),
                    json!({
                        "assignmentId": row.id,
                        "programId": program.id,
                        "paid": a.paid,
                        "price": price,
                        "paymentId": payment_id,
                        "idempotencyKey": claim.key,
                    }),
                )
                .await?;
                Ok(row.id)
            })
        })
        .await?;
    get_assignment(&state.db, id).await
}

fn facts(row: &coaching_assignment::Model, program: &coaching_program::Model) -> ProgramFacts {
    ProgramFacts {
        assignment_id: row.id,
        program_id: program.id,
        program_title: program.title.clone(),
        client_id: row.client_id,
        paid: row.paid,
        price: row.price,
    }
}

/// Where an assigned program is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Start,
    Complete,
}

/// Marks an assigned program started or completed, by staff or by its own client; a program
/// completed without a start is started at the same time. Doing it again changes nothing and
/// raises no event.
pub async fn progress(
    state: &AppState,
    caller: &Caller,
    assignment_id: i64,
    step: Progress,
) -> AppResult<coaching_assignment::Model> {
    let reach = caller.actor.reach()?;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let row = coaching_assignment::Entity::find_by_id(assignment_id)
                    .one(tx.db())
                    .await?;
                reach.may_touch_found(row.as_ref().map(|r| r.client_id))?;
                let row = row.ok_or_else(|| {
                    AppError::not_found("Назначение программы", "Program assignment", assignment_id)
                })?;
                let done = match step {
                    Progress::Start => row.started_at.is_some(),
                    Progress::Complete => row.completed_at.is_some(),
                };
                if done {
                    return Ok(row);
                }
                let program = get(tx.db(), row.program_id).await?;
                let now = tx.now();
                let mut model: coaching_assignment::ActiveModel = row.clone().into();
                if row.started_at.is_none() {
                    model.started_at = Set(Some(now));
                }
                if step == Progress::Complete {
                    model.completed_at = Set(Some(now));
                }
                let row = model.update(tx.db()).await?;
                let facts = facts(&row, &program);
                let (event, action) = match step {
                    Progress::Start => (ProgramEvent::Started(facts), "coaching.program.start"),
                    Progress::Complete => {
                        (ProgramEvent::Completed(facts), "coaching.program.complete")
                    }
                };
                tx.emit(&event).await?;
                tx.audit(
                    action,
                    "client",
                    Some(row.client_id),
                    json!({ "assignmentId": row.id, "programId": program.id }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// A client's assigned programs, newest first.
pub async fn of_client<C: ConnectionTrait>(
    conn: &C,
    client_id: i64,
) -> AppResult<Vec<coaching_assignment::Model>> {
    Ok(coaching_assignment::Entity::find()
        .filter(coaching_assignment::Column::ClientId.eq(client_id))
        .order_by_desc(coaching_assignment::Column::AssignedAt)
        .order_by_desc(coaching_assignment::Column::Id)
        .all(conn)
        .await?)
}

/// Staff read any program; a client only one assigned to them.
pub async fn ensure_may_read<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    program_id: i64,
) -> AppResult<()> {
    let Some(client_id) = actor.reach()?.own() else {
        return Ok(());
    };
    let assigned = coaching_assignment::Entity::find()
        .filter(coaching_assignment::Column::ClientId.eq(client_id))
        .filter(coaching_assignment::Column::ProgramId.eq(program_id))
        .one(conn)
        .await?;
    match assigned {
        Some(_) => Ok(()),
        None => Err(AppError::forbidden()),
    }
}

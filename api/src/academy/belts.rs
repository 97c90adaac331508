//! Belt ladders (adults and kids), exams, eligibility for the next belt, and promotions with
//! their history.
//!
//! Eligibility is "X of Y classes since the last promotion": X counts classes attended
//! (present or late) since the student's last promotion, or since joining; Y is the
//! `classesRequired` the academy set on the student's current belt.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    academy_belt, academy_exam, academy_rank, academy_student,
    enums::{BeltTrack, ExamResult},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, Statement,
};
use serde_json::json;

use super::students;
use crate::{
    auth::actor::Caller,
    domain::text,
    error::{AppError, AppResult},
    state::AppState,
    write::Tx,
};

/// Most students promoted at once.
pub const MAX_PROMOTED: usize = 200;

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<academy_belt::Model> {
    academy_belt::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Пояс", "Belt", id))
}

#[derive(Debug, Clone)]
pub struct BeltSpec {
    pub track: BeltTrack,
    pub name: String,
    pub color: String,
    pub position: i32,
    pub max_stripes: i32,
    pub classes_required: i32,
    pub active: bool,
}

impl BeltSpec {
    fn check(mut self) -> AppResult<BeltSpec> {
        self.name = text::required("input.name", &self.name, 60)?;
        self.color = text::color("input.color", Some(self.color.as_str()))?
            .ok_or_else(|| AppError::validation("input.color", "укажите цвет", "give a colour"))?;
        if !(0..=1000).contains(&self.position) {
            return Err(AppError::validation(
                "input.position",
                "место в линейке — от 0 до 1000",
                "the position is 0 to 1000",
            ));
        }
        if !(0..=10).contains(&self.max_stripes) {
            return Err(AppError::validation(
                "input.maxStripes",
                "от 0 до 10 полос",
                "0 to 10 stripes",
            ));
        }
        if !(0..=10_000).contains(&self.classes_required) {
            return Err(AppError::validation(
                "input.classesRequired",
                "от 0 до 10 000 занятий",
                "0 to 10,000 classes",
            ));
        }
        Ok(self)
    }
}

pub async fn ladder<C: ConnectionTrait>(
    conn: &C,
    track: Option<BeltTrack>,
) -> AppResult<Vec<academy_belt::Model>> {
    let mut select = academy_belt::Entity::find()
        .order_by_asc(academy_belt::Column::Track)
        .order_by_asc(academy_belt::Column::Position);
    if let Some(track) = track {
        select = select.filter(academy_belt::Column::Track.eq(track));
    }
    Ok(select.all(conn).await?)
}

pub async fn save_belt(
    state: &AppState,
    caller: &Caller,
    id: Option<i64>,
    spec: BeltSpec,
) -> AppResult<academy_belt::Model> {
    let spec = spec.check()?;
    state
        .write(caller, |tx| {
            let spec = spec.clone();
            Box::pin(async move {
                let taken = academy_belt::Entity::find()
                    .filter(academy_belt::Column::Track.eq(spec.track))
                    .filter(academy_belt::Column::Position.eq(spec.position))
                    .one(tx.db())
                    .await?;
                if let Some(taken) = taken.filter(|b| Some(b.id) != id) {
                    return Err(AppError::conflict(
                        format!(
                            "Место {} в линейке занято поясом «{}»",
                            spec.position, taken.name
                        ),
                        format!(
                            "Position {} of the ladder is belt `{}`",
                            spec.position, taken.name
                        ),
                    ));
                }
                let mut row = match id {
                    Some(id) => {
                        let current = get(tx.db(), id).await?;
                        if current.track != spec.track {
                            return Err(AppError::validation(
                                "input.track",
                                "пояс нельзя перенести в другую линейку",
                                "a belt cannot move to the other ladder",
                            ));
                        }
                        current.into()
                    }
                    None => academy_belt::ActiveModel {
                        created_at: Set(tx.now()),
                        ..Default::default()
                    },
                };
                row.track = Set(spec.track);
                row.name = Set(spec.name);
                row.color = Set(spec.color);
                row.position = Set(spec.position);
                row.max_stripes = Set(spec.max_stripes as i16);
                row.classes_required = Set(spec.classes_required);
                row.active = Set(spec.active);
                let row = match id {
                    Some(_) => row.update(tx.db()).await?,
                    None => row.insert(tx.db()).await?,
                };
                tx.audit(
                    if id.is_some() {
                        "academy.belt.update"
                    } else {
                        "academy.belt.create"
                    },
                    "academy_belt",
                    Some(row.id),
                    json!({ "name": row.name, "track": row.track, "position": row.position }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// The belt after `current` on `track` (the first belt when the student has none).
pub fn next_belt<'a>(
    ladder: &'a [academy_belt::Model],
    track: BeltTrack,
    current: Option<&academy_belt::Model>,
) -> Option<&'a academy_belt::Model> {
    ladder
        .iter()
        .filter(|b| b.active && b.track == track)
        .filter(|b| current.is_none_or(|c| b.position > c.position))
        .min_by_key(|b| b.position)
}

#[derive(Debug, FromQueryResult)]
struct Attended {
    student_id: i64,
    n: i64,
}

/// Classes each student attended since their last promotion (or joining): one statement.
pub async fn classes_since<C: ConnectionTrait>(
    conn: &C,
    student_ids: &[i64],
) -> Result<HashMap<i64, i64>, sea_orm::DbErr> {
    if student_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids = student_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT a.student_id AS student_id, CAST(COUNT(*) AS BIGINT) AS n \
         FROM academy_attendance a \
         JOIN academy_session s ON s.id = a.session_id \
         JOIN academy_student st ON st.id = a.student_id \
         WHERE a.student_id IN ({ids}) AND a.status IN ('present', 'late') \
           AND s.status = 'scheduled' \
           AND s.starts_at >= COALESCE(st.promoted_at, st.joined_at) \
         GROUP BY a.student_id"
    );
    let rows =
        Attended::find_by_statement(Statement::from_string(conn.get_database_backend(), sql))
            .all(conn)
            .await?;
    Ok(rows.into_iter().map(|r| (r.student_id, r.n)).collect())
}

/// Where a student stands against the academy's rule for the next belt.
#[derive(Debug, Clone)]
pub struct Eligibility {
    pub student: academy_student::Model,
    pub current: Option<academy_belt::Model>,
    pub next: Option<academy_belt::Model>,
    pub since: DateTime<Utc>,
    pub classes_since: i64,
    pub classes_required: i32,
    pub eligible: bool,
}

pub fn eligibility_of(
    student: academy_student::Model,
    ladder: &[academy_belt::Model],
    attended: i64,
) -> Eligibility {
    let current = student
        .belt_id
        .and_then(|id| ladder.iter().find(|b| b.id == id))
        .cloned();
    let next = next_belt(ladder, student.track, current.as_ref()).cloned();
    let classes_required = current.as_ref().map_or(0, |b| b.classes_required);
    Eligibility {
        since: student.promoted_at.unwrap_or(student.joined_at),
        eligible: next.is_some() && attended >= i64::from(classes_required),
        current,
        next,
        classes_since: attended,
        classes_required,
        student,
    }
}

/// Eligibility of the active students of a location (one ladder or both).
pub async fn eligibility(
    state: &AppState,
    location_id: i64,
    track: Option<BeltTrack>,
    only_eligible: bool,
) -> AppResult<Vec<Eligibility>> {
    let mut select = academy_student::Entity::find()
        .filter(academy_student::Column::LocationId.eq(location_id))
        .filter(academy_student::Column::Active.eq(true))
        .order_by_asc(academy_student::Column::Id);
    if let Some(track) = track {
        select = select.filter(academy_student::Column::Track.eq(track));
    }
    let students = select.all(&state.db).await?;
    let ladder = ladder(&state.db, None).await?;
    let ids: Vec<i64> = students.iter().map(|s| s.id).collect();
    let attended = classes_since(&state.db, &ids).await?;
    Ok(students
        .into_iter()
        .map(|s| {
            let n = attended.get(&s.id).copied().unwrap_or(0);
            eligibility_of(s, &ladder, n)
        })
        .filter(|e| !only_eligible || e.eligible)
        .collect())
}

#[derive(Debug, Clone)]
pub struct Promotion {
    pub student_ids: Vec<i64>,
    pub belt_id: i64,
    pub stripes: i32,
    pub note: Option<String>,
}

/// The rank a promotion gives.
struct Target<'a> {
    belt: &'a academy_belt::Model,
    stripes: i16,
    note: Option<String>,
    exam_id: Option<i64>,
}

async fn promote_in(
    tx: &Tx<'_>,
    student_ids: &[i64],
    target: Target<'_>,
) -> AppResult<Vec<academy_student::Model>> {
    let (txn, caller, now) = (tx.db(), tx.caller(), tx.now());
    let Target {
        belt,
        stripes,
        note,
        exam_id,
    } = target;
    let mut found: HashMap<i64, academy_student::Model> = academy_student::Entity::find()
        .filter(academy_student::Column::Id.is_in(student_ids.iter().copied()))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let ladder = ladder(txn, None).await?;
    let mut out = Vec::with_capacity(student_ids.len());
    for (i, id) in student_ids.iter().enumerate() {
        let student = found.remove(id).ok_or_else(|| students::not_found(*id))?;
        let current = student
            .belt_id
            .and_then(|b| ladder.iter().find(|l| l.id == b));
        if let Some(c) = current
            && c.track == belt.track
            && (belt.position, stripes) <= (c.position, student.stripes)
        {
            return Err(AppError::validation(
                format!("input.studentIds.{i}"),
                format!(
                    "ученик {id} уже на поясе «{}» с {} полосами: повышение должно быть выше",
                    c.name, student.stripes
                ),
                format!(
                    "student {id} already holds `{}` with {} stripes: a promotion goes higher",
                    c.name, student.stripes
                ),
            ));
        }
        if let Some(reason) = super::rules::refusal(txn, &student, current, belt, now).await? {
            return Err(AppError::Conflict(reason));
        }
        academy_rank::ActiveModel {
            student_id: Set(student.id),
            belt_id: Set(belt.id),
            stripes: Set(stripes),
            previous_belt_id: Set(student.belt_id),
            previous_stripes: Set(student.stripes),
            exam_id: Set(exam_id),
            note: Set(note.clone()),
            promoted_at: Set(now),
            promoted_by: Set(caller.actor.user_id()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        tx.audit(
            "academy.promote",
            "academy_student",
            Some(student.id),
            json!({
                "from": { "beltId": student.belt_id, "stripes": student.stripes },
                "to": { "beltId": belt.id, "stripes": stripes },
                "examId": exam_id,
                "note": note,
            }),
        )
        .await?;
        let mut row: academy_student::ActiveModel = student.into();
        row.belt_id = Set(Some(belt.id));
        row.track = Set(belt.track);
        row.stripes = Set(stripes);
        row.promoted_at = Set(Some(now));
        row.updated_at = Set(now);
        out.push(row.update(txn).await?);
    }
    Ok(out)
}

/// Promotes one or many students to a belt (and stripe count), with a history row and an
/// audit row each, all or none.
pub async fn promote(
    state: &AppState,
    caller: &Caller,
    p: Promotion,
) -> AppResult<Vec<academy_student::Model>> {
    let note = text::optional("input.note", p.note.as_deref(), 500)?;
    if p.student_ids.is_empty() || p.student_ids.len() > MAX_PROMOTED {
        return Err(AppError::validation(
            "input.studentIds",
            format!("от 1 до {MAX_PROMOTED} учеников за раз"),
            format!("1 to {MAX_PROMOTED} students at a time"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = p.student_ids.iter().find(|id| !seen.insert(**id)) {
        return Err(AppError::validation(
            "input.studentIds",
            format!("ученик {dup} указан дважды"),
            format!("student {dup} is listed twice"),
        ));
    }
    state
        .write(caller, |tx| {
            let note = note.clone();
            let p = p.clone();
            Box::pin(async move {
                let belt = get(tx.db(), p.belt_id).await?;
                let stripes = students::check_stripes("input.stripes", p.stripes, &belt)?;
                let out = promote_in(
                    tx,
                    &p.student_ids,
                    Target {
                        belt: &belt,
                        stripes,
                        note,
                        exam_id: None,
                    },
                )
                .await?;
                Ok(out)
            })
        })
        .await
}

pub async fn rank_history<C: ConnectionTrait>(
    conn: &C,
    student_id: i64,
) -> AppResult<Vec<academy_rank::Model>> {
    Ok(academy_rank::Entity::find()
        .filter(academy_rank::Column::StudentId.eq(student_id))
        .order_by_asc(academy_rank::Column::PromotedAt)
        .order_by_asc(academy_rank::Column::Id)
        .all(conn)
        .await?)
}

#[derive(Debug, Clone)]
pub struct ExamSpec {
    pub student_id: i64,
    pub belt_id: i64,
    pub exam_date: NaiveDate,
    pub result: ExamResult,
    pub notes: Option<String>,
    /// A passed exam promotes the student to the belt (no stripes).
    pub promote: bool,
}

pub async fn get_exam<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<academy_exam::Model> {
    academy_exam::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Экзамен", "Exam", id))
}

/// Records an exam (scheduled, passed or failed), or its result when `id` is given.
pub async fn save_exam(
    state: &AppState,
    caller: &Caller,
    id: Option<i64>,
    spec: ExamSpec,
) -> AppResult<academy_exam::Model> {
    let notes = text::optional("input.notes", spec.notes.as_deref(), 2000)?;
    state
        .write(caller, |tx| {
            let notes = notes.clone();
            Box::pin(async move {
                let student = students::get(tx.db(), spec.student_id).await?;
                let belt = get(tx.db(), spec.belt_id).await?;
                let now = tx.now();
                let mut row = match id {
                    Some(id) => {
                        let current = get_exam(tx.db(), id).await?;
                        if current.student_id != student.id {
                            return Err(AppError::validation(
                                "input.studentId",
                                "экзамен другого ученика",
                                "the exam is another student's",
                            ));
                        }
                        current.into()
                    }
                    None => academy_exam::ActiveModel {
                        created_by: Set(caller.actor.user_id()),
                        created_at: Set(now),
                        ..Default::default()
                    },
                };
                row.student_id = Set(student.id);
                row.belt_id = Set(belt.id);
                row.exam_date = Set(spec.exam_date);
                row.result = Set(spec.result);
                row.notes = Set(notes);
                row.updated_at = Set(now);
                let exam = match id {
                    Some(_) => row.update(tx.db()).await?,
                    None => row.insert(tx.db()).await?,
                };
                tx.audit(
                    "academy.exam.save",
                    "academy_exam",
                    Some(exam.id),
                    json!({ "studentId": exam.student_id, "beltId": exam.belt_id, "result": exam.result }),
                )
                .await?;
                if spec.promote && spec.result == ExamResult::Passed {
                    promote_in(
                        tx,
                        &[student.id],
                        Target {
                            belt: &belt,
                            stripes: 0,
                            note: Some(format!("Экзамен {}", exam.exam_date)),
                            exam_id: Some(exam.id),
                        },
                    )
                    .await?;
                }
                Ok(exam)
            })
        })
        .await
}

/// Exams of a location's students dated from `from` to `to` (inclusive), by date.
pub async fn exams<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<academy_exam::Model>> {
    use sea_orm::{QuerySelect, QueryTrait};
    let students = academy_student::Entity::find()
        .select_only()
        .column(academy_student::Column::Id)
        .filter(academy_student::Column::LocationId.eq(location_id))
        .into_query();
    Ok(academy_exam::Entity::find()
        .filter(academy_exam::Column::StudentId.in_subquery(students))
        .filter(academy_exam::Column::ExamDate.gte(from))
        .filter(academy_exam::Column::ExamDate.lte(to))
        .order_by_asc(academy_exam::Column::ExamDate)
        .order_by_asc(academy_exam::Column::Id)
        .all(conn)
        .await?)
}

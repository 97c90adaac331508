//! Attendance: marking a session's students one by one or as a list, bookings and check-in by
//! the student, visits taken from memberships, and missed-class detection.
//!
//! Marks of one session take turns: the session row is locked on PostgreSQL and the write
//! turn is held on SQLite, so the capacity check and the visit count cannot race.

use crate::domain::timezone;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use entity::{
    academy_attendance, academy_session, academy_student,
    enums::{AttendanceStatus, ClassSessionStatus},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
};
use serde_json::json;

use super::{memberships, students, timetable, waitlist};
use crate::{
    auth::actor::Caller,
    domain::text,
    error::{AppError, AppResult, Msg},
    state::AppState,
    write::Tx,
};

/// A check-in opens this long before the start…
pub const CHECK_IN_OPENS: Duration = Duration::minutes(60);
/// …and after this long past the start the student is late.
pub const LATE_AFTER: Duration = Duration::minutes(10);

/// One student's mark.
#[derive(Debug, Clone)]
pub struct Mark {
    pub student_id: i64,
    pub status: AttendanceStatus,
    pub note: Option<String>,
}

fn full(session: &academy_session::Model) -> AppError {
    AppError::SlotTaken(Msg::new(
        format!(
            "На тренировке «{}» нет мест: все {} заняты. Можно встать в лист ожидания",
            session.name, session.capacity
        ),
        format!(
            "Class `{}` is full: all {} places are taken. The waitlist is open",
            session.name, session.capacity
        ),
    ))
}

pub(crate) async fn lock_session(
    txn: &DatabaseTransaction,
    session_id: i64,
) -> AppResult<academy_session::Model> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT id FROM academy_session WHERE id = $1 FOR UPDATE",
            [session_id.into()],
        ))
        .await?;
    }
    let session = timetable::get_session(txn, session_id).await?;
    if session.status == ClassSessionStatus::Cancelled {
        return Err(AppError::conflict(
            format!("Тренировка «{}» отменена", session.name),
            format!("Class `{}` is cancelled", session.name),
        ));
    }
    Ok(session)
}

pub async fn of_session<C: ConnectionTrait>(
    conn: &C,
    session_id: i64,
) -> AppResult<Vec<academy_attendance::Model>> {
    Ok(academy_attendance::Entity::find()
        .filter(academy_attendance::Column::SessionId.eq(session_id))
        .order_by_asc(academy_attendance::Column::Id)
        .all(conn)
        .await?)
}

/// Applies marks to a locked session; `rows` holds its attendance and is kept current.
async fn apply(
    txn: &DatabaseTransaction,
    caller: &Caller,
    session: &academy_session::Model,
    rows: &mut Vec<academy_attendance::Model>,
    mark: &Mark,
    now: DateTime<Utc>,
    day: chrono::NaiveDate,
) -> AppResult<academy_attendance::Model> {
    let old = rows.iter().position(|r| r.student_id == mark.student_id);
    let old_status = old.map(|i| rows[i].status);
    if mark.status.holds_place() && !old_status.is_some_and(AttendanceStatus::holds_place) {
        let taken = rows.iter().filter(|r| r.status.holds_place()).count();
        if taken >= session.capacity.max(0) as usize {
            return Err(full(session));
        }
    }
    let was_attended = old_status.is_some_and(AttendanceStatus::attended);
    let (membership_id, without_membership) = match (was_attended, mark.status.attended()) {
        (false, true) => {
            let used = memberships::use_visit(txn, mark.student_id, day).await?;
            (used, used.is_none())
        }
        (true, false) => {
            if let Some(id) = old.and_then(|i| rows[i].membership_id) {
                memberships::return_visit(txn, id).await?;
            }
            (None, false)
        }
        (true, true) => old.map_or((None, false), |i| {
            (rows[i].membership_id, rows[i].without_membership)
        }),
        (false, false) => (None, false),
    };
    let checked_in_at = if mark.status.attended() {
        old.and_then(|i| rows[i].checked_in_at)
            .or(Some(arrival(session, now)))
    } else {
        None
    };
    let saved = match old {
        Some(i) => {
            let mut row: academy_attendance::ActiveModel = rows[i].clone().into();
            row.status = Set(mark.status);
            row.membership_id = Set(membership_id);
            row.without_membership = Set(without_membership);
            row.checked_in_at = Set(checked_in_at);
            row.marked_by = Set(caller.actor.user_id());
            if mark.note.is_some() {
                row.note = Set(mark.note.clone());
            }
            row.updated_at = Set(now);
            let saved = row.update(txn).await?;
            rows[i] = saved.clone();
            saved
        }
        None => {
            let saved = academy_attendance::ActiveModel {
                session_id: Set(session.id),
                student_id: Set(mark.student_id),
                status: Set(mark.status),
                membership_id: Set(membership_id),
                without_membership: Set(without_membership),
                checked_in_at: Set(checked_in_at),
                marked_by: Set(caller.actor.user_id()),
                note: Set(mark.note.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            rows.push(saved.clone());
            saved
        }
    };
    Ok(saved)
}

/// When a student marked as come arrived: the moment of the mark while the class's check-in is
/// open, and the start of the class for a mark entered before or after it (a register filled
/// in the next day did not see them walk in the next day).
fn arrival(session: &academy_session::Model, marked_at: DateTime<Utc>) -> DateTime<Utc> {
    if marked_at >= session.starts_at - CHECK_IN_OPENS && marked_at <= session.ends_at {
        marked_at
    } else {
        session.starts_at
    }
}

async fn check_students<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> AppResult<HashMap<i64, academy_student::Model>> {
    let found: HashMap<i64, academy_student::Model> = academy_student::Entity::find()
        .filter(academy_student::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        match found.get(id) {
            None => return Err(students::not_found(*id)),
            Some(s) if !s.active => {
                return Err(AppError::validation(
                    format!("marks.{i}.studentId"),
                    format!("ученик {id} неактивен"),
                    format!("student {id} is inactive"),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(found)
}

/// Marks students of a session (present, late, absent, excused or booked); answers the
/// session's whole attendance list.
pub async fn mark(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    marks: Vec<Mark>,
) -> AppResult<Vec<academy_attendance::Model>> {
    if marks.is_empty() || marks.len() > 500 {
        return Err(AppError::validation(
            "marks",
            "от 1 до 500 отметок за раз",
            "1 to 500 marks at a time",
        ));
    }
    let mut marks = marks;
    for (i, m) in marks.iter_mut().enumerate() {
        m.note = text::optional(&format!("marks.{i}.note"), m.note.as_deref(), 500)?;
    }
    let ids: Vec<i64> = marks.iter().map(|m| m.student_id).collect();
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = ids.iter().find(|id| !seen.insert(**id)) {
        return Err(AppError::validation(
            "marks",
            format!("ученик {dup} отмечен дважды"),
            format!("student {dup} is marked twice"),
        ));
    }
    state
        .write(caller, |tx| {
            let ids = ids.clone();
            let marks = marks.clone();
            Box::pin(async move {
                let session = lock_session(tx.db(), session_id).await?;
                check_students(tx.db(), &ids).await?;
                let (_, tz) = timetable::location_tz(tx.db(), session.location_id).await?;
                let day = timezone::local_date(tz, session.starts_at);
                let now = tx.now();
                let mut rows = of_session(tx.db(), session_id).await?;
                let before = taken(&rows);
                for m in &marks {
                    apply(tx.db(), caller, &session, &mut rows, m, now, day).await?;
                }
                waitlist::settle(tx, &session, before, &rows).await?;
                tx.audit(
                    "academy.attendance.mark",
                    "academy_session",
                    Some(session_id),
                    json!({
                        "marks": marks
                            .iter()
                            .map(|m| json!({ "studentId": m.student_id, "status": m.status }))
                            .collect::<Vec<_>>(),
                    }),
                )
                .await?;
                Ok(rows)
            })
        })
        .await
}

/// Takes a student's mark off a session as if it was never made (a mark made by mistake): a
/// visit it used goes back to the membership, and no report counts it. Answers the session's
/// remaining attendance.
pub async fn unmark(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    student_id: i64,
) -> AppResult<Vec<academy_attendance::Model>> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let session = lock_session(tx.db(), session_id).await?;
                let rows = of_session(tx.db(), session_id).await?;
                let Some(i) = rows.iter().position(|r| r.student_id == student_id) else {
                    return Err(AppError::conflict(
                        format!(
                            "У ученика {student_id} нет отметки на тренировке «{}»: снимать нечего",
                            session.name
                        ),
                        format!(
                            "Student {student_id} has no mark in class `{}`: nothing to remove",
                            session.name
                        ),
                    ));
                };
                take_off(tx, &session, rows, i, "academy.attendance.unmark").await
            })
        })
        .await
}

/// A student's booking of a class that has not started is cancelled (by the student or the
/// desk): the place is free again, and offered to the first student on the waitlist.
pub async fn cancel_booking(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    student_id: i64,
) -> AppResult<Vec<academy_attendance::Model>> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let session = lock_session(tx.db(), session_id).await?;
                if session.starts_at <= tx.now() {
                    return Err(AppError::conflict(
                        "Тренировка уже началась: запись не отменить",
                        "The class has started: the booking stands",
                    ));
                }
                let rows = of_session(tx.db(), session_id).await?;
                let Some(i) = rows.iter().position(|r| {
                    r.student_id == student_id && r.status == AttendanceStatus::Booked
                }) else {
                    return Err(AppError::conflict(
                        format!(
                            "Ученик {student_id} не записан на тренировку «{}»",
                            session.name
                        ),
                        format!(
                            "Student {student_id} has no booking in class `{}`",
                            session.name
                        ),
                    ));
                };
                take_off(tx, &session, rows, i, "academy.attendance.cancel_booking").await
            })
        })
        .await
}

/// Deletes `rows[i]` of a locked session in the caller's unit of work: a visit it used goes
/// back to the membership, a place it held goes to the waitlist, and one audit row says
/// `action`. Answers the rows left.
async fn take_off(
    tx: &Tx<'_>,
    session: &academy_session::Model,
    mut rows: Vec<academy_attendance::Model>,
    i: usize,
    action: &str,
) -> AppResult<Vec<academy_attendance::Model>> {
    let before = taken(&rows);
    let row = rows.remove(i);
    if let (true, Some(id)) = (row.status.attended(), row.membership_id) {
        memberships::return_visit(tx.db(), id).await?;
    }
    academy_attendance::Entity::delete_by_id(row.id)
        .exec(tx.db())
        .await?;
    waitlist::settle(tx, session, before, &rows).await?;
    tx.audit(
        action,
        "academy_session",
        Some(session.id),
        json!({ "studentId": row.student_id, "status": row.status }),
    )
    .await?;
    Ok(rows)
}

/// Places taken in a session: booked, present or late.
pub(crate) fn taken(rows: &[academy_attendance::Model]) -> usize {
    rows.iter().filter(|r| r.status.holds_place()).count()
}

/// Books a place for a student; a belt minimum of the class is enforced here.
pub async fn book(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    student_id: i64,
) -> AppResult<academy_attendance::Model> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let session = lock_session(tx.db(), session_id).await?;
                let now = tx.now();
                if session.ends_at <= now {
                    return Err(AppError::conflict(
                        "Тренировка уже прошла",
                        "The class is over",
                    ));
                }
                let students = check_students(tx.db(), &[student_id]).await?;
                if let (Some(min_id), Some(student)) =
                    (session.min_belt_id, students.get(&student_id))
                {
                    let min = super::belts::get(tx.db(), min_id).await?;
                    let holds = match student.belt_id {
                        Some(id) => super::belts::get(tx.db(), id).await?,
                        None => return Err(below_belt(&session, &min)),
                    };
                    if holds.track != min.track || holds.position < min.position {
                        return Err(below_belt(&session, &min));
                    }
                }
                let mut rows = of_session(tx.db(), session_id).await?;
                if rows
                    .iter()
                    .any(|r| r.student_id == student_id && r.status.holds_place())
                {
                    return Err(AppError::conflict(
                        "Ученик уже записан на эту тренировку",
                        "The student already has a place in this class",
                    ));
                }
                let (_, tz) = timetable::location_tz(tx.db(), session.location_id).await?;
                let day = timezone::local_date(tz, session.starts_at);
                let mark = Mark {
                    student_id,
                    status: AttendanceStatus::Booked,
                    note: None,
                };
                let before = taken(&rows);
                let row = apply(tx.db(), caller, &session, &mut rows, &mark, now, day).await?;
                waitlist::settle(tx, &session, before, &rows).await?;
                tx.audit(
                    "academy.attendance.book",
                    "academy_session",
                    Some(session_id),
                    json!({ "studentId": student_id }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

fn below_belt(session: &academy_session::Model, min: &entity::academy_belt::Model) -> AppError {
    AppError::conflict(
        format!(
            "На тренировку «{}» записываются с пояса «{}»",
            session.name, min.name
        ),
        format!(
            "Class `{}` is open from belt `{}` up",
            session.name, min.name
        ),
    )
}

/// A student checks in to a class they booked: present, or late past [`LATE_AFTER`].
pub async fn check_in(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    student_id: i64,
) -> AppResult<academy_attendance::Model> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let session = lock_session(tx.db(), session_id).await?;
                let now = tx.now();
                if now < session.starts_at - CHECK_IN_OPENS || now >= session.ends_at {
                    return Err(AppError::conflict(
                        "Отметиться можно за час до начала и до конца тренировки",
                        "Check-in opens an hour before the start and closes at the end of the class",
                    ));
                }
                let mut rows = of_session(tx.db(), session_id).await?;
                let booked = rows
                    .iter()
                    .find(|r| r.student_id == student_id)
                    .map(|r| r.status);
                match booked {
                    Some(AttendanceStatus::Booked) => {}
                    Some(s) if s.attended() => {
                        return Err(AppError::conflict(
                            "Вы уже отметились на этой тренировке",
                            "You have already checked in to this class",
                        ));
                    }
                    _ => {
                        return Err(AppError::conflict(
                            "Сначала запишитесь на тренировку",
                            "Book a place in the class first",
                        ));
                    }
                }
                let status = if now > session.starts_at + LATE_AFTER {
                    AttendanceStatus::Late
                } else {
                    AttendanceStatus::Present
                };
                let (_, tz) = timetable::location_tz(tx.db(), session.location_id).await?;
                let day = timezone::local_date(tz, session.starts_at);
                let mark = Mark {
                    student_id,
                    status,
                    note: None,
                };
                let row = apply(tx.db(), caller, &session, &mut rows, &mark, now, day).await?;
                tx.audit(
                    "academy.attendance.check_in",
                    "academy_session",
                    Some(session_id),
                    json!({ "studentId": student_id, "status": status }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// Gives back the visits a session's attendance used (the session was cancelled).
pub(crate) async fn release_visits(txn: &DatabaseTransaction, session_id: i64) -> AppResult<()> {
    for row in of_session(txn, session_id).await? {
        if let (true, Some(id)) = (row.status.attended(), row.membership_id) {
            memberships::return_visit(txn, id).await?;
        }
    }
    academy_attendance::Entity::update_many()
        .col_expr(
            academy_attendance::Column::MembershipId,
            sea_orm::sea_query::Expr::value(Option::<i64>::None),
        )
        .filter(academy_attendance::Column::SessionId.eq(session_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// A student's attendance with its sessions, newest first, starting in `[from, to)`.
pub async fn of_student<C: ConnectionTrait>(
    conn: &C,
    student_id: i64,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> AppResult<Vec<(academy_attendance::Model, academy_session::Model)>> {
    let mut sessions = academy_session::Entity::find()
        .select_only()
        .column(academy_session::Column::Id);
    if let Some(from) = from {
        sessions = sessions.filter(academy_session::Column::StartsAt.gte(from));
    }
    if let Some(to) = to {
        sessions = sessions.filter(academy_session::Column::StartsAt.lt(to));
    }
    let rows = academy_attendance::Entity::find()
        .filter(academy_attendance::Column::StudentId.eq(student_id))
        .filter(academy_attendance::Column::SessionId.in_subquery(sessions.into_query()))
        .all(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.session_id).collect();
    let by_id: HashMap<i64, academy_session::Model> = academy_session::Entity::find()
        .filter(academy_session::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut out: Vec<_> = rows
        .into_iter()
        .filter_map(|r| by_id.get(&r.session_id).cloned().map(|s| (r, s)))
        .collect();
    out.sort_by(|a, b| b.1.starts_at.cmp(&a.1.starts_at).then(b.0.id.cmp(&a.0.id)));
    Ok(out)
}

/// A student who stopped coming.
#[derive(Debug, Clone)]
pub struct MissedAlert {
    pub student: academy_student::Model,
    /// Classes held since the last one attended (seed 002's missed classes): sessions of the
    /// student's classes that took place without them, and marked absences; excused ones skip.
    pub missed_in_row: i32,
    pub last_visit_at: Option<DateTime<Utc>>,
    /// Calendar days in the location's time since the last visit, or since joining when there
    /// was none.
    pub days_without_visit: i64,
    pub missed_last_classes: bool,
    pub no_recent_visit: bool,
}

/// The classes a student counts as theirs: those they were marked in during these four weeks
/// up to their latest mark, so a student who moved to another group is not counted absent
/// from the old one.
const OWN_CLASSES_WINDOW: Duration = Duration::days(28);

/// A session that took place (scheduled, not cancelled, started before now).
#[derive(Debug, Clone)]
pub struct HeldSession {
    pub id: i64,
    pub class_id: Option<i64>,
    pub trainer_id: Option<i64>,
    pub starts_at: DateTime<Utc>,
}

/// Where one active student stands: the sessions missed since their last visit, oldest first.
#[derive(Debug, Clone)]
pub struct MissedRun {
    pub student: academy_student::Model,
    pub missed: Vec<HeldSession>,
    pub last_visit_at: Option<DateTime<Utc>>,
    pub days_without_visit: i64,
}

/// Every active student of a location with the classes they missed since they last came: the
/// held sessions of their own classes (see [`OWN_CLASSES_WINDOW`]) without a mark, and those
/// marked absent or booked and not come; an excused absence, a cancelled or a future session
/// does not count. The one reading of "missed classes" behind `missedClasses` and the
/// missed-class reminder.
pub async fn missed_runs<C: ConnectionTrait>(
    conn: &C,
    location_id: i64,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> AppResult<Vec<MissedRun>> {
    let today = timezone::local_date(tz, now);
    let students = academy_student::Entity::find()
        .filter(academy_student::Column::LocationId.eq(location_id))
        .filter(academy_student::Column::Active.eq(true))
        .order_by_asc(academy_student::Column::Id)
        .all(conn)
        .await?;
    let held_filter = |select: sea_orm::Select<academy_session::Entity>| {
        select
            .filter(academy_session::Column::LocationId.eq(location_id))
            .filter(academy_session::Column::Status.eq(ClassSessionStatus::Scheduled))
            .filter(academy_session::Column::StartsAt.lt(now))
    };
    let mut held: Vec<HeldSession> = held_filter(academy_session::Entity::find())
        .select_only()
        .column(academy_session::Column::Id)
        .column(academy_session::Column::ClassId)
        .column(academy_session::Column::TrainerId)
        .column(academy_session::Column::StartsAt)
        .into_tuple::<(i64, Option<i64>, Option<i64>, DateTime<Utc>)>()
        .all(conn)
        .await?
        .into_iter()
        .map(|(id, class_id, trainer_id, starts_at)| HeldSession {
            id,
            class_id,
            trainer_id,
            starts_at,
        })
        .collect();
    held.sort_by_key(|h| (h.starts_at, h.id));
    let past = held_filter(academy_session::Entity::find())
        .select_only()
        .column(academy_session::Column::Id)
        .into_query();
    let mut by_student: HashMap<i64, HashMap<i64, AttendanceStatus>> = HashMap::new();
    for row in academy_attendance::Entity::find()
        .filter(academy_attendance::Column::SessionId.in_subquery(past))
        .all(conn)
        .await?
    {
        by_student
            .entry(row.student_id)
            .or_default()
            .insert(row.session_id, row.status);
    }
    let mut out = Vec::with_capacity(students.len());
    for student in students {
        let marks = by_student.remove(&student.id).unwrap_or_default();
        let marked: Vec<&HeldSession> = held.iter().filter(|h| marks.contains_key(&h.id)).collect();
        let last_visit_at = marked
            .iter()
            .rev()
            .find(|h| marks.get(&h.id).is_some_and(|s| s.attended()))
            .map(|h| h.starts_at);
        let own_classes: HashSet<i64> = match marked.last() {
            Some(latest) => marked
                .iter()
                .filter(|h| h.starts_at > latest.starts_at - OWN_CLASSES_WINDOW)
                .filter_map(|h| h.class_id)
                .collect(),
            None => HashSet::new(),
        };
        let missed = held
            .iter()
            .filter(|h| match last_visit_at {
                Some(at) => h.starts_at > at,
                None => h.starts_at >= student.joined_at,
            })
            .filter(|h| match marks.get(&h.id) {
                Some(status) => !status.attended() && *status != AttendanceStatus::Excused,
                None => h.class_id.is_some_and(|c| own_classes.contains(&c)),
            })
            .cloned()
            .collect();
        let since = timezone::local_date(tz, last_visit_at.unwrap_or(student.joined_at));
        out.push(MissedRun {
            student,
            missed,
            last_visit_at,
            days_without_visit: (today - since).num_days(),
        });
    }
    Ok(out)
}

/// Students of a location who missed their last `last_classes` classes in a row, or have not
/// trained for `no_visit_days` days (either rule, or both).
pub async fn missed(
    state: &AppState,
    location_id: i64,
    last_classes: Option<i32>,
    no_visit_days: Option<i32>,
) -> AppResult<Vec<MissedAlert>> {
    if last_classes.is_none() && no_visit_days.is_none() {
        return Err(AppError::validation(
            "lastClasses",
            "укажите число пропусков подряд или дней без посещений",
            "give a number of classes missed in a row or of days without a visit",
        ));
    }
    if last_classes.is_some_and(|n| !(1..=100).contains(&n)) {
        return Err(AppError::validation(
            "lastClasses",
            "от 1 до 100",
            "1 to 100",
        ));
    }
    if no_visit_days.is_some_and(|n| !(1..=3650).contains(&n)) {
        return Err(AppError::validation(
            "noVisitDays",
            "от 1 до 3650",
            "1 to 3650",
        ));
    }
    let (_, tz) = timetable::location_tz(&state.db, location_id).await?;
    let runs = missed_runs(&state.db, location_id, tz, state.clock.now()).await?;
    Ok(runs
        .into_iter()
        .filter_map(|run| {
            let missed_in_row = run.missed.len() as i32;
            let missed_last_classes = last_classes.is_some_and(|n| missed_in_row >= n);
            let no_recent_visit =
                no_visit_days.is_some_and(|d| run.days_without_visit >= i64::from(d));
            (missed_last_classes || no_recent_visit).then_some(MissedAlert {
                student: run.student,
                missed_in_row,
                last_visit_at: run.last_visit_at,
                days_without_visit: run.days_without_visit,
                missed_last_classes,
                no_recent_visit,
            })
        })
        .collect())
}

//! The waitlist of a full class session. A student joins when every place is taken; when a
//! place comes free (a booking cancelled, a mark taken off, a booked student marked absent
//! before the class), the first student waiting is offered it: an outbox event the
//! notifications tell them of. An offer holds nothing back: the first to book takes the place,
//! and the next freed place goes to the next student waiting.

use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{academy_attendance, academy_session, academy_waitlist};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;

use super::{attendance, students};
use crate::{
    auth::actor::Caller,
    error::{AppError, AppResult},
    events::domain::ClassSessionEvent,
    state::AppState,
    write::Tx,
};

/// Where a student on a waitlist stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum WaitlistStatus {
    Waiting,
    /// Told of a freed place; the place is theirs if they book first.
    Offered,
    Booked,
    Left,
}

impl WaitlistStatus {
    pub fn key(self) -> &'static str {
        match self {
            WaitlistStatus::Waiting => "waiting",
            WaitlistStatus::Offered => "offered",
            WaitlistStatus::Booked => "booked",
            WaitlistStatus::Left => "left",
        }
    }

    fn parse(key: &str) -> WaitlistStatus {
        match key {
            "offered" => WaitlistStatus::Offered,
            "booked" => WaitlistStatus::Booked,
            "left" => WaitlistStatus::Left,
            _ => WaitlistStatus::Waiting,
        }
    }
}

/// One student on a session's waitlist.
#[derive(SimpleObject, Debug, Clone)]
pub struct WaitlistEntry {
    pub id: ID,
    pub session_id: ID,
    pub student_id: ID,
    pub status: WaitlistStatus,
    /// 1 for the next to be offered a place, among those still waiting; none once offered.
    pub position: Option<i32>,
    pub offered_at: Option<DateTime<Utc>>,
    pub joined_at: DateTime<Utc>,
}

fn entry(row: &academy_waitlist::Model, position: Option<i32>) -> WaitlistEntry {
    WaitlistEntry {
        id: row.id.into(),
        session_id: row.session_id.into(),
        student_id: row.student_id.into(),
        status: WaitlistStatus::parse(&row.status),
        position,
        offered_at: row.offered_at,
        joined_at: row.created_at,
    }
}

/// A session's waitlist in queue order, everyone who joined and has not left.
pub async fn of_session<C: ConnectionTrait>(
    conn: &C,
    session_id: i64,
) -> AppResult<Vec<WaitlistEntry>> {
    let rows = academy_waitlist::Entity::find()
        .filter(academy_waitlist::Column::SessionId.eq(session_id))
        .filter(academy_waitlist::Column::Status.ne(WaitlistStatus::Left.key()))
        .order_by_asc(academy_waitlist::Column::CreatedAt)
        .order_by_asc(academy_waitlist::Column::Id)
        .all(conn)
        .await?;
    let mut waiting = 0;
    Ok(rows
        .iter()
        .map(|row| {
            let position = (row.status == WaitlistStatus::Waiting.key()).then(|| {
                waiting += 1;
                waiting
            });
            entry(row, position)
        })
        .collect())
}

/// Puts a student on a full session's waitlist (again, if they left it); answers their entry.
pub async fn join(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    student_id: i64,
) -> AppResult<WaitlistEntry> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let session = attendance::lock_session(tx.db(), session_id).await?;
                let now = tx.now();
                if session.starts_at <= now {
                    return Err(AppError::conflict(
                        "Тренировка уже началась: в лист ожидания не записывают",
                        "The class has started: the waitlist is closed",
                    ));
                }
                students::get(tx.db(), student_id).await?;
                let rows = attendance::of_session(tx.db(), session_id).await?;
                if rows
                    .iter()
                    .any(|r| r.student_id == student_id && r.status.holds_place())
                {
                    return Err(AppError::conflict(
                        "Ученик уже записан на эту тренировку",
                        "The student already has a place in this class",
                    ));
                }
                if attendance::taken(&rows) < session.capacity.max(0) as usize {
                    return Err(AppError::conflict(
                        format!(
                            "На тренировке «{}» есть свободные места: запишитесь на неё",
                            session.name
                        ),
                        format!("Class `{}` has free places: book one", session.name),
                    ));
                }
                let existing = academy_waitlist::Entity::find()
                    .filter(academy_waitlist::Column::SessionId.eq(session_id))
                    .filter(academy_waitlist::Column::StudentId.eq(student_id))
                    .one(tx.db())
                    .await?;
                match existing {
                    Some(row) if row.status != WaitlistStatus::Left.key() => {
                        return Err(AppError::conflict(
                            "Ученик уже в листе ожидания этой тренировки",
                            "The student is on this class's waitlist already",
                        ));
                    }
                    Some(row) => {
                        let mut row: academy_waitlist::ActiveModel = row.into();
                        row.status = Set(WaitlistStatus::Waiting.key().to_owned());
                        row.offered_at = Set(None);
                        row.created_at = Set(now);
                        row.updated_at = Set(now);
                        row.update(tx.db()).await?;
                    }
                    None => {
                        academy_waitlist::ActiveModel {
                            session_id: Set(session_id),
                            student_id: Set(student_id),
                            status: Set(WaitlistStatus::Waiting.key().to_owned()),
                            offered_at: Set(None),
                            created_at: Set(now),
                            updated_at: Set(now),
                            ..Default::default()
                        }
                        .insert(tx.db())
                        .await?;
                    }
                }
                tx.audit(
                    "academy.waitlist.join",
                    "academy_session",
                    Some(session_id),
                    json!({ "studentId": student_id }),
                )
                .await?;
                of_session(tx.db(), session_id)
                    .await?
                    .into_iter()
                    .find(|e| e.student_id == ID::from(student_id))
                    .ok_or_else(|| AppError::internal("the waitlist entry is missing"))
            })
        })
        .await
}

/// Takes a student off a session's waitlist.
pub async fn leave(
    state: &AppState,
    caller: &Caller,
    session_id: i64,
    student_id: i64,
) -> AppResult<()> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let row = academy_waitlist::Entity::find()
                    .filter(academy_waitlist::Column::SessionId.eq(session_id))
                    .filter(academy_waitlist::Column::StudentId.eq(student_id))
                    .filter(academy_waitlist::Column::Status.ne(WaitlistStatus::Left.key()))
                    .one(tx.db())
                    .await?
                    .ok_or_else(|| {
                        AppError::conflict(
                            "Ученика нет в листе ожидания этой тренировки",
                            "The student is not on this class's waitlist",
                        )
                    })?;
                set_status(tx, row, WaitlistStatus::Left).await?;
                tx.audit(
                    "academy.waitlist.leave",
                    "academy_session",
                    Some(session_id),
                    json!({ "studentId": student_id }),
                )
                .await?;
                Ok(())
            })
        })
        .await
}

async fn set_status(
    tx: &Tx<'_>,
    row: academy_waitlist::Model,
    status: WaitlistStatus,
) -> AppResult<academy_waitlist::Model> {
    let now = tx.now();
    let mut row: academy_waitlist::ActiveModel = row.into();
    row.status = Set(status.key().to_owned());
    if status == WaitlistStatus::Offered {
        row.offered_at = Set(Some(now));
    }
    row.updated_at = Set(now);
    Ok(row.update(tx.db()).await?)
}

/// After a change to a session's attendance in the caller's unit of work: `before` places were
/// taken, `rows` is the list now. Each place that came free goes, as an offer, to the next
/// student waiting; a student who now holds a place is marked booked on the list.
pub(crate) async fn settle(
    tx: &Tx<'_>,
    session: &academy_session::Model,
    before: usize,
    rows: &[academy_attendance::Model],
) -> AppResult<()> {
    let list = academy_waitlist::Entity::find()
        .filter(academy_waitlist::Column::SessionId.eq(session.id))
        .filter(
            academy_waitlist::Column::Status
                .is_in([WaitlistStatus::Waiting.key(), WaitlistStatus::Offered.key()]),
        )
        .order_by_asc(academy_waitlist::Column::CreatedAt)
        .order_by_asc(academy_waitlist::Column::Id)
        .all(tx.db())
        .await?;
    if list.is_empty() {
        return Ok(());
    }
    let mut waiting = Vec::new();
    for row in list {
        if rows
            .iter()
            .any(|r| r.student_id == row.student_id && r.status.holds_place())
        {
            set_status(tx, row, WaitlistStatus::Booked).await?;
        } else if row.status == WaitlistStatus::Waiting.key() {
            waiting.push(row);
        }
    }
    let freed = before.saturating_sub(attendance::taken(rows));
    if freed == 0 || session.starts_at <= tx.now() {
        return Ok(());
    }
    for row in waiting.into_iter().take(freed) {
        let student = students::get(tx.db(), row.student_id).await?;
        set_status(tx, row, WaitlistStatus::Offered).await?;
        tx.emit(&ClassSessionEvent::PlaceOffered {
            session: session.into(),
            student_id: student.id,
            client_id: student.client_id,
        })
        .await?;
    }
    Ok(())
}

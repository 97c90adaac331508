//! Reminders on a schedule, computed from business time (`state.clock`). Each has a source key
//! of what it is about and when (`reminder:appointment:<id>:<start>:<hours>`), so it fires once
//! however often the scan runs, across restarts and replicas: the unique index of the log
//! refuses a second row.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::{
    academy_attendance, academy_belt, academy_exam, academy_membership, academy_plan,
    academy_session, academy_student, appointment, client,
    enums::{AppointmentStatus, AttendanceStatus, ClassSessionStatus, ExamResult},
    location, notification, notification_setting, service,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use serde_json::json;

use super::{
    engine::{Draft, Recipient, enqueue},
    prefs,
};
use crate::{domain::timezone, error::AppResult, state::AppState};

/// How far back an expired membership is still told of (a first scan must not replay years).
const EXPIRED_LOOKBACK_DAYS: i64 = 7;

/// Computes the reminders due now and writes the new ones; answers how many rows were new.
pub async fn run(state: &AppState) -> AppResult<u64> {
    let now = state.clock.now();
    let mut drafts = Vec::new();
    for place in location::Entity::find()
        .filter(location::Column::Active.eq(true))
        .all(&state.db)
        .await?
    {
        let setting = prefs::settings(&state.db, place.id).await?;
        let tz: Tz = place.timezone.parse().unwrap_or(chrono_tz::UTC);
        let conn = &state.db;
        appointments(conn, &place, &setting, now, &mut drafts).await?;
        payments_due(conn, &place, &setting, now, &mut drafts).await?;
        classes(conn, &place, &setting, now, &mut drafts).await?;
        memberships(conn, &place, &setting, tz, now, &mut drafts).await?;
        missed(conn, &place, &setting, tz, now, &mut drafts).await?;
        exams(conn, &place, &setting, tz, now, &mut drafts).await?;
    }
    if drafts.is_empty() {
        return Ok(0);
    }
    // Only the reminders not in the log yet take the write turn.
    let keys: Vec<String> = drafts.iter().map(|d| d.source_key.clone()).collect();
    let mut known = BTreeSet::new();
    for chunk in keys.chunks(500) {
        known.extend(
            notification::Entity::find()
                .select_only()
                .column(notification::Column::SourceKey)
                .filter(notification::Column::SourceKey.is_in(chunk.iter().cloned()))
                .into_tuple::<String>()
                .all(&state.db)
                .await?,
        );
    }
    drafts.retain(|d| !known.contains(&d.source_key));
    if drafts.is_empty() {
        return Ok(0);
    }
    let _turn = state.write_turn().await;
    let txn = state.db.begin().await?;
    let mut made = 0;
    for draft in &drafts {
        made += enqueue(&txn, draft).await?;
    }
    txn.commit().await?;
    if made > 0 {
        state.notifier.wake.notify_one();
    }
    Ok(made)
}

fn draft(
    key: String,
    kind: &str,
    location_id: i64,
    now: DateTime<Utc>,
    payload: serde_json::Value,
    recipients: Vec<Recipient>,
) -> Draft {
    Draft {
        source_key: key,
        kind: kind.to_owned(),
        location_id: Some(location_id),
        payload,
        occurred_at: now,
        recipients,
        only: None,
    }
}

async fn service_names<C: ConnectionTrait>(
    conn: &C,
    ids: impl Iterator<Item = i64>,
) -> AppResult<HashMap<i64, String>> {
    let ids: BTreeSet<i64> = ids.collect();
    Ok(service::Entity::find()
        .filter(service::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// Appointment reminders: for each booked appointment, the window of the nearest reminder
/// hour it is in (a 24 h reminder never follows once the 2 h one is due).
async fn appointments<C: ConnectionTrait>(
    conn: &C,
    place: &location::Model,
    setting: &notification_setting::Model,
    now: DateTime<Utc>,
    out: &mut Vec<Draft>,
) -> AppResult<()> {
    let hours = prefs::appointment_hours(setting);
    let Some(&widest) = hours.first() else {
        return Ok(());
    };
    let rows = appointment::Entity::find()
        .filter(appointment::Column::LocationId.eq(place.id))
        .filter(appointment::Column::Status.eq(AppointmentStatus::Booked))
        .filter(appointment::Column::StartsAt.gt(now))
        .filter(appointment::Column::StartsAt.lte(now + Duration::hours(widest)))
        .all(conn)
        .await?;
    let names = service_names(conn, rows.iter().map(|a| a.service_id)).await?;
    for row in rows {
        let left = row.starts_at - now;
        let Some(&h) = hours.iter().rev().find(|h| left <= Duration::hours(**h)) else {
            continue;
        };
        out.push(draft(
            format!(
                "reminder:appointment:{}:{}:{h}",
                row.id,
                row.starts_at.timestamp()
            ),
            "reminder.appointment",
            place.id,
            now,
            json!({
                "appointment_id": row.id,
                "service": names.get(&row.service_id).cloned().unwrap_or_default(),
                "starts_at": row.starts_at,
                "hours": h,
            }),
            vec![Recipient::Client(row.client_id)],
        ));
    }
    Ok(())
}

/// An appointment with an unpaid balance, within the days before it.
async fn payments_due<C: ConnectionTrait>(
    conn: &C,
    place: &location::Model,
    setting: &notification_setting::Model,
    now: DateTime<Utc>,
    out: &mut Vec<Draft>,
) -> AppResult<()> {
    let Some(days) = setting.payment_due_days.filter(|d| *d > 0) else {
        return Ok(());
    };
    let rows = appointment::Entity::find()
        .filter(appointment::Column::LocationId.eq(place.id))
        .filter(appointment::Column::Status.eq(AppointmentStatus::Booked))
        .filter(appointment::Column::StartsAt.gt(now))
        .filter(appointment::Column::StartsAt.lte(now + Duration::days(days.into())))
        .all(conn)
        .await?;
    for row in rows.into_iter().filter(|a| a.total > a.paid) {
        out.push(draft(
            format!(
                "reminder:payment_due:{}:{}",
                row.id,
                row.starts_at.timestamp()
            ),
            "reminder.payment_due",
            place.id,
            now,
            json!({
                "appointment_id": row.id,
                "due": row.total - row.paid,
                "starts_at": row.starts_at,
            }),
            vec![Recipient::Client(row.client_id)],
        ));
    }
    Ok(())
}

/// The students booked on a class, the hours before it.
async fn classes<C: ConnectionTrait>(
    conn: &C,
    place: &location::Model,
    setting: &notification_setting::Model,
    now: DateTime<Utc>,
    out: &mut Vec<Draft>,
) -> AppResult<()> {
    let Some(hours) = setting.class_hours.filter(|h| *h > 0) else {
        return Ok(());
    };
    let sessions = academy_session::Entity::find()
        .filter(academy_session::Column::LocationId.eq(place.id))
        .filter(academy_session::Column::Status.eq(ClassSessionStatus::Scheduled))
        .filter(academy_session::Column::StartsAt.gt(now))
        .filter(academy_session::Column::StartsAt.lte(now + Duration::hours(hours.into())))
        .all(conn)
        .await?;
    for session in sessions {
        let students: Vec<i64> = academy_attendance::Entity::find()
            .select_only()
            .column(academy_attendance::Column::StudentId)
            .filter(academy_attendance::Column::SessionId.eq(session.id))
            .filter(academy_attendance::Column::Status.eq(AttendanceStatus::Booked))
            .into_tuple()
            .all(conn)
            .await?;
        if students.is_empty() {
            continue;
        }
        let clients = academy_student::Entity::find()
            .filter(academy_student::Column::Id.is_in(students))
            .all(conn)
            .await?
            .into_iter()
            .map(|s| Recipient::Client(s.client_id))
            .collect();
        out.push(draft(
            format!(
                "reminder:class:{}:{}",
                session.id,
                session.starts_at.timestamp()
            ),
            "reminder.class",
            place.id,
            now,
            json!({
                "session_id": session.id,
                "name": session.name,
                "starts_at": session.starts_at,
            }),
            clients,
        ));
    }
    Ok(())
}

/// Memberships ending within the days set, and ended lately, with no later one bought.
async fn memberships<C: ConnectionTrait>(
    conn: &C,
    place: &location::Model,
    setting: &notification_setting::Model,
    tz: Tz,
    now: DateTime<Utc>,
    out: &mut Vec<Draft>,
) -> AppResult<()> {
    let expiring = setting.membership_expiring_days.filter(|d| *d > 0);
    if expiring.is_none() && !setting.membership_expired {
        return Ok(());
    }
    let today = timezone::local_date(tz, now);
    let from = if setting.membership_expired {
        today - Duration::days(EXPIRED_LOOKBACK_DAYS)
    } else {
        today
    };
    let to = today + Duration::days(expiring.unwrap_or(0).into());
    let students: HashMap<i64, academy_student::Model> = academy_student::Entity::find()
        .filter(academy_student::Column::LocationId.eq(place.id))
        .filter(academy_student::Column::Active.eq(true))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    if students.is_empty() {
        return Ok(());
    }
    let rows = academy_membership::Entity::find()
        .filter(academy_membership::Column::StudentId.is_in(students.keys().copied()))
        .filter(academy_membership::Column::CancelledAt.is_null())
        .filter(academy_membership::Column::EndsOn.gte(from))
        .all(conn)
        .await?;
    let latest: HashMap<i64, NaiveDate> = rows.iter().fold(HashMap::new(), |mut m, r| {
        let e = m.entry(r.student_id).or_insert(r.ends_on);
        *e = (*e).max(r.ends_on);
        m
    });
    let plans: HashMap<i64, String> = academy_plan::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    for row in rows {
        // Renewed: a later membership carries on.
        if latest
            .get(&row.student_id)
            .is_some_and(|l| *l > row.ends_on)
            || row.ends_on > to
        {
            continue;
        }
        let Some(student) = students.get(&row.student_id) else {
            continue;
        };
        let (kind, tag) = if row.ends_on < today {
            if !setting.membership_expired {
                continue;
            }
            ("reminder.membership_expired", "membership_expired")
        } else if expiring.is_some() {
            ("reminder.membership_expiring", "membership_expiring")
        } else {
            continue;
        };
        out.push(draft(
            format!("reminder:{tag}:{}:{}", row.id, row.ends_on),
            kind,
            place.id,
            now,
            json!({
                "membership_id": row.id,
                "plan": plans.get(&row.plan_id).cloned().unwrap_or_default(),
                "ends_on": row.ends_on,
            }),
            vec![Recipient::Client(student.client_id)],
        ));
    }
    Ok(())
}

/// Students whose latest classes are misses, as many in a row as the threshold or more: once
/// per run of misses, to the student and the trainers of the missed classes.
async fn missed<C: ConnectionTrait>(
    conn: &C,
    place: &location::Model,
    setting: &notification_setting::Model,
    tz: Tz,
    now: DateTime<Utc>,
    out: &mut Vec<Draft>,
) -> AppResult<()> {
    let Some(threshold) = setting.missed_threshold.filter(|t| *t > 0) else {
        return Ok(());
    };
    for run in crate::academy::attendance::missed_runs(conn, place.id, tz, now).await? {
        // The run is known by its first miss: a longer run is the same run.
        let Some(first) = run
            .missed
            .first()
            .filter(|_| run.missed.len() >= threshold as usize)
        else {
            continue;
        };
        let student = &run.student;
        let mut recipients = vec![Recipient::Client(student.client_id)];
        let trainers: BTreeSet<i64> = run.missed.iter().filter_map(|s| s.trainer_id).collect();
        recipients.extend(trainers.into_iter().map(Recipient::User));
        let name = client::Entity::find_by_id(student.client_id)
            .one(conn)
            .await?
            .map(|c| c.display_name)
            .unwrap_or_default();
        out.push(draft(
            format!("reminder:missed:{}:{}", student.id, first.id),
            "reminder.missed_classes",
            place.id,
            now,
            json!({ "student_id": student.id, "student": name, "missed": run.missed.len() }),
            recipients,
        ));
    }
    Ok(())
}

/// Exams within the days before them.
async fn exams<C: ConnectionTrait>(
    conn: &C,
    place: &location::Model,
    setting: &notification_setting::Model,
    tz: Tz,
    now: DateTime<Utc>,
    out: &mut Vec<Draft>,
) -> AppResult<()> {
    let Some(days) = setting.exam_days.filter(|d| *d > 0) else {
        return Ok(());
    };
    let today = timezone::local_date(tz, now);
    let students: HashMap<i64, i64> = academy_student::Entity::find()
        .filter(academy_student::Column::LocationId.eq(place.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.client_id))
        .collect();
    if students.is_empty() {
        return Ok(());
    }
    let rows = academy_exam::Entity::find()
        .filter(academy_exam::Column::StudentId.is_in(students.keys().copied()))
        .filter(academy_exam::Column::Result.eq(ExamResult::Scheduled))
        .filter(academy_exam::Column::ExamDate.gte(today))
        .filter(academy_exam::Column::ExamDate.lte(today + Duration::days(days.into())))
        .all(conn)
        .await?;
    for row in rows {
        let Some(client_id) = students.get(&row.student_id) else {
            continue;
        };
        let belt = academy_belt::Entity::find_by_id(row.belt_id)
            .one(conn)
            .await?
            .map(|b| b.name)
            .unwrap_or_default();
        out.push(draft(
            format!("reminder:exam:{}:{}", row.id, row.exam_date),
            "reminder.exam",
            place.id,
            now,
            json!({ "exam_id": row.id, "belt": belt, "exam_date": row.exam_date }),
            vec![Recipient::Client(*client_id)],
        ));
    }
    Ok(())
}

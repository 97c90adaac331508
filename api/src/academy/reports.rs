//! The academy's reports, by the location's local days and months: attendance by class and
//! by student, active memberships and those expiring soon, revenue and new students by month.
//!
//! The rows are few (one academy's classes, students and sales over at most a year), so they
//! are read with a handful of statements and grouped here, where the local month of each
//! instant is exact across DST changes.

use crate::domain::timezone;
use std::collections::{BTreeMap, HashMap};

use async_graphql::{ID, SimpleObject};
use base64::Engine;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use entity::{
    academy_attendance, academy_class, academy_membership, academy_plan, academy_session,
    academy_student, client,
    enums::{AttendanceStatus, ClassSessionStatus},
};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};

use super::{
    memberships::{self, MembershipStatus},
    timetable,
};
use crate::{
    club::reports::ReportFile,
    domain::Money,
    error::{AppError, AppResult},
    state::AppState,
};

/// The schedule of sessions outside the timetable.
const ONE_OFF: &str = "разово";

/// Default horizon of "expiring soon".
pub const DEFAULT_EXPIRING_DAYS: i32 = 7;

/// Attendance marks counted one way or another.
#[derive(SimpleObject, Clone, Default, Debug, PartialEq, Eq)]
pub struct AttendanceTally {
    pub present: i32,
    pub late: i32,
    pub absent: i32,
    pub excused: i32,
    /// Booked and never marked.
    pub booked: i32,
    /// Present plus late.
    pub attended: i32,
}

impl AttendanceTally {
    fn add(&mut self, status: AttendanceStatus) {
        match status {
            AttendanceStatus::Present => self.present += 1,
            AttendanceStatus::Late => self.late += 1,
            AttendanceStatus::Absent => self.absent += 1,
            AttendanceStatus::Excused => self.excused += 1,
            AttendanceStatus::Booked => self.booked += 1,
        }
        if status.attended() {
            self.attended += 1;
        }
    }
}

/// One timetable class (or one-off sessions under one name).
#[derive(SimpleObject, Clone, Debug)]
pub struct ClassAttendance {
    pub class_id: Option<ID>,
    pub name: String,
    /// When it meets, as people read it (`пн, ср, пт 18:00`), so two classes of one name are
    /// told apart; `разово` for one-off sessions.
    pub schedule: String,
    pub sessions: i32,
    pub tally: AttendanceTally,
    /// Attended per session, one decimal.
    pub average_attended: f64,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct StudentAttendance {
    pub student_id: ID,
    pub name: String,
    pub tally: AttendanceTally,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct ExpiringMembership {
    pub membership_id: ID,
    pub student_id: ID,
    pub student_name: String,
    pub plan_name: String,
    pub ends_on: NaiveDate,
    /// Counting today.
    pub days_left: i32,
    pub visits_left: Option<i32>,
}

/// One local month, `YYYY-MM`.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct MonthFigure {
    pub month: String,
    pub count: i32,
    pub amount: Money,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct AcademyReport {
    pub location_id: ID,
    pub timezone: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The location's today, which "active" and "expiring" are measured on.
    pub today: NaiveDate,
    pub by_class: Vec<ClassAttendance>,
    pub by_student: Vec<StudentAttendance>,
    /// Memberships active today.
    pub active_memberships: i32,
    /// Active memberships ending within the asked number of days, soonest first.
    pub expiring: Vec<ExpiringMembership>,
    /// Membership sales by local month of the sale.
    pub monthly_revenue: Vec<MonthFigure>,
    /// Students who joined, by local month (`amount` is zero).
    pub new_students: Vec<MonthFigure>,
}

fn month_of(tz: Tz, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&tz);
    format!("{:04}-{:02}", local.year(), local.month())
}

/// Every local month from `from` to `to`, so empty months show as zero.
fn months(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let (mut y, mut m) = (from.year(), from.month());
    while (y, m) <= (to.year(), to.month()) {
        out.push(format!("{y:04}-{m:02}"));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

pub async fn build(
    state: &AppState,
    location_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    expiring_within_days: Option<i32>,
) -> AppResult<AcademyReport> {
    let horizon = expiring_within_days.unwrap_or(DEFAULT_EXPIRING_DAYS);
    if !(0..=366).contains(&horizon) {
        return Err(AppError::validation(
            "expiringWithinDays",
            "от 0 до 366 дней",
            "0 to 366 days",
        ));
    }
    let db = &state.db;
    let (location, tz) = timetable::location_tz(db, location_id).await?;
    let start = timezone::instant(tz, from.and_time(NaiveTime::MIN));
    let end = timezone::instant(tz, to.succ_opt().unwrap_or(to).and_time(NaiveTime::MIN));
    let today = timezone::local_date(tz, state.clock.now());

    let students = academy_student::Entity::find()
        .filter(academy_student::Column::LocationId.eq(location_id))
        .all(db)
        .await?;
    let names: HashMap<i64, String> = client::Entity::find()
        .select_only()
        .column(client::Column::Id)
        .column(client::Column::DisplayName)
        .filter(
            client::Column::Id.in_subquery(
                academy_student::Entity::find()
                    .select_only()
                    .column(academy_student::Column::ClientId)
                    .filter(academy_student::Column::LocationId.eq(location_id))
                    .into_query(),
            ),
        )
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let student_name = |id: i64| -> String {
        students
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| names.get(&s.client_id).cloned())
            .unwrap_or_else(|| format!("#{id}"))
    };

    let sessions = academy_session::Entity::find()
        .filter(academy_session::Column::LocationId.eq(location_id))
        .filter(academy_session::Column::Status.eq(ClassSessionStatus::Scheduled))
        .filter(academy_session::Column::StartsAt.gte(start))
        .filter(academy_session::Column::StartsAt.lt(end))
        .all(db)
        .await?;
    let in_range = academy_session::Entity::find()
        .select_only()
        .column(academy_session::Column::Id)
        .filter(academy_session::Column::LocationId.eq(location_id))
        .filter(academy_session::Column::Status.eq(ClassSessionStatus::Scheduled))
        .filter(academy_session::Column::StartsAt.gte(start))
        .filter(academy_session::Column::StartsAt.lt(end))
        .into_query();
    let marks = academy_attendance::Entity::find()
        .filter(academy_attendance::Column::SessionId.in_subquery(in_range))
        .all(db)
        .await?;

    // By class: timetable classes by id, one-off sessions by name.
    let group_of = |s: &academy_session::Model| match s.class_id {
        Some(id) => (Some(id), String::new()),
        None => (None, s.name.clone()),
    };
    let session_group: HashMap<i64, (Option<i64>, String)> =
        sessions.iter().map(|s| (s.id, group_of(s))).collect();
    let mut classes: BTreeMap<(Option<i64>, String), (String, i32, AttendanceTally)> =
        BTreeMap::new();
    for s in &sessions {
        let entry = classes
            .entry(group_of(s))
            .or_insert_with(|| (s.name.clone(), 0, AttendanceTally::default()));
        entry.1 += 1;
    }
    let mut per_student: BTreeMap<i64, AttendanceTally> = BTreeMap::new();
    for m in &marks {
        if let Some(group) = session_group.get(&m.session_id)
            && let Some(entry) = classes.get_mut(group)
        {
            entry.2.add(m.status);
        }
        per_student.entry(m.student_id).or_default().add(m.status);
    }
    let schedules: HashMap<i64, String> = academy_class::Entity::find()
        .filter(academy_class::Column::Id.is_in(classes.keys().filter_map(|(id, _)| *id)))
        .all(db)
        .await?
        .iter()
        .map(|c| (c.id, timetable::pattern_label(&timetable::pattern(c))))
        .collect();
    let by_class = classes
        .into_iter()
        .map(|((class_id, _), (name, count, tally))| ClassAttendance {
            schedule: class_id
                .and_then(|id| schedules.get(&id).cloned())
                .unwrap_or_else(|| ONE_OFF.to_owned()),
            class_id: class_id.map(Into::into),
            average_attended: if count > 0 {
                (f64::from(tally.attended) / f64::from(count) * 10.0).round() / 10.0
            } else {
                0.0
            },
            name,
            sessions: count,
            tally,
        })
        .collect();
    let by_student = per_student
        .into_iter()
        .map(|(id, tally)| StudentAttendance {
            student_id: id.into(),
            name: student_name(id),
            tally,
        })
        .collect();

    let student_ids = academy_student::Entity::find()
        .select_only()
        .column(academy_student::Column::Id)
        .filter(academy_student::Column::LocationId.eq(location_id))
        .into_query();
    let sold = academy_membership::Entity::find()
        .filter(academy_membership::Column::StudentId.in_subquery(student_ids))
        .all(db)
        .await?;
    let plans: HashMap<i64, String> = academy_plan::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let active: Vec<&academy_membership::Model> = sold
        .iter()
        .filter(|m| memberships::status_on(m, today) == MembershipStatus::Active)
        .collect();
    let until = today + Duration::days(i64::from(horizon));
    let mut expiring: Vec<ExpiringMembership> = active
        .iter()
        .filter(|m| m.ends_on <= until)
        .map(|m| ExpiringMembership {
            membership_id: m.id.into(),
            student_id: m.student_id.into(),
            student_name: student_name(m.student_id),
            plan_name: plans.get(&m.plan_id).cloned().unwrap_or_default(),
            ends_on: m.ends_on,
            days_left: ((m.ends_on - today).num_days() + 1) as i32,
            visits_left: m.visits_left,
        })
        .collect();
    expiring.sort_by(|a, b| {
        a.ends_on
            .cmp(&b.ends_on)
            .then(a.student_name.cmp(&b.student_name))
    });

    let mut revenue: BTreeMap<String, MonthFigure> = months(from, to)
        .into_iter()
        .map(|m| {
            (
                m.clone(),
                MonthFigure {
                    month: m,
                    count: 0,
                    amount: Money(0),
                },
            )
        })
        .collect();
    let mut joined = revenue.clone();
    for m in sold
        .iter()
        .filter(|m| m.created_at >= start && m.created_at < end && m.cancelled_at.is_none())
    {
        if let Some(f) = revenue.get_mut(&month_of(tz, m.created_at)) {
            f.count += 1;
            f.amount = Money(f.amount.minor() + m.price);
        }
    }
    for s in students
        .iter()
        .filter(|s| s.joined_at >= start && s.joined_at < end)
    {
        if let Some(f) = joined.get_mut(&month_of(tz, s.joined_at)) {
            f.count += 1;
        }
    }

    Ok(AcademyReport {
        location_id: location_id.into(),
        timezone: location.timezone,
        from,
        to,
        today,
        by_class,
        by_student,
        active_memberships: active.len() as i32,
        expiring,
        monthly_revenue: revenue.into_values().collect(),
        new_students: joined.into_values().collect(),
    })
}

pub fn xlsx(report: &AcademyReport) -> AppResult<ReportFile> {
    let bytes = workbook(report).map_err(AppError::internal)?;
    Ok(ReportFile {
        filename: format!("academy-report-{}-{}.xlsx", report.from, report.to),
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

const TALLY: [&str; 6] = [
    "Присутствовали",
    "Опоздали",
    "Отсутствовали",
    "Уважительная причина",
    "Записаны",
    "Посетили",
];

fn tally_cells(t: &AttendanceTally) -> [i32; 6] {
    [t.present, t.late, t.absent, t.excused, t.booked, t.attended]
}

fn workbook(report: &AcademyReport) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd");

    let sheet = book.add_worksheet();
    sheet.set_name("По занятиям")?;
    sheet.write_string_with_format(0, 0, "Занятие", &bold)?;
    sheet.write_string_with_format(0, 1, "Тренировок", &bold)?;
    for (c, h) in TALLY.iter().enumerate() {
        sheet.write_string_with_format(0, 2 + c as u16, *h, &bold)?;
    }
    sheet.write_string_with_format(0, 8, "В среднем", &bold)?;
    sheet.write_string_with_format(0, 9, "Расписание", &bold)?;
    for (r, row) in report.by_class.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, &row.name)?;
        sheet.write_number(r, 1, row.sessions)?;
        for (c, v) in tally_cells(&row.tally).iter().enumerate() {
            sheet.write_number(r, 2 + c as u16, *v)?;
        }
        sheet.write_number(r, 8, row.average_attended)?;
        sheet.write_string(r, 9, &row.schedule)?;
    }

    let sheet = book.add_worksheet();
    sheet.set_name("По ученикам")?;
    sheet.write_string_with_format(0, 0, "Ученик", &bold)?;
    for (c, h) in TALLY.iter().enumerate() {
        sheet.write_string_with_format(0, 1 + c as u16, *h, &bold)?;
    }
    for (r, row) in report.by_student.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, &row.name)?;
        for (c, v) in tally_cells(&row.tally).iter().enumerate() {
            sheet.write_number(r, 1 + c as u16, *v)?;
        }
    }

    let sheet = book.add_worksheet();
    sheet.set_name("Абонементы")?;
    sheet.write_string_with_format(0, 0, "Активных сегодня", &bold)?;
    sheet.write_number(0, 1, report.active_memberships)?;
    for (c, h) in [
        "Ученик",
        "Тариф",
        "До",
        "Дней осталось",
        "Посещений осталось",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    for (r, row) in report.expiring.iter().enumerate() {
        let r = r as u32 + 3;
        sheet.write_string(r, 0, &row.student_name)?;
        sheet.write_string(r, 1, &row.plan_name)?;
        sheet.write_date_with_format(r, 2, row.ends_on, &date)?;
        sheet.write_number(r, 3, row.days_left)?;
        if let Some(v) = row.visits_left {
            sheet.write_number(r, 4, v)?;
        }
    }

    let sheet = book.add_worksheet();
    sheet.set_name("По месяцам")?;
    for (c, h) in ["Месяц", "Продано абонементов", "Выручка", "Новые ученики"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, (rev, new)) in report
        .monthly_revenue
        .iter()
        .zip(&report.new_students)
        .enumerate()
    {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, &rev.month)?;
        sheet.write_number(r, 1, rev.count)?;
        sheet.write_number_with_format(r, 2, rev.amount.minor() as f64 / 100.0, &money)?;
        sheet.write_number(r, 3, new.count)?;
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_cover_the_range_across_a_year_end() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            months(d(2026, 11, 15), d(2027, 2, 1)),
            ["2026-11", "2026-12", "2027-01", "2027-02"]
        );
    }

    #[test]
    fn a_late_evening_sale_counts_in_the_local_month() {
        let tz: Tz = "Asia/Almaty".parse().unwrap();
        let at = "2026-11-30T20:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(month_of(tz, at), "2026-12");
    }
}

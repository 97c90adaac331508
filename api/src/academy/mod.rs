//! The martial-arts academy: the class timetable and its sessions, attendance and check-in,
//! missed-class detection, memberships with visits and freezes, belt ladders, exams and
//! promotions, and the academy's reports.

pub mod attendance;
pub mod belts;
pub mod loaders;
pub mod memberships;
pub mod renewals;
pub mod reports;
pub mod rules;
pub mod students;
pub mod timetable;
pub mod types;
pub mod waitlist;

use crate::domain::timezone;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{AttendanceStatus, BeltTrack, ClassLevel};

use crate::{
    auth::policy::policy,
    context::ContextExt,
    domain::parse_id,
    error::{AppError, AppResult, IntoGql},
    pagination::{Page, PageInput},
};
use types::{
    AcademyClass, AcademyClassInput, Attendance, AttendanceMarkInput, Belt, BeltInput,
    ClassSession, CreateStudentInput, Exam, ExamInput, FreezeInput, Membership, MembershipPlan,
    MembershipPlanInput, MissedClassAlert, OneOffSessionInput, PromoteInput, PromotionEligibility,
    SellMembershipInput, Student, StudentFilter, StudentPage, UpdateStudentInput,
};

fn optional_id(field: &str, id: Option<&ID>) -> AppResult<Option<i64>> {
    id.map(|id| parse_id(field, id)).transpose()
}

/// The weekly pattern an input gives: `days`, or the one `weekday`, each day with its time or
/// the input's.
fn class_days(input: &AcademyClassInput) -> AppResult<Vec<timetable::ClassDay>> {
    let weekday = |n: i32| i16::try_from(n).unwrap_or(0);
    let no_time =
        |field: String| AppError::validation(field, "укажите время начала", "give the start time");
    match (&input.days, input.weekday) {
        (Some(days), _) if !days.is_empty() => days
            .iter()
            .enumerate()
            .map(|(i, d)| {
                Ok(timetable::ClassDay {
                    weekday: weekday(d.weekday),
                    starts_at: d
                        .starts_at
                        .or(input.starts_at)
                        .ok_or_else(|| no_time(format!("input.days.{i}.startsAt")))?,
                })
            })
            .collect(),
        (_, Some(day)) => Ok(vec![timetable::ClassDay {
            weekday: weekday(day),
            starts_at: input
                .starts_at
                .ok_or_else(|| no_time("input.startsAt".into()))?,
        }]),
        _ => Err(AppError::validation(
            "input.weekday",
            "укажите день недели (weekday) или дни (days)",
            "give the weekday or the days",
        )),
    }
}

fn class_spec(input: AcademyClassInput, today: NaiveDate) -> AppResult<timetable::ClassSpec> {
    Ok(timetable::ClassSpec {
        location_id: parse_id("input.locationId", &input.location_id)?,
        days: class_days(&input)?,
        name: input.name,
        duration_minutes: input.duration_minutes,
        trainer_id: optional_id("input.trainerId", input.trainer_id.as_ref())?,
        room_id: optional_id("input.roomId", input.room_id.as_ref())?,
        capacity: input.capacity,
        level: input.level.unwrap_or(ClassLevel::All),
        min_belt_id: optional_id("input.minBeltId", input.min_belt_id.as_ref())?,
        valid_from: input.valid_from.unwrap_or(today),
        valid_to: input.valid_to,
        active: input.active.unwrap_or(true),
    })
}

/// The student a booking or check-in is for: a client acts for themselves only; staff name
/// the student.
async fn student_for(ctx: &Context<'_>, student_id: Option<&ID>) -> AppResult<i64> {
    let state = ctx
        .state()
        .map_err(|_| AppError::internal("schema built without AppState"))?;
    let asked = optional_id("studentId", student_id)?;
    if ctx.actor().reach()?.own().is_some() {
        return match asked {
            Some(id) => {
                students::ensure_may_read_student(&state.db, ctx.actor(), id).await?;
                Ok(id)
            }
            None => Ok(students::own_required(&state.db, ctx.actor()).await?.id),
        };
    }
    asked.ok_or_else(|| AppError::validation("studentId", "укажите ученика", "give the student"))
}

fn report_range(from: NaiveDate, to: NaiveDate) -> AppResult<()> {
    if to < from || (to - from).num_days() > 366 {
        return Err(AppError::validation(
            "to",
            "период — от одного дня до года",
            "the range is one day to a year",
        ));
    }
    Ok(())
}

#[derive(Default)]
pub struct AcademyQuery;

#[Object]
impl AcademyQuery {
    /// The weekly timetable of a location, by weekday and time.
    #[graphql(guard = "policy(\"Query.academyClasses\")")]
    async fn academy_classes(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        include_inactive: Option<bool>,
    ) -> async_graphql::Result<Vec<AcademyClass>> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let rows = timetable::classes(&state.db, location_id, include_inactive.unwrap_or(false))
            .await
            .gql()?;
        Ok(rows.into_iter().map(AcademyClass).collect())
    }

    /// Sessions of a location starting in `[from, to)` (at most 93 days), by start.
    #[graphql(guard = "policy(\"Query.classSessions\")")]
    async fn class_sessions(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        include_cancelled: Option<bool>,
    ) -> async_graphql::Result<Vec<ClassSession>> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let rows = timetable::between(
            &state.db,
            location_id,
            from,
            to,
            include_cancelled.unwrap_or(false),
        )
        .await
        .gql()?;
        Ok(rows.into_iter().map(ClassSession).collect())
    }

    /// The next sessions of a location that have not ended (default 20, at most 100).
    #[graphql(guard = "policy(\"Query.upcomingClassSessions\")")]
    async fn upcoming_class_sessions(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        limit: Option<i32>,
    ) -> async_graphql::Result<Vec<ClassSession>> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let page = Page::parse(Some(PageInput {
            limit,
            offset: None,
        }))
        .gql()?;
        let rows = timetable::upcoming(state, location_id, page.limit)
            .await
            .gql()?;
        Ok(rows.into_iter().map(ClassSession).collect())
    }

    /// One session with its attendance list (a client sees only their own row).
    #[graphql(guard = "policy(\"Query.classSession\")")]
    async fn class_session(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<ClassSession> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        Ok(ClassSession(
            timetable::get_session(&state.db, id).await.gql()?,
        ))
    }

    /// Students, a page at a time.
    #[graphql(guard = "policy(\"Query.students\")")]
    async fn students(
        &self,
        ctx: &Context<'_>,
        filter: Option<StudentFilter>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<StudentPage> {
        let state = ctx.state()?;
        let query = match filter {
            Some(f) => students::StudentQuery {
                location_id: optional_id("filter.locationId", f.location_id.as_ref()).gql()?,
                search: f.search,
                include_inactive: f.include_inactive.unwrap_or(false),
                track: f.track,
            },
            None => students::StudentQuery {
                location_id: None,
                search: None,
                include_inactive: false,
                track: None,
            },
        };
        let (rows, page_info) = students::list(state, query, Page::asked(ctx, page).gql()?)
            .await
            .gql()?;
        Ok(StudentPage {
            items: rows.into_iter().map(Student).collect(),
            page_info,
        })
    }

    /// One student; a client may read only themselves.
    #[graphql(guard = "policy(\"Query.student\")")]
    async fn student(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Student> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        students::ensure_may_read_student(&state.db, ctx.actor(), id)
            .await
            .gql()?;
        Ok(Student(students::get(&state.db, id).await.gql()?))
    }

    /// The student the signed-in client is, if their account is linked to one.
    #[graphql(guard = "policy(\"Query.myStudent\")")]
    async fn my_student(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Student>> {
        let state = ctx.state()?;
        Ok(students::own(&state.db, ctx.actor())
            .await
            .gql()?
            .map(Student))
    }

    /// A student's attendance, newest first (optionally sessions starting in `[from, to)`).
    #[graphql(guard = "policy(\"Query.studentAttendance\")")]
    async fn student_attendance(
        &self,
        ctx: &Context<'_>,
        student_id: ID,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> async_graphql::Result<Vec<Attendance>> {
        let state = ctx.state()?;
        let id = parse_id("studentId", &student_id).gql()?;
        students::ensure_may_read_student(&state.db, ctx.actor(), id)
            .await
            .gql()?;
        students::get(&state.db, id).await.gql()?;
        let rows = attendance::of_student(&state.db, id, from, to)
            .await
            .gql()?;
        Ok(rows.into_iter().map(|(a, _)| Attendance(a)).collect())
    }

    /// Students who missed `lastClasses` or more classes since they last came (held sessions
    /// of their classes, not only marked absences), or have not trained for `noVisitDays`
    /// calendar days (give either or both).
    #[graphql(guard = "policy(\"Query.missedClasses\")")]
    async fn missed_classes(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        last_classes: Option<i32>,
        no_visit_days: Option<i32>,
    ) -> async_graphql::Result<Vec<MissedClassAlert>> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let rows = attendance::missed(state, location_id, last_classes, no_visit_days)
            .await
            .gql()?;
        Ok(rows.into_iter().map(MissedClassAlert).collect())
    }

    /// Membership plans on sale (or all).
    #[graphql(guard = "policy(\"Query.membershipPlans\")")]
    async fn membership_plans(
        &self,
        ctx: &Context<'_>,
        include_inactive: Option<bool>,
    ) -> async_graphql::Result<Vec<MembershipPlan>> {
        let state = ctx.state()?;
        let rows = memberships::plans(&state.db, include_inactive.unwrap_or(false))
            .await
            .gql()?;
        Ok(rows.into_iter().map(MembershipPlan::from).collect())
    }

    /// A student's memberships with their status today; a client may read only their own.
    #[graphql(guard = "policy(\"Query.memberships\")")]
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        student_id: ID,
    ) -> async_graphql::Result<Vec<Membership>> {
        let state = ctx.state()?;
        let id = parse_id("studentId", &student_id).gql()?;
        students::ensure_may_read_student(&state.db, ctx.actor(), id)
            .await
            .gql()?;
        let student = students::get(&state.db, id).await.gql()?;
        let (_, tz) = timetable::location_tz(&state.db, student.location_id)
            .await
            .gql()?;
        let today = timezone::local_date(tz, state.clock.now());
        Ok(memberships::of_student(&state.db, id)
            .await
            .gql()?
            .into_iter()
            .map(|m| Membership { m, today })
            .collect())
    }

    /// The belt ladders (one or both), lowest first.
    #[graphql(guard = "policy(\"Query.belts\")")]
    async fn belts(
        &self,
        ctx: &Context<'_>,
        track: Option<BeltTrack>,
    ) -> async_graphql::Result<Vec<Belt>> {
        let state = ctx.state()?;
        let rows = belts::ladder(&state.db, track).await.gql()?;
        Ok(rows.into_iter().map(Belt::from).collect())
    }

    /// "X of Y classes since the last promotion" for the active students of a location.
    #[graphql(guard = "policy(\"Query.promotionEligibility\")")]
    async fn promotion_eligibility(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        track: Option<BeltTrack>,
        only_eligible: Option<bool>,
    ) -> async_graphql::Result<Vec<PromotionEligibility>> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let rows = belts::eligibility(state, location_id, track, only_eligible.unwrap_or(false))
            .await
            .gql()?;
        Ok(rows.into_iter().map(PromotionEligibility).collect())
    }

    /// Exams of a location's students dated from `from` to `to`, by date.
    #[graphql(guard = "policy(\"Query.exams\")")]
    async fn exams(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        from: NaiveDate,
        to: NaiveDate,
    ) -> async_graphql::Result<Vec<Exam>> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        report_range(from, to).gql()?;
        let rows = belts::exams(&state.db, location_id, from, to).await.gql()?;
        Ok(rows.into_iter().map(Exam).collect())
    }

    /// What a location's students owe on renewed memberships (Gymdesk's billing list): due
    /// today or later, and overdue, the longest overdue first.
    #[graphql(guard = "policy(\"Query.membershipsDue\")")]
    async fn memberships_due(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
    ) -> async_graphql::Result<Vec<renewals::MembershipDue>> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        renewals::due(state, location_id).await.gql()
    }

    /// A session's waitlist in queue order (who waits, who was offered a place, who booked).
    #[graphql(guard = "policy(\"Query.classWaitlist\")")]
    async fn class_waitlist(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
    ) -> async_graphql::Result<Vec<waitlist::WaitlistEntry>> {
        let state = ctx.state()?;
        let session_id = parse_id("sessionId", &session_id).gql()?;
        timetable::get_session(&state.db, session_id).await.gql()?;
        waitlist::of_session(&state.db, session_id).await.gql()
    }

    /// A location's academy rules: the age of the adult belts and the months a belt is held.
    #[graphql(guard = "policy(\"Query.academySettings\")")]
    async fn academy_settings(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
    ) -> async_graphql::Result<rules::AcademySettings> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        timetable::location_tz(&state.db, location_id).await.gql()?;
        Ok(rules::get(&state.db, location_id).await.gql()?.into())
    }

    /// The academy's figures by the location's local days and months: attendance by class
    /// and by student, active and expiring memberships, revenue and new students by month.
    #[graphql(guard = "policy(\"Query.academyReport\")")]
    async fn academy_report(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        from: NaiveDate,
        to: NaiveDate,
        expiring_within_days: Option<i32>,
    ) -> async_graphql::Result<reports::AcademyReport> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        report_range(from, to).gql()?;
        reports::build(state, location_id, from, to, expiring_within_days)
            .await
            .gql()
    }

    /// The same report as an .xlsx workbook, one sheet a section.
    #[graphql(guard = "policy(\"Query.academyReportXlsx\")")]
    async fn academy_report_xlsx(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        from: NaiveDate,
        to: NaiveDate,
        expiring_within_days: Option<i32>,
    ) -> async_graphql::Result<crate::club::reports::ReportFile> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        report_range(from, to).gql()?;
        let report = reports::build(state, location_id, from, to, expiring_within_days)
            .await
            .gql()?;
        reports::xlsx(&report).gql()
    }
}

#[derive(Default)]
pub struct AcademyMutation;

#[Object]
impl AcademyMutation {
    /// A recurring class on the weekly timetable.
    #[graphql(guard = "policy(\"Mutation.createAcademyClass\")")]
    async fn create_academy_class(
        &self,
        ctx: &Context<'_>,
        input: AcademyClassInput,
    ) -> async_graphql::Result<AcademyClass> {
        let state = ctx.state()?;
        let location_id = parse_id("input.locationId", &input.location_id).gql()?;
        let (_, tz) = timetable::location_tz(&state.db, location_id).await.gql()?;
        let spec = class_spec(input, timezone::local_date(tz, state.clock.now())).gql()?;
        Ok(AcademyClass(
            timetable::create_class(state, &ctx.caller(), spec)
                .await
                .gql()?,
        ))
    }

    /// Replaces a class; sessions already made keep their times.
    #[graphql(guard = "policy(\"Mutation.updateAcademyClass\")")]
    async fn update_academy_class(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: AcademyClassInput,
    ) -> async_graphql::Result<AcademyClass> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let current = timetable::get_class(&state.db, id).await.gql()?;
        let spec = class_spec(input, current.valid_from).gql()?;
        Ok(AcademyClass(
            timetable::update_class(state, &ctx.caller(), id, spec)
                .await
                .gql()?,
        ))
    }

    /// Makes the sessions of the timetable from `from` to `to` (local dates, at most 93
    /// days); sessions that exist are kept. Answers every timetable session in the range.
    #[graphql(guard = "policy(\"Mutation.generateClassSessions\")")]
    async fn generate_class_sessions(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        from: NaiveDate,
        to: NaiveDate,
    ) -> async_graphql::Result<Vec<ClassSession>> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        let rows = timetable::generate(state, &ctx.caller(), location_id, from, to)
            .await
            .gql()?;
        Ok(rows.into_iter().map(ClassSession).collect())
    }

    /// A one-off session outside the timetable.
    #[graphql(guard = "policy(\"Mutation.createClassSession\")")]
    async fn create_class_session(
        &self,
        ctx: &Context<'_>,
        input: OneOffSessionInput,
    ) -> async_graphql::Result<ClassSession> {
        let state = ctx.state()?;
        let spec = timetable::OneOffSpec {
            location_id: parse_id("input.locationId", &input.location_id).gql()?,
            name: input.name,
            starts_at: input.starts_at,
            duration_minutes: input.duration_minutes,
            trainer_id: optional_id("input.trainerId", input.trainer_id.as_ref()).gql()?,
            room_id: optional_id("input.roomId", input.room_id.as_ref()).gql()?,
            capacity: input.capacity,
            level: input.level.unwrap_or(ClassLevel::All),
            min_belt_id: optional_id("input.minBeltId", input.min_belt_id.as_ref()).gql()?,
        };
        Ok(ClassSession(
            timetable::create_one_off(state, &ctx.caller(), spec)
                .await
                .gql()?,
        ))
    }

    /// Cancels a session; visits it used go back to their memberships.
    #[graphql(guard = "policy(\"Mutation.cancelClassSession\")")]
    async fn cancel_class_session(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<ClassSession> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        Ok(ClassSession(
            timetable::cancel(state, &ctx.caller(), id, reason)
                .await
                .gql()?,
        ))
    }

    /// Enrols a client at the academy.
    #[graphql(guard = "policy(\"Mutation.createStudent\")")]
    async fn create_student(
        &self,
        ctx: &Context<'_>,
        input: CreateStudentInput,
    ) -> async_graphql::Result<Student> {
        let state = ctx.state()?;
        let new = students::NewStudent {
            client_id: parse_id("input.clientId", &input.client_id).gql()?,
            location_id: parse_id("input.locationId", &input.location_id).gql()?,
            user_id: optional_id("input.userId", input.user_id.as_ref()).gql()?,
            track: input.track,
            belt_id: optional_id("input.beltId", input.belt_id.as_ref()).gql()?,
            stripes: i16::try_from(input.stripes.unwrap_or(0)).unwrap_or(-1),
            joined_at: input.joined_at,
            notes: input.notes,
        };
        Ok(Student(
            students::create(state, &ctx.caller(), new).await.gql()?,
        ))
    }

    #[graphql(guard = "policy(\"Mutation.updateStudent\")")]
    async fn update_student(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateStudentInput,
    ) -> async_graphql::Result<Student> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let changes = students::StudentChanges {
            location_id: optional_id("input.locationId", input.location_id.as_ref()).gql()?,
            user_id: optional_id("input.userId", input.user_id.as_ref()).gql()?,
            track: input.track,
            active: input.active,
            notes: input.notes,
        };
        Ok(Student(
            students::update(state, &ctx.caller(), id, changes)
                .await
                .gql()?,
        ))
    }

    /// Marks one student of a session; answers their attendance row.
    #[graphql(guard = "policy(\"Mutation.markAttendance\")")]
    async fn mark_attendance(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        student_id: ID,
        status: AttendanceStatus,
        note: Option<String>,
    ) -> async_graphql::Result<Attendance> {
        let state = ctx.state()?;
        let session_id = parse_id("sessionId", &session_id).gql()?;
        let student_id = parse_id("studentId", &student_id).gql()?;
        let rows = attendance::mark(
            state,
            &ctx.caller(),
            session_id,
            vec![attendance::Mark {
                student_id,
                status,
                note,
            }],
        )
        .await
        .gql()?;
        rows.into_iter()
            .find(|r| r.student_id == student_id)
            .map(Attendance)
            .ok_or_else(|| AppError::internal("the marked row is missing"))
            .gql()
    }

    /// Marks many students of a session at once, all or none; answers the whole list.
    #[graphql(guard = "policy(\"Mutation.markAttendanceList\")")]
    async fn mark_attendance_list(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        marks: Vec<AttendanceMarkInput>,
    ) -> async_graphql::Result<Vec<Attendance>> {
        let state = ctx.state()?;
        let session_id = parse_id("sessionId", &session_id).gql()?;
        let marks = marks
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                Ok(attendance::Mark {
                    student_id: parse_id(&format!("marks.{i}.studentId"), &m.student_id)?,
                    status: m.status,
                    note: m.note,
                })
            })
            .collect::<AppResult<Vec<_>>>()
            .gql()?;
        let rows = attendance::mark(state, &ctx.caller(), session_id, marks)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Attendance).collect())
    }

    /// Sets a location's academy rules; promotions that break them are refused with the
    /// reason.
    #[graphql(guard = "policy(\"Mutation.setAcademySettings\")")]
    async fn set_academy_settings(
        &self,
        ctx: &Context<'_>,
        location_id: ID,
        input: rules::AcademySettingsInput,
    ) -> async_graphql::Result<rules::AcademySettings> {
        let state = ctx.state()?;
        let location_id = parse_id("locationId", &location_id).gql()?;
        Ok(rules::set(state, &ctx.caller(), location_id, input)
            .await
            .gql()?
            .into())
    }

    /// Takes a mark made by mistake off a session, as if it was never made: a visit it used
    /// goes back to the membership and no report counts it (an absence is marked, not this).
    /// Answers the session's remaining list.
    #[graphql(guard = "policy(\"Mutation.removeAttendanceMark\")")]
    async fn remove_attendance_mark(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        student_id: ID,
    ) -> async_graphql::Result<Vec<Attendance>> {
        let state = ctx.state()?;
        let session_id = parse_id("sessionId", &session_id).gql()?;
        let student_id = parse_id("studentId", &student_id).gql()?;
        let rows = attendance::unmark(state, &ctx.caller(), session_id, student_id)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Attendance).collect())
    }

    /// Cancels a booking of a class that has not started (a client their own): the place is
    /// offered to the first student on the waitlist. Answers the session's list.
    #[graphql(guard = "policy(\"Mutation.cancelClassBooking\")")]
    async fn cancel_class_booking(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        student_id: Option<ID>,
    ) -> async_graphql::Result<Vec<Attendance>> {
        let state = ctx.state()?;
        let session_id = parse_id("sessionId", &session_id).gql()?;
        let student_id = student_for(ctx, student_id.as_ref()).await.gql()?;
        let rows = attendance::cancel_booking(state, &ctx.caller(), session_id, student_id)
            .await
            .gql()?;
        Ok(rows.into_iter().map(Attendance).collect())
    }

    /// Puts a student (a client themselves) on the waitlist of a full session; the first
    /// waiting is offered a place that comes free.
    #[graphql(guard = "policy(\"Mutation.joinClassWaitlist\")")]
    async fn join_class_waitlist(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        student_id: Option<ID>,
    ) -> async_graphql::Result<waitlist::WaitlistEntry> {
        let state = ctx.state()?;
        let session_id = parse_id("sessionId", &session_id).gql()?;
        let student_id = student_for(ctx, student_id.as_ref()).await.gql()?;
        waitlist::join(state, &ctx.caller(), session_id, student_id)
            .await
            .gql()
    }

    /// Takes a student (a client themselves) off a session's waitlist.
    #[graphql(guard = "policy(\"Mutation.leaveClassWaitlist\")")]
    async fn leave_class_waitlist(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        student_id: Option<ID>,
    ) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        let session_id = parse_id("sessionId", &session_id).gql()?;
        let student_id = student_for(ctx, student_id.as_ref()).await.gql()?;
        waitlist::leave(state, &ctx.caller(), session_id, student_id)
            .await
            .gql()?;
        Ok(true)
    }

    /// Books a place in a session: a client for themselves, staff for any student.
    #[graphql(guard = "policy(\"Mutation.bookClassSession\")")]
    async fn book_class_session(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        student_id: Option<ID>,
    ) -> async_graphql::Result<Attendance> {
        let state = ctx.state()?;
        let session_id = parse_id("sessionId", &session_id).gql()?;
        let student_id = student_for(ctx, student_id.as_ref()).await.gql()?;
        Ok(Attendance(
            attendance::book(state, &ctx.caller(), session_id, student_id)
                .await
                .gql()?,
        ))
    }

    /// Checks in to a booked session (from an hour before the start): present, or late after
    /// the first ten minutes. Uses a membership visit.
    #[graphql(guard = "policy(\"Mutation.checkIn\")")]
    async fn check_in(
        &self,
        ctx: &Context<'_>,
        session_id: ID,
        student_id: Option<ID>,
    ) -> async_graphql::Result<Attendance> {
        let state = ctx.state()?;
        let session_id = parse_id("sessionId", &session_id).gql()?;
        let student_id = student_for(ctx, student_id.as_ref()).await.gql()?;
        Ok(Attendance(
            attendance::check_in(state, &ctx.caller(), session_id, student_id)
                .await
                .gql()?,
        ))
    }

    #[graphql(guard = "policy(\"Mutation.createMembershipPlan\")")]
    async fn create_membership_plan(
        &self,
        ctx: &Context<'_>,
        input: MembershipPlanInput,
    ) -> async_graphql::Result<MembershipPlan> {
        let state = ctx.state()?;
        Ok(
            memberships::save_plan(state, &ctx.caller(), None, plan_spec(input))
                .await
                .gql()?
                .into(),
        )
    }

    #[graphql(guard = "policy(\"Mutation.updateMembershipPlan\")")]
    async fn update_membership_plan(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: MembershipPlanInput,
    ) -> async_graphql::Result<MembershipPlan> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        Ok(
            memberships::save_plan(state, &ctx.caller(), Some(id), plan_spec(input))
                .await
                .gql()?
                .into(),
        )
    }

    /// Sells a membership; the payment goes through the wallet and payment ledger.
    #[graphql(guard = "policy(\"Mutation.sellMembership\")")]
    async fn sell_membership(
        &self,
        ctx: &Context<'_>,
        input: SellMembershipInput,
    ) -> async_graphql::Result<Membership> {
        let state = ctx.state()?;
        let sale = memberships::Sale {
            student_id: parse_id("input.studentId", &input.student_id).gql()?,
            plan_id: parse_id("input.planId", &input.plan_id).gql()?,
            starts_on: input.starts_on,
            price: input.price.map(|p| p.minor()),
            method: input.payment_method,
        };
        let m = memberships::sell(state, &ctx.caller(), sale, &input.idempotency_key)
            .await
            .gql()?;
        membership_now(state, m).await.gql()
    }

    /// Freezes a membership; its end date moves out by the frozen days.
    #[graphql(guard = "policy(\"Mutation.freezeMembership\")")]
    async fn freeze_membership(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: FreezeInput,
    ) -> async_graphql::Result<Membership> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let m = memberships::freeze(
            state,
            &ctx.caller(),
            id,
            input.from,
            input.days,
            input.reason,
        )
        .await
        .gql()?;
        membership_now(state, m).await.gql()
    }

    #[graphql(guard = "policy(\"Mutation.cancelMembership\")")]
    async fn cancel_membership(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Membership> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let m = memberships::cancel(state, &ctx.caller(), id).await.gql()?;
        membership_now(state, m).await.gql()
    }

    /// Stops a membership's renewal: it runs to its end and no further.
    #[graphql(guard = "policy(\"Mutation.stopMembershipRenewal\")")]
    async fn stop_membership_renewal(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Membership> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let m = renewals::stop(state, &ctx.caller(), id).await.gql()?;
        membership_now(state, m).await.gql()
    }

    /// Takes what a renewal left due on a membership, once per idempotency key.
    #[graphql(guard = "policy(\"Mutation.payMembership\")")]
    async fn pay_membership(
        &self,
        ctx: &Context<'_>,
        id: ID,
        payment_method: entity::enums::PaymentMethod,
        idempotency_key: String,
    ) -> async_graphql::Result<Membership> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let m = renewals::pay(state, &ctx.caller(), id, payment_method, &idempotency_key)
            .await
            .gql()?;
        membership_now(state, m).await.gql()
    }

    #[graphql(guard = "policy(\"Mutation.createBelt\")")]
    async fn create_belt(
        &self,
        ctx: &Context<'_>,
        input: BeltInput,
    ) -> async_graphql::Result<Belt> {
        let state = ctx.state()?;
        Ok(
            belts::save_belt(state, &ctx.caller(), None, belt_spec(input))
                .await
                .gql()?
                .into(),
        )
    }

    #[graphql(guard = "policy(\"Mutation.updateBelt\")")]
    async fn update_belt(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: BeltInput,
    ) -> async_graphql::Result<Belt> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        Ok(
            belts::save_belt(state, &ctx.caller(), Some(id), belt_spec(input))
                .await
                .gql()?
                .into(),
        )
    }

    /// Records an exam; a passed one can promote the student at once.
    #[graphql(guard = "policy(\"Mutation.recordExam\")")]
    async fn record_exam(
        &self,
        ctx: &Context<'_>,
        input: ExamInput,
    ) -> async_graphql::Result<Exam> {
        let state = ctx.state()?;
        let spec = exam_spec(input).gql()?;
        Ok(Exam(
            belts::save_exam(state, &ctx.caller(), None, spec)
                .await
                .gql()?,
        ))
    }

    /// Changes an exam (its date, result or notes).
    #[graphql(guard = "policy(\"Mutation.updateExam\")")]
    async fn update_exam(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ExamInput,
    ) -> async_graphql::Result<Exam> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        let spec = exam_spec(input).gql()?;
        Ok(Exam(
            belts::save_exam(state, &ctx.caller(), Some(id), spec)
                .await
                .gql()?,
        ))
    }

    /// Promotes one or many students to a belt, all or none, with history and audit rows.
    #[graphql(guard = "policy(\"Mutation.promoteStudents\")")]
    async fn promote_students(
        &self,
        ctx: &Context<'_>,
        input: PromoteInput,
    ) -> async_graphql::Result<Vec<Student>> {
        let state = ctx.state()?;
        let student_ids = input
            .student_ids
            .iter()
            .enumerate()
            .map(|(i, id)| parse_id(&format!("input.studentIds.{i}"), id))
            .collect::<AppResult<Vec<_>>>()
            .gql()?;
        let p = belts::Promotion {
            student_ids,
            belt_id: parse_id("input.beltId", &input.belt_id).gql()?,
            stripes: input.stripes.unwrap_or(0),
            note: input.note,
        };
        let rows = belts::promote(state, &ctx.caller(), p).await.gql()?;
        Ok(rows.into_iter().map(Student).collect())
    }
}

fn plan_spec(input: MembershipPlanInput) -> memberships::PlanSpec {
    memberships::PlanSpec {
        name: input.name,
        visits: input.visits,
        validity_days: input.validity_days,
        price: input.price.minor(),
        active: input.active.unwrap_or(true),
        recurring: input.recurring.unwrap_or(false),
    }
}

fn belt_spec(input: BeltInput) -> belts::BeltSpec {
    belts::BeltSpec {
        track: input.track,
        name: input.name,
        color: input.color,
        position: input.position,
        max_stripes: input.max_stripes,
        classes_required: input.classes_required,
        active: input.active.unwrap_or(true),
    }
}

fn exam_spec(input: ExamInput) -> AppResult<belts::ExamSpec> {
    Ok(belts::ExamSpec {
        student_id: parse_id("input.studentId", &input.student_id)?,
        belt_id: parse_id("input.beltId", &input.belt_id)?,
        exam_date: input.exam_date,
        result: input.result,
        notes: input.notes,
        promote: input.promote.unwrap_or(false),
    })
}

/// A membership with its status on its student's location's today.
async fn membership_now(
    state: &crate::state::AppState,
    m: entity::academy_membership::Model,
) -> AppResult<Membership> {
    let student = students::get(&state.db, m.student_id).await?;
    let (_, tz) = timetable::location_tz(&state.db, student.location_id).await?;
    Ok(Membership {
        today: timezone::local_date(tz, state.clock.now()),
        m,
    })
}

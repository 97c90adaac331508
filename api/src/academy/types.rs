//! GraphQL objects and inputs of the academy.

use crate::domain::timezone;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use entity::{
    academy_attendance, academy_belt, academy_class, academy_exam, academy_freeze,
    academy_membership, academy_plan, academy_rank, academy_session, academy_student,
    enums::{
        AttendanceStatus, BeltTrack, ClassLevel, ClassSessionStatus, ExamResult, PaymentMethod,
    },
};

use super::{
    attendance::MissedAlert,
    belts::{self, Eligibility},
    loaders::{
        AttendanceBySession, ClassesSinceByStudent, ExamsByStudent, FreezesByMembership, LADDER,
        Ladder, LoginsByClient, MembershipsByStudent, PlanById, RanksByStudent, SessionById,
        StudentByClient, StudentById,
    },
    memberships::{self, MembershipStatus},
};
use crate::{
    batch::{load, load_many},
    clients::{loaders::ClientById, types::Client},
    context::ContextExt,
    domain::{Money, Timezone},
    error::IntoGql,
    page_type,
    venue::loaders::LocationById,
};

async fn belt(ctx: &Context<'_>, id: Option<i64>) -> async_graphql::Result<Option<Belt>> {
    match id {
        Some(id) => Ok(load_many::<Ladder, _>(ctx, LADDER)
            .await?
            .into_iter()
            .find(|b| b.id == id)
            .map(Belt::from)),
        None => Ok(None),
    }
}

/// The location's local today for a student's location.
async fn today_at(ctx: &Context<'_>, location_id: i64) -> async_graphql::Result<NaiveDate> {
    let now = ctx.state()?.clock.now();
    let tz = load::<LocationById, _>(ctx, location_id)
        .await?
        .and_then(|l| Timezone::parse("timezone", &l.timezone).ok())
        .map_or(chrono_tz::UTC, |t| t.0);
    Ok(timezone::local_date(tz, now))
}

/// One rank of a belt ladder.
#[derive(SimpleObject, Clone)]
pub struct Belt {
    pub id: ID,
    pub track: BeltTrack,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    /// Order on the ladder, lowest first.
    pub position: i32,
    pub max_stripes: i32,
    /// Classes since the last promotion before moving on from this belt.
    pub classes_required: i32,
    pub active: bool,
}

impl From<academy_belt::Model> for Belt {
    fn from(b: academy_belt::Model) -> Self {
        Belt {
            id: b.id.into(),
            track: b.track,
            name: b.name,
            color: b.color,
            position: b.position,
            max_stripes: i32::from(b.max_stripes),
            classes_required: b.classes_required,
            active: b.active,
        }
    }
}

/// A recurring class on the weekly timetable.
pub struct AcademyClass(pub academy_class::Model);

#[Object]
impl AcademyClass {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn location_id(&self) -> ID {
        self.0.location_id.into()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// ISO weekday, 1 = Monday: the first of `days`.
    async fn weekday(&self) -> i32 {
        i32::from(self.0.weekday)
    }
    /// Local time at the location, on `weekday`.
    async fn starts_at(&self) -> NaiveTime {
        self.0.starts_at
    }
    /// The weekly pattern, in week order.
    async fn days(&self) -> Vec<ClassDay> {
        super::timetable::pattern(&self.0)
            .into_iter()
            .map(|d| ClassDay {
                weekday: i32::from(d.weekday),
                starts_at: d.starts_at,
            })
            .collect()
    }
    /// The pattern as people read it: `пн, ср, пт 18:00`.
    async fn schedule(&self) -> String {
        super::timetable::pattern_label(&super::timetable::pattern(&self.0))
    }
    async fn duration_minutes(&self) -> i32 {
        self.0.duration_minutes
    }
    async fn trainer_id(&self) -> Option<ID> {
        self.0.trainer_id.map(Into::into)
    }
    async fn room_id(&self) -> Option<ID> {
        self.0.room_id.map(Into::into)
    }
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    async fn level(&self) -> ClassLevel {
        self.0.level
    }
    /// The lowest belt admitted, if any.
    async fn min_belt(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Belt>> {
        belt(ctx, self.0.min_belt_id).await
    }
    async fn valid_from(&self) -> NaiveDate {
        self.0.valid_from
    }
    async fn valid_to(&self) -> Option<NaiveDate> {
        self.0.valid_to
    }
    async fn active(&self) -> bool {
        self.0.active
    }
}

/// One class on one day.
pub struct ClassSession(pub academy_session::Model);

impl ClassSession {
    async fn rows(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<academy_attendance::Model>> {
        load_many::<AttendanceBySession, _>(ctx, self.0.id).await
    }
}

#[Object]
impl ClassSession {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn location_id(&self) -> ID {
        self.0.location_id.into()
    }
    /// The timetable class it was made from; none for a one-off session.
    async fn class_id(&self) -> Option<ID> {
        self.0.class_id.map(Into::into)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn trainer_id(&self) -> Option<ID> {
        self.0.trainer_id.map(Into::into)
    }
    async fn room_id(&self) -> Option<ID> {
        self.0.room_id.map(Into::into)
    }
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }
    async fn level(&self) -> ClassLevel {
        self.0.level
    }
    async fn min_belt(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Belt>> {
        belt(ctx, self.0.min_belt_id).await
    }
    async fn status(&self) -> ClassSessionStatus {
        self.0.status
    }
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }
    /// Places held (booked, present or late).
    async fn taken(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        Ok(self
            .rows(ctx)
            .await?
            .iter()
            .filter(|r| r.status.holds_place())
            .count() as i32)
    }
    /// Places still free.
    async fn free(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let taken = self
            .rows(ctx)
            .await?
            .iter()
            .filter(|r| r.status.holds_place())
            .count() as i32;
        Ok((self.0.capacity - taken).max(0))
    }
    /// The attendance list; a client sees only their own row.
    async fn attendance(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Attendance>> {
        let rows = self.rows(ctx).await?;
        let actor = ctx.actor();
        let rows = if let Some(client_id) = actor.reach().gql()?.own() {
            let me = load::<StudentByClient, _>(ctx, client_id)
                .await?
                .map(|s| s.id);
            rows.into_iter()
                .filter(|r| Some(r.student_id) == me)
                .collect()
        } else {
            rows
        };
        Ok(rows.into_iter().map(Attendance).collect())
    }
}

/// A student in a class session.
pub struct Attendance(pub academy_attendance::Model);

#[Object]
impl Attendance {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn session_id(&self) -> ID {
        self.0.session_id.into()
    }
    async fn student_id(&self) -> ID {
        self.0.student_id.into()
    }
    async fn status(&self) -> AttendanceStatus {
        self.0.status
    }
    /// The membership whose visit it used.
    async fn membership_id(&self) -> Option<ID> {
        self.0.membership_id.map(Into::into)
    }
    /// Attended with no valid membership that day: settle it at the desk.
    async fn without_membership(&self) -> bool {
        self.0.without_membership
    }
    /// When the student came: the check-in or mark while the class was on, or the start of
    /// the class for a mark entered before or after it.
    async fn checked_in_at(&self) -> Option<DateTime<Utc>> {
        self.0.checked_in_at
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn student(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Student>> {
        Ok(load::<StudentById, _>(ctx, self.0.student_id)
            .await?
            .map(Student))
    }
    async fn session(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ClassSession>> {
        Ok(load::<SessionById, _>(ctx, self.0.session_id)
            .await?
            .map(ClassSession))
    }
}

/// A client enrolled at the academy.
pub struct Student(pub academy_student::Model);

#[Object]
impl Student {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn client_id(&self) -> ID {
        self.0.client_id.into()
    }
    async fn location_id(&self) -> ID {
        self.0.location_id.into()
    }
    /// The client-role user who signs in as this student (the first linked to the client).
    async fn user_id(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ID>> {
        let logins = load::<LoginsByClient, _>(ctx, self.0.client_id).await?;
        Ok(logins.and_then(|l| l.first().map(|l| l.user_id.into())))
    }
    async fn track(&self) -> BeltTrack {
        self.0.track
    }
    async fn stripes(&self) -> i32 {
        i32::from(self.0.stripes)
    }
    async fn promoted_at(&self) -> Option<DateTime<Utc>> {
        self.0.promoted_at
    }
    async fn joined_at(&self) -> DateTime<Utc> {
        self.0.joined_at
    }
    async fn active(&self) -> bool {
        self.0.active
    }
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    async fn client(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Client>> {
        Ok(load::<ClientById, _>(ctx, self.0.client_id)
            .await?
            .map(Client))
    }
    /// The current belt.
    async fn belt(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Belt>> {
        belt(ctx, self.0.belt_id).await
    }
    /// Memberships, the latest start first, with their status today.
    async fn memberships(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Membership>> {
        let (today, list) = tokio::try_join!(
            today_at(ctx, self.0.location_id),
            load_many::<MembershipsByStudent, _>(ctx, self.0.id)
        )?;
        Ok(list.into_iter().map(|m| Membership { m, today }).collect())
    }
    /// The membership valid today (the one ending soonest), if any.
    async fn active_membership(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Membership>> {
        let (today, list) = tokio::try_join!(
            today_at(ctx, self.0.location_id),
            load_many::<MembershipsByStudent, _>(ctx, self.0.id)
        )?;
        Ok(list
            .into_iter()
            .filter(|m| memberships::status_on(m, today) == MembershipStatus::Active)
            .min_by_key(|m| (m.ends_on, m.id))
            .map(|m| Membership { m, today }))
    }
    /// Promotions, oldest first.
    async fn ranks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RankChange>> {
        Ok(load_many::<RanksByStudent, _>(ctx, self.0.id)
            .await?
            .into_iter()
            .map(RankChange)
            .collect())
    }
    async fn exams(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Exam>> {
        Ok(load_many::<ExamsByStudent, _>(ctx, self.0.id)
            .await?
            .into_iter()
            .map(Exam)
            .collect())
    }
    /// Where the student stands against the rule for the next belt.
    async fn eligibility(&self, ctx: &Context<'_>) -> async_graphql::Result<PromotionEligibility> {
        let (ladder, attended) = tokio::try_join!(
            load_many::<Ladder, _>(ctx, LADDER),
            load::<ClassesSinceByStudent, _>(ctx, self.0.id)
        )?;
        let attended = attended.unwrap_or(0);
        Ok(PromotionEligibility(belts::eligibility_of(
            self.0.clone(),
            &ladder,
            attended,
        )))
    }
}

page_type!(StudentPage, Student);

/// A promotion in a student's rank history.
pub struct RankChange(pub academy_rank::Model);

#[Object]
impl RankChange {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn belt(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Belt>> {
        belt(ctx, Some(self.0.belt_id)).await
    }
    async fn stripes(&self) -> i32 {
        i32::from(self.0.stripes)
    }
    async fn previous_belt(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Belt>> {
        belt(ctx, self.0.previous_belt_id).await
    }
    async fn previous_stripes(&self) -> i32 {
        i32::from(self.0.previous_stripes)
    }
    async fn exam_id(&self) -> Option<ID> {
        self.0.exam_id.map(Into::into)
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn promoted_at(&self) -> DateTime<Utc> {
        self.0.promoted_at
    }
    async fn promoted_by_id(&self) -> Option<ID> {
        self.0.promoted_by.map(Into::into)
    }
}

/// A belt exam.
pub struct Exam(pub academy_exam::Model);

#[Object]
impl Exam {
    async fn id(&self) -> ID {
        self.0.id.into()
    }
    async fn student_id(&self) -> ID {
        self.0.student_id.into()
    }
    async fn student(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Student>> {
        Ok(load::<StudentById, _>(ctx, self.0.student_id)
            .await?
            .map(Student))
    }
    /// The belt examined for.
    async fn belt(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Belt>> {
        belt(ctx, Some(self.0.belt_id)).await
    }
    async fn exam_date(&self) -> NaiveDate {
        self.0.exam_date
    }
    async fn result(&self) -> ExamResult {
        self.0.result
    }
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
}

/// "X of Y classes since the last promotion" for one student.
pub struct PromotionEligibility(pub Eligibility);

#[Object]
impl PromotionEligibility {
    async fn student_id(&self) -> ID {
        self.0.student.id.into()
    }
    async fn student(&self) -> Student {
        Student(self.0.student.clone())
    }
    async fn current_belt(&self) -> Option<Belt> {
        self.0.current.clone().map(Belt::from)
    }
    async fn stripes(&self) -> i32 {
        i32::from(self.0.student.stripes)
    }
    /// The belt a promotion would give; none at the top of the ladder.
    async fn next_belt(&self) -> Option<Belt> {
        self.0.next.clone().map(Belt::from)
    }
    /// Counting starts here: the last promotion, or joining.
    async fn since(&self) -> DateTime<Utc> {
        self.0.since
    }
    /// X: classes attended since.
    async fn classes_since(&self) -> i32 {
        self.0.classes_since as i32
    }
    /// Y: classes the current belt requires.
    async fn classes_required(&self) -> i32 {
        self.0.classes_required
    }
    async fn eligible(&self) -> bool {
        self.0.eligible
    }
    /// "12 of 40".
    async fn progress(&self) -> String {
        format!("{} of {}", self.0.classes_since, self.0.classes_required)
    }
}

/// A student who stopped coming.
pub struct MissedClassAlert(pub MissedAlert);

#[Object]
impl MissedClassAlert {
    async fn student_id(&self) -> ID {
        self.0.student.id.into()
    }
    async fn student(&self) -> Student {
        Student(self.0.student.clone())
    }
    /// Classes held since the last one attended without the student: sessions of their
    /// classes with no mark, and marked absences (excused ones and cancelled sessions skip).
    async fn missed_in_row(&self) -> i32 {
        self.0.missed_in_row
    }
    async fn last_visit_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_visit_at
    }
    /// Calendar days in the location's time since the last visit (or since joining, with
    /// none).
    async fn days_without_visit(&self) -> i32 {
        self.0.days_without_visit as i32
    }
    /// Missed at least the asked number of classes in a row.
    async fn missed_last_classes(&self) -> bool {
        self.0.missed_last_classes
    }
    /// No visit for at least the asked number of days.
    async fn no_recent_visit(&self) -> bool {
        self.0.no_recent_visit
    }
}

/// A membership plan.
#[derive(SimpleObject)]
pub struct MembershipPlan {
    pub id: ID,
    pub name: String,
    /// None: unlimited visits.
    pub visits: Option<i32>,
    pub validity_days: i32,
    pub price: Money,
    pub active: bool,
    /// Its memberships renew on their end date.
    pub recurring: bool,
}

impl From<academy_plan::Model> for MembershipPlan {
    fn from(p: academy_plan::Model) -> Self {
        MembershipPlan {
            id: p.id.into(),
            name: p.name,
            visits: p.visits,
            validity_days: p.validity_days,
            price: Money(p.price),
            active: p.active,
            recurring: p.recurring,
        }
    }
}

/// A plan sold to a student, with its status on the location's today.
pub struct Membership {
    pub m: academy_membership::Model,
    pub today: NaiveDate,
}

#[Object]
impl Membership {
    async fn id(&self) -> ID {
        self.m.id.into()
    }
    async fn student_id(&self) -> ID {
        self.m.student_id.into()
    }
    async fn plan(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MembershipPlan>> {
        Ok(load::<PlanById, _>(ctx, self.m.plan_id)
            .await?
            .map(MembershipPlan::from))
    }
    async fn starts_on(&self) -> NaiveDate {
        self.m.starts_on
    }
    /// The last valid day, freezes included.
    async fn ends_on(&self) -> NaiveDate {
        self.m.ends_on
    }
    /// None: unlimited.
    async fn visits_total(&self) -> Option<i32> {
        self.m.visits_total
    }
    async fn visits_left(&self) -> Option<i32> {
        self.m.visits_left
    }
    async fn price(&self) -> Money {
        Money(self.m.price)
    }
    async fn payment_id(&self) -> Option<ID> {
        self.m.payment_id.map(Into::into)
    }
    async fn frozen_from(&self) -> Option<NaiveDate> {
        self.m.frozen_from
    }
    async fn frozen_to(&self) -> Option<NaiveDate> {
        self.m.frozen_to
    }
    /// Days added by freezes.
    async fn frozen_days(&self) -> i32 {
        self.m.frozen_days
    }
    /// Renews on its end date (until stopped or cancelled).
    async fn renews(&self) -> bool {
        self.m.renews
    }
    /// The membership its renewal made.
    async fn renewed_to_id(&self) -> Option<ID> {
        self.m.renewed_to_id.map(Into::into)
    }
    /// Still to pay: what a renewal the wallet did not cover left due.
    async fn amount_due(&self) -> Money {
        Money(self.m.amount_due)
    }
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.m.cancelled_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.m.created_at
    }
    /// On the location's today.
    async fn status(&self) -> MembershipStatus {
        memberships::status_on(&self.m, self.today)
    }
    /// Days left to the end date, counting today; zero once over.
    async fn days_left(&self) -> i32 {
        ((self.m.ends_on - self.today).num_days() + 1).max(0) as i32
    }
    async fn freezes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Freeze>> {
        Ok(load_many::<FreezesByMembership, _>(ctx, self.m.id)
            .await?
            .into_iter()
            .map(Freeze::from)
            .collect())
    }
}

/// A pause of a membership.
#[derive(SimpleObject)]
pub struct Freeze {
    pub id: ID,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub days: i32,
    pub reason: Option<String>,
}

impl From<academy_freeze::Model> for Freeze {
    fn from(f: academy_freeze::Model) -> Self {
        Freeze {
            id: f.id.into(),
            starts_on: f.starts_on,
            ends_on: f.ends_on,
            days: f.days,
            reason: f.reason,
        }
    }
}

/// A recurring class: every field, for creating and for replacing one.
#[derive(InputObject)]
pub struct AcademyClassInput {
    pub location_id: ID,
    pub name: String,
    /// ISO weekday, 1 = Monday … 7 = Sunday, for a class that meets once a week (or give
    /// `days`).
    pub weekday: Option<i32>,
    /// Local time at the location: of `weekday`, and of each of `days` that names none.
    pub starts_at: Option<NaiveTime>,
    /// The weekly pattern of a class that meets on several days, say Mon/Wed/Fri: one
    /// class, one row in the reports.
    pub days: Option<Vec<ClassDayInput>>,
    pub duration_minutes: i32,
    pub trainer_id: Option<ID>,
    /// A room (resource) at the location.
    pub room_id: Option<ID>,
    pub capacity: i32,
    pub level: Option<ClassLevel>,
    pub min_belt_id: Option<ID>,
    /// First day of the timetable entry (defaults to today).
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    /// Defaults to true.
    pub active: Option<bool>,
}

/// One weekly meeting of a class.
#[derive(InputObject, Debug, Clone)]
pub struct ClassDayInput {
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    pub weekday: i32,
    /// Local time; the class's `startsAt` when absent.
    pub starts_at: Option<NaiveTime>,
}

/// One weekly meeting of a class.
#[derive(SimpleObject, Debug, Clone)]
pub struct ClassDay {
    /// ISO weekday, 1 = Monday.
    pub weekday: i32,
    /// Local time at the location.
    pub starts_at: NaiveTime,
}

/// A session outside the timetable.
#[derive(InputObject)]
pub struct OneOffSessionInput {
    pub location_id: ID,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub trainer_id: Option<ID>,
    pub room_id: Option<ID>,
    pub capacity: i32,
    pub level: Option<ClassLevel>,
    pub min_belt_id: Option<ID>,
}

#[derive(InputObject)]
pub struct CreateStudentInput {
    pub client_id: ID,
    pub location_id: ID,
    pub track: BeltTrack,
    /// A client-role user to sign in as this student.
    pub user_id: Option<ID>,
    /// The belt held on joining.
    pub belt_id: Option<ID>,
    pub stripes: Option<i32>,
    pub joined_at: Option<DateTime<Utc>>,
    pub notes: Option<String>,
}

/// Fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateStudentInput {
    pub location_id: Option<ID>,
    pub user_id: Option<ID>,
    pub track: Option<BeltTrack>,
    pub active: Option<bool>,
    pub notes: Option<String>,
}

#[derive(InputObject)]
pub struct StudentFilter {
    pub location_id: Option<ID>,
    /// Any part of the name, phone or e-mail.
    pub search: Option<String>,
    pub track: Option<BeltTrack>,
    pub include_inactive: Option<bool>,
}

/// One student's mark.
#[derive(InputObject)]
pub struct AttendanceMarkInput {
    pub student_id: ID,
    pub status: AttendanceStatus,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct MembershipPlanInput {
    pub name: String,
    /// Leave out for unlimited visits.
    pub visits: Option<i32>,
    pub validity_days: i32,
    pub price: Money,
    /// Defaults to true.
    pub active: Option<bool>,
    /// Memberships of the plan renew on their end date, from the wallet or as a due payment
    /// (defaults to false).
    pub recurring: Option<bool>,
}

#[derive(InputObject)]
pub struct SellMembershipInput {
    pub student_id: ID,
    pub plan_id: ID,
    /// Defaults to the location's today.
    pub starts_on: Option<NaiveDate>,
    /// Defaults to the plan's price.
    pub price: Option<Money>,
    /// Needed when there is something to pay.
    pub payment_method: Option<PaymentMethod>,
    /// A retried sale with the same key sells once.
    pub idempotency_key: String,
}

#[derive(InputObject)]
pub struct FreezeInput {
    pub from: NaiveDate,
    pub days: i32,
    pub reason: Option<String>,
}

#[derive(InputObject)]
pub struct BeltInput {
    pub track: BeltTrack,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    pub position: i32,
    pub max_stripes: i32,
    /// Classes since the last promotion before moving on from this belt.
    pub classes_required: i32,
    /// Defaults to true.
    pub active: Option<bool>,
}

#[derive(InputObject)]
pub struct ExamInput {
    pub student_id: ID,
    pub belt_id: ID,
    pub exam_date: NaiveDate,
    pub result: ExamResult,
    pub notes: Option<String>,
    /// A passed exam promotes the student to the belt at once.
    pub promote: Option<bool>,
}

#[derive(InputObject)]
pub struct PromoteInput {
    pub student_ids: Vec<ID>,
    pub belt_id: ID,
    /// Defaults to 0.
    pub stripes: Option<i32>,
    pub note: Option<String>,
}

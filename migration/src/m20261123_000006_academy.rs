//! The academy and coaching: students with belt ranks, belt ladders, exams and the rank
//! history; the weekly class timetable, the sessions it makes and their attendance;
//! membership plans, memberships and their freezes; the progress journal and training
//! programs with their assignments.
//!
//! A timetable class makes at most one session a start (a unique index), and a student has at
//! most one attendance row a session, so generating twice or marking twice changes nothing.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcademyStudent {
    Table,
    Id,
    ClientId,
    LocationId,
    UserId,
    Track,
    BeltId,
    Stripes,
    PromotedAt,
    JoinedAt,
    Active,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AcademyBelt {
    Table,
    Id,
    Track,
    Name,
    Color,
    Position,
    MaxStripes,
    ClassesRequired,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AcademyRank {
    Table,
    Id,
    StudentId,
    BeltId,
    Stripes,
    PreviousBeltId,
    PreviousStripes,
    ExamId,
    Note,
    PromotedAt,
    PromotedBy,
}

#[derive(DeriveIden)]
enum AcademyExam {
    Table,
    Id,
    StudentId,
    BeltId,
    ExamDate,
    Result,
    Notes,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AcademyClass {
    Table,
    Id,
    LocationId,
    Name,
    Weekday,
    StartsAt,
    DurationMinutes,
    TrainerId,
    RoomId,
    Capacity,
    Level,
    MinBeltId,
    ValidFrom,
    ValidTo,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AcademySession {
    Table,
    Id,
    LocationId,
    ClassId,
    Name,
    TrainerId,
    RoomId,
    StartsAt,
    EndsAt,
    Capacity,
    Level,
    MinBeltId,
    Status,
    CancelReason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AcademyAttendance {
    Table,
    Id,
    SessionId,
    StudentId,
    Status,
    MembershipId,
    WithoutMembership,
    CheckedInAt,
    MarkedBy,
    Note,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AcademyPlan {
    Table,
    Id,
    Name,
    Visits,
    ValidityDays,
    Price,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AcademyMembership {
    Table,
    Id,
    StudentId,
    PlanId,
    StartsOn,
    EndsOn,
    VisitsTotal,
    VisitsLeft,
    Price,
    PaymentId,
    FrozenFrom,
    FrozenTo,
    FrozenDays,
    CancelledAt,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AcademyFreeze {
    Table,
    Id,
    MembershipId,
    StartsOn,
    EndsOn,
    Days,
    Reason,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CoachingJournalEntry {
    Table,
    Id,
    ClientId,
    MeasuredOn,
    Period,
    Weight,
    Chest,
    Waist,
    LowerAbdomen,
    Glutes,
    RightThigh,
    LeftThigh,
    RightCalf,
    LeftCalf,
    RightArm,
    LeftArm,
    Notes,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CoachingProgram {
    Table,
    Id,
    Title,
    Description,
    Format,
    Content,
    Exercises,
    Price,
    Active,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CoachingAssignment {
    Table,
    Id,
    ProgramId,
    ClientId,
    AssignedBy,
    AssignedAt,
    Paid,
    Price,
    PaymentId,
    Notes,
}

#[derive(DeriveIden)]
enum Client {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Location {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Resource {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Payment {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let restrict = ForeignKeyAction::Restrict;
        let cascade = ForeignKeyAction::Cascade;
        let set_null = ForeignKeyAction::SetNull;

        manager
            .create_table(
                Table::create()
                    .table(AcademyBelt::Table)
                    .col(big_pk_auto(AcademyBelt::Id))
                    .col(string_len(AcademyBelt::Track, 8))
                    .col(string_len(AcademyBelt::Name, 60))
                    .col(string_len(AcademyBelt::Color, 7))
                    .col(integer(AcademyBelt::Position))
                    .col(small_integer(AcademyBelt::MaxStripes))
                    .col(integer(AcademyBelt::ClassesRequired))
                    .col(boolean(AcademyBelt::Active))
                    .col(timestamp_with_time_zone(AcademyBelt::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_academy_belt_track_position",
                AcademyBelt::Table,
                &["track", "position"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AcademyStudent::Table)
                    .col(big_pk_auto(AcademyStudent::Id))
                    .col(big_integer(AcademyStudent::ClientId))
                    .col(big_integer(AcademyStudent::LocationId))
                    .col(big_integer_null(AcademyStudent::UserId))
                    .col(string_len(AcademyStudent::Track, 8))
                    .col(big_integer_null(AcademyStudent::BeltId))
                    .col(small_integer(AcademyStudent::Stripes))
                    .col(timestamp_with_time_zone_null(AcademyStudent::PromotedAt))
                    .col(timestamp_with_time_zone(AcademyStudent::JoinedAt))
                    .col(boolean(AcademyStudent::Active))
                    .col(text_null(AcademyStudent::Notes))
                    .col(timestamp_with_time_zone(AcademyStudent::CreatedAt))
                    .col(timestamp_with_time_zone(AcademyStudent::UpdatedAt))
                    .foreign_key(&mut fk(
                        AcademyStudent::Table,
                        AcademyStudent::ClientId,
                        Client::Table,
                        Client::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        AcademyStudent::Table,
                        AcademyStudent::LocationId,
                        Location::Table,
                        Location::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        AcademyStudent::Table,
                        AcademyStudent::UserId,
                        AppUser::Table,
                        AppUser::Id,
                        set_null,
                    ))
                    .foreign_key(&mut fk(
                        AcademyStudent::Table,
                        AcademyStudent::BeltId,
                        AcademyBelt::Table,
                        AcademyBelt::Id,
                        restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            ("ux_academy_student_client", &["client_id"][..], true),
            ("ux_academy_student_user", &["user_id"][..], true),
            ("ix_academy_student_location", &["location_id"][..], false),
        ] {
            manager
                .create_index(index(name, AcademyStudent::Table, cols, unique))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AcademyExam::Table)
                    .col(big_pk_auto(AcademyExam::Id))
                    .col(big_integer(AcademyExam::StudentId))
                    .col(big_integer(AcademyExam::BeltId))
                    .col(date(AcademyExam::ExamDate))
                    .col(string_len(AcademyExam::Result, 16))
                    .col(text_null(AcademyExam::Notes))
                    .col(big_integer_null(AcademyExam::CreatedBy))
                    .col(timestamp_with_time_zone(AcademyExam::CreatedAt))
                    .col(timestamp_with_time_zone(AcademyExam::UpdatedAt))
                    .foreign_key(&mut fk(
                        AcademyExam::Table,
                        AcademyExam::StudentId,
                        AcademyStudent::Table,
                        AcademyStudent::Id,
                        cascade,
                    ))
                    .foreign_key(&mut fk(
                        AcademyExam::Table,
                        AcademyExam::BeltId,
                        AcademyBelt::Table,
                        AcademyBelt::Id,
                        restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_academy_exam_student",
                AcademyExam::Table,
                &["student_id", "exam_date"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AcademyRank::Table)
                    .col(big_pk_auto(AcademyRank::Id))
                    .col(big_integer(AcademyRank::StudentId))
                    .col(big_integer(AcademyRank::BeltId))
                    .col(small_integer(AcademyRank::Stripes))
                    .col(big_integer_null(AcademyRank::PreviousBeltId))
                    .col(small_integer(AcademyRank::PreviousStripes))
                    .col(big_integer_null(AcademyRank::ExamId))
                    .col(text_null(AcademyRank::Note))
                    .col(timestamp_with_time_zone(AcademyRank::PromotedAt))
                    .col(big_integer_null(AcademyRank::PromotedBy))
                    .foreign_key(&mut fk(
                        AcademyRank::Table,
                        AcademyRank::StudentId,
                        AcademyStudent::Table,
                        AcademyStudent::Id,
                        cascade,
                    ))
                    .foreign_key(&mut fk(
                        AcademyRank::Table,
                        AcademyRank::BeltId,
                        AcademyBelt::Table,
                        AcademyBelt::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        AcademyRank::Table,
                        AcademyRank::ExamId,
                        AcademyExam::Table,
                        AcademyExam::Id,
                        set_null,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_academy_rank_student",
                AcademyRank::Table,
                &["student_id", "promoted_at"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AcademyClass::Table)
                    .col(big_pk_auto(AcademyClass::Id))
                    .col(big_integer(AcademyClass::LocationId))
                    .col(string_len(AcademyClass::Name, 100))
                    .col(small_integer(AcademyClass::Weekday))
                    .col(time(AcademyClass::StartsAt))
                    .col(integer(AcademyClass::DurationMinutes))
                    .col(big_integer_null(AcademyClass::TrainerId))
                    .col(big_integer_null(AcademyClass::RoomId))
                    .col(integer(AcademyClass::Capacity))
                    .col(string_len(AcademyClass::Level, 16))
                    .col(big_integer_null(AcademyClass::MinBeltId))
                    .col(date(AcademyClass::ValidFrom))
                    .col(date_null(AcademyClass::ValidTo))
                    .col(boolean(AcademyClass::Active))
                    .col(timestamp_with_time_zone(AcademyClass::CreatedAt))
                    .col(timestamp_with_time_zone(AcademyClass::UpdatedAt))
                    .foreign_key(&mut fk(
                        AcademyClass::Table,
                        AcademyClass::LocationId,
                        Location::Table,
                        Location::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        AcademyClass::Table,
                        AcademyClass::TrainerId,
                        AppUser::Table,
                        AppUser::Id,
                        set_null,
                    ))
                    .foreign_key(&mut fk(
                        AcademyClass::Table,
                        AcademyClass::RoomId,
                        Resource::Table,
                        Resource::Id,
                        set_null,
                    ))
                    .foreign_key(&mut fk(
                        AcademyClass::Table,
                        AcademyClass::MinBeltId,
                        AcademyBelt::Table,
                        AcademyBelt::Id,
                        restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_academy_class_location",
                AcademyClass::Table,
                &["location_id", "weekday"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AcademySession::Table)
                    .col(big_pk_auto(AcademySession::Id))
                    .col(big_integer(AcademySession::LocationId))
                    .col(big_integer_null(AcademySession::ClassId))
                    .col(string_len(AcademySession::Name, 100))
                    .col(big_integer_null(AcademySession::TrainerId))
                    .col(big_integer_null(AcademySession::RoomId))
                    .col(timestamp_with_time_zone(AcademySession::StartsAt))
                    .col(timestamp_with_time_zone(AcademySession::EndsAt))
                    .col(integer(AcademySession::Capacity))
                    .col(string_len(AcademySession::Level, 16))
                    .col(big_integer_null(AcademySession::MinBeltId))
                    .col(string_len(AcademySession::Status, 16))
                    .col(string_len_null(AcademySession::CancelReason, 500))
                    .col(timestamp_with_time_zone(AcademySession::CreatedAt))
                    .foreign_key(&mut fk(
                        AcademySession::Table,
                        AcademySession::LocationId,
                        Location::Table,
                        Location::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        AcademySession::Table,
                        AcademySession::ClassId,
                        AcademyClass::Table,
                        AcademyClass::Id,
                        set_null,
                    ))
                    .foreign_key(&mut fk(
                        AcademySession::Table,
                        AcademySession::TrainerId,
                        AppUser::Table,
                        AppUser::Id,
                        set_null,
                    ))
                    .foreign_key(&mut fk(
                        AcademySession::Table,
                        AcademySession::RoomId,
                        Resource::Table,
                        Resource::Id,
                        set_null,
                    ))
                    .foreign_key(&mut fk(
                        AcademySession::Table,
                        AcademySession::MinBeltId,
                        AcademyBelt::Table,
                        AcademyBelt::Id,
                        restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "ux_academy_session_class_start",
                &["class_id", "starts_at"][..],
                true,
            ),
            (
                "ix_academy_session_location_start",
                &["location_id", "starts_at"][..],
                false,
            ),
        ] {
            manager
                .create_index(index(name, AcademySession::Table, cols, unique))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AcademyPlan::Table)
                    .col(big_pk_auto(AcademyPlan::Id))
                    .col(string_len(AcademyPlan::Name, 100))
                    .col(integer_null(AcademyPlan::Visits))
                    .col(integer(AcademyPlan::ValidityDays))
                    .col(big_integer(AcademyPlan::Price))
                    .col(boolean(AcademyPlan::Active))
                    .col(timestamp_with_time_zone(AcademyPlan::CreatedAt))
                    .col(timestamp_with_time_zone(AcademyPlan::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AcademyMembership::Table)
                    .col(big_pk_auto(AcademyMembership::Id))
                    .col(big_integer(AcademyMembership::StudentId))
                    .col(big_integer(AcademyMembership::PlanId))
                    .col(date(AcademyMembership::StartsOn))
                    .col(date(AcademyMembership::EndsOn))
                    .col(integer_null(AcademyMembership::VisitsTotal))
                    .col(integer_null(AcademyMembership::VisitsLeft))
                    .col(big_integer(AcademyMembership::Price))
                    .col(big_integer_null(AcademyMembership::PaymentId))
                    .col(date_null(AcademyMembership::FrozenFrom))
                    .col(date_null(AcademyMembership::FrozenTo))
                    .col(integer(AcademyMembership::FrozenDays))
                    .col(timestamp_with_time_zone_null(
                        AcademyMembership::CancelledAt,
                    ))
                    .col(big_integer_null(AcademyMembership::CreatedBy))
                    .col(timestamp_with_time_zone(AcademyMembership::CreatedAt))
                    .foreign_key(&mut fk(
                        AcademyMembership::Table,
                        AcademyMembership::StudentId,
                        AcademyStudent::Table,
                        AcademyStudent::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        AcademyMembership::Table,
                        AcademyMembership::PlanId,
                        AcademyPlan::Table,
                        AcademyPlan::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        AcademyMembership::Table,
                        AcademyMembership::PaymentId,
                        Payment::Table,
                        Payment::Id,
                        set_null,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_academy_membership_student", &["student_id"][..]),
            ("ix_academy_membership_ends", &["ends_on"][..]),
        ] {
            manager
                .create_index(index(name, AcademyMembership::Table, cols, false))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AcademyFreeze::Table)
                    .col(big_pk_auto(AcademyFreeze::Id))
                    .col(big_integer(AcademyFreeze::MembershipId))
                    .col(date(AcademyFreeze::StartsOn))
                    .col(date(AcademyFreeze::EndsOn))
                    .col(integer(AcademyFreeze::Days))
                    .col(string_len_null(AcademyFreeze::Reason, 500))
                    .col(big_integer_null(AcademyFreeze::CreatedBy))
                    .col(timestamp_with_time_zone(AcademyFreeze::CreatedAt))
                    .foreign_key(&mut fk(
                        AcademyFreeze::Table,
                        AcademyFreeze::MembershipId,
                        AcademyMembership::Table,
                        AcademyMembership::Id,
                        cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_academy_freeze_membership",
                AcademyFreeze::Table,
                &["membership_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AcademyAttendance::Table)
                    .col(big_pk_auto(AcademyAttendance::Id))
                    .col(big_integer(AcademyAttendance::SessionId))
                    .col(big_integer(AcademyAttendance::StudentId))
                    .col(string_len(AcademyAttendance::Status, 16))
                    .col(big_integer_null(AcademyAttendance::MembershipId))
                    .col(boolean(AcademyAttendance::WithoutMembership))
                    .col(timestamp_with_time_zone_null(
                        AcademyAttendance::CheckedInAt,
                    ))
                    .col(big_integer_null(AcademyAttendance::MarkedBy))
                    .col(string_len_null(AcademyAttendance::Note, 500))
                    .col(timestamp_with_time_zone(AcademyAttendance::CreatedAt))
                    .col(timestamp_with_time_zone(AcademyAttendance::UpdatedAt))
                    .foreign_key(&mut fk(
                        AcademyAttendance::Table,
                        AcademyAttendance::SessionId,
                        AcademySession::Table,
                        AcademySession::Id,
                        cascade,
                    ))
                    .foreign_key(&mut fk(
                        AcademyAttendance::Table,
                        AcademyAttendance::StudentId,
                        AcademyStudent::Table,
                        AcademyStudent::Id,
                        cascade,
                    ))
                    .foreign_key(&mut fk(
                        AcademyAttendance::Table,
                        AcademyAttendance::MembershipId,
                        AcademyMembership::Table,
                        AcademyMembership::Id,
                        set_null,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "ux_academy_attendance_session_student",
                &["session_id", "student_id"][..],
                true,
            ),
            ("ix_academy_attendance_student", &["student_id"][..], false),
        ] {
            manager
                .create_index(index(name, AcademyAttendance::Table, cols, unique))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(CoachingJournalEntry::Table)
                    .col(big_pk_auto(CoachingJournalEntry::Id))
                    .col(big_integer(CoachingJournalEntry::ClientId))
                    .col(date(CoachingJournalEntry::MeasuredOn))
                    .col(string_len_null(CoachingJournalEntry::Period, 32))
                    .col(double_null(CoachingJournalEntry::Weight))
                    .col(double_null(CoachingJournalEntry::Chest))
                    .col(double_null(CoachingJournalEntry::Waist))
                    .col(double_null(CoachingJournalEntry::LowerAbdomen))
                    .col(double_null(CoachingJournalEntry::Glutes))
                    .col(double_null(CoachingJournalEntry::RightThigh))
                    .col(double_null(CoachingJournalEntry::LeftThigh))
                    .col(double_null(CoachingJournalEntry::RightCalf))
                    .col(double_null(CoachingJournalEntry::LeftCalf))
                    .col(double_null(CoachingJournalEntry::RightArm))
                    .col(double_null(CoachingJournalEntry::LeftArm))
                    .col(text_null(CoachingJournalEntry::Notes))
                    .col(big_integer_null(CoachingJournalEntry::CreatedBy))
                    .col(timestamp_with_time_zone(CoachingJournalEntry::CreatedAt))
                    .col(timestamp_with_time_zone(CoachingJournalEntry::UpdatedAt))
                    .foreign_key(&mut fk(
                        CoachingJournalEntry::Table,
                        CoachingJournalEntry::ClientId,
                        Client::Table,
                        Client::Id,
                        cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_coaching_journal_client_date",
                CoachingJournalEntry::Table,
                &["client_id", "measured_on"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CoachingProgram::Table)
                    .col(big_pk_auto(CoachingProgram::Id))
                    .col(string_len(CoachingProgram::Title, 200))
                    .col(text_null(CoachingProgram::Description))
                    .col(string_len(CoachingProgram::Format, 16))
                    .col(text_null(CoachingProgram::Content))
                    .col(json_binary_null(CoachingProgram::Exercises))
                    .col(big_integer(CoachingProgram::Price))
                    .col(boolean(CoachingProgram::Active))
                    .col(big_integer_null(CoachingProgram::CreatedBy))
                    .col(timestamp_with_time_zone(CoachingProgram::CreatedAt))
                    .col(timestamp_with_time_zone(CoachingProgram::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CoachingAssignment::Table)
                    .col(big_pk_auto(CoachingAssignment::Id))
                    .col(big_integer(CoachingAssignment::ProgramId))
                    .col(big_integer(CoachingAssignment::ClientId))
                    .col(big_integer_null(CoachingAssignment::AssignedBy))
                    .col(timestamp_with_time_zone(CoachingAssignment::AssignedAt))
                    .col(boolean(CoachingAssignment::Paid))
                    .col(big_integer(CoachingAssignment::Price))
                    .col(big_integer_null(CoachingAssignment::PaymentId))
                    .col(string_len_null(CoachingAssignment::Notes, 1000))
                    .foreign_key(&mut fk(
                        CoachingAssignment::Table,
                        CoachingAssignment::ProgramId,
                        CoachingProgram::Table,
                        CoachingProgram::Id,
                        restrict,
                    ))
                    .foreign_key(&mut fk(
                        CoachingAssignment::Table,
                        CoachingAssignment::ClientId,
                        Client::Table,
                        Client::Id,
                        cascade,
                    ))
                    .foreign_key(&mut fk(
                        CoachingAssignment::Table,
                        CoachingAssignment::PaymentId,
                        Payment::Table,
                        Payment::Id,
                        set_null,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_coaching_assignment_client",
                CoachingAssignment::Table,
                &["client_id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CoachingAssignment::Table.into_iden(),
            CoachingProgram::Table.into_iden(),
            CoachingJournalEntry::Table.into_iden(),
            AcademyAttendance::Table.into_iden(),
            AcademyFreeze::Table.into_iden(),
            AcademyMembership::Table.into_iden(),
            AcademyPlan::Table.into_iden(),
            AcademySession::Table.into_iden(),
            AcademyClass::Table.into_iden(),
            AcademyRank::Table.into_iden(),
            AcademyExam::Table.into_iden(),
            AcademyStudent::Table.into_iden(),
            AcademyBelt::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

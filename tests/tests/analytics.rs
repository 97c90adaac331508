//! The funnel's money and the analytics through the API, on a small data set counted by hand:
//! deal values on funnel cards, what clients paid, the board's and the funnel's money,
//! revenue by local day and month (by kind, method and source, refunds apart) and the
//! overview with growth by month.
//!
//! The organisation's time zone is Asia/Almaty (UTC+5, no DST): local midnight is 19:00 UTC
//! the day before. Every write runs at a pinned business clock, so each row's time is known.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use clubgrid_tests::{
    Backend, PASSWORD, TestApp, audit_filter, both_backends,
    clubgrid_client::{Client, ClientError, ops},
    create_client,
};
use entity::enums::Role;

both_backends!(the_money_of_a_small_venue_counted_by_hand, deal_values);

/// Local 1 October 2026, 00:00 in Almaty.
const OCT: &str = "2026-09-30T19:00:00Z";
/// Local 1 November 2026.
const NOV: &str = "2026-10-31T19:00:00Z";
/// Local 1 December 2026.
const DEC: &str = "2026-11-30T19:00:00Z";

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap_or_else(|e| panic!("`{text}`: {e}"))
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `(code, field)` of the first error.
fn refusal(err: &ClientError) -> (Option<&str>, Option<&str>) {
    (err.code(), err.errors().first().and_then(|e| e.field()))
}

/// Pins the business clock: what is written next happens at `at`.
fn at(app: &TestApp, at: &str) {
    app.state.clock.pin(Some(utc(at)));
}

struct Desk<'a> {
    staff: &'a Client,
    stages: HashMap<String, String>,
    sources: HashMap<String, String>,
}

impl Desk<'_> {
    async fn client(&self, first_name: &str, phone: &str, source: Option<&str>) -> String {
        self.staff
            .run::<ops::CreateClient>(ops::create_client::Variables {
                input: ops::create_client::CreateClientInput {
                    last_name: Some("Деньгин".into()),
                    first_name: Some(first_name.into()),
                    patronymic: None,
                    phone: Some(phone.into()),
                    phone2: None,
                    email: None,
                    telegram_id: None,
                    telegram_username: None,
                    birth_date: None,
                    source_id: source.map(|s| self.sources[s].clone()),
                    notes: None,
                    discount_percent: None,
                    tags: None,
                },
            })
            .await
            .unwrap()
            .create_client
            .id
    }

    async fn move_to(&self, client: &str, stage: &str, lost_reason: Option<&str>) {
        self.staff
            .run::<ops::MoveClientToStage>(ops::move_client_to_stage::Variables {
                client_id: client.into(),
                stage_id: self.stages[stage].clone(),
                note: None,
                lost_reason: lost_reason.map(Into::into),
            })
            .await
            .unwrap();
    }

    async fn deal(
        &self,
        client: &str,
        value: Option<&str>,
    ) -> Result<ops::set_deal_value::SetDealValueSetDealValue, ClientError> {
        deal(self.staff, client, value).await
    }

    async fn pay(
        &self,
        client: Option<&str>,
        amount: &str,
        method: ops::record_payment::PaymentMethod,
        kind: ops::record_payment::PaymentKind,
    ) {
        self.staff
            .run::<ops::RecordPayment>(ops::record_payment::Variables {
                input: ops::record_payment::PaymentInput {
                    client_id: client.map(Into::into),
                    amount: amount.into(),
                    method,
                    purpose: "за услуги".into(),
                    kind: Some(kind),
                    idempotency_key: key(),
                },
            })
            .await
            .unwrap();
    }
}

async fn deal(
    staff: &Client,
    client: &str,
    value: Option<&str>,
) -> Result<ops::set_deal_value::SetDealValueSetDealValue, ClientError> {
    staff
        .run::<ops::SetDealValue>(ops::set_deal_value::Variables {
            client_id: client.into(),
            value: value.map(Into::into),
        })
        .await
        .map(|r| r.set_deal_value)
}

async fn revenue(
    analyst: &Client,
    from: &str,
    to: &str,
    group_by: ops::revenue_report::PeriodUnit,
) -> Result<ops::revenue_report::RevenueReportRevenueReport, ClientError> {
    analyst
        .run::<ops::RevenueReport>(ops::revenue_report::Variables {
            from: from.into(),
            to: to.into(),
            group_by,
        })
        .await
        .map(|r| r.revenue_report)
}

async fn overview(
    analyst: &Client,
    from: &str,
    to: &str,
) -> Result<ops::analytics_overview::AnalyticsOverviewAnalyticsOverview, ClientError> {
    analyst
        .run::<ops::AnalyticsOverview>(ops::analytics_overview::Variables {
            from: from.into(),
            to: to.into(),
        })
        .await
        .map(|r| r.analytics_overview)
}

async fn funnel(
    analyst: &Client,
    from: &str,
    to: &str,
) -> ops::funnel_analytics::FunnelAnalyticsFunnelAnalytics {
    analyst
        .run::<ops::FunnelAnalytics>(ops::funnel_analytics::Variables {
            from: from.into(),
            to: to.into(),
        })
        .await
        .unwrap()
        .funnel_analytics
}

/// A row's money as `(total, count, refunds, net, average check)`.
fn money(row: &ops::revenue_report::RevenueRowFields) -> (&str, i64, &str, &str, Option<&str>) {
    (
        row.total.as_str(),
        row.count,
        row.refunds.as_str(),
        row.net.as_str(),
        row.average_check.as_deref(),
    )
}

/// The non-zero lines of a breakdown as `(name, amount, count)`.
fn lines<'a>(
    items: impl IntoIterator<Item = (String, &'a str, i64)>,
) -> Vec<(String, &'a str, i64)> {
    items.into_iter().filter(|(_, _, n)| *n > 0).collect()
}

fn by_kind(row: &ops::revenue_report::RevenueRowFields) -> Vec<(String, &str, i64)> {
    assert_eq!(row.by_kind.len(), 6, "every kind is listed");
    lines(
        row.by_kind
            .iter()
            .map(|k| (format!("{:?}", k.kind), k.amount.as_str(), k.count)),
    )
}

fn by_method(row: &ops::revenue_report::RevenueRowFields) -> Vec<(String, &str, i64)> {
    assert_eq!(row.by_method.len(), 6, "every method is listed");
    lines(
        row.by_method
            .iter()
            .map(|m| (format!("{:?}", m.method), m.amount.as_str(), m.count)),
    )
}

/// Every listed source, zeros included: the list is the same in every row.
fn by_source(row: &ops::revenue_report::RevenueRowFields) -> Vec<(String, &str, i64)> {
    row.by_source
        .iter()
        .map(|s| (s.name.clone(), s.amount.as_str(), s.count))
        .collect()
}

fn line(name: &str, amount: &'static str, count: i64) -> (String, &'static str, i64) {
    (name.to_owned(), amount, count)
}

async fn the_money_of_a_small_venue_counted_by_hand(backend: Backend) {
    use ops::record_payment::{PaymentKind as K, PaymentMethod as M};

    // Here only people move the funnel, on a clock pinned by hand: the default automations
    // (a paid program or membership moves its client to «Куплена услуга») would move them at
    // whatever moment the engine ran. Their moves are counted by hand in automations.rs.
    let app = TestApp::spawn_with(backend, |s| s.automations_enabled = false).await;
    let manager = app.as_role(Role::Manager).await;
    let owner = app.as_role(Role::Owner).await;
    let stages = manager
        .run::<ops::PipelineStages>(ops::pipeline_stages::Variables)
        .await
        .unwrap()
        .pipeline_stages
        .into_iter()
        .map(|s| (s.name, s.id))
        .collect();
    let sources = manager
        .run::<ops::ClientSources>(ops::client_sources::Variables)
        .await
        .unwrap()
        .client_sources
        .into_iter()
        .map(|s| (s.name, s.id))
        .collect();
    let desk = Desk {
        staff: &manager,
        stages,
        sources,
    };

    // September, the month before the period. S: no source, pays 10 000 cash.
    at(&app, "2026-09-15T06:00:00Z");
    let s = desk.client("Сентябрина", "+7 701 100 00 01", None).await;
    desk.move_to(&s, "Первичный контакт", None).await;
    at(&app, "2026-09-16T06:00:00Z");
    desk.move_to(&s, "Принимают решение", None).await;
    desk.deal(&s, Some("50000")).await.unwrap();
    at(&app, "2026-09-20T06:00:00Z");
    desk.pay(Some(&s), "10000", M::CASH, K::OTHER).await;

    // The academy and the coaching catalogue.
    at(&app, "2026-10-01T04:00:00Z");
    let location = manager
        .run::<ops::CreateLocation>(ops::create_location::Variables {
            input: ops::create_location::CreateLocationInput {
                name: "Зал на Абая".into(),
                address: "Абая 1".into(),
                timezone: Some("Asia/Almaty".into()),
            },
        })
        .await
        .unwrap()
        .create_location
        .id;
    let plan = manager
        .run::<ops::CreateMembershipPlan>(ops::create_membership_plan::Variables {
            input: ops::create_membership_plan::MembershipPlanInput {
                name: "Месяц".into(),
                price: "20000".into(),
                validity_days: 30,
                visits: None,
                active: None,
                recurring: None,
            },
        })
        .await
        .unwrap()
        .create_membership_plan
        .id;
    let program = manager
        .run::<ops::CreateTrainingProgram>(ops::create_training_program::Variables {
            input: ops::create_training_program::TrainingProgramInput {
                title: "Сила за 8 недель".into(),
                description: None,
                format: ops::create_training_program::ProgramFormat::RICH_TEXT,
                content: Some("# Неделя 1\nПриседания 4×8".into()),
                exercises: None,
                price: Some("15000".into()),
                active: None,
            },
        })
        .await
        .unwrap()
        .create_training_program
        .id;

    // October.
    // A (Instagram): a lead on 2 Oct, deal 30 000; tops up the wallet (not revenue).
    at(&app, "2026-10-02T05:00:00Z");
    let a = desk
        .client("Алия", "+7 701 100 00 02", Some("Instagram"))
        .await;
    at(&app, "2026-10-02T05:10:00Z");
    desk.move_to(&a, "Первичный контакт", None).await;
    desk.deal(&a, Some("30000")).await.unwrap();
    at(&app, "2026-10-03T05:00:00Z");
    manager
        .run::<ops::DepositToWallet>(ops::deposit_to_wallet::Variables {
            input: ops::deposit_to_wallet::DepositInput {
                client_id: a.clone(),
                amount: "50000".into(),
                method: ops::deposit_to_wallet::PaymentMethod::CASH,
                idempotency_key: key(),
            },
        })
        .await
        .unwrap();
    // B (Друзья): a lead on 5 Oct, deal 25 000, consulted on 6 Oct.
    at(&app, "2026-10-05T05:00:00Z");
    let b = desk
        .client("Берик", "+7 701 100 00 03", Some("Друзья"))
        .await;
    at(&app, "2026-10-05T05:10:00Z");
    desk.move_to(&b, "Первичный контакт", None).await;
    desk.deal(&b, Some("25000")).await.unwrap();
    at(&app, "2026-10-06T05:00:00Z");
    desk.move_to(&b, "Консультация", None).await;
    // A buys the paid program (15 000 by card) and is won.
    at(&app, "2026-10-10T07:00:00Z");
    let assigned = manager
        .run::<ops::AssignTrainingProgram>(ops::assign_training_program::Variables {
            input: ops::assign_training_program::AssignProgramInput {
                program_id: program,
                client_id: a.clone(),
                paid: true,
                price: None,
                payment_method: Some(ops::assign_training_program::PaymentMethod::CARD),
                notes: None,
                idempotency_key: key(),
            },
        })
        .await
        .unwrap()
        .assign_training_program;
    assert!(assigned.paid && assigned.payment_id.is_some());
    at(&app, "2026-10-10T07:05:00Z");
    desk.move_to(&a, "Куплена услуга", None).await;
    // A pays 8 000 from the wallet for an appointment.
    at(&app, "2026-10-15T08:00:00Z");
    desk.pay(Some(&a), "8000", M::WALLET, K::APPOINTMENT).await;
    // B joins the academy and buys a month (20 000 by Kaspi).
    at(&app, "2026-10-20T07:00:00Z");
    let student = manager
        .run::<ops::CreateStudent>(ops::create_student::Variables {
            input: ops::create_student::CreateStudentInput {
                client_id: b.clone(),
                location_id: location.clone(),
                track: ops::create_student::BeltTrack::ADULTS,
                belt_id: None,
                stripes: None,
                joined_at: None,
                notes: None,
                user_id: None,
            },
        })
        .await
        .unwrap()
        .create_student
        .id;
    manager
        .run::<ops::SellMembership>(ops::sell_membership::Variables {
            input: ops::sell_membership::SellMembershipInput {
                student_id: student.clone(),
                plan_id: plan,
                price: None,
                starts_on: None,
                payment_method: Some(ops::sell_membership::PaymentMethod::KASPI),
                idempotency_key: key(),
            },
        })
        .await
        .unwrap();
    // C (Instagram): a lead late on 31 Oct (23:00 local), deal 10 000; two club sessions a
    // minute either side of local midnight: 23:59 on 31 Oct (UTC 18:59) and 00:01 on 1 Nov
    // (UTC 19:01, still 31 Oct in UTC).
    at(&app, "2026-10-31T18:00:00Z");
    let c = desk
        .client("Самал", "+7 701 100 00 04", Some("Instagram"))
        .await;
    at(&app, "2026-10-31T18:10:00Z");
    desk.move_to(&c, "Первичный контакт", None).await;
    desk.deal(&c, Some("10000")).await.unwrap();
    at(&app, "2026-10-31T18:59:00Z");
    desk.pay(Some(&c), "3000", M::CASH, K::CLUB_SESSION).await;
    at(&app, "2026-10-31T19:01:00Z");
    desk.pay(Some(&c), "4000", M::CASH, K::CLUB_SESSION).await;

    // November.
    // D (no source): created at 00:30 local on 1 Nov (UTC 31 Oct), a lead, deal 12 000.
    at(&app, "2026-10-31T19:30:00Z");
    let d = desk.client("Данияр", "+7 701 100 00 05", None).await;
    at(&app, "2026-10-31T19:40:00Z");
    desk.move_to(&d, "Первичный контакт", None).await;
    desk.deal(&d, Some("12000")).await.unwrap();
    // 2 000 back to A's wallet.
    at(&app, "2026-11-03T06:00:00Z");
    manager
        .run::<ops::RefundToWallet>(ops::refund_to_wallet::Variables {
            input: ops::refund_to_wallet::RefundInput {
                client_id: a.clone(),
                amount: "2000".into(),
                reason: "занятие отменили".into(),
                idempotency_key: key(),
            },
        })
        .await
        .unwrap();
    // A walk-in pays 2 500 cash.
    at(&app, "2026-11-05T10:00:00Z");
    desk.pay(None, "2500", M::CASH, K::OTHER).await;
    // E (no source), a duplicate of D, pays 1 000 by card and is merged into D.
    at(&app, "2026-11-12T05:00:00Z");
    let e = desk.client("Данияр2", "+7 701 100 00 06", None).await;
    at(&app, "2026-11-12T05:30:00Z");
    desk.pay(Some(&e), "1000", M::CARD, K::OTHER).await;
    at(&app, "2026-11-12T06:00:00Z");
    manager
        .run::<ops::MergeClients>(ops::merge_clients::Variables {
            duplicate_id: e.clone(),
            keep_id: d.clone(),
        })
        .await
        .unwrap();
    // B comes to a class on 15 Nov (no payment that month).
    at(&app, "2026-11-15T12:00:00Z");
    let session = manager
        .run::<ops::CreateClassSession>(ops::create_class_session::Variables {
            input: ops::create_class_session::OneOffSessionInput {
                location_id: location.clone(),
                name: "Открытый ковёр".into(),
                starts_at: "2026-11-15T13:00:00Z".into(),
                duration_minutes: 90,
                trainer_id: None,
                room_id: None,
                capacity: 20,
                level: None,
                min_belt_id: None,
            },
        })
        .await
        .unwrap()
        .create_class_session
        .id;
    at(&app, "2026-11-15T14:00:00Z");
    manager
        .run::<ops::MarkAttendance>(ops::mark_attendance::Variables {
            session_id: session,
            student_id: student,
            status: ops::mark_attendance::AttendanceStatus::PRESENT,
        })
        .await
        .unwrap();
    // D pays 6 000 by Kaspi for a package.
    at(&app, "2026-11-20T09:00:00Z");
    desk.pay(Some(&d), "6000", M::KASPI, K::PACKAGE).await;
    // C is lost.
    at(&app, "2026-11-25T09:00:00Z");
    desk.move_to(&c, "Неактивен", Some("дорого")).await;

    // Read in December.
    at(&app, "2026-12-10T09:00:00Z");

    // The payments of the period, by hand (A, C: Instagram; B: Друзья; D, E, walk-in: none):
    //   Oct 10  A  15 000  card    program
    //   Oct 15  A   8 000  wallet  appointment
    //   Oct 20  B  20 000  Kaspi   membership
    //   Oct 31  C   3 000  cash    club session   (23:59 local)
    //   Nov  1  C   4 000  cash    club session   (00:01 local)
    //   Nov  5  —   2 500  cash    other          (walk-in)
    //   Nov 12  E   1 000  card    other          (merged into D later: stays E's payment)
    //   Nov 20  D   6 000  Kaspi   package
    // and a refund of 2 000 to A's wallet on Nov 3. S's 10 000 (Sep) and A's 50 000 top-up are
    // outside: one is before the period, the other is not revenue.
    let report = revenue(&owner, OCT, DEC, ops::revenue_report::PeriodUnit::MONTH)
        .await
        .unwrap();
    assert_eq!(report.timezone, "Asia/Almaty");
    let periods: Vec<&str> = report.rows.iter().map(|r| r.period.as_str()).collect();
    assert_eq!(periods, ["2026-10", "2026-11"]);
    let (oct, nov, total) = (&report.rows[0], &report.rows[1], &report.total);
    assert_eq!((utc(&oct.start), utc(&oct.end)), (utc(OCT), utc(NOV)));
    // October: 15 000 + 8 000 + 20 000 + 3 000 = 46 000 in 4 payments, 11 500 on average.
    assert_eq!(
        money(oct),
        ("46000.00", 4, "0.00", "46000.00", Some("11500.00"))
    );
    // November: 4 000 + 2 500 + 1 000 + 6 000 = 13 500 in 4, 3 375 on average; 2 000 back.
    assert_eq!(
        money(nov),
        ("13500.00", 4, "2000.00", "11500.00", Some("3375.00"))
    );
    // Both: 59 500 in 8, 7 437.50 on average; 57 500 net.
    assert_eq!(
        money(total),
        ("59500.00", 8, "2000.00", "57500.00", Some("7437.50"))
    );
    assert_eq!(
        (oct.refund_count, nov.refund_count, total.refund_count),
        (0, 1, 1)
    );
    assert_eq!(
        by_kind(oct),
        [
            line("CLUB_SESSION", "3000.00", 1),
            line("APPOINTMENT", "8000.00", 1),
            line("MEMBERSHIP", "20000.00", 1),
            line("PROGRAM", "15000.00", 1),
        ]
    );
    assert_eq!(
        by_kind(nov),
        [
            line("CLUB_SESSION", "4000.00", 1),
            line("PACKAGE", "6000.00", 1),
            line("OTHER", "3500.00", 2),
        ]
    );
    assert_eq!(
        by_kind(total),
        [
            line("CLUB_SESSION", "7000.00", 2),
            line("APPOINTMENT", "8000.00", 1),
            line("PACKAGE", "6000.00", 1),
            line("MEMBERSHIP", "20000.00", 1),
            line("PROGRAM", "15000.00", 1),
            line("OTHER", "3500.00", 2),
        ]
    );
    assert_eq!(
        by_method(oct),
        [
            line("CASH", "3000.00", 1),
            line("CARD", "15000.00", 1),
            line("KASPI", "20000.00", 1),
            line("WALLET", "8000.00", 1),
        ]
    );
    assert_eq!(
        by_method(nov),
        [
            line("CASH", "6500.00", 2),
            line("CARD", "1000.00", 1),
            line("KASPI", "6000.00", 1),
        ]
    );
    // Sources with payments anywhere in the report, in the sources' order, the unnamed last:
    // Instagram (A, C), Друзья (B), не указан (D, E, the walk-in).
    assert_eq!(
        by_source(oct),
        [
            line("Instagram", "26000.00", 3),
            line("Друзья", "20000.00", 1),
            line("не указан", "0.00", 0),
        ]
    );
    assert_eq!(
        by_source(nov),
        [
            line("Instagram", "4000.00", 1),
            line("Друзья", "0.00", 0),
            line("не указан", "9500.00", 3),
        ]
    );
    assert_eq!(
        by_source(total),
        [
            line("Instagram", "30000.00", 4),
            line("Друзья", "20000.00", 1),
            line("не указан", "9500.00", 3),
        ]
    );
    assert!(total.by_source[2].source_id.is_none());
    assert_eq!(
        total.by_source[0].source_id.as_deref(),
        Some(desk.sources["Instagram"].as_str())
    );

    // By local day across the midnight of 31 Oct: C's two sessions fall on either side, and
    // a day without payments is listed with zeros.
    let days = revenue(
        &owner,
        "2026-10-30T19:00:00Z",
        "2026-11-02T19:00:00Z",
        ops::revenue_report::PeriodUnit::DAY,
    )
    .await
    .unwrap();
    let got: Vec<(&str, &str, i64)> = days
        .rows
        .iter()
        .map(|r| (r.period.as_str(), r.total.as_str(), r.count))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-10-31", "3000.00", 1),
            ("2026-11-01", "4000.00", 1),
            ("2026-11-02", "0.00", 0),
        ]
    );
    assert_eq!(days.rows[2].average_check, None);
    assert_eq!(utc(&days.rows[1].start), utc(NOV));
    assert_eq!(by_source(&days.rows[2]), [line("Instagram", "0.00", 0)]);
    assert_eq!(days.total.period, "2026-10-31..2026-11-02");
    assert_eq!(money(&days.total).0, "7000.00");

    // Ranges are checked; operators do not read the figures, viewers do.
    let err = revenue(&owner, DEC, OCT, ops::revenue_report::PeriodUnit::MONTH)
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), (Some("VALIDATION"), Some("to")));
    let err = revenue(
        &owner,
        "2024-01-01T00:00:00Z",
        "2027-01-01T00:00:00Z",
        ops::revenue_report::PeriodUnit::DAY,
    )
    .await
    .unwrap_err();
    assert_eq!(refusal(&err), (Some("VALIDATION"), Some("to")));
    let operator = app.as_role(Role::Operator).await;
    let err = revenue(&operator, OCT, DEC, ops::revenue_report::PeriodUnit::MONTH)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    let err = overview(&operator, OCT, DEC).await.unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    let viewer = app.as_role(Role::ReadOnly).await;
    assert!(overview(&viewer, OCT, DEC).await.is_ok());

    // The overview of October and November.
    //   new clients: A, B, C (Oct; C at 23:00 local), D (Nov; UTC 31 Oct); E is merged: 4
    //   clients at the end of Sep 1 (S), Oct 4, Nov 5; growth Oct 3/1 = 3, Nov 1/4 = 0.25
    //   active: Oct A, B, C (payments); Nov C (00:01 payment), D (its own payment, and E's,
    //   merged into it: once), B (attended a class); the period A, B, C, D
    //   revenue: Sep 10 000, Oct 46 000, Nov 13 500 − 2 000 = 11 500; growth Oct
    //   36 000/10 000 = 3.6, Nov −34 500/46 000 = −0.75
    //   leads A, B, C, D; won A: 0.25
    let view = overview(&owner, OCT, DEC).await.unwrap();
    assert_eq!(
        (view.new_clients, view.active_clients, view.total_clients),
        (4, 4, 5)
    );
    assert_eq!((view.leads, view.won, view.conversion), (4, 1, Some(0.25)));
    assert_eq!(
        (
            view.payments,
            view.gross_revenue.as_str(),
            view.refunds.as_str(),
            view.revenue.as_str(),
            view.average_check.as_deref()
        ),
        (8, "59500.00", "2000.00", "57500.00", Some("7437.50"))
    );
    let months: Vec<_> = view
        .months
        .iter()
        .map(|m| {
            (
                m.month.as_str(),
                m.new_clients,
                m.active_clients,
                m.total_clients,
                m.revenue.as_str(),
                m.clients_growth,
                m.revenue_growth,
            )
        })
        .collect();
    assert_eq!(
        months,
        [
            ("2026-10", 3, 3, 4, "46000.00", Some(3.0), Some(3.6)),
            ("2026-11", 1, 3, 5, "11500.00", Some(0.25), Some(-0.75)),
        ]
    );
    assert_eq!(
        (utc(&view.months[1].start), utc(&view.months[1].end)),
        (utc(NOV), utc(DEC))
    );

    // Two local days, 31 Oct and 1 Nov: the period's figures are those two days', the
    // months are listed whole.
    //   new: C (31 Oct), D (1 Nov); active: C; revenue 3 000 + 4 000; clients by then: 5
    let short = overview(&owner, "2026-10-30T19:00:00Z", "2026-11-01T19:00:00Z")
        .await
        .unwrap();
    assert_eq!(
        (
            short.new_clients,
            short.active_clients,
            short.total_clients,
            short.payments,
            short.revenue.as_str()
        ),
        (2, 1, 5, 2, "7000.00")
    );
    assert_eq!(
        (short.leads, short.won, short.conversion),
        (2, 0, Some(0.0))
    );
    assert_eq!(short.months, view.months);
    let err = overview(&owner, DEC, OCT).await.unwrap_err();
    assert_eq!(refusal(&err), (Some("VALIDATION"), Some("to")));

    // The funnel's money.
    //   expected: leads now in open stages: B 25 000 (Консультация) + D 12 000 = 37 000
    //   (A is won, C lost); won: A paid 15 000 + 8 000 in the period
    let figures = funnel(&owner, OCT, DEC).await;
    assert_eq!((figures.leads, figures.won), (4, 1));
    assert_eq!(
        (figures.expected_value.as_str(), figures.won_value.as_str()),
        ("37000.00", "23000.00")
    );
    // November alone: D is its one lead, not won.
    let figures = funnel(&owner, NOV, DEC).await;
    assert_eq!((figures.leads, figures.won), (1, 0));
    assert_eq!(
        (figures.expected_value.as_str(), figures.won_value.as_str()),
        ("12000.00", "0.00")
    );

    // The board: each stage's deal values and what its clients paid in all (S's September
    // payment included, E's payment left with E's record).
    let board = manager
        .run::<ops::PipelineBoard>(ops::pipeline_board::Variables { per_stage: None })
        .await
        .unwrap()
        .pipeline_board;
    let columns: Vec<(&str, i64, &str, &str)> = board
        .iter()
        .map(|c| {
            (
                c.stage.name.as_str(),
                c.count,
                c.expected_value.as_str(),
                c.paid_value.as_str(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("Первичный контакт", 1, "12000.00", "6000.00"),
            ("Консультация", 1, "25000.00", "20000.00"),
            ("Принимают решение", 1, "50000.00", "10000.00"),
            ("Куплена услуга", 1, "30000.00", "23000.00"),
            ("Активный клиент", 0, "0.00", "0.00"),
            ("Завершен", 0, "0.00", "0.00"),
            ("Неактивен", 1, "10000.00", "7000.00"),
        ]
    );
    let card = &board[3].clients[0];
    assert_eq!(card.id, a);
    assert_eq!(
        (card.deal_value.as_deref(), card.paid_total.as_str()),
        (Some("30000.00"), "23000.00")
    );

    // A client signed in as A sees what they paid, not the deal the venue expects of them.
    let login = format!("client-{}", &key()[..6]);
    let user = app.create_user(&login, Role::Client).await;
    owner
        .run::<ops::LinkClientAccount>(ops::link_client_account::Variables {
            user_id: user.to_string(),
            client_id: a.clone(),
        })
        .await
        .unwrap();
    let as_a = app.login(&login, PASSWORD).await;
    let mine = as_a
        .run::<ops::MyClientDeal>(ops::my_client_deal::Variables)
        .await
        .unwrap()
        .my_client;
    assert_eq!(
        (mine.id.as_str(), mine.deal_value, mine.paid_total.as_str()),
        (a.as_str(), None, "23000.00")
    );
    // Nor the venue's own view of them: where they stand in the funnel, its history, the
    // notes, tags and contacts staff keep.
    assert!(mine.stage.is_none() && mine.stage_history.is_empty());
    assert!(mine.notes.is_none() && mine.tags.is_empty() && mine.recent_interactions.is_empty());
    assert!(mine.next_contact_at.is_none() && mine.last_contact_at.is_none());
    app.stop().await;
}

async fn deal_values(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let manager = app.as_role(Role::Manager).await;
    let owner = app.as_role(Role::Owner).await;
    let tech = app.as_role(Role::Tech).await;
    let client = create_client(&manager, "Сделкина", "Вера", "+7 701 200 00 01").await;

    let set = deal(&manager, &client, Some("1500.50")).await.unwrap();
    assert_eq!(
        (set.deal_value.as_deref(), set.paid_total.as_str()),
        (Some("1500.50"), "0.00")
    );
    // Negative and absurd values (beyond the largest payment, 10 000 000 000) are refused
    // naming the value; a tech may not set one; an unknown client is not found.
    for bad in ["-1", "10000000000.01"] {
        let err = deal(&manager, &client, Some(bad)).await.unwrap_err();
        assert_eq!(refusal(&err), (Some("VALIDATION"), Some("value")), "{bad}");
    }
    let err = deal(&tech, &client, Some("100")).await.unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    let err = deal(&manager, "999999", Some("100")).await.unwrap_err();
    assert_eq!(err.code(), Some("NOT_FOUND"));
    let set = deal(&manager, &client, Some("10000000000")).await.unwrap();
    assert_eq!(set.deal_value.as_deref(), Some("10000000000.00"));
    // Null clears it.
    let cleared = deal(&manager, &client, None).await.unwrap();
    assert_eq!(cleared.deal_value, None);

    // Each change is in the audit log, with what it was and what it became.
    let log = owner
        .run::<ops::AuditLog>(ops::audit_log::Variables {
            filter: Some(ops::audit_log::AuditFilter {
                action: Some("client.deal_value".into()),
                entity_id: Some(client.clone()),
                ..audit_filter()
            }),
            page: None,
        })
        .await
        .unwrap()
        .audit_log;
    let mut changes: Vec<(serde_json::Value, serde_json::Value)> = log
        .items
        .iter()
        .map(|i| (i.details["from"].clone(), i.details["to"].clone()))
        .collect();
    changes.reverse();
    assert_eq!(
        changes,
        [
            (serde_json::Value::Null, serde_json::json!(150_050)),
            (
                serde_json::json!(150_050),
                serde_json::json!(1_000_000_000_000_i64)
            ),
            (
                serde_json::json!(1_000_000_000_000_i64),
                serde_json::Value::Null
            ),
        ]
    );
    app.stop().await;
}

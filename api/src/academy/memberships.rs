//! Membership plans, memberships sold through the payment ledger, visits, freezes and expiry.
//!
//! A membership's status is worked out for a day (the location's local today), never stored:
//! it is upcoming before its start, frozen during a freeze, expired after its end or when its
//! visits are used up, cancelled once cancelled, and active otherwise.

use crate::domain::timezone;
use chrono::{Duration, NaiveDate};
use entity::{
    academy_freeze, academy_membership, academy_plan,
    enums::{PaymentKind, PaymentMethod},
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
    sea_query::{Expr, ExprTrait},
};
use serde::Serialize;
use serde_json::json;

use super::{students, timetable};
use crate::{
    auth::actor::Caller,
    billing::{idempotency::Claim, ledger},
    domain::text,
    error::{AppError, AppResult},
    events::domain::MembershipEvent,
    state::AppState,
};

/// Where a membership stands on a given day.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipStatus {
    /// Starts later.
    Upcoming,
    Active,
    /// Paused by a freeze today.
    Frozen,
    /// Past its end date, or no visits left.
    Expired,
    Cancelled,
}

pub fn status_on(m: &academy_membership::Model, day: NaiveDate) -> MembershipStatus {
    if m.cancelled_at.is_some() {
        MembershipStatus::Cancelled
    } else if m.ends_on < day || m.visits_left.is_some_and(|v| v <= 0) {
        MembershipStatus::Expired
    } else if m.frozen_from.is_some_and(|f| f <= day) && m.frozen_to.is_some_and(|t| day <= t) {
        MembershipStatus::Frozen
    } else if day < m.starts_on {
        MembershipStatus::Upcoming
    } else {
        MembershipStatus::Active
    }
}

#[derive(Debug, Clone)]
pub struct PlanSpec {
    pub name: String,
    pub visits: Option<i32>,
    pub validity_days: i32,
    pub price: i64,
    pub active: bool,
    /// Its memberships renew on their end date.
    pub recurring: bool,
}

impl PlanSpec {
    fn check(mut self) -> AppResult<PlanSpec> {
        self.name = text::required("input.name", &self.name, 100)?;
        if self.visits.is_some_and(|v| !(1..=1000).contains(&v)) {
            return Err(AppError::validation(
                "input.visits",
                "от 1 до 1000 посещений (пусто — безлимит)",
                "1 to 1000 visits (empty for unlimited)",
            ));
        }
        if !(1..=3660).contains(&self.validity_days) {
            return Err(AppError::validation(
                "input.validityDays",
                "срок действия — от 1 дня до 10 лет",
                "validity is 1 day to 10 years",
            ));
        }
        if !(0..=1_000_000_000_000).contains(&self.price) {
            return Err(AppError::validation(
                "input.price",
                "цена не может быть отрицательной",
                "the price cannot be negative",
            ));
        }
        Ok(self)
    }
}

pub async fn get_plan<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<academy_plan::Model> {
    academy_plan::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Тариф абонемента", "Membership plan", id))
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<academy_membership::Model> {
    academy_membership::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Абонемент", "Membership", id))
}

pub async fn plans<C: ConnectionTrait>(
    conn: &C,
    include_inactive: bool,
) -> AppResult<Vec<academy_plan::Model>> {
    let mut select = academy_plan::Entity::find().order_by_asc(academy_plan::Column::Name);
    if !include_inactive {
        select = select.filter(academy_plan::Column::Active.eq(true));
    }
    Ok(select.all(conn).await?)
}

pub async fn save_plan(
    state: &AppState,
    caller: &Caller,
    id: Option<i64>,
    spec: PlanSpec,
) -> AppResult<academy_plan::Model> {
    let spec = spec.check()?;
    state
        .write(caller, |tx| {
            let spec = spec.clone();
            Box::pin(async move {
                let now = tx.now();
                let mut row = match id {
                    Some(id) => get_plan(tx.db(), id).await?.into(),
                    None => academy_plan::ActiveModel {
                        created_at: Set(now),
                        ..Default::default()
                    },
                };
                row.name = Set(spec.name);
                row.visits = Set(spec.visits);
                row.validity_days = Set(spec.validity_days);
                row.price = Set(spec.price);
                row.active = Set(spec.active);
                row.recurring = Set(spec.recurring);
                row.updated_at = Set(now);
                let row = match id {
                    Some(_) => row.update(tx.db()).await?,
                    None => row.insert(tx.db()).await?,
                };
                tx.audit(
                    if id.is_some() {
                        "academy.plan.update"
                    } else {
                        "academy.plan.create"
                    },
                    "academy_plan",
                    Some(row.id),
                    json!({
                        "name": row.name,
                        "price": row.price,
                        "visits": row.visits,
                        "recurring": row.recurring,
                    }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// A membership to sell.
#[derive(Debug, Clone, Serialize)]
pub struct Sale {
    pub student_id: i64,
    pub plan_id: i64,
    /// Defaults to the location's today.
    pub starts_on: Option<NaiveDate>,
    /// Defaults to the plan's price.
    pub price: Option<i64>,
    /// Needed when there is something to pay.
    pub method: Option<PaymentMethod>,
}

/// Sells a membership: the payment goes through the ledger in the same transaction, once per
/// idempotency key.
pub async fn sell(
    state: &AppState,
    caller: &Caller,
    sale: Sale,
    key: &str,
) -> AppResult<academy_membership::Model> {
    let claim = &Claim::new(key, "academy.membership.sell", &sale)?;
    let sale = &sale;
    // The key remembers the membership's id; a repeat reads it back.
    let id = state
        .write_once(caller, claim, |tx| {
            Box::pin(async move {
                let student = students::get(tx.db(), sale.student_id).await?;
                let plan = get_plan(tx.db(), sale.plan_id).await?;
                if !plan.active {
                    return Err(AppError::validation(
                        "input.planId",
                        format!("тариф «{}» больше не продаётся", plan.name),
                        format!("plan `{}` is no longer sold", plan.name),
                    ));
                }
                let price = sale.price.unwrap_or(plan.price);
                if !(0..=1_000_000_000_000).contains(&price) {
                    return Err(AppError::validation(
                        "input.price",
                        "цена не может быть отрицательной",
                        "the price cannot be negative",
                    ));
                }
                let (_, tz) = timetable::location_tz(tx.db(), student.location_id).await?;
                let now = tx.now();
                let starts_on = sale
                    .starts_on
                    .unwrap_or_else(|| timezone::local_date(tz, now));
                let purpose = format!("Абонемент «{}»", plan.name);
                let payment_id = ledger::charge(
                    tx,
                    student.client_id,
                    price,
                    sale.method,
                    PaymentKind::Membership,
                    purpose,
                    Some(student.location_id),
                )
                .await?;
                let row = new_row(
                    &plan,
                    student.id,
                    starts_on,
                    Paid {
                        price,
                        payment_id,
                        amount_due: 0,
                    },
                    caller.actor.user_id(),
                    now,
                )
                .insert(tx.db())
                .await?;
                tx.audit(
                    "academy.membership.sell",
                    "academy_membership",
                    Some(row.id),
                    json!({
                        "studentId": row.student_id,
                        "planId": row.plan_id,
                        "price": price,
                        "paymentId": payment_id,
                        "startsOn": row.starts_on,
                        "endsOn": row.ends_on,
                        "idempotencyKey": claim.key,
                    }),
                )
                .await?;
                tx.emit(&MembershipEvent::Sold {
                    membership_id: row.id,
                    location_id: student.location_id,
                    student_id: student.id,
                    client_id: student.client_id,
                    plan_id: plan.id,
                    plan_name: plan.name.clone(),
                    starts_on: row.starts_on,
                    ends_on: row.ends_on,
                    visits: row.visits_total,
                    price,
                    payment_id,
                })
                .await?;
                Ok(row.id)
            })
        })
        .await?;
    get(&state.db, id).await
}

/// What a new membership costs and how it stands paid.
pub(crate) struct Paid {
    pub price: i64,
    pub payment_id: Option<i64>,
    /// Left to pay (a renewal the wallet did not cover).
    pub amount_due: i64,
}

/// A new membership of `plan` for a student from `starts_on`, its visits and end from the
/// plan; it renews when the plan is recurring.
pub(crate) fn new_row(
    plan: &academy_plan::Model,
    student_id: i64,
    starts_on: NaiveDate,
    paid: Paid,
    created_by: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> academy_membership::ActiveModel {
    academy_membership::ActiveModel {
        student_id: Set(student_id),
        plan_id: Set(plan.id),
        starts_on: Set(starts_on),
        ends_on: Set(starts_on + Duration::days(i64::from(plan.validity_days) - 1)),
        visits_total: Set(plan.visits),
        visits_left: Set(plan.visits),
        price: Set(paid.price),
        payment_id: Set(paid.payment_id),
        frozen_from: Set(None),
        frozen_to: Set(None),
        frozen_days: Set(0),
        cancelled_at: Set(None),
        renews: Set(plan.recurring),
        renewed_to_id: Set(None),
        amount_due: Set(paid.amount_due),
        created_by: Set(created_by),
        created_at: Set(now),
        ..Default::default()
    }
}

/// Freezes a membership for `days` from `from`: its end moves out by as many days.
pub async fn freeze(
    state: &AppState,
    caller: &Caller,
    id: i64,
    from: NaiveDate,
    days: i32,
    reason: Option<String>,
) -> AppResult<academy_membership::Model> {
    let reason = text::optional("input.reason", reason.as_deref(), 500)?;
    if !(1..=365).contains(&days) {
        return Err(AppError::validation(
            "input.days",
            "заморозка — от 1 до 365 дней",
            "a freeze lasts 1 to 365 days",
        ));
    }
    state
        .write(caller, |tx| {
            let reason = reason.clone();
            Box::pin(async move {
                let m = get(tx.db(), id).await?;
                if m.cancelled_at.is_some() {
                    return Err(AppError::conflict(
                        "Абонемент отменён",
                        "The membership is cancelled",
                    ));
                }
                if from > m.ends_on || from < m.starts_on {
                    return Err(AppError::validation(
                        "input.from",
                        format!(
                            "заморозка начинается в сроке абонемента: с {} по {}",
                            m.starts_on, m.ends_on
                        ),
                        format!(
                            "a freeze starts within the membership: {} to {}",
                            m.starts_on, m.ends_on
                        ),
                    ));
                }
                let to = from + Duration::days(i64::from(days) - 1);
                if let (Some(f), Some(t)) = (m.frozen_from, m.frozen_to)
                    && from <= t
                    && f <= to
                {
                    return Err(AppError::conflict(
                        format!("Абонемент уже заморожен с {f} по {t}"),
                        format!("The membership is already frozen from {f} to {t}"),
                    ));
                }
                let ends_on = m.ends_on + Duration::days(i64::from(days));
                let now = tx.now();
                academy_freeze::ActiveModel {
                    membership_id: Set(id),
                    starts_on: Set(from),
                    ends_on: Set(to),
                    days: Set(days),
                    reason: Set(reason.clone()),
                    created_by: Set(caller.actor.user_id()),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                let before = m.ends_on;
                let frozen_days = m.frozen_days + days;
                let mut row: academy_membership::ActiveModel = m.into();
                row.ends_on = Set(ends_on);
                row.frozen_from = Set(Some(from));
                row.frozen_to = Set(Some(to));
                row.frozen_days = Set(frozen_days);
                let row = row.update(tx.db()).await?;
                tx.audit(
                    "academy.membership.freeze",
                    "academy_membership",
                    Some(id),
                    json!({ "from": from, "to": to, "days": days, "endsOn": { "from": before, "to": ends_on }, "reason": reason }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<academy_membership::Model> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let m = get(tx.db(), id).await?;
                if m.cancelled_at.is_some() {
                    return Err(AppError::conflict(
                        "Абонемент уже отменён",
                        "The membership is already cancelled",
                    ));
                }
                let mut row: academy_membership::ActiveModel = m.into();
                row.cancelled_at = Set(Some(tx.now()));
                // A cancelled membership does not renew.
                row.renews = Set(false);
                let row = row.update(tx.db()).await?;
                tx.audit(
                    "academy.membership.cancel",
                    "academy_membership",
                    Some(id),
                    json!({}),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// Takes a visit from the student's membership valid on `day` (the one ending soonest);
/// None when there is none.
pub(crate) async fn use_visit(
    txn: &DatabaseTransaction,
    student_id: i64,
    day: NaiveDate,
) -> AppResult<Option<i64>> {
    let candidates = academy_membership::Entity::find()
        .filter(academy_membership::Column::StudentId.eq(student_id))
        .filter(academy_membership::Column::CancelledAt.is_null())
        .filter(academy_membership::Column::StartsOn.lte(day))
        .filter(academy_membership::Column::EndsOn.gte(day))
        .filter(
            Condition::any()
                .add(academy_membership::Column::VisitsLeft.is_null())
                .add(academy_membership::Column::VisitsLeft.gt(0)),
        )
        .order_by_asc(academy_membership::Column::EndsOn)
        .order_by_asc(academy_membership::Column::Id)
        .all(txn)
        .await?;
    let Some(m) = candidates
        .into_iter()
        .find(|m| status_on(m, day) == MembershipStatus::Active)
    else {
        return Ok(None);
    };
    if m.visits_left.is_some() {
        academy_membership::Entity::update_many()
            .col_expr(
                academy_membership::Column::VisitsLeft,
                Expr::col(academy_membership::Column::VisitsLeft).sub(1),
            )
            .filter(academy_membership::Column::Id.eq(m.id))
            .exec(txn)
            .await?;
    }
    Ok(Some(m.id))
}

/// Gives a visit back (an attendance was unmarked or its session cancelled).
pub(crate) async fn return_visit(txn: &DatabaseTransaction, membership_id: i64) -> AppResult<()> {
    academy_membership::Entity::update_many()
        .col_expr(
            academy_membership::Column::VisitsLeft,
            Expr::col(academy_membership::Column::VisitsLeft).add(1),
        )
        .filter(academy_membership::Column::Id.eq(membership_id))
        .filter(academy_membership::Column::VisitsLeft.is_not_null())
        .exec(txn)
        .await?;
    Ok(())
}

pub async fn of_student<C: ConnectionTrait>(
    conn: &C,
    student_id: i64,
) -> AppResult<Vec<academy_membership::Model>> {
    Ok(academy_membership::Entity::find()
        .filter(academy_membership::Column::StudentId.eq(student_id))
        .order_by_desc(academy_membership::Column::StartsOn)
        .order_by_desc(academy_membership::Column::Id)
        .all(conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn membership() -> academy_membership::Model {
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        academy_membership::Model {
            id: 1,
            student_id: 1,
            plan_id: 1,
            starts_on: d(11, 1),
            ends_on: d(11, 30),
            visits_total: Some(8),
            visits_left: Some(2),
            price: 0,
            payment_id: None,
            frozen_from: Some(d(11, 10)),
            frozen_to: Some(d(11, 16)),
            frozen_days: 7,
            cancelled_at: None,
            renews: false,
            renewed_to_id: None,
            amount_due: 0,
            created_by: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn status_follows_the_day() {
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let m = membership();
        assert_eq!(status_on(&m, d(10, 31)), MembershipStatus::Upcoming);
        assert_eq!(status_on(&m, d(11, 1)), MembershipStatus::Active);
        assert_eq!(status_on(&m, d(11, 12)), MembershipStatus::Frozen);
        assert_eq!(status_on(&m, d(11, 30)), MembershipStatus::Active);
        assert_eq!(status_on(&m, d(12, 1)), MembershipStatus::Expired);
        let used_up = academy_membership::Model {
            visits_left: Some(0),
            ..m
        };
        assert_eq!(status_on(&used_up, d(11, 2)), MembershipStatus::Expired);
    }
}

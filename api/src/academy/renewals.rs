//! Memberships that renew: a membership of a recurring plan makes its successor the day after
//! its last day (in the location's time), paid from the client's wallet through the ledger
//! when the balance covers the plan's price, and otherwise left due (`amountDue`) for the desk
//! to take. A membership renews once: the successor is recorded on it in the same unit of
//! work, under a row lock on PostgreSQL and the write turn on SQLite, so two replicas or two
//! scans make one. Cancelling or stopping a membership stops its renewal; a plan taken off
//! sale or no longer recurring stops the renewals of its memberships, with an audit row
//! saying why.

use async_graphql::{ID, SimpleObject};
use chrono::{Duration, NaiveDate};
use entity::{
    academy_membership, academy_student, client,
    enums::{PaymentKind, PaymentMethod},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use super::{memberships, students, timetable};
use crate::{
    auth::actor::Caller,
    billing::{idempotency::Claim, ledger},
    domain::{Money, timezone},
    error::{AppError, AppResult},
    events::domain::MembershipEvent,
    state::AppState,
};

/// How often the server looks for memberships to renew.
pub const SCAN_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Renews every membership whose last day has passed in its location's time; answers how many
/// it renewed.
pub async fn run(state: &AppState) -> AppResult<usize> {
    // A day's margin either side of UTC: the exact local day is checked per membership.
    let horizon = state.clock.now().date_naive() + Duration::days(1);
    let candidates: Vec<(i64, i64)> = academy_membership::Entity::find()
        .select_only()
        .column(academy_membership::Column::Id)
        .column(academy_membership::Column::StudentId)
        .filter(academy_membership::Column::Renews.eq(true))
        .filter(academy_membership::Column::RenewedToId.is_null())
        .filter(academy_membership::Column::CancelledAt.is_null())
        .filter(academy_membership::Column::EndsOn.lt(horizon))
        .order_by_asc(academy_membership::Column::Id)
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut renewed = 0;
    for (id, student_id) in candidates {
        let student = students::get(&state.db, student_id).await?;
        let (_, tz) = timetable::location_tz(&state.db, student.location_id).await?;
        let today = timezone::local_date(tz, state.clock.now());
        match renew(state, id, today).await {
            Ok(true) => renewed += 1,
            Ok(false) => {}
            // One membership that cannot renew now must not hold back the others.
            Err(err) => tracing::warn!(membership = id, %err, "membership renewal failed"),
        }
    }
    Ok(renewed)
}

/// Renews membership `id` if its last day is before `today`; answers whether it did.
pub async fn renew(state: &AppState, id: i64, today: NaiveDate) -> AppResult<bool> {
    state
        .write(&Caller::system(), |tx| {
            Box::pin(async move {
                let mut select = academy_membership::Entity::find_by_id(id);
                if tx.db().get_database_backend() == DatabaseBackend::Postgres {
                    select = select.lock_exclusive();
                }
                let Some(m) = select.one(tx.db()).await? else {
                    return Ok(false);
                };
                if !m.renews
                    || m.renewed_to_id.is_some()
                    || m.cancelled_at.is_some()
                    || m.ends_on >= today
                {
                    return Ok(false);
                }
                let plan = memberships::get_plan(tx.db(), m.plan_id).await?;
                if !plan.active || !plan.recurring {
                    let mut row: academy_membership::ActiveModel = m.into();
                    row.renews = Set(false);
                    row.update(tx.db()).await?;
                    let reason = if plan.active {
                        "plan_not_recurring"
                    } else {
                        "plan_off_sale"
                    };
                    tx.audit(
                        "academy.membership.renewal_stopped",
                        "academy_membership",
                        Some(id),
                        json!({ "reason": reason, "planId": plan.id }),
                    )
                    .await?;
                    return Ok(false);
                }
                let student = students::get(tx.db(), m.student_id).await?;
                let price = plan.price;
                let starts_on = m.ends_on + Duration::days(1);
                let covered =
                    price == 0 || ledger::balance(tx.db(), student.client_id).await? >= price;
                let payment_id = if covered {
                    ledger::charge(
                        tx,
                        student.client_id,
                        price,
                        Some(PaymentMethod::Wallet),
                        PaymentKind::Membership,
                        format!("Продление абонемента «{}»", plan.name),
                        Some(student.location_id),
                    )
                    .await?
                } else {
                    None
                };
                let amount_due = if covered { 0 } else { price };
                let paid = memberships::Paid {
                    price,
                    payment_id,
                    amount_due,
                };
                let next = memberships::new_row(&plan, student.id, starts_on, paid, None, tx.now())
                    .insert(tx.db())
                    .await?;
                let mut row: academy_membership::ActiveModel = m.into();
                row.renewed_to_id = Set(Some(next.id));
                row.update(tx.db()).await?;
                tx.audit(
                    "academy.membership.renew",
                    "academy_membership",
                    Some(next.id),
                    json!({
                        "from": id,
                        "price": price,
                        "paymentId": payment_id,
                        "amountDue": amount_due,
                        "startsOn": next.starts_on,
                        "endsOn": next.ends_on,
                    }),
                )
                .await?;
                tx.emit(&MembershipEvent::Renewed {
                    membership_id: next.id,
                    previous_id: id,
                    location_id: student.location_id,
                    student_id: student.id,
                    client_id: student.client_id,
                    plan_id: plan.id,
                    plan_name: plan.name.clone(),
                    starts_on: next.starts_on,
                    ends_on: next.ends_on,
                    price,
                    payment_id,
                    amount_due,
                })
                .await?;
                Ok(true)
            })
        })
        .await
}

/// Scans for renewals every [`SCAN_EVERY`] until the process ends.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(crate::db::uncounted(async move {
        let mut tick = tokio::time::interval(SCAN_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(err) = run(&state).await {
                tracing::warn!(%err, "membership renewals failed");
            }
        }
    }))
}

/// Stops a membership's renewal (it runs to its end and no further).
pub async fn stop(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<academy_membership::Model> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let m = memberships::get(tx.db(), id).await?;
                if !m.renews {
                    return Err(AppError::conflict(
                        "Абонемент и так не продлевается",
                        "The membership does not renew anyway",
                    ));
                }
                let mut row: academy_membership::ActiveModel = m.into();
                row.renews = Set(false);
                let row = row.update(tx.db()).await?;
                tx.audit(
                    "academy.membership.renewal_stopped",
                    "academy_membership",
                    Some(id),
                    json!({ "reason": "asked" }),
                )
                .await?;
                Ok(row)
            })
        })
        .await
}

/// Takes what a renewal left due, by `method`, once per idempotency key.
pub async fn pay(
    state: &AppState,
    caller: &Caller,
    id: i64,
    method: PaymentMethod,
    key: &str,
) -> AppResult<academy_membership::Model> {
    let claim = &Claim::new(key, "academy.membership.pay", &(id, method))?;
    let paid = state
        .write_once(caller, claim, |tx| {
            Box::pin(async move {
                let m = memberships::get(tx.db(), id).await?;
                if m.amount_due == 0 {
                    return Err(AppError::conflict(
                        "По абонементу ничего не причитается",
                        "Nothing is due on the membership",
                    ));
                }
                let student = students::get(tx.db(), m.student_id).await?;
                let plan = memberships::get_plan(tx.db(), m.plan_id).await?;
                let payment_id = ledger::charge(
                    tx,
                    student.client_id,
                    m.amount_due,
                    Some(method),
                    PaymentKind::Membership,
                    format!("Абонемент «{}»", plan.name),
                    Some(student.location_id),
                )
                .await?;
                let amount = m.amount_due;
                let mut row: academy_membership::ActiveModel = m.into();
                row.amount_due = Set(0);
                row.payment_id = Set(payment_id);
                row.update(tx.db()).await?;
                tx.audit(
                    "academy.membership.pay",
                    "academy_membership",
                    Some(id),
                    json!({ "amount": amount, "paymentId": payment_id, "idempotencyKey": claim.key }),
                )
                .await?;
                Ok(id)
            })
        })
        .await?;
    memberships::get(&state.db, paid).await
}

/// A membership with something to pay, for the desk's billing list.
#[derive(SimpleObject, Debug, Clone)]
pub struct MembershipDue {
    pub membership_id: ID,
    pub student_id: ID,
    pub student_name: String,
    pub plan_name: String,
    pub amount_due: Money,
    /// The first day the membership runs: payment is due then.
    pub due_on: NaiveDate,
    /// Past its due day, unpaid.
    pub overdue: bool,
}

/// What the students of a location owe on renewed memberships, the longest overdue first.
pub async fn due(state: &AppState, location_id: i64) -> AppResult<Vec<MembershipDue>> {
    let (_, tz) = timetable::location_tz(&state.db, location_id).await?;
    let today = timezone::local_date(tz, state.clock.now());
    let students: Vec<academy_student::Model> = academy_student::Entity::find()
        .filter(academy_student::Column::LocationId.eq(location_id))
        .all(&state.db)
        .await?;
    let rows = academy_membership::Entity::find()
        .filter(academy_membership::Column::StudentId.is_in(students.iter().map(|s| s.id)))
        .filter(academy_membership::Column::AmountDue.gt(0))
        .filter(academy_membership::Column::CancelledAt.is_null())
        .order_by_asc(academy_membership::Column::StartsOn)
        .order_by_asc(academy_membership::Column::Id)
        .all(&state.db)
        .await?;
    let names: std::collections::HashMap<i64, String> = client::Entity::find()
        .filter(client::Column::Id.is_in(students.iter().map(|s| s.client_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.display_name))
        .collect();
    let plans: std::collections::HashMap<i64, String> = memberships::plans(&state.db, true)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|m| {
            let student = students.iter().find(|s| s.id == m.student_id);
            MembershipDue {
                membership_id: m.id.into(),
                student_id: m.student_id.into(),
                student_name: student
                    .and_then(|s| names.get(&s.client_id).cloned())
                    .unwrap_or_default(),
                plan_name: plans.get(&m.plan_id).cloned().unwrap_or_default(),
                amount_due: Money(m.amount_due),
                due_on: m.starts_on,
                overdue: today > m.starts_on,
            }
        })
        .collect())
}

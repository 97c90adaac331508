//! An appointment's life after booking: moved, cancelled (with a refund inside the venue's
//! cut-off), completed or marked a no-show. Staff may do all of it; a client only to their own
//! appointment, and only before the cut-off.

use crate::domain::timezone;
use chrono::{DateTime, Duration, Utc};
use entity::{
    appointment, client_package,
    enums::{AppointmentPayment, AppointmentStatus},
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;

use super::{
    appointments::{close, get, not_booked, wants},
    availability::{self, SlotQuery},
    catalog,
    claims::{self, Owner},
    hold,
    live::{SlotChange, SlotEvent},
    schedules,
};
use crate::auth::actor::Reach;
use crate::{
    auth::actor::Caller,
    billing::ledger,
    domain::text,
    error::{AppError, AppResult, Msg},
    events::domain::AppointmentEvent,
    state::AppState,
    write::Tx,
};

fn event(kind: SlotChange, row: &appointment::Model) -> SlotEvent {
    SlotEvent {
        kind,
        location_id: row.location_id,
        service_id: Some(row.service_id),
        specialist_id: Some(row.specialist_id),
        resource_id: row.resource_id,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
    }
}

/// Until when a client may cancel or move an appointment themselves.
pub async fn cutoff(state: &AppState, row: &appointment::Model) -> AppResult<DateTime<Utc>> {
    let rules = schedules::rules(&state.db, row.location_id).await?;
    Ok(row.starts_at - Duration::minutes(i64::from(rules.cancel_cutoff_minutes)))
}

/// Refuses a change past the cutoff, naming it in the location's time.
async fn too_late(state: &AppState, row: &appointment::Model, until: DateTime<Utc>) -> AppError {
    let until = match crate::venue::locations::time_zone(&state.db, row.location_id).await {
        Ok(tz) => crate::domain::timezone::local_text(tz, until),
        Err(err) => return err,
    };
    AppError::Conflict(Msg::new(
        format!(
            "Изменить запись самостоятельно можно было до {until} (время локации): позвоните администратору"
        ),
        format!(
            "The booking could be changed online until {until} (the location's time): call the venue"
        ),
    ))
}

/// Moves an appointment to another start (and maybe another specialist).
pub async fn reschedule(
    state: &AppState,
    caller: &Caller,
    acting: Reach,
    id: i64,
    starts_at: DateTime<Utc>,
    specialist_id: Option<i64>,
) -> AppResult<appointment::Model> {
    let row = get(&state.db, id).await?;
    acting.may_touch(row.client_id)?;
    if row.status != AppointmentStatus::Booked {
        return Err(not_booked(&row));
    }
    let now = state.clock.now();
    if acting != Reach::Staff {
        let until = cutoff(state, &row).await?;
        if now > until {
            return Err(too_late(state, &row, until).await);
        }
    }
    let loc = crate::venue::locations::get(state, row.location_id).await?;
    let tz = availability::timezone(&loc)?;
    let day = timezone::local_date(tz, starts_at);
    let specialist_id = specialist_id.unwrap_or(row.specialist_id);
    let free = availability::find(
        state,
        &SlotQuery {
            location_id: row.location_id,
            service_id: row.service_id,
            specialist_id: Some(specialist_id),
            from: day,
            to: day,
            ignore_appointment: Some(id),
        },
    )
    .await?;
    let slot = free
        .into_iter()
        .find(|s| s.starts_at == starts_at)
        .ok_or_else(hold::taken)?;
    let svc = catalog::service(&state.db, row.service_id).await?;
    let blocked = availability::shape(&svc).blocked(slot.starts_at);
    let wanted = &wants(slot.specialist_id, slot.resource_id, blocked);
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let current = get(tx.db(), id).await?;
                if current.status != AppointmentStatus::Booked {
                    return Err(not_booked(&current));
                }
                claims::free(tx.db(), Owner::Appointment(id)).await?;
                if claims::clashes(tx.db(), wanted, Some(Owner::Appointment(id))).await? {
                    return Err(hold::taken());
                }
                claims::take(tx.db(), Owner::Appointment(id), wanted).await?;
                let mut model: appointment::ActiveModel = current.clone().into();
                model.starts_at = Set(slot.starts_at);
                model.ends_at = Set(slot.ends_at);
                model.specialist_id = Set(slot.specialist_id);
                model.resource_id = Set(slot.resource_id);
                model.updated_at = Set(tx.now());
                let moved = model.update(tx.db()).await?;
                tx.audit(
                    "appointment.reschedule",
                    "appointment",
                    Some(id),
                    json!({ "from": current.starts_at, "to": moved.starts_at, "specialistId": moved.specialist_id }),
                )
                .await?;
                tx.emit(&event(SlotChange::Cancelled, &current)).await?;
                tx.emit(&event(SlotChange::Moved, &moved)).await?;
                tx.emit(&AppointmentEvent::Changed {
                    appointment: (&moved).into(),
                    moved_from: Some(current.starts_at),
                    previous_specialist_id: Some(current.specialist_id),
                })
                .await?;
                Ok(moved)
            })
        })
        .await
}

/// Cancels an appointment. Inside the cut-off the wallet payment is refunded and a package
/// visit returned; later only staff may cancel, and nothing is returned.
pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    acting: Reach,
    id: i64,
    reason: Option<String>,
) -> AppResult<appointment::Model> {
    let reason = text::optional("reason", reason.as_deref(), 500)?;
    let row = get(&state.db, id).await?;
    acting.may_touch(row.client_id)?;
    if row.status != AppointmentStatus::Booked {
        return Err(not_booked(&row));
    }
    let now = state.clock.now();
    let until = cutoff(state, &row).await?;
    let in_time = now <= until;
    if !in_time && acting != Reach::Staff {
        return Err(too_late(state, &row, until).await);
    }
    let (row, reason) = (&row, &reason);
    state
        .write(caller, |tx| {
            Box::pin(async move {
                if !close(tx.db(), id, AppointmentStatus::Cancelled, tx.now()).await? {
                    return Err(not_booked(row));
                }
                claims::free(tx.db(), Owner::Appointment(id)).await?;
                let refunded = if in_time {
                    give_back(tx, row).await?
                } else {
                    0
                };
                let mut model: appointment::ActiveModel = get(tx.db(), id).await?.into();
                model.refunded = Set(refunded);
                model.cancel_reason = Set(reason.clone());
                let cancelled = model.update(tx.db()).await?;
                tx.audit(
                    "appointment.cancel",
                    "appointment",
                    Some(id),
                    json!({ "reason": reason, "inTime": in_time, "refunded": refunded }),
                )
                .await?;
                tx.emit(&event(SlotChange::Cancelled, &cancelled)).await?;
                tx.emit(&AppointmentEvent::Cancelled {
                    appointment: (&cancelled).into(),
                    reason: reason.clone(),
                    refunded,
                    by_client: acting != Reach::Staff,
                })
                .await?;
                Ok(cancelled)
            })
        })
        .await
}

/// What a cancellation in time returns: the wallet payment, refunded (the amount), and the
/// package visit.
async fn give_back(tx: &Tx<'_>, row: &appointment::Model) -> AppResult<i64> {
    let mut refunded = 0;
    if row.payment == AppointmentPayment::Wallet && row.paid > 0 {
        let op = ledger::Operation::Refund {
            client_id: row.client_id,
            amount: row.paid,
            reason: format!("Отмена записи {}", row.code),
        };
        ledger::write(tx, &op, Some(row.location_id)).await?;
        refunded = row.paid;
    }
    if let Some(package_id) = row.client_package_id {
        client_package::Entity::update_many()
            .col_expr(
                client_package::Column::VisitsLeft,
                Expr::col(client_package::Column::VisitsLeft).add(1),
            )
            .filter(client_package::Column::Id.eq(package_id))
            .exec(tx.db())
            .await?;
    }
    Ok(refunded)
}

/// Marks an appointment completed or a no-show (staff only). A no-show frees its time.
pub async fn finish(
    state: &AppState,
    caller: &Caller,
    id: i64,
    status: AppointmentStatus,
) -> AppResult<appointment::Model> {
    let row = get(&state.db, id).await?;
    let now = state.clock.now();
    if now < row.starts_at {
        return Err(AppError::validation(
            "id",
            "запись ещё не началась",
            "the appointment has not started yet",
        ));
    }
    let row = &row;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                if !close(tx.db(), id, status, tx.now()).await? {
                    return Err(not_booked(row));
                }
                if status == AppointmentStatus::NoShow {
                    claims::free(tx.db(), Owner::Appointment(id)).await?;
                }
                tx.audit(
                    match status {
                        AppointmentStatus::NoShow => "appointment.no_show",
                        _ => "appointment.complete",
                    },
                    "appointment",
                    Some(id),
                    json!({ "startsAt": row.starts_at }),
                )
                .await?;
                let finished = get(tx.db(), id).await?;
                tx.emit(&AppointmentEvent::Changed {
                    appointment: (&finished).into(),
                    moved_from: None,
                    previous_specialist_id: None,
                })
                .await?;
                Ok(finished)
            })
        })
        .await
}

/// Which appointments a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub location_id: Option<i64>,
    pub client_id: Option<i64>,
    pub specialist_id: Option<i64>,
    pub status: Option<AppointmentStatus>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Appointments by filter, by start.
pub async fn list(
    state: &AppState,
    filter: ListFilter,
    page: crate::pagination::Page,
) -> AppResult<(Vec<appointment::Model>, crate::pagination::PageInfo)> {
    use sea_orm::QueryOrder;
    let mut select = appointment::Entity::find();
    if let Some(id) = filter.location_id {
        select = select.filter(appointment::Column::LocationId.eq(id));
    }
    if let Some(id) = filter.client_id {
        select = select.filter(appointment::Column::ClientId.eq(id));
    }
    if let Some(id) = filter.specialist_id {
        select = select.filter(appointment::Column::SpecialistId.eq(id));
    }
    if let Some(status) = filter.status {
        select = select.filter(appointment::Column::Status.eq(status));
    }
    if let Some(from) = filter.from {
        select = select.filter(appointment::Column::EndsAt.gt(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(appointment::Column::StartsAt.lt(to));
    }
    let select = select
        .order_by_asc(appointment::Column::StartsAt)
        .order_by_asc(appointment::Column::Id);
    crate::pagination::fetch_page(&state.db, select, page).await
}

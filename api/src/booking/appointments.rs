//! Confirming a held slot into an appointment: the price and its discounts, the payment (from
//! the wallet, with a package visit, or at the venue), and the time claimed on the specialist
//! and the room. The database has the last word on overlaps.

use chrono::Utc;
use entity::{
    appointment, client_package,
    enums::{AppointmentPayment, AppointmentStatus, PaymentMethod},
};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
    sea_query::{Expr, ExprTrait},
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    catalog,
    claims::{self, Owner, Want},
    hold::{self, Held},
    live::{self, SlotChange},
};
use crate::{
    audit,
    auth::actor::Caller,
    billing::{idempotency::Claim, ledger},
    clients::service as clients,
    domain::{Money, text},
    error::{AppError, AppResult, Msg},
    state::AppState,
};

/// How a price came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    pub list: i64,
    pub client_discount_percent: i32,
    pub client_discount: i64,
    pub discount_percent: i32,
    pub discount: i64,
    /// What the client pays; zero when a package visit pays.
    pub total: i64,
}

/// The client's own discount first, then the appointment's on what is left; amounts round
/// down in the client's favour.
pub fn price(list: i64, client_percent: i32, percent: i32, by_package: bool) -> Price {
    let client_percent = client_percent.clamp(0, 100);
    let percent = percent.clamp(0, 100);
    let client_discount = list * i64::from(client_percent) / 100;
    let after = list - client_discount;
    let discount = after * i64::from(percent) / 100;
    Price {
        list,
        client_discount_percent: client_percent,
        client_discount,
        discount_percent: percent,
        discount,
        total: if by_package { 0 } else { after - discount },
    }
}

pub fn price_of(row: &appointment::Model) -> Price {
    price(
        row.price,
        row.client_discount_percent,
        row.discount_percent,
        row.payment == AppointmentPayment::Package,
    )
}

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A booking code: 10 characters without look-alikes, about 50 bits.
pub fn new_code() -> String {
    let mut rng = rand::rng();
    (0..10)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> AppResult<appointment::Model> {
    appointment::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Запись", "Appointment", id))
}

pub async fn by_code<C: ConnectionTrait>(conn: &C, code: &str) -> AppResult<appointment::Model> {
    let code = code.trim().to_ascii_uppercase();
    appointment::Entity::find()
        .filter(appointment::Column::Code.eq(code.clone()))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("Запись", "Booking", code))
}

/// What the confirming side adds to a hold.
#[derive(Debug, Clone, Serialize)]
pub struct ConfirmSpec {
    pub client_id: i64,
    pub payment: AppointmentPayment,
    pub client_package_id: Option<i64>,
    pub discount_percent: i32,
    pub note: Option<String>,
}

fn refused(ru: &str, en: &str) -> AppError {
    AppError::conflict(ru, en)
}

/// Takes one visit of a client's package for a service on `at`.
async fn use_visit(
    txn: &DatabaseTransaction,
    client_id: i64,
    service_id: i64,
    package_id: Option<i64>,
    at: chrono::DateTime<Utc>,
) -> AppResult<i64> {
    let mut select = client_package::Entity::find()
        .filter(client_package::Column::ClientId.eq(client_id))
        .filter(client_package::Column::ServiceId.eq(service_id));
    if let Some(id) = package_id {
        select = select.filter(client_package::Column::Id.eq(id));
    }
    let packages = select
        .order_by_asc(client_package::Column::ValidUntil)
        .all(txn)
        .await?;
    if packages.is_empty() {
        return Err(refused(
            "У клиента нет пакета на эту услугу",
            "The client has no package for this service",
        ));
    }
    let usable = packages
        .iter()
        .find(|p| p.visits_left > 0 && p.valid_until >= at);
    let Some(pack) = usable else {
        let expired = packages.iter().all(|p| p.valid_until < at);
        return Err(if expired {
            refused(
                "Пакет истёк к дате записи",
                "The package has expired by the appointment date",
            )
        } else {
            refused(
                "В пакете не осталось посещений",
                "The package has no visits left",
            )
        });
    };
    let taken = client_package::Entity::update_many()
        .col_expr(
            client_package::Column::VisitsLeft,
            Expr::col(client_package::Column::VisitsLeft).sub(1),
        )
        .filter(client_package::Column::Id.eq(pack.id))
        .filter(client_package::Column::VisitsLeft.gt(0))
        .exec(txn)
        .await?;
    if taken.rows_affected == 0 {
        return Err(refused(
            "В пакете не осталось посещений",
            "The package has no visits left",
        ));
    }
    Ok(pack.id)
}

/// The time an appointment claims: the specialist and, when it has one, the room, both for
/// the service time with its buffers.
pub fn wants(
    specialist_id: i64,
    resource_id: Option<i64>,
    blocked: (chrono::DateTime<Utc>, chrono::DateTime<Utc>),
) -> Vec<Want> {
    let mut out = vec![Want {
        specialist_id: Some(specialist_id),
        resource_id: None,
        from: blocked.0,
        to: blocked.1,
    }];
    if let Some(room) = resource_id {
        out.push(Want {
            specialist_id: None,
            resource_id: Some(room),
            from: blocked.0,
            to: blocked.1,
        });
    }
    out
}

#[derive(Debug, Serialize, Deserialize)]
struct Confirmed {
    appointment_id: i64,
}

/// Confirms a hold. `key` makes a retried confirmation answer with the first one's appointment.
pub async fn confirm(
    state: &AppState,
    caller: &Caller,
    token: &str,
    spec: ConfirmSpec,
    key: Option<&str>,
) -> AppResult<appointment::Model> {
    let claim = match key {
        Some(k) => Some(Claim::new(
            k,
            "appointment.confirm",
            &json!({ "token": token, "spec": spec }),
        )?),
        None => None,
    };
    if let Some(claim) = &claim
        && let Some(done) = claim.earlier::<_, Confirmed>(&state.db).await?
    {
        return get(&state.db, done.appointment_id).await;
    }
    // Confirmations of one hold take turns in this process; once one has booked it, the rest
    // are answered without touching the database.
    let mut turn = state
        .hold_gate
        .enter(&format!("confirm:{}", token.trim()))
        .await;
    if *turn {
        if let Some(claim) = &claim
            && let Some(done) = claim.earlier::<_, Confirmed>(&state.db).await?
        {
            return get(&state.db, done.appointment_id).await;
        }
        return Err(hold::expired());
    }
    let held = hold::claim(state, caller, token).await?;
    let row = write(state, caller, &held, &spec, claim.as_ref()).await?;
    hold::consume(state, &held.token).await?;
    *turn = true;
    drop(turn);
    live::announce(state, hold::event(SlotChange::Booked, &held.slot)).await;
    Ok(row)
}

/// Writes the appointment of a hold read earlier. The hold must still be live when the write
/// commits; and whatever the holds say, the database refuses time already booked.
pub async fn write(
    state: &AppState,
    caller: &Caller,
    held: &Held,
    spec: &ConfirmSpec,
    claim: Option<&Claim>,
) -> AppResult<appointment::Model> {
    if !(0..=100).contains(&spec.discount_percent) {
        return Err(AppError::validation(
            "input.discountPercent",
            "скидка — от 0 до 100 %",
            "a discount is 0 to 100 %",
        ));
    }
    let note = text::optional("input.note", spec.note.as_deref(), 1000)?;
    let slot = &held.slot;
    let svc = catalog::service(&state.db, slot.service_id).await?;
    let client = clients::get(&state.db, spec.client_id).await?;
    if client.merged_into_id.is_some() || !client.active {
        return Err(AppError::validation(
            "input.clientId",
            "клиент неактивен или объединён с другим",
            "the client is inactive or merged into another",
        ));
    }
    let by_package = spec.payment == AppointmentPayment::Package;
    let cost = price(
        svc.price,
        client.discount_percent,
        spec.discount_percent,
        by_package,
    );
    let wanted = wants(
        slot.specialist_id,
        slot.resource_id,
        (slot.blocked_from, slot.blocked_to),
    );
    let now = state.clock.now();
    let _turn = state.write_turn().await;
    let txn = state.db.begin().await?;
    if claims::clashes(&txn, &wanted, None).await? {
        return Err(hold::taken());
    }
    let package_id = if by_package {
        Some(
            use_visit(
                &txn,
                client.id,
                svc.id,
                spec.client_package_id,
                slot.starts_at,
            )
            .await?,
        )
    } else {
        None
    };
    let paid = if spec.payment == AppointmentPayment::Wallet && cost.total > 0 {
        let op = ledger::Operation::Pay {
            client_id: Some(client.id),
            amount: cost.total,
            method: PaymentMethod::Wallet,
            purpose: format!("Запись: {}", svc.name),
        };
        ledger::write(&txn, caller, &op, now).await?;
        cost.total
    } else {
        0
    };
    let row = appointment::ActiveModel {
        location_id: Set(slot.location_id),
        service_id: Set(svc.id),
        specialist_id: Set(slot.specialist_id),
        resource_id: Set(slot.resource_id),
        client_id: Set(client.id),
        starts_at: Set(slot.starts_at),
        ends_at: Set(slot.ends_at),
        status: Set(AppointmentStatus::Booked),
        payment: Set(spec.payment),
        client_package_id: Set(package_id),
        price: Set(cost.list),
        client_discount_percent: Set(cost.client_discount_percent),
        discount_percent: Set(cost.discount_percent),
        total: Set(cost.total),
        paid: Set(paid),
        refunded: Set(0),
        code: Set(new_code()),
        note: Set(note),
        cancel_reason: Set(None),
        created_by: Set(caller.actor.user_id()),
        created_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    claims::take(&txn, Owner::Appointment(row.id), &wanted).await?;
    if let Some(claim) = claim
        && !claim
            .remember(
                &txn,
                &Confirmed {
                    appointment_id: row.id,
                },
            )
            .await?
    {
        txn.rollback().await?;
        let done = claim.winner::<_, Confirmed>(&state.db).await?;
        return get(&state.db, done.appointment_id).await;
    }
    audit::record(
        &txn,
        caller,
        "appointment.confirm",
        "appointment",
        Some(row.id),
        json!({
            "clientId": client.id, "specialistId": row.specialist_id, "resourceId": row.resource_id,
            "startsAt": row.starts_at, "payment": row.payment, "total": Money(cost.total).to_string(),
            "packageId": package_id,
        }),
    )
    .await?;
    // A hold that ran out while this request waited gives way to whoever holds the time now.
    if state.holds.get(&held.token).await?.is_none() {
        txn.rollback().await?;
        return Err(hold::expired());
    }
    txn.commit().await.map_err(claims::db)?;
    Ok(row)
}

/// Turns a status of a booked appointment into another; `None` when it was no longer booked.
pub async fn close<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    status: AppointmentStatus,
    now: chrono::DateTime<Utc>,
) -> AppResult<bool> {
    let done = appointment::Entity::update_many()
        .col_expr(appointment::Column::Status, Expr::value(status))
        .col_expr(appointment::Column::ClosedAt, Expr::value(now))
        .col_expr(appointment::Column::UpdatedAt, Expr::value(now))
        .filter(appointment::Column::Id.eq(id))
        .filter(appointment::Column::Status.eq(AppointmentStatus::Booked))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

pub fn not_booked(row: &appointment::Model) -> AppError {
    AppError::Conflict(Msg::new(
        format!("Запись {} уже закрыта", row.id),
        format!("Appointment {} is no longer booked", row.id),
    ))
}

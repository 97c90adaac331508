//! Confirming a held slot into an appointment: the price and its discounts, the payment (from
//! the wallet, with a package visit, or at the venue), and the time claimed on the specialist
//! and the room. The database has the last word on overlaps.

use chrono::Utc;
use entity::{
    appointment, client, client_package,
    enums::{AppointmentPayment, AppointmentStatus, PaymentKind, PaymentMethod},
};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait},
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    catalog,
    claims::{self, Owner, Want},
    hold::{self, Held},
    live::SlotChange,
};
use crate::{
    auth::actor::Caller,
    billing::{idempotency::Claim, ledger},
    clients::service as clients,
    domain::{Money, Phone, text},
    error::{AppError, AppResult, Msg},
    events::domain::AppointmentEvent,
    state::AppState,
    write::Tx,
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

/// Who an appointment is for.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Booker {
    /// A client record: picked by staff, or the signed-in client themselves.
    Client(i64),
    /// A visitor of the public page: the client with this phone, or a new one with this name.
    Visitor {
        name: String,
        #[serde(serialize_with = "e164")]
        phone: Phone,
    },
}

fn e164<S: serde::Serializer>(phone: &Phone, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(phone.as_str())
}

impl Booker {
    /// The client record, found or made in the unit of work of the booking.
    async fn client(&self, tx: &Tx<'_>) -> AppResult<client::Model> {
        let (name, phone) = match self {
            Booker::Client(id) => return clients::get(tx.db(), *id).await,
            Booker::Visitor { name, phone } => (name, phone),
        };
        let contact = clients::Contact {
            name,
            phone,
            source: None,
        };
        clients::find_or_create(tx, contact, "booking").await
    }
}

/// What the confirming side adds to a hold.
#[derive(Debug, Clone, Serialize)]
pub struct ConfirmSpec {
    /// Named `client_id` in an idempotency key's fingerprint, as it was before visitors.
    #[serde(rename = "client_id")]
    pub client: Booker,
    pub payment: AppointmentPayment,
    pub client_package_id: Option<i64>,
    pub discount_percent: i32,
    pub note: Option<String>,
    /// The visitor agreed to be contacted: kept on the client as `contactConsentAt`. Not
    /// part of a retry's fingerprint.
    #[serde(skip)]
    pub consent: bool,
}

impl ConfirmSpec {
    fn check(&self) -> AppResult<ConfirmSpec> {
        if !(0..=100).contains(&self.discount_percent) {
            return Err(AppError::validation(
                "input.discountPercent",
                "скидка — от 0 до 100 %",
                "a discount is 0 to 100 %",
            ));
        }
        Ok(ConfirmSpec {
            note: text::optional("input.note", self.note.as_deref(), 1000)?,
            ..self.clone()
        })
    }
}

fn refused(ru: &str, en: &str) -> AppError {
    AppError::conflict(ru, en)
}

/// Takes one visit of a client's package for a service on `at`.
async fn use_visit<C: ConnectionTrait>(
    conn: &C,
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
        .all(conn)
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
        .exec(conn)
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

/// What an idempotency key remembers of a confirmation.
#[derive(Debug, Serialize, Deserialize)]
struct Confirmed {
    appointment_id: i64,
}

/// Confirms a hold in one unit of work. `key` makes a retried confirmation answer with the
/// first one's appointment, also once the hold is gone.
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
    let spec = &spec.check()?;
    let token = token.trim();
    // Confirmations of one hold take turns in this process; once one has booked it, the rest
    // are refused without touching the database, unless a key asks for its stored answer.
    let mut turn = state.hold_gate.enter(&format!("confirm:{token}")).await;
    if *turn && claim.is_none() {
        return Err(hold::expired());
    }
    let row = match &claim {
        None => {
            state
                .write(caller, |tx| {
                    Box::pin(async move {
                        let held = hold::claim(state, tx.caller(), token).await?;
                        book(state, tx, &held, spec).await
                    })
                })
                .await?
        }
        Some(claim) => {
            let done = state
                .write_once(caller, claim, |tx| {
                    Box::pin(async move {
                        let held = hold::claim(state, tx.caller(), token).await?;
                        let row = book(state, tx, &held, spec).await?;
                        Ok(Confirmed {
                            appointment_id: row.id,
                        })
                    })
                })
                .await?;
            get(&state.db, done.appointment_id).await?
        }
    };
    if !*turn {
        hold::consume(state, token).await?;
        *turn = true;
    }
    Ok(row)
}

/// Writes the appointment of a hold read earlier, in a unit of work of its own. The hold must
/// still be live when the write commits; and whatever the holds say, the database refuses
/// time already booked.
pub async fn write(
    state: &AppState,
    caller: &Caller,
    held: &Held,
    spec: &ConfirmSpec,
) -> AppResult<appointment::Model> {
    let spec = &spec.check()?;
    state
        .write(caller, |tx| Box::pin(book(state, tx, held, spec)))
        .await
}

/// The booking of a hold inside a unit of work: the client, the price, the payment, the
/// appointment and its claimed time, its audit row and its slot event.
async fn book(
    state: &AppState,
    tx: &Tx<'_>,
    held: &Held,
    spec: &ConfirmSpec,
) -> AppResult<appointment::Model> {
    let slot = &held.slot;
    let svc = catalog::service(tx.db(), slot.service_id).await?;
    let client = spec.client.client(tx).await?;
    if client.merged_into_id.is_some() || !client.active {
        return Err(AppError::validation(
            "input.clientId",
            "клиент неактивен или объединён с другим",
            "the client is inactive or merged into another",
        ));
    }
    if spec.consent && client.contact_consent_at.is_none() {
        client::Entity::update_many()
            .col_expr(
                client::Column::ContactConsentAt,
                sea_orm::sea_query::Expr::value(tx.now()),
            )
            .filter(client::Column::Id.eq(client.id))
            .exec(tx.db())
            .await?;
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
    if claims::clashes(tx.db(), &wanted, None).await? {
        return Err(hold::taken());
    }
    let package_id = if by_package {
        Some(
            use_visit(
                tx.db(),
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
            kind: PaymentKind::Appointment,
        };
        ledger::write(tx, &op, Some(slot.location_id)).await?;
        cost.total
    } else {
        0
    };
    let now = tx.now();
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
        note: Set(spec.note.clone()),
        cancel_reason: Set(None),
        created_by: Set(tx.caller().actor.user_id()),
        created_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(tx.db())
    .await?;
    claims::take(tx.db(), Owner::Appointment(row.id), &wanted).await?;
    tx.audit(
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
    tx.emit(&hold::event(SlotChange::Booked, slot)).await?;
    tx.emit(&AppointmentEvent::Booked {
        appointment: (&row).into(),
        payment: row.payment,
        total: row.total,
    })
    .await?;
    // A hold that ran out while this request waited gives way to whoever holds the time now.
    if state.holds.get(&held.token).await?.is_none() {
        return Err(hold::expired());
    }
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

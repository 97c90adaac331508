//! The public booking page: no login, a name and a phone number, a booking code to come back
//! with, and Web Push subscriptions for reminders. Every public call counts against the
//! caller's address; staff are not counted.

use chrono::Utc;
use entity::{appointment, enums::AppointmentPayment, push_subscription};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait,
};
use serde_json::json;

use super::appointments::{self, ConfirmSpec};
use crate::auth::actor::Reach;
use crate::{
    audit,
    auth::actor::Caller,
    clients::{fields::RawFields, service as clients},
    domain::{Phone, text},
    error::{AppError, AppResult, Msg},
    state::AppState,
};

fn limited(retry: std::time::Duration) -> AppError {
    let minutes = retry.as_secs().div_ceil(60);
    AppError::RateLimited {
        msg: Msg::new(
            format!("Слишком много запросов; попробуйте через {minutes} мин."),
            format!("Too many requests; try again in {minutes} min"),
        ),
        retry_after_secs: retry.as_secs(),
    }
}

fn counted(caller: &Caller) -> bool {
    matches!(
        caller.actor.role(),
        None | Some(entity::enums::Role::Client)
    )
}

/// Counts a read of the public page (catalogue, slots).
pub fn limit_read(state: &AppState, caller: &Caller) -> AppResult<()> {
    if !counted(caller) {
        return Ok(());
    }
    let address = caller.address.as_deref().unwrap_or("unknown");
    state
        .public_limiter
        .hit(
            &format!("booking-read:{address}"),
            state.settings.public_reads_per_address_per_hour,
        )
        .map_err(limited)
}

/// Counts a write of the public page (holds, confirmations, cancellations, subscriptions).
pub fn limit_write(state: &AppState, caller: &Caller) -> AppResult<()> {
    if !counted(caller) {
        return Ok(());
    }
    let address = caller.address.as_deref().unwrap_or("unknown");
    state
        .public_limiter
        .hit(
            &format!("booking-write:{address}"),
            state.settings.public_writes_per_address_per_hour,
        )
        .map_err(limited)
}

/// The client with this phone, or a new one with this name.
async fn find_or_create(
    state: &AppState,
    caller: &Caller,
    name: &str,
    phone: &Phone,
) -> AppResult<i64> {
    let txn = state.db.begin().await?;
    if let Some(existing) = clients::find_by_phone(&txn, phone, None).await? {
        return Ok(existing.id);
    }
    let mut words = name.split_whitespace();
    let (first, last) = match (words.next(), words.next()) {
        (Some(a), Some(b)) => (a.to_owned(), Some(b.to_owned())),
        (Some(a), None) => (a.to_owned(), None),
        _ => (name.to_owned(), None),
    };
    let fields = RawFields {
        first_name: Some(first),
        last_name: last,
        phone: Some(phone.as_str().to_owned()),
        ..RawFields::default()
    }
    .check("input.")?;
    let created = clients::insert(&txn, caller, &fields, "booking").await?;
    txn.commit().await?;
    Ok(created.id)
}

/// Confirms a hold for a visitor: finds the client by phone or creates one; paid at the venue.
pub async fn confirm(
    state: &AppState,
    caller: &Caller,
    token: &str,
    name: &str,
    phone: &str,
    note: Option<String>,
) -> AppResult<appointment::Model> {
    limit_write(state, caller)?;
    let name = text::required("input.name", name, 200)?;
    let phone = Phone::parse("input.phone", phone)?;
    // Refuse a dead hold before a client record is made for it.
    super::hold::claim(state, caller, token).await?;
    let client_id = match caller.actor.reach()? {
        Reach::Client(id) => id,
        _ => find_or_create(state, caller, &name, &phone).await?,
    };
    let spec = ConfirmSpec {
        client_id,
        payment: AppointmentPayment::AtVenue,
        client_package_id: None,
        discount_percent: 0,
        note,
    };
    appointments::confirm(state, caller, token, spec, None).await
}

/// A booking found by its code.
pub async fn find(state: &AppState, caller: &Caller, code: &str) -> AppResult<appointment::Model> {
    limit_read(state, caller)?;
    appointments::by_code(&state.db, code).await
}

/// Cancels a booking found by its code, within the venue's cut-off.
pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    code: &str,
    reason: Option<String>,
) -> AppResult<appointment::Model> {
    limit_write(state, caller)?;
    let row = appointments::by_code(&state.db, code).await?;
    // The code is the visitor's proof; they act as its client, never as staff.
    super::lifecycle::cancel(state, caller, Reach::Client(row.client_id), row.id, reason).await
}

/// Stores a browser's Web Push subscription for the client of a booking code, or for the
/// signed-in client. The same endpoint again replaces its keys.
pub async fn save_push(
    state: &AppState,
    caller: &Caller,
    code: Option<&str>,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
) -> AppResult<push_subscription::Model> {
    limit_write(state, caller)?;
    let endpoint = text::required("input.endpoint", endpoint, 1000)?;
    if !endpoint.starts_with("https://") {
        return Err(AppError::validation(
            "input.endpoint",
            "адрес подписки должен начинаться с https://",
            "the endpoint must start with https://",
        ));
    }
    let p256dh = text::required("input.p256dh", p256dh, 200)?;
    let auth = text::required("input.auth", auth, 100)?;
    let client_id = match (code, caller.actor.reach()?) {
        (Some(code), _) => appointments::by_code(&state.db, code).await?.client_id,
        (None, Reach::Client(id)) => id,
        (None, _) => {
            return Err(AppError::validation(
                "input.bookingCode",
                "укажите код записи",
                "give the booking code",
            ));
        }
    };
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let existing = push_subscription::Entity::find()
        .filter(push_subscription::Column::Endpoint.eq(endpoint.clone()))
        .one(&txn)
        .await?;
    let saved = match existing {
        Some(row) => {
            let mut model: push_subscription::ActiveModel = row.into();
            model.client_id = Set(client_id);
            model.p256dh = Set(p256dh);
            model.auth = Set(auth);
            model.update(&txn).await?
        }
        None => {
            push_subscription::ActiveModel {
                client_id: Set(client_id),
                endpoint: Set(endpoint),
                p256dh: Set(p256dh),
                auth: Set(auth),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    audit::record(
        &txn,
        caller,
        "push.subscribe",
        "client",
        Some(client_id),
        json!({ "subscriptionId": saved.id }),
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

//! The public booking page: no login, a name and a phone number, a booking code to come back
//! with, and Web Push subscriptions for reminders. Every public call counts against the
//! caller's address, or a signed-in client's login; staff are not counted.

use entity::{appointment, enums::AppointmentPayment, push_subscription};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::appointments::{self, Booker, ConfirmSpec};
use crate::auth::actor::Reach;
use crate::{
    auth::actor::Caller,
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

/// Whom a public call counts against: a signed-in client by their login (many clients reach
/// the API from the bot's one address), anyone else by their address.
fn counted_as(caller: &Caller) -> String {
    match caller.actor.user_id() {
        Some(id) => format!("user:{id}"),
        None => caller.address.as_deref().unwrap_or("unknown").to_owned(),
    }
}

/// Counts a read of the public page (catalogue, slots).
pub fn limit_read(state: &AppState, caller: &Caller) -> AppResult<()> {
    if !counted(caller) {
        return Ok(());
    }
    let address = counted_as(caller);
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
    let address = counted_as(caller);
    state
        .public_limiter
        .hit(
            &format!("booking-write:{address}"),
            state.settings.public_writes_per_address_per_hour,
        )
        .map_err(limited)
}

/// What a visitor of the public page gives to confirm a hold.
pub struct VisitorDetails<'a> {
    pub name: &'a str,
    pub phone: &'a str,
    pub note: Option<String>,
    /// They agreed to be contacted about the booking.
    pub consent: bool,
}

/// Confirms a hold for a visitor, paid at the venue: a signed-in client books for
/// themselves, anyone else as the client with this phone (made in the same unit of work when
/// there is none). `key` makes a retried confirmation answer with the first one's booking.
pub async fn confirm(
    state: &AppState,
    caller: &Caller,
    token: &str,
    visitor: VisitorDetails<'_>,
    key: Option<&str>,
) -> AppResult<appointment::Model> {
    limit_write(state, caller)?;
    let VisitorDetails {
        name,
        phone,
        note,
        consent,
    } = visitor;
    let name = text::required("input.name", name, 200)?;
    let phone = Phone::parse("input.phone", phone)?;
    let client = match caller.actor.reach()? {
        Reach::Client(id) => Booker::Client(id),
        _ => Booker::Visitor { name, phone },
    };
    let spec = ConfirmSpec {
        client,
        payment: AppointmentPayment::AtVenue,
        client_package_id: None,
        discount_percent: 0,
        note,
        consent,
    };
    appointments::confirm(state, caller, token, spec, key).await
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

/// Moves a booking found by its code to another free time, within the venue's cut-off.
pub async fn reschedule(
    state: &AppState,
    caller: &Caller,
    code: &str,
    starts_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<appointment::Model> {
    limit_write(state, caller)?;
    let row = appointments::by_code(&state.db, code).await?;
    super::lifecycle::reschedule(
        state,
        caller,
        Reach::Client(row.client_id),
        row.id,
        starts_at,
        None,
    )
    .await
}

/// Removes a browser's Web Push subscription; the endpoint, known only to that browser, is
/// the proof. True when there was one.
pub async fn delete_push(state: &AppState, caller: &Caller, endpoint: &str) -> AppResult<bool> {
    limit_write(state, caller)?;
    let endpoint = text::required("endpoint", endpoint, 1000)?;
    let endpoint = &endpoint;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let Some(row) = push_subscription::Entity::find()
                    .filter(push_subscription::Column::Endpoint.eq(endpoint.clone()))
                    .one(tx.db())
                    .await?
                else {
                    return Ok(false);
                };
                push_subscription::Entity::delete_by_id(row.id)
                    .exec(tx.db())
                    .await?;
                tx.audit(
                    "push.unsubscribe",
                    "client",
                    Some(row.client_id),
                    json!({ "subscriptionId": row.id }),
                )
                .await?;
                Ok(true)
            })
        })
        .await
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
    let (endpoint, p256dh, auth) = (&endpoint, &p256dh, &auth);
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let existing = push_subscription::Entity::find()
                    .filter(push_subscription::Column::Endpoint.eq(endpoint.clone()))
                    .one(tx.db())
                    .await?;
                let saved = match existing {
                    Some(row) => {
                        let mut model: push_subscription::ActiveModel = row.into();
                        model.client_id = Set(client_id);
                        model.p256dh = Set(p256dh.clone());
                        model.auth = Set(auth.clone());
                        model.update(tx.db()).await?
                    }
                    None => {
                        push_subscription::ActiveModel {
                            client_id: Set(client_id),
                            endpoint: Set(endpoint.clone()),
                            p256dh: Set(p256dh.clone()),
                            auth: Set(auth.clone()),
                            created_at: Set(tx.now()),
                            ..Default::default()
                        }
                        .insert(tx.db())
                        .await?
                    }
                };
                tx.audit(
                    "push.subscribe",
                    "client",
                    Some(client_id),
                    json!({ "subscriptionId": saved.id }),
                )
                .await?;
                Ok(saved)
            })
        })
        .await
}

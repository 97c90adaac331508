//! Who each event is for: the recipients of an outbox event, or none.

use entity::{enums::Role, outbox_event, specialist, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;

use super::engine::{Draft, Recipient, SIGN_IN_CODE, TELEGRAM};
use crate::error::AppResult;

/// The roles told of a new lead.
const LEAD_READERS: &[Role] = &[Role::Manager, Role::Admin];

fn id_at(payload: &Value, path: &[&str]) -> Option<i64> {
    let mut at = payload;
    for key in path {
        at = at.get(key)?;
    }
    at.as_i64()
}

/// The message an event makes, if anybody is to hear of it.
pub async fn draft<C: ConnectionTrait>(
    conn: &C,
    event: &outbox_event::Model,
) -> AppResult<Option<Draft>> {
    let payload = &event.payload;
    let mut only: Option<&'static [&'static str]> = None;
    let recipients = match event.kind.as_str() {
        "appointment.booked" | "appointment.changed" | "appointment.cancelled" => {
            let mut to = Vec::new();
            if let Some(client) = id_at(payload, &["appointment", "client_id"]) {
                to.push(Recipient::Client(client));
            }
            if let Some(specialist_id) = id_at(payload, &["appointment", "specialist_id"])
                && let Some(user_id) = specialist::Entity::find_by_id(specialist_id)
                    .one(conn)
                    .await?
                    .and_then(|s| s.user_id)
            {
                to.push(Recipient::User(user_id));
            }
            to
        }
        "lead.received" => user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::Role.is_in(LEAD_READERS.iter().copied()))
            .filter(user::Column::Active.eq(true))
            .into_tuple::<i64>()
            .all(conn)
            .await?
            .into_iter()
            .map(Recipient::User)
            .collect(),
        "session.ending" | "session.ended" => id_at(payload, &["session", "client_id"])
            .map(Recipient::Client)
            .into_iter()
            .collect(),
        "class_session.place_offered" | "membership.renewed" => id_at(payload, &["client_id"])
            .map(Recipient::Client)
            .into_iter()
            .collect(),
        "payment.taken" => id_at(payload, &["client_id"])
            .map(Recipient::Client)
            .into_iter()
            .collect(),
        SIGN_IN_CODE => {
            only = Some(&[TELEGRAM]);
            id_at(payload, &["clientId"])
                .map(Recipient::Client)
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    };
    if recipients.is_empty() {
        return Ok(None);
    }
    Ok(Some(Draft {
        source_key: format!("event:{}", event.id),
        kind: event.kind.clone(),
        location_id: event.location_id,
        payload: payload.clone(),
        occurred_at: event.occurred_at,
        recipients,
        only,
    }))
}

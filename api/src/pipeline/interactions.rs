//! Interactions and the contact log; next-contact dates and the list of who is due.

use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use entity::{
    client,
    enums::{ContactChannel, Direction, InteractionKind},
    interaction,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::{
    auth::actor::Caller,
    clients::service as clients,
    domain::{Timezone, text},
    error::{AppError, AppResult},
    pagination::{Page, PageInfo, fetch_page},
    state::AppState,
    venue::organisation,
    write::Tx,
};

#[derive(Clone)]
pub struct NewInteraction {
    pub client_id: i64,
    pub kind: InteractionKind,
    pub channel: Option<ContactChannel>,
    pub direction: Option<Direction>,
    pub text: String,
    pub at: Option<DateTime<Utc>>,
    /// Also set the next contact date (for the caller, or `next_contact_user_id`).
    pub next_contact_at: Option<DateTime<Utc>>,
    pub next_contact_user_id: Option<i64>,
}

/// Records an interaction inside the caller's transaction and keeps the client's last-contact
/// time up to date.
pub async fn record_in(
    tx: &Tx<'_>,
    client: &client::Model,
    new: &NewInteraction,
) -> AppResult<interaction::Model> {
    let (conn, caller, now) = (tx.db(), tx.caller(), tx.now());
    let text = text::required("input.text", &new.text, 5000)?;
    let at = new.at.unwrap_or(now);
    if at > now + chrono::Duration::minutes(5) {
        return Err(AppError::validation(
            "input.at",
            "время контакта в будущем",
            "the contact time is in the future",
        ));
    }
    let row = interaction::ActiveModel {
        client_id: Set(client.id),
        kind: Set(new.kind),
        channel: Set(new.channel),
        direction: Set(new.direction),
        text: Set(text),
        at: Set(at),
        author_user_id: Set(caller.actor.user_id()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let mut model: client::ActiveModel = client.clone().into();
    // An internal note is not a contact with the client.
    if new.kind != InteractionKind::Note && client.last_contact_at.is_none_or(|last| last < at) {
        model.last_contact_at = Set(Some(at));
    }
    if new.kind == InteractionKind::Visit && client.last_visit_at.is_none_or(|last| last < at) {
        model.last_visit_at = Set(Some(at));
    }
    if let Some(next) = new.next_contact_at {
        model.next_contact_at = Set(Some(next));
        model.next_contact_user_id = Set(new.next_contact_user_id.or(caller.actor.user_id()));
    }
    model.updated_at = Set(now);
    model.update(conn).await?;
    tx.audit(
        "interaction.create",
        "client",
        Some(client.id),
        json!({ "interaction": row.id, "kind": row.kind, "channel": row.channel, "direction": row.direction }),
    )
    .await?;
    Ok(row)
}

pub async fn record(
    state: &AppState,
    caller: &Caller,
    new: NewInteraction,
) -> AppResult<interaction::Model> {
    state
        .write(caller, |tx| {
            let new = new.clone();
            Box::pin(async move {
                let client = clients::get(tx.db(), new.client_id).await?;
                let row = record_in(tx, &client, &new).await?;
                Ok(row)
            })
        })
        .await
}

#[derive(Debug, Clone, Default)]
pub struct InteractionCriteria {
    pub client_id: Option<i64>,
    pub kind: Option<InteractionKind>,
    pub channel: Option<ContactChannel>,
    pub direction: Option<Direction>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub async fn list(
    state: &AppState,
    criteria: InteractionCriteria,
    page: Page,
) -> AppResult<(Vec<interaction::Model>, PageInfo)> {
    let mut select = interaction::Entity::find();
    if let Some(id) = criteria.client_id {
        select = select.filter(interaction::Column::ClientId.eq(id));
    }
    if let Some(kind) = criteria.kind {
        select = select.filter(interaction::Column::Kind.eq(kind));
    }
    if let Some(channel) = criteria.channel {
        select = select.filter(interaction::Column::Channel.eq(channel));
    }
    if let Some(direction) = criteria.direction {
        select = select.filter(interaction::Column::Direction.eq(direction));
    }
    if let Some(from) = criteria.from {
        select = select.filter(interaction::Column::At.gte(from));
    }
    if let Some(to) = criteria.to {
        select = select.filter(interaction::Column::At.lt(to));
    }
    let select = select
        .order_by_desc(interaction::Column::At)
        .order_by_desc(interaction::Column::Id);
    fetch_page(&state.db, select, page).await
}

/// Sets (or clears) when and by whom a client is to be contacted next.
pub async fn set_next_contact(
    state: &AppState,
    caller: &Caller,
    client_id: i64,
    at: Option<DateTime<Utc>>,
    user_id: Option<i64>,
) -> AppResult<client::Model> {
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let client = clients::get(tx.db(), client_id).await?;
                let mut model: client::ActiveModel = client.into();
                model.next_contact_at = Set(at);
                model.next_contact_user_id = Set(at.and(user_id.or(caller.actor.user_id())));
                model.updated_at = Set(tx.now());
                let updated = model.update(tx.db()).await?;
                tx.audit(
                    "client.next_contact",
                    "client",
                    Some(client_id),
                    json!({ "at": at, "user": updated.next_contact_user_id }),
                )
                .await?;
                Ok(updated)
            })
        })
        .await
}

/// Clients a staff member is to contact by the end of today (in the organisation's
/// timezone): overdue ones first.
pub async fn due(state: &AppState, user_id: i64) -> AppResult<(Vec<client::Model>, DateTime<Utc>)> {
    let org = organisation::get(&state.db).await?;
    let tz = Timezone::parse("timezone", &org.default_timezone)?.0;
    let now = state.clock.now();
    let today = now.with_timezone(&tz).date_naive();
    let start_of_today = tz
        .from_local_datetime(&today.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    let end_of_today = today
        .checked_add_days(Days::new(1))
        .and_then(|d| {
            tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    let rows = client::Entity::find()
        // Unowned (a lead whose stage names nobody) is everybody's.
        .filter(
            sea_orm::Condition::any()
                .add(client::Column::NextContactUserId.eq(user_id))
                .add(client::Column::NextContactUserId.is_null()),
        )
        .filter(client::Column::NextContactAt.lt(end_of_today))
        .filter(client::Column::Active.eq(true))
        .order_by_asc(client::Column::NextContactAt)
        .all(&state.db)
        .await?;
    Ok((rows, start_of_today))
}

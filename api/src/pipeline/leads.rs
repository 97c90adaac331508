//! Leads from the website, the bot and the Mini App: find or create the client, put them in
//! the first stage, keep their message.

use entity::enums::{ContactChannel, Direction, InteractionKind};
use serde_json::json;

use super::{interactions, stages};
use crate::{
    auth::actor::Caller,
    clients::service as clients,
    domain::{Phone, text},
    error::{AppError, AppResult, Msg},
    events::domain::LeadEvent,
    state::AppState,
};

#[derive(Clone)]
pub struct Lead {
    pub name: String,
    pub phone: String,
    pub source: Option<String>,
    pub comment: Option<String>,
    pub channel: Option<ContactChannel>,
}

fn limited(retry: std::time::Duration) -> AppError {
    let minutes = retry.as_secs().div_ceil(60);
    AppError::RateLimited {
        msg: Msg::new(
            format!("Слишком много заявок; попробуйте через {minutes} мин."),
            format!("Too many requests; try again in {minutes} min"),
        ),
        retry_after_secs: retry.as_secs(),
    }
}

/// Returns the client id. The answer does not say whether the client was new.
pub async fn submit(state: &AppState, caller: &Caller, lead: Lead) -> AppResult<i64> {
    let settings = &state.settings;
    let address = caller.address.as_deref().unwrap_or("unknown");
    state
        .public_limiter
        .hit(
            &format!("lead-addr:{address}"),
            settings.leads_per_address_per_hour,
        )
        .map_err(limited)?;
    let name = text::required("input.name", &lead.name, 200)?;
    let phone = Phone::parse("input.phone", &lead.phone)?;
    state
        .public_limiter
        .hit(
            &format!("lead-phone:{phone}"),
            settings.leads_per_phone_per_hour,
        )
        .map_err(limited)?;
    let comment = text::optional("input.comment", lead.comment.as_deref(), 2000)?;

    state
        .write(caller, |tx| {
            let comment = comment.clone();
            let lead = lead.clone();
            let name = name.clone();
            let phone = phone.clone();
            Box::pin(async move {
                let contact = clients::Contact {
                    name: &name,
                    phone: &phone,
                    source: lead.source.as_deref(),
                };
                let client = clients::find_or_create(tx, contact, "lead").await?;
                let client = match client.stage_id {
                    Some(_) => client,
                    None => match stages::list(tx.db()).await?.into_iter().next() {
                        Some(first) => {
                            stages::move_client_in(tx, &client, &first, Some("Заявка".into()), None)
                                .await?
                        }
                        None => client,
                    },
                };
                // A new lead is answered today: it is due now (or when it was already due,
                // if earlier) with the owner of its stage, or with everyone on the funnel.
                let now = tx.now();
                let owner = match client.stage_id {
                    Some(id) => stages::get(tx.db(), id).await?.owner_user_id,
                    None => None,
                };
                let due_at = client.next_contact_at.filter(|at| *at < now).unwrap_or(now);
                let channel = lead.channel.unwrap_or(ContactChannel::Website);
                let text = comment
                    .clone()
                    .unwrap_or_else(|| "Заявка без комментария".into());
                let new = interactions::NewInteraction {
                    client_id: client.id,
                    kind: InteractionKind::Message,
                    channel: Some(channel),
                    direction: Some(Direction::Inbound),
                    text,
                    at: None,
                    next_contact_at: Some(due_at),
                    next_contact_user_id: owner.or(client.next_contact_user_id),
                };
                interactions::record_in(tx, &client, &new).await?;
                tx.audit(
                    "lead.submit",
                    "client",
                    Some(client.id),
                    json!({ "source": lead.source }),
                )
                .await?;
                tx.emit(&LeadEvent::Received {
                    client_id: client.id,
                    name,
                    phone: phone.as_str().to_owned(),
                    source: lead.source,
                    channel,
                    comment,
                })
                .await?;
                Ok(client.id)
            })
        })
        .await
}

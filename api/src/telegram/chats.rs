//! Where each of the bot's conversations stands, kept here so a bot restart carries on. The
//! state is the bot's own JSON; the server bounds its size and keeps it.

use entity::bot_chat;
use sea_orm::{ActiveValue::Set, EntityTrait, sea_query::OnConflict};

use crate::{
    auth::actor::Caller,
    error::{AppError, AppResult},
    state::AppState,
};

/// The most a chat's state may weigh.
const MAX_STATE_BYTES: usize = 16 * 1024;

pub async fn get(state: &AppState, chat_id: i64) -> AppResult<Option<String>> {
    Ok(bot_chat::Entity::find_by_id(chat_id)
        .one(&state.db)
        .await?
        .map(|c| c.state))
}

pub async fn save(state: &AppState, caller: &Caller, chat_id: i64, json: String) -> AppResult<()> {
    if json.len() > MAX_STATE_BYTES {
        return Err(AppError::validation(
            "state",
            format!("состояние беседы больше {MAX_STATE_BYTES} байт"),
            format!("the conversation state is over {MAX_STATE_BYTES} bytes"),
        ));
    }
    if serde_json::from_str::<serde_json::Value>(&json).is_err() {
        return Err(AppError::validation(
            "state",
            "состояние беседы — не JSON",
            "the conversation state is not JSON",
        ));
    }
    let json = &json;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                bot_chat::Entity::insert(bot_chat::ActiveModel {
                    chat_id: Set(chat_id),
                    state: Set(json.clone()),
                    updated_at: Set(tx.now()),
                })
                .on_conflict(
                    OnConflict::column(bot_chat::Column::ChatId)
                        .update_columns([bot_chat::Column::State, bot_chat::Column::UpdatedAt])
                        .to_owned(),
                )
                .exec(tx.db())
                .await?;
                Ok(())
            })
        })
        .await
}

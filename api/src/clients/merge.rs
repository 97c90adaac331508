//! Folding a duplicate record into the one that stays.

use entity::{client, client_tag, interaction, stage_history};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use serde_json::json;

use super::{fields::ClientFields, service};
use crate::{
    auth::actor::Caller,
    error::{AppError, AppResult},
    state::AppState,
};

/// Moves everything of `duplicate_id` to `keep_id`: interactions, funnel history, tags, and
/// any field the kept record lacks (its deal value too). The duplicate stays, inactive,
/// pointing at the kept one.
pub async fn merge(
    state: &AppState,
    caller: &Caller,
    duplicate_id: i64,
    keep_id: i64,
) -> AppResult<client::Model> {
    if duplicate_id == keep_id {
        return Err(AppError::validation(
            "duplicateId",
            "нельзя объединить клиента с самим собой",
            "a client cannot be merged into itself",
        ));
    }
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let duplicate = service::get(tx.db(), duplicate_id).await?;
                let keep = service::get(tx.db(), keep_id).await?;
                if duplicate.merged_into_id.is_some() || keep.merged_into_id.is_some() {
                    return Err(AppError::conflict(
                        "Одна из записей уже объединена с другой",
                        "One of the records was already merged into another",
                    ));
                }
                let from = service::current_fields(tx.db(), &duplicate).await?;
                let mut into: ClientFields = service::current_fields(tx.db(), &keep).await?;

                // The kept record takes what it lacks; a second phone goes to its free slot.
                let spare_phones: Vec<_> = [from.phone.clone(), from.phone2.clone()]
                    .into_iter()
                    .flatten()
                    .filter(|p| into.phone.as_ref() != Some(p) && into.phone2.as_ref() != Some(p))
                    .collect();
                for phone in spare_phones {
                    if into.phone.is_none() {
                        into.phone = Some(phone);
                    } else if into.phone2.is_none() {
                        into.phone2 = Some(phone);
                    }
                }
                into.patronymic = into.patronymic.or(from.patronymic.clone());
                into.email = into.email.or(from.email.clone());
                into.telegram_id = into.telegram_id.or(from.telegram_id);
                into.telegram_username = into.telegram_username.or(from.telegram_username.clone());
                into.birth_date = into.birth_date.or(from.birth_date);
                into.source_id = into.source_id.or(from.source_id);
                into.notes = match (into.notes.take(), from.notes.clone()) {
                    (Some(a), Some(b)) if a != b => Some(format!("{a}\n{b}")),
                    (a, b) => a.or(b),
                };
                into.discount_percent = into.discount_percent.max(from.discount_percent);

                // Free the duplicate's phones first: a number belongs to one record.
                let mut retired: client::ActiveModel = duplicate.clone().into();
                retired.phone = Set(None);
                retired.phone2 = Set(None);
                retired.active = Set(false);
                retired.merged_into_id = Set(Some(keep_id));
                retired.updated_at = Set(tx.now());
                retired.update(tx.db()).await?;

                interaction::Entity::update_many()
                    .col_expr(interaction::Column::ClientId, Expr::value(keep_id))
                    .filter(interaction::Column::ClientId.eq(duplicate_id))
                    .exec(tx.db())
                    .await?;
                stage_history::Entity::update_many()
                    .col_expr(stage_history::Column::ClientId, Expr::value(keep_id))
                    .filter(stage_history::Column::ClientId.eq(duplicate_id))
                    .exec(tx.db())
                    .await?;
                if !from.tags.is_empty() {
                    client_tag::Entity::insert_many(from.tags.iter().map(|tag| {
                        client_tag::ActiveModel {
                            client_id: Set(keep_id),
                            tag: Set(tag.clone()),
                        }
                    }))
                    .on_conflict_do_nothing()
                    .exec_without_returning(tx.db())
                    .await?;
                    into.tags = service::tags_of(tx.db(), keep_id).await?;
                }

                let mut kept: client::ActiveModel = keep.clone().into();
                kept.last_name = Set(keep.last_name.clone());
                kept.first_name = Set(keep.first_name.clone());
                kept.patronymic = Set(into.patronymic.clone());
                kept.phone = Set(into.phone.as_ref().map(|p| p.as_str().to_owned()));
                kept.phone2 = Set(into.phone2.as_ref().map(|p| p.as_str().to_owned()));
                kept.email = Set(into.email.clone());
                kept.telegram_id = Set(into.telegram_id);
                kept.telegram_username = Set(into.telegram_username.clone());
                kept.birth_date = Set(into.birth_date);
                kept.birth_month = Set(into.birth_date.map(|d| chrono::Datelike::month(&d) as i16));
                kept.source_id = Set(into.source_id);
                kept.notes = Set(into.notes.clone());
                kept.discount_percent = Set(into.discount_percent);
                kept.display_name = Set(into.display_name());
                kept.search_text = Set(into.search_text());
                kept.last_visit_at = Set(keep.last_visit_at.max(duplicate.last_visit_at));
                kept.last_contact_at = Set(keep.last_contact_at.max(duplicate.last_contact_at));
                kept.deal_value = Set(keep.deal_value.or(duplicate.deal_value));
                kept.updated_at = Set(tx.now());
                let kept = kept.update(tx.db()).await?;
                tx.audit(
                    "client.merge",
                    "client",
                    Some(keep_id),
                    json!({ "merged": duplicate_id, "mergedName": duplicate.display_name }),
                )
                .await?;
                Ok(kept)
            })
        })
        .await
}

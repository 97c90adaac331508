//! The organisation row: created on first use with KZT and Asia/Almaty.

use entity::organisation;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::json;

use super::types::UpdateOrganisationInput;
use crate::{
    auth::actor::Caller,
    domain::{Timezone, text},
    error::{AppError, AppResult},
    state::AppState,
};

const ROW_ID: i64 = 1;
pub const DEFAULT_CURRENCY: &str = "KZT";
pub const DEFAULT_TIMEZONE: &str = "Asia/Almaty";

/// The organisation, inserting the default row on first use.
pub async fn get<C: ConnectionTrait>(conn: &C) -> AppResult<organisation::Model> {
    if let Some(row) = organisation::Entity::find_by_id(ROW_ID).one(conn).await? {
        return Ok(row);
    }
    organisation::Entity::insert(organisation::ActiveModel {
        id: Set(ROW_ID),
        name: Set("clubgrid".into()),
        currency: Set(DEFAULT_CURRENCY.into()),
        default_timezone: Set(DEFAULT_TIMEZONE.into()),
        updated_at: Set(crate::state::wall_clock()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(conn)
    .await?;
    organisation::Entity::find_by_id(ROW_ID)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::internal("organisation row missing after insert"))
}

fn currency(value: &str) -> AppResult<String> {
    let code = value.trim().to_ascii_uppercase();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(AppError::validation(
            "input.currency",
            format!("«{value}» — не трёхбуквенный код валюты ISO 4217 (например KZT)"),
            format!("`{value}` is not a three-letter ISO 4217 code (such as KZT)"),
        ))
    }
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    input: UpdateOrganisationInput,
) -> AppResult<organisation::Model> {
    state
        .write(caller, |tx| {
            let input = input.clone();
            Box::pin(async move {
                let current = get(tx.db()).await?;
                let mut model: organisation::ActiveModel = current.into();
                if let Some(name) = &input.name {
                    model.name = Set(text::required("input.name", name, 200)?);
                }
                if let Some(code) = &input.currency {
                    model.currency = Set(currency(code)?);
                }
                if let Some(tz) = &input.default_timezone {
                    model.default_timezone = Set(Timezone::parse("input.defaultTimezone", tz)?
                        .name()
                        .to_owned());
                }
                model.updated_at = Set(tx.now());
                let updated = model.update(tx.db()).await?;
                tx.audit(
                    "organisation.update",
                    "organisation",
                    Some(ROW_ID),
                    json!({ "name": updated.name, "currency": updated.currency, "defaultTimezone": updated.default_timezone }),
                )
                .await?;
                Ok(updated)
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::currency;

    #[test]
    fn currency_codes() {
        assert_eq!(currency(" kzt ").unwrap(), "KZT");
        assert!(currency("tenge").is_err());
        assert!(currency("K1T").is_err());
    }
}

//! The value a deal on a funnel card is expected to bring.

use entity::client;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::json;

use crate::{
    auth::actor::Caller,
    billing::ledger::MAX_AMOUNT,
    clients::service as clients,
    domain::Money,
    error::{AppError, AppResult},
    state::AppState,
};

/// A deal value: zero up to the largest amount a payment may be.
fn check(value: Option<i64>) -> AppResult<Option<i64>> {
    match value {
        Some(v) if !(0..=MAX_AMOUNT).contains(&v) => Err(AppError::validation(
            "value",
            format!(
                "сумма сделки — от 0 до {}, получено {}",
                Money(MAX_AMOUNT),
                Money(v)
            ),
            format!(
                "a deal value is 0 to {}, got {}",
                Money(MAX_AMOUNT),
                Money(v)
            ),
        )),
        other => Ok(other),
    }
}

/// Sets (or, with `None`, clears) what a client's deal is expected to bring.
pub async fn set_value(
    state: &AppState,
    caller: &Caller,
    client_id: i64,
    value: Option<i64>,
) -> AppResult<client::Model> {
    let value = check(value)?;
    state
        .write(caller, |tx| {
            Box::pin(async move {
                let client = clients::get(tx.db(), client_id).await?;
                if let Some(kept) = client.merged_into_id {
                    return Err(AppError::conflict(
                        format!("Клиент {client_id} объединён с {kept}: используйте его"),
                        format!("Client {client_id} was merged into {kept}: use that one"),
                    ));
                }
                if client.deal_value == value {
                    return Ok(client);
                }
                let before = client.deal_value;
                let mut model: client::ActiveModel = client.into();
                model.deal_value = Set(value);
                model.updated_at = Set(tx.now());
                let updated = model.update(tx.db()).await?;
                tx.audit(
                    "client.deal_value",
                    "client",
                    Some(client_id),
                    json!({ "from": before, "to": value }),
                )
                .await?;
                Ok(updated)
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_deal_value_is_zero_up_to_the_largest_payment() {
        assert_eq!(check(None).unwrap(), None);
        assert_eq!(check(Some(0)).unwrap(), Some(0));
        assert_eq!(check(Some(MAX_AMOUNT)).unwrap(), Some(MAX_AMOUNT));
        for bad in [-1, MAX_AMOUNT + 1, i64::MIN, i64::MAX] {
            let err = check(Some(bad)).unwrap_err();
            assert_eq!(err.code(), ErrorCode::Validation, "{bad}");
            assert!(matches!(err, AppError::Validation { ref field, .. } if field == "value"));
        }
    }
}

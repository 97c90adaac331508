//! Selling service packages to clients, and the packages a client holds.

use chrono::Duration;
use entity::{
    client_package,
    enums::{PaymentKind, PaymentMethod},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::catalog;
use crate::{
    auth::actor::Caller,
    billing::{idempotency::Claim, ledger},
    clients::service as clients,
    error::{AppError, AppResult},
    state::AppState,
};

pub async fn of_client(state: &AppState, client_id: i64) -> AppResult<Vec<client_package::Model>> {
    Ok(client_package::Entity::find()
        .filter(client_package::Column::ClientId.eq(client_id))
        .order_by_desc(client_package::Column::CreatedAt)
        .order_by_desc(client_package::Column::Id)
        .all(&state.db)
        .await?)
}

#[derive(Serialize, Deserialize)]
struct Sold {
    client_package_id: i64,
}

/// Sells a package: takes its price by `method` and starts its validity now.
pub async fn sell(
    state: &AppState,
    caller: &Caller,
    client_id: i64,
    package_id: i64,
    method: PaymentMethod,
    key: &str,
) -> AppResult<client_package::Model> {
    let claim = Claim::new(
        key,
        "package.sell",
        &json!({ "clientId": client_id, "packageId": package_id, "method": method }),
    )?;
    let pack = catalog::package(&state.db, package_id).await?;
    if !pack.active {
        return Err(AppError::validation(
            "input.packageId",
            "пакет снят с продажи",
            "the package is no longer sold",
        ));
    }
    clients::get(&state.db, client_id).await?;
    let location_id = catalog::service(&state.db, pack.service_id)
        .await?
        .location_id;
    let (claim, pack) = (&claim, &pack);
    let sold = state
        .write_once(caller, claim, |tx| {
            Box::pin(async move {
                let now = tx.now();
                let payment_id = if pack.price > 0 {
                    let op = ledger::Operation::Pay {
                        client_id: Some(client_id),
                        amount: pack.price,
                        method,
                        purpose: format!("Пакет: {}", pack.name),
                        kind: PaymentKind::Package,
                    }
                    .check()?;
                    ledger::write(tx, &op, Some(location_id))
                        .await?
                        .payment_id
                } else {
                    None
                };
                let row = client_package::ActiveModel {
                    client_id: Set(client_id),
                    package_id: Set(pack.id),
                    service_id: Set(pack.service_id),
                    visits_total: Set(pack.visits),
                    visits_left: Set(pack.visits),
                    valid_until: Set(now + Duration::days(i64::from(pack.validity_days))),
                    price: Set(pack.price),
                    payment_id: Set(payment_id),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(tx.db())
                .await?;
                tx.audit(
                    "package.sell",
                    "client",
                    Some(client_id),
                    json!({ "packageId": pack.id, "clientPackageId": row.id, "price": pack.price, "method": method }),
                )
                .await?;
                Ok(Sold {
                    client_package_id: row.id,
                })
            })
        })
        .await?;
    client_package::Entity::find_by_id(sold.client_package_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::internal("sold package vanished"))
}

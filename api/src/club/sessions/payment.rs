//! Taking what a session costs through the wallet ledger.

use entity::{
    enums::{PaymentKind, PaymentMethod},
    payment, play_session,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::{
    billing::ledger,
    domain::Money,
    error::{AppError, AppResult},
    write::Tx,
};

/// Takes `amount` for a session by `method` and links the payment to it.
pub(super) async fn charge(
    tx: &Tx<'_>,
    session: &play_session::Model,
    amount: i64,
    method: Option<PaymentMethod>,
) -> AppResult<Option<ledger::Receipt>> {
    if amount <= 0 {
        return Ok(None);
    }
    let method = method.ok_or_else(|| {
        AppError::validation(
            "input.paymentMethod",
            format!("к оплате {}: укажите способ оплаты", Money(amount)),
            format!("{} is due: give a payment method", Money(amount)),
        )
    })?;
    let op = ledger::Operation::Pay {
        client_id: session.client_id,
        amount,
        method,
        purpose: format!("Игровой сеанс {}", session.id),
        kind: PaymentKind::ClubSession,
    }
    .check()?;
    let receipt = ledger::write(tx, &op, Some(session.location_id)).await?;
    if let Some(id) = receipt.payment_id {
        payment::Entity::update_many()
            .col_expr(
                payment::Column::PlaySessionId,
                sea_orm::sea_query::Expr::value(session.id),
            )
            .filter(payment::Column::Id.eq(id))
            .exec(tx.db())
            .await?;
    }
    Ok(Some(receipt))
}

//! A cashier's shift end to end: one open shift per location, payments and cash operations
//! belonging to it, and a close whose expected and counted figures are checked by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use clubgrid_api::{
    auth::actor::Caller,
    clients::{fields::RawFields, service},
    venue::{locations, types::CreateLocationInput},
};
use clubgrid_tests::{
    Backend, TestApp, both_backends,
    clubgrid_client::{Client, ops},
};
use entity::enums::Role;

both_backends!(a_shift_from_opening_to_close);

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn pay(
    c: &Client,
    client: Option<&str>,
    amount: &str,
    method: ops::record_payment::PaymentMethod,
) {
    c.run::<ops::RecordPayment>(ops::record_payment::Variables {
        input: ops::record_payment::PaymentInput {
            client_id: client.map(Into::into),
            amount: amount.into(),
            method,
            purpose: "игра".into(),
            kind: None,
            idempotency_key: key(),
        },
    })
    .await
    .unwrap();
}

async fn a_shift_from_opening_to_close(backend: Backend) {
    use ops::record_payment::PaymentMethod::*;
    let app = TestApp::spawn(backend).await;
    let system = Caller::system();
    let location = locations::create(
        &app.state,
        &system,
        CreateLocationInput {
            name: "Клуб".into(),
            address: "Алматы".into(),
            timezone: None,
        },
    )
    .await
    .unwrap()
    .id
    .to_string();
    let fields = RawFields {
        first_name: Some("Ерлан".into()),
        phone: Some("+77071112233".into()),
        ..RawFields::default()
    }
    .check("input.")
    .unwrap();
    let client = service::create(&app.state, &system, fields).await.unwrap();
    clubgrid_api::billing::ledger::set_credit_limit(&app.state, &system, client.id, 100_000)
        .await
        .unwrap();
    let client = client.id.to_string();

    let dana = app.as_role(Role::Operator).await;
    let other = app.as_role(Role::Operator).await;
    let open = |c: &Client, cash: &str| {
        let c = c.clone();
        let vars = ops::open_shift::Variables {
            location_id: location.clone(),
            opening_cash: cash.into(),
        };
        async move { c.run::<ops::OpenShift>(vars).await }
    };
    let shift = open(&dana, "10000").await.unwrap().open_shift;
    // One open shift per location.
    let err = open(&other, "5000").await.unwrap_err();
    assert_eq!(err.code(), Some("CONFLICT"));
    let current = dana
        .run::<ops::CurrentShift>(ops::current_shift::Variables {
            location_id: location.clone(),
        })
        .await
        .unwrap()
        .current_shift
        .unwrap();
    assert_eq!(current.id, shift.id);

    // Dana's shift: a cash top-up, Kaspi and cash payments, credit, cash in and out.
    dana.run::<ops::DepositToWallet>(ops::deposit_to_wallet::Variables {
        input: ops::deposit_to_wallet::DepositInput {
            client_id: client.clone(),
            amount: "5000".into(),
            method: ops::deposit_to_wallet::PaymentMethod::CASH,
            idempotency_key: key(),
        },
    })
    .await
    .unwrap();
    pay(&dana, Some(&client), "2000", KASPI).await;
    pay(&dana, None, "1000", CASH).await;
    pay(&dana, Some(&client), "1500", WALLET).await;
    pay(&dana, Some(&client), "4000", DEBT).await;
    // Another operator without a shift: their payment belongs to no shift.
    pay(&other, None, "999", CASH).await;
    let cash_op = |out: bool, amount: &str, reason: &str| ops::record_cash_operation::Variables {
        shift_id: shift.id.clone(),
        out,
        amount: amount.into(),
        reason: reason.into(),
    };
    dana.run::<ops::RecordCashOperation>(cash_op(false, "300", "размен"))
        .await
        .unwrap();
    dana.run::<ops::RecordCashOperation>(cash_op(true, "200", "вода для зала"))
        .await
        .unwrap();
    let err = dana
        .run::<ops::RecordCashOperation>(cash_op(true, "200", " "))
        .await
        .unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("reason"));

    // By hand: cash 10000 + 5000 (top-up) + 1000 (payment) + 300 − 200 = 16100;
    // Kaspi 2000; debt 4000; four payments (the wallet payment counts, the top-up does not).
    let close = ops::close_shift::Variables {
        id: shift.id.clone(),
        input: ops::close_shift::CloseShiftInput {
            cash: "16000".into(),
            coins: "50".into(),
            kaspi: "2000".into(),
            card: "0".into(),
            debt: "4000".into(),
            comment: Some("не хватает 50".into()),
        },
    };
    let report = dana
        .run::<ops::CloseShift>(close.clone())
        .await
        .unwrap()
        .close_shift;
    let f = &report.shift_figures;
    assert_eq!(f.payments_count, 4);
    assert_eq!(
        (
            f.expected_cash.as_str(),
            f.expected_kaspi.as_str(),
            f.expected_card.as_str(),
            f.expected_debt.as_str()
        ),
        ("16100.00", "2000.00", "0.00", "4000.00")
    );
    assert_eq!(
        (f.pay_ins.as_str(), f.pay_outs.as_str()),
        ("300.00", "200.00")
    );
    assert_eq!(f.cash_difference.as_deref(), Some("-50.00"));
    assert_eq!(f.kaspi_difference.as_deref(), Some("0.00"));
    assert_eq!(f.debt_difference.as_deref(), Some("0.00"));
    assert!(report.shift.closed_at.is_some());
    // A closed shift takes nothing more, is not current, and its report stays the same.
    assert_eq!(
        dana.run::<ops::CloseShift>(close).await.unwrap_err().code(),
        Some("CONFLICT")
    );
    assert_eq!(
        dana.run::<ops::RecordCashOperation>(cash_op(false, "1", "x"))
            .await
            .unwrap_err()
            .code(),
        Some("CONFLICT")
    );
    let current = dana
        .run::<ops::CurrentShift>(ops::current_shift::Variables {
            location_id: location.clone(),
        })
        .await
        .unwrap()
        .current_shift;
    assert!(current.is_none());
    pay(&dana, None, "500", CASH).await;
    let again = dana
        .run::<ops::ShiftReport>(ops::shift_report::Variables {
            id: shift.id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(again.shift_report.shift_figures.expected_cash, "16100.00");
    // The next shift can open; history lists both; a tech sees nothing.
    open(&other, "16050").await.unwrap();
    let history = dana
        .run::<ops::Shifts>(ops::shifts::Variables {
            location_id: Some(location.clone()),
            page: None,
        })
        .await
        .unwrap();
    assert_eq!(history.shifts.page_info.total, 2);
    let tech = app.as_role(Role::Tech).await;
    let err = tech
        .run::<ops::Shifts>(ops::shifts::Variables {
            location_id: None,
            page: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    app.stop().await;
}

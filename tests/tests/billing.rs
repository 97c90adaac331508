//! Wallets and payments end to end: every operation, idempotency, limits, and a thousand
//! concurrent operations that leave each balance equal to the sum of its ledger.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use clubgrid_api::{
    auth::actor::Caller,
    clients::{fields::RawFields, service},
};
use clubgrid_tests::{
    Backend, TestApp, both_backends, client_filter,
    clubgrid_client::{Client, ClientError, ops},
};
use entity::enums::Role;
use futures_util::{StreamExt, stream};

both_backends!(
    wallet_operations_and_their_rules,
    concurrent_operations_keep_the_ledger_whole
);

async fn new_client(app: &TestApp, n: usize) -> String {
    let fields = RawFields {
        first_name: Some(format!("Игрок {n}")),
        phone: Some(format!("+7705{n:07}")),
        ..RawFields::default()
    }
    .check("input.")
    .unwrap();
    service::create(&app.state, &Caller::system(), fields)
        .await
        .unwrap()
        .id
        .to_string()
}

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn deposit(
    c: &Client,
    client: &str,
    amount: &str,
    key: &str,
) -> Result<ops::deposit_to_wallet::ResponseData, ClientError> {
    c.run::<ops::DepositToWallet>(ops::deposit_to_wallet::Variables {
        input: ops::deposit_to_wallet::DepositInput {
            client_id: client.into(),
            amount: amount.into(),
            method: ops::deposit_to_wallet::PaymentMethod::CASH,
            idempotency_key: key.into(),
        },
    })
    .await
}

async fn pay(
    c: &Client,
    client: Option<&str>,
    amount: &str,
    method: ops::record_payment::PaymentMethod,
    key: &str,
) -> Result<ops::record_payment::RecordPaymentRecordPayment, ClientError> {
    c.run::<ops::RecordPayment>(ops::record_payment::Variables {
        input: ops::record_payment::PaymentInput {
            client_id: client.map(Into::into),
            amount: amount.into(),
            method,
            purpose: "3 часа, зона VIP".into(),
            kind: None,
            idempotency_key: key.into(),
        },
    })
    .await
    .map(|r| r.record_payment)
}

async fn wallet(c: &Client, client: &str) -> ops::wallet::WalletWallet {
    c.run::<ops::Wallet>(ops::wallet::Variables {
        client_id: client.into(),
    })
    .await
    .unwrap()
    .wallet
}

async fn wallet_operations_and_their_rules(backend: Backend) {
    use ops::record_payment::PaymentMethod::*;
    let app = TestApp::spawn(backend).await;
    let operator = app.as_role(Role::Operator).await;
    let manager = app.as_role(Role::Manager).await;
    let anna = new_client(&app, 1).await;

    let first = deposit(&operator, &anna, "5000", "deposit-0001")
        .await
        .unwrap()
        .deposit_to_wallet;
    assert_eq!(first.balance.as_deref(), Some("5000.00"));
    // The same key again does nothing more and answers the same.
    let again = deposit(&operator, &anna, "5000", "deposit-0001")
        .await
        .unwrap()
        .deposit_to_wallet;
    assert_eq!(again, first);
    assert_eq!(wallet(&operator, &anna).await.balance, "5000.00");
    // The same key with other input is refused.
    let err = deposit(&operator, &anna, "7000", "deposit-0001")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("CONFLICT"));
    let err = deposit(&operator, &anna, "100", "short").await.unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("idempotencyKey"));
    let err = deposit(&operator, &anna, "-5", &key()).await.unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("input.amount"));
    let err = deposit(&operator, &anna, "1.234", &key())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("VALIDATION"));

    // From the wallet: within the balance only.
    let paid = pay(&operator, Some(&anna), "1500.50", WALLET, &key())
        .await
        .unwrap();
    assert_eq!(paid.balance.as_deref(), Some("3499.50"));
    assert!(paid.payment_id.is_some() && paid.entry_id.is_some());
    let err = pay(&operator, Some(&anna), "4000", WALLET, &key())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("INSUFFICIENT_FUNDS"));
    // Kaspi does not touch the wallet; a walk-in guest pays cash without a client.
    let kaspi = pay(&operator, Some(&anna), "2000", KASPI, &key())
        .await
        .unwrap();
    assert_eq!(
        (kaspi.entry_id, kaspi.balance.as_deref()),
        (None, Some("3499.50"))
    );
    let guest = pay(&operator, None, "700", CASH, &key()).await.unwrap();
    assert!(guest.client_id.is_none() && guest.payment_id.is_some());
    let err = pay(&operator, None, "700", WALLET, &key())
        .await
        .unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("input.clientId"));

    // On credit: refused without a limit, allowed within one.
    let err = pay(&operator, Some(&anna), "5000", DEBT, &key())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("INSUFFICIENT_FUNDS"));
    let err = operator
        .run::<ops::SetCreditLimit>(ops::set_credit_limit::Variables {
            client_id: anna.clone(),
            limit: "2000".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    manager
        .run::<ops::SetCreditLimit>(ops::set_credit_limit::Variables {
            client_id: anna.clone(),
            limit: "2000".into(),
        })
        .await
        .unwrap();
    let debt = pay(&operator, Some(&anna), "5000", DEBT, &key())
        .await
        .unwrap();
    assert_eq!(debt.balance.as_deref(), Some("-1500.50"));
    let w = wallet(&operator, &anna).await;
    assert_eq!(
        (w.balance.as_str(), w.debt.as_str(), w.credit_limit.as_str()),
        ("-1500.50", "1500.50", "2000.00")
    );
    let err = operator
        .run::<ops::WithdrawFromWallet>(ops::withdraw_from_wallet::Variables {
            input: ops::withdraw_from_wallet::WithdrawInput {
                client_id: anna.clone(),
                amount: "600".into(),
                method: ops::withdraw_from_wallet::PaymentMethod::CASH,
                reason: None,
                idempotency_key: key(),
            },
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("INSUFFICIENT_FUNDS"));

    // A deposit repays the debt; refunds and corrections move the balance with a reason.
    deposit(&operator, &anna, "1500.50", &key()).await.unwrap();
    let refund = operator
        .run::<ops::RefundToWallet>(ops::refund_to_wallet::Variables {
            input: ops::refund_to_wallet::RefundInput {
                client_id: anna.clone(),
                amount: "300".into(),
                reason: "ПК завис, вернули час".into(),
                idempotency_key: key(),
            },
        })
        .await
        .unwrap()
        .refund_to_wallet;
    assert_eq!(refund.balance.as_deref(), Some("300.00"));
    let correct = |amount: &str, reason: &str| ops::correct_wallet::Variables {
        input: ops::correct_wallet::CorrectionInput {
            client_id: anna.clone(),
            amount: amount.into(),
            reason: reason.into(),
            idempotency_key: key(),
        },
    };
    assert_eq!(
        operator
            .run::<ops::CorrectWallet>(correct("-300", "ошибка"))
            .await
            .unwrap_err()
            .code(),
        Some("FORBIDDEN")
    );
    let err = manager
        .run::<ops::CorrectWallet>(correct("-300", " "))
        .await
        .unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("input.reason"));
    let corrected = manager
        .run::<ops::CorrectWallet>(correct("-300", "двойная запись"))
        .await
        .unwrap()
        .correct_wallet;
    assert_eq!(corrected.balance.as_deref(), Some("0.00"));

    // The client carries the same figures; the ledger holds every line.
    let c = operator
        .run::<ops::ClientBalance>(ops::client_balance::Variables { id: anna.clone() })
        .await
        .unwrap()
        .client;
    assert_eq!((c.balance.as_str(), c.debt.as_str()), ("0.00", "0.00"));
    let entries = operator
        .run::<ops::WalletEntries>(ops::wallet_entries::Variables {
            client_id: anna.clone(),
            page: Some(ops::wallet_entries::PageInput {
                limit: Some(100),
                offset: None,
            }),
        })
        .await
        .unwrap()
        .wallet_entries;
    // deposit, wallet payment, debt payment, deposit, refund, correction
    assert_eq!(entries.page_info.total, 6);
    let tech = app.as_role(Role::Tech).await;
    assert_eq!(
        deposit(&tech, &anna, "10", &key())
            .await
            .unwrap_err()
            .code(),
        Some("FORBIDDEN")
    );

    // The client list filters on debt: Boris owes, Anna is square.
    let boris = new_client(&app, 2).await;
    manager
        .run::<ops::SetCreditLimit>(ops::set_credit_limit::Variables {
            client_id: boris.clone(),
            limit: "1000".into(),
        })
        .await
        .unwrap();
    pay(&operator, Some(&boris), "400", DEBT, &key())
        .await
        .unwrap();
    let with_debt = |has_debt: bool| ops::clients::Variables {
        filter: Some(ops::clients::ClientFilter {
            has_debt: Some(has_debt),
            ..client_filter()
        }),
        sort: None,
        page: None,
    };
    let owing = operator
        .run::<ops::Clients>(with_debt(true))
        .await
        .unwrap()
        .clients
        .items;
    let owing: Vec<_> = owing.into_iter().map(|c| c.id).collect();
    assert_eq!(owing, vec![boris.clone()]);
    let square = operator
        .run::<ops::Clients>(with_debt(false))
        .await
        .unwrap()
        .clients
        .items;
    assert!(square.iter().any(|c| c.id == anna));
    assert!(square.iter().all(|c| c.id != boris));
    app.stop().await;
}

/// Amount in minor units of a successful operation, as the ledger should have it.
fn effect(kind: usize, amount: i64) -> i64 {
    match kind {
        0 | 3 => amount,
        _ => -amount,
    }
}

async fn concurrent_operations_keep_the_ledger_whole(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let operator = app.as_role(Role::Operator).await;
    let mut wallets = Vec::new();
    for n in 0..5 {
        wallets.push(new_client(&app, 100 + n).await);
    }
    // 1,000 operations; every fifth one repeats an earlier key, as a client retrying would.
    let mut plan: Vec<(usize, String, usize, i64, String)> = Vec::new();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..1000 {
        if i % 5 == 4 {
            let earlier: (usize, String, usize, i64, String) =
                plan[(next() % i as u64) as usize].clone();
            plan.push(earlier);
            continue;
        }
        let wallet = (next() % 5) as usize;
        let kind = (next() % 4) as usize;
        let amount = 100 * (1 + (next() % 50) as i64);
        plan.push((
            wallet,
            wallets[wallet].clone(),
            kind,
            amount,
            format!("op-{i:05}-{}", next()),
        ));
    }
    let results: Vec<_> = stream::iter(plan.clone())
        .map(|(_, client, kind, amount, key)| {
            let c = operator.clone();
            async move {
                let money = format!("{}", amount / 100);
                let outcome = match kind {
                    0 => deposit(&c, &client, &money, &key)
                        .await
                        .map(|r| r.deposit_to_wallet.entry_id),
                    1 => pay(
                        &c,
                        Some(&client),
                        &money,
                        ops::record_payment::PaymentMethod::WALLET,
                        &key,
                    )
                    .await
                    .map(|r| r.entry_id),
                    2 => c
                        .run::<ops::WithdrawFromWallet>(ops::withdraw_from_wallet::Variables {
                            input: ops::withdraw_from_wallet::WithdrawInput {
                                client_id: client.clone(),
                                amount: money.clone(),
                                method: ops::withdraw_from_wallet::PaymentMethod::CASH,
                                reason: None,
                                idempotency_key: key.clone(),
                            },
                        })
                        .await
                        .map(|r| r.withdraw_from_wallet.entry_id),
                    _ => c
                        .run::<ops::RefundToWallet>(ops::refund_to_wallet::Variables {
                            input: ops::refund_to_wallet::RefundInput {
                                client_id: client.clone(),
                                amount: money.clone(),
                                reason: "возврат".into(),
                                idempotency_key: key.clone(),
                            },
                        })
                        .await
                        .map(|r| r.refund_to_wallet.entry_id),
                };
                (key, outcome)
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;

    // Refusals are only for want of funds; every key that succeeded wrote one line.
    let mut lines_by_key: HashMap<String, String> = HashMap::new();
    for (key, outcome) in &results {
        match outcome {
            Ok(Some(entry)) => {
                if let Some(seen) = lines_by_key.insert(key.clone(), entry.clone()) {
                    assert_eq!(&seen, entry, "a retried key wrote a second line");
                }
            }
            Ok(None) => panic!("a wallet operation wrote no line"),
            Err(err) => assert_eq!(err.code(), Some("INSUFFICIENT_FUNDS"), "{err}"),
        }
    }
    let plan_by_key: HashMap<&str, &(usize, String, usize, i64, String)> =
        plan.iter().map(|p| (p.4.as_str(), p)).collect();
    let mut expected = [0i64; 5];
    for key in lines_by_key.keys() {
        let (wallet, _, kind, amount, _) = plan_by_key[key.as_str()];
        expected[*wallet] += effect(*kind, *amount);
    }
    for (i, client) in wallets.iter().enumerate() {
        let w = wallet(&operator, client).await;
        let mut sum = 0i64;
        let mut lines = 0;
        let mut offset = 0;
        loop {
            let page = operator
                .run::<ops::WalletEntries>(ops::wallet_entries::Variables {
                    client_id: client.clone(),
                    page: Some(ops::wallet_entries::PageInput {
                        limit: Some(100),
                        offset: Some(offset),
                    }),
                })
                .await
                .unwrap()
                .wallet_entries;
            for e in &page.items {
                let minor: f64 = e.amount.parse().unwrap();
                sum += (minor * 100.0).round() as i64;
            }
            lines += page.items.len();
            offset += 100;
            if !page.page_info.has_more {
                break;
            }
        }
        let balance = (w.balance.parse::<f64>().unwrap() * 100.0).round() as i64;
        assert_eq!(
            balance, sum,
            "balance of wallet {i} is not the sum of its ledger"
        );
        assert_eq!(
            balance, expected[i],
            "wallet {i} differs from the successful operations"
        );
        assert!(balance >= 0, "wallet {i} went below zero without credit");
        let keys_here = lines_by_key
            .keys()
            .filter(|k| plan_by_key[k.as_str()].0 == i)
            .count();
        assert_eq!(lines, keys_here, "wallet {i}: one line per successful key");
    }
    app.stop().await;
}

//! Notifications through the outbox to the fake Telegram Bot API and the local Web Push
//! service: events committed by many writers at once, each fanned out to one client's
//! Telegram chat and browser subscription. Prints the messages delivered per second and the
//! lag from each event's commit to its delivery (p50, p99).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use clubgrid_api::{
    auth::actor::Caller,
    events::domain::PaymentEvent,
    state::wall_clock,
    telegram::linking::{self, SharedContact, TelegramUser},
};
use clubgrid_tests::{Backend, TestApp, telegram::FakeTelegram, webpush::FakePush};
use entity::{
    client_account,
    enums::{PaymentKind, PaymentMethod},
    notification, push_subscription,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

use crate::{Args, BenchResult, emit, emit_latencies};

const SCENARIO: &str = "notify-throughput";

pub(crate) async fn notify_scenario(backend: Backend, args: &Args) -> BenchResult<()> {
    let telegram = FakeTelegram::start().await;
    let push = FakePush::start().await;
    let app = TestApp::spawn_with(backend, |s| {
        s.database_max_connections = 32;
        s.telegram_bot_token = Some(clubgrid_api::config::Secret::new("1:bench"));
        s.telegram_api_url = telegram.url.clone();
        s.notify_poll_ms = 200;
    })
    .await;
    let outcome = run(&app, &push, args).await;
    app.stop().await;
    outcome
}

async fn run(app: &TestApp, push: &FakePush, args: &Args) -> BenchResult<()> {
    let system = Caller::system();
    let account = linking::link_client(
        &app.state,
        &system,
        SharedContact {
            phone: "+77019990000".into(),
            first_name: "Bench".into(),
            last_name: None,
        },
        TelegramUser {
            telegram_user_id: 9000,
            chat_id: 9000,
            language: Some("ru".into()),
        },
    )
    .await?;
    let client_id = client_account::Entity::find()
        .filter(client_account::Column::UserId.eq(account.user_id))
        .one(&app.state.db)
        .await?
        .ok_or("no client login")?
        .client_id;
    let sub = push.subscribe();
    push_subscription::ActiveModel {
        client_id: Set(client_id),
        endpoint: Set(sub.endpoint.clone()),
        p256dh: Set(sub.p256dh.clone()),
        auth: Set(sub.auth.clone()),
        created_at: Set(wall_clock()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await?;

    let events = args.rounds(1000);
    let committed: Arc<Mutex<HashMap<i64, chrono::DateTime<chrono::Utc>>>> = Arc::default();
    let started = Instant::now();
    let mut writers = Vec::new();
    let per = events.div_ceil(args.concurrency.max(1));
    for w in 0..args.concurrency.max(1) {
        let (state, committed) = (app.state.clone(), committed.clone());
        writers.push(tokio::spawn(async move {
            let system = Caller::system();
            for i in 0..per {
                let payment_id = (w * per + i) as i64 + 1;
                let event = PaymentEvent::Taken {
                    payment_id,
                    location_id: None,
                    client_id: Some(client_id),
                    amount: 10_000,
                    method: PaymentMethod::Cash,
                    purpose: "bench".into(),
                    paid_for: PaymentKind::Other,
                    shift_id: None,
                };
                let event = &event;
                if state
                    .write(&system, |tx| Box::pin(async move { tx.emit(event).await }))
                    .await
                    .is_ok()
                {
                    committed
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(payment_id, wall_clock());
                }
            }
        }));
    }
    for writer in writers {
        writer.await?;
    }
    let expected = committed.lock().unwrap_or_else(|p| p.into_inner()).len() as u64 * 2;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let done = notification::Entity::find()
            .filter(notification::Column::Kind.eq("payment.taken"))
            .filter(notification::Column::Status.is_in(["sent", "dead", "skipped"]))
            .count(&app.state.db)
            .await?;
        if done >= expected || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    let rows = notification::Entity::find()
        .filter(notification::Column::Kind.eq("payment.taken"))
        .all(&app.state.db)
        .await?;
    let committed = committed.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut lags = Vec::new();
    let mut sent = 0u64;
    for row in &rows {
        let (Some(at), Some(id)) = (row.sent_at, row.payload["payment_id"].as_i64()) else {
            continue;
        };
        sent += 1;
        if let Some(commit) = committed.get(&id) {
            lags.push((at - *commit).to_std().unwrap_or_default());
        }
    }
    emit(SCENARIO, "events", committed.len() as f64, "events");
    emit(SCENARIO, "delivered", sent as f64, "messages");
    emit(
        SCENARIO,
        "notifications_per_second",
        sent as f64 / elapsed.as_secs_f64(),
        "1/s",
    );
    emit_latencies(SCENARIO, "commit_to_delivery", "", &mut lags);
    emit(
        SCENARIO,
        "pushes_received",
        push.pushes().len() as f64,
        "requests",
    );
    Ok(())
}

//! The default rule "a paid program moves the client to «Куплена услуга»" under a stream of
//! payments: `--rounds` clients each pay for a program through the ledger, from
//! `--concurrency` writers at once, while the server's rule engine runs as it does in
//! production (woken by each commit). Prints the payments per second and the lag from each
//! payment's commit to its stage move (p50, p99), both by the wall clock of the rows.

use std::time::{Duration, Instant};

use clubgrid_api::{
    auth::actor::Caller,
    automations::engine,
    billing::ledger::{self, Operation},
    clients::{fields::RawFields, service as clients},
    pipeline::stages,
};
use clubgrid_tests::TestApp;
use entity::{
    automation_run,
    enums::{PaymentKind, PaymentMethod},
    outbox_event,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::{Args, BenchResult, emit, emit_latencies};

const SCENARIO: &str = "automation-lag";

pub(crate) async fn lag_scenario(app: &TestApp, args: &Args) -> BenchResult<()> {
    let state = &app.state;
    let system = Caller::system();
    let rounds = args.rounds(1000);
    engine::run_once(state).await?;
    let consult = stages::list(&state.db)
        .await?
        .into_iter()
        .find(|s| s.name == "Консультация")
        .ok_or("no stage «Консультация»")?;
    let mut ids = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let fields = RawFields {
            last_name: Some("Нагрузкин".into()),
            first_name: Some(format!("Клиент{i}")),
            phone: Some(format!("+7702{i:07}")),
            ..Default::default()
        }
        .check("input.")?;
        let client = clients::create(state, &system, fields).await?;
        stages::move_client(state, &system, client.id, consult.id, None, None).await?;
        ids.push(client.id);
    }
    engine::run_once(state).await?;
    let before = automation_run::Entity::find().count(&state.db).await?;

    let writers = args.concurrency.clamp(1, 16);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for chunk in ids.chunks(rounds.div_ceil(writers)) {
        let chunk = chunk.to_vec();
        let state = state.clone();
        tasks.push(tokio::spawn(async move {
            let system = Caller::system();
            for client_id in chunk {
                let op = Operation::Pay {
                    client_id: Some(client_id),
                    amount: 3_000_000,
                    method: PaymentMethod::Card,
                    purpose: "Программа «Сила»".into(),
                    kind: PaymentKind::Program,
                };
                ledger::apply(&state, &system, op, &format!("bench-pay-{client_id}")).await?;
            }
            Ok::<_, clubgrid_api::error::AppError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let paid_in = started.elapsed();
    // The engine in the server takes them as they commit; wait for the last.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let done = automation_run::Entity::find().count(&state.db).await? - before;
        if done >= rounds as u64 {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("only {done} of {rounds} payments moved their client").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let all_in = started.elapsed();

    let runs = automation_run::Entity::find()
        .filter(automation_run::Column::EventKind.eq("payment.taken"))
        .all(&state.db)
        .await?;
    let events: std::collections::HashMap<i64, outbox_event::Model> = outbox_event::Entity::find()
        .filter(outbox_event::Column::Kind.eq("payment.taken"))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let mut lags: Vec<Duration> = runs
        .iter()
        .filter(|r| r.status == engine::DONE)
        .filter_map(|r| {
            let event = events.get(&r.event_id?)?;
            (r.created_at - event.created_at).to_std().ok()
        })
        .collect();
    if lags.len() != rounds {
        return Err(format!("{} of {rounds} payments moved their client", lags.len()).into());
    }
    emit(SCENARIO, "payments", rounds as f64, "count");
    emit(SCENARIO, "writers", writers as f64, "count");
    emit(
        SCENARIO,
        "payments_per_second",
        rounds as f64 / paid_in.as_secs_f64(),
        "1/s",
    );
    emit(
        SCENARIO,
        "moves_per_second",
        rounds as f64 / all_in.as_secs_f64(),
        "1/s",
    );
    emit_latencies(SCENARIO, "payment_to_move", "", &mut lags);
    Ok(())
}

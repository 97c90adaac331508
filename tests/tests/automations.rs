//! Automations through the API on both backends: the default rules move the funnel with the
//! money and the programs, never backwards, once per event (across a restart too); a cycle of
//! rules is refused when saved and a rule never sets itself off; a dry run writes nothing;
//! the funnel figures after automatic moves equal a hand count.

#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::HashMap, time::Duration};

use chrono::{DateTime, Utc};
use clubgrid_api::automations::engine;
use clubgrid_tests::{
    Backend, TestApp, both_backends,
    clubgrid_client::{Client, ops},
    create_client,
};
use entity::enums::Role;

both_backends!(
    a_paid_program_moves_the_client_to_bought_once,
    a_client_further_along_stays_where_they_are,
    programs_started_and_completed_move_the_client_on,
    a_cycle_of_rules_is_refused_and_a_rule_never_sets_itself_off,
    a_restart_between_payment_and_rule_still_moves_the_client_once,
    no_contact_for_days_makes_a_client_inactive,
    funnel_figures_after_automatic_moves_equal_a_hand_count,
    a_dry_run_tells_what_a_rule_would_do_and_writes_nothing,
);

const PAID_RULE: &str = "Оплачена программа, пакет или абонемент → «Куплена услуга»";

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The owner's client and the stages by name.
async fn setup(app: &TestApp) -> (Client, HashMap<String, String>) {
    let owner = app.as_role(Role::Owner).await;
    let stages = owner
        .run::<ops::PipelineStages>(ops::pipeline_stages::Variables)
        .await
        .unwrap()
        .pipeline_stages
        .into_iter()
        .map(|s| (s.name, s.id))
        .collect();
    (owner, stages)
}

async fn move_to(staff: &Client, client: &str, stage: &str) {
    staff
        .run::<ops::MoveClientToStage>(ops::move_client_to_stage::Variables {
            client_id: client.into(),
            stage_id: stage.into(),
            note: None,
            lost_reason: None,
        })
        .await
        .unwrap();
}

async fn place(staff: &Client, client: &str) -> ops::client_funnel_place::ClientFunnelPlaceClient {
    staff
        .run::<ops::ClientFunnelPlace>(ops::client_funnel_place::Variables { id: client.into() })
        .await
        .unwrap()
        .client
}

async fn stage_name(staff: &Client, client: &str) -> Option<String> {
    place(staff, client).await.stage.map(|s| s.name)
}

/// A paid program given to `client`; answers the assignment's id.
async fn paid_program(staff: &Client, client: &str) -> String {
    let program = staff
        .run::<ops::CreateTrainingProgram>(ops::create_training_program::Variables {
            input: ops::create_training_program::TrainingProgramInput {
                title: format!("Сила {}", &key()[..8]),
                description: None,
                format: ops::create_training_program::ProgramFormat::RICH_TEXT,
                content: Some("Три раза в неделю".into()),
                exercises: None,
                price: Some("30000".into()),
                active: None,
            },
        })
        .await
        .unwrap()
        .create_training_program;
    staff
        .run::<ops::AssignTrainingProgram>(ops::assign_training_program::Variables {
            input: ops::assign_training_program::AssignProgramInput {
                program_id: program.id,
                client_id: client.into(),
                paid: true,
                price: None,
                payment_method: Some(ops::assign_training_program::PaymentMethod::CARD),
                notes: None,
                idempotency_key: key(),
            },
        })
        .await
        .unwrap()
        .assign_training_program
        .id
}

async fn pay(staff: &Client, client: &str, kind: ops::record_payment::PaymentKind) {
    staff
        .run::<ops::RecordPayment>(ops::record_payment::Variables {
            input: ops::record_payment::PaymentInput {
                client_id: Some(client.into()),
                amount: "5000".into(),
                method: ops::record_payment::PaymentMethod::CASH,
                purpose: "Оплата".into(),
                kind: Some(kind),
                idempotency_key: key(),
            },
        })
        .await
        .unwrap();
}

async fn runs(
    staff: &Client,
    rule: Option<&str>,
) -> Vec<ops::automation_runs::AutomationRunsAutomationRunsItems> {
    staff
        .run::<ops::AutomationRuns>(ops::automation_runs::Variables {
            rule_id: rule.map(Into::into),
            status: None,
            page: Some(ops::automation_runs::PageInput {
                limit: Some(100),
                offset: None,
            }),
        })
        .await
        .unwrap()
        .automation_runs
        .items
}

async fn rules(staff: &Client) -> Vec<ops::automation_rules::RuleParts> {
    staff
        .run::<ops::AutomationRules>(ops::automation_rules::Variables)
        .await
        .unwrap()
        .automation_rules
}

async fn rule_id(staff: &Client, name: &str) -> String {
    rules(staff)
        .await
        .into_iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no rule `{name}`"))
        .id
}

fn move_action(stage: &str) -> ops::create_automation_rule::AutomationActionInput {
    ops::create_automation_rule::AutomationActionInput {
        type_: ops::create_automation_rule::AutomationActionType::MOVE_TO_STAGE,
        stage_id: Some(stage.into()),
        allow_backwards: Some(true),
        lost_reason: None,
        in_days: None,
        user_id: None,
        interaction_kind: None,
        text: None,
        tag: None,
    }
}

fn on_move_to(
    name: &str,
    to: &str,
    then: ops::create_automation_rule::AutomationActionInput,
) -> ops::create_automation_rule::Variables {
    ops::create_automation_rule::Variables {
        input: ops::create_automation_rule::AutomationRuleInput {
            name: name.into(),
            trigger: ops::create_automation_rule::AutomationTrigger::STAGE_CHANGED,
            conditions: Some(ops::create_automation_rule::AutomationConditionsInput {
                payment_for: None,
                min_amount: None,
                stage_in: None,
                stage_not_in: None,
                to_stage: (!to.is_empty()).then(|| to.into()),
                has_tag: None,
                lacks_tag: None,
                location_id: None,
                days: None,
            }),
            actions: vec![then],
            enabled: None,
        },
    }
}

/// Waits for the engine running in the server (woken by the commit) to move `client`.
async fn wait_for_stage(staff: &Client, client: &str, stage: &str) {
    for _ in 0..100 {
        if stage_name(staff, client).await.as_deref() == Some(stage) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "client {client} is at {:?}, not «{stage}»",
        stage_name(staff, client).await
    );
}

async fn a_paid_program_moves_the_client_to_bought_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (owner, stages) = setup(&app).await;
    engine::run_once(&app.state).await.unwrap();

    // The four defaults of seed 001, all on.
    let defaults = rules(&owner).await;
    let mut builtin: Vec<&str> = defaults
        .iter()
        .filter_map(|r| r.builtin.as_deref())
        .collect();
    builtin.sort_unstable();
    assert_eq!(
        builtin,
        [
            "no_contact",
            "paid_service",
            "program_completed",
            "program_started"
        ]
    );
    assert!(defaults.iter().all(|r| r.enabled));

    let anna = create_client(&owner, "Автоматов", "Анна", "+77010000001").await;
    move_to(&owner, &anna, &stages["Консультация"]).await;
    paid_program(&owner, &anna).await;
    // The engine in the server is woken by the commit: the move lands without a nudge.
    wait_for_stage(&owner, &anna, "Куплена услуга").await;
    engine::run_once(&app.state).await.unwrap();
    engine::run_once(&app.state).await.unwrap();

    let anna_place = place(&owner, &anna).await;
    let by_rule: Vec<_> = anna_place
        .stage_history
        .iter()
        .filter(|m| m.rule_id.is_some())
        .collect();
    assert_eq!(by_rule.len(), 1, "one automatic move");
    assert_eq!(by_rule[0].author, format!("по правилу «{PAID_RULE}»"));
    assert_eq!(by_rule[0].to_stage.as_ref().unwrap().name, "Куплена услуга");
    assert_eq!(by_rule[0].from_stage.as_ref().unwrap().name, "Консультация");
    let manual = anna_place
        .stage_history
        .iter()
        .find(|m| m.rule_id.is_none())
        .unwrap();
    assert_ne!(manual.author, by_rule[0].author);

    let paid_rule = rule_id(&owner, PAID_RULE).await;
    let done = runs(&owner, Some(&paid_rule)).await;
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].status, "done");
    assert_eq!(done[0].event_kind, "payment.taken");
    assert_eq!(done[0].client.as_ref().unwrap().id, anna);
    assert_eq!(
        done[0].actions,
        ["Переведён из «Консультация» в «Куплена услуга»"]
    );

    // A payment for something else (a coffee) moves nobody and leaves no run.
    let boris = create_client(&owner, "Автоматов", "Борис", "+77010000002").await;
    move_to(&owner, &boris, &stages["Консультация"]).await;
    pay(&owner, &boris, ops::record_payment::PaymentKind::OTHER).await;
    // A membership sold at the desk (kind given by hand) is a service bought.
    let vera = create_client(&owner, "Автоматов", "Вера", "+77010000003").await;
    pay(&owner, &vera, ops::record_payment::PaymentKind::MEMBERSHIP).await;
    wait_for_stage(&owner, &vera, "Куплена услуга").await;
    engine::run_once(&app.state).await.unwrap();
    assert_eq!(
        stage_name(&owner, &boris).await.as_deref(),
        Some("Консультация")
    );
    assert_eq!(runs(&owner, Some(&paid_rule)).await.len(), 2);
    app.stop().await;
}

async fn a_client_further_along_stays_where_they_are(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (owner, stages) = setup(&app).await;
    let anna = create_client(&owner, "Автоматов", "Анна", "+77010000011").await;
    move_to(&owner, &anna, &stages["Активный клиент"]).await;
    paid_program(&owner, &anna).await;
    engine::run_once(&app.state).await.unwrap();

    let anna_place = place(&owner, &anna).await;
    assert_eq!(anna_place.stage.unwrap().name, "Активный клиент");
    assert_eq!(anna_place.stage_history.len(), 1, "no move at all");
    let paid_rule = rule_id(&owner, PAID_RULE).await;
    let skipped = runs(&owner, Some(&paid_rule)).await;
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].status, "skipped");
    assert!(
        skipped[0].actions[0].contains("уже дальше по воронке: «Активный клиент»"),
        "{:?}",
        skipped[0].actions
    );

    // Out of a lost stage a payment wins the client back.
    let boris = create_client(&owner, "Автоматов", "Борис", "+77010000012").await;
    owner
        .run::<ops::MoveClientToStage>(ops::move_client_to_stage::Variables {
            client_id: boris.clone(),
            stage_id: stages["Неактивен"].clone(),
            note: None,
            lost_reason: Some("нет ответа".into()),
        })
        .await
        .unwrap();
    paid_program(&owner, &boris).await;
    engine::run_once(&app.state).await.unwrap();
    assert_eq!(
        stage_name(&owner, &boris).await.as_deref(),
        Some("Куплена услуга")
    );
    app.stop().await;
}

async fn programs_started_and_completed_move_the_client_on(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (owner, _) = setup(&app).await;
    let anna = create_client(&owner, "Автоматов", "Анна", "+77010000021").await;
    let assignment = paid_program(&owner, &anna).await;
    engine::run_once(&app.state).await.unwrap();
    assert_eq!(
        stage_name(&owner, &anna).await.as_deref(),
        Some("Куплена услуга")
    );

    let started = owner
        .run::<ops::StartTrainingProgram>(ops::start_training_program::Variables {
            assignment_id: assignment.clone(),
        })
        .await
        .unwrap()
        .start_training_program;
    assert!(started.started_at.is_some() && started.completed_at.is_none());
    engine::run_once(&app.state).await.unwrap();
    assert_eq!(
        stage_name(&owner, &anna).await.as_deref(),
        Some("Активный клиент")
    );
    // Starting again changes nothing and raises nothing.
    let again = owner
        .run::<ops::StartTrainingProgram>(ops::start_training_program::Variables {
            assignment_id: assignment.clone(),
        })
        .await
        .unwrap()
        .start_training_program;
    assert_eq!(again.started_at, started.started_at);

    let completed = owner
        .run::<ops::CompleteTrainingProgram>(ops::complete_training_program::Variables {
            assignment_id: assignment,
        })
        .await
        .unwrap()
        .complete_training_program;
    assert!(completed.completed_at.is_some());
    engine::run_once(&app.state).await.unwrap();
    let anna_place = place(&owner, &anna).await;
    assert_eq!(anna_place.stage.unwrap().name, "Завершен");
    let path: Vec<&str> = anna_place
        .stage_history
        .iter()
        .map(|m| m.to_stage.as_ref().unwrap().name.as_str())
        .collect();
    assert_eq!(path, ["Куплена услуга", "Активный клиент", "Завершен"]);
    app.stop().await;
}

async fn a_cycle_of_rules_is_refused_and_a_rule_never_sets_itself_off(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (owner, stages) = setup(&app).await;
    let (consult, decide) = (&stages["Консультация"], &stages["Принимают решение"]);
    owner
        .run::<ops::CreateAutomationRule>(on_move_to("Вперёд", consult, move_action(decide)))
        .await
        .unwrap();
    let err = owner
        .run::<ops::CreateAutomationRule>(on_move_to("Назад", decide, move_action(consult)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("VALIDATION"));
    assert_eq!(err.errors()[0].field(), Some("input.actions"));
    assert!(
        err.to_string().contains("«Назад» → «Вперёд» → «Назад»"),
        "{err}"
    );
    assert!(!rules(&owner).await.iter().any(|r| r.name == "Назад"));

    // A rule answering every stage change with a move sets itself off only once: its own
    // move never runs it again.
    owner
        .run::<ops::DeleteAutomationRule>(ops::delete_automation_rule::Variables {
            id: rule_id(&owner, "Вперёд").await,
        })
        .await
        .unwrap();
    let first = &stages["Первичный контакт"];
    let echo = owner
        .run::<ops::CreateAutomationRule>(on_move_to("Эхо", "", move_action(consult)))
        .await
        .unwrap()
        .create_automation_rule;
    let anna = create_client(&owner, "Автоматов", "Анна", "+77010000031").await;
    move_to(&owner, &anna, first).await;
    for _ in 0..3 {
        engine::run_once(&app.state).await.unwrap();
    }
    let anna_place = place(&owner, &anna).await;
    assert_eq!(anna_place.stage.unwrap().name, "Консультация");
    assert_eq!(anna_place.stage_history.len(), 2);
    assert_eq!(runs(&owner, Some(&echo.id)).await.len(), 1);

    // A default rule is switched off, not deleted.
    let err = owner
        .run::<ops::DeleteAutomationRule>(ops::delete_automation_rule::Variables {
            id: rule_id(&owner, PAID_RULE).await,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("CONFLICT"));
    // A no-contact rule needs its days.
    let mut quiet = on_move_to("Тишина", "", move_action(first));
    quiet.input.trigger = ops::create_automation_rule::AutomationTrigger::NO_CONTACT;
    quiet.input.conditions = None;
    let err = owner
        .run::<ops::CreateAutomationRule>(quiet)
        .await
        .unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("input.conditions.days"));
    // Rules are for owners and admins.
    let manager = app.as_role(Role::Manager).await;
    let err = manager
        .run::<ops::AutomationRules>(ops::automation_rules::Variables)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    app.stop().await;
}

async fn a_restart_between_payment_and_rule_still_moves_the_client_once(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| s.automations_enabled = false).await;
    let (owner, stages) = setup(&app).await;
    let anna = create_client(&owner, "Автоматов", "Анна", "+77010000041").await;
    move_to(&owner, &anna, &stages["Первичный контакт"]).await;
    paid_program(&owner, &anna).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        stage_name(&owner, &anna).await.as_deref(),
        Some("Первичный контакт"),
        "no engine ran in this process"
    );

    let app = app.restart_with(|s| s.automations_enabled = true).await;
    let owner = app.as_role(Role::Owner).await;
    wait_for_stage(&owner, &anna, "Куплена услуга").await;
    engine::run_once(&app.state).await.unwrap();
    // A second replica replays nothing either.
    let replica = app.replica().await;
    engine::run_once(&replica.state).await.unwrap();
    replica.stop();
    let moves: Vec<_> = place(&owner, &anna)
        .await
        .stage_history
        .into_iter()
        .filter(|m| m.rule_id.is_some())
        .collect();
    assert_eq!(moves.len(), 1);
    assert_eq!(runs(&owner, None).await.len(), 1);
    app.stop().await;
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

async fn no_contact_for_days_makes_a_client_inactive(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.state.clock.pin(Some(utc("2026-10-01T09:00:00Z")));
    let (owner, stages) = setup(&app).await;
    let quiet = create_client(&owner, "Автоматов", "Тихий", "+77010000051").await;
    let talked = create_client(&owner, "Автоматов", "Разговорчивый", "+77010000052").await;
    let outside = create_client(&owner, "Автоматов", "Вне воронки", "+77010000053").await;
    for c in [&quiet, &talked] {
        move_to(&owner, c, &stages["Консультация"]).await;
    }
    engine::run_once(&app.state).await.unwrap();

    // 20 days on, a call with one of them.
    app.state.clock.pin(Some(utc("2026-10-21T09:00:00Z")));
    owner
        .run::<ops::LogInteraction>(ops::log_interaction::Variables {
            input: ops::log_interaction::LogInteractionInput {
                client_id: talked.clone(),
                kind: ops::log_interaction::InteractionKind::CALL,
                channel: None,
                direction: None,
                text: "Обсудили абонемент".into(),
                at: None,
                next_contact_at: None,
                next_contact_user_id: None,
            },
        })
        .await
        .unwrap();
    // 29 days: nobody is quiet for 30 yet.
    app.state.clock.pin(Some(utc("2026-10-30T10:00:00Z")));
    engine::run_once(&app.state).await.unwrap();
    assert_eq!(
        stage_name(&owner, &quiet).await.as_deref(),
        Some("Консультация")
    );
    // 31 days.
    app.state.clock.pin(Some(utc("2026-11-01T10:00:00Z")));
    engine::run_once(&app.state).await.unwrap();
    engine::run_once(&app.state).await.unwrap();
    let quiet_place = place(&owner, &quiet).await;
    assert_eq!(quiet_place.stage.unwrap().name, "Неактивен");
    // The history reads oldest first.
    let last = quiet_place.stage_history.last().unwrap();
    assert_eq!(last.lost_reason.as_deref(), Some("нет ответа"));
    assert!(last.author.starts_with("по правилу «Нет контакта 30 дней"));
    assert_eq!(
        stage_name(&owner, &talked).await.as_deref(),
        Some("Консультация")
    );
    assert_eq!(stage_name(&owner, &outside).await, None);
    let no_contact = rule_id(&owner, "Нет контакта 30 дней → «Неактивен»").await;
    assert_eq!(runs(&owner, Some(&no_contact)).await.len(), 1);
    app.stop().await;
}

async fn funnel_figures_after_automatic_moves_equal_a_hand_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (owner, stages) = setup(&app).await;
    let from = chrono::Utc::now() - chrono::Duration::hours(1);
    // Four leads; three buy a program, one of those after a consultation; one buys a coffee.
    let mut leads = Vec::new();
    for (i, name) in ["Анна", "Борис", "Вера", "Глеб"].iter().enumerate() {
        let c = create_client(&owner, "Автоматов", name, &format!("+7701000006{i}")).await;
        move_to(&owner, &c, &stages["Первичный контакт"]).await;
        leads.push(c);
    }
    move_to(&owner, &leads[2], &stages["Консультация"]).await;
    for c in &leads[..3] {
        paid_program(&owner, c).await;
    }
    pay(&owner, &leads[3], ops::record_payment::PaymentKind::OTHER).await;
    engine::run_once(&app.state).await.unwrap();
    let to = chrono::Utc::now() + chrono::Duration::hours(1);

    let funnel = owner
        .run::<ops::FunnelAnalytics>(ops::funnel_analytics::Variables {
            from: from.to_rfc3339(),
            to: to.to_rfc3339(),
        })
        .await
        .unwrap()
        .funnel_analytics;
    // By hand: 4 leads, 3 reached «Куплена услуга» (won): 3/4.
    assert_eq!(funnel.leads, 4);
    assert_eq!(funnel.won, 3);
    assert_eq!(funnel.conversion_to_won, Some(0.75));
    // The money: the three who reached a won stage paid 30 000 each; Gleb's coffee is not a
    // won deal's, and nobody set a deal value.
    assert_eq!(funnel.won_value, "90000.00");
    assert_eq!(funnel.expected_value, "0.00");
    let entered: HashMap<&str, i64> = funnel
        .stages
        .iter()
        .map(|s| (s.stage.name.as_str(), s.entered))
        .collect();
    assert_eq!(entered["Первичный контакт"], 4);
    assert_eq!(entered["Консультация"], 1);
    assert_eq!(entered["Куплена услуга"], 3);
    assert_eq!(entered["Активный клиент"], 0);
    // «Консультация» → «Принимают решение»: nobody of the one; «Первичный контакт» →
    // «Консультация»: 1 of 4.
    let to_next: HashMap<&str, Option<f64>> = funnel
        .stages
        .iter()
        .map(|s| (s.stage.name.as_str(), s.conversion_to_next))
        .collect();
    assert_eq!(to_next["Первичный контакт"], Some(0.25));
    assert_eq!(to_next["Консультация"], Some(0.0));
    app.stop().await;
}

async fn a_dry_run_tells_what_a_rule_would_do_and_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (owner, stages) = setup(&app).await;
    let anna = create_client(&owner, "Автоматов", "Анна", "+77010000071").await;
    let boris = create_client(&owner, "Автоматов", "Борис", "+77010000072").await;
    move_to(&owner, &boris, &stages["Активный клиент"]).await;
    paid_program(&owner, &anna).await;
    paid_program(&owner, &boris).await;
    pay(&owner, &anna, ops::record_payment::PaymentKind::OTHER).await;

    // The default rule as it stood before it ran: three payments, two for programs; Anna
    // would move, Boris is further along.
    let paid_rule = rule_id(&owner, PAID_RULE).await;
    let preview = owner
        .run::<ops::PreviewAutomationRule>(ops::preview_automation_rule::Variables {
            id: Some(paid_rule),
            input: None,
            days: None,
        })
        .await
        .unwrap()
        .preview_automation_rule;
    assert_eq!(preview.considered, 3);
    assert_eq!(preview.matched, 2);
    assert_eq!(preview.would_act, 1);
    let said: HashMap<&str, &Vec<String>> = preview
        .items
        .iter()
        .map(|i| (i.client.id.as_str(), &i.actions))
        .collect();
    assert_eq!(
        said[anna.as_str()],
        &vec!["Перевёл бы из вне воронки в «Куплена услуга»".to_owned()]
    );
    assert!(said[boris.as_str()][0].contains("уже дальше по воронке"));

    // A draft never saved: tag everyone who paid for anything.
    let draft = ops::preview_automation_rule::AutomationRuleInput {
        name: "Метка покупателя".into(),
        trigger: ops::preview_automation_rule::AutomationTrigger::PAYMENT_TAKEN,
        conditions: None,
        actions: vec![ops::preview_automation_rule::AutomationActionInput {
            type_: ops::preview_automation_rule::AutomationActionType::ADD_TAG,
            stage_id: None,
            allow_backwards: None,
            lost_reason: None,
            in_days: None,
            user_id: None,
            interaction_kind: None,
            text: None,
            tag: Some("Покупатель".into()),
        }],
        enabled: None,
    };
    let preview = owner
        .run::<ops::PreviewAutomationRule>(ops::preview_automation_rule::Variables {
            id: None,
            input: Some(draft),
            days: Some(7),
        })
        .await
        .unwrap()
        .preview_automation_rule;
    assert_eq!((preview.considered, preview.would_act), (3, 3));
    assert_eq!(preview.items[0].actions, ["Добавил бы метку «покупатель»"]);
    assert!(
        place(&owner, &anna).await.tags.is_empty(),
        "nothing written"
    );
    assert!(
        rules(&owner)
            .await
            .iter()
            .all(|r| r.name != "Метка покупателя")
    );
    app.stop().await;
}

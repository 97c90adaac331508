//! The sales funnel through the API: moves between stages, the kanban board and its statement
//! count, funnel analytics, interactions and next contacts, and leads from the public form.

// Tests stand outside the business clock: they read the machine's time to build their inputs.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::HashMap, time::Duration};

use chrono::{DateTime, SecondsFormat, SubsecRound, Timelike, Utc};
use clubgrid_api::{
    auth::actor::Caller,
    clients::{fields::RawFields, service as client_service},
    domain::Timezone,
    pipeline::stages,
    venue::organisation,
};
use clubgrid_tests::{
    Backend, PASSWORD, TestApp, both_backends, client_filter,
    clubgrid_client::{Client, ClientError, ops},
    create_client,
};
use entity::enums::Role;

both_backends!(
    funnel_moves_and_analytics,
    board_costs_the_same_at_any_size,
    interactions_and_contacts_due,
    lead_capture,
    a_new_lead_is_due_today_with_its_stage_owner,
);

/// The stages of seed 001, in funnel order.
const DEFAULT_STAGES: [&str; 7] = [
    "Первичный контакт",
    "Консультация",
    "Принимают решение",
    "Куплена услуга",
    "Активный клиент",
    "Завершен",
    "Неактивен",
];

/// `(code, field)` of the first error.
fn refusal(err: &ClientError) -> (Option<&str>, Option<&str>) {
    (err.code(), err.errors().first().and_then(|e| e.field()))
}

/// `extensions.retryAfterSeconds` of the first error.
fn retry_after(err: &ClientError) -> Option<u64> {
    err.errors()
        .first()?
        .extensions
        .as_ref()?
        .get("retryAfterSeconds")?
        .as_u64()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("`{text}` is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

/// Now, to the second (both databases keep that exactly).
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

/// Signs in a new user with `role` and returns their id with the client.
async fn user(app: &TestApp, username: &str, role: Role) -> (String, Client) {
    let id = app.create_user(username, role).await;
    (id.to_string(), app.login(username, PASSWORD).await)
}

/// The default stages by name, after checking their order and outcomes.
async fn default_stages(staff: &Client) -> HashMap<String, String> {
    let stages = staff
        .run::<ops::PipelineStages>(ops::pipeline_stages::Variables)
        .await
        .unwrap()
        .pipeline_stages;
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, DEFAULT_STAGES);
    let outcomes: Vec<&str> = stages
        .iter()
        .map(|s| match s.outcome {
            ops::pipeline_stages::StageOutcome::OPEN => "open",
            ops::pipeline_stages::StageOutcome::WON => "won",
            ops::pipeline_stages::StageOutcome::LOST => "lost",
            _ => "other",
        })
        .collect();
    assert_eq!(
        outcomes,
        ["open", "open", "open", "won", "won", "won", "lost"]
    );
    stages.into_iter().map(|s| (s.name, s.id)).collect()
}

async fn move_client(
    staff: &Client,
    client_id: &str,
    stage_id: &str,
    lost_reason: Option<&str>,
) -> Result<ops::move_client_to_stage::ResponseData, ClientError> {
    staff
        .run::<ops::MoveClientToStage>(ops::move_client_to_stage::Variables {
            client_id: client_id.into(),
            stage_id: stage_id.into(),
            note: None,
            lost_reason: lost_reason.map(Into::into),
        })
        .await
}

async fn funnel(
    analyst: &Client,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<ops::funnel_analytics::ResponseData, ClientError> {
    analyst
        .run::<ops::FunnelAnalytics>(ops::funnel_analytics::Variables {
            from: rfc3339(from),
            to: rfc3339(to),
        })
        .await
}

async fn board(
    staff: &Client,
    per_stage: Option<i64>,
) -> Result<ops::pipeline_board::ResponseData, ClientError> {
    staff
        .run::<ops::PipelineBoard>(ops::pipeline_board::Variables { per_stage })
        .await
}

async fn funnel_moves_and_analytics(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let manager = app.as_role(Role::Manager).await;
    let operator = app.as_role(Role::Operator).await;
    let tech = app.as_role(Role::Tech).await;
    let stage = default_stages(&manager).await;
    let [first, second, third, bought, active, finished, inactive] =
        DEFAULT_STAGES.map(|name| stage[name].clone());

    let a = create_client(&manager, "Тестов", "Алия", "+7 701 000 00 01").await;
    let b = create_client(&manager, "Тестов", "Берик", "+7 701 000 00 02").await;
    let c = create_client(&manager, "Тестов", "Самал", "+7 701 000 00 03").await;
    let d = create_client(&manager, "Тестов", "Данияр", "+7 701 000 00 04").await;

    for id in [&a, &b, &c, &d] {
        let moved = move_client(&manager, id, &first, None).await.unwrap();
        assert_eq!(moved.move_client_to_stage.id, *id);
        assert_eq!(
            moved.move_client_to_stage.stage.unwrap().name,
            "Первичный контакт"
        );
    }
    // Operators work with clients and may move them.
    for id in [&a, &b] {
        let moved = move_client(&operator, id, &second, None).await.unwrap();
        assert_eq!(
            moved.move_client_to_stage.stage.unwrap().name,
            "Консультация"
        );
    }
    let moved = move_client(&manager, &a, &bought, None).await.unwrap();
    assert_eq!(
        moved.move_client_to_stage.stage.unwrap().name,
        "Куплена услуга"
    );
    let moved = move_client(&manager, &c, &inactive, Some("дорого"))
        .await
        .unwrap();
    assert_eq!(moved.move_client_to_stage.stage.unwrap().name, "Неактивен");

    // A lost reason goes only with a lost stage; an unknown stage is named; a tech may not
    // move clients. None of these moves happens (the board below shows D and B unmoved).
    let err = move_client(&manager, &d, &second, Some("дорого"))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), (Some("VALIDATION"), Some("lostReason")));
    let err = move_client(&manager, &d, "999999", None).await.unwrap_err();
    assert_eq!(refusal(&err), (Some("VALIDATION"), Some("stageId")));
    let err = move_client(&tech, &b, &third, None).await.unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));

    // The funnel of the last hour.
    let figures = funnel(
        &manager,
        Utc::now() - chrono::Duration::hours(1),
        Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .unwrap()
    .funnel_analytics;
    assert_eq!(figures.leads, 4);
    assert_eq!(figures.won, 1);
    assert_eq!(figures.conversion_to_won, Some(0.25));
    let by_stage: HashMap<&str, _> = figures
        .stages
        .iter()
        .map(|s| (s.stage.name.as_str(), s))
        .collect();
    assert_eq!(by_stage.len(), 7);
    let entered: Vec<i64> = DEFAULT_STAGES
        .iter()
        .map(|name| by_stage[name].entered)
        .collect();
    assert_eq!(entered, [4, 2, 0, 1, 0, 0, 1]);
    let s1 = by_stage["Первичный контакт"];
    assert_eq!(s1.stage.id, first);
    assert_eq!(s1.conversion_to_next, Some(0.5));
    // A, B and C left the first stage; D is still there.
    let median = s1
        .median_hours_in_stage
        .expect("a median for the first stage");
    assert!(median >= 0.0, "median hours {median}");
    // Consultation → decision: 2 entered, none went on.
    assert_eq!(by_stage["Консультация"].conversion_to_next, Some(0.0));
    assert!(by_stage["Консультация"].median_hours_in_stage.is_some());
    // Nobody entered the decision stage: no ratio to speak of.
    assert_eq!(by_stage["Принимают решение"].conversion_to_next, None);
    // A is still in «Куплена услуга»: no finished stay there.
    assert_eq!(by_stage["Куплена услуга"].median_hours_in_stage, None);
    // The lost stage is not part of the flow.
    assert_eq!(by_stage["Неактивен"].conversion_to_next, None);
    let lost: Vec<(&str, i64)> = figures
        .lost_by_reason
        .iter()
        .map(|r| (r.reason.as_str(), r.count))
        .collect();
    assert_eq!(lost, [("дорого", 1)]);

    // A year ago nothing happened; a period that ends before it starts is refused.
    let year_ago = Utc::now() - chrono::Duration::days(365);
    let past = funnel(&manager, year_ago, year_ago + chrono::Duration::days(1))
        .await
        .unwrap()
        .funnel_analytics;
    assert_eq!(past.leads, 0);
    assert_eq!(past.won, 0);
    assert_eq!(past.conversion_to_won, None);
    assert!(past.stages.iter().all(|s| s.entered == 0));
    assert!(past.lost_by_reason.is_empty());
    let err = funnel(
        &manager,
        Utc::now(),
        Utc::now() - chrono::Duration::hours(1),
    )
    .await
    .unwrap_err();
    assert_eq!(refusal(&err), (Some("VALIDATION"), Some("to")));
    // Operators do not read the sales figures.
    let err = funnel(
        &operator,
        Utc::now() - chrono::Duration::hours(1),
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));

    // The board: every stage in order, with its count and its clients.
    let columns = board(&operator, None).await.unwrap().pipeline_board;
    let names: Vec<&str> = columns.iter().map(|c| c.stage.name.as_str()).collect();
    assert_eq!(names, DEFAULT_STAGES);
    let column = |id: &str| {
        let col = columns.iter().find(|c| c.stage.id == id).unwrap();
        let ids: Vec<&str> = col.clients.iter().map(|c| c.id.as_str()).collect();
        (col.count, ids)
    };
    assert_eq!(column(&first), (1, vec![d.as_str()]));
    assert_eq!(column(&second), (1, vec![b.as_str()]));
    assert_eq!(column(&third), (0, vec![]));
    assert_eq!(column(&bought), (1, vec![a.as_str()]));
    assert_eq!(column(&active), (0, vec![]));
    assert_eq!(column(&finished), (0, vec![]));
    assert_eq!(column(&inactive), (1, vec![c.as_str()]));
    for per_stage in [0, 101] {
        let err = board(&operator, Some(per_stage)).await.unwrap_err();
        assert_eq!(
            refusal(&err),
            (Some("VALIDATION"), Some("perStage")),
            "perStage {per_stage}"
        );
    }
    app.stop().await;
}

async fn board_costs_the_same_at_any_size(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app.as_role(Role::ReadOnly).await;
    let system = Caller::system();
    let stage_ids: Vec<i64> = stages::list(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .take(3)
        .map(|s| s.id)
        .collect();
    let source_ids: Vec<i64> = client_service::sources(&app.state)
        .await
        .unwrap()
        .into_iter()
        .take(2)
        .map(|s| s.id)
        .collect();
    assert_eq!((stage_ids.len(), source_ids.len()), (3, 2));

    let mut made: usize = 0;
    let mut costs = Vec::new();
    for size in [1, 10, 100] {
        while made < size {
            let fields = RawFields {
                first_name: Some(format!("Клиент {made:03}")),
                phone: Some(format!("+7701{made:07}")),
                tags: vec![format!("группа-{}", made % 4)],
                source_id: Some(source_ids[made % 2]),
                ..RawFields::default()
            }
            .check("input.")
            .unwrap();
            let client = client_service::create(&app.state, &system, fields)
                .await
                .unwrap();
            stages::move_client(
                &app.state,
                &system,
                client.id,
                stage_ids[made % 3],
                None,
                None,
            )
            .await
            .unwrap();
            made += 1;
        }
        let before = app.statements();
        let columns = board(&viewer, Some(100)).await.unwrap().pipeline_board;
        costs.push(app.statements() - before);

        let counted: i64 = columns.iter().map(|c| c.count).sum();
        assert_eq!(counted, size as i64, "column counts at {size} clients");
        let listed: Vec<_> = columns.iter().flat_map(|c| &c.clients).collect();
        assert_eq!(listed.len(), size, "clients on the board at {size}");
        // Each client carries its tag and its source, loaded in batches.
        assert!(
            listed
                .iter()
                .all(|c| c.tags.len() == 1 && c.tags[0].starts_with("группа-")),
            "tags at {size} clients"
        );
        assert!(
            listed.iter().all(|c| c.source.is_some()),
            "sources at {size} clients"
        );
        let per_stage: Vec<i64> = columns.iter().take(3).map(|c| c.count).collect();
        let expected: Vec<i64> = (0..3)
            .map(|s| (0..size).filter(|n| n % 3 == s).count() as i64)
            .collect();
        assert_eq!(per_stage, expected, "clients per stage at {size}");
    }
    let least = clubgrid_tests::flat_statements("funnel board", &costs);
    // A checked token costs nothing (the test's sign-in made its first request): stages,
    // counts with the columns' money and the top of each column (3) + tags (1) + sources (1)
    // + what each client paid (1).
    assert_eq!(least, 6, "statements per request: {costs:?}");
    app.stop().await;
}

fn interaction(
    client_id: &str,
    kind: ops::log_interaction::InteractionKind,
    channel: Option<ops::log_interaction::ContactChannel>,
    direction: Option<ops::log_interaction::Direction>,
    text: &str,
    at: Option<DateTime<Utc>>,
) -> ops::log_interaction::Variables {
    ops::log_interaction::Variables {
        input: ops::log_interaction::LogInteractionInput {
            client_id: client_id.into(),
            kind,
            channel,
            direction,
            text: text.into(),
            at: at.map(rfc3339),
            next_contact_at: None,
            next_contact_user_id: None,
        },
    }
}

async fn interaction_total(
    staff: &Client,
    client_id: Option<&str>,
    channel: Option<ops::interactions::ContactChannel>,
    direction: Option<ops::interactions::Direction>,
) -> (i64, Vec<String>) {
    let page = staff
        .run::<ops::Interactions>(ops::interactions::Variables {
            filter: Some(ops::interactions::InteractionFilter {
                client_id: client_id.map(Into::into),
                kind: None,
                channel,
                direction,
                from: None,
                to: None,
            }),
            page: None,
        })
        .await
        .unwrap()
        .interactions;
    (
        page.page_info.total,
        page.items.into_iter().map(|i| i.text).collect(),
    )
}

async fn contacts_due(staff: &Client) -> Vec<(String, bool, DateTime<Utc>)> {
    staff
        .run::<ops::ContactsDue>(ops::contacts_due::Variables)
        .await
        .unwrap()
        .contacts_due
        .into_iter()
        .map(|c| (c.client.id, c.overdue, instant(&c.next_contact_at)))
        .collect()
}

async fn set_next_contact(
    staff: &Client,
    client_id: &str,
    at: Option<DateTime<Utc>>,
    user_id: Option<&str>,
) -> ops::set_next_contact::SetNextContactSetNextContact {
    staff
        .run::<ops::SetNextContact>(ops::set_next_contact::Variables {
            client_id: client_id.into(),
            at: at.map(rfc3339),
            user_id: user_id.map(Into::into),
        })
        .await
        .unwrap()
        .set_next_contact
}

async fn interactions_and_contacts_due(backend: Backend) {
    use ops::log_interaction::{ContactChannel as Ch, Direction as Dir, InteractionKind as Kind};

    let app = TestApp::spawn(backend).await;
    let (operator_id, operator) = user(&app, "operator-one", Role::Operator).await;
    let (_, other_operator) = user(&app, "operator-two", Role::Operator).await;
    let tech = app.as_role(Role::Tech).await;
    let x = create_client(&operator, "Тестов", "Ерлан", "+7 701 111 00 01").await;
    let y = create_client(&operator, "Тестов", "Жанар", "+7 701 111 00 02").await;
    let z = create_client(&operator, "Тестов", "Зарина", "+7 701 111 00 03").await;

    // A call two hours ago sets the last contact to its time.
    let two_hours_ago = now() - chrono::Duration::hours(2);
    let call = operator
        .run::<ops::LogInteraction>(interaction(
            &x,
            Kind::CALL,
            Some(Ch::PHONE),
            Some(Dir::OUTBOUND),
            "Позвонили, предложили абонемент",
            Some(two_hours_ago),
        ))
        .await
        .unwrap()
        .log_interaction;
    assert!(matches!(
        call.kind,
        ops::log_interaction::InteractionKind::CALL
    ));
    assert!(matches!(call.channel, Some(Ch::PHONE)));
    assert!(matches!(call.direction, Some(Dir::OUTBOUND)));
    assert_eq!(instant(&call.at), two_hours_ago);
    let client = call.client.expect("the interaction's client");
    assert_eq!(client.id, x);
    assert_eq!(
        client.last_contact_at.as_deref().map(instant),
        Some(two_hours_ago)
    );

    // A message now moves it on.
    let before = now();
    let message = operator
        .run::<ops::LogInteraction>(interaction(
            &x,
            Kind::MESSAGE,
            Some(Ch::WHATSAPP),
            Some(Dir::INBOUND),
            "Спросил про цены",
            None,
        ))
        .await
        .unwrap()
        .log_interaction;
    let message_at = instant(&message.at);
    assert!(message_at >= before, "{message_at} before {before}");
    assert_eq!(
        message
            .client
            .unwrap()
            .last_contact_at
            .as_deref()
            .map(instant),
        Some(message_at)
    );

    // A note has neither channel nor direction.
    let note = operator
        .run::<ops::LogInteraction>(interaction(
            &x,
            Kind::NOTE,
            None,
            None,
            "Любит утренние часы",
            None,
        ))
        .await
        .unwrap()
        .log_interaction;
    assert_eq!((note.channel, note.direction), (None, None));
    // Checked at the end: an internal note is not a contact with the client.
    let last_contact_after_note = note.client.unwrap().last_contact_at.as_deref().map(instant);

    // An older meeting, recorded late, does not move the last contact back.
    let yesterday = now() - chrono::Duration::days(1);
    let meeting = operator
        .run::<ops::LogInteraction>(interaction(
            &x,
            Kind::MEETING,
            Some(Ch::IN_PERSON),
            Some(Dir::INBOUND),
            "Пришёл посмотреть зал",
            Some(yesterday),
        ))
        .await
        .unwrap()
        .log_interaction;
    let last_contact = meeting
        .client
        .unwrap()
        .last_contact_at
        .as_deref()
        .map(instant);
    assert!(
        last_contact >= Some(message_at),
        "the last contact went back to an older interaction: {last_contact:?}"
    );
    operator
        .run::<ops::LogInteraction>(interaction(
            &y,
            Kind::CALL,
            Some(Ch::PHONE),
            Some(Dir::INBOUND),
            "Перезвонила сама",
            Some(now() - chrono::Duration::minutes(30)),
        ))
        .await
        .unwrap();
    let read = operator
        .run::<ops::Client>(ops::client::Variables { id: x.clone() })
        .await
        .unwrap()
        .client;
    assert_eq!(
        read.client_fields.last_contact_at.as_deref().map(instant),
        last_contact
    );
    assert_eq!(read.recent_interactions.len(), 4);

    // Refused: a contact in the future, an empty text, a tech.
    let err = operator
        .run::<ops::LogInteraction>(interaction(
            &x,
            Kind::CALL,
            Some(Ch::PHONE),
            Some(Dir::OUTBOUND),
            "Позвоним завтра",
            Some(now() + chrono::Duration::days(1)),
        ))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), (Some("VALIDATION"), Some("input.at")));
    let err = operator
        .run::<ops::LogInteraction>(interaction(&x, Kind::NOTE, None, None, "   ", None))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), (Some("VALIDATION"), Some("input.text")));
    let err = tech
        .run::<ops::LogInteraction>(interaction(&x, Kind::NOTE, None, None, "Заметка", None))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));

    // The contact log, filtered. Newest first.
    use ops::interactions::{ContactChannel as FCh, Direction as FDir};
    let (total, texts) = interaction_total(&operator, Some(&x), None, None).await;
    assert_eq!(total, 4);
    assert_eq!(
        texts,
        [
            "Любит утренние часы",
            "Спросил про цены",
            "Позвонили, предложили абонемент",
            "Пришёл посмотреть зал",
        ]
    );
    assert_eq!(
        interaction_total(&operator, Some(&y), None, None).await.0,
        1
    );
    assert_eq!(interaction_total(&tech, None, None, None).await.0, 5);
    let (total, texts) = interaction_total(&operator, None, Some(FCh::PHONE), None).await;
    assert_eq!(
        (total, texts),
        (
            2,
            vec![
                "Перезвонила сама".to_owned(),
                "Позвонили, предложили абонемент".to_owned()
            ]
        )
    );
    assert_eq!(
        interaction_total(&operator, None, None, Some(FDir::INBOUND))
            .await
            .0,
        3
    );
    assert_eq!(
        interaction_total(&operator, Some(&x), None, Some(FDir::INBOUND))
            .await
            .0,
        2
    );
    let (total, texts) =
        interaction_total(&operator, None, Some(FCh::PHONE), Some(FDir::OUTBOUND)).await;
    assert_eq!(
        (total, texts),
        (1, vec!["Позвонили, предложили абонемент".to_owned()])
    );
    assert_eq!(
        interaction_total(&operator, Some(&z), None, None).await.0,
        0
    );

    // Next contacts: "today" is the organisation's day. A contact a minute from now must still
    // fall on today there, so step over a local midnight that is about to come.
    let org = organisation::get(&app.state.db).await.unwrap();
    let tz = Timezone::parse("timezone", &org.default_timezone)
        .unwrap()
        .0;
    let local = Utc::now().with_timezone(&tz);
    let to_midnight = 86_400 - i64::from(local.num_seconds_from_midnight());
    if to_midnight < 150 {
        tokio::time::sleep(Duration::from_secs(to_midnight as u64 + 2)).await;
    }
    let overdue_at = now() - chrono::Duration::days(1);
    let soon = now() + chrono::Duration::minutes(1);
    assert_eq!(
        soon.with_timezone(&tz).date_naive(),
        Utc::now().with_timezone(&tz).date_naive(),
        "a minute from now is still today in {}",
        org.default_timezone
    );
    let set = set_next_contact(&operator, &x, Some(overdue_at), None).await;
    assert_eq!(set.id, x);
    assert_eq!(
        set.next_contact_at.as_deref().map(instant),
        Some(overdue_at)
    );
    assert_eq!(
        set.next_contact_user_id.as_deref(),
        Some(operator_id.as_str())
    );
    set_next_contact(&operator, &y, Some(soon), None).await;
    // Another operator plans a contact for someone else: it is not theirs.
    let two_days_ago = now() - chrono::Duration::days(2);
    let for_other =
        set_next_contact(&other_operator, &z, Some(two_days_ago), Some(&operator_id)).await;
    assert_eq!(
        for_other.next_contact_user_id.as_deref(),
        Some(operator_id.as_str())
    );

    assert_eq!(
        contacts_due(&operator).await,
        vec![
            (z.clone(), true, two_days_ago),
            (x.clone(), true, overdue_at),
            (y.clone(), false, soon),
        ]
    );
    assert!(contacts_due(&other_operator).await.is_empty());

    // No date clears the plan.
    let cleared = set_next_contact(&operator, &x, None, None).await;
    assert_eq!(
        (cleared.next_contact_at, cleared.next_contact_user_id),
        (None, None)
    );
    let due: Vec<String> = contacts_due(&operator)
        .await
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    assert_eq!(due, [z, y]);

    // A note is "an internal note about the client", outside the contact log (no channel, no
    // direction): it must leave the last contact at the WhatsApp message logged before it.
    assert_eq!(
        last_contact_after_note,
        Some(message_at),
        "an internal NOTE moved the client's lastContactAt"
    );
    app.stop().await;
}

fn lead(
    name: &str,
    phone: &str,
    comment: Option<&str>,
    source: &str,
) -> ops::submit_lead::Variables {
    ops::submit_lead::Variables {
        input: ops::submit_lead::LeadInput {
            name: name.into(),
            phone: phone.into(),
            source: Some(source.into()),
            comment: comment.map(Into::into),
            channel: None,
        },
    }
}

async fn find_clients(staff: &Client, search: &str) -> ops::clients::ClientsClients {
    staff
        .run::<ops::Clients>(ops::clients::Variables {
            filter: Some(ops::clients::ClientFilter {
                search: Some(search.into()),
                ..client_filter()
            }),
            sort: None,
            page: None,
        })
        .await
        .unwrap()
        .clients
}

async fn lead_capture(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let anonymous = app.client();
    let manager = app.as_role(Role::Manager).await;

    let comment = "Хочу на пробное занятие в субботу";
    let receipt = anonymous
        .run::<ops::SubmitLead>(lead(
            "Иван Петров",
            "8 (701) 555-44-33",
            Some(comment),
            "Instagram",
        ))
        .await
        .unwrap()
        .submit_lead;
    assert!(receipt.accepted);
    assert!(!receipt.message.is_empty());

    let found = find_clients(&manager, "555 44").await;
    assert_eq!(found.page_info.total, 1);
    let person = &found.items[0];
    assert_eq!(person.phone.as_deref(), Some("+77015554433"));
    assert!(
        person.display_name.contains("Иван") && person.display_name.contains("Петров"),
        "display name {}",
        person.display_name
    );
    assert_eq!(
        person.stage.as_ref().map(|s| s.name.as_str()),
        Some("Первичный контакт")
    );
    assert_eq!(
        person.source.as_ref().map(|s| s.name.as_str()),
        Some("Instagram")
    );
    // The seeded source was reused, not copied.
    let sources = manager
        .run::<ops::ClientSources>(ops::client_sources::Variables)
        .await
        .unwrap()
        .client_sources;
    assert_eq!(
        sources.iter().filter(|s| s.name == "Instagram").count(),
        1,
        "{sources:?}"
    );
    let id = person.id.clone();
    let read = manager
        .run::<ops::Client>(ops::client::Variables { id: id.clone() })
        .await
        .unwrap()
        .client;
    assert_eq!(read.recent_interactions.len(), 1);
    let message = &read.recent_interactions[0];
    assert!(matches!(
        message.kind,
        ops::client::InteractionKind::MESSAGE
    ));
    assert!(matches!(
        message.channel,
        Some(ops::client::ContactChannel::WEBSITE)
    ));
    assert!(matches!(
        message.direction,
        Some(ops::client::Direction::INBOUND)
    ));
    assert_eq!(message.text, comment);
    assert!(read.client_fields.last_contact_at.is_some());

    // The same phone in another spelling: the same client, one more message, the same answer.
    let again = anonymous
        .run::<ops::SubmitLead>(lead(
            "Иван",
            "+77015554433",
            Some("А вечером можно?"),
            "2ГИС",
        ))
        .await
        .unwrap()
        .submit_lead;
    assert_eq!(again, receipt);
    let found = find_clients(&manager, "555 44").await;
    assert_eq!(found.page_info.total, 1);
    assert_eq!(found.items[0].id, id);
    assert_eq!(
        found.items[0].source.as_ref().map(|s| s.name.as_str()),
        Some("Instagram")
    );
    let read = manager
        .run::<ops::Client>(ops::client::Variables { id: id.clone() })
        .await
        .unwrap()
        .client;
    let texts: Vec<&str> = read
        .recent_interactions
        .iter()
        .map(|i| i.text.as_str())
        .collect();
    assert_eq!(texts, ["А вечером можно?", comment]);
    // One lead in the funnel, entered once.
    let figures = funnel(
        &manager,
        Utc::now() - chrono::Duration::hours(1),
        Utc::now() + chrono::Duration::hours(1),
    )
    .await
    .unwrap()
    .funnel_analytics;
    assert_eq!(figures.leads, 1);
    assert_eq!(figures.stages[0].entered, 1);

    // Refused input, named.
    let err = anonymous
        .run::<ops::SubmitLead>(lead("Иван", "12345", None, "Instagram"))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), (Some("VALIDATION"), Some("input.phone")));
    let err = anonymous
        .run::<ops::SubmitLead>(lead("  ", "+7 701 555 00 00", None, "Instagram"))
        .await
        .unwrap_err();
    assert_eq!(refusal(&err), (Some("VALIDATION"), Some("input.name")));
    assert_eq!(
        find_clients(&manager, "7015550000").await.page_info.total,
        0
    );
    app.stop().await;

    // Rate limits: 2 leads per phone and 5 requests per address an hour.
    let app = TestApp::spawn_with(backend, |s| {
        s.leads_per_phone_per_hour = 2;
        s.leads_per_address_per_hour = 5;
    })
    .await;
    let anonymous = app.client();
    let manager = app.as_role(Role::Manager).await;
    for n in 1..=2 {
        anonymous
            .run::<ops::SubmitLead>(lead(
                "Асель",
                "+7 702 000 00 01",
                Some(&format!("Заявка {n}")),
                "Сайт",
            ))
            .await
            .unwrap();
    }
    let err = anonymous
        .run::<ops::SubmitLead>(lead("Асель", "8 702 000 00 01", Some("Заявка 3"), "Сайт"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("RATE_LIMITED"));
    let retry = retry_after(&err).expect("retryAfterSeconds");
    assert!((1..=3600).contains(&retry), "retryAfterSeconds {retry}");
    // The refused lead left nothing behind.
    let asel = find_clients(&manager, "702 000 00 01").await;
    assert_eq!(asel.page_info.total, 1);
    let (total, _) = interaction_total(&manager, Some(&asel.items[0].id), None, None).await;
    assert_eq!(total, 2);

    // Other phones still pass until the address has made 5 requests (the refused one counts).
    for phone in ["+7 702 000 00 02", "+7 702 000 00 03"] {
        anonymous
            .run::<ops::SubmitLead>(lead("Гость", phone, None, "Сайт"))
            .await
            .unwrap();
    }
    let err = anonymous
        .run::<ops::SubmitLead>(lead("Гость", "+7 702 000 00 04", None, "Сайт"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("RATE_LIMITED"));
    assert!(retry_after(&err).is_some_and(|s| s > 0));
    assert_eq!(find_clients(&manager, "702 000").await.page_info.total, 3);
    assert_eq!(
        find_clients(&manager, "7020000004").await.page_info.total,
        0
    );
    app.stop().await;
}

/// A lead nobody answers is lost: a new one is due at once, with the owner of the stage it
/// enters, or, while the stage names nobody, with everyone who works the funnel.
async fn a_new_lead_is_due_today_with_its_stage_owner(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let anonymous = app.client();
    let manager = app.as_role(Role::Manager).await;
    let (operator_id, operator) = user(&app, "lead-owner", Role::Operator).await;
    let (_, other) = user(&app, "lead-other", Role::Operator).await;
    let stages = default_stages(&manager).await;
    let first = stages["Первичный контакт"].clone();
    let owner_of = |input: ops::update_pipeline_stage::UpdatePipelineStageInput| {
        manager.run::<ops::UpdatePipelineStage>(ops::update_pipeline_stage::Variables {
            id: first.clone(),
            input,
        })
    };
    let input = |owner: Option<String>| ops::update_pipeline_stage::UpdatePipelineStageInput {
        name: None,
        color: None,
        position: None,
        outcome: None,
        owner_user_id: owner,
    };

    let before = now();
    anonymous
        .run::<ops::SubmitLead>(lead("Алия", "+7 705 100 00 01", None, "Сайт"))
        .await
        .unwrap();
    let unowned = find_clients(&manager, "705 100 00 01").await.items[0]
        .id
        .clone();
    // Nobody is named: everyone on the funnel sees it due, not overdue.
    for staff in [&manager, &operator, &other] {
        let due = contacts_due(staff).await;
        assert_eq!(due.len(), 1, "{due:?}");
        assert_eq!(due[0].0, unowned);
        assert!(!due[0].1, "due today, not overdue");
        assert!(due[0].2 >= before && due[0].2 <= Utc::now());
    }

    // The first stage is given to one operator: the next lead is theirs alone.
    let named = owner_of(input(Some(operator_id.clone())))
        .await
        .unwrap()
        .update_pipeline_stage;
    assert_eq!(named.owner_user_id.as_deref(), Some(operator_id.as_str()));
    anonymous
        .run::<ops::SubmitLead>(lead("Берик", "+7 705 100 00 02", None, "Сайт"))
        .await
        .unwrap();
    let owned = find_clients(&manager, "705 100 00 02").await.items[0]
        .id
        .clone();
    let ids = |due: Vec<(String, bool, DateTime<Utc>)>| -> Vec<String> {
        let mut ids: Vec<String> = due.into_iter().map(|d| d.0).collect();
        ids.sort();
        ids
    };
    let mut both = vec![unowned.clone(), owned.clone()];
    both.sort();
    assert_eq!(ids(contacts_due(&operator).await), both);
    assert_eq!(
        ids(contacts_due(&other).await),
        std::slice::from_ref(&unowned)
    );
    assert_eq!(
        ids(contacts_due(&manager).await),
        std::slice::from_ref(&unowned)
    );

    // A client account cannot own a stage; null clears the owner.
    let client_user = app.create_user("lead-client", Role::Client).await;
    let err = owner_of(input(Some(client_user.to_string())))
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&err),
        (Some("VALIDATION"), Some("input.ownerUserId"))
    );
    // An absent owner leaves it; null (sent as such: the generated client omits a None)
    // clears it.
    let kept = owner_of(input(None)).await.unwrap().update_pipeline_stage;
    assert_eq!(kept.owner_user_id.as_deref(), Some(operator_id.as_str()));
    let cleared = manager
        .raw(
            "mutation($id: ID!) { updatePipelineStage(id: $id, input: { ownerUserId: null }) { ownerUserId } }",
            serde_json::json!({ "id": first }),
        )
        .await
        .unwrap();
    assert_eq!(
        cleared.data.as_ref().unwrap()["updatePipelineStage"]["ownerUserId"],
        serde_json::Value::Null,
        "{cleared:?}"
    );
    app.stop().await;
}

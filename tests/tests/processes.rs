//! The real binary: the README's demo command, the one-shot commands, and two API processes
//! sharing PostgreSQL + Redis.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use clubgrid_api::{Settings, config::Secret};
use clubgrid_tests::{
    Backend, ServerProcess, TestDb, clubgrid_binary,
    clubgrid_client::{Client, ops},
};
use futures_util::StreamExt;

async fn login(client: &Client, username: &str, password: &str) -> Client {
    let vars = ops::login::Variables {
        username: username.into(),
        password: password.into(),
    };
    let token = client
        .run::<ops::Login>(vars)
        .await
        .expect("login")
        .login
        .access_token;
    client.with_token(token)
}

async fn first_location(client: &Client) -> String {
    let vars = ops::locations::Variables {
        include_inactive: None,
        page: None,
    };
    client
        .run::<ops::Locations>(vars)
        .await
        .expect("locations")
        .locations
        .items[0]
        .id
        .clone()
}

/// Changes a resource through `writer` and waits for `reader`'s live map to see it.
async fn change_is_seen(writer: &Client, reader: &Client, location_id: &str) {
    let vars = ops::resource_status_changed::Variables {
        location_id: location_id.into(),
    };
    let mut live = reader
        .subscribe::<ops::ResourceStatusChanged>(vars)
        .await
        .expect("subscribe");
    let first = tokio::time::timeout(Duration::from_secs(10), live.next())
        .await
        .expect("snapshot in time")
        .expect("open")
        .expect("no error")
        .resource_status_changed;
    assert!(first.snapshot && !first.resources.is_empty());
    let target = first.resources[0].id.clone();
    writer
        .run::<ops::SetResourceStatus>(ops::set_resource_status::Variables {
            id: target.clone(),
            status: ops::set_resource_status::ResourceStatus::OUT_OF_ORDER,
            note: None,
        })
        .await
        .expect("set status");
    let change = tokio::time::timeout(Duration::from_secs(10), live.next())
        .await
        .expect("the change arrives within 10 s")
        .expect("open")
        .expect("no error")
        .resource_status_changed;
    assert!(!change.snapshot);
    assert_eq!(change.resources[0].id, target);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_command_serves_graphiql_logins_and_live_updates() {
    let file = std::env::temp_dir().join(format!(
        "clubgrid-demo-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    let settings = Settings {
        database_url: format!("sqlite://{}?mode=rwc", file.display()),
        ..Settings::default()
    };
    let server = ServerProcess::start_with(&settings, &["--demo"], false).await;
    let graphiql = reqwest::get(format!("{}/graphiql", server.url))
        .await
        .unwrap();
    assert_eq!(graphiql.status(), 200);
    assert!(graphiql.text().await.unwrap().contains("graphiql"));
    let ready = reqwest::get(format!("{}/readyz", server.url))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);

    let admin = login(&server.client(), "admin", "demo12345").await;
    let me = admin.run::<ops::Me>(ops::me::Variables).await.unwrap().me;
    assert!(matches!(me.role, ops::me::Role::ADMIN));
    let tech = login(&server.client(), "tech", "demo12345").await;
    let location = first_location(&admin).await;
    change_is_seen(&tech, &admin, &location).await;
    server.stop().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_events_through_redis() {
    let (db, settings) = TestDb::create(Backend::Postgres).await;
    // Users and venues made through the library on the shared database.
    {
        let seeded = clubgrid_api::AppState::init(settings.clone())
            .await
            .unwrap();
        clubgrid_api::demo::seed(&seeded).await.unwrap();
    }
    let one = ServerProcess::start(&settings).await;
    let two = ServerProcess::start(&settings).await;
    assert_ne!(one.url, two.url);
    let watcher = login(&one.client(), "operator", "demo12345").await;
    let writer = login(&two.client(), "tech", "demo12345").await;
    let location = first_location(&watcher).await;
    change_is_seen(&writer, &watcher, &location).await;
    one.stop().await;
    two.stop().await;
    db.remove().await;
}

/// Three `serve` replicas on one PostgreSQL + Redis: a slot raced for through all three is
/// held once and booked once; a change made on one is seen live on another; and a replica
/// killed under a stream of writes loses none that it acknowledged, while its writer carries
/// on through the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_book_once_and_survive_one_dying() {
    use entity::{location, service, specialist};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use serde_json::json;

    let (db, settings) = TestDb::create(Backend::Postgres).await;
    let seeded = clubgrid_api::AppState::init(settings.clone())
        .await
        .unwrap();
    clubgrid_api::demo::seed(&seeded).await.unwrap();
    let studio = location::Entity::find()
        .filter(location::Column::Name.eq("Студия «Баланс»"))
        .one(&seeded.db)
        .await
        .unwrap()
        .unwrap();
    let massage = service::Entity::find()
        .filter(service::Column::LocationId.eq(studio.id))
        .one(&seeded.db)
        .await
        .unwrap()
        .unwrap();
    let anyone: Vec<i64> = specialist::Entity::find()
        .all(&seeded.db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut replicas = Vec::new();
    for _ in 0..3 {
        replicas.push(ServerProcess::start(&settings).await);
    }
    let mut desks = Vec::new();
    for replica in &replicas {
        desks.push(login(&replica.client(), "operator", "demo12345").await);
    }

    // A free slot in the coming days, raced for through every replica.
    let from = (clubgrid_api::state::wall_clock() + chrono::Duration::days(2)).date_naive();
    let to = from + chrono::Duration::days(7);
    let slots = desks[0]
        .raw(
            "query($l: ID!, $s: ID!, $f: NaiveDate!, $t: NaiveDate!) { availableSlots(locationId: $l, serviceId: $s, from: $f, to: $t) { startsAt specialistId } }",
            json!({ "l": studio.id.to_string(), "s": massage.id.to_string(), "f": from, "t": to }),
        )
        .await
        .unwrap();
    let slot = slots.data.as_ref().unwrap()["availableSlots"][0].clone();
    let specialist = slot["specialistId"]
        .as_str()
        .and_then(|id| id.parse::<i64>().ok());
    assert!(
        specialist.is_some_and(|id| anyone.contains(&id)),
        "a free slot: {slots:?}"
    );
    let hold = json!({ "input": {
        "locationId": studio.id.to_string(),
        "serviceId": massage.id.to_string(),
        "specialistId": slot["specialistId"],
        "startsAt": slot["startsAt"],
    }});
    let attempts = (0..30).map(|i| {
        let desk = desks[i % 3].clone();
        let hold = hold.clone();
        tokio::spawn(async move {
            desk.raw(
                "mutation($input: HoldSlotInput!) { holdSlot(input: $input) { token } }",
                hold,
            )
            .await
            .unwrap()
        })
    });
    let mut tokens = Vec::new();
    for attempt in attempts.collect::<Vec<_>>() {
        let answer = attempt.await.unwrap();
        match answer.errors.first() {
            None => tokens.push(answer.data.unwrap()["holdSlot"]["token"].clone()),
            Some(e) => assert_eq!(e.code(), Some("SLOT_TAKEN"), "{e:?}"),
        }
    }
    assert_eq!(tokens.len(), 1, "one hold among the replicas");
    let client_id = desks[0]
        .raw(
            "mutation { createClient(input: { firstName: \"Гонка\", phone: \"+77010009901\" }) { id } }",
            json!({}),
        )
        .await
        .unwrap()
        .data
        .unwrap()["createClient"]["id"]
        .clone();
    let confirms = (0..30).map(|i| {
        let desk = desks[i % 3].clone();
        let input = json!({ "input": {
            "holdToken": tokens[0],
            "clientId": client_id,
            "payment": "AT_VENUE",
        }});
        tokio::spawn(async move {
            desk.raw(
                "mutation($input: ConfirmBookingInput!) { confirmBooking(input: $input) { id } }",
                input,
            )
            .await
            .unwrap()
        })
    });
    let mut booked = 0;
    for confirm in confirms.collect::<Vec<_>>() {
        let answer = confirm.await.unwrap();
        match answer.errors.first() {
            None => booked += 1,
            Some(e) => assert!(
                matches!(e.code(), Some("SLOT_TAKEN" | "HOLD_EXPIRED")),
                "{e:?}"
            ),
        }
    }
    assert_eq!(booked, 1, "one appointment among the replicas");

    // Live: a change on the first replica reaches a watcher of the third.
    let tech = login(&replicas[0].client(), "tech", "demo12345").await;
    let location_id = first_location(&desks[2]).await;
    change_is_seen(&tech, &desks[2], &location_id).await;

    // Writes through every replica; the second is killed half-way.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..3usize {
        let desks = desks.clone();
        let stop = stop.clone();
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            let mut at = w;
            let mut moved = false;
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let phone = format!("+7701{w}{n:06}");
                let query = format!(
                    "mutation {{ createClient(input: {{ firstName: \"Запись\", phone: \"{phone}\" }}) {{ id }} }}"
                );
                match desks[at].raw(&query, json!({})).await {
                    Ok(answer) if answer.errors.is_empty() => {
                        acknowledged.push((phone, moved));
                    }
                    Ok(answer) => panic!("write refused: {:?}", answer.errors),
                    // The replica is gone: carry on through the next one.
                    Err(_) => {
                        at = (at + 1) % 3;
                        moved = true;
                    }
                }
            }
            acknowledged
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let killed = replicas.remove(1);
    killed.stop().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut all = Vec::new();
    for (w, writer) in writers.into_iter().enumerate() {
        let acknowledged = writer.await.unwrap();
        if w == 1 {
            assert!(
                acknowledged.iter().any(|(_, moved)| *moved),
                "the killed replica's writer carried on elsewhere"
            );
        }
        all.extend(acknowledged.into_iter().map(|(phone, _)| phone));
    }
    let stored = entity::client::Entity::find()
        .filter(entity::client::Column::Phone.is_in(all.clone()))
        .all(&seeded.db)
        .await
        .unwrap()
        .len();
    assert_eq!(stored, all.len(), "every acknowledged write is there");
    for replica in replicas {
        replica.stop().await;
    }
    db.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_shot_commands() {
    let bin = clubgrid_binary().await;
    // export-schema prints exactly schema.graphql.
    let out = tokio::process::Command::new(&bin)
        .arg("export-schema")
        .output()
        .await
        .unwrap();
    assert!(out.status.success());
    let on_disk =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), on_disk);

    let file =
        std::env::temp_dir().join(format!("clubgrid-cli-{}.db", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let run = |args: &[&str], stdin: Option<&'static str>| {
        let bin = bin.clone();
        let url = url.clone();
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        async move {
            let mut cmd = tokio::process::Command::new(bin);
            cmd.args(&args)
                .env("CLUBGRID_DATABASE_URL", url)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            if let Some(input) = stdin {
                use tokio::io::AsyncWriteExt;
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(input.as_bytes())
                    .await
                    .unwrap();
            }
            drop(child.stdin.take());
            child.wait_with_output().await.unwrap()
        }
    };
    assert!(run(&["migrate"], None).await.status.success());
    let created = run(
        &["create-user", "--username", "Boss", "--role", "owner"],
        Some("boss-password\n"),
    )
    .await;
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(String::from_utf8_lossy(&created.stdout).contains("created user boss"));
    // A second user with the same name, a weak password and an unknown role are refused clearly.
    let again = run(
        &["create-user", "--username", "boss", "--role", "owner"],
        Some("boss-password\n"),
    )
    .await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("taken"));
    let weak = run(
        &["create-user", "--username", "kid", "--role", "tech"],
        Some("123\n"),
    )
    .await;
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 8"));
    let role = run(
        &["create-user", "--username", "kid", "--role", "wizard"],
        Some("long-enough\n"),
    )
    .await;
    assert!(String::from_utf8_lossy(&role.stderr).contains("unknown role"));
    assert!(run(&["seed", "--demo"], None).await.status.success());

    // import-clients: a dry run writes nothing, the real run reports each row.
    let csv = std::env::temp_dir().join(format!(
        "clubgrid-import-{}.csv",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(
        &csv,
        "ФИО;Телефон\nСидорова Мария;8 701 777 66 55\nОшибка Номера;12\n",
    )
    .unwrap();
    let csv_path = csv.display().to_string();
    let dry = run(&["import-clients", "--dry-run", &csv_path], None).await;
    let dry_out = String::from_utf8_lossy(&dry.stdout).to_string();
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(
        dry_out.contains(
            "dry run, nothing written; 2 rows: created 1, updated 0, skipped 0, errors 1"
        ),
        "{dry_out}"
    );
    assert!(dry_out.contains("row 3: Error [Телефон]"), "{dry_out}");
    let real = run(&["import-clients", &csv_path], None).await;
    assert!(String::from_utf8_lossy(&real.stdout).contains("2 rows: created 1"));
    let again = run(&["import-clients", &csv_path], None).await;
    assert!(String::from_utf8_lossy(&again.stdout).contains("created 0, updated 0, skipped 1"));
    let png = run(&["import-clients", "/dev/null"], None).await;
    assert!(!png.status.success());
    assert!(String::from_utf8_lossy(&png.stderr).contains("file"));
    let _ = std::fs::remove_file(&csv);

    // serve without a JWT secret (and not in demo mode) refuses to start, saying why.
    let serve = run(&["serve"], None).await;
    assert!(!serve.status.success());
    assert!(String::from_utf8_lossy(&serve.stderr).contains("CLUBGRID_JWT_SECRET"));

    // The user made on the command line can sign in to a server on that database.
    let settings = Settings {
        database_url: url.clone(),
        jwt_secret: Some(Secret::new("s".repeat(40))),
        ..Settings::default()
    };
    let server = ServerProcess::start(&settings).await;
    let boss = login(&server.client(), "boss", "boss-password").await;
    assert_eq!(
        boss.run::<ops::Me>(ops::me::Variables)
            .await
            .unwrap()
            .me
            .username,
        "boss"
    );
    server.stop().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}

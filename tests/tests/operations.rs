//! Running a venue: backups and their restore, the metrics scrape, readiness with the outbox
//! and the disk, JSON logs, and a start-up error a person can act on.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{collections::HashMap, process::Stdio, time::Duration};

use clubgrid_api::{
    Settings,
    auth::actor::Caller,
    backup,
    clients::{fields::RawFields, service as clients},
    config::Secret,
};
use clubgrid_tests::{Backend, TestApp, both_backends, clubgrid_binary};
use sea_orm::{Database, EntityTrait, PaginatorTrait};
use tokio::io::{AsyncBufReadExt, BufReader};

both_backends!(a_backup_restores_the_same_rows);

async fn add_client(app: &TestApp, first: &str, phone: &str) {
    let fields = RawFields {
        first_name: Some(first.into()),
        phone: Some(phone.into()),
        ..RawFields::default()
    }
    .check("input.")
    .unwrap();
    clients::create(&app.state, &Caller::system(), fields)
        .await
        .unwrap();
}

async fn rows(settings: &Settings) -> (u64, u64, u64) {
    let (conn, _) = clubgrid_api::db::connect(settings).await.unwrap();
    let counted = (
        entity::client::Entity::find().count(&conn).await.unwrap(),
        entity::user::Entity::find().count(&conn).await.unwrap(),
        entity::audit_log::Entity::find()
            .count(&conn)
            .await
            .unwrap(),
    );
    conn.close().await.unwrap();
    counted
}

/// A backup taken while the server runs restores to the rows it had: what was written after
/// it is gone, and a database with data is replaced only when forced.
async fn a_backup_restores_the_same_rows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("keeper", entity::enums::Role::Admin).await;
    for (i, name) in ["Асель", "Ерлан", "Мария"].iter().enumerate() {
        add_client(&app, name, &format!("+7705900000{i}")).await;
    }
    let settings = app.state.settings.clone();
    let before = rows(&settings).await;
    let file = std::env::temp_dir().join(format!(
        "clubgrid-backup-{}.{}",
        uuid::Uuid::new_v4().simple(),
        if backend == Backend::Sqlite {
            "db"
        } else {
            "dump"
        }
    ));
    backup::backup(&settings, &app.state.db, &file)
        .await
        .unwrap();
    assert!(std::fs::metadata(&file).unwrap().len() > 0);
    // The same file is never overwritten.
    let again = backup::backup(&settings, &app.state.db, &file).await;
    assert!(again.unwrap_err().contains("already exists"));

    add_client(&app, "Поздний", "+77059000009").await;
    assert_eq!(rows(&settings).await.0, before.0 + 1);

    let refused = backup::restore(&settings, &file, false).await.unwrap_err();
    assert!(refused.contains("--force"), "{refused}");
    backup::restore(&settings, &file, true).await.unwrap();
    assert_eq!(rows(&settings).await, before);
    let _ = std::fs::remove_file(&file);
    app.stop().await;
}

/// Every sample of a Prometheus text scrape: name with its labels, and value.
fn parse_scrape(text: &str) -> HashMap<String, f64> {
    let mut samples = HashMap::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a sample line");
        let value = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("bad value in {line}")),
        };
        assert!(
            series.find('{').is_none() || series.ends_with('}'),
            "bad labels in {line}"
        );
        samples.insert(series.to_owned(), value);
    }
    samples
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_a_burst_of_requests() {
    let token = "metrics-token-for-the-test";
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.metrics_token = Some(Secret::new(token));
    })
    .await;
    let http = reqwest::Client::new();
    let operation = format!("Burst{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let post = |query: String| {
        let http = http.clone();
        let url = format!("{}/graphql", app.url);
        let operation = operation.clone();
        async move {
            http.post(url)
                .json(&serde_json::json!({ "query": query, "operationName": operation }))
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..25 {
        post(format!("query {operation} {{ __typename }}")).await;
    }
    for _ in 0..4 {
        post(format!("query {operation} {{ noSuchField }}")).await;
    }

    let url = format!("{}/metrics", app.url);
    assert_eq!(http.get(&url).send().await.unwrap().status(), 401);
    let wrong = http.get(&url).bearer_auth("nope").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let res = http.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let samples = parse_scrape(&res.text().await.unwrap());
    let labels = |outcome: &str| format!("operation=\"{operation}\",outcome=\"{outcome}\"");
    let get = |name: &str, labels: &str| -> f64 {
        *samples
            .get(&format!("{name}{{{labels}}}"))
            .unwrap_or_else(|| panic!("no {name}{{{labels}}}"))
    };
    assert_eq!(get("clubgrid_graphql_requests_total", &labels("OK")), 25.0);
    assert_eq!(
        get("clubgrid_graphql_requests_total", &labels("VALIDATION")),
        4.0
    );
    let ok = labels("OK");
    assert_eq!(
        get("clubgrid_graphql_request_duration_seconds_count", &ok),
        25.0
    );
    let sum = get("clubgrid_graphql_request_duration_seconds_sum", &ok);
    assert!(sum > 0.0 && sum < 25.0 * 5.0, "latency sum {sum}");
    // Buckets are cumulative and end with every request.
    let mut last = 0.0;
    for bound in clubgrid_api::metrics::BUCKETS {
        let n = get(
            "clubgrid_graphql_request_duration_seconds_bucket",
            &format!("{ok},le=\"{bound}\""),
        );
        assert!(n >= last);
        last = n;
    }
    assert_eq!(
        get(
            "clubgrid_graphql_request_duration_seconds_bucket",
            &format!("{ok},le=\"+Inf\"")
        ),
        25.0
    );
    for gauge in [
        "clubgrid_websockets_open",
        "clubgrid_outbox_backlog",
        "clubgrid_outbox_lag_seconds",
        "clubgrid_sessions_running",
        "clubgrid_shifts_open",
        "clubgrid_db_statements_total",
    ] {
        assert!(samples.contains_key(gauge), "{gauge} missing");
    }
    assert!(get("clubgrid_db_pool_connections", "state=\"max\"") >= 1.0);
    app.stop().await;

    // Without a token the scrape is not served.
    let closed = TestApp::spawn(Backend::Sqlite).await;
    let res = reqwest::get(format!("{}/metrics", closed.url))
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    closed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_reports_the_outbox_and_the_disk() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let res = reqwest::get(format!("{}/readyz", app.url)).await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["outbox"]["status"], "ok");
    assert!(body["outbox"]["backlog"].is_u64());
    assert_eq!(body["outbox"]["threshold"], 1000);
    assert_eq!(body["disk"]["status"], "ok");
    assert!(body["disk"]["freeMb"].as_u64().unwrap() > 0);
    app.stop().await;

    // A disk below its threshold takes the replica out of rotation.
    let full = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.ready_min_free_disk_mb = u64::MAX / 2;
    })
    .await;
    let res = reqwest::get(format!("{}/readyz", full.url)).await.unwrap();
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["disk"]["status"], "low");
    full.stop().await;
}

/// Runs the `clubgrid` binary on `url` and answers (success, stdout, stderr).
async fn clubgrid(url: &str, args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = tokio::process::Command::new(clubgrid_binary().await)
        .args(args)
        .env("CLUBGRID_DATABASE_URL", url)
        .env_remove("CLUBGRID_JWT_SECRET")
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_backs_up_restores_and_says_to_migrate() {
    let dir = std::env::temp_dir().join(format!("clubgrid-ops-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("venue.db").display());
    let secret = "s".repeat(40);

    // An unmigrated database with auto-migration off says what to run.
    let (ok, _, err) = clubgrid(
        &url,
        &["serve"],
        &[
            ("CLUBGRID_AUTO_MIGRATE", "false"),
            ("CLUBGRID_JWT_SECRET", &secret),
            ("CLUBGRID_LISTEN", "127.0.0.1:0"),
        ],
    )
    .await;
    assert!(!ok);
    assert!(err.contains("run `clubgrid migrate`"), "{err}");
    assert!(!err.contains("no such table"), "{err}");

    assert!(clubgrid(&url, &["migrate"], &[]).await.0);
    let (ok, _, err) = clubgrid(
        &url,
        &["create-user", "--username", "boss", "--role", "owner"],
        &[("CLUBGRID_NEW_USER_PASSWORD", "boss-password")],
    )
    .await;
    assert!(ok, "{err}");

    // A backup into the backup directory, named by its time.
    let backups = dir.join("backups");
    let (ok, out, err) = clubgrid(
        &url,
        &["backup"],
        &[("CLUBGRID_BACKUP_DIR", backups.to_str().unwrap())],
    )
    .await;
    assert!(ok, "{err}");
    assert!(out.contains("backup written to"), "{out}");
    let made: Vec<_> = std::fs::read_dir(&backups).unwrap().flatten().collect();
    assert_eq!(made.len(), 1);
    let file = made[0].path();
    assert!(
        file.file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("clubgrid-")
    );
    let file = file.to_str().unwrap().to_owned();

    let (ok, _, err) = clubgrid(&url, &["restore", &file], &[]).await;
    assert!(!ok);
    assert!(err.contains("--force"), "{err}");
    let (ok, out, err) = clubgrid(&url, &["restore", "--force", &file], &[]).await;
    assert!(ok, "{err}");
    assert!(out.contains("restored"), "{out}");
    let conn = Database::connect(&url).await.unwrap();
    let users = entity::user::Entity::find().count(&conn).await.unwrap();
    assert_eq!(users, 1);
    conn.close().await.unwrap();

    // JSON logs: the request line carries the request id and the operation name.
    let mut child = tokio::process::Command::new(clubgrid_binary().await)
        .arg("serve")
        .env("CLUBGRID_DATABASE_URL", &url)
        .env("CLUBGRID_JWT_SECRET", &secret)
        .env("CLUBGRID_LISTEN", "127.0.0.1:0")
        .env("CLUBGRID_LOG_FORMAT", "json")
        .env("CLUBGRID_LOG", "info")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url_line = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let line = lines.next_line().await.unwrap().expect("serve exited");
            if let Some(u) = line.strip_prefix("clubgrid listening on ") {
                return u.trim().to_owned();
            }
        }
    })
    .await
    .unwrap();
    let res = reqwest::Client::new()
        .post(format!("{url_line}/graphql"))
        .json(&serde_json::json!({
            "query": "query LogProbe { __typename }",
            "operationName": "LogProbe"
        }))
        .send()
        .await
        .unwrap();
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let logged = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let line = lines.next_line().await.unwrap().expect("serve exited");
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if json["fields"]["message"] == "graphql request" {
                return json;
            }
        }
    })
    .await
    .expect("a JSON request line");
    assert_eq!(logged["fields"]["request_id"], request_id.as_str());
    assert_eq!(logged["fields"]["operation"], "LogProbe");
    assert_eq!(logged["fields"]["outcome"], "OK");
    child.kill().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

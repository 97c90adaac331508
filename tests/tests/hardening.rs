//! Limits and error hygiene: deep queries, huge pages and bodies, introspection, internal
//! failures that must not leak their cause.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use clubgrid_api::{
    auth::actor::Caller,
    venue::{locations, types},
};
use clubgrid_tests::{Backend, TestApp, both_backends};
use entity::enums::Role;
use sea_orm::ConnectionTrait;
use serde_json::json;

both_backends!(limits_and_malformed_input, internal_errors_hide_their_cause);

async fn limits_and_malformed_input(backend: Backend) {
    // A small body limit, so the refused body still fits the socket buffers and the client
    // reads the 413 instead of a reset connection.
    let app = TestApp::spawn_with(backend, |s| s.json_body_limit_bytes = 64 * 1024).await;
    let admin = app.as_role(Role::Admin).await;

    // 30 levels of zones → location → zones … is refused before anything runs.
    let mut query = String::from("id");
    for level in 0..14 {
        query = if level % 2 == 0 {
            format!("zones {{ {query} }}")
        } else {
            format!("location {{ {query} }}")
        };
    }
    let deep = format!("{{ locations {{ items {{ {query} }} }} }}");
    let response = admin
        .raw(&format!("query {deep}"), json!({}))
        .await
        .unwrap();
    let err = &response.errors[0];
    assert_eq!(err.code(), Some("VALIDATION"), "{err:?}");
    assert!(
        err.message_en().unwrap().contains("nested too deep"),
        "{err:?}"
    );
    assert!(response.data.is_none_or(|d| d.is_null()));

    // Pages are at most 100 items; 10,000 is refused naming the field.
    let response = admin
        .raw(
            "{ resources(page: { limit: 10000 }) { items { id } } }",
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(response.errors[0].code(), Some("VALIDATION"));
    assert_eq!(response.errors[0].field(), Some("page.limit"));

    // Malformed ids and unknown fields are VALIDATION errors too.
    let response = admin
        .raw(r#"{ location(id: "abc") { id } }"#, json!({}))
        .await
        .unwrap();
    assert_eq!(
        (response.errors[0].code(), response.errors[0].field()),
        (Some("VALIDATION"), Some("id"))
    );
    let response = admin.raw("{ locatoins { id } }", json!({})).await.unwrap();
    assert_eq!(response.errors[0].code(), Some("VALIDATION"));
    // Introspection is off outside demo mode, and so are "did you mean" hints.
    assert!(
        !response.errors[0].message.contains("Did you mean"),
        "{:?}",
        response.errors[0]
    );
    let response = admin
        .raw("{ __schema { types { name } } }", json!({}))
        .await
        .unwrap();
    let schema = response.data.as_ref().and_then(|d| d.get("__schema"));
    assert!(
        schema.is_none_or(|s| s.is_null()),
        "introspection answered: {:?}",
        response.data
    );

    // A body over the limit is refused without reaching GraphQL (413, checked in
    // bounds.rs), with a message a person can act on.
    let huge = "x".repeat(app.state.settings.json_body_limit_bytes + 1);
    let response = admin
        .raw(
            "query($s: String!) { organisation { name } }",
            json!({ "s": huge }),
        )
        .await
        .unwrap();
    assert!(response.data.is_none());
    assert_eq!(
        (response.errors[0].code(), response.errors[0].field()),
        (Some("VALIDATION"), Some("body"))
    );
    assert!(response.errors[0].message.contains("64 КиБ"));
    app.stop().await;
}

async fn internal_errors_hide_their_cause(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let viewer = app.as_role(Role::ReadOnly).await;
    let location = locations::create(
        &app.state,
        &Caller::system(),
        types::CreateLocationInput {
            name: "Broken".into(),
            address: "—".into(),
            timezone: None,
        },
    )
    .await
    .unwrap();
    // Break the database under the running server.
    let drop = match backend {
        Backend::Sqlite => "DROP TABLE resource; DROP TABLE zone",
        Backend::Postgres => "DROP TABLE zone CASCADE",
    };
    for statement in drop.split("; ") {
        app.state.db.execute_unprepared(statement).await.unwrap();
    }
    let response = viewer
        .raw(
            &format!(r#"{{ zones(locationId: "{}") {{ id }} }}"#, location.id),
            json!({}),
        )
        .await
        .unwrap();
    let err = &response.errors[0];
    assert_eq!(err.code(), Some("INTERNAL"));
    let request_id = err
        .request_id()
        .expect("an INTERNAL error carries the request id");
    assert_eq!(request_id.len(), 32);
    let said: Vec<_> = response
        .errors
        .iter()
        .map(|e| (&e.message, &e.extensions))
        .collect();
    let text = serde_json::to_string(&said).unwrap().to_lowercase();
    for leak in [
        "zone", "table", "sqlite", "postgres", "relation", "panicked", "src/",
    ] {
        assert!(!text.contains(leak), "the error leaks `{leak}`: {text}");
    }
    app.stop().await;
}

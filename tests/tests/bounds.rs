//! The boundary, one defect class a test: request sizes and methods, text and dates checked
//! once for every argument, phone numbers by their numbering plan, search wildcards, and a
//! hold for a time that has passed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use clubgrid_api::{
    auth::actor::Caller,
    venue::{locations, types},
};
use clubgrid_tests::{Backend, TestApp, both_backends};
use entity::enums::Role;
use serde_json::{Value, json};

both_backends!(
    requests_are_bounded,
    every_argument_is_checked_at_the_boundary,
    phones_follow_their_numbering_plan,
    student_search_takes_wildcards_literally,
    a_query_text_sent_again_is_answered_by_its_own_variables,
);

fn first_error(response: &clubgrid_tests::clubgrid_client::RawResponse) -> (String, String) {
    let err = response.errors.first().expect("an error");
    (
        err.code().unwrap_or_default().to_owned(),
        err.field().unwrap_or_default().to_owned(),
    )
}

async fn requests_are_bounded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.as_role(Role::Admin).await;
    let http = reqwest::Client::new();
    let url = format!("{}/graphql", app.url);

    // A JSON body over 1 MiB is refused before GraphQL, in Russian with the English beside.
    let huge = "x".repeat(app.state.settings.json_body_limit_bytes + 1);
    let response = http
        .post(&url)
        .json(&json!({ "query": "query($s: String!) { organisation { name } }", "variables": { "s": huge } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("слишком большой")
    );
    assert!(body["errors"][0]["extensions"]["messageEn"].is_string());
    assert_eq!(app.state.settings.json_body_limit_bytes, 1024 * 1024);
    assert!(app.state.settings.body_limit_bytes > app.state.settings.json_body_limit_bytes);

    // 1,001 aliases of __typename: refused, though complexity does not count them.
    let aliases: String = (0..1_001).map(|i| format!("a{i}: __typename ")).collect();
    let response = admin
        .raw(&format!("{{ {aliases} }}"), json!({}))
        .await
        .unwrap();
    assert_eq!(
        first_error(&response),
        ("VALIDATION".into(), "query".into())
    );
    assert!(response.errors[0].message.contains("полей"));
    // 900 are fine.
    let aliases: String = (0..900).map(|i| format!("a{i}: __typename ")).collect();
    let response = admin
        .raw(&format!("{{ {aliases} }}"), json!({}))
        .await
        .unwrap();
    assert!(response.errors.is_empty(), "{:?}", response.errors);

    // GET answers queries, and refuses mutations with 405.
    let token = admin.token().unwrap().to_owned();
    let response = http
        .get(&url)
        .bearer_auth(&token)
        .query(&[("query", "{ organisation { name } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body["data"]["organisation"]["name"].is_string(), "{body}");
    let response = http
        .get(&url)
        .bearer_auth(&token)
        .query(&[("query", "mutation { logout }")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let body: Value = response.json().await.unwrap();
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("POST")
    );
    // The logout over GET did not happen.
    let response = admin.raw("{ me { id } }", json!({})).await.unwrap();
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    app.stop().await;
}

async fn every_argument_is_checked_at_the_boundary(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.as_role(Role::Admin).await;
    let location = locations::create(
        &app.state,
        &Caller::system(),
        types::CreateLocationInput {
            name: "Арена".into(),
            address: "—".into(),
            timezone: Some("Asia/Almaty".into()),
        },
    )
    .await
    .unwrap();

    // NUL, in a literal or a variable, at the top or inside an input: VALIDATION naming it.
    let anonymous = app.client();
    let response = anonymous
        .raw(
            "mutation($u: String!) { login(username: $u, password: \"x\") { accessToken } }",
            json!({ "u": "adm\u{0}in" }),
        )
        .await
        .unwrap();
    assert_eq!(
        first_error(&response),
        ("VALIDATION".into(), "username".into())
    );
    let response = admin
        .raw(
            "query($f: ClientFilter) { clients(filter: $f) { pageInfo { total } } }",
            json!({ "f": { "search": "\u{0}", "tag": "ok" } }),
        )
        .await
        .unwrap();
    assert_eq!(
        first_error(&response),
        ("VALIDATION".into(), "filter.search".into())
    );
    let response = admin
        .raw(
            "{ auditLog(filter: { action: \"a\\u0007b\" }) { pageInfo { total } } }",
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(
        first_error(&response),
        ("VALIDATION".into(), "filter.action".into())
    );

    // Dates far outside the calendar: VALIDATION, not a panic or INTERNAL.
    for (from, to) in [
        ("+262142-01-01T00:00:00Z", "+262142-12-31T00:00:00Z"),
        ("-262143-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        ("0000-01-01T00:00:00Z", "9999-12-31T00:00:00Z"),
    ] {
        let response = admin
            .raw(
                "query($l: ID!, $f: DateTime!, $t: DateTime!) { partyOrders(locationId: $l, from: $f, to: $t) { __typename } }",
                json!({ "l": location.id.to_string(), "f": from, "t": to }),
            )
            .await
            .unwrap();
        assert_eq!(
            first_error(&response),
            ("VALIDATION".into(), "from".into()),
            "{from}"
        );
        assert!(
            response.errors[0].message.contains("1900"),
            "{:?}",
            response.errors
        );
    }

    // A hold for a time that has passed is VALIDATION, not SLOT_TAKEN.
    let response = anonymous
        .raw(
            "mutation($i: HoldSlotInput!) { holdSlot(input: $i) { __typename } }",
            json!({ "i": {
                "locationId": location.id.to_string(),
                "serviceId": "1",
                "specialistId": "1",
                "startsAt": "2020-01-01T10:00:00Z",
            } }),
        )
        .await
        .unwrap();
    assert_eq!(
        first_error(&response),
        ("VALIDATION".into(), "input.startsAt".into())
    );
    app.stop().await;
}

async fn phones_follow_their_numbering_plan(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.as_role(Role::Admin).await;
    let create = "mutation($i: CreateClientInput!) { createClient(input: $i) { __typename } }";
    for phone in [
        "+7 701 123 45",
        "+7 701 123 45 678",
        "8 701 123 456",
        "+7 000 000 00 00",
    ] {
        let response = admin
            .raw(
                create,
                json!({ "i": { "firstName": "Нина", "phone": phone } }),
            )
            .await
            .unwrap();
        assert_eq!(
            first_error(&response),
            ("VALIDATION".into(), "input.phone".into()),
            "{phone}"
        );
    }
    let response = admin
        .raw(
            create,
            json!({ "i": { "firstName": "Нина", "phone": "8 (701) 123-45-67" } }),
        )
        .await
        .unwrap();
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    app.stop().await;
}

async fn student_search_takes_wildcards_literally(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.as_role(Role::Admin).await;
    let location = locations::create(
        &app.state,
        &Caller::system(),
        types::CreateLocationInput {
            name: "Додзё".into(),
            address: "—".into(),
            timezone: Some("Asia/Almaty".into()),
        },
    )
    .await
    .unwrap();
    for (name, phone) in [("Арман", "+77010000001"), ("Ержан", "+77010000002")] {
        let response = admin
            .raw(
                "mutation($i: CreateClientInput!) { createClient(input: $i) { id } }",
                json!({ "i": { "firstName": name, "phone": phone } }),
            )
            .await
            .unwrap();
        let client_id = response.data.unwrap()["createClient"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let response = admin
            .raw(
                "mutation($i: CreateStudentInput!) { createStudent(input: $i) { id } }",
                json!({ "i": { "clientId": client_id, "locationId": location.id.to_string(), "track": "ADULTS" } }),
            )
            .await
            .unwrap();
        assert!(response.errors.is_empty(), "{:?}", response.errors);
    }
    let total = |search: &str| {
        let admin = admin.clone();
        let search = search.to_owned();
        async move {
            let response = admin
                .raw(
                    "query($f: StudentFilter) { students(filter: $f) { pageInfo { total } } }",
                    json!({ "f": { "search": search } }),
                )
                .await
                .unwrap();
            assert!(response.errors.is_empty(), "{:?}", response.errors);
            response.data.unwrap()["students"]["pageInfo"]["total"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(total("арман").await, 1);
    assert_eq!(total("%").await, 0);
    assert_eq!(total("_").await, 0);
    assert_eq!(total("ар%н").await, 0);
    app.stop().await;
}

/// The server keeps the parsed document of a query text and gives each request a copy: what
/// one request's variables prune (`@include`, `@skip`) and what one request's arguments are
/// stays with that request.
async fn a_query_text_sent_again_is_answered_by_its_own_variables(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.as_role(Role::Admin).await;
    let query = "query($name: Boolean!, $id: Boolean!) { me { username @include(if: $name) id @skip(if: $id) } }";
    for (name, id) in [
        (true, false),
        (false, true),
        (true, true),
        (false, false),
        (true, false),
    ] {
        let response = admin
            .raw(query, json!({ "name": name, "id": id }))
            .await
            .unwrap();
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let me = &response.data.unwrap()["me"];
        assert_eq!(me.get("username").is_some(), name, "{me}");
        assert_eq!(me.get("id").is_some(), !id, "{me}");
    }
    // A bad argument in a text seen before is still refused, and a good one still answered.
    let lookup = "query($q: String!) { clients(filter: { search: $q }) { items { id } } }";
    let fine = admin.raw(lookup, json!({ "q": "Анна" })).await.unwrap();
    assert!(fine.errors.is_empty(), "{:?}", fine.errors);
    let bad = admin
        .raw(lookup, json!({ "q": "Ан\u{0}на" }))
        .await
        .unwrap();
    assert_eq!(
        first_error(&bad),
        ("VALIDATION".into(), "filter.search".into())
    );
    let fine = admin.raw(lookup, json!({ "q": "Анна" })).await.unwrap();
    assert!(fine.errors.is_empty(), "{:?}", fine.errors);
    app.stop().await;
}

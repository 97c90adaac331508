//! Every root query and mutation, called over HTTP anonymously and as an admin with hostile
//! values of each argument's type: empty and 10,000-character strings, NUL and other control
//! characters, emoji, right-to-left text, integers at the i64 limits, money such as "-1",
//! "1e309", "0.001" and "NaN", dates at year 0000, 9999 and beyond, ids such as "-1", "0" and
//! 20 digits. No call may answer 5xx or INTERNAL, and every error must carry a code of the
//! closed set with a Russian message and an English one.
//!
//! The calls are generated from the schema, so a new field or argument is swept without
//! touching this file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use async_graphql::parser::types::{BaseType, Type, TypeKind};
use clubgrid_tests::{Backend, PASSWORD, TestApp, both_backends, sdl::Sdl};
use entity::enums::Role;
use futures_util::{StreamExt, stream};
use serde_json::{Map, Value, json};

both_backends!(hostile_arguments);

const CODES: &[&str] = &[
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "VALIDATION",
    "CONFLICT",
    "SLOT_TAKEN",
    "HOLD_EXPIRED",
    "RESOURCE_BUSY",
    "RESOURCE_BOOKED",
    "OUT_OF_ORDER",
    "INSUFFICIENT_FUNDS",
    "RATE_LIMITED",
];

fn hostile_strings() -> Vec<Value> {
    vec![
        json!(""),
        json!("x".repeat(10_000)),
        json!("a\u{0}b"),
        json!("\u{0}"),
        json!("bell\u{7}"),
        json!("😀🎉👨‍👩‍👧"),
        json!("\u{202E}שלום עולם مرحبا"),
        json!("%"),
        json!("_"),
        json!("' OR 1=1 --"),
        json!("+262142-01-01T00:00:00Z"),
    ]
}

/// Hostile values of a scalar, by its name in the schema.
fn hostile_scalar(name: &str) -> Vec<Value> {
    match name {
        "ID" => vec![
            json!("-1"),
            json!("0"),
            json!("99999999999999999999"),
            json!("9223372036854775807"),
            json!(""),
            json!("1\u{0}"),
            json!("abc"),
        ],
        "String" => hostile_strings(),
        "Int" => vec![
            json!(0),
            json!(-1),
            json!(i32::MAX),
            json!(i32::MIN),
            json!(i64::MAX),
            json!(i64::MIN),
        ],
        "Float" => vec![json!(-1.0), json!(1e308), json!(0.0)],
        "Boolean" => vec![json!(true), json!(false)],
        "Money" => vec![
            json!("-1"),
            json!("1e309"),
            json!("0.001"),
            json!("NaN"),
            json!(""),
            json!("99999999999999999999"),
            json!("-9223372036854775808"),
            json!("92233720368547758.07"),
        ],
        "DateTime" => vec![
            json!("0000-01-01T00:00:00Z"),
            json!("9999-12-31T23:59:59Z"),
            json!("+262142-12-31T23:59:59Z"),
            json!("-262143-01-01T00:00:00Z"),
            json!("1970-01-01T00:00:00Z"),
            json!("2000-01-01T00:00:00Z"),
        ],
        "NaiveDate" => vec![
            json!("0000-01-01"),
            json!("9999-12-31"),
            json!("+262142-12-31"),
            json!("-262143-01-01"),
            json!("1900-01-01"),
        ],
        "NaiveTime" => vec![json!("23:59:59.999999999"), json!("00:00:00")],
        "JSON" => vec![
            json!({ "a": "\u{0}" }),
            json!("x".repeat(10_000)),
            json!([]),
        ],
        _ => Vec::new(),
    }
}

struct Sweep<'a> {
    sdl: &'a Sdl,
}

impl Sweep<'_> {
    /// A JSON value of the type that the schema accepts: required input fields filled.
    fn sample(&self, ty: &Type) -> Value {
        match &ty.base {
            BaseType::List(inner) => json!([self.sample(inner)]),
            BaseType::Named(name) => match name.as_str() {
                "ID" => json!("1"),
                "String" => json!("x"),
                "Int" => json!(1),
                "Float" => json!(1.5),
                "Boolean" => json!(true),
                "DateTime" => json!("2026-01-01T10:00:00Z"),
                "NaiveDate" => json!("2026-01-01"),
                "NaiveTime" => json!("10:00:00"),
                "Money" => json!("1.00"),
                "JSON" => json!({}),
                other => match self.sdl.kinds.get(other) {
                    Some(TypeKind::Enum(e)) => json!(e.values[0].node.value.node.to_string()),
                    Some(TypeKind::InputObject(input)) => {
                        let mut object = Map::new();
                        for f in &input.fields {
                            if !f.node.ty.node.nullable && f.node.default_value.is_none() {
                                object.insert(
                                    f.node.name.node.to_string(),
                                    self.sample(&f.node.ty.node),
                                );
                            }
                        }
                        Value::Object(object)
                    }
                    _ => Value::Null,
                },
            },
        }
    }

    /// Hostile values of the type: each scalar's own, and for an input object each field in
    /// turn made hostile while the others keep sane values.
    fn hostile(&self, ty: &Type, depth: usize) -> Vec<Value> {
        match &ty.base {
            BaseType::List(inner) => {
                let mut values: Vec<Value> = self
                    .hostile(inner, depth)
                    .into_iter()
                    .map(|v| json!([v]))
                    .collect();
                values.push(json!([]));
                values
            }
            BaseType::Named(name) => match self.sdl.kinds.get(name.as_str()) {
                Some(TypeKind::InputObject(input)) if depth < 3 => {
                    let base = self.sample(ty);
                    let mut values = Vec::new();
                    for f in &input.fields {
                        for v in self.hostile(&f.node.ty.node, depth + 1) {
                            let mut object = base.clone();
                            object[f.node.name.node.as_str()] = v;
                            values.push(object);
                        }
                    }
                    values
                }
                Some(TypeKind::Enum(_)) => vec![json!("NO_SUCH_VALUE")],
                _ => hostile_scalar(name),
            },
        }
    }
}

/// One generated call: the document and its variables.
struct Call {
    document: String,
    variables: Value,
}

fn calls(sdl: &Sdl) -> (Vec<Call>, Vec<String>) {
    let sweep = Sweep { sdl };
    let mut calls = Vec::new();
    let mut skipped = Vec::new();
    for (root, field) in sdl.root_fields() {
        if root == "Subscription" {
            continue;
        }
        let (args, ty) = sdl.field(root, &field);
        if args
            .iter()
            .any(|a| matches!(&a.ty.node.base, BaseType::Named(n) if n.as_str() == "Upload"))
        {
            // Files travel as multipart; the importer has its own hostile files.
            skipped.push(format!("{root}.{field}"));
            continue;
        }
        let keyword = if root == "Query" { "query" } else { "mutation" };
        let declared: Vec<String> = args
            .iter()
            .map(|a| format!("${}: {}", a.name.node, a.ty.node))
            .collect();
        let passed: Vec<String> = args
            .iter()
            .map(|a| format!("{0}: ${0}", a.name.node))
            .collect();
        let document = if args.is_empty() {
            format!("{keyword} {{ {field}{} }}", sdl.selection(&ty))
        } else {
            format!(
                "{keyword}({}) {{ {field}({}){} }}",
                declared.join(", "),
                passed.join(", "),
                sdl.selection(&ty)
            )
        };
        let mut base = Map::new();
        for a in &args {
            if !a.ty.node.nullable && a.default_value.is_none() {
                base.insert(a.name.node.to_string(), sweep.sample(&a.ty.node));
            }
        }
        calls.push(Call {
            document: document.clone(),
            variables: Value::Object(base.clone()),
        });
        for a in &args {
            for value in sweep.hostile(&a.ty.node, 0) {
                let mut variables = base.clone();
                variables.insert(a.name.node.to_string(), value);
                calls.push(Call {
                    document: document.clone(),
                    variables: Value::Object(variables),
                });
            }
        }
    }
    (calls, skipped)
}

async fn login(http: &reqwest::Client, url: &str, username: &str) -> String {
    let response: Value = http
        .post(format!("{url}/graphql"))
        .json(&json!({
            "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }",
            "variables": { "u": username, "p": PASSWORD },
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    response["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("login failed: {response}"))
        .to_owned()
}

/// What was wrong with one answer, if anything.
fn judge(status: reqwest::StatusCode, body: &str) -> Option<String> {
    if status.is_server_error() {
        return Some(format!("HTTP {status}"));
    }
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        // Body-limit and method refusals are plain; only a GraphQL answer is judged.
        return (!status.is_client_error()).then(|| format!("not JSON: {body:.200}"));
    };
    for err in body["errors"].as_array().into_iter().flatten() {
        let code = err["extensions"]["code"].as_str().unwrap_or("");
        if !CODES.contains(&code) {
            return Some(format!("code {code:?}: {err}"));
        }
        if err["extensions"]["messageEn"]
            .as_str()
            .is_none_or(str::is_empty)
        {
            return Some(format!("no messageEn: {err}"));
        }
        if code == "VALIDATION"
            && err["extensions"]["field"]
                .as_str()
                .is_none_or(str::is_empty)
        {
            return Some(format!("VALIDATION without a field: {err}"));
        }
        let message = err["message"].as_str().unwrap_or("");
        if !message
            .chars()
            .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c)))
        {
            return Some(format!("message not in Russian: {err}"));
        }
    }
    None
}

async fn hostile_arguments(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.public_reads_per_address_per_hour = 1_000_000;
        s.public_writes_per_address_per_hour = 1_000_000;
        s.leads_per_address_per_hour = 1_000_000;
        s.leads_per_phone_per_hour = 1_000_000;
    })
    .await;
    // Ids "0" and "1" of the sweep point at these, not at the admin doing the sweep.
    app.create_user("bystander-one", Role::Operator).await;
    app.create_user("bystander-two", Role::Manager).await;
    app.create_user("sweeper", Role::Admin).await;
    let http = reqwest::Client::new();
    let sdl = Sdl::parse();
    let (calls, skipped) = calls(&sdl);
    let made = Arc::new(AtomicUsize::new(0));
    let mut failures: Vec<String> = Vec::new();
    let mut token = login(&http, &app.url, "sweeper").await;
    // Calls of one field run together; between fields the admin signs in again if a call
    // (logout, say) ended its sign-in.
    let mut by_document: Vec<(String, Vec<Value>)> = Vec::new();
    for call in calls {
        match by_document.last_mut() {
            Some((doc, vars)) if *doc == call.document => vars.push(call.variables),
            _ => by_document.push((call.document, vec![call.variables])),
        }
    }
    for (document, variables) in &by_document {
        for who in [None, Some(token.clone())] {
            let results: Vec<Option<String>> = stream::iter(variables.iter())
                .map(|vars| {
                    let http = http.clone();
                    let url = app.url.clone();
                    let who = who.clone();
                    let made = made.clone();
                    async move {
                        let mut request = http
                            .post(format!("{url}/graphql"))
                            .json(&json!({ "query": document, "variables": vars }));
                        if let Some(token) = &who {
                            request = request.bearer_auth(token);
                        }
                        made.fetch_add(1, Ordering::Relaxed);
                        let response = match request.send().await {
                            Ok(r) => r,
                            Err(e) => return Some(format!("no answer: {e}")),
                        };
                        let status = response.status();
                        let body = response.text().await.unwrap_or_default();
                        judge(status, &body).map(|what| {
                            let vars = vars.to_string();
                            let who = if who.is_some() { "admin" } else { "anonymous" };
                            format!(
                                "{document} as {who} with {:.300}: {what:.600}",
                                vars.replace(&"x".repeat(10_000), "x×10000")
                            )
                        })
                    }
                })
                .buffered(1)
                .collect()
                .await;
            failures.extend(results.into_iter().flatten());
        }
        let me: Value = http
            .post(format!("{}/graphql", app.url))
            .bearer_auth(&token)
            .json(&json!({ "query": "{ me { id } }" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if me["data"]["me"].is_null() {
            token = login(&http, &app.url, "sweeper").await;
        }
    }
    let made = made.load(Ordering::Relaxed);
    println!(
        "hostile arguments ({backend:?}): {made} calls over {} documents, {} failed; skipped (uploads): {skipped:?}",
        by_document.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {made} hostile calls answered 5xx, INTERNAL or an error outside the closed set:\n{}",
        failures.len(),
        failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    app.stop().await;
}

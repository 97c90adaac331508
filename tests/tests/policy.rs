//! The guard tests: every root field has a policy entry, and calling every root field as
//! every role (and anonymously) is allowed or refused exactly as the policy table says.
//!
//! Calls are generated from the schema itself, with type-correct placeholder arguments, so a
//! new root field is covered without touching this file.

// Tests stand outside the business clock: they read the machine's time to build their inputs.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use async_graphql::Executor;
use clubgrid_api::{
    auth::{
        actor::Actor,
        policy::{Access, POLICY, access_for},
    },
    build_api,
    context::RequestMeta,
    schema::fill_request_data,
};
use clubgrid_tests::{Backend, TestApp, both_backends, sdl::Sdl};
use entity::enums::Role;
use futures_util::StreamExt;

#[test]
fn every_root_field_has_a_policy_entry_and_every_entry_a_field() {
    let sdl = Sdl::parse();
    let fields: Vec<String> = sdl
        .root_fields()
        .iter()
        .map(|(r, f)| format!("{r}.{f}"))
        .collect();
    let missing: Vec<_> = fields.iter().filter(|f| access_for(f).is_none()).collect();
    assert!(
        missing.is_empty(),
        "root fields without a policy entry: {missing:?}"
    );
    let stale: Vec<_> = POLICY
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| !fields.iter().any(|f| f == k))
        .collect();
    assert!(
        stale.is_empty(),
        "policy entries for fields that do not exist: {stale:?}"
    );
}

both_backends!(every_field_as_every_role);

fn actor_for(role: Option<Role>) -> Actor {
    match role {
        None => Actor::Anonymous,
        Some(Role::Integration) => Actor::ApiKey {
            id: 1,
            name: "matrix".into(),
            role: Role::Integration,
        },
        Some(role) => Actor::User {
            id: 1,
            username: format!("matrix-{}", role.as_str()),
            role,
            jti: uuid::Uuid::new_v4().simple().to_string(),
            expires_at: chrono::Utc::now() + chrono::Duration::minutes(5),
            session: None,
            client_id: None,
        },
    }
}

async fn every_field_as_every_role(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let schema = build_api(app.state.clone());
    let sdl = Sdl::parse();
    let callers: Vec<Option<Role>> = std::iter::once(None)
        .chain(Role::ALL.into_iter().map(Some))
        .collect();
    let mut failures = Vec::new();
    for (root, field) in sdl.root_fields() {
        let key = format!("{root}.{field}");
        let access = access_for(&key).expect("checked by the coverage test");
        let (document, uploads) = sdl.call(root, &field);
        for role in &callers {
            let mut request = async_graphql::Request::new(document.clone());
            if !uploads.is_empty() {
                let vars: serde_json::Map<String, serde_json::Value> = uploads
                    .iter()
                    .map(|u| (u.clone(), serde_json::Value::Null))
                    .collect();
                request = request.variables(async_graphql::Variables::from_json(vars.into()));
                for upload in &uploads {
                    let path = std::env::temp_dir()
                        .join(format!("matrix-{}.csv", uuid::Uuid::new_v4().simple()));
                    std::fs::write(&path, "Имя;Телефон\nАнна;+77011234567\n").unwrap();
                    request.set_upload(
                        &format!("variables.{upload}"),
                        async_graphql::UploadValue {
                            filename: "clients.csv".into(),
                            content_type: Some("text/csv".into()),
                            content: std::fs::File::open(&path).unwrap(),
                        },
                    );
                }
            }
            let meta = RequestMeta::default();
            fill_request_data(&mut request.data, actor_for(*role), None, meta);
            let response = if root == "Subscription" {
                schema
                    .execute_stream(request, None)
                    .next()
                    .await
                    .expect("a first message")
            } else {
                schema.execute(request).await
            };
            let ext = |e: &async_graphql::ServerError, k: &str| {
                e.extensions
                    .as_ref()
                    .and_then(|x| x.get(k))
                    .map(|v| v.to_string().trim_matches('"').to_owned())
            };
            let codes: Vec<String> = response
                .errors
                .iter()
                .filter_map(|e| ext(e, "code"))
                .collect();
            // A refusal by the guard names its policy entry; the operation's own refusals
            // (a wrong password, say) do not.
            let denied_with = response
                .errors
                .iter()
                .find(|e| ext(e, "policy").as_deref() == Some(key.as_str()))
                .and_then(|e| ext(e, "code"));
            let expected = match (access, role) {
                (Access::Public, _) => None,
                (Access::Roles(_), None) => Some("UNAUTHENTICATED"),
                (Access::Roles(roles), Some(r)) if roles.contains(r) => None,
                (Access::Roles(_), Some(_)) => Some("FORBIDDEN"),
            };
            if denied_with.as_deref() != expected {
                let who = role.map_or("anonymous", |r| r.as_str());
                failures.push(format!(
                    "{key} as {who}: expected {expected:?}, got {codes:?} ({document})"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "guards disagree with the policy table:\n{}",
        failures.join("\n")
    );
    app.stop().await;
}

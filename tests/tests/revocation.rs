//! Ending a sign-in ends it at once: every way of ending one (logout, reuse of a spent refresh
//! token, a password change or reset, a role change, deactivation) refuses the access tokens
//! it issued on the next request, and closes its open WebSockets with a 44xx code, as does a
//! WebSocket whose token expires.

// Tests stand outside the business clock: they read the machine's time to build their inputs.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use clubgrid_api::{
    auth::{actor::Caller, tokens::Claims},
    venue::{locations, types},
};
use clubgrid_tests::{Backend, PASSWORD, TestApp, both_backends, clubgrid_client::Client};
use entity::enums::Role;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

both_backends!(
    every_way_of_ending_a_sign_in_refuses_its_tokens_at_once,
    sockets_close_when_their_sign_in_ends_or_their_token_expires,
);

struct SignIn {
    access: String,
    refresh: String,
}

async fn sign_in(app: &TestApp, username: &str, password: &str) -> SignIn {
    let response = app
        .client()
        .raw(
            "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken } }",
            json!({ "u": username, "p": password }),
        )
        .await
        .unwrap();
    let data = response.data.expect("signed in");
    SignIn {
        access: data["login"]["accessToken"].as_str().unwrap().to_owned(),
        refresh: data["login"]["refreshToken"].as_str().unwrap().to_owned(),
    }
}

async fn refresh(app: &TestApp, token: &str) -> Result<SignIn, String> {
    let response = app
        .client()
        .raw(
            "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }",
            json!({ "t": token }),
        )
        .await
        .unwrap();
    match response.data.filter(|d| !d.is_null()) {
        Some(data) => Ok(SignIn {
            access: data["refreshToken"]["accessToken"]
                .as_str()
                .unwrap()
                .to_owned(),
            refresh: data["refreshToken"]["refreshToken"]
                .as_str()
                .unwrap()
                .to_owned(),
        }),
        None => Err(format!("{:?}", response.errors)),
    }
}

/// Whether the access token is still taken: `me` answers, or UNAUTHENTICATED.
async fn accepted(app: &TestApp, access: &str) -> bool {
    let response = app
        .client()
        .with_token(access)
        .raw("{ me { id } }", json!({}))
        .await
        .unwrap();
    match response.errors.first() {
        None => true,
        Some(err) => {
            assert_eq!(err.code(), Some("UNAUTHENTICATED"), "{err:?}");
            false
        }
    }
}

async fn as_admin(app: &TestApp, admin: &Client, query: &str, variables: Value) {
    let response = admin.raw(query, variables).await.unwrap();
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let _ = app;
}

async fn every_way_of_ending_a_sign_in_refuses_its_tokens_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.as_role(Role::Admin).await;
    let user = app.create_user("reva", Role::Operator).await;

    // Reuse of a spent refresh token ends every token of that sign-in, and only that one.
    let first = sign_in(&app, "reva", PASSWORD).await;
    let other = sign_in(&app, "reva", PASSWORD).await;
    let renewed = refresh(&app, &first.refresh).await.unwrap();
    assert!(accepted(&app, &first.access).await && accepted(&app, &renewed.access).await);
    assert!(refresh(&app, &first.refresh).await.is_err());
    assert!(!accepted(&app, &first.access).await, "reuse: first token");
    assert!(
        !accepted(&app, &renewed.access).await,
        "reuse: renewed token"
    );
    assert!(
        accepted(&app, &other.access).await,
        "another sign-in goes on"
    );

    // Logout ends the sign-in: its access token and its refresh token.
    let out = sign_in(&app, "reva", PASSWORD).await;
    let response = app
        .client()
        .with_token(&out.access)
        .raw("mutation { logout }", json!({}))
        .await
        .unwrap();
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    assert!(!accepted(&app, &out.access).await, "logout");
    assert!(
        refresh(&app, &out.refresh).await.is_err(),
        "logout: refresh"
    );

    // A password change ends every other sign-in and the one it was made from; the session
    // it hands back works.
    let elsewhere = sign_in(&app, "reva", PASSWORD).await;
    let here = sign_in(&app, "reva", PASSWORD).await;
    let response = app
        .client()
        .with_token(&here.access)
        .raw(
            "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken } }",
            json!({ "c": PASSWORD, "n": "second-pass-456" }),
        )
        .await
        .unwrap();
    let fresh = response.data.as_ref().unwrap()["changePassword"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !accepted(&app, &elsewhere.access).await,
        "change: elsewhere"
    );
    assert!(!accepted(&app, &here.access).await, "change: here");
    assert!(accepted(&app, &fresh).await, "change: the new session");

    // A reset by an admin, within the same second as the sign-in.
    let before_reset = sign_in(&app, "reva", "second-pass-456").await;
    as_admin(
        &app,
        &admin,
        "mutation($id: ID!) { resetUserPassword(id: $id, newPassword: \"third-pass-789\") { id } }",
        json!({ "id": user.to_string() }),
    )
    .await;
    assert!(!accepted(&app, &before_reset.access).await, "reset");
    assert!(!accepted(&app, &fresh).await, "reset: every sign-in");

    // A role change.
    let before_role = sign_in(&app, "reva", "third-pass-789").await;
    as_admin(
        &app,
        &admin,
        "mutation($id: ID!) { updateUser(id: $id, input: { role: MANAGER }) { id } }",
        json!({ "id": user.to_string() }),
    )
    .await;
    assert!(!accepted(&app, &before_role.access).await, "role change");
    let after_role = sign_in(&app, "reva", "third-pass-789").await;
    assert!(accepted(&app, &after_role.access).await, "signing in again");

    // Deactivation.
    as_admin(
        &app,
        &admin,
        "mutation($id: ID!) { setUserActive(id: $id, active: false) { id } }",
        json!({ "id": user.to_string() }),
    )
    .await;
    assert!(!accepted(&app, &after_role.access).await, "deactivation");
    app.stop().await;
}

/// A graphql-transport-ws connection subscribed to a location's live map.
struct Socket {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Socket {
    async fn open(app: &TestApp, token: &str, location_id: i64) -> Socket {
        let url = format!("{}/graphql", app.url.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (mut stream, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
        stream
            .send(Message::Text(init.to_string().into()))
            .await
            .unwrap();
        let subscribe = json!({
            "id": "1",
            "type": "subscribe",
            "payload": {
                "query": "subscription($l: ID!) { resourceStatusChanged(locationId: $l) { snapshot } }",
                "variables": { "l": location_id.to_string() },
            },
        });
        let mut socket = Socket { stream };
        assert_eq!(socket.next_text().await["type"], "connection_ack");
        socket
            .stream
            .send(Message::Text(subscribe.to_string().into()))
            .await
            .unwrap();
        let first = socket.next_text().await;
        assert_eq!(first["type"], "next", "{first}");
        socket
    }

    async fn next_text(&mut self) -> Value {
        loop {
            match self.stream.next().await {
                Some(Ok(Message::Text(text))) => return serde_json::from_str(&text).unwrap(),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("expected a message, got {other:?}"),
            }
        }
    }

    /// The close code the server ends with, waiting at most `within`.
    async fn closed(mut self, within: Duration) -> u16 {
        let wait = async {
            loop {
                match self.stream.next().await {
                    Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
                    Some(Ok(_)) => {}
                    other => panic!("the socket ended without a close frame: {other:?}"),
                }
            }
        };
        tokio::time::timeout(within, wait)
            .await
            .expect("the socket was not closed in time")
    }
}

async fn sockets_close_when_their_sign_in_ends_or_their_token_expires(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let location = locations::create(
        &app.state,
        &Caller::system(),
        types::CreateLocationInput {
            name: "Live".into(),
            address: "—".into(),
            timezone: None,
        },
    )
    .await
    .unwrap();
    let admin = app.as_role(Role::Admin).await;
    let user = app.create_user("sock", Role::Operator).await;

    // Logout closes the sockets of that sign-in.
    let signed = sign_in(&app, "sock", PASSWORD).await;
    let socket = Socket::open(&app, &signed.access, location.id).await;
    app.client()
        .with_token(&signed.access)
        .raw("mutation { logout }", json!({}))
        .await
        .unwrap();
    assert_eq!(socket.closed(Duration::from_secs(10)).await, 4401, "logout");

    // A password reset closes every socket of the user.
    let signed = sign_in(&app, "sock", PASSWORD).await;
    let socket = Socket::open(&app, &signed.access, location.id).await;
    as_admin(
        &app,
        &admin,
        "mutation($id: ID!) { resetUserPassword(id: $id, newPassword: \"another-pass-1\") { id } }",
        json!({ "id": user.to_string() }),
    )
    .await;
    assert_eq!(socket.closed(Duration::from_secs(10)).await, 4401, "reset");

    // Deactivation.
    let signed = sign_in(&app, "sock", "another-pass-1").await;
    let socket = Socket::open(&app, &signed.access, location.id).await;
    as_admin(
        &app,
        &admin,
        "mutation($id: ID!) { setUserActive(id: $id, active: false) { id } }",
        json!({ "id": user.to_string() }),
    )
    .await;
    assert_eq!(
        socket.closed(Duration::from_secs(10)).await,
        4401,
        "deactivation"
    );

    // A token that expires in two seconds: the socket closes then, with nothing revoked.
    let viewer = app.create_user("short-lived", Role::Operator).await;
    let settings = &app.state.settings;
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: viewer.to_string(),
        role: "operator".into(),
        jti: uuid::Uuid::new_v4().simple().to_string(),
        iss: settings.jwt_issuer.clone(),
        aud: settings.jwt_audience.clone(),
        iat: now,
        exp: now + 2,
        sid: None,
    };
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(
            settings.jwt_secret.as_ref().unwrap().expose().as_bytes(),
        ),
    )
    .unwrap();
    let socket = Socket::open(&app, &token, location.id).await;
    assert_eq!(socket.closed(Duration::from_secs(10)).await, 4401, "expiry");
    app.stop().await;
}

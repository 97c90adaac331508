//! Access tokens that must be refused: each reaches `me` and gets UNAUTHENTICATED.

// Tests stand outside the business clock: they read the machine's time to build their inputs.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use clubgrid_tests::{Backend, PASSWORD, TestApp, both_backends, clubgrid_client::ops};
use entity::enums::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

both_backends!(forged_and_stale_tokens_are_refused);

fn sign(secret: &str, alg: Algorithm, claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn forged_and_stale_tokens_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user_id = app.create_user("victor", Role::Owner).await;
    let secret = app
        .state
        .settings
        .jwt_secret
        .as_ref()
        .unwrap()
        .expose()
        .to_owned();
    let now = chrono::Utc::now().timestamp();
    let claims = |overrides: Value| {
        let mut base = json!({
            "sub": user_id.to_string(), "role": "owner", "jti": uuid::Uuid::new_v4().simple().to_string(),
            "iss": "clubgrid", "aud": "clubgrid-api", "iat": now, "exp": now + 600,
        });
        for (k, v) in overrides.as_object().unwrap() {
            base[k] = v.clone();
        }
        base
    };

    // The honest token works, so every refusal below is about the one thing changed.
    let honest = sign(&secret, Algorithm::HS256, &claims(json!({})));
    let me = |token: String| {
        let client = app.client().with_token(token);
        async move { client.run::<ops::Me>(ops::me::Variables).await }
    };
    assert_eq!(me(honest.clone()).await.unwrap().me.username, "victor");

    let parts: Vec<&str> = honest.split('.').collect();
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{none_header}.{}.", parts[1]);
    let tampered_payload = URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&claims(json!({ "sub": "999999", "role": "owner" }))).unwrap());
    let tampered = format!("{}.{tampered_payload}.{}", parts[0], parts[2]);

    let cases = [
        ("alg none", alg_none),
        (
            "wrong algorithm",
            sign(&secret, Algorithm::HS512, &claims(json!({}))),
        ),
        (
            "wrong secret",
            sign(&"z".repeat(40), Algorithm::HS256, &claims(json!({}))),
        ),
        (
            "wrong audience",
            sign(
                &secret,
                Algorithm::HS256,
                &claims(json!({ "aud": "someone-else" })),
            ),
        ),
        (
            "wrong issuer",
            sign(&secret, Algorithm::HS256, &claims(json!({ "iss": "evil" }))),
        ),
        (
            "expired",
            sign(
                &secret,
                Algorithm::HS256,
                &claims(json!({ "iat": now - 7200, "exp": now - 3600 })),
            ),
        ),
        (
            "string exp",
            sign(
                &secret,
                Algorithm::HS256,
                &claims(json!({ "exp": (now + 600).to_string() })),
            ),
        ),
        ("no exp", {
            let mut c = claims(json!({}));
            c.as_object_mut().unwrap().remove("exp");
            sign(&secret, Algorithm::HS256, &c)
        }),
        ("tampered payload", tampered),
        ("garbage", "not-a-token".to_owned()),
    ];
    for (what, token) in cases {
        let err = me(token).await.expect_err(what);
        assert_eq!(err.code(), Some("UNAUTHENTICATED"), "{what}: {err}");
    }

    // A token used after logout is refused, with a message that says why.
    let real = app.login("victor", PASSWORD).await;
    real.run::<ops::Logout>(ops::logout::Variables {
        refresh_token: None,
    })
    .await
    .unwrap();
    let err = real.run::<ops::Me>(ops::me::Variables).await.unwrap_err();
    assert_eq!(err.code(), Some("UNAUTHENTICATED"));
    assert!(
        err.errors()[0].message_en().unwrap().contains("revoked"),
        "{err}"
    );

    // An expired token is told apart from a forged one.
    let expired = sign(
        &secret,
        Algorithm::HS256,
        &claims(json!({ "iat": now - 7200, "exp": now - 3600 })),
    );
    let err = me(expired).await.unwrap_err();
    assert!(
        err.errors()[0].message_en().unwrap().contains("expired"),
        "{err}"
    );
    app.stop().await;
}

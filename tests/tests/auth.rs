//! Sign-in, token rotation, sign-out, user management and API keys, end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use clubgrid_tests::{
    Backend, PASSWORD, TestApp, audit_filter, both_backends,
    clubgrid_client::{Client, ops},
};
use entity::enums::Role;

fn login_vars(username: &str, password: &str) -> ops::login::Variables {
    ops::login::Variables {
        username: username.into(),
        password: password.into(),
    }
}

async fn me(
    client: &Client,
) -> Result<ops::me::ResponseData, clubgrid_tests::clubgrid_client::ClientError> {
    client.run::<ops::Me>(ops::me::Variables).await
}

both_backends!(
    login_me_refresh_logout,
    refresh_token_reuse_revokes_the_family,
    failed_logins_are_slowed_then_refused,
    user_management,
    api_keys_act_with_their_role_until_revoked,
    change_password_ends_other_sessions,
);

async fn login_me_refresh_logout(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("Anna.Admin", Role::Admin).await;

    // Usernames are case-insensitive; the stored form is lower-case.
    let tokens = app
        .client()
        .run::<ops::Login>(login_vars("ANNA.ADMIN", PASSWORD))
        .await
        .unwrap()
        .login;
    assert_eq!(tokens.user.username, "anna.admin");
    assert!(matches!(tokens.user.role, ops::login::Role::ADMIN));

    let client = app.client().with_token(&tokens.access_token);
    assert_eq!(me(&client).await.unwrap().me.username, "anna.admin");

    // A refresh gives a working new pair; the old access token still works until it expires.
    let renewed = app
        .client()
        .run::<ops::RefreshToken>(ops::refresh_token::Variables {
            refresh_token: tokens.refresh_token.clone(),
        })
        .await
        .unwrap()
        .refresh_token;
    assert_ne!(renewed.refresh_token, tokens.refresh_token);
    let renewed_client = app.client().with_token(&renewed.access_token);
    assert_eq!(me(&renewed_client).await.unwrap().me.username, "anna.admin");

    // Logout revokes this access token and the refresh token's whole sign-in.
    renewed_client
        .run::<ops::Logout>(ops::logout::Variables {
            refresh_token: Some(renewed.refresh_token.clone()),
        })
        .await
        .unwrap();
    let err = me(&renewed_client).await.unwrap_err();
    assert_eq!(err.code(), Some("UNAUTHENTICATED"));
    let err = app
        .client()
        .run::<ops::RefreshToken>(ops::refresh_token::Variables {
            refresh_token: renewed.refresh_token,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UNAUTHENTICATED"));

    // Wrong password: one message for unknown user and wrong password alike.
    let wrong = app
        .client()
        .run::<ops::Login>(login_vars("anna.admin", "nope-nope-nope"))
        .await
        .unwrap_err();
    let unknown = app
        .client()
        .run::<ops::Login>(login_vars("nobody", "nope-nope-nope"))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Some("UNAUTHENTICATED"));
    assert_eq!(wrong.errors()[0].message, unknown.errors()[0].message);

    // Sign-ins and sign-outs are in the audit log.
    let owner = app.as_role(Role::Owner).await;
    let log = owner
        .run::<ops::AuditLog>(ops::audit_log::Variables {
            filter: Some(ops::audit_log::AuditFilter {
                action: Some("auth.logout".into()),
                ..audit_filter()
            }),
            page: None,
        })
        .await
        .unwrap();
    assert_eq!(log.audit_log.page_info.total, 1);
    assert_eq!(log.audit_log.items[0].actor_label, "anna.admin");
    app.stop().await;
}

async fn refresh_token_reuse_revokes_the_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("oleg", Role::Operator).await;
    let first = app
        .client()
        .run::<ops::Login>(login_vars("oleg", PASSWORD))
        .await
        .unwrap()
        .login;
    let refresh = |token: String| {
        let client = app.client();
        async move {
            client
                .run::<ops::RefreshToken>(ops::refresh_token::Variables {
                    refresh_token: token,
                })
                .await
        }
    };
    let second = refresh(first.refresh_token.clone())
        .await
        .unwrap()
        .refresh_token;
    // Replaying the spent token is refused and ends the whole sign-in…
    let err = refresh(first.refresh_token.clone()).await.unwrap_err();
    assert_eq!(err.code(), Some("UNAUTHENTICATED"));
    assert!(
        err.errors()[0]
            .message_en()
            .unwrap()
            .contains("already used")
    );
    // …so the legitimate newer token is dead too.
    let err = refresh(second.refresh_token).await.unwrap_err();
    assert_eq!(err.code(), Some("UNAUTHENTICATED"));
    // A fresh sign-in starts a new family that works.
    let again = app
        .client()
        .run::<ops::Login>(login_vars("oleg", PASSWORD))
        .await
        .unwrap()
        .login;
    assert!(refresh(again.refresh_token).await.is_ok());
    app.stop().await;
}

async fn failed_logins_are_slowed_then_refused(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.login_max_failures = 4;
    })
    .await;
    app.create_user("tim", Role::Tech).await;
    for _ in 0..4 {
        let err = app
            .client()
            .run::<ops::Login>(login_vars("tim", "wrong-password"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("UNAUTHENTICATED"));
    }
    // Even the right password is refused while the username is locked.
    let err = app
        .client()
        .run::<ops::Login>(login_vars("tim", PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("RATE_LIMITED"));
    let ext = err.errors()[0].extensions.as_ref().unwrap();
    assert!(
        ext.get("retryAfterSeconds")
            .and_then(|v| v.as_u64())
            .unwrap()
            > 0
    );
    // Other users are not affected.
    app.create_user("tina", Role::Tech).await;
    assert!(
        app.client()
            .run::<ops::Login>(login_vars("tina", PASSWORD))
            .await
            .is_ok()
    );
    app.stop().await;
}

async fn user_management(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.as_role(Role::Admin).await;
    let create = |username: &str, role: ops::create_user::Role, password: &str| {
        ops::create_user::Variables {
            input: ops::create_user::CreateUserInput {
                username: username.into(),
                display_name: Some("Дана".into()),
                password: password.into(),
                role,
            },
        }
    };
    let dana = admin
        .run::<ops::CreateUser>(create(
            "dana",
            ops::create_user::Role::OPERATOR,
            "operator-pass",
        ))
        .await
        .unwrap()
        .create_user;
    assert_eq!(dana.display_name, "Дана");

    // Duplicate usernames, weak passwords and bad names are refused with a reason.
    let err = admin
        .run::<ops::CreateUser>(create(
            "DANA",
            ops::create_user::Role::OPERATOR,
            "operator-pass",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("CONFLICT"));
    let err = admin
        .run::<ops::CreateUser>(create("newbie", ops::create_user::Role::OPERATOR, "short"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("VALIDATION"));
    assert_eq!(err.errors()[0].field(), Some("password"));
    let err = admin
        .run::<ops::CreateUser>(create(
            "имя",
            ops::create_user::Role::OPERATOR,
            "operator-pass",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("username"));

    // An admin cannot make owners; an owner can.
    let err = admin
        .run::<ops::CreateUser>(create(
            "boss",
            ops::create_user::Role::OWNER,
            "owner-pass-1",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));

    // A role change ends the sign-ins made under the old role at once; signing in again
    // gives the new one.
    let old_role_client = app.login("dana", "operator-pass").await;
    admin
        .run::<ops::UpdateUser>(ops::update_user::Variables {
            id: dana.id.clone(),
            input: ops::update_user::UpdateUserInput {
                display_name: None,
                role: Some(ops::update_user::Role::MANAGER),
            },
        })
        .await
        .unwrap();
    assert_eq!(
        me(&old_role_client).await.unwrap_err().code(),
        Some("UNAUTHENTICATED")
    );
    let dana_client = app.login("dana", "operator-pass").await;
    assert!(matches!(
        me(&dana_client).await.unwrap().me.role,
        ops::me::Role::MANAGER
    ));

    // Deactivation ends the session and blocks sign-in; reactivation restores sign-in.
    admin
        .run::<ops::SetUserActive>(ops::set_user_active::Variables {
            id: dana.id.clone(),
            active: false,
        })
        .await
        .unwrap();
    assert_eq!(
        me(&dana_client).await.unwrap_err().code(),
        Some("UNAUTHENTICATED")
    );
    let err = app
        .client()
        .run::<ops::Login>(login_vars("dana", "operator-pass"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UNAUTHENTICATED"));
    let listed = admin
        .run::<ops::Users>(ops::users::Variables {
            include_inactive: Some(false),
            page: None,
        })
        .await
        .unwrap();
    assert!(listed.users.items.iter().all(|u| u.username != "dana"));
    admin
        .run::<ops::SetUserActive>(ops::set_user_active::Variables {
            id: dana.id.clone(),
            active: true,
        })
        .await
        .unwrap();

    // A reset password works and the old one does not.
    admin
        .run::<ops::ResetUserPassword>(ops::reset_user_password::Variables {
            id: dana.id.clone(),
            new_password: "brand-new-pass".into(),
        })
        .await
        .unwrap();
    assert!(
        app.client()
            .run::<ops::Login>(login_vars("dana", "operator-pass"))
            .await
            .is_err()
    );
    assert!(
        app.client()
            .run::<ops::Login>(login_vars("dana", "brand-new-pass"))
            .await
            .is_ok()
    );

    // Each change left an audit row about dana.
    let owner = app.as_role(Role::Owner).await;
    let log = owner
        .run::<ops::AuditLog>(ops::audit_log::Variables {
            filter: Some(ops::audit_log::AuditFilter {
                entity: Some("user".into()),
                entity_id: Some(dana.id.clone()),
                ..audit_filter()
            }),
            page: Some(ops::audit_log::PageInput {
                limit: Some(100),
                offset: None,
            }),
        })
        .await
        .unwrap();
    let actions: Vec<_> = log
        .audit_log
        .items
        .iter()
        .map(|e| e.action.as_str())
        .collect();
    for expected in [
        "user.create",
        "user.update",
        "user.deactivate",
        "user.activate",
        "user.reset_password",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    app.stop().await;
}

async fn api_keys_act_with_their_role_until_revoked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.as_role(Role::Admin).await;
    let created = admin
        .run::<ops::CreateApiKey>(ops::create_api_key::Variables {
            name: "Касса".into(),
            role: ops::create_api_key::Role::INTEGRATION,
        })
        .await
        .unwrap()
        .create_api_key;
    assert!(created.secret.starts_with(&created.api_key.prefix));
    let key = app.client().with_token(&created.secret);
    // An integration reads venue data…
    let locations = key
        .run::<ops::Locations>(ops::locations::Variables {
            include_inactive: None,
            page: None,
        })
        .await
        .unwrap();
    assert_eq!(locations.locations.page_info.total, 0);
    // …but is not a person and may not manage users.
    let err = key
        .run::<ops::Users>(ops::users::Variables {
            include_inactive: None,
            page: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FORBIDDEN"));
    // The secret is stored hashed: it never appears in the key list.
    let keys = admin
        .run::<ops::ApiKeys>(ops::api_keys::Variables {
            include_revoked: None,
        })
        .await
        .unwrap();
    assert_eq!(keys.api_keys.page_info.total, 1);

    // Owner-role keys are refused outright.
    let err = admin
        .run::<ops::CreateApiKey>(ops::create_api_key::Variables {
            name: "root".into(),
            role: ops::create_api_key::Role::OWNER,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("VALIDATION"));

    admin
        .run::<ops::RevokeApiKey>(ops::revoke_api_key::Variables {
            id: created.api_key.id.clone(),
        })
        .await
        .unwrap();
    let err = key
        .run::<ops::Locations>(ops::locations::Variables {
            include_inactive: None,
            page: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UNAUTHENTICATED"));
    app.stop().await;
}

async fn change_password_ends_other_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pavel", Role::Trainer).await;
    let laptop = app.login("pavel", PASSWORD).await;
    let phone = app.login("pavel", PASSWORD).await;

    let err = laptop
        .run::<ops::ChangePassword>(ops::change_password::Variables {
            current_password: "not-my-password".into(),
            new_password: "better-pass-2".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.errors()[0].field(), Some("currentPassword"));

    // Tokens are checked against the second the password changed; step past it.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let fresh = laptop
        .run::<ops::ChangePassword>(ops::change_password::Variables {
            current_password: PASSWORD.into(),
            new_password: "better-pass-2".into(),
        })
        .await
        .unwrap()
        .change_password;
    assert_eq!(
        me(&phone).await.unwrap_err().code(),
        Some("UNAUTHENTICATED")
    );
    let laptop = app.client().with_token(fresh.access_token);
    assert_eq!(me(&laptop).await.unwrap().me.username, "pavel");
    app.stop().await;
}

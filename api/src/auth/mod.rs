//! Staff accounts, sign-in, tokens, API keys, and the guard every root field carries.

pub mod actor;
pub mod api_keys;
pub mod cache;
pub mod limiter;
pub mod loaders;
pub mod password;
pub mod policy;
pub mod revocation;
pub mod service;
pub mod tokens;
pub mod types;
pub mod users;

use async_graphql::{Context, ID, Object};
use entity::enums::Role;

use crate::{
    context::ContextExt,
    domain::parse_id,
    error::{AppError, IntoGql},
    pagination::{Page, PageInput},
};
use actor::Actor;
use policy::policy;
use types::{
    ApiKey, ApiKeyPage, AuthPayload, CreateUserInput, CreatedApiKey, UpdateUserInput, User,
    UserPage,
};

#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The signed-in user.
    #[graphql(guard = "policy(\"Query.me\")")]
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let state = ctx.state()?;
        match ctx.actor() {
            Actor::User { id, jti, .. } => match state.auth_cache.user(jti) {
                Some(user) => Ok(user.into()),
                None => users::get(state, *id).await.map(Into::into).gql(),
            },
            _ => Err(AppError::forbidden()).gql(),
        }
    }

    /// Staff accounts, by username.
    #[graphql(guard = "policy(\"Query.users\")")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Include deactivated ones (default false).")] include_inactive: Option<
            bool,
        >,
        page: Option<PageInput>,
    ) -> async_graphql::Result<UserPage> {
        let state = ctx.state()?;
        let (items, page_info) = users::list(
            state,
            include_inactive.unwrap_or(false),
            Page::asked(ctx, page).gql()?,
        )
        .await
        .gql()?;
        Ok(UserPage {
            items: items.into_iter().map(Into::into).collect(),
            page_info,
        })
    }

    /// One staff account.
    #[graphql(guard = "policy(\"Query.user\")")]
    async fn user(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<User> {
        let state = ctx.state()?;
        users::get(state, parse_id("id", &id).gql()?)
            .await
            .map(Into::into)
            .gql()
    }

    /// API keys, newest first.
    #[graphql(guard = "policy(\"Query.apiKeys\")")]
    async fn api_keys(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Include revoked keys (default false).")] include_revoked: Option<bool>,
        page: Option<PageInput>,
    ) -> async_graphql::Result<ApiKeyPage> {
        let state = ctx.state()?;
        let (items, page_info) = api_keys::list(
            state,
            include_revoked.unwrap_or(false),
            Page::asked(ctx, page).gql()?,
        )
        .await
        .gql()?;
        Ok(ApiKeyPage {
            items: items.into_iter().map(Into::into).collect(),
            page_info,
        })
    }
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Signs in with a username and password.
    #[graphql(guard = "policy(\"Mutation.login\")")]
    async fn login(
        &self,
        ctx: &Context<'_>,
        username: String,
        password: String,
    ) -> async_graphql::Result<AuthPayload> {
        let state = ctx.state()?;
        service::login(state, &ctx.caller(), &username, &password)
            .await
            .map(Into::into)
            .gql()
    }

    /// Exchanges a refresh token for a new access and refresh token; the old one stops working.
    #[graphql(guard = "policy(\"Mutation.refreshToken\")")]
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        refresh_token: String,
    ) -> async_graphql::Result<AuthPayload> {
        let state = ctx.state()?;
        service::refresh(state, &ctx.caller(), &refresh_token)
            .await
            .map(Into::into)
            .gql()
    }

    /// Signs out: the access token and the given refresh token's sign-in stop working.
    #[graphql(guard = "policy(\"Mutation.logout\")")]
    async fn logout(
        &self,
        ctx: &Context<'_>,
        refresh_token: Option<String>,
    ) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        service::logout(state, &ctx.caller(), refresh_token.as_deref())
            .await
            .gql()?;
        Ok(true)
    }

    /// Changes the caller's own password; other sessions end and a fresh one is returned.
    #[graphql(guard = "policy(\"Mutation.changePassword\")")]
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> async_graphql::Result<AuthPayload> {
        let state = ctx.state()?;
        users::change_own_password(state, &ctx.caller(), &current_password, &new_password)
            .await
            .map(Into::into)
            .gql()
    }

    /// Creates a staff account.
    #[graphql(guard = "policy(\"Mutation.createUser\")")]
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserInput,
    ) -> async_graphql::Result<User> {
        let state = ctx.state()?;
        let new = users::NewUser {
            username: input.username,
            display_name: input.display_name,
            password: input.password,
            role: input.role,
        };
        users::create(state, &ctx.caller(), new)
            .await
            .map(Into::into)
            .gql()
    }

    /// Renames a user or changes their role.
    #[graphql(guard = "policy(\"Mutation.updateUser\")")]
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateUserInput,
    ) -> async_graphql::Result<User> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        users::update(state, &ctx.caller(), id, input.display_name, input.role)
            .await
            .map(Into::into)
            .gql()
    }

    /// Deactivates (ending every session) or reactivates a user.
    #[graphql(guard = "policy(\"Mutation.setUserActive\")")]
    async fn set_user_active(
        &self,
        ctx: &Context<'_>,
        id: ID,
        active: bool,
    ) -> async_graphql::Result<User> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        users::set_active(state, &ctx.caller(), id, active)
            .await
            .map(Into::into)
            .gql()
    }

    /// Sets a new password for a user and ends their sessions.
    #[graphql(guard = "policy(\"Mutation.resetUserPassword\")")]
    async fn reset_user_password(
        &self,
        ctx: &Context<'_>,
        id: ID,
        new_password: String,
    ) -> async_graphql::Result<User> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        users::reset_password(state, &ctx.caller(), id, &new_password)
            .await
            .map(Into::into)
            .gql()
    }

    /// Creates an API key; its secret is in the answer and nowhere else.
    #[graphql(guard = "policy(\"Mutation.createApiKey\")")]
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        name: String,
        role: Role,
    ) -> async_graphql::Result<CreatedApiKey> {
        let state = ctx.state()?;
        let (key, secret) = api_keys::create(state, &ctx.caller(), &name, role)
            .await
            .gql()?;
        Ok(CreatedApiKey {
            api_key: key.into(),
            secret,
        })
    }

    /// Revokes an API key at once.
    #[graphql(guard = "policy(\"Mutation.revokeApiKey\")")]
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ApiKey> {
        let state = ctx.state()?;
        let id = parse_id("id", &id).gql()?;
        api_keys::revoke(state, &ctx.caller(), id)
            .await
            .map(Into::into)
            .gql()
    }
}

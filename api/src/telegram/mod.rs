//! Telegram: linking people's Telegram accounts to their logins, the bot's sign-in for a
//! linked account, and the bot's conversation state. The bot (`clients/bot`) is a client of
//! this API like any other; the fields it alone may call are guarded by the `BOT` role of its
//! API key.

pub mod chats;
pub mod linking;
pub mod types;

use async_graphql::{Context, ID, Object};

use crate::{auth::policy::policy, context::ContextExt, domain::parse_id, error::IntoGql};
use linking::{SharedContact, TelegramUser};
use types::{
    SharedContactInput, TelegramAccount, TelegramLinkCode, TelegramSession, TelegramUserInput,
};

fn telegram_user(input: TelegramUserInput) -> async_graphql::Result<TelegramUser> {
    Ok(TelegramUser {
        telegram_user_id: parse_id("who.telegramUserId", &input.telegram_user_id).gql()?,
        chat_id: parse_id("who.chatId", &input.chat_id).gql()?,
        language: input.language,
    })
}

#[derive(Default)]
pub struct TelegramQuery;

#[Object]
impl TelegramQuery {
    /// Where the bot's conversation in a chat stands (the bot's own JSON), if anywhere.
    #[graphql(guard = "policy(\"Query.botChatState\")")]
    async fn bot_chat_state(
        &self,
        ctx: &Context<'_>,
        chat_id: ID,
    ) -> async_graphql::Result<Option<String>> {
        let state = ctx.state()?;
        chats::get(state, parse_id("chatId", &chat_id).gql()?)
            .await
            .gql()
    }
}

#[derive(Default)]
pub struct TelegramMutation;

#[Object]
impl TelegramMutation {
    /// A one-time code that links the caller's Telegram account when sent to the bot.
    #[graphql(guard = "policy(\"Mutation.createTelegramLinkCode\")")]
    async fn create_telegram_link_code(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<TelegramLinkCode> {
        let state = ctx.state()?;
        let (code, expires_at) = linking::create_code(state, &ctx.caller()).await.gql()?;
        Ok(TelegramLinkCode { code, expires_at })
    }

    /// Unlinks the caller's Telegram accounts; the bot stops acting for them at once.
    #[graphql(guard = "policy(\"Mutation.unlinkTelegram\")")]
    async fn unlink_telegram(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let state = ctx.state()?;
        let gone = linking::unlink(state, &ctx.caller()).await.gql()?;
        Ok(i32::try_from(gone).unwrap_or(i32::MAX))
    }

    /// The bot: links a Telegram user to the staff member whose link code they sent.
    #[graphql(guard = "policy(\"Mutation.linkTelegramStaff\")")]
    async fn link_telegram_staff(
        &self,
        ctx: &Context<'_>,
        code: String,
        who: TelegramUserInput,
    ) -> async_graphql::Result<TelegramAccount> {
        let state = ctx.state()?;
        linking::link_staff(state, &ctx.caller(), &code, telegram_user(who)?)
            .await
            .map(Into::into)
            .gql()
    }

    /// The bot: links a Telegram user to the client with the phone they shared (made if new).
    #[graphql(guard = "policy(\"Mutation.linkTelegramClient\")")]
    async fn link_telegram_client(
        &self,
        ctx: &Context<'_>,
        contact: SharedContactInput,
        who: TelegramUserInput,
    ) -> async_graphql::Result<TelegramAccount> {
        let state = ctx.state()?;
        let contact = SharedContact {
            phone: contact.phone,
            first_name: contact.first_name,
            last_name: contact.last_name,
        };
        linking::link_client(state, &ctx.caller(), contact, telegram_user(who)?)
            .await
            .map(Into::into)
            .gql()
    }

    /// The bot: an access token for the login a Telegram user is linked to; null when they are
    /// not linked (or their link ended with their sign-ins).
    #[graphql(guard = "policy(\"Mutation.telegramSignIn\")")]
    async fn telegram_sign_in(
        &self,
        ctx: &Context<'_>,
        telegram_user_id: ID,
    ) -> async_graphql::Result<Option<TelegramSession>> {
        let state = ctx.state()?;
        let id = parse_id("telegramUserId", &telegram_user_id).gql()?;
        let Some((account, login, access_token, expires_at)) =
            linking::sign_in(state, id).await.gql()?
        else {
            return Ok(None);
        };
        let client_id = crate::clients::identity::client_of(&state.db, login.id)
            .await
            .gql()?;
        Ok(Some(TelegramSession {
            access_token,
            expires_at,
            user_id: login.id.into(),
            role: login.role,
            display_name: login.display_name,
            client_id: client_id.map(Into::into),
            language: account.language,
        }))
    }

    /// The bot: keeps where its conversation in a chat stands.
    #[graphql(guard = "policy(\"Mutation.saveBotChatState\")")]
    async fn save_bot_chat_state(
        &self,
        ctx: &Context<'_>,
        chat_id: ID,
        state_json: String,
    ) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        chats::save(
            state,
            &ctx.caller(),
            parse_id("chatId", &chat_id).gql()?,
            state_json,
        )
        .await
        .gql()?;
        Ok(true)
    }
}

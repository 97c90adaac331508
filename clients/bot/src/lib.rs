//! The clubgrid Telegram bot. It talks to clubgrid only through GraphQL, with the operations of
//! `operations/*.graphql` generated into typed Rust (see [`api::ops`]); to Telegram through
//! teloxide. Staff link their Telegram account with a one-time code and then act with their
//! own role; clients share their phone and act as themselves. Where each chat's conversation
//! stands is kept in clubgrid, so a restart carries on.

pub mod api;
mod book;
pub mod chat;
mod client;
mod keyboards;
mod staff;

use std::time::Duration;

use teloxide::{
    prelude::*,
    types::{
        BotCommand, CallbackQuery, InlineKeyboardMarkup, MessageId, ReplyMarkup, UpdateKind, User,
    },
};

use api::{Api, Person, ops};
use chat::Chat;

/// What the bot needs to run, from `CLUBGRID_BOT_*` variables.
#[derive(Debug, Clone)]
pub struct Config {
    /// The token @BotFather gave.
    pub telegram_token: String,
    /// The Bot API server; Telegram's own unless set (tests point it at a local fake).
    pub telegram_api_url: Option<String>,
    /// Where clubgrid serves GraphQL (`http://127.0.0.1:8080`).
    pub api_url: String,
    /// An API key of role BOT, made by an owner or admin (`createApiKey(role: BOT)`).
    pub api_key: String,
    /// The public web address of clubgrid (`https://club.example`): the buttons that open a
    /// location's booking page (`<address>/book/<location>`) as a Mini App. No buttons when unset.
    pub webapp_url: Option<String>,
    /// How long one `getUpdates` waits for news, in seconds.
    pub poll_seconds: u32,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let required = |name: &str| var(name).ok_or_else(|| format!("{name} is not set"));
        Ok(Config {
            telegram_token: required("CLUBGRID_BOT_TELEGRAM_TOKEN")?,
            telegram_api_url: var("CLUBGRID_BOT_TELEGRAM_API_URL"),
            api_url: var("CLUBGRID_BOT_API_URL").unwrap_or_else(|| "http://127.0.0.1:8080".into()),
            api_key: required("CLUBGRID_BOT_API_KEY")?,
            webapp_url: var("CLUBGRID_BOT_WEBAPP_URL"),
            poll_seconds: var("CLUBGRID_BOT_POLL_SECONDS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(25),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("telegram: {0}")]
    Telegram(#[from] teloxide::RequestError),
    #[error("clubgrid: {0}")]
    Api(#[from] clubgrid_client::ClientError),
    #[error("configuration: {0}")]
    Config(String),
}

/// Polls Telegram and answers until the task is dropped.
pub async fn run(config: Config) -> Result<(), BotError> {
    let mut bot = Bot::new(&config.telegram_token);
    if let Some(url) = &config.telegram_api_url {
        let url = reqwest::Url::parse(url).map_err(|e| BotError::Config(e.to_string()))?;
        bot = bot.set_api_url(url);
    }
    let api = Api::new(&config.api_url, &config.api_key);
    let me = bot.get_me().await?;
    tracing::info!(username = me.username(), "the bot is up");
    bot.set_my_commands(commands()).await?;
    let mut offset: i32 = 0;
    loop {
        let updates = match bot
            .get_updates()
            .offset(offset)
            .timeout(config.poll_seconds)
            .await
        {
            Ok(updates) => updates,
            Err(err) => {
                tracing::warn!(%err, "getUpdates failed; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        for update in updates {
            offset = i32::try_from(update.id.0)
                .unwrap_or(i32::MAX)
                .saturating_add(1);
            if let Err(err) = handle(&bot, &api, &config, update.kind).await {
                tracing::warn!(%err, "an update was not handled");
            }
        }
    }
}

fn commands() -> Vec<BotCommand> {
    vec![
        BotCommand::new("start", "Начать / Start"),
        BotCommand::new("client", "Клиенты: поиск, карточка, новый"),
        BotCommand::new("order", "Новая заявка на игру"),
        BotCommand::new("calendar", "Заявки по дням"),
        BotCommand::new("map", "Карта ПК"),
        BotCommand::new("today", "Записи, занятия и игры сегодня"),
        BotCommand::new("book", "Записаться"),
        BotCommand::new("my", "Мои записи"),
        BotCommand::new("link", "Привязать аккаунт сотрудника: /link КОД"),
        BotCommand::new("cancel", "Прервать текущее действие"),
    ]
}

/// One update, from whom and where, with what they said or tapped.
enum Input {
    Text(String),
    Contact(teloxide::types::Contact),
    Tap {
        data: String,
        query: Box<CallbackQuery>,
    },
}

async fn handle(bot: &Bot, api: &Api, config: &Config, kind: UpdateKind) -> Result<(), BotError> {
    let (user, chat_id, tapped, input) = match kind {
        UpdateKind::Message(msg) => {
            let Some(user) = msg.from.clone() else {
                return Ok(());
            };
            if !msg.chat.is_private() {
                return Ok(());
            }
            let input = if let Some(contact) = msg.contact() {
                Input::Contact(contact.clone())
            } else if let Some(text) = msg.text() {
                Input::Text(text.trim().to_owned())
            } else {
                return Ok(());
            };
            (user, msg.chat.id.0, None, input)
        }
        UpdateKind::CallbackQuery(query) => {
            let Some(message) = &query.message else {
                return Ok(());
            };
            let (chat_id, id) = (message.chat().id.0, message.id().0);
            let data = query.data.clone().unwrap_or_default();
            (
                query.from.clone(),
                chat_id,
                Some(id),
                Input::Tap {
                    data,
                    query: Box::new(query),
                },
            )
        }
        _ => return Ok(()),
    };
    let state = api
        .run::<ops::BotChatState>(ops::bot_chat_state::Variables {
            chat_id: chat_id.to_string(),
        })
        .await?
        .bot_chat_state;
    let chat: Chat = state
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    let person = api.person(user.id.0 as i64).await?;
    let english = match &person {
        Some(p) => p.english(),
        None => user
            .language_code
            .as_deref()
            .is_some_and(|l| l.starts_with("en")),
    };
    let before = chat.clone();
    let mut turn = Turn {
        bot,
        api,
        webapp_url: config.webapp_url.as_deref(),
        chat_id,
        user,
        person,
        chat,
        english,
        tapped,
    };
    let outcome = match input {
        Input::Text(text) => turn.text(&text).await,
        Input::Contact(contact) => client::contact(&mut turn, contact).await,
        Input::Tap { data, query } => {
            bot.answer_callback_query(query.id.clone()).await?;
            turn.tap(&data).await
        }
    };
    if let Err(BotError::Api(err)) = &outcome {
        // A refusal by clubgrid is for the person to read, not a failure of the bot.
        if !err.errors().is_empty() {
            let text = api::refusal(err, turn.english);
            turn.say(&text, None).await?;
        } else {
            turn.say(
                &turn.t(
                    "clubgrid сейчас не отвечает; попробуйте через минуту",
                    "clubgrid is not answering; try again in a minute",
                ),
                None,
            )
            .await?;
        }
    } else {
        outcome?;
    }
    if turn.chat != before {
        let json = serde_json::to_string(&turn.chat).unwrap_or_else(|_| "{}".into());
        api.run::<ops::BotSaveChatState>(ops::bot_save_chat_state::Variables {
            chat_id: chat_id.to_string(),
            state_json: json,
        })
        .await?;
    }
    Ok(())
}

/// One update being answered.
pub(crate) struct Turn<'a> {
    bot: &'a Bot,
    api: &'a Api,
    webapp_url: Option<&'a str>,
    chat_id: i64,
    user: User,
    person: Option<Person>,
    chat: Chat,
    english: bool,
    /// The message whose button was tapped.
    tapped: Option<i32>,
}

impl Turn<'_> {
    /// The Russian or the English text, by the person's language.
    fn t(&self, ru: &str, en: &str) -> String {
        if self.english { en } else { ru }.to_owned()
    }

    /// A new message; its buttons become the chat's panel.
    async fn say(
        &mut self,
        text: &str,
        buttons: Option<InlineKeyboardMarkup>,
    ) -> Result<(), BotError> {
        let mut request = self.bot.send_message(ChatId(self.chat_id), text);
        if let Some(buttons) = buttons.clone() {
            request = request.reply_markup(ReplyMarkup::InlineKeyboard(buttons));
        }
        let sent = request.await?;
        if buttons.is_some() {
            self.chat.panel = Some(sent.id.0);
        }
        Ok(())
    }

    /// A message with a reply keyboard (the phone-sharing button).
    async fn say_with(&mut self, text: &str, markup: ReplyMarkup) -> Result<(), BotError> {
        self.bot
            .send_message(ChatId(self.chat_id), text)
            .reply_markup(markup)
            .await?;
        Ok(())
    }

    /// Shows `text` in the message whose button was tapped, editing it in place; a new
    /// message when nothing was tapped.
    async fn show(&mut self, text: &str, buttons: InlineKeyboardMarkup) -> Result<(), BotError> {
        match self.tapped {
            Some(id) => {
                self.bot
                    .edit_message_text(ChatId(self.chat_id), MessageId(id), text)
                    .reply_markup(buttons)
                    .await?;
                self.chat.panel = Some(id);
                Ok(())
            }
            None => self.say(text, Some(buttons)).await,
        }
    }

    /// The signed-in staff member, or a word on how to become one.
    async fn staff(&mut self) -> Result<Option<Person>, BotError> {
        match &self.person {
            Some(p) if p.is_staff() => Ok(Some(p.clone())),
            _ => {
                let text = self.t(
                    "Эта команда — для сотрудников. Получите код привязки в кабинете \
                     сотрудника и отправьте: /link КОД",
                    "This command is for staff. Get a link code in the staff app and send: \
                     /link CODE",
                );
                self.say(&text, None).await?;
                Ok(None)
            }
        }
    }

    async fn text(&mut self, text: &str) -> Result<(), BotError> {
        if let Some(command) = text.strip_prefix('/') {
            let (name, rest) = command.split_once(' ').unwrap_or((command, ""));
            let name = name.split('@').next().unwrap_or(name);
            let rest = rest.trim();
            self.chat.step = chat::Step::Idle;
            return match name {
                "start" | "help" => client::start(self).await,
                "link" => self.link(rest).await,
                "client" => staff::clients(self, rest).await,
                "order" => staff::order_start(self).await,
                "calendar" => staff::calendar_start(self).await,
                "map" => staff::pick_location(self, "map").await,
                "today" => staff::pick_location(self, "day").await,
                "my" => client::my(self).await,
                "book" => book::start(self).await,
                "cancel" => {
                    let text = self.t("Хорошо, отменено.", "All right, cancelled.");
                    self.say(&text, None).await
                }
                _ => {
                    let text = self.t(
                        "Не знаю такой команды. Команды: /book, /my, /client, /order, /calendar, \
                         /map, /today, /link",
                        "I do not know that command. Commands: /book, /my, /client, /order, \
                         /calendar, /map, /today, /link",
                    );
                    self.say(&text, None).await
                }
            };
        }
        match self.chat.step.clone() {
            chat::Step::Idle => client::start(self).await,
            chat::Step::Book { .. } => {
                let text = self.t(
                    "Выберите кнопкой выше или начните заново: /book",
                    "Use the buttons above, or start again: /book",
                );
                self.say(&text, None).await
            }
            _ => staff::text(self, text).await,
        }
    }

    async fn tap(&mut self, data: &str) -> Result<(), BotError> {
        let (scope, rest) = data.split_once(':').unwrap_or((data, ""));
        match scope {
            // A month's headers and blank cells, for staff and clients alike.
            "cal" if rest == "none" => Ok(()),
            "cl" | "o" | "cal" | "map" | "day" => staff::tap(self, scope, rest).await,
            "my" => client::tap(self, rest).await,
            "b" if rest == "start" => book::start(self).await,
            "b" => book::tap(self, rest).await,
            _ => Ok(()),
        }
    }

    /// `/link CODE`: links a staff member's Telegram account.
    async fn link(&mut self, code: &str) -> Result<(), BotError> {
        if code.is_empty() {
            let text = self.t(
                "Отправьте код из кабинета сотрудника: /link 1234-5678",
                "Send the code from the staff app: /link 1234-5678",
            );
            return self.say(&text, None).await;
        }
        let user_id = self.user.id.0 as i64;
        self.api
            .run::<ops::BotLinkStaff>(ops::bot_link_staff::Variables {
                code: code.to_owned(),
                who: ops::bot_link_staff::TelegramUserInput {
                    telegram_user_id: user_id.to_string(),
                    chat_id: self.chat_id.to_string(),
                    language: self.user.language_code.clone(),
                },
            })
            .await?;
        self.api.forget(user_id);
        self.person = self.api.person(user_id).await?;
        let name = self
            .person
            .as_ref()
            .map(|p| p.display_name.clone())
            .unwrap_or_default();
        let text = self.t(
            &format!("Готово, {name}: аккаунт привязан. Команды: /client, /order, /calendar"),
            &format!("Done, {name}: your account is linked. Commands: /client, /order, /calendar"),
        );
        self.say(&text, None).await
    }
}

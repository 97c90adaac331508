//! A local fake of the Telegram Bot API for the real bot to talk to: it serves `getMe`,
//! `getUpdates` (long polling over a queue the test fills), `sendMessage`, `editMessageText`,
//! `answerCallbackQuery`, `sendDocument` and `setMyCommands`, records every call, and lets a
//! test wait for the bot's answers.

use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    routing::post,
};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// One call the bot made.
#[derive(Debug, Clone)]
pub struct Sent {
    pub method: String,
    pub body: Value,
    /// The id of the message a `sendMessage` made, or the one an edit changed.
    pub message_id: i64,
}

impl Sent {
    pub fn text(&self) -> &str {
        self.body["text"].as_str().unwrap_or("")
    }

    pub fn chat_id(&self) -> i64 {
        self.body["chat_id"].as_i64().unwrap_or(0)
    }

    /// The inline buttons, `(text, callback data)`, row by row flattened.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.body["reply_markup"]["inline_keyboard"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| row.as_array().cloned().unwrap_or_default())
            .map(|b| {
                (
                    b["text"].as_str().unwrap_or("").to_owned(),
                    b["callback_data"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    /// The callback data of the first button whose data starts with `prefix`.
    pub fn button(&self, prefix: &str) -> String {
        self.buttons()
            .into_iter()
            .map(|(_, data)| data)
            .find(|d| d.starts_with(prefix))
            .unwrap_or_else(|| panic!("no button {prefix}… in {:?}", self.buttons()))
    }
}

#[derive(Default)]
struct Inner {
    updates: VecDeque<Value>,
    next_update: i64,
    next_message: i64,
    calls: Vec<Sent>,
    /// Answers the next `sendMessage` calls get instead of success (recorded apart).
    send_failures: VecDeque<u16>,
    failed_sends: Vec<Value>,
}

#[derive(Clone)]
pub struct FakeTelegram {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    arrived: Arc<Notify>,
    called: Arc<Notify>,
    /// How many recorded calls the test has read past.
    cursor: Arc<Mutex<usize>>,
}

impl FakeTelegram {
    pub async fn start() -> FakeTelegram {
        let fake = FakeTelegram {
            url: String::new(),
            inner: Arc::new(Mutex::new(Inner {
                next_update: 1,
                next_message: 100,
                ..Inner::default()
            })),
            arrived: Arc::new(Notify::new()),
            called: Arc::new(Notify::new()),
            cursor: Arc::new(Mutex::new(0)),
        };
        let app = Router::new()
            .route("/{bot}/{method}", post(call))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeTelegram {
            url: format!("http://{addr}"),
            ..fake
        }
    }

    fn push(&self, kind: &str, payload: Value) {
        let mut inner = self.inner.lock().unwrap();
        let id = inner.next_update;
        inner.next_update += 1;
        inner
            .updates
            .push_back(json!({ "update_id": id, kind: payload }));
        drop(inner);
        self.arrived.notify_waiters();
    }

    fn user(id: i64) -> Value {
        json!({ "id": id, "is_bot": false, "first_name": format!("User{id}"), "language_code": "ru" })
    }

    fn chat(id: i64) -> Value {
        json!({ "id": id, "type": "private", "first_name": format!("User{id}") })
    }

    fn message_id(&self) -> i64 {
        let mut inner = self.inner.lock().unwrap();
        inner.next_message += 1;
        inner.next_message
    }

    /// The person `user` types `text` in their private chat with the bot.
    pub fn say(&self, user: i64, text: &str) {
        let message = json!({
            "message_id": self.message_id(),
            "date": 1_764_000_000,
            "chat": Self::chat(user),
            "from": Self::user(user),
            "text": text,
        });
        self.push("message", message);
    }

    /// The person shares a contact card (their own when `owner` is their id).
    pub fn share_contact(&self, user: i64, owner: i64, phone: &str, first_name: &str) {
        let message = json!({
            "message_id": self.message_id(),
            "date": 1_764_000_000,
            "chat": Self::chat(user),
            "from": Self::user(user),
            "contact": { "phone_number": phone, "first_name": first_name, "user_id": owner },
        });
        self.push("message", message);
    }

    /// The person taps a button with `data` under the bot's message `message_id`.
    pub fn tap(&self, user: i64, message_id: i64, data: &str) {
        let query = json!({
            "id": format!("cb{}", self.message_id()),
            "from": Self::user(user),
            "chat_instance": "fake",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 1_764_000_000,
                "chat": Self::chat(user),
                "from": { "id": 1, "is_bot": true, "first_name": "clubgrid" },
                "text": "…",
            },
        });
        self.push("callback_query", query);
    }

    /// The next `sendMessage` calls are answered with these statuses (an error body, as
    /// Telegram's) instead of success; they are not recorded as calls.
    pub fn fail_sends(&self, statuses: &[u16]) {
        self.inner.lock().unwrap().send_failures.extend(statuses);
    }

    /// The bodies of the `sendMessage` calls answered with a scripted failure.
    pub fn failed_sends(&self) -> Vec<Value> {
        self.inner.lock().unwrap().failed_sends.clone()
    }

    /// The texts of the messages sent to `chat` so far.
    pub fn texts_to(&self, chat: i64) -> Vec<String> {
        self.calls()
            .iter()
            .filter(|c| c.method == "sendMessage" && c.chat_id() == chat)
            .map(|c| c.text().to_owned())
            .collect()
    }

    /// Every call recorded so far.
    pub fn calls(&self) -> Vec<Sent> {
        self.inner.lock().unwrap().calls.clone()
    }

    /// Waits for the bot's next message or edit to `chat` whose text holds `needle`, reading
    /// past what came before it; panics with what did come after 15 s.
    pub async fn expect(&self, chat: i64, needle: &str) -> Sent {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let called = self.called.notified();
            {
                let inner = self.inner.lock().unwrap();
                let mut cursor = self.cursor.lock().unwrap();
                let found = inner.calls[*cursor..].iter().position(|c| {
                    matches!(c.method.as_str(), "sendMessage" | "editMessageText")
                        && c.chat_id() == chat
                        && c.text().contains(needle)
                });
                if let Some(at) = found {
                    *cursor += at + 1;
                    return inner.calls[*cursor - 1].clone();
                }
            }
            if tokio::time::timeout_at(deadline, called).await.is_err() {
                let seen: Vec<String> = self
                    .calls()
                    .iter()
                    .filter(|c| c.chat_id() == chat)
                    .map(|c| format!("{}: {}", c.method, c.text()))
                    .collect();
                panic!("the bot never said «{needle}» to {chat}; it said: {seen:#?}");
            }
        }
    }
}

async fn call(
    State(fake): State<FakeTelegram>,
    Path((_bot, method)): Path<(String, String)>,
    body: Bytes,
) -> (StatusCode, Json<Value>) {
    let body: Value = serde_json::from_slice(&body).unwrap_or_else(|_| json!({ "raw": true }));
    // Telegram reads method names without regard to case (teloxide sends `SendMessage`); the
    // calls are recorded by their documented names.
    let method = canonical(&method);
    if method == "sendMessage" {
        let mut inner = fake.inner.lock().unwrap();
        if let Some(status) = inner.send_failures.pop_front() {
            inner.failed_sends.push(body);
            drop(inner);
            fake.called.notify_waiters();
            let answer =
                json!({ "ok": false, "error_code": status, "description": "scripted failure" });
            return (StatusCode::from_u16(status).unwrap(), Json(answer));
        }
    }
    let result = match method.as_str() {
        "getMe" => json!({
            "id": 1, "is_bot": true, "first_name": "clubgrid", "username": "clubgrid_test_bot",
            "can_join_groups": false, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "can_connect_to_business": false,
            "has_main_web_app": false,
        }),
        "getUpdates" => {
            let result = updates(&fake, &body).await;
            return (
                StatusCode::OK,
                Json(json!({ "ok": true, "result": result })),
            );
        }
        "sendMessage" | "sendDocument" | "editMessageText" => {
            let message_id = match body["message_id"].as_i64() {
                Some(id) if method == "editMessageText" => id,
                _ => fake.message_id(),
            };
            let chat_id = body["chat_id"].as_i64().unwrap_or(0);
            fake.record(&method, body.clone(), message_id);
            json!({
                "message_id": message_id,
                "date": 1_764_000_000,
                "chat": FakeTelegram::chat(chat_id),
                "from": { "id": 1, "is_bot": true, "first_name": "clubgrid" },
                "text": body["text"].as_str().unwrap_or(""),
            })
        }
        _ => {
            fake.record(&method, body, 0);
            json!(true)
        }
    };
    (
        StatusCode::OK,
        Json(json!({ "ok": true, "result": result })),
    )
}

fn canonical(method: &str) -> String {
    const KNOWN: &[&str] = &[
        "getMe",
        "getUpdates",
        "sendMessage",
        "editMessageText",
        "answerCallbackQuery",
        "sendDocument",
        "setMyCommands",
    ];
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_owned(), |k| (*k).to_owned())
}

impl FakeTelegram {
    fn record(&self, method: &str, body: Value, message_id: i64) {
        self.inner.lock().unwrap().calls.push(Sent {
            method: method.to_owned(),
            body,
            message_id,
        });
        self.called.notify_waiters();
    }
}

/// Long polling: the updates from `offset` on, waiting up to the request's timeout for one.
async fn updates(fake: &FakeTelegram, body: &Value) -> Vec<Value> {
    let offset = body["offset"].as_i64().unwrap_or(0);
    let wait = Duration::from_secs(body["timeout"].as_u64().unwrap_or(0).min(5));
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let arrived = fake.arrived.notified();
        {
            let mut inner = fake.inner.lock().unwrap();
            // Updates below the offset are confirmed: Telegram forgets them.
            while inner
                .updates
                .front()
                .is_some_and(|u| u["update_id"].as_i64().unwrap_or(0) < offset)
            {
                inner.updates.pop_front();
            }
            if !inner.updates.is_empty() {
                return inner.updates.iter().cloned().collect();
            }
        }
        if tokio::time::timeout_at(deadline, arrived).await.is_err() {
            return Vec::new();
        }
    }
}

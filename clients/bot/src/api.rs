//! clubgrid as the bot sees it: the generated operations, the bot's own key for its own fields,
//! and a short-lived token per linked person for everything they do.

use std::{collections::HashMap, sync::Mutex};

use chrono::{DateTime, Duration, Utc};
use clubgrid_client::{Client, ClientError};
use graphql_client::GraphQLQuery;

/// The bot's operations (`operations/*.graphql`), checked against `schema.graphql` when built.
#[allow(clippy::all, missing_docs)]
pub mod ops {
    pub use clubgrid_client::ops::{DateTime, JSON, Money, NaiveDate, NaiveTime, Upload};

    include!(concat!(env!("OUT_DIR"), "/operations.rs"));
}

/// A linked person, signed in for a while.
#[derive(Clone)]
pub struct Person {
    pub client: Client,
    pub role: String,
    pub display_name: String,
    pub client_id: Option<String>,
    pub language: Option<String>,
    expires_at: DateTime<Utc>,
}

impl Person {
    pub fn is_staff(&self) -> bool {
        !matches!(self.role.as_str(), "CLIENT" | "INTEGRATION" | "BOT")
    }

    pub fn english(&self) -> bool {
        self.language
            .as_deref()
            .is_some_and(|l| l.starts_with("en"))
    }

    pub async fn run<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, ClientError> {
        self.client.run::<Q>(variables).await
    }
}

pub struct Api {
    /// Signed in with the bot's API key.
    bot: Client,
    people: Mutex<HashMap<i64, Person>>,
}

impl Api {
    pub fn new(url: &str, key: &str) -> Api {
        Api {
            bot: Client::new(url).with_token(key),
            people: Mutex::new(HashMap::new()),
        }
    }

    pub async fn run<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, ClientError> {
        self.bot.run::<Q>(variables).await
    }

    /// The linked person behind a Telegram user, signed in; `None` when not linked.
    pub async fn person(&self, telegram_user_id: i64) -> Result<Option<Person>, ClientError> {
        let now = now();
        if let Some(person) = self
            .people
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&telegram_user_id)
            .filter(|p| p.expires_at - Duration::seconds(30) > now)
        {
            return Ok(Some(person.clone()));
        }
        let session = self
            .run::<ops::BotSignIn>(ops::bot_sign_in::Variables {
                telegram_user_id: telegram_user_id.to_string(),
            })
            .await?
            .telegram_sign_in;
        let Some(s) = session else {
            self.forget(telegram_user_id);
            return Ok(None);
        };
        let person = Person {
            client: self.bot.with_token(s.access_token),
            role: format!("{:?}", s.role),
            display_name: s.display_name,
            client_id: s.client_id,
            language: s.language,
            expires_at: DateTime::parse_from_rfc3339(&s.expires_at)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(now),
        };
        self.people
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(telegram_user_id, person.clone());
        Ok(Some(person))
    }

    /// Drops a cached sign-in (after a link changes, or a token is refused).
    pub fn forget(&self, telegram_user_id: i64) {
        self.people
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&telegram_user_id);
    }
}

/// What to tell a person about a refusal: the API's own message, in their language.
pub fn refusal(err: &ClientError, english: bool) -> String {
    match err.errors().first() {
        Some(e) if english => e.message_en().unwrap_or(&e.message).to_owned(),
        Some(e) => e.message.clone(),
        None if english => "clubgrid did not answer; try again in a minute".to_owned(),
        None => "clubgrid не ответил; попробуйте через минуту".to_owned(),
    }
}

/// The machine's time: the bot only needs it to reuse a token until shortly before it expires.
#[allow(clippy::disallowed_methods)]
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

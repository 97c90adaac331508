//! The typed GraphQL client of clubgrid.
//!
//! Every operation in `operations/*.graphql` becomes a type in [`ops`] (generated at build time
//! from `schema.graphql`, so an operation the schema no longer supports fails the build).
//! Run one with [`Client::run`], or listen to a subscription with [`Client::subscribe`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), clubgrid_client::ClientError> {
//! use clubgrid_client::{Client, ops};
//! let client = Client::new("http://127.0.0.1:8080");
//! let login = client
//!     .run::<ops::Login>(ops::login::Variables { username: "admin".into(), password: "demo12345".into() })
//!     .await?;
//! let admin = client.with_token(login.login.access_token);
//! let me = admin.run::<ops::Me>(ops::me::Variables).await?;
//! println!("{}", me.me.username);
//! # Ok(()) }
//! ```

use std::future::IntoFuture;

use futures_util::{StreamExt, stream::BoxStream};
pub use graphql_client::GraphQLQuery;
use graphql_client::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_tungstenite::tungstenite::{
    client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig,
};

/// The starting read buffer of a subscription's socket, in bytes.
const READ_BUFFER: usize = 4096;

/// A WebSocket to the API, as [`Client::socket`] opens it.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The generated operations, one type and one module (`Variables`, `ResponseData`) each.
#[allow(clippy::all, missing_docs)]
pub mod ops {
    /// `DateTime`: an RFC 3339 instant in UTC.
    pub type DateTime = String;
    /// `NaiveDate`: `YYYY-MM-DD`.
    pub type NaiveDate = String;
    /// `NaiveTime`: `HH:MM:SS`.
    pub type NaiveTime = String;
    /// `Money`: a decimal string in the venue's currency.
    pub type Money = String;
    /// `JSON`: any JSON value.
    pub type JSON = serde_json::Value;
    /// `Upload`: a file, sent with [`super::Client::upload`]; leave it `null` here.
    pub type Upload = serde_json::Value;

    include!(concat!(env!("OUT_DIR"), "/operations.rs"));
}

/// One error of a GraphQL response.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ServerError {
    pub message: String,
    #[serde(default)]
    pub path: Option<Vec<Value>>,
    #[serde(default)]
    pub extensions: Option<serde_json::Map<String, Value>>,
}

impl ServerError {
    fn ext(&self, key: &str) -> Option<&str> {
        self.extensions.as_ref()?.get(key)?.as_str()
    }

    /// `extensions.code`: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, VALIDATION, …
    pub fn code(&self) -> Option<&str> {
        self.ext("code")
    }

    /// The input field a VALIDATION error is about.
    pub fn field(&self) -> Option<&str> {
        self.ext("field")
    }

    /// The English message.
    pub fn message_en(&self) -> Option<&str> {
        self.ext("messageEn")
    }

    /// The id to quote for an INTERNAL error.
    pub fn request_id(&self) -> Option<&str> {
        self.ext("requestId")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    #[error("http status {status}: {body}")]
    Status { status: u16, body: String },
    #[error("graphql: {}", .0.iter().map(|e| format!("[{}] {}", e.code().unwrap_or("?"), e.message)).collect::<Vec<_>>().join("; "))]
    Graphql(Vec<ServerError>),
    #[error("the response had neither data nor errors")]
    NoData,
    #[error("websocket: {0}")]
    WebSocket(String),
    #[error("decoding: {0}")]
    Decode(String),
}

impl ClientError {
    /// The code of the first GraphQL error, if this is one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Graphql(errors) => errors.first().and_then(ServerError::code),
            _ => None,
        }
    }

    pub fn errors(&self) -> &[ServerError] {
        match self {
            ClientError::Graphql(errors) => errors,
            _ => &[],
        }
    }
}

/// A whole response as JSON, for documents that are not among the generated operations.
#[derive(Debug, Clone, Deserialize)]
pub struct RawResponse {
    #[serde(default)]
    pub data: Option<Value>,
    #[serde(default)]
    pub errors: Vec<ServerError>,
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    credential: Option<String>,
}

impl Client {
    /// A client of the server at `base_url` (`http://host:port`), signed out.
    pub fn new(base_url: &str) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: base_url.trim_end_matches('/').to_owned(),
            credential: None,
        }
    }

    /// The same client, sending `credential` (an access token or an API key) as a bearer.
    pub fn with_token(&self, credential: impl Into<String>) -> Client {
        Client {
            credential: Some(credential.into()),
            ..self.clone()
        }
    }

    /// The same client, signed out.
    pub fn anonymous(&self) -> Client {
        Client {
            credential: None,
            ..self.clone()
        }
    }

    pub fn token(&self) -> Option<&str> {
        self.credential.as_deref()
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn post(&self) -> reqwest::RequestBuilder {
        let request = self.http.post(format!("{}/graphql", self.base));
        match &self.credential {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Runs a query or mutation; GraphQL errors become [`ClientError::Graphql`].
    pub async fn run<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, ClientError> {
        let response = self.post().json(&Q::build_query(variables)).send().await?;
        let status = response.status();
        let body = response.text().await?;
        let parsed: Response<Q::ResponseData> =
            serde_json::from_str(&body).map_err(|_| ClientError::Status {
                status: status.as_u16(),
                body: body.chars().take(500).collect(),
            })?;
        into_result(parsed)
    }

    /// Runs an operation with one file variable as a GraphQL multipart request.
    pub async fn upload<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
        file_variable: &str,
        filename: &str,
        bytes: Vec<u8>,
    ) -> Result<Q::ResponseData, ClientError> {
        let operations = serde_json::to_string(&Q::build_query(variables))
            .map_err(|e| ClientError::Decode(e.to_string()))?;
        let map = serde_json::json!({ "0": [format!("variables.{file_variable}")] }).to_string();
        let part = reqwest::multipart::Part::bytes(bytes).file_name(filename.to_owned());
        let form = reqwest::multipart::Form::new()
            .text("operations", operations)
            .text("map", map)
            .part("0", part);
        let response = self.post().multipart(form).send().await?;
        let status = response.status();
        let body = response.text().await?;
        let parsed: Response<Q::ResponseData> =
            serde_json::from_str(&body).map_err(|_| ClientError::Status {
                status: status.as_u16(),
                body: body.chars().take(500).collect(),
            })?;
        into_result(parsed)
    }

    /// Posts any document and returns the whole response.
    pub async fn raw(&self, query: &str, variables: Value) -> Result<RawResponse, ClientError> {
        let body = serde_json::json!({ "query": query, "variables": variables });
        let response = self.post().json(&body).send().await?;
        let status = response.status();
        let text = response.text().await?;
        serde_json::from_str(&text).map_err(|_| ClientError::Status {
            status: status.as_u16(),
            body: text.chars().take(500).collect(),
        })
    }

    /// Opens a WebSocket to `/graphql` that speaks graphql-transport-ws; nothing is sent on it
    /// yet (no `connection_init`).
    pub async fn socket(&self) -> Result<Socket, ClientError> {
        let ws = |e: &dyn std::fmt::Display| ClientError::WebSocket(e.to_string());
        let url = format!("{}/graphql", self.base.replacen("http", "ws", 1));
        let mut request = url.into_client_request().map_err(|e| ws(&e))?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        // tungstenite zero-fills the free part of its read buffer before every read (128 KiB
        // by default), while a subscription's frames are a few hundred bytes; a larger frame
        // still grows it.
        let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
        let (socket, _) =
            tokio_tungstenite::connect_async_with_config(request, Some(config), false)
                .await
                .map_err(|e| ws(&e))?;
        Ok(socket)
    }

    /// Starts a subscription over WebSocket (graphql-transport-ws) on `/graphql`.
    pub async fn subscribe<Q>(
        &self,
        variables: Q::Variables,
    ) -> Result<BoxStream<'static, Result<Q::ResponseData, ClientError>>, ClientError>
    where
        Q: GraphQLQuery + Send + Unpin + 'static,
        Q::Variables: Send + Unpin,
        Q::ResponseData: Send + Unpin + 'static,
    {
        let ws = |e: &dyn std::fmt::Display| ClientError::WebSocket(e.to_string());
        let connection = self.socket().await?;
        let mut builder = graphql_ws_client::Client::build(connection);
        if let Some(token) = &self.credential {
            builder = builder
                .payload(serde_json::json!({ "authorization": format!("Bearer {token}") }))
                .map_err(|e| ws(&e))?;
        }
        let (client, actor) = builder.into_future().await.map_err(|e| ws(&e))?;
        tokio::spawn(actor.into_future());
        let stream = client
            .subscribe(graphql_ws_client::graphql::StreamingOperation::<Q>::new(
                variables,
            ))
            .await
            .map_err(|e| ws(&e))?;
        // The client travels with the stream: dropping it would close the connection.
        let items = stream.map(move |item| {
            let _keep = &client;
            match item {
                Ok(response) => into_result(response),
                Err(err) => Err(ClientError::WebSocket(err.to_string())),
            }
        });
        Ok(items.boxed())
    }
}

fn into_result<T>(response: Response<T>) -> Result<T, ClientError> {
    if let Some(errors) = response.errors.filter(|e| !e.is_empty()) {
        let errors = errors
            .into_iter()
            .map(|e| ServerError {
                message: e.message,
                path: e.path.map(|p| {
                    p.into_iter()
                        .map(|s| serde_json::to_value(s).unwrap_or(Value::Null))
                        .collect()
                }),
                extensions: e.extensions.map(|ext| ext.into_iter().collect()),
            })
            .collect();
        return Err(ClientError::Graphql(errors));
    }
    response.data.ok_or(ClientError::NoData)
}

/// Re-exported so callers can name the stream type.
pub type Subscription<T> = BoxStream<'static, Result<T, ClientError>>;

//! The HTTP edge: GraphQL over POST and GET, subscriptions over WebSocket on the same path,
//! GraphiQL, health checks. Authentication happens here, once per request or connection.

use std::{net::SocketAddr, time::Duration};

use async_graphql::{ErrorExtensions, Executor, ServerError, Value, http::ALL_WEBSOCKET_PROTOCOLS};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::{
    Json, Router,
    extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State, WebSocketUpgrade},
    http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;
use tower_http::{
    catch_panic::CatchPanicLayer,
    cors::{AllowOrigin, CorsLayer},
    limit::RequestBodyLimitLayer,
    trace::TraceLayer,
};
use tracing::Instrument;

use crate::{
    auth::{
        actor::{Actor, AuthFailure},
        revocation,
        service::authenticate,
    },
    context::RequestMeta,
    error::{AppError, ErrorCode, Msg},
    schema::{Api, MAX_DEPTH, build_api, fill_request_data},
    state::AppState,
};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

#[derive(Clone)]
struct Http {
    state: AppState,
    schema: Api,
}

pub fn build_app(state: AppState) -> Router {
    let settings = &state.settings;
    let mut router = Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics));
    if settings.graphiql {
        router = router.route("/graphiql", get(crate::web::graphiql));
    }
    // The web app: embedded files, and index.html for the app's own paths.
    router = router.fallback(crate::web::fallback);
    let cors = cors_layer(&settings.cors_origins);
    let limits = BodyLimits {
        json: settings.json_body_limit_bytes,
        upload: settings
            .body_limit_bytes
            .max(settings.json_body_limit_bytes),
    };
    let http = Http {
        schema: build_api(state.clone()),
        state,
    };
    let router = router
        .with_state(http)
        .layer(axum::middleware::from_fn_with_state(limits, limit_body))
        .layer(RequestBodyLimitLayer::new(limits.upload))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(|_| internal_response("panic")));
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// Request bodies are bounded twice: a GraphQL request in JSON (or any body that is not an
/// upload) by `json_body_limit_bytes`, a multipart upload by `body_limit_bytes`.
#[derive(Clone, Copy)]
struct BodyLimits {
    json: usize,
    upload: usize,
}

async fn limit_body(
    State(limits): State<BodyLimits>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        });
    let limit = if multipart {
        limits.upload
    } else {
        limits.json
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(limit, multipart);
    }
    if multipart {
        // Uploads stream on, bounded by the outer limit layer.
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(_) => too_large(limit, multipart),
    }
}

/// A refusal outside GraphQL, shaped like a GraphQL error.
fn refusal(status: StatusCode, code: ErrorCode, field: &str, msg: Msg) -> Response {
    let body = json!({
        "errors": [{
            "message": msg.ru,
            "extensions": { "code": code.as_str(), "messageEn": msg.en, "field": field },
        }]
    });
    (status, Json(body)).into_response()
}

fn too_large(limit: usize, upload: bool) -> Response {
    let kib = limit / 1024;
    let (ru, en) = if upload {
        (
            format!("Файл слишком большой: не более {kib} КиБ за один запрос"),
            format!("The upload is too large: at most {kib} KiB per request"),
        )
    } else {
        (
            format!("Запрос слишком большой: не более {kib} КиБ; файлы отправляйте как multipart"),
            format!("The request is too large: at most {kib} KiB; send files as multipart"),
        )
    };
    refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::Validation,
        "body",
        Msg::new(ru, en),
    )
}

/// GET is for reading: a mutation in the URL is refused, so a link or a prefetch can never
/// change anything.
fn mutation_over_get(request: &mut async_graphql::Request) -> bool {
    use async_graphql::parser::types::OperationType;
    selected_operations(request).contains(&OperationType::Mutation)
}

/// The types of the operations a request may run: the one it names, or all it holds (none
/// when its query does not parse). The parsed query stays in the request for the engine.
fn selected_operations(
    request: &mut async_graphql::Request,
) -> Vec<async_graphql::parser::types::OperationType> {
    use async_graphql::parser::types::DocumentOperations;
    let name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return Vec::new();
    };
    match &document.operations {
        DocumentOperations::Single(op) => vec![op.node.ty],
        DocumentOperations::Multiple(ops) => match name {
            Some(name) => ops
                .get(name.as_str())
                .map(|op| op.node.ty)
                .into_iter()
                .collect(),
            None => ops.values().map(|op| op.node.ty).collect(),
        },
    }
}

fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
    (!origins.is_empty()).then(|| {
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .max_age(Duration::from_secs(3600))
    })
}

fn internal_response(cause: &str) -> Response {
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    tracing::error!(%request_id, cause, "request failed outside GraphQL");
    let err = AppError::internal(cause).extend();
    let body = json!({
        "errors": [{
            "message": err.message,
            "extensions": { "code": ErrorCode::Internal.as_str(), "requestId": request_id },
        }]
    });
    (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
}

/// Who is calling and the facts of the request, read from its head.
struct Edge {
    actor: Actor,
    failure: Option<AuthFailure>,
    meta: RequestMeta,
    /// The credential presented, kept for a WebSocket to check again later.
    credential: Option<String>,
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let value = value.trim();
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .unwrap_or(value);
        return Some(token.trim().to_owned());
    }
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
}

async fn identify(state: &AppState, credential: Option<&str>) -> (Actor, Option<AuthFailure>) {
    match credential.filter(|c| !c.is_empty()) {
        None => (Actor::Anonymous, None),
        Some(credential) => match authenticate(state, credential).await {
            Ok(actor) => (actor, None),
            Err(failure) => (Actor::Anonymous, Some(failure)),
        },
    }
}

impl FromRequestParts<Http> for Edge {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, http: &Http) -> Result<Self, Self::Rejection> {
        let forwarded = http
            .state
            .settings
            .trust_forwarded_for
            .then(|| {
                parts
                    .headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
            })
            .flatten()
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_owned());
        let address = forwarded.or_else(|| {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string())
        });
        let credential = bearer(&parts.headers);
        let (actor, failure) = identify(&http.state, credential.as_deref()).await;
        Ok(Edge {
            actor,
            failure,
            credential,
            meta: RequestMeta {
                address,
                request_id: Some(uuid::Uuid::new_v4().simple().to_string()),
            },
        })
    }
}

async fn graphql_post(State(http): State<Http>, edge: Edge, request: GraphQLRequest) -> Response {
    execute(&http, edge, request.into_inner()).await
}

/// GET serves both a WebSocket upgrade (subscriptions) and a query in the URL.
async fn graphql_get(
    State(http): State<Http>,
    edge: Edge,
    protocol: Result<GraphQLProtocol, StatusCode>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
    request: Request,
) -> Response {
    if let (Ok(protocol), Ok(upgrade)) = (protocol, upgrade) {
        return websocket(http, edge, protocol, upgrade);
    }
    match GraphQLRequest::<async_graphql_axum::rejection::GraphQLRejection>::from_request(
        request, &http,
    )
    .await
    {
        Ok(request) => {
            let mut request = request.into_inner();
            if mutation_over_get(&mut request) {
                let mut response = refusal(
                    StatusCode::METHOD_NOT_ALLOWED,
                    ErrorCode::Validation,
                    "method",
                    Msg::new(
                        "Изменения принимаются только методом POST; GET — только для запросов на чтение",
                        "Mutations are accepted over POST only; GET serves queries",
                    ),
                );
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
                return response;
            }
            execute(&http, edge, request).await
        }
        Err(rejection) => rejection.into_response(),
    }
}

async fn execute(http: &Http, mut edge: Edge, mut request: async_graphql::Request) -> Response {
    let started = std::time::Instant::now();
    let request_id = edge.meta.request_id.clone().unwrap_or_default();
    let operation = crate::metrics::operation_name(&mut request);
    let span = tracing::info_span!(
        "graphql",
        request_id = %request_id,
        operation = %operation,
        actor = %edge.actor.label()
    );
    // A read that met a dropped connection or a busy database runs once more, on a fresh
    // connection: it changes nothing, so repeating it is safe. Mutations are retried inside
    // their unit of work instead.
    let again = (is_read(&mut request) && request.uploads.is_empty()).then(|| Rerun {
        query: request.query.clone(),
        operation_name: request.operation_name.clone(),
        variables: request.variables.clone(),
        extensions: request.extensions.clone(),
        actor: edge.actor.clone(),
        failure: edge.failure.clone(),
        meta: edge.meta.clone(),
    });
    let mut response = run(http, request, edge.actor, edge.failure, edge.meta)
        .instrument(span.clone())
        .await;
    if let Some(rerun) = again
        && response.errors.iter().any(is_unavailable)
    {
        tracing::warn!(request_id = %request_id, "a read met an unavailable database; once more");
        let mut request = async_graphql::Request::new(rerun.query).variables(rerun.variables);
        request.operation_name = rerun.operation_name;
        request.extensions = rerun.extensions;
        // A credential that could not be checked the first time is checked again.
        let (actor, failure) = match (&rerun.failure, &edge.credential) {
            (Some(AuthFailure::Unchecked(_)), Some(credential)) => {
                identify(&http.state, Some(credential)).await
            }
            _ => (rerun.actor, rerun.failure),
        };
        edge.credential = None;
        response = run(http, request, actor, failure, rerun.meta)
            .instrument(span)
            .await;
    }
    finish_errors(&mut response.errors, &request_id);
    let outcome = response
        .errors
        .first()
        .and_then(|e| e.extensions.as_ref())
        .and_then(|ext| ext.get("code"))
        .map(|code| match code {
            Value::String(c) => c.clone(),
            other => other.to_string(),
        })
        .unwrap_or_else(|| "OK".into());
    let elapsed = started.elapsed();
    crate::metrics::observe(&operation, &outcome, elapsed);
    tracing::info!(
        request_id = %request_id,
        operation = %operation,
        outcome = %outcome,
        ms = elapsed.as_millis() as u64,
        "graphql request"
    );
    let mut response = GraphQLResponse::from(response).into_response();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    response
}

/// What a read needs to run a second time.
struct Rerun {
    query: String,
    operation_name: Option<String>,
    variables: async_graphql::Variables,
    extensions: async_graphql::Extensions,
    actor: Actor,
    failure: Option<AuthFailure>,
    meta: RequestMeta,
}

async fn run(
    http: &Http,
    mut request: async_graphql::Request,
    actor: Actor,
    failure: Option<AuthFailure>,
    meta: RequestMeta,
) -> async_graphql::Response {
    fill_request_data(&mut request.data, actor, failure, meta);
    http.schema.execute(request).await
}

fn is_unavailable(err: &ServerError) -> bool {
    err.extensions
        .as_ref()
        .and_then(|ext| ext.get("code"))
        .is_some_and(
            |code| matches!(code, Value::String(c) if c == ErrorCode::Unavailable.as_str()),
        )
}

/// Whether the request is a query (reads only), not a mutation or a subscription.
fn is_read(request: &mut async_graphql::Request) -> bool {
    use async_graphql::parser::types::OperationType;
    let types = selected_operations(request);
    !types.is_empty() && types.iter().all(|ty| *ty == OperationType::Query)
}

/// Gives every error a code: errors raised before any resolver ran (syntax, unknown field,
/// limits) become VALIDATION; INTERNAL errors get the request id to quote.
fn finish_errors(errors: &mut [ServerError], request_id: &str) {
    for err in errors {
        let ext = err.extensions.get_or_insert_with(Default::default);
        match ext.get("code") {
            Some(Value::String(code)) if code == ErrorCode::Internal.as_str() => {
                ext.set("requestId", request_id);
            }
            Some(_) => {}
            None => {
                let msg = translate(&err.message);
                ext.set("code", ErrorCode::Validation.as_str());
                ext.set("field", engine_field(&err.message));
                ext.set("messageEn", msg.en);
                err.message = msg.ru;
            }
        }
    }
}

/// Russian wording for the limit errors of the GraphQL engine.
fn translate(message: &str) -> Msg {
    let ru = match message.trim_end_matches('.') {
        "Query is nested too deep" => {
            format!("Запрос слишком глубокий: не более {MAX_DEPTH} уровней вложенности")
        }
        "Query is too complex" => "Запрос слишком сложный: запросите меньше полей".to_owned(),
        "The number of directives on the field cannot be greater than 8"
        | "Too many directives" => "Слишком много директив в запросе".to_owned(),
        _ if message.starts_with("Invalid value for argument") => {
            format!(
                "Недопустимое значение аргумента «{}»",
                engine_field(message)
            )
        }
        _ => format!("Запрос не прошёл проверку по схеме API ({message})"),
    };
    Msg::new(ru, message)
}

/// The input an engine error is about: the argument or variable it quotes, else the query.
fn engine_field(message: &str) -> String {
    [
        "argument \"",
        "while parsing \"",
        "Variable \"$",
        "variable \"$",
        "Variable \"",
    ]
    .iter()
    .find_map(|marker| {
        let rest = &message[message.find(marker)? + marker.len()..];
        rest.split('"').next().map(str::to_owned)
    })
    .filter(|f| !f.is_empty())
    .unwrap_or_else(|| "query".to_owned())
}

/// The starting read buffer of one WebSocket, in bytes. tungstenite doubles it once the
/// frames read have used up its tail, and keeps it: a 4 KiB start held 8 KiB on every idle
/// live screen (a heap profile of 2,000 sockets), while the frames a screen sends (init,
/// subscribe, pong) are a few hundred bytes.
const SOCKET_READ_BUFFER: usize = 1024;

fn websocket(
    http: Http,
    edge: Edge,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        // A live screen sends a handful of small frames (init, subscribe, pong); tungstenite's
        // 128 KiB default read buffer is filled on the first read, so with thousands of idle
        // sockets it was most of the server's memory. Larger frames still grow it as needed.
        .read_buffer_size(SOCKET_READ_BUFFER)
        .on_upgrade(move |socket| async move {
            let _open = crate::metrics::SocketGuard::open();
            serve_socket(http, edge, protocol, socket).await
        })
}

/// Serves one WebSocket until the client leaves, or until its sign-in ends or its token
/// expires: then it is closed with [`revocation::CLOSE_SIGNED_OUT`] and the reason.
async fn serve_socket(
    http: Http,
    edge: Edge,
    protocol: GraphQLProtocol,
    socket: axum::extract::ws::WebSocket,
) {
    use axum::extract::ws::{CloseFrame, Message};
    use futures_util::{SinkExt, StreamExt};

    let state = http.state.clone();
    let (signed_in, who) = tokio::sync::oneshot::channel::<(Actor, Option<String>)>();
    let (socket_out, socket_in) = socket.split();
    // The engine writes through a shared handle, so the close frame of a sign-out can still be
    // sent once the engine is dropped: no queue and no second writer per socket.
    let socket_out = std::sync::Arc::new(tokio::sync::Mutex::new(socket_out));
    let out = futures_util::sink::unfold(socket_out.clone(), |out, message: Message| async move {
        out.lock().await.send(message).await.map_err(|_| ())?;
        Ok::<_, ()>(out)
    });
    let init_state = state.clone();
    let serve =
        GraphQLWebSocket::new_with_pair(Box::pin(out), socket_in, http.schema.clone(), protocol)
            .on_connection_init(move |payload| async move {
                let state = init_state;
                // A token in `connection_init` wins over one in the upgrade request.
                let (actor, failure, credential) = match payload_token(&payload) {
                    Some(token) => match identify(&state, Some(&token)).await {
                        (_, Some(failure)) => return Err(failure.error().extend()),
                        (actor, None) => (actor, None, Some(token)),
                    },
                    None => (edge.actor, edge.failure, edge.credential),
                };
                let _ = signed_in.send((actor.clone(), credential));
                let mut data = async_graphql::Data::default();
                fill_request_data(&mut data, actor, failure, edge.meta);
                Ok(data)
            })
            .serve();
    let ended = async move {
        match who.await {
            Ok((actor, credential)) => revocation::watch(state, actor, credential).await,
            Err(_) => std::future::pending().await,
        }
    };
    let reason = tokio::select! {
        () = serve => None,
        reason = ended => Some(reason),
    };
    if let Some(reason) = reason {
        // A close reason holds at most 123 bytes: the English one, cut at a character.
        let mut text = reason.en;
        while text.len() > 120 {
            text.pop();
        }
        let mut socket_out = socket_out.lock().await;
        let _ = socket_out
            .send(Message::Close(Some(CloseFrame {
                code: revocation::CLOSE_SIGNED_OUT,
                reason: text.into(),
            })))
            .await;
        let _ = socket_out.close().await;
    }
}

/// The credential of a `connection_init` payload: `{"authorization": "Bearer …"}` or
/// `{"token": "…"}`.
fn payload_token(payload: &serde_json::Value) -> Option<String> {
    let field = ["authorization", "Authorization", "token"]
        .iter()
        .find_map(|k| payload.get(k).and_then(|v| v.as_str()))?;
    let token = field.trim();
    Some(
        token
            .strip_prefix("Bearer ")
            .unwrap_or(token)
            .trim()
            .to_owned(),
    )
}

/// The Prometheus scrape, for whoever holds `metrics_token`.
async fn metrics(State(http): State<Http>, headers: HeaderMap) -> Response {
    if http.state.settings.metrics_token.is_none() {
        return (
            StatusCode::NOT_FOUND,
            "metrics are off: set metrics_token (CLUBGRID_METRICS_TOKEN) to serve them\n",
        )
            .into_response();
    }
    let allowed = match (&http.state.settings.metrics_token, bearer(&headers)) {
        (Some(token), Some(given)) => {
            let (a, b) = (token.expose().as_bytes(), given.as_bytes());
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
        }
        _ => false,
    };
    if !allowed {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need the metrics token\n",
        )
            .into_response();
    }
    let body = crate::metrics::render(&http.state).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

/// Whether this replica can serve requests, for a load balancer: 503 only when the database
/// does not answer. Redis down is reported as `"status": "degraded"` with 200, because GraphQL
/// still works without it (no live updates across replicas, no slot holds for a while), and
/// taking every replica out of rotation for it would stop the desk.
async fn readyz(State(http): State<Http>) -> Response {
    let state = &http.state;
    let database = match tokio::time::timeout(Duration::from_secs(2), state.db.ping()).await {
        Ok(Ok(())) => "ok",
        Ok(Err(err)) => {
            tracing::warn!(%err, "readiness: database down");
            "unreachable"
        }
        Err(_) => {
            tracing::warn!("readiness: database did not answer in 2 s");
            "unreachable"
        }
    };
    let redis = match &state.redis {
        None => "not configured",
        Some(conn) => {
            let mut conn = conn.clone();
            let ping = tokio::time::timeout(
                Duration::from_secs(1),
                redis::cmd("PING").query_async::<String>(&mut conn),
            )
            .await;
            match ping {
                Ok(Ok(_)) => "ok",
                _ => "unreachable",
            }
        }
    };
    let settings = &state.settings;
    let (backlog, oldest) = crate::metrics::outbox_backlog(&state.db).await;
    let backlog_ok = backlog <= settings.ready_outbox_backlog_max;
    let disk_path = disk_path(settings);
    let free_mb = free_disk_mb(&disk_path);
    let disk_ok = free_mb.is_none_or(|mb| mb >= settings.ready_min_free_disk_mb);
    let (status, word) = match (database, redis) {
        ("ok", _) if !disk_ok => (StatusCode::SERVICE_UNAVAILABLE, "not ready"),
        ("ok", "unreachable") => (StatusCode::OK, "degraded"),
        ("ok", _) if !backlog_ok => (StatusCode::OK, "degraded"),
        ("ok", _) => (StatusCode::OK, "ready"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "not ready"),
    };
    let body = json!({
        "status": word,
        "database": database,
        "redis": redis,
        "bus": state.bus.engine(),
        "holds": state.holds.engine(),
        "outbox": {
            "status": if backlog_ok { "ok" } else { "backlog" },
            "backlog": backlog,
            "threshold": settings.ready_outbox_backlog_max,
            "oldestUnpublishedAt": oldest,
        },
        "disk": {
            "status": match free_mb {
                None => "unknown",
                Some(_) if disk_ok => "ok",
                Some(_) => "low",
            },
            "path": disk_path.display().to_string(),
            "freeMb": free_mb,
            "thresholdMb": settings.ready_min_free_disk_mb,
        },
    });
    (status, Json(body)).into_response()
}

/// Where the data lives on this machine: the SQLite file's directory, or (PostgreSQL's disk
/// being another machine's) the directory backups go to, else the working directory.
fn disk_path(settings: &crate::config::Settings) -> std::path::PathBuf {
    let dir = crate::backup::sqlite_path(&settings.database_url)
        .and_then(|f| f.parent().map(std::path::Path::to_path_buf))
        .unwrap_or_else(|| std::path::PathBuf::from(&settings.backup_dir));
    let dir = if dir.as_os_str().is_empty() {
        std::path::PathBuf::from(".")
    } else {
        dir
    };
    if dir.exists() {
        dir
    } else {
        std::path::PathBuf::from(".")
    }
}

/// Free space for an unprivileged writer at `path`, in MiB.
pub fn free_disk_mb(path: &std::path::Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(path).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize) / (1024 * 1024))
}

/// Binds and serves until Ctrl-C or SIGTERM. `on_bound` hears the bound address first
/// (useful with port 0).
pub async fn serve(state: AppState, on_bound: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.settings.listen).await?;
    on_bound(listener.local_addr()?);
    let app = build_app(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

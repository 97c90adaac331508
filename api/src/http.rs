//! The HTTP edge: GraphQL over POST and GET, subscriptions over WebSocket on the same path,
//! GraphiQL, health checks. Authentication happens here, once per request or connection.

use std::{net::SocketAddr, time::Duration};

use async_graphql::{ErrorExtensions, ServerError, Value, http::ALL_WEBSOCKET_PROTOCOLS};
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
        service::authenticate,
    },
    context::RequestMeta,
    error::{AppError, ErrorCode, Msg},
    schema::{AppSchema, MAX_DEPTH, build_schema, fill_request_data},
    state::AppState,
};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

#[derive(Clone)]
struct Http {
    state: AppState,
    schema: AppSchema,
}

pub fn build_app(state: AppState) -> Router {
    let settings = &state.settings;
    let mut router = Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if settings.graphiql {
        router = router.route("/graphiql", get(crate::web::graphiql));
    }
    // The web app: embedded files, and index.html for the app's own paths.
    router = router.fallback(crate::web::fallback);
    let cors = cors_layer(&settings.cors_origins);
    let body_limit = settings.body_limit_bytes;
    let http = Http {
        schema: build_schema(state.clone()),
        state,
    };
    let router = router
        .with_state(http)
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(|_| internal_response("panic")));
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
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
        let (actor, failure) = identify(&http.state, bearer(&parts.headers).as_deref()).await;
        Ok(Edge {
            actor,
            failure,
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
        Ok(request) => execute(&http, edge, request.into_inner()).await,
        Err(rejection) => rejection.into_response(),
    }
}

async fn execute(http: &Http, edge: Edge, mut request: async_graphql::Request) -> Response {
    let request_id = edge.meta.request_id.clone().unwrap_or_default();
    let span =
        tracing::info_span!("graphql", request_id = %request_id, actor = %edge.actor.label());
    fill_request_data(
        &mut request.data,
        &http.state,
        edge.actor,
        edge.failure,
        edge.meta,
    );
    let mut response = http.schema.execute(request).instrument(span).await;
    finish_errors(&mut response.errors, &request_id);
    let mut response = GraphQLResponse::from(response).into_response();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    response
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
        _ => message.to_owned(),
    };
    Msg::new(ru, message)
}

fn websocket(
    http: Http,
    edge: Edge,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let state = http.state.clone();
            GraphQLWebSocket::new(socket, http.schema.clone(), protocol)
                .on_connection_init(move |payload| async move {
                    // A token in `connection_init` wins over one in the upgrade request.
                    let (actor, failure) = match payload_token(&payload) {
                        Some(token) => match identify(&state, Some(&token)).await {
                            (_, Some(AuthFailure(msg))) => {
                                return Err(AppError::Unauthenticated(msg).extend());
                            }
                            (actor, None) => (actor, None),
                        },
                        None => (edge.actor, edge.failure),
                    };
                    let mut data = async_graphql::Data::default();
                    fill_request_data(&mut data, &state, actor, failure, edge.meta);
                    Ok(data)
                })
                .serve()
        })
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

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database (and Redis, when configured) answer.
async fn readyz(State(http): State<Http>) -> Response {
    let state = &http.state;
    let database = match state.db.ping().await {
        Ok(()) => "ok".to_owned(),
        Err(err) => {
            tracing::warn!(%err, "readiness: database down");
            "unreachable".to_owned()
        }
    };
    let redis = match &state.redis {
        None => None,
        Some(conn) => {
            let mut conn = conn.clone();
            let ping = tokio::time::timeout(
                Duration::from_secs(2),
                redis::cmd("PING").query_async::<String>(&mut conn),
            )
            .await;
            Some(match ping {
                Ok(Ok(_)) => "ok".to_owned(),
                _ => "unreachable".to_owned(),
            })
        }
    };
    let ready = database == "ok" && redis.as_deref().is_none_or(|r| r == "ok");
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ready { "ready" } else { "not ready" },
        "database": database,
        "redis": redis.unwrap_or_else(|| "not configured".to_owned()),
        "bus": state.bus.engine(),
    });
    (status, Json(body)).into_response()
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

//! The web app and GraphiQL, built from `frontend/` and embedded in the binary (see
//! `api/build.rs`). Hashed assets are cached for a year; the HTML pages are revalidated on
//! every load so a new release is picked up at once. Any other GET path that is not a file
//! gets `index.html`, so the app's own routes (`/map`, `/clients/42`) survive a reload.

use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../frontend/dist"]
struct Dist;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// `/graphiql`: the GraphiQL page of the bundle.
pub async fn graphiql(headers: HeaderMap) -> Response {
    file("graphiql.html", &headers).unwrap_or_else(not_found)
}

/// Everything no other route took: an embedded file, else the app's `index.html`.
pub async fn fallback(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = uri.path().trim_start_matches('/');
    if !path.is_empty()
        && let Some(response) = file(path, &headers)
    {
        return response;
    }
    // A missing asset is a 404, not the app: a stale page must not get HTML for a script.
    if path.starts_with("assets/") || path.rsplit('/').next().is_some_and(|l| l.contains('.')) {
        return not_found();
    }
    file("index.html", &headers).unwrap_or_else(not_found)
}

fn file(path: &str, headers: &HeaderMap) -> Option<Response> {
    let found = Dist::get(path)?;
    let etag = format!("\"{}\"", hex(&found.metadata.sha256_hash()[..16]));
    let cache = if path.starts_with("assets/") {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = Response::new(Body::from(found.data.into_owned()));
        if let Ok(value) = HeaderValue::from_str(found.metadata.mimetype()) {
            response.headers_mut().insert(header::CONTENT_TYPE, value);
        }
        response
    };
    let out = response.headers_mut();
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, value);
    }
    Some(response)
}

fn not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

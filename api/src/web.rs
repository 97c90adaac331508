//! The web app and GraphiQL, built from `frontend/` and embedded in the binary (see
//! `api/build.rs`). Hashed assets are cached for a year; the HTML pages are revalidated on
//! every load so a new release is picked up at once. Any other GET path that is not a file
//! gets `index.html`, so the app's own routes (`/map`, `/clients/42`) survive a reload, or
//! `book.html` under `/book/` (the public booking page and the client cabinet).
//!
//! The build writes a brotli (`.br`) and a gzip (`.gz`) copy next to every text file they make
//! smaller (`frontend/vite.config.ts`); a browser that accepts one gets it as it is, with
//! `Content-Encoding`, its own ETag and `Vary: Accept-Encoding`, so nothing is compressed
//! while serving.

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
    // The public booking page and the client cabinet live under /book/; the staff app
    // everywhere else.
    let page = if path == "book" || path.starts_with("book/") {
        "book.html"
    } else {
        "index.html"
    };
    file(page, &headers).unwrap_or_else(not_found)
}

/// The encodings the build precompresses, best first, with the suffix of their files.
const ENCODINGS: [(&str, &str); 2] = [("br", ".br"), ("gzip", ".gz")];

/// Whether `Accept-Encoding` takes `coding` (a `q` of 0 refuses it; `*` takes any).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    let mut star = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            if name.eq_ignore_ascii_case(coding) {
                return !refused;
            }
            star |= name == "*" && !refused;
        }
    }
    star
}

fn file(path: &str, headers: &HeaderMap) -> Option<Response> {
    let found = Dist::get(path)?;
    let variants: Vec<_> = ENCODINGS
        .into_iter()
        .filter_map(|(coding, suffix)| Some((coding, Dist::get(&format!("{path}{suffix}"))?)))
        .collect();
    let negotiated = !variants.is_empty();
    let chosen = variants
        .into_iter()
        .find(|(coding, _)| accepts(headers, coding));
    let mime = found.metadata.mimetype().to_owned();
    let (found, encoding) = match chosen {
        Some((coding, compressed)) => (compressed, Some(coding)),
        None => (found, None),
    };
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
        if let Ok(value) = HeaderValue::from_str(&mime) {
            response.headers_mut().insert(header::CONTENT_TYPE, value);
        }
        if let Some(coding) = encoding {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        response
    };
    let out = response.headers_mut();
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if negotiated {
        out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn accept_encoding_is_read_as_browsers_send_it() {
        let chromium = accept("gzip, deflate, br, zstd");
        assert!(accepts(&chromium, "br") && accepts(&chromium, "gzip"));
        let no_br = accept("gzip;q=1.0, br;q=0");
        assert!(!accepts(&no_br, "br") && accepts(&no_br, "gzip"));
        assert!(accepts(&accept("*"), "br"));
        assert!(!accepts(&accept("*, gzip;q=0"), "gzip"));
        assert!(!accepts(&accept("identity"), "gzip"));
        assert!(!accepts(&HeaderMap::new(), "br"));
    }
}

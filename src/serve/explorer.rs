//! The web explorer: one HTML page, a script and a stylesheet, embedded in the
//! binary (no build step, no CDN). The page talks to `/sparql` like any other
//! client; the only other thing it fetches is `/queries.json`, the canned
//! queries of `examples/queries/` ([`crate::query::named`]).
//!
//! Every list the page shows is paged on the server (`LIMIT`/`OFFSET`), so it
//! stays usable on large stores.

use oxhttp::model::header::{self, HeaderValue};
use oxhttp::model::{Body, Method, Response, StatusCode};

use super::text_response;

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// The asset at `path`, or `None` (404). Only GET and HEAD read assets.
pub fn asset(method: &Method, path: &str) -> Option<Response<Body>> {
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    let (content_type, body) = match path {
        "/" | "/index.html" => ("text/html; charset=utf-8", INDEX_HTML.as_bytes().to_vec()),
        "/app.js" => ("text/javascript; charset=utf-8", APP_JS.as_bytes().to_vec()),
        "/app.css" => ("text/css; charset=utf-8", APP_CSS.as_bytes().to_vec()),
        "/queries.json" => ("application/json", canned_queries()),
        _ => return None,
    };
    let mut response = text_response(StatusCode::OK, content_type, body);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Some(response)
}

/// The shipped queries as JSON: `[{"name", "description", "text"}]`.
fn canned_queries() -> Vec<u8> {
    let list: Vec<serde_json::Value> = crate::query::named::all()
        .into_iter()
        .map(|q| serde_json::json!({"name": q.name, "description": q.description, "text": q.text}))
        .collect();
    serde_json::to_vec(&list).unwrap_or_else(|_| b"[]".to_vec())
}

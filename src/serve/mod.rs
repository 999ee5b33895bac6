//! `textkg serve`: the store over HTTP.
//!
//! - `/sparql` (aliases `/query`, `/update`): the
//!   [SPARQL 1.1 Protocol](https://www.w3.org/TR/sparql11-protocol/) — query by
//!   GET, by POST form and by POST `application/sparql-query`; update (when
//!   enabled) by POST form and `application/sparql-update`; a
//!   [service description](https://www.w3.org/TR/sparql11-service-description/)
//!   when no operation is given ([`protocol`]).
//! - `/store`: the [Graph Store HTTP Protocol](https://www.w3.org/TR/sparql11-http-rdf-update/)
//!   (`?graph=IRI` or `?default`): reads always, writes when enabled.
//! - `/`: the web explorer, assets embedded in the binary ([`explorer`]).
//!
//! As in `textkg query`, the default graph of a query is the union of the
//! document graphs (unless `FROM` or `default-graph-uri` name graphs); the
//! service description says so with `sd:UnionDefaultGraph`.
//!
//! Every request is bounded: body size (413), concurrent work (503), query
//! time and result count (error with the budget named), no federated
//! `SERVICE` unless enabled (403), writes only with the bearer token (401).
//! Nothing a client sends can panic the server: handlers return errors, and a
//! panic that escapes anyway becomes a 500.
//!
//! ```no_run
//! use textkg::serve::{ServeOptions, Server};
//! use textkg::store::KgStore;
//!
//! let store = KgStore::open_read_only(std::path::Path::new("textkg-store"))?;
//! let running = Server::new(store, ServeOptions::default()).spawn("127.0.0.1:7878")?;
//! eprintln!("listening on http://{}/", running.local_addr());
//! running.join()?;
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

pub mod explorer;
pub mod protocol;

use std::io::{self, Read};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use oxhttp::model::header::{self, HeaderValue};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};

use crate::store::KgStore;

/// Settings of the server, builder style: `ServeOptions::default().with_timeout(…)`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Bearer token that SPARQL Update and Graph Store writes must present;
    /// `None` keeps the server read-only.
    pub update_token: Option<String>,
    /// Let queries call remote endpoints with `SERVICE`.
    pub allow_service: bool,
    /// Stop a query (or update) after this long.
    pub timeout: Duration,
    /// Stop a query after this many solutions or triples (error, not a silently cut result).
    pub max_results: u64,
    /// Largest request body accepted (413 beyond it).
    pub max_body_bytes: u64,
    /// Requests doing store work at once (503 beyond it).
    pub max_concurrent: usize,
    /// Stop a query when the process's resident memory passes this many MB (Linux).
    pub max_memory_mb: Option<u64>,
    /// Log one line per request on stderr.
    pub log_requests: bool,
}

impl Default for ServeOptions {
    /// Read-only, no `SERVICE`, 5 s, 100 000 results, 2 MiB bodies, 16 at once, 4 GB.
    fn default() -> Self {
        Self {
            update_token: None,
            allow_service: false,
            timeout: Duration::from_secs(5),
            max_results: 100_000,
            max_body_bytes: 2 * 1024 * 1024,
            max_concurrent: 16,
            max_memory_mb: Some(4096),
            log_requests: true,
        }
    }
}

impl ServeOptions {
    /// Enables SPARQL Update and Graph Store writes for requests carrying `token`.
    pub fn with_update_token(mut self, token: impl Into<String>) -> Self {
        self.update_token = Some(token.into());
        self
    }

    /// Lets queries make federated `SERVICE` calls.
    pub fn with_service(mut self) -> Self {
        self.allow_service = true;
        self
    }

    /// Query time budget.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Result cap.
    pub fn with_max_results(mut self, max: u64) -> Self {
        self.max_results = max;
        self
    }

    /// Request body cap in bytes.
    pub fn with_max_body_bytes(mut self, max: u64) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// Concurrency cap.
    pub fn with_max_concurrent(mut self, max: usize) -> Self {
        self.max_concurrent = max.max(1);
        self
    }

    /// Memory budget in MB (`None`: none).
    pub fn with_max_memory_mb(mut self, max: Option<u64>) -> Self {
        self.max_memory_mb = max;
        self
    }

    /// No request log (tests, embedding).
    pub fn without_request_log(mut self) -> Self {
        self.log_requests = false;
        self
    }
}

/// Errors of starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address does not parse or resolve.
    #[error("cannot use {addr:?} as a listening address (expected HOST:PORT, e.g. 127.0.0.1:7878)")]
    Address {
        /// What was given.
        addr: String,
        /// Why it failed.
        #[source]
        source: io::Error,
    },
    /// Binding or spawning failed (port in use, permissions).
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// The HTTP server over a store.
pub struct Server {
    state: Arc<State>,
}

/// What request handlers share.
struct State {
    store: KgStore,
    options: ServeOptions,
    in_flight: AtomicUsize,
}

/// A running server.
pub struct RunningServer {
    addr: SocketAddr,
    inner: oxhttp::ListeningServer,
}

impl RunningServer {
    /// The address the server listens on (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks while the server runs.
    pub fn join(self) -> io::Result<()> {
        self.inner.join()
    }
}

/// Connections served at once (each a thread); requests beyond
/// [`ServeOptions::max_concurrent`] that do store work get 503 at once, so the
/// extra connections only ever wait on cheap work.
const MAX_CONNECTIONS: usize = 128;

/// A connection that sends nothing for this long is closed.
const IO_TIMEOUT: Duration = Duration::from_secs(60);

impl Server {
    /// A server over `store` (open it read-write when writes are enabled).
    pub fn new(store: KgStore, options: ServeOptions) -> Self {
        Self {
            state: Arc::new(State {
                store,
                options,
                in_flight: AtomicUsize::new(0),
            }),
        }
    }

    /// Answers one request (what the HTTP server calls; public for tests and embedding).
    pub fn handle(&self, request: &mut Request<Body>) -> Response<Body> {
        self.state.handle(request)
    }

    /// Starts listening on `addr` (`HOST:PORT`; port 0 picks a free port) on background threads.
    pub fn spawn(self, addr: &str) -> Result<RunningServer, ServeError> {
        let resolved = addr
            .to_socket_addrs()
            .and_then(|mut a| {
                a.next()
                    .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the name resolves to no address"))
            })
            .map_err(|source| ServeError::Address {
                addr: addr.to_string(),
                source,
            })?;
        // oxhttp binds by address and does not report the port it got: for
        // port 0, find a free port first. Another process may take it in
        // between; then bind fails with "address in use" and we try another.
        let mut attempts = 0;
        loop {
            let target = if resolved.port() == 0 {
                free_port(resolved).map_err(|source| ServeError::Listen { addr: resolved, source })?
            } else {
                resolved
            };
            let state = Arc::clone(&self.state);
            let spawned = oxhttp::Server::new(move |request: &mut Request<Body>| state.handle(request))
                .bind(target)
                .with_global_timeout(IO_TIMEOUT)
                .with_max_concurrent_connections(MAX_CONNECTIONS)
                .spawn();
            match spawned {
                Ok(inner) => return Ok(RunningServer { addr: target, inner }),
                Err(e) if resolved.port() == 0 && e.kind() == io::ErrorKind::AddrInUse && attempts < 10 => {
                    attempts += 1;
                }
                Err(source) => return Err(ServeError::Listen { addr: target, source }),
            }
        }
    }
}

fn free_port(addr: SocketAddr) -> io::Result<SocketAddr> {
    TcpListener::bind(addr)?.local_addr()
}

/// An HTTP error answer: status and a plain-text message for people.
#[derive(Debug)]
pub(crate) struct HttpError {
    pub status: StatusCode,
    pub message: String,
}

impl HttpError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn into_response(self) -> Response<Body> {
        let mut message = self.message;
        message.push('\n');
        text_response(self.status, "text/plain; charset=utf-8", message.into_bytes())
    }
}

/// A response with a body; builder errors cannot happen with these header values.
pub(crate) fn text_response(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response
}

impl State {
    fn handle(&self, request: &mut Request<Body>) -> Response<Body> {
        let started = Instant::now();
        let method = request.method().clone();
        let path = request.uri().path().to_string();
        let mut response = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.route(request)))
            .unwrap_or_else(|_| {
                HttpError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error (a bug: please report it)",
                )
                .into_response()
            });
        response
            .headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        if method == Method::HEAD {
            *response.body_mut() = Body::empty();
        }
        if self.options.log_requests {
            eprintln!(
                "{method} {path} {} {} ms",
                response.status().as_u16(),
                started.elapsed().as_millis()
            );
        }
        response
    }

    fn route(&self, request: &mut Request<Body>) -> Response<Body> {
        if request.method() == Method::OPTIONS {
            return preflight(self.options.update_token.is_some());
        }
        let path = request.uri().path().to_string();
        let result = match path.as_str() {
            "/sparql" | "/query" | "/update" => self.with_slot(|| protocol::sparql(self, request)),
            "/store" => self.with_slot(|| protocol::graph_store(self, request)),
            _ => explorer::asset(request.method(), &path).ok_or_else(|| {
                HttpError::new(
                    StatusCode::NOT_FOUND,
                    format!(
                        "nothing at {path}; the SPARQL endpoint is /sparql, the graph store /store, the explorer /"
                    ),
                )
            }),
        };
        result.unwrap_or_else(HttpError::into_response)
    }

    /// Runs store work if fewer than [`ServeOptions::max_concurrent`] requests do; else 503.
    fn with_slot(&self, work: impl FnOnce() -> Result<Response<Body>, HttpError>) -> Result<Response<Body>, HttpError> {
        let before = self.in_flight.fetch_add(1, Ordering::SeqCst);
        let _slot = Slot(&self.in_flight);
        if before >= self.options.max_concurrent {
            let mut response = HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the server is busy ({} requests at once, --max-concurrent); retry shortly",
                    self.options.max_concurrent
                ),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return Ok(response);
        }
        work()
    }

    /// Reads the request body, at most [`ServeOptions::max_body_bytes`] (413 beyond).
    fn read_body(&self, request: &mut Request<Body>) -> Result<Vec<u8>, HttpError> {
        let max = self.options.max_body_bytes;
        let too_large = || {
            HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is larger than {max} bytes (--max-body)"),
            )
        };
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > max) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        request
            .body_mut()
            .take(max.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| HttpError::new(StatusCode::BAD_REQUEST, format!("cannot read the request body: {e}")))?;
        if body.len() as u64 > max {
            return Err(too_large());
        }
        Ok(body)
    }

    /// Checks the bearer token of a write request: 403 when writes are off, 401 without the token.
    fn authorize_write(&self, request: &Request<Body>) -> Result<(), HttpError> {
        let Some(expected) = &self.options.update_token else {
            return Err(HttpError::new(
                StatusCode::FORBIDDEN,
                "this endpoint is read-only; start `textkg serve` with --allow-update --token-file FILE to write",
            ));
        };
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match given {
            Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => Ok(()),
            _ => Err(HttpError::new(
                StatusCode::UNAUTHORIZED,
                "writes need the server's token: send `Authorization: Bearer TOKEN`",
            )),
        }
    }
}

/// Releases a concurrency slot when dropped.
struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Compares secrets without an early exit that would leak the matching prefix's length.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Methods a preflight allows: writes only when the server accepts them.
const READ_METHODS: &str = "GET, HEAD, POST, OPTIONS";
const WRITE_METHODS: &str = "GET, HEAD, POST, PUT, DELETE, OPTIONS";

/// The answer to a CORS preflight: every origin may call the endpoint, with
/// the Graph Store write methods only when writes are enabled.
///
/// oxhttp 0.3.3 (the newest release) would drop `Access-Control-Allow-Methods`:
/// its response encoder skips "forbidden" header names, and that list has
/// `ACCESS_CONTROL_ALLOW_METHODS` where the Fetch standard's forbidden
/// *request* header `Access-Control-Request-Method` was meant (oxhttp 0.1
/// listed `access-control-request-method`). textkg builds oxhttp from
/// `vendor/oxhttp`, the release with that entry removed
/// (`vendor/oxhttp/PATCHED.md`), so browsers may send Graph Store
/// `PUT`/`DELETE` from another origin when writes are enabled.
fn preflight(writes: bool) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(if writes { WRITE_METHODS } else { READ_METHODS }),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Accept, Authorization, Content-Type"),
    );
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
    }

    fn allowed_methods(response: &Response<Body>) -> Vec<&str> {
        response
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_METHODS)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').map(str::trim).collect())
            .unwrap_or_default()
    }

    #[test]
    fn preflight_allows_writes_only_when_enabled() {
        let read_only = preflight(false);
        assert_eq!(read_only.status(), StatusCode::NO_CONTENT);
        let methods = allowed_methods(&read_only);
        assert!(methods.contains(&"POST"), "{methods:?}");
        assert!(!methods.contains(&"PUT") && !methods.contains(&"DELETE"), "{methods:?}");
        let read_write = preflight(true);
        let methods = allowed_methods(&read_write);
        assert!(methods.contains(&"PUT") && methods.contains(&"DELETE"), "{methods:?}");
    }
}

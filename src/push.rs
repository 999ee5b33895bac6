//! `textkg push`: writes the store's named graphs (one per document, plus the
//! resolution and analytics graphs) to a remote triple store, through
//! [SPARQL 1.1 Update](https://www.w3.org/TR/sparql11-update/) or the
//! [Graph Store HTTP Protocol](https://www.w3.org/TR/sparql11-http-rdf-update/).
//!
//! Idempotent: each graph *replaces* the remote graph of the same name (GSP
//! `PUT`, or `DROP SILENT GRAPH` + `INSERT DATA` in one update request), so a
//! second push leaves the remote as it was. Requests are batched (several
//! graphs per update, up to a body size), and retried with exponential
//! back-off on 5xx answers and connection errors; any other refusal (401, 403,
//! 400 …) stops the push at once with the remote's own message.
//!
//! Plain `http://` only: textkg is built without TLS (put a local proxy in
//! front of an `https://` store).

use std::io::Write;
use std::time::Duration;

use oxhttp::model::header::{self, HeaderValue};
use oxhttp::model::{Body, Method, Request, StatusCode};
use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphNameRef, NamedOrBlankNode, TripleRef};

use crate::store::{KgStore, StoreError};

/// Where graphs go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A SPARQL 1.1 Update endpoint URL.
    Update(String),
    /// A Graph Store HTTP Protocol endpoint URL (`?graph=` is appended).
    GraphStore(String),
}

/// Settings of a push, builder style.
#[derive(Debug, Clone)]
pub struct PushOptions {
    target: Target,
    authorization: Option<String>,
    batch: usize,
    max_batch_bytes: usize,
    attempts: u32,
    first_backoff: Duration,
    timeout: Duration,
    graphs: Vec<String>,
}

impl PushOptions {
    /// Every named graph to `target`, 20 graphs or 1 MiB per update, 4 attempts per request.
    pub fn new(target: Target) -> Self {
        Self {
            target,
            authorization: None,
            batch: 20,
            max_batch_bytes: 1024 * 1024,
            attempts: 4,
            first_backoff: Duration::from_millis(500),
            timeout: Duration::from_secs(120),
            graphs: Vec::new(),
        }
    }

    /// Sends `Authorization: Bearer TOKEN`.
    pub fn with_bearer_token(mut self, token: impl AsRef<str>) -> Self {
        self.authorization = Some(format!("Bearer {}", token.as_ref()));
        self
    }

    /// Sends HTTP Basic authentication.
    pub fn with_basic_auth(mut self, user: &str, password: &str) -> Self {
        self.authorization = Some(format!("Basic {}", base64(format!("{user}:{password}").as_bytes())));
        self
    }

    /// Graphs per update request (at least 1).
    pub fn with_batch(mut self, graphs: usize) -> Self {
        self.batch = graphs.max(1);
        self
    }

    /// Attempts per request (at least 1).
    pub fn with_retries(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// Wait before the first retry (doubled for each further one).
    pub fn with_backoff(mut self, first: Duration) -> Self {
        self.first_backoff = first;
        self
    }

    /// Only these graphs (IRIs); empty: every named graph.
    pub fn with_graphs(mut self, graphs: Vec<String>) -> Self {
        self.graphs = graphs;
        self
    }
}

/// What a push did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushSummary {
    /// Graphs written.
    pub graphs: usize,
    /// Quads written.
    pub quads: u64,
    /// HTTP requests that succeeded.
    pub requests: usize,
}

/// Errors of a push.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The URL is not an `http://` URL textkg can call.
    #[error("{url:?} is not a usable endpoint URL ({reason})")]
    Url {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// A graph named with `--graph` is not in the store.
    #[error("the store has no graph {0}")]
    NoSuchGraph(String),
    /// The remote answered with an error status.
    #[error("{url} refused the request: HTTP {status}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Refused {
        /// The URL.
        url: String,
        /// Its status.
        status: u16,
        /// The start of its answer.
        message: String,
    },
    /// The remote could not be reached (after the retries).
    #[error("cannot reach {url} (after {attempts} attempts)")]
    Unreachable {
        /// The URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last error.
        #[source]
        source: std::io::Error,
    },
    /// Reading the local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Serializing a graph failed.
    #[error("cannot serialize a graph")]
    Serialize(#[from] std::io::Error),
}

/// Pushes the store's named graphs; `progress(done, total)` is called after each request.
pub fn push(
    store: &KgStore,
    options: &PushOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PushSummary, PushError> {
    let url = match &options.target {
        Target::Update(u) | Target::GraphStore(u) => u,
    };
    check_url(url)?;
    let graphs = graphs_to_push(store, options)?;
    let client = oxhttp::Client::new().with_global_timeout(options.timeout);
    let client = client
        .with_user_agent(concat!("textkg/", env!("CARGO_PKG_VERSION")))
        .unwrap_or_else(|_| oxhttp::Client::new().with_global_timeout(options.timeout));
    let mut summary = PushSummary::default();
    match &options.target {
        Target::GraphStore(base) => {
            for graph in &graphs {
                let (body, quads) = graph_ntriples(store, graph)?;
                let separator = if base.contains('?') { '&' } else { '?' };
                let url = format!(
                    "{base}{separator}{}",
                    form_urlencoded::Serializer::new(String::new())
                        .append_pair("graph", graph.as_str().trim_start_matches('<').trim_end_matches('>'))
                        .finish()
                );
                send(&client, options, Method::PUT, &url, "application/n-triples", body)?;
                summary.graphs += 1;
                summary.quads += quads;
                summary.requests += 1;
                progress(summary.graphs, graphs.len());
            }
        }
        Target::Update(url) => {
            let mut body = Vec::new();
            let mut in_batch = 0;
            let mut quads_in_batch = 0;
            for (i, graph) in graphs.iter().enumerate() {
                let (triples, quads) = graph_ntriples(store, graph)?;
                if !body.is_empty() {
                    body.extend_from_slice(b" ;\n");
                }
                write!(body, "DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n")?;
                body.extend_from_slice(&triples);
                body.extend_from_slice(b"} }");
                in_batch += 1;
                quads_in_batch += quads;
                let last = i + 1 == graphs.len();
                if last || in_batch >= options.batch || body.len() >= options.max_batch_bytes {
                    send(
                        &client,
                        options,
                        Method::POST,
                        url,
                        "application/sparql-update",
                        std::mem::take(&mut body),
                    )?;
                    summary.graphs += in_batch;
                    summary.quads += quads_in_batch;
                    summary.requests += 1;
                    in_batch = 0;
                    quads_in_batch = 0;
                    progress(summary.graphs, graphs.len());
                }
            }
        }
    }
    Ok(summary)
}

fn check_url(url: &str) -> Result<(), PushError> {
    let bad = |reason: &str| PushError::Url {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    if url.starts_with("https://") {
        return Err(bad(
            "https:// needs TLS, which textkg is built without; use http:// or a local proxy",
        ));
    }
    if !url.starts_with("http://") {
        return Err(bad("expected http://HOST:PORT/PATH"));
    }
    url.parse::<oxhttp::model::Uri>().map_err(|e| bad(&e.to_string()))?;
    Ok(())
}

/// The graphs to push, as N-Triples terms (`<iri>`), sorted.
fn graphs_to_push(store: &KgStore, options: &PushOptions) -> Result<Vec<String>, PushError> {
    let inner = store.inner();
    let mut graphs = Vec::new();
    if options.graphs.is_empty() {
        for g in inner.named_graphs() {
            // Blank-node graph names cannot be addressed on a remote store.
            if let NamedOrBlankNode::NamedNode(n) = g.map_err(StoreError::from)? {
                graphs.push(n.to_string());
            }
        }
    } else {
        for iri in &options.graphs {
            let node =
                oxigraph::model::NamedNode::new(iri.as_str()).map_err(|_| PushError::NoSuchGraph(iri.clone()))?;
            if !inner.contains_named_graph(&node).map_err(StoreError::from)? {
                return Err(PushError::NoSuchGraph(iri.clone()));
            }
            graphs.push(node.to_string());
        }
    }
    graphs.sort();
    graphs.dedup();
    Ok(graphs)
}

/// One graph's triples as N-Triples (also valid inside `INSERT DATA`), and their number.
fn graph_ntriples(store: &KgStore, graph: &str) -> Result<(Vec<u8>, u64), PushError> {
    let iri = graph.trim_start_matches('<').trim_end_matches('>');
    let node = oxigraph::model::NamedNodeRef::new_unchecked(iri);
    let mut ser = oxigraph::io::RdfSerializer::from_format(RdfFormat::NTriples).for_writer(Vec::new());
    let mut count = 0;
    for quad in store
        .inner()
        .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(node)))
    {
        let quad = quad.map_err(StoreError::from)?;
        ser.serialize_triple(TripleRef::from(quad.as_ref()))?;
        count += 1;
    }
    Ok((ser.finish()?, count))
}

/// Sends one request, retrying 5xx answers and connection errors with back-off.
fn send(
    client: &oxhttp::Client,
    options: &PushOptions,
    method: Method,
    url: &str,
    content_type: &'static str,
    body: Vec<u8>,
) -> Result<(), PushError> {
    let mut wait = options.first_backoff;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(url)
            .header(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Some(auth) = &options.authorization {
            builder = builder.header(header::AUTHORIZATION, auth.as_str());
        }
        let request = builder.body(Body::from(body.clone())).map_err(|e| PushError::Url {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        let last = attempt >= options.attempts;
        match client.request(request) {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => {
                let status = response.status();
                let message = response.into_body().to_string().unwrap_or_default();
                if status.is_server_error() && !last {
                    std::thread::sleep(wait);
                    wait *= 2;
                    continue;
                }
                return Err(refused(url, status, &message));
            }
            Err(source) if last => {
                return Err(PushError::Unreachable {
                    url: url.to_string(),
                    attempts: attempt,
                    source,
                });
            }
            Err(_) => {
                std::thread::sleep(wait);
                wait *= 2;
            }
        }
    }
}

fn refused(url: &str, status: StatusCode, message: &str) -> PushError {
    let trimmed = message.trim();
    let mut message: String = trimmed.chars().take(600).collect();
    if message.len() < trimmed.len() {
        message.push('…');
    }
    PushError::Refused {
        url: url.to_string(),
        status: status.as_u16(),
        message,
    }
}

/// Standard base64 with padding (RFC 4648), for HTTP Basic authentication.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"dba:dba"), "ZGJhOmRiYQ==");
    }

    #[test]
    fn urls_are_checked() {
        assert!(
            matches!(check_url("https://example.org/sparql"), Err(PushError::Url { reason, .. }) if reason.contains("TLS"))
        );
        assert!(check_url("ftp://x").is_err());
        assert!(check_url("http://127.0.0.1:7878/update").is_ok());
    }
}

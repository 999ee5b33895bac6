//! The [SPARQL 1.1 Protocol](https://www.w3.org/TR/sparql11-protocol/) and the
//! read/write [Graph Store HTTP Protocol](https://www.w3.org/TR/sparql11-http-rdf-update/).
//!
//! Results are written to a buffer before the status line goes out, so a query
//! stopped by a budget (time, result count, memory) gets an error status and a
//! message instead of a 200 with a truncated body; the result cap bounds that
//! buffer.

use oxhttp::model::header::{self, HeaderValue};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphNameRef, Literal, NamedNode, Triple};
use oxigraph::sparql::QueryEvaluationError;
use oxigraph::sparql::results::QueryResultsFormat;

use super::{HttpError, State, text_response};
use crate::query::{self, DatasetGraphs, QueryError, QueryForm, QueryOptions, Serialization};

/// Result formats for SELECT and ASK, in order of preference (the first is the default).
const RESULT_TYPES: &[(&str, QueryResultsFormat)] = &[
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("application/xml", QueryResultsFormat::Xml),
    ("text/xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
];

/// RDF media types for CONSTRUCT, DESCRIBE, graph reads and the service
/// description, in order of preference (the first is the default).
const RDF_TYPES: &[&str] = &[
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/ld+json",
    "application/rdf+xml",
    "application/trig",
    "text/plain",
];

/// `format=` values that override `Accept` (handy in a browser's address bar).
fn format_parameter(name: &str) -> Option<&'static str> {
    Some(match name {
        "json" => "application/sparql-results+json",
        "xml" => "application/sparql-results+xml",
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "turtle" | "ttl" => "text/turtle",
        "ntriples" | "nt" => "application/n-triples",
        "nquads" | "nq" => "application/n-quads",
        "jsonld" | "json-ld" => "application/ld+json",
        "rdfxml" | "rdf" => "application/rdf+xml",
        "trig" => "application/trig",
        _ => return None,
    })
}

fn rdf_format(media_type: &str) -> Option<RdfFormat> {
    if media_type == "text/plain" {
        // N-Triples' historical media type (rdflib and older clients ask for it).
        return Some(RdfFormat::NTriples);
    }
    RdfFormat::from_media_type(media_type)
}

/// Parsed `Accept` header: (media range, q) pairs.
struct Accept(Vec<(String, f32)>);

impl Accept {
    fn parse(header: Option<&str>) -> Self {
        let Some(header) = header.filter(|h| !h.trim().is_empty()) else {
            return Self(vec![("*/*".to_string(), 1.0)]);
        };
        Self(
            header
                .split(',')
                .filter_map(|part| {
                    let mut pieces = part.split(';');
                    let range = pieces.next()?.trim().to_ascii_lowercase();
                    if range.is_empty() {
                        return None;
                    }
                    let q = pieces
                        .filter_map(|p| p.trim().strip_prefix("q="))
                        .find_map(|q| q.trim().parse::<f32>().ok())
                        .filter(|q| q.is_finite())
                        .unwrap_or(1.0);
                    Some((range, q.clamp(0.0, 1.0)))
                })
                .collect(),
        )
    }

    fn only(media_type: &str) -> Self {
        Self(vec![(media_type.to_string(), 1.0)])
    }

    /// The q of `media_type`: the most specific matching range decides.
    fn quality(&self, media_type: &str) -> f32 {
        let (kind, _) = media_type.split_once('/').unwrap_or((media_type, ""));
        let mut best: Option<(u8, f32)> = None;
        for (range, q) in &self.0 {
            let specificity = if range == media_type {
                3
            } else if range.strip_suffix("/*") == Some(kind) {
                2
            } else if range == "*/*" || range == "*" {
                1
            } else {
                continue;
            };
            if best.is_none_or(|(s, _)| specificity > s) {
                best = Some((specificity, *q));
            }
        }
        best.map_or(0.0, |(_, q)| q)
    }

    /// The acceptable candidate with the highest q (earlier candidates win ties).
    fn best<'a, T: Copy>(&self, candidates: impl Iterator<Item = (&'a str, T)>) -> Option<(&'a str, T)> {
        let mut best: Option<(f32, &str, T)> = None;
        for (media_type, value) in candidates {
            let q = self.quality(media_type);
            if q > 0.0 && best.is_none_or(|(b, _, _)| q > b) {
                best = Some((q, media_type, value));
            }
        }
        best.map(|(_, m, v)| (m, v))
    }

    fn best_results(&self) -> Option<(&'static str, QueryResultsFormat)> {
        self.best(RESULT_TYPES.iter().copied())
    }

    fn best_rdf(&self) -> Option<(&'static str, RdfFormat)> {
        self.best(RDF_TYPES.iter().filter_map(|m| Some((*m, rdf_format(m)?))))
    }
}

/// Request parameters (from the query string and, for forms, the body).
#[derive(Default)]
struct Params {
    query: Vec<String>,
    update: Vec<String>,
    dataset: DatasetGraphs,
    format: Option<String>,
    graph: Vec<String>,
    default: bool,
}

impl Params {
    fn add(&mut self, pairs: &[u8]) -> Result<(), HttpError> {
        for (key, value) in form_urlencoded::parse(pairs) {
            match key.as_ref() {
                "query" => self.query.push(value.into_owned()),
                "update" => self.update.push(value.into_owned()),
                // rdflib's SPARQLStore sends its name for "the dataset's default graph"
                // (`DATASET_DEFAULT_GRAPH_ID`) as a graph IRI: that is our default graph.
                "default-graph-uri" if value == RDFLIB_DEFAULT_GRAPH => {}
                "default-graph-uri" | "using-graph-uri" => self.dataset.default.push(iri(&value)?),
                "named-graph-uri" | "using-named-graph-uri" => self.dataset.named.push(iri(&value)?),
                "format" | "output" => self.format = Some(value.into_owned()),
                "graph" => self.graph.push(value.into_owned()),
                "default" => self.default = true,
                _ => {}
            }
        }
        Ok(())
    }
}

/// `rdflib.graph.DATASET_DEFAULT_GRAPH_ID`.
const RDFLIB_DEFAULT_GRAPH: &str = "urn:x-rdflib:default";

fn iri(value: &str) -> Result<NamedNode, HttpError> {
    NamedNode::new(value)
        .map_err(|e| HttpError::new(StatusCode::BAD_REQUEST, format!("{value:?} is not a valid IRI: {e}")))
}

fn media_type(request: &Request<Body>) -> Option<String> {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

fn accept_of(request: &Request<Body>, params: &Params) -> Result<Accept, HttpError> {
    if let Some(name) = &params.format {
        return match format_parameter(name) {
            Some(m) => Ok(Accept::only(m)),
            None if name.contains('/') => Ok(Accept::only(name)),
            None => Err(HttpError::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "unknown format={name:?}; use json, xml, csv, tsv, turtle, ntriples, nquads, jsonld, rdfxml or trig"
                ),
            )),
        };
    }
    Ok(Accept::parse(
        request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()),
    ))
}

fn method_not_allowed(allowed: &'static str) -> HttpError {
    HttpError::new(StatusCode::METHOD_NOT_ALLOWED, format!("use {allowed}"))
}

/// `/sparql`: query, update or the service description.
pub(super) fn sparql(state: &State, request: &mut Request<Body>) -> Result<Response<Body>, HttpError> {
    let mut params = Params::default();
    params.add(request.uri().query().unwrap_or("").as_bytes())?;
    let method = request.method().clone();
    if method == Method::POST {
        {
            let body = state.read_body(request)?;
            match media_type(request).as_deref() {
                Some("application/x-www-form-urlencoded") => params.add(&body)?,
                Some("application/sparql-query") => params.query.push(utf8(body)?),
                Some("application/sparql-update") => params.update.push(utf8(body)?),
                other => {
                    return Err(HttpError::new(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        format!(
                            "POST a query as application/sparql-query or application/x-www-form-urlencoded \
                             (query=…), an update as application/sparql-update or a form (update=…); got {}",
                            other.unwrap_or("no Content-Type")
                        ),
                    ));
                }
            }
        }
    } else if method != Method::GET && method != Method::HEAD {
        return Err(method_not_allowed("GET or POST"));
    }
    match (params.query.len(), params.update.len()) {
        (0, 0) => service_description(state, request, &params),
        (1, 0) => {
            let query = params.query.remove(0);
            run_query(state, request, &params, &query)
        }
        (0, 1) if method == Method::POST => {
            state.authorize_write(request)?;
            let update = params.update.remove(0);
            run_update(state, &params, &update)
        }
        (0, 1) => Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "updates are sent with POST (SPARQL 1.1 Protocol)",
        )),
        _ => Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "give exactly one query or one update",
        )),
    }
}

fn utf8(body: Vec<u8>) -> Result<String, HttpError> {
    String::from_utf8(body).map_err(|_| HttpError::new(StatusCode::BAD_REQUEST, "the request body is not UTF-8"))
}

fn evaluator(state: &State) -> oxigraph::sparql::SparqlEvaluator {
    if state.options.allow_service {
        query::evaluator_with_service(state.options.timeout)
    } else {
        query::evaluator()
    }
}

fn run_query(state: &State, request: &Request<Body>, params: &Params, text: &str) -> Result<Response<Body>, HttpError> {
    let accept = accept_of(request, params)?;
    let results = accept.best_results();
    let graph = accept.best_rdf();
    let options = QueryOptions {
        union_default_graph: true,
        timeout: Some(state.options.timeout),
        max_results: Some(state.options.max_results),
        max_memory_mb: state.options.max_memory_mb,
        on_stuck: None,
    };
    let mut out = Vec::new();
    let chosen = query::run_query_as(
        &state.store,
        evaluator(state),
        text,
        &params.dataset,
        &options,
        |form| match form {
            QueryForm::Select | QueryForm::Ask => results.map(|(_, f)| Serialization::Results(f)),
            QueryForm::Graph => graph.map(|(_, f)| Serialization::Rdf(f)),
        },
        &mut out,
    )
    .map_err(|e| query_error(&e, state))?;
    let content_type = match chosen {
        Serialization::Results(f) => results.map_or(f.media_type(), |(m, _)| m),
        Serialization::Rdf(f) => graph.map_or(f.media_type(), |(m, _)| m),
    };
    let mut response = text_response(StatusCode::OK, &with_charset(content_type), out);
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

fn with_charset(media_type: &str) -> String {
    if media_type.starts_with("text/") {
        format!("{media_type}; charset=utf-8")
    } else {
        media_type.to_string()
    }
}

/// A message with every cause, as the CLI prints it.
fn chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    message
}

fn query_error(e: &QueryError, state: &State) -> HttpError {
    match e {
        QueryError::Syntax(_) => HttpError::new(StatusCode::BAD_REQUEST, chain(e)),
        QueryError::Evaluation(QueryEvaluationError::UnsupportedService(service)) => HttpError::new(
            StatusCode::FORBIDDEN,
            format!(
                "SERVICE {service} refused: federated queries are disabled on this endpoint \
                 (start `textkg serve` with --allow-service to allow them)"
            ),
        ),
        QueryError::Timeout(_) => HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "query timeout: the query was stopped after {:?} (the server's --timeout); \
                 narrow it (LIMIT, more specific patterns)",
                state.options.timeout
            ),
        ),
        QueryError::TooManyResults(n) => HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("result limit: the query has more than {n} results (the server's --max-results); add LIMIT"),
        ),
        QueryError::NotAcceptable(form) => HttpError::new(
            StatusCode::NOT_ACCEPTABLE,
            match form {
                QueryForm::Graph => format!(
                    "CONSTRUCT and DESCRIBE results are available as {}",
                    RDF_TYPES.join(", ")
                ),
                _ => format!(
                    "SELECT and ASK results are available as {}",
                    RESULT_TYPES.iter().map(|(m, _)| *m).collect::<Vec<_>>().join(", ")
                ),
            },
        ),
        QueryError::Evaluation(_) | QueryError::Update(_) => HttpError::new(StatusCode::BAD_REQUEST, chain(e)),
        _ => HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, chain(e)),
    }
}

fn run_update(state: &State, params: &Params, text: &str) -> Result<Response<Body>, HttpError> {
    if !params.dataset.default.is_empty() || !params.dataset.named.is_empty() {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "using-graph-uri and using-named-graph-uri are not supported; write USING or GRAPH in the update",
        ));
    }
    query::run_update_with(&state.store, evaluator(state), text).map_err(|e| match e {
        QueryError::Syntax(_) => HttpError::new(StatusCode::BAD_REQUEST, chain(&e)),
        _ => query_error(&e, state),
    })?;
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    Ok(response)
}

/// The service description (SPARQL 1.1 Service Description), in the negotiated RDF syntax.
fn service_description(state: &State, request: &Request<Body>, params: &Params) -> Result<Response<Body>, HttpError> {
    let accept = accept_of(request, params)?;
    let (media_type, format) = accept.best_rdf().ok_or_else(|| {
        HttpError::new(
            StatusCode::NOT_ACCEPTABLE,
            format!("the service description is available as {}", RDF_TYPES.join(", ")),
        )
    })?;
    const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
    const FORMATS: &str = "http://www.w3.org/ns/formats/";
    let sd = |local: &str| NamedNode::new_unchecked(format!("{SD}{local}"));
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    // The Host header is client input: it becomes an IRI only if it makes a valid one.
    let endpoint = NamedNode::new(format!("http://{host}/sparql"))
        .unwrap_or_else(|_| NamedNode::new_unchecked("http://localhost/sparql"));
    let service = oxigraph::model::BlankNode::default();
    let dataset = oxigraph::model::BlankNode::default();
    let default_graph = oxigraph::model::BlankNode::default();
    let mut triples = vec![
        Triple::new(service.clone(), rdf::TYPE, sd("Service")),
        Triple::new(service.clone(), sd("endpoint"), endpoint),
        Triple::new(service.clone(), sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple::new(service.clone(), sd("feature"), sd("UnionDefaultGraph")),
        Triple::new(service.clone(), sd("defaultDataset"), dataset.clone()),
        Triple::new(dataset.clone(), rdf::TYPE, sd("Dataset")),
        Triple::new(dataset.clone(), sd("defaultGraph"), default_graph.clone()),
        Triple::new(default_graph.clone(), rdf::TYPE, sd("Graph")),
        Triple::new(
            dataset.clone(),
            NamedNode::new_unchecked("http://www.w3.org/2000/01/rdf-schema#comment"),
            Literal::new_simple_literal(
                "textkg: one named graph per document, plus the resolution and analytics graphs. \
                 The default graph of a query is the union of all named graphs (unless FROM or \
                 default-graph-uri name graphs), so patterns match every document without GRAPH; \
                 a triple stated by several documents matches once per document (use DISTINCT). \
                 Prefixes tk:, schema:, nif:, itsrdf:, prov:, skos:, owl:, time:, wd:, rdf:, rdfs: and xsd: \
                 are predeclared.",
            ),
        ),
    ];
    if state.options.update_token.is_some() {
        triples.push(Triple::new(
            service.clone(),
            sd("supportedLanguage"),
            sd("SPARQL11Update"),
        ));
    }
    if state.options.allow_service {
        triples.push(Triple::new(service.clone(), sd("feature"), sd("BasicFederatedQuery")));
    }
    for name in [
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "N-Quads",
        "JSON-LD",
        "RDF_XML",
        "TriG",
    ] {
        triples.push(Triple::new(
            service.clone(),
            sd("resultFormat"),
            NamedNode::new_unchecked(format!("{FORMATS}{name}")),
        ));
    }
    let mut ser = query::serializer(format).for_writer(Vec::new());
    for t in &triples {
        ser.serialize_triple(t).map_err(|e| internal(&e))?;
    }
    let body = ser.finish().map_err(|e| internal(&e))?;
    Ok(text_response(StatusCode::OK, &with_charset(media_type), body))
}

fn internal(e: &dyn std::error::Error) -> HttpError {
    HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, chain(e))
}

/// Which graph a Graph Store request addresses.
enum Target {
    /// `?default`: the union of the document graphs (read-only, like queries see it).
    Union,
    /// `?graph=IRI`.
    Named(NamedNode),
}

/// `/store`: the Graph Store HTTP Protocol.
pub(super) fn graph_store(state: &State, request: &mut Request<Body>) -> Result<Response<Body>, HttpError> {
    let mut params = Params::default();
    params.add(request.uri().query().unwrap_or("").as_bytes())?;
    let target = match (params.graph.as_slice(), params.default) {
        ([graph], false) => Target::Named(iri(graph)?),
        ([], true) => Target::Union,
        _ => {
            return Err(HttpError::new(
                StatusCode::BAD_REQUEST,
                "address one graph: ?graph=IRI or ?default",
            ));
        }
    };
    let method = request.method().clone();
    let write = method == Method::PUT || method == Method::POST || method == Method::DELETE;
    if method == Method::GET || method == Method::HEAD {
        return read_graph(state, request, &params, &target);
    }
    if !write {
        return Err(method_not_allowed("GET, HEAD, PUT, POST or DELETE"));
    }
    state.authorize_write(request)?;
    match target {
        Target::Union => Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "the default graph here is the read-only union of the document graphs; write a named graph (?graph=IRI)",
        )),
        Target::Named(graph) if method != Method::DELETE => {
            let replace = method == Method::PUT;
            write_graph(state, request, &graph, replace)
        }
        Target::Named(graph) => {
            let store = state.store.inner();
            let existed = store.contains_named_graph(&graph).map_err(|e| internal(&e))?;
            if !existed {
                return Err(HttpError::new(StatusCode::NOT_FOUND, format!("no graph {graph}")));
            }
            store.remove_named_graph(&graph).map_err(|e| internal(&e))?;
            state.store.flush().map_err(|e| internal(&e))?;
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::NO_CONTENT;
            Ok(response)
        }
    }
}

fn read_graph(
    state: &State,
    request: &Request<Body>,
    params: &Params,
    target: &Target,
) -> Result<Response<Body>, HttpError> {
    let accept = accept_of(request, params)?;
    let (media_type, format) = accept.best_rdf().ok_or_else(|| {
        HttpError::new(
            StatusCode::NOT_ACCEPTABLE,
            format!("graphs are available as {}", RDF_TYPES.join(", ")),
        )
    })?;
    let store = &state.store;
    let max = state.options.max_results;
    let too_large = || {
        HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!(
                "result limit: the graph has more than {max} triples (the server's --max-results); \
                 dump it with `textkg export --format nquads`"
            ),
        )
    };
    let mut out = Vec::new();
    match target {
        Target::Union => {
            if store.len().map_err(|e| internal(&e))? as u64 > max {
                return Err(too_large());
            }
            crate::export::write_rdf(store, format, None, &mut out).map_err(|e| internal(&e))?;
        }
        Target::Named(graph) => {
            let inner = store.inner();
            let exists = inner.contains_named_graph(graph.as_ref()).map_err(|e| internal(&e))?;
            if !exists {
                return Err(HttpError::new(StatusCode::NOT_FOUND, format!("no graph {graph}")));
            }
            let mut ser = query::serializer(format).for_writer(&mut out);
            let mut count = 0u64;
            for quad in inner.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(graph.as_ref()))) {
                let quad = quad.map_err(|e| internal(&e))?;
                count += 1;
                if count > max {
                    return Err(too_large());
                }
                if format.supports_datasets() {
                    ser.serialize_quad(&quad).map_err(|e| internal(&e))?;
                } else {
                    ser.serialize_triple(oxigraph::model::TripleRef::from(quad.as_ref()))
                        .map_err(|e| internal(&e))?;
                }
            }
            ser.finish().map_err(|e| internal(&e))?;
        }
    }
    Ok(text_response(StatusCode::OK, &with_charset(media_type), out))
}

fn write_graph(
    state: &State,
    request: &mut Request<Body>,
    graph: &NamedNode,
    replace: bool,
) -> Result<Response<Body>, HttpError> {
    let media_type = media_type(request).unwrap_or_default();
    let format = rdf_format(&media_type).filter(|f| !f.supports_datasets()).ok_or_else(|| {
        HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("send the graph as text/turtle, application/n-triples, application/rdf+xml or application/ld+json (got {media_type:?})"),
        )
    })?;
    let body = state.read_body(request)?;
    let store = state.store.inner();
    let existed = store.contains_named_graph(graph.as_ref()).map_err(|e| internal(&e))?;
    let parser = RdfParser::from_format(format)
        .with_base_iri(graph.as_str())
        .map_err(|e| internal(&e))?
        .without_named_graphs()
        .with_default_graph(graph.clone());
    let mut transaction = store.start_transaction().map_err(|e| internal(&e))?;
    if replace {
        transaction.clear_graph(graph.as_ref()).map_err(|e| internal(&e))?;
    }
    transaction.insert_named_graph(graph.as_ref());
    transaction
        .load_from_slice(parser, &body)
        .map_err(|e| HttpError::new(StatusCode::BAD_REQUEST, format!("cannot load the graph: {}", chain(&e))))?;
    transaction.commit().map_err(|e| internal(&e))?;
    state.store.flush().map_err(|e| internal(&e))?;
    let mut response = Response::new(Body::empty());
    *response.status_mut() = if existed {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::CREATED
    };
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_prefers_q_then_order() {
        let a = Accept::parse(Some("application/sparql-results+xml;q=0.5, text/csv"));
        assert_eq!(a.best_results().map(|(m, _)| m), Some("text/csv"));
        let browser = Accept::parse(Some("text/html,application/xhtml+xml,*/*;q=0.8"));
        assert_eq!(
            browser.best_results().map(|(m, _)| m),
            Some("application/sparql-results+json")
        );
        assert_eq!(browser.best_rdf().map(|(m, _)| m), Some("text/turtle"));
        let none = Accept::parse(Some("image/png"));
        assert!(none.best_results().is_none());
        let excluded = Accept::parse(Some("*/*, application/sparql-results+json;q=0"));
        assert_eq!(excluded.best_results().map(|(m, _)| m), Some("application/json"));
        assert_eq!(
            Accept::parse(Some("text/*")).best_rdf().map(|(m, _)| m),
            Some("text/turtle")
        );
        assert_eq!(Accept::parse(Some(";;,q=x")).best_rdf(), None);
    }
}

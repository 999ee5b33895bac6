//! `textkg serve` and `textkg push` on loopback: real clients (curl,
//! SPARQLWrapper, rdflib's SPARQLStore, pyoxigraph's result parser, a headless
//! Chromium) query the server; the security limits answer as documented; push
//! writes to a real Oxigraph server (and Virtuoso where installed).
//!
//! Servers bind 127.0.0.1:0 and print the address they got on stdout.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oxhttp::model::{Body, Method, Request};

use crate::exports::{fixture_store, python, python_with, tool};
use crate::ok;

/// A `textkg serve` process, killed on drop; its stderr (the request log) is collected.
struct Served {
    child: Child,
    base: String,
    log: Arc<Mutex<String>>,
}

impl Served {
    fn start(store: &str, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_textkg"))
            .args(["serve", "--store", store, "--bind", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn textkg serve");
        let log = Arc::new(Mutex::new(String::new()));
        // Drain stderr so the request log never fills the pipe and blocks the server.
        let mut stderr = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .strip_prefix("listening on http://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}; stderr: {}", log.lock().unwrap()))
            .to_string();
        Self {
            child,
            base: format!("http://{addr}"),
            log,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Status, content type and body of one request.
fn http(method: Method, url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> (u16, String, String) {
    let mut builder = Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let response = oxhttp::Client::new()
        .with_global_timeout(Duration::from_secs(60))
        .request(builder.body(Body::from(body)).unwrap())
        .unwrap_or_else(|e| panic!("request to {url} failed: {e}"));
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, content_type, response.into_body().to_string().unwrap())
}

fn get(url: &str, accept: &str) -> (u16, String, String) {
    http(Method::GET, url, &[("Accept", accept)], Vec::new())
}

fn query_url(server: &Served, query: &str) -> String {
    format!(
        "{}?{}",
        server.url("/sparql"),
        form_urlencoded::Serializer::new(String::new())
            .append_pair("query", query)
            .finish()
    )
}

fn post_query(server: &Served, query: &str, accept: &str) -> (u16, String, String) {
    http(
        Method::POST,
        &server.url("/sparql"),
        &[("Content-Type", "application/sparql-query"), ("Accept", accept)],
        query.as_bytes().to_vec(),
    )
}

/// The number in the first binding of `?n` of a SPARQL JSON result.
fn count_of(json: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no ?n in {json}"))
}

const COUNT_STATEMENTS: &str = "SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE { ?st a tk:RelationStatement }";
/// Quads in textkg's graphs (Virtuoso keeps system graphs of its own).
const COUNT_QUADS: &str = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), \"https://w3id.org/textkg/id/\")) }";

/// Quads in a local store's named graphs, by `textkg query`.
fn local_quads(store: &str, dir: &Path) -> u64 {
    let csv = ok(&["query", "--store", store, "--format", "csv", COUNT_QUADS], dir);
    csv.lines().nth(1).and_then(|l| l.trim().parse().ok()).expect("a count")
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn serve_speaks_the_sparql_protocol_to_curl_sparqlwrapper_rdflib_and_pyoxigraph() {
    let (dir, store) = fixture_store();
    let server = Served::start(&store, &[]);
    let cli = ok(
        &["query", "--store", &store, "--format", "csv", COUNT_STATEMENTS],
        dir.path(),
    );
    let expected: u64 = cli.lines().nth(1).and_then(|l| l.trim().parse().ok()).unwrap();
    assert!(expected > 5, "{cli}");

    // GET, POST form and POST application/sparql-query give the same answer as the CLI.
    let (status, ct, body) = get(&query_url(&server, COUNT_STATEMENTS), "application/sparql-results+json");
    assert_eq!(
        (status, ct.as_str()),
        (200, "application/sparql-results+json"),
        "{body}"
    );
    assert_eq!(count_of(&body), expected);
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("query", COUNT_STATEMENTS)
        .finish();
    let (status, _, body) = http(
        Method::POST,
        &server.url("/sparql"),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
        ],
        form.into_bytes(),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(count_of(&body), expected);
    let (status, _, body) = post_query(&server, COUNT_STATEMENTS, "");
    assert_eq!((status, count_of(&body)), (200, expected));

    // Content negotiation: XML, CSV, TSV for SELECT; RDF syntaxes for CONSTRUCT; 406 when nothing fits.
    for (accept, expect_type, marker) in [
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            "<sparql",
        ),
        ("text/csv", "text/csv; charset=utf-8", "n\r\n"),
        (
            "text/tab-separated-values",
            "text/tab-separated-values; charset=utf-8",
            "?n\n",
        ),
    ] {
        let (status, ct, body) = post_query(&server, COUNT_STATEMENTS, accept);
        assert_eq!((status, ct.as_str()), (200, expect_type), "{body}");
        assert!(
            body.contains(marker) && body.contains(&expected.to_string()),
            "{accept}: {body}"
        );
    }
    let construct = "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a schema:Person ; rdfs:label ?l }";
    for (accept, marker) in [
        ("text/turtle", "rdfs:label"),
        ("application/n-triples", "<http://www.w3.org/2000/01/rdf-schema#label>"),
        ("application/ld+json", "\"@id\""),
        ("application/rdf+xml", "rdf:RDF"),
    ] {
        let (status, ct, body) = post_query(&server, construct, accept);
        assert_eq!(status, 200, "{accept}: {body}");
        assert!(
            ct.starts_with(accept) && body.contains(marker),
            "{accept} → {ct}: {body}"
        );
    }
    let (status, _, body) = post_query(&server, COUNT_STATEMENTS, "text/turtle");
    assert_eq!(status, 406, "{body}");
    let (status, _, body) = post_query(&server, "SELECT ?x WHERE { ?x ", "");
    assert!(status == 400 && body.contains("error at 1:"), "{status} {body}");

    // The service description (Turtle at the endpoint) and the Graph Store read.
    let (status, ct, sd) = get(&server.url("/sparql"), "text/turtle");
    assert_eq!((status, ct.as_str()), (200, "text/turtle; charset=utf-8"));
    assert!(sd.contains("UnionDefaultGraph"), "{sd}");
    let (_, _, docs) = post_query(
        &server,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?g a tk:Document . ?s ?p ?o } } GROUP BY ?g ORDER BY ?g LIMIT 1",
        "application/json",
    );
    let docs: serde_json::Value = serde_json::from_str(&docs).unwrap();
    let graph = docs["results"]["bindings"][0]["g"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let in_graph: usize = docs["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let gsp = format!(
        "{}?{}",
        server.url("/store"),
        form_urlencoded::Serializer::new(String::new())
            .append_pair("graph", &graph)
            .finish()
    );
    let (status, _, nt) = get(&gsp, "application/n-triples");
    assert_eq!(status, 200);
    assert_eq!(nt.lines().filter(|l| !l.is_empty()).count(), in_graph);
    assert_eq!(
        get(&format!("{}?graph=http://example.org/none", server.url("/store")), "").0,
        404
    );
    let (status, _, union) = get(&format!("{}?default", server.url("/store")), "text/turtle");
    assert!(status == 200 && union.contains("tk:RelationStatement"), "{status}");

    // CORS: a preflight, and the header on answers.
    let mut builder = Request::builder()
        .method(Method::OPTIONS)
        .uri(server.url("/sparql"))
        .header("Origin", "http://example.org")
        .header("Access-Control-Request-Method", "POST");
    builder = builder.header("Access-Control-Request-Headers", "content-type");
    let preflight = oxhttp::Client::new()
        .request(builder.body(Body::empty()).unwrap())
        .unwrap();
    assert_eq!(preflight.status().as_u16(), 204);
    assert_eq!(preflight.headers().get("access-control-allow-origin").unwrap(), "*");
    let allowed = preflight
        .headers()
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        allowed.contains("Content-Type") && allowed.contains("Authorization"),
        "{allowed}"
    );
    // Access-Control-Allow-Methods: see the preflight tests below.

    // curl, as a person would call it.
    if tool("curl", "curl", &["--version"]) {
        let out = Command::new("curl")
            .args(["-sS", "-f", "-H", "Accept: text/csv", "--data-urlencode"])
            .arg(format!("query={COUNT_STATEMENTS}"))
            .arg(server.url("/sparql"))
            .output()
            .unwrap();
        let csv = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            csv.lines().nth(1).map(str::trim),
            Some(expected.to_string().as_str()),
            "{csv}"
        );
    }

    // Python clients: SPARQLWrapper (JSON and XML), rdflib's SPARQLStore, pyoxigraph's parsers.
    if python_with("SPARQLWrapper, rdflib, pyoxigraph") {
        let out = python(
            r#"
import sys, urllib.request, urllib.parse
from SPARQLWrapper import SPARQLWrapper, JSON, XML, CSV, TSV
import rdflib, pyoxigraph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
endpoint, query = sys.argv[1], sys.argv[2]
counts = []
w = SPARQLWrapper(endpoint)
w.setQuery(query)
w.setReturnFormat(JSON)
counts.append(int(w.query().convert()["results"]["bindings"][0]["n"]["value"]))
w.setReturnFormat(XML)
doc = w.query().convert()
counts.append(int(doc.getElementsByTagName("literal")[0].firstChild.data))
g = rdflib.Graph(SPARQLStore(endpoint, returnFormat="xml"), identifier=rdflib.graph.DATASET_DEFAULT_GRAPH_ID)
counts.append(int(list(g.query(query))[0][0]))
people = "SELECT DISTINCT ?l WHERE { ?e a <http://schema.org/Person> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
assert len(list(g.query(people))) > 3
plain = rdflib.Graph(store=SPARQLStore(endpoint))
assert len(list(plain.query(people))) > 3
for media, fmt in [("application/sparql-results+json", pyoxigraph.QueryResultsFormat.JSON),
                   ("application/sparql-results+xml", pyoxigraph.QueryResultsFormat.XML),
                   ("text/tab-separated-values", pyoxigraph.QueryResultsFormat.TSV)]:
    req = urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": media})
    raw = urllib.request.urlopen(req).read()
    solutions = pyoxigraph.parse_query_results(raw, format=fmt)
    assert [v.value for v in solutions.variables] == ["n"], solutions.variables
    counts.append(int(next(iter(solutions))["n"].value))
ask = urllib.request.urlopen(urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": "ASK { ?s a <https://w3id.org/textkg/ns#Document> }"}), headers={"Accept": "application/sparql-results+json"})).read()
assert pyoxigraph.parse_query_results(ask, format=pyoxigraph.QueryResultsFormat.JSON) is True or bool(pyoxigraph.parse_query_results(ask, format=pyoxigraph.QueryResultsFormat.JSON))
sd = rdflib.Graph().parse(data=urllib.request.urlopen(endpoint).read(), format="turtle")
assert (None, rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#feature"), rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#UnionDefaultGraph")) in sd
print(" ".join(map(str, counts)))
"#,
            &[
                &server.url("/sparql"),
                &COUNT_STATEMENTS
                    .replace("tk:", "<https://w3id.org/textkg/ns#")
                    .replace("RelationStatement", "RelationStatement>"),
            ],
        );
        let counts: Vec<u64> = out.split_whitespace().map(|n| n.parse().unwrap()).collect();
        // pyoxigraph cannot parse CSV (lossy by design); curl checked it above.
        assert_eq!(counts, vec![expected; 6], "{out}");
    }

    // One log line per request: method, path, status, time.
    let log = server.log.lock().unwrap().clone();
    assert!(
        log.lines()
            .any(|l| l.starts_with("GET /sparql 200 ") && l.ends_with(" ms")),
        "{log}"
    );
    assert!(log.lines().any(|l| l.starts_with("POST /sparql 406 ")), "{log}");
}

/// The methods a CORS preflight for a Graph Store `PUT` is allowed (empty without the header).
fn preflight_put_methods(server: &Served) -> Vec<String> {
    let request = Request::builder()
        .method(Method::OPTIONS)
        .uri(server.url("/store?graph=http://example.org/g"))
        .header("Origin", "http://example.org")
        .header("Access-Control-Request-Method", "PUT")
        .header("Access-Control-Request-Headers", "authorization, content-type")
        .body(Body::empty())
        .unwrap();
    let response = oxhttp::Client::new().request(request).unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(response.headers().get("access-control-allow-origin").unwrap(), "*");
    response
        .headers()
        .get("access-control-allow-methods")
        .map(|v| v.to_str().unwrap().split(',').map(|m| m.trim().to_string()).collect())
        .unwrap_or_default()
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn preflight_of_a_read_only_server_does_not_advertise_writes() {
    let (_dir, store) = fixture_store();
    let server = Served::start(&store, &[]);
    let methods = preflight_put_methods(&server);
    assert!(!methods.iter().any(|m| m == "PUT" || m == "DELETE"), "{methods:?}");
}

// oxhttp 0.3.3 (newest release) never writes Access-Control-Allow-Methods: its response encoder
// treats it as a forbidden header name. textkg builds a patched copy (vendor/oxhttp/PATCHED.md);
// this test fails if the patch is lost.
#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn preflight_with_allow_update_allows_put_and_delete() {
    let (dir, store) = fixture_store();
    let token = dir.path().join("token");
    std::fs::write(&token, "tok").unwrap();
    let server = Served::start(&store, &["--allow-update", "--token-file", token.to_str().unwrap()]);
    let methods = preflight_put_methods(&server);
    assert!(
        methods.iter().any(|m| m == "PUT") && methods.iter().any(|m| m == "DELETE"),
        "{methods:?}"
    );
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn serve_refuses_unauthorised_writes_large_bodies_runaway_queries_and_service_calls() {
    let (dir, store) = fixture_store();
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret-token\n").unwrap();
    let server = Served::start(
        &store,
        &[
            "--allow-update",
            "--token-file",
            token.to_str().unwrap(),
            "--timeout",
            "1",
            "--max-concurrent",
            "1",
        ],
    );
    let update = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> \"c\" } }";
    let send_update = |auth: Option<&str>| {
        let mut headers = vec![("Content-Type", "application/sparql-update")];
        if let Some(a) = auth {
            headers.push(("Authorization", a));
        }
        http(
            Method::POST,
            &server.url("/sparql"),
            &headers,
            update.as_bytes().to_vec(),
        )
    };
    let (status, _, body) = send_update(None);
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("Bearer"), "{body}");
    assert_eq!(send_update(Some("Bearer wrong")).0, 401);
    assert_eq!(send_update(Some("Bearer s3cret-token")).0, 204);
    let (_, _, body) = post_query(&server, "ASK { <http://example.org/a> ?p ?o }", "application/json");
    assert!(body.contains("true"), "{body}");
    // Graph Store writes need the token too.
    let gsp = format!("{}?graph=http://example.org/h", server.url("/store"));
    let triple = b"<http://example.org/x> <http://example.org/y> <http://example.org/z> .\n".to_vec();
    assert_eq!(
        http(
            Method::PUT,
            &gsp,
            &[("Content-Type", "application/n-triples")],
            triple.clone()
        )
        .0,
        401
    );
    let auth = ("Authorization", "Bearer s3cret-token");
    assert_eq!(
        http(
            Method::PUT,
            &gsp,
            &[("Content-Type", "application/n-triples"), auth],
            triple.clone()
        )
        .0,
        201
    );
    assert_eq!(
        http(
            Method::PUT,
            &gsp,
            &[("Content-Type", "application/n-triples"), auth],
            triple
        )
        .0,
        204
    );
    assert_eq!(http(Method::DELETE, &gsp, &[auth], Vec::new()).0, 204);

    // A 10 MB body: 413 (with and without a Content-Length the server can trust).
    let big = vec![b'#'; 10 * 1024 * 1024];
    let (status, _, body) = http(
        Method::POST,
        &server.url("/sparql"),
        &[("Content-Type", "application/sparql-query")],
        big,
    );
    assert_eq!(status, 413, "{body}");

    // A runaway query is cut at the timeout with a clear error.
    let runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";
    let started = Instant::now();
    let (status, _, body) = post_query(&server, runaway, "application/json");
    let took = started.elapsed();
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("timeout"), "{body}");
    assert!(took < Duration::from_secs(5), "{took:?}");

    // Federated SERVICE calls are refused unless enabled.
    let (status, _, body) = post_query(
        &server,
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "application/json",
    );
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("--allow-service"), "{body}");

    // Bounded concurrency: with --max-concurrent 1, a second request during a slow one gets 503.
    let slow_url = server.url("/sparql");
    let slow = std::thread::spawn(move || {
        http(
            Method::POST,
            &slow_url,
            &[("Content-Type", "application/sparql-query")],
            runaway.as_bytes().to_vec(),
        )
        .0
    });
    std::thread::sleep(Duration::from_millis(300));
    let (status, _, body) = post_query(&server, "ASK {}", "application/json");
    assert_eq!(status, 503, "{body}");
    assert_eq!(slow.join().unwrap(), 500);
    let log = server.log.lock().unwrap().clone();
    assert!(
        log.contains("POST /sparql 401 ") && log.contains("POST /sparql 413 "),
        "{log}"
    );

    // A read-only server refuses writes whatever the token.
    drop(server);
    let read_only = Served::start(&store, &[]);
    let (status, _, body) = http(
        Method::POST,
        &read_only.url("/sparql"),
        &[("Content-Type", "application/sparql-update"), auth],
        update.as_bytes().to_vec(),
    );
    assert_eq!(status, 403, "{body}");
}

/// A free loopback port (for servers that cannot report the port they got).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Quads in the named graphs of a remote endpoint.
fn remote_quads(query_endpoint: &str) -> u64 {
    let url = format!(
        "{query_endpoint}?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("query", COUNT_QUADS)
            .finish()
    );
    let (status, _, body) = get(&url, "application/sparql-results+json");
    assert_eq!(status, 200, "{body}");
    count_of(&body)
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn push_to_an_oxigraph_server_is_complete_and_idempotent() {
    if !tool("the Oxigraph server (PyPI oxigraph)", "oxigraph", &["--version"]) {
        return;
    }
    let (dir, store) = fixture_store();
    let local = local_quads(&store, dir.path());
    for (name, flag, path) in [("update", "--endpoint", "/update"), ("gsp", "--graph-store", "/store")] {
        let port = free_port();
        let location = dir.path().join(format!("oxigraph-{name}"));
        let _oxigraph = Killed(
            Command::new("oxigraph")
                .args(["serve", "--location", location.to_str().unwrap(), "--bind"])
                .arg(format!("127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start oxigraph serve"),
        );
        wait_for_port(port);
        let target = format!("http://127.0.0.1:{port}{path}");
        let first = ok(&["push", "--store", &store, flag, &target], dir.path());
        assert!(first.contains("pushed"), "{first}");
        let query = format!("http://127.0.0.1:{port}/query");
        assert_eq!(remote_quads(&query), local, "{name}: {first}");
        ok(&["push", "--store", &store, flag, &target], dir.path());
        assert_eq!(remote_quads(&query), local, "{name}: the second push changed the count");
    }
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn push_to_textkg_serve_needs_the_token_and_reports_the_refusal() {
    let (dir, store) = fixture_store();
    let local = local_quads(&store, dir.path());
    let target_store = dir.path().join("target-store");
    let target_str = target_store.to_str().unwrap();
    ok(
        &[
            "ingest",
            "--store",
            target_str,
            crate::repo("examples/news/oslo-talks.txt").to_str().unwrap(),
        ],
        dir.path(),
    );
    let token = dir.path().join("token");
    std::fs::write(&token, "tok").unwrap();
    let server = Served::start(target_str, &["--allow-update", "--token-file", token.to_str().unwrap()]);
    let refused = crate::textkg(
        &[
            "push",
            "--store",
            &store,
            "--endpoint",
            &server.url("/update"),
            "--token",
            "nope",
        ],
        None,
        dir.path(),
    );
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("401") && stderr.contains("Bearer"), "{stderr}");
    let out = ok(
        &[
            "push",
            "--store",
            &store,
            "--graph-store",
            &server.url("/store"),
            "--token-file",
            token.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.contains(&format!("({local} quads)")), "{out}");
    // The target had oslo-talks already (same graph name): replaced, not doubled.
    assert_eq!(remote_quads(&server.url("/sparql")), local);
    // `ingest --endpoint` pushes once the store is loaded (nothing new here: the count stays).
    let again = crate::textkg(
        &[
            "ingest",
            crate::repo("examples/news/oslo-talks.txt").to_str().unwrap(),
            "--store",
            &store,
            "--endpoint",
            &server.url("/update"),
            "--endpoint-token-file",
            token.to_str().unwrap(),
        ],
        None,
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success() && stderr.contains("pushed"), "{stderr}");
    assert_eq!(remote_quads(&server.url("/sparql")), local);
}

#[test]
fn push_to_virtuoso_where_installed() {
    // Virtuoso is not installed by .ci/run (see README): this test runs where it is.
    if Command::new("virtuoso-t").arg("-?").output().is_err() {
        eprintln!("skipped: virtuoso-t not installed (Debian virtuoso-opensource)");
        return;
    }
    let (dir, store) = fixture_store();
    let local = local_quads(&store, dir.path());
    let db = dir.path().join("virtuoso");
    std::fs::create_dir_all(&db).unwrap();
    let (sql_port, http_port) = (free_port(), free_port());
    let ini = std::fs::read_to_string("/etc/virtuoso-opensource-7/virtuoso.ini").expect("virtuoso.ini");
    let db_dir = db.to_str().unwrap();
    // Database files into the temporary directory; the SQL port ([Parameters]) and the HTTP port
    // ([HTTPServer]) on loopback.
    let mut ports = [sql_port, http_port].into_iter();
    let ini: String = ini
        .replace("/var/lib/virtuoso-opensource-7/db/", &format!("{db_dir}/"))
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("ServerPort") {
                format!("ServerPort = 127.0.0.1:{}", ports.next().unwrap_or(0))
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let ini_path = db.join("virtuoso.ini");
    std::fs::write(&ini_path, ini).unwrap();
    let started = Command::new("virtuoso-t")
        .args(["+configfile", ini_path.to_str().unwrap(), "+wait"])
        .current_dir(&db)
        .output()
        .unwrap();
    assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
    struct Stop(u16);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = Command::new("isql-vt")
                .args([&format!("127.0.0.1:{}", self.0), "dba", "dba", "exec=shutdown;"])
                .output();
        }
    }
    let _stop = Stop(sql_port);
    let grant = Command::new("isql-vt")
        .args([
            &format!("127.0.0.1:{sql_port}"),
            "dba",
            "dba",
            "exec=GRANT SPARQL_UPDATE TO \"SPARQL\";",
        ])
        .output()
        .unwrap();
    assert!(grant.status.success(), "{}", String::from_utf8_lossy(&grant.stdout));
    wait_for_port(http_port);
    let endpoint = format!("http://127.0.0.1:{http_port}/sparql");
    ok(&["push", "--store", &store, "--endpoint", &endpoint], dir.path());
    assert_eq!(remote_quads(&endpoint), local);
    ok(&["push", "--store", &store, "--endpoint", &endpoint], dir.path());
    assert_eq!(
        remote_quads(&endpoint),
        local,
        "the second push changed Virtuoso's count"
    );
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn explorer_runs_a_canned_query_opens_an_entity_and_expands_the_graph_in_chromium() {
    if !tool("chromedriver (Debian chromium-driver)", "chromedriver", &["--version"]) || !python_with("selenium") {
        return;
    }
    let (_dir, store) = fixture_store();
    let server = Served::start(&store, &[]);
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/explorer-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let out = python(
        include_str!("serve_browser.py"),
        &[&server.url("/"), shots.to_str().unwrap()],
    );
    assert!(out.contains("explorer ok"), "{out}");
}

/// A fake remote store on loopback: answers each request with the next (status, body) of `script`
/// (the last one repeats) and counts requests.
fn scripted_remote(script: Vec<(u16, &'static str)>) -> (String, Arc<Mutex<usize>>) {
    let port = free_port();
    let seen = Arc::new(Mutex::new(0usize));
    let counter = Arc::clone(&seen);
    oxhttp::Server::new(move |request: &mut Request<Body>| {
        let mut n = counter.lock().unwrap();
        let (status, body) = script[(*n).min(script.len() - 1)];
        *n += 1;
        let _ = std::io::copy(request.body_mut(), &mut std::io::sink());
        oxhttp::model::Response::builder()
            .status(status)
            .body(Body::from(body))
            .unwrap()
    })
    .bind(([127, 0, 0, 1], port))
    .spawn()
    .expect("start the fake remote");
    wait_for_port(port);
    (format!("http://127.0.0.1:{port}/update"), seen)
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn push_retries_5xx_and_reports_refusals_with_the_remote_message() {
    let (dir, store) = fixture_store();
    // Two 503s, then success: the push goes through after two retries (one update request).
    let (url, seen) = scripted_remote(vec![(503, "busy"), (503, "busy"), (204, "")]);
    let out = ok(
        &["push", "--store", &store, "--endpoint", &url, "--batch", "1000"],
        dir.path(),
    );
    assert!(out.contains("in 1 requests"), "{out}");
    assert_eq!(*seen.lock().unwrap(), 3);
    // A 500 that persists: the error gives the status and the remote's message after the retries.
    let (url, seen) = scripted_remote(vec![(500, "SECURITY: No permission to execute procedure")]);
    let failed = crate::textkg(
        &["push", "--store", &store, "--endpoint", &url, "--retries", "2"],
        None,
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("HTTP 500") && stderr.contains("No permission"),
        "{stderr}"
    );
    assert_eq!(*seen.lock().unwrap(), 2);
    // 401 and 403 are not retried.
    for status in [401, 403] {
        let (url, seen) = scripted_remote(vec![(status, "go away")]);
        let failed = crate::textkg(&["push", "--store", &store, "--endpoint", &url], None, dir.path());
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(
            stderr.contains(&format!("HTTP {status}")) && stderr.contains("go away"),
            "{stderr}"
        );
        assert_eq!(*seen.lock().unwrap(), 1);
    }
}

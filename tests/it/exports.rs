//! Every entity-graph export loads in its real consumer: networkx (GraphML,
//! node-link JSON, GEXF), xmllint, rdflib and pyld (JSON-LD), the Neo4j import
//! header grammar; DOT styles and rendering; the time window and CONSTRUCT
//! selections; named queries.
//!
//! Tests that need a tool skip with a message when it is missing, unless
//! `TEXTKG_REQUIRE_TOOLS` is set (then a missing tool fails the test);
//! `.ci/run` installs them all.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::{ok, repo, textkg};

/// True if `program args…` runs and succeeds. Otherwise prints why the caller
/// skips, or panics when `TEXTKG_REQUIRE_TOOLS` is set.
pub fn tool(what: &str, program: &str, args: &[&str]) -> bool {
    let ran = Command::new(program).args(args).output();
    if ran.as_ref().is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(
        std::env::var_os("TEXTKG_REQUIRE_TOOLS").is_none(),
        "TEXTKG_REQUIRE_TOOLS is set but {what} is missing (.ci/run installs it)"
    );
    eprintln!("skipped: {what} not available (.ci/run installs it)");
    false
}

/// Python with these modules importable.
pub fn python_with(modules: &str) -> bool {
    tool(
        &format!("python3 with {modules}"),
        "python3",
        &["-c", &format!("import {modules}")],
    )
}

/// Runs a Python script with arguments; panics with its output when it fails; returns stdout.
pub fn python(script: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A store with the dated fixture articles (three documents, May to July 2025).
pub fn fixture_store() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store").to_string_lossy().to_string();
    ok(
        &[
            "ingest",
            repo("tests/fixtures/dated-news.jsonl").to_str().unwrap(),
            repo("examples/news").to_str().unwrap(),
            "--store",
            &store,
        ],
        dir.path(),
    );
    (dir, store)
}

fn export(store: &str, dir: &Path, format: &str, extra: &[&str]) -> String {
    let file = dir.join(format!("graph-{format}-{}", extra.len()));
    let file = file.to_str().unwrap();
    let mut args = vec!["export", "--store", store, "--format", format, "-o", file];
    args.extend(extra);
    ok(&args, dir);
    file.to_string()
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn exports_load_in_networkx_rdflib_pyld_and_neo4j_grammar() {
    let (dir, store) = fixture_store();
    let json = export(&store, dir.path(), "json", &[]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let (nodes, edges) = (
        v["nodes"].as_array().unwrap().len(),
        v["edges"].as_array().unwrap().len(),
    );
    assert!(nodes > 10 && edges > 10, "{nodes} nodes, {edges} edges");
    let claim = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "criticizes")
        .expect("the fixture's reported claim is an edge");
    assert_eq!(claim["asserted"], false);
    assert_eq!(claim["claimed_by"], "https://w3id.org/textkg/id/person/tomas-virtanen");
    assert_eq!(claim["evidence"], "Virtanen said that Brandt criticized Koskinen.");
    let graphml = export(&store, dir.path(), "graphml", &[]);
    let gexf = export(&store, dir.path(), "gexf", &[]);
    let jsonld = export(&store, dir.path(), "jsonld", &[]);
    let neo = dir.path().join("neo4j");
    ok(
        &[
            "export",
            "--store",
            &store,
            "--format",
            "neo4j",
            "-o",
            neo.to_str().unwrap(),
        ],
        dir.path(),
    );

    // The CSV header grammar of `neo4j-admin database import` (Neo4j operations manual,
    // "CSV header format"): name:type fields, ID/START_ID/END_ID with an optional
    // (group), LABEL, TYPE, and the property types; neo4j-admin itself is not
    // installable here (no Debian, PyPI or npm package).
    check_neo4j_csv(&neo);

    if xml_tools() {
        for f in [&graphml, &gexf] {
            let out = Command::new("xmllint").args(["--noout", f]).output().unwrap();
            assert!(
                out.status.success(),
                "xmllint {f}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    if python_with("networkx") {
        let report = python(
            r#"
import json, sys, networkx as nx
data = json.load(open(sys.argv[1]))
g_json = nx.node_link_graph(data)
g_ml = nx.read_graphml(sys.argv[2])
g_gexf = nx.read_gexf(sys.argv[3], version="1.3")
for g in (g_json, g_ml, g_gexf):
    assert g.is_directed() and g.is_multigraph(), type(g)
    assert g.number_of_nodes() == len(data["nodes"]), (g.number_of_nodes(), len(data["nodes"]))
    assert g.number_of_edges() == len(data["edges"]), (g.number_of_edges(), len(data["edges"]))
brandt = "https://w3id.org/textkg/id/person/lena-brandt"
assert g_ml.nodes[brandt]["label"] == "Lena Brandt", g_ml.nodes[brandt]
assert g_ml.nodes[brandt]["type"] == "Person"
assert g_gexf.nodes[brandt]["label"] == "Lena Brandt"
# Document dates as spells: Brandt is in the May, June and July articles.
assert sorted(g_gexf.nodes[brandt]["spells"]) == [(d, d) for d in ("2025-05-02", "2025-06-14", "2025-07-20")], g_gexf.nodes[brandt]
claims = [d for _, _, d in g_ml.edges(data=True) if d["label"] == "criticizes"]
assert claims and claims[0]["asserted"] is False and claims[0]["count"] == 1, claims
gexf_claims = [d for _, _, d in g_gexf.edges(data=True) if d["label"] == "criticizes"]
assert gexf_claims[0]["claimed_by"].endswith("tomas-virtanen"), gexf_claims
assert all(isinstance(d["confidence"], float) for _, _, d in g_gexf.edges(data=True))
print("ok", g_json.number_of_nodes())
"#,
            &[&json, &graphml, &gexf],
        );
        assert!(report.starts_with("ok"), "{report}");
    }
    if python_with("rdflib") {
        let n = python(
            r#"
import sys, rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format="json-ld")
S = rdflib.Namespace("http://schema.org/")
TK = rdflib.Namespace("https://w3id.org/textkg/ns#")
brandt = rdflib.URIRef("https://w3id.org/textkg/id/person/lena-brandt")
assert (brandt, rdflib.RDF.type, S.Person) in g
assert (brandt, S.name, rdflib.Literal("Lena Brandt")) in g
assert (brandt, TK.meets, rdflib.URIRef("https://w3id.org/textkg/id/person/tomas-virtanen")) in g
# A claim is described but not asserted.
assert (brandt, TK.criticizes, None) not in g
rels = list(g.subjects(rdflib.RDF.type, TK.EntityRelation))
assert len(rels) > 10
counts = [int(o) for o in g.objects(None, TK.statementCount)]
assert min(counts) >= 1
print(len(g))
"#,
            &[&jsonld],
        );
        assert!(n.trim().parse::<usize>().unwrap() > 100, "{n}");
    }
    if python_with("pyld") {
        let n = python(
            r#"
import json, sys
from pyld import jsonld
doc = json.load(open(sys.argv[1]))
expanded = jsonld.expand(doc)
types = {t for item in expanded for t in item.get("@type", [])}
assert "http://schema.org/Person" in types and "https://w3id.org/textkg/ns#EntityRelation" in types, types
nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
print(len(nquads.splitlines()))
"#,
            &[&jsonld],
        );
        assert!(n.trim().parse::<usize>().unwrap() > 100, "{n}");
    }
}

/// xmllint present (well-formedness of GraphML and GEXF).
fn xml_tools() -> bool {
    tool("xmllint (libxml2-utils)", "xmllint", &["--version"])
}

/// Splits one RFC 4180 line (no embedded line breaks: the writer replaces them).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quote in {line}");
    fields.push(field);
    fields
}

/// Checks the two files against the header grammar and their rows against the header.
fn check_neo4j_csv(dir: &Path) {
    const TYPES: &[&str] = &[
        "int",
        "long",
        "float",
        "double",
        "boolean",
        "byte",
        "short",
        "char",
        "string",
        "point",
        "date",
        "localtime",
        "time",
        "localdatetime",
        "datetime",
        "duration",
    ];
    // name:TYPE(group) → (name, type, group)
    let parse = |h: &str| -> (String, String, Option<String>) {
        let (name, rest) = h.split_once(':').unwrap_or((h, ""));
        let (ty, group) = match rest.split_once('(') {
            Some((t, g)) => {
                let g = g.strip_suffix(')').unwrap_or_else(|| panic!("bad group in {h}"));
                (t, Some(g.to_string()))
            }
            None => (rest, None),
        };
        let base = ty.trim_end_matches("[]");
        assert!(
            ty.is_empty()
                || ["ID", "START_ID", "END_ID", "LABEL", "TYPE", "IGNORE"].contains(&ty)
                || TYPES.contains(&base),
            "{h}: unknown type {ty}"
        );
        assert!(
            group.is_none() || ["ID", "START_ID", "END_ID"].contains(&ty),
            "{h}: group on {ty}"
        );
        assert!(!name.is_empty() || !ty.is_empty(), "{h}: empty field");
        (name.to_string(), ty.to_string(), group)
    };
    let nodes = std::fs::read_to_string(dir.join("nodes.csv")).unwrap();
    let rels = std::fs::read_to_string(dir.join("relationships.csv")).unwrap();
    let mut lines = nodes.lines();
    let header: Vec<_> = csv_fields(lines.next().unwrap()).iter().map(|h| parse(h)).collect();
    assert_eq!(header.iter().filter(|h| h.1 == "ID").count(), 1, "{header:?}");
    let id_col = header.iter().position(|h| h.1 == "ID").unwrap();
    let mut ids = std::collections::HashSet::new();
    for l in lines {
        let f = csv_fields(l);
        assert_eq!(f.len(), header.len(), "{l}");
        assert!(ids.insert(f[id_col].clone()), "duplicate node id {}", f[id_col]);
    }
    assert!(ids.len() > 10);
    let mut lines = rels.lines();
    let header: Vec<_> = csv_fields(lines.next().unwrap()).iter().map(|h| parse(h)).collect();
    for required in ["START_ID", "END_ID", "TYPE"] {
        assert_eq!(header.iter().filter(|h| h.1 == required).count(), 1, "{header:?}");
    }
    let col = |t: &str| header.iter().position(|h| h.1 == t).unwrap();
    let mut n = 0;
    for l in lines {
        let f = csv_fields(l);
        assert_eq!(f.len(), header.len(), "{l}");
        assert!(
            ids.contains(&f[col("START_ID")]) && ids.contains(&f[col("END_ID")]),
            "{l}"
        );
        assert!(!f[col("TYPE")].is_empty());
        for (k, (_, ty, _)) in header.iter().enumerate() {
            match ty.as_str() {
                "boolean" => assert!(f[k] == "true" || f[k] == "false", "{l}"),
                "double" => assert!(f[k].parse::<f64>().is_ok(), "{l}"),
                "long" => assert!(f[k].parse::<i64>().is_ok(), "{l}"),
                _ => {}
            }
        }
        n += 1;
    }
    assert!(n > 10);
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn time_window_and_construct_select_the_graph() {
    let (dir, store) = fixture_store();
    let graph = |extra: &[&str]| -> Value {
        let mut args = vec!["export", "--store", &store, "--format", "json"];
        args.extend(extra);
        serde_json::from_str(&ok(&args, dir.path())).unwrap()
    };
    let labels = |v: &Value| -> Vec<String> {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["label"].as_str().unwrap().to_string())
            .collect()
    };
    // June only: the Oulu article; its entities, none of May's (Finland, Norway) or the examples'.
    let june = graph(&["--since", "2025-06-01", "--until", "2025-06-30"]);
    let june_labels = labels(&june);
    assert!(june_labels.contains(&"Oulu".to_string()), "{june_labels:?}");
    assert!(!june_labels.contains(&"Finland".to_string()), "{june_labels:?}");
    assert!(!june_labels.contains(&"Daniel Okafor".to_string()), "{june_labels:?}");
    let all = graph(&[]);
    assert!(labels(&all).len() > june_labels.len() + 5);
    // Bad day: usage error.
    let out = textkg(
        &["export", "--store", &store, "--since", "2025-13-01"],
        None,
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));

    // CONSTRUCT: only the meetings.
    let q = dir.path().join("meets.rq");
    std::fs::write(&q, "CONSTRUCT { ?a tk:meets ?b } WHERE { ?a tk:meets ?b }").unwrap();
    let meets = graph(&["--construct", q.to_str().unwrap()]);
    let edges = meets["edges"].as_array().unwrap();
    assert!(edges.len() >= 3, "{meets}");
    assert!(edges.iter().all(|e| e["label"] == "meets"), "{meets}");
    assert!(
        edges
            .iter()
            .all(|e| e["count"].as_u64().unwrap() >= 1 && !e["evidence"].is_null()),
        "{meets}"
    );
    std::fs::write(&q, "SELECT * WHERE { ?s ?p ?o }").unwrap();
    let out = textkg(
        &[
            "export",
            "--store",
            &store,
            "--format",
            "json",
            "--construct",
            q.to_str().unwrap(),
        ],
        None,
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a CONSTRUCT query"));

    // Co-mention network: Brandt and Finland share a sentence.
    let cm = graph(&["--network", "co-mention"]);
    assert!(
        cm["edges"].as_array().unwrap().iter().any(|e| {
            let ends = [e["source"].as_str().unwrap(), e["target"].as_str().unwrap()];
            ends.contains(&"https://w3id.org/textkg/id/person/lena-brandt")
                && ends.contains(&"https://w3id.org/textkg/id/place/finland")
                && e["evidence"] == "Brandt praised Finland for its help with the ferry line."
        }),
        "{cm}"
    );
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn dot_draws_claims_apart_clusters_and_renders() {
    let (dir, store) = fixture_store();
    let dot = ok(
        &["export", "--store", &store, "--format", "dot", "--cluster", "document"],
        dir.path(),
    );
    assert!(
        dot.contains("style=dashed") && dot.contains("(claimed by Tomas Virtanen)"),
        "{dot}"
    );
    assert!(
        dot.contains("subgraph cluster_0") && dot.contains("label=\"Ferry strike ends in Bergen\""),
        "{dot}"
    );
    let dot = ok(
        &["export", "--store", &store, "--format", "dot", "--cluster", "community"],
        dir.path(),
    );
    assert!(dot.contains("label=\"community 0\""), "{dot}");
    // Without Graphviz on PATH: a clear message, exit 2.
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_textkg"))
        .args(["export", "--store", &store, "--render", "svg", "-o", "x.svg"])
        .current_dir(dir.path())
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Graphviz") && err.contains("not installed"), "{err}");
    if tool("graphviz `dot`", "dot", &["-V"]) {
        let svg = dir.path().join("kg.svg");
        ok(
            &[
                "export",
                "--store",
                &store,
                "--render",
                "svg",
                "-o",
                svg.to_str().unwrap(),
            ],
            dir.path(),
        );
        let svg = std::fs::read_to_string(svg).unwrap();
        assert!(svg.contains("<svg") && svg.contains("Lena Brandt"), "{svg}");
        let png = dir.path().join("kg.png");
        ok(
            &[
                "export",
                "--store",
                &store,
                "--render",
                "png",
                "-o",
                png.to_str().unwrap(),
            ],
            dir.path(),
        );
        assert!(std::fs::read(png).unwrap().starts_with(b"\x89PNG"));
    }
}

/// `textkg query --store STORE --named NAME --format csv ARGS…`.
pub fn named_csv(store: &str, name: &str, args: &[&str], cwd: &Path) -> String {
    let mut all = vec!["query", "--store", store, "--named", name, "--format", "csv"];
    all.extend_from_slice(args);
    ok(&all, cwd)
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn named_queries_list_bind_and_run() {
    let (dir, store) = fixture_store();
    let list = ok(&["query", "--store", &store, "--named"], dir.path());
    // Every query file of examples/queries/ is listed.
    for file in std::fs::read_dir(repo("examples/queries")).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_some_and(|e| e == "rq") {
            let name = path.file_stem().unwrap().to_str().unwrap().to_string();
            assert!(list.contains(&name), "{name} not listed:\n{list}");
        }
    }
    assert!(list.contains("--bind entity="), "{list}");
    let timeline = named_csv(&store, "timeline", &["--bind", "entity=lena brandt"], dir.path());
    let rows: Vec<&str> = timeline.lines().skip(1).collect();
    assert!(rows.len() >= 4, "{timeline}");
    assert!(rows.iter().all(|r| r.contains("Lena Brandt")), "{timeline}");
    // By date: May before July.
    assert!(rows[0].starts_with("2025-05-02"), "{timeline}");
    assert!(timeline.contains("claimed by Tomas Virtanen"), "{timeline}");
    let claims = named_csv(&store, "claims-vs-facts", &[], dir.path());
    assert!(
        claims
            .lines()
            .any(|l| l.starts_with("Lena Brandt,criticizes,Aino Koskinen,0,1,0,0,Tomas Virtanen")),
        "{claims}"
    );
    for name in ["actor-network", "events-by-place", "who-said-what"] {
        let out = ok(&["query", "--store", &store, "--named", name], dir.path());
        assert!(out.lines().count() > 2, "{name}: {out}");
    }
    let out = textkg(&["query", "--store", &store, "--named", "nope"], None, dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("timeline"));
    let out = textkg(
        &["query", "--store", &store, "--named", "timeline", "--bind", "who=x"],
        None,
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no parameter \"who\""));
}

/// `who-said-what` over a speaker named in many documents: each quote once,
/// in a total order (document, speaker, sentence, quote). The speaker's labels
/// come from a subquery: joined to the union directly, every quote was
/// repeated once per document labelling the speaker before DISTINCT (issue 17).
#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn who_said_what_lists_each_quote_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let places = ["Oslo", "Lisbon", "Dublin", "Vienna", "Prague", "Athens"];
    let mut jsonl = String::new();
    for (i, place) in places.iter().enumerate() {
        // Two quotes a document, so rows of one (document, speaker) need the sentence to order them.
        let text = format!(
            "Mira Halvorsen visited {place} on Monday. Halvorsen said, \u{201c}We want a fair agreement for {place}.\u{201d} \
             Halvorsen said, \u{201c}The talks in {place} will go on.\u{201d}"
        );
        jsonl.push_str(&serde_json::json!({"id": format!("doc-{i}"), "date": "2025-03-04", "text": text}).to_string());
        jsonl.push('\n');
    }
    std::fs::write(dir.path().join("news.jsonl"), jsonl).unwrap();
    let store = dir.path().join("store").to_string_lossy().to_string();
    ok(&["ingest", "news.jsonl", "--store", &store], dir.path());
    let out = named_csv(&store, "who-said-what", &[], dir.path());
    let rows: Vec<Vec<String>> = out.lines().skip(1).map(csv_fields).collect();
    assert_eq!(rows.len(), 2 * places.len(), "{out}");
    for place in places {
        let fair = format!("We want a fair agreement for {place}.");
        assert_eq!(rows.iter().filter(|r| r[1] == fair).count(), 1, "{out}");
    }
    let key = |r: &Vec<String>| (r[3].clone(), r[0].clone(), r[2].clone(), r[1].clone());
    let mut sorted = rows.clone();
    sorted.sort_by_key(key);
    assert_eq!(rows, sorted, "{out}");
}

//! CLI integration: extract, ingest, query, export, info, bad input.

use serde_json::Value;

use crate::{ok, repo, textkg};

fn extract_json(path: &str) -> Vec<Value> {
    let out = ok(&["extract", path, "--format", "json"], &repo(""));
    out.lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

/// A temporary directory holding a store with `path` (relative to the repository) ingested.
fn ingested(path: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store").to_string_lossy().to_string();
    ok(&["ingest", repo(path).to_str().unwrap(), "--store", &store], dir.path());
    (dir, store)
}

/// Every mention and evidence offset slices (in code points) to its text.
pub fn assert_offsets(doc: &Value, text: &str) {
    let chars: Vec<char> = text.chars().collect();
    let slice = |s: &Value, e: &Value| -> String {
        let (s, e) = (s.as_u64().unwrap() as usize, e.as_u64().unwrap() as usize);
        chars[s..e].iter().collect()
    };
    assert_eq!(doc["document"]["chars"].as_u64().unwrap() as usize, chars.len());
    for e in doc["entities"].as_array().unwrap() {
        for m in e["mentions"].as_array().unwrap() {
            assert_eq!(
                slice(&m["start"], &m["end"]),
                m["text"].as_str().unwrap(),
                "mention {m}"
            );
        }
    }
    for r in doc["relations"].as_array().unwrap() {
        let ev = &r["evidence"];
        assert_eq!(
            slice(&ev["start"], &ev["end"]),
            ev["text"].as_str().unwrap(),
            "evidence {ev}"
        );
        let c = r["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c));
    }
}

#[test]
fn extract_json_follows_the_contract_and_offsets_slice() {
    let docs = extract_json("examples/news/oslo-talks.txt");
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    let text = std::fs::read_to_string(repo("examples/news/oslo-talks.txt")).unwrap();
    assert_offsets(doc, &text);
    assert_eq!(doc["document"]["name"], "examples/news/oslo-talks.txt");
    assert!(
        doc["document"]["id"]
            .as_str()
            .unwrap()
            .starts_with("https://w3id.org/textkg/id/doc/")
    );
    let entity = |label: &str| {
        doc["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["label"] == label)
            .unwrap_or_else(|| panic!("no entity {label}"))
            .clone()
    };
    let okafor = entity("Daniel Okafor");
    assert_eq!(okafor["type"], "Person");
    assert!(okafor["aliases"].as_array().unwrap().iter().any(|a| a == "Okafor"));
    assert_eq!(entity("Oslo")["type"], "City");
    assert_eq!(entity("NATO")["type"], "Organization");
    let proposes = doc["relations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["predicate"] == "https://w3id.org/textkg/ns#proposes")
        .expect("proposes relation");
    assert_eq!(proposes["subject"], okafor["id"]);
    assert_eq!(proposes["object"]["id"], entity("Halifax")["id"]);
    assert!(
        proposes["evidence"]["text"]
            .as_str()
            .unwrap()
            .contains("proposed Halifax")
    );
    let quote = doc["relations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["predicate"] == "https://w3id.org/textkg/ns#says" && r["subject"] == okafor["id"])
        .expect("Okafor quote");
    assert_eq!(quote["object"]["value"], "Nobody wants a race for the seabed.");
}

#[test]
fn extract_json_matches_golden_file() {
    let out = ok(
        &["extract", "examples/news/oslo-talks.txt", "--format", "json"],
        &repo(""),
    );
    let golden_path = repo("tests/golden/oslo-talks.jsonl");
    if std::env::var_os("TEXTKG_UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden_path, &out).unwrap();
    }
    let golden = std::fs::read_to_string(&golden_path)
        .expect("golden file (create with TEXTKG_UPDATE_GOLDEN=1 cargo nextest run)");
    assert_eq!(
        out, golden,
        "output changed; if intended, rerun with TEXTKG_UPDATE_GOLDEN=1 and review the diff"
    );
}

#[test]
fn jsonl_input_carries_ids_titles_and_dates() {
    let docs = extract_json("examples/news/articles.jsonl");
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["document"]["name"], "https://example.org/news/ferry-strike");
    assert_eq!(docs[0]["document"]["title"], "Ferry strike ends in Bergen");
    assert_eq!(docs[0]["document"]["date"], "2026-03-06");
}

#[test]
fn stdin_text_is_identified_by_content_hash() {
    let text = b"Prime Minister Ana Ruiz met President Ken Sato in Lisbon.";
    let a = textkg(&["extract", "-"], Some(text), &repo(""));
    let b = textkg(&["extract"], Some(text), &repo(""));
    assert!(a.status.success() && b.status.success());
    let a: Value = serde_json::from_slice(&a.stdout).unwrap();
    let b: Value = serde_json::from_slice(&b.stdout).unwrap();
    assert_eq!(a["document"]["id"], b["document"]["id"]);
    assert!(a["document"]["id"].as_str().unwrap().contains("/doc/sha256-"));
}

#[test]
fn rdf_outputs_parse_with_oxigraph_parser() {
    use oxigraph::io::{RdfFormat, RdfParser};
    for (name, format) in [
        ("turtle", RdfFormat::Turtle),
        ("ntriples", RdfFormat::NTriples),
        ("nquads", RdfFormat::NQuads),
        ("trig", RdfFormat::TriG),
    ] {
        let out = ok(&["extract", "examples/news/", "--format", name], &repo(""));
        let quads: Vec<_> = RdfParser::from_format(format)
            .for_slice(out.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        assert!(quads.len() > 100, "{name}: only {} quads", quads.len());
        if format.supports_datasets() {
            let graphs: std::collections::HashSet<_> = quads.iter().map(|q| q.graph_name.to_string()).collect();
            assert_eq!(graphs.len(), 4, "one graph per document");
        }
    }
}

#[test]
fn rdf_outputs_parse_with_rdflib_when_available() {
    let check = std::process::Command::new("python3")
        .args(["-c", "import rdflib"])
        .output();
    if !check.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: python3 with rdflib not available (.ci/run installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, rdflib_format) in [
        ("turtle", "turtle"),
        ("nquads", "nquads"),
        ("trig", "trig"),
        ("ntriples", "nt"),
    ] {
        let out = ok(&["extract", "examples/news/", "--format", name], &repo(""));
        let path = dir.path().join(format!("out.{name}"));
        std::fs::write(&path, out).unwrap();
        let script = format!(
            "import rdflib,sys\ng=rdflib.Dataset()\ng.parse(sys.argv[1], format='{rdflib_format}')\nn=sum(1 for _ in g.quads((None,None,None,None)))\nassert n>100, n\nprint(n)"
        );
        let o = std::process::Command::new("python3")
            .args(["-c", &script])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "rdflib rejects {name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn ingest_is_idempotent_and_second_article_shares_entities() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let store = store.to_str().unwrap();
    let oslo = repo("examples/news/oslo-talks.txt");
    let halifax = repo("examples/news/halifax-round.txt");
    let (oslo, halifax) = (oslo.to_str().unwrap(), halifax.to_str().unwrap());
    let count = || {
        let out = ok(
            &[
                "query",
                "--store",
                store,
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                "--format",
                "csv",
            ],
            dir.path(),
        );
        out.lines().nth(1).unwrap().trim().parse::<usize>().unwrap()
    };
    ok(&["ingest", oslo, "--store", store], dir.path());
    let first = count();
    assert!(first > 100);
    let again = ok(&["ingest", oslo, "--store", store], dir.path());
    assert!(again.contains("1 unchanged"), "{again}");
    assert_eq!(count(), first, "re-ingesting the same text changes nothing");

    ok(&["ingest", halifax, "--store", store], dir.path());
    assert!(count() > first);
    let graphs = ok(
        &[
            "query",
            "--store",
            store,
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "--format",
            "tsv",
        ],
        dir.path(),
    );
    assert_eq!(graphs.lines().count(), 3, "header + two document graphs: {graphs}");
    // Daniel Okafor is one node, mentioned from both graphs.
    let shared = ok(
        &[
            "query",
            "--store",
            store,
            "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?m itsrdf:taIdentRef ?e } ?e rdfs:label \"Daniel Okafor\" }",
            "--format",
            "csv",
        ],
        dir.path(),
    );
    assert_eq!(shared.lines().nth(1).unwrap().trim(), "2", "{shared}");
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn changed_text_replaces_only_its_own_graph() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let store = store.to_str().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, "Mayor Ian Cole thanked Canada.").unwrap();
    std::fs::write(&b, "Mayor Eva Lund praised Mexico.").unwrap();
    ok(&["ingest", "a.txt", "b.txt", "--store", store], dir.path());
    std::fs::write(&a, "Mayor Ian Cole praised Peru.").unwrap();
    let out = ok(&["ingest", "a.txt", "--store", store], dir.path());
    assert!(out.contains("1 replaced"), "{out}");
    let facts = ok(
        &[
            "query",
            "--store",
            store,
            "SELECT ?s ?o WHERE { ?x a tk:RelationStatement ; rdf:subject/rdfs:label ?s ; rdf:object/rdfs:label ?o } ORDER BY ?s",
            "--format",
            "csv",
        ],
        dir.path(),
    );
    assert_eq!(facts.replace('\r', ""), "s,o\nEva Lund,Mexico\nIan Cole,Peru\n");
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn query_returns_the_evidence_sentence_of_a_relation() {
    let (dir, store) = ingested("examples/news");
    let store = store.as_str();
    let q = "SELECT ?sentence WHERE { ?st rdf:subject/rdfs:label \"Daniel Okafor\" ; rdf:predicate tk:proposes ; rdf:object/rdfs:label \"Halifax\" ; tk:evidence/nif:anchorOf ?sentence }";
    let out = ok(&["query", "--store", store, q, "--format", "json"], dir.path());
    let v: Value = serde_json::from_str(&out).unwrap();
    let sentence = v["results"]["bindings"][0]["sentence"]["value"].as_str().unwrap();
    assert_eq!(
        sentence,
        "Okafor, visibly relaxed, proposed Halifax as the venue for the next round."
    );
    // The README query files run.
    for f in [
        "who-said-what.rq",
        "relation-evidence.rq",
        "entities.rq",
        "events.rq",
        "event-classes.rq",
    ] {
        let out = ok(
            &[
                "query",
                "--store",
                store,
                "-f",
                repo(&format!("examples/queries/{f}")).to_str().unwrap(),
            ],
            dir.path(),
        );
        assert!(out.lines().count() > 3, "{f}: {out}");
    }
    let info = ok(&["info", "--store", store, "--format", "json"], dir.path());
    let info: Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["documents"], 4);
    assert!(info["relations"].as_u64().unwrap() > 10);
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn export_dot_renders_and_filters() {
    let (dir, store) = ingested("examples/news");
    let store = store.as_str();
    let dot = ok(&["export", "--store", store, "--format", "dot"], dir.path());
    assert!(dot.starts_with("digraph textkg {"));
    assert!(dot.contains("label=\"Daniel Okafor\\n(Person)\""), "{dot}");
    assert!(dot.contains("label=\"proposes\""), "{dot}");
    let near = ok(
        &[
            "export", "--store", store, "--format", "dot", "--entity", "Halifax", "--depth", "1",
        ],
        dir.path(),
    );
    assert!(
        near.contains("Daniel Okafor") && !near.contains("Maren Solberg"),
        "{near}"
    );
    let json = ok(
        &[
            "export",
            "--store",
            store,
            "--format",
            "json",
            "--min-confidence",
            "0.75",
        ],
        dir.path(),
    );
    let v: Value = serde_json::from_str(&json).unwrap();
    assert!(
        v["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["confidence"].as_f64().unwrap() >= 0.75)
    );
    if std::process::Command::new("dot").arg("-V").output().is_ok() {
        let mut child = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(dot.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("Daniel Okafor"));
    } else {
        eprintln!("skipped rendering: graphviz `dot` not installed");
    }
    for f in ["turtle", "nquads"] {
        let out = ok(&["export", "--store", store, "--format", f], dir.path());
        assert!(out.len() > 1000);
    }
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn bad_inputs_are_reported_and_the_rest_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::write(inputs.join("a.txt"), "President Ana Ruiz thanked Canada.").unwrap();
    std::fs::write(inputs.join("b.bin"), [0x89, b'P', b'N', b'G', 0, 0, 1, 2, 0xff]).unwrap();
    std::fs::write(inputs.join("c.txt"), [b'O', b'k', 0xc3, 0x28]).unwrap();
    std::fs::write(inputs.join("d.txt"), "   \n").unwrap();
    std::fs::write(
        inputs.join("e.jsonl"),
        "{\"text\": \"Mayor Eva Lund praised Mexico.\"}\n{broken\n",
    )
    .unwrap();
    let store = dir.path().join("store");
    let out = textkg(&["ingest", "in", "--store", store.to_str().unwrap()], None, dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "partial failure exits 1: {stderr}");
    assert!(stderr.contains("b.bin: binary file"), "{stderr}");
    assert!(stderr.contains("c.txt: not valid UTF-8 at byte 2"), "{stderr}");
    assert!(stderr.contains("d.txt: empty document"), "{stderr}");
    assert!(stderr.contains("e.jsonl:2: invalid JSON Lines record"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("documents: 2 (2 added"), "{stdout}");
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let out = textkg(
        &["query", "--store", "/nonexistent/store", "SELECT * WHERE {}"],
        None,
        &repo(""),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store at /nonexistent/store"));
    let out = textkg(
        &["extract", "--date", "yesterday", "examples/news/oslo-talks.txt"],
        None,
        &repo(""),
    );
    assert_eq!(out.status.code(), Some(2));
    let out = textkg(&["frobnicate"], None, &repo(""));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_shows_examples_for_each_command() {
    for cmd in [
        "extract", "ingest", "query", "update", "export", "info", "merges", "resolve",
    ] {
        let out = ok(&[cmd, "--help"], &repo(""));
        assert!(out.contains("Example"), "{cmd} --help has no example");
    }
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn update_changes_the_store_and_construct_returns_rdf() {
    let (dir, store) = ingested("examples/news/oslo-talks.txt");
    let store = store.as_str();
    let count = |q: &str| -> String {
        let out = ok(&["query", "--store", store, q, "--format", "tsv"], dir.path());
        out.lines().nth(1).unwrap_or("").to_string()
    };
    let q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a tk:RelationStatement ; tk:confidence ?c FILTER(?c < 0.75) }";
    assert_ne!(count(q), "0");
    ok(
        &[
            "update",
            "--store",
            store,
            "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s a tk:RelationStatement ; tk:confidence ?c ; ?p ?o FILTER(?c < 0.75) } }",
        ],
        dir.path(),
    );
    assert_eq!(count(q), "0");
    let ttl = ok(
        &[
            "query",
            "--store",
            store,
            "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a schema:Person ; rdfs:label ?l }",
            "--format",
            "turtle",
        ],
        dir.path(),
    );
    assert!(ttl.contains("\"Daniel Okafor\""), "{ttl}");
    let xml = ok(
        &["query", "--store", store, "ASK { ?s a schema:City }", "--format", "xml"],
        dir.path(),
    );
    assert!(xml.contains("<boolean>true</boolean>"), "{xml}");
    let err = textkg(&["query", "--store", store, "SELECT nonsense"], None, dir.path());
    assert_eq!(err.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&err.stderr).contains("SPARQL syntax error"));
}

#[test]
fn ner_rewrites_only_the_tag_column() {
    let conll = "-DOCSTART- -X- O O\n\nAnna NNP B-NP I-PER\nKeller NNP I-NP I-PER\nvisited VBD B-VP O\nOslo NNP B-NP I-LOC\n. . O O\n\n";
    let out = textkg(&["ner", "--input-format", "conll"], Some(conll.as_bytes()), &repo(""));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = String::from_utf8(out.stdout).unwrap();
    let strip = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| l.rsplit_once(' ').map_or(l, |(a, _)| a).to_string())
            .collect()
    };
    assert_eq!(
        strip(&out),
        strip(conll),
        "same lines and columns, only the tag changes:\n{out}"
    );
    assert!(out.contains("Oslo NNP B-NP I-LOC"), "{out}");
    let iob2 = "# text = Ben Ross met us in Paris\n1\tBen\tO\t-\t-\n2\tRoss\tO\t-\t-\n3\tmet\tO\t-\t-\n4\tus\tO\t-\t-\n5\tin\tO\t-\t-\n6\tParis\tO\t-\t-\n\n";
    let out = textkg(&["ner", "--input-format", "iob2"], Some(iob2.as_bytes()), &repo(""));
    let out = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.lines().count(), iob2.lines().count(), "{out}");
    assert!(out.contains("6\tParis\tB-LOC"), "{out}");
}

#[test]
fn eval_ner_and_ner_accept_a_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut conll = String::new();
    for (who, place) in [("Anna Keller", "Oslo"), ("Ben Ross", "Paris"), ("Carl Dunn", "Rome")] {
        let (first, last) = who.split_once(' ').unwrap();
        conll.push_str(&format!(
            "-DOCSTART- -X- O O\n\n{first} NNP B-NP I-PER\n{last} NNP I-NP I-PER\nvisited VBD B-VP O\n{place} NNP B-NP I-LOC\n. . O O\n\n"
        ));
    }
    let gold = dir.path().join("toy.conll");
    std::fs::write(&gold, &conll).unwrap();
    let gold = gold.to_str().unwrap();
    let out_dir = dir.path().join("model");
    let lexicon = repo("models/lexicon");
    let trained = textkg(
        &[
            "train",
            "ner",
            "--train",
            gold,
            "--dev",
            gold,
            "--epochs",
            "3",
            "--lexicon",
            lexicon.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ],
        None,
        dir.path(),
    );
    assert!(trained.status.success(), "{}", String::from_utf8_lossy(&trained.stderr));
    let model = out_dir.join("ner.bin");
    let model = model.to_str().unwrap();
    let scores = ok(&["eval", "ner", "--model", model, "--gold", gold], dir.path());
    assert!(scores.contains("overall"), "{scores}");
    assert!(scores.contains("tokens/s"), "{scores}");
    let tagged = ok(&["ner", "--model", model, gold], dir.path());
    assert_eq!(tagged.lines().count(), conll.lines().count(), "{tagged}");
    // A file that is not a model is an error, not a panic.
    let bad = textkg(&["eval", "ner", "--model", gold, "--gold", gold], None, dir.path());
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("not a NER model"),
        "{bad:?}"
    );
}

#[test]
fn tag_keeps_conllu_tokens_and_fills_columns() {
    let input = "# sent_id = 1\n# text = Ann didn't go.\n1\tAnn\t_\t_\t_\t_\t_\t_\t_\t_\n2-3\tdidn't\t_\t_\t_\t_\t_\t_\t_\t_\n2\tdid\t_\t_\t_\t_\t_\t_\t_\t_\n3\tn't\t_\t_\t_\t_\t_\t_\t_\t_\n4\tgo\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n5\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n";
    let out = textkg(
        &["tag", "--input-format", "conllu", "--format", "conllu"],
        Some(input.as_bytes()),
        &repo(""),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), input.lines().count());
    assert_eq!(lines[3], "2-3\tdidn't\t_\t_\t_\t_\t_\t_\t_\t_", "multiword line kept");
    assert!(lines[6].starts_with("4\tgo\tgo\tVERB\tVB\t_\t0\troot\t"), "{out}");
    assert!(lines[2].starts_with("1\tAnn\tAnn\tPROPN\tNNP\t_\t4\tnsubj\t"), "{out}");
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn merges_are_listed_with_their_rules() {
    let (dir, store) = ingested("examples/news/oslo-talks.txt");
    let store = store.as_str();
    let out = ok(
        &[
            "merges",
            "--store",
            store,
            "--entity",
            "Daniel Okafor",
            "--format",
            "csv",
        ],
        dir.path(),
    );
    assert!(
        out.contains("Daniel Okafor,Okafor,part-of-unique-person-name,"),
        "{out}"
    );
    assert!(out.contains("Daniel Okafor,he,pronoun-agreement,"), "{out}");
}

/// Writes short invented articles into `dir` and returns their paths.
fn keller_articles(dir: &std::path::Path) -> (String, String) {
    let a = dir.join("anna.txt");
    let b = dir.join("chancellor.txt");
    std::fs::write(
        &a,
        "Chancellor Anna Keller met Mayor Ian Cole in Berlin on Monday. \
         Keller said the Berlin Council would fund the new bridge.",
    )
    .unwrap();
    std::fs::write(
        &b,
        "Chancellor Keller said on Tuesday that the Berlin Council approved the budget.",
    )
    .unwrap();
    (a.to_string_lossy().to_string(), b.to_string_lossy().to_string())
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn ingest_resolves_across_documents_lists_and_undoes_merges() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = keller_articles(dir.path());
    let store = dir.path().join("store").to_string_lossy().to_string();
    let store = store.as_str();
    ok(&["ingest", &a, "--store", store], dir.path());
    let out = ok(&["ingest", &b, "--store", store], dir.path());
    assert!(out.contains("cross-document merges: 1 (1 new"), "{out}");
    let keller_docs = |label: &str| {
        let q = format!(
            "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?m itsrdf:taIdentRef ?e }} ?e rdfs:label \"{label}\" }}"
        );
        let out = ok(&["query", "--store", store, &q, "--format", "csv"], dir.path());
        out.lines().nth(1).unwrap().trim().to_string()
    };
    assert_eq!(keller_docs("Anna Keller"), "2");
    let list = ok(&["merges", "--store", store, "--format", "csv"], dir.path());
    let row = list
        .lines()
        .find(|l| l.contains("cross-document,"))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(row.starts_with("Anna Keller,Keller,cross-document-alias,"), "{row}");
    assert!(row.contains("shared title Chancellor"), "{row}");
    let id = row
        .split(',')
        .find(|f| f.contains("/merge/"))
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let out = ok(&["merges", "--store", store, "--undo", &id], dir.path());
    assert!(out.contains("undone"), "{out}");
    assert_eq!(keller_docs("Anna Keller"), "1");
    assert_eq!(keller_docs("Keller"), "1");
    // Neither an explicit run nor a re-ingest brings it back.
    let out = ok(&["resolve", "--store", store], dir.path());
    assert!(out.contains("cross-document merges: 0"), "{out}");
    ok(&["ingest", &a, &b, "--store", store], dir.path());
    assert_eq!(keller_docs("Anna Keller"), "1");
    let list = ok(&["merges", "--store", store, "--format", "csv"], dir.path());
    assert!(list.contains(",undone,"), "{list}");
    let out = textkg(&["merges", "--store", store, "--undo", &id], None, dir.path());
    assert_eq!(out.status.code(), Some(2), "undoing twice is an error");
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn ingest_order_does_not_change_the_graph() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = keller_articles(dir.path());
    let dump = |order: [&str; 2], name: &str| {
        let store = dir.path().join(name).to_string_lossy().to_string();
        for p in order {
            ok(&["ingest", p, "--store", &store], dir.path());
        }
        let out = ok(&["export", "--format", "nquads", "--store", &store], dir.path());
        let mut lines: Vec<String> = out
            .lines()
            .filter(|l| !l.contains("generatedAtTime"))
            .map(str::to_string)
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(dump([&a, &b], "ab"), dump([&b, &a], "ba"));
}

#[test]
fn bench_reports_every_stage_and_takes_the_best_of_repeats() {
    let out = ok(
        &[
            "bench",
            "examples/news/oslo-talks.txt",
            "--tokens",
            "500",
            "--repeat",
            "2",
            "--format",
            "json",
        ],
        &repo(""),
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(report["tokens"].as_u64().unwrap() >= 500);
    let stages = report["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 9);
    assert!(stages.iter().all(|s| s["tokens_per_second"].as_f64().unwrap() > 0.0));
    assert_eq!(stages[8]["stage"], "pipeline text→quads");
    // A repeat count of zero is a usage error, not an empty report.
    let bad = textkg(&["bench", "--repeat", "0"], None, &repo(""));
    assert_eq!(bad.status.code(), Some(2));
}

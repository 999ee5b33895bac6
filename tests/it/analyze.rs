//! `textkg analyze`: agreement with networkx on the same exported graph, the
//! analytics graph (provenance, replacement on re-run, parseable RDF,
//! declared terms) and shortest paths with evidence.

use std::path::Path;

use serde_json::Value;

use crate::exports::{fixture_store, named_csv, python, python_with};
use crate::ontology::{declared, used};
use crate::{ok, repo, textkg};

/// `textkg analyze --store STORE --no-store ARGS…`: the analysis is printed, not stored.
fn analyze_unstored(store: &str, args: &[&str], cwd: &Path) -> String {
    let mut all = vec!["analyze", "--store", store, "--no-store"];
    all.extend_from_slice(args);
    ok(&all, cwd)
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn analyze_agrees_with_networkx_on_the_exported_graph() {
    if !python_with("networkx") {
        return;
    }
    let (dir, store) = fixture_store();
    for network in ["relations", "co-mention"] {
        let graph = dir.path().join(format!("{network}.json"));
        let analysis = dir.path().join(format!("{network}-analysis.json"));
        // The same graph exported, and analysed (without storing the analysis).
        for (command, file) in [("export", &graph), ("analyze", &analysis)] {
            let file = file.to_str().unwrap();
            let mut args = vec![
                command,
                "--store",
                &store,
                "--format",
                "json",
                "--network",
                network,
                "-o",
                file,
            ];
            if command == "analyze" {
                args.push("--no-store");
            }
            ok(&args, dir.path());
        }
        let out = std::process::Command::new("python3")
            .arg(repo("scripts/compare_networkx.py"))
            .args([&graph, &analysis])
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{network}: {report}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let r: Value = serde_json::from_str(&report).unwrap();
        assert!(r["nodes"].as_u64().unwrap() > 10, "{report}");
        // The same graph read back from the file gives the same scores.
        let again = ok(
            &[
                "analyze",
                "--from-json",
                graph.to_str().unwrap(),
                "--format",
                "json",
                "--network",
                network,
            ],
            dir.path(),
        );
        let a: Value = serde_json::from_str(&again).unwrap();
        let b: Value = serde_json::from_str(&std::fs::read_to_string(&analysis).unwrap()).unwrap();
        assert_eq!(a["metrics"], b["metrics"], "{network}");
    }
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn analytics_graph_has_provenance_and_is_replaced_on_rerun() {
    let (dir, store) = fixture_store();
    let count = || -> u64 {
        let q = ok(
            &[
                "query",
                "--store",
                &store,
                "--format",
                "csv",
                "--no-union",
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/textkg/id/analytics> { ?s ?p ?o } }",
            ],
            dir.path(),
        );
        q.lines().nth(1).unwrap().trim().parse().unwrap()
    };
    ok(&["analyze", "--store", &store], dir.path());
    let first = count();
    assert!(first > 50, "{first}");
    ok(&["analyze", "--store", &store], dir.path());
    assert_eq!(count(), first, "a re-run replaces the previous results");
    ok(&["analyze", "--store", &store, "--network", "co-mention"], dir.path());
    let both = count();
    assert!(both > first, "another network's results are kept beside");
    // A narrower selection replaces the relations results with fewer quads.
    ok(&["analyze", "--store", &store, "--since", "2025-07-01"], dir.path());
    assert!(count() < both);

    let prov = ok(
        &[
            "query",
            "--store",
            &store,
            "--format",
            "csv",
            "SELECT ?network ?nodes ?started ?algorithm ?parameters WHERE { ?run a tk:GraphAnalysis , prov:Activity ; \
             tk:network ?network ; tk:inputNodeCount ?nodes ; prov:startedAtTime ?started ; prov:endedAtTime ?ended ; \
             tk:selection ?sel ; tk:algorithmRun [ tk:algorithm ?algorithm ; tk:parameters ?parameters ] } ORDER BY ?network ?algorithm",
        ],
        dir.path(),
    );
    assert!(prov.contains("relations,") && prov.contains("co-mention,"), "{prov}");
    assert!(prov.contains("pagerank") && prov.contains("alpha=0.85"), "{prov}");
    assert!(prov.contains("louvain") && prov.contains("betweenness"), "{prov}");
    // SOURCE_DATE_EPOCH (set by the test harness) is the recorded time.
    assert!(prov.contains("2026-01-01T00:00:00Z"), "{prov}");

    let central = named_csv(&store, "central-entities", &[], dir.path());
    assert!(central.lines().count() > 5, "{central}");

    // Every term we write is declared in the ontology, and the dump parses with rdflib.
    let nquads = ok(&["export", "--store", &store, "--format", "nquads"], dir.path());
    let declared = declared();
    let missing: Vec<String> = used(&nquads).into_iter().filter(|t| !declared.contains(t)).collect();
    assert!(missing.is_empty(), "not declared in ontology/textkg.ttl: {missing:?}");
    if python_with("rdflib") {
        let file = dir.path().join("dump.nq");
        std::fs::write(&file, &nquads).unwrap();
        let n = python(
            r#"
import sys, rdflib
d = rdflib.Dataset()
d.parse(sys.argv[1], format="nquads")
g = d.graph(rdflib.URIRef("https://w3id.org/textkg/id/analytics"))
TK = rdflib.Namespace("https://w3id.org/textkg/ns#")
ranks = [float(o) for o in g.objects(None, TK.pageRank)]
assert ranks and all(0 < r < 1 for r in ranks), ranks
print(len(g))
"#,
            &[file.to_str().unwrap()],
        );
        assert!(n.trim().parse::<usize>().unwrap() > 50, "{n}");
    }
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn paths_come_with_the_evidence_of_every_hop() {
    let (dir, store) = fixture_store();
    let out = analyze_unstored(&store, &["--format", "json", "--path", "Finland", "Oulu"], dir.path());
    let v: Value = serde_json::from_str(&out).unwrap();
    let hops = v["path"].as_array().expect("a path");
    assert_eq!(hops.len(), 3, "{out}");
    assert_eq!(hops[0]["from_label"], "Finland");
    assert_eq!(hops[0]["forward"], false);
    assert_eq!(
        hops[0]["evidence"],
        "Brandt praised Finland for its help with the ferry line."
    );
    assert_eq!(hops[2]["to_label"], "Oulu");
    assert!(hops.iter().all(|h| h["evidence"].is_string()), "{out}");
    let table = analyze_unstored(&store, &["--path", "Finland", "Oulu"], dir.path());
    assert!(
        table.contains("path (3 hops)") && table.contains("\"Finnish minister Aino Koskinen visited Oulu"),
        "{table}"
    );
    let out = textkg(
        &[
            "analyze",
            "--store",
            &store,
            "--no-store",
            "--path",
            "Finland",
            "Atlantis",
        ],
        None,
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no entity named \"Atlantis\""));
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"nodes": [{"id": "a"}], "edges": [{"source": "a", "target": "b"}]}"#,
    )
    .unwrap();
    let out = textkg(&["analyze", "--from-json", bad.to_str().unwrap()], None, dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"b\" is not a node"));
}

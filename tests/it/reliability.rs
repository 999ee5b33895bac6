//! Issue 17, "Reliability at scale": each test is named after what broke.

use std::path::Path;
use std::process::Output;

use crate::{ok, repo, textkg};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts a usage/fatal failure: exit code 2 (not a signal), stderr containing `needle`.
fn fails_with(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit 2, got {:?}:\n{err}",
        out.status
    );
    assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A temporary directory with a store holding the bundled news articles.
fn news_store() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store").to_string_lossy().into_owned();
    ok(
        &["ingest", repo("examples/news").to_str().unwrap(), "--store", &store],
        dir.path(),
    );
    (dir, store)
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn store_that_is_a_file_exits_2_instead_of_crashing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "x\n").unwrap();
    for args in [
        &["info", "--store", "f"][..],
        &["query", "--store", "f", "ASK {}"],
        &["export", "--store", "f"],
        &["update", "--store", "f", "CLEAR DEFAULT"],
        &["ingest", "--store", "f", "-"],
    ] {
        let out = textkg(args, Some(b"Anna Keller met Boris Novak in Paris."), dir.path());
        fails_with(&out, "cannot open store f: it exists and is not a directory");
        assert!(!stderr(&out).contains("another textkg process"), "{}", stderr(&out));
    }
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn store_open_failures_name_their_cause() {
    let dir = tempfile::tempdir().unwrap();
    // A missing parent directory.
    let out = textkg(
        &["ingest", "--store", "no/such/parent/store", "-"],
        Some(b"Anna Keller met Boris Novak in Paris."),
        dir.path(),
    );
    fails_with(&out, "the parent directory does not exist");
    assert!(!stderr(&out).contains("another textkg process"));
    // A directory that is not a store.
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let out = textkg(&["info", "--store", "empty"], None, dir.path());
    fails_with(&out, "not a textkg store");
    // No write permission (meaningless for root, who may write anywhere).
    let locked_dir = dir.path().join("ro");
    std::fs::create_dir(&locked_dir).unwrap();
    set_mode(&locked_dir, 0o555);
    if std::fs::write(locked_dir.join("probe"), "").is_err() {
        let out = textkg(
            &["ingest", "--store", "ro/store", "-"],
            Some(b"Anna Keller met Boris Novak in Paris."),
            dir.path(),
        );
        fails_with(&out, "permission denied");
        assert!(!stderr(&out).contains("another textkg process"));
    }
    set_mode(&locked_dir, 0o755);
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn store_locked_by_another_process_is_reported_as_such() {
    let (dir, store) = news_store();
    // This test process holds the write lock, as a running `ingest` would.
    let held = textkg::store::KgStore::open(Path::new(&store)).unwrap();
    let out = textkg(
        &["ingest", "--store", &store, "-"],
        Some(b"Anna Keller met Boris Novak in Paris."),
        dir.path(),
    );
    fails_with(&out, "is another textkg process using it?");
    let out = textkg(&["update", "--store", &store, "CLEAR DEFAULT"], None, dir.path());
    fails_with(&out, "in use by another process");
    // Readers do not need the lock.
    ok(&["info", "--store", &store], dir.path());
    drop(held);
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn update_on_a_mistyped_store_path_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = textkg(
        &["update", "--store", "typo", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"],
        None,
        dir.path(),
    );
    fails_with(&out, "no store at typo");
    assert!(!dir.path().join("typo").exists(), "update created a store");
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn update_and_query_on_a_path_with_no_store_say_so_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let insert = "INSERT DATA { <urn:a> <urn:b> <urn:c> }";
    let select = "SELECT * WHERE { ?s ?p ?o }";
    // Nothing at the path: the message names it.
    for args in [
        ["update", "--store", "missing", insert],
        ["query", "--store", "missing", select],
    ] {
        fails_with(&textkg(&args, None, dir.path()), "no store at missing");
        assert!(!dir.path().join("missing").exists(), "{args:?} created a store");
    }
    // A directory that holds no store (empty, or other files): left as it was.
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::fs::create_dir(dir.path().join("notes")).unwrap();
    std::fs::write(dir.path().join("notes/todo.txt"), "buy milk\n").unwrap();
    for store in ["empty", "notes"] {
        for args in [
            ["update", "--store", store, insert],
            ["query", "--store", store, select],
        ] {
            fails_with(
                &textkg(&args, None, dir.path()),
                &format!("cannot open store {store}: not a textkg store"),
            );
        }
        let files: Vec<_> = std::fs::read_dir(dir.path().join(store))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        let expected: &[&str] = if store == "notes" { &["todo.txt"] } else { &[] };
        assert_eq!(files, expected, "{store}: a store was created in it");
    }
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn a_store_whose_creation_was_killed_opens_empty() {
    // What `kill -9` during ingest left once (tests/it/crash.rs, a kill ~140 ms
    // in): RocksDB had written IDENTITY, LOCK and the first manifest, not
    // CURRENT. `info` failed with "not a textkg store"; the database is
    // created to the end and reads as empty, and `update` may write to it.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    std::fs::write(store.join("IDENTITY"), "4045a7b0-00d7-4991-b862-7c2705537ce4").unwrap();
    std::fs::write(store.join("LOCK"), "").unwrap();
    std::fs::write(
        store.join("MANIFEST-000001"),
        b"G=N3-\x00\x01\x81@$4045a7b0-00d7-4991-b862-7c2705537ce4\x02\x00\x03\x02\x04\x00",
    )
    .unwrap();
    let store = store.to_str().unwrap();
    let info = ok(&["info", "--store", store], dir.path());
    assert!(info.contains("documents: 0"), "{info}");
    let out = ok(
        &[
            "update",
            "--store",
            store,
            "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }",
        ],
        dir.path(),
    );
    assert!(out.contains("0 quads before, 1 after"), "{out}");
}

/// The example of `update --help`, as a shell word between single quotes.
fn update_help_example() -> String {
    let help = ok(&["update", "--help"], &repo(""));
    // The help text may be wrapped: take everything between the quotes.
    let start = help.find("textkg update '").expect("an example") + "textkg update '".len();
    let end = start + help[start..].find('\'').expect("closing quote");
    help[start..end].split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn update_help_example_is_valid_sparql_and_changes_the_store() {
    let (dir, store) = news_store();
    // Lower the bar so the example has something to delete in the bundled articles.
    let example = update_help_example().replace("0.2", "0.7");
    let out = ok(&["update", "--store", &store, &example], dir.path());
    let (before, after) = quad_counts(&out);
    assert!(after < before, "{out}");
    let left = ok(
        &[
            "query",
            "--store",
            &store,
            "--format",
            "tsv",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s tk:confidence ?c FILTER(?c < 0.7) }",
        ],
        dir.path(),
    );
    assert_eq!(left.lines().nth(1), Some("0"), "{left}");
}

/// `store: B quads before, A after (±N)` → (B, A).
fn quad_counts(out: &str) -> (usize, usize) {
    let line = out.lines().find(|l| l.starts_with("store: ")).expect("summary line");
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn update_that_changes_nothing_says_so() {
    let (dir, store) = news_store();
    let out = textkg(
        &["update", "--store", &store, "DELETE WHERE { ?s tk:confidence ?c }"],
        None,
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (before, after) = quad_counts(&stdout(&out));
    assert_eq!(before, after);
    assert!(stderr(&out).contains("the update changed nothing"), "{}", stderr(&out));
    // WHERE sees the union of the documents, as `query` does: this inserts one
    // flag per relation statement into the default graph.
    let out = ok(
        &[
            "update",
            "--store",
            &store,
            "INSERT { ?st tk:flagged true } WHERE { ?st a tk:RelationStatement }",
        ],
        dir.path(),
    );
    let (before, after) = quad_counts(&out);
    assert!(after > before, "{out}");
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn sparql_syntax_errors_are_printed_once() {
    let (dir, store) = news_store();
    let bad = "SELECT nonsense";
    let parser = oxigraph::sparql::SparqlEvaluator::new();
    let query_error = parser.clone().parse_query(bad).err().expect("a syntax error");
    let update_error = parser.parse_update(bad).err().expect("a syntax error");
    for (command, message) in [("query", query_error.to_string()), ("update", update_error.to_string())] {
        let out = textkg(&[command, "--store", &store, bad], None, dir.path());
        fails_with(&out, "SPARQL syntax error");
        assert_eq!(stderr(&out).matches(&message).count(), 1, "{}", stderr(&out));
    }
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn unbounded_queries_stop_at_their_budgets() {
    let (dir, store) = news_store();
    // A 3-way cartesian product sorted: billions of rows on the bundled articles.
    let product = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1";
    let out = textkg(
        &["query", "--store", &store, "--timeout", "1", product],
        None,
        dir.path(),
    );
    fails_with(&out, "the query was stopped after 1s (--timeout)");
    let out = textkg(
        &[
            "query",
            "--store",
            &store,
            "--timeout",
            "0",
            "--max-memory",
            "1",
            product,
        ],
        None,
        dir.path(),
    );
    fails_with(&out, "more than 1 MB of memory (--max-memory)");
    // The result cap ends the output properly: valid JSON with the rows up to the cap.
    let out = textkg(
        &[
            "query",
            "--store",
            &store,
            "--max-results",
            "3",
            "--format",
            "json",
            "SELECT * WHERE { ?s ?p ?o }",
        ],
        None,
        dir.path(),
    );
    fails_with(&out, "more than 3 results");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("complete JSON");
    assert_eq!(json["results"]["bindings"].as_array().unwrap().len(), 3);
}

#[test]
#[cfg_attr(not(feature = "rocksdb"), ignore = "needs the persistent store (rocksdb feature)")]
fn export_of_entities_named_by_many_documents_is_one_node_each() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    for i in 0..12 {
        std::fs::write(
            inputs.join(format!("{i:02}.txt")),
            format!("Chancellor Anna Keller met President Boris Novak in Paris on day {i}. Keller thanked Novak."),
        )
        .unwrap();
    }
    let store = dir.path().join("store").to_string_lossy().into_owned();
    ok(&["ingest", "in", "--store", &store], dir.path());
    let graph: serde_json::Value =
        serde_json::from_str(&ok(&["export", "--store", &store, "--format", "json"], dir.path())).unwrap();
    let labels: Vec<&str> = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels.iter().filter(|l| **l == "Anna Keller").count(), 1, "{labels:?}");
    // N-Triples of the union: every triple once, and all of them.
    let nt = ok(&["export", "--store", &store, "--format", "ntriples"], dir.path());
    let lines: Vec<&str> = nt.lines().collect();
    let distinct: std::collections::HashSet<&str> = lines.iter().copied().collect();
    assert_eq!(lines.len(), distinct.len(), "duplicate triples in the union dump");
    let count = ok(
        &[
            "query",
            "--store",
            &store,
            "--format",
            "tsv",
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }",
        ],
        dir.path(),
    );
    assert_eq!(count.lines().nth(1), Some(lines.len().to_string().as_str()));
    let out = textkg(
        &["export", "--store", &store, "--entity", "Nobody Atall"],
        None,
        dir.path(),
    );
    fails_with(&out, "no entity named \"Nobody Atall\"");
}

#[cfg(unix)]
#[test]
fn directory_walk_follows_symlinks_once_and_skips_fifos() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("in");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("sub/a.txt"), "Anna Keller met Boris Novak in Paris.").unwrap();
    std::os::unix::fs::symlink("..", root.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(".", root.join("self1")).unwrap();
    std::os::unix::fs::symlink(".", root.join("self2")).unwrap();
    std::os::unix::fs::symlink("sub/a.txt", root.join("b.txt")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(root.join("pipe"))
        .status()
        .is_ok_and(|s| s.success());
    let out = textkg(&["extract", "in"], None, dir.path());
    let err = stderr(&out);
    assert!(out.status.success(), "warnings are not failures: {err}");
    let names: Vec<String> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["document"]["name"].to_string())
        .collect();
    // The file itself and the link to it (a file reached by a link is read), nothing more.
    assert_eq!(names, ["\"in/b.txt\"", "\"in/sub/a.txt\""], "{err}");
    assert!(err.contains("warning: in/self1: directory already read"), "{err}");
    if fifo {
        assert!(err.contains("warning: in/pipe: not a regular file"), "{err}");
    }
}

#[test]
fn impossible_dates_are_refused() {
    for date in ["2024-02-30", "0000-01-01"] {
        let out = textkg(
            &["extract", "--date", date, "-"],
            Some(b"Anna Keller spoke."),
            &repo(""),
        );
        fails_with(&out, &format!("invalid value '{date}' for '--date"));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.jsonl"),
        "{\"text\": \"Anna Keller spoke.\", \"date\": \"2023-02-29\"}\n",
    )
    .unwrap();
    let out = textkg(&["extract", "a.jsonl"], None, dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("a.jsonl:1: invalid date \"2023-02-29\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn jsonl_with_byte_order_mark_and_duplicate_ids() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.jsonl"),
        "\u{feff}{\"id\": \"x\", \"text\": \"Anna Keller spoke.\"}\n{\"id\": \"x\", \"text\": \"Boris Novak spoke.\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.jsonl"),
        "{\"id\": \"x\", \"text\": \"Carla Diaz spoke.\"}\n",
    )
    .unwrap();
    let out = textkg(&["extract", "a.jsonl", "b.jsonl"], None, dir.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("a.jsonl:2: duplicate id \"x\" (first on line 1)"), "{err}");
    assert!(err.contains("b.jsonl: duplicate id \"x\""), "{err}");
    let docs: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(docs.len(), 1, "only the first record with id x is kept");
    assert_eq!(docs[0]["document"]["name"], "x");
    assert!(docs[0]["entities"].to_string().contains("Anna Keller"));
}

//! Crash tests (issue 17): `kill -9` at random points of `ingest`, `resolve`
//! and `update`, then reopen the store, run `info`, and run the command again.
//!
//! What must hold after every kill: the store opens (`info` exits 0); every
//! graph in it is exactly a graph of a clean run, before or after the killed
//! step (a document, or one document's resolution with its decision
//! records, is written whole or not at all; resolution commits documents in
//! batches, so the resolution graph is checked record by record), and
//! nothing committed earlier is lost; and running the command again gives
//! exactly the store of a clean run. 20 runs in all (8 ingest, 6 resolve,
//! 6 update), on a small synthetic corpus; kill points come from a seeded
//! generator (`TEXTKG_CRASH_SEED`), and a failure names its seed, run and
//! delay.

#![cfg(all(unix, feature = "rocksdb"))]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{ok, textkg};

/// Quads by graph (N-Quads lines, sorted): the whole content of a store.
type Dump = BTreeMap<String, Vec<String>>;

fn dump(store: &Path, cwd: &Path) -> Dump {
    let text = ok(
        &["export", "--store", store.to_str().unwrap(), "--format", "nquads"],
        cwd,
    );
    let mut out: Dump = BTreeMap::new();
    for q in oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NQuads).for_slice(text.as_bytes()) {
        let q = q.expect("our own N-Quads parse");
        out.entry(q.graph_name.to_string()).or_default().push(q.to_string());
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    /// A fraction in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// News-like JSON Lines: recurring people, every fourth article naming one
/// by title and surname only (so resolution has merges to make), in two
/// ingest batches.
fn corpus(n: usize) -> String {
    let mut rng = Rng(42);
    let people = [
        ("President", "Anna", "Keller"),
        ("Prime Minister", "Boris", "Novak"),
        ("Mayor", "Carla", "Diaz"),
        ("Senator", "Daniel", "Okafor"),
        ("Governor", "Elena", "Lund"),
        ("Chancellor", "Farid", "Sato"),
    ];
    let places = ["Paris", "Oslo", "Berlin", "Madrid", "Kenya", "Chile"];
    let verbs = ["met", "thanked", "criticized", "visited", "called"];
    let mut out = String::new();
    for i in 0..n {
        let (ta, fa, la) = people[(rng.next() % 6) as usize];
        let (tb, fb, lb) = people[(rng.next() % 6) as usize];
        let text = if i % 4 == 3 {
            format!(
                "{ta} {la} visited {} on Tuesday. {la} said the talks went well.",
                rng.pick(&places)
            )
        } else {
            format!(
                "{ta} {fa} {la} {} {tb} {fb} {lb} in {} on Monday. {la} said, \u{201c}We want a fair deal for {}.\u{201d} \
                 Later, {lb} {} {}.",
                rng.pick(&verbs),
                rng.pick(&places),
                rng.pick(&places),
                rng.pick(&verbs),
                rng.pick(&places),
            )
        };
        let record =
            serde_json::json!({"id": format!("doc-{i}"), "date": format!("2025-05-0{}", 1 + i % 9), "text": text});
        out.push_str(&record.to_string());
        out.push('\n');
    }
    out
}

/// Runs textkg and kills it with SIGKILL after `delay` unless it ended first.
/// Returns whether it was killed.
fn run_and_kill(args: &[&str], cwd: &Path, delay: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_textkg"))
        .args(args)
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .env_remove("TEXTKG_STORE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn textkg");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        if started.elapsed() >= delay {
            child.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix
            child.wait().expect("reap");
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn timed(args: &[&str], cwd: &Path) -> Duration {
    let t = Instant::now();
    ok(args, cwd);
    t.elapsed()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn seed() -> u64 {
    std::env::var("TEXTKG_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(17)
}

/// After a kill: `info` works, every graph is exactly one of the `allowed`
/// states of that graph, and every graph of `kept` (committed before the
/// step, untouched by it) is still there.
fn check_after_kill(store: &Path, cwd: &Path, allowed: [&Dump; 2], kept: &Dump, what: &str) {
    let out = textkg(&["info", "--store", store.to_str().unwrap()], None, cwd);
    assert!(
        out.status.success(),
        "{what}: info after the kill failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let now = dump(store, cwd);
    for (g, quads) in &now {
        if g.ends_with("/resolution>") {
            // Resolution commits whole documents in batches, each with its
            // decision records: each record is as before or as after.
            for (subject, record) in by_subject(quads) {
                assert!(
                    allowed
                        .iter()
                        .any(|d| d.get(g).map(|q| by_subject(q).get(subject) == Some(&record)) == Some(true)),
                    "{what}: decision {subject} is in no state of a clean run"
                );
            }
            continue;
        }
        assert!(
            allowed.iter().any(|d| d.get(g) == Some(quads)),
            "{what}: graph {g} is in no state of a clean run ({} quads)",
            quads.len()
        );
    }
    for (g, quads) in kept {
        assert_eq!(
            now.get(g),
            Some(quads),
            "{what}: graph {g}, committed before the step, was lost"
        );
    }
}

/// N-Quads lines grouped by their subject (the first term of the line).
fn by_subject(quads: &[String]) -> BTreeMap<&str, Vec<&String>> {
    let mut out: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    for q in quads {
        out.entry(q.split(' ').next().unwrap_or_default()).or_default().push(q);
    }
    out
}

struct Case {
    dir: tempfile::TempDir,
    clean: Dump,
}

/// Runs `runs` kills of `args` (on a copy of `start`, or on no store when
/// `start` is `None`), checking each as described in the module docs.
fn crash_runs(name: &str, runs: usize, salt: u64, start: Option<&Path>, args: &[&str], before: &Dump, case: &Case) {
    // Graphs committed before the step that the step leaves as they are.
    let kept: Dump = if start.is_some() {
        before
            .iter()
            .filter(|(g, q)| case.clean.get(*g) == Some(*q))
            .map(|(g, q)| (g.clone(), q.clone()))
            .collect()
    } else {
        Dump::new()
    };
    let cwd = case.dir.path();
    let probe = cwd.join(format!("{name}-probe"));
    if let Some(s) = start {
        copy_dir(s, &probe);
    }
    let with_store = |store: &Path| -> Vec<String> {
        let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        a.extend(["--store".into(), store.to_string_lossy().into_owned()]);
        a
    };
    let probe_args = with_store(&probe);
    let full = timed(&probe_args.iter().map(String::as_str).collect::<Vec<_>>(), cwd);
    assert_eq!(
        dump(&probe, cwd),
        case.clean,
        "{name}: a clean run differs from the reference"
    );
    let mut rng = Rng(seed() ^ salt);
    let mut killed_runs = 0;
    for run in 0..runs {
        let store = cwd.join(format!("{name}-{run}"));
        if let Some(s) = start {
            copy_dir(s, &store);
        }
        // Kill points over the whole run, startup included, a little past its clean length.
        let delay = full.mul_f64(1.1 * rng.unit());
        let what = format!("{name} run {run} (seed {}, kill after {delay:?} of {full:?})", seed());
        let a = with_store(&store);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let killed = run_and_kill(&a, cwd, delay);
        killed_runs += usize::from(killed);
        if store.exists() {
            check_after_kill(&store, cwd, [before, &case.clean], &kept, &what);
        } else {
            assert!(killed, "{what}: the command ended without creating its store");
        }
        ok(&a, cwd);
        assert_eq!(
            dump(&store, cwd),
            case.clean,
            "{what}: re-running after the kill differs from a clean run"
        );
        ok(&["info", "--store", store.to_str().unwrap()], cwd);
    }
    eprintln!("crash {name}: {killed_runs} of {runs} runs killed before they ended (a clean run takes {full:?})");
}

fn reference() -> (Case, std::path::PathBuf, Dump) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("news.jsonl"), corpus(300)).unwrap();
    let cwd = dir.path();
    // A store without resolution: where `resolve` starts.
    ok(&["ingest", "news.jsonl", "--no-resolve", "--store", "unresolved"], cwd);
    let unresolved = dump(&cwd.join("unresolved"), cwd);
    ok(&["ingest", "news.jsonl", "--store", "clean"], cwd);
    let clean = dump(&cwd.join("clean"), cwd);
    assert!(
        unresolved.len() == 300 && clean.len() == 301 && clean != unresolved,
        "{} graphs; resolution should change the store",
        unresolved.len()
    );
    let start = cwd.join("unresolved");
    (Case { dir, clean }, start, unresolved)
}

#[test]
fn kill_9_during_ingest_loses_nothing_committed() {
    let (case, _, unresolved) = reference();
    // Before ingest nothing exists; a graph may be as extracted or as resolved.
    crash_runs("ingest", 8, 1, None, &["ingest", "news.jsonl"], &unresolved, &case);
}

#[test]
fn kill_9_during_resolve_leaves_the_store_as_before_or_after() {
    let (case, unresolved_store, unresolved) = reference();
    crash_runs(
        "resolve",
        6,
        2,
        Some(&unresolved_store),
        // Small transactions, so that kills also land between batches.
        &["resolve", "--batch-quads", "50"],
        &unresolved,
        &case,
    );
}

#[test]
fn kill_9_during_update_leaves_the_store_as_before_or_after() {
    let (mut case, _, _) = reference();
    let cwd = case.dir.path().to_path_buf();
    let start = cwd.join("clean");
    let before = case.clean.clone();
    // Copies every document quad into one graph: long enough to be killed midway.
    let update = "INSERT { GRAPH <https://example.org/copy> { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }";
    let after_store = cwd.join("updated");
    copy_dir(&start, &after_store);
    ok(&["update", update, "--store", after_store.to_str().unwrap()], &cwd);
    case.clean = dump(&after_store, &cwd);
    assert!(case.clean.contains_key("<https://example.org/copy>"));
    crash_runs("update", 6, 3, Some(&start), &["update", update], &before, &case);
}

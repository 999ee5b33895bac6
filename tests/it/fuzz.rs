//! The stable fuzz driver (issue 17): runs the fuzz targets of
//! `textkg::fuzz` (the same functions `fuzz/` hands to libFuzzer on nightly)
//! over the committed corpus in `fuzz/corpus/<target>/`, then over inputs
//! mutated from it, and throws generated argument lists at the binary.
//!
//! Bounded and reproducible: every mutated input comes from a seeded
//! generator (case `i` of a target depends only on the corpus, the seed and
//! `i`), and each target stops after `TEXTKG_FUZZ_CASES` cases (default
//! below) or `TEXTKG_FUZZ_SECONDS` seconds (default 60), whichever comes
//! first. `TEXTKG_FUZZ_SEED` changes the seed for a longer hunt, e.g.
//! `TEXTKG_FUZZ_SEED=7 TEXTKG_FUZZ_CASES=100000 TEXTKG_FUZZ_SECONDS=3600 cargo test --release fuzz`.
//! A failing input is written under the test's target directory and named
//! in the failure message: add it to the corpus when fixing the bug.
//! A case running past 5 minutes aborts the test binary (a hang) after
//! saving its input.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use textkg::fuzz::Rng;

use crate::repo;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Bytes that make parsers take other branches.
const INTERESTING: &[u8] = &[
    0, 0xff, b'"', b'\\', b'\n', b'\r', b'{', b'}', b'.', b' ', 0xc3, 0xe2, 0xf0, 0x80,
];

/// One to four libFuzzer-style mutations of `input`: bit flips, interesting
/// bytes, deletions, duplicated runs (long repetitive inputs), dictionary
/// tokens, random bytes, truncation, and splices with another corpus entry.
fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>], dict: &[&str], max_len: usize) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = data.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(16)).min(len);
                data.drain(start..end);
            }
            3 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(64)).min(len);
                let run = data[start..end].to_vec();
                let at = rng.below(len + 1);
                for _ in 0..1 + rng.below(8) {
                    data.splice(at..at, run.iter().copied());
                }
            }
            4 if !dict.is_empty() => {
                let at = rng.below(len + 1);
                let token = dict[rng.below(dict.len())].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
            5 => {
                let at = rng.below(len + 1);
                let bytes: Vec<u8> = (0..1 + rng.below(8)).map(|_| rng.next_u64() as u8).collect();
                data.splice(at..at, bytes);
            }
            6 if len > 0 => data.truncate(rng.below(len)),
            _ if !corpus.is_empty() => {
                let other = &corpus[rng.below(corpus.len())];
                let cut = rng.below(data.len() + 1);
                let from = rng.below(other.len() + 1);
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            _ => {}
        }
    }
    data.truncate(max_len);
    data
}

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = repo("fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("corpus file");
            (p, bytes)
        })
        .collect()
}

fn save_failure(target: &str, case: &str, input: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    std::fs::create_dir_all(&dir).expect("failure directory");
    let path = dir.join(format!("{target}-{case}"));
    std::fs::write(&path, input).expect("write failing input");
    path
}

/// Aborts the process when one case runs past `limit` (a hang), after
/// saving its input; `cargo test` then fails instead of waiting for CI's
/// time limit.
/// The case running now: when it started, its name, its input.
type Running = Arc<Mutex<Option<(Instant, String, Vec<u8>)>>>;

struct Watchdog {
    current: Running,
}

impl Watchdog {
    fn new(target: &'static str, limit: Duration) -> Self {
        let current: Running = Arc::default();
        let watched = Arc::downgrade(&current);
        std::thread::spawn(move || {
            while let Some(current) = watched.upgrade() {
                if let Some((started, case, input)) = &*current.lock().unwrap_or_else(|p| p.into_inner())
                    && started.elapsed() > limit
                {
                    let path = save_failure(target, case, input);
                    eprintln!(
                        "fuzz {target}: case {case} hangs (> {limit:?}); input saved to {}",
                        path.display()
                    );
                    std::process::abort();
                }
                drop(current);
                std::thread::sleep(Duration::from_millis(500));
            }
        });
        Self { current }
    }

    fn run(&self, target: &'static str, case: String, input: &[u8], f: fn(&[u8])) {
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), case.clone(), input.to_vec()));
        let outcome = catch_unwind(AssertUnwindSafe(|| f(input)));
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let path = save_failure(target, &case, input);
            panic!(
                "fuzz {target}: case {case} panicked: {message}\ninput ({} bytes) saved to {}",
                input.len(),
                path.display()
            );
        }
    }
}

/// Runs `f` over the corpus of `target`, then over mutated inputs.
fn drive(target: &'static str, f: fn(&[u8]), dict: &[&str], max_len: usize, default_cases: u64) {
    let seed = env_number("TEXTKG_FUZZ_SEED", 1);
    let cases = env_number("TEXTKG_FUZZ_CASES", default_cases);
    let budget = Duration::from_secs(env_number("TEXTKG_FUZZ_SECONDS", 60));
    let entries = corpus(target);
    assert!(!entries.is_empty(), "fuzz/corpus/{target} is empty");
    let watchdog = Watchdog::new(target, Duration::from_secs(300));
    let started = Instant::now();
    for (path, bytes) in &entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        watchdog.run(target, format!("corpus-{name}"), bytes, f);
    }
    let inputs: Vec<Vec<u8>> = entries.into_iter().map(|(_, b)| b).collect();
    let mut ran = 0;
    for i in 0..cases {
        if started.elapsed() > budget {
            break;
        }
        let mut rng = Rng::new(seed ^ (i.wrapping_add(1)).wrapping_mul(0xA24B_AED4_963E_E407));
        let base = &inputs[rng.below(inputs.len())];
        let input = mutate(&mut rng, base, &inputs, dict, max_len);
        watchdog.run(target, format!("seed{seed}-case{i}"), &input, f);
        ran += 1;
    }
    eprintln!(
        "fuzz {target}: {} corpus inputs and {ran} of {cases} mutated cases (seed {seed}) in {:.1} s",
        inputs.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(ran > 0 || cases == 0, "no mutated case ran within {budget:?}");
}

const TEXT_DICT: &[&str] = &[
    "Anna Keller",
    " said ",
    "President ",
    "Mr. ",
    "\u{201c}",
    "\u{201d}",
    "\"",
    " he ",
    " She ",
    " met ",
    " in Paris",
    " on Monday",
    " 3 March 2024",
    ". ",
    "\n\n",
    "NATO",
    "U.S.",
    "'s ",
    " and ",
    ", ",
    "@user",
    "https://x.org/a?b",
    "\u{200f}",
    "\u{0301}",
    "\u{1F600}",
    "#",
    "-- ",
    "* ",
    "Dr.",
    " not ",
    " would ",
];

const JSONL_DICT: &[&str] = &[
    "{\"text\": \"Anna met Boris.\"}\n",
    "\"id\": ",
    "\"date\": \"2024-02-29\"",
    "\"date\": \"2023-02-29\"",
    "\"title\": ",
    "\"url\": ",
    "null",
    "[]",
    "{}",
    "\\u0000",
    "\\ud800",
    "\u{feff}",
    ",",
    ":",
    "\n",
    "1e999",
    "\"text\": \"\"",
    "\"0000-01-01\"",
];

const SPARQL_DICT: &[&str] = &[
    "SELECT ",
    "* ",
    "WHERE ",
    "{ ",
    "} ",
    "?s ",
    "?p ",
    "?o ",
    "GRAPH ?g ",
    "ORDER BY ",
    "LIMIT 1 ",
    "OFFSET 99 ",
    "DISTINCT ",
    "OPTIONAL ",
    "UNION ",
    "FILTER(",
    ")",
    "REGEX(?o, \"a*\")",
    "rdfs:label ",
    "tk:says ",
    "a ",
    "schema:Person ",
    "CONSTRUCT ",
    "ASK ",
    "DESCRIBE ",
    "INSERT DATA ",
    "DELETE WHERE ",
    "CLEAR ALL",
    "LOAD <x:y>",
    "(COUNT(*) AS ?n) ",
    "GROUP BY ?s ",
    "VALUES ?x { 1 2 } ",
    "/",
    "*",
    "+",
    "|",
    "^",
    "SERVICE <x:y> ",
    ". ",
    "BIND(",
    " AS ?b) ",
    "<http://e/x> ",
    "\"lit\"@en ",
    "1.5e3 ",
    "COPY DEFAULT TO <x:g>",
    "MOVE ",
    "ADD ",
];

#[test]
fn fuzz_extract_text() {
    drive("extract_text", textkg::fuzz::extract_text, TEXT_DICT, 8192, 2000);
}

#[test]
fn fuzz_read_jsonl() {
    drive("read_jsonl", textkg::fuzz::read_jsonl, JSONL_DICT, 4096, 200_000);
}

#[test]
fn fuzz_sparql() {
    drive("sparql", textkg::fuzz::sparql, SPARQL_DICT, 2048, 5000);
}

/// Argument lists built from each subcommand's own `--help` (so new options
/// are covered without editing this test) with hostile values, run against
/// the binary in an empty directory with no input: every run ends by itself
/// with exit code 0, 1 or 2, never a signal or a panic message.
#[test]
fn fuzz_cli_arguments() {
    let seed = env_number("TEXTKG_FUZZ_SEED", 1);
    let runs = env_number("TEXTKG_FUZZ_CLI_RUNS", 60);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "Anna Keller met Boris Novak in Paris.").unwrap();
    std::fs::write(dir.path().join("b.jsonl"), "{\"text\": \"Anna met Boris.\"}\n{oops\n").unwrap();
    std::fs::write(dir.path().join("q.rq"), "SELECT * WHERE { ?s ?p ?o } LIMIT 2").unwrap();
    // A store for the commands that need one.
    crate::ok(&["ingest", "a.txt", "--store", "kg"], dir.path());
    // Commands that finish in a moment on small inputs (no training, no evaluation data).
    let commands = [
        "extract", "ingest", "resolve", "query", "update", "export", "merges", "info", "tag", "ner",
    ];
    let help = |cmd: &str| -> Vec<String> {
        let out = crate::ok(&[cmd, "--help"], dir.path());
        let mut flags: Vec<String> = out
            .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == '=')
            .filter(|w| {
                w.starts_with("--") && w.len() > 2 && w[2..].chars().all(|c| c.is_ascii_lowercase() || c == '-')
            })
            .map(str::to_string)
            .collect();
        flags.sort();
        flags.dedup();
        flags.retain(|f| f != "--help");
        flags
    };
    let flags: Vec<(&str, Vec<String>)> = commands.iter().map(|c| (*c, help(c))).collect();
    assert!(
        flags
            .iter()
            .any(|(c, f)| *c == "query" && f.iter().any(|f| f == "--timeout")),
        "the flag scraper found no --timeout on query: {flags:?}"
    );
    let values = [
        "",
        "-",
        "0",
        "-1",
        "18446744073709551616",
        "1e9",
        "nan",
        "2024-02-30",
        "0000-01-01",
        "2024-01-01T25:00",
        "a.txt",
        "b.jsonl",
        "q.rq",
        "kg",
        "missing/dir/x",
        ".",
        "/dev/null",
        "http://e/",
        "not an iri <>",
        "SELECT * WHERE { ?s ?p ?o }",
        "ASK {",
        "\u{202e}\u{1F600}",
        "--",
        "-x",
        "json",
        "csv",
        "turtle",
        "dot",
        "jsonl",
        "text",
        "1",
        "3",
        "0.5",
        "99999",
    ];
    let mut rng = Rng::new(seed);
    for run in 0..runs {
        let (cmd, cmd_flags) = &flags[rng.below(flags.len())];
        let mut args = vec![cmd.to_string()];
        for _ in 0..rng.below(5) {
            match rng.below(3) {
                0 | 1 if !cmd_flags.is_empty() => {
                    args.push(cmd_flags[rng.below(cmd_flags.len())].clone());
                    if rng.below(4) > 0 {
                        args.push(values[rng.below(values.len())].to_string());
                    }
                }
                _ => args.push(values[rng.below(values.len())].to_string()),
            }
        }
        if !args.iter().any(|a| a == "--store") && rng.below(2) == 0 {
            args.extend(["--store".to_string(), "kg".to_string()]);
        }
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (status, err) = run_bounded(&argv, dir.path(), Duration::from_secs(120));
        assert!(
            matches!(status.code(), Some(0..=2)) && !err.contains("panicked"),
            "run {run} (seed {seed}): textkg {argv:?} ended with {status:?}:\n{err}"
        );
    }
}

/// Runs the binary with no stdin and kills it after `limit` (failing the
/// test: a hang); returns its exit status and stderr (kept in a file, so a
/// chatty run cannot block on a full pipe).
fn run_bounded(args: &[&str], cwd: &Path, limit: Duration) -> (std::process::ExitStatus, String) {
    use std::process::{Command, Stdio};
    let log = cwd.join("stderr.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_textkg"))
        .args(args)
        .current_dir(cwd)
        .env_remove("TEXTKG_STORE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("stderr log"))
        .spawn()
        .expect("spawn textkg");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for textkg") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "textkg {args:?} still running after {limit:?} (a hang):\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status, std::fs::read_to_string(&log).unwrap_or_default())
}

/// Coverage-guided fuzzing of the same three targets with libFuzzer through
/// `cargo fuzz` (the `fuzz/` crate), `TEXTKG_CARGO_FUZZ_SECONDS` (default 60;
/// 0 skips) per target, starting from the committed corpus. `.ci/run`
/// installs cargo-fuzz; without it (and without `TEXTKG_REQUIRE_TOOLS`) the
/// test skips. libFuzzer's instrumentation needs `-Z` flags, so the build runs
/// with `RUSTC_BOOTSTRAP=1` on the default (stable) toolchain: no nightly is
/// needed. New inputs go to a scratch directory, not `fuzz/corpus/`; a crash,
/// a panic, an input running past 60 s or over 4 GB fails the test and
/// names the saved input.
#[test]
fn cargo_fuzz_coverage_guided() {
    let seconds = env_number("TEXTKG_CARGO_FUZZ_SECONDS", 60);
    if seconds == 0 {
        eprintln!("skipped: TEXTKG_CARGO_FUZZ_SECONDS=0");
        return;
    }
    if !crate::exports::tool("cargo-fuzz", "cargo", &["fuzz", "--version"]) {
        return;
    }
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let target_dir = tmp.join("cargo-fuzz-target");
    fn cargo_fuzz(target_dir: &Path, args: &[&str], log: &Path) -> std::process::ExitStatus {
        std::process::Command::new("cargo")
            .arg("fuzz")
            .args(args)
            .current_dir(repo("fuzz"))
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_DIR", target_dir)
            .stdout(std::fs::File::create(log).expect("fuzz log"))
            .stderr(std::fs::File::create(log.with_extension("err")).expect("fuzz log"))
            .status()
            .expect("run cargo fuzz")
    }
    let tail = |log: &Path| {
        let text = std::fs::read_to_string(log.with_extension("err")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    };
    let build_log = tmp.join("cargo-fuzz-build.log");
    let status = cargo_fuzz(&target_dir, &["build"], &build_log);
    assert!(status.success(), "cargo fuzz build failed:\n{}", tail(&build_log));
    // The three run side by side: each is bounded by its time, not by its runs.
    let runs: Vec<_> = ["extract_text", "read_jsonl", "sparql"]
        .into_iter()
        .map(|target| {
            let scratch = tmp.join(format!("cargo-fuzz-{target}"));
            let _ = std::fs::remove_dir_all(&scratch);
            let corpus = scratch.join("corpus");
            std::fs::create_dir_all(&corpus).expect("scratch corpus");
            let committed = repo(&format!("fuzz/corpus/{target}"));
            let log = scratch.join("run.log");
            let args = vec![
                "run".to_string(),
                target.to_string(),
                corpus.display().to_string(),
                committed.display().to_string(),
                "--".to_string(),
                format!("-max_total_time={seconds}"),
                "-timeout=60".to_string(),
                "-rss_limit_mb=4096".to_string(),
                format!("-artifact_prefix={}/", scratch.display()),
            ];
            let run = std::thread::spawn({
                let (log, target_dir) = (log.clone(), target_dir.clone());
                move || {
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    cargo_fuzz(&target_dir, &args, &log)
                }
            });
            (target, scratch, log, run)
        })
        .collect();
    for (target, scratch, log, run) in runs {
        let status = run.join().expect("fuzz thread");
        let output = tail(&log);
        assert!(
            status.success(),
            "cargo fuzz run {target} failed (the input is saved under {}; add it to fuzz/corpus/{target} with the fix):\n{output}",
            scratch.display()
        );
        let runs = output
            .lines()
            .rev()
            .find(|l| l.starts_with("Done "))
            .unwrap_or("no summary");
        eprintln!("cargo fuzz {target}: {runs}");
    }
}

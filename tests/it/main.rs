//! Integration tests: one binary (links once), modules by area.

mod analyze;
mod cli;
mod crash;
mod entities;
mod exports;
mod fuzz;
mod ontology;
mod openie;
mod properties;
mod reliability;
mod resolve;
mod seed;
mod serve;
mod store;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Path inside the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs the textkg binary with arguments (and optional stdin), in `cwd`.
pub fn textkg(args: &[&str], stdin: Option<&[u8]>, cwd: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_textkg"));
    cmd.args(args)
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .env_remove("TEXTKG_STORE")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn textkg");
    if let Some(input) = stdin {
        use std::io::Write;
        // A command may exit without reading its input (a store that does not
        // open): a broken pipe here is its answer, not a test failure.
        if let Err(e) = child.stdin.take().expect("stdin").write_all(input) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    child.wait_with_output().expect("wait for textkg")
}

/// Runs textkg and asserts success; returns stdout.
pub fn ok(args: &[&str], cwd: &Path) -> String {
    let out = textkg(args, None, cwd);
    assert!(
        out.status.success(),
        "textkg {args:?} failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 stdout")
}

/// One document (id and name `id`, dated 2026-01-02) through the pipeline
/// with the default extractor and mapping options.
pub fn processed(id: &str, text: &str) -> textkg::pipeline::Processed {
    textkg::pipeline::process(
        textkg::input::SourceDocument {
            id: Some(id.into()),
            name: id.into(),
            title: None,
            date: Some("2026-01-02".into()),
            url: None,
            text: text.into(),
        },
        &textkg::extract::Extractor::default(),
        &textkg::rdf::MappingOptions::default(),
    )
}

/// A processed document's quads (default mapping options), ready for `KgStore::write`.
pub fn prepared(p: &textkg::pipeline::Processed) -> textkg::store::PreparedDocument {
    textkg::store::PreparedDocument {
        identity: p.identity.clone(),
        quads: p.quads(&textkg::rdf::MappingOptions::default()),
    }
}

/// `../shared` when present (developer machines and CI), else `None` with a message.
pub fn shared(path: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join(path);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "skipped: {} not present (tests that need ../shared skip on a fresh clone)",
            p.display()
        );
        None
    }
}

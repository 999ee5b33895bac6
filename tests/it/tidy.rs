//! Tidy test (in the spirit of rust-analyzer's `tidy.rs`): stages only look down.
//!
//! Every file under `src/` belongs to the stage of its top-level module
//! (`src/nlp/parser/mod.rs` → `nlp`, `src/cli/eval.rs` → `cli`). A module may
//! name modules of its own stage and of earlier stages, never of a later one:
//! shared types live in the earliest stage that needs them, and eval code sits
//! beside (or after) the stage it scores. What counts as naming a module:
//!
//! - a `crate::m` path in code, including each member of a `use crate::{a, b::c}`
//!   group, and a `super::` chain that climbs out of the top-level module to the
//!   crate root (`super::` inside a module never leaves its stage);
//! - a `crate::m` path in a doc comment (an intra-doc link): a base stage whose
//!   docs name a later one knows about its callers.
//!
//! Exempt: code under `#[cfg(test)]` (test modules and items may use later
//! stages to build their inputs, as integration tests do), plain comments and
//! string literals. `STAGES` below is the order ARCHITECTURE.md ("Layers")
//! describes; keep the two in step.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::repo;

/// Stages, earliest first; a module may use its own stage and earlier ones.
///
/// - base: `document` (the shared `Document`/`Span`), `input` (sources),
///   `lexicon` (the embedded word lists) import nothing of the crate;
/// - `nlp` → `ner` (names on the `Document`) → `openie` (tuples over the parse);
/// - `extract` and `entity_eval` (scores extraction's entities; it reads the
///   JSON contract but needs only `extract` types);
/// - `iri`, `rdf`, `json` map an extraction to output; `relation_eval` (judged
///   samples and the CoNLL04 scorer, which scores predicates as IRIs) sits beside;
/// - `pipeline` (input → rdf over many documents) → `store` → `resolve` →
///   `query` → `export` and `push` → `analyze` (reads `export`'s entity graph,
///   never the reverse) → `serve`;
/// - `bench` and `fuzz` drive the whole library; `cli`, `main` and `lib` are the
///   binary and the crate root.
const STAGES: &[&[&str]] = &[
    &["document", "input", "lexicon"],
    &["nlp"],
    &["ner"],
    &["openie"],
    &["extract", "entity_eval"],
    &["iri", "rdf", "json", "relation_eval"],
    &["pipeline"],
    &["store"],
    &["resolve"],
    &["query"],
    &["export", "push"],
    &["analyze"],
    &["serve"],
    &["bench", "fuzz"],
    &["cli", "main", "lib"],
];

fn stage(module: &str) -> Option<usize> {
    STAGES.iter().position(|s| s.contains(&module))
}

#[test]
fn stages_only_look_down() {
    let src = repo("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 20,
        "found only {} files under {}",
        files.len(),
        src.display()
    );
    let mut problems = String::new();
    let mut seen = std::collections::BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(repo("")).unwrap_or(file).display().to_string();
        let Some((module, depth)) = module_of(file.strip_prefix(&src).expect("under src")) else {
            continue;
        };
        seen.insert(module.clone());
        let Some(own) = stage(&module) else {
            let _ = writeln!(
                problems,
                "{rel}: module `{module}` is in no stage: add it to STAGES (and ARCHITECTURE.md)"
            );
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read source");
        for r in references(&text, depth) {
            match stage(&r.module) {
                Some(s) if s > own => {
                    let _ = writeln!(
                        problems,
                        "{rel}:{}: `{module}` (stage {own}) names `crate::{}` of a later stage ({s}): {}",
                        r.line,
                        r.module,
                        r.source.trim()
                    );
                }
                _ => {}
            }
        }
    }
    for m in STAGES.iter().flat_map(|s| s.iter()) {
        if !seen.contains(*m) {
            let _ = writeln!(problems, "STAGES names `{m}`, which has no file under src/");
        }
    }
    assert!(
        problems.is_empty(),
        "layering violations (see ARCHITECTURE.md, \"Layers\"):\n{problems}"
    );
}

#[test]
fn architecture_lists_the_stages_in_the_same_order() {
    let text = std::fs::read_to_string(repo("ARCHITECTURE.md")).expect("read ARCHITECTURE.md");
    let start = text.find("\n## Layers").expect("ARCHITECTURE.md has a Layers section");
    let section = &text[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    // Module names in backticks, first mention only, in the order written.
    let mut listed: Vec<&str> = Vec::new();
    for (k, quoted) in section.split('`').enumerate() {
        if k % 2 == 1 && stage(quoted).is_some() && !listed.contains(&quoted) {
            listed.push(quoted);
        }
    }
    let table: Vec<&str> = STAGES.iter().flat_map(|s| s.iter().copied()).collect();
    assert_eq!(
        listed, table,
        "ARCHITECTURE.md (Layers) and STAGES in tests/it/tidy.rs disagree"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Top-level module of a path relative to `src/`, and the depth of the file's
/// module below the crate root (`lib.rs`/`main.rs` 0, `nlp/mod.rs` 1,
/// `nlp/parser/beam.rs` 3).
fn module_of(rel: &Path) -> Option<(String, usize)> {
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let first = parts.first()?.trim_end_matches(".rs").to_string();
    let last = parts.last()?;
    let depth = match (parts.len(), last.as_str()) {
        (1, "lib.rs" | "main.rs") => 0,
        (n, "mod.rs") => n - 1,
        (n, _) => n,
    };
    Some((first, depth))
}

/// A module named from a file.
#[derive(Debug, PartialEq)]
struct Reference {
    /// Top-level module named.
    module: String,
    /// 1-based line.
    line: usize,
    /// The line as written.
    source: String,
}

/// Top-level modules a file names outside `#[cfg(test)]` code.
fn references(text: &str, depth: usize) -> Vec<Reference> {
    let (code, docs) = mask(text);
    let lines: Vec<&str> = text.lines().collect();
    let line_of = |at: usize| text[..at].bytes().filter(|&b| b == b'\n').count();
    let reference = |module: &str, at: usize| {
        let line = line_of(at);
        Reference {
            module: module.to_string(),
            line: line + 1,
            source: lines.get(line).unwrap_or(&"").to_string(),
        }
    };
    let tokens = tokenize(&code);
    let exempt = test_regions(&tokens);
    let is_exempt = |at: usize| exempt.iter().any(|r| r.0 <= at && at < r.1);
    let mut out = Vec::new();

    // Code: `crate::` and `super::` chains that reach the crate root.
    let mut inline_mods: Vec<usize> = Vec::new(); // brace depth inside each inline `mod x {`
    let mut braces = 0usize;
    let mut k = 0;
    while k < tokens.len() {
        let (t, at) = (tokens[k].0, tokens[k].1);
        match t {
            "{" => {
                braces += 1;
                if k >= 2 && tokens[k - 2].0 == "mod" && is_ident(tokens[k - 1].0) {
                    inline_mods.push(braces);
                }
            }
            "}" => {
                if inline_mods.last() == Some(&braces) {
                    inline_mods.pop();
                }
                braces = braces.saturating_sub(1);
            }
            _ => {}
        }
        let root =
            if t == "crate" && tokens.get(k + 1).is_some_and(|n| n.0 == "::") && (k == 0 || tokens[k - 1].0 != "$") {
                Some(k + 2)
            } else if t == "super" && (k == 0 || tokens[k - 1].0 != "::") {
                // `super::super::…`: how far does the chain climb?
                let mut n = 0;
                let mut j = k;
                while tokens.get(j).is_some_and(|x| x.0 == "super") && tokens.get(j + 1).is_some_and(|x| x.0 == "::") {
                    n += 1;
                    j += 2;
                }
                (n > 0 && n >= depth + inline_mods.len()).then_some(j)
            } else {
                None
            };
        if let Some(j) = root
            && !is_exempt(at)
        {
            for (name, pos) in path_heads(&tokens, j) {
                out.push(reference(name, pos));
            }
        }
        k += 1;
    }

    // Doc comments: intra-doc links and code spans naming `crate::m`.
    for (at, _) in docs.match_indices("crate::") {
        let before = docs[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') || is_exempt(at) {
            continue;
        }
        let name: String = docs[at + 7..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(reference(&name, at));
        }
    }
    out.sort_by_key(|r| r.line);
    out
}

/// The first segment of the path at `tokens[j]`: one name, or each member of a `{…}` group.
fn path_heads<'a>(tokens: &[(&'a str, usize)], j: usize) -> Vec<(&'a str, usize)> {
    match tokens.get(j) {
        Some(&(t, at)) if is_ident(t) => vec![(t, at)],
        Some(&("{", _)) => {
            let mut out = Vec::new();
            let mut depth = 0;
            let mut expect_head = true;
            for &(t, at) in &tokens[j + 1..] {
                match t {
                    "{" => depth += 1,
                    "}" if depth == 0 => break,
                    "}" => depth -= 1,
                    "," if depth == 0 => expect_head = true,
                    _ if expect_head && depth == 0 && is_ident(t) => {
                        if t != "self" {
                            out.push((t, at));
                        }
                        expect_head = false;
                    }
                    _ => {}
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

fn is_ident(t: &str) -> bool {
    t.starts_with(|c: char| c.is_alphabetic() || c == '_')
}

/// Identifiers, `::` and single punctuation characters of masked code, with byte offsets.
fn tokenize(code: &str) -> Vec<(&str, usize)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((&code[start..i], start));
        } else if c == b':' && b.get(i + 1) == Some(&b':') {
            out.push(("::", i));
            i += 2;
        } else {
            out.push((&code[i..i + 1], i));
            i += 1;
        }
    }
    out
}

/// Byte ranges of the items that follow `#[cfg(test)]`: up to the `}` that
/// closes their first `{`, or up to their `;` when they have no body.
fn test_regions(tokens: &[(&str, usize)]) -> Vec<(usize, usize)> {
    const ATTR: [&str; 7] = ["#", "[", "cfg", "(", "test", ")", "]"];
    let mut out = Vec::new();
    let mut k = 0;
    while k + ATTR.len() <= tokens.len() {
        if !tokens[k..k + ATTR.len()].iter().map(|t| t.0).eq(ATTR) {
            k += 1;
            continue;
        }
        let start = tokens[k].1;
        let mut depth = 0usize;
        let mut j = k + ATTR.len();
        let mut end = usize::MAX;
        while let Some(&(t, at)) = tokens.get(j) {
            match t {
                "{" | "(" | "[" => depth += 1,
                "}" | ")" | "]" => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 && t == "}" {
                        end = at + 1;
                        break;
                    }
                }
                ";" if depth == 0 => {
                    end = at + 1;
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        out.push((start, end));
        k = j.max(k + 1);
    }
    out
}

/// Splits source into code and doc comments, each the length of `text`
/// with everything else blanked (newlines kept): string and character
/// literals and plain comments are in neither.
fn mask(text: &str) -> (String, String) {
    let b = text.as_bytes();
    let mut code = vec![b' '; b.len()];
    let mut docs = vec![b' '; b.len()];
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' {
            code[i] = b'\n';
            docs[i] = b'\n';
        }
    }
    let ident = |i: usize| i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&c| c == b'\n').map_or(b.len(), |p| i + p);
            let doc = (rest.starts_with(b"///") && !rest.starts_with(b"////")) || rest.starts_with(b"//!");
            if doc {
                docs[i..end].copy_from_slice(&b[i..end]);
            }
            i = end;
        } else if rest.starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if (c_at(b, i) == b'r' || (c_at(b, i) == b'b' && c_at(b, i + 1) == b'r'))
            && !ident(i)
            && raw_start(b, i).is_some()
        {
            let (hashes, body) = raw_start(b, i).unwrap_or((0, i));
            let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
            i = b[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len(), |p| body + p + close.len());
        } else if c_at(b, i) == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c_at(b, i) == b'\'' {
            // A character literal ('x', '\n', '\u{…}'), else a lifetime or label.
            let len = text[i + 1..].chars().next().map_or(1, char::len_utf8);
            if c_at(b, i + 1) == b'\\' {
                i += 2;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
                i += 1;
            } else if c_at(b, i + 1 + len) == b'\'' {
                i += len + 2;
            } else {
                code[i] = b'\'';
                i += 1;
            }
        } else {
            let len = text[i..].chars().next().map_or(1, char::len_utf8);
            if b[i].is_ascii() {
                code[i] = b[i];
            }
            i += len;
        }
    }
    let string = |v: Vec<u8>| String::from_utf8(v).expect("masking keeps ASCII and whole UTF-8 characters");
    (string(code), string(docs))
}

fn c_at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// At `r"`, `r#"`, `br"`…: the number of `#` and the offset of the body.
fn raw_start(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let mut j = i + if b[i] == b'b' { 2 } else { 1 };
    let mut hashes = 0;
    while c_at(b, j) == b'#' {
        hashes += 1;
        j += 1;
    }
    (c_at(b, j) == b'"').then_some((hashes, j + 1))
}

/// The checker itself: what it finds and what it leaves alone.
mod checker {
    use super::*;

    fn names(text: &str, depth: usize) -> Vec<(String, usize)> {
        references(text, depth)
            .into_iter()
            .map(|r| (r.module, r.line))
            .collect()
    }

    #[test]
    fn finds_paths_groups_and_doc_links() {
        let src = "use crate::iri::Namespace;\n\
                   use crate::{document::Span, rdf::{self, ns}, store};\n\
                   fn f() { let _ = crate::query::run(); }\n\
                   /// See [`crate::fuzz`].\n\
                   pub fn g() {}\n";
        let found = names(src, 1);
        let want = [
            ("iri", 1),
            ("document", 2),
            ("rdf", 2),
            ("store", 2),
            ("query", 3),
            ("fuzz", 4),
        ];
        assert_eq!(found, want.map(|(m, l)| (m.to_string(), l)));
    }

    #[test]
    fn super_counts_only_when_it_leaves_the_module() {
        // In src/extract/conll04.rs (depth 2) `super::` is `extract`; from a
        // top-level file (depth 1) it is the crate root.
        assert!(names("use super::{Extractor, RelationObject};\n", 2).is_empty());
        assert_eq!(names("use super::store::KgStore;\n", 1), [("store".to_string(), 1)]);
        assert_eq!(
            names("use super::super::{a, b};\n", 2),
            [("a".to_string(), 1), ("b".to_string(), 1)]
        );
        // Inside an inline module, one more `super` is needed to leave.
        assert!(names("mod inner {\n    use super::Thing;\n}\n", 1).is_empty());
    }

    #[test]
    fn test_code_comments_and_strings_are_exempt() {
        let src = "// crate::serve in a plain comment\n\
                   const S: &str = \"crate::serve\";\n\
                   const R: &str = r#\"crate::serve \"quoted\"\"#;\n\
                   const C: char = '\"'; fn f<'a>(x: &'a str) {}\n\
                   #[cfg(test)]\n\
                   mod tests {\n    use crate::serve;\n    fn h() { if true { crate::store::x(); } }\n}\n\
                   #[cfg(test)]\n\
                   use crate::bench;\n\
                   use crate::rdf;\n";
        assert_eq!(names(src, 1), [("rdf".to_string(), 12)]);
    }

    #[test]
    fn module_of_files() {
        assert_eq!(module_of(Path::new("lib.rs")), Some(("lib".to_string(), 0)));
        assert_eq!(module_of(Path::new("nlp/mod.rs")), Some(("nlp".to_string(), 1)));
        assert_eq!(module_of(Path::new("nlp/parser/beam.rs")), Some(("nlp".to_string(), 3)));
        assert_eq!(module_of(Path::new("rdf.rs")), Some(("rdf".to_string(), 1)));
    }
}

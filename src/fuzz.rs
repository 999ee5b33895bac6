//! Fuzz targets: what `fuzz/` (cargo-fuzz, libFuzzer, on nightly) and the
//! stable driver in `tests/it/fuzz.rs` (`cargo test`) run on arbitrary bytes.
//!
//! Each target must return for every input: errors are the right answer to
//! bad input, a panic or a hang is a bug. Beyond "no panic", each target
//! checks invariants of what it produced and panics when one breaks, so a
//! fuzzer reports it with the input that broke it.

use std::sync::OnceLock;
use std::time::Duration;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedNode, Quad, Term};

use crate::document::{Document, Span};
use crate::extract::Extractor;
use crate::input::{self, InputFormat, ReadOptions, Source, SourceDocument};
use crate::query::{self, QueryOptions, ResultFormat};
use crate::rdf::{DocumentIdentity, MappingOptions};
use crate::store::{KgStore, PreparedDocument};

/// A small seeded generator (xorshift64*) for mutations and randomised
/// tests: no dependency, the same stream on every platform, so a failure
/// reproduces from its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose stream depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// Text extraction on arbitrary bytes: the text reader (which refuses
/// binary and invalid UTF-8 with an error), then analysis, extraction, RDF
/// and JSON on the text, or on its lossy decoding when the reader refused it.
///
/// Checks: token, sentence, mention and evidence spans lie inside the text on
/// character boundaries; every IRI is valid; the quads survive an N-Quads
/// round trip; the JSON output serialises.
pub fn extract_text(data: &[u8]) {
    let mut read = None;
    input::read_from(data, &Source::Stdin, &text_options(), &mut |r| {
        read = Some(r);
        input::Flow::Continue(())
    });
    let source = match read {
        Some(Ok(doc)) => doc,
        // Refused (binary, not UTF-8, empty): still exercise the extractor.
        Some(Err(_)) | None => SourceDocument {
            id: None,
            name: "<fuzz>".into(),
            title: None,
            date: None,
            url: None,
            text: String::from_utf8_lossy(data).into_owned(),
        },
    };
    let options = MappingOptions::default();
    let p = crate::pipeline::process(source, &Extractor::default(), &options);
    check_document(&p.document);
    let text = &p.document.text;
    for m in &p.extraction.mentions {
        check_span(text, m.span, "mention");
        check_span(text, m.full_span, "mention with title");
    }
    for r in &p.extraction.relations {
        check_span(text, r.evidence, "relation evidence");
        if let Some((a, b)) = r.arguments {
            check_span(text, a, "relation argument");
            check_span(text, b, "relation argument");
        }
    }
    let quads = p.quads(&options);
    check_quads(&quads);
    if let Err(e) = serde_json::to_string(&p.json(&options)) {
        panic!("JSON output does not serialise: {e}");
    }
}

/// The JSON Lines reader on arbitrary bytes.
///
/// Checks: every document has non-blank text and a valid date; every error
/// names a line of the input; the reader reports no more items than the
/// input has lines.
pub fn read_jsonl(data: &[u8]) {
    let options = ReadOptions {
        format: InputFormat::Jsonl,
        date: None,
    };
    let lines = data.split(|&b| b == b'\n').count();
    let mut items = 0;
    input::read_from(data, &Source::Stdin, &options, &mut |r| {
        items += 1;
        match r {
            Ok(doc) => {
                assert!(!doc.text.trim().is_empty(), "a blank document was accepted");
                if let Some(d) = &doc.date {
                    assert!(input::validate_date(d).is_ok(), "an invalid date {d:?} was accepted");
                }
            }
            Err(e) => {
                let line = e.location.rsplit(':').next().and_then(|n| n.parse::<usize>().ok());
                assert!(
                    line.is_some_and(|n| (1..=lines).contains(&n)),
                    "error location {:?} names no line of the input",
                    e.location
                );
            }
        }
        input::Flow::Continue(())
    });
    assert!(items <= lines, "{items} items from {lines} lines");
}

/// SPARQL on arbitrary bytes: the text as a query over a small store (with a
/// time and result budget, in a result format the first byte picks), and as
/// an update on a fresh copy of that store. Errors are expected; neither may
/// panic or run past its budget.
pub fn sparql(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let formats = [
        ResultFormat::Table,
        ResultFormat::Csv,
        ResultFormat::Tsv,
        ResultFormat::Json,
        ResultFormat::Xml,
        ResultFormat::Turtle,
        ResultFormat::Ntriples,
        ResultFormat::Nquads,
    ];
    let format = formats[usize::from(first) % formats.len()];
    let options = QueryOptions {
        union_default_graph: first & 0x80 == 0,
        timeout: Some(Duration::from_secs(2)),
        max_results: Some(1000),
        max_memory_mb: None,
        on_stuck: None,
    };
    if let Some(store) = sample_store() {
        let mut out = Vec::new();
        // Errors (syntax, budget, format) are answers, not failures.
        let _ = query::run_query(store, &text, options, format, &mut out);
    }
    if let Ok(store) = KgStore::in_memory()
        && store
            .inner()
            .bulk_loader()
            .load_quads(sample_quads().iter().cloned())
            .is_ok()
    {
        let _ = query::run_update(&store, &text);
    }
}

fn text_options() -> ReadOptions {
    ReadOptions {
        format: InputFormat::Text,
        date: None,
    }
}

/// The quads of one small news document, made once.
fn sample_quads() -> &'static [Quad] {
    static QUADS: OnceLock<Vec<Quad>> = OnceLock::new();
    QUADS.get_or_init(|| {
        let source = SourceDocument {
            id: Some("https://example.org/fuzz".into()),
            name: "fuzz".into(),
            title: Some("Talks".into()),
            date: Some("2025-03-04".into()),
            url: None,
            text: "Mayor Anna Keller met Prime Minister Boris Novak in Paris on Monday. \
                   Keller said, \"We want a fair agreement.\" Novak thanked NATO."
                .into(),
        };
        let options = MappingOptions::default();
        crate::pipeline::process(source, &Extractor::default(), &options).quads(&options)
    })
}

/// An in-memory store holding [`sample_quads`], shared by all query runs
/// (queries do not change it).
fn sample_store() -> Option<&'static KgStore> {
    static STORE: OnceLock<Option<KgStore>> = OnceLock::new();
    STORE
        .get_or_init(|| {
            let store = KgStore::in_memory().ok()?;
            let source = SourceDocument {
                id: Some("https://example.org/fuzz".into()),
                name: "fuzz".into(),
                title: None,
                date: None,
                url: None,
                text: String::new(),
            };
            let identity = DocumentIdentity::of(&source, &MappingOptions::default().namespace);
            store
                .write(vec![PreparedDocument {
                    identity,
                    quads: sample_quads().to_vec(),
                }])
                .ok()?;
            Some(store)
        })
        .as_ref()
}

fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end),
        "{what} span {}..{} is not a slice of the {}-byte text",
        span.start,
        span.end,
        text.len()
    );
}

fn check_document(doc: &Document) {
    let mut end = 0;
    for &t in &doc.tokens {
        check_span(&doc.text, t, "token");
        assert!(
            t.start >= end && t.end > t.start,
            "tokens overlap or are empty at {}",
            t.start
        );
        end = t.end;
    }
    let mut next = 0;
    for s in &doc.sentences {
        check_span(&doc.text, s.span, "sentence");
        assert_eq!(s.tokens.start, next, "sentences do not partition the tokens");
        next = s.tokens.end;
    }
    assert!(
        doc.sentences.is_empty() && doc.tokens.is_empty() || next == doc.tokens.len(),
        "sentences do not cover the tokens"
    );
    for (what, n) in [
        ("tags", doc.tags.len()),
        ("lemmas", doc.lemmas.len()),
        ("deps", doc.deps.len()),
    ] {
        assert!(
            n == 0 || n == doc.tokens.len(),
            "{n} {what} for {} tokens",
            doc.tokens.len()
        );
    }
}

fn check_quads(quads: &[Quad]) {
    let iri = |n: &NamedNode| {
        assert!(NamedNode::new(n.as_str()).is_ok(), "invalid IRI <{}>", n.as_str());
    };
    for q in quads {
        if let oxigraph::model::NamedOrBlankNode::NamedNode(n) = &q.subject {
            iri(n);
        }
        iri(&q.predicate);
        if let Term::NamedNode(n) = &q.object {
            iri(n);
        }
        if let oxigraph::model::GraphName::NamedNode(n) = &q.graph_name {
            iri(n);
        }
    }
    let mut nquads = Vec::new();
    let mut writer = query::serializer(RdfFormat::NQuads).for_writer(&mut nquads);
    for q in quads {
        if let Err(e) = writer.serialize_quad(q) {
            panic!("quad does not serialise: {e}");
        }
    }
    if let Err(e) = writer.finish() {
        panic!("N-Quads do not serialise: {e}");
    }
    let parsed: Result<Vec<Quad>, _> = RdfParser::from_format(RdfFormat::NQuads).for_slice(&nquads).collect();
    match parsed {
        Ok(back) => assert_eq!(back.len(), quads.len(), "N-Quads round trip lost quads"),
        Err(e) => panic!("our N-Quads do not parse: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_accept_their_seed_inputs() {
        extract_text(b"Mayor Anna Keller met Boris Novak in Paris on Monday.");
        extract_text(b"\xff\xfe\x00A\x00n\x00n\x00a");
        extract_text(b"");
        read_jsonl(b"{\"text\": \"Anna met Boris.\", \"date\": \"2024-02-29\"}\n{\"text\": 1}\n\xef\xbb\xbf");
        sparql(b"\x01SELECT ?s WHERE { ?s ?p ?o } LIMIT 3");
        sparql(b"\x02DELETE WHERE { GRAPH ?g { ?s ?p ?o } }");
        sparql(b"");
    }

    #[test]
    #[should_panic(expected = "not a slice")]
    fn span_check_catches_a_split_character() {
        check_span("Zoë", Span { start: 0, end: 3 }, "test");
    }
}

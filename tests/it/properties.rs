//! Property tests: the pipeline never panics and its spans always slice the text.

use proptest::prelude::*;
use textkg::document::CharOffsets;
use textkg::extract::{Extractor, RelationObject};
use textkg::input::SourceDocument;
use textkg::pipeline;
use textkg::rdf::MappingOptions;

fn newsy() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "President",
        "Putin",
        "Donald",
        "Trump",
        "said",
        "“",
        "”",
        "\"",
        "‘",
        "’s",
        ",",
        ".",
        "…",
        "and",
        "met",
        "Moscow",
        "in",
        "the",
        "U.S.",
        "he",
        "NATO",
        "—",
        "-",
        "\n",
        "\n\n",
        "@x",
        "pic.twitter.com/a",
        "é",
        "😀",
        "(",
        ")",
        "thanked",
        "Summit",
        "between",
        ":",
        "Fox",
        "News",
        "Mr.",
        "said,",
        "?",
        "!",
        "'",
        "talks",
        "with",
    ]);
    prop::collection::vec(words, 0..60).prop_map(|w| w.join(" "))
}

fn check(text: String) {
    let source = SourceDocument {
        id: Some("p".into()),
        name: "p".into(),
        title: None,
        date: None,
        url: None,
        text: text.clone(),
    };
    let options = MappingOptions::default();
    let p = pipeline::process(source, &Extractor::default(), &options);
    let doc = &p.document;
    for t in &doc.tokens {
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end) && t.start < t.end);
    }
    let x = &p.extraction;
    for m in &x.mentions {
        assert!(m.entity < x.entities.len());
        assert!(!m.span.slice(&text).is_empty());
    }
    for r in &x.relations {
        assert!(r.subject < x.entities.len());
        if let RelationObject::Entity(e) = r.object {
            assert!(e < x.entities.len());
        }
        assert!(doc.text.get(r.evidence.range()).is_some());
        assert!((0.0..=1.0).contains(&r.confidence));
    }
    for r in &x.relations {
        if let Some((a, b)) = r.arguments {
            assert!(doc.text.get(a.range()).is_some() && doc.text.get(b.range()).is_some());
        }
    }
    // Open IE over a fully parsed copy: every tuple's tokens lie in its sentence,
    // and every CaRB line has sentence, confidence, relation and arg1. (Skipped
    // for the huge input: a full beam parse of it only makes the test slow.)
    if text.len() > 100_000 {
        return check_views(&p, &options, &text);
    }
    let full = textkg::nlp::analyze(text.clone());
    for t in textkg::openie::extract_document(&full, &textkg::openie::Options::default()) {
        let range = full.sentences[t.sentence].tokens.clone();
        let all = t
            .relation
            .iter()
            .chain(&t.subject.tokens)
            .chain(t.args.iter().flat_map(|a| &a.tokens));
        for k in all {
            assert!(range.contains(k), "token {k} outside sentence {range:?}");
        }
        assert!((0.0..=1.0).contains(&t.confidence));
        let line = textkg::openie::carb::format_line(&text, &full, &t);
        assert!(line.split('\t').count() >= 4 && !line.contains('\n'));
    }
    check_views(&p, &options, &text);
}

/// The JSON and RDF views build without panicking, with code-point offsets in range.
fn check_views(p: &pipeline::Processed, options: &MappingOptions, text: &str) {
    let json = serde_json::to_value(p.json(options)).unwrap();
    let n = CharOffsets::new(text).char_offset(text.len()) as u64;
    assert_eq!(json["document"]["chars"].as_u64(), Some(n));
    let _ = p.quads(options);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_newsy_text(text in newsy()) {
        check(text);
    }

    #[test]
    fn never_panics_on_any_string(text in any::<String>()) {
        check(text);
    }
}

#[test]
fn huge_single_line_is_bounded() {
    let text = "word ".repeat(200_000);
    check(text);
}

/// Reads `bytes` as a `.jsonl` file and as a text file; every outcome is a
/// document or an error naming the file, and documents go through the pipeline.
fn check_reader(bytes: &[u8], jsonl_lines: bool) {
    use textkg::input::{Flow, ReadOptions, Source, read_source};
    let dir = tempfile::tempdir().unwrap();
    for name in ["in.jsonl", "in.txt"] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let mut documents = Vec::new();
        read_source(&Source::File(path.clone()), &ReadOptions::default(), &mut |r| {
            match r {
                Ok(d) => documents.push(d),
                Err(e) => assert!(e.to_string().starts_with(&path.display().to_string()), "{e}"),
            }
            Flow::Continue(())
        });
        if jsonl_lines || name == "in.txt" {
            for d in documents {
                check(d.text);
            }
        }
    }
}

fn jsonl_like() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        "{\"text\": \"Anna Keller met Boris Novak.\"}",
        "{\"id\": \"a\", \"text\": \"x\"}",
        "{\"text\": \"\", \"date\": \"2024-02-30\"}",
        "{\"text\": 7}",
        "{\"id\": [], \"text\": \"y\"}",
        "\u{feff}",
        "\n",
        "\r\n",
        "{",
        "}",
        "\"",
        "\\u00",
        "\u{0}",
        "é",
    ]);
    (
        prop::collection::vec(pieces, 0..20),
        prop::collection::vec(any::<u8>(), 0..8),
    )
        .prop_map(|(p, noise)| {
            let mut bytes = p.concat().into_bytes();
            bytes.extend(noise);
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn input_reader_never_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_reader(&bytes, false);
    }

    #[test]
    fn input_reader_never_panics_on_jsonl_like_bytes(bytes in jsonl_like()) {
        check_reader(&bytes, true);
    }
}

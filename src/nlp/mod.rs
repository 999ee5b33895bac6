//! Linguistic analysis: segmentation into sentences and tokens, POS tagging and
//! lemmatization with trained models (averaged perceptron), CoNLL-U I/O and
//! evaluation against UD gold data.
//!
//! This stage knows nothing about entities or RDF. It never fails: any string
//! segments into a (possibly empty) [`Segmentation`](crate::document::Segmentation).

pub mod annotate;
pub mod binio;
pub mod conllu;
pub mod eval;
pub mod lemma;
pub mod models;
pub mod parser;
pub mod perceptron;
pub mod tagger;
pub mod tokenize;

use crate::document::Document;

/// Segments `text` into a [`Document`], tags and parses it with the embedded
/// models. Never fails: should the embedded models not decode (a broken
/// build), the document is returned untagged or unparsed and the extractor
/// falls back to its rules.
pub fn analyze(text: String) -> Document {
    let mut doc = segment(text);
    if let Ok(analyzer) = annotate::Analyzer::embedded() {
        analyzer.tag_document(&mut doc);
        // A parser that fails to decode leaves the document unparsed.
        let _ = analyzer.parse_document(&mut doc);
    }
    doc
}

/// How the extraction pipeline parses: with the greedy model, and only
/// sentences that can relate two mentions (see [`annotate::ParseOptions`]).
/// Chosen for speed: the numbers behind it are in `models/README.md`.
pub const EXTRACTION_PARSE: annotate::ParseOptions = annotate::ParseOptions {
    model: annotate::ParserModel::Greedy,
    beam: Some(1),
    relational_only: true,
};

/// Segments, tags and parses `text` with explicit parse options (see
/// [`analyze`] for the failure behaviour).
pub fn analyze_with(text: String, options: &annotate::ParseOptions) -> Document {
    let mut doc = segment(text);
    if let Ok(analyzer) = annotate::Analyzer::embedded() {
        analyzer.tag_document(&mut doc);
        // A parser that fails to decode leaves the document unparsed.
        let _ = analyzer.parse_document_with(&mut doc, options);
    }
    doc
}

/// Segments `text` into a [`Document`] without tagging.
pub fn segment(text: String) -> Document {
    let segmentation = tokenize::segment(&text);
    Document::new(text, segmentation)
}

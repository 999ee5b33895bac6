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
pub mod perceptron;
pub mod tagger;
pub mod tokenize;

use crate::document::Document;

/// Segments `text` into a [`Document`].
pub fn analyze(text: String) -> Document {
    let segmentation = tokenize::segment(&text);
    Document::new(text, segmentation)
}

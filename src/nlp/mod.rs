//! Linguistic analysis: segmentation into sentences and tokens, CoNLL-U I/O.
//!
//! This stage knows nothing about entities or RDF. It never fails: any string
//! segments into a (possibly empty) [`Segmentation`](crate::document::Segmentation).

pub mod conllu;
pub mod tokenize;

use crate::document::Document;

/// Segments `text` into a [`Document`].
pub fn analyze(text: String) -> Document {
    let segmentation = tokenize::segment(&text);
    Document::new(text, segmentation)
}

//! The pipeline: source document → analysis → extraction → RDF / JSON, in
//! parallel over documents.
//!
//! Documents are processed in batches: a batch is analysed in parallel (rayon)
//! and handed to the consumer in input order, so memory is bounded by the
//! batch size and output is deterministic.

use rayon::prelude::*;

use crate::document::Document;
use crate::extract::{Extraction, Extractor};
use crate::input::SourceDocument;
use crate::rdf::{self, DocumentIdentity, MappingOptions};

/// Documents analysed in parallel at a time.
pub const BATCH_SIZE: usize = 64;

/// One processed document.
#[derive(Debug, Clone)]
pub struct Processed {
    /// The input.
    pub source: SourceDocument,
    /// Its identity.
    pub identity: DocumentIdentity,
    /// The analysed text.
    pub document: Document,
    /// What was extracted.
    pub extraction: Extraction,
}

impl Processed {
    /// The document's quads.
    pub fn quads(&self, options: &MappingOptions) -> Vec<oxigraph::model::Quad> {
        rdf::document_quads(&self.source, &self.identity, &self.document, &self.extraction, options)
    }

    /// The document's JSON output (one line of `extract --format json`).
    pub fn json(&self, options: &MappingOptions) -> crate::json::DocumentOutput<'_> {
        crate::json::document_output(&self.source, &self.identity, &self.document, &self.extraction, options)
    }
}

/// Analyses and extracts one document.
pub fn process(source: SourceDocument, extractor: &Extractor, options: &MappingOptions) -> Processed {
    let document = crate::nlp::analyze_with(source.text.clone(), &crate::nlp::EXTRACTION_PARSE);
    extract(source, document, extractor, options)
}

/// The last stage for one analysed document: identity and extraction.
fn extract(source: SourceDocument, document: Document, extractor: &Extractor, options: &MappingOptions) -> Processed {
    let identity = DocumentIdentity::of(&source, &options.namespace);
    let extraction = extractor.extract(&document, source.date.as_deref());
    Processed {
        source,
        identity,
        document,
        extraction,
    }
}

/// Processes a batch in parallel, keeping input order.
///
/// The batch goes through the pipeline stage by stage (segment and tag every
/// document, then parse every document, then extract), not document by
/// document: the tagger's and the parser's weight tables then stay in cache
/// for the length of a stage instead of evicting each other for every
/// document. The result is the same as [`process`] on each document.
pub fn process_batch(batch: Vec<SourceDocument>, extractor: &Extractor, options: &MappingOptions) -> Vec<Processed> {
    // Models that fail to decode leave documents untagged or unparsed, as in `process`.
    let analyzer = crate::nlp::annotate::Analyzer::embedded().ok();
    let mut documents: Vec<Document> = batch
        .par_iter()
        .map(|s| {
            let mut d = crate::nlp::segment(s.text.clone());
            if let Some(a) = analyzer {
                a.tag_document(&mut d);
            }
            d
        })
        .collect();
    if let Some(a) = analyzer {
        documents.par_iter_mut().for_each(|d| {
            let _ = a.parse_document_with(d, &crate::nlp::EXTRACTION_PARSE);
        });
    }
    batch
        .into_par_iter()
        .zip(documents)
        .map(|(source, document)| extract(source, document, extractor, options))
        .collect()
}

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

/// A batch (the documents analysed in parallel at a time) closes at this many
/// documents...
pub const BATCH_DOCUMENTS: usize = 256;
/// ... or once it holds this much text and at least [`BATCH_MIN_DOCUMENTS`],
/// which bounds the memory a batch of long documents takes.
pub const BATCH_BYTES: usize = 512 * 1024;
/// The fewest documents a batch closes with (unless the input ends): enough
/// to keep every core busy.
pub const BATCH_MIN_DOCUMENTS: usize = 8;

/// Whether a batch of `documents` documents holding `bytes` bytes of text is
/// full. Batches of many tiny documents (news briefs, social media posts)
/// are large, because every batch ends with cores waiting at each stage's
/// end for the last document: on the bundled examples 256 documents per
/// batch instead of 64 made the pipeline about 13 % faster.
pub fn batch_full(documents: usize, bytes: usize) -> bool {
    documents >= BATCH_DOCUMENTS || (bytes >= BATCH_BYTES && documents >= BATCH_MIN_DOCUMENTS)
}

/// Splits `documents` into batches as [`batch_full`] closes them.
pub fn batches(documents: &[SourceDocument]) -> impl Iterator<Item = &[SourceDocument]> {
    let mut rest = documents;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut bytes = 0;
        let mut n = 0;
        while n < rest.len() && !batch_full(n, bytes) {
            bytes += rest[n].text.len();
            n += 1;
        }
        let (batch, tail) = rest.split_at(n);
        rest = tail;
        Some(batch)
    })
}

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
    let document = crate::ner::stage::analyze_for_extraction(source.text.clone());
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

/// Overlaps the analysis of one batch with the consumer's work on the
/// previous one.
///
/// [`process_batch`] runs on a scoped thread (which fans out to the rayon
/// pool) while the caller maps and writes the batch before it on its own
/// thread; otherwise the pool idles while the caller works (6 % of the
/// throughput on short documents, measured with `bench`). At most one batch
/// is in flight, so memory stays bounded; batches come back in submission
/// order.
pub struct Overlapped<'scope, 'env> {
    scope: &'scope std::thread::Scope<'scope, 'env>,
    extractor: &'env Extractor,
    options: &'env MappingOptions,
    running: Option<std::thread::ScopedJoinHandle<'scope, Vec<Processed>>>,
}

impl<'scope, 'env> Overlapped<'scope, 'env> {
    /// Starts with nothing in flight.
    pub fn new(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        extractor: &'env Extractor,
        options: &'env MappingOptions,
    ) -> Self {
        Self {
            scope,
            extractor,
            options,
            running: None,
        }
    }

    /// Starts processing `batch` and returns the previous batch's result
    /// (waiting for it), if there was one.
    pub fn submit(&mut self, batch: Vec<SourceDocument>) -> Option<Vec<Processed>> {
        let previous = self.wait();
        let (extractor, options) = (self.extractor, self.options);
        self.running = Some(self.scope.spawn(move || process_batch(batch, extractor, options)));
        previous
    }

    /// The result of the batch in flight, if any (waiting for it).
    pub fn wait(&mut self) -> Option<Vec<Processed>> {
        // A panic in the analysis is a bug: re-raise it on the caller's thread.
        self.running
            .take()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    }
}

/// Decodes every embedded model the pipeline uses (tagger, lemmatizer,
/// parser, NER, pronoun ranker), so that a command can refuse to start with
/// the failing model's name instead of producing a degraded graph: the
/// per-document stages leave a document unannotated when a model does not
/// decode, and only this check reports it.
pub fn check_models() -> Result<(), crate::nlp::models::ModelError> {
    crate::nlp::models::tagger()?;
    crate::nlp::models::lemmatizer()?;
    crate::nlp::models::greedy_parser()?;
    crate::ner::stage::embedded()?;
    crate::extract::antecedents::AntecedentModel::embedded()?;
    Ok(())
}

/// Processes a batch in parallel, keeping input order.
///
/// The batch goes through the pipeline stage by stage (segment and tag every
/// document, then parse every document, then recognise names, then extract), not document by
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
    if let Ok(model) = crate::ner::stage::embedded() {
        documents
            .par_iter_mut()
            .for_each(|d| crate::ner::stage::recognize_with(model, d));
    }
    batch
        .into_par_iter()
        .zip(documents)
        .map(|(source, document)| extract(source, document, extractor, options))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_model_decodes() {
        check_models().expect("the shipped models decode");
    }

    fn doc(i: usize) -> SourceDocument {
        SourceDocument {
            id: Some(format!("https://example.org/d/{i}")),
            name: format!("d{i}"),
            title: None,
            date: None,
            url: None,
            text: format!("Mayor Ann Lee visited Bergen on day {i}."),
        }
    }

    #[test]
    fn batches_close_at_the_document_count_or_the_text_budget() {
        let docs: Vec<SourceDocument> = (0..600).map(doc).collect();
        let sizes: Vec<usize> = batches(&docs).map(<[_]>::len).collect();
        assert_eq!(sizes, vec![BATCH_DOCUMENTS, BATCH_DOCUMENTS, 600 - 2 * BATCH_DOCUMENTS]);
        let long: Vec<SourceDocument> = (0..20)
            .map(|i| SourceDocument {
                text: "word ".repeat(BATCH_BYTES / 4),
                ..doc(i)
            })
            .collect();
        let sizes: Vec<usize> = batches(&long).map(<[_]>::len).collect();
        assert_eq!(sizes, vec![BATCH_MIN_DOCUMENTS, BATCH_MIN_DOCUMENTS, 4]);
        assert!(batches(&[]).next().is_none());
        assert!(!batch_full(BATCH_MIN_DOCUMENTS - 1, usize::MAX));
    }

    #[test]
    fn overlapped_batches_come_back_in_order_and_match_process_batch() {
        let (extractor, options) = (Extractor::default(), MappingOptions::default());
        let batches: Vec<Vec<SourceDocument>> = (0..3).map(|b| (0..4).map(|i| doc(b * 4 + i)).collect()).collect();
        let mut names = Vec::new();
        let mut quads = Vec::new();
        std::thread::scope(|scope| {
            let mut overlapped = Overlapped::new(scope, &extractor, &options);
            assert!(overlapped.wait().is_none());
            for b in &batches {
                for p in overlapped.submit(b.clone()).into_iter().flatten() {
                    names.push(p.source.name.clone());
                    quads.push(p.quads(&options));
                }
            }
            for p in overlapped.wait().into_iter().flatten() {
                names.push(p.source.name.clone());
                quads.push(p.quads(&options));
            }
            assert!(overlapped.wait().is_none());
        });
        let expected: Vec<String> = (0..12).map(|i| format!("d{i}")).collect();
        assert_eq!(names, expected);
        let direct: Vec<_> = batches
            .into_iter()
            .flat_map(|b| process_batch(b, &extractor, &options))
            .map(|p| p.quads(&options))
            .collect();
        assert_eq!(quads.len(), direct.len());
        for (a, b) in quads.iter().zip(&direct) {
            // Equal up to the generation timestamp.
            let strip = |q: &Vec<oxigraph::model::Quad>| {
                q.iter()
                    .filter(|q| !q.predicate.as_str().ends_with("generatedAtTime"))
                    .cloned()
                    .collect::<Vec<_>>()
            };
            assert_eq!(strip(a), strip(b));
        }
    }
}

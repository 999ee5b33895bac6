//! Throughput benchmark of the pipeline stages (`textkg bench`).
//!
//! Speed targets are checked here, never by timed assertions in tests. The
//! corpus is the given documents repeated until it holds at least the
//! requested number of tokens; each stage runs on one thread over the whole
//! corpus, then the full pipeline runs on all cores (as the CLI runs it: the
//! rayon workers analyse one batch while the calling thread maps the previous
//! one to RDF, so `RAYON_NUM_THREADS=1` still uses two threads there), and
//! the quads are bulk-loaded into an in-memory store. With `repeat`, every stage reports
//! the fastest of that many passes, which makes figures taken on a shared
//! machine comparable.

use std::time::{Duration, Instant};

use crate::extract::Extractor;
use crate::input::SourceDocument;
use crate::rdf::{DocumentIdentity, MappingOptions};
use crate::store::{KgStore, PreparedDocument, StoreError};

/// One measured stage.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StageFigure {
    /// Stage name.
    pub stage: &'static str,
    /// Threads used.
    pub threads: usize,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Tokens per second.
    pub tokens_per_second: f64,
    /// Extra figure (quads per second for RDF and store stages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quads_per_second: Option<f64>,
}

/// Benchmark results.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchReport {
    /// Documents in the corpus (after repetition).
    pub documents: usize,
    /// Tokens in the corpus.
    pub tokens: usize,
    /// Characters in the corpus.
    pub chars: usize,
    /// Per-stage figures.
    pub stages: Vec<StageFigure>,
}

fn figure(stage: &'static str, threads: usize, elapsed: Duration, tokens: usize, quads: Option<usize>) -> StageFigure {
    let s = elapsed.as_secs_f64().max(1e-9);
    StageFigure {
        stage,
        threads,
        seconds: s,
        tokens_per_second: tokens as f64 / s,
        quads_per_second: quads.map(|q| q as f64 / s),
    }
}

/// Runs the benchmark over `documents` repeated to at least `min_tokens`
/// tokens, `repeat` times; each stage reports its fastest run.
pub fn run(documents: &[SourceDocument], min_tokens: usize, repeat: usize) -> Result<BenchReport, StoreError> {
    let per_pass: usize = documents
        .iter()
        .map(|d| crate::nlp::tokenize::tokenize(&d.text).len())
        .sum();
    let repeats = if per_pass == 0 {
        1
    } else {
        min_tokens.div_ceil(per_pass).max(1)
    };
    let corpus: Vec<SourceDocument> = (0..repeats)
        .flat_map(|r| {
            documents.iter().map(move |d| SourceDocument {
                id: Some(format!("{}#{r}", d.name)),
                ..d.clone()
            })
        })
        .collect();
    let chars: usize = corpus.iter().map(|d| d.text.chars().count()).sum();
    let mut p = measure(&corpus)?;
    for _ in 1..repeat {
        p = p.fastest(measure(&corpus)?);
    }
    let tokens = p.tokens;
    let threads = rayon::current_num_threads();
    Ok(BenchReport {
        documents: corpus.len(),
        tokens,
        chars,
        stages: vec![
            figure("tokenize+sentences", 1, p.times[0], tokens, None),
            figure("pos tag + lemmatize", 1, p.times[1], tokens, None),
            figure("dependency parse (as extraction parses)", 1, p.times[2], tokens, None),
            figure("named-entity recognition", 1, p.times[3], tokens, None),
            figure("open IE clauses (alone)", 1, p.times[4], tokens, None),
            figure("extract (mentions, entities, relations)", 1, p.times[5], tokens, None),
            figure("rdf mapping", 1, p.times[6], tokens, Some(p.quads)),
            figure("store bulk load (in-memory)", 1, p.times[7], tokens, Some(p.quads)),
            figure("pipeline text→quads", threads, p.times[8], tokens, None),
        ],
    })
}

/// One timed pass over the corpus: the wall time of each stage.
struct Pass {
    tokens: usize,
    quads: usize,
    times: [Duration; 9],
}

impl Pass {
    /// Stage by stage, the faster of two passes.
    fn fastest(mut self, other: Pass) -> Pass {
        for (a, b) in self.times.iter_mut().zip(other.times) {
            *a = (*a).min(b);
        }
        self
    }
}

fn measure(corpus: &[SourceDocument]) -> Result<Pass, StoreError> {
    let options = MappingOptions::default();
    let extractor = Extractor::default();
    let t = Instant::now();
    let mut docs: Vec<_> = corpus.iter().map(|d| crate::nlp::segment(d.text.clone())).collect();
    let tokenize = t.elapsed();
    let tokens: usize = docs.iter().map(|d| d.tokens.len()).sum();

    let analyzer = crate::nlp::annotate::Analyzer::embedded().ok();
    let t = Instant::now();
    if let Some(a) = analyzer {
        for d in &mut docs {
            a.tag_document(d);
        }
    }
    let tag = t.elapsed();

    let t = Instant::now();
    if let Some(a) = analyzer {
        for d in &mut docs {
            // A parser that fails to decode leaves documents unparsed, as in the pipeline.
            let _ = a.parse_document_with(d, &crate::nlp::EXTRACTION_PARSE);
        }
    }
    let parse = t.elapsed();

    let t = Instant::now();
    if let Ok(model) = crate::ner::stage::embedded() {
        for d in &mut docs {
            crate::ner::stage::recognize_with(model, d);
        }
    }
    let ner = t.elapsed();

    let open_ie_options = crate::openie::Options::default();
    let t = Instant::now();
    let mut tuples = 0;
    for d in &docs {
        tuples += crate::openie::extract_document(d, &open_ie_options).len();
    }
    std::hint::black_box(tuples);
    let open_ie = t.elapsed();

    let t = Instant::now();
    let extractions: Vec<_> = docs
        .iter()
        .zip(corpus)
        .map(|(d, s)| extractor.extract(d, s.date.as_deref()))
        .collect();
    let extract = t.elapsed();

    let t = Instant::now();
    let mut quads = 0;
    let mut prepared = Vec::with_capacity(corpus.len());
    for ((source, doc), x) in corpus.iter().zip(&docs).zip(&extractions) {
        let identity = DocumentIdentity::of(source, &options.namespace);
        let q = crate::rdf::document_quads(source, &identity, doc, x, &options);
        quads += q.len();
        prepared.push(PreparedDocument { identity, quads: q });
    }
    let rdf = t.elapsed();

    let t = Instant::now();
    let store = KgStore::in_memory()?;
    store.write(prepared)?;
    let load = t.elapsed();

    let t = Instant::now();
    // As the CLI runs it: each batch is analysed while the previous one is mapped.
    std::thread::scope(|scope| {
        let mut overlapped = crate::pipeline::Overlapped::new(scope, &extractor, &options);
        let map = |processed: Vec<crate::pipeline::Processed>| {
            for p in processed {
                std::hint::black_box(p.quads(&options));
            }
        };
        for batch in crate::pipeline::batches(corpus) {
            if let Some(done) = overlapped.submit(batch.to_vec()) {
                map(done);
            }
        }
        if let Some(done) = overlapped.wait() {
            map(done);
        }
    });
    let parallel = t.elapsed();

    Ok(Pass {
        tokens,
        quads,
        times: [tokenize, tag, parse, ner, open_ie, extract, rdf, load, parallel],
    })
}

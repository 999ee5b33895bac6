//! SPARQL query and update over the store, with W3C result formats.
//!
//! Queries see the union of all document graphs as their default graph (so
//! `SELECT * WHERE { ?s ?p ?o }` works without `GRAPH`), unless
//! [`QueryOptions::union_default_graph`] is off. Results are written with
//! Oxigraph's own serializers (SPARQL 1.1 JSON/XML/CSV/TSV results, RDF
//! formats for CONSTRUCT/DESCRIBE); `table` is a plain-text view for people.

pub mod named;

use std::io::Write;
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Term};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryResults, QuerySolutionIter, QueryTripleIter, SparqlEvaluator};

use crate::rdf::ns;
use crate::store::KgStore;

/// Output format of query results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResultFormat {
    /// Aligned text table (SELECT/ASK); Turtle for CONSTRUCT/DESCRIBE.
    Table,
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL 1.1 Query Results CSV.
    Csv,
    /// SPARQL 1.1 Query Results TSV.
    Tsv,
    /// SPARQL Query Results XML.
    Xml,
    /// Turtle (CONSTRUCT/DESCRIBE).
    Turtle,
    /// N-Triples (CONSTRUCT/DESCRIBE).
    Ntriples,
    /// N-Quads (CONSTRUCT/DESCRIBE; triples in the default graph).
    Nquads,
}

/// Errors of query and update.
///
/// Messages never repeat their source: the CLI prints the whole chain.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query text does not parse.
    #[error("SPARQL syntax error")]
    Syntax(#[from] oxigraph::sparql::SparqlSyntaxError),
    /// Evaluation failed.
    #[error("query evaluation failed")]
    Evaluation(#[from] oxigraph::sparql::QueryEvaluationError),
    /// Update failed.
    #[error("update failed")]
    Update(#[from] oxigraph::sparql::UpdateEvaluationError),
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Writing results failed (e.g. a closed pipe).
    #[error("cannot write results")]
    Io(#[from] std::io::Error),
    /// The format does not fit the query form.
    #[error("format {format:?} does not apply to {form} results; use {hint}")]
    Format {
        /// Requested format.
        format: ResultFormat,
        /// Query form.
        form: &'static str,
        /// Valid formats.
        hint: &'static str,
    },
    /// The query ran longer than [`QueryOptions::timeout`].
    #[error(
        "the query was stopped after {0:?} (--timeout); narrow it (LIMIT, more specific patterns) or raise --timeout"
    )]
    Timeout(Duration),
    /// The process grew beyond [`QueryOptions::max_memory_mb`] while the query ran.
    #[error(
        "the query was stopped when textkg used more than {0} MB of memory (--max-memory); \
         avoid cartesian products and ORDER BY over huge results, or raise --max-memory"
    )]
    Memory(u64),
    /// The query engine panicked (see [`run_query`]).
    #[error(
        "the query engine failed ({0}); ORDER BY over values of different kinds (IRIs, numbers, \
         strings) can cause this: order by STR(?x), or filter the values first"
    )]
    Engine(String),
    /// More results than [`QueryOptions::max_results`]; those up to the cap were written.
    #[error(
        "the query has more than {0} results; the output stops there (--max-results); add LIMIT or raise --max-results"
    )]
    TooManyResults(u64),
    /// The caller of [`run_query_as`] has no serialization for this query form.
    #[error("no acceptable result format for a {0:?} query")]
    NotAcceptable(QueryForm),
}

/// Query settings.
#[derive(Debug, Clone, Copy)]
pub struct QueryOptions {
    /// Use the union of all graphs as the default graph.
    pub union_default_graph: bool,
    /// Stop evaluation after this long.
    pub timeout: Option<Duration>,
    /// Stop after writing this many solutions or triples.
    pub max_results: Option<u64>,
    /// Stop evaluation when the process's resident memory passes this many MB (Linux only).
    pub max_memory_mb: Option<u64>,
    /// Called (on the watchdog thread) when a query over its time or memory
    /// budget has not returned 2 s after it was cancelled: Oxigraph cannot
    /// interrupt every step (an ORDER BY sort). A command-line program reports
    /// the error and exits; a server might abandon the thread.
    pub on_stuck: Option<fn(&QueryError)>,
}

impl Default for QueryOptions {
    /// The union default graph, no limits (the CLI sets its own).
    fn default() -> Self {
        Self {
            union_default_graph: true,
            timeout: None,
            max_results: None,
            max_memory_mb: None,
            on_stuck: None,
        }
    }
}

/// Why the watchdog stopped a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Timeout,
    Memory,
}

/// Runs `work` while a watchdog thread cancels `token` when the time or
/// memory budget of `options` runs out. Oxigraph checks the token at every
/// quad it reads, so even a cartesian product stops promptly; the error
/// then names the budget instead of Oxigraph's generic "cancelled".
fn guarded<T>(
    options: &QueryOptions,
    token: &CancellationToken,
    work: impl FnOnce() -> Result<T, QueryError>,
) -> Result<T, QueryError> {
    if options.timeout.is_none() && options.max_memory_mb.is_none() {
        return without_panics(work);
    }
    let started = Instant::now();
    let stop: Mutex<Option<Stop>> = Mutex::new(None);
    let (done, finished) = mpsc::channel::<()>();
    let stop_ref = &stop;
    let result = std::thread::scope(|scope| {
        scope.spawn(move || {
            // The sender is dropped when `work` returns: the channel disconnects.
            while let Err(mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(Duration::from_millis(10)) {
                let reason = if options.timeout.is_some_and(|t| started.elapsed() >= t) {
                    Some(Stop::Timeout)
                } else if options
                    .max_memory_mb
                    .is_some_and(|mb| resident_mb().is_some_and(|rss| rss > mb))
                {
                    Some(Stop::Memory)
                } else {
                    None
                };
                if let Some(reason) = reason {
                    if let Ok(mut s) = stop_ref.lock() {
                        *s = Some(reason);
                    }
                    token.cancel();
                    // Oxigraph does not notice cancellation everywhere (ORDER BY
                    // collects its input past errors, then sorts it): give it a
                    // moment, then let the caller end things its own way.
                    if let (Err(mpsc::RecvTimeoutError::Timeout), Some(stuck)) =
                        (finished.recv_timeout(CANCEL_GRACE), options.on_stuck)
                    {
                        stuck(&stop_error(reason, options));
                    }
                    return;
                }
            }
        });
        let result = without_panics(work);
        drop(done);
        result
    });
    let stopped = stop.lock().ok().and_then(|s| *s);
    match (result, stopped) {
        (Err(_), Some(reason)) => Err(stop_error(reason, options)),
        (result, _) => result,
    }
}

/// How long a cancelled query may take to return before [`QueryOptions::on_stuck`] is called.
const CANCEL_GRACE: Duration = Duration::from_secs(2);

fn stop_error(reason: Stop, options: &QueryOptions) -> QueryError {
    match reason {
        Stop::Timeout => QueryError::Timeout(options.timeout.unwrap_or_default()),
        Stop::Memory => QueryError::Memory(options.max_memory_mb.unwrap_or_default()),
    }
}

/// Runs `work`, turning a panic inside Oxigraph into [`QueryError::Engine`].
///
/// Oxigraph 0.5.13 sorts ORDER BY rows with a comparison that is not a total
/// order over terms of different kinds, and Rust's sort panics when it
/// notices; a user's query must not crash the process. The panic message is
/// kept for the error instead of being printed by the default hook.
fn without_panics<T>(work: impl FnOnce() -> Result<T, QueryError>) -> Result<T, QueryError> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    std::panic::set_hook(hook);
    result.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(QueryError::Engine(message))
    })
}

/// Resident set size of this process in MB, where the OS tells it (Linux).
fn resident_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024)
}

/// A SPARQL evaluator that knows the textkg prefixes (`tk:`, `schema:`, `nif:` …),
/// so queries may use them without `PREFIX` lines. It makes no federated
/// `SERVICE` calls: a query that has one fails with
/// [`QueryEvaluationError::UnsupportedService`](oxigraph::sparql::QueryEvaluationError).
pub fn evaluator() -> SparqlEvaluator {
    with_prefixes(SparqlEvaluator::new().without_default_http_service_handler())
}

/// [`evaluator`] that also runs `SERVICE` calls over HTTP (plain `http://` only:
/// textkg is built without TLS), each bounded by `timeout`.
pub fn evaluator_with_service(timeout: Duration) -> SparqlEvaluator {
    with_prefixes(SparqlEvaluator::new().with_http_timeout(timeout))
}

fn with_prefixes(mut e: SparqlEvaluator) -> SparqlEvaluator {
    for (p, iri) in ns::PREFIXES {
        e = match e.clone().with_prefix(*p, *iri) {
            Ok(next) => next,
            Err(_) => e,
        };
    }
    e
}

/// Runs a query and writes its results in `format` to `out`, within the
/// time, memory and result budgets of `options`.
pub fn run_query(
    store: &KgStore,
    query: &str,
    options: QueryOptions,
    format: ResultFormat,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    let token = CancellationToken::new();
    let mut prepared = evaluator().with_cancellation_token(token.clone()).parse_query(query)?;
    if options.union_default_graph {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    guarded(&options, &token, || {
        write_results(
            prepared.on_store(store.inner()).execute()?,
            options.max_results,
            format,
            out,
        )
    })
}

/// The form of a query's results, known once it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryForm {
    /// SELECT: solutions.
    Select,
    /// ASK: a boolean.
    Ask,
    /// CONSTRUCT or DESCRIBE: triples.
    Graph,
}

/// Graphs a request names for its dataset (SPARQL 1.1 Protocol
/// `default-graph-uri` and `named-graph-uri`); when given they replace the
/// query's `FROM` and `FROM NAMED`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatasetGraphs {
    /// Graphs merged into the default graph.
    pub default: Vec<NamedNode>,
    /// Graphs `GRAPH ?g` ranges over.
    pub named: Vec<NamedNode>,
}

/// How to write results: a W3C results format (SELECT, ASK) or an RDF format
/// (CONSTRUCT, DESCRIBE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serialization {
    /// SPARQL 1.1 query results (JSON, XML, CSV, TSV).
    Results(QueryResultsFormat),
    /// An RDF syntax; triples land in the default graph of dataset formats.
    Rdf(RdfFormat),
}

/// Runs a query with `evaluator` and writes its results to `out` in the
/// serialization `choose` picks for the query's form (`None`: nothing fits,
/// [`QueryError::NotAcceptable`]), within the budgets of `options`. This is
/// [`run_query`] for callers that negotiate formats (the HTTP endpoint).
///
/// The union default graph applies only where neither the query (`FROM`) nor
/// `dataset` names the default graph's graphs.
pub fn run_query_as(
    store: &KgStore,
    evaluator: SparqlEvaluator,
    query: &str,
    dataset: &DatasetGraphs,
    options: &QueryOptions,
    choose: impl FnOnce(QueryForm) -> Option<Serialization>,
    out: &mut dyn Write,
) -> Result<Serialization, QueryError> {
    let token = CancellationToken::new();
    let mut prepared = evaluator.with_cancellation_token(token.clone()).parse_query(query)?;
    let spec = prepared.dataset_mut();
    if !dataset.default.is_empty() {
        spec.set_default_graph(dataset.default.iter().cloned().map(GraphName::from).collect());
    }
    if !dataset.named.is_empty() {
        spec.set_available_named_graphs(dataset.named.iter().cloned().map(NamedOrBlankNode::from).collect());
    }
    if options.union_default_graph && spec.default_graph_graphs() == Some(&[GraphName::DefaultGraph]) {
        spec.set_default_graph_as_union();
    }
    guarded(options, &token, || {
        let results = prepared.on_store(store.inner()).execute()?;
        let form = match &results {
            QueryResults::Solutions(_) => QueryForm::Select,
            QueryResults::Boolean(_) => QueryForm::Ask,
            QueryResults::Graph(_) => QueryForm::Graph,
        };
        let chosen = choose(form).ok_or(QueryError::NotAcceptable(form))?;
        let mut cap = ResultCap::new(options.max_results);
        match (results, chosen) {
            (QueryResults::Solutions(solutions), Serialization::Results(f)) => {
                write_solutions(solutions, f, &mut cap, out)?;
            }
            (QueryResults::Boolean(b), Serialization::Results(f)) => {
                QueryResultsSerializer::from_format(f).serialize_boolean_to_writer(out, b)?;
            }
            (QueryResults::Graph(triples), Serialization::Rdf(f)) => write_triples(triples, f, &mut cap, out)?,
            _ => return Err(QueryError::NotAcceptable(form)),
        }
        cap.check()?;
        Ok(chosen)
    })
}

fn write_results(
    results: QueryResults<'_>,
    max_results: Option<u64>,
    format: ResultFormat,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    let mut cap = ResultCap::new(max_results);
    match results {
        QueryResults::Solutions(solutions) => {
            if format == ResultFormat::Table {
                return write_table(solutions, cap, out);
            }
            write_solutions(solutions, results_format(format, "SELECT")?, &mut cap, out)?;
        }
        QueryResults::Boolean(b) => {
            if format == ResultFormat::Table {
                writeln!(out, "{b}")?;
                return Ok(());
            }
            QueryResultsSerializer::from_format(results_format(format, "ASK")?).serialize_boolean_to_writer(out, b)?;
        }
        QueryResults::Graph(triples) => {
            let rdf_format = match format {
                ResultFormat::Table | ResultFormat::Turtle => RdfFormat::Turtle,
                ResultFormat::Ntriples => RdfFormat::NTriples,
                ResultFormat::Nquads => RdfFormat::NQuads,
                f => {
                    return Err(QueryError::Format {
                        format: f,
                        form: "CONSTRUCT/DESCRIBE",
                        hint: "turtle, ntriples or nquads",
                    });
                }
            };
            write_triples(triples, rdf_format, &mut cap, out)?;
        }
    }
    cap.check()
}

/// Writes solutions in a W3C results format, up to the cap; the output is
/// closed (well-formed) either way.
fn write_solutions(
    solutions: QuerySolutionIter<'_>,
    format: QueryResultsFormat,
    cap: &mut ResultCap,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    let variables = solutions.variables().to_vec();
    let mut ser = QueryResultsSerializer::from_format(format).serialize_solutions_to_writer(out, variables)?;
    cap.each(solutions, |s| Ok(ser.serialize(&s)?))?;
    ser.finish()?;
    Ok(())
}

/// Writes CONSTRUCT/DESCRIBE triples in an RDF syntax, up to the cap; the
/// output is closed (well-formed) either way.
fn write_triples(
    triples: QueryTripleIter<'_>,
    format: RdfFormat,
    cap: &mut ResultCap,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    let mut ser = serializer(format).for_writer(out);
    cap.each(triples, |t| Ok(ser.serialize_triple(&t)?))?;
    ser.finish()?;
    Ok(())
}

/// Counts results against `--max-results`. The output written so far is
/// closed properly (valid JSON, XML, Turtle) before the error is reported.
struct ResultCap {
    max: Option<u64>,
    seen: u64,
    exceeded: bool,
}

impl ResultCap {
    fn new(max: Option<u64>) -> Self {
        Self {
            max,
            seen: 0,
            exceeded: false,
        }
    }

    /// Call once per result before writing it: true when it is one too many.
    fn full(&mut self) -> bool {
        self.seen += 1;
        self.exceeded = self.max.is_some_and(|m| self.seen > m);
        self.exceeded
    }

    /// Hands each result to `write` until one is one too many.
    fn each<T, E>(
        &mut self,
        results: impl IntoIterator<Item = Result<T, E>>,
        mut write: impl FnMut(T) -> Result<(), QueryError>,
    ) -> Result<(), QueryError>
    where
        QueryError: From<E>,
    {
        for r in results {
            let r = r?;
            if self.full() {
                break;
            }
            write(r)?;
        }
        Ok(())
    }

    fn check(&self) -> Result<(), QueryError> {
        match self.max {
            Some(max) if self.exceeded => Err(QueryError::TooManyResults(max)),
            _ => Ok(()),
        }
    }
}

/// The W3C results format for a SELECT or ASK output format.
fn results_format(format: ResultFormat, form: &'static str) -> Result<QueryResultsFormat, QueryError> {
    Ok(match format {
        ResultFormat::Json => QueryResultsFormat::Json,
        ResultFormat::Csv => QueryResultsFormat::Csv,
        ResultFormat::Tsv => QueryResultsFormat::Tsv,
        ResultFormat::Xml => QueryResultsFormat::Xml,
        f => {
            return Err(QueryError::Format {
                format: f,
                form,
                hint: "table, json, csv, tsv or xml",
            });
        }
    })
}

/// An RDF serializer with the textkg prefixes declared (for formats that use them).
pub fn serializer(format: RdfFormat) -> RdfSerializer {
    let mut s = RdfSerializer::from_format(format);
    if matches!(format, RdfFormat::Turtle | RdfFormat::TriG) {
        for (p, iri) in ns::PREFIXES {
            s = match s.clone().with_prefix(*p, *iri) {
                Ok(next) => next,
                Err(_) => s,
            };
        }
    }
    s
}

/// Quads in the store before and after an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateSummary {
    /// Quads before.
    pub before: usize,
    /// Quads after.
    pub after: usize,
}

/// Runs a SPARQL update (atomically: all its operations or none).
///
/// As in [`run_query`], a WHERE pattern outside `GRAPH` matches the union of
/// the document graphs, so an update selects exactly what the same query
/// would. Templates follow SPARQL: outside `GRAPH` they address the store's
/// own default graph, which textkg does not fill, so changing document data
/// takes `DELETE { GRAPH ?g { … } } WHERE { GRAPH ?g { … } }`. The summary
/// tells how the store's size changed, so a no-op is visible.
pub fn run_update(store: &KgStore, update: &str) -> Result<UpdateSummary, QueryError> {
    run_update_with(store, evaluator(), update)
}

/// [`run_update`] with a chosen evaluator (the HTTP endpoint's `SERVICE` policy).
pub fn run_update_with(store: &KgStore, evaluator: SparqlEvaluator, update: &str) -> Result<UpdateSummary, QueryError> {
    let mut prepared = evaluator.parse_update(update)?;
    for dataset in prepared.using_datasets_mut() {
        // Only the default dataset; an explicit USING names its own graphs.
        if dataset.is_default_dataset() {
            dataset.set_default_graph_as_union();
        }
    }
    let before = store.len()?;
    prepared.on_store(store.inner()).execute()?;
    store.flush().map_err(crate::store::StoreError::from)?;
    Ok(UpdateSummary {
        before,
        after: store.len()?,
    })
}

fn write_table(solutions: QuerySolutionIter<'_>, mut cap: ResultCap, out: &mut dyn Write) -> Result<(), QueryError> {
    let variables: Vec<String> = solutions.variables().iter().map(|v| v.as_str().to_string()).collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    cap.each(solutions, |s| {
        rows.push(
            variables
                .iter()
                .map(|v| s.get(v.as_str()).map(display_term).unwrap_or_default())
                .collect(),
        );
        Ok(())
    })?;
    let mut widths: Vec<usize> = variables.iter().map(|v| v.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String], out: &mut dyn Write| -> std::io::Result<()> {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        writeln!(out, "{}", padded.join(" | ").trim_end())
    };
    line(&variables, out)?;
    writeln!(
        out,
        "{}",
        widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("-+-")
    )?;
    for r in &rows {
        line(r, out)?;
    }
    writeln!(out, "({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" })?;
    cap.check()
}

/// A term for people: IRIs shortened with known prefixes, literals without quotes;
/// line breaks shown as `⏎` so each row stays on one line.
pub fn display_term(t: &Term) -> String {
    match t {
        Term::NamedNode(n) => {
            let iri = n.as_str();
            ns::PREFIXES
                .iter()
                .find_map(|(p, base)| iri.strip_prefix(base).map(|l| format!("{p}:{l}")))
                .unwrap_or_else(|| format!("<{iri}>"))
        }
        Term::Literal(l) => l.value().replace('\n', "⏎"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_the_engine_is_an_error() {
        let r: Result<(), QueryError> = without_panics(|| panic!("does not correctly implement a total order"));
        assert!(matches!(r, Err(QueryError::Engine(m)) if m.contains("total order")));
    }

    #[test]
    fn result_cap_counts_and_reports() {
        let mut cap = ResultCap::new(Some(2));
        assert!(!cap.full() && !cap.full());
        assert!(cap.check().is_ok());
        assert!(cap.full());
        assert!(matches!(cap.check(), Err(QueryError::TooManyResults(2))));
    }
}

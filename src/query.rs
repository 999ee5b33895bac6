//! SPARQL query and update over the store, with W3C result formats.
//!
//! Queries see the union of all document graphs as their default graph (so
//! `SELECT * WHERE { ?s ?p ?o }` works without `GRAPH`), unless
//! [`QueryOptions::union_default_graph`] is off. Results are written with
//! Oxigraph's own serializers (SPARQL 1.1 JSON/XML/CSV/TSV results, RDF
//! formats for CONSTRUCT/DESCRIBE); `table` is a plain-text view for people.

use std::io::Write;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::Term;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};

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
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query text does not parse.
    #[error("SPARQL syntax error: {0}")]
    Syntax(#[from] oxigraph::sparql::SparqlSyntaxError),
    /// Evaluation failed.
    #[error("query evaluation failed: {0}")]
    Evaluation(#[from] oxigraph::sparql::QueryEvaluationError),
    /// Update failed.
    #[error("update failed: {0}")]
    Update(#[from] oxigraph::sparql::UpdateEvaluationError),
    /// Writing results failed (e.g. a closed pipe).
    #[error("cannot write results: {0}")]
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
}

/// Query settings.
#[derive(Debug, Clone, Copy)]
pub struct QueryOptions {
    /// Use the union of all graphs as the default graph.
    pub union_default_graph: bool,
}

impl Default for QueryOptions {
    fn default() -> Self {
        Self {
            union_default_graph: true,
        }
    }
}

/// A SPARQL evaluator that knows the textkg prefixes (`tk:`, `schema:`, `nif:` …),
/// so queries may use them without `PREFIX` lines.
fn evaluator() -> SparqlEvaluator {
    let mut e = SparqlEvaluator::new();
    for (p, iri) in ns::PREFIXES {
        e = match e.clone().with_prefix(*p, *iri) {
            Ok(next) => next,
            Err(_) => e,
        };
    }
    e
}

/// Runs a query and writes its results in `format` to `out`.
pub fn run_query(
    store: &KgStore,
    query: &str,
    options: QueryOptions,
    format: ResultFormat,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    let mut prepared = evaluator().parse_query(query)?;
    if options.union_default_graph {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    match prepared.on_store(store.inner()).execute()? {
        QueryResults::Solutions(solutions) => {
            if format == ResultFormat::Table {
                return write_table(solutions, out);
            }
            let variables = solutions.variables().to_vec();
            let mut ser = QueryResultsSerializer::from_format(results_format(format, "SELECT")?)
                .serialize_solutions_to_writer(out, variables)?;
            for s in solutions {
                ser.serialize(&s?)?;
            }
            ser.finish()?;
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
            let mut ser = serializer(rdf_format).for_writer(out);
            for t in triples {
                ser.serialize_triple(&t?)?;
            }
            ser.finish()?;
        }
    }
    Ok(())
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

/// Runs a SPARQL update.
pub fn run_update(store: &KgStore, update: &str) -> Result<(), QueryError> {
    evaluator().parse_update(update)?.on_store(store.inner()).execute()?;
    Ok(())
}

fn write_table(solutions: oxigraph::sparql::QuerySolutionIter<'_>, out: &mut dyn Write) -> Result<(), QueryError> {
    let variables: Vec<String> = solutions.variables().iter().map(|v| v.as_str().to_string()).collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for s in solutions {
        let s = s?;
        rows.push(
            variables
                .iter()
                .map(|v| s.get(v.as_str()).map(display_term).unwrap_or_default())
                .collect(),
        );
    }
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
    Ok(())
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

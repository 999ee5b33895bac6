//! Command-line interface: parses arguments, calls the library, reports errors.
//!
//! Exit codes: 0 success, 1 partial failure (some inputs bad, the rest done),
//! 2 usage error or fatal failure. A closed stdout (`textkg export | head`)
//! ends quietly.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use oxigraph::io::RdfFormat;

use textkg::export::{self, GraphFilter};
use textkg::extract::Extractor;
use textkg::input::{self, InputFormat, ReadOptions, SourceDocument};
use textkg::iri::{DEFAULT_DATA_BASE, Namespace};
use textkg::pipeline::{self, BATCH_SIZE};
use textkg::query::{self, QueryOptions, ResultFormat};
use textkg::rdf::MappingOptions;
use textkg::store::{self, KgStore, PreparedDocument, WriteSummary};

const ABOUT: &str = "Turn English text (news first) into an RDF knowledge graph with provenance, \
stored in an embedded Oxigraph database and queryable with SPARQL.";

#[derive(Parser)]
#[command(name = "textkg", version, about = ABOUT, after_help = "Run `textkg <COMMAND> --help` for examples.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct InputArgs {
    /// Files or directories (walked recursively); `-` or nothing reads stdin.
    paths: Vec<PathBuf>,
    /// How to read inputs (auto: `.jsonl`/`.ndjson` files and nothing else as JSON Lines).
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    input_format: InputFormat,
    /// Publication date (YYYY-MM-DD) for documents that do not give one.
    #[arg(long)]
    date: Option<String>,
    /// Base IRI for generated documents and entities.
    #[arg(long, default_value = DEFAULT_DATA_BASE)]
    base: String,
}

#[derive(clap::Args)]
struct StoreArg {
    /// Store directory (RocksDB).
    #[arg(long, env = "TEXTKG_STORE", default_value = "textkg-store")]
    store: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Extract entities and relations and print them (no store needed).
    #[command(after_help = "Examples:\n  \
        textkg extract examples/news/summit.txt --format json\n  \
        textkg extract examples/news/ --format turtle > kg.ttl\n  \
        cat article.txt | textkg extract - --format nquads\n  \
        textkg extract --input-format jsonl articles.jsonl --format json")]
    Extract {
        #[command(flatten)]
        input: InputArgs,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = ExtractFormat::Json)]
        format: ExtractFormat,
    },
    /// Extract, then load into the persistent store (bulk, idempotent).
    #[command(after_help = "Examples:\n  \
        textkg ingest examples/news/ --store ./textkg-store\n  \
        TEXTKG_STORE=/data/kg textkg ingest --input-format jsonl feed.jsonl\n\n\
        Ingesting the same text twice changes nothing; a changed text under the same id replaces its own graph.")]
    Ingest {
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Run a SPARQL query (the default graph is the union of all documents).
    #[command(after_help = "Examples:\n  \
        textkg query 'SELECT ?e ?label WHERE { ?e a schema:Person ; rdfs:label ?label }'\n  \
        textkg query -f examples/queries/who-said-what.rq --format csv\n  \
        textkg query 'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 10' --format turtle\n\n\
        Prefixes tk:, schema:, nif:, prov:, itsrdf:, skos:, owl:, wd:, rdf:, rdfs:, xsd: are predeclared.")]
    Query {
        /// The SPARQL query.
        query: Option<String>,
        /// Read the query from a file (`-` for stdin).
        #[arg(long, short = 'f', conflicts_with = "query")]
        file: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ResultFormat::Table)]
        format: ResultFormat,
        /// Query only the real default graph instead of the union of document graphs.
        #[arg(long)]
        no_union: bool,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Run a SPARQL 1.1 Update.
    #[command(after_help = "Example:\n  \
        textkg update 'DELETE WHERE { ?s tk:confidence ?c FILTER(?c < 0.2) }'")]
    Update {
        /// The SPARQL update.
        update: Option<String>,
        /// Read the update from a file (`-` for stdin).
        #[arg(long, short = 'f', conflicts_with = "update")]
        file: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Export the entity graph (DOT, JSON) or RDF.
    #[command(after_help = "Examples:\n  \
        textkg export --format dot | dot -Tsvg > kg.svg\n  \
        textkg export --format dot --entity Putin --depth 1 --min-confidence 0.5 -o putin.dot\n  \
        textkg export --format json > graph.json\n  \
        textkg export --format nquads --document examples/news/summit.txt")]
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Dot)]
        format: ExportFormat,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Only this document (its IRI or its input name/path).
        #[arg(long)]
        document: Option<String>,
        /// Only the neighbourhood of this entity (label, alias or IRI); DOT and JSON.
        #[arg(long)]
        entity: Option<String>,
        /// Neighbourhood radius for --entity.
        #[arg(long, default_value_t = 1)]
        depth: usize,
        /// Leave out relations below this confidence; DOT and JSON.
        #[arg(long, default_value_t = 0.0)]
        min_confidence: f64,
        /// Also draw entities that have no relation (DOT and JSON).
        #[arg(long)]
        isolated: bool,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Print counts: documents, entities by type, relations by predicate.
    #[command(after_help = "Example:\n  textkg info --store ./textkg-store")]
    Info {
        /// Output format.
        #[arg(long, value_enum, default_value_t = InfoFormat::Text)]
        format: InfoFormat,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Build lexical resources and models from the shared data sets.
    #[command(after_help = "Example:\n  textkg train gazetteer --data ../shared/data/gazetteer --out models/lexicon")]
    Train {
        #[command(subcommand)]
        what: TrainCommand,
    },
}

#[derive(Subcommand)]
enum TrainCommand {
    /// Build models/lexicon/gazetteer.tsv and demonyms.tsv from the gazetteer tables.
    Gazetteer {
        /// Folder with countries.tsv, cities.tsv, admin1.tsv, organizations.tsv.
        #[arg(long)]
        data: PathBuf,
        /// Output folder (holds regions.tsv, receives gazetteer.tsv and demonyms.tsv).
        #[arg(long, default_value = "models/lexicon")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ExtractFormat {
    Json,
    Turtle,
    Ntriples,
    Nquads,
    Trig,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Dot,
    Json,
    Turtle,
    Ntriples,
    Nquads,
    Trig,
}

#[derive(Clone, Copy, ValueEnum)]
enum InfoFormat {
    Text,
    Json,
}

/// Entry point: runs the command, maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(1),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.to_string().contains("Broken pipe")
    })
}

enum Outcome {
    Success,
    Partial,
}

fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Extract { input, format } => extract(input, format),
        Command::Ingest { input, store } => ingest(input, store),
        Command::Query {
            query,
            file,
            format,
            no_union,
            store,
        } => {
            let text = text_arg(query, file, "query")?;
            let store = open_read(&store)?;
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            query::run_query(
                &store,
                &text,
                QueryOptions {
                    union_default_graph: !no_union,
                },
                format,
                &mut out,
            )?;
            out.flush()?;
            Ok(Outcome::Success)
        }
        Command::Update { update, file, store } => {
            let text = text_arg(update, file, "update")?;
            let store =
                KgStore::open(&store.store).with_context(|| format!("cannot open store {}", store.store.display()))?;
            query::run_update(&store, &text)?;
            Ok(Outcome::Success)
        }
        Command::Export {
            format,
            output,
            document,
            entity,
            depth,
            min_confidence,
            isolated,
            store,
        } => {
            let store = open_read(&store)?;
            let mut out: Box<dyn Write> = match &output {
                Some(p) => Box::new(BufWriter::new(
                    std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
                )),
                None => Box::new(BufWriter::new(std::io::stdout().lock())),
            };
            let filter = GraphFilter {
                document: document.clone(),
                entity,
                depth,
                min_confidence,
                isolated,
            };
            match format {
                ExportFormat::Dot => export::write_dot(&export::entity_graph(&store, &filter)?, &mut out)?,
                ExportFormat::Json => export::write_json(&export::entity_graph(&store, &filter)?, &mut out)?,
                ExportFormat::Turtle => export::write_rdf(&store, RdfFormat::Turtle, document.as_deref(), &mut out)?,
                ExportFormat::Ntriples => {
                    export::write_rdf(&store, RdfFormat::NTriples, document.as_deref(), &mut out)?
                }
                ExportFormat::Nquads => export::write_rdf(&store, RdfFormat::NQuads, document.as_deref(), &mut out)?,
                ExportFormat::Trig => export::write_rdf(&store, RdfFormat::TriG, document.as_deref(), &mut out)?,
            }
            out.flush()?;
            Ok(Outcome::Success)
        }
        Command::Info { format, store } => {
            let store = open_read(&store)?;
            let info = store.info()?;
            let mut out = std::io::stdout().lock();
            match format {
                InfoFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&info)?)?,
                InfoFormat::Text => {
                    writeln!(out, "documents: {}", info.documents)?;
                    writeln!(out, "entities:  {}", info.entities)?;
                    for (t, n) in &info.entities_by_type {
                        writeln!(out, "  {t:<20} {n}")?;
                    }
                    writeln!(out, "relations: {}", info.relations)?;
                    for (p, n) in &info.relations_by_predicate {
                        writeln!(
                            out,
                            "  {:<20} {n}",
                            query::display_term(&oxigraph::model::NamedNode::new_unchecked(p).into())
                        )?;
                    }
                    writeln!(out, "quads:     {}", info.quads)?;
                }
            }
            Ok(Outcome::Success)
        }
        Command::Train { what } => match what {
            TrainCommand::Gazetteer { data, out } => {
                let regions_path = out.join("regions.tsv");
                let regions = std::fs::read_to_string(&regions_path)
                    .with_context(|| format!("cannot read {}", regions_path.display()))?;
                let extra_path = out.join("organizations_extra.tsv");
                let extra = std::fs::read_to_string(&extra_path)
                    .with_context(|| format!("cannot read {}", extra_path.display()))?;
                let (gazetteer, demonyms) = textkg::lexicon::build_gazetteer(&data, &regions, &extra)?;
                for (name, text) in [("gazetteer.tsv", gazetteer), ("demonyms.tsv", demonyms)] {
                    let path = out.join(name);
                    std::fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!(
                        "wrote {} ({} rows)",
                        path.display(),
                        text.lines().count().saturating_sub(3)
                    );
                }
                Ok(Outcome::Success)
            }
        },
    }
}

fn text_arg(inline: Option<String>, file: Option<PathBuf>, what: &str) -> Result<String> {
    match (inline, file) {
        (Some(t), _) => Ok(t),
        (None, Some(p)) if p.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).context("cannot read stdin")?;
            Ok(s)
        }
        (None, Some(p)) => {
            std::fs::read_to_string(&p).with_context(|| format!("cannot read {what} file {}", p.display()))
        }
        (None, None) => bail!("no {what} given: pass it as an argument or with -f FILE"),
    }
}

fn open_read(arg: &StoreArg) -> Result<KgStore> {
    if !arg.store.exists() {
        bail!(
            "no store at {}; create one with `textkg ingest PATH --store {}`",
            arg.store.display(),
            arg.store.display()
        );
    }
    KgStore::open_read_only(&arg.store).with_context(|| format!("cannot open store {}", arg.store.display()))
}

fn mapping_options(input: &InputArgs) -> Result<MappingOptions> {
    let namespace = Namespace::new(&input.base);
    oxigraph::model::NamedNode::new(namespace.base())
        .with_context(|| format!("--base {:?} is not a valid IRI", input.base))?;
    Ok(MappingOptions {
        namespace,
        generated_at: Some(store::now_datetime()),
    })
}

/// Reads all inputs in batches and hands each processed batch to `consume`.
/// Returns the number of input errors (already reported on stderr).
fn for_each_batch(
    input: &InputArgs,
    options: &MappingOptions,
    mut consume: impl FnMut(Vec<pipeline::Processed>) -> Result<()>,
) -> Result<usize> {
    if let Some(d) = &input.date {
        input::validate_date(d).with_context(|| "invalid --date")?;
    }
    let read_options = ReadOptions {
        format: input.input_format,
        date: input.date.clone(),
    };
    let (sources, path_errors) = input::expand_paths(&input.paths);
    let mut errors = 0;
    for e in path_errors {
        eprintln!("error: {e}");
        errors += 1;
    }
    let extractor = Extractor::default();
    let mut batch: Vec<SourceDocument> = Vec::new();
    let mut batch_error: Option<anyhow::Error> = None;
    for source in &sources {
        input::read_source(source, &read_options, &mut |r| match r {
            Ok(doc) => batch.push(doc),
            Err(e) => {
                eprintln!("error: {e}");
                errors += 1;
            }
        });
        if batch.len() >= BATCH_SIZE {
            let processed = pipeline::process_batch(std::mem::take(&mut batch), &extractor, options);
            if let Err(e) = consume(processed) {
                batch_error = Some(e);
                break;
            }
        }
    }
    if let Some(e) = batch_error {
        return Err(e);
    }
    if !batch.is_empty() {
        consume(pipeline::process_batch(batch, &extractor, options))?;
    }
    Ok(errors)
}

fn extract(input: InputArgs, format: ExtractFormat) -> Result<Outcome> {
    let options = mapping_options(&input)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let rdf_format = match format {
        ExtractFormat::Json => None,
        ExtractFormat::Turtle => Some(RdfFormat::Turtle),
        ExtractFormat::Ntriples => Some(RdfFormat::NTriples),
        ExtractFormat::Nquads => Some(RdfFormat::NQuads),
        ExtractFormat::Trig => Some(RdfFormat::TriG),
    };
    let mut documents = 0;
    let errors = match rdf_format {
        None => for_each_batch(&input, &options, |batch| {
            for p in batch {
                documents += 1;
                serde_json::to_writer(&mut out, &p.json(&options))?;
                out.write_all(b"\n")?;
            }
            Ok(())
        })?,
        Some(f) => {
            // One serializer for the whole output: Turtle/TriG get one prefix block.
            let mut w = query::serializer(f).for_writer(&mut out);
            let errors = for_each_batch(&input, &options, |batch| {
                for p in batch {
                    documents += 1;
                    for q in p.quads(&options) {
                        if f.supports_datasets() {
                            w.serialize_quad(&q)?;
                        } else {
                            w.serialize_triple(&oxigraph::model::Triple::from(q))?;
                        }
                    }
                }
                Ok(())
            })?;
            w.finish()?;
            errors
        }
    };
    out.flush()?;
    summary_line(documents, errors);
    Ok(if errors > 0 { Outcome::Partial } else { Outcome::Success })
}

fn summary_line(documents: usize, errors: usize) {
    if errors > 0 {
        eprintln!("{documents} document(s) processed, {errors} input error(s) (see above)");
    }
}

fn ingest(input: InputArgs, store_arg: StoreArg) -> Result<Outcome> {
    let started = Instant::now();
    let options = mapping_options(&input)?;
    let store = KgStore::open(&store_arg.store).with_context(|| {
        format!(
            "cannot open store {} (is another textkg process using it?)",
            store_arg.store.display()
        )
    })?;
    let mut summary = WriteSummary::default();
    let (mut documents, mut entities, mut relations) = (0usize, 0usize, 0usize);
    let progress = std::io::stderr().is_terminal();
    let errors = for_each_batch(&input, &options, |batch| {
        let prepared: Vec<PreparedDocument> = batch
            .iter()
            .map(|p| {
                documents += 1;
                entities += p.extraction.entities.len();
                relations += p.extraction.relations.len();
                PreparedDocument {
                    identity: p.identity.clone(),
                    quads: p.quads(&options),
                }
            })
            .collect();
        summary += store
            .write(prepared)
            .context("writing to the store failed; documents of this batch were not stored")?;
        if progress {
            eprint!("\r{documents} documents, {} quads written…", summary.quads);
        }
        Ok(())
    })?;
    if progress {
        eprintln!();
    }
    let elapsed = started.elapsed();
    println!(
        "documents: {documents} ({} added, {} replaced, {} unchanged){}\nentities: {entities} (mentioned, per document)\nrelations: {relations}\nquads written: {}; store now holds {} quads\ntime: {}",
        summary.added,
        summary.replaced,
        summary.unchanged,
        if errors > 0 {
            format!(", {errors} failed")
        } else {
            String::new()
        },
        summary.quads,
        store.len()?,
        store::format_duration(elapsed)
    );
    summary_line(documents, errors);
    Ok(if errors > 0 { Outcome::Partial } else { Outcome::Success })
}

//! Command-line interface: parses arguments, calls the library, reports errors.
//!
//! Exit codes: 0 success, 1 partial failure (some inputs bad, the rest done),
//! 2 usage error or fatal failure. A closed stdout (`textkg export | head`)
//! ends quietly.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

mod openie;

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
use textkg::resolve;
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
        /// Skip cross-document entity resolution after loading (run `textkg resolve` later).
        #[arg(long)]
        no_resolve: bool,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Cross-document entity resolution: merge entities that other documents name more fully.
    #[command(after_help = "Examples:\n  \
        textkg resolve --store ./textkg-store\n  \
        textkg merges --store ./textkg-store\n\n\
        `ingest` runs this step at its end. It is deterministic and independent of ingest order; \
        each merge is recorded (rule, score, reasons, documents) and can be undone with `textkg merges --undo ID`.")]
    Resolve {
        /// Base IRI of decision IRIs and of the resolution graph (as given to ingest).
        #[arg(long, default_value = DEFAULT_DATA_BASE)]
        base: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Run a SPARQL query (the default graph is the union of all documents).
    #[command(after_help = "Examples:\n  \
        textkg query 'SELECT ?e ?label WHERE { ?e a schema:Person ; rdfs:label ?label }'\n  \
        textkg query -f examples/queries/who-said-what.rq --format csv\n  \
        textkg query 'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 10' --format turtle\n\n\
        Prefixes tk:, schema:, nif:, prov:, itsrdf:, skos:, owl:, time:, wd:, rdf:, rdfs:, xsd: are predeclared.")]
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
    /// List entity merge decisions: which form joined which entity, by which rule, in which document.
    #[command(
        after_help = "Examples:\n  textkg merges\n  textkg merges --entity 'Donald Trump' --format csv\n  \
        textkg merges --undo 3f2a9c01\n\n\
        Columns: entity, form, rule, document, scope (within-document or cross-document), score, status \
        (active or undone), id (cross-document decisions; give it, or a prefix of its last segment, to --undo), reasons."
    )]
    Merges {
        /// Only merges into entities with this label.
        #[arg(long)]
        entity: Option<String>,
        /// Undo this cross-document merge (decision IRI or the start of its last segment).
        #[arg(long, value_name = "ID")]
        undo: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ResultFormat::Table)]
        format: ResultFormat,
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
    /// POS tags, lemmas and dependency parse: CoNLL-U in (keeping its tokens) or raw text in (tokenised first), CoNLL-U out.
    #[command(after_help = "Examples:\n  \
        textkg tag --input-format conllu --format conllu < en_ewt-ud-test.conllu > pred.conllu\n  \
        echo 'Putin suggested Moscow.' | textkg tag --format conllu")]
    Tag {
        /// Files (default: stdin).
        paths: Vec<PathBuf>,
        /// Input format.
        #[arg(long, value_enum, default_value_t = TagInput::Text)]
        input_format: TagInput,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TagOutput::Conllu)]
        format: TagOutput,
    },
    /// Named-entity recognition on CoNLL-2003 or IOB2 files: the same lines out, tag column replaced.
    #[command(after_help = "Examples:\n  \
        textkg ner --input-format conll --format conll eng.testb > pred.conll\n  \
        textkg ner --input-format iob2 --format iob2 < en_ewt-ud-test.iob2")]
    Ner {
        /// Files (`.gz` accepted; default: stdin).
        paths: Vec<PathBuf>,
        /// Input format: CoNLL-2003 columns (IOB1 tags in the last column) or UNER-style IOB2.
        #[arg(long, value_enum, default_value_t = NerFormat::Conll)]
        input_format: NerFormat,
        /// Output tag scheme: conll (IOB1) or iob2.
        #[arg(long, value_enum)]
        format: Option<NerFormat>,
        /// Tag with this model file (written by `textkg train ner`) instead of the embedded one.
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Open information extraction: one sentence per input line, tuples out (CaRB tab format or JSON).
    #[command(after_help = "Examples:\n  \
        textkg openie --format carb < ../shared/data/carb/test.txt > ours.tsv\n  \
        echo 'The mayor opened a bridge in Bergen.' | textkg openie --format json")]
    Openie {
        /// Files with one sentence per line (default: stdin).
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = openie::OpenieFormat::Carb)]
        format: openie::OpenieFormat,
    },
    /// Evaluate the shipped models against gold data.
    #[command(after_help = "Example:\n  textkg eval ud --gold ../shared/data/ud_english_ewt/en_ewt-ud-test.conllu")]
    Eval {
        #[command(subcommand)]
        what: EvalCommand,
    },
    /// Measure throughput per pipeline stage (tokens/s); run on a release build.
    #[command(after_help = "Examples:\n  \
        cargo run --release -- bench\n  \
        textkg bench ../shared/seeds/alaska-summit-2025.txt --tokens 500000 --format json")]
    Bench {
        /// Documents to measure on (default: the bundled examples).
        paths: Vec<PathBuf>,
        /// Repeat the documents until the corpus has at least this many tokens.
        #[arg(long, default_value_t = 300_000)]
        tokens: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = InfoFormat::Text)]
        format: InfoFormat,
    },
    /// Build lexical resources and models from the shared data sets.
    #[command(after_help = "Example:\n  textkg train gazetteer --data ../shared/data/gazetteer --out models/lexicon")]
    Train {
        #[command(subcommand)]
        what: TrainCommand,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum NerFormat {
    /// CoNLL-2003 (space-separated columns, IOB1).
    Conll,
    /// IOB2 (UNER: tab-separated id, word, tag).
    Iob2,
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Named-mention P/R/F1 of the extractor against gold entity mentions in JSONL
    /// (`{"text", "date"?, "mentions": [{"start", "end", "etype"}]}`, code-point offsets,
    /// etype person/place/organization), e.g. the GUM Wikinews articles.
    Mentions {
        /// Gold JSONL file.
        #[arg(long)]
        gold: PathBuf,
        /// Score the NER model's spans instead of the extractor's mentions.
        #[arg(long)]
        ner: bool,
    },
    /// Pronoun resolution accuracy against gold coreference in GUM-style CoNLL-U (`Entity=` in MISC):
    /// third-person singular pronouns whose entity is named in the document.
    #[command(
        after_help = "Example:\n  textkg eval pronouns --gold ../shared/data/wikinews_articles/gum_conllu/*.conllu"
    )]
    Pronouns {
        /// Gold CoNLL-U files (`.gz` accepted); `# newdoc` starts a document.
        #[arg(long, required = true, num_args = 1..)]
        gold: Vec<PathBuf>,
    },
    /// Score open-IE output on CaRB (the benchmark's matcher; AUC and best F1 over the confidence-ranked list).
    #[command(after_help = "Example:\n  \
        textkg openie --format carb < ../shared/data/carb/dev.txt > dev.tsv\n  \
        textkg eval carb --gold ../shared/data/carb/gold/dev.tsv --system dev.tsv\n  \
        textkg eval carb --gold ../shared/data/carb/gold/test.tsv --system clausie_output.txt.gz --format clausie")]
    Carb {
        /// Gold CaRB file (`gold/dev.tsv` or `gold/test.tsv`).
        #[arg(long)]
        gold: PathBuf,
        /// System output (`.gz` accepted, `-` for stdin).
        #[arg(long)]
        system: PathBuf,
        /// System file format: tab (ours: sentence, confidence, relation, args), clausie, openie4, openie5, reverb, props.
        #[arg(long, default_value = "tab")]
        format: textkg::openie::carb::SystemFormat,
    },
    /// Zero-shot relation scores on CoNLL04 (boundaries setting) through a predicate → type mapping file.
    #[command(after_help = "Example:\n  \
        textkg eval conll04 --gold ../shared/data/conll04/spert_format/conll04_dev.json")]
    Conll04 {
        /// Gold file in SpERT JSON format.
        #[arg(long)]
        gold: PathBuf,
        /// Mapping file: predicate IRI ⇥ CoNLL04 type [⇥ inverse].
        #[arg(long, default_value = "ontology/mappings/conll04.tsv")]
        mapping: PathBuf,
        /// Also print each sentence's missed (-) and wrong (+) relations, for error analysis.
        #[arg(long)]
        errors: bool,
    },
    /// Exact-span precision, recall and F1 per entity type (conlleval semantics).
    Ner {
        /// Gold files (`.gz` accepted).
        #[arg(long, required = true, num_args = 1..)]
        gold: Vec<PathBuf>,
        /// Gold file format.
        #[arg(long, value_enum, default_value_t = NerFormat::Conll)]
        input_format: NerFormat,
        /// Score this model file (written by `textkg train ner`) instead of the embedded one.
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// UPOS/XPOS/LEMMA accuracy with gold tokens, and tokenisation/sentence F1 from raw text.
    Ud {
        /// Gold CoNLL-U files (`.gz` accepted); each is scored separately.
        #[arg(long, required = true, num_args = 1..)]
        gold: Vec<PathBuf>,
        /// Score this parser model file instead of the embedded one.
        #[arg(long)]
        parser: Option<PathBuf>,
        /// Parse with this beam width instead of the model's own.
        #[arg(long)]
        beam: Option<usize>,
        /// Drop parser weights of absolute value below this first (model-size experiments).
        #[arg(long)]
        prune: Option<f32>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum TagInput {
    /// Raw text: tokenised and sentence-split first.
    Text,
    /// CoNLL-U: tokens and sentences kept, UPOS/XPOS/LEMMA replaced.
    Conllu,
}

#[derive(Clone, Copy, ValueEnum)]
enum TagOutput {
    /// CoNLL-U.
    Conllu,
}

#[derive(Subcommand)]
enum TrainCommand {
    /// Train the POS tagger and lemmatizer (averaged perceptron; fixed seed, reproducible).
    #[command(after_help = "Example (reproduces the shipped models):\n  \
        textkg train tagger \\\n    --train ../shared/data/ud_english_ewt/en_ewt-ud-train.conllu.gz ../shared/data/ud_english_gum_news/en_gum-ud-news-train.conllu \\\n    --dev ../shared/data/ud_english_ewt/en_ewt-ud-dev.conllu ../shared/data/ud_english_gum_news/en_gum-ud-news-dev.conllu \\\n    --out models")]
    Tagger {
        /// Training CoNLL-U files (`.gz` accepted).
        #[arg(long, required = true, num_args = 1..)]
        train: Vec<PathBuf>,
        /// Development CoNLL-U files: choose the number of epochs.
        #[arg(long, required = true, num_args = 1..)]
        dev: Vec<PathBuf>,
        /// Output folder for tagger.bin and lemmatizer.bin.
        #[arg(long, default_value = "models")]
        out: PathBuf,
        /// Maximum epochs.
        #[arg(long, default_value_t = 10)]
        epochs: usize,
    },
    /// Train the dependency parser on jackknifed POS tags (fixed seed, reproducible).
    #[command(
        after_help = "Example (reproduces the shipped model; uses the tagger embedded in this binary):\n  \
        textkg train parser \\\n    --train ../shared/data/ud_english_ewt/en_ewt-ud-train.conllu.gz ../shared/data/ud_english_gum_news/en_gum-ud-news-train.conllu \\\n    --dev ../shared/data/ud_english_ewt/en_ewt-ud-dev.conllu \\\n    --out models"
    )]
    Parser {
        /// Training CoNLL-U files (`.gz` accepted).
        #[arg(long, required = true, num_args = 1..)]
        train: Vec<PathBuf>,
        /// Development CoNLL-U files: choose the number of epochs (tagged with the embedded tagger).
        #[arg(long, required = true, num_args = 1..)]
        dev: Vec<PathBuf>,
        /// Output folder for parser.bin.
        #[arg(long, default_value = "models")]
        out: PathBuf,
        /// Folds for jackknifed training tags (a tagger trained on the other folds tags each fold); 0 = gold tags.
        #[arg(long, default_value_t = 5)]
        jackknife: usize,
        /// Also write the training sentences with the tags the parser trains on (e.g. jackknifed) to this
        /// CoNLL-U file; pass it back as `--train` with `--jackknife 0` to skip re-tagging in experiments.
        #[arg(long)]
        tagged_out: Option<PathBuf>,
        /// Beam width (1 = greedy with the dynamic oracle; more = beam search with global training).
        #[arg(long)]
        beam: Option<usize>,
        /// Maximum epochs (the best epoch on dev is kept).
        #[arg(long)]
        epochs: Option<usize>,
        /// Drop features touched by fewer perceptron updates than this (model size).
        #[arg(long)]
        min_updates: Option<u32>,
        /// Drop averaged weights of absolute value below this (model size).
        #[arg(long)]
        prune: Option<f32>,
        /// Beam width the model parses with (and the epoch is chosen with); default: the training beam.
        #[arg(long)]
        decode_beam: Option<usize>,
    },
    /// Train the named-entity recognizer (files named *.iob2* are read as IOB2, others as CoNLL-2003).
    #[command(
        after_help = "Example (reproduces the shipped model, openly licensed data only):\n  \
        textkg train ner --train ../shared/data/uner_english_ewt/en_ewt-ud-train.DRAFT-2022-12-02.iob2.gz \\\n    --dev ../shared/data/uner_english_ewt/en_ewt-ud-dev.iob2 --out models\n\
        Research model (CoNLL-2003 is research-only: never write it into models/):\n  \
        textkg train ner --topic-numbers --epochs 12 --train eng.train.gz en_ewt-ud-train.DRAFT-2022-12-02.iob2.gz \\\n    \
        --dev eng.testa.gz --out /tmp/ner-research\n  \
        textkg eval ner --model /tmp/ner-research/ner.bin --gold eng.testb.gz"
    )]
    Ner {
        /// Training files.
        #[arg(long, required = true, num_args = 1..)]
        train: Vec<PathBuf>,
        /// Development files (choose the epoch).
        #[arg(long, required = true, num_args = 1..)]
        dev: Vec<PathBuf>,
        /// Output folder for ner.bin.
        #[arg(long, default_value = "models")]
        out: PathBuf,
        /// Lexicon folder (gazetteer.tsv, demonyms.tsv, roles.tsv).
        #[arg(long, default_value = "models/lexicon")]
        lexicon: PathBuf,
        /// Maximum epochs.
        #[arg(long, default_value_t = 12)]
        epochs: usize,
        /// Add the news-context features (document topic word, digit share of the sentence), chosen on
        /// CoNLL-2003 testa; they did not help on UNER dev, so the shipped model does not use them.
        #[arg(long)]
        topic_numbers: bool,
    },
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
        Command::Ingest {
            input,
            no_resolve,
            store,
        } => ingest(input, store, !no_resolve),
        Command::Resolve { base, store } => {
            let namespace = Namespace::new(&base);
            oxigraph::model::NamedNode::new(namespace.base())
                .with_context(|| format!("--base {base:?} is not a valid IRI"))?;
            let store = open_existing(&store)?;
            let s = resolve::resolve(&store, &namespace).context("cross-document resolution failed")?;
            writeln!(std::io::stdout(), "{}", resolve_line(&s))?;
            Ok(Outcome::Success)
        }
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
        Command::Merges {
            entity,
            undo,
            format,
            store,
        } => {
            if let Some(id) = undo {
                let store = open_existing(&store)?;
                let m = resolve::undo(&store, &id)?;
                writeln!(
                    std::io::stdout(),
                    "undone: {} (\"{}\" in {} is {} again, not {}); later resolution runs keep them apart",
                    m.id,
                    m.form,
                    m.document,
                    m.source,
                    m.target
                )?;
                return Ok(Outcome::Success);
            }
            let store = open_read(&store)?;
            let q = resolve::merges_query(entity.as_deref());
            let mut out = BufWriter::new(std::io::stdout().lock());
            query::run_query(&store, &q, QueryOptions::default(), format, &mut out)?;
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
        Command::Bench { paths, tokens, format } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/news"))]
            } else {
                paths
            };
            let (sources, errors) = input::expand_paths(&paths);
            if let Some(e) = errors.first() {
                bail!("{e}");
            }
            let mut documents = Vec::new();
            for s in &sources {
                input::read_source(s, &ReadOptions::default(), &mut |r| {
                    if let Ok(d) = r {
                        documents.push(d);
                    }
                });
            }
            if documents.is_empty() {
                bail!("no readable documents to benchmark on");
            }
            if cfg!(debug_assertions) {
                eprintln!("warning: debug build; measure with `cargo run --release -- bench`");
            }
            let report = textkg::bench::run(&documents, tokens)?;
            match format {
                InfoFormat::Json => writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&report)?)?,
                InfoFormat::Text => {
                    writeln!(
                        std::io::stdout(),
                        "corpus: {} documents, {} tokens, {} chars",
                        report.documents,
                        report.tokens,
                        report.chars
                    )?;
                    for s in &report.stages {
                        let extra = s
                            .quads_per_second
                            .map_or(String::new(), |q| format!("  ({q:.0} quads/s)"));
                        writeln!(
                            std::io::stdout(),
                            "{:<42} {:>2} thread(s) {:>8.3} s {:>12.0} tokens/s{extra}",
                            s.stage,
                            s.threads,
                            s.seconds,
                            s.tokens_per_second
                        )?;
                    }
                }
            }
            Ok(Outcome::Success)
        }
        Command::Tag {
            paths,
            input_format,
            format: TagOutput::Conllu,
        } => tag(paths, input_format),
        Command::Ner {
            paths,
            input_format,
            format,
            model,
        } => ner(paths, input_format, format, model.as_deref()),
        Command::Openie { paths, format } => openie::run(paths, format),
        Command::Eval {
            what:
                EvalCommand::Ner {
                    gold,
                    input_format,
                    model,
                },
        } => {
            let loaded = load_ner_model(model.as_deref())?;
            let model = loaded.as_ref();
            let mut out = std::io::stdout().lock();
            for path in gold {
                let corpus = read_ner_corpus(&path, input_format)?;
                let started = Instant::now();
                let (_, evaluation) = predict_ner(model, &corpus, input_format);
                let seconds = started.elapsed().as_secs_f64();
                let tokens: usize = corpus
                    .documents
                    .iter()
                    .flat_map(|d| &d.sentences)
                    .map(|s| s.words.len())
                    .sum();
                writeln!(out, "{}", path.display())?;
                write!(out, "{evaluation}")?;
                writeln!(
                    out,
                    "speed: {tokens} tokens in {seconds:.2} s ({:.0}k tokens/s, one thread)",
                    tokens as f64 / seconds.max(1e-9) / 1000.0
                )?;
            }
            Ok(Outcome::Success)
        }
        Command::Eval {
            what: EvalCommand::Pronouns { gold },
        } => eval_pronouns(&gold),
        Command::Eval {
            what: EvalCommand::Mentions { gold, ner },
        } => eval_mentions(&gold, ner),
        Command::Eval {
            what: EvalCommand::Conll04 { gold, mapping, errors },
        } => openie::eval_conll04(&gold, &mapping, errors),
        Command::Eval {
            what: EvalCommand::Carb { gold, system, format },
        } => {
            let gold_text = read_text_file(&gold)?;
            let system_text = read_text_file(&system)?;
            openie::eval_carb(&gold, &gold_text, &system_text, format)
        }
        Command::Eval {
            what:
                EvalCommand::Ud {
                    gold,
                    parser,
                    beam,
                    prune,
                },
        } => {
            let tagger = textkg::nlp::models::tagger()?;
            let lemmatizer = textkg::nlp::models::lemmatizer()?;
            let analyzer = textkg::nlp::annotate::Analyzer::embedded()?;
            let file_parser = match &parser {
                Some(p) => {
                    let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
                    Some(
                        textkg::nlp::parser::Parser::from_bytes(&bytes)
                            .with_context(|| format!("in {}", p.display()))?,
                    )
                }
                None => None,
            };
            let mut parser = match file_parser {
                Some(p) => p,
                None => textkg::nlp::models::parser()?.clone(),
            };
            if let Some(b) = beam {
                parser.set_beam(b);
            }
            if let Some(t) = prune {
                parser = parser.pruned(t);
                eprintln!("pruned parser: {} bytes", parser.to_bytes().len());
            }
            let parser = &parser;
            let parse = |s: &mut textkg::nlp::conllu::Sentence| {
                let forms: Vec<&str> = s.words.iter().map(|w| w.form.as_str()).collect();
                let upos: Vec<&str> = s.words.iter().map(|w| w.upos.as_str()).collect();
                let xpos: Vec<&str> = s.words.iter().map(|w| w.xpos.as_str()).collect();
                let arcs: Vec<(usize, u16)> = parser.parse_ids(&forms, &upos, &xpos);
                for (w, (head, label)) in s.words.iter_mut().zip(arcs) {
                    w.head = Some(head);
                    w.deprel = parser.label(label).to_string();
                }
            };
            let mut out = std::io::stdout().lock();
            for path in gold {
                let sentences = read_conllu(&path)?;
                let acc = textkg::nlp::eval::evaluate(tagger, Some(lemmatizer), &sentences);
                // Parsing scored twice: on predicted tags (what users get) and on gold tags.
                let mut predicted = sentences.clone();
                let mut gold_tagged = sentences.clone();
                for p in predicted.iter_mut() {
                    analyzer.tag(p);
                    parse(p);
                }
                // Parse speed: best of three passes over the gold-tagged sentences, one thread.
                let mut best = f64::INFINITY;
                for _ in 0..3 {
                    let t = Instant::now();
                    for g in gold_tagged.iter_mut() {
                        parse(g);
                    }
                    best = best.min(t.elapsed().as_secs_f64());
                }
                let score = |pred: &[textkg::nlp::conllu::Sentence]| {
                    let mut scores = textkg::nlp::parser::Scores::default();
                    for (g, p) in sentences.iter().zip(pred) {
                        let arcs: Vec<(usize, &str)> = p
                            .words
                            .iter()
                            .map(|w| (w.head.unwrap_or(0), w.deprel.as_str()))
                            .collect();
                        textkg::nlp::parser::score_sentence(g, &arcs, &mut scores);
                    }
                    scores
                };
                let (pred_scores, gold_scores) = (score(&predicted), score(&gold_tagged));
                let seg = textkg::nlp::eval::segmentation(&sentences);
                let (tp, tr, tf) = seg.tokens();
                let (sp, sr, sf) = seg.sentences();
                writeln!(out, "{}", path.display())?;
                writeln!(
                    out,
                    "  gold tokens:  UPOS {:.2}  XPOS {:.2}  LEMMA {:.2}  ({} words)",
                    acc.upos_pct(),
                    acc.xpos_pct(),
                    acc.lemma_pct(),
                    acc.words
                )?;
                writeln!(
                    out,
                    "  parse:        UAS {:.2}  LAS {:.2} with predicted tags;  UAS {:.2}  LAS {:.2} with gold tags",
                    pred_scores.uas(),
                    pred_scores.las(),
                    gold_scores.uas(),
                    gold_scores.las()
                )?;
                writeln!(
                    out,
                    "  parse speed:  {:.0} tokens/s (one thread, gold tags, best of 3 passes)",
                    acc.words as f64 / best.max(1e-9)
                )?;
                writeln!(
                    out,
                    "  raw text:     tokens P {tp:.2} R {tr:.2} F1 {tf:.2}  sentences P {sp:.2} R {sr:.2} F1 {sf:.2}"
                )?;
                if seg.unaligned > 0 {
                    writeln!(
                        out,
                        "  ({} gold sentences could not be aligned to their text and were skipped)",
                        seg.unaligned
                    )?;
                }
            }
            Ok(Outcome::Success)
        }
        Command::Train { what } => match what {
            TrainCommand::Tagger {
                train,
                dev,
                out,
                epochs,
            } => train_tagger(train, dev, out, epochs),
            TrainCommand::Parser {
                train,
                dev,
                out,
                jackknife,
                tagged_out,
                beam,
                epochs,
                min_updates,
                prune,
                decode_beam,
            } => {
                let mut options = textkg::nlp::parser::TrainOptions::default();
                if let Some(b) = beam {
                    options.beam = b.max(1);
                }
                if let Some(e) = epochs {
                    options.epochs = e;
                }
                if let Some(m) = min_updates {
                    options.min_updates = m;
                }
                if let Some(p) = prune {
                    options.prune = p;
                }
                if let Some(b) = decode_beam {
                    options.decode_beam = b;
                }
                train_parser(train, dev, out, jackknife, tagged_out, &options)
            }
            TrainCommand::Ner {
                train,
                dev,
                out,
                lexicon,
                epochs,
                topic_numbers,
            } => train_ner(train, dev, out, lexicon, epochs, topic_numbers),
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

/// Opens an existing store for writing (never creates one).
fn open_existing(arg: &StoreArg) -> Result<KgStore> {
    if !arg.store.exists() {
        bail!(
            "no store at {}; create one with `textkg ingest PATH --store {}`",
            arg.store.display(),
            arg.store.display()
        );
    }
    KgStore::open(&arg.store).with_context(|| format!("cannot open store {}", arg.store.display()))
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

fn ingest(input: InputArgs, store_arg: StoreArg, resolve_after: bool) -> Result<Outcome> {
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
    let resolved = if resolve_after {
        Some(resolve::resolve(&store, &options.namespace).context("cross-document resolution failed")?)
    } else {
        None
    };
    let elapsed = started.elapsed();
    writeln!(
        std::io::stdout(),
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
    )?;
    if let Some(r) = &resolved {
        writeln!(std::io::stdout(), "{}", resolve_line(r))?;
    }
    summary_line(documents, errors);
    Ok(if errors > 0 { Outcome::Partial } else { Outcome::Success })
}

/// One line on what cross-document resolution did.
fn resolve_line(s: &resolve::ResolveSummary) -> String {
    format!(
        "cross-document merges: {} ({} new, {} taken back, {} left apart as ambiguous; {} document graphs rewritten)",
        s.merges, s.added, s.removed, s.ambiguous, s.documents_rewritten
    )
}

/// Reads a CoNLL-U file (gzip when the name ends in `.gz`, `-` for stdin).
fn read_conllu(path: &std::path::Path) -> Result<Vec<textkg::nlp::conllu::Sentence>> {
    let text = read_text_file(path)?;
    textkg::nlp::conllu::parse(&text).with_context(|| format!("in {}", path.display()))
}

fn tag(paths: Vec<PathBuf>, input_format: TagInput) -> Result<Outcome> {
    let analyzer = textkg::nlp::annotate::Analyzer::embedded()?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let paths = if paths.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        paths
    };
    let mut errors = 0;
    for path in &paths {
        match input_format {
            TagInput::Conllu => match read_conllu(path) {
                Ok(mut sentences) => {
                    let mut buf = String::new();
                    for s in &mut sentences {
                        analyzer.annotate(s)?;
                        buf.clear();
                        textkg::nlp::conllu::write_sentence(s, &mut buf);
                        out.write_all(buf.as_bytes())?;
                    }
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    errors += 1;
                }
            },
            TagInput::Text => {
                let sources = if path.as_os_str() == "-" {
                    vec![input::Source::Stdin]
                } else {
                    input::expand_paths(std::slice::from_ref(path)).0
                };
                for source in sources {
                    let options = ReadOptions {
                        format: InputFormat::Text,
                        date: None,
                    };
                    input::read_source(&source, &options, &mut |r| match r {
                        Ok(doc) => {
                            let id = match &doc.id {
                                Some(path) => std::path::Path::new(path)
                                    .file_stem()
                                    .map_or_else(|| "doc".to_string(), |s| s.to_string_lossy().to_string()),
                                None => "stdin".to_string(),
                            };
                            let analysed = textkg::nlp::segment(doc.text);
                            let mut buf = format!("# newdoc id = {id}\n");
                            match analyzer.annotate_text(&analysed, &id) {
                                Ok(sentences) => {
                                    for s in sentences {
                                        textkg::nlp::conllu::write_sentence(&s, &mut buf);
                                    }
                                }
                                Err(e) => {
                                    eprintln!("error: {e}");
                                    errors += 1;
                                }
                            }
                            if let Err(e) = out.write_all(buf.as_bytes()) {
                                eprintln!("error: {e}");
                                errors += 1;
                            }
                        }
                        Err(e) => {
                            eprintln!("error: {e}");
                            errors += 1;
                        }
                    });
                }
            }
        }
    }
    out.flush()?;
    Ok(if errors > 0 { Outcome::Partial } else { Outcome::Success })
}

fn train_tagger(train: Vec<PathBuf>, dev: Vec<PathBuf>, out: PathBuf, epochs: usize) -> Result<Outcome> {
    let mut train_sentences = Vec::new();
    for p in &train {
        train_sentences.extend(read_conllu(p)?);
    }
    let mut dev_sentences = Vec::new();
    for p in &dev {
        dev_sentences.extend(read_conllu(p)?);
    }
    eprintln!(
        "train: {} sentences, dev: {} sentences",
        train_sentences.len(),
        dev_sentences.len()
    );
    let started = Instant::now();
    let options = textkg::nlp::tagger::TrainOptions {
        max_epochs: epochs,
        ..Default::default()
    };
    let tagger = textkg::nlp::tagger::Tagger::train(&train_sentences, &dev_sentences, &options);
    let lemmatizer = textkg::nlp::lemma::Lemmatizer::train(&train_sentences);
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, bytes) in [
        ("tagger.bin", tagger.to_bytes()),
        ("lemmatizer.bin", lemmatizer.to_bytes()),
    ] {
        let path = out.join(name);
        std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    let acc = textkg::nlp::eval::evaluate(&tagger, Some(&lemmatizer), &dev_sentences);
    eprintln!("dev: {acc}; trained in {}", store::format_duration(started.elapsed()));
    eprintln!("rebuild textkg to embed the new models (cargo build --release)");
    Ok(Outcome::Success)
}

fn train_parser(
    train: Vec<PathBuf>,
    dev: Vec<PathBuf>,
    out: PathBuf,
    folds: usize,
    tagged_out: Option<PathBuf>,
    options: &textkg::nlp::parser::TrainOptions,
) -> Result<Outcome> {
    use textkg::nlp::tagger::{Tagger, TrainOptions};
    let mut train_sentences = Vec::new();
    for p in &train {
        train_sentences.extend(read_conllu(p)?);
    }
    let mut dev_sentences = Vec::new();
    for p in &dev {
        dev_sentences.extend(read_conllu(p)?);
    }
    let started = Instant::now();
    let tag_with = |tagger: &Tagger, sentences: &mut [textkg::nlp::conllu::Sentence]| {
        for s in sentences {
            let forms: Vec<String> = s.words.iter().map(|w| w.form.clone()).collect();
            let refs: Vec<&str> = forms.iter().map(String::as_str).collect();
            for (w, t) in s.words.iter_mut().zip(tagger.tag(&refs)) {
                w.upos = t.upos.to_string();
                w.xpos = t.xpos.to_string();
            }
        }
    };
    // Training tags look like test-time tags: each fold is tagged by a tagger
    // that never saw it (epochs for those taggers chosen on the same dev set).
    if folds > 1 {
        let n = train_sentences.len();
        let mut tagged = train_sentences.clone();
        for f in 0..folds {
            let (lo, hi) = (f * n / folds, (f + 1) * n / folds);
            let rest: Vec<_> = train_sentences[..lo]
                .iter()
                .chain(&train_sentences[hi..])
                .cloned()
                .collect();
            eprintln!(
                "jackknife fold {}/{folds}: training a tagger on {} sentences",
                f + 1,
                rest.len()
            );
            let options = TrainOptions {
                verbose: false,
                ..Default::default()
            };
            let tagger = Tagger::train(&rest, &dev_sentences, &options);
            tag_with(&tagger, &mut tagged[lo..hi]);
        }
        train_sentences = tagged;
    }
    if let Some(path) = &tagged_out {
        std::fs::write(path, textkg::nlp::conllu::write(&train_sentences))
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote the tagged training sentences to {}", path.display());
    }
    // Dev tags come from the embedded (shipped) tagger, as at run time.
    let mut dev_tagged = dev_sentences.clone();
    tag_with(textkg::nlp::models::tagger()?, &mut dev_tagged);
    eprintln!(
        "training the parser on {} sentences, epochs chosen on {} dev sentences with predicted tags",
        train_sentences.len(),
        dev_tagged.len()
    );
    let parser = textkg::nlp::parser::Parser::train(&train_sentences, &dev_tagged, options);
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let path = out.join("parser.bin");
    let bytes = parser.to_bytes();
    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    let scores = parser.evaluate_with_tags(&dev_sentences, &dev_tagged);
    eprintln!(
        "wrote {} ({} bytes); dev UAS {:.2} LAS {:.2} with predicted tags; trained in {}",
        path.display(),
        bytes.len(),
        scores.uas(),
        scores.las(),
        store::format_duration(started.elapsed())
    );
    eprintln!("rebuild textkg to embed the new model (cargo build --release)");
    Ok(Outcome::Success)
}

fn read_text_file(path: &std::path::Path) -> Result<String> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).context("cannot read stdin")?;
        return Ok(text);
    }
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    if path.extension().is_some_and(|e| e == "gz") {
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(file), &mut text)
    } else {
        std::io::Read::read_to_string(&mut std::io::BufReader::new(file), &mut text)
    }
    .with_context(|| format!("cannot read {} (is it UTF-8 text?)", path.display()))?;
    Ok(text)
}

fn read_ner_corpus(path: &std::path::Path, format: NerFormat) -> Result<textkg::ner::conll::Corpus> {
    use textkg::ner::conll::{self, Format};
    let text = read_text_file(path)?;
    let format = match format {
        NerFormat::Conll => Format::Conll,
        NerFormat::Iob2 => Format::Iob2,
    };
    conll::read(&text, format).with_context(|| format!("in {}", path.display()))
}

/// Predicts every sentence of a corpus (document by document) and scores it
/// against the corpus' own tags. IOB2 (UNER) has no MISC class, so MISC
/// predictions are dropped there.
fn predict_ner(
    model: &textkg::ner::NerModel,
    corpus: &textkg::ner::conll::Corpus,
    format: NerFormat,
) -> (Vec<Vec<textkg::ner::conll::Span>>, textkg::ner::eval::Evaluation) {
    let mut predicted = Vec::new();
    let mut evaluation = textkg::ner::eval::Evaluation::default();
    for d in &corpus.documents {
        let words: Vec<Vec<&str>> = d
            .sentences
            .iter()
            .map(|s| s.words.iter().map(String::as_str).collect())
            .collect();
        for (s, mut p) in d.sentences.iter().zip(model.predict_document(&words)) {
            if format == NerFormat::Iob2 {
                p.retain(|x| x.label != textkg::ner::conll::EntityLabel::Misc);
            }
            evaluation.add(&s.spans, &p);
            predicted.push(p);
        }
    }
    (predicted, evaluation)
}

/// The embedded NER model, or the model file at `path`.
fn load_ner_model(path: Option<&std::path::Path>) -> Result<std::borrow::Cow<'static, textkg::ner::NerModel>> {
    match path {
        None => Ok(std::borrow::Cow::Borrowed(textkg::nlp::models::ner()?)),
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            let model = textkg::ner::NerModel::from_bytes(&bytes)
                .with_context(|| format!("{} is not a NER model written by `textkg train ner`", p.display()))?;
            Ok(std::borrow::Cow::Owned(model))
        }
    }
}

fn ner(
    paths: Vec<PathBuf>,
    input_format: NerFormat,
    format: Option<NerFormat>,
    model: Option<&std::path::Path>,
) -> Result<Outcome> {
    use textkg::ner::conll::{self, Scheme};
    let loaded = load_ner_model(model)?;
    let model = loaded.as_ref();
    let scheme = match format.unwrap_or(input_format) {
        NerFormat::Conll => Scheme::Iob1,
        NerFormat::Iob2 => Scheme::Iob2,
    };
    let paths = if paths.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        paths
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    for path in &paths {
        let corpus = read_ner_corpus(path, input_format)?;
        let (predicted, _) = predict_ner(model, &corpus, input_format);
        out.write_all(conll::write(&corpus, &predicted, scheme).as_bytes())?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn train_ner(
    train: Vec<PathBuf>,
    dev: Vec<PathBuf>,
    out: PathBuf,
    lexicon: PathBuf,
    epochs: usize,
    topic_numbers: bool,
) -> Result<Outcome> {
    use textkg::ner::conll::{self, Corpus, OtherTags};
    use textkg::ner::{NerModel, TrainOptions};
    // UNER's draft train file tags OTH: read as MISC for training (chosen on dev).
    let read = |p: &PathBuf, other: OtherTags| -> Result<(Corpus, bool)> {
        let text = read_text_file(p)?;
        let iob2 = p.to_string_lossy().contains(".iob2");
        let corpus = if iob2 {
            conll::read_iob2(&text, other)
        } else {
            conll::read_conll(&text)
        };
        Ok((corpus.with_context(|| format!("in {}", p.display()))?, !iob2))
    };
    let train: Vec<(Corpus, bool)> = train
        .iter()
        .map(|p| read(p, OtherTags::OthAsMisc))
        .collect::<Result<_>>()?;
    let dev: Vec<(Corpus, bool)> = dev.iter().map(|p| read(p, OtherTags::AsO)).collect::<Result<_>>()?;
    let lex = |name: &str| {
        let p = lexicon.join(name);
        std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))
    };
    let gazetteer =
        textkg::ner::gazetteer::Gazetteer::from_tsv(&lex("gazetteer.tsv")?, &lex("demonyms.tsv")?, &lex("roles.tsv")?);
    fn sets(c: &[(textkg::ner::conll::Corpus, bool)]) -> Vec<textkg::ner::TrainSet<'_>> {
        c.iter()
            .map(|(corpus, has_misc)| textkg::ner::TrainSet {
                name: "data",
                documents: &corpus.documents,
                has_misc: *has_misc,
            })
            .collect()
    }
    let mut options = TrainOptions {
        epochs,
        ..Default::default()
    };
    options.features.topic_numbers = topic_numbers;
    let started = Instant::now();
    let model = NerModel::train(&sets(&train), &sets(&dev), gazetteer, &options, |r| {
        let f: Vec<String> = r.dev.iter().map(|e| format!("{:.2}", 100.0 * e.overall.f1())).collect();
        eprintln!("epoch {:2}: dev F1 {}", r.epoch, f.join(" / "));
    });
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let path = out.join("ner.bin");
    let bytes = model.to_bytes();
    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "wrote {} ({} bytes) in {}; rebuild textkg to embed it",
        path.display(),
        bytes.len(),
        store::format_duration(started.elapsed())
    );
    Ok(Outcome::Success)
}

/// Gold mentions that are names: of a scored type, and every word capitalised
/// (or a name connector), so that nominals ("the president") and pronouns,
/// which GUM also marks, are left out.
fn is_gold_name(text: &str) -> bool {
    const CONNECTORS: &[&str] = &[
        "of", "the", "de", "von", "van", "der", "and", "for", "on", "in", "al", "bin", "'s",
    ];
    let mut words = text.split_whitespace();
    let first_ok = words.next().is_some_and(|w| {
        w.chars().next().is_some_and(char::is_uppercase)
            && !["The", "A", "An", "He", "She", "It", "They", "We", "I"].contains(&w)
    });
    first_ok
        && words.all(|w| {
            CONNECTORS.contains(&w) || w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
}

fn eval_pronouns(gold: &[PathBuf]) -> Result<Outcome> {
    use textkg::extract::pronouns;
    let extractor = Extractor::default();
    let mut total = pronouns::PronounScore::default();
    let mut out = std::io::stdout().lock();
    for path in gold {
        let text = read_text_file(path)?;
        let sentences = textkg::nlp::conllu::parse(&text).with_context(|| format!("reading {}", path.display()))?;
        let mut score = pronouns::PronounScore::default();
        for doc in pronouns::documents(sentences) {
            score.add(pronouns::score_document(&doc, &extractor));
        }
        writeln!(
            out,
            "  {:<40} gold {:4}  attached {:4}  correct {:4}",
            path.file_name()
                .map_or(String::new(), |n| n.to_string_lossy().to_string()),
            score.gold,
            score.attached,
            score.correct
        )?;
        total.add(score);
    }
    writeln!(
        out,
        "  overall: {} gold pronouns with a named entity; attached {} ; correct {}; accuracy {:.2}, precision {:.2}",
        total.gold,
        total.attached,
        total.correct,
        total.accuracy(),
        total.precision()
    )?;
    Ok(Outcome::Success)
}

fn eval_mentions(gold: &std::path::Path, use_ner: bool) -> Result<Outcome> {
    use std::collections::{BTreeMap, HashSet};
    let text = read_text_file(gold)?;
    let extractor = Extractor::default();
    let coarse = |t: &str| -> Option<&'static str> {
        match t {
            "Person" => Some("person"),
            "Organization" => Some("organization"),
            "Place" | "Country" | "City" | "AdministrativeArea" => Some("place"),
            _ => None,
        }
    };
    // per type: (gold, predicted, exact span + type match, span match ignoring type)
    let mut counts: BTreeMap<&str, (usize, usize, usize, usize)> = BTreeMap::new();
    // Linking: gold mentions whose Wikipedia identity is a gazetteer name
    // (Wikidata ids of that name), found by an extracted name mention, and
    // found with one of those ids.
    let lexicon = textkg::lexicon::Lexicon::embedded();
    let (mut linkable, mut found, mut linked) = (0usize, 0usize, 0usize);
    for (line_no, line) in text.lines().enumerate() {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{}:{}", gold.display(), line_no + 1))?;
        let body = v["text"].as_str().unwrap_or_default().to_string();
        let date = v["date"].as_str().map(str::to_string);
        let doc = textkg::nlp::analyze_with(body.clone(), &textkg::nlp::EXTRACTION_PARSE);
        let x = extractor.extract(&doc, date.as_deref());
        let offsets = textkg::document::CharOffsets::new(&body);
        let mut predicted: HashSet<(usize, usize, &str)> = HashSet::new();
        if use_ner {
            let model = textkg::nlp::models::ner()?;
            let words: Vec<Vec<&str>> = doc
                .sentences
                .iter()
                .map(|s| s.tokens.clone().map(|i| doc.token_text(i)).collect())
                .collect();
            for (s, spans) in doc.sentences.iter().zip(model.predict_document(&words)) {
                for sp in spans {
                    let t = match sp.label {
                        textkg::ner::conll::EntityLabel::Per => "person",
                        textkg::ner::conll::EntityLabel::Org => "organization",
                        textkg::ner::conll::EntityLabel::Loc => "place",
                        _ => continue,
                    };
                    let (Some(first), Some(last)) = (
                        doc.tokens.get(s.tokens.start + sp.start),
                        doc.tokens.get(s.tokens.start + sp.end - 1),
                    ) else {
                        continue;
                    };
                    let (b, e) = offsets.chars(textkg::document::Span::new(first.start, last.end));
                    predicted.insert((b, e, t));
                }
            }
        }
        for m in x
            .mentions
            .iter()
            .filter(|m| !use_ner && m.kind == textkg::extract::MentionKind::Name)
        {
            if let Some(t) = coarse(x.entities[m.entity].entity_type.class_name()) {
                let (b, e) = offsets.chars(m.span);
                predicted.insert((b, e, t));
            }
        }
        let mut gold_set: HashSet<(usize, usize, &str)> = HashSet::new();
        for m in v["mentions"].as_array().into_iter().flatten() {
            let t = match m["etype"].as_str() {
                Some("person") => "person",
                Some("organization") => "organization",
                Some("place") => "place",
                _ => continue,
            };
            if is_gold_name(m["text"].as_str().unwrap_or_default()) {
                let (Some(b), Some(e)) = (m["start"].as_u64(), m["end"].as_u64()) else {
                    continue;
                };
                gold_set.insert((b as usize, e as usize, t));
            }
        }
        if !use_ner {
            for m in v["mentions"].as_array().into_iter().flatten() {
                if !matches!(m["etype"].as_str(), Some("person" | "organization" | "place")) {
                    continue;
                }
                let name = m["identity"].as_str().unwrap_or_default().replace('_', " ");
                let qids: HashSet<&str> = lexicon
                    .lookup(&name)
                    .into_iter()
                    .flatten()
                    .filter(|g| g.canonical == name)
                    .filter_map(|g| g.qid.as_deref())
                    .collect();
                let (Some(b), Some(e)) = (m["start"].as_u64(), m["end"].as_u64()) else {
                    continue;
                };
                if qids.is_empty() {
                    continue;
                }
                linkable += 1;
                let ours: Vec<Option<&str>> = x
                    .mentions
                    .iter()
                    .filter(|p| p.kind == textkg::extract::MentionKind::Name)
                    .filter(|p| {
                        let (pb, pe) = offsets.chars(p.span);
                        pb < e as usize && (b as usize) < pe
                    })
                    .map(|p| x.entities[p.entity].wikidata.as_deref())
                    .collect();
                if !ours.is_empty() {
                    found += 1;
                }
                if ours.iter().flatten().any(|q| qids.contains(q)) {
                    linked += 1;
                }
            }
        }
        let gold_spans: HashSet<(usize, usize)> = gold_set.iter().map(|&(b, e, _)| (b, e)).collect();
        for &(_, _, t) in &gold_set {
            counts.entry(t).or_default().0 += 1;
        }
        for p in &predicted {
            let c = counts.entry(p.2).or_default();
            c.1 += 1;
            if gold_set.contains(p) {
                c.2 += 1;
            }
            if gold_spans.contains(&(p.0, p.1)) {
                c.3 += 1;
            }
        }
    }
    let mut out = std::io::stdout().lock();
    let mut total = (0, 0, 0, 0);
    for (t, (g, p, ok, span_ok)) in &counts {
        let (pr, rc, f) = textkg::nlp::eval::prf(*ok, *g, *p);
        writeln!(
            out,
            "  {t:<13} P {pr:6.2}  R {rc:6.2}  F1 {f:6.2}  (gold {g}, predicted {p}, correct {ok}; span right, type wrong {})",
            span_ok - ok
        )?;
        total = (total.0 + g, total.1 + p, total.2 + ok, total.3 + span_ok);
    }
    let (pr, rc, f) = textkg::nlp::eval::prf(total.2, total.0, total.1);
    writeln!(
        out,
        "  {:<13} P {pr:6.2}  R {rc:6.2}  F1 {f:6.2}  (gold {}, predicted {}, correct {})",
        "overall", total.0, total.1, total.2
    )?;
    let (pr, rc, f) = textkg::nlp::eval::prf(total.3, total.0, total.1);
    writeln!(
        out,
        "  {:<13} P {pr:6.2}  R {rc:6.2}  F1 {f:6.2}  (spans only, type ignored)",
        "untyped"
    )?;
    if !use_ner {
        let pct = |a: usize, b: usize| if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 };
        writeln!(
            out,
            "  linking: {linkable} gold mentions of entities in the gazetteer; {found} overlapped by a name mention; \
             {linked} linked to the right Wikidata id (accuracy {:.2}; {:.2} of those found)",
            pct(linked, linkable),
            pct(linked, found)
        )?;
    }
    Ok(Outcome::Success)
}

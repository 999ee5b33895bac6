//! Exports of the store: the entity graph (Graphviz DOT, node-link JSON,
//! GraphML, GEXF, Neo4j import CSV, JSON-LD) and RDF dumps.
//!
//! The entity graph has one node per entity and one edge per distinct
//! (subject, predicate, object entity) relation, labelled with the predicate
//! and weighted by the best confidence and the number of statements. It is
//! held in a `petgraph` graph, so filters (`--entity NAME --depth N`) are
//! graph traversals. The writers of the analysts' formats live in
//! [`formats`]; they only read an [`EntityGraph`].

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

pub mod formats;

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
    /// Wikidata item IRI (`schema:sameAs wd:Q…`), when the entity is linked.
    pub wikidata: Option<String>,
    /// Publication dates (`YYYY-MM-DD`) of the selected documents that mention
    /// the entity, sorted (GEXF spells).
    #[serde(skip)]
    pub dates: Vec<String>,
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
    /// One evidence sentence: that of the most confident statement (the
    /// smallest text among equals, so exports are deterministic).
    pub evidence: Option<String>,
    /// True for plain statements of fact (the triple is asserted in the
    /// store); false for claims attributed to a speaker and modal statements.
    pub asserted: bool,
    /// The speaker of a reported claim (entity IRI), when there is one.
    pub claimed_by: Option<String>,
    /// Publication dates (`YYYY-MM-DD`) of the documents stating it, sorted (GEXF spells).
    #[serde(skip)]
    pub dates: Vec<String>,
}

impl Edge {
    /// An asserted edge with no statement counted yet: confidence 1, no
    /// evidence (co-mentions, and edges a CONSTRUCT query adds).
    fn fact(predicate: String, label: String) -> Edge {
        Edge {
            predicate,
            label,
            confidence: 1.0,
            count: 0,
            evidence: None,
            asserted: true,
            claimed_by: None,
            dates: Vec::new(),
        }
    }
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
    /// Only documents published on or after this day (`YYYY-MM-DD`); documents
    /// without a date are left out when a window is set.
    pub since: Option<String>,
    /// Only documents published on or before this day (`YYYY-MM-DD`).
    pub until: Option<String>,
    /// Build the edges from this SPARQL CONSTRUCT query instead of the relation
    /// statements: every constructed triple between two entities is an edge.
    pub construct: Option<String>,
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
    /// A `--since`/`--until` bound is not a `YYYY-MM-DD` day.
    #[error("{0:?} is not a date: give the time window as YYYY-MM-DD")]
    BadDate(String),
    /// The `--construct` query is not a valid CONSTRUCT query.
    #[error("the --construct query is invalid: {0}")]
    Construct(String),
    /// A node-link JSON file that [`read_json`] cannot use.
    #[error("not a node-link graph: {0}")]
    BadGraph(String),
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

/// Publication date of every document graph (`YYYY-MM-DD`).
pub fn document_dates(store: &KgStore) -> Result<HashMap<String, String>, ExportError> {
    let mut dates = HashMap::new();
    for_each_row(
        store,
        &format!(
            "SELECT ?d ?date WHERE {{ GRAPH ?d {{ ?d a <{}Document> ; <{}datePublished> ?date }} }}",
            ns::TK,
            ns::SCHEMA
        ),
        |r| {
            if let (Some(Term::NamedNode(d)), Some(Term::Literal(date))) = (r.get("d"), r.get("date")) {
                dates.insert(d.as_str().to_string(), date.value().to_string());
            }
            Ok(())
        },
    )?;
    Ok(dates)
}

/// Checks a `--since`/`--until` bound: a `YYYY-MM-DD` day.
fn check_day(day: &str) -> Result<(), ExportError> {
    crate::input::validate_date(day)
        .map(|_| ())
        .map_err(|_| ExportError::BadDate(day.to_string()))
}

/// Which document graphs a filter selects: `None` for all of them.
fn selected_documents(
    store: &KgStore,
    filter: &GraphFilter,
    dates: &HashMap<String, String>,
) -> Result<Option<HashSet<String>>, ExportError> {
    for day in filter.since.iter().chain(&filter.until) {
        check_day(day)?;
    }
    let mut selected: Option<HashSet<String>> = match &filter.document {
        Some(d) => Some(HashSet::from([resolve_document(store, d)?])),
        None => None,
    };
    if filter.since.is_some() || filter.until.is_some() {
        // ISO days compare as strings.
        let in_window = |date: &str| {
            filter.since.as_deref().is_none_or(|s| date >= s) && filter.until.as_deref().is_none_or(|u| date <= u)
        };
        let window: HashSet<String> = dates
            .iter()
            .filter(|(_, date)| in_window(date))
            .map(|(d, _)| d.clone())
            .collect();
        selected = Some(match selected {
            Some(s) => s.intersection(&window).cloned().collect(),
            None => window,
        });
    }
    Ok(selected)
}

/// Edges being gathered: key (subject, object, predicate, asserted, speaker).
type EdgeMap = BTreeMap<(NodeIndex, NodeIndex, String, bool, Option<String>), Edge>;

/// Adds one statement to the edge map.
#[allow(clippy::too_many_arguments)]
fn add_statement(
    edges: &mut EdgeMap,
    (a, b): (NodeIndex, NodeIndex),
    predicate: &str,
    asserted: bool,
    speaker: Option<String>,
    confidence: f64,
    evidence: Option<&str>,
    date: Option<&String>,
) {
    let e = edges
        .entry((a, b, predicate.to_string(), asserted, speaker.clone()))
        .or_insert_with(|| Edge {
            predicate: predicate.to_string(),
            label: local_name(predicate).to_string(),
            confidence,
            count: 0,
            evidence: None,
            asserted,
            claimed_by: speaker,
            dates: Vec::new(),
        });
    e.count += 1;
    // The evidence of the most confident statement; the smallest text among equals.
    let better = match (&e.evidence, evidence) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(old), Some(new)) => confidence > e.confidence || (confidence == e.confidence && new < old.as_str()),
    };
    if better {
        e.evidence = evidence.map(str::to_string);
    }
    e.confidence = e.confidence.max(confidence);
    if let Some(d) = date
        && let Err(at) = e.dates.binary_search(d)
    {
        e.dates.insert(at, d.clone());
    }
}

/// Builds the entity graph from the store.
///
/// Memory grows with the entities and relations kept, never with how often
/// documents repeat them: entity labels and types are read per entity from
/// the indexes (a label stated by 500 documents is 500 quads, one node), and
/// relation statements stream into the edge map. Statements of fact and
/// claims (attributed to a speaker, or modal) between the same two entities
/// are separate edges; negated statements are left out.
pub fn entity_graph(store: &KgStore, filter: &GraphFilter) -> Result<EntityGraph, ExportError> {
    let (mut graph, index, dates, selected) = entity_nodes(store, filter)?;
    let mut edges = EdgeMap::new();
    if let Some(construct) = &filter.construct {
        constructed_edges(store, construct, &index, &mut edges)?;
    } else {
        // One document: its graph only (an index lookup, not a scan of every graph).
        let graph_pattern = match selected.as_ref().filter(|s| s.len() == 1).and_then(|s| s.iter().next()) {
            Some(d) => format!("<{d}>"),
            None => "?g".to_string(),
        };
        for_each_row(
            store,
            &format!(
                "SELECT ?g ?s ?p ?o ?c ?speaker ?modality ?evidence WHERE {{ GRAPH {graph_pattern} {{ \
                 ?st a <{tk}RelationStatement> ; <{rdf}subject> ?s ; \
                 <{rdf}predicate> ?p ; <{rdf}object> ?o ; <{tk}confidence> ?c . FILTER(isIRI(?o)) \
                 FILTER NOT EXISTS {{ ?st <{tk}negated> true }} \
                 OPTIONAL {{ ?st <{tk}attributedTo> ?speaker }} OPTIONAL {{ ?st <{tk}modality> ?modality }} \
                 OPTIONAL {{ ?st <{tk}evidence>/<{nif}anchorOf> ?evidence }} }} }}",
                tk = ns::TK,
                rdf = ns::RDF,
                nif = ns::NIF,
            ),
            |r| {
                let (
                    Some(Term::NamedNode(s)),
                    Some(Term::NamedNode(p)),
                    Some(Term::NamedNode(o)),
                    Some(Term::Literal(c)),
                ) = (r.get("s"), r.get("p"), r.get("o"), r.get("c"))
                else {
                    return Ok(());
                };
                let document = match r.get("g") {
                    Some(Term::NamedNode(g)) => Some(g.as_str()),
                    _ => selected.as_ref().and_then(|s| s.iter().next()).map(String::as_str),
                };
                if let (Some(selected), Some(d)) = (&selected, document)
                    && !selected.contains(d)
                {
                    return Ok(());
                }
                let confidence: f64 = c.value().parse().unwrap_or(0.0);
                if confidence < filter.min_confidence {
                    return Ok(());
                }
                let (Some(&a), Some(&b)) = (index.get(s.as_str()), index.get(o.as_str())) else {
                    return Ok(());
                };
                let speaker = match r.get("speaker") {
                    Some(Term::NamedNode(n)) => Some(n.as_str().to_string()),
                    _ => None,
                };
                let asserted = speaker.is_none() && r.get("modality").is_none();
                let evidence = match r.get("evidence") {
                    Some(Term::Literal(l)) => Some(l.value()),
                    _ => None,
                };
                let date = document.and_then(|d| dates.get(d));
                add_statement(
                    &mut edges,
                    (a, b),
                    p.as_str(),
                    asserted,
                    speaker,
                    confidence,
                    evidence,
                    date,
                );
                Ok(())
            },
        )?;
    }
    for ((a, b, ..), e) in edges {
        graph.add_edge(a, b, e);
    }
    finish(store, graph, filter)
}

/// The node part of a graph selection.
type Selection = (
    EntityGraph,
    HashMap<String, NodeIndex>,
    HashMap<String, String>,
    Option<HashSet<String>>,
);

/// The entity nodes of a selection (without edges), their index by IRI, the
/// document dates and the selected documents.
fn entity_nodes(store: &KgStore, filter: &GraphFilter) -> Result<Selection, ExportError> {
    let dates = document_dates(store)?;
    let selected = selected_documents(store, filter, &dates)?;
    let entities = mentioned_entities(store, selected.as_ref(), &dates)?;
    let mut graph = EntityGraph::new();
    let mut index: HashMap<String, NodeIndex> = HashMap::new();
    for (iri, node_dates) in entities {
        if let Some(mut node) = entity_node(store, &iri)? {
            node.dates = node_dates.into_iter().collect();
            index.insert(iri, graph.add_node(node));
        }
    }
    Ok((graph, index, dates, selected))
}

/// Applies the neighbourhood and isolated-node filters.
fn finish(store: &KgStore, mut graph: EntityGraph, filter: &GraphFilter) -> Result<EntityGraph, ExportError> {
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

/// IRI of the co-mention predicate.
pub fn co_mention_predicate() -> String {
    format!("{}coMentionedWith", ns::TK)
}

/// The co-mention network: an edge between two entities mentioned in the same
/// sentence (pronoun mentions included), from the entity first by IRI to the
/// other, its count the number of such sentences and its evidence the first
/// of them by IRI. Same selections as [`entity_graph`] (`min_confidence` and
/// `construct` do not apply: a co-mention is observed, not extracted).
/// Memory grows with the mentions of the selected documents.
pub fn co_mention_graph(store: &KgStore, filter: &GraphFilter) -> Result<EntityGraph, ExportError> {
    let (mut graph, index, dates, selected) = entity_nodes(store, filter)?;
    let mut sentences: HashMap<String, (Option<String>, Vec<NodeIndex>)> = HashMap::new();
    for_each_row(
        store,
        &format!(
            "SELECT ?g ?s ?e WHERE {{ GRAPH ?g {{ ?m <{}taIdentRef> ?e ; <{}sentence> ?s }} }}",
            ns::ITSRDF,
            ns::NIF
        ),
        |r| {
            let (Some(Term::NamedNode(g)), Some(Term::NamedNode(s)), Some(Term::NamedNode(e))) =
                (r.get("g"), r.get("s"), r.get("e"))
            else {
                return Ok(());
            };
            if selected.as_ref().is_some_and(|sel| !sel.contains(g.as_str())) {
                return Ok(());
            }
            let Some(&i) = index.get(e.as_str()) else { return Ok(()) };
            let entry = sentences
                .entry(s.as_str().to_string())
                .or_insert_with(|| (dates.get(g.as_str()).cloned(), Vec::new()));
            if !entry.1.contains(&i) {
                entry.1.push(i);
            }
            Ok(())
        },
    )?;
    let predicate = co_mention_predicate();
    let mut edges: BTreeMap<(NodeIndex, NodeIndex), (Edge, String)> = BTreeMap::new();
    for (sentence, (date, mut nodes)) in sentences {
        nodes.sort_unstable_by(|a, b| graph[*a].id.cmp(&graph[*b].id));
        for (k, &a) in nodes.iter().enumerate() {
            for &b in &nodes[k + 1..] {
                let (e, first) = edges.entry((a, b)).or_insert_with(|| {
                    (
                        Edge::fact(predicate.clone(), "coMentionedWith".into()),
                        sentence.clone(),
                    )
                });
                e.count += 1;
                if sentence < *first {
                    first.clone_from(&sentence);
                }
                if let Some(d) = &date
                    && let Err(at) = e.dates.binary_search(d)
                {
                    e.dates.insert(at, d.clone());
                }
            }
        }
    }
    let anchor = NamedNode::new_unchecked(format!("{}anchorOf", ns::NIF));
    for ((a, b), (mut e, sentence)) in edges {
        let s = NamedNodeRef::new_unchecked(&sentence);
        if let Some(q) = store
            .inner()
            .quads_for_pattern(Some(s.into()), Some(anchor.as_ref()), None, None)
            .next()
            && let Term::Literal(l) = q.map_err(StoreError::from)?.object
        {
            e.evidence = Some(l.value().to_string());
        }
        graph.add_edge(a, b, e);
    }
    finish(store, graph, filter)
}

/// The edges of a CONSTRUCT result: each constructed triple whose subject
/// and object are entity nodes. Confidence, count and evidence come from the
/// statements of the same (subject, predicate, object) in the store, when
/// there are any (a triple no statement supports has confidence 1 and count 0:
/// the query asserted it).
fn constructed_edges(
    store: &KgStore,
    construct: &str,
    index: &HashMap<String, NodeIndex>,
    edges: &mut EdgeMap,
) -> Result<(), ExportError> {
    let mut prepared = crate::query::evaluator()
        .parse_query(construct)
        .map_err(|e| ExportError::Construct(e.to_string()))?;
    prepared.dataset_mut().set_default_graph_as_union();
    let QueryResults::Graph(triples) = prepared.on_store(store.inner()).execute()? else {
        return Err(ExportError::Construct(
            "it is not a CONSTRUCT query (SELECT, ASK and DESCRIBE do not give an entity graph)".into(),
        ));
    };
    let mut wanted: BTreeSet<(String, String, String)> = BTreeSet::new();
    for t in triples {
        let t = t?;
        if let (oxigraph::model::NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (&t.subject, &t.object)
            && index.contains_key(s.as_str())
            && index.contains_key(o.as_str())
        {
            wanted.insert((
                s.as_str().to_string(),
                t.predicate.as_str().to_string(),
                o.as_str().to_string(),
            ));
        }
    }
    for (s, p, o) in wanted {
        let (Some(&a), Some(&b)) = (index.get(&s), index.get(&o)) else {
            continue;
        };
        let key = (a, b, p.clone(), true, None);
        for_each_row(
            store,
            &format!(
                "SELECT ?c ?evidence WHERE {{ ?st a <{tk}RelationStatement> ; <{rdf}subject> <{s}> ; \
                 <{rdf}predicate> <{p}> ; <{rdf}object> <{o}> ; <{tk}confidence> ?c . \
                 FILTER NOT EXISTS {{ ?st <{tk}negated> true }} \
                 OPTIONAL {{ ?st <{tk}evidence>/<{nif}anchorOf> ?evidence }} }}",
                tk = ns::TK,
                rdf = ns::RDF,
                nif = ns::NIF,
            ),
            |r| {
                let confidence = match r.get("c") {
                    Some(Term::Literal(c)) => c.value().parse().unwrap_or(0.0),
                    _ => 0.0,
                };
                let evidence = match r.get("evidence") {
                    Some(Term::Literal(l)) => Some(l.value()),
                    _ => None,
                };
                add_statement(edges, (a, b), &p, true, None, confidence, evidence, None);
                Ok(())
            },
        )?;
        edges
            .entry(key)
            .or_insert_with(|| Edge::fact(p.clone(), local_name(&p).to_string()));
    }
    Ok(())
}

/// The entities mentioned (`itsrdf:taIdentRef`) in the selected document
/// graphs (all when `None`), sorted, each with the dates of those documents.
fn mentioned_entities(
    store: &KgStore,
    selected: Option<&HashSet<String>>,
    dates: &HashMap<String, String>,
) -> Result<BTreeMap<String, BTreeSet<String>>, ExportError> {
    let predicate = NamedNode::new_unchecked(format!("{}taIdentRef", ns::ITSRDF));
    let mut entities: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let graphs: Vec<Option<String>> = match selected {
        Some(s) if s.len() <= 64 => {
            let mut s: Vec<Option<String>> = s.iter().cloned().map(Some).collect();
            s.sort();
            s
        }
        _ => vec![None],
    };
    for g in graphs {
        let graph = g
            .as_deref()
            .map(|d| GraphNameRef::NamedNode(NamedNodeRef::new_unchecked(d)));
        for q in store
            .inner()
            .quads_for_pattern(None, Some(predicate.as_ref()), None, graph)
        {
            let q = q.map_err(StoreError::from)?;
            let oxigraph::model::GraphName::NamedNode(doc) = &q.graph_name else {
                continue;
            };
            if selected.is_some_and(|s| !s.contains(doc.as_str())) {
                continue;
            }
            if let Term::NamedNode(e) = q.object {
                // Dates are the only thing that depends on the mention's graph.
                let date = dates.get(doc.as_str());
                match entities.get_mut(e.as_str()) {
                    Some(d) => {
                        if let Some(date) = date
                            && !d.contains(date)
                        {
                            d.insert(date.clone());
                        }
                    }
                    None => {
                        entities.insert(e.into_string(), date.cloned().into_iter().collect());
                    }
                }
            }
        }
    }
    Ok(entities)
}

/// The smallest value `pick` takes from the objects of `subject predicate ?o` in any graph.
fn smallest_object(
    store: &KgStore,
    subject: NamedNodeRef<'_>,
    predicate: &str,
    pick: impl Fn(&Term) -> Option<String>,
) -> Result<Option<String>, ExportError> {
    let predicate = NamedNode::new_unchecked(predicate);
    let mut best: Option<String> = None;
    for q in store
        .inner()
        .quads_for_pattern(Some(subject.into()), Some(predicate.as_ref()), None, None)
    {
        if let Some(v) = pick(&q.map_err(StoreError::from)?.object)
            && best.as_deref().is_none_or(|b| v.as_str() < b)
        {
            best = Some(v);
        }
    }
    Ok(best)
}

/// An entity's node: its smallest label and most specific class over all
/// graphs; `None` when it has no label or no class.
fn entity_node(store: &KgStore, iri: &str) -> Result<Option<Node>, ExportError> {
    let subject = NamedNodeRef::new_unchecked(iri);
    let label = smallest_object(store, subject, &format!("{}label", ns::RDFS), |t| match t {
        Term::Literal(l) => Some(l.value().to_string()),
        _ => None,
    })?;
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
    let wikidata = smallest_object(store, subject, &format!("{}sameAs", ns::SCHEMA), |t| match t {
        Term::NamedNode(n) if n.as_str().starts_with(ns::WD) => Some(n.as_str().to_string()),
        _ => None,
    })?;
    Ok(label.zip(node_type).map(|(label, node_type)| Node {
        id: iri.to_string(),
        label,
        node_type,
        wikidata,
        dates: Vec::new(),
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

/// A group of nodes drawn together (a DOT `cluster` subgraph).
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Caption drawn on the cluster.
    pub label: String,
    /// Its nodes.
    pub nodes: Vec<NodeIndex>,
}

/// How to draw the entity graph in DOT.
#[derive(Debug, Clone, Default)]
pub struct DotOptions {
    /// Nodes drawn in boxes (by document, by community); nodes in none are drawn outside.
    pub clusters: Vec<Cluster>,
}

/// Writes the entity graph as Graphviz DOT.
pub fn write_dot(graph: &EntityGraph, out: &mut dyn Write) -> std::io::Result<()> {
    write_dot_with(graph, &DotOptions::default(), out)
}

/// Writes the entity graph as Graphviz DOT: colour and shape by entity type,
/// statements of fact as solid edges, claims (dashed, with their speaker) and
/// modal statements (dotted) drawn apart, and optional clusters.
pub fn write_dot_with(graph: &EntityGraph, options: &DotOptions, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "digraph textkg {{")?;
    writeln!(
        out,
        "  graph [rankdir=LR, fontname=\"Helvetica\", overlap=false, nodesep=0.25, ranksep=0.6];"
    )?;
    writeln!(out, "  node [style=filled, fontname=\"Helvetica\", fontsize=11];")?;
    writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];")?;
    let node_line = |i: NodeIndex, indent: &str, out: &mut dyn Write| -> std::io::Result<()> {
        let n = &graph[i];
        let (shape, color) = style(&n.node_type);
        writeln!(
            out,
            "{indent}n{} [label=\"{}\\n({})\", shape={shape}, fillcolor=\"{color}\", tooltip=\"{}\"];",
            i.index(),
            dot_escape(&n.label),
            dot_escape(&n.node_type),
            dot_escape(&n.id)
        )
    };
    let labels: HashMap<&str, &str> = graph
        .node_weights()
        .map(|n| (n.id.as_str(), n.label.as_str()))
        .collect();
    let mut drawn: HashSet<NodeIndex> = HashSet::new();
    for (k, c) in options.clusters.iter().enumerate() {
        let members: Vec<NodeIndex> = c
            .nodes
            .iter()
            .copied()
            .filter(|&i| graph.node_weight(i).is_some() && !drawn.contains(&i))
            .collect();
        if members.is_empty() {
            continue;
        }
        writeln!(out, "  subgraph cluster_{k} {{")?;
        writeln!(
            out,
            "    label=\"{}\"; style=\"rounded,dashed\"; color=\"#888888\"; fontsize=10;",
            dot_escape(&c.label)
        )?;
        for i in members {
            drawn.insert(i);
            node_line(i, "    ", out)?;
        }
        writeln!(out, "  }}")?;
    }
    for i in graph.node_indices().filter(|i| !drawn.contains(i)) {
        node_line(i, "  ", out)?;
    }
    for e in graph.edge_references() {
        let w = e.weight();
        // Escaped here, piece by piece: the line breaks below are DOT's `\\n`.
        let mut label = dot_escape(&if w.count > 1 {
            format!("{} ({}×)", w.label, w.count)
        } else {
            w.label.clone()
        });
        let style = match (&w.claimed_by, w.asserted) {
            (Some(speaker), _) => {
                let who = labels
                    .get(speaker.as_str())
                    .copied()
                    .unwrap_or_else(|| local_name(speaker));
                label = format!("{label}\\n(claimed by {})", dot_escape(who));
                ", style=dashed, color=\"#b35806\", fontcolor=\"#b35806\""
            }
            (None, false) => {
                label = format!("{label}\\n(modal)");
                ", style=dotted, color=\"#666666\", fontcolor=\"#666666\""
            }
            (None, true) => "",
        };
        let tooltip = match &w.evidence {
            Some(ev) => format!("confidence {:.2}: {}", w.confidence, ev),
            None => format!("confidence {:.2}", w.confidence),
        };
        writeln!(
            out,
            "  n{} -> n{} [label=\"{}\", tooltip=\"{}\", penwidth={:.1}{style}];",
            e.source().index(),
            e.target().index(),
            label,
            dot_escape(&tooltip),
            0.5 + 2.0 * w.confidence
        )?;
    }
    writeln!(out, "}}")
}

/// Clusters of the entity graph by document: each entity joins the document
/// (its `tk:sourceName`) that mentions it most, the first by name among equals.
pub fn document_clusters(store: &KgStore, graph: &EntityGraph) -> Result<Vec<Cluster>, ExportError> {
    let predicate = NamedNode::new_unchecked(format!("{}taIdentRef", ns::ITSRDF));
    let mut by_document: BTreeMap<String, Vec<NodeIndex>> = BTreeMap::new();
    for i in graph.node_indices() {
        let entity = NamedNodeRef::new_unchecked(&graph[i].id);
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for q in store
            .inner()
            .quads_for_pattern(None, Some(predicate.as_ref()), Some(entity.into()), None)
        {
            if let oxigraph::model::GraphName::NamedNode(g) = q.map_err(StoreError::from)?.graph_name {
                *counts.entry(g.into_string()).or_default() += 1;
            }
        }
        // Most mentions first; BTreeMap order breaks ties by IRI.
        if let Some((doc, _)) = counts.into_iter().rev().max_by_key(|(_, n)| *n) {
            by_document.entry(doc).or_default().push(i);
        }
    }
    let mut clusters = Vec::new();
    for (doc, nodes) in by_document {
        // The headline when the document has one, else its input name.
        let mut label = doc.clone();
        for p in [format!("{}sourceName", ns::TK), format!("{}headline", ns::SCHEMA)] {
            if let Some(Term::Literal(l)) = first_binding(
                store,
                &format!("SELECT ?n WHERE {{ GRAPH <{doc}> {{ <{doc}> <{p}> ?n }} }}"),
                "n",
            )? {
                label = l.value().to_string();
            }
        }
        clusters.push(Cluster { label, nodes });
    }
    Ok(clusters)
}

/// Writes the entity graph as node-link JSON: `{"directed": true, "multigraph": true,
/// "graph": {}, "nodes": [...], "edges": [...]}`, which `networkx.node_link_graph`
/// reads as a `MultiDiGraph` (and d3 as nodes and links).
pub fn write_json(graph: &EntityGraph, out: &mut dyn Write) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct JsonEdge<'a> {
        source: &'a str,
        target: &'a str,
        /// Distinguishes parallel edges (networkx multigraph key).
        key: String,
        #[serde(flatten)]
        edge: &'a Edge,
    }
    #[derive(serde::Serialize)]
    struct JsonGraph<'a> {
        directed: bool,
        multigraph: bool,
        graph: serde_json::Map<String, serde_json::Value>,
        nodes: Vec<&'a Node>,
        edges: Vec<JsonEdge<'a>>,
    }
    let value = JsonGraph {
        directed: true,
        multigraph: true,
        graph: serde_json::Map::new(),
        nodes: graph.node_weights().collect(),
        edges: graph
            .edge_references()
            .map(|e| JsonEdge {
                source: &graph[e.source()].id,
                target: &graph[e.target()].id,
                key: edge_key(e.weight()),
                edge: e.weight(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}

/// Reads node-link JSON as written by [`write_json`] (and by networkx's
/// `node_link_data` with `edges="edges"`): nodes need an `id`; `label` and
/// `type` default to the id and `Thing`; edges need `source` and `target`
/// and may carry `predicate`, `label`, `confidence` (default 1), `count`
/// (default 1), `evidence`, `asserted` (default true) and `claimed_by`.
/// `links` is accepted for `edges`.
pub fn read_json(input: &mut dyn std::io::Read) -> Result<EntityGraph, ExportError> {
    use serde_json::Value;
    let value: Value = serde_json::from_reader(input).map_err(|e| ExportError::BadGraph(e.to_string()))?;
    let bad = |what: String| ExportError::BadGraph(what);
    let nodes = value
        .get("nodes")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no \"nodes\" array".into()))?;
    let edges = value
        .get("edges")
        .or_else(|| value.get("links"))
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no \"edges\" (or \"links\") array".into()))?;
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let mut graph = EntityGraph::new();
    let mut index: HashMap<String, NodeIndex> = HashMap::new();
    for (k, n) in nodes.iter().enumerate() {
        let id = n
            .get("id")
            .and_then(text)
            .ok_or_else(|| bad(format!("node {k} has no id")))?;
        if index.contains_key(&id) {
            return Err(bad(format!("node id {id:?} appears twice")));
        }
        let node = Node {
            label: n.get("label").and_then(text).unwrap_or_else(|| id.clone()),
            node_type: n.get("type").and_then(text).unwrap_or_else(|| "Thing".into()),
            wikidata: n.get("wikidata").and_then(text),
            dates: Vec::new(),
            id: id.clone(),
        };
        index.insert(id, graph.add_node(node));
    }
    for (k, e) in edges.iter().enumerate() {
        let end = |key: &str| -> Result<NodeIndex, ExportError> {
            let id = e
                .get(key)
                .and_then(text)
                .ok_or_else(|| bad(format!("edge {k} has no {key}")))?;
            index
                .get(&id)
                .copied()
                .ok_or_else(|| bad(format!("edge {k}: {key} {id:?} is not a node")))
        };
        let (a, b) = (end("source")?, end("target")?);
        let predicate = e.get("predicate").and_then(text).unwrap_or_else(|| "related".into());
        let count = match e.get("count") {
            None => 1,
            Some(c) => c
                .as_u64()
                .and_then(|c| usize::try_from(c).ok())
                .ok_or_else(|| bad(format!("edge {k}: count {c} is not a whole number")))?,
        };
        let confidence = match e.get("confidence") {
            None => 1.0,
            Some(c) => c
                .as_f64()
                .filter(|c| c.is_finite())
                .ok_or_else(|| bad(format!("edge {k}: confidence {c} is not a number")))?,
        };
        graph.add_edge(
            a,
            b,
            Edge {
                label: e
                    .get("label")
                    .and_then(text)
                    .unwrap_or_else(|| local_name(&predicate).to_string()),
                predicate,
                confidence,
                count,
                evidence: e.get("evidence").and_then(text),
                asserted: e.get("asserted").and_then(Value::as_bool).unwrap_or(true),
                claimed_by: e.get("claimed_by").and_then(text),
                dates: Vec::new(),
            },
        );
    }
    Ok(graph)
}

/// A key that tells apart the edges between the same two nodes: the predicate,
/// and for claims and modal statements, what kind they are.
pub fn edge_key(e: &Edge) -> String {
    match (&e.claimed_by, e.asserted) {
        (Some(speaker), _) => format!("{} claimed-by {}", e.predicate, speaker),
        (None, false) => format!("{} modal", e.predicate),
        (None, true) => e.predicate.clone(),
    }
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

//! Cross-document entity resolution: a store step after ingest.
//!
//! Entity IRIs are minted from type + canonical name, so two documents share a
//! node only when they name it identically. This step joins the rest: an
//! entity of one document (the *source*, e.g. `person/keller` from "Chancellor
//! Keller said…") is merged into an entity that other documents mention (the
//! *target*, `person/anna-keller`) when the target is the unique compatible
//! candidate:
//!
//! - **blocking**: the source's normalised label equals a normalised alias of
//!   the target (`cross-document-alias`) or, for people, its last words
//!   (`cross-document-surname`);
//! - **sources** are short forms: any entity, but for people only a surname
//!   ("Keller", "von der Leyen"); a full name never joins another node;
//! - **conflicts** exclude a candidate: different coarse types (a city and an
//!   organisation both called "Washington"; an untyped `Thing` joins only a
//!   `Thing`), different place classes (City vs Country), disjoint role titles, the target already present in the
//!   source's document (the document kept them apart), or a merge a user
//!   undid (recorded as `undone`);
//! - **score**: name evidence 0.5, +0.1 when both are typed (not `Thing`), +0.3 for a shared role title, +0.1 per shared co-occurring
//!   entity (at most +0.3), +0.2 for a person who dominates the name in the corpus
//!   (named in at least ten times as many documents as any other candidate,
//!   and in three or more: "Trump" → Donald Trump, not "Clinton"). A merge needs [`THRESHOLD`] and a lead of
//!   [`MARGIN`] over the next candidate, so "Keller" stays apart when both
//!   "Anna Keller" and "Tom Keller" fit and nothing disambiguates.
//!
//! **Storage.** A merge rewrites the source document's graph (the source IRI,
//! and IRIs under it such as role nodes, become the target; the source label
//! becomes a `skos:altLabel` of the target), so queries see one node. Each
//! merge is a `tk:MergeDecision` + `tk:CrossDocumentMerge` in the resolution
//! graph (`{base}resolution`) with rule, score, explanation, the merged
//! document (`prov:wasDerivedFrom`), the documents that support the target
//! (`tk:supportingDocument`, at most [`MAX_SUPPORTING`] of them, and their
//! number, `tk:supportingDocumentCount`) and the document's content hash at merge time.
//!
//! **Determinism.** [`resolve`] maps every applied merge back (in memory, one
//! document at a time) to see the documents as extracted, computes the wanted
//! merges from that view alone, then rewrites only the graphs whose wanted
//! state differs, in transactions of whole documents. The result depends on the set of documents and the undone
//! merges, never on ingest order. A replaced document (new content hash) is
//! pristine again; its stale decisions are dropped and recomputed.
//!
//! **Undo.** [`undo`] maps the document graph back (exact: the target did not
//! occur in that graph before the merge) and marks the decision `undone`; later
//! runs never make that (document, source, target) merge again.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};

use crate::iri::{self, Namespace};
use crate::rdf::ns;
use crate::store::KgStore;

/// Minimum score of a cross-document merge.
pub const THRESHOLD: f64 = 0.6;
/// Lead the best candidate needs over the second one.
pub const MARGIN: f64 = 0.2;
/// Rule: the source label is an alias of the target.
pub const RULE_ALIAS: &str = "cross-document-alias";
/// Rule: the source label is the last words of a person's name.
pub const RULE_SURNAME: &str = "cross-document-surname";
/// Supporting documents a decision lists (with their total count). All of
/// them made every record grow with the corpus: a merge into an entity named
/// in a tenth of 10,000 documents carried 1,000 IRIs, and resolution's memory
/// went quadratic (2.3 GB at 10k documents; issue 17).
pub const MAX_SUPPORTING: usize = 10;
/// Status of a merge that is applied.
pub const STATUS_ACTIVE: &str = "active";
/// Status of a merge a user undid (never made again).
pub const STATUS_UNDONE: &str = "undone";

/// Errors of resolution and undo.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The underlying storage failed.
    #[error("storage error: {0}")]
    Storage(#[from] oxigraph::store::StorageError),
    /// An internal query failed.
    #[error("query error: {0}")]
    Query(#[from] oxigraph::sparql::QueryEvaluationError),
    /// An internal query does not parse (a bug).
    #[error("internal query does not parse: {0}")]
    Syntax(#[from] oxigraph::sparql::SparqlSyntaxError),
    /// No cross-document merge decision has this id.
    #[error("no cross-document merge decision {0:?} (list them with `textkg merges`)")]
    NotFound(String),
    /// The id names more than one decision.
    #[error("merge decision id {0:?} is ambiguous; give the full IRI")]
    Ambiguous(String),
    /// The decision was already undone.
    #[error("merge decision {0} is already undone")]
    AlreadyUndone(String),
}

/// What a resolution run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ResolveSummary {
    /// Cross-document merges in force after the run.
    pub merges: usize,
    /// Merges made by this run.
    pub added: usize,
    /// Merges of earlier runs taken back (evidence changed).
    pub removed: usize,
    /// Entities left apart because several candidates fit equally well.
    pub ambiguous: usize,
    /// Document graphs rewritten.
    pub documents_rewritten: usize,
}

/// One cross-document merge decision, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossMerge {
    /// Decision IRI.
    pub id: String,
    /// Document whose entity was merged.
    pub document: String,
    /// The merged (source) entity IRI.
    pub source: String,
    /// The source's label ("Keller").
    pub form: String,
    /// The target entity IRI.
    pub target: String,
    /// Rule.
    pub rule: String,
    /// Score.
    pub score: f64,
    /// Human-readable reasons.
    pub explanation: String,
    /// Documents that mention the target: the first [`MAX_SUPPORTING`] by IRI.
    pub supporting: Vec<String>,
    /// How many documents mention the target (besides `document`).
    pub supporting_count: usize,
    /// Content hash of `document` when the merge was made.
    pub content_hash: String,
    /// `active` or `undone`.
    pub status: String,
}

fn tk(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}{local}", ns::TK))
}

fn iri_term(t: &Term) -> Option<&str> {
    match t {
        Term::NamedNode(n) => Some(n.as_str()),
        _ => None,
    }
}

fn lit(t: Option<&Term>) -> String {
    match t {
        Some(Term::Literal(l)) => l.value().to_string(),
        Some(Term::NamedNode(n)) => n.as_str().to_string(),
        Some(t) => t.to_string(),
        None => String::new(),
    }
}

fn select(store: &KgStore, q: &str) -> Result<Vec<oxigraph::sparql::QuerySolution>, ResolveError> {
    let prepared = SparqlEvaluator::new().parse_query(q)?;
    let mut out = Vec::new();
    if let QueryResults::Solutions(solutions) = prepared.on_store(store.inner()).execute()? {
        for s in solutions {
            out.push(s?);
        }
    }
    Ok(out)
}

/// The named graph holding cross-document decisions.
pub fn resolution_graph(namespace: &Namespace) -> String {
    format!("{}resolution", namespace.base())
}

/// Current content hash of every document.
fn documents(store: &KgStore) -> Result<BTreeMap<String, String>, ResolveError> {
    let q = format!(
        "SELECT ?d ?h WHERE {{ GRAPH ?d {{ ?d a <{tk}Document> ; <{tk}contentHash> ?h }} }}",
        tk = ns::TK
    );
    Ok(select(store, &q)?
        .iter()
        .filter_map(|s| match s.get("d") {
            Some(Term::NamedNode(d)) => Some((d.as_str().to_string(), lit(s.get("h")))),
            _ => None,
        })
        .collect())
}

/// Every stored cross-document decision, sorted by IRI.
pub fn decisions(store: &KgStore) -> Result<Vec<CrossMerge>, ResolveError> {
    let q = format!(
        "SELECT ?m ?doc ?src ?form ?tgt ?rule ?score ?why ?hash ?status (SAMPLE(?n) AS ?count) \
         (GROUP_CONCAT(DISTINCT STR(?sup); SEPARATOR=\" \") AS ?sups) WHERE {{ GRAPH ?g {{ \
         ?m a <{tk}CrossDocumentMerge> ; <{prov}wasDerivedFrom> ?doc ; <{tk}mergedEntity> ?src ; \
         <{tk}mergedForm> ?form ; <{tk}mergedInto> ?tgt ; <{tk}mergeRule> ?rule ; <{tk}mergeScore> ?score ; \
         <{tk}mergeExplanation> ?why ; <{tk}mergedContentHash> ?hash ; <{tk}mergeStatus> ?status . \
         OPTIONAL {{ ?m <{tk}supportingDocument> ?sup }} OPTIONAL {{ ?m <{tk}supportingDocumentCount> ?n }} }} }} \
         GROUP BY ?m ?doc ?src ?form ?tgt ?rule ?score ?why ?hash ?status ORDER BY ?m",
        tk = ns::TK,
        prov = ns::PROV
    );
    Ok(select(store, &q)?
        .iter()
        .map(|s| CrossMerge {
            id: lit(s.get("m")),
            document: lit(s.get("doc")),
            source: lit(s.get("src")),
            form: lit(s.get("form")),
            target: lit(s.get("tgt")),
            rule: lit(s.get("rule")),
            score: lit(s.get("score")).parse().unwrap_or(0.0),
            explanation: lit(s.get("why")),
            supporting: lit(s.get("sups")).split_whitespace().map(str::to_string).collect(),
            supporting_count: lit(s.get("count")).parse().unwrap_or(0),
            content_hash: lit(s.get("hash")),
            status: lit(s.get("status")),
        })
        .collect())
}

/// What one document says about one entity.
#[derive(Debug, Clone, Default)]
struct Profile {
    label: String,
    types: Types,
    aliases: BTreeSet<String>,
    titles: BTreeSet<String>,
}

/// An IRI rename inside one document graph: `from` (and IRIs under `from/`)
/// becomes `to`; `form` is the label that turns into an alias and back.
#[derive(Debug, Clone)]
struct Rename {
    from: String,
    to: String,
    form: String,
}

fn rename_iri(iri: &str, renames: &[Rename]) -> Option<String> {
    for r in renames {
        if iri == r.from {
            return Some(r.to.clone());
        }
        if let Some(rest) = iri.strip_prefix(&r.from)
            && rest.starts_with('/')
        {
            return Some(format!("{}{rest}", r.to));
        }
    }
    None
}

/// Applies renames to quads. `forward`: a renamed subject's `rdfs:label form`
/// becomes `skos:altLabel form`; backward: the reverse.
fn rename_quads(quads: &[Quad], renames: &[Rename], forward: bool) -> Vec<Quad> {
    if renames.is_empty() {
        return quads.to_vec();
    }
    let alt = NamedNode::new_unchecked(format!("{}altLabel", ns::SKOS));
    quads
        .iter()
        .map(|q| {
            let mut q = q.clone();
            let mut renamed_subject = None;
            if let NamedOrBlankNode::NamedNode(s) = &q.subject
                && let Some(n) = rename_iri(s.as_str(), renames)
            {
                renamed_subject = renames.iter().find(|r| r.from == s.as_str()).map(|r| r.form.clone());
                q.subject = NamedNode::new_unchecked(n).into();
            }
            if let Term::NamedNode(o) = &q.object
                && let Some(n) = rename_iri(o.as_str(), renames)
            {
                q.object = NamedNode::new_unchecked(n).into();
            }
            if let (Some(form), Term::Literal(l)) = (renamed_subject, &q.object)
                && l.value() == form
            {
                if forward && q.predicate.as_ref() == rdfs::LABEL {
                    q.predicate = alt.clone();
                } else if !forward && q.predicate == alt {
                    q.predicate = rdfs::LABEL.into_owned();
                }
            }
            q
        })
        .collect()
}

/// The IRI renames that apply decisions (source → target) or undo them.
fn renames(decisions: &[&CrossMerge], undo: bool) -> Vec<Rename> {
    decisions
        .iter()
        .map(|d| {
            let (from, to) = if undo {
                (&d.target, &d.source)
            } else {
                (&d.source, &d.target)
            };
            Rename {
                from: from.clone(),
                to: to.clone(),
                form: d.form.clone(),
            }
        })
        .collect()
}

fn forward(decisions: &[&CrossMerge]) -> Vec<Rename> {
    renames(decisions, false)
}

fn backward(decisions: &[&CrossMerge]) -> Vec<Rename> {
    renames(decisions, true)
}

fn graph_quads(store: &KgStore, graph: &str) -> Result<Vec<Quad>, ResolveError> {
    let g = NamedNodeRef::new_unchecked(graph);
    Ok(store
        .inner()
        .quads_for_pattern(None, None, None, Some(g.into()))
        .collect::<Result<_, _>>()?)
}

/// The document graphs (each names a `tk:Document` in itself), sorted by IRI:
/// the order every pass of [`resolve_with_options`] visits them in.
fn document_graphs(store: &KgStore) -> Result<Vec<NamedNode>, ResolveError> {
    let document = tk("Document");
    let mut graphs = Vec::new();
    for q in store
        .inner()
        .quads_for_pattern(None, Some(rdf::TYPE), Some(document.as_ref().into()), None)
    {
        let q = q?;
        if let (NamedOrBlankNode::NamedNode(s), GraphName::NamedNode(g)) = (q.subject, q.graph_name)
            && s == g
        {
            graphs.push(g);
        }
    }
    graphs.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
    graphs.dedup();
    Ok(graphs)
}

/// Entity profiles of one document graph, from its quads: the entities its
/// mentions link to (`itsrdf:taIdentRef`) with their types, label, aliases
/// and job titles in that graph.
///
/// Read graph by graph from the store's index, not with one SPARQL join over
/// all documents: that query's `DISTINCT` and its collected solutions held
/// every (document, entity, property, value) row at once (issue 17).
fn profile_of(quads: impl IntoIterator<Item = Quad>) -> BTreeMap<String, Profile> {
    let ident_ref = NamedNode::new_unchecked(format!("{}taIdentRef", ns::ITSRDF));
    let alt_label = NamedNode::new_unchecked(format!("{}altLabel", ns::SKOS));
    let job_title = NamedNode::new_unchecked(format!("{}jobTitle", ns::SCHEMA));
    let mut referenced: HashSet<NamedNode> = HashSet::new();
    let mut properties: Vec<(NamedNode, NamedNode, Term)> = Vec::new();
    for q in quads {
        if q.predicate == ident_ref {
            if let Term::NamedNode(e) = q.object {
                referenced.insert(e);
            }
        } else if (q.predicate.as_ref() == rdf::TYPE
            || q.predicate.as_ref() == rdfs::LABEL
            || q.predicate == alt_label
            || q.predicate == job_title)
            && let NamedOrBlankNode::NamedNode(s) = q.subject
        {
            properties.push((s, q.predicate, q.object));
        }
    }
    let mut entities: BTreeMap<String, Profile> = BTreeMap::new();
    for (e, p, o) in properties {
        if !referenced.contains(&e) {
            continue;
        }
        let profile = entities.entry(e.into_string()).or_default();
        let value = lit(Some(&o));
        if p.as_ref() == rdf::TYPE {
            profile.types.insert(&value);
        } else if p.as_ref() == rdfs::LABEL {
            // A document may give two ("ISIS", "Isis"): the last in the
            // index's order wins, as it did with the SPARQL query.
            profile.label = value;
        } else if p == alt_label {
            profile.aliases.insert(value);
        } else {
            profile.titles.insert(value);
        }
    }
    entities
}

/// One document's entities as extracted: [`profile_of`] its graph as the
/// store holds it now, with the merges applied to it (`applied`) mapped back.
fn pristine_profile(quads: impl IntoIterator<Item = Quad>, applied: &[&CrossMerge]) -> BTreeMap<String, Profile> {
    let mut entities = profile_of(quads);
    for m in applied {
        if let Some(mut p) = entities.remove(&m.target) {
            p.aliases.remove(&m.form);
            p.label = m.form.clone();
            entities.insert(m.source.clone(), p);
        }
    }
    entities
}

/// [`pristine_profile`] of a document graph read from the store's index: the
/// mention links first, then the quads of each linked entity, not the whole
/// graph (the passes of [`resolve_with_options`] read every document).
fn read_pristine(
    store: &KgStore,
    graph: &NamedNode,
    applied: &[&CrossMerge],
) -> Result<BTreeMap<String, Profile>, ResolveError> {
    let ident_ref = NamedNode::new_unchecked(format!("{}taIdentRef", ns::ITSRDF));
    let g = GraphNameRef::NamedNode(graph.as_ref());
    let mut links = Vec::new();
    let mut entities = BTreeSet::new();
    for q in store
        .inner()
        .quads_for_pattern(None, Some(ident_ref.as_ref()), None, Some(g))
    {
        let q = q?;
        if let Term::NamedNode(e) = &q.object {
            entities.insert(e.clone());
        }
        links.push(q);
    }
    let mut quads = links;
    for e in &entities {
        for q in store
            .inner()
            .quads_for_pattern(Some(e.as_ref().into()), None, None, Some(g))
        {
            quads.push(q?);
        }
    }
    Ok(pristine_profile(quads, applied))
}

/// The classes resolution tells apart, in the order [`coarse`] tries them,
/// then the place classes. An entity's types are kept as a bit set of these:
/// a set of type IRIs per (document, entity) pair was the largest part of
/// resolution's memory (issue 17).
const CLASSES: [(&str, &str); 9] = [
    (ns::SCHEMA, "Person"),
    (ns::SCHEMA, "Organization"),
    (ns::SCHEMA, "Place"),
    (ns::SCHEMA, "Event"),
    (ns::TK, "Group"),
    (ns::SCHEMA, "Thing"),
    (ns::SCHEMA, "City"),
    (ns::SCHEMA, "Country"),
    (ns::SCHEMA, "AdministrativeArea"),
];
/// Bits of [`CLASSES`] that are place classes.
const PLACE_CLASSES: u16 = 0b1_1100_0000;

/// The [`CLASSES`] among an entity's types (others do not matter here).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Types(u16);

impl Types {
    fn insert(&mut self, iri: &str) {
        for (i, (namespace, local)) in CLASSES.iter().enumerate() {
            if iri.strip_prefix(namespace) == Some(*local) {
                self.0 |= 1 << i;
            }
        }
    }

    fn extend(&mut self, other: Types) {
        self.0 |= other.0;
    }
}

/// Coarse class of an entity from its types; `None` for non-entities (dates).
fn coarse(types: Types) -> Option<&'static str> {
    let names = ["Person", "Organization", "Place", "Event", "Group", "Thing"];
    names
        .iter()
        .enumerate()
        .find(|(i, _)| types.0 & (1 << i) != 0)
        .map(|(_, name)| *name)
}

/// City, Country, AdministrativeArea among the types, as bits.
fn place_classes(types: Types) -> u16 {
    types.0 & PLACE_CLASSES
}

/// A target candidate: the entity over all documents that mention it natively.
///
/// Co-occurring entities are numbers, and of the documents only their count
/// and the first few (the supporting documents a decision lists) are kept:
/// both grow with every (document, entity) pair of the corpus, and owned
/// IRIs made them the bulk of resolution's memory (issue 17).
#[derive(Debug, Default)]
struct Target {
    label: String,
    types: Types,
    aliases: BTreeSet<String>,
    titles: BTreeSet<String>,
    /// Documents that mention it natively.
    documents: usize,
    /// The first of them in IRI order (indices into the sorted document
    /// graphs), one more than [`MAX_SUPPORTING`] so that a document's own
    /// entry can be left out.
    first_documents: Vec<usize>,
    /// [`EntityIds`] of the typed entities sharing a document with this one.
    cooccurring: rustc_hash::FxHashSet<usize>,
}

/// Small numbers for entity IRIs.
#[derive(Debug, Default)]
struct EntityIds(std::collections::HashMap<String, usize>);

impl EntityIds {
    fn intern(&mut self, iri: &str) -> usize {
        let next = self.0.len();
        match self.0.get(iri) {
            Some(id) => *id,
            None => {
                self.0.insert(iri.to_string(), next);
                next
            }
        }
    }

    fn get(&self, iri: &str) -> Option<usize> {
        self.0.get(iri).copied()
    }
}

/// What resolution knows of the whole corpus, gathered document by document
/// (first pass): the target candidates and their co-occurrences. It grows
/// with the distinct entities, not with the (document, entity) pairs.
#[derive(Debug, Default)]
struct Corpus {
    targets: BTreeMap<String, Target>,
    ids: EntityIds,
}

impl Corpus {
    /// Adds document number `d` (in the sorted document graphs) with its
    /// entities as extracted. Documents must come in that order.
    fn add_document(&mut self, d: usize, entities: &BTreeMap<String, Profile>) {
        let typed: Vec<usize> = entities
            .keys()
            .filter(|o| pristine_entity(entities, o))
            .map(|o| self.ids.intern(o))
            .collect();
        for (e, p) in entities {
            if coarse(p.types).is_none() {
                continue;
            }
            let own = self.ids.intern(e);
            let t = match self.targets.get_mut(e.as_str()) {
                Some(t) => t,
                None => self.targets.entry(e.clone()).or_default(),
            };
            if t.label.is_empty() {
                t.label = p.label.clone();
            }
            t.types.extend(p.types);
            t.aliases.extend(p.aliases.iter().cloned());
            t.titles.extend(p.titles.iter().map(|s| iri::slug(s)));
            t.documents += 1;
            if t.first_documents.len() <= MAX_SUPPORTING {
                t.first_documents.push(d);
            }
            t.cooccurring.extend(typed.iter().copied().filter(|o| *o != own));
        }
    }

    /// The blocking index: normalised keys (aliases, person surnames) to the
    /// targets they may name, each list in target IRI order.
    fn index(&self) -> BTreeMap<String, Vec<(&str, &'static str)>> {
        let mut index: BTreeMap<String, Vec<(&str, &'static str)>> = BTreeMap::new();
        for (e, t) in &self.targets {
            let mut keys: BTreeMap<String, &'static str> = BTreeMap::new();
            if coarse(t.types) == Some("Person") {
                let words: Vec<&str> = t.label.split_whitespace().collect();
                for k in 1..words.len() {
                    keys.insert(iri::slug(&words[k..].join(" ")), RULE_SURNAME);
                }
            }
            for a in &t.aliases {
                keys.insert(iri::slug(a), RULE_ALIAS);
            }
            keys.remove(&iri::slug(&t.label));
            for (k, rule) in keys {
                index.entry(k).or_default().push((e.as_str(), rule));
            }
        }
        index
    }
}

struct Candidate<'a> {
    target: &'a str,
    rule: &'static str,
    score: f64,
    reasons: Vec<String>,
}

fn decision_iri(namespace: &Namespace, document: &str, source: &str, target: &str) -> String {
    let key = format!("{document}\n{source}\n{target}");
    format!("{}merge/{}", namespace.base(), &iri::sha256_hex(key.as_bytes())[..16])
}

/// What [`wanted_in`] needs besides the document.
struct Context<'a> {
    corpus: &'a Corpus,
    index: &'a BTreeMap<String, Vec<(&'a str, &'static str)>>,
    /// The sorted document graphs ([`Target::first_documents`] indexes them).
    graphs: &'a [NamedNode],
    hashes: &'a BTreeMap<String, String>,
    undone: &'a BTreeSet<(String, String, String)>,
    namespace: &'a Namespace,
}

/// The wanted merges of one document `d`, from its entities as extracted
/// (pristine), before the corpus-wide rule against chains.
fn wanted_in(
    cx: &Context,
    d: &str,
    entities: &BTreeMap<String, Profile>,
    summary: &mut ResolveSummary,
) -> Vec<CrossMerge> {
    let (targets, ids) = (&cx.corpus.targets, &cx.corpus.ids);
    let mut out = Vec::new();
    // Sources that would join the same target in one document: keep none.
    let mut per_target: BTreeMap<String, Vec<CrossMerge>> = BTreeMap::new();
    for (s, p) in entities {
        let Some(source_class) = coarse(p.types) else { continue };
        if source_class == "Person" && !is_short_person_name(&p.label) {
            continue; // a full name is its own node; only short forms join others
        }
        let Some(blocked) = cx.index.get(&iri::slug(&p.label)) else {
            continue;
        };
        let mut candidates: Vec<Candidate> = Vec::new();
        for &(t_iri, rule) in blocked {
            if t_iri == s || entities.contains_key(t_iri) {
                continue; // the document itself keeps them apart
            }
            let Some(t) = targets.get(t_iri) else { continue };
            if coarse(t.types) != Some(source_class) {
                continue; // different (or unknown) types never merge
            }
            let (sp, tp) = (place_classes(p.types), place_classes(t.types));
            if sp != 0 && tp != 0 && sp & tp == 0 {
                continue;
            }
            let titles: BTreeSet<String> = p.titles.iter().map(|s| iri::slug(s)).collect();
            if !titles.is_empty() && !t.titles.is_empty() && titles.is_disjoint(&t.titles) {
                continue;
            }
            let mut score = 0.5;
            let mut reasons = vec![if rule == RULE_ALIAS {
                format!("\"{}\" is an alias of {}", p.label, t.label)
            } else {
                format!("\"{}\" ends the name {}", p.label, t.label)
            }];
            if source_class != "Thing" {
                score += 0.1;
                reasons.push(format!("same type {source_class}"));
            }
            let shared_titles: Vec<&String> = p.titles.iter().filter(|x| t.titles.contains(&iri::slug(x))).collect();
            if let Some(first) = shared_titles.first() {
                score += 0.3;
                reasons.push(format!("shared title {first}"));
            }
            let shared: Vec<&str> = entities
                .keys()
                .filter(|o| *o != s && ids.get(o).is_some_and(|i| t.cooccurring.contains(&i)))
                .filter_map(|o| entities.get(o).map(|x| x.label.as_str()))
                .collect();
            if !shared.is_empty() {
                score += 0.1 * shared.len().min(3) as f64;
                let more = shared.len().saturating_sub(5);
                reasons.push(format!(
                    "shared co-occurring entities: {}{}",
                    shared[..shared.len().min(5)].join(", "),
                    if more > 0 {
                        format!(" (+{more} more)")
                    } else {
                        String::new()
                    }
                ));
            }
            candidates.push(Candidate {
                target: t_iri,
                rule,
                score,
                reasons,
            });
        }
        dominance_bonus(&mut candidates, targets, source_class);
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.target.cmp(b.target)));
        let Some(best) = candidates.first() else { continue };
        if best.score + 1e-9 < THRESHOLD {
            continue;
        }
        if candidates.get(1).is_some_and(|c| best.score - c.score + 1e-9 < MARGIN) {
            summary.ambiguous += 1;
            continue;
        }
        if cx.undone.contains(&(d.to_string(), s.clone(), best.target.to_string())) {
            continue;
        }
        let Some(t) = targets.get(best.target) else { continue };
        // `d` is never among the target's documents (a target the document
        // names is no candidate); the list leaves it out all the same.
        let own = cx.graphs.binary_search_by(|g| g.as_str().cmp(d)).ok();
        let own_listed = own.is_some_and(|i| t.first_documents.contains(&i));
        let supporting: Vec<String> = t
            .first_documents
            .iter()
            .filter(|i| Some(**i) != own)
            .take(MAX_SUPPORTING)
            .filter_map(|i| cx.graphs.get(*i).map(|g| g.as_str().to_string()))
            .collect();
        let supporting_count = t.documents - usize::from(own_listed);
        per_target.entry(best.target.to_string()).or_default().push(CrossMerge {
            id: decision_iri(cx.namespace, d, s, best.target),
            document: d.to_string(),
            source: s.clone(),
            form: p.label.clone(),
            target: best.target.to_string(),
            rule: best.rule.to_string(),
            score: (best.score * 1000.0).round() / 1000.0,
            explanation: best.reasons.join("; "),
            supporting,
            supporting_count,
            content_hash: cx.hashes.get(d).cloned().unwrap_or_default(),
            status: STATUS_ACTIVE.to_string(),
        });
    }
    for (_, mut v) in per_target {
        if v.len() == 1 {
            out.append(&mut v);
        } else {
            summary.ambiguous += v.len();
        }
    }
    out
}

/// Score a person candidate gains when the corpus clearly names it more than
/// every other candidate for the same short form.
pub const DOMINANCE_BONUS: f64 = 0.2;
/// How many times more documents the dominant candidate must be named in
/// than the next one ...
pub const DOMINANCE_RATIO: usize = 10;
/// ... and in at least this many documents.
pub const DOMINANCE_MIN_DOCUMENTS: usize = 3;

/// A bare surname that one person clearly dominates in the corpus ("Trump":
/// Donald Trump in 88 documents, Ivanka Trump in 5) leans to that person:
/// the candidate named in at least [`DOMINANCE_RATIO`] times as many
/// documents as any other (and in at least [`DOMINANCE_MIN_DOCUMENTS`])
/// gains [`DOMINANCE_BONUS`], with that evidence among its reasons. A name
/// with a second well-attested bearer ("Clinton": Hillary Clinton in 120 of
/// the RAMS news paragraphs, Bill Clinton in 26) gains nothing and stays
/// apart unless the document's own context decides.
fn dominance_bonus(candidates: &mut [Candidate], targets: &BTreeMap<String, Target>, source_class: &str) {
    if source_class != "Person" || candidates.len() < 2 {
        return;
    }
    let support = |c: &Candidate| targets.get(c.target).map_or(0, |t| t.documents);
    let mut counts: Vec<usize> = candidates.iter().map(support).collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let (top, next) = (counts[0], counts[1]);
    if top < DOMINANCE_MIN_DOCUMENTS || top < DOMINANCE_RATIO * next {
        return;
    }
    if let Some(c) = candidates.iter_mut().find(|c| support(c) == top) {
        c.score += DOMINANCE_BONUS;
        c.reasons.push(format!(
            "dominant bearer of the name: named in {top} documents, the next candidate in {next}"
        ));
    }
}

/// One word ("Keller"), or lowercase particles before one ("von der Leyen"):
/// a form that names a person only together with a fuller name elsewhere.
fn is_short_person_name(label: &str) -> bool {
    let words: Vec<&str> = label.split_whitespace().collect();
    match words.split_last() {
        Some((_, rest)) => rest.iter().all(|w| w.chars().next().is_some_and(char::is_lowercase)),
        None => false,
    }
}

fn pristine_entity(entities: &BTreeMap<String, Profile>, e: &str) -> bool {
    entities.get(e).is_some_and(|p| coarse(p.types).is_some())
}

fn decision_quads(m: &CrossMerge, graph: &GraphName) -> Vec<Quad> {
    let node = NamedNode::new_unchecked(&m.id);
    let q = |p: NamedNode, o: Term| Quad::new(node.clone(), p, o, graph.clone());
    let prov = NamedNode::new_unchecked(format!("{}wasDerivedFrom", ns::PROV));
    let mut out = vec![
        q(rdf::TYPE.into_owned(), tk("MergeDecision").into()),
        q(rdf::TYPE.into_owned(), tk("CrossDocumentMerge").into()),
        q(tk("mergedForm"), Literal::new_simple_literal(&m.form).into()),
        q(tk("mergedEntity"), NamedNode::new_unchecked(&m.source).into()),
        q(tk("mergedInto"), NamedNode::new_unchecked(&m.target).into()),
        q(tk("mergeRule"), Literal::new_simple_literal(&m.rule).into()),
        q(
            tk("mergeScore"),
            Literal::new_typed_literal(format!("{:.3}", m.score), xsd::DECIMAL).into(),
        ),
        q(
            tk("mergeExplanation"),
            Literal::new_simple_literal(&m.explanation).into(),
        ),
        q(
            tk("mergedContentHash"),
            Literal::new_simple_literal(&m.content_hash).into(),
        ),
        q(tk("mergeStatus"), Literal::new_simple_literal(&m.status).into()),
        q(prov, NamedNode::new_unchecked(&m.document).into()),
    ];
    for s in &m.supporting {
        out.push(q(tk("supportingDocument"), NamedNode::new_unchecked(s).into()));
    }
    out.push(q(
        tk("supportingDocumentCount"),
        Literal::new_typed_literal(m.supporting_count.to_string(), xsd::INTEGER).into(),
    ));
    out
}

/// How resolution writes its changes: in several transactions, each holding
/// whole documents (a document's graph rewrite together with its decision
/// records), so memory follows the batch, not the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolveOptions {
    /// A transaction is committed once it holds this many quad changes
    /// (removals and insertions), at the end of a document.
    pub batch_quads: usize,
    /// The store's memory tables are flushed to disk after this many quad
    /// changes (RocksDB keeps every committed write in memory until a flush).
    pub flush_quads: usize,
}

impl Default for ResolveOptions {
    fn default() -> Self {
        Self {
            batch_quads: BATCH_QUADS,
            flush_quads: FLUSH_QUADS,
        }
    }
}

/// Default [`ResolveOptions::batch_quads`]. One transaction for the whole
/// store held every change twice (the quads and RocksDB's write batch), and
/// its commit put all of it in the memory tables at once: 0.6 GB of the
/// 1.05 GB peak at 10,000 documents (issue 17).
pub const BATCH_QUADS: usize = 20_000;
/// Default [`ResolveOptions::flush_quads`].
pub const FLUSH_QUADS: usize = 100_000;

/// Runs cross-document resolution over the whole store (see the module docs).
pub fn resolve(store: &KgStore, namespace: &Namespace) -> Result<ResolveSummary, ResolveError> {
    resolve_with_progress(store, namespace, &mut |_, _, _| {})
}

/// [`resolve`], calling `progress(stage, done, total)` as it goes: the
/// stages are reading the entity profiles, choosing the merges, and
/// rewriting the documents (`done` of `total` documents).
pub fn resolve_with_progress(
    store: &KgStore,
    namespace: &Namespace,
    progress: &mut dyn FnMut(&'static str, usize, usize),
) -> Result<ResolveSummary, ResolveError> {
    resolve_with_options(store, namespace, ResolveOptions::default(), progress)
}

/// [`resolve_with_progress`] with explicit [`ResolveOptions`].
///
/// **Crash safety.** Every transaction holds whole documents: a document's
/// graph and the decision records about it change together, so after a
/// crash every document is either as before or as resolved, with records
/// that describe its graph. That is a state a run can start from (it maps
/// applied merges back per document), so running again gives exactly the
/// result of an uninterrupted run.
pub fn resolve_with_options(
    store: &KgStore,
    namespace: &Namespace,
    options: ResolveOptions,
    progress: &mut dyn FnMut(&'static str, usize, usize),
) -> Result<ResolveSummary, ResolveError> {
    let mut summary = ResolveSummary::default();
    progress("reading entity profiles", 0, 0);
    let hashes = documents(store)?;
    let existing = decisions(store)?;
    let undone: BTreeSet<(String, String, String)> = existing
        .iter()
        .filter(|m| m.status == STATUS_UNDONE)
        .map(|m| (m.document.clone(), m.source.clone(), m.target.clone()))
        .collect();
    // Active records by document; those whose rewrite is in the document
    // graph now (same content hash) are applied.
    let mut active_by_doc: BTreeMap<&str, Vec<&CrossMerge>> = BTreeMap::new();
    for m in existing.iter().filter(|m| m.status == STATUS_ACTIVE) {
        active_by_doc.entry(m.document.as_str()).or_default().push(m);
    }
    let is_applied = |m: &CrossMerge| hashes.get(&m.document) == Some(&m.content_hash);
    let mut applied_by_doc: BTreeMap<&str, Vec<&CrossMerge>> = BTreeMap::new();
    for (d, ms) in &active_by_doc {
        let applied: Vec<&CrossMerge> = ms.iter().copied().filter(|m| is_applied(m)).collect();
        if !applied.is_empty() {
            applied_by_doc.insert(d, applied);
        }
    }

    // Three passes over the document graphs, each holding one document's
    // entities at a time (all (document, entity) profiles at once grew with
    // the corpus; issue 17). Each sees the documents as extracted: applied
    // merges mapped back. First the targets over the whole corpus ...
    let graphs = document_graphs(store)?;
    let no_merges: Vec<&CrossMerge> = Vec::new();
    let applied_in = |d: &str| applied_by_doc.get(d).unwrap_or(&no_merges);
    let mut corpus = Corpus::default();
    for (i, g) in graphs.iter().enumerate() {
        progress("reading entity profiles", i, graphs.len());
        let entities = read_pristine(store, g, applied_in(g.as_str()))?;
        corpus.add_document(i, &entities);
    }
    let index = corpus.index();
    let cx = Context {
        corpus: &corpus,
        index: &index,
        graphs: &graphs,
        hashes: &hashes,
        undone: &undone,
        namespace,
    };
    // ... then which documents want merges, and every source: no chains, a
    // target must not itself be merged away somewhere ...
    let mut sources: BTreeSet<String> = BTreeSet::new();
    let mut docs: BTreeSet<&str> = active_by_doc.keys().copied().collect();
    for (i, g) in graphs.iter().enumerate() {
        progress("choosing merges", i, graphs.len());
        let entities = read_pristine(store, g, applied_in(g.as_str()))?;
        let want = wanted_in(&cx, g.as_str(), &entities, &mut summary);
        if !want.is_empty() {
            docs.insert(g.as_str());
            sources.extend(want.into_iter().map(|m| m.source));
        }
    }

    // ... and last, rewrite each document whose wanted state differs from its
    // current one, and replace its active records (stale ones included) by
    // the wanted ones, computed again from the graph read for the rewrite.
    let graph = GraphName::NamedNode(NamedNode::new_unchecked(resolution_graph(namespace)));
    let mut writer = Writer::new(store, options);
    for (i, d) in docs.iter().copied().enumerate() {
        progress("rewriting documents", i, docs.len());
        let now: &[&CrossMerge] = applied_in(d);
        let current = graph_quads(store, d)?;
        let mut want: Vec<CrossMerge> = if graphs.binary_search_by(|g| g.as_str().cmp(d)).is_ok() {
            let entities = pristine_profile(current.iter().cloned(), now);
            // Ambiguities were counted in the pass before.
            wanted_in(&cx, d, &entities, &mut ResolveSummary::default())
        } else {
            Vec::new()
        };
        want.retain(|m| !sources.contains(&m.target));
        let pristine_quads = rename_quads(&current, &backward(now), false);
        // Exactness of undo: the target must not occur in the graph yet.
        want.retain(|m| {
            !pristine_quads.iter().any(|q| {
                let mentions = |t: &str| t == m.target || t.strip_prefix(&m.target).is_some_and(|r| r.starts_with('/'));
                matches!(&q.subject, NamedOrBlankNode::NamedNode(s) if mentions(s.as_str()))
                    || iri_term(&q.object).is_some_and(mentions)
            })
        });
        let same = |a: &CrossMerge, b: &CrossMerge| a.source == b.source && a.target == b.target;
        summary.added += want.iter().filter(|w| !now.iter().any(|n| same(w, n))).count();
        summary.removed += now.iter().filter(|n| !want.iter().any(|w| same(w, n))).count();
        let wanted_refs: Vec<&CrossMerge> = want.iter().collect();
        let target = rename_quads(&pristine_quads, &forward(&wanted_refs), true);
        if diff(&current, &target, &mut writer.remove, &mut writer.insert) {
            summary.documents_rewritten += 1;
        }
        // Records: the document's active ones are replaced by the wanted ones.
        let mut records_now = Vec::new();
        for m in active_by_doc.get(d).into_iter().flatten() {
            records_now.extend(record_quads(store, &m.id)?);
        }
        let records_want: Vec<Quad> = want.iter().flat_map(|m| decision_quads(m, &graph)).collect();
        diff(&records_now, &records_want, &mut writer.remove, &mut writer.insert);
        summary.merges += want.len();
        writer.end_of_document()?;
    }
    progress("committing", docs.len(), docs.len());
    writer.finish()?;
    Ok(summary)
}

/// Collects quad changes document by document and commits them in
/// transactions of about [`ResolveOptions::batch_quads`] changes, flushing
/// the store every [`ResolveOptions::flush_quads`] changes and at the end.
struct Writer<'a> {
    store: &'a KgStore,
    options: ResolveOptions,
    remove: Vec<Quad>,
    insert: Vec<Quad>,
    unflushed: usize,
}

impl<'a> Writer<'a> {
    fn new(store: &'a KgStore, options: ResolveOptions) -> Self {
        Self {
            store,
            options,
            remove: Vec::new(),
            insert: Vec::new(),
            unflushed: 0,
        }
    }

    /// Called after all changes of one document are added: commits when the
    /// batch is full (never in the middle of a document).
    fn end_of_document(&mut self) -> Result<(), ResolveError> {
        if self.remove.len() + self.insert.len() >= self.options.batch_quads {
            self.commit()?;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), ResolveError> {
        let n = self.remove.len() + self.insert.len();
        if n == 0 {
            return Ok(());
        }
        let mut tx = self.store.inner().start_transaction()?;
        for q in self.remove.drain(..) {
            tx.remove(&q);
        }
        for q in self.insert.drain(..) {
            tx.insert(&q);
        }
        tx.commit()?;
        self.unflushed += n;
        if self.unflushed >= self.options.flush_quads {
            self.store.flush()?;
            self.unflushed = 0;
        }
        Ok(())
    }

    /// Commits the rest and flushes (a later read-only open must not replay
    /// the write-ahead log).
    fn finish(mut self) -> Result<(), ResolveError> {
        self.commit()?;
        self.store.flush()?;
        Ok(())
    }
}

/// Removes `remove` and inserts `insert` in one transaction, then flushes
/// (a later read-only open must not replay it from the write-ahead log).
fn commit(store: &KgStore, remove: &[Quad], insert: &[Quad]) -> Result<(), ResolveError> {
    let mut tx = store.inner().start_transaction()?;
    for q in remove {
        tx.remove(q);
    }
    for q in insert {
        tx.insert(q);
    }
    tx.commit()?;
    store.flush()?;
    Ok(())
}

/// Adds what turns `before` into `after` to `remove`/`insert`; true if they differ.
fn diff(before: &[Quad], after: &[Quad], remove: &mut Vec<Quad>, insert: &mut Vec<Quad>) -> bool {
    let b: HashSet<&Quad> = before.iter().collect();
    let a: HashSet<&Quad> = after.iter().collect();
    let (n_remove, n_insert) = (remove.len(), insert.len());
    remove.extend(before.iter().filter(|q| !a.contains(q)).cloned());
    insert.extend(after.iter().filter(|q| !b.contains(q)).cloned());
    remove.len() != n_remove || insert.len() != n_insert
}

/// All quads (any graph) whose subject is the decision.
fn record_quads(store: &KgStore, id: &str) -> Result<Vec<Quad>, ResolveError> {
    let node = NamedNodeRef::new_unchecked(id);
    Ok(store
        .inner()
        .quads_for_pattern(Some(node.into()), None, None, None)
        .collect::<Result<_, _>>()?)
}

/// The SPARQL query behind `textkg merges`: every merge decision, within and
/// across documents, optionally only those into entities labelled `entity`.
/// Columns: entity, form, rule, document, scope (`within-document` or
/// `cross-document`), score, status, id (cross-document only), reasons.
/// Needs the union default graph and the CLI's predeclared prefixes.
pub fn merges_query(entity: Option<&str>) -> String {
    let filter = entity.map_or(String::new(), |e| {
        format!("FILTER(?entity = {})", Literal::new_simple_literal(e))
    });
    format!(
        "SELECT DISTINCT ?entity ?form ?rule ?document ?scope ?score ?status ?id ?reasons WHERE {{ \
         ?m a <{tk}MergeDecision> ; <{tk}mergedForm> ?form ; <{tk}mergedInto> ?e ; <{tk}mergeRule> ?rule ; \
         <{prov}wasDerivedFrom>/<{tk}sourceName> ?document . ?e <{rdfs}label> ?entity {filter} \
         OPTIONAL {{ ?m <{tk}mergeScore> ?score }} OPTIONAL {{ ?m <{tk}mergeStatus> ?s0 }} \
         OPTIONAL {{ ?m <{tk}mergeExplanation> ?reasons }} \
         BIND(EXISTS {{ ?m a <{tk}CrossDocumentMerge> }} AS ?cross) \
         BIND(IF(?cross, \"cross-document\", \"within-document\") AS ?scope) \
         BIND(COALESCE(?s0, \"{active}\") AS ?status) BIND(IF(?cross, STR(?m), \"\") AS ?id) \
         }} ORDER BY ?entity ?form ?document ?id",
        tk = ns::TK,
        prov = ns::PROV,
        rdfs = ns::RDFS,
        active = STATUS_ACTIVE,
    )
}

/// Finds a cross-document decision by full IRI or by the hash at its end.
pub fn find(store: &KgStore, id: &str) -> Result<CrossMerge, ResolveError> {
    let all = decisions(store)?;
    let hits: Vec<&CrossMerge> = all
        .iter()
        .filter(|m| m.id == id || (!id.is_empty() && m.id.rsplit('/').next().is_some_and(|h| h.starts_with(id))))
        .collect();
    match hits.as_slice() {
        [] => Err(ResolveError::NotFound(id.to_string())),
        [one] => Ok((*one).clone()),
        _ => Err(ResolveError::Ambiguous(id.to_string())),
    }
}

/// Undoes a cross-document merge: its document graph is mapped back to the
/// source entity and the decision is kept with status `undone`, so later
/// resolution runs do not make it again. Returns the decision as it was.
pub fn undo(store: &KgStore, id: &str) -> Result<CrossMerge, ResolveError> {
    let m = find(store, id)?;
    if m.status == STATUS_UNDONE {
        return Err(ResolveError::AlreadyUndone(m.id));
    }
    let hashes = documents(store)?;
    let mut remove = Vec::new();
    let mut insert = Vec::new();
    if hashes.get(&m.document) == Some(&m.content_hash) {
        let current = graph_quads(store, &m.document)?;
        let back = rename_quads(&current, &backward(&[&m]), false);
        diff(&current, &back, &mut remove, &mut insert);
    }
    let status = tk("mergeStatus");
    for q in record_quads(store, &m.id)? {
        if q.predicate == status {
            let mut undone = q.clone();
            undone.object = Literal::new_simple_literal(STATUS_UNDONE).into();
            remove.push(q);
            insert.push(undone);
        }
    }
    commit(store, &remove, &insert)?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_surnames_are_short_person_names() {
        assert!(is_short_person_name("Keller"));
        assert!(is_short_person_name("von der Leyen"));
        assert!(!is_short_person_name("Anna Keller"));
        assert!(!is_short_person_name("President of Israel Shimon Peres"));
        assert!(!is_short_person_name(""));
    }

    #[test]
    fn renames_round_trip_and_turn_the_label_into_an_alias() {
        let g = GraphName::NamedNode(NamedNode::new_unchecked("http://ex/doc"));
        let n = |s: &str| NamedNode::new_unchecked(format!("http://ex/{s}"));
        let quads = vec![
            Quad::new(
                n("keller"),
                rdfs::LABEL.into_owned(),
                Literal::new_simple_literal("Keller"),
                g.clone(),
            ),
            Quad::new(n("keller"), tk("holdsRole"), n("keller/role/chancellor"), g.clone()),
            Quad::new(n("m1"), tk("ref"), n("keller"), g.clone()),
            Quad::new(n("kellerman"), tk("ref"), n("keller-x"), g.clone()),
        ];
        let r = [Rename {
            from: "http://ex/keller".into(),
            to: "http://ex/anna-keller".into(),
            form: "Keller".into(),
        }];
        let fwd = rename_quads(&quads, &r, true);
        assert_eq!(fwd[0].subject.to_string(), "<http://ex/anna-keller>");
        assert!(fwd[0].predicate.as_str().ends_with("altLabel"));
        assert_eq!(fwd[1].object.to_string(), "<http://ex/anna-keller/role/chancellor>");
        assert_eq!(fwd[2].object.to_string(), "<http://ex/anna-keller>");
        assert_eq!(fwd[3], quads[3], "only the IRI itself and IRIs under it");
        let back = [Rename {
            from: "http://ex/anna-keller".into(),
            to: "http://ex/keller".into(),
            form: "Keller".into(),
        }];
        assert_eq!(rename_quads(&fwd, &back, false), quads);
    }
}

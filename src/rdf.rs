//! RDF mapping: one analysed document → quads in its own named graph.
//!
//! The model (documented in `ontology/textkg.ttl` and ARCHITECTURE.md):
//! - the document IRI names its graph; the graph holds everything the document
//!   says, so re-ingesting a changed text replaces exactly that graph;
//! - the text is a `nif:Context`; sentences, mentions and evidence spans are
//!   NIF offset strings (`…#char=b,e`, code points) in that context;
//! - entities are shared nodes (`…/person/donald-trump`), typed with schema.org
//!   classes, labelled, with `skos:altLabel` aliases; each mention links to its
//!   entity with `itsrdf:taIdentRef`;
//! - every relation is asserted as a plain triple *and* described by an
//!   `rdf:Statement` node (`textkg:RelationStatement`) carrying phrase,
//!   confidence, evidence span and extractor: plain RDF 1.1, readable by any
//!   tool.

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term};

use crate::document::{CharOffsets, Document, Span};
use crate::extract::dates::Granularity;
use crate::extract::{EntityType, Extraction, MentionKind, Predicate, RelationObject};
use crate::input::SourceDocument;
use crate::iri::{self, Namespace};

/// Namespace IRIs of the vocabularies we use.
pub mod ns {
    /// textkg ontology.
    pub const TK: &str = crate::iri::ONTOLOGY;
    /// schema.org.
    pub const SCHEMA: &str = "http://schema.org/";
    /// PROV-O.
    pub const PROV: &str = "http://www.w3.org/ns/prov#";
    /// NIF 2.0 core.
    pub const NIF: &str = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#";
    /// ITS 2.0 RDF (entity links of mentions).
    pub const ITSRDF: &str = "http://www.w3.org/2005/11/its/rdf#";
    /// SKOS.
    pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
    /// OWL.
    pub const OWL: &str = "http://www.w3.org/2002/07/owl#";
    /// OWL-Time.
    pub const TIME: &str = "http://www.w3.org/2006/time#";
    /// Wikidata entities.
    pub const WD: &str = "http://www.wikidata.org/entity/";
    /// RDF.
    pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    /// RDFS.
    pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
    /// XSD.
    pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
    /// Prefixes used when serialising Turtle/TriG.
    pub const PREFIXES: &[(&str, &str)] = &[
        ("tk", TK),
        ("schema", SCHEMA),
        ("prov", PROV),
        ("nif", NIF),
        ("itsrdf", ITSRDF),
        ("skos", SKOS),
        ("owl", OWL),
        ("time", TIME),
        ("wd", WD),
        ("rdf", RDF),
        ("rdfs", RDFS),
        ("xsd", XSD),
    ];
}

/// Version string recorded as `textkg:toolVersion`.
pub const TOOL_VERSION: &str = concat!("textkg ", env!("CARGO_PKG_VERSION"));

/// Settings of the mapping.
#[derive(Debug, Clone, Default)]
pub struct MappingOptions {
    /// Data namespace.
    pub namespace: Namespace,
    /// `prov:generatedAtTime` value (`xsd:dateTime` lexical form); `None` omits it.
    pub generated_at: Option<String>,
}

/// Identity of a document: its IRI and content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentIdentity {
    /// The document (and graph) IRI.
    pub iri: String,
    /// `sha256:` + hex digest of the text.
    pub content_hash: String,
}

impl DocumentIdentity {
    /// Identity of a source document under a namespace.
    pub fn of(source: &SourceDocument, namespace: &Namespace) -> Self {
        let hash = iri::sha256_hex(source.text.as_bytes());
        Self {
            iri: namespace.document(source.id.as_deref(), &hash),
            content_hash: format!("sha256:{hash}"),
        }
    }
}

fn tk(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}{local}", ns::TK))
}

fn term(base: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{base}{local}"))
}

/// An IRI we minted ourselves (always valid by construction, see [`crate::iri`]).
fn minted(iri: String) -> NamedNode {
    NamedNode::new_unchecked(iri)
}

/// Class IRIs for an entity type.
pub fn classes(t: EntityType) -> Vec<NamedNode> {
    let schema = |c: &str| term(ns::SCHEMA, c);
    match t {
        EntityType::Person => vec![schema("Person")],
        EntityType::Organization => vec![schema("Organization")],
        EntityType::Place => vec![schema("Place")],
        EntityType::Country => vec![schema("Country"), schema("Place")],
        EntityType::City => vec![schema("City"), schema("Place")],
        EntityType::AdministrativeArea => vec![schema("AdministrativeArea"), schema("Place")],
        EntityType::Event => vec![schema("Event")],
        EntityType::Group => vec![tk("Group")],
        EntityType::Thing => vec![schema("Thing")],
    }
}

/// IRI of a relation predicate.
pub fn predicate_iri(p: &Predicate, namespace: &Namespace) -> String {
    match p {
        Predicate::Ontology(local) => format!("{}{local}", ns::TK),
        Predicate::Open(lemma) => namespace.open_relation(lemma),
    }
}

/// Entity IRIs of an extraction, by entity index.
pub fn entity_iris(extraction: &Extraction, namespace: &Namespace) -> Vec<String> {
    extraction
        .entities
        .iter()
        .map(|e| namespace.entity(e.entity_type, &e.label))
        .collect()
}

fn decimal(x: f32) -> Literal {
    Literal::new_typed_literal(format!("{:.3}", x.clamp(0.0, 1.0)), xsd::DECIMAL)
}

fn integer(x: usize) -> Literal {
    Literal::new_typed_literal(x.to_string(), xsd::NON_NEGATIVE_INTEGER)
}

/// Maps one document to quads, all in the document's named graph.
pub fn document_quads(
    source: &SourceDocument,
    identity: &DocumentIdentity,
    doc: &Document,
    extraction: &Extraction,
    options: &MappingOptions,
) -> Vec<Quad> {
    let graph = GraphName::NamedNode(minted(identity.iri.clone()));
    // Sized up front: growing a vector of quads by doubling cost a third of
    // the mapping time on short documents (copies and fresh pages).
    let x = extraction;
    let mut quads = Vec::with_capacity(
        48 + 6 * doc.sentences.len()
            + 8 * (x.mentions.len() + x.entities.len() + x.dates.len())
            + 16 * x.relations.len(),
    );
    let mut add = |s: &NamedNode, p: NamedNode, o: Term| {
        quads.push(Quad::new(s.clone(), p, o, graph.clone()));
    };
    let chars = CharOffsets::new(&doc.text);
    let n_chars = chars.char_offset(doc.text.len());
    let d = minted(identity.iri.clone());
    let nif = |l: &str| term(ns::NIF, l);
    let schema = |l: &str| term(ns::SCHEMA, l);
    let prov = |l: &str| term(ns::PROV, l);

    // Document.
    add(&d, rdf::TYPE.into(), tk("Document").into());
    add(&d, tk("sourceName"), Literal::new_simple_literal(&source.name).into());
    add(
        &d,
        tk("contentHash"),
        Literal::new_simple_literal(&identity.content_hash).into(),
    );
    add(&d, tk("characterCount"), integer(n_chars).into());
    add(&d, tk("toolVersion"), Literal::new_simple_literal(TOOL_VERSION).into());
    if let Some(t) = &source.title {
        add(&d, schema("headline"), Literal::new_simple_literal(t).into());
    }
    if let Some(date) = &source.date {
        add(
            &d,
            schema("datePublished"),
            Literal::new_typed_literal(date, xsd::DATE).into(),
        );
    }
    if let Some(url) = &source.url {
        add(&d, schema("url"), Literal::new_typed_literal(url, xsd::ANY_URI).into());
    }
    if let Some(at) = &options.generated_at {
        add(
            &d,
            prov("generatedAtTime"),
            Literal::new_typed_literal(at, xsd::DATE_TIME).into(),
        );
    }

    // Context and spans.
    let context = minted(iri::span_iri(&identity.iri, 0, n_chars));
    add(&context, rdf::TYPE.into(), nif("Context").into());
    add(&context, rdf::TYPE.into(), nif("OffsetBasedString").into());
    add(&context, nif("isString"), Literal::new_simple_literal(&doc.text).into());
    add(&context, nif("beginIndex"), integer(0).into());
    add(&context, nif("endIndex"), integer(n_chars).into());
    add(&context, nif("sourceUrl"), d.clone().into());
    add(&d, tk("context"), context.clone().into());

    let span_node = |span: Span, class: &str, quads_add: &mut dyn FnMut(&NamedNode, NamedNode, Term)| {
        let (b, e) = chars.chars(span);
        let node = minted(iri::span_iri(&identity.iri, b, e));
        quads_add(&node, rdf::TYPE.into(), nif(class).into());
        quads_add(&node, rdf::TYPE.into(), nif("OffsetBasedString").into());
        quads_add(&node, nif("beginIndex"), integer(b).into());
        quads_add(&node, nif("endIndex"), integer(e).into());
        quads_add(
            &node,
            nif("anchorOf"),
            Literal::new_simple_literal(span.slice(&doc.text)).into(),
        );
        quads_add(&node, nif("referenceContext"), context.clone().into());
        node
    };

    let sentence_nodes: Vec<NamedNode> = doc
        .sentences
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let node = span_node(s.span, "Sentence", &mut add);
            add(&node, tk("sentenceIndex"), integer(k).into());
            node
        })
        .collect();

    // Entities and mentions.
    let mut event_classes = std::collections::BTreeMap::new();
    let entity_iris = entity_iris(extraction, &options.namespace);
    for (e, entity) in extraction.entities.iter().enumerate() {
        let node = minted(entity_iris[e].clone());
        for c in classes(entity.entity_type) {
            add(&node, rdf::TYPE.into(), c.into());
        }
        if let Some(class) = entity.event_class {
            let class_node = tk(&format!("cameo-{}", class.code));
            add(&node, tk("eventClass"), class_node.clone().into());
            event_classes.insert(class.code.as_str(), (class_node, class));
        }
        add(
            &node,
            rdfs::LABEL.into(),
            Literal::new_simple_literal(&entity.label).into(),
        );
        for a in &entity.aliases {
            add(&node, term(ns::SKOS, "altLabel"), Literal::new_simple_literal(a).into());
        }
        if let Some(q) = &entity.wikidata
            && q.starts_with('Q')
            && q[1..].bytes().all(|b| b.is_ascii_digit())
        {
            add(&node, schema("sameAs"), minted(format!("{}{q}", ns::WD)).into());
        }
        for role in &entity.roles {
            add(
                &node,
                schema("jobTitle"),
                Literal::new_simple_literal(&role.title).into(),
            );
            // The role as a node: who holds which title, of which country.
            let country = role
                .country
                .as_deref()
                .map(|c| options.namespace.entity(EntityType::Country, c));
            let role_node = minted(format!(
                "{}/role/{}{}",
                entity_iris[e],
                iri::slug(&role.title),
                role.country
                    .as_deref()
                    .map_or(String::new(), |c| format!("-{}", iri::slug(c)))
            ));
            add(&node, tk("holdsRole"), role_node.clone().into());
            add(&role_node, rdf::TYPE.into(), tk("RoleAssignment").into());
            add(
                &role_node,
                tk("roleTitle"),
                Literal::new_simple_literal(&role.title).into(),
            );
            if let Some(c) = country {
                add(&role_node, tk("roleOf"), minted(c).into());
            }
        }
    }
    for m in &extraction.mentions {
        let class = if m.kind == MentionKind::Pronoun {
            "Word"
        } else {
            "Phrase"
        };
        let node = span_node(m.span, class, &mut add);
        add(
            &node,
            term(ns::ITSRDF, "taIdentRef"),
            minted(entity_iris[m.entity].clone()).into(),
        );
        if let Some(s) = sentence_nodes.get(m.sentence) {
            add(&node, nif("sentence"), s.clone().into());
        }
        if m.kind == MentionKind::Pronoun {
            add(&node, rdf::TYPE.into(), tk("PronounMention").into());
        }
    }

    // Merge decisions: which surface form joined which entity, by which rule.
    let mut k = 0;
    for (e, entity) in extraction.entities.iter().enumerate() {
        for merge in &entity.merges {
            let node = minted(format!("{}#merge-{k}", identity.iri));
            k += 1;
            add(&node, rdf::TYPE.into(), tk("MergeDecision").into());
            add(&node, tk("mergedForm"), Literal::new_simple_literal(&merge.form).into());
            add(&node, tk("mergedInto"), minted(entity_iris[e].clone()).into());
            add(&node, tk("mergeRule"), Literal::new_simple_literal(merge.rule).into());
            add(&node, prov("wasDerivedFrom"), d.clone().into());
        }
    }

    // Dates: OWL-Time instants, one node per normalised value.
    for t in &extraction.dates {
        let Some(value) = t.value.as_deref() else { continue };
        let node = minted(options.namespace.date(value));
        let time = |l: &str| term(ns::TIME, l);
        add(&node, rdf::TYPE.into(), time("Instant").into());
        add(&node, rdfs::LABEL.into(), Literal::new_simple_literal(value).into());
        let (unit, position) = match t.granularity {
            Granularity::Day => ("unitDay", Some(("inXSDDate", xsd::DATE))),
            Granularity::Week => ("unitWeek", None),
            Granularity::Month => ("unitMonth", Some(("inXSDgYearMonth", xsd::G_YEAR_MONTH))),
            Granularity::Year => ("unitYear", Some(("inXSDgYear", xsd::G_YEAR))),
        };
        add(&node, time("unitType"), time(unit).into());
        if let Some((p, datatype)) = position {
            add(&node, time(p), Literal::new_typed_literal(value, datatype).into());
        }
        let mention = span_node(t.span, "Phrase", &mut add);
        add(&mention, term(ns::ITSRDF, "taIdentRef"), node.into());
        if let Some(s) = sentence_nodes.get(t.sentence) {
            add(&mention, nif("sentence"), s.clone().into());
        }
    }

    // Relations: asserted triple + statement node.
    let mut extractors = std::collections::BTreeSet::new();
    for (k, r) in extraction.relations.iter().enumerate() {
        let subject = minted(entity_iris[r.subject].clone());
        let predicate = minted(predicate_iri(&r.predicate, &options.namespace));
        let object: Term = match &r.object {
            RelationObject::Entity(e) => minted(entity_iris[*e].clone()).into(),
            RelationObject::Literal(v) => Literal::new_simple_literal(v).into(),
            RelationObject::Date(value) => minted(options.namespace.date(value)).into(),
        };
        // Reported, negated or modal statements are described, not asserted.
        if r.is_asserted() {
            add(&subject, predicate.clone(), object.clone());
        }
        if let Predicate::Open(lemma) = &r.predicate {
            add(&predicate, rdf::TYPE.into(), term(ns::RDF, "Property").into());
            add(&predicate, rdfs::SUB_PROPERTY_OF.into(), tk("relatedTo").into());
            add(
                &predicate,
                rdfs::LABEL.into(),
                Literal::new_simple_literal(lemma).into(),
            );
        }
        let st = minted(format!("{}#relation-{k}", identity.iri));
        add(&st, rdf::TYPE.into(), tk("RelationStatement").into());
        add(&st, rdf::SUBJECT.into(), subject.into());
        add(&st, rdf::PREDICATE.into(), predicate.into());
        add(&st, rdf::OBJECT.into(), object);
        add(&st, tk("phrase"), Literal::new_simple_literal(&r.phrase).into());
        if let Some(m) = &r.modality {
            add(&st, tk("modality"), Literal::new_simple_literal(m).into());
        }
        if r.negated {
            add(&st, tk("negated"), Literal::from(true).into());
        }
        if let Some(speaker) = r.attributed_to {
            add(&st, tk("attributedTo"), minted(entity_iris[speaker].clone()).into());
        }
        if let Some(class) = r.event_class {
            let node = tk(&format!("cameo-{}", class.code));
            add(&st, tk("eventClass"), node.clone().into());
            event_classes.insert(class.code.as_str(), (node, class));
        }
        add(&st, tk("confidence"), decimal(r.confidence).into());
        let evidence = match doc.sentences.get(r.sentence) {
            Some(s) if s.span == r.evidence => sentence_nodes[r.sentence].clone(),
            _ => span_node(r.evidence, "String", &mut add),
        };
        add(&st, tk("evidence"), evidence.into());
        if let Some(s) = sentence_nodes.get(r.sentence) {
            add(&st, tk("sentence"), s.clone().into());
        }
        let agent = minted(options.namespace.extractor(r.extractor));
        add(&st, tk("extractedBy"), agent.clone().into());
        add(&st, prov("wasDerivedFrom"), d.clone().into());
        extractors.insert((r.extractor, agent));
    }
    // The classes used, labelled, so that queries need not load the ontology.
    for (node, class) in event_classes.into_values() {
        add(&node, rdf::TYPE.into(), tk("EventClass").into());
        add(
            &node,
            rdfs::LABEL.into(),
            Literal::new_language_tagged_literal_unchecked(&class.label, "en").into(),
        );
        add(&node, tk("cameoCode"), Literal::new_simple_literal(&class.code).into());
        if let Some(p) = &class.plover {
            add(&node, tk("ploverType"), Literal::new_simple_literal(p).into());
        }
    }
    for (id, agent) in extractors {
        add(&agent, rdf::TYPE.into(), tk("Extractor").into());
        add(&agent, rdfs::LABEL.into(), Literal::new_simple_literal(id).into());
        add(
            &agent,
            tk("toolVersion"),
            Literal::new_simple_literal(TOOL_VERSION).into(),
        );
    }
    // The generation order above is deterministic; drop repeats (a span that
    // is both a sentence and an evidence, an entity mentioned twice) keeping
    // the first occurrence.
    // Flags first, so the set borrows the quads instead of cloning them.
    let keep: Vec<bool> = {
        let mut seen = rustc_hash::FxHashSet::with_capacity_and_hasher(quads.len(), Default::default());
        quads.iter().map(|q| seen.insert(q)).collect()
    };
    let mut keep = keep.into_iter();
    quads.retain(|_| keep.next().unwrap_or(true));
    quads
}

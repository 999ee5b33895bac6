//! The JSON contract of `textkg extract --format json` (one object per line).
//!
//! ```text
//! {"document": {"id": IRI, "name": str, "title"?: str, "date"?: str, "chars": N},
//!  "entities": [{"id": IRI, "label": str, "type": str, "aliases": [str],
//!                "mentions": [{"start": int, "end": int, "text": str, "sentence": int}],
//!                "same_as"?: [Wikidata IRI]}],
//!  "relations": [{"subject": IRI, "predicate": IRI, "object": {"id": IRI} | {"value": str, "datatype"?: IRI},
//!                 "phrase": str, "confidence": 0..1, "extractor": str,
//!                 "event_class"?: {"cameo": "04", "label": str, "plover"?: str},
//!                 "evidence": {"sentence": int, "start": int, "end": int, "text": str}}]}
//! ```
//! Offsets are Unicode code points, end exclusive: `text[start:end]` in Python
//! is the mention or evidence text. Field order and names are stable; new
//! optional fields may be added (`extractor` was added beside the original contract).

use serde::Serialize;

use crate::document::{CharOffsets, Document};
use crate::extract::{Extraction, RelationObject};
use crate::input::SourceDocument;
use crate::lexicon::EventClass;
use crate::rdf::{self, DocumentIdentity, MappingOptions};

/// One document's output.
#[derive(Debug, Serialize)]
pub struct DocumentOutput<'a> {
    /// Document metadata.
    pub document: DocumentInfo<'a>,
    /// Entities.
    pub entities: Vec<EntityOutput>,
    /// Relations.
    pub relations: Vec<RelationOutput>,
}

/// Document metadata.
#[derive(Debug, Serialize)]
pub struct DocumentInfo<'a> {
    /// Document IRI.
    pub id: &'a str,
    /// Input id or path.
    pub name: &'a str,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    /// Publication date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<&'a str>,
    /// Length in code points.
    pub chars: usize,
}

/// An entity.
#[derive(Debug, Serialize)]
pub struct EntityOutput {
    /// Entity IRI.
    pub id: String,
    /// Canonical label.
    pub label: String,
    /// Class local name.
    #[serde(rename = "type")]
    pub entity_type: &'static str,
    /// Other names.
    pub aliases: Vec<String>,
    /// Mentions.
    pub mentions: Vec<MentionOutput>,
    /// The same thing in other knowledge bases: Wikidata entity IRIs (`schema:sameAs` in RDF).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub same_as: Vec<String>,
    /// Roles read from titles ("US President Donald Trump" → President of the United States).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<RoleOutput>,
    /// For `Date` entities: granularity of the normalised value (`day`, `week`, `month`, `year`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granularity: Option<&'static str>,
    /// For named events: the news event class (CAMEO root category) of the head noun.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_class: Option<EventClassOutput>,
}

/// A role held by an entity.
#[derive(Debug, Serialize)]
pub struct RoleOutput {
    /// Role title ("President").
    pub title: String,
    /// IRI of the country the role belongs to, when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A mention.
#[derive(Debug, Serialize)]
pub struct MentionOutput {
    /// Start, code points.
    pub start: usize,
    /// End (exclusive), code points.
    pub end: usize,
    /// Covered text.
    pub text: String,
    /// Sentence index.
    pub sentence: usize,
}

/// A relation.
#[derive(Debug, Serialize)]
pub struct RelationOutput {
    /// Subject entity IRI.
    pub subject: String,
    /// Property IRI.
    pub predicate: String,
    /// Object: entity or literal.
    pub object: ObjectOutput,
    /// Surface text of the relation.
    pub phrase: String,
    /// Confidence in 0..1.
    pub confidence: f64,
    /// Extractor id.
    pub extractor: &'static str,
    /// Modal or infinitive marker ("would", "to") when the relation is not stated as fact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modality: Option<String>,
    /// Present and true when the verb is negated.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub negated: bool,
    /// For a reported claim ("X said Y attacked Z"): the speaker's IRI. Such
    /// relations are attributed to the speaker, not asserted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributed_to: Option<String>,
    /// The news event class (CAMEO root category), for predicates that denote events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_class: Option<EventClassOutput>,
    /// Evidence.
    pub evidence: EvidenceOutput,
    /// Where the subject and object are named in the evidence, when the
    /// relation links two mentions (not for events, dates or quotations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<ArgumentsOutput>,
}

/// The subject and object mentions of a relation.
#[derive(Debug, Serialize)]
pub struct ArgumentsOutput {
    /// The subject's words.
    pub subject: SpanOutput,
    /// The object's words.
    pub object: SpanOutput,
}

/// A stretch of the document text.
#[derive(Debug, Serialize)]
pub struct SpanOutput {
    /// Start, code points.
    pub start: usize,
    /// End (exclusive), code points.
    pub end: usize,
    /// Covered text.
    pub text: String,
}

impl EventClassOutput {
    fn of(c: &'static EventClass) -> Self {
        Self {
            cameo: &c.code,
            label: &c.label,
            plover: c.plover.as_deref(),
        }
    }
}

/// A news event class: CAMEO root code and label, closest PLOVER type.
#[derive(Debug, Serialize)]
pub struct EventClassOutput {
    /// Two-digit CAMEO root code ("04").
    pub cameo: &'static str,
    /// Label ("Consult").
    pub label: &'static str,
    /// Closest PLOVER event type ("CONSULT"), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plover: Option<&'static str>,
}

/// The object of a relation.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ObjectOutput {
    /// An entity.
    Entity {
        /// Entity IRI.
        id: String,
    },
    /// A literal.
    Value {
        /// Lexical value.
        value: String,
        /// Datatype IRI, absent for plain strings.
        #[serde(skip_serializing_if = "Option::is_none")]
        datatype: Option<String>,
    },
}

/// Evidence of a relation.
#[derive(Debug, Serialize)]
pub struct EvidenceOutput {
    /// Sentence index.
    pub sentence: usize,
    /// Start, code points.
    pub start: usize,
    /// End (exclusive), code points.
    pub end: usize,
    /// Covered text.
    pub text: String,
}

/// Builds the JSON output of one document.
pub fn document_output<'a>(
    source: &'a SourceDocument,
    identity: &'a DocumentIdentity,
    doc: &Document,
    extraction: &Extraction,
    options: &MappingOptions,
) -> DocumentOutput<'a> {
    let chars = CharOffsets::new(&doc.text);
    let iris = rdf::entity_iris(extraction, &options.namespace);
    let mut entities: Vec<EntityOutput> = extraction
        .entities
        .iter()
        .zip(&iris)
        .map(|(e, id)| EntityOutput {
            id: id.clone(),
            label: e.label.clone(),
            entity_type: e.entity_type.class_name(),
            aliases: e.aliases.clone(),
            mentions: e
                .mentions
                .iter()
                .filter_map(|&i| extraction.mentions.get(i))
                .map(|m| {
                    let (start, end) = chars.chars(m.span);
                    MentionOutput {
                        start,
                        end,
                        text: m.span.slice(&doc.text).to_string(),
                        sentence: m.sentence,
                    }
                })
                .collect(),
            roles: e
                .roles
                .iter()
                .map(|r| RoleOutput {
                    title: r.title.clone(),
                    country: r
                        .country
                        .as_ref()
                        .map(|c| options.namespace.entity(crate::extract::EntityType::Country, c)),
                })
                .collect(),
            granularity: None,
            event_class: e.event_class.map(EventClassOutput::of),
            same_as: e.wikidata.iter().map(|q| format!("{}{q}", rdf::ns::WD)).collect(),
        })
        .collect();
    // Dates: one entity per normalised value, labelled by the value.
    let mut dates: std::collections::BTreeMap<&str, (&'static str, Vec<MentionOutput>, Vec<String>)> =
        std::collections::BTreeMap::new();
    for t in &extraction.dates {
        let Some(value) = t.value.as_deref() else { continue };
        let (start, end) = chars.chars(t.span);
        let text = t.span.slice(&doc.text).to_string();
        let entry = dates
            .entry(value)
            .or_insert_with(|| (t.granularity.as_str(), Vec::new(), Vec::new()));
        if !entry.2.contains(&text) {
            entry.2.push(text.clone());
        }
        entry.1.push(MentionOutput {
            start,
            end,
            text,
            sentence: t.sentence,
        });
    }
    for (value, (granularity, mentions, mut aliases)) in dates {
        aliases.retain(|a| a != value);
        aliases.sort();
        entities.push(EntityOutput {
            id: options.namespace.date(value),
            label: value.to_string(),
            entity_type: "Date",
            aliases,
            mentions,
            roles: Vec::new(),
            granularity: Some(granularity),
            event_class: None,
            same_as: Vec::new(),
        });
    }
    let relations = extraction
        .relations
        .iter()
        .map(|r| {
            let (start, end) = chars.chars(r.evidence);
            RelationOutput {
                subject: iris[r.subject].clone(),
                predicate: rdf::predicate_iri(&r.predicate, &options.namespace),
                object: match &r.object {
                    RelationObject::Entity(e) => ObjectOutput::Entity { id: iris[*e].clone() },
                    RelationObject::Date(value) => ObjectOutput::Entity {
                        id: options.namespace.date(value),
                    },
                    RelationObject::Literal(v) => ObjectOutput::Value {
                        value: v.clone(),
                        datatype: None,
                    },
                },
                phrase: r.phrase.clone(),
                // Three decimals, as in the RDF output.
                confidence: (f64::from(r.confidence) * 1000.0).round() / 1000.0,
                extractor: r.extractor,
                modality: r.modality.clone(),
                negated: r.negated,
                attributed_to: r.attributed_to.map(|e| iris[e].clone()),
                event_class: r.event_class.map(EventClassOutput::of),
                evidence: EvidenceOutput {
                    sentence: r.sentence,
                    start,
                    end,
                    text: r.evidence.slice(&doc.text).to_string(),
                },
                arguments: r.arguments.map(|(a, b)| {
                    let span = |x: crate::document::Span| {
                        let (start, end) = chars.chars(x);
                        SpanOutput {
                            start,
                            end,
                            text: x.slice(&doc.text).to_string(),
                        }
                    };
                    ArgumentsOutput {
                        subject: span(a),
                        object: span(b),
                    }
                }),
            }
        })
        .collect();
    DocumentOutput {
        document: DocumentInfo {
            id: &identity.iri,
            name: &source.name,
            title: source.title.as_deref(),
            date: source.date.as_deref(),
            chars: chars.char_offset(doc.text.len()),
        },
        entities,
        relations,
    }
}

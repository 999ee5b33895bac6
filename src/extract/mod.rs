//! Information extraction: from an analysed [`Document`] to entities and relations.
//!
//! Stages, each a module with one job:
//! 1. [`mentions`] finds named mentions (name spans with a type guess, titles, roles);
//! 2. [`entities`] merges mentions into document entities (aliases, pronouns);
//! 3. [`relations`] finds relations between entities (verb patterns, event nouns, quotes,
//!    and the [`nominal`] patterns: appositions, titles, datelines);
//! 4. [`teams`] (before relations) reads country names next to a score as national teams;
//! 5. [`nested`] adds the places named inside other names ("Amsterdam" in "University of
//!    Amsterdam") as mentions, after relations, which see one name per token.
//!
//! Invariants: extraction does no IO, never fails and never panics; every
//! span points into `Document::text` on char boundaries; output order is
//! deterministic (text order), so the same input gives the same output.

pub mod antecedents;
pub mod constraints;
pub mod dates;
pub mod entities;
pub mod mentions;
pub mod nested;
pub mod nominal;
pub mod pronouns;
pub mod relations;
pub mod teams;

use crate::document::{Document, Span};
use crate::lexicon::{EventClass, Lexicon};

/// The type of an entity. `Country`, `City` and `AdministrativeArea` are
/// places; their coarse type ([`EntityType::coarse`]) is `Place`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityType {
    /// A person (`schema:Person`).
    Person,
    /// An organisation (`schema:Organization`).
    Organization,
    /// A place of unknown kind (`schema:Place`).
    Place,
    /// A country (`schema:Country`).
    Country,
    /// A city (`schema:City`).
    City,
    /// A state, province or region of a country (`schema:AdministrativeArea`).
    AdministrativeArea,
    /// A named event (`schema:Event`), e.g. "Alaska Summit".
    Event,
    /// A nationality, religious or political group (`textkg:Group`).
    Group,
    /// A named thing of unknown type (`schema:Thing`).
    Thing,
}

impl EntityType {
    /// Local name of the ontology class (also the `type` field of the JSON output).
    pub fn class_name(self) -> &'static str {
        match self {
            Self::Person => "Person",
            Self::Organization => "Organization",
            Self::Place => "Place",
            Self::Country => "Country",
            Self::City => "City",
            Self::AdministrativeArea => "AdministrativeArea",
            Self::Event => "Event",
            Self::Group => "Group",
            Self::Thing => "Thing",
        }
    }

    /// The coarse type used in entity IRIs, so that a place typed `City` in
    /// one document and `Place` in another is still one node.
    pub fn coarse(self) -> EntityType {
        match self {
            Self::Country | Self::City | Self::AdministrativeArea => Self::Place,
            t => t,
        }
    }

    /// True for types that act in relations as subjects (people, organisations, countries, groups).
    pub fn is_actor(self) -> bool {
        matches!(
            self,
            Self::Person | Self::Organization | Self::Country | Self::Group | Self::Thing
        )
    }
}

/// How a mention refers to its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionKind {
    /// A proper name ("Donald Trump", "Trump").
    Name,
    /// A personal pronoun ("he", "his") resolved to a salient antecedent.
    Pronoun,
}

/// One mention of an entity in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// The name (or pronoun) itself, without titles.
    pub span: Span,
    /// The name with any title or role prefix ("US President Donald Trump").
    pub full_span: Span,
    /// Token range of `full_span` in [`Document::tokens`].
    pub tokens: std::ops::Range<usize>,
    /// Sentence index.
    pub sentence: usize,
    /// Entity index in [`Extraction::entities`].
    pub entity: usize,
    /// Name or pronoun.
    pub kind: MentionKind,
}

/// A role held by an entity, read from a title ("US President Donald Trump").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Role {
    /// Canonical role name ("President").
    pub title: String,
    /// Country the role belongs to, as a canonical gazetteer name ("United States"), if stated.
    pub country: Option<String>,
}

/// A document-level entity: merged mentions of one real-world thing.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Canonical label ("Donald Trump").
    pub label: String,
    /// Type.
    pub entity_type: EntityType,
    /// Other surface forms seen ("Trump", "US President Donald Trump"), sorted.
    pub aliases: Vec<String>,
    /// Indices into [`Extraction::mentions`], in text order.
    pub mentions: Vec<usize>,
    /// Wikidata id when the gazetteer knows the entity.
    pub wikidata: Option<String>,
    /// Roles read from titles.
    pub roles: Vec<Role>,
    /// Why other surface forms were merged into this entity, sorted.
    pub merges: Vec<Merge>,
    /// For a named event ("Alaska Summit"): the news event class its head
    /// noun denotes (summit → Consult); set by [`Extractor::extract`].
    pub event_class: Option<&'static EventClass>,
}

/// One merge decision: a surface form joined an entity by a rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Merge {
    /// The form that joined ("Trump", "NATO", "he").
    pub form: String,
    /// The rule (`gazetteer-alias`, `part-of-unique-person-name`,
    /// `variant-of-person-name`, `acronym-of-unique-organization`, `title-of-unique-holder`,
    /// `pronoun-agreement`).
    pub rule: &'static str,
}

/// The predicate of a relation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Predicate {
    /// A property of the textkg ontology, by local name ("suggests").
    Ontology(String),
    /// An open relation, by verb lemma, for verbs without an ontology property.
    Open(String),
}

/// The object of a relation.
#[derive(Debug, Clone, PartialEq)]
pub enum RelationObject {
    /// Another entity (index into [`Extraction::entities`]).
    Entity(usize),
    /// A literal value, e.g. the text of a quotation.
    Literal(String),
    /// A normalised date (its value, e.g. `2025-08-16`): the date node of the document.
    Date(String),
}

/// A relation between an entity and an entity or a value, with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    /// Subject entity index.
    pub subject: usize,
    /// Predicate.
    pub predicate: Predicate,
    /// Object.
    pub object: RelationObject,
    /// Surface text of the relation ("suggested … as the venue").
    pub phrase: String,
    /// Confidence in 0..=1: the measured precision of the extractor and
    /// predicate group on judged samples where measured
    /// (`models/lexicon/confidence.tsv`), else the rule's heuristic score.
    pub confidence: f32,
    /// Index of the (first) sentence holding the evidence.
    pub sentence: usize,
    /// The evidence text span (one or more whole sentences).
    pub evidence: Span,
    /// Identifier of the extractor that produced it.
    pub extractor: &'static str,
    /// Modal or infinitive marker before the verb ("would", "might", "to"): the
    /// relation is possible or intended, not stated as having happened.
    pub modality: Option<String>,
    /// The verb is negated ("did not meet").
    pub negated: bool,
    /// When the relation is a claim reported by someone ("X said Y attacked Z"),
    /// the speaker entity: the relation is attributed, not asserted.
    pub attributed_to: Option<usize>,
    /// The subject and object mentions' name spans in the evidence, when the
    /// relation links two mentions (not for events or literals).
    pub arguments: Option<(Span, Span)>,
    /// The news event class (CAMEO root category) of the predicate, when it
    /// denotes an event rather than a state; set by [`Extractor::extract`].
    pub event_class: Option<&'static EventClass>,
}

impl Relation {
    /// True for a plain statement of fact: not negated, not modal, not
    /// reported. Only such relations are asserted as triples in RDF.
    pub fn is_asserted(&self) -> bool {
        !self.negated && self.modality.is_none() && self.attributed_to.is_none()
    }
}

/// Everything extracted from one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    /// Entities, ordered by first mention.
    pub entities: Vec<Entity>,
    /// Mentions, in text order.
    pub mentions: Vec<Mention>,
    /// Relations, in text order of their evidence.
    pub relations: Vec<Relation>,
    /// Date expressions, normalised against the document date.
    pub dates: Vec<dates::TimeExpression>,
}

/// The extractor: lexical resources plus the stage functions.
#[derive(Debug, Clone, Copy)]
pub struct Extractor {
    lexicon: &'static Lexicon,
    min_confidence: f32,
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new(Lexicon::embedded())
    }
}

impl Extractor {
    /// An extractor over the given lexicon.
    pub fn new(lexicon: &'static Lexicon) -> Self {
        Self {
            lexicon,
            min_confidence: 0.0,
        }
    }

    /// The same extractor keeping only relations whose (calibrated)
    /// confidence is at least `min` (`extract`/`ingest --min-confidence`).
    pub fn with_min_confidence(self, min: f32) -> Self {
        Self {
            min_confidence: min,
            ..self
        }
    }

    /// Runs all stages on a document. `date` is its publication date
    /// (`YYYY-MM-DD`), the anchor of relative dates.
    pub fn extract(&self, doc: &Document, date: Option<&str>) -> Extraction {
        let mut names = mentions::find_names(doc, self.lexicon);
        mentions::apply_ner(doc, &mut names, self.lexicon);
        mentions::decide_types(doc, &mut names, self.lexicon);
        let (mut entities, mut mentions) = entities::resolve(doc, names, self.lexicon);
        teams::national_teams(doc, &mut entities, &mentions);
        for e in entities.iter_mut().filter(|e| e.entity_type == EntityType::Event) {
            let head = e.label.rsplit(' ').next().unwrap_or("").to_lowercase();
            e.event_class = self
                .lexicon
                .event_nouns
                .get(&head)
                .and_then(|p| self.lexicon.property_event_class(p));
        }
        let dates = dates::find_dates(doc, date.and_then(dates::Date::parse));
        let mut relations = relations::extract(doc, &entities, &mentions, &dates, self.lexicon);
        constraints::apply(doc, &mentions, &mut relations, &mut entities, self.lexicon);
        nested::add_nested_places(doc, &mut entities, &mut mentions, self.lexicon);
        for r in &mut relations {
            if let Some(c) = calibrated_confidence(r, self.lexicon) {
                r.confidence = c;
            }
        }
        relations.retain(|r| r.confidence >= self.min_confidence);
        for r in &mut relations {
            r.event_class = match &r.predicate {
                Predicate::Ontology(p) => self.lexicon.property_event_class(p),
                Predicate::Open(lemma) => self.lexicon.verb_event_class(lemma),
            };
        }
        Extraction {
            entities,
            mentions,
            relations,
            dates,
        }
    }
}

/// The measured precision of the relation's extractor and predicate group on
/// the judged development sample (`models/lexicon/confidence.tsv`), if
/// measured; otherwise the extractor keeps its heuristic score.
fn calibrated_confidence(r: &Relation, lex: &Lexicon) -> Option<f32> {
    let group = match &r.predicate {
        Predicate::Ontology(p) => p.as_str(),
        Predicate::Open(_) => "open",
    };
    let key = |g: &str| (r.extractor.to_string(), g.to_string());
    lex.confidence
        .get(&key(group))
        .or_else(|| lex.confidence.get(&key("*")))
        .copied()
}

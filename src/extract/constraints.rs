//! Type constraints on relations: the ontology's domain and range.
//!
//! Every ontology property the extractor asserts declares the entity types
//! its subject and object may have (`models/lexicon/predicates.tsv`, the same
//! as `rdfs:domain`/`rdfs:range` in `ontology/textkg.ttl`). A relation whose
//! arguments violate them is dropped: a wrong type or a wrong argument is the
//! likelier explanation than a person working for a city. An open relation
//! (a verb without a property) needs a subject of a known type: an untyped
//! name (`Thing`) doing something is more often a misread phrase than an actor.

use super::mentions::NAME_PARTICLES;
use super::{Entity, EntityType, Mention, MentionKind, Predicate, Relation, RelationObject};
use crate::document::{Document, Span};
use crate::lexicon::Lexicon;

/// The argument type name of an entity type (`Country` → `Place`).
fn type_name(t: EntityType) -> &'static str {
    t.coarse().class_name()
}

/// True when the relation's arguments have types its predicate allows.
pub fn fits(r: &Relation, entities: &[Entity], lex: &Lexicon) -> bool {
    let Some(subject) = entities.get(r.subject) else {
        return false;
    };
    let RelationObject::Entity(o) = r.object else {
        // Literals (quotations) and dates have no entity type to check.
        return true;
    };
    match &r.predicate {
        Predicate::Ontology(p) => types_allow(lex, p, entities, r.subject, o),
        Predicate::Open(_) => subject.entity_type != EntityType::Thing && entities.get(o).is_some(),
    }
}

/// True when `property` allows a subject of entity `subject`'s type and an
/// object of entity `object`'s type (a property without declared types
/// allows any).
pub(super) fn types_allow(lex: &Lexicon, property: &str, entities: &[Entity], subject: usize, object: usize) -> bool {
    let (Some(s), Some(o)) = (entities.get(subject), entities.get(object)) else {
        return false;
    };
    lex.predicate_types
        .get(property)
        .is_none_or(|t| t.allows(type_name(s.entity_type), type_name(o.entity_type)))
}

/// Capitalised words that follow names without being part of them.
const NOT_NAME_PARTS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// True when the relation is well formed in its text: it is not read from a
/// question, its two arguments are not two parts of one name, and neither
/// argument is a fragment of a longer name.
pub fn well_formed(doc: &Document, mentions: &[Mention], entities: &[Entity], r: &Relation) -> bool {
    let text = doc.text.as_str();
    // A question asserts nothing ("How does the US compare to Canada?").
    if r.evidence.slice(text).trim_end().ends_with('?') {
        return false;
    }
    let Some((a, b)) = r.arguments else {
        return true;
    };
    let (first, second) = if a.start <= b.start { (a, b) } else { (b, a) };
    if first.end <= second.start {
        let words: Vec<&str> = text[first.end..second.start].split_whitespace().collect();
        // "Moscow INTERFAX", "Lisbon Radio Vento Norte": a strong pattern (a
        // source line, a dateline) puts a city and an agency side by side.
        let strong = r.extractor == super::nominal::NOMINAL_PATTERN && r.confidence >= TYPING_PATTERN_CONFIDENCE;
        let agency_line = strong && r.predicate == Predicate::Ontology("basedIn".into());
        if !agency_line && (words.is_empty() || (words.len() == 1 && NAME_PARTICLES.contains(&words[0]))) {
            return false;
        }
    }
    !fragment_of_name(doc, mentions, entities, a, b) && !fragment_of_name(doc, mentions, entities, b, a)
}

/// A name argument that is only part of a name, by the tagger: a proper noun
/// or a number follows it directly ("Public School 4", "Suleiman al-Amr"), or
/// "of" and a proper noun after a name that is no person's ("International
/// Brotherhood of Magicians"), or a
/// proper noun directly precedes its mention with its title ("Guangzhou Opera
/// House", "Daughters of the American Revolution Constitution Hall").
fn fragment_of_name(doc: &Document, mentions: &[Mention], entities: &[Entity], span: Span, other: Span) -> bool {
    let Some(m) = mentions.iter().find(|m| m.span == span && m.kind == MentionKind::Name) else {
        return false;
    };
    let (Some(&last), sentence) = (m.tokens.clone().last().as_ref(), doc.sentences.get(m.sentence)) else {
        return false;
    };
    let Some(sentence) = sentence else {
        return false;
    };
    let adjacent = |i: usize, j: usize| doc.text[doc.tokens[i].end..doc.tokens[j].start] == *" ";
    // The other argument next to this one is the adjacency rule's business.
    let in_other = |k: usize| other.start <= doc.tokens[k].start && doc.tokens[k].end <= other.end;
    let name_part = |k: usize| {
        !in_other(k)
            && ((doc.upos(k) == "PROPN" && !NOT_NAME_PARTS.contains(&doc.token_text(k)))
                || (doc.upos(k) == "NUM" && doc.token_text(k).chars().all(|c| c.is_ascii_digit())))
    };
    let next = last + 1;
    if next < sentence.tokens.end && adjacent(last, next) {
        // A title starting another mention ("New Jersey Gov. Thomas Kean") ends the name.
        let title_follows = mentions
            .iter()
            .any(|o| o.full_span.start <= doc.tokens[next].start && o.span.start > doc.tokens[next].start);
        if name_part(next) && !title_follows {
            return true;
        }
        // "Sen. Ann Lee of Ohio", "Tom Jones of Acme" are the patterns that relate them.
        let person = entities
            .get(m.entity)
            .is_some_and(|e| e.entity_type == EntityType::Person);
        if !person && doc.token_text(next) == "of" && next + 1 < sentence.tokens.end && doc.upos(next + 1) == "PROPN" {
            return true;
        }
    }
    let first = m.tokens.start;
    first > sentence.tokens.start
        && adjacent(first - 1, first)
        && doc.upos(first - 1) == "PROPN"
        && doc
            .token_text(first - 1)
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '-' | '.' | '\''))
        && !in_other(first - 1)
        && !NOT_NAME_PARTS.contains(&doc.token_text(first - 1))
}

/// Confidence from which a `nominal-pattern` relation is a structural
/// statement of its arguments' types ("Springfield, Ill." says Springfield is
/// a place; "X, 50, of Y" that X is a person).
const TYPING_PATTERN_CONFIDENCE: f32 = 0.7;

/// Keeps the relations that are well formed ([`well_formed`]) and whose
/// arguments fit their predicate ([`fits`]).
///
/// An untyped argument (`Thing`) of a strong nominal pattern (confidence ≥
/// 0.7: datelines, "CITY, STATE", "X, 50, of P", "P-based O", birthplaces,
/// killers) takes the first type the predicate allows there (`predicates.tsv`
/// lists types in order of preference): the construction is the evidence of
/// its type that the name lacked. Weaker patterns and
/// verbs do not type their arguments.
pub fn apply(
    doc: &Document,
    mentions: &[Mention],
    relations: &mut Vec<Relation>,
    entities: &mut [Entity],
    lex: &Lexicon,
) {
    relations.retain(|r| well_formed(doc, mentions, entities, r));
    for r in relations.iter() {
        container_reading(r, entities, lex);
    }
    for r in relations.iter() {
        let (RelationObject::Entity(o), Predicate::Ontology(p)) = (&r.object, &r.predicate) else {
            continue;
        };
        if r.extractor != super::nominal::NOMINAL_PATTERN || r.confidence < TYPING_PATTERN_CONFIDENCE {
            continue;
        }
        let Some(types) = lex.predicate_types.get(p) else {
            continue;
        };
        for (e, allowed) in [(r.subject, &types.subject), (*o, &types.object)] {
            if let (Some(entity), Some([first, ..])) = (entities.get_mut(e), allowed.as_deref())
                && entity.entity_type == EntityType::Thing
                && let Some(t) = entity_type(first)
            {
                entity.entity_type = t;
            }
        }
    }
    relations.retain(|r| fits(r, entities, lex));
}

/// "Rochester, New York", "Clearwater, Florida": a city lies in a larger
/// place. When the container was read as a city but the gazetteer also knows
/// a state or country of that very name, that is the reading.
fn container_reading(r: &Relation, entities: &mut [Entity], lex: &Lexicon) {
    use crate::lexicon::GazetteerClass;
    let (Predicate::Ontology(p), RelationObject::Entity(o)) = (&r.predicate, &r.object) else {
        return;
    };
    // Only a city's container is a state: a cemetery or an archive "…, Moscow"
    // lies in the city.
    if p != "locatedIn"
        || entities
            .get(r.subject)
            .is_none_or(|s| s.entity_type != EntityType::City)
    {
        return;
    }
    let Some(object) = entities.get_mut(*o).filter(|e| e.entity_type == EntityType::City) else {
        return;
    };
    let larger = lex.lookup(&object.label).and_then(|es| {
        es.iter().find(|e| {
            e.canonical == object.label
                && matches!(e.class, GazetteerClass::AdministrativeArea | GazetteerClass::Country)
        })
    });
    if let Some(e) = larger {
        object.entity_type = match e.class {
            GazetteerClass::Country => EntityType::Country,
            _ => EntityType::AdministrativeArea,
        };
        object.wikidata = e.qid.clone();
    }
}

/// The entity type of an argument type name.
fn entity_type(name: &str) -> Option<EntityType> {
    Some(match name {
        "Person" => EntityType::Person,
        "Organization" => EntityType::Organization,
        "Place" => EntityType::Place,
        "Event" => EntityType::Event,
        "Group" => EntityType::Group,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(label: &str, t: EntityType) -> Entity {
        Entity {
            label: label.into(),
            entity_type: t,
            aliases: vec![],
            mentions: vec![],
            wikidata: None,
            roles: vec![],
            merges: vec![],
            event_class: None,
        }
    }

    fn relation(p: Predicate, s: usize, o: usize) -> Relation {
        Relation {
            subject: s,
            predicate: p,
            object: RelationObject::Entity(o),
            phrase: String::new(),
            confidence: 0.5,
            sentence: 0,
            evidence: Span::new(0, 0),
            extractor: "test",
            modality: None,
            negated: false,
            attributed_to: None,
            arguments: None,
            event_class: None,
        }
    }

    #[test]
    fn domain_and_range_decide() {
        let lex = Lexicon::embedded();
        let es = [
            entity("Ann Lee", EntityType::Person),
            entity("Acme", EntityType::Organization),
            entity("Oslo", EntityType::City),
            entity("Music", EntityType::Thing),
        ];
        let works = |s, o| fits(&relation(Predicate::Ontology("worksFor".into()), s, o), &es, lex);
        assert!(works(0, 1));
        assert!(!works(3, 1), "an untyped subject does not work for anyone");
        assert!(!works(1, 1 + 1), "an organisation does not work for a city");
        let lives = fits(&relation(Predicate::Ontology("livesIn".into()), 0, 2), &es, lex);
        assert!(lives, "a city is a place");
        let open = |s, o| fits(&relation(Predicate::Open("earn".into()), s, o), &es, lex);
        assert!(open(0, 3));
        assert!(!open(3, 0));
    }
}

//! Type constraints on relations: the ontology's domain and range.
//!
//! Every ontology property the extractor asserts declares the entity types
//! its subject and object may have (`models/lexicon/predicates.tsv`, the same
//! as `rdfs:domain`/`rdfs:range` in `ontology/textkg.ttl`). A relation whose
//! arguments violate them is dropped: a wrong type or a wrong argument is the
//! likelier explanation than a person working for a city. An open relation
//! (a verb without a property) needs a subject of a known type: an untyped
//! name (`Thing`) doing something is more often a misread phrase than an actor.

use super::{Entity, EntityType, Predicate, Relation, RelationObject};
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
    let Some(object) = entities.get(o) else {
        return false;
    };
    match &r.predicate {
        Predicate::Ontology(p) => lex
            .predicate_types
            .get(p)
            .is_none_or(|t| t.allows(type_name(subject.entity_type), type_name(object.entity_type))),
        Predicate::Open(_) => subject.entity_type != EntityType::Thing,
    }
}

/// Confidence from which a `nominal-pattern` relation is a structural
/// statement of its arguments' types ("Springfield, Ill." says Springfield is
/// a place; "X, 50, of Y" that X is a person).
const TYPING_PATTERN_CONFIDENCE: f32 = 0.7;

/// Keeps the relations whose arguments fit their predicate ([`fits`]).
///
/// An untyped argument (`Thing`) of a strong nominal pattern (confidence ≥
/// 0.7: datelines, "CITY, STATE", "X, 50, of P", "P-based O", birthplaces,
/// killers) takes the one type the predicate allows there: the construction
/// is the evidence of its type that the name lacked. Weaker patterns and
/// verbs do not type their arguments.
pub fn apply(relations: &mut Vec<Relation>, entities: &mut [Entity], lex: &Lexicon) {
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
            if let (Some(entity), Some([only])) = (entities.get_mut(e), allowed.as_deref())
                && entity.entity_type == EntityType::Thing
                && let Some(t) = entity_type(only)
            {
                entity.entity_type = t;
            }
        }
    }
    relations.retain(|r| fits(r, entities, lex));
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
    use crate::document::Span;

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
        let works = |s, o| fits(&relation(Predicate::Ontology("worksFor".into()), s, o), &es, &lex);
        assert!(works(0, 1));
        assert!(!works(3, 1), "an untyped subject does not work for anyone");
        assert!(!works(1, 1 + 1), "an organisation does not work for a city");
        let lives = fits(&relation(Predicate::Ontology("livesIn".into()), 0, 2), &es, &lex);
        assert!(lives, "a city is a place");
        let open = |s, o| fits(&relation(Predicate::Open("earn".into()), s, o), &es, &lex);
        assert!(open(0, 3));
        assert!(!open(3, 0));
    }
}

//! Places named inside other names: "Amsterdam" in "Vrije Universiteit
//! Amsterdam", "Berlin" in "Berlin International Film Festival", "Mexico" in
//! "Emperor of Mexico".
//!
//! Mention finding gives every token to at most one name, the longest, so a
//! place that is part of an organisation's, an event's or a title's name was
//! no mention of that place. It is one (GUM annotates every nested named
//! phrase, and a reader of the graph asking where "Amsterdam" is mentioned
//! expects the university's name among the answers). These mentions are added
//! after relation extraction: relation rules keep seeing one name per token.
//!
//! Which names contain a place mention:
//! - an organisation, an event or an untyped name (a work's title, an
//!   award): a gazetteer place (country, city, first-level division, region)
//!   anywhere inside it;
//! - a place that is not itself a gazetteer entry ("San Francisco Bay",
//!   "Auckland Castle"; "Mexico City" is one place, not a mention of Mexico);
//! - a person's name only after "of" ("Emperor of Mexico", "Earl of
//!   Clare"): a place-like word leading a personal name is the person's
//!   ("Jordan Peele", "Georgia O'Keeffe").
//!
//! Never a place: a unit named after it ("Bergen County", "City of
//! Cleveland": `admin-unit` nouns in `noun_classes.tsv`), a place word after a
//! given name ("George Washington Bridge"), and, unless after "of", one word
//! that is a nationality ("Saudi Interior Ministry"), a common given name
//! ("St. Mary", "Victoria University": named after people as often as
//! places) or under three letters in lowercase ("Ho").

use super::{Entity, EntityType, Mention, MentionKind};
use crate::document::{Document, Span};
use crate::lexicon::{GazetteerClass, Lexicon, NounClass};

/// How common (percent of US men or of women) a given name must be for a
/// one-word place inside a name to be read as the given name.
const GIVEN_NAME_PERCENT: f32 = 0.05;

fn is_given_name(word: &str, lex: &Lexicon) -> bool {
    lex.given_names
        .get(word)
        .is_some_and(|g| g.male.max(g.female) >= GIVEN_NAME_PERCENT)
}

/// Whether tokens `k..k + len` inside a name may be a place of their own.
fn may_be_place(doc: &Document, k: usize, len: usize, after_of: bool, lex: &Lexicon) -> bool {
    let word = doc.token_text(k);
    if k > 0 && !after_of {
        let before = doc.token_text(k - 1);
        if before.chars().next().is_some_and(char::is_uppercase) && is_given_name(before, lex) {
            return false;
        }
    }
    if len > 1 || after_of {
        return true;
    }
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let short = letters < 3 && word.chars().any(char::is_lowercase);
    // "U.S." and "UK" are listed as nationality words too, but written so they are the country.
    let demonym = word.chars().any(char::is_lowercase) && lex.demonyms.contains_key(word);
    !(short || demonym || is_given_name(word, lex))
}

/// Adds a mention for each gazetteer place inside another name mention (see
/// the module docs), joined to the document's entity for that place (same
/// Wikidata id, or same label among places) or to a new entity.
pub fn add_nested_places(doc: &Document, entities: &mut Vec<Entity>, mentions: &mut Vec<Mention>, lex: &Lexicon) {
    let mut found: Vec<(Mention, EntityType, String, Option<String>)> = Vec::new();
    for m in mentions.iter().filter(|m| m.kind == MentionKind::Name) {
        let Some(container) = entities.get(m.entity) else {
            continue;
        };
        let person = container.entity_type == EntityType::Person;
        let allowed = match container.entity_type {
            EntityType::Organization | EntityType::Event | EntityType::Thing | EntityType::Person => true,
            EntityType::Place | EntityType::City | EntityType::AdministrativeArea | EntityType::Country => {
                container.wikidata.is_none()
                    && !m
                        .tokens
                        .clone()
                        .any(|t| lex.noun_classes.get(&doc.token_text(t).to_lowercase()) == Some(&NounClass::AdminUnit))
            }
            EntityType::Group => false,
        };
        if !allowed || m.tokens.len() < 2 {
            continue;
        }
        let mut k = m.tokens.start;
        while k < m.tokens.end {
            let after_of = k > m.tokens.start && doc.token_text(k - 1).eq_ignore_ascii_case("of");
            let hit = super::mentions::gazetteer_match(doc, k, m.tokens.end, lex)
                .filter(|(len, _)| *len < m.tokens.len())
                .filter(|_| !person || after_of)
                .filter(|&(len, _)| may_be_place(doc, k, len, after_of, lex));
            let Some((len, e)) = hit else {
                k += 1;
                continue;
            };
            let entity_type = match e.class {
                GazetteerClass::Country => EntityType::Country,
                GazetteerClass::City => EntityType::City,
                GazetteerClass::AdministrativeArea => EntityType::AdministrativeArea,
                GazetteerClass::Region => EntityType::Place,
                GazetteerClass::Organization => {
                    k += len;
                    continue;
                }
            };
            let span = Span::new(doc.tokens[k].start, doc.tokens[k + len - 1].end);
            found.push((
                Mention {
                    span,
                    full_span: span,
                    tokens: k..k + len,
                    sentence: m.sentence,
                    entity: usize::MAX,
                    kind: MentionKind::Name,
                },
                entity_type,
                e.canonical.clone(),
                e.qid.clone(),
            ));
            k += len;
        }
    }
    for (mut mention, entity_type, label, qid) in found {
        let existing = entities.iter().position(|x| {
            (qid.is_some() && x.wikidata == qid) || (x.entity_type.coarse() == EntityType::Place && x.label == label)
        });
        let e = existing.unwrap_or_else(|| {
            entities.push(Entity {
                label,
                entity_type,
                aliases: Vec::new(),
                mentions: Vec::new(),
                wikidata: qid,
                roles: Vec::new(),
                merges: Vec::new(),
                event_class: None,
            });
            entities.len() - 1
        });
        mention.entity = e;
        let index = mentions.len();
        let start = mention.span.start;
        mentions.push(mention);
        let list = &mut entities[e].mentions;
        let at = list.partition_point(|&i| mentions.get(i).is_some_and(|x| x.span.start <= start));
        list.insert(at, index);
    }
}

#[cfg(test)]
mod tests {
    use crate::extract::Extractor;

    /// (mention text, entity label, entity type) of every mention.
    fn mentions(text: &str) -> Vec<(String, String, &'static str)> {
        let doc = crate::ner::stage::analyze_for_extraction(text.to_string());
        let x = Extractor::default().extract(&doc, None);
        x.mentions
            .iter()
            .map(|m| {
                let e = &x.entities[m.entity];
                (
                    doc.span_text(m.span).to_string(),
                    e.label.clone(),
                    e.entity_type.class_name(),
                )
            })
            .collect()
    }

    fn has(ms: &[(String, String, &str)], text: &str, label: &str) -> bool {
        ms.iter().any(|(t, l, _)| t == text && l == label)
    }

    #[test]
    fn a_place_inside_an_organisation_is_a_mention_of_the_place() {
        let ms = mentions("Ada Quill teaches at the University of Toronto. She grew up in Toronto.");
        assert!(has(&ms, "University of Toronto", "University of Toronto"), "{ms:?}");
        assert!(has(&ms, "Toronto", "Toronto"), "{ms:?}");
        // The nested mention joins the place the text names on its own.
        let toronto: Vec<_> = ms.iter().filter(|(_, l, _)| l == "Toronto").collect();
        assert_eq!(toronto.len(), 2, "{ms:?}");
        assert!(toronto.iter().all(|(_, _, t)| *t == "City"), "{ms:?}");
    }

    #[test]
    fn a_title_of_a_place_names_the_place_but_a_personal_name_does_not() {
        let ms = mentions("Joshua Norton called himself Emperor of Mexico. Jordan Peele spoke in Paris.");
        assert!(ms.iter().any(|(t, _, ty)| t == "Mexico" && *ty == "Country"), "{ms:?}");
        assert!(!ms.iter().any(|(t, _, _)| t == "Jordan"), "{ms:?}");
    }

    #[test]
    fn a_gazetteer_place_is_no_container_of_its_own_parts() {
        let ms = mentions("The delegation flew from Mexico City to Lima.");
        assert!(has(&ms, "Mexico City", "Mexico City"), "{ms:?}");
        assert!(!ms.iter().any(|(t, _, _)| t == "Mexico"), "{ms:?}");
    }

    #[test]
    fn units_named_after_places_and_people_named_like_places_are_no_place_mentions() {
        let ms = mentions(
            "The Bergen County council met in Paris. Acme opened an office near the George Washington Bridge.",
        );
        for word in ["Bergen", "Washington"] {
            assert!(!ms.iter().any(|(t, _, _)| t == word), "{word}: {ms:?}");
        }
        let ms = mentions("She studied at the University of Victoria and at Durham University.");
        assert!(ms.iter().any(|(t, _, _)| t == "Victoria"), "{ms:?}");
        // One word that is a common given name or a nationality, not after "of".
        let doc = crate::ner::stage::analyze_for_extraction("Victoria Hall and Saudi Ministry".to_string());
        let lex = crate::lexicon::Lexicon::embedded();
        assert!(!super::may_be_place(&doc, 0, 1, false, lex));
        assert!(!super::may_be_place(&doc, 3, 1, false, lex));
        assert!(super::may_be_place(&doc, 0, 1, true, lex));
    }
}

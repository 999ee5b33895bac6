//! Within-document entity resolution: merges name mentions into entities.
//!
//! Rules, in order (each is deterministic and keeps every mention):
//! 1. gazetteer mentions with the same canonical name and coarse type are one
//!    entity ("US", "United States");
//! 2. other names with the same text and coarse type are one entity;
//! 3. a name equal to the last words (or the first word) of exactly one
//!    longer person name joins that person ("Trump" → "Donald Trump",
//!    "von der Leyen" → "Ursula von der Leyen");
//! 4. an acronym equal to the initials of exactly one multi-word organisation
//!    joins it;
//! 5. a personal pronoun joins the most recent *subject-like* person mention
//!    (the first person mentioned in its sentence) in the same or the six
//!    previous sentences, else the most recent person (a salience heuristic),
//!    skipping persons of the other gender: a gendered title ("Mrs", "King")
//!    or the first pronoun attached to a person fixes its gender, so "she"
//!    after "he" went to Trump looks past Trump. No number agreement ("they"
//!    is not resolved).

use std::collections::{BTreeMap, BTreeSet};

use super::mentions::NameMention;
use super::{Entity, EntityType, Mention, MentionKind, Merge};
use crate::document::Document;

/// How far back (in sentences) a pronoun looks for its antecedent.
const PRONOUN_WINDOW: usize = 6;

/// Grammatical gender, as pronouns and titles reveal it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Male,
    Female,
}

/// The gender of a third-person pronoun.
fn pronoun_gender(pronoun: &str) -> Option<Gender> {
    match pronoun.to_lowercase().as_str() {
        "he" | "him" | "his" | "himself" => Some(Gender::Male),
        "she" | "her" | "hers" | "herself" => Some(Gender::Female),
        _ => None,
    }
}

/// The gender a title in front of a name reveals ("Mrs Keller").
fn title_gender(full_name: &str) -> Option<Gender> {
    const MALE: &[&str] = &[
        "Mr", "Mr.", "Mister", "Sir", "Lord", "King", "Prince", "Duke", "Emperor", "Sheikh",
    ];
    const FEMALE: &[&str] = &[
        "Mrs", "Mrs.", "Ms", "Ms.", "Miss", "Madam", "Madame", "Lady", "Dame", "Queen", "Princess", "Duchess",
        "Empress",
    ];
    full_name.split(' ').find_map(|w| {
        if MALE.contains(&w) {
            Some(Gender::Male)
        } else if FEMALE.contains(&w) {
            Some(Gender::Female)
        } else {
            None
        }
    })
}

/// Merges mentions into entities. Returns entities ordered by first mention and
/// mentions in text order.
pub fn resolve(doc: &Document, names: Vec<NameMention>) -> (Vec<Entity>, Vec<Mention>) {
    let (names, pronouns): (Vec<_>, Vec<_>) = names.into_iter().partition(|m| m.kind == MentionKind::Name);

    // Group keys: (coarse type, key name).
    let mut keys: Vec<(EntityType, String)> = names
        .iter()
        .map(|m| {
            (
                m.entity_type.coarse(),
                m.canonical.clone().unwrap_or_else(|| m.name.clone()),
            )
        })
        .collect();
    let people: BTreeSet<&str> = keys
        .iter()
        .filter(|(t, n)| *t == EntityType::Person && n.contains(' '))
        .map(|(_, n)| n.as_str())
        .collect();
    let orgs: BTreeSet<&str> = keys
        .iter()
        .filter(|(t, n)| *t == EntityType::Organization && n.contains(' '))
        .map(|(_, n)| n.as_str())
        .collect();
    let mut rekey = Vec::new();
    // Why each mention joins its entity, when it is not by its own name.
    let mut reasons: Vec<Option<&'static str>> = names
        .iter()
        .map(|m| {
            m.canonical
                .as_ref()
                .filter(|c| **c != m.name)
                .map(|_| "gazetteer-alias")
        })
        .collect();
    for (k, (t, name)) in keys.iter().enumerate() {
        if names[k].canonical.is_some() {
            continue;
        }
        if matches!(t, EntityType::Person | EntityType::Thing) {
            // A shorter form of exactly one longer person name: its last words
            // ("Trump", "von der Leyen") or its first word ("Donald").
            let suffix = format!(" {name}");
            let matches: Vec<&&str> = people
                .iter()
                .filter(|p| p.len() > name.len())
                .filter(|p| p.ends_with(&suffix) || (!name.contains(' ') && p.split(' ').next() == Some(name)))
                .collect();
            if let [only] = matches.as_slice() {
                rekey.push((k, (EntityType::Person, only.to_string())));
                reasons[k] = Some("part-of-unique-person-name");
                continue;
            }
        }
        if name.contains(' ') {
            continue;
        }
        if matches!(t, EntityType::Organization | EntityType::Thing) {
            let matches: Vec<&&str> = orgs.iter().filter(|o| initials(o) == *name).collect();
            if let [only] = matches.as_slice() {
                rekey.push((k, (EntityType::Organization, only.to_string())));
                reasons[k] = Some("acronym-of-unique-organization");
            }
        }
    }
    for (k, key) in rekey {
        keys[k] = key;
    }

    // Build entities in order of first mention.
    let mut index: BTreeMap<(EntityType, String), usize> = BTreeMap::new();
    let mut entities: Vec<Entity> = Vec::new();
    let mut mentions: Vec<Mention> = Vec::new();
    let mut forms: Vec<BTreeSet<String>> = Vec::new();
    for ((m, key), reason) in names.iter().zip(keys).zip(reasons) {
        let e = *index.entry(key.clone()).or_insert_with(|| {
            entities.push(Entity {
                label: key.1.clone(),
                entity_type: if m.typed { m.entity_type } else { key.0 },
                aliases: Vec::new(),
                mentions: Vec::new(),
                wikidata: None,
                roles: Vec::new(),
                merges: Vec::new(),
                event_class: None,
            });
            forms.push(BTreeSet::new());
            entities.len() - 1
        });
        let entity = &mut entities[e];
        // A precise type (City) refines a coarse one (Place).
        if m.typed && entity.entity_type == entity.entity_type.coarse() && m.entity_type.coarse() == entity.entity_type
        {
            entity.entity_type = m.entity_type;
        }
        if entity.wikidata.is_none() {
            entity.wikidata = m.wikidata.clone();
        }
        if let Some(role) = &m.role
            && !entity.roles.contains(role)
        {
            entity.roles.push(role.clone());
        }
        if let Some(rule) = reason {
            let merge = Merge {
                form: m.name.clone(),
                rule,
            };
            if !entity.merges.contains(&merge) {
                entity.merges.push(merge);
            }
        }
        forms[e].insert(m.name.clone());
        let full = super::mentions::collapse(doc.span_text(m.full_span));
        forms[e].insert(full);
        mentions.push(Mention {
            span: m.span,
            full_span: m.full_span,
            tokens: m.tokens.clone(),
            sentence: m.sentence,
            entity: e,
            kind: MentionKind::Name,
        });
    }

    // Pronouns, in text order: the most recent subject-like person mention
    // (the first person mention of its sentence, resolved pronouns included),
    // else the most recent person mention, within the window.
    mentions.sort_by_key(|m| (m.span.start, m.span.end));
    // Candidates come from the sorted name mentions and from pronouns already
    // resolved (also in text order): both are searched backwards from the
    // pronoun and stop at the window, so this is linear in the window size.
    // Titles inside a name's full form ("King Charles") or just before it ("Mrs Weber").
    let mut titles: Vec<Vec<Gender>> = vec![Vec::new(); entities.len()];
    for m in &mentions {
        let before = m.tokens.start.checked_sub(1).map(|i| doc.token_text(i));
        let full = doc.span_text(m.full_span);
        if let (Some(g), Some(t)) = (
            before.and_then(title_gender).or_else(|| title_gender(full)),
            titles.get_mut(m.entity),
        ) {
            t.push(g);
        }
    }
    // Conflicting titles say nothing.
    let mut gender: Vec<Option<Gender>> = titles
        .iter()
        .map(|t| t.first().copied().filter(|g| t.iter().all(|x| x == g)))
        .collect();
    let mut resolved: Vec<Mention> = Vec::new();
    for p in pronouns {
        let wanted = pronoun_gender(&p.name);
        let agrees = |e: usize| match (wanted, gender.get(e).copied().flatten()) {
            (Some(w), Some(g)) => w == g,
            _ => true,
        };
        let earliest = p.sentence.saturating_sub(PRONOUN_WINDOW);
        let before = |list: &[Mention]| -> Vec<Mention> {
            let end = list.partition_point(|m| m.full_span.end <= p.span.start);
            list[..end]
                .iter()
                .rev()
                .take_while(|m| m.sentence >= earliest)
                .filter(|m| {
                    m.full_span.end <= p.span.start
                        && entities[m.entity].entity_type == EntityType::Person
                        && agrees(m.entity)
                })
                .cloned()
                .collect()
        };
        let mut candidates = before(&mentions);
        candidates.extend(before(&resolved));
        candidates.sort_by_key(|m| m.span.start);
        let subject_like = |m: &&Mention| {
            !candidates
                .iter()
                .any(|o| o.sentence == m.sentence && o.span.start < m.span.start)
        };
        let antecedent = candidates
            .iter()
            .filter(subject_like)
            .max_by_key(|m| m.span.start)
            .or_else(|| candidates.iter().max_by_key(|m| m.span.start))
            .map(|m| m.entity);
        if let Some(e) = antecedent {
            if let Some(g) = gender.get_mut(e)
                && g.is_none()
            {
                *g = wanted;
            }
            let merge = Merge {
                form: p.name.to_lowercase(),
                rule: "pronoun-salience",
            };
            if !entities[e].merges.contains(&merge) {
                entities[e].merges.push(merge);
            }
            resolved.push(Mention {
                span: p.span,
                full_span: p.span,
                tokens: p.tokens.clone(),
                sentence: p.sentence,
                entity: e,
                kind: MentionKind::Pronoun,
            });
        }
    }
    mentions.extend(resolved);
    mentions.sort_by_key(|m| (m.span.start, m.span.end));
    for (i, m) in mentions.iter().enumerate() {
        entities[m.entity].mentions.push(i);
    }
    for (entity, forms) in entities.iter_mut().zip(forms) {
        // The label of a person is the longest name form without title or
        // honorific ("Tom Brandt", not "Mr. Brandt").
        if entity.entity_type == EntityType::Person {
            let names_only = entity
                .mentions
                .iter()
                .filter(|&&i| mentions[i].kind == MentionKind::Name)
                .map(|&i| {
                    super::mentions::without_honorific(&super::mentions::collapse(doc.span_text(mentions[i].span)))
                        .to_string()
                })
                .max_by_key(|n| (n.split(' ').count(), n.len()));
            if let Some(n) = names_only {
                entity.label = n;
            }
        }
        entity.aliases = forms.into_iter().filter(|f| *f != entity.label).collect();
        entity.roles.sort();
        entity.merges.sort();
        // "President Putin" adds nothing to "Russian President Vladimir Putin".
        let with_country: Vec<String> = entity
            .roles
            .iter()
            .filter(|r| r.country.is_some())
            .map(|r| r.title.clone())
            .collect();
        entity
            .roles
            .retain(|r| r.country.is_some() || !with_country.contains(&r.title));
    }
    (entities, mentions)
}

/// Initials of the capitalised words of a name ("North Atlantic Treaty Organization" → "NATO").
fn initials(name: &str) -> String {
    name.split(' ')
        .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Extractor;
    use crate::nlp;

    fn entities(text: &str) -> Vec<Entity> {
        let doc = nlp::analyze(text.to_string());
        Extractor::default().extract(&doc, None).entities
    }

    #[test]
    fn surname_joins_full_name_and_keeps_titled_alias() {
        let es = entities("Senator Maria Lopez spoke in Chicago. Lopez said little. Later she left.");
        let lopez: Vec<&Entity> = es.iter().filter(|e| e.entity_type == EntityType::Person).collect();
        assert_eq!(lopez.len(), 1, "{es:?}");
        assert_eq!(lopez[0].label, "Maria Lopez");
        assert!(lopez[0].aliases.contains(&"Lopez".to_string()));
        assert!(lopez[0].aliases.contains(&"Senator Maria Lopez".to_string()));
        assert_eq!(lopez[0].mentions.len(), 3, "name, surname and pronoun");
        let rules: Vec<(&str, &str)> = lopez[0].merges.iter().map(|m| (m.form.as_str(), m.rule)).collect();
        assert_eq!(
            rules,
            [("Lopez", "part-of-unique-person-name"), ("she", "pronoun-salience")]
        );
    }

    #[test]
    fn particle_surnames_join_the_full_name() {
        let es = entities("Senator Anna van der Berg spoke. Critics praised van der Berg on Friday.");
        let people: Vec<&Entity> = es.iter().filter(|e| e.entity_type == EntityType::Person).collect();
        assert_eq!(people.len(), 1, "{es:?}");
        assert_eq!(people[0].label, "Anna van der Berg");
        assert!(
            people[0].aliases.contains(&"van der Berg".to_string()),
            "{:?}",
            people[0].aliases
        );
    }

    #[test]
    fn gazetteer_aliases_merge() {
        let es = entities("Talks between the US and Canada went on. The United States said no.");
        let us: Vec<&Entity> = es.iter().filter(|e| e.label == "United States").collect();
        assert_eq!(us.len(), 1, "{es:?}");
        assert_eq!(us[0].mentions.len(), 2);
        assert_eq!(us[0].wikidata.as_deref(), Some("Q30"));
    }

    #[test]
    fn two_people_sharing_a_surname_stay_apart() {
        let es = entities("Anna Keller met Tom Keller in Paris. Keller smiled.");
        let people: Vec<&Entity> = es.iter().filter(|e| e.entity_type == EntityType::Person).collect();
        assert_eq!(people.len(), 2, "ambiguous surname must not merge: {es:?}");
    }

    /// (pronoun, label of the entity it joined), in text order.
    fn pronoun_links(text: &str) -> Vec<(String, String)> {
        let doc = crate::nlp::analyze(text.to_string());
        let x = crate::extract::Extractor::default().extract(&doc, None);
        x.mentions
            .iter()
            .filter(|m| m.kind == MentionKind::Pronoun)
            .map(|m| (doc.span_text(m.span).to_string(), x.entities[m.entity].label.clone()))
            .collect()
    }

    #[test]
    fn pronouns_skip_persons_of_the_other_gender() {
        // Salience alone would give "she" to Berg, the subject of the
        // previous sentence, whom "he" has already shown to be male.
        let links = pronoun_links(
            "Senator Maria Lopez criticised Governor Tom Berg on Monday. \
             Berg said he would reply. Later she left the room.",
        );
        assert_eq!(
            links,
            [
                ("he".to_string(), "Tom Berg".to_string()),
                ("she".to_string(), "Maria Lopez".to_string())
            ]
        );
    }

    #[test]
    fn gendered_titles_fix_the_gender_before_any_pronoun() {
        let links = pronoun_links("Mrs Anna Weber met Olaf Lind in Bern. Weber said she was pleased.");
        assert_eq!(links, [("she".to_string(), "Anna Weber".to_string())]);
        let links = pronoun_links("Mrs Anna Weber met Olaf Lind in Bern. Later he flew home.");
        assert_eq!(links, [("he".to_string(), "Olaf Lind".to_string())]);
    }

    #[test]
    fn honorific_short_forms_join_the_full_name_and_fix_the_gender() {
        let doc = crate::nlp::analyze(
            "Anna Keller met Tom Brandt in Vienna. Mr. Brandt said the talks were useful. Mrs Keller thanked him."
                .to_string(),
        );
        let x = crate::extract::Extractor::default().extract(&doc, None);
        let people: Vec<(&str, usize)> = x
            .entities
            .iter()
            .filter(|e| e.entity_type == EntityType::Person)
            .map(|e| (e.label.as_str(), e.mentions.len()))
            .collect();
        // Full name, honorific form, and for Brandt the pronoun: two people.
        assert_eq!(people, [("Anna Keller", 2), ("Tom Brandt", 3)]);
    }

    #[test]
    fn initials_of_words() {
        assert_eq!(super::initials("North Atlantic Treaty Organization"), "NATO");
    }
}

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
//! 5. a third-person singular pronoun (he, him, his, himself, she, her,
//!    hers, herself) joins one of the persons mentioned (by name or by an
//!    already resolved pronoun) in the same or the six previous sentences,
//!    chosen by the trained ranker of [`super::antecedents`] (recency,
//!    salience, grammatical roles, gender evidence). Persons of the other
//!    gender are never candidates. An entity's gender comes from a gendered
//!    title ("Mrs", "King"), else its given name (US Census lists, when one
//!    sex bears it at least ten times as often), else the first pronoun
//!    attached to it. Only persons are antecedents (never organisations,
//!    places or works).
//!    No number agreement ("they" is not resolved).

use std::collections::{BTreeMap, BTreeSet};

use super::antecedents::{AntecedentModel, Candidate, PronounSite};
use super::mentions::{Evidence, NameMention};
use super::{Entity, EntityType, Mention, MentionKind, Merge};
use crate::document::Document;
use crate::lexicon::{Lexicon, NameGender};

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

/// How much more often one sex must bear a given name for it to tell the gender.
const GIVEN_NAME_GENDER_RATIO: f32 = 10.0;

/// The gender the first word of a name reveals when it is a given name
/// borne (almost) only by one sex ("Anna Keller"; "Jordan Lee" tells nothing).
fn given_name_gender(name: &str, lex: &Lexicon) -> Option<Gender> {
    let first = super::mentions::without_honorific(name).split(' ').next()?;
    match lex.given_names.get(first)?.gender(GIVEN_NAME_GENDER_RATIO)? {
        NameGender::Male => Some(Gender::Male),
        NameGender::Female => Some(Gender::Female),
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
pub fn resolve(doc: &Document, names: Vec<NameMention>, lex: &Lexicon) -> (Vec<Entity>, Vec<Mention>) {
    // A model that does not decode falls back to recency; `pipeline::check_models` reports it.
    let model = AntecedentModel::embedded().ok();
    resolve_with(doc, names, lex, &mut |doc, site, candidates| match model {
        Some(m) => m.choose(doc, site, candidates),
        None => recency_choice(candidates),
    })
}

/// Chooses a pronoun's antecedent among its candidates (an index into them).
pub type ChooseAntecedent<'c> = dyn FnMut(&Document, &PronounSite<'_>, &[Candidate]) -> Option<usize> + 'c;

/// The most recently mentioned candidate, preferring one known to agree in gender.
fn recency_choice(candidates: &[Candidate]) -> Option<usize> {
    (0..candidates.len()).max_by_key(|&i| (candidates[i].gender_known, candidates[i].last_span))
}

/// [`resolve`] with the pronoun antecedent chosen by `choose` (training
/// drives it with the gold answer).
pub fn resolve_with(
    doc: &Document,
    names: Vec<NameMention>,
    lex: &Lexicon,
    choose: &mut ChooseAntecedent<'_>,
) -> (Vec<Entity>, Vec<Mention>) {
    let (names, pronouns): (Vec<_>, Vec<_>) = names.into_iter().partition(|m| m.kind == MentionKind::Name);
    // Bare titles standing for their holder ("the Secretary"): resolved below.
    let (bare_titles, mut names): (Vec<_>, Vec<_>) = names
        .into_iter()
        .partition(|m| m.role.is_some() && lex.roles.contains_key(&m.name));

    // Group keys: (coarse type, key name).
    let mut keys: Vec<(EntityType, String)> = names
        .iter()
        .map(|m| {
            (
                m.entity_type.coarse(),
                without_diacritics(m.canonical.as_deref().unwrap_or(&m.name)),
            )
        })
        .collect();
    // Keys are folded; labels keep the first written form of each key.
    let mut display: BTreeMap<String, String> = BTreeMap::new();
    for (m, (_, key)) in names.iter().zip(&keys) {
        display
            .entry(key.clone())
            .or_insert_with(|| m.canonical.clone().unwrap_or_else(|| m.name.clone()));
    }
    let people: BTreeSet<&str> = keys
        .iter()
        .filter(|(t, n)| *t == EntityType::Person && n.contains(' '))
        .map(|(_, n)| n.as_str())
        .collect();
    let fullest = fullest_person_names(&people);
    // Mentions of each longer person name, counted by its fullest variant.
    let mut written: BTreeMap<&str, usize> = BTreeMap::new();
    for (t, n) in &keys {
        if *t == EntityType::Person && n.contains(' ') {
            *written
                .entry(fullest.get(n.as_str()).copied().unwrap_or(n))
                .or_default() += 1;
        }
    }
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
        // A short form whose type rests on no strong evidence (the model's
        // reading of one mention, or nothing) may be part of a person's name.
        let weak = matches!(
            names[k].evidence,
            Evidence::None | Evidence::Model | Evidence::Document | Evidence::GivenName
        );
        if matches!(t, EntityType::Person | EntityType::Thing) || weak {
            // A shorter form of exactly one longer person name: its last words
            // ("Trump", "von der Leyen") or its first word ("Donald").
            // Longer names count once per person: their fullest variant.
            let suffix = format!(" {name}");
            let matches: BTreeSet<&str> = people
                .iter()
                .filter(|p| p.len() > name.len())
                .filter(|p| p.ends_with(&suffix) || (!name.contains(' ') && p.split(' ').next() == Some(name)))
                .map(|p| fullest.get(p).copied().unwrap_or(p))
                .collect();
            // Several people share the short form: it is the document's
            // main one only when that name is written out at least twice and
            // twice as often as each other's ("Jeanne Moreau" three times,
            // her father "Anatole-Désiré Moreau" once); else it stays apart.
            let dominant = || {
                let count = |p: &&str| written.get(p).copied().unwrap_or(0);
                let top = matches.iter().max_by_key(|p| count(p))?;
                let rest = matches.iter().filter(|p| *p != top).map(count).max().unwrap_or(0);
                (count(top) >= 2 && count(top) >= 2 * rest).then_some(*top)
            };
            let only = match matches.len() {
                1 => matches.first().copied(),
                _ => dominant(),
            };
            if let Some(only) = only
                && only != name.as_str()
            {
                rekey.push((k, (EntityType::Person, only.to_string())));
                reasons[k] = Some(if name.contains(' ') && people.contains(name.as_str()) {
                    "variant-of-person-name"
                } else {
                    "part-of-unique-person-name"
                });
                continue;
            }
            if *t == EntityType::Person
                && let Some(full) = fullest.get(name.as_str())
            {
                // "Joshua Norton" → "Joshua Abraham Norton".
                rekey.push((k, (EntityType::Person, full.to_string())));
                reasons[k] = Some("variant-of-person-name");
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
    // A bare title joins the one person of the document who holds it ("the
    // Secretary" after "Secretary Ana Cardona"); with no holder, or several,
    // it is left out: a title alone is no entity.
    let title_mentions = names.len();
    for t in bare_titles {
        let Some(role) = t.role.as_ref() else { continue };
        let holders: BTreeSet<&(EntityType, String)> = names
            .iter()
            .zip(&keys)
            .filter(|(m, (ty, _))| *ty == EntityType::Person && m.role.as_ref().is_some_and(|r| r.title == role.title))
            .map(|(_, k)| k)
            .collect();
        if let [holder] = holders.into_iter().collect::<Vec<_>>().as_slice() {
            keys.push((*holder).clone());
            reasons.push(Some("title-of-unique-holder"));
            names.push(NameMention { role: None, ..t });
        }
    }

    // Build entities in order of first mention.
    let mut index: BTreeMap<(EntityType, String), usize> = BTreeMap::new();
    let mut entities: Vec<Entity> = Vec::new();
    let mut mentions: Vec<Mention> = Vec::new();
    let mut forms: Vec<BTreeSet<String>> = Vec::new();
    // Genders the given names of each entity's mentions tell.
    let mut given: Vec<Vec<Gender>> = Vec::new();
    for (n, ((m, key), reason)) in names.iter().zip(keys).zip(reasons).enumerate() {
        let e = *index.entry(key.clone()).or_insert_with(|| {
            entities.push(Entity {
                label: display.get(&key.1).cloned().unwrap_or_else(|| key.1.clone()),
                entity_type: if m.evidence != Evidence::None {
                    m.entity_type
                } else {
                    key.0
                },
                aliases: Vec::new(),
                mentions: Vec::new(),
                wikidata: None,
                roles: Vec::new(),
                merges: Vec::new(),
                event_class: None,
            });
            forms.push(BTreeSet::new());
            given.push(Vec::new());
            entities.len() - 1
        });
        let entity = &mut entities[e];
        // A precise type (City) refines a coarse one (Place).
        if m.evidence != Evidence::None
            && entity.entity_type == entity.entity_type.coarse()
            && m.entity_type.coarse() == entity.entity_type
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
        if let Some(g) = given_name_gender(&m.name, lex) {
            given[e].push(g);
        }
        // A bare title is a mention, not a name of its holder.
        if n < title_mentions {
            forms[e].insert(m.name.clone());
            let full = super::mentions::collapse(doc.span_text(m.full_span));
            forms[e].insert(full);
        }
        mentions.push(Mention {
            span: m.span,
            full_span: m.full_span,
            tokens: m.tokens.clone(),
            sentence: m.sentence,
            entity: e,
            kind: MentionKind::Name,
        });
    }

    // Pronouns, in text order. Each agrees in gender with its antecedent:
    // an entity's gender comes from a gendered title ("Mrs", "King"), else
    // from its given name (US Census lists), else from the first pronoun
    // attached to it. Among the person entities mentioned (by name or by an
    // already resolved pronoun) in the window before the pronoun, those of
    // the other gender are out; `choose` picks among the others.
    mentions.sort_by_key(|m| (m.span.start, m.span.end));
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
    // Conflicting evidence says nothing.
    let agreed = |t: &Vec<Gender>| t.first().copied().filter(|g| t.iter().all(|x| x == g));
    let mut gender: Vec<Option<Gender>> = titles
        .iter()
        .zip(&given)
        .map(|(t, n)| agreed(t).or_else(|| agreed(n)))
        .collect();
    let mut resolved: Vec<Mention> = Vec::new();
    // The first person the document names (a biography's subject, often).
    let first_person = mentions
        .iter()
        .filter(|m| entities[m.entity].entity_type == EntityType::Person)
        .min_by_key(|m| m.span.start)
        .map(|m| m.entity);
    // Mentions of each entity before the current pronoun: name mentions
    // counted as the pronouns advance (text order), resolved pronouns as they
    // are resolved. Linear in the document.
    let mut seen = vec![0usize; entities.len()];
    let mut names_counted = 0;
    for p in pronouns {
        let Some(wanted) = pronoun_gender(&p.name) else {
            continue;
        };
        while let Some(m) = mentions.get(names_counted).filter(|m| m.span.start < p.span.start) {
            seen[m.entity] += 1;
            names_counted += 1;
        }
        let earliest = p.sentence.saturating_sub(PRONOUN_WINDOW);
        // Latest mention before the pronoun of each person entity in the window.
        let mut last: BTreeMap<usize, (&Mention, bool)> = BTreeMap::new();
        for (list, is_pronoun) in [(&mentions, false), (&resolved, true)] {
            let end = list.partition_point(|m| m.full_span.end <= p.span.start);
            for m in list[..end].iter().rev().take_while(|m| m.sentence >= earliest) {
                if entities[m.entity].entity_type == EntityType::Person {
                    let at = last.entry(m.entity).or_insert((m, is_pronoun));
                    if (m.span.start, m.sentence) > (at.0.span.start, at.0.sentence) {
                        *at = (m, is_pronoun);
                    }
                }
            }
        }
        // Persons of the other gender are out.
        let candidates: Vec<Candidate> = last
            .into_iter()
            .filter(|&(e, _)| gender[e].is_none_or(|g| g == wanted))
            .map(|(e, (m, is_pronoun))| Candidate {
                entity: e,
                last_token: m.tokens.end.saturating_sub(1),
                last_sentence: m.sentence,
                last_span: (m.span.start, m.span.end),
                last_is_pronoun: is_pronoun,
                mentions_before: seen[e],
                first_person: first_person == Some(e),
                gender_known: gender[e] == Some(wanted),
            })
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let site = PronounSite {
            token: p.tokens.start,
            sentence: p.sentence,
            form: &p.name,
        };
        let Some(e) = choose(doc, &site, &candidates)
            .and_then(|i| candidates.get(i))
            .map(|c| c.entity)
        else {
            continue;
        };
        seen[e] += 1;
        if gender[e].is_none() {
            gender[e] = Some(wanted);
        }
        let merge = Merge {
            form: p.name.to_lowercase(),
            rule: "pronoun-agreement",
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
        // Pronouns come in text order, so `resolved` stays sorted.
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
                .filter(|n| !lex.roles.contains_key(n))
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

/// For each multi-word person name that is a shorter variant of exactly one
/// fullest name in the document (same first and last word, its words in
/// order among the other's: "Joshua Norton" in "Joshua Abraham Norton"),
/// that fullest name. Names with two incompatible fuller variants map to
/// nothing.
fn fullest_person_names<'a>(people: &BTreeSet<&'a str>) -> BTreeMap<&'a str, &'a str> {
    let words = |n: &'a str| n.split(' ').collect::<Vec<_>>();
    let variant_of = |short: &[&str], long: &[&str]| {
        short.len() < long.len() && short.first() == long.first() && short.last() == long.last() && {
            let mut it = long.iter();
            short.iter().all(|w| it.any(|x| x == w))
        }
    };
    let mut out = BTreeMap::new();
    for &p in people {
        let pw = words(p);
        let longer: Vec<(&str, Vec<&str>)> = people
            .iter()
            .map(|&q| (q, words(q)))
            .filter(|(_, qw)| variant_of(&pw, qw))
            .collect();
        // The maximal ones: not themselves variants of another longer one.
        let maximal: Vec<&str> = longer
            .iter()
            .filter(|(_, qw)| !longer.iter().any(|(_, rw)| variant_of(qw, rw)))
            .map(|(q, _)| *q)
            .collect();
        if let [only] = maximal.as_slice() {
            out.insert(p, *only);
        }
    }
    out
}

/// A name without diacritics ("Zoë Martínez" → "Zoe Martinez"): names
/// written with and without accents are one key.
fn without_diacritics(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    if name.is_ascii() {
        return name.to_string();
    }
    name.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect()
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

    fn entities(text: &str) -> Vec<Entity> {
        let doc = crate::ner::stage::analyze(text.to_string());
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
            [("Lopez", "part-of-unique-person-name"), ("she", "pronoun-agreement")]
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
        for full in ["Anna Keller", "Tom Keller"] {
            let e = es.iter().find(|e| e.label == full).expect("full name found");
            assert_eq!(e.mentions.len(), 1, "ambiguous surname must not merge: {es:?}");
        }
    }

    #[test]
    fn a_shared_surname_joins_the_person_written_out_most() {
        let es = entities(
            "Jeanne Moreau was a French actress. Jeanne Moreau grew up in Paris. \
             Her father, Anatole Moreau, ran a restaurant. Moreau won many awards.",
        );
        let jeanne = es.iter().find(|e| e.label == "Jeanne Moreau").expect("full name found");
        assert!(
            jeanne.aliases.iter().any(|a| a == "Moreau"),
            "the surname joins the main person: {es:?}"
        );
        assert!(!es.iter().any(|e| e.label == "Moreau"), "{es:?}");
    }

    /// (pronoun, label of the entity it joined), in text order.
    fn pronoun_links(text: &str) -> Vec<(String, String)> {
        let doc = crate::ner::stage::analyze(text.to_string());
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
        let links = pronoun_links("Mrs Anna Weber met Tom Lind in Bern. Later he flew home.");
        assert_eq!(links, [("he".to_string(), "Tom Lind".to_string())]);
    }

    #[test]
    fn honorific_short_forms_join_the_full_name_and_fix_the_gender() {
        let doc = crate::ner::stage::analyze(
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

    /// (label, type) of every entity.
    fn typed(text: &str) -> Vec<(String, EntityType)> {
        entities(text).into_iter().map(|e| (e.label, e.entity_type)).collect()
    }

    #[test]
    fn institutions_named_by_their_head_word_are_not_people() {
        // An unknown school and club: capitalised words alone used to make a Person.
        let es = typed("Lord Edwin Marlowe studied at Brackfield Grammar School and joined the Corvale Whig Club.");
        assert!(
            es.contains(&("Brackfield Grammar School".to_string(), EntityType::Organization)),
            "{es:?}"
        );
        assert!(
            es.contains(&("Corvale Whig Club".to_string(), EntityType::Organization)),
            "{es:?}"
        );
    }

    #[test]
    fn unknown_names_without_evidence_are_things_not_people() {
        // Nothing says what "Quorvath Tessaline" is: no title, given name or head word.
        for (_, t) in typed("The report mentions Quorvath Tessaline twice.") {
            assert_ne!(t, EntityType::Person);
        }
    }

    #[test]
    fn a_common_given_name_makes_a_person() {
        let es = typed("The prize went to Margaret Quillfeather on Tuesday.");
        assert!(
            es.contains(&("Margaret Quillfeather".to_string(), EntityType::Person)),
            "{es:?}"
        );
    }

    #[test]
    fn a_bare_surname_takes_the_type_of_the_titled_name() {
        // "Marlowe" alone must be the same person as "Lord Marlowe", and "his" his.
        let x = {
            let doc = crate::ner::stage::analyze(
                "Lord Marlowe was born in 1788. Marlowe wrote poems at school. His mother moved away.".to_string(),
            );
            Extractor::default().extract(&doc, None)
        };
        let people: Vec<&Entity> = x
            .entities
            .iter()
            .filter(|e| e.entity_type == EntityType::Person)
            .collect();
        assert_eq!(people.len(), 1, "{:?}", x.entities);
        assert_eq!(
            people[0].mentions.len(),
            3,
            "Lord Marlowe, Marlowe, His: {:?}",
            people[0]
        );
    }

    #[test]
    fn pronouns_follow_the_gender_of_given_names() {
        // "she" skips Tom Berg, the most recent person, because Tom is a man's name.
        let links = pronoun_links("Maria Lopez met Tom Berg in Rome. Later she flew home.");
        assert_eq!(links, [("she".to_string(), "Maria Lopez".to_string())]);
        let links = pronoun_links("Maria Lopez met Tom Berg in Rome. Later he flew home.");
        assert_eq!(links, [("he".to_string(), "Tom Berg".to_string())]);
    }

    #[test]
    fn pronouns_never_join_organisations_or_places() {
        let links = pronoun_links("The Fenwick Institute praised Oslo. Its director said he was proud.");
        assert!(links.is_empty(), "{links:?}");
    }

    #[test]
    fn known_gender_beats_recency() {
        // "Okonkwo Adebayo" has no known gender and is the most recent person;
        // Anna Keller is known to be a woman.
        let links = pronoun_links("Anna Keller met Okonkwo Adebayo in Lagos. Afterwards she spoke.");
        assert_eq!(links, [("she".to_string(), "Anna Keller".to_string())]);
    }

    #[test]
    fn the_subject_of_a_life_story_keeps_its_pronouns_past_a_newer_name() {
        // The most recent man is the tutor, but the story is Brandt's: the
        // ranker weighs how often and where each person was mentioned.
        let text = "Tom Brandt grew up in Leeds, where his father ran a mill. \
                    He was sent to a school run by Peter Hale. \
                    He hated the school and his lessons.";
        let links = pronoun_links(text);
        let to_brandt = links.iter().filter(|(_, e)| e == "Tom Brandt").count();
        assert_eq!(to_brandt, links.len(), "{links:?}");
        assert_eq!(links.len(), 4, "{links:?}");
    }

    #[test]
    fn a_pronoun_with_no_person_before_it_stays_unattached() {
        let links = pronoun_links("The Fenwick Institute opened in Oslo. He was not there.");
        assert!(links.is_empty(), "{links:?}");
    }

    #[test]
    fn names_with_and_without_diacritics_are_one_entity() {
        let es = entities("Zoë Martínez spoke first. Later Zoe Martinez left.");
        let people: Vec<&Entity> = es.iter().filter(|e| e.entity_type == EntityType::Person).collect();
        assert_eq!(people.len(), 1, "{es:?}");
        assert_eq!(people[0].label, "Zoë Martínez");
    }

    #[test]
    fn a_bare_title_joins_its_only_holder_and_is_dropped_otherwise() {
        let x = {
            let doc = crate::ner::stage::analyze(
                "Secretary Ana Cardona announced the plan. Critics said the Secretary had no authority.".to_string(),
            );
            Extractor::default().extract(&doc, None)
        };
        let cardona = x
            .entities
            .iter()
            .find(|e| e.label == "Ana Cardona")
            .expect("Cardona found");
        assert_eq!(cardona.mentions.len(), 2, "{:?}", x.entities);
        assert!(
            !cardona.aliases.contains(&"Secretary".to_string()),
            "{:?}",
            cardona.aliases
        );
        // No holder: no phantom "Secretary" entity.
        let es = entities("Critics said the Secretary had no authority.");
        assert!(es.iter().all(|e| e.label != "Secretary"), "{es:?}");
    }

    #[test]
    fn initials_of_words() {
        assert_eq!(super::initials("North Atlantic Treaty Organization"), "NATO");
    }
}

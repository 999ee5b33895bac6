//! Named-mention detection: capitalised spans, gazetteer matches, titles and pronouns.
//!
//! This is the rule-based first stage, honest about what it is: a name is a run
//! of capitalised tokens; its type comes from the gazetteer, from a title before
//! it ("President …" → Person), from its last word ("… News" → Organization),
//! or is guessed (several capitalised words → Person, one acronym → Organization,
//! anything else → Thing). A trained NER model replaces the guesses later,
//! behind the same output type.

use rustc_hash::FxHashSet;
use std::collections::HashSet;

use super::{EntityType, MentionKind, Role};
use crate::document::{Document, Span};
use crate::lexicon::{GazetteerClass, Lexicon, NameHead, NounClass};

/// A mention candidate before entity resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct NameMention {
    /// The name (or pronoun) without title.
    pub span: Span,
    /// The name with its title/role prefix.
    pub full_span: Span,
    /// Token range of `full_span`.
    pub tokens: std::ops::Range<usize>,
    /// Sentence index.
    pub sentence: usize,
    /// The name as written, whitespace collapsed.
    pub name: String,
    /// Type: known from `evidence`, or a placeholder until [`decide_types`].
    pub entity_type: EntityType,
    /// What the type rests on.
    pub evidence: Evidence,
    /// Canonical name from the gazetteer.
    pub canonical: Option<String>,
    /// Wikidata id from the gazetteer.
    pub wikidata: Option<String>,
    /// Role read from a title.
    pub role: Option<Role>,
    /// Name or pronoun.
    pub kind: MentionKind,
}

/// What a name mention's type rests on. Mention finding records it; the
/// types of names found without evidence are decided in one place,
/// [`decide_types`], from the NER model, given names and the rest of the
/// document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// None yet (pronouns, and names the rules found without evidence).
    None,
    /// The gazetteer knows the name.
    Gazetteer,
    /// A title or honorific next to the name ("President …", "Mrs …", "… Secretary X").
    Title,
    /// The name's head word ("… School", "… News", "Gulf of …").
    HeadWord,
    /// A word list (nationality and religious groups).
    WordList,
    /// The NER model's class for the span.
    Model,
    /// The first word is a common given name (US Census lists).
    GivenName,
    /// Another mention of the same name in the document has this type.
    Document,
    /// A cited author: "Moretti (2013)", "(Biggs, 2016)", "Daily et al.".
    Citation,
}

/// Pronouns that can refer to a person.
const PERSON_PRONOUNS: &[&str] = &["he", "him", "his", "himself", "she", "her", "hers", "herself"];
/// Lowercase particles that can start a surname ("von der Leyen", "de Gaulle", "van Gogh").
pub(crate) const NAME_PARTICLES: &[&str] = &[
    "von", "van", "de", "der", "den", "des", "du", "da", "di", "le", "la", "bin", "al",
];
/// Lowercase words allowed inside a name between capitalised words ("Bank of America").
const NAME_CONNECTORS: &[&str] = &[
    "of", "de", "du", "da", "van", "von", "bin", "al", "el", "la", "del", "der",
];

/// Words of state names and noble or church titles that are no part of a
/// personal name before "of" ("Democratic Republic of X", "Grand Duke of Y").
const POLITY_WORDS: &[&str] = &[
    "Republic",
    "Empire",
    "Kingdom",
    "Commonwealth",
    "Federation",
    "Emirate",
    "Emirates",
    "Duchy",
    "Principality",
    "Sultanate",
    "State",
    "States",
    "Islands",
    "Isle",
    "Free",
    "Democratic",
    "People's",
    "United",
    "Holy",
    "Grand",
    "Duke",
    "Duchess",
    "Earl",
    "Count",
    "Countess",
    "Prince",
    "Princess",
    "King",
    "Queen",
    "Lord",
    "Lady",
    "Baron",
    "Baroness",
    "Marquis",
    "Archduke",
    "Emperor",
    "Empress",
    "Sultan",
    "Emir",
    "Bishop",
    "Archbishop",
    "Patriarch",
    "Cardinal",
    "Saint",
    "St.",
    "Our",
    "Maid",
    "Knight",
    "Knights",
];

/// Finds name and pronoun mentions in a document, in text order.
pub fn find_names(doc: &Document, lex: &Lexicon) -> Vec<NameMention> {
    let context = DocContext::new(doc, lex);
    let mut out = Vec::new();
    for (s, sentence) in doc.sentences.iter().enumerate() {
        // Page furniture ("Advertisement", "READ MORE: …") names nothing.
        if lex.is_boilerplate(doc.span_text(sentence.span)) {
            continue;
        }
        let mut i = sentence.tokens.start;
        let end = sentence.tokens.end;
        while i < end {
            let text = doc.token_text(i);
            if PERSON_PRONOUNS.contains(&text.to_lowercase().as_str()) {
                out.push(pronoun(doc, i, s));
                i += 1;
                continue;
            }
            // "Mrs Keller", "Mr. Brandt", "Dr Okafor": a person named without the honorific.
            if let Some(m) = honorific_person(doc, i, end, s, lex, &context) {
                i = m.tokens.end;
                out.push(m);
                continue;
            }
            // A capitalised stopword can still start a known multi-word name ("New York").
            let known_name = is_titlecase(text) && gazetteer_match(doc, i, end, lex).is_some_and(|(len, _)| len >= 2);
            if !context.is_name_token(doc, i, lex) && !known_name {
                // "von der Leyen", "de Gaulle": lowercase particles that start a surname.
                let particles = (i..end.min(i + 2))
                    .take_while(|&k| NAME_PARTICLES.contains(&doc.token_text(k)))
                    .count();
                let starts_name = particles > 0
                    && i + particles < end
                    && context.is_name_token(doc, i + particles, lex)
                    && i.checked_sub(1).is_none_or(|k| !context.is_name_token(doc, k, lex));
                // "6th Fleet", "82nd Airborne Division": an ordinal starts a unit's name.
                if is_ordinal(text) && i + 1 < end && context.is_name_token(doc, i + 1, lex) {
                    let run_end = context.name_run_end(doc, i + 1, end, lex);
                    if let Some(head @ NameHead::Organization) = run_head(doc, i + 1, run_end, lex)
                        && let Some(m) = named_run(doc, i, run_end, s, Some(head), lex)
                    {
                        out.push(m);
                        i = run_end;
                        continue;
                    }
                }
                if starts_name {
                    let run_end = context.name_run_end(doc, i + particles, end, lex);
                    if let Some(m) = named_run(doc, i, run_end, s, None, lex) {
                        out.push(m);
                    }
                    i = run_end;
                } else {
                    i += 1;
                }
                continue;
            }
            // "Scots Paul Menzies": a group word before a given name and a
            // surname describes the person; it is not part of the name.
            // (Profession words are titles: `titled_person`.)
            if i + 2 < end
                && lex.is_group(text)
                && lex.given_names.contains_key(doc.token_text(i + 1))
                && is_titlecase(doc.token_text(i + 2))
            {
                i += 1;
                continue;
            }
            if let Some((m, next)) = titled_person(doc, i, end, s, lex, &context) {
                // "Illinois Gov. X", "U.S. Ambassador X": the place before the
                // title is a mention of its own.
                if let Some(place) = title_place(doc, i, m.tokens.end, s, lex) {
                    out.push(place);
                } else if let Some(org) = title_org(doc, &m, lex) {
                    out.push(org);
                }
                out.push(m);
                i = next;
                continue;
            }
            let run_end = context.name_run_end(doc, i, end, lex);
            let gazetteer = gazetteer_match(doc, i, end, lex);
            let head = (run_end - i >= 2).then(|| run_head(doc, i, run_end, lex)).flatten();
            let run_end = if head.is_none() && gazetteer.is_none() {
                affiliation_cut(doc, i, run_end, 2, lex)
            } else {
                run_end
            };
            let candidate = match (gazetteer, head) {
                (Some((len, _)), Some(head)) if i + len < run_end => named_run(doc, i, run_end, s, Some(head), lex),
                (Some((len, entry)), None)
                    if matches!(entry.class, GazetteerClass::City | GazetteerClass::AdministrativeArea)
                        && team_after_place(doc, i + len, run_end, lex) =>
                {
                    named_run(doc, i, run_end, s, Some(NameHead::Organization), lex)
                }
                (Some((len, entry)), _) => {
                    let span = Span::new(doc.tokens[i].start, doc.tokens[i + len - 1].end);
                    let entry = division_after_place(doc, i, span, lex).unwrap_or(entry);
                    Some(NameMention {
                        span,
                        full_span: span,
                        tokens: i..i + len,
                        sentence: s,
                        name: collapse(doc.span_text(span)),
                        entity_type: match entry.class {
                            GazetteerClass::Country => EntityType::Country,
                            GazetteerClass::City => EntityType::City,
                            GazetteerClass::AdministrativeArea => EntityType::AdministrativeArea,
                            GazetteerClass::Region => EntityType::Place,
                            GazetteerClass::Organization => EntityType::Organization,
                        },
                        evidence: Evidence::Gazetteer,
                        canonical: Some(entry.canonical.clone()),
                        wikidata: entry.qid.clone(),
                        role: None,
                        kind: MentionKind::Name,
                    })
                }
                (None, head) => {
                    let surface = collapse(doc.span_text(Span::new(doc.tokens[i].start, doc.tokens[run_end - 1].end)));
                    let bare_title = lex.roles.get(&surface);
                    if let Some(role) = bare_title {
                        // "the Secretary said": a title standing for its holder,
                        // kept only if the entity stage finds one holder.
                        let the = i
                            .checked_sub(1)
                            .is_some_and(|k| doc.token_text(k).eq_ignore_ascii_case("the"));
                        the.then(|| {
                            let span = Span::new(doc.tokens[i].start, doc.tokens[run_end - 1].end);
                            NameMention {
                                span,
                                full_span: span,
                                tokens: i..run_end,
                                sentence: s,
                                name: surface.clone(),
                                entity_type: EntityType::Person,
                                evidence: Evidence::Title,
                                canonical: None,
                                wikidata: None,
                                role: Some(Role {
                                    title: role.clone(),
                                    country: None,
                                }),
                                kind: MentionKind::Name,
                            }
                        })
                    } else if context.is_spurious_initial(doc, i, run_end, sentence.tokens.start, lex) {
                        None
                    } else if run_end - i >= 2
                        && doc.is_tagged()
                        && !matches!(doc.upos(i), "PROPN" | "X")
                        && first_word_index(doc, sentence.tokens.start..run_end) == Some(i)
                        && !context.cap_mid_seen.contains(doc.token_text(i))
                        && doc.token_text(i).chars().any(char::is_lowercase)
                    {
                        // "Later Cole said": a capitalised common word before a
                        // name (all capitals is a dateline: "EAST LANSING, Mich.").
                        named_run(doc, i + 1, run_end, s, head, lex)
                    } else if run_end - i >= 2
                        && head.is_none()
                        && first_word_index(doc, sentence.tokens.start..run_end) == Some(i)
                        && crate::extract::nominal::is_role_noun(&doc.token_text(i).to_lowercase())
                    {
                        // "Composer Ann Lee said": a sentence-initial role noun is
                        // the person's title, not part of the name.
                        named_run(doc, i + 1, run_end, s, head, lex).map(|mut m| {
                            m.full_span = Span::new(doc.tokens[i].start, m.span.end);
                            m.tokens = i..m.tokens.end;
                            m.entity_type = EntityType::Person;
                            m.evidence = Evidence::Title;
                            m
                        })
                    } else {
                        named_run(doc, i, run_end, s, head, lex)
                    }
                }
            };
            let next = candidate.as_ref().map_or(run_end, |c| c.tokens.end);
            if let Some(c) = candidate {
                out.push(c);
            }
            i = next.max(i + 1);
        }
    }
    out
}

fn pronoun(doc: &Document, i: usize, sentence: usize) -> NameMention {
    let span = doc.tokens[i];
    NameMention {
        span,
        full_span: span,
        tokens: i..i + 1,
        sentence,
        name: doc.token_text(i).to_string(),
        entity_type: EntityType::Person,
        evidence: Evidence::None,
        canonical: None,
        wikidata: None,
        role: None,
        kind: MentionKind::Pronoun,
    }
}

/// The type a multi-word name's head word reveals: its last word ("Fox
/// News"), or the word before its first connector, the head of an English
/// "N of N" name ("Institute of Contemporary Studies", "Gulf of Mexico").
fn run_head(doc: &Document, start: usize, end: usize, lex: &Lexicon) -> Option<NameHead> {
    let word = |i: usize| lex.name_heads.get(doc.token_text(i).trim_end_matches('.')).copied();
    lex.name_heads.get(doc.token_text(end - 1)).copied().or_else(|| {
        (start + 1..end.saturating_sub(1))
            .find(|&k| matches!(doc.token_text(k), "of" | "for" | "on"))
            .and_then(|k| word(k - 1))
    })
}

/// A mention over tokens `start..end` typed by its last word, or guessed.
fn named_run(
    doc: &Document,
    start: usize,
    end: usize,
    sentence: usize,
    head: Option<NameHead>,
    lex: &Lexicon,
) -> Option<NameMention> {
    // Trim trailing connectors ("Bank of" → "Bank").
    let mut end = end;
    while end > start && NAME_CONNECTORS.contains(&doc.token_text(end - 1)) {
        end -= 1;
    }
    if end <= start {
        return None;
    }
    let span = Span::new(doc.tokens[start].start, doc.tokens[end - 1].end);
    let name = collapse(doc.span_text(span));
    let words = end - start;
    let (entity_type, evidence) = match head {
        Some(NameHead::Organization) => (EntityType::Organization, Evidence::HeadWord),
        Some(NameHead::Event) => (EntityType::Event, Evidence::HeadWord),
        Some(NameHead::Place) => (EntityType::Place, Evidence::HeadWord),
        None if words == 1 && lex.is_group(&name) => (EntityType::Group, Evidence::WordList),
        // Decided later from the model and other evidence.
        None => (EntityType::Thing, Evidence::None),
    };
    Some(NameMention {
        span,
        full_span: span,
        tokens: start..end,
        sentence,
        name,
        entity_type,
        evidence,
        canonical: None,
        wikidata: None,
        role: None,
        kind: MentionKind::Name,
    })
}

/// Honorifics that stand before a person's name and are not part of it.
const HONORIFICS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame", "Lord", "Lady",
];

/// `name` without a leading honorific ("Mr. Brandt" → "Brandt").
pub(crate) fn without_honorific(name: &str) -> &str {
    match name.split_once(' ') {
        Some((first, rest)) if HONORIFICS.contains(&first.strip_suffix('.').unwrap_or(first)) => rest,
        _ => name,
    }
}

/// "Mrs Keller", "Mr. Brandt", "Dr Ana Okafor": an honorific, then a
/// capitalised name. The mention's span keeps the honorific (it is how the
/// person is named, and the entity layer reads the gender from it), its name
/// drops it (so that "Mrs Keller" and "Anna Keller" can be one person), and
/// the type is Person whatever the gazetteer says of the name ("Mr. Jordan").
fn honorific_person(
    doc: &Document,
    start: usize,
    end: usize,
    sentence: usize,
    lex: &Lexicon,
    context: &DocContext,
) -> Option<NameMention> {
    let title = doc.token_text(start);
    if !HONORIFICS.contains(&title.strip_suffix('.').unwrap_or(title)) {
        return None;
    }
    let name_start = start + 1;
    if name_start >= end || !context.is_name_token(doc, name_start, lex) {
        return None;
    }
    let name_end = context.name_run_end(doc, name_start, end, lex);
    let name_end = affiliation_cut(doc, name_start, name_end, 1, lex);
    let name = Span::new(doc.tokens[name_start].start, doc.tokens[name_end - 1].end);
    let span = Span::new(doc.tokens[start].start, name.end);
    Some(NameMention {
        span,
        full_span: span,
        tokens: start..name_end,
        sentence,
        name: collapse(doc.span_text(name)),
        entity_type: EntityType::Person,
        evidence: Evidence::Title,
        canonical: None,
        wikidata: None,
        role: None,
        kind: MentionKind::Name,
    })
}

/// "US President Donald Trump", "President Putin", "Ukrainian President Volodymyr Zelenskyy":
/// optional country adjective, a role title, then a capitalised name.
fn titled_person(
    doc: &Document,
    start: usize,
    end: usize,
    sentence: usize,
    lex: &Lexicon,
    context: &DocContext,
) -> Option<(NameMention, usize)> {
    let role_at = |i: usize| {
        (1..=lex.max_role_words.min(end.saturating_sub(i)))
            .rev()
            .find_map(|len| {
                let span = Span::new(doc.tokens[i].start, doc.tokens[i + len - 1].end);
                let surface = doc.span_text(span);
                if !lex.may_start_role(crate::lexicon::first_word(surface)) {
                    return None;
                }
                lex.roles.get(collapsed(surface).as_ref()).map(|r| (len, r.clone()))
            })
    };
    let mut i = start;
    let mut country = None;
    if let Some(c) = lex.demonyms.get(doc.token_text(i)) {
        country = Some(c.clone());
        i += 1;
    }
    // A role, possibly after one or two capitalised modifiers naming the
    // institution or party ("Senate Majority Leader …", "Republican Sen. …").
    let (role_len, role) = match role_at(i) {
        Some(r) => r,
        None if country.is_none() => {
            let (skip, r) = (1..=3)
                .filter(|k| start + k < end && (start..start + k).all(|t| context.is_name_token(doc, t, lex)))
                .find_map(|k| role_at(start + k).map(|r| (k, r)))?;
            i = start + skip;
            r
        }
        None => return None,
    };
    let name_start = i + role_len;
    if name_start >= end || !context.is_name_token(doc, name_start, lex) {
        return None;
    }
    // The name after a title is a person unless the gazetteer says otherwise
    // ("President Macron" yes, "Prime Minister of India" no: "of" stops the run).
    let name_end = context.name_run_end(doc, name_start, end, lex);
    let name_end = affiliation_cut(doc, name_start, name_end, 1, lex);
    let span = Span::new(doc.tokens[name_start].start, doc.tokens[name_end - 1].end);
    let name = collapse(doc.span_text(span));
    // A known name, or one whose head word makes it a place or organisation
    // ("Emperor Norton Bridge"; "Justice Department": "Justice" is a title,
    // "Department" no name), is no person.
    if lex.lookup(&name).is_some()
        || lex.name_heads.contains_key(doc.token_text(name_end - 1))
        || (name_end - name_start >= 2 && run_head(doc, name_start, name_end, lex).is_some())
    {
        return None;
    }
    let full_span = Span::new(doc.tokens[start].start, span.end);
    Some((
        NameMention {
            span,
            full_span,
            tokens: start..name_end,
            sentence,
            name,
            entity_type: EntityType::Person,
            evidence: Evidence::Title,
            canonical: None,
            wikidata: None,
            role: Some(Role { title: role, country }),
            kind: MentionKind::Name,
        },
        name_end,
    ))
}

/// Where a name run "First Last of Place" ends: before its "of" when what
/// follows is a known place or organisation or an acronym ("Andrew Hall of
/// Miami", "Roger Crouch of NASA"), so that the person and the affiliation are
/// two mentions. At least `min_before` words must precede the "of" ("Duchess
/// of York" stays whole); callers skip runs headed by an organisation or place
/// word ("Bank of America").
fn affiliation_cut(doc: &Document, start: usize, end: usize, min_before: usize, lex: &Lexicon) -> usize {
    let Some(k) = (start + min_before..end.saturating_sub(1)).find(|&k| doc.token_text(k) == "of") else {
        return end;
    };
    // "Incan King of Peru" is a title.
    if lex.roles.contains_key(doc.token_text(k - 1)) {
        return end;
    }
    let known = gazetteer_match(doc, k + 1, end, lex).is_some_and(|(len, _)| k + 1 + len == end);
    let after = doc.token_text(k + 1);
    let acronym = end == k + 2 && is_acronym(after) && !after.contains('.');
    // "Brian Lowe of Tamworth": a two- or three-word personal name (no word of
    // it an organisation or place head, a title or a known place) and one
    // capitalised word after "of" is a person and his home town, however
    // unknown the town ("Duchess of York", one word before, stays whole;
    // "Republic of Texas" has a head word).
    let personal = (2..=3).contains(&(k - start))
        && end == k + 2
        && min_before >= 2
        && (start..k).all(|i| {
            let t = doc.token_text(i);
            is_titlecase(t)
                && t.chars().all(|c| c.is_alphabetic() || c == '.' || c == '-')
                && !lex.name_heads.contains_key(t.trim_end_matches('.'))
                && !lex.roles.contains_key(t)
                && !POLITY_WORDS.contains(&t)
        })
        // "Grand Duke of Tuscany": no title ends before "of".
        && (start..k - 1).all(|i| {
            let words = Span::new(doc.tokens[i].start, doc.tokens[k - 1].end);
            !lex.roles.contains_key(collapsed(doc.span_text(words)).as_ref())
        })
        && is_titlecase(after)
        && after.chars().all(char::is_alphabetic)
        && !lex.name_heads.contains_key(after);
    if known || acronym || personal { k } else { end }
}

/// An organisation named before a title ("CNTP" in "CNTP Secretary X",
/// "Black Sea Fleet" in "Black Sea Fleet Commander X"): the words before the
/// role when they carry an organisation head word or are in the gazetteer as
/// one, else a leading acronym.
fn title_org(doc: &Document, m: &NameMention, lex: &Lexicon) -> Option<NameMention> {
    let start = m.tokens.start;
    let name = (start..m.tokens.end).find(|&k| doc.tokens[k].start == m.span.start)?;
    let role = (start + 1..name).find(|&k| {
        let span = Span::new(doc.tokens[k].start, doc.tokens[name - 1].end);
        lex.roles.contains_key(collapsed(doc.span_text(span)).as_ref())
    })?;
    let whole = Span::new(doc.tokens[start].start, doc.tokens[role - 1].end);
    let gazetteer_org = lex.lookup(&collapsed(doc.span_text(whole))).is_some_and(|es| {
        es.first()
            .is_some_and(|e| matches!(e.class, GazetteerClass::Organization))
    });
    let headed = role - start >= 2 && run_head(doc, start, role, lex) == Some(NameHead::Organization);
    let first = doc.token_text(start);
    let end = if gazetteer_org || headed {
        role
    } else if is_acronym(first) && !first.contains('.') && !lex.demonyms.contains_key(first) {
        start + 1
    } else {
        return None;
    };
    let span = Span::new(doc.tokens[start].start, doc.tokens[end - 1].end);
    Some(NameMention {
        span,
        full_span: span,
        tokens: start..end,
        sentence: m.sentence,
        name: collapse(doc.span_text(span)),
        entity_type: EntityType::Organization,
        evidence: Evidence::Title,
        canonical: None,
        wikidata: None,
        role: None,
        kind: MentionKind::Name,
    })
}

/// A place named before a title ("Illinois" in "Illinois Gov. X", "U.S." in
/// "U.S. Ambassador X"): a gazetteer place at token `start`, followed by more
/// of the title. Country adjectives ("German Chancellor X") stay part of the
/// title: the role records the country.
fn title_place(doc: &Document, start: usize, end: usize, sentence: usize, lex: &Lexicon) -> Option<NameMention> {
    let (len, e) = gazetteer_match(doc, start, end, lex)?;
    let entity_type = match e.class {
        GazetteerClass::Country => EntityType::Country,
        GazetteerClass::City => EntityType::City,
        GazetteerClass::AdministrativeArea => EntityType::AdministrativeArea,
        GazetteerClass::Region => EntityType::Place,
        GazetteerClass::Organization => return None,
    };
    let (canonical, wikidata) = (e.canonical.clone(), e.qid.clone());
    // The title and the name follow: at least two more tokens.
    if start + len + 2 > end {
        return None;
    }
    let span = Span::new(doc.tokens[start].start, doc.tokens[start + len - 1].end);
    Some(NameMention {
        span,
        full_span: span,
        tokens: start..start + len,
        sentence,
        name: collapse(doc.span_text(span)),
        entity_type,
        evidence: Evidence::Gazetteer,
        canonical: Some(canonical),
        wikidata,
        role: None,
        kind: MentionKind::Name,
    })
}

/// "Rochester, New York", "Clearwater, Florida": right after a capitalised
/// name and a comma, a name that is both a city and a first-level division
/// (state, province) is the division, the container of the name before it.
fn division_after_place<'l>(
    doc: &Document,
    start: usize,
    span: Span,
    lex: &'l Lexicon,
) -> Option<&'l crate::lexicon::GazetteerEntry> {
    let comma = start.checked_sub(1)?;
    let before = comma.checked_sub(1)?;
    if doc.token_text(comma) != "," || !is_titlecase(doc.token_text(before)) {
        return None;
    }
    let entries = lex.lookup(&collapsed(doc.span_text(span)))?;
    if entries.first()?.class != GazetteerClass::City {
        return None;
    }
    entries.iter().find(|e| e.class == GazetteerClass::AdministrativeArea)
}

/// Longest gazetteer match starting at token `start` (length in tokens, best entry).
pub(crate) fn gazetteer_match<'l>(
    doc: &Document,
    start: usize,
    end: usize,
    lex: &'l Lexicon,
) -> Option<(usize, &'l crate::lexicon::GazetteerEntry)> {
    let max = lex.max_name_words.min(end - start);
    (1..=max).rev().find_map(|len| {
        let span = Span::new(doc.tokens[start].start, doc.tokens[start + len - 1].end);
        let surface = doc.span_text(span);
        // Names never span lines.
        if surface.contains('\n') {
            return None;
        }
        // Datelines and headlines write names in capitals: "MEXICO CITY".
        let capitals =
            |s: &str| s.chars().filter(|c| c.is_alphabetic()).count() > 2 && !s.chars().any(char::is_lowercase);
        let first = crate::lexicon::first_word(surface);
        let may_start = lex.may_start_name(first) || (capitals(surface) && lex.may_start_name(&title_case(first)));
        if !may_start {
            return None;
        }
        let surface = collapsed(surface);
        lex.lookup(&surface)
            .or_else(|| {
                capitals(&surface)
                    .then(|| title_case(&surface))
                    .and_then(|t| lex.lookup(&t))
            })
            .and_then(|e| e.first())
            .map(|e| (len, e))
    })
}

/// "Boston Red Sox", "Chicago Bulls", "Toronto Blue Jays": a city's or state's name
/// followed, in one capitalised run, by one to three capitalised words ending
/// in a plural is a team or club named after the place, one organisation
/// (the place inside it is added back by `nested`). Not when the plural is a
/// people's or party's name ("Texas Democrats", a group), a title ("US
/// Senators") or a kind of place ("Florida Keys", "Golan Heights":
/// `admin-unit` nouns, place name heads).
fn team_after_place(doc: &Document, from: usize, run_end: usize, lex: &Lexicon) -> bool {
    let words = run_end.saturating_sub(from);
    if !(1..=3).contains(&words) {
        return false;
    }
    let last = doc.token_text(run_end - 1);
    let all_words = (from..run_end).all(|k| {
        let t = doc.token_text(k);
        is_titlecase(t) && t.chars().all(char::is_alphabetic)
    });
    let plural = last.len() >= 4 && last.ends_with('s') && !last.ends_with("ss") || last == "Sox";
    let singular = last.strip_suffix('s').unwrap_or(last);
    let place_kind = |w: &str| {
        lex.noun_classes.get(&w.to_lowercase()) == Some(&NounClass::AdminUnit)
            || lex.name_heads.get(w) == Some(&NameHead::Place)
    };
    // "Netherlands Lotte Wilms", "Pierre Charles": a given name starts a person's name.
    let given_name = lex.given_names.contains_key(doc.token_text(from)) || lex.given_names.contains_key(last);
    all_words
        && plural
        && !given_name
        && !lex.is_group(last)
        && !lex.roles.contains_key(last)
        && !lex.roles.contains_key(singular)
        && !(from..run_end).any(|k| lex.may_start_role(doc.token_text(k)))
        && !place_kind(last)
        && !place_kind(singular)
        && gazetteer_match(doc, from, run_end, lex).is_none()
}

/// Collapses runs of whitespace to one space.
pub fn collapse(s: &str) -> String {
    collapsed(s).into_owned()
}

/// [`collapse`], borrowing when `s` is already single-spaced (the usual case).
pub fn collapsed(s: &str) -> std::borrow::Cow<'_, str> {
    let mut prev_space = true;
    let clean = s.chars().all(|c| {
        let ok = if c.is_whitespace() {
            c == ' ' && !prev_space
        } else {
            true
        };
        prev_space = c.is_whitespace();
        ok
    }) && !prev_space;
    if clean || s.is_empty() {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

fn is_acronym(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    (2..=6).contains(&letters) && s.chars().all(|c| c.is_uppercase() || c == '.' || c.is_ascii_digit())
}

/// "6th", "21st", "82nd", "3rd".
fn is_ordinal(t: &str) -> bool {
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && matches!(&t[digits..], "st" | "nd" | "rd" | "th")
}

/// Whether lowercased `t` is a stopword (no allocation for short ASCII words).
fn is_stopword(t: &str, lex: &Lexicon) -> bool {
    let mut buf = [0u8; 32];
    match buf.get_mut(..t.len()) {
        Some(b) if t.is_ascii() => {
            b.copy_from_slice(t.as_bytes());
            b.make_ascii_lowercase();
            std::str::from_utf8(b).is_ok_and(|l| lex.stopwords.contains(l))
        }
        _ => lex.stopwords.contains(&t.to_lowercase()),
    }
}

/// "MEXICO CITY" → "Mexico City".
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphabetic();
    }
    out
}

fn is_titlecase(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.all(|c| !c.is_uppercase())
}

/// Document-wide facts the name finder uses.
struct DocContext<'d> {
    /// Words seen starting in lowercase somewhere in the document.
    lower_seen: FxHashSet<&'d str>,
    /// Words seen capitalised somewhere other than at a sentence start.
    cap_mid_seen: FxHashSet<&'d str>,
}

impl<'d> DocContext<'d> {
    fn new(doc: &'d Document, lex: &Lexicon) -> Self {
        let mut lower_seen = FxHashSet::default();
        let mut cap_mid_seen = FxHashSet::default();
        for sentence in &doc.sentences {
            let first_word = first_word_index(doc, sentence.tokens.clone());
            for i in sentence.tokens.clone() {
                let t = doc.token_text(i);
                match t.chars().next() {
                    Some(c) if c.is_lowercase() => {
                        lower_seen.insert(t);
                    }
                    Some(c) if c.is_uppercase() && Some(i) != first_word && !is_stopword(t, lex) => {
                        cap_mid_seen.insert(t);
                    }
                    _ => {}
                }
            }
        }
        Self {
            lower_seen,
            cap_mid_seen,
        }
    }

    /// A token that can be part of a name.
    fn is_name_token(&self, doc: &Document, i: usize, lex: &Lexicon) -> bool {
        let t = doc.token_text(i);
        let Some(first) = t.chars().next() else {
            return false;
        };
        if !first.is_uppercase() {
            return false;
        }
        // Document codes ("PA2904034294") are not names.
        if t.chars().filter(char::is_ascii_digit).count() >= 4 {
            return false;
        }
        // @handles and #hashtags are not names.
        let before = doc.text[..doc.tokens[i].start].chars().next_back();
        if matches!(before, Some('@' | '#')) {
            return false;
        }
        !(is_titlecase(t) && is_stopword(t, lex))
    }

    /// End (exclusive) of the run of name tokens starting at `start`, allowing
    /// connectors between capitalised words.
    fn name_run_end(&self, doc: &Document, start: usize, end: usize, lex: &Lexicon) -> usize {
        let mut i = start + 1;
        while i < end {
            let gap = &doc.text[doc.tokens[i - 1].end..doc.tokens[i].start];
            if gap.contains('\n') {
                break;
            }
            if self.is_name_token(doc, i, lex) {
                i += 1;
                continue;
            }
            // A hyphen written inside a name ("Bin-Nun", "ITAR-TASS", "Kanal-6"),
            // not between two nationalities ("U.S.-Soviet").
            if doc.token_text(i) == "-"
                && i + 1 < end
                && doc.tokens[i - 1].end == doc.tokens[i].start
                && doc.tokens[i].end == doc.tokens[i + 1].start
                && (self.is_name_token(doc, i + 1, lex) || doc.token_text(i + 1).chars().all(|c| c.is_ascii_digit()))
                && !lex.demonyms.contains_key(doc.token_text(i - 1))
                && !lex.demonyms.contains_key(doc.token_text(i + 1))
            {
                i += 2;
                continue;
            }
            // One or two connectors, then a capitalised word: "Bank of England", "von der Leyen".
            // After an organisation head, "for" and "on" connect too ("Agency for
            // International Development", "Council on Foreign Relations").
            let org_head = lex.name_heads.get(doc.token_text(i - 1)) == Some(&NameHead::Organization);
            let connectors = (i..end.min(i + 2))
                .take_while(|&k| {
                    let t = doc.token_text(k);
                    NAME_CONNECTORS.contains(&t) || (k == i && org_head && matches!(t, "for" | "on"))
                })
                .count();
            if connectors > 0 && i + connectors < end && self.is_name_token(doc, i + connectors, lex) {
                i += connectors + 1;
            } else {
                break;
            }
        }
        i
    }

    /// A capitalised word at a sentence start that is just a capitalised
    /// common word ("Gratitude to …", "Speaking …"): it is seen lowercase in
    /// the document, or never seen capitalised elsewhere.
    fn is_spurious_initial(
        &self,
        doc: &Document,
        start: usize,
        end: usize,
        sentence_start: usize,
        _lex: &Lexicon,
    ) -> bool {
        if first_word_index(doc, sentence_start..end) != Some(start) {
            return false;
        }
        let first = doc.token_text(start);
        // A dateline ("BANGKOK, Thailand (AP)"): an all-capitals word before a comma.
        if first.chars().filter(|c| c.is_alphabetic()).count() > 1
            && first.chars().all(|c| !c.is_lowercase())
            && doc.token_text(end) == ","
        {
            return false;
        }
        if self.lower_seen.contains(first.to_lowercase().as_str()) {
            return true;
        }
        // A lone proper noun that acts as a subject ("Zelensky said …") is a
        // name even if the document never repeats it mid-sentence; the tagger
        // alone is not trusted here, since it tags title-case line starts
        // ("Gratitude to …") as PROPN.
        if doc.is_tagged()
            && end - start == 1
            && doc.upos(start) == "PROPN"
            && matches!(doc.upos(start + 1), "VERB" | "AUX")
        {
            return false;
        }
        end - start == 1 && !self.cap_mid_seen.contains(first) && !is_acronym(first)
    }
}

/// Index of the first word-like token of a token range (skipping bullets,
/// dashes and opening quotes).
fn first_word_index(doc: &Document, tokens: std::ops::Range<usize>) -> Option<usize> {
    tokens
        .into_iter()
        .find(|&i| doc.token_text(i).chars().next().is_some_and(char::is_alphanumeric))
}

/// Adds the names the NER stage found (`Document::names`) and the rules
/// missed: model spans (PER, ORG, LOC) that overlap no rule mention, start
/// with a capital or a surname particle, are not a bare title and are not in
/// page furniture, typed by the model. Rule mentions keep their spans here;
/// [`decide_types`] later types those found without evidence. One boundary
/// repair is taken from the model: a person span that the rules split into a
/// one-word gazetteer place ("Vladimir", "Gary", "Virginia") and untyped
/// names after it becomes one person. A document without NER names is left
/// as the rules found it.
pub fn apply_ner(doc: &Document, names: &mut Vec<NameMention>, lex: &Lexicon) {
    use crate::document::NameClass;
    let mut added = Vec::new();
    let mut merged: Vec<(Vec<usize>, NameMention)> = Vec::new();
    // Rule names per sentence (indices in `names` order): each model span
    // looks at its own sentence, not at every name of the document (a
    // document of many sentences was quadratic).
    let mut in_sentence: Vec<Vec<usize>> = vec![Vec::new(); doc.sentences.len()];
    for (k, m) in names.iter().enumerate() {
        if let Some(v) = in_sentence.get_mut(m.sentence) {
            v.push(k);
        }
    }
    for named in &doc.names {
        let (a, b) = (named.tokens.start, named.tokens.end);
        let Some(s) = doc.sentence_of(a) else { continue };
        if a >= b || b > doc.sentences[s].tokens.end || lex.is_boilerplate(doc.span_text(doc.sentences[s].span)) {
            continue;
        }
        // A name starts with a capital (or a surname particle: "van Gogh"),
        // and a bare title ("Emperor", "President") is no name: the rules
        // read titles as roles of the name that follows.
        let first = doc.token_text(a);
        let whole = collapse(doc.span_text(Span::new(doc.tokens[a].start, doc.tokens[b - 1].end)));
        if !(first.chars().next().is_some_and(char::is_uppercase) || NAME_PARTICLES.contains(&first))
            || lex.roles.contains_key(whole.as_str())
        {
            continue;
        }
        let entity_type = match named.class {
            NameClass::Person => EntityType::Person,
            NameClass::Organization => EntityType::Organization,
            NameClass::Location => EntityType::Place,
            NameClass::Misc => continue,
        };
        let here = in_sentence.get(s).map_or(&[][..], Vec::as_slice);
        let overlapped = here
            .iter()
            .any(|&k| names[k].tokens.start < b && a < names[k].tokens.end);
        // The model's span as a typed name mention.
        let model_name = || {
            let span = Span::new(doc.tokens[a].start, doc.tokens[b - 1].end);
            NameMention {
                span,
                full_span: span,
                tokens: a..b,
                sentence: s,
                name: collapse(doc.span_text(span)),
                entity_type,
                evidence: Evidence::Model,
                canonical: None,
                wikidata: None,
                role: None,
                kind: MentionKind::Name,
            }
        };
        // "Vladimir Ashkenazy", "Gary Hess": the rules split a person's name
        // whose first name is a city in the gazetteer. When the model reads
        // the whole span as one person, the city name first, then untyped
        // names, exactly cover it, they become one person.
        if entity_type == EntityType::Person && overlapped {
            let parts: Vec<usize> = here
                .iter()
                .copied()
                .filter(|&k| names[k].tokens.start < b && a < names[k].tokens.end)
                .collect();
            let tiles = parts.len() >= 2
                && parts
                    .windows(2)
                    .all(|w| names[w[0]].tokens.end == names[w[1]].tokens.start)
                && parts.first().is_some_and(|&k| {
                    names[k].tokens == (a..a + 1)
                        && matches!(
                            names[k].entity_type,
                            EntityType::City | EntityType::AdministrativeArea | EntityType::Country
                        )
                })
                && parts.last().is_some_and(|&k| names[k].tokens.end == b)
                && parts[1..]
                    .iter()
                    .all(|&k| names[k].evidence == Evidence::None && names[k].kind == MentionKind::Name);
            if tiles {
                merged.push((parts, model_name()));
            }
        }
        if !overlapped {
            added.push(model_name());
        }
    }
    if !merged.is_empty() {
        let drop: HashSet<usize> = merged.iter().flat_map(|(parts, _)| parts.iter().copied()).collect();
        let mut k = 0;
        names.retain(|_| {
            k += 1;
            !drop.contains(&(k - 1))
        });
        added.extend(merged.into_iter().map(|(_, m)| m));
    }
    if !added.is_empty() {
        names.extend(added);
        names.sort_by_key(|m| (m.tokens.start, m.tokens.end));
    }
}

/// Decides the types of the names found without evidence, in one place:
/// 1. the NER model's class for the span holding the name's last word
///    (its head in English names; MISC → Thing);
/// 2. else a common given name as the first of two or more capitalised
///    words ("Charlton Heston") → Person, unless that word is also a
///    gazetteer place ("Georgia Smith" stays undecided);
///    else a profession noun right before such a name ("the geologist
///    Henrik Dahl") → Person;
/// 3. else the type other mentions of the same name in the document have,
///    by evidence-weighted majority ("Byron" after "Lord Byron");
/// 4. else Thing: there is no default type.
pub fn decide_types(doc: &Document, names: &mut [NameMention], lex: &Lexicon) {
    use crate::document::NameClass;
    // "Quilis (1964)" cites an author only in a document that cites in the
    // strict forms too; elsewhere "Watchmen (2009)" is a film and its year.
    let citations: Vec<Option<Citation>> = names
        .iter()
        .map(|m| {
            (m.kind == MentionKind::Name)
                .then(|| cited_author(doc, m.tokens.clone()))
                .flatten()
        })
        .collect();
    let strict = citations.iter().filter(|c| **c == Some(Citation::Strict)).count();
    for (m, citation) in names.iter_mut().zip(citations) {
        if m.kind != MentionKind::Name || m.evidence != Evidence::None {
            continue;
        }
        let cited = match citation {
            Some(Citation::Strict) => true,
            Some(Citation::YearAfter) => strict >= 2,
            None => false,
        };
        let head = m.tokens.end - 1;
        let k = doc.names.partition_point(|n| n.tokens.end <= head);
        let model = doc.names.get(k).filter(|n| n.tokens.start <= head).map(|n| n.class);
        // The model's organisation or place ("Red Sox") is no author.
        if cited && !matches!(model, Some(NameClass::Organization | NameClass::Location)) {
            m.entity_type = EntityType::Person;
            m.evidence = Evidence::Citation;
            continue;
        }
        if let Some(class) = model {
            m.entity_type = match class {
                NameClass::Person => EntityType::Person,
                NameClass::Organization => EntityType::Organization,
                NameClass::Location => EntityType::Place,
                NameClass::Misc => EntityType::Thing,
            };
            m.evidence = Evidence::Model;
            continue;
        }
        if is_given_name_first(doc, m, lex) {
            m.entity_type = EntityType::Person;
            m.evidence = Evidence::GivenName;
        } else if after_profession(doc, m) {
            m.entity_type = EntityType::Person;
            m.evidence = Evidence::Title;
        }
    }
    // "a lifelong Roman Catholic", "a Democrat": a name after an indefinite
    // article names a kind of person, a group.
    for m in names.iter_mut() {
        if m.kind == MentionKind::Name
            && m.entity_type == EntityType::Person
            && matches!(m.evidence, Evidence::Model | Evidence::GivenName)
            && after_indefinite_article(doc, m.tokens.start)
            // "an Andy Warhol exhibit", "a Britney Spears story": the name
            // modifies the noun after it, which the article belongs to.
            && !before_common_noun(doc, m.tokens.end)
        {
            m.entity_type = EntityType::Group;
        }
    }
    // Document consistency: undecided names take the type the document's
    // other mentions of the same name show. (Re-voting names the model typed
    // too lowered typed F1 on GUM dev, 0.648 -> 0.632: the model's majority
    // for a place name read as a person in most sentences wins.)
    let weight = |e: Evidence| match e {
        Evidence::None | Evidence::Document => 0,
        Evidence::Model | Evidence::GivenName => 1,
        Evidence::Gazetteer | Evidence::Title | Evidence::HeadWord | Evidence::WordList | Evidence::Citation => 2,
    };
    let mut votes: rustc_hash::FxHashMap<&str, Vec<(EntityType, u32)>> = rustc_hash::FxHashMap::default();
    for m in names.iter().filter(|m| m.kind == MentionKind::Name) {
        let w = weight(m.evidence);
        if w == 0 {
            continue;
        }
        let tally = votes.entry(m.name.as_str()).or_default();
        let t = m.entity_type.coarse();
        match tally.iter_mut().find(|(x, _)| *x == t) {
            Some((_, n)) => *n += w,
            None => tally.push((t, w)),
        }
    }
    let decided: Vec<Option<EntityType>> = names
        .iter()
        .map(|m| {
            if m.kind != MentionKind::Name || m.evidence != Evidence::None {
                return None;
            }
            let tally = votes.get(m.name.as_str())?;
            let best = tally.iter().map(|(_, n)| *n).max()?;
            let mut winners = tally.iter().filter(|(_, n)| *n == best);
            match (winners.next(), winners.next()) {
                (Some((t, _)), None) => Some(*t),
                _ => None,
            }
        })
        .collect();
    for (m, t) in names.iter_mut().zip(decided) {
        if let Some(t) = t {
            m.entity_type = t;
            m.evidence = Evidence::Document;
        } else if m.kind == MentionKind::Name && m.evidence == Evidence::None {
            // No default type. (Guessing Person for unknown multi-word names,
            // as before, cost 3 points of typed F1 on GUM dev; Organization
            // for unknown acronyms 1 point.)
            m.entity_type = EntityType::Thing;
        }
    }
    // "Bethany, Conn.", "Millinocket, Maine": a one-word name right before a
    // comma and a state or country is a town, when nothing but the model's
    // person reading ("Bethany" is also a given name) or nothing at all
    // typed it. (A place the model read stays a place: "Aberdeenshire,
    // Scotland" is no town.)
    for m in names.iter_mut() {
        let guess = match m.entity_type {
            EntityType::Person => m.evidence == Evidence::Model,
            EntityType::Thing => m.evidence == Evidence::None,
            _ => false,
        };
        if m.kind == MentionKind::Name
            && guess
            && m.tokens.len() == 1
            // "Polish, Jewish and …": a nationality adjective is no town.
            && !lex.demonyms.contains_key(m.name.as_str())
            && let Some(t) = before_region(doc, m.tokens.end, lex)
        {
            m.entity_type = t;
            m.evidence = Evidence::WordList;
        }
    }
}

/// Whether the name at `tokens` is an author in an academic citation: "X et
/// al.", "X (2013)", or one word inside parentheses before a year, alone or
/// with co-authors: "(X, 2013)", "(X 2013: 12)", "(X & Y, 2011; …)", "(see X
/// and Y 2010a)". The year is a four-digit number from 1500 to 2099,
/// optionally with a letter.
fn cited_author(doc: &Document, tokens: std::ops::Range<usize>) -> Option<Citation> {
    let text = |k: usize| doc.tokens.get(k).map_or("", |_| doc.token_text(k));
    let is_year = |t: &str| {
        let digits = t.trim_end_matches(|c: char| c.is_ascii_lowercase());
        t.len() - digits.len() <= 1
            && digits.len() == 4
            && digits.parse::<u32>().is_ok_and(|y| (1500..=2099).contains(&y))
    };
    let end = tokens.end;
    if text(end) == "et" && text(end + 1).starts_with("al") {
        return Some(Citation::Strict);
    }
    // One word: "(Les Amants, 1959)" gives a film's other title and its year.
    if tokens.len() != 1 {
        return None;
    }
    if text(end) == "(" && is_year(text(end + 1)) {
        return Some(Citation::YearAfter);
    }
    // Forward over co-authors to the year.
    let mut j = end;
    let year = loop {
        let t = text(j);
        if is_year(t) {
            break Some(j);
        }
        let coauthor =
            matches!(t, "," | "&" | "and") || (is_titlecase(t) && t.chars().all(|c| c.is_alphabetic() || c == '-'));
        if !coauthor || j >= end + 8 {
            break None;
        }
        j += 1;
    };
    let year = year?;
    let closes = matches!(text(year + 1), ")" | ";" | ":" | ",");
    // Back to an opening parenthesis in the same sentence, past nothing but
    // other citations' words (names, years, "et al.", "see", separators).
    let sentence_start = doc
        .sentence_of(tokens.start)
        .and_then(|s| doc.sentences.get(s))
        .map_or(0, |s| s.tokens.start);
    let mut k = tokens.start;
    let opened = loop {
        if k <= sentence_start {
            break false;
        }
        k -= 1;
        let t = text(k);
        if t == "(" {
            break true;
        }
        let inside = matches!(
            t,
            "," | ";" | "&" | "and" | "et" | "al." | "al" | "." | "see" | "e.g." | "cf." | "also"
        ) || is_year(t)
            || is_titlecase(t);
        if !inside || tokens.start - k > 16 {
            break false;
        }
    };
    (opened && closes).then_some(Citation::Strict)
}

/// How a name reads as a cited author ([`cited_author`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Citation {
    /// "X et al.", "(X, 2013)", "(X & Y 2011)".
    Strict,
    /// "X (2013)": an author only where the document cites strictly too.
    YearAfter,
}

/// Whether a name of two or more capitalised words starts with a common
/// given name that is not also a gazetteer name ("Anna Keller" yes,
/// "Georgia Tech" no).
fn is_given_name_first(doc: &Document, m: &NameMention, lex: &Lexicon) -> bool {
    let Some(first) = (m.tokens.clone()).find(|&k| doc.tokens[k].start == m.span.start) else {
        return false;
    };
    let words: Vec<&str> = (first..m.tokens.end).map(|k| doc.token_text(k)).collect();
    words.len() >= 2
        && words.iter().all(|w| {
            is_titlecase(w)
                && w.chars()
                    .all(|c| c.is_alphabetic() || c == '.' || c == '-' || c == '\'')
        })
        && lex
            .given_names
            .get(words[0])
            .is_some_and(|g| g.male.max(g.female) >= GIVEN_NAME_MIN_PERCENT)
        && lex.lookup(words[0]).is_none()
}

/// When token `k` is a comma followed by a state abbreviation ("Conn.") or a
/// gazetteer state, province or country ending its phrase, the type of the
/// one-word name before it: a town before a state or province ("Bethany,
/// Conn."), a place of unknown rank before a country ("Aceh, Indonesia" is a
/// province).
fn before_region(doc: &Document, k: usize, lex: &Lexicon) -> Option<EntityType> {
    if k + 1 >= doc.tokens.len() || doc.token_text(k) != "," {
        return None;
    }
    if super::nominal::is_state_abbreviation(doc.token_text(k + 1)) {
        return Some(EntityType::City);
    }
    // One- or two-word regions ("Ohio", "New Jersey"), then the phrase ends.
    (k + 2..(k + 4).min(doc.tokens.len() + 1)).find_map(|end| {
        let text = doc.span_text(Span::new(doc.tokens[k + 1].start, doc.tokens[end - 1].end));
        let ends = doc
            .tokens
            .get(end)
            .is_none_or(|_| !doc.token_text(end).chars().next().is_some_and(char::is_uppercase));
        if !ends {
            return None;
        }
        let classes = lex.lookup(text)?;
        if classes.iter().any(|e| e.class == GazetteerClass::AdministrativeArea) {
            Some(EntityType::City)
        } else if classes.iter().any(|e| e.class == GazetteerClass::Country) {
            Some(EntityType::Place)
        } else {
            None
        }
    })
}

/// Whether token `start` follows "a" or "an", with at most three lowercase
/// adjectives between ("a lifelong Roman Catholic").
fn after_indefinite_article(doc: &Document, start: usize) -> bool {
    let mut k = start;
    for _ in 0..4 {
        let Some(prev) = k.checked_sub(1) else {
            return false;
        };
        let word = doc.token_text(prev);
        if word.eq_ignore_ascii_case("a") || word.eq_ignore_ascii_case("an") {
            return true;
        }
        if doc.upos(prev) != "ADJ" || !word.chars().next().is_some_and(char::is_lowercase) {
            return false;
        }
        k = prev;
    }
    false
}

/// Whether token `k` is a lowercase common noun (the head a name before it
/// modifies).
fn before_common_noun(doc: &Document, k: usize) -> bool {
    k < doc.tokens.len() && doc.upos(k) == "NOUN" && doc.token_text(k).chars().next().is_some_and(char::is_lowercase)
}

/// Whether a name of two or more capitalised words follows a lowercase
/// profession noun ("the geologist Henrik Dahl", "novelist Ada Quill").
fn after_profession(doc: &Document, m: &NameMention) -> bool {
    let Some(before) = m.tokens.start.checked_sub(1) else {
        return false;
    };
    let words: Vec<&str> = m.tokens.clone().map(|k| doc.token_text(k)).collect();
    words.len() >= 2 && words.iter().all(|w| is_titlecase(w)) && super::nominal::is_profession(doc.token_text(before))
}

/// How common (percent of men or of women) a given name must be to count as
/// evidence of a person.
const GIVEN_NAME_MIN_PERCENT: f32 = 0.01;

#[cfg(test)]
mod tests {
    use super::*;

    /// Names with their decided types (rules, model, given names, document).
    fn names(text: &str) -> Vec<(String, EntityType)> {
        let doc = crate::ner::stage::analyze(text.to_string());
        let lex = Lexicon::embedded();
        let mut found = find_names(&doc, lex);
        apply_ner(&doc, &mut found, lex);
        decide_types(&doc, &mut found, lex);
        found
            .into_iter()
            .filter(|m| m.kind == MentionKind::Name)
            .map(|m| (m.name, m.entity_type))
            .collect()
    }

    #[test]
    fn a_city_and_a_plural_name_a_team() {
        let found = names("Tom Brandt joined the Boston Red Sox. Ada Quill signed with the Chicago Bulls.");
        for team in ["Boston Red Sox", "Chicago Bulls"] {
            assert!(
                found.contains(&(team.to_string(), EntityType::Organization)),
                "{team}: {found:?}"
            );
        }
        // A kind of place, a party's people, a person after a place.
        let found = names("They toured the Florida Keys. The Texas Democrats met in Austin Charles Dunn's house.");
        for name in ["Florida Keys", "Texas Democrats", "Austin Charles Dunn"] {
            assert!(
                !found.iter().any(|(n, t)| n == name && *t == EntityType::Organization),
                "{name}: {found:?}"
            );
        }
    }

    #[test]
    fn a_name_after_an_article_is_a_group_unless_it_modifies_a_noun() {
        let found = names("He was a lifelong Roman Catholic. They opened an Ada Quill exhibit in Leeds.");
        assert!(
            found.contains(&("Roman Catholic".to_string(), EntityType::Group)),
            "{found:?}"
        );
        assert!(
            found.contains(&("Ada Quill".to_string(), EntityType::Person)),
            "{found:?}"
        );
    }

    #[test]
    fn cited_authors_are_people() {
        let found = names(
            "Earlier studies (Moretti, 2013; Okafor & Lindqvist 2016a) disagree. Quilis (1964) proposed a test, and Brandauer et al. repeated it.",
        );
        for author in ["Moretti", "Okafor", "Lindqvist", "Quilis", "Brandauer"] {
            assert!(
                found.contains(&(author.to_string(), EntityType::Person)),
                "{author}: {found:?}"
            );
        }
        // A gazetteer place before a year stays a place; a year without
        // parentheses makes no citation.
        let found = names("The accord (Paris, 2015) held. The office still ran Vortexa 2000 software.");
        assert!(found.contains(&("Paris".to_string(), EntityType::City)), "{found:?}");
        assert!(
            !found
                .iter()
                .any(|(n, t)| n.starts_with("Vortexa") && *t == EntityType::Person),
            "{found:?}"
        );
    }

    #[test]
    fn titles_make_people_and_gazetteer_types_places() {
        let found = names("Yesterday German Chancellor Olaf Berg met Japanese Prime Minister Ken Sato in Tokyo.");
        assert_eq!(
            found,
            vec![
                ("Olaf Berg".to_string(), EntityType::Person),
                ("Ken Sato".to_string(), EntityType::Person),
                ("Tokyo".to_string(), EntityType::City),
            ]
        );
    }

    #[test]
    fn honorifics_make_people_named_without_them() {
        // With and without the period, at a sentence start and inside; the
        // honorific stays in the span but not in the name, and a country's
        // name after "Mr." is a person.
        let text = "Mrs Keller met Mr. Jordan in Jordan. Later Dr Ana Okafor spoke.";
        let doc = crate::ner::stage::analyze(text.to_string());
        let found: Vec<(String, String, EntityType)> = find_names(&doc, Lexicon::embedded())
            .into_iter()
            .filter(|m| m.kind == MentionKind::Name)
            .map(|m| (doc.span_text(m.span).to_string(), m.name, m.entity_type))
            .collect();
        let person = |span: &str, name: &str| (span.to_string(), name.to_string(), EntityType::Person);
        assert_eq!(
            found,
            vec![
                person("Mrs Keller", "Keller"),
                person("Mr. Jordan", "Jordan"),
                ("Jordan".to_string(), "Jordan".to_string(), EntityType::Country),
                person("Dr Ana Okafor", "Ana Okafor"),
            ]
        );
        assert_eq!(without_honorific("Ms. Keller"), "Keller");
        assert_eq!(without_honorific("Misses Keller"), "Misses Keller");
    }

    #[test]
    fn name_heads_type_organisations_and_events() {
        let found = names("The Lima Summit was covered by Harbor News and the reporters of NATO.");
        assert!(
            found.contains(&("Lima Summit".to_string(), EntityType::Event)),
            "{found:?}"
        );
        assert!(
            found.contains(&("Harbor News".to_string(), EntityType::Organization)),
            "{found:?}"
        );
        assert!(
            found.contains(&("NATO".to_string(), EntityType::Organization)),
            "{found:?}"
        );
    }

    #[test]
    fn capitalised_common_words_at_sentence_start_are_not_names() {
        let found = names("Gratitude was expressed. Meanwhile Canada agreed. The gratitude grew.");
        assert_eq!(found, vec![("Canada".to_string(), EntityType::Country)]);
    }

    #[test]
    fn handles_are_not_names() {
        assert!(names("follow @Reuters now").is_empty());
    }

    fn has(found: &[(String, EntityType)], name: &str, t: EntityType) -> bool {
        found.contains(&(name.to_string(), t))
    }

    #[test]
    fn head_before_of_types_the_name() {
        let found = names("He joined the Institute of Marine Farming in May.");
        assert!(
            has(&found, "Institute of Marine Farming", EntityType::Organization),
            "{found:?}"
        );
        let found = names("She leads the Agency for Rural Roads now.");
        assert!(
            has(&found, "Agency for Rural Roads", EntityType::Organization),
            "{found:?}"
        );
    }

    #[test]
    fn affiliation_after_of_is_its_own_mention() {
        let found = names("The award went to Mara Lindqvist of Boston and Ola Brenne of NASA.");
        assert!(has(&found, "Mara Lindqvist", EntityType::Person), "{found:?}");
        assert!(found.iter().any(|(n, _)| n == "Boston"), "{found:?}");
        assert!(has(&found, "Ola Brenne", EntityType::Person), "{found:?}");
        assert!(found.iter().any(|(n, _)| n == "NASA"), "{found:?}");
        // A title before "of" keeps the phrase whole.
        let found = names("The Grand Duke of Tuscany arrived.");
        assert!(!found.iter().any(|(n, _)| n == "Grand Duke"), "{found:?}");
        // An unknown home town after a personal name.
        let found = names("Rescuers thanked Tove Rasmussen of Kleppestad on Friday.");
        assert!(has(&found, "Tove Rasmussen", EntityType::Person), "{found:?}");
        assert!(found.iter().any(|(n, _)| n == "Kleppestad"), "{found:?}");
        // A title before an organisation's head word makes no person.
        let found = names("Officials at the Justice Department said no.");
        assert!(!found.iter().any(|(_, t)| *t == EntityType::Person), "{found:?}");
        // A state name is no personal name.
        let found = names("The Democratic Republic of Kongoland voted.");
        assert!(!found.iter().any(|(n, _)| n == "Kongoland"), "{found:?}");
    }

    #[test]
    fn hyphens_ordinals_codes_and_capitals() {
        let found = names("Talks with Avi Ben-Dor and the 7th Fleet ended.");
        assert!(has(&found, "Avi Ben-Dor", EntityType::Person), "{found:?}");
        assert!(has(&found, "7th Fleet", EntityType::Organization), "{found:?}");
        let found = names("Fighting between Israeli-Palestinian groups resumed.");
        assert!(
            !found.iter().any(|(n, _)| n.contains('-')),
            "nationalities stay apart: {found:?}"
        );
        let found = names("MEXICO CITY (AP) Officials met.");
        assert!(has(&found, "MEXICO CITY", EntityType::City), "{found:?}");
        let found = names("XZ1234567890 Oslo radio report");
        assert!(!found.iter().any(|(n, _)| n.contains("XZ1234567890")), "{found:?}");
    }

    #[test]
    fn a_state_after_a_town_and_a_comma_is_the_state() {
        let found = names("Mara Linde grew up in Rochester, New York, and lives in Clearwater, Florida.");
        assert!(has(&found, "New York", EntityType::AdministrativeArea), "{found:?}");
        assert!(has(&found, "Florida", EntityType::AdministrativeArea), "{found:?}");
        let found = names("Mara Linde moved to New York in 2004.");
        assert!(has(&found, "New York", EntityType::City), "{found:?}");
        // Nationality adjectives before a comma are no towns.
        let found = names("The museum shows Polish, Jewish and Ukrainian art.");
        assert!(!found.iter().any(|(_, t)| t.coarse() == EntityType::Place), "{found:?}");
    }

    #[test]
    fn group_words_are_not_person_names() {
        let found = names("Scots Paul Menzies was found in Russia.");
        assert!(has(&found, "Paul Menzies", EntityType::Person), "{found:?}");
        let found = names("Patrick Gordon remained a lifelong Roman Catholic.");
        assert!(!has(&found, "Roman Catholic", EntityType::Person), "{found:?}");
    }

    #[test]
    fn sentence_initial_role_noun_is_a_title() {
        let doc = crate::ner::stage::analyze("Composer Ann Lee is a native of Bergen.".to_string());
        let found = find_names(&doc, Lexicon::embedded());
        let m = found.iter().find(|m| m.name == "Ann Lee");
        assert!(
            m.is_some_and(|m| doc.span_text(m.full_span) == "Composer Ann Lee"),
            "{found:?}"
        );
    }

    #[test]
    fn organisation_before_a_title_is_a_mention() {
        let found = names("The statement was signed by KLTU Secretary Ivo Marek and Harbor Council Director Ana Ruiz.");
        assert!(has(&found, "KLTU", EntityType::Organization), "{found:?}");
        assert!(has(&found, "Ivo Marek", EntityType::Person), "{found:?}");
        assert!(has(&found, "Harbor Council", EntityType::Organization), "{found:?}");
        assert!(has(&found, "Ana Ruiz", EntityType::Person), "{found:?}");
    }
}

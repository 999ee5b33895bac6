//! Relation extraction over tokens and resolved mentions.
//!
//! Three rule families, each with its own extractor id (recorded as provenance):
//! - `verb-pattern`: SUBJECT … VERB … OBJECT inside one clause, where VERB is an
//!   inflection of a lexicon verb (`models/lexicon/verbs.tsv`), SUBJECT the
//!   nearest actor mention to its left and OBJECT the first mention to its
//!   right reached without crossing a preposition (or through the verb's own
//!   preposition: "speak **to** X", "compare … **to** X"); coordinated objects
//!   ("X and Y") give one relation each. A sentence-initial participle clause
//!   ("Speaking to X, Y said …") takes the subject after its comma.
//! - `event-noun`: "summit/meeting/talks **between** A **and** B", "meeting **with** B".
//! - `nominal-pattern`: appositions, titles and datelines (see [`super::nominal`]).
//! - `quote`: a quotation with a speaker ("…,” X said", "X said, “…”", "X: ‘…’").
//!
//! Text inside quotation marks is reported speech: no verb-pattern fact is read
//! from it. Confidences are heuristic scores, documented here, not calibrated
//! probabilities.

use super::{Entity, EntityType, Mention, MentionKind, Predicate, Relation, RelationObject};
use crate::document::{Document, Span};
use crate::lexicon::{Lexicon, NounClass, VerbEntry, VerbKind};

/// Extractor id of verb-pattern relations.
pub const VERB_PATTERN: &str = "verb-pattern";
/// Extractor id of event-noun relations.
pub const EVENT_NOUN: &str = "event-noun";
/// Extractor id of quotation relations.
pub const QUOTE: &str = "quote";
/// Extractor id of relations read from open-IE clauses over the dependency parse.
pub const CLAUSE: &str = "clause";
/// The ontology property of a person's school (`verbs.tsv` rows and degrees).
const EDUCATED_AT: &str = "educatedAt";
/// The ontology property of leading a group or organisation.
const LEADS: &str = "leads";

const PREPOSITIONS: &[&str] = &[
    "in", "on", "at", "of", "for", "from", "by", "with", "to", "into", "about", "under", "over", "against", "after",
    "before", "during", "between", "among", "through", "across", "near", "without",
];
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "his", "her", "its", "their", "our", "my", "your", "whose",
];
const COORDINATORS: &[&str] = &["and", "or", ",", "-", "–", "&"];
const CLAUSE_BREAKS: &[&str] = &[
    ";", ":", "—", "but", "while", "whereas", "although", "though", "because",
];
/// Prepositions whose objects make open relations with the verb ("study at",
/// "move to", "work with"); others ("in 1921", "of …", "by") mostly add
/// circumstances or belong to nouns.
/// ("for" is left out: on the judged sample it was mostly a purpose, "attended
/// Boston University for a Master's", or a team, "scored for Belgium").
const OPEN_PREPOSITIONS: &[&str] = &["at", "to", "from", "with", "into", "against", "in", "on"];
/// Verbs too light to name a relation with their preposition ("be in", "have on").
const BARE_VERBS: &[&str] = &[
    "be", "have", "do", "get", "make", "take", "go", "come", "say", "include", "become", "remain",
];
/// Maximum tokens between a verb and its first object.
const MAX_OBJECT_GAP: usize = 8;
/// Maximum tokens between a subject and its verb.
const MAX_SUBJECT_GAP: usize = 12;

/// A quotation: the span including its marks, and the quoted text inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    /// From the opening mark to the end of the closing mark.
    pub outer: Span,
    /// The quoted text, without marks.
    pub inner: Span,
}

/// Extracts relations from a document whose entities are resolved.
pub fn extract(
    doc: &Document,
    entities: &[Entity],
    mentions: &[Mention],
    dates: &[super::dates::TimeExpression],
    lex: &Lexicon,
) -> Vec<Relation> {
    let quotes = find_quotes(&doc.text);
    let ctx = Ctx::new(doc, entities, mentions, &quotes, lex);
    let mut out = Vec::new();
    for s in 0..doc.sentences.len() {
        verb_relations(&ctx, s, lex, &mut out);
        event_noun_relations(&ctx, s, lex, dates, &mut out);
    }
    // Coordinated arguments are split: "briefed NATO and Zelenskyy" relates both.
    let options = crate::openie::Options {
        split_coordination: true,
        ..crate::openie::Options::default()
    };
    let tuples = crate::openie::extract_document(doc, &options);
    clause_relations(&ctx, &tuples, &mut out);
    quote_relations(&ctx, lex, &mut out);
    out.extend(super::nominal::extract(doc, entities, mentions, lex));
    attribute_to_postposed_speakers(&ctx, &mut out);
    // Same fact from several rules on the same evidence: keep the most
    // confident reading, with the most informative (longest) phrase.
    out.sort_by_cached_key(|r| {
        (
            r.evidence.start,
            r.sentence,
            r.subject,
            format!("{:?}{:?}", r.predicate, r.object),
            std::cmp::Reverse((r.confidence * 1000.0) as i32),
        )
    });
    out.dedup_by(|b, a| {
        let same =
            a.subject == b.subject && a.predicate == b.predicate && a.object == b.object && a.evidence == b.evidence;
        if same && b.phrase.len() > a.phrase.len() {
            a.phrase = std::mem::take(&mut b.phrase);
        }
        same
    });
    out.sort_by(|a, b| {
        (a.evidence.start, a.sentence, a.subject)
            .cmp(&(b.evidence.start, b.sentence, b.subject))
            .then_with(|| a.phrase.cmp(&b.phrase))
    });
    out
}

struct Ctx<'a> {
    doc: &'a Document,
    entities: &'a [Entity],
    quotes: &'a [Quote],
    lex: &'a Lexicon,
    /// Lowercased token texts.
    lower: Vec<String>,
    /// Token is a quotation mark opening or closing a quote.
    quote_mark: Vec<bool>,
    /// Mentions outside quotations, per sentence, in text order.
    by_sentence: Vec<Vec<&'a Mention>>,
}

impl<'a> Ctx<'a> {
    fn new(
        doc: &'a Document,
        entities: &'a [Entity],
        mentions: &'a [Mention],
        quotes: &'a [Quote],
        lex: &'a Lexicon,
    ) -> Self {
        let lower = (0..doc.tokens.len())
            .map(|i| doc.token_text(i).to_lowercase())
            .collect();
        let quote_mark = doc
            .tokens
            .iter()
            .enumerate()
            .map(|(k, t)| {
                !doc.token_text(k).chars().any(char::is_alphanumeric)
                    && quote_at(quotes, t.start).is_some_and(|q| q.outer.start == t.start || q.outer.end == t.end)
            })
            .collect();
        let mut by_sentence = vec![Vec::new(); doc.sentences.len()];
        // A mention nested in another's title ("U.S." in "U.S. Sen. X") is
        // not an argument of verbs: the titled person is.
        let nested = NestedMentions::new(mentions.iter().map(|m| m.tokens.clone()));
        for m in mentions {
            if quote_at(quotes, m.span.start).is_none()
                && !nested.contains(&m.tokens)
                && let Some(v) = by_sentence.get_mut(m.sentence)
            {
                v.push(m);
            }
        }
        Self {
            doc,
            entities,
            quotes,
            lex,
            lower,
            quote_mark,
            by_sentence,
        }
    }

    fn quoted(&self, byte: usize) -> bool {
        quote_at(self.quotes, byte).is_some()
    }

    fn low(&self, i: usize) -> &str {
        self.lower.get(i).map_or("", String::as_str)
    }

    /// Mentions of sentence `s` outside quotations, in text order.
    fn sentence_mentions(&self, s: usize) -> Vec<&'a Mention> {
        self.by_sentence.get(s).cloned().unwrap_or_default()
    }

    fn is_actor(&self, m: &Mention) -> bool {
        self.entities[m.entity].entity_type.is_actor()
    }

    /// Token range of the clause around token `i` within sentence `s`.
    fn clause(&self, s: usize, i: usize) -> std::ops::Range<usize> {
        let sentence = &self.doc.sentences[s];
        let is_break = |k: usize| CLAUSE_BREAKS.contains(&self.low(k)) || self.quote_mark[k];
        let start = (sentence.tokens.start..i)
            .rev()
            .find(|&k| is_break(k))
            .map_or(sentence.tokens.start, |k| k + 1);
        let end = (i + 1..sentence.tokens.end)
            .find(|&k| is_break(k))
            .unwrap_or(sentence.tokens.end);
        start..end
    }

    fn evidence(&self, s: usize) -> Span {
        self.doc.sentences[s].span
    }

    /// First word-like token of sentence `s`.
    fn first_word(&self, s: usize) -> Option<usize> {
        self.doc.sentences[s]
            .tokens
            .clone()
            .find(|&k| self.doc.token_text(k).chars().any(char::is_alphanumeric))
    }
}

/// Answers "does a longer mention contain this token range?" in O(log n)
/// per range; a scan over all mentions per mention made long documents
/// quadratic (1 MB of news took 25 s).
struct NestedMentions {
    /// Token ranges of all mentions as (start, end), sorted.
    ranges: Vec<(usize, usize)>,
    /// `max_end[i]`: the largest end among `ranges[..=i]`.
    max_end: Vec<usize>,
}

impl NestedMentions {
    fn new(tokens: impl Iterator<Item = std::ops::Range<usize>>) -> Self {
        let mut ranges: Vec<(usize, usize)> = tokens.map(|r| (r.start, r.end)).collect();
        ranges.sort_unstable();
        let max_end = ranges
            .iter()
            .scan(0, |max, &(_, end)| {
                *max = end.max(*max);
                Some(*max)
            })
            .collect();
        Self { ranges, max_end }
    }

    /// True if some mention spans more tokens than `r` and contains it. Such
    /// a mention either starts before `r` and ends at or after its end, or
    /// starts with `r` and ends after it.
    fn contains(&self, r: &std::ops::Range<usize>) -> bool {
        let before = self.ranges.partition_point(|&(start, _)| start < r.start);
        let starts_before = before > 0 && self.max_end[before - 1] >= r.end;
        let same_start = self.ranges.partition_point(|&(start, _)| start <= r.start);
        let same_start_longer = same_start > before && self.ranges[same_start - 1].1 > r.end;
        starts_before || same_start_longer
    }
}

/// The quote whose marks enclose byte `byte` (quotes are sorted and disjoint).
fn quote_at(quotes: &[Quote], byte: usize) -> Option<&Quote> {
    let i = quotes.partition_point(|q| q.outer.end <= byte);
    quotes.get(i).filter(|q| q.outer.start <= byte)
}

/// The lexicon verb starting at token `i`, with its length in tokens.
///
/// With POS tags, a verb is a token tagged VERB whose form or lemma is in the
/// lexicon. Without tags (models unavailable), a lexicon form counts unless a
/// determiner precedes it ("the visit") or it is capitalised mid-sentence.
fn verb_at<'l>(ctx: &Ctx, s: usize, i: usize, lex: &'l Lexicon) -> Option<(&'l VerbEntry, usize)> {
    let end = ctx.doc.sentences[s].tokens.end;
    let tagged = ctx.doc.is_tagged();
    if tagged && ctx.doc.upos(i) != "VERB" {
        return None;
    }
    if i + 1 < end {
        let two = format!("{} {}", ctx.low(i), ctx.low(i + 1));
        let two_lemma = format!("{} {}", ctx.doc.lemma(i).to_lowercase(), ctx.low(i + 1));
        if let Some(v) = lex.verb(&two).or_else(|| lex.verb(&two_lemma)).filter(|v| v.words == 2) {
            return Some((v, 2));
        }
    }
    if !tagged {
        let t = ctx.doc.token_text(i);
        // Verbs are lowercase in running text; a capitalised form is a verb only
        // at a sentence start ("Speaking to …").
        if t.chars().next().is_some_and(char::is_uppercase) && ctx.first_word(s) != Some(i) {
            return None;
        }
        if i > 0 && DETERMINERS.contains(&ctx.low(i - 1)) {
            return None;
        }
    }
    let lemma = ctx.doc.lemma(i).to_lowercase();
    lex.verb(ctx.low(i))
        // A tagged form read as another verb's ("found", the past of
        // "find", is no form of "found") is that verb.
        .filter(|v| !tagged || v.lemma == lemma || lemma.is_empty() || lemma == ctx.low(i))
        .or_else(|| lex.verb(&lemma))
        .filter(|v| v.words == 1)
        .map(|v| (v, 1))
}

fn verb_relations(ctx: &Ctx, s: usize, lex: &Lexicon, out: &mut Vec<Relation>) {
    let sentence = &ctx.doc.sentences[s];
    let mentions = ctx.sentence_mentions(s);
    let mut i = sentence.tokens.start;
    while i < sentence.tokens.end {
        let in_mention = mentions.iter().any(|m| m.tokens.contains(&i));
        let found = (!in_mention && !ctx.quoted(ctx.doc.tokens[i].start))
            .then(|| verb_at(ctx, s, i, lex))
            .flatten();
        let Some((verb, len)) = found else {
            i += 1;
            continue;
        };
        if verb.kind != VerbKind::Speech {
            let clause = ctx.clause(s, i);
            let (subject, fronted) = match find_subject(ctx, &mentions, clause.clone(), i) {
                Some(m) => (Some(m), false),
                None => (fronted_participle_subject(ctx, &mentions, s, i), true),
            };
            if let Some(subject) = subject {
                let mut objects = find_objects(ctx, &mentions, clause.clone(), i + len, verb.prep.as_deref(), subject);
                // "X and Y met": a symmetric verb without object relates its coordinated subjects.
                let mut subject = subject;
                if objects.is_empty()
                    && verb.kind == VerbKind::Meet
                    && let Some(first) = mentions.iter().rev().find(|m| {
                        m.tokens.end < subject.tokens.start
                            && (m.tokens.end..subject.tokens.start).map(|k| ctx.low(k)).eq(["and"])
                            && m.entity != subject.entity
                            && ctx.is_actor(m)
                    })
                {
                    objects.push(subject);
                    subject = first;
                }
                let verb_span = Span::new(ctx.doc.tokens[i].start, ctx.doc.tokens[i + len - 1].end);
                for (k, object) in objects.iter().enumerate() {
                    if !parse_agrees(ctx, s, i..i + len, subject, object)
                        || (verb.property == LEADS && leads_in_a_statistic(ctx, s, i))
                    {
                        continue;
                    }
                    let mut phrase = ctx.doc.span_text(verb_span).to_string();
                    if let Some(p) = &verb.prep {
                        phrase.push_str(" … ");
                        phrase.push_str(p);
                    }
                    if let Some(complement) = as_complement(
                        ctx,
                        objects.last().map_or(object.tokens.end, |o| o.tokens.end),
                        clause.end,
                    ) {
                        phrase.push_str(" … ");
                        phrase.push_str(&complement);
                    }
                    let subject_gap = i.saturating_sub(subject.tokens.end);
                    let object_gap = object.tokens.start.saturating_sub(i + len);
                    let mut confidence: f32 = 0.55;
                    if subject_gap <= 2 {
                        confidence += 0.15;
                    }
                    if object_gap <= 1 && k == 0 {
                        confidence += 0.1;
                    }
                    if subject.kind == MentionKind::Pronoun {
                        confidence -= 0.15;
                    }
                    if fronted {
                        confidence -= 0.1;
                    }
                    let (modality, negated) = modality_and_negation(ctx, subject.tokens.end, i, 4);
                    out.push(Relation {
                        modality,
                        negated,
                        attributed_to: reporting_speaker(ctx, &mentions, s, subject),
                        arguments: Some(argument_spans(&verb.property, subject, object)),
                        event_class: None,
                        subject: subject.entity,
                        predicate: Predicate::Ontology(verb.property.clone()),
                        object: RelationObject::Entity(object.entity),
                        phrase,
                        confidence: confidence.clamp(0.05, 0.95),
                        sentence: s,
                        evidence: ctx.evidence(s),
                        extractor: VERB_PATTERN,
                    });
                }
            }
        }
        i += len;
    }
}

/// "led the Owls with 67 runs", "led the league with 11 goals": leading in a
/// count ranks first in a statistic; it is no leadership of the team or
/// league. The count is a "with" whose phrase or clause depends on the verb
/// and starts with a number (the parse may read "with 67 runs scored" as an
/// oblique or as an absolute clause).
fn leads_in_a_statistic(ctx: &Ctx, s: usize, verb: usize) -> bool {
    let doc = ctx.doc;
    let Some(sentence) = doc.sentences.get(s).map(|x| x.tokens.clone()) else {
        return false;
    };
    sentence.clone().any(|w| {
        ctx.low(w) == "with"
            && doc.head(w).and_then(|h| doc.head(h)) == Some(verb)
            && (w + 1..(w + 3).min(sentence.end)).any(|k| doc.upos(k) == "NUM")
    })
}

/// Where the sentence is parsed, a `verb-pattern` reading must not contradict
/// the parse: the verb is not passive ("was elected a Fellow"); no other
/// mention is the `nsubj` of the verb (or of the verb it is coordinated with
/// or depends on as an open complement or participle), unless the subject
/// mention is one too (or a relative pronoun's antecedent); and the object is
/// no possessor or modifier of another noun ("joined Berkeley's department").
/// Unparsed sentences keep the linear reading.
fn parse_agrees(ctx: &Ctx, s: usize, verb: std::ops::Range<usize>, subject: &Mention, object: &Mention) -> bool {
    let doc = ctx.doc;
    if !doc.sentence_parsed(s) {
        return true;
    }
    let sentence = doc.sentences[s].tokens.clone();
    let children = |h: usize| sentence.clone().filter(move |&k| doc.head(k) == Some(h));
    if verb
        .clone()
        .any(|v| children(v).any(|k| matches!(doc.deprel(k), "aux:pass" | "nsubj:pass")))
    {
        return false;
    }
    // The verb and the heads its subject may be shared with.
    let mut governors = vec![verb.start];
    let mut cur = verb.start;
    for _ in 0..3 {
        match (doc.deprel(cur), doc.head(cur)) {
            ("conj" | "xcomp" | "advcl", Some(h)) => {
                governors.push(h);
                cur = h;
            }
            _ => break,
        }
    }
    let subject_ok = governors.iter().any(|&g| {
        children(g).any(|k| subject.tokens.contains(&k) && matches!(doc.deprel(k), "nsubj" | "csubj"))
            // "Jack Ruby, who killed Oswald": the relative pronoun's antecedent.
            || (doc.deprel(g) == "acl:relcl"
                && doc.head(g).is_some_and(|h| subject.tokens.contains(&h))
                && children(g).any(|k| doc.deprel(k) == "nsubj" && doc.upos(k) == "PRON"))
    });
    // The parse vetoes; it need not confirm (a greedy parse of a short clause is
    // often off): another subject of the verb, or an object that is a
    // possessor or modifier of some other noun ("Berkeley's department",
    // "China-Taiwan tensions").
    let other_subject = governors.iter().any(|&g| {
        children(g).any(|k| {
            matches!(doc.deprel(k), "nsubj" | "csubj")
                    && !subject.tokens.contains(&k)
                    // "Trump said he would brief NATO": the same entity again.
                    && mention_at(ctx, s, k).is_none_or(|m| m.entity != subject.entity)
        })
    });
    let object_head = object
        .tokens
        .clone()
        .find(|&k| doc.head(k).is_none_or(|h| !object.tokens.contains(&h)));
    let modifier = object_head.is_some_and(|k| {
        let rel = doc.deprel(k);
        let head = doc.head(k);
        head.is_some_and(|h| !verb.contains(&h))
            && (matches!(rel, "nmod:poss" | "compound" | "amod" | "nmod") || rel.starts_with("nmod"))
    });
    // "a group within Scientology called the Sea Org": a past participle
    // modifying a noun (or fronting a clause) without a subject of its own is
    // a reduced passive, and the name before it is not its agent.
    // (The tagger often reads such a participle as a past tense, so its form
    // decides: anything but an -ing form.)
    let reduced_passive = !subject_ok
        && !ctx.low(verb.start).ends_with("ing")
        && participle_or_passive(doc, verb.start)
        && !children(verb.start).any(|k| doc.deprel(k).starts_with("nsubj"));
    (subject_ok || !other_subject) && !modifier && !reduced_passive
}

/// The subject and object spans of a relation between two mentions: the bare
/// names, except that the victim of a killing keeps its title ("killed
/// President Lincoln"): the title is how news names the victim (and how
/// CoNLL04 annotates it).
fn argument_spans(property: &str, subject: &Mention, object: &Mention) -> (Span, Span) {
    if property == "kills" {
        (subject.span, object.full_span)
    } else {
        (subject.span, object.span)
    }
}

/// The mention (outside quotations) whose tokens contain token `k`.
fn mention_at<'a>(ctx: &Ctx<'a>, s: usize, k: usize) -> Option<&'a Mention> {
    ctx.by_sentence
        .get(s)?
        .iter()
        .copied()
        .filter(|m| m.tokens.contains(&k))
        .min_by_key(|m| m.tokens.len())
}

/// A verb that modifies a noun as a participle ("stationed in Japan", "known
/// for") or shares a passive auxiliary with the verb it is coordinated with
/// ("was born and raised in Rochester"): its subject is no agent.
fn participle_or_passive(doc: &Document, verb: usize) -> bool {
    match (doc.deprel(verb), doc.head(verb)) {
        ("acl" | "amod", _) => true,
        // "Born in Enugu, she …", "Educated at Eton, he …": a past participle
        // heading an adverbial clause without its own subject is a reduced
        // passive; the main clause's subject is its object, not its agent.
        ("advcl", _) if doc.tags.get(verb).is_some_and(|t| t.xpos == "VBN") => {
            let s = doc.sentences.partition_point(|x| x.tokens.end <= verb);
            doc.sentences.get(s).is_some_and(|x| {
                !x.tokens
                    .clone()
                    .any(|k| doc.head(k) == Some(verb) && doc.deprel(k).starts_with("nsubj"))
            })
        }
        ("conj", Some(h)) => {
            // Dependents lie in the verb's sentence.
            let s = doc.sentences.partition_point(|x| x.tokens.end <= verb);
            let Some(range) = doc.sentences.get(s).map(|x| x.tokens.clone()) else {
                return false;
            };
            let own_subject = range
                .clone()
                .any(|k| doc.head(k) == Some(verb) && doc.deprel(k).starts_with("nsubj"));
            !own_subject
                && range
                    .into_iter()
                    .any(|k| doc.head(k) == Some(h) && matches!(doc.deprel(k), "aux:pass" | "nsubj:pass"))
        }
        _ => false,
    }
}

/// The mention an argument headed by token `k` refers to: the mention holding
/// `k`; else, for a common-noun head, the name in apposition to it ("the
/// physician Yang Buwei", "his friend Tyrannius Rufinus"); else, for a relative
/// pronoun ("Jack Ruby, who killed …"), the mention holding its antecedent.
fn argument_mention<'a>(ctx: &Ctx<'a>, s: usize, k: usize) -> Option<&'a Mention> {
    if let Some(m) = mention_at(ctx, s, k) {
        return Some(m);
    }
    let doc = ctx.doc;
    let sentence = doc.sentences.get(s)?.tokens.clone();
    match doc.upos(k) {
        "NOUN" => {
            let names: Vec<usize> = sentence
                .filter(|&c| doc.head(c) == Some(k) && matches!(doc.deprel(c), "appos" | "flat" | "compound"))
                .filter(|&c| c > k)
                .collect();
            // One name only: "the physician Yang Buwei", not "friends Ann and Bo".
            match names.as_slice() {
                [c] => mention_at(ctx, s, *c),
                _ => None,
            }
        }
        "PRON" if matches!(ctx.low(k), "who" | "which" | "that") => {
            let verb = doc.head(k)?;
            if doc.deprel(verb) != "acl:relcl" {
                return None;
            }
            mention_at(ctx, s, doc.head(verb)?)
        }
        _ => None,
    }
}

/// `clause` relations: open-IE tuples over the parse whose subject and an
/// argument head are entity mentions. The verb lemma (with the argument's
/// preposition) is looked up in the verb lexicon; verbs it lacks keep an open
/// predicate named by the lemma, only for direct objects. Passive agents
/// ("was thanked by X") become subjects. Speech verbs are left to the quote
/// rules. Confidence: the tuple's, −0.15 for a pronoun subject.
fn clause_relations(ctx: &Ctx, tuples: &[crate::openie::Tuple], out: &mut Vec<Relation>) {
    use crate::openie::{ArgRole, TupleKind};
    for t in tuples {
        if t.kind != TupleKind::Verbal || ctx.quoted(ctx.doc.tokens[t.predicate].start) {
            continue;
        }
        let s = t.sentence;
        let lemma = ctx.doc.lemma(t.predicate).to_lowercase();
        let Some(subject) = argument_mention(ctx, s, t.subject.head) else {
            continue;
        };
        degree_school(ctx, t, subject, out);
        // "hold talks with X": a two-word lexicon verb over the verb and its object.
        let two_word = t.args.iter().find(|a| a.role == ArgRole::Object).and_then(|a| {
            let v = ctx.lex.verb(&format!("{lemma} {}", ctx.low(a.head)))?;
            (v.words == 2).then_some((v, a.head))
        });
        let singles: Vec<&VerbEntry> = ctx.lex.verb_entries(&lemma).filter(|v| v.words == 1).collect();
        for a in &t.args {
            let prep = a.case.map(|c| ctx.low(c).to_string());
            // "Moreau established herself as …": a reflexive object is the
            // subject again, never a second participant.
            if matches!(ctx.low(a.head), "himself" | "herself" | "itself" | "themselves") {
                continue;
            }
            // "found her calling": a possessive determiner is the owner of
            // the argument, never the argument (a parse may head it so).
            if ctx.doc.tags.get(a.head).is_some_and(|t| t.xpos == "PRP$") {
                continue;
            }
            let Some(object) = argument_mention(ctx, s, a.head) else {
                continue;
            };
            if object.kind == MentionKind::Name && modifies_noun(ctx, object) {
                continue;
            }
            let (mut subj, mut obj) = (subject, object);
            let mut predicate = None;
            let mut phrase = t.relation_text(ctx.doc);
            // "obtained her doctorate from X", "received a PhD in physics at X":
            // a degree's school, whatever the verb.
            if a.role == ArgRole::Oblique
                && !t.passive
                && matches!(prep.as_deref(), Some("from" | "at"))
                && subj.entity != obj.entity
                && t.args.iter().any(|b| {
                    b.role == ArgRole::Object
                        && ctx.lex.noun_classes.get(&ctx.doc.lemma(b.head).to_lowercase()) == Some(&NounClass::Degree)
                })
                && super::constraints::types_allow(ctx.lex, EDUCATED_AT, ctx.entities, subj.entity, obj.entity)
            {
                if let Some(p) = &prep {
                    phrase = format!("{phrase} … {p}");
                }
                push_clause(
                    ctx,
                    t,
                    subj,
                    obj,
                    Predicate::Ontology(EDUCATED_AT.to_string()),
                    phrase,
                    out,
                );
                continue;
            }
            if t.passive && a.role == ArgRole::Oblique && prep.as_deref() == Some("by") {
                // "Trump was thanked by Putin" → Putin thanks Trump.
                (subj, obj) = (object, subject);
                if let Some(v) = singles.iter().copied().find(|v| v.prep.is_none()) {
                    predicate = Some((v, Predicate::Ontology(v.property.clone())));
                }
            } else if let Some((v, _)) = two_word.filter(|(v, h)| *h != a.head && v.prep == prep) {
                predicate = Some((v, Predicate::Ontology(v.property.clone())));
            } else if let Some(v) = singles.iter().copied().find(|v| {
                // The lemma's entry whose argument this is ("died in X" and
                // "died at X" are two rows of `die`), with arguments of the
                // types its property allows.
                let role_fits = match (&v.prep, a.role) {
                    (None, ArgRole::Object) => !t.passive && !participle_or_passive(ctx.doc, t.predicate),
                    (Some(p), ArgRole::Oblique) => prep.as_deref() == Some(p.as_str()),
                    _ => false,
                };
                role_fits
                    && super::constraints::types_allow(ctx.lex, &v.property, ctx.entities, subj.entity, obj.entity)
            }) {
                predicate = Some((v, Predicate::Ontology(v.property.clone())));
            } else if singles.iter().any(|v| {
                matches!(v.kind, VerbKind::Speech | VerbKind::Meet)
                    || (v.prep.is_none() && a.role == ArgRole::Object && !t.passive)
            }) {
                // Speech and meeting verbs' other arguments ("said to X",
                // "met … in Italy") name no relation (a meeting's place is
                // the event patterns' business), and a direct object of the wrong type for the
                // verb's property ("visited … the Apostles") is likelier a
                // misread argument than another relation. A preposition the
                // lexicon has no row for ("spoke with X"), or an object of
                // another type after one it has ("studied at Basel"), gives
                // the open relation below.
            } else if a.role == ArgRole::Object
                && !t.passive
                && ctx.doc.upos(t.predicate) == "VERB"
                && !participle_or_passive(ctx.doc, t.predicate)
            {
                phrase = format!("{phrase} {}", ctx.doc.token_text(a.head));
                // "He had two brothers, Niklaus and …": having a person is
                // kinship or company, which the kinship patterns read; the
                // light verb alone names nothing.
                let had_person = lemma == "have"
                    && ctx
                        .entities
                        .get(obj.entity)
                        .is_some_and(|e| e.entity_type == EntityType::Person);
                if subj.entity != obj.entity && !had_person {
                    push_clause(ctx, t, subj, obj, Predicate::Open(lemma.clone()), phrase, out);
                }
                continue;
            } else if a.role == ArgRole::Oblique
                && !t.passive
                && ctx.doc.upos(t.predicate) == "VERB"
                && obj.kind == MentionKind::Name
                && !participle_or_passive(ctx.doc, t.predicate)
                && ctx
                    .entities
                    .get(obj.entity)
                    .is_some_and(|e| e.entity_type != EntityType::Thing)
                && let Some(p) = prep.as_deref().filter(|p| OPEN_PREPOSITIONS.contains(p))
                && !idiom_between(ctx, s, t, a.head)
            {
                // "studied at Harvard", "moved to Basel", "played for Arsenal":
                // an open predicate named by the verb and its preposition.
                if subj.entity != obj.entity && !BARE_VERBS.contains(&lemma.as_str()) {
                    phrase = format!("{phrase} {p} {}", ctx.doc.token_text(a.head));
                    push_clause(ctx, t, subj, obj, Predicate::Open(format!("{lemma} {p}")), phrase, out);
                }
                continue;
            }
            let Some((v, predicate)) = predicate else {
                continue;
            };
            if v.kind == VerbKind::Speech
                || subj.entity == obj.entity
                || (v.property == LEADS && leads_in_a_statistic(ctx, s, t.predicate))
            {
                continue;
            }
            if let Some(p) = &prep
                && !phrase.split(' ').any(|w| w == p)
            {
                phrase.push_str(" … ");
                phrase.push_str(p);
            }
            push_clause(ctx, t, subj, obj, predicate, phrase, out);
        }
    }
}

/// "obtained his doctorate from the University of X" parsed with the school
/// as the degree's modifier rather than the verb's: the degree's `nmod` with
/// "from" or "at" is the subject's school. (A school that is the verb's own
/// oblique is read in [`clause_relations`].)
fn degree_school(ctx: &Ctx, t: &crate::openie::Tuple, subject: &Mention, out: &mut Vec<Relation>) {
    use crate::openie::ArgRole;
    if t.passive {
        return;
    }
    let doc = ctx.doc;
    let s = t.sentence;
    let Some(sentence) = doc.sentences.get(s).map(|x| x.tokens.clone()) else {
        return;
    };
    for b in t.args.iter().filter(|b| b.role == ArgRole::Object) {
        if ctx.lex.noun_classes.get(&doc.lemma(b.head).to_lowercase()) != Some(&NounClass::Degree) {
            continue;
        }
        for n in sentence
            .clone()
            .filter(|&n| doc.head(n) == Some(b.head) && doc.deprel(n) == "nmod")
        {
            let Some(case) = sentence
                .clone()
                .find(|&c| doc.head(c) == Some(n) && doc.deprel(c) == "case" && matches!(ctx.low(c), "from" | "at"))
            else {
                continue;
            };
            let Some(school) = argument_mention(ctx, s, n) else {
                continue;
            };
            if school.entity == subject.entity
                || !super::constraints::types_allow(ctx.lex, EDUCATED_AT, ctx.entities, subject.entity, school.entity)
            {
                continue;
            }
            let phrase = format!("{} … {}", t.relation_text(doc), ctx.low(case));
            push_clause(
                ctx,
                t,
                subject,
                school,
                Predicate::Ontology(EDUCATED_AT.to_string()),
                phrase,
                out,
            );
        }
    }
}

/// Whether a bare noun (no determiner, possessive or number) that is no
/// entity stands between the verb and the argument headed at `head` as an
/// oblique ("fell *in love* with X") or as the object of a light verb ("gave
/// *birth* to X", "took *part* in X"): the preposition then belongs to that
/// idiom, and the verb and preposition alone would misname the relation.
/// ("studied art at X", "received his PhD at X" keep theirs: judged right.)
fn idiom_between(ctx: &Ctx, s: usize, t: &crate::openie::Tuple, head: usize) -> bool {
    use crate::openie::ArgRole;
    let doc = ctx.doc;
    let bare = |n: usize| {
        !doc.sentences[s]
            .tokens
            .clone()
            .any(|c| doc.head(c) == Some(n) && matches!(doc.deprel(c), "det" | "nmod:poss" | "nummod" | "det:poss"))
    };
    t.args.iter().any(|b| {
        b.head > t.predicate
            && b.head < head
            && doc.upos(b.head) == "NOUN"
            && argument_mention(ctx, s, b.head).is_none()
            && bare(b.head)
            && match b.role {
                ArgRole::Oblique => true,
                ArgRole::Object => {
                    ctx.lex.noun_classes.get(&doc.lemma(b.head).to_lowercase()) == Some(&NounClass::LightVerb)
                }
                _ => false,
            }
    })
}

fn push_clause(
    ctx: &Ctx,
    t: &crate::openie::Tuple,
    subject: &Mention,
    object: &Mention,
    predicate: Predicate,
    phrase: String,
    out: &mut Vec<Relation>,
) {
    // "visited Oslo and Tom Brandt said …": a mention after the verb and
    // followed by a speech verb is the speaker of a new clause, whatever the
    // parse coordinated it with.
    let end = ctx.doc.sentences[t.sentence].tokens.end;
    if object.tokens.start > t.predicate && object.tokens.end < end && is_speech_verb(ctx, object.tokens.end) {
        return;
    }
    let mut confidence = t.confidence * 0.9;
    if subject.kind == MentionKind::Pronoun {
        confidence -= 0.15;
    }
    out.push(Relation {
        modality: t.modal.clone(),
        negated: t.negated,
        attributed_to: clause_speaker(ctx, t),
        arguments: Some(match &predicate {
            Predicate::Ontology(p) => argument_spans(p, subject, object),
            Predicate::Open(_) => (subject.span, object.span),
        }),
        subject: subject.entity,
        predicate,
        object: RelationObject::Entity(object.entity),
        phrase,
        confidence: confidence.clamp(0.05, 0.95),
        sentence: t.sentence,
        evidence: ctx.evidence(t.sentence),
        extractor: CLAUSE,
        event_class: None,
    });
}

/// The speaker whose reported speech holds the tuple's predicate: walking up
/// the parse through clausal complements to a speech verb, its subject's entity.
fn clause_speaker(ctx: &Ctx, t: &crate::openie::Tuple) -> Option<usize> {
    let doc = ctx.doc;
    let mut cur = t.predicate;
    for _ in 0..6 {
        let rel = doc.deprel(cur);
        let head = doc.head(cur)?;
        if matches!(rel, "ccomp" | "parataxis")
            && ctx
                .lex
                .verb(&doc.lemma(head).to_lowercase())
                .is_some_and(|v| v.kind == VerbKind::Speech)
        {
            let subj = (doc.sentences[t.sentence].tokens.clone())
                .find(|&k| doc.head(k) == Some(head) && matches!(doc.deprel(k), "nsubj" | "nsubj:pass"))?;
            return mention_at(ctx, t.sentence, subj).map(|m| m.entity);
        }
        if !matches!(rel, "conj" | "xcomp" | "ccomp" | "advcl") {
            return None;
        }
        cur = head;
    }
    None
}

/// Nearest actor mention left of token `verb` inside the clause.
fn find_subject<'m>(
    ctx: &Ctx,
    mentions: &[&'m Mention],
    clause: std::ops::Range<usize>,
    verb: usize,
) -> Option<&'m Mention> {
    mentions
        .iter()
        .filter(|m| m.tokens.end <= verb && m.tokens.start >= clause.start && verb - m.tokens.end <= MAX_SUBJECT_GAP)
        .filter(|m| ctx.is_actor(m))
        // The object of an earlier verb is not this verb's subject
        // ("X thanked Y … and praised Z": Y does not praise).
        .filter(|m| {
            m.tokens.start == 0
                || !ctx
                    .lex
                    .verb(ctx.low(m.tokens.start - 1))
                    .is_some_and(|v| v.kind != VerbKind::Speech)
        })
        .filter(|m| {
            // A mention governed by a preposition is not a subject ("in Moscow"),
            // except "for X to VERB" where X is the infinitive's subject.
            let before = m.tokens.start.checked_sub(1).map(|k| ctx.low(k));
            let infinitive = verb > 0 && ctx.low(verb - 1) == "to";
            match before {
                Some(p) if PREPOSITIONS.contains(&p) => infinitive && p == "for",
                _ => true,
            }
        })
        // "X said the leaders would brief Y": X is the speaker, not the subject
        // of "brief" (a participle after a comma, "X said, thanking Y", is).
        .filter(|m| {
            let participle = verb > 0 && ctx.low(verb).ends_with("ing") && ctx.low(verb - 1) == ",";
            participle || !(m.tokens.end..verb).any(|k| is_speech_verb(ctx, k))
        })
        .max_by_key(|m| m.tokens.start)
        .copied()
}

/// Modal auxiliary or infinitive marker, and negation, between a subject
/// (ending at token `from`) and its verb (token `verb`), at most `reach`
/// tokens back: "would brief", "is expected to visit", "did not meet".
fn modality_and_negation(ctx: &Ctx, from: usize, verb: usize, reach: usize) -> (Option<String>, bool) {
    const MODALS: &[&str] = &[
        "would", "will", "might", "may", "could", "can", "should", "must", "shall", "'ll", "wo", "ca",
    ];
    let window = from.max(verb.saturating_sub(reach))..verb;
    let negated = window.clone().any(|k| matches!(ctx.low(k), "not" | "n't" | "never"));
    let modality = window
        .clone()
        .rev()
        .find(|&k| {
            MODALS.contains(&ctx.low(k))
                || (ctx.low(k) == "to" && (k + 1 == verb || (ctx.doc.is_tagged() && ctx.doc.upos(k + 1) == "VERB")))
        })
        .map(|k| match ctx.low(k) {
            "to" => "to".to_string(),
            "wo" => "will".to_string(),
            "ca" => "can".to_string(),
            m => m.to_string(),
        });
    (modality, negated)
}

/// True for a token that is a speech verb of the lexicon (tagged VERB when tags exist).
fn is_speech_verb(ctx: &Ctx, k: usize) -> bool {
    (!ctx.doc.is_tagged() || ctx.doc.upos(k) == "VERB")
        && ctx.lex.verb(ctx.low(k)).is_some_and(|v| v.kind == VerbKind::Speech)
}

/// The speaker a claim is attributed to: "SPEAKER said (that) SUBJECT VERB …",
/// a speech verb before the subject whose own subject is an actor mention.
fn reporting_speaker(ctx: &Ctx, mentions: &[&Mention], s: usize, subject: &Mention) -> Option<usize> {
    let start = ctx.doc.sentences[s].tokens.start;
    let k = (start..subject.tokens.start).rev().find(|&k| is_speech_verb(ctx, k))?;
    // Only the complement of the speech verb: "said (that) SUBJECT".
    let between = (k + 1..subject.tokens.start).all(|b| matches!(ctx.low(b), "that" | "the" | "a"));
    if !between {
        return None;
    }
    mentions
        .iter()
        .filter(|m| m.tokens.end <= k && k - m.tokens.end <= 1 && ctx.is_actor(m))
        .max_by_key(|m| m.tokens.start)
        .map(|m| m.entity)
}

/// "CLAIM, SPEAKER said (on Monday).", "CLAIM, said SPEAKER.": a reporting
/// clause after the last comma of the sentence. Relations of the sentence not
/// yet attributed whose arguments both end before that comma become the
/// speaker's claims. A speaker that speaks for an entity ("her office said",
/// "a spokesman for X said", "X's office said") attributes the claim to that
/// entity: the actor mention nearest the speech verb within the clause.
///
/// Token patterns, not the parse: the greedy parse the pipeline uses often
/// misattaches these clauses.
fn attribute_to_postposed_speakers(ctx: &Ctx, relations: &mut [Relation]) {
    const WINDOW: usize = 6;
    let doc = ctx.doc;
    for s in 0..doc.sentences.len() {
        let tokens = doc.sentences[s].tokens.clone();
        let Some(comma) = tokens.clone().rev().find(|&k| doc.token_text(k) == ",") else {
            continue;
        };
        let Some(v) = (comma + 1..tokens.end.min(comma + 1 + WINDOW)).find(|&k| is_speech_verb(ctx, k)) else {
            continue;
        };
        // Nothing but adverbials after the reporting verb ("on Monday", "in a statement").
        let rest_has_verb = (v + 1..tokens.end).any(|k| matches!(doc.upos(k), "VERB" | "AUX"));
        if rest_has_verb || (comma + 1..v).any(|k| ctx.quote_mark[k]) {
            continue;
        }
        let mentions = ctx.sentence_mentions(s);
        let actor = |range: std::ops::Range<usize>| {
            mentions
                .iter()
                .filter(|m| m.tokens.start >= range.start && m.tokens.end <= range.end && ctx.is_actor(m))
                .max_by_key(|m| m.tokens.start)
                .map(|m| m.entity)
        };
        // "…, SPEAKER said" or "…, said SPEAKER".
        let speaker = if v == comma + 1 {
            mentions
                .iter()
                .find(|m| m.tokens.start == v + 1 && ctx.is_actor(m))
                .map(|m| m.entity)
        } else {
            actor(comma + 1..v)
        };
        let Some(speaker) = speaker else { continue };
        let claim_end = doc.tokens[comma].start;
        for r in relations
            .iter_mut()
            .filter(|r| r.sentence == s && r.attributed_to.is_none())
        {
            let speech = matches!(&r.predicate, Predicate::Ontology(p) if p == "says");
            if let Some((a, b)) = r.arguments
                && !speech
                && a.end <= claim_end
                && b.end <= claim_end
            {
                r.attributed_to = Some(speaker);
            }
        }
    }
}

/// "Speaking to X, Y said …": a sentence-initial -ing verb takes as subject the
/// first actor after the comma that closes its clause.
fn fronted_participle_subject<'m>(ctx: &Ctx, mentions: &[&'m Mention], s: usize, verb: usize) -> Option<&'m Mention> {
    let sentence = &ctx.doc.sentences[s];
    let first_word = sentence
        .tokens
        .clone()
        .find(|&k| ctx.doc.token_text(k).chars().any(char::is_alphanumeric))?;
    if first_word != verb || !ctx.low(verb).ends_with("ing") {
        return None;
    }
    let comma = (verb + 1..sentence.tokens.end).find(|&k| ctx.doc.token_text(k) == ",")?;
    mentions
        .iter()
        .find(|m| m.tokens.start > comma && m.tokens.start <= comma + 3 && ctx.is_actor(m))
        .copied()
}

/// Objects of a verb ending before token `after`: the first mention reached
/// without crossing a foreign preposition, then mentions coordinated with it.
fn find_objects<'m>(
    ctx: &Ctx,
    mentions: &[&'m Mention],
    clause: std::ops::Range<usize>,
    after: usize,
    prep: Option<&str>,
    subject: &Mention,
) -> Vec<&'m Mention> {
    let mut out: Vec<&Mention> = Vec::new();
    let Some(first) = mentions
        .iter()
        .find(|m| m.tokens.start >= after && m.tokens.end <= clause.end && m.entity != subject.entity)
    else {
        return out;
    };
    let gap: Vec<&str> = (after..first.tokens.start).map(|k| ctx.low(k)).collect();
    if gap.len() > MAX_OBJECT_GAP || gap.contains(&",") {
        return out;
    }
    let preps: Vec<&&str> = gap.iter().filter(|w| PREPOSITIONS.contains(w)).collect();
    let ok = match prep {
        Some(p) => preps.len() == 1 && *preps[0] == p,
        None => preps.is_empty(),
    };
    if !ok {
        return out;
    }
    out.push(first);
    let mut last = *first;
    for m in mentions
        .iter()
        .filter(|m| m.tokens.start >= last.tokens.end && m.tokens.end <= clause.end)
    {
        if m.tokens.start < last.tokens.end {
            continue;
        }
        let gap: Vec<&str> = (last.tokens.end..m.tokens.start).map(|k| ctx.low(k)).collect();
        let verb_in_gap =
            (last.tokens.end..m.tokens.start).any(|k| ctx.doc.upos(k) == "VERB" || ctx.lex.verb(ctx.low(k)).is_some());
        let coordinated = !gap.is_empty()
            && !verb_in_gap
            && gap.len() <= 4
            && gap.iter().any(|w| COORDINATORS.contains(w))
            && gap
                .iter()
                .all(|w| COORDINATORS.contains(w) || (!PREPOSITIONS.contains(w) && w.chars().all(char::is_alphabetic)));
        // "…, Tom Brandt said": the speaker of a reporting clause, not a
        // coordinated object.
        let speaker = m.tokens.end < clause.end && is_speech_verb(ctx, m.tokens.end);
        if !coordinated || speaker {
            break;
        }
        if m.entity != subject.entity && !out.iter().any(|o| o.entity == m.entity) {
            out.push(m);
        }
        last = m;
    }
    // "compared the situation to China-Taiwan tensions", "visited the Oslo
    // office": names right before a common noun modify it; the noun phrase,
    // not the names, is the verb's argument.
    if modifies_noun(ctx, last) {
        out.clear();
    }
    out
}

/// Whether the name mention stands before a common noun it modifies,
/// possibly with more names joined by hyphens ("Oslo office", "China-Taiwan
/// tensions"): then the noun phrase, not the name, is an argument.
fn modifies_noun(ctx: &Ctx, m: &Mention) -> bool {
    let doc = ctx.doc;
    let end = doc.sentences.get(m.sentence).map_or(0, |x| x.tokens.end);
    let mut k = m.tokens.end;
    while k < end && (matches!(doc.token_text(k), "-" | "–") || doc.upos(k) == "PROPN") {
        k += 1;
    }
    if k >= end || doc.upos(k) != "NOUN" || !doc.token_text(k).chars().next().is_some_and(char::is_lowercase) {
        return false;
    }
    // "China-Taiwan tensions": names joined by a hyphen before a noun are
    // its modifier, whatever a greedy parse made of them.
    let hyphenated = (m.tokens.start.saturating_sub(1)..k).any(|t| matches!(doc.token_text(t), "-" | "–"));
    if hyphenated {
        return true;
    }
    if doc.sentence_parsed(m.sentence) {
        // The parse decides: a name in the run depends on the noun.
        (m.tokens.start..k).any(|t| doc.head(t) == Some(k))
    } else {
        // "met Putin yesterday": a time noun after a name modifies the verb.
        ctx.lex.noun_classes.get(doc.token_text(k)) != Some(&NounClass::Time)
    }
}

/// "… as the venue" after the objects: the role the object is given.
fn as_complement(ctx: &Ctx, after: usize, end: usize) -> Option<String> {
    if after >= end || ctx.low(after) != "as" {
        return None;
    }
    let mut k = after + 1;
    let mut words = vec!["as".to_string()];
    if k < end && ["the", "a", "an", "their", "its", "his", "her", "our"].contains(&ctx.low(k)) {
        words.push(ctx.doc.token_text(k).to_string());
        k += 1;
    }
    let noun = (k < end)
        .then(|| ctx.doc.token_text(k))
        .filter(|w| w.chars().all(char::is_lowercase))?;
    words.push(noun.to_string());
    Some(words.join(" "))
}

fn event_noun_relations(
    ctx: &Ctx,
    s: usize,
    lex: &Lexicon,
    dates: &[super::dates::TimeExpression],
    out: &mut Vec<Relation>,
) {
    let sentence = &ctx.doc.sentences[s];
    let mentions = ctx.sentence_mentions(s);
    for i in sentence.tokens.clone() {
        if ctx.quoted(ctx.doc.tokens[i].start) {
            continue;
        }
        let Some(property) = lex.event_nouns.get(ctx.low(i)) else {
            continue;
        };
        let Some(next) = (i + 1 < sentence.tokens.end).then(|| ctx.low(i + 1)) else {
            continue;
        };
        let clause = ctx.clause(s, i);
        let (subject, object) = match next {
            "between" => {
                let mut after = mentions
                    .iter()
                    .filter(|m| m.tokens.start >= i + 2 && m.tokens.end <= clause.end);
                let (Some(a), Some(b)) = (after.next(), after.next()) else {
                    continue;
                };
                let gap: Vec<&str> = (a.tokens.end..b.tokens.start).map(|k| ctx.low(k)).collect();
                if a.tokens.start != i + 2 || gap != ["and"] {
                    continue;
                }
                (*a, *b)
            }
            "with" => {
                let Some(b) = mentions
                    .iter()
                    .find(|m| m.tokens.start == i + 2 && m.tokens.end <= clause.end)
                else {
                    continue;
                };
                let Some(a) = find_subject(ctx, &mentions, clause.clone(), i) else {
                    continue;
                };
                (a, *b)
            }
            _ => continue,
        };
        if subject.entity == object.entity {
            continue;
        }
        let phrase = format!("{} {}", ctx.doc.token_text(i), ctx.doc.token_text(i + 1));
        // "will host talks with X", "plans to hold talks with X": the event is
        // future or intended, so it is described, not asserted.
        let (modality, negated) = modality_and_negation(ctx, clause.start, i, 8);
        out.push(Relation {
            modality,
            negated,
            attributed_to: None,
            arguments: Some((subject.span, object.span)),
            event_class: None,
            subject: subject.entity,
            predicate: Predicate::Ontology(property.clone()),
            object: RelationObject::Entity(object.entity),
            phrase: phrase.clone(),
            confidence: if next == "between" { 0.7 } else { 0.5 },
            sentence: s,
            evidence: ctx.evidence(s),
            extractor: EVENT_NOUN,
        });
        // A named event ("the Alaska Summit between A and B"): an n-ary event
        // node with its participants, the date of its sentence and its place.
        let named_event = mentions
            .iter()
            .find(|m| m.tokens.contains(&i) && ctx.entities[m.entity].entity_type == EntityType::Event);
        if let Some(event) = named_event {
            event_roles(
                ctx,
                s,
                event.entity,
                [subject.entity, object.entity],
                &phrase,
                lex,
                dates,
                out,
            );
        }
    }
}

/// Participants, date and place of a named event mentioned in sentence `s`.
/// The place is a place mention after "in"/"at" in the same sentence, or in
/// the next one when it refers back to the event ("… in Anchorage, the
/// meeting was …").
#[allow(clippy::too_many_arguments)]
fn event_roles(
    ctx: &Ctx,
    s: usize,
    event: usize,
    participants: [usize; 2],
    phrase: &str,
    lex: &Lexicon,
    dates: &[super::dates::TimeExpression],
    out: &mut Vec<Relation>,
) {
    let relation = |predicate: &str, object: RelationObject, sentence: usize, confidence: f32| Relation {
        modality: None,
        negated: false,
        attributed_to: None,
        arguments: None,
        event_class: None,
        subject: event,
        predicate: Predicate::Ontology(predicate.to_string()),
        object,
        phrase: phrase.to_string(),
        confidence,
        sentence,
        evidence: ctx.evidence(sentence),
        extractor: EVENT_NOUN,
    };
    for p in participants {
        out.push(relation("participant", RelationObject::Entity(p), s, 0.7));
    }
    if let Some(value) = dates.iter().find(|d| d.sentence == s).and_then(|d| d.value.clone()) {
        out.push(relation("date", RelationObject::Date(value), s, 0.6));
    }
    let refers_back = |t: usize| {
        let sentence = &ctx.doc.sentences[t];
        sentence
            .tokens
            .clone()
            .any(|k| k > sentence.tokens.start && ctx.low(k - 1) == "the" && lex.event_nouns.contains_key(ctx.low(k)))
    };
    let candidates = std::iter::once((s, 0.6))
        .chain((s + 1 < ctx.doc.sentences.len() && refers_back(s + 1)).then_some((s + 1, 0.5)));
    for (t, confidence) in candidates {
        let place = ctx.sentence_mentions(t).into_iter().find(|m| {
            m.tokens.start > 0
                && matches!(ctx.low(m.tokens.start - 1), "in" | "at")
                && ctx.entities[m.entity].entity_type.coarse() == EntityType::Place
        });
        if let Some(place) = place {
            out.push(relation(
                "location",
                RelationObject::Entity(place.entity),
                t,
                confidence,
            ));
            break;
        }
    }
}

/// Finds quotations: “…”, ‘…’ and "…" pairs that do not cross a line break.
pub fn find_quotes(text: &str) -> Vec<Quote> {
    const MAX_QUOTE_BYTES: usize = 4000;
    let mut out = Vec::new();
    let mut open: Option<(usize, char)> = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next = chars.get(k + 1).map(|&(_, c)| c);
        let prev = k.checked_sub(1).and_then(|p| chars.get(p)).map(|&(_, c)| c);
        if c == '\n' {
            open = None;
            continue;
        }
        match (open, c) {
            (None, '“') => open = Some((i, '”')),
            (None, '‘') if !prev.is_some_and(char::is_alphanumeric) => open = Some((i, '’')),
            (None, '"') if !prev.is_some_and(char::is_alphanumeric) => open = Some((i, '"')),
            (Some((start, close)), c) if c == close => {
                // ’ inside a word is an apostrophe ("didn’t"), not a closing quote.
                if c == '’' && next.is_some_and(char::is_alphanumeric) {
                    continue;
                }
                let inner = Span::new(start + text[start..].chars().next().map_or(1, char::len_utf8), i);
                let outer = Span::new(start, i + c.len_utf8());
                if outer.len() <= MAX_QUOTE_BYTES && !inner.slice(text).trim().is_empty() {
                    out.push(Quote { outer, inner });
                }
                open = None;
            }
            (Some(_), '“') => open = Some((i, '”')),
            _ => {}
        }
    }
    out
}

fn quote_relations(ctx: &Ctx, lex: &Lexicon, out: &mut Vec<Relation>) {
    let doc = ctx.doc;
    for q in ctx.quotes {
        let (Some(first_tok), Some(last_tok)) = (
            Some(doc.tokens.partition_point(|t| t.start < q.outer.start)).filter(|&k| k < doc.tokens.len()),
            doc.tokens.partition_point(|t| t.end <= q.outer.end).checked_sub(1),
        ) else {
            continue;
        };
        let (Some(sa), Some(sb)) = (
            doc.sentence_at(q.outer.start),
            doc.sentence_at(q.outer.end.saturating_sub(1)),
        ) else {
            continue;
        };
        let speaker = speaker_after(ctx, lex, sb, last_tok)
            .map(|(m, v, c)| (m, v, c, sb))
            .or_else(|| speaker_before(ctx, lex, sa, first_tok).map(|(m, v, c)| (m, v, c, sa)));
        let Some((mention, verb, confidence, speaker_sentence)) = speaker else {
            continue;
        };
        let text = q.inner.slice(&doc.text).trim();
        let text = text.trim_end_matches([',']).trim();
        if text.is_empty() {
            continue;
        }
        let first = sa.min(speaker_sentence);
        let last = sb.max(speaker_sentence);
        out.push(Relation {
            modality: None,
            negated: false,
            attributed_to: None,
            arguments: None,
            event_class: None,
            subject: mention.entity,
            predicate: Predicate::Ontology("says".to_string()),
            object: RelationObject::Literal(text.to_string()),
            phrase: verb,
            confidence,
            sentence: first,
            evidence: doc.sentences[first].span.cover(doc.sentences[last].span),
            extractor: QUOTE,
        });
    }
}

/// "“…,” Trump said" / "“…,” said Trump".
fn speaker_after<'a>(ctx: &Ctx<'a>, lex: &Lexicon, s: usize, last_tok: usize) -> Option<(&'a Mention, String, f32)> {
    let sentence = &ctx.doc.sentences[s];
    let mentions: Vec<&'a Mention> = ctx.sentence_mentions(s);
    let mut k = last_tok + 1;
    while k < sentence.tokens.end && matches!(ctx.doc.token_text(k), "," | "." | "!" | "?") {
        k += 1;
    }
    if k >= sentence.tokens.end {
        return None;
    }
    let speech = |k: usize| k < sentence.tokens.end && lex.verb(ctx.low(k)).is_some_and(|v| v.kind == VerbKind::Speech);
    let mention_at = |k: usize| {
        mentions
            .iter()
            .find(|m| m.tokens.start == k && ctx.is_actor(m))
            .copied()
    };
    if let Some(m) = mention_at(k) {
        let v = m.tokens.end;
        if speech(v) {
            return Some((m, ctx.doc.token_text(v).to_string(), 0.8));
        }
    }
    if speech(k)
        && let Some(m) = mention_at(k + 1)
    {
        return Some((m, ctx.doc.token_text(k).to_string(), 0.8));
    }
    None
}

/// "Trump remarked, “…”", "He said: “…”", "Putin: ‘…’", "…, stressing, “…”".
fn speaker_before<'a>(ctx: &Ctx<'a>, lex: &Lexicon, s: usize, first_tok: usize) -> Option<(&'a Mention, String, f32)> {
    let sentence = &ctx.doc.sentences[s];
    let mentions: Vec<&'a Mention> = ctx.sentence_mentions(s);
    if first_tok <= sentence.tokens.start {
        return None;
    }
    let mut k = first_tok - 1;
    let punct = ctx.doc.token_text(k);
    if !matches!(punct, "," | ":") {
        return None;
    }
    // Headline style "Putin: ‘…’".
    if punct == ":"
        && let Some(m) = mentions
            .iter()
            .find(|m| m.tokens.end == k && m.tokens.start == sentence.tokens.start && ctx.is_actor(m))
    {
        return Some((m, ":".to_string(), 0.6));
    }
    // The speech verb, possibly followed by its addressee ("told reporters,",
    // "said in a statement," is not covered): up to two lowercase words.
    let is_speech = |k: usize| lex.verb(ctx.low(k)).is_some_and(|v| v.kind == VerbKind::Speech);
    k = (k.saturating_sub(3).max(sentence.tokens.start)..k)
        .rev()
        .find(|&v| is_speech(v))?;
    let between_ok = (k + 1..first_tok - 1).all(|b| {
        let w = ctx.doc.token_text(b);
        w.chars().all(char::is_lowercase) && !PREPOSITIONS.contains(&w)
    });
    if !between_ok {
        return None;
    }
    let verb = ctx.low(k);
    let verb_text = ctx.doc.token_text(k).to_string();
    // "X said, “…”" (allowing one adverb: "X quickly said").
    if let Some(m) = mentions
        .iter()
        .find(|m| (m.tokens.end == k || m.tokens.end + 1 == k) && ctx.is_actor(m))
    {
        return Some((m, verb_text, 0.8));
    }
    // "…, stressing, “…”": the participle's subject is the clause's subject.
    if verb.ends_with("ing") {
        let clause_start = ctx.clause(s, k).start;
        if let Some(m) = find_subject(ctx, &mentions, clause_start..k, k) {
            return Some((m, verb_text, 0.6));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Extractor;

    /// (subject label, predicate, object label or literal) triples.
    fn facts(text: &str) -> Vec<(String, String, String)> {
        let doc = crate::ner::stage::analyze(text.to_string());
        let x = Extractor::default().extract(&doc, None);
        x.relations
            .iter()
            .map(|r| {
                let p = match &r.predicate {
                    Predicate::Ontology(p) | Predicate::Open(p) => p.clone(),
                };
                let o = match &r.object {
                    RelationObject::Entity(e) => x.entities[*e].label.clone(),
                    RelationObject::Literal(l) | RelationObject::Date(l) => l.clone(),
                };
                (x.entities[r.subject].label.clone(), p, o)
            })
            .collect()
    }

    #[test]
    fn future_or_intended_talks_are_not_asserted() {
        let doc = crate::ner::stage::analyze(
            "Oslo will host the next round of Arctic talks with Norway. \
             Chancellor Anna Keller plans to hold talks with Tom Berg. \
             The meeting between Keller and Berg was short."
                .to_string(),
        );
        let x = Extractor::default().extract(&doc, None);
        let nouns: Vec<(&str, Option<&str>)> = x
            .relations
            .iter()
            .filter(|r| r.extractor == EVENT_NOUN)
            .map(|r| (r.phrase.as_str(), r.modality.as_deref()))
            .collect();
        assert!(nouns.contains(&("meeting between", None)), "{nouns:?}");
        assert!(
            nouns
                .iter()
                .filter(|(p, _)| *p == "talks with")
                .all(|(_, m)| m.is_some()),
            "{nouns:?}"
        );
    }

    #[test]
    fn a_name_modifying_a_noun_is_no_object() {
        let f = facts("Nora Lund compared the dispute to Oslo-Bergen rivalries on Monday.");
        assert!(!f.iter().any(|(_, p, _)| p == "compares"), "{f:?}");
        let f = facts("Nora Lund compared Oslo to Bergen on Monday.");
        assert!(f.iter().any(|(_, p, _)| p == "compares"), "{f:?}");
        let f = facts("Nora Lund met Tom Berg yesterday in Oslo.");
        assert!(f.iter().any(|(_, p, o)| p == "meets" && o == "Tom Berg"), "{f:?}");
    }

    #[test]
    fn a_bare_title_is_no_participant() {
        let f = facts("The Tsar received Patrick Gordon in Moscow in 1686.");
        assert!(!f.iter().any(|(s, _, _)| s == "Tsar"), "{f:?}");
    }

    #[test]
    fn an_idiom_before_the_preposition_names_no_open_relation() {
        for text in [
            "Tom Varga fell in love with Ilse Brandt in 1950.",
            "In 1990 Ilse Brandt gave birth to Nora Brandt in Oslo.",
        ] {
            let f = facts(text);
            assert!(
                !f.iter().any(|(_, p, _)| p == "fall with" || p == "give to"),
                "{text}: {f:?}"
            );
        }
        // A plain object before the preposition keeps the relation.
        let f = facts("Ada Quill studied art at Yale University.");
        assert!(
            f.contains(&("Ada Quill".into(), "educatedAt".into(), "Yale University".into())),
            "{f:?}"
        );
        let f = facts("Ada Quill met Tom Varga after a lecture at Yale University.");
        assert!(!f.iter().any(|(_, p, _)| p.contains(" at")), "{f:?}");
    }

    #[test]
    fn a_participle_naming_a_group_is_no_act_of_the_name_before_it() {
        for text in [
            "Ana Ruiz joined a unit of Fenwick called the Blue Unit in 2009.",
            "Ana Ruiz left the elite group within Fenwick called the Blue Unit.",
        ] {
            let f = facts(text);
            assert!(!f.iter().any(|(_, p, _)| p == "calls" || p == "call"), "{text}: {f:?}");
        }
    }

    #[test]
    fn an_infinitive_is_not_asserted_as_fact() {
        let doc = crate::ner::stage::analyze(
            "Prime Minister Ingrid Halvorsen is expected to visit Halifax in the autumn.".to_string(),
        );
        let x = Extractor::default().extract(&doc, None);
        let visit = x
            .relations
            .iter()
            .find(|r| r.predicate == Predicate::Ontology("visits".to_string()))
            .expect("visits relation");
        assert_eq!(visit.modality.as_deref(), Some("to"));
        assert!(!visit.is_asserted());
    }

    #[test]
    fn relations_carry_the_event_class_of_their_predicate() {
        let doc = crate::ner::stage::analyze(
            "Chancellor Anna Keller denounced Prime Minister Tom Berg on Monday. \
             Keller met Berg in Oslo. Keller worked for Acme Corp."
                .to_string(),
        );
        let x = Extractor::default().extract(&doc, None);
        let class = |p: &str| {
            let r = x.relations.iter().find(|r| match &r.predicate {
                Predicate::Ontology(q) | Predicate::Open(q) => q == p,
            });
            r.map(|r| r.event_class.map(|c| c.code.as_str()))
        };
        assert_eq!(
            class("denounce"),
            Some(Some("11")),
            "open verb → Disapprove: {:?}",
            x.relations
        );
        assert_eq!(class("meets"), Some(Some("04")), "property → Consult");
        assert_eq!(class("worksFor"), Some(None), "a state has no event class");
    }

    fn has(f: &[(String, String, String)], s: &str, p: &str, o: &str) -> bool {
        f.iter().any(|(a, b, c)| a == s && b == p && c == o)
    }

    #[test]
    fn subject_verb_object_with_interruption() {
        let f = facts("Chancellor Olaf Berg, laughing, proposed Vienna as the location.");
        assert!(has(&f, "Olaf Berg", "proposes", "Vienna"), "{f:?}");
    }

    #[test]
    fn teaching_at_an_institution_is_working_for_it() {
        let f = facts("Ada Quill taught at Lumen University for ten years.");
        assert!(has(&f, "Ada Quill", "worksFor", "Lumen University"), "{f:?}");
    }

    #[test]
    fn dying_and_studying_give_biography_relations() {
        let f = facts("Ada Quill studied at Lumen University. She died in Bergen in 1990.");
        assert!(has(&f, "Ada Quill", "educatedAt", "Lumen University"), "{f:?}");
        assert!(has(&f, "Ada Quill", "diedIn", "Bergen"), "{f:?}");
        let f = facts("Tom Brandt graduated from Harlow College. Brandt was educated at Harlow College.");
        assert!(has(&f, "Tom Brandt", "educatedAt", "Harlow College"), "{f:?}");
        // A year or a war is no place of death.
        let f = facts("Tom Brandt died in 1990.");
        assert!(!f.iter().any(|(_, p, _)| p == "diedIn"), "{f:?}");
    }

    #[test]
    fn leading_in_a_statistic_is_no_leadership() {
        let f = facts("Tom Brandt played for the Rice Owls in college. He also led the Owls with 40 goals scored.");
        assert!(!f.iter().any(|(_, p, _)| p == "leads"), "{f:?}");
        let f = facts("Tom Brandt played for the Rice Owls in college. He also led the Owls to a title.");
        assert!(f.iter().any(|(s, p, _)| s == "Tom Brandt" && p == "leads"), "{f:?}");
    }

    #[test]
    fn founding_an_organisation_and_finding_are_told_apart() {
        let f = facts("Ada Quill founded Halvard Energy in 1999.");
        assert!(has(&f, "Ada Quill", "founded", "Halvard Energy"), "{f:?}");
        let f = facts("Halvard Energy was founded by Ada Quill in 1999.");
        assert!(has(&f, "Ada Quill", "founded", "Halvard Energy"), "{f:?}");
        // "found", the past of "find", is no founding.
        let f = facts("Tom Brandt found the Lowell Hawks in a motel.");
        assert!(!f.iter().any(|(_, p, _)| p == "founded"), "{f:?}");
    }

    #[test]
    fn a_degree_names_the_school() {
        let f = facts("Nora Vance obtained her doctorate from the University of Tarrant.");
        assert!(has(&f, "Nora Vance", "educatedAt", "University of Tarrant"), "{f:?}");
        let f = facts("Ivo Marek earned his master's degree at Corwin University.");
        assert!(has(&f, "Ivo Marek", "educatedAt", "Corwin University"), "{f:?}");
        // Not a degree: a prize from an organisation says nothing of schooling.
        let f = facts("Ivo Marek received a prize from Corwin University.");
        assert!(!f.iter().any(|(_, p, _)| p == "educatedAt"), "{f:?}");
    }

    #[test]
    fn a_verb_reads_the_row_of_its_preposition_or_an_open_relation() {
        // "meet with" is a row of its own; "speak with" has none (only "speak to").
        let f = facts("Ada Quill met with Tom Brandt. Ada Quill spoke with Lena Ortiz.");
        assert!(has(&f, "Ada Quill", "meets", "Tom Brandt"), "{f:?}");
        assert!(has(&f, "Ada Quill", "speak with", "Lena Ortiz"), "{f:?}");
        // A place after "study at" is no school: the open relation, not educatedAt.
        let f = facts("Ada Quill studied at Oslo.");
        assert!(!f.iter().any(|(_, p, _)| p == "educatedAt"), "{f:?}");
    }

    #[test]
    fn coordinated_objects_each_get_a_relation() {
        let f = facts("Governor Ana Ruiz thanked Canada and Mexico on Monday.");
        assert!(has(&f, "Ana Ruiz", "thanks", "Canada"), "{f:?}");
        assert!(has(&f, "Ana Ruiz", "thanks", "Mexico"), "{f:?}");
    }

    #[test]
    fn foreign_preposition_blocks_object() {
        let f = facts("Mayor Ian Cole praised the war effort in France.");
        assert!(!f.iter().any(|(_, p, _)| p == "praises"), "{f:?}");
    }

    #[test]
    fn nouns_are_not_verbs_and_objects_are_not_later_subjects() {
        let f = facts("Mayor Ian Cole thanked Senator Ana Ruiz for the visit and praised Canada.");
        assert!(has(&f, "Ian Cole", "thanks", "Ana Ruiz"), "{f:?}");
        assert!(has(&f, "Ian Cole", "praises", "Canada"), "{f:?}");
        assert!(!f.iter().any(|(_, p, _)| p == "visits"), "{f:?}");
        assert!(!has(&f, "Ana Ruiz", "praises", "Canada"), "{f:?}");
    }

    #[test]
    fn event_noun_between_gives_meeting() {
        let f = facts("The summit between President Ana Ruiz and Prime Minister Ken Sato ended.");
        assert!(has(&f, "Ana Ruiz", "meets", "Ken Sato"), "{f:?}");
    }

    #[test]
    fn named_event_gets_participants_date_and_place() {
        let f = facts(
            "The Lima Summit between President Ana Ruiz and Prime Minister Ken Sato ended on March 3, 2026. \
             Held in Lima, the summit was short.",
        );
        for (p, o) in [
            ("participant", "Ana Ruiz"),
            ("participant", "Ken Sato"),
            ("date", "2026-03-03"),
            ("location", "Lima"),
        ] {
            assert!(has(&f, "Lima Summit", p, o), "{p} {o}: {f:?}");
        }
    }

    #[test]
    fn quotes_get_speakers_before_and_after() {
        let f = facts("“We will rebuild the bridge,” Mayor Ian Cole said. Later Cole added, “It takes time.”");
        assert!(has(&f, "Ian Cole", "says", "We will rebuild the bridge"), "{f:?}");
        assert!(has(&f, "Ian Cole", "says", "It takes time."), "{f:?}");
    }

    #[test]
    fn speech_verb_with_addressee_before_quote() {
        let f = facts("Mayor Ian Cole told reporters, “The bridge opens in May.”");
        assert!(has(&f, "Ian Cole", "says", "The bridge opens in May."), "{f:?}");
        let f = facts("Mayor Ian Cole spoke in Oslo, “The bridge opens in May.”");
        assert!(
            !f.iter().any(|(_, p, _)| p == "says"),
            "a preposition between verb and quote: {f:?}"
        );
    }

    #[test]
    fn postposed_reporting_clauses_attribute_the_claim() {
        // (sentence text, expected speaker of the one visit/meet relation).
        let cases = [
            (
                "Chancellor Anna Keller will visit Oslo next week, Tom Brandt said on Monday.",
                Some("Tom Brandt"),
            ),
            ("Anna Keller visited Oslo, said Tom Brandt.", Some("Tom Brandt")),
            (
                "Anna Keller will visit Oslo in May, her office said.",
                Some("Anna Keller"),
            ),
            (
                "Anna Keller met Tom Brandt in Oslo, a spokesman for Ivan Petrov said in a statement.",
                Some("Ivan Petrov"),
            ),
            // A speech verb with a clause of its own is not a reporting clause,
            // and its subject is no object of the verb before.
            ("Anna Keller visited Oslo and Ivan Petrov said he was happy.", None),
            (
                "Anna Keller met Tom Brandt in Oslo, and Ivan Petrov said he was happy.",
                None,
            ),
        ];
        for (text, speaker) in cases {
            // Analysed as the pipeline does (greedy, relational sentences only).
            let doc = crate::ner::stage::analyze_for_extraction(text.to_string());
            let x = Extractor::default().extract(&doc, None);
            let label = |e: usize| x.entities[e].label.as_str();
            let claims: Vec<_> = x
                .relations
                .iter()
                .filter(|r| matches!(&r.predicate, Predicate::Ontology(p) if p == "visits" || p == "meets"))
                .collect();
            assert!(!claims.is_empty(), "{text}: {:?}", x.relations);
            for r in claims {
                assert_eq!(r.attributed_to.map(label), speaker, "{text}");
                // "…, Tom Brandt said": the speaker is no coordinated object.
                let RelationObject::Entity(o) = r.object else {
                    panic!("{text}: {r:?}")
                };
                assert!(speaker != Some(label(o)) && label(o) != "Ivan Petrov", "{text}");
            }
        }
    }

    #[test]
    fn reported_claims_are_attributed_and_speakers_are_not_subjects() {
        let doc = crate::ner::stage::analyze(
            "Mayor Ian Cole said Canada would sanction Peru. Cole said the two would brief NATO.".to_string(),
        );
        let x = Extractor::default().extract(&doc, None);
        let label = |e: usize| x.entities[e].label.as_str();
        let sanction = x
            .relations
            .iter()
            .find(|r| r.predicate == Predicate::Ontology("sanctions".into()))
            .unwrap();
        assert_eq!(label(sanction.subject), "Canada");
        assert_eq!(sanction.attributed_to.map(label), Some("Ian Cole"));
        assert!(
            !x.relations
                .iter()
                .any(|r| r.predicate == Predicate::Ontology("briefs".into())),
            "{:?}",
            x.relations
        );
    }

    #[test]
    fn modality_and_negation_are_flagged() {
        let doc = crate::ner::stage::analyze(
            "Mayor Ian Cole did not thank Canada. Senator Ana Ruiz would visit Peru. Governor Bo Lind praised Chile."
                .to_string(),
        );
        let x = Extractor::default().extract(&doc, None);
        let by = |p: &str| {
            x.relations
                .iter()
                .find(|r| r.predicate == Predicate::Ontology(p.into()))
                .unwrap()
        };
        assert!(by("thanks").negated);
        assert_eq!(by("visits").modality.as_deref(), Some("would"));
        assert!(!by("praises").negated && by("praises").modality.is_none());
    }

    #[test]
    fn no_facts_from_inside_quotes() {
        let f = facts("Senator Bo Lind said, “Canada thanked Mexico.”");
        assert!(!has(&f, "Canada", "thanks", "Mexico"), "{f:?}");
    }

    #[test]
    fn quote_finder_skips_apostrophes() {
        let q = find_quotes("He said ‘we didn’t go’ today");
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].inner.slice("He said ‘we didn’t go’ today"), "we didn’t go");
    }

    #[test]
    fn nested_mentions_agree_with_the_pairwise_definition() {
        // Every set of up to three ranges over five tokens, and every query range.
        let all: Vec<std::ops::Range<usize>> = (0..5).flat_map(|s| (s..=5).map(move |e| s..e)).collect();
        let naive = |set: &[std::ops::Range<usize>], m: &std::ops::Range<usize>| {
            set.iter()
                .any(|o| o.len() > m.len() && o.start <= m.start && m.end <= o.end)
        };
        for a in &all {
            for b in &all {
                for c in &all {
                    let set = [a.clone(), b.clone(), c.clone()];
                    let nested = NestedMentions::new(set.iter().cloned());
                    for m in &all {
                        assert_eq!(nested.contains(m), naive(&set, m), "{set:?} ∋ {m:?}");
                    }
                }
            }
        }
    }
}

//! Typed relations read from noun phrases and punctuation (`nominal-pattern`).
//!
//! News text states who works where, who lives where and where places lie
//! mostly without verbs: in appositions, titles and datelines. These rules read
//! such constructions from the token sequence and the resolved mentions of one
//! sentence. Entity typing from the rule-based mention finder is weak (an
//! unknown single word is a `Thing`, "Morgan City" may be guessed a person), so
//! the rules lean on position and punctuation and use types mainly to decide
//! between readings (organisation → `worksFor`, place → `livesIn`).
//!
//! Patterns and confidences (heuristic scores, not calibrated):
//! - Apposition and copula after a person X:
//!   - "X, 50, of P" → X `livesIn` P (0.75); "X of P", "X, of P" → X `livesIn`
//!     P (0.6); with an organisation instead of a place → X `worksFor` O (0.6);
//!     a following ", STATE" adds X `livesIn` STATE (0.1 less);
//!   - "X, a spokesman for|of|at|with O" (a post or profession noun among up to
//!     six lowercase words) → X `worksFor` O (0.7); "X is the president of O",
//!     "X, 58, was comptroller at O" (0.65); a coordinated "… and a member of
//!     O2" → X `worksFor` O2 (0.1 less);
//!   - "X, a native|resident of P" (0.7), "X, a Republican from P" (0.6) → X `livesIn` P;
//!     "X, a lawyer in P", "X, one of the top strategists in P" (0.55);
//!   - an unknown one-word name ("Barrett is a member of O") only through a
//!     post noun and of|for|at|with → `worksFor`;
//!   - "X, an O employee", "X, a senior O official" → X `worksFor` O (0.6);
//!     "X, the P attorney" → X `livesIn` P (0.55);
//!   - "X, O's spokesman" → X `worksFor` O (0.65); "X at O" → X `worksFor` O (0.55).
//! - Premodifier of a person: "O spokesman X", "former O commander X" (a post
//!   noun or a title) → X `worksFor` O (0.7; 0.55 when O's type is unknown);
//!   a place or nationality there ("Illinois Gov. X", "Soviet historian X") →
//!   X `livesIn` P (0.6; 0.5 for an unknown name before a profession noun);
//!   the same after a possessive ("China's Premier X", "Acme's chairman X").
//! - "X's [lowercase words] O", a person's organisation → X `worksFor` O (0.5).
//! - Homes: "X's P home" (0.6), "X died at his home in P" (0.55, the owner
//!   is the clause subject in the parse) → X `livesIn` P.
//! - Birthplace: "X was born [on DATE,] in|at P[, STATE]", "X, born in P" → X
//!   `bornIn` P (0.75), the subject read from the parse; the place argument
//!   spans "P, STATE" as one place expression. "P-born \[actor\] X" (0.65).
//! - Killers → X `kills` Y: "X, the assassin of Y" (0.75), "Y assassin X" /
//!   "Y's assassin, X" (0.7), "the assassination|murder of Y by X" (0.75),
//!   "X, convicted of murdering Y" / "suspected of the assassination of Y" /
//!   "convicted of Y's killing" (0.6), "X in the assassination of Y" (0.5).
//!   A killer noun or killing makes an unknown-type name a person here.
//! - Places: "A, STATE" where STATE is a state, country or state abbreviation
//!   → A `locatedIn` STATE (0.7); "A, in B[, STATE]" and "A in B" → A
//!   `locatedIn` B (0.55, 0.5 for the state); an organisation there, or in
//!   "O of P", → `basedIn` (0.55).
//! - Organisations: datelines "CITY[, STATE] … (ORG)" at a sentence start →
//!   ORG `basedIn` CITY and STATE (0.8), CITY `locatedIn` STATE (0.75);
//!   "P-based O" (0.75); "P's O" (0.55); "O, a P firm" (0.6); "P O" (a place
//!   name directly before an organisation name, 0.55); "O headquarters in
//!   P[, STATE]" (0.7, 0.65 for the state); media source lines "\[CODE\] CITY
//!   MEDIUM in LANGUAGE 1700 GMT …" and "CITY MEDIUM-IN-CAPITALS" (0.7).
//! - Places inside places: "P's Q" (0.6), "P's capital, Q" and "Q, the
//!   capital of P" (0.65) → Q `locatedIn` P; "A in \[the\] eastern P" and "A
//!   in the southern part of P" count as "A in P".
//!
//! Argument spans: people are named by the bare name ([`Mention::span`]),
//! except victims of killings, which keep their title ([`Mention::full_span`],
//! "President Lincoln"): on CoNLL04 dev this is what matches victims, while
//! employees and residents match without their title. Organisations keep a
//! capitalised "The" that precedes them mid-sentence ("The Associated Press").
//! A state abbreviation whose period the tokenizer split off ("Minn .")
//! keeps the period.

use super::{Entity, EntityType, Mention, MentionKind, Predicate, Relation, RelationObject};
use crate::document::Document;
use crate::document::Span;
use crate::lexicon::{GazetteerClass, Lexicon, NameHead};

mod kinship;

/// Extractor id of the nominal patterns.
pub const NOMINAL_PATTERN: &str = "nominal-pattern";

/// Nouns naming a post in an organisation.
const ORG_ROLES: &[&str] = &[
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "president",
    "chairman",
    "chairwoman",
    "chair",
    "director",
    "executive",
    "chief",
    "head",
    "leader",
    "member",
    "official",
    "officer",
    "secretary",
    "editor",
    "correspondent",
    "reporter",
    "manager",
    "founder",
    "employee",
    "commander",
    "adviser",
    "advisor",
    "aide",
    "vice",
    "columnist",
    "owner",
    "partner",
    "coach",
    "player",
    "representative",
    "agent",
    "publisher",
    "producer",
    "dean",
    "treasurer",
    "administrator",
    "counsel",
    "strategist",
    "placekicker",
    "quarterback",
    "pitcher",
    "captain",
    "deputy",
    "staff",
    "staffer",
    "vice-president",
    "commissioner",
    "superintendent",
    "operator",
    "organizer",
    "comptroller",
    "general",
    "colonel",
    "sergeant",
    "lieutenant",
    "major",
    "minister",
    "ambassador",
    "envoy",
];
/// Nouns naming a profession, not a post: before a person they follow a
/// place adjective more often than an employer ("Soviet historian X").
const PROFESSIONS: &[&str] = &[
    "analyst",
    "economist",
    "professor",
    "lawyer",
    "attorney",
    "researcher",
    "scientist",
    "engineer",
    "worker",
    "writer",
    "historian",
    "specialist",
    "physician",
    "doctor",
    "teacher",
    "student",
    "chemist",
    "physicist",
    "astronaut",
    "pilot",
    "activist",
    "businessman",
    "businesswoman",
    "pianist",
    "composer",
    "actor",
    "actress",
    "author",
    "poet",
    "painter",
    "architect",
    "banker",
    "broker",
    "trader",
    "consultant",
    "farmer",
    "diver",
    "prosecutor",
    "journalist",
    "novelist",
    "artist",
    "singer",
    "musician",
    "industrialist",
    "diplomat",
    "geologist",
    "biologist",
    "mathematician",
    "philosopher",
    "astronomer",
    "psychologist",
    "sociologist",
    "archaeologist",
    "surgeon",
    "nurse",
    "photographer",
    "filmmaker",
    "playwright",
    "sculptor",
    "violinist",
    "cellist",
    "guitarist",
    "entrepreneur",
    "inventor",
    "explorer",
];
/// Nouns naming where someone comes from.
const ORIGIN_NOUNS: &[&str] = &["native", "resident", "citizen", "son", "daughter", "inhabitant"];
/// A US state's abbreviation or short name as written after a city ("Conn.", "Ohio").
pub(crate) fn is_state_abbreviation(token: &str) -> bool {
    STATE_ABBREVIATIONS.contains(&token)
}

/// A profession noun ("composer", "geologist"), lowercase.
pub(crate) fn is_profession(word: &str) -> bool {
    PROFESSIONS.contains(&word)
}

/// A post or profession noun ("spokesman", "composer"), lowercase.
pub(crate) fn is_role_noun(word: &str) -> bool {
    ORG_ROLES.contains(&word) || PROFESSIONS.contains(&word)
}

/// Nouns naming a settlement or an administrative area.
const PLACE_NOUNS: &[&str] = &[
    "city", "capital", "town", "village", "port", "province", "region", "state", "county", "district", "suburb",
];

/// Nouns naming a killer.
const KILLER_NOUNS: &[&str] = &["assassin", "killer", "murderer", "slayer", "assassins", "killers"];
/// Nouns naming a killing.
const KILLING_NOUNS: &[&str] = &["assassination", "murder", "killing", "slaying", "shooting"];
/// Postal-era (AP style) and common abbreviations of US states, as tokens.
const STATE_ABBREVIATIONS: &[&str] = &[
    "Ala.", "Ariz.", "Ark.", "Calif.", "Colo.", "Conn.", "Del.", "D.C.", "Fla.", "Ga.", "Ill.", "Ind.", "Kan.", "Ky.",
    "La.", "Md.", "Mass.", "Mich.", "Minn.", "Miss.", "Mo.", "Mont.", "Neb.", "Nev.", "N.H.", "N.J.", "N.M.", "N.Y.",
    "N.C.", "N.D.", "Okla.", "Ore.", "Pa.", "R.I.", "S.C.", "S.D.", "Tenn.", "Vt.", "Va.", "Wash.", "W.Va.", "Wis.",
    "Wyo.", "Alaska", "Hawaii", "Idaho", "Iowa", "Maine", "Ohio", "Texas", "Utah",
];
/// Words that may stand between a comma and a role noun ("a former senior …").
const APPOSITION_FILLERS: &[&str] = &[
    "a", "an", "the", "and", "another", "former", "senior", "chief", "retired", "top",
];
/// Capitalised party words that may stand in an apposition ("X, a Republican from P").
const PARTY_WORDS: &[&str] = &[
    "Republican",
    "Democrat",
    "Democratic",
    "Conservative",
    "Labour",
    "Liberal",
    "Socialist",
    "Communist",
    "Green",
];

/// Maximum words between an apposition's comma and its preposition.
const MAX_APPOSITION_WORDS: usize = 6;

/// Extracts nominal-pattern relations from every sentence of a document.
pub fn extract(doc: &Document, entities: &[Entity], mentions: &[Mention], lex: &Lexicon) -> Vec<Relation> {
    let ctx = Ctx::new(doc, entities, mentions, lex);
    let mut out = Vec::new();
    for s in 0..doc.sentences.len() {
        let ms = ctx.names(s);
        apposition(&ctx, s, &ms, &mut out);
        premodifier(&ctx, s, &ms, &mut out);
        person_possessive(&ctx, s, &ms, &mut out);
        homes(&ctx, s, &ms, &mut out);
        killers(&ctx, s, &ms, &mut out);
        born(&ctx, s, &ms, &mut out);
        born_before(&ctx, s, &ms, &mut out);
        places(&ctx, s, &ms, &mut out);
        place_possessives(&ctx, s, &ms, &mut out);
        organisations(&ctx, s, &ms, &mut out);
        kinship::kinship(&ctx, s, &mut out);
    }
    out
}

/// How a person argument is written in the relation: bare name or with title.
#[derive(Clone, Copy)]
enum Arg {
    /// The bare name.
    Name,
    /// The name with its title.
    Full,
    /// An organisation's name with a capitalised "The" before it ("The Associated Press").
    Org,
}

struct Ctx<'a> {
    doc: &'a Document,
    entities: &'a [Entity],
    mentions: &'a [Mention],
    lex: &'a Lexicon,
    lower: Vec<String>,
}

impl<'a> Ctx<'a> {
    fn new(doc: &'a Document, entities: &'a [Entity], mentions: &'a [Mention], lex: &'a Lexicon) -> Self {
        let lower = (0..doc.tokens.len())
            .map(|i| doc.token_text(i).to_lowercase())
            .collect();
        Self {
            doc,
            entities,
            mentions,
            lex,
            lower,
        }
    }

    /// Name mentions of sentence `s`, in text order.
    fn names(&self, s: usize) -> Vec<&'a Mention> {
        // Mentions are in text order, so a sentence's mentions are one run.
        let lo = self.mentions.partition_point(|m| m.sentence < s);
        let hi = self.mentions.partition_point(|m| m.sentence <= s);
        self.mentions[lo..hi]
            .iter()
            .filter(|m| m.sentence == s && m.kind == MentionKind::Name)
            .collect()
    }

    fn low(&self, i: usize) -> &str {
        self.lower.get(i).map_or("", String::as_str)
    }

    fn text(&self, i: usize) -> &str {
        self.doc.token_text(i)
    }

    fn sentence_end(&self, s: usize) -> usize {
        self.doc.sentences.get(s).map_or(0, |x| x.tokens.end)
    }

    fn kind(&self, m: &Mention) -> EntityType {
        self.entities.get(m.entity).map_or(EntityType::Thing, |e| e.entity_type)
    }

    /// A person by type, unless an organisation head word says otherwise.
    fn is_person(&self, m: &Mention) -> bool {
        self.kind(m) == EntityType::Person && !self.is_org(m)
    }

    /// An organisation by type, or a name with an organisation head word
    /// anywhere after its first word ("Institute of Contemporary Studies").
    fn is_org(&self, m: &Mention) -> bool {
        self.kind(m) == EntityType::Organization
            || (self.name_start(m) + 1..m.tokens.end).any(|i| {
                let w = self.text(i).trim_end_matches('.');
                self.lex.name_heads.get(w) == Some(&NameHead::Organization)
            })
    }

    /// A nationality or country adjective ("Soviet", "French").
    fn is_demonym(&self, m: &Mention) -> bool {
        let text = self.doc.span_text(m.span);
        // An unknown one-word name with an adjective ending ("Ecuadoran", "Sudanese").
        let adjective = self.kind(m) == EntityType::Thing
            && m.tokens.len() == 1
            && ["an", "ese", "ian", "ish"].iter().any(|e| text.ends_with(e));
        self.kind(m) == EntityType::Group || adjective || self.lex.demonyms.contains_key(text)
    }

    /// A place by type, or a name of unknown type (most unknown single names
    /// in news running text are places).
    fn is_placeish(&self, m: &Mention) -> bool {
        matches!(self.kind(m).coarse(), EntityType::Place | EntityType::Thing)
    }

    fn is_place(&self, m: &Mention) -> bool {
        self.kind(m).coarse() == EntityType::Place
    }

    /// A state, province or country: by gazetteer class or a state abbreviation.
    fn is_region(&self, m: &Mention) -> bool {
        let text = self.doc.span_text(m.span);
        let bare = text.trim_end_matches('.');
        if STATE_ABBREVIATIONS.iter().any(|a| a.trim_end_matches('.') == bare)
            || matches!(self.kind(m), EntityType::Country | EntityType::AdministrativeArea)
        {
            return true;
        }
        self.lex.lookup(text).is_some_and(|es| {
            es.iter()
                .any(|e| matches!(e.class, GazetteerClass::Country | GazetteerClass::AdministrativeArea))
        })
    }

    /// A continent or world region by gazetteer class ("Europe"), or an
    /// unknown name ending in one ("Eastern Europe"; "South Africa" is a
    /// gazetteer country).
    fn is_world_region(&self, m: &Mention) -> bool {
        let text = self.doc.span_text(m.span);
        let region = |t: &str| {
            self.lex
                .lookup(t)
                .map(|es| es.iter().any(|e| e.class == GazetteerClass::Region))
        };
        region(text).unwrap_or_else(|| text.rsplit(' ').next().and_then(region).unwrap_or(false))
    }

    /// Index of the first token of the mention's bare name.
    fn name_start(&self, m: &Mention) -> usize {
        let i = self.doc.tokens.partition_point(|t| t.start < m.span.start);
        i.clamp(m.tokens.start, m.tokens.end.saturating_sub(1).max(m.tokens.start))
    }

    /// True when the mention carries a title ("President Lincoln").
    fn titled(&self, m: &Mention) -> bool {
        m.full_span != m.span
    }

    /// A post or a profession noun, or a title from the role lexicon.
    fn is_role(&self, i: usize) -> bool {
        let w = self.low(i);
        ORG_ROLES.contains(&w) || PROFESSIONS.contains(&w) || self.lex.roles.contains_key(self.text(i))
    }

    /// A public office of the roles lexicon, written in lowercase inside a
    /// phrase ("mayor", "governor", "prime minister": the word alone or with
    /// the next one).
    fn is_office(&self, i: usize) -> bool {
        let title = |w: &str| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        };
        let one = title(self.low(i));
        let two = format!("{one} {}", title(self.low(i + 1)));
        self.lex.roles.contains_key(&one) || self.lex.roles.contains_key(&two)
    }

    /// A post or profession noun in the plural ("one of the strategists").
    fn is_roles(&self, i: usize) -> bool {
        self.low(i)
            .strip_suffix('s')
            .is_some_and(|w| ORG_ROLES.contains(&w) || PROFESSIONS.contains(&w))
    }

    fn is_word(&self, i: usize) -> bool {
        let t = self.text(i);
        !t.is_empty() && t.chars().all(|c| c.is_alphabetic() || c == '-' || c == '.')
    }

    fn is_lower_word(&self, i: usize) -> bool {
        self.is_word(i) && self.text(i).chars().next().is_some_and(char::is_lowercase)
    }

    fn push(&self, out: &mut Vec<Relation>, s: usize, rel: (&Mention, Arg, &str, &Mention, Arg), confidence: f32) {
        let (subject, sa, predicate, object, oa) = rel;
        if subject.entity == object.entity {
            return;
        }
        let (a, b) = (self.span(subject, sa), self.span(object, oa));
        self.push_spans(out, s, (subject.entity, a, predicate, object.entity, b), confidence);
    }

    fn span(&self, m: &Mention, a: Arg) -> Span {
        match a {
            Arg::Name => {
                // "Minn ." : a state abbreviation whose period the tokenizer split off.
                let next = self.doc.tokens.partition_point(|t| t.start < m.span.end);
                let text = self.doc.span_text(m.span);
                let abbreviation = format!("{text}.");
                if !text.ends_with('.')
                    && STATE_ABBREVIATIONS.contains(&abbreviation.as_str())
                    && self.text(next) == "."
                {
                    Span::new(m.span.start, self.doc.tokens[next].end)
                } else {
                    m.span
                }
            }
            Arg::Full => m.full_span,
            Arg::Org => {
                let first = self.name_start(m);
                let sentence_start = self.doc.sentences.get(m.sentence).map_or(0, |x| x.tokens.start);
                if first > sentence_start + 1 && self.text(first - 1) == "The" {
                    Span::new(self.doc.tokens[first - 1].start, m.span.end)
                } else {
                    m.span
                }
            }
        }
    }

    fn push_spans(&self, out: &mut Vec<Relation>, s: usize, rel: (usize, Span, &str, usize, Span), confidence: f32) {
        let (subject, a, predicate, object, b) = rel;
        if subject == object {
            return;
        }
        let first = a.start.min(b.start);
        let last = a.end.max(b.end);
        let Some(sentence) = self.doc.sentences.get(s) else {
            return;
        };
        out.push(Relation {
            subject,
            predicate: Predicate::Ontology(predicate.to_string()),
            object: RelationObject::Entity(object),
            phrase: self.doc.text.get(first..last).unwrap_or("").to_string(),
            confidence,
            sentence: s,
            evidence: sentence.span,
            extractor: NOMINAL_PATTERN,
            modality: None,
            negated: false,
            attributed_to: None,
            arguments: Some((a, b)),
            event_class: None,
        });
    }
}

/// The mention whose full span starts at token `i`.
fn starting_at<'a>(ms: &[&'a Mention], i: usize) -> Option<&'a Mention> {
    ms.iter().copied().find(|m| m.tokens.start == i)
}

/// The mention whose full span ends just before token `i`.
fn ending_at<'a>(ms: &[&'a Mention], i: usize) -> Option<&'a Mention> {
    ms.iter().copied().find(|m| m.tokens.end == i)
}

/// The mention starting at `i`, or after a determiner at `i`.
fn np_at<'a>(ctx: &Ctx, ms: &[&'a Mention], i: usize) -> Option<&'a Mention> {
    starting_at(ms, i).or_else(|| {
        if !matches!(ctx.low(i), "the" | "a" | "an") {
            return None;
        }
        starting_at(ms, i + 1).or_else(|| ctx.is_lower_word(i + 1).then(|| starting_at(ms, i + 2)).flatten())
    })
}

/// Apposition and copula after a person: "X, 50, of P", "X, a spokesman for O",
/// "X is a native of P", "X, O's spokesman".
fn apposition(ctx: &Ctx, s: usize, ms: &[&Mention], out: &mut Vec<Relation>) {
    let end = ctx.sentence_end(s);
    // An unknown one-word name ("Barrett") is read only through a post noun:
    // "Barrett is a member of O", "Barrett, a spokesman for O".
    let unknown = |m: &Mention| ctx.kind(m) == EntityType::Thing && m.tokens.len() == 1 && !ctx.is_org(m);
    for &p in ms.iter().filter(|m| ctx.is_person(m) || unknown(m)) {
        let weak = !ctx.is_person(p);
        let mut k = p.tokens.end;
        let comma = ctx.text(k) == ",";
        // "X of P" directly after the name.
        if weak {
            // Only the post-noun apposition below.
        } else if ctx.low(k) == "of"
            && let Some(q) = np_at(ctx, ms, k + 1)
            && (!ctx.is_person(q) || ctx.is_org(q))
        {
            // "Tom Jones of the Brookings Institution" names an employer; "Gordon
            // of Auchleuchries", "Count of the Holy Roman Empire" are one name
            // or a title, not a residence (issue 14: such livesIn were all wrong).
            // A titled name's place is the post's ("Sen. Ann Lee of Ohio").
            // After a profession ("diver Brian Michaud of Millinocket") the
            // place is the person's home, as news writes it.
            let profession = p
                .tokens
                .start
                .checked_sub(1)
                .is_some_and(|b| ctx.is_lower_word(b) && is_profession(ctx.low(b)));
            if ctx.is_org(q) {
                ctx.push(out, s, (p, Arg::Name, "worksFor", q, Arg::Org), 0.6);
            } else if ctx.titled(p) && ctx.is_placeish(q) {
                ctx.push(out, s, (p, Arg::Name, "holdsPostIn", q, Arg::Name), 0.6);
            } else if profession && ctx.is_placeish(q) {
                of_place_or_org(ctx, s, ms, p, q, 0.7, out);
            }
            continue;
        }
        // "X at O".
        if ctx.low(k) == "at"
            && let Some(q) = np_at(ctx, ms, k + 1)
            && ctx.is_org(q)
        {
            ctx.push(out, s, (p, Arg::Name, "worksFor", q, Arg::Org), 0.55);
            continue;
        }
        // "X, of the O".
        if comma
            && ctx.low(k + 1) == "of"
            && let Some(q) = np_at(ctx, ms, k + 2)
            && (!ctx.is_person(q) || ctx.is_org(q))
        {
            of_place_or_org(ctx, s, ms, p, q, 0.6, out);
            continue;
        }
        let mut copula = matches!(ctx.low(k), "is" | "was" | "became" | "becomes" | "remains" | "remained");
        // "X served as governor of P".
        if matches!(ctx.low(k), "served" | "serves") && ctx.low(k + 1) == "as" {
            copula = true;
            k += 1;
        }
        if !comma && !copula {
            continue;
        }
        k += 1;
        // Age: "X, 50, of …".
        let mut aged = false;
        if comma && !ctx.text(k).is_empty() && ctx.text(k).chars().all(|c| c.is_ascii_digit()) && ctx.text(k + 1) == ","
        {
            aged = true;
            k += 2;
        }
        if aged
            && ctx.low(k) == "of"
            && let Some(q) = np_at(ctx, ms, k + 1)
            && (!ctx.is_person(q) || ctx.is_org(q))
        {
            of_place_or_org(ctx, s, ms, p, q, 0.75, out);
            continue;
        }
        // "X, 58, was comptroller at O".
        let copula = copula || (aged && matches!(ctx.low(k), "is" | "was"));
        if aged && copula {
            k += 1;
        }
        if aged && weak {
            continue;
        }
        // "X, an O employee", "X, a senior O official", "X, the P attorney".
        if comma
            && !weak
            && let Some(q) = modifier_noun(ctx, ms, k)
        {
            let (q, noun) = q;
            if ctx.is_org(q) || (!ctx.is_place(q) && !ctx.is_demonym(q) && ORG_ROLES.contains(&ctx.low(noun))) {
                ctx.push(out, s, (p, Arg::Name, "worksFor", q, Arg::Org), 0.6);
            } else if ctx.is_place(q) || ctx.is_demonym(q) {
                ctx.push(out, s, (p, Arg::Name, "livesIn", q, Arg::Name), 0.55);
            }
            continue;
        }
        // "X, O's spokesman".
        if comma
            && !weak
            && let Some(q) = np_at(ctx, ms, k)
            && matches!(ctx.text(q.tokens.end), "'s" | "’s")
            && (q.tokens.end + 1..(q.tokens.end + 4).min(end)).any(|i| ctx.is_lower_word(i) && ctx.is_role(i))
        {
            let post = (q.tokens.end + 1..(q.tokens.end + 4).min(end)).any(|i| ORG_ROLES.contains(&ctx.low(i)));
            if ctx.is_place(q) && !ctx.is_org(q) {
                ctx.push(out, s, (p, Arg::Name, "livesIn", q, Arg::Name), 0.55);
            } else if !ctx.is_person(q) || ctx.is_org(q) || (post && !ctx.titled(q)) {
                ctx.push(out, s, (p, Arg::Name, "worksFor", q, Arg::Org), 0.65);
            }
            continue;
        }
        // "X, a [former] spokesman for O", "X is a native of P", "X, vice for
        // sales at O": words up to a preposition that a name follows.
        let mut role = false;
        // A post other than membership ("a member of O" is memberOf, not worksFor).
        let mut post = false;
        // A public office of the roles lexicon ("mayor", "governor", "prime minister").
        let mut office = false;
        let mut origin = false;
        let mut j = k;
        let mut found = None;
        while j < end && j < k + MAX_APPOSITION_WORDS + 4 {
            let w = ctx.low(j);
            if matches!(w, "of" | "for" | "at" | "with" | "from" | "in")
                && let Some(q) = np_at(ctx, ms, j + 1)
            {
                found = Some((j, q));
                break;
            }
            let word = ctx.is_lower_word(j)
                || APPOSITION_FILLERS.contains(&w)
                || ctx.text(j).chars().any(|c| c.is_ascii_digit())
                || (ctx.is_role(j) && ctx.is_word(j))
                // "a Republican from P".
                || (j == k + 1 && PARTY_WORDS.contains(&ctx.text(j)));
            if !word || (j >= k + MAX_APPOSITION_WORDS && !role) {
                break;
            }
            let member_word = matches!(w, "member" | "members");
            role |= ctx.is_role(j) || ctx.is_roles(j);
            post |= (ctx.is_role(j) || ctx.is_roles(j)) && !member_word;
            office |= ctx.is_lower_word(j) && ctx.is_office(j);
            origin |= ORIGIN_NOUNS.contains(&w);
            j += 1;
        }
        let Some((j, q)) = found else {
            continue;
        };
        // A name typed a person after "a [post] at" is an employer
        // ("vice for products at American Express").
        let employer_at = role && ctx.low(j) == "at" && !ctx.titled(q);
        if j == k || (ctx.is_person(q) && !ctx.is_org(q) && !employer_at) {
            continue;
        }
        if weak && !(role && matches!(ctx.low(j), "of" | "for" | "at" | "with") && (!ctx.is_place(q) || ctx.is_org(q)))
        {
            continue;
        }
        let prep = ctx.low(j);
        let base = if copula { 0.65 } else { 0.7 };
        if prep == "in" {
            // "X, a lawyer in P", "X, one of the top strategists in P" (0.55);
            // not "an activist in P's party".
            if role && ctx.is_place(q) && !ctx.is_org(q) && !matches!(ctx.text(q.tokens.end), "'s" | "’s") {
                ctx.push(out, s, (p, Arg::Name, "livesIn", q, Arg::Name), 0.55);
            }
            continue;
        }
        if origin && prep == "of" && ctx.is_placeish(q) && !ctx.is_org(q) {
            ctx.push(out, s, (p, Arg::Name, "livesIn", q, Arg::Name), base);
            region_after(ctx, s, ms, p, q, base - 0.1, out);
        } else if prep == "from" && ctx.is_placeish(q) && !ctx.is_org(q) && !copula {
            ctx.push(out, s, (p, Arg::Name, "livesIn", q, Arg::Name), 0.6);
        } else if role && !post && prep == "of" && (!ctx.is_place(q) || ctx.is_org(q)) {
            // "X, a founding member of O": membership, not a post.
            ctx.push(out, s, (p, Arg::Name, "memberOf", q, Arg::Org), base);
        } else if role && prep != "from" && (!ctx.is_place(q) || ctx.is_org(q)) {
            ctx.push(out, s, (p, Arg::Name, "worksFor", q, Arg::Org), base);
        } else if office && prep == "of" && ctx.is_place(q) && !ctx.is_org(q) {
            // "X, the mayor of P", "X was elected governor of P", "X served as
            // prime minister of P": the office's place, not a residence.
            ctx.push(out, s, (p, Arg::Name, "holdsPostIn", q, Arg::Name), base);
        }
        // "…, director of O and a member of O2": a coordinated second post.
        let mut at = q.tokens.end;
        while ctx.low(at) == "and" {
            let mut j = at + 1;
            while j < at + 5 && (ctx.is_lower_word(j) && !matches!(ctx.low(j), "of" | "for" | "at" | "with")) {
                j += 1;
            }
            let posts = (at + 1..j).any(|i| ctx.is_role(i));
            let Some(q2) =
                np_at(ctx, ms, j + 1).filter(|_| posts && matches!(ctx.low(j), "of" | "for" | "at" | "with"))
            else {
                break;
            };
            if ctx.is_person(q2) || (ctx.is_place(q2) && !ctx.is_org(q2)) {
                break;
            }
            ctx.push(out, s, (p, Arg::Name, "worksFor", q2, Arg::Org), base - 0.1);
            at = q2.tokens.end;
        }
    }
}

/// "a [senior] O official" at token `k`: a determiner, up to two lowercase
/// modifiers, a name and a role noun right after it. Returns the name and the noun.
fn modifier_noun<'a>(ctx: &Ctx, ms: &[&'a Mention], k: usize) -> Option<(&'a Mention, usize)> {
    if !matches!(ctx.low(k), "a" | "an" | "the" | "another") {
        return None;
    }
    let q = (k + 1..k + 4)
        .take_while(|&i| i == k + 1 || ctx.is_lower_word(i - 1))
        .find_map(|i| starting_at(ms, i))?;
    let noun = (q.tokens.end..q.tokens.end + 2)
        .take_while(|&i| ctx.is_lower_word(i))
        .find(|&i| ctx.is_role(i))?;
    (!ctx.is_person(q) || ctx.is_org(q)).then_some((q, noun))
}

/// "X of Q": an organisation gives `worksFor`, a place `livesIn` (and its state).
fn of_place_or_org(ctx: &Ctx, s: usize, ms: &[&Mention], p: &Mention, q: &Mention, conf: f32, out: &mut Vec<Relation>) {
    if ctx.is_org(q) {
        ctx.push(out, s, (p, Arg::Name, "worksFor", q, Arg::Org), conf.min(0.6));
    } else if ctx.is_placeish(q) {
        ctx.push(out, s, (p, Arg::Name, "livesIn", q, Arg::Name), conf);
        region_after(ctx, s, ms, p, q, conf - 0.1, out);
    }
}

/// "…P, STATE": the person also lives in STATE.
fn region_after(ctx: &Ctx, s: usize, ms: &[&Mention], p: &Mention, q: &Mention, conf: f32, out: &mut Vec<Relation>) {
    if ctx.text(q.tokens.end) == ","
        && let Some(r) = starting_at(ms, q.tokens.end + 1)
        && ctx.is_region(r)
    {
        ctx.push(out, s, (p, Arg::Name, "livesIn", r, Arg::Name), conf);
    }
}

/// Premodifiers of a person: "O spokesman X", "former O commander X", "P historian X".
fn premodifier(ctx: &Ctx, s: usize, ms: &[&Mention], out: &mut Vec<Relation>) {
    for &p in ms.iter().filter(|m| ctx.is_person(m)) {
        // Role words between the modifier and the name: lowercase role nouns
        // before the name, or a title inside the mention's full span.
        let mut j = p.tokens.start;
        let mut noun = false;
        let mut profession = false;
        while j > 0 && ctx.is_lower_word(j - 1) && ctx.is_role(j - 1) && p.tokens.start - j < 3 {
            j -= 1;
            noun = true;
            profession |= PROFESSIONS.contains(&ctx.low(j));
        }
        if !noun && !ctx.titled(p) {
            continue;
        }
        // The modifier ends where the role words start, or is nested at the
        // start of the titled mention ("Illinois" in "Illinois Gov. X").
        let nested = || {
            ms.iter()
                .copied()
                .find(|q| q.tokens.start == p.tokens.start && q.tokens.end < ctx.name_start(p))
        };
        // "China's Premier X", "Acme's chairman X".
        let possessive = || {
            (j > 0 && matches!(ctx.text(j - 1), "'s" | "’s"))
                .then(|| ending_at(ms, j - 1))
                .flatten()
                .filter(|q| !ctx.is_person(q) || ctx.is_org(q))
        };
        let Some(q) = ending_at(ms, j).or_else(nested).or_else(possessive) else {
            continue;
        };
        let org = ctx.is_org(q);
        if ctx.is_person(q) && !(org || (noun && !ctx.titled(q))) {
            continue;
        }
        if org {
            ctx.push(out, s, (p, Arg::Name, "worksFor", q, Arg::Org), 0.7);
        } else if ctx.is_demonym(q) && !ctx.titled(p) {
            // "Soviet historian X", "Japanese author X": a nationality, not a home.
            ctx.push(out, s, (p, Arg::Name, "nationality", q, Arg::Name), 0.6);
        } else if (ctx.is_place(q) || ctx.is_demonym(q)) && (ctx.titled(p) || !profession) {
            // "Illinois Gov. X", "US President X": the post's place, not
            // where X lives (issue 14).
            ctx.push(out, s, (p, Arg::Name, "holdsPostIn", q, Arg::Name), 0.6);
        } else if ctx.is_place(q) {
            // "Dallas lawyer X".
            ctx.push(out, s, (p, Arg::Name, "livesIn", q, Arg::Name), 0.5);
        } else if profession {
            continue;
        } else {
            ctx.push(out, s, (p, Arg::Name, "worksFor", q, Arg::Org), 0.55);
        }
    }
}

/// "Mulroney's Progressive Conservative Party", "Kim's allegedly corrupt
/// Miners Union": a person's organisation is one the person leads or works
/// for → X `worksFor` O (0.5). Up to two lowercase words may stand between.
fn person_possessive(ctx: &Ctx, s: usize, ms: &[&Mention], out: &mut Vec<Relation>) {
    for &p in ms.iter().filter(|m| ctx.is_person(m) && m.kind == MentionKind::Name) {
        let k = p.tokens.end;
        if !matches!(ctx.text(k), "'s" | "’s") {
            continue;
        }
        let Some(o) = (k + 1..k + 4)
            .take_while(|&i| i == k + 1 || ctx.is_lower_word(i - 1))
            .find_map(|i| starting_at(ms, i))
        else {
            continue;
        };
        if ctx.is_org(o) && !ctx.is_place(o) {
            ctx.push(out, s, (p, Arg::Name, "worksFor", o, Arg::Name), 0.5);
        }
    }
}

/// Nouns naming where someone lives.
const HOME_NOUNS: &[&str] = &["home", "hometown", "house", "residence", "apartment", "farm", "ranch"];

/// Homes: "X's New Jersey home" (0.6); "X died at his home in P" (0.55), the
/// owner read from the parse: the subject of the clause the home belongs to.
fn homes(ctx: &Ctx, s: usize, ms: &[&Mention], out: &mut Vec<Relation>) {
    // A home says its owner is a person, whatever the guessed type.
    let owner = |m: &Mention| !ctx.is_org(m) && !ctx.is_place(m) && !ctx.is_demonym(m);
    for &x in ms.iter().filter(|m| owner(m)) {
        let k = x.tokens.end;
        if matches!(ctx.text(k), "'s" | "’s")
            && let Some(p) = starting_at(ms, k + 1).filter(|p| ctx.is_place(p) && !ctx.is_org(p))
            && HOME_NOUNS.contains(&ctx.low(p.tokens.end))
        {
            ctx.push(out, s, (x, Arg::Name, "livesIn", p, Arg::Name), 0.6);
        }
    }
    let Some(sentence) = ctx.doc.sentences.get(s) else {
        return;
    };
    for i in sentence.tokens.clone() {
        if !HOME_NOUNS.contains(&ctx.low(i))
            || i == 0
            || !matches!(ctx.low(i - 1), "his" | "her")
            || ctx.low(i + 1) != "in"
        {
            continue;
        }
        let Some(p) = np_at(ctx, ms, i + 2)
            .or_else(|| directional(ctx, ms, i + 2))
            .filter(|p| ctx.is_placeish(p) && !ctx.is_org(p))
        else {
            continue;
        };
        // Up from "home" to the first verb, then its subject.
        let mut v = i;
        for _ in 0..3 {
            match ctx.doc.head(v) {
                Some(h) if ctx.doc.upos(v) != "VERB" => v = h,
                _ => break,
            }
        }
        if ctx.doc.upos(v) != "VERB" {
            continue;
        }
        let subject = sentence
            .tokens
            .clone()
            .find(|&c| ctx.doc.head(c) == Some(v) && matches!(ctx.doc.deprel(c), "nsubj" | "nsubj:pass"))
            .and_then(|c| ms.iter().copied().find(|m| m.tokens.contains(&c)))
            .filter(|m| ctx.is_person(m) || owner(m))
            // "X visited Y at her home": another person in between may own it.
            .filter(|x| {
                !ms.iter()
                    .any(|m| m.tokens.start >= x.tokens.end && m.tokens.end <= i && ctx.is_person(m))
            });
        if let Some(x) = subject {
            ctx.push(out, s, (x, Arg::Name, "livesIn", p, Arg::Name), 0.55);
        }
    }
}

/// "X was born in P[, STATE]", "X, born in P": the birthplace, as one place
/// expression with its state.
fn born(ctx: &Ctx, s: usize, ms: &[&Mention], out: &mut Vec<Relation>) {
    let Some(sentence) = ctx.doc.sentences.get(s) else {
        return;
    };
    for i in sentence.tokens.clone() {
        if ctx.low(i) != "born" {
            continue;
        }
        // "born in P", or "born on Feb. 5, 1907, in P" (a date first).
        let date_word = |k: usize| {
            let t = ctx.text(k);
            t == "," || t.chars().all(|c| c.is_ascii_digit()) || super::dates::month(t).is_some()
        };
        // "born in P", "born at P" ("born at Stridon").
        let at = if matches!(ctx.low(i + 1), "in" | "at") {
            i + 1
        } else if ctx.low(i + 1) == "on"
            && let Some(k) = (i + 2..i + 9).find(|&k| !date_word(k))
            && k > i + 2
            && ctx.low(k) == "in"
        {
            k
        } else {
            continue;
        };
        let Some(q) = np_at(ctx, ms, at + 1).filter(|q| !ctx.titled(q)) else {
            continue;
        };
        let containing = |k: usize| ms.iter().copied().find(|m| m.tokens.contains(&k) && ctx.is_person(m));
        // The parse: the passive subject of "born", or the noun a reduced
        // relative ("X, born in …") hangs on, or the subject of the clause a
        // fronted participle modifies ("Born in P, she …"); else the first
        // person before it.
        let subject_of = |v: usize| {
            sentence
                .tokens
                .clone()
                .find(|&c| ctx.doc.head(c) == Some(v) && ctx.doc.deprel(c).starts_with("nsubj"))
        };
        // The main clause's subject may be a resolved pronoun ("she").
        let any_person = |k: usize| {
            ctx.mentions
                .iter()
                .find(|m| m.sentence == s && m.tokens.contains(&k) && ctx.is_person(m))
        };
        let by_parse = subject_of(i).and_then(containing).or_else(|| match ctx.doc.deprel(i) {
            "acl" => ctx.doc.head(i).and_then(containing),
            "advcl" => ctx.doc.head(i).and_then(subject_of).and_then(any_person),
            _ => None,
        });
        // A sentence-initial "Born in P, …" whose parse did not attach it:
        // the person right after the comma that closes the participle clause.
        let fronted = || {
            let comma = (i + 1..sentence.tokens.end).find(|&k| ctx.text(k) == ",")?;
            ctx.mentions
                .iter()
                .find(|m| m.sentence == s && m.tokens.start > comma && m.tokens.start <= comma + 2 && ctx.is_person(m))
        };
        let by_parse = by_parse.or_else(|| if i == sentence.tokens.start { fronted() } else { None });
        let Some(p) = by_parse.or_else(|| ms.iter().copied().find(|m| m.tokens.end <= i && ctx.is_person(m))) else {
            continue;
        };
        let mut place = q.span;
        if ctx.text(q.tokens.end) == ","
            && let Some(r) = starting_at(ms, q.tokens.end + 1)
            && ctx.is_region(r)
        {
            place = place.cover(r.span);
        }
        ctx.push_spans(out, s, (p.entity, p.span, "bornIn", q.entity, place), 0.75);
    }
}

/// "Illinois-born actor X", "Ohio born X": a birthplace before a person.
fn born_before(ctx: &Ctx, s: usize, ms: &[&Mention], out: &mut Vec<Relation>) {
    for &p in ms.iter().filter(|m| ctx.is_person(m)) {
        let mut j = p.tokens.start;
        while j > 0 && ctx.is_lower_word(j - 1) && ctx.is_role(j - 1) && p.tokens.start - j < 2 {
            j -= 1;
        }
        if j == 0 || !matches!(ctx.low(j - 1), "born" | "-born") {
            continue;
        }
        let mut k = j - 1;
        if k > 0 && ctx.text(k - 1) == "-" {
            k -= 1;
        }
        if let Some(q) = ending_at(ms, k).filter(|q| ctx.is_placeish(q) && !ctx.is_person(q)) {
            ctx.push(out, s, (p, Arg::Name, "bornIn", q, Arg::Name), 0.65);
        }
    }
}

/// Killer nouns and killing nouns.
fn killers(ctx: &Ctx, s: usize, ms: &[&Mention], out: &mut Vec<Relation>) {
    let people: Vec<&Mention> = ms.iter().copied().filter(|m| ctx.is_person(m)).collect();
    // A killer noun says its arguments are people, whatever the guessed type.
    let victims: Vec<&Mention> = ms
        .iter()
        .copied()
        .filter(|m| !ctx.is_org(m) && !ctx.is_region(m))
        .collect();
    // Killers: the same, less names known as places ("Leon" in a split "Leon X").
    let killers: Vec<&Mention> = victims.iter().copied().filter(|m| !ctx.is_place(m)).collect();
    // A killer noun or a killing says the killer is a person too.
    for &x in &killers {
        let k = x.tokens.end;
        // "X, the assassin of Y".
        let mut j = k;
        if ctx.text(j) == "," {
            j += 1;
            while matches!(
                ctx.low(j),
                "the" | "a" | "an" | "alleged" | "convicted" | "accused" | "confessed"
            ) {
                j += 1;
            }
            if KILLER_NOUNS.contains(&ctx.low(j))
                && ctx.low(j + 1) == "of"
                && let Some(y) = np_at(ctx, &victims, j + 2)
            {
                ctx.push(out, s, (x, Arg::Name, "kills", y, Arg::Full), 0.75);
            }
        }
        // "X in the assassination of Y".
        if ctx.is_person(x)
            && matches!(ctx.low(k), "in" | "for")
            && ctx.low(k + 1) == "the"
            && KILLING_NOUNS.contains(&ctx.low(k + 2))
            && ctx.low(k + 3) == "of"
            && let Some(y) = starting_at(&people, k + 4)
        {
            ctx.push(out, s, (x, Arg::Name, "kills", y, Arg::Full), 0.5);
        }
        // "Y assassin X", "Y's assassin X", "Y's assassin, X".
        let name = ctx.name_start(x);
        let before = if name > 1 && ctx.text(name - 1) == "," {
            name - 1
        } else {
            name
        };
        if before > 0 && KILLER_NOUNS.contains(&ctx.low(before - 1)) {
            let noun = before - 1;
            let possessive = noun > 0 && matches!(ctx.text(noun - 1), "'s" | "’s");
            let y_end = if possessive { noun - 1 } else { noun };
            if (possessive || before == name)
                && let Some(y) = ending_at(&victims, y_end)
            {
                ctx.push(out, s, (x, Arg::Name, "kills", y, Arg::Full), 0.7);
            }
        }
    }
    // "X, convicted of murdering Y", "X … suspected of the assassination of
    // Y", "X was convicted of Y's killing".
    let Some(sentence) = ctx.doc.sentences.get(s) else {
        return;
    };
    for i in sentence.tokens.clone() {
        if !matches!(ctx.low(i), "convicted" | "accused" | "suspected" | "charged" | "guilty") || ctx.low(i + 1) != "of"
        {
            continue;
        }
        let Some(&x) = killers.iter().rev().find(|m| m.tokens.end <= i) else {
            continue;
        };
        let mut j = i + 2;
        if matches!(ctx.low(j), "the" | "first-degree" | "second-degree") {
            j += 1;
        }
        let y = if matches!(
            ctx.low(j),
            "murdering" | "killing" | "assassinating" | "slaying" | "shooting"
        ) {
            // "murdering Phoenix newspaper reporter Y": the first person
            // within a short noun phrase, else the first name.
            people
                .iter()
                .copied()
                .find(|m| (j + 1..j + 5).contains(&m.tokens.start))
                .or_else(|| np_at(ctx, &victims, j + 1))
        } else if KILLING_NOUNS.contains(&ctx.low(j)) && ctx.low(j + 1) == "of" {
            starting_at(&victims, j + 2)
        } else if let Some(y) = starting_at(&victims, j)
            && matches!(ctx.text(y.tokens.end), "'s" | "’s")
            && KILLING_NOUNS.contains(&ctx.low(y.tokens.end + 1))
        {
            Some(y)
        } else {
            None
        };
        if let Some(y) = y {
            ctx.push(out, s, (x, Arg::Name, "kills", y, Arg::Full), 0.6);
        }
    }
    // "the assassination of Y by X".
    for &y in &victims {
        let start = y.tokens.start;
        if start >= 2
            && ctx.low(start - 1) == "of"
            && KILLING_NOUNS.contains(&ctx.low(start - 2))
            && ctx.low(y.tokens.end) == "by"
            && let Some(x) = np_at(ctx, &killers, y.tokens.end + 1)
        {
            ctx.push(out, s, (x, Arg::Name, "kills", y, Arg::Full), 0.75);
        }
    }
}

/// "A, STATE", "A, in B", "A in B" between places (organisations: `basedIn`).
fn places(ctx: &Ctx, s: usize, ms: &[&Mention], out: &mut Vec<Relation>) {
    for (n, &a) in ms.iter().enumerate() {
        let k = a.tokens.end;
        // "A, STATE".
        if ctx.text(k) == ","
            && let Some(b) = starting_at(ms, k + 1)
            && ctx.is_region(b)
            // "Kohl, Germany's chancellor" is no place; "Gyumri, Armenia's
            // second city" is.
            && (!matches!(ctx.text(b.tokens.end), "'s" | "’s")
                || ctx.is_place(a)
                || (b.tokens.end + 1..b.tokens.end + 6).any(|i| PLACE_NOUNS.contains(&ctx.low(i))))
            // "Shakespeare, Tennessee Williams": a name goes on after the state.
            && !ctx.text(b.tokens.end).chars().next().is_some_and(char::is_uppercase)
            && !(ctx.is_person(a) && ctx.titled(a))
            && !(ctx.is_org(a) && n > 0)
            && !ctx.is_region(a)
            // "Eastern Europe, Poland": a world region lies in no country.
            && !ctx.is_world_region(a)
        {
            ctx.push(out, s, (a, Arg::Name, "locatedIn", b, Arg::Name), 0.7);
        }
        // "A, in B[, STATE]" and "A in B".
        let j = if ctx.text(k) == "," { k + 1 } else { k };
        // "O of P" (no comma): an organisation named with its place.
        if j == k
            && ctx.low(j) == "of"
            && ctx.is_org(a)
            && let Some(b) = starting_at(ms, j + 1)
            && ctx.is_place(b)
            && !ctx.is_org(b)
        {
            ctx.push(out, s, (a, Arg::Org, "basedIn", b, Arg::Name), 0.55);
        }
        if ctx.low(j) == "in"
            && !ctx.is_person(a)
            && let Some(b) = np_at(ctx, ms, j + 1).or_else(|| directional(ctx, ms, j + 1))
            && ctx.is_place(b)
        {
            let predicate = if ctx.is_org(a) {
                "basedIn"
            } else if ctx.is_placeish(a) {
                "locatedIn"
            } else {
                continue;
            };
            ctx.push(out, s, (a, Arg::Name, predicate, b, Arg::Name), 0.55);
            if ctx.text(b.tokens.end) == ","
                && let Some(c) = starting_at(ms, b.tokens.end + 1)
                && ctx.is_region(c)
            {
                ctx.push(out, s, (a, Arg::Name, predicate, c, Arg::Name), 0.5);
            }
        }
    }
}

/// Compass and position adjectives of a part of a place ("eastern Sudan").
const DIRECTIONS: &[&str] = &[
    "north",
    "south",
    "east",
    "west",
    "central",
    "northern",
    "southern",
    "eastern",
    "western",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "northeastern",
    "northwestern",
    "southeastern",
    "southwestern",
    "north-east",
    "north-west",
    "south-east",
    "south-west",
    "north-eastern",
    "north-western",
    "south-eastern",
    "south-western",
    "northernmost",
    "southernmost",
    "upper",
    "lower",
    "coastal",
    "rural",
    "suburban",
];

/// The place named after a part of it at token `i`: "eastern Sudan", "the
/// southeastern part of Rwanda", "the south of France".
fn directional<'a>(ctx: &Ctx, ms: &[&'a Mention], i: usize) -> Option<&'a Mention> {
    let mut j = i;
    let the = ctx.low(j) == "the";
    if the {
        j += 1;
    }
    let mut words = 0;
    while DIRECTIONS.contains(&ctx.low(j)) && words < 2 {
        j += 1;
        words += 1;
    }
    if the && matches!(ctx.low(j), "part" | "region" | "area" | "end" | "tip" | "coast") && ctx.low(j + 1) == "of" {
        j += 2;
        words += 1;
    } else if the && words == 1 && ctx.low(j) == "of" {
        // "the south of France".
        j += 1;
    }
    if words == 0 {
        return None;
    }
    starting_at(ms, j).filter(|b| ctx.is_place(b) && !ctx.is_org(b))
}

/// "Beijing's Tiananmen Square", "Bosnia's capital, Sarajevo", "Yerevan, the
/// capital of Armenia": a place inside a place, by possessive or apposition.
fn place_possessives(ctx: &Ctx, s: usize, ms: &[&Mention], out: &mut Vec<Relation>) {
    let geo = |m: &Mention| ctx.is_place(m) && !ctx.is_org(m) && !ctx.is_person(m);
    for &p in ms.iter().filter(|m| geo(m)) {
        let k = p.tokens.end;
        if !matches!(ctx.text(k), "'s" | "’s") {
            continue;
        }
        // "P's Q" (0.6), P a known place: a possessor the rules only guessed
        // a place is as often part of Q's name ("Platt's Music Hall").
        let known = matches!(
            ctx.kind(p),
            EntityType::Country | EntityType::City | EntityType::AdministrativeArea
        ) || ctx.entities.get(p.entity).is_some_and(|e| e.wikidata.is_some());
        if let Some(q) = starting_at(ms, k + 1).filter(|q| geo(q) && known) {
            ctx.push(out, s, (q, Arg::Name, "locatedIn", p, Arg::Name), 0.6);
            continue;
        }
        // "P's capital, Q", "P's largest city, Q" (0.65).
        if let Some(noun) = (k + 1..k + 4).find(|&i| PLACE_NOUNS.contains(&ctx.low(i)))
            && (k + 1..noun).all(|i| ctx.is_lower_word(i))
            && ctx.text(noun + 1) == ","
            && let Some(q) = starting_at(ms, noun + 2).filter(|q| geo(q))
        {
            ctx.push(out, s, (q, Arg::Name, "locatedIn", p, Arg::Name), 0.65);
        }
    }
    // "Q, the capital of P", "Q, a town in P" (0.65).
    for &q in ms.iter().filter(|m| geo(m)) {
        let k = q.tokens.end;
        if ctx.text(k) != "," || !matches!(ctx.low(k + 1), "the" | "a" | "an") {
            continue;
        }
        let Some(noun) = (k + 2..k + 5).find(|&i| PLACE_NOUNS.contains(&ctx.low(i))) else {
            continue;
        };
        if (k + 2..noun).all(|i| ctx.is_lower_word(i))
            && matches!(ctx.low(noun + 1), "of" | "in")
            && let Some(p) = np_at(ctx, ms, noun + 2)
                .or_else(|| directional(ctx, ms, noun + 2))
                .filter(|p| geo(p))
        {
            ctx.push(out, s, (q, Arg::Name, "locatedIn", p, Arg::Name), 0.65);
        }
    }
}

/// Datelines and place modifiers of organisations.
fn organisations(ctx: &Ctx, s: usize, ms: &[&Mention], out: &mut Vec<Relation>) {
    let Some(sentence) = ctx.doc.sentences.get(s) else {
        return;
    };
    // Dateline: "CITY[, STATE][, date] (ORG)" at the sentence start.
    // A bracketed label may come first: "(Text) Sofia, Feb 15 (BTA) --".
    let mut first = sentence.tokens.start;
    if ctx.text(first) == "("
        && let Some(close) = (first + 1..(first + 4).min(sentence.tokens.end)).find(|&i| ctx.text(i) == ")")
    {
        first = close + 1;
    }
    // A region after the first name makes it a place whatever its guessed
    // type ("Saint-Gall, Switzerland, Feb 2 (AFP)").
    let region_after_city = |city: &Mention| {
        ctx.text(city.tokens.end) == "," && starting_at(ms, city.tokens.end + 1).is_some_and(|b| ctx.is_region(b))
    };
    if let Some(&city) = ms.iter().find(|m| m.tokens.start >= first)
        && city.tokens.start == first
        && (!ctx.is_person(city) || region_after_city(city))
    {
        let mut k = city.tokens.end;
        let mut state = None;
        if ctx.text(k) == ","
            && let Some(b) = starting_at(ms, k + 1)
            && ctx.is_region(b)
        {
            state = Some(b);
            k = b.tokens.end;
        }
        // Only a date may stand between the place and the agency (a month
        // name can be a mention of its own).
        let date_only = |from: usize, to: usize| {
            (from..to).all(|i| {
                !ms.iter().any(|m| m.tokens.contains(&i))
                    || super::dates::month(ctx.text(i).trim_end_matches('.')).is_some()
            })
        };
        // An agency name in capitals is no person ("ITAR-TASS").
        let agency = |m: &Mention| !ctx.is_person(m) || all_caps(ctx.doc.span_text(m.span));
        let open = (k..(k + 5).min(sentence.tokens.end)).find(|&i| ctx.text(i) == "(");
        let org = if let Some(open) = open {
            starting_at(ms, open + 1).filter(|o| date_only(k, open) && ctx.text(o.tokens.end) == ")")
        } else {
            // "Moscow April 25 TASS --": the agency without brackets.
            ms.iter().copied().find(|o| {
                o.tokens.start > k
                    && o.tokens.start <= k + 4
                    && matches!(ctx.text(o.tokens.end), "--" | "—" | "–")
                    && all_caps(ctx.doc.span_text(o.span))
                    && date_only(k, o.tokens.start)
            })
        };
        if let Some(org) = org.filter(|o| agency(o)) {
            ctx.push(out, s, (org, Arg::Org, "basedIn", city, Arg::Name), 0.8);
            if let Some(b) = state {
                ctx.push(out, s, (org, Arg::Org, "basedIn", b, Arg::Name), 0.8);
            }
        }
        if let Some(b) = state {
            ctx.push(out, s, (city, Arg::Name, "locatedIn", b, Arg::Name), 0.75);
        }
    }
    source_line(ctx, s, ms, out);
    for &p in ms.iter().filter(|m| ctx.is_place(m)) {
        let k = p.tokens.end;
        // "P-based O": the hyphenated suffix or a separate "based".
        let based = matches!(ctx.low(k), "-based" | "based") || (ctx.low(k) == "-" && ctx.low(k + 1) == "based");
        if based
            && let Some(o) = ms
                .iter()
                .copied()
                .find(|o| o.tokens.start > k && o.tokens.start <= k + 5)
            && !ctx.is_person(o)
            && !ctx.is_place(o)
        {
            ctx.push(out, s, (o, Arg::Org, "basedIn", p, Arg::Name), 0.75);
        }
        // "P's O".
        if matches!(ctx.text(k), "'s" | "’s")
            && let Some(o) = starting_at(ms, k + 1)
            && ctx.is_org(o)
        {
            ctx.push(out, s, (o, Arg::Org, "basedIn", p, Arg::Name), 0.55);
        }
        // "P O": a place name directly before an organisation name.
        if let Some(o) = starting_at(ms, k)
            && ctx.is_org(o)
        {
            ctx.push(out, s, (o, Arg::Org, "basedIn", p, Arg::Name), 0.55);
        }
    }
    // "O headquarters in P[, STATE]", "O's headquarters in P", "O, headquartered in P".
    for &o in ms.iter().filter(|m| ctx.is_org(m)) {
        let mut j = o.tokens.end;
        if matches!(ctx.text(j), "'s" | "’s" | ",") {
            j += 1;
        }
        if !matches!(ctx.low(j), "headquarters" | "headquartered") {
            continue;
        }
        j += 1;
        if !matches!(ctx.low(j), "in" | "at") {
            continue;
        }
        j += 1;
        while matches!(ctx.low(j), "the" | "nearby" | "suburban" | "downtown") {
            j += 1;
        }
        if let Some(p) = starting_at(ms, j).filter(|p| ctx.is_placeish(p) && !ctx.is_org(p)) {
            ctx.push(out, s, (o, Arg::Org, "basedIn", p, Arg::Name), 0.7);
            if ctx.text(p.tokens.end) == ","
                && let Some(b) = starting_at(ms, p.tokens.end + 1)
                && ctx.is_region(b)
            {
                ctx.push(out, s, (o, Arg::Org, "basedIn", b, Arg::Name), 0.65);
            }
        }
    }
    // "O, a P firm".
    for &o in ms.iter().filter(|m| ctx.is_org(m)) {
        let k = o.tokens.end;
        if ctx.text(k) == ","
            && matches!(ctx.low(k + 1), "a" | "an" | "the")
            && let Some(p) = starting_at(ms, k + 2)
            && ctx.is_place(p)
            && ctx.is_lower_word(p.tokens.end)
        {
            ctx.push(out, s, (o, Arg::Org, "basedIn", p, Arg::Name), 0.6);
        }
    }
}

/// True when the text has letters and none of them is lowercase ("ITAR-TASS", "MAINICHI SHIMBUN").
fn all_caps(text: &str) -> bool {
    text.chars().any(char::is_alphabetic) && !text.chars().any(char::is_lowercase)
}

/// Source lines of monitored broadcasts and newspapers (news-archive style):
/// "[CODE] CITY MEDIUM in LANGUAGE 1700 GMT 7 Apr 94", or a line that is only
/// "CITY MEDIUM" with the medium's name in capitals ("Tokyo MAINICHI
/// SHIMBUN") → MEDIUM `basedIn` CITY (0.7). The line may start after a
/// headline that ends in a document code ("… NC1901223094 London …").
fn source_line(ctx: &Ctx, s: usize, ms: &[&Mention], out: &mut Vec<Relation>) {
    let Some(sentence) = ctx.doc.sentences.get(s) else {
        return;
    };
    let (start, end) = (sentence.tokens.start, sentence.tokens.end);
    // A document code: one token of capitals and at least six digits.
    let code = (start..end).find(|&i| {
        let t = ctx.text(i);
        t.chars().filter(char::is_ascii_digit).count() >= 6
            && t.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && t.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    });
    let first = code.map_or(start, |c| c + 1);
    let Some(city) = starting_at(ms, first).filter(|m| ctx.is_place(m) && !ctx.is_org(m)) else {
        return;
    };
    let Some(medium) = starting_at(ms, city.tokens.end).filter(|m| !ctx.is_place(m) || ctx.is_org(m)) else {
        return;
    };
    let k = medium.tokens.end;
    // "in Arabic 1700 GMT …": a capitalised language name, then a time or the end.
    let language = ctx.low(k) == "in"
        && ctx.text(k + 1).chars().next().is_some_and(char::is_uppercase)
        && (k + 2 >= end || ctx.text(k + 2).chars().next().is_some_and(|c| c.is_ascii_digit()));
    let rest_is_punctuation = (k..end).all(|i| ctx.text(i).chars().all(|c| c.is_ascii_punctuation()));
    let masthead = code.is_none() && first == start && rest_is_punctuation && all_caps(ctx.doc.span_text(medium.span));
    if language || (code.is_some() && rest_is_punctuation) || masthead {
        ctx.push(out, s, (medium, Arg::Org, "basedIn", city, Arg::Name), 0.7);
    }
}

#[cfg(test)]
mod tests {
    use crate::extract::{Extractor, Predicate, RelationObject};

    /// (subject text, predicate, object text) of nominal-pattern relations, by argument spans.
    fn facts(text: &str) -> Vec<(String, String, String)> {
        let doc = crate::ner::stage::analyze(text.to_string());
        let x = Extractor::default().extract(&doc, None);
        x.relations
            .iter()
            .filter(|r| r.extractor == super::NOMINAL_PATTERN || r.predicate == Predicate::Ontology("kills".into()))
            .filter_map(|r| {
                let (a, b) = r.arguments?;
                let Predicate::Ontology(p) = &r.predicate else {
                    return None;
                };
                matches!(r.object, RelationObject::Entity(_))
                    .then(|| (doc.span_text(a).to_string(), p.clone(), doc.span_text(b).to_string()))
            })
            .collect()
    }

    fn has(f: &[(String, String, String)], s: &str, p: &str, o: &str) -> bool {
        f.iter().any(|(a, b, c)| a == s && b == p && c == o)
    }

    #[test]
    fn age_apposition_gives_home_town_and_state() {
        let f = facts("Lena Marsh, 41, of Redwood, Calif., won the prize on Sunday.");
        assert!(has(&f, "Lena Marsh", "livesIn", "Redwood"), "{f:?}");
        assert!(has(&f, "Lena Marsh", "livesIn", "Calif."), "{f:?}");
        assert!(has(&f, "Redwood", "locatedIn", "Calif."), "{f:?}");
    }

    #[test]
    fn role_apposition_gives_employer() {
        let f = facts("The plant will close, said Tom Verity, a spokesman for Acme Corp.");
        assert!(has(&f, "Tom Verity", "worksFor", "Acme Corp."), "{f:?}");
        let f = facts("The plant will close, said Tom Verity, a cousin of Acme Corp.");
        assert!(!f.iter().any(|(_, p, _)| p == "worksFor"), "no role noun: {f:?}");
    }

    #[test]
    fn organisation_before_role_gives_employer() {
        let f = facts("The deal is off, Acme Corp. spokesman Tom Verity said.");
        assert!(has(&f, "Tom Verity", "worksFor", "Acme Corp."), "{f:?}");
    }

    #[test]
    fn native_of_gives_home() {
        let f = facts("The painter Ada Quill is a native of Dorset, Vt.");
        assert!(has(&f, "Ada Quill", "livesIn", "Dorset"), "{f:?}");
    }

    #[test]
    fn killer_nouns_and_verbs() {
        let f = facts("Investigators said Rob Fenn, the assassin of Governor Ada Quill, acted alone.");
        assert!(has(&f, "Rob Fenn", "kills", "Governor Ada Quill"), "{f:?}");
        let f = facts("The trial of Quill assassin Rob Fenn opened on Monday.");
        assert!(has(&f, "Rob Fenn", "kills", "Quill"), "{f:?}");
        let f = facts("Rob Fenn assassinated Ada Quill in 1901.");
        assert!(has(&f, "Rob Fenn", "kills", "Ada Quill"), "{f:?}");
    }

    #[test]
    fn dateline_gives_agency_base_and_state() {
        let f = facts("AUSTIN, Texas (AP) The rain stopped.");
        assert!(has(&f, "AP", "basedIn", "AUSTIN"), "{f:?}");
        assert!(has(&f, "AP", "basedIn", "Texas"), "{f:?}");
        assert!(has(&f, "AUSTIN", "locatedIn", "Texas"), "{f:?}");
    }

    #[test]
    fn an_office_of_a_place_is_a_post_there_and_membership_is_no_post() {
        for (text, place) in [
            ("Tom Brandt was elected mayor of Bergen in 2015.", "Bergen"),
            ("Ada Quill, the mayor of Leeds, visited Oslo.", "Leeds"),
            ("Lena Ortiz became governor of Texas in 2019.", "Texas"),
            ("Ivo Marek served as prime minister of Norway until 2005.", "Norway"),
        ] {
            let f = facts(text);
            assert!(
                f.iter().any(|(_, p, o)| p == "holdsPostIn" && o == place),
                "{text}: {f:?}"
            );
            assert!(!f.iter().any(|(_, p, _)| p == "livesIn"), "{text}: {f:?}");
        }
        let f = facts("Ada Quill, a founding member of the Lumen Society, spoke.");
        assert!(has(&f, "Ada Quill", "memberOf", "Lumen Society"), "{f:?}");
        assert!(!has(&f, "Ada Quill", "worksFor", "Lumen Society"), "{f:?}");
        let f = facts("Ada Quill, a board member and director of the Lumen Society, spoke.");
        assert!(has(&f, "Ada Quill", "worksFor", "Lumen Society"), "{f:?}");
    }

    #[test]
    fn birthplace_spans_city_and_state() {
        let f = facts("In 1902, the novelist Ada Quill was born in Dorset, Vt., and later moved away.");
        assert!(has(&f, "Ada Quill", "bornIn", "Dorset, Vt."), "{f:?}");
        let f = facts("The Texas-born singer Ada Quill toured Europe.");
        assert!(has(&f, "Ada Quill", "bornIn", "Texas"), "{f:?}");
        // A fronted participle: the birthplace of the main clause's subject.
        let f = facts("Born in Bergen in 1950, Ada Quill studied law at the University of Oslo.");
        assert!(has(&f, "Ada Quill", "bornIn", "Bergen"), "{f:?}");
        let f = facts("Ada Quill was born at Bergen around 1950.");
        assert!(has(&f, "Ada Quill", "bornIn", "Bergen"), "{f:?}");
    }

    #[test]
    fn a_town_before_its_state_and_a_profession_before_a_name_give_homes() {
        // "Bethany" is also a given name: before ", Conn." it is a town.
        let f = facts("Ada Quill, 50, of Bethany, Conn., died on Thursday.");
        assert!(has(&f, "Ada Quill", "livesIn", "Bethany"), "{f:?}");
        assert!(has(&f, "Bethany", "locatedIn", "Conn."), "{f:?}");
        let f = facts("During the storm, diver Tom Hale of Millinocket saved two men.");
        assert!(has(&f, "Tom Hale", "livesIn", "Millinocket"), "{f:?}");
    }

    #[test]
    fn place_before_title_gives_the_post_not_a_home() {
        let f = facts("Ohio Gov. Ada Quill signed the bill on Monday.");
        assert!(has(&f, "Ada Quill", "holdsPostIn", "Ohio"), "{f:?}");
        assert!(!has(&f, "Ada Quill", "livesIn", "Ohio"), "{f:?}");
    }

    #[test]
    fn modifier_apposition_and_coordinated_posts() {
        let f = facts("Tom Verity, a senior Acme Corp. official, declined to comment.");
        assert!(has(&f, "Tom Verity", "worksFor", "Acme Corp."), "{f:?}");
        let f = facts("Tom Verity, director of the Lumen Institute and a member of the Arden Society, spoke.");
        assert!(has(&f, "Tom Verity", "worksFor", "Lumen Institute"), "{f:?}");
        assert!(has(&f, "Tom Verity", "worksFor", "Arden Society"), "{f:?}");
    }

    #[test]
    fn killing_charges() {
        let f = facts("The court freed Rob Fenn, convicted of murdering Ada Quill in 1990.");
        assert!(has(&f, "Rob Fenn", "kills", "Ada Quill"), "{f:?}");
        let f = facts("Rob Fenn, convicted of fraud, met Ada Quill.");
        assert!(!f.iter().any(|(_, p, _)| p == "kills"), "{f:?}");
    }

    #[test]
    fn organisation_bases() {
        let f = facts("Analysts at the Denver-based Lumen Institute disagreed.");
        assert!(has(&f, "Lumen Institute", "basedIn", "Denver"), "{f:?}");
        let f = facts("The Lumen Institute in Denver disagreed.");
        assert!(has(&f, "Lumen Institute", "basedIn", "Denver"), "{f:?}");
    }

    #[test]
    fn a_world_region_lies_in_no_country() {
        let f = facts("Ada Quill toured Eastern Europe, Poland and Hungary. She moved to Cape Town, South Africa.");
        assert!(!has(&f, "Eastern Europe", "locatedIn", "Poland"), "{f:?}");
        assert!(has(&f, "Cape Town", "locatedIn", "South Africa"), "{f:?}");
    }

    #[test]
    fn kinship_nouns_give_family_and_friends() {
        let f = facts(
            "Daniel Vos was a son of Johann Vos and a nephew of Jacob Vos. \
             He had two brothers, Niklaus Vos and Pieter Vos. \
             Clara Zeller, the widow of Otto Zeller, sold the farm. \
             Byron's mother, Catherine Gordon, left for Aberdeen.",
        );
        for (s, p, o) in [
            ("Daniel Vos", "childOf", "Johann Vos"),
            ("Daniel Vos", "relativeOf", "Jacob Vos"),
            ("Niklaus Vos", "siblingOf", "He"),
            ("Pieter Vos", "siblingOf", "He"),
            ("Clara Zeller", "spouseOf", "Otto Zeller"),
            ("Catherine Gordon", "parentOf", "Byron"),
        ] {
            assert!(has(&f, s, p, o), "{s} {p} {o}: {f:?}");
        }
        // A kinship noun before a possessor names no relative of the name.
        let f = facts("Mara Linde is a friend of Tom Berg's brother.");
        assert!(!f.iter().any(|(_, p, _)| p == "friendOf"), "{f:?}");
    }

    #[test]
    fn place_inside_place() {
        let f = facts("The fair opened at the Hall of Crafts, in Dover, Del., on Friday.");
        assert!(has(&f, "Dover", "locatedIn", "Del."), "{f:?}");
    }

    #[test]
    fn killers_with_unknown_single_names() {
        let f = facts("Fenn was convicted of Quill 's killing in 1901.");
        assert!(has(&f, "Fenn", "kills", "Quill"), "{f:?}");
        let f = facts("Doctors treated Quill's assassin, Rob Fenn, in the jail.");
        assert!(has(&f, "Rob Fenn", "kills", "Quill"), "{f:?}");
    }

    #[test]
    fn headquarters_and_possessive_places() {
        let f = facts("Officials at Kelton Union headquarters in nearby Dover, Del., said no.");
        assert!(has(&f, "Kelton Union", "basedIn", "Dover"), "{f:?}");
        assert!(has(&f, "Kelton Union", "basedIn", "Del."), "{f:?}");
        let f = facts("The storm hit Gyumri, Armenia's second-largest city.");
        assert!(has(&f, "Gyumri", "locatedIn", "Armenia"), "{f:?}");
    }

    #[test]
    fn birth_after_a_date() {
        let f = facts("Ada Quill was born on March 3, 1911, in Dorset, Vt., and grew up there.");
        assert!(has(&f, "Ada Quill", "bornIn", "Dorset, Vt."), "{f:?}");
        let f = facts("The Texas-born singer Ada Quill toured Europe.");
        assert!(has(&f, "Ada Quill", "bornIn", "Texas"), "{f:?}");
    }

    #[test]
    #[ignore = "known regression (issue 14): the NER types 'Radio Vento Norte' a person, and the type \
                constraint drops basedIn; a strong pattern should outrank a model guess"]
    fn source_line_names_an_agency_the_model_typed_a_person() {
        let f = facts("QX1203041595 Lisbon Radio Vento Norte in Portuguese 1900 GMT 3 Mar 95");
        assert!(has(&f, "Radio Vento Norte", "basedIn", "Lisbon"), "{f:?}");
    }

    #[test]
    fn source_lines_and_datelines_give_media_bases() {
        let f = facts("Oslo DAGBLADET MORGEN");
        assert!(has(&f, "DAGBLADET MORGEN", "basedIn", "Oslo"), "{f:?}");
        let f = facts("Oslo Ada Quill");
        assert!(
            f.iter().all(|(_, p, _)| p != "basedIn"),
            "a name in title case is no masthead: {f:?}"
        );
        let f = facts("Vilnius May 3 ELTA -- The parliament met today.");
        assert!(has(&f, "ELTA", "basedIn", "Vilnius"), "{f:?}");
        let f = facts("(Text) Sankt-Moritz, Switzerland, Feb 4 (SDA) -- The pass is closed.");
        assert!(has(&f, "SDA", "basedIn", "Switzerland"), "{f:?}");
    }

    #[test]
    fn places_by_possessive_apposition_and_direction() {
        let f = facts("Crowds gathered in Lisbon's Rossio Square on Sunday.");
        assert!(has(&f, "Rossio Square", "locatedIn", "Lisbon"), "{f:?}");
        let f = facts("Norway's capital, Oslo, was quiet.");
        assert!(has(&f, "Oslo", "locatedIn", "Norway"), "{f:?}");
        let f = facts("The talks moved to Tallinn, the capital of Estonia, on Monday.");
        assert!(has(&f, "Tallinn", "locatedIn", "Estonia"), "{f:?}");
        let f = facts("The plane flew from Kassel in central Germany to Rome.");
        assert!(has(&f, "Kassel", "locatedIn", "Germany"), "{f:?}");
    }

    #[test]
    fn more_appositions_and_possessives() {
        let f = facts("Tom Verity, a Republican from Dover who served in the Senate, objected.");
        assert!(has(&f, "Tom Verity", "livesIn", "Dover"), "{f:?}");
        let f = facts("Tom Verity, another Acme Corp. spokesman, said no.");
        assert!(has(&f, "Tom Verity", "worksFor", "Acme Corp."), "{f:?}");
        let f = facts("Ada Quill, one of the leading economists in Norway, disagreed.");
        assert!(has(&f, "Ada Quill", "livesIn", "Norway"), "{f:?}");
        let f = facts("Ada Quill, an activist in Norway's Green Party, spoke.");
        assert!(!has(&f, "Ada Quill", "livesIn", "Norway"), "{f:?}");
        let f = facts("Norway's Prime Minister Ada Quill arrived on Monday.");
        assert!(has(&f, "Ada Quill", "holdsPostIn", "Norway"), "{f:?}");
        let f = facts("Ada Quill's Lumen Party won the vote.");
        assert!(has(&f, "Ada Quill", "worksFor", "Lumen Party"), "{f:?}");
    }

    #[test]
    fn homes_give_residence() {
        let f = facts("Police drove to Ada Quill's Vermont home on Friday.");
        assert!(has(&f, "Ada Quill", "livesIn", "Vermont"), "{f:?}");
        let f = facts("Tom Verity died on Sunday at his home in Dover.");
        assert!(has(&f, "Tom Verity", "livesIn", "Dover"), "{f:?}");
        let f = facts("Tom Verity visited Ada Quill at her home in Dover.");
        assert!(!has(&f, "Tom Verity", "livesIn", "Dover"), "her home is not his: {f:?}");
    }

    #[test]
    fn posts_of_unknown_names_and_employers_typed_as_people() {
        let f = facts("Quill is a member of the Lumen Trade Commission, officials said.");
        assert!(has(&f, "Quill", "memberOf", "Lumen Trade Commission"), "{f:?}");
        let f = facts("Quill of Dover said no.");
        assert!(
            f.iter().all(|(_, p, _)| p != "livesIn"),
            "an unknown name alone is no person: {f:?}"
        );
        let f = facts("Tom Verity, vice for sales at Hollis Grant, said no.");
        // "Hollis Grant" reads as a person's name: an employer must be an
        // organisation, so the relation is left out rather than asserted with a
        // wrong type (issue 14).
        assert!(!has(&f, "Tom Verity", "worksFor", "Hollis Grant"), "{f:?}");
    }
}

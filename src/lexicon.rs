//! Lexical resources: gazetteer, roles, demonyms, verb and event-noun lexicons.
//!
//! They are data files under `models/lexicon/`, embedded into the binary at
//! compile time and parsed once ([`Lexicon::embedded`]). The gazetteer and the
//! demonym table are *derived* from `../shared/data/gazetteer` by
//! [`build_gazetteer`] (`textkg train gazetteer`), so they can be rebuilt with
//! one command; the other files are hand-written and documented in place.

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::Path;
use std::sync::OnceLock;

/// How common a given name is among men and among women (percent of each
/// population in the US Census 1990 lists; the two lists overlap).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GivenName {
    /// Percent of men with this first name.
    pub male: f32,
    /// Percent of women with this first name.
    pub female: f32,
}

/// The grammatical gender a given name points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameGender {
    /// Borne (almost) only by men.
    Male,
    /// Borne (almost) only by women.
    Female,
}

impl GivenName {
    /// The gender this name points to, when one sex bears it at least
    /// `ratio` times as often as the other ("James" male, "Jordan" neither
    /// at ratio 10).
    pub fn gender(&self, ratio: f32) -> Option<NameGender> {
        if self.male >= ratio * self.female {
            Some(NameGender::Male)
        } else if self.female >= ratio * self.male {
            Some(NameGender::Female)
        } else {
            None
        }
    }
}

/// Parses `given_names.tsv` (`name<TAB>male%<TAB>female%`). Rows that do not
/// parse are skipped; a unit test checks that the embedded file has none.
fn parse_given_names(tsv: &str) -> FxHashMap<String, GivenName> {
    rows(tsv)
        .filter_map(|r| match r.as_slice() {
            [name, male, female] => Some((
                name.to_string(),
                GivenName {
                    male: male.parse().ok()?,
                    female: female.parse().ok()?,
                },
            )),
            _ => None,
        })
        .collect()
}

/// Builds `given_names.tsv` from the US Census 1990 given-name lists in
/// `source_dir` (`dist.male.first`, `dist.female.first`: fixed-width NAME,
/// percent, cumulative percent, rank). Names are title-cased ("JAMES" →
/// "James"); the output is sorted, so rebuilding gives the same bytes.
pub fn build_given_names(source_dir: &Path) -> Result<String, GazetteerBuildError> {
    let mut names: std::collections::BTreeMap<String, (f32, f32)> = std::collections::BTreeMap::new();
    for (file, male) in [("dist.male.first", true), ("dist.female.first", false)] {
        let path = source_dir.join(file);
        let text = std::fs::read_to_string(&path).map_err(|source| GazetteerBuildError::Read {
            path: path.display().to_string(),
            source,
        })?;
        for (n, line) in text.lines().enumerate() {
            let mut cols = line.split_whitespace();
            let (Some(name), Some(pct)) = (cols.next(), cols.next()) else {
                continue;
            };
            let pct: f32 = pct.parse().map_err(|_| GazetteerBuildError::BadRow {
                path: path.display().to_string(),
                line: n + 1,
            })?;
            let entry = names.entry(title_case_word(name)).or_default();
            if male {
                entry.0 += pct;
            } else {
                entry.1 += pct;
            }
        }
    }
    let mut out = String::from(
        "# Given names (US Census 1990, public domain): percent of men and of women bearing each.\n\
         # Built by `textkg train names --data ../shared/data/names`; do not edit.\n\
         name\tmale\tfemale\n",
    );
    for (name, (m, f)) in names {
        out.push_str(&format!("{name}\t{m:.3}\t{f:.3}\n"));
    }
    Ok(out)
}

/// "JAMES" → "James", "MCDONALD" → "Mcdonald" (the lists are in capitals).
fn title_case_word(w: &str) -> String {
    let mut chars = w.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect())
        .unwrap_or_default()
}

/// Fine-grained class of a gazetteer entry; maps to an ontology class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GazetteerClass {
    /// A sovereign state or territory (`schema:Country`).
    Country,
    /// A city or town (`schema:City`).
    City,
    /// A first-level administrative division, e.g. a US state (`schema:AdministrativeArea`).
    AdministrativeArea,
    /// A continent or world region (`schema:Place`).
    Region,
    /// An organisation (`schema:Organization`).
    Organization,
}

impl GazetteerClass {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Country" => Self::Country,
            "City" => Self::City,
            "AdministrativeArea" => Self::AdministrativeArea,
            "Region" => Self::Region,
            "Organization" => Self::Organization,
            _ => return None,
        })
    }

    /// Name used in the gazetteer file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Country => "Country",
            Self::City => "City",
            Self::AdministrativeArea => "AdministrativeArea",
            Self::Region => "Region",
            Self::Organization => "Organization",
        }
    }
}

/// One gazetteer record: a known named thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GazetteerEntry {
    /// Canonical English name ("United States").
    pub canonical: String,
    /// Class.
    pub class: GazetteerClass,
    /// Wikidata id ("Q30"), if known.
    pub qid: Option<String>,
}

/// What a verb means to the relation extractor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerbKind {
    /// An action between two participants.
    Action,
    /// A meeting (symmetric).
    Meet,
    /// A speech act: its object may be a quotation.
    Speech,
}

/// A verb lexicon entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerbEntry {
    /// Lemma ("suggest").
    pub lemma: String,
    /// Local name of the ontology property ("suggests").
    pub property: String,
    /// Kind.
    pub kind: VerbKind,
    /// Preposition introducing the object, if not a direct object ("to" for "speak to").
    pub prep: Option<String>,
    /// Number of words in the lemma (multi-word verbs like "hold talks").
    pub words: usize,
}

/// All lexical resources, parsed.
#[derive(Debug, Default)]
pub struct Lexicon {
    /// Given names ("Anna" → share of US men and women bearing it), from the
    /// US Census 1990 lists (`given_names.tsv`, built by `textkg train names`).
    pub given_names: FxHashMap<String, GivenName>,
    /// Lowercase starts of page-furniture lines ("advertisement", "read more"),
    /// whose words are not names (`boilerplate.txt`).
    pub boilerplate: Vec<String>,
    /// Surface form → entries (several when ambiguous), longest forms up to `max_name_words` words.
    pub gazetteer: FxHashMap<String, Vec<GazetteerEntry>>,
    /// Longest gazetteer surface form, in words.
    pub max_name_words: usize,
    /// First words of the gazetteer's surface forms: a span whose first word
    /// is not here cannot be a gazetteer name (kept in step with `gazetteer`
    /// by the constructor; see [`Lexicon::may_start_name`]).
    pub name_first_words: FxHashSet<String>,
    /// Demonym or country adjective ("Russian", "US") → country canonical name.
    pub demonyms: FxHashMap<String, String>,
    /// Role titles ("President", "Foreign Minister") → canonical role name.
    pub roles: FxHashMap<String, String>,
    /// Longest role title in words.
    pub max_role_words: usize,
    /// First words of the role titles (see [`Lexicon::may_start_role`]).
    pub role_first_words: FxHashSet<String>,
    /// Every inflected form (lowercase, possibly multi-word) → the indices of
    /// its verb entries, in file order: one lemma may have one entry per
    /// preposition ("die in", "die at").
    pub verb_forms: FxHashMap<String, Vec<usize>>,
    /// Verb entries.
    pub verbs: Vec<VerbEntry>,
    /// Event nouns (lowercase) → property local name.
    pub event_nouns: FxHashMap<String, String>,
    /// Lowercased capitalisable function words that never start a name.
    pub stopwords: FxHashSet<String>,
    /// Last words of names that reveal the name's type ("News" → Organization).
    pub name_heads: FxHashMap<String, NameHead>,
    /// Named groups ("Democrats", "Muslims"); plural demonyms are groups too.
    pub groups: FxHashSet<String>,
    /// News event classes (CAMEO root categories), in code order.
    pub event_classes: Vec<EventClass>,
    /// Ontology property local name → index into `event_classes`.
    pub property_event_class: FxHashMap<String, usize>,
    /// Verb lemma of an open relation → index into `event_classes`.
    pub verb_event_class: FxHashMap<String, usize>,
    /// Ontology property local name → the entity types its subject and object
    /// may have (`predicates.tsv`; the ontology's rdfs:domain/rdfs:range).
    pub predicate_types: FxHashMap<String, PredicateTypes>,
    /// Kinship and friendship nouns, singular and plural ("son", "sons"), from
    /// `kinship.tsv`.
    pub kinship: FxHashMap<String, KinshipNoun>,
    /// Common nouns the relation rules treat specially (`noun_classes.tsv`).
    pub noun_classes: FxHashMap<String, NounClass>,
    /// Calibrated confidence by (extractor id, predicate group): the measured
    /// precision on the judged development sample (`confidence.tsv`, written
    /// by `textkg eval judged --calibrate`).
    pub confidence: FxHashMap<(String, String), f32>,
}

/// Entity type names a property's arguments may have (`predicates.tsv`).
pub const ARGUMENT_TYPES: &[&str] = &["Person", "Organization", "Place", "Event", "Group", "Thing"];

/// The argument types of one ontology property: its domain and range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredicateTypes {
    /// Subject types (names from [`ARGUMENT_TYPES`]); `None` = any entity.
    pub subject: Option<Vec<&'static str>>,
    /// Object types; `None` = any entity.
    pub object: Option<Vec<&'static str>>,
}

impl PredicateTypes {
    /// True when a subject of coarse type `subject` and an object of coarse
    /// type `object` (names from [`ARGUMENT_TYPES`]) fit.
    pub fn allows(&self, subject: &str, object: &str) -> bool {
        let fits = |set: &Option<Vec<&'static str>>, t: &str| set.as_ref().is_none_or(|s| s.contains(&t));
        fits(&self.subject, subject) && fits(&self.object, object)
    }
}

/// A malformed row in a lexicon file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}: {message}")]
pub struct LexiconError {
    /// The file (name under `models/lexicon/`).
    pub file: &'static str,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Data rows of a strictly read TSV with their 1-based line numbers: `#`
/// comments and blank lines skipped, the header row dropped, and a row
/// without exactly `columns` tab-separated fields an error.
fn strict_rows<'a>(
    tsv: &'a str,
    file: &'static str,
    columns: usize,
) -> impl Iterator<Item = Result<(usize, Vec<&'a str>), LexiconError>> + 'a {
    tsv.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
        .map(move |(n, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            if cols.len() == columns {
                Ok((n + 1, cols))
            } else {
                Err(LexiconError {
                    file,
                    line: n + 1,
                    message: format!("expected {columns} tab-separated columns, found {}", cols.len()),
                })
            }
        })
}

/// The class of a common noun in `noun_classes.tsv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NounClass {
    /// Forms an idiom with a light verb ("give birth", "take part").
    LightVerb,
    /// Says when ("yesterday", "week").
    Time,
    /// A kind of administrative or geographic unit that takes a place's name
    /// ("Bergen County", "City of Cleveland", "Hong Kong Island"): the unit,
    /// not a mention of the place inside it.
    AdminUnit,
    /// An academic degree ("doctorate", "PhD"): obtained *from* or *at* an
    /// organisation, it tells where a person was educated.
    Degree,
}

/// Parses `noun_classes.tsv` (`noun<TAB>class`), strictly: a row with missing
/// columns, an unknown class or a noun listed twice is an error.
pub fn parse_noun_classes(tsv: &str) -> Result<FxHashMap<String, NounClass>, LexiconError> {
    let err = |line: usize, message: String| LexiconError {
        file: "noun_classes.tsv",
        line,
        message,
    };
    let mut out = FxHashMap::default();
    for row in strict_rows(tsv, "noun_classes.tsv", 2) {
        let (n, cols) = row?;
        let [noun, class] = cols[..] else {
            continue;
        };
        let class = match class {
            "light-verb" => NounClass::LightVerb,
            "time" => NounClass::Time,
            "admin-unit" => NounClass::AdminUnit,
            "degree" => NounClass::Degree,
            other => {
                return Err(err(
                    n,
                    format!("unknown class {other:?} (known: light-verb, time, admin-unit)"),
                ));
            }
        };
        if out.insert(noun.to_string(), class).is_some() {
            return Err(err(n, format!("{noun:?} listed twice")));
        }
    }
    Ok(out)
}

/// A kinship or friendship noun ("son", "sons").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KinshipNoun {
    /// The property a named relative has to the other person ("Y's son X" →
    /// X `childOf` Y), a local name in the textkg namespace.
    pub property: String,
    /// Whether this is the plural form.
    pub plural: bool,
}

/// Parses `kinship.tsv` (`noun<TAB>plural<TAB>property`) into a map from both
/// forms, strictly: a row with missing columns or a word listed twice is an error.
pub fn parse_kinship(tsv: &str) -> Result<FxHashMap<String, KinshipNoun>, LexiconError> {
    let mut out = FxHashMap::default();
    for row in strict_rows(tsv, "kinship.tsv", 3) {
        let (n, cols) = row?;
        let [noun, plural, property] = cols[..] else {
            continue;
        };
        for (word, is_plural) in [(noun, false), (plural, true)] {
            let entry = KinshipNoun {
                property: property.to_string(),
                plural: is_plural,
            };
            if out.insert(word.to_string(), entry).is_some() {
                return Err(LexiconError {
                    file: "kinship.tsv",
                    line: n,
                    message: format!("{word:?} listed twice"),
                });
            }
        }
    }
    Ok(out)
}

/// Parses `confidence.tsv` (`extractor<TAB>predicate group<TAB>judged<TAB>right<TAB>confidence`),
/// strictly: a row with missing columns, a confidence outside 0..=1 or a
/// repeated group is an error.
pub fn parse_confidence(tsv: &str) -> Result<FxHashMap<(String, String), f32>, LexiconError> {
    let err = |line: usize, message: String| LexiconError {
        file: "confidence.tsv",
        line,
        message,
    };
    let mut out = FxHashMap::default();
    for row in strict_rows(tsv, "confidence.tsv", 5) {
        let (n, cols) = row?;
        let [extractor, group, _judged, _right, confidence] = cols[..] else {
            continue;
        };
        let c: f32 = confidence
            .parse()
            .ok()
            .filter(|c: &f32| (0.0..=1.0).contains(c))
            .ok_or_else(|| err(n, format!("confidence {confidence:?} is not a number in 0..=1")))?;
        if out.insert((extractor.to_string(), group.to_string()), c).is_some() {
            return Err(err(n, format!("group {extractor}/{group} listed twice")));
        }
    }
    Ok(out)
}

/// Parses `predicates.tsv` (`property<TAB>subject types<TAB>object types`),
/// strictly: a row with missing columns, an unknown type or a repeated
/// property is an error.
pub fn parse_predicate_types(tsv: &str) -> Result<FxHashMap<String, PredicateTypes>, LexiconError> {
    let err = |line: usize, message: String| LexiconError {
        file: "predicates.tsv",
        line,
        message,
    };
    let types = |line: usize, field: &str| -> Result<Option<Vec<&'static str>>, LexiconError> {
        if field == "*" {
            return Ok(None);
        }
        field
            .split('|')
            .map(|t| {
                ARGUMENT_TYPES.iter().find(|k| **k == t).copied().ok_or_else(|| {
                    err(
                        line,
                        format!("unknown type {t:?} (known: {})", ARGUMENT_TYPES.join(", ")),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    };
    let mut out = FxHashMap::default();
    for row in strict_rows(tsv, "predicates.tsv", 3) {
        let (n, cols) = row?;
        let [property, subject, object] = cols[..] else {
            continue;
        };
        let entry = PredicateTypes {
            subject: types(n, subject)?,
            object: types(n, object)?,
        };
        if out.insert(property.to_string(), entry).is_some() {
            return Err(err(n, format!("property {property:?} listed twice")));
        }
    }
    Ok(out)
}

/// A news event class: one of CAMEO's 20 root categories ("04" Consult).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventClass {
    /// Two-digit CAMEO root code ("04").
    pub code: String,
    /// CAMEO label ("Consult").
    pub label: String,
    /// Closest PLOVER event type ("CONSULT"), when there is one.
    pub plover: Option<String>,
}

/// The type a name's last word reveals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameHead {
    /// "Fox News", "Supreme Court".
    Organization,
    /// "Alaska Summit", "Cold War".
    Event,
    /// "Red Sea", "Wall Street".
    Place,
}

const GAZETTEER: &str = include_str!("../models/lexicon/gazetteer.tsv");
const DEMONYMS: &str = include_str!("../models/lexicon/demonyms.tsv");
const ROLES: &str = include_str!("../models/lexicon/roles.tsv");
const VERBS: &str = include_str!("../models/lexicon/verbs.tsv");
const EVENT_NOUNS: &str = include_str!("../models/lexicon/nominal_events.tsv");
const STOPWORDS: &str = include_str!("../models/lexicon/stopwords.txt");
const NAME_HEADS: &str = include_str!("../models/lexicon/name_heads.tsv");
const GROUPS: &str = include_str!("../models/lexicon/groups.txt");
const EVENT_TYPES: &str = include_str!("../models/lexicon/event_types.tsv");
const EVENT_VERBS: &str = include_str!("../models/lexicon/event_verbs.tsv");
const GIVEN_NAMES: &str = include_str!("../models/lexicon/given_names.tsv");
const BOILERPLATE: &str = include_str!("../models/lexicon/boilerplate.txt");
const PREDICATES: &str = include_str!("../models/lexicon/predicates.tsv");
const CONFIDENCE: &str = include_str!("../models/lexicon/confidence.tsv");
const KINSHIP: &str = include_str!("../models/lexicon/kinship.tsv");
const NOUN_CLASSES: &str = include_str!("../models/lexicon/noun_classes.tsv");

/// Data rows of a TSV: skips `#` comments, blank lines and the header row.
fn rows(tsv: &str) -> impl Iterator<Item = Vec<&str>> {
    tsv.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split('\t').collect())
}

impl Lexicon {
    /// The lexicon embedded in the binary, parsed on first use.
    pub fn embedded() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(|| {
            let mut lex = Self::parse(GAZETTEER, DEMONYMS, ROLES, VERBS, EVENT_NOUNS, STOPWORDS);
            lex.add_name_heads(NAME_HEADS);
            lex.add_event_classes(EVENT_TYPES, EVENT_VERBS);
            lex.given_names = parse_given_names(GIVEN_NAMES);
            // Embedded at compile time and parsed by a unit test: an error here is a build defect.
            lex.predicate_types = match parse_predicate_types(PREDICATES) {
                Ok(t) => t,
                Err(e) => panic!("embedded lexicon: {e}"),
            };
            lex.confidence = match parse_confidence(CONFIDENCE) {
                Ok(t) => t,
                Err(e) => panic!("embedded lexicon: {e}"),
            };
            lex.kinship = match parse_kinship(KINSHIP) {
                Ok(t) => t,
                Err(e) => panic!("embedded lexicon: {e}"),
            };
            lex.noun_classes = match parse_noun_classes(NOUN_CLASSES) {
                Ok(t) => t,
                Err(e) => panic!("embedded lexicon: {e}"),
            };
            lex.boilerplate = BOILERPLATE
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect();
            lex.groups = GROUPS
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string)
                .collect();
            lex
        })
    }

    /// Parses lexicon files given as text. Malformed rows are skipped: the
    /// embedded files are checked by a unit test, so nothing is lost silently.
    pub fn parse(
        gazetteer: &str,
        demonyms: &str,
        roles: &str,
        verbs: &str,
        event_nouns: &str,
        stopwords: &str,
    ) -> Lexicon {
        let mut lex = Lexicon::default();
        for r in rows(gazetteer) {
            let (Some(surface), Some(class), Some(canonical)) = (r.first(), r.get(1), r.get(2)) else {
                continue;
            };
            let Some(class) = GazetteerClass::parse(class) else {
                continue;
            };
            let qid = r.get(3).filter(|q| !q.is_empty()).map(|q| q.to_string());
            lex.max_name_words = lex.max_name_words.max(surface.split(' ').count());
            lex.name_first_words.insert(first_word(surface).to_string());
            let entries = lex.gazetteer.entry(surface.to_string()).or_default();
            let entry = GazetteerEntry {
                canonical: canonical.to_string(),
                class,
                qid,
            };
            if !entries.contains(&entry) {
                entries.push(entry);
            }
        }
        for r in rows(demonyms) {
            if let (Some(d), Some(c)) = (r.first(), r.get(1)) {
                lex.demonyms.insert(d.to_string(), c.to_string());
            }
        }
        for r in rows(roles) {
            let Some(role) = r.first() else { continue };
            let aliases = r.get(1).copied().unwrap_or("");
            for form in std::iter::once(*role).chain(aliases.split('|')) {
                // Only capitalised titles precede names ("President Putin");
                // lowercase aliases ("lawmaker") are descriptions, not titles.
                if form.chars().next().is_some_and(char::is_uppercase) {
                    lex.max_role_words = lex.max_role_words.max(form.split(' ').count());
                    lex.role_first_words.insert(first_word(form).to_string());
                    lex.roles.insert(form.to_string(), role.to_string());
                }
            }
        }
        for r in rows(verbs) {
            let (Some(lemma), Some(property), Some(kind)) = (r.first(), r.get(2), r.get(3)) else {
                continue;
            };
            let kind = match *kind {
                "speech" => VerbKind::Speech,
                "meet" => VerbKind::Meet,
                _ => VerbKind::Action,
            };
            let prep = r.get(4).filter(|p| !p.is_empty()).map(|p| p.to_string());
            let index = lex.verbs.len();
            lex.verbs.push(VerbEntry {
                lemma: lemma.to_string(),
                property: property.to_string(),
                kind,
                prep,
                words: lemma.split(' ').count(),
            });
            let irregular: Vec<&str> = r
                .get(1)
                .map(|f| f.split('|').filter(|f| !f.is_empty()).collect())
                .unwrap_or_default();
            let mut forms = vec![lemma.to_string()];
            forms.extend(irregular.iter().map(|f| f.to_string()));
            forms.extend(regular_inflections(lemma));
            for form in forms {
                let entries = lex.verb_forms.entry(form).or_default();
                if !entries.contains(&index) {
                    entries.push(index);
                }
            }
        }
        for r in rows(event_nouns) {
            if let (Some(nouns), Some(p)) = (r.first(), r.get(1)) {
                for n in nouns.split('|') {
                    lex.event_nouns.insert(n.to_string(), p.to_string());
                }
            }
        }
        // The first entry is the reading used: a place called by its own name
        // ("Ohio" the state) before one that has the surface as an alias
        // ("Ohio" for Columbus, Ohio), then by class.
        for (surface, entries) in lex.gazetteer.iter_mut() {
            entries.sort_by_key(|e| (e.canonical != *surface, e.class));
        }
        lex.stopwords = stopwords
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(str::split_whitespace)
            .map(str::to_string)
            .collect();
        lex
    }

    /// Adds name-head rows (`word<TAB>Organization|Event|Place`).
    pub fn add_name_heads(&mut self, tsv: &str) {
        for r in rows(tsv) {
            let head = match r.get(1).copied() {
                Some("Organization") => NameHead::Organization,
                Some("Event") => NameHead::Event,
                Some("Place") => NameHead::Place,
                _ => continue,
            };
            if let Some(w) = r.first() {
                self.name_heads.insert(w.to_string(), head);
            }
        }
    }

    /// Adds the event classes (`code<TAB>label<TAB>plover…`) and the
    /// property/verb → class table (`kind<TAB>name<TAB>code`). Rows naming an
    /// unknown code are skipped (a unit test checks the embedded files).
    pub fn add_event_classes(&mut self, classes: &str, members: &str) {
        for r in rows(classes) {
            if let (Some(code), Some(label)) = (r.first(), r.get(1)) {
                let plover = r.get(2).filter(|p| !p.is_empty() && **p != "-").map(|p| p.to_string());
                self.event_classes.push(EventClass {
                    code: code.to_string(),
                    label: label.to_string(),
                    plover,
                });
            }
        }
        for r in rows(members) {
            let (Some(kind), Some(name), Some(code)) = (r.first(), r.get(1), r.get(2)) else {
                continue;
            };
            let Some(index) = self.event_classes.iter().position(|c| c.code == *code) else {
                continue;
            };
            let table = match *kind {
                "property" => &mut self.property_event_class,
                "verb" => &mut self.verb_event_class,
                _ => continue,
            };
            table.insert(name.to_string(), index);
        }
    }

    /// The event class of relations with this ontology property ("meets" → Consult).
    pub fn property_event_class(&self, property: &str) -> Option<&EventClass> {
        self.property_event_class
            .get(property)
            .and_then(|&i| self.event_classes.get(i))
    }

    /// The event class of open relations with this verb lemma ("negotiate" → Consult).
    pub fn verb_event_class(&self, lemma: &str) -> Option<&EventClass> {
        self.verb_event_class
            .get(lemma)
            .and_then(|&i| self.event_classes.get(i))
    }

    /// True when a line (sentence) of text is page furniture ("Advertisement",
    /// "READ MORE: …", "Image copyright Getty Images"): it starts with a
    /// [`Lexicon::boilerplate`] phrase, then ends or goes on with a non-letter.
    pub fn is_boilerplate(&self, line: &str) -> bool {
        let line = line.trim_start_matches(|c: char| !c.is_alphanumeric());
        self.boilerplate.iter().any(|p| {
            line.get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p))
                && line[p.len()..].chars().next().is_none_or(|c| !c.is_alphabetic())
        })
    }

    /// True for a named group: listed, or the plural of a demonym ("Russians").
    pub fn is_group(&self, word: &str) -> bool {
        self.groups.contains(word) || word.strip_suffix('s').is_some_and(|d| self.demonyms.contains_key(d))
    }

    /// Whether some gazetteer surface form starts with the word `word`: a
    /// cheap test that saves the lookups of every longer span starting there.
    pub fn may_start_name(&self, word: &str) -> bool {
        self.name_first_words.contains(word)
    }

    /// Whether some role title starts with the word `word`.
    pub fn may_start_role(&self, word: &str) -> bool {
        self.role_first_words.contains(word)
    }

    /// Gazetteer entries for a surface form, best first (countries before
    /// capitals before regions before other places before organisations).
    pub fn lookup(&self, surface: &str) -> Option<&[GazetteerEntry]> {
        self.gazetteer.get(surface).map(Vec::as_slice)
    }

    /// The (first) verb entry for an inflected (lowercase) form.
    pub fn verb(&self, form: &str) -> Option<&VerbEntry> {
        self.verb_entries(form).next()
    }

    /// Every verb entry for an inflected (lowercase) form, in file order
    /// ("died": `die … in` and `die … at`).
    pub fn verb_entries(&self, form: &str) -> impl Iterator<Item = &VerbEntry> {
        self.verb_forms
            .get(form)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.verbs.get(i))
    }
}

/// The text up to the first whitespace.
pub fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or("")
}

/// Regular English inflections of a (possibly multi-word) verb lemma: only the
/// first word inflects ("hold talks" → "holds talks").
fn regular_inflections(lemma: &str) -> Vec<String> {
    let (head, rest) = match lemma.split_once(' ') {
        Some((h, r)) => (h, format!(" {r}")),
        None => (lemma, String::new()),
    };
    let mut out = Vec::new();
    let ends_e = head.ends_with('e');
    let third = if head.ends_with('s') || head.ends_with("sh") || head.ends_with("ch") || head.ends_with('x') {
        format!("{head}es")
    } else {
        format!("{head}s")
    };
    let past = if ends_e {
        format!("{head}d")
    } else {
        format!("{head}ed")
    };
    let ing = if ends_e && !head.ends_with("ee") {
        format!("{}ing", &head[..head.len() - 1])
    } else {
        format!("{head}ing")
    };
    for f in [third, past, ing] {
        out.push(format!("{f}{rest}"));
    }
    out
}

/// Errors while building the gazetteer from source tables.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerBuildError {
    /// A source file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The IO error.
        source: std::io::Error,
    },
    /// A row of a source file does not parse.
    #[error("{path}:{line}: malformed row")]
    BadRow {
        /// The file.
        path: String,
        /// Line number (1-based).
        line: usize,
    },
    /// A source file lacks an expected column.
    #[error("{path}: missing column {column:?} in the header")]
    MissingColumn {
        /// The file.
        path: String,
        /// The column.
        column: &'static str,
    },
}

/// Countries whose first-level divisions are common in English news.
const ADMIN1_COUNTRIES: &[&str] = &["US", "CA", "AU", "GB", "IN", "CN", "RU", "UA", "DE", "MX", "BR", "JP"];
/// Gazetteer surfaces that are far more often common English words than places.
const NOT_NAMES: &[&str] = &[
    "Nice",
    "Male",
    "Man",
    "Island",
    "San",
    "Of",
    "Most",
    "Reading",
    "Mobile",
    "Bath",
    "Split",
    "Police",
    "March",
    "May",
    "Best",
    "Along",
    "Union",
    "Republic",
    "Central",
    "North",
    "South",
    "East",
    "West",
    "Sale",
    "Opportunity",
    // The source's short name of the Jewish Autonomous Oblast: as a word, an adjective.
    "Jewish",
];
/// Cities smaller than this (metro population) are left out unless capitals:
/// small-town names collide with common words and surnames far more often than
/// news mentions them.
const MIN_CITY_POPULATION: u64 = 200_000;

/// A city named like a first-level division of another country is kept only
/// from this (metro) population up: below it the division is the usual reading.
const MIN_NAMESAKE_POPULATION: u64 = 1_000_000;

/// Builds `gazetteer.tsv` and `demonyms.tsv` (returned as text, in that order)
/// from the gazetteer folder of the shared data (`countries.tsv`, `cities.tsv`,
/// `admin1.tsv`, `organizations.tsv`) plus the hand-written `regions.tsv` and
/// `organizations_extra.tsv`.
/// Output is sorted, so rebuilding gives byte-identical files.
pub fn build_gazetteer(
    source_dir: &Path,
    regions_tsv: &str,
    extra_organizations_tsv: &str,
) -> Result<(String, String), GazetteerBuildError> {
    let read = |name: &str| {
        let path = source_dir.join(name);
        std::fs::read_to_string(&path).map_err(|source| GazetteerBuildError::Read {
            path: path.display().to_string(),
            source,
        })
    };
    let mut rows_out: Vec<(String, GazetteerClass, String, String)> = Vec::new();
    let mut demonyms: Vec<(String, String)> = Vec::new();
    let mut add = |surface: &str, class: GazetteerClass, canonical: &str, qid: &str| {
        let surface = surface.trim();
        let surface = surface.strip_prefix("the ").unwrap_or(surface);
        let ok = surface.chars().count() >= 2
            && surface.chars().next().is_some_and(char::is_uppercase)
            && surface.chars().all(|c| c.is_ascii() || c.is_alphabetic())
            && !surface.contains('\t')
            && !NOT_NAMES.contains(&surface);
        if ok {
            rows_out.push((surface.to_string(), class, canonical.to_string(), qid.to_string()));
        }
    };

    let countries = read("countries.tsv")?;
    let table = Table::new(&countries, "countries.tsv")?;
    for r in table.rows() {
        let (qid, name) = (table.get(&r, "qid")?, table.get(&r, "name")?);
        add(name, GazetteerClass::Country, name, qid);
        for a in table.get(&r, "aliases")?.split('|') {
            add(a, GazetteerClass::Country, name, qid);
        }
        for d in table.get(&r, "demonyms")?.split('|') {
            let d = d.trim();
            if !d.is_empty() {
                demonyms.push((d.to_string(), name.to_string()));
            }
        }
        // "US President", "UK Prime Minister": short country names act as adjectives.
        for a in table.get(&r, "aliases")?.split('|') {
            let a = a.trim();
            if (2..=4).contains(&a.len()) && a.chars().all(|c| c.is_ascii_uppercase() || c == '.') {
                demonyms.push((a.to_string(), name.to_string()));
            }
        }
    }

    // First-level divisions first: the cities below are checked against them.
    let admin = read("admin1.tsv")?;
    let table = Table::new(&admin, "admin1.tsv")?;
    let mut divisions: Vec<(&str, &str)> = Vec::new();
    for r in table.rows() {
        let country = table.get(&r, "country_iso2")?;
        if !ADMIN1_COUNTRIES.contains(&country) {
            continue;
        }
        let (qid, name) = (table.get(&r, "qid")?, table.get(&r, "name")?);
        let kind = table.get(&r, "type")?;
        // The UK's constituent countries (England, Scotland, Wales) are
        // first-level divisions that English calls countries; a city that is
        // a division of its own ("Saint Petersburg") is a city.
        let class = if kind == "country" {
            GazetteerClass::Country
        } else if kind.contains("city") {
            GazetteerClass::City
        } else {
            divisions.push((name, country));
            GazetteerClass::AdministrativeArea
        };
        add(name, class, name, qid);
    }

    let cities = read("cities.tsv")?;
    let table = Table::new(&cities, "cities.tsv")?;
    for r in table.rows() {
        let population: u64 = table.get(&r, "population")?.parse().unwrap_or(0);
        let capital = table.get(&r, "feature_class")?.contains("capital");
        if population < MIN_CITY_POPULATION && !capital {
            continue;
        }
        let (qid, name) = (table.get(&r, "qid")?, table.get(&r, "name")?);
        let country = table.get(&r, "country_iso2")?;
        // A town named like a division of another country gives way to the
        // division unless it is a large city: "Florida" is the US state, not
        // Florida (Uruguay); "Montana" the state, not Montana (Bulgaria).
        let foreign_division = |surface: &str| {
            population < MIN_NAMESAKE_POPULATION && divisions.iter().any(|&(n, c)| n == surface.trim() && c != country)
        };
        if !foreign_division(name) {
            add(name, GazetteerClass::City, name, qid);
        }
        // The source lists some cities' own state as an alias ("Florida" for
        // Jacksonville, "Ohio" for Columbus): a listed state is not its city.
        let own_division = |surface: &str| {
            surface.trim() == table.get(&r, "admin1").unwrap_or("")
                && divisions.iter().any(|&(n, c)| n == surface.trim() && c == country)
        };
        for a in table.get(&r, "aliases")?.split('|') {
            if !own_division(a) && !foreign_division(a) {
                add(a, GazetteerClass::City, name, qid);
            }
        }
    }

    let orgs = read("organizations.tsv")?;
    let table = Table::new(&orgs, "organizations.tsv")?;
    for r in table.rows() {
        let (qid, name) = (table.get(&r, "qid")?, table.get(&r, "name")?);
        add(name, GazetteerClass::Organization, name, qid);
        for a in table.get(&r, "aliases")?.split('|').chain([table.get(&r, "acronym")?]) {
            add(a, GazetteerClass::Organization, name, qid);
        }
    }

    for (tsv, class) in [
        (extra_organizations_tsv, GazetteerClass::Organization),
        (regions_tsv, GazetteerClass::Region),
    ] {
        // Hand-written tables: name, aliases (| separated), Wikidata id.
        for r in rows(tsv) {
            let Some(name) = r.first() else { continue };
            let qid = r.get(2).copied().unwrap_or("");
            add(name, class, name, qid);
            for a in r.get(1).copied().unwrap_or("").split('|') {
                add(a, class, name, qid);
            }
        }
    }

    rows_out.sort();
    rows_out.dedup();
    let mut gaz = String::from(
        "# Derived by `textkg train gazetteer` from ../shared/data/gazetteer (ODbL-1.0 countries/admin1, public-domain\n\
         # Natural Earth cities, CC0 organisations) and models/lexicon/{regions,organizations_extra}.tsv (CC0). Licence: ODbL-1.0.\n\
         surface\tclass\tcanonical\tqid\n",
    );
    for (s, c, n, q) in rows_out {
        gaz.push_str(&format!("{s}\t{}\t{n}\t{q}\n", c.as_str()));
    }
    demonyms.sort();
    demonyms.dedup_by(|a, b| a.0 == b.0);
    let mut dem = String::from(
        "# Derived by `textkg train gazetteer` from ../shared/data/gazetteer/countries.tsv. Licence: ODbL-1.0.\n\
         demonym\tcountry\n",
    );
    for (d, c) in demonyms {
        dem.push_str(&format!("{d}\t{c}\n"));
    }
    Ok((gaz, dem))
}

/// A TSV with a header row, addressed by column name.
struct Table<'a> {
    text: &'a str,
    header: Vec<&'a str>,
    path: &'static str,
}

impl<'a> Table<'a> {
    fn new(text: &'a str, path: &'static str) -> Result<Self, GazetteerBuildError> {
        let header = text.lines().next().unwrap_or("").split('\t').collect();
        Ok(Self { text, header, path })
    }

    fn rows(&self) -> impl Iterator<Item = Vec<&'a str>> + '_ {
        self.text.lines().skip(1).map(|l| l.split('\t').collect())
    }

    fn get(&self, row: &[&'a str], column: &'static str) -> Result<&'a str, GazetteerBuildError> {
        let i = self
            .header
            .iter()
            .position(|h| *h == column)
            .ok_or(GazetteerBuildError::MissingColumn {
                path: self.path.to_string(),
                column,
            })?;
        Ok(row.get(i).copied().unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_state_is_not_its_city_nor_a_foreign_namesake() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "countries.tsv",
            "qid\tname\taliases\tdemonyms\nQ30\tUnited States\tUS\tAmerican\n",
        );
        write(
            "cities.tsv",
            "qid\tname\taliases\tcountry_iso2\tadmin1\tpopulation\tfeature_class\n\
             Q1\tJacksonville\tFlorida|Jacksonville, Florida\tUS\tFlorida\t988000\tPopulated place\n\
             Q2\tMontana\t\tBG\tMontana\t47445\tAdmin-1 capital\n\
             Q3\tSaint Petersburg\tSt. Petersburg\tRU\tSaint Petersburg\t4500000\tAdmin-1 capital\n",
        );
        write(
            "admin1.tsv",
            "qid\tname\tcountry_iso2\ttype\n\
             Q812\tFlorida\tUS\tstate\nQ1212\tMontana\tUS\tstate\nQ656\tSaint Petersburg\tRU\tautonomous city\n",
        );
        write("organizations.tsv", "qid\tname\taliases\tacronym\n");
        let (gaz, _) = build_gazetteer(dir.path(), "", "").unwrap();
        let rows: Vec<&str> = gaz.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(rows.contains(&"Florida\tAdministrativeArea\tFlorida\tQ812"), "{gaz}");
        assert!(!rows.iter().any(|r| r.starts_with("Florida\tCity")), "{gaz}");
        assert!(rows.contains(&"Jacksonville, Florida\tCity\tJacksonville\tQ1"), "{gaz}");
        assert!(!rows.iter().any(|r| r.starts_with("Montana\tCity")), "{gaz}");
        assert!(
            rows.contains(&"Saint Petersburg\tCity\tSaint Petersburg\tQ656"),
            "{gaz}"
        );
        assert!(rows.contains(&"St. Petersburg\tCity\tSaint Petersburg\tQ3"), "{gaz}");
    }

    #[test]
    fn noun_classes_load_strictly() {
        let table = parse_noun_classes(NOUN_CLASSES).unwrap();
        let rows = NOUN_CLASSES
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(table.len(), rows - 1, "a row was skipped");
        assert_eq!(table["birth"], NounClass::LightVerb);
        assert_eq!(table["yesterday"], NounClass::Time);
        assert_eq!(table["county"], NounClass::AdminUnit);
        assert!(parse_noun_classes("h\nbirth\tidiom\n").is_err());
        assert!(parse_noun_classes("h\nbirth\n").is_err());
        assert!(parse_noun_classes("h\nbirth\ttime\nbirth\ttime\n").is_err());
    }

    #[test]
    fn kinship_table_loads_strictly_with_declared_properties() {
        let table = parse_kinship(KINSHIP).unwrap();
        let rows = KINSHIP.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).count();
        assert_eq!(table.len(), 2 * (rows - 1), "a row was skipped");
        let types = parse_predicate_types(PREDICATES).unwrap();
        for n in table.values() {
            assert!(
                types.contains_key(&n.property),
                "{} is not in predicates.tsv",
                n.property
            );
        }
        assert_eq!(table["sons"].property, "childOf");
        assert!(table["sons"].plural && !table["son"].plural);
        assert!(parse_kinship("h\nson\tsons\n").is_err());
        assert!(parse_kinship("h\nson\tsons\tchildOf\nson\tsonny\tchildOf\n").is_err());
    }

    #[test]
    fn confidence_table_loads_strictly() {
        let table = parse_confidence(CONFIDENCE).unwrap();
        let rows = CONFIDENCE
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(table.len(), rows - 1, "a row was skipped");
        assert!(parse_confidence("h\nx\ty\t1\t1\t1.5\n").is_err());
        assert!(parse_confidence("h\nx\ty\t1\t1\n").is_err());
        assert!(parse_confidence("h\nx\ty\t1\t1\t0.5\nx\ty\t1\t1\t0.5\n").is_err());
        assert_eq!(
            parse_confidence("h\nx\ty\t3\t2\t0.6\n").unwrap()[&("x".into(), "y".into())],
            0.6
        );
    }

    #[test]
    fn predicate_types_load_strictly_and_cover_every_property_the_lexicon_names() {
        let table = parse_predicate_types(PREDICATES).unwrap();
        let lex = Lexicon::embedded();
        for v in lex.verbs.iter().filter(|v| v.property != "says") {
            assert!(table.contains_key(&v.property), "{} not in predicates.tsv", v.property);
        }
        for p in lex.event_nouns.values() {
            assert!(table.contains_key(p), "{p} not in predicates.tsv");
        }
        let rows = PREDICATES
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(table.len(), rows - 1, "a row was skipped");
        assert!(table["worksFor"].allows("Person", "Organization"));
        assert!(!table["worksFor"].allows("Thing", "Organization"));
        assert!(table["condemns"].allows("Place", "Thing"));
        let bad = "property\tsubject\tobject\nworksFor\tPerson\tCompany\n";
        let e = parse_predicate_types(bad).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("Company"), "{e}");
        assert!(parse_predicate_types("p\ts\to\nx\tPerson\n").is_err());
        assert!(parse_predicate_types("p\ts\to\nx\t*\t*\nx\t*\t*\n").is_err());
    }
    use super::*;

    #[test]
    fn event_classes_are_complete_and_every_row_resolves() {
        let lex = Lexicon::embedded();
        let codes: Vec<&str> = lex.event_classes.iter().map(|c| c.code.as_str()).collect();
        let expected: Vec<String> = (1..=20).map(|i| format!("{i:02}")).collect();
        assert_eq!(codes, expected);
        // Every member row names a known code (unknown ones would be skipped).
        let members = rows(EVENT_VERBS).count();
        assert_eq!(lex.property_event_class.len() + lex.verb_event_class.len(), members);
        assert_eq!(
            lex.property_event_class("meets").map(|c| c.label.as_str()),
            Some("Consult")
        );
        assert_eq!(lex.verb_event_class("arrest").map(|c| c.code.as_str()), Some("17"));
        assert_eq!(lex.property_event_class("worksFor"), None, "states are not events");
        // Classified properties are real lexicon properties.
        for p in lex.property_event_class.keys() {
            assert!(
                lex.verbs.iter().any(|v| &v.property == p),
                "{p} is not a verb-lexicon property"
            );
        }
        // A verb row must not shadow a verb that has an ontology property.
        for v in lex.verb_event_class.keys() {
            assert!(
                lex.verb(v).is_none(),
                "{v} has a property: classify the property instead"
            );
        }
    }

    #[test]
    fn embedded_lexicon_has_the_basics() {
        let lex = Lexicon::embedded();
        let us = lex.lookup("US").expect("US in gazetteer");
        assert_eq!(us[0].canonical, "United States");
        assert_eq!(us[0].class, GazetteerClass::Country);
        assert!(
            lex.lookup("Moscow")
                .is_some_and(|e| e.iter().any(|e| e.class == GazetteerClass::City))
        );
        assert!(
            lex.lookup("NATO")
                .is_some_and(|e| e[0].class == GazetteerClass::Organization)
        );
        assert!(lex.lookup("Europe").is_some());
        assert_eq!(lex.demonyms.get("Russian").map(String::as_str), Some("Russia"));
        assert_eq!(lex.roles.get("President").map(String::as_str), Some("President"));
        assert_eq!(lex.verb("suggested").map(|v| v.property.as_str()), Some("suggests"));
        assert_eq!(lex.verb("met").map(|v| v.kind), Some(VerbKind::Meet));
        assert_eq!(lex.verb("quipped").map(|v| v.kind), Some(VerbKind::Speech));
        assert!(lex.stopwords.contains("the"));
        assert_eq!(lex.name_heads.get("News"), Some(&NameHead::Organization));
    }

    #[test]
    fn given_names_load_without_loss_and_tell_gender() {
        let lex = Lexicon::embedded();
        assert_eq!(lex.given_names.len(), rows(GIVEN_NAMES).count(), "a row did not parse");
        let g = |n: &str| lex.given_names.get(n).and_then(|g| g.gender(10.0));
        assert_eq!(g("James"), Some(NameGender::Male));
        assert_eq!(g("Mary"), Some(NameGender::Female));
        assert!(lex.given_names.contains_key("Anna"));
        assert!(!lex.given_names.contains_key("Moscow"));
    }

    #[test]
    fn boilerplate_lines_are_recognised_by_their_start() {
        let lex = Lexicon::embedded();
        assert!(lex.is_boilerplate("Advertisement"));
        assert!(lex.is_boilerplate("READ MORE: Senator Lee resigns"));
        assert!(lex.is_boilerplate("Advertisement Continue reading the main story"));
        assert!(!lex.is_boilerplate("Advertisements for the show ran all week."));
        assert!(!lex.is_boilerplate("Readers wrote to Senator Lee."));
    }

    #[test]
    fn given_names_build_from_census_lists() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("dist.male.first"),
            "JAMES          3.318  3.318      1\nJORDAN  0.100 3.4 2\n",
        )
        .expect("write");
        std::fs::write(
            dir.path().join("dist.female.first"),
            "MARY 2.629 2.629 1\nJORDAN 0.050 2.7 2\n",
        )
        .expect("write");
        let tsv = build_given_names(dir.path()).expect("builds");
        let names = parse_given_names(&tsv);
        assert_eq!(names.len(), 3);
        assert_eq!(
            names["Jordan"],
            GivenName {
                male: 0.1,
                female: 0.05
            }
        );
        assert_eq!(names["Jordan"].gender(10.0), None);
        assert_eq!(names["Mary"].gender(10.0), Some(NameGender::Female));
        std::fs::write(dir.path().join("dist.female.first"), "MARY x 2.629 1\n").expect("write");
        assert!(matches!(
            build_given_names(dir.path()),
            Err(GazetteerBuildError::BadRow { line: 1, .. })
        ));
    }

    #[test]
    fn regular_inflections_handle_final_e_and_multiword_lemmas() {
        assert_eq!(regular_inflections("suggest"), ["suggests", "suggested", "suggesting"]);
        assert_eq!(regular_inflections("invite"), ["invites", "invited", "inviting"]);
        assert_eq!(regular_inflections("brief"), ["briefs", "briefed", "briefing"]);
        assert_eq!(regular_inflections("hold talks")[0], "holds talks");
    }
}

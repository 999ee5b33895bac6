//! Named-entity recognizer: greedy left-to-right averaged perceptron over
//! BILOU tags (PER, ORG, LOC, MISC) with lexical, shape, context, gazetteer,
//! word-cluster ([`crate::ner::clusters`]) and document-level features.
//!
//! Decoding is constrained so that the output is always a valid BILOU
//! sequence. Document-level (non-local) features, in the spirit of Ratinov &
//! Roth (2009):
//! * whether the lowercased word occurs capitalised mid-sentence / in
//!   lowercase elsewhere in the document;
//! * the type the model gave this word earlier in the same document.

use crate::ner::clusters::{self, MAX_LEVELS, WordClusters};
use crate::ner::conll::{Document, EntityLabel, Span};
use crate::ner::eval::Evaluation;
use crate::ner::gazetteer::{GazMatch, Gazetteer};
use crate::ner::names::NameList;
use crate::nlp::binio::{BinError, Reader, Writer};
use crate::nlp::perceptron::{IdMap, Model, PruneOptions, Trainer, hash_str, mix, mix2};

/// Number of BILOU tags: `O` plus B/I/L/U for each of the 4 types.
pub const N_TAGS: usize = 1 + 4 * 4;

/// Position of a token in an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bilou {
    /// First token of a multi-token entity.
    Begin,
    /// Inside a multi-token entity.
    Inside,
    /// Last token of a multi-token entity.
    Last,
    /// Single-token entity.
    Unit,
}

/// A BILOU tag (`O`, or a position and an entity type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag(u8);

impl Tag {
    /// Outside any entity.
    pub const O: Tag = Tag(0);

    /// The tag for `pos` in an entity of type `label`.
    pub fn new(pos: Bilou, label: EntityLabel) -> Tag {
        Tag(1 + 4 * label.index() as u8 + pos as u8)
    }

    /// Class index (`0..N_TAGS`).
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// Tag with class index `i`, if in range.
    pub fn from_index(i: usize) -> Option<Tag> {
        (i < N_TAGS).then_some(Tag(i as u8))
    }

    /// Position and type; `None` for `O`.
    pub fn parts(self) -> Option<(Bilou, EntityLabel)> {
        let i = (self.0 as usize).checked_sub(1)?;
        let pos = match i % 4 {
            0 => Bilou::Begin,
            1 => Bilou::Inside,
            2 => Bilou::Last,
            _ => Bilou::Unit,
        };
        Some((pos, EntityLabel::from_index(i / 4)?))
    }

    /// The tag with `B` and `L` swapped (for reversed sequences).
    pub fn flip(self) -> Tag {
        match self.parts() {
            Some((Bilou::Begin, l)) => Tag::new(Bilou::Last, l),
            Some((Bilou::Last, l)) => Tag::new(Bilou::Begin, l),
            _ => self,
        }
    }

    /// Entity type, `None` for `O`.
    pub fn label(self) -> Option<EntityLabel> {
        self.parts().map(|p| p.1)
    }

    /// Whether `self` may follow `prev`; `last` says `self` is the
    /// sentence's last token (then it must close any entity).
    pub fn may_follow(self, prev: Tag, last: bool) -> bool {
        let open = matches!(prev.parts(), Some((Bilou::Begin | Bilou::Inside, _)));
        match (prev.parts(), self.parts()) {
            (Some((_, pl)), Some((pos, l))) if open => {
                l == pl && (pos == Bilou::Last || (pos == Bilou::Inside && !last))
            }
            (_, _) if open => false,
            (_, None) => true,
            (_, Some((pos, _))) => pos == Bilou::Unit || (pos == Bilou::Begin && !last),
        }
    }
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.parts() {
            None => f.write_str("O"),
            Some((p, l)) => {
                let c = match p {
                    Bilou::Begin => 'B',
                    Bilou::Inside => 'I',
                    Bilou::Last => 'L',
                    Bilou::Unit => 'U',
                };
                write!(f, "{c}-{l}")
            }
        }
    }
}

/// BILOU tags for `n` tokens with entities `spans` (overlapping or
/// out-of-range spans are skipped).
pub fn spans_to_bilou(n: usize, spans: &[Span]) -> Vec<Tag> {
    let mut tags = vec![Tag::O; n];
    for s in spans {
        if s.start >= s.end || s.end > n || tags[s.start..s.end].iter().any(|&t| t != Tag::O) {
            continue;
        }
        if s.end - s.start == 1 {
            tags[s.start] = Tag::new(Bilou::Unit, s.label);
        } else {
            tags[s.start] = Tag::new(Bilou::Begin, s.label);
            for t in &mut tags[s.start + 1..s.end - 1] {
                *t = Tag::new(Bilou::Inside, s.label);
            }
            tags[s.end - 1] = Tag::new(Bilou::Last, s.label);
        }
    }
    tags
}

/// Entities of a BILOU sequence. Invalid sequences are read leniently (an
/// unclosed or type-changing entity ends where the next one starts).
pub fn bilou_to_spans(tags: &[Tag]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, EntityLabel)> = None;
    for (i, t) in tags.iter().enumerate() {
        match t.parts() {
            None => {
                if let Some((s, l)) = open.take() {
                    spans.push(Span {
                        start: s,
                        end: i,
                        label: l,
                    });
                }
            }
            Some((pos, l)) => {
                let cont = matches!(open, Some((_, ol)) if ol == l) && matches!(pos, Bilou::Inside | Bilou::Last);
                if !cont {
                    if let Some((s, ol)) = open.take() {
                        spans.push(Span {
                            start: s,
                            end: i,
                            label: ol,
                        });
                    }
                    open = Some((i, l));
                }
                if matches!(pos, Bilou::Last | Bilou::Unit)
                    && let Some((s, ol)) = open.take()
                {
                    spans.push(Span {
                        start: s,
                        end: i + 1,
                        label: ol,
                    });
                }
            }
        }
    }
    if let Some((s, l)) = open {
        spans.push(Span {
            start: s,
            end: tags.len(),
            label: l,
        });
    }
    spans
}

// Feature template ids.
const T_BIAS: u32 = 1;
const T_WORD: u32 = 2;
const T_LOWER: u32 = 3;
const T_SHAPE: u32 = 4;
const T_SSHAPE: u32 = 5;
const T_PRE: u32 = 6;
const T_SUF: u32 = 7;
const T_FLAGS: u32 = 8;
const T_CTX: u32 = 9;
const T_CTX_SH: u32 = 10;
const T_SH3: u32 = 11;
const T_BI_L: u32 = 12;
const T_BI_R: u32 = 13;
const T_P1: u32 = 14;
const T_P12: u32 = 15;
const T_P1W: u32 = 16;
const T_P1SH: u32 = 17;
const T_GAZ: u32 = 18;
const T_ROLE: u32 = 19;
const T_DEM: u32 = 20;
const T_DOC: u32 = 21;
const T_HIST: u32 = 22;
const T_HEAD_W: u32 = 23;
const T_W_NSH: u32 = 24;
const T_PSH_W: u32 = 25;
const T_CTX_EXACT: u32 = 26;
const T_GAZ_CTX: u32 = 27;
const T_HIST_CTX: u32 = 28;
const T_SUF_SH: u32 = 29;
const T_CAPRUN: u32 = 30;
const T_CAPPRIOR: u32 = 31;
const T_ELEX: u32 = 32;
const T_TOPIC: u32 = 33;
const T_NUM: u32 = 34;
const T_CLU: u32 = 35;
const T_CLU_P1: u32 = 36;
const T_NAME: u32 = 37;

// Token flag bits.
const F_INIT_CAP: u32 = 1;
const F_ALL_CAPS: u32 = 2;
const F_DIGIT: u32 = 4;
const F_HYPHEN: u32 = 8;
const F_FIRST: u32 = 16;
const F_PERIOD: u32 = 32;
const F_HEADLINE: u32 = 64;
const F_ALPHA: u32 = 128;
const F_LOWER: u32 = 256;

/// Per-token precomputed values.
#[derive(Debug, Clone, Copy, Default)]
struct Tok {
    word: u64,
    lower: u64,
    shape: u64,
    sshape: u64,
    pre: [u64; 4],
    suf: [u64; 4],
    flags: u32,
    /// Indices into the sentence's gazetteer matches are found by scanning.
    role: bool,
    demonym: bool,
    /// Capitalisation prior bucket (0 = unknown word), see [`cap_prior`].
    cap_prior: u8,
    /// Word-cluster ids of the lowercased word ([`clusters::UNKNOWN`] if none).
    clu: [u16; MAX_LEVELS],
    /// Name-list classes of the lowercased word ([`NameList::code`]; 0 = none).
    name: u8,
}

/// Padding value hash for context outside the sentence.
const PAD: u64 = 0x9ad0_0000_0000_0001;

fn analyse(word: &str) -> Tok {
    // Most words are ASCII: lowercase them on the stack, without allocating.
    let mut ascii = [0u8; 32];
    let owned;
    let lower: &str = match ascii.get_mut(..word.len()) {
        Some(buf) if word.is_ascii() => {
            buf.copy_from_slice(word.as_bytes());
            buf.make_ascii_lowercase();
            std::str::from_utf8(buf).unwrap_or_default()
        }
        _ => {
            owned = word.to_lowercase();
            &owned
        }
    };
    let mut flags = 0;
    let mut n_upper = 0;
    let mut n_lower = 0;
    let mut shape_h = 0xcbf2_9ce4_8422_2325u64;
    let mut sshape_h = shape_h;
    let mut last_class = '\0';
    let mut run = 0;
    let mut shape_len = 0;
    for (i, c) in word.chars().enumerate() {
        let class = if c.is_uppercase() {
            n_upper += 1;
            if i == 0 {
                flags |= F_INIT_CAP;
            }
            'X'
        } else if c.is_lowercase() {
            n_lower += 1;
            'x'
        } else if c.is_ascii_digit() {
            flags |= F_DIGIT;
            'd'
        } else if c.is_alphabetic() {
            'a'
        } else {
            if c == '-' {
                flags |= F_HYPHEN;
            }
            if c == '.' {
                flags |= F_PERIOD;
            }
            c
        };
        if class == last_class {
            run += 1;
        } else {
            run = 1;
            sshape_h = (sshape_h ^ class as u64).wrapping_mul(0x100_0000_01b3);
        }
        if run <= 4 && shape_len < 16 {
            shape_h = (shape_h ^ class as u64).wrapping_mul(0x100_0000_01b3);
            shape_len += 1;
        }
        last_class = class;
    }
    if n_upper > 0 && n_lower == 0 {
        flags |= F_ALL_CAPS;
    }
    if n_upper + n_lower > 0 {
        flags |= F_ALPHA;
    }
    if n_lower > 0 && n_upper == 0 {
        flags |= F_LOWER;
    }
    let mut pre = [0u64; 4];
    let mut suf = [0u64; 4];
    for k in 1..=4 {
        // End of the first k characters and start of the last k, if the
        // word has k characters.
        let end = lower.char_indices().nth(k).map_or(lower.len(), |(i, _)| i);
        if let Some((start, _)) = lower.char_indices().nth_back(k - 1) {
            pre[k - 1] = mix2(T_PRE, k as u64, hash_str(&lower[..end]));
            suf[k - 1] = mix2(T_SUF, k as u64, hash_str(&lower[start..]));
        }
    }
    Tok {
        word: hash_str(word),
        lower: hash_str(lower),
        shape: shape_h,
        sshape: sshape_h,
        pre,
        suf,
        flags,
        role: false,
        demonym: false,
        cap_prior: 0,
        clu: [clusters::UNKNOWN; MAX_LEVELS],
        name: 0,
    }
}

/// A sentence prepared for tagging.
struct Prepared {
    toks: Vec<Tok>,
    gaz: Vec<GazMatch>,
    /// Matches of the lexicon of training-data entity strings.
    elex: Vec<GazMatch>,
    /// Sentence-level casing style (0 = normal, 1 = starts lowercase, 2 = has lowercase "i").
    lowercase_style: u8,
    /// Share of tokens with digits (0 = none, 1 = < 20 %, 2 = < 40 %, 3 = more): tables, results.
    digits: u8,
    /// Number of word-cluster granularities (0 = no cluster table).
    clu_levels: usize,
}

fn is_headline(toks: &[Tok]) -> bool {
    let alpha = toks.iter().filter(|t| t.flags & F_ALPHA != 0).count();
    let caps = toks
        .iter()
        .filter(|t| t.flags & F_ALL_CAPS != 0 && t.flags & F_ALPHA != 0)
        .count();
    alpha >= 2 && caps * 10 >= alpha * 8
}

fn prepare<S: AsRef<str>>(
    words: &[S],
    gaz: &Gazetteer,
    caps: &IdMap<u8>,
    elex: &Gazetteer,
    clusters: &WordClusters,
    names: &NameList,
) -> Prepared {
    let mut toks: Vec<Tok> = words.iter().map(|w| analyse(w.as_ref())).collect();
    let headline = is_headline(&toks);
    for (i, t) in toks.iter_mut().enumerate() {
        if i == 0 {
            t.flags |= F_FIRST;
        }
        if headline {
            t.flags |= F_HEADLINE;
        }
        t.role = gaz.is_role(t.lower);
        t.demonym = gaz.is_demonym(t.lower);
        t.cap_prior = caps.get(&t.lower).copied().unwrap_or(0);
        if !clusters.is_empty() {
            t.clu = clusters.get(t.lower);
        }
        if !names.is_empty() {
            t.name = names.code(t.lower);
        }
    }
    let w: Vec<u64> = toks.iter().map(|t| t.word).collect();
    let l: Vec<u64> = toks.iter().map(|t| t.lower).collect();
    let mut m = Vec::new();
    gaz.find(&w, &l, &mut m);
    let mut e = Vec::new();
    elex.find(&w, &l, &mut e);
    let first_alpha = toks.iter().find(|t| t.flags & F_ALPHA != 0);
    let lowercase_style = if words.iter().any(|w| w.as_ref() == "i") {
        2
    } else if first_alpha.is_some_and(|t| t.flags & F_LOWER != 0) {
        1
    } else {
        0
    };
    let n_digit = toks.iter().filter(|t| t.flags & F_DIGIT != 0).count();
    let digits = if n_digit == 0 {
        0
    } else if n_digit * 5 < toks.len() {
        1
    } else if n_digit * 5 < toks.len() * 2 {
        2
    } else {
        3
    };
    Prepared {
        toks,
        gaz: m,
        elex: e,
        lowercase_style,
        digits,
        clu_levels: clusters.levels(),
    }
}

/// Capitalisation prior of the training vocabulary: for each lowercased
/// word seen at least twice in a position where case is informative
/// (mid-sentence, not in an all-caps headline), a bucket of the share of
/// capitalised occurrences (1..=5) combined with a frequency bucket.
fn cap_prior<'a>(docs: impl Iterator<Item = &'a Document>) -> IdMap<u8> {
    let mut counts: IdMap<(u32, u32)> = IdMap::default();
    for d in docs {
        for s in &d.sentences {
            let toks: Vec<Tok> = s.words.iter().map(|w| analyse(w)).collect();
            if is_headline(&toks) {
                continue;
            }
            for (i, t) in toks.iter().enumerate() {
                if i == 0 || sentence_break(&s.words[i - 1]) || t.flags & F_ALPHA == 0 {
                    continue;
                }
                let c = counts.entry(t.lower).or_insert((0, 0));
                if t.flags & F_INIT_CAP != 0 {
                    c.0 += 1;
                }
                c.1 += 1;
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, (_, n))| *n >= 2)
        .map(|(k, (cap, n))| {
            let r = f64::from(cap) / f64::from(n);
            let rb = if r < 0.05 {
                1
            } else if r < 0.3 {
                2
            } else if r < 0.7 {
                3
            } else if r < 0.95 {
                4
            } else {
                5
            };
            let nb = if n < 5 {
                0
            } else if n < 20 {
                1
            } else {
                2
            };
            (k, rb * 3 + nb)
        })
        .collect()
}

/// Lexicon of the entity strings of `docs` (class bits `1 << label`).
fn entity_lexicon<'a>(docs: impl Iterator<Item = &'a Document>) -> Gazetteer {
    let mut g = Gazetteer::new();
    for d in docs {
        for s in &d.sentences {
            for sp in &s.spans {
                if let Some(toks) = s.words.get(sp.start..sp.end) {
                    g.add_tokens(toks, 1 << sp.label.index());
                }
            }
        }
    }
    g
}

/// Document-level memory.
#[derive(Default)]
struct DocCtx {
    /// lowercased word → bit 1: seen capitalised mid-sentence; bit 2: seen in lowercase.
    seen: IdMap<u8>,
    /// lowercased word → 1 + label index of its last predicted entity (×2, +1 if it was the entity's first token).
    history: IdMap<u8>,
    /// The document's first word, lowercased (in news, often the topic: "soccer", "cricket").
    topic: u64,
}

fn sentence_break(word: &str) -> bool {
    matches!(
        word,
        "." | "!" | "?" | ":" | "\"" | "``" | "''" | "-" | "--" | ";" | "(" | "'"
    )
}

impl DocCtx {
    fn new<S: AsRef<str>>(sentences: &[Vec<S>], toks: &[Prepared]) -> DocCtx {
        let mut seen: IdMap<u8> = IdMap::default();
        for (s, p) in sentences.iter().zip(toks) {
            for (i, t) in p.toks.iter().enumerate() {
                if t.flags & F_HEADLINE != 0 {
                    break;
                }
                let mid = i > 0 && !sentence_break(s[i - 1].as_ref());
                let bit = if t.flags & F_INIT_CAP != 0 && t.flags & F_ALL_CAPS == 0 && mid {
                    1
                } else if t.flags & F_LOWER != 0 {
                    2
                } else {
                    0
                };
                if bit != 0 {
                    *seen.entry(t.lower).or_insert(0) |= bit;
                }
            }
        }
        let topic = toks
            .first()
            .and_then(|p| p.toks.iter().find(|t| t.flags & F_ALPHA != 0))
            .map_or(PAD, |t| t.lower);
        DocCtx {
            seen,
            history: IdMap::default(),
            topic,
        }
    }

    fn remember(&mut self, toks: &[Tok], spans: &[Span]) {
        for s in spans {
            for (i, t) in toks.iter().enumerate().take(s.end).skip(s.start) {
                if t.flags & F_ALPHA != 0 && t.flags & F_LOWER == 0 {
                    let v = 2 * (1 + s.label.index() as u8) + u8::from(i == s.start);
                    self.history.insert(t.lower, v);
                }
            }
        }
    }
}

/// Which optional feature groups are on (stored in the model).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureSet {
    /// Gazetteer, demonym and role features.
    pub gazetteer: bool,
    /// Document-level features.
    pub document: bool,
    /// Document-level two-pass decoding: a first left-to-right pass over the
    /// whole document fills the "word labelled X elsewhere in this document"
    /// memory before the real pass (requires `document`).
    pub two_pass: bool,
    /// News-context features, chosen on CoNLL-2003 testa: the document's
    /// first word (in news, usually the topic: "SOCCER -", "CRICKET -") with
    /// the token's case, lexical identity and gazetteer classes, and the
    /// share of digit tokens in the sentence (result tables) with the digits
    /// around the token. Sports tables are where club names get read as
    /// people or places ("Kent 3 1", "Rotor 2 Lotte 1").
    pub topic_numbers: bool,
    /// Word-cluster features (cluster ids of the word and its neighbours at
    /// each granularity of the model's cluster table). Set by training when
    /// a cluster table is given ([`TrainOptions::clusters`]).
    pub clusters: bool,
    /// Name-list features (how common the word and its neighbours are as
    /// given names and surnames). Set by training when a name table is given
    /// ([`TrainOptions::names`]).
    pub names: bool,
}

impl Default for FeatureSet {
    fn default() -> Self {
        FeatureSet {
            gazetteer: true,
            document: true,
            two_pass: false,
            topic_numbers: false,
            clusters: false,
            names: false,
        }
    }
}

impl FeatureSet {
    fn bits(self) -> u8 {
        u8::from(self.gazetteer)
            | (u8::from(self.document) << 1)
            | (u8::from(self.two_pass) << 2)
            | (u8::from(self.topic_numbers) << 3)
            | (u8::from(self.clusters) << 4)
            | (u8::from(self.names) << 5)
    }

    fn from_bits(b: u8) -> FeatureSet {
        FeatureSet {
            gazetteer: b & 1 != 0,
            document: b & 2 != 0,
            two_pass: b & 4 != 0,
            topic_numbers: b & 8 != 0,
            clusters: b & 16 != 0,
            names: b & 32 != 0,
        }
    }
}

/// Static (history-independent) features of token `i`.
///
/// Returns how many features were pushed before the first that depends on
/// anything but the token's form and `flags` (their score sums are cached
/// per word, see [`Model::add_scores_cached`]).
fn static_features(p: &Prepared, doc: Option<&DocCtx>, fs: FeatureSet, i: usize, out: &mut Vec<u64>) -> usize {
    let start = out.len();
    let toks = &p.toks;
    let t = &toks[i];
    let at = |k: isize| -> Option<&Tok> { usize::try_from(i as isize + k).ok().and_then(|j| toks.get(j)) };
    let lower_at = |k: isize| at(k).map_or(PAD.wrapping_add(k as u64), |t| t.lower);
    let ssh_at = |k: isize| at(k).map_or(PAD.wrapping_add(k as u64), |t| t.sshape);
    out.push(mix(T_BIAS, 0));
    out.push(mix(T_WORD, t.word));
    out.push(mix(T_LOWER, t.lower));
    out.push(mix(T_SHAPE, t.shape));
    out.push(mix(T_SSHAPE, t.sshape));
    for k in 0..4 {
        if t.pre[k] != 0 {
            out.push(mix(T_PRE, t.pre[k]));
        }
        if t.suf[k] != 0 {
            out.push(mix(T_SUF, t.suf[k]));
        }
    }
    if t.suf[2] != 0 {
        out.push(mix2(T_SUF_SH, t.suf[2], t.sshape));
    }
    out.push(mix(T_FLAGS, u64::from(t.flags)));
    let n_word = out.len() - start;
    if fs.document {
        let own = u64::from(t.flags & (F_INIT_CAP | F_ALL_CAPS | F_LOWER | F_FIRST | F_HEADLINE));
        out.push(mix2(T_CAPPRIOR, u64::from(t.cap_prior), own));
        if let Some(n) = at(1) {
            out.push(mix2(T_CAPPRIOR, 0x100 | u64::from(n.cap_prior), own));
        }
    }
    for k in [-2isize, -1, 1, 2] {
        out.push(mix2(T_CTX, k as u64, lower_at(k)));
    }
    for k in [-1isize, 1] {
        out.push(mix2(T_CTX_SH, k as u64, ssh_at(k)));
        out.push(mix2(T_CTX_EXACT, k as u64, at(k).map_or(PAD, |t| t.word)));
    }
    out.push(mix2(T_SH3, mix2(0, ssh_at(-1), t.sshape), ssh_at(1)));
    out.push(mix2(T_BI_L, lower_at(-1), t.lower));
    out.push(mix2(T_BI_R, t.lower, lower_at(1)));
    out.push(mix2(T_W_NSH, t.lower, ssh_at(1)));
    out.push(mix2(T_PSH_W, ssh_at(-1), t.lower));
    if t.flags & F_HEADLINE != 0 {
        out.push(mix(T_HEAD_W, t.lower));
    } else {
        // Run of capitalised tokens around `i`.
        let cap = |t: &Tok| t.flags & F_INIT_CAP != 0;
        if cap(t) {
            let mut a = i;
            while a > 0 && cap(&toks[a - 1]) {
                a -= 1;
            }
            let mut b = i + 1;
            while b < toks.len() && cap(&toks[b]) {
                b += 1;
            }
            let len = (b - a).min(4) as u64;
            let pos: u64 = if b - a == 1 {
                3
            } else if i == a {
                0
            } else if i + 1 == b {
                2
            } else {
                1
            };
            out.push(mix2(T_CAPRUN, len * 4 + pos, u64::from(a == 0)));
        }
    }
    if fs.gazetteer {
        for m in &p.gaz {
            let pos: u64 = if m.end - m.start == 1 {
                3
            } else if i == m.start {
                0
            } else if i + 1 == m.end {
                2
            } else {
                1
            };
            let v = (u64::from(m.classes) << 8) | (u64::from(m.exact) << 4);
            if m.start <= i && i < m.end {
                out.push(mix(T_GAZ, v | pos));
                // Each class alone as well.
                for c in 0..5 {
                    if m.classes & (1 << c) != 0 {
                        out.push(mix(T_GAZ, 0x1_0000 | (c << 8) | (u64::from(m.exact) << 4) | pos));
                        if !m.exact {
                            // Lowercase-only match: how often the word is
                            // capitalised in training text, and whether the
                            // sentence is written in lowercase.
                            let prior = u64::from(t.cap_prior / 3);
                            let lc = u64::from(t.flags & F_LOWER != 0);
                            out.push(mix(T_GAZ, 0x2_0000 | (c << 8) | (prior << 4) | (lc << 3) | pos));
                            out.push(mix(
                                T_GAZ,
                                0x3_0000 | (c << 8) | (u64::from(p.lowercase_style) << 4) | pos,
                            ));
                        }
                    }
                }
            } else if m.end == i {
                out.push(mix2(T_GAZ_CTX, 1, v));
            } else if m.start == i + 1 {
                out.push(mix2(T_GAZ_CTX, 2, v));
            }
        }
        for m in &p.elex {
            if m.start <= i && i < m.end {
                let pos: u64 = if m.end - m.start == 1 {
                    3
                } else if i == m.start {
                    0
                } else if i + 1 == m.end {
                    2
                } else {
                    1
                };
                let ex = u64::from(m.exact) << 4;
                out.push(mix(T_ELEX, (u64::from(m.classes) << 8) | ex | pos));
                for c in 0..4 {
                    if m.classes & (1 << c) != 0 {
                        out.push(mix(T_ELEX, 0x1_0000 | (c << 8) | ex | pos));
                    }
                }
            }
        }
        for k in [-2isize, -1] {
            if at(k).is_some_and(|t| t.role) {
                out.push(mix2(T_ROLE, k as u64, u64::from(t.flags & (F_INIT_CAP | F_ALL_CAPS))));
            }
        }
        if t.demonym {
            out.push(mix2(T_DEM, 0, u64::from(t.flags & (F_INIT_CAP | F_ALL_CAPS))));
        }
        if at(-1).is_some_and(|t| t.demonym) {
            out.push(mix2(T_DEM, 1, u64::from(t.flags & F_INIT_CAP)));
        }
    }
    if fs.topic_numbers {
        let dig = |k: isize| at(k).is_some_and(|t| t.flags & F_DIGIT != 0);
        let cap = u64::from(t.flags & (F_INIT_CAP | F_ALL_CAPS | F_DIGIT));
        let nd = u64::from(dig(1)) | (u64::from(dig(2)) << 1) | (u64::from(dig(-1)) << 2);
        out.push(mix2(T_NUM, u64::from(p.digits), cap));
        out.push(mix2(T_NUM, 0x10 | u64::from(p.digits), (nd << 8) | cap));
    }
    if fs.clusters {
        // Cluster of the word and of its neighbours at each granularity
        // (the previous tag with the word's cluster is a dynamic feature).
        // Tried on UNER dev and not kept: neighbours at ±2, the cluster with
        // the token's case, cluster bigrams.
        let clu_at = |k: isize, l: usize| at(k).map_or(0x1_0000u64.wrapping_add(k as u64), |t| u64::from(t.clu[l]));
        for l in 0..p.clu_levels {
            let lv = (l as u64) << 8;
            out.push(mix2(T_CLU, lv | 0x80, clu_at(0, l)));
            for k in [-1isize, 1] {
                out.push(mix2(T_CLU, lv | (k as u64 & 0x7f), clu_at(k, l)));
            }
        }
    }
    if fs.names && t.flags & F_ALPHA != 0 {
        // The word's given-name/surname classes with its case, and with the
        // classes of its neighbours ("John Smith", "Smith said").
        let case = u64::from(t.flags & (F_INIT_CAP | F_ALL_CAPS | F_LOWER | F_FIRST));
        let own = u64::from(t.name);
        let prev = at(-1).map_or(0x10, |t| u64::from(t.name));
        let next = at(1).map_or(0x10, |t| u64::from(t.name));
        if own != 0 {
            out.push(mix2(T_NAME, own, case));
        }
        let named = |c: u64| c != 0 && c != 0x10;
        if own != 0 || named(prev) || named(next) {
            out.push(mix2(T_NAME, 0x100 | (prev << 4) | own, case));
            out.push(mix2(T_NAME, 0x200 | (next << 4) | own, case));
        }
    }
    if let (Some(d), true) = (doc, fs.document && fs.topic_numbers)
        && t.flags & F_ALPHA != 0
    {
        let cap = u64::from(t.flags & (F_INIT_CAP | F_ALL_CAPS | F_LOWER));
        out.push(mix2(T_TOPIC, d.topic, cap));
        if t.flags & F_LOWER == 0 {
            out.push(mix2(T_TOPIC, d.topic, mix(0, t.lower)));
            for m in p.gaz.iter().filter(|m| m.start <= i && i < m.end) {
                out.push(mix2(T_TOPIC, d.topic, 0x100 | u64::from(m.classes)));
            }
        }
    }
    if let (Some(d), true) = (doc, fs.document)
        && t.flags & F_ALPHA != 0
    {
        let seen = d.seen.get(&t.lower).copied().unwrap_or(0);
        let pos = u64::from(t.flags & (F_INIT_CAP | F_ALL_CAPS | F_FIRST | F_HEADLINE | F_LOWER));
        out.push(mix2(T_DOC, u64::from(seen), pos));
    }
    n_word
}

/// History-dependent features of token `i`: the previous tags
/// ([`tag_features`]) and the document's earlier predictions
/// ([`history_features`]).
fn dynamic_features(
    p: &Prepared,
    doc: Option<&DocCtx>,
    fs: FeatureSet,
    i: usize,
    p1: Tag,
    p2: Tag,
    out: &mut Vec<u64>,
) {
    tag_features(p, fs, i, p1, p2, out);
    history_features(p, doc, fs, i, out);
}

/// Features of token `i` that depend on the previous two tags.
fn tag_features(p: &Prepared, fs: FeatureSet, i: usize, p1: Tag, p2: Tag, out: &mut Vec<u64>) {
    let t = &p.toks[i];
    out.push(mix(T_P1, p1.index() as u64));
    out.push(mix2(T_P12, p1.index() as u64, p2.index() as u64));
    out.push(mix2(T_P1W, p1.index() as u64, t.lower));
    out.push(mix2(T_P1SH, p1.index() as u64, t.sshape));
    if fs.clusters {
        for (l, &c) in t.clu.iter().enumerate().take(p.clu_levels) {
            out.push(mix2(T_CLU_P1, ((l as u64) << 8) | p1.index() as u64, u64::from(c)));
        }
    }
}

/// Features of token `i` from the labels the document's earlier sentences
/// received (fixed while a sentence is decoded).
fn history_features(p: &Prepared, doc: Option<&DocCtx>, fs: FeatureSet, i: usize, out: &mut Vec<u64>) {
    let t = &p.toks[i];
    if let (Some(d), true) = (doc, fs.document)
        && t.flags & F_ALPHA != 0
    {
        let h = d.history.get(&t.lower).copied().unwrap_or(0);
        if h != 0 {
            out.push(mix2(
                T_HIST,
                u64::from(h),
                u64::from(t.flags & (F_INIT_CAP | F_ALL_CAPS | F_LOWER)),
            ));
        }
        if let Some(n) = p.toks.get(i + 1)
            && n.flags & F_ALPHA != 0
            && let Some(&h) = d.history.get(&n.lower)
        {
            out.push(mix2(
                T_HIST_CTX,
                u64::from(h),
                u64::from(t.flags & (F_INIT_CAP | F_LOWER)),
            ));
        }
    }
}

/// Something that scores a feature vector (training or frozen weights).
trait Scorer {
    /// Scores of all tags. `word` is `Some((key, n))` when the first `n`
    /// features depend only on `key` (see [`Model::add_scores_cached`]).
    fn scores(&self, word: Option<(u64, usize)>, feats: &[u64], scores: &mut Vec<f32>);
}

impl Scorer for Trainer {
    fn scores(&self, _word: Option<(u64, usize)>, feats: &[u64], scores: &mut Vec<f32>) {
        self.score(feats, scores);
    }
}

impl Scorer for Model {
    fn scores(&self, word: Option<(u64, usize)>, feats: &[u64], scores: &mut Vec<f32>) {
        self.score_cached(word, feats, scores);
    }
}

/// Best tag allowed after `prev`.
fn best_allowed(scores: &[f32], prev: Tag, last: bool) -> Tag {
    let mut best = Tag::O;
    let mut best_score = f32::NEG_INFINITY;
    for (i, &s) in scores.iter().enumerate().take(N_TAGS) {
        let t = Tag(i as u8);
        if s > best_score && t.may_follow(prev, last) {
            best = t;
            best_score = s;
        }
    }
    best
}

/// Scratch buffers for decoding.
#[derive(Default)]
struct Scratch {
    feats: Vec<u64>,
    scores: Vec<f32>,
    fwd: Vec<f32>,
    bwd: Vec<f32>,
    fixed: Vec<Option<Tag>>,
    /// Beam search: hypotheses of all tokens (token `i`'s are
    /// `beam[beam_at[i]..beam_at[i + 1]]`), candidates, and the score rows of
    /// each token's predecessors (`N_TAGS` per predecessor, from `rows_at[i]`).
    beam: Vec<BeamItem>,
    beam_at: Vec<usize>,
    cands: Vec<BeamItem>,
    rows: Vec<f32>,
    rows_at: Vec<usize>,
    dyn_feats: Vec<u64>,
    dyn_scores: Vec<f32>,
}

/// Greedy decoding of one sentence. With `gold`, `trainer` is updated after
/// every token (`misc_free`: predicting MISC where gold says O is not an
/// error, for corpora without MISC annotation).
#[allow(clippy::too_many_arguments)]
fn decode_sentence(
    scorer: &dyn Scorer,
    p: &Prepared,
    doc: Option<&DocCtx>,
    fs: FeatureSet,
    scratch: &mut Scratch,
    mut train: Option<(&mut Trainer, &[Tag], bool)>,
    mut all_scores: Option<&mut Vec<f32>>,
    extra: Option<(&[f32], &[Option<Tag>])>,
) -> Vec<Tag> {
    let n = p.toks.len();
    if let Some(a) = all_scores.as_mut() {
        a.clear();
    }
    let mut tags: Vec<Tag> = Vec::with_capacity(n);
    for i in 0..n {
        let p1 = if i > 0 { tags[i - 1] } else { Tag::O };
        let p2 = if i > 1 { tags[i - 2] } else { Tag::O };
        // Decided with a large margin by the partner model: keep it.
        if let Some(&Some(t)) = extra.and_then(|e| e.1.get(i))
            && t.may_follow(p1, i + 1 == n)
        {
            tags.push(t);
            continue;
        }
        scratch.feats.clear();
        let n_word = static_features(p, doc, fs, i, &mut scratch.feats);
        dynamic_features(p, doc, fs, i, p1, p2, &mut scratch.feats);
        let guess = match train.as_mut() {
            Some((t, gold, misc_free)) => {
                t.scores(None, &scratch.feats, &mut scratch.scores);
                let guess = best_allowed(&scratch.scores, p1, i + 1 == n);
                let truth = gold.get(i).copied().unwrap_or(Tag::O);
                let excused = *misc_free && truth == Tag::O && guess.label() == Some(EntityLabel::Misc);
                let truth = if excused { guess } else { truth };
                t.update(truth.index(), guess.index(), &scratch.feats);
                guess
            }
            None => {
                let word = p.toks.get(i).map(|t| (mix2(0, t.word, u64::from(t.flags)), n_word));
                scorer.scores(word, &scratch.feats, &mut scratch.scores);
                if let Some(add) = extra.and_then(|e| e.0.get(i * N_TAGS..(i + 1) * N_TAGS)) {
                    for (x, y) in scratch.scores.iter_mut().zip(add) {
                        *x += *y;
                    }
                }
                best_allowed(&scratch.scores, p1, i + 1 == n)
            }
        };
        if let Some(a) = all_scores.as_mut() {
            a.extend_from_slice(&scratch.scores);
        }
        tags.push(guess);
    }
    tags
}

/// One hypothesis of the beam: its score, its index in the previous
/// position's beam and its tag.
#[derive(Debug, Clone, Copy)]
struct BeamItem {
    score: f32,
    parent: u32,
    tag: Tag,
}

/// Features of token `i` (static and dynamic) given the previous tags.
fn token_features(p: &Prepared, doc: Option<&DocCtx>, fs: FeatureSet, i: usize, tags: &[Tag], out: &mut Vec<u64>) {
    out.clear();
    let p1 = if i > 0 { tags[i - 1] } else { Tag::O };
    let p2 = if i > 1 { tags[i - 2] } else { Tag::O };
    static_features(p, doc, fs, i, out);
    dynamic_features(p, doc, fs, i, p1, p2, out);
}

/// Beam-search decoding of one sentence with the left-to-right model
/// (Collins & Roark 2004): `width` best valid BILOU prefixes are kept at each
/// token, and when decoding only those within `gap` of the best; the static
/// and document-history features of a token are scored once, the previous-tag
/// features once per hypothesis. Returns the best sequence and, in
/// `rows_out`, the score rows along it (as greedy decoding records them).
/// Training ignores `gap` (full beam).
///
/// Training (`train`): a structured perceptron update whenever the gold
/// prefix falls out of the beam, or the best full sequence is not gold, over
/// the tokens since the last update (earlier tokens are gold in both); the
/// search then continues from the gold prefix alone (LaSO, Daumé & Marcu
/// 2005), so the whole sentence is trained on. The clock advances once per
/// token, as in greedy training.
/// Structured perceptron update of the predicted prefix `pred` against the
/// gold tags, over tokens `from..pred.len()`: +1 for the gold tag's
/// features, −1 for the predicted tag's, skipping tokens whose tag and two
/// previous tags agree (their features and tags are the same on both sides).
fn structured_update(
    t: &mut Trainer,
    p: &Prepared,
    doc: Option<&DocCtx>,
    fs: FeatureSet,
    gold: &[Tag],
    pred: &[Tag],
    from: usize,
) {
    let gold_tags: Vec<Tag> = (0..pred.len())
        .map(|j| gold.get(j).copied().unwrap_or(Tag::O))
        .collect();
    let mut f = Vec::new();
    for j in from..pred.len() {
        let same_hist = pred[j] == gold_tags[j]
            && (j < 1 || pred[j - 1] == gold_tags[j - 1])
            && (j < 2 || pred[j - 2] == gold_tags[j - 2]);
        if same_hist {
            continue;
        }
        token_features(p, doc, fs, j, &gold_tags, &mut f);
        t.add(gold_tags[j].index(), &f, 1.0);
        token_features(p, doc, fs, j, pred, &mut f);
        t.add(pred[j].index(), &f, -1.0);
    }
}

#[allow(clippy::too_many_arguments)]
fn beam_sentence(
    scorer: &dyn Scorer,
    p: &Prepared,
    doc: Option<&DocCtx>,
    fs: FeatureSet,
    (width, gap): (usize, f32),
    scratch: &mut Scratch,
    mut train: Option<(&mut Trainer, &[Tag], bool)>,
    rows_out: Option<&mut Vec<f32>>,
) -> Vec<Tag> {
    let n = p.toks.len();
    if n == 0 {
        return Vec::new();
    }
    let width = width.max(1);
    let Scratch {
        feats,
        scores,
        beam,
        beam_at,
        cands,
        rows,
        rows_at,
        dyn_feats,
        dyn_scores,
        ..
    } = scratch;
    beam.clear();
    beam_at.clear();
    rows.clear();
    rows_at.clear();
    // Token i's hypotheses are beam[beam_at[i]..beam_at[i + 1]]; a parent
    // index is relative to the previous token's hypotheses.
    let root = BeamItem {
        score: 0.0,
        parent: 0,
        tag: Tag::O,
    };
    let mut gold_idx = 0usize;
    let mut reset_from = 0;
    // Max-violation training: the gold prefix's score, whether it is still
    // in the beam, and the token where the best prefix beats it by most.
    let mut gold_score = 0.0f32;
    let mut gold_alive = true;
    let mut worst: Option<(usize, f32)> = None;
    let mut gold_prefix: Vec<Tag> = Vec::new();
    let mut gf: Vec<u64> = Vec::new();
    fn backtrack(beam: &[BeamItem], beam_at: &[usize], upto: usize, mut k: usize) -> Vec<Tag> {
        let mut tags = vec![Tag::O; upto + 1];
        for j in (0..=upto).rev() {
            let it = beam[beam_at[j] + k];
            tags[j] = it.tag;
            k = it.parent as usize;
        }
        tags
    }
    for i in 0..n {
        let last = i + 1 == n;
        feats.clear();
        let n_word = static_features(p, doc, fs, i, feats);
        history_features(p, doc, fs, i, feats);
        let sc: &dyn Scorer = match train.as_ref() {
            Some((t, _, _)) => &**t,
            None => scorer,
        };
        // The word-level features' sums are cached per word, as in greedy decoding.
        let word = p.toks.get(i).map(|t| (mix2(0, t.word, u64::from(t.flags)), n_word));
        sc.scores(word, feats, scores);
        scores.resize(N_TAGS, 0.0);
        let (prev_lo, prev_hi) = if i == 0 { (0, 0) } else { (beam_at[i - 1], beam.len()) };
        let n_prev = if i == 0 { 1 } else { prev_hi - prev_lo };
        rows_at.push(rows.len());
        cands.clear();
        for k in 0..n_prev {
            let it = if i == 0 { root } else { beam[prev_lo + k] };
            let p1 = it.tag;
            let p2 = if i >= 2 {
                beam[beam_at[i - 2] + it.parent as usize].tag
            } else {
                Tag::O
            };
            dyn_feats.clear();
            tag_features(p, fs, i, p1, p2, dyn_feats);
            sc.scores(None, dyn_feats, dyn_scores);
            dyn_scores.resize(N_TAGS, 0.0);
            for t in 0..N_TAGS {
                let x = scores[t] + dyn_scores[t];
                rows.push(x);
                let tag = Tag(t as u8);
                if tag.may_follow(p1, last) {
                    cands.push(BeamItem {
                        score: it.score + x,
                        parent: k as u32,
                        tag,
                    });
                }
            }
        }
        // Best `width` candidates, best first (stable: ties keep expansion order).
        cands.sort_by(|a, b| b.score.total_cmp(&a.score));
        cands.truncate(width);
        // Decoding: hypotheses more than `gap` below the best are dropped
        // (most tokens then keep one, and cost about what greedy costs).
        if train.is_none()
            && let Some(best) = cands.first().map(|c| c.score)
        {
            cands.retain(|c| c.score >= best - gap);
        }
        beam_at.push(beam.len());
        beam.extend_from_slice(cands);
        if let Some((t, gold, true)) = train.as_mut() {
            let g = gold.get(i).copied().unwrap_or(Tag::O);
            gold_prefix.push(g);
            token_features(p, doc, fs, i, &gold_prefix, &mut gf);
            t.scores(None, &gf, dyn_scores);
            gold_score += dyn_scores.get(g.index()).copied().unwrap_or(0.0);
            let found = if gold_alive {
                cands.iter().position(|c| c.parent as usize == gold_idx && c.tag == g)
            } else {
                None
            };
            gold_alive = found.is_some();
            if let Some(k) = found {
                gold_idx = k;
            }
            if found != Some(0)
                && let Some(best) = cands.first()
            {
                let v = best.score - gold_score;
                if worst.is_none_or(|w| v >= w.1) {
                    worst = Some((i, v));
                }
            }
            t.tick();
        } else if let Some((t, gold, false)) = train.as_mut() {
            let g = gold.get(i).copied().unwrap_or(Tag::O);
            let found = cands.iter().position(|c| c.parent as usize == gold_idx && c.tag == g);
            let wrong = match found {
                None => true,
                Some(k) => last && k != 0,
            };
            if wrong {
                let pred = backtrack(beam, beam_at, i, 0);
                structured_update(t, p, doc, fs, gold, &pred, reset_from);
                reset_from = i + 1;
                if !last {
                    // Continue from the gold prefix alone.
                    beam.truncate(beam_at[i]);
                    beam.push(BeamItem {
                        score: 0.0,
                        parent: gold_idx as u32,
                        tag: g,
                    });
                    gold_idx = 0;
                }
            } else if let Some(k) = found {
                gold_idx = k;
            }
            t.tick();
        }
    }
    beam_at.push(beam.len());
    if let (Some((t, gold, true)), Some((i, _))) = (train.as_mut(), worst) {
        // One update, at the prefix of maximum violation (Huang et al. 2012).
        let pred = backtrack(beam, beam_at, i, 0);
        structured_update(t, p, doc, fs, gold, &pred, 0);
    }
    let tags = backtrack(beam, beam_at, n - 1, 0);
    if let Some(out) = rows_out {
        out.clear();
        out.resize(n * N_TAGS, 0.0);
        let mut k = 0usize;
        for j in (0..n).rev() {
            let parent = beam[beam_at[j] + k].parent as usize;
            let from = rows_at[j] + parent * N_TAGS;
            out[j * N_TAGS..(j + 1) * N_TAGS].copy_from_slice(&rows[from..from + N_TAGS]);
            k = parent;
        }
    }
    tags
}

/// The sentence with tokens in reverse order (for the right-to-left model).
fn reverse_prepared(p: &Prepared) -> Prepared {
    let n = p.toks.len();
    let mirror = |matches: &[GazMatch]| -> Vec<GazMatch> {
        matches
            .iter()
            .map(|m| GazMatch {
                start: n - m.end,
                end: n - m.start,
                ..*m
            })
            .collect()
    };
    Prepared {
        toks: p.toks.iter().rev().copied().collect(),
        gaz: mirror(&p.gaz),
        elex: mirror(&p.elex),
        lowercase_style: p.lowercase_style,
        digits: p.digits,
        clu_levels: p.clu_levels,
    }
}

/// Reverses a tag sequence, swapping `B` and `L` (valid ↔ valid).
fn flip_tags(tags: &[Tag]) -> Vec<Tag> {
    tags.iter().rev().map(|&t| t.flip()).collect()
}

/// Temperature of the softmax over tag scores behind
/// [`NerModel::predict_document_scored`] (scores are sums of perceptron
/// weights; the beam drops hypotheses 50 below the best).
pub const CONFIDENCE_TEMPERATURE: f32 = 20.0;

/// Default of [`NerModel::set_skip_margin`], chosen on the dev sets.
pub const DEFAULT_SKIP_MARGIN: f32 = 400.0;

/// Training options.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Maximum number of passes over the training data.
    pub epochs: usize,
    /// Seed of the document shuffling.
    pub seed: u64,
    /// Feature groups.
    pub features: FeatureSet,
    /// Pruning of the final model.
    pub prune: PruneOptions,
    /// Number of jackknife folds for the training-entity lexicon.
    pub lexicon_folds: usize,
    /// Also train a right-to-left model and decode with the sum of both
    /// models' scores (constrained Viterbi).
    pub bidirectional: bool,
    /// Word clusters for the cluster features (embedded in the model); an
    /// empty table turns the features off, a non-empty one on.
    pub clusters: WordClusters,
    /// Name lists for the name features (embedded in the model); an empty
    /// table turns the features off, a non-empty one on.
    pub names: NameList,
    /// Case augmentation (Mayhew et al. 2019): every `n`-th training
    /// document (in corpus order) is also trained on as a fully lowercased
    /// copy, so that the model learns names in text written without
    /// capitals ("tampa bay", "kollam"). 0 = off. The copies do not enter
    /// the capitalisation prior or the training-entity lexicon, and each
    /// sees the jackknifed lexicon of its original.
    pub lowercase_every: usize,
    /// Skip margin stored in the model ([`NerModel::set_skip_margin`]).
    pub skip_margin: f32,
    /// Number of models trained side by side on differently shuffled
    /// training data (bag 0 with `seed`) whose averaged weights are averaged
    /// again into the one stored model (1 = a single model).
    pub bags: usize,
    /// Beam width of the left-to-right model in training (structured
    /// perceptron, `beam_sentence`); 1 = greedy, per-token updates.
    pub beam: usize,
    /// Beam training: one update per sentence at the prefix where the best
    /// hypothesis beats gold by most (max-violation, Huang et al. 2012)
    /// instead of early updates.
    pub max_violation: bool,
    /// Beam width of the left-to-right model at prediction (stored in the
    /// model; 1 = greedy).
    pub decode_beam: usize,
    /// Decoding: beam hypotheses more than this below the best are dropped
    /// (stored in the model; `f32::MAX` = a full beam).
    pub beam_gap: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 12,
            seed: 0x7e47_6b67,
            features: FeatureSet::default(),
            prune: PruneOptions {
                min_abs_weight: 1e-3,
                min_updates: 1,
            },
            bidirectional: true,
            lexicon_folds: 2,
            clusters: WordClusters::default(),
            names: NameList::default(),
            lowercase_every: 0,
            skip_margin: DEFAULT_SKIP_MARGIN,
            bags: 1,
            beam: 1,
            max_violation: false,
            decode_beam: 1,
            beam_gap: f32::MAX,
        }
    }
}

/// A training or development corpus.
#[derive(Debug, Clone, Copy)]
pub struct TrainSet<'a> {
    /// Name used in progress output.
    pub name: &'a str,
    /// Documents.
    pub documents: &'a [Document],
    /// Whether the corpus annotates MISC (if not, MISC predictions are not
    /// penalised in training and are dropped before evaluation).
    pub has_misc: bool,
}

/// Progress of one training epoch.
#[derive(Debug, Clone)]
pub struct EpochReport {
    /// 1-based epoch.
    pub epoch: usize,
    /// Dev evaluation per dev set.
    pub dev: Vec<Evaluation>,
    /// Mean overall dev F1.
    pub mean_f1: f64,
    /// Seconds spent so far.
    pub seconds: f64,
}

/// Trained NER model plus the gazetteer it was trained with.
#[derive(Debug, Clone, PartialEq)]
pub struct NerModel {
    model: Model,
    r2l: Option<Model>,
    gazetteer: Gazetteer,
    /// Lowercased word → capitalisation prior bucket (from training text).
    caps: IdMap<u8>,
    /// Entity strings seen in training, class bits = 1 << label index.
    elex: Gazetteer,
    /// Word clusters (empty unless `features.clusters`).
    clusters: WordClusters,
    /// Name lists (empty unless `features.names`).
    names: NameList,
    /// Tokens whose left-to-right score margin exceeds this skip the
    /// right-to-left model.
    skip_margin: f32,
    features: FeatureSet,
    /// Beam width of the left-to-right model (1 = greedy).
    beam: usize,
    /// Beam hypotheses scoring more than this below the best are dropped.
    beam_gap: f32,
}

const NER_MAGIC: [u8; 4] = *b"TKNR";
const NER_VERSION: u32 = 1;

fn shuffle<T>(v: &mut [T], seed: u64) {
    let mut s = seed | 1;
    for i in (1..v.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let j = (s % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

/// Fully lowercased copies of every `every`-th document (none if `every` is 0).
fn lowercase_copies(docs: &[Document], every: usize) -> Vec<Document> {
    if every == 0 {
        return Vec::new();
    }
    docs.iter()
        .step_by(every)
        .map(|d| Document {
            sentences: d
                .sentences
                .iter()
                .map(|s| crate::ner::conll::Sentence {
                    words: s.words.iter().map(|w| w.to_lowercase()).collect(),
                    spans: s.spans.clone(),
                    lines: Vec::new(),
                    before: Vec::new(),
                })
                .collect(),
        })
        .collect()
}

fn words_of(doc: &Document) -> Vec<Vec<&str>> {
    doc.sentences
        .iter()
        .map(|s| s.words.iter().map(String::as_str).collect())
        .collect()
}

impl NerModel {
    /// Trains on `train`, evaluating on `dev` after each epoch and keeping
    /// the epoch with the best mean dev F1 (the last epoch if `dev` is
    /// empty). `on_epoch` receives per-epoch progress. Deterministic for a
    /// fixed seed.
    pub fn train(
        train: &[TrainSet<'_>],
        dev: &[TrainSet<'_>],
        gazetteer: Gazetteer,
        opts: &TrainOptions,
        mut on_epoch: impl FnMut(&EpochReport),
    ) -> NerModel {
        let start = std::time::Instant::now();
        let clusters = opts.clusters.clone();
        let fs = FeatureSet {
            clusters: !clusters.is_empty(),
            names: !opts.names.is_empty(),
            ..opts.features
        };
        // (set index, doc index), prepared sentences and gold tags.
        let mut order: Vec<(usize, usize)> = Vec::new();
        let caps = cap_prior(train.iter().flat_map(|t| t.documents.iter()));
        // Entity lexicons: the full one for the model; for training, each
        // document sees the one built from the other fold (jackknifing), so
        // that the features are as reliable as on unseen text.
        let all_docs = || train.iter().flat_map(|t| t.documents.iter()).enumerate();
        let elex = entity_lexicon(all_docs().map(|x| x.1));
        let k = opts.lexicon_folds.max(2);
        let folds: Vec<Gazetteer> = (0..k)
            .map(|f| entity_lexicon(all_docs().filter(|x| x.0 % k != f).map(|x| x.1)))
            .collect();
        // Fold of each original document (global index), so that a
        // lowercased copy sees the same jackknifed lexicon as its original.
        let mut fold_of: Vec<Vec<usize>> = Vec::new();
        let mut doc_no = 0;
        for set in train {
            fold_of.push((0..set.documents.len()).map(|i| (doc_no + i) % k).collect());
            doc_no += set.documents.len();
        }
        let every = opts.lowercase_every;
        let lowered: Vec<Vec<Document>> = train.iter().map(|set| lowercase_copies(set.documents, every)).collect();
        let mut sets: Vec<(TrainSet<'_>, Vec<usize>)> = train.iter().copied().zip(fold_of.iter().cloned()).collect();
        for ((set, l), f) in train.iter().zip(&lowered).zip(&fold_of) {
            if !l.is_empty() {
                let folds_l = f.iter().copied().step_by(every).collect();
                sets.push((TrainSet { documents: l, ..*set }, folds_l));
            }
        }
        let train: Vec<TrainSet<'_>> = sets.iter().map(|x| x.0).collect();
        let mut prepared: Vec<Vec<Vec<Prepared>>> = Vec::new();
        for (si, (set, fo)) in sets.iter().enumerate() {
            let mut docs = Vec::new();
            for (di, (d, &f)) in set.documents.iter().zip(fo).enumerate() {
                order.push((si, di));
                let lex = &folds[f];
                docs.push(
                    d.sentences
                        .iter()
                        .map(|s| prepare(&s.words, &gazetteer, &caps, lex, &clusters, &opts.names))
                        .collect(),
                );
            }
            prepared.push(docs);
        }
        let n_bags = opts.bags.max(1);
        let mut trainers: Vec<Trainer> = (0..n_bags).map(|_| Trainer::new(N_TAGS)).collect();
        let mut trainers_r: Vec<Option<Trainer>> = (0..n_bags)
            .map(|_| opts.bidirectional.then(|| Trainer::new(N_TAGS)))
            .collect();
        let mut orders: Vec<Vec<(usize, usize)>> = vec![order; n_bags];
        let mut best: Option<(f64, Model, Option<Model>)> = None;
        let mut scratch = Scratch::default();
        let dummy = Trainer::new(1);
        for epoch in 0..opts.epochs {
            for (bag, ((trainer, trainer_r), order)) in trainers
                .iter_mut()
                .zip(trainers_r.iter_mut())
                .zip(orders.iter_mut())
                .enumerate()
            {
                // Bag 0 shuffles exactly as a single model does.
                let seed = opts.seed.wrapping_add((bag as u64).wrapping_mul(0x5851_f42d_4c95_7f2d));
                shuffle(order, seed.wrapping_add(epoch as u64 * 0x9e37_79b9));
                for &(si, di) in order.iter() {
                    let set = &train[si];
                    let doc = &set.documents[di];
                    let preps = &prepared[si][di];
                    let mut ctx = DocCtx::new(&words_of(doc), preps);
                    if fs.two_pass && fs.document {
                        for p in preps {
                            let tags = decode_sentence(&*trainer, p, Some(&ctx), fs, &mut scratch, None, None, None);
                            ctx.remember(&p.toks, &bilou_to_spans(&tags));
                        }
                    }
                    for (s, p) in doc.sentences.iter().zip(preps) {
                        let gold = spans_to_bilou(s.words.len(), &s.spans);
                        let tags = if opts.beam > 1 {
                            beam_sentence(
                                &dummy,
                                p,
                                Some(&ctx),
                                fs,
                                (opts.beam, f32::MAX),
                                &mut scratch,
                                Some((&mut *trainer, &gold, opts.max_violation)),
                                None,
                            )
                        } else {
                            decode_sentence(
                                &dummy,
                                p,
                                Some(&ctx),
                                fs,
                                &mut scratch,
                                Some((&mut *trainer, &gold, !set.has_misc)),
                                None,
                                None,
                            )
                        };
                        if let Some(tr) = trainer_r.as_mut() {
                            let rp = reverse_prepared(p);
                            let rgold = flip_tags(&gold);
                            decode_sentence(
                                &dummy,
                                &rp,
                                Some(&ctx),
                                fs,
                                &mut scratch,
                                Some((tr, &rgold, !set.has_misc)),
                                None,
                                None,
                            );
                        }
                        ctx.remember(&p.toks, &bilou_to_spans(&tags));
                    }
                }
            }
            let l2r: Vec<&Trainer> = trainers.iter().collect();
            let r2l: Vec<&Trainer> = trainers_r.iter().flatten().collect();
            let model = NerModel {
                model: Trainer::finish_mean(&l2r, &opts.prune),
                r2l: (!r2l.is_empty()).then(|| Trainer::finish_mean(&r2l, &opts.prune)),
                gazetteer: gazetteer.clone(),
                caps: caps.clone(),
                elex: elex.clone(),
                clusters: clusters.clone(),
                names: opts.names.clone(),
                skip_margin: opts.skip_margin,
                features: fs,
                beam: opts.decode_beam.max(1),
                beam_gap: opts.beam_gap,
            };
            let evals: Vec<Evaluation> = dev.iter().map(|d| model.evaluate(d)).collect();
            let mean_f1 = if evals.is_empty() {
                0.0
            } else {
                evals.iter().map(|e| e.overall.f1()).sum::<f64>() / evals.len() as f64
            };
            on_epoch(&EpochReport {
                epoch: epoch + 1,
                dev: evals,
                mean_f1,
                seconds: start.elapsed().as_secs_f64(),
            });
            if best.as_ref().is_none_or(|(f, _, _)| mean_f1 > *f || dev.is_empty()) {
                best = Some((mean_f1, model.model, model.r2l));
            }
        }
        let (model, r2l) = match best {
            Some((_, m, r)) => (m, r),
            None => {
                let l2r: Vec<&Trainer> = trainers.iter().collect();
                let r2l: Vec<&Trainer> = trainers_r.iter().flatten().collect();
                (
                    Trainer::finish_mean(&l2r, &opts.prune),
                    (!r2l.is_empty()).then(|| Trainer::finish_mean(&r2l, &opts.prune)),
                )
            }
        };
        NerModel {
            model,
            r2l,
            gazetteer,
            caps,
            elex,
            clusters,
            names: opts.names.clone(),
            skip_margin: opts.skip_margin,
            features: fs,
            beam: opts.decode_beam.max(1),
            beam_gap: opts.beam_gap,
        }
    }

    /// Tags one prepared sentence. With a right-to-left partner: the
    /// left-to-right model runs first and its scores (tags invalid after its
    /// own previous decision lowered to its worst valid score) are added to
    /// the right-to-left model's scores during a second constrained greedy
    /// pass.
    fn tag_prepared(&self, p: &Prepared, ctx: Option<&DocCtx>, scratch: &mut Scratch) -> Vec<Tag> {
        let fs = self.features;
        let Some(r2l) = &self.r2l else {
            if self.beam > 1 {
                return beam_sentence(&self.model, p, ctx, fs, (self.beam, self.beam_gap), scratch, None, None);
            }
            return decode_sentence(&self.model, p, ctx, fs, scratch, None, None, None);
        };
        let n = p.toks.len();
        let mut fwd = std::mem::take(&mut scratch.fwd);
        let mut extra = std::mem::take(&mut scratch.bwd);
        let first = if self.beam > 1 {
            beam_sentence(
                &self.model,
                p,
                ctx,
                fs,
                (self.beam, self.beam_gap),
                scratch,
                None,
                Some(&mut fwd),
            )
        } else {
            decode_sentence(&self.model, p, ctx, fs, scratch, None, Some(&mut fwd), None)
        };
        extra.clear();
        extra.resize(n * N_TAGS, 0.0);
        let mut fixed = std::mem::take(&mut scratch.fixed);
        fixed.clear();
        fixed.resize(n, None);
        if fwd.len() == n * N_TAGS {
            for i in 0..n {
                let prev = if i > 0 { first[i - 1] } else { Tag::O };
                let last = i + 1 == n;
                let row = &fwd[i * N_TAGS..(i + 1) * N_TAGS];
                let (mut floor, mut b1, mut b2) = (f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY);
                for (t, &x) in row.iter().enumerate() {
                    if Tag(t as u8).may_follow(prev, last) {
                        floor = floor.min(x);
                        if x > b1 {
                            b2 = b1;
                            b1 = x;
                        } else if x > b2 {
                            b2 = x;
                        }
                    }
                }
                let j = n - 1 - i;
                if b1 - b2 > self.skip_margin {
                    fixed[j] = first.get(i).map(|t| t.flip());
                }
                for (t, &x) in row.iter().enumerate() {
                    let tag = Tag(t as u8);
                    let v = if tag.may_follow(prev, last) { x } else { floor };
                    extra[j * N_TAGS + tag.flip().index()] = v;
                }
            }
        }
        let rp = reverse_prepared(p);
        let tags = flip_tags(&decode_sentence(
            r2l,
            &rp,
            ctx,
            fs,
            scratch,
            None,
            None,
            Some((&extra, &fixed)),
        ));
        scratch.fixed = fixed;
        scratch.fwd = fwd;
        scratch.bwd = extra;
        tags
    }

    /// BILOU tags of one sentence, without document context.
    pub fn predict_tags<S: AsRef<str>>(&self, words: &[S]) -> Vec<Tag> {
        let p = prepare(
            words,
            &self.gazetteer,
            &self.caps,
            &self.elex,
            &self.clusters,
            &self.names,
        );
        self.tag_prepared(&p, None, &mut Scratch::default())
    }

    /// Entities of one sentence, without document context.
    pub fn predict<S: AsRef<str>>(&self, words: &[S]) -> Vec<Span> {
        bilou_to_spans(&self.predict_tags(words))
    }

    /// Entities of each sentence of a document (sentences in order), using
    /// document-level features.
    pub fn predict_document<S: AsRef<str>>(&self, sentences: &[Vec<S>]) -> Vec<Vec<Span>> {
        self.decode_document(sentences, |_, _, _, _| ())
    }

    /// [`NerModel::predict_document`] with a confidence in 0..1 for each
    /// span (the same spans, in the same order). A span's confidence is the
    /// lowest, over its tokens, of the left-to-right model's probability of
    /// the chosen tag given the chosen previous tags: a softmax over the
    /// tags allowed there, of the perceptron scores divided by
    /// [`CONFIDENCE_TEMPERATURE`]. It ranks spans (low = the model nearly
    /// chose another type or extent); it is not a calibrated probability,
    /// and for models with a right-to-left partner it reflects the
    /// left-to-right model only.
    pub fn predict_document_scored<S: AsRef<str>>(&self, sentences: &[Vec<S>]) -> Vec<Vec<(Span, f32)>> {
        let mut scored = Vec::with_capacity(sentences.len());
        self.decode_document(sentences, |p, ctx, tags, scratch| {
            let probs = self.tag_probabilities(p, ctx, tags, scratch);
            scored.push(
                bilou_to_spans(tags)
                    .into_iter()
                    .map(|s| {
                        let c = probs
                            .get(s.start..s.end)
                            .map_or(0.0, |v| v.iter().copied().fold(1.0f32, f32::min));
                        (s, c)
                    })
                    .collect(),
            );
        });
        scored
    }

    /// Per token, the softmax probability of `tags[i]` among the tags allowed
    /// after `tags[i - 1]`, from the left-to-right model's scores with the
    /// chosen history (see [`NerModel::predict_document_scored`]).
    fn tag_probabilities(&self, p: &Prepared, ctx: &DocCtx, tags: &[Tag], scratch: &mut Scratch) -> Vec<f32> {
        let fs = self.features;
        let n = tags.len().min(p.toks.len());
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let p1 = if i > 0 { tags[i - 1] } else { Tag::O };
            let p2 = if i > 1 { tags[i - 2] } else { Tag::O };
            scratch.feats.clear();
            let n_word = static_features(p, Some(ctx), fs, i, &mut scratch.feats);
            dynamic_features(p, Some(ctx), fs, i, p1, p2, &mut scratch.feats);
            let word = p.toks.get(i).map(|t| (mix2(0, t.word, u64::from(t.flags)), n_word));
            self.model.scores(word, &scratch.feats, &mut scratch.scores);
            let last = i + 1 == n;
            let allowed = |t: usize| Tag(t as u8).may_follow(p1, last);
            let max = (0..N_TAGS)
                .filter(|&t| allowed(t))
                .filter_map(|t| scratch.scores.get(t).copied())
                .fold(f32::NEG_INFINITY, f32::max);
            let z: f32 = (0..N_TAGS)
                .filter(|&t| allowed(t))
                .filter_map(|t| scratch.scores.get(t))
                .map(|&x| ((x - max) / CONFIDENCE_TEMPERATURE).exp())
                .sum();
            let own = scratch
                .scores
                .get(tags[i].index())
                .copied()
                .unwrap_or(f32::NEG_INFINITY);
            let prob = ((own - max) / CONFIDENCE_TEMPERATURE).exp() / z.max(1.0);
            out.push(if prob.is_finite() { prob.clamp(0.0, 1.0) } else { 0.0 });
        }
        out
    }

    /// Decodes a document sentence by sentence; `on_sentence` sees each
    /// sentence's prepared tokens, the document context it was decoded
    /// with, and its tags, before the context remembers them.
    fn decode_document<S: AsRef<str>>(
        &self,
        sentences: &[Vec<S>],
        mut on_sentence: impl FnMut(&Prepared, &DocCtx, &[Tag], &mut Scratch),
    ) -> Vec<Vec<Span>> {
        let preps: Vec<Prepared> = sentences
            .iter()
            .map(|s| prepare(s, &self.gazetteer, &self.caps, &self.elex, &self.clusters, &self.names))
            .collect();
        let mut ctx = DocCtx::new(sentences, &preps);
        let mut scratch = Scratch::default();
        let mut out = Vec::with_capacity(preps.len());
        if self.features.two_pass && self.features.document {
            for p in &preps {
                let tags = decode_sentence(
                    &self.model,
                    p,
                    Some(&ctx),
                    self.features,
                    &mut scratch,
                    None,
                    None,
                    None,
                );
                ctx.remember(&p.toks, &bilou_to_spans(&tags));
            }
        }
        for p in &preps {
            let tags = self.tag_prepared(p, Some(&ctx), &mut scratch);
            on_sentence(p, &ctx, &tags, &mut scratch);
            let spans = bilou_to_spans(&tags);
            ctx.remember(&p.toks, &spans);
            out.push(spans);
        }
        out
    }

    /// Predicts every document of `set` and scores it (MISC predictions are
    /// dropped when the set has no MISC annotation).
    pub fn evaluate(&self, set: &TrainSet<'_>) -> Evaluation {
        let mut e = Evaluation::default();
        for d in set.documents {
            let pred = self.predict_document(&words_of(d));
            for (s, mut p) in d.sentences.iter().zip(pred) {
                if !set.has_misc {
                    p.retain(|x| x.label != EntityLabel::Misc);
                }
                e.add(&s.spans, &p);
            }
        }
        e
    }

    /// The gazetteer used for features.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// Replaces the gazetteer (e.g. with one built from the main repo's
    /// lexicon). Scores change if it differs from the training gazetteer.
    pub fn set_gazetteer(&mut self, gazetteer: Gazetteer) {
        self.gazetteer = gazetteer;
    }

    /// Number of features and of weights of the perceptron(s).
    pub fn size(&self) -> (usize, usize) {
        let r = self.r2l.as_ref().map_or((0, 0), |m| (m.n_features(), m.n_weights()));
        (self.model.n_features() + r.0, self.model.n_weights() + r.1)
    }

    /// Sets the score margin above which the left-to-right decision is kept
    /// without consulting the right-to-left model (`f32::MAX`: always
    /// consult it; lower is faster).
    pub fn set_skip_margin(&mut self, margin: f32) {
        self.skip_margin = margin;
    }

    /// Sets the beam width of the left-to-right model (1 = greedy).
    pub fn set_beam(&mut self, width: usize) {
        self.beam = width.max(1);
    }

    /// Sets the decoding beam's score gap (hypotheses further below the best
    /// are dropped; `f32::MAX` = a full beam).
    pub fn set_beam_gap(&mut self, gap: f32) {
        self.beam_gap = gap;
    }

    /// Beam width of the left-to-right model (1 = greedy).
    pub fn beam(&self) -> usize {
        self.beam
    }

    /// Whether a right-to-left model is ensembled with the left-to-right one.
    pub fn is_bidirectional(&self) -> bool {
        self.r2l.is_some()
    }

    /// Serializes the model (little-endian): magic `TKNR`, version `u32` = 1,
    /// feature-set bits `u8`, the gazetteer (`TKGZ` block), the lexicon of
    /// training entity strings (`TKGZ` block), skip margin `f32`, the
    /// capitalisation prior (`u32` count, then `u64` key + `u8` bucket each),
    /// if the cluster feature bit (16) is set the word-cluster table
    /// ([`WordClusters::write`]; models without it load unchanged), if the
    /// name feature bit (32) is set the name table ([`NameList::write`]), the
    /// left-to-right perceptron (`APM1`), a `u8` flag and, if it is 1,
    /// the right-to-left perceptron (`APM1`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.header(NER_MAGIC, NER_VERSION);
        w.u8(self.features.bits());
        self.gazetteer.write(&mut w);
        self.elex.write(&mut w);
        w.f32(self.skip_margin);
        let mut caps: Vec<(u64, u8)> = self.caps.iter().map(|(&k, &v)| (k, v)).collect();
        caps.sort_unstable();
        w.len(caps.len());
        for (k, v) in caps {
            w.u64(k);
            w.u8(v);
        }
        if self.features.clusters {
            self.clusters.write(&mut w);
        }
        if self.features.names {
            self.names.write(&mut w);
        }
        self.model.write(&mut w);
        w.u8(u8::from(self.r2l.is_some()));
        if let Some(r) = &self.r2l {
            r.write(&mut w);
        }
        // Optional trailer (older models end before it): the beam width.
        if self.beam > 1 {
            w.u8(self.beam.min(255) as u8);
            w.f32(self.beam_gap);
        }
        w.into_bytes()
    }

    /// Deserializes a model written by [`NerModel::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<NerModel, BinError> {
        let mut r = Reader::new(bytes);
        r.header(NER_MAGIC, NER_VERSION)?;
        let bits = r.u8()?;
        if bits > 63 {
            return Err(BinError::Invalid(format!("bad feature set {bits}")));
        }
        let gazetteer = Gazetteer::read(&mut r)?;
        let elex = Gazetteer::read(&mut r)?;
        let skip_margin = r.f32()?;
        let n_caps = r.len(9)?;
        let mut caps = IdMap::default();
        caps.reserve(n_caps);
        for _ in 0..n_caps {
            let k = r.u64()?;
            caps.insert(k, r.u8()?);
        }
        let features = FeatureSet::from_bits(bits);
        let clusters = if features.clusters {
            WordClusters::read(&mut r)?
        } else {
            WordClusters::default()
        };
        let names = if features.names {
            NameList::read(&mut r)?
        } else {
            NameList::default()
        };
        let model = Model::read(&mut r)?;
        let r2l = match r.u8()? {
            0 => None,
            1 => Some(Model::read(&mut r)?),
            b => return Err(BinError::Invalid(format!("bad direction flag {b}"))),
        };
        let (beam, beam_gap) = if r.remaining() > 0 {
            (usize::from(r.u8()?.max(1)), r.f32()?)
        } else {
            (1, f32::MAX)
        };
        r.finish()?;
        for m in std::iter::once(&model).chain(r2l.as_ref()) {
            if m.n_classes() != N_TAGS {
                return Err(BinError::Invalid(format!(
                    "expected {N_TAGS} classes, found {}",
                    m.n_classes()
                )));
            }
        }
        Ok(NerModel {
            model,
            r2l,
            gazetteer,
            caps,
            elex,
            clusters,
            names,
            skip_margin,
            features,
            beam,
            beam_gap,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::conll::Sentence;
    use crate::ner::gazetteer::GazClass;

    fn all_tags() -> Vec<Tag> {
        (0..N_TAGS).filter_map(Tag::from_index).collect()
    }

    #[test]
    fn tag_round_trip_and_display() {
        for t in all_tags() {
            if let Some((p, l)) = t.parts() {
                assert_eq!(Tag::new(p, l), t);
            }
        }
        assert_eq!(Tag::new(Bilou::Last, EntityLabel::Misc).to_string(), "L-MISC");
        assert_eq!(Tag::O.to_string(), "O");
        assert!(Tag::from_index(N_TAGS).is_none());
    }

    /// Greedy decoding under `may_follow` yields valid sequences whatever
    /// the scores are.
    #[test]
    fn constrained_decoding_is_always_valid() {
        let mut seed = 12345u64;
        for _ in 0..2000 {
            let n = 1 + (seed % 7) as usize;
            let mut tags = Vec::new();
            for i in 0..n {
                let scores: Vec<f32> = (0..N_TAGS)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        (seed % 1000) as f32
                    })
                    .collect();
                let prev = tags.last().copied().unwrap_or(Tag::O);
                tags.push(best_allowed(&scores, prev, i + 1 == n));
            }
            // Valid iff spans → tags reproduces the sequence.
            let spans = bilou_to_spans(&tags);
            assert_eq!(spans_to_bilou(n, &spans), tags, "{tags:?}");
        }
    }

    #[test]
    fn transitions() {
        let b = Tag::new(Bilou::Begin, EntityLabel::Per);
        let i = Tag::new(Bilou::Inside, EntityLabel::Per);
        let l = Tag::new(Bilou::Last, EntityLabel::Per);
        let lo = Tag::new(Bilou::Last, EntityLabel::Org);
        let u = Tag::new(Bilou::Unit, EntityLabel::Loc);
        assert!(b.may_follow(Tag::O, false));
        assert!(!b.may_follow(Tag::O, true));
        assert!(i.may_follow(b, false));
        assert!(!i.may_follow(b, true));
        assert!(l.may_follow(i, true));
        assert!(!lo.may_follow(b, false));
        assert!(!Tag::O.may_follow(b, false));
        assert!(!i.may_follow(Tag::O, false));
        assert!(u.may_follow(l, false));
        assert!(!u.may_follow(i, false));
    }

    #[test]
    fn bilou_spans_round_trip() {
        let spans = vec![
            Span::new(0, 2, EntityLabel::Per),
            Span::new(2, 3, EntityLabel::Per),
            Span::new(4, 7, EntityLabel::Org),
        ];
        let tags = spans_to_bilou(8, &spans);
        assert_eq!(
            tags.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["B-PER", "L-PER", "U-PER", "O", "B-ORG", "I-ORG", "L-ORG", "O"]
        );
        assert_eq!(bilou_to_spans(&tags), spans);
        // Lenient reading of an invalid sequence.
        let bad = [
            Tag::new(Bilou::Inside, EntityLabel::Loc),
            Tag::new(Bilou::Begin, EntityLabel::Loc),
        ];
        assert_eq!(bilou_to_spans(&bad).len(), 2);
    }

    fn toy_docs() -> Vec<Document> {
        let mk = |words: &[&str], spans: &[(usize, usize, EntityLabel)]| Sentence {
            words: words.iter().map(|w| w.to_string()).collect(),
            spans: spans
                .iter()
                .map(|&(start, end, label)| Span { start, end, label })
                .collect(),
            ..Sentence::default()
        };
        use EntityLabel::*;
        let mut docs = Vec::new();
        for k in 0..6 {
            let city = ["Paris", "Berlin", "Rome"][k % 3];
            let person = ["John Smith", "Mary Jones", "Ann Lee"][k % 3];
            let pw: Vec<&str> = person.split(' ').collect();
            let mut s1 = vec![pw[0], pw[1], "visited", city, "for", "Acme", "Corp", "."];
            let s2 = mk(&["The", "meeting", "was", "good", "."], &[]);
            let sp1 = vec![(0, 2, Per), (3, 4, Loc), (5, 7, Org)];
            if k % 2 == 0 {
                s1.push("today");
            }
            docs.push(Document {
                sentences: vec![mk(&s1, &sp1), s2],
            });
        }
        docs
    }

    /// The toy documents as a training set with MISC.
    fn toy_set(docs: &[Document]) -> TrainSet<'_> {
        TrainSet {
            name: "toy",
            documents: docs,
            has_misc: true,
        }
    }

    fn toy_model() -> NerModel {
        toy_model_with(TrainOptions {
            epochs: 5,
            ..TrainOptions::default()
        })
    }

    #[test]
    fn learns_tiny_training_set() {
        let m = toy_model();
        let docs = toy_docs();
        let set = toy_set(&docs);
        assert_eq!(m.evaluate(&set).overall.f1(), 1.0);
        let spans = m.predict(&["Mary", "Jones", "visited", "Rome", "for", "Acme", "Corp", "."]);
        assert_eq!(
            spans,
            vec![
                Span::new(0, 2, EntityLabel::Per),
                Span::new(3, 4, EntityLabel::Loc),
                Span::new(5, 7, EntityLabel::Org)
            ]
        );
        assert!(m.predict::<&str>(&[]).is_empty());
    }

    #[test]
    fn news_context_features_are_stored_and_used() {
        for b in 0..32u8 {
            assert_eq!(FeatureSet::from_bits(b).bits(), b);
        }
        let docs = toy_docs();
        let set = toy_set(&docs);
        let mut opts = TrainOptions {
            epochs: 5,
            ..TrainOptions::default()
        };
        opts.features.topic_numbers = true;
        let mut gaz = Gazetteer::new();
        gaz.add_name("Paris", GazClass::City);
        let m = NerModel::train(&[set], &[set], gaz, &opts, |_| {});
        assert_eq!(m.evaluate(&set).overall.f1(), 1.0);
        let m2 = NerModel::from_bytes(&m.to_bytes()).unwrap();
        assert!(m2.features.topic_numbers);
        assert_eq!(m, m2);
        // More features than the default model.
        assert!(m.size().0 > toy_model().size().0);
    }

    /// Words that only their cluster tells apart: same context, same shape,
    /// unseen test words; swapping the test words' clusters swaps the labels.
    #[test]
    fn cluster_features_generalise_to_unseen_words() {
        const PER: [&str; 6] = ["alpha", "beta", "gamma", "iota", "lambda", "sigma"];
        const LOC: [&str; 6] = ["delta", "epsilon", "zeta", "tau", "phi", "chi"];
        let mut train_rows = String::from("# test\n");
        for (words, c) in [(PER, 1), (LOC, 2)] {
            for w in words {
                train_rows.push_str(&format!("{w}\t{c}\t9\n"));
            }
        }
        let mk = |w: &str, label: EntityLabel| Document {
            sentences: vec![Sentence {
                words: ["we", "met", w, "today", "."].iter().map(|w| w.to_string()).collect(),
                spans: vec![Span::new(2, 3, label)],
                ..Sentence::default()
            }],
        };
        // Each word once, so that the (jackknifed) lexicon of training
        // entities never lists the word itself.
        let mut docs = Vec::new();
        for (p, l) in PER.iter().zip(LOC) {
            docs.push(mk(p, EntityLabel::Per));
            docs.push(mk(l, EntityLabel::Loc));
        }
        let set = toy_set(&docs);
        let train = |test_rows: &str| {
            let clusters = WordClusters::from_tsv(&format!("{train_rows}{test_rows}")).unwrap();
            let opts = TrainOptions {
                epochs: 5,
                clusters,
                ..TrainOptions::default()
            };
            NerModel::train(&[set], &[], Gazetteer::new(), &opts, |_| {})
        };
        let label = |m: &NerModel, w: &str| m.predict(&["we", "met", w, "today", "."]).first().map(|s| s.label);
        let m = train("kappa\t1\t9\nomega\t2\t9\n");
        assert!(m.features.clusters);
        assert_eq!(label(&m, "kappa"), Some(EntityLabel::Per));
        assert_eq!(label(&m, "omega"), Some(EntityLabel::Loc));
        let swapped = train("kappa\t2\t9\nomega\t1\t9\n");
        assert_eq!(label(&swapped, "kappa"), Some(EntityLabel::Loc));
        assert_eq!(label(&swapped, "omega"), Some(EntityLabel::Per));
        // Stored in the model: the same predictions after a round trip.
        let b = m.to_bytes();
        let m2 = NerModel::from_bytes(&b).unwrap();
        assert_eq!(m, m2);
        assert_eq!(m2.clusters.levels(), 2);
        for cut in 0..b.len() {
            assert!(NerModel::from_bytes(&b[..cut]).is_err());
        }
        // An old-style model (no cluster bit) carries no table.
        assert!(!toy_model().features.clusters);
        assert!(toy_model().clusters.is_empty());
    }

    #[test]
    fn lowercase_copies_keep_spans() {
        let docs = toy_docs();
        assert!(lowercase_copies(&docs, 0).is_empty());
        let copies = lowercase_copies(&docs, 2);
        assert_eq!(copies.len(), 3);
        for (c, d) in copies.iter().zip(docs.iter().step_by(2)) {
            for (cs, ds) in c.sentences.iter().zip(&d.sentences) {
                assert_eq!(cs.spans, ds.spans);
                let lower: Vec<String> = ds.words.iter().map(|w| w.to_lowercase()).collect();
                assert_eq!(cs.words, lower);
            }
        }
        assert_eq!(lowercase_copies(&docs, 1).len(), docs.len());
    }

    /// Trained with lowercased copies, the model finds names in lowercase
    /// text that the model trained on cased text alone misses.
    #[test]
    fn case_augmentation_finds_lowercase_names() {
        let docs = toy_docs();
        let set = toy_set(&docs);
        let train = |every: usize| {
            let opts = TrainOptions {
                epochs: 5,
                lowercase_every: every,
                ..TrainOptions::default()
            };
            NerModel::train(&[set], &[], Gazetteer::new(), &opts, |_| {})
        };
        let plain = train(0);
        assert_eq!(plain, train(0), "deterministic");
        let aug = train(1);
        assert_eq!(aug, train(1), "deterministic");
        let lowered = lowercase_copies(&docs, 1);
        let lower_set = TrainSet {
            name: "lower",
            documents: &lowered,
            has_misc: true,
        };
        let (p, a) = (
            plain.evaluate(&lower_set).overall.f1(),
            aug.evaluate(&lower_set).overall.f1(),
        );
        assert!(a == 1.0 && p < a, "plain {p}, augmented {a}");
        // Cased text is still tagged right.
        assert_eq!(aug.evaluate(&set).overall.f1(), 1.0);
    }

    #[test]
    fn bytes_round_trip_and_corruption() {
        let m = toy_model();
        let b = m.to_bytes();
        let m2 = NerModel::from_bytes(&b).unwrap();
        assert_eq!(m, m2);
        let s = ["John", "Smith", "visited", "Paris", "."];
        assert_eq!(m.predict(&s), m2.predict(&s));
        for cut in 0..b.len() {
            assert!(NerModel::from_bytes(&b[..cut]).is_err());
        }
        for i in 0..b.len() {
            let mut bad = b.clone();
            bad[i] ^= 0x5a;
            let _ = NerModel::from_bytes(&bad); // must not panic
        }
        assert!(matches!(
            NerModel::from_bytes(b"XXXX\x01\0\0\0"),
            Err(BinError::BadMagic { .. })
        ));
        // One stray byte is an incomplete beam trailer; after a complete
        // one, anything more is trailing data.
        let mut extra = b.clone();
        extra.push(0);
        assert!(NerModel::from_bytes(&extra).is_err());
        extra.extend_from_slice(&1.0f32.to_le_bytes());
        extra.push(0);
        assert!(matches!(NerModel::from_bytes(&extra), Err(BinError::Trailing(1))));
    }

    fn toy_model_with(opts: TrainOptions) -> NerModel {
        let docs = toy_docs();
        let set = toy_set(&docs);
        let mut gaz = Gazetteer::new();
        gaz.add_name("Paris", GazClass::City);
        NerModel::train(&[set], &[set], gaz, &opts, |_| {})
    }

    #[test]
    fn beam_trained_model_learns_and_round_trips() {
        let docs = toy_docs();
        let set = toy_set(&docs);
        for (bidirectional, gap, max_violation) in [(false, f32::MAX, false), (true, 50.0, false), (false, 50.0, true)]
        {
            let m = toy_model_with(TrainOptions {
                epochs: 5,
                beam: 4,
                decode_beam: 4,
                beam_gap: gap,
                bidirectional,
                max_violation,
                ..TrainOptions::default()
            });
            assert_eq!(m.beam(), 4);
            assert_eq!(m.is_bidirectional(), bidirectional);
            assert_eq!(m.evaluate(&set).overall.f1(), 1.0);
            let b = m.to_bytes();
            let m2 = NerModel::from_bytes(&b).unwrap();
            assert_eq!(m, m2);
            let s = ["Ann", "Lee", "visited", "Berlin", "for", "Acme", "Corp", "."];
            assert_eq!(m.predict(&s), m2.predict(&s));
            assert_eq!(m.predict(&s).len(), 3);
            for cut in 0..b.len() {
                // Cutting exactly the trailer off leaves a valid greedy model.
                if cut + 5 != b.len() {
                    assert!(NerModel::from_bytes(&b[..cut]).is_err());
                }
            }
        }
        // Greedy models keep the old format (no trailer).
        let greedy = toy_model();
        assert_eq!(greedy.beam(), 1);
        let mut beamed = greedy.clone();
        beamed.set_beam(3);
        assert_eq!(beamed.to_bytes().len(), greedy.to_bytes().len() + 5);
    }

    #[test]
    fn name_features_are_stored_and_loaded() {
        let names = NameList::from_census(
            "JOHN           3.271  6.589      2\nMARY           2.629  2.629      1\n",
            "ANN            0.500  9.000     20\n",
            "SMITH          1.006  1.006      1\nJONES          0.621  2.000      5\nLEE            0.200  5.000     30\n",
        );
        let m = toy_model_with(TrainOptions {
            epochs: 5,
            names: names.clone(),
            ..TrainOptions::default()
        });
        assert!(m.features.names);
        let b = m.to_bytes();
        let m2 = NerModel::from_bytes(&b).unwrap();
        assert_eq!(m, m2);
        assert_eq!(m2.names, names);
        let s = ["Mary", "Smith", "visited", "Rome", "."];
        assert_eq!(m.predict(&s), m2.predict(&s));
        assert_eq!(m.predict(&s).first().map(|s| s.label), Some(EntityLabel::Per));
        for cut in 0..b.len() {
            assert!(NerModel::from_bytes(&b[..cut]).is_err());
        }
        // Without the table the bit stays off and the format is the old one.
        let plain = toy_model();
        assert!(!plain.features.names);
        assert!(plain.names.is_empty());
    }

    #[test]
    fn scored_prediction_keeps_the_spans() {
        for beam in [1, 4] {
            let m = toy_model_with(TrainOptions {
                epochs: 5,
                beam,
                decode_beam: beam,
                bidirectional: beam == 1,
                ..TrainOptions::default()
            });
            let doc = vec![
                vec!["Ann", "Lee", "visited", "Berlin", "for", "Acme", "Corp", "."],
                vec!["The", "meeting", "was", "good", "."],
                vec![],
            ];
            let plain = m.predict_document(&doc);
            let scored = m.predict_document_scored(&doc);
            assert_eq!(plain.len(), scored.len());
            for (p, s) in plain.iter().zip(&scored) {
                let spans: Vec<Span> = s.iter().map(|x| x.0).collect();
                assert_eq!(p, &spans);
                assert!(s.iter().all(|x| (0.0..=1.0).contains(&x.1)), "{s:?}");
            }
            assert_eq!(scored[0].len(), 3);
            // Trained on exactly these sentences: better than a uniform guess.
            assert!(scored[0].iter().all(|x| x.1 > 1.0 / N_TAGS as f32), "{scored:?}");
        }
    }

    #[test]
    fn bags_average_into_one_model() {
        let docs = toy_docs();
        let set = toy_set(&docs);
        let one = toy_model_with(TrainOptions {
            epochs: 5,
            ..TrainOptions::default()
        });
        assert_eq!(one, toy_model(), "one bag is the plain model");
        let m = toy_model_with(TrainOptions {
            epochs: 5,
            bags: 3,
            ..TrainOptions::default()
        });
        assert_eq!(m.evaluate(&set).overall.f1(), 1.0);
        assert!(m.size().0 > 0);
    }
}

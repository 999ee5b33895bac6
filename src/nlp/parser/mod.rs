//! Arc-eager dependency parser with an averaged perceptron, producing labeled
//! Universal Dependencies trees: beam search trained as a global structured
//! perceptron (shipped model), or greedy with a dynamic oracle.
//!
//! * **Transition system: arc-eager** (Nivre 2003) with the root node at the
//!   bottom of the stack. Chosen over arc-hybrid because (a) the Zhang & Nivre
//!   (2011) rich feature set was designed for it, (b) its dynamic oracle
//!   (Goldberg & Nivre 2012) is arc-decomposable, so every transition's cost
//!   is a few O(n) counts, and (c) greedy arc-eager with that oracle was the
//!   stronger of the two in Goldberg & Nivre's (2013) English experiments.
//! * **Training, beam** (`beam > 1`, see the `beam` module): beam search with
//!   max-violation updates against the best zero-cost derivation. On EWT dev
//!   with predicted tags, beam 8 gave UAS/LAS 87.3/84.2 against 85.6/82.4
//!   greedy; a beam-8 model parsing with beam 4 keeps nearly all of it at
//!   twice the speed of beam 8 (`decode_beam`).
//! * **Training, greedy** (`beam = 1`): one perceptron update whenever the
//!   predicted transition has non-minimal cost, toward the best-scoring
//!   minimal-cost transition; after `explore_after` epochs the parser follows
//!   its own prediction with probability `explore_prob` (error exploration),
//!   otherwise the oracle's.
//! * **Labels:** transitions carry the full deprel (`nmod:poss`, `obl:tmod`,
//!   …). Classes: `0` = SHIFT, `1` = REDUCE, `2 + 2l` = LEFT-ARC(l),
//!   `3 + 2l` = RIGHT-ARC(l).
//! * **Valid trees, always:** the root node accepts exactly one dependent
//!   (labeled `root`), no other arc may be labeled `root`, and words left
//!   without a head when the buffer runs out are attached to the root word
//!   (`punct` for UPOS `PUNCT`, else `dep`); if the root never got a
//!   dependent, the first headless word becomes the root.
//! * **Non-projective gold trees** (arc-eager cannot build them) are either
//!   projectivized by lifting (default) or skipped: see [`NonProjective`].
//!   308 of 13 131 training sentences are non-projective. On EWT dev, skip
//!   was +0.1 UAS with gold tags but −0.4 UAS with predicted tags, so the
//!   shipped model lifts.
//! * **Features:** the Zhang & Nivre (2011) set (75 templates with S1 and a
//!   bias), the "tag" being the (UPOS, XPOS) pair, plus (default on) 8
//!   suffix/word-shape templates and 9 ambiguity-class templates (the set of
//!   XPOS tags each word of ≥ 3 occurrences carries in the training data,
//!   stored in the model): with predicted tags they gave +0.1 UAS on EWT dev
//!   and +1.7 UAS on GUM news dev. Separate-UPOS templates gave nothing.
//!   `lean_features` drops 12 sparse word templates: ~+18% speed, −0.5 UAS.
//! * **Input tags:** `parse` takes UPOS and XPOS per word. The shipped model
//!   is trained on 5-fold jackknifed tags (a tagger's output on held-out
//!   folds), which beats gold-tag training by ~0.7 UAS when parsing with
//!   predicted tags.
//!
//! Model file: magic `TKGDEPP\0`, `u32` version, feature flags, labels,
//! then the perceptron model's body (see `perceptron::Model::write`).

// The parser's own perceptron and binary format (hashing and storage differ
// from the tagger's; unifying them means retraining both models).
#[allow(dead_code, reason = "general-purpose helpers; some are used only by tests")]
mod binio;
#[allow(dead_code, reason = "general-purpose helpers; some are used only by tests")]
mod perceptron;

mod beam;

use self::binio::{BinError, Reader, Writer};
use self::perceptron::{IdMap, Model, Trainer, hash_str, hash_str_lower, mix};
use crate::nlp::conllu::Sentence;

const MAGIC: &[u8; 8] = b"TKGDEPP\0";
const VERSION: u32 = 2;
/// Largest beam a model file may ask for.
const MAX_BEAM: usize = 64;
const SHIFT: usize = 0;
const REDUCE: usize = 1;
/// Label id used for "no label" (word without head, or no such word).
const NO_LABEL: u16 = u16::MAX;

/// How to treat non-projective gold trees during training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonProjective {
    /// Lift non-projective arcs (shortest first) to the grandparent until the
    /// tree is projective, keeping labels; train on the lifted tree.
    Projectivize,
    /// Leave non-projective sentences out of training.
    Skip,
}

/// Training settings. [`Default`] gives the settings used for the shipped model.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Number of passes over the training data.
    pub epochs: usize,
    /// Seed of the shuffling / exploration RNG.
    pub seed: u64,
    /// Epoch (0-based) from which error exploration starts.
    pub explore_after: usize,
    /// Probability of following the model's (possibly wrong) prediction once exploring.
    pub explore_prob: f64,
    /// Non-projective gold trees handling.
    pub nonprojective: NonProjective,
    /// Averaged weights with absolute value below this are dropped.
    pub prune: f32,
    /// Features touched by fewer perceptron updates than this are dropped.
    pub min_updates: u32,
    /// Per-token probability of replacing a training token's (UPOS, XPOS)
    /// with the pair of a random training occurrence of the same word, so
    /// ambiguous words get realistic tagger-like errors (0 = off).
    pub tag_noise: f64,
    /// Which POS information the tag features use.
    pub tag_features: TagFeatures,
    /// Add suffix and word-shape templates (help unknown words / tag errors).
    pub lexical_features: bool,
    /// Drop 12 sparse word-based templates (word × distance / valency /
    /// label set, and third-order words) for speed.
    pub lean_features: bool,
    /// Add ambiguity-class templates: the set of XPOS tags a word had in
    /// training (words seen at least 3 times), independent of the tagger.
    pub ambiguity_features: bool,
    /// Beam width: 1 = greedy decoding trained with the dynamic oracle and
    /// error exploration; more = beam search trained as a global structured
    /// perceptron with max-violation updates.
    pub beam: usize,
    /// Beam width stored in the model, used for parsing and for choosing the
    /// epoch on dev (0 = the training beam). A model trained with a wide beam
    /// loses little when it parses with a narrower, faster one.
    pub decode_beam: usize,
    /// Print per-epoch progress to stderr.
    pub verbose: bool,
}

/// Which POS information feeds the "tag" slots of the feature templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagFeatures {
    /// One tag = the (UPOS, XPOS) pair.
    Combined = 0,
    /// XPOS only.
    Xpos = 1,
    /// UPOS only.
    Upos = 2,
    /// XPOS in the Zhang & Nivre templates, plus extra UPOS-only templates.
    XposPlusUpos = 3,
}

impl TagFeatures {
    fn from_u8(v: u8) -> Option<Self> {
        [Self::Combined, Self::Xpos, Self::Upos, Self::XposPlusUpos]
            .into_iter()
            .find(|t| *t as u8 == v)
    }
}

impl Default for TrainOptions {
    /// The shipped model's settings (chosen on EWT dev).
    fn default() -> Self {
        Self {
            epochs: 12,
            seed: 42,
            explore_after: 1,
            explore_prob: 0.9,
            nonprojective: NonProjective::Projectivize,
            prune: 0.5,
            min_updates: 10,
            tag_noise: 0.0,
            tag_features: TagFeatures::Combined,
            lexical_features: true,
            lean_features: false,
            ambiguity_features: true,
            beam: 8,
            decode_beam: 4,
            verbose: true,
        }
    }
}

/// Errors from loading a parser model.
#[derive(Debug, thiserror::Error)]
pub enum ParserError {
    /// The bytes are not a valid model.
    #[error("invalid parser model: {0}")]
    Format(#[from] BinError),
}

/// A trained dependency parser.
#[derive(Debug, Clone, PartialEq)]
pub struct Parser {
    tag_features: TagFeatures,
    lexical_features: bool,
    lean_features: bool,
    /// Lowercased word hash → ambiguity-class hash (empty when unused).
    ambiguity: IdMap<u64>,
    ambiguity_features: bool,
    /// Beam width used when parsing (1 = greedy).
    beam: usize,
    labels: Vec<String>,
    root_label: u16,
    punct_label: u16,
    dep_label: u16,
    model: Model,
}

/// Unlabeled/labeled attachment scores.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    /// Words scored (punctuation included).
    pub words: usize,
    /// Words with the correct head.
    pub head_correct: usize,
    /// Words with the correct head and full deprel (subtypes included).
    pub labeled_correct: usize,
    /// Words with the correct head and universal deprel (subtype stripped,
    /// as the CoNLL 2018 shared-task scorer does).
    pub labeled_universal_correct: usize,
}

impl Scores {
    /// Unlabeled attachment score, in percent.
    pub fn uas(&self) -> f64 {
        pct(self.head_correct, self.words)
    }
    /// Labeled attachment score with full deprels, in percent.
    pub fn las(&self) -> f64 {
        pct(self.labeled_correct, self.words)
    }
    /// Labeled attachment score on universal deprels (CoNLL 2018 style), in percent.
    pub fn las_universal(&self) -> f64 {
        pct(self.labeled_universal_correct, self.words)
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 }
}

/// Scores predicted `(head, deprel)` pairs against the gold columns of `gold`.
pub fn score_sentence(gold: &Sentence, pred: &[(usize, &str)], acc: &mut Scores) {
    for (i, w) in gold.words.iter().enumerate() {
        acc.words += 1;
        let Some(&(h, l)) = pred.get(i) else { continue };
        if w.head == Some(h) {
            acc.head_correct += 1;
            if w.deprel == l {
                acc.labeled_correct += 1;
            }
            let univ = |s: &str| s.split(':').next().unwrap_or("").to_string();
            if univ(&w.deprel) == univ(l) {
                acc.labeled_universal_correct += 1;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Sentence encoding and parser state

/// Per-token hashed attributes; index 0 is the root, index `n + 1` the
/// "no such token" sentinel.
struct Tokens {
    mode: TagFeatures,
    lexical: bool,
    lean: bool,
    /// Ambiguity class per token (empty when unused).
    amb: Vec<u64>,
    suffix: Vec<u64>,
    shape: Vec<u64>,
    word: Vec<u64>,
    tag: Vec<u64>,
    upos: Vec<u64>,
    is_punct: Vec<bool>,
}

const H_ROOT: u64 = 0x0123_4567_89ab_cdef;
const H_NONE: u64 = 0x0fed_cba9_8765_4321;
const H_UNK: u64 = 0x5a5a_1234_a5a5_4321;

/// Ambiguity classes: for each lowercased word seen at least `min_count`
/// times, a hash of the sorted set of XPOS tags that make up at least 5% of
/// its occurrences.
fn build_ambiguity(train: &[Sentence], min_count: u32) -> IdMap<u64> {
    let mut counts: IdMap<Vec<(String, u32)>> = IdMap::default();
    for s in train {
        for w in &s.words {
            let tags = counts.entry(hash_str_lower(&w.form)).or_default();
            match tags.iter_mut().find(|t| t.0 == w.xpos) {
                Some(t) => t.1 += 1,
                None => tags.push((w.xpos.clone(), 1)),
            }
        }
    }
    let mut out = IdMap::default();
    for (word, mut tags) in counts {
        let total: u32 = tags.iter().map(|t| t.1).sum();
        if total < min_count {
            continue;
        }
        tags.retain(|t| t.1 * 20 >= total);
        tags.sort();
        let h = tags.iter().fold(0x77u64, |h, t| mix(h, hash_str(&t.0)));
        out.insert(word, h);
    }
    out
}

impl Tokens {
    fn new(
        mode: TagFeatures,
        lexical: bool,
        ambiguity: Option<&IdMap<u64>>,
        words: &[&str],
        upos: &[&str],
        xpos: &[&str],
    ) -> Self {
        let n = words.len();
        let mut amb = Vec::new();
        if let Some(map) = ambiguity {
            amb.reserve(n + 2);
            amb.push(H_ROOT);
            for w in words {
                amb.push(map.get(&hash_str_lower(w)).copied().unwrap_or(H_UNK));
            }
            amb.push(H_NONE);
        }
        let mut suffix = Vec::new();
        let mut shape = Vec::new();
        if lexical {
            suffix.reserve(n + 2);
            shape.reserve(n + 2);
            suffix.push(H_ROOT);
            shape.push(H_ROOT);
            for w in words {
                suffix.push(suffix_hash(w));
                shape.push(shape_hash(w));
            }
            suffix.push(H_NONE);
            shape.push(H_NONE);
        }
        let mut word = Vec::with_capacity(n + 2);
        let mut tag = Vec::with_capacity(n + 2);
        let mut uh = Vec::with_capacity(n + 2);
        let mut is_punct = Vec::with_capacity(n + 2);
        word.push(H_ROOT);
        tag.push(H_ROOT);
        uh.push(H_ROOT);
        is_punct.push(false);
        for (i, w) in words.iter().enumerate() {
            let u = upos.get(i).copied().unwrap_or("_");
            let x = xpos.get(i).copied().unwrap_or("_");
            word.push(hash_str_lower(w));
            tag.push(match mode {
                TagFeatures::Combined => tag_hash(u, x),
                TagFeatures::Xpos | TagFeatures::XposPlusUpos => hash_str(x),
                TagFeatures::Upos => hash_str(u),
            });
            uh.push(hash_str(u));
            is_punct.push(u == "PUNCT");
        }
        word.push(H_NONE);
        tag.push(H_NONE);
        uh.push(H_NONE);
        is_punct.push(false);
        Self {
            mode,
            lexical,
            lean: false,
            amb,
            suffix,
            shape,
            word,
            tag,
            upos: uh,
            is_punct,
        }
    }
}

/// Hash of the last three characters, lowercased.
fn suffix_hash(w: &str) -> u64 {
    let start = w.char_indices().rev().nth(2).map_or(0, |(i, _)| i);
    hash_str_lower(&w[start..])
}

/// Coarse word shape: capitalization pattern, digits, hyphen, length class.
fn shape_hash(w: &str) -> u64 {
    let mut first_upper = false;
    let (mut upper, mut lower, mut digit, mut hyphen, mut other) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for (i, c) in w.chars().enumerate() {
        if c.is_uppercase() {
            upper = 1;
            first_upper |= i == 0;
        } else if c.is_lowercase() {
            lower = 1;
        } else if c.is_numeric() {
            digit = 1;
        } else if c == '-' {
            hyphen = 1;
        } else {
            other = 1;
        }
    }
    let len = w.chars().count().min(6) as u64;
    u64::from(first_upper) | upper << 1 | lower << 2 | digit << 3 | hyphen << 4 | other << 5 | len << 6
}

fn tag_hash(upos: &str, xpos: &str) -> u64 {
    mix(hash_str(upos), hash_str(xpos))
}

/// Arc-eager configuration. Token `0` is the root, `n + 1` means "none".
#[derive(Clone)]
struct State {
    n: usize,
    stack: Vec<usize>,
    /// Front of the buffer; `n + 1` when the buffer is empty.
    b: usize,
    head: Vec<usize>,
    label: Vec<u16>,
    lm: Vec<usize>,
    l2: Vec<usize>,
    rm: Vec<usize>,
    r2: Vec<usize>,
    lval: Vec<u8>,
    rval: Vec<u8>,
    lset: Vec<u128>,
    rset: Vec<u128>,
    root_child: usize,
}

impl State {
    fn new(n: usize) -> Self {
        let none = n + 1;
        let m = n + 2;
        Self {
            n,
            stack: {
                let mut s = Vec::with_capacity(n + 1);
                s.push(0);
                s
            },
            b: if n == 0 { none } else { 1 },
            head: vec![none; m],
            label: vec![NO_LABEL; m],
            lm: vec![none; m],
            l2: vec![none; m],
            rm: vec![none; m],
            r2: vec![none; m],
            lval: vec![0; m],
            rval: vec![0; m],
            lset: vec![0; m],
            rset: vec![0; m],
            root_child: none,
        }
    }

    /// Makes this the initial state of an `n`-word sentence, reusing the buffers.
    fn reset(&mut self, n: usize) {
        let none = n + 1;
        let m = n + 2;
        self.n = n;
        self.stack.clear();
        self.stack.push(0);
        self.b = if n == 0 { none } else { 1 };
        for v in [&mut self.head, &mut self.lm, &mut self.l2, &mut self.rm, &mut self.r2] {
            v.clear();
            v.resize(m, none);
        }
        self.label.clear();
        self.label.resize(m, NO_LABEL);
        for v in [&mut self.lval, &mut self.rval] {
            v.clear();
            v.resize(m, 0);
        }
        for v in [&mut self.lset, &mut self.rset] {
            v.clear();
            v.resize(m, 0);
        }
        self.root_child = none;
    }

    /// Copies `other` into `self`, reusing `self`'s buffers.
    fn copy_from(&mut self, other: &State) {
        self.n = other.n;
        self.stack.clone_from(&other.stack);
        self.b = other.b;
        self.head.clone_from(&other.head);
        self.label.clone_from(&other.label);
        self.lm.clone_from(&other.lm);
        self.l2.clone_from(&other.l2);
        self.rm.clone_from(&other.rm);
        self.r2.clone_from(&other.r2);
        self.lval.clone_from(&other.lval);
        self.rval.clone_from(&other.rval);
        self.lset.clone_from(&other.lset);
        self.rset.clone_from(&other.rset);
        self.root_child = other.root_child;
    }

    /// Calls `f` with every valid class, in increasing order (same rules as [`State::valid`]).
    #[inline]
    fn for_each_valid(&self, root: u16, n_labels: usize, mut f: impl FnMut(usize)) {
        if self.can_shift() {
            f(SHIFT);
        }
        if self.can_reduce() {
            f(REDUCE);
        }
        let left = self.can_left();
        let right = self.can_right();
        let s0_is_root = self.s0() == 0;
        for l in 0..n_labels {
            let is_root = l == usize::from(root);
            if left && !is_root {
                f(2 + 2 * l);
            }
            if right && s0_is_root == is_root {
                f(3 + 2 * l);
            }
        }
    }

    #[inline]
    fn none(&self) -> usize {
        self.n + 1
    }

    #[inline]
    fn s0(&self) -> usize {
        self.stack.last().copied().unwrap_or(self.n + 1)
    }

    #[inline]
    fn buffer_empty(&self) -> bool {
        self.b > self.n
    }

    fn add_arc(&mut self, h: usize, d: usize, l: u16) {
        let none = self.none();
        self.head[d] = h;
        self.label[d] = l;
        let bit = if l < 128 { 1u128 << l } else { 0 };
        if h == 0 {
            self.root_child = d;
        }
        if d < h {
            if self.lm[h] == none || d < self.lm[h] {
                self.l2[h] = self.lm[h];
                self.lm[h] = d;
            } else if self.l2[h] == none || d < self.l2[h] {
                self.l2[h] = d;
            }
            self.lval[h] = self.lval[h].saturating_add(1);
            self.lset[h] |= bit;
        } else {
            if self.rm[h] == none || d > self.rm[h] {
                self.r2[h] = self.rm[h];
                self.rm[h] = d;
            } else if self.r2[h] == none || d > self.r2[h] {
                self.r2[h] = d;
            }
            self.rval[h] = self.rval[h].saturating_add(1);
            self.rset[h] |= bit;
        }
    }

    fn can_shift(&self) -> bool {
        !self.buffer_empty()
    }
    fn can_reduce(&self) -> bool {
        let s0 = self.s0();
        s0 != 0 && s0 <= self.n && self.head[s0] != self.none()
    }
    fn can_left(&self) -> bool {
        let s0 = self.s0();
        !self.buffer_empty() && s0 != 0 && s0 <= self.n && self.head[s0] == self.none()
    }
    fn can_right(&self) -> bool {
        let s0 = self.s0();
        !self.buffer_empty() && s0 <= self.n && (s0 != 0 || self.root_child == self.none())
    }

    /// Is class `c` valid here? `root` is the id of the `root` label.
    fn valid(&self, c: usize, root: u16) -> bool {
        match c {
            SHIFT => self.can_shift(),
            REDUCE => self.can_reduce(),
            _ => {
                let l = ((c - 2) / 2) as u16;
                if c.is_multiple_of(2) {
                    l != root && self.can_left()
                } else {
                    self.can_right() && ((self.s0() == 0) == (l == root))
                }
            }
        }
    }

    fn apply(&mut self, c: usize) {
        match c {
            SHIFT => {
                self.stack.push(self.b);
                self.b += 1;
            }
            REDUCE => {
                self.stack.pop();
            }
            _ => {
                let l = ((c - 2) / 2) as u16;
                let s0 = self.s0();
                let b = self.b;
                if c.is_multiple_of(2) {
                    self.add_arc(b, s0, l);
                    self.stack.pop();
                } else {
                    self.add_arc(s0, b, l);
                    self.stack.push(b);
                    self.b += 1;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Features (Zhang & Nivre 2011, plus S1 and a bias)

fn dist_bucket(d: usize) -> u64 {
    match d {
        0..=4 => d as u64,
        5..=7 => 5,
        8..=12 => 6,
        _ => 7,
    }
}

/// Which templates [`extract_part`] emits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// All of them.
    All,
    /// Only those that depend on nothing but the buffer front (`n0`..`n2`):
    /// their scores are the same for every state with the same buffer front
    /// and are cached per sentence position while parsing.
    Buffer,
    /// All the others.
    Rest,
}

/// Every template's feature hash for state `st` (same as `extract_part` with [`Part::All`]).
fn extract(st: &State, tk: &Tokens, out: &mut Vec<u64>) {
    extract_part(st, tk, Part::All, out);
}

fn extract_part(st: &State, tk: &Tokens, part: Part, out: &mut Vec<u64>) {
    out.clear();
    let none = st.none();
    let at = |v: &Vec<usize>, i: usize| if i >= none { none } else { v[i] };
    let s0 = st.s0();
    let n0 = st.b.min(none);
    let n1 = if n0 >= none { none } else { (n0 + 1).min(none) };
    let n2 = if n1 >= none { none } else { (n1 + 1).min(none) };
    let s1 = if st.stack.len() >= 2 {
        st.stack[st.stack.len() - 2]
    } else {
        none
    };
    let s0h = at(&st.head, s0);
    let s0h2 = at(&st.head, s0h);
    let s0l = at(&st.lm, s0);
    let s0l2 = at(&st.l2, s0);
    let s0r = at(&st.rm, s0);
    let s0r2 = at(&st.r2, s0);
    let n0l = at(&st.lm, n0);
    let n0l2 = at(&st.l2, n0);
    let w = |i: usize| tk.word[i];
    let p = |i: usize| tk.tag[i];
    let lab = |i: usize| u64::from(if i >= none { NO_LABEL } else { st.label[i] });
    let lval = |i: usize| u64::from(if i >= none { 0 } else { st.lval[i] });
    let rval = |i: usize| u64::from(if i >= none { 0 } else { st.rval[i] });
    let lset = |i: usize| if i >= none { 0 } else { st.lset[i] };
    let rset = |i: usize| if i >= none { 0 } else { st.rset[i] };
    let set = |s: u128| mix(s as u64, (s >> 64) as u64);
    let d = if n0 >= none || s0 >= none {
        0
    } else {
        dist_bucket(n0 - s0)
    };

    let mut t: u64 = 0;
    // `f!` for templates that look past the buffer front, `fb!` for those
    // that do not; both number every template, so hashes never depend on `part`.
    macro_rules! template {
        ($left_out_in:expr; $($x:expr),+) => {{
            t += 1;
            if part != $left_out_in {
                let mut h = t.wrapping_mul(0x2545_F491_4F6C_DD1D);
                $( h = mix(h, $x); )+
                out.push(h);
            }
        }};
    }
    macro_rules! f {
        ($($x:expr),+) => {
            template!(Part::Buffer; $($x),+)
        };
    }
    macro_rules! fb {
        ($($x:expr),+) => {
            template!(Part::Rest; $($x),+)
        };
    }
    // `fw!`: a sparse word template, left out (and not numbered) in lean models.
    macro_rules! fw {
        ($($x:expr),+) => {{
            if !tk.lean {
                f!($($x),+);
            }
        }};
    }
    // single words
    f!(w(s0), p(s0));
    f!(w(s0));
    f!(p(s0));
    fb!(w(n0), p(n0));
    fb!(w(n0));
    fb!(p(n0));
    fb!(w(n1), p(n1));
    fb!(w(n1));
    fb!(p(n1));
    fb!(w(n2), p(n2));
    fb!(w(n2));
    fb!(p(n2));
    // word pairs
    f!(w(s0), p(s0), w(n0), p(n0));
    f!(w(s0), p(s0), w(n0));
    f!(w(s0), w(n0), p(n0));
    f!(w(s0), p(s0), p(n0));
    f!(p(s0), w(n0), p(n0));
    f!(w(s0), w(n0));
    f!(p(s0), p(n0));
    fb!(p(n0), p(n1));
    // three words
    fb!(p(n0), p(n1), p(n2));
    f!(p(s0), p(n0), p(n1));
    f!(p(s0h), p(s0), p(n0));
    f!(p(s0), p(s0l), p(n0));
    f!(p(s0), p(s0r), p(n0));
    f!(p(s0), p(n0), p(n0l));
    // distance
    fw!(w(s0), d);
    f!(p(s0), d);
    fw!(w(n0), d);
    f!(p(n0), d);
    f!(w(s0), w(n0), d);
    f!(p(s0), p(n0), d);
    // valency
    fw!(w(s0), rval(s0));
    f!(p(s0), rval(s0));
    fw!(w(s0), lval(s0));
    f!(p(s0), lval(s0));
    fw!(w(n0), lval(n0));
    f!(p(n0), lval(n0));
    // unigrams of second-order tokens
    f!(w(s0h));
    f!(p(s0h));
    f!(lab(s0));
    f!(w(s0l));
    f!(p(s0l));
    f!(lab(s0l));
    f!(w(s0r));
    f!(p(s0r));
    f!(lab(s0r));
    f!(w(n0l));
    f!(p(n0l));
    f!(lab(n0l));
    // third order
    fw!(w(s0h2));
    f!(p(s0h2));
    f!(lab(s0h));
    fw!(w(s0l2));
    f!(p(s0l2));
    f!(lab(s0l2));
    fw!(w(s0r2));
    f!(p(s0r2));
    f!(lab(s0r2));
    fw!(w(n0l2));
    f!(p(n0l2));
    f!(lab(n0l2));
    f!(p(s0), p(s0l), p(s0l2));
    f!(p(s0), p(s0r), p(s0r2));
    f!(p(s0), p(s0h), p(s0h2));
    f!(p(n0), p(n0l), p(n0l2));
    // label sets
    fw!(w(s0), set(rset(s0)));
    f!(p(s0), set(rset(s0)));
    fw!(w(s0), set(lset(s0)));
    f!(p(s0), set(lset(s0)));
    fw!(w(n0), set(lset(n0)));
    f!(p(n0), set(lset(n0)));
    // extras: second stack item, bias
    f!(w(s1), p(s1));
    f!(p(s1), p(s0), p(n0));
    fb!(1);
    if !tk.amb.is_empty() {
        let a = |i: usize| tk.amb[i];
        f!(a(s0));
        fb!(a(n0));
        fb!(a(n1));
        f!(a(s0), a(n0));
        fb!(a(n0), p(n0));
        f!(a(s0), p(s0));
        f!(a(n0), p(s0));
        f!(a(s0), p(n0));
        fb!(a(n0), a(n1));
    }
    if tk.lexical {
        let sf = |i: usize| tk.suffix[i];
        let sh = |i: usize| tk.shape[i];
        f!(sf(s0));
        fb!(sf(n0));
        fb!(sf(n1));
        f!(sh(s0));
        fb!(sh(n0));
        f!(sf(n0), p(s0));
        f!(sf(s0), p(n0));
        fb!(sh(n0), sh(n1));
    }
    if tk.mode == TagFeatures::XposPlusUpos {
        let u = |i: usize| tk.upos[i];
        f!(u(s0));
        f!(u(n0));
        f!(u(n1));
        f!(u(s0), u(n0));
        f!(u(n0), u(n1));
        f!(u(s0), u(n0), u(n1));
        f!(u(n0), u(n1), u(n2));
        f!(u(s0h), u(s0), u(n0));
        f!(u(s1), u(s0), u(n0));
        f!(u(s0), w(n0));
        f!(w(s0), u(n0));
    }
}

/// Scores states of one sentence with a frozen model, computing the part of
/// the score that depends only on the buffer front once per position (a
/// greedy parse visits each position about twice, a beam several times).
/// Scores are summed as integers (quantization steps) and converted to `f32`
/// once: the sums stay well below 2^24, so the values are the same as summing
/// in `f32`, and splitting the sum does not change them either.
struct CachedScorer {
    n_classes: usize,
    buffer: Vec<i32>,
    done: Vec<bool>,
    feats: Vec<u64>,
    sum: Vec<i32>,
}

impl CachedScorer {
    fn new() -> Self {
        Self {
            n_classes: 0,
            buffer: Vec::new(),
            done: Vec::new(),
            feats: Vec::with_capacity(128),
            sum: Vec::new(),
        }
    }

    /// Starts a sentence of `n` words.
    fn reset(&mut self, n: usize, n_classes: usize) {
        self.n_classes = n_classes;
        self.buffer.clear();
        self.buffer.resize((n + 2) * n_classes, 0);
        self.done.clear();
        self.done.resize(n + 2, false);
        self.sum.clear();
        self.sum.resize(n_classes, 0);
    }

    /// Writes the unscaled scores of `st` into `out` (`n_classes` long).
    fn score(&mut self, model: &Model, st: &State, tk: &Tokens, out: &mut [f32]) {
        let nc = self.n_classes;
        let b = st.b.min(st.none());
        let sum = &mut self.sum;
        match self.buffer.get_mut(b * nc..(b + 1) * nc) {
            Some(cached) => {
                if !self.done[b] {
                    extract_part(st, tk, Part::Buffer, &mut self.feats);
                    cached.fill(0);
                    model.score_unscaled(&self.feats, cached);
                    self.done[b] = true;
                }
                sum.copy_from_slice(cached);
                extract_part(st, tk, Part::Rest, &mut self.feats);
            }
            None => {
                sum.fill(0);
                extract(st, tk, &mut self.feats);
            }
        }
        model.score_unscaled(&self.feats, sum);
        for (o, &x) in out.iter_mut().zip(sum.iter()) {
            *o = x as f32;
        }
    }
}

// ---------------------------------------------------------------------------
// Dynamic oracle (Goldberg & Nivre 2012), arc-decomposable costs

struct Gold<'a> {
    head: &'a [usize],
    label: &'a [u16],
    /// The gold root word.
    root: usize,
}

/// Cost (number of gold arcs made unreachable) of every class; `u32::MAX` = invalid.
fn costs(st: &State, g: &Gold<'_>, root_label: u16, n_labels: usize, out: &mut [u32]) {
    let none = st.none();
    let s0 = st.s0();
    let b = st.b;
    let n = st.n;
    let in_buffer = |k: usize| k >= b && k <= n;
    out.fill(u32::MAX);
    // SHIFT: b loses its head/children on the stack.
    if st.can_shift() {
        let mut c = 0u32;
        for &k in &st.stack {
            if g.head[b] == k && (k != 0 || st.root_child == none) {
                c += 1;
            }
            if k != 0 && g.head[k] == b && st.head[k] == none {
                c += 1;
            }
        }
        out[SHIFT] = c;
    }
    // REDUCE: s0 loses its children still in the buffer.
    if st.can_reduce() {
        out[REDUCE] = (b..=n).filter(|&k| g.head[k] == s0).count() as u32;
    }
    if st.can_left() {
        let mut c = 0u32;
        if g.head[s0] != b && in_buffer(g.head[s0]) {
            c += 1;
        }
        c += (b..=n).filter(|&k| g.head[k] == s0).count() as u32;
        for l in 0..n_labels {
            let l16 = l as u16;
            if l16 == root_label {
                continue;
            }
            let extra = u32::from(g.head[s0] == b && g.label[s0] != l16);
            out[2 + 2 * l] = c + extra;
        }
    }
    if st.can_right() {
        let mut c = 0u32;
        let gh = g.head[b];
        let gh_open = gh != 0 || st.root_child == none;
        if gh != s0 && gh_open && (in_buffer(gh) || st.stack.contains(&gh)) {
            c += 1;
        }
        for &k in &st.stack {
            if k != 0 && g.head[k] == b && st.head[k] == none {
                c += 1;
            }
        }
        if s0 == 0 && gh != 0 && g.root > b && g.root <= n {
            // The gold root word can no longer attach to the root.
            c += 1;
        }
        for l in 0..n_labels {
            let l16 = l as u16;
            if (s0 == 0) != (l16 == root_label) {
                continue;
            }
            let extra = u32::from(gh == s0 && g.label[b] != l16);
            out[3 + 2 * l] = c + extra;
        }
    }
}

/// Lifts non-projective arcs (shortest first) until the tree is projective.
/// `head[i]` for `i` in `1..=n`; `head[0]` is ignored. Returns the number of lifts.
pub fn projectivize(head: &mut [usize]) -> usize {
    let n = head.len().saturating_sub(1);
    let mut lifts = 0;
    for _ in 0..n * n + 1 {
        let mut best: Option<(usize, usize)> = None; // (span, dependent)
        for d in 1..=n {
            let h = head[d];
            let (lo, hi) = if h < d { (h, d) } else { (d, h) };
            let nonproj = (lo + 1..hi).any(|k| !dominates(head, h, k));
            if nonproj && best.is_none_or(|(span, _)| hi - lo < span) {
                best = Some((hi - lo, d));
            }
        }
        let Some((_, d)) = best else { return lifts };
        let h = head[d];
        if h == 0 {
            return lifts; // cannot happen for a tree; stop rather than loop
        }
        head[d] = head[h];
        lifts += 1;
    }
    lifts
}

/// Does `h` dominate `k` (is `h` an ancestor of `k`, or `k` itself)?
fn dominates(head: &[usize], h: usize, k: usize) -> bool {
    let mut x = k;
    for _ in 0..head.len() + 1 {
        if x == h {
            return true;
        }
        if x == 0 || x >= head.len() {
            return false;
        }
        x = head[x];
    }
    false
}

/// Is the tree (`head[i]` for `i` in `1..=n`) projective?
pub fn is_projective(head: &[usize]) -> bool {
    let n = head.len().saturating_sub(1);
    (1..=n).all(|d| {
        let h = head[d];
        let (lo, hi) = if h < d { (h, d) } else { (d, h) };
        (lo + 1..hi).all(|k| dominates(head, h, k))
    })
}

// ---------------------------------------------------------------------------
// Small deterministic RNG (splitmix64)

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

// ---------------------------------------------------------------------------
// Training

/// One training sentence in id form.
struct TrainSent {
    words: Vec<String>,
    upos: Vec<String>,
    xpos: Vec<String>,
    head: Vec<usize>,
    label: Vec<u16>,
    root: usize,
}

fn argmax_valid(scores: &[f32], st: &State, root: u16) -> usize {
    let mut best = usize::MAX;
    let mut best_s = f32::NEG_INFINITY;
    for (c, &s) in scores.iter().enumerate() {
        if (best == usize::MAX || s > best_s) && st.valid(c, root) {
            best = c;
            best_s = s;
        }
    }
    best
}

impl Parser {
    /// Trains on `train` (sentences with gold HEAD/DEPREL and tags), keeping
    /// the epoch with the best dev LAS. Deterministic for a given
    /// `opts.seed`. Sentences with missing heads are skipped.
    pub fn train(train: &[Sentence], dev: &[Sentence], opts: &TrainOptions) -> Parser {
        // Label inventory, sorted for a stable class order.
        let mut labels: Vec<String> = train
            .iter()
            .flat_map(|s| s.words.iter().map(|w| w.deprel.clone()))
            .chain(["root".to_string(), "dep".to_string(), "punct".to_string()])
            .collect();
        labels.sort();
        labels.dedup();
        let lid = |s: &str| labels.iter().position(|l| l == s).unwrap_or(0) as u16;
        let root_label = lid("root");
        let punct_label = lid("punct");
        let dep_label = lid("dep");
        let n_labels = labels.len();
        let n_classes = 2 + 2 * n_labels;

        let mut sents = Vec::new();
        let (mut lifted_sents, mut skipped) = (0usize, 0usize);
        for s in train {
            let n = s.words.len();
            if n == 0 || s.words.iter().any(|w| w.head.is_none_or(|h| h > n)) {
                skipped += 1;
                continue;
            }
            let mut head: Vec<usize> = std::iter::once(0)
                .chain(s.words.iter().map(|w| w.head.unwrap_or(0)))
                .collect();
            let roots = head[1..].iter().filter(|&&h| h == 0).count();
            if roots != 1 || !(1..=n).all(|k| dominates(&head, 0, k)) {
                skipped += 1;
                continue;
            }
            if !is_projective(&head) {
                match opts.nonprojective {
                    NonProjective::Skip => {
                        skipped += 1;
                        continue;
                    }
                    NonProjective::Projectivize => {
                        projectivize(&mut head);
                        lifted_sents += 1;
                    }
                }
            }
            head.push(n + 1);
            let mut label: Vec<u16> = std::iter::once(NO_LABEL)
                .chain(s.words.iter().map(|w| lid(&w.deprel)))
                .collect();
            label.push(NO_LABEL);
            let root = (1..=n).find(|&k| head[k] == 0).unwrap_or(1);
            sents.push(TrainSent {
                words: s.words.iter().map(|w| w.form.clone()).collect(),
                upos: s.words.iter().map(|w| w.upos.clone()).collect(),
                xpos: s.words.iter().map(|w| w.xpos.clone()).collect(),
                head,
                label,
                root,
            });
        }
        if opts.verbose {
            eprintln!(
                "train: {} sentences used, {} projectivized, {} skipped; {} labels, {} classes",
                sents.len(),
                lifted_sents,
                skipped,
                n_labels,
                n_classes
            );
        }
        // Tag pairs for noise injection.
        let ambiguity = opts.ambiguity_features.then(|| build_ambiguity(train, 3));
        // Word -> (sentence, token) of each of its training occurrences.
        let mut occurrences: IdMap<Vec<(u32, u32)>> = IdMap::default();
        if opts.tag_noise > 0.0 {
            for (si, s) in sents.iter().enumerate() {
                for (k, w) in s.words.iter().enumerate() {
                    occurrences
                        .entry(hash_str_lower(w))
                        .or_default()
                        .push((si as u32, k as u32));
                }
            }
        }

        let mut trainer = Trainer::new(n_classes);
        let mut rng = Rng(opts.seed);
        let mut order: Vec<usize> = (0..sents.len()).collect();
        let mut best: Option<(f64, Parser)> = None;
        let mut feats = Vec::with_capacity(128);
        let mut scores = vec![0f32; n_classes];
        let mut cost = vec![0u32; n_classes];
        let mut beam_trainer = beam::BeamTrainer::new();
        let decode_beam = match opts.decode_beam {
            0 => opts.beam,
            b => b,
        }
        .clamp(1, MAX_BEAM);
        for epoch in 0..opts.epochs {
            let t0 = std::time::Instant::now();
            for i in (1..order.len()).rev() {
                let j = rng.below(i + 1);
                order.swap(i, j);
            }
            let explore = epoch >= opts.explore_after;
            let (mut steps, mut errors) = (0usize, 0usize);
            for &si in &order {
                let s = &sents[si];
                let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
                let (upos, xpos): (Vec<&str>, Vec<&str>) = if opts.tag_noise > 0.0 {
                    (0..s.words.len())
                        .map(|k| {
                            let occ = occurrences.get(&hash_str_lower(&s.words[k]));
                            if let Some(occ) = occ.filter(|_| rng.unit() < opts.tag_noise) {
                                let (oi, ok) = occ[rng.below(occ.len())];
                                let o = &sents[oi as usize];
                                (o.upos[ok as usize].as_str(), o.xpos[ok as usize].as_str())
                            } else {
                                (s.upos[k].as_str(), s.xpos[k].as_str())
                            }
                        })
                        .unzip()
                } else {
                    (
                        s.upos.iter().map(String::as_str).collect(),
                        s.xpos.iter().map(String::as_str).collect(),
                    )
                };
                let mut tk = Tokens::new(
                    opts.tag_features,
                    opts.lexical_features,
                    ambiguity.as_ref(),
                    &words,
                    &upos,
                    &xpos,
                );
                tk.lean = opts.lean_features;
                let gold = Gold {
                    head: &s.head,
                    label: &s.label,
                    root: s.root,
                };
                if opts.beam > 1 {
                    steps += 1;
                    if beam_trainer.train_sentence(&mut trainer, &tk, &gold, words.len(), opts.beam, root_label) {
                        errors += 1;
                    }
                    trainer.tick();
                    continue;
                }
                let mut st = State::new(words.len());
                while !st.buffer_empty() {
                    extract(&st, &tk, &mut feats);
                    scores.fill(0.0);
                    trainer.score(&feats, &mut scores);
                    let pred = argmax_valid(&scores, &st, root_label);
                    costs(&st, &gold, root_label, n_labels, &mut cost);
                    let min_cost = cost.iter().copied().min().unwrap_or(u32::MAX);
                    let mut oracle = usize::MAX;
                    let mut oracle_s = f32::NEG_INFINITY;
                    for c in 0..n_classes {
                        if cost[c] == min_cost && (oracle == usize::MAX || scores[c] > oracle_s) {
                            oracle = c;
                            oracle_s = scores[c];
                        }
                    }
                    if pred == usize::MAX || oracle == usize::MAX {
                        break; // no valid transition: cannot happen with a non-empty buffer
                    }
                    steps += 1;
                    if cost[pred] > min_cost {
                        errors += 1;
                        trainer.update(oracle, pred, &feats);
                    }
                    trainer.tick();
                    let next = if explore && cost[pred] != u32::MAX && rng.unit() < opts.explore_prob {
                        pred
                    } else {
                        oracle
                    };
                    st.apply(next);
                }
            }
            let train_secs = t0.elapsed().as_secs_f64();
            let parser = Parser {
                tag_features: opts.tag_features,
                lexical_features: opts.lexical_features,
                lean_features: opts.lean_features,
                ambiguity: ambiguity.clone().unwrap_or_default(),
                ambiguity_features: opts.ambiguity_features,
                beam: decode_beam,
                labels: labels.clone(),
                root_label,
                punct_label,
                dep_label,
                model: trainer.finish_with(opts.prune, opts.min_updates),
            };
            let sc = parser.evaluate(dev);
            if opts.verbose {
                eprintln!(
                    "epoch {:2}: train err {:.2}% ({:.1}s) | dev UAS {:.2} LAS {:.2} (univ {:.2}) | {} feats, {} weights",
                    epoch + 1,
                    pct(errors, steps),
                    train_secs,
                    sc.uas(),
                    sc.las(),
                    sc.las_universal(),
                    parser.model.n_features(),
                    parser.model.n_weights()
                );
            }
            let key = sc.las() + 1e-3 * sc.uas();
            if best.as_ref().is_none_or(|(b, _)| key > *b) {
                best = Some((key, parser));
            }
        }
        match best {
            Some((_, p)) => p,
            None => Parser {
                tag_features: opts.tag_features,
                lexical_features: opts.lexical_features,
                lean_features: opts.lean_features,
                ambiguity: ambiguity.clone().unwrap_or_default(),
                ambiguity_features: opts.ambiguity_features,
                beam: decode_beam,
                labels,
                root_label,
                punct_label,
                dep_label,
                model: trainer.finish_with(opts.prune, opts.min_updates),
            },
        }
    }

    /// Parses one sentence. `upos`/`xpos` are aligned with `words` (a missing
    /// tag counts as `_`). Returns, per word, its head (0 = root, else the
    /// 1-based index of the head word) and deprel. The result is always a
    /// tree: exactly one word has head 0, and every word reaches it.
    pub fn parse(&self, words: &[&str], upos: &[&str], xpos: &[&str]) -> Vec<(usize, &str)> {
        self.parse_ids(words, upos, xpos)
            .into_iter()
            .map(|(h, l)| (h, self.label(l)))
            .collect()
    }

    /// Like [`Parser::parse`], but returns label ids (see [`Parser::label`]).
    pub fn parse_ids(&self, words: &[&str], upos: &[&str], xpos: &[&str]) -> Vec<(usize, u16)> {
        self.parse_ids_with_beam(words, upos, xpos, self.beam)
    }

    /// Like [`Parser::parse_ids`] with an explicit beam width (1 = greedy),
    /// e.g. to trade accuracy for speed without changing the model.
    pub fn parse_ids_with_beam(&self, words: &[&str], upos: &[&str], xpos: &[&str], beam: usize) -> Vec<(usize, u16)> {
        let beam = beam.clamp(1, MAX_BEAM);
        let n = words.len();
        if n == 0 {
            return Vec::new();
        }
        let mut tk = Tokens::new(
            self.tag_features,
            self.lexical_features,
            self.ambiguity_features.then_some(&self.ambiguity),
            words,
            upos,
            xpos,
        );
        tk.lean = self.lean_features;
        if beam > 1 {
            thread_local! {
                static DECODER: std::cell::RefCell<beam::Decoder> = std::cell::RefCell::new(beam::Decoder::new());
            }
            let decode = |d: &mut beam::Decoder| d.decode(&self.model, &tk, n, beam, self.root_label);
            let mut st = DECODER.with(|d| match d.try_borrow_mut() {
                Ok(mut d) => decode(&mut d),
                Err(_) => decode(&mut beam::Decoder::new()),
            });
            self.finish_tree(&mut st, &tk);
            return (1..=n).map(|i| (st.head[i], st.label[i])).collect();
        }
        let mut st = State::new(n);
        let n_classes = self.model.n_classes();
        let mut scorer = CachedScorer::new();
        scorer.reset(n, n_classes);
        let mut scores = vec![0f32; n_classes];
        while !st.buffer_empty() {
            scorer.score(&self.model, &st, &tk, &mut scores);
            let c = argmax_valid(&scores, &st, self.root_label);
            if c == usize::MAX {
                break;
            }
            st.apply(c);
        }
        self.finish_tree(&mut st, &tk);
        (1..=n).map(|i| (st.head[i], st.label[i])).collect()
    }

    /// Attaches headless words so that the result is a single-rooted tree.
    fn finish_tree(&self, st: &mut State, tk: &Tokens) {
        let none = st.none();
        let n = st.n;
        if st.root_child == none
            && let Some(r) = (1..=n).find(|&i| st.head[i] == none)
        {
            st.add_arc(0, r, self.root_label);
        }
        let r = st.root_child;
        for i in 1..=n {
            if st.head[i] == none {
                let l = if tk.is_punct[i] {
                    self.punct_label
                } else {
                    self.dep_label
                };
                st.add_arc(r, i, l);
            }
        }
    }

    /// Beam width used by [`Parser::parse`] (1 = greedy).
    pub fn beam(&self) -> usize {
        self.beam
    }

    /// Sets the beam width used by [`Parser::parse`] (clamped to 1..=64); a
    /// beam-trained model usually parses best with the beam it was trained with.
    pub fn set_beam(&mut self, beam: usize) {
        self.beam = beam.clamp(1, MAX_BEAM);
    }

    /// The deprel string of a label id (`"_"` if out of range).
    pub fn label(&self, id: u16) -> &str {
        self.labels.get(usize::from(id)).map_or("_", String::as_str)
    }

    /// All deprels the parser can output, indexed by label id.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Parses every sentence of `gold` with its own tags and scores it.
    pub fn evaluate(&self, gold: &[Sentence]) -> Scores {
        let mut acc = Scores::default();
        for s in gold {
            let words: Vec<&str> = s.words.iter().map(|w| w.form.as_str()).collect();
            let upos: Vec<&str> = s.words.iter().map(|w| w.upos.as_str()).collect();
            let xpos: Vec<&str> = s.words.iter().map(|w| w.xpos.as_str()).collect();
            let pred = self.parse(&words, &upos, &xpos);
            score_sentence(s, &pred, &mut acc);
        }
        acc
    }

    /// Parses the words of `tagged` with *its* UPOS/XPOS (e.g. a tagger's
    /// output) and scores the result against the heads/deprels of `gold`.
    /// Sentences are paired in order; a sentence whose word count differs is
    /// scored as all wrong.
    pub fn evaluate_with_tags(&self, gold: &[Sentence], tagged: &[Sentence]) -> Scores {
        let mut acc = Scores::default();
        for (i, g) in gold.iter().enumerate() {
            let pred = match tagged.get(i).filter(|t| t.words.len() == g.words.len()) {
                Some(t) => {
                    let words: Vec<&str> = t.words.iter().map(|w| w.form.as_str()).collect();
                    let upos: Vec<&str> = t.words.iter().map(|w| w.upos.as_str()).collect();
                    let xpos: Vec<&str> = t.words.iter().map(|w| w.xpos.as_str()).collect();
                    self.parse(&words, &upos, &xpos)
                }
                None => Vec::new(),
            };
            score_sentence(g, &pred, &mut acc);
        }
        acc
    }

    /// A copy with every weight of absolute value below `threshold` dropped.
    pub fn pruned(&self, threshold: f32) -> Parser {
        Parser {
            model: self.model.pruned(threshold),
            ..self.clone()
        }
    }

    /// Serializes the parser (magic `TKGDEPP\0`, version, labels, weights).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_header(MAGIC, VERSION);
        w.u8(self.tag_features as u8);
        w.u8(u8::from(self.lexical_features));
        w.u8(u8::from(self.lean_features));
        w.u8(u8::from(self.ambiguity_features));
        w.u8(self.beam.min(MAX_BEAM) as u8);
        let mut amb: Vec<(u64, u64)> = self.ambiguity.iter().map(|(&k, &v)| (k, v)).collect();
        amb.sort_unstable();
        w.length(amb.len());
        for (k, v) in amb {
            w.u64(k);
            w.u64(v);
        }
        w.length(self.labels.len());
        for l in &self.labels {
            w.str(l);
        }
        w.u16(self.root_label);
        w.u16(self.punct_label);
        w.u16(self.dep_label);
        self.model.write(&mut w);
        w.into_bytes()
    }

    /// Loads a parser written by [`Parser::to_bytes`]; corrupt input is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Parser, ParserError> {
        // Version 1 files (greedy models, before beam search) have no beam byte.
        let (mut r, has_beam) = match Reader::with_header(bytes, MAGIC, VERSION) {
            Err(BinError::UnsupportedVersion { found: 1, .. }) => (Reader::with_header(bytes, MAGIC, 1)?, false),
            r => (r?, true),
        };
        let tf = r.u8()?;
        let tag_features = TagFeatures::from_u8(tf).ok_or_else(|| r.invalid(format!("bad tag-feature mode {tf}")))?;
        let lexical_features = match r.u8()? {
            0 => false,
            1 => true,
            v => return Err(r.invalid(format!("bad lexical-feature flag {v}")).into()),
        };
        let lean_features = match r.u8()? {
            0 => false,
            1 => true,
            v => return Err(r.invalid(format!("bad lean-feature flag {v}")).into()),
        };
        let ambiguity_features = match r.u8()? {
            0 => false,
            1 => true,
            v => return Err(r.invalid(format!("bad ambiguity-feature flag {v}")).into()),
        };
        let beam = if has_beam { usize::from(r.u8()?) } else { 1 };
        if !(1..=MAX_BEAM).contains(&beam) {
            return Err(r.invalid(format!("bad beam width {beam}")).into());
        }
        let n_amb = r.length(16)?;
        let mut ambiguity = IdMap::default();
        ambiguity.reserve(n_amb);
        for _ in 0..n_amb {
            let k = r.u64()?;
            let v = r.u64()?;
            ambiguity.insert(k, v);
        }
        let n = r.length(4)?;
        if n == 0 || n > 32_000 {
            return Err(r.invalid(format!("bad label count {n}")).into());
        }
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            labels.push(r.str()?.to_string());
        }
        let root_label = r.u16()?;
        let punct_label = r.u16()?;
        let dep_label = r.u16()?;
        if [root_label, punct_label, dep_label]
            .iter()
            .any(|&l| usize::from(l) >= n)
        {
            return Err(r.invalid("special label id out of range").into());
        }
        let mut sorted: Vec<&String> = labels.iter().collect();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != n || labels[usize::from(root_label)] != "root" {
            return Err(r.invalid("duplicate labels or no `root` label").into());
        }
        let model = Model::read(&mut r)?;
        if model.n_classes() != 2 + 2 * n {
            return Err(r
                .invalid(format!(
                    "model has {} classes, {} labels need {}",
                    model.n_classes(),
                    n,
                    2 + 2 * n
                ))
                .into());
        }
        r.finish()?;
        Ok(Parser {
            tag_features,
            lexical_features,
            lean_features,
            ambiguity,
            ambiguity_features,
            beam,
            labels,
            root_label,
            punct_label,
            dep_label,
            model,
        })
    }

    /// Number of features and non-zero weights in the model.
    pub fn model_size(&self) -> (usize, usize) {
        (self.model.n_features(), self.model.n_weights())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::conllu;

    const TOY: &str = "\
1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_
2\tdog\tdog\tNOUN\tNN\t_\t3\tnsubj\t_\t_
3\tbarked\tbark\tVERB\tVBD\t_\t0\troot\t_\t_
4\tloudly\tloudly\tADV\tRB\t_\t3\tadvmod\t_\t_
5\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

1\tI\tI\tPRON\tPRP\t_\t2\tnsubj\t_\t_
2\tsaw\tsee\tVERB\tVBD\t_\t0\troot\t_\t_
3\ta\ta\tDET\tDT\t_\t4\tdet\t_\t_
4\tcat\tcat\tNOUN\tNN\t_\t2\tobj\t_\t_
5\twith\twith\tADP\tIN\t_\t7\tcase\t_\t_
6\tmy\tmy\tPRON\tPRP$\t_\t7\tnmod:poss\t_\t_
7\ttelescope\ttelescope\tNOUN\tNN\t_\t2\tobl\t_\t_
8\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_

1\tDogs\tdog\tNOUN\tNNS\t_\t2\tnsubj\t_\t_
2\trun\trun\tVERB\tVBP\t_\t0\troot\t_\t_

1\tWhat\twhat\tPRON\tWP\t_\t4\tobj\t_\t_
2\tdid\tdo\tAUX\tVBD\t_\t4\taux\t_\t_
3\tyou\tyou\tPRON\tPRP\t_\t4\tnsubj\t_\t_
4\tsay\tsay\tVERB\tVB\t_\t0\troot\t_\t_
5\t?\t?\tPUNCT\t.\t_\t4\tpunct\t_\t_

";

    fn toy() -> Vec<Sentence> {
        conllu::parse(TOY).unwrap()
    }

    fn quiet() -> TrainOptions {
        TrainOptions {
            epochs: 8,
            verbose: false,
            prune: 0.0,
            min_updates: 1,
            beam: 1,
            decode_beam: 0,
            ..TrainOptions::default()
        }
    }

    /// A random projective tree over `n` words (head[0] unused), built by
    /// recursively choosing a head inside each span.
    fn random_projective(n: usize, rng: &mut Rng) -> Vec<usize> {
        fn span(lo: usize, hi: usize, parent: usize, head: &mut [usize], rng: &mut Rng) {
            if lo > hi {
                return;
            }
            let h = lo + rng.below(hi - lo + 1);
            head[h] = parent;
            if h > lo {
                span(lo, h - 1, h, head, rng);
            }
            span(h + 1, hi, h, head, rng);
        }
        let mut head = vec![0; n + 1];
        span(1, n, 0, &mut head, rng);
        head
    }

    fn gold_of(head: &[usize], label: &[u16]) -> (Vec<usize>, Vec<u16>, usize) {
        let n = head.len() - 1;
        let mut h = head.to_vec();
        h.push(n + 1);
        let mut l = label.to_vec();
        l.push(NO_LABEL);
        let root = (1..=n).find(|&k| head[k] == 0).unwrap();
        (h, l, root)
    }

    /// Runs the oracle from the initial state, taking a random valid
    /// transition with probability `p_random`; returns (sum of costs of the
    /// transitions taken, number of labeled errors in the final state).
    fn run_oracle(head: &[usize], label: &[u16], p_random: f64, rng: &mut Rng) -> (u32, u32) {
        let n = head.len() - 1;
        let n_labels = 4;
        let root = 0u16;
        let (gh, gl, groot) = gold_of(head, label);
        let gold = Gold {
            head: &gh,
            label: &gl,
            root: groot,
        };
        let n_classes = 2 + 2 * n_labels;
        let mut cost = vec![0u32; n_classes];
        let mut st = State::new(n);
        let mut total = 0;
        while !st.buffer_empty() {
            costs(&st, &gold, root, n_labels, &mut cost);
            for (c, &k) in cost.iter().enumerate() {
                assert_eq!(k != u32::MAX, st.valid(c, root), "class {c}");
            }
            let min = *cost.iter().min().unwrap();
            let c = if rng.unit() < p_random {
                let valid: Vec<usize> = (0..n_classes).filter(|&c| cost[c] != u32::MAX).collect();
                valid[rng.below(valid.len())]
            } else {
                (0..n_classes).find(|&c| cost[c] == min).unwrap()
            };
            total += cost[c];
            st.apply(c);
        }
        let errors = (1..=n)
            .filter(|&i| st.head[i] != head[i] || st.label[i] != label[i])
            .count() as u32;
        (total, errors)
    }

    #[test]
    fn static_use_of_dynamic_oracle_rebuilds_projective_trees() {
        let mut rng = Rng(7);
        for n in 1..=25 {
            for _ in 0..40 {
                let head = random_projective(n, &mut rng);
                assert!(is_projective(&head));
                let label: Vec<u16> = (0..=n)
                    .map(|i| if head[i] == 0 { 0 } else { 1 + rng.below(3) as u16 })
                    .collect();
                let (total, errors) = run_oracle(&head, &label, 0.0, &mut rng);
                assert_eq!((total, errors), (0, 0), "tree {head:?}");
            }
        }
    }

    #[test]
    fn dynamic_oracle_costs_add_up_to_the_final_loss() {
        let mut rng = Rng(11);
        for n in 1..=20 {
            for _ in 0..60 {
                let head = random_projective(n, &mut rng);
                let label: Vec<u16> = (0..=n)
                    .map(|i| if head[i] == 0 { 0 } else { 1 + rng.below(3) as u16 })
                    .collect();
                let (total, errors) = run_oracle(&head, &label, 0.3, &mut rng);
                assert_eq!(total, errors, "tree {head:?}");
            }
        }
    }

    #[test]
    fn projectivize_lifts_crossing_arcs() {
        // 1 <- 3 crosses 2 -> 4 (2's dependent 4 lies outside 1..3's span)
        let mut head = vec![0, 3, 3, 0, 1];
        assert!(!is_projective(&head));
        let lifts = projectivize(&mut head);
        assert!(lifts >= 1);
        assert!(is_projective(&head));
        assert_eq!(head, vec![0, 3, 3, 0, 3]);
    }

    fn assert_tree(out: &[(usize, u16)], p: &Parser) {
        let n = out.len();
        assert_eq!(out.iter().filter(|o| o.0 == 0).count(), 1, "{out:?}");
        for (i, &(h, l)) in out.iter().enumerate() {
            assert!(h <= n && h != i + 1, "{out:?}");
            assert!(usize::from(l) < p.labels().len());
            assert_eq!(h == 0, p.label(l) == "root", "{out:?}");
            // Following heads from every word reaches the root without a cycle.
            let mut x = i + 1;
            for _ in 0..=n {
                if x == 0 {
                    break;
                }
                x = out[x - 1].0;
            }
            assert_eq!(x, 0, "cycle in {out:?}");
        }
    }

    #[test]
    fn learns_toy_treebank_and_always_outputs_a_tree() {
        let data = toy();
        let p = Parser::train(&data, &data, &quiet());
        let sc = p.evaluate(&data);
        assert!(sc.las() > 90.0, "toy LAS {}", sc.las());
        let out = p.parse(
            &["The", "dog", "barked", "loudly", "."],
            &["DET", "NOUN", "VERB", "ADV", "PUNCT"],
            &["DT", "NN", "VBD", "RB", "."],
        );
        assert_eq!(out[1], (3, "nsubj"));
        assert_eq!(out[2], (0, "root"));
        // Arbitrary input: random words/tags, mismatched tag lengths, odd tokens.
        let vocab = ["the", "dog", ".", "saw", "?", "ééé", "", "run", "what", "my"];
        let tags = ["DET", "NOUN", "PUNCT", "VERB", "X", "_"];
        let mut rng = Rng(3);
        for n in 1..60 {
            let words: Vec<&str> = (0..n).map(|_| vocab[rng.below(vocab.len())]).collect();
            let upos: Vec<&str> = (0..rng.below(n + 2)).map(|_| tags[rng.below(tags.len())]).collect();
            let xpos: Vec<&str> = (0..n).map(|_| tags[rng.below(tags.len())]).collect();
            let out = p.parse_ids(&words, &upos, &xpos);
            assert_eq!(out.len(), n);
            assert_tree(&out, &p);
        }
        assert!(p.parse(&[], &[], &[]).is_empty());
        // An untrained model (all SHIFTs) still yields a tree.
        let untrained = Parser::train(&data, &data, &TrainOptions { epochs: 0, ..quiet() });
        let out = untrained.parse_ids(&["a", "b", "c"], &[], &[]);
        assert_tree(&out, &untrained);
    }

    #[test]
    fn beam_search_learns_toy_treebank_round_trips_and_yields_trees() {
        let data = toy();
        let p = Parser::train(&data, &data, &TrainOptions { beam: 4, ..quiet() });
        assert_eq!(p.beam, 4);
        let narrow = Parser::train(
            &data,
            &data,
            &TrainOptions {
                beam: 4,
                decode_beam: 2,
                ..quiet()
            },
        );
        assert_eq!(narrow.beam(), 2);
        let sc = p.evaluate(&data);
        assert!(sc.las() > 90.0, "toy LAS {}", sc.las());
        let q = Parser::from_bytes(&p.to_bytes()).unwrap();
        assert_eq!(p, q);
        let vocab = ["the", "dog", ".", "saw", "?", "ééé", "", "run", "what", "my"];
        let tags = ["DET", "NOUN", "PUNCT", "VERB", "X", "_"];
        let mut rng = Rng(9);
        for n in 1..40 {
            let words: Vec<&str> = (0..n).map(|_| vocab[rng.below(vocab.len())]).collect();
            let upos: Vec<&str> = (0..n).map(|_| tags[rng.below(tags.len())]).collect();
            let out = q.parse_ids(&words, &upos, &upos);
            assert_eq!(out.len(), n);
            assert_tree(&out, &q);
        }
    }

    #[test]
    fn valid_class_enumeration_matches_valid() {
        let mut rng = Rng(13);
        let (root, n_labels) = (1u16, 4usize);
        for n in 1..12 {
            let mut st = State::new(n);
            while !st.buffer_empty() {
                let mut listed = Vec::new();
                st.for_each_valid(root, n_labels, |c| listed.push(c));
                let expected: Vec<usize> = (0..2 + 2 * n_labels).filter(|&c| st.valid(c, root)).collect();
                assert_eq!(listed, expected);
                st.apply(listed[rng.below(listed.len())]);
            }
            let mut copy = State::new(1);
            copy.copy_from(&st);
            copy.reset(n);
            let fresh = State::new(n);
            assert_eq!(
                (copy.stack.clone(), copy.head.clone(), copy.b),
                (fresh.stack, fresh.head, fresh.b)
            );
        }
    }

    #[test]
    fn every_feature_option_trains_round_trips_and_yields_trees() {
        let data = toy();
        for (tags, lexical, ambiguity, noise, nonproj) in [
            (TagFeatures::Xpos, true, true, 0.2, NonProjective::Skip),
            (TagFeatures::Upos, false, true, 0.0, NonProjective::Projectivize),
            (TagFeatures::XposPlusUpos, true, false, 0.5, NonProjective::Skip),
        ] {
            let opts = TrainOptions {
                tag_features: tags,
                lexical_features: lexical,
                ambiguity_features: ambiguity,
                tag_noise: noise,
                nonprojective: nonproj,
                min_updates: 2,
                lean_features: lexical,
                ..quiet()
            };
            let p = Parser::train(&data, &data, &opts);
            let q = Parser::from_bytes(&p.to_bytes()).unwrap();
            assert_eq!(p, q);
            let words = ["What", "did", "the", "dog", "say", "?"];
            let upos = ["PRON", "AUX", "DET", "NOUN", "VERB", "PUNCT"];
            let xpos = ["WP", "VBD", "DT", "NN", "VB", "."];
            let out = q.parse_ids(&words, &upos, &xpos);
            assert_tree(&out, &q);
            assert_eq!(out, p.parse_ids(&words, &upos, &xpos));
        }
    }

    #[test]
    fn serialization_round_trip_and_corrupt_bytes() {
        let data = toy();
        let p = Parser::train(&data, &data, &quiet());
        let bytes = p.to_bytes();
        let q = Parser::from_bytes(&bytes).unwrap();
        assert_eq!(p, q);
        let words = ["I", "saw", "a", "dog", "."];
        let tags = ["PRON", "VERB", "DET", "NOUN", "PUNCT"];
        let xp = ["PRP", "VBD", "DT", "NN", "."];
        assert_eq!(p.parse(&words, &tags, &xp), q.parse(&words, &tags, &xp));
        // Every truncation fails with an error.
        for cut in 0..bytes.len() {
            assert!(Parser::from_bytes(&bytes[..cut]).is_err(), "cut {cut}");
        }
        // Trailing garbage fails.
        let mut long = bytes.clone();
        long.push(0);
        assert!(Parser::from_bytes(&long).is_err());
        // Bit flips never panic; those that still load still parse to a tree.
        let mut rng = Rng(5);
        for _ in 0..2000 {
            let mut b = bytes.clone();
            let i = rng.below(b.len());
            b[i] ^= 1 << rng.below(8);
            if let Ok(m) = Parser::from_bytes(&b) {
                let out = m.parse_ids(&words, &tags, &xp);
                assert_tree(&out, &m);
            }
        }
        assert!(matches!(
            Parser::from_bytes(b"not a model"),
            Err(ParserError::Format(BinError::BadMagic { .. }))
        ));
    }
}

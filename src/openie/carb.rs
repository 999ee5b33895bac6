//! CaRB Open IE benchmark scorer (independent re-implementation).
//!
//! This module re-implements the scoring procedure of the CaRB benchmark
//! (Bhardwaj, Aggarwal & Mausam, EMNLP 2019; reference scorer `carb.py` in
//! the `dair-iitd/CaRB` repository) in plain Rust, so that Open IE output can
//! be scored side by side with the published systems. No code of the
//! reference scorer is reused; the behaviour below was derived by reading it.
//!
//! # Reproduced settings
//!
//! The reference scorer's *default* invocation, i.e. the one used for the
//! paper's table and the README example
//! (`carb.py --gold=… --out=… --<system>=…` without any match or `--binary`
//! flag):
//!
//! * **Matcher**: `binary_linient_tuple_match`, the "stricter" variant of the
//!   lenient tuple match that is active in `matcher.py`.
//!   * Both the gold and the system tuple are first *binarised for matching*:
//!     if a tuple has two or more arguments, slot 2 becomes all arguments
//!     after the first joined by a space (`[a1, "a2 a3 …"]`).
//!   * Tokens are obtained by splitting on whitespace (Python `str.split()`),
//!     **case-sensitively** and **without stop-word removal** (the
//!     `ignoreCase` / `ignoreStopwords` flags the scorer passes are ignored by
//!     this matcher). No punctuation stripping, no lemmatisation.
//!   * Relation slot: multiset overlap (each gold token consumes one equal
//!     system token). If a system relation token `be` is still unmatched and
//!     the gold relation contains any of `be is am are was were been being`,
//!     one extra matched token is credited (at most one). This is how gold
//!     relations like `[is] born in` ↔ system `be born in` style pairs get
//!     credit. If the relation overlap is zero the pair scores `(0, 0)`.
//!   * Argument slots, for each gold slot `i`: the gold slot's token count
//!     is added to the recall denominator; if the system tuple has no slot
//!     `i` and `i < 2` the pair scores `(0, 0)` (for `i >= 2` it is skipped,
//!     which cannot happen after binarisation); otherwise the system slot's
//!     token count goes to the precision denominator and the multiset
//!     overlap to both numerators. System slots beyond the gold's slot count
//!     are **not** counted in the precision denominator.
//!   * `precision = matched / system tokens`, `recall = matched / gold
//!     tokens` (0 when a denominator is 0).
//!   * "Said-type" relations: if the *raw* gold relation string contains any
//!     of the substrings `said told added adds says`, the system tuple is also
//!     scored with its slots swapped (`["a2 a3 …", a1]`) and the
//!     lexicographically larger `(precision, recall)` pair is kept.
//! * **Sentence alignment**: gold and system sentences are keyed by a
//!   normalised form: all `' '` removed, PTB bracket escapes (`-LRB-`,
//!   `-RRB-`, `-LSB-`, `-RSB-`, `-LCB-`, `-RCB-`) turned back into brackets,
//!   then every ASCII punctuation character removed. System sentences absent
//!   from the gold are not scored, **but their confidences still become
//!   thresholds** (this only adds duplicate curve points and changes neither
//!   AUC nor best F1). Gold sentences without system output count fully in
//!   recall. If two raw sentences collapse to the same normalised key, only
//!   one is kept (CaRB keeps the later one in file order; here, with a
//!   `BTreeMap` input, the lexicographically larger raw sentence wins — the
//!   shipped CaRB data has no such collisions).
//! * **P/R curve**: every distinct system confidence is a threshold `t`; at
//!   each `t` all extractions with `confidence >= t` are kept. Per sentence,
//!   the recall numerator is Σ over gold tuples of the best recall against
//!   any kept extraction (a system tuple may serve several gold tuples); the
//!   precision numerator comes from a greedy one-to-one matching that
//!   repeatedly takes the highest-precision unused (gold, system) pair
//!   (first in gold-major, system-file order on ties) until
//!   `min(#gold, #kept)` pairs are taken. The precision denominator is the
//!   number of kept extractions, the recall denominator the number of gold
//!   tuples. Precision with an empty denominator is 1.
//! * **Best F1**: the first maximum of F1 over thresholds (ascending
//!   threshold order). When precision and recall are both 0 the reference
//!   produces NaN (NumPy 0/0) and would report NaN as best F1; here such a
//!   point has F1 = 0.
//! * **AUC**: trapezoidal area under the (recall, precision) points in
//!   threshold order, with the extra point (recall 0, precision 1) appended
//!   (scikit-learn `auc`). The reference rounds AUC and the optimal point to
//!   3 decimals when printing; values returned here are unrounded.
//! * No `--binary` gold/system binarisation (the `--binary` flag is off by
//!   default); extractions are scored with all their arguments.
//!
//! # Readers
//!
//! Gold: argument fields containing `"C: "` (context annotations) are
//! dropped, exactly as CaRB's gold reader does; this matters (≈ +0.004 AUC
//! / F1 for all systems) and is required to reproduce the published table.
//! The `L:` / `T:` location/time markers of some gold arguments are *not*
//! removed (removing them gives e.g. OpenIE-4 F1 0.489 instead of the
//! published 0.488).
//!
//! [`read_gold`] reads `gold/*.tsv`; [`read_tab`] the CaRB tab format
//! (`sentence⇥confidence⇥relation⇥arg1⇥arg2…`); [`read_system`] the
//! published systems' native formats (see [`SystemFormat`]). ClausIE and
//! PropS confidences are min-max rescaled as in the reference readers
//! (`(c - min + 1e-3) / (max - min + 2e-3)`); being monotone this does not
//! change scores, only reported thresholds. Blank lines are skipped by every
//! reader.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use super::Tuple as OieTuple;
use crate::document::Document;

/// Writing: our tuples as CaRB lines.
/// Writes one tuple as a CaRB line (without the newline). `sentence` is the
/// input line as given (CaRB joins system and gold output on it). Tabs and
/// line breaks inside fields become spaces.
pub fn format_line(sentence: &str, doc: &Document, t: &OieTuple) -> String {
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let relation = t.relation_text(doc);
    let mut line = format!(
        "{}\t{:.3}\t{}\t{}",
        clean(sentence),
        t.confidence,
        clean(&relation),
        clean(&OieTuple::arg_text(doc, &t.subject))
    );
    for a in &t.args {
        line.push('\t');
        line.push_str(&clean(&OieTuple::arg_text(doc, a)));
    }
    line
}

/// One Open IE extraction (or gold tuple): a relation phrase, its ordered
/// arguments and a confidence (1.0 for gold tuples).
#[derive(Debug, Clone, PartialEq)]
pub struct Tuple {
    /// Relation phrase.
    pub rel: String,
    /// Arguments in order (`arg1`, `arg2`, …).
    pub args: Vec<String>,
    /// Confidence used to rank system extractions.
    pub confidence: f64,
}

/// Extractions grouped by the raw sentence they were extracted from.
pub type Extractions = BTreeMap<String, Vec<Tuple>>;

/// Errors raised while reading gold or system files.
#[derive(Debug, Clone, PartialEq)]
pub enum CarbError {
    /// A line does not have the expected structure.
    Parse {
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// A confidence field is not a number (or is NaN).
    Confidence {
        /// 1-based line number.
        line: usize,
        /// The offending field.
        value: String,
    },
    /// An unknown system format name was given to [`SystemFormat::from_str`].
    UnknownFormat(String),
}

impl fmt::Display for CarbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CarbError::Parse { line, message } => write!(f, "line {line}: {message}"),
            CarbError::Confidence { line, value } => {
                write!(f, "line {line}: invalid confidence {value:?}")
            }
            CarbError::UnknownFormat(name) => write!(
                f,
                "unknown system format {name:?} (expected tab, clausie, openie4, openie5, reverb or props)"
            ),
        }
    }
}

impl std::error::Error for CarbError {}

/// Native output formats of the systems shipped with CaRB, plus the CaRB tab
/// format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemFormat {
    /// `sentence⇥confidence⇥relation⇥arg1⇥arg2…` (same as [`read_tab`]).
    Tab,
    /// ClausIE: a sentence line, then `id⇥"arg1"⇥"rel"⇥"arg2"⇥confidence`
    /// lines (lines with another field count are ignored).
    ClausIe,
    /// OpenIE 4: `conf⇥context⇥Arg(a1,List(…))⇥Relation(r,List(…))⇥Arg(a2,List(…))⇥sentence`;
    /// context is ignored and only the first second argument is kept.
    OpenIe4,
    /// OpenIE 5: like OpenIE 4, but all `);`-separated second arguments are
    /// kept, and a context not already prefixing `arg1 rel` is prepended to
    /// `arg1`.
    OpenIe5,
    /// ReVerb command-line output: arg1, rel, arg2 in fields 3–5, confidence
    /// in field 12, the sentence in field 13. (The reference reader instead
    /// looks the sentence up by the line number in field 2 in a raw sentence
    /// file; field 13 holds that same sentence.)
    ReVerb,
    /// PropS: `conf⇥sentence⇥rel⇥label⇥arg⇥label⇥arg…`.
    PropS,
}

impl FromStr for SystemFormat {
    type Err = CarbError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "tab" | "tabbed" => Ok(SystemFormat::Tab),
            "clausie" => Ok(SystemFormat::ClausIe),
            "openie4" | "openiefour" => Ok(SystemFormat::OpenIe4),
            "openie5" | "openiefive" => Ok(SystemFormat::OpenIe5),
            "reverb" => Ok(SystemFormat::ReVerb),
            "props" => Ok(SystemFormat::PropS),
            _ => Err(CarbError::UnknownFormat(s.to_string())),
        }
    }
}

/// Whitespace as understood by Python's `str.split()` / `str.strip()`.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

fn tokens(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_py_space).filter(|t| !t.is_empty())
}

/// Iterates over non-blank lines as `(1-based line number, stripped line)`.
fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, py_strip(l)))
        .filter(|(_, l)| !l.is_empty())
}

fn parse_conf(line: usize, value: &str) -> Result<f64, CarbError> {
    match py_strip(value).parse::<f64>() {
        Ok(v) if !v.is_nan() => Ok(v),
        _ => Err(CarbError::Confidence {
            line,
            value: value.to_string(),
        }),
    }
}

fn parse_err(line: usize, message: impl Into<String>) -> CarbError {
    CarbError::Parse {
        line,
        message: message.into(),
    }
}

/// Reads a CaRB gold file (`sentence⇥relation⇥arg1⇥arg2…`, one tuple per
/// line). Sentence, relation and arguments are whitespace-trimmed; every
/// tuple gets confidence 1. As in CaRB's gold reader, any argument field
/// containing the substring `"C: "` (the gold's context annotations such as
/// `C: analysts said`) is dropped; `L:` / `T:` markers are kept verbatim.
pub fn read_gold(text: &str) -> Result<Extractions, CarbError> {
    let mut out = Extractions::new();
    for (ln, line) in content_lines(text) {
        let mut fields = line.split('\t');
        let sent = fields.next().map(py_strip).unwrap_or_default();
        let rel = fields
            .next()
            .map(py_strip)
            .ok_or_else(|| parse_err(ln, "gold line needs at least sentence and relation"))?;
        // CaRB's gold reader drops context arguments ("C: analysts said").
        let args = fields
            .filter(|a| !a.contains("C: "))
            .map(|a| py_strip(a).to_string())
            .collect();
        out.entry(sent.to_string()).or_default().push(Tuple {
            rel: rel.to_string(),
            args,
            confidence: 1.0,
        });
    }
    Ok(out)
}

/// Reads the CaRB tab system format: `sentence⇥confidence⇥relation⇥arg1⇥arg2…`,
/// one extraction per line (fields are kept verbatim apart from the line
/// being trimmed).
pub fn read_tab(text: &str) -> Result<Extractions, CarbError> {
    let mut out = Extractions::new();
    for (ln, line) in content_lines(text) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [sent, conf, rel, args @ ..] = fields.as_slice() else {
            return Err(parse_err(ln, "tab line needs sentence, confidence and relation"));
        };
        let confidence = parse_conf(ln, conf)?;
        out.entry((*sent).to_string()).or_default().push(Tuple {
            rel: (*rel).to_string(),
            args: args.iter().map(|a| (*a).to_string()).collect(),
            confidence,
        });
    }
    Ok(out)
}

/// Reads system output in one of the supported native formats.
pub fn read_system(format: SystemFormat, text: &str) -> Result<Extractions, CarbError> {
    match format {
        SystemFormat::Tab => read_tab(text),
        SystemFormat::ClausIe => read_clausie(text),
        SystemFormat::OpenIe4 => read_openie(text, false),
        SystemFormat::OpenIe5 => read_openie(text, true),
        SystemFormat::ReVerb => read_reverb(text),
        SystemFormat::PropS => read_props(text),
    }
}

/// Drops the first and last character (Python `s[1:-1]`).
fn unquote(s: &str) -> &str {
    let mut chars = s.chars();
    if chars.next().is_none() || chars.next_back().is_none() {
        return "";
    }
    chars.as_str()
}

fn read_clausie(text: &str) -> Result<Extractions, CarbError> {
    let mut out = Extractions::new();
    let mut sent: Option<&str> = None;
    for (ln, line) in content_lines(text) {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            [s] => sent = Some(s),
            [_, a1, rel, a2, conf] => {
                let s = sent.ok_or_else(|| parse_err(ln, "extraction before any sentence line"))?;
                let confidence = parse_conf(ln, conf)?;
                out.entry(s.to_string()).or_default().push(Tuple {
                    rel: unquote(rel).to_string(),
                    args: vec![unquote(a1).to_string(), unquote(a2).to_string()],
                    confidence,
                });
            }
            _ => {}
        }
    }
    rescale_confidences(&mut out);
    Ok(out)
}

/// Min-max rescaling used by the reference ClausIE and PropS readers.
fn rescale_confidences(ex: &mut Extractions) {
    const EPS: f64 = 1e-3;
    let all = ex.values().flatten().map(|t| t.confidence);
    let (min, max) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| (lo.min(c), hi.max(c)));
    if min > max {
        return;
    }
    let denom = max - min + 2.0 * EPS;
    for t in ex.values_mut().flatten() {
        t.confidence = (t.confidence - min + EPS) / denom;
    }
}

/// `Kind(text,List(…))` → `text` (Python `s[s.index('(')+1 : s.index(',List(')]`).
fn openie_inner(line: usize, s: &str) -> Result<String, CarbError> {
    let open = s.find('(').ok_or_else(|| parse_err(line, format!("no '(' in {s:?}")))?;
    let end = s
        .find(",List(")
        .ok_or_else(|| parse_err(line, format!("no ',List(' in {s:?}")))?;
    Ok(s.get(open + 1..end).unwrap_or_default().to_string())
}

fn read_openie(text: &str, v5: bool) -> Result<Extractions, CarbError> {
    let mut out = Extractions::new();
    for (ln, line) in content_lines(text) {
        let fields: Vec<&str> = line.split('\t').collect();
        let slots = fields.get(2..5).unwrap_or_else(|| fields.get(2..).unwrap_or_default());
        if slots.iter().any(|s| s.is_empty()) {
            continue;
        }
        let (Some(conf), Some(ctx), Some(a1), Some(rel), Some(a2), Some(sent)) = (
            fields.first(),
            fields.get(1),
            fields.get(2),
            fields.get(3),
            fields.get(4),
            fields.get(5),
        ) else {
            return Err(parse_err(ln, "OpenIE line needs 6 tab-separated fields"));
        };
        let mut arg1 = openie_inner(ln, a1)?;
        let rel = openie_inner(ln, rel)?;
        let rest = if v5 {
            py_strip(a2)
                .split(");")
                .map(|s| openie_inner(ln, s))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            vec![openie_inner(ln, a2)?]
        };
        if v5 && !ctx.is_empty() {
            let c = openie_inner(ln, ctx)?;
            if !format!("{arg1} {rel}").starts_with(&c) {
                arg1 = format!("{c} {arg1}");
            }
        }
        let confidence = parse_conf(ln, conf)?;
        let mut args = vec![arg1];
        args.extend(rest);
        out.entry((*sent).to_string())
            .or_default()
            .push(Tuple { rel, args, confidence });
    }
    Ok(out)
}

fn read_reverb(text: &str) -> Result<Extractions, CarbError> {
    let mut out = Extractions::new();
    for (ln, line) in content_lines(text) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(a1), Some(rel), Some(a2), Some(conf), Some(sent)) = (
            fields.get(2),
            fields.get(3),
            fields.get(4),
            fields.get(11),
            fields.get(12),
        ) else {
            return Err(parse_err(ln, "ReVerb line needs at least 13 fields"));
        };
        let confidence = parse_conf(ln, conf)?;
        out.entry((*sent).to_string()).or_default().push(Tuple {
            rel: (*rel).to_string(),
            args: vec![(*a1).to_string(), (*a2).to_string()],
            confidence,
        });
    }
    Ok(out)
}

fn read_props(text: &str) -> Result<Extractions, CarbError> {
    let mut out = Extractions::new();
    for (ln, line) in content_lines(text) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [conf, sent, rel, rest @ ..] = fields.as_slice() else {
            return Err(parse_err(ln, "PropS line needs confidence, sentence and relation"));
        };
        let confidence = parse_conf(ln, conf)?;
        let args = rest.iter().skip(1).step_by(2).map(|a| (*a).to_string()).collect();
        out.entry((*sent).to_string()).or_default().push(Tuple {
            rel: (*rel).to_string(),
            args,
            confidence,
        });
    }
    rescale_confidences(&mut out);
    Ok(out)
}

/// CaRB's sentence key: spaces removed, PTB bracket escapes undone, ASCII
/// punctuation removed.
pub fn normalize_sentence(s: &str) -> String {
    const PTB: [(&str, &str); 6] = [
        ("(", "-LRB-"),
        (")", "-RRB-"),
        ("[", "-LSB-"),
        ("]", "-RSB-"),
        ("{", "-LCB-"),
        ("}", "-RCB-"),
    ];
    let mut k = s.replace(' ', "");
    for (plain, esc) in PTB {
        k = k.replace(esc, plain);
    }
    k.retain(|c| !c.is_ascii_punctuation());
    k
}

/// Number of tokens of `gold` found in `pred` (multiset intersection); the
/// matched tokens are removed from `pred`.
fn consume_overlap(gold: &[&str], pred: &mut Vec<&str>) -> usize {
    let mut n = 0;
    for w in gold {
        if let Some(pos) = pred.iter().position(|p| p == w) {
            pred.remove(pos);
            n += 1;
        }
    }
    n
}

/// CaRB's lenient tuple match on pre-binarised slot lists.
fn lenient_match(g_rel: &[&str], g_args: &[Vec<&str>], s_rel: &[&str], s_args: &[Vec<&str>]) -> (f64, f64) {
    const BE_FORMS: [&str; 8] = ["be", "is", "am", "are", "was", "were", "been", "being"];
    let mut p_den = s_rel.len();
    let mut r_den = g_rel.len();
    let mut pred = s_rel.to_vec();
    let mut m = consume_overlap(g_rel, &mut pred);
    if let Some(pos) = pred.iter().position(|w| *w == "be")
        && BE_FORMS.iter().any(|f| g_rel.contains(f))
    {
        pred.remove(pos);
        m += 1;
    }
    if m == 0 {
        return (0.0, 0.0);
    }
    let mut p_num = m;
    let mut r_num = m;
    for (i, gold) in g_args.iter().enumerate() {
        r_den += gold.len();
        let Some(sys) = s_args.get(i) else {
            if i < 2 {
                return (0.0, 0.0);
            }
            continue;
        };
        p_den += sys.len();
        let mut pred = sys.clone();
        let m = consume_overlap(gold, &mut pred);
        p_num += m;
        r_num += m;
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    (ratio(p_num, p_den), ratio(r_num, r_den))
}

/// Slots for matching: `[a1, "a2 a3 …"]` when there are two or more args.
fn binary_slots(args: &[String]) -> Vec<Vec<&str>> {
    match args {
        [a1, rest @ ..] if !rest.is_empty() => {
            vec![tokens(a1).collect(), rest.iter().flat_map(|a| tokens(a)).collect()]
        }
        _ => args.iter().map(|a| tokens(a).collect()).collect(),
    }
}

/// CaRB's default matcher (`binary_linient_tuple_match`): returns
/// `(precision, recall)` of `system` against `gold`, both in `[0, 1]`.
pub fn match_tuples(gold: &Tuple, system: &Tuple) -> (f64, f64) {
    const SAID: [&str; 5] = ["said", "told", "added", "adds", "says"];
    let g_rel: Vec<&str> = tokens(&gold.rel).collect();
    let s_rel: Vec<&str> = tokens(&system.rel).collect();
    let g_args = binary_slots(&gold.args);
    let s_args = binary_slots(&system.args);
    let straight = lenient_match(&g_rel, &g_args, &s_rel, &s_args);
    if !SAID.iter().any(|v| gold.rel.contains(v)) {
        return straight;
    }
    let reversed = match s_args.as_slice() {
        [a1, a2] if system.args.len() >= 2 => vec![a2.clone(), a1.clone()],
        _ => s_args,
    };
    let rev = lenient_match(&g_rel, &g_args, &s_rel, &reversed);
    // Python list comparison: lexicographic on (precision, recall), first wins ties.
    if rev.0 > straight.0 || (rev.0 == straight.0 && rev.1 > straight.1) {
        rev
    } else {
        straight
    }
}

/// One point of the precision/recall curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrPoint {
    /// Confidence threshold (extractions with `confidence >= threshold` kept).
    pub threshold: f64,
    /// Precision at this threshold.
    pub precision: f64,
    /// Recall at this threshold.
    pub recall: f64,
}

/// Result of [`score`].
#[derive(Debug, Clone, PartialEq)]
pub struct CarbScore {
    /// Area under the P/R curve (CaRB's headline AUC, unrounded).
    pub auc: f64,
    /// Best F1 over all thresholds.
    pub best_f1: f64,
    /// Precision at the best-F1 threshold.
    pub precision_at_best: f64,
    /// Recall at the best-F1 threshold.
    pub recall_at_best: f64,
    /// Threshold giving the best F1 (`None` when there are no extractions).
    pub threshold_at_best: Option<f64>,
    /// Number of gold tuples scored.
    pub n_gold: usize,
    /// Number of system extractions on gold sentences (scored).
    pub n_system: usize,
    /// Number of system extractions on sentences absent from the gold (not
    /// scored; their confidences still act as thresholds).
    pub n_system_ignored: usize,
    /// The P/R curve, one point per distinct confidence, ascending threshold.
    pub curve: Vec<PrPoint>,
}

fn normalize_map(ex: &Extractions) -> BTreeMap<String, &[Tuple]> {
    ex.iter().map(|(k, v)| (normalize_sentence(k), v.as_slice())).collect()
}

/// Greedy one-to-one precision matching over the kept columns.
fn greedy_precision(scores: &[Vec<(f64, f64)>], kept: &[usize]) -> f64 {
    let n = scores.len().min(kept.len());
    let mut row_used = vec![false; scores.len()];
    let mut col_used = vec![false; kept.len()];
    let mut total = 0.0;
    for _ in 0..n {
        let mut best: Option<(usize, usize, f64)> = None;
        for (i, row) in scores.iter().enumerate() {
            if row_used[i] {
                continue;
            }
            for (kj, &j) in kept.iter().enumerate() {
                if col_used[kj] {
                    continue;
                }
                let p = row[j].0;
                if best.is_none_or(|(_, _, bp)| p > bp) {
                    best = Some((i, kj, p));
                }
            }
        }
        if let Some((i, kj, p)) = best {
            row_used[i] = true;
            col_used[kj] = true;
            total += p;
        }
    }
    total
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
}

/// Scores `system` against `gold` exactly as CaRB's default configuration
/// does (see the module documentation).
pub fn score(gold: &Extractions, system: &Extractions) -> CarbScore {
    let gold = normalize_map(gold);
    let system = normalize_map(system);

    let mut thresholds: Vec<f64> = system.values().flat_map(|v| v.iter().map(|t| t.confidence)).collect();
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup_by(|a, b| a == b);
    let nt = thresholds.len();

    let (mut p, mut pl, mut r, mut rl) = (vec![0.0; nt], vec![0.0; nt], vec![0.0; nt], vec![0.0; nt]);
    let (mut n_gold, mut n_system) = (0usize, 0usize);

    for (key, golds) in &gold {
        let preds: &[Tuple] = system.get(key).copied().unwrap_or_default();
        n_gold += golds.len();
        n_system += preds.len();
        let scores: Vec<Vec<(f64, f64)>> = golds
            .iter()
            .map(|g| preds.iter().map(|s| match_tuples(g, s)).collect())
            .collect();

        let mut confs: Vec<f64> = preds.iter().map(|t| t.confidence).collect();
        confs.sort_by(f64::total_cmp);
        confs.dedup_by(|a, b| a == b);
        let mut prev = 0;
        for conf in confs {
            let c = thresholds.partition_point(|t| *t < conf);
            let kept: Vec<usize> = (0..preds.len()).filter(|&j| preds[j].confidence >= conf).collect();
            let rec_num: f64 = scores
                .iter()
                .map(|row| kept.iter().map(|&j| row[j].1).fold(0.0, f64::max))
                .sum();
            let prec_num = greedy_precision(&scores, &kept);
            for k in prev..=c.min(nt.saturating_sub(1)) {
                p[k] += prec_num;
                pl[k] += kept.len() as f64;
                r[k] += rec_num;
                rl[k] += golds.len() as f64;
            }
            prev = c + 1;
        }
        for v in rl.iter_mut().skip(prev) {
            *v += golds.len() as f64;
        }
    }
    let n_system_total: usize = system.values().map(|v| v.len()).sum();

    let curve: Vec<PrPoint> = (0..nt)
        .map(|k| PrPoint {
            threshold: thresholds[k],
            precision: if pl[k] > 0.0 { p[k] / pl[k] } else { 1.0 },
            recall: if rl[k] > 0.0 { r[k] / rl[k] } else { 0.0 },
        })
        .collect();

    let mut best: Option<(usize, f64)> = None;
    for (k, pt) in curve.iter().enumerate() {
        let f = f1(pt.precision, pt.recall);
        if best.is_none_or(|(_, bf)| f > bf) {
            best = Some((k, f));
        }
    }

    // Trapezoidal AUC over (recall, precision) with (0, 1) appended.
    let mut xs: Vec<f64> = curve.iter().map(|pt| pt.recall).collect();
    let mut ys: Vec<f64> = curve.iter().map(|pt| pt.precision).collect();
    xs.push(0.0);
    ys.push(1.0);
    let decreasing = xs.windows(2).any(|w| w[1] < w[0]);
    let area: f64 = xs
        .windows(2)
        .zip(ys.windows(2))
        .map(|(x, y)| (x[1] - x[0]) * (y[1] + y[0]) / 2.0)
        .sum();
    let auc = if curve.is_empty() {
        0.0
    } else if decreasing {
        -area
    } else {
        area
    };

    let (precision_at_best, recall_at_best, best_f1, threshold_at_best) = match best {
        Some((k, f)) => (curve[k].precision, curve[k].recall, f, Some(curve[k].threshold)),
        None => (0.0, 0.0, 0.0, None),
    };
    CarbScore {
        auc,
        best_f1,
        precision_at_best,
        recall_at_best,
        threshold_at_best,
        n_gold,
        n_system,
        n_system_ignored: n_system_total - n_system,
        curve,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(rel: &str, args: &[&str], confidence: f64) -> Tuple {
        Tuple {
            rel: rel.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            confidence,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn token_overlap_per_slot() {
        let g = t("was born in", &["Ann", "Paris"], 1.0);
        let s = t("born in", &["Ann", "Paris in 1990"], 0.5);
        // rel 2/2 vs 2/3, arg1 1/1, arg2 1/3 vs 1/1 -> P 4/6, R 4/5
        let (p, r) = match_tuples(&g, &s);
        assert!(close(p, 4.0 / 6.0) && close(r, 4.0 / 5.0), "{p} {r}");
    }

    #[test]
    fn case_sensitive_and_relation_gate() {
        let g = t("likes", &["ann", "tea"], 1.0);
        // different case in arg1: no credit there, but relation matches
        let (p, r) = match_tuples(&g, &t("likes", &["Ann", "tea"], 0.1));
        assert!(close(p, 2.0 / 3.0) && close(r, 2.0 / 3.0));
        // no relation overlap -> (0, 0) even with perfect args
        assert_eq!(match_tuples(&g, &t("hates", &["ann", "tea"], 0.1)), (0.0, 0.0));
        // missing second slot -> (0, 0)
        assert_eq!(match_tuples(&g, &t("likes", &["ann"], 0.1)), (0.0, 0.0));
    }

    #[test]
    fn be_forms_and_extra_args() {
        // system "be" credited against gold "is"; args 2 and 3 merged into one slot
        let g = t("is", &["Ann", "a doctor in Rome"], 1.0);
        let s = t("be", &["Ann", "a doctor", "in Rome"], 0.3);
        assert_eq!(match_tuples(&g, &s), (1.0, 1.0));
        // gold with a single arg: system's second arg not in precision denominator
        let g1 = t("sleeps", &["Ann"], 1.0);
        let s1 = t("sleeps", &["Ann", "well"], 0.3);
        assert_eq!(match_tuples(&g1, &s1), (1.0, 1.0));
    }

    #[test]
    fn said_type_swaps_slots() {
        let g = t("said", &["Bob", "it rains"], 1.0);
        let s = t("said", &["it rains", "Bob"], 0.3);
        assert_eq!(match_tuples(&g, &s), (1.0, 1.0));
        // not said-type: no swap, only the relation matches -> P 1/(1+2+1)
        let g2 = t("thinks", &["Bob", "it rains"], 1.0);
        assert_eq!(match_tuples(&g2, &t("thinks", &["it rains", "Bob"], 0.3)).0, 0.25);
    }

    #[test]
    fn sentence_normalisation() {
        assert_eq!(
            normalize_sentence("Ann ( a nurse ) left ."),
            normalize_sentence("Ann -LRB- a nurse -RRB- left")
        );
        assert_eq!(normalize_sentence("It 's Bob's, isn't it?"), "ItsBobsisntit");
    }

    fn toy() -> (Extractions, Extractions) {
        let gold = read_gold(
            "Ann likes tea , Bob hates coffee .\tlikes\tAnn\ttea\n\
             Ann likes tea , Bob hates coffee .\thates\tBob\tcoffee\n",
        )
        .unwrap();
        let sys = read_tab(
            "Ann likes tea, Bob hates coffee.\t0.9\tlikes\tAnn\tgreen tea\n\
             Ann likes tea, Bob hates coffee.\t0.5\thates\tBob\tmilk\n\
             Some other sentence .\t0.7\tis\tx\ty\n",
        )
        .unwrap();
        (gold, sys)
    }

    #[test]
    fn curve_f1_and_auc_by_hand() {
        let (gold, sys) = toy();
        let s = score(&gold, &sys);
        // E1 vs G1: P 3/4 R 1; E2 vs G2: P 2/3 R 2/3; cross pairs 0.
        // t=0.5: P=(3/4+2/3)/2=17/24, R=(1+2/3)/2=5/6, F1=85/111
        // t=0.7 (threshold from an unscored sentence) and t=0.9: P=3/4, R=1/2, F1=0.6
        assert_eq!(s.curve.len(), 3);
        assert!(close(s.curve[0].precision, 17.0 / 24.0) && close(s.curve[0].recall, 5.0 / 6.0));
        assert!(close(s.curve[1].precision, 0.75) && close(s.curve[1].recall, 0.5));
        assert!(close(s.curve[2].precision, 0.75) && close(s.curve[2].recall, 0.5));
        assert!(close(s.best_f1, 85.0 / 111.0));
        assert_eq!(s.threshold_at_best, Some(0.5));
        // AUC: (5/6-1/2)*(17/24+3/4)/2 + (1/2-0)*(3/4+1)/2 = 49/72
        assert!(close(s.auc, 49.0 / 72.0), "{}", s.auc);
        assert_eq!((s.n_gold, s.n_system, s.n_system_ignored), (2, 2, 1));
    }

    #[test]
    fn unmatched_gold_sentence_counts_in_recall() {
        let (mut gold, sys) = toy();
        gold.insert(
            "Nobody extracted this .".into(),
            vec![t("x", &["a", "b"], 1.0), t("y", &["c", "d"], 1.0)],
        );
        let s = score(&gold, &sys);
        assert!(close(s.curve[0].recall, 5.0 / 12.0) && close(s.curve[0].precision, 17.0 / 24.0));
        assert_eq!(s.n_gold, 4);
    }

    #[test]
    fn gold_context_arguments_are_dropped() {
        let g = read_gold("S .\tsaid \tBob\tit rains\tC: in fact\tT: today\n").unwrap();
        assert_eq!(g["S ."][0], t("said", &["Bob", "it rains", "T: today"], 1.0));
    }

    #[test]
    fn greedy_precision_is_one_to_one() {
        // two identical extractions of one gold tuple: only one gets precision credit
        let gold = read_gold("S .\tlikes\tAnn\ttea\n").unwrap();
        let sys = read_tab("S .\t0.8\tlikes\tAnn\ttea\nS .\t0.8\tlikes\tAnn\ttea\n").unwrap();
        let s = score(&gold, &sys);
        assert!(close(s.curve[0].precision, 0.5) && close(s.curve[0].recall, 1.0));
        assert!(close(s.best_f1, 2.0 / 3.0));
    }

    #[test]
    fn empty_system() {
        let gold = read_gold("S .\tlikes\tAnn\ttea\n").unwrap();
        let s = score(&gold, &Extractions::new());
        assert_eq!((s.auc, s.best_f1, s.threshold_at_best), (0.0, 0.0, None));
    }

    #[test]
    fn readers() {
        let c = read_system(
            SystemFormat::ClausIe,
            "A b c .\n1\t\"A\"\t\"b\"\t\"c\"\t-2\n1\t\"A\"\t\"b\"\t\"c d\"\t-4\n",
        )
        .unwrap();
        let v = &c["A b c ."];
        assert_eq!(v[0].args, vec!["A", "c"]);
        // rescaled: (-2+4+0.001)/(2.002)
        assert!(close(v[0].confidence, 2.001 / 2.002) && close(v[1].confidence, 0.001 / 2.002));

        let line = "0.7\tContext(A said,List([0, 6)))\tSimpleArgument(B,List([0, 1)))\tRelation(went,List([2, 6)))\tSimpleArgument(home,List([7, 11)));TemporalArgument(today,List([12, 17)))\tB went home today .";
        let o4 = read_system(SystemFormat::OpenIe4, line).unwrap();
        assert_eq!(o4["B went home today ."][0], t("went", &["B", "home"], 0.7));
        let o5 = read_system(SystemFormat::OpenIe5, line).unwrap();
        assert_eq!(
            o5["B went home today ."][0],
            t("went", &["A said B", "home", "today"], 0.7)
        );

        let p = read_system(
            SystemFormat::PropS,
            "3\tA b c .\tb\tsubj\tA \tdobj\tc \n\n1\tA b c .\tb\tsubj\tA\n",
        )
        .unwrap();
        assert_eq!(p["A b c ."][0].args, vec!["A ", "c"]);
        assert!(matches!(read_tab("only\t0.5"), Err(CarbError::Parse { line: 1, .. })));
        assert!(matches!(
            read_tab("s\tabc\tr\ta"),
            Err(CarbError::Confidence { line: 1, .. })
        ));
        assert!(matches!(
            "foo".parse::<SystemFormat>(),
            Err(CarbError::UnknownFormat(_))
        ));
    }
}

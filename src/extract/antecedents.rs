//! Pronoun antecedents: a linear ranking model over (pronoun, candidate person) pairs.
//!
//! [`super::entities`] finds the candidates of a third-person singular pronoun
//! (person entities mentioned in the window before it whose gender does not
//! disagree) and asks this module which one the pronoun refers to. Each
//! candidate is described by sparse features (sentence distance, recency and
//! salience ranks, grammatical roles of the pronoun and of the candidate's
//! latest mention, gender evidence, whether it is the document's first person,
//! and their conjunctions); the candidate with the highest weight sum wins,
//! ties going to the most recent one.
//!
//! The weights (`models/pronouns.tsv`, feature TAB weight) are learned by
//! [`Trainer`], an averaged perceptron ranker, from the coreference chains of
//! GUM train (`textkg train pronouns`); the data, licence and scores are in
//! `models/README.md`. Without candidates there is no antecedent: the model
//! never invents one.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::document::Document;
use crate::nlp::models::ModelError;

/// The pronoun being resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PronounSite<'a> {
    /// Its token index.
    pub token: usize,
    /// Its sentence index.
    pub sentence: usize,
    /// Its text ("he", "Her").
    pub form: &'a str,
}

/// A candidate antecedent: a person entity mentioned before the pronoun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Entity index.
    pub entity: usize,
    /// Last token of its latest mention before the pronoun.
    pub last_token: usize,
    /// Sentence of that mention.
    pub last_sentence: usize,
    /// Byte span of that mention (start, end).
    pub last_span: (usize, usize),
    /// That mention is a pronoun (already resolved to this entity).
    pub last_is_pronoun: bool,
    /// How many mentions of the entity come before the pronoun.
    pub mentions_before: usize,
    /// The entity is the first person the document mentions.
    pub first_person: bool,
    /// Its gender is known to agree with the pronoun (else unknown).
    pub gender_known: bool,
}

/// Error reading a pronoun model file.
#[derive(Debug, thiserror::Error)]
pub enum AntecedentModelError {
    /// A line that is not `feature<TAB>weight`.
    #[error("pronoun model line {line}: {message}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Feature weights of the ranker.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AntecedentModel {
    weights: FxHashMap<String, f32>,
}

const EMBEDDED: &str = include_str!("../../models/pronouns.tsv");

impl AntecedentModel {
    /// The model shipped in `models/pronouns.tsv` (a unit test checks that it
    /// reads; `pipeline::check_models` reports a failure by name).
    pub fn embedded() -> Result<&'static AntecedentModel, ModelError> {
        static MODEL: OnceLock<Result<AntecedentModel, ModelError>> = OnceLock::new();
        MODEL
            .get_or_init(|| {
                Self::parse(EMBEDDED).map_err(|e| ModelError {
                    model: "pronouns.tsv",
                    message: e.to_string(),
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Reads `feature<TAB>weight` lines; `#` starts a comment line. Strict: a
    /// malformed line, a weight that is not a finite number or a repeated
    /// feature is an error.
    pub fn parse(text: &str) -> Result<AntecedentModel, AntecedentModelError> {
        let mut weights = FxHashMap::default();
        for (no, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |message: String| AntecedentModelError::Line { line: no + 1, message };
            let (feature, weight) = line
                .split_once('\t')
                .ok_or_else(|| err("expected feature<TAB>weight".into()))?;
            let w: f32 = weight
                .parse()
                .ok()
                .filter(|w: &f32| w.is_finite())
                .ok_or_else(|| err(format!("weight {weight:?} is not a finite number")))?;
            if weights.insert(feature.to_string(), w).is_some() {
                return Err(err(format!("feature {feature:?} appears twice")));
            }
        }
        Ok(AntecedentModel { weights })
    }

    /// The file format [`AntecedentModel::parse`] reads, features sorted.
    pub fn to_tsv(&self, header: &str) -> String {
        let mut rows: Vec<(&String, &f32)> = self.weights.iter().filter(|(_, w)| **w != 0.0).collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        let mut out = String::new();
        for line in header.lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
        for (f, w) in rows {
            out.push_str(&format!("{f}\t{w:.4}\n"));
        }
        out
    }

    /// Number of features with a weight.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether the model has no weights.
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    fn score(&self, features: &[String]) -> f32 {
        features.iter().filter_map(|f| self.weights.get(f)).sum()
    }

    /// Index (into `candidates`) of the antecedent, `None` without candidates.
    /// Ties go to the most recent candidate.
    /// `None` also when "no antecedent" (the pronoun's referent is never
    /// named, or is out of reach) outscores every candidate.
    pub fn choose(&self, doc: &Document, site: &PronounSite<'_>, candidates: &[Candidate]) -> Option<usize> {
        let feats = all_features(doc, site, candidates);
        best(&feats, |f| self.score(f), candidates).filter(|&i| i < candidates.len())
    }
}

/// The highest-scoring choice (an index into `candidates`, or
/// `candidates.len()` for "no antecedent"); ties go to the most recent
/// candidate, and "no antecedent" loses them.
fn best(feats: &[Vec<String>], score: impl Fn(&[String]) -> f32, candidates: &[Candidate]) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    let key = |i: usize| candidates.get(i).map(recency);
    for (i, f) in feats.iter().enumerate() {
        let s = score(f);
        let better = match best {
            None => true,
            Some((b, bs)) => s > bs || (s == bs && key(i) > key(b)),
        };
        if better {
            best = Some((i, s));
        }
    }
    best.map(|(i, _)| i)
}

fn recency(c: &Candidate) -> (usize, usize) {
    c.last_span
}

/// The features of every candidate, in order, then those of "no antecedent".
pub fn all_features(doc: &Document, site: &PronounSite<'_>, candidates: &[Candidate]) -> Vec<Vec<String>> {
    // Ranks: 0 = most recent / most mentioned.
    let rank = |key: &dyn Fn(&Candidate) -> (usize, usize), c: &Candidate| {
        candidates.iter().filter(|o| key(o) > key(c)).count()
    };
    let recency_key = |c: &Candidate| c.last_span;
    let salience_key = |c: &Candidate| (c.mentions_before, 0);
    let pform = pronoun_form(site.form);
    let prole = role(doc, site.token);
    candidates
        .iter()
        .map(|c| {
            let d = distance_bucket(site.sentence.saturating_sub(c.last_sentence));
            let r = match rank(&recency_key, c) {
                0 => "0",
                1 => "1",
                _ => "2+",
            };
            let s = match rank(&salience_key, c) {
                0 => "0",
                1 => "1",
                _ => "2+",
            };
            let n = match c.mentions_before {
                0..=1 => "1",
                2 => "2",
                3..=5 => "3-5",
                6..=10 => "6-10",
                _ => "11+",
            };
            let g = if c.gender_known { "known" } else { "unknown" };
            let last = if c.last_is_pronoun { "pron" } else { "name" };
            let crole = role(doc, c.last_token);
            let top = if c.first_person { "yes" } else { "no" };
            vec![
                format!("d={d}"),
                format!("r={r}"),
                format!("s={s}"),
                format!("n={n}"),
                format!("g={g}"),
                format!("last={last}"),
                format!("crole={crole}"),
                format!("first={top}"),
                format!("d={d}&r={r}"),
                format!("r={r}&s={s}"),
                format!("g={g}&r={r}"),
                format!("g={g}&s={s}"),
                format!("d={d}&s={s}"),
                format!("first={top}&r={r}"),
                format!("first={top}&d={d}"),
                format!("last={last}&d={d}"),
                format!("crole={crole}&prole={prole}"),
                format!("crole={crole}&r={r}"),
                format!("crole={crole}&pform={pform}&d={d}"),
                format!("pform={pform}&r={r}"),
                format!("pform={pform}&s={s}"),
                format!("n={n}&r={r}"),
            ]
        })
        .chain(std::iter::once(null_features(site, candidates, pform, prole)))
        .collect()
}

/// A sentence distance as a feature value: 0, 1, 2 or 3+.
fn distance_bucket(d: usize) -> &'static str {
    match d {
        0 => "0",
        1 => "1",
        2 => "2",
        _ => "3+",
    }
}

/// Features of "no antecedent": how many candidates there are, how near and
/// how salient the best of them is, and the pronoun itself.
fn null_features(site: &PronounSite<'_>, candidates: &[Candidate], pform: &str, prole: &str) -> Vec<String> {
    let nc = match candidates.len() {
        0 | 1 => "1",
        2 => "2",
        _ => "3+",
    };
    let nearest = candidates
        .iter()
        .map(|c| site.sentence.saturating_sub(c.last_sentence))
        .min()
        .map_or("3+", distance_bucket);
    let most = candidates
        .iter()
        .map(|c| c.mentions_before)
        .max()
        .map_or("1", |n| match n {
            0..=1 => "1",
            2 => "2",
            3..=5 => "3-5",
            _ => "6+",
        });
    let known = if candidates.iter().any(|c| c.gender_known) {
        "yes"
    } else {
        "no"
    };
    vec![
        "null".to_string(),
        format!("null&nc={nc}"),
        format!("null&d={nearest}"),
        format!("null&n={most}"),
        format!("null&known={known}"),
        format!("null&pform={pform}"),
        format!("null&prole={prole}"),
        format!("null&known={known}&d={nearest}"),
        format!("null&n={most}&d={nearest}"),
    ]
}

/// The pronoun's form class: nominative, possessive, accusative, "her" (either), reflexive.
fn pronoun_form(form: &str) -> &'static str {
    match form.to_lowercase().as_str() {
        "he" | "she" => "nom",
        "his" | "hers" => "poss",
        "him" => "acc",
        "her" => "her",
        "himself" | "herself" => "refl",
        _ => "other",
    }
}

/// A token's grammatical role from the parse; `none` in an unparsed sentence.
fn role(doc: &Document, token: usize) -> &'static str {
    let Some(dep) = doc.deps.get(token) else {
        return "none";
    };
    match dep.rel {
        "" => "none",
        "nsubj" | "nsubj:outer" => "subj",
        "nsubj:pass" => "subjpass",
        "obj" | "iobj" => "obj",
        "nmod:poss" => "poss",
        "obl" | "obl:agent" => "obl",
        "nmod" => "nmod",
        "conj" => "conj",
        "appos" | "flat" | "compound" => "name",
        _ => "other",
    }
}

/// One training example: every candidate's features and which candidates are right.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Features per candidate.
    pub features: Vec<Vec<String>>,
    /// Candidates recency key, for tie-breaking as at run time.
    pub candidates: Vec<Candidate>,
    /// Indices of the right candidates (non-empty); `candidates.len()` when
    /// the right answer is "no antecedent".
    pub right: Vec<usize>,
}

/// Averaged perceptron ranker.
#[derive(Debug, Default)]
pub struct Trainer {
    weights: FxHashMap<String, f32>,
    totals: FxHashMap<String, f64>,
    stamps: FxHashMap<String, u64>,
    clock: u64,
}

impl Trainer {
    /// A trainer with no weights.
    pub fn new() -> Self {
        Self::default()
    }

    fn score(&self, f: &[String]) -> f32 {
        f.iter().filter_map(|x| self.weights.get(x)).sum()
    }

    fn bump(&mut self, feature: &str, delta: f32) {
        let w = self.weights.entry(feature.to_string()).or_insert(0.0);
        let stamp = self.stamps.entry(feature.to_string()).or_insert(0);
        let total = self.totals.entry(feature.to_string()).or_insert(0.0);
        *total += f64::from(*w) * (self.clock - *stamp) as f64;
        *stamp = self.clock;
        *w += delta;
    }

    /// One pass over the examples in the given order; returns how many were ranked right before the update.
    pub fn epoch(&mut self, examples: &[Example]) -> usize {
        let mut right = 0;
        for ex in examples {
            self.clock += 1;
            let Some(guess) = best(&ex.features, |f| self.score(f), &ex.candidates) else {
                continue;
            };
            if ex.right.contains(&guess) {
                right += 1;
                continue;
            }
            let Some(&truth) = ex
                .right
                .iter()
                .max_by(|&&a, &&b| self.score(&ex.features[a]).total_cmp(&self.score(&ex.features[b])))
            else {
                continue;
            };
            for f in ex.features[truth].clone() {
                self.bump(&f, 1.0);
            }
            for f in ex.features[guess].clone() {
                self.bump(&f, -1.0);
            }
        }
        right
    }

    /// The averaged weights so far.
    pub fn averaged(&self) -> AntecedentModel {
        let clock = self.clock.max(1);
        let weights = self
            .weights
            .iter()
            .map(|(f, &w)| {
                let total = self.totals.get(f).copied().unwrap_or(0.0)
                    + f64::from(w) * (clock - self.stamps.get(f).copied().unwrap_or(0)) as f64;
                (f.clone(), (total / clock as f64) as f32)
            })
            .filter(|(_, w)| w.abs() > 1e-6)
            .collect();
        AntecedentModel { weights }
    }
}

/// How many examples a model ranks right.
pub fn accuracy(model: &AntecedentModel, examples: &[Example]) -> usize {
    examples
        .iter()
        .filter(|ex| best(&ex.features, |f| model.score(f), &ex.candidates).is_some_and(|g| ex.right.contains(&g)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_reads_and_has_weights() {
        let m = AntecedentModel::embedded().expect("models/pronouns.tsv must parse");
        assert!(m.len() > 20, "{} weights", m.len());
    }

    #[test]
    fn the_reader_is_strict() {
        assert!(AntecedentModel::parse("# c\nd=0\t1.5\n").is_ok());
        assert!(AntecedentModel::parse("d=0 1.5\n").is_err());
        assert!(AntecedentModel::parse("d=0\tx\n").is_err());
        assert!(AntecedentModel::parse("d=0\tNaN\n").is_err());
        assert!(AntecedentModel::parse("d=0\t1\nd=0\t2\n").is_err());
    }

    #[test]
    fn a_written_model_reads_back() {
        let m = AntecedentModel::parse("d=0\t1.5000\nr=1\t-0.2500\n").unwrap();
        assert_eq!(AntecedentModel::parse(&m.to_tsv("h")).unwrap(), m);
    }

    fn cand(entity: usize, start: usize, mentions_before: usize) -> Candidate {
        Candidate {
            entity,
            last_token: 0,
            last_sentence: 0,
            last_span: (start, start + 1),
            last_is_pronoun: false,
            mentions_before,
            first_person: false,
            gender_known: false,
        }
    }

    #[test]
    fn the_trainer_learns_to_prefer_salience_over_recency() {
        // Two candidates; the right one is always the more mentioned, less recent one.
        let doc = crate::nlp::segment("He".to_string());
        let site = PronounSite {
            token: 0,
            sentence: 0,
            form: "he",
        };
        let cands = vec![cand(0, 0, 5), cand(1, 10, 1)];
        let ex = Example {
            features: all_features(&doc, &site, &cands),
            candidates: cands.clone(),
            right: vec![0],
        };
        let examples = vec![ex; 5];
        // Untrained: recency wins the tie.
        assert_eq!(accuracy(&AntecedentModel::default(), &examples), 0);
        let mut t = Trainer::new();
        t.epoch(&examples);
        let m = t.averaged();
        assert_eq!(accuracy(&m, &examples), 5);
        assert_eq!(m.choose(&doc, &site, &cands), Some(0));
    }
}

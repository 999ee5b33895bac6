//! Zero-shot scoring of the extractor on CoNLL04 (Roth & Yih 2004) relations.
//!
//! The extractor is never trained on CoNLL04: each sentence's text (its tokens
//! joined by single spaces) goes through the normal pipeline, and relations
//! whose predicate a mapping file assigns to a CoNLL04 type (`Kill`,
//! `Work_For`, `OrgBased_In`, `Live_In`, `Located_In`) are compared with the
//! gold relations in the *boundaries* setting: a prediction is correct when
//! its type and both argument spans (token boundaries) equal a gold relation's;
//! entity types are not checked.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Deserialize;

use crate::document::Span;
use crate::extract::{Extractor, RelationObject};
use crate::iri::Namespace;

/// Errors reading the gold file or the mapping.
#[derive(Debug, thiserror::Error)]
pub enum Conll04Error {
    /// The gold file is not the SpERT JSON format.
    #[error("not a CoNLL04 SpERT-format JSON file: {0}")]
    Gold(#[from] serde_json::Error),
    /// A gold relation or entity points outside its sentence.
    #[error("sentence {sentence}: entity or relation index out of range")]
    Index {
        /// 0-based sentence number.
        sentence: usize,
    },
    /// A mapping line is malformed.
    #[error("mapping line {line}: {message}")]
    Mapping {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
struct RawExample {
    tokens: Vec<String>,
    entities: Vec<RawEntity>,
    relations: Vec<RawRelation>,
}

#[derive(Deserialize)]
struct RawEntity {
    start: usize,
    end: usize,
}

#[derive(Deserialize)]
struct RawRelation {
    #[serde(rename = "type")]
    kind: String,
    head: usize,
    tail: usize,
}

/// A relation in the boundaries setting: type, head and tail token ranges.
pub type SpanRelation = (String, (usize, usize), (usize, usize));

/// One gold sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The sentence's tokens.
    pub tokens: Vec<String>,
    /// Gold relations.
    pub relations: BTreeSet<SpanRelation>,
}

/// Reads the SpERT JSON format (`[{tokens, entities:[{type,start,end}], relations:[{type,head,tail}]}]`).
pub fn read_gold(json: &str) -> Result<Vec<Example>, Conll04Error> {
    let raw: Vec<RawExample> = serde_json::from_str(json)?;
    raw.into_iter()
        .enumerate()
        .map(|(k, r)| {
            let span = |i: usize| {
                r.entities
                    .get(i)
                    .filter(|e| e.start < e.end && e.end <= r.tokens.len())
                    .map(|e| (e.start, e.end))
                    .ok_or(Conll04Error::Index { sentence: k })
            };
            let relations = r
                .relations
                .iter()
                .map(|rel| Ok((rel.kind.clone(), span(rel.head)?, span(rel.tail)?)))
                .collect::<Result<_, Conll04Error>>()?;
            Ok(Example {
                tokens: r.tokens,
                relations,
            })
        })
        .collect()
}

/// Predicate IRI → (CoNLL04 type, inverse).
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    map: HashMap<String, (String, bool)>,
}

impl Mapping {
    /// Parses `predicate-IRI⇥type[⇥inverse]` lines; `#` starts a comment line.
    pub fn parse(text: &str) -> Result<Self, Conll04Error> {
        let mut map = HashMap::new();
        for (k, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let err = |message: &str| Conll04Error::Mapping {
                line: k + 1,
                message: message.to_string(),
            };
            let (iri, kind) = match cols.as_slice() {
                [iri, kind] | [iri, kind, _] => (*iri, *kind),
                _ => return Err(err("expected 2 or 3 tab-separated columns")),
            };
            let inverse = match cols.get(2) {
                None | Some(&"") => false,
                Some(&"inverse") => true,
                Some(_) => return Err(err("third column must be empty or \"inverse\"")),
            };
            if iri.is_empty() || kind.is_empty() {
                return Err(err("empty predicate or type"));
            }
            map.insert(iri.to_string(), (kind.to_string(), inverse));
        }
        Ok(Self { map })
    }

    /// The CoNLL04 type and direction of a predicate IRI.
    pub fn get(&self, iri: &str) -> Option<(&str, bool)> {
        self.map.get(iri).map(|(k, inv)| (k.as_str(), *inv))
    }
}

/// Counts for one relation type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Correct predictions.
    pub tp: usize,
    /// Wrong predictions.
    pub fp: usize,
    /// Missed gold relations.
    pub fn_: usize,
}

impl Counts {
    /// Precision, recall, F1 in [0, 1].
    pub fn prf(&self) -> (f64, f64, f64) {
        let p = ratio(self.tp, self.tp + self.fp);
        let r = ratio(self.tp, self.tp + self.fn_);
        let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        (p, r, f)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Scores per type, plus micro and macro averages.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scores {
    /// Counts per CoNLL04 type (gold and predicted types).
    pub by_type: BTreeMap<String, Counts>,
}

impl Scores {
    /// Micro-averaged counts over all types.
    pub fn micro(&self) -> Counts {
        self.by_type.values().fold(Counts::default(), |a, c| Counts {
            tp: a.tp + c.tp,
            fp: a.fp + c.fp,
            fn_: a.fn_ + c.fn_,
        })
    }

    /// Macro-averaged (P, R, F1) over the types that have gold relations.
    pub fn macro_prf(&self) -> (f64, f64, f64) {
        let types: Vec<_> = self.by_type.values().filter(|c| c.tp + c.fn_ > 0).collect();
        if types.is_empty() {
            return (0.0, 0.0, 0.0);
        }
        let n = types.len() as f64;
        let sum = types.iter().fold((0.0, 0.0, 0.0), |a, c| {
            let (p, r, f) = c.prf();
            (a.0 + p, a.1 + r, a.2 + f)
        });
        (sum.0 / n, sum.1 / n, sum.2 / n)
    }

    fn add(&mut self, gold: &BTreeSet<SpanRelation>, predicted: &BTreeSet<SpanRelation>) {
        for g in gold {
            let c = self.by_type.entry(g.0.clone()).or_default();
            if predicted.contains(g) {
                c.tp += 1;
            } else {
                c.fn_ += 1;
            }
        }
        for p in predicted.difference(gold) {
            self.by_type.entry(p.0.clone()).or_default().fp += 1;
        }
    }
}

/// The mapped relations the extractor finds in one tokenised sentence.
pub fn predict(
    extractor: &Extractor,
    mapping: &Mapping,
    namespace: &Namespace,
    tokens: &[String],
) -> BTreeSet<SpanRelation> {
    let text = tokens.join(" ");
    // Byte offset of each token's start and end in the joined text.
    let mut starts = HashMap::new();
    let mut ends = HashMap::new();
    let mut at = 0;
    for (k, t) in tokens.iter().enumerate() {
        starts.insert(at, k);
        // CoNLL04 glues trailing punctuation to words ("Ethiopia.", "Corp.,"),
        // which our tokenizer splits off: a span that ends where only
        // punctuation of the token remains ends with the token.
        let core = t.trim_end_matches(|c: char| c.is_ascii_punctuation());
        if !core.is_empty() {
            for (i, _) in t[core.len()..].char_indices() {
                ends.entry(at + core.len() + i).or_insert(k + 1);
            }
        }
        ends.insert(at + t.len(), k + 1);
        at += t.len() + 1;
    }
    let to_tokens = |s: Span| -> (usize, usize) {
        // A span that does not fall on token boundaries cannot match any gold span.
        match (starts.get(&s.start), ends.get(&s.end)) {
            (Some(&a), Some(&b)) if a < b => (a, b),
            _ => (usize::MAX, usize::MAX),
        }
    };
    let doc = crate::ner::stage::analyze_for_extraction(text);
    let extraction = extractor.extract(&doc, None);
    let mut out = BTreeSet::new();
    for r in &extraction.relations {
        let (Some((s, o)), RelationObject::Entity(_)) = (r.arguments, &r.object) else {
            continue;
        };
        let iri = crate::rdf::predicate_iri(&r.predicate, namespace);
        let Some((kind, inverse)) = mapping.get(&iri) else {
            continue;
        };
        let (h, t) = if inverse { (o, s) } else { (s, o) };
        out.insert((kind.to_string(), to_tokens(h), to_tokens(t)));
    }
    out
}

/// Scores the extractor on gold sentences (in parallel; deterministic result).
pub fn evaluate(extractor: &Extractor, mapping: &Mapping, namespace: &Namespace, gold: &[Example]) -> Scores {
    let predicted: Vec<BTreeSet<SpanRelation>> = gold
        .par_iter()
        .map(|e| predict(extractor, mapping, namespace, &e.tokens))
        .collect();
    let mut scores = Scores::default();
    for (e, p) in gold.iter().zip(&predicted) {
        scores.add(&e.relations, p);
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_parses_and_rejects_bad_lines() {
        let m = Mapping::parse("# c\nhttps://x/a\tKill\nhttps://x/b\tWork_For\tinverse\n").unwrap();
        assert_eq!(m.get("https://x/a"), Some(("Kill", false)));
        assert_eq!(m.get("https://x/b"), Some(("Work_For", true)));
        assert!(m.get("https://x/c").is_none());
        assert!(matches!(
            Mapping::parse("just-one-column"),
            Err(Conll04Error::Mapping { line: 1, .. })
        ));
        assert!(Mapping::parse("a\tb\tsideways").is_err());
    }

    #[test]
    fn gold_reader_checks_indices() {
        let ok = r#"[{"tokens":["A","killed","B"],"entities":[{"type":"Peop","start":0,"end":1},{"type":"Peop","start":2,"end":3}],"relations":[{"type":"Kill","head":0,"tail":1}]}]"#;
        let g = read_gold(ok).unwrap();
        assert!(g[0].relations.contains(&("Kill".to_string(), (0, 1), (2, 3))));
        let bad = r#"[{"tokens":["A"],"entities":[],"relations":[{"type":"Kill","head":0,"tail":1}]}]"#;
        assert!(matches!(read_gold(bad), Err(Conll04Error::Index { sentence: 0 })));
        assert!(read_gold("{").is_err());
    }

    #[test]
    fn scores_count_exact_boundaries_only() {
        let rel = |k: &str, h: (usize, usize), t: (usize, usize)| (k.to_string(), h, t);
        let gold: BTreeSet<_> = [rel("Kill", (0, 2), (4, 5)), rel("Live_In", (0, 2), (7, 8))].into();
        let pred: BTreeSet<_> = [rel("Kill", (0, 2), (4, 5)), rel("Live_In", (1, 2), (7, 8))].into();
        let mut s = Scores::default();
        s.add(&gold, &pred);
        assert_eq!(s.micro(), Counts { tp: 1, fp: 1, fn_: 1 });
        let (p, r, f) = s.micro().prf();
        assert!((p - 0.5).abs() < 1e-9 && (r - 0.5).abs() < 1e-9 && (f - 0.5).abs() < 1e-9);
        assert!((s.macro_prf().2 - 0.5).abs() < 1e-9, "Kill F1 1.0, Live_In 0.0");
    }

    /// What the extractor predicts for a space-tokenised sentence under one mapping line.
    fn predicted(mapping: &str, sentence: &str) -> BTreeSet<SpanRelation> {
        let mapping = Mapping::parse(mapping).unwrap();
        let tokens: Vec<String> = sentence.split(' ').map(String::from).collect();
        predict(&Extractor::default(), &mapping, &Namespace::default(), &tokens)
    }

    #[test]
    fn mapped_kill_is_predicted_with_token_spans() {
        let p = predicted(
            "https://w3id.org/textkg/ns#kills\tKill\n",
            "Sergeant Ola Hansen killed Kari Berg in Oslo .",
        );
        assert!(p.iter().any(|(k, _, t)| k == "Kill" && *t == (4, 6)), "{p:?}");
    }

    #[test]
    fn spans_align_with_tokens_that_carry_a_period() {
        let p = predicted(
            "https://w3id.org/textkg/ns#livesIn\tLive_In\n",
            "Ola Brenne , a native of Bergen.",
        );
        assert!(p.contains(&("Live_In".to_string(), (0, 2), (6, 7))), "{p:?}");
    }
}

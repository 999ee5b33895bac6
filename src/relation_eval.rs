//! Judged samples of asserted relations (`textkg eval judged`): drawing a
//! random sample from the extractor's output, and re-scoring a stored,
//! judged sample against the current output.
//!
//! A judged relation is one asserted relation (not negated, modal or
//! attributed; not a quotation) of the JSON contract (`extract --format
//! json`), identified by its document, evidence span, predicate IRI and the
//! two argument spans, with three verdicts (`relation`, `arguments`, `types`)
//! written by a person (or a reviewer following `eval/relations/PROTOCOL.md`).
//! The file holds offsets, labels and verdicts, not the document text.
//!
//! Re-scoring matches each judged relation to the current output on that
//! identity: precision is measured on the judged relations the extractor
//! still produces, and the report says how many it no longer produces and
//! how many current relations have no verdict yet.
//!
//! [`conll04`] scores the extractor zero-shot on CoNLL04 through a mapping
//! of predicate IRIs: like the judged samples, it scores relations as the
//! output names them, so it sits here, after `rdf`, and not in `extract`.

pub mod conll04;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A span of an argument in the document (code points), with the entity's label and type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgedArgument {
    /// Start, code points (`None` when the relation gave no argument span).
    pub start: Option<usize>,
    /// End (exclusive), code points.
    pub end: Option<usize>,
    /// The entity's label.
    pub label: String,
    /// The entity's type (`Person`, `City`, …).
    #[serde(rename = "type")]
    pub entity_type: String,
}

/// One asserted relation, with the verdicts once judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgedRelation {
    /// Document name (the input's `id`).
    pub doc: String,
    /// Evidence span, code points.
    pub evidence: [usize; 2],
    /// Predicate IRI.
    pub predicate: String,
    /// Subject.
    pub subject: JudgedArgument,
    /// Object.
    pub object: JudgedArgument,
    /// Extractor id.
    pub extractor: String,
    /// Confidence when drawn.
    pub confidence: f64,
    /// The sentence states this relation between the things the arguments name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<bool>,
    /// The argument spans name the right things (the clause's subject and object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<bool>,
    /// Both arguments' entity types are right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub types: Option<bool>,
    /// The reviewer's remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl JudgedRelation {
    /// Judged, and right on all three counts.
    pub fn all_right(&self) -> Option<bool> {
        Some(self.relation? && self.arguments? && self.types?)
    }

    /// The identity a judged relation is matched on.
    fn key(&self) -> Key {
        (
            self.doc.clone(),
            self.evidence,
            self.predicate.clone(),
            (
                self.subject.start,
                self.subject.end,
                self.subject.label.clone(),
                self.subject.entity_type.clone(),
            ),
            (
                self.object.start,
                self.object.end,
                self.object.label.clone(),
                self.object.entity_type.clone(),
            ),
        )
    }
}

/// Document, evidence, predicate, and each argument's span, label and type:
/// a verdict holds only for the output it was given on.
type Key = (
    String,
    [usize; 2],
    String,
    (Option<usize>, Option<usize>, String, String),
    (Option<usize>, Option<usize>, String, String),
);

/// An error reading a judged file or a prediction.
#[derive(Debug, thiserror::Error)]
pub enum JudgedError {
    /// A line of the judged file is not a judged relation.
    #[error("line {line}: {message}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Reads a judged JSONL file (blank lines skipped).
pub fn read_judged(text: &str) -> Result<Vec<JudgedRelation>, JudgedError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str(l).map_err(|e| JudgedError::Line {
                line: n + 1,
                message: e.to_string(),
            })
        })
        .collect()
}

/// The asserted, non-quotation relations with entity objects of one
/// document's JSON output (`extract --format json`), as unjudged records.
pub fn asserted_relations(doc_name: &str, prediction: &Value) -> Vec<JudgedRelation> {
    let mut entities: HashMap<&str, (&str, &str)> = HashMap::new();
    for e in prediction["entities"].as_array().into_iter().flatten() {
        if let Some(id) = e["id"].as_str() {
            entities.insert(
                id,
                (e["label"].as_str().unwrap_or(""), e["type"].as_str().unwrap_or("")),
            );
        }
    }
    let mut out = Vec::new();
    for r in prediction["relations"].as_array().into_iter().flatten() {
        let asserted = r.get("modality").is_none()
            && r.get("attributed_to").is_none()
            && !r["negated"].as_bool().unwrap_or(false)
            && r["extractor"].as_str() != Some("quote");
        let (Some(s), Some(o)) = (r["subject"].as_str(), r["object"]["id"].as_str()) else {
            continue;
        };
        let (Some(&(sl, st)), Some(&(ol, ot))) = (entities.get(s), entities.get(o)) else {
            continue;
        };
        if !asserted {
            continue;
        }
        let span = |v: &Value| {
            (
                v["start"].as_u64().map(|x| x as usize),
                v["end"].as_u64().map(|x| x as usize),
            )
        };
        let (ss, se) = span(&r["arguments"]["subject"]);
        let (os, oe) = span(&r["arguments"]["object"]);
        let ev = &r["evidence"];
        out.push(JudgedRelation {
            doc: doc_name.to_string(),
            evidence: [
                ev["start"].as_u64().unwrap_or(0) as usize,
                ev["end"].as_u64().unwrap_or(0) as usize,
            ],
            predicate: r["predicate"].as_str().unwrap_or("").to_string(),
            subject: JudgedArgument {
                start: ss,
                end: se,
                label: sl.to_string(),
                entity_type: st.to_string(),
            },
            object: JudgedArgument {
                start: os,
                end: oe,
                label: ol.to_string(),
                entity_type: ot.to_string(),
            },
            extractor: r["extractor"].as_str().unwrap_or("").to_string(),
            confidence: r["confidence"].as_f64().unwrap_or(0.0),
            relation: None,
            arguments: None,
            types: None,
            note: None,
        });
    }
    out
}

/// A uniform random sample of `n` relations (all of them when fewer),
/// deterministic in `seed`, returned in input order.
pub fn draw(candidates: &[JudgedRelation], n: usize, seed: u64) -> Vec<JudgedRelation> {
    // SplitMix64: small, deterministic, good enough for sampling.
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut index: Vec<usize> = (0..candidates.len()).collect();
    // Partial Fisher–Yates: the first n places hold the sample.
    let n = n.min(index.len());
    for i in 0..n {
        let j = i + (next() % (index.len() - i) as u64) as usize;
        index.swap(i, j);
    }
    let mut chosen = index[..n].to_vec();
    chosen.sort_unstable();
    chosen.into_iter().map(|i| candidates[i].clone()).collect()
}

/// Counts over judged relations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Verdicts {
    /// Judged relations counted.
    pub judged: usize,
    /// Relation right.
    pub relation: usize,
    /// Arguments right.
    pub arguments: usize,
    /// Types right.
    pub types: usize,
    /// All three right.
    pub all_right: usize,
}

impl Verdicts {
    fn add(&mut self, j: &JudgedRelation) {
        let (Some(r), Some(a), Some(t)) = (j.relation, j.arguments, j.types) else {
            return;
        };
        self.judged += 1;
        self.relation += usize::from(r);
        self.arguments += usize::from(a);
        self.types += usize::from(t);
        self.all_right += usize::from(r && a && t);
    }

    /// Share of judged relations that are all right.
    pub fn precision(&self) -> f64 {
        ratio(self.all_right, self.judged)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The re-scoring of a judged sample against current predictions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct JudgedReport {
    /// Relations in the judged file.
    pub in_file: usize,
    /// Judged relations the current output still produces, by extractor (and "all").
    pub still_produced: BTreeMap<String, Verdicts>,
    /// Of those, the ones with current confidence ≥ the threshold.
    pub confident: Verdicts,
    /// The confidence threshold of `confident`.
    pub threshold: f64,
    /// Judged relations no longer produced.
    pub no_longer_produced: usize,
    /// Verdicts of the relations no longer produced (what was lost or dropped).
    pub dropped: Verdicts,
    /// Current asserted relations in the judged documents that have no verdict.
    pub unjudged: usize,
    /// Current asserted relations in the judged documents.
    pub current: usize,
}

/// Re-scores `judged` against the current asserted relations of the same
/// documents (`current`: as from [`asserted_relations`]), with confidences
/// taken from the current output.
pub fn rescore(judged: &[JudgedRelation], current: &[JudgedRelation], threshold: f64) -> JudgedReport {
    let docs: HashSet<&str> = judged.iter().map(|j| j.doc.as_str()).collect();
    let now: HashMap<Key, f64> = current
        .iter()
        .filter(|c| docs.contains(c.doc.as_str()))
        .map(|c| (c.key(), c.confidence))
        .collect();
    let judged_keys: HashSet<Key> = judged.iter().map(JudgedRelation::key).collect();
    let mut report = JudgedReport {
        in_file: judged.len(),
        threshold,
        current: now.len(),
        unjudged: now.keys().filter(|k| !judged_keys.contains(*k)).count(),
        ..JudgedReport::default()
    };
    for j in judged {
        match now.get(&j.key()) {
            Some(&confidence) => {
                report.still_produced.entry("all".into()).or_default().add(j);
                report.still_produced.entry(j.extractor.clone()).or_default().add(j);
                if confidence >= threshold {
                    report.confident.add(j);
                }
            }
            None => {
                report.no_longer_produced += 1;
                report.dropped.add(j);
            }
        }
    }
    report
}

/// The judged relations the current output still produces (same identity,
/// [`rescore`]'s matching): the ones a calibration may speak for.
pub fn still_produced(judged: &[JudgedRelation], current: &[JudgedRelation]) -> Vec<JudgedRelation> {
    let now: HashSet<Key> = current.iter().map(JudgedRelation::key).collect();
    judged.iter().filter(|j| now.contains(&j.key())).cloned().collect()
}

/// The predicate group a relation is calibrated by: the ontology property's
/// local name, or `open` for open relations.
pub fn predicate_group(predicate_iri: &str) -> String {
    match predicate_iri.rsplit_once('#') {
        Some((ns, local)) if ns.ends_with("/ns") => local.to_string(),
        _ => "open".to_string(),
    }
}

/// Groups with fewer judged relations than this share their extractor's row (`*`).
pub const MIN_GROUP: usize = 8;

/// One row of the calibration table: a group's judged count, all-right count
/// and confidence, the posterior mean precision under a uniform prior,
/// (right + 1) / (judged + 2).
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationRow {
    /// Extractor id.
    pub extractor: String,
    /// Predicate group ([`predicate_group`]), or `*` for the extractor's other groups.
    pub group: String,
    /// Judged relations.
    pub judged: usize,
    /// All right.
    pub right: usize,
}

impl CalibrationRow {
    /// The calibrated confidence.
    pub fn confidence(&self) -> f64 {
        (self.right as f64 + 1.0) / (self.judged as f64 + 2.0)
    }
}

/// Calibration rows from judged relations: one per (extractor, predicate
/// group) with at least [`MIN_GROUP`] judged relations, and one `*` row per
/// extractor for its smaller groups.
pub fn calibration(judged: &[JudgedRelation]) -> Vec<CalibrationRow> {
    let mut groups: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for j in judged {
        let Some(right) = j.all_right() else { continue };
        let g = groups
            .entry((j.extractor.clone(), predicate_group(&j.predicate)))
            .or_default();
        g.0 += 1;
        g.1 += usize::from(right);
    }
    let mut rows = Vec::new();
    let mut rest: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for ((extractor, group), (n, right)) in groups {
        if n >= MIN_GROUP {
            rows.push(CalibrationRow {
                extractor,
                group,
                judged: n,
                right,
            });
        } else {
            let r = rest.entry(extractor).or_default();
            r.0 += n;
            r.1 += right;
        }
    }
    for (extractor, (n, right)) in rest {
        rows.push(CalibrationRow {
            extractor,
            group: "*".into(),
            judged: n,
            right,
        });
    }
    rows
}

/// The calibration table as `models/lexicon/confidence.tsv` text.
pub fn calibration_tsv(rows: &[CalibrationRow], source: &str) -> String {
    let mut out = format!(
        "# Calibrated relation confidence: the all-right share of judged relations per extractor and\n\
         # predicate group (ontology property, `open` for open relations, `*` for an extractor's groups with\n\
         # fewer than {MIN_GROUP} judged relations), as (right + 1) / (judged + 2).\n\
         # Written by `textkg eval judged {source} --calibrate`; do not edit by hand.\n\
         extractor\tgroup\tjudged\tright\tconfidence\n"
    );
    for r in rows {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{:.3}\n",
            r.extractor,
            r.group,
            r.judged,
            r.right,
            r.confidence()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn prediction() -> Value {
        json!({
            "entities": [
                {"id": "e:ann", "label": "Ann Lee", "type": "Person"},
                {"id": "e:acme", "label": "Acme", "type": "Organization"}
            ],
            "relations": [
                {"subject": "e:ann", "predicate": "https://w3id.org/textkg/ns#worksFor", "object": {"id": "e:acme"},
                 "confidence": 0.8, "extractor": "nominal-pattern",
                 "evidence": {"sentence": 0, "start": 0, "end": 30, "text": "…"},
                 "arguments": {"subject": {"start": 0, "end": 7, "text": "Ann Lee"},
                               "object": {"start": 20, "end": 24, "text": "Acme"}}},
                {"subject": "e:ann", "predicate": "tk:meets", "object": {"id": "e:acme"},
                 "confidence": 0.6, "extractor": "clause", "modality": "would",
                 "evidence": {"sentence": 0, "start": 0, "end": 30, "text": "…"}},
                {"subject": "e:ann", "predicate": "tk:says", "object": {"value": "hi"},
                 "confidence": 0.9, "extractor": "quote",
                 "evidence": {"sentence": 0, "start": 0, "end": 30, "text": "…"}}
            ]
        })
    }

    #[test]
    fn calibration_groups_and_smooths() {
        let base = asserted_relations("d1", &prediction()).remove(0);
        let mut judged = Vec::new();
        for i in 0..10 {
            let mut r = base.clone();
            r.evidence = [i, i + 1];
            (r.relation, r.arguments, r.types) = (Some(i < 8), Some(true), Some(true));
            judged.push(r);
        }
        let mut open = base.clone();
        open.predicate = "https://w3id.org/textkg/id/rel/earn".into();
        (open.relation, open.arguments, open.types) = (Some(true), Some(true), Some(false));
        judged.push(open);
        let rows = calibration(&judged);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].group.as_str(), rows[0].judged, rows[0].right),
            ("worksFor", 10, 8)
        );
        assert!((rows[0].confidence() - 0.75).abs() < 1e-9);
        assert_eq!((rows[1].group.as_str(), rows[1].judged, rows[1].right), ("*", 1, 0));
        let tsv = calibration_tsv(&rows, "f");
        assert!(tsv.contains("nominal-pattern\tworksFor\t10\t8\t0.750"), "{tsv}");
        assert_eq!(predicate_group("https://w3id.org/textkg/ns#worksFor"), "worksFor");
        assert_eq!(predicate_group("https://w3id.org/textkg/id/rel/earn"), "open");
    }

    #[test]
    fn only_asserted_entity_relations_are_candidates() {
        let c = asserted_relations("d1", &prediction());
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].subject.start, Some(0));
        assert_eq!(c[0].object.label, "Acme");
    }

    #[test]
    fn draw_is_deterministic_and_bounded() {
        let c: Vec<JudgedRelation> = (0..50)
            .map(|i| {
                let mut r = asserted_relations("d1", &prediction()).remove(0);
                r.evidence = [i, i + 1];
                r
            })
            .collect();
        let a = draw(&c, 10, 7);
        assert_eq!(a.len(), 10);
        assert_eq!(a, draw(&c, 10, 7));
        assert_ne!(a, draw(&c, 10, 8));
        assert_eq!(draw(&c, 99, 1).len(), 50);
    }

    #[test]
    fn rescoring_matches_on_identity_and_counts_losses() {
        let current = asserted_relations("d1", &prediction());
        let mut right = current[0].clone();
        (right.relation, right.arguments, right.types) = (Some(true), Some(true), Some(true));
        let mut gone = right.clone();
        gone.predicate = "https://w3id.org/textkg/ns#livesIn".into();
        gone.types = Some(false);
        let report = rescore(&[right, gone], &current, 0.7);
        assert_eq!(report.still_produced["all"].judged, 1);
        assert_eq!(report.still_produced["all"].all_right, 1);
        assert_eq!(report.confident.judged, 1);
        assert_eq!(report.no_longer_produced, 1);
        assert_eq!(report.dropped.types, 0);
        assert_eq!(report.unjudged, 0);
        let line = serde_json::to_string(&current[0]).unwrap();
        assert_eq!(read_judged(&line).unwrap(), current);
        assert!(read_judged("{").is_err());
    }
}

//! Scores the JSON contract (`extract --format json`) against GUM-format gold
//! entity annotation (`textkg eval entities`): typed and untyped named
//! mentions, coreference pairs and linking.
//!
//! This is a re-implementation of the reference scorer
//! `../shared/tools/gum_entities_score.py`, metric for metric and step for
//! step, so that the two agree (a CLI test compares them when the shared
//! folder is present). It reads the prediction as JSON values, exactly as
//! the reference reads `extract --format json` lines, so it scores what users
//! get and nothing else.
//!
//! Definitions (the reference scorer's):
//! - gold *named* mentions are gold mentions whose syntactic head is a PROPN
//!   (heads come from the document's CoNLL-U); typed rows use gold types
//!   person/place/organization, untyped rows every type but time and quantity;
//! - a predicted mention is correct when it lies inside a gold named mention
//!   (of its type, for typed rows) and covers that mention's head token; each
//!   gold mention is matched once; predictions that lie only inside non-named
//!   gold mentions are not counted;
//! - coreference pairs: the matched named mentions plus the gold person
//!   pronouns (he/she/him/her/his/hers/himself/herself) of matched entities,
//!   pairwise "same predicted entity" against "same gold entity";
//! - linking: the share of matched gold mentions with a Wikipedia identity
//!   whose predicted entity carries a Wikidata or Wikipedia link.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

/// Predicted types that count as the gold types person/place/organization.
fn coarse_type(t: &str) -> Option<&'static str> {
    match t {
        "Person" => Some("person"),
        "Organization" => Some("organization"),
        "Place" | "Country" | "City" | "AdministrativeArea" => Some("place"),
        _ => None,
    }
}
const GOLD_TYPES: &[&str] = &["person", "place", "organization"];
const NOT_NAMED_ETYPES: &[&str] = &["time", "quantity"];
const NOT_NAMES: &[&str] = &["Date", "Quantity"];
const PRONOUNS: &[&str] = &["he", "she", "him", "her", "his", "hers", "himself", "herself"];

/// An error reading the gold or the prediction.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A gold line is not a GUM entity document.
    #[error("gold line {line}: {message}")]
    Gold {
        /// 1-based line number in the gold file.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A CoNLL-U word was not found in the document text.
    #[error("{doc_id}: CoNLL-U line {line}: word {form:?} not found in the text after offset {offset}")]
    Alignment {
        /// The document.
        doc_id: String,
        /// 1-based CoNLL-U line.
        line: usize,
        /// The word.
        form: String,
        /// Code-point offset searched from.
        offset: usize,
    },
    /// A CoNLL-U line has an id or head that is not a number.
    #[error("{doc_id}: CoNLL-U line {line}: malformed id or head")]
    Conllu {
        /// The document.
        doc_id: String,
        /// 1-based CoNLL-U line.
        line: usize,
    },
}

/// One gold document (a line of `gum_*.entities.jsonl`).
#[derive(Debug, Clone, Deserialize)]
pub struct GoldDocument {
    /// GUM document id (`GUM_bio_byron`); its second part is the genre.
    pub doc_id: String,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Date `YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<String>,
    /// The text.
    pub text: String,
    /// Every mention (names, nominals, pronouns).
    pub mentions: Vec<GoldMention>,
}

impl GoldDocument {
    /// The genre (`bio`, `news`, …): the second part of the id.
    pub fn genre(&self) -> &str {
        self.doc_id.split('_').nth(1).unwrap_or("")
    }
}

/// One gold mention (code-point offsets).
#[derive(Debug, Clone, Deserialize)]
pub struct GoldMention {
    /// Start (code points).
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
    /// Covered text.
    pub text: String,
    /// Entity type (person, place, organization, event, time, …).
    pub etype: String,
    /// Coreference chain id.
    pub eid: String,
    /// Wikipedia identity, when linked.
    #[serde(default)]
    pub identity: Option<String>,
}

/// Reads a gold JSONL file.
pub fn read_gold(text: &str) -> Result<Vec<GoldDocument>, EvalError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| EvalError::Gold {
                line: i + 1,
                message: e.to_string(),
            })
        })
        .collect()
}

/// A CoNLL-U word aligned to the text: code-point span, UPOS, sentence
/// number, word id and head id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token<'a> {
    start: usize,
    end: usize,
    upos: &'a str,
    sentence: usize,
    id: usize,
    head: usize,
}

/// Aligns the CoNLL-U words with the text, as the reference scorer does:
/// each word (or multiword token) is searched for from the end of the
/// previous one. Like the reference, the spans of a multiword token's words
/// stay known by word id until the next multiword token, also in later
/// sentences; this is kept so that both score the same.
fn conllu_tokens<'a>(doc_id: &str, conllu: &'a str, text: &str) -> Result<Vec<Token<'a>>, EvalError> {
    let chars = crate::document::CharOffsets::new(text);
    let mut out = Vec::new();
    let (mut pos, mut sentence) = (0usize, 0usize);
    let mut mwt: HashMap<usize, (usize, usize)> = HashMap::new();
    for (n, line) in conllu.lines().enumerate() {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() != 10 {
            if line.trim().is_empty() {
                sentence += 1;
            }
            continue;
        }
        if c[0].contains('.') {
            continue;
        }
        let bad = || EvalError::Conllu {
            doc_id: doc_id.to_string(),
            line: n + 1,
        };
        let find = |form: &str, pos: &mut usize| -> Result<(usize, usize), EvalError> {
            let found = text
                .get(*pos..)
                .and_then(|rest| rest.find(form))
                .ok_or_else(|| EvalError::Alignment {
                    doc_id: doc_id.to_string(),
                    line: n + 1,
                    form: form.to_string(),
                    offset: chars.char_offset(*pos),
                })?;
            let start = *pos + found;
            *pos = start + form.len();
            Ok((chars.char_offset(start), chars.char_offset(*pos)))
        };
        if let Some((a, b)) = c[0].split_once('-') {
            let (a, b): (usize, usize) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
            let span = find(c[1], &mut pos)?;
            mwt = (a..=b).map(|i| (i, span)).collect();
            continue;
        }
        let id: usize = c[0].parse().map_err(|_| bad())?;
        let head: usize = c[6].parse().map_err(|_| bad())?;
        let (start, end) = match mwt.get(&id) {
            Some(&span) => span,
            None => find(c[1], &mut pos)?,
        };
        out.push(Token {
            start,
            end,
            upos: c[3],
            sentence,
            id,
            head,
        });
    }
    Ok(out)
}

/// The head token of a gold mention: the first word inside it whose head is
/// outside it. `(start, end, upos)`; the whole mention and `X` if none.
fn mention_head(start: usize, end: usize, tokens: &[Token<'_>]) -> (usize, usize, String) {
    let inside: Vec<&Token> = tokens.iter().filter(|t| t.start >= start && t.end <= end).collect();
    let ids: HashSet<(usize, usize)> = inside.iter().map(|t| (t.sentence, t.id)).collect();
    inside
        .iter()
        .find(|t| !ids.contains(&(t.sentence, t.head)))
        .map_or((start, end, "X".to_string()), |t| (t.start, t.end, t.upos.to_string()))
}

/// A predicted mention: span, coarse type, its entity's IRI (two entity
/// objects with one IRI are one entity, as in the RDF) and index.
#[derive(Debug, Clone)]
struct Predicted {
    start: usize,
    end: usize,
    coarse: Option<&'static str>,
    id: String,
    entity: usize,
}

/// Gold mention key: (start, end, etype).
type Key = (usize, usize, String);

/// Gold keys with a value, in order of first appearance in the gold (the
/// reference iterates its dicts in insertion order, which decides ties).
struct Ordered<T> {
    keys: Vec<Key>,
    values: HashMap<Key, T>,
}

impl<T: Copy + Default> Ordered<T> {
    fn keys(&self) -> impl Iterator<Item = &Key> {
        self.keys.iter()
    }
    fn get(&self, k: &Key) -> T {
        self.values.get(k).copied().unwrap_or_default()
    }
    fn count(&self, f: impl Fn(T) -> bool) -> usize {
        self.values.values().filter(|v| f(**v)).count()
    }
}

/// Precision, recall and F1 counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// True positives.
    pub tp: usize,
    /// Predictions counted.
    pub pred: usize,
    /// Gold items.
    pub gold: usize,
}

impl Counts {
    /// Precision in 0..1.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.pred)
    }
    /// Recall in 0..1.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.gold)
    }
    /// F1 in 0..1.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 }
    }
    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.pred += o.pred;
        self.gold += o.gold;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Scores of a set of documents.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Scores {
    /// Documents scored.
    pub docs: usize,
    /// Named mentions typed person/place/organization.
    pub named_typed: Counts,
    /// Named mentions of any type.
    pub named_untyped: Counts,
    /// Coreference pairs.
    pub coref_pairs: Counts,
    /// Matched gold named mentions with a Wikipedia identity.
    pub with_identity: usize,
    /// Of those, whose predicted entity carries a link.
    pub linked: usize,
    /// Of those, whose predicted entity's label equals the identity's title.
    pub label_equals_title: usize,
}

impl Scores {
    fn add(&mut self, o: &Scores) {
        self.docs += o.docs;
        self.named_typed.add(o.named_typed);
        self.named_untyped.add(o.named_untyped);
        self.coref_pairs.add(o.coref_pairs);
        self.with_identity += o.with_identity;
        self.linked += o.linked;
        self.label_equals_title += o.label_equals_title;
    }

    /// Share of matched gold mentions with an identity whose entity is linked.
    pub fn linked_share(&self) -> f64 {
        ratio(self.linked, self.with_identity)
    }

    /// Share of matched gold mentions with an identity whose entity label is the title.
    pub fn label_share(&self) -> f64 {
        ratio(self.label_equals_title, self.with_identity)
    }
}

/// Whether an entity's JSON (without its mentions) carries a Wikidata or Wikipedia link.
fn is_linked(entity: &Value) -> bool {
    let mut e = entity.clone();
    if let Some(o) = e.as_object_mut() {
        o.remove("mentions");
    }
    let s = e.to_string();
    s.contains("wikidata.org") || s.contains("wikipedia.org") || s.contains("\"wikidata\"") || s.contains("\"qid\"")
}

fn predicted_mentions(prediction: &Value) -> Vec<Predicted> {
    let mut out = Vec::new();
    let entities = prediction["entities"].as_array().map(Vec::as_slice).unwrap_or_default();
    for (k, e) in entities.iter().enumerate() {
        let t = e["type"].as_str().unwrap_or("");
        if NOT_NAMES.contains(&t) {
            continue;
        }
        for m in e["mentions"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let (Some(start), Some(end)) = (m["start"].as_u64(), m["end"].as_u64()) else {
                continue;
            };
            out.push(Predicted {
                start: start as usize,
                end: end as usize,
                coarse: coarse_type(t),
                id: e["id"].as_str().map_or_else(|| format!("#{k}"), str::to_string),
                entity: k,
            });
        }
    }
    out
}

/// Greedy head-lenient matching (the reference's `match`): returns true
/// positives, counted predictions and the gold mention each prediction matched.
fn match_mentions<'p>(
    named: &Ordered<bool>,
    heads: &HashMap<Key, (usize, usize, String)>,
    predicted: &'p [Predicted],
    typed: bool,
) -> (usize, usize, BTreeMap<Key, &'p Predicted>) {
    let mut sorted: Vec<&Predicted> = predicted.iter().collect();
    sorted.sort_by_key(|p| (p.start, p.end));
    let (mut used, mut tp, mut counted, mut pairs) = (HashSet::new(), 0, 0, BTreeMap::new());
    for p in sorted {
        if typed && p.coarse.is_none() {
            continue;
        }
        let mut fits: Vec<&Key> = named
            .keys()
            .filter(|g| {
                let h = &heads[*g];
                (!typed || Some(g.2.as_str()) == p.coarse)
                    && g.0 <= p.start
                    && p.end <= g.1
                    && p.start <= h.0
                    && h.1 <= p.end
            })
            .collect();
        // Stable sort by length, as Python's sorted().
        fits.sort_by_key(|g| g.1 - g.0);
        let hit = fits.iter().find(|g| named.get(g) && !used.contains(**g)).copied();
        if let Some(g) = hit {
            used.insert(g.clone());
            tp += 1;
            pairs.insert(g.clone(), p);
        }
        if hit.is_some() || fits.is_empty() || fits.iter().any(|g| named.get(g)) {
            counted += 1;
        }
    }
    (tp, counted, pairs)
}

/// Scores one document's prediction (one `extract --format json` line as a
/// JSON value) against its gold annotation and CoNLL-U.
pub fn score_document(gold: &GoldDocument, conllu: &str, prediction: &Value) -> Result<Scores, EvalError> {
    let tokens = conllu_tokens(&gold.doc_id, conllu, &gold.text)?;
    // Gold mentions keyed by (start, end, etype); the first of duplicates wins.
    let mut all: HashMap<Key, &GoldMention> = HashMap::new();
    let mut order: Vec<Key> = Vec::new();
    for m in &gold.mentions {
        let key = (m.start, m.end, m.etype.clone());
        if !NOT_NAMED_ETYPES.contains(&m.etype.as_str()) && !all.contains_key(&key) {
            all.insert(key.clone(), m);
            order.push(key);
        }
    }
    let heads: HashMap<Key, (usize, usize, String)> = order
        .iter()
        .map(|k| (k.clone(), mention_head(all[k].start, all[k].end, &tokens)))
        .collect();
    let named_all = Ordered {
        values: order.iter().map(|k| (k.clone(), heads[k].2 == "PROPN")).collect(),
        keys: order.clone(),
    };
    let typed_keys: Vec<&Key> = order.iter().filter(|k| GOLD_TYPES.contains(&k.2.as_str())).collect();
    let named = Ordered {
        values: typed_keys.iter().map(|k| ((*k).clone(), named_all.get(k))).collect(),
        keys: typed_keys.iter().map(|k| (*k).clone()).collect(),
    };
    let predicted = predicted_mentions(prediction);
    let (tp_t, n_t, _) = match_mentions(&named, &heads, &predicted, true);
    let (tp_u, n_u, pairs) = match_mentions(&named_all, &heads, &predicted, false);

    // Coreference items: (gold entity, predicted entity or an unresolved singleton).
    #[derive(PartialEq)]
    enum Pred<'p> {
        Entity(&'p str),
        Unresolved(usize, usize),
    }
    let mut items: Vec<(&str, Pred)> = pairs
        .iter()
        .map(|(k, p)| (all[k].eid.as_str(), Pred::Entity(p.id.as_str())))
        .collect();
    let mut by_span: HashMap<(usize, usize), &Predicted> = HashMap::new();
    for p in &predicted {
        by_span.insert((p.start, p.end), p);
    }
    let named_eids: HashSet<&str> = pairs.keys().map(|k| all[k].eid.as_str()).collect();
    for k in &typed_keys {
        let m = all[*k];
        if m.etype == "person"
            && PRONOUNS.contains(&m.text.to_lowercase().as_str())
            && named_eids.contains(m.eid.as_str())
        {
            let p = by_span
                .get(&(k.0, k.1))
                .map_or(Pred::Unresolved(k.0, k.1), |p| Pred::Entity(p.id.as_str()));
            items.push((m.eid.as_str(), p));
        }
    }
    let (mut same_g, mut same_p, mut both) = (0, 0, 0);
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            let g = items[i].0 == items[j].0;
            let p = items[i].1 == items[j].1;
            same_g += usize::from(g);
            same_p += usize::from(p);
            both += usize::from(g && p);
        }
    }
    let entities = prediction["entities"].as_array().map(Vec::as_slice).unwrap_or_default();
    let (mut with_identity, mut linked, mut label_ok) = (0, 0, 0);
    for (k, p) in &pairs {
        let Some(identity) = all[k].identity.as_deref().filter(|i| !i.is_empty()) else {
            continue;
        };
        with_identity += 1;
        let Some(e) = entities.get(p.entity) else { continue };
        linked += usize::from(is_linked(e));
        let label = e["label"].as_str().unwrap_or("").replace(' ', "_").to_lowercase();
        label_ok += usize::from(label == identity.to_lowercase());
    }
    Ok(Scores {
        docs: 1,
        named_typed: Counts {
            tp: tp_t,
            pred: n_t,
            gold: named.count(|n| n),
        },
        named_untyped: Counts {
            tp: tp_u,
            pred: n_u,
            gold: named_all.count(|n| n),
        },
        coref_pairs: Counts {
            tp: both,
            pred: same_p,
            gold: same_g,
        },
        with_identity,
        linked,
        label_equals_title: label_ok,
    })
}

/// Scores over all documents (`"all"`) and per genre.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Key `all` and one key per genre.
    pub by_key: BTreeMap<String, Scores>,
}

impl Report {
    /// Adds a document's scores under `all` and its genre.
    pub fn add(&mut self, genre: &str, scores: &Scores) {
        self.by_key.entry("all".to_string()).or_default().add(scores);
        self.by_key.entry(genre.to_string()).or_default().add(scores);
    }

    /// The scores over all documents.
    pub fn all(&self) -> Scores {
        self.by_key.get("all").cloned().unwrap_or_default()
    }
}

/// Pronoun-ranking training examples from one gold document: the text runs
/// through the pipeline up to entity resolution, and at each third-person
/// singular pronoun that has candidates and is a gold mention, the candidates'
/// features and the right ones are recorded: those whose latest mention lies
/// in the pronoun's gold chain (the smallest gold mention around it), else
/// "no antecedent". The gold answer is then taken (teacher forcing), so later
/// pronouns see right salience counts.
pub fn pronoun_examples(gold: &GoldDocument) -> Vec<crate::extract::antecedents::Example> {
    use crate::extract::{antecedents, entities, mentions};
    let lex = crate::lexicon::Lexicon::embedded();
    let doc = crate::ner::stage::analyze_for_extraction(gold.text.clone());
    let mut names = mentions::find_names(&doc, lex);
    mentions::apply_ner(&doc, &mut names, lex);
    mentions::decide_types(&doc, &mut names, lex);
    // Gold offsets are code points; ours are bytes.
    let bytes: Vec<usize> = gold
        .text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(gold.text.len()))
        .collect();
    let spans: Vec<(usize, usize, &str)> = gold
        .mentions
        .iter()
        .filter(|m| m.etype != "time" && m.etype != "quantity")
        .filter_map(|m| Some((*bytes.get(m.start)?, *bytes.get(m.end)?, m.eid.as_str())))
        .collect();
    let chain_of = |(s, e): (usize, usize)| {
        spans
            .iter()
            .filter(|g| g.0 <= s && e <= g.1)
            .min_by_key(|g| g.1 - g.0)
            .map(|g| g.2)
    };
    let mut examples = Vec::new();
    entities::resolve_with(&doc, names, lex, &mut |doc, site, candidates| {
        let at = doc.tokens.get(site.token)?;
        // Pronouns outside the gold mentions (generic "he") teach nothing.
        let truth = spans.iter().find(|g| g.0 == at.start && g.1 == at.end)?.2;
        let right: Vec<usize> = (0..candidates.len())
            .filter(|&i| chain_of(candidates[i].last_span) == Some(truth))
            .collect();
        examples.push(antecedents::Example {
            features: antecedents::all_features(doc, site, candidates),
            candidates: candidates.to_vec(),
            // No candidate of its chain: the right answer is "no antecedent".
            right: if right.is_empty() {
                vec![candidates.len()]
            } else {
                right.clone()
            },
        });
        right.first().copied()
    });
    examples
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(tp: usize, pred: usize, gold: usize) -> Counts {
        Counts { tp, pred, gold }
    }

    /// A tiny gold document of our own: "Ann Lee met Bo Park. She smiled."
    fn gold() -> (GoldDocument, String) {
        let text = "Ann Lee met Bo Park. She smiled.".to_string();
        let m = |start, end, text: &str, etype: &str, eid: &str, identity: Option<&str>| GoldMention {
            start,
            end,
            text: text.to_string(),
            etype: etype.to_string(),
            eid: eid.to_string(),
            identity: identity.map(str::to_string),
        };
        let doc = GoldDocument {
            doc_id: "GUM_news_test".to_string(),
            title: None,
            date: None,
            text: text.clone(),
            mentions: vec![
                m(0, 7, "Ann Lee", "person", "1", Some("Ann_Lee")),
                m(12, 19, "Bo Park", "organization", "2", None),
                m(21, 24, "She", "person", "1", None),
            ],
        };
        let conllu = "# text = Ann Lee met Bo Park.\n\
            1\tAnn\tAnn\tPROPN\tNNP\t_\t3\tnsubj\t_\t_\n\
            2\tLee\tLee\tPROPN\tNNP\t_\t1\tflat\t_\t_\n\
            3\tmet\tmeet\tVERB\tVBD\t_\t0\troot\t_\t_\n\
            4\tBo\tBo\tPROPN\tNNP\t_\t3\tobj\t_\t_\n\
            5\tPark\tPark\tPROPN\tNNP\t_\t4\tflat\t_\t_\n\
            6\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n\n\
            1\tShe\tshe\tPRON\tPRP\t_\t2\tnsubj\t_\t_\n\
            2\tsmiled\tsmile\tVERB\tVBD\t_\t0\troot\t_\t_\n\
            3\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_\n\n";
        (doc, conllu.to_string())
    }

    #[test]
    fn perfect_prediction_scores_one_and_a_wrong_type_only_costs_typed() {
        let (g, c) = gold();
        let pred = serde_json::json!({"entities": [
            {"label": "Ann Lee", "type": "Person", "same_as": ["http://www.wikidata.org/entity/Q1"],
             "mentions": [{"start": 0, "end": 7}, {"start": 21, "end": 24}]},
            {"label": "Bo Park", "type": "Organization", "mentions": [{"start": 12, "end": 19}]}
        ]});
        let s = score_document(&g, &c, &pred).expect("scores");
        assert_eq!(s.named_typed, counts(2, 2, 2));
        assert_eq!(s.named_untyped, counts(2, 2, 2));
        // Items: Ann Lee, Bo Park, She: one gold pair (Ann Lee, She), predicted alike.
        assert_eq!(s.coref_pairs, counts(1, 1, 1));
        assert_eq!((s.with_identity, s.linked, s.label_equals_title), (1, 1, 1));

        let pred = serde_json::json!({"entities": [
            {"label": "Ann Lee", "type": "Thing", "mentions": [{"start": 0, "end": 3}]},
            {"label": "Bo Park", "type": "Person", "mentions": [{"start": 12, "end": 19}, {"start": 21, "end": 24}]},
            {"label": "met", "type": "Person", "mentions": [{"start": 8, "end": 11}]}
        ]});
        let s = score_document(&g, &c, &pred).expect("scores");
        // "Ann" covers the head of "Ann Lee" (UD: the first word of a flat
        // name; an untyped hit); "Bo Park" has the
        // wrong type; "met" lies outside every gold mention (a false positive).
        assert_eq!(s.named_typed, counts(0, 2, 2));
        assert_eq!(s.named_untyped, counts(2, 3, 2));
        // "She" went to Bo Park: the predicted pair (Bo Park, She) is wrong, the gold pair missed.
        assert_eq!(s.coref_pairs, counts(0, 1, 1));
        assert_eq!(s.linked, 0);
    }

    #[test]
    fn a_word_missing_from_the_text_is_an_error_naming_the_line() {
        let (g, c) = gold();
        let c = c.replace("\tsmiled\t", "\tfrowned\t");
        let e = score_document(&g, &c, &serde_json::json!({})).expect_err("misaligned");
        assert!(e.to_string().contains("line 10"), "{e}");
    }
}

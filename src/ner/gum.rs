//! GUM entity annotation → name spans for NER training and evaluation.
//!
//! GUM (Zeldes 2017) marks every mention (names, nominals, pronouns) as a full
//! noun phrase with an entity type in the CoNLL-U MISC column
//! (`Entity=(3-person-new-…` … `3)`). A *named* mention is one whose
//! syntactic head is `PROPN`. Its name span is the run of `PROPN` tokens
//! around the head inside the mention, joined across connectors that sit
//! between two `PROPN` tokens ("University of Copenhagen", "Bank of the
//! West", "Bailey-Ross"); leading determiners and common nouns fall outside
//! the run, and for persons leading titles are stripped ("President Donald
//! Trump" → "Donald Trump"). person → PER, place → LOC, organization → ORG;
//! the other named types (event, object, abstract, animal, plant, substance)
//! → MISC or O ([`OtherTypes`]); time and quantity → O. Nested names give way
//! to the longer name around them ("the University of Copenhagen" is one ORG,
//! not an ORG with a LOC inside).

use crate::ner::conll::{Corpus, Document, EntityLabel, Format, Scheme, Sentence, Span};
use crate::nlp::conllu;

/// What named mentions of types other than person/place/organization become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OtherTypes {
    /// MISC spans (events, works, products, languages, …).
    #[default]
    Misc,
    /// Not entities (`O`).
    O,
}

/// Error converting GUM files.
#[derive(Debug, thiserror::Error)]
pub enum GumError {
    /// A line of the entities JSONL file is not a JSON object with a `doc_id` string.
    #[error("entities file line {line}: {message}")]
    Jsonl {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The `doc_id`s of a GUM entities JSONL file (`gum_{train,dev}.entities.jsonl`), in order.
pub fn document_ids(jsonl: &str) -> Result<Vec<String>, GumError> {
    let mut ids = Vec::new();
    for (no, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| GumError::Jsonl {
            line: no + 1,
            message: e.to_string(),
        })?;
        let id = v
            .get("doc_id")
            .and_then(|d| d.as_str())
            .ok_or_else(|| GumError::Jsonl {
                line: no + 1,
                message: "no doc_id string".into(),
            })?;
        ids.push(id.to_string());
    }
    Ok(ids)
}

/// One GUM mention: tokens `start..end` of a sentence and its entity type.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mention {
    start: usize,
    end: usize,
    etype: String,
}

/// The mentions of one sentence from the `Entity=` items of its MISC column.
/// Malformed brackets are skipped (never an error: the annotation is data).
fn sentence_mentions(words: &[conllu::Word]) -> Vec<Mention> {
    let mut open: Vec<(String, String, usize)> = Vec::new();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let Some(ent) = w.misc.split('|').find_map(|m| m.strip_prefix("Entity=")) else {
            continue;
        };
        let mut rest = ent;
        while let Some(c) = rest.chars().next() {
            if c == '(' {
                let stop = rest[1..].find(['(', ')']).map_or(rest.len(), |j| j + 1);
                let body = &rest[1..stop];
                let mut parts = body.splitn(3, '-');
                let id = parts.next().unwrap_or_default().to_string();
                let etype = parts.next().unwrap_or_default().to_string();
                if rest[stop..].starts_with(')') {
                    out.push(Mention {
                        start: i,
                        end: i + 1,
                        etype,
                    });
                    rest = &rest[stop + 1..];
                } else {
                    open.push((id, etype, i));
                    rest = &rest[stop..];
                }
            } else if c == ')' {
                rest = &rest[1..];
            } else {
                let stop = rest.find(['(', ')']).unwrap_or(rest.len());
                let id = &rest[..stop];
                if rest[stop..].starts_with(')') {
                    if let Some(k) = open.iter().rposition(|(o, _, _)| o == id) {
                        let (_, etype, start) = open.remove(k);
                        out.push(Mention {
                            start,
                            end: i + 1,
                            etype,
                        });
                    }
                    rest = &rest[stop + 1..];
                } else {
                    rest = &rest[stop..];
                }
            }
        }
    }
    out
}

/// Words that may join two proper-noun tokens inside a name (of a person:
/// only name particles and hyphens, so that "Minister of Education Ada
/// Quill" does not become one name).
fn is_connector(form: &str, person: bool) -> bool {
    match form {
        "-" | "de" | "du" | "da" | "del" | "van" | "von" | "der" | "la" | "le" | "al" | "bin" | "ibn" => true,
        "of" | "the" | "&" | "y" => !person,
        _ => false,
    }
}

/// A proper-noun token: UPOS `PROPN`, or XPOS `NNP`/`NNPS` (GUM tags the
/// adjectives and verbs of names so: "New" York, "United" States, "Democratic" Party).
fn is_proper(w: &conllu::Word) -> bool {
    w.upos == "PROPN" || w.xpos.starts_with("NNP")
}

/// Entity label of a GUM type.
fn label_of(etype: &str, other: OtherTypes) -> Option<EntityLabel> {
    match etype {
        "person" => Some(EntityLabel::Per),
        "place" => Some(EntityLabel::Loc),
        "organization" => Some(EntityLabel::Org),
        "time" | "quantity" => None,
        _ => match other {
            OtherTypes::Misc => Some(EntityLabel::Misc),
            OtherTypes::O => None,
        },
    }
}

/// The syntactic head of tokens `start..end`: the first non-punctuation
/// token whose head lies outside the range.
fn head_of(words: &[conllu::Word], start: usize, end: usize) -> Option<usize> {
    (start..end).find(|&i| {
        let w = &words[i];
        w.upos != "PUNCT" && w.head.is_none_or(|h| h == 0 || h - 1 < start || h > end)
    })
}

/// The name span of a named mention (`None` unless its head is a proper noun).
fn name_span(words: &[conllu::Word], m: &Mention, is_title: &dyn Fn(&str) -> bool) -> Option<(usize, usize)> {
    let propn = |i: usize| is_proper(&words[i]);
    let person = m.etype == "person";
    let h = head_of(words, m.start, m.end)?;
    if !propn(h) {
        return None;
    }
    let (mut a, mut b) = (h, h + 1);
    // Extend left over PROPN, or connectors with a PROPN before them.
    loop {
        let mut k = a;
        while k > m.start && is_connector(&words[k - 1].form, person) {
            k -= 1;
        }
        if k > m.start && propn(k - 1) {
            a = k - 1;
        } else {
            break;
        }
    }
    loop {
        let mut k = b;
        while k < m.end && is_connector(&words[k].form, person) {
            k += 1;
        }
        if k < m.end && propn(k) {
            b = k + 1;
        } else {
            break;
        }
    }
    if person {
        let title = |i: usize| is_title(words[i].form.trim_end_matches('.'));
        while a < h && title(a) {
            a += 1;
        }
        // "the President", "Senator": a title alone is no name.
        if (a..b).all(title) {
            return None;
        }
    }
    // A name has a capital letter somewhere ("it" tagged NNP is not one).
    words[a..b]
        .iter()
        .any(|w| w.form.chars().any(char::is_uppercase))
        .then_some((a, b))
}

/// Name spans of one CoNLL-U sentence with GUM `Entity=` annotation.
/// `is_title` tells leading words to strip from person names ("President",
/// "Dr"); it sees the form without a trailing period.
pub fn sentence_spans(words: &[conllu::Word], other: OtherTypes, is_title: &dyn Fn(&str) -> bool) -> Vec<Span> {
    // (start, end, label); a named mention of an excluded type still claims
    // its tokens, so no shorter name inside it is tagged.
    let mut cands: Vec<(usize, usize, Option<EntityLabel>)> = sentence_mentions(words)
        .iter()
        .filter(|m| m.start < m.end && m.end <= words.len())
        .filter_map(|m| {
            let (start, end) = name_span(words, m, is_title)?;
            Some((start, end, label_of(&m.etype, other)))
        })
        .collect();
    // Longest first, then text order; keep those not overlapping a kept one.
    cands.sort_by_key(|&(start, end, label)| (std::cmp::Reverse(end - start), start, label));
    cands.dedup();
    let mut kept: Vec<(usize, usize, Option<EntityLabel>)> = Vec::new();
    for c in cands {
        if kept.iter().all(|k| c.1 <= k.0 || k.1 <= c.0) {
            kept.push(c);
        }
    }
    let mut spans: Vec<Span> = kept
        .into_iter()
        .filter_map(|(start, end, label)| {
            Some(Span {
                start,
                end,
                label: label?,
            })
        })
        .collect();
    spans.sort();
    spans
}

/// Converts GUM CoNLL-U documents (one string per document, in order) to an
/// IOB2 corpus (`# newdoc id` and `# sent_id` comments, then `ID<TAB>FORM<TAB>TAG`).
pub fn convert(
    documents: &[(String, String)],
    other: OtherTypes,
    is_title: &dyn Fn(&str) -> bool,
) -> Result<Corpus, conllu::ConlluError> {
    let mut docs = Vec::new();
    for (id, text) in documents {
        let sentences = conllu::parse(text)?;
        let mut doc = Document::default();
        for (k, s) in sentences.iter().enumerate() {
            let mut before = Vec::new();
            if k == 0 {
                before.push(format!("# newdoc id = {id}"));
            }
            if let Some(c) = s.comments.iter().find(|c| c.starts_with("# sent_id")) {
                before.push(c.clone());
            }
            doc.sentences.push(Sentence {
                words: s.words.iter().map(|w| w.form.clone()).collect(),
                spans: sentence_spans(&s.words, other, is_title),
                lines: s
                    .words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| format!("{}\t{}\tO", i + 1, w.form))
                    .collect(),
                before,
            });
        }
        docs.push(doc);
    }
    Ok(Corpus {
        format: Format::Iob2,
        documents: docs,
        trailer: Vec::new(),
    })
}

/// The corpus as IOB2 text (its gold spans as tags).
pub fn to_iob2(corpus: &Corpus) -> String {
    let spans: Vec<Vec<Span>> = corpus.sentences().map(|s| s.spans.clone()).collect();
    crate::ner::conll::write(corpus, &spans, Scheme::Iob2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CoNLL-U sentence from (form, upos, head, misc) rows (made-up text).
    fn sentence(rows: &[(&str, &str, usize, &str)]) -> String {
        let mut s = String::from("# sent_id = t-1\n");
        for (i, (form, pos, head, misc)) in rows.iter().enumerate() {
            let rel = if *head == 0 { "root" } else { "dep" };
            let (upos, xpos) = pos.split_once('/').unwrap_or((pos, "_"));
            s.push_str(&format!(
                "{}\t{form}\t_\t{upos}\t{xpos}\t_\t{head}\t{rel}\t_\t{misc}\n",
                i + 1
            ));
        }
        s.push('\n');
        s
    }

    fn text() -> String {
        sentence(&[
            ("The", "DET", 2, "Entity=(1-organization-new-x-x-x-x"),
            ("University", "PROPN", 5, "_"),
            ("of", "ADP", 4, "_"),
            ("Elbonia", "PROPN", 2, "Entity=(2-place-new-x-x-x-x)1)"),
            ("hired", "VERB", 0, "_"),
            ("President", "PROPN", 8, "Entity=(3-person-new-x-x-x-x"),
            ("Ada", "PROPN", 8, "_"),
            ("Quill", "PROPN", 5, "Entity=3)"),
            ("in", "ADP", 10, "_"),
            ("May", "PROPN", 5, "Entity=(4-time-new-x-x-x-x)"),
            ("for", "ADP", 14, "_"),
            ("the", "DET", 14, "Entity=(5-event-new-x-x-x-x"),
            ("Quill", "PROPN", 14, "Entity=(3-person-giv-x-x-x-x)"),
            ("Prize", "PROPN", 5, "Entity=5)"),
            ("and", "CCONJ", 17, "_"),
            ("a", "DET", 17, "Entity=(6-person-new-x-x-x-x"),
            ("professor", "NOUN", 5, "Entity=6)"),
            (".", "PUNCT", 5, "_"),
        ]) + &sentence(&[
            ("the", "DET", 2, "Entity=(3-person-giv-x-x-x-x"),
            ("President", "PROPN", 3, "Entity=3)"),
            ("visited", "VERB", 0, "_"),
            ("New", "ADJ/NNP", 5, "Entity=(7-place-new-x-x-x-x"),
            ("Elbonia", "PROPN", 3, "Entity=7)"),
        ])
    }

    fn spans(other: OtherTypes) -> Vec<(usize, usize, &'static str)> {
        let is_title = |w: &str| w == "President";
        let corpus = convert(&[("doc".into(), text())], other, &is_title).unwrap();
        corpus
            .sentences()
            .flat_map(|s| s.spans.iter().map(|s| (s.start, s.end, s.label.as_str())))
            .collect()
    }

    #[test]
    fn named_mentions_become_name_spans() {
        // "University of Elbonia" (the nested place gives way), "Ada Quill"
        // without the title, no time, the event as MISC (its nested person
        // gives way), no nominal; then no title alone, and an adjective
        // tagged NNP inside a name.
        assert_eq!(
            spans(OtherTypes::Misc),
            vec![(1, 4, "ORG"), (6, 8, "PER"), (12, 14, "MISC"), (3, 5, "LOC")]
        );
        assert_eq!(spans(OtherTypes::O), vec![(1, 4, "ORG"), (6, 8, "PER"), (3, 5, "LOC")]);
    }

    #[test]
    fn iob2_output_reads_back() {
        let is_title = |_: &str| false;
        let corpus = convert(&[("doc".into(), text())], OtherTypes::Misc, &is_title).unwrap();
        let iob2 = to_iob2(&corpus);
        assert!(iob2.starts_with("# newdoc id = doc\n# sent_id = t-1\n1\tThe\tO\n2\tUniversity\tB-ORG\n"));
        let back = crate::ner::conll::read_iob2(&iob2, crate::ner::conll::OtherTags::AsO).unwrap();
        assert_eq!(back.documents.len(), 1);
        let s: Vec<_> = back.sentences().flat_map(|s| s.spans.clone()).collect();
        assert_eq!(s, corpus.sentences().flat_map(|s| s.spans.clone()).collect::<Vec<_>>());
        // Without a title list, "President" stays in the name.
        assert!(s.iter().any(|s| s.start == 5 && s.end == 8));
    }

    #[test]
    fn malformed_brackets_do_not_panic() {
        let is_title = |_: &str| false;
        for misc in [
            "Entity=(",
            "Entity=)",
            "Entity=((",
            "Entity=7)",
            "Entity=(x",
            "Entity=(-)",
        ] {
            let t = sentence(&[("Ada", "PROPN", 0, misc), ("Quill", "PROPN", 1, "Entity=1)")]);
            assert!(convert(&[("d".into(), t)], OtherTypes::Misc, &is_title).is_ok());
        }
    }

    #[test]
    fn document_ids_from_jsonl() {
        assert_eq!(
            document_ids("{\"doc_id\": \"a\", \"text\": \"x\"}\n\n{\"doc_id\": \"b\"}\n").unwrap(),
            vec!["a".to_string(), "b".to_string()]
        );
        assert!(document_ids("{\"id\": 1}\n").is_err());
        assert!(document_ids("not json\n").is_err());
    }
}

//! Scores pronoun resolution against gold coreference (`textkg eval pronouns`).
//!
//! The gold is CoNLL-U with GUM's `Entity=` annotation in MISC (bracketed
//! mentions carrying an entity id: `Entity=(3-person-…`, `Entity=3)`,
//! `Entity=(5-person-…)`), as in the GUM Wikinews articles. The text is rebuilt
//! from the tokens (`SpaceAfter=No` kept, one sentence per line), run through
//! the extractor, and every gold third-person singular pronoun (he, him, his,
//! himself, she, her, hers, herself) whose gold entity is also named somewhere
//! in the document (a mention holding a PROPN token) is checked: it is correct
//! when the extractor attached it to an entity one of whose name mentions
//! overlaps a gold mention of the same gold entity.

use super::{Extractor, MentionKind};
use crate::nlp::conllu::Sentence;

const PRONOUNS: &[&str] = &["he", "him", "his", "himself", "she", "her", "hers", "herself"];

/// Counts over one or more documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PronounScore {
    /// Gold pronouns whose entity is named in the document.
    pub gold: usize,
    /// Of those, pronouns the extractor attached to some entity.
    pub attached: usize,
    /// Of those, attached to the right entity.
    pub correct: usize,
}

impl PronounScore {
    /// Adds another document's counts.
    pub fn add(&mut self, other: PronounScore) {
        self.gold += other.gold;
        self.attached += other.attached;
        self.correct += other.correct;
    }

    /// Correct / gold, in percent.
    pub fn accuracy(&self) -> f64 {
        percent(self.correct, self.gold)
    }

    /// Correct / attached, in percent.
    pub fn precision(&self) -> f64 {
        percent(self.correct, self.attached)
    }
}

fn percent(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { 100.0 * a as f64 / b as f64 }
}

/// A gold mention: entity id and byte span in the rebuilt text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GoldMention {
    entity: String,
    start: usize,
    end: usize,
    /// Some token is a proper noun.
    named: bool,
    /// A single pronoun token.
    pronoun: bool,
}

/// Scores one document (its sentences, in order).
pub fn score_document(sentences: &[Sentence], extractor: &Extractor) -> PronounScore {
    let (text, gold) = rebuild(sentences);
    let doc = crate::ner::stage::analyze_for_extraction(text);
    let x = extractor.extract(&doc, None);
    let named: std::collections::HashSet<&str> = gold.iter().filter(|m| m.named).map(|m| m.entity.as_str()).collect();
    let mut score = PronounScore::default();
    for p in gold.iter().filter(|m| m.pronoun && named.contains(m.entity.as_str())) {
        score.gold += 1;
        let Some(ours) = x
            .mentions
            .iter()
            .find(|m| m.kind == MentionKind::Pronoun && m.span.start == p.start && m.span.end == p.end)
        else {
            continue;
        };
        score.attached += 1;
        let right = x.mentions.iter().any(|m| {
            m.entity == ours.entity
                && m.kind == MentionKind::Name
                && gold
                    .iter()
                    .any(|g| g.entity == p.entity && g.start < m.span.end && m.span.start < g.end)
        });
        if right {
            score.correct += 1;
        }
    }
    score
}

/// The text (one sentence per line) and the gold mentions with byte spans.
fn rebuild(sentences: &[Sentence]) -> (String, Vec<GoldMention>) {
    let mut text = String::new();
    let mut gold = Vec::new();
    // Open mentions: (entity id, start byte, named so far, first token index).
    let mut open: Vec<(String, usize, bool, usize)> = Vec::new();
    let mut token_index = 0;
    for s in sentences {
        for (i, w) in s.words.iter().enumerate() {
            let start = text.len();
            text.push_str(&w.form);
            let end = text.len();
            if w.space_after() && i + 1 < s.words.len() {
                text.push(' ');
            }
            let propn = w.upos == "PROPN";
            for o in &mut open {
                o.2 |= propn;
            }
            let annotation = w.misc.split('|').find_map(|f| f.strip_prefix("Entity=")).unwrap_or("");
            for event in brackets(annotation) {
                match event {
                    Bracket::Open(id) => open.push((id.to_string(), start, propn, token_index)),
                    Bracket::Single(id) => gold.push(GoldMention {
                        entity: id.to_string(),
                        start,
                        end,
                        named: propn,
                        pronoun: PRONOUNS.contains(&w.form.to_lowercase().as_str()),
                    }),
                    Bracket::Close(id) => {
                        if let Some(k) = open.iter().rposition(|o| o.0 == id) {
                            let (entity, b, named, first) = open.remove(k);
                            let single = first == token_index;
                            gold.push(GoldMention {
                                entity,
                                start: b,
                                end,
                                named,
                                pronoun: single && PRONOUNS.contains(&w.form.to_lowercase().as_str()),
                            });
                        }
                    }
                }
            }
            token_index += 1;
        }
        text.push('\n');
    }
    (text, gold)
}

#[derive(Debug, PartialEq, Eq)]
enum Bracket<'a> {
    Open(&'a str),
    Close(&'a str),
    Single(&'a str),
}

/// The bracket events of a GUM `Entity=` value, in order: `(3-person-…`
/// opens entity 3, `3)` closes it, `(5-person-…)` is a one-token mention.
fn brackets(value: &str) -> Vec<Bracket<'_>> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        if let Some(body) = rest.strip_prefix('(') {
            let stop = body.find(['(', ')']).unwrap_or(body.len());
            let id = body[..stop].split('-').next().unwrap_or("");
            if body[stop..].starts_with(')') {
                out.push(Bracket::Single(id));
                rest = &body[stop + 1..];
            } else {
                out.push(Bracket::Open(id));
                rest = &body[stop..];
            }
        } else {
            let stop = rest.find(['(', ')']).unwrap_or(rest.len());
            if rest[stop..].starts_with(')') {
                out.push(Bracket::Close(&rest[..stop]));
                rest = &rest[stop + 1..];
            } else {
                // Malformed: skip to the next bracket.
                rest = &rest[stop..];
            }
        }
    }
    out
}

/// Splits CoNLL-U sentences into documents at `# newdoc` comments.
pub fn documents(sentences: Vec<Sentence>) -> Vec<Vec<Sentence>> {
    let mut docs: Vec<Vec<Sentence>> = Vec::new();
    for s in sentences {
        let new = s.comments.iter().any(|c| c.starts_with("# newdoc"));
        match docs.last_mut() {
            Some(d) if !new => d.push(s),
            _ => docs.push(vec![s]),
        }
    }
    docs
}

/// Entity ids per pronoun, for tests.
#[cfg(test)]
fn gold_pronouns(sentences: &[Sentence]) -> std::collections::HashMap<String, usize> {
    let (_, gold) = rebuild(sentences);
    let mut out = std::collections::HashMap::new();
    for g in gold.iter().filter(|g| g.pronoun) {
        *out.entry(g.entity.clone()).or_default() += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_open_close_and_single() {
        assert_eq!(
            brackets("(1-event-new-cf2-2-sgl(2-abstract-new-cf5-1-coref)"),
            [Bracket::Open("1"), Bracket::Single("2")]
        );
        assert_eq!(brackets("1)2)"), [Bracket::Close("1"), Bracket::Close("2")]);
        assert_eq!(brackets("junk"), []);
    }

    const GOLD: &str = "# newdoc id = t1\n\
        1\tAnna\tAnna\tPROPN\t_\t_\t2\tnsubj\t_\tEntity=(1-person-new-x-1-coref-Anna_Weber\n\
        2\tWeber\tWeber\tPROPN\t_\t_\t3\tflat\t_\tEntity=1)\n\
        3\tmet\tmeet\tVERB\t_\t_\t0\troot\t_\t_\n\
        4\tOlaf\tOlaf\tPROPN\t_\t_\t3\tobj\t_\tEntity=(2-person-new-x-1-coref-Olaf_Lind\n\
        5\tLind\tLind\tPROPN\t_\t_\t4\tflat\t_\tEntity=2)|SpaceAfter=No\n\
        6\t.\t.\tPUNCT\t_\t_\t3\tpunct\t_\t_\n\
        \n\
        1\tMrs\tMrs\tPROPN\t_\t_\t2\tcompound\t_\tEntity=(1-person-giv-x-1-coref\n\
        2\tWeber\tWeber\tPROPN\t_\t_\t3\tnsubj\t_\tEntity=1)\n\
        3\tsaid\tsay\tVERB\t_\t_\t0\troot\t_\t_\n\
        4\tshe\tshe\tPRON\t_\t_\t6\tnsubj\t_\tEntity=(1-person-giv-x-1-coref)\n\
        5\twas\tbe\tAUX\t_\t_\t6\tcop\t_\t_\n\
        6\tpleased\tpleased\tADJ\t_\t_\t3\tccomp\t_\tSpaceAfter=No\n\
        7\t.\t.\tPUNCT\t_\t_\t3\tpunct\t_\t_\n\n";

    #[test]
    fn rebuilds_text_and_spans() {
        let sentences = crate::nlp::conllu::parse(GOLD).expect("parses");
        let (text, gold) = rebuild(&sentences);
        assert_eq!(text, "Anna Weber met Olaf Lind.\nMrs Weber said she was pleased.\n");
        let spans: Vec<&str> = gold.iter().map(|g| &text[g.start..g.end]).collect();
        assert_eq!(spans, ["Anna Weber", "Olaf Lind", "Mrs Weber", "she"]);
        assert_eq!(gold_pronouns(&sentences).get("1"), Some(&1));
    }

    #[test]
    fn scores_a_resolved_pronoun() {
        let sentences = crate::nlp::conllu::parse(GOLD).expect("parses");
        let docs = documents(sentences);
        assert_eq!(docs.len(), 1);
        let score = score_document(&docs[0], &Extractor::default());
        assert_eq!(score.gold, 1);
        assert_eq!(
            score,
            PronounScore {
                gold: 1,
                attached: 1,
                correct: 1
            }
        );
    }
}

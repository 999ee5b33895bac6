//! Accuracy of predicted UPOS / XPOS / LEMMA against gold CoNLL-U.

use crate::nlp::conllu::Sentence;
use crate::nlp::lemma::Lemmatizer;
use crate::nlp::tagger::Tagger;

/// Counts of correct predictions over `words` syntactic words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Accuracy {
    /// Number of words scored.
    pub words: usize,
    /// Words with the right UPOS.
    pub upos: usize,
    /// Words with the right XPOS.
    pub xpos: usize,
    /// Words with both UPOS and XPOS right.
    pub joint: usize,
    /// Words with the right lemma (0 when no lemmatizer was given).
    pub lemma: usize,
}

impl Accuracy {
    fn pct(&self, n: usize) -> f64 {
        100.0 * n as f64 / self.words.max(1) as f64
    }

    /// UPOS accuracy in percent.
    pub fn upos_pct(&self) -> f64 {
        self.pct(self.upos)
    }

    /// XPOS accuracy in percent.
    pub fn xpos_pct(&self) -> f64 {
        self.pct(self.xpos)
    }

    /// Joint UPOS+XPOS accuracy in percent.
    pub fn joint_pct(&self) -> f64 {
        self.pct(self.joint)
    }

    /// Lemma accuracy in percent.
    pub fn lemma_pct(&self) -> f64 {
        self.pct(self.lemma)
    }
}

impl std::fmt::Display for Accuracy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "UPOS {:.2}  XPOS {:.2}  UPOS+XPOS {:.2}  LEMMA {:.2}  ({} words)",
            self.upos_pct(),
            self.xpos_pct(),
            self.joint_pct(),
            self.lemma_pct(),
            self.words
        )
    }
}

/// Tags the gold words of `gold` (gold tokenization) and, if given,
/// lemmatizes them with the predicted tags; compares with the gold columns.
pub fn evaluate(tagger: &Tagger, lemmatizer: Option<&Lemmatizer>, gold: &[Sentence]) -> Accuracy {
    let mut acc = Accuracy::default();
    for s in gold {
        let words: Vec<&str> = s.words.iter().map(|w| w.form.as_str()).collect();
        let tags = tagger.tag(&words);
        for (t, w) in tags.iter().zip(&s.words) {
            acc.words += 1;
            let (u, x) = (t.upos == w.upos, t.xpos == w.xpos);
            acc.upos += usize::from(u);
            acc.xpos += usize::from(x);
            acc.joint += usize::from(u && x);
            if let Some(l) = lemmatizer {
                acc.lemma += usize::from(l.lemmatize(&w.form, t.xpos, t.upos) == w.lemma);
            }
        }
    }
    acc
}

/// Lemma accuracy of `lemmatizer` using the gold tags (an upper bound for
/// the lemmatizer alone).
pub fn lemma_accuracy_gold_tags(lemmatizer: &Lemmatizer, gold: &[Sentence]) -> f64 {
    let (mut ok, mut n) = (0usize, 0usize);
    for s in gold {
        for w in &s.words {
            n += 1;
            ok += usize::from(lemmatizer.lemmatize(&w.form, &w.xpos, &w.upos) == w.lemma);
        }
    }
    100.0 * ok as f64 / n.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::conllu;
    use crate::nlp::tagger::TrainOptions;

    #[test]
    fn perfect_scores_on_training_sentence() {
        let text = "1\tDogs\tdog\tNOUN\tNNS\t_\t2\tnsubj\t_\t_\n2\tbark\tbark\tVERB\tVBP\t_\t0\troot\t_\t_\n\n";
        let data = conllu::parse(text).unwrap();
        let opts = TrainOptions {
            max_epochs: 3,
            verbose: false,
            rare_word_dropout: 0.0,
            prune: crate::nlp::perceptron::PruneOptions::default(),
            ..TrainOptions::default()
        };
        let t = Tagger::train(&data, &data, &opts);
        let l = Lemmatizer::train(&data);
        let a = evaluate(&t, Some(&l), &data);
        assert_eq!(a.words, 2);
        assert_eq!((a.upos, a.xpos, a.joint, a.lemma), (2, 2, 2, 2));
        assert_eq!(lemma_accuracy_gold_tags(&l, &data), 100.0);
    }
}

/// Tokenisation and sentence-segmentation scores from raw text, CoNLL 2018 style.
///
/// The raw text of each document (`# newdoc`) is its sentences' `# text` joined
/// by a space, or a newline at paragraph breaks (`# newpar`). Gold units are
/// the syntactic words located in that text (a multiword token whose words do
/// not spell its surface is one unit); system units are the spans of
/// [`crate::nlp::tokenize::segment`]. Precision, recall and F1 count exact span matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SegmentationScore {
    /// Gold tokens.
    pub gold_tokens: usize,
    /// System tokens.
    pub system_tokens: usize,
    /// Exact token matches.
    pub matched_tokens: usize,
    /// Gold sentences.
    pub gold_sentences: usize,
    /// System sentences.
    pub system_sentences: usize,
    /// Exact sentence matches.
    pub matched_sentences: usize,
    /// Gold sentences whose words could not be aligned to their text (skipped).
    pub unaligned: usize,
}

/// (precision, recall, F1) in percent.
pub fn prf(matched: usize, gold: usize, system: usize) -> (f64, f64, f64) {
    let p = if system == 0 {
        0.0
    } else {
        matched as f64 / system as f64
    };
    let r = if gold == 0 { 0.0 } else { matched as f64 / gold as f64 };
    let f = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
    (100.0 * p, 100.0 * r, 100.0 * f)
}

impl SegmentationScore {
    /// Token (P, R, F1).
    pub fn tokens(&self) -> (f64, f64, f64) {
        prf(self.matched_tokens, self.gold_tokens, self.system_tokens)
    }

    /// Sentence (P, R, F1).
    pub fn sentences(&self) -> (f64, f64, f64) {
        prf(self.matched_sentences, self.gold_sentences, self.system_sentences)
    }
}

/// Finds `form` (ignoring whitespace) in `text` at or after `*pos`; returns its byte span.
fn align(text: &str, pos: &mut usize, form: &str) -> Option<(usize, usize)> {
    let mut it = text.get(*pos..)?.char_indices().peekable();
    while it.peek().is_some_and(|&(_, c)| c.is_whitespace()) {
        it.next();
    }
    let start = *pos + it.peek()?.0;
    let mut end = start;
    for fc in form.chars().filter(|c| !c.is_whitespace()) {
        loop {
            let (i, c) = it.next()?;
            if c.is_whitespace() && end > start {
                continue;
            }
            if c != fc {
                return None;
            }
            end = *pos + i + c.len_utf8();
            break;
        }
    }
    *pos = end;
    Some((start, end))
}

/// Scores the tokenizer against gold CoNLL-U sentences.
pub fn segmentation(gold: &[Sentence]) -> SegmentationScore {
    struct GoldDoc {
        text: String,
        tokens: Vec<(usize, usize)>,
        sentences: Vec<(usize, usize)>,
    }
    let mut score = SegmentationScore::default();
    let mut docs: Vec<GoldDoc> = Vec::new();
    for s in gold {
        let newdoc = s.comments.iter().any(|c| c.starts_with("# newdoc"));
        let newpar = s.comments.iter().any(|c| c.starts_with("# newpar"));
        if newdoc || docs.is_empty() {
            docs.push(GoldDoc {
                text: String::new(),
                tokens: Vec::new(),
                sentences: Vec::new(),
            });
        }
        let (Some(doc), Some(stext)) = (docs.last_mut(), s.text()) else {
            score.unaligned += 1;
            continue;
        };
        if !doc.text.is_empty() {
            doc.text.push(if newpar { '\n' } else { ' ' });
        }
        let base = doc.text.len();
        doc.text.push_str(stext);
        let mut units: Vec<&str> = Vec::new();
        let mut covered_until = 0usize;
        let mut extra = s.extra.iter().peekable();
        for (i, w) in s.words.iter().enumerate() {
            while let Some(e) = extra.next_if(|e| e.before_word == i) {
                let mut cols = e.line.split('\t');
                let (Some(id), Some(surface)) = (cols.next(), cols.next()) else {
                    continue;
                };
                let Some((a, b)) = id.split_once('-') else { continue };
                let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>()) else {
                    continue;
                };
                let words: String = (a..=b)
                    .filter_map(|k| s.words.get(k - 1))
                    .map(|w| w.form.as_str())
                    .collect();
                if words != surface {
                    units.push(surface);
                    covered_until = b;
                }
            }
            if i + 1 > covered_until {
                units.push(&w.form);
            }
        }
        let mut pos = 0;
        let spans: Option<Vec<(usize, usize)>> = units
            .iter()
            .map(|u| align(stext, &mut pos, u).map(|(a, b)| (base + a, base + b)))
            .collect();
        match spans {
            Some(spans) if !spans.is_empty() => {
                doc.sentences.push((spans[0].0, spans[spans.len() - 1].1));
                doc.tokens.extend(spans);
            }
            _ => score.unaligned += 1,
        }
    }
    for doc in docs {
        let seg = crate::nlp::tokenize::segment(&doc.text);
        let sys_tokens: std::collections::HashSet<(usize, usize)> =
            seg.tokens.iter().map(|t| (t.start, t.end)).collect();
        let sys_sentences: std::collections::HashSet<(usize, usize)> =
            seg.sentences.iter().map(|s| (s.span.start, s.span.end)).collect();
        score.gold_tokens += doc.tokens.len();
        score.system_tokens += sys_tokens.len();
        score.matched_tokens += doc.tokens.iter().filter(|t| sys_tokens.contains(t)).count();
        score.gold_sentences += doc.sentences.len();
        score.system_sentences += sys_sentences.len();
        score.matched_sentences += doc.sentences.iter().filter(|s| sys_sentences.contains(s)).count();
    }
    score
}

#[cfg(test)]
mod segmentation_tests {
    use super::*;
    use crate::nlp::conllu;

    #[test]
    fn perfect_segmentation_scores_100() {
        let gold = conllu::parse(
            "# newdoc\n# text = I don't know.\n1\tI\t_\t_\t_\t_\t_\t_\t_\t_\n2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n2\tdo\t_\t_\t_\t_\t_\t_\t_\t_\n3\tn't\t_\t_\t_\t_\t_\t_\t_\t_\n4\tknow\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n5\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n# text = Yes.\n1\tYes\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n2\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n",
        )
        .unwrap();
        let s = segmentation(&gold);
        assert_eq!((s.gold_tokens, s.matched_tokens, s.system_tokens), (7, 7, 7));
        assert_eq!((s.gold_sentences, s.matched_sentences), (2, 2));
        assert_eq!(s.tokens().2, 100.0);
    }
}

//! Annotation of words and sentences with the embedded models: UPOS, XPOS,
//! lemma (and, when a parser is shipped, head and relation), plus the bridge
//! between raw text and CoNLL-U sentences.

use super::conllu::{self, Word};
use super::lemma::Lemmatizer;
use super::models::{self, ModelError};
use super::tagger::Tagger;
use crate::document::Document;

/// The form the models see for a token: PTB-style quotes (`` and '') become
/// `"`, as in the UD training data; everything else is unchanged.
fn model_form(form: &str) -> &str {
    match form {
        "``" | "''" => "\"",
        f => f,
    }
}

/// Which embedded parser model to use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ParserModel {
    /// `parser.bin`: trained for beam search, parses with its beam (the most accurate).
    #[default]
    Beam,
    /// `parser-greedy.bin`: trained for greedy decoding, with fewer templates
    /// (faster, and more accurate than the beam model decoded greedily).
    Greedy,
}

/// Which sentences to parse, and how.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions {
    /// Which model parses.
    pub model: ParserModel,
    /// Beam width (1 = greedy); `None` = the model's own.
    pub beam: Option<usize>,
    /// Parse only sentences that can hold a relation between two mentions:
    /// a verb and at least two names (runs of proper nouns) or personal
    /// pronouns. The others are left unparsed (relation extraction cannot
    /// use them).
    pub relational_only: bool,
}

/// A verb and two names or personal pronouns: the cheapest test that a
/// sentence may relate two mentions (see [`ParseOptions::relational_only`]).
/// A multi-word name ("Donald Trump") counts once; "it", "that", "we" do not
/// count, as they never become entity mentions.
fn looks_relational(doc: &Document, tokens: std::ops::Range<usize>) -> bool {
    const PERSONAL: &[&str] = &["he", "him", "his", "she", "her", "hers", "He", "His", "She", "Her"];
    let mut verb = false;
    let mut nominal = 0;
    let mut in_name = false;
    for i in tokens {
        let upos = doc.tags[i].upos;
        match upos {
            "VERB" => verb = true,
            "PROPN" if !in_name => nominal += 1,
            "PRON" if PERSONAL.contains(&doc.token_text(i)) => nominal += 1,
            _ => {}
        }
        in_name = upos == "PROPN";
    }
    verb && nominal >= 2
}

/// Tokens per group of sentences that [`by_sentence_groups`] hands to one
/// worker. Documents shorter than this run on the calling thread.
const GROUP_TOKENS: usize = 4096;

/// Runs `work` over consecutive groups of a document's sentences (by index,
/// about [`GROUP_TOKENS`] tokens each) and concatenates the results in order.
///
/// Tagging and parsing look at one sentence at a time, so a long document's
/// groups run in parallel on the rayon pool with the same result: a 4 MB
/// single document otherwise kept one core busy while the others idled
/// (issue 17). Within a batch of short documents every document is one group
/// and nothing changes.
fn by_sentence_groups<T: Send>(
    doc: &Document,
    group_tokens: usize,
    work: impl Fn(&Document, std::ops::Range<usize>) -> Vec<T> + Sync,
) -> Vec<T> {
    use rayon::prelude::*;
    let mut groups = Vec::new();
    let (mut start, mut tokens) = (0, 0);
    for (i, s) in doc.sentences.iter().enumerate() {
        tokens += s.tokens.len();
        if tokens >= group_tokens {
            groups.push(start..i + 1);
            (start, tokens) = (i + 1, 0);
        }
    }
    if start < doc.sentences.len() {
        groups.push(start..doc.sentences.len());
    }
    match groups.as_slice() {
        [] => Vec::new(),
        [only] => work(doc, only.clone()),
        _ => groups
            .into_par_iter()
            .map(|g| work(doc, g))
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect(),
    }
}

/// The linguistic analysers, borrowed from the embedded models.
#[derive(Clone, Copy)]
pub struct Analyzer {
    tagger: &'static Tagger,
    lemmatizer: &'static Lemmatizer,
}

impl Analyzer {
    /// The analyser over the models embedded in the binary.
    pub fn embedded() -> Result<Self, ModelError> {
        Ok(Self {
            tagger: models::tagger()?,
            lemmatizer: models::lemmatizer()?,
        })
    }

    /// Fills UPOS, XPOS, LEMMA, HEAD and DEPREL of a sentence, keeping its words.
    pub fn annotate(&self, sentence: &mut conllu::Sentence) -> Result<(), ModelError> {
        self.tag(sentence);
        self.parse(sentence)
    }

    /// Fills UPOS, XPOS and LEMMA.
    pub fn tag(&self, sentence: &mut conllu::Sentence) {
        let forms: Vec<&str> = sentence.words.iter().map(|w| model_form(&w.form)).collect();
        let tags = self.tagger.tag(&forms);
        for (w, t) in sentence.words.iter_mut().zip(tags) {
            w.upos = t.upos.to_string();
            w.xpos = t.xpos.to_string();
            w.lemma = self.lemmatizer.lemmatize(&w.form, t.xpos, t.upos);
        }
    }

    /// Fills HEAD and DEPREL from the words and their (given or predicted) tags.
    /// The parser model is decoded on first use (it is the largest model, and
    /// extraction does not need it yet).
    pub fn parse(&self, sentence: &mut conllu::Sentence) -> Result<(), ModelError> {
        let parser = models::parser()?;
        let forms: Vec<&str> = sentence.words.iter().map(|w| model_form(&w.form)).collect();
        let upos: Vec<&str> = sentence.words.iter().map(|w| w.upos.as_str()).collect();
        let xpos: Vec<&str> = sentence.words.iter().map(|w| w.xpos.as_str()).collect();
        let arcs: Vec<(usize, String)> = parser
            .parse(&forms, &upos, &xpos)
            .into_iter()
            .map(|(h, l)| (h, l.to_string()))
            .collect();
        for (w, (head, deprel)) in sentence.words.iter_mut().zip(arcs) {
            w.head = Some(head);
            w.deprel = deprel;
        }
        Ok(())
    }

    /// Fills the POS tags and lemmas of a segmented document, sentence by
    /// sentence (a long document's sentences in parallel groups, see
    /// [`by_sentence_groups`]; the result is the same).
    pub fn tag_document(&self, doc: &mut Document) {
        self.tag_document_in_groups(doc, GROUP_TOKENS);
    }

    fn tag_document_in_groups(&self, doc: &mut Document, group_tokens: usize) {
        let tagged = by_sentence_groups(doc, group_tokens, |doc, sentences| {
            let mut out = Vec::new();
            for s in &doc.sentences[sentences] {
                let words: Vec<&str> = s.tokens.clone().map(|i| model_form(doc.token_text(i))).collect();
                for (w, t) in words.iter().zip(self.tagger.tag(&words)) {
                    let tag = crate::document::PosTag {
                        upos: t.upos,
                        xpos: t.xpos,
                    };
                    out.push((tag, self.lemmatizer.lemmatize(w, t.xpos, t.upos)));
                }
            }
            out
        });
        if tagged.len() == doc.tokens.len() {
            (doc.tags, doc.lemmas) = tagged.into_iter().unzip();
        }
    }

    /// Fills the dependency arcs of every sentence of a tagged document with
    /// the model's own beam width. Leaves the document unparsed when it is
    /// untagged or the parser model does not decode.
    pub fn parse_document(&self, doc: &mut Document) -> Result<(), ModelError> {
        self.parse_document_with(doc, &ParseOptions::default())
    }

    /// Fills the dependency arcs of the sentences `options` selects; the
    /// others get arcs with no head and an empty relation.
    pub fn parse_document_with(&self, doc: &mut Document, options: &ParseOptions) -> Result<(), ModelError> {
        self.parse_document_in_groups(doc, options, GROUP_TOKENS)
    }

    fn parse_document_in_groups(
        &self,
        doc: &mut Document,
        options: &ParseOptions,
        group_tokens: usize,
    ) -> Result<(), ModelError> {
        if !doc.is_tagged() {
            return Ok(());
        }
        let parser = match options.model {
            ParserModel::Beam => models::parser()?,
            ParserModel::Greedy => models::greedy_parser()?,
        };
        let beam = options.beam.unwrap_or(parser.beam());
        let deps = by_sentence_groups(doc, group_tokens, |doc, sentences| {
            let mut deps = Vec::new();
            let mut forms = Vec::new();
            let mut upos = Vec::new();
            let mut xpos = Vec::new();
            for s in &doc.sentences[sentences] {
                if options.relational_only && !looks_relational(doc, s.tokens.clone()) {
                    deps.extend(s.tokens.clone().map(|_| crate::document::Dep { head: None, rel: "" }));
                    continue;
                }
                forms.clear();
                upos.clear();
                xpos.clear();
                for i in s.tokens.clone() {
                    forms.push(model_form(doc.token_text(i)));
                    upos.push(doc.tags[i].upos);
                    xpos.push(doc.tags[i].xpos);
                }
                for (h, l) in parser.parse_ids_with_beam(&forms, &upos, &xpos, beam) {
                    deps.push(crate::document::Dep {
                        head: (h > 0).then(|| s.tokens.start + h - 1),
                        rel: parser.label(l),
                    });
                }
            }
            deps
        });
        if deps.len() == doc.tokens.len() {
            doc.deps = deps;
        }
        Ok(())
    }

    /// Tokenises raw text and annotates it, as CoNLL-U sentences with
    /// `# sent_id`, `# text` and `SpaceAfter=No` where the text has no space.
    pub fn annotate_text(&self, doc: &Document, doc_id: &str) -> Result<Vec<conllu::Sentence>, ModelError> {
        let mut out = Vec::with_capacity(doc.sentences.len());
        for (k, s) in doc.sentences.iter().enumerate() {
            let text = doc.span_text(s.span);
            let mut sentence = conllu::Sentence {
                comments: vec![
                    format!("# sent_id = {doc_id}-{}", k + 1),
                    // CoNLL-U comments are one line: line breaks inside a sentence become spaces.
                    format!("# text = {}", text.split_whitespace().collect::<Vec<_>>().join(" ")),
                ],
                ..Default::default()
            };
            for i in s.tokens.clone() {
                let mut w = Word::from_form(doc.token_text(i));
                let next_start = doc.tokens.get(i + 1).map(|t| t.start);
                if i + 1 < s.tokens.end && next_start == Some(doc.tokens[i].end) {
                    w.misc = "SpaceAfter=No".to_string();
                }
                sentence.words.push(w);
            }
            self.annotate(&mut sentence)?;
            out.push(sentence);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_documents_tag_and_parse_in_parallel_groups_with_the_same_result() {
        let a = Analyzer::embedded().unwrap();
        let text = "Mayor Anna Keller met Boris Novak in Paris on Monday. He said, \"We agree.\" \
                    The talks between Keller and Novak went well. "
            .repeat(40);
        let whole = || crate::nlp::segment(text.clone());
        let (mut one, mut grouped) = (whole(), whole());
        assert!(one.sentences.len() > 100);
        a.tag_document_in_groups(&mut one, usize::MAX);
        a.tag_document_in_groups(&mut grouped, 7);
        assert_eq!(one.tags, grouped.tags);
        assert_eq!(one.lemmas, grouped.lemmas);
        assert_eq!(one.tags.len(), one.tokens.len());
        for options in [ParseOptions::default(), crate::nlp::EXTRACTION_PARSE] {
            a.parse_document_in_groups(&mut one, &options, usize::MAX).unwrap();
            a.parse_document_in_groups(&mut grouped, &options, 7).unwrap();
            assert_eq!(one.deps.len(), one.tokens.len());
            assert_eq!(one.deps, grouped.deps);
        }
    }

    #[test]
    fn sentence_groups_cover_every_sentence_once_in_order() {
        let doc = crate::nlp::segment("One two. Three four five. Six. Seven eight nine ten. Eleven.".to_string());
        let n = doc.sentences.len();
        for group_tokens in [1, 2, 3, 5, 100] {
            let seen = by_sentence_groups(&doc, group_tokens, |_, sentences| sentences.collect());
            assert_eq!(seen, (0..n).collect::<Vec<_>>(), "groups of {group_tokens} tokens");
        }
        let empty = crate::nlp::segment(String::new());
        assert!(by_sentence_groups(&empty, 1, |_, s| s.collect::<Vec<_>>()).is_empty());
    }

    #[test]
    fn raw_text_becomes_annotated_conllu() {
        let a = Analyzer::embedded().unwrap();
        let doc = crate::nlp::analyze("Putin's aide didn't call. He waited.".to_string());
        let s = a.annotate_text(&doc, "d").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].forms(), ["Putin", "'s", "aide", "did", "n't", "call", "."]);
        assert_eq!(s[0].text(), Some("Putin's aide didn't call."));
        assert!(!s[0].words[0].space_after());
        assert_eq!(s[0].words[3].lemma, "do");
        // A tree: exactly one root, every head inside the sentence.
        assert_eq!(s[0].words.iter().filter(|w| w.head == Some(0)).count(), 1);
        assert!(
            s[0].words
                .iter()
                .all(|w| w.head.is_some_and(|h| h <= 7) && w.deprel != "_")
        );
        assert_eq!(s[0].words[5].deprel, "root", "{:?}", s[0].words);
        let out = conllu::write(&s);
        assert_eq!(conllu::parse(&out).unwrap(), s, "output is valid CoNLL-U");
    }
}

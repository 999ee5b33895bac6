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

    /// Fills the POS tags and lemmas of a segmented document, sentence by sentence.
    pub fn tag_document(&self, doc: &mut Document) {
        let mut tags = Vec::with_capacity(doc.tokens.len());
        let mut lemmas = Vec::with_capacity(doc.tokens.len());
        for s in &doc.sentences {
            let words: Vec<&str> = s.tokens.clone().map(|i| model_form(doc.token_text(i))).collect();
            for (w, t) in words.iter().zip(self.tagger.tag(&words)) {
                tags.push(crate::document::PosTag {
                    upos: t.upos,
                    xpos: t.xpos,
                });
                lemmas.push(self.lemmatizer.lemmatize(w, t.xpos, t.upos));
            }
        }
        if tags.len() == doc.tokens.len() {
            doc.tags = tags;
            doc.lemmas = lemmas;
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
        if !doc.is_tagged() {
            return Ok(());
        }
        let parser = match options.model {
            ParserModel::Beam => models::parser()?,
            ParserModel::Greedy => models::greedy_parser()?,
        };
        let beam = options.beam.unwrap_or(parser.beam());
        let mut deps = Vec::with_capacity(doc.tokens.len());
        let mut forms = Vec::new();
        let mut upos = Vec::new();
        let mut xpos = Vec::new();
        for s in &doc.sentences {
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

//! The `Document`: original text plus its segmentation into sentences and tokens.
//!
//! Everything downstream points back into [`Document::text`] through byte
//! [`Span`]s. Rust slices by bytes; JSON and NIF count Unicode code points. The
//! conversion lives in one place, [`CharOffsets`], and nowhere else.

use std::ops::Range;

/// A half-open byte range `start..end` into a document's text.
///
/// Invariant: both ends lie on `char` boundaries of the text the span was made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// Creates a span; `start` must not exceed `end`.
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end, "span start {start} > end {end}");
        Self { start, end }
    }

    /// Byte length.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True if the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(&self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// True if `other` lies inside `self`.
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The covered text. Returns `""` if the span does not fit `text`.
    pub fn slice<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// The byte range, for slicing.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// A sentence: its byte span and the range of its tokens in [`Document::tokens`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// From the first byte of the first token to the end of the last token.
    pub span: Span,
    /// Indices into [`Document::tokens`].
    pub tokens: Range<usize>,
}

/// The output of a tokenizer: tokens and sentences over one text.
///
/// Invariants: tokens are non-empty, sorted and non-overlapping; sentences are
/// sorted, non-empty and partition the tokens (every token is in exactly one
/// sentence).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Segmentation {
    /// Token spans, in text order.
    pub tokens: Vec<Span>,
    /// Sentences, in text order.
    pub sentences: Vec<Sentence>,
}

/// Part-of-speech tags of one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PosTag {
    /// Universal POS tag ("PROPN").
    pub upos: &'static str,
    /// Penn Treebank tag ("NNP").
    pub xpos: &'static str,
}

/// A text with its segmentation and token-level annotations.
#[derive(Debug, Clone)]
pub struct Document {
    /// The original text, unchanged.
    pub text: String,
    /// Token spans, in text order.
    pub tokens: Vec<Span>,
    /// Sentences, in text order.
    pub sentences: Vec<Sentence>,
    /// POS tags, one per token; empty when the document was not tagged.
    pub tags: Vec<PosTag>,
    /// Lemmas, one per token; empty when the document was not tagged.
    pub lemmas: Vec<String>,
    /// Dependency arcs, one per token; empty when the document was not parsed.
    pub deps: Vec<Dep>,
    /// Names the NER stage recognised, in text order (token ranges inside
    /// one sentence); empty when no NER ran (`ner::recognize`).
    pub names: Vec<NamedSpan>,
}

/// The class the NER model gives a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameClass {
    /// A person.
    Person,
    /// An organisation.
    Organization,
    /// A place (location).
    Location,
    /// A name of another kind (works, events, laws, products, nationalities).
    Misc,
}

/// A name found by the NER stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSpan {
    /// Token range (document-wide indices, within one sentence).
    pub tokens: Range<usize>,
    /// The model's class.
    pub class: NameClass,
}

/// The dependency arc of one token: its head (a token index in the same
/// document and sentence, `None` for the sentence root) and UD relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dep {
    /// Head token index (document-wide), `None` for the root.
    pub head: Option<usize>,
    /// UD relation with subtype ("nsubj", "obl:tmod", "root").
    pub rel: &'static str,
}

impl Document {
    /// Segments `text` with the given tokenizer output.
    pub fn new(text: String, segmentation: Segmentation) -> Self {
        Self {
            text,
            tokens: segmentation.tokens,
            sentences: segmentation.sentences,
            tags: Vec::new(),
            lemmas: Vec::new(),
            deps: Vec::new(),
            names: Vec::new(),
        }
    }

    /// UPOS of token `i`, or `""` when untagged.
    pub fn upos(&self, i: usize) -> &'static str {
        self.tags.get(i).map_or("", |t| t.upos)
    }

    /// Lemma of token `i`, or `""` when untagged.
    pub fn lemma(&self, i: usize) -> &str {
        self.lemmas.get(i).map_or("", String::as_str)
    }

    /// True when POS tags are present.
    pub fn is_tagged(&self) -> bool {
        !self.tags.is_empty() && self.tags.len() == self.tokens.len()
    }

    /// True when dependency arcs are present (possibly only for some
    /// sentences: see [`Document::sentence_parsed`]).
    pub fn is_parsed(&self) -> bool {
        !self.deps.is_empty() && self.deps.len() == self.tokens.len()
    }

    /// True when sentence `s` has dependency arcs (every parsed token has a
    /// relation; sentences skipped by a selective parse have none).
    pub fn sentence_parsed(&self, s: usize) -> bool {
        self.is_parsed()
            && self
                .sentences
                .get(s)
                .and_then(|x| self.deps.get(x.tokens.start))
                .is_some_and(|d| !d.rel.is_empty())
    }

    /// Head of token `i`, `None` for a root or when unparsed.
    pub fn head(&self, i: usize) -> Option<usize> {
        self.deps.get(i).and_then(|d| d.head)
    }

    /// Dependency relation of token `i`, or `""` when unparsed.
    pub fn deprel(&self, i: usize) -> &'static str {
        self.deps.get(i).map_or("", |d| d.rel)
    }

    /// Text of token `i`.
    pub fn token_text(&self, i: usize) -> &str {
        self.tokens.get(i).map_or("", |s| s.slice(&self.text))
    }

    /// Text of a span.
    pub fn span_text(&self, span: Span) -> &str {
        span.slice(&self.text)
    }

    /// Index of the sentence holding token `token`, if any.
    pub fn sentence_of(&self, token: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.tokens.end <= token);
        (i < self.sentences.len() && self.sentences[i].tokens.start <= token).then_some(i)
    }

    /// Index of the sentence holding byte offset `offset`, if any.
    pub fn sentence_at(&self, offset: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.span.end <= offset);
        (i < self.sentences.len() && self.sentences[i].span.start <= offset).then_some(i)
    }
}

/// Converts byte offsets of one text into Unicode code-point offsets.
///
/// Built once per text in O(n); each lookup is a binary search over the
/// non-ASCII characters only, so pure-ASCII text costs nothing.
#[derive(Debug, Clone)]
pub struct CharOffsets {
    /// Byte offsets of every non-ASCII char, with the number of extra bytes
    /// seen up to and including it.
    multibyte: Vec<(usize, usize)>,
    len_bytes: usize,
}

impl CharOffsets {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut multibyte = Vec::new();
        let mut extra = 0;
        for (i, c) in text.char_indices() {
            let l = c.len_utf8();
            if l > 1 {
                extra += l - 1;
                multibyte.push((i, extra));
            }
        }
        Self {
            multibyte,
            len_bytes: text.len(),
        }
    }

    /// Code-point offset of byte offset `byte` (which must be a char boundary).
    pub fn char_offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.len_bytes);
        // chars starting strictly before `byte`
        let n = self.multibyte.partition_point(|&(b, _)| b < byte);
        let extra = if n == 0 { 0 } else { self.multibyte[n - 1].1 };
        byte - extra
    }

    /// A span's `(start, end)` in code points.
    pub fn chars(&self, span: Span) -> (usize, usize) {
        (self.char_offset(span.start), self.char_offset(span.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_agree_with_char_counting() {
        let text = "a“bé”c — 😀x";
        let idx = CharOffsets::new(text);
        for (b, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            assert_eq!(idx.char_offset(b), text[..b].chars().count(), "byte {b}");
        }
    }

    #[test]
    fn sentence_at_finds_containing_sentence() {
        let doc = Document::new(
            "Ab. Cd.".into(),
            Segmentation {
                tokens: vec![Span::new(0, 2), Span::new(2, 3), Span::new(4, 6), Span::new(6, 7)],
                sentences: vec![
                    Sentence {
                        span: Span::new(0, 3),
                        tokens: 0..2,
                    },
                    Sentence {
                        span: Span::new(4, 7),
                        tokens: 2..4,
                    },
                ],
            },
        );
        assert_eq!(doc.sentence_at(0), Some(0));
        assert_eq!(doc.sentence_at(3), None);
        assert_eq!(doc.sentence_at(5), Some(1));
        assert_eq!(doc.sentence_at(7), None);
    }
}

//! Readers and writers for column-format NER corpora.
//!
//! * CoNLL-2003 (`WORD POS CHUNK NER`, space separated, IOB1 tags,
//!   `-DOCSTART-` lines between documents).
//! * IOB2 files of Universal NER (`ID<TAB>FORM<TAB>TAG<TAB>…`, `#` comment
//!   lines, `# newdoc` starting a document).
//!
//! Every input line is kept, so [`write()`] reproduces the input with only the
//! NER tag column replaced by predictions.

use std::fmt;

/// Entity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityLabel {
    /// Person.
    Per,
    /// Organisation.
    Org,
    /// Location.
    Loc,
    /// Miscellaneous (nationalities, events, works, …).
    Misc,
}

impl EntityLabel {
    /// All labels, in index order.
    pub const ALL: [EntityLabel; 4] = [EntityLabel::Per, EntityLabel::Org, EntityLabel::Loc, EntityLabel::Misc];

    /// Short name as used in tag columns (`PER`, `ORG`, `LOC`, `MISC`).
    pub fn as_str(self) -> &'static str {
        match self {
            EntityLabel::Per => "PER",
            EntityLabel::Org => "ORG",
            EntityLabel::Loc => "LOC",
            EntityLabel::Misc => "MISC",
        }
    }

    /// Index in [`EntityLabel::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Label with index `i` in [`EntityLabel::ALL`].
    pub fn from_index(i: usize) -> Option<EntityLabel> {
        EntityLabel::ALL.get(i).copied()
    }

    /// Parses a type name (`PER`, `ORG`, `LOC`, `MISC`); `None` otherwise.
    pub fn parse(s: &str) -> Option<EntityLabel> {
        match s {
            "PER" => Some(EntityLabel::Per),
            "ORG" => Some(EntityLabel::Org),
            "LOC" => Some(EntityLabel::Loc),
            "MISC" => Some(EntityLabel::Misc),
            _ => None,
        }
    }
}

impl fmt::Display for EntityLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An entity mention: tokens `start..end` (end exclusive) of a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// Entity type.
    pub label: EntityLabel,
}

#[cfg(test)]
impl Span {
    /// A span of tokens `start..end` (tests).
    pub(crate) fn new(start: usize, end: usize, label: EntityLabel) -> Span {
        Span { start, end, label }
    }
}

/// Column format of a corpus file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CoNLL-2003: space-separated columns, tag in the last column.
    Conll,
    /// UNER IOB2: tab-separated, form in column 2, tag in column 3.
    Iob2,
}

/// Tagging scheme used when writing tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// IOB1: `I-` everywhere, `B-` only to split two adjacent same-type entities.
    Iob1,
    /// IOB2: `B-` on every entity's first token.
    Iob2,
}

/// One sentence with its gold entities and original lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sentence {
    /// Token forms.
    pub words: Vec<String>,
    /// Gold entities (empty for unlabelled input).
    pub spans: Vec<Span>,
    /// Original token lines (one per word).
    pub lines: Vec<String>,
    /// Lines before the sentence (comments, `-DOCSTART-`, extra blanks), verbatim.
    pub before: Vec<String>,
}

/// A document: consecutive sentences (document-level features use it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Sentences in order.
    pub sentences: Vec<Sentence>,
}

/// A parsed corpus file.
#[derive(Debug, Clone, PartialEq)]
pub struct Corpus {
    /// Format it was read from.
    pub format: Format,
    /// Documents in order.
    pub documents: Vec<Document>,
    /// Lines after the last sentence, verbatim.
    pub trailer: Vec<String>,
}

impl Corpus {
    /// All sentences, in order.
    pub fn sentences(&self) -> impl Iterator<Item = &Sentence> {
        self.documents.iter().flat_map(|d| d.sentences.iter())
    }

    /// Number of tokens.
    pub fn n_tokens(&self) -> usize {
        self.sentences().map(|s| s.words.len()).sum()
    }
}

/// Error reading a corpus.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    /// A token line lacks the form or tag column.
    #[error("line {line}: expected at least {expected} columns, found {found}")]
    Columns {
        /// 1-based line number.
        line: usize,
        /// Minimum number of columns.
        expected: usize,
        /// Columns found.
        found: usize,
    },
}

/// How to read tags that are not `PER`/`ORG`/`LOC`/`MISC` (UNER's draft
/// train file has `OTH`, `B-O`, `I-O`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OtherTags {
    /// Map them to `O`.
    #[default]
    AsO,
    /// Map `OTH` to `MISC`, everything else unknown to `O`.
    OthAsMisc,
}

/// A parsed tag: `None` = outside, else (begins-a-new-entity flag, type).
type RawTag = Option<(bool, EntityLabel)>;

fn parse_tag(tag: &str, other: OtherTags) -> RawTag {
    if tag == "O" {
        return None;
    }
    let (prefix, ty) = tag.split_once('-')?;
    let begin = match prefix {
        "B" | "S" | "U" => true,
        "I" | "E" | "L" => false,
        _ => return None,
    };
    let label = match EntityLabel::parse(ty) {
        Some(l) => l,
        None if ty == "OTH" && other == OtherTags::OthAsMisc => EntityLabel::Misc,
        None => return None,
    };
    Some((begin, label))
}

/// Converts IOB1 or IOB2 tags to spans with conlleval semantics: an entity
/// starts at a `B-` tag or at an `I-` tag whose type differs from the
/// previous token's (or that follows `O`).
pub fn tags_to_spans(tags: &[Option<(bool, EntityLabel)>]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut cur: Option<Span> = None;
    for (i, t) in tags.iter().enumerate() {
        match *t {
            None => {
                if let Some(s) = cur.take() {
                    spans.push(s);
                }
            }
            Some((begin, label)) => {
                let cont = matches!(cur, Some(s) if s.label == label) && !begin;
                if cont {
                    if let Some(s) = cur.as_mut() {
                        s.end = i + 1;
                    }
                } else {
                    if let Some(s) = cur.take() {
                        spans.push(s);
                    }
                    cur = Some(Span {
                        start: i,
                        end: i + 1,
                        label,
                    });
                }
            }
        }
    }
    if let Some(s) = cur {
        spans.push(s);
    }
    spans
}

/// Tag strings for `n` tokens with entities `spans` (non-overlapping, sorted
/// or not) in the given scheme.
pub fn spans_to_tags(n: usize, spans: &[Span], scheme: Scheme) -> Vec<String> {
    let mut tags = vec!["O".to_string(); n];
    let mut sorted: Vec<Span> = spans
        .iter()
        .copied()
        .filter(|s| s.start < s.end && s.end <= n)
        .collect();
    sorted.sort();
    let mut prev: Option<Span> = None;
    for s in sorted {
        if prev.is_some_and(|p| p.end > s.start) {
            continue; // overlapping: keep the first
        }
        for (i, tag) in tags.iter_mut().enumerate().take(s.end).skip(s.start) {
            let b = match scheme {
                Scheme::Iob2 => i == s.start,
                Scheme::Iob1 => i == s.start && prev.is_some_and(|p| p.end == s.start && p.label == s.label),
            };
            *tag = format!("{}-{}", if b { "B" } else { "I" }, s.label);
        }
        prev = Some(s);
    }
    tags
}

struct Builder {
    documents: Vec<Document>,
    doc: Document,
    before: Vec<String>,
    words: Vec<String>,
    tags: Vec<RawTag>,
    lines: Vec<String>,
}

impl Builder {
    fn new() -> Self {
        Builder {
            documents: Vec::new(),
            doc: Document::default(),
            before: Vec::new(),
            words: Vec::new(),
            tags: Vec::new(),
            lines: Vec::new(),
        }
    }

    fn end_sentence(&mut self) {
        if self.words.is_empty() {
            return;
        }
        let spans = tags_to_spans(&self.tags);
        self.doc.sentences.push(Sentence {
            words: std::mem::take(&mut self.words),
            spans,
            lines: std::mem::take(&mut self.lines),
            before: std::mem::take(&mut self.before),
        });
        self.tags.clear();
    }

    /// A blank line ends the sentence; before the first word it is kept as
    /// is (written back before the next sentence).
    fn blank_line(&mut self, line: &str) {
        if self.words.is_empty() {
            self.before.push(line.to_string());
        } else {
            self.end_sentence();
        }
    }

    fn new_document(&mut self) {
        self.end_sentence();
        if !self.doc.sentences.is_empty() {
            self.documents.push(std::mem::take(&mut self.doc));
        }
    }

    fn finish(mut self, format: Format) -> Corpus {
        self.new_document();
        Corpus {
            format,
            documents: self.documents,
            trailer: self.before,
        }
    }
}

/// Reads a CoNLL-2003 file (IOB1 or IOB2 tags in the last column).
pub fn read_conll(text: &str) -> Result<Corpus, ReadError> {
    read_lines(text, Format::Conll, |line, no| {
        if line.starts_with("-DOCSTART-") {
            return Ok(Line::Document);
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 2 {
            return Err(ReadError::Columns {
                line: no,
                expected: 2,
                found: cols.len(),
            });
        }
        Ok(Line::Token(cols[0], parse_tag(cols[cols.len() - 1], OtherTags::AsO)))
    })
}

/// Reads a UNER IOB2 file; `other` says how to read `OTH` tags.
pub fn read_iob2(text: &str, other: OtherTags) -> Result<Corpus, ReadError> {
    read_lines(text, Format::Iob2, |line, no| {
        if line.starts_with("# newdoc") {
            return Ok(Line::Document);
        }
        if line.starts_with('#') {
            return Ok(Line::Comment);
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            return Err(ReadError::Columns {
                line: no,
                expected: 3,
                found: cols.len(),
            });
        }
        Ok(Line::Token(cols[1], parse_tag(cols[2], other)))
    })
}

/// What a format makes of a non-blank line.
enum Line<'a> {
    /// A document separator, kept as written before the next sentence.
    Document,
    /// A comment: ends the sentence, kept as written before the next one.
    Comment,
    /// A token: its word and tag.
    Token(&'a str, RawTag),
}

/// Reads a corpus line by line; `classify` gets each non-blank line (without
/// `\r`) and its 1-based number. Blank lines end sentences.
fn read_lines(
    text: &str,
    format: Format,
    classify: impl Fn(&str, usize) -> Result<Line<'_>, ReadError>,
) -> Result<Corpus, ReadError> {
    let mut b = Builder::new();
    for (no, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            b.blank_line(line);
            continue;
        }
        match classify(line, no + 1)? {
            Line::Document => b.new_document(),
            Line::Comment => b.end_sentence(),
            Line::Token(word, tag) => {
                b.words.push(word.to_string());
                b.tags.push(tag);
                b.lines.push(line.to_string());
                continue;
            }
        }
        b.before.push(line.to_string());
    }
    Ok(b.finish(format))
}

/// Reads `text` in `format` (`OTH` tags map to `O`).
pub fn read(text: &str, format: Format) -> Result<Corpus, ReadError> {
    match format {
        Format::Conll => read_conll(text),
        Format::Iob2 => read_iob2(text, OtherTags::AsO),
    }
}

fn replace_tag(line: &str, format: Format, tag: &str) -> String {
    match format {
        Format::Conll => match line.trim_end().rsplit_once(' ') {
            Some((head, _)) => format!("{head} {tag}"),
            None => format!("{line} {tag}"),
        },
        Format::Iob2 => {
            let mut cols: Vec<&str> = line.split('\t').collect();
            if let Some(c) = cols.get_mut(2) {
                *c = tag;
            }
            cols.join("\t")
        }
    }
}

/// Writes `corpus` with the tag column replaced by `predicted` (one span
/// list per sentence, in corpus order; missing entries mean no entities).
/// Output lines are the input lines otherwise unchanged; sentences end with
/// a blank line.
pub fn write(corpus: &Corpus, predicted: &[Vec<Span>], scheme: Scheme) -> String {
    let mut out = String::new();
    let empty = Vec::new();
    for (k, s) in corpus.sentences().enumerate() {
        for l in &s.before {
            out.push_str(l);
            out.push('\n');
        }
        let tags = spans_to_tags(s.words.len(), predicted.get(k).unwrap_or(&empty), scheme);
        for (line, tag) in s.lines.iter().zip(&tags) {
            out.push_str(&replace_tag(line, corpus.format, tag));
            out.push('\n');
        }
        out.push('\n');
    }
    for l in &corpus.trailer {
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONLL: &str = "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\nGerman JJ I-NP I-MISC\n\
call NN I-NP O\n\nPeter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\nSmith NNP I-NP B-PER\n\n\
-DOCSTART- -X- O O\n\nBRUSSELS NNP I-NP I-LOC\n1996-08-22 CD I-NP O\n\n";

    #[test]
    fn iob1_to_spans() {
        let c = read_conll(CONLL).unwrap();
        assert_eq!(c.documents.len(), 2);
        let s: Vec<&Sentence> = c.sentences().collect();
        assert_eq!(s.len(), 3);
        assert_eq!(
            s[0].spans,
            vec![Span::new(0, 1, EntityLabel::Org), Span::new(2, 3, EntityLabel::Misc)]
        );
        // B- splits two adjacent PER entities.
        assert_eq!(
            s[1].spans,
            vec![Span::new(0, 2, EntityLabel::Per), Span::new(2, 3, EntityLabel::Per)]
        );
        assert_eq!(c.documents[1].sentences[0].spans[0].label, EntityLabel::Loc);
    }

    #[test]
    fn iob_type_change_starts_entity() {
        let t = |b, l| Some((b, l));
        let tags = [
            t(false, EntityLabel::Per),
            t(false, EntityLabel::Org),
            None,
            t(false, EntityLabel::Loc),
            t(true, EntityLabel::Loc),
            t(false, EntityLabel::Loc),
        ];
        let s = tags_to_spans(&tags);
        assert_eq!(
            s.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>(),
            vec![(0, 1), (1, 2), (3, 4), (4, 6)]
        );
    }

    #[test]
    fn write_reproduces_input_with_gold_iob1() {
        let c = read_conll(CONLL).unwrap();
        let gold: Vec<Vec<Span>> = c.sentences().map(|s| s.spans.clone()).collect();
        assert_eq!(write(&c, &gold, Scheme::Iob1), CONLL);
    }

    #[test]
    fn iob2_read_and_write() {
        let text = "# newdoc id = d1\n# sent_id = s1\n# text = Al-Zaman : American\n\
1\tAl\tB-ORG\t-\tx\n2\t-\tI-ORG\t-\tx\n3\tZaman\tI-ORG\t-\tx\n4\t:\tO\n5\tAmerican\tB-OTH\t-\tx\n6\tx\tB-O\t-\t-\n\n";
        let c = read_iob2(text, OtherTags::AsO).unwrap();
        let s = &c.documents[0].sentences[0];
        assert_eq!(s.words, ["Al", "-", "Zaman", ":", "American", "x"]);
        assert_eq!(s.spans, vec![Span::new(0, 3, EntityLabel::Org)]);
        let c2 = read_iob2(text, OtherTags::OthAsMisc).unwrap();
        assert_eq!(c2.documents[0].sentences[0].spans.len(), 2);
        let out = write(&c, std::slice::from_ref(&s.spans), Scheme::Iob2);
        assert!(out.contains("5\tAmerican\tO\t-\tx\n"));
        assert!(out.starts_with("# newdoc id = d1\n# sent_id = s1\n"));
        assert!(out.contains("2\t-\tI-ORG\t-\tx\n"));
    }

    #[test]
    fn short_line_is_error() {
        assert!(matches!(read_conll("word\n"), Err(ReadError::Columns { line: 1, .. })));
        assert!(read_iob2("1\tx\n", OtherTags::AsO).is_err());
    }
}

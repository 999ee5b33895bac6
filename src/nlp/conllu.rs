//! [CoNLL-U](https://universaldependencies.org/format.html) reading and writing.
//!
//! Reading keeps everything a round trip needs: comments, multiword-token
//! lines (`1-2`) and empty nodes (`8.1`) are stored verbatim and written back in
//! place, so `textkg tag --input-format conllu --format conllu` changes only the
//! columns it predicts.

use std::fmt::Write as _;

/// A CoNLL-U syntax error, with the 1-based line it was found on.
#[derive(Debug, thiserror::Error)]
#[error("CoNLL-U line {line}: {message}")]
pub struct ConlluError {
    /// 1-based line number in the input.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// One syntactic word (a line whose ID is an integer).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    /// FORM.
    pub form: String,
    /// LEMMA (`_` when unknown).
    pub lemma: String,
    /// UPOS (`_` when unknown).
    pub upos: String,
    /// XPOS (`_` when unknown).
    pub xpos: String,
    /// FEATS, kept verbatim.
    pub feats: String,
    /// HEAD: 0 for the root, 1-based word index otherwise; `None` for `_`.
    pub head: Option<usize>,
    /// DEPREL (`_` when unknown).
    pub deprel: String,
    /// DEPS, kept verbatim.
    pub deps: String,
    /// MISC, kept verbatim.
    pub misc: String,
}

impl Word {
    /// A word with only its form set; every other column is `_`.
    pub fn from_form(form: impl Into<String>) -> Self {
        let u = || "_".to_string();
        Self {
            form: form.into(),
            lemma: u(),
            upos: u(),
            xpos: u(),
            feats: u(),
            head: None,
            deprel: u(),
            deps: u(),
            misc: u(),
        }
    }

    /// True unless MISC says `SpaceAfter=No`.
    pub fn space_after(&self) -> bool {
        !self.misc.split('|').any(|f| f == "SpaceAfter=No")
    }
}

/// A line kept verbatim: a multiword token range or an empty node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraLine {
    /// Number of words that precede this line in the sentence.
    pub before_word: usize,
    /// The line, without its newline.
    pub line: String,
}

/// One sentence.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sentence {
    /// Comment lines, with their leading `#`.
    pub comments: Vec<String>,
    /// Syntactic words, in order (word `i` has ID `i + 1`).
    pub words: Vec<Word>,
    /// Multiword-token and empty-node lines.
    pub extra: Vec<ExtraLine>,
}

impl Sentence {
    /// The `# text = …` comment, if present.
    pub fn text(&self) -> Option<&str> {
        self.comments
            .iter()
            .find_map(|c| c.strip_prefix("# text = ").or_else(|| c.strip_prefix("# text=")))
    }

    /// Word forms.
    pub fn forms(&self) -> Vec<&str> {
        self.words.iter().map(|w| w.form.as_str()).collect()
    }
}

/// Parses a whole CoNLL-U text.
pub fn parse(input: &str) -> Result<Vec<Sentence>, ConlluError> {
    let mut sentences = Vec::new();
    let mut current = Sentence::default();
    let mut started = false;
    for (i, raw) in input.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if started {
                check_heads(&current, line_no)?;
                sentences.push(std::mem::take(&mut current));
                started = false;
            }
            continue;
        }
        started = true;
        if line.starts_with('#') {
            current.comments.push(line.to_string());
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 10 {
            return Err(ConlluError {
                line: line_no,
                message: format!("expected 10 tab-separated columns, found {}", cols.len()),
            });
        }
        let id = cols[0];
        if id.contains('-') || id.contains('.') {
            current.extra.push(ExtraLine {
                before_word: current.words.len(),
                line: line.to_string(),
            });
            continue;
        }
        let id: usize = id.parse().map_err(|_| ConlluError {
            line: line_no,
            message: format!("invalid word ID {id:?}"),
        })?;
        if id != current.words.len() + 1 {
            return Err(ConlluError {
                line: line_no,
                message: format!("word ID {id} out of sequence (expected {})", current.words.len() + 1),
            });
        }
        let head = match cols[6] {
            "_" => None,
            h => Some(h.parse::<usize>().map_err(|_| ConlluError {
                line: line_no,
                message: format!("invalid HEAD {h:?}"),
            })?),
        };
        current.words.push(Word {
            form: cols[1].to_string(),
            lemma: cols[2].to_string(),
            upos: cols[3].to_string(),
            xpos: cols[4].to_string(),
            feats: cols[5].to_string(),
            head,
            deprel: cols[7].to_string(),
            deps: cols[8].to_string(),
            misc: cols[9].to_string(),
        });
    }
    if started {
        check_heads(&current, input.lines().count())?;
        sentences.push(current);
    }
    Ok(sentences)
}

fn check_heads(sentence: &Sentence, line: usize) -> Result<(), ConlluError> {
    let n = sentence.words.len();
    if let Some(w) = sentence.words.iter().find(|w| w.head.is_some_and(|h| h > n)) {
        return Err(ConlluError {
            line,
            message: format!("HEAD of word {:?} points past the sentence end ({n} words)", w.form),
        });
    }
    Ok(())
}

/// Writes sentences as CoNLL-U, each followed by a blank line.
pub fn write(sentences: &[Sentence]) -> String {
    let mut out = String::new();
    for s in sentences {
        write_sentence(s, &mut out);
    }
    out
}

/// Appends one sentence (and its terminating blank line) to `out`.
pub fn write_sentence(sentence: &Sentence, out: &mut String) {
    for c in &sentence.comments {
        out.push_str(c);
        out.push('\n');
    }
    let mut extra = sentence.extra.iter().peekable();
    for (i, w) in sentence.words.iter().enumerate() {
        while let Some(e) = extra.next_if(|e| e.before_word == i) {
            out.push_str(&e.line);
            out.push('\n');
        }
        let head = w.head.map_or_else(|| "_".to_string(), |h| h.to_string());
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            i + 1,
            w.form,
            w.lemma,
            w.upos,
            w.xpos,
            w.feats,
            head,
            w.deprel,
            w.deps,
            w.misc
        );
    }
    for e in extra {
        out.push_str(&e.line);
        out.push('\n');
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# sent_id = 1\n# text = I don't.\n1\tI\tI\tPRON\tPRP\t_\t3\tnsubj\t_\t_\n2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n2\tdo\tdo\tAUX\tVBP\t_\t3\taux\t_\t_\n3\tn't\tnot\tPART\tRB\t_\t0\troot\t_\tSpaceAfter=No\n4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n\n";

    #[test]
    fn round_trip_keeps_multiword_lines_and_comments() {
        let s = parse(SAMPLE).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].words.len(), 4);
        assert_eq!(s[0].text(), Some("I don't."));
        assert!(!s[0].words[2].space_after());
        assert_eq!(write(&s), SAMPLE);
    }

    #[test]
    fn reports_line_of_bad_column_count() {
        let err = parse("1\tI\tI\n").unwrap_err();
        assert_eq!(err.line, 1);
        let err = parse("1\ta\t_\t_\t_\t_\t5\t_\t_\t_\n\n").unwrap_err();
        assert!(err.message.contains("HEAD"), "{err}");
    }
}

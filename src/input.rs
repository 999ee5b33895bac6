//! Reading input documents: files, directories (recursive), stdin; plain text or JSON Lines.
//!
//! Every problem becomes an [`InputError`] that names the file (and line) and
//! says what to do; the caller reports it and goes on with the next document.
//! Files are read one at a time and JSONL line by line, so memory stays bounded
//! by the largest single document.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Largest accepted document, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

/// Input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum InputFormat {
    /// JSON Lines for `.jsonl`/`.ndjson` files, text otherwise (stdin: text).
    #[default]
    Auto,
    /// One document per file (or per stdin).
    Text,
    /// One JSON object per line: `text` and optional `id`, `title`, `date`, `url`.
    Jsonl,
}

/// A document as read, before analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDocument {
    /// Explicit identity: JSONL `id` (else `url`), or the file path. `None` for
    /// stdin text: the document is then identified by its content hash.
    pub id: Option<String>,
    /// Human-readable name: the id, or where it came from (`<stdin>`, `file:line`).
    pub name: String,
    /// Title, if given.
    pub title: Option<String>,
    /// Publication date `YYYY-MM-DD`, if given (validated).
    pub date: Option<String>,
    /// Source URL, if given.
    pub url: Option<String>,
    /// The text.
    pub text: String,
}

/// Where an input came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file.
    File(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Stdin => f.write_str("<stdin>"),
            Self::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A problem with one input (file, or line of a JSONL file).
#[derive(Debug, thiserror::Error)]
#[error("{location}: {kind}")]
pub struct InputError {
    /// `path` or `path:line`.
    pub location: String,
    /// What went wrong.
    pub kind: InputErrorKind,
}

/// What went wrong with an input.
#[derive(Debug, thiserror::Error)]
pub enum InputErrorKind {
    /// The path does not exist or cannot be read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// The file holds NUL bytes.
    #[error("binary file (contains NUL bytes), skipped; pass text files or JSON Lines")]
    Binary,
    /// The bytes are not UTF-8.
    #[error("not valid UTF-8 at byte {0}; convert the file to UTF-8 (e.g. with iconv)")]
    NotUtf8(usize),
    /// Nothing but whitespace.
    #[error("empty document, skipped")]
    Empty,
    /// Larger than [`MAX_DOCUMENT_BYTES`].
    #[error("document larger than {} MiB; split it", MAX_DOCUMENT_BYTES / 1024 / 1024)]
    TooLarge,
    /// A JSONL line is not a JSON object with a string `text`.
    #[error(
        "invalid JSON Lines record: {0}; expected {{\"text\": \"…\", \"id\"?: …, \"title\"?: …, \"date\"?: \"YYYY-MM-DD\", \"url\"?: …}}"
    )]
    Json(String),
    /// A date that is not `YYYY-MM-DD`, or not a day of the calendar.
    #[error("invalid date {0:?}; use YYYY-MM-DD with a day that exists (years 0001-9999)")]
    Date(String),
    /// A JSONL record repeats the id of an earlier record of the same file.
    #[error("duplicate id {id:?} (first on line {first_line}); this record is skipped, the first one is kept")]
    DuplicateId {
        /// The id.
        id: String,
        /// Line of the record that is kept.
        first_line: usize,
    },
    /// A directory entry that is neither a file nor a directory (FIFO, socket, device).
    #[error("not a regular file (FIFO, socket or device), skipped; name it explicitly to read it")]
    NotRegular,
    /// A directory reached again through a symbolic link.
    #[error("directory already read (a symbolic link leads back to it), skipped")]
    Revisited,
}

impl InputError {
    /// True for problems that skip an entry but are not the user's mistake
    /// (a FIFO or a symbolic-link loop met while walking a directory):
    /// reported as warnings, they do not make the run fail.
    pub fn is_warning(&self) -> bool {
        matches!(self.kind, InputErrorKind::NotRegular | InputErrorKind::Revisited)
    }
}

/// Expands paths: `-` is stdin, directories are walked recursively (sorted,
/// hidden entries skipped). No paths means stdin.
///
/// Symbolic links are followed, but a directory is read once however many
/// links lead to it (a link to `.` or `..` would otherwise loop or repeat the
/// tree); FIFOs, sockets and devices met while walking are skipped (reading a
/// FIFO blocks until someone writes). A path named explicitly is read whatever
/// it is, so `textkg ingest fifo` still works.
pub fn expand_paths(paths: &[PathBuf]) -> (Vec<Source>, Vec<InputError>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    let mut visited = HashSet::new();
    if paths.is_empty() {
        sources.push(Source::Stdin);
    }
    for p in paths {
        if p.as_os_str() == "-" {
            sources.push(Source::Stdin);
        } else if p.is_dir() {
            walk(p, &mut visited, &mut sources, &mut errors);
        } else if p.exists() {
            sources.push(Source::File(p.clone()));
        } else {
            errors.push(InputError {
                location: p.display().to_string(),
                kind: InputErrorKind::Io(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file or directory",
                )),
            });
        }
    }
    (sources, errors)
}

fn walk(dir: &Path, visited: &mut HashSet<PathBuf>, sources: &mut Vec<Source>, errors: &mut Vec<InputError>) {
    let error = |kind: InputErrorKind| InputError {
        location: dir.display().to_string(),
        kind,
    };
    match std::fs::canonicalize(dir) {
        Ok(canonical) => {
            if !visited.insert(canonical) {
                errors.push(error(InputErrorKind::Revisited));
                return;
            }
        }
        Err(e) => {
            errors.push(error(e.into()));
            return;
        }
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(error(e.into()));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    paths.sort();
    for p in paths {
        // `metadata` follows symbolic links: a link counts as what it points to.
        match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() => walk(&p, visited, sources, errors),
            Ok(m) if m.is_file() => sources.push(Source::File(p)),
            Ok(_) => errors.push(InputError {
                location: p.display().to_string(),
                kind: InputErrorKind::NotRegular,
            }),
            Err(e) => errors.push(InputError {
                location: p.display().to_string(),
                kind: e.into(),
            }),
        }
    }
}

/// Options applied to every document read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Input format.
    pub format: InputFormat,
    /// Publication date for documents that do not carry one.
    pub date: Option<String>,
}

/// What a [`read_source`] sink returns: go on reading, or stop.
pub type Flow = std::ops::ControlFlow<()>;

/// Reads the documents of one source, calling `sink` for each document or
/// error as soon as it is read (a JSONL file streams line by line), until
/// the sink returns [`Flow::Break`].
pub fn read_source(
    source: &Source,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Result<SourceDocument, InputError>) -> Flow,
) {
    let reader: Box<dyn Read> = match source {
        Source::Stdin => Box::new(std::io::stdin().lock()),
        Source::File(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                let _ = sink(Err(InputError {
                    location: source.to_string(),
                    kind: e.into(),
                }));
                return;
            }
        },
    };
    read_from(reader, source, options, sink);
}

/// Reads the documents of `reader` as [`read_source`] reads those of
/// `source` (whose name and extension decide the format under
/// [`InputFormat::Auto`], and name the documents and errors): for sources
/// already open, such as bytes held in memory.
pub fn read_from(
    reader: impl Read,
    source: &Source,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Result<SourceDocument, InputError>) -> Flow,
) {
    let location = source.to_string();
    let format = match (options.format, source) {
        (InputFormat::Auto, Source::File(p))
            if p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson")) =>
        {
            InputFormat::Jsonl
        }
        (InputFormat::Auto, _) => InputFormat::Text,
        (f, _) => f,
    };
    match format {
        InputFormat::Auto | InputFormat::Text => {
            let _ = sink(read_text(reader, source, options).map_err(|kind| InputError { location, kind }));
        }
        InputFormat::Jsonl => read_jsonl(BufReader::new(reader), &location, options, sink),
    }
}

fn read_text(reader: impl Read, source: &Source, options: &ReadOptions) -> Result<SourceDocument, InputErrorKind> {
    let mut bytes = Vec::new();
    reader.take(MAX_DOCUMENT_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(InputErrorKind::TooLarge);
    }
    let text = decode(bytes)?;
    let (id, name) = match source {
        Source::Stdin => (None, "<stdin>".to_string()),
        Source::File(p) => (Some(p.display().to_string()), p.display().to_string()),
    };
    let date = options.date.as_deref().map(validate_date).transpose()?;
    Ok(SourceDocument {
        id,
        name,
        title: None,
        date,
        url: None,
        text,
    })
}

/// Checks bytes are UTF-8 text with content.
fn decode(bytes: Vec<u8>) -> Result<String, InputErrorKind> {
    if bytes.contains(&0) {
        return Err(InputErrorKind::Binary);
    }
    let mut text = String::from_utf8(bytes).map_err(|e| InputErrorKind::NotUtf8(e.utf8_error().valid_up_to()))?;
    if text.starts_with('\u{feff}') {
        // A byte-order mark is not content; dropping it keeps offsets meaningful.
        text.remove(0);
    }
    if text.trim().is_empty() {
        return Err(InputErrorKind::Empty);
    }
    Ok(text)
}

#[derive(serde::Deserialize)]
struct JsonRecord {
    text: String,
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn read_jsonl(
    mut reader: impl BufRead,
    location: &str,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Result<SourceDocument, InputError>) -> Flow,
) {
    let mut line_no = 0;
    let mut buf = Vec::new();
    // Line of the first record with each id: a repeated id would silently
    // replace the earlier record in the store.
    let mut first_lines: HashMap<String, usize> = HashMap::new();
    loop {
        buf.clear();
        line_no += 1;
        // Bounded read: a line longer than the limit is drained and reported.
        let read = (&mut reader)
            .take(MAX_DOCUMENT_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf);
        let here = format!("{location}:{line_no}");
        match read {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => {
                let _ = sink(Err(InputError {
                    location: here,
                    kind: e.into(),
                }));
                return;
            }
        }
        if buf.len() > MAX_DOCUMENT_BYTES && !buf.ends_with(b"\n") {
            let mut skip = Vec::new();
            let _ = reader.read_until(b'\n', &mut skip);
            if sink(Err(InputError {
                location: here,
                kind: InputErrorKind::TooLarge,
            }))
            .is_break()
            {
                return;
            }
            continue;
        }
        if line_no == 1 && buf.starts_with(UTF8_BOM) {
            // Editors on Windows start files with a byte-order mark; it is not JSON.
            buf.drain(..UTF8_BOM.len());
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let result = parse_record(std::mem::take(&mut buf), &here, options).and_then(|doc| match &doc.id {
            Some(id) => match first_lines.get(id) {
                Some(&first_line) => Err(InputErrorKind::DuplicateId {
                    id: id.clone(),
                    first_line,
                }),
                None => {
                    first_lines.insert(id.clone(), line_no);
                    Ok(doc)
                }
            },
            None => Ok(doc),
        });
        let result = result.map_err(|kind| InputError { location: here, kind });
        if sink(result).is_break() {
            return;
        }
    }
}

fn parse_record(bytes: Vec<u8>, here: &str, options: &ReadOptions) -> Result<SourceDocument, InputErrorKind> {
    let line = String::from_utf8(bytes).map_err(|e| InputErrorKind::NotUtf8(e.utf8_error().valid_up_to()))?;
    let record: JsonRecord = serde_json::from_str(&line).map_err(|e| InputErrorKind::Json(e.to_string()))?;
    if record.text.trim().is_empty() {
        return Err(InputErrorKind::Empty);
    }
    let id = match record.id {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::Null | serde_json::Value::String(_)) | None => None,
        Some(other) => {
            return Err(InputErrorKind::Json(format!(
                "\"id\" must be a string or number, found {other}"
            )));
        }
    }
    .or_else(|| record.url.clone());
    let date = record
        .date
        .or_else(|| options.date.clone())
        .as_deref()
        .map(validate_date)
        .transpose()?;
    Ok(SourceDocument {
        name: id.clone().unwrap_or_else(|| here.to_string()),
        id,
        title: record.title,
        date,
        url: record.url,
        text: record.text,
    })
}

/// Accepts `YYYY-MM-DD`, optionally followed by a time (`T…`), and returns
/// the date part. The day must exist in the (proleptic Gregorian) calendar:
/// 2024-02-30 and 2023-02-29 are refused, as is year 0000 (xsd:date and
/// OWL-Time disagree on it).
pub fn validate_date(s: &str) -> Result<String, InputErrorKind> {
    let date = s.trim().get(..10).unwrap_or("");
    let rest = s.trim().get(10..).unwrap_or("");
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let ok = b.len() == 10 && digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10);
    let number = |r: std::ops::Range<usize>| date.get(r).and_then(|n| n.parse::<u32>().ok()).unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    if ok && year >= 1 && (1..=days_in_month(year, month)).contains(&day) && (rest.is_empty() || rest.starts_with('T'))
    {
        Ok(date.to_string())
    } else {
        Err(InputErrorKind::Date(s.to_string()))
    }
}

/// Days in `month` (1-12) of `year`; 0 for a month that does not exist.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonl(input: &str) -> Vec<Result<SourceDocument, String>> {
        let mut out = Vec::new();
        read_jsonl(input.as_bytes(), "in.jsonl", &ReadOptions::default(), &mut |r| {
            out.push(r.map_err(|e| e.to_string()));
            Flow::Continue(())
        });
        out
    }

    #[test]
    fn jsonl_reading_stops_when_the_sink_says_so() {
        let input = "{\"text\":\"a\"}\n{\"text\":\"b\"}\n{\"text\":\"c\"}\n";
        let mut seen = Vec::new();
        read_jsonl(input.as_bytes(), "in.jsonl", &ReadOptions::default(), &mut |r| {
            seen.push(r.map(|d| d.text).unwrap_or_default());
            if seen.len() == 2 {
                Flow::Break(())
            } else {
                Flow::Continue(())
            }
        });
        assert_eq!(seen, ["a", "b"]);
    }

    #[test]
    fn jsonl_records_and_errors_carry_line_numbers() {
        let out = jsonl(
            "{\"id\":\"a\",\"text\":\"Hello.\",\"date\":\"2025-08-16\"}\n\nnot json\n{\"text\":\"x\",\"id\":7}\n{\"text\":\"y\",\"date\":\"16/08/2025\"}\n",
        );
        assert_eq!(out.len(), 4);
        let a = out[0].as_ref().unwrap();
        assert_eq!((a.id.as_deref(), a.date.as_deref()), (Some("a"), Some("2025-08-16")));
        assert!(
            out[1]
                .as_ref()
                .unwrap_err()
                .starts_with("in.jsonl:3: invalid JSON Lines record")
        );
        assert_eq!(out[2].as_ref().unwrap().id.as_deref(), Some("7"));
        assert!(out[3].as_ref().unwrap_err().contains("in.jsonl:5: invalid date"));
    }

    #[test]
    fn binary_non_utf8_and_empty_are_rejected() {
        assert!(matches!(decode(vec![b'a', 0, b'b']), Err(InputErrorKind::Binary)));
        assert!(matches!(decode(vec![b'a', 0xff]), Err(InputErrorKind::NotUtf8(1))));
        assert!(matches!(decode(b"  \n".to_vec()), Err(InputErrorKind::Empty)));
        assert_eq!(decode("\u{feff}Hi".as_bytes().to_vec()).unwrap(), "Hi");
    }

    #[test]
    fn dates_are_validated() {
        assert_eq!(validate_date("2025-08-16T10:00:00Z").unwrap(), "2025-08-16");
        assert!(validate_date("2025-13-01").is_err());
        assert!(validate_date("August 16").is_err());
    }

    #[test]
    fn dates_that_are_not_in_the_calendar_are_refused() {
        for bad in [
            "2024-02-30",
            "2023-02-29",
            "1900-02-29",
            "2025-04-31",
            "0000-01-01",
            "2025-00-10",
        ] {
            assert!(validate_date(bad).is_err(), "{bad} accepted");
        }
        for good in ["2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31", "2025-12-31"] {
            assert_eq!(validate_date(good).unwrap(), good);
        }
    }

    #[test]
    fn jsonl_reports_impossible_dates_with_their_line() {
        let out = jsonl("{\"text\":\"a\"}\n{\"text\":\"b\",\"date\":\"2023-02-29\"}\n");
        assert!(
            out[1]
                .as_ref()
                .unwrap_err()
                .starts_with("in.jsonl:2: invalid date \"2023-02-29\"")
        );
    }

    #[test]
    fn jsonl_byte_order_mark_is_not_part_of_line_one() {
        let out = jsonl("\u{feff}{\"id\":\"a\",\"text\":\"Hello.\"}\n{\"text\":\"b\"}\n");
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].as_ref().unwrap().id.as_deref(), Some("a"));
    }

    #[test]
    fn jsonl_duplicate_id_is_reported_and_the_first_record_kept() {
        let out = jsonl(
            "{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n{\"id\":\"a\",\"text\":\"three\"}\n",
        );
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].as_ref().unwrap().text, "one");
        assert!(out[1].is_ok());
        let e = out[2].as_ref().unwrap_err();
        assert!(e.starts_with("in.jsonl:3: duplicate id \"a\" (first on line 1)"), "{e}");
    }
}

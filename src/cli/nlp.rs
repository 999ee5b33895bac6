//! `tag` and `ner`: the NLP models over CoNLL-U and CoNLL/IOB2 files.

use super::*;

/// Reads a CoNLL-U file (gzip when the name ends in `.gz`, `-` for stdin).
pub(super) fn read_conllu(path: &std::path::Path) -> Result<Vec<textkg::nlp::conllu::Sentence>> {
    let text = read_text_file(path)?;
    textkg::nlp::conllu::parse(&text).with_context(|| format!("in {}", path.display()))
}

pub(super) fn tag(paths: Vec<PathBuf>, input_format: TagInput) -> Result<Outcome> {
    let analyzer = textkg::nlp::annotate::Analyzer::embedded()?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let paths = if paths.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        paths
    };
    let mut errors = 0;
    for path in &paths {
        match input_format {
            TagInput::Conllu => match read_conllu(path) {
                Ok(mut sentences) => {
                    let mut buf = String::new();
                    for s in &mut sentences {
                        analyzer.annotate(s)?;
                        buf.clear();
                        textkg::nlp::conllu::write_sentence(s, &mut buf);
                        out.write_all(buf.as_bytes())?;
                    }
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    errors += 1;
                }
            },
            TagInput::Text => {
                let sources = if path.as_os_str() == "-" {
                    vec![input::Source::Stdin]
                } else {
                    input::expand_paths(std::slice::from_ref(path)).0
                };
                for source in sources {
                    let options = ReadOptions {
                        format: InputFormat::Text,
                        date: None,
                    };
                    input::read_source(&source, &options, &mut |r| {
                        match r {
                            Ok(doc) => {
                                let id = match &doc.id {
                                    Some(path) => std::path::Path::new(path)
                                        .file_stem()
                                        .map_or_else(|| "doc".to_string(), |s| s.to_string_lossy().to_string()),
                                    None => "stdin".to_string(),
                                };
                                let analysed = textkg::nlp::segment(doc.text);
                                let mut buf = format!("# newdoc id = {id}\n");
                                match analyzer.annotate_text(&analysed, &id) {
                                    Ok(sentences) => {
                                        for s in sentences {
                                            textkg::nlp::conllu::write_sentence(&s, &mut buf);
                                        }
                                    }
                                    Err(e) => {
                                        eprintln!("error: {e}");
                                        errors += 1;
                                    }
                                }
                                if let Err(e) = out.write_all(buf.as_bytes()) {
                                    eprintln!("error: {e}");
                                    errors += 1;
                                }
                            }
                            Err(e) => {
                                eprintln!("error: {e}");
                                errors += 1;
                            }
                        }
                        input::Flow::Continue(())
                    });
                }
            }
        }
    }
    out.flush()?;
    Ok(if errors > 0 { Outcome::Partial } else { Outcome::Success })
}

pub(super) fn read_ner_corpus(path: &std::path::Path, format: NerFormat) -> Result<textkg::ner::conll::Corpus> {
    use textkg::ner::conll::{self, Format};
    let text = read_text_file(path)?;
    let format = match format {
        NerFormat::Conll => Format::Conll,
        NerFormat::Iob2 => Format::Iob2,
    };
    conll::read(&text, format).with_context(|| format!("in {}", path.display()))
}

/// Predicts every sentence of a corpus (document by document) and scores it
/// against the corpus' own tags. IOB2 (UNER) has no MISC class, so MISC
/// predictions are dropped there.
pub(super) fn predict_ner(
    model: &textkg::ner::NerModel,
    corpus: &textkg::ner::conll::Corpus,
    format: NerFormat,
) -> (Vec<Vec<textkg::ner::conll::Span>>, textkg::ner::eval::Evaluation) {
    let mut predicted = Vec::new();
    let mut evaluation = textkg::ner::eval::Evaluation::default();
    for d in &corpus.documents {
        let words: Vec<Vec<&str>> = d
            .sentences
            .iter()
            .map(|s| s.words.iter().map(String::as_str).collect())
            .collect();
        for (s, mut p) in d.sentences.iter().zip(model.predict_document(&words)) {
            if format == NerFormat::Iob2 {
                p.retain(|x| x.label != textkg::ner::conll::EntityLabel::Misc);
            }
            evaluation.add(&s.spans, &p);
            predicted.push(p);
        }
    }
    (predicted, evaluation)
}

/// The embedded NER model, or the model file at `path`.
pub(super) fn load_ner_model(
    path: Option<&std::path::Path>,
) -> Result<std::borrow::Cow<'static, textkg::ner::NerModel>> {
    match path {
        None => Ok(std::borrow::Cow::Borrowed(textkg::ner::stage::embedded()?)),
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            let model = textkg::ner::NerModel::from_bytes(&bytes)
                .with_context(|| format!("{} is not a NER model written by `textkg train ner`", p.display()))?;
            Ok(std::borrow::Cow::Owned(model))
        }
    }
}

pub(super) fn ner(
    paths: Vec<PathBuf>,
    input_format: NerFormat,
    format: Option<NerFormat>,
    model: Option<&std::path::Path>,
) -> Result<Outcome> {
    use textkg::ner::conll::{self, Scheme};
    let loaded = load_ner_model(model)?;
    let model = loaded.as_ref();
    let scheme = match format.unwrap_or(input_format) {
        NerFormat::Conll => Scheme::Iob1,
        NerFormat::Iob2 => Scheme::Iob2,
    };
    let paths = if paths.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        paths
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    for path in &paths {
        let corpus = read_ner_corpus(path, input_format)?;
        let (predicted, _) = predict_ner(model, &corpus, input_format);
        out.write_all(conll::write(&corpus, &predicted, scheme).as_bytes())?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}

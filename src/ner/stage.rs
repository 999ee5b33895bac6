//! NER as a pipeline stage: the embedded model's names, written on the
//! [`Document`] like tags and parses, for the extractor to weigh with its
//! other evidence.

use std::sync::OnceLock;

use crate::document::{Document, NameClass, NamedSpan};
use crate::nlp::models::ModelError;

use super::NerModel;
use super::conll::EntityLabel;

const NER: &[u8] = include_bytes!("../../models/ner.bin");

/// The embedded named-entity recognizer (`models/ner.bin`), decoded once per process.
pub fn embedded() -> Result<&'static NerModel, ModelError> {
    static CELL: OnceLock<Result<NerModel, ModelError>> = OnceLock::new();
    CELL.get_or_init(|| {
        NerModel::from_bytes(NER).map_err(|e| ModelError {
            model: "ner.bin",
            message: e.to_string(),
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Runs `model` over the document's sentences and stores its names in
/// [`Document::names`] (replacing any earlier ones).
pub fn recognize_with(model: &NerModel, doc: &mut Document) {
    let sentences: Vec<Vec<&str>> = doc
        .sentences
        .iter()
        .map(|s| s.tokens.clone().map(|i| doc.token_text(i)).collect())
        .collect();
    let predicted = model.predict_document(&sentences);
    let mut names = Vec::new();
    for (sentence, spans) in doc.sentences.iter().zip(predicted) {
        for sp in spans {
            let (a, b) = (sentence.tokens.start + sp.start, sentence.tokens.start + sp.end);
            if a >= b || b > sentence.tokens.end {
                continue;
            }
            let class = match sp.label {
                EntityLabel::Per => NameClass::Person,
                EntityLabel::Org => NameClass::Organization,
                EntityLabel::Loc => NameClass::Location,
                EntityLabel::Misc => NameClass::Misc,
            };
            names.push(NamedSpan { tokens: a..b, class });
        }
    }
    doc.names = names;
}

/// Runs the embedded model over the document (see [`recognize_with`]).
pub fn recognize(doc: &mut Document) -> Result<(), ModelError> {
    recognize_with(embedded()?, doc);
    Ok(())
}

/// Segments, tags and parses `text` as the extraction pipeline does
/// ([`crate::nlp::EXTRACTION_PARSE`]), then recognises names: the input the
/// extractor expects. Never fails: a model that does not decode leaves its
/// annotation out (see [`crate::nlp::analyze`]).
pub fn analyze_for_extraction(text: String) -> Document {
    let mut doc = crate::nlp::analyze_with(text, &crate::nlp::EXTRACTION_PARSE);
    let _ = recognize(&mut doc);
    doc
}

/// [`crate::nlp::analyze`] (beam parse of every sentence) followed by NER.
pub fn analyze(text: String) -> Document {
    let mut doc = crate::nlp::analyze(text);
    let _ = recognize(&mut doc);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_land_on_the_document_with_document_token_indices() {
        let doc = analyze("The weather was fine. Angela Merkel visited Paris on Monday.".to_string());
        let names: Vec<(&str, NameClass)> = doc
            .names
            .iter()
            .map(|n| {
                let span =
                    crate::document::Span::new(doc.tokens[n.tokens.start].start, doc.tokens[n.tokens.end - 1].end);
                (doc.span_text(span), n.class)
            })
            .collect();
        assert!(names.contains(&("Angela Merkel", NameClass::Person)), "{names:?}");
        assert!(names.contains(&("Paris", NameClass::Location)), "{names:?}");
    }
}

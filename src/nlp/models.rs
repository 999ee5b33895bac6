//! The trained models shipped in `models/`, embedded in the binary and decoded
//! once per process. Nothing is read from disk or the network at run time.

use std::sync::OnceLock;

use super::lemma::Lemmatizer;
use super::parser::Parser;
use super::tagger::Tagger;

const TAGGER: &[u8] = include_bytes!("../../models/tagger.bin");
const LEMMATIZER: &[u8] = include_bytes!("../../models/lemmatizer.bin");
const PARSER: &[u8] = include_bytes!("../../models/parser.bin");
const NER: &[u8] = include_bytes!("../../models/ner.bin");

/// An embedded model failed to decode (a corrupt build, never user input).
#[derive(Debug, Clone, thiserror::Error)]
#[error("embedded model {model} is corrupt: {message}; rebuild textkg from a clean checkout")]
pub struct ModelError {
    /// Which model.
    pub model: &'static str,
    /// Decoder message.
    pub message: String,
}

fn load<T, E: std::fmt::Display>(
    cell: &'static OnceLock<Result<T, ModelError>>,
    model: &'static str,
    decode: impl FnOnce() -> Result<T, E>,
) -> Result<&'static T, ModelError> {
    cell.get_or_init(|| {
        decode().map_err(|e| ModelError {
            model,
            message: e.to_string(),
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// The POS tagger (UPOS + XPOS), trained on UD EWT + GUM news (see `models/README.md`).
pub fn tagger() -> Result<&'static Tagger, ModelError> {
    static CELL: OnceLock<Result<Tagger, ModelError>> = OnceLock::new();
    load(&CELL, "tagger.bin", || Tagger::from_bytes(TAGGER))
}

/// The lemmatizer, trained on the same data.
pub fn lemmatizer() -> Result<&'static Lemmatizer, ModelError> {
    static CELL: OnceLock<Result<Lemmatizer, ModelError>> = OnceLock::new();
    load(&CELL, "lemmatizer.bin", || Lemmatizer::from_bytes(LEMMATIZER))
}

/// The dependency parser (arc-eager, UD relations), trained on the same data.
pub fn parser() -> Result<&'static Parser, ModelError> {
    static CELL: OnceLock<Result<Parser, ModelError>> = OnceLock::new();
    load(&CELL, "parser.bin", || Parser::from_bytes(PARSER))
}

/// The named-entity recognizer (UNER English EWT, CC BY-SA 4.0).
pub fn ner() -> Result<&'static crate::ner::NerModel, ModelError> {
    static CELL: OnceLock<Result<crate::ner::NerModel, ModelError>> = OnceLock::new();
    load(&CELL, "ner.bin", || crate::ner::NerModel::from_bytes(NER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_models_load_and_tag_a_sentence() {
        let tagger = tagger().expect("tagger loads");
        let tags = tagger.tag(&["The", "president", "met", "Putin", "in", "Alaska", "."]);
        let upos: Vec<&str> = tags.iter().map(|t| t.upos).collect();
        assert_eq!(upos, ["DET", "NOUN", "VERB", "PROPN", "ADP", "PROPN", "PUNCT"]);
        let lemma = lemmatizer().expect("lemmatizer loads");
        assert_eq!(lemma.lemmatize("met", "VBD", "VERB"), "meet");
        assert_eq!(lemma.lemmatize("talks", "NNS", "NOUN"), "talk");
    }
}

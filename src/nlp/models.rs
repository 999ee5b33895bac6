//! The trained models shipped in `models/`, embedded in the binary and decoded
//! once per process. Nothing is read from disk or the network at run time.

use std::sync::OnceLock;

use super::lemma::Lemmatizer;
use super::parser::Parser;
use super::tagger::Tagger;

const TAGGER: &[u8] = include_bytes!("../../models/tagger.bin");
const LEMMATIZER: &[u8] = include_bytes!("../../models/lemmatizer.bin");
const PARSER: &[u8] = include_bytes!("../../models/parser.bin");
const PARSER_GREEDY: &[u8] = include_bytes!("../../models/parser-greedy.bin");

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

/// The greedy dependency parser the extraction pipeline uses: trained for
/// greedy decoding (dynamic oracle) on the same data, with fewer templates.
pub fn greedy_parser() -> Result<&'static Parser, ModelError> {
    static CELL: OnceLock<Result<Parser, ModelError>> = OnceLock::new();
    load(&CELL, "parser-greedy.bin", || Parser::from_bytes(PARSER_GREEDY))
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

    #[test]
    fn both_embedded_parsers_load_and_attach_the_subject_to_the_verb() {
        let words = ["Putin", "suggested", "Moscow", "."];
        let upos = ["PROPN", "VERB", "PROPN", "PUNCT"];
        let xpos = ["NNP", "VBD", "NNP", "."];
        for parser in [
            parser().expect("beam parser loads"),
            greedy_parser().expect("greedy parser loads"),
        ] {
            let arcs = parser.parse_ids_with_beam(&words, &upos, &xpos, 1);
            let heads: Vec<usize> = arcs.iter().map(|a| a.0).collect();
            assert_eq!(heads, [2, 0, 2, 2]);
            assert_eq!(parser.label(arcs[0].1), "nsubj");
        }
    }
}

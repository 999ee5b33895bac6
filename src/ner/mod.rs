//! Named-entity recognition: a BILOU averaged perceptron (left-to-right with a
//! right-to-left partner) with gazetteer, word-cluster and document-level
//! features, plus CoNLL-2003 / IOB2 reading and writing and conlleval-style
//! scoring.
//!
//! The shipped model (`models/ner.bin`) is trained on openly licensed data
//! only (UNER English EWT, and GUM's entity annotation converted to name
//! spans by [`gum`]); see `models/README.md` for scores and licences. The
//! name-list features ([`names`]) are an option of `train ner`.
//! `textkg ner` and `textkg eval ner` take `--model FILE` to use another one
//! (e.g. the research model trained with CoNLL-2003, which is not shipped).

pub mod clusters;
pub mod conll;
pub mod eval;
pub mod gazetteer;
pub mod gum;
mod model;
pub mod names;
pub mod stage;

pub use model::*;

//! textkg: English text (news first) → knowledge graph with provenance.
//!
//! Data flows one way, one module per stage:
//! text → [`input`] → [`nlp`] ([`document::Document`]) → [`extract`]
//! (mentions → entities → relations) → [`rdf`] / [`json`] → [`store`] →
//! [`resolve`] (cross-document merges) → [`query`], [`export`], [`serve`] (HTTP) and
//! [`push`] (to remote stores). [`pipeline`] runs the stages over many documents
//! in parallel. See `ARCHITECTURE.md` for the map and invariants.

pub mod analyze;
pub mod bench;
pub mod document;
pub mod entity_eval;
pub mod export;
pub mod extract;
pub mod fuzz;
pub mod input;
pub mod iri;
pub mod json;
pub mod lexicon;
pub mod ner;
pub mod nlp;
pub mod openie;
pub mod pipeline;
pub mod push;
pub mod query;
pub mod rdf;
pub mod relation_eval;
pub mod resolve;
pub mod serve;
pub mod store;

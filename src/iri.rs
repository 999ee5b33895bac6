//! IRI minting: documents, entities, open relations, extractors.
//!
//! IRIs are stable: they depend only on their inputs (a document's id or
//! content, an entity's coarse type and canonical name), never on run order or
//! time. Slugs keep Unicode letters (IRIs allow them) and replace everything
//! else by `-`, so every minted IRI is valid.

use sha2::{Digest, Sha256};

use crate::extract::EntityType;

/// The textkg ontology namespace (classes and properties).
pub const ONTOLOGY: &str = "https://w3id.org/textkg/ns#";
/// Default base for generated data IRIs (documents, entities).
pub const DEFAULT_DATA_BASE: &str = "https://w3id.org/textkg/id/";

/// Mints data IRIs under one base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    base: String,
}

impl Default for Namespace {
    fn default() -> Self {
        Self {
            base: DEFAULT_DATA_BASE.to_string(),
        }
    }
}

impl Namespace {
    /// A namespace under `base`; a missing trailing `/` or `#` is added.
    pub fn new(base: &str) -> Self {
        let mut base = base.to_string();
        if !base.ends_with('/') && !base.ends_with('#') {
            base.push('/');
        }
        Self { base }
    }

    /// The base IRI.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A document's IRI: from its given id when there is one, else from its content hash.
    pub fn document(&self, id: Option<&str>, content_hash: &str) -> String {
        match id {
            Some(id) => format!("{}doc/{}", self.base, &sha256_hex(id.as_bytes())[..24]),
            None => format!(
                "{}doc/sha256-{}",
                self.base,
                &content_hash[..24.min(content_hash.len())]
            ),
        }
    }

    /// An entity's IRI: coarse type plus slug of the canonical name.
    pub fn entity(&self, entity_type: EntityType, label: &str) -> String {
        format!(
            "{}{}/{}",
            self.base,
            entity_type.coarse().class_name().to_lowercase(),
            slug(label)
        )
    }

    /// IRI of a normalised date (`…/date/2025-08-16`).
    pub fn date(&self, value: &str) -> String {
        format!("{}date/{}", self.base, slug(value))
    }

    /// IRI of an open (non-ontology) relation named by a verb lemma.
    pub fn open_relation(&self, lemma: &str) -> String {
        format!("{}rel/{}", self.base, slug(lemma))
    }

    /// IRI of an extractor (a `prov:SoftwareAgent`).
    pub fn extractor(&self, id: &str) -> String {
        format!("{}extractor/{}", self.base, slug(id))
    }
}

/// A span inside a document, as a NIF RFC 5147 fragment (`…#char=start,end`, code points).
pub fn span_iri(document: &str, start: usize, end: usize) -> String {
    format!("{document}#char={start},{end}")
}

/// Lowercase slug: letters and digits kept, runs of anything else become one `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "_".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Lowercase hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_stable_and_valid() {
        assert_eq!(slug("Donald Trump"), "donald-trump");
        assert_eq!(slug("  U.S.  "), "u-s");
        assert_eq!(slug("Médecins Sans Frontières"), "médecins-sans-frontières");
        assert_eq!(slug("<>\"{}"), "_");
    }

    #[test]
    fn entity_iris_use_coarse_type() {
        let ns = Namespace::default();
        assert_eq!(
            ns.entity(EntityType::City, "Moscow"),
            "https://w3id.org/textkg/id/place/moscow"
        );
        assert_eq!(
            ns.entity(EntityType::Place, "Moscow"),
            ns.entity(EntityType::City, "Moscow")
        );
        assert_ne!(
            ns.entity(EntityType::Organization, "Washington"),
            ns.entity(EntityType::City, "Washington")
        );
    }

    #[test]
    fn minted_iris_parse() {
        let ns = Namespace::new("http://example.org/kg");
        for iri in [
            ns.entity(EntityType::Person, "A \"quoted\" <name> {x}"),
            ns.document(Some("a b.txt"), "00"),
            ns.open_relation("hold talks"),
            span_iri(&ns.document(None, &sha256_hex(b"x")), 0, 3),
        ] {
            oxigraph::model::NamedNode::new(&iri).expect("valid IRI");
        }
    }
}

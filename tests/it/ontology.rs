//! The ontology declares every term of our namespace that the output uses.

use std::collections::BTreeSet;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Term, vocab::rdf};

use crate::{ok, repo, shared};

const TK: &str = "https://w3id.org/textkg/ns#";

/// Terms typed in `ontology/textkg.ttl`.
pub fn declared() -> BTreeSet<String> {
    let ttl = std::fs::read(repo("ontology/textkg.ttl")).unwrap();
    RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&ttl)
        .map(|q| q.expect("ontology parses"))
        .filter(|q| q.predicate == rdf::TYPE)
        .map(|q| q.subject.to_string().trim_matches(['<', '>']).to_string())
        .collect()
}

/// Terms of our namespace used in N-Quads text.
pub fn used(nquads: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for q in RdfParser::from_format(RdfFormat::NQuads).for_slice(nquads.as_bytes()) {
        let q = q.unwrap();
        for t in [
            Term::from(q.subject.clone()),
            Term::from(q.predicate.clone()),
            q.object.clone(),
        ] {
            if let Term::NamedNode(n) = t
                && n.as_str().starts_with(TK)
            {
                out.insert(n.as_str().to_string());
            }
        }
    }
    out
}

#[test]
fn every_namespace_term_in_the_output_is_declared() {
    let declared = declared();
    let mut inputs = vec![repo("examples/news").to_string_lossy().to_string()];
    if let Some(seed) = shared("seeds/alaska-summit-2025.txt") {
        inputs.push(seed.to_string_lossy().to_string());
    }
    let mut args = vec!["extract", "--format", "nquads"];
    args.extend(inputs.iter().map(String::as_str));
    let used = used(&ok(&args, &repo("")));
    assert!(used.len() > 10, "{used:?}");
    let missing: Vec<&String> = used.iter().filter(|t| !declared.contains(*t)).collect();
    assert!(
        missing.is_empty(),
        "used but not declared in ontology/textkg.ttl: {missing:?}"
    );
}

#[test]
fn every_lexicon_property_is_declared() {
    let declared = declared();
    let verbs = std::fs::read_to_string(repo("models/lexicon/verbs.tsv")).unwrap();
    let nouns = std::fs::read_to_string(repo("models/lexicon/nominal_events.tsv")).unwrap();
    let rows = verbs
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| l.split('\t').nth(2))
        .chain(
            nouns
                .lines()
                .filter(|l| !l.starts_with('#'))
                .skip(1)
                .filter_map(|l| l.split('\t').nth(1)),
        );
    for p in rows {
        assert!(
            declared.contains(&format!("{TK}{p}")),
            "lexicon property tk:{p} not declared"
        );
    }
}

#[test]
fn every_event_class_is_declared_with_its_code() {
    let declared = declared();
    let table = std::fs::read_to_string(repo("models/lexicon/event_types.tsv")).unwrap();
    let codes: Vec<&str> = table
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(codes.len(), 20, "CAMEO has 20 root categories");
    for code in codes {
        assert!(
            declared.contains(&format!("{TK}cameo-{code}")),
            "event class tk:cameo-{code} not declared"
        );
    }
}

#[test]
fn declared_terms_have_labels_or_comments() {
    let ttl = std::fs::read(repo("ontology/textkg.ttl")).unwrap();
    let quads: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&ttl)
        .collect::<Result<_, _>>()
        .unwrap();
    for term in declared().iter().filter(|t| t.starts_with(TK)) {
        let has = |p: &str| {
            quads
                .iter()
                .any(|q| q.subject.to_string() == format!("<{term}>") && q.predicate.as_str() == p)
        };
        assert!(
            has("http://www.w3.org/2000/01/rdf-schema#label"),
            "{term} has no rdfs:label"
        );
        assert!(
            has("http://www.w3.org/2000/01/rdf-schema#comment"),
            "{term} has no rdfs:comment"
        );
    }
}

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

/// Rows of `models/lexicon/predicates.tsv`: property, subject types, object types.
fn predicate_rows() -> Vec<(String, String, String)> {
    std::fs::read_to_string(repo("models/lexicon/predicates.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c[0].to_string(), c[1].to_string(), c[2].to_string())
        })
        .collect()
}

#[test]
fn argument_types_agree_between_lexicon_ontology_and_shapes() {
    let ttl = std::fs::read(repo("ontology/textkg.ttl")).unwrap();
    let quads: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&ttl)
        .map(|q| q.expect("ontology parses"))
        .collect();
    let shapes = std::fs::read_to_string(repo("ontology/shapes.ttl")).unwrap();
    // The shapes parse too.
    assert!(
        RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(shapes.as_bytes())
            .all(|q| q.is_ok())
    );
    let rows = predicate_rows();
    assert!(rows.len() > 30, "{}", rows.len());
    for (p, domain, range) in rows {
        let iri = format!("<{TK}{p}>");
        let has = |what: &str| {
            quads
                .iter()
                .any(|q| q.subject.to_string() == iri && q.predicate.as_str().ends_with(what))
        };
        assert_eq!(
            has("#domain"),
            domain != "*",
            "rdfs:domain of {p} in the ontology vs predicates.tsv"
        );
        assert_eq!(
            has("#range"),
            range != "*",
            "rdfs:range of {p} in the ontology vs predicates.tsv"
        );
        assert!(
            shapes.contains(&format!("sh:targetSubjectsOf tk:{p} ;")),
            "ontology/shapes.ttl has no shape for {p}"
        );
        if let Some(t) = domain.split('|').next().filter(|_| domain != "*") {
            let class = if t == "Group" {
                "tk:Group".to_string()
            } else {
                format!("schema:{t}")
            };
            let shape = shapes.split(&format!("tks:{p} a sh:NodeShape")).nth(1).unwrap_or("");
            let shape = shape.split(" .\n").next().unwrap_or("");
            assert!(shape.contains(&class), "the shape of {p} does not require {class}");
        }
    }
}

/// Validates TriG with pySHACL against `ontology/shapes.ttl`; `None` when pySHACL is missing.
fn pyshacl_conforms(trig: &str) -> Option<(bool, String)> {
    if !crate::exports::tool("python3 with pyshacl", "python3", &["-c", "import pyshacl, rdflib"]) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.trig");
    std::fs::write(&path, trig).unwrap();
    let script = "import sys, rdflib, pyshacl\n\
        ds = rdflib.Dataset(); ds.parse(sys.argv[1], format='trig')\n\
        g = rdflib.Graph()\n\
        for s, p, o, c in ds.quads((None, None, None, None)): g.add((s, p, o))\n\
        shapes = rdflib.Graph().parse(sys.argv[2], format='turtle')\n\
        ok, _, text = pyshacl.validate(g, shacl_graph=shapes)\n\
        print(text); sys.exit(0 if ok else 3)";
    let o = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .arg(repo("ontology/shapes.ttl"))
        .output()
        .unwrap();
    let code = o.status.code();
    assert!(
        matches!(code, Some(0 | 3)),
        "pySHACL failed to run: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    Some((code == Some(0), String::from_utf8_lossy(&o.stdout).into_owned()))
}

#[test]
fn output_conforms_to_the_shapes_with_pyshacl() {
    let mut args = vec!["extract", "--format", "trig", "examples/news"];
    let seed = shared("seeds/alaska-summit-2025.txt").map(|p| p.to_string_lossy().to_string());
    if let Some(s) = &seed {
        args.push(s);
    }
    let trig = ok(&args, &repo(""));
    let Some((conforms, report)) = pyshacl_conforms(&trig) else {
        return;
    };
    assert!(conforms, "output violates ontology/shapes.ttl:\n{report}");
    // The shapes can fail: an organisation working for a city does.
    let bad = "@prefix tk: <https://w3id.org/textkg/ns#> . @prefix schema: <http://schema.org/> .\n\
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\
        <urn:g> { <urn:acme> a schema:Organization ; rdfs:label \"Acme\" ; tk:worksFor <urn:oslo> .\n\
        <urn:oslo> a schema:City, schema:Place ; rdfs:label \"Oslo\" . }\n";
    let (conforms, _) = pyshacl_conforms(bad).expect("pyshacl ran above");
    assert!(!conforms, "a domain violation passed the shapes");
}

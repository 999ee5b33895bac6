//! Cross-document entity resolution on an in-memory store: merges, ambiguity,
//! type conflicts, listing, undo and order independence.

use std::collections::BTreeSet;

use oxigraph::model::Quad;
use textkg::extract::EntityType;
use textkg::iri::Namespace;
use textkg::resolve::{self, STATUS_ACTIVE, STATUS_UNDONE};
use textkg::store::{KgStore, PreparedDocument};

use crate::{prepared, processed};

const ANNA: &str = "Chancellor Anna Keller met Mayor Ian Cole in Berlin on Monday. \
Keller said the Berlin Council would fund the new bridge.";
const CHANCELLOR_KELLER: &str = "Chancellor Keller said on Tuesday that the Berlin Council approved the budget.";
const TOM: &str = "Tom Keller, a farmer from Bavaria, said the harvest was poor. Tom Keller sold his farm.";
/// "Keller" typed Person (by the age apposition) with no title and no shared entities.
const BARE_KELLER: &str = "Keller, 54, said she was pleased with the harvest.";
const WASHINGTON_CITY: &str = "Officials in Washington said the new bridge would open in May.";

fn doc(id: &str, text: &str) -> PreparedDocument {
    prepared(&processed(id, text))
}

/// Loads documents one at a time, resolving after each (as `ingest` does).
fn store_with(docs: &[PreparedDocument]) -> KgStore {
    let store = KgStore::in_memory().unwrap();
    for d in docs {
        store.write(vec![d.clone()]).unwrap();
        resolve::resolve(&store, &Namespace::default()).unwrap();
    }
    store
}

fn select(store: &KgStore, q: &str) -> Vec<Vec<String>> {
    let mut prepared = oxigraph::sparql::SparqlEvaluator::new().parse_query(q).unwrap();
    prepared.dataset_mut().set_default_graph_as_union();
    let mut out = Vec::new();
    if let oxigraph::sparql::QueryResults::Solutions(s) = prepared.on_store(store.inner()).execute().unwrap() {
        let vars: Vec<_> = s.variables().to_vec();
        for row in s {
            let row = row.unwrap();
            out.push(
                vars.iter()
                    .map(|v| match row.get(v) {
                        Some(oxigraph::model::Term::Literal(l)) => l.value().to_string(),
                        Some(t) => t.to_string().trim_matches(['<', '>']).to_string(),
                        None => String::new(),
                    })
                    .collect(),
            );
        }
    }
    out
}

/// Entity IRIs that `doc`'s mentions link to.
fn entities_of(store: &KgStore, id: &str) -> BTreeSet<String> {
    let graph = &doc_iri(id);
    select(
        store,
        &format!(
            "SELECT DISTINCT ?e WHERE {{ GRAPH <{graph}> {{ ?m <http://www.w3.org/2005/11/its/rdf#taIdentRef> ?e }} }}"
        ),
    )
    .into_iter()
    .map(|r| r[0].clone())
    .collect()
}

fn doc_iri(id: &str) -> String {
    Namespace::default().document(Some(id), "")
}

/// The quads of document `id`'s graph, as N-Quads lines.
fn graph_of(store: &KgStore, id: &str) -> BTreeSet<String> {
    let iri = doc_iri(id);
    let graph = oxigraph::model::NamedNodeRef::new(&iri).unwrap();
    store
        .inner()
        .quads_for_pattern(None, None, None, Some(graph.into()))
        .map(|q| q.unwrap().to_string())
        .collect()
}

const ANNA_IRI: &str = "https://w3id.org/textkg/id/person/anna-keller";
const KELLER_IRI: &str = "https://w3id.org/textkg/id/person/keller";

fn sorted_quads(store: &KgStore) -> Vec<String> {
    let mut v: Vec<String> = store
        .inner()
        .iter()
        .map(|q: Result<Quad, _>| q.unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn surname_only_article_joins_the_unique_full_name() {
    let store = store_with(&[doc("a", ANNA), doc("b", CHANCELLOR_KELLER)]);
    let (a, b) = (entities_of(&store, "a"), entities_of(&store, "b"));
    assert!(b.contains(ANNA_IRI), "{b:?}");
    assert!(!b.contains(KELLER_IRI), "{b:?}");
    // Every person and organisation of the short article is a node of the long one.
    let named: BTreeSet<&String> = b.iter().filter(|e| !e.contains("/date/")).collect();
    assert!(named.len() >= 2 && named.iter().all(|e| a.contains(*e)), "{a:?} {b:?}");
    // One node, one label; the short form is an alias.
    let labels = select(
        &store,
        &format!("SELECT DISTINCT ?l WHERE {{ <{ANNA_IRI}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"),
    );
    assert_eq!(labels, vec![vec!["Anna Keller".to_string()]]);
    let ds = resolve::decisions(&store).unwrap();
    assert_eq!(ds.len(), 1, "{ds:?}");
    let m = &ds[0];
    assert_eq!((m.source.as_str(), m.target.as_str()), (KELLER_IRI, ANNA_IRI));
    assert_eq!(m.document, doc_iri("b"));
    assert_eq!(m.supporting, vec![doc_iri("a")]);
    assert_eq!(m.supporting_count, 1);
    assert_eq!(m.status, STATUS_ACTIVE);
    assert_eq!(m.rule, resolve::RULE_ALIAS);
    assert!(m.score >= resolve::THRESHOLD, "{m:?}");
    assert!(m.explanation.contains("shared title Chancellor"), "{m:?}");
    assert!(m.explanation.contains("Berlin Council"), "{m:?}");
}

#[test]
fn two_people_with_one_surname_and_no_context_stay_apart() {
    // With one candidate, the bare surname joins it (same type, no conflict)…
    let one = store_with(&[doc("a", ANNA), doc("e", BARE_KELLER)]);
    assert!(entities_of(&one, "e").contains(ANNA_IRI));
    // …with two equally good candidates it stays apart.
    let store = store_with(&[doc("a", ANNA), doc("t", TOM), doc("e", BARE_KELLER)]);
    assert!(entities_of(&store, "t").contains("https://w3id.org/textkg/id/person/tom-keller"));
    let e = entities_of(&store, "e");
    assert!(e.contains(KELLER_IRI), "{e:?}");
    assert!(
        !e.contains(ANNA_IRI) && !e.iter().any(|x| x.ends_with("/tom-keller")),
        "{e:?}"
    );
    assert!(resolve::decisions(&store).unwrap().is_empty());
    let s = resolve::resolve(&store, &Namespace::default()).unwrap();
    assert_eq!((s.merges, s.ambiguous), (0, 1), "{s:?}");
    // The titled article still finds Anna Keller: the title disambiguates.
    store.write(vec![doc("b", CHANCELLOR_KELLER)]).unwrap();
    let s = resolve::resolve(&store, &Namespace::default()).unwrap();
    assert_eq!(s.merges, 1, "{s:?}");
    assert!(entities_of(&store, "b").contains(ANNA_IRI));
}

#[test]
fn a_city_and_an_organisation_with_one_name_stay_apart() {
    let city = processed("w1", WASHINGTON_CITY);
    // The same text with "Washington" typed as an organisation (a government,
    // as a NER model might read "Washington imposed sanctions").
    let mut org = processed("w2", "Washington said the new sanctions would stay.");
    let mut found = false;
    for e in &mut org.extraction.entities {
        if e.label.starts_with("Washington") {
            e.label = "Washington".into();
            e.entity_type = EntityType::Organization;
            e.aliases.clear();
            e.wikidata = None;
            found = true;
        }
    }
    assert!(found, "{:?}", org.extraction.entities);
    let store = store_with(&[prepared(&city), prepared(&org)]);
    assert!(resolve::decisions(&store).unwrap().is_empty());
    let w1 = entities_of(&store, "w1");
    let w2 = entities_of(&store, "w2");
    assert!(
        w2.contains("https://w3id.org/textkg/id/organization/washington"),
        "{w2:?}"
    );
    assert!(w1.is_disjoint(&w2), "{w1:?} {w2:?}");
}

#[test]
fn undo_restores_separate_nodes_and_is_not_redone() {
    let b = doc("b", CHANCELLOR_KELLER);
    let alone = store_with(std::slice::from_ref(&b));
    let pristine_b = graph_of(&alone, "b");
    let store = store_with(&[doc("a", ANNA), b]);
    let id = resolve::decisions(&store).unwrap()[0].id.clone();
    let short = id.rsplit('/').next().unwrap()[..8].to_string();
    let m = resolve::undo(&store, &short).unwrap();
    assert_eq!(m.id, id);
    let graph_b = graph_of(&store, "b");
    assert_eq!(graph_b, pristine_b, "document graph as extracted");
    assert!(entities_of(&store, "b").contains(KELLER_IRI));
    // Recorded as undone, and resolution does not merge it again.
    let s = resolve::resolve(&store, &Namespace::default()).unwrap();
    assert_eq!(s.merges, 0, "{s:?}");
    let ds = resolve::decisions(&store).unwrap();
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].status, STATUS_UNDONE);
    assert!(entities_of(&store, "b").contains(KELLER_IRI));
    assert!(matches!(
        resolve::undo(&store, &id),
        Err(resolve::ResolveError::AlreadyUndone(_))
    ));
    assert!(matches!(
        resolve::undo(&store, "no-such-merge"),
        Err(resolve::ResolveError::NotFound(_))
    ));
}

#[test]
fn resolution_is_independent_of_ingest_order() {
    // In this order "Keller, 54" first joins Anna Keller, then Tom Keller
    // arrives and the merge is taken back; in reverse it is never made.
    let docs = [
        doc("a", ANNA),
        doc("e", BARE_KELLER),
        doc("t", TOM),
        doc("b", CHANCELLOR_KELLER),
        doc("w1", WASHINGTON_CITY),
    ];
    let first_two = store_with(&docs[..2]);
    assert!(entities_of(&first_two, "e").contains(ANNA_IRI));
    let forward_store = store_with(&docs);
    assert!(entities_of(&forward_store, "e").contains(KELLER_IRI));
    assert_eq!(resolve::decisions(&forward_store).unwrap().len(), 1);
    let forward = sorted_quads(&forward_store);
    let mut reversed = docs.to_vec();
    reversed.reverse();
    let backward = sorted_quads(&store_with(&reversed));
    assert_eq!(forward, backward);
    // All at once, resolved once: the same graph again; a second run changes nothing.
    let once = KgStore::in_memory().unwrap();
    once.write(docs.to_vec()).unwrap();
    resolve::resolve(&once, &Namespace::default()).unwrap();
    assert_eq!(sorted_quads(&once), forward);
    let s = resolve::resolve(&once, &Namespace::default()).unwrap();
    assert_eq!((s.added, s.removed, s.documents_rewritten), (0, 0, 0), "{s:?}");
    assert_eq!(sorted_quads(&once), forward);
}

#[test]
fn a_replaced_document_is_resolved_again() {
    let store = store_with(&[doc("a", ANNA), doc("b", CHANCELLOR_KELLER)]);
    // b changes: it now names Tom Keller's farm, no chancellor.
    store.write(vec![doc("b", TOM)]).unwrap();
    let s = resolve::resolve(&store, &Namespace::default()).unwrap();
    assert_eq!(s.merges, 0, "{s:?}");
    assert!(resolve::decisions(&store).unwrap().is_empty());
    assert!(!entities_of(&store, "b").contains(ANNA_IRI));
}

#[test]
fn decision_records_use_only_declared_terms() {
    let store = store_with(&[doc("a", ANNA), doc("b", CHANCELLOR_KELLER)]);
    let id = resolve::decisions(&store).unwrap()[0].id.clone();
    let mut nquads = String::new();
    for q in store.inner().iter() {
        nquads.push_str(&format!("{} .\n", q.unwrap()));
    }
    let used = crate::ontology::used(&nquads);
    for term in ["CrossDocumentMerge", "mergeScore", "mergeStatus", "supportingDocument"] {
        assert!(used.contains(&format!("https://w3id.org/textkg/ns#{term}")), "{term}");
    }
    let declared = crate::ontology::declared();
    let missing: Vec<&String> = used.iter().filter(|t| !declared.contains(*t)).collect();
    assert!(missing.is_empty(), "used but not declared: {missing:?}");
    // Undo keeps the record (status undone): still declared terms only.
    resolve::undo(&store, &id).unwrap();
    assert_eq!(resolve::decisions(&store).unwrap()[0].status, STATUS_UNDONE);
}

#[test]
fn merges_listing_shows_both_scopes_with_reasons_and_status() {
    let store = store_with(&[doc("a", ANNA), doc("b", CHANCELLOR_KELLER)]);
    let list = |entity: Option<&str>| {
        let mut out = Vec::new();
        textkg::query::run_query(
            &store,
            &resolve::merges_query(entity),
            textkg::query::QueryOptions::default(),
            textkg::query::ResultFormat::Csv,
            &mut out,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    };
    let out = list(Some("Anna Keller"));
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        "entity,form,rule,document,scope,score,status,id,reasons"
    );
    let rows: Vec<&str> = lines.collect();
    // "Keller" within document a (surname rule), and across documents from b.
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Anna Keller,Keller,part-of-unique-person-name,a,within-document,,active,,")),
        "{out}"
    );
    let cross = rows
        .iter()
        .find(|r| r.contains("cross-document"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        cross.starts_with("Anna Keller,Keller,cross-document-alias,b,cross-document,"),
        "{cross}"
    );
    assert!(cross.contains(",active,https://w3id.org/textkg/id/merge/"), "{cross}");
    assert!(cross.contains("shared title Chancellor"), "{cross}");
    let id = resolve::decisions(&store).unwrap()[0].id.clone();
    resolve::undo(&store, &id).unwrap();
    let out = list(None);
    assert!(out.contains(&format!(",undone,{id},")), "{out}");
}

#[test]
fn conflicting_titles_keep_people_apart() {
    // Same surname, unique candidate, but a mayor is not the chancellor.
    let store = store_with(&[
        doc("a", ANNA),
        doc(
            "m",
            "Mayor Keller said on Friday that the new bridge would open in May.",
        ),
    ]);
    let m = entities_of(&store, "m");
    assert!(m.contains(KELLER_IRI), "{m:?}");
    assert!(!m.contains(ANNA_IRI), "{m:?}");
    assert!(resolve::decisions(&store).unwrap().is_empty());
}

#[test]
fn a_surname_one_person_dominates_in_the_corpus_joins_that_person() {
    // Anna Keller is named in ten documents, Tom Keller in one: a bare
    // "Keller" leans to Anna, and the merge record says why.
    let mut docs: Vec<PreparedDocument> = (0..10)
        .map(|i| doc(&format!("a{i}"), &ANNA.replace("Monday", &format!("day {i}"))))
        .collect();
    docs.push(doc("t", TOM));
    docs.push(doc("e", BARE_KELLER));
    let store = store_with(&docs);
    assert!(entities_of(&store, "e").contains(ANNA_IRI));
    let ds = resolve::decisions(&store).unwrap();
    let m = ds
        .iter()
        .find(|m| m.form == "Keller" && m.target == ANNA_IRI)
        .expect("merge of Keller");
    assert!(m.explanation.contains("dominant bearer of the name"), "{m:?}");
    // With a second well-attested bearer (Tom in five documents) it stays apart.
    let mut docs: Vec<PreparedDocument> = (0..10)
        .map(|i| doc(&format!("a{i}"), &ANNA.replace("Monday", &format!("day {i}"))))
        .collect();
    docs.extend((0..5).map(|i| doc(&format!("t{i}"), &TOM.replace("poor", &format!("poor in year {i}")))));
    docs.push(doc("e", BARE_KELLER));
    let store = store_with(&docs);
    let e = entities_of(&store, "e");
    assert!(
        !e.contains(ANNA_IRI) && !e.iter().any(|x| x.ends_with("/tom-keller")),
        "{e:?}"
    );
}

/// Issue 17: a decision listed every document naming its target, so records
/// (and resolution's memory) grew with the square of the corpus.
#[test]
fn decisions_list_a_bounded_number_of_supporting_documents_and_count_them() {
    let n = resolve::MAX_SUPPORTING + 5;
    let mut docs: Vec<PreparedDocument> = (0..n).map(|i| doc(&format!("a{i:02}"), ANNA)).collect();
    docs.push(doc("b", CHANCELLOR_KELLER));
    let store = KgStore::in_memory().unwrap();
    store.write(docs).unwrap();
    resolve::resolve(&store, &Namespace::default()).unwrap();
    let ds = resolve::decisions(&store).unwrap();
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(ds[0].supporting_count, n);
    let mut expected: Vec<String> = (0..n).map(|i| doc_iri(&format!("a{i:02}"))).collect();
    expected.sort();
    expected.truncate(resolve::MAX_SUPPORTING);
    let mut listed = ds[0].supporting.clone();
    listed.sort();
    assert_eq!(listed, expected);
}

/// Issue 17: resolution commits in batches of whole documents. A run stopped
/// after some batches leaves some documents resolved (with their records) and
/// the others as extracted; running again gives exactly an uninterrupted run.
#[test]
fn a_run_stopped_between_batches_ends_like_an_uninterrupted_one() {
    let mut docs = vec![doc("a", ANNA)];
    docs.extend((0..4).map(|i| {
        doc(
            &format!("b{i}"),
            &CHANCELLOR_KELLER.replace("Tuesday", &format!("Tuesday, day {i},")),
        )
    }));
    let clean = KgStore::in_memory().unwrap();
    clean.write(docs.clone()).unwrap();
    let s = resolve::resolve(&clean, &Namespace::default()).unwrap();
    assert_eq!(s.merges, 4, "{s:?}");

    let store = KgStore::in_memory().unwrap();
    store.write(docs).unwrap();
    let unresolved = sorted_quads(&store);
    // One document a transaction; stop when the third document is reached.
    let options = resolve::ResolveOptions {
        batch_quads: 1,
        ..resolve::ResolveOptions::default()
    };
    let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        resolve::resolve_with_options(&store, &Namespace::default(), options, &mut |stage, done, _| {
            assert!(!(stage == "rewriting documents" && done == 2), "stopped on purpose");
        })
    }));
    assert!(stopped.is_err(), "the run should have been stopped");
    let partial = resolve::decisions(&store).unwrap();
    assert_eq!(partial.len(), 2, "two documents committed before the stop: {partial:?}");
    let resolved: Vec<bool> = (0..4)
        .map(|i| entities_of(&store, &format!("b{i}")).contains(ANNA_IRI))
        .collect();
    // Which two depends on the order documents are rewritten in, not on the test.
    assert_eq!(resolved.iter().filter(|&&r| r).count(), 2, "{resolved:?}");
    assert_ne!(sorted_quads(&store), unresolved);

    let s = resolve::resolve(&store, &Namespace::default()).unwrap();
    assert_eq!((s.merges, s.added, s.removed), (4, 2, 0), "{s:?}");
    assert_eq!(sorted_quads(&store), sorted_quads(&clean));
}

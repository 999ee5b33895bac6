//! Store semantics on an in-memory store: replace-by-graph, idempotence, info.

use textkg::store::{KgStore, PreparedDocument};

fn prepared(id: &str, text: &str) -> PreparedDocument {
    crate::prepared(&crate::processed(id, text))
}

#[test]
fn writes_are_idempotent_and_replace_only_their_graph() {
    let store = KgStore::in_memory().unwrap();
    let a = prepared("a", "Mayor Ian Cole thanked Canada.");
    let b = prepared("b", "Mayor Eva Lund praised Mexico.");
    let s = store.write(vec![a.clone(), b.clone()]).unwrap();
    assert_eq!((s.added, s.replaced, s.unchanged), (2, 0, 0));
    let n = store.len().unwrap();
    let s = store.write(vec![a.clone()]).unwrap();
    assert_eq!((s.added, s.replaced, s.unchanged), (0, 0, 1));
    assert_eq!(store.len().unwrap(), n);
    let a2 = prepared("a", "Mayor Ian Cole praised Peru.");
    let s = store.write(vec![a2.clone()]).unwrap();
    assert_eq!(s.replaced, 1);
    let b_quads = store
        .inner()
        .quads_for_pattern(
            None,
            None,
            None,
            Some(oxigraph::model::NamedNodeRef::new(&b.identity.iri).unwrap().into()),
        )
        .count();
    assert_eq!(b_quads, b.quads.len(), "b's graph untouched");
    let info = store.info().unwrap();
    assert_eq!(info.documents, 2);
    assert_eq!(info.relations, 2);
}

#[test]
fn the_same_document_twice_in_one_batch_keeps_the_last() {
    let store = KgStore::in_memory().unwrap();
    let s = store
        .write(vec![
            prepared("a", "Mayor Ian Cole thanked Canada."),
            prepared("a", "Mayor Ian Cole praised Peru."),
        ])
        .unwrap();
    assert_eq!((s.added, s.replaced), (1, 1));
    let info = store.info().unwrap();
    assert_eq!(info.documents, 1);
    assert_eq!(
        info.relations_by_predicate,
        vec![("https://w3id.org/textkg/ns#praises".to_string(), 1)]
    );
}

//! Canned analyses shipped as SPARQL files in `examples/queries/` and run by
//! name (`textkg query --named NAME`). The files are embedded at compile time,
//! so the binary runs them anywhere; they stay plain SPARQL that
//! `textkg query -f FILE` runs too.
//!
//! A query may take parameters: a line `VALUES ?name { UNDEF }` is a slot that
//! [`bind`] fills with a literal (`--bind name=VALUE`); left unbound, the query
//! runs over everything.

/// A shipped query.
#[derive(Debug, Clone, Copy)]
pub struct NamedQuery {
    /// Name given to `--named` (the file name without `.rq`).
    pub name: &'static str,
    /// The first comment line of the file: what it answers.
    pub description: &'static str,
    /// The SPARQL text.
    pub text: &'static str,
}

macro_rules! shipped {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../examples/queries/", $name, ".rq")))),*]
    };
}

const FILES: &[(&str, &str)] = shipped!(
    "who-said-what",
    "timeline",
    "actor-network",
    "events-by-place",
    "claims-vs-facts",
    "central-entities",
    "entities",
    "events",
    "event-classes",
    "relation-evidence",
);

/// Every shipped query, in the order `--named` lists them.
pub fn all() -> Vec<NamedQuery> {
    FILES
        .iter()
        .map(|&(name, text)| NamedQuery {
            name,
            description: text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix('#'))
                .map_or("", str::trim),
            text,
        })
        .collect()
}

/// The shipped query called `name`.
pub fn find(name: &str) -> Option<NamedQuery> {
    all().into_iter().find(|q| q.name == name)
}

/// Parameters (`VALUES ?name { UNDEF }` slots) of a query, in text order.
pub fn parameters(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("VALUES ?")?;
            let (name, slot) = rest.split_once(' ')?;
            (slot.trim() == "{ UNDEF }").then(|| name.to_string())
        })
        .collect()
}

/// Errors of [`bind`].
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BindError {
    /// `--bind` without `=`.
    #[error("--bind {0:?} is not NAME=VALUE")]
    Syntax(String),
    /// The query has no slot of this name.
    #[error("the query has no parameter {name:?} (its parameters: {available})")]
    Unknown {
        /// The name given.
        name: String,
        /// The slots the query has.
        available: String,
    },
}

/// Fills the query's `VALUES ?name { UNDEF }` slots with string literals
/// (escaped, so a value cannot change the query's structure).
pub fn bind(text: &str, bindings: &[String]) -> Result<String, BindError> {
    let mut out = text.to_string();
    for b in bindings {
        let (name, value) = b.split_once('=').ok_or_else(|| BindError::Syntax(b.clone()))?;
        let slot = format!("VALUES ?{name} {{ UNDEF }}");
        if !out.contains(&slot) {
            let available = parameters(text).join(", ");
            return Err(BindError::Unknown {
                name: name.to_string(),
                available: if available.is_empty() { "none".into() } else { available },
            });
        }
        let literal = oxigraph::model::Literal::new_simple_literal(value);
        out = out.replace(&slot, &format!("VALUES ?{name} {{ {literal} }}"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_query_parses_and_says_what_it_does() {
        for q in all() {
            assert!(!q.description.is_empty(), "{}", q.name);
            let _query = crate::query::evaluator()
                .parse_query(q.text)
                .unwrap_or_else(|e| panic!("{}: {e}", q.name));
        }
        assert!(find("timeline").is_some() && find("nope").is_none());
    }

    #[test]
    fn bind_fills_slots_with_escaped_literals() {
        let q = find("timeline").unwrap();
        assert_eq!(parameters(q.text), ["entity"]);
        let bound = bind(q.text, &["entity=Vladimir \"V\" Putin".into()]).unwrap();
        assert!(
            bound.contains(r#"VALUES ?entity { "Vladimir \"V\" Putin" }"#),
            "{bound}"
        );
        let _query = crate::query::evaluator().parse_query(&bound).unwrap();
        assert!(matches!(bind(q.text, &["x=1".into()]), Err(BindError::Unknown { .. })));
        assert!(matches!(bind(q.text, &["x".into()]), Err(BindError::Syntax(_))));
    }
}

//! Writers of the entity graph for analysts' tools: GraphML (networkx, Gephi,
//! yEd, igraph), GEXF 1.3 (Gephi; document dates as spells), CSV for
//! `neo4j-admin database import`, and JSON-LD with a schema.org context.
//!
//! Every writer gives nodes their IRI, label, type and Wikidata link, and
//! edges their predicate, confidence, count of supporting statements and one
//! evidence sentence. Node ids are the entity IRIs in every format, so the
//! same graph read from two formats has the same node names.

use std::collections::HashMap;
use std::io::Write;

use petgraph::visit::EdgeRef;

use super::{Edge, EntityGraph};
use crate::rdf::ns;

/// Escapes text for XML character data and attribute values, dropping the
/// characters XML 1.0 cannot hold (control characters other than tab and
/// newline, lone surrogates cannot occur in Rust strings, U+FFFE/U+FFFF).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A float in the shortest form that reads back to the same value.
fn number(x: f64) -> String {
    if x.is_finite() { format!("{x}") } else { "0".to_string() }
}

/// Writes the entity graph as GraphML: a directed graph whose node ids are
/// entity IRIs, with typed `<key>` declarations for every attribute.
/// networkx reads it with `read_graphml` (a `MultiDiGraph` when two
/// entities have more than one edge).
pub fn write_graphml(graph: &EntityGraph, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for (id, what, name, ty) in [
        ("label", "node", "label", "string"),
        ("type", "node", "type", "string"),
        ("iri", "node", "iri", "string"),
        ("wikidata", "node", "wikidata", "string"),
        ("predicate", "edge", "predicate", "string"),
        ("elabel", "edge", "label", "string"),
        ("confidence", "edge", "confidence", "double"),
        ("count", "edge", "count", "int"),
        ("evidence", "edge", "evidence", "string"),
        ("asserted", "edge", "asserted", "boolean"),
        ("claimed_by", "edge", "claimed_by", "string"),
    ] {
        writeln!(
            out,
            r#"  <key id="{id}" for="{what}" attr.name="{name}" attr.type="{ty}"/>"#
        )?;
    }
    writeln!(out, r#"  <graph id="textkg" edgedefault="directed">"#)?;
    for n in graph.node_weights() {
        writeln!(out, r#"    <node id="{}">"#, xml_escape(&n.id))?;
        writeln!(out, r#"      <data key="label">{}</data>"#, xml_escape(&n.label))?;
        writeln!(out, r#"      <data key="type">{}</data>"#, xml_escape(&n.node_type))?;
        writeln!(out, r#"      <data key="iri">{}</data>"#, xml_escape(&n.id))?;
        if let Some(wd) = &n.wikidata {
            writeln!(out, r#"      <data key="wikidata">{}</data>"#, xml_escape(wd))?;
        }
        writeln!(out, "    </node>")?;
    }
    for (k, e) in graph.edge_references().enumerate() {
        let w = e.weight();
        writeln!(
            out,
            r#"    <edge id="e{k}" source="{}" target="{}">"#,
            xml_escape(&graph[e.source()].id),
            xml_escape(&graph[e.target()].id)
        )?;
        writeln!(
            out,
            r#"      <data key="predicate">{}</data>"#,
            xml_escape(&w.predicate)
        )?;
        writeln!(out, r#"      <data key="elabel">{}</data>"#, xml_escape(&w.label))?;
        writeln!(out, r#"      <data key="confidence">{}</data>"#, number(w.confidence))?;
        writeln!(out, r#"      <data key="count">{}</data>"#, w.count)?;
        if let Some(ev) = &w.evidence {
            writeln!(out, r#"      <data key="evidence">{}</data>"#, xml_escape(ev))?;
        }
        writeln!(out, r#"      <data key="asserted">{}</data>"#, w.asserted)?;
        if let Some(s) = &w.claimed_by {
            writeln!(out, r#"      <data key="claimed_by">{}</data>"#, xml_escape(s))?;
        }
        writeln!(out, "    </edge>")?;
    }
    writeln!(out, "  </graph>")?;
    writeln!(out, "</graphml>")
}

/// A GEXF node's or edge's attribute values, then its spells.
fn write_attvalues(values: &[(&str, &str)], dates: &[String], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "        <attvalues>")?;
    for (k, v) in values {
        writeln!(out, r#"          <attvalue for="{k}" value="{}"/>"#, xml_escape(v))?;
    }
    writeln!(out, "        </attvalues>")?;
    write_spells(dates, "        ", out)
}

/// Writes `<spells>` for a sorted list of days: one spell per day (a document
/// is published on one day), so Gephi's timeline shows when an entity or a
/// relation was in the news.
fn write_spells(dates: &[String], indent: &str, out: &mut dyn Write) -> std::io::Result<()> {
    if dates.is_empty() {
        return Ok(());
    }
    writeln!(out, "{indent}<spells>")?;
    for d in dates {
        let d = xml_escape(d);
        writeln!(out, r#"{indent}  <spell start="{d}" end="{d}"/>"#)?;
    }
    writeln!(out, "{indent}</spells>")
}

/// Writes the entity graph as GEXF 1.3: a dynamic graph (`timeformat="date"`)
/// whose nodes and edges carry the publication dates of their documents as
/// spells, with typed attributes; the edge weight is the statement count.
/// Node ids are entity IRIs and node labels entity labels.
pub fn write_gexf(graph: &EntityGraph, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#
    )?;
    writeln!(out, "  <meta>")?;
    writeln!(out, "    <creator>{}</creator>", xml_escape(crate::rdf::TOOL_VERSION))?;
    writeln!(
        out,
        "    <description>textkg entity graph: entities and the relations stated between them</description>"
    )?;
    writeln!(out, "  </meta>")?;
    writeln!(
        out,
        r#"  <graph defaultedgetype="directed" mode="dynamic" timeformat="date" timerepresentation="interval">"#
    )?;
    writeln!(out, r#"    <attributes class="node" mode="static">"#)?;
    for (id, title) in [("type", "type"), ("iri", "iri"), ("wikidata", "wikidata")] {
        writeln!(out, r#"      <attribute id="{id}" title="{title}" type="string"/>"#)?;
    }
    writeln!(out, "    </attributes>")?;
    writeln!(out, r#"    <attributes class="edge" mode="static">"#)?;
    for (id, ty) in [
        ("predicate", "string"),
        ("confidence", "double"),
        ("count", "integer"),
        ("evidence", "string"),
        ("asserted", "boolean"),
        ("claimed_by", "string"),
    ] {
        writeln!(out, r#"      <attribute id="{id}" title="{id}" type="{ty}"/>"#)?;
    }
    writeln!(out, "    </attributes>")?;
    writeln!(out, "    <nodes>")?;
    for n in graph.node_weights() {
        writeln!(
            out,
            r#"      <node id="{}" label="{}">"#,
            xml_escape(&n.id),
            xml_escape(&n.label)
        )?;
        let mut values = vec![("type", n.node_type.as_str()), ("iri", n.id.as_str())];
        if let Some(wd) = &n.wikidata {
            values.push(("wikidata", wd));
        }
        write_attvalues(&values, &n.dates, out)?;
        writeln!(out, "      </node>")?;
    }
    writeln!(out, "    </nodes>")?;
    writeln!(out, "    <edges>")?;
    for (k, e) in graph.edge_references().enumerate() {
        let w = e.weight();
        writeln!(
            out,
            r#"      <edge id="e{k}" source="{}" target="{}" label="{}" weight="{}">"#,
            xml_escape(&graph[e.source()].id),
            xml_escape(&graph[e.target()].id),
            xml_escape(&w.label),
            w.count
        )?;
        let confidence = number(w.confidence);
        let count = w.count.to_string();
        let asserted = w.asserted.to_string();
        let mut values = vec![
            ("predicate", w.predicate.as_str()),
            ("confidence", confidence.as_str()),
            ("count", count.as_str()),
            ("asserted", asserted.as_str()),
        ];
        if let Some(ev) = &w.evidence {
            values.push(("evidence", ev));
        }
        if let Some(s) = &w.claimed_by {
            values.push(("claimed_by", s));
        }
        write_attvalues(&values, &w.dates, out)?;
        writeln!(out, "      </edge>")?;
    }
    writeln!(out, "    </edges>")?;
    writeln!(out, "  </graph>")?;
    writeln!(out, "</gexf>")
}

/// A CSV field, always quoted (RFC 4180: inner quotes doubled). Line breaks
/// become spaces, so `neo4j-admin` needs no `--multiline-fields`.
fn csv_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\"\""),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Header of the node file of [`write_neo4j_csv`].
pub const NEO4J_NODES_HEADER: &str = "iri:ID(Entity),name,type,wikidata,:LABEL";
/// Header of the relationship file of [`write_neo4j_csv`].
pub const NEO4J_RELATIONSHIPS_HEADER: &str = ":START_ID(Entity),:END_ID(Entity),:TYPE,predicate,confidence:double,count:long,evidence,asserted:boolean,claimedBy";

/// Writes the entity graph as the two CSV files of `neo4j-admin database import
/// full --nodes=nodes.csv --relationships=relationships.csv`: the header
/// format of the Neo4j import tool (`name:type` columns, `:ID(group)`,
/// `:START_ID(group)`, `:END_ID(group)`, `:LABEL`, `:TYPE`). Node labels are
/// `Entity` and the entity type; the relationship type is the predicate's
/// local name.
pub fn write_neo4j_csv(
    graph: &EntityGraph,
    nodes: &mut dyn Write,
    relationships: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(nodes, "{NEO4J_NODES_HEADER}")?;
    for n in graph.node_weights() {
        writeln!(
            nodes,
            "{},{},{},{},{}",
            csv_field(&n.id),
            csv_field(&n.label),
            csv_field(&n.node_type),
            csv_field(n.wikidata.as_deref().unwrap_or("")),
            csv_field(&format!("Entity;{}", n.node_type))
        )?;
    }
    writeln!(relationships, "{NEO4J_RELATIONSHIPS_HEADER}")?;
    for e in graph.edge_references() {
        let w = e.weight();
        writeln!(
            relationships,
            "{},{},{},{},{},{},{},{},{}",
            csv_field(&graph[e.source()].id),
            csv_field(&graph[e.target()].id),
            csv_field(&w.label),
            csv_field(&w.predicate),
            number(w.confidence),
            w.count,
            csv_field(w.evidence.as_deref().unwrap_or("")),
            w.asserted,
            csv_field(w.claimed_by.as_deref().unwrap_or(""))
        )?;
    }
    Ok(())
}

/// The JSON-LD context of [`write_jsonld`]: schema.org is the vocabulary, so
/// node objects read as schema.org (`"@type": "Person"`, `name`, `sameAs`);
/// relation records use `rdf:subject/predicate/object` and textkg terms.
pub fn jsonld_context() -> serde_json::Value {
    serde_json::json!({
        "@vocab": ns::SCHEMA,
        "schema": ns::SCHEMA,
        "tk": ns::TK,
        "rdf": ns::RDF,
        "xsd": ns::XSD,
        "wd": ns::WD,
        "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
        "subject": {"@id": "rdf:subject", "@type": "@id"},
        "predicate": {"@id": "rdf:predicate", "@type": "@id"},
        "object": {"@id": "rdf:object", "@type": "@id"},
        "confidence": {"@id": "tk:confidence", "@type": "xsd:decimal"},
        "statementCount": {"@id": "tk:statementCount", "@type": "xsd:nonNegativeInteger"},
        "evidenceText": {"@id": "tk:evidenceText"},
        "asserted": {"@id": "tk:asserted", "@type": "xsd:boolean"},
        "attributedTo": {"@id": "tk:attributedTo", "@type": "@id"}
    })
}

/// The JSON-LD `@type` of an entity class local name: schema.org classes
/// through `@vocab`, textkg's own (`Group`) with the `tk:` prefix, dates
/// (`time:Instant`) by IRI.
fn jsonld_type(class: &str) -> String {
    match class {
        "Group" => "tk:Group".to_string(),
        "Instant" => format!("{}Instant", ns::TIME),
        c => c.to_string(),
    }
}

/// Writes the entity graph as JSON-LD 1.1 with a schema.org-friendly context:
/// one node object per entity (`@id`, `@type`, `name`, `sameAs` to Wikidata,
/// and the asserted relations as properties), and one `tk:EntityRelation`
/// per edge with predicate, confidence, statement count, evidence sentence
/// and speaker. rdflib and pyld read it.
pub fn write_jsonld(graph: &EntityGraph, out: &mut dyn Write) -> std::io::Result<()> {
    use serde_json::{Map, Value, json};
    let mut facts: HashMap<usize, Map<String, Value>> = HashMap::new();
    for e in graph.edge_references() {
        let w: &Edge = e.weight();
        if !w.asserted {
            continue;
        }
        let props = facts.entry(e.source().index()).or_default();
        let slot = props
            .entry(w.predicate.clone())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(objects) = slot {
            objects.push(json!({"@id": graph[e.target()].id}));
        }
    }
    let mut items: Vec<Value> = Vec::new();
    for i in graph.node_indices() {
        let n = &graph[i];
        let mut o = Map::new();
        o.insert("@id".into(), json!(n.id));
        o.insert("@type".into(), json!(jsonld_type(&n.node_type)));
        o.insert("name".into(), json!(n.label));
        if let Some(wd) = &n.wikidata {
            o.insert("sameAs".into(), json!(wd));
        }
        if let Some(props) = facts.remove(&i.index()) {
            o.extend(props);
        }
        items.push(Value::Object(o));
    }
    for e in graph.edge_references() {
        let w = e.weight();
        let mut o = Map::new();
        o.insert("@type".into(), json!("tk:EntityRelation"));
        o.insert("subject".into(), json!(graph[e.source()].id));
        o.insert("predicate".into(), json!(w.predicate));
        o.insert("object".into(), json!(graph[e.target()].id));
        o.insert("confidence".into(), json!(format!("{:.3}", w.confidence)));
        o.insert("statementCount".into(), json!(w.count.to_string()));
        o.insert("asserted".into(), json!(w.asserted.to_string()));
        if let Some(ev) = &w.evidence {
            o.insert("evidenceText".into(), json!(ev));
        }
        if let Some(s) = &w.claimed_by {
            o.insert("attributedTo".into(), json!(s));
        }
        items.push(Value::Object(o));
    }
    let doc = json!({"@context": jsonld_context(), "@graph": items});
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Node;

    fn sample() -> EntityGraph {
        let mut g = EntityGraph::new();
        let node = |id: &str, label: &str, t: &str| Node {
            id: id.into(),
            label: label.into(),
            node_type: t.into(),
            wikidata: None,
            dates: vec!["2025-08-15".into()],
        };
        let a = g.add_node(node(
            "https://w3id.org/textkg/id/person/a",
            "A \"the\" <one> & co",
            "Person",
        ));
        let b = g.add_node(node("https://w3id.org/textkg/id/group/b", "B", "Group"));
        g.add_edge(
            a,
            b,
            Edge {
                predicate: "https://w3id.org/textkg/ns#meets".into(),
                label: "meets".into(),
                confidence: 0.75,
                count: 2,
                evidence: Some("A met B,\n\"twice\".\u{1}".into()),
                asserted: true,
                claimed_by: None,
                dates: vec!["2025-08-15".into()],
            },
        );
        g
    }

    #[test]
    fn xml_escaping_drops_control_characters() {
        assert_eq!(xml_escape("a<b>&\"'\u{1}\n"), "a&lt;b&gt;&amp;&quot;&apos;&#10;");
    }

    #[test]
    fn graphml_and_gexf_escape_labels_and_carry_spells() {
        let g = sample();
        let mut out = Vec::new();
        write_graphml(&g, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("A &quot;the&quot; &lt;one&gt; &amp; co"), "{text}");
        assert!(!text.contains('\u{1}'));
        let mut out = Vec::new();
        write_gexf(&g, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(r#"<spell start="2025-08-15" end="2025-08-15"/>"#),
            "{text}"
        );
        assert!(text.contains(r#"weight="2""#), "{text}");
    }

    #[test]
    fn neo4j_csv_quotes_fields_and_keeps_one_line_per_record() {
        let g = sample();
        let (mut nodes, mut rels) = (Vec::new(), Vec::new());
        write_neo4j_csv(&g, &mut nodes, &mut rels).unwrap();
        let rels = String::from_utf8(rels).unwrap();
        assert_eq!(rels.lines().count(), 2, "{rels}");
        assert!(rels.contains("\"A met B, \"\"twice\"\"."), "{rels}");
        let nodes = String::from_utf8(nodes).unwrap();
        assert!(nodes.contains(r#""Entity;Group""#), "{nodes}");
    }

    #[test]
    fn jsonld_uses_schema_types_and_asserted_properties() {
        let g = sample();
        let mut out = Vec::new();
        write_jsonld(&g, &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let items = v["@graph"].as_array().unwrap();
        assert_eq!(items[0]["@type"], "Person");
        assert_eq!(items[1]["@type"], "tk:Group");
        assert_eq!(
            items[0]["https://w3id.org/textkg/ns#meets"][0]["@id"],
            "https://w3id.org/textkg/id/group/b"
        );
        assert_eq!(items[2]["statementCount"], "2");
    }
}

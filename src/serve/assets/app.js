// textkg explorer: plain JavaScript, no build step, no libraries. Everything it
// shows comes from the SPARQL endpoint of the same server (/sparql), with
// paging (LIMIT/OFFSET) on the server. Text from the store is only ever put in
// the page as text (textContent), never as HTML.
"use strict";

const ENDPOINT = "sparql";
const PAGE = 20;
const SHOW_ROWS = 1000;
const PREFIXES = `PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX tk: <https://w3id.org/textkg/ns#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX itsrdf: <http://www.w3.org/2005/11/its/rdf#>
PREFIX prov: <http://www.w3.org/ns/prov#>
`;
const SHORT = [
  ["tk:", "https://w3id.org/textkg/ns#"], ["schema:", "http://schema.org/"],
  ["rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"], ["rdfs:", "http://www.w3.org/2000/01/rdf-schema#"],
  ["skos:", "http://www.w3.org/2004/02/skos/core#"], ["time:", "http://www.w3.org/2006/time#"],
  ["wd:", "http://www.wikidata.org/entity/"], ["xsd:", "http://www.w3.org/2001/XMLSchema#"],
  ["nif:", "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"],
  ["prov:", "http://www.w3.org/ns/prov#"], ["itsrdf:", "http://www.w3.org/2005/11/its/rdf#"],
];

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

function shorten(iri) {
  for (const [p, base] of SHORT) if (iri.startsWith(base)) return p + iri.slice(base.length);
  return iri;
}

function localName(iri) {
  return iri.replace(/^.*[#/]/, "");
}

// An IRI as a SPARQL term; refuses anything that could break out of <…>.
function iriTerm(iri) {
  if (/[<>"{}|^`\\\s]/.test(iri)) throw new Error("not an IRI: " + iri);
  return "<" + iri + ">";
}

function stringLiteral(s) {
  return '"' + s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r") + '"';
}

function showError(message) {
  const e = $("error");
  e.textContent = message;
  e.hidden = !message;
}

async function sparql(query) {
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "Content-Type": "application/sparql-query", Accept: "application/sparql-results+json" },
    body: query,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}: ${text}`);
  return JSON.parse(text);
}

async function select(query) {
  const json = await sparql(PREFIXES + query);
  return json.results ? json.results.bindings : [];
}

const value = (row, name) => (row[name] ? row[name].value : undefined);

function entityLink(iri, label) {
  return el("a", { href: "#/entity/" + encodeURIComponent(iri), class: "entity-link", "data-iri": iri }, label || shorten(iri));
}

function docLink(iri, label, highlight) {
  const h = highlight ? "?hl=" + highlight : "";
  return el("a", { href: "#/doc/" + encodeURIComponent(iri) + h, class: "doc-link" }, label || shorten(iri));
}

// One label (and type) for each of `iris`: Map iri -> {label, type}. The default graph is the union
// of the document graphs, so an entity's label comes once per document that names it: 13,516 rows
// for a capital on a 40k-document store, and joining that to anything (types, statements) multiplies
// rows until the query times out. A LIMIT 1 subquery per entity reads one row each instead.
async function labelsOf(iris, withType) {
  const out = new Map();
  const unique = [...new Set(iris)].filter((iri) => iri && !/[<>"{}|^`\\\s]/.test(iri));
  if (!unique.length) return out;
  const branch = (iri) => {
    const t = iriTerm(iri);
    const type = withType ? ` UNION { SELECT (${t} AS ?e) ?type WHERE { ${t} a ?type } LIMIT 1 }` : "";
    return `{ SELECT (${t} AS ?e) ?label WHERE { ${t} rdfs:label ?label } LIMIT 1 }${type}`;
  };
  const rows = await select(`SELECT ?e ?label ?type WHERE {\n${unique.map(branch).join("\nUNION ")}\n}`);
  for (const row of rows) {
    const e = value(row, "e");
    const entry = out.get(e) || {};
    if (value(row, "label") !== undefined) entry.label = value(row, "label");
    if (value(row, "type") !== undefined) entry.type = value(row, "type");
    out.set(e, entry);
  }
  return out;
}

// ---------------------------------------------------------------- SPARQL editor

async function loadCanned() {
  try {
    const response = await fetch("queries.json");
    const queries = await response.json();
    const select = $("canned");
    for (const q of queries) select.append(el("option", { value: q.name, title: q.description }, q.name));
    select.addEventListener("change", () => {
      const q = queries.find((x) => x.name === select.value);
      if (!q) return;
      $("editor").value = q.text;
      $("canned-description").textContent = q.description;
    });
  } catch (e) {
    showError("cannot load the canned queries: " + e.message);
  }
}

function termCell(term) {
  if (!term) return el("td", {});
  if (term.type === "uri") {
    return el("td", {}, entityLink(term.value, shorten(term.value)));
  }
  return el("td", {}, term.value);
}

async function runQuery() {
  const status = $("query-status");
  const results = $("results");
  results.replaceChildren();
  status.textContent = "running…";
  showError("");
  const started = performance.now();
  try {
    const response = await fetch(ENDPOINT, {
      method: "POST",
      headers: {
        "Content-Type": "application/sparql-query",
        Accept: "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: $("editor").value,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${response.status}: ${text}`);
    const ms = Math.round(performance.now() - started);
    if ((response.headers.get("Content-Type") || "").includes("json")) {
      const json = JSON.parse(text);
      if ("boolean" in json) {
        results.append(el("p", { class: "boolean" }, String(json.boolean)));
        status.textContent = `ASK in ${ms} ms`;
        return;
      }
      const vars = json.head.vars;
      const table = el("table", { class: "results-table" }, el("thead", {}, el("tr", {}, ...vars.map((v) => el("th", {}, v)))));
      // A whole-store query can return up to the server's --max-results rows: putting 100k rows in
      // the page freezes the browser, so the table shows the first SHOW_ROWS.
      const all = json.results.bindings;
      const body = el("tbody", {});
      for (const row of all.slice(0, SHOW_ROWS)) body.append(el("tr", {}, ...vars.map((v) => termCell(row[v]))));
      table.append(body);
      results.append(table);
      status.textContent = all.length > SHOW_ROWS
        ? `${all.length} rows in ${ms} ms (the first ${SHOW_ROWS} shown; add LIMIT/OFFSET to page)`
        : `${all.length} rows in ${ms} ms`;
    } else {
      results.append(el("pre", {}, text));
      status.textContent = `graph in ${ms} ms`;
    }
  } catch (e) {
    status.textContent = "";
    showError(e.message);
  }
}

// ---------------------------------------------------------------- search

let searchOffset = 0;

async function search(text, offset) {
  searchOffset = Math.max(0, offset);
  const list = $("search-results");
  list.replaceChildren();
  $("search-status").textContent = "searching…";
  const needle = text.trim().toLowerCase();
  const filter = needle ? `FILTER(CONTAINS(LCASE(STR(?name)), ${stringLiteral(needle)}))` : "";
  try {
    // Two steps, both cheap on large stores: a page of distinct matching entities (in the store's
    // own order: ORDER BY over every entity IRI took seconds on a 1.7M-quad store), then a label
    // and a type for that page only (labelsOf). Each page is sorted by label here.
    const page = await select(`SELECT ?e WHERE {
  { SELECT DISTINCT ?e WHERE { ?e rdfs:label|skos:altLabel ?name . ${filter} } }
  FILTER EXISTS { ?mention itsrdf:taIdentRef ?e }
} LIMIT ${PAGE + 1} OFFSET ${searchOffset}`);
    const iris = page.slice(0, PAGE).map((row) => value(row, "e"));
    const labels = await labelsOf(iris, true);
    const rows = iris.map((e) => ({ e, ...(labels.get(e) || {}) }));
    rows.sort((a, b) => (a.label || a.e).localeCompare(b.label || b.e));
    for (const row of rows) {
      list.append(el("li", {}, entityLink(row.e, row.label), row.type ? el("span", { class: "type" }, localName(row.type)) : null));
    }
    $("search-prev").disabled = searchOffset === 0;
    $("search-next").disabled = page.length <= PAGE;
    const shown = Math.min(page.length, PAGE);
    $("search-status").textContent = shown ? `${searchOffset + 1}–${searchOffset + shown}` : "no entity found";
  } catch (e) {
    $("search-status").textContent = "";
    showError(e.message);
  }
}

// ---------------------------------------------------------------- entity page

async function showEntity(iri) {
  $("entity-title").textContent = shorten(iri);
  $("entity-iri").textContent = iri;
  for (const id of ["entity-types", "entity-aliases", "entity-titles", "entity-links", "relations-out", "relations-in", "entity-documents", "entity-documents-pager"]) {
    $(id).replaceChildren();
  }
  const e = iriTerm(iri);
  try {
    const facts = await select(`SELECT DISTINCT ?p ?o WHERE {
  VALUES ?p { rdf:type rdfs:label skos:altLabel schema:sameAs schema:jobTitle }
  ${e} ?p ?o } LIMIT 500`);
    const of = (p) => [...new Set(facts.filter((r) => value(r, "p") === p).map((r) => value(r, "o")))];
    const labels = of("http://www.w3.org/2000/01/rdf-schema#label");
    if (labels.length) $("entity-title").textContent = labels.join(" / ");
    $("entity-types").textContent = of("http://www.w3.org/1999/02/22-rdf-syntax-ns#type").map(shorten).join(", ") || "—";
    $("entity-aliases").textContent = of("http://www.w3.org/2004/02/skos/core#altLabel").join(", ") || "—";
    $("entity-titles").textContent = of("http://schema.org/jobTitle").join(", ") || "—";
    const links = of("http://schema.org/sameAs");
    if (links.length) {
      for (const l of links) $("entity-links").append(el("a", { href: l, rel: "noopener", target: "_blank" }, shorten(l)), " ");
    } else {
      $("entity-links").textContent = "—";
    }
    await Promise.all([relations(iri, "out"), relations(iri, "in"), entityDocuments(iri)]);
    graph.start(iri, labels[0] || localName(iri));
  } catch (err) {
    showError(err.message);
  }
}

// Relations and documents of an entity are paged on the server too: a hub entity (a capital, an
// organisation named in most documents) has tens of thousands of statements and mentions, and
// joining evidence sentences, labels and titles to all of them before sorting took seconds. So
// each list is two queries: a page of bare keys, ranked over all of the entity's statements or
// documents, then the details of that page only.
const REL_PAGE = 50;
const DOC_PAGE = 50;

// Previous/next buttons under a list page (none when everything fits on one page).
function pager(target, offset, shown, pageSize, more, go) {
  if (offset === 0 && !more) return;
  const prev = el("button", { type: "button", class: "prev", onclick: () => go(Math.max(0, offset - pageSize)) }, "← Previous");
  const next = el("button", { type: "button", class: "next", onclick: () => go(offset + pageSize) }, "Next →");
  prev.disabled = offset === 0;
  next.disabled = !more;
  target.append(el("div", { class: "pager" }, prev, el("span", { class: "muted" }, ` ${offset + 1}–${offset + shown} `), next));
}

async function relations(iri, direction, offset = 0) {
  const e = iriTerm(iri);
  const [self, other] = direction === "out" ? ["rdf:subject", "rdf:object"] : ["rdf:object", "rdf:subject"];
  const page = await select(`SELECT DISTINCT ?st ?confidence WHERE {
  ?st ${self} ${e} ; a tk:RelationStatement ; rdf:predicate ?p ; ${other} ?other ;
      tk:confidence ?confidence ; prov:wasDerivedFrom ?doc .
} ORDER BY DESC(?confidence) ?st LIMIT ${REL_PAGE + 1} OFFSET ${offset}`);
  const statements = [...new Set(page.slice(0, REL_PAGE).map((row) => value(row, "st")))];
  // The details: one UNION branch per statement with its IRI written out. (With `VALUES ?st { … }`
  // Oxigraph matched the other patterns against every statement of the store first: 5 s timeouts.)
  const branch = (st) => {
    const t = iriTerm(st);
    return `{ ${t} rdf:predicate ?p ; ${other} ?other ; tk:confidence ?confidence ; prov:wasDerivedFrom ?doc .
    OPTIONAL { ${t} tk:evidence ?ev . ?ev nif:anchorOf ?sentence ; nif:beginIndex ?begin ; nif:endIndex ?end }
    OPTIONAL { ?doc schema:headline ?headline }
    OPTIONAL { ?doc tk:sourceName ?source }
    OPTIONAL { ${t} tk:attributedTo ?speakerEntity }
    BIND(${t} AS ?st) }`;
  };
  const rows = statements.length
    ? await select(`SELECT DISTINCT ?st ?p ?other ?confidence ?sentence ?begin ?end ?doc (COALESCE(?headline, ?source) AS ?title) ?speakerEntity WHERE {
${statements.map(branch).join("\nUNION ")}
}`)
    : [];
  const labels = await labelsOf(rows.flatMap((row) => [row.other.type === "uri" ? row.other.value : null, value(row, "speakerEntity")]));
  const labelOf = (iri) => (labels.get(iri) || {}).label;
  const rank = new Map(statements.map((st, i) => [st, i]));
  rows.sort((a, b) => rank.get(value(a, "st")) - rank.get(value(b, "st")));
  const seen = new Set();
  const body = el("tbody", {});
  for (const row of rows) {
    const st = value(row, "st");
    if (seen.has(st)) continue;
    seen.add(st);
    const otherTerm = row.other;
    const otherCell = otherTerm.type === "uri" ? entityLink(otherTerm.value, labelOf(otherTerm.value)) : el("span", {}, "“" + otherTerm.value + "”");
    const begin = value(row, "begin");
    const end = value(row, "end");
    const evidence = value(row, "sentence")
      ? docLink(value(row, "doc"), value(row, "sentence"), begin && end ? `${begin},${end}` : "")
      : "";
    if (evidence) evidence.classList.add("evidence-text");
    const speakerEntity = value(row, "speakerEntity");
    const speaker = speakerEntity && (labelOf(speakerEntity) || localName(speakerEntity));
    body.append(el("tr", { class: "relation" },
      el("td", {}, localName(value(row, "p")), speaker ? el("span", { class: "badge" }, "claimed by " + speaker) : null),
      el("td", {}, otherCell),
      el("td", { class: "confidence" }, Number(value(row, "confidence")).toFixed(2)),
      el("td", {}, evidence),
      el("td", {}, docLink(value(row, "doc"), value(row, "title")))));
  }
  const target = $("relations-" + direction);
  target.replaceChildren();
  if (!seen.size) {
    target.append(el("p", { class: "muted" }, "none"));
    return;
  }
  target.append(el("table", {}, el("thead", {}, el("tr", {}, ...["relation", direction === "out" ? "object" : "subject", "confidence", "evidence (click: in its document)", "document"].map((h) => el("th", {}, h)))), body));
  pager(target, offset, seen.size, REL_PAGE, page.length > REL_PAGE, (o) => relations(iri, direction, o).catch((err) => showError(err.message)));
}

async function entityDocuments(iri, offset = 0) {
  const page = await select(`SELECT ?doc (COUNT(?m) AS ?mentions) WHERE {
  GRAPH ?doc { ?m itsrdf:taIdentRef ${iriTerm(iri)} }
} GROUP BY ?doc ORDER BY DESC(?mentions) ?doc LIMIT ${DOC_PAGE + 1} OFFSET ${offset}`);
  const shown = page.slice(0, DOC_PAGE);
  const titles = new Map();
  if (shown.length) {
    const rows = await select(`SELECT ?doc (SAMPLE(?t) AS ?title) WHERE {
  VALUES ?doc { ${shown.map((row) => iriTerm(value(row, "doc"))).join(" ")} }
  OPTIONAL { ?doc schema:headline|tk:sourceName ?t }
} GROUP BY ?doc`);
    for (const row of rows) titles.set(value(row, "doc"), value(row, "title"));
  }
  const list = $("entity-documents");
  list.replaceChildren();
  for (const row of shown) {
    const doc = value(row, "doc");
    list.append(el("li", {}, docLink(doc, titles.get(doc)), el("span", { class: "muted" }, ` ${value(row, "mentions")} mentions`)));
  }
  const pagerAt = $("entity-documents-pager");
  pagerAt.replaceChildren();
  pager(pagerAt, offset, shown.length, DOC_PAGE, page.length > DOC_PAGE, (o) => entityDocuments(iri, o).catch((err) => showError(err.message)));
}

// ---------------------------------------------------------------- neighbourhood graph

// A small force layout in SVG: repulsion between all nodes, springs on edges,
// a pull to the centre; a few hundred iterations per change, then it rests.
const graph = {
  nodes: new Map(),
  edges: new Map(),
  expanded: new Set(),

  async start(iri, label) {
    this.nodes.clear();
    this.edges.clear();
    this.expanded.clear();
    this.center = iri;
    this.addNode(iri, label, 450, 210);
    await this.expand(iri);
  },

  addNode(iri, label, x, y) {
    if (!this.nodes.has(iri)) {
      this.nodes.set(iri, { iri, label, x: x + (Math.random() - 0.5) * 40, y: y + (Math.random() - 0.5) * 40, vx: 0, vy: 0 });
    }
    return this.nodes.get(iri);
  },

  async expand(iri) {
    if (this.expanded.has(iri)) return;
    this.expanded.add(iri);
    const e = iriTerm(iri);
    // Edges first (no labels: see labelsOf), then one label per new node. Each branch is one basic
    // graph pattern led by the entity: joining a UNION to `?st a tk:RelationStatement` outside it made
    // Oxigraph read every statement of the store (5 s timeouts for an entity with few relations).
    const rows = await select(`SELECT DISTINCT ?s ?p ?o WHERE {
  { ?st rdf:subject ${e} ; rdf:object ?o ; a tk:RelationStatement ; rdf:predicate ?p . FILTER(isIRI(?o)) BIND(${e} AS ?s) }
  UNION
  { ?st rdf:object ${e} ; rdf:subject ?s ; a tk:RelationStatement ; rdf:predicate ?p . FILTER(isIRI(?s)) BIND(${e} AS ?o) }
} LIMIT 300`);
    const labels = await labelsOf(rows.flatMap((row) => [value(row, "s"), value(row, "o")]).filter((n) => !this.nodes.has(n)));
    const labelOf = (n) => (labels.get(n) || {}).label || localName(n);
    const from = this.nodes.get(iri);
    for (const row of rows) {
      const s = value(row, "s");
      const o = value(row, "o");
      this.addNode(s, labelOf(s), from.x, from.y);
      this.addNode(o, labelOf(o), from.x, from.y);
      const key = s + " " + value(row, "p") + " " + o;
      this.edges.set(key, { s, o, p: localName(value(row, "p")) });
    }
    this.layout(250);
    this.draw();
  },

  layout(iterations) {
    const nodes = [...this.nodes.values()];
    const edges = [...this.edges.values()];
    for (let i = 0; i < iterations; i++) {
      for (const a of nodes) {
        for (const b of nodes) {
          if (a === b) continue;
          let dx = a.x - b.x, dy = a.y - b.y;
          let d2 = dx * dx + dy * dy;
          if (d2 < 1) { dx = Math.random(); dy = Math.random(); d2 = 1; }
          const f = 800 / d2;
          a.vx += dx * f; a.vy += dy * f;
        }
      }
      for (const e of edges) {
        const a = this.nodes.get(e.s), b = this.nodes.get(e.o);
        if (!a || !b || a === b) continue;
        const dx = b.x - a.x, dy = b.y - a.y;
        const d = Math.sqrt(dx * dx + dy * dy) || 1;
        const f = (d - 90) * 0.02;
        a.vx += (dx / d) * f; a.vy += (dy / d) * f;
        b.vx -= (dx / d) * f; b.vy -= (dy / d) * f;
      }
      for (const n of nodes) {
        n.vx += (450 - n.x) * 0.005; n.vy += (210 - n.y) * 0.005;
        n.x += Math.max(-20, Math.min(20, n.vx)); n.y += Math.max(-20, Math.min(20, n.vy));
        n.vx *= 0.5; n.vy *= 0.5;
        n.x = Math.max(20, Math.min(880, n.x)); n.y = Math.max(15, Math.min(405, n.y));
      }
    }
  },

  draw() {
    const svg = $("graph");
    const ns = "http://www.w3.org/2000/svg";
    const make = (tag, attrs) => {
      const node = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      return node;
    };
    svg.replaceChildren();
    for (const e of this.edges.values()) {
      const a = this.nodes.get(e.s), b = this.nodes.get(e.o);
      svg.append(make("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y }));
      const label = make("text", { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, class: "edge-label" });
      label.textContent = e.p;
      svg.append(label);
    }
    for (const n of this.nodes.values()) {
      const classes = ["node"];
      if (n.iri === this.center) classes.push("center");
      if (this.expanded.has(n.iri)) classes.push("expanded");
      const g = make("g", { class: classes.join(" "), "data-iri": n.iri, transform: `translate(${n.x},${n.y})` });
      const circle = make("circle", { r: this.expanded.has(n.iri) ? 9 : 6, fill: this.expanded.has(n.iri) ? "#23395d" : "#3b82f6" });
      const title = make("title", {});
      title.textContent = n.label + " — " + n.iri;
      circle.append(title);
      const text = make("text", { x: 11, y: 4 });
      text.textContent = n.label;
      g.append(circle, text);
      g.addEventListener("click", () => this.expand(n.iri).catch((err) => showError(err.message)));
      g.addEventListener("dblclick", () => { location.hash = "#/entity/" + encodeURIComponent(n.iri); });
      svg.append(g);
    }
  },
};

// ---------------------------------------------------------------- documents

let docsOffset = 0;

async function showDocs(offset) {
  docsOffset = Math.max(0, offset);
  const list = $("docs-list");
  list.replaceChildren();
  try {
    const rows = await select(`SELECT ?doc ?title ?date ?source WHERE {
  GRAPH ?doc { ?doc a tk:Document ; tk:sourceName ?source
    OPTIONAL { ?doc schema:headline ?title } OPTIONAL { ?doc schema:datePublished ?date } }
} LIMIT ${PAGE + 1} OFFSET ${docsOffset}`);
    // Store order, like the entity search (no sort over every document); the page by name.
    const shown = rows.slice(0, PAGE);
    shown.sort((a, b) => (value(a, "title") || value(a, "source")).localeCompare(value(b, "title") || value(b, "source")));
    for (const row of shown) {
      list.append(el("li", {}, docLink(value(row, "doc"), value(row, "title") || value(row, "source")), el("span", { class: "muted" }, " " + (value(row, "date") || ""))));
    }
    $("docs-prev").disabled = docsOffset === 0;
    $("docs-next").disabled = rows.length <= PAGE;
  } catch (e) {
    showError(e.message);
  }
}

async function showDoc(iri, highlight) {
  const d = iriTerm(iri);
  $("doc-title").textContent = shorten(iri);
  $("doc-date").textContent = "";
  $("doc-source").textContent = "";
  const article = $("doc-text");
  article.replaceChildren();
  try {
    const meta = await select(`SELECT ?text ?title ?date ?source WHERE { GRAPH ${d} {
  ${d} tk:context/nif:isString ?text .
  OPTIONAL { ${d} schema:headline ?title } OPTIONAL { ${d} schema:datePublished ?date } OPTIONAL { ${d} tk:sourceName ?source } } } LIMIT 1`);
    if (!meta.length) {
      article.textContent = "No document with this IRI.";
      return;
    }
    const row = meta[0];
    $("doc-title").textContent = value(row, "title") || value(row, "source") || shorten(iri);
    $("doc-date").textContent = value(row, "date") || "";
    $("doc-source").textContent = value(row, "source") || "";
    const mentions = await select(`SELECT DISTINCT ?begin ?end ?entity ?label WHERE { GRAPH ${d} {
  ?m itsrdf:taIdentRef ?entity ; nif:beginIndex ?begin ; nif:endIndex ?end .
  OPTIONAL { ?entity rdfs:label ?label } } } ORDER BY ?begin`);
    // NIF offsets count code points; Array.from splits a string into code points.
    const chars = Array.from(value(row, "text"));
    const [hb, he] = (highlight || "").split(",").map(Number);
    const marks = [];
    let pos = 0;
    for (const m of mentions) {
      const b = Number(value(m, "begin")), e = Number(value(m, "end"));
      if (!(b >= pos && e > b && e <= chars.length)) continue;
      marks.push({ b, e, entity: value(m, "entity"), label: value(m, "label") });
      pos = e;
    }
    // Text pieces; the evidence span (if any) wraps whatever lies inside it.
    const pieces = [];
    pos = 0;
    for (const m of marks) {
      if (m.b > pos) pieces.push({ text: chars.slice(pos, m.b).join(""), b: pos });
      pieces.push({ text: chars.slice(m.b, m.e).join(""), b: m.b, mention: m });
      pos = m.e;
    }
    if (pos < chars.length) pieces.push({ text: chars.slice(pos).join(""), b: pos });
    let evidence = null;
    const inEvidence = (b) => Number.isFinite(hb) && Number.isFinite(he) && b >= hb && b < he;
    for (const p of pieces) {
      // Split plain pieces at the evidence borders so the mark is exact.
      const parts = p.mention ? [p] : splitAt(p, [hb, he]);
      for (const part of parts) {
        let node;
        if (part.mention) {
          node = el("span", { class: "mention", "data-iri": part.mention.entity, title: part.mention.label || part.mention.entity }, part.text);
          node.addEventListener("click", () => { location.hash = "#/entity/" + encodeURIComponent(part.mention.entity); });
        } else {
          node = document.createTextNode(part.text);
        }
        if (inEvidence(part.b)) {
          if (!evidence) {
            evidence = el("mark", { class: "evidence", id: "evidence" });
            article.append(evidence);
          }
          evidence.append(node);
        } else {
          article.append(node);
        }
      }
    }
    if (evidence) evidence.scrollIntoView({ block: "center" });
  } catch (e) {
    showError(e.message);
  }
}

function splitAt(piece, cuts) {
  const chars = Array.from(piece.text);
  const out = [];
  let start = 0;
  for (const cut of cuts) {
    const at = cut - piece.b;
    if (Number.isFinite(at) && at > start && at < chars.length) {
      out.push({ text: chars.slice(start, at).join(""), b: piece.b + start });
      start = at;
    }
  }
  out.push({ text: chars.slice(start).join(""), b: piece.b + start });
  return out;
}

// ---------------------------------------------------------------- routing

function route() {
  showError("");
  const hash = location.hash.replace(/^#\/?/, "");
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  const [view, ...rest] = path.split("/");
  const arg = decodeURIComponent(rest.join("/"));
  for (const section of document.querySelectorAll(".view")) section.hidden = true;
  for (const a of document.querySelectorAll("header nav a")) a.classList.remove("active");
  const show = (id) => { $("view-" + id).hidden = false; const nav = $("nav-" + id); if (nav) nav.classList.add("active"); };
  switch (view) {
    case "search":
      show("search");
      $("search-input").value = params.get("q") || "";
      search(params.get("q") || "", Number(params.get("offset")) || 0);
      break;
    case "entity":
      show("entity");
      showEntity(arg);
      break;
    case "docs":
      show("docs");
      showDocs(Number(params.get("offset")) || 0);
      break;
    case "doc":
      show("doc");
      showDoc(arg, params.get("hl"));
      break;
    default:
      show("query");
  }
}

function searchHash(q, offset) {
  return "#/search?" + new URLSearchParams({ q, offset: String(offset) });
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", () => {
  loadCanned();
  $("run").addEventListener("click", runQuery);
  $("editor").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) runQuery(); });
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); location.hash = searchHash($("search-input").value, 0); });
  $("quick-search").addEventListener("submit", (e) => { e.preventDefault(); location.hash = searchHash($("quick-search-input").value, 0); });
  $("search-prev").addEventListener("click", () => { location.hash = searchHash($("search-input").value, searchOffset - PAGE); });
  $("search-next").addEventListener("click", () => { location.hash = searchHash($("search-input").value, searchOffset + PAGE); });
  $("docs-prev").addEventListener("click", () => { location.hash = "#/docs?offset=" + Math.max(0, docsOffset - PAGE); });
  $("docs-next").addEventListener("click", () => { location.hash = "#/docs?offset=" + (docsOffset + PAGE); });
  route();
});

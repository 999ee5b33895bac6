#!/usr/bin/env python3
"""Latency of the explorer's own requests on a running `textkg serve` (issue 15).

Usage: explorer_latency.py BASE_URL [--repeat K] [--entity IRI ...] [--search TEXT ...]

Sends, with curl, the SPARQL requests src/serve/assets/app.js sends for each view
(same query text, POST application/sparql-query, Accept SPARQL JSON): the
entity search (page of entities, then a label and type each), the entity page
(facts; relations out and in: a page of statements, their details, the labels
of the other ends; documents: a page, their titles), one neighbourhood
expansion (edges, then labels), the document list and a document view (text,
mentions), plus the shipped canned queries as the SPARQL editor runs them. Prints one line per request: view,
request, HTTP status, rows, best and median time over K runs (curl's
time_total), so the numbers are the server's answer time on loopback.

--entity and --search name the entities to open and the texts to search (the
empty search runs always). Keep the query texts in step with app.js.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
import tempfile

# The page's own prefixes, read from its script so the two cannot drift apart.
_APP = (Path(__file__).resolve().parent.parent / "src/serve/assets/app.js").read_text(encoding="utf-8")
PREFIXES = _APP.split("const PREFIXES = `", 1)[1].split("`;", 1)[0]
PAGE = 20
REL_PAGE = 50
DOC_PAGE = 50


def lit(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run(base, query, repeat, prefixes=True):
    """(status, rows, [seconds]) of one query, sent `repeat` times with curl."""
    with tempfile.NamedTemporaryFile("w", suffix=".rq", delete=False) as f:
        f.write((PREFIXES if prefixes else "") + query)
        path = f.name
    times, status, rows, body = [], None, None, ""
    for _ in range(repeat):
        out = subprocess.run(
            ["curl", "-sS", "-o", path + ".out", "-w", "%{http_code} %{time_total}",
             "-H", "Content-Type: application/sparql-query",
             "-H", "Accept: application/sparql-results+json",
             "--data-binary", "@" + path, base + "/sparql"],
            capture_output=True, text=True, check=True)
        code, seconds = out.stdout.split()
        status = int(code)
        times.append(float(seconds))
        body = open(path + ".out", encoding="utf-8", errors="replace").read()
    os.remove(path)
    os.remove(path + ".out")
    if status == 200:
        rows = len(json.loads(body)["results"]["bindings"])
    else:
        rows = body.strip().splitlines()[0][:80] if body.strip() else ""
    return status, rows, times, body


def report(view, name, result):
    status, rows, times, _ = result
    print(f"{view:<10} {name:<42} {status:>3} {str(rows):>6} "
          f"best {min(times):7.3f} s  median {statistics.median(times):7.3f} s", flush=True)


def bindings(result):
    status, _, _, body = result
    return json.loads(body)["results"]["bindings"] if status == 200 else []


# --- the page's queries (app.js) ------------------------------------------------------------

def search_page(needle, offset):
    needle = needle.strip().lower()
    filt = f"FILTER(CONTAINS(LCASE(STR(?name)), {lit(needle)}))" if needle else ""
    return f"""SELECT ?e WHERE {{
  {{ SELECT DISTINCT ?e WHERE {{ ?e rdfs:label|skos:altLabel ?name . {filt} }} }}
  FILTER EXISTS {{ ?mention itsrdf:taIdentRef ?e }}
}} LIMIT {PAGE + 1} OFFSET {offset}"""


def labels_of(iris, with_type):
    def branch(i):
        t = f"<{i}>"
        typ = f" UNION {{ SELECT ({t} AS ?e) ?type WHERE {{ {t} a ?type }} LIMIT 1 }}" if with_type else ""
        return f"{{ SELECT ({t} AS ?e) ?label WHERE {{ {t} rdfs:label ?label }} LIMIT 1 }}{typ}"
    unique = list(dict.fromkeys(i for i in iris if i))
    return "SELECT ?e ?label ?type WHERE {\n" + "\nUNION ".join(branch(i) for i in unique) + "\n}"


def entity_facts(e):
    return f"""SELECT DISTINCT ?p ?o WHERE {{
  VALUES ?p {{ rdf:type rdfs:label skos:altLabel schema:sameAs schema:jobTitle }}
  <{e}> ?p ?o }} LIMIT 500"""


def relations_page(e, direction, offset=0):
    me, other = ("rdf:subject", "rdf:object") if direction == "out" else ("rdf:object", "rdf:subject")
    return f"""SELECT DISTINCT ?st ?confidence WHERE {{
  ?st {me} <{e}> ; a tk:RelationStatement ; rdf:predicate ?p ; {other} ?other ;
      tk:confidence ?confidence ; prov:wasDerivedFrom ?doc .
}} ORDER BY DESC(?confidence) ?st LIMIT {REL_PAGE + 1} OFFSET {offset}"""


def relations_details(statements, direction):
    other = "rdf:object" if direction == "out" else "rdf:subject"

    def branch(st):
        t = f"<{st}>"
        return f"""{{ {t} rdf:predicate ?p ; {other} ?other ; tk:confidence ?confidence ; prov:wasDerivedFrom ?doc .
    OPTIONAL {{ {t} tk:evidence ?ev . ?ev nif:anchorOf ?sentence ; nif:beginIndex ?begin ; nif:endIndex ?end }}
    OPTIONAL {{ ?doc schema:headline ?headline }}
    OPTIONAL {{ ?doc tk:sourceName ?source }}
    OPTIONAL {{ {t} tk:attributedTo ?speakerEntity }}
    BIND({t} AS ?st) }}"""
    return ("SELECT DISTINCT ?st ?p ?other ?confidence ?sentence ?begin ?end ?doc "
            "(COALESCE(?headline, ?source) AS ?title) ?speakerEntity WHERE {\n"
            + "\nUNION ".join(branch(s) for s in statements) + "\n}")


def documents_page(e, offset=0):
    return f"""SELECT ?doc (COUNT(?m) AS ?mentions) WHERE {{
  GRAPH ?doc {{ ?m itsrdf:taIdentRef <{e}> }}
}} GROUP BY ?doc ORDER BY DESC(?mentions) ?doc LIMIT {DOC_PAGE + 1} OFFSET {offset}"""


def documents_titles(docs):
    values = " ".join(f"<{d}>" for d in docs)
    return f"""SELECT ?doc (SAMPLE(?t) AS ?title) WHERE {{
  VALUES ?doc {{ {values} }}
  OPTIONAL {{ ?doc schema:headline|tk:sourceName ?t }}
}} GROUP BY ?doc"""


def expand(e):
    return f"""SELECT DISTINCT ?s ?p ?o WHERE {{
  {{ ?st rdf:subject <{e}> ; rdf:object ?o ; a tk:RelationStatement ; rdf:predicate ?p . FILTER(isIRI(?o)) BIND(<{e}> AS ?s) }}
  UNION
  {{ ?st rdf:object <{e}> ; rdf:subject ?s ; a tk:RelationStatement ; rdf:predicate ?p . FILTER(isIRI(?s)) BIND(<{e}> AS ?o) }}
}} LIMIT 300"""


def docs_page(offset):
    return f"""SELECT ?doc ?title ?date ?source WHERE {{
  GRAPH ?doc {{ ?doc a tk:Document ; tk:sourceName ?source
    OPTIONAL {{ ?doc schema:headline ?title }} OPTIONAL {{ ?doc schema:datePublished ?date }} }}
}} LIMIT {PAGE + 1} OFFSET {offset}"""


def doc_text(d):
    return f"""SELECT ?text ?title ?date ?source WHERE {{ GRAPH <{d}> {{
  <{d}> tk:context/nif:isString ?text .
  OPTIONAL {{ <{d}> schema:headline ?title }} OPTIONAL {{ <{d}> schema:datePublished ?date }} OPTIONAL {{ <{d}> tk:sourceName ?source }} }} }} LIMIT 1"""


def doc_mentions(d):
    return f"""SELECT DISTINCT ?begin ?end ?entity ?label WHERE {{ GRAPH <{d}> {{
  ?m itsrdf:taIdentRef ?entity ; nif:beginIndex ?begin ; nif:endIndex ?end .
  OPTIONAL {{ ?entity rdfs:label ?label }} }} }} ORDER BY ?begin"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--entity", action="append", default=[])
    ap.add_argument("--search", action="append", default=[])
    ap.add_argument("--canned", action="store_true", help="also run the shipped canned queries")
    args = ap.parse_args()
    base, k = args.base.rstrip("/"), args.repeat

    # Searches: the empty search (first page, a later page), then each text.
    for needle, offset in [("", 0), ("", 1000)] + [(s, 0) for s in args.search]:
        page = run(base, search_page(needle, offset), k)
        report("search", f"page {needle!r} offset {offset}", page)
        iris = [b["e"]["value"] for b in bindings(page)][:PAGE]
        if iris:
            report("search", f"labels {needle!r} ({len(iris)} entities)", run(base, labels_of(iris, True), k))

    for e in args.entity:
        short = e.rsplit("/", 1)[-1][:24]
        report("entity", f"facts <{short}>", run(base, entity_facts(e), k))
        for direction in ["out", "in"]:
            page = run(base, relations_page(e, direction), k)
            report("entity", f"relations {direction} page <{short}>", page)
            sts = list(dict.fromkeys(b["st"]["value"] for b in bindings(page)))[:REL_PAGE]
            if sts:
                details = run(base, relations_details(sts, direction), k)
                report("entity", f"relations {direction} details ({len(sts)})", details)
                nodes = [b["other"]["value"] for b in bindings(details) if b["other"]["type"] == "uri"]
                nodes += [b["speakerEntity"]["value"] for b in bindings(details) if "speakerEntity" in b]
                report("entity", f"relations {direction} labels ({len(set(nodes))})", run(base, labels_of(nodes, False), k))
        page = run(base, documents_page(e), k)
        report("entity", f"documents page <{short}>", page)
        docs = [b["doc"]["value"] for b in bindings(page)][:DOC_PAGE]
        if docs:
            report("entity", f"documents titles ({len(docs)})", run(base, documents_titles(docs), k))
        edges = run(base, expand(e), k)
        report("entity", f"expand edges <{short}>", edges)
        nodes = [b[v]["value"] for b in bindings(edges) for v in ("s", "o") if b[v]["value"] != e]
        if nodes:
            report("entity", f"expand labels ({len(set(nodes))} nodes)", run(base, labels_of(nodes, False), k))

    docs = run(base, docs_page(0), k)
    report("docs", "page offset 0", docs)
    report("docs", "page offset 1000", run(base, docs_page(1000), k))
    first = [b["doc"]["value"] for b in bindings(docs)][:1]
    for d in first:
        report("doc", "text", run(base, doc_text(d), k))
        report("doc", "mentions", run(base, doc_mentions(d), k))

    if args.canned:
        out = subprocess.run(["curl", "-sS", base + "/queries.json"], capture_output=True, text=True, check=True)
        for q in json.loads(out.stdout):
            report("canned", q["name"], run(base, q["text"], 1, prefixes=False))


if __name__ == "__main__":
    sys.exit(main())

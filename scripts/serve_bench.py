#!/usr/bin/env python3
"""Queries per second of an entity-page query: `textkg serve` against `oxigraph serve-read-only`
on the same store, at 1 and 8 concurrent clients, in the same run.

The store: the example articles ingested by textkg, exported as N-Quads, then replicated with
renamed document graphs and entities until it holds at least --quads quads (textkg's shape at
scale: one named graph per document, shared entity nodes), loaded once with `oxigraph load`
(Oxigraph 0.5's RocksDB format is textkg's) and copied so each server opens its own directory.

The query is the explorer's "relations out" query of an entity page (statement, predicate,
object label, confidence, evidence sentence, document), for entities drawn round-robin. Oxigraph
runs with --union-default-graph so both answer the same query the same way.

    cargo build --release
    scripts/serve_bench.py --textkg target/release/textkg --quads 1000000 --seconds 20

Needs the PyPI `oxigraph` server binary on PATH. Not a test: numbers depend on the machine.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

QUERY = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX tk: <https://w3id.org/textkg/ns#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?st ?p ?other ?otherLabel ?confidence ?sentence ?doc WHERE {
  ?st a tk:RelationStatement ; rdf:subject <ENTITY> ; rdf:predicate ?p ; rdf:object ?other ;
      tk:confidence ?confidence ; prov:wasDerivedFrom ?doc .
  OPTIONAL { ?st tk:evidence/nif:anchorOf ?sentence }
  OPTIONAL { ?other rdfs:label ?otherLabel }
} ORDER BY DESC(?confidence) LIMIT 200"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing listens on {port}")


def build_data(textkg, work, quads_wanted, share):
    store = os.path.join(work, "seed-store")
    subprocess.run([textkg, "ingest", "--store", store, os.path.join(ROOT, "examples/news"),
                    os.path.join(ROOT, "tests/fixtures/dated-news.jsonl")], check=True,
                   stdout=subprocess.DEVNULL)
    seed = subprocess.run([textkg, "export", "--store", store, "--format", "nquads"], check=True,
                          capture_output=True, text=True).stdout.splitlines()
    copies = max(1, -(-quads_wanted // len(seed)))
    entity = re.compile(r"<(https://w3id\.org/textkg/id/(?:person|organization|place|event|group|thing)/[^>#/]+)")
    doc = re.compile(r"<https://w3id\.org/textkg/id/doc/([^>#]+)")
    path = os.path.join(work, "data.nq")
    entities = set()
    with open(path, "w") as out:
        for i in range(copies):
            # Entities are shared across `share` copies, like names recurring across articles.
            group = i // share
            for line in seed:
                line = doc.sub(lambda m: f"<https://w3id.org/textkg/id/doc/{m.group(1)}-{i}", line)
                line = entity.sub(lambda m: f"<{m.group(1)}-{group}", line)
                out.write(line + "\n")
    for line in seed:
        for m in entity.finditer(line):
            entities.add(m.group(1))
    groups = (copies + share - 1) // share
    return path, copies * len(seed), [f"{e}-{g}" for g in range(groups) for e in sorted(entities)]


def load(data, location):
    subprocess.run(["oxigraph", "load", "--location", location, "--file", data], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_clients(endpoint, entities, clients, seconds):
    done = [0] * clients
    errors = [0] * clients
    stop = time.time() + seconds

    def client(k):
        i = k
        while time.time() < stop:
            q = QUERY.replace("ENTITY", entities[i % len(entities)])
            i += clients
            req = urllib.request.Request(endpoint, data=urllib.parse.urlencode({"query": q}).encode(),
                                         headers={"Accept": "application/sparql-results+json",
                                                  "Content-Type": "application/x-www-form-urlencoded"})
            try:
                json.load(urllib.request.urlopen(req, timeout=60))
                done[k] += 1
            except Exception:
                errors[k] += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - start
    return sum(done) / elapsed, sum(errors)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--textkg", default=os.path.join(ROOT, "target/release/textkg"))
    ap.add_argument("--quads", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", default="1,8")
    ap.add_argument("--share", type=int, default=10, help="copies of the corpus that share entity nodes")
    ap.add_argument("--work", help="keep data here (default: a temporary directory)")
    ap.add_argument("--load-only", action="store_true", help="build and load the stores, then stop")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="serve-bench-")
    os.makedirs(work, exist_ok=True)
    t = time.time()
    data, quads, entities = build_data(args.textkg, work, args.quads, max(1, args.share))
    print(f"data: {quads} quads (before dedup), {len(entities)} query entities, {time.time() - t:.1f} s")
    t = time.time()
    textkg_store = os.path.join(work, "textkg-store")
    load(data, textkg_store)
    oxigraph_store = os.path.join(work, "oxigraph-store")
    shutil.copytree(textkg_store, oxigraph_store)
    print(f"loaded with oxigraph load in {time.time() - t:.1f} s")
    if args.load_only:
        return
    servers = []
    try:
        tk = subprocess.Popen([args.textkg, "serve", "--store", textkg_store, "--bind", "127.0.0.1:0", "--quiet",
                               "--max-concurrent", "64", "--timeout", "60"],
                              stdout=subprocess.PIPE, text=True)
        servers.append(tk)
        tk_addr = tk.stdout.readline().split("http://")[1].split("/")[0]
        port = free_port()
        ox = subprocess.Popen(["oxigraph", "serve-read-only", "--location", oxigraph_store, "--bind",
                               f"127.0.0.1:{port}", "--union-default-graph"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        servers.append(ox)
        wait_port(port)
        targets = [("textkg serve", f"http://{tk_addr}/sparql"), ("oxigraph serve-read-only", f"http://127.0.0.1:{port}/query")]
        # Same answers first (row counts for a few entities).
        for e in entities[:: max(1, len(entities) // 5)][:5]:
            counts = []
            for _, url in targets:
                req = urllib.request.Request(url, data=urllib.parse.urlencode({"query": QUERY.replace("ENTITY", e)}).encode(),
                                             headers={"Accept": "application/sparql-results+json",
                                                      "Content-Type": "application/x-www-form-urlencoded"})
                counts.append(len(json.load(urllib.request.urlopen(req))["results"]["bindings"]))
            assert counts[0] == counts[1], (e, counts)
            print(f"{e}: {counts[0]} rows from both")
        print(f"| server | clients | queries/s | errors |\n|---|---|---|---|")
        for clients in [int(c) for c in args.clients.split(",")]:
            for name, url in targets:
                run_clients(url, entities, clients, 2)  # warm-up
                qps, errors = run_clients(url, entities, clients, args.seconds)
                print(f"| {name} | {clients} | {qps:.1f} | {errors} |", flush=True)
    finally:
        for s in servers:
            s.terminate()
            s.wait()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

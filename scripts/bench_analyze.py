#!/usr/bin/env python3
"""Time `textkg analyze` next to networkx on one large graph (a benchmark, not a test).

Usage: bench_analyze.py TEXTKG_BINARY [--nodes N] [--samples K] [--graph FILE.json]

Without --graph it generates a synthetic entity graph (networkx powerlaw_cluster_graph,
N nodes, 3 edges per new node, triangle probability 0.3, random edge direction and
statement counts 1-5, seed 1) and writes it as node-link JSON, the format of
`textkg export --format json`. Both sides then compute the same measures on the same
file: degree, weighted PageRank, betweenness from K sampled sources (exact
betweenness is O(n·m) in both), connected components, Louvain communities and
their modularity. Prints the times, the agreement on PageRank and components, and
both modularities. Run on an otherwise idle machine, with a release build.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import networkx as nx

sys.path.insert(0, os.path.dirname(__file__))
from compare_networkx import projections  # noqa: E402


def synthetic(n, path):
    g = nx.powerlaw_cluster_graph(n, 3, 0.3, seed=1)
    rng = random.Random(1)
    nodes = [{"id": f"https://w3id.org/textkg/id/thing/n{i}", "label": f"n{i}", "type": "Thing"} for i in g]
    edges = []
    for a, b in g.edges():
        if rng.random() < 0.5:
            a, b = b, a
        edges.append(
            {
                "source": nodes[a]["id"],
                "target": nodes[b]["id"],
                "predicate": "https://w3id.org/textkg/ns#relatedTo",
                "confidence": 0.5,
                "count": rng.randint(1, 5),
            }
        )
    with open(path, "w") as f:
        json.dump({"directed": True, "multigraph": True, "graph": {}, "nodes": nodes, "edges": edges}, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("textkg")
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--graph")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    graph = args.graph or os.path.join(tmp, "graph.json")
    if not args.graph:
        t = time.perf_counter()
        synthetic(args.nodes, graph)
        print(f"generated {graph} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    out = os.path.join(tmp, "analysis.json")

    t = time.perf_counter()
    subprocess.run(
        [args.textkg, "analyze", "--from-json", graph, "--format", "json", "-o", out,
         "--betweenness-samples", str(args.samples)],
        check=True,
    )
    ours_total = time.perf_counter() - t
    ours = json.load(open(out))

    t = time.perf_counter()
    data = json.load(open(graph))
    directed, undirected = projections(data)
    nx_load = time.perf_counter() - t
    times = {}
    t = time.perf_counter()
    deg = dict(undirected.degree())
    times["degree"] = time.perf_counter() - t
    t = time.perf_counter()
    try:
        pr = nx.pagerank(directed, alpha=0.85, weight="weight", tol=1e-10)
        impl = "scipy"
    except ImportError:
        from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

        pr = _pagerank_python(directed, alpha=0.85, weight="weight", tol=1e-10)
        impl = "python"
    times[f"pagerank ({impl})"] = time.perf_counter() - t
    t = time.perf_counter()
    nx.betweenness_centrality(undirected, k=args.samples, seed=1)
    times[f"betweenness (k={args.samples})"] = time.perf_counter() - t
    t = time.perf_counter()
    comps = list(nx.connected_components(undirected))
    times["components"] = time.perf_counter() - t
    t = time.perf_counter()
    louvain = nx.community.louvain_communities(undirected, weight="weight", seed=1)
    times["louvain"] = time.perf_counter() - t
    t = time.perf_counter()
    q_nx = nx.community.modularity(undirected, louvain, weight="weight")
    times["modularity"] = time.perf_counter() - t
    nx_total = nx_load + sum(times.values())

    metrics = {m["id"]: m for m in ours["metrics"]}
    report = {
        "nodes": undirected.number_of_nodes(),
        "pairs": undirected.number_of_edges(),
        "textkg_analyze_s (all measures, incl. reading the JSON, process start)": round(ours_total, 2),
        "textkg_reported_s (read + analyse)": round(ours["seconds"], 2),
        "textkg_steps_s": {k: round(v, 3) for k, v in ours.get("timings", {}).items()},
        "networkx_load_s (json + projection)": round(nx_load, 2),
        "networkx_s": {k: round(v, 2) for k, v in times.items()},
        "networkx_total_s": round(nx_total, 2),
        "pagerank_max_diff": max(abs(pr[n] - metrics[n]["pagerank"]) for n in pr),
        "degree_equal": all(deg[n] == metrics[n]["degree"] for n in deg),
        "components": [len(comps), ours["components"]],
        "modularity_networkx_louvain": q_nx,
        "modularity_textkg_louvain": ours["modularity"],
        "communities": [len(louvain), ours["communities"]],
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

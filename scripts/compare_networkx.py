#!/usr/bin/env python3
"""Compare `textkg analyze --format json` with networkx on the same exported graph.

Usage: compare_networkx.py GRAPH.json ANALYSIS.json [--betweenness-samples K]

GRAPH.json is `textkg export --format json` (node-link), ANALYSIS.json the output of
`textkg analyze --format json` over the same selection. The projection is the one
documented in src/analyze.rs: parallel edges summed (weight = statement count, at
least 1), self-loops dropped; PageRank on the directed projection (relations) or
the undirected one (co-mention), betweenness/components/communities undirected.

Prints one JSON object with the largest differences and the modularities, and
exits 1 when a bound of issue 16 is broken: PageRank within 1e-6, betweenness
within 1e-9, same components, our modularity >= networkx Louvain's - 0.01.
"""

import json
import sys
import time

import networkx as nx


def projections(data):
    directed = nx.DiGraph()
    undirected = nx.Graph()
    for n in data["nodes"]:
        directed.add_node(n["id"])
        undirected.add_node(n["id"])
    for e in data["edges"]:
        a, b = e["source"], e["target"]
        if a == b:
            continue
        w = max(int(e.get("count", 1)), 1)
        for g, (x, y) in ((directed, (a, b)), (undirected, (a, b))):
            if g.has_edge(x, y):
                g[x][y]["weight"] += w
            else:
                g.add_edge(x, y, weight=w)
    return directed, undirected


def main():
    graph_path, analysis_path = sys.argv[1], sys.argv[2]
    data = json.load(open(graph_path))
    ours = json.load(open(analysis_path))
    directed, undirected = projections(data)
    if ours.get("network") == "co-mention":
        directed = undirected
    metrics = {m["id"]: m for m in ours["metrics"]}
    assert set(metrics) == set(undirected.nodes), "node sets differ"
    report = {"nodes": undirected.number_of_nodes(), "pairs": undirected.number_of_edges()}

    t = time.perf_counter()
    try:
        pr = nx.pagerank(directed, alpha=0.85, weight="weight", tol=1e-13, max_iter=100000)
        report["nx_pagerank_impl"] = "scipy"
    except ImportError:  # networkx's SciPy path needs numpy; its pure-Python one does not
        from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

        pr = _pagerank_python(directed, alpha=0.85, weight="weight", tol=1e-13, max_iter=100000)
        report["nx_pagerank_impl"] = "python"
    report["nx_pagerank_s"] = time.perf_counter() - t
    report["pagerank_max_diff"] = max(abs(pr[n] - metrics[n]["pagerank"]) for n in pr)

    t = time.perf_counter()
    bc = nx.betweenness_centrality(undirected, normalized=True)
    report["nx_betweenness_s"] = time.perf_counter() - t
    report["betweenness_max_diff"] = max(abs(bc[n] - metrics[n]["betweenness"]) for n in bc)

    t = time.perf_counter()
    comps = {frozenset(c) for c in nx.connected_components(undirected)}
    report["nx_components_s"] = time.perf_counter() - t
    ours_comps = {}
    for n, m in metrics.items():
        ours_comps.setdefault(m["component"], set()).add(n)
    report["components"] = len(comps)
    report["components_equal"] = comps == {frozenset(c) for c in ours_comps.values()}

    degree_ok = all(undirected.degree(n) == metrics[n]["degree"] for n in undirected)
    report["degree_equal"] = degree_ok

    t = time.perf_counter()
    louvain = nx.community.louvain_communities(undirected, weight="weight", seed=1)
    report["nx_louvain_s"] = time.perf_counter() - t
    ours_comm = {}
    for n, m in metrics.items():
        ours_comm.setdefault(m["community"], set()).add(n)
    q_nx = nx.community.modularity(undirected, louvain, weight="weight")
    q_ours = nx.community.modularity(undirected, list(ours_comm.values()), weight="weight")
    report["modularity_networkx_louvain"] = q_nx
    report["modularity_ours_by_networkx"] = q_ours
    report["modularity_ours_reported"] = ours["modularity"]
    report["communities_networkx"] = len(louvain)
    report["communities_ours"] = len(ours_comm)

    ok = (
        report["pagerank_max_diff"] <= 1e-6
        and report["betweenness_max_diff"] <= 1e-9
        and report["components_equal"]
        and degree_ok
        and q_ours >= q_nx - 0.01
        and abs(q_ours - ours["modularity"]) <= 1e-9
    )
    report["ok"] = ok
    print(json.dumps(report, indent=1))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

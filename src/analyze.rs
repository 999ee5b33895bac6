//! Graph analytics over the entity graph of [`crate::export`]: degree,
//! weighted PageRank, betweenness, connected components, Louvain communities,
//! shortest paths with the evidence of every hop; and their write-back into
//! the store as RDF in the analytics graph (`{base}analytics`), with PROV-O
//! provenance.
//!
//! The algorithms work on a projection of the entity graph (a multigraph of
//! predicates) to a simple weighted graph: the weight of a pair of entities is
//! the number of statements that relate them, summed over predicates (an edge
//! no statement supports, from a CONSTRUCT export, weighs 1); self-loops are
//! left out. PageRank follows the direction of the relations (subject →
//! object) on relation networks and both directions on co-mention networks;
//! degree, betweenness, components and communities ignore direction.
//! Definitions follow networkx (PageRank's dangling-node rule, betweenness
//! normalised by `(n-1)(n-2)`, modularity with resolution 1), so results can
//! be compared with it number for number. Everything is deterministic: node
//! order is the graph's, ties go to the lower index.
//!
//! The analytics graph sits above the data in the flow: it reads the entity
//! graph that `export` builds and writes only to its own named graph.

use std::collections::{BTreeMap, HashMap, VecDeque};

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rayon::prelude::*;

use crate::export::{EntityGraph, Node};
use crate::iri::Namespace;
use crate::rdf::ns;
use crate::store::{KgStore, StoreError};

/// Errors of analyses.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// Store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Storage failure while replacing previous results.
    #[error("cannot write the analytics graph: {0}")]
    Write(String),
    /// A path endpoint names no entity of the graph.
    #[error("no entity named {0:?} in the analysed graph (give its label, an alias as label, or its IRI)")]
    UnknownEntity(String),
}

/// Settings of [`analyze`].
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// PageRank damping factor.
    pub alpha: f64,
    /// PageRank stops when the L1 change of an iteration is below `n × tolerance`.
    pub tolerance: f64,
    /// PageRank iteration cap.
    pub max_iterations: usize,
    /// Betweenness from this many evenly spaced source nodes instead of all
    /// (an estimate, scaled as networkx's `k`); `None`: exact.
    pub betweenness_samples: Option<usize>,
    /// Louvain resolution (1: classic modularity).
    pub resolution: f64,
    /// PageRank along the relations' direction (relation networks) or both ways (co-mention networks).
    pub directed: bool,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        Self {
            alpha: 0.85,
            tolerance: 1e-12,
            max_iterations: 10_000,
            betweenness_samples: None,
            resolution: 1.0,
            directed: true,
        }
    }
}

/// The entity graph as a simple weighted graph (see the module docs).
#[derive(Debug, Clone)]
pub struct Projection {
    /// Out-neighbours with weights, by node index (both ways when undirected).
    pub out: Vec<Vec<(usize, f64)>>,
    /// Neighbours ignoring direction, with summed weights, sorted by index.
    pub undirected: Vec<Vec<(usize, f64)>>,
    /// Number of distinct pairs of related entities.
    pub pairs: usize,
}

impl Projection {
    /// Projects the entity graph; `directed` keeps the relations' direction for PageRank.
    pub fn of(graph: &EntityGraph, directed: bool) -> Self {
        let n = graph.node_count();
        let mut out: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); n];
        let mut und: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); n];
        for e in graph.edge_references() {
            let (a, b) = (e.source().index(), e.target().index());
            if a == b {
                continue;
            }
            let w = e.weight().count.max(1) as f64;
            *out[a].entry(b).or_default() += w;
            if !directed {
                *out[b].entry(a).or_default() += w;
            }
            *und[a].entry(b).or_default() += w;
            *und[b].entry(a).or_default() += w;
        }
        let pairs = und.iter().map(BTreeMap::len).sum::<usize>() / 2;
        Self {
            out: out.into_iter().map(|m| m.into_iter().collect()).collect(),
            undirected: und.into_iter().map(|m| m.into_iter().collect()).collect(),
            pairs,
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// True if there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }
}

/// Weighted PageRank by power iteration, as networkx's `pagerank`: uniform
/// teleport and dangling distribution. Returns the scores (summing to 1) and
/// the number of iterations.
pub fn pagerank(p: &Projection, alpha: f64, tolerance: f64, max_iterations: usize) -> (Vec<f64>, usize) {
    let n = p.len();
    if n == 0 {
        return (Vec::new(), 0);
    }
    let nf = n as f64;
    let out_weight: Vec<f64> = p.out.iter().map(|o| o.iter().map(|&(_, w)| w).sum()).collect();
    let dangling: Vec<usize> = (0..n).filter(|&i| out_weight[i] == 0.0).collect();
    let mut x = vec![1.0 / nf; n];
    let mut next = vec![0.0; n];
    for iteration in 1..=max_iterations {
        let dangle: f64 = alpha * dangling.iter().map(|&i| x[i]).sum::<f64>();
        let base = dangle / nf + (1.0 - alpha) / nf;
        next.iter_mut().for_each(|v| *v = base);
        for (i, edges) in p.out.iter().enumerate() {
            if out_weight[i] == 0.0 {
                continue;
            }
            let share = alpha * x[i] / out_weight[i];
            for &(j, w) in edges {
                next[j] += share * w;
            }
        }
        let err: f64 = next.iter().zip(&x).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut x, &mut next);
        if err < nf * tolerance {
            return (x, iteration);
        }
    }
    (x, max_iterations)
}

/// Betweenness centrality ignoring direction and weights (Brandes), normalised
/// as networkx (`normalized=True`, endpoints excluded). With `samples = Some(k)`
/// only `k` evenly spaced sources are used and the estimate is scaled as
/// networkx does for its `k`. Sources run in parallel; the sums are added in a
/// fixed order, so the result does not depend on the thread count.
pub fn betweenness(p: &Projection, samples: Option<usize>) -> Vec<f64> {
    let n = p.len();
    if n == 0 {
        return Vec::new();
    }
    let sources: Vec<usize> = match samples {
        Some(k) if k < n => (0..k.max(1)).map(|i| i * n / k.max(1)).collect(),
        _ => (0..n).collect(),
    };
    let chunks: Vec<Vec<f64>> = sources
        .par_chunks(64)
        .map(|chunk| {
            let mut acc = vec![0.0; n];
            let mut state = BrandesState::new(n);
            for &s in chunk {
                state.accumulate(p, s, &mut acc);
            }
            acc
        })
        .collect();
    let mut raw = vec![0.0; n];
    for c in chunks {
        for (r, v) in raw.iter_mut().zip(c) {
            *r += v;
        }
    }
    // networkx's `_rescale` with endpoints=False: N = n - 1 possible targets.
    let big_n = n as f64 - 1.0;
    if big_n < 2.0 {
        return raw;
    }
    let k = sources.len();
    if k == n {
        let scale = 1.0 / (big_n * (big_n - 1.0));
        raw.iter_mut().for_each(|v| *v *= scale);
    } else {
        let kf = k as f64;
        let scale_source = if k > 1 {
            1.0 / ((kf - 1.0) * (big_n - 1.0))
        } else {
            f64::NAN
        };
        let scale_other = 1.0 / (kf * (big_n - 1.0));
        let is_source: std::collections::HashSet<usize> = sources.iter().copied().collect();
        for (i, v) in raw.iter_mut().enumerate() {
            *v *= if is_source.contains(&i) {
                scale_source
            } else {
                scale_other
            };
        }
    }
    raw
}

/// Scratch space of one Brandes single-source pass, reused across sources.
struct BrandesState {
    stack: Vec<usize>,
    sigma: Vec<f64>,
    dist: Vec<i64>,
    delta: Vec<f64>,
    queue: VecDeque<usize>,
}

impl BrandesState {
    fn new(n: usize) -> Self {
        Self {
            stack: Vec::with_capacity(n),
            sigma: vec![0.0; n],
            dist: vec![-1; n],
            delta: vec![0.0; n],
            queue: VecDeque::new(),
        }
    }

    /// Adds the dependencies of source `s` to `acc`.
    fn accumulate(&mut self, p: &Projection, s: usize, acc: &mut [f64]) {
        for &v in &self.stack {
            self.sigma[v] = 0.0;
            self.dist[v] = -1;
            self.delta[v] = 0.0;
        }
        self.stack.clear();
        self.sigma[s] = 1.0;
        self.dist[s] = 0;
        self.queue.push_back(s);
        while let Some(v) = self.queue.pop_front() {
            self.stack.push(v);
            for &(w, _) in &p.undirected[v] {
                if self.dist[w] < 0 {
                    self.dist[w] = self.dist[v] + 1;
                    self.queue.push_back(w);
                }
                if self.dist[w] == self.dist[v] + 1 {
                    self.sigma[w] += self.sigma[v];
                }
            }
        }
        // Predecessors are the neighbours one step closer: no lists needed.
        for &w in self.stack.iter().rev() {
            let coefficient = (1.0 + self.delta[w]) / self.sigma[w];
            for &(v, _) in &p.undirected[w] {
                if self.dist[v] >= 0 && self.dist[v] == self.dist[w] - 1 {
                    self.delta[v] += self.sigma[v] * coefficient;
                }
            }
            if w != s {
                acc[w] += self.delta[w];
            }
        }
    }
}

/// Renumbers labels so that 0 is the largest group, then by smallest member.
fn renumber(labels: &[usize]) -> Vec<usize> {
    let mut groups: BTreeMap<usize, (usize, usize)> = BTreeMap::new(); // label → (size, first member)
    for (i, &l) in labels.iter().enumerate() {
        let g = groups.entry(l).or_insert((0, i));
        g.0 += 1;
    }
    let mut order: Vec<(usize, usize, usize)> = groups.into_iter().map(|(l, (size, first))| (size, first, l)).collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let new: HashMap<usize, usize> = order.iter().enumerate().map(|(k, &(_, _, l))| (l, k)).collect();
    labels.iter().map(|l| new[l]).collect()
}

/// Connected components ignoring direction: a component number per node,
/// 0 for the largest.
pub fn components(p: &Projection) -> Vec<usize> {
    let n = p.len();
    let mut label = vec![usize::MAX; n];
    for start in 0..n {
        if label.get(start) != Some(&usize::MAX) {
            continue;
        }
        label[start] = start;
        let mut queue = VecDeque::from([start]);
        while let Some(v) = queue.pop_front() {
            for &(w, _) in &p.undirected[v] {
                if label[w] == usize::MAX {
                    label[w] = start;
                    queue.push_back(w);
                }
            }
        }
    }
    renumber(&label)
}

/// Modularity of a partition of the undirected weighted projection (networkx's
/// `community.modularity` with `weight` and `resolution`).
pub fn modularity(p: &Projection, community: &[usize], resolution: f64) -> f64 {
    let degree: Vec<f64> = p.undirected.iter().map(|a| a.iter().map(|&(_, w)| w).sum()).collect();
    let two_m: f64 = degree.iter().sum();
    if two_m == 0.0 {
        return 0.0;
    }
    let mut inside: HashMap<usize, f64> = HashMap::new();
    let mut total: HashMap<usize, f64> = HashMap::new();
    for (i, adj) in p.undirected.iter().enumerate() {
        *total.entry(community[i]).or_default() += degree[i];
        for &(j, w) in adj {
            if community[j] == community[i] {
                *inside.entry(community[i]).or_default() += w; // each edge twice
            }
        }
    }
    let mut keys: Vec<usize> = total.keys().copied().collect();
    keys.sort_unstable();
    keys.iter()
        .map(|c| {
            let l = inside.get(c).copied().unwrap_or(0.0) / two_m; // = L_c / m
            let d = total[c] / two_m;
            l - resolution * d * d
        })
        .sum()
}

/// Louvain community detection (Blondel et al. 2008) on the undirected
/// weighted projection: local moves until no move gains modularity, then
/// aggregation, until a level changes nothing. Returns a community number per
/// node, 0 for the largest.
///
/// Louvain's result depends on the order nodes are visited in, and one order
/// can stop in a poor local optimum (on a 29-node co-mention graph, 0.409
/// against networkx's 0.443). It runs with four deterministic orders (node
/// order, its reverse, by degree descending and ascending) and keeps the
/// partition of highest modularity, so the result is still the same every run.
pub fn louvain(p: &Projection, resolution: f64) -> Vec<usize> {
    let n = p.len();
    let degree: Vec<f64> = p.undirected.iter().map(|a| a.iter().map(|&(_, w)| w).sum()).collect();
    let natural: Vec<usize> = (0..n).collect();
    let mut by_degree = natural.clone();
    by_degree.sort_by(|&a, &b| degree[b].total_cmp(&degree[a]).then(a.cmp(&b)));
    let orders = [
        natural.clone(),
        natural.iter().rev().copied().collect(),
        by_degree.clone(),
        by_degree.iter().rev().copied().collect(),
    ];
    let mut best: Option<(f64, Vec<usize>)> = None;
    for order in &orders {
        let c = louvain_in_order(p, resolution, order);
        let q = modularity(p, &c, resolution);
        if best.as_ref().is_none_or(|(b, _)| q > *b + 1e-12) {
            best = Some((q, c));
        }
    }
    best.map_or_else(Vec::new, |(_, c)| c)
}

/// One Louvain run whose first level visits nodes in `order` (a permutation
/// of the nodes; later levels visit communities in their own order).
fn louvain_in_order(p: &Projection, resolution: f64, order: &[usize]) -> Vec<usize> {
    let n = p.len();
    // The current level: adjacency without self-loops, and each node's internal weight.
    let mut adj: Vec<Vec<(usize, f64)>> = p.undirected.clone();
    let mut internal: Vec<f64> = vec![0.0; n];
    let mut member: Vec<usize> = (0..n).collect(); // original node → level node
    let two_m: f64 = adj.iter().flat_map(|a| a.iter().map(|&(_, w)| w)).sum();
    if two_m == 0.0 {
        return renumber(&member);
    }
    let mut first_level = true;
    loop {
        let level_n = adj.len();
        let k: Vec<f64> = (0..level_n)
            .map(|i| adj[i].iter().map(|&(_, w)| w).sum::<f64>() + 2.0 * internal[i])
            .collect();
        let mut comm: Vec<usize> = (0..level_n).collect();
        let mut tot: Vec<f64> = k.clone();
        let mut improved = false;
        let mut weight_to: HashMap<usize, f64> = HashMap::new();
        // Every move gains modularity, so passes end; the cap guards against rounding cycles.
        let visit: Vec<usize> = if first_level && order.len() == level_n {
            order.to_vec()
        } else {
            (0..level_n).collect()
        };
        first_level = false;
        for _pass in 0..1000 {
            let mut moves = 0;
            for &i in &visit {
                let edges = &adj[i];
                let own = comm[i];
                tot[own] -= k[i];
                weight_to.clear();
                for &(j, w) in edges {
                    *weight_to.entry(comm[j]).or_default() += w;
                }
                let gain = |c: usize, w_ic: f64| w_ic - resolution * tot[c] * k[i] / two_m;
                let mut best = own;
                let mut best_gain = gain(own, weight_to.get(&own).copied().unwrap_or(0.0));
                let mut candidates: Vec<(usize, f64)> = weight_to.iter().map(|(&c, &w)| (c, w)).collect();
                candidates.sort_unstable_by_key(|&(c, _)| c);
                for (c, w) in candidates {
                    let g = gain(c, w);
                    if g > best_gain + 1e-12 {
                        best = c;
                        best_gain = g;
                    }
                }
                tot[best] += k[i];
                if best != own {
                    comm[i] = best;
                    moves += 1;
                }
            }
            if moves == 0 {
                break;
            }
            improved = true;
        }
        if !improved {
            break;
        }
        // Aggregate: one node per community.
        let relabel = {
            let mut map: HashMap<usize, usize> = HashMap::new();
            for &c in &comm {
                let next = map.len();
                map.entry(c).or_insert(next);
            }
            map
        };
        let new_n = relabel.len();
        let mut new_adj: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); new_n];
        let mut new_internal = vec![0.0; new_n];
        for (i, edges) in adj.iter().enumerate() {
            let ci = relabel[&comm[i]];
            new_internal[ci] += internal[i];
            for &(j, w) in edges {
                let cj = relabel[&comm[j]];
                if ci == cj {
                    new_internal[ci] += w / 2.0; // seen from both ends
                } else {
                    *new_adj[ci].entry(cj).or_default() += w;
                }
            }
        }
        for m in member.iter_mut() {
            *m = relabel[&comm[*m]];
        }
        adj = new_adj.into_iter().map(|m| m.into_iter().collect()).collect();
        internal = new_internal;
        if new_n == level_n {
            break;
        }
    }
    renumber(&member)
}

/// Scores of one entity.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NodeMetrics {
    /// Entity IRI.
    pub id: String,
    /// Label.
    pub label: String,
    /// Entity class.
    #[serde(rename = "type")]
    pub node_type: String,
    /// Distinct neighbours, either direction.
    pub degree: usize,
    /// Statements relating it to other entities (the weighted degree).
    pub weighted_degree: f64,
    /// Weighted PageRank.
    pub pagerank: f64,
    /// Normalised betweenness.
    pub betweenness: f64,
    /// Connected component (0 = largest).
    pub component: usize,
    /// Louvain community (0 = largest).
    pub community: usize,
}

/// The results of [`analyze`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct Analysis {
    /// Entities in the analysed graph.
    pub nodes: usize,
    /// Edges of the entity graph (entity pair × predicate × kind).
    pub edges: usize,
    /// Distinct related pairs (edges of the projection).
    pub pairs: usize,
    /// Connected components.
    pub components: usize,
    /// Louvain communities.
    pub communities: usize,
    /// Modularity of the communities.
    pub modularity: f64,
    /// PageRank iterations until convergence.
    pub pagerank_iterations: usize,
    /// Seconds each step took (projection, pagerank, betweenness, components, louvain).
    pub timings: BTreeMap<&'static str, f64>,
    /// The settings used.
    #[serde(skip)]
    pub options: AnalyzeOptions,
    /// Scores per entity, in graph order.
    pub metrics: Vec<NodeMetrics>,
}

/// Runs every measure over the entity graph.
pub fn analyze(graph: &EntityGraph, options: &AnalyzeOptions) -> Analysis {
    let mut timings = BTreeMap::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |step: &'static str| {
        timings.insert(step, clock.elapsed().as_secs_f64());
        clock = std::time::Instant::now();
    };
    let p = Projection::of(graph, options.directed);
    lap("projection");
    let (pr, iterations) = pagerank(&p, options.alpha, options.tolerance, options.max_iterations);
    lap("pagerank");
    let bc = betweenness(&p, options.betweenness_samples);
    lap("betweenness");
    let comp = components(&p);
    lap("components");
    let comm = louvain(&p, options.resolution);
    let q = modularity(&p, &comm, options.resolution);
    lap("louvain");
    let metrics = graph
        .node_indices()
        .map(|i| {
            let k = i.index();
            let n = &graph[i];
            NodeMetrics {
                id: n.id.clone(),
                label: n.label.clone(),
                node_type: n.node_type.clone(),
                degree: p.undirected[k].len(),
                weighted_degree: p.undirected[k].iter().map(|&(_, w)| w).sum(),
                pagerank: pr[k],
                betweenness: bc[k],
                component: comp[k],
                community: comm[k],
            }
        })
        .collect();
    Analysis {
        nodes: p.len(),
        edges: graph.edge_count(),
        pairs: p.pairs,
        components: comp.iter().max().map_or(0, |m| m + 1),
        communities: comm.iter().max().map_or(0, |m| m + 1),
        modularity: q,
        pagerank_iterations: iterations,
        timings,
        options: options.clone(),
        metrics,
    }
}

/// One step of a path: the relation between two consecutive entities.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hop {
    /// Entity the step leaves (IRI).
    pub from: String,
    /// Its label.
    pub from_label: String,
    /// Entity the step reaches (IRI).
    pub to: String,
    /// Its label.
    pub to_label: String,
    /// Predicate label of the relation.
    pub predicate: String,
    /// True if the relation is stated from `from` to `to`; false if the other way.
    pub forward: bool,
    /// Confidence of the relation.
    pub confidence: f64,
    /// False for a claim or a modal statement.
    pub asserted: bool,
    /// The evidence sentence.
    pub evidence: Option<String>,
}

/// The nodes of `graph` a name designates: its label (case-insensitive) or IRI.
pub fn find_nodes(graph: &EntityGraph, name: &str) -> Vec<NodeIndex> {
    let wanted = name.to_lowercase();
    graph
        .node_indices()
        .filter(|&i| graph[i].id == name || graph[i].label.to_lowercase() == wanted)
        .collect()
}

/// A shortest path (fewest relations, either direction) between two entities,
/// each hop with the relation and its evidence sentence; among parallel
/// relations the most confident statement of fact. `Ok(None)` when they are
/// not connected.
pub fn shortest_path(graph: &EntityGraph, from: &str, to: &str) -> Result<Option<Vec<Hop>>, AnalyzeError> {
    let starts = find_nodes(graph, from);
    let goals = find_nodes(graph, to);
    if starts.is_empty() {
        return Err(AnalyzeError::UnknownEntity(from.to_string()));
    }
    if goals.is_empty() {
        return Err(AnalyzeError::UnknownEntity(to.to_string()));
    }
    let n = graph.node_count();
    let mut previous: Vec<Option<NodeIndex>> = vec![None; n];
    let mut seen = vec![false; n];
    let mut queue = VecDeque::new();
    for &s in &starts {
        seen[s.index()] = true;
        queue.push_back(s);
    }
    let mut reached = None;
    while let Some(v) = queue.pop_front() {
        if goals.contains(&v) {
            reached = Some(v);
            break;
        }
        let mut next: Vec<NodeIndex> = graph.neighbors_undirected(v).collect();
        next.sort_unstable();
        for w in next {
            if !seen[w.index()] {
                seen[w.index()] = true;
                previous[w.index()] = Some(v);
                queue.push_back(w);
            }
        }
    }
    let Some(mut at) = reached else { return Ok(None) };
    let mut nodes = vec![at];
    while let Some(p) = previous[at.index()] {
        nodes.push(p);
        at = p;
    }
    nodes.reverse();
    let hops = nodes.windows(2).filter_map(|w| hop(graph, w[0], w[1])).collect();
    Ok(Some(hops))
}

/// The best relation between two adjacent nodes, as a hop from `a` to `b`.
fn hop(graph: &EntityGraph, a: NodeIndex, b: NodeIndex) -> Option<Hop> {
    let forward = graph.edges_connecting(a, b).map(|e| (e, true));
    let backward = graph.edges_connecting(b, a).map(|e| (e, false));
    let (e, fwd) = forward.chain(backward).max_by(|(x, _), (y, _)| {
        let (x, y) = (x.weight(), y.weight());
        (x.asserted, x.confidence, x.count)
            .partial_cmp(&(y.asserted, y.confidence, y.count))
            .unwrap_or(std::cmp::Ordering::Equal)
    })?;
    let w = e.weight();
    let (na, nb): (&Node, &Node) = (&graph[a], &graph[b]);
    Some(Hop {
        from: na.id.clone(),
        from_label: na.label.clone(),
        to: nb.id.clone(),
        to_label: nb.label.clone(),
        predicate: w.label.clone(),
        forward: fwd,
        confidence: w.confidence,
        asserted: w.asserted,
        evidence: w.evidence.clone(),
    })
}

/// The analytics graph of a namespace: `{base}analytics`.
pub fn analytics_graph(namespace: &Namespace) -> String {
    format!("{}analytics", namespace.base())
}

/// What a stored analysis records about its run (PROV-O activity).
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// Name of the analysed network (`relations`, `co-mention`): results of
    /// another network are kept, those of this one replaced.
    pub network: String,
    /// The selection the graph was built with, in words (`--document …`).
    pub selection: String,
    /// `xsd:dateTime` the run started.
    pub started: String,
    /// `xsd:dateTime` it ended.
    pub ended: String,
}

fn tk(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}{local}", ns::TK))
}

fn prov(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}{local}", ns::PROV))
}

fn double(x: f64) -> Term {
    Literal::new_typed_literal(format!("{:e}", if x.is_finite() { x } else { 0.0 }), xsd::DOUBLE).into()
}

fn count(x: usize) -> Term {
    Literal::new_typed_literal(x.to_string(), xsd::NON_NEGATIVE_INTEGER).into()
}

/// The quads of an analysis: the run (a `tk:GraphAnalysis`, a `prov:Activity`,
/// with its algorithms, parameters, times and input size), one
/// `tk:NodeMetrics` per entity (`tk:metricsOf` the entity), and the
/// components and communities. IRIs are `{base}analytics/{network}/…`.
pub fn analysis_quads(analysis: &Analysis, run: &RunInfo, namespace: &Namespace) -> Vec<Quad> {
    let graph = GraphName::NamedNode(NamedNode::new_unchecked(analytics_graph(namespace)));
    let root = format!("{}/{}", analytics_graph(namespace), crate::iri::slug(&run.network));
    let run_node = NamedNode::new_unchecked(&root);
    let mut quads = Vec::new();
    let mut add = |s: &NamedNode, p: NamedNode, o: Term| quads.push(Quad::new(s.clone(), p, o, graph.clone()));
    let text = |s: &str| -> Term { Literal::new_simple_literal(s).into() };
    let when = |s: &str| -> Term { Literal::new_typed_literal(s, xsd::DATE_TIME).into() };
    add(&run_node, rdf::TYPE.into(), tk("GraphAnalysis").into());
    add(&run_node, rdf::TYPE.into(), prov("Activity").into());
    add(
        &run_node,
        rdfs::LABEL.into(),
        text(&format!("{} network analysis", run.network)),
    );
    add(&run_node, tk("network"), text(&run.network));
    add(&run_node, tk("selection"), text(&run.selection));
    add(&run_node, prov("startedAtTime"), when(&run.started));
    add(&run_node, prov("endedAtTime"), when(&run.ended));
    add(&run_node, tk("inputNodeCount"), count(analysis.nodes));
    add(&run_node, tk("inputEdgeCount"), count(analysis.edges));
    add(&run_node, tk("inputPairCount"), count(analysis.pairs));
    add(&run_node, tk("toolVersion"), text(crate::rdf::TOOL_VERSION));
    add(&run_node, tk("modularity"), double(analysis.modularity));
    let o = &analysis.options;
    let algorithms: [(&str, &str, String); 5] = [
        (
            "degree",
            "Degree",
            "neighbours ignoring direction; weighted degree = statement count".into(),
        ),
        (
            "pagerank",
            "PageRank",
            format!(
                "alpha={} tolerance={} max_iterations={} weight=statement count direction={} iterations={}",
                o.alpha,
                o.tolerance,
                o.max_iterations,
                if o.directed { "subject-to-object" } else { "both" },
                analysis.pagerank_iterations
            ),
        ),
        (
            "betweenness",
            "Betweenness centrality (Brandes)",
            format!(
                "unweighted undirected normalized=(n-1)(n-2) sources={}",
                o.betweenness_samples.map_or("all".to_string(), |k| k.to_string())
            ),
        ),
        ("components", "Connected components", "undirected".into()),
        (
            "louvain",
            "Louvain communities",
            format!("resolution={} weight=statement count", o.resolution),
        ),
    ];
    for (id, label, parameters) in algorithms {
        let node = NamedNode::new_unchecked(format!("{root}/algorithm/{id}"));
        add(&run_node, tk("algorithmRun"), node.clone().into());
        add(&node, rdf::TYPE.into(), tk("AlgorithmRun").into());
        add(&node, rdfs::LABEL.into(), text(label));
        add(&node, tk("algorithm"), text(id));
        add(&node, tk("parameters"), text(&parameters));
    }
    let mut sizes: BTreeMap<(&str, usize), usize> = BTreeMap::new();
    for m in &analysis.metrics {
        *sizes.entry(("component", m.component)).or_default() += 1;
        *sizes.entry(("community", m.community)).or_default() += 1;
    }
    for (&(kind, k), &size) in &sizes {
        let node = NamedNode::new_unchecked(format!("{root}/{kind}/{k}"));
        let class = if kind == "component" {
            "ConnectedComponent"
        } else {
            "Community"
        };
        add(&node, rdf::TYPE.into(), tk(class).into());
        add(&node, rdfs::LABEL.into(), text(&format!("{kind} {k}")));
        add(&node, tk("size"), count(size));
        add(&node, prov("wasGeneratedBy"), run_node.clone().into());
    }
    for m in &analysis.metrics {
        let node = NamedNode::new_unchecked(format!(
            "{root}/entity/{}",
            &crate::iri::sha256_hex(m.id.as_bytes())[..20]
        ));
        add(&node, rdf::TYPE.into(), tk("NodeMetrics").into());
        add(&node, tk("metricsOf"), NamedNode::new_unchecked(&m.id).into());
        add(&node, prov("wasGeneratedBy"), run_node.clone().into());
        add(&node, tk("degree"), count(m.degree));
        add(&node, tk("weightedDegree"), double(m.weighted_degree));
        add(&node, tk("pageRank"), double(m.pagerank));
        add(&node, tk("betweenness"), double(m.betweenness));
        add(
            &node,
            tk("inComponent"),
            NamedNode::new_unchecked(format!("{root}/component/{}", m.component)).into(),
        );
        add(
            &node,
            tk("inCommunity"),
            NamedNode::new_unchecked(format!("{root}/community/{}", m.community)).into(),
        );
    }
    quads
}

/// Writes an analysis into the analytics graph, replacing the previous
/// results of the same network (every quad whose subject lies under
/// `{base}analytics/{network}`) in one transaction. Returns the number of
/// quads written.
pub fn store_analysis(
    store: &KgStore,
    analysis: &Analysis,
    run: &RunInfo,
    namespace: &Namespace,
) -> Result<usize, AnalyzeError> {
    let graph_iri = analytics_graph(namespace);
    let root = format!("{graph_iri}/{}", crate::iri::slug(&run.network));
    let graph =
        NamedNodeRef::new(&graph_iri).map_err(|e| AnalyzeError::Write(format!("bad base IRI {graph_iri}: {e}")))?;
    let mut old = Vec::new();
    for q in store
        .inner()
        .quads_for_pattern(None, None, None, GraphNameRef::NamedNode(graph).into())
    {
        let q = q.map_err(StoreError::from)?;
        if let NamedOrBlankNode::NamedNode(s) = &q.subject
            && (s.as_str() == root || s.as_str().starts_with(&format!("{root}/")))
        {
            old.push(q);
        }
    }
    let new = analysis_quads(analysis, run, namespace);
    let mut tx = store
        .inner()
        .start_transaction()
        .map_err(|e| AnalyzeError::Write(e.to_string()))?;
    for q in &old {
        tx.remove(q);
    }
    for q in &new {
        tx.insert(q);
    }
    tx.commit().map_err(|e| AnalyzeError::Write(e.to_string()))?;
    Ok(new.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Edge;

    fn graph(edges: &[(usize, usize, usize)], n: usize) -> EntityGraph {
        let mut g = EntityGraph::new();
        for i in 0..n {
            g.add_node(Node {
                id: format!("urn:e{i}"),
                label: format!("E{i}"),
                node_type: "Person".into(),
                wikidata: None,
                dates: Vec::new(),
            });
        }
        for &(a, b, c) in edges {
            g.add_edge(
                NodeIndex::new(a),
                NodeIndex::new(b),
                Edge {
                    predicate: "urn:p".into(),
                    label: "p".into(),
                    confidence: 0.5,
                    count: c,
                    evidence: Some(format!("E{a} p E{b}.")),
                    asserted: true,
                    claimed_by: None,
                    dates: Vec::new(),
                },
            );
        }
        g
    }

    #[test]
    fn pagerank_of_a_cycle_is_uniform_and_sums_to_one() {
        let g = graph(&[(0, 1, 1), (1, 2, 1), (2, 0, 1)], 3);
        let (pr, _) = pagerank(&Projection::of(&g, true), 0.85, 1e-12, 1000);
        for x in &pr {
            assert!((x - 1.0 / 3.0).abs() < 1e-9, "{pr:?}");
        }
        // A dangling node and weights: the sum stays 1, and weight pulls rank.
        let g = graph(&[(0, 1, 5), (0, 2, 1)], 3);
        let (pr, _) = pagerank(&Projection::of(&g, true), 0.85, 1e-12, 1000);
        assert!((pr.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(pr[1] > pr[2], "{pr:?}");
    }

    #[test]
    fn betweenness_of_a_path_matches_networkx() {
        // networkx: betweenness_centrality(path_graph(4)) = {0: 0, 1: 2/3, 2: 2/3, 3: 0}
        let g = graph(&[(0, 1, 1), (1, 2, 1), (2, 3, 1)], 4);
        let bc = betweenness(&Projection::of(&g, true), None);
        let want = [0.0, 2.0 / 3.0, 2.0 / 3.0, 0.0];
        for (a, b) in bc.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{bc:?}");
        }
    }

    #[test]
    fn two_triangles_are_two_communities_and_two_components() {
        let g = graph(&[(0, 1, 1), (1, 2, 1), (2, 0, 1), (3, 4, 1), (4, 5, 1), (5, 3, 1)], 6);
        let p = Projection::of(&g, true);
        assert_eq!(components(&p), vec![0, 0, 0, 1, 1, 1]);
        let c = louvain(&p, 1.0);
        assert_eq!(c, vec![0, 0, 0, 1, 1, 1]);
        assert!((modularity(&p, &c, 1.0) - 0.5).abs() < 1e-12);
        // Joined by one bridge: still two communities, one component.
        let g = graph(
            &[
                (0, 1, 1),
                (1, 2, 1),
                (2, 0, 1),
                (3, 4, 1),
                (4, 5, 1),
                (5, 3, 1),
                (2, 3, 1),
            ],
            6,
        );
        let p = Projection::of(&g, true);
        assert_eq!(components(&p), vec![0; 6]);
        let c = louvain(&p, 1.0);
        assert_ne!(c[0], c[5]);
        assert_eq!(c[0], c[1]);
    }

    #[test]
    fn shortest_path_reports_each_hop_with_evidence() {
        let g = graph(&[(0, 1, 1), (2, 1, 1), (2, 3, 1)], 5);
        let hops = shortest_path(&g, "E0", "e3").unwrap().unwrap();
        assert_eq!(hops.len(), 3);
        assert!(!hops[1].forward);
        assert_eq!(hops[1].evidence.as_deref(), Some("E2 p E1."));
        assert!(shortest_path(&g, "E0", "E4").unwrap().is_none());
        assert!(matches!(
            shortest_path(&g, "E0", "nobody"),
            Err(AnalyzeError::UnknownEntity(_))
        ));
    }

    #[test]
    fn stored_results_replace_the_previous_run() {
        let store = KgStore::in_memory().unwrap();
        let ns = Namespace::new("https://example.org/kg/");
        let g = graph(&[(0, 1, 1), (1, 2, 1)], 3);
        let run = RunInfo {
            network: "relations".into(),
            selection: "whole store".into(),
            started: "2026-01-01T00:00:00Z".into(),
            ended: "2026-01-01T00:00:01Z".into(),
        };
        let first = store_analysis(&store, &analyze(&g, &AnalyzeOptions::default()), &run, &ns).unwrap();
        let g = graph(&[(0, 1, 1)], 2);
        let second = store_analysis(&store, &analyze(&g, &AnalyzeOptions::default()), &run, &ns).unwrap();
        assert!(second < first);
        assert_eq!(store.len().unwrap(), second);
    }
}

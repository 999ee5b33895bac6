//! Beam search over arc-eager transitions, and its training as a global
//! structured perceptron with max-violation updates (Zhang & Nivre 2011;
//! Huang, Fayong & Guo 2012).
//!
//! * **Decoding** keeps the `k` highest-scoring transition sequences; a
//!   sequence whose buffer is empty is finished and is carried over
//!   unchanged, so sequences of different lengths compete on their total
//!   score. The best finished sequence wins.
//! * **Training** runs the same search with the current (non-averaged)
//!   weights next to a *gold* hypothesis: the best-scoring sequence whose
//!   transitions all have zero dynamic-oracle cost (arc-eager has spurious
//!   ambiguity, so the gold sequence is latent: it follows the model's
//!   preferred zero-cost transition, and is replaced by any zero-cost
//!   hypothesis of the beam that scores higher). At every step the
//!   violation is the score of the best beam hypothesis minus the gold
//!   score, when the best hypothesis is wrong; the perceptron update is made
//!   at the step of the largest violation: `+1` on the features of the gold
//!   prefix, `-1` on those of the predicted prefix (their common prefix
//!   cancels and is skipped).

use super::perceptron::{Model, Trainer};
use super::{CachedScorer, Gold, State, Tokens, extract};

/// One transition in the search history: the parent node and the class.
#[derive(Clone, Copy)]
struct Node {
    parent: u32,
    class: u16,
}

/// Parent of the first transition.
const START: u32 = u32::MAX;
/// "Carry a finished hypothesis over unchanged".
const STAY: u16 = u16::MAX;

#[derive(Clone, Copy)]
struct Cand {
    score: f32,
    hyp: u32,
    class: u16,
}

/// Keeps the `k` best candidates, sorted best first (ties: earlier
/// hypothesis, then lower class, so results are deterministic).
fn top_k(cands: &mut Vec<Cand>, k: usize) {
    let cmp = |a: &Cand, b: &Cand| {
        b.score
            .total_cmp(&a.score)
            .then(a.hyp.cmp(&b.hyp))
            .then(a.class.cmp(&b.class))
    };
    if cands.len() > k {
        cands.select_nth_unstable_by(k - 1, cmp);
        cands.truncate(k);
    }
    cands.sort_unstable_by(cmp);
}

/// Reusable buffers of the beam decoder.
pub(super) struct Decoder {
    cur: Vec<(State, f32)>,
    next: Vec<(State, f32)>,
    spare: Vec<State>,
    scorer: CachedScorer,
    scores: Vec<f32>,
    cands: Vec<Cand>,
}

impl Decoder {
    pub(super) fn new() -> Self {
        Self {
            cur: Vec::new(),
            next: Vec::new(),
            spare: Vec::new(),
            scorer: CachedScorer::new(),
            scores: Vec::new(),
            cands: Vec::new(),
        }
    }

    /// Beam search with width `k`; returns the best final state.
    pub(super) fn decode(&mut self, model: &Model, tk: &Tokens, n: usize, k: usize, root: u16) -> State {
        let n_classes = model.n_classes();
        let n_labels = n_classes.saturating_sub(2) / 2;
        self.scores.resize(n_classes, 0.0);
        self.scorer.reset(n, n_classes);
        self.spare.extend(self.cur.drain(..).map(|h| h.0));
        let mut start = self.spare.pop().unwrap_or_else(|| State::new(n));
        start.reset(n);
        self.cur.push((start, 0.0));
        loop {
            self.cands.clear();
            let mut active = false;
            for (i, (st, sc)) in self.cur.iter().enumerate() {
                let hyp = i as u32;
                if st.buffer_empty() {
                    self.cands.push(Cand {
                        score: *sc,
                        hyp,
                        class: STAY,
                    });
                    continue;
                }
                active = true;
                self.scorer.score(model, st, tk, &mut self.scores);
                let (scores, cands) = (&self.scores, &mut self.cands);
                st.for_each_valid(root, n_labels, |c| {
                    cands.push(Cand {
                        score: sc + scores[c],
                        hyp,
                        class: c as u16,
                    });
                });
            }
            if !active || self.cands.is_empty() {
                break;
            }
            top_k(&mut self.cands, k);
            for c in &self.cands {
                let mut st = self.spare.pop().unwrap_or_else(|| State::new(n));
                st.copy_from(&self.cur[c.hyp as usize].0);
                if c.class != STAY {
                    st.apply(usize::from(c.class));
                }
                self.next.push((st, c.score));
            }
            self.spare.extend(self.cur.drain(..).map(|h| h.0));
            std::mem::swap(&mut self.cur, &mut self.next);
        }
        // `cur` is sorted best first after every step.
        match self.cur.first() {
            Some((st, _)) => {
                let mut out = State::new(n);
                out.copy_from(st);
                out
            }
            None => State::new(n),
        }
    }
}

/// A hypothesis during training.
struct Hyp {
    st: State,
    score: f32,
    node: u32,
    /// Every transition so far had zero cost (the tree can still be the gold one).
    zero: bool,
}

/// Reusable buffers of the beam trainer.
pub(super) struct BeamTrainer {
    nodes: Vec<Node>,
    beam: Vec<Hyp>,
    next: Vec<Hyp>,
    spare: Vec<State>,
    feats: Vec<u64>,
    /// Scores of every hypothesis of the beam (`k × n_classes`).
    scores: Vec<f32>,
    /// Oracle costs of every zero-cost hypothesis (`k × n_classes`).
    costs: Vec<u32>,
    gold_scores: Vec<f32>,
    gold_costs: Vec<u32>,
    cands: Vec<Cand>,
}

impl BeamTrainer {
    pub(super) fn new() -> Self {
        Self {
            nodes: Vec::new(),
            beam: Vec::new(),
            next: Vec::new(),
            spare: Vec::new(),
            feats: Vec::with_capacity(128),
            scores: Vec::new(),
            costs: Vec::new(),
            gold_scores: Vec::new(),
            gold_costs: Vec::new(),
            cands: Vec::new(),
        }
    }

    fn state(&mut self, n: usize) -> State {
        let mut st = self.spare.pop().unwrap_or_else(|| State::new(n));
        st.reset(n);
        st
    }

    fn path(&self, mut node: u32) -> Vec<u16> {
        let mut out = Vec::new();
        while let Some(x) = self.nodes.get(node as usize) {
            out.push(x.class);
            node = x.parent;
        }
        out.reverse();
        out
    }

    /// Trains on one sentence; returns whether an update was made.
    #[allow(clippy::too_many_arguments, reason = "internal; all are needed")]
    pub(super) fn train_sentence(
        &mut self,
        trainer: &mut Trainer,
        tk: &Tokens,
        gold: &Gold<'_>,
        n: usize,
        k: usize,
        root: u16,
    ) -> bool {
        let n_classes = trainer.n_classes();
        let n_labels = n_classes.saturating_sub(2) / 2;
        self.nodes.clear();
        self.scores.resize(k * n_classes, 0.0);
        self.costs.resize(k * n_classes, u32::MAX);
        self.gold_scores.resize(n_classes, 0.0);
        self.gold_costs.resize(n_classes, u32::MAX);
        let old: Vec<Hyp> = self.beam.drain(..).collect();
        self.spare.extend(old.into_iter().map(|h| h.st));
        let st = self.state(n);
        self.beam.push(Hyp {
            st,
            score: 0.0,
            node: START,
            zero: true,
        });
        let mut gst = self.state(n);
        gst.copy_from(&self.beam[0].st);
        let mut gold_h = Hyp {
            st: gst,
            score: 0.0,
            node: START,
            zero: true,
        };
        // (violation, predicted node, gold node)
        let mut worst: Option<(f32, u32, u32)> = None;
        for _ in 0..4 * n + 8 {
            let active = !gold_h.st.buffer_empty() || self.beam.iter().any(|h| !h.st.buffer_empty());
            if !active {
                break;
            }
            // Expand the beam.
            self.cands.clear();
            let mut gold_in_beam = None;
            for (i, h) in self.beam.iter().enumerate() {
                let hyp = i as u32;
                if h.node == gold_h.node {
                    gold_in_beam = Some(i);
                }
                if h.st.buffer_empty() {
                    self.cands.push(Cand {
                        score: h.score,
                        hyp,
                        class: STAY,
                    });
                    continue;
                }
                extract(&h.st, tk, &mut self.feats);
                let sc = &mut self.scores[i * n_classes..(i + 1) * n_classes];
                sc.fill(0.0);
                trainer.score(&self.feats, sc);
                if h.zero {
                    super::costs(
                        &h.st,
                        gold,
                        root,
                        n_labels,
                        &mut self.costs[i * n_classes..(i + 1) * n_classes],
                    );
                }
                let cands = &mut self.cands;
                let base = h.score;
                h.st.for_each_valid(root, n_labels, |c| {
                    cands.push(Cand {
                        score: base + sc[c],
                        hyp,
                        class: c as u16,
                    });
                });
            }
            // Extend the gold hypothesis by its best zero-cost transition.
            if !gold_h.st.buffer_empty() {
                match gold_in_beam {
                    Some(i) => {
                        self.gold_scores
                            .copy_from_slice(&self.scores[i * n_classes..(i + 1) * n_classes]);
                        self.gold_costs
                            .copy_from_slice(&self.costs[i * n_classes..(i + 1) * n_classes]);
                    }
                    None => {
                        extract(&gold_h.st, tk, &mut self.feats);
                        self.gold_scores.fill(0.0);
                        trainer.score(&self.feats, &mut self.gold_scores);
                        super::costs(&gold_h.st, gold, root, n_labels, &mut self.gold_costs);
                    }
                }
                let mut best: Option<usize> = None;
                for c in 0..n_classes {
                    if self.gold_costs[c] == 0 && best.is_none_or(|b| self.gold_scores[c] > self.gold_scores[b]) {
                        best = Some(c);
                    }
                }
                let Some(c) = best else {
                    return false; // no zero-cost transition: cannot happen for a projective tree
                };
                gold_h.st.apply(c);
                gold_h.score += self.gold_scores[c];
                self.nodes.push(Node {
                    parent: gold_h.node,
                    class: c as u16,
                });
                gold_h.node = (self.nodes.len() - 1) as u32;
            }
            if self.cands.is_empty() {
                break;
            }
            top_k(&mut self.cands, k);
            // Materialize the new beam.
            for ci in 0..self.cands.len() {
                let c = self.cands[ci];
                let i = c.hyp as usize;
                let mut st = self.spare.pop().unwrap_or_else(|| State::new(n));
                st.copy_from(&self.beam[i].st);
                let parent = &self.beam[i];
                let (node, zero) = if c.class == STAY {
                    (parent.node, parent.zero)
                } else {
                    let class = usize::from(c.class);
                    st.apply(class);
                    let zero = parent.zero && self.costs[i * n_classes + class] == 0;
                    // Same transition as the gold hypothesis took: share its node.
                    let gold_node = self.nodes.get(gold_h.node as usize).copied();
                    let node = match gold_node {
                        Some(g) if g.parent == parent.node && g.class == c.class => gold_h.node,
                        _ => {
                            self.nodes.push(Node {
                                parent: parent.node,
                                class: c.class,
                            });
                            (self.nodes.len() - 1) as u32
                        }
                    };
                    (node, zero)
                };
                self.next.push(Hyp {
                    st,
                    score: c.score,
                    node,
                    zero,
                });
            }
            let old: Vec<Hyp> = self.beam.drain(..).collect();
            self.spare.extend(old.into_iter().map(|h| h.st));
            std::mem::swap(&mut self.beam, &mut self.next);
            // A better zero-cost hypothesis in the beam becomes the gold one.
            if let Some(z) = self.beam.iter().find(|h| h.zero)
                && z.score > gold_h.score
            {
                gold_h.st.copy_from(&z.st);
                gold_h.score = z.score;
                gold_h.node = z.node;
            }
            let top = &self.beam[0];
            if !top.zero {
                let v = top.score - gold_h.score;
                if v >= 0.0 && worst.is_none_or(|w| v > w.0) {
                    worst = Some((v, top.node, gold_h.node));
                }
            }
        }
        let Some((_, pred_node, gold_node)) = worst else {
            return false;
        };
        let pred = self.path(pred_node);
        let gold_path = self.path(gold_node);
        let common = pred.iter().zip(&gold_path).take_while(|(a, b)| a == b).count();
        let mut st = self.state(n);
        for &c in &gold_path[..common] {
            st.apply(usize::from(c));
        }
        let mut branch = self.state(n);
        for (path, delta) in [(&gold_path, 1), (&pred, -1)] {
            branch.copy_from(&st);
            for &c in &path[common..] {
                extract(&branch, tk, &mut self.feats);
                trainer.add(usize::from(c), delta, &self.feats);
                branch.apply(usize::from(c));
            }
        }
        self.spare.push(st);
        self.spare.push(branch);
        true
    }
}

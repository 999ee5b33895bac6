//! Averaged multiclass perceptron with hashed features.
//!
//! * Features are `u64` hashes (see [`hash_str`], [`mix`], [`mix2`]); callers
//!   build them without allocating.
//! * [`Trainer`] stores, per feature, a short sparse row of
//!   `(class, weight, total, timestamp)` so that the averaged weights can be
//!   computed with the lazy-timestamp trick (no per-step pass over all weights).
//! * [`Trainer::finish`] averages, prunes near-zero weights and rarely updated
//!   features and returns a frozen [`Model`]: an open-addressing table from
//!   feature hash to a sparse row of `(class, f32 weight)`. Scoring a feature is
//!   one table probe plus a few additions.
//!
//! The model is independent of tagging: a transition-based parser can use the
//! same [`Trainer`]/[`Model`] with its own feature templates and classes.

use crate::nlp::binio::{BinError, Reader, Writer};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a hash of a byte string.
#[inline]
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// FNV-1a hash of a string.
#[inline]
pub fn hash_str(s: &str) -> u64 {
    hash_bytes(s.as_bytes())
}

/// Final avalanche step (from SplitMix64).
#[inline]
fn finalize(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Feature hash of template `template` applied to one value hash.
#[inline]
pub fn mix(template: u32, a: u64) -> u64 {
    finalize(a ^ (u64::from(template).wrapping_mul(0x9e37_79b9_7f4a_7c15)))
}

/// Feature hash of template `template` applied to two value hashes.
#[inline]
pub fn mix2(template: u32, a: u64, b: u64) -> u64 {
    mix(template, finalize(a).wrapping_add(b.rotate_left(17)))
}

/// Hasher for `u64` keys that are already hashes (one cheap final mix).
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A `HashMap` keyed by pre-hashed `u64` values.
pub type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// A `HashSet` of pre-hashed `u64` values.
pub type IdSet = std::collections::HashSet<u64, BuildHasherDefault<IdHasher>>;

#[derive(Debug, Clone, Copy)]
struct Param {
    class: u16,
    stamp: u32,
    weight: f32,
    total: f64,
}

impl Param {
    /// The weight summed over every step up to clock `now` (the averaged
    /// weight is this divided by `now`).
    fn total_at(&self, now: u32) -> f64 {
        self.total + f64::from(now - self.stamp) * f64::from(self.weight)
    }
}

/// Options for turning a trained [`Trainer`] into a compact [`Model`].
#[derive(Debug, Clone, Copy)]
pub struct PruneOptions {
    /// Averaged weights with absolute value below this are dropped.
    pub min_abs_weight: f32,
    /// Features updated fewer times than this during training are dropped.
    pub min_updates: u32,
}

impl Default for PruneOptions {
    fn default() -> Self {
        Self {
            min_abs_weight: 1e-3,
            min_updates: 1,
        }
    }
}

/// Trainable averaged perceptron.
#[derive(Debug, Clone)]
pub struct Trainer {
    n_classes: usize,
    index: IdMap<u32>,
    rows: Vec<Vec<Param>>,
    updates: Vec<u32>,
    time: u32,
}

impl Trainer {
    /// A trainer for `n_classes` classes (at most [`MAX_CLASSES`]).
    pub fn new(n_classes: usize) -> Self {
        Self {
            n_classes: n_classes.min(MAX_CLASSES),
            index: IdMap::default(),
            rows: Vec::new(),
            updates: Vec::new(),
            time: 0,
        }
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of distinct features seen in updates so far.
    pub fn n_features(&self) -> usize {
        self.rows.len()
    }

    /// Current (non-averaged) scores of all classes; `scores` is resized to
    /// the number of classes and overwritten.
    pub fn score(&self, feats: &[u64], scores: &mut Vec<f32>) {
        scores.clear();
        scores.resize(self.n_classes, 0.0);
        for f in feats {
            if let Some(&r) = self.index.get(f) {
                for p in &self.rows[r as usize] {
                    scores[p.class as usize] += p.weight;
                }
            }
        }
    }

    /// Highest-scoring class under the current weights (ties → lowest index).
    pub fn predict(&self, feats: &[u64], scores: &mut Vec<f32>) -> usize {
        self.score(feats, scores);
        argmax(scores)
    }

    /// One training step: advances the averaging clock, and if
    /// `guess != truth` adds `1` to the truth's weights and `-1` to the
    /// guess's weights for every feature. Call it once per training instance,
    /// also when the guess is right, so that averaging is correct.
    pub fn update(&mut self, truth: usize, guess: usize, feats: &[u64]) {
        self.time += 1;
        if truth == guess || truth >= self.n_classes || guess >= self.n_classes {
            return;
        }
        let time = self.time;
        for &f in feats {
            let row = self.row_mut(f);
            for (class, delta) in [(truth, 1.0f32), (guess, -1.0f32)] {
                Self::bump(row, class as u16, delta, time);
            }
        }
    }

    /// The row of feature `f` (created empty if new), counting one update of it.
    fn row_mut(&mut self, f: u64) -> &mut Vec<Param> {
        let r = match self.index.get(&f) {
            Some(&r) => r as usize,
            None => {
                let r = self.rows.len();
                self.index.insert(f, r as u32);
                self.rows.push(Vec::new());
                self.updates.push(0);
                r
            }
        };
        self.updates[r] = self.updates[r].saturating_add(1);
        &mut self.rows[r]
    }

    /// Adds `delta` to the weight of `class` in `row` at clock `time`,
    /// folding the weight's time since its last change into its total.
    fn bump(row: &mut Vec<Param>, class: u16, delta: f32, time: u32) {
        let p = match row.iter_mut().position(|p| p.class == class) {
            Some(i) => &mut row[i],
            None => {
                row.push(Param {
                    class,
                    stamp: time,
                    weight: 0.0,
                    total: 0.0,
                });
                let last = row.len() - 1;
                &mut row[last]
            }
        };
        p.total += f64::from(time - p.stamp) * f64::from(p.weight);
        p.stamp = time;
        p.weight += delta;
    }

    /// The mean of the averaged weights of several trainers (with the same
    /// classes), pruned and frozen: a feature is kept if its update count,
    /// summed over the trainers, reaches `prune.min_updates`, and a weight if
    /// its mean reaches `prune.min_abs_weight`. Averaging models trained on
    /// different shuffles of the data (parameter mixing, McDonald et al. 2010)
    /// gives one model, so decoding costs no more than with one of them.
    pub fn finish_mean(trainers: &[&Trainer], prune: &PruneOptions) -> Model {
        let (Some(first), n) = (trainers.first(), trainers.len()) else {
            return Trainer::new(1).finish(prune);
        };
        if n == 1 {
            return first.finish(prune);
        }
        let mut sum: IdMap<(u32, Vec<(u16, f64)>)> = IdMap::default();
        for t in trainers {
            let time = f64::from(t.time.max(1));
            for (&key, &r) in &t.index {
                let e = sum.entry(key).or_insert_with(|| (0, Vec::new()));
                e.0 = e.0.saturating_add(t.updates[r as usize]);
                for p in &t.rows[r as usize] {
                    let total = p.total_at(t.time);
                    let avg = total / time;
                    match e.1.iter_mut().find(|x| x.0 == p.class) {
                        Some(x) => x.1 += avg,
                        None => e.1.push((p.class, avg)),
                    }
                }
            }
        }
        let mut feats: Vec<(u64, Vec<(u16, f32)>)> = sum
            .into_iter()
            .filter(|(_, (u, _))| *u >= prune.min_updates)
            .filter_map(|(key, (_, row))| {
                let mut row: Vec<(u16, f32)> = row
                    .into_iter()
                    .map(|(c, w)| (c, (w / n as f64) as f32))
                    .filter(|(_, w)| w.abs() >= prune.min_abs_weight)
                    .collect();
                row.sort_by_key(|e| e.0);
                (!row.is_empty()).then_some((key, row))
            })
            .collect();
        feats.sort_by_key(|f| f.0);
        Model::from_rows(first.n_classes, feats)
    }

    /// Advances the averaging clock by one instance (for callers that
    /// update with [`Trainer::add`], e.g. structured updates over a sequence).
    pub fn tick(&mut self) {
        self.time += 1;
    }

    /// Adds `delta` to the weight of `class` for every feature of `feats`
    /// (without advancing the clock; see [`Trainer::tick`]).
    pub fn add(&mut self, class: usize, feats: &[u64], delta: f32) {
        if class >= self.n_classes {
            return;
        }
        let time = self.time;
        for &f in feats {
            Self::bump(self.row_mut(f), class as u16, delta, time);
        }
    }

    /// Averages the weights, prunes and freezes the model.
    pub fn finish(&self, prune: &PruneOptions) -> Model {
        let time = f64::from(self.time.max(1));
        let mut feats: Vec<(u64, Vec<(u16, f32)>)> = Vec::with_capacity(self.rows.len());
        for (&key, &r) in &self.index {
            if self.updates[r as usize] < prune.min_updates {
                continue;
            }
            let mut row: Vec<(u16, f32)> = self.rows[r as usize]
                .iter()
                .filter_map(|p| {
                    let total = p.total_at(self.time);
                    let avg = (total / time) as f32;
                    (avg.abs() >= prune.min_abs_weight).then_some((p.class, avg))
                })
                .collect();
            if row.is_empty() {
                continue;
            }
            row.sort_by_key(|e| e.0);
            feats.push((key, row));
        }
        feats.sort_by_key(|f| f.0);
        Model::from_rows(self.n_classes, feats)
    }
}

/// Hints the CPU to load `x`'s cache line (no-op off x86-64). Scoring is
/// bound by cache misses on the weight tables; prefetching lets several
/// misses be in flight at once.
#[inline(always)]
pub(crate) fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: SSE is part of the x86-64 baseline, and a prefetch never
        // dereferences its pointer (here a valid reference anyway).
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// Index of the maximum (first one on ties); 0 for an empty slice.
#[inline]
pub fn argmax(scores: &[f32]) -> usize {
    let mut best = 0;
    let mut best_score = f32::NEG_INFINITY;
    for (i, &s) in scores.iter().enumerate() {
        if s > best_score {
            best = i;
            best_score = s;
        }
    }
    best
}

/// Bits of a table entry holding the row's offset in the weight array
/// (+1; 0 = empty slot).
const ROW_BITS: u32 = 24;
const ROW_MASK: u64 = (1 << ROW_BITS) - 1;
/// Maximum number of weights a [`Model`] can hold (features beyond this
/// budget are dropped by [`Trainer::finish`], in key order).
pub const MAX_WEIGHTS: usize = (1 << ROW_BITS) - 2;
/// Flag in [`Weight::class`] marking the last weight of a row.
const LAST: u16 = 1 << 15;
/// Maximum number of classes of a [`Model`].
pub const MAX_CLASSES: usize = (LAST - 1) as usize;

/// One stored weight: quantized value (× the model's scale) and class (high
/// bit set on a row's last weight). 4 bytes, to keep rows cache-friendly.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Weight {
    q: i16,
    class: u16,
}

/// Frozen averaged perceptron: feature hash → sparse `(class, weight)` row.
///
/// The lookup table packs the high 40 bits of the feature hash and the
/// 24-bit offset of the feature's row in the weight array into one `u64`
/// per slot (linear probing, load ≤ 0.5). Rows are contiguous and end with
/// a flagged weight, so scoring a feature costs one probe plus one
/// sequential read. Two distinct features are confused only if they share
/// the probe region and all 40 high bits.
///
/// On disk, weights are quantized to `i16` with one scale per model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    n_classes: usize,
    scale: f32,
    table: Vec<u64>,
    mask: usize,
    /// Sorted feature keys (row `i` belongs to `keys[i]`); used for saving.
    keys: Vec<u64>,
    /// Row `i` spans `starts[i]..starts[i + 1]` in `weights`.
    starts: Vec<u32>,
    weights: Vec<Weight>,
    /// Hash of the whole content: identifies the model in per-thread
    /// [`WordCache`]s (equal models may share cached sums).
    fingerprint: u64,
}

const MODEL_MAGIC: [u8; 4] = *b"APM1";
const MODEL_VERSION: u32 = 2;

impl Model {
    fn from_rows(n_classes: usize, feats: Vec<(u64, Vec<(u16, f32)>)>) -> Model {
        // Quantize exactly as saving does, so that a saved and reloaded model
        // behaves identically to the one returned here.
        let max = feats
            .iter()
            .flat_map(|(_, r)| r.iter().map(|e| e.1.abs()))
            .fold(0.0f32, f32::max);
        let scale = quant_scale(max);
        let mut keys = Vec::with_capacity(feats.len());
        let mut starts = Vec::with_capacity(feats.len() + 1);
        let mut weights: Vec<Weight> = Vec::new();
        starts.push(0u32);
        for (k, row) in feats {
            if weights.len() + row.len() > MAX_WEIGHTS {
                break;
            }
            let before = weights.len();
            for (c, w) in row {
                let q = quantize(w, scale);
                if q != 0 {
                    weights.push(Weight { q, class: c });
                }
            }
            let grew = weights.len() > before;
            if let Some(last) = weights.last_mut()
                && grew
            {
                last.class |= LAST;
                keys.push(k);
                starts.push(weights.len() as u32);
            }
        }
        Model::assemble(n_classes, scale, keys, starts, weights)
    }

    /// A model from its weight rows: builds the lookup table and the content fingerprint.
    fn assemble(n_classes: usize, scale: f32, keys: Vec<u64>, starts: Vec<u32>, weights: Vec<Weight>) -> Model {
        let table = build_table(&keys, &starts);
        let fingerprint = fingerprint(n_classes, scale, &keys, &weights);
        Model {
            n_classes,
            scale,
            mask: table.len() - 1,
            table,
            keys,
            starts,
            weights,
            fingerprint,
        }
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of features kept.
    pub fn n_features(&self) -> usize {
        self.keys.len()
    }

    /// Number of non-zero weights kept.
    pub fn n_weights(&self) -> usize {
        self.weights.len()
    }

    /// Offset of the row of `key` in `weights`.
    #[inline]
    fn row(&self, key: u64) -> Option<usize> {
        let high = key & !ROW_MASK;
        let mut i = (key as usize) & self.mask;
        loop {
            let e = self.table[i];
            let r = e & ROW_MASK;
            if r == 0 {
                return None;
            }
            if e & !ROW_MASK == high {
                return Some(r as usize - 1);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Adds the weights of `feats` to `scores` (which should have
    /// [`Model::n_classes`] entries; classes beyond its length are ignored).
    #[inline]
    pub fn add_scores(&self, feats: &[u64], scores: &mut [f32]) {
        self.add_scores_cached(None, feats, scores);
    }

    /// Like [`Model::add_scores`], but when `word` is `Some((key, n))` the
    /// sum of the first `n` features, which must be a function of `key`
    /// alone (features of the word itself, not of its context), is looked up
    /// in, or added to, this thread's word cache (`WordCache`). Sums are exact integers,
    /// so the scores are identical with or without the cache.
    #[inline]
    pub fn add_scores_cached(&self, word: Option<(u64, usize)>, feats: &[u64], scores: &mut [f32]) {
        // Quantization steps are summed as integers (exact) and scaled once.
        if self.n_classes > FIXED_CLASSES || scores.len() > FIXED_CLASSES {
            let mut acc = vec![0i32; scores.len()];
            self.add_raw(feats, &mut acc);
            for (s, &a) in scores.iter_mut().zip(acc.iter()) {
                *s += a as f32 * self.scale;
            }
            return;
        }
        let mut acc = [0i32; FIXED_CLASSES];
        let rest = match word {
            Some((key, n)) if n <= feats.len() => {
                WORD_CACHES.with(|c| match c.try_borrow_mut() {
                    Ok(mut caches) => caches.sums(self, key, &feats[..n], &mut acc),
                    Err(_) => self.add_raw_fixed(&feats[..n], &mut acc),
                });
                &feats[n..]
            }
            _ => feats,
        };
        self.add_raw_fixed(rest, &mut acc);
        for (s, &a) in scores.iter_mut().zip(acc.iter()) {
            *s += a as f32 * self.scale;
        }
    }

    /// Adds the quantized weights of `feats` (in quantization steps) to `acc`.
    #[inline]
    fn add_raw(&self, feats: &[u64], acc: &mut [i32]) {
        self.for_each_weight(feats, |c, q| {
            if let Some(a) = acc.get_mut(usize::from(c)) {
                *a += i32::from(q);
            }
        });
    }

    /// [`Model::add_raw`] for a model of at most [`FIXED_CLASSES`] classes:
    /// every class indexes the array directly, without a bounds check.
    #[inline]
    fn add_raw_fixed(&self, feats: &[u64], acc: &mut [i32; FIXED_CLASSES]) {
        debug_assert!(self.n_classes <= FIXED_CLASSES);
        // Classes are below `n_classes` (checked when reading), so the
        // truncation to `u8` keeps them as they are.
        self.for_each_weight(feats, |c, q| acc[usize::from(c as u8)] += i32::from(q));
    }

    /// Calls `add(class, quantized weight)` for every weight of `feats`' rows.
    #[inline(always)]
    fn for_each_weight(&self, feats: &[u64], mut add: impl FnMut(u16, i16)) {
        // Memory-bound: three phases per chunk, each issuing independent
        // loads the CPU can overlap — prefetch every feature's home slot,
        // then probe the table (prefetching each row found), then add the
        // rows.
        const CHUNK: usize = 64;
        let mut rows = [0u32; CHUNK];
        for chunk in feats.chunks(CHUNK) {
            for &f in chunk {
                if let Some(slot) = self.table.get((f as usize) & self.mask) {
                    prefetch(slot);
                }
            }
            let mut n = 0;
            for &f in chunk {
                if let Some(r) = self.row(f) {
                    if let Some(w) = self.weights.get(r) {
                        prefetch(w);
                    }
                    rows[n] = r as u32;
                    n += 1;
                }
            }
            for &r in &rows[..n] {
                for w in self.weights.get(r as usize..).unwrap_or_default() {
                    add(w.class & !LAST, w.q);
                    if w.class & LAST != 0 {
                        break;
                    }
                }
            }
        }
    }

    /// Scores of all classes; `scores` is resized and overwritten.
    #[inline]
    pub fn score(&self, feats: &[u64], scores: &mut Vec<f32>) {
        self.score_cached(None, feats, scores);
    }

    /// [`Model::score`] with the word-level cache of
    /// [`Model::add_scores_cached`].
    #[inline]
    pub fn score_cached(&self, word: Option<(u64, usize)>, feats: &[u64], scores: &mut Vec<f32>) {
        scores.clear();
        scores.resize(self.n_classes, 0.0);
        self.add_scores_cached(word, feats, scores);
    }

    /// Highest-scoring class.
    #[inline]
    pub fn predict(&self, feats: &[u64], scores: &mut Vec<f32>) -> usize {
        self.score(feats, scores);
        argmax(scores)
    }

    /// Appends the model to a writer.
    ///
    /// Layout: magic `APM1`, version, `n_classes: u32`, `n_features: u32`,
    /// `n_weights: u32`, `scale: f32`, then per feature `key: u64` and
    /// `row_len: u16`, then all classes (`u8`, or `u16` when there are more
    /// than 256 classes), then all weights as `i16` (value = q × scale).
    pub fn write(&self, w: &mut Writer) {
        w.header(MODEL_MAGIC, MODEL_VERSION);
        w.u32(self.n_classes as u32);
        w.len(self.keys.len());
        w.len(self.weights.len());
        w.f32(self.scale);
        let wide = self.n_classes > 256;
        for (i, &k) in self.keys.iter().enumerate() {
            w.u64(k);
            let n = self.starts[i + 1] - self.starts[i];
            w.u16(n.min(u32::from(u16::MAX)) as u16);
        }
        for x in &self.weights {
            let c = x.class & !LAST;
            if wide {
                w.u16(c);
            } else {
                w.u8(c as u8);
            }
        }
        for x in &self.weights {
            w.u16(x.q as u16);
        }
    }

    /// Reads a model written by [`Model::write`].
    pub fn read(r: &mut Reader<'_>) -> Result<Model, BinError> {
        r.header(MODEL_MAGIC, MODEL_VERSION)?;
        let n_classes = r.u32()? as usize;
        if n_classes == 0 || n_classes > MAX_CLASSES {
            return Err(BinError::Invalid(format!("bad class count {n_classes}")));
        }
        let n_feats = r.len(10)?;
        let n_weights = r.len(3)?;
        if n_weights > MAX_WEIGHTS {
            return Err(BinError::Invalid(format!("too many weights ({n_weights})")));
        }
        let scale = r.f32()?;
        if scale <= 0.0 {
            return Err(BinError::Invalid(format!("bad weight scale {scale}")));
        }
        let mut keys = Vec::with_capacity(n_feats);
        let mut starts = Vec::with_capacity(n_feats + 1);
        starts.push(0u32);
        let mut total: u64 = 0;
        let mut prev: Option<u64> = None;
        for _ in 0..n_feats {
            let k = r.u64()?;
            if prev.is_some_and(|p| p >= k) {
                return Err(BinError::Invalid("feature keys not strictly sorted".into()));
            }
            prev = Some(k);
            keys.push(k);
            let len = r.u16()?;
            if len == 0 {
                return Err(BinError::Invalid("empty weight row".into()));
            }
            total += u64::from(len);
            if total > n_weights as u64 {
                return Err(BinError::Invalid("row lengths exceed weight count".into()));
            }
            starts.push(total as u32);
        }
        if total != n_weights as u64 {
            return Err(BinError::Invalid("row lengths do not match weight count".into()));
        }
        let wide = n_classes > 256;
        let classes: Vec<u16> = if wide {
            let b = r.take(n_weights.saturating_mul(2))?;
            b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect()
        } else {
            r.take(n_weights)?.iter().map(|&c| u16::from(c)).collect()
        };
        if classes.iter().any(|&c| c as usize >= n_classes) {
            return Err(BinError::Invalid("class index out of range".into()));
        }
        let b = r.take(n_weights.saturating_mul(2))?;
        let mut weights: Vec<Weight> = b
            .chunks_exact(2)
            .zip(classes)
            .map(|(q, class)| Weight {
                q: i16::from_le_bytes([q[0], q[1]]),
                class,
            })
            .collect();
        for &end in &starts[1..] {
            if let Some(w) = (end as usize).checked_sub(1).and_then(|i| weights.get_mut(i)) {
                w.class |= LAST;
            }
        }
        Ok(Model::assemble(n_classes, scale, keys, starts, weights))
    }

    /// Serializes the model alone.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.write(&mut w);
        w.into_bytes()
    }

    /// Deserializes a model written by [`Model::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, BinError> {
        let mut r = Reader::new(bytes);
        let m = Model::read(&mut r)?;
        r.finish()?;
        Ok(m)
    }
}

/// Scale mapping the largest absolute weight to `i16::MAX`.
fn quant_scale(max_abs: f32) -> f32 {
    if max_abs > 0.0 && max_abs.is_finite() {
        max_abs / f32::from(i16::MAX)
    } else {
        1.0
    }
}

fn quantize(w: f32, scale: f32) -> i16 {
    (w / scale).round().clamp(-f32::from(i16::MAX), f32::from(i16::MAX)) as i16
}

/// Open-addressing table: `(key & !ROW_MASK) | (row offset + 1)` per slot.
/// Content hash of a model: equal models get equal fingerprints.
fn fingerprint(n_classes: usize, scale: f32, keys: &[u64], weights: &[Weight]) -> u64 {
    let mut h = finalize(n_classes as u64 ^ (u64::from(scale.to_bits()) << 32));
    for &k in keys {
        h = finalize(h ^ k);
    }
    for w in weights {
        h = finalize(h ^ (u64::from(w.q as u16) << 16 | u64::from(w.class)));
    }
    h
}

/// Models with at most this many classes (all of ours but the parser's,
/// which has its own scorer) sum scores in a fixed-size stack array.
const FIXED_CLASSES: usize = 256;

/// Slots per model in a [`WordCache`] (direct-mapped; a power of two).
const WORD_CACHE_SLOTS: usize = 4096;
/// Models whose sums one thread keeps (least recently added dropped first).
const WORD_CACHE_MODELS: usize = 8;

thread_local! {
    static WORD_CACHES: std::cell::RefCell<WordCache> = const { std::cell::RefCell::new(WordCache::new()) };
}

/// Per-thread cache of the integer score sums of word-level features (see
/// [`Model::add_scores_cached`]), for a few models at a time. Frequent words
/// recur across sentences and documents, so most lookups hit. Bounded:
/// [`WORD_CACHE_MODELS`] × [`WORD_CACHE_SLOTS`] × classes `i32`s per thread.
struct WordCache {
    models: Vec<ModelCache>,
}

/// The cached sums of one model.
struct ModelCache {
    fingerprint: u64,
    n_classes: usize,
    /// Key of each slot (0 = empty; key 0 is stored as 1, see [`slot_key`]).
    keys: Vec<u64>,
    sums: Vec<i32>,
}

/// The key a word is stored under (never 0, which marks an empty slot).
#[inline]
fn slot_key(key: u64) -> u64 {
    key.max(1)
}

impl WordCache {
    const fn new() -> WordCache {
        WordCache { models: Vec::new() }
    }

    /// Adds to `acc` the sum of `feats` (a function of `key`) under `model`
    /// (at most [`FIXED_CLASSES`] classes), from the cache or computed and
    /// stored.
    fn sums(&mut self, model: &Model, key: u64, feats: &[u64], acc: &mut [i32; FIXED_CLASSES]) {
        let k = model.n_classes;
        let m = match self
            .models
            .iter()
            .position(|m| m.fingerprint == model.fingerprint && m.n_classes == k)
        {
            Some(i) => i,
            None => {
                if self.models.len() >= WORD_CACHE_MODELS {
                    self.models.remove(0);
                }
                self.models.push(ModelCache {
                    fingerprint: model.fingerprint,
                    n_classes: k,
                    keys: vec![0; WORD_CACHE_SLOTS],
                    sums: vec![0; WORD_CACHE_SLOTS * k],
                });
                self.models.len() - 1
            }
        };
        let cache = &mut self.models[m];
        let key = slot_key(key);
        let slot = (finalize(key) as usize) & (WORD_CACHE_SLOTS - 1);
        let Some(sums) = cache.sums.get_mut(slot * k..(slot + 1) * k) else {
            model.add_raw_fixed(feats, acc);
            return;
        };
        if cache.keys[slot] != key {
            let mut fresh = [0i32; FIXED_CLASSES];
            model.add_raw_fixed(feats, &mut fresh);
            sums.copy_from_slice(&fresh[..k]);
            cache.keys[slot] = key;
        } else if cfg!(debug_assertions) {
            // The caller's promise that the features are a function of the
            // key, checked in every test that tags or recognises entities.
            let mut fresh = [0i32; FIXED_CLASSES];
            model.add_raw_fixed(feats, &mut fresh);
            assert_eq!(&fresh[..k], &sums[..], "word cache: cached sums of key {key:#x} differ");
        }
        for (a, &s) in acc.iter_mut().zip(sums.iter()) {
            *a += s;
        }
    }
}

fn build_table(keys: &[u64], starts: &[u32]) -> Vec<u64> {
    let cap = (keys.len() * 2).next_power_of_two().max(16);
    let mask = cap - 1;
    let mut table = vec![0u64; cap];
    for (&k, &start) in keys.iter().zip(starts) {
        let mut i = (k as usize) & mask;
        while table[i] & ROW_MASK != 0 {
            i = (i + 1) & mask;
        }
        table[i] = (k & !ROW_MASK) | (u64::from(start) + 1);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy problem: class = which of three "words" is present, with a
    /// noise feature shared by all.
    fn toy() -> Vec<(Vec<u64>, usize)> {
        let mut data = Vec::new();
        for i in 0..30 {
            let c = i % 3;
            let word = hash_str(["a", "b", "c"][c]);
            data.push((vec![mix(1, word), mix(2, hash_str("bias"))], c));
        }
        data
    }

    #[test]
    fn learns_separable_toy_problem() {
        let data = toy();
        let mut t = Trainer::new(3);
        let mut scores = Vec::new();
        for _ in 0..5 {
            for (f, y) in &data {
                let g = t.predict(f, &mut scores);
                t.update(*y, g, f);
            }
        }
        let m = t.finish(&PruneOptions::default());
        for (f, y) in &data {
            assert_eq!(m.predict(f, &mut scores), *y);
        }
        assert!(m.n_features() >= 3);
    }

    #[test]
    fn word_cache_gives_the_uncached_scores_and_keeps_models_apart() {
        let data = toy();
        let train = |epochs: usize| {
            let mut t = Trainer::new(3);
            let mut scores = Vec::new();
            for _ in 0..epochs {
                for (f, y) in &data {
                    let g = t.predict(f, &mut scores);
                    t.update(*y, g, f);
                }
            }
            t.finish(&PruneOptions::default())
        };
        // Different weights, so a cache shared by mistake would give the
        // other model's sums.
        let (a, b) = (train(1), train(4));
        assert_ne!(a.fingerprint, b.fingerprint);
        assert_eq!(a.fingerprint, Model::from_bytes(&a.to_bytes()).unwrap().fingerprint);
        let (mut plain, mut cached) = (Vec::new(), Vec::new());
        for round in 0..3 {
            for (i, (f, _)) in data.iter().enumerate() {
                // The word feature (first) is cached under the word's key.
                let key = f[0];
                for m in [&a, &b] {
                    m.score(f, &mut plain);
                    m.score_cached(Some((key, 1)), f, &mut cached);
                    assert_eq!(plain, cached, "round {round}, item {i}");
                }
            }
        }
    }

    #[test]
    fn mean_of_trainers_and_add_updates() {
        let data = toy();
        let train = |rev: bool| {
            let mut t = Trainer::new(3);
            let mut scores = Vec::new();
            for _ in 0..5 {
                let order: Vec<&(Vec<u64>, usize)> = if rev {
                    data.iter().rev().collect()
                } else {
                    data.iter().collect()
                };
                for (f, y) in order {
                    let g = t.predict(f, &mut scores);
                    t.update(*y, g, f);
                }
            }
            t
        };
        let (a, b) = (train(false), train(true));
        let p = PruneOptions::default();
        assert_eq!(Trainer::finish_mean(&[&a], &p), a.finish(&p));
        assert_eq!(Trainer::finish_mean(&[&a, &a], &p), a.finish(&p));
        let m = Trainer::finish_mean(&[&a, &b], &p);
        let mut scores = Vec::new();
        for (f, y) in &data {
            assert_eq!(m.predict(f, &mut scores), *y);
        }
        // `add` + `tick` is `update` split into its parts.
        let mut u = Trainer::new(3);
        let mut v = Trainer::new(3);
        for (f, y) in &data {
            let g = (*y + 1) % 3;
            u.update(*y, g, f);
            v.tick();
            v.add(*y, f, 1.0);
            v.add(g, f, -1.0);
        }
        assert_eq!(u.finish(&p), v.finish(&p));
    }

    #[test]
    fn bytes_round_trip_and_corruption() {
        let data = toy();
        let mut t = Trainer::new(3);
        let mut scores = Vec::new();
        for (f, y) in &data {
            let g = t.predict(f, &mut scores);
            t.update(*y, g, f);
        }
        let m = t.finish(&PruneOptions::default());
        let b = m.to_bytes();
        let m2 = Model::from_bytes(&b).unwrap();
        assert_eq!(m, m2);
        for cut in 0..b.len() {
            assert!(Model::from_bytes(&b[..cut]).is_err());
        }
        let mut bad = b.clone();
        bad[0] ^= 1;
        assert!(matches!(Model::from_bytes(&bad), Err(BinError::BadMagic { .. })));
        // Flip every byte in turn: must never panic.
        for i in 0..b.len() {
            let mut bad = b.clone();
            bad[i] ^= 0xa5;
            let _ = Model::from_bytes(&bad);
        }
    }

    #[test]
    fn averaging_uses_lazy_timestamps() {
        // One update at step 1, then three steps without updates: the
        // averaged weight is the weight's share of the 4 steps (3/4).
        let f = [mix(1, hash_str("x"))];
        let mut t = Trainer::new(2);
        t.update(0, 1, &f);
        for _ in 0..3 {
            t.update(0, 0, &f);
        }
        let m = t.finish(&PruneOptions {
            min_abs_weight: 0.0,
            min_updates: 1,
        });
        let mut scores = Vec::new();
        m.score(&f, &mut scores);
        assert!((scores[0] - 0.75).abs() < 1e-3, "{scores:?}");
        assert!((scores[1] + 0.75).abs() < 1e-3, "{scores:?}");
        // Pruning by update count removes the feature.
        let m = t.finish(&PruneOptions {
            min_abs_weight: 0.0,
            min_updates: 2,
        });
        assert_eq!(m.n_features(), 0);
        m.score(&f, &mut scores);
        assert_eq!(scores, [0.0, 0.0]);
    }

    #[test]
    fn hashes_differ_by_template() {
        let h = hash_str("word");
        assert_ne!(mix(1, h), mix(2, h));
        assert_ne!(mix2(1, h, 5), mix2(1, 5, h));
    }
}

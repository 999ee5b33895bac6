//! A generic multi-class averaged perceptron over hashed sparse features.
//!
//! Features are `u64` hashes built with [`mix`] / [`hash_str`]; no strings
//! are allocated when extracting or scoring. Training uses [`Trainer`], which
//! keeps per-feature sparse rows of `(class, weight, total, timestamp)` for
//! lazy averaging (Daumé's trick: totals are only brought up to date when a
//! weight changes). [`Trainer::finish`] averages, prunes near-zero weights and
//! packs everything into a [`Model`]: an open-addressing table of feature
//! keys pointing into one flat array of `(class, weight)` entries.
//!
//! The code knows nothing about parsing: any classifier with `n_classes`
//! outputs (a tagger, a transition parser) can use it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::binio::{BinError, Reader, Writer};
use crate::nlp::perceptron::prefetch;

const K1: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xD6E8_FEB8_6659_FD93;

/// Folded 64×64→128-bit multiply: the core of the hash.
#[inline(always)]
fn mum(a: u64, b: u64) -> u64 {
    let r = u128::from(a).wrapping_mul(u128::from(b));
    (r as u64) ^ ((r >> 64) as u64)
}

/// Combines a running hash with one more value. Order-sensitive.
#[inline(always)]
pub fn mix(h: u64, v: u64) -> u64 {
    mum(h ^ K1, v ^ K2)
}

/// Hashes a string's bytes.
pub fn hash_str(s: &str) -> u64 {
    hash_bytes(s.bytes())
}

/// Hashes a string after lowercasing it (Unicode-aware, allocation-free).
pub fn hash_str_lower(s: &str) -> u64 {
    if s.is_ascii() {
        hash_bytes(s.bytes().map(|b| b.to_ascii_lowercase()))
    } else {
        let mut buf = [0u8; 4];
        let mut h = 0x51_7C_C1_B7_27_22_0A_95u64;
        let mut n = 0u64;
        for c in s.chars().flat_map(char::to_lowercase) {
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                h = mix(h, u64::from(b));
                n += 1;
            }
        }
        mix(h, n)
    }
}

fn hash_bytes(bytes: impl Iterator<Item = u8>) -> u64 {
    // Must agree with the non-ASCII branch of `hash_str_lower` for ASCII input.
    let mut h = 0x51_7C_C1_B7_27_22_0A_95u64;
    let mut n = 0u64;
    for b in bytes {
        h = mix(h, u64::from(b));
        n += 1;
    }
    mix(h, n)
}

/// A hasher for keys that are already good hashes: passes them through.
#[derive(Default, Clone, Copy)]
pub struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, u64::from(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A hash map keyed by already-hashed `u64`s.
pub type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;

#[derive(Debug, Clone, Copy)]
struct TrainEntry {
    class: u16,
    weight: i32,
    stamp: u32,
    total: i64,
}

/// The mutable, training-time perceptron with lazy averaging.
#[derive(Debug, Clone)]
pub struct Trainer {
    n_classes: usize,
    index: IdMap<u32>,
    rows: Vec<Vec<TrainEntry>>,
    /// Number of updates that touched each feature.
    hits: Vec<u32>,
    time: u32,
}

impl Trainer {
    /// A zero model with `n_classes` outputs (at most 65 536).
    pub fn new(n_classes: usize) -> Self {
        Self {
            n_classes: n_classes.min(usize::from(u16::MAX) + 1),
            index: IdMap::default(),
            rows: Vec::new(),
            hits: Vec::new(),
            time: 0,
        }
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of distinct features with at least one weight.
    pub fn n_features(&self) -> usize {
        self.rows.len()
    }

    /// Adds the current (non-averaged) weights of `features` to `scores`
    /// (which must have `n_classes` entries; extra entries are ignored).
    pub fn score(&self, features: &[u64], scores: &mut [f32]) {
        for f in features {
            if let Some(&i) = self.index.get(f) {
                for e in &self.rows[i as usize] {
                    if let Some(s) = scores.get_mut(usize::from(e.class)) {
                        *s += e.weight as f32;
                    }
                }
            }
        }
    }

    /// Marks the end of one training instance (advances the averaging clock).
    pub fn tick(&mut self) {
        self.time = self.time.saturating_add(1);
    }

    /// Standard perceptron update: `+1` for `truth`, `-1` for `guess` on every
    /// feature. Does nothing when they are equal or out of range.
    pub fn update(&mut self, truth: usize, guess: usize, features: &[u64]) {
        if truth == guess || truth >= self.n_classes || guess >= self.n_classes {
            return;
        }
        let time = self.time;
        for &f in features {
            let row = self.touch(f);
            Self::bump(row, truth as u16, 1, time);
            Self::bump(row, guess as u16, -1, time);
        }
    }

    /// Adds `delta` to the weight of `class` on every feature (one side of a
    /// structured-perceptron update). Does nothing for an out-of-range class.
    pub fn add(&mut self, class: usize, delta: i32, features: &[u64]) {
        if class >= self.n_classes {
            return;
        }
        let time = self.time;
        for &f in features {
            Self::bump(self.touch(f), class as u16, delta, time);
        }
    }

    /// The weight row of feature `f` (created on first use), counting one
    /// update that touches it.
    fn touch(&mut self, f: u64) -> &mut Vec<TrainEntry> {
        let next = self.rows.len() as u32;
        let i = *self.index.entry(f).or_insert(next) as usize;
        if i == next as usize {
            self.rows.push(Vec::with_capacity(2));
            self.hits.push(0);
        }
        self.hits[i] = self.hits[i].saturating_add(1);
        &mut self.rows[i]
    }

    fn bump(row: &mut Vec<TrainEntry>, class: u16, delta: i32, time: u32) {
        let e = match row.iter_mut().position(|e| e.class == class) {
            Some(p) => &mut row[p],
            None => {
                row.push(TrainEntry {
                    class,
                    weight: 0,
                    stamp: time,
                    total: 0,
                });
                let last = row.len() - 1;
                &mut row[last]
            }
        };
        e.total += i64::from(time - e.stamp) * i64::from(e.weight);
        e.stamp = time;
        e.weight += delta;
    }

    /// Averages the weights, drops those with `|w| < prune` and packs the
    /// result into a [`Model`]. The trainer is left untouched, so training can
    /// continue afterwards (used to keep the best epoch).
    pub fn finish(&self, prune: f32) -> Model {
        self.finish_with(prune, 1)
    }

    /// Like [`Trainer::finish`], also dropping features touched by fewer
    /// than `min_updates` updates (rare features: most of the model's size).
    pub fn finish_with(&self, prune: f32, min_updates: u32) -> Model {
        let time = f64::from(self.time.max(1));
        let avg = |e: &TrainEntry| {
            let total = e.total + i64::from(self.time - e.stamp) * i64::from(e.weight);
            (total as f64 / time) as f32
        };
        let max = self
            .rows
            .iter()
            .flat_map(|r| r.iter().map(|e| avg(e).abs()))
            .fold(0f32, f32::max);
        let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
        let mut feats: Vec<(u64, Vec<(u16, i16)>)> = Vec::with_capacity(self.rows.len());
        for (&key, &i) in &self.index {
            if self.hits[i as usize] < min_updates {
                continue;
            }
            let mut row: Vec<(u16, i16)> = self.rows[i as usize]
                .iter()
                .filter_map(|e| {
                    let a = avg(e);
                    let q = quantize(a, scale);
                    (a.abs() >= prune && q != 0).then_some((e.class, q))
                })
                .collect();
            if !row.is_empty() {
                row.sort_unstable_by_key(|e| e.0);
                feats.push((key, row));
            }
        }
        feats.sort_unstable_by_key(|f| f.0);
        Model::from_rows(self.n_classes, scale, feats)
    }
}

fn quantize(w: f32, scale: f32) -> i16 {
    (w / scale).round().clamp(-32767.0, 32767.0) as i16
}

/// One open-addressing slot: a 32-bit fingerprint of the feature (0 = empty)
/// and the start of its row in `entries`. Rows are laid out in slot order,
/// so a row ends where the next slot's row starts (a sentinel slot closes
/// the table). The home slot comes from the key's low bits and the
/// fingerprint from its high 32 bits, so an unknown feature is mistaken for
/// a stored one with probability about (probe length) / 2^32.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Slot {
    fp: u32,
    start: u32,
}

/// Re-mixes a feature key so that the table works for any key distribution
/// (not only for well-mixed hashes).
#[inline(always)]
fn spread(k: u64) -> u64 {
    mum(k ^ K2, K1)
}

#[inline(always)]
fn fingerprint(k: u64) -> u32 {
    match (k >> 32) as u32 {
        0 => 1,
        f => f,
    }
}

/// A frozen, averaged perceptron: compact and fast to score.
///
/// Weights are quantized to `i16` steps of a per-model `scale`, so a model
/// and its serialized form are identical.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    n_classes: usize,
    scale: f32,
    /// `mask + 2` slots: the table plus the closing sentinel.
    slots: Vec<Slot>,
    mask: usize,
    entries: Vec<(u16, i16)>,
    n_features: usize,
    /// Non-zero entries.
    n_weights: usize,
}

impl Model {
    /// Builds the table. Rows of features whose home area and fingerprint
    /// coincide (vanishingly rare) are merged.
    fn from_rows(n_classes: usize, scale: f32, feats: Vec<(u64, Vec<(u16, i16)>)>) -> Self {
        let n = feats.len();
        let cap = (n * 3 / 2 + 1).next_power_of_two().max(8);
        let mask = cap - 1;
        let mut fps = vec![0u32; cap];
        let mut rows: Vec<Vec<(u16, i16)>> = vec![Vec::new(); cap];
        for (key, row) in feats {
            let key = spread(key);
            let fp = fingerprint(key);
            let mut s = (key as usize) & mask;
            while fps[s] != 0 && fps[s] != fp {
                s = (s + 1) & mask;
            }
            fps[s] = fp;
            rows[s].extend(row);
        }
        Self::from_slots(n_classes, scale, fps, rows)
    }

    /// Lays out rows in slot order. `fps.len()` must be a power of two.
    ///
    /// Rows holding at least a third of the classes are stored *dense*: all
    /// `n_classes` entries in class order, zeros included, so that scoring
    /// adds them as a plain vector (see [`Model::accumulate`]). Zeros are
    /// never written to disk, so the file format does not change.
    fn from_slots(n_classes: usize, scale: f32, fps: Vec<u32>, rows: Vec<Vec<(u16, i16)>>) -> Self {
        let cap = fps.len();
        let mut slots = Vec::with_capacity(cap + 1);
        let mut entries = Vec::with_capacity(rows.iter().map(Vec::len).sum());
        let mut n_features = 0;
        let mut n_weights = 0;
        for (fp, mut row) in fps.into_iter().zip(rows) {
            if fp != 0 {
                n_features += 1;
            }
            row.retain(|e| e.1 != 0 && usize::from(e.0) < n_classes);
            if row.len() * 3 >= n_classes && !row.is_empty() {
                let mut dense = vec![0i16; n_classes];
                for &(c, q) in &row {
                    let d = &mut dense[usize::from(c)];
                    *d = d.saturating_add(q);
                }
                row = dense.into_iter().enumerate().map(|(c, q)| (c as u16, q)).collect();
            }
            n_weights += row.iter().filter(|e| e.1 != 0).count();
            row.sort_unstable_by_key(|e| e.0);
            slots.push(Slot {
                fp,
                start: entries.len() as u32,
            });
            entries.extend(row);
        }
        slots.push(Slot {
            fp: 0,
            start: entries.len() as u32,
        });
        Self {
            n_classes,
            scale,
            slots,
            mask: cap - 1,
            entries,
            n_features,
            n_weights,
        }
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of features kept.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of non-zero weights kept.
    pub fn n_weights(&self) -> usize {
        self.n_weights
    }

    /// The `(class, weight)` pairs of one feature (empty when unknown).
    pub fn weights(&self, feature: u64) -> Vec<(u16, f32)> {
        let (start, end) = self.find(feature);
        self.entries
            .get(start..end)
            .unwrap_or(&[])
            .iter()
            .filter(|e| e.1 != 0)
            .map(|&(c, q)| (c, f32::from(q) * self.scale))
            .collect()
    }

    /// Adds the averaged weights of `features` to `scores` (`n_classes` long).
    #[inline]
    pub fn score(&self, features: &[u64], scores: &mut [f32]) {
        self.accumulate(features, scores, self.scale);
    }

    /// Like [`Model::score`] but in units of the quantization step (the
    /// weights divided by a positive constant): same argmax, one multiply
    /// less per weight.
    #[inline]
    pub fn score_unscaled(&self, features: &[u64], scores: &mut [i32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { self.score_unscaled_avx2(features, scores) };
            return;
        }
        self.accumulate(features, scores, 1);
    }

    /// [`Model::score_unscaled`] compiled for AVX2: dense rows are added
    /// eight classes per instruction instead of four (same integers).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn score_unscaled_avx2(&self, features: &[u64], scores: &mut [i32]) {
        self.accumulate(features, scores, 1);
    }

    /// Memory-bound, so it is software-pipelined: the home slot of feature
    /// `i + SLOT_AHEAD + ROW_AHEAD` is prefetched while feature
    /// `i + ROW_AHEAD` is resolved (and its row prefetched) and the row of
    /// feature `i` is added, keeping a bounded number of misses in flight.
    ///
    /// Generic over the accumulator: `f32` with the quantization scale, or
    /// `i32` in quantization steps (exact, and integer adds vectorise better).
    #[inline(always)]
    fn accumulate<T>(&self, features: &[u64], scores: &mut [T], scale: T)
    where
        T: Copy + From<i16> + std::ops::AddAssign + std::ops::Mul<Output = T>,
    {
        const SLOT_AHEAD: usize = 6;
        const ROW_AHEAD: usize = 6;
        const RING: usize = 16; // > ROW_AHEAD, power of two
        let n = features.len();
        let mut rows = [(0usize, 0usize); RING];
        for i in 0..n + SLOT_AHEAD + ROW_AHEAD {
            if let Some(&f) = features.get(i) {
                prefetch(&self.slots[(spread(f) as usize) & self.mask]);
            }
            if let Some(j) = i.checked_sub(SLOT_AHEAD).filter(|&j| j < n) {
                let r = self.find(features[j]);
                if let Some(e) = self.entries.get(r.0) {
                    prefetch(e);
                }
                rows[j % RING] = r;
            }
            if let Some(k) = i.checked_sub(SLOT_AHEAD + ROW_AHEAD).filter(|&k| k < n) {
                let (start, end) = rows[k % RING];
                let row = self.entries.get(start..end).unwrap_or(&[]);
                if row.len() == scores.len() {
                    // Dense row (or a sparse row holding every class, which
                    // is then in class order too): a vector add.
                    for (s, &(_, q)) in scores.iter_mut().zip(row) {
                        *s += T::from(q) * scale;
                    }
                } else {
                    for &(c, q) in row {
                        if let Some(s) = scores.get_mut(usize::from(c)) {
                            *s += T::from(q) * scale;
                        }
                    }
                }
            }
        }
    }

    /// `start..end` of a feature's row in `entries`; empty when unknown.
    #[inline(always)]
    fn find(&self, feature: u64) -> (usize, usize) {
        let feature = spread(feature);
        let fp = fingerprint(feature);
        let mut s = (feature as usize) & self.mask;
        // At most `mask + 1` probes: the table always has an empty slot, but
        // a corrupt model must not be able to make this loop forever.
        for _ in 0..=self.mask {
            let slot = self.slots[s];
            if slot.fp == fp {
                let end = self.slots[s + 1].start as usize;
                return (slot.start as usize, end);
            }
            if slot.fp == 0 {
                break;
            }
            s = (s + 1) & self.mask;
        }
        (0, 0)
    }

    /// A copy without the weights whose absolute value is below `threshold`
    /// (slots are kept, possibly with empty rows, so lookups stay valid).
    pub fn pruned(&self, threshold: f32) -> Model {
        let cap = self.mask + 1;
        let fps: Vec<u32> = self.slots[..cap].iter().map(|s| s.fp).collect();
        let rows: Vec<Vec<(u16, i16)>> = (0..cap)
            .map(|s| {
                let (a, b) = (self.slots[s].start as usize, self.slots[s + 1].start as usize);
                self.entries[a..b]
                    .iter()
                    .copied()
                    .filter(|&(_, q)| q != 0 && (f32::from(q) * self.scale).abs() >= threshold)
                    .collect()
            })
            .collect();
        Model::from_slots(self.n_classes, self.scale, fps, rows)
    }

    /// Serializes the model body (no header; embed it in a larger file).
    ///
    /// Layout: `n_classes: u32`, `scale: f32`, `log2(table size): u8`,
    /// `n_features: u32`, then per occupied slot in table order: slot-index
    /// delta (LEB128 varint), `fingerprint: u32`, `len: u8|u16` (u8 when
    /// `n_classes <= 256`), and `len` entries of `class: u8|u16` +
    /// `weight: i16` (times `scale`).
    pub fn write(&self, w: &mut Writer) {
        let small = self.n_classes <= 256;
        let cap = self.mask + 1;
        w.u32(self.n_classes as u32);
        w.f32(self.scale);
        w.u8(cap.trailing_zeros() as u8);
        w.length(self.n_features);
        let mut prev = 0usize;
        for s in 0..cap {
            let slot = self.slots[s];
            if slot.fp == 0 {
                continue;
            }
            w.varint((s - prev) as u64);
            prev = s;
            w.u32(slot.fp);
            let (a, b) = (slot.start as usize, self.slots[s + 1].start as usize);
            // Dense rows hold zeros: only non-zero weights are written.
            let row = &self.entries[a..b];
            let len = row.iter().filter(|e| e.1 != 0).count();
            if small {
                w.u8(len as u8);
            } else {
                w.u16(len as u16);
            }
            for &(c, q) in row.iter().filter(|e| e.1 != 0) {
                if small {
                    w.u8(c as u8);
                } else {
                    w.u16(c);
                }
                w.u16(q as u16);
            }
        }
    }

    /// Reads a body written by [`Model::write`].
    pub fn read(r: &mut Reader<'_>) -> Result<Self, BinError> {
        let n_classes = r.u32()? as usize;
        if n_classes == 0 || n_classes > usize::from(u16::MAX) + 1 {
            return Err(r.invalid(format!("bad class count {n_classes}")));
        }
        let at = r.position();
        let scale = r.f32()?;
        if scale <= 0.0 {
            return Err(BinError::Invalid {
                offset: at,
                message: format!("bad weight scale {scale}"),
            });
        }
        let bits = r.u8()?;
        if !(3..=30).contains(&bits) {
            return Err(r.invalid(format!("bad table size 2^{bits}")));
        }
        let cap = 1usize << bits;
        let small = n_classes <= 256;
        let n = r.length(6)?;
        if n >= cap {
            return Err(r.invalid("table has no empty slot"));
        }
        let mut fps = vec![0u32; cap];
        let mut rows: Vec<Vec<(u16, i16)>> = vec![Vec::new(); cap];
        let mut s = 0usize;
        for i in 0..n {
            let delta = r.varint()?;
            if i > 0 && delta == 0 {
                return Err(r.invalid("duplicate slot"));
            }
            s = usize::try_from(delta)
                .ok()
                .and_then(|d| s.checked_add(d))
                .filter(|&x| x < cap)
                .ok_or_else(|| r.invalid("slot index out of range"))?;
            let fp = r.u32()?;
            if fp == 0 {
                return Err(r.invalid("zero fingerprint"));
            }
            fps[s] = fp;
            let len = if small {
                usize::from(r.u8()?)
            } else {
                usize::from(r.u16()?)
            };
            if len > n_classes {
                return Err(r.invalid(format!("bad row length {len}")));
            }
            let row = &mut rows[s];
            row.reserve(len);
            for _ in 0..len {
                let c = if small { u16::from(r.u8()?) } else { r.u16()? };
                if usize::from(c) >= n_classes {
                    return Err(r.invalid(format!("class {c} out of range")));
                }
                let q = r.u16()? as i16;
                row.push((c, q));
            }
        }
        Ok(Self::from_slots(n_classes, scale, fps, rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_is_stable_and_lowercases() {
        assert_eq!(hash_str_lower("Hello"), hash_str("hello"));
        assert_eq!(hash_str_lower("ÉCOLE"), hash_str("école"));
        assert_ne!(hash_str("a"), hash_str("b"));
        assert_ne!(mix(1, 2), mix(2, 1));
    }

    /// Learns a tiny linearly separable problem and keeps it after averaging,
    /// pruning and a serialization round trip.
    #[test]
    fn learns_and_round_trips() {
        let data: Vec<(Vec<u64>, usize)> = vec![
            (vec![1, 10], 0),
            (vec![2, 10], 1),
            (vec![3, 10], 2),
            (vec![1, 11], 0),
            (vec![2, 11], 1),
            (vec![3, 11], 2),
        ];
        let mut t = Trainer::new(3);
        for _ in 0..5 {
            for (f, y) in &data {
                let mut s = [0f32; 3];
                t.score(f, &mut s);
                let guess = argmax(&s);
                t.update(*y, guess, f);
                t.tick();
            }
        }
        let m = t.finish(1e-6);
        for (f, y) in &data {
            let mut s = [0f32; 3];
            m.score(f, &mut s);
            assert_eq!(argmax(&s), *y);
        }
        let mut w = Writer::new();
        m.write(&mut w);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes);
        let m2 = Model::read(&mut r).unwrap();
        r.finish().unwrap();
        assert_eq!(m.n_weights(), m2.n_weights());
        for f in [1u64, 2, 3, 10, 11, 99] {
            assert_eq!(m.weights(f), m2.weights(f));
        }
        // Every truncation is an error, never a panic.
        for cut in 0..bytes.len() {
            let mut r = Reader::new(&bytes[..cut]);
            assert!(Model::read(&mut r).is_err());
        }
    }

    /// The integer scores (AVX2 where the CPU has it) equal the generic
    /// accumulation, for dense and sparse rows alike.
    #[test]
    fn unscaled_scores_match_the_generic_path() {
        let n = 40;
        let mut t = Trainer::new(n);
        for step in 0..400u64 {
            // Feature 7 is updated for every class (a dense row); the others
            // for a few (sparse rows).
            let feats = [7, 100 + step % 13, 200 + step % 5];
            let truth = (step as usize * 7) % n;
            let guess = (step as usize * 3 + 1) % n;
            t.update(truth, guess, &feats);
            t.tick();
        }
        let m = t.finish(0.0);
        let feats: Vec<u64> = [7u64, 99].into_iter().chain(100..113).chain(200..205).collect();
        let mut fast = vec![0i32; n];
        m.score_unscaled(&feats, &mut fast);
        let mut generic = vec![0i32; n];
        m.accumulate(&feats, &mut generic, 1);
        assert_eq!(fast, generic);
        assert!(generic.iter().filter(|&&x| x != 0).count() > n / 2, "{generic:?}");
    }

    #[test]
    fn lazy_average_matches_eager_average() {
        let mut t = Trainer::new(2);
        // weight for class 0 on feature 5: +1 at t=0, stays for 3 ticks, +1 at t=3, 1 more tick.
        t.update(0, 1, &[5]);
        t.tick();
        t.tick();
        t.tick();
        t.update(0, 1, &[5]);
        t.tick();
        let m = t.finish(0.0);
        // eager: w = 1,1,1,2 over 4 instances -> 5/4
        let row = m.weights(5);
        assert_eq!(row.len(), 2);
        assert_eq!((row[0].0, row[1].0), (0, 1));
        assert!((row[0].1 - 1.25).abs() < 1e-4 && (row[1].1 + 1.25).abs() < 1e-4);
    }

    fn argmax(s: &[f32]) -> usize {
        let mut best = 0;
        for (i, &v) in s.iter().enumerate() {
            if v > s[best] {
                best = i;
            }
        }
        best
    }
}

//! Word clusters for the named-entity recognizer, derived from word
//! embeddings (Turian et al. 2010; Guo et al. 2014): the most frequent words
//! of an embedding file are grouped by deterministic spherical k-means at
//! several granularities, and the recognizer uses the cluster ids of a word
//! and of its neighbours as features. Clusters generalise from the few
//! hundred thousand words of annotated text to words never seen in training
//! ("Brussels" clusters with "Vienna", "Gonzalez" with "Hernandez").
//!
//! The table is a TSV file (`models/lexicon/clusters.tsv`, written by
//! `textkg train clusters`): `#` comment lines, then one line per lowercased
//! word: the word and one cluster id per granularity. The trainer embeds the
//! table (hashed words) in `ner.bin`.

use crate::nlp::binio::{BinError, Reader, Writer};
use crate::nlp::perceptron::{IdMap, hash_str};

/// Maximum number of granularities (cluster ids per word).
pub const MAX_LEVELS: usize = 4;

/// Cluster id used for words missing from the table.
pub const UNKNOWN: u16 = u16::MAX;

/// Error while reading embeddings or a cluster table.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The embedding file is not the expected JSON.
    #[error("cannot parse the embedding JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The embedding file parses but is inconsistent.
    #[error("bad embedding file: {0}")]
    Vectors(String),
    /// A line of the cluster table is malformed.
    #[error("clusters line {line}: {message}")]
    Table {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The clustering options are unusable.
    #[error("bad clustering options: {0}")]
    Options(String),
}

/// Word vectors in frequency order (most frequent first).
#[derive(Debug, Clone, Default)]
pub struct WordVectors {
    /// The words.
    pub words: Vec<String>,
    /// Vector dimension.
    pub dim: usize,
    /// `words.len() * dim` values, one row per word.
    pub values: Vec<f32>,
}

#[derive(serde::Deserialize)]
struct WinkJson {
    dimensions: usize,
    words: Vec<String>,
    vectors: std::collections::HashMap<String, Vec<f32>>,
}

impl WordVectors {
    /// Reads the first `limit` words of a wink-embeddings JSON file
    /// (`{"dimensions": d, "words": [...], "vectors": {word: [d values,
    /// l2 norm, index]}}`, words in frequency order). Words without a vector
    /// are skipped.
    pub fn from_wink_json(json: &str, limit: usize) -> Result<WordVectors, ClusterError> {
        let parsed: WinkJson = serde_json::from_str(json)?;
        let dim = parsed.dimensions;
        if dim == 0 {
            return Err(ClusterError::Vectors("dimension 0".into()));
        }
        let mut out = WordVectors {
            dim,
            ..WordVectors::default()
        };
        for w in parsed.words {
            if out.words.len() >= limit {
                break;
            }
            let Some(v) = parsed.vectors.get(&w) else { continue };
            let Some(v) = v.get(..dim) else {
                return Err(ClusterError::Vectors(format!(
                    "vector of {w:?} has {} values, expected at least {dim}",
                    v.len()
                )));
            };
            out.values.extend_from_slice(v);
            out.words.push(w);
        }
        Ok(out)
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight independent accumulators so that the loop vectorises; the order
    // of additions is fixed, so results are deterministic.
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s = acc.iter().sum::<f32>();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

fn normalize(v: &mut [f32]) {
    let n = dot(v, v).sqrt();
    if n > 0.0 {
        for x in v {
            *x /= n;
        }
    }
}

/// Deterministic xorshift generator (k-means++ seeding).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Index of the most similar centroid.
fn nearest(x: &[f32], centroids: &[f32], dim: usize) -> usize {
    let mut best = 0;
    let mut best_s = f32::NEG_INFINITY;
    for (c, row) in centroids.chunks_exact(dim).enumerate() {
        let s = dot(x, row);
        if s > best_s {
            best_s = s;
            best = c;
        }
    }
    best
}

/// Unit-length copy of the vectors' values.
fn unit_rows(vectors: &WordVectors) -> Result<Vec<f32>, ClusterError> {
    let (n, dim) = (vectors.words.len(), vectors.dim);
    if dim == 0 || vectors.values.len() != n * dim {
        return Err(ClusterError::Vectors("values do not match words × dimension".into()));
    }
    let mut data = vectors.values.clone();
    for row in data.chunks_exact_mut(dim) {
        normalize(row);
    }
    Ok(data)
}

/// Spherical k-means with k-means++ seeding over the unit rows `rows` of
/// `data`: the cluster (`0..k`) of each of `rows`. Requires `1 <= k <=
/// rows.len()`.
fn kmeans_rows(data: &[f32], dim: usize, rows: &[usize], k: usize, iterations: usize, rng: &mut Rng) -> Vec<usize> {
    let n = rows.len();
    let row = |i: usize| &data[rows[i] * dim..(rows[i] + 1) * dim];
    // k-means++: the next centre is drawn with probability proportional to
    // the (cosine) distance to the nearest centre chosen so far.
    let mut centroids: Vec<f32> = Vec::with_capacity(k * dim);
    let first = (rng.next() % n as u64) as usize;
    centroids.extend_from_slice(row(first));
    let mut dist: Vec<f64> = (0..n)
        .map(|i| f64::from(1.0 - dot(row(i), row(first))).max(0.0))
        .collect();
    while centroids.len() < k * dim {
        let total: f64 = dist.iter().sum();
        let mut target = rng.unit() * total;
        let mut pick = n - 1;
        for (i, d) in dist.iter().enumerate() {
            if target < *d {
                pick = i;
                break;
            }
            target -= d;
        }
        let c = row(pick).to_vec();
        for (i, d) in dist.iter_mut().enumerate() {
            *d = d.min(f64::from(1.0 - dot(row(i), &c)).max(0.0));
        }
        centroids.extend_from_slice(&c);
    }
    let mut assign = vec![usize::MAX; n];
    for _ in 0..iterations {
        let mut changed = 0;
        for (i, a) in assign.iter_mut().enumerate() {
            let c = nearest(row(i), &centroids, dim);
            if *a != c {
                *a = c;
                changed += 1;
            }
        }
        if changed == 0 {
            break;
        }
        let mut sums = vec![0f64; k * dim];
        for (i, &a) in assign.iter().enumerate() {
            for (s, x) in sums[a * dim..(a + 1) * dim].iter_mut().zip(row(i)) {
                *s += f64::from(*x);
            }
        }
        for (c, sum) in sums.chunks_exact(dim).enumerate() {
            if sum.iter().all(|x| *x == 0.0) {
                continue; // empty cluster: keep its centre
            }
            let dst = &mut centroids[c * dim..(c + 1) * dim];
            for (d, s) in dst.iter_mut().zip(sum) {
                *d = *s as f32;
            }
            normalize(dst);
        }
    }
    // Final assignment to the final centres.
    (0..n).map(|i| nearest(row(i), &centroids, dim)).collect()
}

/// Spherical k-means (cosine similarity on unit vectors) with k-means++
/// seeding: cluster id (`0..k`) of each word. Deterministic for a fixed
/// `seed`; stops after `iterations` or when no assignment changes.
pub fn kmeans(vectors: &WordVectors, k: usize, iterations: usize, seed: u64) -> Result<Vec<u16>, ClusterError> {
    let n = vectors.words.len();
    if k == 0 || k > n || k >= usize::from(UNKNOWN) {
        return Err(ClusterError::Options(format!(
            "k = {k} must be in 1..={}",
            n.min(usize::from(UNKNOWN) - 1)
        )));
    }
    let data = unit_rows(vectors)?;
    let rows: Vec<usize> = (0..n).collect();
    let assign = kmeans_rows(&data, vectors.dim, &rows, k, iterations, &mut Rng(seed | 1));
    Ok(assign.into_iter().map(|c| c as u16).collect())
}

/// Deepest hierarchy [`bisect`] builds (prefix ids must stay below [`UNKNOWN`]).
pub const MAX_DEPTH: usize = 14;

/// Hierarchical clustering by recursive bisection (spherical 2-means), like
/// the bit strings of Brown clusters: each word's path from the root, `depth`
/// bits, the first split in the highest bit (a node of fewer than two words
/// is not split further: its words get 0 bits below it).
pub fn bisect(vectors: &WordVectors, depth: usize, iterations: usize, seed: u64) -> Result<Vec<u16>, ClusterError> {
    if depth == 0 || depth > MAX_DEPTH {
        return Err(ClusterError::Options(format!(
            "depth {depth} must be in 1..={MAX_DEPTH}"
        )));
    }
    let data = unit_rows(vectors)?;
    let mut rng = Rng(seed | 1);
    let mut path = vec![0u16; vectors.words.len()];
    let mut nodes: Vec<Vec<usize>> = vec![(0..vectors.words.len()).collect()];
    for level in 0..depth {
        let bit = 1u16 << (depth - 1 - level);
        let mut next = Vec::with_capacity(nodes.len() * 2);
        for rows in nodes {
            if rows.len() < 2 {
                next.push(rows);
                continue;
            }
            let side = kmeans_rows(&data, vectors.dim, &rows, 2, iterations, &mut rng);
            let (mut left, mut right) = (Vec::new(), Vec::new());
            for (&r, &s) in rows.iter().zip(&side) {
                if s == 1 {
                    path[r] |= bit;
                    right.push(r);
                } else {
                    left.push(r);
                }
            }
            next.push(left);
            next.push(right);
        }
        nodes = next;
    }
    Ok(path)
}

/// Id of the first `len` bits of a `depth`-bit path from [`bisect`] (a
/// leading 1 keeps prefixes of different lengths apart).
pub fn prefix_id(path: u16, depth: usize, len: usize) -> u16 {
    let len = len.min(depth);
    (1 << len) | (path >> (depth - len))
}

/// How [`cluster_table`] groups the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Granularity {
    /// One flat k-means clustering per number of clusters.
    Flat(Vec<usize>),
    /// One hierarchy by recursive bisection, cut at these prefix lengths
    /// (bits; the deepest is the hierarchy's depth).
    Prefixes(Vec<usize>),
}

/// Clusters every word at each granularity and returns the table as TSV
/// (see the module documentation); `header` lines are written as `# `
/// comments first.
pub fn cluster_table(
    vectors: &WordVectors,
    granularity: &Granularity,
    iterations: usize,
    seed: u64,
    header: &[String],
) -> Result<String, ClusterError> {
    let n_levels = match granularity {
        Granularity::Flat(v) | Granularity::Prefixes(v) => v.len(),
    };
    if n_levels == 0 || n_levels > MAX_LEVELS {
        return Err(ClusterError::Options(format!("1 to {MAX_LEVELS} granularities")));
    }
    let levels: Vec<Vec<u16>> = match granularity {
        Granularity::Flat(ks) => ks
            .iter()
            .enumerate()
            .map(|(l, &k)| kmeans(vectors, k, iterations, seed.wrapping_add(l as u64)))
            .collect::<Result<_, _>>()?,
        Granularity::Prefixes(lens) => {
            let depth = lens.iter().copied().max().unwrap_or(0);
            if lens.contains(&0) {
                return Err(ClusterError::Options("prefix length 0".into()));
            }
            let paths = bisect(vectors, depth, iterations, seed)?;
            lens.iter()
                .map(|&len| paths.iter().map(|&p| prefix_id(p, depth, len)).collect())
                .collect()
        }
    };
    let mut out = String::new();
    for h in header {
        out.push_str("# ");
        out.push_str(h);
        out.push('\n');
    }
    for (i, w) in vectors.words.iter().enumerate() {
        if w.is_empty() || w.starts_with('#') || w.contains(['\t', '\n', '\r']) {
            continue;
        }
        out.push_str(w);
        for l in &levels {
            out.push('\t');
            out.push_str(&l[i].to_string());
        }
        out.push('\n');
    }
    Ok(out)
}

/// Lowercased word → cluster id at each granularity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WordClusters {
    levels: usize,
    map: IdMap<[u16; MAX_LEVELS]>,
}

impl WordClusters {
    /// Parses a table written by [`cluster_table`].
    pub fn from_tsv(text: &str) -> Result<WordClusters, ClusterError> {
        let mut out = WordClusters::default();
        for (no, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |message: String| ClusterError::Table { line: no + 1, message };
            let mut cols = line.split('\t');
            let word = cols.next().unwrap_or_default();
            let mut ids = [UNKNOWN; MAX_LEVELS];
            let mut n = 0;
            for c in cols {
                if n == MAX_LEVELS {
                    return Err(err(format!("more than {MAX_LEVELS} cluster ids")));
                }
                ids[n] = c
                    .parse::<u16>()
                    .ok()
                    .filter(|&x| x != UNKNOWN)
                    .ok_or_else(|| err(format!("bad cluster id {c:?}")))?;
                n += 1;
            }
            if n == 0 {
                return Err(err("no cluster ids".into()));
            }
            if out.levels == 0 {
                out.levels = n;
            } else if n != out.levels {
                return Err(err(format!("{n} cluster ids, earlier lines have {}", out.levels)));
            }
            out.map.insert(hash_str(&word.to_lowercase()), ids);
        }
        Ok(out)
    }

    /// Number of granularities (0 for an empty table).
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table has no words.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Cluster ids of the word with lowercase hash `lower` ([`UNKNOWN`] for
    /// missing words and unused levels).
    pub fn get(&self, lower: u64) -> [u16; MAX_LEVELS] {
        self.map.get(&lower).copied().unwrap_or([UNKNOWN; MAX_LEVELS])
    }

    /// Cluster ids of a word (lowercased here).
    pub fn of_word(&self, word: &str) -> [u16; MAX_LEVELS] {
        self.get(hash_str(&word.to_lowercase()))
    }

    /// Serializes: `u8` level count, `u32` word count, then per word (sorted
    /// by hash) the `u64` hash and one `u16` per level.
    pub fn write(&self, w: &mut Writer) {
        w.u8(self.levels as u8);
        let mut rows: Vec<(u64, [u16; MAX_LEVELS])> = self.map.iter().map(|(&k, &v)| (k, v)).collect();
        rows.sort_unstable();
        w.len(rows.len());
        for (k, ids) in rows {
            w.u64(k);
            for id in &ids[..self.levels] {
                w.u16(*id);
            }
        }
    }

    /// Reads what [`WordClusters::write`] wrote.
    pub fn read(r: &mut Reader<'_>) -> Result<WordClusters, BinError> {
        let levels = usize::from(r.u8()?);
        if levels > MAX_LEVELS {
            return Err(BinError::Invalid(format!("{levels} cluster levels")));
        }
        let n = r.len(8 + 2 * levels)?;
        let mut map = IdMap::default();
        map.reserve(n);
        for _ in 0..n {
            let k = r.u64()?;
            let mut ids = [UNKNOWN; MAX_LEVELS];
            for id in ids.iter_mut().take(levels) {
                *id = r.u16()?;
            }
            map.insert(k, ids);
        }
        Ok(WordClusters { levels, map })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three well-separated groups of 2-d directions.
    fn toy_vectors() -> WordVectors {
        let pts: [(&str, [f32; 2]); 9] = [
            ("paris", [1.0, 0.05]),
            ("rome", [0.95, 0.1]),
            ("berlin", [1.0, -0.05]),
            ("john", [0.0, 1.0]),
            ("mary", [0.05, 0.9]),
            ("peter", [-0.05, 1.1]),
            ("the", [-1.0, 0.0]),
            ("a", [-0.9, 0.05]),
            ("of", [-1.1, -0.05]),
        ];
        WordVectors {
            words: pts.iter().map(|p| p.0.to_string()).collect(),
            dim: 2,
            values: pts.iter().flat_map(|p| p.1).collect(),
        }
    }

    #[test]
    fn kmeans_finds_the_groups_deterministically() {
        let v = toy_vectors();
        let a = kmeans(&v, 3, 20, 7).unwrap();
        assert_eq!(a, kmeans(&v, 3, 20, 7).unwrap());
        for g in 0..3 {
            assert_eq!(a[3 * g], a[3 * g + 1], "{a:?}");
            assert_eq!(a[3 * g], a[3 * g + 2], "{a:?}");
        }
        assert_ne!(a[0], a[3]);
        assert_ne!(a[0], a[6]);
        assert_ne!(a[3], a[6]);
        assert!(kmeans(&v, 0, 20, 7).is_err());
        assert!(kmeans(&v, 10, 20, 7).is_err());
    }

    #[test]
    fn wink_json_is_read_in_frequency_order() {
        let json = r#"{"dimensions":2,"words":["the","x","of"],
            "vectors":{"of":[0,1,1,2],"the":[1,0,1,0]},"unkVector":[0,0,0,-1]}"#;
        let v = WordVectors::from_wink_json(json, 10).unwrap();
        assert_eq!(v.words, ["the", "of"]);
        assert_eq!(v.values, [1.0, 0.0, 0.0, 1.0]);
        assert_eq!(WordVectors::from_wink_json(json, 1).unwrap().words, ["the"]);
        let short = r#"{"dimensions":3,"words":["a"],"vectors":{"a":[1,2]}}"#;
        assert!(matches!(
            WordVectors::from_wink_json(short, 5),
            Err(ClusterError::Vectors(_))
        ));
        assert!(matches!(
            WordVectors::from_wink_json("{", 5),
            Err(ClusterError::Json(_))
        ));
    }

    #[test]
    fn table_round_trips_through_tsv_and_bytes() {
        let v = toy_vectors();
        let tsv = cluster_table(&v, &Granularity::Flat(vec![2, 3]), 20, 1, &["test".into()]).unwrap();
        assert!(tsv.starts_with("# test\n"));
        let c = WordClusters::from_tsv(&tsv).unwrap();
        assert_eq!((c.levels(), c.len()), (2, 9));
        assert_eq!(c.of_word("Paris")[1], c.of_word("rome")[1]);
        assert_ne!(c.of_word("paris")[1], c.of_word("john")[1]);
        assert_eq!(c.of_word("unseen"), [UNKNOWN; MAX_LEVELS]);
        assert_eq!(c.of_word("paris")[2], UNKNOWN);
        let mut w = Writer::new();
        c.write(&mut w);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes);
        assert_eq!(WordClusters::read(&mut r).unwrap(), c);
        r.finish().unwrap();
        for cut in 0..bytes.len() {
            let mut r = Reader::new(&bytes[..cut]);
            assert!(WordClusters::read(&mut r).is_err());
        }
    }

    #[test]
    fn bisection_gives_nested_prefixes() {
        let v = toy_vectors();
        let paths = bisect(&v, 3, 20, 5).unwrap();
        assert_eq!(paths, bisect(&v, 3, 20, 5).unwrap());
        // Words of the same group share their 1-bit prefix... at least the
        // closest pairs stay together at the first split.
        let p1: Vec<u16> = paths.iter().map(|&p| prefix_id(p, 3, 1)).collect();
        assert!(p1.iter().all(|&x| x == 2 || x == 3), "{p1:?}");
        assert_eq!(p1[0], p1[1]);
        assert_eq!(p1[3], p1[4]);
        assert_eq!(p1[6], p1[7]);
        assert!(p1.contains(&2) && p1.contains(&3));
        // Prefix ids of different lengths never collide.
        assert_eq!(prefix_id(0b101, 3, 2), 0b110);
        assert_eq!(prefix_id(0b101, 3, 3), 0b1101);
        assert!(bisect(&v, 0, 20, 5).is_err());
        assert!(bisect(&v, MAX_DEPTH + 1, 20, 5).is_err());
        let tsv = cluster_table(&v, &Granularity::Prefixes(vec![1, 3]), 20, 5, &[]).unwrap();
        let c = WordClusters::from_tsv(&tsv).unwrap();
        assert_eq!(c.levels(), 2);
        assert_eq!(c.of_word("paris")[0], p1[0]);
    }

    #[test]
    fn bad_tables_are_errors() {
        for bad in [
            "paris\n",
            "paris\tx\n",
            "paris\t1\nrome\t1\t2\n",
            "a\t1\t1\t1\t1\t1\n",
            "a\t65535\n",
        ] {
            assert!(
                matches!(WordClusters::from_tsv(bad), Err(ClusterError::Table { .. })),
                "{bad:?}"
            );
        }
        assert!(WordClusters::from_tsv("# only a comment\n").unwrap().is_empty());
    }
}

//! Personal-name lists for NER features: how common a word is as a given name
//! and as a surname (US Census 1990 name files, public domain; see
//! `models/README.md`). `train ner --names DIR` embeds the table in `ner.bin`
//! behind a feature bit, like the word clusters, so older models load unchanged.

use crate::nlp::binio::{BinError, Reader, Writer};
use crate::nlp::perceptron::{IdMap, hash_str};

/// Surnames beyond this frequency rank are left out (rank 20,000 covers
/// about 78 % of the population; the rest would add 0.6 MB to the model).
pub const MAX_SURNAME_RANK: u32 = 20_000;

/// Word → name classes: bits 0–1 the given-name bucket (0 = not a listed
/// given name, 3 = very common), bits 2–3 the surname bucket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameList {
    codes: IdMap<u8>,
}

/// Given-name bucket of a frequency in percent (the larger of the male and
/// female lists' frequencies).
fn given_bucket(percent: f64) -> u8 {
    if percent >= 0.1 {
        3
    } else if percent >= 0.01 {
        2
    } else {
        1
    }
}

/// Surname bucket of a frequency rank.
fn surname_bucket(rank: u32) -> u8 {
    if rank <= 1_000 {
        3
    } else if rank <= 5_000 {
        2
    } else {
        1
    }
}

/// Rows of a Census name file: (lowercased name, frequency in percent, rank).
/// Lines that do not parse are skipped.
fn rows(text: &str) -> impl Iterator<Item = (String, f64, u32)> + '_ {
    text.lines().filter_map(|line| {
        let mut cols = line.split_whitespace();
        let name = cols.next()?.to_lowercase();
        let freq: f64 = cols.next()?.parse().ok()?;
        let _cumulative = cols.next()?;
        let rank: u32 = cols.next()?.parse().ok()?;
        Some((name, freq, rank))
    })
}

impl NameList {
    /// Builds the table from the Census files' text: male and female given
    /// names, surnames (only ranks up to [`MAX_SURNAME_RANK`]).
    pub fn from_census(male: &str, female: &str, surnames: &str) -> NameList {
        let mut given: std::collections::BTreeMap<String, f64> = std::collections::BTreeMap::new();
        for (name, freq, _) in rows(male).chain(rows(female)) {
            let f = given.entry(name).or_insert(0.0);
            *f = f.max(freq);
        }
        let mut codes: IdMap<u8> = IdMap::default();
        for (name, freq) in given {
            *codes.entry(hash_str(&name)).or_insert(0) |= given_bucket(freq);
        }
        for (name, _, rank) in rows(surnames) {
            if rank <= MAX_SURNAME_RANK {
                let c = codes.entry(hash_str(&name)).or_insert(0);
                if *c & 0b1100 == 0 {
                    *c |= surname_bucket(rank) << 2;
                }
            }
        }
        NameList { codes }
    }

    /// Number of words in the table.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Name classes of a lowercased word's hash (`hash_str` of the lowercased
    /// form); 0 if it is not in the lists.
    pub fn code(&self, lower_hash: u64) -> u8 {
        self.codes.get(&lower_hash).copied().unwrap_or(0)
    }

    /// Name classes of a word (any case).
    pub fn code_of(&self, word: &str) -> u8 {
        self.code(hash_str(&word.to_lowercase()))
    }

    /// Writes the table: `u32` count, then `u64` key + `u8` code each, keys ascending.
    pub fn write(&self, w: &mut Writer) {
        let mut v: Vec<(u64, u8)> = self.codes.iter().map(|(&k, &c)| (k, c)).collect();
        v.sort_unstable();
        w.len(v.len());
        for (k, c) in v {
            w.u64(k);
            w.u8(c);
        }
    }

    /// Reads a table written by [`NameList::write`].
    pub fn read(r: &mut Reader<'_>) -> Result<NameList, BinError> {
        let n = r.len(9)?;
        let mut codes = IdMap::default();
        codes.reserve(n);
        for _ in 0..n {
            let k = r.u64()?;
            let c = r.u8()?;
            if c > 15 {
                return Err(BinError::Invalid(format!("bad name code {c}")));
            }
            codes.insert(k, c);
        }
        Ok(NameList { codes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MALE: &str = "JAMES          3.318  3.318      1\nPERCY          0.005 85.000    900\n";
    const FEMALE: &str = "MARY           2.629  2.629      1\nJAMES          0.003 90.000   1000\n";
    const LAST: &str = "SMITH          1.006  1.006      1\nJAMES          0.050 20.000   3000\nRARE           0.000 80.000  30000\nbad line\n";

    #[test]
    fn buckets_and_lookup() {
        let n = NameList::from_census(MALE, FEMALE, LAST);
        assert_eq!(n.code_of("James"), 3 | (2 << 2));
        assert_eq!(n.code_of("MARY"), 3);
        assert_eq!(n.code_of("percy"), 1);
        assert_eq!(n.code_of("Smith"), 3 << 2);
        assert_eq!(n.code_of("rare"), 0, "beyond the surname rank cut-off");
        assert_eq!(n.code_of("table"), 0);
        assert_eq!(n.len(), 4);
    }

    #[test]
    fn round_trip() {
        let n = NameList::from_census(MALE, FEMALE, LAST);
        let mut w = Writer::new();
        n.write(&mut w);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes);
        assert_eq!(NameList::read(&mut r).ok(), Some(n));
    }
}

//! Name lists used as NER features: gazetteer n-grams (surface → class),
//! demonyms and role/title words.
//!
//! Built from the main repo's lexicon TSV text ([`Gazetteer::from_tsv`]) and
//! stored inside the NER model in hashed form, so that prediction needs no
//! files. Matching is on token sequences: exact surface, and separately on
//! lowercased tokens (for all-caps headlines and lowercased web text).

use crate::nlp::binio::{BinError, Reader, Writer};
use crate::nlp::perceptron::{IdMap, hash_str, mix2};

/// Gazetteer class of a surface form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GazClass {
    /// A country.
    Country,
    /// A city or town.
    City,
    /// A state, province or other administrative division.
    AdministrativeArea,
    /// A continent or world region.
    Region,
    /// An organisation.
    Organization,
}

impl GazClass {
    /// Parses the class column of `gazetteer.tsv`.
    pub fn parse(s: &str) -> Option<GazClass> {
        match s {
            "Country" => Some(GazClass::Country),
            "City" => Some(GazClass::City),
            "AdministrativeArea" => Some(GazClass::AdministrativeArea),
            "Region" => Some(GazClass::Region),
            "Organization" => Some(GazClass::Organization),
            _ => None,
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Value bit marking a key that is a proper prefix of a longer entry.
const PREFIX: u8 = 0x80;
/// Longest n-gram stored.
const MAX_LEN: usize = 8;
const NGRAM_SEED: u64 = 0x005e_ed0f_6a2e;

/// Hash of an n-gram from its tokens' hashes.
#[inline]
pub(crate) fn ngram_step(h: u64, token_hash: u64) -> u64 {
    mix2(0x6a5, h, token_hash)
}

/// A gazetteer match: tokens `start..end` with class bits (see [`GazClass`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GazMatch {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// Bit set of [`GazClass`] values (`1 << class as u8`).
    pub classes: u8,
    /// Whether the match is case-sensitive exact (else lowercased only).
    pub exact: bool,
}

/// Hashed name lists (see the module doc).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gazetteer {
    exact: IdMap<u8>,
    lower: IdMap<u8>,
    demonyms: IdMap<u8>,
    roles: IdMap<u8>,
}

/// Splits a surface form into tokens like the corpora do (whitespace, and a
/// trailing comma as its own token).
fn surface_tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for t in s.split_whitespace() {
        match t.strip_suffix(',') {
            Some(head) if !head.is_empty() => {
                out.push(head);
                out.push(",");
            }
            _ => out.push(t),
        }
    }
    out
}

/// Data lines of a TSV file: skips `#` comments, blank lines and the header
/// row (whose first column is `header`).
fn data_rows<'a>(text: &'a str, header: &'a str) -> impl Iterator<Item = Vec<&'a str>> + 'a {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.trim_end_matches('\r').split('\t').collect::<Vec<_>>())
        .filter(move |c| c.first().is_some_and(|f| *f != header))
}

impl Gazetteer {
    /// An empty gazetteer (no matches).
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds the gazetteer from the text of the main repo's
    /// `models/lexicon/gazetteer.tsv` (`surface<TAB>class<TAB>…`),
    /// `demonyms.tsv` (`demonym<TAB>country`) and `roles.tsv`
    /// (`role<TAB>aliases|…<TAB>kind`). Unknown classes and malformed rows
    /// are skipped.
    pub fn from_tsv(gazetteer: &str, demonyms: &str, roles: &str) -> Self {
        let mut g = Gazetteer::new();
        for cols in data_rows(gazetteer, "surface") {
            let (Some(surface), Some(class)) = (cols.first(), cols.get(1).and_then(|c| GazClass::parse(c))) else {
                continue;
            };
            g.add_name(surface, class);
        }
        for cols in data_rows(demonyms, "demonym") {
            if let Some(d) = cols.first() {
                g.add_demonym(d);
            }
        }
        for cols in data_rows(roles, "role") {
            let aliases = cols
                .get(1)
                .map(|a| a.split('|').collect::<Vec<_>>())
                .unwrap_or_default();
            for phrase in cols.first().into_iter().chain(aliases.iter()) {
                g.add_role(phrase);
            }
        }
        g
    }

    /// Adds a name of class `class`.
    pub fn add_name(&mut self, surface: &str, class: GazClass) {
        // A class bit is never PREFIX nor 0, so this is the name's tokens with that bit.
        self.add_tokens(&surface_tokens(surface), class.bit());
    }

    /// Adds a token sequence with arbitrary class bits (bit 7 excluded);
    /// used for lexicons of entity strings seen in training data.
    pub fn add_tokens<S: AsRef<str>>(&mut self, toks: &[S], bits: u8) {
        let bits = bits & !PREFIX;
        if toks.is_empty() || toks.len() > MAX_LEN || bits == 0 {
            return;
        }
        for lower in [false, true] {
            let map = if lower { &mut self.lower } else { &mut self.exact };
            let mut h = NGRAM_SEED;
            for (i, t) in toks.iter().enumerate() {
                let t = t.as_ref();
                let th = if lower {
                    hash_str(&t.to_lowercase())
                } else {
                    hash_str(t)
                };
                h = ngram_step(h, th);
                let v = map.entry(h).or_insert(0);
                if i + 1 == toks.len() {
                    *v |= bits;
                } else {
                    *v |= PREFIX;
                }
            }
        }
    }

    /// Adds a demonym (matched case-insensitively, also with a plural `s`).
    pub fn add_demonym(&mut self, demonym: &str) {
        let toks = surface_tokens(demonym);
        if let [one] = toks.as_slice() {
            let l = one.to_lowercase();
            self.demonyms.insert(hash_str(&l), 1);
            self.demonyms.insert(hash_str(&format!("{l}s")), 1);
        }
    }

    /// Adds a role or title phrase; its last word is matched
    /// case-insensitively.
    pub fn add_role(&mut self, phrase: &str) {
        if let Some(last) = surface_tokens(phrase).last() {
            self.roles.insert(hash_str(&last.to_lowercase()), 1);
        }
    }

    /// Whether the lowercased token with hash `lower_hash` is a demonym.
    pub fn is_demonym(&self, lower_hash: u64) -> bool {
        self.demonyms.contains_key(&lower_hash)
    }

    /// Whether the lowercased token with hash `lower_hash` ends a role phrase.
    pub fn is_role(&self, lower_hash: u64) -> bool {
        self.roles.contains_key(&lower_hash)
    }

    /// Number of stored keys (names and their prefixes, both cases).
    pub fn len(&self) -> usize {
        self.exact.len() + self.lower.len() + self.demonyms.len() + self.roles.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All matches in a sentence given its token hashes (`word` exact and
    /// `lower` lowercased). Lowercase matches are reported only where no
    /// exact match of the same span exists. Appends to `out`.
    pub fn find(&self, word: &[u64], lower: &[u64], out: &mut Vec<GazMatch>) {
        for (exact, map, hashes) in [(true, &self.exact, word), (false, &self.lower, lower)] {
            if map.is_empty() {
                continue;
            }
            for start in 0..hashes.len() {
                let mut h = NGRAM_SEED;
                for end in start + 1..=(start + MAX_LEN).min(hashes.len()) {
                    h = ngram_step(h, hashes[end - 1]);
                    let Some(&v) = map.get(&h) else { break };
                    let classes = v & !PREFIX;
                    if classes != 0 && (exact || !out.iter().any(|m| m.exact && m.start == start && m.end == end)) {
                        out.push(GazMatch {
                            start,
                            end,
                            classes,
                            exact,
                        });
                    }
                    if v & PREFIX == 0 {
                        break;
                    }
                }
            }
        }
    }

    /// Appends the gazetteer in binary form.
    pub fn write(&self, w: &mut Writer) {
        w.header(*b"TKGZ", 1);
        for map in [&self.exact, &self.lower, &self.demonyms, &self.roles] {
            let mut v: Vec<(u64, u8)> = map.iter().map(|(&k, &v)| (k, v)).collect();
            v.sort_unstable();
            w.len(v.len());
            for (k, x) in v {
                w.u64(k);
                w.u8(x);
            }
        }
    }

    /// Reads a gazetteer written by [`Gazetteer::write`].
    pub fn read(r: &mut Reader<'_>) -> Result<Gazetteer, BinError> {
        r.header(*b"TKGZ", 1)?;
        let mut maps: [IdMap<u8>; 4] = Default::default();
        for map in maps.iter_mut() {
            let n = r.len(9)?;
            map.reserve(n);
            for _ in 0..n {
                let k = r.u64()?;
                let v = r.u8()?;
                map.insert(k, v);
            }
        }
        let [exact, lower, demonyms, roles] = maps;
        Ok(Gazetteer {
            exact,
            lower,
            demonyms,
            roles,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(words: &[&str]) -> (Vec<u64>, Vec<u64>) {
        (
            words.iter().map(|w| hash_str(w)).collect(),
            words.iter().map(|w| hash_str(&w.to_lowercase())).collect(),
        )
    }

    #[test]
    fn finds_multiword_and_lowercase_matches() {
        let g = Gazetteer::from_tsv(
            "# comment\nsurface\tclass\tcanonical\tqid\nNew York\tCity\tNew York City\tQ60\nNew York\tAdministrativeArea\tx\ty\n\
York\tCity\t\t\nUnited Nations\tOrganization\t\t\n",
            "demonym\tcountry\nGerman\tGermany\n",
            "role\taliases\tkind\nPrime Minister\tPM\thead\n",
        );
        let (w, l) = hashes(&["in", "New", "York", "and", "UNITED", "NATIONS"]);
        let mut m = Vec::new();
        g.find(&w, &l, &mut m);
        let ny = GazClass::City.bit() | GazClass::AdministrativeArea.bit();
        assert!(m.contains(&GazMatch {
            start: 1,
            end: 3,
            classes: ny,
            exact: true
        }));
        assert!(m.contains(&GazMatch {
            start: 2,
            end: 3,
            classes: GazClass::City.bit(),
            exact: true
        }));
        assert!(m.contains(&GazMatch {
            start: 4,
            end: 6,
            classes: GazClass::Organization.bit(),
            exact: false
        }));
        // No duplicate lowercase match where an exact one exists.
        assert_eq!(m.iter().filter(|x| x.start == 1 && x.end == 3).count(), 1);
        assert!(g.is_demonym(hash_str("germans")));
        assert!(g.is_role(hash_str("minister")));
        assert!(g.is_role(hash_str("pm")));
        assert!(!g.is_role(hash_str("prime")));
    }

    #[test]
    fn binary_round_trip() {
        let mut g = Gazetteer::new();
        g.add_name("Paris", GazClass::City);
        g.add_demonym("French");
        let mut w = Writer::new();
        g.write(&mut w);
        let b = w.into_bytes();
        let mut r = Reader::new(&b);
        assert_eq!(Gazetteer::read(&mut r).unwrap(), g);
        for cut in 0..b.len() {
            assert!(Gazetteer::read(&mut Reader::new(&b[..cut])).is_err());
        }
    }
}

//! Lemmatizer: exact lookup of (form, tag) learned from a treebank, then
//! learned suffix-rewrite rules per XPOS for unseen words.
//!
//! A lemma is stored as an edit [`Rule`] of the form (optional lowercasing,
//! strip `n` trailing chars, append a string), so the model holds no word
//! strings, only hashes and a small table of distinct rules.
//!
//! Lookup order for `(form, xpos, upos)`:
//! 1. exact form with (xpos, upos), 2. exact form with xpos,
//! 3. lowercased form with xpos, 4. the most frequent rule for the longest
//!    lowercased suffix (up to [`MAX_SUFFIX`] chars) seen with that xpos
//!    among training word types, 5. the form itself (lowercased unless it is
//!    tagged as a proper noun).

use crate::nlp::binio::{BinError, Reader, Writer};
use crate::nlp::conllu::Sentence;
use crate::nlp::perceptron::{IdMap, IdSet, hash_str, mix2};
use std::collections::HashMap;

/// Longest suffix (in chars) used by the suffix rules.
pub const MAX_SUFFIX: usize = 6;

/// A lemma as an edit of the form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Lowercase the form first.
    pub lowercase: bool,
    /// Number of trailing chars to remove.
    pub strip: u8,
    /// String to append.
    pub append: String,
}

impl Rule {
    /// The rule turning `form` into `lemma` (prefers lowercasing unless
    /// keeping the case gives a strictly shorter edit).
    pub fn learn(form: &str, lemma: &str) -> Rule {
        let lower = form.to_lowercase();
        let a = Self::edit(form, lemma, false);
        let b = Self::edit(&lower, lemma, true);
        if a.append.len() < b.append.len() { a } else { b }
    }

    fn edit(form: &str, lemma: &str, lowercase: bool) -> Rule {
        let mut prefix_bytes = 0;
        let mut prefix_chars = 0;
        for (a, b) in form.chars().zip(lemma.chars()) {
            if a != b {
                break;
            }
            prefix_bytes += a.len_utf8();
            prefix_chars += 1;
        }
        let strip = form.chars().count() - prefix_chars;
        Rule {
            lowercase,
            strip: strip.min(255) as u8,
            append: lemma[prefix_bytes..].to_string(),
        }
    }

    /// Applies the rule; `None` if it would strip more than the whole form.
    pub fn apply(&self, form: &str) -> Option<String> {
        self.apply_case(form, self.lowercase)
    }

    /// Applies the rule with the lowercasing decision overridden.
    fn apply_case(&self, form: &str, lowercase: bool) -> Option<String> {
        let base = if lowercase {
            std::borrow::Cow::Owned(form.to_lowercase())
        } else {
            std::borrow::Cow::Borrowed(form)
        };
        let n = base.chars().count();
        let strip = self.strip as usize;
        if strip > n || (strip == n && self.append.is_empty()) {
            return None;
        }
        let cut = base.char_indices().nth(n - strip).map_or(base.len(), |(b, _)| b);
        let mut out = String::with_capacity(cut + self.append.len());
        out.push_str(&base[..cut]);
        out.push_str(&self.append);
        Some(out)
    }
}

/// Trained lemmatizer. See the module docs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lemmatizer {
    rules: Vec<Rule>,
    /// Hash of (form, xpos, upos) or (form, xpos) or (lowercased form, xpos) → rule.
    exact: IdMap<u32>,
    /// Hash of (xpos, suffix) → rule.
    suffix: IdMap<u32>,
    /// Hashes of the lowercased lemmas seen in training.
    lemmas: IdSet,
}

const K_FULL: u32 = 1;
const K_XPOS: u32 = 2;
const K_LOWER: u32 = 3;
const K_SUFFIX: u32 = 4;

fn tag_key(xpos: &str, upos: &str) -> u64 {
    mix2(9, hash_str(xpos), hash_str(upos))
}

fn suffix_key(xpos: u64, suffix: &str) -> u64 {
    mix2(K_SUFFIX, xpos, hash_str(suffix))
}

fn is_proper(xpos: &str) -> bool {
    xpos.starts_with("NNP")
}

const LEMMA_MAGIC: [u8; 4] = *b"TKLM";
const LEMMA_VERSION: u32 = 2;

/// Minimum number of word types supporting a suffix rule.
const MIN_SUFFIX_SUPPORT: u32 = 2;

impl Lemmatizer {
    /// Learns the lookup tables and suffix rules from gold lemmas.
    /// Words whose lemma is `_` are ignored.
    pub fn train(train: &[Sentence]) -> Lemmatizer {
        let mut rule_ids: HashMap<Rule, u32> = HashMap::new();
        let mut rules: Vec<Rule> = Vec::new();
        let mut counts: HashMap<u64, HashMap<u32, u32>> = HashMap::new();
        let mut types: HashMap<(String, String), HashMap<u32, u32>> = HashMap::new();
        let mut lemmas = IdSet::default();
        for s in train {
            for w in &s.words {
                if w.lemma == "_" || w.form.is_empty() {
                    continue;
                }
                lemmas.insert(hash_str(&w.lemma.to_lowercase()));
                let rule = Rule::learn(&w.form, &w.lemma);
                let id = *rule_ids.entry(rule.clone()).or_insert_with(|| {
                    rules.push(rule);
                    (rules.len() - 1) as u32
                });
                let xk = hash_str(&w.xpos);
                let lower = w.form.to_lowercase();
                for key in [
                    mix2(K_FULL, hash_str(&w.form), tag_key(&w.xpos, &w.upos)),
                    mix2(K_XPOS, hash_str(&w.form), xk),
                    mix2(K_LOWER, hash_str(&lower), xk),
                ] {
                    *counts.entry(key).or_default().entry(id).or_default() += 1;
                }
                *types.entry((lower, w.xpos.clone())).or_default().entry(id).or_default() += 1;
            }
        }
        let best = |m: &HashMap<u32, u32>| {
            m.iter()
                .max_by_key(|(id, n)| (**n, std::cmp::Reverse(**id)))
                .map(|(id, n)| (*id, *n))
        };
        let mut exact = IdMap::default();
        for (k, m) in &counts {
            if let Some((id, _)) = best(m) {
                exact.insert(*k, id);
            }
        }
        // Suffix rules, counted over (lowercased form, xpos) types with their
        // majority rule, so that frequent words do not dominate.
        let mut suffix_counts: HashMap<u64, HashMap<u32, u32>> = HashMap::new();
        for ((lower, xpos), m) in &types {
            let Some((id, _)) = best(m) else { continue };
            let xk = hash_str(xpos);
            let chars: Vec<usize> = lower.char_indices().map(|(b, _)| b).collect();
            for k in 0..=MAX_SUFFIX.min(chars.len()) {
                let start = if k == 0 { lower.len() } else { chars[chars.len() - k] };
                *suffix_counts
                    .entry(suffix_key(xk, &lower[start..]))
                    .or_default()
                    .entry(id)
                    .or_default() += 1;
            }
        }
        let mut suffix = IdMap::default();
        for (k, m) in &suffix_counts {
            let total: u32 = m.values().sum();
            if let Some((id, _)) = best(m)
                && total >= MIN_SUFFIX_SUPPORT
            {
                suffix.insert(*k, id);
            }
        }
        Lemmatizer {
            rules,
            exact,
            suffix,
            lemmas,
        }
    }

    fn rule(&self, key: u64) -> Option<&Rule> {
        self.exact.get(&key).and_then(|&i| self.rules.get(i as usize))
    }

    /// Lemma of `form` tagged `xpos` / `upos`.
    pub fn lemmatize(&self, form: &str, xpos: &str, upos: &str) -> String {
        let xk = hash_str(xpos);
        let fh = hash_str(form);
        for key in [mix2(K_FULL, fh, tag_key(xpos, upos)), mix2(K_XPOS, fh, xk)] {
            if let Some(l) = self.rule(key).and_then(|r| r.apply(form)) {
                return l;
            }
        }
        let lower = form.to_lowercase();
        if let Some(l) = self
            .rule(mix2(K_LOWER, hash_str(&lower), xk))
            .and_then(|r| r.apply(form))
        {
            return l;
        }
        // Unseen word. Numbers with thousands separators lose them.
        if xpos == "CD"
            && form.contains(',')
            && form.chars().any(|c| c.is_ascii_digit())
            && form.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        {
            return form.replace(',', "");
        }
        let proper = is_proper(xpos);
        let keep_case = proper;
        // Suffix rules from the longest suffix down; the first whose result
        // is a known lemma wins, else the longest one that applies.
        let mut first: Option<String> = None;
        let chars: Vec<usize> = lower.char_indices().map(|(b, _)| b).collect();
        for k in (0..=MAX_SUFFIX.min(chars.len())).rev() {
            let start = if k == 0 { lower.len() } else { chars[chars.len() - k] };
            let Some(rule) = self
                .suffix
                .get(&suffix_key(xk, &lower[start..]))
                .and_then(|&i| self.rules.get(i as usize))
            else {
                continue;
            };
            let Some(l) = rule.apply_case(form, rule.lowercase && !keep_case) else {
                continue;
            };
            if self.lemmas.contains(&hash_str(&l.to_lowercase())) {
                return l;
            }
            first.get_or_insert(l);
        }
        first.unwrap_or_else(|| if keep_case { form.to_string() } else { lower })
    }

    /// Serializes the lemmatizer.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.write(&mut w);
        w.into_bytes()
    }

    /// Appends the lemmatizer to a writer.
    pub fn write(&self, w: &mut Writer) {
        w.header(LEMMA_MAGIC, LEMMA_VERSION);
        w.len(self.rules.len());
        for r in &self.rules {
            w.u8(u8::from(r.lowercase));
            w.u8(r.strip);
            w.str(&r.append);
        }
        for map in [&self.exact, &self.suffix] {
            let mut v: Vec<(u64, u32)> = map.iter().map(|(k, v)| (*k, *v)).collect();
            v.sort_unstable();
            w.len(v.len());
            for (k, id) in v {
                w.u64(k);
                w.u32(id);
            }
        }
        let mut v: Vec<u64> = self.lemmas.iter().copied().collect();
        v.sort_unstable();
        w.len(v.len());
        for k in v {
            w.u64(k);
        }
    }

    /// Reads a lemmatizer written by [`Lemmatizer::write`].
    pub fn read(r: &mut Reader<'_>) -> Result<Lemmatizer, BinError> {
        r.header(LEMMA_MAGIC, LEMMA_VERSION)?;
        let n = r.len(6)?;
        let mut rules = Vec::with_capacity(n);
        for _ in 0..n {
            let lowercase = match r.u8()? {
                0 => false,
                1 => true,
                b => return Err(BinError::Invalid(format!("bad rule flag {b}"))),
            };
            let strip = r.u8()?;
            let append = r.str()?.to_string();
            rules.push(Rule {
                lowercase,
                strip,
                append,
            });
        }
        let mut maps = [IdMap::default(), IdMap::default()];
        for map in &mut maps {
            let n = r.len(12)?;
            map.reserve(n);
            for _ in 0..n {
                let k = r.u64()?;
                let id = r.u32()?;
                if id as usize >= rules.len() {
                    return Err(BinError::Invalid("lemma rule index out of range".into()));
                }
                map.insert(k, id);
            }
        }
        let [exact, suffix] = maps;
        let n = r.len(8)?;
        let mut lemmas = IdSet::with_capacity_and_hasher(n, Default::default());
        for _ in 0..n {
            lemmas.insert(r.u64()?);
        }
        Ok(Lemmatizer {
            rules,
            exact,
            suffix,
            lemmas,
        })
    }

    /// Deserializes a lemmatizer written by [`Lemmatizer::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Lemmatizer, BinError> {
        let mut r = Reader::new(bytes);
        let l = Lemmatizer::read(&mut r)?;
        r.finish()?;
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::conllu;

    #[test]
    fn rules_learn_and_apply() {
        let r = Rule::learn("studies", "study");
        assert_eq!((r.strip, r.append.as_str()), (3, "y"));
        assert_eq!(r.apply("flies").as_deref(), Some("fly"));
        let r = Rule::learn("The", "the");
        assert!(r.lowercase);
        assert_eq!(r.apply("A").as_deref(), Some("a"));
        let r = Rule::learn("Paris", "Paris");
        assert_eq!(r.apply("London").as_deref(), Some("London"));
        let r = Rule::learn("went", "go");
        assert_eq!(r.apply("went").as_deref(), Some("go"));
        let r = Rule::learn("naïves", "naïve");
        assert_eq!(r.apply("cafés").as_deref(), Some("café"));
        assert_eq!(Rule::learn("abc", "").apply("ab"), None);
    }

    fn corpus() -> Vec<Sentence> {
        let mut text = String::new();
        let words = [
            ("stopped", "stop", "VBD", "VERB"),
            ("planned", "plan", "VBD", "VERB"),
            ("grabbed", "grab", "VBD", "VERB"),
            ("walked", "walk", "VBD", "VERB"),
            ("talked", "talk", "VBD", "VERB"),
            ("jumped", "jump", "VBD", "VERB"),
            ("went", "go", "VBD", "VERB"),
            ("studies", "study", "NNS", "NOUN"),
            ("flies", "fly", "NNS", "NOUN"),
            ("cities", "city", "NNS", "NOUN"),
            ("dogs", "dog", "NNS", "NOUN"),
            ("cats", "cat", "NNS", "NOUN"),
            ("cups", "cup", "NNS", "NOUN"),
            ("hats", "hat", "NNS", "NOUN"),
            ("running", "run", "VBG", "VERB"),
            ("sitting", "sit", "VBG", "VERB"),
            ("eating", "eat", "VBG", "VERB"),
            ("reading", "read", "VBG", "VERB"),
            ("Is", "be", "VBZ", "AUX"),
        ];
        for (i, (f, l, x, u)) in words.iter().enumerate() {
            text.push_str(&format!("{}\t{f}\t{l}\t{u}\t{x}\t_\t_\t_\t_\t_\n", i + 1));
        }
        text.push('\n');
        conllu::parse(&text).unwrap()
    }

    #[test]
    fn lookup_and_suffix_rules() {
        let l = Lemmatizer::train(&corpus());
        assert_eq!(l.lemmatize("went", "VBD", "VERB"), "go");
        assert_eq!(l.lemmatize("is", "VBZ", "AUX"), "be");
        assert_eq!(l.lemmatize("Studies", "NNS", "NOUN"), "study");
        // Unseen words through suffix rules.
        assert_eq!(l.lemmatize("berries", "NNS", "NOUN"), "berry");
        assert_eq!(l.lemmatize("maps", "NNS", "NOUN"), "map");
        assert_eq!(l.lemmatize("parked", "VBD", "VERB"), "park");
        assert_eq!(l.lemmatize("Paris", "NNP", "PROPN"), "Paris");
        assert_eq!(l.lemmatize("Hello", "UH", "INTJ"), "hello");
        assert_eq!(l.lemmatize("1,100", "CD", "NUM"), "1100");
        assert_eq!(l.lemmatize("NATO", "NNP", "PROPN"), "NATO");
        for odd in ["", "💥", "ÀÉÎS", "s", "ies"] {
            let _ = l.lemmatize(odd, "NNS", "NOUN");
            let _ = l.lemmatize(odd, "???", "");
        }
    }

    #[test]
    fn serialization_round_trip_and_corruption() {
        let l = Lemmatizer::train(&corpus());
        let b = l.to_bytes();
        assert_eq!(Lemmatizer::from_bytes(&b).unwrap(), l);
        for cut in 0..b.len() {
            assert!(Lemmatizer::from_bytes(&b[..cut]).is_err());
        }
        for i in 0..b.len() {
            let mut bad = b.clone();
            bad[i] ^= 0x33;
            let _ = Lemmatizer::from_bytes(&bad);
        }
    }
}

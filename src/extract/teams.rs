//! National teams: a country's name that stands for its sports team.
//!
//! Match reports name teams by their countries ("Sweden defeated South Korea
//! 1 – 0"); typed as countries, every match becomes a relation between two
//! states, and the team is linked to the country's Wikidata item. A score
//! between or right after two country names in one sentence ("Sweden 1 – 0
//! Korea Republic", "Tunisia lost 1 – 2 to England", "Belgium defeated Panama
//! 3 – 0") is evidence that, in this document, both names are teams: such
//! entities become organisations (GUM annotates national teams so) and lose
//! the country's Wikidata id. Without a score nothing changes: "Russia
//! defeated Ukraine" may be a war.

use super::{Entity, EntityType, Mention, MentionKind};
use crate::document::Document;

/// Most tokens between two country names of one match ("Belgium defeated
/// debutants Panama").
const MAX_GAP: usize = 8;

/// Retypes the country entities a score shows to be national teams (see the
/// module docs).
pub fn national_teams(doc: &Document, entities: &mut [Entity], mentions: &[Mention]) {
    let country = |m: &Mention| {
        m.kind == MentionKind::Name
            && entities
                .get(m.entity)
                .is_some_and(|e| e.entity_type == EntityType::Country)
    };
    let mut teams: Vec<usize> = Vec::new();
    let names: Vec<&Mention> = mentions.iter().filter(|m| country(m)).collect();
    for pair in names.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if a.sentence != b.sentence || a.entity == b.entity || b.tokens.start < a.tokens.end {
            continue;
        }
        if b.tokens.start - a.tokens.end > MAX_GAP {
            continue;
        }
        let sentence_end = doc.sentences.get(a.sentence).map_or(b.tokens.end, |s| s.tokens.end);
        let between = score_in(doc, a.tokens.end..b.tokens.start);
        let after = score_in(doc, b.tokens.end..(b.tokens.end + 3).min(sentence_end));
        if between || after {
            teams.extend([a.entity, b.entity]);
        }
    }
    for e in teams {
        if let Some(entity) = entities.get_mut(e) {
            entity.entity_type = EntityType::Organization;
            entity.wikidata = None;
        }
    }
}

/// Whether the tokens hold a score: a number, a dash and a number ("1 – 0"),
/// or one token "3-0" / "3–0".
fn score_in(doc: &Document, tokens: std::ops::Range<usize>) -> bool {
    let number = |t: &str| !t.is_empty() && t.len() <= 2 && t.chars().all(|c| c.is_ascii_digit());
    let dash = |t: &str| matches!(t, "-" | "–" | "—");
    let words: Vec<&str> = tokens
        .filter(|&k| k < doc.tokens.len())
        .map(|k| doc.token_text(k))
        .collect();
    words.windows(3).any(|w| number(w[0]) && dash(w[1]) && number(w[2]))
        || words
            .iter()
            .any(|w| w.split_once(['-', '–']).is_some_and(|(x, y)| number(x) && number(y)))
}

#[cfg(test)]
mod tests {
    use crate::extract::Extractor;

    fn types(text: &str) -> Vec<(String, &'static str)> {
        let doc = crate::ner::stage::analyze_for_extraction(text.to_string());
        let x = Extractor::default().extract(&doc, None);
        x.entities
            .iter()
            .map(|e| (e.label.clone(), e.entity_type.class_name()))
            .collect()
    }

    #[test]
    fn countries_with_a_score_are_teams() {
        let t = types("Norway defeated Portugal 2 – 1 on Sunday. Norway had more of the ball.");
        assert!(t.contains(&("Norway".to_string(), "Organization")), "{t:?}");
        assert!(t.contains(&("Portugal".to_string(), "Organization")), "{t:?}");
        let t = types("Group B: Chile 0-3 Japan");
        assert!(t.contains(&("Chile".to_string(), "Organization")), "{t:?}");
    }

    #[test]
    fn countries_without_a_score_stay_countries() {
        let t = types("Norway defeated Portugal in a long trade dispute.");
        assert!(t.contains(&("Norway".to_string(), "Country")), "{t:?}");
        assert!(t.contains(&("Portugal".to_string(), "Country")), "{t:?}");
    }
}

//! Family and friendship relations read from noun phrases (`kinship.tsv`):
//!
//! - possessive: "his younger brother Alfred", "Byron's mother, Catherine",
//!   "her sons Tom and Ben", "X had two brothers, Tom and Ben" → the named
//!   relative has the noun's property to the possessor (Alfred `siblingOf`
//!   him) (0.7);
//! - apposition and copula: "X, the son of Y", "X was a son of Y and a nephew
//!   of Z", "he was a contemporary and close friend of Y" → X has the noun's
//!   property to Y (0.75).
//!
//! Both people must be typed Person (the predicates' domain and range), so a
//! name of unknown type after a kinship noun gives nothing.

use super::{Arg, Ctx, EntityType, Mention, MentionKind, Relation};

/// Lowercase words allowed between a possessive and its kinship noun
/// ("his *younger* brother", "her *late* husband").
const MAX_MODIFIERS: usize = 2;
/// Lowercase words allowed between the determiner and the kinship noun of an
/// apposition ("a *contemporary and close* friend of").
const MAX_APPOSITION_MODIFIERS: usize = 4;
/// Verbs that link a person to a kinship noun phrase ("X was a son of Y").
const COPULAS: &[&str] = &["is", "was", "became", "remained", "'s"];

/// Adds the kinship relations of sentence `s`.
pub(super) fn kinship(ctx: &Ctx, s: usize, out: &mut Vec<Relation>) {
    let ms = people(ctx, s);
    let end = ctx.sentence_end(s);
    for m in &ms {
        possessive(ctx, s, &ms, m, end, out);
        apposition(ctx, s, &ms, m, end, out);
    }
}

/// Mentions of sentence `s` whose entity is a person, names and pronouns, in
/// text order.
fn people<'a>(ctx: &Ctx<'a>, s: usize) -> Vec<&'a Mention> {
    let lo = ctx.mentions.partition_point(|m| m.sentence < s);
    let hi = ctx.mentions.partition_point(|m| m.sentence <= s);
    ctx.mentions[lo..hi]
        .iter()
        .filter(|m| m.sentence == s && ctx.kind(m) == EntityType::Person)
        .collect()
}

/// The person name mention starting at token `i`, unless it is itself a
/// possessor ("his son James's wife", "a friend of Peter's brother").
fn relative_at<'a>(ctx: &Ctx, ms: &[&'a Mention], i: usize) -> Option<&'a Mention> {
    ms.iter()
        .copied()
        .find(|m| m.tokens.start == i && m.kind == MentionKind::Name)
        .filter(|m| !matches!(ctx.text(m.tokens.end), "'s" | "’s"))
}

/// "his brother Alfred", "Byron's mother, Catherine", "her sons Tom and Ben":
/// `owner` is a possessive pronoun or a name followed by "'s"; "X had two
/// brothers, Tom and Ben": `owner` is the subject of "has" or "had".
fn possessive(ctx: &Ctx, s: usize, ms: &[&Mention], owner: &Mention, end: usize, out: &mut Vec<Relation>) {
    let mut i = owner.tokens.end;
    let mut modifiers = MAX_MODIFIERS;
    match owner.kind {
        MentionKind::Pronoun if matches!(ctx.low(owner.tokens.start), "his" | "her") => {}
        MentionKind::Name if matches!(ctx.text(i), "'s" | "’s" | "'") => i += 1,
        _ if matches!(ctx.low(i), "has" | "had") && owner.tokens.len() <= 3 => {
            // "had a son", "had two brothers", "has an older sister".
            i += 1;
            modifiers += 1;
        }
        _ => return,
    }
    while i < end && modifiers > 0 && !ctx.lex.kinship.contains_key(ctx.low(i)) && ctx.is_lower_word(i) {
        i += 1;
        modifiers -= 1;
    }
    let Some(noun) = ctx.lex.kinship.get(ctx.low(i)).filter(|_| ctx.is_lower_word(i)) else {
        return;
    };
    let mut k = i + 1;
    if matches!(ctx.text(k), "," | ":") || matches!(ctx.low(k), "named" | "called") {
        k += 1;
    }
    // The relatives named right after the noun: one, or a list for a plural.
    while let Some(relative) = relative_at(ctx, ms, k) {
        ctx.push(
            out,
            s,
            (relative, Arg::Name, noun.property.as_str(), owner, Arg::Name),
            0.7,
        );
        if !noun.plural {
            return;
        }
        k = relative.tokens.end;
        while k < end && matches!(ctx.text(k), "," | "and") {
            k += 1;
        }
    }
}

/// "X, the son of Y", "X was a son of Y and a nephew of Z", "he was a close
/// friend of Y".
fn apposition(ctx: &Ctx, s: usize, ms: &[&Mention], person: &Mention, end: usize, out: &mut Vec<Relation>) {
    let mut i = person.tokens.end;
    if ctx.text(i) == "," || COPULAS.contains(&ctx.low(i)) {
        i += 1;
    } else {
        return;
    }
    let comma = ctx.text(person.tokens.end) == ",";
    loop {
        let determiner = matches!(ctx.low(i), "a" | "an" | "the");
        // "X, son of Y" needs no determiner; "X was son of Y" is rare.
        if !determiner && !comma {
            return;
        }
        if determiner {
            i += 1;
        }
        let mut modifiers = 0;
        while i < end
            && modifiers < MAX_APPOSITION_MODIFIERS
            && !ctx.lex.kinship.contains_key(ctx.low(i))
            && ctx.is_lower_word(i)
        {
            i += 1;
            modifiers += 1;
        }
        let Some(noun) = ctx
            .lex
            .kinship
            .get(ctx.low(i))
            .filter(|_| ctx.is_lower_word(i) && !noun_plural(ctx, i))
        else {
            return;
        };
        if ctx.low(i + 1) != "of" {
            return;
        }
        let mut k = i + 2;
        if ctx.low(k) == "the" {
            k += 1;
        }
        let Some(relative) = relative_at(ctx, ms, k) else {
            return;
        };
        ctx.push(
            out,
            s,
            (person, Arg::Name, noun.property.as_str(), relative, Arg::Name),
            0.75,
        );
        // "… and a nephew of Z": a coordinated kinship noun phrase.
        i = relative.tokens.end;
        if ctx.low(i) != "and" || i + 1 >= end {
            return;
        }
        i += 1;
        if !matches!(ctx.low(i), "a" | "an" | "the") {
            return;
        }
    }
}

/// Whether the kinship noun at token `i` is a plural ("one of the sons of").
fn noun_plural(ctx: &Ctx, i: usize) -> bool {
    ctx.lex.kinship.get(ctx.low(i)).is_some_and(|n| n.plural)
}

//! Exact-span precision / recall / F1 (conlleval semantics): a predicted
//! entity counts as correct only if its start, end and type all match a gold
//! entity.

use crate::ner::conll::{EntityLabel, Span};
use std::fmt;

/// Counts for one entity type (or overall).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Correct predicted entities.
    pub correct: usize,
    /// Gold entities.
    pub gold: usize,
    /// Predicted entities.
    pub predicted: usize,
}

impl Counts {
    /// Precision (0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 {
            0.0
        } else {
            self.correct as f64 / self.predicted as f64
        }
    }

    /// Recall (0 when there is no gold entity).
    pub fn recall(&self) -> f64 {
        if self.gold == 0 {
            0.0
        } else {
            self.correct as f64 / self.gold as f64
        }
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

/// Per-type and overall counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Counts per type, indexed by [`EntityLabel::index`].
    pub per_type: [Counts; 4],
    /// Counts over all types.
    pub overall: Counts,
}

impl Evaluation {
    /// Adds one sentence's gold and predicted entities.
    pub fn add(&mut self, gold: &[Span], predicted: &[Span]) {
        for g in gold {
            self.per_type[g.label.index()].gold += 1;
            self.overall.gold += 1;
        }
        for p in predicted {
            self.per_type[p.label.index()].predicted += 1;
            self.overall.predicted += 1;
            if gold.contains(p) {
                self.per_type[p.label.index()].correct += 1;
                self.overall.correct += 1;
            }
        }
    }

    /// Counts for one type.
    pub fn of(&self, label: EntityLabel) -> Counts {
        self.per_type[label.index()]
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let row = |f: &mut fmt::Formatter<'_>, name: &str, c: &Counts| {
            writeln!(
                f,
                "  {name:<8} P {:6.2}  R {:6.2}  F1 {:6.2}  (gold {}, pred {}, correct {})",
                100.0 * c.precision(),
                100.0 * c.recall(),
                100.0 * c.f1(),
                c.gold,
                c.predicted,
                c.correct
            )
        };
        for l in EntityLabel::ALL {
            let c = self.of(l);
            if c.gold > 0 || c.predicted > 0 {
                row(f, l.as_str(), &c)?;
            }
        }
        row(f, "overall", &self.overall)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_match_only() {
        let mut e = Evaluation::default();
        let gold = [Span::new(0, 2, EntityLabel::Per), Span::new(3, 4, EntityLabel::Loc)];
        // Wrong boundary, right span, wrong type.
        let pred = [
            Span::new(0, 1, EntityLabel::Per),
            Span::new(3, 4, EntityLabel::Loc),
            Span::new(5, 6, EntityLabel::Org),
        ];
        e.add(&gold, &pred);
        assert_eq!(
            e.overall,
            Counts {
                correct: 1,
                gold: 2,
                predicted: 3
            }
        );
        assert!((e.overall.precision() - 1.0 / 3.0).abs() < 1e-12);
        assert!((e.overall.recall() - 0.5).abs() < 1e-12);
        assert!((e.overall.f1() - 0.4).abs() < 1e-12);
        assert_eq!(e.of(EntityLabel::Loc).f1(), 1.0);
        assert_eq!(e.of(EntityLabel::Per).correct, 0);
        assert_eq!(e.of(EntityLabel::Misc).f1(), 0.0);
    }
}

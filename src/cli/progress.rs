//! Progress of long commands (ingest, resolve, export): one line on stderr,
//! redrawn in place at most ten times a second, and only when stderr is a
//! terminal, so pipes, logs, CI and tests see nothing of it.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use textkg::iri::Namespace;
use textkg::resolve::{self, ResolveOptions, ResolveSummary};
use textkg::store::KgStore;

/// Width of the bar, in characters, when the total is known.
const BAR: usize = 24;
/// Least time between two redraws.
const EVERY: Duration = Duration::from_millis(100);

/// A progress line.
pub(super) struct Progress {
    enabled: bool,
    started: Instant,
    last: Option<Instant>,
    width: usize,
}

impl Progress {
    /// A progress line, shown only when stderr is a terminal.
    pub(super) fn new() -> Self {
        Self::shown_if(std::io::stderr().is_terminal())
    }

    fn shown_if(enabled: bool) -> Self {
        Self {
            enabled,
            started: Instant::now(),
            last: None,
            width: 0,
        }
    }

    /// Redraws the line (throttled): `what`, `done` of `total` `unit`s.
    pub(super) fn update(&mut self, what: &str, done: u64, total: Option<u64>, unit: &str) {
        if !self.enabled || self.last.is_some_and(|t| t.elapsed() < EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        let line = line(what, done, total, unit, self.started.elapsed());
        // Pad over a longer previous line.
        let pad = self.width.saturating_sub(line.chars().count());
        self.width = line.chars().count();
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}{}", " ".repeat(pad));
        let _ = err.flush();
    }

    /// Ends the line (the last figures stay on screen).
    pub(super) fn finish(&mut self) {
        if self.enabled && self.last.is_some() {
            eprintln!();
        }
        self.last = None;
        self.width = 0;
    }
}

/// Cross-document resolution with a progress line (on a terminal).
pub(super) fn resolve(store: &KgStore, namespace: &Namespace, options: ResolveOptions) -> Result<ResolveSummary> {
    let mut bar = Progress::new();
    let summary = resolve::resolve_with_options(store, namespace, options, &mut |stage, done, total| {
        let total = (total > 0).then_some(total as u64);
        bar.update(&format!("resolve: {stage}"), done as u64, total, "documents");
    })
    .context("cross-document resolution failed");
    bar.finish();
    summary
}

/// `what: [=====>     ]  45% 450/1000 documents, 12 s, 37/s`; without a
/// total, the count, the time and the rate.
fn line(what: &str, done: u64, total: Option<u64>, unit: &str, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs >= 1.0 {
        format!(", {:.0}/s", done as f64 / secs)
    } else {
        String::new()
    };
    match total {
        Some(total) if total > 0 => {
            let done = done.min(total);
            let filled = (done as u128 * BAR as u128 / total as u128) as usize;
            let bar: String = (0..BAR)
                .map(|i| match i.cmp(&filled) {
                    std::cmp::Ordering::Less => '=',
                    std::cmp::Ordering::Equal => '>',
                    std::cmp::Ordering::Greater => ' ',
                })
                .collect();
            format!(
                "{what}: [{bar}] {:3}% {done}/{total} {unit}, {secs:.0} s{rate}",
                done as u128 * 100 / total as u128
            )
        }
        _ => format!("{what}: {done} {unit}, {secs:.0} s{rate}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_a_bar_with_a_total_and_a_rate_without() {
        let l = line("resolve", 45, Some(100), "documents", Duration::from_secs(9));
        assert_eq!(l, "resolve: [==========>             ]  45% 45/100 documents, 9 s, 5/s");
        let l = line("ingest", 1200, None, "documents", Duration::from_millis(500));
        assert_eq!(l, "ingest: 1200 documents, 0 s");
        // More done than the total (a total that was an estimate) stays a full bar.
        assert!(line("x", 7, Some(5), "u", Duration::ZERO).contains("[========================] 100% 5/5"));
    }

    #[test]
    fn nothing_is_drawn_when_stderr_is_not_a_terminal() {
        let mut p = Progress::shown_if(false);
        p.update("ingest", 1, None, "documents");
        assert!(p.last.is_none());
        p.finish();
        let mut p = Progress::shown_if(true);
        p.update("ingest", 1, None, "documents");
        assert!(p.last.is_some());
        p.finish();
        assert!(p.last.is_none());
    }
}

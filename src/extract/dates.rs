//! Rule-based temporal tagger: finds date expressions and normalises them
//! against an anchor date, keeping their granularity.
//!
//! Recognised: "August 15, 2025", "15 August 2025", "August 15" (year from the
//! anchor), "August 2025", "2025-08-15", "in 2025", weekdays ("on Saturday",
//! "next Monday", "last Friday"), "Saturday (August 16)" (the explicit date
//! wins), "today", "yesterday", "tomorrow", "last/next/this week|month|year".
//!
//! The anchor is the document's publication date; without one, the first
//! fully specified date in the text. Expressions that need an anchor and have
//! none are kept with `value: None`.

use crate::document::{Document, Span};

/// Granularity of a normalised date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Granularity {
    /// A calendar day (`YYYY-MM-DD`).
    Day,
    /// An ISO week (`YYYY-Www`).
    Week,
    /// A month (`YYYY-MM`).
    Month,
    /// A year (`YYYY`).
    Year,
}

impl Granularity {
    /// Lowercase name ("day").
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
        }
    }
}

/// A date expression found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeExpression {
    /// Covered text.
    pub span: Span,
    /// Token range.
    pub tokens: std::ops::Range<usize>,
    /// Sentence index.
    pub sentence: usize,
    /// Normalised value (`2025-08-16`, `2025-W33`, `2025-08`, `2025`), if resolvable.
    pub value: Option<String>,
    /// Granularity.
    pub granularity: Granularity,
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month 1–12.
    pub month: u32,
    /// Day 1–31.
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD` (a valid calendar date).
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.get(..10)?.split('-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let day = parts.next()?.parse().ok()?;
        Date::new(year, month, day)
    }

    /// A valid date or `None`.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(Date {
            year,
            month,
            day,
        })
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        let (y, m) = if self.month <= 2 {
            (i64::from(self.year) - 1, i64::from(self.month) + 9)
        } else {
            (i64::from(self.year), i64::from(self.month) - 3)
        };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let doy = (153 * m + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` since 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Day of week, 0 = Monday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        ((self.days() + 3).rem_euclid(7)) as u32
    }

    /// This date plus `n` days.
    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.days() + n)
    }

    /// ISO week (`YYYY-Www`).
    pub fn iso_week(self) -> String {
        let thursday = self.add_days(3 - i64::from(self.weekday()));
        let jan1 = Date {
            year: thursday.year,
            month: 1,
            day: 1,
        };
        let week = (thursday.days() - jan1.days()) / 7 + 1;
        format!("{}-W{week:02}", thursday.year)
    }

    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The month a word names ("Jan.", "February"), 1-based.
pub(crate) fn month(word: &str) -> Option<u32> {
    const ABBREVIATIONS: &[(&str, u32)] = &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("sept", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ];
    let w = word.trim_end_matches('.').to_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == w)
        .map(|i| i as u32 + 1)
        .or_else(|| ABBREVIATIONS.iter().find(|(a, _)| *a == w).map(|&(_, m)| m))
}

fn day_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']);
    let n: u32 = w.parse().ok()?;
    (1..=31).contains(&n).then_some(n)
}

fn year_number(word: &str) -> Option<i32> {
    (word.len() == 4)
        .then(|| word.parse::<i32>().ok())
        .flatten()
        .filter(|y| (1800..=2199).contains(y))
}

/// Finds and normalises date expressions. `anchor` is the publication date.
pub fn find_dates(doc: &Document, anchor: Option<Date>) -> Vec<TimeExpression> {
    let mut raw: Vec<(std::ops::Range<usize>, usize, Parsed)> = Vec::new();
    for (s, sentence) in doc.sentences.iter().enumerate() {
        let mut i = sentence.tokens.start;
        while i < sentence.tokens.end {
            match parse_at(doc, i, sentence.tokens.end) {
                Some((len, p)) => {
                    raw.push((i..i + len, s, p));
                    i += len;
                }
                None => i += 1,
            }
        }
    }
    let anchor = anchor.or_else(|| {
        raw.iter().find_map(|(_, _, p)| match p {
            Parsed::Absolute(d) => Some(*d),
            _ => None,
        })
    });
    raw.into_iter()
        .map(|(tokens, sentence, p)| {
            let span = Span::new(doc.tokens[tokens.start].start, doc.tokens[tokens.end - 1].end);
            let (value, granularity) = p.resolve(anchor);
            TimeExpression {
                span,
                tokens,
                sentence,
                value,
                granularity,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Copy)]
enum Parsed {
    Absolute(Date),
    MonthDay(u32, u32),
    MonthYear(i32, u32),
    Year(i32),
    /// Weekday with direction: -1 last, 0 nearest past-or-same (news default), 1 next.
    Weekday(u32, i32),
    /// Offset in days from the anchor.
    RelativeDay(i64),
    /// -1/0/1 week, month or year relative to the anchor.
    RelativeUnit(Granularity, i32),
}

impl Parsed {
    fn resolve(self, anchor: Option<Date>) -> (Option<String>, Granularity) {
        use Granularity::*;
        match self {
            Parsed::Absolute(d) => (Some(d.iso()), Day),
            Parsed::MonthYear(y, m) => (Some(format!("{y:04}-{m:02}")), Month),
            Parsed::Year(y) => (Some(format!("{y:04}")), Year),
            Parsed::MonthDay(m, d) => {
                let value = anchor.and_then(|a| {
                    // The year that puts the date closest to the anchor.
                    [a.year - 1, a.year, a.year + 1]
                        .into_iter()
                        .filter_map(|y| Date::new(y, m, d))
                        .min_by_key(|c| (c.days() - a.days()).abs())
                });
                (value.map(Date::iso), Day)
            }
            Parsed::Weekday(wd, dir) => {
                let value = anchor.map(|a| {
                    let delta = i64::from(wd) - i64::from(a.weekday());
                    let d = match dir {
                        1 => (delta + 7 - 1).rem_euclid(7) + 1,
                        -1 => -((-delta + 7 - 1).rem_euclid(7) + 1),
                        _ => -((-delta).rem_euclid(7)),
                    };
                    a.add_days(d)
                });
                (value.map(Date::iso), Day)
            }
            Parsed::RelativeDay(n) => (anchor.map(|a| a.add_days(n).iso()), Day),
            Parsed::RelativeUnit(unit, n) => {
                let value = anchor.map(|a| match unit {
                    Week => a.add_days(7 * i64::from(n)).iso_week(),
                    Month => {
                        let m0 = i64::from(a.year) * 12 + i64::from(a.month) - 1 + i64::from(n);
                        format!("{:04}-{:02}", m0.div_euclid(12), m0.rem_euclid(12) + 1)
                    }
                    Year => format!("{:04}", a.year + n),
                    Day => a.iso(),
                });
                (value, unit)
            }
        }
    }
}

/// `s` lowercased, borrowed when it already is (most tokens: no allocation).
fn lowercase(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.to_lowercase())
    }
}

/// Tries to read a date expression at token `i`; returns its length in tokens.
fn parse_at(doc: &Document, i: usize, end: usize) -> Option<(usize, Parsed)> {
    let t = |k: usize| if k < end { doc.token_text(k) } else { "" };
    let lower = |k: usize| lowercase(t(k));
    // ISO date token.
    if let Some(d) = Date::parse(t(i)).filter(|_| t(i).len() == 10) {
        return Some((1, Parsed::Absolute(d)));
    }
    // Weekday, possibly followed by "(Month D)" or ", Month D, YYYY".
    let here = lower(i);
    if let Some(wd) = WEEKDAYS.iter().position(|w| *w == here).map(|p| p as u32)
        && t(i).starts_with(char::is_uppercase)
    {
        let explicit = if t(i + 1) == "(" {
            parse_at(doc, i + 2, end)
                .filter(|(len, _)| t(i + 2 + len) == ")")
                .map(|(len, p)| (len + 3, p))
        } else if t(i + 1) == "," {
            parse_at(doc, i + 2, end).map(|(len, p)| (len + 2, p))
        } else {
            None
        };
        if let Some((len, p)) = explicit.filter(|(_, p)| matches!(p, Parsed::Absolute(_) | Parsed::MonthDay(..))) {
            return Some((len, p));
        }
        let dir = match i.checked_sub(1).map(lower).as_deref() {
            Some("next") => 1,
            Some("last") => -1,
            _ => 0,
        };
        return Some((1, Parsed::Weekday(wd, dir)));
    }
    // Month D(, YYYY) | Month YYYY
    if let Some(m) = month(t(i)).filter(|_| t(i).starts_with(char::is_uppercase)) {
        if let Some(d) = day_number(t(i + 1)) {
            let (comma, y) = if t(i + 2) == "," {
                (1, year_number(t(i + 3)))
            } else {
                (0, year_number(t(i + 2)))
            };
            if let Some(y) = y {
                return Date::new(y, m, d).map(|date| (3 + comma, Parsed::Absolute(date)));
            }
            return Some((2, Parsed::MonthDay(m, d)));
        }
        if let Some(y) = year_number(t(i + 1)) {
            return Some((2, Parsed::MonthYear(y, m)));
        }
        return None;
    }
    // D Month (YYYY)
    if let Some(d) = day_number(t(i)).filter(|_| t(i).chars().next().is_some_and(|c| c.is_ascii_digit()))
        && let Some(m) = month(t(i + 1)).filter(|_| t(i + 1).starts_with(char::is_uppercase))
    {
        if let Some(y) = year_number(t(i + 2)) {
            return Date::new(y, m, d).map(|date| (3, Parsed::Absolute(date)));
        }
        return Some((2, Parsed::MonthDay(m, d)));
    }
    // in/since/by/until YYYY
    if let Some(y) = year_number(t(i)) {
        let before = i.checked_sub(1).map(lower);
        if matches!(
            before.as_deref(),
            Some("in" | "since" | "by" | "until" | "of" | "from" | "during")
        ) {
            return Some((1, Parsed::Year(y)));
        }
    }
    match &*here {
        "today" => Some((1, Parsed::RelativeDay(0))),
        "yesterday" => Some((1, Parsed::RelativeDay(-1))),
        "tomorrow" => Some((1, Parsed::RelativeDay(1))),
        w @ ("last" | "next" | "this") => {
            let n = match w {
                "last" => -1,
                "next" => 1,
                _ => 0,
            };
            let unit = match &*lower(i + 1) {
                "week" => Granularity::Week,
                "month" => Granularity::Month,
                "year" => Granularity::Year,
                _ => return None,
            };
            Some((2, Parsed::RelativeUnit(unit, n)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(text: &str, anchor: Option<&str>) -> Vec<(String, Option<String>, Granularity)> {
        let doc = crate::nlp::segment(text.to_string());
        find_dates(&doc, anchor.and_then(Date::parse))
            .into_iter()
            .map(|t| (t.span.slice(text).to_string(), t.value, t.granularity))
            .collect()
    }

    #[test]
    fn calendar_arithmetic() {
        let d = Date::new(2025, 8, 16).unwrap();
        assert_eq!(d.weekday(), 5, "2025-08-16 is a Saturday");
        assert_eq!(Date::from_days(d.days()), d);
        assert_eq!(d.add_days(16).iso(), "2025-09-01");
        assert_eq!(d.iso_week(), "2025-W33");
        assert_eq!(Date::new(2024, 12, 30).unwrap().iso_week(), "2025-W01");
        assert!(Date::new(2025, 2, 29).is_none());
    }

    #[test]
    fn absolute_and_anchored_dates() {
        let got = dates(
            "Talks ended on Saturday (August 16) after the August 15, 2025 meeting. In 2023 a pact was signed.",
            Some("2025-08-17"),
        );
        assert_eq!(
            got,
            vec![
                (
                    "Saturday (August 16)".into(),
                    Some("2025-08-16".into()),
                    Granularity::Day
                ),
                ("August 15, 2025".into(), Some("2025-08-15".into()), Granularity::Day),
                ("2023".into(), Some("2023".into()), Granularity::Year),
            ]
        );
    }

    #[test]
    fn relative_dates_use_the_anchor() {
        let got = dates(
            "He left last week and returns next Monday; yesterday was calm.",
            Some("2025-08-16"),
        );
        assert_eq!(got[0], ("last week".into(), Some("2025-W32".into()), Granularity::Week));
        assert_eq!(got[1], ("Monday".into(), Some("2025-08-18".into()), Granularity::Day));
        assert_eq!(
            got[2],
            ("yesterday".into(), Some("2025-08-15".into()), Granularity::Day)
        );
    }

    #[test]
    fn without_anchor_the_first_full_date_anchors() {
        let got = dates("On March 3 the vote was held. It was announced on 1 March 2026.", None);
        assert_eq!(got[0].1.as_deref(), Some("2026-03-03"));
        let got = dates("See you on Friday.", None);
        assert_eq!(got[0].1, None);
    }
}

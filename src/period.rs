//! Reporting periods (project loading): `2026-Q3`, `2026-H1`, `2026`; their order, dates, and
//! the share of a fiscal year elapsed at their end.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A reporting period. Ordered by end date, then by length (a quarter before the half year that
/// ends on the same day), so that sorting periods gives the order a reader expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Quarter { year: i32, quarter: u8 },
    Half { year: i32, half: u8 },
    Year { year: i32 },
}

impl Period {
    pub fn year(self) -> i32 {
        match self {
            Period::Quarter { year, .. } | Period::Half { year, .. } | Period::Year { year } => year,
        }
    }

    /// First month (1-12) and number of months covered.
    fn months(self) -> (u32, u32) {
        match self {
            Period::Quarter { quarter, .. } => (u32::from(quarter - 1) * 3 + 1, 3),
            Period::Half { half, .. } => (u32::from(half - 1) * 6 + 1, 6),
            Period::Year { .. } => (1, 12),
        }
    }

    pub fn start(self) -> NaiveDate {
        let (m, _) = self.months();
        NaiveDate::from_ymd_opt(self.year(), m, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the period.
    pub fn end(self) -> NaiveDate {
        let (m, n) = self.months();
        let last = m + n - 1;
        let (y, next) = if last == 12 { (self.year() + 1, 1) } else { (self.year(), last + 1) };
        NaiveDate::from_ymd_opt(y, next, 1).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
    }

    /// The period of the same kind just before this one (`2026-Q1` → `2025-Q4`).
    pub fn previous(self) -> Period {
        match self {
            Period::Quarter { year, quarter: 1 } => Period::Quarter { year: year - 1, quarter: 4 },
            Period::Quarter { year, quarter } => Period::Quarter { year, quarter: quarter - 1 },
            Period::Half { year, half: 1 } => Period::Half { year: year - 1, half: 2 },
            Period::Half { year, half } => Period::Half { year, half: half - 1 },
            Period::Year { year } => Period::Year { year: year - 1 },
        }
    }

    /// Every period ends on the last day of a month, so its end date orders as the year and
    /// that month do: compared without making dates (sorted maps and sorts of a national build
    /// compare periods millions of times; making both end dates was most of each comparison).
    fn order_key(self) -> (i32, u32, u8) {
        let (m, n) = self.months();
        (self.year(), m + n - 1, self.len_rank())
    }

    fn len_rank(self) -> u8 {
        match self {
            Period::Quarter { .. } => 0,
            Period::Half { .. } => 1,
            Period::Year { .. } => 2,
        }
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.order_key().cmp(&other.order_key())
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
            Period::Half { year, half } => write!(f, "{year}-H{half}"),
            Period::Year { year } => write!(f, "{year}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a reporting period (write 2026-Q3, 2026-H1 or 2026)")]
pub struct PeriodError(pub String);

impl FromStr for Period {
    type Err = PeriodError;

    /// Accepts `2026-Q3`, `2026Q3`, `2026 Q3`, `Q3 2026`, `Q3-2026` (any case), `2026-H1`, `2026`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || PeriodError(s.to_string());
        let t: String = s.trim().to_ascii_uppercase().chars().filter(|c| !matches!(c, ' ' | '-' | '_' | '/')).collect();
        let (year_part, rest) = if t.len() >= 4 && t[..4].chars().all(|c| c.is_ascii_digit()) {
            (&t[..4], t[4..].to_string())
        } else if t.len() >= 6 && t[t.len() - 4..].chars().all(|c| c.is_ascii_digit()) {
            (&t[t.len() - 4..], t[..t.len() - 4].to_string())
        } else {
            return Err(err());
        };
        let year: i32 = year_part.parse().map_err(|_| err())?;
        if !(1990..=2200).contains(&year) {
            return Err(err());
        }
        let num = |p: &str| rest.strip_prefix(p).and_then(|n| n.parse::<u8>().ok());
        match rest.as_str() {
            "" => Ok(Period::Year { year }),
            r if r.starts_with('Q') => match num("Q") {
                Some(q @ 1..=4) => Ok(Period::Quarter { year, quarter: q }),
                _ => Err(err()),
            },
            r if r.starts_with('H') || r.starts_with('S') => match num("H").or_else(|| num("S")) {
                Some(h @ 1..=2) => Ok(Period::Half { year, half: h }),
                _ => Err(err()),
            },
            _ => Err(err()),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The share (0..=1) of the fiscal year that has elapsed at the end of `period`, counted in whole
/// months, for a fiscal year starting on the first day of `start_month` (1 = January).
///
/// A calendar-year Q3 gives 0.75. With an October start, `2026-Q3` (ending 30 September) is the
/// twelfth month of the fiscal year, so 1.0; `2026-Q4` is its third month, so 0.25.
pub fn fiscal_share_elapsed(period: Period, start_month: u32) -> f64 {
    let end = period.end();
    let months_in = (end.month() + 12 - start_month.clamp(1, 12)) % 12 + 1;
    f64::from(months_in) / 12.0
}

/// Parse a date as people write it in a cell: ISO `2026-10-12`, `12/10/2026` (day first, as in
/// Cambodia), `12.10.2026`, or `12 Oct 2026` / `October 12, 2026`.
pub fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    let t = t.split(['T', ' ']).next().filter(|p| p.len() == 10 && p.contains('-')).unwrap_or(t);
    for fmt in
        ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y"]
    {
        if let Ok(d) = NaiveDate::parse_from_str(t, fmt) {
            return Some(d);
        }
    }
    None
}

/// A spreadsheet date serial (1900 system, as Excel and LibreOffice write by default) as a date.
/// Serial 1 is 1900-01-01; Excel's fictitious 1900-02-29 (serial 60) is accounted for.
pub fn date_from_serial(serial: f64, is_1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let base = if is_1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)?
    } else if days < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    base.checked_add_signed(chrono::Duration::days(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        s.parse().expect("test period parses")
    }

    #[test]
    fn parses_the_forms_people_write() {
        assert_eq!(p("2026-Q3"), Period::Quarter { year: 2026, quarter: 3 });
        assert_eq!(p("2026q3"), Period::Quarter { year: 2026, quarter: 3 });
        assert_eq!(p("Q3 2026"), Period::Quarter { year: 2026, quarter: 3 });
        assert_eq!(p("2026-H1"), Period::Half { year: 2026, half: 1 });
        assert_eq!(p("2026"), Period::Year { year: 2026 });
        assert!("2026-Q5".parse::<Period>().is_err());
        assert!("2016Q5".parse::<Period>().is_err());
        assert!("Q3".parse::<Period>().is_err());
        assert!("".parse::<Period>().is_err());
        assert_eq!(p("2026-Q3").to_string(), "2026-Q3");
    }

    #[test]
    fn dates_and_order() {
        assert_eq!(p("2026-Q3").end(), NaiveDate::from_ymd_opt(2026, 9, 30).expect("date"));
        assert_eq!(p("2026-Q4").end(), NaiveDate::from_ymd_opt(2026, 12, 31).expect("date"));
        assert_eq!(p("2026-H1").end(), NaiveDate::from_ymd_opt(2026, 6, 30).expect("date"));
        assert_eq!(p("2026-Q1").previous(), p("2025-Q4"));
        let mut v = vec![p("2026"), p("2026-H1"), p("2026-Q2"), p("2025-Q4")];
        v.sort();
        assert_eq!(v, vec![p("2025-Q4"), p("2026-Q2"), p("2026-H1"), p("2026")]);
    }

    #[test]
    fn order_is_end_date_then_length() {
        // Every pair of periods of four years: the order is that of their end dates (made with
        // chrono), a shorter period first where two end on the same day.
        let all: Vec<Period> = (2024..2028)
            .flat_map(|year| {
                (1..=4)
                    .map(move |quarter| Period::Quarter { year, quarter })
                    .chain((1..=2).map(move |half| Period::Half { year, half }))
                    .chain([Period::Year { year }])
            })
            .collect();
        assert_eq!(all.len(), 28);
        for a in &all {
            for b in &all {
                let by_date = (a.end(), a.len_rank()).cmp(&(b.end(), b.len_rank()));
                assert_eq!(a.cmp(b), by_date, "{a} against {b}");
            }
        }
    }

    #[test]
    fn fiscal_share_hand_computed() {
        // Calendar fiscal year: Q1 ends month 3 → 3/12; Q2 6/12; Q3 9/12; Q4 12/12.
        assert_eq!(fiscal_share_elapsed(p("2026-Q1"), 1), 0.25);
        assert_eq!(fiscal_share_elapsed(p("2026-Q2"), 1), 0.5);
        assert_eq!(fiscal_share_elapsed(p("2026-Q3"), 1), 0.75);
        assert_eq!(fiscal_share_elapsed(p("2026-Q4"), 1), 1.0);
        assert_eq!(fiscal_share_elapsed(p("2026-H2"), 1), 1.0);
        assert_eq!(fiscal_share_elapsed(p("2026-H1"), 1), 0.5);
        assert_eq!(fiscal_share_elapsed(p("2026"), 1), 1.0);
        // October start: Oct=1 … Sep=12. Q3 ends in September → 12/12; Q4 ends December → 3/12.
        assert_eq!(fiscal_share_elapsed(p("2026-Q3"), 10), 1.0);
        assert_eq!(fiscal_share_elapsed(p("2026-Q4"), 10), 0.25);
        // July start: Jul=1 … Jun=12. H1 ends June → 12/12; Q1 ends March → 9/12.
        assert_eq!(fiscal_share_elapsed(p("2026-H1"), 7), 1.0);
        assert_eq!(fiscal_share_elapsed(p("2026-Q1"), 7), 0.75);
        // April start (3 months in by June): H1 → 3/12, the year (ends December) → 9/12.
        assert_eq!(fiscal_share_elapsed(p("2026-H1"), 4), 0.25);
        assert_eq!(fiscal_share_elapsed(p("2026"), 4), 0.75);
    }

    #[test]
    fn date_text_and_serials() {
        let d = NaiveDate::from_ymd_opt(2026, 10, 12).expect("date");
        assert_eq!(parse_date_text("2026-10-12"), Some(d));
        assert_eq!(parse_date_text("12/10/2026"), Some(d));
        assert_eq!(parse_date_text("2026-10-12T00:00:00"), Some(d));
        assert_eq!(parse_date_text("12 Oct 2026"), Some(d));
        assert_eq!(parse_date_text("soon"), None);
        // 2026-10-12 is 46307 days after 1899-12-30 (Excel serial).
        assert_eq!(date_from_serial(46307.0, false), Some(d));
        assert_eq!(date_from_serial(1.0, false), NaiveDate::from_ymd_opt(1900, 1, 1));
        assert_eq!(date_from_serial(f64::NAN, false), None);
        // 1904 system: serial 0 is 1904-01-01.
        assert_eq!(date_from_serial(0.0, true), NaiveDate::from_ymd_opt(1904, 1, 1));
    }
}

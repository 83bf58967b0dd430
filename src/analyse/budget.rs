//! Analyse: budget execution in the reporting currency: approved, released, spent; execution,
//! release and absorption rates; the execution expected for the share of the fiscal year
//! elapsed; by line, category, funding source and area.

use super::cascade::{Ratio, ratio_f};
use crate::validate::{BudgetRow, Category};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Exchange rates: units of each currency per one unit of the reporting currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rates {
    pub reporting: String,
    pub per_reporting_unit: BTreeMap<String, f64>,
}

impl Rates {
    /// An amount in `currency` in the reporting currency; `None` when no rate is configured.
    pub fn convert(&self, amount: f64, currency: &str) -> Option<f64> {
        if currency == self.reporting {
            return Some(amount);
        }
        self.per_reporting_unit.get(currency).filter(|r| **r > 0.0).map(|r| amount / r)
    }
}

/// Summed money of some lines, in the reporting currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Money {
    pub approved: f64,
    pub spent: f64,
    /// Released, over the lines that reported it, with their approved and spent amounts.
    pub released: f64,
    pub released_lines_approved: f64,
    pub released_lines_spent: f64,
    pub lines: usize,
    /// The currencies these figures were converted from, with the rate used (1 for the
    /// reporting currency): the source stated beside every figure. Sorted by currency; a short
    /// list, not a map: one per budget line and per area, a map's node each was 50 MB nationally.
    pub converted_from: Vec<(String, f64)>,
}

impl Money {
    /// One line's amounts, without noting its currency (a [`Line`] states its own).
    pub fn add_amounts(&mut self, approved: f64, released: Option<f64>, spent: f64) {
        self.approved += approved;
        self.spent += spent;
        if let Some(r) = released {
            self.released += r;
            self.released_lines_approved += approved;
            self.released_lines_spent += spent;
        }
        self.lines += 1;
    }

    fn note_currency(&mut self, currency: &str, rate: f64) {
        match self.converted_from.binary_search_by(|(c, _)| c.as_str().cmp(currency)) {
            Ok(i) => self.converted_from[i].1 = rate,
            Err(i) => self.converted_from.insert(i, (currency.to_string(), rate)),
        }
    }

    /// Add a line: its amounts, and its currency and rate to the list the sum came from.
    pub fn add_of_line(&mut self, l: &Line) {
        self.add(&l.execution.money);
        // Same currency, same rate: nothing to note (the common case, line after line).
        if !self.converted_from.iter().any(|(k, r)| **k == *l.currency && *r == l.rate) {
            self.note_currency(&l.currency, l.rate);
        }
    }

    pub fn add(&mut self, o: &Money) {
        self.approved += o.approved;
        self.spent += o.spent;
        self.released += o.released;
        self.released_lines_approved += o.released_lines_approved;
        self.released_lines_spent += o.released_lines_spent;
        self.lines += o.lines;
        for (c, rate) in &o.converted_from {
            // Same currency, same rate: nothing to copy (the common case, line after line).
            if !self.converted_from.iter().any(|(k, r)| k == c && r == rate) {
                self.note_currency(c, *rate);
            }
        }
    }
}

/// Money with its rates against the expected execution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Execution {
    pub money: Money,
    /// spent / approved.
    pub execution: Ratio,
    /// released / approved (lines that reported released).
    pub release_rate: Ratio,
    /// spent / released (lines that reported released).
    pub absorption: Ratio,
    /// The share of the fiscal year elapsed at the period's end.
    pub expected: f64,
    /// Expected minus actual execution, in percentage points (positive: behind).
    pub lag_points: Option<f64>,
}

impl Execution {
    pub fn new(money: Money, expected: f64) -> Execution {
        let execution = ratio_f(money.spent, money.approved);
        Execution {
            release_rate: ratio_f(money.released, money.released_lines_approved),
            absorption: ratio_f(money.released_lines_spent, money.released),
            lag_points: execution.map(|e| (expected - e) * 100.0),
            execution,
            expected,
            money,
        }
    }
}

/// A budget line in the reporting currency, for a commune or province page. Its money's
/// `converted_from` is empty: the line's own `currency` and `rate` say it (132,000 lines
/// nationally, a list each was 8 MB). Its words are shared with every line that has the same
/// (one allocation per distinct area, activity, source and currency, not four per line).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub area_code: Arc<str>,
    pub activity: Arc<str>,
    pub category: Category,
    pub funding_source: Arc<str>,
    pub currency: Arc<str>,
    pub rate: f64,
    pub execution: Execution,
}

/// An area's budget: all its lines together, by category and by funding source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Budget {
    pub total: Execution,
    pub by_category: super::SmallMap<Category, Execution>,
    pub by_funding: super::SmallMap<String, Execution>,
}

/// Convert lines; a line whose currency has no rate comes back in the second list.
pub fn convert_lines<'a>(rows: &[&'a BudgetRow], rates: &Rates, expected: f64) -> (Vec<Line>, Vec<&'a BudgetRow>) {
    let mut lines = Vec::with_capacity(rows.len());
    let mut unconverted = Vec::new();
    let mut words: HashMap<&'a str, Arc<str>> = HashMap::new();
    let mut word = |w: &'a str| words.entry(w).or_insert_with(|| Arc::from(w)).clone();
    for r in rows {
        let Some(rate) = rates.convert(1.0, &r.currency).map(|one| 1.0 / one) else {
            unconverted.push(*r);
            continue;
        };
        let c = |v: f64| v / rate;
        let mut m = Money::default();
        m.add_amounts(c(r.approved), r.released.map(c), c(r.spent));
        lines.push(Line {
            area_code: word(&r.area_code),
            activity: word(&r.activity),
            category: r.category,
            funding_source: word(&r.funding_source),
            currency: word(&r.currency),
            rate,
            execution: Execution::new(m, expected),
        });
    }
    (lines, unconverted)
}

/// Sum lines into an area's budget.
pub fn budget_of(lines: &[&Line], expected: f64) -> Option<Budget> {
    if lines.is_empty() {
        return None;
    }
    let mut total = Money::default();
    let mut by_category: BTreeMap<Category, Money> = BTreeMap::new();
    let mut by_funding: BTreeMap<String, Money> = BTreeMap::new();
    for l in lines {
        total.add_of_line(l);
        by_category.entry(l.category).or_default().add_of_line(l);
        match by_funding.get_mut(&*l.funding_source) {
            Some(m) => m.add_of_line(l),
            None => {
                let mut m = Money::default();
                m.add_of_line(l);
                by_funding.insert(l.funding_source.to_string(), m);
            }
        }
    }
    Some(Budget {
        total: Execution::new(total, expected),
        by_category: by_category.into_iter().map(|(k, m)| (k, Execution::new(m, expected))).collect(),
        by_funding: by_funding.into_iter().map(|(k, m)| (k, Execution::new(m, expected))).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;

    fn row(currency: &str, approved: f64, released: Option<f64>, spent: f64, category: Category) -> BudgetRow {
        BudgetRow {
            period: None,
            province: "02".into(),
            area_code: "02".into(),
            activity: "a".into(),
            category,
            funding_source: "RGC".into(),
            currency: currency.into(),
            approved,
            released,
            spent,
            location: Location::default(),
        }
    }

    fn rates() -> Rates {
        Rates { reporting: "USD".into(), per_reporting_unit: BTreeMap::from([("KHR".to_string(), 4000.0)]) }
    }

    #[test]
    fn conversion_hand_computed() {
        // 4,100,000 KHR at 4,000 KHR per USD is 1,025 USD; USD stays; EUR has no rate.
        assert_eq!(rates().convert(4_100_000.0, "KHR"), Some(1025.0));
        assert_eq!(rates().convert(10.0, "USD"), Some(10.0));
        assert_eq!(rates().convert(10.0, "EUR"), None);
    }

    #[test]
    fn execution_release_absorption_hand_computed() {
        // Line 1: 1,000 USD approved, 600 released, 450 spent.
        // Line 2: 8,000,000 KHR = 2,000 USD approved, no released, 4,000,000 KHR = 1,000 USD spent.
        let rows = [
            row("USD", 1000.0, Some(600.0), 450.0, Category::Treatment),
            row("KHR", 8e6, None, 4e6, Category::Testing),
        ];
        let refs: Vec<&BudgetRow> = rows.iter().collect();
        let (lines, bad) = convert_lines(&refs, &rates(), 0.75);
        assert!(bad.is_empty());
        let b = budget_of(&lines.iter().collect::<Vec<_>>(), 0.75).expect("budget");
        // Execution (450 + 1000) / (1000 + 2000) = 1450 / 3000 = 0.4833; expected 75 % → 26.67 points behind.
        assert_eq!(b.total.money.approved, 3000.0);
        assert_eq!(b.total.execution, Some(1450.0 / 3000.0));
        assert!((b.total.lag_points.expect("lag") - (75.0 - 48.333_333_333)).abs() < 1e-6);
        // Release and absorption only over the line that reported released: 600/1000, 450/600.
        assert_eq!(b.total.release_rate, Some(0.6));
        assert_eq!(b.total.absorption, Some(0.75));
        assert_eq!(b.by_category[&Category::Testing].execution, Some(0.5));
        assert_eq!(b.total.money.converted_from, vec![("KHR".to_string(), 4000.0), ("USD".to_string(), 1.0)]);
    }

    #[test]
    fn nothing_approved_is_not_applicable() {
        let rows = [row("USD", 0.0, Some(0.0), 0.0, Category::Other)];
        let (lines, _) = convert_lines(&rows.iter().collect::<Vec<_>>(), &rates(), 0.5);
        let b = budget_of(&lines.iter().collect::<Vec<_>>(), 0.5).expect("budget");
        assert_eq!(
            (b.total.execution, b.total.release_rate, b.total.absorption, b.total.lag_points),
            (None, None, None, None)
        );
        assert!(budget_of(&[], 0.5).is_none());
    }
}

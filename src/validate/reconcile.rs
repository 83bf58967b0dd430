//! Validate: rules across rows and files: duplicate rows, sex/age rows against their area's
//! total row, jumps against the previous period, completeness and timeliness.

use super::{CascadeRow, Dataset};
use crate::finding::{Finding, Location, Rule};
use crate::ingest::aliases::{self, Field, TableKind};
use crate::period::Period;
use crate::project::Config;
use crate::validate::{AgeGroup, Category, Sex};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// duplicate-row: the same area and disaggregation twice in a period (cascade), or the very
/// same budget line twice. The later row is dropped.
pub(super) fn duplicates(ds: &mut Dataset) {
    // Keys borrow the rows and are hashed: a formatted string per line in a sorted map was half
    // of the validate stage on a national project (130,000 budget lines).
    let mut first: HashMap<CascadeKey<'_>, usize> = HashMap::with_capacity(ds.cascade.len());
    let mut dropped = vec![false; ds.cascade.len()];
    for (i, row) in ds.cascade.iter().enumerate() {
        match first.entry((row.period, row.area_code.as_str(), row.sex, row.age_group)) {
            Entry::Occupied(e) => {
                ds.findings.push(duplicate_cascade(row, &ds.cascade[*e.get()].location));
                dropped[i] = true;
            }
            Entry::Vacant(e) => {
                e.insert(i);
            }
        }
    }
    let mut keep = dropped.into_iter().map(|d| !d);
    ds.cascade.retain(|_| keep.next().unwrap_or(true));

    // Two lines can only be the same line within a period: the periods are checked in
    // parallel (a quarter's 33,000 lines each, nationally), and the duplicates are reported
    // in row order, as one pass over all the lines would.
    // A file's lines sit together: grouped a run of one period at a time, not line by line.
    let mut by_period: BTreeMap<Option<Period>, Vec<usize>> = BTreeMap::new();
    let mut start = 0;
    for run in ds.budget.chunk_by(|a, b| a.period == b.period) {
        by_period.entry(run[0].period).or_default().extend(start..start + run.len());
        start += run.len();
    }
    let budget = &ds.budget;
    use rayon::prelude::*;
    let mut pairs: Vec<(usize, usize)> = by_period
        .into_values()
        .collect::<Vec<_>>()
        .into_par_iter()
        .flat_map_iter(|lines| {
            // Activities are few and repeated: normalise each spelling once.
            let mut activities: HashMap<&str, String> = HashMap::new();
            for &i in &lines {
                let activity = budget[i].activity.as_str();
                activities.entry(activity).or_insert_with(|| aliases::normalise(activity));
            }
            let mut first: HashMap<BudgetKey<'_>, usize> = HashMap::with_capacity(lines.len());
            let mut pairs = Vec::new();
            for &i in &lines {
                let row = &budget[i];
                let key = BudgetKey {
                    period: row.period,
                    area_code: &row.area_code,
                    activity: &activities[row.activity.as_str()],
                    category: row.category,
                    funding_source: &row.funding_source,
                    currency: &row.currency,
                    amounts: [row.approved.to_bits(), row.released.map_or(u64::MAX, f64::to_bits), row.spent.to_bits()],
                    released: row.released.is_some(),
                };
                match first.entry(key) {
                    Entry::Occupied(e) => pairs.push((i, *e.get())),
                    Entry::Vacant(e) => {
                        e.insert(i);
                    }
                }
            }
            pairs
        })
        .collect();
    pairs.sort_unstable();
    let mut dropped = vec![false; ds.budget.len()];
    for (i, first) in pairs {
        let (row, first) = (&ds.budget[i], &ds.budget[first].location);
        ds.findings.push(
            Finding::error(Rule::DuplicateRow, "row.duplicate-budget", row.location.clone())
                .arg("code", &row.area_code)
                .arg("activity", &row.activity)
                .arg("category", row.category.as_str())
                .arg("funding", &row.funding_source)
                .arg("first", first_place(first, &row.location, "of"))
                .arg_km("first", first_place(first, &row.location, "នៃ")),
        );
        dropped[i] = true;
    }
    let mut keep = dropped.into_iter().map(|d| !d);
    ds.budget.retain(|_| keep.next().unwrap_or(true));
}

/// A cascade row's place: period, area and disaggregation.
type CascadeKey<'a> = (Option<Period>, &'a str, Option<Sex>, Option<AgeGroup>);

/// What makes two budget lines the very same line: every value, the activity as normalised,
/// the amounts bit for bit.
#[derive(PartialEq, Eq, Hash)]
struct BudgetKey<'a> {
    period: Option<Period>,
    area_code: &'a str,
    activity: &'a str,
    category: Category,
    funding_source: &'a str,
    currency: &'a str,
    amounts: [u64; 3],
    released: bool,
}

fn duplicate_cascade(row: &CascadeRow, first: &Location) -> Finding {
    let disagg = match (row.sex, row.age_group) {
        (None, None) => String::new(),
        (s, a) => format!(
            " ({})",
            [s.map(|s| s.as_str()), a.map(|a| a.as_str())].into_iter().flatten().collect::<Vec<_>>().join(", ")
        ),
    };
    Finding::error(Rule::DuplicateRow, "row.duplicate", row.location.clone())
        .arg("code", &row.area_code)
        .arg("disagg", disagg)
        .arg("first", first_place(first, &row.location, "of"))
        .arg_km("first", first_place(first, &row.location, "នៃ"))
}

/// `14`, or `14 of other.xlsx` when the first row is in another file or sheet (`of` is the word
/// of the message's language).
fn first_place(first: &Location, here: &Location, of: &str) -> String {
    let row = first.row.map_or(0, |r| r + 1);
    if first.file == here.file && first.sheet == here.sheet {
        row.to_string()
    } else {
        format!("{row} {of} {}{}", first.file, first.sheet.as_ref().map(|s| format!(" › {s}")).unwrap_or_default())
    }
}

/// totals-mismatch between an area's total row and its sex × age rows, where both were given.
pub(super) fn disaggregation(ds: &Dataset) -> Vec<Finding> {
    let mut groups: BTreeMap<(Option<Period>, String), Vec<&CascadeRow>> = BTreeMap::new();
    for r in &ds.cascade {
        groups.entry((r.period, r.area_code.clone())).or_default().push(r);
    }
    let mut found = Vec::new();
    for rows in groups.values() {
        let Some(total) = rows.iter().find(|r| r.is_total()) else { continue };
        let full: Vec<&&CascadeRow> = rows.iter().filter(|r| r.sex.is_some() && r.age_group.is_some()).collect();
        let parts: Vec<&&CascadeRow> =
            if full.is_empty() { rows.iter().filter(|r| !r.is_total()).collect() } else { full };
        if parts.is_empty() {
            continue;
        }
        for (i, (field, stated)) in total.counts().into_iter().enumerate() {
            let Some(stated) = stated else { continue };
            let sum: Option<u64> = parts.iter().map(|p| p.counts()[i].1).sum();
            if let Some(sum) = sum.filter(|s| *s != stated) {
                found.push(
                    Finding::warning(Rule::TotalsMismatch, "totals.disagg-mismatch", total.location.clone())
                        .arg("code", &total.area_code)
                        .arg("column", aliases::labels(field).id)
                        .arg("stated", stated)
                        .arg("sum", sum),
                );
            }
        }
    }
    found
}

/// A row under a province's own code holds people not attributable to a commune, and is added
/// to the province. One as large as half its communes together is most likely the province's
/// total typed as a row: it would be counted twice. Say so, with each figure against the sum.
pub(super) fn province_rows(ds: &Dataset) -> Vec<Finding> {
    let mut found = Vec::new();
    for p in ds.cascade.iter().filter(|r| r.area_code.len() == 2 && r.is_total()) {
        let communes: Vec<&CascadeRow> = ds
            .cascade
            .iter()
            .filter(|r| r.period == p.period && r.area_code.len() == 6 && r.area_code.starts_with(&p.area_code))
            .collect();
        let sum_plhiv: u64 = communes
            .iter()
            .filter(|r| r.is_total() || (r.sex.is_some() && r.age_group.is_some()))
            .map(|r| r.plhiv)
            .sum();
        if communes.is_empty() || 2 * p.plhiv < sum_plhiv {
            continue;
        }
        found.push(
            Finding::warning(Rule::TotalsMismatch, "totals.province-row", p.location.clone())
                .arg("code", &p.area_code)
                .arg("stated", p.plhiv)
                .arg("sum", sum_plhiv)
                .value(p.plhiv.to_string()),
        );
    }
    found
}

/// An area's five cascade counts in one period, and the row they come from.
type AreaTotals = BTreeMap<(String, Period), ([Option<u64>; 5], Location)>;

/// An area's figure for a period: its total row, or the sum of its sex and age rows.
fn area_totals(ds: &Dataset) -> AreaTotals {
    let mut out = AreaTotals::new();
    let mut has_total = BTreeSet::new();
    for r in ds.cascade.iter().filter(|r| r.is_total()) {
        let Some(p) = r.period else { continue };
        has_total.insert((r.area_code.clone(), p));
        out.insert((r.area_code.clone(), p), (r.counts().map(|(_, v)| v), r.location.clone()));
    }
    for r in ds.cascade.iter().filter(|r| r.sex.is_some() && r.age_group.is_some()) {
        let Some(p) = r.period else { continue };
        let key = (r.area_code.clone(), p);
        if has_total.contains(&key) {
            continue;
        }
        let entry = out.entry(key).or_insert(([Some(0); 5], r.location.clone()));
        for (slot, (_, v)) in entry.0.iter_mut().zip(r.counts()) {
            *slot = match (*slot, v) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            };
        }
    }
    out
}

/// jump: a figure that moved by more than the configured share against the area's previous
/// period of the same length.
pub(super) fn jumps(ds: &Dataset, config: &Config) -> Vec<Finding> {
    let totals = area_totals(ds);
    let t = &config.thresholds;
    let mut found = Vec::new();
    for ((code, period), (values, loc)) in &totals {
        let previous = totals
            .range((code.clone(), Period::Year { year: 1000 })..(code.clone(), *period))
            .rev()
            .find(|((_, p), _)| same_kind(*p, *period));
        let Some(((_, prev_period), (prev_values, _))) = previous else { continue };
        for (i, field) in
            [Field::Plhiv, Field::Diagnosed, Field::OnArt, Field::VlTested, Field::VlSuppressed].into_iter().enumerate()
        {
            let (Some(cur), Some(prev)) = (values[i], prev_values[i]) else { continue };
            let (cur, prev) = (cur as f64, prev as f64);
            if cur.max(prev) < t.jump_min_count {
                continue;
            }
            let change = if prev == 0.0 { f64::INFINITY } else { (cur - prev) / prev * 100.0 };
            if change.abs() > t.jump_percent {
                let (change_text, change_km) = if change.is_finite() {
                    (format!("{change:+.0} %"), format!("{change:+.0} %"))
                } else {
                    ("from zero".to_string(), "ពីសូន្យ".to_string())
                };
                found.push(
                    Finding::warning(Rule::Jump, "jump.value", loc.clone())
                        .arg("column", aliases::labels(field).id)
                        .arg("code", code)
                        .arg("previous", prev)
                        .arg("previous_period", prev_period)
                        .arg("current", cur)
                        .arg("change", change_text)
                        .arg_km("change", change_km)
                        .arg("limit", format!("±{} %", t.jump_percent))
                        .value(cur.to_string()),
                );
            }
        }
    }
    found
}

fn same_kind(a: Period, b: Period) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
}

/// missing-submission: an expected province with no cascade or no budget file for a period.
pub(super) fn completeness(ds: &Dataset, config: &Config) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut periods: BTreeSet<Period> = config.periods.keys().filter_map(|k| k.parse().ok()).collect();
    periods.extend(ds.files.iter().filter_map(|f| f.period));
    let have: BTreeSet<(Period, String, TableKind)> = ds
        .files
        .iter()
        .filter_map(|f| Some((f.period?, f.province.clone()?, f)))
        .flat_map(|(p, prov, f)| f.tables.iter().map(move |t| (p, prov.clone(), t.kind)))
        .collect();
    for period in periods {
        for province in config.expected_provinces(period) {
            for kind in [TableKind::Cascade, TableKind::Budget] {
                if !have.contains(&(period, province.clone(), kind)) {
                    found.push(
                        Finding::warning(
                            Rule::MissingSubmission,
                            "submission.missing",
                            Location::file(format!("submissions/{period}/{province}/")),
                        )
                        .arg("province", &province)
                        .arg("kind", kind.as_str())
                        .arg_km("kind", kind.km())
                        .arg("period", period),
                    );
                }
            }
        }
    }
    found
}

/// late-submission: a file whose stated submission date is after its period's deadline.
pub(super) fn timeliness(ds: &Dataset, config: &Config) -> Vec<Finding> {
    let mut found = Vec::new();
    for f in &ds.files {
        let Some(period) = f.period else { continue };
        let Some(deadline) = config.period(period).and_then(|p| p.deadline) else { continue };
        if f.tables.is_empty() {
            continue;
        }
        match (&f.submitted, &f.submitted_cell) {
            (Some(date), Some(loc)) if *date > deadline => found.push(
                Finding::warning(Rule::LateSubmission, "submission.late", loc.clone())
                    .arg("submitted", date)
                    .arg("deadline", deadline)
                    .arg("period", period)
                    .value(date.to_string()),
            ),
            (None, _) => {
                found.push(Finding::warning(Rule::LateSubmission, "submission.no-date", Location::file(&f.path)))
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::BudgetRow;

    fn line(period: &str, file: &str, row: u32, activity: &str, spent: f64) -> BudgetRow {
        BudgetRow {
            period: Some(period.parse().expect("period")),
            province: "12".into(),
            area_code: "120101".into(),
            activity: activity.into(),
            category: Category::Testing,
            funding_source: "Global Fund".into(),
            currency: "USD".into(),
            approved: 1000.0,
            released: None,
            spent,
            location: Location { file: file.into(), sheet: Some("Budget".into()), row: Some(row), col: None },
        }
    }

    #[test]
    fn the_very_same_budget_line_twice_is_reported_in_row_order_and_dropped() {
        let mut ds = Dataset {
            budget: vec![
                line("2026-Q2", "a.xlsx", 1, "HIV testing", 400.0),
                line("2026-Q2", "a.xlsx", 2, "Outreach", 250.0),
                line("2026-Q3", "c.xlsx", 1, "HIV testing", 400.0),
                // Q3's first line again, in another file: the first duplicate in row order,
                // though its period is checked apart from Q2's.
                line("2026-Q3", "d.xlsx", 4, "HIV testing", 400.0),
                // Q2's outreach again, from another file.
                line("2026-Q2", "b.xlsx", 1, "Outreach", 250.0),
                // Q2's testing again in its own file, spelt otherwise: the same once normalised.
                line("2026-Q2", "a.xlsx", 3, "  hiv  TESTING (community) ", 400.0),
                // Not the same: another amount spent.
                line("2026-Q3", "c.xlsx", 2, "HIV testing", 401.0),
            ],
            ..Default::default()
        };
        duplicates(&mut ds);
        let found: Vec<(String, Option<u32>, String)> = ds
            .findings
            .iter()
            .map(|f| {
                assert_eq!(f.rule, Rule::DuplicateRow);
                let first = f.args.iter().find(|(k, _)| *k == "first").map(|(_, v)| v.clone()).unwrap_or_default();
                (f.location.file.clone(), f.location.row, first)
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("d.xlsx".into(), Some(4), "2 of c.xlsx › Budget".into()),
                ("b.xlsx".into(), Some(1), "3 of a.xlsx › Budget".into()),
                ("a.xlsx".into(), Some(3), "2".into()),
            ]
        );
        let kept: Vec<(&str, u32)> =
            ds.budget.iter().map(|r| (r.location.file.as_str(), r.location.row.unwrap_or(0))).collect();
        assert_eq!(kept, vec![("a.xlsx", 1), ("a.xlsx", 2), ("c.xlsx", 1), ("c.xlsx", 2)]);
    }
}

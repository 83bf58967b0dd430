//! Analyse stage: [`Dataset`] + settings → [`Report`]. Pure functions: no file system, no
//! templates, no printing. Every figure a page or brief shows is a field of `Report`.
//!
//! Counts are aggregated commune → district → province → initiative by summing counts; rates
//! are computed from the sums, never averaged.

pub mod bottleneck;
pub mod budget;
pub mod cascade;
pub mod changes;
pub mod smallmap;

use crate::finding::{Finding, Rule};
use crate::geography::{Geography, Level};
use crate::period::{Period, fiscal_share_elapsed};
use crate::project::{Config, Stages};
use crate::validate::{AgeGroup, CascadeRow, Dataset, Sex};
use bottleneck::{Bottleneck, Concentration};
use budget::{Budget, Line, Rates};
use cascade::{Cascade, Counts, TargetBp};
use serde::Serialize;
pub use smallmap::SmallMap;
use std::collections::BTreeMap;

/// The code of the initiative as a whole in the report's maps.
pub const INITIATIVE: &str = "FTCI";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AreaLevel {
    Initiative,
    Province,
    District,
    Commune,
}

/// Every figure of one area in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaReport {
    pub code: String,
    pub level: AreaLevel,
    pub parent: Option<String>,
    pub name_en: String,
    pub name_km: String,
    pub cascade: Option<Cascade>,
    pub by_sex: SmallMap<Sex, Cascade>,
    pub by_age: SmallMap<AgeGroup, Cascade>,
    pub budget: Option<Budget>,
    /// The area's own budget lines (for a province: its provincial lines, not its communes').
    pub lines: Vec<Line>,
    pub bottlenecks: Vec<Bottleneck>,
    /// Provinces: how the largest gap is spread over communes.
    pub concentration: Option<Concentration>,
    /// Rank among its peers (provinces among provinces, communes within their province) by the
    /// share of PLHIV still needing treatment, 1 = largest share.
    pub rank: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodReport {
    pub period: Period,
    /// The share of the fiscal year elapsed at the period's end: the expected execution.
    pub expected_execution: f64,
    pub initiative: AreaReport,
    pub provinces: BTreeMap<String, AreaReport>,
    pub districts: BTreeMap<String, AreaReport>,
    pub communes: BTreeMap<String, AreaReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub title: String,
    pub rates: Rates,
    pub periods: Vec<Period>,
    pub by_period: BTreeMap<Period, PeriodReport>,
    /// The latest period against the one before it.
    pub changes: Option<changes::Changes>,
    /// Findings the analysis adds (a currency without a rate).
    #[serde(skip)]
    pub findings: Vec<Finding>,
    /// What small-cell suppression hid (`None` for the internal audience: nothing is hidden).
    pub disclosure: Option<crate::disclose::Disclosure>,
}

impl PeriodReport {
    /// Every area of the period: the initiative, then provinces, districts and communes.
    pub fn areas_mut(&mut self) -> impl Iterator<Item = &mut AreaReport> {
        std::iter::once(&mut self.initiative)
            .chain(self.provinces.values_mut())
            .chain(self.districts.values_mut())
            .chain(self.communes.values_mut())
    }

    /// A period with nothing in it yet: the page frame of a project waiting for submissions.
    pub fn empty(period: Period, title: &str) -> PeriodReport {
        PeriodReport {
            period,
            expected_execution: 0.0,
            initiative: AreaReport {
                code: INITIATIVE.to_string(),
                level: AreaLevel::Initiative,
                parent: None,
                name_en: title.to_string(),
                name_km: String::new(),
                cascade: None,
                by_sex: SmallMap::new(),
                by_age: SmallMap::new(),
                budget: None,
                lines: Vec::new(),
                bottlenecks: Vec::new(),
                concentration: None,
                rank: None,
            },
            provinces: BTreeMap::new(),
            districts: BTreeMap::new(),
            communes: BTreeMap::new(),
        }
    }
}

impl Report {
    pub fn latest(&self) -> Option<&PeriodReport> {
        self.by_period.values().next_back()
    }
}

/// The targets for an area's province in a period's year: a province's override, else the
/// trajectory's interim target for that year (before the target year), else the targets.
pub fn targets_for(config: &Config, province: Option<&str>, period: Period) -> TargetBp {
    let t = &config.targets;
    if let Some(s) = province.and_then(|p| t.province.get(p)) {
        return TargetBp::from_stages(s);
    }
    let year = period.year();
    let interim: Option<&Stages> = (year < t.year).then(|| t.trajectory.get(&year.to_string())).flatten();
    TargetBp::from_stages(interim.unwrap_or(&t.stages))
}

/// Build the report. Pure: the dataset, the config and the geography in, figures out.
pub fn analyse(ds: &Dataset, config: &Config, geo: &Geography) -> Report {
    let rates =
        Rates { reporting: config.money.reporting_currency.clone(), per_reporting_unit: config.money.rates.clone() };
    let mut findings = Vec::new();
    // Periods are independent: analysed in parallel, gathered in period order.
    use rayon::prelude::*;
    let done: Vec<(Period, PeriodReport, Vec<Finding>)> = ds
        .periods()
        .into_par_iter()
        .map(|period| {
            let mut found = Vec::new();
            let pr = analyse_period(ds, config, geo, &rates, period, &mut found);
            (period, pr, found)
        })
        .collect();
    let mut by_period = BTreeMap::new();
    for (period, pr, found) in done {
        findings.extend(found);
        by_period.insert(period, pr);
    }
    let periods: Vec<Period> = by_period.keys().copied().collect();
    let changes = match periods.as_slice() {
        [.., prev, cur] => Some(changes::compare(&by_period[prev], &by_period[cur])),
        _ => None,
    };
    Report { title: config.title.clone(), rates, periods, by_period, changes, findings, disclosure: None }
}

fn analyse_period(
    ds: &Dataset,
    config: &Config,
    geo: &Geography,
    rates: &Rates,
    period: Period,
    findings: &mut Vec<Finding>,
) -> PeriodReport {
    let expected = fiscal_share_elapsed(period, config.money.fiscal_year_start_month);
    let rows: Vec<&CascadeRow> = ds.cascade.iter().filter(|r| r.period == Some(period)).collect();
    let budget_rows: Vec<_> = ds.budget.iter().filter(|r| r.period == Some(period)).collect();
    let (lines, unconverted) = budget::convert_lines(&budget_rows, rates, expected);
    for r in unconverted {
        findings.push(
            Finding::error(Rule::BadValue, "value.unknown-currency-rate", r.location.clone())
                .arg("value", &r.currency)
                .value(&r.currency),
        );
    }
    let b = Builder { config, geo, period, expected, currency: &rates.reporting };
    // Lines by area, once (not a scan of every line per commune: that was quadratic).
    let mut by_area: BTreeMap<&str, Vec<&Line>> = BTreeMap::new();
    for l in &lines {
        by_area.entry(&*l.area_code).or_default().push(l);
    }
    let mut communes = b.communes(&rows, &by_area);
    let districts = b.districts(&communes, &by_area);
    let mut provinces = b.provinces(&rows, &communes, &districts, &lines);
    let initiative = b.initiative(&provinces, &lines);
    // Each page's room for its lines made once, to size: grown line by line, each area's list
    // was copied as it doubled, into memory touched for the first time.
    for (code, own) in &by_area {
        if let Some(a) = own_area(&mut communes, &mut provinces, code) {
            a.lines.reserve_exact(own.len());
        }
    }
    drop(by_area);
    // Each line goes to its own area's page, moved there, not copied: the national budget
    // lines were held twice.
    for l in lines {
        if let Some(a) = own_area(&mut communes, &mut provinces, &l.area_code) {
            a.lines.push(l);
        }
    }
    let mut pr = PeriodReport { period, expected_execution: expected, initiative, provinces, districts, communes };
    changes::assign_ranks(&mut pr);
    pr
}

/// The page a budget line with this area code is listed on: its commune's, else its province's
/// (a line of a district or of the initiative has no page of its own).
fn own_area<'m>(
    communes: &'m mut BTreeMap<String, AreaReport>,
    provinces: &'m mut BTreeMap<String, AreaReport>,
    code: &str,
) -> Option<&'m mut AreaReport> {
    communes.get_mut(code).or_else(|| provinces.get_mut(code))
}

/// The counts an area's rows give: its total row where there is one, otherwise the sum of its
/// sex × age rows (or of single-dimension rows); and its breakdowns by sex and by age.
fn area_counts(rows: &[&CascadeRow]) -> (Counts, BTreeMap<Sex, Counts>, BTreeMap<AgeGroup, Counts>) {
    let full: Vec<&&CascadeRow> = rows.iter().filter(|r| r.sex.is_some() && r.age_group.is_some()).collect();
    let parts: Vec<&&CascadeRow> = if full.is_empty() { rows.iter().filter(|r| !r.is_total()).collect() } else { full };
    let mut total = Counts::default();
    match rows.iter().find(|r| r.is_total()) {
        Some(t) => total = Counts::of_row(t),
        None => parts.iter().for_each(|r| total.add(&Counts::of_row(r))),
    }
    let mut by_sex: BTreeMap<Sex, Counts> = BTreeMap::new();
    let mut by_age: BTreeMap<AgeGroup, Counts> = BTreeMap::new();
    for r in &parts {
        if let Some(s) = r.sex {
            by_sex.entry(s).or_default().add(&Counts::of_row(r));
        }
        if let Some(a) = r.age_group {
            by_age.entry(a).or_default().add(&Counts::of_row(r));
        }
    }
    (total, by_sex, by_age)
}

/// Assembles area reports for one period.
struct Builder<'a> {
    config: &'a Config,
    geo: &'a Geography,
    period: Period,
    expected: f64,
    currency: &'a str,
}

impl Builder<'_> {
    fn area(&self, code: &str, level: AreaLevel, counts: Option<Counts>, lines: Vec<&Line>) -> AreaReport {
        let a = self.geo.get(code);
        let province = (level != AreaLevel::Initiative).then(|| crate::geography::province_of(code));
        let targets = targets_for(self.config, province, self.period);
        let cascade = counts.filter(|c| c.rows > 0).map(|c| Cascade::new(c, targets));
        let budget = budget::budget_of(&lines, self.expected);
        let mut bottlenecks = Vec::new();
        if let Some(c) = &cascade {
            bottlenecks.extend(bottleneck::cascade_rules(c, &self.config.thresholds));
        }
        if let Some(b) = &budget {
            bottlenecks.extend(bottleneck::budget_rules(b, cascade.as_ref(), &self.config.thresholds, self.currency));
        }
        AreaReport {
            code: code.to_string(),
            level,
            parent: a.and_then(|a| a.parent.clone()),
            name_en: a.map_or_else(|| self.config.title.clone(), |a| a.name_en.clone()),
            name_km: a.map_or_else(String::new, |a| a.name_km.clone()),
            cascade,
            by_sex: SmallMap::new(),
            by_age: SmallMap::new(),
            budget,
            lines: Vec::new(),
            bottlenecks: bottleneck::rank(bottlenecks),
            concentration: None,
            rank: None,
        }
    }

    fn with_breakdowns(
        &self,
        mut a: AreaReport,
        sex: BTreeMap<Sex, Counts>,
        age: BTreeMap<AgeGroup, Counts>,
    ) -> AreaReport {
        let t = a.cascade.as_ref().map(|c| c.targets);
        if let Some(t) = t {
            a.by_sex = sex.into_iter().map(|(k, c)| (k, Cascade::new(c, t))).collect();
            a.by_age = age.into_iter().map(|(k, c)| (k, Cascade::new(c, t))).collect();
        }
        a
    }

    fn communes(&self, rows: &[&CascadeRow], by_area: &BTreeMap<&str, Vec<&Line>>) -> BTreeMap<String, AreaReport> {
        let mut grouped: BTreeMap<&str, Vec<&CascadeRow>> = BTreeMap::new();
        for r in rows.iter().filter(|r| self.level_of(&r.area_code) == Some(Level::Commune)) {
            grouped.entry(&r.area_code).or_default().push(r);
        }
        let mut codes: Vec<&str> = grouped.keys().copied().collect();
        codes.extend(by_area.keys().copied().filter(|code| self.level_of(code) == Some(Level::Commune)));
        codes.sort();
        codes.dedup();
        // Communes side by side, not only periods: four periods on two cores left one core
        // finishing the last period alone.
        use rayon::prelude::*;
        let made: Vec<(String, AreaReport)> = codes
            .into_par_iter()
            .map(|code| {
                let own: Vec<&Line> = by_area.get(code).cloned().unwrap_or_default();
                let (counts, sex, age) = grouped.get(code).map(|r| area_counts(r)).unzip3();
                let a = self.area(code, AreaLevel::Commune, counts, own);
                (code.to_string(), self.with_breakdowns(a, sex.unwrap_or_default(), age.unwrap_or_default()))
            })
            .collect();
        made.into_iter().collect()
    }

    fn level_of(&self, code: &str) -> Option<Level> {
        self.geo.get(code).map(|a| a.level)
    }

    fn districts<'l>(
        &self,
        communes: &BTreeMap<String, AreaReport>,
        by_area: &BTreeMap<&str, Vec<&'l Line>>,
    ) -> BTreeMap<String, AreaReport> {
        let mut sums: BTreeMap<String, (Counts, Vec<&'l Line>, Sums)> = BTreeMap::new();
        for c in communes.values() {
            let Some(d) = c.parent.clone() else { continue };
            let e = sums.entry(d).or_default();
            if let Some(cas) = &c.cascade {
                e.0.add(&cas.counts);
            }
            e.1.extend(by_area.get(c.code.as_str()).into_iter().flatten().copied());
            e.2.add(c);
        }
        sums.into_iter()
            .map(|(code, (counts, lines, s))| {
                let a = self.area(&code, AreaLevel::District, Some(counts), lines);
                (code, self.with_breakdowns(a, s.sex, s.age))
            })
            .collect()
    }

    fn provinces(
        &self,
        rows: &[&CascadeRow],
        communes: &BTreeMap<String, AreaReport>,
        districts: &BTreeMap<String, AreaReport>,
        lines: &[Line],
    ) -> BTreeMap<String, AreaReport> {
        let mut codes: Vec<String> = rows
            .iter()
            .map(|r| r.province.clone())
            .chain(lines.iter().map(|l| crate::geography::province_of(&l.area_code).to_string()))
            .collect();
        codes.sort();
        codes.dedup();
        codes
            .into_iter()
            .map(|p| {
                let mut counts = Counts::default();
                let mut s = Sums::default();
                for d in districts.values().filter(|d| d.parent.as_deref() == Some(p.as_str())) {
                    if let Some(c) = &d.cascade {
                        counts.add(&c.counts);
                    }
                    s.add(d);
                }
                // Rows with the province's own code are people not attributable to a commune.
                let own_rows: Vec<&CascadeRow> = rows.iter().copied().filter(|r| r.area_code == p).collect();
                if !own_rows.is_empty() {
                    let (c, sex, age) = area_counts(&own_rows);
                    counts.add(&c);
                    s.add_counts(&sex, &age);
                }
                let all: Vec<&Line> = lines.iter().filter(|l| l.area_code.starts_with(&p)).collect();
                let mut a = self.area(&p, AreaLevel::Province, Some(counts), all);
                a = self.with_breakdowns(a, s.sex, s.age);
                self.add_concentration(&mut a, communes);
                a.bottlenecks = bottleneck::rank(std::mem::take(&mut a.bottlenecks));
                (p, a)
            })
            .collect()
    }

    fn add_concentration(&self, a: &mut AreaReport, communes: &BTreeMap<String, AreaReport>) {
        let Some((stage, _)) = a.cascade.as_ref().and_then(|c| c.gaps.largest()) else { return };
        let gaps: Vec<(String, u64)> = communes
            .values()
            .filter(|c| c.code.starts_with(&a.code))
            .filter_map(|c| c.cascade.as_ref().map(|cas| (c.code.clone(), cas.gaps.get(stage))))
            .collect();
        let Some(conc) = bottleneck::concentration(stage, &gaps) else { return };
        let name = |code: &str| self.geo.get(code).map_or_else(|| code.to_string(), |x| x.name_en.clone());
        a.bottlenecks.extend(bottleneck::concentration_rule(&conc, &name));
        a.concentration = Some(conc);
    }

    fn initiative(&self, provinces: &BTreeMap<String, AreaReport>, lines: &[Line]) -> AreaReport {
        let mut counts = Counts::default();
        let mut s = Sums::default();
        for p in provinces.values() {
            if let Some(c) = &p.cascade {
                counts.add(&c.counts);
            }
            s.add(p);
        }
        let a = self.area(INITIATIVE, AreaLevel::Initiative, Some(counts), lines.iter().collect());
        let mut a = self.with_breakdowns(a, s.sex, s.age);
        a.bottlenecks = bottleneck::rank(std::mem::take(&mut a.bottlenecks));
        a
    }
}

/// Breakdowns summed up the hierarchy.
#[derive(Default)]
struct Sums {
    sex: BTreeMap<Sex, Counts>,
    age: BTreeMap<AgeGroup, Counts>,
}

impl Sums {
    fn add(&mut self, a: &AreaReport) {
        for (k, c) in &a.by_sex {
            self.sex.entry(*k).or_default().add(&c.counts);
        }
        for (k, c) in &a.by_age {
            self.age.entry(*k).or_default().add(&c.counts);
        }
    }
    fn add_counts(&mut self, sex: &BTreeMap<Sex, Counts>, age: &BTreeMap<AgeGroup, Counts>) {
        for (k, c) in sex {
            self.sex.entry(*k).or_default().add(c);
        }
        for (k, c) in age {
            self.age.entry(*k).or_default().add(c);
        }
    }
}

/// `Option<(A, B, C)>` into three options.
trait Unzip3<A, B, C> {
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>);
}

impl<A, B, C> Unzip3<A, B, C> for Option<(A, B, C)> {
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>) {
        match self {
            Some((a, b, c)) => (Some(a), Some(b), Some(c)),
            None => (None, None, None),
        }
    }
}

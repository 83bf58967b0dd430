//! Analyse: what changed against the previous period: every indicator and gap, the bottlenecks
//! that appeared or were resolved, and rank changes of provinces and communes.

use super::cascade::Ratio;
use super::{AreaReport, PeriodReport};
use crate::period::Period;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One area's change between two periods. Shares change in percentage points; gaps in people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaChange {
    pub code: String,
    pub indicators: BTreeMap<&'static str, Option<f64>>,
    pub gaps: BTreeMap<&'static str, i64>,
    pub execution_points: Option<f64>,
    pub appeared: Vec<String>,
    pub resolved: Vec<String>,
    pub rank: (Option<usize>, Option<usize>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changes {
    pub from: Period,
    pub to: Period,
    /// Provinces, communes and the initiative (`FTCI`), by code.
    pub areas: BTreeMap<String, AreaChange>,
}

fn points(a: Ratio, b: Ratio) -> Option<f64> {
    Some((b? - a?) * 100.0)
}

pub fn compare_area(a: &AreaReport, b: &AreaReport) -> AreaChange {
    let mut indicators = BTreeMap::new();
    let mut gaps = BTreeMap::new();
    if let (Some(x), Some(y)) = (&a.cascade, &b.cascade) {
        let pairs: [(&'static str, Ratio, Ratio); 8] = [
            ("first", x.first, y.first),
            ("second", x.second, y.second),
            ("third", x.third, y.third),
            ("diagnosed_of_plhiv", x.diagnosed_of_plhiv, y.diagnosed_of_plhiv),
            ("on_art_of_plhiv", x.on_art_of_plhiv, y.on_art_of_plhiv),
            ("suppressed_of_plhiv", x.suppressed_of_plhiv, y.suppressed_of_plhiv),
            ("vl_coverage", x.vl_coverage, y.vl_coverage),
            ("unadjusted_suppression", x.unadjusted_suppression, y.unadjusted_suppression),
        ];
        for (k, p, q) in pairs {
            indicators.insert(k, points(p, q));
        }
        use super::cascade::{Figure, Stage};
        for (key, s) in [("diagnosed", Stage::Diagnosed), ("on_art", Stage::OnArt), ("suppressed", Stage::Suppressed)] {
            // A change in a hidden gap would give it back from the other period's.
            if x.figure_shown(Figure::Gap(s)) && y.figure_shown(Figure::Gap(s)) {
                gaps.insert(key, y.gaps.get(s) as i64 - x.gaps.get(s) as i64);
            }
        }
    }
    let keys = |r: &AreaReport| -> BTreeSet<String> { r.bottlenecks.iter().map(|b| b.kind.key()).collect() };
    let (before, after) = (keys(a), keys(b));
    AreaChange {
        code: b.code.clone(),
        indicators,
        gaps,
        execution_points: points(
            a.budget.as_ref().and_then(|x| x.total.execution),
            b.budget.as_ref().and_then(|x| x.total.execution),
        ),
        appeared: after.difference(&before).cloned().collect(),
        resolved: before.difference(&after).cloned().collect(),
        rank: (a.rank, b.rank),
    }
}

/// Compare two periods' reports, area by area (areas present in both).
pub fn compare(prev: &PeriodReport, cur: &PeriodReport) -> Changes {
    let mut pairs = vec![(super::INITIATIVE, &prev.initiative, &cur.initiative)];
    for (maps_prev, maps_cur) in [(&prev.provinces, &cur.provinces), (&prev.communes, &cur.communes)] {
        for (code, b) in maps_cur {
            if let Some(a) = maps_prev.get(code) {
                pairs.push((code.as_str(), a, b));
            }
        }
    }
    // In parallel: the 1,700 areas of a national project took one core 10-15 ms after the
    // periods were analysed, the other idle. A sorted map, so the order is the same.
    use rayon::prelude::*;
    let areas = pairs.into_par_iter().map(|(code, a, b)| (code.to_string(), compare_area(a, b))).collect();
    Changes { from: prev.period, to: cur.period, areas }
}

/// The share of PLHIV still needing treatment: the ranking measure. Areas without a cascade
/// are not ranked.
fn treatment_gap_share(a: &AreaReport) -> Option<f64> {
    let c = a.cascade.as_ref()?;
    let shown = c.figure_shown(super::cascade::Figure::Gap(super::cascade::Stage::OnArt));
    (shown && c.counts.plhiv > 0).then(|| c.gaps.on_art as f64 / c.counts.plhiv as f64)
}

/// Rank areas (largest share of PLHIV still needing treatment first; ties by code).
pub fn ranks<'a>(areas: impl Iterator<Item = &'a AreaReport>) -> BTreeMap<String, usize> {
    let mut v: Vec<(f64, &str)> = areas.filter_map(|a| treatment_gap_share(a).map(|s| (s, a.code.as_str()))).collect();
    v.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(y.1)));
    v.into_iter().enumerate().map(|(i, (_, c))| (c.to_string(), i + 1)).collect()
}

/// Provinces among provinces; communes within their province.
pub fn assign_ranks(pr: &mut PeriodReport) {
    let r = ranks(pr.provinces.values());
    for (code, a) in &mut pr.provinces {
        a.rank = r.get(code).copied();
        let communes = ranks(pr.communes.values().filter(|c| c.code.starts_with(code.as_str())));
        for (cc, rank) in communes {
            if let Some(c) = pr.communes.get_mut(&cc) {
                c.rank = Some(rank);
            }
        }
    }
}

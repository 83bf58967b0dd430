//! Analyse: the bottleneck rules. Each rule looks at one area's figures and may name a
//! bottleneck with a kind, a severity, the figures behind it and a one-line explanation a
//! workshop can act on; [`rank`] orders them. The rules and their thresholds are written up in
//! `data/pages/methodology.md`.

use super::budget::Budget;
use super::cascade::{Cascade, Stage};
use crate::project::Thresholds;
use crate::validate::Category;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    High,
    Medium,
    Low,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Kind {
    /// The stage with the largest people gap.
    LargestGap { stage: Stage },
    /// A 95 below its target by more than the tolerance.
    BelowTarget { stage: Stage },
    /// Viral-load testing coverage below the caution level: suppression is uncertain.
    LowVlCoverage,
    /// A budget category lagging the expected execution by more than the tolerance.
    BudgetLag { category: Category },
    /// Money of a category unspent where its stage holds the area's largest gap.
    UnspentWhereGap { category: Category, stage: Stage },
    /// A few communes hold most of a province's gap.
    GapConcentration { stage: Stage },
}

impl Kind {
    /// A stable key for comparing bottlenecks across periods.
    pub fn key(&self) -> String {
        match self {
            Kind::LargestGap { stage } => format!("largest-gap:{}", stage.as_str()),
            Kind::BelowTarget { stage } => format!("below-target:{}", stage.as_str()),
            Kind::LowVlCoverage => "low-vl-coverage".into(),
            Kind::BudgetLag { category } => format!("budget-lag:{}", category.as_str()),
            Kind::UnspentWhereGap { category, stage } => {
                format!("unspent-where-gap:{}:{}", category.as_str(), stage.as_str())
            }
            Kind::GapConcentration { stage } => format!("gap-concentration:{}", stage.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bottleneck {
    pub kind: Kind,
    pub severity: Severity,
    /// Orders bottlenecks of the same severity: people for stage rules, money for budget rules.
    pub score: f64,
    /// The figures behind it, by name (shares as 0..1, points, people, money).
    pub figures: super::SmallMap<&'static str, f64>,
    pub explanation: String,
}

/// Which cascade stages a budget category pays for.
pub fn stages_of(category: Category) -> &'static [Stage] {
    match category {
        Category::Testing => &[Stage::Diagnosed],
        Category::Treatment => &[Stage::OnArt, Stage::Suppressed],
        _ => &[],
    }
}

fn pct(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn people(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ordinal(s: Stage) -> &'static str {
    match s {
        Stage::Diagnosed => "first",
        Stage::OnArt => "second",
        Stage::Suppressed => "third",
    }
}

fn fig(pairs: &[(&'static str, f64)]) -> super::SmallMap<&'static str, f64> {
    pairs.iter().copied().collect()
}

/// The cascade rules: largest gap, stages below target, low VL testing coverage.
pub fn cascade_rules(c: &Cascade, t: &Thresholds) -> Vec<Bottleneck> {
    let mut out = Vec::new();
    if let Some((stage, gap)) = c.gaps.largest() {
        let share = gap as f64 / c.counts.plhiv.max(1) as f64;
        let severity = if share >= 0.10 {
            Severity::High
        } else if share >= 0.03 {
            Severity::Medium
        } else {
            Severity::Low
        };
        let target = c.targets.of_plhiv()[stage as usize];
        out.push(Bottleneck {
            kind: Kind::LargestGap { stage },
            severity,
            score: gap as f64,
            figures: fig(&[
                ("gap", gap as f64),
                ("plhiv", c.counts.plhiv as f64),
                ("gap_share_of_plhiv", share),
                ("target_of_plhiv", target),
            ]),
            explanation: format!(
                "{} more people need to {} to reach {} of people living with HIV: the largest people gap here.",
                people(gap),
                stage.words(),
                pct(target)
            ),
        });
    }
    for stage in Stage::ALL {
        let (Some(value), target) = c.stage(stage) else { continue };
        // Rounded to 1e-9 so 90 % − 85 % is 5 points, not 5.000000000000004.
        let short = round9((target - value) * 100.0);
        if short <= t.stage_tolerance_points {
            continue;
        }
        let severity = if short > 2.0 * t.stage_tolerance_points { Severity::High } else { Severity::Medium };
        let hint = match stage {
            Stage::Diagnosed => "find and test more people at risk, and bring results back",
            Stage::OnArt => "link every newly diagnosed person to treatment and trace those who stopped",
            Stage::Suppressed => "support adherence and follow up high viral loads",
        };
        out.push(Bottleneck {
            kind: Kind::BelowTarget { stage },
            severity,
            // People short of the target, over the stage's own denominator.
            score: short / 100.0 * [c.counts.plhiv, c.counts.diagnosed, c.counts.on_art][stage as usize] as f64,
            figures: fig(&[("value", value), ("target", target), ("points_short", short)]),
            explanation: format!(
                "The {} 95 is {} against a target of {} ({short:.1} points short): {hint}.",
                ordinal(stage),
                pct(value),
                pct(target)
            ),
        });
    }
    if let Some(cov) = c.vl_coverage.filter(|v| *v * 100.0 < t.vl_coverage_caution) {
        out.push(Bottleneck {
            kind: Kind::LowVlCoverage,
            severity: Severity::Medium,
            score: (t.vl_coverage_caution / 100.0 - cov) * c.counts.on_art as f64,
            figures: fig(&[("vl_coverage", cov), ("caution", t.vl_coverage_caution / 100.0)]),
            explanation: format!(
                "Only {} of people on treatment had a viral-load test, below {:.0} %: the suppression figure is uncertain until more are tested.",
                pct(cov),
                t.vl_coverage_caution
            ),
        });
    }
    out
}

/// The budget rules: categories lagging the expected execution, and money unspent where the
/// stage it pays for holds the area's largest gap.
pub fn budget_rules(b: &Budget, c: Option<&Cascade>, t: &Thresholds, currency: &str) -> Vec<Bottleneck> {
    let mut out = Vec::new();
    let largest = c.and_then(|c| c.gaps.largest());
    for (category, e) in &b.by_category {
        let (Some(exec), Some(lag)) = (e.execution, e.lag_points.map(round9)) else { continue };
        if lag <= t.budget_lag_points {
            continue;
        }
        let behind = (e.expected - exec) * e.money.approved;
        let figures = fig(&[
            ("execution", exec),
            ("expected", e.expected),
            ("lag_points", lag),
            ("approved", e.money.approved),
            ("behind", behind),
        ]);
        let severity = if lag > 2.0 * t.budget_lag_points { Severity::High } else { Severity::Medium };
        out.push(Bottleneck {
            kind: Kind::BudgetLag { category: *category },
            severity,
            score: behind,
            figures: figures.clone(),
            explanation: format!(
                "{} spending is at {} of the approved budget against {} expected by now ({:.0} {currency} behind): find out what holds up release or spending.",
                capitalise(category.as_str()),
                pct(exec),
                pct(e.expected),
                behind
            ),
        });
        if let Some((stage, gap)) = largest.filter(|(s, _)| stages_of(*category).contains(s)) {
            let mut f = figures;
            f.insert("gap", gap as f64);
            out.push(Bottleneck {
                kind: Kind::UnspentWhereGap { category: *category, stage },
                severity: Severity::High,
                score: behind,
                figures: f,
                explanation: format!(
                    "{} money is only {} spent while {} more people need to {}, the largest gap here: releasing and spending it is the first lever.",
                    capitalise(category.as_str()),
                    pct(exec),
                    people(gap),
                    stage.words()
                ),
            });
        }
    }
    out
}

/// Round away float noise before comparing with a threshold.
fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// How a province's gap for one stage is spread over its communes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concentration {
    pub stage: Stage,
    /// The fewest communes holding at least half of the gap, largest first.
    pub communes: Vec<(String, u64)>,
    pub of_communes: usize,
    pub share: f64,
}

/// The fewest communes (largest gaps first, ties by code) that together hold at least half of
/// the communes' gap for `stage`.
pub fn concentration(stage: Stage, commune_gaps: &[(String, u64)]) -> Option<Concentration> {
    let total: u64 = commune_gaps.iter().map(|(_, g)| g).sum();
    if total == 0 {
        return None;
    }
    let mut sorted: Vec<(String, u64)> = commune_gaps.to_vec();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut held = 0;
    let mut top = Vec::new();
    for (code, g) in sorted {
        if 2 * held >= total {
            break;
        }
        held += g;
        top.push((code, g));
    }
    Some(Concentration { stage, communes: top, of_communes: commune_gaps.len(), share: held as f64 / total as f64 })
}

/// The concentration rule: a bottleneck when at most a quarter of the communes (and at least
/// five communes reporting) hold half or more of the gap.
pub fn concentration_rule(c: &Concentration, names: &dyn Fn(&str) -> String) -> Option<Bottleneck> {
    let (k, n) = (c.communes.len(), c.of_communes);
    if n < 5 || 4 * k > n {
        return None;
    }
    let listed: Vec<String> = c.communes.iter().take(3).map(|(code, _)| names(code)).collect();
    let more = if k > 3 { format!(" and {} more", k - 3) } else { String::new() };
    Some(Bottleneck {
        kind: Kind::GapConcentration { stage: c.stage },
        severity: if 10 * k <= n { Severity::High } else { Severity::Medium },
        score: c.share * c.communes.iter().map(|(_, g)| *g as f64).sum::<f64>(),
        figures: fig(&[("communes", k as f64), ("of_communes", n as f64), ("share", c.share)]),
        explanation: format!(
            "{k} of {n} communes hold {} of the gap of people who still need to {}: focus outreach there ({}{more}).",
            pct(c.share),
            c.stage.words(),
            listed.join(", ")
        ),
    })
}

/// How actionable a kind is, for ranking within a severity: money unspent where the gap is
/// comes first, then the gaps themselves, then budget lags, then data caveats.
fn weight(k: &Kind) -> u8 {
    match k {
        Kind::UnspentWhereGap { .. } => 0,
        Kind::LargestGap { .. } => 1,
        Kind::BelowTarget { .. } => 2,
        Kind::GapConcentration { .. } => 3,
        Kind::BudgetLag { .. } => 4,
        Kind::LowVlCoverage => 5,
    }
}

/// Rank: severity, then how actionable the kind is, then score (largest first), then the kind
/// itself: deterministic, ties included.
pub fn rank(mut b: Vec<Bottleneck>) -> Vec<Bottleneck> {
    b.sort_by(|x, y| {
        (x.severity, weight(&x.kind))
            .cmp(&(y.severity, weight(&y.kind)))
            .then_with(|| y.score.total_cmp(&x.score))
            .then_with(|| x.kind.cmp(&y.kind))
    });
    b
}

#[cfg(test)]
mod tests {
    use super::super::SmallMap;
    use super::super::budget::{Execution, Money};
    use super::super::cascade::{Counts, TargetBp};
    use super::*;

    const T95: TargetBp = TargetBp { first: 9500, second: 9500, third: 9500 };

    fn cascade(plhiv: u64, diagnosed: u64, on_art: u64, vl_tested: u64, suppressed: u64) -> Cascade {
        Cascade::new(
            Counts {
                plhiv,
                diagnosed,
                on_art,
                vl_suppressed: suppressed,
                vl_tested,
                vl_reported_on_art: on_art,
                vl_reported_suppressed: suppressed,
                rows: 1,
            },
            T95,
        )
    }

    fn kinds(b: &[Bottleneck]) -> Vec<String> {
        b.iter().map(|x| format!("{}/{:?}", x.kind.key(), x.severity)).collect()
    }

    #[test]
    fn largest_gap_and_below_target() {
        // PLHIV 1000, diagnosed 800 (80 %), on ART 780 (97.5 %), VL tested 700 (89.7 %), suppressed 690 (88.5 %).
        // Gaps: 950 − 800 = 150; 903 − 780 = 123; 858 − 690 = 168 → suppressed is largest, 16.8 % of PLHIV: high.
        // First 95: 80 % vs 95 % is 15 points short (> 2 × 5): high. Third: 690/780 = 88.46 %, 6.54 points: medium.
        let b = cascade_rules(&cascade(1000, 800, 780, 700, 690), &Thresholds::default());
        assert_eq!(
            kinds(&b),
            ["largest-gap:suppressed/High", "below-target:diagnosed/High", "below-target:suppressed/Medium"]
        );
        assert_eq!(b[0].figures["gap"], 168.0);
        assert!(
            b[0].explanation.starts_with("168 more people need to be virally suppressed to reach 85.7 %"),
            "{}",
            b[0].explanation
        );
        assert!((b[2].figures["points_short"] - (95.0 - 690.0 / 780.0 * 100.0)).abs() < 1e-9);
    }

    #[test]
    fn small_gap_is_low_and_met_targets_give_nothing() {
        // PLHIV 1000, diagnosed 940: gap 10 (1 % of PLHIV) → low; 94 % is within 5 points.
        let b = cascade_rules(&cascade(1000, 940, 940, 940, 900), &Thresholds::default());
        assert_eq!(kinds(&b), ["largest-gap:diagnosed/Low"]);
        assert!(cascade_rules(&cascade(100, 100, 100, 100, 100), &Thresholds::default()).is_empty());
        // Exactly 5 points below target is within the tolerance: 90 of 100 diagnosed is 90 % vs 95 %.
        let b = cascade_rules(&cascade(100, 90, 90, 90, 90), &Thresholds::default());
        assert!(!kinds(&b).iter().any(|k| k.starts_with("below-target:diagnosed")), "{:?}", kinds(&b));
    }

    #[test]
    fn low_vl_coverage() {
        // 600 of 900 on ART tested = 66.7 % < 75 %.
        let b = cascade_rules(&cascade(1000, 950, 900, 600, 590), &Thresholds::default());
        assert!(kinds(&b).contains(&"low-vl-coverage/Medium".to_string()), "{:?}", kinds(&b));
    }

    fn budget(category: Category, approved: f64, spent: f64, expected: f64) -> Budget {
        let m = Money { approved, spent, lines: 1, ..Money::default() };
        let e = Execution::new(m, expected);
        Budget { total: e.clone(), by_category: SmallMap::from([(category, e.clone())]), by_funding: SmallMap::new() }
    }

    #[test]
    fn budget_lag_and_unspent_where_gap() {
        // Treatment: 3,000 of 10,000 spent = 30 % against 75 % expected: 45 points behind (> 2 × 10): high;
        // behind = (0.75 − 0.30) × 10,000 = 4,500.
        // The cascade's largest gap is on ART: PLHIV 1000, diagnosed 950, on ART 700, suppressed 690:
        // diagnosed 950 − 950 = 0; on ART 903 − 700 = 203; suppressed 858 − 690 = 168.
        let c = cascade(1000, 950, 700, 695, 690);
        let b = budget_rules(
            &budget(Category::Treatment, 10_000.0, 3_000.0, 0.75),
            Some(&c),
            &Thresholds::default(),
            "USD",
        );
        assert_eq!(kinds(&b), ["budget-lag:treatment/High", "unspent-where-gap:treatment:on_art/High"]);
        assert!((b[0].figures["behind"] - 4500.0).abs() < 1e-9);
        assert!(b[1].explanation.contains("203 more people need to be on treatment"), "{}", b[1].explanation);
        // Testing lagging 15 points: medium; its stage (diagnosed) is not the largest gap: no unspent rule.
        let b = budget_rules(&budget(Category::Testing, 1000.0, 600.0, 0.75), Some(&c), &Thresholds::default(), "USD");
        assert_eq!(kinds(&b), ["budget-lag:testing/Medium"]);
        // Exactly at the tolerance is not beyond it: 65 % against 75 % is 10 points.
        assert!(
            budget_rules(&budget(Category::Testing, 1000.0, 650.0, 0.75), Some(&c), &Thresholds::default(), "USD")
                .is_empty()
        );
        // On track: 70 % against 75 % is 5 points, within 10.
        assert!(
            budget_rules(&budget(Category::Testing, 1000.0, 700.0, 0.75), Some(&c), &Thresholds::default(), "USD")
                .is_empty()
        );
    }

    #[test]
    fn few_communes_hold_the_gap() {
        // Gaps 50, 30, 10, 5, 3, 2, 0, 0 (total 100): 50 alone is half → 1 of 8 communes hold 50 %.
        let gaps: Vec<(String, u64)> =
            [50, 30, 10, 5, 3, 2, 0, 0].iter().enumerate().map(|(i, g)| (format!("0201{:02}", i + 1), *g)).collect();
        let c = concentration(Stage::OnArt, &gaps).expect("some gap");
        assert_eq!((c.communes.len(), c.of_communes, c.share), (1, 8, 0.5));
        let b = concentration_rule(&c, &|code| code.to_string()).expect("concentrated");
        assert_eq!(b.severity, Severity::Medium); // 1 of 8 is not ≤ 10 %
        assert!(b.explanation.starts_with("1 of 8 communes hold 50.0 %"), "{}", b.explanation);
        // Evenly spread: 8 × 10 → 4 of 8 needed: not concentrated.
        let even: Vec<(String, u64)> = (0..8).map(|i| (format!("c{i}"), 10)).collect();
        let c = concentration(Stage::OnArt, &even).expect("gap");
        assert_eq!(c.communes.len(), 4);
        assert!(concentration_rule(&c, &|s| s.to_string()).is_none());
        assert!(concentration(Stage::OnArt, &[("a".into(), 0)]).is_none());
    }

    #[test]
    fn ranking_is_deterministic_with_ties() {
        let mk = |kind: Kind, severity: Severity, score: f64| Bottleneck {
            kind,
            severity,
            score,
            figures: SmallMap::new(),
            explanation: String::new(),
        };
        let items = vec![
            mk(Kind::BudgetLag { category: Category::Testing }, Severity::Medium, 10.0),
            mk(Kind::LowVlCoverage, Severity::Medium, 10.0),
            mk(Kind::LargestGap { stage: Stage::OnArt }, Severity::High, 1.0),
            mk(Kind::BelowTarget { stage: Stage::Diagnosed }, Severity::Medium, 20.0),
        ];
        let mut reversed = items.clone();
        reversed.reverse();
        let a = kinds(&rank(items));
        assert_eq!(a, kinds(&rank(reversed)));
        assert_eq!(
            a,
            [
                "largest-gap:on_art/High",
                "below-target:diagnosed/Medium",
                "budget-lag:testing/Medium",
                "low-vl-coverage/Medium"
            ]
        );
        // Same severity and kind weight: the larger score first; equal scores: the kind's order.
        let tied = vec![
            mk(Kind::BelowTarget { stage: Stage::Suppressed }, Severity::High, 5.0),
            mk(Kind::BelowTarget { stage: Stage::Diagnosed }, Severity::High, 5.0),
        ];
        assert_eq!(kinds(&rank(tied)), ["below-target:diagnosed/High", "below-target:suppressed/High"]);
    }
}

//! The analyse stage on small datasets whose every figure is worked out by hand in the
//! comments, and property tests over generated ones.

use ftc::analyse::bottleneck::Kind;
use ftc::analyse::cascade::Stage;
use ftc::analyse::{AreaLevel, INITIATIVE, Report, analyse, targets_for};
use ftc::finding::Location;
use ftc::geography::Geography;
use ftc::period::Period;
use ftc::project::Config;
use ftc::validate::{AgeGroup, BudgetRow, CascadeRow, Category, Dataset, Sex};
use proptest::prelude::*;
use std::path::Path;

const CONFIG: &str = r#"
title = "test"
provinces = ["02", "12"]
[money]
reporting_currency = "USD"
[money.rates]
KHR = 4000.0
[targets]
first = 95.0
second = 95.0
third = 95.0
year = 2030
[targets.province."12"]
first = 96.0
second = 95.0
third = 95.0
[targets.trajectory."2026"]
first = 90.0
second = 95.0
third = 95.0
"#;

fn config() -> Config {
    Config::parse(CONFIG, Path::new("ftc.toml")).expect("config parses")
}

fn p(s: &str) -> Period {
    s.parse().expect("period")
}

#[allow(clippy::too_many_arguments)]
fn row(
    period: &str,
    code: &str,
    sex: Option<Sex>,
    age: Option<AgeGroup>,
    plhiv: u64,
    diagnosed: u64,
    on_art: u64,
    vl: Option<u64>,
    supp: u64,
) -> CascadeRow {
    CascadeRow {
        period: Some(p(period)),
        province: code[..2].to_string(),
        area_code: code.to_string(),
        sex,
        age_group: age,
        plhiv,
        diagnosed,
        on_art,
        vl_tested: vl,
        vl_suppressed: supp,
        location: Location::default(),
    }
}

fn line(
    period: &str,
    code: &str,
    category: Category,
    currency: &str,
    approved: f64,
    released: Option<f64>,
    spent: f64,
) -> BudgetRow {
    BudgetRow {
        period: Some(p(period)),
        province: code[..2].to_string(),
        area_code: code.to_string(),
        activity: format!("{} line", category.as_str()),
        category,
        funding_source: if currency == "KHR" { "CIP".into() } else { "Global Fund".into() },
        currency: currency.into(),
        approved,
        released,
        spent,
        location: Location::default(),
    }
}

/// Battambang (02): two communes of district 0201 (Banan), one of 0202 (Thma Koul), and a
/// province-level row; Phnom Penh (12): one sangkat reported by sex and age.
fn dataset() -> Dataset {
    let q = "2026-Q3";
    Dataset {
        cascade: vec![
            row(q, "020101", None, None, 400, 340, 330, Some(300), 290),
            row(q, "020102", None, None, 100, 90, 88, None, 80),
            row(q, "020201", None, None, 500, 470, 460, Some(450), 440),
            row(q, "02", None, None, 20, 20, 20, Some(20), 19),
            row(q, "120101", Some(Sex::Female), Some(AgeGroup::Child), 10, 8, 8, Some(8), 7),
            row(q, "120101", Some(Sex::Female), Some(AgeGroup::Adult), 90, 80, 78, Some(70), 68),
            row(q, "120101", Some(Sex::Male), Some(AgeGroup::Child), 10, 9, 9, Some(9), 9),
            row(q, "120101", Some(Sex::Male), Some(AgeGroup::Adult), 90, 85, 83, Some(80), 78),
        ],
        budget: vec![
            line(q, "02", Category::Treatment, "USD", 10_000.0, Some(5_000.0), 3_000.0),
            line(q, "02", Category::Testing, "USD", 4_000.0, None, 2_800.0),
            line(q, "020101", Category::Testing, "KHR", 8_000_000.0, Some(4_000_000.0), 4_000_000.0),
            line(q, "020102", Category::Community, "EUR", 100.0, None, 50.0),
        ],
        ..Dataset::default()
    }
}

fn report() -> Report {
    analyse(&dataset(), &config(), Geography::builtin())
}

#[test]
fn commune_district_province_initiative_sums() {
    let r = report();
    let pr = r.latest().expect("period");
    assert_eq!(pr.period, p("2026-Q3"));
    let counts = |c: &Option<ftc::analyse::cascade::Cascade>| {
        c.as_ref().map(|c| (c.counts.plhiv, c.counts.diagnosed, c.counts.on_art, c.counts.vl_suppressed))
    };
    // District 0201 = 020101 + 020102: PLHIV 400 + 100 = 500, diagnosed 340 + 90 = 430, on ART 330 + 88 = 418, suppressed 290 + 80 = 370.
    assert_eq!(counts(&pr.districts["0201"].cascade), Some((500, 430, 418, 370)));
    // Province 02 = 0201 + 0202 + its own row: 500 + 500 + 20 = 1020; 430 + 470 + 20 = 920; 418 + 460 + 20 = 898; 370 + 440 + 19 = 829.
    assert_eq!(counts(&pr.provinces["02"].cascade), Some((1020, 920, 898, 829)));
    // Phnom Penh 120101 from its four sex × age rows: PLHIV 10 + 90 + 10 + 90 = 200; diagnosed 8 + 80 + 9 + 85 = 182;
    // on ART 8 + 78 + 9 + 83 = 178; suppressed 7 + 68 + 9 + 78 = 162.
    assert_eq!(counts(&pr.communes["120101"].cascade), Some((200, 182, 178, 162)));
    // Initiative = 02 + 12: 1220, 1102, 1076, 991.
    assert_eq!(counts(&pr.initiative.cascade), Some((1220, 1102, 1076, 991)));
    assert_eq!(pr.initiative.level, AreaLevel::Initiative);
    assert_eq!(pr.initiative.code, INITIATIVE);
}

#[test]
fn breakdowns_by_sex_and_age() {
    let r = report();
    let pp = &r.latest().expect("period").provinces["12"];
    // Women: 10 + 90 = 100 PLHIV, 8 + 80 = 88 diagnosed → first 95 = 0.88.
    let f = pp.by_sex.get(&Sex::Female).expect("a female row");
    assert_eq!((f.counts.plhiv, f.counts.diagnosed, f.first), (100, 88, Some(0.88)));
    // Children: 10 + 10 = 20 PLHIV, 8 + 9 = 17 on ART → on ART of PLHIV 0.85.
    assert_eq!(pp.by_age.get(&AgeGroup::Child).expect("a child row").on_art_of_plhiv, Some(0.85));
}

#[test]
fn vl_coverage_over_reporting_rows_only() {
    let r = report();
    let d = &r.latest().expect("period").districts["0201"];
    // Only 020101 reported VL tested: 300 of its 330 on ART = 90.9 %; 020102 (88 on ART) is left out.
    assert_eq!(d.cascade.as_ref().and_then(|c| c.vl_coverage), Some(300.0 / 330.0));
    // Unadjusted suppression over the same rows: 290 / 300.
    assert_eq!(d.cascade.as_ref().and_then(|c| c.unadjusted_suppression), Some(290.0 / 300.0));
}

#[test]
fn targets_overrides_and_trajectory() {
    let c = config();
    // 2026 is before the target year 2030 and the trajectory has 2026: 90-95-95.
    let t = targets_for(&c, Some("02"), p("2026-Q3"));
    assert_eq!((t.first, t.second, t.third), (9000, 9500, 9500));
    // 2027 has no interim target: the final 95-95-95.
    assert_eq!(targets_for(&c, Some("02"), p("2027-Q1")).first, 9500);
    // Phnom Penh's own targets win: 96-95-95.
    assert_eq!(targets_for(&c, Some("12"), p("2026-Q3")).first, 9600);
    // And they reach the gaps: 120101 PLHIV 200 × 96 % = 192 − 182 diagnosed = 10.
    let r = report();
    assert_eq!(r.latest().expect("p").communes["120101"].cascade.as_ref().map(|c| c.gaps.diagnosed), Some(10));
    // Battambang under the 2026 trajectory: 020101 PLHIV 400 × 90 % = 360 − 340 = 20.
    assert_eq!(r.latest().expect("p").communes["020101"].cascade.as_ref().map(|c| c.gaps.diagnosed), Some(20));
}

#[test]
fn budget_in_reporting_currency_and_unknown_rate_is_a_finding() {
    let r = report();
    let pr = r.latest().expect("period");
    let b = pr.provinces["02"].budget.as_ref().expect("budget");
    // Approved 10,000 + 4,000 USD + 8,000,000 KHR / 4,000 = 2,000 → 16,000 USD (the EUR line has no rate).
    assert_eq!(b.total.money.approved, 16_000.0);
    // Spent 3,000 + 2,800 + 1,000 = 6,800 → 42.5 %; expected at Q3 = 75 %: 32.5 points behind.
    assert_eq!(b.total.execution, Some(0.425));
    assert!((b.total.lag_points.expect("lag") - 32.5).abs() < 1e-9);
    // Released over the lines that reported it: (5,000 + 1,000) / (10,000 + 2,000) = 50 %; absorbed (3,000 + 1,000) / 6,000.
    assert_eq!(b.total.release_rate, Some(0.5));
    assert_eq!(b.total.absorption, Some(4_000.0 / 6_000.0));
    assert_eq!(pr.expected_execution, 0.75);
    assert_eq!(r.findings.len(), 1);
    assert!(r.findings[0].message().contains("EUR"));
    // A commune page has its own line, converted: 8,000,000 KHR = 2,000 USD at 4,000.
    let l = &pr.communes["020101"].lines[0];
    assert_eq!((l.rate, l.execution.money.approved), (4000.0, 2000.0));
}

#[test]
fn battambang_bottlenecks_ranked() {
    let r = report();
    let b = &r.latest().expect("period").provinces["02"];
    let keys: Vec<String> = b.bottlenecks.iter().map(|x| x.kind.key()).collect();
    // Province 02 under 90-95-95: diagnosed target 1020 × 90 % = 918 ≤ 920 → met; on ART 1020 × 85.5 % = 872.1 → 873 ≤ 898 → met;
    // suppressed 1020 × 81.225 % = 828.495 → 829 ≤ 829 → met. No people gap; the 95s: 90.2 %, 97.6 %, 92.3 % — within 5 points.
    // Budget: treatment 3,000 / 10,000 = 30 % vs 75 %: 45 points (high); testing (2,800 + 1,000) / (4,000 + 2,000) = 63.3 %: 11.7 points (medium).
    assert_eq!(keys, ["budget-lag:treatment", "budget-lag:testing"]);
    assert!(
        b.bottlenecks[0].explanation.starts_with("Treatment spending is at 30.0 %"),
        "{}",
        b.bottlenecks[0].explanation
    );
}

#[test]
fn zero_plhiv_is_not_applicable_everywhere() {
    let ds = Dataset { cascade: vec![row("2026-Q3", "020101", None, None, 0, 0, 0, Some(0), 0)], ..Dataset::default() };
    let r = analyse(&ds, &config(), Geography::builtin());
    let c = r.latest().expect("p").communes["020101"].cascade.clone().expect("cascade");
    assert_eq!((c.first, c.second, c.third, c.vl_coverage), (None, None, None, None));
    assert!(r.latest().expect("p").communes["020101"].bottlenecks.is_empty());
}

#[test]
fn changes_against_the_previous_period() {
    let mut ds = dataset();
    // Q2: 020101 diagnosed 300 (first 95 = 75 %), so the Q3 first 95 (85 %) is 10 points up and
    // its diagnosed gap fell from 360 − 300 = 60 to 360 − 340 = 20 (−40).
    ds.cascade.push(row("2026-Q2", "020101", None, None, 400, 300, 295, Some(280), 270));
    ds.cascade.push(row("2026-Q2", "020201", None, None, 500, 470, 460, Some(450), 440));
    let r = analyse(&ds, &config(), Geography::builtin());
    let ch = r.changes.as_ref().expect("changes");
    assert_eq!((ch.from, ch.to), (p("2026-Q2"), p("2026-Q3")));
    let a = &ch.areas["020101"];
    assert!((a.indicators["first"].expect("both") - 10.0).abs() < 1e-9);
    assert_eq!(a.gaps["diagnosed"], -40);
    // In Q2, 020101 was 15 points below the 90 % first-95 target: that bottleneck is resolved in Q3.
    assert!(a.resolved.contains(&"below-target:diagnosed".to_string()), "{a:?}");
    // Ranks among Battambang's communes by the share still needing treatment: Q2 has two
    // communes; Q3 three. 020101 in Q3: 400 × 85.5 % = 342 − 330 = 12 → 3 %; 020102: 85.5 − 88 → 0;
    // 020201: 427.5 → 428 − 460 → 0. Ties by code: 020101 = 1.
    assert_eq!(a.rank.1, Some(1));
}

#[test]
fn concentration_in_the_demo_shape() {
    // Ten communes of Battambang, gaps concentrated in two: 100 PLHIV each, diagnosed 60 in
    // 020101 and 020102 (gap 90 − 60 = 30 each under the 90 % trajectory target), 90 elsewhere (met).
    let codes = ["020101", "020102", "020103", "020104", "020105", "020106", "020107", "020108", "020201", "020202"];
    let cascade = codes.iter().enumerate().map(|(i, c)| {
        let d = if i < 2 { 60 } else { 90 };
        row("2026-Q3", c, None, None, 100, d, d, Some(d), d)
    });
    let ds = Dataset { cascade: cascade.collect(), ..Dataset::default() };
    let r = analyse(&ds, &config(), Geography::builtin());
    let prov = &r.latest().expect("p").provinces["02"];
    let conc = prov.concentration.as_ref().expect("concentration");
    // Province gap to diagnose: 1000 × 90 % = 900 − 780 = 120; communes hold 30 + 30 = 60
    // (the others are above 90 %). One commune holds half of 60: 1 of 10 → high.
    assert_eq!(conc.stage, Stage::Diagnosed);
    assert_eq!((conc.communes.len(), conc.of_communes, conc.share), (1, 10, 0.5));
    let b = prov.bottlenecks.iter().find(|b| matches!(b.kind, Kind::GapConcentration { .. })).expect("rule fires");
    assert!(b.explanation.starts_with("1 of 10 communes hold 50.0 %"), "{}", b.explanation);
}

// ---- properties ----

fn arb_counts() -> impl Strategy<Value = (u64, u64, u64, Option<u64>, u64)> {
    (0u64..5000, 0u64..5000, 0u64..5000, proptest::option::of(0u64..5000), 0u64..5000)
}

const COMMUNES: [&str; 6] = ["020101", "020102", "020201", "120101", "120109", "010201"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn sums_hold_and_nothing_is_nan(rows in proptest::collection::vec((0usize..6, arb_counts()), 1..20)) {
        let mut seen = std::collections::BTreeSet::new();
        let cascade: Vec<CascadeRow> = rows
            .into_iter()
            .filter(|(i, _)| seen.insert(*i))
            .map(|(i, (a, b, c, d, e))| row("2026-Q3", COMMUNES[i], None, None, a, b, c, d, e))
            .collect();
        let ds = Dataset { cascade: cascade.clone(), ..Dataset::default() };
        let r = analyse(&ds, &config(), Geography::builtin());
        let pr = r.latest().expect("period");
        // Commune sums equal district and province totals, and provinces the initiative.
        for (code, prov) in &pr.provinces {
            let from_rows: u64 = cascade.iter().filter(|r| r.area_code.starts_with(code.as_str())).map(|r| r.plhiv).sum();
            let from_districts: u64 = pr.districts.values().filter(|d| d.code.starts_with(code.as_str())).filter_map(|d| d.cascade.as_ref()).map(|c| c.counts.plhiv).sum();
            prop_assert_eq!(prov.cascade.as_ref().map(|c| c.counts.plhiv), Some(from_rows));
            prop_assert_eq!(from_districts, from_rows);
        }
        let total: u64 = cascade.iter().map(|r| r.on_art).sum();
        prop_assert_eq!(pr.initiative.cascade.as_ref().map(|c| c.counts.on_art), Some(total));
        // No figure is NaN or infinite; gaps never exceed what the target asks.
        for a in pr.communes.values().chain(pr.districts.values()).chain(pr.provinces.values()).chain(std::iter::once(&pr.initiative)) {
            let c = a.cascade.as_ref().expect("cascade");
            for v in [c.first, c.second, c.third, c.diagnosed_of_plhiv, c.on_art_of_plhiv, c.suppressed_of_plhiv, c.vl_coverage, c.unadjusted_suppression].into_iter().flatten() {
                prop_assert!(v.is_finite() && v >= 0.0);
            }
            prop_assert!(c.gaps.diagnosed <= c.counts.plhiv && c.gaps.on_art <= c.counts.plhiv && c.gaps.suppressed <= c.counts.plhiv);
            for b in &a.bottlenecks {
                prop_assert!(b.score.is_finite());
                prop_assert!(b.figures.values().all(|v| v.is_finite()));
            }
        }
    }

    #[test]
    fn order_of_rows_does_not_change_the_report(rows in proptest::collection::vec((0usize..6, arb_counts()), 1..12), seed in any::<u64>()) {
        let mut seen = std::collections::BTreeSet::new();
        let cascade: Vec<CascadeRow> = rows
            .into_iter()
            .filter(|(i, _)| seen.insert(*i))
            .map(|(i, (a, b, c, d, e))| row("2026-Q3", COMMUNES[i], None, None, a, b, c, d, e))
            .collect();
        let mut shuffled = cascade.clone();
        let n = shuffled.len();
        for i in 0..n {
            shuffled.swap(i, (seed as usize).wrapping_add(i * 7) % n);
        }
        let a = analyse(&Dataset { cascade, ..Dataset::default() }, &config(), Geography::builtin());
        let b = analyse(&Dataset { cascade: shuffled, ..Dataset::default() }, &config(), Geography::builtin());
        prop_assert_eq!(serde_json::to_string(&a).expect("json"), serde_json::to_string(&b).expect("json"));
    }

    #[test]
    fn budget_figures_are_finite(amounts in proptest::collection::vec((0.0f64..1e9, proptest::option::of(0.0f64..1e9), 0.0f64..1e9), 1..8)) {
        let budget = amounts.into_iter().map(|(a, r, s)| line("2026-Q3", "02", Category::Other, "KHR", a, r, s)).collect();
        let rep = analyse(&Dataset { budget, ..Dataset::default() }, &config(), Geography::builtin());
        let b = rep.latest().expect("p").provinces["02"].budget.clone().expect("budget");
        for v in [b.total.execution, b.total.release_rate, b.total.absorption, b.total.lag_points].into_iter().flatten() {
            prop_assert!(v.is_finite());
        }
    }
}

#[test]
fn methodology_worked_example_is_what_the_code_says() {
    // data/pages/methodology.md: 1,000 PLHIV, 950 diagnosed, 700 on ART, 690 suppressed;
    // treatment 10,000 USD approved, 3,000 spent at Q3 (2027: no interim target, so 95-95-95).
    let ds = Dataset {
        cascade: vec![row("2027-Q3", "02", None, None, 1000, 950, 700, Some(695), 690)],
        budget: vec![line("2027-Q3", "02", Category::Treatment, "USD", 10_000.0, None, 3_000.0)],
        ..Dataset::default()
    };
    let r = analyse(&ds, &config(), Geography::builtin());
    let prov = &r.latest().expect("p").provinces["02"];
    let c = prov.cascade.as_ref().expect("cascade");
    assert_eq!((c.gaps.diagnosed, c.gaps.on_art, c.gaps.suppressed), (0, 203, 168));
    let keys: Vec<String> = prov.bottlenecks.iter().map(|b| b.kind.key()).collect();
    assert_eq!(
        keys,
        ["unspent-where-gap:treatment:on_art", "largest-gap:on_art", "below-target:on_art", "budget-lag:treatment"]
    );
    let quoted = "Treatment money is only 30.0 % spent while 203 more people need to be on treatment, the largest gap here: releasing and spending it is the first lever.";
    assert_eq!(prov.bottlenecks[0].explanation, quoted);
    let page =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/pages/methodology.md")).expect("page");
    let page = page.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(page.contains(quoted), "the page quotes the explanation");
}

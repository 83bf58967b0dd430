//! Synthetic data: the demo project's submissions, generated deterministically from a seed.
//! Every figure is made up (plausible for Cambodia, labelled synthetic in every file), with a
//! handful of planted defects so the demo shows findings ([`PLANTED_DEFECTS`]).

mod national;
mod rng;
mod write;

use crate::geography::{Area, Geography};
use anyhow::{Context as _, Result};
use chrono::NaiveDate;
pub use national::{PERIODS as NATIONAL_PERIODS, write_national};
pub use rng::Rng;
use std::path::{Path, PathBuf};
pub use write::{Sheet, Value, write_workbook};

/// A demo province: code, folder slug, PLHIV to spread over its communes, and how its files
/// are written.
struct DemoProvince {
    code: &'static str,
    slug: &'static str,
    plhiv: f64,
    khmer: bool,
    disaggregated: bool,
    headers: [&'static str; 9],
}

const DEMO: [DemoProvince; 4] = [
    DemoProvince {
        code: "01",
        slug: "banteay-meanchey",
        plhiv: 5500.0,
        khmer: true,
        disaggregated: false,
        headers: KHMER_CASCADE,
    },
    DemoProvince {
        code: "02",
        slug: "battambang",
        plhiv: 7500.0,
        khmer: false,
        disaggregated: false,
        headers: [
            "Commune code",
            "Commune",
            "Sex",
            "Age group",
            "PLHIV",
            "Know status",
            "# on ART",
            "VL tested",
            "VL suppressed",
        ],
    },
    DemoProvince {
        code: "12",
        slug: "phnom-penh",
        plhiv: 21000.0,
        khmer: false,
        disaggregated: true,
        headers: [
            "Area code",
            "Area name",
            "Sex",
            "Age group",
            "PLHIV (estimate)",
            "Diagnosed",
            "On ART",
            "Viral load tested",
            "Virally suppressed (<1000)",
        ],
    },
    DemoProvince {
        code: "17",
        slug: "siem-reap",
        plhiv: 5000.0,
        khmer: false,
        disaggregated: false,
        headers: [
            "Code",
            "Commune name",
            "Sex",
            "Age group",
            "Estimated PLHIV",
            "PLHIV who know their status",
            "Currently on ART",
            "VL tested",
            "Suppressed",
        ],
    },
];

const KHMER_CASCADE: [&str; 9] = [
    "លេខកូដតំបន់",
    "ឈ្មោះតំបន់",
    "ភេទ",
    "ក្រុមអាយុ",
    "ចំនួនអ្នកផ្ទុកមេរោគអេដស៍ប៉ាន់ស្មាន",
    "ដឹងពីស្ថានភាពផ្ទុកមេរោគអេដស៍",
    "កំពុងព្យាបាលដោយឱសថ ARV",
    "បានធ្វើតេស្តបន្ទុកមេរោគ",
    "បន្ទុកមេរោគត្រូវបានបង្ក្រាប",
];
const KHMER_BUDGET: [&str; 8] =
    ["លេខកូដតំបន់", "សកម្មភាព", "ប្រភេទចំណាយ", "ប្រភពមូលនិធិ", "រូបិយប័ណ្ណ", "ថវិកាអនុម័ត", "ថវិកាបានបើក", "ថវិកាបានចំណាយ"];
const ENGLISH_BUDGET: [&str; 8] =
    ["Area code", "Activity", "Category", "Funding source", "Currency", "Approved", "Released", "Spent"];

/// The defects planted in 2026-Q3, so the demo shows findings. (file, sheet, cell, what)
pub const PLANTED_DEFECTS: &[(&str, &str, &str, &str)] = &[
    (
        "2026-Q3/02-battambang/Cascade_BTB_Q3 final (2).xlsx",
        "Cascade",
        "totals row, column E",
        "PLHIV total typed as a number 3 above the sum (totals-mismatch)",
    ),
    (
        "2026-Q3/02-battambang/Cascade_BTB_Q3 final (2).xlsx",
        "Cascade",
        "A9",
        "commune code typed as a number, leading zero lost (read as 020103, with a note)",
    ),
    ("2026-Q3/12-phnom-penh/cascade.xlsx", "Cascade", "G27", "on ART above diagnosed in one row (cascade-order)"),
    (
        "2026-Q3/17-siem-reap/*.xlsx",
        "Cascade, Budget",
        "B4",
        "submitted 2026-10-24, after the 2026-10-15 deadline (late-submission)",
    ),
    (
        "2026-Q3/01-banteay-meanchey/cascade.xlsx",
        "Cascade",
        "F7",
        "a count typed as text in Khmer digits: read as a number (note); the sheet's own SUM skipped it, so the totals row disagrees (totals-mismatch)",
    ),
];

/// The cascade of one area or group, in stage order.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Counts {
    plhiv: u64,
    diagnosed: u64,
    on_art: u64,
    vl_tested: u64,
    suppressed: u64,
}

/// The rates that make a commune's cascade from its PLHIV.
#[derive(Debug, Clone, Copy)]
struct Rates {
    first: f64,
    second: f64,
    coverage: f64,
    suppression: f64,
}

impl Rates {
    fn draw(rng: &mut Rng) -> Rates {
        Rates {
            // Cambodia 2024 (domain brief): 92-100-98, the first 95 the weakest step. VL testing
            // coverage is high but not complete, so suppressed / on ART sits a little lower.
            first: rng.range(0.85, 0.96),
            second: rng.range(0.96, 1.0),
            coverage: rng.range(0.90, 0.99),
            suppression: rng.range(0.96, 0.995),
        }
    }

    fn apply(&self, plhiv: u64) -> Counts {
        let diagnosed = (plhiv as f64 * self.first).round() as u64;
        let on_art = (diagnosed as f64 * self.second).round() as u64;
        let vl_tested = (on_art as f64 * self.coverage).round() as u64;
        let suppressed = (vl_tested as f64 * self.suppression).round() as u64;
        Counts { plhiv, diagnosed, on_art, vl_tested, suppressed }
    }

    /// The next quarter: a little more diagnosed, treated and tested; the same PLHIV estimate.
    fn grow(&self, rng: &mut Rng) -> Rates {
        Rates {
            first: (self.first * rng.range(1.005, 1.025)).min(0.99),
            second: (self.second * rng.range(1.0, 1.01)).min(1.0),
            coverage: (self.coverage * rng.range(1.0, 1.03)).min(0.98),
            suppression: self.suppression,
        }
    }
}

/// Split `total` by `weights` into whole numbers that add up to it (largest remainder).
fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    let short = total - parts.iter().sum::<u64>();
    for &i in order.iter().take(short as usize) {
        parts[i] += 1;
    }
    parts
}

/// Write the demo submissions under `root/submissions/`. Returns the paths written, sorted.
pub fn write_demo(geo: &Geography, root: &Path, seed: u64) -> Result<Vec<PathBuf>> {
    let rng = Rng::new(seed);
    let mut written = Vec::new();
    for p in &DEMO {
        let communes: Vec<&Area> = geo.communes_of_province(p.code).collect();
        anyhow::ensure!(!communes.is_empty(), "no communes for province {} in the geography", p.code);
        let province = geo.get(p.code).context("province missing from the geography")?;
        let mut r = rng.fork(p.code);
        let weights: Vec<f64> = communes.iter().map(|_| (r.normal() * 0.9).exp()).collect();
        let plhiv = apportion(p.plhiv as u64, &weights);
        let q2_rates: Vec<Rates> = communes.iter().map(|_| Rates::draw(&mut r)).collect();
        let q3_rates: Vec<Rates> = q2_rates.iter().map(|x| x.grow(&mut r)).collect();
        let budget = budget_lines(p, &communes, &mut rng.fork(&format!("budget-{}", p.code)));
        for (period, rates, q3) in [("2026-Q2", &q2_rates, false), ("2026-Q3", &q3_rates, true)] {
            let dir = root.join("submissions").join(period).join(format!("{}-{}", p.code, p.slug));
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let submitted = submission_date(p.code, q3, &mut rng.fork(&format!("date-{}-{period}", p.code)));
            let cascade = cascade_sheet(p, province, &communes, &plhiv, rates, period, submitted, q3);
            let (cname, bname) = file_names(p.code, q3);
            write_workbook(&dir.join(cname), &cascade)?;
            let sheet = budget_sheet(p, province, &budget, period, submitted, q3);
            write_workbook(&dir.join(bname), &sheet)?;
            written.push(dir.join(cname).strip_prefix(root).unwrap_or(&dir).to_path_buf());
            written.push(dir.join(bname).strip_prefix(root).unwrap_or(&dir).to_path_buf());
        }
    }
    written.sort();
    Ok(written)
}

fn file_names(code: &str, q3: bool) -> (&'static str, &'static str) {
    match (code, q3) {
        ("02", true) => ("Cascade_BTB_Q3 final (2).xlsx", "Budget_BTB_Q3.xlsx"),
        ("17", true) => ("SR cascade 2026Q3.xlsx", "SR budget 2026Q3.xlsx"),
        _ => ("cascade.xlsx", "budget.xlsx"),
    }
}

/// Q2 before the 15 July deadline, Q3 before 15 October; Siem Reap late in Q3 (a planted defect).
fn submission_date(code: &str, q3: bool, rng: &mut Rng) -> NaiveDate {
    let day = rng.int(3, 14) as u32;
    let (month, day) = match (code, q3) {
        ("17", true) => (10, 24),
        (_, true) => (10, day),
        (_, false) => (7, day),
    };
    NaiveDate::from_ymd_opt(2026, month, day).unwrap_or_default()
}

fn title(p: &DemoProvince, province: &Area, what: &str) -> String {
    let name = if p.khmer { &province.name_km } else { &province.name_en };
    format!("Fast-Track Cities Initiative — {what} — {name} — SYNTHETIC DEMO DATA, not real figures")
}

fn meta_labels(p: &DemoProvince) -> [String; 3] {
    if p.khmer {
        ["ខេត្ត".into(), "រយៈពេលរបាយការណ៍".into(), "កាលបរិច្ឆេទដាក់ស្នើ".into()]
    } else {
        ["Province".into(), "Period".into(), "Submitted".into()]
    }
}

/// Khmer digits for a number, as some officers type them.
fn khmer_digits(n: u64) -> String {
    n.to_string().chars().map(|c| char::from_u32('០' as u32 + c.to_digit(10).unwrap_or(0)).unwrap_or(c)).collect()
}

#[allow(clippy::too_many_arguments)]
fn cascade_sheet(
    p: &DemoProvince,
    province: &Area,
    communes: &[&Area],
    plhiv: &[u64],
    rates: &[Rates],
    period: &str,
    submitted: NaiveDate,
    q3: bool,
) -> Sheet {
    let mut rows = Vec::new();
    for (i, c) in communes.iter().enumerate() {
        let name = if p.khmer { &c.name_km } else { &c.name_en };
        let groups: Vec<(&str, &str, u64)> = if p.disaggregated {
            // Sex × age: about 3 % children, a little under half women among adults.
            let parts = apportion(plhiv[i], &[0.015, 0.46, 0.015, 0.51]);
            vec![("F", "0-14", parts[0]), ("F", "15+", parts[1]), ("M", "0-14", parts[2]), ("M", "15+", parts[3])]
        } else {
            vec![("", "", plhiv[i])]
        };
        for (sex, age, n) in groups {
            let k = rates[i].apply(n);
            let text = |s: &str| if s.is_empty() { Value::Blank } else { Value::Text(s.to_string()) };
            let num = |v: u64| Value::Number(v as f64);
            rows.push(vec![
                Value::Text(c.code.clone()),
                Value::Text(name.clone()),
                text(sex),
                text(age),
                num(k.plhiv),
                num(k.diagnosed),
                num(k.on_art),
                num(k.vl_tested),
                num(k.suppressed),
            ]);
        }
    }
    let mut totals = vec![None; 9];
    if q3 {
        plant_cascade_defects(p.code, &mut rows, &mut totals);
    }
    Sheet {
        sheet_name: "Cascade".into(),
        title: title(
            p,
            province,
            if p.khmer {
                "ការព្យាបាលមេរោគអេដស៍"
            } else {
                "HIV treatment cascade"
            },
        ),
        meta_labels: meta_labels(p),
        province: p.code.into(),
        period: period.into(),
        submitted,
        header: p.headers.iter().map(|h| h.to_string()).collect(),
        rows,
        totals: (!p.disaggregated).then(|| (if p.khmer { "សរុប" } else { "Total" }.to_string(), totals)),
        numeric_cols: (4..9).collect(),
    }
}

fn plant_cascade_defects(code: &str, rows: &mut [Vec<Value>], totals: &mut [Option<f64>]) {
    let number = |v: &Value| if let Value::Number(n) = v { *n } else { 0.0 };
    match code {
        "02" => {
            let sum: f64 = rows.iter().map(|r| number(&r[4])).sum();
            totals[4] = Some(sum + 3.0);
            if let Some(Value::Text(c)) = rows.get(2).map(|r| r[0].clone()) {
                rows[2][0] = Value::Number(c.parse().unwrap_or(0.0));
            }
        }
        "12" => {
            // Row 27 of the sheet is data row 21 (header on row 6).
            if let Some(r) = rows.get_mut(20) {
                r[6] = Value::Number(number(&r[5]) + 4.0);
                r[7] = Value::Number(number(&r[7]).min(number(&r[6])));
            }
        }
        "01" => {
            if let Some(r) = rows.get_mut(0) {
                r[5] = Value::Text(khmer_digits(number(&r[5]) as u64));
            }
        }
        _ => {}
    }
}

/// One budget line for the fiscal year; its execution is drawn per period.
struct Line {
    area: String,
    activity: &'static str,
    category: &'static str,
    funding: &'static str,
    currency: &'static str,
    approved: f64,
    /// Share of the approved amount spent by Q3, and released ahead of spending.
    spent_q3: f64,
    release_ahead: f64,
    q2_of_q3: f64,
}

const PROVINCIAL: &[(&str, &str, &str, f64, f64)] = &[
    ("Community-led HIV testing for key populations", "testing", "Global Fund", 40_000.0, 90_000.0),
    ("HIV self-test kits distribution", "testing", "PEPFAR", 15_000.0, 40_000.0),
    ("ARV and viral-load sample transport", "treatment", "RGC", 20_000.0, 45_000.0),
    ("Viral-load testing reagents", "treatment", "Global Fund", 30_000.0, 80_000.0),
    ("Same-day ART initiation support at referral hospital", "treatment", "PEPFAR", 10_000.0, 30_000.0),
    ("Condom and lubricant distribution", "prevention", "Global Fund", 10_000.0, 25_000.0),
    ("PrEP services for key populations", "prevention", "PEPFAR", 15_000.0, 40_000.0),
    ("Peer support for people living with HIV", "community", "Global Fund", 8_000.0, 20_000.0),
    ("Provincial AIDS committee coordination meetings", "management", "RGC", 3_000.0, 8_000.0),
    ("Data quality review and reporting", "management", "RGC", 2_000.0, 6_000.0),
];

const COMMUNE: &[(&str, &str)] = &[
    ("Outreach by commune council for HIV testing", "testing"),
    ("Support for PLHIV self-help group transport to ART site", "community"),
];

fn budget_lines(p: &DemoProvince, communes: &[&Area], rng: &mut Rng) -> Vec<Line> {
    let mut lines = Vec::new();
    for (activity, category, funding, lo, hi) in PROVINCIAL {
        // Battambang's treatment money lags badly: a bottleneck for the workshop.
        let lagging = p.code == "02" && *category == "treatment";
        let spent_q3 = if lagging { rng.range(0.25, 0.35) } else { rng.range(0.45, 0.80) };
        let approved = (rng.range(*lo, *hi) / 100.0).round() * 100.0;
        lines.push(line(p.code.to_string(), activity, category, funding, "USD", approved, spent_q3, rng));
    }
    for c in communes {
        if rng.unit() >= 1.0 / 3.0 {
            continue;
        }
        let (activity, category) = COMMUNE[rng.int(0, 1) as usize];
        let approved = (rng.range(2_000_000.0, 12_000_000.0) / 100_000.0).round() * 100_000.0;
        let spent_q3 = rng.range(0.40, 0.85);
        lines.push(line(c.code.clone(), activity, category, "CIP", "KHR", approved, spent_q3, rng));
    }
    lines
}

#[allow(clippy::too_many_arguments)]
fn line(
    area: String,
    activity: &'static str,
    category: &'static str,
    funding: &'static str,
    currency: &'static str,
    approved: f64,
    spent_q3: f64,
    rng: &mut Rng,
) -> Line {
    Line {
        area,
        activity,
        category,
        funding,
        currency,
        approved,
        spent_q3,
        release_ahead: rng.range(0.0, 0.15),
        q2_of_q3: rng.range(0.55, 0.72),
    }
}

fn budget_sheet(
    p: &DemoProvince,
    province: &Area,
    lines: &[Line],
    period: &str,
    submitted: NaiveDate,
    q3: bool,
) -> Sheet {
    let rows = lines
        .iter()
        .map(|l| {
            let share = if q3 { l.spent_q3 } else { l.spent_q3 * l.q2_of_q3 };
            let spent = (l.approved * share).round();
            let released = (l.approved * (share + l.release_ahead).min(1.0)).round();
            vec![
                Value::Text(l.area.clone()),
                Value::Text(l.activity.into()),
                Value::Text(l.category.into()),
                Value::Text(l.funding.into()),
                Value::Text(l.currency.into()),
                Value::Number(l.approved),
                Value::Number(released),
                Value::Number(spent),
            ]
        })
        .collect();
    let header = if p.khmer { KHMER_BUDGET } else { ENGLISH_BUDGET };
    Sheet {
        sheet_name: "Budget".into(),
        title: title(p, province, if p.khmer { "ថវិកា" } else { "HIV budget execution" }),
        meta_labels: meta_labels(p),
        province: p.code.into(),
        period: period.into(),
        submitted,
        header: header.iter().map(|h| h.to_string()).collect(),
        rows,
        totals: None,
        numeric_cols: (5..8).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_adds_up() {
        // 10 split 1:1:1 is 3.33 each; the largest remainders (ties by order) get the spare one.
        assert_eq!(apportion(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(apportion(7, &[0.5, 0.25, 0.25]).iter().sum::<u64>(), 7);
    }

    #[test]
    fn demo_is_byte_identical_across_runs_and_covers_every_commune() {
        let (a, b) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
        let geo = Geography::builtin();
        let files = write_demo(geo, a.path(), 2026).expect("writes");
        assert_eq!(files, write_demo(geo, b.path(), 2026).expect("writes"));
        assert_eq!(files.len(), 16, "4 provinces × 2 periods × 2 files");
        for f in &files {
            let (x, y) =
                (std::fs::read(a.path().join(f)).expect("read"), std::fs::read(b.path().join(f)).expect("read"));
            assert!(x == y, "{} differs between runs", f.display());
        }
    }

    #[test]
    fn cascade_rows_cover_every_commune_and_stay_in_order() {
        let geo = Geography::builtin();
        for p in &DEMO {
            let communes: Vec<&Area> = geo.communes_of_province(p.code).collect();
            let mut r = Rng::new(1);
            let rates: Vec<Rates> = communes.iter().map(|_| Rates::draw(&mut r)).collect();
            let plhiv = apportion(p.plhiv as u64, &vec![1.0; communes.len()]);
            let province = geo.get(p.code).expect("province");
            let date = NaiveDate::from_ymd_opt(2026, 7, 1).expect("date");
            let s = cascade_sheet(p, province, &communes, &plhiv, &rates, "2026-Q2", date, false);
            let per = if p.disaggregated { 4 } else { 1 };
            assert_eq!(s.rows.len(), communes.len() * per, "{}", p.code);
            for row in &s.rows {
                let n: Vec<f64> = row[4..].iter().map(|v| if let Value::Number(n) = v { *n } else { -1.0 }).collect();
                assert!(n.windows(2).all(|w| w[0] >= w[1]), "{row:?}");
            }
        }
    }

    #[test]
    fn planted_defects_are_in_q3_only() {
        let mut rows = vec![vec![Value::Number(0.0); 9]; 30];
        let mut totals = vec![None; 9];
        plant_cascade_defects("12", &mut rows, &mut totals);
        assert!(matches!((&rows[20][5], &rows[20][6]), (Value::Number(d), Value::Number(a)) if a > d));
        let mut rows =
            vec![vec![Value::Text("020101".into()), Value::Blank, Value::Blank, Value::Blank, Value::Number(5.0)]; 3];
        plant_cascade_defects("02", &mut rows, &mut totals);
        assert_eq!(totals[4], Some(18.0));
        assert_eq!(rows[2][0], Value::Number(20101.0));
        assert_eq!(khmer_digits(1204), "១២០៤");
    }

    /// `cargo test --lib synth -- --ignored regenerate_demo` rewrites data/submissions.
    #[test]
    #[ignore]
    fn regenerate_demo() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let files = write_demo(Geography::builtin(), &root, 2026).expect("writes");
        assert_eq!(files.len(), 16);
    }
}

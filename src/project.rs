//! Project loading: `ftc.toml`, the project folder's layout, and the geography it uses.
//!
//! Config structs reject unknown keys, so a typo in `ftc.toml` is an error that names the key
//! and its line.

use crate::geography::{Geography, GeographyError};
use crate::period::Period;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "ftc.toml";
pub const GEOGRAPHY_FILE: &str = "geography.csv";
pub const SUBMISSIONS_DIR: &str = "submissions";

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    /// The provinces in the initiative (two-digit codes). Periods expect these unless they say otherwise.
    pub provinces: Vec<String>,
    #[serde(default)]
    pub money: Money,
    #[serde(default)]
    pub targets: Targets,
    #[serde(default)]
    pub thresholds: Thresholds,
    #[serde(default)]
    pub limits: Limits,
    /// Per reporting period: deadline and expected provinces.
    #[serde(default)]
    pub periods: BTreeMap<String, PeriodConfig>,
    #[serde(default)]
    pub briefs: Briefs,
    #[serde(default)]
    pub edition: EditionConfig,
}

/// How editions are dated.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct EditionConfig {
    /// The date editions carry (`"2026-10-20"`). Without it, `SOURCE_DATE_EPOCH`, else the end
    /// of the reporting period: never the clock, so a build can be reproduced.
    #[serde(default, deserialize_with = "toml_date")]
    pub date: Option<chrono::NaiveDate>,
}

/// Which communes get a one-page brief.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Briefs {
    /// Commune codes (`"020101"`).
    #[serde(default)]
    pub communes: Vec<String>,
    /// Every commune with figures (`ftc build --all-commune-briefs` sets it too).
    #[serde(default)]
    pub all_communes: bool,
}

fn default_languages() -> Vec<String> {
    vec!["en".into(), "km".into()]
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// The currency every figure is reported in.
    #[serde(default = "usd")]
    pub reporting_currency: String,
    /// The currency of a budget line whose currency cell is blank.
    #[serde(default = "usd")]
    pub default_currency: String,
    /// Units of each currency per one unit of the reporting currency (`KHR = 4100.0`).
    #[serde(default)]
    pub rates: BTreeMap<String, f64>,
    /// First month of the fiscal year (1 = January; Cambodia's is the calendar year).
    #[serde(default = "one")]
    pub fiscal_year_start_month: u32,
}

fn usd() -> String {
    "USD".into()
}
fn one() -> u32 {
    1
}

impl Default for Money {
    fn default() -> Self {
        Money { reporting_currency: usd(), default_currency: usd(), rates: BTreeMap::new(), fiscal_year_start_month: 1 }
    }
}

/// The three 95s, in percent.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Stages {
    pub first: f64,
    pub second: f64,
    pub third: f64,
}

impl Default for Stages {
    fn default() -> Self {
        Stages { first: 95.0, second: 95.0, third: 95.0 }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    #[serde(flatten, default)]
    pub stages: Stages,
    /// The year the targets are to be met.
    #[serde(default = "target_year")]
    pub year: i32,
    /// Per-province overrides, keyed by province code.
    #[serde(default)]
    pub province: BTreeMap<String, Stages>,
    /// Interim targets per year up to `year`, keyed by year (`"2026"`).
    #[serde(default)]
    pub trajectory: BTreeMap<String, Stages>,
}

fn target_year() -> i32 {
    2030
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            stages: Stages::default(),
            year: target_year(),
            province: BTreeMap::new(),
            trajectory: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// A figure that moves by more than this percentage against the previous period is a `jump`.
    pub jump_percent: f64,
    /// Ignore jumps in figures smaller than this (small counts move a lot).
    pub jump_min_count: f64,
    /// Totals rows may differ from the sum of their rows by this much before it is a finding.
    pub totals_tolerance: f64,
    /// Budget execution this many percentage points below the expected share is a bottleneck.
    pub budget_lag_points: f64,
    /// A stage this many percentage points below target is a bottleneck.
    pub stage_tolerance_points: f64,
    /// Viral-load testing coverage below this percent: read suppression with caution.
    pub vl_coverage_caution: f64,
    /// Counts from 1 to below this are suppressed on the public site.
    pub suppression: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            jump_percent: 50.0,
            jump_min_count: 20.0,
            totals_tolerance: 0.0,
            budget_lag_points: 10.0,
            stage_tolerance_points: 5.0,
            vl_coverage_caution: 75.0,
            suppression: 5,
        }
    }
}

/// Bounds that keep a hostile or broken file from taking the machine.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_rows: u32,
    pub max_columns: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_file_bytes: 50 * 1024 * 1024, max_rows: 20_000, max_columns: 200 }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct PeriodConfig {
    /// Files submitted after this date are late. A TOML date (`2026-10-15`) or a string.
    #[serde(default, deserialize_with = "toml_date")]
    pub deadline: Option<NaiveDate>,
    /// Provinces expected this period (default: all of `provinces`).
    pub expected: Option<Vec<String>>,
}

/// A TOML local date, or a date in a string, as a `NaiveDate`.
fn toml_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Date(toml::value::Datetime),
        Text(String),
    }
    let text = match Raw::deserialize(d)? {
        Raw::Date(dt) => dt.to_string(),
        Raw::Text(s) => s,
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("'{text}' is not a date (write 2026-10-15)")))
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{path}: cannot read the file: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error(transparent)]
    Geography(#[from] GeographyError),
}

impl Config {
    /// Parse `ftc.toml` text. `name` is used in messages. Errors name the key and the line.
    pub fn parse(text: &str, name: &Path) -> Result<Config, ProjectError> {
        let config: Config = toml::from_str(text)
            .map_err(|e| ProjectError::Config { path: name.to_path_buf(), message: describe_toml_error(text, &e) })?;
        config.check().map_err(|message| ProjectError::Config { path: name.to_path_buf(), message })?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        for p in &self.provinces {
            if p.len() != 2 || !p.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!("provinces: '{p}' is not a two-digit province code (e.g. \"12\")"));
            }
        }
        for key in self.periods.keys() {
            key.parse::<Period>().map_err(|e| format!("[periods.\"{key}\"]: {e}"))?;
        }
        for (cur, rate) in &self.money.rates {
            if !(rate.is_finite() && *rate > 0.0) {
                return Err(format!("[money.rates] {cur} = {rate}: a rate must be a positive number"));
            }
        }
        if !(1..=12).contains(&self.money.fiscal_year_start_month) {
            return Err("[money] fiscal_year_start_month must be from 1 to 12".into());
        }
        Ok(())
    }

    /// The period's settings, if `ftc.toml` has a section for it.
    pub fn period(&self, period: Period) -> Option<&PeriodConfig> {
        self.periods.iter().find(|(k, _)| k.parse::<Period>().ok() == Some(period)).map(|(_, v)| v)
    }

    /// Provinces expected to submit for `period`.
    pub fn expected_provinces(&self, period: Period) -> Vec<String> {
        self.period(period).and_then(|p| p.expected.clone()).unwrap_or_else(|| self.provinces.clone())
    }
}

/// toml's message already names the unknown key and the expected ones; add the line number
/// (1-based) taken from the error's span.
fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let msg = e.message().trim_end().to_string();
    match line {
        Some(l) => format!("line {l}: {msg}"),
        None => msg,
    }
}

/// A loaded project: its root folder, config and geography.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    pub geography: Geography,
}

/// The text of a project's settings: `ftc.toml`, and `geography.csv` when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub config: String,
    pub geography: Option<String>,
}

impl Settings {
    pub fn read(root: &Path) -> Result<Settings, ProjectError> {
        let cfg_path = root.join(CONFIG_FILE);
        let config =
            std::fs::read_to_string(&cfg_path).map_err(|source| ProjectError::Io { path: cfg_path.clone(), source })?;
        let geo_path = root.join(GEOGRAPHY_FILE);
        let geography = if geo_path.is_file() { Some(Geography::read_text(&geo_path)?) } else { None };
        Ok(Settings { config, geography })
    }
}

impl Project {
    /// Load `root/ftc.toml` and `root/geography.csv` (the built-in geography when the project has none).
    pub fn load(root: &Path) -> Result<Project, ProjectError> {
        Project::from_settings(root, &Settings::read(root)?)
    }

    /// The project whose settings were read already (so a caller can hash the very bytes the
    /// project is made from).
    pub fn from_settings(root: &Path, settings: &Settings) -> Result<Project, ProjectError> {
        let cfg_path = root.join(CONFIG_FILE);
        let config = Config::parse(&settings.config, &cfg_path)?;
        let geography = match &settings.geography {
            Some(text) => Geography::parse(text, &root.join(GEOGRAPHY_FILE).display().to_string())?,
            None => Geography::builtin().clone(),
        };
        for p in &config.provinces {
            if geography.get(p).is_none() {
                return Err(ProjectError::Config {
                    path: cfg_path,
                    message: format!("provinces: '{p}' is not a province in the geography"),
                });
            }
        }
        Ok(Project { root: root.to_path_buf(), config, geography })
    }

    pub fn submissions_dir(&self) -> PathBuf {
        self.root.join(SUBMISSIONS_DIR)
    }
}

/// The regular files directly in `dir`, sorted, and a problem line for each symbolic link met
/// (including `dir` itself being one). Links are never followed: one could point out of the
/// project and publish what it points to. A missing `dir` has no files and no problems.
pub fn plain_files(dir: &Path) -> (Vec<PathBuf>, Vec<String>) {
    let link = |p: &Path| {
        format!(
            "{}: is a symbolic link; ftc does not follow links, so it was not read. Copy the file itself into the project folder.",
            p.display()
        )
    };
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return (Vec::new(), vec![link(dir)]);
    }
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        match entry.file_type() {
            Ok(t) if t.is_symlink() => problems.push(link(&entry.path())),
            Ok(t) if t.is_file() => files.push(entry.path()),
            _ => {}
        }
    }
    files.sort();
    problems.sort();
    (files, problems)
}

/// A free page's name as it becomes part of the site's paths and links: letters (any script),
/// digits, `-` and `_` only, so a file name can never carry markup or a path into the site.
pub fn page_slug(path: &Path) -> Result<String, String> {
    let slug = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if !slug.is_empty() && slug.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
        Ok(slug)
    } else {
        Err("the page was not published: its file name may hold only letters, digits, '-' and '_' (e.g. pages/methodology.md); rename it".into())
    }
}

/// Whether `dir` looks like a project folder (has `ftc.toml`).
pub fn is_project(dir: &Path) -> bool {
    dir.join(CONFIG_FILE).is_file()
}

/// The project folder that contains `path` (itself or an ancestor holding `ftc.toml`).
pub fn find_project_root(path: &Path) -> Option<PathBuf> {
    let start = if path.is_dir() { path.to_path_buf() } else { path.parent()?.to_path_buf() };
    start.ancestors().find(|d| is_project(d)).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "title = \"t\"\nprovinces = [\"12\"]\n";

    #[test]
    fn minimal_config_gets_defaults() {
        let c = Config::parse(MINIMAL, Path::new("ftc.toml")).expect("parses");
        assert_eq!(c.targets.stages.first, 95.0);
        assert_eq!(c.thresholds.suppression, 5);
        assert_eq!(c.money.fiscal_year_start_month, 1);
        assert_eq!(c.languages, vec!["en", "km"]);
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let text = format!("{MINIMAL}\n[thresholds]\njump_percent = 40\njmup_min_count = 3\n");
        let err = Config::parse(&text, Path::new("ftc.toml")).expect_err("typo is an error").to_string();
        assert!(err.contains("jmup_min_count"), "{err}");
        assert!(err.contains("line 6"), "{err}");
    }

    #[test]
    fn unknown_top_level_key() {
        let err = Config::parse("title=\"t\"\nprovinces=[]\ncolour = 1\n", Path::new("ftc.toml"))
            .expect_err("unknown")
            .to_string();
        assert!(err.contains("colour") && err.contains("line 3"), "{err}");
    }

    #[test]
    fn bad_values_are_explained() {
        let e = Config::parse("title=\"t\"\nprovinces=[\"7\"]\n", Path::new("f")).expect_err("bad").to_string();
        assert!(e.contains("two-digit"), "{e}");
        let e = Config::parse("title=\"t\"\nprovinces=[]\n[periods.\"2026-Q7\"]\n", Path::new("f"))
            .expect_err("bad")
            .to_string();
        assert!(e.contains("2026-Q7"), "{e}");
    }

    #[test]
    fn period_lookup_and_expected() {
        let text =
            "title=\"t\"\nprovinces=[\"01\",\"12\"]\n[periods.\"2026-Q3\"]\ndeadline = 2026-10-15\nexpected=[\"12\"]\n";
        let c = Config::parse(text, Path::new("f")).expect("parses");
        let q3: Period = "2026-Q3".parse().expect("p");
        let q2: Period = "2026-Q2".parse().expect("p");
        assert_eq!(c.expected_provinces(q3), vec!["12"]);
        assert_eq!(c.expected_provinces(q2), vec!["01", "12"]);
        assert_eq!(c.period(q3).and_then(|p| p.deadline), NaiveDate::from_ymd_opt(2026, 10, 15));
        for date in ["2026-10-20", "\"2026-10-20\""] {
            let c = Config::parse(
                &format!("title=\"t\"\nprovinces=[\"01\"]\n[edition]\ndate = {date}\n"),
                Path::new("ftc.toml"),
            )
            .expect("parses");
            assert_eq!(c.edition.date, NaiveDate::from_ymd_opt(2026, 10, 20), "{date}");
        }
    }
}

//! Validate stage: [`Submissions`] → [`Dataset`]. Reads every cell as what its column means,
//! applies the data contract's rules, and returns typed rows keyed by area and period with
//! every finding as a value. Errors drop the row (or file) from the figures; warnings keep it.

pub mod cells;
mod reconcile;
mod rows;
pub mod stored;

use crate::finding::{Finding, Location, Rule, Severity, sort_findings};
use crate::geography::Geography;
use crate::ingest::aliases::{Field, MetaKey, TableKind};
use crate::ingest::grid::Cell;
use crate::ingest::sniff::Format;
use crate::ingest::{SubmissionFile, Submissions};
use crate::period::{Period, date_from_serial, parse_date_text};
use crate::project::Config;
pub use cells::{AgeGroup, Category, Sex};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// One cascade row that passed validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CascadeRow {
    pub period: Option<Period>,
    pub province: String,
    pub area_code: String,
    pub sex: Option<Sex>,
    pub age_group: Option<AgeGroup>,
    pub plhiv: u64,
    pub diagnosed: u64,
    pub on_art: u64,
    pub vl_tested: Option<u64>,
    pub vl_suppressed: u64,
    #[serde(skip)]
    pub location: Location,
}

impl CascadeRow {
    pub fn is_total(&self) -> bool {
        self.sex.is_none() && self.age_group.is_none()
    }
    /// The counts in cascade order, with their column ids.
    pub fn counts(&self) -> [(Field, Option<u64>); 5] {
        [
            (Field::Plhiv, Some(self.plhiv)),
            (Field::Diagnosed, Some(self.diagnosed)),
            (Field::OnArt, Some(self.on_art)),
            (Field::VlTested, self.vl_tested),
            (Field::VlSuppressed, Some(self.vl_suppressed)),
        ]
    }
}

/// One budget line that passed validation. Amounts are in the line's own currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetRow {
    pub period: Option<Period>,
    pub province: String,
    pub area_code: String,
    pub activity: String,
    pub category: Category,
    pub funding_source: String,
    pub currency: String,
    pub approved: f64,
    pub released: Option<f64>,
    pub spent: f64,
    #[serde(skip)]
    pub location: Location,
}

/// What `check` says it understood about a table.
#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    pub sheet: String,
    pub kind: TableKind,
    /// 1-based header row(s).
    pub header_rows: (u32, u32),
    /// column letter, header as written, field it became.
    pub columns: Vec<ColumnReport>,
    pub ignored_columns: Vec<ColumnReport>,
    pub rows_read: usize,
    pub rows_used: usize,
    pub totals_rows: usize,
    /// Sum of each numeric column over the rows read (as written, before any row is dropped).
    pub totals: BTreeMap<&'static str, f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnReport {
    pub column: String,
    pub header: String,
    pub field: Option<&'static str>,
}

/// What was understood about one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub format: Option<Format>,
    pub bytes: u64,
    pub period: Option<Period>,
    pub province: Option<String>,
    pub period_written: Option<String>,
    pub submitted: Option<NaiveDate>,
    /// Where the submission date was read.
    #[serde(skip)]
    pub submitted_cell: Option<Location>,
    pub tables: Vec<TableReport>,
}

/// The validated data of a project (or of files checked alone).
#[derive(Debug, Default, Clone)]
pub struct Dataset {
    pub cascade: Vec<CascadeRow>,
    pub budget: Vec<BudgetRow>,
    pub files: Vec<FileReport>,
    /// Every finding, sorted by place.
    pub findings: Vec<Finding>,
}

impl Dataset {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
    pub fn periods(&self) -> Vec<Period> {
        // Each period once per run of rows (a file's rows sit together), not once per row.
        let mut v: Vec<Period> = Vec::new();
        for p in self.cascade.iter().map(|r| r.period).chain(self.budget.iter().map(|r| r.period)).flatten() {
            if v.last() != Some(&p) {
                v.push(p);
            }
        }
        v.sort();
        v.dedup();
        v
    }
}

/// What validation needs to know besides the files.
pub struct Context<'a> {
    pub geography: &'a Geography,
    /// The project's config; `None` when checking lone files.
    pub config: Option<&'a Config>,
}

impl Context<'_> {
    fn default_currency(&self) -> &str {
        self.config.map_or("USD", |c| c.money.default_currency.as_str())
    }
    fn currencies(&self) -> Vec<String> {
        let mut v = vec!["KHR".to_string(), "USD".to_string()];
        if let Some(c) = self.config {
            v.push(c.money.reporting_currency.clone());
            v.extend(c.money.rates.keys().cloned());
        }
        v
    }
}

/// Validate everything read. Pure: no file system, no printing.
pub fn validate(submissions: &Submissions, ctx: &Context<'_>) -> Dataset {
    // Files are validated in parallel, each into its own part, and the parts joined in file
    // order: the same dataset as one file after another.
    use rayon::prelude::*;
    let parts: Vec<Dataset> = submissions.files.par_iter().map(|file| validate_part(file, ctx)).collect();
    assemble(submissions.findings.clone(), parts, ctx)
}

/// One file's rows, report and findings: what [`validate`] makes of it before the files are
/// checked against each other. Depends on the file and `ctx` alone.
pub fn validate_part(file: &SubmissionFile, ctx: &Context<'_>) -> Dataset {
    let mut part = Dataset::default();
    validate_file(file, ctx, &mut part);
    part
}

/// The dataset of the files' parts (in file order) and the findings about the folders: the
/// parts joined, then the checks across files.
pub fn assemble(findings: Vec<Finding>, parts: Vec<Dataset>, ctx: &Context<'_>) -> Dataset {
    let mut ds = Dataset { findings, ..Default::default() };
    // Room for every part's rows at once. Joining still takes the main thread 20-40 ms on a
    // national project while the other core waits: most of it is the first touch of the joined
    // rows' 40 MB (page faults), not copying; keeping the parts apart would end it.
    ds.cascade.reserve_exact(parts.iter().map(|p| p.cascade.len()).sum());
    ds.budget.reserve_exact(parts.iter().map(|p| p.budget.len()).sum());
    ds.files.reserve_exact(parts.iter().map(|p| p.files.len()).sum());
    ds.findings.reserve(parts.iter().map(|p| p.findings.len()).sum());
    for part in parts {
        ds.cascade.extend(part.cascade);
        ds.budget.extend(part.budget);
        ds.files.extend(part.files);
        ds.findings.extend(part.findings);
    }
    reconcile::duplicates(&mut ds);
    // The checks across files only read the rows: run side by side (on a national project each
    // took one core 10-25 ms while the other waited), their findings added in this order.
    use rayon::prelude::*;
    let found: Vec<Vec<Finding>> = (0..5)
        .into_par_iter()
        .map(|check| match (check, ctx.config) {
            (0, _) => reconcile::disaggregation(&ds),
            (1, _) => reconcile::province_rows(&ds),
            (2, Some(config)) => reconcile::jumps(&ds, config),
            (3, Some(config)) => reconcile::completeness(&ds, config),
            (4, Some(config)) => reconcile::timeliness(&ds, config),
            _ => Vec::new(),
        })
        .collect();
    ds.findings.extend(found.into_iter().flatten());
    sort_findings(&mut ds.findings);
    ds
}

fn validate_file(file: &SubmissionFile, ctx: &Context<'_>, ds: &mut Dataset) {
    ds.findings.extend(file.findings.iter().cloned());
    let meta = FileMeta::read(file, ctx, &mut ds.findings);
    let province = file.province.clone().or(meta.province.clone()).or_else(|| infer_province(file));
    let mut report = FileReport {
        path: file.path.clone(),
        format: file.format,
        bytes: file.bytes,
        period: file.period,
        province: province.clone(),
        period_written: meta.period_written.clone(),
        submitted: meta.submitted.as_ref().map(|(d, _)| *d),
        submitted_cell: meta.submitted.as_ref().map(|(_, l)| l.clone()),
        tables: Vec::new(),
    };
    let scope = rows::Scope {
        file: &file.path,
        period: file.period.or(meta.period),
        province: province.as_deref(),
        ctx,
        currencies: ctx.currencies(),
    };
    for table in &file.tables {
        report.tables.push(rows::validate_table(table, &scope, ds));
    }
    ds.files.push(report);
}

/// For a file outside the project layout that does not say its province: the province most of
/// its area codes belong to, so a stray code from another province still stands out.
fn infer_province(file: &SubmissionFile) -> Option<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for row in file.tables.iter().flat_map(|t| &t.rows) {
        let Some((_, cell)) = row.get(Field::AreaCode) else { continue };
        let raw = match cell {
            Cell::Number(n) => crate::ingest::grid::format_number(*n),
            other => other.display(),
        };
        if let Some(code) = crate::geography::normalize_code(&raw) {
            *counts.entry(crate::geography::province_of(&code).to_string()).or_default() += 1;
        }
    }
    counts.into_iter().max_by_key(|(p, n)| (*n, std::cmp::Reverse(p.clone()))).map(|(p, _)| p)
}

/// Metadata a file states about itself, checked against its folder.
#[derive(Debug, Default)]
pub(crate) struct FileMeta {
    pub period: Option<Period>,
    pub period_written: Option<String>,
    pub province: Option<String>,
    pub submitted: Option<(NaiveDate, Location)>,
}

impl FileMeta {
    fn read(file: &SubmissionFile, ctx: &Context<'_>, findings: &mut Vec<Finding>) -> FileMeta {
        let mut meta = FileMeta::default();
        for (sheet, m) in &file.meta {
            let loc = Location::sheet(&file.path, sheet).with_cell(m.row, m.col);
            match m.key {
                MetaKey::Period if meta.period_written.is_none() => meta.read_period(&m.value, file, loc, findings),
                MetaKey::Province if meta.province.is_none() => meta.read_province(&m.value, file, ctx, loc, findings),
                MetaKey::Submitted if meta.submitted.is_none() => {
                    meta.submitted = match &m.value {
                        Cell::Date(d) => Some((*d, loc)),
                        Cell::Number(n) => date_from_serial(*n, false).map(|d| (d, loc)),
                        other => parse_date_text(&other.display()).map(|d| (d, loc)),
                    }
                }
                _ => {}
            }
        }
        meta
    }

    fn read_period(&mut self, value: &Cell, file: &SubmissionFile, loc: Location, findings: &mut Vec<Finding>) {
        let text = value.display();
        self.period_written = Some(text.clone());
        match text.parse::<Period>() {
            Ok(p) => {
                self.period = Some(p);
                if let Some(folder) = file.period.filter(|f| *f != p) {
                    findings.push(
                        Finding::warning(Rule::PeriodMismatch, "period.mismatch", loc)
                            .arg("written", p)
                            .arg("folder", folder)
                            .value(text),
                    );
                }
            }
            Err(_) => findings
                .push(Finding::warning(Rule::PeriodMismatch, "period.unparsed", loc).arg("value", &text).value(text)),
        }
    }

    fn read_province(
        &mut self,
        value: &Cell,
        file: &SubmissionFile,
        ctx: &Context<'_>,
        loc: Location,
        findings: &mut Vec<Finding>,
    ) {
        let text = value.display();
        let code = crate::geography::normalize_code(&text)
            .filter(|c| c.len() == 2 && ctx.geography.get(c).is_some())
            .or_else(|| ctx.geography.find_province(&text).map(|a| a.code.clone()));
        if let (Some(code), Some(folder)) = (&code, &file.province)
            && code != folder
        {
            findings.push(
                Finding::warning(Rule::ProvinceMismatch, "province.mismatch", loc)
                    .arg("written", code)
                    .arg("folder", folder)
                    .value(text),
            );
        }
        self.province = code;
    }
}

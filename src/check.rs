//! `ftc check`: validate submissions only, and say what was understood and what is wrong, for a
//! person (grouped by file, sorted by place) or a machine (JSON, schema `ftc-check/1`).

use crate::finding::{Finding, Severity};
use crate::geography::Geography;
use crate::ingest;
use crate::project::{self, Limits, Project, ProjectError};
use crate::validate::{self, Context, Dataset, FileReport};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Validate the given files or folders. A folder that is a project (or lies inside one) is
/// checked with that project's config and geography, so completeness and timeliness are judged;
/// anything else is checked alone against the built-in geography.
pub fn check_paths(paths: &[PathBuf]) -> Result<Dataset, ProjectError> {
    let mut all = Dataset::default();
    let mut lone = Vec::new();
    for path in paths {
        if !path.exists() {
            return Err(ProjectError::Io {
                path: path.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            });
        }
        match project::find_project_root(path) {
            Some(root) => merge(&mut all, check_in_project(&root, path)?),
            None => lone.push(path.clone()),
        }
    }
    if !lone.is_empty() {
        let subs = ingest::ingest_paths(&lone, &Limits::default());
        merge(&mut all, validate::validate(&subs, &Context { geography: Geography::builtin(), config: None }));
    }
    crate::finding::sort_findings(&mut all.findings);
    Ok(all)
}

fn check_in_project(root: &Path, path: &Path) -> Result<Dataset, ProjectError> {
    let project = Project::load(root)?;
    let subs = ingest::ingest(&project);
    let mut ds = validate::validate(&subs, &Context { geography: &project.geography, config: Some(&project.config) });
    let within = |shown: &str| -> bool {
        let rel = path
            .canonicalize()
            .ok()
            .zip(root.canonicalize().ok())
            .and_then(|(p, r)| p.strip_prefix(&r).ok().map(Path::to_path_buf));
        match rel {
            Some(rel) if rel.as_os_str().is_empty() => true,
            Some(rel) => Path::new(shown).starts_with(&rel),
            None => true,
        }
    };
    ds.files.retain(|f| within(&f.path));
    ds.findings.retain(|f| within(&f.location.file));
    Ok(ds)
}

fn merge(into: &mut Dataset, from: Dataset) {
    into.cascade.extend(from.cascade);
    into.budget.extend(from.budget);
    into.files.extend(from.files);
    into.findings.extend(from.findings);
}

/// Rule ids whose notes repeat what the "understood" block already says.
const QUIET_NOTES: &[&str] = &["note.header-row", "note.totals-row"];

fn shown(f: &Finding) -> bool {
    !(f.severity == Severity::Note && QUIET_NOTES.contains(&f.message_id))
}

/// Human output: one block per file, findings sorted by place, one summary line.
pub fn render_human(ds: &Dataset, color: bool) -> String {
    let paint = Paint(color);
    let mut out = String::new();
    let by_file = findings_by_file(ds);
    let mut paths: Vec<&str> = ds.files.iter().map(|f| f.path.as_str()).collect();
    paths.extend(by_file.keys().copied().filter(|p| !ds.files.iter().any(|f| f.path == *p)));
    for path in paths {
        let _ = writeln!(out, "{}", paint.bold(path));
        if let Some(file) = ds.files.iter().find(|f| f.path == path) {
            understood(&mut out, file);
        }
        for f in by_file.get(path).into_iter().flatten().filter(|f| shown(f)) {
            let place =
                [f.location.sheet.clone(), f.location.place()].into_iter().flatten().collect::<Vec<_>>().join(" › ");
            let sev = match f.severity {
                Severity::Error => paint.red("error  "),
                Severity::Warning => paint.yellow("warning"),
                Severity::Note => paint.dim("note   "),
            };
            let _ = writeln!(out, "  {sev} {place:<18} {:<18} {}", f.rule.id(), f.message());
        }
        out.push('\n');
    }
    out.push_str(&summary_line(ds));
    out.push('\n');
    out
}

fn understood(out: &mut String, file: &FileReport) {
    let mut facts = vec![file.format.map_or("unread".to_string(), |f| f.as_str().to_string())];
    facts.extend(file.period.map(|p| format!("period {p}")));
    facts.extend(file.province.as_ref().map(|p| format!("province {p}")));
    facts.extend(file.submitted.map(|d| format!("submitted {d}")));
    let _ = writeln!(out, "  {}", facts.join(", "));
    for t in &file.tables {
        let header = if t.header_rows.0 == t.header_rows.1 {
            format!("row {}", t.header_rows.1)
        } else {
            format!("rows {}-{}", t.header_rows.0, t.header_rows.1)
        };
        let _ = writeln!(out, "  sheet '{}': {} table, header on {header}", t.sheet, t.kind.as_str());
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|c| format!("{} \"{}\" → {}", c.column, one_line(&c.header), c.field.unwrap_or("?")))
            .collect();
        let _ = writeln!(out, "    columns: {}", cols.join("; "));
        if !t.ignored_columns.is_empty() {
            let ign: Vec<String> =
                t.ignored_columns.iter().map(|c| format!("{} \"{}\"", c.column, one_line(&c.header))).collect();
            let _ = writeln!(out, "    ignored: {}", ign.join("; "));
        }
        let _ = writeln!(out, "    rows read {}, used {}, totals rows {}", t.rows_read, t.rows_used, t.totals_rows);
        let totals: Vec<String> =
            t.totals.iter().map(|(k, v)| format!("{k} {}", crate::ingest::grid::format_number(*v))).collect();
        if !totals.is_empty() {
            let _ = writeln!(out, "    column totals: {}", totals.join(", "));
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn findings_by_file(ds: &Dataset) -> BTreeMap<&str, Vec<&Finding>> {
    let mut m: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &ds.findings {
        m.entry(f.location.file.as_str()).or_default().push(f);
    }
    m
}

pub fn summary_line(ds: &Dataset) -> String {
    let with_findings =
        findings_by_file(ds).values().filter(|v| v.iter().any(|f| f.severity != Severity::Note)).count();
    format!(
        "{} file(s) checked: {} error(s), {} warning(s), {} note(s); {} file(s) or folder(s) with findings",
        ds.files.len(),
        ds.count(Severity::Error),
        ds.count(Severity::Warning),
        ds.count(Severity::Note),
        with_findings
    )
}

/// JSON output, schema `ftc-check/1` (documented in `docs/check-json.md`).
#[derive(Serialize)]
pub struct JsonReport<'a> {
    pub schema: &'static str,
    pub files: Vec<JsonFile<'a>>,
    /// Findings about folders and periods rather than one file (missing submissions, say).
    pub other_findings: Vec<JsonFinding<'a>>,
    pub summary: JsonSummary,
}

#[derive(Serialize)]
pub struct JsonFile<'a> {
    #[serde(flatten)]
    pub file: &'a FileReport,
    pub findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    #[serde(flatten)]
    pub finding: &'a Finding,
    pub message: String,
}

#[derive(Serialize)]
pub struct JsonSummary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

pub fn render_json(ds: &Dataset) -> String {
    let by_file = findings_by_file(ds);
    let files = ds
        .files
        .iter()
        .map(|file| JsonFile {
            file,
            findings: by_file.get(file.path.as_str()).into_iter().flatten().map(|f| json_finding(f)).collect(),
        })
        .collect();
    let other_findings =
        ds.findings.iter().filter(|f| !ds.files.iter().any(|x| x.location_matches(f))).map(json_finding).collect();
    let report = JsonReport {
        schema: "ftc-check/1",
        files,
        other_findings,
        summary: JsonSummary {
            files: ds.files.len(),
            errors: ds.count(Severity::Error),
            warnings: ds.count(Severity::Warning),
            notes: ds.count(Severity::Note),
        },
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn json_finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding { finding: f, message: f.message() }
}

impl FileReport {
    fn location_matches(&self, f: &Finding) -> bool {
        f.location.file == self.path
    }
}

/// ANSI colour, only when asked for (a terminal, and `NO_COLOR` unset).
struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }
    fn red(&self, s: &str) -> String {
        self.wrap("31;1", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

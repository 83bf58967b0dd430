//! `ftc check`: validate submissions only, and say what was understood and what is wrong, for a
//! person (grouped by file, sorted by place, in English or Khmer) or a machine (JSON, schema
//! `ftc-check/1`).

use crate::finding::{Finding, Severity};
use crate::geography::Geography;
use crate::ingest;
use crate::project::{self, Limits, ProjectError};
use crate::render::format::Lang;
use crate::validate::{self, Context, Dataset, FileReport};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Validate the given files or folders. A folder that is a project (or lies inside one) is
/// checked with that project's config and geography, so completeness and timeliness are judged;
/// anything else is checked alone against the built-in geography. Every file is read.
pub fn check_paths(paths: &[PathBuf]) -> Result<Dataset, ProjectError> {
    check(paths, false).map(|c| c.dataset)
}

/// What [`check`] found.
pub struct Checked {
    pub dataset: Dataset,
    /// Each project checked through its build cache: its folder, how many files were read and
    /// validated, and how many it has (the others came from the cache).
    pub cached: Vec<(PathBuf, usize, usize)>,
}

/// [`check_paths`]; with `cache`, a project's files unchanged since its last build or check
/// are taken from the project's build cache (`.ftc-cache/`, as `ftc build` keeps it), and the
/// parts of the files read are stored there. The findings are the same either way.
pub fn check(paths: &[PathBuf], cache: bool) -> Result<Checked, ProjectError> {
    let mut all = Dataset::default();
    let mut cached = Vec::new();
    let mut lone = Vec::new();
    for path in paths {
        if !path.exists() {
            return Err(ProjectError::Io {
                path: path.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            });
        }
        match project::find_project_root(path) {
            Some(root) if cache => {
                let v = crate::build::validate_stored(&root)?;
                cached.push((root.clone(), v.read.0, v.read.1));
                merge(&mut all, within(&root, path, v.dataset));
            }
            Some(root) => merge(&mut all, within(&root, path, crate::build::validate_fresh(&root)?.dataset)),
            None => lone.push(path.clone()),
        }
    }
    if !lone.is_empty() {
        let subs = ingest::ingest_paths(&lone, &Limits::default());
        merge(&mut all, validate::validate(&subs, &Context { geography: Geography::builtin(), config: None }));
    }
    crate::finding::sort_findings(&mut all.findings);
    Ok(Checked { dataset: all, cached })
}

/// The files and findings of a project's dataset that lie in `path` (the project's folder, or a
/// folder or file in it).
fn within(root: &Path, path: &Path, mut ds: Dataset) -> Dataset {
    let rel = path
        .canonicalize()
        .ok()
        .zip(root.canonicalize().ok())
        .and_then(|(p, r)| p.strip_prefix(&r).ok().map(Path::to_path_buf));
    let inside = |shown: &str| -> bool {
        match &rel {
            Some(rel) if rel.as_os_str().is_empty() => true,
            Some(rel) => Path::new(shown).starts_with(rel),
            None => true,
        }
    };
    ds.files.retain(|f| inside(&f.path));
    ds.findings.retain(|f| inside(&f.location.file));
    ds
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

/// Every phrase the human output prints around the findings: (key, English, Khmer). Counts,
/// codes, cells and dates are filled in as written (ASCII digits, like the places and the
/// values quoted from the file), so the output can be compared with the spreadsheet as it is.
pub const WORDS: &[(&str, &str, &str)] = &[
    ("unread", "unread", "មិនបានអាន"),
    ("period", "period {period}", "រយៈពេល {period}"),
    ("province", "province {province}", "ខេត្ត {province}"),
    ("submitted", "submitted {date}", "ដាក់ស្នើថ្ងៃ {date}"),
    (
        "sheet.row",
        "sheet '{sheet}': {kind} table, header on row {row}",
        "សន្លឹក '{sheet}'៖ តារាង{kind} ក្បាលតារាងនៅជួរទី {row}",
    ),
    (
        "sheet.rows",
        "sheet '{sheet}': {kind} table, header on rows {first}-{last}",
        "សន្លឹក '{sheet}'៖ តារាង{kind} ក្បាលតារាងនៅជួរទី {first}-{last}",
    ),
    ("columns", "columns: {list}", "ជួរឈរ៖ {list}"),
    ("ignored", "ignored: {list}", "ជួរឈរដែលមិនបានប្រើ៖ {list}"),
    (
        "rows",
        "rows read {read}, used {used}, totals rows {totals}",
        "បានអាន {read} ជួរ, បានប្រើ {used} ជួរ, ជួរសរុប {totals}",
    ),
    ("totals", "column totals: {list}", "សរុបតាមជួរឈរ៖ {list}"),
    (
        "summary",
        "{files} file(s) checked: {errors} error(s), {warnings} warning(s), {notes} note(s); {with} file(s) or folder(s) with findings",
        "បានពិនិត្យឯកសារ {files}៖ កំហុស {errors}, ការព្រមាន {warnings}, កំណត់សម្គាល់ {notes}; ឯកសារ ឬថតដែលមានបញ្ហា {with}",
    ),
];

/// The phrase `key` in `lang`, its `{names}` filled.
fn say(key: &str, lang: Lang, args: &[(&str, String)]) -> String {
    let template =
        WORDS.iter().find(|(k, _, _)| *k == key).map_or(key, |(_, en, km)| if lang == Lang::Km { km } else { en });
    crate::render::i18n::fill(template, args)
}

/// Human output: one block per file, findings sorted by place, one summary line, in `lang`.
pub fn render_human(ds: &Dataset, color: bool, lang: Lang) -> String {
    let paint = Paint(color);
    let mut out = String::new();
    let by_file = findings_by_file(ds);
    let sev_width = [Severity::Error, Severity::Warning, Severity::Note]
        .iter()
        .map(|s| display_width(s.label(lang)))
        .max()
        .unwrap_or(0);
    let mut paths: Vec<&str> = ds.files.iter().map(|f| f.path.as_str()).collect();
    paths.extend(by_file.keys().copied().filter(|p| !ds.files.iter().any(|f| f.path == *p)));
    for path in paths {
        let _ = writeln!(out, "{}", paint.bold(path));
        if let Some(file) = ds.files.iter().find(|f| f.path == path) {
            understood(&mut out, file, lang);
        }
        for f in by_file.get(path).into_iter().flatten().filter(|f| shown(f)) {
            let place = [f.location.sheet.clone(), f.location.place_in(lang)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" › ");
            let word = pad(f.severity.label(lang), sev_width);
            let sev = match f.severity {
                Severity::Error => paint.red(&word),
                Severity::Warning => paint.yellow(&word),
                Severity::Note => paint.dim(&word),
            };
            let _ = writeln!(out, "  {sev} {} {:<18} {}", pad(&place, 18), f.rule.id(), f.message_in(lang));
        }
        out.push('\n');
    }
    out.push_str(&summary_line(ds, lang));
    out.push('\n');
    out
}

/// Columns a terminal gives `s`: Khmer vowel signs, diacritics and subscript consonants (after
/// a coeng) sit on their base letter and take none.
fn display_width(s: &str) -> usize {
    let mut width = 0;
    let mut after_coeng = false;
    for c in s.chars() {
        let mark = ('\u{17B4}'..='\u{17D3}').contains(&c) || after_coeng;
        after_coeng = c == '\u{17D2}';
        if !mark {
            width += 1;
        }
    }
    width
}

fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(display_width(s))))
}

fn understood(out: &mut String, file: &FileReport, lang: Lang) {
    let mut facts = vec![file.format.map_or_else(|| say("unread", lang, &[]), |f| f.as_str().to_string())];
    facts.extend(file.period.map(|p| say("period", lang, &[("period", p.to_string())])));
    facts.extend(file.province.as_ref().map(|p| say("province", lang, &[("province", p.clone())])));
    facts.extend(file.submitted.map(|d| say("submitted", lang, &[("date", d.to_string())])));
    let _ = writeln!(out, "  {}", facts.join(", "));
    for t in &file.tables {
        let kind = if lang == Lang::Km { t.kind.km() } else { t.kind.as_str() };
        let mut args = vec![("sheet", t.sheet.clone()), ("kind", kind.to_string())];
        let line = if t.header_rows.0 == t.header_rows.1 {
            args.push(("row", t.header_rows.1.to_string()));
            say("sheet.row", lang, &args)
        } else {
            args.push(("first", t.header_rows.0.to_string()));
            args.push(("last", t.header_rows.1.to_string()));
            say("sheet.rows", lang, &args)
        };
        let _ = writeln!(out, "  {line}");
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|c| format!("{} \"{}\" → {}", c.column, one_line(&c.header), c.field.unwrap_or("?")))
            .collect();
        let _ = writeln!(out, "    {}", say("columns", lang, &[("list", cols.join("; "))]));
        if !t.ignored_columns.is_empty() {
            let ign: Vec<String> =
                t.ignored_columns.iter().map(|c| format!("{} \"{}\"", c.column, one_line(&c.header))).collect();
            let _ = writeln!(out, "    {}", say("ignored", lang, &[("list", ign.join("; "))]));
        }
        let rows = [
            ("read", t.rows_read.to_string()),
            ("used", t.rows_used.to_string()),
            ("totals", t.totals_rows.to_string()),
        ];
        let _ = writeln!(out, "    {}", say("rows", lang, &rows));
        let totals: Vec<String> =
            t.totals.iter().map(|(k, v)| format!("{k} {}", crate::ingest::grid::format_number(*v))).collect();
        if !totals.is_empty() {
            let _ = writeln!(out, "    {}", say("totals", lang, &[("list", totals.join(", "))]));
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

pub fn summary_line(ds: &Dataset, lang: Lang) -> String {
    let with_findings =
        findings_by_file(ds).values().filter(|v| v.iter().any(|f| f.severity != Severity::Note)).count();
    let args = [
        ("files", ds.files.len().to_string()),
        ("errors", ds.count(Severity::Error).to_string()),
        ("warnings", ds.count(Severity::Warning).to_string()),
        ("notes", ds.count(Severity::Note).to_string()),
        ("with", with_findings.to_string()),
    ];
    say("summary", lang, &args)
}

/// JSON output, schema `ftc-check/1` (documented in `docs/check-json.md`).
#[derive(Serialize)]
pub struct JsonReport<'a> {
    pub schema: &'static str,
    /// The language of every `message` (`en` or `km`); `message_en` is always English.
    pub lang: Lang,
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
    /// In the report's `lang`.
    pub message: String,
    /// Always English, for machines that match on it whatever language a person asked for.
    pub message_en: String,
}

#[derive(Serialize)]
pub struct JsonSummary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

pub fn render_json(ds: &Dataset, lang: Lang) -> String {
    let by_file = findings_by_file(ds);
    let files = ds
        .files
        .iter()
        .map(|file| JsonFile {
            file,
            findings: by_file.get(file.path.as_str()).into_iter().flatten().map(|f| json_finding(f, lang)).collect(),
        })
        .collect();
    let other_findings = ds
        .findings
        .iter()
        .filter(|f| !ds.files.iter().any(|x| x.location_matches(f)))
        .map(|f| json_finding(f, lang))
        .collect();
    let report = JsonReport {
        schema: "ftc-check/1",
        lang,
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

fn json_finding(f: &Finding, lang: Lang) -> JsonFinding<'_> {
    JsonFinding { finding: f, message: f.message_in(lang), message_en: f.message() }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phrase_has_khmer_with_the_same_placeholders() {
        let keys: std::collections::BTreeSet<_> = WORDS.iter().map(|(k, _, _)| k).collect();
        assert_eq!(keys.len(), WORDS.len(), "keys are unique");
        for (key, en, km) in WORDS {
            assert!(km.chars().any(|c| ('\u{1780}'..='\u{17FF}').contains(&c)), "{key}: {km}");
            assert_eq!(crate::finding::placeholders(en), crate::finding::placeholders(km), "{key}");
        }
        let ds = Dataset::default();
        assert_eq!(
            summary_line(&ds, Lang::En),
            "0 file(s) checked: 0 error(s), 0 warning(s), 0 note(s); 0 file(s) or folder(s) with findings"
        );
        assert!(summary_line(&ds, Lang::Km).starts_with("បានពិនិត្យឯកសារ 0៖"));
    }

    #[test]
    fn khmer_marks_take_no_column() {
        assert_eq!(display_width("warning"), 7);
        assert_eq!(display_width("កំហុស"), 3);
        assert_eq!(display_width("ការព្រមាន"), 5);
        assert_eq!(display_width("កំណត់សម្គាល់"), 6);
        assert_eq!(pad("កំហុស", 6), "កំហុស   ");
    }
}

//! The build pipeline, top to bottom: load, ingest, validate, analyse. Until the render and
//! publish stages exist, a build prints what it read and the analysis summary per province.

use crate::analyse::{self, AreaReport, Report};
use crate::finding::Severity;
use crate::ingest;
use crate::project::{Project, ProjectError};
use crate::validate::{self, Context, Dataset};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// What a build produced.
pub struct Build {
    pub project: Project,
    pub dataset: Dataset,
    pub report: Report,
}

/// Free pages (`pages/*.md`), the latest period's narratives (`narratives/<period>/<PP>*.md`)
/// and template overrides (`templates/*`) of a project. Unreadable or malformed files are
/// reported, not fatal.
pub fn load_render_inputs(root: &Path, latest: Option<crate::period::Period>) -> (RenderFiles, Vec<String>) {
    use crate::render::markdown;
    let mut files = RenderFiles::default();
    let mut problems = Vec::new();
    let md_files = |dir: &Path| -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        v.sort();
        v
    };
    for path in md_files(&root.join("pages")) {
        let slug = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        match std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|t| markdown::parse(&t)) {
            Ok(doc) if doc.front.audience.as_deref() != Some("internal") => files.pages.push((slug, doc)),
            Ok(_) => {}
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    if let Some(period) = latest {
        for path in md_files(&root.join("narratives").join(period.to_string())) {
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let code: String = name.chars().take(2).collect();
            match std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|t| markdown::parse(&t)) {
                Ok(doc) if doc.front.audience.as_deref() != Some("internal") => {
                    files.narratives.insert(code, doc);
                }
                Ok(_) => {}
                Err(e) => problems.push(format!("{}: {e}", path.display())),
            }
        }
    }
    for entry in std::fs::read_dir(root.join("templates")).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        match std::fs::read_to_string(entry.path()) {
            Ok(t) => {
                files.overrides.insert(name, t);
            }
            Err(e) => problems.push(format!("{}: {e}", entry.path().display())),
        }
    }
    (files, problems)
}

/// What a project adds to the report for rendering.
#[derive(Default)]
pub struct RenderFiles {
    pub pages: Vec<(String, crate::render::markdown::Document)>,
    pub narratives: BTreeMap<String, crate::render::markdown::Document>,
    pub overrides: BTreeMap<String, String>,
}

/// Render the site in memory (the latest period's edition).
pub fn render(b: &Build) -> Result<(String, crate::render::site::Site, Vec<String>), crate::render::site::RenderError> {
    let latest = b.report.latest().map(|p| p.period);
    let (files, problems) = load_render_inputs(&b.project.root, latest);
    let edition = latest.map_or_else(|| "empty".to_string(), |p| p.to_string());
    let input = crate::render::site::SiteInput {
        report: &b.report,
        dataset: &b.dataset,
        geography: &b.project.geography,
        edition: edition.clone(),
        pages: files.pages,
        narratives: files.narratives,
        overrides: files.overrides,
        brief_communes: brief_communes(b),
    };
    Ok((edition, crate::render::site::render_site(&input)?, problems))
}

fn brief_communes(b: &Build) -> Vec<String> {
    let cfg = &b.project.config.briefs;
    match b.report.latest() {
        Some(pr) if cfg.all_communes => pr.communes.keys().cloned().collect(),
        _ => cfg.communes.clone(),
    }
}

/// Run the pipeline on the project in `root`.
pub fn build(root: &Path) -> Result<Build, ProjectError> {
    let project = Project::load(root)?;
    let submissions = ingest::ingest(&project);
    let dataset =
        validate::validate(&submissions, &Context { geography: &project.geography, config: Some(&project.config) });
    let report = analyse::analyse(&dataset, &project.config, &project.geography);
    Ok(Build { project, dataset, report })
}

/// Per period and province: files read, rows used, findings.
pub fn summary(b: &Build) -> String {
    let ds = &b.dataset;
    let mut out = String::new();
    let _ = writeln!(out, "{}", b.project.config.title);
    let mut rows: BTreeMap<(String, String), (usize, usize, usize)> = BTreeMap::new();
    for f in &ds.files {
        let key = (f.period.map(|p| p.to_string()).unwrap_or_default(), f.province.clone().unwrap_or_default());
        rows.entry(key).or_default().0 += 1;
    }
    for r in &ds.cascade {
        let key = (r.period.map(|p| p.to_string()).unwrap_or_default(), r.province.clone());
        rows.entry(key).or_default().1 += 1;
    }
    for r in &ds.budget {
        let key = (r.period.map(|p| p.to_string()).unwrap_or_default(), r.province.clone());
        rows.entry(key).or_default().2 += 1;
    }
    let _ = writeln!(
        out,
        "{:<9} {:<24} {:>5} {:>13} {:>12}",
        "period", "province", "files", "cascade rows", "budget lines"
    );
    for ((period, prov), (files, cascade, budget)) in &rows {
        let name = b.project.geography.get(prov).map_or(prov.clone(), |a| format!("{prov} {}", a.name_en));
        let _ = writeln!(out, "{period:<9} {name:<24} {files:>5} {cascade:>13} {budget:>12}");
    }
    let _ = writeln!(
        out,
        "{} error(s), {} warning(s) in {} file(s); run `ftc check {}` for the list",
        ds.count(Severity::Error) + b.report.findings.iter().filter(|f| f.severity == Severity::Error).count(),
        ds.count(Severity::Warning),
        ds.files.len(),
        b.project.root.display()
    );
    out
}

fn pct(r: Option<f64>) -> String {
    r.map_or_else(|| "n/a".to_string(), |v| format!("{:.1}%", v * 100.0))
}

/// The analysis summary of the latest period: per province the three 95s, the largest people
/// gap, budget execution against expected, and the top bottleneck.
pub fn analysis_summary(report: &Report) -> String {
    let mut out = String::new();
    let Some(pr) = report.latest() else {
        return "No cascade or budget data to analyse yet.\n".to_string();
    };
    let _ = writeln!(
        out,
        "Analysis for {} (expected budget execution {:.0}% of the fiscal year)",
        pr.period,
        pr.expected_execution * 100.0
    );
    for a in std::iter::once(&pr.initiative).chain(pr.provinces.values()) {
        area_summary(&mut out, a, &report.rates.reporting);
    }
    out
}

fn area_summary(out: &mut String, a: &AreaReport, currency: &str) {
    let name =
        if a.code == analyse::INITIATIVE { "All provinces".to_string() } else { format!("{} {}", a.code, a.name_en) };
    let _ = writeln!(out, "\n{name}");
    match &a.cascade {
        Some(c) => {
            let _ = writeln!(
                out,
                "  95-95-95: {} / {} / {}  (PLHIV {})",
                pct(c.first),
                pct(c.second),
                pct(c.third),
                c.counts.plhiv
            );
            let gap = c
                .gaps
                .largest()
                .map_or("all targets met".to_string(), |(s, g)| format!("{g} more people to {}", s.words()));
            let _ = writeln!(out, "  largest gap: {gap}");
        }
        None => {
            let _ = writeln!(out, "  no cascade data");
        }
    }
    if let Some(b) = &a.budget {
        let _ = writeln!(
            out,
            "  budget: {} spent of {:.0} {currency} approved, against {:.0}% expected",
            pct(b.total.execution),
            b.total.money.approved,
            b.total.expected * 100.0
        );
    }
    if let Some(top) = a.bottlenecks.first() {
        let _ = writeln!(out, "  top bottleneck ({:?}): {}", top.severity, top.explanation);
    }
}

//! The build pipeline, top to bottom. Until the analyse, render and publish stages exist, a
//! build loads the project, ingests and validates its submissions, and summarises them.

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
}

/// Run the pipeline on the project in `root`.
pub fn build(root: &Path) -> Result<Build, ProjectError> {
    let project = Project::load(root)?;
    let submissions = ingest::ingest(&project);
    let dataset =
        validate::validate(&submissions, &Context { geography: &project.geography, config: Some(&project.config) });
    Ok(Build { project, dataset })
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
        ds.count(Severity::Error),
        ds.count(Severity::Warning),
        ds.files.len(),
        b.project.root.display()
    );
    out
}

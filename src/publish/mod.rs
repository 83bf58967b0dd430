//! Publish stage: the rendered site (a map of path → bytes) becomes an **edition**, a folder
//! `site/<id>/` that is never modified or deleted once it exists.
//!
//! - The id is the reporting period, plus `-rN` for the N-th build of a period whose inputs
//!   changed (`2026-Q3`, `2026-Q3-r2`). Inputs equal to a period's newest edition mean nothing
//!   to publish ([`Fingerprint`], [`up_to_date`]).
//! - Each edition has `edition.json` ([`Manifest`]): inputs and outputs with size and SHA-256,
//!   the config's hash, the tool's version, the audience, the date, why it was made.
//! - An edition is written to a hidden staging folder beside its destination and renamed into
//!   place; then `versions.html` and `index.html` are replaced by rename and the `latest`
//!   symbolic link is switched by rename. A build killed at any moment leaves no partial edition
//!   visible and every earlier edition as it was; the next build cleans the staging folder.
//! - A lock (`site/.lock`, an OS file lock released when the process ends, even by kill -9)
//!   keeps two builds from writing one site.

pub mod diff;
pub mod inputs;
pub mod pdf;

use crate::render::site::Site;
pub use inputs::{FileEntry, Fingerprint};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "edition.json";
pub const LATEST: &str = "latest";
const LOCK: &str = ".lock";
const STAGING_PREFIX: &str = ".staging-";

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(
        "{site}: another ftc build is writing this site (the lock {site}/.lock is held); wait for it to finish and build again"
    )]
    Locked { site: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: not a readable edition manifest: {message}; restore the edition from a backup or move it out of the site folder"
    )]
    BadManifest { path: String, message: String },
    #[error("{path} already exists; an edition is never overwritten")]
    Exists { path: String },
    #[error("{0}")]
    Other(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io { path: path.display().to_string(), source }
}

/// An edition's `edition.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest format's version.
    pub format: u32,
    pub edition: String,
    /// The project's title.
    pub title: String,
    pub period: String,
    pub revision: u32,
    /// 1 for the site's first edition, then one more for each edition published after it.
    pub sequence: u32,
    /// The edition that was newest when this one was published; "what changed" compares with it.
    pub previous: Option<String>,
    /// The edition's date (`YYYY-MM-DD`) and where it came from (`config`, `SOURCE_DATE_EPOCH`,
    /// `period end`).
    pub date: String,
    pub date_source: String,
    pub reason: String,
    pub tool: String,
    pub audience: String,
    pub options: BTreeMap<String, String>,
    pub config_sha256: String,
    /// The SHA-256 of the fingerprint (tool, audience, options, inputs).
    pub fingerprint: String,
    pub inputs: Vec<FileEntry>,
    pub outputs: Vec<FileEntry>,
}

impl Manifest {
    pub fn to_fingerprint(&self) -> Fingerprint {
        Fingerprint {
            tool: self.tool.clone(),
            audience: self.audience.clone(),
            options: self.options.clone(),
            inputs: self.inputs.clone(),
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s.into_bytes()
    }
}

/// The tool's name and version, as manifests record it.
pub fn tool() -> String {
    format!("ftc {}", env!("CARGO_PKG_VERSION"))
}

/// `2026-Q3` → (`2026-Q3`, 1); `2026-Q3-r2` → (`2026-Q3`, 2).
pub fn split_id(id: &str) -> (&str, u32) {
    if let Some((period, rev)) = id.rsplit_once("-r")
        && let Ok(n) = rev.parse::<u32>()
        && n >= 2
    {
        return (period, n);
    }
    (id, 1)
}

pub fn edition_id(period: &str, revision: u32) -> String {
    if revision <= 1 { period.to_string() } else { format!("{period}-r{revision}") }
}

/// Every edition in `site`, by sequence (oldest first). Hidden folders, files and the `latest`
/// link are not editions; a folder without `edition.json` is not one either.
pub fn editions(site: &Path) -> Result<Vec<Manifest>, PublishError> {
    let entries = match std::fs::read_dir(site) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(site)(e)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io(site))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ft = entry.file_type().map_err(io(&entry.path()))?;
        if name.starts_with('.') || name == LATEST || !ft.is_dir() {
            continue;
        }
        let path = entry.path().join(MANIFEST);
        if !path.is_file() {
            continue;
        }
        paths.push(path);
    }
    // Read side by side (a site gathers an edition for every revision, and each manifest lists
    // every file of its edition); the first unreadable one by name is the one reported.
    paths.sort();
    use rayon::prelude::*;
    let read: Vec<Result<Manifest, PublishError>> = paths.par_iter().map(|p| read_manifest(p)).collect();
    let mut out = read.into_iter().collect::<Result<Vec<_>, _>>()?;
    out.sort_by(|a, b| (a.sequence, &a.edition).cmp(&(b.sequence, &b.edition)));
    Ok(out)
}

pub fn read_manifest(path: &Path) -> Result<Manifest, PublishError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    serde_json::from_str(&text)
        .map_err(|e| PublishError::BadManifest { path: path.display().to_string(), message: e.to_string() })
}

/// Refuse an output folder that sits inside a site of the other audience, or holds one one
/// level down: the internal pack must never end up inside (or beside, in) the public site.
pub fn check_audience_folder(out: &Path, audience: crate::disclose::Audience) -> Result<(), PublishError> {
    let abs = std::path::absolute(out).map_err(io(out))?;
    let other = |dir: &Path| -> Option<String> {
        editions(dir).ok()?.into_iter().find(|m| m.audience != audience.as_str()).map(|m| m.audience)
    };
    for dir in abs.ancestors().skip(1) {
        if let Some(a) = other(dir) {
            return Err(PublishError::Other(format!(
                "{}: this folder is inside {}, which holds {a} editions; keep the public site and the internal pack in separate folders (choose another --out)",
                out.display(),
                dir.display()
            )));
        }
    }
    for entry in std::fs::read_dir(&abs).into_iter().flatten().flatten() {
        let dir = entry.path();
        if dir.is_dir()
            && !dir.join(MANIFEST).exists()
            && let Some(a) = other(&dir)
        {
            return Err(PublishError::Other(format!(
                "{}: holds {a} editions inside this site; move that folder out before building the {} site here",
                dir.display(),
                audience.as_str()
            )));
        }
    }
    Ok(())
}

/// Refuse to add an edition for one audience to a site holding editions for the other.
pub fn check_audience_editions(
    out: &Path,
    all: &[Manifest],
    audience: crate::disclose::Audience,
) -> Result<(), PublishError> {
    match all.iter().find(|m| m.audience != audience.as_str()) {
        Some(m) => Err(PublishError::Other(format!(
            "{}: holds {} editions ({}); a site holds one audience: build the {} edition into another folder with --out",
            out.display(),
            m.audience,
            m.edition,
            audience.as_str()
        ))),
        None => Ok(()),
    }
}

/// The counts that earlier public editions of a site hid ("<5" or "*" in their
/// `downloads/cascade.csv`): hidden again in the next edition, so that two editions side by
/// side cannot reveal by difference what each hides alone. Every public edition is read, since
/// each stays on the site; one per task, as a site gathers an edition for every revision.
pub fn hidden_cells(site: &Path, all: &[Manifest]) -> std::collections::BTreeSet<crate::disclose::CellKey> {
    use rayon::prelude::*;
    let found: Vec<Vec<crate::disclose::CellKey>> = all
        .par_iter()
        .filter(|m| m.audience == "public")
        .map(|m| {
            std::fs::read(site.join(&m.edition).join("downloads/cascade.csv"))
                .map_or_else(|_| Vec::new(), |b| hidden_in(&b))
        })
        .collect();
    found.into_iter().flatten().collect()
}

/// The counts a cascade download hides: each count cell that is neither empty nor a number, by
/// period and area code; a row without a readable period names none. Read as bytes, with only
/// the cells it uses taken as text: the whole table as text took 2.5 times as long (10 ms for
/// a national edition, 4 ms now), for every edition of the site at every build. (A row with
/// bytes that are not UTF-8 in another cell counts too, where reading it as text passed it
/// over: hiding more is the safe side.)
pub fn hidden_in(bytes: &[u8]) -> Vec<crate::disclose::CellKey> {
    use crate::analyse::cascade::Count;
    use crate::period::Period;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
    let mut r = csv::Reader::from_reader(bytes);
    let Ok(header) = r.byte_headers().cloned() else { return Vec::new() };
    let col = |name: &str| header.iter().position(|h| h == name.as_bytes());
    let (Some(pc), Some(cc)) = (col("period"), col("code")) else { return Vec::new() };
    let counts: Vec<(Count, usize)> = Count::ALL.iter().filter_map(|k| col(k.column()).map(|i| (*k, i))).collect();
    let mut out = Vec::new();
    let mut rec = csv::ByteRecord::new();
    // The rows of a period sit together: its text is parsed once per run.
    let mut last: Option<(Vec<u8>, Option<Period>)> = None;
    loop {
        match r.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            // A row of another length: skipped, as the rows after it are still read.
            Err(_) => continue,
        }
        let text = rec.get(pc).unwrap_or_default();
        let period = match &last {
            Some((t, p)) if t.as_slice() == text => *p,
            _ => {
                let p = std::str::from_utf8(text).ok().and_then(|t| t.parse::<Period>().ok());
                last = Some((text.to_vec(), p));
                p
            }
        };
        let Some(period) = period else { continue };
        let mut code: Option<String> = None;
        for (k, i) in &counts {
            let v = rec.get(*i).unwrap_or_default();
            if v.is_empty() || is_number(v) {
                continue;
            }
            let code = code.get_or_insert_with(|| {
                String::from_utf8_lossy(rec.get(cc).unwrap_or_default()).trim_start_matches('\'').to_string()
            });
            out.push((period, code.clone(), *k));
        }
    }
    out
}

/// Whether a cell is a number, as `f64` parses it; plain digits, what nearly every count cell
/// holds, without the parser.
fn is_number(v: &[u8]) -> bool {
    v.iter().all(u8::is_ascii_digit) || std::str::from_utf8(v).is_ok_and(|t| t.parse::<f64>().is_ok())
}

/// The newest edition of some period whose fingerprint is `fp`: the inputs have not changed
/// since it was built, so there is nothing to publish.
pub fn up_to_date<'a>(editions: &'a [Manifest], fp: &Fingerprint) -> Option<&'a Manifest> {
    let hash = fp.hash();
    let mut newest: BTreeMap<&str, &Manifest> = BTreeMap::new();
    for m in editions {
        let e = newest.entry(m.period.as_str()).or_insert(m);
        if m.revision > e.revision {
            *e = m;
        }
    }
    newest.into_values().find(|m| m.fingerprint == hash)
}

/// The edition a build is about to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct Next {
    pub id: String,
    pub period: String,
    pub revision: u32,
    pub sequence: u32,
    /// The newest edition before it (what "what changed" compares with).
    pub previous: Option<Manifest>,
    pub reason: String,
}

/// The id, sequence and reason of the next edition of `period`.
pub fn next(editions: &[Manifest], period: &str, fp: &Fingerprint) -> Next {
    let same: Vec<&Manifest> = editions.iter().filter(|m| m.period == period).collect();
    let revision = same.iter().map(|m| m.revision).max().map_or(1, |r| r + 1);
    let reason = match same.iter().max_by_key(|m| m.revision) {
        None => format!("first edition of {period}"),
        Some(m) => {
            let changes = fp.changes_since(&m.to_fingerprint());
            let shown: Vec<&str> = changes.iter().take(6).map(String::as_str).collect();
            let more = changes.len().saturating_sub(shown.len());
            let mut s = format!("revision of {}: {}", m.edition, shown.join("; "));
            if more > 0 {
                s.push_str(&format!("; and {more} more"));
            }
            s
        }
    };
    Next {
        id: edition_id(period, revision),
        period: period.to_string(),
        revision,
        sequence: editions.iter().map(|m| m.sequence).max().unwrap_or(0) + 1,
        previous: editions.last().cloned(),
        reason,
    }
}

/// The lock on a site folder, held until dropped (or the process ends).
pub struct Lock {
    _file: std::fs::File,
}

impl Lock {
    /// Take the site's lock, or fail at once with a message for the second build.
    pub fn acquire(site: &Path) -> Result<Lock, PublishError> {
        std::fs::create_dir_all(site).map_err(io(site))?;
        let path = site.join(LOCK);
        let file =
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(Lock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(PublishError::Locked { site: site.display().to_string() }),
            Err(std::fs::TryLockError::Error(e)) => Err(io(&path)(e)),
        }
    }
}

/// Remove what killed builds left: staging folders and temporary files (hidden names). Call
/// with the lock held.
pub fn clean_staging(site: &Path) -> Result<(), PublishError> {
    for entry in std::fs::read_dir(site).map_err(io(site))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(STAGING_PREFIX) {
            let p = entry.path();
            if p.is_dir() && !p.is_symlink() {
                std::fs::remove_dir_all(&p).map_err(io(&p))?;
            } else {
                std::fs::remove_file(&p).map_err(io(&p))?;
            }
        }
    }
    Ok(())
}

/// The manifest of `site` as edition `next`.
pub fn manifest(next: &Next, fp: &Fingerprint, date: &BuildDate, site: &Site) -> Manifest {
    Manifest {
        format: 1,
        edition: next.id.clone(),
        title: String::new(),
        period: next.period.clone(),
        revision: next.revision,
        sequence: next.sequence,
        previous: next.previous.as_ref().map(|m| m.edition.clone()),
        date: date.date.clone(),
        date_source: date.source.clone(),
        reason: next.reason.clone(),
        tool: fp.tool.clone(),
        audience: fp.audience.clone(),
        options: fp.options.clone(),
        config_sha256: fp.config_sha256(),
        fingerprint: fp.hash(),
        inputs: fp.inputs.clone(),
        outputs: {
            use rayon::prelude::*;
            site.par_iter().map(|(p, b)| FileEntry::of(p, b)).collect()
        },
    }
}

fn safe_rel(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.contains('\\')
        && rel.split('/').all(|p| !p.is_empty() && p != ".." && p != ".")
}

/// Write edition `m` (the files of `site` and its manifest) as `out/<id>/`: into a staging folder
/// first, then renamed into place. Refuses to replace an existing folder. Call with the lock held.
pub fn write_edition(site: &Site, m: &Manifest, out: &Path) -> Result<PathBuf, PublishError> {
    std::fs::create_dir_all(out).map_err(io(out))?;
    let dest = out.join(&m.edition);
    if dest.exists() || dest.is_symlink() {
        return Err(PublishError::Exists { path: dest.display().to_string() });
    }
    let staging = out.join(format!("{STAGING_PREFIX}{}-{}", m.edition, std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    // Paths come from the renderer; refuse anything that could leave the staging folder.
    if let Some(rel) = site.keys().find(|rel| !safe_rel(rel) || *rel == MANIFEST) {
        return Err(PublishError::Other(format!("the renderer produced an unsafe path '{rel}'")));
    }
    // Folders first, then the files in parallel (writing thousands of files is most of this
    // stage); nothing is visible until the rename below, so the order of writes never shows.
    let dirs: std::collections::BTreeSet<PathBuf> =
        site.keys().filter_map(|rel| staging.join(rel).parent().map(Path::to_path_buf)).collect();
    for d in &dirs {
        std::fs::create_dir_all(d).map_err(io(d))?;
    }
    use rayon::prelude::*;
    site.par_iter().try_for_each(|(rel, bytes)| {
        let path = staging.join(rel);
        std::fs::write(&path, bytes).map_err(|source| PublishError::Io { path: path.display().to_string(), source })
    })?;
    let mpath = staging.join(MANIFEST);
    std::fs::write(&mpath, m.to_json()).map_err(io(&mpath))?;
    std::fs::rename(&staging, &dest).map_err(io(&dest))?;
    Ok(dest)
}

/// Replace `path` with `bytes` by writing a hidden temporary file beside it and renaming it over;
/// nothing is written when the content is already the same.
fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!("{STAGING_PREFIX}{name}-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// Point `site/latest` at edition `id`, switching by rename so it is never missing.
fn switch_latest(site: &Path, id: &str) -> Result<(), PublishError> {
    let link = site.join(LATEST);
    if std::fs::read_link(&link).is_ok_and(|t| t == Path::new(id)) {
        return Ok(());
    }
    #[cfg(unix)]
    {
        let tmp = site.join(format!("{STAGING_PREFIX}latest-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(id, &tmp).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &link).map_err(io(&link))?;
    }
    Ok(())
}

/// Bring the site's shared files up to date with its editions: `versions.html`, `index.html`
/// (to the newest edition) and `latest`. Idempotent; call with the lock held.
pub fn refresh_top(site: &Path) -> Result<(), PublishError> {
    let all = editions(site)?;
    refresh_top_of(site, &all.iter().collect::<Vec<_>>())
}

/// [`refresh_top`] from the site's editions as a build listed them at its start (by sequence,
/// with the one it wrote after them): it has held the site's lock since, so listing them again
/// read only what it knew, every manifest a second time, which grew with every edition.
pub fn refresh_top_of(site: &Path, all: &[&Manifest]) -> Result<(), PublishError> {
    let Some(newest) = all.last() else { return Ok(()) };
    let page = crate::render::versions::versions_page(all)
        .map_err(|e| PublishError::Other(format!("rendering versions.html: {e}")))?;
    replace_file(&site.join("versions.html"), page.as_bytes())?;
    replace_file(&site.join("index.html"), crate::render::versions::site_index(&newest.edition).as_bytes())?;
    switch_latest(site, &newest.edition)
}

/// What `publish` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Published { path: PathBuf, manifest: Box<Manifest> },
    Unchanged { edition: String },
}

/// The date an edition carries, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildDate {
    pub date: String,
    pub source: String,
}

impl BuildDate {
    /// The config's date, else `SOURCE_DATE_EPOCH`, else the end of the reporting period: never
    /// the clock, so that a build is reproducible.
    pub fn choose(
        config: Option<chrono::NaiveDate>,
        epoch: Option<&str>,
        period_end: Option<chrono::NaiveDate>,
    ) -> BuildDate {
        if let Some(d) = config {
            return BuildDate { date: d.to_string(), source: "config".into() };
        }
        if let Some(d) = epoch
            .and_then(|s| s.trim().parse::<i64>().ok())
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(|t| t.date_naive())
        {
            return BuildDate { date: d.to_string(), source: "SOURCE_DATE_EPOCH".into() };
        }
        match period_end {
            Some(d) => BuildDate { date: d.to_string(), source: "period end".into() },
            None => BuildDate { date: "2000-01-01".into(), source: "none".into() },
        }
    }
}

/// What `verify` found in one edition.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub edition: String,
    pub problems: Vec<String>,
}

/// Re-hash every edition of `site` against its manifest: files changed, missing or added. Also
/// checks that `latest` leads to an edition. Returns one [`Check`] per edition (and one named
/// `latest` if the link is broken).
pub fn verify(site: &Path) -> Result<Vec<Check>, PublishError> {
    if !site.is_dir() {
        return Err(PublishError::Other(format!("{}: no such site folder", site.display())));
    }
    let mut out = Vec::new();
    let mut names: Vec<(String, PathBuf)> = std::fs::read_dir(site)
        .map_err(io(site))?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(n, _)| !n.starts_with('.'))
        .collect();
    names.sort();
    for (name, dir) in names {
        let mut problems = Vec::new();
        let m = match read_manifest(&dir.join(MANIFEST)) {
            Ok(m) => m,
            Err(e) => {
                out.push(Check { edition: name, problems: vec![e.to_string()] });
                continue;
            }
        };
        if m.edition != name {
            problems.push(format!("the manifest says edition {}, the folder is {name}", m.edition));
        }
        let mut listed = std::collections::BTreeSet::new();
        for f in &m.outputs {
            listed.insert(f.path.clone());
            let path = dir.join(&f.path);
            match std::fs::read(&path) {
                Ok(bytes) => {
                    if bytes.len() as u64 != f.bytes || inputs::sha256_hex(&bytes) != f.sha256 {
                        problems.push(format!("{}: changed since it was published", f.path));
                    }
                }
                Err(_) => problems.push(format!("{}: missing", f.path)),
            }
        }
        for entry in walkdir::WalkDir::new(&dir).follow_links(false).sort_by_file_name() {
            let Ok(entry) = entry else { continue };
            if entry.file_type().is_dir() {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&dir) else { continue };
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            if rel != MANIFEST && !listed.contains(&rel) {
                problems.push(format!("{rel}: not in the manifest"));
            }
        }
        out.push(Check { edition: m.edition, problems });
    }
    let link = site.join(LATEST);
    if link.is_symlink() && !link.join(MANIFEST).is_file() {
        out.push(Check { edition: LATEST.into(), problems: vec!["latest does not lead to an edition".into()] });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(content: &str) -> Fingerprint {
        Fingerprint {
            tool: tool(),
            audience: "internal".into(),
            options: BTreeMap::new(),
            inputs: vec![FileEntry::of("submissions/a.csv", content.as_bytes())],
        }
    }

    fn date() -> BuildDate {
        BuildDate { date: "2026-10-20".into(), source: "config".into() }
    }

    fn publish(out: &Path, period: &str, f: &Fingerprint, site: &Site) -> Manifest {
        let all = editions(out).expect("editions");
        let n = next(&all, period, f);
        let m = manifest(&n, f, &date(), site);
        write_edition(site, &m, out).expect("write");
        refresh_top(out).expect("top");
        m
    }

    #[test]
    fn ids_split_and_join() {
        assert_eq!(split_id("2026-Q3"), ("2026-Q3", 1));
        assert_eq!(split_id("2026-Q3-r2"), ("2026-Q3", 2));
        assert_eq!(split_id("2026-Q3-r12"), ("2026-Q3", 12));
        assert_eq!(edition_id("2026-Q3", 1), "2026-Q3");
        assert_eq!(edition_id("2026-Q3", 3), "2026-Q3-r3");
        assert_eq!(split_id("2026-07"), ("2026-07", 1));
    }

    #[test]
    fn revisions_number_up_and_unchanged_inputs_publish_nothing() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path();
        let mut site = Site::new();
        site.insert("en/index.html".into(), b"one".to_vec());

        let m1 = publish(out, "2026-Q3", &fp("1"), &site);
        assert_eq!((m1.edition.as_str(), m1.revision, m1.sequence), ("2026-Q3", 1, 1));
        assert_eq!(m1.reason, "first edition of 2026-Q3");
        assert_eq!(m1.previous, None);
        let all = editions(out).expect("editions");
        assert_eq!(up_to_date(&all, &fp("1")).map(|m| m.edition.as_str()), Some("2026-Q3"));
        assert!(up_to_date(&all, &fp("2")).is_none());

        let m2 = publish(out, "2026-Q3", &fp("2"), &site);
        assert_eq!((m2.edition.as_str(), m2.revision, m2.sequence), ("2026-Q3-r2", 2, 2));
        assert_eq!(m2.reason, "revision of 2026-Q3: changed submissions/a.csv");
        assert_eq!(m2.previous.as_deref(), Some("2026-Q3"));
        // Going back to the first inputs is a change from the newest: a third revision.
        let all = editions(out).expect("editions");
        assert!(up_to_date(&all, &fp("1")).is_none(), "only a period's newest edition counts");
        let m3 = publish(out, "2026-Q4", &fp("3"), &site);
        assert_eq!((m3.edition.as_str(), m3.sequence), ("2026-Q4", 3));

        assert_eq!(std::fs::read_link(out.join("latest")).expect("link"), Path::new("2026-Q4"));
        let index = std::fs::read_to_string(out.join("index.html")).expect("index");
        assert!(index.contains("2026-Q4/en/index.html"), "{index}");
        let versions = std::fs::read_to_string(out.join("versions.html")).expect("versions");
        for id in ["2026-Q3", "2026-Q3-r2", "2026-Q4"] {
            assert!(versions.contains(&format!("{id}/en/changes.html")) || id == "2026-Q3", "{id}: {versions}");
        }
        assert!(versions.contains("revision of 2026-Q3: changed submissions&#x2F;a.csv"), "{versions}");
        // Editions are never overwritten.
        let m = manifest(&next(&[], "2026-Q3", &fp("9")), &fp("9"), &date(), &site);
        assert!(matches!(write_edition(&site, &m, out), Err(PublishError::Exists { .. })));
        assert!(verify(out).expect("verify").iter().all(|c| c.problems.is_empty()));
        let names: Vec<String> = std::fs::read_dir(out)
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(STAGING_PREFIX))
            .collect();
        assert!(names.is_empty(), "no staging left behind: {names:?}");
    }

    #[test]
    fn verify_reports_changed_missing_and_extra_files() {
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path();
        let mut site = Site::new();
        site.insert("en/index.html".into(), b"one".to_vec());
        site.insert("en/a.html".into(), b"a".to_vec());
        publish(out, "2026-Q3", &fp("1"), &site);
        std::fs::write(out.join("2026-Q3/en/index.html"), b"two").expect("tamper");
        std::fs::remove_file(out.join("2026-Q3/en/a.html")).expect("rm");
        std::fs::write(out.join("2026-Q3/en/extra.html"), b"x").expect("add");
        let checks = verify(out).expect("verify");
        assert_eq!(checks.len(), 1);
        assert_eq!(
            checks[0].problems,
            [
                "en/a.html: missing",
                "en/index.html: changed since it was published",
                "en/extra.html: not in the manifest"
            ]
        );
    }

    #[test]
    fn the_lock_refuses_a_second_holder_until_released() {
        let dir = tempfile::tempdir().expect("tmp");
        let first = Lock::acquire(dir.path()).expect("first");
        let second = Lock::acquire(dir.path());
        assert!(matches!(second, Err(PublishError::Locked { .. })));
        let msg = second.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("another ftc build is writing this site"), "{msg}");
        drop(first);
        assert!(Lock::acquire(dir.path()).is_ok());
    }

    #[test]
    fn the_date_never_comes_from_the_clock() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(BuildDate::choose(d(2026, 10, 20), Some("0"), d(2026, 9, 30)).date, "2026-10-20");
        // 1 793 491 200 s / 86 400 = 20 758 days: 20 454 to 2026-01-01 (56 years, 14 of them leap), then
        // 304 to 1 November.
        let b = BuildDate::choose(None, Some("1793491200"), d(2026, 9, 30));
        assert_eq!((b.date.as_str(), b.source.as_str()), ("2026-11-01", "SOURCE_DATE_EPOCH"));
        let b = BuildDate::choose(None, Some("not a number"), d(2026, 9, 30));
        assert_eq!((b.date.as_str(), b.source.as_str()), ("2026-09-30", "period end"));
    }

    /// A cascade download with these rows under the published header's count columns.
    fn cascade_csv(rows: &str) -> Vec<u8> {
        format!("\u{FEFF}period,level,code,name_en,plhiv,diagnosed,on_art,vl_tested,vl_suppressed\n{rows}").into_bytes()
    }

    #[test]
    fn a_download_names_the_counts_it_hides() {
        use crate::analyse::cascade::Count;
        use crate::period::Period;
        let csv = cascade_csv(concat!(
            // "<5" and "*" hide; an empty cell and a number do not; the code's leading quote
            // (written so that a spreadsheet keeps the zero) is not part of it.
            "2026-Q3,commune,'010201,\"Banteay, \"\"Neang\"\"\",8,<5,*,,3\n",
            // Numbers in every form f64 reads; a name with the markers is not a count.
            "2026-Q3,commune,010202,x*<5,12,10,9.5,1e3,-2\n",
            "2026-Q4,commune,010201,y,<5,*,7,7,7\n",
            // A period that does not read: the row names nothing.
            "bad,commune,010203,z,<5,<5,<5,<5,<5\n",
            // A row of another length: skipped, and the rows after it still read.
            "2026-Q4,commune,010204,w,<5,2\n",
            "2026-Q4,province,01,v,n/a,0,0,0,0\n",
        ));
        let q = |quarter| Period::Quarter { year: 2026, quarter };
        let cell = |p, code: &str, k| (p, code.to_string(), k);
        assert_eq!(
            hidden_in(&csv),
            vec![
                cell(q(3), "010201", Count::Diagnosed),
                cell(q(3), "010201", Count::OnArt),
                cell(q(4), "010201", Count::Plhiv),
                cell(q(4), "010201", Count::Diagnosed),
                cell(q(4), "01", Count::Plhiv),
            ]
        );
        // No period or code column: nothing can be named.
        assert!(hidden_in(b"level,code,plhiv\ncommune,010201,<5\n").is_empty());
        assert!(hidden_in(b"").is_empty());
    }

    #[test]
    fn every_public_edition_hides_again_and_no_internal_one() {
        use crate::analyse::cascade::Count;
        use crate::period::Period;
        let dir = tempfile::tempdir().expect("tmp");
        let out = dir.path();
        let with = |audience: &str, content: &str| Fingerprint { audience: audience.into(), ..fp(content) };
        let site = |rows: &str| {
            let mut site = Site::new();
            site.insert("downloads/cascade.csv".into(), cascade_csv(rows));
            site
        };
        publish(out, "2026-Q3", &with("public", "1"), &site("2026-Q3,commune,010201,a,8,<5,*,,3\n"));
        publish(out, "2026-Q3", &with("public", "2"), &site("2026-Q3,commune,010202,b,<5,4,4,4,4\n"));
        // The internal pack shows full numbers; a marker in one is not the public's to keep.
        publish(out, "2026-Q3", &with("internal", "3"), &site("2026-Q3,commune,010203,c,<5,4,4,4,4\n"));
        let all = editions(out).expect("editions");
        assert_eq!(all.len(), 3);
        let q3 = Period::Quarter { year: 2026, quarter: 3 };
        let cell = |code: &str, k| (q3, code.to_string(), k);
        assert_eq!(
            hidden_cells(out, &all),
            [cell("010201", Count::Diagnosed), cell("010201", Count::OnArt), cell("010202", Count::Plhiv)]
                .into_iter()
                .collect()
        );
    }

    #[test]
    fn an_unreadable_manifest_is_named_the_same_every_time() {
        let dir = tempfile::tempdir().expect("tmp");
        for (edition, text) in [("2026-Q4", "["), ("2026-Q3", "{"), ("2026-Q3-r2", "not json")] {
            std::fs::create_dir_all(dir.path().join(edition)).expect("mkdir");
            std::fs::write(dir.path().join(edition).join(MANIFEST), text).expect("write");
        }
        for _ in 0..5 {
            match editions(dir.path()) {
                Err(PublishError::BadManifest { path, .. }) => {
                    assert!(path.ends_with("2026-Q3/edition.json"), "{path}")
                }
                other => panic!("{other:?}"),
            }
        }
    }
}

//! Ingest stage: files → [`Submissions`]. Walks `submissions/<period>/<province>/`, decides each
//! file's format from its bytes, reads it (calamine or csv) into grids, and finds the cascade
//! and budget tables and the metadata written above them. Findings here are about reading; the
//! meaning of the values is the validate stage's business.

pub mod aliases;
pub mod csvfile;
pub mod grid;
pub mod header;
pub mod number;
pub mod package;
pub mod sniff;
pub mod workbook;

use crate::finding::{Finding, Location, Rule};
use crate::geography::{self, Geography};
use crate::period::Period;
use crate::project::{Limits, Project, SUBMISSIONS_DIR};
use header::{MetaCell, Table};
use sniff::{Format, Sniffed};
use std::path::{Path, PathBuf};

/// Everything read from a project's submissions (or from files given to `ftc check`).
#[derive(Debug, Default)]
pub struct Submissions {
    pub files: Vec<SubmissionFile>,
    /// Findings about the folder layout (a folder that is not a period, say).
    pub findings: Vec<Finding>,
}

/// One file as read.
#[derive(Debug, Default)]
pub struct SubmissionFile {
    /// As shown to the user: relative to the project, or as given on the command line.
    pub path: String,
    /// From the folder: `submissions/<period>/<province>/`.
    pub period: Option<Period>,
    pub province: Option<String>,
    pub format: Option<Format>,
    pub bytes: u64,
    pub tables: Vec<Table>,
    /// Labels and values found above the tables or on cover sheets, with their sheet.
    pub meta: Vec<(String, MetaCell)>,
    pub findings: Vec<Finding>,
}

/// Read every submission of a project. Symbolic links are not followed: each one met is a
/// warning naming it, so a link out of the project can neither leak a file into the site nor
/// disappear without a word.
pub fn ingest(project: &Project) -> Submissions {
    let (jobs, findings) = plan(project);
    use rayon::prelude::*;
    let files: Vec<SubmissionFile> = jobs.into_par_iter().map(|job| job.read(&project.config.limits)).collect();
    Submissions { files, findings }
}

/// A submission to read: where it is, how it is shown, and what its folders say.
#[derive(Debug, Clone)]
pub struct Job {
    pub path: PathBuf,
    pub shown: String,
    pub period: Period,
    pub province: String,
}

impl Job {
    /// Read the file.
    pub fn read(&self, limits: &Limits) -> SubmissionFile {
        self.stamped(read_file(&self.path, &self.shown, limits))
    }

    /// The file's bytes within the size limit, or the finding that says why not (then
    /// [`Job::unreadable`] is the file as read).
    pub fn bytes(&self, limits: &Limits) -> Result<Vec<u8>, Finding> {
        bytes_of(&self.path, &self.shown, limits)
    }

    /// Read the file from its [`Job::bytes`].
    pub fn read_bytes(&self, bytes: Vec<u8>, limits: &Limits) -> SubmissionFile {
        self.stamped(from_bytes(&self.path, &self.shown, bytes, limits))
    }

    /// The file that [`Job::bytes`] could not read.
    pub fn unreadable(&self, why: Finding) -> SubmissionFile {
        self.stamped(unreadable(&self.path, &self.shown, why))
    }

    fn stamped(&self, mut file: SubmissionFile) -> SubmissionFile {
        file.period = Some(self.period);
        file.province = Some(self.province.clone());
        file
    }
}

/// The submissions of a project, in folder order, and the findings about its folders.
pub fn plan(project: &Project) -> (Vec<Job>, Vec<Finding>) {
    let mut out = Submissions::default();
    let root = project.submissions_dir();
    let shown = |p: &Path| display(&project.root, p);
    if std::fs::symlink_metadata(&root).is_ok_and(|m| m.file_type().is_symlink()) {
        out.findings.push(symlink_finding(&shown(&root)));
        return (Vec::new(), out.findings);
    }
    let (periods, links) = subdirs(&root);
    out.findings.extend(links.iter().map(|l| symlink_finding(&shown(l))));
    // The files to read, in folder order (read in parallel by the caller, kept in this order).
    let mut jobs: Vec<Job> = Vec::new();
    for (period_dir, period_name) in periods {
        let Ok(period) = period_name.parse::<Period>() else {
            out.findings.push(
                Finding::warning(Rule::PeriodMismatch, "period.folder", Location::file(shown(&period_dir)))
                    .arg("folder", &period_name),
            );
            continue;
        };
        let (provinces, links) = subdirs(&period_dir);
        out.findings.extend(links.iter().map(|l| symlink_finding(&shown(l))));
        for (prov_dir, prov_name) in provinces {
            let Some(province) = province_from_folder(&prov_name, &project.geography) else {
                out.findings.push(
                    Finding::warning(Rule::UnknownArea, "province.folder", Location::file(shown(&prov_dir)))
                        .arg("folder", &prov_name),
                );
                continue;
            };
            let (files, links) = walk(&prov_dir);
            out.findings.extend(links.iter().map(|l| symlink_finding(&shown(l))));
            jobs.extend(files.into_iter().map(|path| Job {
                shown: shown(&path),
                path,
                period,
                province: province.clone(),
            }));
        }
    }
    (jobs, out.findings)
}

fn symlink_finding(shown: &str) -> Finding {
    Finding::warning(Rule::UnreadableFile, "file.symlink", Location::file(shown))
}

/// Read files and folders named on the command line (`ftc check`), outside any project layout.
/// A path given by name is read even if it is a link (the user chose it); links met inside a
/// folder are not followed.
pub fn ingest_paths(paths: &[PathBuf], limits: &Limits) -> Submissions {
    let mut out = Submissions::default();
    for p in paths {
        let files = if p.is_dir() {
            let (files, links) = walk(p);
            out.findings.extend(links.iter().map(|l| symlink_finding(&l.to_string_lossy())));
            files
        } else {
            vec![p.clone()]
        };
        for f in files {
            out.files.push(read_file(&f, &f.to_string_lossy(), limits));
        }
    }
    out
}

/// Read one file: sniff, read grids, find tables and metadata. Never fails: a file that cannot
/// be read comes back with an `unreadable-file` finding.
pub fn read_file(path: &Path, shown: &str, limits: &Limits) -> SubmissionFile {
    match bytes_of(path, shown, limits) {
        Ok(bytes) => from_bytes(path, shown, bytes, limits),
        Err(why) => unreadable(path, shown, why),
    }
}

/// A file that could not be read: its size on disk and why.
fn unreadable(path: &Path, shown: &str, why: Finding) -> SubmissionFile {
    let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
    SubmissionFile { path: shown.to_string(), bytes, findings: vec![why], ..Default::default() }
}

/// The file as read from its bytes.
fn from_bytes(path: &Path, shown: &str, bytes: Vec<u8>, limits: &Limits) -> SubmissionFile {
    let mut file = SubmissionFile { path: shown.to_string(), ..Default::default() };
    match grids_of(path, bytes, &mut file, limits) {
        Ok(grids) => tables_of(grids, &mut file),
        Err(f) => file.findings.push(f),
    }
    file
}

/// The tables and metadata of a file's grids.
fn tables_of(grids: Vec<grid::Grid>, file: &mut SubmissionFile) {
    for mut grid in grids {
        // The metadata is read from the rows above the header, which taking the table leaves.
        let table = header::take_table(&mut grid);
        let grid = &grid;
        let meta_until = table.as_ref().map_or(header::HEADER_SEARCH_ROWS, |t| t.header_rows.0);
        file.meta.extend(header::find_meta(grid, meta_until).into_iter().map(|m| (grid.name.clone(), m)));
        file.tables.extend(table);
    }
    if file.tables.is_empty()
        && !file.findings.iter().any(|f| {
            f.rule == Rule::UnreadableFile
                && f.severity == crate::finding::Severity::Error
                && f.location.sheet.is_none()
        })
    {
        let missing = Finding::error(Rule::MissingSheet, "sheet.none", Location::file(&file.path));
        file.findings.push(missing);
    }
}

/// A file's bytes within the size limit, or the `unreadable-file` finding that says why not.
fn bytes_of(path: &Path, shown: &str, limits: &Limits) -> Result<Vec<u8>, Finding> {
    let loc = || Location::file(shown);
    read_bounded(path, limits.max_file_bytes).map_err(|e| match e {
        Bounded::Io(e) => Finding::error(Rule::UnreadableFile, "file.io", loc()).arg("detail", e),
        Bounded::TooLarge(size) => Finding::error(Rule::UnreadableFile, "file.too-large", loc())
            .arg("size", size)
            .arg("limit", limits.max_file_bytes),
    })
}

/// The grids of a file's bytes (read within the size limit).
fn grids_of(
    path: &Path,
    bytes: Vec<u8>,
    file: &mut SubmissionFile,
    limits: &Limits,
) -> Result<Vec<grid::Grid>, Finding> {
    let loc = || Location::file(&file.path);
    file.bytes = bytes.len() as u64;
    let format = match sniff::sniff(&bytes) {
        Sniffed::Spreadsheet(f) => f,
        Sniffed::Encrypted => return Err(Finding::error(Rule::UnreadableFile, "file.encrypted", loc())),
        Sniffed::Empty => return Err(Finding::error(Rule::UnreadableFile, "file.empty", loc())),
        Sniffed::Other(what) => {
            return Err(Finding::error(Rule::UnreadableFile, "file.not-spreadsheet", loc()).arg("detail", what));
        }
    };
    file.format = Some(format);
    note_extension(path, format, file);
    if format == Format::Csv {
        let stem = path.file_stem().map_or_else(|| "csv".into(), |s| s.to_string_lossy().into_owned());
        let (grid, findings) = csvfile::read_csv(&bytes, &file.path, &stem, limits)?;
        file.findings.extend(findings);
        return Ok(vec![grid]);
    }
    let read = workbook::read_workbook(bytes, format, &file.path, limits)?;
    file.findings.extend(read.findings);
    Ok(read.sheets)
}

enum Bounded {
    Io(std::io::Error),
    /// The size on disk, or more than the limit when it grew while being read.
    TooLarge(String),
}

/// The file's bytes, never more than `limit`: checked against its size before reading, and
/// read through a limit, so a file that grows, a device or a pipe cannot exhaust memory.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, Bounded> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(Bounded::Io)?;
    let size = file.metadata().map_err(Bounded::Io)?.len();
    if size > limit {
        return Err(Bounded::TooLarge(size.to_string()));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(Bounded::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Bounded::TooLarge(format!("more than {limit}")));
    }
    Ok(bytes)
}

/// Say so when the extension claims another format than the bytes (a tab-separated text saved
/// as `.xls`, say); the bytes win.
fn note_extension(path: &Path, format: Format, file: &mut SubmissionFile) {
    let Some(ext) = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()) else { return };
    let known = [Format::Xlsx, Format::Xlsb, Format::Xls, Format::Ods, Format::Csv]
        .iter()
        .any(|f| f.extensions().contains(&ext.as_str()));
    if known && !format.extensions().contains(&ext.as_str()) {
        file.findings.push(
            Finding::note("file.extension-mismatch", Location::file(&file.path))
                .arg("extension", &ext)
                .arg("format", format.as_str()),
        );
    }
}

/// Direct subfolders, sorted by name, and the symbolic links beside them (not followed).
fn subdirs(dir: &Path) -> (Vec<(PathBuf, String)>, Vec<PathBuf>) {
    let mut dirs = Vec::new();
    let mut links = Vec::new();
    let entries = walkdir::WalkDir::new(dir).min_depth(1).max_depth(1).follow_links(false).sort_by_file_name();
    for e in entries.into_iter().filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if e.path_is_symlink() {
            links.push(e.path().to_path_buf());
        } else if e.file_type().is_dir() {
            dirs.push((e.path().to_path_buf(), name));
        }
    }
    (dirs, links)
}

/// Files below a folder, sorted; skips hidden files, office lock files (`~$x.xlsx`), notes in
/// Markdown, and anything behind a symbolic link (it could point out of the project).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    walk(dir).0
}

/// The files below a folder as [`files_under`] has them, and the symbolic links met on the way
/// (to files or folders; none is followed).
pub fn walk(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut files = Vec::new();
    let mut links = Vec::new();
    let entries = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .max_depth(8)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("~$") || name.starts_with(".~lock") {
            continue;
        }
        if e.depth() > 0 && e.path_is_symlink() {
            links.push(e.path().to_path_buf());
        } else if e.file_type().is_file() && !name.to_ascii_lowercase().ends_with(".md") {
            files.push(e.path().to_path_buf());
        }
    }
    files.sort();
    links.sort();
    (files, links)
}

/// `12`, `12-phnom-penh`, `1`, or a province's name (`Phnom Penh`, `siem-reap`).
pub fn province_from_folder(name: &str, geo: &Geography) -> Option<String> {
    let digits: String = name.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !digits.is_empty() {
        let code = geography::normalize_code(&digits)?;
        return (code.len() == 2 && geo.get(&code).is_some()).then_some(code);
    }
    geo.find_province(&name.replace(['-', '_'], " ")).map(|a| a.code.clone())
}

fn display(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// The folder submissions live under, for messages.
pub fn submissions_folder() -> &'static str {
    SUBMISSIONS_DIR
}

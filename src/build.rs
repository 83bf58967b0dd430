//! The build pipeline, top to bottom: load, ingest, validate, analyse ([`build`]), then render
//! and publish an edition ([`publish`]).

use crate::analyse::{self, AreaReport, Report};
use crate::finding::Severity;
use crate::ingest;
use crate::period::Period;
use crate::project::{Project, ProjectError};
use crate::render::downloads::Table;
use crate::render::xlsx::SheetStore;
use crate::validate::{self, Context, Dataset};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// What a build produced.
pub struct Build {
    pub project: Project,
    /// The validated rows. After [`publish`] its budget rows are gone (freed once analysed by
    /// [`Build::free_unrendered`]: nothing renders them from here); [`Build::budget_lines`]
    /// keeps their count.
    pub dataset: Dataset,
    pub report: Report,
    /// Budget lines used, by (period, province), for the build summary.
    pub budget_lines: BTreeMap<(String, String), usize>,
    /// How long each stage took (for `--timings` and the benchmark; never in the output).
    pub timings: Timings,
    /// With a [`DiskCache`]: the submissions read and validated (the rest came from the cache),
    /// of how many.
    pub read: Option<(usize, usize)>,
    /// The project's build cache, when this build used one: rendering keeps the downloads
    /// workbook's sheets there too ([`DiskCache::sheets`]).
    pub cache: Option<DiskCache>,
}

impl Build {
    /// Free what analysis needed and nothing renders: the validated budget rows (the report
    /// holds every figure they give: about 60 MB nationally) and the report's budget lines of
    /// every period but the latest (only the latest period's pages and briefs list lines; the
    /// earlier periods give trends and downloads from their totals): 15 MB more.
    pub fn free_unrendered(&mut self) {
        let mut unrendered = vec![];
        let latest = self.report.by_period.keys().next_back().copied();
        for (period, pr) in &mut self.report.by_period {
            if Some(*period) == latest {
                continue;
            }
            for a in pr.areas_mut() {
                unrendered.push(std::mem::take(&mut a.lines));
            }
        }
        free_in_parallel(std::mem::take(&mut self.dataset.budget));
        free_in_parallel(unrendered);
    }
}

/// Free the items of `values` on every core. Freeing what a national build read or no longer
/// renders (hundreds of thousands of rows and lines, each with its own strings) took one core
/// 25-40 ms each time while the other waited. (Freeing them on a thread of its own, beside
/// the next stage, measured slower: its frees and that stage's allocations met on the same
/// allocator arenas.)
pub fn free_in_parallel<T: Send>(values: Vec<T>) {
    use rayon::prelude::*;
    // No minimum length per task: with one of 256, the 200 files of a national project were
    // a single task, freed by one core.
    values.into_par_iter().for_each(drop);
}

/// Wall time per pipeline stage, in the order the stages ran, and the resident memory after
/// each, now and at its peak so far (Linux; 0 elsewhere).
#[derive(Debug, Clone, Default)]
pub struct Timings(pub Vec<(&'static str, std::time::Duration)>, pub Vec<(&'static str, (u64, u64))>);

/// The resident set size now and at its peak, in MB (Linux `/proc/self/status`).
pub fn rss_mb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

impl Timings {
    /// Run `f`, adding its time to `stage`.
    pub fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let t = std::time::Instant::now();
        let out = f();
        let d = t.elapsed();
        self.1.push((stage, rss_mb()));
        match self.0.iter_mut().find(|(s, _)| *s == stage) {
            Some((_, total)) => *total += d,
            None => self.0.push((stage, d)),
        }
        out
    }
    pub fn get(&self, stage: &str) -> std::time::Duration {
        self.0.iter().filter(|(s, _)| *s == stage).map(|(_, d)| *d).sum()
    }
}

/// Free pages (`pages/*.md`), the latest period's narratives (`narratives/<period>/<PP>*.md`)
/// and template overrides (`templates/*`) of a project. Unreadable or malformed files are
/// reported, not fatal.
/// Pages and narratives with `audience = "internal"` in their front matter are read only for
/// the internal audience.
pub fn load_render_inputs(
    root: &Path,
    latest: Option<crate::period::Period>,
    audience: crate::disclose::Audience,
) -> (RenderFiles, Vec<String>) {
    use crate::render::markdown;
    let mut files = RenderFiles::default();
    let mut problems = Vec::new();
    let readable = |doc: &markdown::Document| {
        audience == crate::disclose::Audience::Internal || doc.front.audience.as_deref() != Some("internal")
    };
    // Symbolic links are skipped with a problem each (see `project::plain_files`).
    let md_files = |dir: &Path, problems: &mut Vec<String>| -> Vec<std::path::PathBuf> {
        let (files, links) = crate::project::plain_files(dir);
        problems.extend(links);
        files.into_iter().filter(|p| p.extension().is_some_and(|e| e == "md")).collect()
    };
    for path in md_files(&root.join("pages"), &mut problems) {
        let slug = match crate::project::page_slug(&path) {
            Ok(slug) => slug,
            Err(e) => {
                problems.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        match std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|t| markdown::parse(&t)) {
            Ok(doc) if readable(&doc) => files.pages.push((slug, doc)),
            Ok(_) => {}
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    if let Some(period) = latest {
        for path in md_files(&root.join("narratives").join(period.to_string()), &mut problems) {
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let code: String = name.chars().take(2).collect();
            match std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|t| markdown::parse(&t)) {
                Ok(doc) if readable(&doc) => {
                    files.narratives.insert(code, doc);
                }
                Ok(_) => {}
                Err(e) => problems.push(format!("{}: {e}", path.display())),
            }
        }
    }
    let (templates, links) = crate::project::plain_files(&root.join("templates"));
    problems.extend(links);
    for path in templates {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match std::fs::read_to_string(&path) {
            Ok(t) => {
                files.overrides.insert(name, t);
            }
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    (files, problems)
}

/// What a project adds to the report for rendering.
#[derive(Default, Clone)]
pub struct RenderFiles {
    pub pages: Vec<(String, crate::render::markdown::Document)>,
    pub narratives: BTreeMap<String, crate::render::markdown::Document>,
    pub overrides: BTreeMap<String, String>,
}

/// What an edition is, for the renderer: its id, and what changed since the one before.
#[derive(Debug, Clone, Default)]
pub struct EditionInfo {
    pub id: String,
    /// Who the edition is for; the report must have been disclosed for it already.
    pub audience: crate::disclose::Audience,
    pub changes: Option<crate::publish::diff::Diff>,
    pub reason: String,
}

/// Render the site in memory as edition `id` (the latest period when `None`), with no
/// "what changed" comparison. Returns the edition id, the site and non-fatal problems.
pub fn render(b: &Build) -> Result<(String, crate::render::site::Site, Vec<String>), crate::render::site::RenderError> {
    let id = latest_period(b);
    let (site, problems) = render_edition(b, EditionInfo { id: id.clone(), ..EditionInfo::default() })?;
    Ok((id, site, problems))
}

/// The label of the latest reporting period with data (`empty` when there is none).
pub fn latest_period(b: &Build) -> String {
    match (b.report.latest(), waiting_period(b)) {
        (Some(p), _) => p.period.to_string(),
        (None, Some(p)) => p.to_string(),
        (None, None) => "empty".to_string(),
    }
}

/// The newest period the config expects (for a project with no submissions yet).
pub fn waiting_period(b: &Build) -> Option<crate::period::Period> {
    b.project.config.periods.keys().filter_map(|k| k.parse().ok()).max()
}

pub(crate) fn site_input<'a>(
    b: &'a Build,
    files: RenderFiles,
    ed: &EditionInfo,
    tables: Option<&'a [Table<'a>]>,
    sheets: Option<&'a dyn SheetStore>,
) -> crate::render::site::SiteInput<'a> {
    crate::render::site::SiteInput {
        report: &b.report,
        dataset: &b.dataset,
        geography: &b.project.geography,
        edition: ed.id.clone(),
        pages: files.pages,
        narratives: files.narratives,
        overrides: files.overrides,
        brief_communes: brief_communes(b),
        changes: ed.changes.clone(),
        reason: ed.reason.clone(),
        audience: ed.audience.as_str().to_string(),
        waiting: waiting_period(b),
        tables,
        sheets,
    }
}

/// Render the site in memory as the edition `ed`.
pub fn render_edition(
    b: &Build,
    ed: EditionInfo,
) -> Result<(crate::render::site::Site, Vec<String>), crate::render::site::RenderError> {
    render_with(b, ed, None, None)
}

/// Render the site in memory as the edition `ed`. `made`: the download tables and their CSVs,
/// when they were made already (for the diff): the CSVs are moved into the site and the workbook
/// is written from the same tables. `sheets`: where the workbook's compressed sheets are kept
/// between builds (the same bytes with it or without).
pub(crate) fn render_with<'a>(
    b: &'a Build,
    ed: EditionInfo,
    made: Option<(&'a [Table<'a>], crate::render::site::Site)>,
    sheets: Option<&'a dyn SheetStore>,
) -> Result<(crate::render::site::Site, Vec<String>), crate::render::site::RenderError> {
    let latest = b.report.latest().map(|p| p.period);
    let (files, problems) = load_render_inputs(&b.project.root, latest, ed.audience);
    let (tables, csvs) = made.unzip();
    let mut site = crate::render::site::render_site(&site_input(b, files, &ed, tables, sheets))?;
    site.extend(csvs.unwrap_or_default());
    Ok((site, problems))
}

/// The download tables of a build, as the site publishes them.
pub fn download_tables(b: &Build) -> Vec<Table<'_>> {
    crate::render::site::download_tables(&site_input(b, RenderFiles::default(), &EditionInfo::default(), None, None))
}

/// How to publish a build.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    pub out: std::path::PathBuf,
    pub pdf: bool,
    pub audience: crate::disclose::Audience,
    /// Reuse and keep the parts of unchanged submissions in the project's [`DiskCache`].
    pub cache: bool,
}

/// What publishing did.
pub enum Published {
    /// A new edition, with the build behind it and the renderer's non-fatal problems.
    New {
        path: std::path::PathBuf,
        manifest: Box<crate::publish::Manifest>,
        build: Box<Build>,
        problems: Vec<String>,
        /// Every stage's time, from ingest to publish.
        timings: Timings,
    },
    /// The inputs are those of an existing edition: nothing was written but the shared pages.
    Unchanged { edition: String },
}

/// The fingerprint of a project's inputs for `opts`.
pub fn fingerprint(root: &Path, opts: &PublishOptions) -> Result<crate::publish::Fingerprint, anyhow::Error> {
    use anyhow::Context as _;
    let inputs = crate::publish::inputs::collect(root).with_context(|| format!("reading {}", root.display()))?;
    let mut options = BTreeMap::new();
    if opts.pdf {
        options.insert("pdf".to_string(), "yes".to_string());
    }
    Ok(crate::publish::Fingerprint {
        tool: crate::publish::tool(),
        audience: opts.audience.as_str().to_string(),
        options,
        inputs,
    })
}

/// Build the project in `root` and publish it as a new edition in `opts.out`, unless its inputs
/// are those of an existing edition. Holds the site's lock throughout.
pub fn publish(root: &Path, opts: &PublishOptions) -> Result<Published, anyhow::Error> {
    use crate::publish::{self as p, diff};
    let fp = fingerprint(root, opts)?;
    p::check_audience_folder(&opts.out, opts.audience)?;
    let _lock = p::Lock::acquire(&opts.out)?;
    p::clean_staging(&opts.out)?;
    let all = p::editions(&opts.out)?;
    p::check_audience_editions(&opts.out, &all, opts.audience)?;
    if let Some(m) = p::up_to_date(&all, &fp) {
        p::refresh_top_of(&opts.out, &all.iter().collect::<Vec<_>>())?;
        return Ok(Published::Unchanged { edition: m.edition.clone() });
    }
    // The cells earlier editions hid are read from their downloads while the project builds:
    // on the main thread after it, they were 10-14 ms for each edition on the site (national).
    let (b, prior) =
        rayon::join(|| if opts.cache { build_stored(root) } else { build(root) }, || p::hidden_cells(&opts.out, &all));
    let mut b = b?;
    b.free_unrendered();
    let mut t = std::mem::take(&mut b.timings);
    t.time("disclose", || disclose(&mut b, opts.audience, &prior));
    let period = latest_period(&b);
    let next = p::next(&all, &period, &fp);
    // What changed since the previous edition, from its downloads against this build's: the
    // download tables and CSVs are made here once; the render stage moves the CSVs into the site
    // and writes the workbook from the same tables.
    let (changes, made) = t.time("diff", || -> Result<_, anyhow::Error> {
        let Some(prev) = &next.previous else { return Ok((None, None)) };
        let dir = opts.out.join(&prev.edition);
        let path = crate::render::site::csv_path;
        // The previous edition's CSVs are read while this build's are made (read after, the
        // main thread read 20 MB while the other core waited); the making first, as the longer
        // side of the join.
        let ((tables, downloads), old) = rayon::join(
            || {
                let tables = download_tables(&b);
                let downloads = crate::render::site::csvs(&tables);
                (tables, downloads)
            },
            || -> Vec<Option<Vec<u8>>> { diff::TABLES.iter().map(|n| std::fs::read(dir.join(path(n))).ok()).collect() },
        );
        // The rows both editions publish byte for byte are left out before anything is parsed.
        // This build's tables are borrowed from the downloads, not copied.
        let old: Vec<Option<&[u8]>> = old.iter().map(|b| b.as_deref()).collect();
        let new: Vec<Option<&[u8]>> = diff::TABLES.iter().map(|n| downloads.get(&path(n)).map(Vec::as_slice)).collect();
        let (old, new) = diff::pair(&old, &new).map_err(|e| match e {
            diff::PairError::First(e) => anyhow::anyhow!("{}: {e}", dir.display()),
            diff::PairError::Second(e) => anyhow::anyhow!(e),
        })?;
        let changes = diff::compare(&prev.edition, &old, &next.id, &new);
        Ok((Some(changes), Some((tables, downloads))))
    })?;
    let ed = EditionInfo { id: next.id.clone(), audience: opts.audience, changes, reason: next.reason.clone() };
    let (tables, csvs) = made.unzip();
    let sheets = b.cache.as_ref().and_then(|c| c.sheets(opts.audience));
    let store = sheets.as_ref().map(|s| s as &dyn SheetStore);
    let (mut site, problems) = t.time("render", || {
        let rendered = render_with(&b, ed, tables.as_deref().zip(csvs), store);
        // The download tables made for the diff (a national build's 100,000 rows of cells) are
        // freed on every core now: left to the end of this function, one core freed them for
        // 30 ms after the edition was written.
        if let Some(tables) = tables {
            free_in_parallel(tables.into_iter().flat_map(|t| t.rows).collect());
        }
        rendered
    })?;
    if let Some(s) = &sheets {
        s.prune();
    }
    let date = p::BuildDate::choose(
        b.project.config.edition.date,
        std::env::var("SOURCE_DATE_EPOCH").ok().as_deref(),
        b.report.latest().map(|pr| pr.period.end()).or_else(|| waiting_period(&b).map(|p| p.end())),
    );
    if opts.pdf {
        let stamp = date.date.replace('-', "") + "000000";
        p::pdf::print_briefs(&mut site, &stamp)?;
    }
    let (path, manifest) = t.time("publish", || -> Result<_, p::PublishError> {
        let mut manifest = p::manifest(&next, &fp, &date, &site);
        manifest.title = b.report.title.clone();
        let path = p::write_edition(&site, &manifest, &opts.out)?;
        p::refresh_top_of(&opts.out, &all.iter().chain([&manifest]).collect::<Vec<_>>())?;
        Ok((path, manifest))
    })?;
    Ok(Published::New { path, manifest: Box::new(manifest), build: Box::new(b), problems, timings: t })
}

fn brief_communes(b: &Build) -> Vec<String> {
    let cfg = &b.project.config.briefs;
    match b.report.latest() {
        Some(pr) if cfg.all_communes => pr.communes.keys().cloned().collect(),
        _ => cfg.communes.clone(),
    }
}

/// The disclose stage on a build: suppression in the report, numbers out of the findings.
pub fn disclose(
    b: &mut Build,
    audience: crate::disclose::Audience,
    prior: &std::collections::BTreeSet<crate::disclose::CellKey>,
) {
    if audience == crate::disclose::Audience::Internal {
        return;
    }
    let threshold = u64::from(b.project.config.thresholds.suppression);
    crate::disclose::disclose(&mut b.report, audience, threshold, prior);
    crate::disclose::redact_findings(&mut b.dataset.findings);
    crate::disclose::redact_findings(&mut b.report.findings);
}

/// Run the pipeline on the project in `root`.
pub fn build(root: &Path) -> Result<Build, ProjectError> {
    let v = validate_fresh(root)?;
    Ok(analysed(v.project, v.dataset, v.timings))
}

/// The project's validated dataset, every file read (no cache): what [`build`] analyses.
pub fn validate_fresh(root: &Path) -> Result<Validated, ProjectError> {
    let mut t = Timings::default();
    let project = t.time("load", || Project::load(root))?;
    let submissions = t.time("ingest", || ingest::ingest(&project));
    let dataset = t.time("validate", || {
        validate::validate(&submissions, &Context { geography: &project.geography, config: Some(&project.config) })
    });
    let files = submissions.files.len();
    // The grids as read are not needed past validation: freed before the report is built.
    free_in_parallel(submissions.files);
    Ok(Validated { project, dataset, read: (files, files), timings: t, store: None })
}

/// Each submission's validated part, kept between the builds of one process (`ftc serve`), so a
/// rebuild reads and validates only the files that changed: in the project's [`DiskCache`] (so a
/// preview also starts from what the last build stored), or in memory when the project cannot
/// hold one. A part is reused when the file's
/// path (as on disk, not as shown: two paths can show alike) and bytes are the same and so are
/// the project's settings (`ftc.toml` and `geography.csv`, as read for that build): what a part
/// depends on and nothing else (see [`validate::validate_part`]). Held in memory and in the
/// project folder, never in a published site: its rows are not yet suppressed.
#[derive(Default)]
pub struct FileCache {
    settings: Option<[u8; 32]>,
    parts: std::collections::HashMap<std::path::PathBuf, ([u8; 32], Dataset)>,
}

/// What a submission's part depends on beyond itself (the settings' text) hashes to.
fn settings_hash(settings: &crate::project::Settings) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for text in [Some(&settings.config), settings.geography.as_ref()] {
        match text {
            Some(t) => {
                h.update(b"text ");
                h.update((t.len() as u64).to_le_bytes());
                h.update(t.as_bytes());
            }
            None => h.update(b"none "),
        }
    }
    h.finalize().into()
}

/// [`build`], reusing from `cache` the parts of files unchanged since its last build and
/// keeping the new ones there (see [`FileCache`]). The result is the same as [`build`]'s, with
/// [`Build::read`] saying how many files were read and validated.
pub fn build_cached(root: &Path, cache: &mut FileCache) -> Result<Build, ProjectError> {
    build_reusing(root, Some(cache))
}

/// [`build`], reusing the parts stored in the project's [`DiskCache`] by an earlier build of
/// this executable for files with the same bytes and settings, and storing the new ones. The
/// result is the same as [`build`]'s, with [`Build::read`] saying how many files were read and
/// validated. Without a cache folder (a read-only project) every file is read, as [`build`]
/// does.
pub fn build_stored(root: &Path) -> Result<Build, ProjectError> {
    build_reusing(root, None)
}

/// [`build_cached`] with a `memory` cache (a preview), else [`build_stored`].
fn build_reusing(root: &Path, memory: Option<&mut FileCache>) -> Result<Build, ProjectError> {
    let v = validated_reusing(root, memory)?;
    let mut b = analysed(v.project, v.dataset, v.timings);
    b.read = Some(v.read);
    b.cache = v.store;
    Ok(b)
}

/// A project's submissions, read and validated: what `ftc check` shows of a project.
pub struct Validated {
    pub project: Project,
    pub dataset: Dataset,
    /// How many files were read and validated, of how many (the others came from the cache).
    pub read: (usize, usize),
    timings: Timings,
    store: Option<DiskCache>,
}

/// The project's validated dataset, as [`build_stored`] makes it before the analysis: the
/// parts of files unchanged since the last build (or check) come from the project's
/// [`DiskCache`], and the new ones are stored there. The dataset is the same as [`build`]'s.
pub fn validate_stored(root: &Path) -> Result<Validated, ProjectError> {
    validated_reusing(root, None)
}

/// Up to the validate stage of [`build_reusing`].
fn validated_reusing(root: &Path, mut memory: Option<&mut FileCache>) -> Result<Validated, ProjectError> {
    let mut t = Timings::default();
    let (project, settings) = load_settings(root, &mut t)?;
    if let Some(cache) = memory.as_deref_mut()
        && cache.settings != Some(settings)
    {
        cache.parts.clear();
        cache.settings = Some(settings);
    }
    // What is not in memory may be on disk, from `ftc build` or an earlier preview: a new
    // preview starts from the parts the last build stored.
    let store = DiskCache::open(root, settings);
    let old = memory.as_deref().map(|c| &c.parts);
    let reuse = |job: &ingest::Job, hash: &[u8; 32]| match old.and_then(|o| o.get(&job.path)) {
        Some((h, part)) if h == hash => Some(part.clone()),
        _ => store.as_ref().and_then(|s| s.get(job, hash)),
    };
    let keep = |job: &ingest::Job, hash: &[u8; 32], part: &Dataset| {
        if let Some(s) = &store {
            s.put(job, hash, part);
        }
    };
    let (parts, folder_findings) = read_parts(&project, &mut t, reuse, keep);
    let read = (parts.iter().filter(|p| p.3).count(), parts.len());
    if let Some(s) = &store {
        s.prune(parts.iter().filter_map(|(job, hash, _, _)| hash.map(|h| s.key(job, &h))).collect());
    }
    // With the project's disk cache the parts are not also held in memory: reading them back
    // costs about what copying them did, and a national preview holds 100 MB less. Without one
    // (a read-only project) a preview's memory is all there is.
    let mut kept = std::collections::HashMap::new();
    let mut joined = Vec::with_capacity(parts.len());
    for (job, hash, part, _) in parts {
        if let Some(hash) = hash
            && memory.is_some()
            && store.is_none()
        {
            kept.insert(job.path, (hash, part.clone()));
        }
        joined.push(part);
    }
    if let Some(cache) = memory {
        cache.parts = kept;
    }
    let ctx = Context { geography: &project.geography, config: Some(&project.config) };
    let dataset = t.time("validate", || validate::assemble(folder_findings, joined, &ctx));
    Ok(Validated { project, dataset, read, timings: t, store })
}

/// The project and what its settings hash to. The settings are read once: the text hashed is
/// the text the project is made from.
fn load_settings(root: &Path, t: &mut Timings) -> Result<(Project, [u8; 32]), ProjectError> {
    t.time("load", || -> Result<_, ProjectError> {
        let settings = crate::project::Settings::read(root)?;
        Ok((Project::from_settings(root, &settings)?, settings_hash(&settings)))
    })
}

/// One submission's part: the job, the hash of its bytes (none when unreadable), the part, and
/// whether it was read and validated (rather than reused).
type Part = (ingest::Job, Option<[u8; 32]>, Dataset, bool);

/// A submission as ingest left it: its part when `reuse` had it, else the file as read.
enum Got {
    Reused(Dataset),
    Read(ingest::SubmissionFile),
}

/// Every submission's part, in the plan's order, and the folder's own findings. Each file's
/// bytes are read once and hashed, then `reuse`d by their hash or else parsed (the ingest
/// stage); the files parsed are then validated (the validate stage, which [`validate::assemble`]
/// ends) and their parts given to `keep` (the cache stage).
fn read_parts(
    project: &Project,
    t: &mut Timings,
    reuse: impl Fn(&ingest::Job, &[u8; 32]) -> Option<Dataset> + Sync,
    keep: impl Fn(&ingest::Job, &[u8; 32], &Dataset) + Sync,
) -> (Vec<Part>, Vec<crate::finding::Finding>) {
    use rayon::prelude::*;
    use sha2::{Digest, Sha256};
    let ctx = Context { geography: &project.geography, config: Some(&project.config) };
    let limits = &project.config.limits;
    let (jobs, folder_findings) = t.time("ingest", || ingest::plan(project));
    let got: Vec<(ingest::Job, Option<[u8; 32]>, Got)> = t.time("ingest", || {
        jobs.into_par_iter()
            .map(|job| match job.bytes(limits) {
                Ok(bytes) => {
                    let hash: [u8; 32] = Sha256::digest(&bytes).into();
                    let got = match reuse(&job, &hash) {
                        Some(part) => Got::Reused(part),
                        None => Got::Read(job.read_bytes(bytes, limits)),
                    };
                    (job, Some(hash), got)
                }
                // Unreadable or too large: not kept, so it is tried again next time.
                Err(why) => {
                    let file = job.unreadable(why);
                    (job, None, Got::Read(file))
                }
            })
            .collect()
    });
    // Each file's grid is freed as soon as it is validated.
    let parts: Vec<Part> = t.time("validate", || {
        got.into_par_iter()
            .map(|(job, hash, got)| match got {
                Got::Reused(part) => (job, hash, part, false),
                Got::Read(file) => (job, hash, validate::validate_part(&file, &ctx), true),
            })
            .collect()
    });
    t.time("cache", || {
        parts.par_iter().filter(|p| p.3).for_each(|(job, hash, part, _)| {
            if let Some(hash) = hash {
                keep(job, hash, part);
            }
        })
    });
    (parts, folder_findings)
}

/// The validated parts of a project's submissions, kept on disk between builds in
/// `<project>/.ftc-cache/parts/` ([`CACHE_DIR`]), one file per submission, named by the SHA-256
/// of everything the part depends on: this executable (its size and modification time: a
/// rebuilt `ftc` never reads an older one's parts), the project's settings, the file's path (on
/// disk and as shown), period and province, and its bytes. A part whose file fails to read or decode is read
/// and validated again ([`validate::stored`]). After each build only its own parts are left.
///
/// The parts are not yet suppressed: they hold the submissions' own figures, so the cache lives
/// in the project folder beside them, never in the published site, and carries a `.gitignore`
/// and a `CACHEDIR.TAG` so that neither git nor backup tools take it. Deleting the folder is
/// always safe.
pub struct DiskCache {
    root: std::path::PathBuf,
    dir: std::path::PathBuf,
    salt: [u8; 32],
}

/// The cache folder, in a project's root.
pub const CACHE_DIR: &str = ".ftc-cache";

/// How old a temporary file in the cache must be to be taken for a killed build's leftover:
/// far longer than any build takes to write one part.
const STALE: std::time::Duration = std::time::Duration::from_secs(3600);

impl DiskCache {
    /// The project's cache for a build with settings hashing to `settings`, or `None` when the
    /// folder cannot be made (a read-only project) or this executable cannot be identified.
    pub fn open(root: &Path, settings: [u8; 32]) -> Option<DiskCache> {
        use sha2::{Digest, Sha256};
        let exe = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
        let modified = exe.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
        let top = root.join(CACHE_DIR);
        let dir = top.join("parts");
        std::fs::create_dir_all(&dir).ok()?;
        for (name, text) in [
            (".gitignore", "# Made by ftc: the build cache, never to be committed.\n*\n"),
            (
                "CACHEDIR.TAG",
                "Signature: 8a477f597d28d172789f06886806bc55\n# ftc's build cache: safe to delete, rebuilt as needed.\n",
            ),
        ] {
            let path = top.join(name);
            if !path.exists() {
                std::fs::write(&path, text).ok()?;
            }
        }
        let mut h = Sha256::new();
        h.update(crate::publish::tool().as_bytes());
        h.update(exe.len().to_le_bytes());
        h.update(modified.as_nanos().to_le_bytes());
        h.update(settings);
        Some(DiskCache { root: root.to_path_buf(), dir, salt: h.finalize().into() })
    }

    /// The name of `job`'s part when its bytes hash to `hash`.
    pub fn key(&self, job: &ingest::Job, hash: &[u8; 32]) -> String {
        crate::publish::inputs::hex(&self.key_hash(job, hash))
    }

    fn key_hash(&self, job: &ingest::Job, hash: &[u8; 32]) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(self.salt);
        // The path on disk as well as as shown: two files can be shown alike (`a/b.csv` and a
        // file named `a\b.csv`) and their parts still differ.
        let path = job.path.strip_prefix(&self.root).unwrap_or(&job.path).as_os_str().as_encoded_bytes();
        for text in [path, job.shown.as_bytes(), job.period.to_string().as_bytes(), job.province.as_bytes()] {
            h.update((text.len() as u64).to_le_bytes());
            h.update(text);
        }
        h.update(hash);
        h.finalize().into()
    }

    /// The stored part of `job`: a file that begins with its own key (a part stored under
    /// another name, copied or renamed, is not taken) and decodes whole.
    fn get(&self, job: &ingest::Job, hash: &[u8; 32]) -> Option<Dataset> {
        let key = self.key_hash(job, hash);
        let bytes = std::fs::read(self.dir.join(crate::publish::inputs::hex(&key))).ok()?;
        validate::stored::decode(bytes.strip_prefix(&key)?)
    }

    /// Store `part`, by a write to a temporary name and a rename, so a reader never sees half of
    /// it. A failure only means the file is read again next time.
    fn put(&self, job: &ingest::Job, hash: &[u8; 32], part: &Dataset) {
        let Some(part) = validate::stored::encode(part) else { return };
        let key_hash = self.key_hash(job, hash);
        let key = crate::publish::inputs::hex(&key_hash);
        let bytes = [&key_hash[..], &part].concat();
        let tmp = self.dir.join(format!(".{key}.{}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_err() || std::fs::rename(&tmp, self.dir.join(&key)).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// Remove every part but `keep` ([`prune_dir`]).
    fn prune(&self, keep: std::collections::HashSet<String>) {
        prune_dir(&self.dir, &keep);
    }

    /// The compressed sheets of the downloads workbook of `audience`'s editions, in
    /// `.ftc-cache/sheets/<audience>/`: one folder per audience, so that public and internal
    /// builds, whose tables differ, do not remove each other's.
    pub fn sheets(&self, audience: crate::disclose::Audience) -> Option<SheetCache> {
        let dir = self.dir.parent()?.join("sheets").join(audience.as_str());
        std::fs::create_dir_all(&dir).ok()?;
        Some(SheetCache { dir, salt: self.salt, used: std::sync::Mutex::default() })
    }
}

/// Remove every file of `dir` but `keep`. A temporary file (its name starts with a dot) belongs
/// to a build still writing it, unless it is older than [`STALE`]: then its build was killed.
fn prune_dir(dir: &Path, keep: &std::collections::HashSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let stale = || e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE));
        let remove = if name.starts_with('.') { stale() } else { !keep.contains(name.as_ref()) };
        if remove {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The downloads workbook's compressed sheets of one audience, in the build cache
/// ([`DiskCache::sheets`]). A file is named by the SHA-256 of the cache's key (this executable
/// and the project's settings) and the sheet's ([`crate::render::xlsx::sheet_key`]); it holds
/// that name's 32 bytes, the sheet's one-entry zip, and the SHA-256 of the zip, so a damaged,
/// cut or renamed file is not taken. After each build only the sheets it used are left.
pub struct SheetCache {
    dir: std::path::PathBuf,
    salt: [u8; 32],
    used: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl SheetCache {
    fn name(&self, key: &[u8; 32]) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        Sha256::new().chain_update(self.salt).chain_update(b"sheet").chain_update(key).finalize().into()
    }

    fn note(&self, name: String) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(name);
        }
    }

    /// Remove every sheet this build did not use.
    pub fn prune(&self) {
        let keep = self.used.lock().map(|u| u.clone()).unwrap_or_default();
        prune_dir(&self.dir, &keep);
    }
}

impl SheetStore for SheetCache {
    fn get(&self, key: &[u8; 32]) -> Option<Vec<u8>> {
        use sha2::{Digest, Sha256};
        let name = self.name(key);
        let hex = crate::publish::inputs::hex(&name);
        let bytes = std::fs::read(self.dir.join(&hex)).ok()?;
        let body = bytes.strip_prefix(&name)?;
        let (zip, sum) = body.split_at_checked(body.len().checked_sub(32)?)?;
        if Sha256::digest(zip)[..] != *sum {
            return None;
        }
        self.note(hex);
        Some(zip.to_vec())
    }

    fn put(&self, key: &[u8; 32], zip: &[u8]) {
        use sha2::{Digest, Sha256};
        let name = self.name(key);
        let hex = crate::publish::inputs::hex(&name);
        let bytes = [&name[..], zip, &Sha256::digest(zip)[..]].concat();
        let tmp = self.dir.join(format!(".{hex}.{}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_err() || std::fs::rename(&tmp, self.dir.join(&hex)).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return;
        }
        self.note(hex);
    }
}

/// The rest of a build once the dataset is validated.
fn analysed(project: Project, dataset: Dataset, mut t: Timings) -> Build {
    let report = t.time("analyse", || analyse::analyse(&dataset, &project.config, &project.geography));
    // Counted now: the budget rows are freed before the summary is printed.
    let budget_lines = count_runs(&dataset.budget, |r| (r.period, &r.province));
    Build { project, dataset, report, budget_lines, timings: t, read: None, cache: None }
}

/// Rows per period and province, named as the summary shows them. A file's rows sit together,
/// so they are counted in runs of one period and province and each run is named once: naming
/// every row (a period written out, a province copied) kept one core busy for 50 ms of a
/// national build while the other waited.
fn count_runs<T>(rows: &[T], key: impl Fn(&T) -> (Option<Period>, &str)) -> BTreeMap<(String, String), usize> {
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for run in rows.chunk_by(|a, b| key(a) == key(b)) {
        let (period, province) = key(&run[0]);
        *counts.entry((period.map(|p| p.to_string()).unwrap_or_default(), province.to_string())).or_default() +=
            run.len();
    }
    counts
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
    // Printed after the edition is written, while nothing else runs: counted in runs.
    for (key, n) in count_runs(&ds.cascade, |r| (r.period, &r.province)) {
        rows.entry(key).or_default().1 += n;
    }
    for (key, n) in &b.budget_lines {
        rows.entry(key.clone()).or_default().2 += n;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Period;
    use crate::validate::{BudgetRow, cells::Category};

    fn row(period: Option<Period>, province: &str) -> BudgetRow {
        BudgetRow {
            period,
            province: province.to_string(),
            area_code: format!("{province}0101"),
            activity: "Outreach".to_string(),
            category: Category::Prevention,
            funding_source: "Government".to_string(),
            currency: "USD".to_string(),
            approved: 1.0,
            released: None,
            spent: 0.0,
            location: crate::finding::Location::file("f.xlsx"),
        }
    }

    #[test]
    fn budget_lines_are_counted_per_period_and_province_whatever_the_row_order() {
        let q3 = Some(Period::Quarter { year: 2026, quarter: 3 });
        let q4 = Some(Period::Quarter { year: 2026, quarter: 4 });
        // Runs: (Q3, 12) ×2, (Q4, 12) ×1, (Q3, 12) ×1 again, (Q3, 02) ×3, (none, 02) ×1.
        let rows = [
            row(q3, "12"),
            row(q3, "12"),
            row(q4, "12"),
            row(q3, "12"),
            row(q3, "02"),
            row(q3, "02"),
            row(q3, "02"),
            row(None, "02"),
        ];
        fn key(r: &validate::BudgetRow) -> (Option<Period>, &str) {
            (r.period, &r.province)
        }
        let got = count_runs(&rows, key);
        let want: BTreeMap<(String, String), usize> = [
            (("".to_string(), "02".to_string()), 1),
            (("2026-Q3".to_string(), "02".to_string()), 3),
            (("2026-Q3".to_string(), "12".to_string()), 3),
            (("2026-Q4".to_string(), "12".to_string()), 1),
        ]
        .into_iter()
        .collect();
        assert_eq!(got, want);
        assert!(count_runs(&[], key).is_empty());
    }
}

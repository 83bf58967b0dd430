//! The national-scale benchmark: `cargo bench --bench national`.
//!
//! Generates (once per seed, under `$FTC_BENCH_DIR`, by default `ftc-bench-national/` in the
//! system's temporary folder) a project with every province and
//! commune of the geography, the cascade by sex and age group, 20 budget lines per commune and
//! four quarters, then measures, in each run (one, unless `FTC_BENCH_RUNS` asks for more):
//!
//! - `floor`: reading the same workbooks with calamine alone (every sheet's cells), serially
//!   and with the same parallelism as ftc's ingest;
//! - `full`: a first build into an empty site, without the project's build cache
//!   (`.ftc-cache/`): every workbook is read, and `cache_ms` is the time storing every part
//!   (`diff_ms` is 0: there is no edition before it);
//! - `unchanged`: the same build again (nothing to do);
//! - `one_province`: a build after one province's last-quarter cascade changed: the changed
//!   workbook is read and validated, the other 199 parts come from the build cache;
//! - `check_one_province`: `ftc check` of the project after that file changed back, through
//!   the build cache (one workbook read and validated, 199 parts from the cache);
//! - `serve_one_province`: `ftc serve`'s rebuild after the same change, in the process that
//!   built the preview before it, so only the changed workbook is read and validated again:
//!   the time until the preview is ready, then to render the changed province's page as a
//!   browser asks for it, and every file of the site one by one. Nothing is published.
//!
//! Each scenario prints one line `bench scenario=… key=value…` (milliseconds, MB, counts), so
//! the figures can be parsed. `FTC_BENCH_RUNS=N` runs the whole sequence N times, the floor
//! measured again at the start of each (the machine's speed drifts between minutes, and a ratio
//! to a floor measured minutes earlier drifts with it); each scenario's line then carries
//! `run=K`, and a last line `bench scenario=summary` gives the medians, each ratio to its own
//! run's floor, and the highest peak of the full and one-province builds.
//!
//! Each scenario runs in its own process, so its peak resident memory
//! (`VmHWM`) is its own: the builds are the `ftc` executable itself (`FTC_TIMINGS=1 ftc build`,
//! and `ftc check`, timed from start to end), the preview a child of this benchmark (it needs
//! the library's calls). Nothing here asserts a time: tests never fail on the clock.

use std::path::{Path, PathBuf};
use std::time::Instant;

fn peak_rss_mb() -> u64 {
    ftc::build::rss_mb().1
}

/// Run one scenario in a child process of this benchmark, so its peak memory is its own.
fn child(name: &str, project: &Path, site: &Path, run: &str) {
    let out = std::process::Command::new(std::env::current_exe().expect("exe"))
        .arg("--bench")
        .env("FTC_BENCH_SCENARIO", name)
        .env("FTC_BENCH_RUN", run)
        .env("FTC_BENCH_PROJECT", project)
        .env("FTC_BENCH_SITE", site)
        .output()
        .expect("the scenario runs");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.status.success(), "scenario {name}: {}", String::from_utf8_lossy(&out.stderr));
}

fn xlsx_files(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(root.join("submissions"))
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    v.sort();
    v
}

fn calamine_read(path: &Path) -> usize {
    use calamine::Reader;
    let bytes = std::fs::read(path).expect("read");
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).expect("open");
    let names = wb.sheet_names().to_vec();
    names.iter().filter_map(|n| wb.worksheet_range(n).ok()).map(|r| r.used_cells().count()).sum()
}

fn ms(d: std::time::Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// Run the `ftc` executable with `args` and `FTC_TIMINGS=1`, from start to end: its wall time,
/// standard output and error, and the peak memory it prints last (`ftc: peak 250 MB`).
fn run_ftc(args: &[&std::ffi::OsStr]) -> (std::time::Duration, String, String, u64) {
    let t = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ftc"))
        .args(args)
        .env("FTC_TIMINGS", "1")
        .output()
        .expect("ftc runs");
    let wall = t.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "ftc {args:?}: {stderr}");
    let peak = stderr.lines().find_map(|l| l.strip_prefix("ftc: peak ")?.strip_suffix(" MB")?.parse::<u64>().ok());
    (wall, stdout, stderr, peak.expect("ftc prints its peak memory"))
}

/// What a build scenario measured, for the summary of several runs.
struct Measured {
    wall_ms: f64,
    ingest_ms: f64,
    peak_rss_mb: u64,
}

/// One run of the sequence: its floor (calamine in parallel, ms) and its builds.
struct Round {
    floor_ms: f64,
    full: Measured,
    unchanged: Measured,
    one: Measured,
}

/// A build scenario, run by the `ftc` executable itself (`ftc build PROJECT --out SITE`, with
/// `FTC_TIMINGS=1` for its stage times and peak memory): what a user runs, not this benchmark's
/// own copy of the code, which measured ingest 10 % slower in the same minutes (the same
/// source, linked into another executable).
fn scenario(name: &str, project: &Path, site: &Path, run: &str) -> Measured {
    let (wall, stdout, stderr, peak) =
        run_ftc(&["build".as_ref(), project.as_os_str(), "--out".as_ref(), site.as_os_str()]);
    // `ftc: ingest 481.3 ms, 94 MB resident after it, peak 94 MB`, and `ftc: peak 250 MB`.
    let stage = |s: &str| -> f64 {
        stderr
            .lines()
            .filter_map(|l| l.strip_prefix("ftc: ")?.strip_prefix(s)?.strip_prefix(' '))
            .filter_map(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
            .sum()
    };
    let wrote =
        stdout.lines().find_map(|l| l.strip_prefix("wrote ")?.split_once(" files to ").map(|(_, p)| p.to_string()));
    match wrote {
        Some(path) => {
            let manifest = ftc::publish::read_manifest(&Path::new(&path).join(ftc::publish::MANIFEST))
                .expect("the new edition's manifest");
            let pages = manifest.outputs.iter().filter(|f| f.path.ends_with(".html")).count();
            let bytes: u64 = manifest.outputs.iter().map(|f| f.bytes).sum();
            println!(
                "bench scenario={name}{run} wall_ms={} ingest_ms={:.1} validate_ms={:.1} cache_ms={:.1} analyse_ms={:.1} disclose_ms={:.1} diff_ms={:.1} render_ms={:.1} publish_ms={:.1} peak_rss_mb={peak} pages={pages} files={} bytes={bytes}",
                ms(wall),
                stage("ingest"),
                stage("validate"),
                stage("cache"),
                stage("analyse"),
                stage("disclose"),
                stage("diff"),
                stage("render"),
                stage("publish"),
                manifest.outputs.len() + 1,
            );
        }
        None => {
            assert!(stdout.contains("nothing changed"), "scenario {name}: {stdout}");
            println!("bench scenario={name}{run} wall_ms={} peak_rss_mb={peak} pages=0 files=0 bytes=0", ms(wall));
        }
    }
    Measured { wall_ms: wall.as_secs_f64() * 1000.0, ingest_ms: stage("ingest"), peak_rss_mb: peak }
}

/// `ftc check` of the whole project through the build cache, once one province's file changed
/// back: the one file is read and validated, the other 199 parts come from the cache. Run by
/// the `ftc` executable, whose cache the builds before it filled.
fn check_scenario(project: &Path, run: &str) {
    let (wall, stdout, stderr, peak) = run_ftc(&["check".as_ref(), project.as_os_str()]);
    // `199 of 200 spreadsheet(s) unchanged since the last build or check, taken from its cache (…); 1 read`
    let (read, of) = stderr
        .lines()
        .find_map(|l| {
            let (unchanged, rest) = l.split_once(" of ")?;
            let of = rest.split_whitespace().next()?.parse::<usize>().ok()?;
            let read = l.rsplit_once("; ")?.1.strip_suffix(" read")?.parse::<usize>().ok()?;
            unchanged.parse::<usize>().ok().map(|_| (read, of))
        })
        .expect("ftc check says how many spreadsheets it took from the build cache");
    // `200 file(s) checked: 0 error(s), 0 warning(s), 200 note(s); …`
    let files = stdout.lines().find_map(|l| l.split_once(" file(s) checked")?.0.parse::<usize>().ok());
    println!(
        "bench scenario=check_one_province{run} wall_ms={} workbooks_read={read} of={of} files_checked={} peak_rss_mb={peak}",
        ms(wall),
        files.expect("ftc check prints its summary"),
    );
}

/// `ftc serve`'s first build, then its rebuild once one province changed (`FTC_BENCH_SEED`):
/// the time until the preview is ready (built, analysed, its templates parsed), then the time to
/// render the changed province's page when the browser asks for it, and the time every file of
/// the site would take, one by one on both cores (what the preview rendered up front before).
fn serve_scenario(project: &Path, seed: u64, run: &str) {
    let audience = ftc::disclose::Audience::Public;
    let mut cache = ftc::build::FileCache::default();
    let (b, preview) = ftc::serve::full_build(project, audience, &mut cache);
    let (Some(_), Ok(preview)) = (b, preview) else { panic!("the preview builds") };
    // The workbook's compressed sheets are kept in the build cache by executable: `ftc build`
    // would have left them for an `ftc serve` of the same executable, but this benchmark is
    // another one, so the first preview makes them.
    preview.file("downloads/ftc-data.xlsx").expect("the workbook exists").expect("it renders");
    drop(preview);
    let geo = ftc::geography::Geography::builtin();
    ftc::synth::write_national(geo, project, seed, Some("12")).expect("change one province");
    let t = Instant::now();
    let (b, preview) = ftc::serve::full_build(project, audience, &mut cache);
    let ready = t.elapsed();
    let (Some(b), Ok(preview)) = (b, preview) else { panic!("the preview rebuilds") };
    let t = Instant::now();
    let page = preview.file("en/province/12.html").expect("the page exists").expect("it renders");
    let page_time = t.elapsed();
    let t = Instant::now();
    use rayon::prelude::*;
    let paths = preview.paths();
    let bytes: usize = paths.par_iter().map(|p| preview.file(p).expect("listed").expect("renders").len()).sum();
    let all = t.elapsed();
    let stage = |s: &str| ms(b.timings.get(s));
    let pages = paths.iter().filter(|p| p.ends_with(".html")).count();
    println!(
        "bench scenario=serve_one_province{run} ready_ms={} ingest_ms={} validate_ms={} analyse_ms={} workbooks_read={} of={} page_ms={} page_bytes={} all_files_ms={} peak_rss_mb={} pages={pages} files={} bytes={bytes}",
        ms(ready),
        stage("ingest"),
        stage("validate"),
        stage("analyse"),
        b.read.map_or(0, |r| r.0),
        b.read.map_or(0, |r| r.1),
        ms(page_time),
        page.len(),
        ms(all),
        peak_rss_mb(),
        paths.len()
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("national benchmark: run it with `cargo bench --bench national` (skipped under cargo test)");
        return;
    }
    let seed: u64 = std::env::var("FTC_BENCH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(2026);
    if let Ok(name) = std::env::var("FTC_BENCH_SCENARIO") {
        let path = |k: &str| PathBuf::from(std::env::var_os(k).expect("set by the parent"));
        assert_eq!(name, "serve_one_province", "the one scenario run as a child of the benchmark");
        serve_scenario(&path("FTC_BENCH_PROJECT"), seed, &std::env::var("FTC_BENCH_RUN").unwrap_or_default());
        return;
    }
    // Not under `target/`: Cargo creates and deletes files there all the time, and on a file
    // system without a journal (this machine's) ext4 skips the inodes deleted in the last
    // minutes when it allocates new ones, reading each to see when. Creating 3,445 files of
    // 20 KB took 1.6 s there and 0.26 s in the temporary folder in the same minute.
    let base = std::env::var_os("FTC_BENCH_DIR")
        .map_or_else(|| std::env::temp_dir().join("ftc-bench-national"), PathBuf::from);
    let project = base.join(format!("project-{seed}"));
    let geo = ftc::geography::Geography::builtin();
    // Written at every run, the same bytes each time (1.8 s): a run stopped while a scenario had
    // one province changed, or in the middle of writing a workbook, left the project so, and the
    // next run measured another project, or failed to open a workbook at all.
    ftc::synth::write_national(geo, &project, seed, None).expect("generate the national project");
    let files = xlsx_files(&project);
    let bytes: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    println!(
        "bench project={} workbooks={} workbook_bytes={bytes} cores={}",
        project.display(),
        files.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let runs = match std::env::var("FTC_BENCH_RUNS") {
        Err(_) => 1,
        Ok(s) => s.parse::<usize>().ok().filter(|n| *n > 0).unwrap_or_else(|| {
            println!("FTC_BENCH_RUNS={s:?} is not a number of runs (1 or more): one run");
            1
        }),
    };
    let mut rounds = Vec::new();
    let mut leftovers = Vec::new();
    for k in 1..=runs {
        // ` run=K` after the scenario's name, when there are several runs.
        let run = if runs > 1 { format!(" run={k}") } else { String::new() };
        let floor = floor(&files, &run);
        // A new folder for the site, removed only at the end: on a file system without a
        // journal (this machine's), ext4 skips the inodes deleted in the last minutes when it
        // allocates new ones, reading each to see when, so deleting the last run's 3,445 files
        // just before the full build made its publish stage several times slower than on a
        // fresh disk.
        let site = base.join(format!("site-{seed}-{}-{k}", std::process::id()));
        // The full build starts without the project's build cache (moved aside, not deleted,
        // for the same reason), so it reads every workbook and stores every part.
        let old_cache = base.join(format!("cache-{seed}-{}-{k}", std::process::id()));
        let _ = std::fs::rename(project.join(ftc::build::CACHE_DIR), &old_cache);
        let full = scenario("full", &project, &site, &run);
        let unchanged = scenario("unchanged", &project, &site, &run);
        // One province's last quarter changes: regenerate the project with that file's figures
        // redrawn (every other file is rewritten with the same bytes).
        ftc::synth::write_national(geo, &project, seed, Some("12")).expect("change one province");
        let one = scenario("one_province", &project, &site, &run);
        // Back to the original figures (one file changed again), checked with `ftc check`; then
        // the same change as above under `ftc serve`.
        ftc::synth::write_national(geo, &project, seed, None).expect("restore");
        check_scenario(&project, &run);
        child("serve_one_province", &project, &site, &run);
        // Back to the original figures, so the next run starts from the same project.
        ftc::synth::write_national(geo, &project, seed, None).expect("restore");
        rounds.push(Round { floor_ms: floor, full, unchanged, one });
        leftovers.extend([site, old_cache]);
    }
    if runs > 1 {
        summary(&rounds);
    }
    // With FTC_BENCH_KEEP set, nothing is deleted: a run straight after another then measures
    // the code rather than the disk (see above); the bench folder is then cleaned by hand.
    if std::env::var_os("FTC_BENCH_KEEP").is_none() {
        for dir in leftovers {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The floor: the workbooks read by calamine alone, serially and then in parallel (the same
/// parallelism as ftc's ingest). Returns the parallel time in milliseconds.
fn floor(files: &[PathBuf], run: &str) -> f64 {
    let t = Instant::now();
    let cells: usize = files.iter().map(|f| calamine_read(f)).sum();
    let serial = t.elapsed();
    let t = Instant::now();
    use rayon::prelude::*;
    let cells_par: usize = files.par_iter().map(|f| calamine_read(f)).sum();
    let parallel = t.elapsed();
    assert_eq!(cells, cells_par);
    println!(
        "bench scenario=floor{run} calamine_serial_ms={} calamine_parallel_ms={} cells={cells} peak_rss_mb={}",
        ms(serial),
        ms(parallel),
        peak_rss_mb()
    );
    parallel.as_secs_f64() * 1000.0
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 }
}

/// One line over several runs: the medians, and each run's ratios to its own floor.
fn summary(rounds: &[Round]) {
    let of = |f: fn(&Round) -> f64| median(rounds.iter().map(f).collect());
    let most = |f: fn(&Round) -> f64| rounds.iter().map(f).fold(f64::MIN, f64::max);
    println!(
        "bench scenario=summary runs={} floor_parallel_ms={:.1} full_wall_ms={:.1} full_over_floor={:.2} ingest_ms={:.1} ingest_over_floor={:.2} ingest_over_floor_max={:.2} unchanged_wall_ms={:.1} one_province_wall_ms={:.1} one_province_over_floor={:.2} build_peak_rss_mb_max={}",
        rounds.len(),
        of(|r| r.floor_ms),
        of(|r| r.full.wall_ms),
        of(|r| r.full.wall_ms / r.floor_ms),
        of(|r| r.full.ingest_ms),
        of(|r| r.full.ingest_ms / r.floor_ms),
        most(|r| r.full.ingest_ms / r.floor_ms),
        of(|r| r.unchanged.wall_ms),
        of(|r| r.one.wall_ms),
        of(|r| r.one.wall_ms / r.floor_ms),
        rounds.iter().map(|r| r.full.peak_rss_mb.max(r.one.peak_rss_mb)).max().unwrap_or(0),
    );
}

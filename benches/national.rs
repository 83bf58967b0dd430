//! The national-scale benchmark: `cargo bench --bench national`.
//!
//! Generates (once per seed, under `target/bench-national/`) a project with every province and
//! commune of the geography, the cascade by sex and age group, 20 budget lines per commune and
//! four quarters, then measures, in one run:
//!
//! - `floor`: reading the same workbooks with calamine alone (every sheet's cells), serially
//!   and with the same parallelism as ftc's ingest;
//! - `full`: a first build into an empty site;
//! - `unchanged`: the same build again (nothing to do);
//! - `one_province`: a build after one province's last-quarter cascade changed.
//!
//! Each scenario prints one line `bench scenario=… key=value…` (milliseconds, MB, counts), so
//! the figures can be parsed. Nothing here asserts a time: tests never fail on the clock.

use std::path::{Path, PathBuf};
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Reset the peak resident set size (Linux: `5` to clear_refs), so each scenario has its own.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
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

fn scenario(name: &str, project: &Path, site: &Path) {
    let opts = ftc::build::PublishOptions {
        out: site.to_path_buf(),
        pdf: false,
        audience: ftc::disclose::Audience::Public,
    };
    reset_peak();
    let t = Instant::now();
    let published = ftc::build::publish(project, &opts).expect("the benchmark project builds");
    let wall = t.elapsed();
    let peak = peak_rss_mb();
    match published {
        ftc::build::Published::New { manifest, timings, .. } => {
            let stage = |s: &str| ms(timings.get(s));
            let pages = manifest.outputs.iter().filter(|f| f.path.ends_with(".html")).count();
            let bytes: u64 = manifest.outputs.iter().map(|f| f.bytes).sum();
            println!(
                "bench scenario={name} wall_ms={} ingest_ms={} validate_ms={} analyse_ms={} disclose_ms={} render_ms={} publish_ms={} peak_rss_mb={peak:.0} pages={pages} files={} bytes={bytes}",
                ms(wall),
                stage("ingest"),
                stage("validate"),
                stage("analyse"),
                stage("disclose"),
                stage("render"),
                stage("publish"),
                manifest.outputs.len() + 1,
            );
        }
        ftc::build::Published::Unchanged { .. } => {
            println!("bench scenario={name} wall_ms={} peak_rss_mb={peak:.0} pages=0 files=0 bytes=0", ms(wall));
        }
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("national benchmark: run it with `cargo bench --bench national` (skipped under cargo test)");
        return;
    }
    let seed: u64 = std::env::var("FTC_BENCH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(2026);
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-national");
    let project = base.join(format!("project-{seed}"));
    let geo = ftc::geography::Geography::builtin();
    if !project.join("ftc.toml").is_file() {
        ftc::synth::write_national(geo, &project, seed, None).expect("generate the national project");
    }
    let files = xlsx_files(&project);
    let bytes: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    println!(
        "bench project={} workbooks={} workbook_bytes={bytes} cores={}",
        project.display(),
        files.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    reset_peak();
    let t = Instant::now();
    let cells: usize = files.iter().map(|f| calamine_read(f)).sum();
    let serial = t.elapsed();
    let t = Instant::now();
    use rayon::prelude::*;
    let cells_par: usize = files.par_iter().map(|f| calamine_read(f)).sum();
    let parallel = t.elapsed();
    assert_eq!(cells, cells_par);
    println!(
        "bench scenario=floor calamine_serial_ms={} calamine_parallel_ms={} cells={cells} peak_rss_mb={:.0}",
        ms(serial),
        ms(parallel),
        peak_rss_mb()
    );

    let site = base.join(format!("site-{seed}"));
    let _ = std::fs::remove_dir_all(&site);
    scenario("full", &project, &site);
    scenario("unchanged", &project, &site);
    // One province's last quarter changes: regenerate the project with that file's figures
    // redrawn (every other file is rewritten with the same bytes).
    ftc::synth::write_national(geo, &project, seed, Some("12")).expect("change one province");
    scenario("one_province", &project, &site);
    // Back to the original figures, so the next run starts from the same project.
    ftc::synth::write_national(geo, &project, seed, None).expect("restore");
}

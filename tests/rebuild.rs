//! `build_cached` (the rebuilds of `ftc serve`) reads again only the spreadsheets whose bytes
//! changed, and gives what a fresh `build` gives after every kind of change: a file's bytes
//! replaced, a file removed or added, the settings changed.

mod common;
use common::copy_dir;
use ftc::build::{Build, FileCache, build, build_cached, render};
use std::path::Path;

/// Everything a build hands on: the rows and findings, the report and the rendered site.
fn outcome(b: &Build) -> (String, ftc::analyse::Report, ftc::render::site::Site) {
    let (_, site, problems) = render(b).expect("renders");
    assert!(problems.is_empty(), "{problems:?}");
    (format!("{:?}", b.dataset), b.report.clone(), site)
}

/// Rebuild with the cache; check it equals a fresh build and read `read` of `files` files.
fn rebuild(root: &Path, cache: &mut FileCache, read: usize, files: usize, what: &str) -> ftc::render::site::Site {
    let cached = outcome(&build_cached(root, cache).expect("builds"));
    let fresh = outcome(&build(root).expect("builds"));
    assert_eq!((cache.read_last, cache.files_last), (read, files), "{what}: spreadsheets read again, of all");
    assert!(cached.0 == fresh.0, "{what}: the dataset differs from a fresh build's");
    assert!(cached.1 == fresh.1, "{what}: the report differs from a fresh build's");
    assert!(cached.2 == fresh.2, "{what}: the site differs from a fresh build's");
    cached.2
}

#[test]
fn a_cached_rebuild_reads_only_changed_files_and_equals_a_fresh_build() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("p");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"), &root);
    let q3 = root.join("submissions/2026-Q3");
    let mut cache = FileCache::default();

    let first = rebuild(&root, &mut cache, 16, 16, "first build");
    let same = rebuild(&root, &mut cache, 0, 16, "nothing changed");
    assert!(first == same);

    // Phnom Penh's Q3 cascade replaced by its Q2 figures: one file read again, and the pages
    // show the new figures (a cache that kept the old part would fail the comparison above
    // and this one).
    std::fs::copy(root.join("submissions/2026-Q2/12-phnom-penh/cascade.xlsx"), q3.join("12-phnom-penh/cascade.xlsx"))
        .expect("replace");
    let changed = rebuild(&root, &mut cache, 1, 16, "one cascade replaced");
    assert!(changed != same, "the replaced figures reach the site");

    // A file removed, then added back under another name.
    let budget = q3.join("17-siem-reap/SR budget 2026Q3.xlsx");
    let bytes = std::fs::read(&budget).expect("read");
    std::fs::remove_file(&budget).expect("remove");
    rebuild(&root, &mut cache, 0, 15, "one file removed");
    std::fs::write(q3.join("17-siem-reap/budget.xlsx"), &bytes).expect("add");
    rebuild(&root, &mut cache, 1, 16, "a file added");

    // A file emptied: read again, an unreadable-file finding, the same as a fresh build.
    std::fs::write(q3.join("01-banteay-meanchey/budget.xlsx"), b"").expect("empty");
    rebuild(&root, &mut cache, 1, 16, "a file emptied");

    // The settings changed (even by a comment): every file is read again.
    let config = root.join("ftc.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("{text}\n# edited\n")).expect("edit");
    rebuild(&root, &mut cache, 16, 16, "ftc.toml changed");
    rebuild(&root, &mut cache, 0, 16, "nothing changed after the settings");

    // Two files with the same bytes whose paths are shown alike (`extra/rows.csv`, and a file
    // named `extra\rows.csv`): each keeps its own part, whose sheet is named after its own stem.
    let csv = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/duplicate_row.csv"))
        .expect("fixture");
    std::fs::create_dir_all(q3.join("12-phnom-penh/extra")).expect("mkdir");
    std::fs::write(q3.join("12-phnom-penh/extra/rows.csv"), &csv).expect("write");
    std::fs::write(q3.join("12-phnom-penh/extra\\rows.csv"), &csv).expect("write");
    rebuild(&root, &mut cache, 2, 18, "two files shown alike added");
    rebuild(&root, &mut cache, 0, 18, "two files shown alike, nothing changed");
}

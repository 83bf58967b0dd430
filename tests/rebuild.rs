//! `build_cached` (the rebuilds of `ftc serve`) reads again only the spreadsheets whose bytes
//! changed, and gives what a fresh `build` gives after every kind of change: a file's bytes
//! replaced, a file removed or added, the settings changed; and so does `build_stored` (the
//! builds of `ftc build`), whose parts are kept on disk in the project.

mod common;
use common::copy_dir;
use ftc::build::{Build, FileCache, build, build_cached, render};
use std::path::Path;

/// A copy of the demo project, in `<temporary folder>/p` (the folder beside it is free for sites).
fn demo_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("p");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"), &root);
    (dir, root)
}

/// Everything a build hands on: the rows and findings, the report and the rendered site.
fn outcome(b: &Build) -> (String, ftc::analyse::Report, ftc::render::site::Site) {
    let (_, site, problems) = render(b).expect("renders");
    assert!(problems.is_empty(), "{problems:?}");
    (format!("{:?}", b.dataset), b.report.clone(), site)
}

/// Check a build that reused parts hands on what a fresh build of `root` does; its site.
fn same_as_fresh(root: &Path, b: &Build, what: &str) -> ftc::render::site::Site {
    let cached = outcome(b);
    let fresh = outcome(&build(root).expect("builds"));
    assert!(cached.0 == fresh.0, "{what}: the dataset differs from a fresh build's");
    assert!(cached.1 == fresh.1, "{what}: the report differs from a fresh build's");
    assert!(cached.2 == fresh.2, "{what}: the site differs from a fresh build's");
    cached.2
}

/// Rebuild with the cache; check it equals a fresh build and read `read` of `files` files.
fn rebuild(root: &Path, cache: &mut FileCache, read: usize, files: usize, what: &str) -> ftc::render::site::Site {
    let b = build_cached(root, cache).expect("builds");
    assert_eq!(b.read, Some((read, files)), "{what}: spreadsheets read again, of all");
    same_as_fresh(root, &b, what)
}

#[test]
fn a_cached_rebuild_reads_only_changed_files_and_equals_a_fresh_build() {
    let (_dir, root) = demo_copy();
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

/// Build with the project's disk cache; check it equals a fresh build, read `read` of `files`
/// files, and left exactly one stored part per file it could read (`stored`).
fn stored_rebuild(root: &Path, read: usize, files: usize, stored: usize, what: &str) -> ftc::render::site::Site {
    let b = ftc::build::build_stored(root).expect("builds");
    assert_eq!(b.read, Some((read, files)), "{what}: spreadsheets read again, of all");
    let site = same_as_fresh(root, &b, what);
    let parts = std::fs::read_dir(root.join(ftc::build::CACHE_DIR).join("parts")).expect("the parts folder").count();
    assert_eq!(parts, stored, "{what}: parts left in the cache");
    site
}

#[test]
fn the_disk_cache_reads_only_changed_files_and_equals_a_fresh_build() {
    let (dir, root) = demo_copy();
    let q3 = root.join("submissions/2026-Q3");
    let cache = root.join(ftc::build::CACHE_DIR);

    let first = stored_rebuild(&root, 16, 16, 16, "first build");
    // Marked so that neither git nor backups take it.
    assert_eq!(std::fs::read_to_string(cache.join(".gitignore")).expect(".gitignore").lines().last(), Some("*"));
    assert!(std::fs::read_to_string(cache.join("CACHEDIR.TAG")).expect("tag").starts_with("Signature: 8a477f59"));
    let same = stored_rebuild(&root, 0, 16, 16, "nothing changed");
    assert!(first == same);

    // One cascade replaced: read again, its old part removed, the new figures shown.
    std::fs::copy(root.join("submissions/2026-Q2/12-phnom-penh/cascade.xlsx"), q3.join("12-phnom-penh/cascade.xlsx"))
        .expect("replace");
    let changed = stored_rebuild(&root, 1, 16, 16, "one cascade replaced");
    assert!(changed != same, "the replaced figures reach the site");

    // A file removed (its part goes), then added back under another name (read again: the
    // name is in its rows' locations).
    let budget = q3.join("17-siem-reap/SR budget 2026Q3.xlsx");
    let bytes = std::fs::read(&budget).expect("read");
    std::fs::remove_file(&budget).expect("remove");
    stored_rebuild(&root, 0, 15, 15, "one file removed");
    std::fs::write(q3.join("17-siem-reap/budget.xlsx"), &bytes).expect("add");
    stored_rebuild(&root, 1, 16, 16, "a file added");

    // Every stored part damaged in a different way: each is refused and its file read again.
    let mut parts: Vec<_> =
        std::fs::read_dir(cache.join("parts")).expect("parts").map(|e| e.expect("entry").path()).collect();
    parts.sort();
    let whole: Vec<Vec<u8>> = parts.iter().map(|p| std::fs::read(p).expect("part")).collect();
    for (i, p) in parts.iter().enumerate() {
        let mut b = whole[i].clone();
        match i % 4 {
            0 => b.truncate(b.len() / 2),
            1 => {
                let at = b.len() / 3;
                b[at] ^= 1;
            }
            2 => b.clear(),
            // Whole, but another file's part: refused too.
            _ => b = whole[(i + 1) % whole.len()].clone(),
        }
        std::fs::write(p, b).expect("damage");
    }
    stored_rebuild(&root, 16, 16, 16, "every part damaged");
    stored_rebuild(&root, 0, 16, 16, "nothing changed after the damage");

    // The settings changed: every file is read again, and only the new parts are kept.
    let config = root.join("ftc.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("{text}\n# edited\n")).expect("edit");
    stored_rebuild(&root, 16, 16, 16, "ftc.toml changed");

    // Two files with the same bytes whose paths are shown alike each keep their own part.
    let csv = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/duplicate_row.csv"))
        .expect("fixture");
    std::fs::create_dir_all(q3.join("12-phnom-penh/extra")).expect("mkdir");
    std::fs::write(q3.join("12-phnom-penh/extra/rows.csv"), &csv).expect("write");
    std::fs::write(q3.join("12-phnom-penh/extra\\rows.csv"), &csv).expect("write");
    stored_rebuild(&root, 2, 18, 18, "two files shown alike added");
    stored_rebuild(&root, 0, 18, 18, "two files shown alike, nothing changed");

    // The cache is never an input: the inputs' fingerprint is the same with it and without.
    let opts = ftc::build::PublishOptions {
        out: dir.path().join("site"),
        pdf: false,
        audience: ftc::disclose::Audience::Public,
        cache: true,
    };
    let with = ftc::build::fingerprint(&root, &opts).expect("fingerprint");
    std::fs::remove_dir_all(&cache).expect("remove the cache");
    assert_eq!(ftc::build::fingerprint(&root, &opts).expect("fingerprint"), with);
}

/// A project folder the build cannot write to still builds (every file read, nothing stored).
#[test]
fn a_project_without_a_cache_folder_still_builds() {
    let (_dir, root) = demo_copy();
    // A file where the cache folder would be: it cannot be made, whoever runs the test.
    std::fs::write(root.join(ftc::build::CACHE_DIR), b"not a folder").expect("block");
    let b = ftc::build::build_stored(&root).expect("builds");
    assert_eq!(b.read, Some((16, 16)));
    assert!(outcome(&b).2 == outcome(&build(&root).expect("builds")).2);
}

/// Every fixture (clean, messy, broken) and every corpus workbook this machine has, validated
/// alone: its part reads back from the stored form exactly, findings and all. A finding whose
/// words the stored form cannot say again would make its file read every time: this says which.
#[test]
fn every_fixture_part_reads_back_from_its_stored_form() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = ftc::project::Project::load(&here.join("data")).expect("the demo project");
    let ctx = ftc::validate::Context { geography: &project.geography, config: Some(&project.config) };
    let mut dirs = vec![here.join("tests/fixtures")];
    let corpus = here.join("../shared/corpus");
    if corpus.is_dir() {
        dirs.push(corpus);
    }
    let (mut files, mut findings) = (0, 0);
    for dir in dirs {
        for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let e = e.expect("walk");
            let ext = e.path().extension().and_then(|x| x.to_str()).unwrap_or("");
            if !matches!(ext, "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" | "csv") {
                continue;
            }
            let shown = e.path().display().to_string();
            let part =
                ftc::validate::validate_part(&ftc::ingest::read_file(e.path(), &shown, &project.config.limits), &ctx);
            let bytes = ftc::validate::stored::encode(&part).unwrap_or_else(|| panic!("{shown}: not encoded"));
            let back = ftc::validate::stored::decode(&bytes).unwrap_or_else(|| panic!("{shown}: not decoded"));
            assert_eq!(format!("{back:?}"), format!("{part:?}"), "{shown}");
            files += 1;
            findings += part.findings.iter().filter(|f| !f.args.is_empty()).count();
        }
    }
    // 46 fixtures alone (98 findings with arguments); 239 with the corpus.
    assert!(files >= 40 && findings >= 50, "{files} files, {findings} findings with arguments");
}

/// A preview (`ftc serve`) starts from the parts the last `ftc build` stored, and a build
/// after a preview from the parts the preview stored.
#[test]
fn a_preview_and_a_build_share_the_disk_cache() {
    let (_dir, root) = demo_copy();
    stored_rebuild(&root, 16, 16, 16, "first build");
    let mut cache = FileCache::default();
    rebuild(&root, &mut cache, 0, 16, "a new preview after a build");
    let q3 = root.join("submissions/2026-Q3");
    std::fs::copy(root.join("submissions/2026-Q2/12-phnom-penh/cascade.xlsx"), q3.join("12-phnom-penh/cascade.xlsx"))
        .expect("replace");
    rebuild(&root, &mut cache, 1, 16, "the preview after a change");
    stored_rebuild(&root, 0, 16, 16, "a build after the preview");
}

/// Two builds of one project at once (the public site and the internal pack, say) share its
/// cache: each writes parts under temporary names and renames them, and removes only parts it
/// did not use, so both publish and a build after them reads nothing again.
#[test]
fn two_builds_at_once_share_the_cache() {
    let (dir, root) = demo_copy();
    let run = |out: &str, audience: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ftc"))
            .arg("build")
            .arg(&root)
            .arg("--out")
            .arg(dir.path().join(out))
            .args(["--audience", audience])
            .spawn()
            .expect("ftc runs")
    };
    for round in 0..3 {
        let (mut a, mut b) = (run(&format!("site-{round}"), "public"), run(&format!("internal-{round}"), "internal"));
        assert!(a.wait().expect("waits").success() && b.wait().expect("waits").success(), "round {round}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ftc"))
        .arg("build")
        .arg(&root)
        .arg("--out")
        .arg(dir.path().join("site-last"))
        .output()
        .expect("ftc runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("16 of 16 spreadsheet(s) unchanged since the last build"), "{text}");
    let parts = std::fs::read_dir(root.join(ftc::build::CACHE_DIR).join("parts")).expect("parts").count();
    assert_eq!(parts, 16, "one part per spreadsheet, no temporary file left");
}

/// `ftc check` shares the build cache: it takes the parts of unchanged files from it and
/// stores those it reads, and its report (human and JSON, English and Khmer, the whole project
/// or one folder of it) is the one a check reading every file gives.
#[test]
fn a_check_shares_the_build_cache_and_reports_the_same() {
    use ftc::check::{check, render_human, render_json};
    use ftc::render::format::Lang;
    let (_dir, root) = demo_copy();
    let q3 = root.join("submissions/2026-Q3");
    let reports =
        |ds: &ftc::validate::Dataset| [Lang::En, Lang::Km].map(|l| (render_human(ds, false, l), render_json(ds, l)));
    // Check `path` through the cache, reading `read` of `files` files; the same as without it.
    let same = |path: &Path, read: usize, files: usize, what: &str| {
        let cached = check(&[path.to_path_buf()], true).expect("checks");
        assert_eq!(cached.cached, vec![(root.clone(), read, files)], "{what}: spreadsheets read, of all");
        let fresh = check(&[path.to_path_buf()], false).expect("checks");
        assert!(fresh.cached.is_empty(), "{what}: no cache asked for");
        assert_eq!(format!("{:?}", cached.dataset), format!("{:?}", fresh.dataset), "{what}: the dataset");
        assert!(reports(&cached.dataset) == reports(&fresh.dataset), "{what}: the report differs");
        cached.dataset
    };
    same(&root, 16, 16, "first check");
    same(&root, 0, 16, "nothing changed");
    // The build that follows takes every part the check stored.
    stored_rebuild(&root, 0, 16, 16, "a build after a check");

    // A file with findings added: read, its findings reported; then from the cache.
    let csv = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/duplicate_row.csv"))
        .expect("fixture");
    std::fs::write(q3.join("12-phnom-penh/rows.csv"), &csv).expect("write");
    let ds = same(&root, 1, 17, "a file with findings added");
    assert!(ds.findings.iter().any(|f| f.location.file.ends_with("rows.csv")), "its findings are reported");
    same(&root, 0, 17, "nothing changed after it");
    // One province's folder: the whole project is read (completeness is judged across it),
    // and only that folder's files and findings are reported.
    let one = same(&q3.join("12-phnom-penh"), 0, 17, "one province's folder");
    assert!(one.files.len() < ds.files.len() && one.files.iter().all(|f| f.path.contains("12-phnom-penh")));

    // The command says what came from the cache, on standard error (standard output is the
    // report), and `--no-cache` reads every file.
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ftc"))
            .arg("check")
            .arg(&root)
            .args(extra)
            .output()
            .expect("ftc runs");
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    // (The cache's parts are the executable's own: the command's first check reads every file.)
    run(&["--format", "json"]);
    let (with, said) = run(&["--format", "json"]);
    assert!(said.contains("17 of 17 spreadsheet(s) unchanged since the last build or check"), "{said}");
    let (without, said) = run(&["--format", "json", "--no-cache"]);
    assert!(!said.contains("unchanged"), "{said}");
    assert_eq!(with, without);
}

/// Without a disk cache (a project folder that cannot hold one), a preview keeps the parts in
/// memory instead, and still reads only what changed.
#[test]
fn a_preview_without_a_disk_cache_keeps_parts_in_memory() {
    let (_dir, root) = demo_copy();
    std::fs::write(root.join(ftc::build::CACHE_DIR), b"not a folder").expect("block");
    let mut cache = FileCache::default();
    rebuild(&root, &mut cache, 16, 16, "first preview");
    rebuild(&root, &mut cache, 0, 16, "nothing changed");
    let q3 = root.join("submissions/2026-Q3");
    std::fs::copy(root.join("submissions/2026-Q2/12-phnom-penh/cascade.xlsx"), q3.join("12-phnom-penh/cascade.xlsx"))
        .expect("replace");
    rebuild(&root, &mut cache, 1, 16, "one cascade replaced");
}

/// `ftc build --summary` with nothing changed still prints the analysis (built again from the
/// cache, not published).
#[test]
fn a_summary_of_an_unchanged_project_is_printed() {
    let (dir, root) = demo_copy();
    let build = |summary: bool| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ftc"));
        c.arg("build").arg(&root).arg("--out").arg(dir.path().join("site"));
        if summary {
            c.arg("--summary");
        }
        let out = c.output().expect("ftc runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    build(false);
    let text = build(true);
    assert!(text.contains("nothing changed"), "{text}");
    assert!(text.contains("top bottleneck"), "{text}");
}

/// A killed build can leave a temporary part behind: the next build removes it once it is an
/// hour old, and leaves a fresh one (another build may be writing it).
#[test]
fn a_killed_builds_leftovers_are_removed_when_stale() {
    let (_dir, root) = demo_copy();
    stored_rebuild(&root, 16, 16, 16, "first build");
    let parts = root.join(ftc::build::CACHE_DIR).join("parts");
    let stale = parts.join(".0123abcd.4242");
    let fresh = parts.join(".4567ef01.4343");
    std::fs::write(&stale, b"half a part").expect("write");
    std::fs::write(&fresh, b"half a part").expect("write");
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options().write(true).open(&stale).expect("open").set_modified(two_hours_ago).expect("age it");
    let b = ftc::build::build_stored(&root).expect("builds");
    assert_eq!(b.read, Some((0, 16)));
    assert!(!stale.exists(), "a stale temporary part is removed");
    assert!(fresh.exists(), "a fresh one is left to the build writing it");
}

/// Every file of a site's edition `id`, by its path in the edition.
fn edition_files(site: &Path, id: &str) -> std::collections::BTreeMap<String, Vec<u8>> {
    let dir = site.join(id);
    walkdir::WalkDir::new(&dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(&dir).expect("inside").to_string_lossy().into_owned();
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

/// The downloads workbook's compressed sheets kept in the build cache, with when each was written.
fn stored_sheets(root: &Path, audience: &str) -> std::collections::BTreeMap<String, std::time::SystemTime> {
    std::fs::read_dir(root.join(ftc::build::CACHE_DIR).join("sheets").join(audience))
        .expect("the sheets folder")
        .map(|e| e.expect("entry"))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().expect("meta").modified().expect("mtime")))
        .collect()
}

/// The downloads workbook's sheets are kept in the build cache: an edition built with it is
/// byte for byte the one a build without it makes, after a change (where the unchanged tables'
/// sheets are copied, not compressed again) and after every stored sheet was damaged.
#[test]
fn workbook_sheets_from_the_cache_give_the_same_editions() {
    let (dir, root) = demo_copy();
    let publish = |site: &str, cache: bool| -> String {
        let opts = ftc::build::PublishOptions {
            out: dir.path().join(site),
            pdf: false,
            audience: ftc::disclose::Audience::Public,
            cache,
        };
        match ftc::build::publish(&root, &opts).expect("publishes") {
            ftc::build::Published::New { manifest, .. } => manifest.edition.clone(),
            ftc::build::Published::Unchanged { .. } => panic!("{site}: the inputs changed, a new edition is due"),
        }
    };
    let both = |what: &str| {
        let (with, without) = (publish("with", true), publish("without", false));
        assert_eq!(with, without, "{what}");
        let (a, b) =
            (edition_files(&dir.path().join("with"), &with), edition_files(&dir.path().join("without"), &with));
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{what}: the same files");
        for (path, bytes) in &a {
            assert!(*bytes == b[path], "{what}: {path} differs from the edition built without the cache");
        }
        assert!(a.contains_key("downloads/ftc-data.xlsx"));
    };

    both("first edition");
    let first = stored_sheets(&root, "public");
    assert_eq!(first.len(), 4, "a sheet per download table: {first:?}");
    let folder = root.join(ftc::build::CACHE_DIR).join("sheets/public");
    let first_bytes: Vec<Vec<u8>> = first.keys().map(|name| std::fs::read(folder.join(name)).expect("read")).collect();

    // One province's cascade replaced: the budget did not change, so its sheet is taken from
    // the cache (not written again), and the cascade's is new.
    let q3 = root.join("submissions/2026-Q3");
    std::fs::copy(root.join("submissions/2026-Q2/12-phnom-penh/cascade.xlsx"), q3.join("12-phnom-penh/cascade.xlsx"))
        .expect("replace");
    both("one cascade replaced");
    let second = stored_sheets(&root, "public");
    assert_eq!(second.len(), 4, "only this build's sheets are kept: {second:?}");
    let kept = second.iter().filter(|(name, when)| first.get(*name) == Some(when)).count();
    assert!(kept >= 1, "the unchanged budget sheet was reused: {first:?} then {second:?}");
    assert!(kept < 4, "the changed cascade's sheet was written again");

    // Every stored sheet damaged (the same sheet's file from the build before, cut, a bit
    // flipped, another sheet's whole file, not a sheet at all), then a budget replaced, so
    // that the cascade's sheet is looked up again: none is taken, and the edition is still the
    // same.
    let whole: Vec<Vec<u8>> = second.keys().map(|name| std::fs::read(folder.join(name)).expect("read")).collect();
    let sheet_of = |bytes: &[u8]| {
        let at = bytes.windows(19).position(|w| w == b"xl/worksheets/sheet").expect("a sheet's name");
        bytes[at + 19]
    };
    let mut stale = None;
    for (i, name) in second.keys().enumerate() {
        let mut bytes = whole[i].clone();
        let older = first_bytes.iter().find(|b| !first.contains_key(name) && sheet_of(b) == b'1');
        match (older, i % 4) {
            (Some(older), _) if sheet_of(&whole[i]) == b'1' => {
                bytes = older.clone();
                stale = Some((name.clone(), whole[i].clone()));
            }
            (_, 0) => bytes.truncate(bytes.len() - 1),
            (_, 1) => {
                let at = bytes.len() / 2;
                bytes[at] ^= 0x10;
            }
            (_, 2) => bytes = whole[(i + 1) % whole.len()].clone(),
            _ => bytes = b"not a sheet".to_vec(),
        }
        std::fs::write(folder.join(name), bytes).expect("damage");
    }
    let (stale, right) = stale.expect("the cascade sheet's file from the first build was put in place of the second's");
    std::fs::copy(root.join("submissions/2026-Q2/12-phnom-penh/budget.xlsx"), q3.join("12-phnom-penh/budget.xlsx"))
        .expect("replace");
    both("every stored sheet damaged");
    let looked_up = std::fs::read(folder.join(&stale)).expect("the cascade's sheet was looked up, so kept");
    assert!(looked_up == right, "the older cascade sheet was refused and the right one stored in its place");
    let third = stored_sheets(&root, "public");
    assert!(
        third.keys().all(|name| !second.contains_key(name) || third[name] != second[name]),
        "damaged sheets are replaced"
    );
}

/// A stored sheet is given back whole, and only under its own key: a file cut, emptied, with a
/// bit flipped, grown, or holding another key's sheet is not taken.
#[test]
fn a_damaged_stored_sheet_is_not_taken() {
    use ftc::render::xlsx::SheetStore;
    let dir = tempfile::tempdir().expect("tmp");
    let cache = ftc::build::DiskCache::open(dir.path(), [7; 32]).expect("a cache folder");
    let sheets = cache.sheets(ftc::disclose::Audience::Internal).expect("a sheets folder");
    let (a, b) = ([1u8; 32], [2u8; 32]);
    let (za, zb) = (b"the first sheet's zip".to_vec(), b"the second sheet's zip".to_vec());
    sheets.put(&a, &za);
    sheets.put(&b, &zb);
    assert_eq!(sheets.get(&a), Some(za.clone()));
    assert_eq!(sheets.get(&b), Some(zb.clone()));
    let folder = dir.path().join(ftc::build::CACHE_DIR).join("sheets/internal");
    let files: Vec<std::path::PathBuf> =
        std::fs::read_dir(&folder).expect("folder").map(|e| e.expect("e").path()).collect();
    assert_eq!(files.len(), 2);
    let file_a =
        files.iter().find(|f| std::fs::read(f).expect("read").windows(za.len()).any(|w| w == za)).expect("a's file");
    let file_b = files.iter().find(|f| *f != file_a).expect("b's file");
    let whole = std::fs::read(file_a).expect("read");
    let damaged: Vec<(&str, Vec<u8>)> = vec![
        ("cut", whole[..whole.len() - 1].to_vec()),
        ("emptied", Vec::new()),
        ("a bit flipped in the sheet", {
            let mut x = whole.clone();
            x[40] ^= 1;
            x
        }),
        ("a bit flipped in the key", {
            let mut x = whole.clone();
            x[0] ^= 1;
            x
        }),
        ("grown", [&whole[..], b"more"].concat()),
        ("another key's sheet", std::fs::read(file_b).expect("read")),
    ];
    for (what, bytes) in damaged {
        std::fs::write(file_a, &bytes).expect("damage");
        assert_eq!(sheets.get(&a), None, "{what}");
    }
    std::fs::write(file_a, &whole).expect("restore");
    assert_eq!(sheets.get(&a), Some(za), "whole again");
    // Another executable or other settings: another cache key, so nothing is found.
    let other = ftc::build::DiskCache::open(dir.path(), [8; 32]).expect("a cache folder");
    assert_eq!(other.sheets(ftc::disclose::Audience::Internal).expect("folder").get(&b), None);
}

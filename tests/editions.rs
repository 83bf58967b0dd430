//! Editions, through the `ftc` binary: byte-identical trees from the same inputs in different
//! folders, revision numbering, "nothing changed", the lock, `ftc diff` and `ftc verify`, and a
//! build killed (SIGKILL) at a few dozen random moments that never changes an earlier edition
//! and never leaves a partial one visible.

mod common;
use common::copy_dir;
use ftc::publish::{self, inputs::sha256_hex};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn ftc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftc")).args(args).env_remove("SOURCE_DATE_EPOCH").output().expect("ftc runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn ok(args: &[&str]) -> String {
    let o = ftc(args);
    assert!(o.status.success(), "ftc {args:?} failed:\n{}", text(&o));
    text(&o)
}

/// Every file and link under `dir` (hidden names excluded): path → SHA-256 or link target.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name() {
        let e = e.expect("walk");
        let rel = e.path().strip_prefix(dir).expect("rel").to_string_lossy().into_owned();
        if rel.is_empty() || rel.split('/').any(|p| p.starts_with('.')) || e.file_type().is_dir() {
            continue;
        }
        let value = if e.path_is_symlink() {
            format!("-> {}", std::fs::read_link(e.path()).expect("link").display())
        } else {
            sha256_hex(&std::fs::read(e.path()).expect("read"))
        };
        out.insert(rel, value);
    }
    out
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn same_inputs_in_different_folders_give_byte_identical_sites() {
    let (a, b) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let (pa, pb) = (a.path().join("project-one"), b.path().join("elsewhere/project-two"));
    copy_dir(&demo(), &pa);
    copy_dir(&demo(), &pb);
    ok(&["build", s(&pa), "--out", s(&a.path().join("site"))]);
    std::thread::sleep(Duration::from_millis(1100)); // a different second on the clock
    ok(&["build", s(&pb), "--out", s(&b.path().join("out/site"))]);
    let (ta, tb) = (tree(&a.path().join("site")), tree(&b.path().join("out/site")));
    assert!(ta.len() > 700, "{} files", ta.len());
    let differing: Vec<&String> = ta.keys().filter(|k| ta.get(*k) != tb.get(*k)).collect();
    assert!(differing.is_empty(), "differ: {differing:?}");
    assert_eq!(ta, tb);
    // No absolute path of either project reaches the output.
    let manifest = std::fs::read_to_string(a.path().join("site/2026-Q3/edition.json")).expect("manifest");
    assert!(!manifest.contains(s(a.path())), "an absolute path leaked into the manifest");
    assert!(manifest.contains("\"path\": \"submissions/2026-Q3/02-battambang/Budget_BTB_Q3.xlsx\""), "{manifest}");
}

#[test]
fn revisions_nothing_changed_diff_and_verify() {
    let dir = tempfile::tempdir().expect("tmp");
    let (project, site) = (dir.path().join("p"), dir.path().join("site"));
    copy_dir(&demo(), &project);
    let first = ok(&["build", s(&project), "--out", s(&site)]);
    assert!(first.contains("edition 2026-Q3 (2026-09-30): first edition of 2026-Q3"), "{first}");
    let before = tree(&site.join("2026-Q3"));

    let again = ok(&["build", s(&project), "--out", s(&site)]);
    assert!(again.contains("nothing changed: the inputs are those of edition 2026-Q3"), "{again}");
    assert_eq!(tree(&site.join("2026-Q3")), before);

    // Battambang resubmits its Q3 cascade with other figures: the second revision.
    let other = dir.path().join("other");
    ok(&["synth", "--out", s(&other), "--seed", "7"]);
    let name = "submissions/2026-Q3/02-battambang/Cascade_BTB_Q3 final (2).xlsx";
    std::fs::copy(other.join(name), project.join(name)).expect("resubmit");
    let second = ok(&["build", s(&project), "--out", s(&site)]);
    assert!(
        second.contains(&format!("edition 2026-Q3-r2 (2026-09-30): revision of 2026-Q3: changed {name}")),
        "{second}"
    );
    assert_eq!(tree(&site.join("2026-Q3")), before, "the first edition is untouched");
    assert_eq!(std::fs::read_link(site.join("latest")).expect("latest"), Path::new("2026-Q3-r2"));

    let m = publish::read_manifest(&site.join("2026-Q3-r2/edition.json")).expect("manifest");
    assert_eq!((m.revision, m.sequence, m.previous.as_deref()), (2, 2, Some("2026-Q3")));
    assert_eq!(m.audience, "public", "the default audience");
    assert!(m.tool.starts_with("ftc "));
    assert_eq!(m.config_sha256, sha256_hex(&std::fs::read(project.join("ftc.toml")).expect("toml")));
    let input = m.inputs.iter().find(|f| f.path == name).expect("the resubmitted file is listed");
    assert_eq!(input.sha256, sha256_hex(&std::fs::read(project.join(name)).expect("read")));
    assert_eq!(m.outputs.len(), tree(&site.join("2026-Q3-r2")).len() - 1, "every output but edition.json is listed");

    let diff = ok(&["diff", "2026-Q3", "latest", "--site", s(&site)]);
    assert!(diff.starts_with("2026-Q3 (2026-Q3) → 2026-Q3-r2 (2026-Q3)"), "{diff}");
    assert!(diff.contains("Figures revised"), "{diff}");
    assert!(diff.contains("2026-Q3 02 Battambang"), "the province total moved: {diff}");
    assert!(!diff.contains("2026-Q2 02"), "Q2 figures did not change: {diff}");
    let page = std::fs::read_to_string(site.join("2026-Q3-r2/en/changes.html")).expect("changes page");
    assert!(page.contains("Figures revised") && page.contains("Battambang"), "{page}");
    let km = std::fs::read_to_string(site.join("2026-Q3-r2/km/changes.html")).expect("changes page");
    assert!(km.contains("តួលេខដែលបានកែប្រែ") && km.contains("បាត់ដំបង"), "Khmer labels and names");
    let versions = std::fs::read_to_string(site.join("versions.html")).expect("versions");
    assert!(versions.contains("2026-Q3-r2/en/changes.html") && versions.contains("first edition of 2026-Q3"));

    assert!(ok(&["verify", s(&site)]).contains("2 edition(s) checked, 0 with problems"));
    let page = site.join("2026-Q3/en/index.html");
    std::fs::write(&page, "tampered").expect("tamper");
    let o = ftc(&["verify", s(&site)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("en/index.html: changed since it was published"), "{}", text(&o));

    let o = ftc(&["diff", "2026-Q3", "2099-Q1", "--site", s(&site)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("2099-Q1"), "{}", text(&o));
}

#[test]
fn a_second_build_is_refused_while_the_lock_is_held() {
    let dir = tempfile::tempdir().expect("tmp");
    let site = dir.path().join("site");
    let lock = publish::Lock::acquire(&site).expect("lock");
    let o = ftc(&["build", s(&demo()), "--out", s(&site)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("another ftc build is writing this site"), "{}", text(&o));
    assert!(tree(&site).is_empty(), "nothing written");
    drop(lock);
    ok(&["build", s(&demo()), "--out", s(&site)]);
}

/// SplitMix64, so the kill moments are the same sequence on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[test]
fn builds_killed_at_random_moments_never_touch_earlier_editions() {
    // At least this many kills must land inside a build; kill moments adapt to how long a
    // build takes here (a build that finished before its kill shortens the next window), so the
    // test depends on no machine's speed. At most MAX_ATTEMPTS builds.
    const KILLS: usize = 24;
    const MID_BUILD: usize = 12;
    const MAX_ATTEMPTS: usize = 60;
    let dir = tempfile::tempdir().expect("tmp");
    let (project, site) = (dir.path().join("p"), dir.path().join("site"));
    copy_dir(&demo(), &project);
    let started = Instant::now();
    ok(&["build", s(&project), "--out", s(&site)]);
    let mut full = started.elapsed().as_micros() as u64;
    let mut published = tree(&site);
    let mut rng = Rng(2026);
    let page = project.join("pages/methodology.md");
    let (mut killed_mid_build, mut completed) = (0, 0);
    let mut attempts = 0;
    for i in 0..MAX_ATTEMPTS {
        if i >= KILLS && killed_mid_build >= MID_BUILD {
            break;
        }
        attempts += 1;
        // A changed input, so the build has a new edition to write.
        let mut text_md = std::fs::read_to_string(&page).expect("page");
        text_md.push_str(&format!("\nRevision note {i}.\n"));
        std::fs::write(&page, text_md).expect("edit");

        let mut child = Command::new(env!("CARGO_BIN_EXE_ftc"))
            .args(["build", s(&project), "--out", s(&site)])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        // Every other kill lands in the second half, where the edition is written and renamed.
        let moment = if i % 2 == 0 { rng.next() % (full + full / 4) } else { full / 2 + rng.next() % (full * 3 / 4) };
        std::thread::sleep(Duration::from_micros(moment));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().expect("wait");
        if status.success() {
            completed += 1;
            full = (full * 3 / 4).max(1_000);
        } else {
            killed_mid_build += 1;
        }

        // Every edition published before is byte-identical, and no partial one is visible.
        let now = tree(&site);
        for (path, hash) in published.iter().filter(|(p, _)| p.contains('/')) {
            assert_eq!(now.get(path), Some(hash), "kill {i}: {path} changed");
        }
        let checks = publish::verify(&site).expect("verify");
        for c in &checks {
            assert!(c.problems.is_empty(), "kill {i}: {}: {:?}", c.edition, c.problems);
        }
        // The next build succeeds (and finishes what the killed one did not).
        let out = ok(&["build", s(&project), "--out", s(&site)]);
        assert!(out.contains("edition 2026-Q3-r") || out.contains("nothing changed"), "{out}");
        published = tree(&site);
    }
    let editions = publish::editions(&site).expect("editions");
    assert_eq!(editions.len(), attempts + 1, "one edition per changed input");
    let ids: Vec<&str> = editions.iter().map(|m| m.edition.as_str()).collect();
    assert_eq!(ids[0], "2026-Q3");
    assert_eq!(ids[attempts], format!("2026-Q3-r{}", attempts + 1));
    assert!(ftc(&["verify", s(&site)]).status.success());
    println!("{attempts} builds: {killed_mid_build} killed mid-way, {completed} finished before the kill");
    assert!(killed_mid_build >= MID_BUILD, "only {killed_mid_build} of {attempts} kills landed inside a build");
}

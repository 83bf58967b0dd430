//! `ftc init`: a new project builds at once and says, for each expected province, that nothing
//! has been submitted yet; it never overwrites a folder.

use std::path::Path;
use std::process::{Command, Output};

fn ftc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ftc")).args(args).env_remove("SOURCE_DATE_EPOCH").output().expect("ftc runs")
}

fn ok(args: &[&str]) -> String {
    let o = ftc(args);
    assert!(
        o.status.success(),
        "ftc {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8")
}

#[test]
fn a_new_project_builds_at_once_and_shows_who_has_not_sent_anything() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("ftc-2027");
    ok(&["init", s(&dir), "--period", "2026-Q4", "--provinces", "01,02,12", "--title", "Workshop \"2027\""]);
    for f in ["ftc.toml", "geography.csv", "README.md", "pages/methodology.md", "narratives/2026-Q4/01-example.md"] {
        assert!(dir.join(f).is_file(), "{f} written");
    }
    assert!(dir.join("submissions/2026-Q4").is_dir());
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("readme");
    for step in ["ftc template --province", "ftc check", "ftc build", "--audience internal", "MEF"] {
        assert!(readme.contains(step), "the README covers {step}");
    }
    let toml = std::fs::read_to_string(dir.join("ftc.toml")).expect("toml");
    assert!(toml.contains("provinces = [\"01\", \"02\", \"12\"]"), "{toml}");
    assert!(toml.contains("deadline = 2027-01-15"), "15 days after the end of 2026-Q4: {toml}");

    let site = tmp.path().join("site");
    let out = ok(&["build", s(&dir), "--out", s(&site)]);
    assert!(out.contains("edition 2026-Q4 (2026-12-31)"), "{out}");
    let en = std::fs::read_to_string(site.join("latest/en/index.html")).expect("overview");
    assert!(en.contains("No submissions yet for 2026-Q4: 3 provinces are expected"), "{en}");
    assert!(en.contains("Workshop &quot;2027&quot;"), "the title, escaped");
    for name in ["Banteay Meanchey", "Battambang", "Phnom Penh"] {
        assert!(en.contains(name), "{name} is listed");
    }
    assert_eq!(en.matches("no submissions yet").count(), 3, "one state per expected province");
    let km = std::fs::read_to_string(site.join("latest/km/index.html")).expect("overview");
    assert_eq!(km.matches("មិនទាន់មានការដាក់ស្នើ").count(), 3 + 1, "three cells and the lead");
    // The example narrative is internal: no public page carries it.
    let check = ftc(&["check", s(&dir)]);
    assert_eq!(check.status.code(), Some(0), "warnings only: {}", String::from_utf8_lossy(&check.stdout));
    assert!(String::from_utf8_lossy(&check.stdout).contains("missing-submission"));

    // A folder that is not empty is never written into.
    let again = ftc(&["init", s(&dir), "--period", "2026-Q4"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
    let bad = ftc(&["init", s(&tmp.path().join("x")), "--period", "2026-Q4", "--provinces", "31"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a province code"));
}

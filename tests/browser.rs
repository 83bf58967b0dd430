//! The demo site in a real browser and a real validator. Needs Debian's `chromium`,
//! `fonts-khmeros`, Java, and `npm ci --prefix tests/browser` (playwright-core, axe-core,
//! vnu-jar); `.ci/run` installs them. When one is missing the test fails under CI and skips
//! with the reason otherwise.
//!
//! Checks: the Nu HTML checker finds no error in any page; the overview, a province and a
//! commune page in both languages load from file:// with no console error and no network
//! request, at 390 and 1280 px (screenshots in target/screenshots/), and axe-core finds no
//! violation of serious or critical impact.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The reason the browser checks cannot run here, if any.
fn missing_tool() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} not found (apt-get install chromium fonts-khmeros)"));
    }
    for (tool, arg) in [("node", "--version"), ("java", "-version")] {
        if Command::new(tool).arg(arg).output().is_err() {
            return Some(format!("{tool} not found"));
        }
    }
    if !root().join("tests/browser/node_modules/playwright-core").is_dir() {
        return Some("tests/browser/node_modules missing (npm ci --prefix tests/browser)".into());
    }
    None
}

fn build_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let opts = ftc::build::PublishOptions {
        out: dir.path().to_path_buf(),
        pdf: false,
        audience: ftc::disclose::Audience::Public,
        cache: false,
    };
    match ftc::build::publish(&root().join("data"), &opts).expect("publishes") {
        ftc::build::Published::New { path, .. } => (dir, path),
        ftc::build::Published::Unchanged { .. } => panic!("a fresh site has nothing to be unchanged from"),
    }
}

#[test]
fn site_in_a_browser_and_the_nu_checker() {
    if let Some(why) = missing_tool() {
        if std::env::var_os("CI").is_some() {
            panic!("browser checks cannot run under CI: {why}");
        }
        println!("SKIP: browser checks: {why}");
        return;
    }
    let (_dir, site) = build_site();

    let vnu = root().join("tests/browser/node_modules/vnu-jar/build/dist/vnu.jar");
    let out = Command::new("java")
        .arg("-jar")
        .arg(&vnu)
        .args(["--errors-only", "--skip-non-html", "--format", "gnu"])
        .arg(&site)
        .output()
        .expect("vnu runs");
    let report = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && report.trim().is_empty(), "Nu HTML checker errors:\n{report}");

    let shots = root().join("target/screenshots");
    let pages = [
        "en/index.html",
        "en/province/12.html",
        "en/commune/120101.html",
        "km/index.html",
        "km/province/02.html",
        "km/commune/020101.html",
    ];
    let out = Command::new("node")
        .arg(root().join("tests/browser/run.mjs"))
        .arg(&site)
        .arg(&shots)
        .args(pages)
        .output()
        .expect("node runs");
    let log = String::from_utf8_lossy(&out.stdout);
    println!("{log}");
    assert!(out.status.success(), "browser checks failed:\n{log}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(log.contains("\"failures\":0"), "{log}");
}

//! Printed briefs and the workshop pack, checked as PDFs. Needs Chromium and poppler-utils
//! (pdfinfo, pdftotext); `.ci/run` installs them. Missing tools fail under CI and skip with the
//! reason otherwise.
//!
//! Checks: each province brief has at most 2 pages and each commune brief 1; the pack has the
//! pages its contents page claims; the edition stamp is on every page of every PDF; the Khmer
//! text extracted from a Khmer brief equals the Unicode of the source names; printing twice
//! gives identical bytes.

use ftc::render::site::Site;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn missing_tool() -> Option<String> {
    if ftc::publish::pdf::find_chromium().is_none() {
        return Some("Chromium not found (apt-get install chromium fonts-khmeros)".into());
    }
    for tool in ["pdfinfo", "pdftotext"] {
        if Command::new(tool).arg("-v").output().is_err() {
            return Some(format!("{tool} not found (apt-get install poppler-utils)"));
        }
    }
    None
}

struct Printed {
    build: ftc::build::Build,
    site: Site,
    dir: tempfile::TempDir,
}

fn printed() -> Option<&'static Printed> {
    static P: OnceLock<Option<Printed>> = OnceLock::new();
    P.get_or_init(|| {
        if let Some(why) = missing_tool() {
            if std::env::var_os("CI").is_some() {
                panic!("brief checks cannot run under CI: {why}");
            }
            println!("SKIP: brief checks: {why}");
            return None;
        }
        let build = ftc::build::build(&root().join("data")).expect("demo builds");
        let (_, mut site, _) = ftc::build::render(&build).expect("renders");
        ftc::publish::pdf::print_briefs(&mut site, "20260930000000").expect("prints");
        let dir = tempfile::tempdir().expect("tmp");
        for (rel, bytes) in site.iter().filter(|(p, _)| p.ends_with(".pdf")) {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, bytes).expect("write");
        }
        Some(Printed { build, site, dir })
    })
    .as_ref()
}

fn pdf(p: &Printed, rel: &str) -> PathBuf {
    p.dir.path().join(rel)
}

fn pages(path: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(path).output().expect("pdfinfo");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()).expect("page count")
}

fn page_text(path: &Path, page: usize) -> String {
    // -raw keeps the content stream's order; the layout mode can split a large Khmer heading.
    let out = Command::new("pdftotext")
        .args(["-raw", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn page_counts() {
    let Some(p) = printed() else { return };
    let pr = p.build.report.latest().expect("period");
    for lang in ["en", "km"] {
        for code in pr.provinces.keys() {
            let n = pages(&pdf(p, &format!("briefs/{lang}/province-{code}.pdf")));
            assert!((1..=2).contains(&n), "{lang} {code}: {n} pages");
        }
        for code in &p.build.project.config.briefs.communes {
            assert_eq!(pages(&pdf(p, &format!("briefs/{lang}/commune-{code}.pdf"))), 1, "{lang} {code}");
        }
        // The contents page (page 2) lists the summary and each brief with its first page; the
        // last brief takes two pages, so the pack ends one page after the last number listed.
        let pack = pdf(p, &format!("briefs/{lang}/pack.pdf"));
        let total = pages(&pack);
        let (starts, expected_total) = ftc::render::brief::pack_pages(pr.provinces.len());
        assert_eq!(total, expected_total, "{lang}: pack pages");
        let contents = ftc::render::format::khmer_digits(&page_text(&pack, 2));
        let contents_ascii: String = contents
            .chars()
            .map(|c| if ('០'..='៩').contains(&c) { char::from(b'0' + (c as u32 - '០' as u32) as u8) } else { c })
            .collect();
        let last = starts.last().expect("a province").to_string();
        assert!(
            contents_ascii.split_whitespace().any(|w| w == last),
            "{lang}: contents do not list page {last}:\n{contents}"
        );
        assert_eq!(starts.last().map(|s| s + 1), Some(total));
    }
}

#[test]
fn the_stamp_is_on_every_page_of_every_pdf() {
    let Some(p) = printed() else { return };
    let mut checked = 0;
    for rel in p.site.keys().filter(|k| k.ends_with(".pdf")) {
        let path = pdf(p, rel);
        let stamp =
            if rel.starts_with("briefs/km/") { "ការបោះពុម្ព 2026-Q3" } else { "Edition 2026-Q3" };
        for page in 1..=pages(&path) {
            let text = page_text(&path, page);
            assert!(text.contains(stamp), "{rel} page {page} has no stamp:\n{text}");
            checked += 1;
        }
    }
    assert!(checked >= 2 * (4 * 2 + 2 + 11), "checked {checked} pages");
}

#[test]
fn khmer_text_extracts_as_the_source_unicode() {
    let Some(p) = printed() else { return };
    let pr = p.build.report.latest().expect("period");
    let geo = &p.build.project.geography;
    let path = pdf(p, "briefs/km/province-02.pdf");
    // pdftotext puts word spaces where glyphs sit apart, also inside a Khmer word; compare the
    // sequences of code points with layout whitespace removed on both sides.
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let text = squash(&(1..=pages(&path)).map(|n| page_text(&path, n)).collect::<String>());
    let province = &geo.get("02").expect("Battambang").name_km;
    assert!(text.contains(province.as_str()), "province name {province} not extracted:\n{text}");
    // Every commune listed on the brief (the ten with the largest gap) is extracted exactly.
    let listed =
        pr.communes.values().filter(|c| c.code.starts_with("02") && text.contains(&squash(&c.name_km))).count();
    assert!(listed >= 10, "only {listed} Khmer commune names extracted exactly");
    assert!(text.contains("ខ្សែសង្វាក់សេវា"), "Khmer UI text with stacked consonants extracted");
}

#[test]
fn printing_twice_gives_identical_bytes() {
    let Some(p) = printed() else { return };
    let (_, mut again, _) = ftc::build::render(&p.build).expect("renders");
    ftc::publish::pdf::print_briefs(&mut again, "20260930000000").expect("prints");
    for (rel, bytes) in p.site.iter().filter(|(k, _)| k.ends_with(".pdf")) {
        assert!(again.get(rel) == Some(bytes), "{rel} differs between two prints");
    }
}

//! `ftc template`: the workbooks provinces fill in. Their labels are the reader's, they know the
//! province's communes, and a filled one reads without a finding, in every format LibreOffice
//! turns it into and back. Filling uses openpyxl (as a data officer's program would, editing the
//! template in place) and converting uses LibreOffice headless; both are installed by .ci/run.

use ftc::finding::Severity;
use ftc::geography::Geography;
use ftc::ingest::aliases::{TableKind, field_for};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn missing_tool() -> Option<String> {
    let py = Command::new("python3").args(["-c", "import openpyxl"]).output();
    if !py.is_ok_and(|o| o.status.success()) {
        return Some("python3 with openpyxl not found (pip install openpyxl==3.1.5)".into());
    }
    if Command::new("soffice").arg("--version").output().is_err() {
        return Some("LibreOffice not found (apt-get install libreoffice-calc-nogui)".into());
    }
    None
}

/// Whether the external tools are here: under CI their absence fails the test.
fn tools() -> bool {
    static T: OnceLock<bool> = OnceLock::new();
    *T.get_or_init(|| match missing_tool() {
        None => true,
        Some(why) if std::env::var_os("CI").is_some() => panic!("template round trip cannot run under CI: {why}"),
        Some(why) => {
            println!("SKIP: {why}");
            false
        }
    })
}

fn ftc(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_ftc")).args(args).output().expect("ftc runs");
    assert!(o.status.success(), "ftc {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn templates(dir: &Path) -> (PathBuf, PathBuf) {
    ftc(&["template", "--province", "02", "--period", "2026-Q3", "--out", s(dir)]);
    (dir.join("02-battambang-2026-Q3-cascade.xlsx"), dir.join("02-battambang-2026-Q3-budget.xlsx"))
}

fn python(args: &[&str]) -> String {
    let o = Command::new("python3").arg(root().join("tests/templates/fill.py")).args(args).output().expect("python3");
    assert!(o.status.success(), "fill.py {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_template_uses_the_readers_labels_and_knows_the_communes() {
    let dir = tempfile::tempdir().expect("tmp");
    let (cascade, budget) = templates(dir.path());
    // What the reader understands of the blank templates: the right tables, every column.
    let ds = ftc::check::check_paths(&[cascade.clone(), budget.clone()]).expect("checks");
    let kinds: Vec<TableKind> = ds.files.iter().flat_map(|f| f.tables.iter().map(|t| t.kind)).collect();
    assert!(kinds.contains(&TableKind::Cascade) && kinds.contains(&TableKind::Budget), "{kinds:?}");
    for f in &ds.files {
        assert_eq!(f.province.as_deref(), Some("02"), "{}: the cover names the province", f.path);
        assert_eq!(f.period_written.as_deref(), Some("2026-Q3"), "{}: the cover names the period", f.path);
    }
    // Every header label maps to its field, and the cascade lists exactly the province's communes.
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&cascade).expect("open");
    assert_eq!(wb.sheet_names(), vec!["Cover", "Cascade", "Instructions"]);
    let range = wb.worksheet_range("Cascade").expect("sheet");
    let header: Vec<String> = range.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
    for (label, field) in header.iter().zip(TableKind::Cascade.fields()) {
        assert_eq!(field_for(label), Some(*field), "{label:?}");
        assert!(label.contains('\n'), "{label:?}: English, then Khmer on a second line");
    }
    let codes: Vec<String> = range.rows().skip(1).map(|r| r[0].to_string()).take_while(|c| !c.is_empty()).collect();
    let want: Vec<String> = Geography::builtin().communes_of_province("02").map(|a| a.code.clone()).collect();
    assert_eq!(codes, want, "one row per commune of Battambang, codes as text with their leading zero");
    // The same arguments give the same bytes.
    let again = tempfile::tempdir().expect("tmp");
    let (c2, b2) = templates(again.path());
    assert_eq!(std::fs::read(&cascade).expect("a"), std::fs::read(c2).expect("b"));
    assert_eq!(std::fs::read(&budget).expect("a"), std::fs::read(b2).expect("b"));
    // A province that does not exist is refused, saying what to write.
    let o = Command::new(env!("CARGO_BIN_EXE_ftc"))
        .args(["template", "--province", "99", "--out", s(dir.path())])
        .output()
        .expect("runs");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a province code"));
}

#[test]
fn a_template_validates_locks_and_freezes() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let (cascade, budget) = templates(dir.path());
    let d: serde_json::Value = serde_json::from_str(&python(&["describe", s(&cascade)])).expect("json");
    let c = &d["Cascade"];
    assert_eq!(c["protected"], true);
    assert_eq!(c["freeze"], "C2", "header row and code/name columns frozen");
    assert_eq!(c["locked_a2"], true, "codes are locked");
    assert_eq!(c["locked_e2"], false, "counts are for input");
    let v = c["validations"].as_array().expect("validations");
    let has = |ty: &str, f1: &str| v.iter().any(|x| x["type"] == ty && x["formula1"] == f1);
    assert!(has("whole", "0"), "counts: whole numbers ≥ 0: {v:?}");
    assert!(has("list", "\"F,M\""), "sex dropdown");
    assert!(has("list", "\"0-14,15+\""), "age dropdown");
    assert!(c["widths"]["B"].as_f64().expect("width") >= 20.0, "names are readable");
    let d: serde_json::Value = serde_json::from_str(&python(&["describe", s(&budget)])).expect("json");
    assert_eq!(d["sheets"], serde_json::json!(["Cover", "Budget", "Communes", "Instructions"]));
    let v = d["Budget"]["validations"].as_array().expect("validations");
    let list = |f1: &str| v.iter().any(|x| x["type"] == "list" && x["formula1"] == f1);
    assert!(list("\"prevention,testing,treatment,community,management,other\""), "{v:?}");
    assert!(list("\"KHR,USD\""));
    assert!(list("\"RGC,CIP,Global Fund,PEPFAR,other\""));
    assert!(list("Communes!$A$2:$A$105"), "area codes from the Communes sheet: {v:?}");
    assert_eq!(d["Budget"]["protected"], true);
}

/// The counts fill.py writes for a commune, worked out here again.
fn expected(code: &str) -> [u64; 5] {
    let n: u64 = code[4..6].parse::<u64>().expect("cc") + code[2..4].parse::<u64>().expect("dd");
    let plhiv = 40 + 3 * n;
    let diagnosed = plhiv - 2 - n % 3;
    let on_art = diagnosed - 1 - n % 2;
    let tested = on_art - n % 4;
    [plhiv, diagnosed, on_art, tested, tested - 1 - n % 2]
}

type Read = (Vec<(String, [u64; 5])>, Vec<String>);

fn read(paths: &[PathBuf]) -> Read {
    let ds = ftc::check::check_paths(paths).expect("checks");
    let bad: Vec<String> = ds
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Note)
        .map(|f| format!("{}: {}", f.location, f.message()))
        .collect();
    assert!(bad.is_empty(), "{paths:?}: findings:\n{}", bad.join("\n"));
    let mut cascade: Vec<(String, [u64; 5])> = ds
        .cascade
        .iter()
        .map(|r| (r.area_code.clone(), [r.plhiv, r.diagnosed, r.on_art, r.vl_tested.unwrap_or(0), r.vl_suppressed]))
        .collect();
    cascade.sort();
    let mut budget: Vec<String> = ds
        .budget
        .iter()
        .map(|b| {
            format!(
                "{} {} {} {} {} {} {:?} {}",
                b.area_code,
                b.activity,
                b.category.as_str(),
                b.funding_source,
                b.currency,
                b.approved,
                b.released,
                b.spent
            )
        })
        .collect();
    budget.sort();
    for f in &ds.files {
        assert_eq!(f.submitted.map(|d| d.to_string()).as_deref(), Some("2026-10-12"), "{}", f.path);
    }
    (cascade, budget)
}

fn soffice(to: &str, file: &Path, out: &Path, profile: &Path) -> PathBuf {
    let o = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", to, "--outdir", s(out), s(file)])
        .output()
        .expect("soffice");
    assert!(o.status.success(), "soffice: {}", String::from_utf8_lossy(&o.stderr));
    let stem = file.file_stem().expect("stem").to_string_lossy().into_owned();
    let made = out.join(format!("{stem}.{to}"));
    assert!(made.is_file(), "LibreOffice wrote {}: {}", made.display(), String::from_utf8_lossy(&o.stdout));
    made
}

#[test]
fn a_filled_template_reads_the_same_in_every_format() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let (cascade, budget) = templates(&dir.path().join("blank"));
    let filled = dir.path().join("filled");
    std::fs::create_dir_all(&filled).expect("mkdir");
    let fc = filled.join("cascade.xlsx");
    let fb = filled.join("budget.xlsx");
    python(&["fill", s(&cascade), s(&fc)]);
    python(&["fill", s(&budget), s(&fb)]);

    let first = read(&[fc.clone(), fb.clone()]);
    assert_eq!(first.0.len(), Geography::builtin().communes_of_province("02").count());
    for (code, counts) in &first.0 {
        assert_eq!(*counts, expected(code), "{code}: what was written is what is read");
    }
    assert_eq!(first.1.len(), 3, "three budget lines");
    assert!(first.1.iter().any(|l| l.contains("Global Fund") && l.contains("3900.5")), "{:?}", first.1);

    // Through LibreOffice: .ods and .xls, and each back to .xlsx.
    let profile = dir.path().join("lo-profile");
    for ext in ["ods", "xls"] {
        let out = dir.path().join(ext);
        let (c, b) = (soffice(ext, &fc, &out, &profile), soffice(ext, &fb, &out, &profile));
        assert_eq!(read(&[c.clone(), b.clone()]), first, "{ext}");
        let back = dir.path().join(format!("{ext}-back"));
        let (c, b) = (soffice("xlsx", &c, &back, &profile), soffice("xlsx", &b, &back, &profile));
        assert_eq!(read(&[c, b]), first, "{ext} → xlsx");
    }
}

#[test]
fn the_header_labels_are_bilingual_reader_labels() {
    // No tools needed: every label `ftc template` writes maps back to its field.
    for kind in [TableKind::Cascade, TableKind::Budget] {
        for f in kind.fields() {
            let label = ftc::template::header_label(*f);
            assert_eq!(field_for(&label), Some(*f), "{label:?}");
            let (en, km) = label.split_once('\n').expect("two lines");
            assert_eq!(field_for(en), Some(*f));
            assert_eq!(field_for(km), Some(*f));
            assert!(km.chars().any(|c| ('\u{1780}'..='\u{17FF}').contains(&c)), "{km:?} is Khmer");
        }
    }
}

//! One fixture per validation rule (tests/fixtures/rules/*.csv, and the small project in
//! tests/fixtures/project for the rules that span files and periods). Each test names the rule,
//! the severity and the exact cell it expects.

use ftc::check::check_paths;
use ftc::finding::{Rule, Severity};
use ftc::validate::Dataset;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn check(name: &str) -> Dataset {
    check_paths(&[fixture(name)]).expect("check runs")
}

/// The places (sheet-relative A1 cell, or `row N`) of the findings with this rule and severity.
fn places(ds: &Dataset, rule: Rule, severity: Severity) -> Vec<String> {
    ds.findings
        .iter()
        .filter(|f| f.rule == rule && f.severity == severity)
        .map(|f| f.location.place().unwrap_or_default())
        .collect()
}

fn rows_used(ds: &Dataset) -> usize {
    ds.files.iter().flat_map(|f| &f.tables).map(|t| t.rows_used).sum()
}

#[test]
fn not_a_number_drops_the_row() {
    let ds = check("rules/not_a_number.csv");
    assert_eq!(places(&ds, Rule::NotANumber, Severity::Error), vec!["F3"]);
    assert_eq!(rows_used(&ds), 1);
    assert_eq!(ds.cascade.len(), 1);
}

#[test]
fn negative_is_an_error() {
    let ds = check("rules/negative.csv");
    assert_eq!(places(&ds, Rule::Negative, Severity::Error), vec!["G2"]);
    assert_eq!(ds.cascade.len(), 0);
}

#[test]
fn unknown_area_other_province_and_district() {
    let ds = check("rules/unknown_area.csv");
    // 029999 is not in the geography; 120101 is Phnom Penh in a Battambang file; 0201 is a district.
    assert_eq!(places(&ds, Rule::UnknownArea, Severity::Error), vec!["A3", "A4", "A5"]);
    let msgs: Vec<String> = ds.findings.iter().filter(|f| f.rule == Rule::UnknownArea).map(|f| f.message()).collect();
    assert!(msgs[0].contains("not in the geography"), "{msgs:?}");
    assert!(msgs[1].contains("belongs to province 12"), "{msgs:?}");
    assert!(msgs[2].contains("district"), "{msgs:?}");
    assert_eq!(ds.cascade.len(), 1);
}

#[test]
fn duplicate_row_keeps_the_first() {
    let ds = check("rules/duplicate_row.csv");
    assert_eq!(places(&ds, Rule::DuplicateRow, Severity::Error), vec!["row 4"]);
    assert_eq!(ds.cascade.len(), 2);
}

#[test]
fn cascade_order_warns_and_keeps() {
    let ds = check("rules/cascade_order.csv");
    assert_eq!(places(&ds, Rule::CascadeOrder, Severity::Warning), vec!["G2"]);
    assert_eq!(ds.cascade.len(), 1);
}

#[test]
fn coverage_over_100_warns() {
    let ds = check("rules/coverage_over_100.csv");
    assert_eq!(places(&ds, Rule::CoverageOver100, Severity::Warning), vec!["F2"]);
    assert_eq!(ds.cascade.len(), 1);
}

#[test]
fn totals_row_against_its_rows() {
    // 120 + 80 = 200, but the totals row says 203; the other columns add up.
    let ds = check("rules/totals_mismatch.csv");
    assert_eq!(places(&ds, Rule::TotalsMismatch, Severity::Warning), vec!["E4"]);
    let f = ds.findings.iter().find(|f| f.rule == Rule::TotalsMismatch).expect("finding");
    assert!(
        f.message().contains("203") && f.message().contains("200") && f.message().contains("difference 3"),
        "{}",
        f.message()
    );
    assert_eq!(ds.cascade.len(), 2, "the totals row is not an area");
}

#[test]
fn total_row_against_sex_and_age_rows() {
    // plhiv: 4 + 60 + 5 + 50 = 119, total row says 120. Diagnosed 4+50+5+41 = 100 agrees.
    let ds = check("rules/totals_disaggregated.csv");
    let found: Vec<String> =
        ds.findings.iter().filter(|f| f.rule == Rule::TotalsMismatch).map(|f| f.message()).collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("plhiv = 120") && found[0].contains("119"), "{found:?}");
}

#[test]
fn bad_sex_is_an_error() {
    let ds = check("rules/bad_value.csv");
    assert_eq!(places(&ds, Rule::BadValue, Severity::Error), vec!["C2"]);
}

#[test]
fn name_mismatch_is_a_warning_and_khmer_names_match() {
    let ds = check("rules/name_mismatch.csv");
    assert_eq!(places(&ds, Rule::NameMismatch, Severity::Warning), vec!["B2"]);
    assert_eq!(ds.cascade.len(), 2);
}

#[test]
fn missing_column_names_the_column() {
    let ds = check("rules/missing_column.csv");
    let f: Vec<_> =
        ds.findings.iter().filter(|f| f.rule == Rule::MissingColumn && f.severity == Severity::Error).collect();
    assert_eq!(f.len(), 1);
    assert!(f[0].message().contains("'diagnosed'"), "{}", f[0].message());
    assert_eq!(rows_used(&ds), 0);
}

#[test]
fn missing_sheet_when_no_table_is_recognised() {
    let ds = check("rules/missing_sheet.csv");
    assert_eq!(ds.findings.iter().filter(|f| f.rule == Rule::MissingSheet && f.severity == Severity::Error).count(), 1);
}

#[test]
fn overspent_and_release_exceeded() {
    let ds = check("rules/overspent.csv");
    assert_eq!(places(&ds, Rule::Overspent, Severity::Warning), vec!["H2"]);
    assert_eq!(ds.budget.len(), 1);
    let ds = check("rules/release_exceeded.csv");
    // released 1100 > approved 1000 (G2); spent 2,500,000 > released 2,000,000 KHR (H3).
    assert_eq!(places(&ds, Rule::ReleaseExceeded, Severity::Warning), vec!["G2", "H3"]);
}

#[test]
fn bad_category_and_currency() {
    let ds = check("rules/bad_category_currency.csv");
    assert_eq!(places(&ds, Rule::BadValue, Severity::Error), vec!["C2", "E3"]);
    assert_eq!(ds.budget.len(), 0);
}

#[test]
fn period_written_above_the_header_is_read() {
    let ds = check("rules/period_written.csv");
    let file = &ds.files[0];
    assert_eq!(file.period_written.as_deref(), Some("2026-Q2"));
    assert_eq!(file.tables[0].header_rows, (4, 4));
    assert_eq!(ds.cascade.len(), 1);
}

#[test]
fn tolerance_semicolons_bom_text_numbers_khmer_digits_lost_zero() {
    let ds = check("rules/tolerance_semicolon_bom.csv");
    assert_eq!(ds.count(Severity::Error), 0, "{:?}", ds.findings);
    let row = &ds.cascade[0];
    assert_eq!(row.area_code, "020101");
    assert_eq!((row.plhiv, row.diagnosed, row.on_art, row.vl_tested, row.vl_suppressed), (1204, 1000, 998, None, 900));
    assert!(
        ds.findings.iter().any(|f| f.message_id == "note.code-padded" && f.location.place().as_deref() == Some("A2"))
    );
    assert!(ds.findings.iter().any(|f| f.message_id == "note.numbers-as-text"));
}

#[test]
fn unreadable_files_are_findings_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: &[(&str, &[u8], &str)] = &[
        ("broken.xlsx", b"PK\x03\x04 this is not really a zip", "damaged"),
        ("report.xlsx", b"%PDF-1.4 not a sheet", "not a spreadsheet"),
        ("empty.csv", b"", "empty"),
        ("latin1.csv", b"area_code,name\n020101,Caf\xe9\n", "not UTF-8"),
    ];
    for (name, bytes, needle) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let ds = check_paths(std::slice::from_ref(&path)).expect("check runs");
        let f = ds
            .findings
            .iter()
            .find(|f| f.rule == Rule::UnreadableFile)
            .unwrap_or_else(|| panic!("{name}: {:?}", ds.findings));
        assert_eq!(f.severity, Severity::Error);
        assert!(f.location.file.ends_with(name), "{name}: {}", f.location);
        assert!(f.message().contains(needle), "{name}: {}", f.message());
    }
}

#[test]
fn project_rules_across_files_and_periods() {
    let ds = check("project");
    let q3 = "submissions/2026-Q3/02-battambang/Cascade BTB Q3 final (2).csv";
    let at = |rule: Rule| -> Vec<String> {
        ds.findings
            .iter()
            .filter(|f| f.rule == rule && f.severity != Severity::Note)
            .map(|f| f.location.to_string())
            .collect()
    };
    assert_eq!(at(Rule::PeriodMismatch), vec![format!("{q3} › Cascade BTB Q3 final (2) › B2")]);
    assert_eq!(at(Rule::LateSubmission), vec![format!("{q3} › Cascade BTB Q3 final (2) › B1")]);
    assert_eq!(at(Rule::UnknownArea), vec![format!("{q3} › Cascade BTB Q3 final (2) › A6")]);
    // 020102: diagnosed 70 → 30 (−57 %), on ART 60 → 29 (−52 %), suppressed 49 → 24 (−51 %) are
    // beyond ±50 %; VL tested 50 → 25 is exactly −50 %, not beyond; 020101 did not move.
    let jumps: Vec<String> = ds.findings.iter().filter(|f| f.rule == Rule::Jump).map(|f| f.message()).collect();
    assert_eq!(jumps.len(), 3, "{jumps:?}");
    assert!(jumps.iter().all(|m| m.contains("020102")), "{jumps:?}");
    let missing: Vec<String> =
        ds.findings.iter().filter(|f| f.rule == Rule::MissingSubmission).map(|f| f.message()).collect();
    assert_eq!(
        missing,
        vec![
            "Province 12 sent no budget file for 2026-Q2.",
            "Province 12 sent no cascade file for 2026-Q2.",
            "Province 02 sent no budget file for 2026-Q3.",
            "Province 12 sent no budget file for 2026-Q3.",
            "Province 12 sent no cascade file for 2026-Q3.",
        ]
    );
}

fn ftc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ftc")).args(args).env("NO_COLOR", "1").output().expect("ftc runs")
}

#[test]
fn check_exit_codes_and_json() {
    let neg = fixture("rules/negative.csv");
    let out = ftc(&["check", neg.to_str().expect("utf8 path")]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("G2") && text.contains("negative") && text.contains("1 error(s)"), "{text}");
    assert!(!text.contains('\x1b'), "no colour when not on a terminal");

    let warn = fixture("rules/cascade_order.csv");
    assert_eq!(ftc(&["check", warn.to_str().expect("utf8")]).status.code(), Some(0));
    assert_eq!(ftc(&["check", "/no/such/file.xlsx"]).status.code(), Some(2));

    let out = ftc(&["check", "--format", "json", neg.to_str().expect("utf8")]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["schema"], "ftc-check/1");
    assert_eq!(v["summary"]["errors"], 1);
    let f = &v["files"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "negative")
        .cloned()
        .expect("negative");
    assert_eq!(f["location"]["cell"], "G2");
    assert_eq!(f["value"], "-3");
    assert_eq!(v["files"][0]["tables"][0]["columns"][6]["field"], "on_art");
}

#[test]
fn province_row_that_looks_like_a_total() {
    // Communes 120 + 80 = 200 PLHIV; the province row says 200: a total typed as a row.
    let ds = check("rules/province_total_row.csv");
    assert_eq!(places(&ds, Rule::TotalsMismatch, Severity::Warning), vec!["row 4"]);
    // A small row (6 people not attributable to a commune) is kept without comment.
    let ds = check("rules/province_row_unattributed.csv");
    assert!(places(&ds, Rule::TotalsMismatch, Severity::Warning).is_empty());
    assert_eq!(ds.cascade.len(), 3);
}

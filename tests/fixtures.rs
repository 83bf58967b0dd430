//! Files saved by a real spreadsheet program (LibreOffice 7.4, see tests/fixtures/README.md),
//! each named for its quirk, in xlsx, ods and xls: every format must read the same, and the
//! figures must be the ones written into the source (worked out by hand below).

use ftc::check::check_paths;
use ftc::finding::Severity;
use ftc::validate::Dataset;
use std::path::Path;

const FORMATS: [&str; 3] = ["xlsx", "ods", "xls"];

fn check(stem: &str, ext: &str) -> Dataset {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(format!("{stem}.{ext}"));
    check_paths(&[path]).expect("check runs")
}

/// What a reader must understand of a fixture, the same for every format.
#[derive(Debug, PartialEq)]
struct Understood {
    header_rows: (u32, u32),
    fields: Vec<String>,
    rows_used: usize,
    totals_rows: usize,
    totals: Vec<(String, i64)>,
    errors: usize,
    warnings: usize,
    submitted: Option<String>,
    period_written: Option<String>,
}

fn understood(ds: &Dataset) -> Understood {
    let f = &ds.files[0];
    let t = &f.tables[0];
    Understood {
        header_rows: t.header_rows,
        fields: t.columns.iter().filter_map(|c| c.field.map(str::to_string)).collect(),
        rows_used: t.rows_used,
        totals_rows: t.totals_rows,
        totals: t.totals.iter().map(|(k, v)| (k.to_string(), *v as i64)).collect(),
        errors: ds.count(Severity::Error),
        warnings: ds.count(Severity::Warning),
        submitted: f.submitted.map(|d| d.to_string()),
        period_written: f.period_written.clone(),
    }
}

/// All three formats agree; returns the xlsx reading.
fn same_in_every_format(stem: &str) -> Understood {
    let readings: Vec<Understood> = FORMATS.iter().map(|e| understood(&check(stem, e))).collect();
    assert_eq!(readings[0], readings[1], "{stem}: xlsx and ods differ");
    assert_eq!(readings[0], readings[2], "{stem}: xlsx and xls differ");
    readings.into_iter().next().expect("three readings")
}

fn totals(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect();
    v.sort();
    v
}

const CASCADE: [&str; 9] =
    ["area_code", "area_name", "sex", "age_group", "plhiv", "diagnosed", "on_art", "vl_tested", "vl_suppressed"];

#[test]
fn clean_cascade() {
    let u = same_in_every_format("clean_cascade");
    assert_eq!(u.header_rows, (1, 1));
    assert_eq!(u.fields, CASCADE);
    assert_eq!(u.rows_used, 5);
    // plhiv 120+80+45+9+210 = 464; diagnosed 104+70+40+8+190 = 412; on ART 101+69+40+8+186 = 404;
    // VL tested 90+60+35+7+170 = 362; suppressed 88+58+34+7+166 = 353.
    assert_eq!(
        u.totals,
        totals(&[("plhiv", 464), ("diagnosed", 412), ("on_art", 404), ("vl_tested", 362), ("vl_suppressed", 353)])
    );
    assert_eq!((u.errors, u.warnings), (0, 0));
}

#[test]
fn title_rows_and_merged_two_row_header() {
    let u = same_in_every_format("title_rows_merged_header");
    assert_eq!(u.header_rows, (4, 5));
    assert_eq!(u.fields, ["area_code", "area_name", "plhiv", "diagnosed", "on_art", "vl_tested", "vl_suppressed"]);
    assert_eq!(u.rows_used, 4);
    // The first four communes: plhiv 120+80+45+9 = 254, VL tested 90+60+35+7 = 192.
    assert_eq!(
        u.totals,
        totals(&[("plhiv", 254), ("diagnosed", 222), ("on_art", 218), ("vl_tested", 192), ("vl_suppressed", 187)])
    );
    assert_eq!(u.period_written.as_deref(), Some("2026-Q3"));
    assert_eq!((u.errors, u.warnings), (0, 0));
}

#[test]
fn numbers_stored_as_text() {
    let u = same_in_every_format("numbers_as_text");
    assert_eq!(u.rows_used, 3);
    // plhiv "1,234" + "១២៣" + "45" = 1402; diagnosed "1 100" + "១០០" + "40" = 1240;
    // on ART "1098.0" + "98" + "40" = 1236; VL tested is "-", "n/a" and blank: missing, no total.
    assert_eq!(u.totals, totals(&[("plhiv", 1402), ("diagnosed", 1240), ("on_art", 1236), ("vl_suppressed", 1124)]));
    assert_eq!((u.errors, u.warnings), (0, 0));
    let ds = check("numbers_as_text", "ods");
    assert!(ds.cascade.iter().all(|r| r.vl_tested.is_none()), "missing markers are not zero");
}

#[test]
fn khmer_headers_formula_totals_row_extra_column() {
    let u = same_in_every_format("totals_row_khmer");
    assert_eq!(u.fields, ["area_code", "area_name", "plhiv", "diagnosed", "on_art", "vl_tested", "vl_suppressed"]);
    assert_eq!((u.rows_used, u.totals_rows), (4, 1));
    assert_eq!((u.errors, u.warnings), (0, 0), "the SUM formulas' cached values equal the rows");
    let ds = check("totals_row_khmer", "xlsx");
    assert_eq!(ds.files[0].tables[0].ignored_columns[0].header, "Notes");
}

#[test]
fn codes_typed_as_numbers_and_a_hidden_row() {
    let u = same_in_every_format("code_as_number");
    assert_eq!(u.rows_used, 5, "the hidden row is read too");
    assert_eq!((u.errors, u.warnings), (0, 0));
    let ds = check("code_as_number", "xls");
    let codes: Vec<&str> = ds.cascade.iter().map(|r| r.area_code.as_str()).collect();
    assert_eq!(codes, ["020101", "020102", "020103", "020104", "020105"]);
    assert_eq!(ds.findings.iter().filter(|f| f.message_id == "note.code-padded").count(), 2);
}

#[test]
fn sex_and_age_rows() {
    let u = same_in_every_format("disaggregated");
    assert_eq!(u.rows_used, 8);
    // Each commune's four rows are 5 %, 45 %, 5 %, 45 % of (120, …) and (80, …), rounded:
    // plhiv 6+54+6+54 + 4+36+4+36 = 200.
    assert_eq!(u.totals.iter().find(|(k, _)| k == "plhiv").map(|(_, v)| *v), Some(200));
    assert_eq!((u.errors, u.warnings), (0, 0));
}

#[test]
fn budget_columns_in_another_order_with_currencies() {
    let u = same_in_every_format("budget_mixed_currency");
    assert_eq!(u.header_rows, (4, 4));
    assert_eq!(u.rows_used, 4);
    // approved 50,000 + 4,000,000 + 20,000 + 30,000 = 4,100,000 (mixed currencies, as written);
    // released 30,000 + 2,000,000 + 9,000 (one blank) = 2,039,000.
    assert_eq!(u.totals, totals(&[("approved", 4_100_000), ("released", 2_039_000), ("spent", 1_539_000)]));
    assert_eq!(u.submitted.as_deref(), Some("2026-10-12"));
    let ds = check("budget_mixed_currency", "ods");
    let currencies: Vec<&str> = ds.budget.iter().map(|b| b.currency.as_str()).collect();
    assert_eq!(currencies, ["USD", "KHR", "USD", "USD"], "a blank currency is the default (USD outside a project)");
    assert_eq!(ds.budget[3].released, None);
}

#[test]
fn formulas_across_sheets_and_a_text_date() {
    let u = same_in_every_format("dates_and_formulas");
    assert_eq!(u.header_rows, (3, 3));
    // on ART comes from formulas into sheet Calc: 101 + 69 + 40 = 210.
    assert!(u.totals.contains(&("on_art".to_string(), 210)));
    assert_eq!(u.submitted.as_deref(), Some("2026-10-12"));
    assert_eq!((u.errors, u.warnings), (0, 0));
}

#[test]
fn cli_check_on_a_lone_libreoffice_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/title_rows_merged_header.xlsx");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ftc")).arg("check").arg(&path).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("header on rows 4-5"), "{text}");
    assert!(text.contains("\"Viral load / Tested\" → vl_tested"), "{text}");
}

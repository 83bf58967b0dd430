//! Workbook quirks that the reader must handle, in files written here with rust_xlsxwriter so
//! each test controls the exact bytes: merged two-row headers, Khmer labels, formulas with and
//! without cached results, a value on the last row of the sheet, chart sheets, dates.

use ftc::check::check_paths;
use ftc::finding::{Rule, Severity};
use ftc::validate::Dataset;
use rust_xlsxwriter::{Chart, ChartType, ExcelDateTime, Format, Formula, Workbook};
use std::path::PathBuf;

fn save(dir: &tempfile::TempDir, name: &str, wb: &mut Workbook) -> PathBuf {
    let path = dir.path().join(name);
    wb.save(&path).expect("save xlsx");
    path
}

fn check(path: PathBuf) -> Dataset {
    check_paths(&[path]).expect("check runs")
}

#[test]
fn khmer_merged_two_row_header_title_rows_and_formula_totals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("សន្លឹក១").expect("name");
    let merge = Format::new();
    ws.merge_range(0, 0, 0, 6, "ការព្យាបាលមេរោគអេដស៍ — បាត់ដំបង", &merge).expect("merge");
    ws.write(1, 0, "រយៈពេលរបាយការណ៍").expect("w");
    ws.write(1, 1, "2026-Q3").expect("w");
    // Two-row header: labels merged down over rows 4-5, a group "Viral load" over two sub-labels.
    for (col, label) in ["លេខកូដតំបន់", "ឈ្មោះតំបន់", "ចំនួនអ្នកផ្ទុកមេរោគអេដស៍ប៉ាន់ស្មាន", "ដឹងពីស្ថានភាពផ្ទុកមេរោគអេដស៍", "កំពុងព្យាបាលដោយឱសថ ARV"]
        .iter()
        .enumerate()
    {
        ws.merge_range(3, col as u16, 4, col as u16, label, &merge).expect("merge");
    }
    ws.merge_range(3, 5, 3, 6, "Viral load", &merge).expect("merge");
    ws.write(4, 5, "Tested").expect("w");
    ws.write(4, 6, "Suppressed (<1000)").expect("w");
    let rows: [(&str, &str, [f64; 5]); 2] =
        [("020101", "កន្ទឺ ១", [120.0, 100.0, 98.0, 90.0, 88.0]), ("020102", "កន្ទឺ ២", [80.0, 70.0, 60.0, 50.0, 49.0])];
    for (i, (code, name, v)) in rows.iter().enumerate() {
        let r = 5 + i as u32;
        ws.write(r, 0, *code).expect("w");
        ws.write(r, 1, *name).expect("w");
        for (j, x) in v.iter().enumerate() {
            ws.write(r, 2 + j as u16, *x).expect("w");
        }
    }
    ws.write(7, 0, "សរុប").expect("w");
    for (j, (col, sum)) in [("C", 200), ("D", 170), ("E", 158), ("F", 140), ("G", 137)].iter().enumerate() {
        ws.write_formula(7, 2 + j as u16, Formula::new(format!("=SUM({col}6:{col}7)")).set_result(sum.to_string()))
            .expect("f");
    }
    let path = save(&dir, "khmer.xlsx", &mut wb);
    let ds = check(path);
    assert_eq!(ds.count(Severity::Error), 0, "{:?}", ds.findings);
    assert_eq!(ds.count(Severity::Warning), 0, "{:?}", ds.findings);
    let t = &ds.files[0].tables[0];
    assert_eq!(t.header_rows, (4, 5));
    assert_eq!(
        t.columns.iter().filter_map(|c| c.field).collect::<Vec<_>>(),
        ["area_code", "area_name", "plhiv", "diagnosed", "on_art", "vl_tested", "vl_suppressed"]
    );
    assert_eq!(t.columns[6].header, "Viral load / Suppressed (<1000)");
    assert_eq!((t.rows_read, t.rows_used, t.totals_rows), (2, 2, 1));
    assert_eq!(t.totals.get("plhiv"), Some(&200.0));
    assert_eq!(ds.files[0].period_written.as_deref(), Some("2026-Q3"));
}

#[test]
fn formula_without_cached_value_is_a_finding_not_a_blank() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Cascade").expect("name");
    ws.set_formula_result_default("");
    for (c, h) in ["area_code", "plhiv", "diagnosed", "on_art", "vl_suppressed"].iter().enumerate() {
        ws.write(0, c as u16, *h).expect("w");
    }
    ws.write(1, 0, "020101").expect("w");
    ws.write(1, 1, 120).expect("w");
    ws.write(1, 2, 100).expect("w");
    ws.write_formula(1, 3, "=C2-2").expect("f");
    ws.write(1, 4, 88).expect("w");
    let ds = check(save(&dir, "uncached.xlsx", &mut wb));
    let cell: Vec<String> = ds
        .findings
        .iter()
        .filter(|f| f.rule == Rule::FormulaNoValue && f.severity == Severity::Error)
        .map(|f| f.location.place().unwrap_or_default())
        .collect();
    assert_eq!(cell, vec!["D2"]);
    assert!(ds.findings.iter().any(|f| f.rule == Rule::FormulaNoValue
        && f.severity == Severity::Warning
        && f.message().contains("1 formula")));
    assert!(ds.cascade.is_empty(), "the row is dropped, not read as zero");
}

#[test]
fn a_value_on_the_last_row_is_cut_at_the_row_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["area_code", "plhiv", "diagnosed", "on_art", "vl_suppressed"].iter().enumerate() {
        ws.write(0, c as u16, *h).expect("w");
    }
    for (c, v) in ["020101", "120", "100", "98", "88"].iter().enumerate() {
        ws.write(1, c as u16, *v).expect("w");
    }
    ws.write(1_048_575, 0, "stray").expect("w");
    let ds = check(save(&dir, "last-row.xlsx", &mut wb));
    assert!(
        ds.findings.iter().any(|f| f.rule == Rule::UnreadableFile
            && f.severity == Severity::Warning
            && f.message().contains("1048576")),
        "{:?}",
        ds.findings
    );
    assert_eq!(ds.cascade.len(), 1, "the table above is still read");
}

#[test]
fn chart_sheets_are_skipped_and_dates_and_numeric_codes_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Budget").expect("name");
    ws.write(0, 0, "Submitted").expect("w");
    let date = ExcelDateTime::from_ymd(2026, 10, 12).expect("date");
    ws.write_datetime_with_format(0, 1, &date, &Format::new().set_num_format("dd/mm/yyyy")).expect("w");
    for (c, h) in ["Area code", "Activity", "Category", "Funding source", "Currency", "Approved", "Released", "Spent"]
        .iter()
        .enumerate()
    {
        ws.write(2, c as u16, *h).expect("w");
    }
    ws.write(3, 0, 20101).expect("code typed as a number");
    for (c, v) in ["Outreach by commune council", "testing", "CIP", "KHR"].iter().enumerate() {
        ws.write(3, 1 + c as u16, *v).expect("w");
    }
    for (c, v) in [4_000_000.0, 2_000_000.0, 1_500_000.0].iter().enumerate() {
        ws.write(3, 5 + c as u16, *v).expect("w");
    }
    let mut chart = Chart::new(ChartType::Column);
    chart.add_series().set_values("Budget!$F$4:$H$4");
    wb.add_chartsheet().insert_chart(0, 0, &chart).expect("chart");
    let ds = check(save(&dir, "budget.xlsx", &mut wb));
    assert_eq!(ds.count(Severity::Error), 0, "{:?}", ds.findings);
    assert_eq!(ds.budget.len(), 1);
    assert_eq!(ds.budget[0].area_code, "020101");
    assert_eq!(ds.files[0].submitted, chrono::NaiveDate::from_ymd_opt(2026, 10, 12));
    assert!(ds.findings.iter().any(|f| f.message_id == "file.macro-sheet-skipped"));
    assert!(ds.findings.iter().any(|f| f.message_id == "note.code-padded"));
}

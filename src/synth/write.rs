//! Synthetic data: plain sheet structs and their layout as xlsx files, the way a provincial
//! officer's workbook looks (title, province, period and submission date above the header).

use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Formula, Workbook, Worksheet};
use std::path::Path;

/// What a cell of a data row holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Blank,
}

/// One sheet of a submission.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub sheet_name: String,
    pub title: String,
    /// Labels for the province, period and submitted cells above the header.
    pub meta_labels: [String; 3],
    pub province: String,
    pub period: String,
    pub submitted: NaiveDate,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// A totals row: its label and, per column, `Some(stated)` to write a plain number (a
    /// planted defect) or `None` to write a SUM formula with its cached result.
    pub totals: Option<(String, Vec<Option<f64>>)>,
    /// Columns (0-based) that the totals row sums.
    pub numeric_cols: Vec<usize>,
}

/// The first data row (0-based): title, three metadata rows and a blank row come before the
/// header on row 6.
pub const HEADER_ROW: u32 = 5;

pub fn write_workbook(path: &Path, sheet: &Sheet) -> Result<()> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2026, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&sheet.title)
            .set_subject("SYNTHETIC DEMO DATA — not real figures")
            .set_author("ftc demo generator")
            .set_comment("Synthetic data made by `ftc synth` for the ftc demo project. Not real HIV programme figures.")
            .set_creation_datetime(&created),
    );
    let ws = wb.add_worksheet().set_name(&sheet.sheet_name)?;
    layout(ws, sheet)?;
    wb.save(path)?;
    Ok(())
}

fn layout(ws: &mut Worksheet, s: &Sheet) -> Result<()> {
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    ws.write_string_with_format(0, 0, &s.title, &bold)?;
    ws.write_string(1, 0, &s.meta_labels[0])?;
    ws.write_string(1, 1, &s.province)?;
    ws.write_string(2, 0, &s.meta_labels[1])?;
    ws.write_string(2, 1, &s.period)?;
    ws.write_string(3, 0, &s.meta_labels[2])?;
    let d = &s.submitted;
    ws.write_datetime_with_format(
        3,
        1,
        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?,
        &date,
    )?;
    for (c, h) in s.header.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, h, &bold)?;
        ws.set_column_width(c as u16, (h.chars().count() as f64 * 1.1).clamp(10.0, 34.0))?;
    }
    for (i, row) in s.rows.iter().enumerate() {
        let r = HEADER_ROW + 1 + i as u32;
        for (c, v) in row.iter().enumerate() {
            match v {
                Value::Text(t) => ws.write_string(r, c as u16, t)?,
                Value::Number(n) => ws.write_number(r, c as u16, *n)?,
                Value::Blank => ws,
            };
        }
    }
    if let Some((label, stated)) = &s.totals {
        write_totals(ws, s, label, stated, &bold)?;
    }
    Ok(())
}

fn write_totals(ws: &mut Worksheet, s: &Sheet, label: &str, stated: &[Option<f64>], bold: &Format) -> Result<()> {
    let r = HEADER_ROW + 1 + s.rows.len() as u32;
    ws.write_string_with_format(r, 0, label, bold)?;
    let (first, last) = (HEADER_ROW + 2, HEADER_ROW + 1 + s.rows.len() as u32);
    for &c in &s.numeric_cols {
        let sum: f64 =
            s.rows.iter().filter_map(|row| if let Some(Value::Number(n)) = row.get(c) { Some(*n) } else { None }).sum();
        match stated.get(c).copied().flatten() {
            Some(v) => ws.write_number(r, c as u16, v)?,
            None => {
                let col = crate::finding::column_letters(c as u32);
                let f = Formula::new(format!("=SUM({col}{first}:{col}{last})"))
                    .set_result(crate::ingest::grid::format_number(sum));
                ws.write_formula(r, c as u16, f)?
            }
        };
    }
    Ok(())
}

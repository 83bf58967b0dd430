//! Ingest: workbooks (xlsx, xlsm, xlsb, xls, ods) through calamine into [`Grid`]s.
//!
//! xlsx and xlsb are streamed cell by cell, so a sheet whose last cell sits at row 1,048,576
//! costs what its cells cost, not rows × columns; reading stops at the first value past the row
//! limit (formatted empty cells are passed over: they are not content). xlsx formulas
//! are read in the same pass, so a formula without a cached value becomes
//! [`Cell::FormulaNoValue`] instead of a silent blank.
//!
//! calamine can panic on damaged bytes (fuzzing found an index out of range in its compound-file
//! reader). Every call into it runs under [`guarded`], so a panic becomes the finding of the file
//! or sheet being read instead of ending the build.

use super::grid::{Cell, Grid};
use super::package;
use super::sniff::{self, Format};
use crate::finding::{Finding, Location, Rule};
use crate::period::{date_from_serial, parse_date_text};
use crate::project::Limits;
use calamine::{Data, DataRef, Dimensions, Ods, Range, Reader, SheetType, Xls, Xlsb, Xlsx};
use std::io::Cursor;

/// What a workbook gave: its sheets, and what was noticed on the way.
#[derive(Debug, Default)]
pub struct WorkbookRead {
    pub sheets: Vec<Grid>,
    pub findings: Vec<Finding>,
}

/// Read every worksheet of a workbook. `Err` is a finding that refuses the whole file.
pub fn read_workbook(bytes: Vec<u8>, format: Format, file: &str, limits: &Limits) -> Result<WorkbookRead, Finding> {
    let scanned = match format {
        Format::Xlsx | Format::Xlsb | Format::Ods => package::check_package(&bytes, format, file, limits)?,
        _ => package::Scanned { merges: true, unpacked: None },
    };
    // The package as scanned, its parts already inflated, when the scan could store them.
    let bytes = scanned.unpacked.unwrap_or(bytes);
    if format == Format::Xls && sniff::cfb_fat_has_cycle(&bytes) {
        let detail = "its sector table loops back on itself";
        return Err(Finding::error(Rule::UnreadableFile, "file.corrupt", Location::file(file))
            .arg("format", format.as_str())
            .arg("detail", detail)
            .value(detail));
    }
    let xor = format == Format::Xls && sniff::has_xor_filepass(&bytes);
    let cursor = Cursor::new(bytes);
    let result = guarded(|| match format {
        Format::Xlsx => {
            Xlsx::new(cursor).map_err(|e| e.to_string()).map(|mut wb| read_xlsx(&mut wb, file, limits, scanned.merges))
        }
        Format::Xlsb => Xlsb::new(cursor).map_err(|e| e.to_string()).map(|mut wb| read_xlsb(&mut wb, file, limits)),
        Format::Xls => Xls::new(cursor).map_err(|e| e.to_string()).map(|mut wb| {
            let is_1904 = wb.has_1904_epoch();
            let merges = |wb: &mut Xls<_>, name: &str| wb.merge_cells_by_sheet_name(name).unwrap_or_default();
            read_ranges(&mut wb, file, limits, is_1904, merges)
        }),
        Format::Ods => Ods::new(cursor)
            .map_err(|e| e.to_string())
            .map(|mut wb| read_ranges(&mut wb, file, limits, false, |_, _| Vec::new())),
        Format::Csv => Err("not a workbook".to_string()),
    })
    .and_then(|r| r);
    result.map_err(|detail| open_failure(&detail, format, xor, file))
}

fn open_failure(detail: &str, format: Format, xor: bool, file: &str) -> Finding {
    let loc = Location::file(file);
    let lower = detail.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("encrypt") || (xor && lower.contains("codepage")) {
        return Finding::error(Rule::UnreadableFile, "file.encrypted", loc).value(detail);
    }
    if lower.contains("unrecognized sheet") {
        return Finding::error(Rule::UnreadableFile, "file.unsupported-sheet-type", loc)
            .arg("detail", detail)
            .value(detail);
    }
    Finding::error(Rule::UnreadableFile, "file.corrupt", loc)
        .arg("format", format.as_str())
        .arg("detail", detail)
        .value(detail)
}

/// Sheets worth reading, and a note for each skipped chart, macro or dialog sheet.
fn worksheets<R: Reader<Cursor<Vec<u8>>>>(wb: &R, file: &str, out: &mut WorkbookRead) -> Vec<String> {
    let mut names = Vec::new();
    for s in wb.sheets_metadata() {
        if s.typ == SheetType::WorkSheet {
            names.push(s.name.clone());
        } else {
            out.findings
                .push(Finding::note("file.macro-sheet-skipped", Location::sheet(file, &s.name)).arg("sheet", &s.name));
        }
    }
    names
}

fn read_xlsx(wb: &mut Xlsx<Cursor<Vec<u8>>>, file: &str, limits: &Limits, merges_possible: bool) -> WorkbookRead {
    let mut out = WorkbookRead::default();
    let is_1904 = wb.has_1904_epoch();
    for name in worksheets(wb, file, &mut out) {
        let mut grid = Grid::new(&name);
        let streamed = guarded(|| {
            let mut reader = wb.worksheet_cells_reader(&name)?;
            while let Some(cell) = reader.next_cell_with_formula()? {
                let (row, col) = cell.pos;
                let value = match (convert_ref(&cell.value, is_1904), cell.formula) {
                    // An empty cached result (`<v></v>` or none) of a formula means it was never calculated.
                    (v, Some(f)) if v.is_empty() && !f.is_empty() => Cell::FormulaNoValue(f),
                    (v, _) => v,
                };
                if !put(&mut grid, row, col, value, limits) {
                    break;
                }
            }
            Ok::<_, calamine::XlsxError>(())
        })
        .and_then(|r| r.map_err(|e| e.to_string()));
        if let Err(e) = streamed {
            out.findings.push(sheet_unreadable(file, &name, &e));
            continue;
        }
        if merges_possible {
            grid.merges = guarded(|| wb.merge_cells_by_sheet_name(&name).map(|m| merges(&m)).unwrap_or_default())
                .unwrap_or_default();
        }
        finish(grid, file, limits, &mut out);
    }
    out
}

fn read_xlsb(wb: &mut Xlsb<Cursor<Vec<u8>>>, file: &str, limits: &Limits) -> WorkbookRead {
    let mut out = WorkbookRead::default();
    let is_1904 = wb.has_1904_epoch();
    for name in worksheets(wb, file, &mut out) {
        let mut grid = Grid::new(&name);
        let streamed = guarded(|| {
            let mut reader = wb.worksheet_cells_reader(&name)?;
            while let Some(cell) = reader.next_cell()? {
                let (row, col) = cell.get_position();
                if !put(&mut grid, row, col, convert_ref(cell.get_value(), is_1904), limits) {
                    break;
                }
            }
            Ok::<_, calamine::XlsbError>(())
        })
        .and_then(|r| r.map_err(|e| e.to_string()));
        match streamed {
            Ok(()) => finish(grid, file, limits, &mut out),
            Err(e) => out.findings.push(sheet_unreadable(file, &name, &e)),
        }
    }
    out
}

/// xls and ods: calamine gives whole ranges, allocated over the box around their cells. An ods
/// file with a sheet too large for that was refused by the package scan; an xls sheet is
/// bounded by the format (65,536 × 256 cells). Rows beyond our limit are dropped here.
fn read_ranges<R, M>(wb: &mut R, file: &str, limits: &Limits, is_1904: bool, merges_of: M) -> WorkbookRead
where
    R: Reader<Cursor<Vec<u8>>>,
    R::Error: std::fmt::Display,
    M: Fn(&mut R, &str) -> Vec<Dimensions>,
{
    let mut out = WorkbookRead::default();
    for name in worksheets(wb, file, &mut out) {
        match guarded(|| wb.worksheet_range(&name)).and_then(|r| r.map_err(|e| e.to_string())) {
            Ok(range) => {
                let mut grid = grid_from_range(&name, &range, limits, is_1904);
                grid.merges = merges(&guarded(|| merges_of(wb, &name)).unwrap_or_default());
                finish(grid, file, limits, &mut out);
            }
            Err(e) => out.findings.push(sheet_unreadable(file, &name, &e)),
        }
    }
    out
}

fn grid_from_range(name: &str, range: &Range<Data>, limits: &Limits, is_1904: bool) -> Grid {
    let mut grid = Grid::new(name);
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (r, c, v) in range.used_cells() {
        let (row, col) = (r0 + r as u32, c0 + c as u32);
        if !put(&mut grid, row, col, convert(v, is_1904), limits) {
            break;
        }
    }
    grid
}

/// Put one cell read from a sheet into the grid, within the limits: `false` once a row is beyond
/// the last one read (cells come row by row, so reading stops). An empty cell (a formatted one)
/// is not content: it neither extends nor truncates the sheet. A cell beyond the last column is
/// skipped, and the first such cell is remembered for the finding.
fn put(grid: &mut Grid, row: u32, col: u32, cell: Cell, limits: &Limits) -> bool {
    if cell.is_empty() {
        return true;
    }
    if row >= limits.max_rows {
        grid.truncated_at = Some(row);
        return false;
    }
    if col >= limits.max_columns {
        grid.beyond_columns.get_or_insert((row, col));
        return true;
    }
    grid.set(row, col, cell);
    true
}

fn finish(mut grid: Grid, file: &str, limits: &Limits, out: &mut WorkbookRead) {
    if let Some(row) = grid.truncated_at {
        out.findings.push(
            Finding::warning(Rule::UnreadableFile, "file.too-many-cells", Location::sheet(file, &grid.name))
                .arg("sheet", &grid.name)
                .arg("rows", u64::from(row) + 1)
                .arg("limit", limits.max_rows),
        );
    }
    if let Some((row, col)) = grid.beyond_columns {
        out.findings.push(
            Finding::warning(
                Rule::UnreadableFile,
                "file.too-many-columns",
                Location::sheet(file, &grid.name).with_cell(row, col),
            )
            .arg("sheet", &grid.name)
            .arg("cell", crate::finding::a1(row, col))
            .arg("limit", limits.max_columns),
        );
    }
    let uncached: Vec<(u32, u32)> = grid
        .rows
        .iter()
        .enumerate()
        .flat_map(|(r, line)| {
            line.iter()
                .enumerate()
                .filter(|(_, c)| matches!(c, Cell::FormulaNoValue(_)))
                .map(move |(c, _)| (r as u32, c as u32))
        })
        .collect();
    if let Some(&(row, col)) = uncached.first() {
        out.findings.push(
            Finding::warning(
                Rule::FormulaNoValue,
                "file.formulas-no-value",
                Location::sheet(file, &grid.name).with_cell(row, col),
            )
            .arg("sheet", &grid.name)
            .arg("count", uncached.len()),
        );
    }
    grid.trim();
    out.sheets.push(grid);
}

thread_local! {
    /// Set while a [`guarded`] call runs on this thread: its panics are expected and reported.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run a call into calamine, turning a panic into an error message. The panic hook is wrapped
/// once so a caught panic prints nothing (the finding says it); any other panic, on any thread,
/// still reaches the hook that was there before.
fn guarded<T>(call: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let outer = GUARDED.with(|g| g.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(call));
    GUARDED.with(|g| g.set(outer));
    result.map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        format!("the reader stopped on damaged data: {what}")
    })
}

fn sheet_unreadable(file: &str, sheet: &str, detail: &str) -> Finding {
    Finding::error(Rule::UnreadableFile, "file.sheet-unreadable", Location::sheet(file, sheet))
        .arg("sheet", sheet)
        .arg("detail", detail)
        .value(detail)
}

fn merges(dims: &[Dimensions]) -> Vec<(u32, u32, u32, u32)> {
    dims.iter().map(|d| (d.start.0, d.start.1, d.end.0, d.end.1)).collect()
}

fn convert(v: &Data, is_1904: bool) -> Cell {
    match v {
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) if d.is_datetime() => date_serial(d.as_f64(), is_1904),
        Data::DateTime(d) => Cell::Number(d.as_f64()),
        Data::DateTimeIso(s) => parse_date_text(s).map_or_else(|| Cell::Text(s.clone()), Cell::Date),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
        Data::Empty => Cell::Empty,
    }
}

fn convert_ref(v: &DataRef<'_>, is_1904: bool) -> Cell {
    match v {
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_string()),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) if d.is_datetime() => date_serial(d.as_f64(), is_1904),
        DataRef::DateTime(d) => Cell::Number(d.as_f64()),
        DataRef::DateTimeIso(s) => parse_date_text(s).map_or_else(|| Cell::Text(s.clone()), Cell::Date),
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(e.to_string()),
        DataRef::Empty => Cell::Empty,
    }
}

/// A date-formatted number. A whole serial is a date; anything else keeps its number, because
/// a count column formatted as a date by accident must still read as the count.
fn date_serial(serial: f64, is_1904: bool) -> Cell {
    match date_from_serial(serial, is_1904) {
        Some(d) => Cell::Date(d),
        None => Cell::Number(serial),
    }
}

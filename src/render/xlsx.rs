//! Render: the downloads workbook (`downloads/ftc-data.xlsx`), written by hand. A sheet per
//! [`Table`], header row frozen, text as inline strings and numbers as numbers, and nothing else:
//! no styles beyond the one Excel requires, no shared strings, no theme. Each sheet's XML is
//! built and deflated on its own rayon task, straight into a compressed zip entry, so the
//! uncompressed XML (68 MB for a national build) never sits in memory and the sheets compress in
//! parallel; the entries are then appended in a fixed order with a fixed timestamp, so the same
//! tables make the same bytes.
//!
//! Excel's limits are kept without a panic: a text over 32,767 characters (counted as Excel
//! counts them, in UTF-16 units) is cut and ends with [`TRUNCATED`] (the CSV download keeps the
//! whole text); a table with more rows or columns than a sheet holds is an [`XlsxError`] naming
//! it.

use super::downloads::{Cell, Table};
use std::io::{Cursor, Write};
use zip::write::{SimpleFileOptions, ZipFileBuilder};
use zip::{CompressionMethod, DateTime, System, ZipWriter};

/// Rows in a sheet, the header row included.
pub const MAX_ROWS: usize = 1_048_576;
/// Columns in a sheet (A to XFD).
pub const MAX_COLUMNS: usize = 16_384;
/// Characters (UTF-16 units) in a cell.
pub const MAX_CHARS: usize = 32_767;
/// The end of a text cut to fit a cell.
pub const TRUNCATED: &str = " […cut: the CSV download has the full text]";
/// Deflate level of every entry. On the national tables (68 MB of XML) zlib-rs gives, in CPU
/// time and file size: level 3 210 ms, 7.34 MB; 4 290 ms, 6.99 MB; 5 350 ms, 6.58 MB; 6 460 ms,
/// 6.57 MB; 9 1,040 ms, 6.35 MB. Level 5 costs three quarters of 6 for the same size: the file
/// goes to people on slow lines, so size is not traded below it.
const LEVEL: i64 = 5;
/// XML bytes gathered before they are handed to the compressor.
const CHUNK: usize = 1 << 16;

#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    #[error(
        "table {table} has {rows} rows, more than the {} an XLSX sheet holds below its header; use the CSV download",
        MAX_ROWS - 1
    )]
    TooManyRows { table: &'static str, rows: usize },
    #[error("table {table} has {columns} columns, more than the {MAX_COLUMNS} an XLSX sheet holds")]
    TooManyColumns { table: &'static str, columns: usize },
    #[error("table name {0:?} cannot name a sheet (1 to 31 characters, none of : \\ / ? * [ ], each name once)")]
    SheetName(&'static str),
    #[error("writing the workbook: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the workbook: {0}")]
    Io(#[from] std::io::Error),
}

/// Sheets compressed by an earlier build, kept by the caller (the project's build cache), so a
/// sheet whose table has not changed is copied instead of compressed again: on a national
/// rebuild after one province's cascade changed, the budget sheet (46 MB of XML, two thirds of
/// the workbook's compression) is the same.
///
/// A stored sheet is a zip holding that one entry. The key ([`sheet_key`]) is the SHA-256 of
/// everything the entry's bytes depend on but the writer's code: a store must keep the sheets
/// of one executable apart from another's (the build cache's keys name the executable).
pub trait SheetStore: Sync {
    /// The bytes stored under `key` by [`SheetStore::put`], whole, or `None`.
    fn get(&self, key: &[u8; 32]) -> Option<Vec<u8>>;
    /// Keep `zip` under `key`. Failing to is no error: the sheet is compressed again next time.
    fn put(&self, key: &[u8; 32], zip: &[u8]);
}

/// One workbook with a sheet per table, in order; `title` is the document title. With a
/// `store`, a sheet found there is copied from it and the others are stored. The bytes are the
/// same with a store or without, empty or full: every sheet is added to the workbook the same
/// way, copied from its own one-entry zip.
pub fn write_workbook(tables: &[&Table], title: &str, store: Option<&dyn SheetStore>) -> Result<Vec<u8>, XlsxError> {
    check(tables)?;
    use rayon::prelude::*;
    // The largest sheet first: it is the longest single task of a build (a national budget
    // sheet, 46 MB of XML, deflates for a third of a second), and started last it ran on one
    // core after everything else was done. Put back in order below.
    let mut order: Vec<(usize, &&Table)> = tables.iter().enumerate().collect();
    order.sort_by_key(|(i, t)| (std::cmp::Reverse(t.rows.len().saturating_mul(t.header.len())), *i));
    let mut sheets = order
        .into_par_iter()
        .map(|(i, t)| {
            let key = store.map(|_| sheet_key(t, i, i == 0));
            let stored = store.zip(key.as_ref()).and_then(|(s, k)| s.get(k)).filter(|z| one_sheet(z, i).is_some());
            if let Some(zip) = stored {
                return Ok((i, zip));
            }
            let mut one = ZipWriter::new(Cursor::new(Vec::new()));
            one.add_prepared_file(sheet_entry(t, i, i == 0)?)?;
            let zip = one.finish()?.into_inner();
            if let (Some(s), Some(k)) = (store, &key) {
                s.put(k, &zip);
            }
            Ok((i, zip))
        })
        .collect::<Result<Vec<_>, XlsxError>>()?;
    sheets.sort_by_key(|(i, _)| *i);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body) in package_parts(tables, title) {
        zip.start_file(name, options())?;
        zip.write_all(body.as_bytes())?;
    }
    for (i, sheet) in &sheets {
        let mut one = one_sheet(sheet, *i).ok_or(zip::result::ZipError::InvalidArchive("a sheet's own zip".into()))?;
        zip.raw_copy_file(one.by_index_raw(0)?)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// The zip of sheet `index` alone, when `bytes` is one: a single entry, of that sheet's name.
fn one_sheet(bytes: &[u8], index: usize) -> Option<zip::ZipArchive<Cursor<&[u8]>>> {
    let mut one = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let name = format!("xl/worksheets/sheet{}.xml", index + 1);
    (one.len() == 1 && one.by_index_raw(0).ok()?.name_raw() == name.as_bytes()).then_some(one)
}

/// What a sheet's compressed entry depends on, hashed: how it is written (the format's
/// version, the compression level), where it sits (its index, whether it is the selected
/// sheet) and its table, cell by cell, a text apart from a number that reads the same.
pub fn sheet_key(t: &Table, index: usize, selected: bool) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    // Bump when anything sheet_entry writes changes (the executable is in the store's key too).
    const FORMAT: &[u8] = b"ftc-xlsx-sheet/1";
    let mut h = Sha256::new();
    h.update(FORMAT);
    h.update(LEVEL.to_le_bytes());
    h.update((index as u64).to_le_bytes());
    h.update([u8::from(selected)]);
    // Each text with its length before it, so no two tables hash alike by shifting a boundary;
    // gathered into a buffer first: a million small updates cost more than the hashing.
    let mut buf = Vec::with_capacity(CHUNK + 1024);
    let text = |buf: &mut Vec<u8>, tag: u8, s: &[u8]| {
        buf.push(tag);
        buf.extend_from_slice(&(s.len() as u64).to_le_bytes());
        buf.extend_from_slice(s);
    };
    text(&mut buf, b'N', t.name.as_bytes());
    for c in &t.header {
        text(&mut buf, b'H', c.as_bytes());
    }
    for row in &t.rows {
        buf.push(b'R');
        for c in row {
            match c {
                Cell::Text(s) => text(&mut buf, b'T', s.as_bytes()),
                Cell::Number(n) => {
                    buf.push(b'#');
                    buf.extend_from_slice(&n.to_bits().to_le_bytes());
                }
                Cell::Empty => buf.push(b'E'),
            }
        }
        if buf.len() >= CHUNK {
            h.update(&buf);
            buf.clear();
        }
    }
    h.update(&buf);
    h.finalize().into()
}

fn options() -> SimpleFileOptions {
    // A fixed time, system and mode: nothing about the machine or the hour reaches the bytes.
    let when = DateTime::from_date_and_time(2026, 1, 1, 0, 0, 0).unwrap_or_default();
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(LEVEL))
        .last_modified_time(when)
        .system(System::Unix)
        .unix_permissions(0o644)
}

fn check(tables: &[&Table]) -> Result<(), XlsxError> {
    for (i, t) in tables.iter().enumerate() {
        let bad = |c: char| matches!(c, ':' | '\\' | '/' | '?' | '*' | '[' | ']');
        let n = t.name.encode_utf16().count();
        let taken = tables[..i].iter().any(|u| u.name.to_lowercase() == t.name.to_lowercase());
        if n == 0 || n > 31 || t.name.contains(bad) || t.name.starts_with('\'') || t.name.ends_with('\'') || taken {
            return Err(XlsxError::SheetName(t.name));
        }
        if t.rows.len() >= MAX_ROWS {
            return Err(XlsxError::TooManyRows { table: t.name, rows: t.rows.len() });
        }
        let columns = t.rows.iter().map(Vec::len).max().unwrap_or(0).max(t.header.len());
        if columns > MAX_COLUMNS {
            return Err(XlsxError::TooManyColumns { table: t.name, columns });
        }
    }
    Ok(())
}

/// Everything but the sheets, in the order they are stored.
fn package_parts(tables: &[&Table], title: &str) -> Vec<(String, String)> {
    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PKG: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    let n = tables.len();
    let sheet_types: String = (1..=n)
        .map(|i| {
            format!(
                r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
            )
        })
        .collect();
    let content_types = format!(
        r#"{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{sheet_types}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#
    );
    let root_rels = format!(
        r#"{HEAD}<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/></Relationships>"#
    );
    let app = format!(
        r#"{HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>ftc</Application></Properties>"#
    );
    let core = format!(
        r#"{HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>ftc</dc:creator><cp:lastModifiedBy>ftc</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>"#,
        plain_xml(title)
    );
    let sheets: String = tables
        .iter()
        .enumerate()
        .map(|(i, t)| format!(r#"<sheet name="{}" sheetId="{}" r:id="rId{}"/>"#, plain_xml(t.name), i + 1, i + 1))
        .collect();
    let workbook = format!(
        r#"{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><bookViews><workbookView/></bookViews><sheets>{sheets}</sheets></workbook>"#
    );
    let sheet_rels: String = (1..=n)
        .map(|i| format!(r#"<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
        .collect();
    let workbook_rels = format!(
        r#"{HEAD}<Relationships xmlns="{PKG}">{sheet_rels}<Relationship Id="rId{}" Type="{REL}/styles" Target="styles.xml"/></Relationships>"#,
        n + 1
    );
    // The least Excel accepts: one font, the two fills it reserves, one border, one format.
    let styles = format!(
        r#"{HEAD}<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#
    );
    vec![
        ("[Content_Types].xml".into(), content_types),
        ("_rels/.rels".into(), root_rels),
        ("docProps/app.xml".into(), app),
        ("docProps/core.xml".into(), core),
        ("xl/workbook.xml".into(), workbook),
        ("xl/_rels/workbook.xml.rels".into(), workbook_rels),
        ("xl/styles.xml".into(), styles),
    ]
}

/// Text for XML outside a cell (document title, sheet name), where `_xHHHH_` means nothing: the
/// five entities, a carriage return as a reference (a parser would turn a raw one into a line
/// feed), and a character XML 1.0 forbids as U+FFFD.
fn plain_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if c < ' ' || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A cell with nothing to write: empty, or empty text (rust_xlsxwriter wrote no cell for it
/// either, and the CSV cannot tell them apart).
fn blank(c: &Cell) -> bool {
    match c {
        Cell::Empty => true,
        Cell::Text(s) => s.is_empty(),
        Cell::Number(_) => false,
    }
}

/// The used range: `A1` for an empty table or a lone cell, else from `A1` to the last column and
/// row with a cell.
fn dimension(t: &Table) -> String {
    let last_row = t.rows.iter().rposition(|r| r.iter().any(|c| !blank(c)));
    let last_col = t
        .rows
        .iter()
        .filter_map(|r| r.iter().rposition(|c| !blank(c)))
        .map(|c| c + 1)
        .chain([t.header.len()])
        .max()
        .unwrap_or(0);
    let rows = last_row.map_or(usize::from(!t.header.is_empty()), |r| r + 2);
    if rows <= 1 && last_col <= 1 {
        return "A1".into();
    }
    format!("A1:{}{}", String::from_utf8_lossy(&column_name(last_col.saturating_sub(1))), rows.max(1))
}

/// `A`, …, `Z`, `AA`, … for a 0-based column.
fn column_name(mut c: usize) -> Vec<u8> {
    let mut name = Vec::with_capacity(3);
    loop {
        name.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    name.reverse();
    name
}

/// One sheet's part, built and compressed as it goes.
fn sheet_entry(t: &Table, index: usize, selected: bool) -> Result<zip::write::PreparedZipFile, XlsxError> {
    let mut z = ZipFileBuilder::new(format!("xl/worksheets/sheet{}.xml", index + 1), options())?;
    let mut out = Vec::with_capacity(CHUNK + (CHUNK >> 2));
    out.extend_from_slice(
        br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><dimension ref=""#,
    );
    out.extend_from_slice(dimension(t).as_bytes());
    out.extend_from_slice(br#""/><sheetViews><sheetView"#);
    if selected {
        out.extend_from_slice(br#" tabSelected="1""#);
    }
    out.extend_from_slice(br#" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData>"#);
    let width = t.rows.iter().map(Vec::len).max().unwrap_or(0).max(t.header.len());
    let columns: Vec<Vec<u8>> = (0..width).map(column_name).collect();
    let mut cells = CellWriter { columns: &columns, row: Vec::with_capacity(8) };
    if !t.header.is_empty() {
        cells.start_row(&mut out, 1);
        for (c, h) in t.header.iter().enumerate() {
            cells.text(&mut out, c, h);
        }
        out.extend_from_slice(b"</row>");
    }
    for (r, row) in t.rows.iter().enumerate() {
        if row.iter().all(blank) {
            continue;
        }
        cells.start_row(&mut out, r + 2);
        for (c, cell) in row.iter().enumerate() {
            match cell {
                _ if blank(cell) => {}
                Cell::Text(s) => cells.text(&mut out, c, s),
                Cell::Number(n) => cells.number(&mut out, c, *n),
                Cell::Empty => {}
            }
        }
        out.extend_from_slice(b"</row>");
        if out.len() >= CHUNK {
            z.write_all(&out)?;
            out.clear();
        }
    }
    out.extend_from_slice(br#"</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>"#);
    z.write_all(&out)?;
    Ok(z.finish()?)
}

/// Writes the cells of one row at a time; `row` holds the row number's digits.
struct CellWriter<'a> {
    columns: &'a [Vec<u8>],
    row: Vec<u8>,
}

impl CellWriter<'_> {
    fn start_row(&mut self, out: &mut Vec<u8>, r: usize) {
        self.row.clear();
        push_digits(&mut self.row, r as u64);
        out.extend_from_slice(b"<row r=\"");
        out.extend_from_slice(&self.row);
        out.extend_from_slice(b"\">");
    }

    /// Every cell carries its reference (`r="D13"`), as Excel writes them. The schema makes it
    /// optional, and leaving it out where a cell follows its neighbour halved the national
    /// workbook (6.6 → 2.9 MB) and its deflate time; Excel, LibreOffice, openpyxl and calamine
    /// read such a file right. But readxl puts values in the wrong columns when only some cells
    /// carry one (tidyverse/readxl#648), R's openxlsx finds no data without them
    /// (ycphs/openxlsx#227), and EPPlus and ClosedXML require them: the people who analyse this
    /// workbook in R would get wrong figures without an error. Not traded.
    fn open(&self, out: &mut Vec<u8>, c: usize) {
        out.extend_from_slice(b"<c r=\"");
        out.extend_from_slice(&self.columns[c]);
        out.extend_from_slice(&self.row);
        out.push(b'"');
    }

    fn text(&self, out: &mut Vec<u8>, c: usize, s: &str) {
        let s = fit(s);
        self.open(out, c);
        // A parser drops leading and trailing white space unless told to keep it.
        let keep = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t' | b'\n' | b'\r'));
        if keep(s.as_bytes().first()) || keep(s.as_bytes().last()) {
            out.extend_from_slice(br#" t="inlineStr"><is><t xml:space="preserve">"#);
        } else {
            out.extend_from_slice(br#" t="inlineStr"><is><t>"#);
        }
        escape_cell_text(out, &s);
        out.extend_from_slice(b"</t></is></c>");
    }

    fn number(&self, out: &mut Vec<u8>, c: usize, n: f64) {
        if !n.is_finite() {
            // Excel has no NaN or infinity; write what rust_xlsxwriter wrote for them.
            let word = if n.is_nan() {
                "NAN"
            } else if n > 0.0 {
                "INF"
            } else {
                "-INF"
            };
            return self.text(out, c, word);
        }
        self.open(out, c);
        out.extend_from_slice(b"><v>");
        if n.fract() == 0.0 && n.abs() < 1e15 {
            // Whole numbers (most of them: counts and money) without the float formatter.
            if n < 0.0 {
                out.push(b'-');
            }
            push_digits(out, n.abs() as u64);
        } else if n.abs() >= 1e21 || n.abs() < 1e-9 {
            let _ = write!(out, "{n:e}");
        } else {
            let _ = write!(out, "{n}");
        }
        out.extend_from_slice(b"</v></c>");
    }
}

/// The decimal digits of `n`, without the formatter's machinery (a national workbook has 2.5
/// million cells).
fn push_digits(out: &mut Vec<u8>, n: u64) {
    let mut buf = [0u8; 20];
    let i = super::format::digits_before(&mut buf, 20, n);
    out.extend_from_slice(&buf[i..]);
}

/// The text as Excel can hold it: cut to [`MAX_CHARS`] UTF-16 units with [`TRUNCATED`] at the end.
fn fit(s: &str) -> std::borrow::Cow<'_, str> {
    // UTF-16 never takes more units than UTF-8 takes bytes.
    if s.len() <= MAX_CHARS || s.encode_utf16().count() <= MAX_CHARS {
        return s.into();
    }
    let room = MAX_CHARS - TRUNCATED.encode_utf16().count();
    let mut units = 0;
    let end = s
        .char_indices()
        .find(|(_, c)| {
            units += c.len_utf16();
            units > room
        })
        .map_or(s.len(), |(i, _)| i);
    format!("{}{TRUNCATED}", &s[..end]).into()
}

/// Bytes of cell text that need more than a copy.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != b'\t' as usize && b != b'\n' as usize;
        b += 1;
    }
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[b'_' as usize] = true;
    t[0xEF] = true; // the first byte of U+FFFE and U+FFFF
    t
};

/// Cell text as SpreadsheetML stores it: the XML entities, and Excel's `_xHHHH_` for a character
/// XML 1.0 cannot hold (control characters, U+FFFE, U+FFFF) and for a carriage return (a parser
/// would turn a raw one into a line feed); a literal `_xHHHH_` gets its `_` escaped as `_x005F_`
/// so a reader does not decode it.
fn escape_cell_text(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let mut copied = 0;
    for (i, &c) in b.iter().enumerate() {
        if !SPECIAL[c as usize] {
            continue;
        }
        let escape: &[u8] = match c {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'_' if is_escape_like(&b[i..]) => b"_x005F_",
            0xEF if b[i..].starts_with(b"\xEF\xBF\xBE") => b"_xFFFE_",
            0xEF if b[i..].starts_with(b"\xEF\xBF\xBF") => b"_xFFFF_",
            c if c < 0x20 => {
                out.extend_from_slice(&b[copied..i]);
                let _ = write!(out, "_x{c:04X}_");
                copied = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&b[copied..i]);
        out.extend_from_slice(escape);
        // U+FFFE and U+FFFF are three bytes; everything else here is one.
        copied = i + if c == 0xEF { 3 } else { 1 };
    }
    out.extend_from_slice(&b[copied..]);
}

/// Whether `b` starts with `_x` four hex digits `_`, which a reader would decode.
fn is_escape_like(b: &[u8]) -> bool {
    b.len() >= 7 && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    fn read(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens the workbook")
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).expect(name), &mut s).expect("utf-8");
        s
    }

    fn t(s: &str) -> Cell<'_> {
        Cell::Text(s.into())
    }

    /// Texts that need each kind of care, written and read back exactly.
    const TEXTS: &[&str] = &[
        "ស្វាយរៀង",
        "A & B <c> \"d\" 'e'",
        "bell\u{7}here",
        "_x0041_",
        "a_x005F_b _X0041_ _x41_ _xZZZZ_",
        "  two leading spaces",
        "trailing space ",
        "\nnewline first",
        "cr\rlf\r\nand\ttab",
        "\u{fffe}\u{ffff}\u{fffd}",
        "emoji 🇰🇭 end",
    ];

    fn sample() -> Table<'static> {
        let mut rows: Vec<Vec<Cell>> = TEXTS.iter().map(|s| vec![t(s), Cell::Number(1.0)]).collect();
        rows.push(vec![Cell::Empty, Cell::Number(0.25), t(""), t("d")]);
        rows.push(vec![Cell::Number(-3.0), Cell::Number(1e300), Cell::Number(1.5e-12), Cell::Number(0.212584)]);
        rows.push(vec![Cell::Number(f64::NAN), Cell::Number(f64::NEG_INFINITY), Cell::Number(-0.0)]);
        Table { name: "cascade", header: vec!["name", "n"], rows }
    }

    #[test]
    fn cells_read_back_exactly() {
        let a = sample();
        let b = Table { name: "budget", header: vec!["x"], rows: vec![] };
        let bytes = write_workbook(&[&a, &b], "Title & <more>", None).expect("writes");
        let mut wb = read(&bytes);
        assert_eq!(wb.sheet_names(), ["cascade", "budget"]);
        let r = wb.worksheet_range("cascade").expect("sheet");
        assert_eq!(r.get((0, 0)), Some(&Data::String("name".into())));
        for (i, s) in TEXTS.iter().enumerate() {
            assert_eq!(r.get((i + 1, 0)), Some(&Data::String(s.to_string())), "row {i}: {s:?}");
            assert_eq!(r.get((i + 1, 1)), Some(&Data::Float(1.0)));
        }
        let n = TEXTS.len() + 1;
        assert_eq!(r.get((n, 0)), Some(&Data::Empty), "an empty cell stays empty");
        assert_eq!(r.get((n, 2)), Some(&Data::Empty), "so does empty text");
        assert_eq!(r.get((n, 1)), Some(&Data::Float(0.25)));
        assert_eq!(r.get((n, 3)), Some(&Data::String("d".into())));
        let nums: Vec<_> = (0..4).map(|c| r.get((n + 1, c)).cloned()).collect();
        let f = |x: f64| Some(Data::Float(x));
        assert_eq!(nums, [f(-3.0), f(1e300), f(1.5e-12), f(0.212584)]);
        assert_eq!(r.get((n + 2, 0)), Some(&Data::String("NAN".into())));
        assert_eq!(r.get((n + 2, 1)), Some(&Data::String("-INF".into())));
        assert_eq!(r.get((n + 2, 2)), Some(&Data::Float(0.0)));
        let b = wb.worksheet_range("budget").expect("sheet");
        assert_eq!((b.height(), b.get((0, 0))), (1, Some(&Data::String("x".into()))));
        // The package around the cells.
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains(r#"<dimension ref="A1:D15"/>"#), "{sheet}");
        assert!(sheet.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#));
        assert!(sheet.contains(r#"<c r="D13" t="inlineStr"><is><t>d</t></is></c>"#), "refs skip empty cells");
        // Every cell names its place (see `CellWriter::open`).
        assert_eq!(sheet.matches("<c ").count(), sheet.matches("<c r=\"").count(), "{sheet}");
        assert!(!sheet.contains("<c>"), "{sheet}");
        assert!(part(&bytes, "xl/worksheets/sheet2.xml").contains(r#"<dimension ref="A1"/>"#));
        let core = part(&bytes, "docProps/core.xml");
        assert!(core.contains("<dc:title>Title &amp; &lt;more&gt;</dc:title><dc:creator>ftc</dc:creator>"), "{core}");
        assert!(core.contains(">2026-01-01T00:00:00Z</dcterms:created>"), "{core}");
    }

    #[test]
    fn text_is_escaped_as_excel_does() {
        let esc = |s: &str| {
            let mut out = Vec::new();
            escape_cell_text(&mut out, s);
            String::from_utf8(out).expect("utf-8")
        };
        assert_eq!(esc("a&b<c>\"d\""), "a&amp;b&lt;c&gt;&quot;d&quot;");
        assert_eq!(esc("x\u{1}y\u{1f}"), "x_x0001_y_x001F_");
        assert_eq!(esc("a\r\nb\tc"), "a_x000D_\nb\tc");
        assert_eq!(esc("_x0041_ and _xbeef_"), "_x005F_x0041_ and _x005F_xbeef_");
        assert_eq!(esc("_x41_ _X0041_ _x004G_ __x0041"), "_x41_ _X0041_ _x004G_ __x0041");
        assert_eq!(esc("\u{fffe}-\u{ffff}-\u{fffd}-ក"), "_xFFFE_-_xFFFF_-\u{fffd}-ក");
        assert_eq!(plain_xml("a\u{1}\r&"), "a\u{fffd}&#13;&amp;");
    }

    #[test]
    fn long_text_is_cut_with_a_marker_and_fits_a_cell() {
        let exact = "ក".repeat(MAX_CHARS);
        assert_eq!(fit(&exact), exact, "32,767 characters fit, though they take 98,301 bytes");
        // The cut falls where a character of two UTF-16 units would cross the limit.
        let room = MAX_CHARS - TRUNCATED.encode_utf16().count();
        let long = format!("{}🇰🇭{}", "a".repeat(room - 1), "b".repeat(100));
        let cut = fit(&long).into_owned();
        assert_eq!(cut, format!("{}{TRUNCATED}", "a".repeat(room - 1)));
        assert_eq!(cut.encode_utf16().count(), MAX_CHARS - 1);
        let t = Table { name: "findings", header: vec!["value"], rows: vec![vec![Cell::Text(long.into())]] };
        let bytes = write_workbook(&[&t], "x", None).expect("writes");
        let r = read(&bytes).worksheet_range("findings").expect("sheet");
        assert_eq!(r.get((1, 0)), Some(&Data::String(cut)));
    }

    #[test]
    fn limits_are_errors_not_panics() {
        let rows = vec![Vec::new(); MAX_ROWS];
        let big = Table { name: "budget", header: vec!["a"], rows };
        let e = write_workbook(&[&big], "x", None).expect_err("too many rows").to_string();
        assert!(e.contains("budget") && e.contains("1048576 rows"), "{e}");
        let wide = Table { name: "wide", header: vec!["a"; MAX_COLUMNS + 1], rows: vec![] };
        assert!(matches!(write_workbook(&[&wide], "x", None), Err(XlsxError::TooManyColumns { .. })));
        for name in ["", "a/b", "[x]", "a name longer than thirty-one chars"] {
            let t = Table { name, header: vec![], rows: vec![] };
            assert!(matches!(write_workbook(&[&t], "x", None), Err(XlsxError::SheetName(_))), "{name:?}");
        }
        let (a, b) = (Table { name: "Cascade", header: vec![], rows: vec![] }, sample());
        assert!(matches!(write_workbook(&[&a, &b], "x", None), Err(XlsxError::SheetName("cascade"))));
    }

    #[test]
    fn same_tables_same_bytes_whatever_the_threads() {
        let (a, b) = (sample(), Table { name: "findings", header: vec!["a", "b"], rows: vec![vec![t("x")]] });
        let once = write_workbook(&[&a, &b], "T", None).expect("writes");
        let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("pool");
        for n in [1, 3] {
            assert!(pool(n).install(|| write_workbook(&[&a, &b], "T", None)).expect("writes") == once, "{n} threads");
        }
    }

    /// A store in memory that counts what it was asked.
    #[derive(Default)]
    struct Memory {
        sheets: std::sync::Mutex<std::collections::BTreeMap<[u8; 32], Vec<u8>>>,
        hits: std::sync::atomic::AtomicUsize,
        puts: std::sync::atomic::AtomicUsize,
    }

    impl SheetStore for Memory {
        fn get(&self, key: &[u8; 32]) -> Option<Vec<u8>> {
            let found = self.sheets.lock().expect("lock").get(key).cloned();
            if found.is_some() {
                self.hits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            found
        }
        fn put(&self, key: &[u8; 32], zip: &[u8]) {
            self.puts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.sheets.lock().expect("lock").insert(*key, zip.to_vec());
        }
    }

    impl Memory {
        fn counts(&self) -> (usize, usize) {
            use std::sync::atomic::Ordering::SeqCst;
            (self.hits.swap(0, SeqCst), self.puts.swap(0, SeqCst))
        }
    }

    #[test]
    fn stored_sheets_give_the_same_workbook() {
        let (a, b) =
            (sample(), Table { name: "budget", header: vec!["x"], rows: vec![vec![t("1"), Cell::Number(2.0)]] });
        let plain = write_workbook(&[&a, &b], "T", None).expect("writes");
        let store = Memory::default();
        assert!(write_workbook(&[&a, &b], "T", Some(&store)).expect("writes") == plain, "an empty store");
        assert_eq!(store.counts(), (0, 2), "both sheets compressed and stored");
        assert!(write_workbook(&[&a, &b], "T", Some(&store)).expect("writes") == plain, "a full store");
        assert_eq!(store.counts(), (2, 0), "both sheets copied from the store");

        // One table changed: only its sheet is compressed again, and the workbook is what a
        // workbook written without a store is.
        let b2 = Table { name: "budget", header: vec!["x"], rows: vec![vec![t("1"), Cell::Number(3.0)]] };
        let changed = write_workbook(&[&a, &b2], "T", Some(&store)).expect("writes");
        assert_eq!(store.counts(), (1, 1));
        assert!(changed == write_workbook(&[&a, &b2], "T", None).expect("writes"));
        let mut wb = read(&changed);
        assert_eq!(wb.worksheet_range("budget").expect("sheet").get_value((1, 1)), Some(&Data::Float(3.0)));

        // What a store gives that is not that sheet's own zip (another sheet's, bytes that are
        // no zip) is not taken: the sheet is compressed again.
        let keys: Vec<[u8; 32]> = store.sheets.lock().expect("lock").keys().copied().collect();
        let (first, second) = {
            let m = store.sheets.lock().expect("lock");
            (m[&keys[0]].clone(), m[&keys[1]].clone())
        };
        store.sheets.lock().expect("lock").insert(keys[0], second);
        store.sheets.lock().expect("lock").insert(keys[1], first[..first.len() / 2].to_vec());
        for k in &keys[2..] {
            store.sheets.lock().expect("lock").insert(*k, b"not a zip".to_vec());
        }
        assert!(write_workbook(&[&a, &b2], "T", Some(&store)).expect("writes") == changed);
        assert_eq!(store.counts().1, 2, "both sheets compressed again");
    }

    #[test]
    fn a_sheets_key_names_all_it_depends_on() {
        let key = |rows: Vec<Vec<Cell<'static>>>, index, selected| {
            sheet_key(&Table { name: "t", header: vec!["a"], rows }, index, selected)
        };
        let base = key(vec![vec![t("ab"), t("c")]], 0, true);
        assert_eq!(base, key(vec![vec![t("ab"), t("c")]], 0, true));
        let others = [
            key(vec![vec![t("a"), t("bc")]], 0, true),
            key(vec![vec![t("ab")], vec![t("c")]], 0, true),
            key(vec![vec![t("ab"), t("c"), Cell::Empty]], 0, true),
            key(vec![vec![t("ab"), t("c")]], 1, true),
            key(vec![vec![t("ab"), t("c")]], 0, false),
            key(vec![vec![t("1")]], 0, true),
            key(vec![vec![Cell::Number(1.0)]], 0, true),
            key(vec![vec![Cell::Number(-0.0)]], 0, true),
            key(vec![vec![Cell::Number(0.0)]], 0, true),
        ];
        for (i, k) in others.iter().enumerate() {
            assert_ne!(*k, base, "case {i}");
            assert!(others.iter().filter(|o| *o == k).count() == 1, "case {i} is told apart from the others");
        }
        let named = sheet_key(&Table { name: "u", header: vec!["a"], rows: vec![vec![t("ab"), t("c")]] }, 0, true);
        let headed = sheet_key(&Table { name: "t", header: vec!["b"], rows: vec![vec![t("ab"), t("c")]] }, 0, true);
        assert!(named != base && headed != base);
    }

    #[test]
    fn columns_are_named_as_excel_names_them() {
        let name = |c| String::from_utf8(column_name(c)).expect("ascii");
        assert_eq!([0, 25, 26, 51, 701, 702, 16_383].map(name), ["A", "Z", "AA", "AZ", "ZZ", "AAA", "XFD"]);
    }
}

//! Ingest: CSV files (UTF-8, with or without a byte-order mark; comma, semicolon or tab) into a
//! [`Grid`] of text cells. Numbers stay text here; the validator reads them like typed numbers.

use super::grid::{Cell, Grid};
use crate::finding::{Finding, Location, Rule};
use crate::project::Limits;

/// Read CSV bytes into one grid named after the file. `Err` refuses the file.
pub fn read_csv(bytes: &[u8], file: &str, sheet_name: &str, limits: &Limits) -> Result<(Grid, Vec<Finding>), Finding> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(body).map_err(|e| {
        Finding::error(Rule::UnreadableFile, "file.not-utf8", Location::file(file))
            .arg("offset", e.valid_up_to() + (bytes.len() - body.len()))
    })?;
    let delimiter = sniff_delimiter(text);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut grid = Grid::new(sheet_name);
    let mut findings = Vec::new();
    // Rows as a spreadsheet shows them: the csv crate skips blank lines, a spreadsheet does not,
    // and a quoted field with line breaks is still one row.
    let mut next_row = 0u32;
    let mut next_line = 1u64;
    for record in reader.records() {
        // The reported position is where parsing resumed, before any blank lines it skipped.
        let start_line = record.as_ref().ok().and_then(|r| r.position()).map_or(next_line, |p| {
            let rest = text.as_bytes().get(p.byte() as usize..).unwrap_or_default();
            p.line() + rest.iter().take_while(|b| matches!(b, b'\n' | b'\r')).filter(|b| **b == b'\n').count() as u64
        });
        let row = next_row + start_line.saturating_sub(next_line) as u32;
        if let Ok(r) = &record {
            next_line = start_line + 1 + r.iter().map(|f| f.matches('\n').count() as u64).sum::<u64>();
        }
        next_row = row + 1;
        if row >= limits.max_rows {
            grid.truncated_at = Some(row);
            findings.push(
                Finding::warning(Rule::UnreadableFile, "file.too-many-cells", Location::sheet(file, sheet_name))
                    .arg("sheet", sheet_name)
                    .arg("rows", format!("{}+", row + 1))
                    .arg("limit", limits.max_rows),
            );
            break;
        }
        let record = record.map_err(|e| {
            Finding::error(Rule::UnreadableFile, "file.corrupt", Location::sheet(file, sheet_name).with_row(row))
                .arg("format", "CSV")
                .arg("detail", e.to_string())
        })?;
        for (col, field) in record.iter().enumerate().filter(|(_, f)| !f.trim().is_empty()) {
            if col < limits.max_columns as usize {
                grid.set(row, col as u32, Cell::Text(field.to_string()));
            } else {
                grid.beyond_columns.get_or_insert((row, col as u32));
            }
        }
    }
    if let Some((row, col)) = grid.beyond_columns {
        findings.push(
            Finding::warning(
                Rule::UnreadableFile,
                "file.too-many-columns",
                Location::sheet(file, sheet_name).with_cell(row, col),
            )
            .arg("sheet", sheet_name)
            .arg("cell", crate::finding::a1(row, col))
            .arg("limit", limits.max_columns),
        );
    }
    grid.trim();
    Ok((grid, findings))
}

/// The delimiter that splits the first lines most consistently into more than one field.
fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let max = counts.iter().copied().max().unwrap_or(0);
        // Score: how many lines have the modal count, weighted by that count.
        let modal = counts.iter().filter(|&&c| c == max).count();
        let score = if max == 0 { 0 } else { modal * max };
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut inside = false;
    line.bytes()
        .filter(|&b| {
            if b == b'"' {
                inside = !inside;
            }
            !inside && b == d
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &[u8]) -> Grid {
        read_csv(s, "f.csv", "f", &Limits::default()).expect("reads").0
    }

    #[test]
    fn delimiters_and_bom() {
        let g = read(b"\xEF\xBB\xBFa;b;c\n1;2;3\n");
        assert_eq!(g.get(0, 0), &Cell::Text("a".into()));
        assert_eq!(g.get(1, 2), &Cell::Text("3".into()));
        let g = read(b"a\tb\n\"1,5\"\t2\n");
        assert_eq!(g.get(1, 0), &Cell::Text("1,5".into()));
        let g = read(b"name,value\n\"Mixco, GT\",\"1,234\"\n");
        assert_eq!(g.get(1, 1), &Cell::Text("1,234".into()));
        assert_eq!(g.width(), 2);
    }

    #[test]
    fn blank_lines_and_multiline_fields_keep_spreadsheet_rows() {
        let g = read(b"title\n\nh1,h2\n\"two\nlines\",x\nlast,y\n");
        assert_eq!(g.get(2, 0), &Cell::Text("h1".into()));
        assert_eq!(g.get(3, 0), &Cell::Text("two\nlines".into()));
        assert_eq!(g.get(4, 0), &Cell::Text("last".into()));
    }

    #[test]
    fn not_utf8_is_refused_with_offset() {
        let f = read_csv(b"a,b\n\xe9t\xe9,1\n", "f.csv", "f", &Limits::default()).expect_err("cp1252");
        assert_eq!(f.rule, Rule::UnreadableFile);
        assert!(f.message().contains("offset 4"), "{}", f.message());
    }

    #[test]
    fn row_limit() {
        let limits = Limits { max_rows: 3, ..Limits::default() };
        let (g, f) = read_csv(b"a\n1\n2\n3\n4\n", "f.csv", "f", &limits).expect("reads");
        assert_eq!(g.height(), 3);
        assert_eq!(f.len(), 1);
    }
}

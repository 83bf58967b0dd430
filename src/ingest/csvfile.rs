//! Ingest: CSV files (UTF-8, with or without a byte-order mark, or UTF-16 with one, as Excel
//! saves "Unicode text"; comma, semicolon or tab) into a [`Grid`] of text cells. Any other
//! encoding is refused, not guessed: a wrong guess would garble names without a word. Numbers
//! stay text here; the validator reads them like typed numbers.

use super::grid::{Cell, Grid};
use crate::finding::{Finding, Location, Rule};
use crate::project::Limits;
use std::borrow::Cow;

/// Read CSV bytes into one grid named after the file. `Err` refuses the file.
pub fn read_csv(bytes: &[u8], file: &str, sheet_name: &str, limits: &Limits) -> Result<(Grid, Vec<Finding>), Finding> {
    let mut findings = Vec::new();
    let decoded = decode(bytes, file, &mut findings)?;
    let text = decoded.as_ref();
    let delimiter = sniff_delimiter(text);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut grid = Grid::new(sheet_name);
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

/// The text of a CSV file: UTF-8 (a byte-order mark dropped) as it is, UTF-16 with a
/// byte-order mark decoded with a note; anything else refused with the place of the first
/// byte that is not UTF-8.
fn decode<'a>(bytes: &'a [u8], file: &str, findings: &mut Vec<Finding>) -> Result<Cow<'a, str>, Finding> {
    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some((rest, true)),
        [0xFE, 0xFF, rest @ ..] => Some((rest, false)),
        _ => None,
    };
    if let Some((body, le)) = utf16 {
        let refuse = |detail: String| {
            Finding::error(Rule::UnreadableFile, "file.not-utf16", Location::file(file)).arg("detail", detail)
        };
        if body.len() % 2 != 0 {
            return Err(refuse(format!("an odd number of bytes, {}", bytes.len())));
        }
        let units = body
            .chunks_exact(2)
            .map(|p| if le { u16::from_le_bytes([p[0], p[1]]) } else { u16::from_be_bytes([p[0], p[1]]) });
        let text: String = char::decode_utf16(units)
            .enumerate()
            .map(|(i, c)| {
                c.map_err(|e| {
                    refuse(format!("a lone surrogate 0x{:04X} at byte {}", e.unpaired_surrogate(), 2 + 2 * i))
                })
            })
            .collect::<Result<_, _>>()?;
        findings.push(
            Finding::note("file.utf16", Location::file(file)).arg("encoding", if le { "UTF-16LE" } else { "UTF-16BE" }),
        );
        return Ok(Cow::Owned(text));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(body).map(Cow::Borrowed).map_err(|e| {
        let good = &body[..e.valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        Finding::error(Rule::UnreadableFile, "file.not-utf8", Location::file(file))
            .arg("byte", format!("0x{:02X}", body[e.valid_up_to()]))
            .arg("line", line)
            .arg("column", column)
    })
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
        assert!(f.message().contains("line 2, character 1"), "{}", f.message());
    }

    #[test]
    fn row_limit() {
        let limits = Limits { max_rows: 3, ..Limits::default() };
        let (g, f) = read_csv(b"a\n1\n2\n3\n4\n", "f.csv", "f", &limits).expect("reads");
        assert_eq!(g.height(), 3);
        assert_eq!(f.len(), 1);
    }
}

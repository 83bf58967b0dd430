//! Fuzz: header detection on any grid. The input is CSV text so the seeds (real tables) mean
//! something; cells are then typed the way a workbook would type them, and `@merge,r0,c0,r1,c1`
//! lines become merged regions.
#![no_main]

use ftc::ingest::grid::{Cell, Grid};
use ftc::ingest::number::{self, Parsed};
use ftc::ingest::{csvfile, header};
use ftc::project::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((mut grid, _)) = csvfile::read_csv(data, "fuzz.csv", "fuzz", &Limits::default()) else { return };
    let mut merges = Vec::new();
    for (r, line) in grid.rows.iter_mut().enumerate() {
        if line.first().and_then(Cell::text) == Some("@merge") {
            let n: Vec<u32> = line.iter().skip(1).filter_map(|c| c.text()?.parse().ok()).collect();
            if let [r0, c0, r1, c1, ..] = n[..] {
                merges.push((r0, c0, r1, c1));
            }
            line.clear();
            continue;
        }
        for cell in line.iter_mut() {
            let Cell::Text(t) = cell else { continue };
            *cell = match t.as_str() {
                "TRUE" => Cell::Bool(true),
                "FALSE" => Cell::Bool(false),
                s if s.starts_with('#') => Cell::Error(s.to_string()),
                s if s.starts_with('=') => Cell::FormulaNoValue(s[1..].to_string()),
                s => match number::parse_number(s) {
                    // Every other row keeps numbers as text, as hand-typed sheets do.
                    Parsed::Number(v) if r % 2 == 0 => Cell::Number(v),
                    _ => continue,
                },
            };
        }
    }
    grid.merges = merges;
    let table = header::find_table(&grid);
    let until = table.as_ref().map_or(header::HEADER_SEARCH_ROWS, |t| t.header_rows.0);
    let _ = header::find_meta(&grid, until);
    if let Some(t) = table {
        let _ = t.missing();
        assert!(t.header_rows.0 <= t.header_rows.1 && t.header_rows.1 < grid.height().max(1));
    }
});

//! Fuzz: any bytes as a submitted file. The format is sniffed from the bytes, as `ftc` does, so
//! one target exercises the xlsx, xlsb, xls, ods and csv readers and the header search after them.
#![no_main]

use ftc::ingest::sniff::{self, Format, Sniffed};
use ftc::ingest::{csvfile, header, workbook};
use ftc::project::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let grids = match sniff::sniff(data) {
        Sniffed::Spreadsheet(Format::Csv) => match csvfile::read_csv(data, "fuzz.csv", "fuzz", &limits) {
            Ok((grid, _)) => vec![grid],
            Err(_) => return,
        },
        Sniffed::Spreadsheet(format) => match workbook::read_workbook(data.to_vec(), format, "fuzz", &limits) {
            Ok(read) => read.sheets,
            Err(_) => return,
        },
        _ => return,
    };
    for grid in &grids {
        let table = header::find_table(grid);
        let until = table.as_ref().map_or(header::HEADER_SEARCH_ROWS, |t| t.header_rows.0);
        let _ = header::find_meta(grid, until);
    }
});

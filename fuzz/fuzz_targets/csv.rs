//! Fuzz: any bytes through the CSV reader (no sniffing first, so binary input reaches it too).
#![no_main]

use ftc::ingest::csvfile;
use ftc::project::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok((grid, _findings)) = csvfile::read_csv(data, "fuzz.csv", "fuzz", &limits) {
        assert!(grid.height() <= limits.max_rows, "grid taller than the row limit");
        assert!(grid.width() <= limits.max_columns, "grid wider than the column limit");
    }
    // A tight limit exercises the truncation path on small inputs.
    let tight = Limits { max_rows: 3, max_columns: 2, ..Limits::default() };
    if let Ok((grid, _)) = csvfile::read_csv(data, "fuzz.csv", "fuzz", &tight) {
        assert!(grid.height() <= 3 && grid.width() <= 2);
    }
});

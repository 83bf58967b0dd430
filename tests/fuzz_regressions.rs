//! Inputs the fuzzers (`fuzz/`) found that once crashed, hung or blew up memory, kept as
//! regression cases. Each file in `tests/fixtures/fuzz/` is named `<target>-<what>` and goes
//! through the same entry point as its fuzz target; the rule is the house rule: bad input gets a
//! clear finding naming the file (and sheet or cell where known), never a panic, in bounded
//! time and memory.

use ftc::finding::{Finding, Rule, Severity};
use ftc::ingest::sniff::{self, Format, Sniffed};
use ftc::ingest::{csvfile, header, number, workbook};
use ftc::project::Limits;
use ftc::render::markdown;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// A hang guard, not a speed check (tests never assert on wall-clock time): a case that gives
/// no result in this long is stuck, as the corpus test judges its files.
const HANG_GUARD: Duration = Duration::from_secs(300);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz").join(name)
}

/// What the workbook fuzz target does: sniff, read, look for the table.
fn read_any(bytes: &[u8], file: &str) -> Result<Vec<Finding>, Finding> {
    let limits = Limits::default();
    let grids = match sniff::sniff(bytes) {
        Sniffed::Spreadsheet(Format::Csv) => {
            let (grid, findings) = csvfile::read_csv(bytes, file, "fuzz", &limits)?;
            return Ok(findings).inspect(|_| drop(header::find_table(&grid)));
        }
        Sniffed::Spreadsheet(format) => workbook::read_workbook(bytes.to_vec(), format, file, &limits)?,
        _ => return Ok(Vec::new()),
    };
    for grid in &grids.sheets {
        assert!(grid.height() <= limits.max_rows && grid.width() <= limits.max_columns, "grid over the limits");
        let _ = header::find_table(grid);
    }
    Ok(grids.findings)
}

/// Every kept case, through its target's entry point: a result, not a panic or a hang.
#[test]
fn every_kept_case_reads_without_panicking() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("fixtures").map(|e| e.expect("entry").path()).collect();
    cases.sort();
    assert!(!cases.is_empty());
    for path in cases {
        let name = path.file_name().expect("name").to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).expect("read");
        // The fuzz target's entry point, chosen by the case's name.
        let read: fn(&[u8], &str) = match name.split('-').next() {
            Some("workbook") => |b, n| drop(read_any(b, n)),
            Some("csv" | "header") => |b, n| drop(csvfile::read_csv(b, n, "fuzz", &Limits::default())),
            Some("number") => |b, _| {
                let _ = number::parse_number(&String::from_utf8_lossy(b));
            },
            Some("markdown") => |b, _| drop(markdown::parse(&String::from_utf8_lossy(b))),
            _ => panic!("{name}: name a fuzz case after its target"),
        };
        // On its own thread, so that a hang is reported as one (by name) instead of stalling
        // the suite, and a panic as the reader's.
        let (tx, rx) = mpsc::channel();
        let case = name.clone();
        std::thread::spawn(move || {
            read(&bytes, &case);
            let _ = tx.send(());
        });
        match rx.recv_timeout(HANG_GUARD) {
            Ok(()) => {}
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: no result after {HANG_GUARD:?} (a hang)"),
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: the reader panicked"),
        }
    }
}

/// calamine 0.38 indexes past the end of a compound file whose sector chain points beyond it
/// (`cfb.rs`: "slice index starts at 21504 but ends at 21006"). Found by the workbook target in
/// its first seconds, from an xls of the corpus.
#[test]
fn xls_with_sector_chain_past_the_end_is_a_corrupt_file_finding() {
    let name = "workbook-cfb-chain-out-of-range";
    let bytes = std::fs::read(fixture(name)).expect("fixture");
    assert_eq!(sniff::sniff(&bytes), Sniffed::Spreadsheet(Format::Xls));
    let finding = read_any(&bytes, name).expect_err("refused");
    assert_eq!((finding.rule, finding.severity), (Rule::UnreadableFile, Severity::Error));
    assert_eq!(finding.location.file, name);
    let message = finding.message();
    // The panic's own words vary with debug assertions (a debug_assert in calamine fires first).
    assert!(message.contains("is damaged") && message.contains("the reader stopped on damaged data"), "{message}");
}

/// A compound file whose sector table loops (sector n → … → n): calamine 0.38 follows the
/// directory chain without a bound and grew its buffer past 2 GB. Found by the workbook target
/// from a corpus xls; now refused before calamine sees it.
#[test]
fn xls_with_looping_sector_table_is_refused_before_reading() {
    let name = "workbook-cfb-fat-loop";
    let bytes = std::fs::read(fixture(name)).expect("fixture");
    assert_eq!(sniff::sniff(&bytes), Sniffed::Spreadsheet(Format::Xls));
    assert!(sniff::cfb_fat_has_cycle(&bytes));
    let finding = read_any(&bytes, name).expect_err("refused");
    assert_eq!((finding.rule, finding.severity), (Rule::UnreadableFile, Severity::Error));
    assert!(finding.message().contains("loops back on itself"), "{}", finding.message());
}

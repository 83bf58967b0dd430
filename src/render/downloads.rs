//! Render: the downloads: the reconciled cascade and budget of every area and period, and the
//! findings, as CSV and as one XLSX workbook. Any text cell starting with `=`, `+`, `-`, `@`
//! (or a tab or carriage return) is prefixed with `'`, so no spreadsheet runs it as a formula.

use crate::analyse::{AreaReport, Report};
use crate::finding::Finding;
use crate::ingest::grid::format_number;
use std::borrow::Cow;

/// A cell of a download table. Text is borrowed from the report where it can be (names and
/// codes): the national budget table is a million cells, a string each was 50 MB.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    Empty,
}

/// A table: header and rows.
pub struct Table<'a> {
    pub name: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell<'a>>>,
}

/// Text that a spreadsheet could take for a formula, made inert.
pub fn neutralise<'a>(s: impl Into<Cow<'a, str>>) -> Cow<'a, str> {
    let s = s.into();
    // Look past leading spaces too: some programs trim them before deciding what a cell is.
    match s.trim_start_matches([' ', '\u{a0}']).chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => Cow::Owned(format!("'{s}")),
        _ => s,
    }
}

pub fn text<'a>(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
    Cell::Text(neutralise(s))
}

fn ratio<'a>(r: Option<f64>) -> Cell<'a> {
    r.filter(|v| v.is_finite()).map_or(Cell::Empty, |v| Cell::Number((v * 1e6).round() / 1e6))
}

fn areas(report: &Report) -> impl Iterator<Item = (crate::period::Period, &AreaReport)> {
    report.by_period.values().flat_map(|pr| {
        std::iter::once(&pr.initiative)
            .chain(pr.provinces.values())
            .chain(pr.districts.values())
            .chain(pr.communes.values())
            .map(move |a| (pr.period, a))
    })
}

pub fn level(a: &AreaReport) -> &'static str {
    match a.level {
        crate::analyse::AreaLevel::Initiative => "initiative",
        crate::analyse::AreaLevel::Province => "province",
        crate::analyse::AreaLevel::District => "district",
        crate::analyse::AreaLevel::Commune => "commune",
    }
}

pub fn cascade_table(report: &Report) -> Table<'_> {
    let header = vec![
        "period",
        "level",
        "code",
        "name_en",
        "name_km",
        "plhiv",
        "diagnosed",
        "on_art",
        "vl_tested",
        "vl_suppressed",
        "first_95",
        "second_95",
        "third_95",
        "diagnosed_of_plhiv",
        "on_art_of_plhiv",
        "suppressed_of_plhiv",
        "vl_coverage",
        "unadjusted_suppression",
        "target_first",
        "target_second",
        "target_third",
        "gap_diagnosed",
        "gap_on_art",
        "gap_suppressed",
    ];
    let rows = areas(report)
        .filter_map(|(p, a)| {
            let c = a.cascade.as_ref()?;
            use crate::analyse::cascade::{Count, Figure, Mark, Stage};
            // A hidden count reads "<5" (small) or "*" (withheld); a figure computed from
            // one reads "*". Never the number.
            let num = |k: Count| match c.hidden.get(k) {
                Mark::Shown => Cell::Number(k.get(&c.counts) as f64),
                Mark::Small => Cell::Text(format!("<{}", c.hidden.threshold).into()),
                Mark::Withheld => Cell::Text(super::format::WITHHELD.into()),
            };
            let fig = |f: Figure| {
                if c.figure_shown(f) { ratio(c.ratio_of(f)) } else { Cell::Text(super::format::WITHHELD.into()) }
            };
            let gap = |s: Stage| {
                if c.figure_shown(Figure::Gap(s)) {
                    Cell::Number(c.gaps.get(s) as f64)
                } else {
                    Cell::Text(super::format::WITHHELD.into())
                }
            };
            let t = c.targets.conditional();
            Some(vec![
                text(p.to_string()),
                text(level(a)),
                text(&a.code),
                text(&a.name_en),
                text(&a.name_km),
                num(Count::Plhiv),
                num(Count::Diagnosed),
                num(Count::OnArt),
                num(Count::VlTested),
                num(Count::VlSuppressed),
                fig(Figure::First),
                fig(Figure::Second),
                fig(Figure::Third),
                fig(Figure::DiagnosedOfPlhiv),
                fig(Figure::OnArtOfPlhiv),
                fig(Figure::SuppressedOfPlhiv),
                fig(Figure::VlCoverage),
                fig(Figure::UnadjustedSuppression),
                ratio(Some(t[0])),
                ratio(Some(t[1])),
                ratio(Some(t[2])),
                gap(Stage::Diagnosed),
                gap(Stage::OnArt),
                gap(Stage::Suppressed),
            ])
        })
        .collect();
    Table { name: "cascade", header, rows }
}

pub fn budget_table(report: &Report) -> Table<'_> {
    let header = vec![
        "period",
        "level",
        "code",
        "name_en",
        "group",
        "item",
        "currency",
        "approved",
        "released",
        "spent",
        "execution",
        "expected_execution",
    ];
    let cur = &report.rates.reporting;
    let mut rows = Vec::new();
    for (p, a) in areas(report) {
        let Some(b) = &a.budget else { continue };
        let groups = std::iter::once(("total", "all".to_string(), &b.total))
            .chain(b.by_category.iter().map(|(k, e)| ("category", k.as_str().to_string(), e)))
            .chain(b.by_funding.iter().map(|(k, e)| ("funding_source", k.clone(), e)));
        for (group, item, e) in groups {
            rows.push(vec![
                text(p.to_string()),
                text(level(a)),
                text(&a.code),
                text(&a.name_en),
                text(group),
                text(item),
                text(cur),
                Cell::Number(e.money.approved.round()),
                if e.money.released_lines_approved > 0.0 {
                    Cell::Number(e.money.released.round())
                } else {
                    Cell::Empty
                },
                Cell::Number(e.money.spent.round()),
                ratio(e.execution),
                ratio(Some(e.expected)),
            ]);
        }
    }
    Table { name: "budget", header, rows }
}

pub fn findings_table<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Table<'a> {
    // `message` stays English (machines and `ftc diff` of older editions match on it); the Khmer
    // sentence is an extra column at the end, so existing column positions do not move.
    let header = vec!["severity", "rule", "file", "sheet", "cell", "row", "value", "message", "message_km"];
    let rows = findings
        .into_iter()
        .map(|f| {
            vec![
                text(f.severity.as_str()),
                text(f.rule.id()),
                text(&f.location.file),
                f.location.sheet.as_ref().map_or(Cell::Empty, text),
                f.location.col.and(f.location.place()).map_or(Cell::Empty, text),
                f.location.row.map_or(Cell::Empty, |r| Cell::Number(f64::from(r) + 1.0)),
                f.value.as_ref().map_or(Cell::Empty, text),
                text(f.message()),
                text(f.message_in(crate::render::format::Lang::Km)),
            ]
        })
        .collect();
    Table { name: "findings", header, rows }
}

/// CSV with a header row (UTF-8 with a byte-order mark, so Excel shows Khmer correctly).
pub fn to_csv(t: &Table) -> Vec<u8> {
    use rayon::prelude::*;
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record(&t.header);
    let mut out = w.into_inner().unwrap_or_default();
    // The rows in runs, each written on its own and joined in order (a record's bytes depend on
    // its cells alone): the two largest tables were a core each, and after one province changed
    // the one that ended first left its core idle.
    let runs: Vec<Vec<u8>> = t.rows.par_chunks(CSV_RUN).map(csv_rows).collect();
    out.reserve(runs.iter().map(Vec::len).sum());
    for run in runs {
        out.extend_from_slice(&run);
    }
    out
}

/// Rows of a CSV download written as one task.
const CSV_RUN: usize = 2048;

/// These rows as CSV records.
fn csv_rows(rows: &[Vec<Cell<'_>>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Field by field, then the end of the record: no copy of the row.
        for c in row {
            let _ = match c {
                Cell::Text(s) => w.write_field(s.as_bytes()),
                Cell::Number(n) => w.write_field(format_number(*n)),
                Cell::Empty => w.write_field(""),
            };
        }
        let _ = w.write_record(std::iter::empty::<&[u8]>());
    }
    w.into_inner().unwrap_or_default()
}

/// One workbook with a sheet per table, written by [`super::xlsx`] (sheets built and compressed in
/// parallel, fixed dates: the same tables make the same bytes).
pub fn to_xlsx(
    tables: &[&Table],
    title: &str,
    store: Option<&dyn super::xlsx::SheetStore>,
) -> Result<Vec<u8>, super::xlsx::XlsxError> {
    super::xlsx::write_workbook(tables, title, store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_injection_is_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-2+3"), "'-2+3");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("Battambang"), "Battambang");
        let t = Table {
            name: "t",
            header: vec!["a", "b"],
            rows: vec![vec![text("=cmd|' /C calc'!A0"), Cell::Number(-3.0)]],
        };
        let csv = String::from_utf8(to_csv(&t)).expect("utf-8");
        assert!(csv.contains("'=cmd"), "{csv}");
        assert!(csv.contains(",-3"), "numbers stay numbers: {csv}");
        assert!(to_xlsx(&[&t], "x", None).is_ok());
    }

    #[test]
    fn a_csv_written_in_runs_is_one_table() {
        // Rows across three runs; every seventh cell needs quoting, which a run's own writer
        // must do as one writer over the whole table would.
        let n = 2 * CSV_RUN + 3;
        let rows: Vec<Vec<Cell>> = (0..n)
            .map(|i| {
                let note = if i % 7 == 0 { "say \"hi\", then\nbye" } else { "plain" };
                vec![text(format!("r{i}")), text(note), Cell::Number(i as f64), Cell::Empty]
            })
            .collect();
        let t = Table { name: "t", header: vec!["a", "b", "c", "d"], rows };
        let mut want = String::from("\u{FEFF}a,b,c,d\n");
        for i in 0..n {
            let note = if i % 7 == 0 { "\"say \"\"hi\"\", then\nbye\"" } else { "plain" };
            want.push_str(&format!("r{i},{note},{i},\n"));
        }
        assert_eq!(String::from_utf8(to_csv(&t)).expect("utf-8"), want);
    }
}

//! Ingest: finding the header row of a sheet (anywhere in its first rows, one or two rows deep,
//! merged or not), deciding the table's kind from it, and cutting the rows below into data
//! rows, totals rows and skipped rows. Nothing is parsed as a number here.

use super::aliases::{self, Field, MetaKey, TableKind};
use super::grid::{Cell, Grid};
use serde::Serialize;

/// How far down a sheet the header may be.
pub const HEADER_SEARCH_ROWS: u32 = 40;

/// A header cell that became a column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub field: Field,
    /// The header as written (both rows of a two-row header, joined with ` / `).
    pub header: String,
    pub col: u32,
}

/// A row below the header: the cells of the mapped columns, with their columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub row: u32,
    pub cells: Vec<(Field, u32, Cell)>,
}

impl Row {
    pub fn get(&self, field: Field) -> Option<(u32, &Cell)> {
        self.cells.iter().find(|(f, _, _)| *f == field).map(|(_, c, v)| (*c, v))
    }
}

/// A table found in a sheet.
#[derive(Debug, Clone)]
pub struct Table {
    pub sheet: String,
    pub kind: TableKind,
    /// First and last header row (equal for a one-row header).
    pub header_rows: (u32, u32),
    pub columns: Vec<Column>,
    /// Header cells that matched no column (kept so `check` can say what it ignored).
    pub extra: Vec<(u32, String)>,
    /// A field claimed by a second column: (field, first column, second column).
    pub duplicates: Vec<(Field, u32, u32)>,
    pub rows: Vec<Row>,
    /// Totals rows, with the label that marked them.
    pub totals: Vec<(Row, String)>,
    /// Rows with neither an area code nor any number (notes, footnotes, section titles).
    pub skipped: Vec<u32>,
    /// The sheet stops at the row limit (more rows were not read).
    pub truncated: bool,
}

impl Table {
    pub fn column(&self, field: Field) -> Option<&Column> {
        self.columns.iter().find(|c| c.field == field)
    }
    pub fn missing(&self) -> Vec<Field> {
        self.kind.required().iter().copied().filter(|f| self.column(*f).is_none()).collect()
    }
}

/// What a candidate header maps: the columns by field and the columns with a label that maps
/// to none. The labels as written are put together only for the header chosen.
#[derive(Debug, Default)]
struct Mapping {
    columns: Vec<(Field, u32)>,
    extra: Vec<u32>,
    duplicates: Vec<(Field, u32, u32)>,
}

impl Mapping {
    fn score(&self, kind: TableKind) -> usize {
        self.columns.iter().filter(|c| kind.fields().contains(&c.0)).count()
    }
    /// The kind this header describes, if it describes one well enough: at least three of its
    /// columns, two of them required.
    fn kind(&self) -> Option<(TableKind, usize)> {
        [TableKind::Cascade, TableKind::Budget]
            .into_iter()
            .map(|k| (k, self.score(k), self.columns.iter().filter(|c| k.required().contains(&c.0)).count()))
            .filter(|&(_, s, req)| s >= 3 && req >= 2)
            .max_by_key(|&(k, s, _)| (s, k == TableKind::Cascade))
            .map(|(k, s, _)| (k, s))
    }
}

/// Find the table in a sheet: the header (one or two rows) in the first rows that maps the
/// most columns of one kind, and the rows under it.
pub fn find_table(grid: &Grid) -> Option<Table> {
    take_table(&mut grid.clone())
}

/// [`find_table`], moving the table's cells out of the grid instead of copying them: the
/// rows under the header are left empty in it, those above it (the metadata) untouched.
pub fn take_table(grid: &mut Grid) -> Option<Table> {
    let last = grid.height().min(HEADER_SEARCH_ROWS);
    let mut best: Option<(usize, u32, u32, Mapping, TableKind)> = None;
    // The same labels come back row after row and candidate after candidate: each is looked
    // up once.
    let mut labels = Labels::default();
    for first in 0..last {
        for depth in [0u32, 1] {
            let lastrow = first + depth;
            if lastrow >= grid.height() {
                continue;
            }
            // A header maps at most one column per labelled column. One that cannot map more
            // than the best so far cannot replace it (a data row under the header, mostly), and
            // one that cannot map three is no header: neither is looked up.
            let most = labelled_columns(grid, first, lastrow);
            if most < 3 || best.as_ref().is_some_and(|b| most <= b.0) {
                continue;
            }
            let m = map_header(grid, first, lastrow, &mut labels);
            let Some((kind, score)) = m.kind() else { continue };
            // A two-row header must map more than its lower row does alone.
            if depth == 1 && score <= map_header(grid, lastrow, lastrow, &mut labels).kind().map_or(0, |k| k.1) {
                continue;
            }
            // A deeper header must earn its place by mapping more columns.
            if best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, first, lastrow, m, kind));
            }
        }
    }
    let (_, first, lastrow, m, kind) = best?;
    let written = |col: u32| {
        let (upper, lower) = header_labels(grid, first, lastrow, col);
        upper.into_iter().chain(lower).collect::<Vec<_>>().join(" / ")
    };
    let mut table = Table {
        sheet: grid.name.clone(),
        kind,
        header_rows: (first, lastrow),
        columns: m
            .columns
            .into_iter()
            .filter(|c| kind.fields().contains(&c.0))
            .map(|(field, col)| Column { field, header: written(col), col })
            .collect(),
        extra: m.extra.into_iter().map(|col| (col, written(col))).collect(),
        duplicates: m.duplicates,
        rows: Vec::new(),
        totals: Vec::new(),
        skipped: Vec::new(),
        truncated: grid.truncated_at.is_some(),
    };
    cut_rows(grid, &mut table);
    Some(table)
}

/// Header labels already looked up, with the field each names.
#[derive(Default)]
struct Labels(std::collections::HashMap<String, Option<Field>>);

impl Labels {
    fn field(&mut self, label: &str) -> Option<Field> {
        if let Some(f) = self.0.get(label) {
            return *f;
        }
        let f = aliases::field_for(label);
        self.0.insert(label.to_string(), f);
        f
    }
}

/// The columns a header on rows `first` to `last` (one or two rows) can have labels in: those
/// of its rows, and under a two-row header those a merge in the upper row spans (not past the
/// sheet's widest row).
fn header_width(grid: &Grid, first: u32, last: u32) -> u32 {
    let rows = [first, last].iter().map(|&r| grid.rows.get(r as usize).map_or(0, Vec::len)).max().unwrap_or(0) as u32;
    let merged = match first == last {
        true => 0,
        false => grid.merges.iter().filter(|m| m.0 <= first && first <= m.2).map(|m| m.3 + 1).max().unwrap_or(0),
    };
    if merged > rows { merged.min(grid.width()) } else { rows }
}

/// How many columns of a header on rows `first` to `last` have a label: a header maps at most
/// one column for each.
fn labelled_columns(grid: &Grid, first: u32, last: u32) -> usize {
    (0..header_width(grid, first, last)).filter(|&c| header_labels(grid, first, last, c) != (None, None)).count()
}

fn map_header(grid: &Grid, first: u32, last: u32, labels: &mut Labels) -> Mapping {
    let mut m = Mapping::default();
    let mut both = String::new();
    for col in 0..header_width(grid, first, last) {
        let field = match header_labels(grid, first, last, col) {
            (None, None) => continue,
            (Some(upper), Some(lower)) => {
                both.clear();
                both.push_str(upper);
                both.push(' ');
                both.push_str(lower);
                labels.field(&both).or_else(|| labels.field(lower))
            }
            (Some(only), None) | (None, Some(only)) => labels.field(only),
        };
        match field {
            Some(f) => match m.columns.iter().find(|c| c.0 == f) {
                Some(prev) => m.duplicates.push((f, prev.1, col)),
                None => m.columns.push((f, col)),
            },
            None => m.extra.push(col),
        }
    }
    m
}

/// The label parts of a column's header, (upper, lower): the one label of a one-row header or
/// of a label merged down over both rows is the upper; under a group header, the group and
/// the sub-label.
fn header_labels(grid: &Grid, first: u32, last: u32, col: u32) -> (Option<&str>, Option<&str>) {
    let own = |r: u32, c: u32| grid.get(r, c).text();
    if first == last {
        return (own(first, col), None);
    }
    let lower = own(last, col);
    let upper = own(first, col).or_else(|| group_label(grid, first, last, col));
    match (upper, lower) {
        (None, Some(l)) => (Some(l), None),
        other => other,
    }
}

/// The group label spanning this column in the upper header row: from a merge if the file
/// records one, otherwise from the nearest label to the left whose own column also has a
/// sub-label (so a label merged downwards is not mistaken for a group).
fn group_label(grid: &Grid, upper: u32, lower: u32, col: u32) -> Option<&str> {
    if let Some((r0, c0, _, _)) = grid.merge_at(upper, col) {
        return grid.get(r0, c0).text();
    }
    grid.get(lower, col).text()?;
    let left = (0..col).rev().find(|&c| !grid.get(upper, c).is_empty())?;
    let spans_down = grid.merge_at(upper, left).is_some_and(|(r0, _, r1, _)| r0 <= upper && r1 >= lower);
    if spans_down || grid.get(lower, left).is_empty() {
        return None;
    }
    grid.get(upper, left).text()
}

/// Sort the rows below the header into data, totals and skipped rows.
fn cut_rows(grid: &mut Grid, table: &mut Table) {
    let label_cols: Vec<u32> = {
        let mut v: Vec<u32> = [Field::AreaCode, Field::AreaName, Field::Activity]
            .iter()
            .filter_map(|f| table.column(*f).map(|c| c.col))
            .collect();
        let first_mapped = table.columns.iter().map(|c| c.col).min().unwrap_or(0);
        v.extend(0..first_mapped.min(3));
        v
    };
    for row in table.header_rows.1 + 1..grid.height() {
        let totals_label = label_cols
            .iter()
            .find_map(|&c| grid.get(row, c).text().filter(|t| aliases::is_totals_label(t)))
            .map(str::to_string);
        // Each column is mapped once, so no cell is taken twice. Room for every column up front:
        // collecting through the filter grew each row's vector two or three times.
        let mut cells: Vec<(Field, u32, Cell)> = Vec::with_capacity(table.columns.len());
        cells.extend(
            table.columns.iter().map(|c| (c.field, c.col, grid.take(row, c.col))).filter(|(_, _, v)| !v.is_empty()),
        );
        if let Some(label) = totals_label {
            table.totals.push((Row { row, cells }, label));
            continue;
        }
        if cells.is_empty() {
            continue;
        }
        // A code-shaped area cell; prose in the code column (a footnote) is not one.
        let has_code = cells.iter().any(|(f, _, v)| *f == Field::AreaCode && looks_like_code(v));
        let is_number = |text: &str| matches!(super::number::parse_number(text), super::number::Parsed::Number(_));
        let has_number = cells.iter().any(|(f, _, v)| aliases::labels(*f).numeric && !matches!(v, Cell::Text(_)))
            || cells.iter().any(|(f, _, v)| {
                aliases::labels(*f).numeric
                    && match v {
                        Cell::Text(t) => is_number(t),
                        other => is_number(&other.display()),
                    }
            });
        if !has_code && !has_number {
            table.skipped.push(row);
            continue;
        }
        table.rows.push(Row { row, cells });
    }
}

fn looks_like_code(cell: &Cell) -> bool {
    match cell {
        Cell::Number(_) => true,
        Cell::Text(t) => crate::geography::is_code(t),
        other => crate::geography::is_code(&other.display()),
    }
}

/// A label written above a table (or on a cover sheet) and the value beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaCell {
    pub key: MetaKey,
    pub value: Cell,
    pub row: u32,
    pub col: u32,
}

/// Labels like `Period` | `2026-Q3` or `Submitted: 2026-10-12` in the rows before `until`.
pub fn find_meta(grid: &Grid, until: u32) -> Vec<MetaCell> {
    let mut out = Vec::new();
    for row in 0..until.min(grid.height()) {
        let width = grid.rows.get(row as usize).map_or(0, Vec::len) as u32;
        for col in 0..width {
            let Some(text) = grid.get(row, col).text() else { continue };
            let inline = text.split_once(':').filter(|(_, v)| !v.trim().is_empty());
            if let Some((key, value)) = inline.and_then(|(l, v)| aliases::meta_key_for(l).map(|k| (k, v))) {
                out.push(MetaCell { key, value: Cell::Text(value.trim().to_string()), row, col });
                continue;
            }
            let Some(key) = aliases::meta_key_for(text) else { continue };
            let next = (col + 1..width.min(col + 6)).find(|&c| !grid.get(row, c).is_empty());
            if let Some(c) = next {
                out.push(MetaCell { key, value: grid.get(row, c).clone(), row, col: c });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        let mut g = Grid::new("Sheet1");
        for (r, line) in rows.iter().enumerate() {
            for (c, v) in line.iter().enumerate() {
                if !v.is_empty() {
                    let cell = v.parse::<f64>().map_or_else(|_| Cell::Text(v.to_string()), Cell::Number);
                    g.set(r as u32, c as u32, cell);
                }
            }
        }
        g
    }

    #[test]
    fn header_below_title_rows() {
        let g = grid(&[
            &["Fast-Track Cities — HIV cascade"],
            &["Period", "2026-Q3"],
            &[],
            &[
                "Commune code",
                "Commune",
                "PLHIV (estimate)",
                "Know status",
                "# on ART",
                "VL tested",
                "Virally suppressed (<1000)",
                "Notes",
            ],
            &["020101", "Banan", "120", "100", "98", "90", "88", ""],
            &["", "", "", "", "", "", "", ""],
            &["020102", "Kantueu Muoy", "80", "70", "69", "60", "58", "late"],
            &["Total", "", "200", "170", "167", "150", "146"],
            &["Source: provincial register"],
        ]);
        let t = find_table(&g).expect("table");
        assert_eq!(t.kind, TableKind::Cascade);
        assert_eq!(t.header_rows, (3, 3));
        assert_eq!(t.columns.len(), 7);
        assert_eq!(t.extra, vec![(7, "Notes".to_string())]);
        assert_eq!(t.rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![4, 6]);
        assert_eq!(t.totals.len(), 1);
        assert_eq!(t.totals[0].1, "Total");
        assert_eq!(t.skipped, vec![8]);
        assert!(t.missing().is_empty());
        let meta = find_meta(&g, 3);
        assert_eq!(meta.len(), 1);
        assert_eq!(meta[0].key, MetaKey::Period);
        assert_eq!(meta[0].value, Cell::Text("2026-Q3".into()));
    }

    #[test]
    fn two_row_header_with_group_no_merge() {
        let g = grid(&[
            &["Commune code", "PLHIV", "Diagnosed", "On ART", "Viral load", ""],
            &["", "", "", "", "Tested", "Suppressed (<1000)"],
            &["020101", "120", "100", "98", "90", "88"],
        ]);
        let t = find_table(&g).expect("table");
        assert_eq!(t.header_rows, (0, 1));
        let vl = t.column(Field::VlTested).expect("vl tested");
        assert_eq!((vl.col, vl.header.as_str()), (4, "Viral load / Tested"));
        assert_eq!(t.column(Field::VlSuppressed).map(|c| c.col), Some(5));
        assert_eq!(t.rows.len(), 1);
    }

    #[test]
    fn two_row_header_with_merges() {
        let mut g = grid(&[
            &["Code", "PLHIV", "Diagnosed", "On ART", "Viral load", ""],
            &["", "", "", "", "Tested", "Suppressed"],
            &["020101", "120", "100", "98", "90", "88"],
        ]);
        g.merges = vec![(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 1, 3), (0, 4, 0, 5)];
        let t = find_table(&g).expect("table");
        assert_eq!(t.header_rows, (0, 1));
        assert_eq!(t.column(Field::AreaCode).map(|c| c.header.as_str()), Some("Code"));
        assert_eq!(t.column(Field::VlSuppressed).map(|c| c.header.as_str()), Some("Viral load / Suppressed"));
    }

    #[test]
    fn budget_kind_from_headers_not_name() {
        let g = grid(&[
            &["Area code", "Activity", "Category", "Funding source", "Currency", "Approved", "Released", "Spent"],
            &["12", "Outreach", "testing", "Global Fund", "USD", "1000", "800", "600"],
        ]);
        let t = find_table(&g).expect("table");
        assert_eq!(t.kind, TableKind::Budget);
        assert_eq!(t.columns.len(), 8);
    }

    /// Candidates that cannot map more columns than the best so far are not looked up: one that
    /// maps exactly one more, with no label to spare, still replaces it; one that only ties
    /// does not.
    #[test]
    fn a_later_header_must_map_more_to_win() {
        let g = grid(&[
            &["Code", "PLHIV", "Diagnosed"],
            &["020101", "1", "1"],
            &["Code", "PLHIV", "Diagnosed", "On ART"],
            &["020101", "1", "1", "1"],
            &["Code", "PLHIV", "On ART", "Diagnosed"],
            &["020102", "2", "2", "2"],
        ]);
        let t = find_table(&g).expect("table");
        assert_eq!(t.header_rows, (2, 2));
        assert_eq!(t.columns.len(), 4);
        // The tie on row 4 is read as a data row that carries no code or number in its place.
        assert_eq!(t.column(Field::OnArt).map(|c| c.col), Some(3));
    }

    /// A group label merged over a column with no sub-label under it, past the end of both
    /// header rows, still labels that column (and counts among the header's labelled columns).
    #[test]
    fn a_merged_group_labels_a_column_past_the_header_rows() {
        let mut g = grid(&[
            &["Code", "PLHIV", "Diagnosed", "On ART", "Viral load"],
            &["", "", "", "", "Suppressed"],
            &["020101", "120", "100", "98", "88", "7"],
        ]);
        g.merges = vec![(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 1, 3), (0, 4, 0, 5)];
        let t = find_table(&g).expect("table");
        assert_eq!(t.header_rows, (0, 1));
        assert_eq!(t.column(Field::VlSuppressed).map(|c| c.col), Some(4));
        assert_eq!(t.extra, vec![(5, "Viral load".to_string())]);
    }

    #[test]
    fn no_table_in_prose() {
        let g = grid(&[&["Instructions"], &["Fill in the cascade sheet"], &["Total", "Code"]]);
        assert!(find_table(&g).is_none());
    }

    #[test]
    fn duplicate_columns_are_reported() {
        let g = grid(&[
            &["Code", "PLHIV", "Diagnosed", "On ART", "Suppressed", "On treatment"],
            &["020101", "1", "1", "1", "1", "1"],
        ]);
        let t = find_table(&g).expect("table");
        assert_eq!(t.duplicates, vec![(Field::OnArt, 3, 5)]);
    }

    #[test]
    fn meta_with_colon_and_khmer() {
        let g = grid(&[&["Submitted: 2026-10-12"], &["កាលបរិច្ឆេទដាក់ស្នើ", "", "12/10/2026"]]);
        let m = find_meta(&g, 5);
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].value, Cell::Text("12/10/2026".into()));
        assert_eq!((m[1].row, m[1].col), (1, 2));
    }
}

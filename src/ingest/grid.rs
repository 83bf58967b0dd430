//! Ingest: the raw cell grid every reader (calamine or csv) produces, before any meaning.

use chrono::NaiveDate;

/// One cell as read, with nothing guessed yet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    /// A cached spreadsheet error such as `#REF!`.
    Error(String),
    /// A formula whose file carries no cached result (calamine returns these as empty).
    FormulaNoValue(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, the way a person would read it on screen.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Error(e) => e.clone(),
            Cell::FormulaNoValue(f) => format!("={f}"),
        }
    }

    /// Text content, if this is a non-empty text cell.
    pub fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(t) if !t.trim().is_empty() => Some(t.trim()),
            _ => None,
        }
    }
}

/// Shortest faithful text for a number: `1234` rather than `1234.0`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

/// A sheet's cells as a dense grid of absolute positions (0-based), plus the merged regions.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    pub name: String,
    /// rows[r][c] is the cell at absolute row r, column c. Rows may be shorter than others.
    pub rows: Vec<Vec<Cell>>,
    /// Merged regions as (first row, first col, last row, last col), inclusive.
    pub merges: Vec<(u32, u32, u32, u32)>,
    /// Whether reading stopped at the row limit (the sheet goes on beyond `rows`).
    pub truncated_at: Option<u32>,
    /// The first cell found beyond the column limit (row, col), if any: it was not read.
    pub beyond_columns: Option<(u32, u32)>,
}

static EMPTY: Cell = Cell::Empty;

impl Grid {
    pub fn new(name: impl Into<String>) -> Self {
        Grid { name: name.into(), ..Default::default() }
    }

    pub fn get(&self, row: u32, col: u32) -> &Cell {
        self.rows.get(row as usize).and_then(|r| r.get(col as usize)).unwrap_or(&EMPTY)
    }

    /// Take the cell at an absolute position out of the grid, leaving it empty.
    pub fn take(&mut self, row: u32, col: u32) -> Cell {
        let cell = self.rows.get_mut(row as usize).and_then(|r| r.get_mut(col as usize));
        cell.map_or(Cell::Empty, |c| std::mem::replace(c, Cell::Empty))
    }

    /// Put a cell at an absolute position, growing the grid as needed.
    pub fn set(&mut self, row: u32, col: u32, cell: Cell) {
        let (r, c) = (row as usize, col as usize);
        if self.rows.len() <= r {
            self.rows.resize_with(r + 1, Vec::new);
        }
        // A new row starts with the room the row above took: rows of a table are alike, and
        // growing cell by cell reallocated each row several times.
        let above = if r > 0 { self.rows[r - 1].len() } else { 0 };
        let line = &mut self.rows[r];
        if line.capacity() == 0 {
            line.reserve_exact(above.max(c + 1));
        }
        if line.len() <= c {
            line.resize(c + 1, Cell::Empty);
        }
        line[c] = cell;
    }

    pub fn height(&self) -> u32 {
        self.rows.len() as u32
    }

    pub fn width(&self) -> u32 {
        self.rows.iter().map(Vec::len).max().unwrap_or(0) as u32
    }

    /// The merged region whose area covers (row, col), if any.
    pub fn merge_at(&self, row: u32, col: u32) -> Option<(u32, u32, u32, u32)> {
        self.merges.iter().copied().find(|&(r0, c0, r1, c1)| (r0..=r1).contains(&row) && (c0..=c1).contains(&col))
    }

    /// Drop trailing empty rows and cells so width and height describe the data.
    pub fn trim(&mut self) {
        for line in &mut self.rows {
            while line.last().is_some_and(Cell::is_empty) {
                line.pop();
            }
        }
        while self.rows.last().is_some_and(Vec::is_empty) {
            self.rows.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_and_trim() {
        let mut g = Grid::new("s");
        g.set(2, 3, Cell::Number(5.0));
        g.set(4, 0, Cell::Text("  ".into()));
        assert_eq!(g.get(2, 3), &Cell::Number(5.0));
        assert_eq!(g.get(9, 9), &Cell::Empty);
        g.trim();
        assert_eq!((g.height(), g.width()), (3, 4));
        assert_eq!(Cell::Number(1234.0).display(), "1234");
        assert_eq!(Cell::Number(0.5).display(), "0.5");
    }
}

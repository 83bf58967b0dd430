//! Findings, shared by ingest and validate: what is wrong, how bad, and exactly where.
//!
//! A finding is a value, never a log line. Its message is rendered from a declarative table
//! (`MESSAGES`) keyed by a message id, with named arguments, so that the same finding can be
//! shown in English or Khmer and serialised for machines without losing its parts.

use serde::Serialize;
use std::fmt;

/// How bad a finding is. `Error` drops the row (or the file) from the figures; `Warning` keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Something the reader did that the user should know about (a tolerance applied).
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// The stable rule ids of the data contract. Their string forms never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    UnreadableFile,
    MissingSheet,
    MissingColumn,
    UnknownArea,
    DuplicateRow,
    NotANumber,
    Negative,
    CascadeOrder,
    CoverageOver100,
    TotalsMismatch,
    Overspent,
    ReleaseExceeded,
    PeriodMismatch,
    Jump,
    MissingSubmission,
    LateSubmission,
    ProvinceMismatch,
    NameMismatch,
    BadValue,
    FormulaNoValue,
    /// A tolerance the reader applied (header found on row 6, code padded, ...).
    ReadNote,
}

impl Rule {
    pub fn id(self) -> &'static str {
        match self {
            Rule::UnreadableFile => "unreadable-file",
            Rule::MissingSheet => "missing-sheet",
            Rule::MissingColumn => "missing-column",
            Rule::UnknownArea => "unknown-area",
            Rule::DuplicateRow => "duplicate-row",
            Rule::NotANumber => "not-a-number",
            Rule::Negative => "negative",
            Rule::CascadeOrder => "cascade-order",
            Rule::CoverageOver100 => "coverage-over-100",
            Rule::TotalsMismatch => "totals-mismatch",
            Rule::Overspent => "overspent",
            Rule::ReleaseExceeded => "release-exceeded",
            Rule::PeriodMismatch => "period-mismatch",
            Rule::Jump => "jump",
            Rule::MissingSubmission => "missing-submission",
            Rule::LateSubmission => "late-submission",
            Rule::ProvinceMismatch => "province-mismatch",
            Rule::NameMismatch => "name-mismatch",
            Rule::BadValue => "bad-value",
            Rule::FormulaNoValue => "formula-no-value",
            Rule::ReadNote => "read-note",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Where a finding is: a file (relative to the project, or as given on the command line), a
/// sheet, and a cell or a whole row. Rows and columns are 0-based here and shown 1-based / A1.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: String,
    pub sheet: Option<String>,
    pub row: Option<u32>,
    pub col: Option<u32>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location { file: file.into(), ..Default::default() }
    }
    pub fn sheet(file: impl Into<String>, sheet: impl Into<String>) -> Self {
        Location { file: file.into(), sheet: Some(sheet.into()), ..Default::default() }
    }
    pub fn with_row(mut self, row: u32) -> Self {
        self.row = Some(row);
        self.col = None;
        self
    }
    pub fn with_cell(mut self, row: u32, col: u32) -> Self {
        self.row = Some(row);
        self.col = Some(col);
        self
    }
    /// `B14`, `row 14`, or nothing.
    pub fn place(&self) -> Option<String> {
        match (self.row, self.col) {
            (Some(r), Some(c)) => Some(a1(r, c)),
            (Some(r), None) => Some(format!("row {}", r + 1)),
            _ => None,
        }
    }
}

impl fmt::Display for Location {
    /// `submissions/2026-Q3/12/cascade.xlsx › Cascade › F14`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(s) = &self.sheet {
            write!(f, " › {s}")?;
        }
        if let Some(p) = self.place() {
            write!(f, " › {p}")?;
        }
        Ok(())
    }
}

impl Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Location", 4)?;
        st.serialize_field("file", &self.file)?;
        st.serialize_field("sheet", &self.sheet)?;
        st.serialize_field("cell", &self.col.and(self.place()))?;
        st.serialize_field("row", &self.row.map(|r| r + 1))?;
        st.end()
    }
}

/// A1 reference of a 0-based cell: (0, 0) is `A1`, (13, 5) is `F14`.
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), u64::from(row) + 1)
}

/// Spreadsheet column letters of a 0-based column: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        out.push(b'A' + r);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// One finding. `message` is the id of a sentence in [`MESSAGES`]; `args` fill its `{names}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub rule: Rule,
    #[serde(skip)]
    pub message_id: &'static str,
    #[serde(skip)]
    pub args: Vec<(&'static str, String)>,
    /// The value seen in the cell, as text, where there is one.
    pub value: Option<String>,
    pub location: Location,
}

impl Finding {
    pub fn new(severity: Severity, rule: Rule, message_id: &'static str, location: Location) -> Self {
        Finding { severity, rule, message_id, args: Vec::new(), value: None, location }
    }
    pub fn error(rule: Rule, message_id: &'static str, location: Location) -> Self {
        Self::new(Severity::Error, rule, message_id, location)
    }
    pub fn warning(rule: Rule, message_id: &'static str, location: Location) -> Self {
        Self::new(Severity::Warning, rule, message_id, location)
    }
    pub fn note(message_id: &'static str, location: Location) -> Self {
        Self::new(Severity::Note, Rule::ReadNote, message_id, location)
    }
    pub fn arg(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }
    /// The message in plain English words.
    pub fn message(&self) -> String {
        let template =
            MESSAGES.iter().find(|(id, _)| *id == self.message_id).map(|(_, t)| *t).unwrap_or(self.message_id);
        fill(template, &self.args)
    }
    /// Sort key: file, sheet, row, column, then rule, so output never wobbles.
    pub fn sort_key(&self) -> (&Location, Rule, &'static str) {
        (&self.location, self.rule, self.message_id)
    }
}

fn fill(template: &str, args: &[(&'static str, String)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Sort findings by place, then rule: the order every output uses.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()).then_with(|| a.args.cmp(&b.args)));
}

/// Every sentence a finding can say, in English. One declarative table so a translation is a
/// second column, not a hunt through the code. `{name}` is filled from the finding's arguments.
pub const MESSAGES: &[(&str, &str)] = &[
    // unreadable-file
    ("file.io", "The file could not be read ({detail}). Check that it exists and is not open in another program."),
    (
        "file.too-large",
        "The file is {size} bytes, over the limit of {limit} bytes. Remove images or extra sheets, or split it.",
    ),
    (
        "file.encrypted",
        "The workbook is password-protected or encrypted. Save an unprotected copy (File › Save As, remove the password) and submit that.",
    ),
    (
        "file.not-spreadsheet",
        "This is not a spreadsheet ftc can read ({detail}). Save it as .xlsx (or .ods, .xls, .xlsb, .csv).",
    ),
    (
        "file.corrupt",
        "The {format} file is damaged and cannot be opened ({detail}). Open it in Excel or LibreOffice, save it again, and resubmit.",
    ),
    (
        "file.duplicate-zip-entry",
        "The workbook contains the part '{entry}' twice, so its contents are ambiguous (some programs would silently show an empty sheet). Open it in Excel or LibreOffice and save it again.",
    ),
    (
        "file.not-utf8",
        "The CSV file is not UTF-8 text (first bad byte {byte} at line {line}, character {column}); it was not read rather than guessed at, because a wrong guess garbles names. In Excel use File › Save As › 'CSV UTF-8 (Comma delimited)' (LibreOffice: character set 'Unicode (UTF-8)') and submit again.",
    ),
    (
        "file.symlink",
        "This is a symbolic link; ftc does not follow links, so what it points to was not read. Copy the file itself into the project folder.",
    ),
    (
        "file.xml-token-too-long",
        "The workbook's part '{part}' holds a single cell or tag of more than {limit} bytes, more than any spreadsheet program writes; it was not read (it could exhaust memory). Open the file in Excel or LibreOffice, delete the oversized cell, save it again, and resubmit.",
    ),
    (
        "file.too-many-strings",
        "The workbook declares {count} distinct texts, more than ftc reads ({limit}); it was not read. Copy the cascade or budget sheet alone into a new workbook and submit that.",
    ),
    (
        "file.sheet-too-large",
        "Sheet '{sheet}' has content as far as {cell}, spanning {cells} cells, more than the {limit} ftc reads from an .ods sheet; the file was not read. Delete stray content far below or right of the table (or save the file as .xlsx) and resubmit.",
    ),
    (
        "file.too-many-columns",
        "Sheet '{sheet}' has data in {cell}, beyond the limit of {limit} columns; columns past the limit were not read. Delete stray content far right of the table.",
    ),
    (
        "file.not-utf16",
        "The CSV file starts as UTF-16 text but is not valid UTF-16 ({detail}). Save it as 'CSV UTF-8 (Comma delimited)' and submit again.",
    ),
    ("file.utf16", "The file is UTF-16 text ({encoding}, as Excel saves 'Unicode text'); it was decoded as such."),
    ("file.empty", "The file is empty."),
    (
        "file.sheet-unreadable",
        "Sheet '{sheet}' could not be read ({detail}); the rest of the workbook was read. Open the file and save it again if this sheet holds data.",
    ),
    (
        "file.too-many-cells",
        "Sheet '{sheet}' has data out to row {rows}, beyond the limit of {limit} rows; only the first {limit} rows were read. Delete stray content far below the table.",
    ),
    ("file.extension-mismatch", "The file is named .{extension} but its content is {format}; it was read as {format}."),
    (
        "file.unsupported-sheet-type",
        "The workbook contains a sheet kind ftc cannot open, such as an Excel 4.0 macro or dialog sheet ({detail}). Copy the data sheets into a new workbook and submit that.",
    ),
    (
        "file.formulas-no-value",
        "Sheet '{sheet}' has {count} formula(s) saved without their results (first here), so their values are unknown. Open the file in Excel or LibreOffice, let it calculate, and save it again.",
    ),
    ("file.macro-sheet-skipped", "Sheet '{sheet}' is a macro, dialog or chart sheet and was skipped."),
    // missing-sheet / missing-column
    (
        "sheet.none",
        "No sheet in this file has a header row with the cascade columns (area_code, plhiv, diagnosed, on_art, vl_suppressed) or the budget columns (area_code, activity, category, funding_source, approved, spent). Check the header labels against the template.",
    ),
    (
        "column.missing",
        "The required column '{column}' was not found in the header (row {row}). Add a column headed '{label}' (or one of its accepted names).",
    ),
    (
        "column.duplicate",
        "Two columns both look like '{column}' ({first} and {second}); the first was used. Rename or delete the other.",
    ),
    // unknown-area
    (
        "area.not-a-code",
        "'{value}' is not an area code. Write the 6-digit commune code (PPDDCC) or the 2-digit province code.",
    ),
    ("area.unknown", "Area code {code} is not in the geography. Check the code against the commune list."),
    (
        "area.other-province",
        "Area code {code} belongs to province {actual}, but this file is in the folder of province {expected}. Move the row to the right province's file or correct the code.",
    ),
    (
        "area.level",
        "Area code {code} is a district; write one row per commune (or the province code for province-level rows).",
    ),
    (
        "area.name-mismatch",
        "The name '{written}' does not match area {code} ({expected}). Check that the code is right; the code was used.",
    ),
    // duplicate-row
    (
        "row.duplicate",
        "This row repeats area {code}{disagg}, already given on row {first}. Delete one of the two rows.",
    ),
    (
        "row.duplicate-budget",
        "This budget line (area {code}, '{activity}', {category}, {funding}) repeats row {first}. Delete one or give it a distinct activity.",
    ),
    // not-a-number / negative / bad-value
    (
        "value.not-a-number",
        "'{value}' in column '{column}' is not a number. Write a whole number (digits only), or leave blank if not known.",
    ),
    ("value.required-missing", "'{column}' is blank. It is required: write the number (0 if there were none)."),
    ("value.negative", "'{value}' in column '{column}' is negative. Counts and amounts cannot be below zero."),
    ("value.fraction", "'{value}' in column '{column}' is not a whole number of people; it was rounded to {rounded}."),
    ("value.error", "The cell holds the spreadsheet error {value}. Fix the formula or type the number."),
    (
        "value.formula-no-value",
        "The cell holds a formula ({formula}) but no saved result, so its value is unknown. Open the file in Excel or LibreOffice, let it calculate, and save it again.",
    ),
    ("value.bad-sex", "'{value}' is not a sex category. Use F or M (or leave blank for the total)."),
    ("value.bad-age", "'{value}' is not an age group. Use 0-14 or 15+ (or leave blank for the total)."),
    (
        "value.bad-category",
        "'{value}' is not a budget category. Use one of: prevention, testing, treatment, community, management, other.",
    ),
    ("value.bad-currency", "'{value}' is not a currency ftc knows. Use KHR or USD."),
    ("value.unknown-currency-rate", "Currency {value} has no exchange rate in ftc.toml; add it under [money.rates]."),
    // cascade-order / coverage
    (
        "cascade.order",
        "{later} ({later_value}) is greater than {earlier} ({earlier_value}). A later stage of the cascade cannot exceed an earlier one; check both numbers.",
    ),
    (
        "cascade.coverage",
        "Diagnosed ({diagnosed}) is greater than the PLHIV estimate ({plhiv}). This can happen when people are treated outside their home area; confirm the figures.",
    ),
    // totals
    (
        "totals.mismatch",
        "The totals row says {column} = {stated}, but the rows above add up to {sum} (difference {diff}). Correct the total or the rows.",
    ),
    (
        "totals.disagg-mismatch",
        "The total row of area {code} says {column} = {stated}, but its sex and age rows add up to {sum}. Correct one of them.",
    ),
    (
        "totals.province-row",
        "The row for province {code} gives PLHIV {stated}, while its communes add up to {sum}. A row under the province code is for people not attributable to any commune and is added to the communes; if this is the province total, delete it (ftc adds the communes up itself).",
    ),
    // budget
    (
        "budget.overspent",
        "Spent ({spent}) is more than approved ({approved}). Check the amounts; overspending must be explained.",
    ),
    ("budget.released-over-approved", "Released ({released}) is more than approved ({approved})."),
    ("budget.spent-over-released", "Spent ({spent}) is more than released ({released})."),
    // period
    (
        "period.mismatch",
        "The file says period {written}, but it is in the folder for {folder}. Move the file or correct the period.",
    ),
    ("period.unparsed", "'{value}' is not a reporting period ftc understands (write 2026-Q3, 2026-H1 or 2026)."),
    (
        "period.folder",
        "The folder '{folder}' is not a reporting period (2026-Q3, 2026-H1 or 2026); its files were skipped.",
    ),
    ("province.folder", "The folder '{folder}' does not name a province code (01-25); its files were skipped."),
    ("province.mismatch", "The file says province {written}, but it is in the folder for province {folder}."),
    // jump
    (
        "jump.value",
        "{column} of area {code} moved from {previous} in {previous_period} to {current} ({change}), more than the {limit} allowed. Confirm the figure.",
    ),
    // completeness / timeliness
    ("submission.missing", "Province {province} sent no {kind} file for {period}."),
    ("submission.late", "Submitted on {submitted}, after the deadline of {deadline} for {period}."),
    (
        "submission.no-date",
        "The file does not say when it was submitted, so timeliness cannot be judged. Fill in the 'Submitted' date above the table.",
    ),
    // read notes
    ("note.header-row", "Read sheet '{sheet}' as a {kind} table with its header on row {row}."),
    ("note.code-padded", "The code {value} was typed as a number and lost its leading zero; read as {code}."),
    (
        "note.numbers-as-text",
        "{count} number(s) were stored as text (with separators, Khmer digits or spaces) and were read as numbers.",
    ),
    (
        "note.totals-row",
        "Row {row} is a totals row ('{label}'); it was checked against the rows above and not counted as an area.",
    ),
    ("note.hidden-rows", "{count} hidden row(s) were read like any other row."),
    ("note.skipped-rows", "{count} row(s) with no area code and no numbers were skipped."),
    ("note.no-area", "This row has numbers but no area code; it was not counted. Fill in the area code."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_references() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(13, 5), "F14");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(column_letters(16383), "XFD");
    }

    #[test]
    fn location_display() {
        let l = Location::sheet("submissions/2026-Q3/12/cascade.xlsx", "Cascade").with_cell(13, 5);
        assert_eq!(l.to_string(), "submissions/2026-Q3/12/cascade.xlsx › Cascade › F14");
        let r = Location::sheet("a.csv", "a").with_row(3);
        assert_eq!(r.to_string(), "a.csv › a › row 4");
    }

    #[test]
    fn every_message_id_used_exists_and_args_fill() {
        let f = Finding::error(Rule::Negative, "value.negative", Location::file("x"))
            .arg("value", "-3")
            .arg("column", "on_art");
        assert_eq!(f.message(), "'-3' in column 'on_art' is negative. Counts and amounts cannot be below zero.");
        let ids: std::collections::BTreeSet<_> = MESSAGES.iter().map(|(id, _)| id).collect();
        assert_eq!(ids.len(), MESSAGES.len(), "message ids are unique");
    }
}

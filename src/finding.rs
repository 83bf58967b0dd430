//! Findings, shared by ingest and validate: what is wrong, how bad, and exactly where.
//!
//! A finding is a value, never a log line. Its message is rendered from a declarative table
//! (`MESSAGES`) keyed by a message id, with named arguments, so that the same finding can be
//! shown in English or Khmer and serialised for machines without losing its parts.

use crate::render::format::Lang;
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
    /// The word a person reads: `error`, or `កំហុស` in Khmer (the site's words, `severity.*`).
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (s, Lang::En) => s.as_str(),
            (Severity::Error, Lang::Km) => "កំហុស",
            (Severity::Warning, Lang::Km) => "ការព្រមាន",
            (Severity::Note, Lang::Km) => "កំណត់សម្គាល់",
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
        self.place_in(Lang::En)
    }
    /// `B14`, `row 14` (`ជួរទី 14` in Khmer), or nothing: a cell reference is the same in every
    /// language, a whole row is a word and a number.
    pub fn place_in(&self, lang: Lang) -> Option<String> {
        match (self.row, self.col, lang) {
            (Some(r), Some(c), _) => Some(a1(r, c)),
            (Some(r), None, Lang::En) => Some(format!("row {}", u64::from(r) + 1)),
            (Some(r), None, Lang::Km) => Some(format!("ជួរទី {}", u64::from(r) + 1)),
            _ => None,
        }
    }
    /// The whole place, as [`Display`](fmt::Display) writes it, with a row named in `lang`.
    pub fn to_string_in(&self, lang: Lang) -> String {
        [Some(self.file.clone()), self.sheet.clone(), self.place_in(lang)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" › ")
    }
}

impl fmt::Display for Location {
    /// `submissions/2026-Q3/12/cascade.xlsx › Cascade › F14`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_in(Lang::En))
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

/// One finding. `message` is the id of a sentence in [`MESSAGES`]; `args` fill its `{names}`,
/// and `args_km`, where given, fill them in the Khmer sentence instead (for the few arguments
/// that are words rather than values: a table kind, a Khmer column label).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub rule: Rule,
    #[serde(skip)]
    pub message_id: &'static str,
    #[serde(skip)]
    pub args: Vec<(&'static str, String)>,
    #[serde(skip)]
    pub args_km: Vec<(&'static str, String)>,
    /// The value seen in the cell, as text, where there is one.
    pub value: Option<String>,
    pub location: Location,
}

impl Finding {
    pub fn new(severity: Severity, rule: Rule, message_id: &'static str, location: Location) -> Self {
        Finding { severity, rule, message_id, args: Vec::new(), args_km: Vec::new(), value: None, location }
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
    /// The Khmer form of argument `name`, where its English form is a word (`cascade`).
    pub fn arg_km(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.args_km.push((name, value.to_string()));
        self
    }
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }
    /// The message in plain English words.
    pub fn message(&self) -> String {
        self.message_in(Lang::En)
    }
    /// The message in `lang`. Argument values (numbers, codes, cell contents) are shown as
    /// written, since they quote the file; only the sentence around them is translated.
    pub fn message_in(&self, lang: Lang) -> String {
        let Some((_, en, km)) = MESSAGES.iter().find(|(id, _, _)| *id == self.message_id) else {
            return fill(self.message_id, &[&self.args]);
        };
        match lang {
            Lang::En => fill(en, &[&self.args]),
            Lang::Km => fill(km, &[&self.args_km, &self.args]),
        }
    }
    /// Sort key: file, sheet, row, column, then rule, so output never wobbles.
    pub fn sort_key(&self) -> (&Location, Rule, &'static str) {
        (&self.location, self.rule, self.message_id)
    }
}

/// Fill each `{name}` of `template` from the first list that has `name`, in one pass, so a value
/// that itself contains `{...}` (a cell can hold anything) is never filled again. A placeholder
/// without an argument stays as written.
fn fill(template: &str, args: &[&[(&'static str, String)]]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name = after.find('}').map(|close| &after[..close]);
        match name.and_then(|n| args.iter().flat_map(|list| list.iter()).find(|(k, _)| *k == n)) {
            Some((k, v)) => {
                out.push_str(v);
                rest = &after[k.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{names}` a message template uses.
pub fn placeholders(template: &str) -> std::collections::BTreeSet<&str> {
    template.split('{').skip(1).filter_map(|x| x.split_once('}').map(|(n, _)| n)).collect()
}

/// Sort findings by place, then rule: the order every output uses.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()).then_with(|| a.args.cmp(&b.args)));
}

/// Every sentence a finding can say: (id, English, Khmer). One declarative table so a translation
/// sits next to its English and is reviewed with it. `{name}` is filled from the finding's
/// arguments and must be the same set in both languages (tested below). In the Khmer, technical
/// tokens stay as the user types or sees them (column ids, `.xlsx`, `CSV UTF-8`, menu paths such
/// as File › Save As, since the software's menus are English, example periods like 2026-Q3).
pub const MESSAGES: &[(&str, &str, &str)] = &[
    // unreadable-file
    (
        "file.io",
        "The file could not be read ({detail}). Check that it exists and is not open in another program.",
        "មិនអាចអានឯកសារនេះបានទេ ({detail})។ សូមពិនិត្យថាឯកសារនេះពិតជាមាន ហើយមិនកំពុងបើកនៅក្នុងកម្មវិធីផ្សេងទៀត។",
    ),
    (
        "file.too-large",
        "The file is {size} bytes, over the limit of {limit} bytes. Remove images or extra sheets, or split it.",
        "ឯកសារនេះមានទំហំ {size} បៃ លើសកម្រិត {limit} បៃ។ សូមលុបរូបភាព ឬសន្លឹកដែលមិនចាំបាច់ចេញ ឬបំបែកវាជាឯកសារច្រើន។",
    ),
    (
        "file.encrypted",
        "The workbook is password-protected or encrypted. Save an unprotected copy (File › Save As, remove the password) and submit that.",
        "ឯកសារនេះត្រូវបានការពារដោយពាក្យសម្ងាត់ ឬត្រូវបានអ៊ិនគ្រីប។ សូមរក្សាទុកច្បាប់ចម្លងមួយដែលគ្មានការការពារ (File › Save As ហើយដកពាក្យសម្ងាត់ចេញ) រួចដាក់ស្នើច្បាប់ចម្លងនោះ។",
    ),
    (
        "file.not-spreadsheet",
        "This is not a spreadsheet ftc can read ({detail}). Save it as .xlsx (or .ods, .xls, .xlsb, .csv).",
        "នេះមិនមែនជាឯកសារតារាងដែល ftc អាចអានបានទេ ({detail})។ សូមរក្សាទុកវាជា .xlsx (ឬ .ods, .xls, .xlsb, .csv)។",
    ),
    (
        "file.corrupt",
        "The {format} file is damaged and cannot be opened ({detail}). Open it in Excel or LibreOffice, save it again, and resubmit.",
        "ឯកសារ {format} នេះខូច ហើយមិនអាចបើកបានទេ ({detail})។ សូមបើកវានៅក្នុង Excel ឬ LibreOffice រក្សាទុកម្តងទៀត រួចដាក់ស្នើឡើងវិញ។",
    ),
    (
        "file.duplicate-zip-entry",
        "The workbook contains the part '{entry}' twice, so its contents are ambiguous (some programs would silently show an empty sheet). Open it in Excel or LibreOffice and save it again.",
        "ឯកសារនេះមានផ្នែក '{entry}' ពីរដង ដូច្នេះខ្លឹមសាររបស់វាមិនច្បាស់លាស់ (កម្មវិធីខ្លះអាចបង្ហាញសន្លឹកទទេដោយមិនប្រាប់)។ សូមបើកវានៅក្នុង Excel ឬ LibreOffice ហើយរក្សាទុកម្តងទៀត។",
    ),
    (
        "file.not-utf8",
        "The CSV file is not UTF-8 text (first bad byte {byte} at line {line}, character {column}); it was not read rather than guessed at, because a wrong guess garbles names. In Excel use File › Save As › 'CSV UTF-8 (Comma delimited)' (LibreOffice: character set 'Unicode (UTF-8)') and submit again.",
        "ឯកសារ CSV នេះមិនមែនជាអត្ថបទ UTF-8 ទេ (បៃខុសដំបូងគឺ {byte} នៅបន្ទាត់ទី {line} តួអក្សរទី {column})។ ftc មិនបានអានវាទេ ព្រោះបើទាយការអ៊ិនកូដខុស ឈ្មោះនឹងខូច។ នៅក្នុង Excel សូមប្រើ File › Save As › 'CSV UTF-8 (Comma delimited)' (នៅក្នុង LibreOffice៖ character set 'Unicode (UTF-8)') ហើយដាក់ស្នើម្តងទៀត។",
    ),
    (
        "file.symlink",
        "This is a symbolic link; ftc does not follow links, so what it points to was not read. Copy the file itself into the project folder.",
        "នេះជាតំណ (symbolic link)។ ftc មិនបើកតាមតំណទេ ដូច្នេះឯកសារដែលតំណនេះចង្អុលទៅមិនត្រូវបានអានទេ។ សូមចម្លងឯកសារពិតប្រាកដចូលទៅក្នុងថតគម្រោង។",
    ),
    (
        "file.xml-token-too-long",
        "The workbook's part '{part}' holds a single cell or tag of more than {limit} bytes, more than any spreadsheet program writes; it was not read (it could exhaust memory). Open the file in Excel or LibreOffice, delete the oversized cell, save it again, and resubmit.",
        "ផ្នែក '{part}' នៃឯកសារនេះមានក្រឡា ឬស្លាក (tag) តែមួយដែលធំជាង {limit} បៃ ធំជាងអ្វីដែលកម្មវិធីតារាងណាមួយសរសេរ។ វាមិនត្រូវបានអានទេ (វាអាចប្រើអង្គចងចាំអស់)។ សូមបើកឯកសារនៅក្នុង Excel ឬ LibreOffice លុបក្រឡាដែលធំហួសនោះ រក្សាទុកម្តងទៀត រួចដាក់ស្នើឡើងវិញ។",
    ),
    (
        "file.too-many-strings",
        "The workbook declares {count} distinct texts, more than ftc reads ({limit}); it was not read. Copy the cascade or budget sheet alone into a new workbook and submit that.",
        "ឯកសារនេះប្រកាសថាមានអត្ថបទខុសៗគ្នាចំនួន {count} ច្រើនជាងចំនួនដែល ftc អាន ({limit})។ វាមិនត្រូវបានអានទេ។ សូមចម្លងតែសន្លឹកខ្សែសង្វាក់សេវា ឬសន្លឹកថវិកា ទៅក្នុងឯកសារថ្មីមួយ រួចដាក់ស្នើឯកសារនោះ។",
    ),
    (
        "file.sheet-too-large",
        "Sheet '{sheet}' has content as far as {cell}, spanning {cells} cells, more than the {limit} ftc reads from an .ods sheet; the file was not read. Delete stray content far below or right of the table (or save the file as .xlsx) and resubmit.",
        "សន្លឹក '{sheet}' មានខ្លឹមសាររហូតដល់ {cell} គ្របដណ្តប់ក្រឡាចំនួន {cells} ច្រើនជាង {limit} ក្រឡាដែល ftc អានពីសន្លឹក .ods។ ឯកសារនេះមិនត្រូវបានអានទេ។ សូមលុបខ្លឹមសារដែលនៅឆ្ងាយខាងក្រោម ឬខាងស្តាំតារាង (ឬរក្សាទុកឯកសារជា .xlsx) រួចដាក់ស្នើឡើងវិញ។",
    ),
    (
        "file.too-many-columns",
        "Sheet '{sheet}' has data in {cell}, beyond the limit of {limit} columns; columns past the limit were not read. Delete stray content far right of the table.",
        "សន្លឹក '{sheet}' មានទិន្នន័យនៅក្រឡា {cell} ហួសកម្រិត {limit} ជួរឈរ។ ជួរឈរដែលហួសកម្រិតមិនត្រូវបានអានទេ។ សូមលុបខ្លឹមសារដែលនៅឆ្ងាយខាងស្តាំតារាង។",
    ),
    (
        "file.not-utf16",
        "The CSV file starts as UTF-16 text but is not valid UTF-16 ({detail}). Save it as 'CSV UTF-8 (Comma delimited)' and submit again.",
        "ឯកសារ CSV នេះចាប់ផ្តើមជាអត្ថបទ UTF-16 ប៉ុន្តែមិនមែនជា UTF-16 ត្រឹមត្រូវទេ ({detail})។ សូមរក្សាទុកវាជា 'CSV UTF-8 (Comma delimited)' ហើយដាក់ស្នើម្តងទៀត។",
    ),
    (
        "file.utf16",
        "The file is UTF-16 text ({encoding}, as Excel saves 'Unicode text'); it was decoded as such.",
        "ឯកសារនេះជាអត្ថបទ UTF-16 ({encoding} ដូចដែល Excel រក្សាទុកជា 'Unicode text')។ វាត្រូវបានអានជា UTF-16។",
    ),
    ("file.empty", "The file is empty.", "ឯកសារនេះទទេ។"),
    (
        "file.sheet-unreadable",
        "Sheet '{sheet}' could not be read ({detail}); the rest of the workbook was read. Open the file and save it again if this sheet holds data.",
        "មិនអាចអានសន្លឹក '{sheet}' បានទេ ({detail})។ ផ្នែកផ្សេងទៀតនៃឯកសារត្រូវបានអាន។ ប្រសិនបើសន្លឹកនេះមានទិន្នន័យ សូមបើកឯកសារ ហើយរក្សាទុកម្តងទៀត។",
    ),
    (
        "file.too-many-cells",
        "Sheet '{sheet}' has data out to row {rows}, beyond the limit of {limit} rows; only the first {limit} rows were read. Delete stray content far below the table.",
        "សន្លឹក '{sheet}' មានទិន្នន័យរហូតដល់ជួរទី {rows} ហួសកម្រិត {limit} ជួរ។ មានតែ {limit} ជួរដំបូងប៉ុណ្ណោះដែលត្រូវបានអាន។ សូមលុបខ្លឹមសារដែលនៅឆ្ងាយខាងក្រោមតារាង។",
    ),
    (
        "file.extension-mismatch",
        "The file is named .{extension} but its content is {format}; it was read as {format}.",
        "ឈ្មោះឯកសារនេះបញ្ចប់ដោយ .{extension} ប៉ុន្តែខ្លឹមសាររបស់វាជា {format}។ វាត្រូវបានអានជា {format}។",
    ),
    (
        "file.unsupported-sheet-type",
        "The workbook contains a sheet kind ftc cannot open, such as an Excel 4.0 macro or dialog sheet ({detail}). Copy the data sheets into a new workbook and submit that.",
        "ឯកសារនេះមានប្រភេទសន្លឹកដែល ftc មិនអាចបើកបាន ដូចជាសន្លឹកម៉ាក្រូ Excel 4.0 ឬសន្លឹកប្រអប់ (dialog) ({detail})។ សូមចម្លងសន្លឹកទិន្នន័យទៅក្នុងឯកសារថ្មីមួយ រួចដាក់ស្នើឯកសារនោះ។",
    ),
    (
        "file.formulas-no-value",
        "Sheet '{sheet}' has {count} formula(s) saved without their results (first here), so their values are unknown. Open the file in Excel or LibreOffice, let it calculate, and save it again.",
        "សន្លឹក '{sheet}' មានរូបមន្តចំនួន {count} ដែលត្រូវបានរក្សាទុកដោយគ្មានលទ្ធផល (រូបមន្តទីមួយនៅទីនេះ) ដូច្នេះមិនដឹងតម្លៃរបស់វាទេ។ សូមបើកឯកសារនៅក្នុង Excel ឬ LibreOffice ទុកឱ្យវាគណនា ហើយរក្សាទុកម្តងទៀត។",
    ),
    (
        "file.macro-sheet-skipped",
        "Sheet '{sheet}' is a macro, dialog or chart sheet and was skipped.",
        "សន្លឹក '{sheet}' ជាសន្លឹកម៉ាក្រូ ប្រអប់ (dialog) ឬក្រាហ្វ ហើយត្រូវបានរំលង។",
    ),
    // missing-sheet / missing-column
    (
        "sheet.none",
        "No sheet in this file has a header row with the cascade columns (area_code, plhiv, diagnosed, on_art, vl_suppressed) or the budget columns (area_code, activity, category, funding_source, approved, spent). Check the header labels against the template.",
        "គ្មានសន្លឹកណាមួយនៅក្នុងឯកសារនេះមានជួរក្បាលតារាងដែលមានជួរឈរខ្សែសង្វាក់សេវា (area_code, plhiv, diagnosed, on_art, vl_suppressed) ឬជួរឈរថវិកា (area_code, activity, category, funding_source, approved, spent) ទេ។ សូមផ្ទៀងផ្ទាត់ចំណងជើងជួរឈរជាមួយគំរូ។",
    ),
    (
        "column.missing",
        "The required column '{column}' was not found in the header (row {row}). Add a column headed '{label}' (or one of its accepted names).",
        "រកមិនឃើញជួរឈរចាំបាច់ '{column}' នៅក្នុងក្បាលតារាង (ជួរទី {row}) ទេ។ សូមបន្ថែមជួរឈរមួយដែលមានចំណងជើង '{label}' (ឬឈ្មោះផ្សេងទៀតដែលទទួលយកបាន)។",
    ),
    (
        "column.duplicate",
        "Two columns both look like '{column}' ({first} and {second}); the first was used. Rename or delete the other.",
        "មានជួរឈរពីរដែលមើលទៅដូចជា '{column}' ({first} និង {second})។ ជួរឈរទីមួយត្រូវបានប្រើ។ សូមប្តូរឈ្មោះ ឬលុបជួរឈរមួយទៀត។",
    ),
    // unknown-area
    (
        "area.not-a-code",
        "'{value}' is not an area code. Write the 6-digit commune code (PPDDCC) or the 2-digit province code.",
        "'{value}' មិនមែនជាលេខកូដតំបន់ទេ។ សូមសរសេរលេខកូដឃុំ/សង្កាត់ ៦ ខ្ទង់ (PPDDCC) ឬលេខកូដខេត្ត ២ ខ្ទង់។",
    ),
    (
        "area.unknown",
        "Area code {code} is not in the geography. Check the code against the commune list.",
        "លេខកូដតំបន់ {code} មិនមាននៅក្នុងបញ្ជីភូមិសាស្ត្រទេ។ សូមផ្ទៀងផ្ទាត់លេខកូដនេះជាមួយបញ្ជីឃុំ/សង្កាត់។",
    ),
    (
        "area.other-province",
        "Area code {code} belongs to province {actual}, but this file is in the folder of province {expected}. Move the row to the right province's file or correct the code.",
        "លេខកូដតំបន់ {code} ជារបស់ខេត្ត {actual} ប៉ុន្តែឯកសារនេះស្ថិតនៅក្នុងថតរបស់ខេត្ត {expected}។ សូមផ្លាស់ទីជួរនេះទៅឯកសាររបស់ខេត្តដែលត្រឹមត្រូវ ឬកែលេខកូដ។",
    ),
    (
        "area.level",
        "Area code {code} is a district; write one row per commune (or the province code for province-level rows).",
        "លេខកូដតំបន់ {code} ជាលេខកូដស្រុក/ខណ្ឌ។ សូមសរសេរមួយជួរសម្រាប់ឃុំ/សង្កាត់នីមួយៗ (ឬប្រើលេខកូដខេត្តសម្រាប់ជួរកម្រិតខេត្ត)។",
    ),
    (
        "area.name-mismatch",
        "The name '{written}' does not match area {code} ({expected}). Check that the code is right; the code was used.",
        "ឈ្មោះ '{written}' មិនត្រូវនឹងតំបន់ {code} ({expected}) ទេ។ សូមពិនិត្យថាលេខកូដត្រឹមត្រូវ។ ftc បានប្រើលេខកូដ។",
    ),
    // duplicate-row
    (
        "row.duplicate",
        "This row repeats area {code}{disagg}, already given on row {first}. Delete one of the two rows.",
        "ជួរនេះស្ទួនតំបន់ {code}{disagg} ដែលមានរួចហើយនៅជួរទី {first}។ សូមលុបជួរមួយក្នុងចំណោមជួរទាំងពីរ។",
    ),
    (
        "row.duplicate-budget",
        "This budget line (area {code}, '{activity}', {category}, {funding}) repeats row {first}. Delete one or give it a distinct activity.",
        "ជួរថវិកានេះ (តំបន់ {code}, '{activity}', {category}, {funding}) ស្ទួននឹងជួរទី {first}។ សូមលុបជួរមួយ ឬដាក់ឈ្មោះសកម្មភាពឱ្យខុសគ្នា។",
    ),
    // not-a-number / negative / bad-value
    (
        "value.not-a-number",
        "'{value}' in column '{column}' is not a number. Write a whole number (digits only), or leave blank if not known.",
        "'{value}' នៅក្នុងជួរឈរ '{column}' មិនមែនជាលេខទេ។ សូមសរសេរចំនួនគត់ (តែខ្ទង់លេខប៉ុណ្ណោះ) ឬទុកឱ្យទទេ ប្រសិនបើមិនដឹង។",
    ),
    (
        "value.required-missing",
        "'{column}' is blank. It is required: write the number (0 if there were none).",
        "'{column}' នៅទទេ។ ជួរឈរនេះត្រូវតែបំពេញ៖ សូមសរសេរចំនួន (សរសេរ 0 ប្រសិនបើគ្មាន)។",
    ),
    (
        "value.negative",
        "'{value}' in column '{column}' is negative. Counts and amounts cannot be below zero.",
        "'{value}' នៅក្នុងជួរឈរ '{column}' ជាចំនួនអវិជ្ជមាន។ ចំនួនមនុស្ស និងចំនួនទឹកប្រាក់មិនអាចតិចជាងសូន្យបានទេ។",
    ),
    (
        "value.fraction",
        "'{value}' in column '{column}' is not a whole number of people; it was rounded to {rounded}.",
        "'{value}' នៅក្នុងជួរឈរ '{column}' មិនមែនជាចំនួនមនុស្សគត់ទេ។ វាត្រូវបានបង្គត់ទៅ {rounded}។",
    ),
    (
        "value.error",
        "The cell holds the spreadsheet error {value}. Fix the formula or type the number.",
        "ក្រឡានេះមានកំហុសរូបមន្ត {value}។ សូមកែរូបមន្ត ឬវាយបញ្ចូលលេខ។",
    ),
    (
        "value.formula-no-value",
        "The cell holds a formula ({formula}) but no saved result, so its value is unknown. Open the file in Excel or LibreOffice, let it calculate, and save it again.",
        "ក្រឡានេះមានរូបមន្ត ({formula}) ប៉ុន្តែគ្មានលទ្ធផលដែលបានរក្សាទុក ដូច្នេះមិនដឹងតម្លៃរបស់វាទេ។ សូមបើកឯកសារនៅក្នុង Excel ឬ LibreOffice ទុកឱ្យវាគណនា ហើយរក្សាទុកម្តងទៀត។",
    ),
    (
        "value.bad-sex",
        "'{value}' is not a sex category. Use F or M (or leave blank for the total).",
        "'{value}' មិនមែនជាភេទទេ។ សូមប្រើ F (ស្រី) ឬ M (ប្រុស) (ឬទុកឱ្យទទេសម្រាប់ចំនួនសរុប)។",
    ),
    (
        "value.bad-age",
        "'{value}' is not an age group. Use 0-14 or 15+ (or leave blank for the total).",
        "'{value}' មិនមែនជាក្រុមអាយុទេ។ សូមប្រើ 0-14 ឬ 15+ (ឬទុកឱ្យទទេសម្រាប់ចំនួនសរុប)។",
    ),
    (
        "value.bad-category",
        "'{value}' is not a budget category. Use one of: prevention, testing, treatment, community, management, other.",
        "'{value}' មិនមែនជាប្រភេទថវិកាទេ។ សូមប្រើមួយក្នុងចំណោម៖ prevention, testing, treatment, community, management, other។",
    ),
    (
        "value.bad-currency",
        "'{value}' is not a currency ftc knows. Use KHR or USD.",
        "'{value}' មិនមែនជារូបិយប័ណ្ណដែល ftc ស្គាល់ទេ។ សូមប្រើ KHR ឬ USD។",
    ),
    (
        "value.unknown-currency-rate",
        "Currency {value} has no exchange rate in ftc.toml; add it under [money.rates].",
        "រូបិយប័ណ្ណ {value} មិនមានអត្រាប្តូរប្រាក់នៅក្នុង ftc.toml ទេ។ សូមបន្ថែមវានៅក្រោម [money.rates]។",
    ),
    // cascade-order / coverage
    (
        "cascade.order",
        "{later} ({later_value}) is greater than {earlier} ({earlier_value}). A later stage of the cascade cannot exceed an earlier one; check both numbers.",
        "{later} ({later_value}) ធំជាង {earlier} ({earlier_value})។ ដំណាក់កាលក្រោយនៃខ្សែសង្វាក់សេវាមិនអាចលើសដំណាក់កាលមុនបានទេ។ សូមពិនិត្យលេខទាំងពីរ។",
    ),
    (
        "cascade.coverage",
        "Diagnosed ({diagnosed}) is greater than the PLHIV estimate ({plhiv}). This can happen when people are treated outside their home area; confirm the figures.",
        "ចំនួនអ្នកបានធ្វើរោគវិនិច្ឆ័យ ({diagnosed}) ធំជាងចំនួនប៉ាន់ស្មាននៃអ្នករស់នៅជាមួយមេរោគអេដស៍ ({plhiv})។ ករណីនេះអាចកើតឡើង នៅពេលមនុស្សទទួលការព្យាបាលនៅក្រៅតំបន់លំនៅរបស់ខ្លួន។ សូមបញ្ជាក់តួលេខទាំងនេះ។",
    ),
    // totals
    (
        "totals.mismatch",
        "The totals row says {column} = {stated}, but the rows above add up to {sum} (difference {diff}). Correct the total or the rows.",
        "ជួរសរុបបង្ហាញ {column} = {stated} ប៉ុន្តែជួរខាងលើបូកបញ្ចូលគ្នាបាន {sum} (ខុសគ្នា {diff})។ សូមកែចំនួនសរុប ឬកែជួរទាំងនោះ។",
    ),
    (
        "totals.disagg-mismatch",
        "The total row of area {code} says {column} = {stated}, but its sex and age rows add up to {sum}. Correct one of them.",
        "ជួរសរុបនៃតំបន់ {code} បង្ហាញ {column} = {stated} ប៉ុន្តែជួរតាមភេទ និងអាយុរបស់វាបូកបញ្ចូលគ្នាបាន {sum}។ សូមកែមួយក្នុងចំណោមពួកវា។",
    ),
    (
        "totals.province-row",
        "The row for province {code} gives PLHIV {stated}, while its communes add up to {sum}. A row under the province code is for people not attributable to any commune and is added to the communes; if this is the province total, delete it (ftc adds the communes up itself).",
        "ជួរសម្រាប់ខេត្ត {code} ផ្តល់ចំនួនអ្នករស់នៅជាមួយមេរោគអេដស៍ {stated} ខណៈដែលឃុំ/សង្កាត់របស់ខេត្តនេះបូកបញ្ចូលគ្នាបាន {sum}។ ជួរដែលប្រើលេខកូដខេត្ត គឺសម្រាប់មនុស្សដែលមិនអាចកំណត់ថាជារបស់ឃុំ/សង្កាត់ណាមួយបាន ហើយត្រូវបានបូកបន្ថែមលើឃុំ/សង្កាត់។ ប្រសិនបើនេះជាចំនួនសរុបរបស់ខេត្ត សូមលុបវាចេញ (ftc បូកឃុំ/សង្កាត់ដោយខ្លួនឯង)។",
    ),
    // budget
    (
        "budget.overspent",
        "Spent ({spent}) is more than approved ({approved}). Check the amounts; overspending must be explained.",
        "ថវិកាបានចំណាយ ({spent}) ច្រើនជាងថវិកាអនុម័ត ({approved})។ សូមពិនិត្យចំនួនទឹកប្រាក់។ ការចំណាយលើសត្រូវតែមានការពន្យល់។",
    ),
    (
        "budget.released-over-approved",
        "Released ({released}) is more than approved ({approved}).",
        "ថវិកាបានបញ្ចេញ ({released}) ច្រើនជាងថវិកាអនុម័ត ({approved})។",
    ),
    (
        "budget.spent-over-released",
        "Spent ({spent}) is more than released ({released}).",
        "ថវិកាបានចំណាយ ({spent}) ច្រើនជាងថវិកាបានបញ្ចេញ ({released})។",
    ),
    // period
    (
        "period.mismatch",
        "The file says period {written}, but it is in the folder for {folder}. Move the file or correct the period.",
        "ឯកសារនេះសរសេររយៈពេល {written} ប៉ុន្តែវាស្ថិតនៅក្នុងថតសម្រាប់ {folder}។ សូមផ្លាស់ទីឯកសារ ឬកែរយៈពេល។",
    ),
    (
        "period.unparsed",
        "'{value}' is not a reporting period ftc understands (write 2026-Q3, 2026-H1 or 2026).",
        "'{value}' មិនមែនជារយៈពេលរបាយការណ៍ដែល ftc យល់ទេ (សូមសរសេរ 2026-Q3, 2026-H1 ឬ 2026)។",
    ),
    (
        "period.folder",
        "The folder '{folder}' is not a reporting period (2026-Q3, 2026-H1 or 2026); its files were skipped.",
        "ថត '{folder}' មិនមែនជារយៈពេលរបាយការណ៍ទេ (2026-Q3, 2026-H1 ឬ 2026)។ ឯកសារនៅក្នុងថតនេះត្រូវបានរំលង។",
    ),
    (
        "province.folder",
        "The folder '{folder}' does not name a province code (01-25); its files were skipped.",
        "ឈ្មោះថត '{folder}' មិនមានលេខកូដខេត្ត (01-25) ទេ។ ឯកសារនៅក្នុងថតនេះត្រូវបានរំលង។",
    ),
    (
        "province.mismatch",
        "The file says province {written}, but it is in the folder for province {folder}.",
        "ឯកសារនេះសរសេរខេត្ត {written} ប៉ុន្តែវាស្ថិតនៅក្នុងថតសម្រាប់ខេត្ត {folder}។",
    ),
    // jump
    (
        "jump.value",
        "{column} of area {code} moved from {previous} in {previous_period} to {current} ({change}), more than the {limit} allowed. Confirm the figure.",
        "{column} នៃតំបន់ {code} បានប្រែប្រួលពី {previous} ក្នុង {previous_period} ទៅ {current} ({change}) លើសពីកម្រិត {limit} ដែលអនុញ្ញាត។ សូមបញ្ជាក់តួលេខនេះ។",
    ),
    // completeness / timeliness
    (
        "submission.missing",
        "Province {province} sent no {kind} file for {period}.",
        "ខេត្ត {province} មិនបានផ្ញើឯកសារ{kind} សម្រាប់ {period} ទេ។",
    ),
    (
        "submission.late",
        "Submitted on {submitted}, after the deadline of {deadline} for {period}.",
        "បានដាក់ស្នើនៅថ្ងៃ {submitted} ក្រោយថ្ងៃផុតកំណត់ {deadline} សម្រាប់ {period}។",
    ),
    (
        "submission.no-date",
        "The file does not say when it was submitted, so timeliness cannot be judged. Fill in the 'Submitted' date above the table.",
        "ឯកសារនេះមិនបានបញ្ជាក់ថាបានដាក់ស្នើនៅពេលណាទេ ដូច្នេះមិនអាចវាយតម្លៃថាទាន់ពេលឬអត់បានទេ។ សូមបំពេញកាលបរិច្ឆេទ 'Submitted' នៅខាងលើតារាង។",
    ),
    // read notes
    (
        "note.header-row",
        "Read sheet '{sheet}' as a {kind} table with its header on row {row}.",
        "បានអានសន្លឹក '{sheet}' ជាតារាង{kind} ដែលមានក្បាលតារាងនៅជួរទី {row}។",
    ),
    (
        "note.code-padded",
        "The code {value} was typed as a number and lost its leading zero; read as {code}.",
        "លេខកូដ {value} ត្រូវបានវាយជាលេខ ហើយបាត់លេខសូន្យខាងមុខ។ បានអានជា {code}។",
    ),
    (
        "note.numbers-as-text",
        "{count} number(s) were stored as text (with separators, Khmer digits or spaces) and were read as numbers.",
        "លេខចំនួន {count} ត្រូវបានរក្សាទុកជាអត្ថបទ (មានសញ្ញាបំបែក លេខខ្មែរ ឬដកឃ្លា) ហើយត្រូវបានអានជាលេខ។",
    ),
    (
        "note.totals-row",
        "Row {row} is a totals row ('{label}'); it was checked against the rows above and not counted as an area.",
        "ជួរទី {row} ជាជួរសរុប ('{label}')។ វាត្រូវបានផ្ទៀងផ្ទាត់ជាមួយជួរខាងលើ ហើយមិនត្រូវបានរាប់ជាតំបន់ទេ។",
    ),
    (
        "note.hidden-rows",
        "{count} hidden row(s) were read like any other row.",
        "ជួរដែលបានលាក់ចំនួន {count} ត្រូវបានអានដូចជួរផ្សេងទៀតដែរ។",
    ),
    (
        "note.skipped-rows",
        "{count} row(s) with no area code and no numbers were skipped.",
        "ជួរចំនួន {count} ដែលគ្មានលេខកូដតំបន់ និងគ្មានលេខ ត្រូវបានរំលង។",
    ),
    (
        "note.no-area",
        "This row has numbers but no area code; it was not counted. Fill in the area code.",
        "ជួរនេះមានលេខ ប៉ុន្តែគ្មានលេខកូដតំបន់ ដូច្នេះមិនត្រូវបានរាប់ទេ។ សូមបំពេញលេខកូដតំបន់។",
    ),
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
        assert_eq!(r.to_string_in(Lang::Km), "a.csv › a › ជួរទី 4");
        assert_eq!(l.to_string_in(Lang::Km), l.to_string(), "a cell reference is the same in Khmer");
        assert_eq!(Location::file("x.csv").to_string(), "x.csv");
    }

    #[test]
    fn every_message_id_used_exists_and_args_fill() {
        let f = Finding::error(Rule::Negative, "value.negative", Location::file("x"))
            .arg("value", "-3")
            .arg("column", "on_art");
        assert_eq!(f.message(), "'-3' in column 'on_art' is negative. Counts and amounts cannot be below zero.");
        let ids: std::collections::BTreeSet<_> = MESSAGES.iter().map(|(id, _, _)| id).collect();
        assert_eq!(ids.len(), MESSAGES.len(), "message ids are unique");
    }

    #[test]
    fn every_message_has_khmer_with_the_same_placeholders() {
        let khmer = |c: char| ('\u{1780}'..='\u{17FF}').contains(&c);
        for (id, en, km) in MESSAGES {
            assert!(km.chars().any(khmer), "{id}: the Khmer sentence has no Khmer script: {km}");
            assert_eq!(placeholders(en), placeholders(km), "{id}: placeholders differ between English and Khmer");
            // A Khmer sentence ends with a Khmer full stop (khan), not an English one.
            assert!(km.ends_with('។'), "{id}: {km}");
        }
    }

    #[test]
    fn message_in_khmer_fills_values_as_written_and_prefers_khmer_words() {
        let f = Finding::error(Rule::Negative, "value.negative", Location::file("x"))
            .arg("value", "-3")
            .arg("column", "on_art");
        assert_eq!(f.message_in(Lang::En), f.message());
        assert_eq!(
            f.message_in(Lang::Km),
            "'-3' នៅក្នុងជួរឈរ 'on_art' ជាចំនួនអវិជ្ជមាន។ ចំនួនមនុស្ស និងចំនួនទឹកប្រាក់មិនអាចតិចជាងសូន្យបានទេ។"
        );
        let n = Finding::note("note.header-row", Location::file("x"))
            .arg("sheet", "Cascade")
            .arg("kind", "cascade")
            .arg_km("kind", "ខ្សែសង្វាក់សេវា")
            .arg("row", 6);
        assert_eq!(n.message(), "Read sheet 'Cascade' as a cascade table with its header on row 6.");
        assert_eq!(n.message_in(Lang::Km), "បានអានសន្លឹក 'Cascade' ជាតារាងខ្សែសង្វាក់សេវា ដែលមានក្បាលតារាងនៅជួរទី 6។");
        // A value holding a placeholder's name is shown as written, not filled again.
        let v = Finding::error(Rule::Negative, "value.negative", Location::file("x"))
            .arg("value", "{column}")
            .arg("column", "plhiv");
        assert!(v.message().starts_with("'{column}' in column 'plhiv'"), "{}", v.message());
        for s in [Severity::Error, Severity::Warning, Severity::Note] {
            assert_eq!(s.label(Lang::En), s.as_str());
            // The same words as the site's (`severity.*` in render/i18n.rs).
            let key = format!("severity.{}", s.as_str());
            assert_eq!(s.label(Lang::Km), crate::render::i18n::t(&key, Lang::Km));
        }
    }
}

//! A validated part ([`Dataset`] of one submission) as bytes and back, for the build cache
//! (`crate::build::DiskCache`). The format is this crate's own and changes with it: a stored
//! part is only ever read by the same executable that wrote it (the cache's key says which), so
//! there is no versioning beyond [`MAGIC`], and anything unexpected reads as `None`: the file is
//! then read and validated again, never trusted.
//!
//! Numbers are LEB128 (signed ones zigzagged), `f64` as its 8 bytes, text as its length and
//! UTF-8 bytes (the words rows repeat, once, then by number), an `Option` as a 0/1 byte before its value, a list as its length before its
//! items. The words a part holds as `&'static str` (message ids, argument names, column ids) are
//! stored as text and found again in the tables they came from; one that is not there makes the
//! part unreadable, so it is validated again rather than read wrong. The payload ends with its
//! SHA-256, so a damaged file is refused rather than read as other figures.

use super::{AgeGroup, BudgetRow, CascadeRow, Category, ColumnReport, Dataset, FileReport, Sex, TableReport};
use crate::finding::{Finding, Location, MESSAGES, Rule, Severity};
use crate::ingest::aliases::{COLUMNS, TableKind};
use crate::ingest::sniff::Format;
use crate::period::Period;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

/// The first bytes of every stored part.
pub const MAGIC: &[u8; 8] = b"ftcpart1";

const RULES: [Rule; 21] = [
    Rule::UnreadableFile,
    Rule::MissingSheet,
    Rule::MissingColumn,
    Rule::UnknownArea,
    Rule::DuplicateRow,
    Rule::NotANumber,
    Rule::Negative,
    Rule::CascadeOrder,
    Rule::CoverageOver100,
    Rule::TotalsMismatch,
    Rule::Overspent,
    Rule::ReleaseExceeded,
    Rule::PeriodMismatch,
    Rule::Jump,
    Rule::MissingSubmission,
    Rule::LateSubmission,
    Rule::ProvinceMismatch,
    Rule::NameMismatch,
    Rule::BadValue,
    Rule::FormulaNoValue,
    Rule::ReadNote,
];
const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Note];
const FORMATS: [Format; 5] = [Format::Xlsx, Format::Xlsb, Format::Xls, Format::Ods, Format::Csv];
const KINDS: [TableKind; 2] = [TableKind::Cascade, TableKind::Budget];
const SEXES: [Sex; 2] = [Sex::Female, Sex::Male];
const AGES: [AgeGroup; 2] = [AgeGroup::Child, AgeGroup::Adult];

/// `part` as bytes, or `None` when it holds something this format cannot say (then it is not
/// stored).
pub fn encode(part: &Dataset) -> Option<Vec<u8>> {
    let rows = part.cascade.len() + part.budget.len();
    let mut w = W(Vec::with_capacity(64 + rows * 48), std::collections::HashMap::new());
    w.0.extend_from_slice(MAGIC);
    w.len(part.cascade.len());
    for r in &part.cascade {
        w.period(r.period);
        w.word(&r.province);
        w.word(&r.area_code);
        w.opt(r.sex, |w, s| w.index(&SEXES, s))?;
        w.opt(r.age_group, |w, a| w.index(&AGES, a))?;
        for n in [r.plhiv, r.diagnosed, r.on_art] {
            w.u64(n);
        }
        w.opt(r.vl_tested, |w, n| {
            w.u64(n);
            Some(())
        })?;
        w.u64(r.vl_suppressed);
        w.location(&r.location);
    }
    w.len(part.budget.len());
    for r in &part.budget {
        w.period(r.period);
        w.word(&r.province);
        w.word(&r.area_code);
        w.word(&r.activity);
        w.index(&Category::ALL, r.category)?;
        w.word(&r.funding_source);
        w.word(&r.currency);
        w.f64(r.approved);
        w.opt(r.released, |w, x| {
            w.f64(x);
            Some(())
        })?;
        w.f64(r.spent);
        w.location(&r.location);
    }
    w.len(part.files.len());
    for f in &part.files {
        w.file(f)?;
    }
    w.len(part.findings.len());
    for f in &part.findings {
        w.finding(f)?;
    }
    let sum: [u8; 32] = Sha256::digest(&w.0).into();
    w.0.extend_from_slice(&sum);
    Some(w.0)
}

/// The part `bytes` hold, or `None` when they are not one this build wrote whole.
pub fn decode(bytes: &[u8]) -> Option<Dataset> {
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
    if !body.starts_with(MAGIC) || Sha256::digest(body).as_slice() != sum {
        return None;
    }
    let mut r = R { b: body, at: MAGIC.len(), words: Vec::new() };
    let mut part = Dataset::default();
    let n = r.len()?;
    part.cascade.reserve(n);
    for _ in 0..n {
        part.cascade.push(CascadeRow {
            period: r.period()?,
            province: r.word()?,
            area_code: r.word()?,
            sex: r.opt(|r| r.pick(&SEXES))?,
            age_group: r.opt(|r| r.pick(&AGES))?,
            plhiv: r.u64()?,
            diagnosed: r.u64()?,
            on_art: r.u64()?,
            vl_tested: r.opt(R::u64)?,
            vl_suppressed: r.u64()?,
            location: r.location()?,
        });
    }
    let n = r.len()?;
    part.budget.reserve(n);
    for _ in 0..n {
        part.budget.push(BudgetRow {
            period: r.period()?,
            province: r.word()?,
            area_code: r.word()?,
            activity: r.word()?,
            category: r.pick(&Category::ALL)?,
            funding_source: r.word()?,
            currency: r.word()?,
            approved: r.f64()?,
            released: r.opt(R::f64)?,
            spent: r.f64()?,
            location: r.location()?,
        });
    }
    for _ in 0..r.len()? {
        part.files.push(r.file()?);
    }
    for _ in 0..r.len()? {
        part.findings.push(r.finding()?);
    }
    (r.at == body.len()).then_some(part)
}

/// The bytes written so far, and the words already written in them (a word written again is
/// its number in this list: a part's rows repeat their file, sheet, province, area, activity,
/// source and currency).
struct W<'p>(Vec<u8>, std::collections::HashMap<&'p str, u64>);

impl<'p> W<'p> {
    fn u64(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    fn i64(&mut self, v: i64) {
        self.u64(((v << 1) ^ (v >> 63)) as u64);
    }
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    fn f64(&mut self, x: f64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    /// A word: its number when written before (counted from 1), else 0 and the text.
    fn word(&mut self, s: &'p str) {
        match self.1.get(s) {
            Some(&n) => self.u64(n),
            None => {
                let n = self.1.len() as u64 + 1;
                self.1.insert(s, n);
                self.u64(0);
                self.str(s);
            }
        }
    }
    fn flag(&mut self, b: bool) {
        self.0.push(u8::from(b));
    }
    fn opt<T>(&mut self, v: Option<T>, put: impl FnOnce(&mut Self, T) -> Option<()>) -> Option<()> {
        self.flag(v.is_some());
        v.map_or(Some(()), |v| put(self, v))
    }
    fn index<T: PartialEq>(&mut self, all: &[T], v: T) -> Option<()> {
        self.len(all.iter().position(|x| *x == v)?);
        Some(())
    }
    fn opt_str(&mut self, s: Option<&str>) {
        self.flag(s.is_some());
        if let Some(s) = s {
            self.str(s);
        }
    }
    fn period(&mut self, p: Option<Period>) {
        let (kind, year, n) = match p {
            None => (0, 0, 0),
            Some(Period::Quarter { year, quarter }) => (1, year, quarter),
            Some(Period::Half { year, half }) => (2, year, half),
            Some(Period::Year { year }) => (3, year, 0),
        };
        self.0.push(kind);
        if kind != 0 {
            self.i64(i64::from(year));
            self.0.push(n);
        }
    }
    fn location(&mut self, l: &'p Location) {
        self.word(&l.file);
        self.flag(l.sheet.is_some());
        if let Some(s) = &l.sheet {
            self.word(s);
        }
        for x in [l.row, l.col] {
            self.flag(x.is_some());
            if let Some(x) = x {
                self.u64(u64::from(x));
            }
        }
    }
    fn file(&mut self, f: &'p FileReport) -> Option<()> {
        self.str(&f.path);
        self.opt(f.format, |w, x| w.index(&FORMATS, x))?;
        self.u64(f.bytes);
        self.period(f.period);
        self.opt_str(f.province.as_deref());
        self.opt_str(f.period_written.as_deref());
        self.opt(f.submitted, |w, d| {
            w.i64(i64::from(chrono::Datelike::num_days_from_ce(&d)));
            Some(())
        })?;
        self.opt(f.submitted_cell.as_ref(), |w, l| {
            w.location(l);
            Some(())
        })?;
        self.len(f.tables.len());
        for t in &f.tables {
            self.str(&t.sheet);
            self.index(&KINDS, t.kind)?;
            self.u64(u64::from(t.header_rows.0));
            self.u64(u64::from(t.header_rows.1));
            for list in [&t.columns, &t.ignored_columns] {
                self.len(list.len());
                for c in list {
                    self.str(&c.column);
                    self.str(&c.header);
                    self.opt_str(c.field);
                }
            }
            for n in [t.rows_read, t.rows_used, t.totals_rows] {
                self.len(n);
            }
            self.len(t.totals.len());
            for (k, v) in &t.totals {
                self.str(k);
                self.f64(*v);
            }
        }
        Some(())
    }
    fn finding(&mut self, f: &'p Finding) -> Option<()> {
        self.index(&SEVERITIES, f.severity)?;
        self.index(&RULES, f.rule)?;
        self.str(f.message_id);
        for args in [&f.args, &f.args_km] {
            self.len(args.len());
            for (k, v) in args {
                self.str(k);
                self.str(v);
            }
        }
        self.opt_str(f.value.as_deref());
        self.location(&f.location);
        Some(())
    }
}

struct R<'a> {
    b: &'a [u8],
    at: usize,
    /// The words read so far, in order ([`W::word`]).
    words: Vec<&'a str>,
}

impl<'a> R<'a> {
    fn byte(&mut self) -> Option<u8> {
        let v = *self.b.get(self.at)?;
        self.at += 1;
        Some(v)
    }
    fn u64(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }
    fn i64(&mut self) -> Option<i64> {
        let u = self.u64()?;
        Some(((u >> 1) as i64) ^ -((u & 1) as i64))
    }
    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }
    fn count(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }
    fn len(&mut self) -> Option<usize> {
        let n = self.count()?;
        // No list or text is longer than what is left: a damaged length never allocates.
        (n <= self.b.len() - self.at).then_some(n)
    }
    fn f64(&mut self) -> Option<f64> {
        let b = self.b.get(self.at..self.at + 8)?;
        self.at += 8;
        Some(f64::from_le_bytes(b.try_into().ok()?))
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = self.len()?;
        let s = std::str::from_utf8(self.b.get(self.at..self.at + n)?).ok()?;
        self.at += n;
        Some(s)
    }
    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }
    fn word(&mut self) -> Option<String> {
        match self.count()? {
            0 => {
                let s = self.str()?;
                self.words.push(s);
                Some(s.to_string())
            }
            n => self.words.get(n - 1).map(|s| s.to_string()),
        }
    }
    fn flag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    /// `Some(None)` for an absent value, `None` when the bytes are wrong.
    fn opt<T>(&mut self, get: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.flag()? { get(self).map(Some) } else { Some(None) }
    }
    fn pick<T: Copy>(&mut self, all: &[T]) -> Option<T> {
        all.get(self.count()?).copied()
    }
    fn period(&mut self) -> Option<Option<Period>> {
        let kind = self.byte()?;
        if kind == 0 {
            return Some(None);
        }
        let year = i32::try_from(self.i64()?).ok()?;
        let n = self.byte()?;
        Some(Some(match (kind, n) {
            (1, 1..=4) => Period::Quarter { year, quarter: n },
            (2, 1..=2) => Period::Half { year, half: n },
            (3, 0) => Period::Year { year },
            _ => return None,
        }))
    }
    fn location(&mut self) -> Option<Location> {
        Some(Location { file: self.word()?, sheet: self.opt(R::word)?, row: self.opt(R::u32)?, col: self.opt(R::u32)? })
    }
    /// A column id as the static word of [`COLUMNS`].
    fn column_id(&mut self) -> Option<&'static str> {
        let s = self.str()?;
        COLUMNS.iter().map(|l| l.id).find(|id| *id == s)
    }
    fn file(&mut self) -> Option<FileReport> {
        let mut f = FileReport {
            path: self.string()?,
            format: self.opt(|r| r.pick(&FORMATS))?,
            bytes: self.u64()?,
            period: self.period()?,
            province: self.opt(R::string)?,
            period_written: self.opt(R::string)?,
            submitted: self.opt(|r| NaiveDate::from_num_days_from_ce_opt(i32::try_from(r.i64()?).ok()?))?,
            submitted_cell: self.opt(R::location)?,
            tables: Vec::new(),
        };
        for _ in 0..self.len()? {
            let sheet = self.string()?;
            let kind = self.pick(&KINDS)?;
            let header_rows = (self.u32()?, self.u32()?);
            let mut lists = [Vec::new(), Vec::new()];
            for list in &mut lists {
                for _ in 0..self.len()? {
                    list.push(ColumnReport {
                        column: self.string()?,
                        header: self.string()?,
                        field: self.opt(R::column_id)?,
                    });
                }
            }
            let [columns, ignored_columns] = lists;
            let (rows_read, rows_used, totals_rows) = (self.count()?, self.count()?, self.count()?);
            let mut totals = std::collections::BTreeMap::new();
            for _ in 0..self.len()? {
                totals.insert(self.column_id()?, self.f64()?);
            }
            f.tables.push(TableReport {
                sheet,
                kind,
                header_rows,
                columns,
                ignored_columns,
                rows_read,
                rows_used,
                totals_rows,
                totals,
            });
        }
        Some(f)
    }
    fn finding(&mut self) -> Option<Finding> {
        let severity = self.pick(&SEVERITIES)?;
        let rule = self.pick(&RULES)?;
        let id = self.str()?;
        let &(message_id, en, km) = MESSAGES.iter().find(|(m, _, _)| *m == id)?;
        let mut lists = [Vec::new(), Vec::new()];
        for list in &mut lists {
            for _ in 0..self.len()? {
                let name = self.str()?;
                // An argument's name is the static word of its `{name}` in the message.
                let name = [en, km].into_iter().find_map(|t| placeholder(t, name))?;
                list.push((name, self.string()?));
            }
        }
        let [args, args_km] = lists;
        Some(Finding {
            severity,
            rule,
            message_id,
            args,
            args_km,
            value: self.opt(R::string)?,
            location: self.location()?,
        })
    }
}

/// `name` as it is written in `{name}` in `template`.
fn placeholder(template: &'static str, name: &str) -> Option<&'static str> {
    template.split('{').skip(1).filter_map(|x| x.split_once('}').map(|(n, _)| n)).find(|n| *n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: u32) -> CascadeRow {
        CascadeRow {
            period: Some(Period::Quarter { year: 2026, quarter: 3 }),
            province: "12".into(),
            area_code: format!("1201{i:02}"),
            sex: [None, Some(Sex::Female), Some(Sex::Male)][i as usize % 3],
            age_group: [Some(AgeGroup::Adult), None][i as usize % 2],
            plhiv: 1_000 + u64::from(i),
            diagnosed: 900,
            on_art: 0,
            vl_tested: [None, Some(u64::MAX)][i as usize % 2],
            vl_suppressed: 127,
            location: Location::sheet("submissions/2026-Q3/12/cascade.xlsx", "ស្រុក").with_cell(i + 3, 2),
        }
    }

    fn sample() -> Dataset {
        let budget = BudgetRow {
            period: Some(Period::Year { year: -44 }),
            province: "12".into(),
            area_code: "1201".into(),
            activity: "Outreach — ការផ្សព្វផ្សាយ".into(),
            category: Category::Community,
            funding_source: "Global Fund".into(),
            currency: "KHR".into(),
            approved: 4_100_000.5,
            released: Some(-0.0),
            spent: f64::MIN_POSITIVE,
            location: Location::file("submissions/budget.csv").with_row(7),
        };
        let table = TableReport {
            sheet: "Sheet1".into(),
            kind: TableKind::Budget,
            header_rows: (2, 3),
            columns: vec![ColumnReport { column: "A".into(), header: "Code".into(), field: Some("area_code") }],
            ignored_columns: vec![ColumnReport { column: "Q".into(), header: "Notes".into(), field: None }],
            // Counts larger than the bytes left after them.
            rows_read: 20_000,
            rows_used: 19_999,
            totals_rows: 1_000,
            totals: [("approved", 12.25), ("spent", 1e300)].into_iter().collect(),
        };
        let file = FileReport {
            path: "submissions/2026-Q3/12/budget.xlsx".into(),
            format: Some(Format::Ods),
            bytes: 1 << 40,
            period: Some(Period::Half { year: 2026, half: 2 }),
            province: Some("12".into()),
            period_written: Some("Q3 2026".into()),
            submitted: NaiveDate::from_ymd_opt(2026, 10, 15),
            submitted_cell: Some(Location::sheet("b.xlsx", "Info").with_cell(1, 1)),
            tables: vec![table],
        };
        let finding = Finding::warning(Rule::TotalsMismatch, "totals.mismatch", Location::sheet("f", "s").with_row(9))
            .arg("column", "plhiv")
            .arg("stated", "{sum}")
            .arg("sum", "12")
            .arg_km("column", "អ្នករស់នៅជាមួយមេរោគ")
            .value("1,234");
        Dataset {
            cascade: (0..5).map(row).collect(),
            budget: vec![budget],
            files: vec![
                file,
                FileReport {
                    path: String::new(),
                    format: None,
                    bytes: 0,
                    period: None,
                    province: None,
                    period_written: None,
                    submitted: None,
                    submitted_cell: None,
                    tables: Vec::new(),
                },
            ],
            findings: vec![finding, Finding::note("note.totals-row", Location::default())],
        }
    }

    #[test]
    fn a_part_reads_back_as_it_was_written() {
        let part = sample();
        let bytes = encode(&part).expect("encodes");
        let back = decode(&bytes).expect("decodes");
        assert_eq!(format!("{back:?}"), format!("{part:?}"));
        assert_eq!(back.cascade, part.cascade);
        assert_eq!(back.findings, part.findings);
    }

    #[test]
    fn damaged_or_foreign_bytes_read_as_nothing() {
        let bytes = encode(&sample()).expect("encodes");
        assert!(decode(&[]).is_none());
        assert!(decode(&bytes[..bytes.len() - 1]).is_none());
        for at in [0, 9, bytes.len() / 2, bytes.len() - 1] {
            let mut b = bytes.clone();
            b[at] ^= 0x20;
            assert!(decode(&b).is_none(), "a flipped bit at {at} is refused");
        }
        // Well-formed but not a part of ours: a body that ends early, with a right checksum.
        let mut body = MAGIC.to_vec();
        body.push(5);
        let sum: [u8; 32] = Sha256::digest(&body).into();
        body.extend_from_slice(&sum);
        assert!(decode(&body).is_none());
    }

    #[test]
    fn words_the_tables_do_not_have_are_not_stored_as_something_else() {
        // A message id or argument name that no message has cannot come back as a static word.
        let mut part = sample();
        part.findings[0].args.push(("not-in-the-message", "x".into()));
        let bytes = encode(&part).expect("encodes");
        assert!(decode(&bytes).is_none());
        let mut part = sample();
        part.files[0].tables[0].totals.insert("no_such_column", 1.0);
        assert!(decode(&encode(&part).expect("encodes")).is_none());
    }
}

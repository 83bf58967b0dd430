//! Publish: what changed between two editions, read from their downloads (`downloads/*.csv`),
//! so that a diff sees exactly what each edition published. Pure: tables in, a [`Diff`] out.
//!
//! - **Figures**: cascade counts and 95s, budget amounts, of every area and period both editions
//!   hold, whose value differs (a revised submission, a corrected number); and rows one edition
//!   has that the other has not, counted per period (a new period, a late province).
//! - **Movement**: when the two editions end on different periods, each province's (and the
//!   initiative's) 95s from the first edition's latest period to the second's.
//! - **Bottlenecks** of each edition's latest period, by area and kind: new and gone.
//! - **Findings**: new and fixed (by rule, place and value).

use crate::render::site::csv_path;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The downloads a diff reads, by table name: every table an edition publishes.
pub const TABLES: &[&str] = crate::render::site::TABLES;

/// A CSV table: header and rows, as text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    /// One record per row (one buffer each, not a string per cell: two editions' national
    /// budget tables as strings per cell were 200 MB).
    pub rows: Vec<csv::StringRecord>,
}

impl Table {
    pub fn parse(bytes: &[u8]) -> Result<Table, String> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut r = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(bytes);
        let header = r.headers().map_err(|e| e.to_string())?.iter().map(String::from).collect();
        let mut rows = Vec::new();
        // Read into one buffer and keep a copy of each row at its exact size.
        let mut rec = csv::StringRecord::new();
        while r.read_record(&mut rec).map_err(|e| e.to_string())? {
            rows.push(rec.clone());
        }
        Ok(Table { header, rows })
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Rows as maps of column → value.
    fn records(&self) -> impl Iterator<Item = BTreeMap<&str, &str>> {
        self.rows.iter().map(|r| self.record(r))
    }

    fn record<'a>(&'a self, r: &'a csv::StringRecord) -> BTreeMap<&'a str, &'a str> {
        self.header.iter().map(String::as_str).zip(r.iter()).collect()
    }

    /// The rows whose `column` is `value`, as maps (a table without the column has none): the
    /// filter runs before a row becomes a map, so a period's rows cost no more than themselves.
    fn records_where<'a>(&'a self, column: &str, value: &'a str) -> impl Iterator<Item = BTreeMap<&'a str, &'a str>> {
        let c = self.col(column);
        self.rows.iter().filter(move |r| c.and_then(|c| r.get(c)) == Some(value)).map(|r| self.record(r))
    }
}

/// The four tables of an edition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tables {
    pub by_name: BTreeMap<String, Table>,
    /// The latest period the edition's cascade or budget table holds, over all its rows (also
    /// when [`read_pair`] left some rows out).
    latest: Option<String>,
}

/// Which edition's tables could not be read, and why.
#[derive(Debug, Clone, PartialEq)]
pub enum PairError {
    First(String),
    Second(String),
}

/// The columns that name a row of each table [`compare`] matches row by row. The writer makes
/// one row per key (`tests/site.rs` holds it to that), so a row both editions publish byte for
/// byte is the same figures under the same key in both, and can be left out of a comparison.
pub const KEYS: &[(&str, &[&str])] = &[
    ("cascade", &["period", "level", "code"]),
    ("budget", &["period", "level", "code", "group", "item"]),
    ("bottlenecks", &["period", "code", "kind"]),
];

fn keyed_table(name: &str) -> bool {
    KEYS.iter().any(|(n, _)| *n == name)
}

/// A CSV table looked through without making its rows into strings: the header line and each
/// record's bytes, and the latest value in its `period` column.
struct Scan<'a> {
    header: &'a [u8],
    records: Vec<&'a [u8]>,
    latest: Option<String>,
}

fn scan(bytes: &[u8]) -> Result<Scan<'_>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // The rows left out are never parsed as text: the whole file is checked here instead.
    std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let mut r = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(bytes);
    let period = r.byte_headers().map_err(|e| e.to_string())?.iter().position(|h| h == b"period");
    let body = r.position().byte() as usize;
    let mut rec = csv::ByteRecord::new();
    let (mut records, mut latest, mut start) = (Vec::new(), None::<Vec<u8>>, body);
    while r.read_byte_record(&mut rec).map_err(|e| e.to_string())? {
        let end = r.position().byte() as usize;
        records.push(&bytes[start..end]);
        start = end;
        if let Some(p) = period.and_then(|c| rec.get(c))
            && latest.as_deref().is_none_or(|l| p > l)
        {
            latest = Some(p.to_vec());
        }
    }
    let latest = latest.map(|l| String::from_utf8_lossy(&l).into_owned());
    Ok(Scan { header: &bytes[..body], records, latest })
}

/// Scan each of an edition's tables (in the order of [`TABLES`]) that it has.
fn scans<'a>(raw: &[Option<&'a [u8]>]) -> Result<Vec<Option<Scan<'a>>>, String> {
    use rayon::prelude::*;
    raw.par_iter()
        .zip(TABLES.par_iter())
        .map(|(bytes, name)| bytes.map(scan).transpose().map_err(|e| format!("{}: {e}", csv_path(name))))
        .collect()
}

/// A table of the header and the given records, as [`Table::parse`] reads it.
fn table_of(header: &[u8], records: &[&[u8]]) -> Result<Table, String> {
    let mut buf = Vec::with_capacity(header.len() + records.iter().map(|r| r.len() + 1).sum::<usize>());
    for part in std::iter::once(header).chain(records.iter().copied()) {
        buf.extend_from_slice(part);
        if !buf.ends_with(b"\n") {
            buf.push(b'\n');
        }
    }
    Table::parse(&buf)
}

/// Two editions' tables for [`compare`], through `get(path) -> bytes` for each (a folder or a
/// rendered site), leaving out of both the rows of the [`KEYS`] tables that both publish
/// byte for byte. Those rows cannot change a figure, add or remove a row, or make a bottleneck
/// new or gone, so the comparison is the same as of the whole tables; but a revised province is
/// a few thousand rows of 300,000, and making every row into strings was most of the diff.
/// When the two editions end on different periods everything is kept (the movement of the 95s
/// compares rows across periods), and so is a table whose header differs between them.
pub fn read_pair(
    a: impl Fn(&str) -> Option<Vec<u8>> + Sync,
    b: impl Fn(&str) -> Option<Vec<u8>> + Sync,
) -> Result<(Tables, Tables), PairError> {
    use rayon::prelude::*;
    let fetch = |get: &(dyn Fn(&str) -> Option<Vec<u8>> + Sync)| -> Vec<Option<Vec<u8>>> {
        TABLES.par_iter().map(|n| get(&csv_path(n))).collect()
    };
    let (ra, rb) = rayon::join(|| fetch(&a), || fetch(&b));
    let sa: Vec<Option<&[u8]>> = ra.iter().map(|b| b.as_deref()).collect();
    let sb: Vec<Option<&[u8]>> = rb.iter().map(|b| b.as_deref()).collect();
    pair(&sa, &sb)
}

/// [`read_pair`] of tables in hand: each edition's tables as bytes, in the order of [`TABLES`]
/// (`None`: the edition has none).
pub fn pair(ra: &[Option<&[u8]>], rb: &[Option<&[u8]>]) -> Result<(Tables, Tables), PairError> {
    use rayon::prelude::*;
    let (sa, sb) = rayon::join(|| scans(ra), || scans(rb));
    let (sa, sb) = (sa.map_err(PairError::First)?, sb.map_err(PairError::Second)?);
    let latest = |s: &[Option<Scan>]| {
        TABLES
            .iter()
            .zip(s)
            .filter(|(n, _)| ["cascade", "budget"].contains(n))
            .filter_map(|(_, s)| s.as_ref().and_then(|s| s.latest.clone()))
            .max()
    };
    let (la, lb) = (latest(&sa), latest(&sb));
    let same_period = la == lb;
    let pairs: Vec<(Table, Table)> = TABLES
        .par_iter()
        .zip(sa.par_iter().zip(sb.par_iter()))
        .map(|(name, (x, y))| {
            let whole = |s: &Option<Scan>| s.as_ref().map_or(Ok(Table::default()), |s| table_of(s.header, &s.records));
            let err = |e: String| format!("{}: {e}", csv_path(name));
            match (x, y) {
                (Some(x), Some(y)) if same_period && keyed_table(name) && x.header == y.header => {
                    let (in_x, in_y): (std::collections::HashSet<&[u8]>, std::collections::HashSet<&[u8]>) =
                        (x.records.iter().copied().collect(), y.records.iter().copied().collect());
                    let only_x: Vec<&[u8]> = x.records.iter().copied().filter(|r| !in_y.contains(r)).collect();
                    let only_y: Vec<&[u8]> = y.records.iter().copied().filter(|r| !in_x.contains(r)).collect();
                    Ok((
                        table_of(x.header, &only_x).map_err(|e| PairError::First(err(e)))?,
                        table_of(y.header, &only_y).map_err(|e| PairError::Second(err(e)))?,
                    ))
                }
                _ => Ok((
                    whole(x).map_err(|e| PairError::First(err(e)))?,
                    whole(y).map_err(|e| PairError::Second(err(e)))?,
                )),
            }
        })
        .collect::<Result<_, PairError>>()?;
    let mut ta = Tables { latest: la, ..Tables::default() };
    let mut tb = Tables { latest: lb, ..Tables::default() };
    for (name, (x, y)) in TABLES.iter().zip(pairs) {
        ta.by_name.insert((*name).to_string(), x);
        tb.by_name.insert((*name).to_string(), y);
    }
    Ok((ta, tb))
}

impl Tables {
    /// The tables by name, whole.
    pub fn new(by_name: BTreeMap<String, Table>) -> Tables {
        let latest = ["cascade", "budget"]
            .iter()
            .filter_map(|n| by_name.get(*n))
            .flat_map(|t| t.col("period").map(|c| t.rows.iter().map(move |r| &r[c])).into_iter().flatten())
            .max()
            .map(str::to_string);
        Tables { by_name, latest }
    }

    /// Read the tables through `get(path) -> bytes` (a folder or a rendered site). A missing table
    /// is empty; a malformed one is an error naming it.
    pub fn read(get: impl Fn(&str) -> Option<Vec<u8>> + Sync) -> Result<Tables, String> {
        use rayon::prelude::*;
        let by_name = TABLES
            .par_iter()
            .map(|name| {
                let path = csv_path(name);
                let t = match get(&path) {
                    Some(bytes) => Table::parse(&bytes).map_err(|e| format!("{path}: {e}"))?,
                    None => Table::default(),
                };
                Ok(((*name).to_string(), t))
            })
            .collect::<Result<BTreeMap<_, _>, String>>()?;
        Ok(Tables::new(by_name))
    }

    fn table(&self, name: &str) -> Option<&Table> {
        self.by_name.get(name)
    }

    /// The latest period either table holds figures for.
    pub fn latest_period(&self) -> Option<String> {
        self.latest.clone()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureChange {
    pub table: String,
    pub period: String,
    pub level: String,
    pub code: String,
    pub name_en: String,
    pub name_km: String,
    /// For budget rows: `total`, `category treatment`, `funding_source Global Fund`.
    pub item: String,
    pub column: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowCount {
    pub table: String,
    pub period: String,
    pub rows: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BottleneckRow {
    pub code: String,
    pub name_en: String,
    pub name_km: String,
    pub kind: String,
    pub severity: String,
    pub explanation_en: String,
    pub explanation_km: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingRow {
    pub severity: String,
    pub rule: String,
    pub place: String,
    pub value: String,
    pub message: String,
    /// The Khmer sentence, where the edition's findings table has one (empty in older editions).
    pub message_km: String,
}

/// What changed from edition `from` to edition `to`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Diff {
    pub from: String,
    pub to: String,
    pub from_period: Option<String>,
    pub to_period: Option<String>,
    pub figures: Vec<FigureChange>,
    pub rows_added: Vec<RowCount>,
    pub rows_removed: Vec<RowCount>,
    /// 95s of the initiative and provinces, from `from_period` to `to_period` (when they differ).
    pub movement: Vec<FigureChange>,
    pub bottlenecks_new: Vec<BottleneckRow>,
    pub bottlenecks_gone: Vec<BottleneckRow>,
    pub findings_new: Vec<FindingRow>,
    pub findings_fixed: Vec<FindingRow>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.figures.is_empty()
            && self.rows_added.is_empty()
            && self.rows_removed.is_empty()
            && self.movement.is_empty()
            && self.bottlenecks_new.is_empty()
            && self.bottlenecks_gone.is_empty()
            && self.findings_new.is_empty()
            && self.findings_fixed.is_empty()
    }
}

const CASCADE_FIGURES: &[&str] =
    &["plhiv", "diagnosed", "on_art", "vl_tested", "vl_suppressed", "first_95", "second_95", "third_95"];
const BUDGET_FIGURES: &[&str] = &["approved", "released", "spent", "execution"];
const NINETY_FIVES: &[&str] = &["first_95", "second_95", "third_95"];

/// Rows by their key columns' values (a column the table lacks reads as blank).
/// At most this many key columns (blank past a table's own).
const KEY_COLUMNS: usize = 5;
type Key<'a> = [&'a str; KEY_COLUMNS];

/// A row's key: its values in the `key` columns, blank where it has none.
fn key_of<'a>(cols: &[Option<usize>], r: &'a csv::StringRecord) -> Key<'a> {
    let mut k = [""; KEY_COLUMNS];
    for (slot, c) in k.iter_mut().zip(cols) {
        *slot = c.and_then(|c| r.get(c)).unwrap_or("");
    }
    k
}

/// The rows of `t` by their key (the last row of a repeated key wins). Hashed: the budget
/// table has 150,000 rows nationally, and a sorted map of them was a fifth of the diff.
fn keyed<'a>(t: &'a Table, cols: &[Option<usize>]) -> HashMap<Key<'a>, &'a csv::StringRecord> {
    t.rows.iter().map(|r| (key_of(cols, r), r)).collect()
}

/// A row's value in column `c`; blank when there is none.
fn field(r: &csv::StringRecord, c: Option<usize>) -> &str {
    c.and_then(|c| r.get(c)).unwrap_or("")
}

fn figures(a: &Tables, b: &Tables, d: &mut Diff) {
    let specs: [(&str, &[&str], &[&str]); 2] =
        [("cascade", KEYS[0].1, CASCADE_FIGURES), ("budget", KEYS[1].1, BUDGET_FIGURES)];
    let empty = Table::default();
    for (name, key, cols) in specs {
        let (ta, tb) = (a.table(name).unwrap_or(&empty), b.table(name).unwrap_or(&empty));
        let (ca, cb): (Vec<_>, Vec<_>) = key.iter().map(|k| (ta.col(k), tb.col(k))).unzip();
        let (ka, kb) = (keyed(ta, &ca), keyed(tb, &cb));
        let mut added: BTreeMap<&str, usize> = BTreeMap::new();
        let mut removed: BTreeMap<&str, usize> = BTreeMap::new();
        // The new table's rows in its own order, each key once (where its last row is); the
        // changes are put in key order after, as few as they are.
        let mut changes: Vec<(Key, FigureChange)> = Vec::new();
        let figure_cols: Vec<(&str, Option<usize>, Option<usize>)> =
            cols.iter().map(|c| (*c, ta.col(c), tb.col(c))).collect();
        for rb in &tb.rows {
            let k = key_of(&cb, rb);
            if !kb.get(&k).is_some_and(|r| std::ptr::eq(*r, rb)) {
                continue;
            }
            let Some(ra) = ka.get(&k) else {
                *added.entry(k[0]).or_default() += 1;
                continue;
            };
            for &(col, ia, ib) in &figure_cols {
                let (old, new) = (field(ra, ia), field(rb, ib));
                if old != new {
                    changes.push((k, change(name, &tb.record(rb), col, old, new)));
                }
            }
        }
        // Stable: one row's columns stay in the order of `cols`.
        changes.sort_by(|x, y| x.0.cmp(&y.0));
        d.figures.extend(changes.into_iter().map(|(_, c)| c));
        for k in ka.keys().filter(|k| !kb.contains_key(*k)) {
            *removed.entry(k[0]).or_default() += 1;
        }
        let count = |m: BTreeMap<&str, usize>| {
            m.into_iter().map(|(p, rows)| RowCount { table: name.into(), period: p.into(), rows }).collect::<Vec<_>>()
        };
        d.rows_added.extend(count(added));
        d.rows_removed.extend(count(removed));
    }
}

fn change(table: &str, r: &BTreeMap<&str, &str>, col: &str, old: &str, new: &str) -> FigureChange {
    let get = |k: &str| r.get(k).copied().unwrap_or("").to_string();
    let item = if table == "budget" {
        match get("group").as_str() {
            "total" => "total".to_string(),
            g => format!("{g} {}", get("item")),
        }
    } else {
        String::new()
    };
    FigureChange {
        table: table.into(),
        period: get("period"),
        level: get("level"),
        code: get("code"),
        name_en: get("name_en"),
        name_km: get("name_km"),
        item,
        column: col.into(),
        old: old.into(),
        new: new.into(),
    }
}

fn movement(a: &Tables, b: &Tables, d: &mut Diff) {
    let (Some(pa), Some(pb)) = (&d.from_period, &d.to_period) else { return };
    if pa == pb {
        return;
    }
    let rows = |t: &Tables, period: &str| -> BTreeMap<String, BTreeMap<String, String>> {
        t.table("cascade")
            .map(|t| {
                t.records_where("period", period)
                    .filter(|r| matches!(r.get("level"), Some(&("initiative" | "province"))))
                    .map(|r| {
                        let owned = r.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
                        (r.get("code").copied().unwrap_or("").to_string(), owned)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (ra, rb) = (rows(a, pa), rows(b, pb));
    for (code, rb) in &rb {
        let Some(ra) = ra.get(code) else { continue };
        let rbv: BTreeMap<&str, &str> = rb.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        for col in NINETY_FIVES {
            let (old, new) = (ra.get(*col).map_or("", String::as_str), rbv.get(col).copied().unwrap_or(""));
            if old != new {
                d.movement.push(change("cascade", &rbv, col, old, new));
            }
        }
    }
}

fn bottlenecks(a: &Tables, b: &Tables, d: &mut Diff) {
    let latest = |t: &Tables, period: &Option<String>| -> BTreeMap<(String, String), BottleneckRow> {
        let (Some(t), Some(period)) = (t.table("bottlenecks"), period.as_deref()) else { return BTreeMap::new() };
        t.records_where("period", period)
            .map(|r| {
                let get = |k: &str| r.get(k).copied().unwrap_or("").to_string();
                (
                    (get("code"), get("kind")),
                    BottleneckRow {
                        code: get("code"),
                        name_en: get("name_en"),
                        name_km: get("name_km"),
                        kind: get("kind"),
                        severity: get("severity"),
                        explanation_en: get("explanation_en"),
                        explanation_km: get("explanation_km"),
                    },
                )
            })
            .collect()
    };
    let (ba, bb) = (latest(a, &d.from_period), latest(b, &d.to_period));
    d.bottlenecks_new = bb.iter().filter(|(k, _)| !ba.contains_key(*k)).map(|(_, v)| v.clone()).collect();
    d.bottlenecks_gone = ba.iter().filter(|(k, _)| !bb.contains_key(*k)).map(|(_, v)| v.clone()).collect();
}

fn findings(a: &Tables, b: &Tables, d: &mut Diff) {
    let set = |t: &Tables| -> BTreeMap<(String, String, String), FindingRow> {
        let Some(t) = t.table("findings") else { return BTreeMap::new() };
        t.records()
            .map(|r| {
                let get = |k: &str| r.get(k).copied().unwrap_or("").to_string();
                let place =
                    [get("file"), get("sheet"), get("cell")].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>();
                let row = FindingRow {
                    severity: get("severity"),
                    rule: get("rule"),
                    place: place.join(" › "),
                    value: get("value"),
                    message: get("message"),
                    message_km: get("message_km"),
                };
                ((row.rule.clone(), row.place.clone(), row.value.clone()), row)
            })
            .collect()
    };
    let (fa, fb) = (set(a), set(b));
    let keys_a: BTreeSet<_> = fa.keys().collect();
    d.findings_new = fb.iter().filter(|(k, _)| !keys_a.contains(k)).map(|(_, v)| v.clone()).collect();
    d.findings_fixed = fa.iter().filter(|(k, _)| !fb.contains_key(*k)).map(|(_, v)| v.clone()).collect();
}

/// Compare edition `from` (tables `a`) with edition `to` (tables `b`).
pub fn compare(from: &str, a: &Tables, to: &str, b: &Tables) -> Diff {
    let mut d = Diff {
        from: from.into(),
        to: to.into(),
        from_period: a.latest_period(),
        to_period: b.latest_period(),
        ..Diff::default()
    };
    // The figures (cascade and budget tables, the bulk) beside the rest.
    let (f, rest) = rayon::join(
        || {
            let mut f = Diff::default();
            figures(a, b, &mut f);
            f
        },
        || {
            let mut r = Diff { from_period: d.from_period.clone(), to_period: d.to_period.clone(), ..Diff::default() };
            movement(a, b, &mut r);
            bottlenecks(a, b, &mut r);
            findings(a, b, &mut r);
            r
        },
    );
    (d.figures, d.rows_added, d.rows_removed) = (f.figures, f.rows_added, f.rows_removed);
    (d.movement, d.bottlenecks_new, d.bottlenecks_gone, d.findings_new, d.findings_fixed) =
        (rest.movement, rest.bottlenecks_new, rest.bottlenecks_gone, rest.findings_new, rest.findings_fixed);
    // The initiative and provinces first, then districts and communes, within each period.
    let rank = |level: &str| ["initiative", "province", "district", "commune"].iter().position(|l| *l == level);
    d.figures.sort_by(|x, y| (&x.period, rank(&x.level)).cmp(&(&y.period, rank(&y.level))));
    d
}

fn area(c: &FigureChange) -> String {
    if c.name_en.is_empty() { c.code.clone() } else { format!("{} {}", c.code, c.name_en) }
}

/// The diff for a terminal, in English.
pub fn to_text(d: &Diff) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let p = |x: &Option<String>| x.clone().unwrap_or_else(|| "no data".into());
    let _ = writeln!(out, "{} ({}) → {} ({})", d.from, p(&d.from_period), d.to, p(&d.to_period));
    if d.is_empty() {
        let _ = writeln!(out, "\nNo figure, bottleneck or finding changed.");
        return out;
    }
    if !d.movement.is_empty() {
        let _ = writeln!(out, "\nThe 95s, {} → {}:", p(&d.from_period), p(&d.to_period));
        for c in &d.movement {
            let _ = writeln!(out, "  {:<28} {:<10} {} → {}", area(c), c.column, pct(&c.old), pct(&c.new));
        }
    }
    for r in &d.rows_added {
        let _ = writeln!(out, "\n{} {}: {} row(s) new", r.table, r.period, r.rows);
    }
    for r in &d.rows_removed {
        let _ = writeln!(out, "\n{} {}: {} row(s) no longer published", r.table, r.period, r.rows);
    }
    if !d.figures.is_empty() {
        let _ = writeln!(out, "\nFigures revised ({}):", d.figures.len());
        for c in &d.figures {
            let what = if c.item.is_empty() { c.column.clone() } else { format!("{} {}", c.item, c.column) };
            let (old, new) = if c.column.ends_with("95") || c.column == "execution" {
                (pct(&c.old), pct(&c.new))
            } else {
                (or_blank(&c.old), or_blank(&c.new))
            };
            let _ = writeln!(out, "  {} {:<28} {:<24} {} → {}", c.period, area(c), what, old, new);
        }
    }
    let bn = |out: &mut String, title: &str, rows: &[BottleneckRow]| {
        if !rows.is_empty() {
            let _ = writeln!(out, "\n{title} ({}):", rows.len());
            for b in rows {
                let _ = writeln!(out, "  {} {} [{}] {}", b.code, b.name_en, b.severity, b.explanation_en);
            }
        }
    };
    bn(&mut out, "New bottlenecks", &d.bottlenecks_new);
    bn(&mut out, "Bottlenecks gone", &d.bottlenecks_gone);
    let fi = |out: &mut String, title: &str, rows: &[FindingRow]| {
        if !rows.is_empty() {
            let _ = writeln!(out, "\n{title} ({}):", rows.len());
            for f in rows {
                let _ = writeln!(out, "  {} {} {}: {}", f.severity, f.rule, f.place, f.message);
            }
        }
    };
    fi(&mut out, "New findings", &d.findings_new);
    fi(&mut out, "Findings fixed", &d.findings_fixed);
    out
}

fn or_blank(s: &str) -> String {
    if s.is_empty() { "(blank)".into() } else { s.to_string() }
}

/// `0.9123` → `91.2 %`; anything else as it is.
fn pct(s: &str) -> String {
    s.parse::<f64>().map_or_else(|_| or_blank(s), |v| format!("{:.1} %", v * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> Table {
        Table::parse(csv.as_bytes()).expect("csv")
    }

    fn tables(cascade: &str, bottlenecks: &str, findings: &str) -> Tables {
        let mut by_name = BTreeMap::new();
        by_name.insert("cascade".into(), table(cascade));
        by_name.insert("budget".into(), Table::default());
        by_name.insert("bottlenecks".into(), table(bottlenecks));
        by_name.insert("findings".into(), table(findings));
        Tables::new(by_name)
    }

    const HEAD: &str = "period,level,code,name_en,name_km,plhiv,diagnosed,on_art,first_95\n";
    const BN: &str = "period,level,code,name_en,name_km,kind,severity,explanation_en,explanation_km\n";
    const FI: &str = "severity,rule,file,sheet,cell,row,value,message\n";

    #[test]
    fn changes_come_in_key_order_whatever_the_row_order_and_a_repeated_key_counts_once() {
        // The new edition lists 03 before 01, repeats 02 (its last row wins, as in the old
        // edition), adds 04 and drops 05.
        let a = tables(
            &format!(
                "{HEAD}2026-Q3,province,01,A,A,10,9,8,0.9\n2026-Q3,province,02,B,B,20,18,16,0.9\n\
                 2026-Q3,province,03,C,C,30,27,24,0.9\n2026-Q3,province,05,E,E,50,45,40,0.9\n"
            ),
            BN,
            FI,
        );
        let b = tables(
            &format!(
                "{HEAD}2026-Q3,province,03,C,C,31,27,24,0.9\n2026-Q3,province,02,B,B,99,99,99,0.9\n\
                 2026-Q3,province,01,A,A,10,9,7,0.9\n2026-Q3,province,02,B,B,20,18,16,0.9\n\
                 2026-Q3,province,04,D,D,40,36,32,0.9\n"
            ),
            BN,
            FI,
        );
        let d = compare("2026-Q3", &a, "2026-Q3-r2", &b);
        let got: Vec<(&str, &str, &str, &str)> =
            d.figures.iter().map(|c| (c.code.as_str(), c.column.as_str(), c.old.as_str(), c.new.as_str())).collect();
        assert_eq!(got, [("01", "on_art", "8", "7"), ("03", "plhiv", "30", "31")]);
        let counts = |v: &[RowCount]| v.iter().map(|r| (r.table.clone(), r.period.clone(), r.rows)).collect::<Vec<_>>();
        assert_eq!(counts(&d.rows_added), [("cascade".to_string(), "2026-Q3".to_string(), 1)]);
        assert_eq!(counts(&d.rows_removed), [("cascade".to_string(), "2026-Q3".to_string(), 1)]);
    }

    /// The comparison of [`read_pair`]'s tables, which leave out rows both editions publish byte
    /// for byte, and of the whole tables; and how many cascade rows the first reading kept.
    fn both_ways(a: &[(&str, String)], b: &[(&str, String)]) -> (Diff, Diff, usize) {
        let get = |t: &[(&str, String)], path: &str| {
            t.iter().find(|(n, _)| format!("downloads/{n}.csv") == path).map(|(_, csv)| csv.as_bytes().to_vec())
        };
        let (pa, pb) = read_pair(|p| get(a, p), |p| get(b, p)).expect("pair");
        let (wa, wb) = (Tables::read(|p| get(a, p)).expect("a"), Tables::read(|p| get(b, p)).expect("b"));
        let kept = pa.table("cascade").map_or(0, |t| t.rows.len()) + pb.table("cascade").map_or(0, |t| t.rows.len());
        (compare("A", &pa, "B", &pb), compare("A", &wa, "B", &wb), kept)
    }

    #[test]
    fn leaving_out_rows_both_publish_gives_the_same_comparison() {
        let bh = "period,level,code,name_en,name_km,kind,severity,explanation_en,explanation_km\n";
        let budget = "period,level,code,name_en,name_km,group,item,approved,spent\n";
        let a = [
            (
                "cascade",
                format!(
                    "\u{feff}{HEAD}2026-Q2,province,02,B,,100,90,80,0.9\n2026-Q3,province,02,B,,100,90,80,0.9\n\
                     2026-Q3,commune,020101,C,,10,9,8,0.9\n2026-Q3,commune,020102,D,,20,18,16,0.9\n\
                     2026-Q3,commune,020103,E,,30,27,24,0.9"
                ),
            ),
            (
                "budget",
                format!(
                    "{budget}2026-Q3,province,02,B,,total,,100,50\n2026-Q3,province,02,B,,category,testing,40,20\n"
                ),
            ),
            (
                "bottlenecks",
                format!(
                    "{bh}2026-Q2,province,02,B,,low-vl,high,x,y\n2026-Q3,province,02,B,,low-vl,high,x,y\n2026-Q3,province,02,B,,budget-lag:testing,medium,x,y\n"
                ),
            ),
            ("findings", format!("{FI}warning,late,s/02.xlsx,,,,,Late\n")),
        ];
        // One commune revised, one added, one gone (and the last row without its line end); a
        // bottleneck's severity changed and one new; a budget figure revised; no findings table.
        let b = [
            (
                "cascade",
                format!(
                    "\u{feff}{HEAD}2026-Q2,province,02,B,,100,90,80,0.9\n2026-Q3,province,02,B,,100,90,80,0.9\n\
                     2026-Q3,commune,020101,C,,10,9,7,0.9\n2026-Q3,commune,020102,D,,20,18,16,0.9\n\
                     2026-Q3,commune,020104,F,,40,36,32,0.9\n"
                ),
            ),
            (
                "budget",
                format!(
                    "{budget}2026-Q3,province,02,B,,total,,100,55\n2026-Q3,province,02,B,,category,testing,40,20\n"
                ),
            ),
            (
                "bottlenecks",
                format!(
                    "{bh}2026-Q2,province,02,B,,low-vl,high,x,y\n2026-Q3,province,02,B,,low-vl,medium,x,y\n2026-Q3,commune,020101,C,,largest-gap:on_art,high,x,y\n2026-Q3,province,02,B,,budget-lag:testing,medium,x,y\n"
                ),
            ),
        ];
        let (pair, whole, kept) = both_ways(&a, &b);
        assert_eq!(pair, whole);
        assert_eq!(kept, 4, "of ten cascade rows, the three both editions publish alike are left out of each");
        assert_eq!(pair.figures.len(), 2, "{:?}", pair.figures);
        assert_eq!((pair.rows_added.len(), pair.rows_removed.len()), (1, 1));
        assert_eq!(pair.bottlenecks_new.len(), 1);
        assert_eq!(pair.findings_fixed.len(), 1);
        assert_eq!(pair.to_period.as_deref(), Some("2026-Q3"), "the latest period is of every row, kept or not");

        // A new period: the 95s move across periods, so every row is kept.
        let mut c = b.clone();
        c[0].1.push_str("2026-Q4,province,02,B,,100,95,90,0.95\n");
        let (pair, whole, kept) = both_ways(&a, &c);
        assert_eq!(pair, whole);
        assert_eq!(kept, 11);
        assert_eq!(pair.movement.len(), 1);

        // A column more in the second edition's cascade: that table is compared whole.
        let mut d = b.clone();
        d[0].1 = d[0].1.replace(",first_95\n", ",first_95,extra\n").replace('\n', ",x\n").replacen(
            ",extra,x\n",
            ",extra\n",
            1,
        );
        let (pair, whole, kept) = both_ways(&a, &d);
        assert_eq!(pair, whole);
        assert_eq!(kept, 10);

        // A malformed table names itself and the edition it is in.
        let mut e = b.clone();
        e[1].1.push_str("2026-Q3,too,few\n");
        let err = read_pair(
            |p| (p == "downloads/budget.csv").then(|| a[1].1.as_bytes().to_vec()),
            |p| (p == "downloads/budget.csv").then(|| e[1].1.as_bytes().to_vec()),
        );
        assert!(matches!(&err, Err(PairError::Second(m)) if m.starts_with("downloads/budget.csv")), "{err:?}");
    }

    #[test]
    fn a_revised_count_is_one_change_and_nothing_else() {
        let a = tables(
            &format!("{HEAD}2026-Q3,province,02,Battambang,បាត់ដំបង,1000,900,800,0.9\n"),
            BN,
            &format!("{FI}error,negative,s/02.xlsx,Cascade,E7,7,-5,Negative count\n"),
        );
        let b = tables(
            &format!("{HEAD}2026-Q3,province,02,Battambang,បាត់ដំបង,1000,950,800,0.95\n"),
            BN,
            &format!("{FI}warning,late,s/02.xlsx,,,,,Late\n"),
        );
        let d = compare("2026-Q3", &a, "2026-Q3-r2", &b);
        let cols: Vec<(&str, &str, &str)> =
            d.figures.iter().map(|c| (c.column.as_str(), c.old.as_str(), c.new.as_str())).collect();
        assert_eq!(cols, [("diagnosed", "900", "950"), ("first_95", "0.9", "0.95")]);
        assert!(d.movement.is_empty(), "same period: no movement section");
        assert!(d.rows_added.is_empty() && d.rows_removed.is_empty());
        assert_eq!(d.findings_fixed.len(), 1);
        assert_eq!(d.findings_fixed[0].place, "s/02.xlsx › Cascade › E7");
        assert_eq!(d.findings_new.len(), 1);
        let text = to_text(&d);
        assert!(text.contains("2026-Q3 02 Battambang"), "{text}");
        assert!(text.contains("900 → 950"), "{text}");
        assert!(text.contains("90.0 % → 95.0 %"), "{text}");
        assert!(compare("x", &a, "y", &a).is_empty());
        assert!(to_text(&compare("x", &a, "y", &a)).contains("No figure"));
    }

    #[test]
    fn findings_carry_khmer_where_the_edition_has_it_and_compare_across_the_new_column() {
        // An older edition without `message_km` against a newer one with it: the same finding is
        // the same (matched by rule, place and value), and a new one brings its Khmer sentence.
        let a = tables(HEAD, BN, &format!("{FI}error,negative,s/02.xlsx,Cascade,E7,7,-5,Negative count\n"));
        let b = tables(
            HEAD,
            BN,
            "severity,rule,file,sheet,cell,row,value,message,message_km\n\
             error,negative,s/02.xlsx,Cascade,E7,7,-5,Negative count,ចំនួនអវិជ្ជមាន\n\
             warning,late-submission,s/02.xlsx,,,,,Late,យឺត\n",
        );
        let d = compare("x", &a, "y", &b);
        assert!(d.findings_fixed.is_empty(), "{:?}", d.findings_fixed);
        assert_eq!(d.findings_new.len(), 1);
        assert_eq!((d.findings_new[0].message.as_str(), d.findings_new[0].message_km.as_str()), ("Late", "យឺត"));
        let back = compare("y", &b, "x", &a);
        assert_eq!(back.findings_fixed[0].message_km, "យឺត");
    }

    #[test]
    fn a_new_period_counts_rows_moves_the_95s_and_compares_latest_bottlenecks() {
        let a = tables(
            &format!("{HEAD}2026-Q2,province,02,Battambang,,1000,900,800,0.90\n"),
            &format!(
                "{BN}2026-Q2,province,02,Battambang,,largest-gap:diagnosed,high,x,y\n2026-Q2,province,02,Battambang,,budget-lag:testing,medium,x,y\n"
            ),
            FI,
        );
        let b = tables(
            &format!(
                "{HEAD}2026-Q2,province,02,Battambang,,1000,900,800,0.90\n2026-Q3,province,02,Battambang,,1000,930,800,0.93\n2026-Q3,commune,020101,Banan,,10,9,8,0.9\n"
            ),
            &format!(
                "{BN}2026-Q2,province,02,Battambang,,largest-gap:diagnosed,high,x,y\n2026-Q3,province,02,Battambang,,largest-gap:diagnosed,high,x,y\n2026-Q3,province,02,Battambang,,low-vl,medium,x,y\n"
            ),
            FI,
        );
        let d = compare("2026-Q2", &a, "2026-Q3", &b);
        assert_eq!((d.from_period.as_deref(), d.to_period.as_deref()), (Some("2026-Q2"), Some("2026-Q3")));
        assert!(d.figures.is_empty(), "the Q2 rows are the same in both");
        assert_eq!(d.rows_added, [RowCount { table: "cascade".into(), period: "2026-Q3".into(), rows: 2 }]);
        assert_eq!(d.movement.len(), 1);
        assert_eq!((d.movement[0].old.as_str(), d.movement[0].new.as_str()), ("0.90", "0.93"));
        let new: Vec<&str> = d.bottlenecks_new.iter().map(|b| b.kind.as_str()).collect();
        let gone: Vec<&str> = d.bottlenecks_gone.iter().map(|b| b.kind.as_str()).collect();
        assert_eq!(new, ["low-vl"]);
        assert_eq!(gone, ["budget-lag:testing"]);
    }
}

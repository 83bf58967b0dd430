//! Validate: reading one cell as what its column means (a count, an amount, an area code, a
//! sex, an age group, a category, a currency), each failure a finding at that cell.

use crate::finding::{Finding, Location, Rule};
use crate::geography::{self, Geography, Level};
use crate::ingest::aliases::{self, Field};
use crate::ingest::grid::{Cell, format_number};
use crate::ingest::number::{Parsed, parse_number};
use serde::Serialize;

/// A number read from a cell, and whether it was typed as text (for the read notes).
pub struct NumberRead {
    pub value: Option<f64>,
    pub from_text: bool,
}

/// Read a count or amount. `Ok(None)` is blank or a missing marker; `Err` is a finding.
pub fn read_number(cell: &Cell, field: Field, loc: impl Fn() -> Location) -> Result<NumberRead, Finding> {
    let column = aliases::labels(field).id;
    let bad = |id: &'static str| {
        Finding::error(Rule::NotANumber, id, loc())
            .arg("value", cell.display())
            .arg("column", column)
            .value(cell.display())
    };
    let (value, from_text) = match cell {
        Cell::Empty => (None, false),
        Cell::Number(n) => (Some(*n), false),
        Cell::Text(t) => match parse_number(t) {
            Parsed::Missing => (None, false),
            Parsed::Number(n) => (Some(n), true),
            Parsed::NotANumber => return Err(bad("value.not-a-number")),
        },
        Cell::Error(_) => return Err(bad("value.error")),
        Cell::FormulaNoValue(f) => {
            return Err(Finding::error(Rule::FormulaNoValue, "value.formula-no-value", loc())
                .arg("formula", format!("={f}"))
                .value(format!("={f}")));
        }
        Cell::Date(_) | Cell::Bool(_) => return Err(bad("value.not-a-number")),
    };
    if let Some(v) = value.filter(|v| *v < 0.0) {
        return Err(Finding::error(Rule::Negative, "value.negative", loc())
            .arg("value", format_number(v))
            .arg("column", column)
            .value(cell.display()));
    }
    Ok(NumberRead { value, from_text })
}

/// A count of people: whole and non-negative. A fraction is rounded with a warning.
pub fn whole_count(v: f64, cell: &Cell, field: Field, loc: impl Fn() -> Location, findings: &mut Vec<Finding>) -> u64 {
    let rounded = v.round();
    if (v - rounded).abs() > 1e-9 {
        findings.push(
            Finding::warning(Rule::BadValue, "value.fraction", loc())
                .arg("value", cell.display())
                .arg("column", aliases::labels(field).id)
                .arg("rounded", format_number(rounded))
                .value(cell.display()),
        );
    }
    rounded as u64
}

/// An area code as read, normalised, with a note when it had lost its leading zero.
pub struct CodeRead {
    pub code: String,
    pub padded_from: Option<String>,
}

/// Read an area code cell: text or a number that lost its leading zero. Checks it exists in
/// the geography, is a commune or a province, and lies in `province` when that is known.
pub fn read_area_code(
    cell: &Cell,
    geo: &Geography,
    province: Option<&str>,
    loc: impl Fn() -> Location,
) -> Result<CodeRead, Finding> {
    let raw = match cell {
        Cell::Number(n) if n.fract() == 0.0 && *n >= 0.0 => format_number(*n),
        Cell::Text(t) => t.trim().to_string(),
        other => other.display(),
    };
    let not_code = || Finding::error(Rule::UnknownArea, "area.not-a-code", loc()).arg("value", &raw).value(&raw);
    let code = geography::normalize_code(&raw).ok_or_else(not_code)?;
    let area = geo
        .get(&code)
        .ok_or_else(|| Finding::error(Rule::UnknownArea, "area.unknown", loc()).arg("code", &code).value(&raw))?;
    if area.level == Level::District {
        return Err(Finding::error(Rule::UnknownArea, "area.level", loc()).arg("code", &code).value(&raw));
    }
    if let Some(p) = province.filter(|p| geography::province_of(&code) != *p) {
        return Err(Finding::error(Rule::UnknownArea, "area.other-province", loc())
            .arg("code", &code)
            .arg("actual", geography::province_of(&code))
            .arg("expected", p)
            .value(&raw));
    }
    let digits_typed = raw.trim_end_matches(".0").chars().count() < code.len();
    Ok(CodeRead { padded_from: digits_typed.then(|| raw.clone()), code })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Sex {
    #[serde(rename = "F")]
    Female,
    #[serde(rename = "M")]
    Male,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AgeGroup {
    #[serde(rename = "0-14")]
    Child,
    #[serde(rename = "15+")]
    Adult,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
        }
    }
}

impl AgeGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            AgeGroup::Child => "0-14",
            AgeGroup::Adult => "15+",
        }
    }
}

/// Blank is the total (`Ok(None)`); otherwise F or M in the spellings people use.
pub fn read_sex(cell: &Cell, loc: impl Fn() -> Location) -> Result<Option<Sex>, Finding> {
    let t = aliases::normalise(&cell.display());
    match t.as_str() {
        "" | "all" | "both" | "total" | "សរុប" => Ok(None),
        "f" | "female" | "females" | "women" | "ស្រី" => Ok(Some(Sex::Female)),
        "m" | "male" | "males" | "men" | "ប្រុស" => Ok(Some(Sex::Male)),
        _ => Err(Finding::error(Rule::BadValue, "value.bad-sex", loc())
            .arg("value", cell.display())
            .value(cell.display())),
    }
}

/// Blank is the total; `0-14` or `15+` in the spellings people use.
pub fn read_age(cell: &Cell, loc: impl Fn() -> Location) -> Result<Option<AgeGroup>, Finding> {
    let raw = crate::ingest::number::ascii_digits(&cell.display());
    let t: String =
        raw.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect::<String>().replace(['–', '—'], "-");
    match t.as_str() {
        "" | "all" | "allages" | "total" => Ok(None),
        "0-14" | "<15" | "0to14" | "under15" | "y000_014" | "0-14years" | "children" => Ok(Some(AgeGroup::Child)),
        "15+" | ">=15" | "≥15" | "15andover" | "15+years" | "y015_999" | "adults" | "15-99" => {
            Ok(Some(AgeGroup::Adult))
        }
        _ => Err(Finding::error(Rule::BadValue, "value.bad-age", loc())
            .arg("value", cell.display())
            .value(cell.display())),
    }
}

/// The budget categories of the data contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Prevention,
    Testing,
    Treatment,
    Community,
    Management,
    Other,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Prevention,
        Category::Testing,
        Category::Treatment,
        Category::Community,
        Category::Management,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Prevention => "prevention",
            Category::Testing => "testing",
            Category::Treatment => "treatment",
            Category::Community => "community",
            Category::Management => "management",
            Category::Other => "other",
        }
    }
}

/// Spellings of the categories, English and Khmer.
const CATEGORY_ALIASES: &[(Category, &[&str])] = &[
    (Category::Prevention, &["prevention", "hiv prevention", "បង្ការ"]),
    (Category::Testing, &["testing", "hiv testing", "testing and counselling", "hts", "ធ្វើតេស្ត"]),
    (Category::Treatment, &["treatment", "care and treatment", "treatment and care", "art", "ព្យាបាល"]),
    (Category::Community, &["community", "community systems", "community support", "សហគមន៍"]),
    (Category::Management, &["management", "programme management", "program management", "coordination", "គ្រប់គ្រង"]),
    (Category::Other, &["other", "others", "ផ្សេងៗ"]),
];

pub fn read_category(cell: &Cell, loc: impl Fn() -> Location) -> Result<Category, Finding> {
    static INDEX: std::sync::OnceLock<std::collections::BTreeMap<String, Category>> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        CATEGORY_ALIASES.iter().flat_map(|(c, names)| names.iter().map(|a| (aliases::normalise(a), *c))).collect()
    });
    let n = aliases::normalise(&cell.display());
    index.get(&n).copied().ok_or_else(|| {
        Finding::error(Rule::BadValue, "value.bad-category", loc()).arg("value", cell.display()).value(cell.display())
    })
}

/// Funding sources in one spelling each; anything else is kept as written.
pub fn normalise_funding(text: &str) -> String {
    let n = aliases::normalise(text);
    let known: &[(&str, &[&str])] = &[
        ("RGC", &["rgc", "government", "royal government of cambodia", "national budget", "រាជរដ្ឋាភិបាល"]),
        ("CIP", &["cip", "commune investment plan", "commune/sangkat fund", "csf", "ផែនការវិនិយោគឃុំ"]),
        ("Global Fund", &["global fund", "gf", "gfatm", "the global fund"]),
        ("PEPFAR", &["pepfar", "usaid", "cdc", "us government", "usg"]),
        ("other", &["other", "others", "ផ្សេងៗ"]),
    ];
    known
        .iter()
        .find(|(_, names)| names.contains(&n.as_str()))
        .map_or_else(|| text.trim().to_string(), |(canon, _)| (*canon).to_string())
}

/// A currency code: blank is the project's default; `riel`, `៛`, `$` are understood.
pub fn read_currency(
    cell: &Cell,
    default: &str,
    known: &[String],
    loc: impl Fn() -> Location,
) -> Result<String, Finding> {
    let n = aliases::normalise(&cell.display());
    let code = match n.as_str() {
        "" => default.to_string(),
        "khr" | "riel" | "riels" | "៛" | "រៀល" => "KHR".to_string(),
        "usd" | "$" | "us$" | "dollar" | "dollars" | "us dollar" | "ដុល្លារ" => "USD".to_string(),
        other => other.to_ascii_uppercase(),
    };
    if known.iter().any(|k| k == &code) {
        Ok(code)
    } else {
        Err(Finding::error(Rule::BadValue, "value.bad-currency", loc())
            .arg("value", cell.display())
            .value(cell.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Location {
        Location::sheet("f.xlsx", "Cascade").with_cell(6, 4)
    }

    #[test]
    fn numbers_typed_and_text() {
        let r = read_number(&Cell::Number(12.0), Field::Plhiv, loc).expect("ok");
        assert_eq!((r.value, r.from_text), (Some(12.0), false));
        let r = read_number(&Cell::Text("1,204".into()), Field::Plhiv, loc).expect("ok");
        assert_eq!((r.value, r.from_text), (Some(1204.0), true));
        assert_eq!(read_number(&Cell::Text("n/a".into()), Field::VlTested, loc).expect("ok").value, None);
        let e = read_number(&Cell::Text("foo".into()), Field::Plhiv, loc).err().expect("err");
        assert_eq!(e.rule, Rule::NotANumber);
        assert_eq!(e.location.place().as_deref(), Some("E7"));
        let e = read_number(&Cell::Number(-3.0), Field::OnArt, loc).err().expect("err");
        assert_eq!(e.rule, Rule::Negative);
        let e = read_number(&Cell::FormulaNoValue("SUM(A1:A3)".into()), Field::OnArt, loc).err().expect("err");
        assert_eq!(e.rule, Rule::FormulaNoValue);
        let e = read_number(&Cell::Error("#REF!".into()), Field::OnArt, loc).err().expect("err");
        assert_eq!(e.value.as_deref(), Some("#REF!"));
    }

    #[test]
    fn sex_age_category_currency() {
        assert_eq!(read_sex(&Cell::Text("Female".into()), loc).expect("ok"), Some(Sex::Female));
        assert_eq!(read_sex(&Cell::Text("ប្រុស".into()), loc).expect("ok"), Some(Sex::Male));
        assert_eq!(read_sex(&Cell::Empty, loc).expect("ok"), None);
        assert!(read_sex(&Cell::Text("X".into()), loc).is_err());
        assert_eq!(read_age(&Cell::Text("0–14".into()), loc).expect("ok"), Some(AgeGroup::Child));
        assert_eq!(read_age(&Cell::Text("15 +".into()), loc).expect("ok"), Some(AgeGroup::Adult));
        assert_eq!(read_age(&Cell::Text("១៥+".into()), loc).expect("ok"), Some(AgeGroup::Adult));
        assert!(read_age(&Cell::Text("15-24".into()), loc).is_err());
        assert_eq!(read_category(&Cell::Text("Care and treatment".into()), loc).expect("ok"), Category::Treatment);
        assert!(read_category(&Cell::Text("travel".into()), loc).is_err());
        let known = vec!["KHR".to_string(), "USD".to_string()];
        assert_eq!(read_currency(&Cell::Text("riel".into()), "USD", &known, loc).expect("ok"), "KHR");
        assert_eq!(read_currency(&Cell::Empty, "KHR", &known, loc).expect("ok"), "KHR");
        assert!(read_currency(&Cell::Text("EUR".into()), "USD", &known, loc).is_err());
        assert_eq!(normalise_funding("The Global Fund"), "Global Fund");
        assert_eq!(normalise_funding("UNICEF"), "UNICEF");
    }
}

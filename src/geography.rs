//! Project loading: owns Cambodia's provinces, districts and communes, their codes and their names
//! in English and Khmer. The national table (`data/geography.csv`, generated from the MEF gazetteer
//! by `scripts/make_geography.py`; see `data/GEOGRAPHY.md`) is embedded, so `ftc check` works
//! outside any project; a project may bring its own table of the same shape.

use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::OnceLock;

/// The national table, `code,level,parent,name_en,name_km`, sorted by code.
pub const BUILTIN_CSV: &str = include_str!("../data/geography.csv");

/// The columns a geography table has, in this order.
pub const COLUMNS: [&str; 5] = ["code", "level", "parent", "name_en", "name_km"];

/// What `from_csv` calls its input in messages (`load` names the file instead).
const DEFAULT_FILE: &str = "geography.csv";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Province,
    District,
    Commune,
}

impl Level {
    /// The word used in `geography.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }

    /// How many digits a code of this level has: 2, 4 or 6.
    pub fn code_len(self) -> usize {
        match self {
            Level::Province => 2,
            Level::District => 4,
            Level::Commune => 6,
        }
    }

    fn parse(s: &str) -> Option<Level> {
        [Level::Province, Level::District, Level::Commune].into_iter().find(|l| l.as_str() == s)
    }

    fn parent(self) -> Option<Level> {
        match self {
            Level::Province => None,
            Level::District => Some(Level::Province),
            Level::Commune => Some(Level::District),
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    pub code: String,
    pub level: Level,
    /// Empty for a province; the province code for a district; the district code for a commune.
    pub parent: Option<String>,
    pub name_en: String,
    pub name_km: String,
}

#[derive(Debug, thiserror::Error)]
pub enum GeographyError {
    #[error("{path}: cannot read the geography table: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The text is not well-formed CSV (an open quote, a line with too few or too many fields).
    #[error("{file} line {line}: {message}")]
    Csv { file: String, line: u64, message: String },
    /// A well-formed line whose content is wrong (level, code, parent, name, duplicate).
    #[error("{file} line {line}: {message}")]
    BadRow { file: String, line: u64, message: String },
}

/// The areas of a geography, by code.
#[derive(Debug, Clone, Default)]
pub struct Geography {
    areas: BTreeMap<String, Area>,
}

/// Common English spellings of province names, beside the gazetteer's own (which are matched
/// from the table itself: `Siemreap`, `Otdar Meanchey`, `Mondul Kiri`, `Ratanak Kiri`,
/// `Sihanoukville`, `Tboung Khmum`). Compared after folding (case, spaces, hyphens, apostrophes)
/// and after dropping a leading or trailing unit word (`Province`, `Khaet`, `Krong`, `ខេត្ត`, ...).
const PROVINCE_ALIASES: &[(&str, &[&str])] = &[
    ("01", &["Banteay Meanchey", "Banteay Mean Chey", "Bantey Meanchey", "Banteay Mienchey"]),
    ("02", &["Battambang", "Batdambang", "Bat Dambang", "Battambong"]),
    ("03", &["Kampong Cham", "Kompong Cham", "Kampung Cham"]),
    ("04", &["Kampong Chhnang", "Kompong Chhnang", "Kampong Chnang", "Kompong Chnang"]),
    ("05", &["Kampong Speu", "Kompong Speu", "Kampong Spueu", "Kompong Spoe"]),
    ("06", &["Kampong Thom", "Kompong Thom", "Kampong Thum", "Kompong Thum"]),
    ("07", &["Kampot", "Kampaut"]),
    ("08", &["Kandal", "Kandaal"]),
    ("09", &["Koh Kong", "Kaoh Kong", "Kah Kong"]),
    ("10", &["Kratie", "Kracheh", "Kratié"]),
    ("11", &["Mondulkiri", "Mondul Kiri", "Mondolkiri", "Mondol Kiri", "Mundulkiri"]),
    ("12", &["Phnom Penh", "Phnum Penh", "PP"]),
    ("13", &["Preah Vihear", "Preah Vihea", "Preah Vihéar"]),
    ("14", &["Prey Veng", "Prey Vaeng"]),
    ("15", &["Pursat", "Pouthisat", "Pousat"]),
    ("16", &["Ratanakiri", "Ratanak Kiri", "Rattanakiri", "Ratanakkiri", "Rotanakiri", "Rotanak Kiri"]),
    ("17", &["Siem Reap", "Siemreap", "Siem Riep", "Siemriep", "Siem Reab"]),
    ("18", &["Preah Sihanouk", "Sihanoukville", "Sihanouk", "Kampong Som", "Kompong Som", "Kampong Saom"]),
    ("19", &["Stung Treng", "Stoeng Treng", "Steung Treng", "Stung Traeng"]),
    ("20", &["Svay Rieng", "Svay Reang"]),
    ("21", &["Takeo", "Takaev", "Takev"]),
    (
        "22",
        &["Oddar Meanchey", "Otdar Meanchey", "Oddor Meanchey", "Oddar Mean Chey", "Otdar Mean Chey", "Uddor Meanchey"],
    ),
    ("23", &["Kep", "Kaeb", "Kep City"]),
    ("24", &["Pailin", "Pailin City"]),
    ("25", &["Tbong Khmum", "Tboung Khmum", "Tboung Khmom", "Tbaung Khmum", "Tbong Khmom"]),
];

/// Words that may lead (or, in English, trail) a place name as people write it: unit words of
/// communes and sangkats, districts, provinces and the capital. Matched case-insensitively; an
/// English word must be followed (or preceded) by a space, hyphen, dot or colon, a Khmer word need
/// not be. Never removed when nothing would remain.
const UNIT_WORDS: &[&str] = &[
    "sangkat",
    "khum",
    "commune",
    "quarter",
    "srok",
    "khan",
    "krong",
    "district",
    "khaet",
    "khet",
    "province",
    "capital",
    "city",
    "municipality",
    "សង្កាត់",
    "ឃុំ",
    "ស្រុក",
    "ខណ្ឌ",
    "ក្រុង",
    "ខេត្ត",
    "រាជធានី",
];

impl Geography {
    /// The embedded national table, parsed once.
    pub fn builtin() -> &'static Geography {
        static BUILTIN: OnceLock<Geography> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The embedded table is generated and checked by scripts/make_geography.py and parsed
            // by the `builtin_*` tests, so a failure here is a build defect, not a user error.
            Geography::from_csv(BUILTIN_CSV).expect("the embedded data/geography.csv parses")
        })
    }

    /// Read a geography table from a file (see [`Geography::from_csv`]); errors name the file.
    pub fn load(path: &Path) -> Result<Geography, GeographyError> {
        Geography::parse(&Geography::read_text(path)?, &path.display().to_string())
    }

    /// The text of a geography file, for [`Geography::parse`]; the error names the file.
    pub fn read_text(path: &Path) -> Result<String, GeographyError> {
        std::fs::read_to_string(path).map_err(|source| GeographyError::Io { path: path.display().to_string(), source })
    }

    /// Parse `code,level,parent,name_en,name_km` (that header line first; an optional UTF-8 BOM;
    /// LF or CRLF). Checks that every code has its level's width, that a province has no parent,
    /// that a district's parent is its province and a commune's its district (the code's first
    /// digits) and is in the table, that no code repeats and no name is empty. Errors give the
    /// line number and what to fix.
    pub fn from_csv(text: &str) -> Result<Geography, GeographyError> {
        Geography::parse(text, DEFAULT_FILE)
    }

    /// [`Geography::from_csv`], naming `file` in its errors.
    pub fn parse(text: &str, file: &str) -> Result<Geography, GeographyError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let csv_error = |e: csv::Error| GeographyError::Csv {
            file: file.to_string(),
            line: e.position().map_or(1, csv::Position::line),
            message: e.to_string(),
        };
        let bad = |line: u64, message: String| GeographyError::BadRow { file: file.to_string(), line, message };

        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
        let header = reader.headers().map_err(csv_error)?;
        if !header.iter().map(str::trim).eq(COLUMNS) {
            let found = header.iter().collect::<Vec<_>>().join(",");
            return Err(bad(1, format!("the header is '{found}'; it must be '{}'", COLUMNS.join(","))));
        }

        let mut areas = BTreeMap::new();
        let mut lines: BTreeMap<String, u64> = BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            let line = record.position().map_or(0, csv::Position::line);
            let field = |i: usize| record.get(i).map_or("", str::trim);
            let (code, level, parent, name_en, name_km) = (field(0), field(1), field(2), field(3), field(4));

            let level = Level::parse(level)
                .ok_or_else(|| bad(line, format!("level '{level}' must be one of province, district, commune")))?;
            let width = level.code_len();
            if code.len() != width || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(line, format!("code '{code}' must be {width} digits for a {level}")));
            }
            let parent = match level.parent() {
                None if parent.is_empty() => None,
                None => return Err(bad(line, format!("province {code} has parent '{parent}'; leave it empty"))),
                Some(parent_level) => {
                    let expected = &code[..width - 2];
                    if parent != expected {
                        return Err(bad(
                            line,
                            format!(
                                "the parent of {level} {code} must be its {parent_level} {expected}, not '{parent}'"
                            ),
                        ));
                    }
                    Some(parent.to_string())
                }
            };
            if name_en.is_empty() || name_km.is_empty() {
                let which = if name_en.is_empty() { "name_en" } else { "name_km" };
                return Err(bad(line, format!("{level} {code} has an empty {which}")));
            }
            if let Some(first) = lines.insert(code.to_string(), line) {
                return Err(bad(line, format!("code {code} is already on line {first}; list each area once")));
            }
            let area = Area { code: code.to_string(), level, parent, name_en: name_en.into(), name_km: name_km.into() };
            areas.insert(area.code.clone(), area);
        }

        // Parents may come after their children in a hand-made file: check once all are read.
        for area in areas.values() {
            if let Some(parent) = area.parent.as_deref().filter(|p| !areas.contains_key(*p)) {
                let line = lines.get(&area.code).copied().unwrap_or(0);
                let parent_level = area.level.parent().map_or("parent", Level::as_str);
                return Err(bad(
                    line,
                    format!(
                        "{} {}: its {parent_level} {parent} is not in the table; add it or fix the code",
                        area.level, area.code
                    ),
                ));
            }
        }
        Ok(Geography { areas })
    }

    pub fn get(&self, code: &str) -> Option<&Area> {
        self.areas.get(code)
    }

    /// Every area, sorted by code.
    pub fn iter(&self) -> impl Iterator<Item = &Area> {
        self.areas.values()
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// The provinces, sorted by code.
    pub fn provinces(&self) -> impl Iterator<Item = &Area> {
        self.areas.values().filter(|a| a.level == Level::Province)
    }

    /// The direct children of an area (a province's districts, a district's communes), sorted.
    pub fn children<'a>(&'a self, code: &str) -> impl Iterator<Item = &'a Area> + use<'a> {
        let parent = code.to_string();
        self.areas
            .range::<str, _>((Bound::Excluded(code), Bound::Unbounded))
            .map(|(_, a)| a)
            .take_while({
                let parent = parent.clone();
                move |a| a.code.starts_with(parent.as_str())
            })
            .filter(move |a| a.parent.as_deref() == Some(parent.as_str()))
    }

    /// The communes and sangkats of a province (a two-digit code), sorted by code.
    pub fn communes_of_province<'a>(&'a self, province: &str) -> impl Iterator<Item = &'a Area> + use<'a> {
        let province = province.to_string();
        self.areas
            .range::<str, _>((Bound::Included(province.as_str()), Bound::Unbounded))
            .map(|(_, a)| a)
            .take_while(move |a| province_of(&a.code) == province)
            .filter(|a| a.level == Level::Commune)
    }

    /// Province whose English name matches, tolerant of case, spaces, hyphens, apostrophes, a
    /// unit word (`Province`, `Khaet`, `Krong`, `ខេត្ត`, `រាជធានី`) and the common variant spellings
    /// in [`PROVINCE_ALIASES`] (Siem Reap/Siemreap, Oddar/Otdar Meanchey, Kampong/Kompong, ...), or
    /// whose Khmer name matches (spaces and the capital's `រាជធានី` aside).
    pub fn find_province(&self, name: &str) -> Option<&Area> {
        let key = comparable(name);
        if key.is_empty() {
            return None;
        }
        PROVINCE_ALIASES
            .iter()
            .find(|(_, names)| names.iter().any(|n| comparable(n) == key))
            .and_then(|(code, _)| self.get(code))
            .or_else(|| self.provinces().find(|a| comparable(&a.name_en) == key || comparable(&a.name_km) == key))
    }

    /// Whether a name as a province wrote it plausibly names this area: compares against name_en
    /// and name_km case-insensitively, ignoring spaces, hyphens, apostrophes, quotes, the Khmer
    /// subscript ដ/ត variation and a leading unit word ("Sangkat", "Khum", "Commune", "សង្កាត់",
    /// "ឃុំ", "Srok", "Khan", ...). A province also matches its aliases. An empty name, or an
    /// unknown code, matches nothing.
    pub fn name_matches(&self, code: &str, written: &str) -> bool {
        let Some(area) = self.get(code) else { return false };
        let w = comparable(written);
        if w.is_empty() {
            return false;
        }
        comparable(&area.name_en) == w
            || comparable(&area.name_km) == w
            || (area.level == Level::Province && self.find_province(written).is_some_and(|p| p.code == area.code))
    }
}

/// A name reduced for comparison: one leading and one trailing unit word dropped, then
/// [`fold`]ed.
fn comparable(name: &str) -> String {
    fold(strip_unit_words(name.trim()))
}

fn strip_unit_words(s: &str) -> &str {
    let is_sep = |c: char| c.is_whitespace() || matches!(c, '-' | '.' | ':' | '_' | ',');
    let mut s = s;
    for word in UNIT_WORDS {
        let Some(rest) = s.get(..word.len()).filter(|p| p.eq_ignore_ascii_case(word)).map(|_| &s[word.len()..]) else {
            continue;
        };
        let latin = word.is_ascii();
        if (!latin || rest.starts_with(is_sep)) && !fold(rest).is_empty() {
            s = rest;
            break;
        }
    }
    for word in UNIT_WORDS.iter().filter(|w| w.is_ascii()) {
        let Some(cut) = s.len().checked_sub(word.len()) else { continue };
        let Some(rest) = s.get(cut..).filter(|t| t.eq_ignore_ascii_case(word)).map(|_| &s[..cut]) else {
            continue;
        };
        if rest.ends_with(is_sep) && !fold(rest).is_empty() {
            s = rest;
            break;
        }
    }
    s
}

/// Lower case; Khmer digits as ASCII; the Khmer subscript DA written as subscript TA (the two are
/// used interchangeably); without spaces, hyphens, dashes, apostrophes, quotes, brackets, dots,
/// commas, underscores or zero-width characters.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut after_coeng = false;
    for c in s.chars() {
        let skip = c.is_whitespace()
            || matches!(
                c,
                '-' | '\u{2010}'..='\u{2015}'
                    | '\'' | '\u{2018}' | '\u{2019}' | '`' | '\u{02bc}' | '´'
                    | '"' | '\u{201c}' | '\u{201d}' | '‹' | '›' | '«' | '»'
                    | '(' | ')' | '[' | ']'
                    | '.' | ',' | '_'
                    | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
            );
        if skip {
            continue;
        }
        let c = if after_coeng && c == '\u{178a}' { '\u{178f}' } else { khmer_digit(c).unwrap_or(c) };
        after_coeng = c == '\u{17d2}';
        out.extend(c.to_lowercase());
    }
    out
}

/// The ASCII digit for a Khmer digit (០..៩).
fn khmer_digit(c: char) -> Option<char> {
    let offset = u32::from(c).checked_sub(u32::from('០')).filter(|d| *d <= 9)?;
    char::from_digit(offset, 10)
}

/// Normalise an area code as typed in a spreadsheet: trims, accepts a trailing ".0" (a number
/// shown as float), and restores leading zeros lost when a code was typed as a number: 1..2 digits
/// -> province (2), 3..4 -> district (4), 5..6 -> commune (6). Returns None for anything that is
/// not 1-6 ASCII or Khmer digits (Khmer digits ០-៩ map to 0-9).
pub fn normalize_code(raw: &str) -> Option<String> {
    let mut buf = [0u8; 8];
    let digits = std::str::from_utf8(code_digits(raw, &mut buf)?).ok()?;
    let width = match digits.len() {
        1 | 2 => 2,
        3 | 4 => 4,
        _ => 6,
    };
    Some(format!("{digits:0>width$}"))
}

/// Whether [`normalize_code`] takes `raw` for a code, without making the code.
pub fn is_code(raw: &str) -> bool {
    code_digits(raw, &mut [0u8; 8]).is_some()
}

/// The 1-6 ASCII digits of a code as typed (trimmed, Khmer digits made ASCII, a trailing ".0"
/// left out), written into `buf`; `None` for anything else.
fn code_digits<'b>(raw: &str, buf: &'b mut [u8; 8]) -> Option<&'b [u8]> {
    // A code is at most six digits, and ".0" after them: eight characters.
    let mut n = 0;
    for c in raw.trim().chars() {
        let c = khmer_digit(c).unwrap_or(c);
        if n == buf.len() || !c.is_ascii() {
            return None;
        }
        buf[n] = c as u8;
        n += 1;
    }
    let digits = buf[..n].strip_suffix(b".0").unwrap_or(&buf[..n]);
    ((1..=6).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit)).then_some(digits)
}

/// The province part (first two digits) of a normalised code.
pub fn province_of(code: &str) -> &str {
    code.get(..2).unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "code,level,parent,name_en,name_km\n";

    fn count(g: &Geography, level: Level) -> usize {
        g.iter().filter(|a| a.level == level).count()
    }

    fn parse_err(body: &str) -> String {
        Geography::from_csv(&format!("{HEAD}{body}")).expect_err(body).to_string()
    }

    #[test]
    fn builtin_counts() {
        let g = Geography::builtin();
        assert_eq!(count(g, Level::Province), 25);
        assert_eq!(count(g, Level::District), 210);
        assert_eq!(count(g, Level::Commune), 1661);
        assert_eq!(g.len(), 1896);
        assert!(!g.is_empty());
        let codes: Vec<&str> = g.provinces().map(|a| a.code.as_str()).collect();
        let expected: Vec<String> = (1..=25).map(|n| format!("{n:02}")).collect();
        assert_eq!(codes, expected);
    }

    #[test]
    fn builtin_known_commune() {
        let g = Geography::builtin();
        let c = g.get("010201").expect("Banteay Neang is in the table");
        assert_eq!(
            c,
            &Area {
                code: "010201".into(),
                level: Level::Commune,
                parent: Some("0102".into()),
                name_en: "Banteay Neang".into(),
                name_km: "បន្ទាយនាង".into(),
            }
        );
        assert_eq!(g.get("0102").map(|a| a.name_en.as_str()), Some("Mangkul Bourei"));
        assert_eq!(g.get("12").map(|a| a.name_km.as_str()), Some("រាជធានីភ្នំពេញ"));
        let json = serde_json::to_string(c).expect("serialises");
        assert!(json.contains(r#""level":"commune""#), "{json}");
    }

    #[test]
    fn builtin_hierarchy_is_consistent() {
        let g = Geography::builtin();
        let districts: usize = g.provinces().map(|p| g.children(&p.code).count()).sum();
        assert_eq!(districts, 210);
        let communes: usize = g.provinces().map(|p| g.communes_of_province(&p.code).count()).sum();
        assert_eq!(communes, 1661);
        for p in g.provinces() {
            for d in g.children(&p.code) {
                assert_eq!((d.level, d.parent.as_deref()), (Level::District, Some(p.code.as_str())));
                assert!(g.children(&d.code).count() > 0, "district {} has no commune", d.code);
                assert!(g.children(&d.code).all(|c| c.level == Level::Commune && c.parent.as_ref() == Some(&d.code)));
            }
        }
        let banan: Vec<&str> = g.children("0201").map(|a| a.code.as_str()).collect();
        assert!(banan.windows(2).all(|w| w[0] < w[1]) && banan.first() == Some(&"020101"), "{banan:?}");
        assert!(g.communes_of_province("12").all(|a| a.code.starts_with("12") && a.level == Level::Commune));
        assert_eq!(g.communes_of_province("").count(), 0);
        assert_eq!(g.communes_of_province("99").count(), 0);
        assert_eq!(g.children("010201").count(), 0);
        assert_eq!(g.children("").count(), 0);
    }

    #[test]
    fn normalize_code_cases() {
        for (raw, want) in [
            ("10201", Some("010201")),
            ("102", Some("0102")),
            ("1", Some("01")),
            ("20101.0", Some("020101")),
            ("០២", Some("02")),
            ("១០២០១", Some("010201")),
            (" 120101 ", Some("120101")),
            ("0102", Some("0102")),
            ("12A", None),
            ("", None),
            ("  ", None),
            (".0", None),
            ("1234567", None),
            ("-12", None),
            ("1.5", None),
        ] {
            assert_eq!(normalize_code(raw).as_deref(), want, "{raw:?}");
            assert_eq!(is_code(raw), want.is_some(), "{raw:?}");
        }
    }

    /// `is_code` says what `normalize_code` does, over every text of up to four characters
    /// drawn from those a code cell holds and those that make it not one.
    #[test]
    fn is_code_agrees_with_normalize_code() {
        let alphabet = ['0', '7', '.', ' ', '០', '៩', 'A', '-', '\u{a0}', 'é'];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> =
                texts.iter().flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}"))).collect();
            texts.extend(longer);
        }
        texts.extend(
            ["1234567", "1234567.0", "123456.0", "12345678", "٣", " ១២៣៤៥៦.0 ", "1.0.0", "12.0.0"].map(String::from),
        );
        for t in &texts {
            assert_eq!(is_code(t), normalize_code(t).is_some(), "{t:?}");
        }
    }

    #[test]
    fn province_of_takes_two_digits() {
        assert_eq!(province_of("120101"), "12");
        assert_eq!(province_of("0102"), "01");
        assert_eq!(province_of("7"), "7");
    }

    #[test]
    fn find_province_variant_spellings() {
        let g = Geography::builtin();
        for (name, code) in [
            ("Siem Reap", "17"),
            ("Siemreap", "17"),
            ("siem-reap", "17"),
            ("Oddar Meanchey", "22"),
            ("Otdar Meanchey", "22"),
            ("Mondulkiri", "11"),
            ("Mondul Kiri", "11"),
            ("Ratanakiri", "16"),
            ("Ratanak Kiri", "16"),
            ("Preah Sihanouk", "18"),
            ("Sihanoukville", "18"),
            ("Phnom Penh", "12"),
            ("Phnum Penh", "12"),
            ("phnom-penh", "12"),
            ("PHNOM PENH CAPITAL", "12"),
            ("Kampong Cham", "03"),
            ("Kompong Cham", "03"),
            ("Kompong Thom", "06"),
            ("Kampong Speu Province", "05"),
            ("Tbong Khmum", "25"),
            ("Krong Kep", "23"),
            ("បាត់ដំបង", "02"),
            ("ខេត្តសៀមរាប", "17"),
            ("ភ្នំពេញ", "12"),
            ("រាជធានីភ្នំពេញ", "12"),
            ("កណ្តាល", "08"),
        ] {
            assert_eq!(g.find_province(name).map(|a| a.code.as_str()), Some(code), "{name}");
        }
        for name in ["Atlantis", "", "  ", "Kampong", "Province", "Meanchey"] {
            assert!(g.find_province(name).is_none(), "{name}");
        }
    }

    #[test]
    fn find_province_by_gazetteer_names() {
        let g = Geography::builtin();
        for p in g.provinces() {
            assert_eq!(g.find_province(&p.name_en).map(|a| &a.code), Some(&p.code), "{}", p.name_en);
            assert_eq!(g.find_province(&p.name_km).map(|a| &a.code), Some(&p.code), "{}", p.name_km);
        }
    }

    #[test]
    fn province_aliases_are_unambiguous() {
        let g = Geography::builtin();
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (code, names) in PROVINCE_ALIASES {
            assert!(g.get(code).is_some_and(|a| a.level == Level::Province), "{code}");
            for n in *names {
                let key = comparable(n);
                assert!(!key.is_empty(), "{n}");
                if let Some(other) = seen.insert(key, code) {
                    assert_eq!(other, *code, "alias {n} names two provinces");
                }
                let clash = g.provinces().find(|p| comparable(&p.name_en) == comparable(n) && p.code != *code);
                assert!(clash.is_none(), "alias {n} of {code} is the name of {clash:?}");
            }
        }
    }

    #[test]
    fn name_matches_as_written() {
        let g = Geography::builtin();
        for written in [
            "Banteay Neang",
            "banteay neang",
            "BanteayNeang",
            "Khum Banteay-Neang",
            "Commune Banteay Neang",
            "Sangkat Banteay Neang",
            "Banteay Neang commune",
            "បន្ទាយនាង",
            "ឃុំបន្ទាយនាង",
            "ឃុំ បន្ទាយនាង",
            "សង្កាត់បន្ទាយនាង",
        ] {
            assert!(g.name_matches("010201", written), "{written}");
        }
        assert!(g.name_matches("030611", "Ro’ang"));
        assert!(g.name_matches("030611", "Roang"));
        assert!(g.name_matches("080404", "Kaoh Thum Ka"));
        assert!(g.name_matches("080404", "កោះធំ ក"));
        assert!(g.name_matches("140107", "ស្ពឺក"));
        assert!(g.name_matches("120404", "ទឹកល្អក់ទី1"));
        assert!(g.name_matches("0102", "Srok Mangkul Bourei"));
        assert!(g.name_matches("17", "Siem Reap"));
        assert!(g.name_matches("12", "ភ្នំពេញ"));
    }

    #[test]
    fn name_matches_rejects() {
        let g = Geography::builtin();
        for written in ["Bat Trang", "", "  ", "Khum", "Banteay", "Banteay Neang Thmei", "ឃុំបត់ត្រង់"]
        {
            assert!(!g.name_matches("010201", written), "{written:?}");
        }
        assert!(!g.name_matches("999999", "Banteay Neang"));
        assert!(!g.name_matches("080404", "Kaoh Thum Kha"));
        assert!(!g.name_matches("02", "Siem Reap"));
    }

    #[test]
    fn from_csv_accepts_bom_crlf_and_any_order() {
        let text = "\u{feff}code,level,parent,name_en,name_km\r\n010201,commune,0102,C,គ\r\n0102,district,01,B,ខ\r\n01,province,,A,ក\r\n";
        let g = Geography::from_csv(text).expect("parses");
        assert_eq!(g.len(), 3);
        assert_eq!(g.provinces().count(), 1);
        assert_eq!(g.get("010201").and_then(|a| a.parent.as_deref()), Some("0102"));
        assert!(Geography::from_csv(HEAD).expect("an empty table parses").is_empty());
    }

    #[test]
    fn from_csv_bad_level() {
        let e = parse_err("01,province,,A,ក\n0101,town,01,B,ខ\n");
        assert!(e.contains("line 3") && e.contains("'town'"), "{e}");
    }

    #[test]
    fn from_csv_missing_parent() {
        let e = parse_err("01,province,,A,ក\n0101,district,01,B,ខ\n020101,commune,0201,C,គ\n");
        assert!(e.contains("line 4") && e.contains("020101") && e.contains("district 0201 is not in the table"), "{e}");
    }

    #[test]
    fn from_csv_malformed_line() {
        let e = parse_err("01,province,,A,ក\n\"0101,district,01,B,ខ\n");
        assert!(e.contains("line 3"), "{e}");
        let e = parse_err("01,province,,A,ក\n0101,district,01\n");
        assert!(e.contains("line 3"), "{e}");
    }

    #[test]
    fn from_csv_other_mistakes() {
        for (body, line, says) in [
            ("01,province,,A,ក\n0201,district,01,B,ខ\n", "line 3", "must be its province 02"),
            ("01,province,,A,ក\n010101,commune,01,B,ខ\n", "line 3", "must be its district 0101"),
            ("01,province,02,A,ក\n", "line 2", "leave it empty"),
            ("1,province,,A,ក\n", "line 2", "must be 2 digits"),
            ("01,province,,A,ក\n01,province,,A,ក\n", "line 3", "already on line 2"),
            ("01,province,,A,\n", "line 2", "empty name_km"),
        ] {
            let e = parse_err(body);
            assert!(e.contains(line) && e.contains(says), "{body:?}: {e}");
        }
        let e = Geography::from_csv("code,level,name_en,name_km\n01,province,A,ក\n").expect_err("header").to_string();
        assert!(e.contains("line 1") && e.contains("code,level,parent,name_en,name_km"), "{e}");
    }

    #[test]
    fn load_names_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("nowhere.csv");
        let e = Geography::load(&missing).expect_err("missing").to_string();
        assert!(e.contains("nowhere.csv"), "{e}");
        let bad = dir.path().join("geo.csv");
        std::fs::write(&bad, format!("{HEAD}01,province,,A,ក\n0101,town,01,B,ខ\n")).expect("writes");
        let e = Geography::load(&bad).expect_err("bad level").to_string();
        assert!(e.contains("geo.csv line 3"), "{e}");
        let good = dir.path().join("good.csv");
        std::fs::write(&good, BUILTIN_CSV).expect("writes");
        assert_eq!(Geography::load(&good).expect("loads").len(), Geography::builtin().len());
    }
}

//! Project loading: Cambodia's provinces, districts and communes, their codes and their names in
//! English and Khmer. The national table (`data/geography.csv`, generated from the MEF gazetteer
//! by `scripts/make_geography.py`) is embedded, so `ftc check` works outside any project.

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

const BUILTIN_CSV: &str = include_str!("../data/geography.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Province,
    District,
    Commune,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        match s.trim() {
            "province" => Some(Level::Province),
            "district" => Some(Level::District),
            "commune" => Some(Level::Commune),
            _ => None,
        }
    }
    fn code_len(self) -> usize {
        match self {
            Level::Province => 2,
            Level::District => 4,
            Level::Commune => 6,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Area {
    pub code: String,
    pub level: Level,
    pub parent: Option<String>,
    pub name_en: String,
    pub name_km: String,
}

#[derive(Debug, thiserror::Error)]
pub enum GeographyError {
    #[error("{path}: cannot read the geography: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("geography.csv line {line}: {message}")]
    Row { line: u64, message: String },
}

/// The areas of a geography, by code.
#[derive(Debug, Clone, Default)]
pub struct Geography {
    areas: BTreeMap<String, Area>,
}

/// Common English spellings of province names, beside the gazetteer's own.
const PROVINCE_ALIASES: &[(&str, &[&str])] = &[
    ("12", &["phnom penh", "phnum penh", "pp"]),
    ("17", &["siem reap", "siemreap", "siem riep"]),
    ("22", &["oddar meanchey", "otdar meanchey", "oddor meanchey", "otdar mean chey"]),
    ("11", &["mondulkiri", "mondul kiri", "mondolkiri"]),
    ("16", &["ratanakiri", "ratanak kiri", "rattanakiri", "ratanakkiri"]),
    ("18", &["preah sihanouk", "sihanoukville", "kampong som", "kompong som"]),
    ("01", &["banteay meanchey", "banteay mean chey"]),
    ("02", &["battambang", "batdambang", "bat dambang"]),
    ("03", &["kampong cham", "kompong cham"]),
    ("04", &["kampong chhnang", "kompong chhnang"]),
    ("05", &["kampong speu", "kompong speu", "kampong spueu"]),
    ("06", &["kampong thom", "kompong thom"]),
    ("07", &["kampot"]),
    ("08", &["kandal"]),
    ("09", &["koh kong", "kaoh kong"]),
    ("10", &["kratie", "kracheh"]),
    ("13", &["preah vihear"]),
    ("14", &["prey veng"]),
    ("15", &["pursat", "pouthisat"]),
    ("19", &["stung treng", "stoeng treng", "steung treng"]),
    ("20", &["svay rieng"]),
    ("21", &["takeo", "takaev"]),
    ("23", &["kep", "kaeb"]),
    ("24", &["pailin", "pailin"]),
    ("25", &["tbong khmum", "tboung khmum", "tboung khmom"]),
];

/// Words that prefix a commune's name as people write it.
const NAME_PREFIXES: &[&str] = &["sangkat", "khum", "commune", "quarter", "សង្កាត់", "ឃុំ"];

impl Geography {
    /// The embedded national table, parsed once.
    pub fn builtin() -> &'static Geography {
        static BUILTIN: OnceLock<Geography> = OnceLock::new();
        // The embedded table is tested (`builtin_counts`), so a parse failure is a build defect.
        #[allow(clippy::expect_used)]
        BUILTIN.get_or_init(|| Geography::from_csv(BUILTIN_CSV).expect("the embedded geography.csv parses"))
    }

    pub fn load(path: &Path) -> Result<Geography, GeographyError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| GeographyError::Io { path: path.display().to_string(), source })?;
        Geography::from_csv(&text)
    }

    /// Parse `code,level,parent,name_en,name_km` (a header line first; an optional BOM).
    pub fn from_csv(text: &str) -> Result<Geography, GeographyError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
        let mut areas = BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| GeographyError::Row {
                line: e.position().map_or(0, |p| p.line()),
                message: e.to_string(),
            })?;
            let line = record.position().map_or(0, |p| p.line());
            let bad = |message: String| GeographyError::Row { line, message };
            let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
            let level = Level::parse(&field(1))
                .ok_or_else(|| bad(format!("level '{}' is not province, district or commune", field(1))))?;
            let code = field(0);
            if code.len() != level.code_len() || !code.chars().all(|c| c.is_ascii_digit()) {
                return Err(bad(format!("code '{code}' is not a {}-digit code", level.code_len())));
            }
            let parent = Some(field(2)).filter(|p| !p.is_empty());
            areas.insert(code.clone(), Area { code, level, parent, name_en: field(3), name_km: field(4) });
        }
        let geo = Geography { areas };
        geo.check_parents()?;
        Ok(geo)
    }

    fn check_parents(&self) -> Result<(), GeographyError> {
        for a in self.areas.values() {
            let ok = match (a.level, &a.parent) {
                (Level::Province, None) => true,
                (Level::Province, Some(_)) => false,
                (_, Some(p)) => self.get(p).is_some_and(|pa| a.code.starts_with(&pa.code) && pa.level < a.level),
                (_, None) => false,
            };
            if !ok {
                return Err(GeographyError::Row {
                    line: 0,
                    message: format!(
                        "area {}: its parent '{}' is missing or does not contain it",
                        a.code,
                        a.parent.clone().unwrap_or_default()
                    ),
                });
            }
        }
        Ok(())
    }

    pub fn get(&self, code: &str) -> Option<&Area> {
        self.areas.get(code)
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    pub fn provinces(&self) -> impl Iterator<Item = &Area> {
        self.areas.values().filter(|a| a.level == Level::Province)
    }

    pub fn children(&self, code: &str) -> impl Iterator<Item = &Area> {
        let (prefix, parent) = (code.to_string(), code.to_string());
        self.areas
            .range(code.to_string()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .map(|(_, a)| a)
            .filter(move |a| a.parent.as_deref() == Some(parent.as_str()))
    }

    pub fn communes_of_province(&self, province: &str) -> impl Iterator<Item = &Area> {
        let p = province.to_string();
        self.areas
            .range(p.clone()..)
            .take_while(move |(k, _)| k.starts_with(&p))
            .map(|(_, a)| a)
            .filter(|a| a.level == Level::Commune)
    }

    /// A province by its English name (common spellings too) or its exact Khmer name.
    pub fn find_province(&self, name: &str) -> Option<&Area> {
        let key = squash(name);
        if key.is_empty() {
            return None;
        }
        let by_alias = PROVINCE_ALIASES
            .iter()
            .find(|(_, names)| names.iter().any(|n| squash(n) == key))
            .and_then(|(c, _)| self.get(c));
        by_alias.or_else(|| self.provinces().find(|a| squash(&a.name_en) == key || a.name_km == name.trim()))
    }

    /// Whether a name as written plausibly names the area with this code.
    pub fn name_matches(&self, code: &str, written: &str) -> bool {
        let Some(area) = self.get(code) else { return false };
        let w = strip_prefix_words(&squash(written));
        if w.is_empty() {
            return true;
        }
        [&area.name_en, &area.name_km].iter().any(|n| strip_prefix_words(&squash(n)) == w)
    }
}

/// Lower case, without spaces, hyphens, apostrophes, dots or zero-width characters.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !(c.is_whitespace() || matches!(c, '-' | '\'' | '’' | '.' | '_' | '\u{200b}' | '\u{200c}' | '\u{200d}'))
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn strip_prefix_words(s: &str) -> String {
    NAME_PREFIXES.iter().find_map(|p| s.strip_prefix(&squash(p))).unwrap_or(s).to_string()
}

/// Normalise an area code as typed: trims, accepts a trailing `.0`, maps Khmer digits, and pads
/// codes that lost their leading zero (1–2 digits a province, 3–4 a district, 5–6 a commune).
pub fn normalize_code(raw: &str) -> Option<String> {
    let t = raw.trim();
    let t = t.strip_suffix(".0").unwrap_or(t);
    let digits = crate::ingest::number::ascii_digits(t);
    if digits.is_empty() || digits.len() > 6 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let width = match digits.len() {
        1 | 2 => 2,
        3 | 4 => 4,
        _ => 6,
    };
    Some(format!("{digits:0>width$}"))
}

/// The province part (first two digits) of a normalised code.
pub fn province_of(code: &str) -> &str {
    code.get(..2).unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_counts() {
        let g = Geography::builtin();
        let count = |l: Level| g.areas.values().filter(|a| a.level == l).count();
        assert_eq!(count(Level::Province), 25);
        assert_eq!(count(Level::District), 210);
        assert_eq!(count(Level::Commune), 1661);
        let c = g.get("010201").expect("Banteay Neang");
        assert_eq!(
            (c.name_en.as_str(), c.name_km.as_str(), c.parent.as_deref()),
            ("Banteay Neang", "បន្ទាយនាង", Some("0102"))
        );
        assert_eq!(
            g.communes_of_province("12").count(),
            g.communes_of_province("12").filter(|a| a.code.starts_with("12")).count()
        );
        assert!(g.children("0201").all(|a| a.level == Level::Commune && a.code.starts_with("0201")));
        assert_eq!(g.children("02").filter(|a| a.level != Level::District).count(), 0);
    }

    #[test]
    fn codes_typed_by_people() {
        assert_eq!(normalize_code("10201").as_deref(), Some("010201"));
        assert_eq!(normalize_code("102").as_deref(), Some("0102"));
        assert_eq!(normalize_code("1").as_deref(), Some("01"));
        assert_eq!(normalize_code("20101.0").as_deref(), Some("020101"));
        assert_eq!(normalize_code("០២").as_deref(), Some("02"));
        assert_eq!(normalize_code(" 120101 ").as_deref(), Some("120101"));
        assert_eq!(normalize_code("12A"), None);
        assert_eq!(normalize_code(""), None);
        assert_eq!(normalize_code("1234567"), None);
        assert_eq!(province_of("120101"), "12");
    }

    #[test]
    fn province_spellings() {
        let g = Geography::builtin();
        for (name, code) in [
            ("Siemreap", "17"),
            ("Siem Reap", "17"),
            ("Otdar Meanchey", "22"),
            ("Oddar Meanchey", "22"),
            ("Mondul Kiri", "11"),
            ("Ratanakiri", "16"),
            ("Sihanoukville", "18"),
            ("phnom-penh", "12"),
            ("បាត់ដំបង", "02"),
        ] {
            assert_eq!(g.find_province(name).map(|a| a.code.as_str()), Some(code), "{name}");
        }
        assert!(g.find_province("Atlantis").is_none());
    }

    #[test]
    fn names_as_written() {
        let g = Geography::builtin();
        assert!(g.name_matches("010201", "Banteay Neang"));
        assert!(g.name_matches("010201", "Khum Banteay-Neang"));
        assert!(g.name_matches("010201", "បន្ទាយនាង"));
        assert!(g.name_matches("010201", "ឃុំបន្ទាយនាង"));
        assert!(!g.name_matches("010201", "Bat Trang"));
        assert!(!g.name_matches("999999", "x"));
    }

    #[test]
    fn bad_tables_say_the_line() {
        let head = "code,level,parent,name_en,name_km\n";
        let e =
            Geography::from_csv(&format!("{head}01,province,,A,ក\n0101,town,01,B,ខ\n")).expect_err("level").to_string();
        assert!(e.contains("line 3") && e.contains("town"), "{e}");
        let e = Geography::from_csv(&format!("{head}01,province,,A,ក\n020101,commune,0201,B,ខ\n"))
            .expect_err("parent")
            .to_string();
        assert!(e.contains("020101"), "{e}");
        let e = Geography::from_csv(&format!("{head}01,province,,A,ក\n\"0101,district,01,B,ខ\n"))
            .expect_err("malformed")
            .to_string();
        assert!(e.contains("line"), "{e}");
    }
}

//! Ingest: the one declarative table of header names, totals labels and metadata labels that
//! the reader accepts, in English and in Khmer. `ftc template` writes labels from this table, so
//! what it writes is exactly what the reader accepts.

use serde::Serialize;

/// A column the data contract defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    AreaCode,
    AreaName,
    Sex,
    AgeGroup,
    Plhiv,
    Diagnosed,
    OnArt,
    VlTested,
    VlSuppressed,
    Activity,
    Category,
    FundingSource,
    Currency,
    Approved,
    Released,
    Spent,
}

/// Which table a sheet holds, decided from its headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TableKind {
    Cascade,
    Budget,
}

impl TableKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TableKind::Cascade => "cascade",
            TableKind::Budget => "budget",
        }
    }
    /// The kind in Khmer, in the site's words (`status.cascade`, `status.budget`).
    pub fn km(self) -> &'static str {
        match self {
            TableKind::Cascade => "ខ្សែសង្វាក់សេវា",
            TableKind::Budget => "ថវិកា",
        }
    }
    /// Every column of this table, in the template's order.
    pub fn fields(self) -> &'static [Field] {
        match self {
            TableKind::Cascade => CASCADE_FIELDS,
            TableKind::Budget => BUDGET_FIELDS,
        }
    }
    pub fn required(self) -> &'static [Field] {
        match self {
            TableKind::Cascade => &[Field::AreaCode, Field::Plhiv, Field::Diagnosed, Field::OnArt, Field::VlSuppressed],
            TableKind::Budget => &[
                Field::AreaCode,
                Field::Activity,
                Field::Category,
                Field::FundingSource,
                Field::Approved,
                Field::Spent,
            ],
        }
    }
}

pub const CASCADE_FIELDS: &[Field] = &[
    Field::AreaCode,
    Field::AreaName,
    Field::Sex,
    Field::AgeGroup,
    Field::Plhiv,
    Field::Diagnosed,
    Field::OnArt,
    Field::VlTested,
    Field::VlSuppressed,
];

pub const BUDGET_FIELDS: &[Field] = &[
    Field::AreaCode,
    Field::Activity,
    Field::Category,
    Field::FundingSource,
    Field::Currency,
    Field::Approved,
    Field::Released,
    Field::Spent,
];

/// A column's labels: the canonical id, the template's English and Khmer labels, and the other
/// spellings people write. Matching ignores case, spaces, `_`, `#`, `:`, and text in brackets.
pub struct Labels {
    pub field: Field,
    pub id: &'static str,
    pub en: &'static str,
    pub km: &'static str,
    pub aliases: &'static [&'static str],
    /// Whether the column holds counts or amounts.
    pub numeric: bool,
}

pub const COLUMNS: &[Labels] = &[
    Labels {
        field: Field::AreaCode,
        id: "area_code",
        en: "Area code",
        km: "លេខកូដតំបន់",
        numeric: false,
        aliases: &[
            "code",
            "commune code",
            "sangkat code",
            "commune/sangkat code",
            "area id",
            "geo code",
            "location code",
            "province code",
            "psnu code",
            "លេខកូដ",
            "លេខកូដឃុំ",
            "លេខកូដឃុំ/សង្កាត់",
        ],
    },
    Labels {
        field: Field::AreaName,
        id: "area_name",
        en: "Area name",
        km: "ឈ្មោះតំបន់",
        numeric: false,
        aliases: &[
            "area",
            "name",
            "commune",
            "commune name",
            "sangkat",
            "commune/sangkat",
            "location",
            "ឈ្មោះ",
            "ឃុំ/សង្កាត់",
            "ឈ្មោះឃុំ/សង្កាត់",
        ],
    },
    Labels { field: Field::Sex, id: "sex", en: "Sex", km: "ភេទ", numeric: false, aliases: &["gender"] },
    Labels {
        field: Field::AgeGroup,
        id: "age_group",
        en: "Age group",
        km: "ក្រុមអាយុ",
        numeric: false,
        aliases: &["age", "age band", "age groups", "អាយុ"],
    },
    Labels {
        field: Field::Plhiv,
        id: "plhiv",
        en: "PLHIV (estimate)",
        km: "ចំនួនអ្នកផ្ទុកមេរោគអេដស៍ប៉ាន់ស្មាន",
        numeric: true,
        aliases: &[
            "estimated plhiv",
            "plhiv estimate",
            "people living with hiv",
            "number of plhiv",
            "estimated number of plhiv",
            "plhiv est",
            "អ្នកផ្ទុកមេរោគអេដស៍",
        ],
    },
    Labels {
        field: Field::Diagnosed,
        id: "diagnosed",
        en: "Diagnosed (know status)",
        km: "ដឹងពីស្ថានភាពផ្ទុកមេរោគអេដស៍",
        numeric: true,
        aliases: &[
            "know status",
            "know their status",
            "plhiv who know their status",
            "plhiv diagnosed",
            "diagnosed plhiv",
            "people diagnosed",
            "number diagnosed",
            "known status",
        ],
    },
    Labels {
        field: Field::OnArt,
        id: "on_art",
        en: "On ART",
        km: "កំពុងព្យាបាលដោយឱសថ ARV",
        numeric: true,
        aliases: &[
            "currently on art",
            "number on art",
            "plhiv on art",
            "receiving art",
            "on treatment",
            "tx curr",
            "art current",
            "art",
        ],
    },
    Labels {
        field: Field::VlTested,
        id: "vl_tested",
        en: "VL tested",
        km: "បានធ្វើតេស្តបន្ទុកមេរោគ",
        numeric: true,
        aliases: &[
            "viral load tested",
            "vl test done",
            "vl tests",
            "with vl result",
            "viral load tested 12 months",
            "vl tested 12mos",
            "viral load tested",
            "viral load test",
        ],
    },
    Labels {
        field: Field::VlSuppressed,
        id: "vl_suppressed",
        en: "VL suppressed (<1000)",
        km: "បន្ទុកមេរោគត្រូវបានបង្ក្រាប",
        numeric: true,
        aliases: &[
            "virally suppressed",
            "suppressed",
            "viral load suppressed",
            "vl suppression",
            "vls",
            "vl suppressed 12mos",
            "suppressed vl",
            "viral load suppressed 12 months",
        ],
    },
    Labels {
        field: Field::Activity,
        id: "activity",
        en: "Activity",
        km: "សកម្មភាព",
        numeric: false,
        aliases: &["activity description", "description", "budget line", "activities", "intervention"],
    },
    Labels {
        field: Field::Category,
        id: "category",
        en: "Category",
        km: "ប្រភេទចំណាយ",
        numeric: false,
        aliases: &["cost category", "budget category", "programme area", "program area", "ប្រភេទ"],
    },
    Labels {
        field: Field::FundingSource,
        id: "funding_source",
        en: "Funding source",
        km: "ប្រភពមូលនិធិ",
        numeric: false,
        aliases: &["source of funds", "source of funding", "funding", "source", "donor", "funder", "ប្រភពថវិកា"],
    },
    Labels {
        field: Field::Currency,
        id: "currency",
        en: "Currency",
        km: "រូបិយប័ណ្ណ",
        numeric: false,
        aliases: &["ccy", "cur"],
    },
    Labels {
        field: Field::Approved,
        id: "approved",
        en: "Approved",
        km: "ថវិកាអនុម័ត",
        numeric: true,
        aliases: &[
            "approved budget",
            "budget",
            "budget approved",
            "annual budget",
            "planned",
            "plan",
            "allocation",
            "approved amount",
        ],
    },
    Labels {
        field: Field::Released,
        id: "released",
        en: "Released",
        km: "ថវិកាបានបើក",
        numeric: true,
        aliases: &["funds released", "amount released", "disbursed", "disbursement", "released to date"],
    },
    Labels {
        field: Field::Spent,
        id: "spent",
        en: "Spent",
        km: "ថវិកាបានចំណាយ",
        numeric: true,
        aliases: &[
            "expenditure",
            "expenditures",
            "actual expenditure",
            "amount spent",
            "spent to date",
            "expenditure to date",
            "ចំណាយ",
        ],
    },
];

/// Labels of totals rows.
pub const TOTALS_LABELS: &[&str] =
    &["total", "totals", "grand total", "sum", "subtotal", "sub total", "សរុប", "សរុបរួម", "សរុបទាំងអស់"];

/// Metadata written above a table or on a cover sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetaKey {
    Period,
    Province,
    Submitted,
}

pub const META_LABELS: &[(MetaKey, &[&str])] = &[
    (
        MetaKey::Period,
        &["period", "reporting period", "quarter", "reporting quarter", "រយៈពេលរបាយការណ៍", "រយៈពេល", "ត្រីមាស"],
    ),
    (MetaKey::Province, &["province", "province code", "ខេត្ត", "រាជធានី/ខេត្ត", "ខេត្ត/រាជធានី"]),
    (
        MetaKey::Submitted,
        &[
            "submitted",
            "submission date",
            "date submitted",
            "date of submission",
            "submitted on",
            "date",
            "កាលបរិច្ឆេទដាក់ស្នើ",
            "កាលបរិច្ឆេទ",
        ],
    ),
];

/// Normalise a label for matching: lower case, no bracketed text, no `#*:._`, spaces folded.
pub fn normalise(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    normalise_into(label, &mut out, usize::MAX);
    out
}

/// [`normalise`] into `out`, stopping once it holds `limit` characters or more: the text is
/// only ever added to, so that is the start of the whole normalised label.
fn normalise_into(label: &str, out: &mut String, limit: usize) {
    // One pass: white space (and the punctuation read as space) becomes one space between
    // words, none at either end. Asked of every budget line's category, source and currency.
    let mut depth = 0u32;
    let mut space = false;
    let mut count = 0usize;
    for c in label.chars() {
        if count >= limit {
            return;
        }
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '_' | '#' | '*' | ':' | '.' => space = true,
            c if c.is_whitespace() => space = true,
            _ => {
                for l in c.to_lowercase() {
                    if l.is_whitespace() {
                        space = true;
                        continue;
                    }
                    if space && !out.is_empty() {
                        out.push(' ');
                    }
                    space = false;
                    out.push(l);
                    count += 1;
                }
            }
        }
    }
}

/// The field a header label names, if any. Tries the whole label, then each part of a
/// bilingual label (`PLHIV / ចំនួន…`, or one language per line).
pub fn field_for(label: &str) -> Option<Field> {
    let whole = lookup(&normalise(label));
    whole.or_else(|| label.split(['/', '\n', '|']).filter(|p| !p.trim().is_empty()).find_map(|p| lookup(&normalise(p))))
}

fn lookup(n: &str) -> Option<Field> {
    static INDEX: std::sync::OnceLock<std::collections::BTreeMap<String, Field>> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut m = std::collections::BTreeMap::new();
        for l in COLUMNS {
            for label in [l.id, l.en, l.km].iter().chain(l.aliases.iter()) {
                m.entry(normalise(label)).or_insert(l.field);
            }
        }
        m
    });
    index.get(n).copied()
}

pub fn labels(field: Field) -> &'static Labels {
    COLUMNS.iter().find(|l| l.field == field).unwrap_or(&COLUMNS[0])
}

/// What every totals label, and every text starting `total ` or `សរុប`, starts with once
/// normalised (none longer than 12 characters).
const TOTALS_STEMS: [&str; 5] = ["total", "grand total", "sum", "sub", "សរុប"];

pub fn is_totals_label(text: &str) -> bool {
    // Asked of every row's label cells: most are codes and names that cannot be a totals label.
    // A label must normalise to a text starting with `total`, `sum`, `grand`, `sub` or `សរុប`;
    // normalising lowercases, drops bracketed parts, blanks some punctuation and trims. So the
    // first character that normalising keeps must be one of t, s, g (any case) or ស, and a text
    // that starts otherwise is refused without being normalised. A bracket first: the full rule.
    let first = text.chars().find(|c| !c.is_whitespace() && !matches!(c, '_' | '#' | '*' | ':' | '.' | ')' | ']'));
    match first {
        None => return false,
        Some('(' | '[' | 't' | 'T' | 's' | 'S' | 'g' | 'G' | 'ស') => {}
        Some(_) => return false,
    }
    // The first dozen characters normalised tell most names apart (Svay Chek, Training of ...)
    // without normalising the whole text.
    let mut start = String::with_capacity(16);
    normalise_into(text, &mut start, 12);
    if !TOTALS_STEMS.iter().any(|s| start.starts_with(s)) {
        return false;
    }
    static LABELS: std::sync::OnceLock<std::collections::BTreeSet<String>> = std::sync::OnceLock::new();
    let labels = LABELS.get_or_init(|| TOTALS_LABELS.iter().map(|t| normalise(t)).collect());
    let n = normalise(text);
    labels.contains(&n) || n.starts_with("total ") || n.starts_with("សរុប")
}

/// The metadata a label names: the whole label, then each part of a bilingual one
/// (`Period / រយៈពេលរបាយការណ៍`, as `ftc template` writes it).
pub fn meta_key_for(label: &str) -> Option<MetaKey> {
    static INDEX: std::sync::OnceLock<std::collections::BTreeMap<String, MetaKey>> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut m = std::collections::BTreeMap::new();
        for (k, ls) in META_LABELS {
            for l in *ls {
                m.entry(normalise(l)).or_insert(*k);
            }
        }
        m
    });
    let find = |text: &str| index.get(&normalise(text)).copied();
    find(label).or_else(|| label.split(['/', '\n', '|']).filter(|p| !p.trim().is_empty()).find_map(find))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule as first written (blank the punctuation, lowercase, then split on white space
    /// and join with one space): what the one-pass [`normalise`] must agree with.
    fn normalise_as_written(label: &str) -> String {
        let mut out = String::new();
        let mut depth = 0u32;
        for c in label.chars() {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth = depth.saturating_sub(1),
                _ if depth > 0 => {}
                '_' | '#' | '*' | ':' | '.' | '\u{a0}' | '\n' | '\r' | '\t' => out.push(' '),
                _ => out.extend(c.to_lowercase()),
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn normalise_agrees_with_the_rule_as_written() {
        // Every label the tables know, and every string of up to 4 pieces from a set that
        // exercises each branch: brackets (nested, unbalanced), the punctuation read as space,
        // Unicode spaces, letters that lowercase to two characters, Khmer.
        let mut texts: Vec<String> = Vec::new();
        for l in COLUMNS {
            texts.extend([l.id, l.en, l.km].iter().chain(l.aliases.iter()).map(|s| s.to_string()));
        }
        texts.extend(TOTALS_LABELS.iter().map(|s| s.to_string()));
        let pieces = [
            "",
            " ",
            "A",
            "b",
            "(x)",
            "[",
            "]",
            ")",
            "(",
            "_",
            "#",
            "*",
            ":",
            ".",
            "\u{a0}",
            "\n",
            "\r\n",
            "\t",
            "\u{2003}",
            "\u{3000}",
            "İ",
            "ẞ",
            "ΣΑΣ",
            "សរុប",
            "ចំនួន",
            "/",
            "-",
            "Total",
            "  ",
        ];
        let n = pieces.len();
        for a in 0..n {
            for b in 0..n {
                texts.push(format!("{}{}", pieces[a], pieces[b]));
                for c in 0..n {
                    texts.push(format!("{}{}{}", pieces[a], pieces[b], pieces[c]));
                    texts.push(format!("{} {}{}{}", pieces[c], pieces[a], pieces[b], pieces[c]));
                }
            }
        }
        for t in &texts {
            assert_eq!(normalise(t), normalise_as_written(t), "{t:?}");
        }
        assert_eq!(normalise("  Grand  TOTAL (all)\u{a0}: "), "grand total");
    }

    #[test]
    fn english_variants() {
        assert_eq!(field_for("PLHIV (estimate)"), Some(Field::Plhiv));
        assert_eq!(field_for("On ART"), Some(Field::OnArt));
        assert_eq!(field_for("# on ART"), Some(Field::OnArt));
        assert_eq!(field_for("  on_art "), Some(Field::OnArt));
        assert_eq!(field_for("Virally suppressed (<1000)"), Some(Field::VlSuppressed));
        assert_eq!(field_for("Viral load\nsuppressed"), Some(Field::VlSuppressed));
        assert_eq!(field_for("Commune code"), Some(Field::AreaCode));
        assert_eq!(field_for("Approved (KHR)"), Some(Field::Approved));
        assert_eq!(field_for("Notes"), None);
        assert_eq!(field_for(""), None);
    }

    #[test]
    fn khmer_and_bilingual() {
        assert_eq!(field_for("លេខកូដតំបន់"), Some(Field::AreaCode));
        assert_eq!(field_for("កំពុងព្យាបាលដោយឱសថ ARV"), Some(Field::OnArt));
        assert_eq!(field_for("PLHIV (estimate) / ចំនួនអ្នកផ្ទុកមេរោគអេដស៍ប៉ាន់ស្មាន"), Some(Field::Plhiv));
        assert_eq!(field_for("On ART\nកំពុងព្យាបាលដោយឱសថ ARV"), Some(Field::OnArt));
    }

    #[test]
    fn template_labels_are_unambiguous() {
        // Every label and alias names exactly one field.
        for l in COLUMNS {
            for label in [l.id, l.en, l.km].iter().chain(l.aliases.iter()) {
                let n = normalise(label);
                let owners: Vec<_> = COLUMNS
                    .iter()
                    .filter(|o| [o.id, o.en, o.km].iter().chain(o.aliases.iter()).any(|a| normalise(a) == n))
                    .map(|o| o.field)
                    .collect();
                assert_eq!(owners, vec![l.field], "label {label:?}");
            }
        }
    }

    #[test]
    fn totals_and_meta() {
        assert!(is_totals_label("Total"));
        assert!(is_totals_label("GRAND TOTAL"));
        assert!(is_totals_label("សរុប"));
        assert!(is_totals_label("Total:"));
        assert!(!is_totals_label("Totally"));
        // The quick refusal never changes the answer: each text against the full rule.
        let full = |t: &str| {
            let n = normalise(t);
            TOTALS_LABELS.iter().any(|l| normalise(l) == n) || n.starts_with("total ") || n.starts_with("សរុប")
        };
        for t in [
            "(note) Total",
            "[x]Sum",
            "  .Total",
            ")Total",
            "]] total",
            "\u{a0}Total",
            "#Grand Total",
            "SUBTOTAL",
            "Grand",
            "ឃុំ សរុប",
            "*:_total",
            "Testing",
            "",
            "Total",
            "SUM",
            "Sub_Total",
            "sub total",
            "TO(x)TAL",
            "tot[a]al",
            "Tot(al)",
            "  total  ",
            "Grand\ntotal",
            "Total Battambang",
            "សរុបរួម",
            "សរុប ខេត្ត",
            "020101",
            "Sangkat Svay Por",
            "Summary",
            "Σ",
            "total.",
            "T o t a l",
            "Grand                    Total",
            "(a long note in brackets before the label) Total",
            "Subsidies to community health volunteers",
            "Sub-total",
            "Supervision visits to health centres",
            "Total of all the communes in the province",
            "Grand total of all the communes in the province",
            "GRAND_TOTAL_FOR_THE_PROVINCE",
            "សរុបរួមទាំងអស់នៃខេត្ត",
        ] {
            assert_eq!(is_totals_label(t), full(t), "{t:?}");
        }
        // The quick refusal only holds while every totals label starts with a stem.
        for l in TOTALS_LABELS {
            assert!(TOTALS_STEMS.iter().any(|s| normalise(l).starts_with(s)), "{l:?} starts with no stem");
        }
        assert!(TOTALS_STEMS.iter().all(|s| s.chars().count() <= 12));
        assert_eq!(meta_key_for("Period:"), Some(MetaKey::Period));
        assert_eq!(meta_key_for("កាលបរិច្ឆេទដាក់ស្នើ"), Some(MetaKey::Submitted));
        assert_eq!(meta_key_for("Period / រយៈពេលរបាយការណ៍"), Some(MetaKey::Period));
        assert_eq!(meta_key_for("Province / ខេត្ត"), Some(MetaKey::Province));
        assert_eq!(meta_key_for("រាជធានី/ខេត្ត"), Some(MetaKey::Province));
        assert_eq!(meta_key_for("Submitted by (name, phone) / អ្នកដាក់ស្នើ"), None);
    }
}

//! `ftc template`: the cascade and budget workbooks a province fills in. Pre-filled with the
//! province's communes; header labels taken from the reader's own table (`ingest::aliases`), in
//! English and Khmer, so what a template says is exactly what `ftc check` accepts; data
//! validation on every input; headers and codes locked; panes frozen.

use crate::geography::{Area, Geography, Level};
use crate::ingest::aliases::{self, Field, TableKind};
use crate::period::Period;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Formula, ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use std::path::{Path, PathBuf};

/// Blank rows for rows by sex and age group (cascade) and for budget lines.
const EXTRA_CASCADE_ROWS: u32 = 200;
const BUDGET_ROWS: u32 = 400;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{0} is not a province code of the geography (01 to 25); `ftc template --province 12` for Phnom Penh")]
    UnknownProvince(String),
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The categories, sexes, age groups and currencies the reader accepts, for the dropdowns.
pub const CATEGORIES: &[&str] = &["prevention", "testing", "treatment", "community", "management", "other"];
pub const FUNDING: &[&str] = &["RGC", "CIP", "Global Fund", "PEPFAR", "other"];
pub const SEXES: &[&str] = &["F", "M"];
pub const AGES: &[&str] = &["0-14", "15+"];
pub const CURRENCIES: &[&str] = &["KHR", "USD"];

/// The header label of a column: English, then Khmer on a second line.
pub fn header_label(field: Field) -> String {
    let l = aliases::labels(field);
    format!("{}\n{}", l.en, l.km)
}

/// Write both templates for `province` into `out`; returns their paths.
pub fn write_templates(
    geo: &Geography,
    province: &str,
    period: Option<Period>,
    out: &Path,
) -> Result<Vec<PathBuf>, TemplateError> {
    let code = crate::geography::normalize_code(province).unwrap_or_else(|| province.to_string());
    let prov = geo
        .get(&code)
        .filter(|a| a.level == Level::Province)
        .ok_or_else(|| TemplateError::UnknownProvince(province.to_string()))?;
    let communes: Vec<&Area> = geo.communes_of_province(&prov.code).collect();
    std::fs::create_dir_all(out).map_err(|source| TemplateError::Io { path: out.to_path_buf(), source })?;
    let slug: String = prov
        .name_en
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let stem = match period {
        Some(p) => format!("{}-{slug}-{p}", prov.code),
        None => format!("{}-{slug}", prov.code),
    };
    let mut paths = Vec::new();
    for kind in [TableKind::Cascade, TableKind::Budget] {
        let bytes = workbook(prov, &communes, period, kind)?;
        let path = out.join(format!("{stem}-{}.xlsx", kind.as_str()));
        std::fs::write(&path, bytes).map_err(|source| TemplateError::Io { path: path.clone(), source })?;
        paths.push(path);
    }
    Ok(paths)
}

struct Formats {
    title: Format,
    header: Format,
    locked: Format,
    input: Format,
    input_text: Format,
    label: Format,
    wrap: Format,
}

fn formats() -> Formats {
    let border = |f: Format| f.set_border(FormatBorder::Thin).set_border_color(Color::RGB(0xA0A0A0));
    Formats {
        title: Format::new().set_bold().set_font_size(14),
        header: border(
            Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xD9E2F3)),
        ),
        locked: border(Format::new().set_background_color(Color::RGB(0xF2F2F2))),
        input: border(Format::new().set_unlocked()),
        input_text: border(Format::new().set_unlocked().set_num_format("@")),
        label: Format::new().set_bold(),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    }
}

/// One template workbook, as bytes (fixed document date: the same arguments give the same file).
pub fn workbook(
    prov: &Area,
    communes: &[&Area],
    period: Option<Period>,
    kind: TableKind,
) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut wb = Workbook::new();
    let title = match kind {
        TableKind::Cascade => "HIV treatment cascade",
        TableKind::Budget => "HIV budget execution",
    };
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{title}: {} ({})", prov.name_en, prov.code))
            .set_author("ftc template")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 1)?),
    );
    cover(wb.add_worksheet(), &f, prov, period, kind)?;
    match kind {
        TableKind::Cascade => cascade_sheet(wb.add_worksheet(), &f, communes)?,
        TableKind::Budget => {
            budget_sheet(wb.add_worksheet(), &f, prov, communes.len())?;
            communes_sheet(wb.add_worksheet(), &f, prov, communes)?;
        }
    }
    instructions(wb.add_worksheet(), &f, kind)?;
    wb.save_to_buffer()
}

fn protection() -> ProtectionOptions {
    ProtectionOptions {
        select_locked_cells: true,
        select_unlocked_cells: true,
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    }
}

fn cover(
    ws: &mut Worksheet,
    f: &Formats,
    prov: &Area,
    period: Option<Period>,
    kind: TableKind,
) -> Result<(), XlsxError> {
    ws.set_name("Cover")?;
    let (en, km) = match kind {
        TableKind::Cascade => ("HIV treatment cascade", "ខ្សែសង្វាក់សេវាព្យាបាលមេរោគអេដស៍"),
        TableKind::Budget => ("HIV budget execution", "ការអនុវត្តថវិកាមេរោគអេដស៍"),
    };
    ws.write_string_with_format(0, 0, format!("{en} / {km}"), &f.title)?;
    ws.write_string(1, 0, "Fast-Track Cities Cambodia: provincial submission / ការដាក់ស្នើរបស់ខេត្ត")?;
    // Labels the reader knows (`ingest::aliases::META_LABELS`), English and Khmer.
    ws.write_string_with_format(3, 0, "Province / ខេត្ត", &f.label)?;
    ws.write_string_with_format(3, 1, &prov.code, &f.locked)?;
    ws.write_string_with_format(3, 2, format!("{} / {}", prov.name_en, prov.name_km), &f.locked)?;
    ws.write_string_with_format(4, 0, "Period / រយៈពេលរបាយការណ៍", &f.label)?;
    match period {
        Some(p) => ws.write_string_with_format(4, 1, p.to_string(), &f.locked)?,
        None => ws.write_blank(4, 1, &f.input_text)?,
    };
    ws.write_string_with_format(5, 0, "Submitted / កាលបរិច្ឆេទដាក់ស្នើ", &f.label)?;
    ws.write_blank(5, 1, &f.input.clone().set_num_format("yyyy-mm-dd"))?;
    ws.write_string_with_format(6, 0, "Submitted by (name, phone) / អ្នកដាក់ស្នើ (ឈ្មោះ ទូរស័ព្ទ)", &f.label)?;
    ws.write_blank(6, 1, &f.input_text)?;
    ws.write_string_with_format(
        8,
        0,
        "Fill in the white cells only; grey cells are locked. See the Instructions sheet. / សូមបំពេញតែក្រឡាពណ៌ស។ សូមមើលសន្លឹក Instructions។",
        &f.wrap,
    )?;
    let date = DataValidation::new()
        .allow_date(DataValidationRule::GreaterThanOrEqualTo(ExcelDateTime::from_ymd(2020, 1, 1)?))
        .set_error_title("Date")?
        .set_error_message("Write the date you submit, e.g. 2026-10-12. / សូមសរសេរកាលបរិច្ឆេទ។")?;
    ws.add_data_validation(5, 1, 5, 1, &date)?;
    if period.is_none() {
        let p = DataValidation::new()
            .allow_text_length(DataValidationRule::Between(4, 7))
            .set_input_message("2026-Q3, 2026-H1 or 2026")?;
        ws.add_data_validation(4, 1, 4, 1, &p)?;
    }
    ws.set_column_width(0, 44)?;
    ws.set_column_width(1, 16)?;
    ws.set_column_width(2, 40)?;
    ws.protect_with_options(&protection());
    Ok(())
}

fn whole_counts() -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
        .set_error_title("Whole number")?
        .set_error_message(
            "A count of people: a whole number, 0 or more. Leave it blank if unknown. / ចំនួនគត់ ០ ឬច្រើនជាង។",
        )
}

fn list(values: &[&str], strict: bool) -> Result<DataValidation, XlsxError> {
    let dv = DataValidation::new().allow_list_strings(values)?;
    Ok(if strict { dv } else { dv.set_error_style(DataValidationErrorStyle::Information) })
}

fn cascade_sheet(ws: &mut Worksheet, f: &Formats, communes: &[&Area]) -> Result<(), XlsxError> {
    ws.set_name("Cascade")?;
    let fields = TableKind::Cascade.fields();
    for (c, field) in fields.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, header_label(*field), &f.header)?;
    }
    // The Khmer name beside the English one, for reading: a column the reader does not use.
    let km_col = fields.len() as u16;
    ws.write_string_with_format(0, km_col, "Name in Khmer\nឈ្មោះជាភាសាខ្មែរ", &f.header)?;
    ws.set_row_height(0, 48)?;
    let n = communes.len() as u32;
    for (i, a) in communes.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, field) in fields.iter().enumerate() {
            let c = c as u16;
            match field {
                Field::AreaCode => ws.write_string_with_format(r, c, &a.code, &f.locked)?,
                Field::AreaName => ws.write_string_with_format(r, c, &a.name_en, &f.locked)?,
                Field::Sex | Field::AgeGroup => ws.write_blank(r, c, &f.input_text)?,
                _ => ws.write_blank(r, c, &f.input)?,
            };
        }
        ws.write_string_with_format(r, km_col, &a.name_km, &f.locked)?;
    }
    // Blank rows for rows by sex and age group, codes typed in.
    for r in n + 1..=n + EXTRA_CASCADE_ROWS {
        for (c, field) in fields.iter().enumerate() {
            let fmt = if matches!(field, Field::AreaCode | Field::AreaName | Field::Sex | Field::AgeGroup) {
                &f.input_text
            } else {
                &f.input
            };
            ws.write_blank(r, c as u16, fmt)?;
        }
    }
    let last = n + EXTRA_CASCADE_ROWS;
    let col = |field: Field| fields.iter().position(|x| *x == field).unwrap_or(0) as u16;
    let first_count = col(Field::Plhiv);
    let last_count = col(Field::VlSuppressed);
    ws.add_data_validation(1, first_count, last, last_count, &whole_counts()?)?;
    ws.add_data_validation(1, col(Field::Sex), last, col(Field::Sex), &list(SEXES, true)?)?;
    ws.add_data_validation(1, col(Field::AgeGroup), last, col(Field::AgeGroup), &list(AGES, true)?)?;
    let code = DataValidation::new()
        .allow_text_length(DataValidationRule::EqualTo(6))
        .set_error_message("A commune code has 6 digits, e.g. 020101. / លេខកូដឃុំមាន ៦ ខ្ទង់។")?;
    ws.add_data_validation(n + 1, col(Field::AreaCode), last, col(Field::AreaCode), &code)?;
    ws.set_freeze_panes(1, 2)?;
    for (c, field) in fields.iter().enumerate() {
        let w = match field {
            Field::AreaCode => 12,
            Field::AreaName => 24,
            Field::Sex | Field::AgeGroup => 12,
            _ => 18,
        };
        ws.set_column_width(c as u16, w)?;
    }
    ws.set_column_width(km_col, 24)?;
    ws.protect_with_options(&protection());
    Ok(())
}

fn budget_sheet(ws: &mut Worksheet, f: &Formats, prov: &Area, n_communes: usize) -> Result<(), XlsxError> {
    ws.set_name("Budget")?;
    let fields = TableKind::Budget.fields();
    for (c, field) in fields.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, header_label(*field), &f.header)?;
    }
    ws.set_row_height(0, 48)?;
    for r in 1..=BUDGET_ROWS {
        for (c, field) in fields.iter().enumerate() {
            let fmt = if matches!(field, Field::Approved | Field::Released | Field::Spent) {
                &f.input
            } else {
                &f.input_text
            };
            ws.write_blank(r, c as u16, fmt)?;
        }
    }
    let col = |field: Field| fields.iter().position(|x| *x == field).unwrap_or(0) as u16;
    // The area code: the province's own code or one of its communes (the Communes sheet).
    let codes = DataValidation::new()
        .allow_list_formula(Formula::new(format!("=Communes!$A$2:$A${}", n_communes + 2)))
        .set_error_message(format!(
            "Choose the province code {} or a commune code from the Communes sheet. / សូមជ្រើសលេខកូដពីសន្លឹក Communes។",
            prov.code
        ))?;
    ws.add_data_validation(1, col(Field::AreaCode), BUDGET_ROWS, col(Field::AreaCode), &codes)?;
    ws.add_data_validation(1, col(Field::Category), BUDGET_ROWS, col(Field::Category), &list(CATEGORIES, true)?)?;
    // Funding sources beyond the list are allowed (kept as written): a note, not a refusal.
    ws.add_data_validation(
        1,
        col(Field::FundingSource),
        BUDGET_ROWS,
        col(Field::FundingSource),
        &list(FUNDING, false)?,
    )?;
    ws.add_data_validation(1, col(Field::Currency), BUDGET_ROWS, col(Field::Currency), &list(CURRENCIES, true)?)?;
    let money = DataValidation::new()
        .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
        .set_error_message("An amount: a number, 0 or more, without the currency sign. / ចំនួនទឹកប្រាក់ ០ ឬច្រើនជាង។")?;
    ws.add_data_validation(1, col(Field::Approved), BUDGET_ROWS, col(Field::Spent), &money)?;
    ws.set_freeze_panes(1, 2)?;
    for (c, field) in fields.iter().enumerate() {
        let w = match field {
            Field::AreaCode => 12,
            Field::Activity => 40,
            Field::Category | Field::FundingSource => 18,
            Field::Currency => 12,
            _ => 18,
        };
        ws.set_column_width(c as u16, w)?;
    }
    ws.protect_with_options(&protection());
    Ok(())
}

/// The province's codes for the budget's dropdown; headings the reader does not take for a table.
fn communes_sheet(ws: &mut Worksheet, f: &Formats, prov: &Area, communes: &[&Area]) -> Result<(), XlsxError> {
    ws.set_name("Communes")?;
    for (c, h) in ["Choose from / ជ្រើសពី", "English", "ខ្មែរ"].iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    let rows = std::iter::once(prov).chain(communes.iter().copied());
    for (i, a) in rows.enumerate() {
        let r = i as u32 + 1;
        ws.write_string_with_format(r, 0, &a.code, &f.locked)?;
        ws.write_string_with_format(r, 1, &a.name_en, &f.locked)?;
        ws.write_string_with_format(r, 2, &a.name_km, &f.locked)?;
    }
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 28)?;
    ws.set_column_width(2, 28)?;
    ws.set_freeze_panes(1, 0)?;
    ws.protect_with_options(&protection());
    Ok(())
}

/// How to fill the workbook, in English and Khmer. No line starts with a label the reader takes
/// for metadata.
pub const INSTRUCTIONS: &[(&str, &str)] = &[
    ("How to fill in this workbook", "របៀបបំពេញសៀវភៅបញ្ជីនេះ"),
    (
        "1. On the Cover sheet, write the date you submit and your name and phone number.",
        "១. នៅសន្លឹក Cover សូមសរសេរកាលបរិច្ឆេទដាក់ស្នើ និងឈ្មោះ និងលេខទូរស័ព្ទរបស់អ្នក។",
    ),
    (
        "2. Fill in the white cells only. Grey cells (codes, names, headers) are locked: do not change them.",
        "២. សូមបំពេញតែក្រឡាពណ៌ស។ ក្រឡាពណ៌ប្រផេះ (លេខកូដ ឈ្មោះ ក្បាលជួរឈរ) ត្រូវបានចាក់សោ៖ សូមកុំកែប្រែ។",
    ),
    (
        "3. Counts of people are whole numbers, 0 or more. Leave a cell blank when the number is not known: blank is not zero.",
        "៣. ចំនួនមនុស្សជាចំនួនគត់ ០ ឬច្រើនជាង។ ទុកក្រឡាទទេ ពេលមិនដឹងចំនួន៖ ទទេ មិនមែនសូន្យទេ។",
    ),
    (
        "4. Cascade: one row per commune for its total. To give rows by sex (F, M) or age group (0-14, 15+), use the blank rows below the communes with the commune code.",
        "៤. ខ្សែសង្វាក់សេវា៖ មួយជួរសម្រាប់ឃុំនីមួយៗ (សរុប)។ ដើម្បីបំបែកតាមភេទ (F, M) ឬក្រុមអាយុ (0-14, 15+) សូមប្រើជួរទទេខាងក្រោម ជាមួយលេខកូដឃុំ។",
    ),
    (
        "5. Budget: one row per budget line. Choose the area code, category, funding source and currency from the lists; amounts without the currency sign.",
        "៥. ថវិកា៖ មួយជួរសម្រាប់បន្ទាត់ថវិកានីមួយៗ។ សូមជ្រើសលេខកូដតំបន់ ប្រភេទ ប្រភពមូលនិធិ និងរូបិយប័ណ្ណពីបញ្ជី។ ចំនួនទឹកប្រាក់គ្មានសញ្ញារូបិយប័ណ្ណ។",
    ),
    (
        "6. Before sending, check the file: ftc check <file> (or ftc check --lang km <file> for messages in Khmer).",
        "៦. មុនផ្ញើ សូមពិនិត្យឯកសារ៖ ftc check --lang km <ឯកសារ>",
    ),
    (
        "7. Save as .xlsx (Excel) or .ods (LibreOffice). Do not add a password.",
        "៧. រក្សាទុកជា .xlsx (Excel) ឬ .ods (LibreOffice)។ សូមកុំដាក់ពាក្យសម្ងាត់។",
    ),
];

fn instructions(ws: &mut Worksheet, f: &Formats, kind: TableKind) -> Result<(), XlsxError> {
    ws.set_name("Instructions")?;
    ws.set_column_width(0, 90)?;
    ws.set_column_width(1, 90)?;
    for (i, (en, km)) in INSTRUCTIONS.iter().enumerate() {
        let fmt = if i == 0 { &f.title } else { &f.wrap };
        ws.write_string_with_format(i as u32, 0, *en, fmt)?;
        ws.write_string_with_format(i as u32, 1, *km, fmt)?;
    }
    let r = INSTRUCTIONS.len() as u32 + 1;
    ws.write_string_with_format(r, 0, "Columns of this workbook", &f.label)?;
    ws.write_string_with_format(r, 1, "ជួរឈរនៃសៀវភៅបញ្ជីនេះ", &f.label)?;
    for (i, field) in kind.fields().iter().enumerate() {
        let l = aliases::labels(*field);
        let need = if kind.required().contains(field) { "required" } else { "optional" };
        let need_km =
            if kind.required().contains(field) { "ចាំបាច់" } else { "ស្រេចចិត្ត" };
        ws.write_string(r + 1 + i as u32, 0, format!("{} ({need})", l.en))?;
        ws.write_string(r + 1 + i as u32, 1, format!("{} ({need_km})", l.km))?;
    }
    ws.protect_with_options(&protection());
    Ok(())
}

//! Validate: one table's rows into typed cascade or budget rows, with the row-level rules
//! (required values, numbers, areas, cascade order, coverage, overspending) and the check of
//! totals rows against the rows above them.

use super::cells::{self, read_number};
use super::{BudgetRow, CascadeRow, ColumnReport, Context, Dataset, TableReport};
use crate::finding::{Finding, Location, Rule, Severity, column_letters};
use crate::geography::province_of;
use crate::ingest::aliases::{self, Field, TableKind};
use crate::ingest::grid::format_number;
use crate::ingest::header::{Row, Table};
use crate::period::Period;
use std::collections::BTreeMap;

/// Where a table's rows belong.
pub(crate) struct Scope<'a> {
    pub file: &'a str,
    pub period: Option<Period>,
    pub province: Option<&'a str>,
    pub ctx: &'a Context<'a>,
    /// The currencies a budget line may be in (built once, not per row).
    pub currencies: Vec<String>,
}

static EMPTY: crate::ingest::grid::Cell = crate::ingest::grid::Cell::Empty;

impl Scope<'_> {
    fn loc(&self, sheet: &str) -> Location {
        Location::sheet(self.file, sheet)
    }
}

pub(crate) fn validate_table(table: &Table, scope: &Scope<'_>, ds: &mut Dataset) -> TableReport {
    let sheet_loc = scope.loc(&table.sheet);
    let mut report = table_report(table);
    ds.findings.push(
        Finding::note("note.header-row", sheet_loc.clone().with_row(table.header_rows.1))
            .arg("sheet", &table.sheet)
            .arg("kind", table.kind.as_str())
            .arg_km("kind", table.kind.km())
            .arg("row", table.header_rows.1 + 1),
    );
    for (field, first, second) in &table.duplicates {
        ds.findings.push(
            Finding::warning(
                Rule::MissingColumn,
                "column.duplicate",
                sheet_loc.clone().with_cell(table.header_rows.1, *second),
            )
            .arg("column", aliases::labels(*field).id)
            .arg("first", column_letters(*first))
            .arg("second", column_letters(*second)),
        );
    }
    let missing = table.missing();
    for field in &missing {
        let l = aliases::labels(*field);
        ds.findings.push(
            Finding::error(Rule::MissingColumn, "column.missing", sheet_loc.clone().with_row(table.header_rows.1))
                .arg("column", l.id)
                .arg("row", table.header_rows.1 + 1)
                .arg("label", l.en)
                .arg_km("label", l.km),
        );
    }
    if !table.skipped.is_empty() {
        ds.findings.push(Finding::note("note.skipped-rows", sheet_loc.clone()).arg("count", table.skipped.len()));
    }
    if !missing.is_empty() {
        return report;
    }
    let mut text_numbers = 0usize;
    for row in &table.rows {
        let used = match table.kind {
            TableKind::Cascade => cascade_row(row, table, scope, &mut text_numbers, ds).map(|r| ds.cascade.push(r)),
            TableKind::Budget => budget_row(row, table, scope, &mut text_numbers, ds).map(|r| ds.budget.push(r)),
        };
        if used.is_some() {
            report.rows_used += 1;
        }
    }
    if text_numbers > 0 {
        ds.findings.push(Finding::note("note.numbers-as-text", sheet_loc).arg("count", text_numbers));
    }
    check_totals(table, scope, &report.totals, ds);
    report
}

fn table_report(table: &Table) -> TableReport {
    let mut totals = BTreeMap::new();
    for row in &table.rows {
        for (field, _, cell) in &row.cells {
            if !aliases::labels(*field).numeric {
                continue;
            }
            if let Ok(cells::NumberRead { value: Some(v), .. }) = read_number(cell, *field, Location::default) {
                *totals.entry(aliases::labels(*field).id).or_insert(0.0) += v;
            }
        }
    }
    let col = |c: u32, h: &str, f: Option<&'static str>| ColumnReport {
        column: column_letters(c),
        header: h.to_string(),
        field: f,
    };
    TableReport {
        sheet: table.sheet.clone(),
        kind: table.kind,
        header_rows: (table.header_rows.0 + 1, table.header_rows.1 + 1),
        columns: table.columns.iter().map(|c| col(c.col, &c.header, Some(aliases::labels(c.field).id))).collect(),
        ignored_columns: table.extra.iter().map(|(c, h)| col(*c, h, None)).collect(),
        rows_read: table.rows.len(),
        rows_used: 0,
        totals_rows: table.totals.len(),
        totals,
    }
}

/// The cells of a row read one by one; errors are collected, and the row is dropped if any.
struct RowReader<'a> {
    row: &'a Row,
    loc: Location,
    errors: Vec<Finding>,
    warnings: Vec<Finding>,
    text_numbers: &'a mut usize,
}

impl RowReader<'_> {
    fn cell_loc(&self, field: Field) -> Location {
        match self.row.get(field) {
            Some((col, _)) => self.loc.clone().with_cell(self.row.row, col),
            None => self.loc.clone().with_row(self.row.row),
        }
    }

    fn number(&mut self, field: Field, required: bool) -> Option<f64> {
        // The location is built only for a finding: most cells have none, and building it for
        // every cell was a tenth of the validate stage on a national project.
        let cell = self.row.get(field).map_or(&EMPTY, |(_, c)| c);
        match read_number(cell, field, || self.cell_loc(field)) {
            Ok(r) => {
                *self.text_numbers += usize::from(r.from_text);
                if r.value.is_none() && required {
                    self.errors.push(
                        Finding::error(Rule::NotANumber, "value.required-missing", self.cell_loc(field))
                            .arg("column", aliases::labels(field).id),
                    );
                }
                r.value
            }
            Err(f) => {
                self.errors.push(f);
                None
            }
        }
    }

    fn count(&mut self, field: Field, required: bool) -> Option<u64> {
        let v = self.number(field, required)?;
        let cell = self.row.get(field).map_or(&EMPTY, |(_, c)| c);
        let mut found = Vec::new();
        let n = cells::whole_count(v, cell, field, || self.cell_loc(field), &mut found);
        self.warnings.extend(found);
        Some(n)
    }

    fn text(&mut self, field: Field, required: bool) -> Option<String> {
        let t = self.row.get(field).map(|(_, c)| c.display().trim().to_string()).filter(|t| !t.is_empty());
        if t.is_none() && required {
            let loc = self.cell_loc(field);
            self.errors.push(
                Finding::error(Rule::BadValue, "value.required-missing", loc).arg("column", aliases::labels(field).id),
            );
        }
        t
    }

    fn area(&mut self, scope: &Scope<'_>) -> Option<String> {
        let Some((_, cell)) = self.row.get(Field::AreaCode) else {
            self.errors.push(Finding::error(Rule::UnknownArea, "note.no-area", self.cell_loc(Field::AreaCode)));
            return None;
        };
        match cells::read_area_code(cell, scope.ctx.geography, scope.province, || self.cell_loc(Field::AreaCode)) {
            Ok(code) => {
                if let Some(raw) = code.padded_from {
                    self.warnings.push(
                        Finding::note("note.code-padded", self.cell_loc(Field::AreaCode))
                            .arg("value", raw)
                            .arg("code", &code.code),
                    );
                }
                Some(code.code)
            }
            Err(f) => {
                self.errors.push(f);
                None
            }
        }
    }

    fn check_name(&mut self, code: &str, scope: &Scope<'_>) {
        let Some((col, cell)) = self.row.get(Field::AreaName) else { return };
        let written = cell.display();
        if written.trim().is_empty() || scope.ctx.geography.name_matches(code, &written) {
            return;
        }
        let expected =
            scope.ctx.geography.get(code).map(|a| format!("{} / {}", a.name_en, a.name_km)).unwrap_or_default();
        self.warnings.push(
            Finding::warning(Rule::NameMismatch, "area.name-mismatch", self.loc.clone().with_cell(self.row.row, col))
                .arg("written", &written)
                .arg("code", code)
                .arg("expected", expected)
                .value(written),
        );
    }

    /// Hand the findings over; `Some(value)` only when the row had no error.
    fn finish<T>(self, ds: &mut Dataset, value: Option<T>) -> Option<T> {
        let ok = self.errors.is_empty();
        ds.findings.extend(self.errors);
        ds.findings.extend(self.warnings);
        if ok { value } else { None }
    }
}

fn reader<'a>(row: &'a Row, table: &Table, scope: &Scope<'_>, text_numbers: &'a mut usize) -> RowReader<'a> {
    RowReader { row, loc: scope.loc(&table.sheet), errors: Vec::new(), warnings: Vec::new(), text_numbers }
}

fn cascade_row(
    row: &Row,
    table: &Table,
    scope: &Scope<'_>,
    text_numbers: &mut usize,
    ds: &mut Dataset,
) -> Option<CascadeRow> {
    let mut r = reader(row, table, scope, text_numbers);
    let area = r.area(scope);
    let sex = row.get(Field::Sex).map(|(c, v)| cells::read_sex(v, || r.loc.clone().with_cell(row.row, c)));
    let age = row.get(Field::AgeGroup).map(|(c, v)| cells::read_age(v, || r.loc.clone().with_cell(row.row, c)));
    let (sex, age) = (flatten(sex, &mut r.errors), flatten(age, &mut r.errors));
    let plhiv = r.count(Field::Plhiv, true);
    let diagnosed = r.count(Field::Diagnosed, true);
    let on_art = r.count(Field::OnArt, true);
    let vl_tested = r.count(Field::VlTested, false);
    let vl_suppressed = r.count(Field::VlSuppressed, true);
    if let Some(code) = &area {
        r.check_name(code, scope);
    }
    let value = match (area, plhiv, diagnosed, on_art, vl_suppressed) {
        (Some(area_code), Some(plhiv), Some(diagnosed), Some(on_art), Some(vl_suppressed)) => Some(CascadeRow {
            period: scope.period,
            province: province_of(&area_code).to_string(),
            area_code,
            sex,
            age_group: age,
            plhiv,
            diagnosed,
            on_art,
            vl_tested,
            vl_suppressed,
            location: r.loc.clone().with_row(row.row),
        }),
        _ => None,
    };
    if let Some(v) = &value {
        let w = cascade_order(v, &r);
        r.warnings.extend(w);
    }
    r.finish(ds, value)
}

fn flatten<T>(v: Option<Result<Option<T>, Finding>>, errors: &mut Vec<Finding>) -> Option<T> {
    match v {
        Some(Ok(x)) => x,
        Some(Err(f)) => {
            errors.push(f);
            None
        }
        None => None,
    }
}

/// cascade-order and coverage-over-100 for one row: each stage against the one before it.
fn cascade_order(row: &CascadeRow, r: &RowReader<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    if row.diagnosed > row.plhiv {
        out.push(
            Finding::warning(Rule::CoverageOver100, "cascade.coverage", r.cell_loc(Field::Diagnosed))
                .arg("diagnosed", row.diagnosed)
                .arg("plhiv", row.plhiv)
                .value(row.diagnosed.to_string()),
        );
    }
    let stages: Vec<(Field, u64)> = row.counts()[1..].iter().filter_map(|(f, v)| v.map(|v| (*f, v))).collect();
    for pair in stages.windows(2) {
        let ((ef, ev), (lf, lv)) = (pair[0], pair[1]);
        if lv > ev {
            out.push(
                Finding::warning(Rule::CascadeOrder, "cascade.order", r.cell_loc(lf))
                    .arg("later", aliases::labels(lf).id)
                    .arg("later_value", lv)
                    .arg("earlier", aliases::labels(ef).id)
                    .arg("earlier_value", ev)
                    .value(lv.to_string()),
            );
        }
    }
    out
}

fn budget_row(
    row: &Row,
    table: &Table,
    scope: &Scope<'_>,
    text_numbers: &mut usize,
    ds: &mut Dataset,
) -> Option<BudgetRow> {
    let mut r = reader(row, table, scope, text_numbers);
    let area = r.area(scope);
    let activity = r.text(Field::Activity, true);
    let category = match row.get(Field::Category) {
        Some((c, v)) => {
            flatten(Some(cells::read_category(v, || r.loc.clone().with_cell(row.row, c)).map(Some)), &mut r.errors)
        }
        None => {
            r.text(Field::Category, true);
            None
        }
    };
    let funding = r.text(Field::FundingSource, true).map(|t| cells::normalise_funding(&t));
    let currency_cell = row.get(Field::Currency).map_or(&EMPTY, |(_, c)| c);
    let currency = cells::read_currency(currency_cell, scope.ctx.default_currency(), &scope.currencies, || {
        r.cell_loc(Field::Currency)
    });
    let currency = flatten(Some(currency.map(Some)), &mut r.errors);
    let approved = r.number(Field::Approved, true);
    let released = r.number(Field::Released, false);
    let spent = r.number(Field::Spent, true);
    let value = match (area, activity, category, funding, currency, approved, spent) {
        (
            Some(area_code),
            Some(activity),
            Some(category),
            Some(funding_source),
            Some(currency),
            Some(approved),
            Some(spent),
        ) => Some(BudgetRow {
            period: scope.period,
            province: province_of(&area_code).to_string(),
            area_code,
            activity,
            category,
            funding_source,
            currency,
            approved,
            released,
            spent,
            location: r.loc.clone().with_row(row.row),
        }),
        _ => None,
    };
    if let Some(b) = &value {
        let w = budget_warnings(b, &r);
        r.warnings.extend(w);
    }
    r.finish(ds, value)
}

/// overspent and release-exceeded for one budget line.
fn budget_warnings(b: &BudgetRow, r: &RowReader<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let money = |v: f64| format!("{} {}", format_number(v), b.currency);
    if b.spent > b.approved {
        out.push(
            Finding::warning(Rule::Overspent, "budget.overspent", r.cell_loc(Field::Spent))
                .arg("spent", money(b.spent))
                .arg("approved", money(b.approved))
                .value(format_number(b.spent)),
        );
    }
    if let Some(rel) = b.released {
        if rel > b.approved {
            out.push(
                Finding::warning(Rule::ReleaseExceeded, "budget.released-over-approved", r.cell_loc(Field::Released))
                    .arg("released", money(rel))
                    .arg("approved", money(b.approved))
                    .value(format_number(rel)),
            );
        }
        if b.spent > rel {
            out.push(
                Finding::warning(Rule::ReleaseExceeded, "budget.spent-over-released", r.cell_loc(Field::Spent))
                    .arg("spent", money(b.spent))
                    .arg("released", money(rel))
                    .value(format_number(b.spent)),
            );
        }
    }
    out
}

/// totals-mismatch: each totals row against the sum of the data rows since the previous
/// totals row (a subtotal), or since the top (a grand total).
fn check_totals(table: &Table, scope: &Scope<'_>, grand: &BTreeMap<&'static str, f64>, ds: &mut Dataset) {
    let tolerance = scope.ctx.config.map_or(0.0, |c| c.thresholds.totals_tolerance);
    let mut since = 0u32;
    for (totals, label) in &table.totals {
        ds.findings.push(
            Finding::note("note.totals-row", scope.loc(&table.sheet).with_row(totals.row))
                .arg("row", totals.row + 1)
                .arg("label", label),
        );
        for (field, col, cell) in &totals.cells {
            if !aliases::labels(*field).numeric {
                continue;
            }
            let loc = scope.loc(&table.sheet).with_cell(totals.row, *col);
            let stated = match read_number(cell, *field, || loc.clone()) {
                Ok(cells::NumberRead { value: Some(v), .. }) => v,
                Ok(_) => continue,
                Err(f) => {
                    ds.findings.push(Finding { severity: Severity::Warning, ..f });
                    continue;
                }
            };
            let id = aliases::labels(*field).id;
            let section = sum_rows(table, *field, since, totals.row);
            let all = grand.get(id).copied().unwrap_or(0.0);
            if (stated - section).abs() > tolerance && (stated - all).abs() > tolerance {
                ds.findings.push(
                    Finding::warning(Rule::TotalsMismatch, "totals.mismatch", loc)
                        .arg("column", id)
                        .arg("stated", format_number(stated))
                        .arg("sum", format_number(section))
                        .arg("diff", format_number(stated - section))
                        .value(cell.display()),
                );
            }
        }
        since = totals.row;
    }
}

fn sum_rows(table: &Table, field: Field, after: u32, before: u32) -> f64 {
    table
        .rows
        .iter()
        .filter(|r| r.row >= after && r.row < before)
        .filter_map(|r| r.get(field))
        .filter_map(|(_, c)| read_number(c, field, Location::default).ok().and_then(|n| n.value))
        .sum()
}

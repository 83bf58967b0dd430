//! Render: printable briefs, a second renderer of the same view models as the pages (as
//! mdBook's print renderer is): a two-page A4 brief per province, a one-page brief per named
//! commune, and the workshop pack (cover, contents with page numbers, the initiative summary,
//! every province brief). Each brief page is one `sheet` that breaks after itself, so page
//! numbers are known before printing: cover 1, contents 2, summary 3, then two pages per
//! province. A brief that overflows its pages shows up as a wrong page count in the tests.

use super::format::{Lang, cascade_count, cascade_gap, cascade_percent, count, date, percent};
use super::i18n::{fill, t};
use super::site::{SiteInput, area_name};
use super::view::{self, Ctx};
use crate::analyse::cascade::{Count, Figure, Stage};
use crate::analyse::{AreaReport, PeriodReport};
use crate::finding::Severity;
use serde::Serialize;

#[derive(Serialize)]
struct KeyFigure {
    label: String,
    value: String,
}

#[derive(Serialize)]
struct CommuneGap {
    name: String,
    plhiv: String,
    gap1: String,
    gap2: String,
    gap3: String,
}

#[derive(Serialize)]
pub struct BriefView {
    code: String,
    /// What the public edition hides and how it marks it (empty for the internal audience).
    note: String,
    name: String,
    subtitle: String,
    key: Vec<KeyFigure>,
    chart: Option<String>,
    stages: Vec<super::site::StageRow>,
    bottlenecks: Vec<view::BottleneckView>,
    budget: Vec<view::MoneyRow>,
    budget_caption: String,
    communes: Vec<CommuneGap>,
    communes_caption: String,
    quality: String,
    quality_items: Vec<String>,
    actions: Vec<crate::render::markdown::ActionPoint>,
    /// A one-page brief (a commune's): no second sheet.
    single: bool,
}

/// How many communes a brief lists, how many bottlenecks and findings it shows.
const TOP_COMMUNES: usize = 10;
const TOP_BOTTLENECKS: usize = 4;
const TOP_FINDINGS: usize = 4;
const MAX_ACTIONS: usize = 6;

fn key_figures(a: &AreaReport, lang: Lang) -> Vec<KeyFigure> {
    let Some(c) = &a.cascade else { return Vec::new() };
    let k = |key: &str, value: String| KeyFigure { label: t(key, lang).to_string(), value };
    let mut v = vec![
        k("col.plhiv", cascade_count(c, Count::Plhiv, lang)),
        k("stage.first", cascade_percent(c, Figure::First, lang)),
        k("stage.second", cascade_percent(c, Figure::Second, lang)),
        k("stage.third", cascade_percent(c, Figure::Third, lang)),
    ];
    if let Some(b) = &a.budget {
        v.push(k(
            "col.execution",
            format!("{} / {}", percent(b.total.execution, lang), percent(Some(b.total.expected), lang)),
        ));
    }
    v
}

/// The brief of one province (or commune: `commune` leaves out the communes table).
pub fn brief_view(ctx: &Ctx<'_>, a: &AreaReport, is_province: bool) -> BriefView {
    let lang = ctx.lang;
    let pr = ctx.pr;
    let (chart, stages) = match &a.cascade {
        Some(c) => (
            Some(super::cascade_charts(c, &format!("br{}", a.code), lang)[0].clone()),
            view::cascade_view(c, lang).stages,
        ),
        None => (None, Vec::new()),
    };
    let mut communes: Vec<&AreaReport> =
        pr.communes.values().filter(|c| is_province && c.code.starts_with(&a.code) && c.cascade.is_some()).collect();
    let stage = a.cascade.as_ref().and_then(|c| c.gaps.largest()).map(|(s, _)| s);
    communes.sort_by_key(|c| {
        (std::cmp::Reverse(stage.and_then(|s| c.cascade.as_ref().map(|x| x.gaps.get(s))).unwrap_or(0)), c.code.clone())
    });
    let n_communes = communes.len();
    let communes: Vec<CommuneGap> = communes
        .into_iter()
        .take(TOP_COMMUNES)
        .filter_map(|c| {
            let x = c.cascade.as_ref()?;
            Some(CommuneGap {
                name: area_name(c, lang),
                plhiv: cascade_count(x, Count::Plhiv, lang),
                gap1: cascade_gap(x, Stage::Diagnosed, lang),
                gap2: cascade_gap(x, Stage::OnArt, lang),
                gap3: cascade_gap(x, Stage::Suppressed, lang),
            })
        })
        .collect();
    let findings = if is_province { view::province_findings(ctx, &a.code) } else { Vec::new() };
    let errors = findings.iter().filter(|f| f.severity == Severity::Error.as_str()).count();
    let budget = match &a.budget {
        Some(b) if is_province => view::budget_rows(b, ctx).0,
        _ => a
            .lines
            .iter()
            .take(8)
            .map(|l| {
                view::money_row(
                    format!("{} ({})", l.activity, l.category.as_str()),
                    &l.execution,
                    &ctx.input.report.rates.reporting,
                    10.0,
                    lang,
                )
            })
            .collect(),
    };
    BriefView {
        code: a.code.clone(),
        note: super::site::disclosure_note(ctx.input, lang),
        name: area_name(a, lang),
        subtitle: fill(
            t("brief.subtitle", lang),
            &[("period", pr.period.to_string()), ("date", date(pr.period.end(), lang))],
        ),
        key: key_figures(a, lang),
        chart,
        stages,
        bottlenecks: view::bottlenecks(a, ctx).into_iter().take(TOP_BOTTLENECKS).collect(),
        budget,
        budget_caption: t(if is_province { "table.budget_category" } else { "table.budget_lines" }, lang).to_string(),
        communes,
        communes_caption: fill(
            t("brief.communes_caption", lang),
            &[("k", count(TOP_COMMUNES.min(n_communes) as u64, lang)), ("n", count(n_communes as u64, lang))],
        ),
        quality: fill(
            t("brief.quality", lang),
            &[("errors", count(errors as u64, lang)), ("warnings", count((findings.len() - errors) as u64, lang))],
        ),
        quality_items: findings.iter().take(TOP_FINDINGS).map(|f| format!("{} — {}", f.place, f.message)).collect(),
        actions: ctx
            .input
            .narratives
            .get(&a.code)
            .map(|d| d.front.action_points.iter().take(MAX_ACTIONS).cloned().collect())
            .unwrap_or_default(),
        single: !is_province,
    }
}

/// `content:` strings for CSS: quotes, backslashes and line breaks escaped.
fn css_string(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            '\n' | '\r' | '<' | '>' => vec![' '],
            c => vec![c],
        })
        .collect()
}

/// The stamp on every page: edition, data date and audience.
pub fn stamp(input: &SiteInput<'_>, pr: &PeriodReport, lang: Lang) -> String {
    fill(
        t("brief.stamp", lang),
        &[
            ("edition", input.edition.clone()),
            ("date", date(pr.period.end(), lang)),
            ("audience", t(&format!("audience.{}", input.audience), lang).to_string()),
        ],
    )
}

pub fn base(ctx: &Ctx<'_>, title: &str, depth: usize) -> tera::Context {
    let mut c = tera::Context::new();
    c.insert("lang", ctx.lang.code());
    c.insert("root", &"../".repeat(depth));
    c.insert("page_title", title);
    c.insert("stamp_css", &css_string(&stamp(ctx.input, ctx.pr, ctx.lang)));
    // "page 3 of 12" from CSS counters; the words come from the table, the numbers from CSS.
    let page_of = t("brief.page_of", ctx.lang);
    let (before, rest) = page_of.split_once("{page}").unwrap_or(("", page_of));
    let (middle, after) = rest.split_once("{pages}").unwrap_or((rest, ""));
    // Khmer pages count in Khmer numerals (CSS's predefined `khmer` counter style).
    let style = if ctx.lang == Lang::Km { ", khmer" } else { "" };
    c.insert(
        "page_of_css",
        &format!(
            "{}\" counter(page{style}) \"{}\" counter(pages{style}) \"{}",
            css_string(before),
            css_string(middle),
            css_string(after)
        ),
    );
    c
}

pub fn province_brief(ctx: &Ctx<'_>, code: &str) -> tera::Context {
    let a = &ctx.pr.provinces[code];
    let mut c = base(ctx, &fill(t("brief.title", ctx.lang), &[("name", area_name(a, ctx.lang))]), 2);
    c.insert("brief", &brief_view(ctx, a, true));
    c
}

pub fn commune_brief(ctx: &Ctx<'_>, code: &str) -> tera::Context {
    let a = &ctx.pr.communes[code];
    let mut c = base(ctx, &fill(t("brief.title", ctx.lang), &[("name", area_name(a, ctx.lang))]), 2);
    c.insert("brief", &brief_view(ctx, a, false));
    c
}

#[derive(Serialize)]
struct ContentsEntry {
    anchor: String,
    title: String,
    page: String,
}

/// Page where each part of the pack starts: cover 1, contents 2, summary 3, briefs 4, 6, ….
pub fn pack_pages(provinces: usize) -> (Vec<usize>, usize) {
    let starts: Vec<usize> = (0..provinces).map(|i| 4 + 2 * i).collect();
    (starts, 3 + 2 * provinces)
}

pub fn pack(ctx: &Ctx<'_>) -> tera::Context {
    let lang = ctx.lang;
    let pr = ctx.pr;
    let mut c = base(ctx, &fill(t("pack.title", lang), &[("period", pr.period.to_string())]), 2);
    c.insert("cover_sub", &ctx.input.report.title);
    c.insert("cover_stamp", &stamp(ctx.input, pr, lang));
    let provinces: Vec<&AreaReport> = pr.provinces.values().collect();
    let (starts, _) = pack_pages(provinces.len());
    let mut contents = vec![ContentsEntry {
        anchor: "summary".into(),
        title: t("pack.summary", lang).to_string(),
        page: count(3, lang),
    }];
    contents.extend(provinces.iter().zip(&starts).map(|(p, s)| ContentsEntry {
        anchor: format!("brief-{}", p.code),
        title: area_name(p, lang),
        page: count(*s as u64, lang),
    }));
    c.insert("contents", &contents);
    c.insert("chart", &pr.initiative.cascade.as_ref().map(|cas| super::cascade_charts(cas, "pack", lang)[0].clone()));
    c.insert("provinces", &provinces.iter().map(|p| view::province_row(p, lang)).collect::<Vec<_>>());
    c.insert("bottlenecks", &view::bottlenecks(&pr.initiative, ctx).into_iter().take(6).collect::<Vec<_>>());
    c.insert("briefs", &provinces.iter().map(|p| brief_view(ctx, p, true)).collect::<Vec<_>>());
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_page_numbers() {
        // Cover, contents, summary, then two pages per province: 4 provinces start at 4, 6, 8, 10; 11 pages.
        assert_eq!(pack_pages(4), (vec![4, 6, 8, 10], 11));
        assert_eq!(pack_pages(0), (vec![], 3));
    }

    #[test]
    fn css_strings_cannot_escape() {
        assert_eq!(css_string("a\"b\\c\n</style>"), "a\\\"b\\\\c  /style ");
    }
}

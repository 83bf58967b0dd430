//! Render: the site as an in-memory map of relative path → bytes. Templates are embedded and a
//! project's `templates/` overrides them by name (as Zola does); they receive view models
//! (plain rows of already formatted text), never domain types, and do no arithmetic.

use super::format::{Lang, count};
use super::i18n::{fill, t, table};
use super::markdown::Document;
use super::view::{self, Ctx};
use crate::analyse::{AreaReport, PeriodReport, Report};
use crate::geography::Geography;
use crate::period::Period;
use crate::validate::Dataset;
use serde::Serialize;
use std::collections::BTreeMap;

pub type Site = BTreeMap<String, Vec<u8>>;

/// The built-in templates and assets, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("overview.html", include_str!("../../templates/overview.html")),
    ("province.html", include_str!("../../templates/province.html")),
    ("commune.html", include_str!("../../templates/commune.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("quality.html", include_str!("../../templates/quality.html")),
    ("waiting.html", include_str!("../../templates/waiting.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("brief_macros.html", include_str!("../../templates/brief_macros.html")),
    ("brief_head.html", include_str!("../../templates/brief_head.html")),
    ("brief.html", include_str!("../../templates/brief.html")),
    ("pack.html", include_str!("../../templates/pack.html")),
    ("changes.html", include_str!("../../templates/changes.html")),
    ("versions.html", include_str!("../../templates/versions.html")),
];
pub const ASSETS: &[(&str, &str)] = &[
    ("assets/style.css", include_str!("../../templates/style.css")),
    ("assets/table.js", include_str!("../../templates/table.js")),
    ("assets/filter.js", include_str!("../../templates/filter.js")),
    ("assets/search.js", include_str!("../../templates/search.js")),
    ("assets/print.css", include_str!("../../templates/print.css")),
];

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
}

/// Everything the renderer needs.
pub struct SiteInput<'a> {
    pub report: &'a Report,
    pub dataset: &'a Dataset,
    pub geography: &'a Geography,
    pub edition: String,
    /// Free pages by slug (`methodology`), parsed.
    pub pages: Vec<(String, Document)>,
    /// Narratives of the latest period by province code.
    pub narratives: BTreeMap<String, Document>,
    /// Project templates that override built-ins, by name.
    pub overrides: BTreeMap<String, String>,
    /// Communes that get a one-page brief.
    pub brief_communes: Vec<String>,
    /// What changed since the edition that was newest before this one (none for a site's first).
    pub changes: Option<crate::publish::diff::Diff>,
    /// Why this edition was made (from the publish plan).
    pub reason: String,
    /// Who the edition is for: `public` or `internal`.
    pub audience: String,
    /// The newest period the project expects, for a project with no submissions yet.
    pub waiting: Option<crate::period::Period>,
}

fn error_chain(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// Parse the templates once: built-ins, then the project's overrides by the same name.
pub fn templates(overrides: &BTreeMap<String, String>) -> Result<tera::Tera, RenderError> {
    let mut tera = tera::Tera::default();
    let all: BTreeMap<&str, &str> =
        TEMPLATES.iter().copied().chain(overrides.iter().map(|(k, v)| (k.as_str(), v.as_str()))).collect();
    tera.add_raw_templates(all.into_iter().collect::<Vec<_>>())
        .map_err(|e| RenderError::Template { name: "templates".into(), message: error_chain(&e) })?;
    tera.autoescape_on(vec![".html"]);
    Ok(tera)
}

/// Render the whole site of the latest period.
pub fn render_site(input: &SiteInput<'_>) -> Result<Site, RenderError> {
    let tera = templates(&input.overrides)?;
    let mut site = Site::new();
    for (path, body) in ASSETS {
        site.insert((*path).to_string(), body.as_bytes().to_vec());
    }
    let waiting;
    let pr = match (input.report.latest(), input.waiting) {
        (Some(pr), _) => pr,
        // Nothing submitted yet: the same site frame, with a page that says so per province.
        (None, Some(period)) => {
            waiting = crate::analyse::PeriodReport::empty(period, &input.report.title);
            &waiting
        }
        (None, None) => return Ok(site),
    };
    let is_waiting = input.report.latest().is_none();
    let index = view::Index::new(input, pr);
    // Every page is a job: (language, output path, template, page); rendered in parallel and
    // put into the (sorted) site map, so the order they finish in never shows.
    enum Page<'p> {
        Overview,
        Province(&'p str),
        Commune(&'p str),
        Quality,
        Search,
        Changes,
        Brief(&'p str),
        CommuneBrief(&'p str),
        Pack,
        Free(&'p str, &'p Document),
    }
    let mut jobs: Vec<(Lang, String, &str, Page<'_>)> = Vec::new();
    for lang in Lang::ALL {
        let l = lang.code();
        let overview = if is_waiting { "waiting.html" } else { "overview.html" };
        jobs.push((lang, format!("{l}/index.html"), overview, Page::Overview));
        for code in pr.provinces.keys() {
            jobs.push((lang, format!("{l}/province/{code}.html"), "province.html", Page::Province(code)));
        }
        for code in pr.communes.keys() {
            jobs.push((lang, format!("{l}/commune/{code}.html"), "commune.html", Page::Commune(code)));
        }
        jobs.push((lang, format!("{l}/quality.html"), "quality.html", Page::Quality));
        jobs.push((lang, format!("{l}/search.html"), "search.html", Page::Search));
        jobs.push((lang, format!("{l}/changes.html"), "changes.html", Page::Changes));
        for code in pr.provinces.keys() {
            jobs.push((lang, format!("briefs/{l}/province-{code}.html"), "brief.html", Page::Brief(code)));
        }
        for code in input.brief_communes.iter().filter(|c| pr.communes.contains_key(*c)) {
            jobs.push((lang, format!("briefs/{l}/commune-{code}.html"), "brief.html", Page::CommuneBrief(code)));
        }
        jobs.push((lang, format!("briefs/{l}/pack.html"), "pack.html", Page::Pack));
        for (slug, doc) in &input.pages {
            jobs.push((lang, format!("{l}/{slug}.html"), "page.html", Page::Free(slug, doc)));
        }
    }
    use rayon::prelude::*;
    let render_pages = || -> Result<Vec<(String, Vec<u8>)>, RenderError> {
        jobs.into_par_iter()
            .map(|(lang, path, name, page)| {
                let ctx = Ctx { input, pr, lang, index: &index };
                let c = match page {
                    Page::Overview if is_waiting => view::waiting(&ctx),
                    Page::Overview => view::overview(&ctx),
                    Page::Province(code) => view::province(&ctx, code),
                    Page::Commune(code) => view::commune(&ctx, code),
                    Page::Quality => view::quality(&ctx),
                    Page::Search => view::search(&ctx),
                    Page::Changes => view::changes(&ctx),
                    Page::Brief(code) => super::brief::province_brief(&ctx, code),
                    Page::CommuneBrief(code) => super::brief::commune_brief(&ctx, code),
                    Page::Pack => super::brief::pack(&ctx),
                    Page::Free(slug, doc) => view::page(&ctx, slug, doc),
                };
                let html = tera
                    .render(name, &c)
                    .map_err(|e| RenderError::Template { name: name.into(), message: error_chain(&e) })?;
                Ok((path, html.into_bytes()))
            })
            .collect::<Result<_, RenderError>>()
    };
    // The downloads (the XLSX workbook's compression is the single largest task) alongside.
    let (pages, downloads) = rayon::join(render_pages, || {
        let mut d = Site::new();
        add_downloads(&mut d, input).map(|()| d)
    });
    site.extend(pages?);
    site.extend(downloads?);
    site.insert("index.html".into(), view::root_redirect().into_bytes());
    site.insert("assets/search-index.js".into(), view::search_index(pr).into_bytes());
    Ok(site)
}

/// The download tables: cascade, budget, bottlenecks (explained in both languages) and findings.
pub fn download_tables(input: &SiteInput<'_>) -> Vec<super::downloads::Table> {
    use super::downloads::{budget_table, cascade_table, findings_table};
    let findings: Vec<crate::finding::Finding> = input
        .dataset
        .findings
        .iter()
        .chain(&input.report.findings)
        .filter(|f| f.severity != crate::finding::Severity::Note)
        .cloned()
        .collect();
    vec![cascade_table(input.report), budget_table(input.report), bottlenecks_table(input), findings_table(&findings)]
}

/// Every bottleneck of every area in the latest period, with its explanation in English and Khmer.
fn bottlenecks_table(input: &SiteInput<'_>) -> super::downloads::Table {
    use super::downloads::{Cell, Table, text};
    let header =
        vec!["period", "level", "code", "name_en", "name_km", "kind", "severity", "explanation_en", "explanation_km"];
    let mut rows = Vec::new();
    // The latest period's only: earlier periods' bottlenecks are in the editions made for them
    // (all periods made this table 25 MB, a fifth of a national build, for no reader).
    if let Some(pr) = input.report.latest() {
        let index = view::Index::default();
        let (en, km) =
            (Ctx { input, pr, lang: Lang::En, index: &index }, Ctx { input, pr, lang: Lang::Km, index: &index });
        let areas = std::iter::once(&pr.initiative)
            .chain(pr.provinces.values())
            .chain(pr.districts.values())
            .chain(pr.communes.values());
        for a in areas {
            let (ven, vkm) = (view::bottlenecks(a, &en), view::bottlenecks(a, &km));
            for ((b, e), k) in a.bottlenecks.iter().zip(ven).zip(vkm) {
                rows.push(vec![
                    text(pr.period.to_string()),
                    text(super::downloads::level(a)),
                    text(&a.code),
                    text(&a.name_en),
                    text(&a.name_km),
                    text(b.kind.key()),
                    text(e.severity),
                    text(e.explanation),
                    if k.explanation.is_empty() { Cell::Empty } else { text(k.explanation) },
                ]);
            }
        }
    }
    Table { name: "bottlenecks", header, rows }
}

/// The downloads: every table as CSV, and all of them in one XLSX.
fn add_downloads(site: &mut Site, input: &SiteInput<'_>) -> Result<(), RenderError> {
    use super::downloads::{to_csv, to_xlsx};
    let tables = download_tables(input);
    for t in &tables {
        site.insert(format!("downloads/{}.csv", t.name), to_csv(t));
    }
    let xlsx = to_xlsx(&tables.iter().collect::<Vec<_>>(), &input.report.title)
        .map_err(|e| RenderError::Template { name: "downloads/ftc-data.xlsx".into(), message: e.to_string() })?;
    site.insert("downloads/ftc-data.xlsx".into(), xlsx);
    Ok(())
}

/// Strings a page shows that have no Khmer translation yet.
pub fn untranslated() -> Vec<&'static str> {
    super::i18n::missing_khmer()
}

/// One formatted row of the cascade table.
#[derive(Serialize)]
pub struct StageRow {
    pub label: String,
    pub people: String,
    pub share: String,
    pub target: String,
    pub gap: String,
}

pub(super) fn area_name(a: &AreaReport, lang: Lang) -> String {
    match lang {
        Lang::Km if !a.name_km.is_empty() => a.name_km.clone(),
        _ => a.name_en.clone(),
    }
}

pub(super) fn gap_text(a: &AreaReport, lang: Lang) -> (String, String) {
    use crate::analyse::cascade::{Figure, Stage};
    // Which gap is largest is itself a statement about a hidden one.
    if a.cascade.as_ref().is_some_and(|c| Stage::ALL.iter().any(|s| !c.figure_shown(Figure::Gap(*s)))) {
        return ("none".into(), super::format::WITHHELD.to_string());
    }
    match a.cascade.as_ref().and_then(|c| c.gaps.largest()) {
        Some((stage, n)) => {
            (stage.as_str().to_string(), fill(t(&format!("gap.{}", stage.as_str()), lang), &[("n", count(n, lang))]))
        }
        None => ("none".into(), t("gap.none", lang).to_string()),
    }
}

/// What the public edition hides and how it marks it; empty for the internal audience.
pub(super) fn disclosure_note(input: &SiteInput<'_>, lang: Lang) -> String {
    match &input.report.disclosure {
        Some(d) => fill(
            t("disclosure.note", lang),
            &[("max", count(d.threshold.saturating_sub(1), lang)), ("threshold", count(d.threshold, lang))],
        ),
        None => String::new(),
    }
}

pub(super) fn stamp(input: &SiteInput<'_>, period: Period, lang: Lang) -> String {
    fill(
        t("stamp", lang),
        &[
            ("edition", input.edition.clone()),
            ("period", period.to_string()),
            ("audience", t(&format!("audience.{}", input.audience), lang).to_string()),
        ],
    )
}

pub(super) fn base_context(
    input: &SiteInput<'_>,
    pr: &PeriodReport,
    lang: Lang,
    path_in_lang: &str,
    depth: usize,
    title: &str,
) -> tera::Context {
    let mut c = tera::Context::new();
    let other = if lang == Lang::En { Lang::Km } else { Lang::En };
    c.insert("lang", lang.code());
    c.insert("other_lang", other.code());
    c.insert("other_lang_name", if other == Lang::En { "English" } else { "ខ្មែរ" });
    c.insert("root", &"../".repeat(depth));
    c.insert("other_href", &format!("{}{}/{path_in_lang}", "../".repeat(depth), other.code()));
    c.insert("t", &table(lang));
    c.insert("site_title", &input.report.title);
    c.insert("page_title", title);
    c.insert("stamp", &stamp(input, pr.period, lang));
    c.insert("footer", t("footer", lang));
    c.insert("disclosure_note", &disclosure_note(input, lang));
    let nav: Vec<BTreeMap<&str, String>> = input
        .pages
        .iter()
        .map(|(slug, d)| {
            BTreeMap::from([("slug", slug.clone()), ("title", d.front.title.clone().unwrap_or_else(|| slug.clone()))])
        })
        .collect();
    c.insert("nav_pages", &nav);
    c
}

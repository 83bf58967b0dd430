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
    /// The download tables, when the caller made them already (with their CSVs, for the diff):
    /// only the workbook is written here, from these, and the caller adds the CSVs it holds
    /// (moved, not copied: they are 23 MB nationally). `None`: both are made here.
    pub tables: Option<&'a [super::downloads::Table<'a>]>,
    /// Where the downloads workbook's compressed sheets are kept between builds: a sheet whose
    /// table is unchanged is copied from there (the bytes are the same with a store or without).
    pub sheets: Option<&'a dyn super::xlsx::SheetStore>,
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

/// One built-in template that stands alone (extends and imports nothing) and reads no UI
/// string (`versions.html`), parsed by itself, HTML-escaped as the set is.
pub fn template(name: &str) -> Result<tera::Tera, RenderError> {
    let missing = || RenderError::Template { name: name.into(), message: "no such built-in template".into() };
    let (_, source) = TEMPLATES.iter().find(|(n, _)| *n == name).ok_or_else(missing)?;
    parse(vec![(name, *source)], name)
}

/// A Tera of these templates, HTML escaped in `.html` ones; an error is named `what`.
fn parse(sources: Vec<(&str, &str)>, what: &str) -> Result<tera::Tera, RenderError> {
    let mut tera = tera::Tera::default();
    tera.add_raw_templates(sources)
        .map_err(|e| RenderError::Template { name: what.into(), message: error_chain(&e) })?;
    tera.autoescape_on(vec![".html"]);
    Ok(tera)
}

/// The templates for one language, with every `t["key"]` of the UI string table written in as
/// that language's text when they are parsed. The table was otherwise serialised into each
/// page's context: 3,400 pages × 350 strings on a national build. `needs_table` is true when
/// some template (a project's override, say) still refers to `t` in another way, and pages
/// must then carry the table as before.
pub struct LangTemplates {
    pub tera: tera::Tera,
    pub needs_table: bool,
}

pub fn templates_for(overrides: &BTreeMap<String, String>, lang: Lang) -> Result<LangTemplates, RenderError> {
    let mut needs_table = false;
    let resolved: BTreeMap<String, String> = TEMPLATES
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .chain(overrides.iter().map(|(k, v)| (k.clone(), v.clone())))
        .map(|(k, v)| {
            let (text, rest) = resolve_strings(&v, lang);
            needs_table |= rest;
            (k, text)
        })
        .collect();
    let tera = parse(resolved.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(), "templates")?;
    Ok(LangTemplates { tera, needs_table })
}

/// Inside the template tags (`{{ }}`, `{% %}`) of `source`, `t["key"]` and `t['key']` for a
/// key of the table become a string literal of its text in `lang`. Returns the new source, and
/// whether any other use of `t` is left (a key not in the table, a computed key, `t.key`).
pub fn resolve_strings(source: &str, lang: Lang) -> (String, bool) {
    let mut out = String::with_capacity(source.len());
    let mut rest = false;
    let mut at = 0;
    while let Some(open) = source[at..].find('{').map(|i| at + i) {
        let close = match source.as_bytes().get(open + 1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            _ => {
                out.push_str(&source[at..=open]);
                at = open + 1;
                continue;
            }
        };
        let Some(end) = source[open + 2..].find(close).map(|i| open + 2 + i + 2) else { break };
        out.push_str(&source[at..open]);
        let tag = &source[open..end];
        if tag.trim_start_matches(['{', '%', '-', ' ']).starts_with("raw") {
            // Text between raw and endraw is output as written: copied untouched.
            let stop =
                source[end..].find("endraw").and_then(|i| source[end + i..].find(close).map(|j| end + i + j + 2));
            let stop = stop.unwrap_or(source.len());
            out.push_str(&source[open..stop]);
            at = stop;
            continue;
        }
        let (text, left) = resolve_tag(tag, lang);
        rest |= left;
        out.push_str(&text);
        at = end;
    }
    out.push_str(&source[at..]);
    (out, rest)
}

fn resolve_tag(tag: &str, lang: Lang) -> (String, bool) {
    let bytes = tag.as_bytes();
    let macro_tag = tag.trim_start_matches(['{', '%', '-', ' ']).starts_with("macro ");
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = String::with_capacity(tag.len());
    let mut rest = false;
    let mut i = 0;
    while i < bytes.len() {
        let starts_t =
            bytes[i] == b't' && (i == 0 || !ident(bytes[i - 1])) && !bytes.get(i + 1).is_some_and(|b| ident(*b));
        if !starts_t {
            let ch = tag[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&tag[i..i + ch]);
            i += ch;
            continue;
        }
        // `t` as a name: `t["key"]` or `t['key']` with a known key becomes a literal.
        let after = tag[i + 1..].trim_start();
        let literal = after.strip_prefix('[').and_then(|a| {
            let a = a.trim_start();
            let q = a.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let close = a[1..].find(q)?;
            let key = &a[1..1 + close];
            let tail = a[1 + close + 1..].trim_start().strip_prefix(']')?;
            let text = super::i18n::lookup(key, lang)?;
            let delim = ['"', '\'', '`'].into_iter().find(|d| !text.contains(*d))?;
            Some((format!("{delim}{text}{delim}"), tag.len() - tail.len()))
        });
        match literal {
            Some((lit, end)) => {
                out.push_str(&lit);
                i = end;
            }
            None => {
                rest |= !names_or_passes_on(&out, after, macro_tag);
                out.push('t');
                i += 1;
            }
        }
    }
    (out, rest)
}

/// Whether a `t` that is not `t["key"]` (`before` it, `after` it, in a macro's definition tag or
/// not) only names a parameter or argument, or passes the table on as a macro's argument of the
/// same name (`m::table(rows=r, t=t)`): none of these reads the table, whose `t["key"]` inside the
/// macro were written in too, so pages need no table, only something named `t` to pass on.
fn names_or_passes_on(before: &str, after: &str, macro_tag: bool) -> bool {
    let ends_argument = after.starts_with([',', ')']);
    // `t=` names an argument (`t==` compares).
    if after.starts_with('=') && !after.starts_with("==") {
        return true;
    }
    // `{% macro table(rows, t) %}` declares a parameter.
    if macro_tag && ends_argument {
        return true;
    }
    // `t=t`: the table passed on under its own name.
    let Some(head) = before.trim_end().strip_suffix('=') else { return false };
    if head.ends_with(['=', '!', '<', '>']) {
        return false;
    }
    let head = head.trim_end();
    let named_t = head.strip_suffix('t').is_some_and(|h| !h.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'));
    named_t && ends_argument
}

/// One page of the site: which template lays it out, for which area or free page.
#[derive(Debug, Clone)]
enum Page {
    Overview,
    Province(String),
    Commune(String),
    Quality,
    Search,
    Changes,
    Brief(String),
    CommuneBrief(String),
    Pack,
    Free(String),
}

/// What every file of a site needs, made once: the templates parsed per language, the lookups
/// over the dataset, and the list of pages by path. [`render_site`] renders every file from it;
/// [`render_file`] renders one (what `ftc serve` does, page by page as they are asked for).
pub struct Prepared {
    teras: [LangTemplates; 2],
    index: view::Index,
    /// The period shown when nothing was submitted yet (a page per province says so).
    waiting: Option<PeriodReport>,
    /// Every page by its path: language, template and page.
    pages: BTreeMap<String, (Lang, &'static str, Page)>,
}

impl Prepared {
    /// Every path of the site (pages, assets, downloads), sorted.
    pub fn paths(&self, input: &SiteInput<'_>) -> Vec<String> {
        let mut all: Vec<String> = ASSETS.iter().map(|(p, _)| (*p).to_string()).collect();
        if self.period(input).is_some() {
            all.extend(self.pages.keys().cloned());
            all.extend(TABLES.iter().map(|t| csv_path(t)));
            all.push(WORKBOOK.to_string());
            all.extend(["index.html".to_string(), SEARCH_INDEX.to_string()]);
        }
        all.sort();
        all
    }

    fn period<'p>(&'p self, input: &'p SiteInput<'_>) -> Option<&'p PeriodReport> {
        input.report.latest().or(self.waiting.as_ref())
    }
}

/// The downloads' paths.
/// The downloads workbook, every table a sheet.
pub const WORKBOOK: &str = "downloads/ftc-data.xlsx";
const SEARCH_INDEX: &str = "assets/search-index.js";

/// Parse the templates and list the pages of the latest period (of the waiting one, when
/// nothing was submitted yet).
pub fn prepare(input: &SiteInput<'_>) -> Result<Prepared, RenderError> {
    // Side by side: parsing a language's set takes 10-15 ms, and the other core was idle.
    let (en, km) =
        rayon::join(|| templates_for(&input.overrides, Lang::En), || templates_for(&input.overrides, Lang::Km));
    let teras = [en?, km?];
    let waiting = match (input.report.latest(), input.waiting) {
        // Nothing submitted yet: the same site frame, with a page that says so per province.
        (None, Some(period)) => Some(crate::analyse::PeriodReport::empty(period, &input.report.title)),
        _ => None,
    };
    let mut prepared = Prepared { teras, index: view::Index::default(), waiting, pages: BTreeMap::new() };
    let Some(pr) = prepared.period(input) else { return Ok(prepared) };
    let is_waiting = input.report.latest().is_none();
    let index = view::Index::new(input, pr);
    let mut pages = BTreeMap::new();
    for lang in Lang::ALL {
        let l = lang.code();
        let mut add = |path: String, template: &'static str, page: Page| {
            pages.insert(path, (lang, template, page));
        };
        let overview = if is_waiting { "waiting.html" } else { "overview.html" };
        add(format!("{l}/index.html"), overview, Page::Overview);
        for code in pr.provinces.keys() {
            add(format!("{l}/province/{code}.html"), "province.html", Page::Province(code.clone()));
        }
        for code in pr.communes.keys() {
            add(format!("{l}/commune/{code}.html"), "commune.html", Page::Commune(code.clone()));
        }
        add(format!("{l}/quality.html"), "quality.html", Page::Quality);
        add(format!("{l}/search.html"), "search.html", Page::Search);
        add(format!("{l}/changes.html"), "changes.html", Page::Changes);
        for code in pr.provinces.keys() {
            add(format!("briefs/{l}/province-{code}.html"), "brief.html", Page::Brief(code.clone()));
        }
        for code in input.brief_communes.iter().filter(|c| pr.communes.contains_key(*c)) {
            add(format!("briefs/{l}/commune-{code}.html"), "brief.html", Page::CommuneBrief(code.clone()));
        }
        add(format!("briefs/{l}/pack.html"), "pack.html", Page::Pack);
        for (slug, _) in &input.pages {
            add(format!("{l}/{slug}.html"), "page.html", Page::Free(slug.clone()));
        }
    }
    prepared.index = index;
    prepared.pages = pages;
    Ok(prepared)
}

/// A commune page's size, about: the first room a page is rendered into.
const PAGE_BYTES: usize = 16 << 10;

/// Render the page at `path` (one of [`Prepared::pages`]).
fn render_page(input: &SiteInput<'_>, prepared: &Prepared, path: &str) -> Option<Result<Vec<u8>, RenderError>> {
    let (lang, name, page) = prepared.pages.get(path)?;
    let (lang, name) = (*lang, *name);
    let pr = prepared.period(input)?;
    let ctx = Ctx { input, pr, lang, index: &prepared.index };
    let c = match page {
        Page::Overview if prepared.waiting.is_some() => view::waiting(&ctx),
        Page::Overview => view::overview(&ctx),
        Page::Province(code) => view::province(&ctx, code),
        Page::Commune(code) => view::commune(&ctx, code),
        Page::Quality => view::quality(&ctx),
        Page::Search => view::search(&ctx),
        Page::Changes => view::changes(&ctx),
        Page::Brief(code) => super::brief::province_brief(&ctx, code),
        Page::CommuneBrief(code) => super::brief::commune_brief(&ctx, code),
        Page::Pack => super::brief::pack(&ctx),
        Page::Free(slug) => {
            let (_, doc) = input.pages.iter().find(|(s, _)| s == slug)?;
            view::page(&ctx, slug, doc)
        }
    };
    let tpl = &prepared.teras[usize::from(lang == Lang::Km)];
    let mut c = c;
    if tpl.needs_table {
        c.insert("t", &table(lang));
    } else {
        // Only passed on to macros (`t=t`), which were given its texts already.
        c.insert("t", &BTreeMap::<&str, &str>::new());
    }
    // Into bytes, not a `String`: Tera's `render` checks the whole page is UTF-8 once more (a
    // twentieth of rendering a national site's pages); the site holds bytes anyway. Room for a
    // commune page from the start, and the rest given back: a buffer grown by doubling would
    // hold up to twice the page until publish.
    let mut bytes = Vec::with_capacity(PAGE_BYTES);
    if let Err(e) = tpl.tera.render_to(name, &c, &mut bytes) {
        return Some(Err(RenderError::Template { name: name.into(), message: error_chain(&e) }));
    }
    bytes.shrink_to_fit();
    Some(Ok(bytes))
}

/// Render the one file at `path`, as [`render_site`] renders it, or `None` when the site has
/// no such file. A download makes every download (they come from the same tables).
pub fn render_file(input: &SiteInput<'_>, prepared: &Prepared, path: &str) -> Option<Result<Vec<u8>, RenderError>> {
    if let Some((_, body)) = ASSETS.iter().find(|(p, _)| *p == path) {
        return Some(Ok(body.as_bytes().to_vec()));
    }
    let pr = prepared.period(input)?;
    match path {
        "index.html" => Some(Ok(view::root_redirect().into_bytes())),
        SEARCH_INDEX => Some(Ok(view::search_index(pr).into_bytes())),
        // The workbook is made from every table; a CSV from its own table alone.
        WORKBOOK => Some(workbook(&download_tables(input), input).map(|(_, xlsx)| xlsx)),
        _ => match TABLES.iter().find(|t| csv_path(t) == path) {
            Some(name) => download_table(input, name).map(|t| Ok(csv(&t))),
            None => render_page(input, prepared, path),
        },
    }
}

/// Render the whole site of the latest period.
pub fn render_site(input: &SiteInput<'_>) -> Result<Site, RenderError> {
    let prepared = prepare(input)?;
    let mut site = Site::new();
    for (path, body) in ASSETS {
        site.insert((*path).to_string(), body.as_bytes().to_vec());
    }
    let Some(pr) = prepared.period(input) else { return Ok(site) };
    // Every page is rendered in parallel and put into the (sorted) site map, so the order they
    // finish in never shows.
    use rayon::prelude::*;
    let render_pages = || -> Result<Vec<(String, Vec<u8>)>, RenderError> {
        prepared
            .pages
            .par_iter()
            .filter_map(|(path, _)| render_page(input, &prepared, path).map(|r| r.map(|b| (path.clone(), b))))
            .collect::<Result<_, RenderError>>()
    };
    // The downloads (the XLSX workbook's compression is the single largest task) alongside.
    let (pages, downloads) = rayon::join(render_pages, || match input.tables {
        Some(tables) => workbook(tables, input).map(|x| Site::from([x])),
        None => downloads(input),
    });
    site.extend(pages?);
    site.extend(downloads?);
    site.insert("index.html".into(), view::root_redirect().into_bytes());
    site.insert(SEARCH_INDEX.into(), view::search_index(pr).into_bytes());
    Ok(site)
}

/// The download tables by name, in the workbook's order of sheets.
pub const TABLES: &[&str] = &["cascade", "budget", "bottlenecks", "findings"];

/// Where the CSV download of the table `name` is, in an edition.
pub fn csv_path(name: &str) -> String {
    format!("downloads/{name}.csv")
}

/// The download tables of [`TABLES`]: cascade, budget, bottlenecks (explained in both
/// languages) and findings, built side by side.
pub fn download_tables<'a>(input: &SiteInput<'a>) -> Vec<super::downloads::Table<'a>> {
    use rayon::prelude::*;
    // Every name of TABLES has its table.
    TABLES.par_iter().filter_map(|name| download_table(input, name)).collect()
}

/// The one download table named `name` (one of [`TABLES`]): what a preview asked for one CSV
/// makes, instead of all four (the budget table alone is 130,000 rows nationally).
fn download_table<'a>(input: &SiteInput<'a>, name: &str) -> Option<super::downloads::Table<'a>> {
    use super::downloads::{budget_table, cascade_table};
    match name {
        "cascade" => Some(cascade_table(input.report)),
        "budget" => Some(budget_table(input.report)),
        "bottlenecks" => Some(bottlenecks_table(input)),
        "findings" => Some(findings_table(input)),
        _ => None,
    }
}

/// Every finding of the data and the analysis but the notes.
fn findings_table<'a>(input: &SiteInput<'a>) -> super::downloads::Table<'a> {
    super::downloads::findings_table(
        input
            .dataset
            .findings
            .iter()
            .chain(&input.report.findings)
            .filter(|f| f.severity != crate::finding::Severity::Note),
    )
}

/// Every bottleneck of every area in the latest period, with its explanation in English and Khmer.
fn bottlenecks_table<'a>(input: &SiteInput<'a>) -> super::downloads::Table<'a> {
    use super::downloads::{Cell, Table, text};
    use rayon::prelude::*;
    let header =
        vec!["period", "level", "code", "name_en", "name_km", "kind", "severity", "explanation_en", "explanation_km"];
    let mut rows = Vec::new();
    // The latest period's only: earlier periods' bottlenecks are in the editions made for them
    // (all periods made this table 25 MB, a fifth of a national build, for no reader).
    if let Some(pr) = input.report.latest() {
        let index = view::Index::default();
        let (en, km) =
            (Ctx { input, pr, lang: Lang::En, index: &index }, Ctx { input, pr, lang: Lang::Km, index: &index });
        let areas: Vec<&AreaReport> = std::iter::once(&pr.initiative)
            .chain(pr.provinces.values())
            .chain(pr.districts.values())
            .chain(pr.communes.values())
            .collect();
        // Area by area in parallel (the explanations are most of the diff stage's work), in order.
        let per_area: Vec<Vec<Vec<Cell<'a>>>> = areas
            .par_iter()
            .map(|a| {
                let (ven, vkm) = (view::bottlenecks(a, &en), view::bottlenecks(a, &km));
                a.bottlenecks
                    .iter()
                    .zip(ven)
                    .zip(vkm)
                    .map(|((b, e), k)| {
                        vec![
                            text(pr.period.to_string()),
                            text(super::downloads::level(a)),
                            text(&a.code),
                            text(&a.name_en),
                            text(&a.name_km),
                            text(b.kind.key()),
                            text(e.severity),
                            text(e.explanation),
                            if k.explanation.is_empty() { Cell::Empty } else { text(k.explanation) },
                        ]
                    })
                    .collect()
            })
            .collect();
        rows = per_area.into_iter().flatten().collect();
    }
    Table { name: "bottlenecks", header, rows }
}

/// The CSV downloads of these tables, side by side.
pub fn csvs(tables: &[super::downloads::Table]) -> Site {
    use rayon::prelude::*;
    tables.par_iter().map(|t| (csv_path(t.name), csv(t))).collect()
}

/// One table's CSV download.
fn csv(table: &super::downloads::Table) -> Vec<u8> {
    let mut csv = super::downloads::to_csv(table);
    csv.shrink_to_fit();
    csv
}

/// The workbook of these tables: [`WORKBOOK`].
fn workbook(tables: &[super::downloads::Table], input: &SiteInput<'_>) -> Result<(String, Vec<u8>), RenderError> {
    let xlsx = super::downloads::to_xlsx(&tables.iter().collect::<Vec<_>>(), &input.report.title, input.sheets)
        .map_err(|e| RenderError::Template { name: WORKBOOK.into(), message: e.to_string() })?;
    Ok((WORKBOOK.into(), xlsx))
}

/// The downloads: every table as CSV, and all of them in one XLSX, written side by side.
fn downloads(input: &SiteInput<'_>) -> Result<Site, RenderError> {
    let tables = download_tables(input);
    // The workbook first: the other side of a join waits until a core is free to take it, and
    // the workbook holds the build's longest task.
    let (xlsx, mut site) = rayon::join(|| workbook(&tables, input), || csvs(&tables));
    let (path, bytes) = xlsx?;
    site.insert(path, bytes);
    Ok(site)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_strings_are_written_into_the_templates() {
        let (en, rest) = resolve_strings(
            r#"<h2>{{ t["stage.on_art"] }}</h2>{% if x %}{{ t['stage.on_art'] | upper }}{% endif %}"#,
            Lang::En,
        );
        assert_eq!(en, r#"<h2>{{ "On treatment" }}</h2>{% if x %}{{ "On treatment" | upper }}{% endif %}"#);
        assert!(!rest);
        let (km, _) = resolve_strings(r#"{{ t["stage.on_art"] }}"#, Lang::Km);
        assert_eq!(km, format!("{{{{ \"{}\" }}}}", t("stage.on_art", Lang::Km)));
        // Outside the tags, in raw blocks, and names that merely contain a `t`: untouched.
        let js = r#"<script>const t = {}; t["stage.on_art"] = 1;</script>{% raw %}{{ t["stage.on_art"] }}{% endraw %}{{ at["k"] }}{{ t_x }}"#;
        assert_eq!(resolve_strings(js, Lang::En), (js.to_string(), false));
        // A key not in the table, a computed key or `t.key` stays, and pages then need the table.
        for other in [r#"{{ t["no.such.key"] }}"#, "{{ t[name] }}", "{{ t.title }}"] {
            assert_eq!(resolve_strings(other, Lang::En), (other.to_string(), true), "{other}");
        }
        // Naming a macro's parameter `t`, or passing the table on under that name, reads nothing
        // from it; passing it under another name, or using it any other way, may.
        for (source, needs) in [
            ("{% macro table(c, t) %}{% endmacro table %}", false),
            ("{%- macro table(t, c) -%}{% endmacro table %}", false),
            ("{{ m::table(c=cascade, t=t) }}", false),
            ("{{ m::table(t = t, c=cascade) }}", false),
            ("{{ m::table(strings=t) }}", true),
            ("{{ m::table(t=t | length) }}", true),
            ("{% set x = t %}", true),
            ("{% if t == t %}x{% endif %}", true),
            ("{% if x != t %}x{% endif %}", true),
            ("{{ m::table(at=t) }}", true),
        ] {
            assert_eq!(resolve_strings(source, Lang::En).1, needs, "{source}");
        }
    }

    #[test]
    fn built_in_pages_carry_no_string_table() {
        // Every built-in `t` is a key written in or the table passed on to a macro: no page's
        // context carries the 350 strings (it did, for every page, when the macros' `t=t`
        // counted as a use).
        for lang in Lang::ALL {
            assert!(!templates_for(&BTreeMap::new(), lang).expect("parses").needs_table, "{lang:?}");
        }
    }

    #[test]
    fn resolved_templates_render_as_the_table_did() {
        // The same page through a literal and through the table in the context.
        let src = r#"{{ t["stage.on_art"] }}|{{ t["footer"] }}"#;
        let mut direct = tera::Tera::default();
        direct.add_raw_template("p.html", src).expect("parses");
        direct.autoescape_on(vec![".html"]);
        for lang in Lang::ALL {
            let mut c = tera::Context::new();
            c.insert("t", &table(lang));
            let expected = direct.render("p.html", &c).expect("renders");
            let mut resolved = tera::Tera::default();
            resolved.add_raw_template("p.html", &resolve_strings(src, lang).0).expect("parses");
            resolved.autoescape_on(vec![".html"]);
            assert_eq!(resolved.render("p.html", &tera::Context::new()).expect("renders"), expected);
        }
    }
}

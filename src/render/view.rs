//! Render: the view models of each page, built from the report: rows of formatted text in the
//! page's language, names in the page's script. Templates only lay these out.

use super::format::{Lang, WITHHELD, cascade_count, cascade_gap, cascade_percent, count, money, percent, points};
use super::i18n::{fill, t};
use super::markdown::Document;
use super::site::{SiteInput, StageRow, area_name, base_context, gap_text};
use crate::analyse::budget::{Budget, Execution};
use crate::analyse::cascade::{Cascade, Figure};
use crate::analyse::{AreaReport, PeriodReport};
use crate::finding::{Finding, Severity};
use serde::Serialize;

pub struct Ctx<'a> {
    pub input: &'a SiteInput<'a>,
    pub pr: &'a PeriodReport,
    pub lang: Lang,
    pub index: &'a Index,
}

/// Lookups built once per render rather than a scan of every row per page.
#[derive(Default)]
pub struct Index {
    /// Per area code, the (file, row) of its cascade rows in the rendered period.
    pub rows_of: std::collections::BTreeMap<String, Vec<(String, Option<u32>)>>,
    /// Per (file, row), the positions of its findings (not notes) in `dataset.findings`.
    pub findings_at: std::collections::BTreeMap<(String, Option<u32>), Vec<usize>>,
}

impl Index {
    pub fn new(input: &SiteInput<'_>, pr: &PeriodReport) -> Index {
        let mut ix = Index::default();
        for r in input.dataset.cascade.iter().filter(|r| r.period == Some(pr.period)) {
            ix.rows_of.entry(r.area_code.clone()).or_default().push((r.location.file.clone(), r.location.row));
        }
        for (i, f) in input.dataset.findings.iter().enumerate().filter(|(_, f)| f.severity != Severity::Note) {
            ix.findings_at.entry((f.location.file.clone(), f.location.row)).or_default().push(i);
        }
        ix
    }
}

#[derive(Serialize)]
pub(super) struct CascadeView {
    pub(super) stages: Vec<StageRow>,
    pub(super) vl_note: String,
    /// Some figure is hidden: the page says why under the table.
    pub(super) suppressed: bool,
}

pub(super) fn cascade_view(c: &Cascade, lang: Lang) -> CascadeView {
    use crate::analyse::cascade::{Count, Figure, Stage};
    let of = c.targets.of_plhiv();
    let row = |key: &str, k: Count, share: String, target: Option<f64>, gap: String| StageRow {
        label: t(key, lang).to_string(),
        people: cascade_count(c, k, lang),
        share,
        target: target.map_or_else(String::new, |x| percent(Some(x), lang)),
        gap,
    };
    let plhiv_share = if c.shown(Count::Plhiv) {
        percent(Some(1.0).filter(|_| c.counts.plhiv > 0), lang)
    } else {
        WITHHELD.to_string()
    };
    CascadeView {
        stages: vec![
            row("stage.plhiv", Count::Plhiv, plhiv_share, None, String::new()),
            row(
                "stage.diagnosed",
                Count::Diagnosed,
                cascade_percent(c, Figure::DiagnosedOfPlhiv, lang),
                Some(of[0]),
                cascade_gap(c, Stage::Diagnosed, lang),
            ),
            row(
                "stage.on_art",
                Count::OnArt,
                cascade_percent(c, Figure::OnArtOfPlhiv, lang),
                Some(of[1]),
                cascade_gap(c, Stage::OnArt, lang),
            ),
            row(
                "stage.suppressed",
                Count::VlSuppressed,
                cascade_percent(c, Figure::SuppressedOfPlhiv, lang),
                Some(of[2]),
                cascade_gap(c, Stage::Suppressed, lang),
            ),
        ],
        vl_note: fill(
            t("vl.note", lang),
            &[
                ("coverage", cascade_percent(c, Figure::VlCoverage, lang)),
                ("supp", cascade_percent(c, Figure::UnadjustedSuppression, lang)),
            ],
        ),
        suppressed: c.hidden.any(),
    }
}

#[derive(Serialize)]
pub(super) struct BottleneckView {
    pub(super) severity: &'static str,
    pub(super) severity_label: String,
    pub(super) explanation: String,
}

pub(super) fn bottlenecks(a: &AreaReport, ctx: &Ctx<'_>) -> Vec<BottleneckView> {
    use crate::analyse::bottleneck::Severity as S;
    let lang = ctx.lang;
    a.bottlenecks
        .iter()
        .map(|b| {
            let key = match b.severity {
                S::High => "high",
                S::Medium => "medium",
                S::Low => "low",
            };
            BottleneckView {
                severity: key,
                severity_label: t(&format!("severity.{key}"), lang).to_string(),
                explanation: explain(b, a, ctx),
            }
        })
        .collect()
}

/// A bottleneck's one-line explanation in the page's language, from its kind and figures.
fn explain(b: &crate::analyse::bottleneck::Bottleneck, a: &AreaReport, ctx: &Ctx<'_>) -> String {
    use crate::analyse::bottleneck::Kind;
    let lang = ctx.lang;
    let f = |k: &str| b.figures.get(k).copied().unwrap_or(0.0);
    let words = |s: crate::analyse::cascade::Stage| t(&format!("words.{}", s.as_str()), lang).to_string();
    let category = |c: crate::validate::Category| t(&format!("category.{}", c.as_str()), lang).to_string();
    let cur = &ctx.input.report.rates.reporting;
    let args: Vec<(&str, String)> = match &b.kind {
        Kind::LargestGap { stage } => vec![
            ("gap", count(f("gap") as u64, lang)),
            ("words", words(*stage)),
            ("target", percent(Some(f("target_of_plhiv")), lang)),
        ],
        Kind::BelowTarget { stage } => vec![
            ("ordinal", t(&format!("ordinal.{}", stage.as_str()), lang).to_string()),
            ("value", percent(Some(f("value")), lang)),
            ("target", percent(Some(f("target")), lang)),
            ("points", points(Some(f("points_short")), lang).trim_start_matches('+').to_string()),
        ],
        Kind::LowVlCoverage => {
            vec![("coverage", percent(Some(f("vl_coverage")), lang)), ("caution", percent(Some(f("caution")), lang))]
        }
        Kind::BudgetLag { category: c } => vec![
            ("category", category(*c)),
            ("execution", percent(Some(f("execution")), lang)),
            ("expected", percent(Some(f("expected")), lang)),
            ("behind", money(f("behind"), cur, lang)),
        ],
        Kind::UnspentWhereGap { category: c, stage } => vec![
            ("category", category(*c)),
            ("execution", percent(Some(f("execution")), lang)),
            ("gap", count(f("gap") as u64, lang)),
            ("words", words(*stage)),
        ],
        Kind::GapConcentration { stage } => {
            let names: Vec<String> = a
                .concentration
                .iter()
                .flat_map(|c| c.communes.iter().take(3))
                .map(|(code, _)| ctx.pr.communes.get(code).map_or_else(|| code.clone(), |x| area_name(x, lang)))
                .collect();
            vec![
                ("k", count(f("communes") as u64, lang)),
                ("n", count(f("of_communes") as u64, lang)),
                ("share", percent(Some(f("share")), lang)),
                ("words", words(*stage)),
                ("names", names.join(", ")),
            ]
        }
    };
    let key = match &b.kind {
        Kind::LargestGap { .. } => "bn.largest_gap",
        Kind::BelowTarget { .. } => "bn.below_target",
        Kind::LowVlCoverage => "bn.low_vl_coverage",
        Kind::BudgetLag { .. } => "bn.budget_lag",
        Kind::UnspentWhereGap { .. } => "bn.unspent_where_gap",
        Kind::GapConcentration { .. } => "bn.gap_concentration",
    };
    fill(t(key, lang), &args)
}

#[derive(Serialize)]
pub(super) struct MoneyRow {
    pub(super) label: String,
    pub(super) approved: String,
    pub(super) spent: String,
    pub(super) execution: String,
    pub(super) expected: String,
    pub(super) lagging: bool,
}

pub(super) fn money_row(label: String, e: &Execution, currency: &str, lag: f64, lang: Lang) -> MoneyRow {
    MoneyRow {
        label,
        approved: money(e.money.approved, currency, lang),
        spent: money(e.money.spent, currency, lang),
        execution: percent(e.execution, lang),
        expected: percent(Some(e.expected), lang),
        lagging: e.lag_points.is_some_and(|l| l > lag),
    }
}

pub(super) fn budget_rows(b: &Budget, ctx: &Ctx<'_>) -> (Vec<MoneyRow>, Vec<MoneyRow>) {
    let cur = &ctx.input.report.rates.reporting;
    let lag = 10.0;
    let cats = b
        .by_category
        .iter()
        .map(|(k, e)| money_row(t(&format!("category.{}", k.as_str()), ctx.lang).to_string(), e, cur, lag, ctx.lang))
        .collect();
    let funds = b.by_funding.iter().map(|(k, e)| money_row(k.clone(), e, cur, lag, ctx.lang)).collect();
    (cats, funds)
}

fn budget_lead(ctx: &Ctx<'_>) -> String {
    let r = &ctx.input.report.rates;
    let rates: Vec<String> = r
        .per_reporting_unit
        .iter()
        .map(|(k, v)| format!("{} {} = {} {k}", count(1, ctx.lang), r.reporting, count(*v as u64, ctx.lang)))
        .collect();
    fill(
        t("budget.lead", ctx.lang),
        &[
            ("period", ctx.pr.period.to_string()),
            ("expected", percent(Some(ctx.pr.expected_execution), ctx.lang)),
            ("currency", r.reporting.clone()),
            ("rates", rates.join(", ")),
        ],
    )
}

#[derive(Serialize)]
pub(super) struct FindingView {
    pub(super) severity: &'static str,
    pub(super) severity_label: String,
    pub(super) province: String,
    pub(super) place: String,
    pub(super) rule: &'static str,
    pub(super) message: String,
}

pub(super) fn finding_view(f: &Finding, province: &str, lang: Lang) -> FindingView {
    let sev = f.severity.as_str();
    FindingView {
        severity: sev,
        severity_label: t(&format!("severity.{sev}"), lang).to_string(),
        province: province.to_string(),
        place: f.location.to_string_in(lang),
        rule: f.rule.id(),
        message: f.message_in(lang),
    }
}

/// Findings (errors and warnings) in the files of one province, in the latest period.
pub(super) fn province_findings(ctx: &Ctx<'_>, code: &str) -> Vec<FindingView> {
    let ds = ctx.input.dataset;
    let files: Vec<&str> = ds
        .files
        .iter()
        .filter(|f| f.province.as_deref() == Some(code) && f.period == Some(ctx.pr.period))
        .map(|f| f.path.as_str())
        .collect();
    ds.findings
        .iter()
        .filter(|f| f.severity != Severity::Note && files.contains(&f.location.file.as_str()))
        .map(|f| finding_view(f, code, ctx.lang))
        .collect()
}

pub fn overview(ctx: &Ctx<'_>) -> tera::Context {
    let lang = ctx.lang;
    let pr = ctx.pr;
    let mut c = base_context(ctx.input, pr, lang, "index.html", 1, t("title.overview", lang));
    let a = &pr.initiative;
    c.insert(
        "lead",
        &fill(
            t("lead.overview", lang),
            &[
                ("period", pr.period.to_string()),
                ("provinces", count(pr.provinces.len() as u64, lang)),
                ("communes", count(pr.communes.values().filter(|c| c.cascade.is_some()).count() as u64, lang)),
                (
                    "plhiv",
                    a.cascade.as_ref().map_or_else(
                        || count(0, lang),
                        |c| cascade_count(c, crate::analyse::cascade::Count::Plhiv, lang),
                    ),
                ),
            ],
        ),
    );
    c.insert("charts", &a.cascade.as_ref().map(|cas| super::cascade_charts(cas, "all", lang)).unwrap_or_default());
    c.insert("cascade", &a.cascade.as_ref().map(|cas| cascade_view(cas, lang)));
    let mut provinces: Vec<&AreaReport> = pr.provinces.values().collect();
    provinces.sort_by_key(|p| (p.rank.unwrap_or(usize::MAX), p.code.clone()));
    let rows: Vec<_> = provinces.iter().map(|p| province_row(p, lang)).collect();
    c.insert("provinces", &rows);
    let (cats, _) = a.budget.as_ref().map(|b| budget_rows(b, ctx)).unwrap_or_default();
    c.insert("budget_rows", &cats);
    c.insert("budget_chart", &a.budget.as_ref().map(|b| super::budget_chart(b, "ball", lang)));
    c.insert("budget_lead", &budget_lead(ctx));
    c.insert("bottlenecks", &bottlenecks(a, ctx));
    let ds = ctx.input.dataset;
    c.insert(
        "quality_lead",
        &fill(
            t("quality.lead", lang),
            &[
                ("errors", count(ds.count(Severity::Error) as u64, lang)),
                ("warnings", count(ds.count(Severity::Warning) as u64, lang)),
                ("files", count(ds.files.len() as u64, lang)),
            ],
        ),
    );
    let changes = ctx.input.report.changes.as_ref();
    let rows: Vec<BTreeMapRow> = changes
        .and_then(|ch| ch.areas.get(crate::analyse::INITIATIVE))
        .map(|a| {
            [("stage.first", "first"), ("stage.second", "second"), ("stage.third", "third")]
                .iter()
                .map(|(label, key)| BTreeMapRow {
                    label: t(label, lang).to_string(),
                    value: points(a.indicators.get(key).copied().flatten(), lang),
                })
                .collect()
        })
        .unwrap_or_default();
    c.insert("changes", &rows);
    let province_changes: Vec<ProvinceChange> = changes
        .map(|ch| {
            pr.provinces
                .values()
                .filter_map(|p| ch.areas.get(&p.code).map(|a| (p, a)))
                .map(|(p, a)| ProvinceChange {
                    name: area_name(p, lang),
                    rank: format!(
                        "{} → {}",
                        a.rank.0.map_or_else(|| "–".into(), |r| count(r as u64, lang)),
                        a.rank.1.map_or_else(|| "–".into(), |r| count(r as u64, lang))
                    ),
                    first: points(a.indicators.get("first").copied().flatten(), lang),
                    appeared: count(a.appeared.len() as u64, lang),
                    resolved: count(a.resolved.len() as u64, lang),
                })
                .collect()
        })
        .unwrap_or_default();
    c.insert("province_changes", &province_changes);
    c.insert(
        "changes_caption",
        &changes
            .map(|ch| fill(t("changes.caption", lang), &[("to", ch.to.to_string()), ("from", ch.from.to_string())]))
            .unwrap_or_default(),
    );
    c
}

#[derive(Serialize)]
struct ProvinceChange {
    name: String,
    rank: String,
    first: String,
    appeared: String,
    resolved: String,
}

#[derive(Serialize)]
struct BTreeMapRow {
    label: String,
    value: String,
}

#[derive(Serialize)]
pub(super) struct ProvinceRow {
    pub(super) href: String,
    pub(super) name: String,
    pub(super) rank: String,
    pub(super) first: String,
    pub(super) second: String,
    pub(super) third: String,
    pub(super) gap_stage: String,
    pub(super) gap_text: String,
    pub(super) execution: String,
}

pub(super) fn province_row(p: &AreaReport, lang: Lang) -> ProvinceRow {
    let (gap_stage, gap_text) = gap_text(p, lang);
    let c = p.cascade.as_ref();
    ProvinceRow {
        href: format!("province/{}.html", p.code),
        name: area_name(p, lang),
        rank: p.rank.map_or_else(String::new, |r| count(r as u64, lang)),
        first: pct(c, Figure::First, lang),
        second: pct(c, Figure::Second, lang),
        third: pct(c, Figure::Third, lang),
        gap_stage,
        gap_text,
        execution: percent(p.budget.as_ref().and_then(|b| b.total.execution), lang),
    }
}

#[derive(Serialize)]
struct CommuneRow {
    href: String,
    name: String,
    plhiv: String,
    plhiv_sort: u64,
    first: String,
    first_sort: String,
    second: String,
    second_sort: String,
    third: String,
    third_sort: String,
    gap1: String,
    gap1_sort: u64,
    gap2: String,
    gap2_sort: u64,
    gap3: String,
    gap3_sort: u64,
}

fn sort_key(r: Option<f64>) -> String {
    r.map_or_else(|| "-1".into(), |v| format!("{v:.6}"))
}

fn commune_row(a: &AreaReport, lang: Lang) -> CommuneRow {
    use crate::analyse::cascade::{Count, Stage};
    let c = a.cascade.as_ref();
    let g = c.map(|c| c.gaps).unwrap_or_default();
    // Sort keys of hidden figures are those of an empty cell: a key must not carry the value.
    let shown = |f: Figure| c.is_some_and(|c| c.figure_shown(f));
    let gap_key = |s: Stage| if shown(Figure::Gap(s)) { g.get(s) } else { 0 };
    CommuneRow {
        href: format!("../commune/{}.html", a.code),
        name: area_name(a, lang),
        plhiv: c.map_or_else(|| count(0, lang), |c| cascade_count(c, Count::Plhiv, lang)),
        plhiv_sort: c.filter(|c| c.shown(Count::Plhiv)).map_or(0, |c| c.counts.plhiv),
        first: pct(c, Figure::First, lang),
        first_sort: sort_key(c.filter(|_| shown(Figure::First)).and_then(|c| c.first)),
        second: pct(c, Figure::Second, lang),
        second_sort: sort_key(c.filter(|_| shown(Figure::Second)).and_then(|c| c.second)),
        third: pct(c, Figure::Third, lang),
        third_sort: sort_key(c.filter(|_| shown(Figure::Third)).and_then(|c| c.third)),
        gap1: c.map_or_else(|| count(0, lang), |c| cascade_gap(c, Stage::Diagnosed, lang)),
        gap1_sort: gap_key(Stage::Diagnosed),
        gap2: c.map_or_else(|| count(0, lang), |c| cascade_gap(c, Stage::OnArt, lang)),
        gap2_sort: gap_key(Stage::OnArt),
        gap3: c.map_or_else(|| count(0, lang), |c| cascade_gap(c, Stage::Suppressed, lang)),
        gap3_sort: gap_key(Stage::Suppressed),
    }
}

/// A percentage of an area's cascade: "*" where hidden, "n/a" where there is no cascade.
pub(super) fn pct(c: Option<&Cascade>, f: Figure, lang: Lang) -> String {
    c.map_or_else(|| percent(None, lang), |c| cascade_percent(c, f, lang))
}

#[derive(Serialize)]
struct TrendRow {
    period: String,
    first: String,
    second: String,
    third: String,
    execution: String,
}

pub fn province(ctx: &Ctx<'_>, code: &str) -> tera::Context {
    let lang = ctx.lang;
    let pr = ctx.pr;
    let a = &pr.provinces[code];
    let name = area_name(a, lang);
    let mut c = base_context(ctx.input, pr, lang, &format!("province/{code}.html"), 2, &name);
    let communes: Vec<&AreaReport> = pr.communes.values().filter(|x| x.code.starts_with(code)).collect();
    c.insert(
        "lead",
        &fill(
            t("lead.province", lang),
            &[
                ("period", pr.period.to_string()),
                ("communes", count(communes.iter().filter(|x| x.cascade.is_some()).count() as u64, lang)),
                ("rank", a.rank.map_or_else(|| "–".into(), |r| count(r as u64, lang))),
                ("of", count(pr.provinces.len() as u64, lang)),
            ],
        ),
    );
    c.insert(
        "charts",
        &a.cascade.as_ref().map(|cas| super::cascade_charts(cas, &format!("p{code}"), lang)).unwrap_or_default(),
    );
    c.insert("cascade", &a.cascade.as_ref().map(|cas| cascade_view(cas, lang)));
    c.insert("bottlenecks", &bottlenecks(a, ctx));
    c.insert("communes", &communes.iter().map(|x| commune_row(x, lang)).collect::<Vec<_>>());
    c.insert("communes_caption", &fill(t("communes.caption", lang), &[("n", count(communes.len() as u64, lang))]));
    let (cats, funds) = a.budget.as_ref().map(|b| budget_rows(b, ctx)).unwrap_or_default();
    c.insert("budget_rows", &cats);
    c.insert("funding_rows", &funds);
    c.insert("budget_chart", &a.budget.as_ref().map(|b| super::budget_chart(b, &format!("b{code}"), lang)));
    c.insert("budget_lead", &budget_lead(ctx));
    let trend: Vec<TrendRow> = ctx
        .input
        .report
        .by_period
        .values()
        .filter_map(|p| p.provinces.get(code).map(|a| (p.period, a)))
        .map(|(p, a)| {
            let cas = a.cascade.as_ref();
            TrendRow {
                period: p.to_string(),
                first: pct(cas, Figure::First, lang),
                second: pct(cas, Figure::Second, lang),
                third: pct(cas, Figure::Third, lang),
                execution: percent(a.budget.as_ref().and_then(|b| b.total.execution), lang),
            }
        })
        .collect();
    c.insert("trend", &trend);
    c.insert("narrative", &ctx.input.narratives.get(code).map(|d| d.html.clone()));
    c.insert("findings", &province_findings(ctx, code));
    c
}

pub fn commune(ctx: &Ctx<'_>, code: &str) -> tera::Context {
    let lang = ctx.lang;
    let pr = ctx.pr;
    let a = &pr.communes[code];
    let name = area_name(a, lang);
    let mut c = base_context(ctx.input, pr, lang, &format!("commune/{code}.html"), 2, &name);
    let district = a.parent.as_ref().and_then(|d| pr.districts.get(d)).map(|d| area_name(d, lang)).unwrap_or_default();
    let province =
        pr.provinces.get(crate::geography::province_of(code)).map(|p| area_name(p, lang)).unwrap_or_default();
    c.insert(
        "lead",
        &fill(
            t("lead.commune", lang),
            &[("period", pr.period.to_string()), ("district", district), ("province", province)],
        ),
    );
    c.insert(
        "charts",
        &a.cascade.as_ref().map(|cas| super::cascade_charts(cas, &format!("c{code}"), lang)).unwrap_or_default(),
    );
    c.insert("cascade", &a.cascade.as_ref().map(|cas| cascade_view(cas, lang)));
    c.insert("bottlenecks", &bottlenecks(a, ctx));
    let cur = &ctx.input.report.rates.reporting;
    let lines: Vec<MoneyRow> = a
        .lines
        .iter()
        .map(|l| {
            money_row(
                format!("{} ({}, {})", l.activity, l.category.as_str(), l.funding_source),
                &l.execution,
                cur,
                10.0,
                lang,
            )
        })
        .collect();
    c.insert("budget_rows", &lines);
    // The findings of this commune's rows, in the order they were found.
    let mut at: Vec<usize> = ctx
        .index
        .rows_of
        .get(code)
        .into_iter()
        .flatten()
        .flat_map(|key| ctx.index.findings_at.get(key).into_iter().flatten().copied())
        .collect();
    at.sort_unstable();
    at.dedup();
    let findings: Vec<FindingView> = at
        .into_iter()
        .map(|i| finding_view(&ctx.input.dataset.findings[i], crate::geography::province_of(code), lang))
        .collect();
    c.insert("findings", &findings);
    c
}

pub fn page(ctx: &Ctx<'_>, slug: &str, doc: &Document) -> tera::Context {
    let title = doc.front.title.clone().unwrap_or_else(|| slug.to_string());
    let mut c = base_context(ctx.input, ctx.pr, ctx.lang, &format!("{slug}.html"), 1, &title);
    c.insert("body", &doc.html);
    c
}

/// The site's root page sends readers to the English overview (and says where, without script).
pub fn root_redirect() -> String {
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ftc</title><meta http-equiv=\"refresh\" content=\"0; url=en/index.html\"></head><body><p><a href=\"en/index.html\">English</a> · <a href=\"km/index.html\" lang=\"km\">ខ្មែរ</a></p></body></html>\n".to_string()
}

#[derive(Serialize)]
struct StatusCell {
    status: &'static str,
    text: String,
}

#[derive(Serialize)]
struct SubmissionRow {
    name: String,
    cells: Vec<StatusCell>,
}

#[derive(Serialize)]
struct Choice {
    code: String,
    name: String,
}

/// Received, late or missing, per province and period, for cascade and budget files.
fn submissions(ctx: &Ctx<'_>, provinces: &[String], periods: &[crate::period::Period]) -> Vec<SubmissionRow> {
    use crate::finding::Rule;
    use crate::ingest::aliases::TableKind;
    let ds = ctx.input.dataset;
    let lang = ctx.lang;
    provinces
        .iter()
        .map(|code| {
            let name = ctx
                .input
                .geography
                .get(code)
                .map_or_else(|| code.clone(), |a| if lang == Lang::Km { a.name_km.clone() } else { a.name_en.clone() });
            let cells = periods
                .iter()
                .map(|period| {
                    let files: Vec<_> = ds
                        .files
                        .iter()
                        .filter(|f| f.province.as_deref() == Some(code) && f.period == Some(*period))
                        .collect();
                    let has = |k: TableKind| files.iter().any(|f| f.tables.iter().any(|t| t.kind == k));
                    let late = ds.findings.iter().any(|f| {
                        f.rule == Rule::LateSubmission
                            && f.message_id == "submission.late"
                            && files.iter().any(|x| x.path == f.location.file)
                    });
                    let status = match (has(TableKind::Cascade), has(TableKind::Budget), late) {
                        (false, false, _) => "missing",
                        (true, true, false) => "received",
                        (_, _, true) => "late",
                        _ => "missing",
                    };
                    let part = |k: TableKind, key: &str| {
                        format!(
                            "{} {}",
                            t(key, lang),
                            t(if has(k) { "status.received" } else { "status.missing" }, lang)
                        )
                    };
                    let text = format!(
                        "{}: {}; {}",
                        t(&format!("status.{status}"), lang),
                        part(TableKind::Cascade, "status.cascade"),
                        part(TableKind::Budget, "status.budget")
                    );
                    StatusCell { status, text }
                })
                .collect();
            SubmissionRow { name, cells }
        })
        .collect()
}

/// The overview of a project with no submissions yet: each expected province and what it has
/// sent (nothing, or one of its two files), and what to do next.
pub fn waiting(ctx: &Ctx<'_>) -> tera::Context {
    let lang = ctx.lang;
    let mut c = base_context(ctx.input, ctx.pr, lang, "index.html", 1, t("title.overview", lang));
    let period = ctx.pr.period;
    let mut provinces: Vec<String> = ctx
        .input
        .dataset
        .findings
        .iter()
        .filter(|f| f.message_id == "submission.missing")
        .filter(|f| f.args.iter().any(|(k, v)| *k == "period" && *v == period.to_string()))
        .filter_map(|f| f.args.iter().find(|(k, _)| *k == "province").map(|(_, v)| v.clone()))
        .collect();
    provinces.sort();
    provinces.dedup();
    c.insert(
        "lead",
        &fill(
            t("lead.waiting", lang),
            &[("period", period.to_string()), ("provinces", count(provinces.len() as u64, lang))],
        ),
    );
    c.insert("period", &period.to_string());
    c.insert("next", &fill(t("waiting.next", lang), &[("period", period.to_string())]));
    let mut rows = submissions(ctx, &provinces, &[period]);
    for (row, code) in rows.iter_mut().zip(&provinces) {
        let sent = ctx.input.dataset.files.iter().any(|f| f.province.as_deref() == Some(code));
        for cell in row.cells.iter_mut().filter(|_| !sent) {
            cell.text = t("status.none_yet", lang).to_string();
        }
    }
    c.insert("submissions", &rows);
    c
}

pub fn quality(ctx: &Ctx<'_>) -> tera::Context {
    let lang = ctx.lang;
    let ds = ctx.input.dataset;
    let mut c = base_context(ctx.input, ctx.pr, lang, "quality.html", 1, t("title.quality", lang));
    c.insert(
        "lead",
        &fill(
            t("quality.lead", lang),
            &[
                ("errors", count(ds.count(Severity::Error) as u64, lang)),
                ("warnings", count(ds.count(Severity::Warning) as u64, lang)),
                ("files", count(ds.files.len() as u64, lang)),
            ],
        ),
    );
    let mut periods: Vec<crate::period::Period> = ctx.input.report.periods.clone();
    if periods.is_empty() {
        periods.push(ctx.pr.period);
    }
    let mut provinces: Vec<String> = ctx.pr.provinces.keys().cloned().collect();
    provinces.extend(
        ds.findings
            .iter()
            .filter(|f| f.message_id == "submission.missing")
            .filter_map(|f| f.args.iter().find(|(k, _)| *k == "province").map(|(_, v)| v.clone())),
    );
    provinces.sort();
    provinces.dedup();
    c.insert("periods", &periods.iter().map(ToString::to_string).collect::<Vec<_>>());
    c.insert("submissions", &submissions(ctx, &provinces, &periods));
    let province_of_file: std::collections::BTreeMap<&str, String> =
        ds.files.iter().map(|f| (f.path.as_str(), f.province.clone().unwrap_or_default())).collect();
    let findings: Vec<FindingView> = ds
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Note)
        .map(|f| finding_view(f, province_of_file.get(f.location.file.as_str()).map_or("", String::as_str), lang))
        .collect();
    let mut rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
    rules.sort();
    rules.dedup();
    c.insert("filter_rules", &rules);
    let choices: Vec<Choice> = provinces
        .iter()
        .map(|p| Choice {
            code: p.clone(),
            name: ctx
                .input
                .geography
                .get(p)
                .map_or_else(|| p.clone(), |a| if lang == Lang::Km { a.name_km.clone() } else { a.name_en.clone() }),
        })
        .collect();
    c.insert("filter_provinces", &choices);
    c.insert("findings", &findings);
    c
}

#[derive(Serialize)]
struct AreaLink {
    href: String,
    name: String,
    other: String,
    communes: Vec<AreaLink>,
}

pub fn search(ctx: &Ctx<'_>) -> tera::Context {
    let lang = ctx.lang;
    let mut c = base_context(ctx.input, ctx.pr, lang, "search.html", 1, t("title.search", lang));
    let other = |a: &AreaReport| if lang == Lang::Km { a.name_en.clone() } else { a.name_km.clone() };
    let areas: Vec<AreaLink> = ctx
        .pr
        .provinces
        .values()
        .map(|p| AreaLink {
            href: format!("province/{}.html", p.code),
            name: area_name(p, lang),
            other: other(p),
            communes: ctx
                .pr
                .communes
                .values()
                .filter(|x| x.code.starts_with(&p.code))
                .map(|x| AreaLink {
                    href: format!("commune/{}.html", x.code),
                    name: area_name(x, lang),
                    other: other(x),
                    communes: Vec::new(),
                })
                .collect(),
        })
        .collect();
    c.insert("areas", &areas);
    c
}

#[derive(Serialize)]
struct IndexEntry<'a> {
    code: &'a str,
    en: &'a str,
    km: &'a str,
    href: String,
}

/// The search index as a script (a `file://` page cannot fetch JSON): every province and
/// commune with its names in both scripts; links relative to a language folder.
pub fn search_index(pr: &PeriodReport) -> String {
    let entries: Vec<IndexEntry<'_>> = pr
        .provinces
        .values()
        .map(|a| IndexEntry {
            code: &a.code,
            en: &a.name_en,
            km: &a.name_km,
            href: format!("province/{}.html", a.code),
        })
        .chain(pr.communes.values().map(|a| IndexEntry {
            code: &a.code,
            en: &a.name_en,
            km: &a.name_km,
            href: format!("commune/{}.html", a.code),
        }))
        .collect();
    let json = serde_json::to_string(&entries).unwrap_or_else(|_| "[]".into());
    // Written into a script: keep `</script>` and U+2028/9 from ever ending or breaking it.
    let json = json.replace('<', "\\u003c").replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029");
    format!("window.FTC_SEARCH = {json};\n")
}

#[derive(Serialize)]
struct ChangeRow {
    period: String,
    area: String,
    figure: String,
    old: String,
    new: String,
}

#[derive(Serialize)]
struct ChangedBottleneck {
    area: String,
    severity: String,
    explanation: String,
}

/// At most this many revised figures on the page; `ftc diff` lists them all.
const MAX_CHANGE_ROWS: usize = 200;

fn diff_figure(column: &str, lang: Lang) -> String {
    let key = match column {
        "plhiv" => "col.plhiv",
        "diagnosed" => "stage.diagnosed",
        "on_art" => "stage.on_art",
        "vl_tested" => "col.vl_tested",
        "vl_suppressed" => "stage.suppressed",
        "first_95" => "stage.first",
        "second_95" => "stage.second",
        "third_95" => "stage.third",
        "approved" => "col.approved",
        "released" => "col.released",
        "spent" => "col.spent",
        "execution" => "col.execution",
        other => return other.to_string(),
    };
    t(key, lang).to_string()
}

fn diff_value(column: &str, v: &str, lang: Lang) -> String {
    if v.is_empty() {
        return "—".into();
    }
    match v.parse::<f64>() {
        Ok(x) if column.ends_with("95") || column == "execution" => percent(Some(x), lang),
        Ok(x) if x >= 0.0 && x.fract() == 0.0 => count(x as u64, lang),
        _ => v.to_string(),
    }
}

fn diff_area(code: &str, name_en: &str, name_km: &str, lang: Lang) -> String {
    let name = if lang == Lang::Km && !name_km.is_empty() { name_km } else { name_en };
    if name.is_empty() { code.to_string() } else { name.to_string() }
}

fn change_rows(list: &[crate::publish::diff::FigureChange], lang: Lang) -> Vec<ChangeRow> {
    list.iter()
        .take(MAX_CHANGE_ROWS)
        .map(|c| {
            let mut figure = diff_figure(&c.column, lang);
            if !c.item.is_empty() {
                figure = format!("{} · {figure}", c.item);
            }
            ChangeRow {
                period: c.period.clone(),
                area: diff_area(&c.code, &c.name_en, &c.name_km, lang),
                figure,
                old: diff_value(&c.column, &c.old, lang),
                new: diff_value(&c.column, &c.new, lang),
            }
        })
        .collect()
}

/// The edition's "what changed" page: against the edition that was newest when it was built.
pub fn changes(ctx: &Ctx<'_>) -> tera::Context {
    let lang = ctx.lang;
    let mut c = base_context(ctx.input, ctx.pr, lang, "changes.html", 1, t("title.changes", lang));
    let Some(d) = &ctx.input.changes else {
        c.insert("first", &true);
        return c;
    };
    c.insert("first", &false);
    c.insert("lead", &fill(t("changes.lead", lang), &[("from", d.from.clone()), ("to", d.to.clone())]));
    c.insert("reason", &ctx.input.reason);
    c.insert("nothing", &d.is_empty());
    let periods = (d.from_period.clone().unwrap_or_default(), d.to_period.clone().unwrap_or_default());
    c.insert("movement_title", &fill(t("changes.movement", lang), &[("from", periods.0), ("to", periods.1)]));
    c.insert("movement", &change_rows(&d.movement, lang));
    c.insert("figures", &change_rows(&d.figures, lang));
    c.insert(
        "figures_more",
        &d.figures
            .len()
            .checked_sub(MAX_CHANGE_ROWS)
            .filter(|n| *n > 0)
            .map(|n| fill(t("changes.more", lang), &[("n", count(n as u64, lang))])),
    );
    let rows = |list: &[crate::publish::diff::RowCount], key: &str| -> Vec<String> {
        list.iter()
            .map(|r| {
                fill(
                    t(key, lang),
                    &[
                        ("table", t(&format!("changes.table.{}", r.table), lang).to_string()),
                        ("period", r.period.clone()),
                        ("n", count(r.rows as u64, lang)),
                    ],
                )
            })
            .collect()
    };
    c.insert("rows_added", &rows(&d.rows_added, "changes.rows_added"));
    c.insert("rows_removed", &rows(&d.rows_removed, "changes.rows_removed"));
    let bn = |list: &[crate::publish::diff::BottleneckRow]| -> Vec<ChangedBottleneck> {
        list.iter()
            .map(|b| ChangedBottleneck {
                area: diff_area(&b.code, &b.name_en, &b.name_km, lang),
                severity: t(&format!("severity.{}", b.severity), lang).to_string(),
                explanation: if lang == Lang::Km && !b.explanation_km.is_empty() {
                    b.explanation_km.clone()
                } else {
                    b.explanation_en.clone()
                },
            })
            .collect()
    };
    c.insert("bottlenecks_new", &bn(&d.bottlenecks_new));
    c.insert("bottlenecks_gone", &bn(&d.bottlenecks_gone));
    c.insert("findings_new", &d.findings_new);
    c.insert("findings_fixed", &d.findings_fixed);
    c
}

//! Render stage: [`Report`](crate::analyse::Report) → the site, an in-memory map of path to
//! bytes (`site::render_site`). Built so far: formatting in both languages, the UI string
//! table, SVG cascade charts, Markdown pages, and the overview, province and commune pages.

pub mod brief;
pub mod charts;
pub mod downloads;
pub mod format;
pub mod i18n;
pub mod markdown;
pub mod site;
pub mod versions;
pub mod view;
pub mod xlsx;

use crate::analyse::cascade::Cascade;
use charts::{Bar, BarChart, bar_chart};
use format::{Lang, count, percent, percent_whole};
use i18n::{fill, t};

/// The two cascade charts of an area: as shares of all PLHIV (with the 95 / 90.25 / 85.7
/// targets), and step by step (the three 95s against their targets).
pub fn cascade_charts(c: &Cascade, id: &str, lang: Lang) -> [String; 2] {
    if c.hidden.any() {
        // A bar drawn to scale is a number: say why there is none instead.
        let note = format!(
            "<p class=\"chart-suppressed\">{}</p>",
            fill(t("chart.suppressed", lang), &[("threshold", count(c.hidden.threshold, lang))])
        );
        return [note, String::new()];
    }
    let of = c.targets.of_plhiv();
    let cond = c.targets.conditional();
    let n = &c.counts;
    let pw = |x: f64| percent_whole(Some(x), lang);
    let args = vec![
        ("plhiv", count(n.plhiv, lang)),
        ("diagnosed", count(n.diagnosed, lang)),
        ("on_art", count(n.on_art, lang)),
        ("suppressed", count(n.vl_suppressed, lang)),
        ("p1", percent(c.diagnosed_of_plhiv, lang)),
        ("p2", percent(c.on_art_of_plhiv, lang)),
        ("p3", percent(c.suppressed_of_plhiv, lang)),
        ("t1", percent(Some(of[0]), lang)),
        ("t2", percent(Some(of[1]), lang)),
        ("t3", percent(Some(of[2]), lang)),
    ];
    let of_plhiv = BarChart {
        title: format!("{} — {}", t("cascade.title", lang), t("cascade.of_plhiv", lang)),
        description: fill(t("chart.desc.of_plhiv", lang), &args),
        target_label: t("chart.target", lang).to_string(),
        bars: vec![
            Bar { label: t("stage.diagnosed", lang).into(), value: c.diagnosed_of_plhiv, target: Some(of[0]) },
            Bar { label: t("stage.on_art", lang).into(), value: c.on_art_of_plhiv, target: Some(of[1]) },
            Bar { label: t("stage.suppressed", lang).into(), value: c.suppressed_of_plhiv, target: Some(of[2]) },
        ],
    };
    let cargs = vec![
        ("p1", percent(c.first, lang)),
        ("p2", percent(c.second, lang)),
        ("p3", percent(c.third, lang)),
        ("t1", pw(cond[0])),
        ("t2", pw(cond[1])),
        ("t3", pw(cond[2])),
    ];
    let conditional = BarChart {
        title: format!("{} — {}", t("cascade.title", lang), t("cascade.conditional", lang)),
        description: fill(t("chart.desc.conditional", lang), &cargs),
        target_label: t("chart.target", lang).to_string(),
        bars: vec![
            Bar { label: t("stage.first", lang).into(), value: c.first, target: Some(cond[0]) },
            Bar { label: t("stage.second", lang).into(), value: c.second, target: Some(cond[1]) },
            Bar { label: t("stage.third", lang).into(), value: c.third, target: Some(cond[2]) },
        ],
    };
    [bar_chart(&of_plhiv, &format!("{id}-all"), lang), bar_chart(&conditional, &format!("{id}-95"), lang)]
}

/// Budget execution by category against the execution expected by now (the marker).
pub fn budget_chart(b: &crate::analyse::budget::Budget, id: &str, lang: Lang) -> String {
    let expected = b.total.expected;
    let chart = BarChart {
        title: t("chart.budget.title", lang).to_string(),
        description: fill(
            t("chart.budget.desc", lang),
            &[
                ("expected", percent(Some(expected), lang)),
                (
                    "items",
                    b.by_category
                        .iter()
                        .map(|(k, e)| {
                            format!("{} {}", t(&format!("category.{}", k.as_str()), lang), percent(e.execution, lang))
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            ],
        ),
        target_label: t("chart.budget.marker", lang).to_string(),
        bars: b
            .by_category
            .iter()
            .map(|(k, e)| Bar {
                label: t(&format!("category.{}", k.as_str()), lang).to_string(),
                value: e.execution,
                target: Some(expected),
            })
            .collect(),
    };
    bar_chart(&chart, id, lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyse::cascade::{Counts, TargetBp};

    #[test]
    fn charts_carry_the_figures_and_a_text_alternative() {
        // PLHIV 1000, diagnosed 880 (88.0 % of PLHIV), on ART 860 (86.0 %), suppressed 680 (68.0 %).
        let counts = Counts {
            plhiv: 1000,
            diagnosed: 880,
            on_art: 860,
            vl_suppressed: 680,
            vl_tested: 700,
            vl_reported_on_art: 860,
            vl_reported_suppressed: 680,
            rows: 1,
        };
        let c = Cascade::new(counts, TargetBp { first: 9500, second: 9500, third: 9500 });
        let [all, steps] = cascade_charts(&c, "p02", Lang::En);
        assert!(all.contains("Of 1,000 people living with HIV: 880 know their status (88.0%, target 95.0%)"), "{all}");
        assert!(all.contains(">88.0%<") && all.contains(">86.0%<") && all.contains(">68.0%<"));
        // Second 95 = 860/880 = 97.7 %; third = 680/860 = 79.1 %.
        assert!(steps.contains(">97.7%<") && steps.contains(">79.1%<"), "{steps}");
        let [km, _] = cascade_charts(&c, "p02", Lang::Km);
        assert!(km.contains("កំពុងព្យាបាលដោយឱសថ ARV") && km.contains(">៨៨,០%<"));
    }
}

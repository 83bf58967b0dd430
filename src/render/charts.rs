//! Render: charts as inline SVG, generated here rather than drawn by a script: labelled with
//! values, a `<title>` and `<desc>` for screen readers, target markers drawn as dashed lines
//! with their own labels, and fills that differ in lightness and pattern so they read in
//! grayscale and in print. Every text that enters the SVG is escaped.

use super::format::{Fixed, Lang, percent, percent_whole};
use std::fmt::Write as _;

/// One bar: its label, its value (a share, 0..1; `None` draws no bar and says so), and the
/// target to mark (a share).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub target: Option<f64>,
}

/// A horizontal bar chart of shares against targets.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: String,
    /// The text alternative: what the chart shows, in a sentence or two.
    pub description: String,
    pub target_label: String,
    pub bars: Vec<Bar>,
}

/// Escape text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

const WIDTH: f64 = 640.0;
const LABEL_W: f64 = 250.0;
const BAR_H: f64 = 30.0;
const GAP: f64 = 14.0;
const TOP: f64 = 12.0;
const PLOT_W: f64 = WIDTH - LABEL_W - 90.0;

/// Draw the chart. `id` makes the title/desc ids unique on a page with several charts.
pub fn bar_chart(chart: &BarChart, id: &str, lang: Lang) -> String {
    let height = TOP + chart.bars.len() as f64 * (BAR_H + GAP) + 52.0;
    let id = escape(id);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {WIDTH} {}" width="100%" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        Fixed::<0>(height),
        escape(&chart.title),
        escape(&chart.description)
    );
    let _ = write!(
        s,
        r##"<defs><pattern id="{id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#d9d9d9"/><line x1="0" y1="0" x2="0" y2="6" stroke="#595959" stroke-width="2"/></pattern></defs>"##
    );
    for (i, bar) in chart.bars.iter().enumerate() {
        draw_bar(&mut s, bar, i, &id, lang);
    }
    // The 0 % and 100 % axis ends.
    let axis_y = TOP + chart.bars.len() as f64 * (BAR_H + GAP);
    let _ = write!(
        s,
        r##"<line x1="{LABEL_W}" y1="{TOP}" x2="{LABEL_W}" y2="{}" stroke="#1a1a1a"/><text x="{LABEL_W}" y="{}" font-size="15" text-anchor="middle">{}</text><text x="{}" y="{}" font-size="15" text-anchor="middle">{}</text>"##,
        Fixed::<1>(axis_y),
        Fixed::<1>(axis_y + 19.0),
        escape(&percent_whole(Some(0.0), lang)),
        Fixed::<1>(LABEL_W + PLOT_W),
        Fixed::<1>(axis_y + 19.0),
        escape(&percent_whole(Some(1.0), lang))
    );
    // The legend has a line of its own, so it never meets the axis labels.
    let _ = write!(
        s,
        r##"<line x1="{LABEL_W}" y1="{}" x2="{LABEL_W}" y2="{}" stroke="#b00020" stroke-width="2.5" stroke-dasharray="4 3"/><text x="{}" y="{}" font-size="15">{}</text>"##,
        Fixed::<1>(axis_y + 30.0),
        Fixed::<1>(axis_y + 46.0),
        Fixed::<1>(LABEL_W + 8.0),
        Fixed::<1>(axis_y + 43.0),
        escape(&chart.target_label)
    );
    s.push_str("</svg>");
    s
}

fn draw_bar(s: &mut String, bar: &Bar, i: usize, id: &str, lang: Lang) {
    let y = TOP + i as f64 * (BAR_H + GAP);
    let mid = Fixed::<1>(y + BAR_H / 2.0 + 6.0);
    let _ = write!(
        s,
        r#"<text x="{}" y="{mid}" font-size="17" text-anchor="end">{}</text>"#,
        Fixed::<1>(LABEL_W - 8.0),
        escape(&bar.label)
    );
    let Some(v) = bar.value.filter(|v| v.is_finite()) else {
        let _ = write!(
            s,
            r##"<text x="{}" y="{mid}" font-size="17" fill="#1a1a1a">{}</text>"##,
            Fixed::<1>(LABEL_W + 6.0),
            escape(&percent(None, lang))
        );
        return;
    };
    let w = v.clamp(0.0, 1.0) * PLOT_W;
    // Below target: hatched (readable without colour); at or above: solid dark.
    let below = bar.target.is_some_and(|t| v < t);
    let fill = if below { format!("url(#{id}-hatch)") } else { "#2b5d8a".to_string() };
    let _ = write!(
        s,
        r##"<rect x="{LABEL_W}" y="{}" width="{}" height="{BAR_H}" fill="{fill}" stroke="#1a1a1a" stroke-width="0.5"/>"##,
        Fixed::<1>(y),
        Fixed::<1>(w)
    );
    // The value sits after the bar or the target marker, whichever ends later.
    let marker = bar.target.filter(|t| t.is_finite()).map(|t| t.clamp(0.0, 1.0) * PLOT_W);
    let label_x = LABEL_W + w.max(marker.unwrap_or(0.0)) + 8.0;
    let _ = write!(
        s,
        r#"<text x="{}" y="{mid}" font-size="17" font-weight="bold">{}</text>"#,
        Fixed::<1>(label_x),
        escape(&percent(Some(v), lang))
    );
    if let Some(m) = marker {
        let x = Fixed::<1>(LABEL_W + m);
        let _ = write!(
            s,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#b00020" stroke-width="2.5" stroke-dasharray="4 3"/>"##,
            Fixed::<1>(y - 3.0),
            Fixed::<1>(y + BAR_H + 3.0)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> BarChart {
        BarChart {
            title: "Cascade <Battambang> & co".into(),
            description: "Diagnosed 91.6% against 95%".into(),
            target_label: "target".into(),
            bars: vec![
                Bar { label: "Diagnosed".into(), value: Some(0.916), target: Some(0.95) },
                Bar { label: "On ART".into(), value: Some(0.987), target: Some(0.95) },
                Bar { label: "Suppressed".into(), value: None, target: Some(0.95) },
            ],
        }
    }

    #[test]
    fn labelled_escaped_and_deterministic() {
        let svg = bar_chart(&chart(), "c1", Lang::En);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"aria-labelledby="c1-t c1-d""#));
        assert!(svg.contains("<title id=\"c1-t\">Cascade &lt;Battambang&gt; &amp; co</title>"));
        assert!(svg.contains(">91.6%<") && svg.contains(">98.7%<") && svg.contains(">n/a<"));
        // Below target is hatched, above is solid; every target has a marker.
        assert_eq!(svg.matches("url(#c1-hatch)").count(), 1);
        assert_eq!(svg.matches("stroke-dasharray").count(), 3, "two markers (none without a bar) and the legend's");
        assert_eq!(svg, bar_chart(&chart(), "c1", Lang::En));
    }

    #[test]
    fn khmer_digits_in_labels() {
        let svg = bar_chart(&chart(), "c2", Lang::Km);
        assert!(svg.contains(">៩១,៦%<"), "{svg}");
        assert!(svg.contains(">មិនអាចគណនាបាន<"));
    }

    #[test]
    fn script_in_a_label_is_text() {
        let mut c = chart();
        c.bars[0].label = "<script>alert(1)</script>\"onload=\"x".into();
        let svg = bar_chart(&c, "x\"><script>", Lang::En);
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("\"onload"));
    }
}

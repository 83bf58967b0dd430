//! Render: charts as inline SVG, generated here rather than drawn by a script: labelled with
//! values, a `<title>` and `<desc>` for screen readers, target markers drawn as dashed lines
//! with their own labels, and fills that differ in lightness and pattern so they read in
//! grayscale and in print. Every text that enters the SVG is escaped.

use super::format::{Fixed, Lang, percent, percent_whole};

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
    escape_into(&mut out, s);
    out
}

/// [`escape`], appended to `out`.
fn escape_into(out: &mut String, s: &str) {
    // Most labels and figures need nothing escaped: copied whole, not char by char.
    if !s.bytes().any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | 0..0x20)) {
        out.push_str(s);
        return;
    }
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
}

const WIDTH: f64 = 640.0;
const LABEL_W: f64 = 250.0;
const BAR_H: f64 = 30.0;
const GAP: f64 = 14.0;
const TOP: f64 = 12.0;
const PLOT_W: f64 = WIDTH - LABEL_W - 90.0;

/// The pieces of an SVG appended one after another: text as written (markup, or what
/// [`escape`] made), and numbers to one decimal. A chart is a few hundred of them on every
/// commune page, and `write!` spent more on its machinery (arguments, padding checks) than on
/// the text: a fifth of rendering a page went to its two charts.
enum Piece<'a> {
    Text(&'a str),
    /// Text that is escaped as it is appended.
    Escaped(&'a str),
    /// A whole number (the layout's constants).
    Whole(f64),
    /// One decimal, as [`Fixed`] writes it.
    Dec(f64),
}

fn put(s: &mut String, pieces: &[Piece<'_>]) {
    for p in pieces {
        match p {
            Piece::Text(t) => s.push_str(t),
            Piece::Escaped(t) => escape_into(s, t),
            Piece::Whole(x) => Fixed::<0>(*x).push_to(s),
            Piece::Dec(x) => Fixed::<1>(*x).push_to(s),
        }
    }
}

use Piece::{Dec, Escaped, Text, Whole};

/// Draw the chart. `id` makes the title/desc ids unique on a page with several charts.
pub fn bar_chart(chart: &BarChart, id: &str, lang: Lang) -> String {
    let height = TOP + chart.bars.len() as f64 * (BAR_H + GAP) + 52.0;
    let id = &escape(id);
    let mut s = String::with_capacity(2048 + 512 * chart.bars.len());
    let height = Fixed::<0>(height).to_string();
    put(
        &mut s,
        &[
            Text(r#"<svg class="chart" role="img" aria-labelledby=""#),
            Text(id),
            Text("-t "),
            Text(id),
            Text(r#"-d" viewBox="0 0 "#),
            Whole(WIDTH),
            Text(" "),
            Text(&height),
            Text(r#"" width="100%" xmlns="http://www.w3.org/2000/svg"><title id=""#),
            Text(id),
            Text(r#"-t">"#),
            Escaped(&chart.title),
            Text(r#"</title><desc id=""#),
            Text(id),
            Text(r#"-d">"#),
            Escaped(&chart.description),
            Text(r#"</desc><defs><pattern id=""#),
            Text(id),
            Text(
                r##"-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#d9d9d9"/><line x1="0" y1="0" x2="0" y2="6" stroke="#595959" stroke-width="2"/></pattern></defs>"##,
            ),
        ],
    );
    for (i, bar) in chart.bars.iter().enumerate() {
        draw_bar(&mut s, bar, i, id, lang);
    }
    // The 0 % and 100 % axis ends.
    let axis_y = TOP + chart.bars.len() as f64 * (BAR_H + GAP);
    put(
        &mut s,
        &[
            Text(r##"<line x1=""##),
            Whole(LABEL_W),
            Text(r##"" y1=""##),
            Whole(TOP),
            Text(r##"" x2=""##),
            Whole(LABEL_W),
            Text(r##"" y2=""##),
            Dec(axis_y),
            Text(r##"" stroke="#1a1a1a"/><text x=""##),
            Whole(LABEL_W),
            Text(r#"" y=""#),
            Dec(axis_y + 19.0),
            Text(r#"" font-size="15" text-anchor="middle">"#),
            Escaped(&percent_whole(Some(0.0), lang)),
            Text(r#"</text><text x=""#),
            Dec(LABEL_W + PLOT_W),
            Text(r#"" y=""#),
            Dec(axis_y + 19.0),
            Text(r#"" font-size="15" text-anchor="middle">"#),
            Escaped(&percent_whole(Some(1.0), lang)),
            Text("</text>"),
        ],
    );
    // The legend has a line of its own, so it never meets the axis labels.
    put(
        &mut s,
        &[
            Text(r#"<line x1=""#),
            Whole(LABEL_W),
            Text(r#"" y1=""#),
            Dec(axis_y + 30.0),
            Text(r#"" x2=""#),
            Whole(LABEL_W),
            Text(r#"" y2=""#),
            Dec(axis_y + 46.0),
            Text(r##"" stroke="#b00020" stroke-width="2.5" stroke-dasharray="4 3"/><text x=""##),
            Dec(LABEL_W + 8.0),
            Text(r#"" y=""#),
            Dec(axis_y + 43.0),
            Text(r#"" font-size="15">"#),
            Escaped(&chart.target_label),
            Text("</text></svg>"),
        ],
    );
    s
}

fn draw_bar(s: &mut String, bar: &Bar, i: usize, id: &str, lang: Lang) {
    let y = TOP + i as f64 * (BAR_H + GAP);
    let mid = y + BAR_H / 2.0 + 6.0;
    put(
        s,
        &[
            Text(r#"<text x=""#),
            Dec(LABEL_W - 8.0),
            Text(r#"" y=""#),
            Dec(mid),
            Text(r#"" font-size="17" text-anchor="end">"#),
            Escaped(&bar.label),
            Text("</text>"),
        ],
    );
    let Some(v) = bar.value.filter(|v| v.is_finite()) else {
        put(
            s,
            &[
                Text(r#"<text x=""#),
                Dec(LABEL_W + 6.0),
                Text(r#"" y=""#),
                Dec(mid),
                Text(r##"" font-size="17" fill="#1a1a1a">"##),
                Escaped(&percent(None, lang)),
                Text("</text>"),
            ],
        );
        return;
    };
    let w = v.clamp(0.0, 1.0) * PLOT_W;
    // Below target: hatched (readable without colour); at or above: solid dark.
    let below = bar.target.is_some_and(|t| v < t);
    let fill: &[Piece<'_>] = if below { &[Text("url(#"), Text(id), Text("-hatch)")] } else { &[Text("#2b5d8a")] };
    put(
        s,
        &[
            Text(r#"<rect x=""#),
            Whole(LABEL_W),
            Text(r#"" y=""#),
            Dec(y),
            Text(r#"" width=""#),
            Dec(w),
            Text(r#"" height=""#),
            Whole(BAR_H),
            Text(r#"" fill=""#),
        ],
    );
    put(s, fill);
    put(s, &[Text(r##"" stroke="#1a1a1a" stroke-width="0.5"/>"##)]);
    // The value sits after the bar or the target marker, whichever ends later.
    let marker = bar.target.filter(|t| t.is_finite()).map(|t| t.clamp(0.0, 1.0) * PLOT_W);
    let label_x = LABEL_W + w.max(marker.unwrap_or(0.0)) + 8.0;
    put(
        s,
        &[
            Text(r#"<text x=""#),
            Dec(label_x),
            Text(r#"" y=""#),
            Dec(mid),
            Text(r#"" font-size="17" font-weight="bold">"#),
            Escaped(&percent(Some(v), lang)),
            Text("</text>"),
        ],
    );
    if let Some(m) = marker {
        let x = LABEL_W + m;
        put(
            s,
            &[
                Text(r#"<line x1=""#),
                Dec(x),
                Text(r#"" y1=""#),
                Dec(y - 3.0),
                Text(r#"" x2=""#),
                Dec(x),
                Text(r#"" y2=""#),
                Dec(y + BAR_H + 3.0),
                Text(r##"" stroke="#b00020" stroke-width="2.5" stroke-dasharray="4 3"/>"##),
            ],
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
    fn the_numbers_written_into_the_markup_are_the_constants() {
        // The layout's constants are whole numbers, written as such (`Piece::Whole`).
        assert_eq!([WIDTH, LABEL_W, TOP, BAR_H].map(|x| x.to_string()), ["640", "250", "12", "30"]);
    }

    #[test]
    fn escape_copies_plain_text_whole_and_escapes_the_rest() {
        let cases = [
            ("Know their status", "Know their status"),
            ("៩១,៦%", "៩១,៦%"),
            ("", ""),
            ("a & b", "a &amp; b"),
            ("<b>\"x\" 'y'</b>", "&lt;b&gt;&quot;x&quot; &#39;y&#39;&lt;/b&gt;"),
            ("line\nnext\ttab", "line\nnext\ttab"),
            ("bell\u{7}gone\rtoo", "bellgonetoo"),
            ("ខ្មែរ & ថវិកា", "ខ្មែរ &amp; ថវិកា"),
        ];
        for (text, want) in cases {
            assert_eq!(escape(text), want, "{text:?}");
        }
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

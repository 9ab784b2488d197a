//! Charts drawn on the server as SVG: legible in Chinese, no script, numbers also in tables.

/// Escapes text for SVG.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A horizontal bar chart: one bar per (label, value, value as shown), the longest bar for the
/// largest value.
pub fn horizontal_bars(title: &str, bars: &[(String, i64, String)]) -> String {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0);
    horizontal_bars_to(title, bars, max)
}

/// A horizontal bar chart whose full width stands for `full` (e.g. 100% for rates).
pub fn horizontal_bars_to(title: &str, bars: &[(String, i64, String)], full: i64) -> String {
    bars_with_mark(title, bars, full, None)
}

/// Bars against a mark (e.g. execution rates against time progress): a dashed vertical line at
/// `mark`, and bars short of it drawn in amber.
pub fn bars_against_mark(
    title: &str,
    bars: &[(String, i64, String)],
    full: i64,
    mark: i64,
) -> String {
    bars_with_mark(title, bars, full, Some(mark))
}

fn bars_with_mark(
    title: &str,
    bars: &[(String, i64, String)],
    full: i64,
    mark: Option<i64>,
) -> String {
    const LABEL_WIDTH: i64 = 230;
    const BAR_WIDTH: i64 = 560;
    const ROW: i64 = 26;
    let max = full.max(1);
    let height = 40 + ROW * i64::try_from(bars.len()).unwrap_or(0);
    let mut svg = format!(
        "<svg class=\"bar-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {height}\" \
         role=\"img\" aria-label=\"{}\"><text x=\"0\" y=\"18\" font-weight=\"bold\">{}</text>",
        LABEL_WIDTH + BAR_WIDTH + 120,
        escape(title),
        escape(title)
    );
    for (i, (label, value, shown)) in bars.iter().enumerate() {
        let y = 34 + ROW * i64::try_from(i).unwrap_or(0);
        let width = (BAR_WIDTH * value.clamp(&0, &max) / max).max(i64::from(*value > 0));
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{}\" y=\"{}\" width=\"{width}\" height=\"16\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            LABEL_WIDTH - 8,
            y + 13,
            escape(label),
            LABEL_WIDTH,
            y,
            if mark.is_some_and(|m| *value < m) {
                "#b7791f"
            } else {
                "#9b1c1c"
            },
            LABEL_WIDTH + width + 6,
            y + 13,
            escape(shown)
        ));
    }
    if let Some(mark) = mark {
        let x = LABEL_WIDTH + BAR_WIDTH * mark.clamp(0, max) / max;
        svg.push_str(&format!(
            "<line x1=\"{x}\" y1=\"26\" x2=\"{x}\" y2=\"{}\" stroke=\"#1f2937\" \
             stroke-dasharray=\"4 3\"/>",
            height - 4
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A series of a line chart.
pub struct Series {
    /// Name in the legend.
    pub name: String,
    /// Stroke colour.
    pub color: &'static str,
    /// Dashed line (e.g. a reference such as time progress).
    pub dashed: bool,
    /// One value per x label.
    pub values: Vec<i64>,
}

/// A line chart: x labels along the bottom, values from 0 to `full` up the side with grid lines
/// at quarters labelled by `tick`, a dot and the value as shown (`shown`) at each series' last
/// point, and a legend.
pub fn lines(
    title: &str,
    x_labels: &[String],
    series: &[Series],
    full: i64,
    tick: impl Fn(i64) -> String,
    shown: impl Fn(i64) -> String,
) -> String {
    const LEFT: i64 = 70;
    const TOP: i64 = 56;
    const WIDTH: i64 = 720;
    const HEIGHT: i64 = 240;
    let full = full.max(1);
    let points = i64::try_from(x_labels.len()).unwrap_or(0);
    let step = if points > 1 { WIDTH / (points - 1) } else { 0 };
    let x_of = |i: usize| LEFT + step * i64::try_from(i).unwrap_or(0);
    let y_of = |v: i64| TOP + HEIGHT - HEIGHT * v.clamp(0, full) / full;
    let mut svg = format!(
        "<svg class=\"line-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" \
         role=\"img\" aria-label=\"{}\"><text x=\"0\" y=\"18\" font-weight=\"bold\">{}</text>",
        LEFT + WIDTH + 110,
        TOP + HEIGHT + 34,
        escape(title),
        escape(title)
    );
    let mut legend_x = LEFT;
    for s in series {
        svg.push_str(&format!(
            "<line x1=\"{legend_x}\" y1=\"36\" x2=\"{}\" y2=\"36\" stroke=\"{}\" \
             stroke-width=\"3\"{}/><text x=\"{}\" y=\"41\">{}</text>",
            legend_x + 24,
            s.color,
            if s.dashed {
                " stroke-dasharray=\"6 4\""
            } else {
                ""
            },
            legend_x + 30,
            escape(&s.name)
        ));
        legend_x += 40 + 16 * i64::try_from(s.name.chars().count()).unwrap_or(0);
    }
    for quarter in 0..=4 {
        let value = full * quarter / 4;
        let y = y_of(value);
        svg.push_str(&format!(
            "<line x1=\"{LEFT}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#d1d5db\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LEFT + WIDTH,
            LEFT - 8,
            y + 5,
            escape(&tick(value))
        ));
    }
    for (i, label) in x_labels.iter().enumerate() {
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x_of(i),
            TOP + HEIGHT + 24,
            escape(label)
        ));
    }
    let mut label_ys: Vec<i64> = Vec::new();
    for s in series {
        let path: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{},{}", x_of(i), y_of(*v)))
            .collect();
        svg.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"3\"{} points=\"{}\"/>",
            s.color,
            if s.dashed {
                " stroke-dasharray=\"6 4\""
            } else {
                ""
            },
            path.join(" ")
        ));
        if let Some((i, last)) = s.values.iter().enumerate().next_back() {
            // End labels of different series kept apart.
            let mut label_y = y_of(*last) + 5;
            while label_ys.iter().any(|y| (y - label_y).abs() < 15) {
                label_y += 15;
            }
            label_ys.push(label_y);
            svg.push_str(&format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\"/>\
                 <text x=\"{}\" y=\"{}\">{}</text>",
                x_of(i),
                y_of(*last),
                s.color,
                x_of(i) + 8,
                label_y,
                escape(&shown(*last))
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A slice of a donut chart.
pub struct Slice {
    /// Label in the legend.
    pub label: String,
    /// Value (a count, or money in fen).
    pub value: i64,
    /// The value as shown in the legend.
    pub shown: String,
    /// Fill colour.
    pub color: &'static str,
}

/// A donut chart: slices in proportion around a ring, the total (`centre`) in the middle and a
/// legend with each slice's label, value and share.
pub fn donut(title: &str, slices: &[Slice], centre: &str) -> String {
    const R: i64 = 56;
    const CX: i64 = 76;
    const CY: i64 = 110;
    let total: i64 = slices.iter().map(|s| s.value.max(0)).sum();
    let mut svg = format!(
        "<svg class=\"donut-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 360 {}\" \
         role=\"img\" aria-label=\"{}\"><text x=\"0\" y=\"18\" font-weight=\"bold\">{}</text>\
         <circle cx=\"{CX}\" cy=\"{CY}\" r=\"{R}\" fill=\"none\" stroke=\"#e5e7eb\" \
         stroke-width=\"26\"/>",
        (60 + 36 * i64::try_from(slices.len()).unwrap_or(0)).max(190),
        escape(title),
        escape(title)
    );
    // Shares in hundredths of a percent, so the ring closes exactly.
    let mut start: i64 = 0;
    let drawn: Vec<&Slice> = slices.iter().filter(|s| s.value > 0).collect();
    for (i, slice) in drawn.iter().enumerate() {
        let length = if i + 1 == drawn.len() {
            10_000 - start
        } else {
            slice.value * 10_000 / total
        };
        svg.push_str(&format!(
            "<circle cx=\"{CX}\" cy=\"{CY}\" r=\"{R}\" fill=\"none\" stroke=\"{}\" \
             stroke-width=\"26\" pathLength=\"10000\" stroke-dasharray=\"{length} {}\" \
             stroke-dashoffset=\"{}\" transform=\"rotate(-90 {CX} {CY})\"/>",
            slice.color,
            10_000 - length,
            -start
        ));
        start += length;
    }
    svg.push_str(&format!(
        "<text x=\"{CX}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>",
        CY + 5,
        escape(centre)
    ));
    for (i, slice) in slices.iter().enumerate() {
        let y = 44 + 36 * i64::try_from(i).unwrap_or(0);
        let share = if total > 0 {
            jixiao_core::ledger::format_rate(slice.value.max(0) * 10_000 / total)
        } else {
            "—".to_owned()
        };
        svg.push_str(&format!(
            "<rect x=\"156\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"174\" y=\"{}\">{} {}</text>\
             <text x=\"174\" y=\"{}\" class=\"share\">占 {}</text>",
            slice.color,
            y + 11,
            escape(&slice.label),
            escape(&slice.shown),
            y + 25,
            share
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_labels_are_escaped() {
        let svg = horizontal_bars(
            "批复金额",
            &[
                ("<财政局>".to_owned(), 100, "1.00".to_owned()),
                ("民政局".to_owned(), 50, "0.50".to_owned()),
            ],
        );
        assert!(svg.contains("width=\"560\""));
        assert!(svg.contains("width=\"280\""));
        assert!(svg.contains("&lt;财政局&gt;"));
        assert!(!svg.contains("<财政局>"));
    }

    #[test]
    fn a_mark_is_drawn_and_bars_short_of_it_stand_out() {
        let svg = bars_against_mark(
            "执行率",
            &[
                ("甲".to_owned(), 1_000, "10.00%".to_owned()),
                ("乙".to_owned(), 6_000, "60.00%".to_owned()),
            ],
            10_000,
            5_000,
        );
        assert!(
            svg.contains("<line x1=\"510\""),
            "half of 560 after the labels"
        );
        assert_eq!(svg.matches("#b7791f").count(), 1);
    }

    #[test]
    fn a_donut_closes_its_ring_and_shows_shares() {
        let slice = |label: &str, value, color| Slice {
            label: label.to_owned(),
            value,
            shown: format!("{value} 个"),
            color,
        };
        let svg = donut(
            "等级",
            &[
                slice("优", 1, "#1"),
                slice("良", 1, "#2"),
                slice("中", 1, "#3"),
                slice("差", 0, "#4"),
            ],
            "3 个",
        );
        // Thirds: 3333 + 3333 + the rest, so the ring closes.
        assert!(svg.contains("stroke-dasharray=\"3333 6667\" stroke-dashoffset=\"0\""));
        assert!(svg.contains("stroke-dasharray=\"3334 6666\" stroke-dashoffset=\"-6666\""));
        assert!(
            !svg.contains("stroke=\"#4\""),
            "an empty slice draws nothing"
        );
        assert!(svg.contains("差 0 个") && svg.contains("占 33.33%"));
    }

    #[test]
    fn lines_scale_to_full_and_keep_end_labels_apart() {
        let svg = lines(
            "执行",
            &["1月".to_owned(), "2月".to_owned()],
            &[
                Series {
                    name: "时间进度".to_owned(),
                    color: "#a",
                    dashed: true,
                    values: vec![0, 5_000],
                },
                Series {
                    name: "执行率".to_owned(),
                    color: "#b",
                    dashed: false,
                    values: vec![0, 4_990],
                },
            ],
            10_000,
            |v| format!("{}%", v / 100),
            |v| format!("{v}"),
        );
        // 240 high from y = 56: half is 176; the second label moves down below the first.
        assert!(svg.contains("points=\"70,296 790,176\""));
        assert!(svg.contains("y=\"181\">5000</text>"));
        assert!(svg.contains("y=\"197\">4990</text>"));
        assert!(svg.contains(">100%</text>") && svg.contains("stroke-dasharray=\"6 4\""));
    }
}

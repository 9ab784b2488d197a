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
}

//! Charts as inline SVG, drawn on the server: line and bar charts with axes, gridlines and
//! value labels, scaled by `viewBox` so they fit a phone and a wall screen alike. Pure
//! functions of their data (unit-tested); the page gives each a text alternative and a table.
//!
//! A value the page must not show (a count under 5) is `None`: no mark is drawn for it, and its
//! label says "<5".

use std::fmt::Write;

// A narrow canvas with large type, so a phone (375 px) shows the labels at a readable size.
const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 250.0;
const LEFT: f64 = 50.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 58.0;
/// Axis and label text size.
const SMALL: f64 = 13.0;
/// How many x labels at most.
const X_LABELS: usize = 6;

/// Dark blue: 9.4:1 on white.
pub const BLUE: &str = "#1f4e79";
/// Burnt orange: 4.6:1 on white.
pub const ORANGE: &str = "#a14a00";
/// Dark red, for targets: 8.7:1 on white.
pub const RED: &str = "#8b1a1a";
/// Gridlines.
const GRID: &str = "#d9d9d9";
/// Text: 17:1 on white.
const INK: &str = "#1a1a1a";
/// Axis and label grey: 7:1 on white.
const GREY: &str = "#4d4d4d";

/// Escapes text for HTML and SVG.
pub fn escape(text: &str) -> String {
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

/// A chart's accessible name and description.
#[derive(Debug, Clone)]
pub struct Labels<'a> {
    /// The element id prefix (unique on the page).
    pub id: &'a str,
    /// The title (the accessible name).
    pub title: &'a str,
    /// The text alternative: what the chart shows, in a sentence or two.
    pub description: &'a str,
}

/// A line of a line chart.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// Its name in the legend.
    pub name: &'a str,
    /// Its colour.
    pub colour: &'a str,
    /// One value per x label; `None` leaves a gap.
    pub values: Vec<Option<f64>>,
    /// Drawn dashed (a projection).
    pub dashed: bool,
}

/// A horizontal reference line.
#[derive(Debug, Clone)]
pub struct Rule<'a> {
    /// Its height.
    pub value: f64,
    /// Its label.
    pub label: &'a str,
}

fn open(out: &mut String, labels: &Labels<'_>) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>"#,
        id = escape(labels.id),
        title = escape(labels.title),
        desc = escape(labels.description),
    );
}

fn plot_height() -> f64 {
    HEIGHT - TOP - BOTTOM
}

fn y_of(value: f64, max: f64) -> f64 {
    let max = if max > 0.0 { max } else { 1.0 };
    TOP + plot_height() * (1.0 - (value / max).clamp(0.0, 1.0))
}

/// A round upper bound for the axis, whose quarters (the gridlines) are round too.
pub fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    for step in [1.0, 1.2, 1.6, 2.0, 2.4, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if max <= step * magnitude {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

/// [`nice_max`] for counts: the gridlines fall on whole numbers.
pub fn nice_count_max(max: f64) -> f64 {
    let mut bound = nice_max(max.max(4.0));
    while (bound / 4.0).fract() != 0.0 {
        bound = nice_max(bound * 1.01);
    }
    bound
}

/// Gridlines and y-axis labels at fifths of `max`.
fn grid(out: &mut String, max: f64, format: &dyn Fn(f64) -> String) {
    for k in 0..=4 {
        let value = max * f64::from(k) / 4.0;
        let y = y_of(value, max);
        let _ = write!(
            out,
            r#"<line x1="{LEFT}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" stroke="{GRID}" stroke-width="1"/><text x="{tx}" y="{ty:.1}" text-anchor="end" font-size="{SMALL}" fill="{GREY}">{label}</text>"#,
            x2 = WIDTH - RIGHT,
            tx = LEFT - 6.0,
            ty = y + 4.0,
            label = escape(&format(value)),
        );
    }
}

/// X labels, thinned to at most [`X_LABELS`].
fn x_labels(out: &mut String, labels: &[String], x: &dyn Fn(usize) -> f64) {
    let every = labels.len().div_ceil(X_LABELS).max(1);
    for (i, label) in labels.iter().enumerate() {
        if i % every != 0 {
            continue;
        }
        // A long label of several words takes two lines.
        let (first, second) = match label
            .char_indices()
            .filter(|(_, c)| *c == ' ')
            .map(|(k, _)| k)
            .min_by_key(|k| k.abs_diff(label.len() / 2))
        {
            Some(k) if label.len() > 10 => (&label[..k], &label[k + 1..]),
            _ => (label.as_str(), ""),
        };
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{y}" text-anchor="middle" font-size="{SMALL}" fill="{GREY}">{first}"#,
            x = x(i),
            y = HEIGHT - BOTTOM + 16.0,
            first = escape(first)
        );
        if !second.is_empty() {
            let _ = write!(
                out,
                r#"<tspan x="{x:.1}" dy="15">{second}</tspan>"#,
                x = x(i),
                second = escape(second)
            );
        }
        out.push_str("</text>");
    }
}

fn legend(out: &mut String, items: &[(&str, &str, bool)]) {
    let mut x = LEFT;
    for (name, colour, dashed) in items {
        let dash = if *dashed {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<line x1="{x}" x2="{x2}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="3"{dash}/><text x="{tx}" y="{ty}" font-size="{SMALL}" fill="{INK}">{name}</text>"#,
            x2 = x + 18.0,
            y = HEIGHT - 10.0,
            tx = x + 24.0,
            ty = HEIGHT - 6.0,
            name = escape(name),
        );
        x += 40.0 + 7.0 * name.len() as f64;
    }
}

/// A line chart over `labels`, with optional reference rules (a target) and a vertical marker
/// at a fractional x position (a deadline).
pub fn line_chart(
    labels: &Labels<'_>,
    x_names: &[String],
    lines: &[Line<'_>],
    rules: &[Rule<'_>],
    marker: Option<(f64, &str)>,
    max: f64,
    format: &dyn Fn(f64) -> String,
) -> String {
    let mut out = String::new();
    open(&mut out, labels);
    grid(&mut out, max, format);
    let n = x_names.len().max(2);
    let x = |i: f64| LEFT + (WIDTH - LEFT - RIGHT) * i / (n - 1) as f64;
    x_labels(&mut out, x_names, &|i| x(i as f64));
    for rule in rules {
        let y = y_of(rule.value, max);
        let _ = write!(
            out,
            r#"<line x1="{LEFT}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" stroke="{RED}" stroke-width="2" stroke-dasharray="2 3"/><text x="{tx}" y="{ty:.1}" text-anchor="end" font-size="{SMALL}" fill="{RED}">{label}</text>"#,
            x2 = WIDTH - RIGHT,
            tx = WIDTH - RIGHT - 2.0,
            ty = y - 5.0,
            label = escape(rule.label),
        );
    }
    if let Some((at, label)) = marker {
        let mx = x(at);
        let _ = write!(
            out,
            r#"<line x1="{mx:.1}" x2="{mx:.1}" y1="{TOP}" y2="{y2}" stroke="{RED}" stroke-width="1.5"/><text x="{tx:.1}" y="{ty}" text-anchor="end" font-size="{SMALL}" fill="{RED}">{label}</text>"#,
            y2 = HEIGHT - BOTTOM,
            tx = mx - 4.0,
            ty = HEIGHT - BOTTOM - 6.0,
            label = escape(label),
        );
    }
    for line in lines {
        let mut path = String::new();
        let mut pen_down = false;
        for (i, value) in line.values.iter().enumerate() {
            match value {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i as f64),
                        y_of(*v, max)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if path.is_empty() {
            continue;
        }
        let dash = if line.dashed {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<path class="mark" d="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-linejoin="round"{dash}/>"#,
            path.trim_end(),
            line.colour
        );
    }
    let items: Vec<(&str, &str, bool)> =
        lines.iter().map(|l| (l.name, l.colour, l.dashed)).collect();
    legend(&mut out, &items);
    out.push_str("</svg>");
    out
}

/// A group of bars: its name, colour and one value per category (`None`: suppressed).
#[derive(Debug, Clone)]
pub struct Bars<'a> {
    /// Its name in the legend.
    pub name: &'a str,
    /// Its colour.
    pub colour: &'a str,
    /// One value per category.
    pub values: Vec<Option<f64>>,
    /// The label over each bar.
    pub labels: Vec<String>,
}

/// Vertical bars, one group per entry of `groups` side by side in each category.
pub fn bar_chart(
    labels: &Labels<'_>,
    categories: &[String],
    groups: &[Bars<'_>],
    max: f64,
    format: &dyn Fn(f64) -> String,
) -> String {
    let mut out = String::new();
    open(&mut out, labels);
    grid(&mut out, max, format);
    let slot = (WIDTH - LEFT - RIGHT) / categories.len().max(1) as f64;
    let gap = (slot * 0.2).min(24.0);
    let bar = (slot - gap) / groups.len().max(1) as f64;
    let x = |i: usize| LEFT + slot * i as f64 + slot / 2.0;
    x_labels(&mut out, categories, &x);
    let show_labels = categories.len() * groups.len() <= 16;
    for (g, group) in groups.iter().enumerate() {
        for (i, value) in group.values.iter().enumerate() {
            let left = LEFT + slot * i as f64 + gap / 2.0 + bar * g as f64;
            if let Some(v) = value {
                let y = y_of(*v, max);
                let _ = write!(
                    out,
                    r#"<rect class="mark" x="{left:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{colour}"><title>{tip}</title></rect>"#,
                    w = (bar - 1.0).max(1.0),
                    h = (HEIGHT - BOTTOM - y).max(0.0),
                    colour = group.colour,
                    tip = escape(&format!(
                        "{}: {}",
                        categories.get(i).map_or("", String::as_str),
                        group.labels.get(i).map_or("", String::as_str)
                    )),
                );
            }
            if show_labels || value.is_none() {
                let y = value.map_or(HEIGHT - BOTTOM, |v| y_of(v, max)) - 4.0;
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{y:.1}" text-anchor="middle" font-size="11" fill="{INK}">{}</text>"#,
                    left + bar / 2.0,
                    escape(group.labels.get(i).map_or("", String::as_str))
                );
            }
        }
    }
    if groups.len() > 1 {
        let items: Vec<(&str, &str, bool)> =
            groups.iter().map(|g| (g.name, g.colour, false)).collect();
        legend(&mut out, &items);
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Labels<'static> {
        Labels {
            id: "t",
            title: "Calls <per> month",
            description: "A test & more",
        }
    }

    #[test]
    fn text_is_escaped_everywhere() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let svg = bar_chart(&labels(), &["a<b".into()], &[], 10.0, &|v| v.to_string());
        assert!(svg.contains("Calls &lt;per&gt; month"));
        assert!(svg.contains("A test &amp; more"));
        assert!(svg.contains("a&lt;b"));
        assert!(!svg.contains("a<b"));
    }

    #[test]
    fn a_bar_is_drawn_for_each_shown_value_and_none_for_a_suppressed_one() {
        let svg = bar_chart(
            &labels(),
            &["Jan".into(), "Feb".into(), "Mar".into()],
            &[Bars {
                name: "calls",
                colour: BLUE,
                values: vec![Some(10.0), None, Some(5.0)],
                labels: vec!["10".into(), "<5".into(), "5".into()],
            }],
            10.0,
            &|v| v.to_string(),
        );
        assert_eq!(svg.matches(r#"<rect class="mark""#).count(), 2);
        assert!(svg.contains(">&lt;5</text>"));
        // The full bar reaches the top of the plot; half of it half way.
        assert!(svg.contains(&format!(r#"y="{TOP:.1}""#)));
        assert!(svg.contains(&format!(r#"y="{:.1}""#, TOP + plot_height() / 2.0)));
    }

    #[test]
    fn a_line_breaks_at_a_gap_and_rules_and_markers_are_labelled() {
        let svg = line_chart(
            &labels(),
            &["a".into(), "b".into(), "c".into(), "d".into()],
            &[Line {
                name: "share",
                colour: BLUE,
                values: vec![Some(0.1), None, Some(0.2), Some(0.3)],
                dashed: false,
            }],
            &[Rule {
                value: 0.2,
                label: "target 20%",
            }],
            Some((3.0, "deadline")),
            0.4,
            &|v| format!("{:.0}%", v * 100.0),
        );
        let path = svg
            .split(r#"class="mark" d=""#)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("");
        assert_eq!(path.matches('M').count(), 2, "{path}");
        assert!(svg.contains("target 20%") && svg.contains("deadline"));
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"t-title\">"));
    }

    #[test]
    fn axis_bounds_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 8.0);
        assert_eq!(nice_max(130.0), 160.0);
        assert_eq!(nice_max(0.21), 0.24);
        assert_eq!(nice_max(2500.0), 3000.0);
        assert_eq!(nice_count_max(30.0), 40.0);
        assert_eq!(nice_count_max(45.0), 60.0);
        assert_eq!(nice_count_max(2.0), 4.0);
        assert_eq!(nice_count_max(110.0), 120.0);
    }
}

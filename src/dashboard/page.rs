//! The page: semantic HTML with the styles inline, one `<figure>` per chart with its SVG (a
//! title and a description for screen readers) and the same numbers as a table. Counts under 5
//! are shown as "<5", and a rate whose count is under 5 is not shown at all.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};

use super::figures::{Figures, WINDOW_DAYS};
use super::sections;
use super::svg::escape;

/// The smallest count a public page shows.
pub const SMALLEST_SHOWN: i64 = 5;

/// A count as shown: "<5" below [`SMALLEST_SHOWN`].
pub fn count(n: i64) -> String {
    if n < SMALLEST_SHOWN {
        "<5".to_owned()
    } else {
        n.to_string()
    }
}

/// A rate, or `None` when its count or the rest of the whole is under [`SMALLEST_SHOWN`]: the
/// rate beside the total (shown, or in the table) would give either away.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (part >= SMALLEST_SHOWN && whole - part >= SMALLEST_SHOWN).then(|| part as f64 / whole as f64)
}

/// The two parts of a whole that is shown: both as counts, or, when either is under
/// [`SMALLEST_SHOWN`], the small one as "<5" and the other withheld (the whole minus the one
/// would give the other away).
pub fn parts(one: i64, other: i64) -> (String, String) {
    match (one < SMALLEST_SHOWN, other < SMALLEST_SHOWN) {
        (false, false) => (count(one), count(other)),
        (true, true) => (count(one), count(other)),
        (true, false) => (count(one), "withheld".to_owned()),
        (false, true) => ("withheld".to_owned(), count(other)),
    }
}

pub(super) fn percent(value: f64) -> String {
    let text = format!("{:.1}", value * 100.0);
    format!("{}%", text.strip_suffix(".0").unwrap_or(&text))
}

/// A rate as shown: "withheld" when [`rate`] withheld it.
pub(super) fn shown(value: Option<f64>) -> String {
    value.map_or_else(|| "withheld".to_owned(), percent)
}

pub(super) fn month_name(day: NaiveDate) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{} {}", NAMES[day.month0() as usize], day.year() % 100)
}

/// A figure: heading, lead sentence, chart and the data table.
pub(super) struct Figure<'a> {
    /// The element id.
    pub id: &'a str,
    /// The heading (also the caption).
    pub heading: &'a str,
    /// The lead sentence, escaped.
    pub lead: String,
    /// The chart (SVG).
    pub chart: String,
    /// The table's column names.
    pub columns: &'a [&'a str],
    /// The table's rows; the first cell heads its row.
    pub rows: Vec<Vec<String>>,
}

pub(super) fn figure(out: &mut String, f: &Figure<'_>) {
    let _ = write!(
        out,
        r#"<section aria-labelledby="{id}-h"><h2 id="{id}-h">{heading}</h2><p>{lead}</p><figure id="{id}">{chart}<figcaption>{heading}</figcaption></figure><details><summary>Data table: {heading}</summary><div class="scroll"><table><caption>{heading}</caption><thead><tr>"#,
        id = f.id,
        heading = escape(f.heading),
        lead = f.lead,
        chart = f.chart,
    );
    for column in f.columns {
        let _ = write!(out, r#"<th scope="col">{}</th>"#, escape(column));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &f.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, r#"<th scope="row">{}</th>"#, escape(cell));
            } else {
                let _ = write!(out, "<td>{}</td>", escape(cell));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></details></section>");
}

const STYLE: &str = "
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;background:#fff}
header,main,footer{max-width:62rem;margin:0 auto;padding:0 1rem}
header{border-bottom:4px solid #1f4e79;padding-top:1rem;padding-bottom:.5rem}
h1{font-size:1.6rem;margin:.2rem 0}
h2{font-size:1.25rem;margin:2rem 0 .3rem;color:#1f4e79}
.as-of{color:#4d4d4d;margin:0}
.headline{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.75rem;padding:0;list-style:none}
.headline li{border:1px solid #c8c8c8;border-radius:.4rem;padding:.6rem .8rem}
.headline strong{display:block;font-size:1.6rem;color:#1f4e79}
figure{margin:.5rem 0}
svg.chart{width:100%;max-width:40rem;height:auto;display:block}
figcaption{position:absolute;left:-9999px}
details{margin:.3rem 0 1rem}
summary{cursor:pointer;color:#1f4e79;text-decoration:underline}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;text-align:right}
th[scope=row],thead th{text-align:left;background:#f2f2f2}
a{color:#1f4e79}
a:focus,summary:focus{outline:3px solid #a14a00;outline-offset:2px}
footer{border-top:1px solid #c8c8c8;margin-top:2rem;padding-top:.5rem;padding-bottom:2rem;color:#4d4d4d;font-size:.9rem}
";

/// Renders the page.
pub fn render(f: &Figures) -> String {
    let mut body = String::new();
    let as_of = f.as_of;

    // Headline numbers.
    let mut headline = Vec::new();
    if let Some((goal, progress)) = &f.goal {
        headline.push((
            shown(rate(
                i64::from(progress.certified),
                i64::from(progress.population),
            )),
            format!(
                "of officers and designated staff CIT-certified ({} of {}); target {} by {}",
                count(i64::from(progress.certified)),
                count(i64::from(progress.population)),
                percent(goal.target_share),
                goal.deadline.format("%-d %B %Y")
            ),
        ));
    }
    let window_calls = f.outcomes.with_cit.calls + f.outcomes.without_cit.calls;
    headline.push((
        count(window_calls),
        format!("mental-health calls in the last {WINDOW_DAYS} days"),
    ));
    headline.push((
        shown(rate(f.outcomes.with_cit.calls, window_calls)),
        "of them with a CIT-certified responder on scene".to_owned(),
    ));
    headline.push((
        shown(rate(f.repeats.repeat_subjects, f.repeats.subjects)),
        "of people in crisis called on twice or more in a year".to_owned(),
    ));
    body.push_str(r#"<ul class="headline">"#);
    for (figure, text) in &headline {
        let _ = write!(
            body,
            "<li><strong>{}</strong>{}</li>",
            escape(figure),
            escape(text)
        );
    }
    body.push_str("</ul>");

    sections::goal(&mut body, f);
    sections::calls(&mut body, f);
    sections::outcomes(&mut body, f);
    sections::repeats(&mut body, f);
    sections::referrals(&mut body, f);

    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>Crisis Intervention Team: public dashboard</title><meta name="description" content="How the city's Crisis Intervention Team programme is doing: training, calls, outcomes and follow-up care, in aggregate."><style>{STYLE}</style></head>
<body><header><h1>Crisis Intervention Team programme</h1><p class="as-of">Public performance dashboard, figures as of {as_of_long}. Aggregates only; counts under 5 are shown as “&lt;5”, and a rate that would reveal one is withheld.</p></header>
<main>{body}</main>
<footer><p>Looking for help? See the <a href="/hsds/services">community partner directory</a> (Open Referral HSDS; also as <a href="/api/v1/partners">JSON</a>). Developers: <a href="/swagger-ui/">API documentation</a> and the <a href="/api-docs/openapi.json">OpenAPI document</a>.</p><p>Figures are refreshed every minute from the programme's system of record. Counts below 5 are suppressed to protect privacy.</p></footer>
</body></html>
"#,
        as_of_long = as_of.format("%-d %B %Y"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_suppressed() {
        assert_eq!(count(0), "<5");
        assert_eq!(count(4), "<5");
        assert_eq!(count(5), "5");
        assert_eq!(rate(4, 100), None);
        assert_eq!(rate(5, 100), Some(0.05));
        assert_eq!(rate(5, 0), None);
        // 96 of 100 would tell that 4 were not.
        assert_eq!(rate(96, 100), None);
        assert_eq!(rate(95, 100), Some(0.95));
        assert_eq!(parts(3, 200), ("<5".to_owned(), "withheld".to_owned()));
        assert_eq!(parts(200, 7), ("200".to_owned(), "7".to_owned()));
        assert_eq!(shown(None), "withheld");
    }

    #[test]
    fn percentages_read_naturally() {
        assert_eq!(percent(0.2), "20%");
        assert_eq!(percent(0.173), "17.3%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.456), "45.6%");
        assert_eq!(percent(1.0), "100%");
    }
}

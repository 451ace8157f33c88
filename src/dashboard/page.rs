//! The page: semantic HTML with the styles inline, one `<figure>` per chart with its SVG (a
//! title and a description for screen readers) and the same numbers as a table. Counts under 5
//! are shown as "<5", and a rate whose count is under 5 is not shown at all.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};

use crate::goals::progress::TREND_POINTS;

use super::figures::{Figures, HIGH_UTILISER, WINDOW_DAYS};
use super::svg::{self, BLUE, Bars, Labels, Line, ORANGE, Rule, escape, nice_max};

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

/// A rate, or `None` when its count is under [`SMALLEST_SHOWN`] (the rate and the total
/// together would give the count away).
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (part >= SMALLEST_SHOWN && whole > 0).then(|| part as f64 / whole as f64)
}

fn percent(value: f64) -> String {
    let text = format!("{:.1}", value * 100.0);
    format!("{}%", text.strip_suffix(".0").unwrap_or(&text))
}

fn shown(value: Option<f64>) -> String {
    value.map_or_else(|| "<5".to_owned(), percent)
}

fn month_name(day: NaiveDate) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{} {}", NAMES[day.month0() as usize], day.year() % 100)
}

/// A figure: heading, lead sentence, chart and the data table.
struct Figure<'a> {
    id: &'a str,
    heading: &'a str,
    lead: String,
    chart: String,
    columns: &'a [&'a str],
    rows: Vec<Vec<String>>,
}

fn figure(out: &mut String, f: &Figure<'_>) {
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
#[allow(clippy::too_many_lines)]
pub fn render(f: &Figures) -> String {
    let mut body = String::new();
    let as_of = f.as_of;

    // Headline numbers.
    let mut headline = Vec::new();
    if let Some((goal, progress)) = &f.goal {
        headline.push((
            percent(progress.share),
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

    // 1. The goal.
    if let Some((goal, progress)) = &f.goal {
        let months = crate::dates::month_ends(goal.start_date, goal.deadline);
        let names: Vec<String> = months.iter().map(|d| month_name(*d)).collect();
        let mut actual: Vec<Option<f64>> = vec![None; months.len()];
        let mut last = None;
        for point in &progress.series {
            if let Some(i) = months
                .iter()
                .position(|m| m.year() == point.date.year() && m.month() == point.date.month())
            {
                actual[i] = Some(point.share);
                last = Some((i, point.share));
            }
        }
        let mut projection: Vec<Option<f64>> = vec![None; months.len()];
        if let Some((i, share)) = last
            && i + 1 < months.len()
        {
            // A straight line from the latest share to the projected one at the deadline.
            let end = months.len() - 1;
            for (k, slot) in projection.iter_mut().enumerate().skip(i) {
                let t = (k - i) as f64 / (end - i) as f64;
                *slot = Some(share + t * (progress.projected_share_at_deadline - share));
            }
        }
        let max = nice_max(
            progress.series.iter().map(|p| p.share).fold(
                goal.target_share.max(progress.projected_share_at_deadline),
                f64::max,
            ) * 1.15,
        );
        let target = format!("target {}", percent(goal.target_share));
        let description = format!(
            "Share of officers and designated staff CIT-certified at the end of each month since {}: {} on {}. The target is {} by {}; at the pace of the last {} months the share would reach {} by then{}.",
            goal.start_date.format("%B %Y"),
            percent(progress.share),
            as_of.format("%-d %B %Y"),
            percent(goal.target_share),
            goal.deadline.format("%-d %B %Y"),
            TREND_POINTS,
            percent(progress.projected_share_at_deadline),
            if progress.on_track {
                ", on track"
            } else {
                ", short of the target"
            }
        );
        let chart = svg::line_chart(
            &Labels {
                id: "goal-chart",
                title: &goal.name,
                description: &description,
            },
            &names,
            &[
                Line {
                    name: "certified share",
                    colour: BLUE,
                    values: actual,
                    dashed: false,
                },
                Line {
                    name: "projection",
                    colour: ORANGE,
                    values: projection,
                    dashed: true,
                },
            ],
            &[Rule {
                value: goal.target_share,
                label: &target,
            }],
            Some(((months.len().max(1) - 1) as f64, "deadline")),
            max,
            &percent,
        );
        figure(
            &mut body,
            &Figure {
                id: "goal",
                heading: "Progress towards the certification goal",
                lead: escape(&description),
                chart,
                columns: &["Month end", "Certified", "Staff counted", "Share"],
                rows: progress
                    .series
                    .iter()
                    .map(|p| {
                        vec![
                            p.date.to_string(),
                            count(i64::from(p.certified)),
                            count(i64::from(p.population)),
                            if p.certified < 5 {
                                "<5".to_owned()
                            } else {
                                percent(p.share)
                            },
                        ]
                    })
                    .collect(),
            },
        );

        // 2. Coverage per shift.
        let shifts: Vec<String> = progress.by_shift.iter().map(|s| s.shift.clone()).collect();
        let description = format!(
            "CIT-certified staff and all staff the goal counts, on each shift on {}: {}. The Memphis model asks for CIT officers on every shift.",
            as_of.format("%-d %B %Y"),
            progress
                .by_shift
                .iter()
                .map(|s| format!(
                    "{}: {} of {} ({})",
                    s.shift,
                    count(i64::from(s.certified)),
                    count(i64::from(s.population)),
                    shown(rate(i64::from(s.certified), i64::from(s.population)))
                ))
                .collect::<Vec<_>>()
                .join("; ")
        );
        let counted = |n: u32| (i64::from(n) >= SMALLEST_SHOWN).then_some(f64::from(n));
        let chart = svg::bar_chart(
            &Labels {
                id: "shift-chart",
                title: "Certified staff per shift",
                description: &description,
            },
            &shifts,
            &[
                Bars {
                    name: "certified",
                    colour: BLUE,
                    labels: progress
                        .by_shift
                        .iter()
                        .map(|s| count(i64::from(s.certified)))
                        .collect(),
                    values: progress
                        .by_shift
                        .iter()
                        .map(|s| counted(s.certified))
                        .collect(),
                },
                Bars {
                    name: "staff counted",
                    colour: ORANGE,
                    labels: progress
                        .by_shift
                        .iter()
                        .map(|s| count(i64::from(s.population)))
                        .collect(),
                    values: progress
                        .by_shift
                        .iter()
                        .map(|s| counted(s.population))
                        .collect(),
                },
            ],
            svg::nice_count_max(
                progress
                    .by_shift
                    .iter()
                    .map(|s| f64::from(s.population))
                    .fold(1.0, f64::max)
                    * 1.1,
            ),
            &|v| format!("{v:.0}"),
        );
        figure(
            &mut body,
            &Figure {
                id: "shifts",
                heading: "Certified staff per shift",
                lead: escape(&description),
                chart,
                columns: &["Shift", "Certified", "Staff counted", "Share"],
                rows: progress
                    .by_shift
                    .iter()
                    .map(|s| {
                        vec![
                            s.shift.clone(),
                            count(i64::from(s.certified)),
                            count(i64::from(s.population)),
                            shown(rate(i64::from(s.certified), i64::from(s.population))),
                        ]
                    })
                    .collect(),
            },
        );
    } else {
        body.push_str("<section><h2>Progress towards the certification goal</h2><p>No goal has been set yet.</p></section>");
    }

    // 3. Mental-health calls per month.
    let periods = &f.calls.periods;
    let months: Vec<String> = periods.iter().map(|p| month_name(p.period)).collect();
    let volumes: Vec<Option<f64>> = periods
        .iter()
        .map(|p| (p.mental_health_calls >= SMALLEST_SHOWN).then_some(p.mental_health_calls as f64))
        .collect();
    let busiest = periods
        .iter()
        .map(|p| p.mental_health_calls)
        .max()
        .unwrap_or(0);
    let description = format!(
        "Mental-health calls for service each month from {} to {}: {} in all, {} in the busiest month.",
        periods
            .first()
            .map_or_else(String::new, |p| p.period.format("%B %Y").to_string()),
        periods
            .last()
            .map_or_else(String::new, |p| p.period.format("%B %Y").to_string()),
        count(f.calls.total.mental_health_calls),
        count(busiest)
    );
    let chart = svg::bar_chart(
        &Labels {
            id: "calls-chart",
            title: "Mental-health calls per month",
            description: &description,
        },
        &months,
        &[Bars {
            name: "mental-health calls",
            colour: BLUE,
            labels: periods
                .iter()
                .map(|p| count(p.mental_health_calls))
                .collect(),
            values: volumes,
        }],
        svg::nice_count_max(busiest as f64 * 1.1),
        &|v| format!("{v:.0}"),
    );
    figure(
        &mut body,
        &Figure {
            id: "calls",
            heading: "Mental-health calls per month",
            lead: escape(&description),
            chart,
            columns: &[
                "Month",
                "All calls",
                "Mental-health calls",
                "With CIT on scene",
                "Share with CIT",
            ],
            rows: periods
                .iter()
                .map(|p| {
                    vec![
                        p.period.format("%Y-%m").to_string(),
                        count(p.calls),
                        count(p.mental_health_calls),
                        count(p.cit_on_scene),
                        shown(rate(p.cit_on_scene, p.mental_health_calls)),
                    ]
                })
                .collect(),
        },
    );

    // 4. Share with a CIT responder on scene.
    let shares: Vec<Option<f64>> = periods
        .iter()
        .map(|p| rate(p.cit_on_scene, p.mental_health_calls))
        .collect();
    let description = format!(
        "Share of mental-health calls with a CIT-certified responder on scene, each month: {} over the whole period.",
        shown(rate(
            f.calls.total.cit_on_scene,
            f.calls.total.mental_health_calls
        ))
    );
    let chart = svg::line_chart(
        &Labels {
            id: "cit-chart",
            title: "Share of mental-health calls with a CIT responder on scene",
            description: &description,
        },
        &months,
        &[Line {
            name: "with a CIT responder",
            colour: BLUE,
            values: shares,
            dashed: false,
        }],
        &[],
        None,
        1.0,
        &percent,
    );
    figure(
        &mut body,
        &Figure {
            id: "cit-on-scene",
            heading: "Calls with a CIT responder on scene",
            lead: escape(&description),
            chart,
            columns: &["Month", "Mental-health calls", "With CIT on scene", "Share"],
            rows: periods
                .iter()
                .map(|p| {
                    vec![
                        p.period.format("%Y-%m").to_string(),
                        count(p.mental_health_calls),
                        count(p.cit_on_scene),
                        shown(rate(p.cit_on_scene, p.mental_health_calls)),
                    ]
                })
                .collect(),
        },
    );

    // 5. Outcomes with and without CIT.
    let (with, without) = (&f.outcomes.with_cit, &f.outcomes.without_cit);
    let measures: [(&str, i64, i64); 6] = [
        ("Arrest", with.arrests, without.arrests),
        ("Use of force", with.uses_of_force, without.uses_of_force),
        (
            "Subject injured",
            with.subject_injuries,
            without.subject_injuries,
        ),
        (
            "Officer injured",
            with.officer_injuries,
            without.officer_injuries,
        ),
        ("ER transport", with.er_transports, without.er_transports),
        (
            "Involuntary petition",
            with.involuntary_petitions,
            without.involuntary_petitions,
        ),
    ];
    let with_rates: Vec<Option<f64>> = measures
        .iter()
        .map(|(_, w, _)| rate(*w, with.calls))
        .collect();
    let without_rates: Vec<Option<f64>> = measures
        .iter()
        .map(|(_, _, o)| rate(*o, without.calls))
        .collect();
    let description = format!(
        "Outcomes of mental-health calls over the last {WINDOW_DAYS} days, as a share of calls: with a CIT responder on scene ({} calls) and without ({} calls). Arrests: {} with CIT, {} without; use of force: {} with, {} without.",
        count(with.calls),
        count(without.calls),
        shown(with_rates[0]),
        shown(without_rates[0]),
        shown(with_rates[1]),
        shown(without_rates[1])
    );
    let max = nice_max(
        with_rates
            .iter()
            .chain(&without_rates)
            .flatten()
            .fold(0.05_f64, |a, b| a.max(*b))
            * 1.15,
    );
    let chart = svg::bar_chart(
        &Labels {
            id: "outcomes-chart",
            title: "Outcomes with and without a CIT responder",
            description: &description,
        },
        &measures
            .iter()
            .map(|(name, _, _)| (*name).to_owned())
            .collect::<Vec<_>>(),
        &[
            Bars {
                name: "with CIT",
                colour: BLUE,
                labels: with_rates.iter().map(|r| shown(*r)).collect(),
                values: with_rates.clone(),
            },
            Bars {
                name: "without CIT",
                colour: ORANGE,
                labels: without_rates.iter().map(|r| shown(*r)).collect(),
                values: without_rates.clone(),
            },
        ],
        max,
        &percent,
    );
    figure(
        &mut body,
        &Figure {
            id: "outcomes",
            heading: "Outcomes with and without a CIT responder",
            lead: escape(&description),
            chart,
            columns: &[
                "Outcome",
                "With CIT: calls",
                "With CIT: share",
                "Without CIT: calls",
                "Without CIT: share",
            ],
            rows: measures
                .iter()
                .map(|(name, w, o)| {
                    vec![
                        (*name).to_owned(),
                        count(*w),
                        shown(rate(*w, with.calls)),
                        count(*o),
                        shown(rate(*o, without.calls)),
                    ]
                })
                .collect(),
        },
    );

    // 6. Repeat calls and engagement.
    let r = &f.repeats;
    let ba = &r.before_after;
    let enough = ba.engaged_subjects >= SMALLEST_SHOWN;
    let before = (enough && ba.calls_before >= SMALLEST_SHOWN).then_some(ba.mean_calls_before);
    let after = (enough && ba.calls_after >= SMALLEST_SHOWN).then_some(ba.mean_calls_after);
    let mean = |m: Option<f64>| m.map_or_else(|| "<5 calls".to_owned(), |m| format!("{m:.2}"));
    let description = format!(
        "Over the last {WINDOW_DAYS} days, {} people in crisis were the subject of a call; {} of them ({}) were called on twice or more, and {} {HIGH_UTILISER} times or more. The {} people who engaged with a referral had {} mental-health calls each on average in the year before engaging and {} in the year after.",
        count(r.subjects),
        count(r.repeat_subjects),
        shown(rate(r.repeat_subjects, r.subjects)),
        count(r.high_utilisers),
        count(ba.engaged_subjects),
        mean(before),
        mean(after)
    );
    let chart = svg::bar_chart(
        &Labels {
            id: "repeat-chart",
            title: "Calls per person before and after engaging with care",
            description: &description,
        },
        &[
            "Year before engaging".to_owned(),
            "Year after engaging".to_owned(),
        ],
        &[Bars {
            name: "mean calls per person",
            colour: BLUE,
            labels: vec![mean(before), mean(after)],
            values: vec![before, after],
        }],
        nice_max(before.unwrap_or(0.0).max(after.unwrap_or(0.0)).max(0.5) * 1.15),
        &|v| format!("{v:.1}"),
    );
    figure(
        &mut body,
        &Figure {
            id: "repeat-calls",
            heading: "Repeat calls and engagement with care",
            lead: escape(&description),
            chart,
            columns: &["Measure", "Value"],
            rows: vec![
                vec![
                    "People who were the subject of a call".into(),
                    count(r.subjects),
                ],
                vec!["Called on twice or more".into(), count(r.repeat_subjects)],
                vec![
                    "Repeat share".into(),
                    shown(rate(r.repeat_subjects, r.subjects)),
                ],
                vec![
                    format!("High utilisers ({HIGH_UTILISER}+ calls)"),
                    count(r.high_utilisers),
                ],
                vec![
                    "People engaged with a referral".into(),
                    count(ba.engaged_subjects),
                ],
                vec!["Mean calls per person, year before".into(), mean(before)],
                vec!["Mean calls per person, year after".into(), mean(after)],
            ],
        },
    );

    // 7. The referral funnel.
    let o = &f.referrals.overall;
    let stages = [
        ("Sent", o.sent),
        ("Acknowledged", o.acknowledged),
        ("Engaged", o.engaged),
        ("Closed", o.closed),
    ];
    let description = format!(
        "Referrals to community partners sent in the last {WINDOW_DAYS} days and how far they got: {} sent, {} acknowledged by the partner, {} engaged in care, {} closed{}.",
        count(o.sent),
        count(o.acknowledged),
        count(o.engaged),
        count(o.closed),
        if o.engaged >= SMALLEST_SHOWN {
            o.median_days_to_engaged.map_or_else(String::new, |d| {
                format!("; half engaged within {d:.0} days of the referral")
            })
        } else {
            String::new()
        }
    );
    let chart = svg::bar_chart(
        &Labels {
            id: "funnel-chart",
            title: "Referral funnel",
            description: &description,
        },
        &stages
            .iter()
            .map(|(name, _)| (*name).to_owned())
            .collect::<Vec<_>>(),
        &[Bars {
            name: "referrals",
            colour: BLUE,
            labels: stages.iter().map(|(_, n)| count(*n)).collect(),
            values: stages
                .iter()
                .map(|(_, n)| (*n >= SMALLEST_SHOWN).then_some(*n as f64))
                .collect(),
        }],
        svg::nice_count_max(o.sent.max(1) as f64 * 1.1),
        &|v| format!("{v:.0}"),
    );
    figure(
        &mut body,
        &Figure {
            id: "referrals",
            heading: "Referrals to community partners",
            lead: escape(&description),
            chart,
            columns: &["Stage reached", "Referrals"],
            rows: stages
                .iter()
                .map(|(name, n)| vec![(*name).to_owned(), count(*n)])
                .collect(),
        },
    );

    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>Crisis Intervention Team: public dashboard</title><meta name="description" content="How the city's Crisis Intervention Team programme is doing: training, calls, outcomes and follow-up care, in aggregate."><style>{STYLE}</style></head>
<body><header><h1>Crisis Intervention Team programme</h1><p class="as-of">Public performance dashboard, figures as of {as_of_long}. Aggregates only; counts under 5 are shown as “&lt;5”.</p></header>
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
        assert_eq!(shown(None), "<5");
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

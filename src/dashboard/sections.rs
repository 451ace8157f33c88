//! The page's sections: one function per figure, each writing its `<section>` (chart, lead
//! sentence, data table) into the page's body.

use chrono::Datelike;

use crate::goals::progress::TREND_POINTS;

use super::figures::{Figures, HIGH_UTILISER, WINDOW_DAYS};
use super::page::{Figure, SMALLEST_SHOWN, count, figure, month_name, parts, percent, rate, shown};
use super::svg::{self, BLUE, Bars, Labels, Line, ORANGE, Rule, escape, nice_max};

/// The certification goal and coverage per shift.
pub fn goal(body: &mut String, f: &Figures) {
    let as_of = f.as_of;
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
                // A month whose count, or the rest, is under 5 leaves a gap.
                actual[i] = rate(i64::from(point.certified), i64::from(point.population));
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
            shown(rate(
                i64::from(progress.certified),
                i64::from(progress.population)
            )),
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
            body,
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
                            shown(rate(i64::from(p.certified), i64::from(p.population))),
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
            body,
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
}

/// Mental-health calls per month, and the share with a CIT responder on scene.
pub fn calls(body: &mut String, f: &Figures) {
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
        body,
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
        body,
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
}

/// Outcomes with and without a CIT responder.
pub fn outcomes(body: &mut String, f: &Figures) {
    // 5. Outcomes with and without CIT.
    let (with, without) = (&f.outcomes.with_cit, &f.outcomes.without_cit);
    let (with_calls, without_calls) = parts(with.calls, without.calls);
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
        with_calls,
        without_calls,
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
        body,
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
}

/// Repeat calls, and calls per person before and after engaging with care.
pub fn repeats(body: &mut String, f: &Figures) {
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
        body,
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
}

/// The referral funnel.
pub fn referrals(body: &mut String, f: &Figures) {
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
        body,
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
}

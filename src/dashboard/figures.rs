//! The aggregates the dashboard shows, read through the same services as the metrics
//! endpoints (so the page and the API never disagree): seven statements on a cache miss.

use chrono::{Datelike, Days, NaiveDate};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::clock::Clock;
use crate::db::schema::goals;
use crate::error::AppError;
use crate::goals::model::GoalRow;
use crate::goals::payloads::ProgressBody;
use crate::ids::GoalId;
use crate::metrics::calls::payloads::{CallMetrics, Interval, OutcomeMetrics, RepeatMetrics};
use crate::metrics::referrals::payloads::ReferralMetrics;

/// Months of calls shown.
pub const MONTHS: u32 = 24;
/// The window of the outcome, repeat and referral figures, in days.
pub const WINDOW_DAYS: u64 = 365;
/// Calls in the window that make a person a high utiliser (Seattle's practice).
pub const HIGH_UTILISER: i64 = 7;

/// Everything on the page.
#[derive(Debug)]
pub struct Figures {
    /// The city day they are as of.
    pub as_of: NaiveDate,
    /// The first goal the programme set, with its progress.
    pub goal: Option<(GoalRow, ProgressBody)>,
    /// Calls per month over the last [`MONTHS`] months.
    pub calls: CallMetrics,
    /// Outcomes with and without CIT over the window.
    pub outcomes: OutcomeMetrics,
    /// Repeat calls over the window, and before/after engagement.
    pub repeats: RepeatMetrics,
    /// The referral funnel over the window.
    pub referrals: ReferralMetrics,
}

/// Reads the figures as of the clock's city day.
pub async fn load(conn: &mut AsyncPgConnection, clock: &Clock) -> Result<Figures, AppError> {
    let today = clock.city_today();
    let first_goal: Option<GoalId> = goals::table
        .select(goals::id)
        .order(goals::id.asc())
        .first(conn)
        .await
        .optional()?;
    let goal = match first_goal {
        Some(id) => {
            let row = crate::goals::model::find(conn, id).await?;
            let progress = crate::goals::service::progress(conn, id, today).await?;
            Some((row, progress))
        }
        None => None,
    };
    let month_start = today.date.with_day(1).unwrap_or(today.date);
    let from = month_start
        .checked_sub_months(chrono::Months::new(MONTHS - 1))
        .unwrap_or(month_start);
    let calls = crate::metrics::calls::service::calls(
        conn,
        from,
        today.date,
        Interval::Month,
        today.zone_name(),
    )
    .await?;
    let window_start = today
        .date
        .checked_sub_days(Days::new(WINDOW_DAYS - 1))
        .unwrap_or(today.date);
    let outcomes = crate::metrics::calls::service::outcomes(conn, window_start, today.date).await?;
    let repeats = crate::metrics::calls::service::repeats(
        conn,
        today,
        i64::try_from(WINDOW_DAYS).unwrap_or(365),
        HIGH_UTILISER,
    )
    .await?;
    let referrals =
        crate::metrics::referrals::service::referrals(conn, clock.city_day(window_start), today)
            .await?;
    Ok(Figures {
        as_of: today.date,
        goal,
        calls,
        outcomes,
        repeats,
        referrals,
    })
}

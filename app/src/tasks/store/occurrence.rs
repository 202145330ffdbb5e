//! Times in the user's zone, and where completing a repeating task moves it.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeDelta, TimeZone as _, Utc};

use super::{
    access,
    rows::{TaskRow, COLUMNS},
};
use crate::tasks::repeat::Repeat;

fn zone_of(name: &str) -> chrono_tz::Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

/// Today's date in the time zone named `zone` (an IANA name; UTC if it names none).
pub fn today_in(zone: &str) -> NaiveDate {
    Utc::now().with_timezone(&zone_of(zone)).date_naive()
}

/// The instant of the wall-clock time `local` in `zone`: the earlier of two when the clocks
/// go back, and the first instant after the gap when they go forward.
pub fn local_instant(zone: &str, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let tz = zone_of(zone);
    let found = tz.from_local_datetime(&local).earliest().or_else(|| {
        // In a gap (the clocks went forward): the same wall time an hour on exists.
        tz.from_local_datetime(&(local + TimeDelta::hours(1)))
            .earliest()
    })?;
    Some(found.with_timezone(&Utc))
}

/// The wall-clock time of `at` in `zone`.
pub(super) fn local_time(zone: &str, at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&zone_of(zone)).naive_local()
}

/// `at` moved by `days` calendar days in `zone`: 09:00 stays 09:00 across a change of the
/// clocks.
fn shift_days(zone: &str, at: DateTime<Utc>, days: u64) -> Option<DateTime<Utc>> {
    local_instant(
        zone,
        local_time(zone, at).checked_add_days(Days::new(days))?,
    )
}

/// A reminder at `remind_at` is still to be sent at `now` only if it is ahead: one set in
/// the past is kept on the task but never sent.
pub(super) fn pending(
    remind_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    remind_at.filter(|at| *at > now)
}

/// The statement that moves a repeating task to its next date ([`Next`]), if the writer may
/// change it: `$1` the due date, `$2` the reminder, `$3` the reminder still to send, `$4` now
/// (its completion), `$5` the task, `$6` the writer.
pub(super) fn advance_sql() -> String {
    format!(
        "update tasks set is_completed = false, due_date = $1, remind_at = $2,
                          reminder_due = $3, last_completed_at = $4, updated_at = $4
         where id = $5 and {} returning {COLUMNS}",
        access::writable("$6")
    )
}

/// Where completing a repeating task moves it.
pub(super) struct Next {
    pub due_date: NaiveDate,
    pub remind_at: Option<DateTime<Utc>>,
}

/// The next occurrence of `row` (a repeating task with a due date) after its due date and
/// after today in `zone`; its reminder moves by as many days. `None` when it does not repeat
/// (or its series has run past the calendar).
pub(super) fn next_occurrence(row: &TaskRow, zone: &str) -> Option<Next> {
    let rule = Repeat::parse(row.repeat.as_deref()?).ok()?;
    let due = row.due_date?;
    let after = due.max(today_in(zone));
    let next = rule.next_after(row.repeat_anchor.unwrap_or(due).min(due), after)?;
    let days = u64::try_from((next - due).num_days()).ok()?;
    let remind_at = match row.remind_at {
        None => None,
        Some(at) => Some(
            shift_days(zone, at, days)
                .or_else(|| at.checked_add_signed(TimeDelta::days(i64::try_from(days).ok()?)))?,
        ),
    };
    Some(Next {
        due_date: next,
        remind_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_times_in_a_zone_survive_the_change_of_clocks() {
        let local = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let at = local_instant("Europe/Paris", local("2026-03-28 09:00")).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-03-28T08:00:00+00:00");
        // The clocks go forward on the 29th: 09:00 is then 07:00 UTC.
        let moved = shift_days("Europe/Paris", at, 1).unwrap();
        assert_eq!(moved.to_rfc3339(), "2026-03-29T07:00:00+00:00");
        // 02:30 does not exist that night: an hour on.
        let gap = local_instant("Europe/Paris", local("2026-03-29 02:30")).unwrap();
        assert_eq!(gap.to_rfc3339(), "2026-03-29T01:30:00+00:00");
        // An unknown zone is UTC.
        let utc = local_instant("Nowhere/City", local("2026-03-29 02:30")).unwrap();
        assert_eq!(utc.to_rfc3339(), "2026-03-29T02:30:00+00:00");
    }

    #[test]
    fn today_differs_across_the_date_line() {
        let east = today_in("Pacific/Kiritimati");
        let west = today_in("Pacific/Pago_Pago");
        // 25 hours apart: a day or two, depending on the hour.
        assert!((1..=2).contains(&(east - west).num_days()));
    }
}

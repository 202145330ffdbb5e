//! Repeating tasks: the contract's subset of RFC 5545 recurrence rules (`FREQ` of `DAILY`,
//! `WEEKLY`, `MONTHLY` or `YEARLY`, `INTERVAL` 1 to 365, and `BYDAY` with `WEEKLY`), and the
//! dates a rule gives. Shared by the API, the page's picker and the quick-add parser.
//!
//! A series starts at its anchor (the due date the rule was set with) and keeps its day of the
//! month from it: `MONTHLY` from the 31st falls on each month's last day (the 30th, the 28th or
//! 29th in February) and comes back to the 31st where a month has one; `YEARLY` from 29
//! February falls on 28 February in the years without one. `WEEKLY` with `BYDAY` takes those
//! days of every `INTERVAL`th week, weeks starting on Monday (RFC 5545's default `WKST`).

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use crate::error::FieldError;

mod form;
pub use form::{RepeatForm, WEEKDAYS};

/// The largest `INTERVAL`.
pub const INTERVAL_MAX: u32 = 365;
/// The longest rule read, in bytes: every valid rule is far shorter.
const RULE_MAX_BYTES: usize = 100;

/// How often a series comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

impl Freq {
    pub const ALL: [Freq; 4] = [Self::Daily, Self::Weekly, Self::Monthly, Self::Yearly];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "DAILY",
            Self::Weekly => "WEEKLY",
            Self::Monthly => "MONTHLY",
            Self::Yearly => "YEARLY",
        }
    }

    /// The unit, singular and plural: ("day", "days").
    fn unit(self) -> (&'static str, &'static str) {
        match self {
            Self::Daily => ("day", "days"),
            Self::Weekly => ("week", "weeks"),
            Self::Monthly => ("month", "months"),
            Self::Yearly => ("year", "years"),
        }
    }
}

/// The weekdays in `BYDAY` order, with their two-letter codes.
pub const DAYS: [(&str, Weekday); 7] = [
    ("MO", Weekday::Mon),
    ("TU", Weekday::Tue),
    ("WE", Weekday::Wed),
    ("TH", Weekday::Thu),
    ("FR", Weekday::Fri),
    ("SA", Weekday::Sat),
    ("SU", Weekday::Sun),
];

/// A valid rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repeat {
    pub freq: Freq,
    /// 1 to [`INTERVAL_MAX`].
    pub interval: u32,
    /// With `WEEKLY` only: the days, Monday first, each once; empty means the anchor's day.
    pub days: Vec<Weekday>,
}

impl Repeat {
    pub fn new(freq: Freq, interval: u32) -> Self {
        Self {
            freq,
            interval,
            days: Vec::new(),
        }
    }

    /// Monday to Friday, every week.
    pub fn weekdays() -> Self {
        Self {
            days: DAYS[..5].iter().map(|(_, d)| *d).collect(),
            ..Self::new(Freq::Weekly, 1)
        }
    }

    /// Reads a rule (names and values in any case); the message says what is wrong.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.len() > RULE_MAX_BYTES {
            return Err(format!(
                "repeat is at most {RULE_MAX_BYTES} characters, such as FREQ=WEEKLY;BYDAY=MO,TH."
            ));
        }
        let (mut freq, mut interval, mut days) = (None, None, None);
        for part in raw.trim().split(';') {
            let Some((name, value)) = part.split_once('=') else {
                return Err(format!(
                    "repeat is NAME=VALUE parts separated by ';', such as FREQ=DAILY: \"{part}\" is not one."
                ));
            };
            let name = name.trim().to_ascii_uppercase();
            let value = value.trim();
            let seen = match name.as_str() {
                "FREQ" => freq.replace(parse_freq(value)?).is_some(),
                "INTERVAL" => interval.replace(parse_interval(value)?).is_some(),
                "BYDAY" => days.replace(parse_days(value)?).is_some(),
                _ => {
                    return Err(format!(
                        "repeat takes FREQ, INTERVAL and BYDAY only: \"{name}\" is not supported."
                    ))
                }
            };
            if seen {
                return Err(format!("repeat names {name} twice."));
            }
        }
        let Some(freq) = freq else {
            return Err("repeat needs a FREQ: DAILY, WEEKLY, MONTHLY or YEARLY.".into());
        };
        if days.is_some() && freq != Freq::Weekly {
            return Err("repeat takes BYDAY with FREQ=WEEKLY only.".into());
        }
        Ok(Self {
            freq,
            interval: interval.unwrap_or(1),
            days: days.unwrap_or_default(),
        })
    }

    /// A body's `repeat`: absent, null or blank means none.
    pub fn parse_field(raw: Option<&str>) -> Result<Option<Self>, FieldError> {
        match raw.map(str::trim) {
            None | Some("") => Ok(None),
            Some(rule) => Self::parse(rule)
                .map(Some)
                .map_err(|msg| FieldError::body("repeat", "value_error.repeat", msg)),
        }
    }

    /// The rule as stored and sent: `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH` (no `INTERVAL` when
    /// it is 1, the days Monday first).
    pub fn rule(&self) -> String {
        let mut rule = format!("FREQ={}", self.freq.as_str());
        if self.interval != 1 {
            rule.push_str(&format!(";INTERVAL={}", self.interval));
        }
        if !self.days.is_empty() {
            let codes: Vec<&str> = self.days.iter().map(|d| day_code(*d)).collect();
            rule.push_str(&format!(";BYDAY={}", codes.join(",")));
        }
        rule
    }

    /// What a person reads: "Every day", "Every 2 weeks on Mon, Thu", "Every weekday".
    pub fn describe(&self) -> String {
        if *self == Self::weekdays() {
            return "Every weekday".into();
        }
        let (one, many) = self.freq.unit();
        let mut text = match self.interval {
            1 => format!("Every {one}"),
            n => format!("Every {n} {many}"),
        };
        if !self.days.is_empty() {
            let names: Vec<&str> = self.days.iter().map(|d| day_short_name(*d)).collect();
            text.push_str(&format!(" on {}", names.join(", ")));
        }
        text
    }

    /// The first date of the series starting at `anchor` that is after `after` (the anchor
    /// itself is the series' first date). `None` past the calendar's end. Constant work,
    /// whatever the distance between the two.
    pub fn next_after(&self, anchor: NaiveDate, after: NaiveDate) -> Option<NaiveDate> {
        if after < anchor {
            return Some(anchor);
        }
        let n = i64::from(self.interval.clamp(1, INTERVAL_MAX));
        match (self.freq, self.days.is_empty()) {
            (Freq::Daily, _) => step_days(anchor, after, n),
            (Freq::Weekly, true) => step_days(anchor, after, 7 * n),
            (Freq::Weekly, false) => {
                let week0 = anchor - Days::new(u64::from(anchor.weekday().num_days_from_monday()));
                let weeks = (after - week0).num_days() / 7;
                let first = weeks / n * n;
                // The week `after` is in, if the series has it, then the series' next week:
                // every day of that one is after `after`.
                [first, first + n].into_iter().find_map(|week| {
                    let start = week0.checked_add_days(Days::new(u64::try_from(week * 7).ok()?))?;
                    self.days.iter().find_map(|day| {
                        let date = start + Days::new(u64::from(day.num_days_from_monday()));
                        (date > after).then_some(date)
                    })
                })
            }
            (Freq::Monthly, _) => step_months(anchor, after, n),
            (Freq::Yearly, _) => step_months(anchor, after, 12 * n),
        }
    }
}

impl std::fmt::Display for Repeat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.rule())
    }
}

/// `anchor + k·step` days for the least `k` that is after `after` (`after >= anchor`).
fn step_days(anchor: NaiveDate, after: NaiveDate, step: i64) -> Option<NaiveDate> {
    let k = (after - anchor).num_days() / step + 1;
    anchor.checked_add_days(Days::new(u64::try_from(k * step).ok()?))
}

/// The anchor's day in the month `k·step` months on, for the least `k` after `after`.
fn step_months(anchor: NaiveDate, after: NaiveDate, step: i64) -> Option<NaiveDate> {
    let month_index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let first = (month_index(after) - month_index(anchor)) / step * step;
    [first, first + step].into_iter().find_map(|months| {
        let date = in_month(anchor, u32::try_from(months).ok()?)?;
        (date > after).then_some(date)
    })
}

/// The anchor's day of the month, `months` months on, or that month's last day.
fn in_month(anchor: NaiveDate, months: u32) -> Option<NaiveDate> {
    let first = anchor
        .with_day(1)?
        .checked_add_months(Months::new(months))?;
    let last = first
        .checked_add_months(Months::new(1))
        .map_or(31, |next| next.pred_opt().map_or(31, |d| d.day()));
    first.with_day(anchor.day().min(last))
}

fn parse_freq(value: &str) -> Result<Freq, String> {
    Freq::ALL
        .into_iter()
        .find(|f| f.as_str().eq_ignore_ascii_case(value))
        .ok_or_else(|| {
            format!("FREQ is DAILY, WEEKLY, MONTHLY or YEARLY: \"{value}\" is not one of them.")
        })
}

fn parse_interval(value: &str) -> Result<u32, String> {
    value
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=INTERVAL_MAX).contains(n) && value.len() <= 3)
        .ok_or_else(|| format!("INTERVAL is a whole number from 1 to {INTERVAL_MAX}."))
}

fn parse_days(value: &str) -> Result<Vec<Weekday>, String> {
    let mut days = Vec::new();
    for code in value.split(',') {
        let code = code.trim();
        let Some((_, day)) = DAYS.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)) else {
            return Err(format!(
                "BYDAY lists days as MO, TU, WE, TH, FR, SA or SU, separated by commas: \"{code}\" is not one."
            ));
        };
        if !days.contains(day) {
            days.push(*day);
        }
    }
    days.sort_by_key(|d: &Weekday| d.num_days_from_monday());
    Ok(days)
}

pub fn day_code(day: Weekday) -> &'static str {
    DAYS[day.num_days_from_monday() as usize].0
}

pub fn day_short_name(day: Weekday) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][day.num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests;

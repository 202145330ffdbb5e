//! The page's repeat picker as its form sends it (`repeat[freq]`, `repeat[every]`,
//! `repeat[mo]` … `repeat[su]`): plain inputs that work without JavaScript.

use serde::{Deserialize, Serialize};

use super::{Freq, Repeat, DAYS, INTERVAL_MAX};
use crate::error::FieldError;

/// The picker's choice of how often: none, a frequency, or Monday to Friday.
pub const WEEKDAYS: &str = "WEEKDAYS";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepeatForm {
    /// Blank: none; `DAILY`, `WEEKLY`, `MONTHLY`, `YEARLY` or [`WEEKDAYS`].
    pub freq: Option<String>,
    /// Every how many days, weeks, months or years (blank: 1).
    pub every: Option<String>,
    pub mo: Option<String>,
    pub tu: Option<String>,
    pub we: Option<String>,
    pub th: Option<String>,
    pub fr: Option<String>,
    pub sa: Option<String>,
    pub su: Option<String>,
}

impl RepeatForm {
    /// The picker showing `repeat` (none: "Does not repeat").
    pub fn of(repeat: Option<&Repeat>) -> Self {
        let Some(repeat) = repeat else {
            return Self::default();
        };
        let mut form = Self {
            freq: Some(if *repeat == Repeat::weekdays() {
                WEEKDAYS.to_string()
            } else {
                repeat.freq.as_str().to_string()
            }),
            every: Some(repeat.interval.to_string()),
            ..Self::default()
        };
        for day in &repeat.days {
            *form.day_mut(super::day_code(*day)) = Some("on".into());
        }
        form
    }

    /// The boxes of the days, Monday first, with their codes.
    pub fn days(&self) -> [(&'static str, bool); 7] {
        let on = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
        [
            ("MO", on(&self.mo)),
            ("TU", on(&self.tu)),
            ("WE", on(&self.we)),
            ("TH", on(&self.th)),
            ("FR", on(&self.fr)),
            ("SA", on(&self.sa)),
            ("SU", on(&self.su)),
        ]
    }

    fn day_mut(&mut self, code: &str) -> &mut Option<String> {
        match code {
            "MO" => &mut self.mo,
            "TU" => &mut self.tu,
            "WE" => &mut self.we,
            "TH" => &mut self.th,
            "FR" => &mut self.fr,
            "SA" => &mut self.sa,
            _ => &mut self.su,
        }
    }

    /// The rule chosen (`None`: it does not repeat); 422 on `repeat` for a bad choice.
    pub fn rule(&self) -> Result<Option<String>, FieldError> {
        let bad = |msg: String| FieldError::body("repeat", "value_error.repeat", msg);
        let freq = self.freq.as_deref().map(str::trim).unwrap_or_default();
        if freq.is_empty() {
            return Ok(None);
        }
        if freq.eq_ignore_ascii_case(WEEKDAYS) {
            return Ok(Some(Repeat::weekdays().rule()));
        }
        let freq = Freq::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(freq))
            .ok_or_else(|| bad("Choose how often it repeats from the list.".into()))?;
        let every = self.every.as_deref().map(str::trim).unwrap_or_default();
        let interval = if every.is_empty() {
            1
        } else {
            every
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=INTERVAL_MAX).contains(n) && every.len() <= 3)
                .ok_or_else(|| bad(format!("Repeat every 1 to {INTERVAL_MAX}.")))?
        };
        let days = if freq == Freq::Weekly {
            DAYS.iter()
                .zip(self.days())
                .filter(|(_, (_, on))| *on)
                .map(|((_, day), _)| *day)
                .collect()
        } else {
            Vec::new()
        };
        Ok(Some(
            Repeat {
                freq,
                interval,
                days,
            }
            .rule(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_picker_reads_back_what_it_shows() {
        for rule in [
            "FREQ=DAILY",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "FREQ=MONTHLY;INTERVAL=3",
            "FREQ=YEARLY",
        ] {
            let repeat = Repeat::parse(rule).unwrap();
            assert_eq!(
                RepeatForm::of(Some(&repeat)).rule().unwrap().as_deref(),
                Some(rule)
            );
        }
        assert_eq!(RepeatForm::of(None).rule().unwrap(), None);
    }

    #[test]
    fn days_count_for_weekly_only_and_bad_choices_are_refused() {
        let form = RepeatForm {
            freq: Some("MONTHLY".into()),
            every: Some(" ".into()),
            mo: Some("on".into()),
            ..RepeatForm::default()
        };
        assert_eq!(form.rule().unwrap().as_deref(), Some("FREQ=MONTHLY"));
        for (freq, every) in [
            ("HOURLY", "1"),
            ("DAILY", "0"),
            ("DAILY", "366"),
            ("DAILY", "x"),
        ] {
            let form = RepeatForm {
                freq: Some(freq.into()),
                every: Some(every.into()),
                ..RepeatForm::default()
            };
            assert_eq!(
                form.rule().unwrap_err().loc,
                ["body", "repeat"],
                "{freq} {every}"
            );
        }
    }
}

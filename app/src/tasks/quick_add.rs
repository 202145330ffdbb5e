//! Quick add: a task typed in one line, its tags, priority and due date as tokens in the
//! title. One parser for the API (`?parse=true`), the page's add box and its live preview.
//!
//! Tokens are whole words (split on blanks): `#tag`, `!low` / `!medium` / `!high`,
//! `^YYYY-MM-DD`, `^today`, `^tomorrow`, `^monday` … `^sunday` (or `^mon` … `^sun`: the
//! next such day after today), and `+list` (the list to file it in, by name, without case;
//! `_` stands for a space), `*daily`, `*weekly`, `*monthly`, `*yearly`, `*weekdays` and
//! `*every N days|weeks|months|years` (how it repeats), and `@HH:MM` (a reminder at that time
//! on the due date, or today). A word that only looks like a token (`email#notatag`,
//! `^notaday`, `!urgent`, `#` alone) stays in the title as it is. When a priority, a date or a
//! list is given twice, the last one counts.

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};

use super::{
    fields::{parse_date, parse_tag, Priority, MAX_TAGS},
    repeat::{Freq, Repeat, INTERVAL_MAX},
};

/// What a quick-add line says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuickAdd {
    /// The words that are not tokens, joined by single spaces.
    pub title: String,
    /// In the order typed, lower-case, without duplicates.
    pub tags: Vec<String>,
    pub priority: Option<Priority>,
    pub due_date: Option<NaiveDate>,
    /// The name of the list to file it in, as typed (without the `+`).
    pub list: Option<String>,
    pub repeat: Option<Repeat>,
    /// The reminder's time of day, in the user's time zone.
    pub remind: Option<NaiveTime>,
}

impl QuickAdd {
    /// Reads `line`; `today` is today's date in the user's time zone.
    pub fn parse(line: &str, today: NaiveDate) -> Self {
        let mut parsed = Self::default();
        let mut words: Vec<&str> = Vec::new();
        let mut rest = line.split_whitespace();
        while let Some(word) = rest.next() {
            if let Some(repeat) = word.strip_prefix('*').and_then(|w| repeat_token(w, &rest)) {
                if repeat.1 > 0 {
                    rest.nth(repeat.1 - 1);
                }
                parsed.repeat = Some(repeat.0);
            } else if let Some(time) = word.strip_prefix('@').and_then(time_token) {
                parsed.remind = Some(time);
            } else if let Some(tag) = word.strip_prefix('#').and_then(parse_tag) {
                // One tag past the limit is kept, so that the task is refused for it; more
                // are not looked at (the merge stays linear in the line).
                if parsed.tags.len() <= MAX_TAGS && !parsed.tags.contains(&tag) {
                    parsed.tags.push(tag);
                }
            } else if let Some(priority) = word.strip_prefix('!').and_then(priority_token) {
                parsed.priority = Some(priority);
            } else if let Some(date) = word.strip_prefix('^').and_then(|d| date_token(d, today)) {
                parsed.due_date = Some(date);
            } else if let Some(list) = word.strip_prefix('+').filter(|l| list_token(l)) {
                parsed.list = Some(list.to_string());
            } else {
                words.push(word);
            }
        }
        parsed.title = words.join(" ");
        parsed
    }

    /// Whether anything but the title was understood.
    pub fn has_tokens(&self) -> bool {
        !self.tags.is_empty()
            || self.priority.is_some()
            || self.due_date.is_some()
            || self.list.is_some()
            || self.repeat.is_some()
            || self.remind.is_some()
    }
}

/// A list's name as a token: a word of letters and digits (any script), `-` and `_`, at
/// most a list name's length (`+1` alone, `c++` and `+` stay text).
fn list_token(word: &str) -> bool {
    let chars = word.chars().count();
    (1..=super::lists::NAME_MAX_CHARS).contains(&chars)
        && word.chars().any(char::is_alphabetic)
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// A repeat token without its `*`, and how many words after it belong to it
/// (`*every 2 weeks` takes two).
fn repeat_token<'a>(
    word: &str,
    after: &(impl Iterator<Item = &'a str> + Clone),
) -> Option<(Repeat, usize)> {
    let freq = |unit: &str| match unit.to_lowercase().as_str() {
        "day" | "days" | "daily" => Some(Freq::Daily),
        "week" | "weeks" | "weekly" => Some(Freq::Weekly),
        "month" | "months" | "monthly" => Some(Freq::Monthly),
        "year" | "years" | "yearly" => Some(Freq::Yearly),
        _ => None,
    };
    match word.to_lowercase().as_str() {
        "daily" | "weekly" | "monthly" | "yearly" => Some((Repeat::new(freq(word)?, 1), 0)),
        "weekdays" => Some((Repeat::weekdays(), 0)),
        "every" => {
            let mut after = after.clone();
            let count = after.next()?;
            let n: u32 = count
                .parse()
                .ok()
                .filter(|n| (1..=INTERVAL_MAX).contains(n) && count.len() <= 3)?;
            let unit = after.next()?;
            (unit.ends_with('s') || n == 1)
                .then(|| freq(unit).filter(|_| !unit.ends_with("ly")))
                .flatten()
                .map(|f| (Repeat::new(f, n), 2))
        }
        _ => None,
    }
}

/// `HH:MM`, 24-hour.
fn time_token(word: &str) -> Option<NaiveTime> {
    let (hours, minutes) = word.split_once(':')?;
    let digits = |t: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(hours, 1..=2) || !digits(minutes, 2..=2) {
        return None;
    }
    NaiveTime::from_hms_opt(hours.parse().ok()?, minutes.parse().ok()?, 0)
}

/// `low`, `medium` or `high`: `!none` is not a token (it is what no token means).
fn priority_token(name: &str) -> Option<Priority> {
    Priority::from_name(name).filter(|p| *p != Priority::None)
}

fn date_token(word: &str, today: NaiveDate) -> Option<NaiveDate> {
    if let Some(date) = parse_date(word) {
        return Some(date);
    }
    match word.to_lowercase().as_str() {
        "today" => Some(today),
        "tomorrow" => today.checked_add_days(Days::new(1)),
        name => next_weekday(weekday(name)?, today),
    }
}

fn weekday(name: &str) -> Option<Weekday> {
    const DAYS: [(&str, Weekday); 7] = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    DAYS.into_iter()
        .find(|(full, _)| name == *full || (name.len() == 3 && full.starts_with(name)))
        .map(|(_, day)| day)
}

/// The first `day` after `today` (a week on when today is that day).
fn next_weekday(day: Weekday, today: NaiveDate) -> Option<NaiveDate> {
    let ahead = (7 + day.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    let ahead = if ahead == 0 { 7 } else { ahead };
    today.checked_add_days(Days::new(u64::from(ahead)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_and_reminders() {
        let parsed = QuickAdd::parse("Water plants *every 2 weeks @09:30 #home", today());
        assert_eq!(parsed.title, "Water plants");
        assert_eq!(parsed.repeat.unwrap().rule(), "FREQ=WEEKLY;INTERVAL=2");
        assert_eq!(parsed.remind, NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(parsed.tags, ["home"]);
        let rule = |line: &str| QuickAdd::parse(line, today()).repeat.map(|r| r.rule());
        assert_eq!(rule("x *daily").as_deref(), Some("FREQ=DAILY"));
        assert_eq!(rule("x *Weekly").as_deref(), Some("FREQ=WEEKLY"));
        assert_eq!(rule("x *monthly").as_deref(), Some("FREQ=MONTHLY"));
        assert_eq!(rule("x *yearly").as_deref(), Some("FREQ=YEARLY"));
        assert_eq!(
            rule("x *weekdays").as_deref(),
            Some("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
        );
        assert_eq!(rule("x *every 1 day").as_deref(), Some("FREQ=DAILY"));
        assert_eq!(
            rule("x *every 3 months y").as_deref(),
            Some("FREQ=MONTHLY;INTERVAL=3")
        );
        assert_eq!(QuickAdd::parse("x *every 3 months y", today()).title, "x y");
        // Not tokens: they stay as typed.
        for line in [
            "x *every",
            "x *every 2",
            "x *every 0 days",
            "x *every 366 days",
            "x *every two days",
            "x *every 2 dailys",
            "x *every 2 day",
            "x *hourly",
            "x @9",
            "x @24:00",
            "x @9:5",
            "x @12:60",
            "x @noon",
            "a@b:cd",
        ] {
            let parsed = QuickAdd::parse(line, today());
            assert_eq!(parsed.title, line, "{line}");
            assert!(!parsed.has_tokens(), "{line}");
        }
        assert_eq!(
            QuickAdd::parse("x @7:05", today()).remind,
            NaiveTime::from_hms_opt(7, 5, 0)
        );
    }

    /// A Wednesday.
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 18).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn every_token_is_read_and_removed_from_the_title() {
        let parsed = QuickAdd::parse(
            "Call mum #family !high ^tomorrow about #Sunday-lunch",
            today(),
        );
        assert_eq!(parsed.title, "Call mum about");
        assert_eq!(parsed.tags, ["family", "sunday-lunch"]);
        assert_eq!(parsed.priority, Some(Priority::High));
        assert_eq!(parsed.due_date, date(2026, 11, 19));
        assert!(parsed.has_tokens());
    }

    #[test]
    fn priorities_low_medium_high_in_any_case() {
        for (word, priority) in [
            ("!low", Priority::Low),
            ("!Medium", Priority::Medium),
            ("!HIGH", Priority::High),
        ] {
            assert_eq!(
                QuickAdd::parse(&format!("x {word}"), today()).priority,
                Some(priority)
            );
        }
        let parsed = QuickAdd::parse("x !none !urgent !", today());
        assert_eq!(parsed.priority, None);
        assert_eq!(parsed.title, "x !none !urgent !");
    }

    #[test]
    fn dates_today_tomorrow_iso_and_weekdays() {
        let due = |line: &str| QuickAdd::parse(line, today()).due_date;
        assert_eq!(due("x ^today"), Some(today()));
        assert_eq!(due("x ^Tomorrow"), date(2026, 11, 19));
        assert_eq!(due("x ^2027-01-31"), date(2027, 1, 31));
        assert_eq!(due("x ^friday"), date(2026, 11, 20));
        assert_eq!(due("x ^mon"), date(2026, 11, 23));
        // Today is a Wednesday: the next Wednesday is a week on.
        assert_eq!(due("x ^wednesday"), date(2026, 11, 25));
        assert_eq!(due("x ^TUESDAY"), date(2026, 11, 24));
        // The last date given counts.
        assert_eq!(due("x ^today ^2026-12-01"), date(2026, 12, 1));
    }

    #[test]
    fn words_that_only_look_like_tokens_stay_in_the_title() {
        let line = "mail bob email#notatag ^notaday ^2026-02-30 ^ # #two.words 50% ^mo ^frid";
        let parsed = QuickAdd::parse(line, today());
        assert_eq!(parsed.title, line);
        assert!(!parsed.has_tokens());
    }

    #[test]
    fn unicode_tags_are_lower_cased_and_merged() {
        let parsed = QuickAdd::parse("Réunion #Équipe #équipe #日本 #über_alles", today());
        assert_eq!(parsed.title, "Réunion");
        assert_eq!(parsed.tags, ["équipe", "日本", "über_alles"]);
        // Too long for a tag: it stays text.
        let long = format!("x #{}", "a".repeat(33));
        assert_eq!(QuickAdd::parse(&long, today()).title, long);
    }

    #[test]
    fn a_line_of_thousands_of_tags_keeps_one_past_the_limit() {
        let line: String = (0..40_000).map(|i| format!("#t{i} ")).collect();
        let parsed = QuickAdd::parse(&line, today());
        assert_eq!(parsed.tags.len(), MAX_TAGS + 1);
        assert_eq!(parsed.title, "");
    }

    #[test]
    fn a_list_is_named_with_a_plus_and_the_last_one_counts() {
        let parsed = QuickAdd::parse("Milk +Groceries #dairy +Été_2027", today());
        assert_eq!(parsed.title, "Milk");
        assert_eq!(parsed.list.as_deref(), Some("Été_2027"));
        assert!(parsed.has_tokens());
        let line = "a + b +1 c++ +#x +no.dots";
        assert_eq!(QuickAdd::parse(line, today()).title, line);
        assert_eq!(QuickAdd::parse(line, today()).list, None);
    }

    #[test]
    fn a_line_of_tokens_only_leaves_an_empty_title() {
        let parsed = QuickAdd::parse("  #a   !low  ", today());
        assert_eq!(parsed.title, "");
        assert_eq!(parsed.tags, ["a"]);
    }
}

//! The organising fields of a task (due date, priority, tags): their rules, shared by the
//! JSON API, the page and the quick-add parser, in the browser and on the server.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// The most tags one task carries.
pub const MAX_TAGS: usize = 10;
/// The longest tag, in characters.
pub const TAG_MAX_CHARS: usize = 32;

/// How much a task matters. Stored as its rank (0 to 3), so sorting by priority is numeric.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    #[default]
    None,
    Low,
    Medium,
    High,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Self::None, Self::Low, Self::Medium, Self::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    /// Its name as a choice in a list: "High".
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::Low => "Low",
            Self::Medium => "Medium",
            Self::High => "High",
        }
    }

    /// What a person reads: "High priority".
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "No priority",
            Self::Low => "Low priority",
            Self::Medium => "Medium priority",
            Self::High => "High priority",
        }
    }

    /// `none`, `low`, `medium` or `high` (any case, surrounding blanks ignored).
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name))
    }

    /// The stored rank: none 0, low 1, medium 2, high 3.
    pub fn rank(self) -> i32 {
        self as i32
    }

    pub fn from_rank(rank: i32) -> Self {
        Self::ALL
            .get(usize::try_from(rank).unwrap_or(0))
            .copied()
            .unwrap_or_default()
    }

    /// A body field's value: absent or null means none; anything else must be a name.
    pub fn parse_field(raw: Option<&str>) -> Result<Self, FieldError> {
        match raw.map(str::trim) {
            None | Some("") => Ok(Self::None),
            Some(name) => Self::from_name(name).ok_or_else(|| {
                FieldError::body(
                    "priority",
                    "value_error.priority",
                    "priority must be one of none, low, medium, high.",
                )
            }),
        }
    }
}

/// A calendar date written `YYYY-MM-DD` (exactly that shape: no times, no other forms).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()
}

/// A body's `due_date`: absent, null or blank means none.
pub fn parse_due_date(raw: Option<&str>) -> Result<Option<NaiveDate>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_date(text).map(Some).ok_or_else(|| {
            FieldError::body(
                "due_date",
                "value_error.date",
                "due_date must be a calendar date written YYYY-MM-DD, or null.",
            )
        }),
    }
}

/// A body's `remind_at`: an RFC 3339 timestamp (any offset; kept in UTC, to the
/// microsecond); absent, null or blank means none.
pub fn parse_remind_at(raw: Option<&str>) -> Result<Option<DateTime<Utc>>, FieldError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let bad = || {
        FieldError::body(
            "remind_at",
            "value_error.datetime",
            "remind_at must be an RFC 3339 timestamp such as 2026-01-06T09:00:00Z, or null.",
        )
    };
    if text.len() > 40 {
        return Err(bad());
    }
    let at = DateTime::parse_from_rfc3339(text).map_err(|_| bad())?;
    let at = at.with_timezone(&Utc);
    // Kept to the microsecond, as every timestamp of the API.
    let micros = at.timestamp_micros();
    DateTime::from_timestamp_micros(micros)
        .map(Some)
        .ok_or_else(bad)
}

/// One tag as stored: trimmed, lower-case, 1 to [`TAG_MAX_CHARS`] letters (any script),
/// digits, `-` and `_`. `None` if `raw` is not one.
pub fn parse_tag(raw: &str) -> Option<String> {
    let raw = raw.trim();
    // Longer than a tag can be: refused before any work on its length (lower-casing never
    // shortens a text).
    if raw.chars().nth(TAG_MAX_CHARS).is_some() {
        return None;
    }
    let tag = raw.to_lowercase();
    let count = tag.chars().count();
    let allowed = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    ((1..=TAG_MAX_CHARS).contains(&count) && tag.chars().all(allowed)).then_some(tag)
}

/// A task's tags: each valid, duplicates (after lower-casing) merged, the first place kept,
/// at most [`MAX_TAGS`]. Linear in the input: it stops at the first bad tag and at the first
/// distinct tag past the limit, so a merge never compares against more than [`MAX_TAGS`].
pub fn parse_tags<S: AsRef<str>>(raw: &[S]) -> Result<Vec<String>, FieldError> {
    let mut tags: Vec<String> = Vec::with_capacity(MAX_TAGS);
    for text in raw {
        let tag = parse_tag(text.as_ref()).ok_or_else(|| {
            FieldError::body(
                "tags",
                "value_error.tag",
                format!(
                    "A tag is 1 to {TAG_MAX_CHARS} letters, digits, - or _ (no spaces): \
                     \"{}\" is not one.",
                    shorten(text.as_ref())
                ),
            )
        })?;
        if !tags.contains(&tag) {
            if tags.len() == MAX_TAGS {
                return Err(FieldError::body(
                    "tags",
                    "value_error.too_many",
                    format!("A task has at most {MAX_TAGS} tags."),
                ));
            }
            tags.push(tag);
        }
    }
    Ok(tags)
}

/// Tags typed in one text box, separated by commas or blanks (a leading `#` is allowed).
pub fn split_tags(text: &str) -> Vec<&str> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .map(|t| t.strip_prefix('#').unwrap_or(t))
        .filter(|t| !t.is_empty())
        .collect()
}

/// How a due date reads next to a task, against `today` (the user's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueLabel {
    /// "Today", "Tomorrow", "Yesterday", a weekday within the coming week, else the date.
    pub text: String,
    /// Before today.
    pub past: bool,
    /// Today.
    pub today: bool,
}

pub fn due_label(due: NaiveDate, today: NaiveDate) -> DueLabel {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let days = (due - today).num_days();
    let text = match days {
        0 => "Today".to_string(),
        1 => "Tomorrow".to_string(),
        -1 => "Yesterday".to_string(),
        2..=6 => DAYS[due.weekday().num_days_from_monday() as usize].to_string(),
        _ => {
            let month = MONTHS[due.month0() as usize];
            if due.year() == today.year() {
                format!("{month} {}", due.day())
            } else {
                format!("{month} {}, {}", due.day(), due.year())
            }
        }
    };
    DueLabel {
        text,
        past: days < 0,
        today: days == 0,
    }
}

/// At most 40 characters of a user's text, for quoting it back in a message.
fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_read_their_names_in_any_case_and_rank_in_order() {
        assert_eq!(Priority::from_name(" HIGH "), Some(Priority::High));
        assert_eq!(Priority::from_name("urgent"), None);
        assert_eq!(Priority::parse_field(None).unwrap(), Priority::None);
        assert!(Priority::parse_field(Some("3")).is_err());
        for p in Priority::ALL {
            assert_eq!(Priority::from_rank(p.rank()), p);
        }
        assert!(Priority::High > Priority::Low);
    }

    #[test]
    fn dates_must_be_exactly_year_month_day() {
        assert_eq!(
            parse_date("2026-02-28"),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        for bad in [
            "2026-02-30",
            "2026-2-28",
            "26-02-28",
            "2026-02-28T10:00",
            "+2026-02-28",
            "tomorrow",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_due_date(Some(" ")).unwrap(), None);
        assert_eq!(
            parse_due_date(Some("2026/02/28")).unwrap_err().loc,
            ["body", "due_date"]
        );
    }

    #[test]
    fn tags_are_lower_cased_merged_and_bounded() {
        assert_eq!(
            parse_tags(&[" Home", "home", "Café", "日本", "a-b_c"]).unwrap(),
            ["home", "café", "日本", "a-b_c"]
        );
        for bad in ["", "two words", "a.b", "#x", &"x".repeat(33)] {
            assert!(parse_tags(&[bad]).is_err(), "{bad:?}");
        }
        assert!(parse_tags(&["é".repeat(32)]).is_ok());
        let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert_eq!(
            parse_tags(&eleven).unwrap_err().kind,
            "value_error.too_many"
        );
        // Ten distinct after merging is fine.
        let mut ten: Vec<String> = (0..10).map(|i| format!("t{i}")).collect();
        ten.push("T0".into());
        assert_eq!(parse_tags(&ten).unwrap().len(), 10);
    }

    #[test]
    fn a_huge_list_of_tags_is_refused_after_the_eleventh_distinct_one() {
        // 40,000 distinct tags took seconds when every tag was compared with every other.
        let many: Vec<String> = (0..40_000).map(|i| format!("t{i}")).collect();
        assert_eq!(parse_tags(&many).unwrap_err().kind, "value_error.too_many");
        // The same tag over and over merges into one.
        let same = vec!["x"; 40_000];
        assert_eq!(parse_tags(&same).unwrap(), ["x"]);
        // A megabyte-long tag is refused without lower-casing it.
        assert_eq!(parse_tag(&"A".repeat(1 << 20)), None);
    }

    #[test]
    fn due_dates_read_as_days_near_today_and_dates_further_off() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 18).unwrap(); // a Wednesday
        let label = |y, m, d| due_label(NaiveDate::from_ymd_opt(y, m, d).unwrap(), today);
        assert_eq!(label(2026, 11, 18).text, "Today");
        assert!(label(2026, 11, 18).today);
        assert_eq!(label(2026, 11, 19).text, "Tomorrow");
        assert_eq!(label(2026, 11, 20).text, "Friday");
        assert_eq!(label(2026, 11, 24).text, "Tuesday");
        assert_eq!(label(2026, 11, 25).text, "Nov 25");
        assert_eq!(label(2027, 1, 2).text, "Jan 2, 2027");
        let yesterday = label(2026, 11, 17);
        assert_eq!(yesterday.text, "Yesterday");
        assert!(yesterday.past);
        assert!(label(2026, 3, 1).past);
        assert_eq!(label(2026, 3, 1).text, "Mar 1");
    }

    #[test]
    fn a_tag_box_splits_on_commas_and_blanks() {
        assert_eq!(
            split_tags("#home, work  errands,,"),
            ["home", "work", "errands"]
        );
    }
}

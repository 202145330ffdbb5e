//! A task as a `VTODO` and back, read and written with the `icalendar` crate's parser types
//! (its content lines, folding and unescaping). The contract's mapping: `SUMMARY` title,
//! `DESCRIPTION`, `DUE` (a date) due date, `PRIORITY` (1-4 high, 5 medium, 6-9 low, 0 or
//! absent none), `CATEGORIES` tags, `STATUS:COMPLETED` completion, `RRULE` repeat, a `VALARM`
//! with an absolute `TRIGGER` the reminder, `CREATED`, `LAST-MODIFIED`, `DTSTAMP`. Whatever
//! else the client sent in its `VTODO` (and the `VTIMEZONE`s beside it) is kept as it came
//! and written back.

use app::{
    error::{AppError, FieldError},
    tasks::{Priority, TaskDraft},
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone as _, Utc};
use icalendar::parser::{read_calendar, unfold, Calendar, Component, Property};

/// A `VTODO` as read from a `PUT`.
pub struct Read {
    pub draft: TaskDraft,
    pub completed: bool,
    pub uid: String,
    /// The content the server does not map (a whole `VCALENDAR` of it), or none.
    pub extra: Option<String>,
}

/// The properties the mapping reads (and writes): everything else is kept.
const MAPPED: [&str; 13] = [
    "UID",
    "SUMMARY",
    "DESCRIPTION",
    "DUE",
    "PRIORITY",
    "CATEGORIES",
    "STATUS",
    "COMPLETED",
    "RRULE",
    "CREATED",
    "LAST-MODIFIED",
    "DTSTAMP",
    "PERCENT-COMPLETE",
];

const PRODID: &str = "-//todo//CalDAV//EN";

fn unreadable(why: impl Into<String>) -> AppError {
    AppError::invalid_field(FieldError::body("calendar-data", "value_error.ical", why))
}

/// Reads the body of a `PUT`: one `VCALENDAR` holding one `VTODO`. `zone` (the account's) is
/// where a `DUE` with a time falls on a date. A body that is no iCalendar at all, one without
/// exactly one `VTODO`, or one with a value the task cannot take, is 422.
pub fn read(body: &str, zone: &str) -> Result<Read, AppError> {
    let unfolded = unfold(body);
    let calendar = read_calendar(&unfolded).map_err(|_| {
        unreadable("The body is not an iCalendar object (text/calendar): nothing was changed.")
    })?;
    let todos: Vec<&Component> = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VTODO"))
        .collect();
    let todo = match todos.as_slice() {
        [todo] => *todo,
        [] => {
            return Err(unreadable(
                "The calendar object holds no VTODO: only tasks can be stored here.",
            ))
        }
        _ => {
            return Err(unreadable(
                "The calendar object holds more than one VTODO: send one task per resource.",
            ))
        }
    };
    let text = |name: &str| {
        todo.find_prop(name)
            .map(|p| p.val.clone().unescape_text().as_str().to_string())
    };
    let uid = text("UID")
        .filter(|uid| !uid.trim().is_empty())
        .ok_or_else(|| unreadable("The VTODO has no UID."))?;
    if uid.chars().count() > 255 {
        return Err(unreadable("The VTODO's UID is longer than 255 characters."));
    }
    let status = text("STATUS").unwrap_or_default();
    let completed = status.eq_ignore_ascii_case("COMPLETED");
    let priority = match todo.find_prop("PRIORITY") {
        None => None,
        Some(p) => Some(match p.val.as_str().trim().parse::<u8>() {
            Ok(0) => Priority::None,
            Ok(1..=4) => Priority::High,
            Ok(5) => Priority::Medium,
            Ok(6..=9) => Priority::Low,
            _ => return Err(unreadable("PRIORITY must be a number from 0 to 9.")),
        }),
    };
    let due =
        match todo.find_prop("DUE") {
            None => None,
            Some(p) => Some(date_of(p, zone).ok_or_else(|| {
                unreadable("DUE must be a date (YYYYMMDD) or a date with a time.")
            })?),
        };
    let mut tags = Vec::new();
    for p in todo.properties.iter().filter(|p| p.name == "CATEGORIES") {
        tags.extend(split_list(p.val.as_str()));
    }
    let reminder = todo
        .components
        .iter()
        .find(|c| c.name == "VALARM" && absolute_trigger(c).is_some())
        .and_then(absolute_trigger);

    let mut kept = Component {
        name: "VTODO".into(),
        properties: Vec::new(),
        components: Vec::new(),
    };
    for p in &todo.properties {
        let name = p.name.as_str().to_ascii_uppercase();
        let implied = name == "PERCENT-COMPLETE" && p.val.as_str().trim() != "100";
        if !MAPPED.contains(&name.as_str()) || implied {
            kept.properties.push(p.clone());
        }
    }
    let mut taken_alarm = false;
    for c in &todo.components {
        if !taken_alarm
            && c.name == "VALARM"
            && absolute_trigger(c) == reminder
            && reminder.is_some()
        {
            taken_alarm = true;
            continue;
        }
        kept.components.push(c.clone());
    }
    let zones: Vec<Component> = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VTIMEZONE"))
        .cloned()
        .collect();
    let extra = (!kept.properties.is_empty() || !kept.components.is_empty() || !zones.is_empty())
        .then(|| {
            let mut components = zones;
            components.push(kept);
            Calendar {
                properties: Vec::new(),
                components,
            }
            .to_string()
        });

    let draft = TaskDraft {
        title: text("SUMMARY").unwrap_or_default(),
        description: text("DESCRIPTION").filter(|d| !d.is_empty()),
        due_date: due.map(|d| d.format("%Y-%m-%d").to_string()),
        priority: priority.map(|p| p.as_str().to_string()),
        tags,
        repeat: todo.find_prop("RRULE").map(|p| p.val.as_str().to_string()),
        remind_at: reminder.map(|at| app::timestamp::format(&at)),
        list_id: None,
        list_name: None,
    };
    Ok(Read {
        draft,
        completed,
        uid,
        extra,
    })
}

/// The items of a comma-separated TEXT list, unescaped, blank ones left out.
fn split_list(raw: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') | Some('N') => current.push('\n'),
                Some(other) => current.push(other),
                None => {}
            },
            ',' => items.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    items.push(current);
    items
        .into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

fn param<'a>(p: &'a Property, key: &str) -> Option<&'a str> {
    p.params
        .iter()
        .find(|param| param.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|param| param.val.as_ref())
        .map(|v| v.as_str().trim_matches('"'))
}

/// The date a `DUE` falls on for someone in `zone`: a date as it is; a time in UTC or in its
/// `TZID` read in `zone`; a floating time on its own date.
fn date_of(p: &Property, zone: &str) -> Option<NaiveDate> {
    let value = p.val.as_str().trim();
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y%m%d") {
        return Some(date);
    }
    let at = instant(value, param(p, "TZID"))?;
    match at {
        Instant::Floating(local) => Some(local.date()),
        Instant::At(at) => {
            let zone = zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
            Some(at.with_timezone(&zone).date_naive())
        }
    }
}

enum Instant {
    At(DateTime<Utc>),
    Floating(NaiveDateTime),
}

/// A DATE-TIME value: UTC (`Z`), in a named IANA zone, or floating.
fn instant(value: &str, tzid: Option<&str>) -> Option<Instant> {
    if let Some(utc) = value.strip_suffix('Z') {
        let local = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
        return Some(Instant::At(Utc.from_utc_datetime(&local)));
    }
    let local = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok()?;
    match tzid.and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
        Some(zone) => zone
            .from_local_datetime(&local)
            .earliest()
            .map(|at| Instant::At(at.with_timezone(&Utc))),
        None => Some(Instant::Floating(local)),
    }
}

/// The instant of an alarm's `TRIGGER;VALUE=DATE-TIME:…Z` (relative triggers have none).
fn absolute_trigger(alarm: &Component) -> Option<DateTime<Utc>> {
    let trigger = alarm.find_prop("TRIGGER")?;
    match instant(trigger.val.as_str().trim(), None)? {
        Instant::At(at) => Some(at),
        Instant::Floating(_) => None,
    }
}

/// A resource's strong `ETag`, without writing it out: its id and the microsecond of its
/// last change. Every change to what `GET` sends moves `updated_at` (the task's fields, and
/// the name, UID and kept content, which only a `PUT` writes), so two versions never share
/// a tag, and a listing of many tasks tags each at no cost.
pub fn etag(resource: &app::tasks::store::dav::Resource) -> String {
    format!(
        "\"{}-{}\"",
        resource.task.id.simple(),
        resource.task.updated_at.timestamp_micros()
    )
}

/// The properties of the `VTODO` in `ics`, each as its upper-case name and its value
/// (unescaped), for a query's filters.
pub fn properties(ics: &str) -> Vec<(String, String)> {
    let unfolded = unfold(ics);
    let Ok(calendar) = read_calendar(&unfolded) else {
        return Vec::new();
    };
    let Some(todo) = calendar.components.iter().find(|c| c.name == "VTODO") else {
        return Vec::new();
    };
    todo.properties
        .iter()
        .map(|p| {
            (
                p.name.as_str().to_ascii_uppercase(),
                p.val.clone().unescape_text().as_str().to_string(),
            )
        })
        .collect()
}

mod write;

pub use write::write;

#[cfg(test)]
mod tests;

//! What a new or changed task is made from: its title and description, each already valid,
//! and the draft a form or a request gives before it is checked.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{fields, repeat::Repeat, Priority, DESCRIPTION_MAX_CHARS, TITLE_MAX_CHARS};
use crate::{
    error::{AppError, FieldError},
    ids::ListId,
    text,
};
use uuid::Uuid;

/// A title: trimmed, 1 to [`TITLE_MAX_CHARS`] characters (characters, not bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskTitle(String);

impl TaskTitle {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = text::unify_line_breaks(raw);
        let title = raw.trim();
        if title.is_empty() {
            return Err(FieldError::body(
                "title",
                "value_error.missing",
                "A task needs a title.",
            ));
        }
        if title.chars().count() > TITLE_MAX_CHARS {
            return Err(FieldError::body(
                "title",
                "value_error.too_long",
                format!("A title has at most {TITLE_MAX_CHARS} characters."),
            ));
        }
        text::refuse_control_characters("title", title)?;
        Ok(Self(title.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A description: at most [`DESCRIPTION_MAX_CHARS`] characters; blank means none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskDescription(Option<String>);

impl TaskDescription {
    pub fn parse(raw: Option<&str>) -> Result<Self, FieldError> {
        let raw = raw.map(text::unify_line_breaks);
        let Some(description) = raw.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Self(None));
        };
        if description.chars().count() > DESCRIPTION_MAX_CHARS {
            return Err(FieldError::body(
                "description",
                "value_error.too_long",
                format!("A description has at most {DESCRIPTION_MAX_CHARS} characters."),
            ));
        }
        text::refuse_control_characters("description", description)?;
        Ok(Self(Some(description.to_string())))
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// What creating or replacing a task takes, each part valid.
#[derive(Clone, Debug)]
pub struct TaskInput {
    pub title: TaskTitle,
    pub description: TaskDescription,
    pub due_date: Option<NaiveDate>,
    pub priority: Priority,
    pub tags: Vec<String>,
    /// How it repeats (only with a due date).
    pub repeat: Option<Repeat>,
    /// When to be reminded.
    pub remind_at: Option<DateTime<Utc>>,
    /// The list it goes in: on a create `None` is the Inbox, on a replace the list it is in.
    pub list: Option<ListId>,
    /// The list it goes in by name (quick add's `+list`), over `list`.
    pub list_name: Option<String>,
}

/// An imported task that passed every check (see `account::transfer`).
#[derive(Clone, Debug)]
pub struct ValidTask {
    pub input: TaskInput,
    pub is_completed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_completed_at: Option<DateTime<Utc>>,
}

/// A task as sent, before any check: the body of `POST` and `PUT`, a page's form, an
/// imported task.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDraft {
    pub title: String,
    pub description: Option<String>,
    /// `YYYY-MM-DD`; blank or absent: none.
    pub due_date: Option<String>,
    /// none, low, medium or high; absent: none.
    pub priority: Option<String>,
    pub tags: Vec<String>,
    /// An RFC 5545 rule (see [`Repeat`]); blank or absent: none.
    #[serde(default)]
    pub repeat: Option<String>,
    /// RFC 3339; blank or absent: none.
    #[serde(default)]
    pub remind_at: Option<String>,
    /// The list it goes in (see [`TaskInput::list`]).
    #[serde(default)]
    pub list_id: Option<Uuid>,
    /// The list it goes in by name (see [`TaskInput::list_name`]).
    #[serde(default)]
    pub list_name: Option<String>,
}

impl TaskDraft {
    /// Checks every field and reports every problem at once.
    pub fn validate(&self) -> Result<TaskInput, AppError> {
        let title = TaskTitle::parse(&self.title);
        let description = TaskDescription::parse(self.description.as_deref());
        let due_date = fields::parse_due_date(self.due_date.as_deref());
        let priority = Priority::parse_field(self.priority.as_deref());
        let tags = fields::parse_tags(&self.tags);
        let repeat = Repeat::parse_field(self.repeat.as_deref()).and_then(|repeat| {
            match (&repeat, &due_date) {
                (Some(_), Ok(None)) => Err(FieldError::body(
                    "repeat",
                    "value_error.repeat_needs_due_date",
                    "A repeating task needs a due_date: its first occurrence.",
                )),
                _ => Ok(repeat),
            }
        });
        let remind_at = fields::parse_remind_at(self.remind_at.as_deref());
        match (
            title,
            description,
            due_date,
            priority,
            tags,
            repeat,
            remind_at,
        ) {
            (
                Ok(title),
                Ok(description),
                Ok(due_date),
                Ok(priority),
                Ok(tags),
                Ok(repeat),
                Ok(remind_at),
            ) => Ok(TaskInput {
                title,
                description,
                due_date,
                priority,
                tags,
                repeat,
                remind_at,
                list: self.list_id.map(ListId),
                list_name: self.list_name.clone(),
            }),
            (title, description, due_date, priority, tags, repeat, remind_at) => {
                Err(AppError::validation(
                    [
                        title.err(),
                        description.err(),
                        due_date.err(),
                        priority.err(),
                        tags.err(),
                        repeat.err(),
                        remind_at.err(),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                ))
            }
        }
    }

    /// [`Self::validate`] for the JSON API, which documents `priority` as one of its exact
    /// names and `due_date` as exactly `YYYY-MM-DD`: a blank, padded or capitalised value
    /// (which a page's form may send, and [`Self::validate`] reads) is refused there.
    pub fn validate_exact(&self) -> Result<TaskInput, AppError> {
        let priority = self
            .priority
            .as_deref()
            .filter(|p| !Priority::ALL.iter().any(|name| name.as_str() == *p));
        let due_date = self
            .due_date
            .as_deref()
            .filter(|d| *d != d.trim() || fields::parse_date(d).is_none());
        // An inexact value stands in as one the lenient rules refuse too, so every field's
        // error comes back together, in the usual order and words.
        let mut exact = self.clone();
        if priority.is_some() {
            exact.priority = Some("-".into());
        }
        if due_date.is_some() {
            exact.due_date = Some("-".into());
        }
        exact.validate()
    }

    /// The title read as a quick-add line: its tokens become tags (after any given), the
    /// priority, the due date, the repeat rule and the reminder (over any given), and leave the
    /// title. `today` and `zone` are the user's: a reminder's `@HH:MM` is on the due date (or
    /// today) in that zone, and a repeat without a due date starts today.
    #[cfg(feature = "ssr")]
    pub fn with_quick_add(mut self, today: NaiveDate, zone: &str) -> Self {
        let parsed = super::quick_add::QuickAdd::parse(&self.title, today);
        self.title = parsed.title;
        self.tags.extend(parsed.tags);
        if let Some(priority) = parsed.priority {
            self.priority = Some(priority.as_str().to_string());
        }
        if let Some(date) = parsed.due_date {
            self.due_date = Some(date.to_string());
        }
        if let Some(repeat) = parsed.repeat {
            self.repeat = Some(repeat.rule());
            if self.due_date.as_deref().is_none_or(|d| d.trim().is_empty()) {
                self.due_date = Some(today.to_string());
            }
        }
        if let Some(time) = parsed.remind {
            let day = parsed.due_date.unwrap_or(today);
            if let Some(at) = super::store::local_instant(zone, day.and_time(time)) {
                self.remind_at = Some(crate::timestamp::format(&at));
            }
        }
        if parsed.list.is_some() {
            self.list_name = parsed.list;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_count_characters_not_bytes() {
        assert!(TaskTitle::parse(&"🦀".repeat(200)).is_ok());
        assert_eq!(
            TaskTitle::parse(&"🦀".repeat(201)).unwrap_err().kind,
            "value_error.too_long"
        );
        assert!(TaskTitle::parse(&"日本".repeat(100)).is_ok());
    }

    #[test]
    fn titles_are_trimmed_and_required() {
        assert_eq!(
            TaskTitle::parse("  Buy milk \n").unwrap().as_str(),
            "Buy milk"
        );
        assert_eq!(
            TaskTitle::parse(" \t ").unwrap_err().kind,
            "value_error.missing"
        );
    }

    #[test]
    fn descriptions_allow_2000_characters_and_blank_means_none() {
        assert!(TaskDescription::parse(Some(&"é".repeat(2000))).is_ok());
        assert!(TaskDescription::parse(Some(&"é".repeat(2001))).is_err());
        assert_eq!(
            TaskDescription::parse(Some("   ")).unwrap().as_deref(),
            None
        );
        assert_eq!(TaskDescription::parse(None).unwrap().as_deref(), None);
    }

    #[test]
    fn control_characters_are_refused_and_line_breaks_unified() {
        assert_eq!(
            TaskTitle::parse("a\0b").unwrap_err().kind,
            "value_error.control_characters"
        );
        assert_eq!(
            TaskDescription::parse(Some("x\u{1b}")).unwrap_err().loc,
            ["body", "description"]
        );
        assert_eq!(
            TaskDescription::parse(Some("one\r\ntwo\tthree"))
                .unwrap()
                .as_deref(),
            Some("one\ntwo\tthree")
        );
    }

    #[test]
    fn a_task_input_reports_both_fields() {
        let draft = TaskDraft {
            title: String::new(),
            description: Some("x".repeat(2001)),
            ..TaskDraft::default()
        };
        let AppError::Validation { errors, .. } = draft.validate().unwrap_err() else {
            panic!("expected 422");
        };
        let fields: Vec<_> = errors.iter().map(FieldError::field).collect();
        assert_eq!(fields, ["title", "description"]);
    }
}

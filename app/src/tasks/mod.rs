//! Tasks: the wire type, and the validated inputs shared by the page and the JSON API.

pub mod api;
pub mod fields;
pub mod query;
pub mod quick_add;
pub mod views;

#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod versions;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    error::{AppError, FieldError},
    text,
};
pub use fields::Priority;
pub use query::{Order, Sort, TaskQuery};

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 2000;
pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;
/// Tasks shown per page on `/tasks`.
pub const PAGE_SIZE: u32 = 20;

/// A task as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: Uuid,
    pub user_id: Uuid,
    /// 1 to [`TITLE_MAX_CHARS`] characters.
    pub title: String,
    /// At most [`DESCRIPTION_MAX_CHARS`] characters, or null.
    pub description: Option<String>,
    pub is_completed: bool,
    /// A calendar date (`YYYY-MM-DD`), or null.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = Date, example = "2026-01-31"))]
    pub due_date: Option<NaiveDate>,
    pub priority: Priority,
    /// Lower-case, in the order given, at most 10.
    #[cfg_attr(feature = "ssr", schema(example = json!(["home", "errands"])))]
    pub tags: Vec<String>,
    /// RFC 3339, UTC, microseconds; never changes.
    #[serde(with = "crate::timestamp")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime, example = "2026-01-06T10:00:00.123456Z"))]
    pub created_at: DateTime<Utc>,
    /// RFC 3339, UTC, microseconds; moves on every change.
    #[serde(with = "crate::timestamp")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime, example = "2026-01-06T10:00:00.123456Z"))]
    pub updated_at: DateTime<Utc>,
}

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
}

/// An imported task that passed every check (see `account::transfer`).
#[derive(Clone, Debug)]
pub struct ValidTask {
    pub input: TaskInput,
    pub is_completed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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
}

impl TaskDraft {
    /// Checks every field and reports every problem at once.
    pub fn validate(&self) -> Result<TaskInput, AppError> {
        let title = TaskTitle::parse(&self.title);
        let description = TaskDescription::parse(self.description.as_deref());
        let due_date = fields::parse_due_date(self.due_date.as_deref());
        let priority = Priority::parse_field(self.priority.as_deref());
        let tags = fields::parse_tags(&self.tags);
        match (title, description, due_date, priority, tags) {
            (Ok(title), Ok(description), Ok(due_date), Ok(priority), Ok(tags)) => Ok(TaskInput {
                title,
                description,
                due_date,
                priority,
                tags,
            }),
            (title, description, due_date, priority, tags) => Err(AppError::validation(
                [
                    title.err(),
                    description.err(),
                    due_date.err(),
                    priority.err(),
                    tags.err(),
                ]
                .into_iter()
                .flatten()
                .collect(),
            )),
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
    /// priority and the due date (over any given), and leave the title.
    pub fn with_quick_add(mut self, today: NaiveDate) -> Self {
        let parsed = quick_add::QuickAdd::parse(&self.title, today);
        self.title = parsed.title;
        self.tags.extend(parsed.tags);
        if let Some(priority) = parsed.priority {
            self.priority = Some(priority.as_str().to_string());
        }
        if let Some(date) = parsed.due_date {
            self.due_date = Some(date.to_string());
        }
        self
    }
}

/// Which tasks a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Filter {
    #[default]
    All,
    Active,
    Completed,
}

impl Filter {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Active => "active",
            Self::Completed => "completed",
        }
    }

    /// The completion state this filter keeps, if it keeps only one.
    pub fn completed(self) -> Option<bool> {
        match self {
            Self::All => None,
            Self::Active => Some(false),
            Self::Completed => Some(true),
        }
    }
}

/// One page of a list and the figures around it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskPage {
    pub tasks: Vec<Task>,
    /// How many tasks the filter matches.
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// What the task page shows: one page of the filtered list, and the counts for the footer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskBoard {
    pub page: TaskPage,
    /// Every task of the user's.
    pub counts: TaskCounts,
    /// The tasks the list selects (all its pages): what "mark all" and "clear completed"
    /// act on.
    pub matching: TaskCounts,
    /// 1-based.
    pub page_number: u32,
    pub page_count: u32,
    /// Today in the user's time zone: what due dates are read against.
    pub today: NaiveDate,
    /// The user's tags, most used first.
    pub tags: Vec<TagCount>,
}

/// A tag and how many of the user's tasks carry it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TagCount {
    #[cfg_attr(feature = "ssr", schema(example = "home"))]
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(example = 3))]
    pub count: u64,
}

/// What one deletion from the task page took away, for its "Undo": the batch that brings
/// it back, how many tasks, the first few ids (where focus goes after an undo), and the title
/// when it was one task.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    pub batch: Uuid,
    pub count: u64,
    /// At most [`Removed::IDS_KEPT`], in the order taken.
    pub ids: Vec<Uuid>,
    pub title: Option<String>,
}

impl Removed {
    /// The most ids an answer carries: a page's worth, whatever the number deleted.
    pub const IDS_KEPT: usize = PAGE_SIZE as usize;

    /// What the page says once it is done: "Deleted “Buy milk”" or "Deleted 3 tasks".
    pub fn message(&self) -> String {
        match (&self.title, self.count) {
            (Some(title), 1) => format!("Deleted “{title}”."),
            (_, 1) => "Deleted 1 task.".into(),
            (_, n) => format!("Deleted {n} tasks."),
        }
    }
}

/// What one "mark all done" (or "not done") from the task page changed, for its "Undo".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marked {
    /// What an undo names.
    pub batch: Uuid,
    /// How many tasks changed.
    pub count: u64,
    /// What they were marked: done, or not done.
    pub completed: bool,
}

impl Marked {
    /// What the page says once it is done: "Marked 3 tasks done."
    pub fn message(&self) -> String {
        let state = if self.completed { "done" } else { "not done" };
        match self.count {
            0 => "Nothing to mark: every task shown already is.".into(),
            1 => format!("Marked 1 task {state}."),
            n => format!("Marked {n} tasks {state}."),
        }
    }
}

/// How many of a user's tasks are still to do and done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskCounts {
    pub active: u64,
    pub completed: u64,
}

impl TaskCounts {
    /// How many tasks the filter keeps.
    pub fn matching(self, filter: Filter) -> u64 {
        match filter {
            Filter::All => self.active + self.completed,
            Filter::Active => self.active,
            Filter::Completed => self.completed,
        }
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

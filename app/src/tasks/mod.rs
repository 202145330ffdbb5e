//! Tasks: the wire type, and the validated inputs shared by the page and the JSON API.

pub mod api;
pub mod fields;
mod input;
pub mod lists;
pub mod query;
pub mod quick_add;
pub mod repeat;
pub mod views;

#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod versions;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use fields::Priority;
pub use input::{TaskDescription, TaskDraft, TaskInput, TaskTitle, ValidTask};
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
    /// The account that created it (in a shared list, perhaps not yours).
    pub user_id: Uuid,
    /// The list it is in.
    pub list_id: Uuid,
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
    /// How it repeats: an RFC 5545 rule such as `FREQ=WEEKLY;BYDAY=MO,TH`, or null.
    #[cfg_attr(
        feature = "ssr",
        schema(example = "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH")
    )]
    pub repeat: Option<String>,
    /// When a repeating task was last completed (RFC 3339), or null. Read-only.
    #[serde(default, with = "crate::timestamp::option")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime, example = "2026-01-06T10:00:00.123456Z"))]
    pub last_completed_at: Option<DateTime<Utc>>,
    /// When to be reminded (RFC 3339), or null.
    #[serde(default, with = "crate::timestamp::option")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime, example = "2026-01-06T09:00:00.000000Z"))]
    pub remind_at: Option<DateTime<Utc>>,
    /// RFC 3339, UTC, microseconds; never changes.
    #[serde(with = "crate::timestamp")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime, example = "2026-01-06T10:00:00.123456Z"))]
    pub created_at: DateTime<Utc>,
    /// RFC 3339, UTC, microseconds; moves on every change.
    #[serde(with = "crate::timestamp")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime, example = "2026-01-06T10:00:00.123456Z"))]
    pub updated_at: DateTime<Utc>,
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
    /// The tasks the list selects (all its pages).
    pub matching: TaskCounts,
    /// Those of `matching` the user may change (not in a list they only view): what "mark
    /// all" and "clear completed" act on.
    pub changeable: TaskCounts,
    /// 1-based.
    pub page_number: u32,
    pub page_count: u32,
    /// Today in the user's time zone: what due dates are read against.
    pub today: NaiveDate,
    /// The user's tags, most used first.
    pub tags: Vec<TagCount>,
    /// Who may change what is shown, and who added it.
    pub sharing: PageSharing,
    /// The reminders of the page's tasks, in the user's time zone.
    pub reminders: Vec<(Uuid, NaiveDateTime)>,
}

/// What the task page shows of sharing on one page of tasks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSharing {
    /// The lists (of the page's tasks, and the list shown) the user may only read.
    pub read_only: Vec<Uuid>,
    /// The other accounts that added tasks on the page.
    pub authors: Vec<Author>,
    /// The name of the list shown, when one list is (the page's heading).
    pub shown_name: Option<String>,
}

impl PageSharing {
    /// Whether the user may only read list `list`.
    pub fn reads_only(&self, list: Uuid) -> bool {
        self.read_only.contains(&list)
    }

    /// Who added `task`, when it was someone else.
    pub fn added_by(&self, task: &Task) -> Option<&str> {
        self.authors
            .iter()
            .find(|a| a.id == task.user_id)
            .map(|a| a.name.as_str())
    }
}

/// An account that added a task, by its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub id: Uuid,
    pub name: String,
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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

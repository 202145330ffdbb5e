//! A task as the database holds it, and what every query shares about it.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    error::AppError,
    ids::{ListId, TaskId, UserId},
    tasks::{events::Change, Priority, Task},
};

/// A task's columns (`reminder_due`, its `remind_at` while still to be sent, is read only so
/// that an undone deletion puts it back). `user_id` is the owner of the task's list (every index and count is
/// keyed by it); `created_by` is who made it, the `user_id` the API shows.
pub(super) const COLUMNS: &str =
    "id, user_id, list_id, created_by, title, description, is_completed, due_date, priority, \
     tags, title_key, created_at, updated_at, repeat, repeat_anchor, last_completed_at, \
     remind_at, reminder_due";

#[derive(sqlx::FromRow)]
pub(crate) struct TaskRow {
    pub(super) id: TaskId,
    pub(super) list_id: ListId,
    pub(super) created_by: UserId,
    pub(super) title: String,
    pub(super) description: Option<String>,
    pub(super) is_completed: bool,
    pub(super) due_date: Option<NaiveDate>,
    pub(super) priority: i32,
    pub(super) tags: String,
    pub(super) title_key: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) repeat: Option<String>,
    /// The due date a repeating task's series started from.
    pub(super) repeat_anchor: Option<NaiveDate>,
    pub(super) last_completed_at: Option<DateTime<Utc>>,
    pub(super) remind_at: Option<DateTime<Utc>>,
}

impl From<TaskRow> for Task {
    fn from(row: TaskRow) -> Self {
        Self {
            id: row.id.as_uuid(),
            user_id: row.created_by.as_uuid(),
            list_id: row.list_id.as_uuid(),
            title: row.title,
            description: row.description,
            is_completed: row.is_completed,
            due_date: row.due_date,
            priority: Priority::from_rank(row.priority),
            // Written by `tags_json` only; a row that somehow holds something else reads as
            // untagged rather than failing the whole list.
            tags: serde_json::from_str(&row.tags).unwrap_or_default(),
            repeat: row.repeat,
            last_completed_at: row.last_completed_at,
            remind_at: row.remind_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

pub(super) fn not_found() -> AppError {
    AppError::NotFound("There is no such task.".into())
}

pub(super) fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

/// What sorting by title compares: the title without accents, lower-cased, so "Água" sorts
/// with the a's rather than after every ASCII letter (byte order, which both engines share).
pub(super) fn title_key(title: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization as _};
    title
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

/// The change each of these rows' tasks underwent, and how many there are.
pub(super) fn counted(rows: Vec<TaskRow>, change: fn(&Task) -> Change) -> (u64, Vec<Change>) {
    let changes: Vec<Change> = rows
        .into_iter()
        .map(|row| change(&Task::from(row)))
        .collect();
    (changes.len() as u64, changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_sort_without_accents_or_case() {
        assert_eq!(title_key("Água Fría"), "agua fria");
        assert_eq!(title_key("ÉCOLE"), "ecole");
        assert_eq!(title_key("日本 Straße"), "日本 straße");
        assert!(title_key("Água") < title_key("buy"));
    }
}

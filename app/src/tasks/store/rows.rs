//! A task as the database holds it, and what every query shares about it.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};

use crate::{
    error::AppError,
    ids::{ListId, TaskId, UserId},
    tasks::{events::Change, Order, Priority, Sort, Task},
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

/// A row of one stretch of a merged listing (see `listing::rows`): `part_no` is the
/// stretch's place in the list.
#[derive(sqlx::FromRow)]
pub(super) struct Ranked {
    #[sqlx(flatten)]
    pub(super) row: TaskRow,
    pub(super) part_no: i32,
}

impl Ranked {
    /// The listing's order, as its SQL gives each stretch: the stretches in turn, then the
    /// sort's column in `order` (equal within a stretch that reads only ties), then the
    /// newest first. Titles compare by bytes, as their `C`/binary collation does.
    pub(super) fn order(sort: Sort, order: Order) -> impl Fn(&Self, &Self) -> Ordering {
        move |a, b| {
            let (x, y) = (&a.row, &b.row);
            let by_column = match sort {
                Sort::Created => x.created_at.cmp(&y.created_at),
                Sort::Updated => x.updated_at.cmp(&y.updated_at),
                Sort::Due => x.due_date.cmp(&y.due_date),
                Sort::Priority => x.priority.cmp(&y.priority),
                Sort::Title => x.title_key.as_bytes().cmp(y.title_key.as_bytes()),
            };
            let by_column = match order {
                Order::Asc => by_column,
                Order::Desc => by_column.reverse(),
            };
            a.part_no
                .cmp(&b.part_no)
                .then(by_column)
                .then_with(|| y.created_at.cmp(&x.created_at))
                .then_with(|| y.id.cmp(&x.id))
        }
    }
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

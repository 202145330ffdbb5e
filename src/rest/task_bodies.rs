//! What the task routes read and send besides a task: the bodies of a create and an update,
//! the list's query (filters, sort and paging) and its page.

use std::collections::HashMap;

use app::{
    error::{AppError, FieldError},
    tasks::{store::Cursor, Task, TaskDraft, TaskQuery, DEFAULT_LIMIT, MAX_LIMIT},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The body of `POST` and `PUT`. A `user_id` or `id` sent along is ignored. On `PUT` an
/// omitted field is cleared.
#[derive(Deserialize, ToSchema)]
pub struct TaskRequest {
    /// Trimmed. With `?parse=true` on `POST`, read as a quick-add line first.
    #[schema(example = "Buy milk")]
    pub title: String,
    /// Omitted or null clears it.
    #[serde(default)]
    pub description: Option<String>,
    /// The list the task goes in (you must be its owner or an editor). On `POST`, omitted:
    /// your Inbox; on `PUT`, omitted: the list it is in (moving a task needs owner or
    /// editor on both lists).
    #[serde(default)]
    pub list_id: Option<Uuid>,
    /// A calendar date `YYYY-MM-DD`; omitted or null: none.
    #[serde(default)]
    #[schema(example = "2026-01-31", format = Date)]
    pub due_date: Option<String>,
    /// `none` (default), `low`, `medium` or `high`.
    #[serde(default)]
    #[schema(value_type = Option<app::tasks::Priority>)]
    pub priority: Option<String>,
    /// At most 10, each 1 to 32 letters (any script), digits, `-` or `_`; trimmed, stored
    /// lower-case, duplicates merged, order kept.
    #[serde(default)]
    #[schema(example = json!(["home", "errands"]))]
    pub tags: Option<Vec<String>>,
    /// How the task repeats: an RFC 5545 rule of `FREQ` (`DAILY`, `WEEKLY`, `MONTHLY`,
    /// `YEARLY`), `INTERVAL` (1 to 365, default 1) and, with `WEEKLY`, `BYDAY` (`MO` … `SU`).
    /// Needs a `due_date`. Sent back as `FREQ=…[;INTERVAL=…][;BYDAY=…]` (no `INTERVAL` when it
    /// is 1, days Monday first). Completing a repeating task moves its `due_date` to the next
    /// occurrence after today instead (and its `remind_at` by as many days); `MONTHLY` from the
    /// 31st falls on shorter months' last day, `YEARLY` from 29 February on 28 February.
    /// Omitted or null: none.
    #[serde(default)]
    #[schema(example = "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH")]
    pub repeat: Option<String>,
    /// When to be reminded: an RFC 3339 timestamp (any offset; sent back in UTC). When it
    /// passes, one `task.reminder` event goes to the streams of the list's members. A time
    /// already past when it is set is kept but sends nothing. Omitted or null: none.
    #[serde(default)]
    #[schema(example = "2026-01-06T09:00:00Z", format = DateTime)]
    pub remind_at: Option<String>,
}

impl TaskRequest {
    pub(super) fn draft(self) -> TaskDraft {
        TaskDraft {
            title: self.title,
            description: self.description,
            due_date: self.due_date,
            priority: self.priority,
            tags: self.tags.unwrap_or_default(),
            repeat: self.repeat,
            remind_at: self.remind_at,
            list_id: self.list_id,
            list_name: None,
        }
    }
}

/// `?parse=true` on a create.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreateQuery {
    /// Read the title as a quick-add line: `#tag`, `!low` / `!medium` / `!high`,
    /// `^YYYY-MM-DD`, `^today`, `^tomorrow`, `^monday` … `^sunday` (the next such day, in
    /// your time zone), `+list` (a list of yours by name), `*daily`, `*weekly`, `*monthly`,
    /// `*yearly`, `*weekdays`, `*every N days|weeks|months|years` (a repeat; due today unless
    /// a date is given) and `@HH:MM` (a reminder at that time on the due date, or today, in
    /// your time zone) are taken out of the title into the task's fields. Tags typed add to
    /// `tags`; a priority or date typed wins over the body's.
    #[param(default = false)]
    pub parse: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
pub struct CompletionRequest {
    pub is_completed: bool,
}

/// One page of the caller's tasks, in the order asked for.
#[derive(Serialize, ToSchema)]
pub struct TaskList {
    pub tasks: Vec<Task>,
    /// How many of the caller's tasks match the filters, in all.
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
    /// Pass as `cursor` to get the tasks after this page; null when none follow. Unlike a
    /// large `offset`, a cursor costs the same however deep the page.
    #[schema(example = "AAYVpCZ-nAMBmm5gp3pwUbaXxUzY8A3A")]
    pub next_cursor: Option<String>,
}

/// Paging: `limit` (see its bounds), `offset` 0 or more (default 0), or a `cursor` from a
/// previous page's `next_cursor` (keyset pagination, as fast on page 1,000 as on page 1), or
/// both (`offset` then counts from the cursor). Filters combine (a task must pass each);
/// ties in any sort break by `created_at`, then `id`, descending.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListQuery {
    /// How many tasks to return.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// How many tasks to skip. Past the end gives an empty page with the true total.
    #[param(minimum = 0, default = 0)]
    pub offset: Option<u64>,
    /// Start just after the task a previous page's `next_cursor` names (with the same
    /// `sort` and `order`). Opaque; a cursor that no page gave is 422.
    pub cursor: Option<String>,
    /// Full-text search in title and description: every word must appear, the last one
    /// as a prefix (`mil` finds "milk"). At most 200 characters.
    #[param(example = "milk bre")]
    pub q: Option<String>,
    /// `all` (default), `active` or `completed`.
    #[param(value_type = Option<String>, pattern = "^(all|active|completed)$")]
    pub status: Option<String>,
    /// One or more of `none`, `low`, `medium`, `high`, comma separated: any of them.
    #[param(example = "high,medium")]
    pub priority: Option<String>,
    /// One or more tags, comma separated: a task must carry all of them.
    #[param(example = "home,errands")]
    pub tag: Option<String>,
    /// Due on or before this date (`YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date)]
    pub due_before: Option<String>,
    /// Due on or after this date (`YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date)]
    pub due_after: Option<String>,
    /// `true`: not completed and due before today, in your time zone.
    pub overdue: Option<bool>,
    /// `true`: only tasks that repeat; `false`: only those that do not.
    pub repeating: Option<bool>,
    /// `created` (default), `updated`, `due`, `priority` or `title`. Tasks without a due
    /// date come after those with one, in both orders.
    #[param(value_type = Option<String>, pattern = "^(created|updated|due|priority|title)$")]
    pub sort: Option<String>,
    /// `asc` or `desc`; by default `desc` for created, updated and priority, `asc` for due
    /// and title.
    #[param(value_type = Option<String>, pattern = "^(asc|desc)$")]
    pub order: Option<String>,
    /// One list's tasks only (a list's `id`; 404 when you are not one of its members).
    /// Without it: the tasks of every list you are a member of.
    pub list: Option<Uuid>,
}

impl ListQuery {
    pub(super) fn parse(
        query: &HashMap<String, String>,
    ) -> Result<(TaskQuery, u32, u64, Option<Cursor>), AppError> {
        let mut errors = Vec::new();
        let list = TaskQuery::parse(|name| query.get(name).map(String::as_str))
            .map_err(|mut e| errors.append(&mut e))
            .ok();
        let limit = match query.get("limit").map(|v| v.trim().parse::<u32>()) {
            None => Some(DEFAULT_LIMIT),
            Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => Some(n),
            Some(_) => {
                errors.push(FieldError::query(
                    "limit",
                    "value_error.number",
                    format!("limit must be a whole number from 1 to {MAX_LIMIT}."),
                ));
                None
            }
        };
        let offset = match query.get("offset").map(|v| v.trim().parse::<u64>()) {
            None => Some(0),
            Some(Ok(n)) if n <= i64::MAX as u64 => Some(n),
            Some(_) => {
                errors.push(FieldError::query(
                    "offset",
                    "value_error.number",
                    "offset must be a whole number, 0 or more.",
                ));
                None
            }
        };
        let cursor = match query.get("cursor").map(|v| Cursor::decode(v.trim())) {
            None => Some(None),
            Some(Some(cursor)) => match &list {
                Some(list) if !cursor.fits(list.sort, list.order()) => {
                    errors.push(FieldError::query(
                        "cursor",
                        "value_error.cursor",
                        "This cursor belongs to a list in another order: keep sort and order as they were.",
                    ));
                    None
                }
                _ => Some(Some(cursor)),
            },
            Some(None) => {
                errors.push(FieldError::query(
                    "cursor",
                    "value_error.cursor",
                    "cursor must be a next_cursor value from an earlier page.",
                ));
                None
            }
        };
        match (list, limit, offset, cursor) {
            (Some(list), Some(limit), Some(offset), Some(cursor)) if errors.is_empty() => {
                Ok((list, limit, offset, cursor))
            }
            _ => Err(AppError::validation(errors)),
        }
    }
}

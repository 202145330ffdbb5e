//! Moving a user's lists and tasks between instances: the export document (version 2: the
//! lists the user owns, each with its tasks) and the checks an import passes before
//! anything is stored (all or nothing). An import reads version 1 (tasks only, into the
//! Inbox) and version 2.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    auth::User,
    error::{AppError, FieldError},
    tasks::{
        lists::{ListName, MAX_OWNED_LISTS},
        Task, TaskDraft, ValidTask,
    },
};

/// The export document's `format`.
pub const FORMAT: &str = "todo-export";
/// The export document's `version`.
pub const VERSION: u32 = 2;
/// The most tasks one import takes.
pub const IMPORT_MAX_TASKS: usize = 10_000;
/// The largest import body read: room for the most tasks, each with a long description.
pub const IMPORT_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Everything a user has, as `GET /api/{user_id}/export` gives it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportDocument {
    #[cfg_attr(feature = "ssr", schema(example = "todo-export"))]
    pub format: String,
    #[cfg_attr(feature = "ssr", schema(example = 1))]
    pub version: u32,
    pub user: User,
    /// The lists the user owns, the Inbox first, then by name.
    pub lists: Vec<ExportedList>,
}

/// A list the user owns, with its tasks, in an export.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExportedList {
    #[cfg_attr(feature = "ssr", schema(example = "Groceries"))]
    pub name: String,
    /// Whether it is the Inbox: an import files its tasks into the importer's Inbox.
    pub inbox: bool,
    /// Its tasks, oldest first.
    pub tasks: Vec<Task>,
}

/// What an import reads: an export document (its `user` and each task's `id`, `user_id`
/// and `list_id` are ignored: the tasks become the caller's, with new ids). Version 1 has
/// `tasks`, all filed into the Inbox; version 2 has `lists`, each filed into the caller's
/// list of that name (made if they have none; the Inbox's into their Inbox).
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportDocument {
    #[cfg_attr(feature = "ssr", schema(example = "todo-export"))]
    pub format: String,
    /// 1 or 2.
    #[cfg_attr(feature = "ssr", schema(example = 2))]
    pub version: u32,
    /// Version 1: the tasks.
    #[serde(default)]
    pub tasks: Option<Vec<ImportedTask>>,
    /// Version 2: the lists, with their tasks.
    #[serde(default)]
    pub lists: Option<Vec<ImportedList>>,
}

/// One list of a version 2 import.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportedList {
    #[cfg_attr(feature = "ssr", schema(example = "Groceries"))]
    pub name: String,
    /// Whether it was the Inbox (its tasks go into the importer's Inbox, whatever its name).
    #[serde(default)]
    pub inbox: bool,
    #[serde(default)]
    pub tasks: Vec<ImportedTask>,
}

/// One task of an import: the fields of a task, ids aside.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportedTask {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub is_completed: bool,
    /// `YYYY-MM-DD` or null.
    #[serde(default)]
    pub due_date: Option<String>,
    /// none (default), low, medium or high.
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Kept as it is; RFC 3339.
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime))]
    pub created_at: DateTime<Utc>,
    /// Kept as it is; RFC 3339. Defaults to `created_at`.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime))]
    pub updated_at: Option<DateTime<Utc>>,
    /// As on a create: an RFC 5545 rule, with a `due_date`.
    #[serde(default)]
    pub repeat: Option<String>,
    /// As on a create: RFC 3339. A reminder already past is kept but never sent.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime))]
    pub remind_at: Option<String>,
    /// Kept as it is; RFC 3339.
    #[serde(default, with = "crate::timestamp::option")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime))]
    pub last_completed_at: Option<DateTime<Utc>>,
}

impl ImportDocument {
    /// Every task checked as a create would check it, and every list's name; the first bad
    /// one is named (`["body", "tasks", i, field]`, or `["body", "lists", i, "tasks", j,
    /// field]`) and nothing is imported. Each task says its list by name (`list_name`;
    /// none: the Inbox).
    pub fn validate(self) -> Result<Vec<ValidTask>, AppError> {
        let refused = |field: &str, kind: &str, msg: String| {
            Err(AppError::invalid_field(FieldError::body(field, kind, msg)))
        };
        if self.format != FORMAT {
            return refused(
                "format",
                "value_error.format",
                format!("This is not an export of this app: format must be \"{FORMAT}\"."),
            );
        }
        let lists = match (self.version, self.tasks, self.lists) {
            (1, Some(tasks), _) => vec![ImportedList {
                name: String::new(),
                inbox: true,
                tasks,
            }],
            (2, _, Some(lists)) => lists,
            (1, None, _) => {
                return refused(
                    "tasks",
                    "value_error.missing",
                    "A version 1 export has tasks.".into(),
                )
            }
            (2, _, None) => {
                return refused(
                    "lists",
                    "value_error.missing",
                    "A version 2 export has lists.".into(),
                )
            }
            _ => {
                return refused(
                    "version",
                    "value_error.version",
                    format!("Only version 1 and {VERSION} exports can be imported."),
                )
            }
        };
        if lists.len() as u64 > MAX_OWNED_LISTS {
            return refused(
                "lists",
                "value_error.too_many",
                format!("One import takes at most {MAX_OWNED_LISTS} lists."),
            );
        }
        if lists.iter().map(|l| l.tasks.len()).sum::<usize>() > IMPORT_MAX_TASKS {
            return refused(
                "tasks",
                "value_error.too_many",
                format!("One import takes at most {IMPORT_MAX_TASKS} tasks."),
            );
        }
        let version_1 = self.version == 1;
        let mut valid = Vec::new();
        for (i, list) in lists.into_iter().enumerate() {
            let name = if list.inbox {
                None
            } else {
                let name = ListName::parse(&list.name)
                    .map_err(|e| AppError::invalid_field(e.in_array("lists", i)))?;
                Some(name.as_str().to_string())
            };
            for (j, task) in list.tasks.into_iter().enumerate() {
                let mut task = task.validate().map_err(|e| {
                    AppError::invalid_field(if version_1 {
                        e.in_array("tasks", j)
                    } else {
                        e.in_nested("lists", i, "tasks", j)
                    })
                })?;
                task.input.list_name.clone_from(&name);
                valid.push(task);
            }
        }
        Ok(valid)
    }
}

impl ImportedTask {
    fn validate(self) -> Result<ValidTask, FieldError> {
        let draft = TaskDraft {
            title: self.title,
            description: self.description,
            due_date: self.due_date,
            priority: self.priority,
            tags: self.tags.unwrap_or_default(),
            repeat: self.repeat,
            remind_at: self.remind_at,
            list_id: None,
            list_name: None,
        };
        let input = match draft.validate() {
            Ok(input) => input,
            Err(AppError::Validation { errors, .. }) => {
                return Err(errors.into_iter().next().unwrap_or_else(|| {
                    FieldError::body("title", "value_error", "This task is not valid.")
                }))
            }
            Err(_) => {
                return Err(FieldError::body(
                    "title",
                    "value_error",
                    "This task is not valid.",
                ))
            }
        };
        let updated_at = self.updated_at.unwrap_or(self.created_at);
        if updated_at < self.created_at {
            return Err(FieldError::body(
                "updated_at",
                "value_error.before_created",
                "updated_at cannot be earlier than created_at.",
            ));
        }
        Ok(ValidTask {
            input,
            is_completed: self.is_completed,
            created_at: self.created_at,
            updated_at,
            last_completed_at: self.last_completed_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(tasks: serde_json::Value) -> ImportDocument {
        serde_json::from_value(serde_json::json!({
            "format": "todo-export", "version": 1, "tasks": tasks
        }))
        .unwrap()
    }

    #[test]
    fn the_first_bad_task_is_named_by_its_position_and_field() {
        let doc = document(serde_json::json!([
            {"title": "fine", "created_at": "2026-01-06T10:00:00.123456Z"},
            {"title": "also fine", "created_at": "2026-01-06T10:00:00Z"},
            {"title": "   ", "created_at": "2026-01-06T10:00:00Z"},
            {"title": "x".repeat(201), "created_at": "2026-01-06T10:00:00Z"},
        ]));
        let AppError::Validation { errors, .. } = doc.validate().unwrap_err() else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(
            serde_json::to_value(&errors[0].loc).unwrap(),
            serde_json::json!(["body", "tasks", 2, "title"])
        );
    }

    #[test]
    fn times_are_kept_and_updated_defaults_to_created() {
        let tasks = document(serde_json::json!([
            {"title": "t", "description": "d", "is_completed": true,
             "created_at": "2026-01-06T10:00:00.123456Z", "id": "ignored", "user_id": "ignored"},
        ]))
        .validate()
        .unwrap();
        assert_eq!(tasks[0].created_at, tasks[0].updated_at);
        assert!(tasks[0].is_completed);
        assert_eq!(tasks[0].input.description.as_deref(), Some("d"));
    }

    #[test]
    fn another_format_or_version_is_refused() {
        let mut doc = document(serde_json::json!([]));
        doc.format = "something-else".into();
        assert!(doc.validate().is_err());
        let mut doc = document(serde_json::json!([]));
        doc.version = 2;
        assert!(doc.validate().is_err());
    }
}

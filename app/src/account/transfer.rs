//! Moving a user's tasks between instances: the export document and the checks an import
//! passes before anything is stored (all or nothing).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    auth::User,
    error::{AppError, FieldError},
    tasks::{Task, TaskDraft, ValidTask},
};

/// The export document's `format`.
pub const FORMAT: &str = "todo-export";
/// The export document's `version`.
pub const VERSION: u32 = 1;
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
    /// Every task, oldest first.
    pub tasks: Vec<Task>,
}

/// What an import reads: an export document (its `user` and each task's `id` and
/// `user_id` are ignored: the tasks become the caller's, with new ids).
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportDocument {
    #[cfg_attr(feature = "ssr", schema(example = "todo-export"))]
    pub format: String,
    #[cfg_attr(feature = "ssr", schema(example = 1))]
    pub version: u32,
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
}

impl ImportDocument {
    /// Every task checked as a create would check it; the first bad one is named
    /// (`["body", "tasks", i, field]`) and nothing is imported.
    pub fn validate(self) -> Result<Vec<ValidTask>, AppError> {
        if self.format != FORMAT {
            return Err(AppError::invalid_field(FieldError::body(
                "format",
                "value_error.format",
                format!("This is not an export of this app: format must be \"{FORMAT}\"."),
            )));
        }
        if self.version != VERSION {
            return Err(AppError::invalid_field(FieldError::body(
                "version",
                "value_error.version",
                format!("Only version {VERSION} exports can be imported."),
            )));
        }
        if self.tasks.len() > IMPORT_MAX_TASKS {
            return Err(AppError::invalid_field(FieldError::body(
                "tasks",
                "value_error.too_many",
                format!("One import takes at most {IMPORT_MAX_TASKS} tasks."),
            )));
        }
        self.tasks
            .into_iter()
            .enumerate()
            .map(|(i, task)| task.validate().map_err(|e| e.in_array("tasks", i)))
            .collect::<Result<Vec<_>, FieldError>>()
            .map_err(AppError::invalid_field)
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

//! Server functions for the task page: thin adapters over `tasks::store`, each acting for
//! the logged-in user only. As plain form posts they answer with a redirect back to the page
//! (its filter and page kept in the URL); edits and deletes name that page in a hidden `next`
//! field, checked by `safe_next`, so leaving edit mode needs no guessing from `Referer`.

use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use super::{fields::split_tags, TaskDraft};
use super::{Marked, Removed, Task, TaskBoard};
use crate::error::AppError;

/// Runs a server function's body for the logged-in user (401 otherwise) with the shared
/// state and today's date in the user's time zone, and answers its error with the error's
/// own status.
#[cfg(feature = "ssr")]
pub(in crate::tasks) async fn as_caller<T, F>(
    body: impl FnOnce(crate::auth::extract::Identity, crate::ids::UserId, chrono::NaiveDate) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    as_caller_in_zone(|state, owner, zone| body(state, owner, super::store::today_in(&zone))).await
}

/// [`as_caller`], with the name of the user's time zone rather than today's date.
#[cfg(feature = "ssr")]
pub(in crate::tasks) async fn as_caller_in_zone<T, F>(
    body: impl FnOnce(crate::auth::extract::Identity, crate::ids::UserId, String) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    crate::auth::extract::as_signed_in_user(|state, auth| {
        body(state, auth.id(), auth.user.time_zone)
    })
    .await
}

/// A task as a page's form sends it: tags typed in one box, blanks meaning "none".
#[cfg(feature = "ssr")]
fn draft(
    title: String,
    description: Option<String>,
    due_date: Option<String>,
    priority: Option<String>,
    tags: Option<String>,
) -> TaskDraft {
    TaskDraft {
        tags: split_tags(tags.as_deref().unwrap_or_default())
            .into_iter()
            .map(str::to_string)
            .collect(),
        title,
        description,
        due_date,
        priority,
        repeat: None,
        remind_at: None,
        list_id: None,
        list_name: None,
    }
}

/// After a plain form post, go to `next` (a path on this site); the hydrated app stays put.
#[cfg(feature = "ssr")]
fn redirect_to(next: Option<&str>) {
    if next.is_some() && crate::error::is_plain_form_post() {
        leptos_axum::redirect(&crate::auth::safe_next(next));
    }
}

/// The page's list: `params` are the list's query parameters by name
/// ([`super::TaskQuery::params`]), read by the API's own parser, with its limits and its 422s.
#[server(prefix = "/rpc", endpoint = "tasks/board")]
pub async fn load_board(
    // Absent when the list is as it is by default (an empty map sends nothing).
    #[server(default)] params: std::collections::BTreeMap<String, String>,
    page: u32,
) -> Result<TaskBoard, AppError> {
    as_caller_in_zone(|state, owner, zone| async move {
        let query = list_query(&params)?;
        super::store::board(&state.db, owner, &query, &zone, page).await
    })
    .await
}

/// Adds a task; its title is read as a quick-add line (`#tag`, `!high`, `^friday`…), over
/// the optional fields beside it.
#[server(prefix = "/rpc", endpoint = "tasks/add")]
pub async fn add_task(
    title: String,
    description: Option<String>,
    due_date: Option<String>,
    priority: Option<String>,
    tags: Option<String>,
    /// The list shown (none: the Inbox); a `+list` typed in the title wins.
    list_id: Option<Uuid>,
) -> Result<Task, AppError> {
    let draft = TaskDraft {
        list_id,
        ..draft(title, description, due_date, priority, tags)
    };
    as_caller_in_zone(|state, owner, zone| async move {
        let today = super::store::today_in(&zone);
        let input = draft.with_quick_add(today, &zone).validate()?;
        super::store::create(&state.db, owner, &input).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "tasks/complete")]
pub async fn set_task_completed(id: Uuid, completed: bool) -> Result<Task, AppError> {
    as_caller_in_zone(|state, owner, zone| async move {
        let expect = Default::default();
        super::store::set_completed(&state.db, owner, id.into(), completed, &expect, &zone).await
    })
    .await
}

// One argument per form field: the no-JavaScript form posts them by name.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/rpc", endpoint = "tasks/edit")]
pub async fn edit_task(
    id: Uuid,
    title: String,
    description: Option<String>,
    due_date: Option<String>,
    priority: Option<String>,
    tags: Option<String>,
    /// The repeat picker's fields (`repeat[freq]`, `repeat[every]`, `repeat[mo]` …).
    #[server(default)]
    repeat: super::repeat::RepeatForm,
    /// The reminder's wall-clock time in the user's zone (`YYYY-MM-DDTHH:MM`); blank: none.
    remind_at: Option<String>,
    next: Option<String>,
    version: Option<String>,
) -> Result<Task, AppError> {
    // The task's `updated_at` when the form was opened: a change made elsewhere since then
    // is not overwritten.
    let expect = version
        .and_then(|v| chrono::DateTime::parse_from_rfc3339(v.trim()).ok())
        .map_or(super::versions::Expect::Nothing, |at| {
            super::versions::Expect::UpdatedAt(at.to_utc())
        });
    let mut draft = draft(title, description, due_date, priority, tags);
    as_caller_in_zone(|state, owner, zone| async move {
        draft.repeat = repeat.rule().map_err(|e| AppError::validation(vec![e]))?;
        draft.remind_at = local_reminder(remind_at.as_deref(), &zone)?;
        let input = draft.validate()?;
        let task = super::store::update(&state.db, owner, id.into(), &input, &expect)
            .await
            .map_err(|error| match error {
                AppError::PreconditionFailed(_) => AppError::PreconditionFailed(
                    "Not saved: this task was changed elsewhere since you opened it.".into(),
                ),
                error => error,
            })?;
        redirect_to(next.as_deref());
        Ok(task)
    })
    .await
}

/// A reminder as a page's form sends it (a wall-clock time in the user's `zone`), as the
/// API takes it (RFC 3339); blank means none.
#[cfg(feature = "ssr")]
fn local_reminder(raw: Option<&str>, zone: &str) -> Result<Option<String>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(raw, format).ok())
        .and_then(|local| super::store::local_instant(zone, local));
    match local {
        Some(at) => Ok(Some(crate::timestamp::format(&at))),
        None => Err(AppError::validation(vec![crate::error::FieldError::body(
            "remind_at",
            "value_error.datetime",
            "A reminder is a date and a time, such as 2026-12-24 09:00.",
        )])),
    }
}

/// Deletes a task, keeping it a while for "Undo" ([`restore_deleted`]). A plain form post
/// (no JavaScript, so no undo) asks first: without `confirmed` it only goes to the page's
/// confirmation step.
#[server(prefix = "/rpc", endpoint = "tasks/delete")]
pub async fn delete_task(
    id: Uuid,
    next: Option<String>,
    confirmed: Option<bool>,
) -> Result<Removed, AppError> {
    as_caller(|state, owner, _| async move {
        if ask_first(confirmed, next.as_deref(), &format!("delete={id}")) {
            return Ok(Removed::default());
        }
        let removed =
            super::store::remove(&state.db, owner, super::store::Removal::Task(id.into())).await?;
        redirect_to(next.as_deref());
        Ok(removed)
    })
    .await
}

/// Deletes every completed task the list selects (`params`, as [`load_board`] takes them;
/// every page of it), keeping them a while for "Undo"; asks first like [`delete_task`].
#[server(prefix = "/rpc", endpoint = "tasks/clear-completed")]
pub async fn clear_completed(
    next: Option<String>,
    confirmed: Option<bool>,
    #[server(default)] params: std::collections::BTreeMap<String, String>,
) -> Result<Removed, AppError> {
    as_caller(|state, owner, today| async move {
        let query = list_query(&params)?;
        if ask_first(confirmed, next.as_deref(), "clear=completed") {
            return Ok(Removed::default());
        }
        let removal = super::store::Removal::Completed(&query, today);
        let removed = super::store::remove(&state.db, owner, removal).await?;
        redirect_to(next.as_deref());
        Ok(removed)
    })
    .await
}

/// Puts back what a deletion from the page took (its `batch`), as it was.
#[server(prefix = "/rpc", endpoint = "tasks/restore")]
pub async fn restore_deleted(batch: Uuid) -> Result<u64, AppError> {
    as_caller(|state, owner, _| async move { super::store::restore(&state.db, owner, batch).await })
        .await
}

/// Without JavaScript there is no undo, so a deletion posted without `confirmed` only sends
/// the browser to the page's confirmation step (`next` with `step` added); true if it did.
#[cfg(feature = "ssr")]
fn ask_first(confirmed: Option<bool>, next: Option<&str>, step: &str) -> bool {
    if confirmed == Some(true) || !crate::error::is_plain_form_post() {
        return false;
    }
    let page = crate::auth::safe_next(next);
    let separator = if page.contains('?') { '&' } else { '?' };
    leptos_axum::redirect(&format!("{page}{separator}{step}"));
    true
}

/// Marks every task the list selects (`params`, as [`load_board`] takes them; every page of
/// it) done or not done; [`undo_marking`] puts them back a while.
#[server(prefix = "/rpc", endpoint = "tasks/complete-all")]
pub async fn set_all_completed(
    completed: bool,
    #[server(default)] params: std::collections::BTreeMap<String, String>,
    next: Option<String>,
) -> Result<Marked, AppError> {
    as_caller_in_zone(|state, owner, zone| async move {
        let query = list_query(&params)?;
        let marked =
            super::store::set_all_completed(&state.db, owner, completed, &query, &zone).await?;
        redirect_to(next.as_deref());
        Ok(marked)
    })
    .await
}

/// Puts a repeating task's dates back as they were before the page completed it (its
/// Undo): `version` is the task's `updated_at` as that completion left it, so a change made
/// since is not undone.
#[server(prefix = "/rpc", endpoint = "tasks/undo-completion")]
pub async fn undo_completion(
    id: Uuid,
    due_date: Option<String>,
    remind_at: Option<String>,
    last_completed_at: Option<String>,
    version: String,
) -> Result<Task, AppError> {
    as_caller(|state, owner, _| async move {
        let time =
            |raw: Option<&str>, field: &str| match raw.map(str::trim).filter(|r| !r.is_empty()) {
                None => Ok(None),
                Some(raw) => chrono::DateTime::parse_from_rfc3339(raw)
                    .map(|t| Some(t.to_utc()))
                    .map_err(|_| {
                        AppError::validation(vec![crate::error::FieldError::body(
                            field,
                            "value_error.datetime",
                            format!("{field} must be an RFC 3339 timestamp."),
                        )])
                    }),
            };
        let before = super::store::Before {
            due_date: super::fields::parse_due_date(due_date.as_deref())
                .map_err(|e| AppError::validation(vec![e]))?,
            remind_at: time(remind_at.as_deref(), "remind_at")?,
            last_completed_at: time(last_completed_at.as_deref(), "last_completed_at")?,
        };
        let expect = super::versions::Expect::UpdatedAt(
            time(Some(&version), "version")?.ok_or(AppError::Internal)?,
        );
        super::store::put_back(&state.db, owner, id.into(), &before, &expect)
            .await
            .map_err(|error| match error {
                AppError::PreconditionFailed(_) => AppError::PreconditionFailed(
                    "Not undone: this task was changed again since.".into(),
                ),
                error => error,
            })
    })
    .await
}

/// Puts back what a "mark all" from the page changed (its `batch`).
#[server(prefix = "/rpc", endpoint = "tasks/unmark")]
pub async fn undo_marking(batch: Uuid) -> Result<u64, AppError> {
    as_caller(|state, owner, _| async move { super::store::unmark(&state.db, owner, batch).await })
        .await
}

/// The list's query from its parameters by name, read by the API's own parser.
#[cfg(feature = "ssr")]
fn list_query(
    params: &std::collections::BTreeMap<String, String>,
) -> Result<super::TaskQuery, AppError> {
    super::TaskQuery::parse(|name| params.get(name).map(String::as_str))
        .map_err(AppError::validation)
}

/// Every list the user is a member of, for the page's list switcher: their Inbox first,
/// then by name.
#[server(prefix = "/rpc", endpoint = "lists/all")]
pub async fn load_lists() -> Result<Vec<super::lists::List>, AppError> {
    as_caller(|state, me, _| async move { super::store::lists::all(&state.db, me).await }).await
}

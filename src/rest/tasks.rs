//! `/api/{user_id}/tasks`: the six task routes, as the contract fixes them. Thin adapters
//! over `app::tasks::store`; the path's user must be the caller (403), and someone else's
//! task is indistinguishable from a missing one (404).

use std::collections::HashMap;

use crate::state::AppState;
use app::{
    error::{AppError, FieldError},
    tasks::{
        store::{self},
        TagCount, Task,
    },
};
use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    json::AppJson,
    responses::{
        Invalid, KeyInUse, NoSuchList, NoSuchTask, NoSuchTaskOrList, NotYours, Stale, StorageFull,
        TooLarge, Unauthorized, Unavailable,
    },
};

use super::task_access::*;
pub use super::task_access::{OwnedTask, Owner};
pub use super::task_bodies::*;

const USER_ID: &str = "The caller's own id (the token's `sub`); anyone else's is 403.";
pub const IDEMPOTENCY_KEY: &str = "1 to 255 printable ASCII characters, chosen by the client \
    (a UUID is a good choice). A repeat with the same key by the same user within 24 hours gets \
    the first response again (same status, body and `Location`, plus `Idempotent-Replayed: \
    true`) and changes nothing; the same key with another request is 422; a repeat while the \
    first is still running is 409. Only a success is kept: after a 4xx or a 5xx the key is \
    free again, and a retry runs anew.";
const IF_MATCH: &str = "Change the task only if its current `ETag` is one of these (`*`: any); \
    otherwise 412 and nothing changes.";

/// Create a task.
#[utoipa::path(
    post, path = "/{user_id}/tasks", tag = "tasks",
    params(("user_id" = Uuid, Path, description = USER_ID), CreateQuery,
        ("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY_KEY)),
    request_body = TaskRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Task,
            headers(("Location" = String, description = "The new task's URL"),
                    ("ETag" = String, description = "The task's version, a strong entity tag: send it back in `If-None-Match` (GET) or `If-Match` (PUT, PATCH, DELETE)."),
                    ("Idempotent-Replayed" = String, description = "`true` when this is the stored response to an earlier request with the same `Idempotency-Key`."))),
        Unauthorized, NotYours, NoSuchList, KeyInUse, TooLarge, Invalid, Unavailable,
        StorageFull,
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Owner(owner, today, zone): Owner,
    Query(query): Query<HashMap<String, String>>,
    AppJson(body): AppJson<TaskRequest>,
) -> Result<impl IntoResponse, AppError> {
    let quick_add = match query.get("parse").map(|v| v.trim()) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(AppError::invalid_field(FieldError::query(
                "parse",
                "value_error.bool",
                "parse must be true or false.",
            )))
        }
    };
    let draft = body.draft();
    let draft = if quick_add {
        draft.with_quick_add(today, &zone)
    } else {
        draft
    };
    let input = draft.validate_exact()?;
    let task = store::create(&state.db, owner, &input).await?;
    let location = format!("/api/{owner}/tasks/{}", task.id);
    let location = HeaderValue::from_str(&location).map_err(|_| AppError::Internal)?;
    tagged(StatusCode::CREATED, &task, &[(header::LOCATION, location)])
}

/// List your tasks: search, filter and sort them (newest first by default).
#[utoipa::path(
    get, path = "/{user_id}/tasks", tag = "tasks",
    params(("user_id" = Uuid, Path, description = USER_ID), ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of tasks", body = TaskList),
        Unauthorized, NotYours, NoSuchList, Invalid, Unavailable,
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Owner(owner, today, ..): Owner,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<TaskList>, AppError> {
    let (query, limit, offset, cursor) = ListQuery::parse(&query)?;
    let listing = store::list(
        &state.db,
        owner,
        &query,
        today,
        cursor.as_ref(),
        limit,
        offset,
    )
    .await?;
    Ok(Json(TaskList {
        tasks: listing.page.tasks,
        total: listing.page.total,
        limit: listing.page.limit,
        offset: listing.page.offset,
        next_cursor: listing.next.map(|cursor| cursor.encode()),
    }))
}

/// Read one task.
#[utoipa::path(
    get, path = "/{user_id}/tasks/{task_id}", tag = "tasks",
    params(("user_id" = Uuid, Path, description = USER_ID), ("task_id" = Uuid, Path),
        ("If-None-Match" = Option<String>, Header,
            description = "The `ETag` of the version you hold: 304 if it is still current.")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The task", body = Task,
            headers(("ETag" = String, description = "The task's version, a strong entity tag: send it back in `If-None-Match` (GET) or `If-Match` (PUT, PATCH, DELETE)."))),
        (status = 304, description = "Not modified: the version named in `If-None-Match` is current",
            headers(("ETag" = String, description = "The task's version, a strong entity tag: send it back in `If-None-Match` (GET) or `If-Match` (PUT, PATCH, DELETE)."))),
        Unauthorized, NotYours, NoSuchTask, Invalid, Unavailable,
    )
)]
pub async fn get(
    State(state): State<AppState>,
    path: OwnedTask,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let task = store::get(&state.db, path.owner, path.task_id).await?;
    let tagged = Tagged::new(&task)?;
    if tag_list(&headers, header::IF_NONE_MATCH).is_some_and(|tags| tags.matches(&tagged.tag)) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            HeaderMap::from_iter(tagged.etag()),
        )
            .into_response());
    }
    Ok(tagged.response(StatusCode::OK, &[]))
}

/// Replace a task's fields (an omitted field is cleared; completion is kept).
#[utoipa::path(
    put, path = "/{user_id}/tasks/{task_id}", tag = "tasks",
    params(("user_id" = Uuid, Path, description = USER_ID), ("task_id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = IF_MATCH)),
    request_body = TaskRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated task", body = Task,
            headers(("ETag" = String, description = "The task's version, a strong entity tag: send it back in `If-None-Match` (GET) or `If-Match` (PUT, PATCH, DELETE)."))),
        Unauthorized, NotYours, NoSuchTaskOrList, Stale, TooLarge, Invalid, Unavailable, StorageFull,
    )
)]
pub async fn update(
    State(state): State<AppState>,
    path: OwnedTask,
    headers: HeaderMap,
    AppJson(body): AppJson<TaskRequest>,
) -> Result<Response, AppError> {
    let input = body.draft().validate_exact()?;
    let task = store::update(
        &state.db,
        path.owner,
        path.task_id,
        &input,
        &expect(&headers),
    )
    .await?;
    tagged(StatusCode::OK, &task, &[])
}

/// Mark a task done or not done.
#[utoipa::path(
    patch, path = "/{user_id}/tasks/{task_id}/complete", tag = "tasks",
    params(("user_id" = Uuid, Path, description = USER_ID), ("task_id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = IF_MATCH)),
    request_body = CompletionRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated task", body = Task,
            headers(("ETag" = String, description = "The task's version, a strong entity tag: send it back in `If-None-Match` (GET) or `If-Match` (PUT, PATCH, DELETE)."))),
        Unauthorized, NotYours, NoSuchTask, Stale, Invalid, Unavailable, StorageFull,
    )
)]
pub async fn complete(
    State(state): State<AppState>,
    path: OwnedTask,
    headers: HeaderMap,
    AppJson(body): AppJson<CompletionRequest>,
) -> Result<Response, AppError> {
    let task = store::set_completed(
        &state.db,
        path.owner,
        path.task_id,
        body.is_completed,
        &expect(&headers),
        &path.zone,
    )
    .await?;
    tagged(StatusCode::OK, &task, &[])
}

/// Delete a task.
#[utoipa::path(
    delete, path = "/{user_id}/tasks/{task_id}", tag = "tasks",
    params(("user_id" = Uuid, Path, description = USER_ID), ("task_id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = IF_MATCH)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        Unauthorized, NotYours, NoSuchTask, Stale, Invalid, Unavailable, StorageFull,
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    path: OwnedTask,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    store::delete(&state.db, path.owner, path.task_id, &expect(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The tags in use on your tasks, with how many tasks carry each.
#[derive(Serialize, ToSchema)]
pub struct TagList {
    /// Most used first, then by name.
    pub tags: Vec<TagCount>,
}

/// List your tags.
#[utoipa::path(
    get, path = "/{user_id}/tags", tag = "tasks",
    params(("user_id" = Uuid, Path, description = USER_ID)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your tags", body = TagList),
        Unauthorized, NotYours, Invalid, Unavailable,
    )
)]
pub async fn tags(
    State(state): State<AppState>,
    Owner(owner, ..): Owner,
) -> Result<Json<TagList>, AppError> {
    Ok(Json(TagList {
        tags: store::tags(&state.db, owner).await?,
    }))
}

//! `/api/{user_id}/tasks`: the six task routes, as the contract fixes them. Thin adapters
//! over `app::tasks::store`; the path's user must be the caller (403), and someone else's
//! task is indistinguishable from a missing one (404).

use std::collections::HashMap;

use app::{
    auth::extract::AuthUser,
    error::{AppError, FieldError},
    ids::{TaskId, UserId},
    state::AppState,
    tasks::{
        store::{self, Cursor},
        versions::{etag_of, EntityTags, Expect},
        TagCount, Task, TaskDraft, TaskQuery, DEFAULT_LIMIT, MAX_LIMIT,
    },
};
use axum::{
    extract::{FromRequestParts, Path, Query, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{
    json::AppJson,
    responses::{
        Invalid, KeyInUse, NoSuchTask, NotYours, Stale, StorageFull, TooLarge, Unauthorized,
        Unavailable,
    },
};

/// A task as a response sends it: its JSON, and the strong `ETag` of exactly those bytes.
struct Tagged {
    json: Vec<u8>,
    tag: String,
}

impl Tagged {
    fn new(task: &Task) -> Result<Self, AppError> {
        let json = serde_json::to_vec(task).map_err(|_| AppError::Internal)?;
        let tag = etag_of(&json);
        Ok(Self { json, tag })
    }

    fn etag(&self) -> Option<(header::HeaderName, HeaderValue)> {
        HeaderValue::from_str(&self.tag)
            .ok()
            .map(|tag| (header::ETAG, tag))
    }

    /// The task with `status`, its `ETag` and `headers`.
    fn response(
        self,
        status: StatusCode,
        headers: &[(header::HeaderName, HeaderValue)],
    ) -> Response {
        let etag = self.etag();
        let mut response = (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.json,
        )
            .into_response();
        let map = response.headers_mut();
        map.extend(headers.iter().cloned());
        map.extend(etag);
        response
    }
}

/// A task response: the task, with its `ETag`.
fn tagged(
    status: StatusCode,
    task: &Task,
    headers: &[(header::HeaderName, HeaderValue)],
) -> Result<Response, AppError> {
    Ok(Tagged::new(task)?.response(status, headers))
}

/// One of the request's tag-list headers (`If-Match`, `If-None-Match`), if sent.
fn tag_list(headers: &HeaderMap, name: header::HeaderName) -> Option<EntityTags> {
    EntityTags::parse(headers.get_all(name).iter().filter_map(|v| v.to_str().ok()))
}

/// What a write's `If-Match` expects of the task.
fn expect(headers: &HeaderMap) -> Expect {
    tag_list(headers, header::IF_MATCH).map_or(Expect::Nothing, Expect::ETags)
}

/// The caller, checked against `{user_id}` in the path, and today's date in their time zone.
pub struct Owner(pub UserId, pub NaiveDate);

/// The caller and the `{task_id}` they ask about.
pub struct OwnedTask {
    pub owner: UserId,
    pub task_id: TaskId,
}

fn path_uuid(params: &HashMap<String, String>, name: &str) -> Result<Uuid, FieldError> {
    let raw = params.get(name).map(String::as_str).unwrap_or_default();
    Uuid::parse_str(raw).map_err(|_| FieldError {
        loc: vec!["path".into(), name.into()],
        msg: format!("{name} must be a UUID."),
        kind: "type_error.uuid".into(),
    })
}

async fn path_params(
    parts: &mut Parts,
    state: &AppState,
) -> Result<HashMap<String, String>, AppError> {
    Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map(|Path(p)| p)
        .map_err(|_| {
            AppError::invalid_field(FieldError {
                loc: vec!["path".into()],
                msg: "The path could not be read.".into(),
                kind: "value_error.path".into(),
            })
        })
}

/// Authenticates the caller (401), parses the named path ids (422, every bad one listed) and
/// checks that the first, `user_id`, is the caller (403). Returns the ids in order.
async fn own_path_ids<const N: usize>(
    parts: &mut Parts,
    state: &AppState,
    names: [&str; N],
) -> Result<([Uuid; N], AuthUser), AppError> {
    let auth = AuthUser::from_request_parts(parts, state).await?;
    let params = path_params(parts, state).await?;
    let parsed = names.map(|name| path_uuid(&params, name));
    let errors: Vec<FieldError> = parsed.iter().filter_map(|r| r.clone().err()).collect();
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let ids = parsed.map(|r| r.unwrap_or_default());
    if ids[0] != auth.user.id {
        return Err(AppError::Forbidden(
            "You can only reach your own tasks.".into(),
        ));
    }
    Ok((ids, auth))
}

impl FromRequestParts<AppState> for Owner {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ([owner], auth) = own_path_ids(parts, state, ["user_id"]).await?;
        Ok(Self(UserId(owner), store::today_in(&auth.user.time_zone)))
    }
}

impl FromRequestParts<AppState> for OwnedTask {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ([owner, task_id], _) = own_path_ids(parts, state, ["user_id", "task_id"]).await?;
        Ok(Self {
            owner: UserId(owner),
            task_id: TaskId(task_id),
        })
    }
}

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
}

impl TaskRequest {
    fn draft(self) -> TaskDraft {
        TaskDraft {
            title: self.title,
            description: self.description,
            due_date: self.due_date,
            priority: self.priority,
            tags: self.tags.unwrap_or_default(),
        }
    }
}

/// `?parse=true` on a create.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreateQuery {
    /// Read the title as a quick-add line: `#tag`, `!low` / `!medium` / `!high`,
    /// `^YYYY-MM-DD`, `^today`, `^tomorrow`, `^monday` … `^sunday` (the next such day, in
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
    /// `created` (default), `updated`, `due`, `priority` or `title`. Tasks without a due
    /// date come after those with one, in both orders.
    #[param(value_type = Option<String>, pattern = "^(created|updated|due|priority|title)$")]
    pub sort: Option<String>,
    /// `asc` or `desc`; by default `desc` for created, updated and priority, `asc` for due
    /// and title.
    #[param(value_type = Option<String>, pattern = "^(asc|desc)$")]
    pub order: Option<String>,
}

impl ListQuery {
    fn parse(
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
        Unauthorized, NotYours, KeyInUse, TooLarge, Invalid, Unavailable, StorageFull,
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Owner(owner, today): Owner,
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
        draft.with_quick_add(today)
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
        Unauthorized, NotYours, Invalid, Unavailable,
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Owner(owner, today): Owner,
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
        Unauthorized, NotYours, NoSuchTask, Stale, TooLarge, Invalid, Unavailable, StorageFull,
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
    Owner(owner, _): Owner,
) -> Result<Json<TagList>, AppError> {
    Ok(Json(TagList {
        tags: store::tags(&state.db, owner).await?,
    }))
}

//! `GET /api/{user_id}/events`: the caller's changes as server-sent events, and the same
//! stream for the task page with its session cookie (`GET /tasks/events`).

use crate::state::AppState;
use app::{
    auth::extract::AuthUser,
    error::AppError,
    tasks::events::{parse_last_event_id, sse_response, Recheck},
};
use axum::{
    extract::{FromRequestParts as _, State},
    http::{header, request::Parts, HeaderMap},
    response::Response,
};

use super::{
    responses::{Invalid, NotYours, TooMany, Unauthorized, Unavailable},
    tasks::Owner,
};

/// Where the task page follows its user's changes (session cookie only).
pub const PAGE_EVENTS_PATH: &str = "/tasks/events";

/// One event of the stream, as an `EventSource` (or any SSE parser) reads it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documentation only: the stream is written by `sse_response`
pub struct StreamEvent {
    /// The event's number: increasing, per user. Send the last one back as `Last-Event-ID`.
    /// `reset` carries none.
    id: Option<String>,
    event: StreamEventName,
    /// JSON: the task as `GET` returns it; `{"id": ...}` for `task.deleted` and
    /// `list.deleted`; the list as `GET` returns it for `list.updated`; the member with
    /// `list_id` for `member.added`; `{"list_id", "user_id"}` for `member.removed`; `{}` for
    /// `reset`.
    data: String,
    /// Milliseconds to wait before reconnecting (sent once, first).
    retry: Option<u64>,
}

/// What an event says happened.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum StreamEventName {
    #[schema(rename = "task.created")]
    Created,
    #[schema(rename = "task.updated")]
    Updated,
    #[schema(rename = "task.deleted")]
    Deleted,
    /// A list was made or renamed.
    #[schema(rename = "list.updated")]
    ListUpdated,
    /// A list was deleted (with its tasks).
    #[schema(rename = "list.deleted")]
    ListDeleted,
    /// Someone joined a list (or their role there changed).
    #[schema(rename = "member.added")]
    MemberAdded,
    /// Someone left a list, or was removed from it (you, perhaps).
    #[schema(rename = "member.removed")]
    MemberRemoved,
    /// Events were missed (older than an hour): load everything again.
    #[schema(rename = "reset")]
    Reset,
}

/// The request header with the last event a reconnecting client received.
pub const LAST_EVENT_ID: header::HeaderName = header::HeaderName::from_static("last-event-id");

fn last_event_id(headers: &HeaderMap) -> Result<Option<i64>, AppError> {
    let value = headers
        .get(LAST_EVENT_ID)
        .map(|v| v.to_str().unwrap_or("?"));
    parse_last_event_id(value)
}

/// Asks again, with the request's own credential, whether it still names `owner`.
fn recheck(state: &AppState, parts: Parts, owner: app::ids::UserId) -> Recheck {
    let state = state.clone();
    Box::new(move || {
        let (state, mut parts) = (state.clone(), parts.clone());
        Box::pin(async move {
            AuthUser::from_request_parts(&mut parts, &state)
                .await
                .is_ok_and(|auth| auth.id() == owner)
        })
    })
}

/// Follow your changes as they happen (server-sent events).
///
/// A `text/event-stream`: each event has `id:` (a number, increasing), `event:`
/// `task.created`, `task.updated` or `task.deleted`, and `data:` the task as JSON (as
/// `GET` returns it; `{"id": ...}` for a deletion), in commit order, from every instance
/// sharing the database: the changes to the tasks of every list you are a member of, by
/// anyone. Changes to the lists themselves come as `list.updated`, `list.deleted`,
/// `member.added` and `member.removed` (to every member of the list, and to the member
/// concerned). Bulk changes (an import, "mark all done", clearing completed
/// tasks) send one event per task. Without `Last-Event-ID` the stream starts with what
/// commits after it opens; with it, it first sends every event after that id from the
/// last hour, in order; when some are older than that, `event: reset` (data `{}`): load
/// everything again. A comment line comes every 15 seconds (`EVENT_KEEP_ALIVE_SECS`); the
/// stream ends when the token stops being valid (checked every minute) and when the
/// server shuts down; reconnect with `Last-Event-ID` and nothing is missed. At most
/// `EVENT_STREAMS_PER_USER` (32) streams per user on one instance: one more is 429.
#[utoipa::path(
    get, path = "/{user_id}/events", tag = "tasks",
    params(("user_id" = uuid::Uuid, Path, description = "The caller's own id (the token's `sub`); anyone else's is 403."),
        ("Last-Event-ID" = Option<i64>, Header,
            description = "The id of the last event received: the stream starts just after it.")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The stream", content_type = "text/event-stream", body = StreamEvent,
            example = json!({"id": "7", "event": "task.created",
                "data": "{\"id\":\"0192…\",\"title\":\"Buy milk\",…}"})),
        Unauthorized, NotYours, Invalid, TooMany, Unavailable,
    )
)]
pub async fn stream(
    State(state): State<AppState>,
    Owner(owner, ..): Owner,
    parts: Parts,
) -> Result<Response, AppError> {
    follow(&state, parts, owner).await
}

/// `GET /tasks/events`: the same stream for the task page, by its session cookie (a bearer
/// token is not read here); 401 without a session.
pub async fn page_stream(
    State(state): State<AppState>,
    mut parts: Parts,
) -> Result<Response, AppError> {
    parts.headers.remove(header::AUTHORIZATION);
    let auth = AuthUser::from_request_parts(&mut parts, &state).await?;
    follow(&state, parts, auth.id()).await
}

/// `owner`'s stream from the request's `Last-Event-ID`, ended once the request's credential
/// stops naming `owner`.
async fn follow(
    state: &AppState,
    parts: Parts,
    owner: app::ids::UserId,
) -> Result<Response, AppError> {
    let after = last_event_id(&parts.headers)?;
    let stream = state.feeds.open(&state.db, owner, after).await?;
    let stream = stream.rechecked_by(recheck(state, parts, owner));
    Ok(sse_response(stream, state.feeds.keep_alive))
}

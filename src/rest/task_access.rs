//! Who a task route acts for and on what: the caller checked against the path's user
//! (`Owner`, `OwnedTask`), and a task's `ETag` and the `If-Match` a write expects.

use std::collections::HashMap;

use crate::state::AppState;
use app::{
    auth::extract::AuthUser,
    error::{AppError, FieldError},
    ids::{TaskId, UserId},
    tasks::{
        store::{self},
        versions::{etag_of, EntityTags, Expect},
        Task,
    },
};
use axum::{
    extract::{FromRequestParts, Path},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use uuid::Uuid;

/// A task as a response sends it: its JSON, and the strong `ETag` of exactly those bytes.
pub(super) struct Tagged {
    pub(super) json: Vec<u8>,
    pub(super) tag: String,
}

impl Tagged {
    pub(super) fn new(task: &Task) -> Result<Self, AppError> {
        let json = serde_json::to_vec(task).map_err(|_| AppError::Internal)?;
        let tag = etag_of(&json);
        Ok(Self { json, tag })
    }

    pub(super) fn etag(&self) -> Option<(header::HeaderName, HeaderValue)> {
        HeaderValue::from_str(&self.tag)
            .ok()
            .map(|tag| (header::ETAG, tag))
    }

    /// The task with `status`, its `ETag` and `headers`.
    pub(super) fn response(
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
pub(super) fn tagged(
    status: StatusCode,
    task: &Task,
    headers: &[(header::HeaderName, HeaderValue)],
) -> Result<Response, AppError> {
    Ok(Tagged::new(task)?.response(status, headers))
}

/// One of the request's tag-list headers (`If-Match`, `If-None-Match`), if sent.
pub(super) fn tag_list(headers: &HeaderMap, name: header::HeaderName) -> Option<EntityTags> {
    EntityTags::parse(headers.get_all(name).iter().filter_map(|v| v.to_str().ok()))
}

/// What a write's `If-Match` expects of the task.
pub(super) fn expect(headers: &HeaderMap) -> Expect {
    tag_list(headers, header::IF_MATCH).map_or(Expect::Nothing, Expect::ETags)
}

/// The caller, checked against `{user_id}` in the path, today's date in their time zone, and
/// that zone's name.
pub struct Owner(pub UserId, pub NaiveDate, pub String);

/// The caller and the `{task_id}` they ask about.
pub struct OwnedTask {
    pub owner: UserId,
    pub task_id: TaskId,
    /// The caller's time zone.
    pub zone: String,
}

pub(super) fn path_uuid(params: &HashMap<String, String>, name: &str) -> Result<Uuid, FieldError> {
    let raw = params.get(name).map(String::as_str).unwrap_or_default();
    Uuid::parse_str(raw).map_err(|_| FieldError {
        loc: vec!["path".into(), name.into()],
        msg: format!("{name} must be a UUID."),
        kind: "type_error.uuid".into(),
    })
}

pub(super) async fn path_params(
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
pub(super) async fn own_path_ids<const N: usize>(
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
        let today = store::today_in(&auth.user.time_zone);
        Ok(Self(UserId(owner), today, auth.user.time_zone))
    }
}

impl FromRequestParts<AppState> for OwnedTask {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ([owner, task_id], auth) = own_path_ids(parts, state, ["user_id", "task_id"]).await?;
        Ok(Self {
            owner: UserId(owner),
            task_id: TaskId(task_id),
            zone: auth.user.time_zone,
        })
    }
}

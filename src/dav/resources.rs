//! `GET`, `PUT` and `DELETE` of one task (`/dav/{user_id}/{list_id}/{name}.ics`), with strong
//! ETags: `If-None-Match: *` creates only, `If-Match` changes only what is still as read.

use app::{
    error::AppError,
    tasks::{
        store::dav::{self, DavExpect, DavFields},
        versions::EntityTags,
    },
};
use axum::{
    body::Body,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

use super::{ical, list_of, props::http_date, Caller, Target};
use crate::state::AppState;

fn resource_target(target: &Target) -> Result<(uuid::Uuid, String), AppError> {
    match target {
        Target::Resource(_, list, name) => Ok((*list, name.clone())),
        _ => Err(AppError::MethodNotAllowed(
            "Only a task (a .ics resource in a calendar) can be read, written or deleted here."
                .into(),
        )),
    }
}

fn no_such_task() -> AppError {
    AppError::NotFound("There is no such task.".into())
}

pub async fn get(
    state: &AppState,
    caller: &Caller,
    target: &Target,
    head: bool,
) -> Result<Response, AppError> {
    let (list, name) = resource_target(target)?;
    let resource = dav::resource(&state.db, caller.id, list_of(list), &name)
        .await?
        .ok_or_else(no_such_task)?;
    let ics = ical::write(&resource);
    let etag = ical::etag(&resource);
    let length = ics.len();
    let mut response = Response::new(if head { Body::empty() } else { Body::from(ics) });
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    if head {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    if let Ok(modified) = HeaderValue::from_str(&http_date(resource.task.updated_at)) {
        headers.insert(header::LAST_MODIFIED, modified);
    }
    Ok(response)
}

/// What `If-Match` and `If-None-Match` ask of a write: the current tag is the ETag `GET`
/// gives, computed from the task as it is inside the write's transaction.
fn expectation(headers: &HeaderMap) -> Result<DavExpect, AppError> {
    let tags = |name| {
        EntityTags::parse(
            headers
                .get_all(name)
                .iter()
                .filter_map(|value| value.to_str().ok()),
        )
    };
    match (tags(header::IF_MATCH), tags(header::IF_NONE_MATCH)) {
        (Some(_), Some(_)) => Err(AppError::BadRequest(
            "Send If-Match or If-None-Match, not both.".into(),
        )),
        (Some(tags), None) => Ok(DavExpect::Matches {
            tags,
            tag_of: ical::etag,
        }),
        (None, Some(EntityTags::Any)) => Ok(DavExpect::Absent),
        (None, Some(_)) => Err(AppError::BadRequest(
            "If-None-Match on a write may only be *.".into(),
        )),
        (None, None) => Ok(DavExpect::Nothing),
    }
}

pub async fn put(
    state: &AppState,
    caller: &Caller,
    target: &Target,
    headers: &HeaderMap,
    body: &str,
) -> Result<Response, AppError> {
    let (list, name) = resource_target(target)?;
    let expect = expectation(headers)?;
    let read = ical::read(body, &caller.user.time_zone)?;
    let mut draft = read.draft;
    draft.list_id = Some(list);
    let input = draft.validate_exact()?;
    let fields = DavFields {
        input: &input,
        completed: read.completed,
        uid: &read.uid,
        extra: read.extra.as_deref(),
    };
    let (_resource, created) =
        dav::put(&state.db, caller.id, list_of(list), &name, fields, expect).await?;
    // No ETag: the server stores the task in its own form (RFC 4791 5.3.4), so the client
    // reads it back to learn both.
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::NO_CONTENT
    };
    Ok(status.into_response())
}

pub async fn delete(
    state: &AppState,
    caller: &Caller,
    target: &Target,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let (list, name) = resource_target(target)?;
    let expect = expectation(headers)?;
    dav::delete(&state.db, caller.id, list_of(list), &name, expect).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

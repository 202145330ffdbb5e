//! Keeps every error under `/api` in the contract's one shape.
//!
//! Our own handlers already answer with `AppError`; this catches what the framework answers
//! by itself (unknown route, wrong method, body limits, panics) and rewrites it.

use std::any::Any;

use app::error::AppError;
use axum::{
    body::Body,
    http::{header, Response, StatusCode},
    response::IntoResponse,
};

/// `GET /api/nope`: a JSON 404 instead of the HTML page.
pub async fn api_not_found() -> AppError {
    no_such_route()
}

fn no_such_route() -> AppError {
    AppError::NotFound("There is no such API route.".into())
}

/// Rewrites a framework-made error response (not JSON) into the contract's shape.
pub async fn ensure_json_errors(response: Response<Body>) -> Response<Body> {
    let status = response.status();
    if is_json(&response) || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let error = match status {
        StatusCode::NOT_FOUND => no_such_route(),
        StatusCode::METHOD_NOT_ALLOWED => {
            AppError::MethodNotAllowed("This method is not allowed on this route.".into())
        }
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::BAD_REQUEST => AppError::Validation {
            detail: "The request could not be read.".into(),
            errors: vec![],
        },
        status if status.is_server_error() => AppError::Internal,
        status => AppError::BadRequest(
            status
                .canonical_reason()
                .unwrap_or("bad request")
                .to_lowercase(),
        ),
    };
    let mut rewritten = error.into_response();
    // Keep headers the original carried for a reason (Allow, Retry-After).
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = response.headers().get(&name) {
            rewritten.headers_mut().insert(name, value.clone());
        }
    }
    rewritten
}

/// The panic handler: log the payload, send the contract's 500.
pub fn panic_response(payload: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = message, "a request handler panicked");
    AppError::Internal.into_response()
}

/// Answers 503 in the error shape when the rest of the stack has not answered within
/// `limit` (a stalled database, a client sending its body too slowly).
pub async fn answer_503_after(
    axum::extract::State(limit): axum::extract::State<std::time::Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response<Body> {
    // A reference-counted copy, not a new string: this runs on every request.
    let uri = request.uri().clone();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                path = uri.path(),
                limit_secs = limit.as_secs_f32(),
                "a request timed out"
            );
            AppError::Unavailable(
                "The server took too long to answer this request; please try again.".into(),
            )
            .into_response()
        }
    }
}

/// A body over the limit is refused before any handler runs, with a plain-text 413: give
/// it the error shape, whatever the route.
pub async fn payload_too_large_as_json(response: Response<Body>) -> Response<Body> {
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json(&response) {
        return AppError::PayloadTooLarge.into_response();
    }
    response
}

fn is_json(response: &Response<Body>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

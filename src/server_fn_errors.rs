//! Server functions answer their errors with the error's own status, including the errors
//! raised before their body runs.
//!
//! A server function whose arguments cannot be read (a missing field, an unknown value)
//! fails inside the server_fn crate, which answers every error with 500 before our
//! `respond` wrapper can set the status. Such a response's body is the [`AppError`]
//! itself; this gives it the status that error stands for (400 for a form that could not be
//! read), so hostile input is answered with a 4xx, never as a server fault.

use app::error::AppError;
use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::Response,
};

/// Larger than any serialised error.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

pub async fn give_errors_their_status(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/rpc/") {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    // Only a body known to be small is read; any other is left as it is.
    let small = axum::body::HttpBody::size_hint(response.body())
        .upper()
        .is_some_and(|n| n <= ERROR_BODY_LIMIT as u64);
    if !small {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, ERROR_BODY_LIMIT).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

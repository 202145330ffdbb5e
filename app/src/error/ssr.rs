//! The server side of errors: their HTTP responses, and what database errors become.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

use super::{AppError, FieldError, STREAM_RETRY_SECS};

/// Every error, whatever its cause, has this body.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ApiError)]
pub struct ErrorBody {
    /// What went wrong, for a person.
    #[schema(example = "There is no such task.")]
    pub detail: String,
    /// The HTTP status, repeated.
    #[schema(example = 404)]
    pub status_code: u16,
    /// With 422 only: one entry per offending field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let errors = match &self {
            AppError::Validation { errors, .. } => Some(errors.clone()),
            _ => None,
        };
        let body = ErrorBody {
            detail: self.to_string(),
            status_code: status.as_u16(),
            errors,
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        match &self {
            AppError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AppError::TooManyRequests { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            AppError::TooManyStreams(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(STREAM_RETRY_SECS));
            }
            AppError::Unavailable(_) | AppError::InsufficientStorage => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(super::RETRY_UNAVAILABLE_AFTER_SECS),
                );
            }
            _ => {}
        }
        response
    }
}

/// Server functions answer an error with its own status rather than a blanket 500, so
/// logs and monitors see 4xx for bad input. A plain form post (no JavaScript) keeps the
/// redirect back to its page, which carries the error in the URL.
fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        if let (false, Some(response)) = (
            is_plain_form_post(),
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        ) {
            response.set_status(
                StatusCode::from_u16(error.status_code())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }
    result
}

/// Runs a server function's body and answers its error with the error's own status
/// (see [`with_status`]): the one wrapper every server function uses.
pub async fn respond<T>(
    body: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    with_status(body.await)
}

/// Whether the server function being run was called by a plain HTML form (no
/// JavaScript): such a request accepts HTML and is answered with a redirect.
pub fn is_plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

impl From<sqlx::Error> for AppError {
    /// Every database error is logged here, with its cause; the client gets a status
    /// that says whether trying again can help, and no internals.
    fn from(error: sqlx::Error) -> Self {
        match DatabaseFault::of(&error) {
            DatabaseFault::StorageFull => {
                tracing::error!(%error, "the database's storage is full; a write failed");
                AppError::InsufficientStorage
            }
            DatabaseFault::Storage => {
                tracing::error!(%error, "the database could not read or write its files");
                AppError::Unavailable(
                    "The server could not use its storage, so nothing was changed. \
                     Please try again later."
                        .into(),
                )
            }
            DatabaseFault::Unavailable => {
                tracing::error!(%error, "the database is unavailable or busy");
                AppError::Unavailable(
                    "The database is unavailable or busy, so nothing was changed. \
                     Please try again."
                        .into(),
                )
            }
            DatabaseFault::Other => {
                tracing::error!(%error, "database error");
                AppError::Internal
            }
        }
    }
}

/// What a database error means for the client.
enum DatabaseFault {
    StorageFull,
    Storage,
    Unavailable,
    Other,
}

impl DatabaseFault {
    fn of(error: &sqlx::Error) -> Self {
        match error {
            sqlx::Error::Database(e) => {
                let code = e.code().unwrap_or_default();
                if e.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                    // Extended result codes keep the primary code in the low byte.
                    match code.parse::<i32>().unwrap_or_default() & 0xff {
                        13 => Self::StorageFull,    // SQLITE_FULL
                        10 => Self::Storage,        // SQLITE_IOERR
                        5 | 6 => Self::Unavailable, // BUSY, LOCKED after the busy timeout
                        _ => Self::Other,
                    }
                } else if code == "53100" {
                    Self::StorageFull // disk_full
                } else if code == "57014" // query_canceled: statement_timeout
                    || ["08", "57P", "53", "40"].iter().any(|class| code.starts_with(class))
                {
                    // Connection exceptions, shutting down, out of resources, and
                    // serialization failures: all worth trying again.
                    Self::Unavailable
                } else {
                    Self::Other
                }
            }
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => Self::Unavailable,
            _ => Self::Other,
        }
    }
}

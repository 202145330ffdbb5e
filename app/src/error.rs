//! The one client-safe error type, shared by the JSON API and the server functions.
//!
//! Each variant maps to one HTTP status and a message that is safe to show anyone.
//! Internal causes (SQL, I/O) are logged where they are converted and never carried here.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// One offending input field, in the contract's `errors` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Where the bad value sits, e.g. `["body", "title"]` or `["path", "task_id"]`.
    #[cfg_attr(feature = "ssr", schema(example = json!(["body", "title"])))]
    pub loc: Vec<LocPart>,
    /// What is wrong, written for a person.
    #[cfg_attr(feature = "ssr", schema(example = "A task needs a title."))]
    pub msg: String,
    /// A stable machine-readable kind, e.g. `value_error.too_long`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "ssr", schema(example = "value_error.missing"))]
    pub kind: String,
}

/// One step of a [`FieldError`]'s `loc`: a field name, or a position in an array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum LocPart {
    Index(u64),
    Key(String),
}

impl From<&str> for LocPart {
    fn from(key: &str) -> Self {
        Self::Key(key.to_string())
    }
}

impl From<String> for LocPart {
    fn from(key: String) -> Self {
        Self::Key(key)
    }
}

impl From<usize> for LocPart {
    fn from(index: usize) -> Self {
        Self::Index(index as u64)
    }
}

impl PartialEq<&str> for LocPart {
    fn eq(&self, other: &&str) -> bool {
        matches!(self, Self::Key(key) if key == other)
    }
}

impl FieldError {
    /// An error about a field of the request body.
    pub fn body(field: &str, kind: &str, msg: impl Into<String>) -> Self {
        Self {
            loc: vec!["body".into(), field.into()],
            msg: msg.into(),
            kind: kind.into(),
        }
    }

    /// An error about a parameter of the query string.
    pub fn query(name: &str, kind: &str, msg: impl Into<String>) -> Self {
        Self {
            loc: vec!["query".into(), name.into()],
            msg: msg.into(),
            kind: kind.into(),
        }
    }

    /// The same error about another field (a password checked as `new_password`).
    pub fn renamed(mut self, field: &str) -> Self {
        if let Some(last) = self.loc.last_mut() {
            *last = field.into();
        }
        self
    }

    /// The same error, found inside the element `index` of the body's array `array`:
    /// `["body", "tasks", 3, "title"]`.
    pub fn in_array(mut self, array: &str, index: usize) -> Self {
        let field = self.loc.pop().unwrap_or_else(|| "body".into());
        self.loc = vec!["body".into(), array.into(), index.into(), field];
        self
    }

    /// The field name this error is about (the last name in `loc`).
    pub fn field(&self) -> &str {
        match self.loc.last() {
            Some(LocPart::Key(key)) => key,
            _ => "",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// 422: the input was understood but some fields are invalid.
    #[error("{detail}")]
    Validation {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 400: a request the server could not make sense of at all.
    #[error("{0}")]
    BadRequest(String),
    /// 401: missing or bad credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: authenticated, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// 404
    #[error("{0}")]
    NotFound(String),
    /// 405
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 409: the request clashes with existing data.
    #[error("{0}")]
    Conflict(String),
    /// 412: the request's condition (`If-Match`, or the version a page's form was opened
    /// with) no longer holds; nothing was changed.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 413
    #[error("The request body is too large.")]
    PayloadTooLarge,
    /// 429: slow down; try again after this many seconds.
    #[error("Too many attempts; try again in {}.", wait_words(*retry_after_secs))]
    TooManyRequests { retry_after_secs: u64 },
    /// 429: a user holds as many open event streams as allowed.
    #[error("{0}")]
    TooManyStreams(String),
    /// 503: a dependency (the database) is unreachable, or the request took too long;
    /// answered with `Retry-After`.
    #[error("{0}")]
    Unavailable(String),
    /// 507: the database's storage is full; the change was not saved.
    #[error("The server's storage is full, so the change was not saved. Please try again later.")]
    InsufficientStorage,
    /// 500: something failed on our side; the cause was logged, not sent.
    #[error("Something went wrong on our side; please try again.")]
    Internal,
    /// The call never reached our code, or its answer could not be read (network down, a
    /// proxy's error page): the browser's words are kept for the console, never shown.
    #[error("The server could not be reached. Check your connection and try again.")]
    Transport(String),
}

/// How long a client is asked to wait before opening another event stream after a 429.
pub const STREAM_RETRY_SECS: u64 = 5;

/// How long a client is asked to wait (`Retry-After`) before trying a 503 or 507 again.
pub const RETRY_UNAVAILABLE_AFTER_SECS: u64 = 1;

/// A wait as a person says it: "45 seconds", "1 minute", "38 minutes", "2 hours".
pub fn wait_words(secs: u64) -> String {
    let plural = |n: u64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    match secs {
        0..=59 => plural(secs.max(1), "second"),
        60..=5399 => plural(secs.div_ceil(60), "minute"),
        _ => plural(secs.div_ceil(3600), "hour"),
    }
}

impl AppError {
    /// A 422 for a single field.
    pub fn invalid_field(error: FieldError) -> Self {
        Self::validation(vec![error])
    }

    /// A 422 for one or more fields.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [only] => only.msg.clone(),
            _ => "Some fields are invalid.".to_string(),
        };
        Self::Validation { detail, errors }
    }

    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Validation { .. } => 422,
            Self::BadRequest(_) | Self::Transport(_) => 400,
            Self::Unauthorized(_) => 401,
            Self::Forbidden(_) => 403,
            Self::NotFound(_) => 404,
            Self::MethodNotAllowed(_) => 405,
            Self::Conflict(_) => 409,
            Self::PreconditionFailed(_) => 412,
            Self::PayloadTooLarge => 413,
            Self::TooManyRequests { .. } | Self::TooManyStreams(_) => 429,
            Self::Internal => 500,
            Self::Unavailable(_) => 503,
            Self::InsufficientStorage => 507,
        }
    }

    /// The message for one field, if this error names it: for inline form messages.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            Self::Validation { errors, .. } => errors
                .iter()
                .find(|e| e.field() == field)
                .map(|e| e.msg.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) => {
                Self::BadRequest(format!("The form could not be read: {msg}"))
            }
            // An answer the browser could not read (a proxy's page, a cut connection).
            ServerFnErrorErr::Request(msg)
            | ServerFnErrorErr::Response(msg)
            | ServerFnErrorErr::Deserialization(msg) => Self::Transport(msg),
            ServerFnErrorErr::MissingArg(msg) => {
                Self::BadRequest(format!("A form field is missing: {msg}"))
            }
            _ => Self::Internal,
        }
    }
}

impl From<ServerFnErrorErr> for AppError {
    fn from(value: ServerFnErrorErr) -> Self {
        Self::from_server_fn_error(value)
    }
}

#[cfg(feature = "ssr")]
mod ssr {
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
            let status = StatusCode::from_u16(self.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
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
}

#[cfg(feature = "ssr")]
pub use ssr::{is_plain_form_post, respond, ErrorBody};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_reads_in_the_unit_a_person_would_use() {
        assert_eq!(wait_words(0), "1 second");
        assert_eq!(wait_words(45), "45 seconds");
        assert_eq!(wait_words(60), "1 minute");
        assert_eq!(wait_words(2230), "38 minutes");
        assert_eq!(wait_words(3600), "60 minutes");
        assert_eq!(wait_words(7200), "2 hours");
        let limited = AppError::TooManyRequests {
            retry_after_secs: 2230,
        };
        assert_eq!(
            limited.to_string(),
            "Too many attempts; try again in 38 minutes."
        );
    }
}

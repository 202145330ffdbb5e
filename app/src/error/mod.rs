//! The one client-safe error type, shared by the JSON API and the server functions.
//!
//! Each variant maps to one HTTP status and a message that is safe to show anyone.
//! Internal causes (SQL, I/O) are logged where they are converted and never carried here.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

mod field;

pub use field::{FieldError, LocPart};

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

    /// Both values, or every field error of the two (a form is told all it got wrong at
    /// once); an error that is not about fields goes first.
    pub fn both<A, B>(a: Result<A, Self>, b: Result<B, Self>) -> Result<(A, B), Self> {
        match (a, b) {
            (Ok(a), Ok(b)) => Ok((a, b)),
            (
                Err(Self::Validation {
                    errors: mut first, ..
                }),
                Err(Self::Validation { errors, .. }),
            ) => {
                first.extend(errors);
                Err(Self::validation(first))
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
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
mod ssr;

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

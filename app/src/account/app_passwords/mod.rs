//! App passwords: what a calendar app (CalDAV) signs in with, beside the account's e-mail,
//! so the account password never goes into another program. Each is a random secret shown
//! once; only its SHA-256 is kept. A secret of 119 random bits needs no slow hash (nobody can
//! search that space), so checking one on every CalDAV request costs a hash and a lookup,
//! not an Argon2 run. A password change or "sign out everywhere" leaves them alone.

pub mod api;
pub mod views;

#[cfg(feature = "ssr")]
pub mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The most app passwords one account keeps.
pub const PER_ACCOUNT: i64 = 20;

/// The longest name, in characters.
pub const NAME_MAX_CHARS: usize = 100;

/// An app password as the API and the page show it: its secret only once, when made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AppPassword {
    pub id: Uuid,
    /// What it is for, as its owner named it.
    #[cfg_attr(feature = "ssr", schema(example = "Phone"))]
    pub name: String,
    /// Shown once, in the answer to the create: six groups of four letters and digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(example = "k7qm-x2vd-9tfa-hw4e-pz8r-cn3b"))]
    pub password: Option<String>,
    /// RFC 3339, UTC, microseconds.
    #[serde(with = "crate::timestamp")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime, example = "2026-01-06T10:00:00.123456Z"))]
    pub created_at: DateTime<Utc>,
    /// When a calendar app last signed in with it (to the nearest few minutes), or null.
    #[serde(default, with = "crate::timestamp::option")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime, example = "2026-01-06T10:00:00.123456Z"))]
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A name as given: trimmed, 1 to [`NAME_MAX_CHARS`] characters, no control characters.
pub fn parse_name(raw: &str) -> Result<String, crate::error::AppError> {
    use crate::error::{AppError, FieldError};
    let name = raw.trim();
    let refuse = |msg: &str| AppError::invalid_field(FieldError::body("name", "value_error", msg));
    if name.is_empty() {
        return Err(refuse(
            "Name the app password (the app or device it is for).",
        ));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(refuse("The name may be at most 100 characters long."));
    }
    if name.chars().any(char::is_control) {
        return Err(refuse(
            "The name may not hold line breaks or control characters.",
        ));
    }
    Ok(name.to_string())
}

/// An app password as the account page lists it: times read in the account's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPasswordOnPage {
    pub id: Uuid,
    pub name: String,
    pub created: String,
    pub last_used: Option<String>,
}

/// One just made, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAppPassword {
    pub name: String,
    pub password: String,
}

/// What the section shows: the passwords, one just made by a plain form post (once), and
/// what a calendar app is set up with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPasswordsOnPage {
    pub passwords: Vec<AppPasswordOnPage>,
    pub new_password: Option<NewAppPassword>,
    /// This server's CalDAV address, as the browser reached it (`https://host/dav/`).
    pub server_url: String,
    pub email: String,
}

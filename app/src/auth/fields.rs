//! The validated fields of an account: e-mail address, password, display name, time zone.

use super::{
    EMAIL_MAX_CHARS, NAME_MAX_CHARS, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, TIME_ZONE_MAX_CHARS,
};
use crate::{error::FieldError, text};

/// An email address: trimmed, lower-cased, at most [`EMAIL_MAX_CHARS`] characters, shaped
/// like an address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(pub(super) String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        let invalid = |kind: &str, msg: &str| Err(FieldError::body("email", kind, msg));
        if email.is_empty() {
            return invalid("value_error.missing", "Enter your email address.");
        }
        if email.chars().count() > EMAIL_MAX_CHARS {
            return invalid(
                "value_error.too_long",
                &format!("An email address has at most {EMAIL_MAX_CHARS} characters."),
            );
        }
        if !looks_like_an_address(&email) {
            return invalid(
                "value_error.email",
                "Enter an email address such as name@example.com.",
            );
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A deliberately plain check: one `@`, a non-empty local part, a dotted domain, and no
/// spaces or control characters. Whether the mailbox exists is not ours to know.
fn looks_like_an_address(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"@".contains(c))
        && domain.contains('.')
        && labels_ok
}

/// A password as typed: [`PASSWORD_MIN_CHARS`] to [`PASSWORD_MAX_CHARS`] characters, never
/// trimmed, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(pub(super) String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let chars = raw.chars().count();
        if chars < PASSWORD_MIN_CHARS {
            return Err(FieldError::body(
                "password",
                "value_error.too_short",
                format!("A password has at least {PASSWORD_MIN_CHARS} characters."),
            ));
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err(FieldError::body(
                "password",
                "value_error.too_long",
                format!("A password has at most {PASSWORD_MAX_CHARS} characters."),
            ));
        }
        text::refuse_control_characters("password", raw)?;
        Ok(Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The name shown in the app: trimmed, 1 to [`NAME_MAX_CHARS`] characters, no control
/// characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(pub(super) String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::body(
                "name",
                "value_error.missing",
                "Enter your name.",
            ));
        }
        if name.chars().count() > NAME_MAX_CHARS {
            return Err(FieldError::body(
                "name",
                "value_error.too_long",
                format!("A name has at most {NAME_MAX_CHARS} characters."),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(FieldError::body(
                "name",
                "value_error.control_characters",
                "A name cannot contain line breaks or control characters.",
            ));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name such as `Europe/Paris`. The browser checks its shape; the server
/// also checks that the zone exists (its time zone database is not shipped to browsers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeZoneName(pub(super) String);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        let invalid = |kind: &str, msg: &str| Err(FieldError::body("time_zone", kind, msg));
        if name.is_empty() {
            return invalid(
                "value_error.missing",
                "Choose a time zone, such as Europe/Paris.",
            );
        }
        let shaped = name.chars().count() <= TIME_ZONE_MAX_CHARS
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
        if !shaped || !zone_exists(name) {
            return invalid(
                "value_error.time_zone",
                "Unknown time zone: use an IANA name such as Europe/Paris, America/New_York or UTC.",
            );
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(feature = "ssr")]
fn zone_exists(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

#[cfg(not(feature = "ssr"))]
fn zone_exists(_name: &str) -> bool {
    true
}

/// The current password a sensitive change asks for: only its presence and length are
/// checked here (whether it is right is the server's question).
pub fn current_password(raw: &str) -> Result<Password, FieldError> {
    const FIELD: &str = "current_password";
    if raw.is_empty() {
        return Err(FieldError::body(
            FIELD,
            "value_error.missing",
            "Enter your current password.",
        ));
    }
    if raw.chars().count() > PASSWORD_MAX_CHARS {
        return Err(FieldError::body(
            FIELD,
            "value_error.too_long",
            format!("A password has at most {PASSWORD_MAX_CHARS} characters."),
        ));
    }
    text::refuse_control_characters(FIELD, raw)?;
    Ok(Password(raw.to_string()))
}

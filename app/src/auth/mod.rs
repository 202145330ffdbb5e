//! Accounts: who a user is, and the validated inputs that create one or log one in.
//!
//! The parsers here run in the browser (inline form messages) and on the server (the form
//! and the JSON API), so every path applies exactly the same rules.

pub mod api;
mod fields;
pub mod views;

#[cfg(feature = "ssr")]
pub mod extract;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod sessions;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod token;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    error::{AppError, FieldError},
    text,
};

pub use fields::{current_password, DisplayName, Email, Password, TimeZoneName};

/// The browser session cookie's name.
pub const SESSION_COOKIE: &str = "todo_session";

pub const EMAIL_MAX_CHARS: usize = 254;
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const NAME_MAX_CHARS: usize = 100;
pub const TIME_ZONE_MAX_CHARS: usize = 64;
/// The time zone of an account that never chose one.
pub const DEFAULT_TIME_ZONE: &str = "UTC";

/// A user as anyone, the user included, may see it: never the password hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct User {
    pub id: Uuid,
    #[cfg_attr(feature = "ssr", schema(example = "ada@example.com"))]
    pub email: String,
    #[cfg_attr(feature = "ssr", schema(example = "Ada Lovelace"))]
    pub name: String,
    /// RFC 3339, UTC, microseconds.
    #[serde(with = "crate::timestamp")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime, example = "2026-01-06T10:00:00.123456Z"))]
    pub created_at: DateTime<Utc>,
    /// An IANA time zone name; "today" and "overdue" are reckoned in it.
    #[cfg_attr(feature = "ssr", schema(example = "Europe/London"))]
    pub time_zone: String,
    /// Present (and true) only after an operator reset the password: every route but
    /// `POST /api/auth/password`, `GET /api/auth/me` and the logouts answers 403 until the
    /// user chooses a new one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub must_change_password: bool,
}

/// Everything needed to create an account, each part already valid.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub email: Email,
    pub password: Password,
    pub name: DisplayName,
    pub time_zone: TimeZoneName,
}

impl NewAccount {
    /// Checks every field and reports every problem at once.
    /// Checks every field and reports every problem at once. No time zone (or a blank one,
    /// as a form sends when the browser could not tell) means UTC.
    pub fn parse(
        email: &str,
        password: &str,
        name: &str,
        time_zone: Option<&str>,
    ) -> Result<Self, AppError> {
        let email = Email::parse(email);
        let password = Password::parse(password);
        let name = DisplayName::parse(name);
        let time_zone = match time_zone.map(str::trim) {
            None | Some("") => Ok(TimeZoneName(DEFAULT_TIME_ZONE.to_string())),
            Some(zone) => TimeZoneName::parse(zone),
        };
        match (email, password, name, time_zone) {
            (Ok(email), Ok(password), Ok(name), Ok(time_zone)) => Ok(Self {
                email,
                password,
                name,
                time_zone,
            }),
            (email, password, name, time_zone) => Err(AppError::validation(
                [email.err(), password.err(), name.err(), time_zone.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            )),
        }
    }
}

/// What a login form or request carries. Only the shape is checked here: whether the pair
/// matches an account is the server's question, and it answers both failures the same way.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub email: String,
    pub password: Password,
}

impl Credentials {
    pub fn parse(email: &str, password: &str) -> Result<Self, AppError> {
        let email = email.trim().to_lowercase();
        let mut errors = Vec::new();
        if email.is_empty() {
            errors.push(FieldError::body(
                "email",
                "value_error.missing",
                "Enter your email address.",
            ));
        } else if email.chars().count() > EMAIL_MAX_CHARS {
            errors.push(FieldError::body(
                "email",
                "value_error.too_long",
                format!("An email address has at most {EMAIL_MAX_CHARS} characters."),
            ));
        } else if let Err(error) = text::refuse_control_characters("email", &email) {
            errors.push(error);
        }
        if password.is_empty() {
            errors.push(FieldError::body(
                "password",
                "value_error.missing",
                "Enter your password.",
            ));
        } else if password.chars().count() > PASSWORD_MAX_CHARS {
            errors.push(FieldError::body(
                "password",
                "value_error.too_long",
                format!("A password has at most {PASSWORD_MAX_CHARS} characters."),
            ));
        } else if let Err(error) = text::refuse_control_characters("password", password) {
            errors.push(error);
        }
        if !errors.is_empty() {
            return Err(AppError::validation(errors));
        }
        Ok(Self {
            email,
            password: Password(password.to_string()),
        })
    }
}

/// Where to go after logging in: only a path on this site, never another origin.
pub fn safe_next(next: Option<&str>) -> String {
    crate::redirect::same_site_or(next, DEFAULT_AFTER_LOGIN)
}

/// The account page, where a password an operator reset is changed.
pub const ACCOUNT_PAGE: &str = "/account";

/// Where a user lands after logging in when no page asked for it.
pub const DEFAULT_AFTER_LOGIN: &str = "/tasks";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a da@example.com",
            "ada@exa mple.com",
            "ada@.example.com",
            "ada@example..com",
            ".ada@example.com",
            "ada@-example.com",
            "<script>@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn an_email_of_254_characters_is_the_longest_accepted() {
        let domain = format!("{}.com", "d".repeat(254 - 4 - 4 - 1));
        let longest = format!("abcd@{domain}");
        assert_eq!(longest.chars().count(), 254);
        assert!(Email::parse(&longest).is_ok());
        let too_long = format!("abcde@{domain}");
        assert_eq!(
            Email::parse(&too_long).unwrap_err().kind,
            "value_error.too_long"
        );
    }

    #[test]
    fn passwords_count_characters_not_bytes() {
        assert!(Password::parse(&"é".repeat(8)).is_ok());
        assert!(Password::parse(&"é".repeat(7)).is_err());
        assert!(Password::parse(&"🔑".repeat(128)).is_ok());
        assert!(Password::parse(&"🔑".repeat(129)).is_err());
    }

    #[test]
    fn passwords_are_not_trimmed_and_never_printed() {
        let password = Password::parse("  spaced  ").unwrap();
        assert_eq!(password.expose(), "  spaced  ");
        assert_eq!(format!("{password:?}"), "Password(..)");
    }

    #[test]
    fn nul_and_control_characters_are_refused_in_every_field() {
        assert!(Password::parse("pass\0word").is_err());
        assert!(Email::parse("ada\0@example.com").is_err());
        let AppError::Validation { errors, .. } =
            Credentials::parse("a\0@example.com", "pass\u{1}word").unwrap_err()
        else {
            panic!("expected a validation error");
        };
        let fields: Vec<_> = errors.iter().map(FieldError::field).collect();
        assert_eq!(fields, ["email", "password"]);
    }

    #[test]
    fn names_are_trimmed_and_limited_to_100_characters() {
        assert_eq!(DisplayName::parse("  Ada  ").unwrap().as_str(), "Ada");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"名".repeat(100)).is_ok());
        assert!(DisplayName::parse(&"名".repeat(101)).is_err());
        assert!(DisplayName::parse("Ada\nLovelace").is_err());
    }

    #[test]
    fn a_new_account_reports_every_bad_field_at_once() {
        let error = NewAccount::parse("nope", "short", "", Some("Mars/Olympus")).unwrap_err();
        let AppError::Validation { errors, .. } = error else {
            panic!("expected a validation error");
        };
        let fields: Vec<_> = errors.iter().map(FieldError::field).collect();
        assert_eq!(fields, ["email", "password", "name", "time_zone"]);
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(
            TimeZoneName::parse(" Europe/Paris ").unwrap().as_str(),
            "Europe/Paris"
        );
        assert!(TimeZoneName::parse("UTC").is_ok());
        assert!(TimeZoneName::parse("America/Argentina/Buenos_Aires").is_ok());
        for bad in [
            "",
            "Europe/Atlantis",
            "utc'; drop table users",
            "../etc/passwd",
            "Europe/Paris\0",
        ] {
            assert!(TimeZoneName::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let account = NewAccount::parse("ada@example.com", "long enough", "Ada", None).unwrap();
        assert_eq!(account.time_zone.as_str(), "UTC");
    }

    #[test]
    fn next_only_leads_to_a_path_on_this_site() {
        assert_eq!(safe_next(Some("/tasks?page=2")), "/tasks?page=2");
        for hostile in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(Some(hostile)), DEFAULT_AFTER_LOGIN, "{hostile}");
        }
        assert_eq!(safe_next(None), DEFAULT_AFTER_LOGIN);
    }
}

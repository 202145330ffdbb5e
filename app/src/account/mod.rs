//! The account feature: what a signed-in user changes about their own account (profile,
//! e-mail, password, their signed-in browsers and tokens, export and import, deletion), its
//! page and its server functions. It builds on `auth` (who the user is) and `tasks` (what
//! an export holds); neither of them reaches back here.

pub mod api;
pub mod app_passwords;
pub mod sections;
pub mod transfer;
pub mod views;

#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    auth::{current_password, DisplayName, Password, TimeZoneName},
    error::{AppError, FieldError},
};

/// The import form posts a file (multipart) to this plain route, which answers with a
/// redirect back to the page.
pub const IMPORT_PATH: &str = "/account/import";
/// The export download.
pub const EXPORT_PATH: &str = "/account/export";

/// One of the account's signed-in browser sessions, as the account page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveSession {
    /// Names the session in the form that ends it (never the session's own secret id).
    pub handle: Uuid,
    /// "Firefox on Linux", from the browser's user agent.
    pub device: String,
    /// When it signed in and was last seen, as read in the account's time zone ("Dec 6, 2026
    /// 09:30 CET"): the zone database stays on the server.
    pub signed_in: String,
    pub last_seen: String,
    /// The session this page is shown in.
    pub current: bool,
}

/// A device hint from a user agent: the browser and the system, in words.
pub fn describe_device(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .into_iter()
    .find(|(token, _)| ua.contains(token))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(token, _)| ua.contains(token))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_string(),
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) => "An unknown browser".to_string(),
    }
}

/// A change of name and/or time zone; a field left out stays as it is.
#[derive(Clone, Debug, Default)]
pub struct ProfileChange {
    pub name: Option<DisplayName>,
    pub time_zone: Option<TimeZoneName>,
}

impl ProfileChange {
    /// Checks every field given and reports every problem at once.
    pub fn parse(name: Option<&str>, time_zone: Option<&str>) -> Result<Self, AppError> {
        let name = name.map(DisplayName::parse).transpose();
        let time_zone = time_zone.map(TimeZoneName::parse).transpose();
        match (name, time_zone) {
            (Ok(name), Ok(time_zone)) => Ok(Self { name, time_zone }),
            (name, time_zone) => Err(AppError::validation(
                [name.err(), time_zone.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            )),
        }
    }
}

/// A new password, with the current one that authorises it.
#[derive(Clone, Debug)]
pub struct PasswordChange {
    pub current: Password,
    pub new: Password,
}

impl PasswordChange {
    pub fn parse(current: &str, new: &str) -> Result<Self, AppError> {
        let current = current_password(current);
        let new = Password::parse(new).map_err(|e| e.renamed("new_password"));
        match (current, new) {
            (Ok(current), Ok(new)) if current == new => {
                Err(AppError::invalid_field(FieldError::body(
                    "new_password",
                    "value_error.unchanged",
                    "Choose a new password that differs from the current one.",
                )))
            }
            (Ok(current), Ok(new)) => Ok(Self { current, new }),
            (current, new) => Err(AppError::validation(
                [current.err(), new.err()].into_iter().flatten().collect(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_described_from_the_user_agent() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0", "Edge on Windows"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            ("", "An unknown browser"),
        ];
        for (agent, expected) in cases {
            assert_eq!(describe_device(agent), expected, "{agent}");
        }
    }

    #[test]
    fn a_password_change_needs_both_and_a_different_one() {
        let error = PasswordChange::parse("", "short").unwrap_err();
        let AppError::Validation { errors, .. } = error else {
            panic!("expected a validation error");
        };
        let fields: Vec<_> = errors.iter().map(FieldError::field).collect();
        assert_eq!(fields, ["current_password", "new_password"]);
        let same = PasswordChange::parse("the same one", "the same one").unwrap_err();
        assert!(same.field_message("new_password").is_some());
        assert!(PasswordChange::parse("old password", "new password").is_ok());
    }

    #[test]
    fn a_profile_change_checks_only_what_is_given() {
        let change = ProfileChange::parse(None, Some("Asia/Tokyo")).unwrap();
        assert!(change.name.is_none());
        assert_eq!(change.time_zone.unwrap().as_str(), "Asia/Tokyo");
        assert!(ProfileChange::parse(Some(" "), None).is_err());
    }
}

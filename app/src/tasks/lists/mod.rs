//! Lists: every task is in one; each account has an Inbox, and may make, rename and delete
//! more. Members of a list hold a [`Role`]; its owner is one of them.

pub mod api;
pub mod new_page;
pub mod views;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::TaskCounts;
use crate::{error::FieldError, text};

/// The longest list name, in characters.
pub const NAME_MAX_CHARS: usize = 100;

/// The most lists one account may own, its Inbox included.
pub const MAX_OWNED_LISTS: u64 = 500;

/// What a member of a list may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything: rename, delete, share, and what an editor may.
    Owner,
    /// Create, edit, complete, move and delete the list's tasks.
    Editor,
    /// Read the list and its tasks.
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Editor => "editor",
            Self::Viewer => "viewer",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "owner" => Some(Self::Owner),
            "editor" => Some(Self::Editor),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }

    /// Whether this role may change the list's tasks.
    pub fn writes(self) -> bool {
        matches!(self, Self::Owner | Self::Editor)
    }
}

/// A list as one of its members sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct List {
    pub id: Uuid,
    /// 1 to 100 characters.
    #[cfg_attr(feature = "ssr", schema(example = "Groceries"))]
    pub name: String,
    pub owner_id: Uuid,
    /// Yours.
    pub role: Role,
    /// Whether it has members besides its owner.
    pub shared: bool,
    /// Its tasks still to do, and done.
    pub counts: TaskCounts,
    /// RFC 3339, UTC, microseconds; never changes.
    #[serde(with = "crate::timestamp")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime, example = "2026-01-06T10:00:00.123456Z"))]
    pub created_at: DateTime<Utc>,
    /// RFC 3339, UTC, microseconds; moves when it is renamed.
    #[serde(with = "crate::timestamp")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = DateTime, example = "2026-01-06T10:00:00.123456Z"))]
    pub updated_at: DateTime<Utc>,
}

/// The most members a list may have, its owner included: every change to its tasks is
/// written to each member's event log.
pub const MAX_MEMBERS: u64 = 50;

/// Share attempts one account may make in an hour: the e-mail lookup they include cannot
/// become a fast way to learn who has an account.
pub const SHARES_PER_HOUR: u32 = 30;

/// A member of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Member {
    pub user_id: Uuid,
    #[cfg_attr(feature = "ssr", schema(example = "sam@example.com"))]
    pub email: String,
    #[cfg_attr(feature = "ssr", schema(example = "Sam"))]
    pub name: String,
    pub role: Role,
}

/// A list's name: trimmed, 1 to [`NAME_MAX_CHARS`] characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListName(String);

impl ListName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::body(
                "name",
                "value_error.missing",
                "A list needs a name.",
            ));
        }
        if name.chars().count() > NAME_MAX_CHARS {
            return Err(FieldError::body(
                "name",
                "value_error.too_long",
                format!("A list's name has at most {NAME_MAX_CHARS} characters."),
            ));
        }
        text::refuse_control_characters("name", name)?;
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What two names are compared by: lower-cased, so "Groceries" and "groceries" clash.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_compared_without_case() {
        assert_eq!(
            ListName::parse("  Groceries ").unwrap().as_str(),
            "Groceries"
        );
        assert_eq!(ListName::parse("Groceries").unwrap().key(), "groceries");
        assert_eq!(ListName::parse("ÉTÉ").unwrap().key(), "été");
        assert_eq!(
            ListName::parse(" ").unwrap_err().kind,
            "value_error.missing"
        );
        assert!(ListName::parse(&"🦀".repeat(100)).is_ok());
        assert_eq!(
            ListName::parse(&"🦀".repeat(101)).unwrap_err().kind,
            "value_error.too_long"
        );
        assert_eq!(
            ListName::parse("a\u{7}b").unwrap_err().kind,
            "value_error.control_characters"
        );
    }

    #[test]
    fn only_owners_and_editors_write() {
        assert!(Role::Owner.writes() && Role::Editor.writes() && !Role::Viewer.writes());
        for role in [Role::Owner, Role::Editor, Role::Viewer] {
            assert_eq!(Role::from_name(role.as_str()), Some(role));
        }
    }
}

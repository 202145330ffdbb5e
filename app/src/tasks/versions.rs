//! Versions of a task: its strong `ETag`, and what a conditional write expects.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};

use super::Task;

/// The task's strong `ETag`: a hash of its JSON, exactly as the API sends it, so equal
/// representations share a tag and any change to any field gives another. Quoted, as the
/// header carries it.
pub fn etag(task: &Task) -> String {
    etag_of(&serde_json::to_vec(task).unwrap_or_default())
}

/// The tag of a task's JSON, as the API sends it (what [`etag`] hashes).
pub fn etag_of(json: &[u8]) -> String {
    let digest = Sha256::digest(json);
    format!("\"{}\"", URL_SAFE_NO_PAD.encode(&digest[..16]))
}

/// What a conditional write expects of the task as it is when the write runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Expect {
    /// Unconditional.
    #[default]
    Nothing,
    /// `If-Match`: the task exists and its tag is one of these (`*`: any).
    ETags(EntityTags),
    /// The page's inline editor: the task's `updated_at` when the form was opened.
    UpdatedAt(DateTime<Utc>),
}

impl Expect {
    /// Whether `task` (the task as it is now) is what was expected.
    pub fn holds(&self, task: &Task) -> bool {
        match self {
            Self::Nothing => true,
            Self::ETags(tags) => tags.matches(&etag(task)),
            Self::UpdatedAt(at) => task.updated_at == *at,
        }
    }
}

/// An `If-Match` or `If-None-Match` value: `*`, or a list of entity tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntityTags {
    Any,
    Tags(Vec<String>),
}

impl EntityTags {
    /// Reads every value of the header (comma-separated lists, possibly over several header
    /// lines); `None` when there are none. Weak tags (`W/"…"`) are kept as written, so they
    /// never equal a strong tag: `If-Match` compares strongly.
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        let mut tags = Vec::new();
        let mut any_value = false;
        for value in values {
            any_value = true;
            for tag in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                if tag == "*" {
                    return Some(Self::Any);
                }
                tags.push(tag.to_string());
            }
        }
        any_value.then_some(Self::Tags(tags))
    }

    /// Whether the current tag `etag` is in the list (strong comparison).
    pub fn matches(&self, etag: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|t| t == etag),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task() -> Task {
        Task {
            id: uuid::Uuid::nil(),
            user_id: uuid::Uuid::nil(),
            list_id: uuid::Uuid::nil(),
            title: "Buy milk".into(),
            description: None,
            is_completed: false,
            due_date: None,
            priority: super::super::Priority::None,
            tags: vec![],
            repeat: None,
            last_completed_at: None,
            remind_at: None,
            created_at: DateTime::from_timestamp_micros(1_767_693_600_123_456).unwrap(),
            updated_at: DateTime::from_timestamp_micros(1_767_693_600_123_456).unwrap(),
        }
    }

    #[test]
    fn a_tag_is_quoted_and_moves_with_every_field() {
        let first = task();
        let tag = etag(&first);
        assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 24);
        assert_eq!(etag(&first.clone()), tag);
        let mut done = first.clone();
        done.is_completed = true;
        let mut later = first.clone();
        later.updated_at += chrono::TimeDelta::microseconds(1);
        assert_ne!(etag(&done), tag);
        assert_ne!(etag(&later), tag);
    }

    #[test]
    fn if_match_lists_compare_strongly() {
        let tag = etag(&task());
        let list = |v: &str| EntityTags::parse([v]).unwrap();
        assert!(list("*").matches(&tag));
        assert!(list(&format!("\"x\", {tag}")).matches(&tag));
        assert!(!list(&format!("W/{tag}")).matches(&tag));
        assert!(!list("\"x\"").matches(&tag));
        assert!(!list("").matches(&tag));
        assert_eq!(EntityTags::parse([]), None);
        assert!(EntityTags::parse(["\"a\"", &tag]).unwrap().matches(&tag));
    }
}

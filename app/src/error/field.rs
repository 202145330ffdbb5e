//! One offending input field, and where it was.

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

    /// This error, about a field of item `inner_index` of array `inner` inside item
    /// `outer_index` of the body's array `outer`.
    pub fn in_nested(
        mut self,
        outer: &str,
        outer_index: usize,
        inner: &str,
        inner_index: usize,
    ) -> Self {
        let field = self.loc.pop().unwrap_or_else(|| "body".into());
        self.loc = vec![
            "body".into(),
            outer.into(),
            outer_index.into(),
            inner.into(),
            inner_index.into(),
            field,
        ];
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

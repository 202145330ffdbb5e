//! The orders a list can be sorted in.

use serde::{Deserialize, Serialize};

/// What a list is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Created,
    Updated,
    Due,
    Priority,
    Title,
}

impl Sort {
    pub const ALL: [Sort; 5] = [
        Self::Created,
        Self::Updated,
        Self::Due,
        Self::Priority,
        Self::Title,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Updated => "updated",
            Self::Due => "due",
            Self::Priority => "priority",
            Self::Title => "title",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Created => "Date added",
            Self::Updated => "Last changed",
            Self::Due => "Due date",
            Self::Priority => "Priority",
            Self::Title => "Title",
        }
    }

    /// Newest, most important first; earliest due and A to Z first.
    pub fn default_order(self) -> Order {
        match self {
            Self::Created | Self::Updated | Self::Priority => Order::Desc,
            Self::Due | Self::Title => Order::Asc,
        }
    }

    pub(super) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    Asc,
    Desc,
}

impl Order {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

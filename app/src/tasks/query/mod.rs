//! Which tasks a list shows and in what order: the query parameters of
//! `GET /api/{user_id}/tasks`, which the page keeps in its own URL under the same names.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::{
    fields::{parse_date, parse_tag, Priority, MAX_TAGS},
    Filter,
};
use crate::error::FieldError;

mod sort;

pub use sort::{Order, Sort};

/// The longest search text, in characters.
pub const SEARCH_MAX_CHARS: usize = 200;

/// A list's filters and order, every part optional and combinable. Made only by
/// [`TaskQuery::parse`] (or from parts already valid): it is not deserialised, so every
/// way in, the API's query string and the page's server function alike, meets the same
/// limits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TaskQuery {
    /// Search words (title and description); the last one matches as a prefix.
    pub q: Option<String>,
    pub status: Filter,
    /// Any of these (empty: any priority).
    pub priorities: Vec<Priority>,
    /// All of these.
    pub tags: Vec<String>,
    /// Inclusive.
    pub due_before: Option<NaiveDate>,
    /// Inclusive.
    pub due_after: Option<NaiveDate>,
    /// Not completed and due before today (in the user's time zone).
    pub overdue: bool,
    /// `Some(true)`: repeating tasks only; `Some(false)`: the others only.
    pub repeating: Option<bool>,
    pub sort: Sort,
    /// `None`: the sort's default.
    pub order: Option<Order>,
    /// One list's tasks only (the caller must be a member); `None`: every list's.
    pub list: Option<Uuid>,
}

/// Why a list parameter was refused.
enum Distinct {
    Bad,
    TooMany,
}

/// The distinct values of a list parameter, in their first places: refused at the first bad
/// one, or at the first distinct one past `max` (so the work stays linear in the input).
fn distinct<T: PartialEq>(
    values: impl Iterator<Item = Option<T>>,
    max: usize,
) -> Result<Vec<T>, Distinct> {
    let mut kept = Vec::new();
    for value in values {
        let value = value.ok_or(Distinct::Bad)?;
        if !kept.contains(&value) {
            if kept.len() == max {
                return Err(Distinct::TooMany);
            }
            kept.push(value);
        }
    }
    Ok(kept)
}

/// A comma-separated list, blanks dropped.
fn items(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|v| !v.is_empty())
}

impl TaskQuery {
    /// Reads the parameters `get` returns (by name); every bad one is reported, named.
    pub fn parse<S: AsRef<str>>(get: impl Fn(&str) -> Option<S>) -> Result<Self, Vec<FieldError>> {
        let owned = |name: &str| get(name).map(|v| v.as_ref().to_string());
        let (q, status, priority, tag, overdue, sort, order, list, repeating) = (
            owned("q"),
            owned("status"),
            owned("priority"),
            owned("tag"),
            owned("overdue"),
            owned("sort"),
            owned("order"),
            owned("list"),
            owned("repeating"),
        );
        let dates = [owned("due_before"), owned("due_after")];
        let get = |name: &str| -> Option<&str> {
            match name {
                "q" => q.as_deref(),
                "status" => status.as_deref(),
                "priority" => priority.as_deref(),
                "tag" => tag.as_deref(),
                "overdue" => overdue.as_deref(),
                "sort" => sort.as_deref(),
                "order" => order.as_deref(),
                "list" => list.as_deref(),
                "repeating" => repeating.as_deref(),
                "due_before" => dates[0].as_deref(),
                "due_after" => dates[1].as_deref(),
                _ => None,
            }
        };
        let mut errors = Vec::new();
        let mut query = Self::default();
        // A parameter given empty is a mistake (a search may be blank: it then finds all).
        let blank: Vec<&str> = [
            "status",
            "priority",
            "tag",
            "due_before",
            "due_after",
            "overdue",
            "sort",
            "order",
            "list",
            "repeating",
        ]
        .into_iter()
        .filter(|name| get(name).is_some_and(|v| v.trim().is_empty()))
        .collect();
        for name in &blank {
            errors.push(FieldError::query(
                name,
                "value_error.missing",
                format!("{name} cannot be empty: leave it out instead."),
            ));
        }
        let get = |name: &str| get(name).filter(|_| !blank.contains(&name));

        if let Some(q) = get("q").map(str::trim).filter(|q| !q.is_empty()) {
            if q.chars().count() > SEARCH_MAX_CHARS {
                errors.push(FieldError::query(
                    "q",
                    "value_error.too_long",
                    format!("q has at most {SEARCH_MAX_CHARS} characters."),
                ));
            } else if q.chars().any(char::is_control) {
                errors.push(FieldError::query(
                    "q",
                    "value_error.control_characters",
                    "q cannot contain control characters.",
                ));
            } else {
                query.q = Some(q.to_string());
            }
        }
        match get("status").map(str::trim) {
            None | Some("") | Some("all") => {}
            Some("active") => query.status = Filter::Active,
            Some("completed") => query.status = Filter::Completed,
            Some(_) => errors.push(FieldError::query(
                "status",
                "value_error.status",
                "status must be all, active or completed.",
            )),
        }
        if let Some(value) = get("priority") {
            match distinct(items(value).map(Priority::from_name), Priority::ALL.len()) {
                Ok(mut priorities) => {
                    priorities.sort();
                    query.priorities = priorities;
                }
                Err(_) => errors.push(FieldError::query(
                    "priority",
                    "value_error.priority",
                    "priority must be one or more of none, low, medium, high, comma separated.",
                )),
            }
        }
        if let Some(value) = get("tag") {
            match distinct(items(value).map(parse_tag), MAX_TAGS) {
                Ok(tags) => query.tags = tags,
                Err(Distinct::Bad) => errors.push(FieldError::query(
                    "tag",
                    "value_error.tag",
                    "tag must be one or more tags (letters, digits, - or _), comma separated.",
                )),
                Err(Distinct::TooMany) => errors.push(FieldError::query(
                    "tag",
                    "value_error.too_many",
                    format!("tag names at most {MAX_TAGS} tags (a task has no more than that)."),
                )),
            }
        }
        for (name, slot) in [
            ("due_before", &mut query.due_before),
            ("due_after", &mut query.due_after),
        ] {
            match get(name).map(str::trim).filter(|v| !v.is_empty()) {
                None => {}
                Some(value) => match parse_date(value) {
                    Some(date) => *slot = Some(date),
                    None => errors.push(FieldError::query(
                        name,
                        "value_error.date",
                        format!("{name} must be a date written YYYY-MM-DD."),
                    )),
                },
            }
        }
        match get("overdue").map(str::trim) {
            None | Some("") | Some("false") => {}
            Some("true") => query.overdue = true,
            Some(_) => errors.push(FieldError::query(
                "overdue",
                "value_error.bool",
                "overdue must be true or false.",
            )),
        }
        match get("repeating").map(str::trim) {
            None | Some("") => {}
            Some("true") => query.repeating = Some(true),
            Some("false") => query.repeating = Some(false),
            Some(_) => errors.push(FieldError::query(
                "repeating",
                "value_error.bool",
                "repeating must be true or false.",
            )),
        }
        match get("sort").map(str::trim).filter(|v| !v.is_empty()) {
            None => {}
            Some(name) => match Sort::from_name(name) {
                Some(sort) => query.sort = sort,
                None => errors.push(FieldError::query(
                    "sort",
                    "value_error.sort",
                    "sort must be one of created, updated, due, priority, title.",
                )),
            },
        }
        match get("order").map(str::trim) {
            None | Some("") => {}
            Some("asc") => query.order = Some(Order::Asc),
            Some("desc") => query.order = Some(Order::Desc),
            Some(_) => errors.push(FieldError::query(
                "order",
                "value_error.order",
                "order must be asc or desc.",
            )),
        }
        match get("list").map(str::trim) {
            None | Some("") => {}
            Some(id) => match Uuid::try_parse(id) {
                Ok(id) => query.list = Some(id),
                Err(_) => errors.push(FieldError::query(
                    "list",
                    "value_error.uuid",
                    "list must be a list's id (a UUID).",
                )),
            },
        }
        if errors.is_empty() {
            Ok(query)
        } else {
            Err(errors)
        }
    }

    /// What a page's address asks for, each bad parameter left out (a page shows a list
    /// rather than an error for a hand-edited address).
    pub fn from_url<S: AsRef<str>>(get: impl Fn(&str) -> Option<S>) -> Self {
        match Self::parse(&get) {
            Ok(query) => query,
            Err(errors) => {
                let bad: Vec<String> = errors.iter().map(|e| e.field().to_string()).collect();
                Self::parse(|name| get(name).filter(|_| !bad.iter().any(|b| b == name)))
                    .unwrap_or_default()
            }
        }
    }

    /// The order in effect: the one asked for, or the sort's default.
    pub fn order(&self) -> Order {
        self.order.unwrap_or_else(|| self.sort.default_order())
    }

    /// Whether anything but the status narrows the list (its total must then be counted).
    pub fn narrows(&self) -> bool {
        self.q.is_some()
            || !self.priorities.is_empty()
            || !self.tags.is_empty()
            || self.due_before.is_some()
            || self.due_after.is_some()
            || self.overdue
            || self.repeating.is_some()
    }

    /// [`Self::pairs`] by name: what the page sends its server function, which reads it
    /// back with [`Self::parse`].
    pub fn params(&self) -> BTreeMap<String, String> {
        self.pairs()
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect()
    }

    /// The parameters that differ from the defaults, as `(name, value)` pairs in a fixed
    /// order, for links that keep the list as it is.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(list) = self.list {
            pairs.push(("list", list.to_string()));
        }
        if let Some(q) = &self.q {
            pairs.push(("q", q.clone()));
        }
        if self.status != Filter::All {
            pairs.push(("status", self.status.as_str().to_string()));
        }
        if !self.priorities.is_empty() {
            let names: Vec<_> = self.priorities.iter().map(|p| p.as_str()).collect();
            pairs.push(("priority", names.join(",")));
        }
        if !self.tags.is_empty() {
            pairs.push(("tag", self.tags.join(",")));
        }
        if let Some(date) = self.due_after {
            pairs.push(("due_after", date.to_string()));
        }
        if let Some(date) = self.due_before {
            pairs.push(("due_before", date.to_string()));
        }
        if self.overdue {
            pairs.push(("overdue", "true".into()));
        }
        if let Some(repeating) = self.repeating {
            pairs.push(("repeating", repeating.to_string()));
        }
        if self.sort != Sort::Created {
            pairs.push(("sort", self.sort.as_str().to_string()));
        }
        if let Some(order) = self.order.filter(|o| *o != self.sort.default_order()) {
            pairs.push(("order", order.as_str().to_string()));
        }
        pairs
    }
}

#[cfg(test)]
mod tests;

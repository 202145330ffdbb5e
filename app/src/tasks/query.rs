//! Which tasks a list shows and in what order: the query parameters of
//! `GET /api/{user_id}/tasks`, which the page keeps in its own URL under the same names.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    fields::{parse_date, parse_tag, Priority, MAX_TAGS},
    Filter,
};
use crate::error::FieldError;

/// The longest search text, in characters.
pub const SEARCH_MAX_CHARS: usize = 200;

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

    fn from_name(name: &str) -> Option<Self> {
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
    pub sort: Sort,
    /// `None`: the sort's default.
    pub order: Option<Order>,
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
        let (q, status, priority, tag, overdue, sort, order) = (
            owned("q"),
            owned("status"),
            owned("priority"),
            owned("tag"),
            owned("overdue"),
            owned("sort"),
            owned("order"),
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
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<TaskQuery, Vec<FieldError>> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TaskQuery::parse(|name| map.get(name).map(String::as_str))
    }

    #[test]
    fn every_parameter_is_read_and_written_back() {
        let query = parse(&[
            ("q", " milk bre "),
            ("status", "active"),
            ("priority", "high,low, high"),
            ("tag", "Home,work"),
            ("due_after", "2026-01-01"),
            ("due_before", "2026-12-31"),
            ("overdue", "true"),
            ("sort", "due"),
            ("order", "desc"),
        ])
        .unwrap();
        assert_eq!(query.q.as_deref(), Some("milk bre"));
        assert_eq!(query.priorities, [Priority::Low, Priority::High]);
        assert_eq!(query.tags, ["home", "work"]);
        assert_eq!(query.order(), Order::Desc);
        assert!(query.narrows());
        let pairs = query.pairs();
        let again = parse(
            &pairs
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        assert_eq!(again, query);
    }

    #[test]
    fn defaults_give_no_parameters_and_each_sort_its_order() {
        let query = parse(&[]).unwrap();
        assert!(query.pairs().is_empty());
        assert!(!query.narrows());
        assert_eq!(query.order(), Order::Desc);
        let by_title = parse(&[("sort", "title"), ("order", "asc")]).unwrap();
        assert_eq!(by_title.order(), Order::Asc);
        assert_eq!(by_title.pairs(), [("sort", "title".to_string())]);
    }

    #[test]
    fn an_empty_parameter_is_refused_but_an_empty_search_is_none() {
        let errors = parse(&[("status", ""), ("due_after", " "), ("q", "")]).unwrap_err();
        let named: Vec<&str> = errors.iter().map(|e| e.field()).collect();
        assert_eq!(named, ["status", "due_after"]);
        assert_eq!(parse(&[("q", " ")]).unwrap(), TaskQuery::default());
        // A page's address drops them instead.
        let lenient = TaskQuery::from_url(|name| match name {
            "status" | "sort" => Some(""),
            "tag" => Some("home"),
            _ => None,
        });
        assert_eq!(lenient.tags, ["home"]);
    }

    #[test]
    fn list_parameters_are_merged_and_bounded() {
        let query = parse(&[("tag", "home,work,home"), ("priority", "high,low,high")]).unwrap();
        assert_eq!(query.tags, ["home", "work"]);
        assert_eq!(query.priorities, [Priority::Low, Priority::High]);
        // 1,100 tags made an SQL expression too large for SQLite (a 500).
        let many: Vec<String> = (0..1_100).map(|i| format!("t{i}")).collect();
        let errors = parse(&[("tag", &many.join(","))]).unwrap_err();
        assert_eq!(errors[0].kind, "value_error.too_many");
        let eleven: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
        assert!(parse(&[("tag", &eleven.join(","))]).is_err());
        assert!(parse(&[("tag", &eleven[..MAX_TAGS].join(","))]).is_ok());
        // A megabyte of one repeated priority is one priority.
        let repeated = vec!["high"; 100_000].join(",");
        assert_eq!(
            parse(&[("priority", &repeated)]).unwrap().priorities,
            [Priority::High]
        );
    }

    #[test]
    fn params_read_back_as_the_same_query() {
        let query = parse(&[("q", "milk"), ("tag", "home"), ("sort", "due")]).unwrap();
        let params = query.params();
        assert_eq!(
            TaskQuery::parse(|name| params.get(name).map(String::as_str)).unwrap(),
            query
        );
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let errors = parse(&[
            ("status", "done"),
            ("priority", "high,urgent"),
            ("tag", "two words"),
            ("due_before", "tomorrow"),
            ("due_after", "2026-02-30"),
            ("overdue", "yes"),
            ("sort", "size"),
            ("order", "up"),
            ("q", &"x".repeat(201)),
        ])
        .unwrap_err();
        let mut named: Vec<String> = errors.iter().map(|e| e.field().to_string()).collect();
        named.sort();
        assert_eq!(
            named,
            [
                "due_after",
                "due_before",
                "order",
                "overdue",
                "priority",
                "q",
                "sort",
                "status",
                "tag"
            ]
        );
        assert!(errors.iter().all(|e| e.loc[0] == "query"));
    }
}

//! Listing queries built from a [`TaskQuery`]: their filters, and the stretches of an index
//! a sorted page reads after a cursor.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::cursor::{Cursor, SortKey};
use crate::{
    db::{Db, Query, Reading, Target},
    ids::{ListId, UserId},
    tasks::{Order, Priority, Sort, TaskQuery},
};

/// A value bound to a query being built.
pub(super) enum Bind {
    User(UserId),
    List(ListId),
    Text(String),
    Int(i64),
    Bool(bool),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    Id(Uuid),
}

/// A query's text and its values, `$1`, `$2`… in the order added.
#[derive(Default)]
pub(super) struct Sql {
    pub(super) text: String,
    pub(super) binds: Vec<Bind>,
}

impl Sql {
    /// Adds a value; returns its placeholder.
    pub(super) fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }
}

impl Sql {
    /// `db.read` of this query, its values bound in order.
    pub(super) fn read<'q>(&'q self, db: &'q Db) -> Query<'q, Reading<'q>> {
        self.bound(db.read(self.text.as_str()))
    }

    /// `query` (made of this query's text), its values bound in order.
    pub(super) fn bound<'q, T: Target>(&'q self, mut query: Query<'q, T>) -> Query<'q, T> {
        for value in &self.binds {
            query = match value {
                Bind::User(id) => query.bind(*id),
                Bind::List(id) => query.bind(*id),
                Bind::Text(text) => query.bind(text.as_str()),
                Bind::Int(n) => query.bind(*n),
                Bind::Bool(b) => query.bind(*b),
                Bind::Date(date) => query.bind(*date),
                Bind::Time(at) => query.bind(*at),
                Bind::Id(id) => query.bind(crate::ids::TaskId(*id)),
            };
        }
        query
    }
}

/// The words of a search, letters and digits only (everything else separates words).
pub(super) fn search_words(q: &str) -> Vec<&str> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// ` and …` for every filter of `query`, on the owner's tasks. For a page (`page` true),
/// SQLite is told not to reach for a filter's index unless that index is also the order's:
/// a page wants the index that gives its order, read until the page is full, where a range
/// of due dates or a set of priorities would have it collect every match and sort them.
/// PostgreSQL weighs this from its statistics.
pub(super) fn filters(
    sql: &mut Sql,
    db: &Db,
    query: &TaskQuery,
    today: NaiveDate,
    page: bool,
) -> String {
    let sqlite = db.is_sqlite();
    let unindexed = |column: &str, sort: Sort| {
        if page && sqlite && query.sort != sort {
            format!("+{column}")
        } else {
            column.to_string()
        }
    };
    let due = unindexed("due_date", Sort::Due);
    let mut text = String::new();
    if let Some(list) = query.list {
        text += &format!(" and list_id = {}", sql.bind(Bind::List(ListId(list))));
    }
    if let Some(completed) = query.status.completed() {
        text += &format!(" and is_completed = {}", sql.bind(Bind::Bool(completed)));
    }
    if query.overdue {
        let f = sql.bind(Bind::Bool(false));
        let t = sql.bind(Bind::Date(today));
        text += &format!(" and is_completed = {f} and {due} < {t}");
    }
    match query.repeating {
        Some(true) => text += " and repeat is not null",
        Some(false) => text += " and repeat is null",
        None => {}
    }
    if !query.priorities.is_empty() && query.priorities.len() < Priority::ALL.len() {
        // One priority is an equality, which its index serves in the created order too.
        let priority = if query.priorities.len() == 1 {
            "priority".to_string()
        } else {
            unindexed("priority", Sort::Priority)
        };
        let ranks: Vec<String> = query
            .priorities
            .iter()
            .map(|p| sql.bind(Bind::Int(i64::from(p.rank()))))
            .collect();
        text += &format!(" and {priority} in ({})", ranks.join(", "));
    }
    for tag in &query.tags {
        let tag = sql.bind(Bind::Text(tag.clone()));
        text += &format!(
            " and exists (select 1 from task_tags where task_tags.task_id = tasks.id and task_tags.tag = {tag})"
        );
    }
    if let Some(date) = query.due_after {
        text += &format!(" and {due} >= {}", sql.bind(Bind::Date(date)));
    }
    if let Some(date) = query.due_before {
        text += &format!(" and {due} <= {}", sql.bind(Bind::Date(date)));
    }
    if let Some(q) = &query.q {
        let words = search_words(q);
        if words.is_empty() {
            // Nothing searchable (punctuation only): nothing matches.
            text += " and 1 = 0";
        } else {
            // Every word quoted, the last one a prefix, all of them required.
            let expression = |quote: &str, prefix: &str, and: &str| {
                let last = words.len() - 1;
                let terms: Vec<String> = words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| {
                        format!("{quote}{w}{quote}{}", if i == last { prefix } else { "" })
                    })
                    .collect();
                Bind::Text(terms.join(and))
            };
            if db.is_sqlite() {
                let expr = sql.bind(expression("\"", "*", " "));
                text += &format!(
                        " and tasks.rowid in (select rowid from tasks_search where tasks_search match {expr})"
                    );
            } else {
                let expr = sql.bind(expression("'", ":*", " & "));
                text += &format!(" and search @@ to_tsquery('simple', {expr})");
            }
        }
    }
    text
}

/// The column a sort reads.
pub(super) fn sort_column(sort: Sort) -> &'static str {
    match sort {
        Sort::Created => "created_at",
        Sort::Updated => "updated_at",
        Sort::Due => "due_date",
        Sort::Priority => "priority",
        Sort::Title => "title_key",
    }
}

/// One stretch of a sorted list: the rows a condition keeps, in an order an index gives.
pub(super) struct Part {
    pub(super) condition: String,
    pub(super) order: String,
}

/// The stretches that make up the list after `after` (or all of it), in order. Each is a
/// plain range of one index, so a deep page seeks where a single "after the cursor" condition
/// over mixed directions would walk from the start; tasks without a due date come last.
pub(super) fn parts(sql: &mut Sql, sort: Sort, order: Order, after: Option<&Cursor>) -> Vec<Part> {
    const TIES: &str = "created_at desc, id desc";
    let column = sort_column(sort);
    let (dir, beyond) = match order {
        Order::Asc => ("asc", ">"),
        Order::Desc => ("desc", "<"),
    };
    // Sorted by creation, the ties are its own: said once, so the order is exactly the
    // index's (a repeated `created_at` made SQLite sort each run of equal timestamps apart,
    // all 100,000 tasks of an import made at one instant).
    let whole = if sort == Sort::Created {
        format!("created_at {dir}, id desc")
    } else {
        format!("{column} {dir}, {TIES}")
    };
    let part = |condition: String, order: &str| Part {
        condition,
        order: order.to_string(),
    };
    let Some(after) = after else {
        return if sort == Sort::Due {
            vec![
                part(" and due_date is not null".into(), &whole),
                part(" and due_date is null".into(), TIES),
            ]
        } else {
            vec![part(String::new(), &whole)]
        };
    };
    let ties_after = {
        let at = sql.bind(Bind::Time(after.created_at));
        let id = sql.bind(Bind::Id(after.id));
        format!(" and (created_at, id) < ({at}, {id})")
    };
    let value = || match &after.key {
        SortKey::Created => Some(Bind::Time(after.created_at)),
        SortKey::Updated(at) => Some(Bind::Time(*at)),
        SortKey::Due(None) => None,
        SortKey::Due(Some(date)) => Some(Bind::Date(*date)),
        SortKey::Priority(rank) => Some(Bind::Int(i64::from(*rank))),
        SortKey::Title(key) => Some(Bind::Text(key.clone())),
    };
    let (Some(same), Some(past)) = (value(), value()) else {
        // After a task without a due date: only such tasks follow.
        return vec![part(format!(" and due_date is null{ties_after}"), TIES)];
    };
    let (same, past) = (sql.bind(same), sql.bind(past));
    let mut parts = vec![
        part(format!(" and {column} = {same}{ties_after}"), TIES),
        part(format!(" and {column} {beyond} {past}"), &whole),
    ];
    if sort == Sort::Due {
        parts.push(part(" and due_date is null".into(), TIES));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_are_letters_and_digits() {
        assert_eq!(
            search_words("milk, \"bread\" OR café*"),
            ["milk", "bread", "OR", "café"]
        );
        assert!(search_words("*** ' \"").is_empty());
    }
}

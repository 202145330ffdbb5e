//! Counts of filtered lists, each valid for the version of the owner's tasks it was taken
//! at. In this process only, bounded in bytes; another instance counts for itself, and a
//! change anywhere moves the version every instance reads.
use std::{
    collections::HashMap,
    sync::{Mutex, OnceLock},
};

use chrono::NaiveDate;

use crate::{
    ids::UserId,
    tasks::{TaskCounts, TaskQuery},
};

/// More than this held and the map starts afresh: a few thousand filtered lists (a
/// valid query is at most a few kilobytes: its limits come before it is counted).
const MAX_BYTES: usize = 4 << 20;

/// The filters alone (the order does not change a count), and today when it matters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Key {
    owner: UserId,
    filters: TaskQuery,
    today: Option<NaiveDate>,
}

impl Key {
    /// What the entry holds, roughly: the key, its texts and the value.
    fn bytes(&self) -> usize {
        std::mem::size_of::<(Key, Stamped, u64)>()
            + self.filters.q.as_ref().map_or(0, String::capacity)
            + self
                .filters
                .tags
                .iter()
                .map(String::capacity)
                .sum::<usize>()
            + self.filters.priorities.capacity()
    }
}

#[derive(Default)]
struct Totals {
    map: HashMap<Key, (Stamped, u64)>,
    bytes: usize,
}

fn totals() -> &'static Mutex<Totals> {
    static TOTALS: OnceLock<Mutex<Totals>> = OnceLock::new();
    TOTALS.get_or_init(Default::default)
}

pub(super) fn key(owner: UserId, query: &TaskQuery, today: NaiveDate) -> Key {
    Key {
        owner,
        filters: TaskQuery {
            sort: Default::default(),
            order: None,
            ..query.clone()
        },
        today: query.overdue.then_some(today),
    }
}

pub(super) fn get(key: &Key, stamp: &Stamped) -> Option<u64> {
    let totals = totals().lock().ok()?;
    totals
        .map
        .get(key)
        .filter(|(at, _)| at == stamp)
        .map(|(_, total)| *total)
}

pub(super) fn put(key: Key, stamp: Stamped, total: u64) {
    let Ok(mut totals) = totals().lock() else {
        return;
    };
    let size = key.bytes();
    if totals.bytes + size > MAX_BYTES {
        totals.map.clear();
        totals.bytes = 0;
    }
    if totals.map.insert(key, (stamp, total)).is_none() {
        totals.bytes += size;
    }
}

/// How many bytes the map holds now, by [`Key::bytes`]'s reckoning.
#[cfg(test)]
fn held_bytes() -> usize {
    totals().lock().map_or(0, |t| t.bytes)
}

#[cfg(test)]
const LIMIT: usize = MAX_BYTES;

/// The owner's counts and the version of their tasks they were read at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Stamped {
    pub(super) counts: TaskCounts,
    pub(super) version: i64,
    /// Whether they are a member of someone else's list (their listings then read every
    /// list they are a member of, not only their own range).
    pub(super) shared_with_me: bool,
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use uuid::Uuid;

    use super::*;

    #[test]
    fn the_totals_cache_stays_within_its_bytes() {
        let stamp = Stamped {
            counts: TaskCounts::default(),
            version: 1,
            shared_with_me: false,
        };
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        for i in 0..20_000 {
            let query = TaskQuery {
                q: Some(format!("{i}{}", "x".repeat(190))),
                tags: (0..10).map(|t| format!("{t}{}", "t".repeat(30))).collect(),
                ..TaskQuery::default()
            };
            put(key(UserId(Uuid::now_v7()), &query, today), stamp, 1);
            assert!(held_bytes() <= LIMIT);
        }
        let query = TaskQuery {
            q: Some("milk".into()),
            ..TaskQuery::default()
        };
        let key = key(UserId(Uuid::now_v7()), &query, today);
        put(key.clone(), stamp, 7);
        assert_eq!(get(&key, &stamp), Some(7));
    }
}

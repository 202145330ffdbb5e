//! The counts a listing starts from ([`counts_stamped`], kept by the database), and counts
//! of filtered lists, each valid for the version of the owner's tasks it was taken at. The
//! latter in this process only, bounded in bytes; another instance counts for itself, and a
//! change anywhere moves the version every instance reads.
use std::{
    collections::HashMap,
    sync::{Mutex, OnceLock},
};

use chrono::NaiveDate;

use super::access;
use crate::{
    db::Db,
    error::AppError,
    ids::{ListId, UserId},
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

/// On SQLite, the lists shared with a user are read one by one when they are this many at
/// most (see `listing::scopes`).
pub(super) const SHARED_APART: i64 = 32;

/// The counts of what `query` lists before its filters (one list's, or those of every list
/// `me` is a member of), and the version its filtered counts are valid for; on SQLite also
/// the lists shared with `me`, when they are [`SHARED_APART`] at most (else none). 404 for a
/// list `me` is no member of.
pub(super) async fn counts_stamped(
    db: &Db,
    me: UserId,
    query: &TaskQuery,
) -> Result<(Stamped, Vec<ListId>), AppError> {
    let stamped = |(total, completed, version): (i64, i64, i64), shared_with_me| Stamped {
        counts: TaskCounts {
            active: (total - completed).max(0) as u64,
            completed: completed.max(0) as u64,
        },
        version,
        shared_with_me,
    };
    if let Some(list) = query.list {
        let row = db
            .read(
                "select lists.total, lists.completed, coalesce(task_counts.version, 0)
                 from lists
                 join list_members on list_members.list_id = lists.id
                                  and list_members.user_id = $2
                 left join task_counts on task_counts.user_id = lists.owner_id
                 where lists.id = $1",
            )
            .bind(ListId(list))
            .bind(me)
            .optional()
            .await?;
        return Ok((
            stamped(row.ok_or_else(access::no_such_list)?, false),
            Vec::new(),
        ));
    }
    // Their own counts, and those of every list shared with them with every sharer's
    // version (a change to any of them moves it), in one statement.
    let shared_ids = if db.is_sqlite() {
        format!("case when count(lists.id) <= {SHARED_APART} then group_concat(hex(lists.id)) end")
    } else {
        "cast(null as text)".to_string()
    };
    let sql = format!(
        "select cast(mine.total + coalesce(sum(lists.total), 0) as bigint),
                    cast(mine.completed + coalesce(sum(lists.completed), 0) as bigint),
                    cast(mine.version + coalesce((
                        select sum(theirs.version) from task_counts as theirs
                        where theirs.user_id in (
                            select held.owner_id from lists as held
                            join list_members as membership on membership.list_id = held.id
                            where membership.user_id = $1 and membership.role <> 'owner')
                    ), 0) as bigint),
                    count(lists.id) > 0, {shared_ids}
             from task_counts as mine
             left join list_members on list_members.user_id = mine.user_id
                                   and list_members.role <> 'owner'
             left join lists on lists.id = list_members.list_id
             where mine.user_id = $1
             group by mine.user_id, mine.total, mine.completed, mine.version"
    );
    type Row = (i64, i64, i64, bool, Option<String>);
    let row: Option<Row> = db.read(&sql).bind(me).optional().await?;
    let (total, completed, version, shared, ids) = row.unwrap_or((0, 0, 0, false, None));
    // 32 hex digits each (SQLite keeps ids as 16-byte blobs).
    let lists = ids
        .iter()
        .flat_map(|ids| ids.split(','))
        .filter_map(|id| uuid::Uuid::try_parse(id).ok().map(ListId))
        .collect();
    Ok((stamped((total, completed, version), shared), lists))
}

/// The owner's counts, kept up to date by triggers on `tasks` (migration 0003).
pub async fn counts(db: &Db, owner: UserId) -> Result<TaskCounts, AppError> {
    Ok(counts_stamped(db, owner, &TaskQuery::default())
        .await?
        .0
        .counts)
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

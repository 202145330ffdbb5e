//! The event log: each user's numbered events, written in the transaction of the change
//! they describe, read from a number on, and pruned after `KEPT_FOR`.

use std::collections::{BTreeMap, BTreeSet};

use super::{Change, Event, To, CHANNEL, KEPT_FOR};
use crate::{
    db,
    db::Db,
    ids::{ListId, UserId},
};

/// Records `changes` inside `tx` (see [`EventLog::record`]), on the engine in use.
pub async fn record(tx: &mut db::Tx<'_>, changes: &[Change]) -> Result<Vec<UserId>, sqlx::Error> {
    let recorded = match tx.engine() {
        db::EngineTx::Sqlite(tx) => tx.record(changes).await,
        db::EngineTx::Postgres(tx) => tx.record(changes).await,
    };
    tx.note(&recorded);
    recorded
}

/// Writing events inside a transaction: one implementation per engine.
pub trait EventLog {
    /// Records each of `changes` in the log of everyone who hears of it (see [`To`]),
    /// numbered after each one's last event; returns who they are. On PostgreSQL taking the
    /// numbers locks each one's counter until commit (in the order of their ids, so two
    /// writes never wait on each other in a circle), so one user's events commit in the
    /// order of their numbers; the commit notifies [`CHANNEL`] once per user.
    fn record(
        &mut self,
        changes: &[Change],
    ) -> impl std::future::Future<Output = Result<Vec<UserId>, sqlx::Error>> + Send;
}

/// `changes` as the one JSON parameter of [`SQLITE_RECORD`]: in
/// order, each with its kind (`k`), its data (`d`), the lists whose members hear of it (`l`)
/// and the accounts that do besides (`u`), ids as 32 hex digits.
fn as_json(changes: &[Change]) -> String {
    let rows: Vec<serde_json::Value> = changes
        .iter()
        .map(|change| {
            let (mut lists, mut users) = (Vec::new(), Vec::new());
            for to in change.audience() {
                match to {
                    To::Members(list) => lists.push(list.as_uuid().simple().to_string()),
                    To::Users(ids) => {
                        users.extend(ids.iter().map(|id| id.as_uuid().simple().to_string()))
                    }
                }
            }
            serde_json::json!({"k": change.kind().as_str(), "d": change.data(), "l": lists, "u": users})
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// Who hears of which change: `(ord, user_id)`, each once, from the changes in `$1` (see
/// [`as_json`]). SQLite keeps ids as 16-byte blobs.
const SQLITE_HEARD: &str = "
    with c as (select key as ord, value as v from json_each($1)),
    heard as (
        select c.ord, m.user_id from c, json_each(c.v, '$.l') l
            join list_members m on m.list_id = unhex(l.value)
        union
        select c.ord, unhex(u.value) from c, json_each(c.v, '$.u') u
    )";

/// The whole of [`EventLog::record`] on SQLite, as one batch of statements run in one call
/// to the connection's worker thread: each hearer's counter moves on by the number of
/// changes they hear of (in the order of their ids), the events are numbered after it in the
/// order of the changes, and the last statement gives who heard.
static SQLITE_RECORD: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{SQLITE_HEARD}
         insert into event_seqs (user_id, last)
         select user_id, count(*) from heard where true group by user_id order by user_id
         on conflict (user_id) do update set last = event_seqs.last + excluded.last;
         {SQLITE_HEARD}
         insert into task_events (user_id, seq, kind, data, created_at)
         select h.user_id,
                s.last - count(*) over (partition by h.user_id)
                       + row_number() over (partition by h.user_id order by h.ord),
                c.v ->> '$.k', c.v ->> '$.d', $2
         from heard h join c on c.ord = h.ord join event_seqs s on s.user_id = h.user_id;
         {SQLITE_HEARD}
         select distinct user_id from heard order by user_id;"
    )
});

impl EventLog for db::WriterTx<'_, sqlx::Sqlite> {
    async fn record(&mut self, changes: &[Change]) -> Result<Vec<UserId>, sqlx::Error> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query_scalar(SQLITE_RECORD.as_str())
            .bind(as_json(changes))
            .bind(db::now())
            .fetch_all(self)
            .await
    }
}

/// Rows per insert statement on PostgreSQL: 5 parameters each, well under its limit.
const ROWS_PER_INSERT: usize = 500;

/// On PostgreSQL a statement per step, each for every hearer at once: read as one
/// statement with data-modifying CTEs the same work held the hearers' rows longer (creates
/// and completes of one user at 10 connections were 9 and 17% slower). The lists' members
/// are read, then every hearer's counter moves on (in the order of their ids), the events go
/// in, and each hearer's `NOTIFY` is sent (delivered at commit): four statements whether one
/// account hears or every member of a shared list.
impl EventLog for db::WriterTx<'_, sqlx::Postgres> {
    async fn record(&mut self, changes: &[Change]) -> Result<Vec<UserId>, sqlx::Error> {
        let lists: BTreeSet<uuid::Uuid> = changes
            .iter()
            .flat_map(|change| change.audience())
            .filter_map(|to| match to {
                To::Members(list) => Some(list.as_uuid()),
                To::Users(_) => None,
            })
            .collect();
        let mut members: BTreeMap<ListId, Vec<UserId>> = BTreeMap::new();
        if !lists.is_empty() {
            let lists: Vec<uuid::Uuid> = lists.into_iter().collect();
            let rows: Vec<(ListId, UserId)> =
                sqlx::query_as("select list_id, user_id from list_members where list_id = any($1)")
                    .bind(&lists)
                    .fetch_all(&mut *self)
                    .await?;
            for (list, user) in rows {
                members.entry(list).or_default().push(user);
            }
        }
        let mut logs: BTreeMap<UserId, Vec<&Change>> = BTreeMap::new();
        for change in changes {
            let mut heard: BTreeSet<UserId> = BTreeSet::new();
            for to in change.audience() {
                match to {
                    To::Members(list) => heard.extend(members.get(list).into_iter().flatten()),
                    To::Users(users) => heard.extend(users.iter()),
                }
            }
            for user in heard {
                logs.entry(user).or_default().push(change);
            }
        }
        if logs.is_empty() {
            return Ok(Vec::new());
        }
        let hearers: Vec<uuid::Uuid> = logs.keys().map(|user| user.as_uuid()).collect();
        let counts: Vec<i64> = logs.values().map(|heard| heard.len() as i64).collect();
        let lasts: BTreeMap<UserId, i64> = sqlx::query_as(
            "insert into event_seqs (user_id, last)
             select * from unnest($1::uuid[], $2::bigint[]) as hearer (user_id, last)
             order by user_id
             on conflict (user_id) do update set last = event_seqs.last + excluded.last
             returning user_id, last",
        )
        .bind(&hearers)
        .bind(&counts)
        .fetch_all(&mut *self)
        .await?
        .into_iter()
        .collect();
        let now = db::now();
        let mut rows = Vec::new();
        for (user, heard) in &logs {
            let last = *lasts.get(user).ok_or(sqlx::Error::RowNotFound)?;
            let first = last - heard.len() as i64;
            rows.extend(
                (first + 1..)
                    .zip(heard)
                    .map(|(seq, change)| (*user, seq, *change)),
            );
        }
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::<sqlx::Postgres>::new(
                "insert into task_events (user_id, seq, kind, data, created_at) ",
            );
            insert.push_values(chunk, |mut row, (user, seq, change)| {
                row.push_bind(*user)
                    .push_bind(*seq)
                    .push_bind(change.kind().as_str())
                    .push_bind(change.data().to_string())
                    .push_bind(now);
            });
            insert.build().execute(&mut *self).await?;
        }
        let channels: Vec<String> = hearers.iter().map(|user| user.to_string()).collect();
        sqlx::query("select pg_notify($1, hearer) from unnest($2::text[]) as hearer")
            .bind(CHANNEL)
            .bind(&channels)
            .execute(&mut *self)
            .await?;
        Ok(logs.into_keys().collect())
    }
}

/// The owner's last event number (0 before their first).
pub async fn last_seq(db: &Db, owner: UserId) -> Result<i64, sqlx::Error> {
    let last: Option<i64> = db
        .read("select last from event_seqs where user_id = $1")
        .bind(owner)
        .scalar_optional()
        .await?;
    Ok(last.unwrap_or(0))
}

/// The most events read from the log at once: a stream catching up (or a feed reading a
/// large change) holds no more than this many in memory, and reads the next page only once
/// it has sent these.
pub const LOG_PAGE: i64 = 100;

/// What a stream that has seen up to `after` must send to catch up.
#[derive(Debug, PartialEq, Eq)]
pub enum Since {
    /// The events just after it, in order: at most [`LOG_PAGE`], fewer only when they are
    /// all there is (perhaps none).
    Events(Vec<Event>),
    /// Some were pruned, or `after` is not one of the owner's numbers: reload everything.
    /// Carries the last number now.
    Reset(i64),
}

/// The owner's next [`LOG_PAGE`] events after `after`, or [`Since::Reset`] when they are
/// not all kept.
pub async fn since(db: &Db, owner: UserId, after: i64) -> Result<Since, sqlx::Error> {
    let last = last_seq(db, owner).await?;
    if after > last || after < 0 {
        return Ok(Since::Reset(last));
    }
    if after == last {
        return Ok(Since::Events(Vec::new()));
    }
    let upto = last.min(after.saturating_add(LOG_PAGE));
    let events: Vec<Event> = db
        .read(
            "select seq, kind, data from task_events
             where user_id = $1 and seq > $2 and seq <= $3 order by seq",
        )
        .bind(owner)
        .bind(after)
        .bind(upto)
        .all()
        .await?;
    // Numbers are unique and kept from the oldest pruned on: the page is whole when it has
    // every number, starting just after `after`.
    let whole =
        events.len() as i64 == upto - after && events.first().is_some_and(|e| e.seq == after + 1);
    Ok(if whole {
        Since::Events(events)
    } else {
        Since::Reset(last)
    })
}

/// Deletes events older than [`KEPT_FOR`].
pub async fn prune(db: &Db) -> Result<u64, sqlx::Error> {
    // An event an active webhook has not delivered yet stays (until it goes through, or
    // the webhook is turned off after three days of failures).
    db.write(
        "delete from task_events where created_at < $1
           and not exists (select 1 from webhooks w where w.user_id = task_events.user_id
                           and w.active and w.cursor < task_events.seq)",
    )
    .bind(db::now() - KEPT_FOR)
    .execute()
    .await
}

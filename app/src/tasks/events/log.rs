//! The event log: each user's numbered events, written in the transaction of the change
//! they describe, read from a number on, and pruned after `KEPT_FOR`.

use super::{Change, Event, To, CHANNEL, KEPT_FOR};
use crate::{db, db::Db, ids::UserId, with_reader, with_writer};

/// Writing events inside a transaction, on either engine.
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

/// `changes` as the one JSON parameter of [`SQLITE_RECORD`] and [`POSTGRES_RECORD`]: in
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

/// The same on PostgreSQL as one statement, which also notifies [`CHANNEL`] once per hearer
/// (delivered at commit). Taking the numbers locks each hearer's counter until commit, in
/// the order of their ids.
const POSTGRES_RECORD: &str = "
    with c as (select ord, v from json_array_elements($1::json) with ordinality as t(v, ord)),
    heard as (
        select c.ord, m.user_id from c cross join json_array_elements_text(c.v -> 'l') l
            join list_members m on m.list_id = l::uuid
        union
        select c.ord, u::uuid from c cross join json_array_elements_text(c.v -> 'u') u
    ),
    counts as (select user_id, count(*) as n from heard group by user_id),
    seqs as (
        insert into event_seqs (user_id, last)
        select user_id, n from counts order by user_id
        on conflict (user_id) do update set last = event_seqs.last + excluded.last
        returning user_id, last
    ),
    events as (
        insert into task_events (user_id, seq, kind, data, created_at)
        select h.user_id,
               s.last - n.n + row_number() over (partition by h.user_id order by h.ord),
               c.v ->> 'k', c.v ->> 'd', $2
        from heard h join c on c.ord = h.ord join seqs s on s.user_id = h.user_id
             join counts n on n.user_id = h.user_id
    )
    select s.user_id, pg_notify($3, s.user_id::text)::text as notified from seqs s
    order by s.user_id";

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

impl EventLog for db::WriterTx<'_, sqlx::Postgres> {
    async fn record(&mut self, changes: &[Change]) -> Result<Vec<UserId>, sqlx::Error> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let heard: Vec<(UserId, String)> = sqlx::query_as(POSTGRES_RECORD)
            .bind(as_json(changes))
            .bind(db::now())
            .bind(CHANNEL)
            .fetch_all(self)
            .await?;
        Ok(heard.into_iter().map(|(user, _)| user).collect())
    }
}

/// The owner's last event number (0 before their first).
pub async fn last_seq(db: &Db, owner: UserId) -> Result<i64, sqlx::Error> {
    let last: Option<i64> = with_reader!(db, |pool| {
        sqlx::query_scalar("select last from event_seqs where user_id = $1")
            .bind(owner)
            .fetch_optional(pool)
            .await
    })?;
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
    let events: Vec<Event> = with_reader!(db, |pool| {
        sqlx::query_as(
            "select seq, kind, data from task_events
             where user_id = $1 and seq > $2 and seq <= $3 order by seq",
        )
        .bind(owner)
        .bind(after)
        .bind(upto)
        .fetch_all(pool)
        .await
    })?;
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
    with_writer!(db, |pool| {
        // An event an active webhook has not delivered yet stays (until it goes through, or
        // the webhook is turned off after three days of failures).
        sqlx::query(
            "delete from task_events where created_at < $1
               and not exists (select 1 from webhooks w where w.user_id = task_events.user_id
                               and w.active and w.cursor < task_events.seq)",
        )
        .bind(db::now() - KEPT_FOR)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })
}

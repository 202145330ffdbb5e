//! The task store's write rule. Every write runs in one transaction that takes the write
//! turn ([`crate::with_writer!`]) and begins by taking SQLite's write lock, records its changes
//! as the owner's events in that same transaction, and is announced to this process's
//! streams once committed ([`write_recorded!`]). A conditional write first reads the task
//! in that transaction ([`still_as_expected`]). What differs between the engines inside a
//! transaction is [`WriteTx`], implemented once for each.

use std::future::Future;

use super::rows::{not_found, TaskRow, COLUMNS};
use crate::{
    db::{Db, WriterTx},
    error::AppError,
    ids::{TaskId, UserId},
    tasks::{versions::Expect, Task},
};

/// Rows one transaction of a bulk change (marking all done, clearing completed, an undo)
/// takes at most: each holds SQLite's one write turn for a few milliseconds, so other users'
/// writes wait no longer than that, whatever the size of the whole change.
pub(super) const BULK_CHUNK: usize = 200;

/// Tasks one transaction of an import (or of an undone deletion) inserts at most: an insert
/// costs more than an update (the search index, the tag and count triggers), so its chunks
/// are half as large, and a chunk still takes SQLite's write turn for only a few milliseconds.
pub(super) const INSERT_CHUNK: usize = 100;

/// Expired undo rows one bulk action prunes on its way, at most: whatever is left goes with
/// the next one, so no action pays for a large past one in a single transaction.
pub(super) const PRUNE_CHUNK: usize = 1000;

/// Runs `body` (an expression giving `(value, changes)`, which may use `?` and `.await` on
/// the transaction `tx`) in one write transaction, records `changes` as the owner's events in
/// that same transaction, commits, and then announces them to this process's streams. The
/// one macro of the store: it expands `body` once per engine, each with its own transaction
/// type, through [`crate::with_writer!`].
macro_rules! write_recorded {
    ($db:expr, $owner:expr, |$tx:ident| $body:expr) => {{
        #[allow(unused_imports)]
        use $crate::tasks::{events::EventLog as _, store::write::WriteTx as _};
        let db: &$crate::db::Db = $db;
        let owner: $crate::ids::UserId = $owner;
        // On SQLite the transaction takes the write lock as it begins: one that read first
        // (a quota, an expected version) could not take it later once another connection
        // had written since (SQLITE_BUSY_SNAPSHOT, at once, whatever the busy timeout).
        let begin = if db.is_sqlite() {
            "begin immediate"
        } else {
            "begin"
        };
        let written = $crate::with_writer!(db, |writer| {
            async {
                let mut tx = writer.begin_with(begin).await?;
                let $tx = &mut tx;
                let (value, changes): (_, Vec<$crate::tasks::events::Change>) = $body;
                tx.record(owner, &changes).await?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>((value, !changes.is_empty()))
            }
            .await
        });
        written.map(|(value, changed)| {
            if changed {
                db.announce(owner);
            }
            value
        })
    }};
}

pub(super) use write_recorded;

/// What differs between the engines inside a write transaction: one implementation each.
pub(super) trait WriteTx {
    /// The task a conditional write is about, as it is now; on PostgreSQL locked until
    /// commit (SQLite writes one at a time anyway).
    fn current(
        &mut self,
        owner: UserId,
        id: TaskId,
    ) -> impl Future<Output = Result<Option<TaskRow>, sqlx::Error>> + Send;

    /// How many tasks the owner holds now. On PostgreSQL the owner's count row is made if
    /// missing and locked until commit, so two writes cannot both take the last places.
    fn tasks_held(
        &mut self,
        owner: UserId,
    ) -> impl Future<Output = Result<Option<i64>, sqlx::Error>> + Send;
}

impl WriteTx for WriterTx<'_, sqlx::Sqlite> {
    async fn current(&mut self, owner: UserId, id: TaskId) -> Result<Option<TaskRow>, sqlx::Error> {
        sqlx::query_as(&format!(
            "select {COLUMNS} from tasks where id = $1 and user_id = $2"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(self)
        .await
    }

    async fn tasks_held(&mut self, owner: UserId) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("select total from task_counts where user_id = $1")
            .bind(owner)
            .fetch_optional(self)
            .await
    }
}

impl WriteTx for WriterTx<'_, sqlx::Postgres> {
    async fn current(&mut self, owner: UserId, id: TaskId) -> Result<Option<TaskRow>, sqlx::Error> {
        sqlx::query_as(&format!(
            "select {COLUMNS} from tasks where id = $1 and user_id = $2 for update"
        ))
        .bind(id)
        .bind(owner)
        .fetch_optional(self)
        .await
    }

    async fn tasks_held(&mut self, owner: UserId) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query(
            "insert into task_counts (user_id, total, completed) values ($1, 0, 0)
             on conflict (user_id) do nothing",
        )
        .bind(owner)
        .execute(&mut *self)
        .await?;
        sqlx::query_scalar("select total from task_counts where user_id = $1 for update")
            .bind(owner)
            .fetch_optional(self)
            .await
    }
}

/// Whether a write on task `id` expecting `expect` may go ahead, read inside its
/// transaction `tx`: nothing is read when nothing is expected. 404 for a missing task, 412
/// for a stale one (through [`Refused`]).
pub(super) async fn still_as_expected<T: WriteTx + ?Sized>(
    tx: &mut T,
    owner: UserId,
    id: TaskId,
    expect: &Expect,
) -> Result<Result<(), Refused>, sqlx::Error> {
    if matches!(expect, Expect::Nothing) {
        return Ok(Ok(()));
    }
    Ok(verdict(expect, tx.current(owner, id).await?))
}

/// Whether a write expecting `expect` may go ahead on `current` (the task as it is now).
fn verdict(expect: &Expect, current: Option<TaskRow>) -> Result<(), Refused> {
    match current.map(Task::from) {
        None => Err(Refused::Missing),
        Some(task) if expect.holds(&task) => Ok(()),
        Some(_) => Err(Refused::Stale),
    }
}

/// Why a conditional write changed nothing.
pub(super) enum Refused {
    Missing,
    Stale,
}

impl From<Refused> for AppError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Missing => not_found(),
            Refused::Stale => AppError::PreconditionFailed(
                "This task was changed elsewhere since you read it, so it was left as it is \
                 now: read it again, then make your change."
                    .into(),
            ),
        }
    }
}

/// 403 when `adding` more tasks would take the owner past the account's quota.
pub(super) fn within_quota(db: &Db, held: Option<i64>, adding: usize) -> Result<(), AppError> {
    let quota = db.task_quota();
    let held = held.unwrap_or(0).max(0) as u64;
    if held.saturating_add(adding as u64) <= quota {
        return Ok(());
    }
    Err(AppError::Forbidden(format!(
        "This account has reached its limit of {quota} tasks (it holds {held}{}): delete \
         some before adding more.",
        if adding > 1 {
            format!(", and {adding} more were sent")
        } else {
            String::new()
        }
    )))
}

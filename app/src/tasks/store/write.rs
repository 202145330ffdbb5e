//! The task store's write rule. Every write runs in one transaction that takes the write
//! turn ([`Db::writer`]) and begins by taking SQLite's write lock, records its changes
//! as the owner's events in that same transaction, and is announced to this process's
//! streams once committed ([`write_recorded!`]). A conditional write first reads the task
//! in that transaction ([`still_as_expected`]), with the row locks PostgreSQL needs
//! ([`WriteTx`]).

use std::future::Future;

use super::{
    access::{self, Target},
    rows::{not_found, TaskRow, COLUMNS},
};
use crate::{
    db::{Db, Tx},
    error::AppError,
    ids::{ListId, TaskId, UserId},
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
/// the transaction `tx`, a [`db::Tx`]) in one write transaction, records `changes` in the
/// logs of everyone who hears of them, in that same transaction, commits, and then announces
/// them to this process's streams. The one macro of the store, expanded once: it only lets
/// `body` return early from the transaction with `?`.
macro_rules! write_recorded {
    ($db:expr, |$tx:ident| $body:expr) => {{
        #[allow(unused_imports)]
        use $crate::tasks::store::write::WriteTx as _;
        let db: &$crate::db::Db = $db;
        let written = async {
            let mut writer = db.writer().await?;
            let mut tx = writer.begin_immediate().await?;
            let $tx = &mut tx;
            let (value, changes): (_, Vec<$crate::tasks::events::Change>) = $body;
            let heard = $crate::tasks::events::record(&mut tx, &changes).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>((value, heard))
        }
        .await;
        written.map(|(value, heard)| {
            for user in heard {
                db.announce(user);
            }
            value
        })
    }};
}

pub(crate) use write_recorded;

/// What a write transaction reads before it writes, with the locks each engine needs.
pub(crate) trait WriteTx {
    /// The task a conditional write is about, as it is now, if `me` may read it; on
    /// PostgreSQL locked until commit (SQLite writes one at a time anyway).
    fn current(
        &mut self,
        me: UserId,
        id: TaskId,
    ) -> impl Future<Output = Result<Option<TaskRow>, sqlx::Error>> + Send;

    /// How many tasks the owner holds now. On PostgreSQL the owner's count row is made if
    /// missing and locked until commit, so two writes cannot both take the last places.
    fn tasks_held(
        &mut self,
        owner: UserId,
    ) -> impl Future<Output = Result<Option<i64>, sqlx::Error>> + Send;

    /// The list `me` writes a task into: `list`, or their Inbox when `None` (see
    /// [`access::target`]). On PostgreSQL the writer's membership row is locked until commit.
    fn target(
        &mut self,
        me: UserId,
        list: Option<ListId>,
    ) -> impl Future<Output = Result<Result<Target, AppError>, sqlx::Error>> + Send;

    /// The list `me` writes a task into by `name` (see [`access::TARGET_NAMED`]); 422 on the
    /// title when they have none of that name.
    fn target_named(
        &mut self,
        me: UserId,
        name: &str,
    ) -> impl Future<Output = Result<Result<Target, AppError>, sqlx::Error>> + Send;
}

/// The two keys a typed list name is looked up by (see [`access::TARGET_NAMED`]).
fn name_keys(name: &str) -> (String, String) {
    let key = name.to_lowercase();
    let spaced = key.replace('_', " ");
    (key, spaced)
}

impl WriteTx for Tx<'_> {
    async fn current(&mut self, me: UserId, id: TaskId) -> Result<Option<TaskRow>, sqlx::Error> {
        let lock = self.db().row_lock(" for update");
        self.sql(format!(
            "select {COLUMNS} from tasks where id = $1 and {}{lock}",
            access::readable("$2")
        ))
        .bind(id)
        .bind(me)
        .optional()
        .await
    }

    async fn tasks_held(&mut self, owner: UserId) -> Result<Option<i64>, sqlx::Error> {
        if !self.db().is_sqlite() {
            self.sql(
                "insert into task_counts (user_id, total, completed) values ($1, 0, 0)
                 on conflict (user_id) do nothing",
            )
            .bind(owner)
            .execute()
            .await?;
        }
        let lock = self.db().row_lock(" for update");
        self.sql(format!(
            "select total from task_counts where user_id = $1{lock}"
        ))
        .bind(owner)
        .scalar_optional()
        .await
    }

    async fn target(
        &mut self,
        me: UserId,
        list: Option<ListId>,
    ) -> Result<Result<Target, AppError>, sqlx::Error> {
        let lock = self.db().row_lock(" for share of list_members");
        let row = self
            .sql(format!("{}{lock}", access::TARGET))
            .bind(me)
            .bind(list)
            .optional()
            .await?;
        Ok(access::target(row))
    }

    async fn target_named(
        &mut self,
        me: UserId,
        name: &str,
    ) -> Result<Result<Target, AppError>, sqlx::Error> {
        let (key, spaced) = name_keys(name);
        let lock = self.db().row_lock(" for share of list_members");
        let row = self
            .sql(format!("{}{lock}", access::TARGET_NAMED))
            .bind(me)
            .bind(key)
            .bind(spaced)
            .optional()
            .await?;
        Ok(match row {
            None => Err(access::no_list_named(name)),
            row => access::target(row),
        })
    }
}

/// Whether a write on task `id` expecting `expect` may go ahead, read inside its
/// transaction `tx`: nothing is read when nothing is expected. 404 for a missing task, 412
/// for a stale one (through [`Refused`]).
pub(super) async fn still_as_expected<T: WriteTx + ?Sized>(
    tx: &mut T,
    me: UserId,
    id: TaskId,
    expect: &Expect,
) -> Result<Result<(), Refused>, sqlx::Error> {
    if matches!(expect, Expect::Nothing) {
        return Ok(Ok(()));
    }
    Ok(verdict(expect, tx.current(me, id).await?))
}

/// Why a write on task `id` that changed no row changed nothing: `me` cannot see it
/// (missing), or sees it only as a viewer.
pub(super) async fn why_unchanged<T: WriteTx + ?Sized>(
    tx: &mut T,
    me: UserId,
    id: TaskId,
) -> Result<Refused, sqlx::Error> {
    Ok(match tx.current(me, id).await? {
        Some(_) => Refused::ReadOnly,
        None => Refused::Missing,
    })
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
    /// The caller reads the task's list as a viewer.
    ReadOnly,
}

impl From<Refused> for AppError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Missing => not_found(),
            Refused::ReadOnly => access::read_only(),
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

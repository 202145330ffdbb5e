//! Deleting from the task page, undoably: what a removal takes is kept whole for
//! [`UNDO_WINDOW`], and [`restore`] puts it back exactly as it was.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{
    access,
    rows::{counted, not_found, TaskRow, COLUMNS},
    sql::{filters, Bind, Sql},
    write::{within_quota, write_recorded, BULK_CHUNK, INSERT_CHUNK, PRUNE_CHUNK},
};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::{ListId, TaskId, UserId},
    tasks::{events::Change, Removed, TaskQuery},
};

/// How long a deletion from the task page can be undone. The page offers "Undo" for a few
/// seconds; the server keeps what it took a while longer, for a slow click or a slow network.
pub const UNDO_WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// Which of the owner's tasks a deletion from the page takes.
#[derive(Clone, Copy, Debug)]
pub enum Removal<'a> {
    Task(TaskId),
    /// The completed tasks among those the list `query` selects (all its pages), `today`
    /// being the user's.
    Completed(&'a TaskQuery, NaiveDate),
}

/// Deletes the owner's tasks that `removal` names and keeps a copy of each, whole, for
/// [`restore`] during [`UNDO_WINDOW`]; copies older than that are pruned on the way. Each
/// transaction takes at most [`BULK_CHUNK`] tasks, and every task it takes is kept (or none
/// is taken); the chunks of one removal share its batch, so one undo puts them all back.
pub async fn remove(db: &Db, owner: UserId, removal: Removal<'_>) -> Result<Removed, AppError> {
    let now = db::now();
    let batch = Uuid::now_v7();
    let mut keep = Sql::default();
    let (b, at, user) = (
        keep.bind(Bind::Id(batch)),
        keep.bind(Bind::Time(now)),
        keep.bind(Bind::User(owner)),
    );
    let which = match removal {
        Removal::Task(id) => format!("id = {}", keep.bind(Bind::Id(id.as_uuid()))),
        Removal::Completed(query, today) => {
            let done = keep.bind(Bind::Bool(true));
            let filters = filters(&mut keep, db, query, today, false);
            format!("is_completed = {done}{filters} limit {BULK_CHUNK}")
        }
    };
    // The tasks of every list the user may change (their own and those shared with them as
    // editor); the copy remembers who deleted it, who alone may undo it.
    let writable = access::writable(&user);
    keep.text = format!(
        "insert into deleted_tasks (batch, deleted_at, deleted_by, {COLUMNS})
         select {b}, {at}, {user}, {COLUMNS} from tasks where {writable} and {which}"
    );
    // Only what was kept is taken: on PostgreSQL a task completed in between stays. Tasks
    // an earlier chunk took are gone already.
    let take = format!(
        "delete from tasks
         where {} and id in (select id from deleted_tasks where batch = $2)
         returning id, title, list_id",
        access::writable("$1")
    );
    // Whatever the number taken, what is held is bounded: a page of ids and one title.
    let mut removed = Removed {
        batch,
        ..Removed::default()
    };
    loop {
        let chunk: Vec<(TaskId, String, ListId)> = write_recorded!(db, |tx| {
            if removed.count == 0 {
                tx.sql(format!(
                    "delete from deleted_tasks where (batch, id) in
                         (select batch, id from deleted_tasks where deleted_at < $1 limit {PRUNE_CHUNK})"
                ))
                .bind(now - UNDO_WINDOW)
                .execute()
                .await?;
            }
            keep.bound(tx.sql(keep.text.as_str())).execute().await?;
            let chunk: Vec<(TaskId, String, ListId)> =
                tx.sql(&take).bind(owner).bind(batch).all().await?;
            let changes = chunk
                .iter()
                .map(|(id, _, list)| Change::deleted(id.as_uuid(), *list))
                .collect();
            (chunk, changes)
        })?;
        let more = matches!(removal, Removal::Completed(..)) && chunk.len() == BULK_CHUNK;
        let before = removed.count;
        removed.count += chunk.len() as u64;
        removed.title = match (before, chunk.as_slice()) {
            (0, [(_, title, _)]) => Some(title.clone()),
            _ => None,
        };
        let room = Removed::IDS_KEPT.saturating_sub(removed.ids.len());
        removed
            .ids
            .extend(chunk.into_iter().take(room).map(|(id, _, _)| id.as_uuid()));
        if !more {
            break;
        }
    }
    if removed.count == 0 && matches!(removal, Removal::Task(_)) {
        return Err(not_found());
    }
    Ok(removed)
}

/// Who deleted a kept copy (its owner, for a copy from before deleters were kept).
const DELETER: &str = "coalesce(deleted_by, user_id)";

/// Puts back what the owner's deletion `batch` took, exactly as it was (ids, fields and
/// timestamps), [`INSERT_CHUNK`] tasks a transaction; 404 once it is older than
/// [`UNDO_WINDOW`], already undone, or not theirs.
pub async fn restore(db: &Db, owner: UserId, batch: Uuid) -> Result<u64, AppError> {
    // A chunk is a range of the batch's ids, so each is put back and forgotten once.
    let next_ids = format!(
        "select id from deleted_tasks
         where batch = $1 and {DELETER} = $2 and deleted_at >= $3
         order by id limit {INSERT_CHUNK}"
    );
    // Into its list, or the owner's Inbox if that list is gone (or the copy predates lists);
    // by its creator, or the owner for a copy from before creators were kept.
    let columns = COLUMNS
        .replacen(
            "list_id",
            "coalesce((select lists.id from lists where lists.id = deleted_tasks.list_id),
                      (select lists.id from lists
                       where lists.owner_id = deleted_tasks.user_id and lists.is_inbox))",
            1,
        )
        .replacen("created_by", "coalesce(created_by, user_id)", 1);
    // Into a list the user may still change (their own, or one still shared with them as
    // editor): a task of a list they have since lost stays deleted.
    let put_back = format!(
        "insert into tasks ({COLUMNS})
         select {columns} from deleted_tasks
         where batch = $1 and {DELETER} = $2 and deleted_at >= $3 and id >= $4 and id <= $5
           and (user_id = $2 or {})
         on conflict (id) do nothing returning {COLUMNS}",
        access::list_writable("deleted_tasks.list_id", "$2")
    );
    let owners_of = format!(
        "select user_id, count(*) from deleted_tasks
         where batch = $1 and {DELETER} = $2 and id >= $3 and id <= $4 group by user_id"
    );
    let forget = format!(
        "delete from deleted_tasks
         where batch = $1 and {DELETER} = $2 and id >= $3 and id <= $4"
    );
    // One window for the whole undo: it is put back whole even if the window closes during it.
    let since = db::now() - UNDO_WINDOW;
    let mut restored = 0;
    loop {
        let (count, more) = write_recorded!(db, |tx| {
            let ids: Vec<TaskId> = tx
                .sql(&next_ids)
                .bind(batch)
                .bind(owner)
                .bind(since)
                .scalars()
                .await?;
            // Putting back counts toward the quota like adding: each task's owner's (a
            // shared list's tasks are its owner's, whoever deleted and puts them back).
            let mut allowed = Ok(());
            if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
                let owners: Vec<(UserId, i64)> = tx
                    .sql(&owners_of)
                    .bind(batch)
                    .bind(owner)
                    .bind(first)
                    .bind(last)
                    .all()
                    .await?;
                for (whose, adding) in owners {
                    let held = tx.tasks_held(whose).await?;
                    allowed = allowed.and(within_quota(db, held, adding.max(0) as usize));
                }
            }
            match (ids.first(), ids.last(), allowed) {
                (_, _, Err(refused)) => ((Err(refused), false), Vec::new()),
                (Some(first), Some(last), Ok(())) => {
                    let rows = tx
                        .sql(&put_back)
                        .bind(batch)
                        .bind(owner)
                        .bind(since)
                        .bind(first)
                        .bind(last)
                        .all::<TaskRow>()
                        .await?;
                    tx.sql(&forget)
                        .bind(batch)
                        .bind(owner)
                        .bind(first)
                        .bind(last)
                        .execute()
                        .await?;
                    let (count, changes) = counted(rows, Change::created);
                    ((Ok(count), ids.len() == INSERT_CHUNK), changes)
                }
                _ => ((Ok(0), false), Vec::new()),
            }
        })?;
        restored += count?;
        if !more {
            break;
        }
    }
    if restored == 0 {
        return Err(AppError::NotFound(
            "This deletion can no longer be undone.".into(),
        ));
    }
    Ok(restored)
}

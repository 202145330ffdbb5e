//! "Mark all": every task a list selects, done or not done, in chunks, and its undo. A
//! repeating task marked done moves to its next date instead, as one completed alone does
//! (see [`super::occurrence`]); the note keeps its dates as they were, for the undo.

use uuid::Uuid;

use super::{
    access,
    occurrence::{advance_sql, next_occurrence, pending, today_in},
    removal::UNDO_WINDOW,
    rows::{counted, TaskRow, COLUMNS},
    sql::{filters, Bind, Sql},
    write::{write_recorded, BULK_CHUNK, PRUNE_CHUNK},
};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::{TaskId, UserId},
    tasks::{events::Change, Marked, TaskQuery},
};

/// Marks every task the list `query` selects (all its pages; `zone` is the user's time zone)
/// done, or not done, [`BULK_CHUNK`] tasks a transaction, and notes which changed, so that
/// [`unmark`] can put them back during [`UNDO_WINDOW`].
pub async fn set_all_completed(
    db: &Db,
    owner: UserId,
    completed: bool,
    query: &TaskQuery,
    zone: &str,
) -> Result<Marked, AppError> {
    let today = today_in(zone);
    let batch = Uuid::now_v7();
    let marked_at = db::now();
    let mut note = Sql::default();
    let (b, user, state, at) = (
        note.bind(Bind::Id(batch)),
        note.bind(Bind::User(owner)),
        note.bind(Bind::Bool(completed)),
        note.bind(Bind::Time(marked_at)),
    );
    let filters = filters(&mut note, db, query, today, false);
    // The tasks of every list the user may change; the note keeps who marked them (`user_id`
    // of `marked_tasks`), who alone may undo it.
    let writable = access::writable(&user);
    note.text = format!(
        "insert into marked_tasks (batch, task_id, user_id, completed, marked_at, due_date,
                                   repeat_anchor, last_completed_at, remind_at, reminder_due)
         select {b}, id, {user}, {state}, {at}, due_date, repeat_anchor, last_completed_at,
                remind_at, reminder_due from tasks
         where {writable} and is_completed <> {state}{filters}
           and not exists (select 1 from marked_tasks m where m.batch = {b} and m.task_id = tasks.id)
         limit {BULK_CHUNK}"
    );
    // What this chunk noted: the batch's tasks not yet in the new state (a repeating one
    // moves instead, below).
    let change = format!(
        "update tasks set is_completed = $1, updated_at = $2
         where {} and is_completed <> $1 and (not $1 or repeat is null)
           and id in (select task_id from marked_tasks where batch = $4)
         returning {COLUMNS}",
        access::writable("$3")
    );
    // The batch's repeating tasks not moved yet (one moved has its `last_completed_at` set
    // to the batch's time).
    let unmoved = format!(
        "select {COLUMNS} from tasks
         where {} and repeat is not null
           and (last_completed_at is null or last_completed_at <> $2)
           and id in (select task_id from marked_tasks where batch = $3)",
        access::writable("$1")
    );
    let advance = advance_sql();
    let mut woke = false;
    let mut count = 0;
    loop {
        let (changed, more) = write_recorded!(db, |tx| {
            if count == 0 {
                tx.sql(format!(
                    "delete from marked_tasks where (batch, task_id) in
                         (select batch, task_id from marked_tasks where marked_at < $1 limit {PRUNE_CHUNK})"
                ))
                .bind(marked_at - UNDO_WINDOW)
                .execute()
                .await?;
            }
            let noted = note.bound(tx.sql(note.text.as_str())).execute().await?;
            let rows = tx
                .sql(&change)
                .bind(completed)
                .bind(db::now())
                .bind(owner)
                .bind(batch)
                .all::<TaskRow>()
                .await?;
            let (mut changed, mut changes) = counted(rows, Change::updated);
            if completed {
                let repeating = tx
                    .sql(&unmoved)
                    .bind(owner)
                    .bind(marked_at)
                    .bind(batch)
                    .all::<TaskRow>()
                    .await?;
                for row in repeating {
                    let Some(next) = next_occurrence(&row, zone) else {
                        continue;
                    };
                    let reminder = pending(next.remind_at, marked_at);
                    woke |= reminder.is_some();
                    let rows = tx
                        .sql(&advance)
                        .bind(next.due_date)
                        .bind(next.remind_at)
                        .bind(reminder)
                        .bind(marked_at)
                        .bind(row.id)
                        .bind(owner)
                        .all::<TaskRow>()
                        .await?;
                    let (moved, moved_changes) = counted(rows, Change::updated);
                    changed += moved;
                    changes.extend(moved_changes);
                }
            }
            ((changed, noted == BULK_CHUNK as u64), changes)
        })?;
        count += changed;
        if !more {
            if woke {
                db.reminder_set().await;
            }
            return Ok(Marked {
                batch,
                count,
                completed,
            });
        }
    }
}

/// Puts back what the owner's "mark all" `batch` changed: each of its tasks still in the
/// state it was given goes back to the other, [`BULK_CHUNK`] tasks a transaction; 404 once
/// it is older than [`UNDO_WINDOW`], already undone, or not theirs. Returns how many.
pub async fn unmark(db: &Db, owner: UserId, batch: Uuid) -> Result<u64, AppError> {
    let next_ids = format!(
        "select task_id, completed from marked_tasks
         where batch = $1 and user_id = $2 and marked_at >= $3
         order by task_id limit {BULK_CHUNK}"
    );
    let flip = format!(
        "update tasks set is_completed = $1, updated_at = $2
         where {} and is_completed <> $1 and id in
             (select task_id from marked_tasks
              where batch = $4 and task_id >= $5 and task_id <= $6)
         returning {COLUMNS}",
        access::writable("$3")
    );
    // A repeating task the batch moved, not completed again since: its dates as they were.
    let move_back = format!(
        "update tasks set due_date = m.due_date, repeat_anchor = m.repeat_anchor,
                          last_completed_at = m.last_completed_at, remind_at = m.remind_at,
                          reminder_due = case when m.remind_at > $2 then m.remind_at end,
                          updated_at = $2
         from marked_tasks m
         where m.task_id = tasks.id and m.batch = $4 and m.completed
           and m.task_id >= $5 and m.task_id <= $6
           and tasks.repeat is not null and tasks.last_completed_at = m.marked_at
           and {}
         returning {}",
        access::writable("$3"),
        COLUMNS
            .split(", ")
            .map(|c| format!("tasks.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let forget =
        "delete from marked_tasks where batch = $1 and user_id = $2 and task_id >= $3 and task_id <= $4";
    let (mut found, mut restored) = (false, 0);
    let since = db::now() - UNDO_WINDOW;
    loop {
        let (count, more) = write_recorded!(db, |tx| {
            let noted: Vec<(TaskId, bool)> = tx
                .sql(&next_ids)
                .bind(batch)
                .bind(owner)
                .bind(since)
                .all()
                .await?;
            match (noted.first(), noted.last()) {
                (Some((first, marked)), Some((last, _))) => {
                    let rows = tx
                        .sql(&flip)
                        .bind(!marked)
                        .bind(db::now())
                        .bind(owner)
                        .bind(batch)
                        .bind(first)
                        .bind(last)
                        .all::<TaskRow>()
                        .await?;
                    let moved = tx
                        .sql(&move_back)
                        .bind(!marked)
                        .bind(db::now())
                        .bind(owner)
                        .bind(batch)
                        .bind(first)
                        .bind(last)
                        .all::<TaskRow>()
                        .await?;
                    tx.sql(forget)
                        .bind(batch)
                        .bind(owner)
                        .bind(first)
                        .bind(last)
                        .execute()
                        .await?;
                    let (count, mut changes) = counted(rows, Change::updated);
                    let (moved, moved_changes) = counted(moved, Change::updated);
                    changes.extend(moved_changes);
                    ((Some(count + moved), noted.len() == BULK_CHUNK), changes)
                }
                _ => ((None, false), Vec::new()),
            }
        })?;
        if let Some(count) = count {
            found = true;
            restored += count;
        }
        if !more {
            break;
        }
    }
    if !found {
        return Err(AppError::NotFound(
            "This change can no longer be undone.".into(),
        ));
    }
    Ok(restored)
}

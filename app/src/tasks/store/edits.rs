//! Writing one task: creating it in a list the caller may write, and changing, moving,
//! completing or deleting it if they may and it is still as they last saw it.

use uuid::Uuid;

use super::{
    access,
    occurrence::{advance_sql, next_occurrence, pending},
    rows::{tags_json, title_key, TaskRow, COLUMNS},
    write::{still_as_expected, why_unchanged, within_quota, write_recorded},
};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::{ListId, TaskId, UserId},
    tasks::{events::Change, versions::Expect, Task, TaskInput},
};

/// Creates a task in `input.list` (or the caller's Inbox), made by `me`, within the quota of
/// the list's owner.
pub async fn create(db: &Db, me: UserId, input: &TaskInput) -> Result<Task, AppError> {
    let now = db::now();
    // One statement finds the list (`access::TARGET`: `$1` is the writer, `$2` the list or
    // null for their Inbox), checks the writer's role and the owner's quota, and inserts:
    // the fewest round trips while the write turn is held. On PostgreSQL it locks the
    // writer's membership and then the owner's count row, as late in the transaction as it
    // can, so that one owner's writes wait on each other only until the commit after it.
    let (share, update) = (
        db.row_lock(" for share of list_members"),
        db.row_lock(" for update"),
    );
    let sql = format!(
        "insert into tasks (id, user_id, list_id, created_by, title, description, is_completed,
                            due_date, priority, tags, title_key, created_at, updated_at,
                            repeat, repeat_anchor, remind_at, reminder_due)
         select $3, target.owner_id, target.id, $1, $4, $5, $6, $7, $8, $9, $10, $11, $11,
                $12, $13, $14, $15
         from ({}{share}) as target
         where {}
           and coalesce((select total from task_counts
                         where user_id = target.owner_id{update}), 0) < $16
         returning {COLUMNS}",
        access::TARGET,
        access::writes("target.role")
    );
    let quota = i64::try_from(db.task_quota()).unwrap_or(i64::MAX);
    let task = write_recorded!(db, |tx| {
        let list = match &input.list_name {
            Some(name) => tx
                .target_named(me, name)
                .await?
                .map(|target| Some(target.id)),
            None => Ok(input.list),
        };
        match list {
            Err(refused) => (Err(refused), Vec::new()),
            Ok(list) => {
                let rows = tx
                    .sql(&sql)
                    .bind(me)
                    .bind(list)
                    .bind(TaskId(Uuid::now_v7()))
                    .bind(input.title.as_str())
                    .bind(input.description.as_deref())
                    .bind(false)
                    .bind(input.due_date)
                    .bind(input.priority.rank())
                    .bind(tags_json(&input.tags))
                    .bind(title_key(input.title.as_str()))
                    .bind(now)
                    .bind(input.repeat.as_ref().map(|r| r.rule()))
                    .bind(input.repeat.as_ref().and(input.due_date))
                    .bind(input.remind_at)
                    .bind(pending(input.remind_at, now))
                    .bind(quota)
                    .all::<TaskRow>()
                    .await?;
                match rows.into_iter().next().map(Task::from) {
                    Some(task) => {
                        let changes = vec![Change::created(&task)];
                        (Ok(task), changes)
                    }
                    // Why not, read again only now: no such list, a viewer's, or full.
                    None => {
                        let refused = match tx.target(me, list).await? {
                            Err(refused) => refused,
                            Ok(target) => {
                                let held = tx.tasks_held(target.owner).await?;
                                within_quota(db, held, 1)
                                    .err()
                                    .unwrap_or_else(access::no_such_list)
                            }
                        };
                        (Err(refused), Vec::new())
                    }
                }
            }
        }
    })?;
    if task.is_ok() {
        reminder_set(db, input, now).await;
    }
    task
}

/// Wakes the reminder schedulers when `input` set a reminder still to be sent.
async fn reminder_set(db: &Db, input: &TaskInput, now: chrono::DateTime<chrono::Utc>) {
    if pending(input.remind_at, now).is_some() {
        db.reminder_set().await;
    }
}

/// Replaces every field but the completion (one left out is cleared), if the task is still
/// as `expect` says; `input.list`, when given, moves it there (the caller must be able to
/// write both lists).
pub async fn update(
    db: &Db,
    me: UserId,
    id: TaskId,
    input: &TaskInput,
    expect: &Expect,
) -> Result<Task, AppError> {
    let sql = format!(
        "update tasks set title = $1, description = $2, due_date = $6, priority = $7, tags = $8,
                          title_key = $9, updated_at = $3,
                          list_id = coalesce($10, list_id), user_id = coalesce($11, user_id),
                          repeat = $12,
                          repeat_anchor = case
                              when $12 is null then null
                              when repeat = $12 and due_date = $6 and repeat_anchor is not null
                                  then repeat_anchor
                              else $6 end,
                          remind_at = $13,
                          reminder_due = case
                              when $13 is null then null
                              when remind_at = $13 then reminder_due
                              when $13 > $3 then $13
                              else null end
         where id = $4 and {} and ($10 is null or {})
         returning {COLUMNS}",
        access::writable("$5"),
        access::list_writable("$10", "$5"),
    );
    let now = db::now();
    let outcome = write_recorded!(db, |tx| {
        let target = match input.list {
            None => Ok(None),
            Some(list) => tx.target(me, Some(list)).await?.map(Some),
        };
        match target {
            Err(refused) => (Err(refused), Vec::new()),
            Ok(target) => match still_as_expected(tx, me, id, expect).await? {
                Err(refused) => (Err(refused.into()), Vec::new()),
                Ok(()) => {
                    // The list a moved task leaves: its members hear of the move too.
                    let from = match target {
                        Some(_) => tx.current(me, id).await?.map(|row| row.list_id),
                        None => None,
                    };
                    let rows = tx
                        .sql(&sql)
                        .bind(input.title.as_str())
                        .bind(input.description.as_deref())
                        .bind(now)
                        .bind(id)
                        .bind(me)
                        .bind(input.due_date)
                        .bind(input.priority.rank())
                        .bind(tags_json(&input.tags))
                        .bind(title_key(input.title.as_str()))
                        .bind(target.map(|t| t.id))
                        .bind(target.map(|t| t.owner))
                        .bind(input.repeat.as_ref().map(|r| r.rule()))
                        .bind(input.remind_at)
                        .all::<TaskRow>()
                        .await?;
                    let (task, mut changes) = updated(rows);
                    if let Some(from) = from {
                        changes = changes
                            .into_iter()
                            .map(|c| c.and_members_of(from))
                            .collect();
                    }
                    let task = match task {
                        Some(task) => Ok(task),
                        None => Err(why_unchanged(tx, me, id).await?.into()),
                    };
                    (task, changes)
                }
            },
        }
    })?;
    if outcome.is_ok() {
        reminder_set(db, input, now).await;
    }
    outcome
}

/// The task an update of one task returned in `rows`, and its event.
fn updated(rows: Vec<TaskRow>) -> (Option<Task>, Vec<Change>) {
    let task = rows.into_iter().next().map(Task::from);
    let changes = task.iter().map(Change::updated).collect();
    (task, changes)
}

/// Marks a task done or not done. Completing a repeating task moves it to its next
/// occurrence instead (see [`next_occurrence`]; `zone` is the caller's time zone): it stays
/// active, and `last_completed_at` records when.
pub async fn set_completed(
    db: &Db,
    me: UserId,
    id: TaskId,
    completed: bool,
    expect: &Expect,
    zone: &str,
) -> Result<Task, AppError> {
    // A repeating task is not completed by this: it is moved, below.
    let plain = format!(
        "update tasks set is_completed = $1, updated_at = $2
         where id = $3 and {} and (not $1 or repeat is null) returning {COLUMNS}",
        access::writable("$4")
    );
    let advance = advance_sql();
    let now = db::now();
    let mut woke = false;
    let outcome = write_recorded!(db, |tx| {
        if let Err(refused) = still_as_expected(tx, me, id, expect).await? {
            (Err(refused), Vec::new())
        } else {
            let rows = tx
                .sql(&plain)
                .bind(completed)
                .bind(now)
                .bind(id)
                .bind(me)
                .all::<TaskRow>()
                .await?;
            let (mut task, mut changes) = updated(rows);
            let next = match (&task, completed) {
                (None, true) => tx
                    .current(me, id)
                    .await?
                    .and_then(|row| next_occurrence(&row, zone)),
                _ => None,
            };
            if let Some(next) = next {
                let reminder = pending(next.remind_at, now);
                woke = reminder.is_some();
                let rows = tx
                    .sql(&advance)
                    .bind(next.due_date)
                    .bind(next.remind_at)
                    .bind(reminder)
                    .bind(now)
                    .bind(id)
                    .bind(me)
                    .all::<TaskRow>()
                    .await?;
                (task, changes) = updated(rows);
            }
            match task {
                Some(task) => (Ok(task), changes),
                None => (Err(why_unchanged(tx, me, id).await?), changes),
            }
        }
    })?;
    if woke {
        db.reminder_set().await;
    }
    outcome.map_err(AppError::from)
}

/// A repeating task's dates before a completion moved them (see [`set_completed`]).
pub struct Before {
    pub due_date: Option<chrono::NaiveDate>,
    pub remind_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_completed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Puts a task's dates back as they were before a completion moved it (the page's Undo), if
/// it is still as `expect` says (as the completion left it).
pub async fn put_back(
    db: &Db,
    me: UserId,
    id: TaskId,
    before: &Before,
    expect: &Expect,
) -> Result<Task, AppError> {
    let sql = format!(
        "update tasks set due_date = $1, remind_at = $2, reminder_due = $3,
                          last_completed_at = $4, updated_at = $5
         where id = $6 and {} returning {COLUMNS}",
        access::writable("$7")
    );
    let now = db::now();
    let reminder = pending(before.remind_at, now);
    let outcome = write_recorded!(db, |tx| {
        if let Err(refused) = still_as_expected(tx, me, id, expect).await? {
            (Err(refused), Vec::new())
        } else {
            let rows = tx
                .sql(&sql)
                .bind(before.due_date)
                .bind(before.remind_at)
                .bind(reminder)
                .bind(before.last_completed_at)
                .bind(now)
                .bind(id)
                .bind(me)
                .all::<TaskRow>()
                .await?;
            let (task, changes) = updated(rows);
            match task {
                Some(task) => (Ok(task), changes),
                None => (Err(why_unchanged(tx, me, id).await?), changes),
            }
        }
    })?;
    if reminder.is_some() {
        db.reminder_set().await;
    }
    outcome.map_err(AppError::from)
}

pub async fn delete(db: &Db, me: UserId, id: TaskId, expect: &Expect) -> Result<(), AppError> {
    let sql = format!(
        "delete from tasks where id = $1 and {} returning id, list_id",
        access::writable("$2")
    );
    let outcome = write_recorded!(db, |tx| {
        if let Err(refused) = still_as_expected(tx, me, id, expect).await? {
            (Err(refused), Vec::new())
        } else {
            let gone: Vec<(TaskId, ListId)> = tx.sql(&sql).bind(id).bind(me).all().await?;
            match gone.first() {
                Some((id, list)) => (Ok(()), vec![Change::deleted(id.as_uuid(), *list)]),
                None => (Err(why_unchanged(tx, me, id).await?), Vec::new()),
            }
        }
    })?;
    outcome.map_err(AppError::from)
}

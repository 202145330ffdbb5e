//! Writing one task: creating it in a list the caller may write, and changing, moving,
//! completing or deleting it if they may and it is still as they last saw it.

use uuid::Uuid;

use super::{
    access,
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
    // The membership is checked again in the insert itself (on PostgreSQL it is also
    // locked by the target's read).
    let sql = format!(
        "insert into tasks (id, user_id, list_id, created_by, title, description, is_completed,
                            due_date, priority, tags, title_key, created_at, updated_at)
         select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12
         where {}
         returning {COLUMNS}",
        access::list_writable("$3", "$4")
    );
    let task = write_recorded!(db, |tx| {
        let target = match &input.list_name {
            Some(name) => tx.target_named(me, name).await?,
            None => tx.target(me, input.list).await?,
        };
        let target = match target {
            Ok(target) => within_quota(db, tx.tasks_held(target.owner).await?, 1).map(|_| target),
            Err(refused) => Err(refused),
        };
        match target {
            Err(refused) => (Err(refused), Vec::new()),
            Ok(target) => {
                let rows = sqlx::query_as::<_, TaskRow>(&sql)
                    .bind(TaskId(Uuid::now_v7()))
                    .bind(target.owner)
                    .bind(target.id)
                    .bind(me)
                    .bind(input.title.as_str())
                    .bind(input.description.as_deref())
                    .bind(false)
                    .bind(input.due_date)
                    .bind(input.priority.rank())
                    .bind(tags_json(&input.tags))
                    .bind(title_key(input.title.as_str()))
                    .bind(now)
                    .fetch_all(&mut *tx)
                    .await?;
                let task = db::first_row(rows).map(Task::from);
                let changes = task.iter().map(Change::created).collect();
                (task.ok_or_else(access::no_such_list), changes)
            }
        }
    })?;
    task
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
                          list_id = coalesce($10, list_id), user_id = coalesce($11, user_id)
         where id = $4 and {} and ($10 is null or {})
         returning {COLUMNS}",
        access::writable("$5"),
        access::list_writable("$10", "$5"),
    );
    let outcome = write_recorded!(db, |tx| {
        let target = match input.list {
            None => Ok(None),
            Some(list) => tx.target(me, Some(list)).await?.map(Some),
        };
        match target {
            Err(refused) => (Err(refused), Vec::new()),
            Ok(target) => match still_as_expected(&mut *tx, me, id, expect).await? {
                Err(refused) => (Err(refused.into()), Vec::new()),
                Ok(()) => {
                    // The list a moved task leaves: its members hear of the move too.
                    let from = match target {
                        Some(_) => tx.current(me, id).await?.map(|row| row.list_id),
                        None => None,
                    };
                    let rows = sqlx::query_as::<_, TaskRow>(&sql)
                        .bind(input.title.as_str())
                        .bind(input.description.as_deref())
                        .bind(db::now())
                        .bind(id)
                        .bind(me)
                        .bind(input.due_date)
                        .bind(input.priority.rank())
                        .bind(tags_json(&input.tags))
                        .bind(title_key(input.title.as_str()))
                        .bind(target.map(|t| t.id))
                        .bind(target.map(|t| t.owner))
                        .fetch_all(&mut *tx)
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
                        None => Err(why_unchanged(&mut *tx, me, id).await?.into()),
                    };
                    (task, changes)
                }
            },
        }
    })?;
    outcome
}

/// The task an update of one task returned in `rows`, and its event.
fn updated(rows: Vec<TaskRow>) -> (Option<Task>, Vec<Change>) {
    let task = db::first_row(rows).map(Task::from);
    let changes = task.iter().map(Change::updated).collect();
    (task, changes)
}

pub async fn set_completed(
    db: &Db,
    me: UserId,
    id: TaskId,
    completed: bool,
    expect: &Expect,
) -> Result<Task, AppError> {
    let sql = format!(
        "update tasks set is_completed = $1, updated_at = $2
         where id = $3 and {} returning {COLUMNS}",
        access::writable("$4")
    );
    let outcome = write_recorded!(db, |tx| {
        if let Err(refused) = still_as_expected(&mut *tx, me, id, expect).await? {
            (Err(refused), Vec::new())
        } else {
            let rows = sqlx::query_as::<_, TaskRow>(&sql)
                .bind(completed)
                .bind(db::now())
                .bind(id)
                .bind(me)
                .fetch_all(&mut *tx)
                .await?;
            let (task, changes) = updated(rows);
            match task {
                Some(task) => (Ok(task), changes),
                None => (Err(why_unchanged(&mut *tx, me, id).await?), changes),
            }
        }
    })?;
    outcome.map_err(AppError::from)
}

pub async fn delete(db: &Db, me: UserId, id: TaskId, expect: &Expect) -> Result<(), AppError> {
    let sql = format!(
        "delete from tasks where id = $1 and {} returning id, list_id",
        access::writable("$2")
    );
    let outcome = write_recorded!(db, |tx| {
        if let Err(refused) = still_as_expected(&mut *tx, me, id, expect).await? {
            (Err(refused), Vec::new())
        } else {
            let gone: Vec<(TaskId, ListId)> = sqlx::query_as(&sql)
                .bind(id)
                .bind(me)
                .fetch_all(&mut *tx)
                .await?;
            match gone.first() {
                Some((id, list)) => (Ok(()), vec![Change::deleted(id.as_uuid(), *list)]),
                None => (Err(why_unchanged(&mut *tx, me, id).await?), Vec::new()),
            }
        }
    })?;
    outcome.map_err(AppError::from)
}

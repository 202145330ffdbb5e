//! Writing one task: creating it, and changing, completing or deleting it if it is still as
//! the caller last saw it.

use uuid::Uuid;

use super::{
    rows::{tags_json, title_key, TaskRow, COLUMNS},
    write::{still_as_expected, within_quota, write_recorded, Refused},
};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::{TaskId, UserId},
    tasks::{events::Change, versions::Expect, Task, TaskInput},
};

pub async fn create(db: &Db, owner: UserId, input: &TaskInput) -> Result<Task, AppError> {
    let now = db::now();
    let sql = format!(
        "insert into tasks (id, user_id, title, description, is_completed, due_date, priority,
                            tags, title_key, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning {COLUMNS}"
    );
    let task = write_recorded!(db, owner, |tx| {
        let held = tx.tasks_held(owner).await?;
        if let Err(refused) = within_quota(db, held, 1) {
            (Err(refused), Vec::new())
        } else {
            let rows = sqlx::query_as::<_, TaskRow>(&sql)
                .bind(TaskId(Uuid::now_v7()))
                .bind(owner)
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
            (task.ok_or(AppError::Internal), changes)
        }
    })?;
    task
}

/// Replaces every field but the completion (one left out is cleared), if the task is still
/// as `expect` says.
pub async fn update(
    db: &Db,
    owner: UserId,
    id: TaskId,
    input: &TaskInput,
    expect: &Expect,
) -> Result<Task, AppError> {
    let sql = format!(
        "update tasks set title = $1, description = $2, due_date = $6, priority = $7, tags = $8,
                          title_key = $9, updated_at = $3
         where id = $4 and user_id = $5 returning {COLUMNS}"
    );
    let outcome = write_recorded!(db, owner, |tx| {
        if let Err(refused) = still_as_expected(&mut *tx, owner, id, expect).await? {
            (Err(refused), Vec::new())
        } else {
            let rows = sqlx::query_as::<_, TaskRow>(&sql)
                .bind(input.title.as_str())
                .bind(input.description.as_deref())
                .bind(db::now())
                .bind(id)
                .bind(owner)
                .bind(input.due_date)
                .bind(input.priority.rank())
                .bind(tags_json(&input.tags))
                .bind(title_key(input.title.as_str()))
                .fetch_all(&mut *tx)
                .await?;
            updated(rows)
        }
    })?;
    outcome.map_err(AppError::from)
}

/// The outcome of an update of one task that returned `rows`, and its event.
fn updated(rows: Vec<TaskRow>) -> (Result<Task, Refused>, Vec<Change>) {
    match db::first_row(rows).map(Task::from) {
        Some(task) => {
            let changes = vec![Change::updated(&task)];
            (Ok(task), changes)
        }
        None => (Err(Refused::Missing), Vec::new()),
    }
}

pub async fn set_completed(
    db: &Db,
    owner: UserId,
    id: TaskId,
    completed: bool,
    expect: &Expect,
) -> Result<Task, AppError> {
    let sql = format!(
        "update tasks set is_completed = $1, updated_at = $2
         where id = $3 and user_id = $4 returning {COLUMNS}"
    );
    let outcome = write_recorded!(db, owner, |tx| {
        if let Err(refused) = still_as_expected(&mut *tx, owner, id, expect).await? {
            (Err(refused), Vec::new())
        } else {
            let rows = sqlx::query_as::<_, TaskRow>(&sql)
                .bind(completed)
                .bind(db::now())
                .bind(id)
                .bind(owner)
                .fetch_all(&mut *tx)
                .await?;
            updated(rows)
        }
    })?;
    outcome.map_err(AppError::from)
}

pub async fn delete(db: &Db, owner: UserId, id: TaskId, expect: &Expect) -> Result<(), AppError> {
    let outcome = write_recorded!(db, owner, |tx| {
        if let Err(refused) = still_as_expected(&mut *tx, owner, id, expect).await? {
            (Err(refused), Vec::new())
        } else {
            let gone: Vec<(TaskId,)> =
                sqlx::query_as("delete from tasks where id = $1 and user_id = $2 returning id")
                    .bind(id)
                    .bind(owner)
                    .fetch_all(&mut *tx)
                    .await?;
            match gone.first() {
                Some((id,)) => (Ok(()), vec![Change::deleted(id.as_uuid())]),
                None => (Err(Refused::Missing), Vec::new()),
            }
        }
    })?;
    outcome.map_err(AppError::from)
}

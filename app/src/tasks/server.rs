//! Tasks on the server: the SQL and the rules. Every query filters on the owner, so one
//! user's tasks are out of another's reach by construction.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Filter, Task, TaskCounts, TaskInput, TaskPage};
use crate::{
    db::{self, Db},
    error::AppError,
    with_pool,
};

const COLUMNS: &str = "id, user_id, title, description, is_completed, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: Uuid,
    user_id: Uuid,
    title: String,
    description: Option<String>,
    is_completed: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<TaskRow> for Task {
    fn from(row: TaskRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            title: row.title,
            description: row.description,
            is_completed: row.is_completed,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

fn not_found() -> AppError {
    AppError::NotFound("There is no such task.".into())
}

pub async fn create(db: &Db, owner: Uuid, input: &TaskInput) -> Result<Task, AppError> {
    let now = db::now();
    let sql = format!(
        "insert into tasks (id, user_id, title, description, is_completed, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $6) returning {COLUMNS}"
    );
    let row = with_pool!(db, |pool| {
        sqlx::query_as::<_, TaskRow>(&sql)
            .bind(Uuid::now_v7())
            .bind(owner)
            .bind(input.title.as_str())
            .bind(input.description.as_deref())
            .bind(false)
            .bind(now)
            .fetch_one(pool)
            .await
    })?;
    Ok(row.into())
}

/// A page of the owner's tasks, newest first (then by id, so pages are stable), and how
/// many tasks the filter matches in all.
pub async fn list(
    db: &Db,
    owner: Uuid,
    filter: Filter,
    limit: u32,
    offset: u64,
) -> Result<TaskPage, AppError> {
    let tasks = page(db, owner, filter, limit, offset).await?;
    let total: i64 = with_pool!(db, |pool| {
        sqlx::query_scalar(
            "select count(*) from tasks where user_id = $1 and ($2 is null or is_completed = $2)",
        )
        .bind(owner)
        .bind(filter.completed())
        .fetch_one(pool)
        .await
    })?;
    Ok(TaskPage {
        tasks,
        total: total.max(0) as u64,
        limit,
        offset,
    })
}

/// One page of the owner's tasks, newest first (then by id, so pages are stable).
pub async fn page(
    db: &Db,
    owner: Uuid,
    filter: Filter,
    limit: u32,
    offset: u64,
) -> Result<Vec<Task>, AppError> {
    let sql = format!(
        "select {COLUMNS} from tasks
         where user_id = $1 and ($2 is null or is_completed = $2)
         order by created_at desc, id desc
         limit $3 offset $4"
    );
    let rows = with_pool!(db, |pool| {
        sqlx::query_as::<_, TaskRow>(&sql)
            .bind(owner)
            .bind(filter.completed())
            .bind(i64::from(limit))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await
    })?;
    Ok(rows.into_iter().map(Task::from).collect())
}

pub async fn counts(db: &Db, owner: Uuid) -> Result<TaskCounts, AppError> {
    let (active, completed): (i64, i64) = with_pool!(db, |pool| {
        sqlx::query_as(
            "select
                 coalesce(sum(case when is_completed then 0 else 1 end), 0),
                 coalesce(sum(case when is_completed then 1 else 0 end), 0)
             from tasks where user_id = $1",
        )
        .bind(owner)
        .fetch_one(pool)
        .await
    })?;
    Ok(TaskCounts {
        active: active.max(0) as u64,
        completed: completed.max(0) as u64,
    })
}

pub async fn get(db: &Db, owner: Uuid, id: Uuid) -> Result<Task, AppError> {
    let sql = format!("select {COLUMNS} from tasks where id = $1 and user_id = $2");
    let row = with_pool!(db, |pool| {
        sqlx::query_as::<_, TaskRow>(&sql)
            .bind(id)
            .bind(owner)
            .fetch_optional(pool)
            .await
    })?;
    row.map(Task::from).ok_or_else(not_found)
}

/// Replaces title and description (an absent description clears it).
pub async fn update(db: &Db, owner: Uuid, id: Uuid, input: &TaskInput) -> Result<Task, AppError> {
    let sql = format!(
        "update tasks set title = $1, description = $2, updated_at = $3
         where id = $4 and user_id = $5 returning {COLUMNS}"
    );
    let row = with_pool!(db, |pool| {
        sqlx::query_as::<_, TaskRow>(&sql)
            .bind(input.title.as_str())
            .bind(input.description.as_deref())
            .bind(db::now())
            .bind(id)
            .bind(owner)
            .fetch_optional(pool)
            .await
    })?;
    row.map(Task::from).ok_or_else(not_found)
}

pub async fn set_completed(
    db: &Db,
    owner: Uuid,
    id: Uuid,
    completed: bool,
) -> Result<Task, AppError> {
    let sql = format!(
        "update tasks set is_completed = $1, updated_at = $2
         where id = $3 and user_id = $4 returning {COLUMNS}"
    );
    let row = with_pool!(db, |pool| {
        sqlx::query_as::<_, TaskRow>(&sql)
            .bind(completed)
            .bind(db::now())
            .bind(id)
            .bind(owner)
            .fetch_optional(pool)
            .await
    })?;
    row.map(Task::from).ok_or_else(not_found)
}

pub async fn delete(db: &Db, owner: Uuid, id: Uuid) -> Result<(), AppError> {
    let deleted = with_pool!(db, |pool| {
        sqlx::query("delete from tasks where id = $1 and user_id = $2")
            .bind(id)
            .bind(owner)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    if deleted == 0 {
        return Err(not_found());
    }
    Ok(())
}

/// Marks every one of the owner's tasks done (or not done); returns how many changed.
pub async fn set_all_completed(db: &Db, owner: Uuid, completed: bool) -> Result<u64, AppError> {
    let changed = with_pool!(db, |pool| {
        sqlx::query("update tasks set is_completed = $1, updated_at = $2 where user_id = $3 and is_completed <> $1")
            .bind(completed)
            .bind(db::now())
            .bind(owner)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(changed)
}

/// Deletes the owner's completed tasks; returns how many went.
pub async fn delete_completed(db: &Db, owner: Uuid) -> Result<u64, AppError> {
    let deleted = with_pool!(db, |pool| {
        sqlx::query("delete from tasks where user_id = $1 and is_completed = $2")
            .bind(owner)
            .bind(true)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(deleted)
}

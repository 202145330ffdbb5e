//! Tasks on the server: the SQL and the rules. Every query filters on the owner, so one
//! user's tasks are out of another's reach by construction.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Filter, Task, TaskBoard, TaskCounts, TaskInput, TaskPage, PAGE_SIZE};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::{TaskId, UserId},
    with_pool,
};

const COLUMNS: &str = "id, user_id, title, description, is_completed, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: TaskId,
    user_id: UserId,
    title: String,
    description: Option<String>,
    is_completed: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<TaskRow> for Task {
    fn from(row: TaskRow) -> Self {
        Self {
            id: row.id.as_uuid(),
            user_id: row.user_id.as_uuid(),
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

pub async fn create(db: &Db, owner: UserId, input: &TaskInput) -> Result<Task, AppError> {
    let now = db::now();
    let sql = format!(
        "insert into tasks (id, user_id, title, description, is_completed, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $6) returning {COLUMNS}"
    );
    let row = with_pool!(db, |pool| {
        sqlx::query_as::<_, TaskRow>(&sql)
            .bind(TaskId(Uuid::now_v7()))
            .bind(owner)
            .bind(input.title.as_str())
            .bind(input.description.as_deref())
            .bind(false)
            .bind(now)
            .fetch_all(pool)
            .await
            .map(db::first_row)
    })?;
    row.map(Task::from).ok_or(AppError::Internal)
}

/// A place in the newest-first order, just after a task: keyset pagination. Clients see it
/// as an opaque string (URL-safe base64 of the task's `created_at` in microseconds and its
/// id); it names a position only, so a forged one can reveal nothing but the caller's own
/// tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    created_at: DateTime<Utc>,
    id: Uuid,
}

impl Cursor {
    /// The position just after `task`.
    pub fn after(task: &Task) -> Self {
        Self {
            created_at: task.created_at,
            id: task.id,
        }
    }

    pub fn encode(&self) -> String {
        let mut bytes = [0u8; 24];
        bytes[..8].copy_from_slice(&self.created_at.timestamp_micros().to_be_bytes());
        bytes[8..].copy_from_slice(self.id.as_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// `None` for anything [`Cursor::encode`] could not have written.
    pub fn decode(text: &str) -> Option<Self> {
        let bytes: [u8; 24] = URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok()?;
        let micros = i64::from_be_bytes(bytes[..8].try_into().ok()?);
        Some(Self {
            created_at: DateTime::from_timestamp_micros(micros)?,
            id: Uuid::from_slice(&bytes[8..]).ok()?,
        })
    }
}

/// A page of a listing, and where the next one starts if any task follows it.
pub struct Listing {
    pub page: TaskPage,
    pub next: Option<Cursor>,
}

/// A page of the owner's tasks, newest first (then by id, so pages are stable): `offset`
/// tasks skipped after `after` (or after the start), and how many tasks the filter matches
/// in all, read from the counts the database keeps rather than counted.
pub async fn list(
    db: &Db,
    owner: UserId,
    filter: Filter,
    after: Option<Cursor>,
    limit: u32,
    offset: u64,
) -> Result<Listing, AppError> {
    // One task more than asked for says whether another page follows.
    let mut tasks = page(db, owner, filter, after, limit.saturating_add(1), offset).await?;
    let next = if tasks.len() > limit as usize {
        tasks.truncate(limit as usize);
        tasks.last().map(Cursor::after)
    } else {
        None
    };
    let total = counts(db, owner).await?.matching(filter);
    Ok(Listing {
        page: TaskPage {
            tasks,
            total,
            limit,
            offset,
        },
        next,
    })
}

/// The task page's view of the owner's tasks: page `page` (1-based, clamped to the pages
/// there are) of the filtered list, and the counts.
pub async fn board(
    db: &Db,
    owner: UserId,
    filter: Filter,
    page: u32,
) -> Result<TaskBoard, AppError> {
    let counts = counts(db, owner).await?;
    let matching = counts.matching(filter);
    let page_count = matching.div_ceil(u64::from(PAGE_SIZE)).max(1) as u32;
    let page_number = page.clamp(1, page_count);
    let offset = u64::from(page_number - 1) * u64::from(PAGE_SIZE);
    // The counts already give the filter's total: fetch the page without counting again.
    let tasks = self::page(db, owner, filter, None, PAGE_SIZE, offset).await?;
    Ok(TaskBoard {
        page: TaskPage {
            tasks,
            total: matching,
            limit: PAGE_SIZE,
            offset,
        },
        counts,
        page_number,
        page_count,
    })
}

/// One page of the owner's tasks, newest first (then by id, so pages are stable).
pub async fn page(
    db: &Db,
    owner: UserId,
    filter: Filter,
    after: Option<Cursor>,
    limit: u32,
    offset: u64,
) -> Result<Vec<Task>, AppError> {
    // Each condition only when it applies, so the planner sees a plain range of the
    // (user_id, created_at desc, id desc) index: a cursor seeks, where an offset walks.
    let mut sql = format!("select {COLUMNS} from tasks where user_id = $1");
    let mut next = 2;
    if filter.completed().is_some() {
        sql += &format!(" and is_completed = ${next}");
        next += 1;
    }
    if after.is_some() {
        sql += &format!(" and (created_at, id) < (${next}, ${})", next + 1);
        next += 2;
    }
    sql += &format!(
        " order by created_at desc, id desc limit ${next} offset ${}",
        next + 1
    );
    let rows = with_pool!(db, |pool| {
        let mut query = sqlx::query_as::<_, TaskRow>(&sql).bind(owner);
        if let Some(completed) = filter.completed() {
            query = query.bind(completed);
        }
        if let Some(after) = after {
            query = query.bind(after.created_at).bind(after.id);
        }
        query
            .bind(i64::from(limit))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await
    })?;
    Ok(rows.into_iter().map(Task::from).collect())
}

/// The owner's counts, kept up to date by triggers on `tasks` (migration 0003).
pub async fn counts(db: &Db, owner: UserId) -> Result<TaskCounts, AppError> {
    let row: Option<(i64, i64)> = with_pool!(db, |pool| {
        sqlx::query_as("select total, completed from task_counts where user_id = $1")
            .bind(owner)
            .fetch_optional(pool)
            .await
    })?;
    let (total, completed) = row.unwrap_or_default();
    Ok(TaskCounts {
        active: (total - completed).max(0) as u64,
        completed: completed.max(0) as u64,
    })
}

pub async fn get(db: &Db, owner: UserId, id: TaskId) -> Result<Task, AppError> {
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
pub async fn update(
    db: &Db,
    owner: UserId,
    id: TaskId,
    input: &TaskInput,
) -> Result<Task, AppError> {
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
            .fetch_all(pool)
            .await
            .map(db::first_row)
    })?;
    row.map(Task::from).ok_or_else(not_found)
}

pub async fn set_completed(
    db: &Db,
    owner: UserId,
    id: TaskId,
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
            .fetch_all(pool)
            .await
            .map(db::first_row)
    })?;
    row.map(Task::from).ok_or_else(not_found)
}

pub async fn delete(db: &Db, owner: UserId, id: TaskId) -> Result<(), AppError> {
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

/// Every task of the owner, oldest first (an export).
pub async fn all_oldest_first(db: &Db, owner: UserId) -> Result<Vec<Task>, AppError> {
    let sql =
        format!("select {COLUMNS} from tasks where user_id = $1 order by created_at asc, id asc");
    let rows = with_pool!(db, |pool| {
        sqlx::query_as::<_, TaskRow>(&sql)
            .bind(owner)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows.into_iter().map(Task::from).collect())
}

/// Stores imported tasks as the owner's, each with a new id and its own times and state, in
/// one transaction: either every task is stored or none is.
pub async fn insert_many(
    db: &Db,
    owner: UserId,
    tasks: &[crate::transfer::ValidTask],
) -> Result<(), AppError> {
    use chrono::{DurationRound as _, TimeDelta};
    let micros = |t: DateTime<Utc>| t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t);
    with_pool!(db, |pool| {
        async {
            let mut tx = pool.begin().await?;
            for task in tasks {
                sqlx::query(
                    "insert into tasks (id, user_id, title, description, is_completed, created_at, updated_at)
                     values ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(TaskId(Uuid::now_v7()))
                .bind(owner)
                .bind(task.input.title.as_str())
                .bind(task.input.description.as_deref())
                .bind(task.is_completed)
                .bind(micros(task.created_at))
                .bind(micros(task.updated_at))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
        }
        .await
    })?;
    Ok(())
}

/// Marks every one of the owner's tasks done (or not done); returns how many changed.
pub async fn set_all_completed(db: &Db, owner: UserId, completed: bool) -> Result<u64, AppError> {
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
pub async fn delete_completed(db: &Db, owner: UserId) -> Result<u64, AppError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_is_url_safe() {
        let cursor = Cursor {
            created_at: DateTime::from_timestamp_micros(1_767_693_600_123_456).unwrap(),
            id: Uuid::now_v7(),
        };
        let text = cursor.encode();
        assert!(text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(Cursor::decode(&text), Some(cursor));
    }

    #[test]
    fn a_cursor_that_was_not_written_by_encode_is_refused() {
        let good = Cursor {
            created_at: Utc::now(),
            id: Uuid::new_v4(),
        }
        .encode();
        assert_eq!(Cursor::decode(""), None);
        assert_eq!(Cursor::decode("not a cursor!"), None);
        assert_eq!(Cursor::decode(&good[..good.len() - 2]), None);
        assert_eq!(Cursor::decode(&format!("{good}AA")), None);
        // The largest timestamp chrono cannot represent.
        let far = URL_SAFE_NO_PAD.encode([[0x7f; 8].as_slice(), &[0; 16]].concat());
        assert_eq!(Cursor::decode(&far), None);
    }
}

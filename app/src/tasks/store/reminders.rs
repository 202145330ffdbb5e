//! Reminders: each sent once, as a `task.reminder` event to the members of the task's list,
//! by whichever instance claims it first. A task's `reminder_due` is its `remind_at` while
//! the reminder is still to be sent; claiming it sets it to null in the same transaction
//! that records the event, so a reminder is sent once even when several instances share a
//! PostgreSQL database (each skips the rows another has locked), and one that fell due while
//! no server ran is sent when one starts (late, never lost).

use chrono::{DateTime, Utc};

use super::{
    rows::{TaskRow, COLUMNS},
    write::write_recorded,
};
use crate::{
    db::Db,
    error::AppError,
    tasks::{events::Change, Task},
};

/// Reminders one transaction claims at most.
const CLAIM_CHUNK: usize = 100;

/// Sends every reminder due at `now`, [`CLAIM_CHUNK`] a transaction; returns how many were
/// claimed. A completed task's reminder is claimed and not sent.
pub async fn fire_due(db: &Db, now: DateTime<Utc>) -> Result<u64, AppError> {
    let lock = db.row_lock("for update skip locked");
    let claim = format!(
        "update tasks set reminder_due = null
         where id in (select id from tasks where reminder_due <= $1
                      order by reminder_due limit {CLAIM_CHUNK} {lock})
         returning {COLUMNS}"
    );
    let mut claimed = 0;
    loop {
        let count = write_recorded!(db, |tx| {
            let rows: Vec<TaskRow> = tx.sql(&claim).bind(now).all().await?;
            let count = rows.len();
            let changes = rows
                .into_iter()
                .filter(|row| !row.is_completed)
                .map(|row| Change::reminder(&Task::from(row)))
                .collect();
            (count, changes)
        })?;
        claimed += count as u64;
        if count < CLAIM_CHUNK {
            return Ok(claimed);
        }
    }
}

/// When the next reminder is due, if any is still to be sent.
pub async fn next_due(db: &Db) -> Result<Option<DateTime<Utc>>, AppError> {
    let next = db
        .read(
            "select reminder_due from tasks where reminder_due is not null
             order by reminder_due limit 1",
        )
        .scalar_optional::<DateTime<Utc>>()
        .await?;
    Ok(next)
}

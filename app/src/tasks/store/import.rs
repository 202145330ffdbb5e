//! Imports: many checked tasks stored as the owner's, all or nothing, in chunks that each
//! hold the write turn briefly, and taken back out if any step fails.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    occurrence::pending,
    rows::{counted, tags_json, title_key, TaskRow, COLUMNS},
    write::{within_quota, write_recorded, INSERT_CHUNK},
};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::{ListId, TaskId, UserId},
    tasks::{events::Change, lists::ListName},
};

/// Stores checked tasks as the owner's, with new ids: all or nothing, in transactions of
/// [`INSERT_CHUNK`] tasks each, so that a large import holds SQLite's one write turn for a few
/// milliseconds at a time, never for the whole import. The import has a row in `imports`
/// while it runs and its tasks carry its id; if any step fails, the tasks already in are
/// taken back out ([`take_back`], and [`take_back_unfinished`] for an instance that stopped
/// half-way). The quota is checked by every chunk, for the whole of what is left.
pub async fn insert_many(
    db: &Db,
    owner: UserId,
    tasks: &[crate::tasks::ValidTask],
) -> Result<(), AppError> {
    if tasks.is_empty() {
        return Ok(());
    }
    let batch = Uuid::now_v7();
    let mut made = Vec::new();
    let outcome = match lists_for(db, owner, tasks, &mut made).await {
        Ok(lists) => insert_in_chunks(db, owner, batch, tasks, &lists).await,
        Err(error) => Err(error),
    };
    if outcome.is_err() {
        if let Err(error) = take_back(db, owner, batch, &made).await {
            tracing::warn!(%error, "a failed import could not be taken back yet; housekeeping will");
        }
    } else if tasks
        .iter()
        .any(|t| pending(t.input.remind_at, db::now()).is_some())
    {
        db.reminder_set().await;
    }
    outcome
}

/// The list each task goes in: the owner's list of its `list_name` (compared without case),
/// made if they have none (each list made is added to `made`), or the Inbox (`None`).
async fn lists_for(
    db: &Db,
    owner: UserId,
    tasks: &[crate::tasks::ValidTask],
    made: &mut Vec<ListId>,
) -> Result<Vec<Option<ListId>>, AppError> {
    if tasks.iter().all(|task| task.input.list_name.is_none()) {
        return Ok(vec![None; tasks.len()]);
    }
    let owned: Vec<(String, ListId)> = db
        .read("select name_key, id from lists where owner_id = $1")
        .bind(owner)
        .all()
        .await?;
    let mut by_key: HashMap<String, ListId> = owned.into_iter().collect();
    let mut lists = Vec::with_capacity(tasks.len());
    for task in tasks {
        let Some(name) = &task.input.list_name else {
            lists.push(None);
            continue;
        };
        let name = ListName::parse(name).map_err(AppError::invalid_field)?;
        let id = match by_key.get(&name.key()) {
            Some(id) => *id,
            None => {
                let list = super::lists::create(db, owner, &name).await?;
                made.push(ListId(list.id));
                by_key.insert(name.key(), ListId(list.id));
                ListId(list.id)
            }
        };
        lists.push(Some(id));
    }
    Ok(lists)
}

async fn insert_in_chunks(
    db: &Db,
    owner: UserId,
    batch: Uuid,
    tasks: &[crate::tasks::ValidTask],
    lists: &[Option<ListId>],
) -> Result<(), AppError> {
    use chrono::{DurationRound as _, TimeDelta};
    let micros = |t: DateTime<Utc>| t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t);
    let sql = format!(
        "insert into tasks (id, user_id, list_id, created_by, title, description, is_completed,
                            created_at, updated_at, due_date, priority, tags, title_key,
                            import_batch, repeat, repeat_anchor, remind_at, reminder_due,
                            last_completed_at)
         values ($1, $2,
                 coalesce($13, (select lists.id from lists
                                where lists.owner_id = $2 and lists.is_inbox)),
                 $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, $15, $16, $17, $18)
         returning {COLUMNS}"
    );
    let mut done = 0;
    let now = db::now();
    for (chunk, chunk_lists) in tasks.chunks(INSERT_CHUNK).zip(lists.chunks(INSERT_CHUNK)) {
        write_recorded!(db, |tx| {
            let started = if done == 0 {
                tx.sql("insert into imports (id, user_id, started_at) values ($1, $2, $3)")
                    .bind(batch)
                    .bind(owner)
                    .bind(db::now())
                    .execute()
                    .await?;
                true
            } else {
                // Still running: housekeeping takes back an import that ran for too long.
                tx.sql("select count(*) from imports where id = $1")
                    .bind(batch)
                    .scalar::<i64>()
                    .await?
                    == 1
            };
            // What the owner held before this import, and the whole import: the quota's
            // message names the same figures whichever chunk finds it exceeded.
            let held = tx.tasks_held(owner).await?.map(|held| held - done as i64);
            let allowed = if started {
                within_quota(db, held, tasks.len())
            } else {
                Err(AppError::Unavailable(
                    "The import took too long and was undone; try again with a smaller file."
                        .into(),
                ))
            };
            // Refused: nothing more is written (the transaction commits nothing).
            let chunk = if allowed.is_ok() { chunk } else { &[] };
            let mut changes = Vec::with_capacity(chunk.len());
            for (task, list) in chunk.iter().zip(chunk_lists) {
                let rows: Vec<TaskRow> = tx
                    .sql(&sql)
                    .bind(TaskId(Uuid::now_v7()))
                    .bind(owner)
                    .bind(task.input.title.as_str())
                    .bind(task.input.description.as_deref())
                    .bind(task.is_completed)
                    .bind(micros(task.created_at))
                    .bind(micros(task.updated_at))
                    .bind(task.input.due_date)
                    .bind(task.input.priority.rank())
                    .bind(tags_json(&task.input.tags))
                    .bind(title_key(task.input.title.as_str()))
                    .bind(batch)
                    .bind(*list)
                    .bind(task.input.repeat.as_ref().map(|r| r.rule()))
                    .bind(task.input.repeat.as_ref().and(task.input.due_date))
                    .bind(task.input.remind_at)
                    .bind(pending(task.input.remind_at, now))
                    .bind(task.last_completed_at.map(micros))
                    .all()
                    .await?;
                changes.extend(counted(rows, Change::created).1);
            }
            (allowed, changes)
        })??;
        done += chunk.len();
    }
    end_import(db, batch).await
}

/// Deletes the tasks that the unfinished import `batch` brought in, [`INSERT_CHUNK`] a
/// transaction (each announced as deleted), then the lists it `made` that are still empty,
/// then the import's row.
async fn take_back(db: &Db, owner: UserId, batch: Uuid, made: &[ListId]) -> Result<(), AppError> {
    let take = format!(
        "delete from tasks where id in
             (select id from tasks where import_batch = $1 and user_id = $2 limit {INSERT_CHUNK})
         returning id, list_id"
    );
    loop {
        let taken = write_recorded!(db, |tx| {
            let ids: Vec<(TaskId, ListId)> = tx.sql(&take).bind(batch).bind(owner).all().await?;
            let changes = ids
                .iter()
                .map(|(id, list)| Change::deleted(id.as_uuid(), *list))
                .collect();
            (ids.len(), changes)
        })?;
        if taken < INSERT_CHUNK {
            break;
        }
    }
    for list in made {
        // Someone may have filed a task there since: then it stays.
        if super::lists::get(db, owner, *list)
            .await
            .is_ok_and(|l| l.counts == Default::default())
        {
            super::lists::delete(db, owner, *list).await?;
        }
    }
    end_import(db, batch).await
}

/// Forgets the import `batch` (finished, or taken back).
async fn end_import(db: &Db, batch: Uuid) -> Result<(), AppError> {
    write_recorded!(db, |tx| {
        tx.sql("delete from imports where id = $1")
            .bind(batch)
            .execute()
            .await?;
        ((), Vec::new())
    })?;
    Ok(())
}

/// How long an import may run before housekeeping takes it for one whose instance stopped
/// half-way. The largest import the body limit allows takes seconds.
pub const UNFINISHED_IMPORT: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// Takes back the imports that started over [`UNFINISHED_IMPORT`] ago and never finished
/// (their instance stopped or lost the database half-way); how many.
pub async fn take_back_unfinished(db: &Db) -> Result<usize, AppError> {
    let stale: Vec<(Uuid, UserId)> = db
        .read("select id, user_id from imports where started_at < $1 limit 100")
        .bind(db::now() - UNFINISHED_IMPORT)
        .all()
        .await?;
    for (batch, owner) in &stale {
        take_back(db, *owner, *batch, &[]).await?;
    }
    Ok(stale.len())
}

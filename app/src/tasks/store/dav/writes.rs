//! Writing a task through CalDAV: creating or replacing it by its name, and deleting it,
//! each in one write transaction that keeps the access rule and records the change.

use uuid::Uuid;

use super::{id_of, named, DavExpect, DavFields, Resource, Row, DAV_COLUMNS};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::{ListId, TaskId, UserId},
    tasks::{
        events::Change,
        store::{
            access,
            occurrence::pending,
            rows::{not_found, tags_json, title_key, COLUMNS},
            write::{within_quota, write_recorded},
        },
    },
};

/// Creates or replaces the task of `list` named `name` with `fields`, if `expect` holds: 412
/// when it does not, 404 for a list `me` is no member of, 403 for a viewer. Returns the
/// resource and whether it is new.
pub async fn put(
    db: &Db,
    me: UserId,
    list: ListId,
    name: &str,
    fields: DavFields<'_>,
    expect: DavExpect,
) -> Result<(Resource, bool), AppError> {
    let input = fields.input;
    let now = db::now();
    let current_sql = format!(
        "select {COLUMNS}, {DAV_COLUMNS} from tasks where {}{}",
        named("$1", "$2", "$3"),
        db.row_lock(" for update")
    );
    let insert = format!(
        "insert into tasks (id, user_id, list_id, created_by, title, description, is_completed,
                            due_date, priority, tags, title_key, created_at, updated_at,
                            repeat, repeat_anchor, remind_at, reminder_due,
                            dav_name, ical_uid, ical_extra)
         select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $8, $14, $15,
                $16, $17, $18
         where {}
         returning {COLUMNS}, {DAV_COLUMNS}",
        access::list_writable("$3", "$4")
    );
    let update = format!(
        "update tasks set title = $1, description = $2, due_date = $3, priority = $4,
                          tags = $5, title_key = $6, updated_at = $7, is_completed = $8,
                          repeat = $9,
                          repeat_anchor = case
                              when $9 is null then null
                              when repeat = $9 and due_date = $3 and repeat_anchor is not null
                                  then repeat_anchor
                              else $3 end,
                          remind_at = $10,
                          reminder_due = case
                              when $10 is null then null
                              when remind_at = $10 then reminder_due
                              when $10 > $7 then $10
                              else null end,
                          ical_uid = $11, ical_extra = $12
         where id = $13 and {}
         returning {COLUMNS}, {DAV_COLUMNS}",
        access::writable("$14")
    );
    let repeat = input.repeat.as_ref().map(|r| r.rule());
    // The UID is kept only when it is not the task's id (a task made elsewhere has none).
    let uid_of = |id: Uuid| (fields.uid != id.to_string()).then_some(fields.uid);
    let outcome = write_recorded!(db, |tx| {
        let target = tx.target(me, Some(list)).await?;
        let current: Option<Row> = match &target {
            Err(_) => None,
            Ok(_) => {
                tx.sql(&current_sql)
                    .bind(list)
                    .bind(name)
                    .bind(id_of(name))
                    .optional()
                    .await?
            }
        };
        let current = current.map(Resource::from);
        let verdict = match expect.holds(current.as_ref()) {
            true => Ok(()),
            false => Err(stale()),
        };
        match (target, verdict, current) {
            (Err(refused), ..) | (_, Err(refused), _) => (Err(refused), Vec::new()),
            (Ok(_), Ok(()), Some(resource)) => {
                let row: Option<Row> = tx
                    .sql(&update)
                    .bind(input.title.as_str())
                    .bind(input.description.as_deref())
                    .bind(input.due_date)
                    .bind(input.priority.rank())
                    .bind(tags_json(&input.tags))
                    .bind(title_key(input.title.as_str()))
                    .bind(now)
                    .bind(fields.completed)
                    .bind(repeat.as_deref())
                    .bind(input.remind_at)
                    .bind(uid_of(resource.task.id))
                    .bind(fields.extra)
                    .bind(TaskId(resource.task.id))
                    .bind(me)
                    .optional()
                    .await?;
                match row.map(Resource::from) {
                    Some(resource) => {
                        let change = Change::updated(&resource.task);
                        (Ok((resource, false)), vec![change])
                    }
                    None => (Err(access::read_only()), Vec::new()),
                }
            }
            (Ok(target), Ok(()), None) => {
                match within_quota(db, tx.tasks_held(target.owner).await?, 1) {
                    Err(refused) => (Err(refused), Vec::new()),
                    Ok(()) => {
                        // A new id always (a name that looks like an id may be another
                        // task's), and the name its client gave kept.
                        let id = TaskId(Uuid::now_v7());
                        let row: Option<Row> = tx
                            .sql(&insert)
                            .bind(id)
                            .bind(target.owner)
                            .bind(target.id)
                            .bind(me)
                            .bind(input.title.as_str())
                            .bind(input.description.as_deref())
                            .bind(fields.completed)
                            .bind(input.due_date)
                            .bind(input.priority.rank())
                            .bind(tags_json(&input.tags))
                            .bind(title_key(input.title.as_str()))
                            .bind(now)
                            .bind(repeat.as_deref())
                            .bind(input.remind_at)
                            .bind(pending(input.remind_at, now))
                            .bind(name)
                            .bind(uid_of(id.as_uuid()))
                            .bind(fields.extra)
                            .optional()
                            .await?;
                        match row.map(Resource::from) {
                            Some(resource) => {
                                let change = Change::created(&resource.task);
                                (Ok((resource, true)), vec![change])
                            }
                            None => (Err(access::no_such_list()), Vec::new()),
                        }
                    }
                }
            }
        }
    })?;
    if outcome.is_ok() && pending(input.remind_at, now).is_some() {
        db.reminder_set().await;
    }
    outcome
}

/// Deletes the task of `list` named `name` if `expect` holds (412 when not), and `me` may.
pub async fn delete(
    db: &Db,
    me: UserId,
    list: ListId,
    name: &str,
    expect: DavExpect,
) -> Result<(), AppError> {
    let current_sql = format!(
        "select {COLUMNS}, {DAV_COLUMNS} from tasks where {} and {}{}",
        named("$1", "$2", "$3"),
        access::readable("$4"),
        db.row_lock(" for update")
    );
    let sql = format!(
        "delete from tasks where id = $1 and {} returning id",
        access::writable("$2")
    );
    write_recorded!(db, |tx| {
        let current: Option<Resource> = tx
            .sql(&current_sql)
            .bind(list)
            .bind(name)
            .bind(id_of(name))
            .bind(me)
            .optional::<Row>()
            .await?
            .map(Resource::from);
        match current {
            None => (Err(not_found()), Vec::new()),
            Some(resource) if !expect.holds(Some(&resource)) => (Err(stale()), Vec::new()),
            Some(resource) => {
                let gone: Vec<(TaskId,)> = tx
                    .sql(&sql)
                    .bind(TaskId(resource.task.id))
                    .bind(me)
                    .all()
                    .await?;
                match gone.is_empty() {
                    true => (Err(access::read_only()), Vec::new()),
                    false => (Ok(()), vec![Change::deleted(resource.task.id, list)]),
                }
            }
        }
    })?
}

fn stale() -> AppError {
    AppError::PreconditionFailed(
        "This task was changed elsewhere since you read it (or, with If-None-Match: *, it \
         exists already), so it was left as it is: read it again, then make your change."
            .into(),
    )
}

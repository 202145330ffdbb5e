//! Tasks as calendar resources (CalDAV): each list a calendar, each task a resource with a
//! name (`{name}.ics`), the UID its client gave and the properties the server does not map,
//! and each list's change counter (`sync_seq`, kept by triggers with `dav_changes`) as its
//! sync token. Reads and writes keep the access rule of [`access`] and the write rule of
//! [`write_recorded!`], like every other path: a write through CalDAV is an ordinary change.

use sqlx::FromRow;
use uuid::Uuid;

use super::{
    access,
    occurrence::pending,
    rows::{tags_json, title_key, TaskRow, COLUMNS},
    write::{within_quota, write_recorded},
};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::{ListId, TaskId, UserId},
    tasks::{events::Change, lists::Role, Task, TaskInput},
    with_reader,
};

/// How many changes back a sync token stays good: older tombstones are pruned (see the
/// migration `0015_calendar_sync`), so an older token is refused and the client starts over.
pub const SYNC_HORIZON: i64 = 10_000;

/// A list as a calendar: its name, whether the user may change its tasks, and its counter.
#[derive(Clone, Debug)]
pub struct Calendar {
    pub id: ListId,
    pub name: String,
    pub writable: bool,
    pub sync_seq: i64,
}

/// A task as a calendar resource.
#[derive(Clone, Debug)]
pub struct Resource {
    pub task: Task,
    /// The last segment of its URL: `{uid}.ics` unless its client chose another.
    pub name: String,
    /// Its iCalendar UID: its client's, or the task's id.
    pub uid: String,
    /// The VTODO's content lines the server does not map, as they came.
    pub extra: Option<String>,
}

/// What a write through CalDAV expects of the resource as it is now.
pub enum DavExpect<'a> {
    Nothing,
    /// `If-None-Match: *`: that there is none.
    Absent,
    /// `If-Match`: that it exists and `matches` says yes to it (its ETag is one named).
    Matches(&'a (dyn Fn(&Resource) -> bool + Sync)),
}

/// What a `PUT` brings besides the task's fields.
pub struct DavFields<'a> {
    pub input: &'a TaskInput,
    pub completed: bool,
    pub uid: &'a str,
    pub extra: Option<&'a str>,
}

#[derive(FromRow)]
struct Row {
    #[sqlx(flatten)]
    task: TaskRow,
    dav_name: Option<String>,
    ical_uid: Option<String>,
    ical_extra: Option<String>,
}

const DAV_COLUMNS: &str = "dav_name, ical_uid, ical_extra";

impl From<Row> for Resource {
    fn from(row: Row) -> Self {
        let task = Task::from(row.task);
        Self {
            name: row.dav_name.unwrap_or_else(|| format!("{}.ics", task.id)),
            uid: row.ical_uid.unwrap_or_else(|| task.id.to_string()),
            extra: row.ical_extra,
            task,
        }
    }
}

/// The condition "the task of `tasks` is the one named `$name` in the list `$list`": by its
/// client's name, or by its id for a task that never had one (`$id`, the name's id if it is
/// `{uuid}.ics`).
fn named(list: &str, name: &str, id: &str) -> String {
    format!(
        "tasks.list_id = {list} and (tasks.dav_name = {name}
                                     or (tasks.dav_name is null and tasks.id = {id}))"
    )
}

/// The id a default name (`{uuid}.ics`) stands for; a name that is none stands for no task.
fn id_of(name: &str) -> TaskId {
    let id = name
        .strip_suffix(".ics")
        .and_then(|stem| Uuid::parse_str(stem).ok())
        .unwrap_or(Uuid::nil());
    TaskId(id)
}

const CALENDARS: &str = "select lists.id, lists.name, list_members.role, lists.sync_seq
     from lists join list_members on list_members.list_id = lists.id and list_members.user_id = $1";

fn calendar(row: (ListId, String, String, i64)) -> Calendar {
    let (id, name, role, sync_seq) = row;
    let writable = Role::from_name(&role).is_some_and(Role::writes);
    Calendar {
        id,
        name,
        writable,
        sync_seq,
    }
}

/// Every list `me` is a member of, their Inbox first, then by name.
pub async fn calendars(db: &Db, me: UserId) -> Result<Vec<Calendar>, AppError> {
    let rows: Vec<(ListId, String, String, i64)> = with_reader!(db, |pool| {
        sqlx::query_as(&format!(
            "{CALENDARS} order by lists.is_inbox desc, lists.name_key, lists.id"
        ))
        .bind(me)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows.into_iter().map(calendar).collect())
}

/// The list `id` as `me` sees it: 404 when they are no member of it.
pub async fn calendar_of(db: &Db, me: UserId, id: ListId) -> Result<Calendar, AppError> {
    let row: Option<(ListId, String, String, i64)> = with_reader!(db, |pool| {
        sqlx::query_as(&format!("{CALENDARS} where lists.id = $2"))
            .bind(me)
            .bind(id)
            .fetch_optional(pool)
            .await
    })?;
    row.map(calendar).ok_or_else(access::no_such_list)
}

/// Every task of the list `list` that `me` may read, oldest first.
pub async fn resources(db: &Db, me: UserId, list: ListId) -> Result<Vec<Resource>, AppError> {
    let rows: Vec<Row> = with_reader!(db, |pool| {
        sqlx::query_as(&format!(
            "select {COLUMNS}, {DAV_COLUMNS} from tasks
             where tasks.list_id = $1 and {} order by created_at, id",
            access::readable("$2")
        ))
        .bind(list)
        .bind(me)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows.into_iter().map(Resource::from).collect())
}

/// The tasks of `list` named `names` that `me` may read (the names that name none are left
/// out).
pub async fn named_resources(
    db: &Db,
    me: UserId,
    list: ListId,
    names: &[String],
) -> Result<Vec<Resource>, AppError> {
    let mut found = Vec::with_capacity(names.len());
    for name in names {
        if let Some(resource) = resource(db, me, list, name).await? {
            found.push(resource);
        }
    }
    Ok(found)
}

/// The task of `list` named `name`, if `me` may read it.
pub async fn resource(
    db: &Db,
    me: UserId,
    list: ListId,
    name: &str,
) -> Result<Option<Resource>, AppError> {
    let row: Option<Row> = with_reader!(db, |pool| {
        sqlx::query_as(&format!(
            "select {COLUMNS}, {DAV_COLUMNS} from tasks where {} and {}",
            named("$1", "$2", "$3"),
            access::readable("$4")
        ))
        .bind(list)
        .bind(name)
        .bind(id_of(name))
        .bind(me)
        .fetch_optional(pool)
        .await
    })?;
    Ok(row.map(Resource::from))
}

/// What changed in `list` after the counter stood at `since`: the counter now, the tasks
/// changed (as they are now) and the names of those gone (deleted or moved out). `None` when
/// `since` is not a token this list can answer from (ahead of it, or pruned past).
pub async fn changes_since(
    db: &Db,
    me: UserId,
    list: ListId,
    since: i64,
) -> Result<Option<(i64, Vec<Resource>, Vec<String>)>, AppError> {
    let now = calendar_of(db, me, list).await?.sync_seq;
    if since > now || since < now - SYNC_HORIZON {
        return Ok(None);
    }
    let changed: Vec<(TaskId, Option<String>, bool)> = with_reader!(db, |pool| {
        sqlx::query_as(
            "select task_id, name, gone from dav_changes
             where list_id = $1 and seq > $2 and seq <= $3 order by seq",
        )
        .bind(list)
        .bind(since)
        .bind(now)
        .fetch_all(pool)
        .await
    })?;
    let mut present = Vec::new();
    let mut gone = Vec::new();
    for (id, name, is_gone) in changed {
        let name = name.unwrap_or_else(|| format!("{}.ics", id.as_uuid()));
        match is_gone {
            true => gone.push(name),
            false => present.push(name),
        }
    }
    let mut resources = named_resources(db, me, list, &present).await?;
    // A task changed and then deleted since the token was read is gone, not changed.
    let still: std::collections::HashSet<&str> =
        resources.iter().map(|r| r.name.as_str()).collect();
    for name in present.iter().filter(|n| !still.contains(n.as_str())) {
        gone.push(name.clone());
    }
    resources.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some((now, resources, gone)))
}

/// Creates or replaces the task of `list` named `name` with `fields`, if `expect` holds: 412
/// when it does not, 404 for a list `me` is no member of, 403 for a viewer. Returns the
/// resource and whether it is new.
pub async fn put(
    db: &Db,
    me: UserId,
    list: ListId,
    name: &str,
    fields: DavFields<'_>,
    expect: DavExpect<'_>,
) -> Result<(Resource, bool), AppError> {
    let input = fields.input;
    let now = db::now();
    let current_sql = format!(
        "select {COLUMNS}, {DAV_COLUMNS} from tasks where {}{}",
        named("$1", "$2", "$3"),
        if db.is_sqlite() { "" } else { " for update" }
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
                sqlx::query_as(&current_sql)
                    .bind(list)
                    .bind(name)
                    .bind(id_of(name))
                    .fetch_optional(&mut *tx)
                    .await?
            }
        };
        let current = current.map(Resource::from);
        let verdict = match (&expect, &current) {
            (DavExpect::Absent, Some(_)) | (DavExpect::Matches(_), None) => Err(stale()),
            (DavExpect::Matches(matches), Some(resource)) if !matches(resource) => Err(stale()),
            _ => Ok(()),
        };
        match (target, verdict, current) {
            (Err(refused), ..) | (_, Err(refused), _) => (Err(refused), Vec::new()),
            (Ok(_), Ok(()), Some(resource)) => {
                let rows: Vec<Row> = sqlx::query_as(&update)
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
                    .fetch_all(&mut *tx)
                    .await?;
                match db::first_row(rows).map(Resource::from) {
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
                        let rows: Vec<Row> = sqlx::query_as(&insert)
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
                            .fetch_all(&mut *tx)
                            .await?;
                        match db::first_row(rows).map(Resource::from) {
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
    expect: DavExpect<'_>,
) -> Result<(), AppError> {
    let current_sql = format!(
        "select {COLUMNS}, {DAV_COLUMNS} from tasks where {} and {}{}",
        named("$1", "$2", "$3"),
        access::readable("$4"),
        if db.is_sqlite() { "" } else { " for update" }
    );
    let sql = format!(
        "delete from tasks where id = $1 and {} returning id",
        access::writable("$2")
    );
    write_recorded!(db, |tx| {
        let current: Option<Resource> = sqlx::query_as::<_, Row>(&current_sql)
            .bind(list)
            .bind(name)
            .bind(id_of(name))
            .bind(me)
            .fetch_optional(&mut *tx)
            .await?
            .map(Resource::from);
        match (current, &expect) {
            (None, _) => (Err(super::rows::not_found()), Vec::new()),
            (Some(resource), DavExpect::Matches(matches)) if !matches(&resource) => {
                (Err(stale()), Vec::new())
            }
            (Some(_), DavExpect::Absent) => (Err(stale()), Vec::new()),
            (Some(resource), _) => {
                let gone: Vec<(TaskId,)> = sqlx::query_as(&sql)
                    .bind(TaskId(resource.task.id))
                    .bind(me)
                    .fetch_all(&mut *tx)
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

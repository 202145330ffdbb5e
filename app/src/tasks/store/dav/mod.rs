//! Tasks as calendar resources (CalDAV): each list a calendar, each task a resource with a
//! name (`{name}.ics`), the UID its client gave and the properties the server does not map,
//! and each list's change counter (`sync_seq`, kept by triggers with `dav_changes`) as its
//! sync token. Reads and writes keep the access rule of [`access`] and the write rule of
//! [`write_recorded!`], like every other path: a write through CalDAV is an ordinary change.

use sqlx::FromRow;
use uuid::Uuid;

mod writes;

pub use writes::{delete, put};

use super::{
    access,
    rows::{TaskRow, COLUMNS},
    sql::{Bind, Sql},
};
use crate::{
    db::Db,
    error::AppError,
    ids::{ListId, TaskId, UserId},
    tasks::{lists::Role, Task, TaskInput},
};

/// How many changes back a sync token stays good: older tombstones are pruned (see the
/// migration `0015_calendar_sync`), so an older token is refused and the client starts over.
pub const SYNC_HORIZON: i64 = 10_000;

/// Names one query of [`named_resources`] looks up (two parameters each: well under either
/// engine's limit).
const NAMES_PER_QUERY: usize = 500;

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
pub enum DavExpect {
    Nothing,
    /// `If-None-Match: *`: that there is none.
    Absent,
    /// `If-Match`: that it exists and its tag (as `tag_of` computes it from the resource as
    /// it is inside the write's transaction) is one of `tags`.
    Matches {
        tags: crate::tasks::versions::EntityTags,
        tag_of: fn(&Resource) -> String,
    },
}

impl DavExpect {
    /// Whether the resource as it is now (`None`: there is none) is what was expected.
    fn holds(&self, current: Option<&Resource>) -> bool {
        match (self, current) {
            (Self::Nothing, _) => true,
            (Self::Absent, current) => current.is_none(),
            (Self::Matches { .. }, None) => false,
            (Self::Matches { tags, tag_of }, Some(resource)) => tags.matches(&tag_of(resource)),
        }
    }
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
    let rows: Vec<(ListId, String, String, i64)> = db
        .read(format!(
            "{CALENDARS} order by lists.is_inbox desc, lists.name_key, lists.id"
        ))
        .bind(me)
        .all()
        .await?;
    Ok(rows.into_iter().map(calendar).collect())
}

/// The list `id` as `me` sees it: 404 when they are no member of it.
pub async fn calendar_of(db: &Db, me: UserId, id: ListId) -> Result<Calendar, AppError> {
    let row: Option<(ListId, String, String, i64)> = db
        .read(format!("{CALENDARS} where lists.id = $2"))
        .bind(me)
        .bind(id)
        .optional()
        .await?;
    row.map(calendar).ok_or_else(access::no_such_list)
}

/// Every task of the list `list` that `me` may read, oldest first.
pub async fn resources(db: &Db, me: UserId, list: ListId) -> Result<Vec<Resource>, AppError> {
    let rows: Vec<Row> = db
        .read(format!(
            "select {COLUMNS}, {DAV_COLUMNS} from tasks
             where tasks.list_id = $1 and {} order by created_at, id",
            access::readable("$2")
        ))
        .bind(list)
        .bind(me)
        .all()
        .await?;
    Ok(rows.into_iter().map(Resource::from).collect())
}

/// The tasks of `list` named `names` that `me` may read (the names that name none are left
/// out), in one query per 500 names rather than one per name.
pub async fn named_resources(
    db: &Db,
    me: UserId,
    list: ListId,
    names: &[String],
) -> Result<Vec<Resource>, AppError> {
    let mut found = Vec::with_capacity(names.len());
    for chunk in names.chunks(NAMES_PER_QUERY) {
        let mut sql = Sql::default();
        let (list, me) = (sql.bind(Bind::List(list)), sql.bind(Bind::User(me)));
        let by_name: Vec<String> = chunk
            .iter()
            .map(|name| sql.bind(Bind::Text(name.clone())))
            .collect();
        let by_id: Vec<String> = chunk
            .iter()
            .map(|name| sql.bind(Bind::Id(id_of(name).as_uuid())))
            .collect();
        sql.text = format!(
            "select {COLUMNS}, {DAV_COLUMNS} from tasks
             where tasks.list_id = {list} and {}
               and (tasks.dav_name in ({}) or (tasks.dav_name is null and tasks.id in ({})))",
            access::readable(&me),
            by_name.join(", "),
            by_id.join(", ")
        );
        let rows: Vec<Row> = sql.read(db).all().await?;
        found.extend(rows.into_iter().map(Resource::from));
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
    let row: Option<Row> = db
        .read(format!(
            "select {COLUMNS}, {DAV_COLUMNS} from tasks where {} and {}",
            named("$1", "$2", "$3"),
            access::readable("$4")
        ))
        .bind(list)
        .bind(name)
        .bind(id_of(name))
        .bind(me)
        .optional()
        .await?;
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
    let changed: Vec<(TaskId, Option<String>, bool)> = db
        .read(
            "select task_id, name, gone from dav_changes
             where list_id = $1 and seq > $2 and seq <= $3 order by seq",
        )
        .bind(list)
        .bind(since)
        .bind(now)
        .all()
        .await?;
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

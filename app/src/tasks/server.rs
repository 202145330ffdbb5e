//! Tasks on the server: the SQL and the rules. Every query filters on the owner, so one
//! user's tasks are out of another's reach by construction.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Connection as _;
use uuid::Uuid;

use super::{
    events::{Change, EventLog as _},
    versions::Expect,
    Filter, Marked, Order, Priority, Removed, Sort, TagCount, Task, TaskBoard, TaskCounts,
    TaskInput, TaskPage, TaskQuery, PAGE_SIZE,
};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::{TaskId, UserId},
    with_reader, with_writer,
};

const COLUMNS: &str = "id, user_id, title, description, is_completed, due_date, priority, tags, \
                       title_key, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: TaskId,
    user_id: UserId,
    title: String,
    description: Option<String>,
    is_completed: bool,
    due_date: Option<NaiveDate>,
    priority: i32,
    tags: String,
    title_key: String,
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
            due_date: row.due_date,
            priority: Priority::from_rank(row.priority),
            // Written by `tags_json` only; a row that somehow holds something else reads as
            // untagged rather than failing the whole list.
            tags: serde_json::from_str(&row.tags).unwrap_or_default(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

fn not_found() -> AppError {
    AppError::NotFound("There is no such task.".into())
}

/// Why a conditional write changed nothing.
enum Refused {
    Missing,
    Stale,
}

impl From<Refused> for AppError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Missing => not_found(),
            Refused::Stale => AppError::PreconditionFailed(
                "This task was changed elsewhere since you read it, so it was left as it is \
                 now: read it again, then make your change."
                    .into(),
            ),
        }
    }
}

/// Runs `body` (an expression giving `(value, changes)`, which may use `?` and `.await` on
/// the transaction `tx`) in one write transaction, records `changes` as the owner's events in
/// that same transaction, commits, and then announces them to this process's streams.
macro_rules! write_recorded {
    ($db:expr, $owner:expr, |$tx:ident| $body:expr) => {{
        let db: &Db = $db;
        let owner: UserId = $owner;
        // On SQLite the transaction takes the write lock as it begins: one that read first
        // (a quota, an expected version) could not take it later once another connection
        // had written since (SQLITE_BUSY_SNAPSHOT, at once, whatever the busy timeout).
        let begin = match db.backend() {
            "sqlite" => "begin immediate",
            _ => "begin",
        };
        let written = with_writer!(db, |pool| {
            async {
                let mut $tx = pool.begin_with(begin).await?;
                let (value, changes): (_, Vec<Change>) = $body;
                $tx.record(owner, &changes).await?;
                $tx.commit().await?;
                Ok::<_, sqlx::Error>((value, !changes.is_empty()))
            }
            .await
        });
        written.map(|(value, changed)| {
            if changed {
                db.announce(owner);
            }
            value
        })
    }};
}

/// The task a conditional write is about, read (and on PostgreSQL locked until commit)
/// inside its transaction.
fn current_sql(db: &Db) -> String {
    let lock = match db.backend() {
        "postgres" => " for update",
        _ => "",
    };
    format!("select {COLUMNS} from tasks where id = $1 and user_id = $2{lock}")
}

/// Runs the write `body` on task `id` inside [`write_recorded!`] if the task is still as
/// `expect` says, read in the same transaction (and on PostgreSQL locked until commit);
/// nothing is read when nothing is expected. `body` gives `(Result<_, Refused>, changes)`.
/// 404 for a missing task, 412 for a stale one.
macro_rules! write_expected {
    ($db:expr, $owner:expr, $id:expr, $expect:expr, |$tx:ident| $body:expr) => {{
        let (db, owner, id, expect): (&Db, UserId, TaskId, &Expect) = ($db, $owner, $id, $expect);
        let current = match expect {
            Expect::Nothing => None,
            _ => Some(current_sql(db)),
        };
        let outcome = write_recorded!(db, owner, |$tx| {
            let allowed = match &current {
                None => Ok(()),
                Some(current) => verdict(
                    expect,
                    sqlx::query_as::<_, TaskRow>(current)
                        .bind(id)
                        .bind(owner)
                        .fetch_optional(&mut *$tx)
                        .await?,
                ),
            };
            match allowed {
                Err(refused) => (Err(refused), Vec::new()),
                Ok(()) => $body,
            }
        })?;
        outcome.map_err(AppError::from)
    }};
}

/// Whether a write expecting `expect` may go ahead on `current` (the task as it is now).
fn verdict(expect: &Expect, current: Option<TaskRow>) -> Result<(), Refused> {
    match current.map(Task::from) {
        None => Err(Refused::Missing),
        Some(task) if expect.holds(&task) => Ok(()),
        Some(_) => Err(Refused::Stale),
    }
}

/// Today's date in the time zone named `zone` (an IANA name; UTC if it names none).
pub fn today_in(zone: &str) -> NaiveDate {
    let now = Utc::now();
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => now.with_timezone(&tz).date_naive(),
        Err(_) => now.date_naive(),
    }
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

/// What sorting by title compares: the title without accents, lower-cased, so "Água" sorts
/// with the a's rather than after every ASCII letter (byte order, which both engines share).
fn title_key(title: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization as _};
    title
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

/// How many tasks the owner holds now, read inside the write transaction `$tx`. On
/// PostgreSQL the owner's count row is made if missing and locked until commit, so two
/// writes cannot both take the last places (SQLite writes one at a time anyway).
macro_rules! tasks_held {
    ($tx:ident, $db:expr, $owner:expr) => {{
        let (db, owner): (&Db, UserId) = ($db, $owner);
        let lock = db.backend() == "postgres";
        if lock {
            sqlx::query(
                "insert into task_counts (user_id, total, completed) values ($1, 0, 0)
                 on conflict (user_id) do nothing",
            )
            .bind(owner)
            .execute(&mut *$tx)
            .await?;
        }
        let read = if lock {
            "select total from task_counts where user_id = $1 for update"
        } else {
            "select total from task_counts where user_id = $1"
        };
        let held: Option<i64> = sqlx::query_scalar(read)
            .bind(owner)
            .fetch_optional(&mut *$tx)
            .await?;
        held
    }};
}

/// 403 when `adding` more tasks would take the owner past the account's quota.
fn within_quota(db: &Db, held: Option<i64>, adding: usize) -> Result<(), AppError> {
    let quota = db.task_quota();
    let held = held.unwrap_or(0).max(0) as u64;
    if held.saturating_add(adding as u64) <= quota {
        return Ok(());
    }
    Err(AppError::Forbidden(format!(
        "This account has reached its limit of {quota} tasks (it holds {held}{}): delete \
         some before adding more.",
        if adding > 1 {
            format!(", and {adding} more were sent")
        } else {
            String::new()
        }
    )))
}

pub async fn create(db: &Db, owner: UserId, input: &TaskInput) -> Result<Task, AppError> {
    let now = db::now();
    let sql = format!(
        "insert into tasks (id, user_id, title, description, is_completed, due_date, priority,
                            tags, title_key, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning {COLUMNS}"
    );
    let task = write_recorded!(db, owner, |tx| {
        let held = tasks_held!(tx, db, owner);
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

/// A task's value under a sort: what a cursor remembers besides the tie-breakers.
#[derive(Clone, Debug, PartialEq, Eq)]
enum SortKey {
    /// The created order needs nothing more than the tie-breakers.
    Created,
    Updated(DateTime<Utc>),
    Due(Option<NaiveDate>),
    Priority(i32),
    Title(String),
}

/// A place in a sorted list, just after a task: keyset pagination. Clients see it as an
/// opaque string (URL-safe base64 of the sort, the task's value under it, its `created_at`
/// in microseconds and its id); it names a position only, so a forged one can reveal nothing
/// but the caller's own tasks. The default order's cursor is the 24 bytes of the tie-breakers
/// alone, as before sorts existed, so cursors handed out then still work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    sort: Sort,
    order: Order,
    key: SortKey,
    created_at: DateTime<Utc>,
    id: Uuid,
}

impl Cursor {
    /// The position just after `row` in the order `sort`, `order`.
    fn after(row: &TaskRow, sort: Sort, order: Order) -> Self {
        let key = match sort {
            Sort::Created => SortKey::Created,
            Sort::Updated => SortKey::Updated(row.updated_at),
            Sort::Due => SortKey::Due(row.due_date),
            Sort::Priority => SortKey::Priority(row.priority),
            Sort::Title => SortKey::Title(row.title_key.clone()),
        };
        Self {
            sort,
            order,
            key,
            created_at: row.created_at,
            id: row.id.as_uuid(),
        }
    }

    /// Whether this cursor came from a list in this order.
    pub fn fits(&self, sort: Sort, order: Order) -> bool {
        self.sort == sort && self.order == order
    }

    pub fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(40);
        if !(self.sort == Sort::Created && self.order == Order::Desc) {
            let sort = Sort::ALL.iter().position(|s| *s == self.sort).unwrap_or(0) as u8;
            bytes.push(sort << 1 | u8::from(self.order == Order::Asc));
            match &self.key {
                SortKey::Created => {}
                SortKey::Updated(at) => bytes.extend(at.timestamp_micros().to_be_bytes()),
                SortKey::Due(None) => bytes.push(0),
                SortKey::Due(Some(date)) => {
                    bytes.push(1);
                    bytes.extend(date.to_string().into_bytes());
                }
                SortKey::Priority(rank) => bytes.push(*rank as u8),
                SortKey::Title(key) => bytes.extend(key.as_bytes()),
            }
        }
        bytes.extend(self.created_at.timestamp_micros().to_be_bytes());
        bytes.extend(self.id.as_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// `None` for anything [`Cursor::encode`] could not have written.
    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let split = bytes.len().checked_sub(24)?;
        let (head, tail) = bytes.split_at(split);
        let micros = i64::from_be_bytes(tail[..8].try_into().ok()?);
        let created_at = DateTime::from_timestamp_micros(micros)?;
        let id = Uuid::from_slice(&tail[8..]).ok()?;
        let (sort, order, key) = match head.split_first() {
            None => (Sort::Created, Order::Desc, SortKey::Created),
            Some((code, key)) => {
                let sort = *Sort::ALL.get(usize::from(code >> 1))?;
                let order = if code & 1 == 1 {
                    Order::Asc
                } else {
                    Order::Desc
                };
                let key = match (sort, key) {
                    (Sort::Created, []) if order == Order::Asc => SortKey::Created,
                    (Sort::Updated, key) => SortKey::Updated(DateTime::from_timestamp_micros(
                        i64::from_be_bytes(key.try_into().ok()?),
                    )?),
                    (Sort::Due, [0]) => SortKey::Due(None),
                    (Sort::Due, [1, date @ ..]) => SortKey::Due(Some(super::fields::parse_date(
                        std::str::from_utf8(date).ok()?,
                    )?)),
                    (Sort::Priority, [rank @ 0..=3]) => SortKey::Priority(i32::from(*rank)),
                    (Sort::Title, key) if !key.is_empty() => {
                        SortKey::Title(String::from_utf8(key.to_vec()).ok()?)
                    }
                    _ => return None,
                };
                (sort, order, key)
            }
        };
        Some(Self {
            sort,
            order,
            key,
            created_at,
            id,
        })
    }
}

/// A page of a listing, and where the next one starts if any task follows it.
pub struct Listing {
    pub page: TaskPage,
    pub next: Option<Cursor>,
}

/// A value bound to a query being built.
enum Bind {
    User(UserId),
    Text(String),
    Int(i64),
    Bool(bool),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    Id(Uuid),
}

/// A query's text and its values, `$1`, `$2`… in the order added.
#[derive(Default)]
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    /// Adds a value; returns its placeholder.
    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }
}

/// Binds each of `$sql`'s values to `$query`, in order.
macro_rules! bind_all {
    ($query:expr, $sql:expr) => {{
        let mut query = $query;
        for value in &$sql.binds {
            query = match value {
                Bind::User(id) => query.bind(*id),
                Bind::Text(text) => query.bind(text.as_str()),
                Bind::Int(n) => query.bind(*n),
                Bind::Bool(b) => query.bind(*b),
                Bind::Date(date) => query.bind(*date),
                Bind::Time(at) => query.bind(*at),
                Bind::Id(id) => query.bind(TaskId(*id)),
            };
        }
        query
    }};
}

/// The words of a search, letters and digits only (everything else separates words).
fn search_words(q: &str) -> Vec<&str> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// ` and …` for every filter of `query`, on the owner's tasks. For a page (`page` true),
/// SQLite is told not to reach for a filter's index unless that index is also the order's:
/// a page wants the index that gives its order, read until the page is full, where a range
/// of due dates or a set of priorities would have it collect every match and sort them.
/// PostgreSQL weighs this from its statistics.
fn filters(sql: &mut Sql, db: &Db, query: &TaskQuery, today: NaiveDate, page: bool) -> String {
    let sqlite = db.is_sqlite();
    let unindexed = |column: &str, sort: Sort| {
        if page && sqlite && query.sort != sort {
            format!("+{column}")
        } else {
            column.to_string()
        }
    };
    let due = unindexed("due_date", Sort::Due);
    let mut text = String::new();
    if let Some(completed) = query.status.completed() {
        text += &format!(" and is_completed = {}", sql.bind(Bind::Bool(completed)));
    }
    if query.overdue {
        let f = sql.bind(Bind::Bool(false));
        let t = sql.bind(Bind::Date(today));
        text += &format!(" and is_completed = {f} and {due} < {t}");
    }
    if !query.priorities.is_empty() && query.priorities.len() < Priority::ALL.len() {
        // One priority is an equality, which its index serves in the created order too.
        let priority = if query.priorities.len() == 1 {
            "priority".to_string()
        } else {
            unindexed("priority", Sort::Priority)
        };
        let ranks: Vec<String> = query
            .priorities
            .iter()
            .map(|p| sql.bind(Bind::Int(i64::from(p.rank()))))
            .collect();
        text += &format!(" and {priority} in ({})", ranks.join(", "));
    }
    for tag in &query.tags {
        let tag = sql.bind(Bind::Text(tag.clone()));
        text += &format!(
            " and exists (select 1 from task_tags where task_tags.task_id = tasks.id and task_tags.tag = {tag})"
        );
    }
    if let Some(date) = query.due_after {
        text += &format!(" and {due} >= {}", sql.bind(Bind::Date(date)));
    }
    if let Some(date) = query.due_before {
        text += &format!(" and {due} <= {}", sql.bind(Bind::Date(date)));
    }
    if let Some(q) = &query.q {
        let words = search_words(q);
        if words.is_empty() {
            // Nothing searchable (punctuation only): nothing matches.
            text += " and 1 = 0";
        } else {
            // Every word quoted, the last one a prefix, all of them required.
            let expression = |quote: &str, prefix: &str, and: &str| {
                let last = words.len() - 1;
                let terms: Vec<String> = words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| {
                        format!("{quote}{w}{quote}{}", if i == last { prefix } else { "" })
                    })
                    .collect();
                Bind::Text(terms.join(and))
            };
            if db.is_sqlite() {
                let expr = sql.bind(expression("\"", "*", " "));
                text += &format!(
                        " and tasks.rowid in (select rowid from tasks_search where tasks_search match {expr})"
                    );
            } else {
                let expr = sql.bind(expression("'", ":*", " & "));
                text += &format!(" and search @@ to_tsquery('simple', {expr})");
            }
        }
    }
    text
}

/// The column a sort reads.
fn sort_column(sort: Sort) -> &'static str {
    match sort {
        Sort::Created => "created_at",
        Sort::Updated => "updated_at",
        Sort::Due => "due_date",
        Sort::Priority => "priority",
        Sort::Title => "title_key",
    }
}

/// One stretch of a sorted list: the rows a condition keeps, in an order an index gives.
struct Part {
    condition: String,
    order: String,
}

/// The stretches that make up the list after `after` (or all of it), in order. Each is a
/// plain range of one index, so a deep page seeks where a single "after the cursor" condition
/// over mixed directions would walk from the start; tasks without a due date come last.
fn parts(sql: &mut Sql, sort: Sort, order: Order, after: Option<&Cursor>) -> Vec<Part> {
    const TIES: &str = "created_at desc, id desc";
    let column = sort_column(sort);
    let (dir, beyond) = match order {
        Order::Asc => ("asc", ">"),
        Order::Desc => ("desc", "<"),
    };
    let whole = format!("{column} {dir}, {TIES}");
    let part = |condition: String, order: &str| Part {
        condition,
        order: order.to_string(),
    };
    let Some(after) = after else {
        return if sort == Sort::Due {
            vec![
                part(" and due_date is not null".into(), &whole),
                part(" and due_date is null".into(), TIES),
            ]
        } else {
            vec![part(String::new(), &whole)]
        };
    };
    let ties_after = {
        let at = sql.bind(Bind::Time(after.created_at));
        let id = sql.bind(Bind::Id(after.id));
        format!(" and (created_at, id) < ({at}, {id})")
    };
    let value = || match &after.key {
        SortKey::Created => Some(Bind::Time(after.created_at)),
        SortKey::Updated(at) => Some(Bind::Time(*at)),
        SortKey::Due(None) => None,
        SortKey::Due(Some(date)) => Some(Bind::Date(*date)),
        SortKey::Priority(rank) => Some(Bind::Int(i64::from(*rank))),
        SortKey::Title(key) => Some(Bind::Text(key.clone())),
    };
    let (Some(same), Some(past)) = (value(), value()) else {
        // After a task without a due date: only such tasks follow.
        return vec![part(format!(" and due_date is null{ties_after}"), TIES)];
    };
    let (same, past) = (sql.bind(same), sql.bind(past));
    let mut parts = vec![
        part(format!(" and {column} = {same}{ties_after}"), TIES),
        part(format!(" and {column} {beyond} {past}"), &whole),
    ];
    if sort == Sort::Due {
        parts.push(part(" and due_date is null".into(), TIES));
    }
    parts
}

/// Rows of the owner's list: `limit` after skipping `offset`, from just after `after`.
async fn rows(
    db: &Db,
    owner: UserId,
    query: &TaskQuery,
    today: NaiveDate,
    after: Option<&Cursor>,
    limit: u32,
    offset: u64,
) -> Result<Vec<TaskRow>, AppError> {
    let (sort, order) = (query.sort, query.order());
    let mut sql = Sql::default();
    let user = sql.bind(Bind::User(owner));
    let parts = parts(&mut sql, sort, order, after);
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    let limit = i64::from(limit);
    let select = |sql: &mut Sql, part: &Part, extra: &str| {
        let filters = filters(sql, db, query, today, true);
        format!(
            "select {COLUMNS}{extra} from tasks where user_id = {user}{filters}{} order by {}",
            part.condition, part.order
        )
    };
    if let [part] = parts.as_slice() {
        let text = select(&mut sql, part, "");
        let (l, o) = (sql.bind(Bind::Int(limit)), sql.bind(Bind::Int(offset)));
        sql.text = format!("{text} limit {l} offset {o}");
    } else {
        // Each stretch gives at most what the page could need; the union keeps them in turn.
        let reach = limit.saturating_add(offset);
        let column = sort_column(sort);
        let branches: Vec<String> = parts
            .iter()
            .enumerate()
            .map(|(i, part)| {
                let extra = format!(", {i} as part_no, {column} as sort_key");
                let text = select(&mut sql, part, &extra);
                let reach = sql.bind(Bind::Int(reach));
                format!("select * from ({text} limit {reach}) as part{i}")
            })
            .collect();
        let (l, o) = (sql.bind(Bind::Int(limit)), sql.bind(Bind::Int(offset)));
        sql.text = format!(
            "{} order by part_no, sort_key {}, created_at desc, id desc limit {l} offset {o}",
            branches.join(" union all "),
            order.as_str()
        );
    }
    let rows = with_reader!(db, |pool| {
        bind_all!(sqlx::query_as::<_, TaskRow>(&sql.text), sql)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows)
}

/// How many of the owner's tasks `query` keeps: from the counts the database keeps when only
/// the status narrows the list; otherwise counted, and the count kept until the owner's tasks
/// next change (their `version`, read with the counts), so paging through a filtered list
/// counts it once rather than on every page.
async fn total(
    db: &Db,
    owner: UserId,
    query: &TaskQuery,
    today: NaiveDate,
    stamp: Stamped,
) -> Result<u64, AppError> {
    if !query.narrows() {
        return Ok(stamp.counts.matching(query.status));
    }
    let key = totals::key(owner, query, today);
    if let Some(total) = totals::get(&key, &stamp) {
        return Ok(total);
    }
    let mut sql = Sql::default();
    let user = sql.bind(Bind::User(owner));
    let filters = filters(&mut sql, db, query, today, false);
    sql.text = format!("select count(*) from tasks where user_id = {user}{filters}");
    let count: i64 = with_reader!(db, |pool| {
        bind_all!(sqlx::query_scalar::<_, i64>(&sql.text), sql)
            .fetch_one(pool)
            .await
    })?;
    let total = count.max(0) as u64;
    totals::put(key, stamp, total);
    Ok(total)
}

/// The owner's counts and the version of their tasks they were read at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamped {
    counts: TaskCounts,
    version: i64,
}

async fn counts_stamped(db: &Db, owner: UserId) -> Result<Stamped, AppError> {
    let row: Option<(i64, i64, i64)> = with_reader!(db, |pool| {
        sqlx::query_as("select total, completed, version from task_counts where user_id = $1")
            .bind(owner)
            .fetch_optional(pool)
            .await
    })?;
    let (total, completed, version) = row.unwrap_or_default();
    Ok(Stamped {
        counts: TaskCounts {
            active: (total - completed).max(0) as u64,
            completed: completed.max(0) as u64,
        },
        version,
    })
}

/// Counts of filtered lists, each valid for the version of the owner's tasks it was taken
/// at. In this process only, bounded in bytes; another instance counts for itself, and a
/// change anywhere moves the version every instance reads.
mod totals {
    use std::{
        collections::HashMap,
        sync::{Mutex, OnceLock},
    };

    use chrono::NaiveDate;

    use super::{Stamped, TaskQuery, UserId};

    /// More than this held and the map starts afresh: a few thousand filtered lists (a
    /// valid query is at most a few kilobytes: its limits come before it is counted).
    const MAX_BYTES: usize = 4 << 20;

    /// The filters alone (the order does not change a count), and today when it matters.
    #[derive(Clone, Debug, PartialEq, Eq, Hash)]
    pub(super) struct Key {
        owner: UserId,
        filters: TaskQuery,
        today: Option<NaiveDate>,
    }

    impl Key {
        /// What the entry holds, roughly: the key, its texts and the value.
        fn bytes(&self) -> usize {
            std::mem::size_of::<(Key, Stamped, u64)>()
                + self.filters.q.as_ref().map_or(0, String::capacity)
                + self
                    .filters
                    .tags
                    .iter()
                    .map(String::capacity)
                    .sum::<usize>()
                + self.filters.priorities.capacity()
        }
    }

    #[derive(Default)]
    struct Totals {
        map: HashMap<Key, (Stamped, u64)>,
        bytes: usize,
    }

    fn totals() -> &'static Mutex<Totals> {
        static TOTALS: OnceLock<Mutex<Totals>> = OnceLock::new();
        TOTALS.get_or_init(Default::default)
    }

    pub(super) fn key(owner: UserId, query: &TaskQuery, today: NaiveDate) -> Key {
        Key {
            owner,
            filters: TaskQuery {
                sort: Default::default(),
                order: None,
                ..query.clone()
            },
            today: query.overdue.then_some(today),
        }
    }

    pub(super) fn get(key: &Key, stamp: &Stamped) -> Option<u64> {
        let totals = totals().lock().ok()?;
        totals
            .map
            .get(key)
            .filter(|(at, _)| at == stamp)
            .map(|(_, total)| *total)
    }

    pub(super) fn put(key: Key, stamp: Stamped, total: u64) {
        let Ok(mut totals) = totals().lock() else {
            return;
        };
        let size = key.bytes();
        if totals.bytes + size > MAX_BYTES {
            totals.map.clear();
            totals.bytes = 0;
        }
        if totals.map.insert(key, (stamp, total)).is_none() {
            totals.bytes += size;
        }
    }

    /// How many bytes the map holds now, by [`Key::bytes`]'s reckoning.
    #[cfg(test)]
    pub(super) fn held_bytes() -> usize {
        totals().lock().map_or(0, |t| t.bytes)
    }

    #[cfg(test)]
    pub(super) const LIMIT: usize = MAX_BYTES;
}

/// A page of the owner's tasks as `query` filters and sorts them: `offset` tasks skipped
/// after `after` (or after the start), and how many tasks the query matches in all.
/// `today` (the user's) is what `overdue` reads against.
pub async fn list(
    db: &Db,
    owner: UserId,
    query: &TaskQuery,
    today: NaiveDate,
    after: Option<&Cursor>,
    limit: u32,
    offset: u64,
) -> Result<Listing, AppError> {
    let (sort, order) = (query.sort, query.order());
    // One task more than asked for says whether another page follows.
    let mut rows = rows(
        db,
        owner,
        query,
        today,
        after,
        limit.saturating_add(1),
        offset,
    )
    .await?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|row| Cursor::after(row, sort, order))
    } else {
        None
    };
    let stamp = counts_stamped(db, owner).await?;
    let total = total(db, owner, query, today, stamp).await?;
    Ok(Listing {
        page: TaskPage {
            tasks: rows.into_iter().map(Task::from).collect(),
            total,
            limit,
            offset,
        },
        next,
    })
}

/// The task page's view of the owner's tasks: page `page` (1-based, clamped to the pages
/// there are) of the list `query` gives, the counts and the owner's tags.
pub async fn board(
    db: &Db,
    owner: UserId,
    query: &TaskQuery,
    today: NaiveDate,
    page: u32,
) -> Result<TaskBoard, AppError> {
    // One read of the counts serves the footer and the filtered totals.
    let stamp = counts_stamped(db, owner).await?;
    let matching = total(db, owner, query, today, stamp).await?;
    let in_state = |status| matching_in(db, owner, query, today, stamp, matching, status);
    let matching_counts = TaskCounts {
        active: in_state(Filter::Active).await?,
        completed: in_state(Filter::Completed).await?,
    };
    let page_count = matching.div_ceil(u64::from(PAGE_SIZE)).max(1) as u32;
    let page_number = page.clamp(1, page_count);
    let offset = u64::from(page_number - 1) * u64::from(PAGE_SIZE);
    let rows = rows(db, owner, query, today, None, PAGE_SIZE, offset).await?;
    Ok(TaskBoard {
        page: TaskPage {
            tasks: rows.into_iter().map(Task::from).collect(),
            total: matching,
            limit: PAGE_SIZE,
            offset,
        },
        counts: stamp.counts,
        matching: matching_counts,
        page_number,
        page_count,
        today,
        tags: tags(db, owner).await?,
    })
}

/// How many of the `matching` tasks `query` selects are in `status`'s state.
async fn matching_in(
    db: &Db,
    owner: UserId,
    query: &TaskQuery,
    today: NaiveDate,
    stamp: Stamped,
    matching: u64,
    status: Filter,
) -> Result<u64, AppError> {
    if query.status == status {
        return Ok(matching);
    }
    if query.status != Filter::All {
        // The list keeps only the other state.
        return Ok(0);
    }
    let narrowed = TaskQuery {
        status,
        ..query.clone()
    };
    total(db, owner, &narrowed, today, stamp).await
}

/// The owner's tags and how many tasks carry each, most used first, then by name.
pub async fn tags(db: &Db, owner: UserId) -> Result<Vec<TagCount>, AppError> {
    let rows: Vec<(String, i64)> = with_reader!(db, |pool| {
        sqlx::query_as(
            "select tag, count(*) as uses from task_tags where user_id = $1
             group by tag order by uses desc, tag asc",
        )
        .bind(owner)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(name, count)| TagCount {
            name,
            count: count.max(0) as u64,
        })
        .collect())
}

/// The owner's counts, kept up to date by triggers on `tasks` (migration 0003).
pub async fn counts(db: &Db, owner: UserId) -> Result<TaskCounts, AppError> {
    Ok(counts_stamped(db, owner).await?.counts)
}

pub async fn get(db: &Db, owner: UserId, id: TaskId) -> Result<Task, AppError> {
    let sql = format!("select {COLUMNS} from tasks where id = $1 and user_id = $2");
    let row = with_reader!(db, |pool| {
        sqlx::query_as::<_, TaskRow>(&sql)
            .bind(id)
            .bind(owner)
            .fetch_optional(pool)
            .await
    })?;
    row.map(Task::from).ok_or_else(not_found)
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
    write_expected!(db, owner, id, expect, |tx| {
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
    })
}

/// The change each of these rows' tasks underwent, and how many there are.
fn counted(rows: Vec<TaskRow>, change: fn(&Task) -> Change) -> (u64, Vec<Change>) {
    let changes: Vec<Change> = rows
        .into_iter()
        .map(|row| change(&Task::from(row)))
        .collect();
    (changes.len() as u64, changes)
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
    write_expected!(db, owner, id, expect, |tx| {
        let rows = sqlx::query_as::<_, TaskRow>(&sql)
            .bind(completed)
            .bind(db::now())
            .bind(id)
            .bind(owner)
            .fetch_all(&mut *tx)
            .await?;
        updated(rows)
    })
}

pub async fn delete(db: &Db, owner: UserId, id: TaskId, expect: &Expect) -> Result<(), AppError> {
    write_expected!(db, owner, id, expect, |tx| {
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
    })
}

/// How long a deletion from the task page can be undone. The page offers "Undo" for a few
/// seconds; the server keeps what it took a while longer, for a slow click or a slow network.
pub const UNDO_WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// Which of the owner's tasks a deletion from the page takes.
#[derive(Clone, Copy, Debug)]
pub enum Removal<'a> {
    Task(TaskId),
    /// The completed tasks among those the list `query` selects (all its pages), `today`
    /// being the user's.
    Completed(&'a TaskQuery, NaiveDate),
}

/// Deletes the owner's tasks that `removal` names and keeps a copy of each, whole, for
/// [`restore`] during [`UNDO_WINDOW`]; copies older than that are pruned on the way. Each
/// transaction takes at most [`BULK_CHUNK`] tasks, and every task it takes is kept (or none
/// is taken); the chunks of one removal share its batch, so one undo puts them all back.
pub async fn remove(db: &Db, owner: UserId, removal: Removal<'_>) -> Result<Removed, AppError> {
    let now = db::now();
    let batch = Uuid::now_v7();
    let mut keep = Sql::default();
    let (b, at, user) = (
        keep.bind(Bind::Id(batch)),
        keep.bind(Bind::Time(now)),
        keep.bind(Bind::User(owner)),
    );
    let which = match removal {
        Removal::Task(id) => format!("id = {}", keep.bind(Bind::Id(id.as_uuid()))),
        Removal::Completed(query, today) => {
            let done = keep.bind(Bind::Bool(true));
            let filters = filters(&mut keep, db, query, today, false);
            format!("is_completed = {done}{filters} limit {BULK_CHUNK}")
        }
    };
    keep.text = format!(
        "insert into deleted_tasks (batch, deleted_at, {COLUMNS})
         select {b}, {at}, {COLUMNS} from tasks where user_id = {user} and {which}"
    );
    // Only what was kept is taken: on PostgreSQL a task completed in between stays. Tasks
    // an earlier chunk took are gone already.
    let take = "delete from tasks
                where user_id = $1 and id in (select id from deleted_tasks where batch = $2)
                returning id, title";
    // Whatever the number taken, what is held is bounded: a page of ids and one title.
    let mut removed = Removed {
        batch,
        ..Removed::default()
    };
    loop {
        let chunk: Vec<(TaskId, String)> = write_recorded!(db, owner, |tx| {
            if removed.count == 0 {
                sqlx::query(&format!(
                    "delete from deleted_tasks where (batch, id) in
                         (select batch, id from deleted_tasks where deleted_at < $1 limit {PRUNE_CHUNK})"
                ))
                .bind(now - UNDO_WINDOW)
                .execute(&mut *tx)
                .await?;
            }
            bind_all!(sqlx::query(&keep.text), keep)
                .execute(&mut *tx)
                .await?;
            let chunk: Vec<(TaskId, String)> = sqlx::query_as(take)
                .bind(owner)
                .bind(batch)
                .fetch_all(&mut *tx)
                .await?;
            let changes = chunk
                .iter()
                .map(|(id, _)| Change::deleted(id.as_uuid()))
                .collect();
            (chunk, changes)
        })?;
        let more = matches!(removal, Removal::Completed(..)) && chunk.len() == BULK_CHUNK;
        let before = removed.count;
        removed.count += chunk.len() as u64;
        removed.title = match (before, chunk.as_slice()) {
            (0, [(_, title)]) => Some(title.clone()),
            _ => None,
        };
        let room = Removed::IDS_KEPT.saturating_sub(removed.ids.len());
        removed
            .ids
            .extend(chunk.into_iter().take(room).map(|(id, _)| id.as_uuid()));
        if !more {
            break;
        }
    }
    if removed.count == 0 && matches!(removal, Removal::Task(_)) {
        return Err(not_found());
    }
    Ok(removed)
}

/// Puts back what the owner's deletion `batch` took, exactly as it was (ids, fields and
/// timestamps), [`INSERT_CHUNK`] tasks a transaction; 404 once it is older than
/// [`UNDO_WINDOW`], already undone, or not theirs.
pub async fn restore(db: &Db, owner: UserId, batch: Uuid) -> Result<u64, AppError> {
    // A chunk is a range of the batch's ids, so each is put back and forgotten once.
    let next_ids = format!(
        "select id from deleted_tasks where batch = $1 and user_id = $2 and deleted_at >= $3
         order by id limit {INSERT_CHUNK}"
    );
    let put_back = format!(
        "insert into tasks ({COLUMNS})
         select {COLUMNS} from deleted_tasks
         where batch = $1 and user_id = $2 and deleted_at >= $3 and id >= $4 and id <= $5
         on conflict (id) do nothing returning {COLUMNS}"
    );
    let forget =
        "delete from deleted_tasks where batch = $1 and user_id = $2 and id >= $3 and id <= $4";
    // One window for the whole undo: it is put back whole even if the window closes during it.
    let since = db::now() - UNDO_WINDOW;
    let mut restored = 0;
    loop {
        let (count, more) = write_recorded!(db, owner, |tx| {
            let ids: Vec<TaskId> = sqlx::query_scalar(&next_ids)
                .bind(batch)
                .bind(owner)
                .bind(since)
                .fetch_all(&mut *tx)
                .await?;
            // Putting back counts toward the quota like adding.
            let held = tasks_held!(tx, db, owner);
            let allowed = within_quota(db, held, ids.len());
            match (ids.first(), ids.last(), allowed) {
                (_, _, Err(refused)) => ((Err(refused), false), Vec::new()),
                (Some(first), Some(last), Ok(())) => {
                    let rows = sqlx::query_as::<_, TaskRow>(&put_back)
                        .bind(batch)
                        .bind(owner)
                        .bind(since)
                        .bind(first)
                        .bind(last)
                        .fetch_all(&mut *tx)
                        .await?;
                    sqlx::query(forget)
                        .bind(batch)
                        .bind(owner)
                        .bind(first)
                        .bind(last)
                        .execute(&mut *tx)
                        .await?;
                    let (count, changes) = counted(rows, Change::created);
                    ((Ok(count), ids.len() == INSERT_CHUNK), changes)
                }
                _ => ((Ok(0), false), Vec::new()),
            }
        })?;
        restored += count?;
        if !more {
            break;
        }
    }
    if restored == 0 {
        return Err(AppError::NotFound(
            "This deletion can no longer be undone.".into(),
        ));
    }
    Ok(restored)
}

/// Every task of the owner, oldest first (an export).
pub async fn all_oldest_first(db: &Db, owner: UserId) -> Result<Vec<Task>, AppError> {
    let sql =
        format!("select {COLUMNS} from tasks where user_id = $1 order by created_at asc, id asc");
    let rows = with_reader!(db, |pool| {
        sqlx::query_as::<_, TaskRow>(&sql)
            .bind(owner)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows.into_iter().map(Task::from).collect())
}

/// Stores checked tasks as the owner's, with new ids: all or nothing, in transactions of
/// [`INSERT_CHUNK`] tasks each, so that a large import holds SQLite's one write turn for a few
/// milliseconds at a time, never for the whole import. The import has a row in `imports`
/// while it runs and its tasks carry its id; if any step fails, the tasks already in are
/// taken back out ([`take_back`], and [`take_back_unfinished`] for an instance that stopped
/// half-way). The quota is checked by every chunk, for the whole of what is left.
pub async fn insert_many(
    db: &Db,
    owner: UserId,
    tasks: &[crate::transfer::ValidTask],
) -> Result<(), AppError> {
    if tasks.is_empty() {
        return Ok(());
    }
    let batch = Uuid::now_v7();
    let outcome = insert_in_chunks(db, owner, batch, tasks).await;
    if outcome.is_err() {
        if let Err(error) = take_back(db, owner, batch).await {
            tracing::warn!(%error, "a failed import could not be taken back yet; housekeeping will");
        }
    }
    outcome
}

async fn insert_in_chunks(
    db: &Db,
    owner: UserId,
    batch: Uuid,
    tasks: &[crate::transfer::ValidTask],
) -> Result<(), AppError> {
    use chrono::{DurationRound as _, TimeDelta};
    let micros = |t: DateTime<Utc>| t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t);
    let sql = format!(
        "insert into tasks (id, user_id, title, description, is_completed, created_at,
                            updated_at, due_date, priority, tags, title_key, import_batch)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning {COLUMNS}"
    );
    let mut done = 0;
    for chunk in tasks.chunks(INSERT_CHUNK) {
        write_recorded!(db, owner, |tx| {
            let started = if done == 0 {
                sqlx::query("insert into imports (id, user_id, started_at) values ($1, $2, $3)")
                    .bind(batch)
                    .bind(owner)
                    .bind(db::now())
                    .execute(&mut *tx)
                    .await?;
                true
            } else {
                // Still running: housekeeping takes back an import that ran for too long.
                sqlx::query_scalar::<_, i64>("select count(*) from imports where id = $1")
                    .bind(batch)
                    .fetch_one(&mut *tx)
                    .await?
                    == 1
            };
            // What the owner held before this import, and the whole import: the quota's
            // message names the same figures whichever chunk finds it exceeded.
            let held = tasks_held!(tx, db, owner).map(|held| held - done as i64);
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
            for task in chunk {
                let rows = sqlx::query_as::<_, TaskRow>(&sql)
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
                    .fetch_all(&mut *tx)
                    .await?;
                changes.extend(counted(rows, Change::created).1);
            }
            (allowed, changes)
        })??;
        done += chunk.len();
    }
    end_import(db, owner, batch).await
}

/// Deletes the tasks that the unfinished import `batch` brought in, [`INSERT_CHUNK`] a
/// transaction (each announced as deleted), then the import's row.
async fn take_back(db: &Db, owner: UserId, batch: Uuid) -> Result<(), AppError> {
    let take = format!(
        "delete from tasks where id in
             (select id from tasks where import_batch = $1 and user_id = $2 limit {INSERT_CHUNK})
         returning id"
    );
    loop {
        let taken = write_recorded!(db, owner, |tx| {
            let ids: Vec<TaskId> = sqlx::query_scalar(&take)
                .bind(batch)
                .bind(owner)
                .fetch_all(&mut *tx)
                .await?;
            let changes = ids.iter().map(|id| Change::deleted(id.as_uuid())).collect();
            (ids.len(), changes)
        })?;
        if taken < INSERT_CHUNK {
            break;
        }
    }
    end_import(db, owner, batch).await
}

/// Forgets the import `batch` (finished, or taken back).
async fn end_import(db: &Db, owner: UserId, batch: Uuid) -> Result<(), AppError> {
    write_recorded!(db, owner, |tx| {
        sqlx::query("delete from imports where id = $1")
            .bind(batch)
            .execute(&mut *tx)
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
    let stale: Vec<(Uuid, UserId)> = with_reader!(db, |pool| {
        sqlx::query_as("select id, user_id from imports where started_at < $1 limit 100")
            .bind(db::now() - UNFINISHED_IMPORT)
            .fetch_all(pool)
            .await
    })?;
    for (batch, owner) in &stale {
        take_back(db, *owner, *batch).await?;
    }
    Ok(stale.len())
}

/// Rows one transaction of a bulk change (marking all done, clearing completed, an undo)
/// takes at most: each holds SQLite's one write turn for a few milliseconds, so other users'
/// writes wait no longer than that, whatever the size of the whole change.
const BULK_CHUNK: usize = 200;

/// Tasks one transaction of an import (or of an undone deletion) inserts at most: an insert
/// costs more than an update (the search index, the tag and count triggers), so its chunks
/// are half as large, and a chunk still takes SQLite's write turn for only a few milliseconds.
const INSERT_CHUNK: usize = 100;

/// Expired undo rows one bulk action prunes on its way, at most: whatever is left goes with
/// the next one, so no action pays for a large past one in a single transaction.
const PRUNE_CHUNK: usize = 1000;

/// Marks every task the list `query` selects (all its pages; `today` is the user's) done,
/// or not done, [`BULK_CHUNK`] tasks a transaction, and notes which changed, so that
/// [`unmark`] can put them back during [`UNDO_WINDOW`].
pub async fn set_all_completed(
    db: &Db,
    owner: UserId,
    completed: bool,
    query: &TaskQuery,
    today: NaiveDate,
) -> Result<Marked, AppError> {
    let batch = Uuid::now_v7();
    let marked_at = db::now();
    let mut note = Sql::default();
    let (b, user, state, at) = (
        note.bind(Bind::Id(batch)),
        note.bind(Bind::User(owner)),
        note.bind(Bind::Bool(completed)),
        note.bind(Bind::Time(marked_at)),
    );
    let filters = filters(&mut note, db, query, today, false);
    note.text = format!(
        "insert into marked_tasks (batch, task_id, user_id, completed, marked_at)
         select {b}, id, user_id, {state}, {at} from tasks
         where user_id = {user} and is_completed <> {state}{filters}
           and not exists (select 1 from marked_tasks m where m.batch = {b} and m.task_id = tasks.id)
         limit {BULK_CHUNK}"
    );
    // What this chunk noted: the batch's tasks not yet in the new state.
    let change = format!(
        "update tasks set is_completed = $1, updated_at = $2
         where user_id = $3 and is_completed <> $1
           and id in (select task_id from marked_tasks where batch = $4)
         returning {COLUMNS}"
    );
    let mut count = 0;
    loop {
        let (changed, more) = write_recorded!(db, owner, |tx| {
            if count == 0 {
                sqlx::query(&format!(
                    "delete from marked_tasks where (batch, task_id) in
                         (select batch, task_id from marked_tasks where marked_at < $1 limit {PRUNE_CHUNK})"
                ))
                .bind(marked_at - UNDO_WINDOW)
                .execute(&mut *tx)
                .await?;
            }
            let noted = bind_all!(sqlx::query(&note.text), note)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let rows = sqlx::query_as::<_, TaskRow>(&change)
                .bind(completed)
                .bind(db::now())
                .bind(owner)
                .bind(batch)
                .fetch_all(&mut *tx)
                .await?;
            let (changed, changes) = counted(rows, Change::updated);
            ((changed, noted == BULK_CHUNK as u64), changes)
        })?;
        count += changed;
        if !more {
            return Ok(Marked {
                batch,
                count,
                completed,
            });
        }
    }
}

/// Puts back what the owner's "mark all" `batch` changed: each of its tasks still in the
/// state it was given goes back to the other, [`BULK_CHUNK`] tasks a transaction; 404 once
/// it is older than [`UNDO_WINDOW`], already undone, or not theirs. Returns how many.
pub async fn unmark(db: &Db, owner: UserId, batch: Uuid) -> Result<u64, AppError> {
    let next_ids = format!(
        "select task_id, completed from marked_tasks
         where batch = $1 and user_id = $2 and marked_at >= $3
         order by task_id limit {BULK_CHUNK}"
    );
    let flip = format!(
        "update tasks set is_completed = $1, updated_at = $2
         where user_id = $3 and is_completed <> $1 and id in
             (select task_id from marked_tasks
              where batch = $4 and task_id >= $5 and task_id <= $6)
         returning {COLUMNS}"
    );
    let forget =
        "delete from marked_tasks where batch = $1 and user_id = $2 and task_id >= $3 and task_id <= $4";
    let (mut found, mut restored) = (false, 0);
    let since = db::now() - UNDO_WINDOW;
    loop {
        let (count, more) = write_recorded!(db, owner, |tx| {
            let noted: Vec<(TaskId, bool)> = sqlx::query_as(&next_ids)
                .bind(batch)
                .bind(owner)
                .bind(since)
                .fetch_all(&mut *tx)
                .await?;
            match (noted.first(), noted.last()) {
                (Some((first, marked)), Some((last, _))) => {
                    let rows = sqlx::query_as::<_, TaskRow>(&flip)
                        .bind(!marked)
                        .bind(db::now())
                        .bind(owner)
                        .bind(batch)
                        .bind(first)
                        .bind(last)
                        .fetch_all(&mut *tx)
                        .await?;
                    sqlx::query(forget)
                        .bind(batch)
                        .bind(owner)
                        .bind(first)
                        .bind(last)
                        .execute(&mut *tx)
                        .await?;
                    let (count, changes) = counted(rows, Change::updated);
                    ((Some(count), noted.len() == BULK_CHUNK), changes)
                }
                _ => ((None, false), Vec::new()),
            }
        })?;
        if let Some(count) = count {
            found = true;
            restored += count;
        }
        if !more {
            break;
        }
    }
    if !found {
        return Err(AppError::NotFound(
            "This change can no longer be undone.".into(),
        ));
    }
    Ok(restored)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(sort: Sort, order: Order, key: SortKey) -> Cursor {
        Cursor {
            sort,
            order,
            key,
            created_at: DateTime::from_timestamp_micros(1_767_693_600_123_456).unwrap(),
            id: Uuid::now_v7(),
        }
    }

    #[test]
    fn every_kind_of_cursor_round_trips_and_is_url_safe() {
        let at = DateTime::from_timestamp_micros(1_767_000_000_000_001).unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        for c in [
            cursor(Sort::Created, Order::Desc, SortKey::Created),
            cursor(Sort::Created, Order::Asc, SortKey::Created),
            cursor(Sort::Updated, Order::Desc, SortKey::Updated(at)),
            cursor(Sort::Due, Order::Asc, SortKey::Due(None)),
            cursor(Sort::Due, Order::Desc, SortKey::Due(Some(date))),
            cursor(Sort::Priority, Order::Asc, SortKey::Priority(3)),
            cursor(
                Sort::Title,
                Order::Desc,
                SortKey::Title("élan vital 日本".into()),
            ),
        ] {
            let text = c.encode();
            assert!(text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            assert_eq!(Cursor::decode(&text), Some(c));
        }
    }

    #[test]
    fn the_default_orders_cursor_is_the_one_from_before_sorts() {
        let c = cursor(Sort::Created, Order::Desc, SortKey::Created);
        assert_eq!(URL_SAFE_NO_PAD.decode(c.encode()).unwrap().len(), 24);
    }

    #[test]
    fn a_cursor_that_was_not_written_by_encode_is_refused() {
        let good = cursor(Sort::Created, Order::Desc, SortKey::Created).encode();
        assert_eq!(Cursor::decode(""), None);
        assert_eq!(Cursor::decode("not a cursor!"), None);
        assert_eq!(Cursor::decode(&good[..good.len() - 2]), None);
        assert_eq!(Cursor::decode(&format!("{good}AA")), None);
        // The largest timestamp chrono cannot represent.
        let far = URL_SAFE_NO_PAD.encode([[0x7f; 8].as_slice(), &[0; 16]].concat());
        assert_eq!(Cursor::decode(&far), None);
        // A priority out of range, a sort that does not exist, a date that is not one.
        let tail = URL_SAFE_NO_PAD.decode(&good).unwrap();
        for head in [vec![3 << 1, 9], vec![5 << 1], vec![2 << 1, 1, b'x']] {
            let forged = URL_SAFE_NO_PAD.encode([head, tail.clone()].concat());
            assert_eq!(Cursor::decode(&forged), None);
        }
    }

    #[test]
    fn the_totals_cache_stays_within_its_bytes() {
        let stamp = Stamped {
            counts: TaskCounts::default(),
            version: 1,
        };
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        for i in 0..20_000 {
            let query = TaskQuery {
                q: Some(format!("{i}{}", "x".repeat(190))),
                tags: (0..10).map(|t| format!("{t}{}", "t".repeat(30))).collect(),
                ..TaskQuery::default()
            };
            totals::put(totals::key(UserId(Uuid::now_v7()), &query, today), stamp, 1);
            assert!(totals::held_bytes() <= totals::LIMIT);
        }
        let query = TaskQuery {
            q: Some("milk".into()),
            ..TaskQuery::default()
        };
        let key = totals::key(UserId(Uuid::now_v7()), &query, today);
        totals::put(key.clone(), stamp, 7);
        assert_eq!(totals::get(&key, &stamp), Some(7));
    }

    #[test]
    fn titles_sort_without_accents_or_case() {
        assert_eq!(title_key("Água Fría"), "agua fria");
        assert_eq!(title_key("ÉCOLE"), "ecole");
        assert_eq!(title_key("日本 Straße"), "日本 straße");
        assert!(title_key("Água") < title_key("buy"));
    }

    #[test]
    fn search_words_are_letters_and_digits() {
        assert_eq!(
            search_words("milk, \"bread\" OR café*"),
            ["milk", "bread", "OR", "café"]
        );
        assert!(search_words("*** ' \"").is_empty());
    }
}

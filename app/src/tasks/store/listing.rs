//! Reading the owner's tasks: a page of a filtered, sorted list with its totals, the task
//! page's board, one task, the tags and the counts, every task (an export).

use chrono::NaiveDate;

use super::{
    access,
    cursor::{Cursor, Listing},
    rows::{not_found, Ranked, TaskRow, COLUMNS},
    sql::{filters, parts, sort_column, Bind, Part, Sql},
    totals::{self, counts_stamped, Stamped},
};
use crate::{
    db::Db,
    error::AppError,
    ids::{ListId, TaskId, UserId},
    tasks::{Filter, TagCount, Task, TaskBoard, TaskCounts, TaskPage, TaskQuery, PAGE_SIZE},
};

/// Rows of the owner's list: `limit` after skipping `offset`, from just after `after`.
#[allow(clippy::too_many_arguments)]
async fn rows(
    db: &Db,
    owner: UserId,
    query: &TaskQuery,
    (stamp, shared): (&Stamped, &[ListId]),
    today: NaiveDate,
    after: Option<&Cursor>,
    limit: u32,
    offset: u64,
) -> Result<Vec<TaskRow>, AppError> {
    let (sort, order) = (query.sort, query.order());
    let mut sql = Sql::default();
    let scopes = scopes(&mut sql, db, owner, query, stamp, shared);
    let parts = parts(&mut sql, sort, order, after);
    // The limits are written into the statement, not bound: PostgreSQL then plans it once
    // per connection (a bound limit made it plan every listing anew, a third of its cost).
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    let limit = i64::from(limit);
    let select = |sql: &mut Sql, columns: &str, scope: &str, part: &Part, extra: &str| {
        let filters = filters(sql, db, query, today, true);
        format!(
            "select {columns}{extra} from tasks where {scope}{filters}{} order by {}",
            part.condition, part.order
        )
    };
    if let ([Scope::Where(scope)], [part]) = (scopes.as_slice(), parts.as_slice()) {
        let text = select(&mut sql, COLUMNS, scope, part, "");
        sql.text = format!("{text} limit {limit} offset {offset}");
        let rows = sql.read(db).all::<TaskRow>().await?;
        return Ok(rows);
    }
    // Each stretch of each range gives at most what the page could need, in its index's
    // order; the stretches are put in turn and the ranges of each merged. SQLite sorts the
    // union's keys itself (read from the indexes) and gives the page's rows only: each row it
    // gives crosses to its worker thread, the larger cost, and a sort of whole rows the next.
    // PostgreSQL gives every row of the union and they are put in order here (its sort of the
    // union cost more than sending the rows left out).
    let sorted_by_database = db.is_sqlite();
    let columns = if sorted_by_database {
        "id, created_at"
    } else {
        COLUMNS
    };
    let reach = limit.saturating_add(offset);
    let column = sort_column(sort);
    let mut branches = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        for scope in &scopes {
            let extra = format!(", cast({i} as integer) as part_no, {column} as sort_key");
            let branch = match scope {
                Scope::Where(scope) => {
                    let text = select(&mut sql, columns, scope, part, &extra);
                    format!("{text} limit {reach}")
                }
                // Each list's tasks in order, the lists one after the other (not in order).
                Scope::EachShared(me) => {
                    let each = select(&mut sql, columns, access::IN_EACH_SHARED, part, &extra);
                    access::each_shared(me, &format!("{each} limit {reach}"))
                }
            };
            let n = branches.len();
            branches.push(format!("select * from ({branch}) as part{n}"));
        }
    }
    sql.text = branches.join(" union all ");
    if sorted_by_database {
        let whole: Vec<String> = COLUMNS
            .split(',')
            .map(|c| format!("tasks.{}", c.trim()))
            .collect();
        sql.text = format!(
            "select {}, page.part_no from (select * from ({}) as merged
                 order by part_no, sort_key {}, created_at desc, id desc
                 limit {limit} offset {offset}) as page
             join tasks on tasks.id = page.id",
            whole.join(", "),
            sql.text,
            order.as_str()
        );
    }
    let mut ranked = sql.read(db).all::<Ranked>().await?;
    // SQLite's page comes in no particular order after the join.
    ranked.sort_unstable_by(Ranked::order(sort, order));
    let skip = match sorted_by_database {
        true => 0,
        false => usize::try_from(offset).unwrap_or(usize::MAX),
    };
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    Ok(ranked
        .into_iter()
        .skip(skip)
        .take(take)
        .map(|ranked| ranked.row)
        .collect())
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
    let scope = scope(&mut sql, owner, query, &stamp);
    let filters = filters(&mut sql, db, query, today, false);
    sql.text = format!("select count(*) from tasks where {scope}{filters}");
    let count: i64 = sql.read(db).scalar().await?;
    let total = count.max(0) as u64;
    totals::put(key, stamp, total);
    Ok(total)
}

/// Which tasks one branch of a listing reads.
enum Scope {
    /// Those a condition on `tasks` keeps.
    Where(String),
    /// Those of each list shared with the user bound here, read list by list (PostgreSQL).
    EachShared(String),
}

/// [`scope`] as ranges that each read in the order of an index: the tasks of `me`'s own
/// lists (one range of the owner's indexes), and apart those of each list shared with them,
/// each the page's length at most in the order of its list's index (`tasks_by_list` for the
/// created order), so that a page of everything they can see merges short ordered reads
/// rather than sorting every task of every shared list. PostgreSQL reads the shared lists one
/// by one in the same statement (`lateral`); SQLite, which cannot, is given them as a branch
/// each (`shared`, read with the counts; each branch still checks the membership). Beyond
/// [`totals::SHARED_APART`] shared lists, SQLite reads them as one range, sorted whole.
fn scopes(
    sql: &mut Sql,
    db: &Db,
    me: UserId,
    query: &TaskQuery,
    stamp: &Stamped,
    shared: &[ListId],
) -> Vec<Scope> {
    if query.list.is_some() || !stamp.shared_with_me {
        return vec![Scope::Where(scope(sql, me, query, stamp))];
    }
    let me = sql.bind(Bind::User(me));
    let mut scopes = vec![Scope::Where(format!("user_id = {me}"))];
    if !db.is_sqlite() {
        scopes.push(Scope::EachShared(me));
    } else if shared.is_empty() {
        scopes.push(Scope::Where(access::shared_with(&me)));
    } else {
        for list in shared {
            let list = sql.bind(Bind::List(*list));
            let condition = format!("tasks.list_id = {list} and {}", access::shared_with(&me));
            scopes.push(Scope::Where(condition));
        }
    }
    scopes
}

/// Which tasks a listing of `me`'s reads, before its filters: those of every list they are
/// a member of (one list's, when the filters name one). When they are a member of no one
/// else's list, that is every task they own: one range of the owner's indexes, each in the
/// order of a sort.
fn scope(sql: &mut Sql, me: UserId, query: &TaskQuery, stamp: &Stamped) -> String {
    let me = sql.bind(Bind::User(me));
    if query.list.is_some() || stamp.shared_with_me {
        access::readable(&me)
    } else {
        format!("user_id = {me}")
    }
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
    let (stamp, shared) = counts_stamped(db, owner, query).await?;
    // One task more than asked for says whether another page follows.
    let mut rows = rows(
        db,
        owner,
        query,
        (&stamp, &shared),
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
    zone: &str,
    page: u32,
) -> Result<TaskBoard, AppError> {
    let today = super::today_in(zone);
    // One read of the counts serves the footer and the filtered totals.
    let (stamp, shared) = counts_stamped(db, owner, query).await?;
    let matching = total(db, owner, query, today, stamp).await?;
    let in_state = |status| matching_in(db, owner, query, today, stamp, matching, status);
    let matching_counts = TaskCounts {
        active: in_state(Filter::Active).await?,
        completed: in_state(Filter::Completed).await?,
    };
    let page_count = matching.div_ceil(u64::from(PAGE_SIZE)).max(1) as u32;
    let page_number = page.clamp(1, page_count);
    let offset = u64::from(page_number - 1) * u64::from(PAGE_SIZE);
    let rows = rows(
        db,
        owner,
        query,
        (&stamp, &shared),
        today,
        None,
        PAGE_SIZE,
        offset,
    )
    .await?;
    let tasks: Vec<Task> = rows.into_iter().map(Task::from).collect();
    let sharing = super::sharing::of_page(db, owner, &stamp, &tasks, query.list).await?;
    let changeable =
        super::sharing::changeable(db, owner, query, today, &stamp, matching_counts).await?;
    let reminders = tasks
        .iter()
        .filter_map(|t| Some((t.id, super::occurrence::local_time(zone, t.remind_at?))))
        .collect();
    Ok(TaskBoard {
        page: TaskPage {
            tasks,
            total: matching,
            limit: PAGE_SIZE,
            offset,
        },
        counts: stamp.counts,
        matching: matching_counts,
        changeable,
        page_number,
        page_count,
        today,
        tags: tags(db, owner).await?,
        sharing,
        reminders,
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

/// The tags of the tasks `owner` can see (their own lists', and those of the lists shared
/// with them), and how many tasks carry each, most used first, then by name.
pub async fn tags(db: &Db, owner: UserId) -> Result<Vec<TagCount>, AppError> {
    let rows: Vec<(String, i64)> = db
        .read(
            "select tag, count(*) as uses from (
                 select tag from task_tags where user_id = $1
                 union all
                 select task_tags.tag from task_tags join tasks on tasks.id = task_tags.task_id
                 where tasks.list_id in (select list_id from list_members
                                         where user_id = $1 and role <> 'owner')
             ) as visible
             group by tag order by uses desc, tag asc",
        )
        .bind(owner)
        .all()
        .await?;
    Ok(rows
        .into_iter()
        .map(|(name, count)| TagCount {
            name,
            count: count.max(0) as u64,
        })
        .collect())
}

/// The task `id`, if `me` may read it.
pub async fn get(db: &Db, me: UserId, id: TaskId) -> Result<Task, AppError> {
    let sql = format!(
        "select {COLUMNS} from tasks where id = $1 and {}",
        access::readable("$2")
    );
    let row = db.read(sql).bind(id).bind(me).optional::<TaskRow>().await?;
    row.map(Task::from).ok_or_else(not_found)
}

/// Every task of the owner, oldest first (an export).
pub async fn all_oldest_first(db: &Db, owner: UserId) -> Result<Vec<Task>, AppError> {
    let sql =
        format!("select {COLUMNS} from tasks where user_id = $1 order by created_at asc, id asc");
    let rows = db.read(sql).bind(owner).all::<TaskRow>().await?;
    Ok(rows.into_iter().map(Task::from).collect())
}

//! What the task page needs to know about a page of tasks beyond the tasks: which of their
//! lists the user may only read (no edit controls there), and the names of the other
//! accounts that added some of them ("added by"), and the name of the list shown. Small
//! reads, only when the page needs them: a user whose lists are all their own, who added
//! every task and looks at all of them reads nothing.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use uuid::Uuid;

use super::{
    access,
    sql::{filters, Bind, Sql},
    totals::Stamped,
};
use crate::{
    db::Db,
    error::AppError,
    ids::{ListId, UserId},
    tasks::{lists::Role, Author, Filter, PageSharing, Task, TaskCounts, TaskQuery},
};

/// Of the `matching` tasks `query` selects, those in lists `me` may change: what "mark all"
/// and "clear completed" act on. All of them, unless every list is shown and `me` is a
/// viewer of some: then less those lists' (from their counts; counted under filters).
pub(super) async fn changeable(
    db: &Db,
    me: UserId,
    query: &TaskQuery,
    today: NaiveDate,
    stamp: &Stamped,
    matching: TaskCounts,
) -> Result<TaskCounts, AppError> {
    if query.list.is_some() || !stamp.shared_with_me {
        return Ok(matching);
    }
    let mut sql = Sql::default();
    let me = sql.bind(Bind::User(me));
    sql.text = if query.narrows() {
        let filters = filters(&mut sql, db, query, today, false);
        format!(
            "select cast(coalesce(sum(case when is_completed then 0 else 1 end), 0) as bigint),
                    cast(coalesce(sum(case when is_completed then 1 else 0 end), 0) as bigint)
             from tasks where {}{filters}",
            access::only_readable(&me)
        )
    } else {
        format!(
            "select cast(coalesce(sum(lists.total - lists.completed), 0) as bigint),
                    cast(coalesce(sum(lists.completed), 0) as bigint)
             from lists join list_members on list_members.list_id = lists.id
             where list_members.user_id = {me} and not {}",
            access::writes("list_members.role")
        )
    };
    let (active, completed): (i64, i64) = sql.read(db).one::<(i64, i64)>().await?;
    // The filters keep one state at most, as `matching` does.
    let keeps = |state| query.status == Filter::All || query.status == state;
    let viewed = |count: i64, state| if keeps(state) { count.max(0) as u64 } else { 0 };
    Ok(TaskCounts {
        active: matching
            .active
            .saturating_sub(viewed(active, Filter::Active)),
        completed: matching
            .completed
            .saturating_sub(viewed(completed, Filter::Completed)),
    })
}

/// The read-only lists and the other authors among `tasks` (a page of them) and `shown`
/// (the list the page shows, if one, with its name).
pub(super) async fn of_page(
    db: &Db,
    me: UserId,
    stamp: &Stamped,
    tasks: &[Task],
    shown: Option<Uuid>,
) -> Result<PageSharing, AppError> {
    let mut sharing = PageSharing::default();
    if let Some(list) = shown {
        // One list shown: every task of the page is in it. Its name (the heading) and the
        // caller's role there in one read.
        let found: Option<(String, String)> = db
            .read(
                "select lists.name, list_members.role from lists join list_members
                   on list_members.list_id = lists.id and list_members.user_id = $1
                 where lists.id = $2",
            )
            .bind(me)
            .bind(ListId(list))
            .optional()
            .await?;
        if let Some((name, role)) = found {
            if Role::from_name(&role) == Some(Role::Viewer) {
                sharing.read_only.push(list);
            }
            sharing.shown_name = Some(name);
        }
    } else if stamp.shared_with_me {
        // Only a member of someone else's list can be a viewer anywhere.
        let lists: BTreeSet<Uuid> = tasks.iter().map(|t| t.list_id).collect();
        let mut sql = Sql::default();
        let me = sql.bind(Bind::User(me));
        let each: Vec<String> = lists
            .into_iter()
            .map(|l| sql.bind(Bind::List(ListId(l))))
            .collect();
        if !each.is_empty() {
            sql.text = format!(
                "select list_id from list_members
                 where user_id = {me} and role = 'viewer' and list_id in ({})",
                each.join(", ")
            );
            sharing.read_only = sql.read(db).scalars::<Uuid>().await?;
        }
    }
    let others: BTreeSet<Uuid> = tasks
        .iter()
        .map(|t| t.user_id)
        .filter(|author| *author != me.as_uuid())
        .collect();
    if !others.is_empty() {
        let mut sql = Sql::default();
        let me = sql.bind(Bind::User(me));
        let each: Vec<String> = others
            .into_iter()
            .map(|a| sql.bind(Bind::User(UserId(a))))
            .collect();
        sql.text = format!(
            "select id, name from users where id <> {me} and id in ({})",
            each.join(", ")
        );
        let found: Vec<(Uuid, String)> = sql.read(db).all::<(Uuid, String)>().await?;
        sharing.authors = found
            .into_iter()
            .map(|(id, name)| Author { id, name })
            .collect();
    }
    Ok(sharing)
}

//! What the task page needs to know about a page of tasks beyond the tasks: which of their
//! lists the user may only read (no edit controls there), and the names of the other
//! accounts that added some of them ("added by"). Two small reads, only when the page holds
//! such tasks: a user whose lists are all their own and who added every task reads nothing.

use std::collections::BTreeSet;

use uuid::Uuid;

use super::totals::Stamped;
use crate::{
    db::Db,
    error::AppError,
    ids::UserId,
    tasks::{Author, PageSharing, Task},
    with_reader,
};

/// `$2, $3, …` for `count` values after the caller's `$1`.
fn placeholders(count: usize) -> String {
    (2..count + 2)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The read-only lists and the other authors among `tasks` (a page of them) and `shown`
/// (the list the page shows, if one).
pub(super) async fn of_page(
    db: &Db,
    me: UserId,
    stamp: &Stamped,
    tasks: &[Task],
    shown: Option<Uuid>,
) -> Result<PageSharing, AppError> {
    let mut sharing = PageSharing::default();
    // Only a member of someone else's list can be a viewer anywhere (the stamp of one list's
    // listing does not say, so that list is looked at).
    if stamp.shared_with_me || shown.is_some() {
        let lists: BTreeSet<Uuid> = tasks.iter().map(|t| t.list_id).chain(shown).collect();
        let sql = format!(
            "select list_id from list_members
             where user_id = $1 and role = 'viewer' and list_id in ({})",
            placeholders(lists.len())
        );
        sharing.read_only = with_reader!(db, |pool| {
            let mut read = sqlx::query_scalar::<_, Uuid>(&sql).bind(me);
            for list in &lists {
                read = read.bind(*list);
            }
            read.fetch_all(pool).await
        })?;
    }
    let others: BTreeSet<Uuid> = tasks
        .iter()
        .map(|t| t.user_id)
        .filter(|author| *author != me.as_uuid())
        .collect();
    if !others.is_empty() {
        let sql = format!(
            "select id, name from users where id <> $1 and id in ({})",
            placeholders(others.len())
        );
        let found: Vec<(Uuid, String)> = with_reader!(db, |pool| {
            let mut read = sqlx::query_as::<_, (Uuid, String)>(&sql).bind(me);
            for author in &others {
                read = read.bind(*author);
            }
            read.fetch_all(pool).await
        })?;
        sharing.authors = found
            .into_iter()
            .map(|(id, name)| Author { id, name })
            .collect();
    }
    Ok(sharing)
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_follow_the_callers_own() {
        assert_eq!(super::placeholders(3), "$2, $3, $4");
        assert_eq!(super::placeholders(1), "$2");
    }
}

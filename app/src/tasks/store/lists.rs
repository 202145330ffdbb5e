//! Lists as their members see them, and the owner's changes to them: make, rename, delete.
//! Every read joins the caller's membership (so a list they are not a member of is not
//! there for them), and every change names the owner in its own statement.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{access::no_such_list, write::write_recorded};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::{ListId, UserId},
    tasks::{
        events::Change,
        lists::{List, ListName, Role, MAX_OWNED_LISTS},
        TaskCounts,
    },
};

/// A list and the caller's membership, `$1` being the caller: what every read selects from.
const FROM: &str = "from lists
     join list_members on list_members.list_id = lists.id and list_members.user_id = $1";

const COLUMNS: &str =
    "lists.id, lists.name, lists.owner_id, lists.is_inbox, list_members.role, lists.total,
     lists.completed, lists.created_at, lists.updated_at,
     (select count(*) from list_members as everyone where everyone.list_id = lists.id) as members";

#[derive(sqlx::FromRow)]
struct ListRow {
    id: ListId,
    name: String,
    owner_id: UserId,
    is_inbox: bool,
    role: String,
    total: i64,
    completed: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    members: i64,
}

impl From<ListRow> for List {
    fn from(row: ListRow) -> Self {
        Self {
            id: row.id.as_uuid(),
            name: row.name,
            owner_id: row.owner_id.as_uuid(),
            // Written as one of the three (the table checks it).
            role: Role::from_name(&row.role).unwrap_or(Role::Viewer),
            shared: row.members > 1,
            counts: TaskCounts {
                active: (row.total - row.completed).max(0) as u64,
                completed: row.completed.max(0) as u64,
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Every list `me` is a member of: their Inbox first, then by name.
pub async fn all(db: &Db, me: UserId) -> Result<Vec<List>, AppError> {
    let sql =
        format!("select {COLUMNS} {FROM} order by lists.is_inbox desc, lists.name_key, lists.id");
    let rows = db.read(&sql).bind(me).all::<ListRow>().await?;
    Ok(rows.into_iter().map(List::from).collect())
}

/// The lists `me` owns, their Inbox first, then by name: `(id, name, is_inbox)`.
pub async fn owned(db: &Db, me: UserId) -> Result<Vec<(ListId, String, bool)>, AppError> {
    let rows = db
        .read(
            "select id, name, is_inbox from lists where owner_id = $1
             order by is_inbox desc, name_key, id",
        )
        .bind(me)
        .all()
        .await?;
    Ok(rows)
}

/// The list `id`, if `me` is a member of it.
pub async fn get(db: &Db, me: UserId, id: ListId) -> Result<List, AppError> {
    Ok(get_with_inbox(db, me, id).await?.0)
}

/// The list `id`, if `me` is a member of it, and whether it is its owner's Inbox.
pub async fn get_with_inbox(db: &Db, me: UserId, id: ListId) -> Result<(List, bool), AppError> {
    let sql = format!("select {COLUMNS} {FROM} where lists.id = $2");
    let row = db
        .read(&sql)
        .bind(me)
        .bind(id)
        .optional::<ListRow>()
        .await?;
    let row = row.ok_or_else(no_such_list)?;
    let inbox = row.is_inbox;
    Ok((row.into(), inbox))
}

/// 409 for a name one of the owner's lists already has.
fn name_taken(error: sqlx::Error) -> AppError {
    match error {
        // A calendar app's chosen id (see [`create_with_id`]) that is taken.
        sqlx::Error::Database(e)
            if e.is_unique_violation()
                && (e.constraint() == Some("lists_pkey") || e.message().contains("lists.id")) =>
        {
            AppError::Conflict("There is a list at this address already.".into())
        }
        sqlx::Error::Database(e) if e.is_unique_violation() => AppError::Conflict(
            "You already have a list with this name (names are compared without case).".into(),
        ),
        e => e.into(),
    }
}

/// Makes a list owned by `me`: 409 when they own one of that name, 403 past
/// [`MAX_OWNED_LISTS`].
pub async fn create(db: &Db, me: UserId, name: &ListName) -> Result<List, AppError> {
    create_with_id(db, me, ListId(Uuid::now_v7()), name).await
}

/// [`create`] with the id a calendar app chose for it (CalDAV's `MKCALENDAR` names the new
/// collection's URL): 409 when that id is taken too.
pub async fn create_with_id(
    db: &Db,
    me: UserId,
    id: ListId,
    name: &ListName,
) -> Result<List, AppError> {
    let now = db::now();
    let select = format!("select {COLUMNS} {FROM} where lists.id = $2");
    let created = write_recorded!(db, |tx| {
        let owned: i64 = tx
            .sql("select count(*) from lists where owner_id = $1")
            .bind(me)
            .scalar()
            .await?;
        if owned as u64 >= MAX_OWNED_LISTS {
            (
                Err(AppError::Forbidden(format!(
                    "An account can own at most {MAX_OWNED_LISTS} lists: delete one first."
                ))),
                Vec::new(),
            )
        } else {
            tx.sql(
                "insert into lists (id, owner_id, name, name_key, created_at, updated_at)
                 values ($1, $2, $3, $4, $5, $5)",
            )
            .bind(id)
            .bind(me)
            .bind(name.as_str())
            .bind(name.key())
            .bind(now)
            .execute()
            .await?;
            let list: List = tx
                .sql(&select)
                .bind(me)
                .bind(id)
                .one::<ListRow>()
                .await?
                .into();
            let changes = vec![Change::list_updated(&list)];
            (Ok(list), changes)
        }
    });
    created.map_err(name_taken)?
}

/// Why the owner's change to list `id` changed nothing: `me` is no member (404) or not its
/// owner (403).
async fn refusal(db: &Db, me: UserId, id: ListId) -> AppError {
    match get(db, me, id).await {
        Ok(_) => AppError::Forbidden("Only the list's owner can do this.".into()),
        Err(error) => error,
    }
}

/// Renames list `id`, if `me` owns it: 409 when they own another of that name.
pub async fn rename(db: &Db, me: UserId, id: ListId, name: &ListName) -> Result<List, AppError> {
    let select = format!("select {COLUMNS} {FROM} where lists.id = $2");
    let renamed = write_recorded!(db, |tx| {
        let done = tx
            .sql(
                "update lists set name = $3, name_key = $4, updated_at = $5
             where id = $2 and owner_id = $1",
            )
            .bind(me)
            .bind(id)
            .bind(name.as_str())
            .bind(name.key())
            .bind(db::now())
            .execute()
            .await?;
        if done == 0 {
            (None, Vec::new())
        } else {
            let list: List = tx
                .sql(&select)
                .bind(me)
                .bind(id)
                .one::<ListRow>()
                .await?
                .into();
            let changes = vec![Change::list_updated(&list)];
            (Some(list), changes)
        }
    })
    .map_err(name_taken)?;
    match renamed {
        Some(list) => Ok(list),
        None => Err(refusal(db, me, id).await),
    }
}

/// Deletes list `id` and its tasks, if `me` owns it; 409 for the Inbox.
pub async fn delete(db: &Db, me: UserId, id: ListId) -> Result<(), AppError> {
    let deleted = write_recorded!(db, |tx| {
        // The owner's counts row before the list's, the order every write takes them in.
        tx.tasks_held(me).await?;
        // Its members hear that it went: read before they go with it.
        let members: Vec<UserId> = tx
            .sql(
                "select user_id from list_members where list_id = $2
             and exists (select 1 from lists where id = $2 and owner_id = $1)",
            )
            .bind(me)
            .bind(id)
            .scalars()
            .await?;
        let gone: Vec<(ListId, bool)> = tx
            .sql(
                "delete from lists where id = $2 and owner_id = $1 and not is_inbox
             returning id, is_inbox",
            )
            .bind(me)
            .bind(id)
            .all()
            .await?;
        let changes: Vec<Change> = gone
            .iter()
            .map(|(id, _)| Change::list_deleted(id.as_uuid(), members.clone()))
            .collect();
        (!changes.is_empty(), changes)
    })?;
    if deleted {
        return Ok(());
    }
    let list = get(db, me, id).await?;
    if list.role != Role::Owner {
        return Err(refusal(db, me, id).await);
    }
    Err(AppError::Conflict(
        "The Inbox cannot be deleted: it is where tasks go when no list is named.".into(),
    ))
}

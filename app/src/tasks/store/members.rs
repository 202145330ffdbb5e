//! A list's members: who they are, sharing the list with another account by e-mail (or
//! changing their role), and removing a member or leaving. Only the owner shares and
//! removes; each statement names the owner itself, so a list that changed hands or went
//! in between is refused rather than changed.

use super::{access::no_such_list, write::write_recorded};
use crate::{
    db::{self, Db},
    error::AppError,
    ids::{ListId, UserId},
    tasks::{
        events::Change,
        lists::{Member, Role, MAX_MEMBERS},
    },
};

const COLUMNS: &str = "users.id, users.email, users.name, list_members.role";

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: UserId,
    email: String,
    name: String,
    role: String,
}

impl From<MemberRow> for Member {
    fn from(row: MemberRow) -> Self {
        Self {
            user_id: row.id.as_uuid(),
            email: row.email,
            name: row.name,
            role: Role::from_name(&row.role).unwrap_or(Role::Viewer),
        }
    }
}

fn owner_only() -> AppError {
    AppError::Forbidden("Only the list's owner can share it or remove its members.".into())
}

/// The members of list `list`, its owner first, if `me` is one of them.
pub async fn all(db: &Db, me: UserId, list: ListId) -> Result<Vec<Member>, AppError> {
    let sql = format!(
        "select {COLUMNS} from list_members join users on users.id = list_members.user_id
         where list_members.list_id = $2
           and exists (select 1 from list_members as mine
                       where mine.list_id = $2 and mine.user_id = $1)
         order by list_members.role = 'owner' desc, users.name, users.email"
    );
    let rows = db.read(&sql).bind(me).bind(list).all::<MemberRow>().await?;
    if rows.is_empty() {
        return Err(no_such_list());
    }
    Ok(rows.into_iter().map(Member::from).collect())
}

/// What the owner's list is, as a share reads it.
#[derive(sqlx::FromRow)]
struct Shared {
    owner_id: UserId,
    is_inbox: bool,
    members: i64,
}

/// Shares list `list` of `me`'s with the account whose e-mail is `email` (already
/// lower-cased and trimmed), as `role` (editor or viewer); a member already gets that role.
pub async fn share(
    db: &Db,
    me: UserId,
    list: ListId,
    email: &str,
    role: Role,
) -> Result<Member, AppError> {
    let member_sql = format!(
        "select {COLUMNS} from list_members join users on users.id = list_members.user_id
         where list_members.list_id = $1 and list_members.user_id = $2"
    );
    let shared = write_recorded!(db, |tx| {
        let found: Option<Shared> = tx
            .sql(
                "select lists.owner_id, lists.is_inbox,
                    (select count(*) from list_members as everyone
                     where everyone.list_id = lists.id) as members
             from lists join list_members on list_members.list_id = lists.id
                                         and list_members.user_id = $1
             where lists.id = $2",
            )
            .bind(me)
            .bind(list)
            .optional()
            .await?;
        let whom: Option<UserId> = tx
            .sql("select id from users where email = $1")
            .bind(email)
            .scalar_optional()
            .await?;
        match may_share(found.as_ref(), whom, me) {
            Err(refused) => (Err(refused), Vec::new()),
            Ok(whom) => {
                let already: Option<String> = tx
                    .sql("select role from list_members where list_id = $1 and user_id = $2")
                    .bind(list)
                    .bind(whom)
                    .scalar_optional()
                    .await?;
                let full = found.is_some_and(|f| f.members as u64 >= MAX_MEMBERS);
                if already.is_none() && full {
                    (
                        Err(AppError::Forbidden(format!(
                            "A list can have at most {MAX_MEMBERS} members, its owner included."
                        ))),
                        Vec::new(),
                    )
                } else {
                    tx.sql(
                        "insert into list_members (list_id, user_id, role, added_at)
                         select $1, $2, $3, $4
                         where exists (select 1 from lists where id = $1 and owner_id = $5)
                         on conflict (list_id, user_id) do update set role = excluded.role",
                    )
                    .bind(list)
                    .bind(whom)
                    .bind(role.as_str())
                    .bind(db::now())
                    .bind(me)
                    .execute()
                    .await?;
                    let member: Member = tx
                        .sql(&member_sql)
                        .bind(list)
                        .bind(whom)
                        .one::<MemberRow>()
                        .await?
                        .into();
                    let changes = vec![Change::member_added(list, &member)];
                    (Ok(member), changes)
                }
            }
        }
    })?;
    shared
}

/// Whom the share names, if `me` may share `found` (the list as they see it) with them.
fn may_share(found: Option<&Shared>, whom: Option<UserId>, me: UserId) -> Result<UserId, AppError> {
    let list = found.ok_or_else(no_such_list)?;
    if list.owner_id != me {
        return Err(owner_only());
    }
    if list.is_inbox {
        return Err(AppError::Conflict(
            "The Inbox cannot be shared: make a list to share.".into(),
        ));
    }
    match whom {
        None => Err(AppError::NotFound(
            "No account has this e-mail address.".into(),
        )),
        Some(whom) if whom == me => Err(AppError::Conflict(
            "This list is yours already: share it with someone else.".into(),
        )),
        Some(whom) => Ok(whom),
    }
}

/// Removes `member` from list `list`: the owner removes anyone else, and any member but the
/// owner may leave (`member` is `me`).
pub async fn remove(db: &Db, me: UserId, list: ListId, member: UserId) -> Result<(), AppError> {
    let removed = write_recorded!(db, |tx| {
        let gone = tx
            .sql(
                "delete from list_members
             where list_id = $1 and user_id = $2 and role <> 'owner'
               and ($2 = $3 or exists (select 1 from lists where id = $1 and owner_id = $3))",
            )
            .bind(list)
            .bind(member)
            .bind(me)
            .execute()
            .await?;
        if gone == 0 {
            (false, Vec::new())
        } else {
            (true, vec![Change::member_removed(list, member)])
        }
    })?;
    if removed {
        return Ok(());
    }
    // Why not: someone who is no member finds no list; a member who is not the owner may
    // not remove others; the owner may not leave (they delete the list), and removes only
    // members.
    let members = all(db, me, list).await?;
    let mine = members.iter().find(|m| m.user_id == me.as_uuid());
    match mine.map(|m| m.role) {
        Some(Role::Owner) if member == me => Err(AppError::Forbidden(
            "The owner cannot leave their own list: delete it instead.".into(),
        )),
        Some(Role::Owner) => Err(AppError::NotFound(
            "This account is not a member of the list.".into(),
        )),
        _ => Err(owner_only()),
    }
}

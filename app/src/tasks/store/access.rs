//! Who may read and change which tasks: the access rule, in one place. A user reaches the
//! tasks of every list they are a member of (`list_members`, which holds each list's owner
//! too, made with the list); changing them takes the role owner or editor. Each condition
//! here goes into the very statement it guards, so no change between a check and a write
//! (a member removed, a role lowered) can slip between them.

use crate::{
    error::AppError,
    ids::{ListId, UserId},
    tasks::lists::Role,
};

/// The condition "the user whose id is bound at `me` may read the task" (of `tasks`).
pub(super) fn readable(me: &str) -> String {
    format!("tasks.list_id in (select list_id from list_members where user_id = {me})")
}

/// The condition "the task is in a list shared with the user bound at `me`" (a list they are
/// a member of but do not own): with `user_id = me`, what [`readable`] reaches, in two parts.
pub(super) fn shared_with(me: &str) -> String {
    format!(
        "tasks.list_id in (select list_id from list_members
                           where user_id = {me} and role <> 'owner')"
    )
}

/// The condition of [`each_shared`]'s `per_list` query: the task is in the list at hand.
pub(super) const IN_EACH_SHARED: &str = "tasks.list_id = shared.list_id";

/// The rows `per_list` (a query of `tasks` under [`IN_EACH_SHARED`]) gives for each list
/// shared with the user bound at `me`, one list at a time (PostgreSQL's `lateral`): what
/// [`shared_with`] reaches, each list read in the order of its own index.
pub(super) fn each_shared(me: &str, per_list: &str) -> String {
    format!(
        "select in_list.* from list_members as shared cross join lateral ({per_list}) as in_list
         where shared.user_id = {me} and shared.role <> 'owner'"
    )
}

/// The condition "the task is in a list the user bound at `me` may only read" (of `tasks`).
pub(super) fn only_readable(me: &str) -> String {
    format!(
        "tasks.list_id in (select list_id from list_members
                           where user_id = {me} and not {})",
        writes("role")
    )
}

/// The roles that may change a list's tasks, as SQL: `{column} in (...)`.
pub(super) fn writes(column: &str) -> String {
    format!("{column} in ('owner', 'editor')")
}

/// The condition "the user whose id is bound at `me` may change the task" (of `tasks`).
pub(super) fn writable(me: &str) -> String {
    format!(
        "tasks.list_id in (select list_id from list_members
                           where user_id = {me} and {})",
        writes("role")
    )
}

/// The condition "the user bound at `me` may change the list bound at `list`".
pub(super) fn list_writable(list: &str, me: &str) -> String {
    format!(
        "exists (select 1 from list_members
                 where list_id = {list} and user_id = {me} and {})",
        writes("role")
    )
}

/// The list a task goes into, as its writer sees it: `$2` or, when null, `$1`'s Inbox.
pub(super) const TARGET: &str = "select lists.id, lists.owner_id, list_members.role
     from lists join list_members on list_members.list_id = lists.id and list_members.user_id = $1
     where lists.id = coalesce($2, (select inbox.id from lists as inbox
                                    where inbox.owner_id = $1 and inbox.is_inbox))";

/// The list `$1` files a task in by name (quick add's `+list`): `$2` is the name as typed,
/// lower-cased, and `$3` the same with `_` as spaces. Their own list first, should a list
/// shared with them have the same name.
pub(super) const TARGET_NAMED: &str = "select lists.id, lists.owner_id, list_members.role
     from lists join list_members on list_members.list_id = lists.id and list_members.user_id = $1
     where lists.name_key in ($2, $3)
     order by lists.owner_id = $1 desc, lists.name_key = $2 desc
     limit 1";

/// What `+name` in a quick-add line gets when no list of the user's has that name.
pub(super) fn no_list_named(name: &str) -> AppError {
    AppError::invalid_field(crate::error::FieldError::body(
        "title",
        "value_error.list",
        format!("No list of yours is named “{name}”: make it first, or leave out “+{name}”."),
    ))
}

/// A list a write goes into: whose it is, and the writer's role there.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target {
    pub(super) id: ListId,
    pub(super) owner: UserId,
}

/// The target the row of [`TARGET`] names, if the writer may write there: 404 when they
/// are no member (or it does not exist), 403 for a viewer.
pub(super) fn target(row: Option<(ListId, UserId, String)>) -> Result<Target, AppError> {
    match row {
        None => Err(no_such_list()),
        Some((id, owner, role)) => match Role::from_name(&role) {
            Some(role) if role.writes() => Ok(Target { id, owner }),
            _ => Err(read_only()),
        },
    }
}

pub(super) fn no_such_list() -> AppError {
    AppError::NotFound("There is no such list.".into())
}

/// What a viewer hears when they try to change a task.
pub(super) fn read_only() -> AppError {
    AppError::Forbidden(
        "You can read this list but not change it: its owner shared it with you as a viewer."
            .into(),
    )
}

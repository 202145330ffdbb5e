//! Server functions for the list pages: make, rename, share, remove a member or leave, and
//! delete. As plain form posts (no JavaScript) they answer with a redirect: to the list
//! made, to the list's page with what was done (`?done=…`), or to the tasks once the list is
//! gone for the caller; a refusal comes back to the form it came from.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{List, Member};
use crate::error::AppError;

/// A list's page: the list, its members (owner first) and who is asking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListDetails {
    pub list: List,
    pub members: Vec<Member>,
    pub me: Uuid,
    /// Whether it is its owner's Inbox (never shared nor deleted).
    pub inbox: bool,
}

/// The page of list `id`, as the caller sees it (404 when they are not a member).
#[server(prefix = "/rpc", endpoint = "lists/details")]
pub async fn load_list(id: Uuid) -> Result<ListDetails, AppError> {
    crate::tasks::api::as_caller(|state, me, _| async move {
        let (list, inbox) =
            crate::tasks::store::lists::get_with_inbox(&state.db, me, id.into()).await?;
        let members = crate::tasks::store::members::all(&state.db, me, id.into()).await?;
        Ok(ListDetails {
            list,
            members,
            me: me.as_uuid(),
            inbox,
        })
    })
    .await
}

/// The page of list `id`, with what was just done.
pub fn list_page(id: Uuid, done: &str) -> String {
    format!("/lists/{id}?done={done}")
}

/// The tasks of list `id`.
pub fn list_tasks(id: Uuid) -> String {
    format!("/tasks?list={id}")
}

#[cfg(feature = "ssr")]
fn after_plain_post(to: &str) {
    if crate::error::is_plain_form_post() {
        leptos_axum::redirect(to);
    }
}

/// Shares list `list` of `me`'s with the account whose e-mail is `email`, as `role`
/// (`editor` or `viewer`): what the API and the page both do. Counted against
/// [`SHARES_PER_HOUR`] whatever the outcome, once the request reads well: a lookup of an
/// unknown address costs an attempt too.
#[cfg(feature = "ssr")]
pub async fn share(
    identity: &crate::auth::extract::Identity,
    me: crate::ids::UserId,
    list: crate::ids::ListId,
    email: &str,
    role: &str,
) -> Result<Member, AppError> {
    use super::{Role, SHARES_PER_HOUR};
    use crate::error::FieldError;
    let email = crate::auth::Email::parse(email);
    let role = match Role::from_name(role.trim()) {
        Some(role @ (Role::Editor | Role::Viewer)) => Ok(role),
        _ => Err(FieldError::body(
            "role",
            "value_error.role",
            "role must be editor or viewer.",
        )),
    };
    let (email, role) = match (email, role) {
        (Ok(email), Ok(role)) => (email, role),
        (email, role) => {
            return Err(AppError::validation(
                [email.err(), role.err()].into_iter().flatten().collect(),
            ))
        }
    };
    let _attempt = identity
        .throttle
        .start_share(&identity.db, me.as_uuid(), SHARES_PER_HOUR)
        .await?;
    crate::tasks::store::members::share(&identity.db, me, list, email.as_str(), role).await
}

/// Makes a list of the caller's; a plain post goes on to its tasks.
#[server(prefix = "/rpc", endpoint = "lists/create")]
pub async fn create_list(name: String) -> Result<List, AppError> {
    crate::tasks::api::as_caller(|state, me, _| async move {
        let name = super::ListName::parse(&name).map_err(AppError::invalid_field)?;
        let list = crate::tasks::store::lists::create(&state.db, me, &name).await?;
        after_plain_post(&list_tasks(list.id));
        Ok(list)
    })
    .await
}

/// Renames list `id` (its owner only).
#[server(prefix = "/rpc", endpoint = "lists/rename")]
pub async fn rename_list(id: Uuid, name: String) -> Result<List, AppError> {
    crate::tasks::api::as_caller(|state, me, _| async move {
        let name = super::ListName::parse(&name).map_err(AppError::invalid_field)?;
        let list = crate::tasks::store::lists::rename(&state.db, me, id.into(), &name).await?;
        after_plain_post(&list_page(id, "renamed"));
        Ok(list)
    })
    .await
}

/// Shares list `id` with the account whose e-mail is `email`, as `role`, or changes the role
/// of a member (its owner only; counted against the hourly share limit).
#[server(prefix = "/rpc", endpoint = "lists/share")]
pub async fn share_list(id: Uuid, email: String, role: String) -> Result<Member, AppError> {
    crate::tasks::api::as_caller(|state, me, _| async move {
        let member = share(&state, me, id.into(), &email, &role).await?;
        after_plain_post(&list_page(id, "shared"));
        Ok(member)
    })
    .await
}

/// Removes `member` from list `id` (its owner removes others), or leaves it (`member` is the
/// caller): then the list is no longer theirs to see, and a plain post goes to the tasks.
/// Answers whether the caller left.
#[server(prefix = "/rpc", endpoint = "lists/remove-member")]
pub async fn remove_member(id: Uuid, member: Uuid) -> Result<bool, AppError> {
    crate::tasks::api::as_caller(|state, me, _| async move {
        crate::tasks::store::members::remove(&state.db, me, id.into(), member.into()).await?;
        let left = member == me.as_uuid();
        if left {
            after_plain_post("/tasks");
        } else {
            after_plain_post(&list_page(id, "removed"));
        }
        Ok(left)
    })
    .await
}

/// Deletes list `id` and its tasks, for every member (its owner only, never the Inbox). The
/// form says so with a box to tick: without `confirmed` nothing is deleted.
#[server(prefix = "/rpc", endpoint = "lists/delete")]
pub async fn delete_list(id: Uuid, confirmed: Option<String>) -> Result<(), AppError> {
    crate::tasks::api::as_caller(|state, me, _| async move {
        if confirmed.is_none() {
            return Err(AppError::invalid_field(crate::error::FieldError::body(
                "confirmed",
                "value_error.missing",
                "Tick the box to say the list and its tasks may go.",
            )));
        }
        crate::tasks::store::lists::delete(&state.db, me, id.into()).await?;
        after_plain_post("/tasks");
        Ok(())
    })
    .await
}

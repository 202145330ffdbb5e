//! `/api/{user_id}/lists`: the caller's lists, own and shared, and the owner's changes to
//! them. Thin adapters over `app::tasks::store::lists`; the path's user must be the caller
//! (403), and a list they are not a member of is indistinguishable from a missing one (404).

use crate::state::AppState;
use app::{
    error::AppError,
    ids::{ListId, UserId},
    tasks::{
        lists::{List, ListName, Member},
        store::{self, lists},
    },
};
use axum::{
    extract::{FromRequestParts, State},
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::IntoResponse,
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    json::AppJson,
    responses::{
        Invalid, ListConflict, NoSuchList, NoSuchListOrAccount, NotAllowed, NotYours,
        SharingConflict, StorageFull, TooLarge, TooMany, Unauthorized, Unavailable,
    },
    task_access::{own_path_ids, Owner},
};

const USER_ID: &str = "The caller's own id (the token's `sub`); anyone else's is 403.";

/// Every list you are a member of.
#[derive(Serialize, ToSchema)]
pub struct ListsResponse {
    /// Your Inbox first, then by name.
    pub lists: Vec<List>,
}

/// The body of a create and a rename.
#[derive(Deserialize, ToSchema)]
pub struct ListRequest {
    /// Trimmed, 1 to 100 characters; unique among your lists, compared without case.
    #[schema(example = "Groceries")]
    pub name: String,
}

impl ListRequest {
    fn name(&self) -> Result<ListName, AppError> {
        ListName::parse(&self.name).map_err(AppError::invalid_field)
    }
}

/// The caller and the `{list_id}` they ask about.
pub struct MemberList {
    pub me: UserId,
    pub list: ListId,
}

impl FromRequestParts<AppState> for MemberList {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ([me, list], _) = own_path_ids(parts, state, ["user_id", "list_id"]).await?;
        Ok(Self {
            me: UserId(me),
            list: ListId(list),
        })
    }
}

/// List your lists: your own and those shared with you.
#[utoipa::path(
    get, path = "/{user_id}/lists", tag = "lists",
    params(("user_id" = Uuid, Path, description = USER_ID)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your lists", body = ListsResponse),
        Unauthorized, NotYours, Invalid, Unavailable,
    )
)]
pub async fn all(
    State(state): State<AppState>,
    Owner(me, ..): Owner,
) -> Result<Json<ListsResponse>, AppError> {
    Ok(Json(ListsResponse {
        lists: lists::all(&state.db, me).await?,
    }))
}

/// Make a list.
#[utoipa::path(
    post, path = "/{user_id}/lists", tag = "lists",
    params(("user_id" = Uuid, Path, description = USER_ID)),
    request_body = ListRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = List,
            headers(("Location" = String, description = "The new list's URL"))),
        Unauthorized, NotYours, ListConflict, TooLarge, Invalid, Unavailable, StorageFull,
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Owner(me, ..): Owner,
    AppJson(body): AppJson<ListRequest>,
) -> Result<impl IntoResponse, AppError> {
    let list = lists::create(&state.db, me, &body.name()?).await?;
    let location = HeaderValue::from_str(&format!("/api/{me}/lists/{}", list.id))
        .map_err(|_| AppError::Internal)?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(list),
    ))
}

/// Read one list.
#[utoipa::path(
    get, path = "/{user_id}/lists/{list_id}", tag = "lists",
    params(("user_id" = Uuid, Path, description = USER_ID), ("list_id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The list", body = List),
        Unauthorized, NotYours, NoSuchList, Invalid, Unavailable,
    )
)]
pub async fn get(State(state): State<AppState>, path: MemberList) -> Result<Json<List>, AppError> {
    Ok(Json(lists::get(&state.db, path.me, path.list).await?))
}

/// Rename a list (its owner only).
#[utoipa::path(
    patch, path = "/{user_id}/lists/{list_id}", tag = "lists",
    params(("user_id" = Uuid, Path, description = USER_ID), ("list_id" = Uuid, Path)),
    request_body = ListRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Renamed", body = List),
        Unauthorized, NotAllowed, NoSuchList, ListConflict, TooLarge, Invalid, Unavailable,
        StorageFull,
    )
)]
pub async fn rename(
    State(state): State<AppState>,
    path: MemberList,
    AppJson(body): AppJson<ListRequest>,
) -> Result<Json<List>, AppError> {
    let name = body.name()?;
    Ok(Json(
        lists::rename(&state.db, path.me, path.list, &name).await?,
    ))
}

/// Delete a list and its tasks, for every member (its owner only; not the Inbox).
#[utoipa::path(
    delete, path = "/{user_id}/lists/{list_id}", tag = "lists",
    params(("user_id" = Uuid, Path, description = USER_ID), ("list_id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted, with its tasks"),
        Unauthorized, NotAllowed, NoSuchList, ListConflict, Invalid, Unavailable, StorageFull,
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    path: MemberList,
) -> Result<StatusCode, AppError> {
    lists::delete(&state.db, path.me, path.list).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A list's members.
#[derive(Serialize, ToSchema)]
pub struct MembersResponse {
    /// The owner first, then by name.
    pub members: Vec<Member>,
}

/// Who to share the list with, and as what.
#[derive(Deserialize, ToSchema)]
pub struct ShareRequest {
    /// The account's e-mail address (compared without case).
    #[schema(example = "sam@example.com")]
    pub email: String,
    /// `editor` (may change the list's tasks) or `viewer` (may read them).
    #[schema(example = "editor")]
    pub role: String,
}

#[utoipa::path(
    get, path = "/{user_id}/lists/{list_id}/members", tag = "lists",
    params(("user_id" = Uuid, Path, description = USER_ID), ("list_id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its members", body = MembersResponse),
        Unauthorized, NotYours, NoSuchList, Invalid, Unavailable,
    )
)]
pub async fn members(
    State(state): State<AppState>,
    path: MemberList,
) -> Result<Json<MembersResponse>, AppError> {
    Ok(Json(MembersResponse {
        members: store::members::all(&state.db, path.me, path.list).await?,
    }))
}

/// Share a list (its owner only) with an account, by e-mail, as editor or viewer; for a
/// member already, this sets their role. At most 30 attempts an hour per account.
#[utoipa::path(
    put, path = "/{user_id}/lists/{list_id}/members", tag = "lists",
    params(("user_id" = Uuid, Path, description = USER_ID), ("list_id" = Uuid, Path)),
    request_body = ShareRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The member, added or with their new role", body = Member),
        Unauthorized, NotAllowed, NoSuchListOrAccount, SharingConflict, TooLarge, Invalid,
        TooMany, Unavailable, StorageFull,
    )
)]
pub async fn share(
    State(state): State<AppState>,
    path: MemberList,
    AppJson(body): AppJson<ShareRequest>,
) -> Result<Json<Member>, AppError> {
    let member = app::tasks::lists::api::share(
        &state.identity(),
        path.me,
        path.list,
        &body.email,
        &body.role,
    )
    .await?;
    Ok(Json(member))
}

/// Remove a member from a list (its owner), or leave it (`member_id` is yours).
#[utoipa::path(
    delete, path = "/{user_id}/lists/{list_id}/members/{member_id}", tag = "lists",
    params(("user_id" = Uuid, Path, description = USER_ID), ("list_id" = Uuid, Path),
        ("member_id" = Uuid, Path, description = "The member's user id; yours to leave.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed (or left)"),
        Unauthorized, NotAllowed, NoSuchList, Invalid, Unavailable, StorageFull,
    )
)]
pub async fn remove_member(
    State(state): State<AppState>,
    path: ListMember,
) -> Result<StatusCode, AppError> {
    store::members::remove(&state.db, path.me, path.list, path.member).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller, the `{list_id}` and the `{member_id}` they ask about.
pub struct ListMember {
    pub me: UserId,
    pub list: ListId,
    pub member: UserId,
}

impl FromRequestParts<AppState> for ListMember {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ([me, list, member], _) =
            own_path_ids(parts, state, ["user_id", "list_id", "member_id"]).await?;
        Ok(Self {
            me: UserId(me),
            list: ListId(list),
            member: UserId(member),
        })
    }
}

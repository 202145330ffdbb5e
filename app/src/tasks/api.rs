//! Server functions for the task page: thin adapters over `tasks::server`, each acting for
//! the logged-in user only. As plain form posts they answer with a redirect back to the page
//! (its filter and page kept in the URL); edits and deletes name that page in a hidden `next`
//! field, checked by `safe_next`, so leaving edit mode needs no guessing from `Referer`.

use leptos::prelude::*;
use uuid::Uuid;

use super::{Filter, Task, TaskBoard};
use crate::error::AppError;

/// Runs a server function's body for the logged-in user (401 otherwise) with the shared
/// state, and answers its error with the error's own status.
#[cfg(feature = "ssr")]
async fn as_caller<T, F>(
    body: impl FnOnce(crate::state::AppState, crate::ids::UserId) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    crate::error::respond(async {
        let state = crate::state::AppState::from_context()?;
        let auth =
            crate::auth::extract::in_server_fn::<crate::auth::extract::AuthUser, _>(&state).await?;
        body(state, auth.id()).await
    })
    .await
}

/// After a plain form post, go to `next` (a path on this site); the hydrated app stays put.
#[cfg(feature = "ssr")]
fn redirect_to(next: Option<&str>) {
    if next.is_some() && crate::error::is_plain_form_post() {
        leptos_axum::redirect(&crate::auth::safe_next(next));
    }
}

#[server(prefix = "/rpc", endpoint = "tasks/board")]
pub async fn load_board(filter: Filter, page: u32) -> Result<TaskBoard, AppError> {
    as_caller(
        |state, owner| async move { super::server::board(&state.db, owner, filter, page).await },
    )
    .await
}

#[server(prefix = "/rpc", endpoint = "tasks/add")]
pub async fn add_task(title: String, description: Option<String>) -> Result<Task, AppError> {
    let input = super::TaskInput::parse(&title, description.as_deref());
    as_caller(|state, owner| async move { super::server::create(&state.db, owner, &input?).await })
        .await
}

#[server(prefix = "/rpc", endpoint = "tasks/complete")]
pub async fn set_task_completed(id: Uuid, completed: bool) -> Result<Task, AppError> {
    as_caller(|state, owner| async move {
        super::server::set_completed(&state.db, owner, id.into(), completed).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "tasks/edit")]
pub async fn edit_task(
    id: Uuid,
    title: String,
    description: Option<String>,
    next: Option<String>,
) -> Result<Task, AppError> {
    let input = super::TaskInput::parse(&title, description.as_deref());
    as_caller(|state, owner| async move {
        let task = super::server::update(&state.db, owner, id.into(), &input?).await?;
        redirect_to(next.as_deref());
        Ok(task)
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "tasks/delete")]
pub async fn delete_task(id: Uuid, next: Option<String>) -> Result<(), AppError> {
    as_caller(|state, owner| async move {
        super::server::delete(&state.db, owner, id.into()).await?;
        redirect_to(next.as_deref());
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "tasks/complete-all")]
pub async fn set_all_completed(completed: bool) -> Result<u64, AppError> {
    as_caller(|state, owner| async move {
        super::server::set_all_completed(&state.db, owner, completed).await
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "tasks/clear-completed")]
pub async fn clear_completed() -> Result<u64, AppError> {
    as_caller(|state, owner| async move { super::server::delete_completed(&state.db, owner).await })
        .await
}

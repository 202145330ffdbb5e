//! Server functions for the task page: thin adapters over `tasks::server`, each acting for
//! the logged-in user only. As plain form posts they answer with a redirect back to the page
//! (its filter and page kept in the URL).

use leptos::prelude::*;
use uuid::Uuid;

use super::{Filter, Task, TaskCounts, TaskPage};
use crate::error::AppError;

/// Tasks shown per page on `/tasks`.
pub const PAGE_SIZE: u32 = 20;

/// What the task page shows: one page of the filtered list, and the counts for the footer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TaskBoard {
    pub page: TaskPage,
    pub counts: TaskCounts,
    /// 1-based.
    pub page_number: u32,
    pub page_count: u32,
}

/// The acting user's id and the shared state, or 401.
#[cfg(feature = "ssr")]
async fn caller() -> Result<(crate::state::AppState, Uuid), AppError> {
    let state = crate::state::AppState::from_context()?;
    let auth = leptos_axum::extract_with_state::<crate::auth::extract::AuthUser, _>(&state).await?;
    Ok((state, auth.user.id))
}

#[server(prefix = "/rpc", endpoint = "tasks/board")]
pub async fn load_board(filter: Filter, page: u32) -> Result<TaskBoard, AppError> {
    let result = async {
        let (state, owner) = caller().await?;
        let counts = super::server::counts(&state.db, owner).await?;
        let matching = counts.matching(filter);
        let page_count = matching.div_ceil(u64::from(PAGE_SIZE)).max(1) as u32;
        let page_number = page.clamp(1, page_count);
        let offset = u64::from(page_number - 1) * u64::from(PAGE_SIZE);
        // The counts already give the filter's total: fetch the page without counting again.
        let tasks = super::server::page(&state.db, owner, filter, None, PAGE_SIZE, offset).await?;
        Ok(TaskBoard {
            page: TaskPage {
                tasks,
                total: matching,
                limit: PAGE_SIZE,
                offset,
            },
            counts,
            page_number,
            page_count,
        })
    }
    .await;
    crate::error::with_status(result)
}

#[server(prefix = "/rpc", endpoint = "tasks/add")]
pub async fn add_task(title: String, description: Option<String>) -> Result<Task, AppError> {
    let kept = [
        ("title", title.as_str()),
        ("description", description.as_deref().unwrap_or_default()),
    ];
    let result = async {
        let input = super::TaskInput::parse(&title, description.as_deref())?;
        let (state, owner) = caller().await?;
        super::server::create(&state.db, owner, &input).await
    }
    .await;
    crate::error::with_status(result).map_err(|e| e.for_form(&kept))
}

#[server(prefix = "/rpc", endpoint = "tasks/complete")]
pub async fn set_task_completed(id: Uuid, completed: bool) -> Result<Task, AppError> {
    let result = async {
        let (state, owner) = caller().await?;
        super::server::set_completed(&state.db, owner, id, completed).await
    }
    .await;
    crate::error::with_status(result)
}

#[server(prefix = "/rpc", endpoint = "tasks/edit")]
pub async fn edit_task(
    id: Uuid,
    title: String,
    description: Option<String>,
) -> Result<Task, AppError> {
    let kept = [
        ("title", title.as_str()),
        ("description", description.as_deref().unwrap_or_default()),
    ];
    let result = async {
        let input = super::TaskInput::parse(&title, description.as_deref())?;
        let (state, owner) = caller().await?;
        let task = super::server::update(&state.db, owner, id, &input).await?;
        // A plain form post came from the page's edit mode: go back to the list.
        leave_edit_mode();
        Ok(task)
    }
    .await;
    crate::error::with_status(result).map_err(|e| e.for_form(&kept))
}

#[server(prefix = "/rpc", endpoint = "tasks/delete")]
pub async fn delete_task(id: Uuid) -> Result<(), AppError> {
    let result = async {
        let (state, owner) = caller().await?;
        super::server::delete(&state.db, owner, id).await?;
        leave_edit_mode();
        Ok(())
    }
    .await;
    crate::error::with_status(result)
}

#[server(prefix = "/rpc", endpoint = "tasks/complete-all")]
pub async fn set_all_completed(completed: bool) -> Result<u64, AppError> {
    let result = async {
        let (state, owner) = caller().await?;
        super::server::set_all_completed(&state.db, owner, completed).await
    }
    .await;
    crate::error::with_status(result)
}

#[server(prefix = "/rpc", endpoint = "tasks/clear-completed")]
pub async fn clear_completed() -> Result<u64, AppError> {
    let result = async {
        let (state, owner) = caller().await?;
        super::server::delete_completed(&state.db, owner).await
    }
    .await;
    crate::error::with_status(result)
}

/// After a plain form post from edit mode (`?edit=<id>`), redirect to the same page without
/// it. Calls from the hydrated app are left alone: the page updates itself.
#[cfg(feature = "ssr")]
fn leave_edit_mode() {
    if !crate::error::is_plain_form_post() {
        return;
    }
    let Some(parts) = use_context::<http::request::Parts>() else {
        return;
    };
    if let Some(referer) = parts
        .headers
        .get(http::header::REFERER)
        .and_then(|v| v.to_str().ok())
    {
        let Some((path, query)) = referer.split_once('?') else {
            return;
        };
        let path = path
            .find("/tasks")
            .map(|at| &path[at..])
            .unwrap_or("/tasks");
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.starts_with("edit="))
            .collect();
        let target = if kept.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{}", kept.join("&"))
        };
        leptos_axum::redirect(&target);
    }
}

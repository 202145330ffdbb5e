//! `/api/{user_id}/export` and `/api/{user_id}/import`: a user's tasks, taken to another
//! instance and brought in from one.

use crate::state::AppState;
use app::{
    account::{
        store as manage,
        transfer::{ExportDocument, ImportDocument},
    },
    auth::extract::AuthUser,
    error::AppError,
};
use axum::{extract::State, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    json::AppJson,
    responses::{Invalid, KeyInUse, NotYours, StorageFull, TooLarge, Unauthorized, Unavailable},
    tasks::Owner,
};

/// Everything the caller has: their user, and the lists they own (the Inbox first, then by
/// name), each with its tasks, oldest first (version 2).
#[utoipa::path(
    get, path = "/{user_id}/export", tag = "account",
    security(("bearer" = [])),
    params(("user_id" = uuid::Uuid, Path, description = "The caller's id")),
    responses(
        (status = 200, description = "The export document", body = ExportDocument),
        Unauthorized, NotYours, Invalid, Unavailable,
    )
)]
pub async fn export(
    State(state): State<AppState>,
    Owner(_owner, ..): Owner,
    auth: AuthUser,
) -> Result<Json<ExportDocument>, AppError> {
    Ok(Json(manage::export(&state.db, &auth.user).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Imported {
    /// How many tasks were added.
    #[schema(example = 42)]
    pub imported: usize,
}

/// Add the tasks of an export document (from this instance or another) to the caller's:
/// each gets a new id and keeps its fields, `created_at` and `updated_at`. Version 1's
/// tasks go into the Inbox; version 2's into the caller's list of the same name (compared
/// without case; made if missing), the Inbox's into the Inbox. All or nothing: the first bad
/// task is named (`loc` `["body", "tasks", i, field]`, or `["body", "lists", i, "tasks", j,
/// field]`) and nothing is stored, no list made. At most 10,000 tasks, 500 lists and 8 MiB.
#[utoipa::path(
    post, path = "/{user_id}/import", tag = "account",
    security(("bearer" = [])),
    params(("user_id" = uuid::Uuid, Path, description = "The caller's id"),
        ("Idempotency-Key" = Option<String>, Header, description = super::tasks::IDEMPOTENCY_KEY)),
    request_body = ImportDocument,
    responses(
        (status = 200, description = "Imported", body = Imported,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the stored response to an earlier request with the same `Idempotency-Key`."))),
        Unauthorized, NotYours, KeyInUse, TooLarge, Invalid, Unavailable, StorageFull,
    )
)]
pub async fn import(
    State(state): State<AppState>,
    Owner(owner, ..): Owner,
    AppJson(document): AppJson<ImportDocument>,
) -> Result<Json<Imported>, AppError> {
    let tasks = document.validate()?;
    let imported = manage::import(&state.db, owner, tasks).await?;
    Ok(Json(Imported { imported }))
}

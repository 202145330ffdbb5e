//! `/api/auth/app-passwords`: the passwords calendar apps sign in with (CalDAV, under
//! `/dav/`), made, listed and revoked by their owner (see `app::account::app_passwords`).

use crate::state::AppState;
use app::{
    account::app_passwords::{parse_name, store, AppPassword},
    auth::extract::SignedIn,
    error::{AppError, ErrorBody},
};
use axum::{
    extract::{FromRequestParts, State},
    http::{request::Parts, StatusCode},
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    json::AppJson,
    responses::{Invalid, StorageFull, TooLarge, Unauthorized, Unavailable},
    task_access::{path_params, path_uuid},
};

#[derive(Deserialize, ToSchema)]
pub struct AppPasswordRequest {
    /// What it is for: 1 to 100 characters, trimmed, no line breaks.
    #[schema(example = "Phone")]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct AppPasswordsResponse {
    /// Oldest first; no passwords.
    pub app_passwords: Vec<AppPassword>,
}

/// Make an app password: a calendar app signs in to `/dav/` with the account's e-mail and
/// this password (HTTP Basic). It is shown this once.
#[utoipa::path(
    post, path = "/auth/app-passwords", tag = "account",
    request_body = AppPasswordRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Made; `password` is shown this once", body = AppPassword),
        (status = 409, description = "The account already has 20 app passwords", body = ErrorBody),
        Unauthorized, TooLarge, Invalid, Unavailable, StorageFull,
    )
)]
pub async fn create(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    AppJson(body): AppJson<AppPasswordRequest>,
) -> Result<(StatusCode, Json<AppPassword>), AppError> {
    let name = parse_name(&body.name)?;
    let made = store::create(&state.db, auth.id(), &name).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// The caller's app passwords, with when each was last used.
#[utoipa::path(
    get, path = "/auth/app-passwords", tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Oldest first", body = AppPasswordsResponse),
        Unauthorized, Unavailable,
    )
)]
pub async fn all(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
) -> Result<Json<AppPasswordsResponse>, AppError> {
    let app_passwords = store::all(&state.db, auth.id()).await?;
    Ok(Json(AppPasswordsResponse { app_passwords }))
}

/// Revoke an app password: the app that used it can no longer sign in.
#[utoipa::path(
    delete, path = "/auth/app-passwords/{app_password_id}", tag = "account",
    params(("app_password_id" = Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such app password of yours", body = ErrorBody),
        Unauthorized, Invalid, Unavailable, StorageFull,
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    SignedIn(auth): SignedIn,
    path: AppPasswordId,
) -> Result<StatusCode, AppError> {
    store::delete(&state.db, auth.id(), path.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The `{app_password_id}` of the path.
pub struct AppPasswordId(pub Uuid);

impl FromRequestParts<AppState> for AppPasswordId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let params = path_params(parts, state).await?;
        path_uuid(&params, "app_password_id")
            .map(Self)
            .map_err(AppError::invalid_field)
    }
}

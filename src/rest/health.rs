//! `GET /healthz` (the process answers) and `GET /readyz` (and its database does too).

use std::time::Duration;

use app::error::AppError;

use crate::state::AppState;
use axum::{extract::State, Json};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// Alive: answers as long as the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The process is serving", body = Health)))]
pub async fn alive() -> Json<Health> {
    Json(Health {
        status: "ok",
        database: None,
    })
}

/// Ready: the database answered a query within two seconds.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "The database answers", body = Health),
        super::responses::Unavailable,
    ))]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    match tokio::time::timeout(Duration::from_secs(2), state.db.ping()).await {
        Ok(Ok(())) => Ok(Json(Health {
            status: "ready",
            database: Some(state.db.backend()),
        })),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check failed");
            Err(AppError::Unavailable("The database is unreachable.".into()))
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            Err(AppError::Unavailable(
                "The database did not answer in time.".into(),
            ))
        }
    }
}

//! The account page's two file routes, for the browser (session cookie only): the export
//! download, and the import upload (a multipart form, so it works without JavaScript).

use crate::state::AppState;
use app::{
    account::transfer::ImportDocument,
    account::{store as manage, EXPORT_PATH, IMPORT_PATH},
    auth::{extract::AuthUser, ACCOUNT_PAGE},
    error::AppError,
    forms::{FailedForm, FAILED_FORM_KEY},
};
use axum::{
    extract::{FromRequestParts, Multipart, State},
    http::{header, request::Parts, HeaderValue},
    response::{IntoResponse, Redirect, Response},
    Json,
};
use tower_sessions::Session;

/// The signed-in browser user; a bearer token is not read here (pages use the cookie).
pub struct PageUser(AuthUser);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let mut cookie_only = parts.clone();
        cookie_only.headers.remove(header::AUTHORIZATION);
        match AuthUser::from_request_parts(&mut cookie_only, state).await {
            Ok(user) => Ok(Self(user)),
            Err(AppError::Unauthorized(_)) => {
                Err(Redirect::to(&format!("/login?next={ACCOUNT_PAGE}")).into_response())
            }
            Err(AppError::Forbidden(_)) => Err(Redirect::to(ACCOUNT_PAGE).into_response()),
            Err(other) => Err(other.into_response()),
        }
    }
}

/// `GET /account/export`: the export document as a file to save.
pub async fn export(
    State(state): State<AppState>,
    PageUser(auth): PageUser,
) -> Result<Response, AppError> {
    let document = manage::export(&state.db, &auth.user).await?;
    let name = format!(
        "attachment; filename=\"todo-export-{}.json\"",
        chrono::Utc::now().format("%Y-%m-%d")
    );
    let mut response = Json(document).into_response();
    if let Ok(value) = HeaderValue::from_str(&name) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `POST /account/import`: a file from the page's form. Back to the account page with how
/// many tasks came in, or with the error kept in the session for the page to show.
pub async fn import(
    State(state): State<AppState>,
    session: Session,
    PageUser(auth): PageUser,
    multipart: Multipart,
) -> Response {
    match read_and_import(&state, &auth, multipart).await {
        Ok(count) => Redirect::to(&format!("{ACCOUNT_PAGE}?imported={count}")).into_response(),
        Err(error) => {
            let failed = FailedForm {
                session_ended: crate::failed_forms::session_ended(IMPORT_PATH, &error),
                action: IMPORT_PATH.to_string(),
                page: ACCOUNT_PAGE.to_string(),
                error,
                values: Vec::new(),
            };
            if let Err(error) = session.insert(FAILED_FORM_KEY, failed).await {
                tracing::warn!(%error, "a failed import could not be kept in the session");
            }
            Redirect::to(ACCOUNT_PAGE).into_response()
        }
    }
}

async fn read_and_import(
    state: &AppState,
    auth: &AuthUser,
    mut multipart: Multipart,
) -> Result<usize, AppError> {
    let unreadable = || {
        AppError::BadRequest(
            "The file could not be read; choose an export file and try again.".into(),
        )
    };
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        if field.name() == Some("file") {
            file = Some(field.bytes().await.map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    unreadable()
                }
            })?);
        }
    }
    let file = file
        .filter(|f| !f.is_empty())
        .ok_or_else(|| AppError::BadRequest("Choose an export file to import.".into()))?;
    let document: ImportDocument = crate::rest::json::parse(&file).map_err(in_file)?;
    let tasks = document.validate().map_err(in_file)?;
    manage::import(&state.db, auth.id(), tasks).await
}

/// A validation error about the file, said in a sentence (the page shows no JSON paths).
fn in_file(error: AppError) -> AppError {
    match error {
        AppError::Validation { errors, .. } => {
            let said = errors
                .first()
                .map(|e| {
                    let place: Vec<String> = e
                        .loc
                        .iter()
                        .skip(1)
                        .filter(|p| **p != "tasks")
                        .map(|p| match p {
                            app::error::LocPart::Index(i) => format!("task {}", i + 1),
                            app::error::LocPart::Key(k) => k.clone(),
                        })
                        .collect();
                    match place.is_empty() {
                        true => e.msg.clone(),
                        false => format!("In the file ({}): {}", place.join(", "), e.msg),
                    }
                })
                .unwrap_or_else(|| "The file is not a valid export.".into());
            AppError::BadRequest(format!("Nothing was imported. {said}"))
        }
        other => other,
    }
}

/// The page's file routes, with the larger body limit an import needs.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(EXPORT_PATH, axum::routing::get(export))
        .route(IMPORT_PATH, axum::routing::post(import))
        .layer(axum::extract::DefaultBodyLimit::max(
            app::account::transfer::IMPORT_BODY_LIMIT,
        ))
}

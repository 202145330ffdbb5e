//! The JSON API: thin handlers over the domain in `app`, its OpenAPI document, and the
//! error shape they share.

pub mod app_passwords;
pub mod auth;
pub mod errors;
pub mod events;
pub mod health;
pub mod json;
pub mod lists;
pub mod openapi;
pub mod responses;
pub mod task_access;
pub mod task_bodies;
pub mod tasks;
pub mod transfer;
pub mod webhooks;

use crate::state::AppState;
use axum::{extract::DefaultBodyLimit, middleware, Router};
use utoipa::{Modify as _, OpenApi as _};
use utoipa_axum::{router::OpenApiRouter, routes};

/// The largest JSON body the API reads; anything larger is answered 413.
pub const API_BODY_LIMIT: usize = 64 * 1024;

/// Every documented route, and the document. Routes exist only through `routes!`, which
/// registers each handler and its documentation together.
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let api = OpenApiRouter::new()
        .routes(routes!(auth::signup))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me, auth::update_me, auth::delete_me))
        .routes(routes!(auth::change_email))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::logout_all))
        .routes(routes!(app_passwords::create, app_passwords::all))
        .routes(routes!(app_passwords::delete))
        .routes(routes!(tasks::create, tasks::list))
        .routes(routes!(tasks::get, tasks::update, tasks::delete))
        .routes(routes!(tasks::complete))
        .routes(routes!(tasks::tags))
        .routes(routes!(lists::all, lists::create))
        .routes(routes!(lists::get, lists::rename, lists::delete))
        .routes(routes!(lists::members, lists::share))
        .routes(routes!(lists::remove_member))
        .routes(routes!(events::stream))
        .routes(routes!(webhooks::create, webhooks::all))
        .routes(routes!(webhooks::update, webhooks::delete))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::test))
        .fallback(errors::api_not_found)
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT));
    // An import is the one body larger than the others (an export of many tasks).
    let import = OpenApiRouter::new()
        .routes(routes!(transfer::import))
        .layer(DefaultBodyLimit::max(
            app::account::transfer::IMPORT_BODY_LIMIT,
        ));
    let api = api
        .routes(routes!(transfer::export))
        .merge(import)
        .layer(middleware::map_response(errors::ensure_json_errors));

    let (router, mut document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(health::alive))
        .routes(routes!(health::ready))
        .nest("/api", api)
        .split_for_parts();
    openapi::Limits.modify(&mut document);
    (router, document)
}

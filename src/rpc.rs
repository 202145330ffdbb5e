//! The one layer that owns the server functions (`/rpc/*`): their routes, beside the pages
//! and outside the page-render limit (a burst of page loads never delays a click), the
//! status of their errors, and the capture of a plain form post that failed (see
//! `failed_forms`). The pages get the same context as the server functions ([`context`]).

use app::error::AppError;

use crate::state::AppState;
use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::StatusCode,
    middleware::{self, Next},
    response::Response,
    routing::{on, MethodFilter},
    Router,
};
use leptos::prelude::{provide_context, use_context};

use crate::{failed_forms, security_headers};

/// Larger than any serialised error.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Every server function's path, for the pages' route list to leave to [`routes`].
pub fn paths() -> Vec<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect()
}

/// The server functions' routes, with the layers only they need.
pub fn routes(state: &AppState, forms: failed_forms::FailedForms) -> Router<AppState> {
    let mut router = Router::new();
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        let state = state.clone();
        let handler = move |request: Request| async move {
            leptos_axum::handle_server_fns_with_context(move || context(&state), request).await
        };
        let filter = MethodFilter::try_from(method).unwrap_or(MethodFilter::POST);
        router = router.route(path, on(filter, handler));
    }
    router
        .layer(middleware::from_fn(crate::whole_renders::finish_renders))
        .layer(middleware::from_fn(give_errors_their_status))
        .layer(middleware::from_fn_with_state(forms, failed_forms::capture))
}

/// What every page render and server function gets beyond Leptos's own context: the
/// state, and the nonce the security headers promised for this response's scripts.
pub fn context(state: &AppState) {
    provide_context(state.clone());
    provide_context(state.identity());
    provide_context(state.webhooks.clone());
    provide_context(app::forms::SignedIn(crate::failed_forms::signed_in_session));
    if let Some(nonce) = use_context::<axum::http::request::Parts>()
        .and_then(|parts| security_headers::page_nonce(&parts))
    {
        provide_context(nonce);
    }
}

/// Server functions answer their errors with the error's own status, including the errors
/// raised before their body runs. A server function whose arguments cannot be read (a
/// missing field, an unknown value) fails inside the server_fn crate, which answers every
/// error with 500 before our `respond` wrapper can set the status. Such a response's body
/// is the [`AppError`] itself; this gives it the status that error stands for (400 for a
/// form that could not be read), so hostile input is answered with a 4xx, never as a
/// server fault.
async fn give_errors_their_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    // Only a body known to be small is read; any other is left as it is.
    let small = axum::body::HttpBody::size_hint(response.body())
        .upper()
        .is_some_and(|n| n <= ERROR_BODY_LIMIT as u64);
    if !small {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, ERROR_BODY_LIMIT).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

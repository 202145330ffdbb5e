//! Static files: the browser bundle and stylesheet under `/pkg` (their names hashed by
//! cargo-leptos's `hash-files`), the favicon and ReDoc's script. Each is compressed once, at
//! build time (`todo precompress`, run by `make build`), with brotli and gzip at their
//! highest levels, and served as it is: nothing static is compressed per request.
//!
//! A file whose name carries its content's hash never changes, so it is cached for a year
//! without asking again; anything else is checked with the server on each use.

use std::convert::Infallible;

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::Response,
    Router,
};
use leptos::config::LeptosOptions;
use tower::Service;
use tower_http::services::ServeDir;

/// How long a browser keeps a file whose name holds its hash: a year, never revalidated.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Files without a hash in their name: kept, but checked with the server before each use.
pub const REVALIDATE: &str = "no-cache";

/// The site's static files, a precompressed copy chosen by the request's `Accept-Encoding`,
/// with `not_found` answering for any path that is not a file (and for other methods).
/// Conditional requests are answered with 304 by the file service itself.
pub fn serve_site<F>(options: &LeptosOptions, not_found: F) -> Router
where
    F: Service<Request, Response = Response, Error = Infallible> + Clone + Send + Sync + 'static,
    F::Future: Send + 'static,
{
    let files = ServeDir::new(&*options.site_root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(not_found)
        .call_fallback_on_method_not_allowed(true);
    // Only with hashed names is the bundle immutable.
    let immutable = options
        .hash_files
        .then(|| format!("/{}/", options.site_pkg_dir));
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(immutable, cache_control))
}

/// `Cache-Control` for a file found (200, 206 or 304): a year under the hashed bundle's
/// folder, revalidation elsewhere. Pages rendered for a missing file keep their own.
async fn cache_control(
    State(immutable): State<Option<String>>,
    request: Request,
    next: Next,
) -> Response {
    let forever = immutable
        .as_deref()
        .is_some_and(|folder| request.uri().path().starts_with(folder));
    let mut response = next.run(request).await;
    let found = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    if found && !response.headers().contains_key(header::CACHE_CONTROL) {
        let value = if forever { IMMUTABLE } else { REVALIDATE };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

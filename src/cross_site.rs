//! Changes to pages and server functions must come from our own pages.
//!
//! Every unsafe request (POST, PUT, PATCH, DELETE) outside `/api` that the browser marks as
//! cross-site (`Sec-Fetch-Site`), or else whose `Origin` is not this host, is refused with
//! 403, with or without a session cookie: a form on another site can neither act with a
//! visitor's session nor log the browser in to an attacker's account (login CSRF).
//! The JSON API is routed beside this layer, not under it: it is bearer-only (no session
//! layer runs there either), so CORS governs it.

use app::error::AppError;
use axum::{
    extract::Request,
    http::{HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

pub async fn refuse_cross_site_changes(request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if unsafe_method && is_cross_site(request.headers()) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site change");
        return AppError::Forbidden("Changes can only be made from this site's own pages.".into())
            .into_response();
    }
    next.run(request).await
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    let get = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    if let Some(origin) = get("origin") {
        let origin_host = origin.split_once("://").map(|(_, rest)| rest);
        return origin_host != get("host");
    }
    false
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
    }

    #[test]
    fn otherwise_the_origin_must_be_this_host() {
        let ours = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        let theirs = headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000"),
        ]);
        let opaque = headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]);
        assert!(!is_cross_site(&ours));
        assert!(is_cross_site(&theirs));
        assert!(is_cross_site(&opaque));
    }
}

//! Cookie-authenticated changes must come from our own pages.
//!
//! `SameSite=Lax` already keeps the session cookie off cross-site POSTs in current browsers;
//! this refuses, in addition, any unsafe request that carries the session cookie and that the
//! browser marks as cross-site (`Sec-Fetch-Site`) or whose `Origin` is not this host.
//! Requests with a bearer token are not cookie-authenticated and pass.

use app::{auth::SESSION_COOKIE, error::AppError};
use axum::{
    extract::Request,
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};

pub async fn refuse_cross_site_cookie_mutations(request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let headers = request.headers();
    if unsafe_method
        && carries_session_cookie(headers)
        && !headers.contains_key(header::AUTHORIZATION)
        && is_cross_site(headers)
    {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request carrying the session cookie");
        return AppError::Forbidden(
            "Cross-site requests cannot act with this site's session cookie.".into(),
        )
        .into_response();
    }
    next.run(request).await
}

fn carries_session_cookie(headers: &HeaderMap) -> bool {
    let prefix = format!("{SESSION_COOKIE}=");
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| pair.trim_start().starts_with(&prefix))
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

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let with = headers(&[("cookie", "theme=dark; todo_session=abc")]);
        let without = headers(&[("cookie", "not_todo_session=abc")]);
        assert!(carries_session_cookie(&with));
        assert!(!carries_session_cookie(&without));
    }
}

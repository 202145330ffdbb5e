//! Headers every response carries: a Content-Security-Policy with a fresh nonce, and the
//! browser protections around it.
//!
//! The nonce is made here, once per request, and put in the request's extensions. Pages
//! hand it to Leptos ([`page_nonce`]), which stamps it on the hydration script and on every
//! script it streams. No inline script runs without it: no `unsafe-inline` for scripts
//! anywhere. WebAssembly needs `wasm-unsafe-eval`, which allows compiling wasm and nothing
//! else.
//!
//! Only the API documentation pages loosen one thing: Swagger UI and ReDoc inject `<style>`
//! elements at run time, so `/docs` and `/redoc` allow inline styles (never inline scripts).

use axum::{
    extract::{Request, State},
    http::{header, request::Parts, HeaderValue},
    middleware::Next,
    response::Response,
};
use leptos::nonce::Nonce;

/// Sets the security headers on every response; `Strict-Transport-Security` only when the
/// site is served over HTTPS (`COOKIE_SECURE=true`).
pub async fn set_security_headers(
    State(https): State<bool>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    let path = request.uri().path().to_owned();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;

    let no_store = path == "/api"
        || path.starts_with("/api/")
        || path.starts_with("/rpc/")
        || path.starts_with("/account/")
        || is_html(&response);
    let headers = response.headers_mut();
    let policy = content_security_policy(&nonce, is_documentation(&path));
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    // Pages can hold a signed-in user's tasks, and API answers and the account's files (an
    // export) always do: no cache keeps them. Static files (the bundle, the stylesheet, the docs' scripts) stay cacheable.
    if no_store {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

fn is_documentation(path: &str) -> bool {
    path == "/redoc" || path == "/docs" || path.starts_with("/docs/")
}

/// The policy for one response. Scripts: this origin's files, wasm, and inline scripts that
/// carry this response's nonce.
pub fn content_security_policy(nonce: &Nonce, documentation: bool) -> String {
    let styles = if documentation {
        "'self' 'unsafe-inline'"
    } else {
        "'self'"
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src {styles}; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The nonce the middleware made for this request, if it ran.
pub fn page_nonce(parts: &Parts) -> Option<Nonce> {
    parts.extensions.get::<Nonce>().cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_need_the_nonce_everywhere_and_styles_loosen_only_for_the_docs() {
        let nonce = Nonce::from_value("abc");
        for documentation in [false, true] {
            let policy = content_security_policy(&nonce, documentation);
            let scripts = policy
                .split(';')
                .find(|d| d.trim().starts_with("script-src"))
                .unwrap();
            assert!(scripts.contains("'nonce-abc'"), "{policy}");
            assert!(!scripts.contains("unsafe-inline"), "{policy}");
            for directive in [
                "frame-ancestors 'none'",
                "base-uri 'none'",
                "form-action 'self'",
                "object-src 'none'",
            ] {
                assert!(policy.contains(directive), "{policy}");
            }
            assert_eq!(
                policy.contains("'unsafe-inline'"),
                documentation,
                "{policy}"
            );
        }
    }

    #[test]
    fn only_the_documentation_pages_count_as_documentation() {
        assert!(is_documentation("/docs"));
        assert!(is_documentation("/docs/swagger-initializer.js"));
        assert!(is_documentation("/redoc"));
        assert!(!is_documentation("/documents"));
        assert!(!is_documentation("/tasks"));
    }
}

//! Security headers on every response: a Content-Security-Policy whose nonce is new for each
//! response and is the one on the page's scripts, and the browser protections around it.

use reqwest::header::HeaderMap;

use crate::{
    helpers::{for_each_backend, for_each_backend_with, TestApp},
    requests::browser_login,
};

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
        .to_str()
        .unwrap()
}

/// The nonce a policy allows scripts with.
fn nonce_of(policy: &str) -> String {
    let start = policy.find("'nonce-").expect("a nonce in the policy") + "'nonce-".len();
    policy[start..].split('\'').next().unwrap().to_string()
}

fn assert_protected(path: &str, headers: &HeaderMap) {
    let policy = header(headers, "content-security-policy");
    for directive in [
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    ] {
        assert!(policy.contains(directive), "{path}: {policy}");
    }
    let scripts = policy
        .split(';')
        .find(|d| d.trim_start().starts_with("script-src"))
        .unwrap_or_else(|| panic!("{path}: no script-src in {policy}"));
    assert!(!scripts.contains("unsafe-inline"), "{path}: {policy}");
    assert!(!scripts.contains(" 'unsafe-eval'"), "{path}: {policy}");
    assert_eq!(
        header(headers, "x-content-type-options"),
        "nosniff",
        "{path}"
    );
    assert_eq!(header(headers, "referrer-policy"), "same-origin", "{path}");
    assert_eq!(header(headers, "x-frame-options"), "DENY", "{path}");
    assert!(headers.get("strict-transport-security").is_none(), "{path}");
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let mut checked = Vec::new();
        for path in [
            "/",
            "/login",
            "/signup",
            "/no-such-page",
            "/docs/",
            "/redoc",
        ] {
            let response = app.get_page(path).await;
            assert_protected(path, response.headers());
            assert_eq!(
                header(response.headers(), "cache-control"),
                "no-store",
                "{path}"
            );
            checked.push(path);
        }
        for response in [
            app.get("/openapi.json").await,
            app.get_with_token(&format!("/api/{}/tasks", user.id), &user.token)
                .await,
            app.get("/api/no-such-route").await,
            app.get(&format!("/api/{}/tasks", user.id)).await,
            app.client
                .post(app.url("/api/auth/login"))
                .header("content-type", "application/json")
                .body(vec![b' '; 2 * 1024 * 1024])
                .send()
                .await
                .unwrap(),
        ] {
            let path = response.url().path().to_string();
            assert_protected(&path, response.headers());
            if path.starts_with("/api") {
                assert_eq!(
                    header(response.headers(), "cache-control"),
                    "no-store",
                    "{path}"
                );
            }
        }
        // The stylesheet and the docs' scripts are not secrets: caches may keep them.
        let script = app.get("/docs/swagger-ui-bundle.js").await;
        assert_eq!(script.status(), 200);
        assert_protected("/docs/swagger-ui-bundle.js", script.headers());
        assert!(script
            .headers()
            .get("cache-control")
            .is_none_or(|v| v != "no-store"));
    })
    .await;
}

#[tokio::test]
async fn a_signed_in_page_is_never_stored_and_its_scripts_carry_this_responses_nonce() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let browser = TestApp::new_client();
        browser_login(&app, &browser, &user).await;
        let mut nonces = Vec::new();
        for _ in 0..2 {
            let response = app.get_page_as(&browser, "/tasks").await;
            assert_eq!(response.status(), 200);
            assert_eq!(header(response.headers(), "cache-control"), "no-store");
            let nonce = nonce_of(header(response.headers(), "content-security-policy"));
            let html = response.text().await.unwrap();
            assert!(html.contains(&user.email), "signed in");
            // Every inline script (the hydration script, streamed chunks) carries the nonce:
            // one without it would be blocked and break the page.
            let tags: Vec<&str> = html
                .split("<script")
                .skip(1)
                .map(|rest| rest.split('>').next().unwrap())
                .collect();
            assert!(!tags.is_empty(), "{html}");
            for tag in &tags {
                assert!(
                    tag.contains(" src=") || tag.contains(&format!(" nonce=\"{nonce}\"")),
                    "<script{tag}> lacks this response's nonce {nonce}"
                );
            }
            nonces.push(nonce);
        }
        assert_ne!(nonces[0], nonces[1], "a nonce is never reused");
        assert!(nonces[0].len() >= 16, "{}", nonces[0]);
    })
    .await;
}

#[tokio::test]
async fn strict_transport_security_is_sent_only_over_https() {
    for_each_backend_with(&[("COOKIE_SECURE", "true")], |app| async move {
        let response = app.get_page("/").await;
        let hsts = header(response.headers(), "strict-transport-security");
        assert!(hsts.starts_with("max-age="), "{hsts}");
        let seconds: u64 = hsts["max-age=".len()..]
            .split(';')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(seconds >= 31_536_000, "at least a year: {hsts}");
    })
    .await;
}

//! Cross-site changes to pages and server functions are refused whether or not a session
//! cookie rides along, and the JSON API never reads a session cookie.

use crate::{
    helpers::{for_each_backend, TestApp},
    requests::new_email,
};

async fn login_form(
    app: &TestApp,
    client: &reqwest::Client,
    headers: &[(&str, &str)],
    email: &str,
    password: &str,
) -> reqwest::Response {
    let mut request = client
        .post(app.url("/rpc/login"))
        .header("accept", "text/html")
        .form(&[("email", email), ("password", password)]);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_login_form_on_another_site_cannot_sign_the_browser_in() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        for headers in [
            vec![
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ],
            vec![("sec-fetch-site", "same-site")],
            vec![("origin", "https://evil.example")],
            vec![("origin", "null")],
        ] {
            let browser = TestApp::new_client();
            let response = login_form(&app, &browser, &headers, &user.email, &user.password).await;
            assert_eq!(response.status(), 403, "{headers:?}");
            assert!(
                response.headers().get("set-cookie").is_none(),
                "{headers:?} got a session"
            );
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["status_code"], 403);
        }
        // The same form on this site works.
        let own = format!("http://{}", app.address.trim_start_matches("http://"));
        let response = login_form(
            &app,
            &TestApp::new_client(),
            &[("sec-fetch-site", "same-origin"), ("origin", &own)],
            &user.email,
            &user.password,
        )
        .await;
        assert_eq!(response.status(), 302);
        // So does a client that sends neither header (no browser to protect).
        let response = login_form(
            &app,
            &TestApp::new_client(),
            &[],
            &user.email,
            &user.password,
        )
        .await;
        assert_eq!(response.status(), 302);
    })
    .await;
}

#[tokio::test]
async fn a_cross_site_signup_creates_no_account() {
    for_each_backend(|app| async move {
        let email = new_email();
        let response = TestApp::new_client()
            .post(app.url("/rpc/signup"))
            .header("accept", "text/html")
            .header("sec-fetch-site", "cross-site")
            .form(&[
                ("name", "Eve"),
                ("email", &email),
                ("password", "password123"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        let login = app
            .post_json(
                "/api/auth/login",
                &serde_json::json!({"email": email, "password": "password123"}),
            )
            .await;
        assert_eq!(login.status(), 401);
    })
    .await;
}

#[tokio::test]
async fn the_api_ignores_a_session_cookie() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let browser = TestApp::new_client();
        let signed_in = login_form(&app, &browser, &[], &user.email, &user.password).await;
        assert_eq!(signed_in.status(), 302);
        // The cookie works for pages...
        let page = browser
            .get(app.url("/tasks"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        // ...and means nothing to the API.
        let me = browser.get(app.url("/api/auth/me")).send().await.unwrap();
        assert_eq!(me.status(), 401);
        assert!(me.headers().get("set-cookie").is_none());
    })
    .await;
}

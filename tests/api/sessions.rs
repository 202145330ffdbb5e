//! Browser sessions: the account forms posted as plain HTML forms (no JavaScript), the session
//! cookie they set, and what that cookie can and cannot do.

use serde_json::Value;

use crate::{
    helpers::{for_each_backend, for_each_backend_with, TestApp},
    requests::{new_email, post_form},
};

fn set_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("todo_session="))
        .expect("a session cookie is set")
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn signing_up_with_a_plain_form_logs_in_with_a_safe_session_cookie() {
    for_each_backend(|app| async move {
        let email = new_email();
        let response = post_form(
            &app,
            &app.client,
            "/rpc/signup",
            "/signup",
            &[
                ("name", "Grace"),
                ("email", &email),
                ("password", "password123"),
                ("next", ""),
            ],
        )
        .await;
        assert_eq!(response.status(), 302);
        assert_eq!(location(&response), "/tasks");
        let cookie = set_cookie(&response).to_lowercase();
        assert!(cookie.contains("httponly"), "{cookie}");
        assert!(cookie.contains("samesite=lax"), "{cookie}");
        assert!(cookie.contains("path=/"), "{cookie}");
        assert!(
            !cookie.contains("secure"),
            "plain HTTP by default: {cookie}"
        );

        let page = app.get_page("/account").await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Your account") && html.contains(&email),
            "{html}"
        );

        // The JSON API is bearer-only: the cookie means nothing there.
        assert_eq!(app.get("/api/auth/me").await.status(), 401);
    })
    .await;
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_site_is_served_over_https() {
    for_each_backend_with(&[("COOKIE_SECURE", "true")], |app| async move {
        let response = post_form(
            &app,
            &app.client,
            "/rpc/signup",
            "/signup",
            &[
                ("name", "Grace"),
                ("email", &new_email()),
                ("password", "password123"),
            ],
        )
        .await;
        assert!(set_cookie(&response).to_lowercase().contains("secure"));
    })
    .await;
}

#[tokio::test]
async fn logging_in_cycles_the_session_id_and_logging_out_ends_the_session() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let browser = TestApp::new_client();
        let planted = "todo_session=planted-by-an-attacker";
        let response = browser
            .post(app.url("/rpc/login"))
            .header("accept", "text/html")
            .header("referer", app.url("/login?next=%2Faccount"))
            .header("cookie", planted)
            .form(&[
                ("email", user.email.as_str()),
                ("password", &user.password),
                ("next", "/account"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 302);
        assert_eq!(location(&response), "/account");
        let cookie = set_cookie(&response);
        let session_id = cookie.split(';').next().unwrap().to_string();
        assert_ne!(session_id, planted);

        let page = |cookie: String| {
            browser
                .get(app.url("/account"))
                .header("accept", "text/html")
                .header("cookie", cookie)
                .send()
        };
        let account = page(session_id.clone()).await.unwrap();
        assert_eq!(account.status(), 200);

        let logout = browser
            .post(app.url("/rpc/logout"))
            .header("accept", "text/html")
            .header("referer", app.url("/account"))
            .header("cookie", &session_id)
            .send()
            .await
            .unwrap();
        assert_eq!(logout.status(), 302);
        assert_eq!(location(&logout), "/");
        // The old cookie no longer names a session, even if a browser kept it.
        let after = page(session_id.clone()).await.unwrap();
        assert_eq!(after.status(), 302);
        assert_eq!(location(&after), "/login?next=/account");
        let me = browser
            .get(app.url("/api/auth/me"))
            .header("cookie", &session_id)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 401);
    })
    .await;
}

#[tokio::test]
async fn a_page_that_needs_a_user_redirects_a_visitor_to_login_and_back() {
    for_each_backend(|app| async move {
        let response = app.get_page("/account").await;
        assert_eq!(response.status(), 302);
        assert_eq!(location(&response), "/login?next=/account");
    })
    .await;
}

#[tokio::test]
async fn a_failed_plain_form_post_comes_back_with_messages_and_the_values_except_the_password() {
    for_each_backend(|app| async move {
        let response = post_form(
            &app,
            &app.client,
            "/rpc/signup",
            "/signup",
            &[
                ("name", "Grace <b>Hopper</b>"),
                ("email", "not-an-address"),
                ("password", "hunter2"),
            ],
        )
        .await;
        assert_eq!(response.status(), 303);
        let back = location(&response);
        // Nothing in the address a link could forge: the error and the values are in a
        // short-lived signed cookie, and nothing is stored for a visitor without an account.
        assert_eq!(back, "/signup");
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("failed_form="))
            .expect("a failed-form cookie");
        assert!(cookie.contains("Max-Age=300"), "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        let back = app.url(&back);

        let page = |client: reqwest::Client, url: String| async move {
            client
                .get(&url)
                .header("accept", "text/html")
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        };
        let html = page(app.client.clone(), back.clone()).await;
        assert!(
            html.contains("Enter an email address such as name@example.com."),
            "{html}"
        );
        assert!(html.contains("A password has at least 8 characters."));
        assert!(html.contains(r#"value="not-an-address""#));
        assert!(
            html.contains("Grace &lt;b&gt;Hopper&lt;/b&gt;"),
            "HTML in a kept value is escaped"
        );
        assert!(!html.contains("hunter2"), "the password is never sent back");

        // Shown once: the next visit is a fresh form.
        let again = page(app.client.clone(), back).await;
        assert!(!again.contains("Enter an email address such as name@example.com."));
        assert!(!again.contains("not-an-address"));
    })
    .await;
}

#[tokio::test]
async fn an_error_or_form_values_in_a_link_are_ignored() {
    use base64::Engine as _;
    use leptos::server_fn::error::FromServerFnError as _;
    for_each_backend(|app| async move {
        let forged = app::error::AppError::validation(vec![app::error::FieldError::body(
            "email",
            "value_error",
            "</p><script>alert(1)</script>Your account is locked; call +1 555 0100",
        )]);
        let err = base64::engine::general_purpose::URL_SAFE.encode(forged.ser());
        let link = format!("/signup?next=%2Ftasks&__path=%2Frpc%2Fsignup&__err={err}");
        let response = app.client.get(app.url(&link)).send().await.unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/signup?next=%2Ftasks");
        let html = app
            .get_page("/signup?next=%2Ftasks")
            .await
            .text()
            .await
            .unwrap();
        assert!(!html.contains("call +1 555 0100"), "{html}");
        assert!(!html.contains("<script>alert(1)"));
    })
    .await;
}

#[tokio::test]
async fn a_redirect_after_login_never_leaves_the_site() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let response = post_form(
            &app,
            &TestApp::new_client(),
            "/rpc/login",
            "/login",
            &[
                ("email", &user.email),
                ("password", &user.password),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
        assert_eq!(response.status(), 302);
        assert_eq!(location(&response), "/tasks");
    })
    .await;
}

#[tokio::test]
async fn cross_site_requests_cannot_act_with_the_session_cookie() {
    for_each_backend(|app| async move {
        post_form(
            &app,
            &app.client,
            "/rpc/signup",
            "/signup",
            &[
                ("name", "Grace"),
                ("email", &new_email()),
                ("password", "password123"),
            ],
        )
        .await;
        let forged = app
            .client
            .post(app.url("/rpc/logout"))
            .header("accept", "text/html")
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
        let also_forged = app
            .client
            .post(app.url("/api/auth/logout"))
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .unwrap();
        // The API never reads the cookie, so it cannot act with it either.
        assert_eq!(also_forged.status(), 401);
        // Still logged in: neither request did anything.
        let account = app.get_page("/account").await.text().await.unwrap();
        assert!(account.contains("Your account"), "{account}");
    })
    .await;
}

#[tokio::test]
async fn a_server_function_called_by_the_app_answers_errors_with_their_own_status() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let response = app
            .client
            .post(app.url("/rpc/login"))
            .header("accept", "application/json")
            .form(&[
                ("email", user.email.as_str()),
                ("password", "not the password"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        let body: Value = response.json().await.unwrap();
        assert!(
            body.to_string().contains("Wrong email or password."),
            "{body}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_description_that_closes_the_textarea_stays_text_in_edit_mode() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let hostile = "</textarea><script>alert(1)</script><textarea>";
        let created: Value = crate::requests::create(
            &app,
            &user,
            serde_json::json!({"title": "<b>bold</b>", "description": hostile}),
        )
        .await
        .json()
        .await
        .unwrap();
        let id = created["id"].as_str().unwrap();
        let login = post_form(
            &app,
            &app.client,
            "/rpc/login",
            "/login",
            &[("email", &user.email), ("password", &user.password)],
        )
        .await;
        assert_eq!(login.status(), 302, "{:?}", login.headers());

        let html = app
            .get_page(&format!("/tasks?edit={id}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("&lt;/textarea&gt;&lt;script&gt;alert(1)"),
            "{html}"
        );
        assert!(!html.contains("<script>alert(1)</script>"), "{html}");
        assert!(!html.contains("<b>bold</b>"));
    })
    .await;
}

/// A user whose browser (`app.client`) signed in, and whose session then ended in the
/// database, as expiry or a sign-out elsewhere ends it: the browser still holds its cookie.
async fn signed_in_then_session_ended(app: &TestApp) -> crate::helpers::TestUser {
    let user = app.new_user().await;
    crate::requests::browser_login(app, &app.client, &user).await;
    end_all_sessions(app).await;
    user
}

async fn end_all_sessions(app: &TestApp) {
    let db = app.db().await;
    app::match_pool!(db, |pool| {
        sqlx::query("delete from sessions")
            .execute(pool)
            .await
            .map(drop)
    })
    .unwrap();
}

#[tokio::test]
async fn a_task_typed_when_the_session_had_ended_survives_signing_in_again_without_javascript() {
    for_each_backend(|app| async move {
        let user = signed_in_then_session_ended(&app).await;

        let posted = post_form(
            &app,
            &app.client,
            "/rpc/tasks/add",
            "/tasks?status=active",
            &[("title", "Buy milk"), ("description", "two litres")],
        )
        .await;
        assert!(posted.status().is_redirection(), "{}", posted.status());
        assert_eq!(location(&posted), "/tasks?status=active");

        // The page sends the visitor to log in, with a way back that is one well-formed path.
        let page = app.get_page("/tasks?status=active").await;
        assert!(page.status().is_redirection(), "{}", page.status());
        assert_eq!(location(&page), "/login?next=/tasks%3Fstatus%3Dactive");
        // Showing the login page does not use up the kept form.
        assert_eq!(
            app.get_page("/login?next=%2Ftasks%3Fstatus%3Dactive")
                .await
                .status(),
            200
        );

        let again = post_form(
            &app,
            &app.client,
            "/rpc/login",
            "/login?next=/tasks%3Fstatus%3Dactive",
            &[
                ("email", &user.email),
                ("password", &user.password),
                ("next", "/tasks?status=active"),
            ],
        )
        .await;
        assert!(
            location(&again).ends_with("/tasks?status=active"),
            "{}",
            location(&again)
        );
        let html = app
            .get_page("/tasks?status=active")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("value=\"Buy milk\""), "{html}");
        assert!(html.contains("two litres"), "{html}");
        assert!(
            html.contains("You were signed out before this was saved"),
            "{html}"
        );
        // Nothing was saved while signed out.
        let tasks = crate::requests::list(&app, &user, "").await;
        assert_eq!(tasks["total"], 0, "{tasks}");
    })
    .await;
}

#[tokio::test]
async fn an_action_after_the_session_ended_gets_401_not_500() {
    for_each_backend(|app| async move {
        signed_in_then_session_ended(&app).await;
        // As the hydrated app calls server functions: no HTML accepted.
        for (path, form) in [
            ("/rpc/tasks/add", vec![("title", "x")]),
            (
                "/rpc/tasks/board",
                vec![("params[status]", "all"), ("page", "1")],
            ),
            ("/rpc/logout", vec![]),
        ] {
            let response = app
                .client
                .post(app.url(path))
                .header("origin", app.address.clone())
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            assert!(
                status == 401 || (path == "/rpc/logout" && status < 400),
                "{path}: {status} {}",
                response.text().await.unwrap()
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_server_function_sent_unreadable_arguments_answers_400_not_500() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let browser = TestApp::new_client();
        crate::requests::browser_login(&app, &browser, &user).await;
        for form in [
            vec![("params[status]", "all"), ("page", "-1")],
            vec![("params[status]", "all"), ("page", "one")],
            vec![("params[status]", "all")],
        ] {
            let response = browser
                .post(app.url("/rpc/tasks/board"))
                .header("origin", app.address.clone())
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 400, "{form:?}");
            let body = response.text().await.unwrap();
            assert!(
                body.contains("could not be read") || body.contains("missing"),
                "{body}"
            );
        }
    })
    .await;
}

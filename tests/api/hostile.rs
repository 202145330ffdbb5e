//! Hostile payloads in every field a user controls, rendered in every page and state that
//! shows them: the task list, edit mode, the account page, the header's name, and forms
//! shown again with what was typed after a failed post. No payload's markup gets through:
//! each shows up escaped, as text.

use serde_json::json;

use crate::{
    helpers::{for_each_backend, TestApp},
    requests::{browser_login, create, post_form},
};

/// Markup that would run or inject if it reached the page as HTML, one per context it
/// could break out of: element text, an attribute value, `<textarea>`, `<title>`.
const PAYLOADS: [&str; 6] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "</textarea><script>alert(3)</script>",
    "'><svg/onload=alert(4)>",
    "</title><script>alert(5)</script>",
    "<!--<iframe src=javascript:alert(6)>",
];

/// The raw pieces none of which may appear in a page's HTML.
const RAW_MARKUP: [&str; 5] = [
    "<script>alert(",
    "<img src=x",
    "<svg/onload",
    "<iframe src=javascript",
    "\"><img",
];

fn assert_no_markup_gets_through(what: &str, html: &str) {
    for raw in RAW_MARKUP {
        assert!(!html.contains(raw), "{what}: {raw:?} got through:\n{html}");
    }
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let response = app.get_page_as(client, path).await;
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.text().await.unwrap()
}

#[tokio::test]
async fn payloads_in_names_emails_titles_and_descriptions_render_as_text_everywhere() {
    for_each_backend(|app| async move {
        // An account whose name is a payload, and whose email holds what an address may
        // (no angle brackets or quotes): an entity that must not be decoded.
        let email = "o'brien&lt&x=1@evil.example";
        let password = "correct horse battery";
        let signup = app
            .post_json(
                "/api/auth/signup",
                &json!({"email": email, "password": password, "name": PAYLOADS[0]}),
            )
            .await;
        assert_eq!(signup.status(), 201, "{}", signup.text().await.unwrap());
        let user = crate::helpers::TestUser {
            id: String::new(),
            email: email.to_lowercase(),
            name: PAYLOADS[0].into(),
            password: password.into(),
            token: app.login(&email.to_lowercase(), password).await,
        };
        let me: serde_json::Value = app
            .get_with_token("/api/auth/me", &user.token)
            .await
            .json()
            .await
            .unwrap();
        let user = crate::helpers::TestUser {
            id: me["id"].as_str().unwrap().to_string(),
            ..user
        };

        let mut ids = Vec::new();
        for (i, payload) in PAYLOADS.iter().enumerate() {
            let description = PAYLOADS[(i + 1) % PAYLOADS.len()];
            let created: serde_json::Value = create(
                &app,
                &user,
                json!({"title": payload, "description": description}),
            )
            .await
            .json()
            .await
            .unwrap();
            ids.push(created["id"].as_str().unwrap().to_string());
        }

        let browser = TestApp::new_client();
        browser_login(&app, &browser, &user).await;
        let mut pages = vec![
            "/tasks".to_string(),
            "/tasks?status=active".to_string(),
            "/account".to_string(),
            "/".to_string(),
        ];
        pages.extend(ids.iter().map(|id| format!("/tasks?edit={id}")));
        for path in &pages {
            let html = page(&browser, &app, path).await;
            assert_no_markup_gets_through(path, &html);
        }
        // They were rendered, as text: the list shows every title escaped.
        let list = page(&browser, &app, "/tasks").await;
        assert!(
            list.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{list}"
        );
        assert!(
            list.contains("&lt;/textarea&gt;&lt;script&gt;alert(3)"),
            "{list}"
        );
        let account = page(&browser, &app, "/account").await;
        assert!(
            account.contains("&amp;lt&amp;x=1@evil.example"),
            "{account}"
        );
        assert!(
            account.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{account}"
        );
    })
    .await;
}

#[tokio::test]
async fn payloads_kept_in_forms_after_a_failed_post_render_as_text() {
    for_each_backend(|app| async move {
        let browser = TestApp::new_client();
        for payload in PAYLOADS {
            // A signup refused for its password: the name and email come back in the form.
            let refused = post_form(
                &app,
                &browser,
                "/rpc/signup",
                "/signup",
                &[("name", payload), ("email", payload), ("password", "short")],
            )
            .await;
            assert_eq!(refused.status(), 303);
            let html = page(&browser, &app, "/signup").await;
            assert!(
                html.contains("A password has at least 8 characters."),
                "{html}"
            );
            assert_no_markup_gets_through(&format!("signup with {payload}"), &html);

            let refused = post_form(
                &app,
                &browser,
                "/rpc/login",
                "/login",
                &[("email", payload), ("password", "whatever it is")],
            )
            .await;
            assert_eq!(refused.status(), 303);
            let html = page(&browser, &app, "/login").await;
            assert_no_markup_gets_through(&format!("login with {payload}"), &html);
        }

        // A task refused for its title (too long) comes back with its description kept.
        let user = app.new_user().await;
        browser_login(&app, &browser, &user).await;
        for payload in PAYLOADS {
            let title = format!("{payload}{}", "x".repeat(300));
            let refused = post_form(
                &app,
                &browser,
                "/rpc/tasks/add",
                "/tasks",
                &[("title", title.as_str()), ("description", payload)],
            )
            .await;
            assert_eq!(refused.status(), 303);
            let html = page(&browser, &app, "/tasks").await;
            assert!(html.contains("xxxxxxxx"), "the title is kept: {html}");
            assert_no_markup_gets_through(&format!("new task with {payload}"), &html);
        }
    })
    .await;
}

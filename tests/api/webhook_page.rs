//! The account page's webhooks section without JavaScript: plain form posts add a webhook
//! (its secret shown once, and it signs what is sent), pause it, send a test whose delivery
//! the page lists, and delete it; bad input is named on the page and stores nothing; another
//! user's webhook cannot be touched.

use reqwest::Method;
use serde_json::Value;

use crate::{
    helpers::{for_each_backend_with, TestApp},
    requests::{call, create_ok, post_form, signed_in_browser},
    webhooks::{assert_signed, Receiver, ALLOW_PRIVATE},
};

/// The account page as `browser` sees it.
async fn page(app: &TestApp, browser: &reqwest::Client, path: &str) -> String {
    let response = app.get_page_as(browser, path).await;
    assert_eq!(response.status(), 200);
    // Without the renderer's `<!>` markers (a debug build's, with component types erased),
    // so that what a cell holds can be matched.
    response.text().await.unwrap().replace("<!>", "")
}

/// A plain form post of the section, and where it sends the browser back.
async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    rpc: &str,
    form: &[(&str, &str)],
) -> String {
    let response = post_form(app, browser, rpc, "/account", form).await;
    assert!(response.status().is_redirection(), "{response:?}");
    response.headers()["location"].to_str().unwrap().to_string()
}

/// The secret the page shows, if it shows one.
fn secret_on(page: &str) -> Option<String> {
    let at = page.find("value=\"whsec_")? + "value=\"".len();
    let end = page[at..].find('"')?;
    Some(page[at..at + end].to_string())
}

async fn webhooks(app: &TestApp, user: &crate::helpers::TestUser) -> Vec<Value> {
    let (status, body) = call(app, user, Method::GET, "/webhooks", None).await;
    assert_eq!(status, 200);
    body["webhooks"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_page_adds_pauses_tests_and_deletes_a_webhook_without_javascript() {
    for_each_backend_with(ALLOW_PRIVATE, |app| async move {
        let user = app.new_user().await;
        let browser = signed_in_browser(&app, &user).await;
        assert!(page(&app, &browser, "/account")
            .await
            .contains("No webhooks yet"));

        // Bad input: both fields named at once, nothing stored.
        let back = post(
            &app,
            &browser,
            "/rpc/webhooks/add",
            &[("url", "ftp://example.com/x"), ("events", "task.exploded")],
        )
        .await;
        assert_eq!(back, "/account");
        let shown = page(&app, &browser, "/account").await;
        assert!(
            shown.contains("url must be an https (or http) URL."),
            "{shown}"
        );
        assert!(shown.contains("is not an event"), "{shown}");
        assert!(webhooks(&app, &user).await.is_empty());

        // Added: the secret is shown once, and it is the one deliveries are signed with.
        let (receiver, url) = Receiver::start(&[]).await;
        let back = post(
            &app,
            &browser,
            "/rpc/webhooks/add",
            &[("url", &url), ("events", "task.created, task.deleted")],
        )
        .await;
        assert_eq!(back, "/account?done=webhook-added#webhooks");
        let shown = page(&app, &browser, "/account?done=webhook-added").await;
        assert!(shown.contains("The webhook was added."), "{shown}");
        let secret = secret_on(&shown).expect("the secret is shown");
        assert!(
            !page(&app, &browser, "/account").await.contains(&secret),
            "shown only once"
        );
        let listed = webhooks(&app, &user).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(
            listed[0]["events"],
            serde_json::json!(["task.created", "task.deleted"])
        );
        let id = listed[0]["id"].as_str().unwrap().to_string();

        create_ok(&app, &user, "sent").await;
        receiver.bodies(1).await;
        let (headers, body) = receiver.got.lock().unwrap()[0].clone();
        assert_signed(&secret, &headers, &body);

        // A test: its ping shows in the page's last deliveries with its answer.
        let back = post(&app, &browser, "/rpc/webhooks/test", &[("id", &id)]).await;
        assert_eq!(back, "/account?done=webhook-tested#webhooks");
        receiver.bodies(2).await;
        let mut shown = String::new();
        for _ in 0..50 {
            shown = page(&app, &browser, "/account").await;
            if shown.contains("<td>ping</td>") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(shown.contains("Last deliveries (2)"), "{shown}");
        assert!(
            shown.contains("<td>ping</td>") && shown.contains("<td>task.created</td>"),
            "{shown}"
        );
        assert!(shown.contains("<td>200</td>"), "{shown}");

        // Paused, then resumed.
        let back = post(
            &app,
            &browser,
            "/rpc/webhooks/active",
            &[("id", &id), ("active", "false")],
        )
        .await;
        assert_eq!(back, "/account?done=webhook-paused#webhooks");
        assert_eq!(webhooks(&app, &user).await[0]["active"], false);
        assert!(page(&app, &browser, "/account?done=webhook-paused")
            .await
            .contains(">Paused<"));
        post(
            &app,
            &browser,
            "/rpc/webhooks/active",
            &[("id", &id), ("active", "true")],
        )
        .await;
        assert_eq!(webhooks(&app, &user).await[0]["active"], true);

        // Another user can neither pause nor delete it; their page does not show it.
        let other = app.new_user().await;
        let stranger = signed_in_browser(&app, &other).await;
        let back = post(&app, &stranger, "/rpc/webhooks/delete", &[("id", &id)]).await;
        assert_eq!(back, "/account");
        let theirs = page(&app, &stranger, "/account").await;
        assert!(theirs.contains("There is no such webhook."), "{theirs}");
        assert!(!theirs.contains(&url), "{theirs}");
        post(
            &app,
            &stranger,
            "/rpc/webhooks/active",
            &[("id", &id), ("active", "false")],
        )
        .await;
        assert_eq!(webhooks(&app, &user).await[0]["active"], true);

        // Deleted.
        let back = post(&app, &browser, "/rpc/webhooks/delete", &[("id", &id)]).await;
        assert_eq!(back, "/account?done=webhook-deleted#webhooks");
        assert!(webhooks(&app, &user).await.is_empty());
        assert!(page(&app, &browser, "/account")
            .await
            .contains("No webhooks yet"));
    })
    .await;
}

#[tokio::test]
async fn a_hostile_address_is_shown_as_text() {
    for_each_backend_with(ALLOW_PRIVATE, |app| async move {
        let user = app.new_user().await;
        let browser = signed_in_browser(&app, &user).await;
        let hostile = "http://127.0.0.1:9/\"><script>alert(1)</script>?q=</textarea><b>x";
        post(
            &app,
            &browser,
            "/rpc/webhooks/add",
            &[("url", hostile), ("events", "*")],
        )
        .await;
        let shown = page(&app, &browser, "/account").await;
        assert!(!shown.contains("<script>alert(1)"), "{shown}");
        assert!(!shown.contains("<b>x"), "{shown}");
        assert!(shown.contains("Sends every event"), "{shown}");
    })
    .await;
}

//! Login throttling: failures per account and per address lock logins out for a while.

use serde_json::json;

use crate::{
    helpers::{for_each_backend, for_each_backend_with, TestApp},
    requests::{assert_error_shape, error_fields, new_email},
};

async fn failed_login(app: &TestApp, email: &str) -> reqwest::Response {
    app.post_json(
        "/api/auth/login",
        &json!({"email": email, "password": "wrong password"}),
    )
    .await
}

#[tokio::test]
async fn ten_failures_for_one_account_lock_it_with_429_until_the_window_passes() {
    for_each_backend_with(&[("LOGIN_FAILURE_WINDOW_SECS", "5")], |app| async move {
        let user = app.new_user().await;
        for attempt in 1..=10 {
            assert_eq!(
                failed_login(&app, &user.email).await.status(),
                401,
                "attempt {attempt}"
            );
        }
        let locked = app
            .post_json(
                "/api/auth/login",
                &json!({"email": user.email, "password": user.password}),
            )
            .await;
        let retry_after: u64 = locked.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=5).contains(&retry_after), "{retry_after}");
        assert_error_shape(locked, 429).await;

        tokio::time::sleep(std::time::Duration::from_secs(retry_after + 1)).await;
        app.login(&user.email, &user.password).await;
    })
    .await;
}

#[tokio::test]
async fn ten_failures_from_one_address_lock_it_for_every_account() {
    for_each_backend(|app| async move {
        let victim = app.new_user().await;
        for _ in 0..10 {
            assert_eq!(failed_login(&app, &new_email()).await.status(), 401);
        }
        let response = app
            .post_json(
                "/api/auth/login",
                &json!({"email": victim.email, "password": victim.password}),
            )
            .await;
        assert!(response.headers().contains_key("retry-after"));
        assert_error_shape(response, 429).await;
    })
    .await;
}

#[tokio::test]
async fn login_validation_is_422_not_401_and_does_not_count_as_a_failure() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        for _ in 0..12 {
            let response = app
                .post_json(
                    "/api/auth/login",
                    &json!({"email": user.email, "password": ""}),
                )
                .await;
            let body = assert_error_shape(response, 422).await;
            assert_eq!(error_fields(&body), ["body.password"]);
        }
        app.login(&user.email, &user.password).await;
    })
    .await;
}

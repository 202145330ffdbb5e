//! App passwords through the JSON API: shown once, listed with when each was last used,
//! revoked, each its owner's alone; only they (never the account password) sign a calendar
//! app in.

use reqwest::Method;
use serde_json::json;

use crate::{
    caldav::{app_password, dav},
    helpers::{for_each_backend, for_each_backend_with},
    requests::{send, status_and_body},
};

#[tokio::test]
async fn app_passwords_are_shown_once_listed_and_revoked() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let password = app_password(&app, &user).await;
        assert_eq!(password.len(), 29, "{password}");
        let creds = (user.email.as_str(), password.as_str());
        let (status, ..) = dav(&app, creds, "PROPFIND", "/dav/", &[("depth", "0")], "").await;
        assert_eq!(status, 207);
        // The account password never signs a calendar app in.
        let account = (user.email.as_str(), user.password.as_str());
        let (status, headers, body) = dav(&app, account, "PROPFIND", "/dav/", &[], "").await;
        assert_eq!(status, 401, "{body}");
        assert!(headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic"));

        let (status, listed) = status_and_body(
            send(
                &app,
                &user.token,
                Method::GET,
                "/api/auth/app-passwords",
                None,
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        let listed = listed["app_passwords"].as_array().unwrap().clone();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].get("password").is_none(), "{listed:?}");
        assert!(listed[0]["last_used_at"].is_string(), "{listed:?}");

        // A password change leaves it alone; revoking it ends it.
        let id = listed[0]["id"].as_str().unwrap();
        let path = format!("/api/auth/app-passwords/{id}");
        let response = send(&app, &user.token, Method::DELETE, &path, None).await;
        assert_eq!(response.status(), 204);
        let response = send(&app, &user.token, Method::DELETE, &path, None).await;
        assert_eq!(response.status(), 404);
        let (status, ..) = dav(&app, creds, "PROPFIND", "/dav/", &[], "").await;
        assert_eq!(status, 401);

        // Someone else's is not yours to revoke, and a bad name is 422.
        let other = app.new_user().await;
        let made = send(
            &app,
            &other.token,
            Method::POST,
            "/api/auth/app-passwords",
            Some(json!({"name": "Theirs"})),
        )
        .await;
        let (_, made) = status_and_body(made).await;
        let theirs = format!("/api/auth/app-passwords/{}", made["id"].as_str().unwrap());
        let response = send(&app, &user.token, Method::DELETE, &theirs, None).await;
        assert_eq!(response.status(), 404);
        let response = send(&app, &other.token, Method::DELETE, &theirs, None).await;
        assert_eq!(response.status(), 204);
        let response = send(
            &app,
            &user.token,
            Method::POST,
            "/api/auth/app-passwords",
            Some(json!({"name": " "})),
        )
        .await;
        assert_eq!(response.status(), 422);
    })
    .await;
}

#[tokio::test]
async fn wrong_app_passwords_count_toward_the_login_limits() {
    for_each_backend_with(&[("LOGIN_MAX_FAILURES", "3")], |app| async move {
        let user = app.new_user().await;
        let wrong = (user.email.as_str(), "aaaa-aaaa-aaaa-aaaa-aaaa-aaaa");
        for _ in 0..3 {
            let (status, ..) = dav(&app, wrong, "PROPFIND", "/dav/", &[], "").await;
            assert_eq!(status, 401);
        }
        let (status, headers, _) = dav(&app, wrong, "PROPFIND", "/dav/", &[], "").await;
        assert_eq!(status, 429);
        assert!(headers.contains_key("retry-after"));
        // The same ceiling holds for the account's own login from this address.
        let response = app
            .post_json(
                "/api/auth/login",
                &json!({"email": user.email, "password": user.password}),
            )
            .await;
        assert_eq!(response.status(), 429);
    })
    .await;
}

#[tokio::test]
async fn a_password_change_and_signing_out_everywhere_leave_app_passwords_alone() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let password = app_password(&app, &user).await;
        let creds = (user.email.as_str(), password.as_str());
        let change =
            json!({"current_password": user.password, "new_password": "another password 2"});
        let response = send(
            &app,
            &user.token,
            Method::POST,
            "/api/auth/password",
            Some(change),
        )
        .await;
        assert_eq!(response.status(), 204);
        let (status, ..) = dav(&app, creds, "PROPFIND", "/dav/", &[], "").await;
        assert_eq!(status, 207);
        let token = app.login(&user.email, "another password 2").await;
        let response = send(&app, &token, Method::POST, "/api/auth/logout-all", None).await;
        assert_eq!(response.status(), 204);
        let (status, ..) = dav(&app, creds, "PROPFIND", "/dav/", &[], "").await;
        assert_eq!(status, 207);

        // Deleting the account removes them.
        let token = app.login(&user.email, "another password 2").await;
        let body = json!({"password": "another password 2"});
        let response = send(&app, &token, Method::DELETE, "/api/auth/me", Some(body)).await;
        assert_eq!(response.status(), 204);
        let (status, ..) = dav(&app, creds, "PROPFIND", "/dav/", &[], "").await;
        assert_eq!(status, 401);
        let db = app.db().await;
        let left: i64 = app::match_pool!(db, |pool| {
            sqlx::query_scalar("select count(*) from app_passwords")
                .fetch_one(pool)
                .await
                .unwrap()
        });
        assert_eq!(left, 0);
    })
    .await;
}

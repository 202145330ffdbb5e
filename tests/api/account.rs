//! Accounts a user controls: profile, e-mail, password, signing out everywhere, the list of
//! browser sessions, deleting the account, export and import, and the operator's reset.

use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    helpers::{for_each_backend, TestApp, TestUser},
    requests::{assert_error_shape, browser_login, create_ok, error_fields, post_form, send},
};

/// The status of an API login with these credentials.
async fn login_status(app: &TestApp, email: &str, password: &str) -> u16 {
    let body = json!({"email": email, "password": password});
    app.post_json("/api/auth/login", &body)
        .await
        .status()
        .as_u16()
}

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.get_with_token("/api/auth/me", token).await
}

/// Who a browser's session belongs to, asked as the hydrated page asks (null: nobody).
async fn browser_user(app: &TestApp, browser: &reqwest::Client) -> Value {
    let response = browser
        .post(app.url("/rpc/current_user"))
        .header("origin", app.address.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn signed_in_browser(app: &TestApp, user: &TestUser) -> reqwest::Client {
    let browser = TestApp::new_client();
    browser_login(app, &browser, user).await;
    assert_eq!(browser_user(app, &browser).await["id"], user.id.as_str());
    browser
}

#[tokio::test]
async fn a_profile_has_a_time_zone_and_its_name_and_zone_can_be_changed() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let body: Value = me(&app, &user.token).await.json().await.unwrap();
        assert_eq!(body["time_zone"], "UTC");
        assert!(body.get("must_change_password").is_none(), "{body}");

        let changed = send(
            &app,
            &user.token,
            Method::PATCH,
            "/api/auth/me",
            Some(json!({"name": "  Ada King ", "time_zone": "Europe/London"})),
        )
        .await;
        assert_eq!(changed.status(), 200);
        let changed: Value = changed.json().await.unwrap();
        assert_eq!(changed["name"], "Ada King");
        assert_eq!(changed["time_zone"], "Europe/London");
        let again: Value = me(&app, &user.token).await.json().await.unwrap();
        assert_eq!(again, changed);

        // Only what is given changes.
        let zone_only = send(
            &app,
            &user.token,
            Method::PATCH,
            "/api/auth/me",
            Some(json!({"time_zone": "Asia/Tokyo"})),
        )
        .await;
        let zone_only: Value = zone_only.json().await.unwrap();
        assert_eq!(zone_only["name"], "Ada King");
        assert_eq!(zone_only["time_zone"], "Asia/Tokyo");

        // Every bad field at once, and nothing stored.
        let bad = send(
            &app,
            &user.token,
            Method::PATCH,
            "/api/auth/me",
            Some(json!({"name": "", "time_zone": "Mars/Olympus_Mons"})),
        )
        .await;
        let bad = assert_error_shape(bad, 422).await;
        assert_eq!(error_fields(&bad), ["body.name", "body.time_zone"]);
        let after: Value = me(&app, &user.token).await.json().await.unwrap();
        assert_eq!(after["time_zone"], "Asia/Tokyo");

        // Signup takes a time zone too.
        let signed_up = app
            .post_json(
                "/api/auth/signup",
                &json!({"email": crate::requests::new_email(), "password": "long enough",
                        "name": "Zoned", "time_zone": "America/New_York"}),
            )
            .await;
        assert_eq!(signed_up.status(), 201);
        let signed_up: Value = signed_up.json().await.unwrap();
        assert_eq!(signed_up["time_zone"], "America/New_York");
    })
    .await;
}

#[tokio::test]
async fn the_email_changes_only_with_the_current_password_and_to_a_free_address() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let other = app.new_user().await;
        let path = "/api/auth/email";
        let post = |body: Value| send(&app, &user.token, Method::POST, path, Some(body));

        let wrong = post(json!({"current_password": "not the password", "email": "new@example.com"})).await;
        let wrong = assert_error_shape(wrong, 401).await;
        assert_eq!(wrong["detail"], "The current password is wrong.");

        let taken = post(json!({"current_password": user.password, "email": other.email.to_uppercase()})).await;
        assert_error_shape(taken, 409).await;

        let invalid = post(json!({"current_password": "", "email": "nope"})).await;
        let invalid = assert_error_shape(invalid, 422).await;
        assert_eq!(error_fields(&invalid), ["body.current_password", "body.email"]);

        let new_email = crate::requests::new_email();
        let moved = post(json!({"current_password": user.password, "email": format!(" {} ", new_email.to_uppercase())})).await;
        assert_eq!(moved.status(), 200);
        let moved: Value = moved.json().await.unwrap();
        assert_eq!(moved["email"], new_email.as_str());

        app.login(&new_email, &user.password).await;
        assert_eq!(login_status(&app, &user.email, &user.password).await, 401);
    })
    .await;
}

#[tokio::test]
async fn a_new_password_ends_every_other_session_and_token_but_the_one_it_was_made_with() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let other_token = app.login(&user.email, &user.password).await;
        let browser = signed_in_browser(&app, &user).await;
        let path = "/api/auth/password";

        let wrong = send(
            &app,
            &user.token,
            Method::POST,
            path,
            Some(json!({"current_password": "not it at all", "new_password": "a new password"})),
        )
        .await;
        assert_error_shape(wrong, 401).await;
        let short = send(
            &app,
            &user.token,
            Method::POST,
            path,
            Some(json!({"current_password": user.password, "new_password": "short"})),
        )
        .await;
        let short = assert_error_shape(short, 422).await;
        assert_eq!(error_fields(&short), ["body.new_password"]);
        // Nothing has ended yet.
        assert_eq!(me(&app, &other_token).await.status(), 200);

        let changed = send(
            &app,
            &user.token,
            Method::POST,
            path,
            Some(json!({"current_password": user.password, "new_password": "a new password"})),
        )
        .await;
        assert_eq!(changed.status(), 204);

        assert_eq!(
            me(&app, &user.token).await.status(),
            200,
            "the token it was made with"
        );
        assert_error_shape(me(&app, &other_token).await, 401).await;
        assert_eq!(browser_user(&app, &browser).await, Value::Null);

        // The old password is gone, the new one works at once (even within the same second).
        assert_eq!(login_status(&app, &user.email, &user.password).await, 401);
        let fresh = app.login(&user.email, "a new password").await;
        assert_eq!(me(&app, &fresh).await.status(), 200);
    })
    .await;
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_token_and_browser_and_a_new_login_works_at_once() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let second = app.login(&user.email, &user.password).await;
        let browser = signed_in_browser(&app, &user).await;
        let bystander = app.new_user().await;
        let bystander_browser = signed_in_browser(&app, &bystander).await;

        let out = send(
            &app,
            &user.token,
            Method::POST,
            "/api/auth/logout-all",
            None,
        )
        .await;
        assert_eq!(out.status(), 204);
        for token in [&user.token, &second] {
            assert_error_shape(me(&app, token).await, 401).await;
        }
        assert_eq!(browser_user(&app, &browser).await, Value::Null);
        // Nobody else is touched.
        assert_eq!(me(&app, &bystander.token).await.status(), 200);
        assert_eq!(
            browser_user(&app, &bystander_browser).await["id"],
            bystander.id.as_str()
        );

        let again = app.login(&user.email, &user.password).await;
        assert_eq!(me(&app, &again).await.status(), 200);
        // Without a token: 401.
        let anonymous = app
            .client
            .post(app.url("/api/auth/logout-all"))
            .send()
            .await
            .unwrap();
        assert_error_shape(anonymous, 401).await;
    })
    .await;
}

#[tokio::test]
async fn a_browser_lists_its_users_sessions_and_ends_another_one_but_never_someone_elses() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let laptop = signed_in_browser(&app, &user).await;
        let phone = signed_in_browser(&app, &user).await;
        let stranger = app.new_user().await;
        let strangers = signed_in_browser(&app, &stranger).await;

        let list = |browser: reqwest::Client| {
            let app = app.clone();
            async move {
                let response = browser
                    .post(app.url("/rpc/account/sessions"))
                    .header("origin", app.address.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                response.json::<Vec<Value>>().await.unwrap()
            }
        };
        let sessions = list(laptop.clone()).await;
        assert_eq!(sessions.len(), 2, "{sessions:?}");
        assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
        let phone_handle = sessions.iter().find(|s| s["current"] == false).unwrap()["handle"]
            .as_str()
            .unwrap()
            .to_string();
        // The session's secret id never leaves the server.
        assert!(sessions.iter().all(|s| s.get("session_id").is_none()));
        let strangers_handle = list(strangers.clone()).await[0]["handle"]
            .as_str()
            .unwrap()
            .to_string();

        // Someone else's session: not found, and it goes on.
        let form = [("handle", strangers_handle.as_str())];
        let refused = post_form(
            &app,
            &laptop,
            "/rpc/account/sessions/end",
            "/account",
            &form,
        )
        .await;
        assert_eq!(refused.status(), 303);
        assert_eq!(
            browser_user(&app, &strangers).await["id"],
            stranger.id.as_str()
        );

        let form = [("handle", phone_handle.as_str())];
        let ended = post_form(
            &app,
            &laptop,
            "/rpc/account/sessions/end",
            "/account",
            &form,
        )
        .await;
        assert_eq!(ended.status(), 302);
        assert_eq!(ended.headers()["location"], "/account?done=session");
        assert_eq!(browser_user(&app, &phone).await, Value::Null);
        assert_eq!(browser_user(&app, &laptop).await["id"], user.id.as_str());
        assert_eq!(list(laptop.clone()).await.len(), 1);
    })
    .await;
}

/// Rows anywhere that still name the user, after their account was deleted.
async fn rows_left(
    app: &TestApp,
    user_id: &str,
    email: &str,
    session_ids: &[String],
) -> Vec<String> {
    let db = app.db().await;
    let id = uuid::Uuid::parse_str(user_id).unwrap();
    let mut left = Vec::new();
    for (table, column) in [
        ("users", "id"),
        ("tasks", "user_id"),
        ("task_counts", "user_id"),
        ("user_sessions", "user_id"),
    ] {
        let sql = format!("select count(*) from {table} where {column} = $1");
        let count: i64 = app::match_pool!(&db, |pool| sqlx::query_scalar(&sql)
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap());
        if count > 0 {
            left.push(format!("{count} in {table}"));
        }
    }
    for session in session_ids {
        let count: i64 = app::match_pool!(&db, |pool| sqlx::query_scalar(
            "select count(*) from sessions where id = $1"
        )
        .bind(session)
        .fetch_one(pool)
        .await
        .unwrap());
        if count > 0 {
            left.push(format!("session {session}"));
        }
    }
    let pattern = format!("%{email}");
    let throttled: i64 = app::match_pool!(&db, |pool| sqlx::query_scalar(
        "select count(*) from throttle_events where subject like $1"
    )
    .bind(&pattern)
    .fetch_one(pool)
    .await
    .unwrap());
    if throttled > 0 {
        left.push(format!("{throttled} in throttle_events"));
    }
    db.close().await;
    left
}

async fn session_ids_of(app: &TestApp, user_id: &str) -> Vec<String> {
    let db = app.db().await;
    let id = uuid::Uuid::parse_str(user_id).unwrap();
    let ids: Vec<String> = app::match_pool!(&db, |pool| sqlx::query_scalar(
        "select session_id from user_sessions where user_id = $1"
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .unwrap());
    db.close().await;
    ids
}

#[tokio::test]
async fn deleting_the_account_needs_its_password_and_leaves_no_row_of_it() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let keeper = app.new_user().await;
        create_ok(&app, &user, "mine").await;
        create_ok(&app, &keeper, "theirs").await;
        let browser = signed_in_browser(&app, &user).await;
        assert_eq!(login_status(&app, &user.email, "a wrong guess").await, 401);
        let sessions = session_ids_of(&app, &user.id).await;
        assert_eq!(sessions.len(), 1);

        let wrong = send(
            &app,
            &user.token,
            Method::DELETE,
            "/api/auth/me",
            Some(json!({"password": "not the one"})),
        )
        .await;
        assert_error_shape(wrong, 401).await;
        assert_eq!(me(&app, &user.token).await.status(), 200, "nothing deleted");
        let missing = send(
            &app,
            &user.token,
            Method::DELETE,
            "/api/auth/me",
            Some(json!({})),
        )
        .await;
        assert_error_shape(missing, 422).await;

        let deleted = send(
            &app,
            &user.token,
            Method::DELETE,
            "/api/auth/me",
            Some(json!({"password": user.password})),
        )
        .await;
        assert_eq!(deleted.status(), 204);
        assert_error_shape(me(&app, &user.token).await, 401).await;
        assert_eq!(browser_user(&app, &browser).await, Value::Null);
        let left = rows_left(&app, &user.id, &user.email, &sessions).await;
        assert!(left.is_empty(), "left behind: {left:?}");
        // (A login with the address now counts against it afresh, like any unknown one.)
        assert_eq!(login_status(&app, &user.email, &user.password).await, 401);
        // The other user keeps everything.
        assert_eq!(crate::requests::list(&app, &keeper, "").await["total"], 1);
        // The address is free again.
        let again = app
            .post_json(
                "/api/auth/signup",
                &json!({"email": user.email, "password": "another one", "name": "Again"}),
            )
            .await;
        assert_eq!(again.status(), 201);
    })
    .await;
}

#[tokio::test]
async fn the_page_deletes_an_account_only_when_confirmed() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let browser = signed_in_browser(&app, &user).await;
        let unconfirmed = post_form(
            &app,
            &browser,
            "/rpc/account/delete",
            "/account/delete",
            &[("password", user.password.as_str())],
        )
        .await;
        assert_eq!(unconfirmed.status(), 303);
        assert_eq!(me(&app, &user.token).await.status(), 200);
        let page = app
            .get_page_as(&browser, "/account/delete")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("Tick the box to confirm"), "{page}");

        let confirmed = post_form(
            &app,
            &browser,
            "/rpc/account/delete",
            "/account/delete",
            &[("password", user.password.as_str()), ("confirm", "yes")],
        )
        .await;
        assert_eq!(confirmed.status(), 302);
        assert_eq!(confirmed.headers()["location"], "/?deleted=1");
        assert_error_shape(me(&app, &user.token).await, 401).await;
    })
    .await;
}

/// The fields of exported tasks that must survive a round trip (ids aside).
fn portable(tasks: &Value) -> Vec<Value> {
    tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            json!([
                t["title"],
                t["description"],
                t["is_completed"],
                t["created_at"],
                t["updated_at"]
            ])
        })
        .collect()
}

async fn export_of(app: &TestApp, user: &TestUser) -> Value {
    let response = app
        .get_with_token(&format!("/api/{}/export", user.id), &user.token)
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn export_then_import_elsewhere_then_export_gives_the_same_tasks() {
    for_each_backend(|app| async move {
        let from = app.new_user().await;
        let first = create_ok(&app, &from, "first").await;
        let with_details = crate::requests::create(
            &app,
            &from,
            json!({"title": "second ✓", "description": "line one\nline two"}),
        )
        .await;
        assert_eq!(with_details.status(), 201);
        send(
            &app,
            &from.token,
            Method::PATCH,
            &format!(
                "/api/{}/tasks/{}/complete",
                from.id,
                first["id"].as_str().unwrap()
            ),
            Some(json!({"is_completed": true})),
        )
        .await;

        let exported = export_of(&app, &from).await;
        assert_eq!(exported["format"], "todo-export");
        assert_eq!(exported["version"], 2);
        assert_eq!(exported["user"]["email"], from.email.as_str());
        assert_eq!(exported["lists"].as_array().unwrap().len(), 1);
        assert_eq!(exported["lists"][0]["name"], "Inbox");
        assert_eq!(exported["lists"][0]["inbox"], true);
        let tasks = &exported["lists"][0]["tasks"];
        assert_eq!(tasks.as_array().unwrap().len(), 2);
        assert_eq!(tasks[0]["title"], "first", "oldest first");

        let to = app.new_user().await;
        let imported = send(
            &app,
            &to.token,
            Method::POST,
            &format!("/api/{}/import", to.id),
            Some(exported.clone()),
        )
        .await;
        assert_eq!(imported.status(), 200);
        assert_eq!(
            imported.json::<Value>().await.unwrap(),
            json!({"imported": 2})
        );

        let again = export_of(&app, &to).await;
        let again = &again["lists"][0]["tasks"];
        assert_eq!(portable(again), portable(tasks));
        let old_ids: Vec<&Value> = tasks.as_array().unwrap().iter().map(|t| &t["id"]).collect();
        for task in again.as_array().unwrap() {
            assert!(!old_ids.contains(&&task["id"]), "new ids");
            assert_eq!(task["user_id"], to.id.as_str());
        }
        assert_eq!(crate::requests::list(&app, &to, "").await["total"], 2);
    })
    .await;
}

#[tokio::test]
async fn an_import_with_one_bad_task_names_it_and_stores_nothing() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        create_ok(&app, &user, "already here").await;
        let path = format!("/api/{}/import", user.id);
        let task =
            |title: &str| json!({"title": title, "created_at": "2026-01-06T10:00:00.123456Z"});
        let bad_title = json!({"format": "todo-export", "version": 1,
            "tasks": [task("one"), task("two"), task("   "), task("four")]});
        let refused = send(&app, &user.token, Method::POST, &path, Some(bad_title)).await;
        let refused = assert_error_shape(refused, 422).await;
        assert_eq!(
            refused["errors"][0]["loc"],
            json!(["body", "tasks", 2, "title"])
        );

        let bad_type = json!({"format": "todo-export", "version": 1,
            "tasks": [task("one"), {"title": "two", "created_at": "yesterday"}]});
        let refused = send(&app, &user.token, Method::POST, &path, Some(bad_type)).await;
        let refused = assert_error_shape(refused, 422).await;
        assert_eq!(
            refused["errors"][0]["loc"],
            json!(["body", "tasks", 1, "created_at"])
        );

        let wrong_format = json!({"format": "csv", "version": 1, "tasks": [task("one")]});
        let refused = send(&app, &user.token, Method::POST, &path, Some(wrong_format)).await;
        assert_error_shape(refused, 422).await;

        let too_many = json!({"format": "todo-export", "version": 1,
            "tasks": vec![task("t"); 10_001]});
        let refused = send(&app, &user.token, Method::POST, &path, Some(too_many)).await;
        assert_error_shape(refused, 422).await;

        assert_eq!(
            crate::requests::list(&app, &user, "").await["total"],
            1,
            "nothing imported"
        );

        // Someone else's import or export: 403.
        let other = app.new_user().await;
        let theirs = send(
            &app,
            &user.token,
            Method::GET,
            &format!("/api/{}/export", other.id),
            None,
        )
        .await;
        assert_error_shape(theirs, 403).await;
        let theirs = send(
            &app,
            &user.token,
            Method::POST,
            &format!("/api/{}/import", other.id),
            Some(json!({"format": "todo-export", "version": 1, "tasks": [task("x")]})),
        )
        .await;
        assert_error_shape(theirs, 403).await;
        assert_eq!(crate::requests::list(&app, &other, "").await["total"], 0);
    })
    .await;
}

#[tokio::test]
async fn the_page_exports_a_file_and_imports_one_without_javascript() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        create_ok(&app, &user, "<script>alert(1)</script> exported").await;
        let browser = signed_in_browser(&app, &user).await;
        let download = app.get_page_as(&browser, "/account/export").await;
        assert_eq!(download.status(), 200);
        assert!(download.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"todo-export-"));
        let file = download.bytes().await.unwrap();

        // A bearer token is not how pages sign in.
        let anonymous = app.client.get(app.url("/account/export")).bearer_auth(&user.token).send().await.unwrap();
        assert_eq!(anonymous.status(), 303);

        let upload = |bytes: Vec<u8>| {
            let form = reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(bytes).file_name("export.json"));
            browser
                .post(app.url("/account/import"))
                .header("origin", app.address.clone())
                .multipart(form)
                .send()
        };
        let imported = upload(file.to_vec()).await.unwrap();
        assert_eq!(imported.status(), 303);
        assert_eq!(imported.headers()["location"], "/account?imported=1", "{imported:?}");
        assert_eq!(crate::requests::list(&app, &user, "").await["total"], 2);
        let page = app.get_page_as(&browser, "/account?imported=1").await.text().await.unwrap();
        assert!(page.contains("Imported 1 task."), "{page}");

        let broken = upload(b"{\"format\": \"todo-export\", \"version\": 1, \"tasks\": [{\"title\": \"\", \"created_at\": \"2026-01-06T10:00:00Z\"}]}".to_vec()).await.unwrap();
        assert_eq!(broken.status(), 303);
        assert_eq!(broken.headers()["location"], "/account", "{broken:?}");
        let page = app.get_page_as(&browser, "/account").await.text().await.unwrap();
        assert!(page.contains("Nothing was imported. In the file (task 1, title): A task needs a title."), "{page}");
        assert_eq!(crate::requests::list(&app, &user, "").await["total"], 2);

        // A cross-site upload is refused.
        let cross = browser
            .post(app.url("/account/import"))
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .multipart(reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(file.to_vec())))
            .send()
            .await
            .unwrap();
        assert_eq!(cross.status(), 403);
        assert_eq!(crate::requests::list(&app, &user, "").await["total"], 2);
    })
    .await;
}

/// Runs the server binary's `reset-password` subcommand against the test's database.
async fn reset_password(app: &TestApp, email: &str) -> std::process::Output {
    let url = app.config.database_url.clone();
    let email = email.to_string();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_todo"))
            .args(["reset-password", &email])
            .env("DATABASE_URL", url)
            .env("JWT_SECRET", crate::helpers::JWT_SECRET)
            .env("DATA_DIR", std::env::temp_dir())
            .output()
            .expect("the server binary runs")
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn an_operators_reset_prints_a_one_time_password_that_must_be_changed_first() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let browser = signed_in_browser(&app, &user).await;
        let output = reset_password(&app, &user.email.to_uppercase()).await;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let one_time = String::from_utf8(output.stdout).unwrap().trim().to_string();
        assert_eq!(one_time.chars().count(), 20, "{one_time:?}");

        // Everything of the user ended; the old password is gone.
        assert_error_shape(me(&app, &user.token).await, 401).await;
        assert_eq!(browser_user(&app, &browser).await, Value::Null);
        assert_eq!(login_status(&app, &user.email, &user.password).await, 401);

        let token = app.login(&user.email, &one_time).await;
        let me_now: Value = me(&app, &token).await.json().await.unwrap();
        assert_eq!(me_now["must_change_password"], true);
        let tasks = app
            .get_with_token(&format!("/api/{}/tasks", user.id), &token)
            .await;
        let tasks = assert_error_shape(tasks, 403).await;
        assert!(
            tasks["detail"]
                .as_str()
                .unwrap()
                .contains("choose a new one"),
            "{tasks}"
        );

        // The page leads there too.
        let page_browser = TestApp::new_client();
        let login = post_form(
            &app,
            &page_browser,
            "/rpc/login",
            "/login",
            &[
                ("email", user.email.as_str()),
                ("password", one_time.as_str()),
            ],
        )
        .await;
        assert_eq!(login.headers()["location"], "/account");
        let tasks_page = app.get_page_as(&page_browser, "/tasks").await;
        assert_eq!(tasks_page.headers()["location"], "/account");

        let changed = send(
            &app,
            &token,
            Method::POST,
            "/api/auth/password",
            Some(json!({"current_password": one_time, "new_password": "chosen by me"})),
        )
        .await;
        assert_eq!(changed.status(), 204);
        assert_eq!(
            app.get_with_token(&format!("/api/{}/tasks", user.id), &token)
                .await
                .status(),
            200
        );
        let me_after: Value = me(&app, &token).await.json().await.unwrap();
        assert!(me_after.get("must_change_password").is_none());

        // An unknown address: a clear failure, nothing printed.
        let unknown = reset_password(&app, "nobody@example.com").await;
        assert!(!unknown.status.success());
        assert!(unknown.stdout.is_empty());
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("no account"));
    })
    .await;
}

#[tokio::test]
async fn an_import_may_be_larger_than_other_bodies_but_is_bounded() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let path = format!("/api/{}/import", user.id);
        // About 1.6 MB: over the 64 KiB other API bodies may have, and over the 1 MiB of pages.
        let task = json!({"title": "imported", "description": "d".repeat(1900),
                          "created_at": "2026-01-06T10:00:00.123456Z"});
        let big = json!({"format": "todo-export", "version": 1, "tasks": vec![task; 800]});
        let imported = send(&app, &user.token, Method::POST, &path, Some(big)).await;
        assert_eq!(imported.status(), 200);
        assert_eq!(crate::requests::list(&app, &user, "").await["total"], 800);

        let huge = format!(
            r#"{{"format": "todo-export", "version": 1, "tasks": [{{"title": "{}", "created_at": "2026-01-06T10:00:00Z"}}]}}"#,
            "x".repeat(9 * 1024 * 1024)
        );
        let refused = app
            .client
            .post(app.url(&path))
            .bearer_auth(&user.token)
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .unwrap();
        assert_error_shape(refused, 413).await;
        assert_eq!(crate::requests::list(&app, &user, "").await["total"], 800);
    })
    .await;
}

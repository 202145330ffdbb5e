//! The task API, exactly as the contract fixes it, on every route.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::helpers::{for_each_backend, TestApp, TestUser};

async fn create(app: &TestApp, user: &TestUser, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/{}/tasks", user.id)))
        .bearer_auth(&user.token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn create_ok(app: &TestApp, user: &TestUser, title: &str) -> Value {
    let response = create(app, user, json!({"title": title})).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn send(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// A successful list of the user's tasks with the given query string.
async fn list(app: &TestApp, user: &TestUser, query: &str) -> Value {
    let response = send(
        app,
        &user.token,
        reqwest::Method::GET,
        &format!("/api/{}/tasks?{query}", user.id),
        None,
    )
    .await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

async fn status_and_body(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn assert_error(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["status_code"], expected, "{body}");
    assert!(body["detail"].is_string(), "{body}");
}

#[tokio::test]
async fn create_answers_201_with_the_task_and_its_location() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let response = create(&app, &user, json!({"title": "  Buy milk  ", "description": "2 litres", "user_id": "someone-else", "id": "mine"})).await;
        assert_eq!(response.status(), 201);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let task: Value = response.json().await.unwrap();
        assert_eq!(location, format!("/api/{}/tasks/{}", user.id, task["id"].as_str().unwrap()));
        assert_eq!(task["title"], "Buy milk");
        assert_eq!(task["description"], "2 litres");
        assert_eq!(task["is_completed"], false);
        assert_eq!(task["user_id"], user.id.as_str(), "a user_id in the body is ignored");
        assert!(uuid::Uuid::parse_str(task["id"].as_str().unwrap()).is_ok());
        assert_eq!(task["created_at"], task["updated_at"]);
        let keys: HashSet<&str> = task.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, HashSet::from(["id", "user_id", "title", "description", "is_completed", "created_at", "updated_at"]));

        let fetched = send(&app, &user.token, reqwest::Method::GET, &location, None).await;
        assert_eq!(fetched.status(), 200);
        assert_eq!(fetched.json::<Value>().await.unwrap(), task);

        let bare = create_ok(&app, &user, "No description").await;
        assert_eq!(bare["description"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn update_replaces_title_and_description_and_moves_only_updated_at() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let task = create(&app, &user, json!({"title": "Draft", "description": "old"}))
            .await
            .json::<Value>()
            .await
            .unwrap();
        let path = format!("/api/{}/tasks/{}", user.id, task["id"].as_str().unwrap());

        let (status, updated) = status_and_body(
            send(
                &app,
                &user.token,
                reqwest::Method::PUT,
                &path,
                Some(json!({"title": "Final"})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{updated}");
        assert_eq!(updated["title"], "Final");
        assert_eq!(
            updated["description"],
            Value::Null,
            "an omitted description clears it"
        );
        assert_eq!(updated["created_at"], task["created_at"]);
        assert!(
            updated["updated_at"].as_str() > task["updated_at"].as_str(),
            "{updated}"
        );

        let (status, completed) = status_and_body(
            send(
                &app,
                &user.token,
                reqwest::Method::PATCH,
                &format!("{path}/complete"),
                Some(json!({"is_completed": true})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(completed["is_completed"], true);
        assert_eq!(completed["created_at"], task["created_at"]);
        assert!(completed["updated_at"].as_str() > updated["updated_at"].as_str());

        let (status, reopened) = status_and_body(
            send(
                &app,
                &user.token,
                reqwest::Method::PATCH,
                &format!("{path}/complete"),
                Some(json!({"is_completed": false})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(reopened["is_completed"], false);
    })
    .await;
}

#[tokio::test]
async fn delete_answers_204_and_the_task_is_gone() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let task = create_ok(&app, &user, "Temporary").await;
        let path = format!("/api/{}/tasks/{}", user.id, task["id"].as_str().unwrap());
        let response = send(&app, &user.token, reqwest::Method::DELETE, &path, None).await;
        assert_eq!(response.status(), 204);
        assert!(response.text().await.unwrap().is_empty());
        let (status, body) =
            status_and_body(send(&app, &user.token, reqwest::Method::GET, &path, None).await).await;
        assert_error(status, &body, 404);
        let (status, body) =
            status_and_body(send(&app, &user.token, reqwest::Method::DELETE, &path, None).await)
                .await;
        assert_error(status, &body, 404);
    })
    .await;
}

#[tokio::test]
async fn every_task_route_needs_a_token() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let task = create_ok(&app, &user, "Private").await;
        let tasks = format!("/api/{}/tasks", user.id);
        let one = format!("{tasks}/{}", task["id"].as_str().unwrap());
        for (method, path) in [
            (reqwest::Method::POST, tasks.clone()),
            (reqwest::Method::GET, tasks.clone()),
            (reqwest::Method::GET, one.clone()),
            (reqwest::Method::PUT, one.clone()),
            (reqwest::Method::PATCH, format!("{one}/complete")),
            (reqwest::Method::DELETE, one.clone()),
        ] {
            let response = app
                .client
                .request(method.clone(), app.url(&path))
                .json(&json!({"title": "x", "is_completed": true}))
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.headers()["www-authenticate"],
                "Bearer",
                "{method} {path}"
            );
            let (status, body) = status_and_body(response).await;
            assert_error(status, &body, 401);
        }
    })
    .await;
}

/// For every task route: B on A's path is 403; B on B's own path with A's task is 404; and
/// A's data is unchanged afterwards.
#[tokio::test]
async fn users_never_reach_each_others_tasks_on_any_route() {
    for_each_backend(|app| async move {
        let alice = app.new_user().await;
        let bob = app.new_user().await;
        let task = create(
            &app,
            &alice,
            json!({"title": "Alice's secret", "description": "mine"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
        let task_id = task["id"].as_str().unwrap();

        let routes = |owner: &str| {
            let tasks = format!("/api/{owner}/tasks");
            let one = format!("{tasks}/{task_id}");
            vec![
                (
                    reqwest::Method::POST,
                    tasks.clone(),
                    Some(json!({"title": "planted"})),
                ),
                (reqwest::Method::GET, tasks.clone(), None),
                (reqwest::Method::GET, one.clone(), None),
                (
                    reqwest::Method::PUT,
                    one.clone(),
                    Some(json!({"title": "hijacked"})),
                ),
                (
                    reqwest::Method::PATCH,
                    format!("{one}/complete"),
                    Some(json!({"is_completed": true})),
                ),
                (reqwest::Method::DELETE, one.clone(), None),
            ]
        };
        for (method, path, body) in routes(&alice.id) {
            let (status, error) =
                status_and_body(send(&app, &bob.token, method.clone(), &path, body).await).await;
            assert_error(status, &error, 403);
            assert!(
                !error.to_string().contains("secret"),
                "{method} {path}: {error}"
            );
        }
        for (method, path, body) in routes(&bob.id) {
            let expected = if path.ends_with("/tasks") {
                None
            } else {
                Some(404)
            };
            let (status, error) =
                status_and_body(send(&app, &bob.token, method.clone(), &path, body).await).await;
            match expected {
                Some(code) => assert_error(status, &error, code),
                None => assert!(status == 200 || status == 201, "{method} {path}: {status}"),
            }
        }
        let bobs: Value = send(
            &app,
            &bob.token,
            reqwest::Method::GET,
            &format!("/api/{}/tasks", bob.id),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
        assert!(bobs["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["title"] != "Alice's secret"));

        let (status, after) = status_and_body(
            send(
                &app,
                &alice.token,
                reqwest::Method::GET,
                &format!("/api/{}/tasks/{task_id}", alice.id),
                None,
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(after, task, "A's task is untouched");
        let list: Value = send(
            &app,
            &alice.token,
            reqwest::Method::GET,
            &format!("/api/{}/tasks", alice.id),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(list["total"], 1, "nothing was planted in A's list");
    })
    .await;
}

#[tokio::test]
async fn ids_that_are_not_uuids_are_422() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        for path in [
            "/api/not-a-uuid/tasks".to_string(),
            format!("/api/{}/tasks/not-a-uuid", user.id),
            format!("/api/{}/tasks/42/complete", user.id),
        ] {
            let method = if path.ends_with("complete") {
                reqwest::Method::PATCH
            } else {
                reqwest::Method::GET
            };
            let (status, body) = status_and_body(
                send(
                    &app,
                    &user.token,
                    method,
                    &path,
                    Some(json!({"is_completed": true})),
                )
                .await,
            )
            .await;
            assert_error(status, &body, 422);
            assert_eq!(body["errors"][0]["loc"][0], "path", "{path}: {body}");
        }
    })
    .await;
}

#[tokio::test]
async fn titles_and_descriptions_are_limited_in_characters_not_bytes() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        for (body, expected) in [
            (json!({"title": "🦀".repeat(200)}), 201),
            (json!({"title": "é".repeat(200)}), 201),
            (json!({"title": "🦀".repeat(201)}), 422),
            (json!({"title": "   "}), 422),
            (json!({"title": "ok", "description": "д".repeat(2000)}), 201),
            (json!({"title": "ok", "description": "д".repeat(2001)}), 422),
            (json!({"description": "no title"}), 422),
            (json!({"title": 7}), 422),
        ] {
            let (status, response) = status_and_body(create(&app, &user, body.clone()).await).await;
            assert_eq!(status, expected, "{body} gave {response}");
            if expected == 422 {
                assert_error(status, &response, 422);
                assert!(!response["errors"].as_array().unwrap().is_empty());
            }
        }
        let list: Value = send(
            &app,
            &user.token,
            reqwest::Method::GET,
            &format!("/api/{}/tasks", user.id),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(list["total"], 3, "refused tasks were not stored");
    })
    .await;
}

#[tokio::test]
async fn emoji_and_every_script_round_trip_exactly() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        for title in [
            "Café ☕ naïve",
            "日本語のタスク",
            "مهمة عربية",
            "🧑🏽‍💻 ship it 🚀",
            "<script>alert(1)</script>",
            "Robert'); drop table tasks;--",
        ] {
            let task = create_ok(&app, &user, title).await;
            let path = format!("/api/{}/tasks/{}", user.id, task["id"].as_str().unwrap());
            let fetched: Value = send(&app, &user.token, reqwest::Method::GET, &path, None)
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(fetched["title"], title);
        }
    })
    .await;
}

#[tokio::test]
async fn limit_and_offset_out_of_range_are_422() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        for query in [
            "limit=0",
            "limit=101",
            "limit=-1",
            "limit=ten",
            "offset=-1",
            "offset=x",
            "cursor=",
            "cursor=not-a-cursor",
            "cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            let (status, body) = status_and_body(
                send(
                    &app,
                    &user.token,
                    reqwest::Method::GET,
                    &format!("/api/{}/tasks?{query}", user.id),
                    None,
                )
                .await,
            )
            .await;
            assert_error(status, &body, 422);
            assert_eq!(body["errors"][0]["loc"][0], "query", "{query}");
        }
        let body = list(&app, &user, "").await;
        assert_eq!(body["limit"], 20);
        assert_eq!(body["offset"], 0);
    })
    .await;
}

/// Inserts `n` tasks for `user` straight into the database, one timestamp apart each.
async fn seed_tasks(app: &TestApp, user: &TestUser, n: usize) {
    use app::match_pool;
    let db = app.db().await;
    let owner = app::ids::UserId(uuid::Uuid::parse_str(&user.id).unwrap());
    let start = chrono::Utc::now() - chrono::Duration::hours(1);
    match_pool!(&db, |pool| {
        let mut tx = pool.begin().await.unwrap();
        for i in 0..n {
            // Pairs share a timestamp, so the id must break ties for pages to be stable.
            let at = start + chrono::Duration::milliseconds((i / 2) as i64);
            sqlx::query("insert into tasks (id, user_id, title, is_completed, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)")
                .bind(uuid::Uuid::new_v4())
                .bind(owner)
                .bind(format!("task {i}"))
                .bind(false)
                .bind(at)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    });
}

#[tokio::test]
async fn pages_over_1000_tasks_hold_every_task_exactly_once_newest_first() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        seed_tasks(&app, &user, 1050).await;
        let mut seen = Vec::new();
        let mut offset = 0;
        loop {
            let page = list(&app, &user, &format!("limit=100&offset={offset}")).await;
            assert_eq!(page["total"], 1050);
            let tasks = page["tasks"].as_array().unwrap();
            if tasks.is_empty() {
                break;
            }
            seen.extend(tasks.iter().cloned());
            offset += 100;
        }
        assert_eq!(seen.len(), 1050);
        let ids: HashSet<&str> = seen.iter().map(|t| t["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 1050, "no task appears twice");
        let created: Vec<&str> = seen
            .iter()
            .map(|t| t["created_at"].as_str().unwrap())
            .collect();
        assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");

        let past_end = list(&app, &user, "offset=5000").await;
        assert_eq!(past_end["tasks"], json!([]));
        assert_eq!(past_end["total"], 1050);
        assert_eq!(past_end["offset"], 5000);
    })
    .await;
}

fn ids(page: &Value) -> Vec<String> {
    page["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_cursor_walks_the_same_order_as_offsets_and_says_when_it_ends() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        seed_tasks(&app, &user, 250).await;
        let mut everything = Vec::new();
        for offset in [0, 100, 200] {
            everything.extend(ids(&list(
                &app,
                &user,
                &format!("limit=100&offset={offset}"),
            )
            .await));
        }
        assert_eq!(everything.len(), 250);

        // limit=50 pages by cursor: five full pages, the last with no next_cursor.
        let mut walked = Vec::new();
        let mut query = "limit=50".to_owned();
        let mut pages = 0;
        loop {
            let page = list(&app, &user, &query).await;
            pages += 1;
            assert_eq!(page["total"], 250);
            assert_eq!(page["limit"], 50);
            walked.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => query = format!("limit=50&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(pages, 5, "no empty page after an exactly full one");
        assert_eq!(walked, everything);

        // An offset counts from the cursor.
        let first = list(&app, &user, "limit=10").await;
        let cursor = first["next_cursor"].as_str().unwrap();
        let skipped = list(&app, &user, &format!("limit=10&offset=5&cursor={cursor}")).await;
        assert_eq!(ids(&skipped), everything[15..25]);
        assert_eq!(skipped["offset"], 5);
        assert_eq!(skipped["total"], 250);

        // A cursor is only a position: another user gets their own tasks after it, none of
        // the first user's.
        let other = app.new_user().await;
        seed_tasks(&app, &other, 3).await;
        let theirs = list(&app, &other, &format!("cursor={cursor}")).await;
        assert_eq!(theirs["total"], 3);
        assert!(ids(&theirs).iter().all(|id| !everything.contains(id)));
    })
    .await;
}

/// The counts the database keeps, and the list's total, equal a count of the rows.
async fn check_totals(app: &TestApp, user: &TestUser, db: &app::db::Db, label: &str) {
    use app::{match_pool, tasks::server};
    let owner = app::ids::UserId(uuid::Uuid::parse_str(&user.id).unwrap());
    let (total, completed): (i64, i64) = match_pool!(db, |pool| {
        sqlx::query_as(
            "select count(*), coalesce(sum(case when is_completed then 1 else 0 end), 0)
             from tasks where user_id = $1",
        )
        .bind(owner)
        .fetch_one(pool)
        .await
        .unwrap()
    });
    let counts = server::counts(db, owner).await.unwrap();
    assert_eq!(
        (counts.active + counts.completed, counts.completed),
        (total as u64, completed as u64),
        "{label}"
    );
    assert_eq!(list(app, user, "limit=1").await["total"], total, "{label}");
}

#[tokio::test]
async fn totals_follow_every_change_to_a_users_tasks() {
    use app::{match_pool, tasks::server};
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let other = app.new_user().await;
        let owner = app::ids::UserId(uuid::Uuid::parse_str(&user.id).unwrap());
        let db = app.db().await;
        check_totals(&app, &user, &db, "no tasks yet").await;
        let mut tasks = Vec::new();
        for i in 0..6 {
            tasks.push(create_ok(&app, &user, &format!("task {i}")).await);
        }
        create_ok(&app, &other, "someone else's").await;
        check_totals(&app, &user, &db, "after creating").await;

        let path =
            |task: &Value| format!("/api/{}/tasks/{}", user.id, task["id"].as_str().unwrap());
        for (task, done) in [
            (&tasks[0], true),
            (&tasks[1], true),
            (&tasks[1], true),
            (&tasks[2], true),
            (&tasks[2], false),
        ] {
            let response = send(
                &app,
                &user.token,
                reqwest::Method::PATCH,
                &format!("{}/complete", path(task)),
                Some(json!({"is_completed": done})),
            )
            .await;
            assert_eq!(response.status(), 200);
        }
        check_totals(&app, &user, &db, "after completing").await;
        assert_eq!(server::counts(&db, owner).await.unwrap().completed, 2);

        for task in [&tasks[0], &tasks[3]] {
            let response = send(
                &app,
                &user.token,
                reqwest::Method::DELETE,
                &path(task),
                None,
            )
            .await;
            assert_eq!(response.status(), 204);
        }
        check_totals(&app, &user, &db, "after deleting a done and an open task").await;

        assert_eq!(
            server::set_all_completed(&db, owner, true).await.unwrap(),
            3
        );
        check_totals(&app, &user, &db, "after marking all done").await;
        assert_eq!(server::delete_completed(&db, owner).await.unwrap(), 4);
        check_totals(&app, &user, &db, "after clearing completed").await;
        assert_eq!(
            server::counts(&db, owner).await.unwrap(),
            Default::default()
        );

        // A task never changes owner, so no count can drift that way.
        let theirs = create_ok(&app, &user, "mine").await;
        let moved = match_pool!(&db, |pool| {
            sqlx::query("update tasks set user_id = $1 where id = $2")
                .bind(uuid::Uuid::parse_str(&other.id).unwrap())
                .bind(uuid::Uuid::parse_str(theirs["id"].as_str().unwrap()).unwrap())
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        });
        assert!(moved.is_err(), "{moved:?}");
        check_totals(&app, &user, &db, "after a refused change of owner").await;

        // Deleting the account takes its tasks and its counts, without an error.
        match_pool!(&db, |pool| {
            sqlx::query("delete from users where id = $1")
                .bind(owner)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected()
        });
        let left: i64 = match_pool!(&db, |pool| {
            sqlx::query_scalar("select count(*) from task_counts where user_id = $1")
                .bind(owner)
                .fetch_one(pool)
                .await
                .unwrap()
        });
        assert_eq!(left, 0);
        assert_eq!(list(&app, &other, "").await["total"], 1);
    })
    .await;
}

#[tokio::test]
async fn only_configured_origins_may_call_the_api_and_never_with_cookies() {
    crate::helpers::for_each_backend_with(
        &[("CORS_ORIGINS", "https://app.example")],
        |app| async move {
            let preflight = |origin: &'static str| {
                app.client
                    .request(reqwest::Method::OPTIONS, app.url("/api/auth/me"))
                    .header("origin", origin)
                    .header("access-control-request-method", "GET")
                    .header("access-control-request-headers", "authorization")
                    .send()
            };
            let allowed = preflight("https://app.example").await.unwrap();
            assert_eq!(
                allowed.headers()["access-control-allow-origin"],
                "https://app.example"
            );
            assert!(allowed
                .headers()
                .get("access-control-allow-credentials")
                .is_none());
            let allowed_headers = allowed.headers()["access-control-allow-headers"]
                .to_str()
                .unwrap()
                .to_lowercase();
            assert!(
                allowed_headers.contains("authorization"),
                "{allowed_headers}"
            );

            let refused = preflight("https://evil.example").await.unwrap();
            assert!(refused
                .headers()
                .get("access-control-allow-origin")
                .is_none());

            let user = app.new_user().await;
            let response = app
                .client
                .get(app.url("/api/auth/me"))
                .header("origin", "https://app.example")
                .bearer_auth(&user.token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(
                response.headers()["access-control-allow-origin"],
                "https://app.example"
            );
        },
    )
    .await;
}

//! The task API, exactly as the contract fixes it, on every route.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::{
    helpers::for_each_backend,
    requests::{assert_error, create, create_ok, list, send, status_and_body},
};

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
        assert_eq!(keys, HashSet::from(["id", "user_id", "list_id", "title", "description", "is_completed", "due_date", "priority", "tags", "repeat", "last_completed_at", "remind_at", "created_at", "updated_at"]));

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

#[tokio::test]
async fn many_writers_at_once_all_succeed_and_nothing_is_lost() {
    // More concurrent writers than the pool has connections: on SQLite they queue for the
    // one write turn; every create, complete and delete lands exactly once.
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let creates = (0..80).map(|i| {
            let (app, user) = (app.clone(), user.clone());
            tokio::spawn(async move {
                let response = create(&app, &user, json!({"title": format!("task {i}")})).await;
                assert_eq!(response.status(), 201, "create {i}");
                response.json::<Value>().await.unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
        });
        let mut ids = Vec::new();
        for create in creates.collect::<Vec<_>>() {
            ids.push(create.await.unwrap());
        }
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 80);

        let changes = ids.iter().enumerate().map(|(i, id)| {
            let (app, user, id) = (app.clone(), user.clone(), id.clone());
            tokio::spawn(async move {
                let path = format!("/api/{}/tasks/{id}", user.id);
                let (method, path, body, status) = if i % 2 == 0 {
                    (reqwest::Method::DELETE, path, None, 204)
                } else {
                    let body = Some(json!({"is_completed": true}));
                    (
                        reqwest::Method::PATCH,
                        format!("{path}/complete"),
                        body,
                        200,
                    )
                };
                let response = send(&app, &user.token, method, &path, body).await;
                assert_eq!(response.status(), status, "change {i}");
            })
        });
        for change in changes.collect::<Vec<_>>() {
            change.await.unwrap();
        }
        let page: Value = send(
            &app,
            &user.token,
            reqwest::Method::GET,
            &format!("/api/{}/tasks?limit=100", user.id),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
        let tasks = page["tasks"].as_array().unwrap();
        assert_eq!(tasks.len(), 40);
        assert!(tasks.iter().all(|t| t["is_completed"] == true));
    })
    .await;
}

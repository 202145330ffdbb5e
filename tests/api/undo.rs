//! Deleting from the task page: with JavaScript a deletion can be undone for a while and
//! comes back exactly as it was; without it, the page asks first. Only the owner's deletions
//! can be undone, by the owner.

use chrono::Utc;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{for_each_backend, TestApp, TestUser};
use crate::requests::{browser_login, call_server_fn as call, create, post_form, send};

/// A task with every field set, as the API then returns it.
async fn full_task(app: &TestApp, user: &TestUser, title: &str, done: bool) -> Value {
    let response = create(
        app,
        user,
        json!({"title": title, "description": "two\nlines", "due_date": "2031-05-06",
               "priority": "high", "tags": ["home", "Ünïcode"]}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let task: Value = response.json().await.unwrap();
    if !done {
        return task;
    }
    let path = format!(
        "/api/{}/tasks/{}/complete",
        user.id,
        task["id"].as_str().unwrap()
    );
    let response = send(
        app,
        &user.token,
        Method::PATCH,
        &path,
        Some(json!({"is_completed": true})),
    )
    .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn get_task(app: &TestApp, user: &TestUser, id: &str) -> reqwest::Response {
    send(
        app,
        &user.token,
        Method::GET,
        &format!("/api/{}/tasks/{id}", user.id),
        None,
    )
    .await
}

/// Every task of the user, newest first, as the API lists them.
async fn all_tasks(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let page = crate::requests::list(app, user, "limit=100").await;
    page["tasks"].as_array().unwrap().clone()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn a_deleted_task_comes_back_exactly_as_it_was_once_and_only_for_its_owner() {
    for_each_backend(|app| async move {
        let owner = app.new_user().await;
        let browser = TestApp::new_client();
        browser_login(&app, &browser, &owner).await;
        let task = full_task(&app, &owner, "Water the plants", true).await;
        let id = task["id"].as_str().unwrap();
        let before = all_tasks(&app, &owner).await;

        let (status, removed) = call(&app, &browser, "/rpc/tasks/delete", &[("id", id)]).await;
        assert_eq!(status, 200, "{removed}");
        assert_eq!(removed["ids"], json!([id]));
        assert_eq!(removed["title"], "Water the plants");
        assert_eq!(get_task(&app, &owner, id).await.status(), 404);
        let batch = removed["batch"].as_str().unwrap();

        // Another user cannot bring it back, nor learn anything from trying.
        let stranger = app.new_user().await;
        let other = TestApp::new_client();
        browser_login(&app, &other, &stranger).await;
        let (status, body) = call(&app, &other, "/rpc/tasks/restore", &[("batch", batch)]).await;
        assert_eq!(status, 404, "{body}");
        assert!(all_tasks(&app, &stranger).await.is_empty());
        assert_eq!(get_task(&app, &owner, id).await.status(), 404);

        let (status, restored) =
            call(&app, &browser, "/rpc/tasks/restore", &[("batch", batch)]).await;
        assert_eq!((status, restored), (200, json!(1)));
        let back: Value = get_task(&app, &owner, id).await.json().await.unwrap();
        assert_eq!(back, task, "the same id, fields and timestamps");
        assert_eq!(all_tasks(&app, &owner).await, before);
        let tags = send(
            &app,
            &owner.token,
            Method::GET,
            &format!("/api/{}/tags", owner.id),
            None,
        )
        .await;
        let tags: Value = tags.json().await.unwrap();
        assert_eq!(tags["tags"].as_array().map(Vec::len), Some(2), "{tags}");

        // Once undone, there is nothing left to undo.
        let (status, body) = call(&app, &browser, "/rpc/tasks/restore", &[("batch", batch)]).await;
        assert_eq!(status, 404, "{body}");
        assert!(
            body.to_string()
                .contains("This deletion can no longer be undone."),
            "{body}"
        );
        // Nor can a task that is not the caller's be deleted.
        let theirs = full_task(&app, &stranger, "Theirs", false).await;
        let (status, _) = call(
            &app,
            &browser,
            "/rpc/tasks/delete",
            &[("id", theirs["id"].as_str().unwrap())],
        )
        .await;
        assert_eq!(status, 404);
        assert_eq!(all_tasks(&app, &stranger).await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn clearing_completed_tasks_is_undone_as_a_whole_and_the_counts_follow() {
    for_each_backend(|app| async move {
        let owner = app.new_user().await;
        let browser = TestApp::new_client();
        browser_login(&app, &browser, &owner).await;
        for n in 0..3 {
            full_task(&app, &owner, &format!("Done {n}"), true).await;
        }
        full_task(&app, &owner, "Still to do", false).await;
        let before = all_tasks(&app, &owner).await;

        let (status, removed) = call(&app, &browser, "/rpc/tasks/clear-completed", &[]).await;
        assert_eq!(status, 200, "{removed}");
        assert_eq!(removed["ids"].as_array().unwrap().len(), 3);
        assert_eq!(removed["title"], Value::Null);
        let left = crate::requests::list(&app, &owner, "status=completed").await;
        assert_eq!(left["total"], 0);
        assert_eq!(all_tasks(&app, &owner).await.len(), 1);

        let batch = removed["batch"].as_str().unwrap();
        let (status, restored) =
            call(&app, &browser, "/rpc/tasks/restore", &[("batch", batch)]).await;
        assert_eq!((status, restored), (200, json!(3)));
        assert_eq!(all_tasks(&app, &owner).await, before);
        let done = crate::requests::list(&app, &owner, "status=completed").await;
        assert_eq!(done["total"], 3);
        let found = crate::requests::list(&app, &owner, "q=done").await;
        assert_eq!(found["total"], 3, "search finds the tasks put back");

        // Nothing completed: nothing to undo, and no error.
        let (status, removed) = call(&app, &browser, "/rpc/tasks/clear-completed", &[]).await;
        assert_eq!(status, 200);
        assert_eq!(removed["ids"].as_array().unwrap().len(), 3);
        let (status, removed) = call(&app, &browser, "/rpc/tasks/clear-completed", &[]).await;
        assert_eq!((status, removed["ids"].clone()), (200, json!([])));
    })
    .await;
}

#[tokio::test]
async fn a_deletion_can_be_undone_only_within_its_window_and_old_ones_are_pruned() {
    for_each_backend(|app| async move {
        let owner = app.new_user().await;
        let browser = TestApp::new_client();
        browser_login(&app, &browser, &owner).await;
        let task = full_task(&app, &owner, "Old", false).await;
        let (_, removed) = call(
            &app,
            &browser,
            "/rpc/tasks/delete",
            &[("id", task["id"].as_str().unwrap())],
        )
        .await;
        let batch = removed["batch"].as_str().unwrap().to_string();

        // As if it had been deleted eleven minutes ago.
        let long_ago = Utc::now() - chrono::TimeDelta::minutes(11);
        let db = app.db().await;
        app::match_pool!(db, |pool| {
            sqlx::query("update deleted_tasks set deleted_at = $1")
                .bind(long_ago)
                .execute(pool)
                .await
                .unwrap()
                .rows_affected()
        });
        let (status, body) = call(&app, &browser, "/rpc/tasks/restore", &[("batch", &batch)]).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(
            get_task(&app, &owner, task["id"].as_str().unwrap())
                .await
                .status(),
            404
        );

        // The next deletion prunes what is past its window.
        let other = full_task(&app, &owner, "New", false).await;
        call(
            &app,
            &browser,
            "/rpc/tasks/delete",
            &[("id", other["id"].as_str().unwrap())],
        )
        .await;
        let kept: i64 = app::match_pool!(db, |pool| {
            sqlx::query_scalar("select count(*) from deleted_tasks")
                .fetch_one(pool)
                .await
                .unwrap()
        });
        assert_eq!(kept, 1);
    })
    .await;
}

#[tokio::test]
async fn without_javascript_deleting_asks_first_and_escapes_the_title() {
    for_each_backend(|app| async move {
        let owner = app.new_user().await;
        let browser = TestApp::new_client();
        browser_login(&app, &browser, &owner).await;
        let hostile = "<img src=x onerror=alert(1)>";
        let task = full_task(&app, &owner, hostile, false).await;
        let id = task["id"].as_str().unwrap();
        full_task(&app, &owner, "Done", true).await;

        // The row's Delete only leads to the question.
        let asked = post_form(
            &app,
            &browser,
            "/rpc/tasks/delete",
            "/tasks?status=active",
            &[("id", id), ("next", "/tasks?status=active")],
        )
        .await;
        assert!(
            [302, 303].contains(&asked.status().as_u16()),
            "{}",
            asked.status()
        );
        let step = location(&asked);
        assert_eq!(step, format!("/tasks?status=active&delete={id}"));
        assert_eq!(get_task(&app, &owner, id).await.status(), 200);
        let html = app.get_page_as(&browser, &step).await;
        assert_eq!(html.status(), 200);
        let html = html.text().await.unwrap();
        assert!(
            html.contains("Delete “&lt;img src=x onerror=alert(1)&gt;”? This cannot be undone."),
            "{html}"
        );
        assert!(!html.contains(hostile));

        // Confirmed, it goes, and the browser is back on the list.
        let done = post_form(
            &app,
            &browser,
            "/rpc/tasks/delete",
            &step,
            &[
                ("id", id),
                ("next", "/tasks?status=active"),
                ("confirmed", "true"),
            ],
        )
        .await;
        assert_eq!(location(&done), "/tasks?status=active");
        assert_eq!(get_task(&app, &owner, id).await.status(), 404);

        // Clearing completed tasks asks too.
        let asked = post_form(
            &app,
            &browser,
            "/rpc/tasks/clear-completed",
            "/tasks",
            &[("next", "/tasks")],
        )
        .await;
        assert_eq!(location(&asked), "/tasks?clear=completed");
        let html = app
            .get_page_as(&browser, "/tasks?clear=completed")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Delete the 1 completed task? This cannot be undone."),
            "{html}"
        );
        assert_eq!(all_tasks(&app, &owner).await.len(), 1);
        let done = post_form(
            &app,
            &browser,
            "/rpc/tasks/clear-completed",
            "/tasks?clear=completed",
            &[("next", "/tasks"), ("confirmed", "true")],
        )
        .await;
        assert_eq!(location(&done), "/tasks");
        assert!(all_tasks(&app, &owner).await.is_empty());
    })
    .await;
}

/// Putting back counts toward the quota of each task's owner, as adding does: an editor who
/// is full themselves may put back a task of someone else's list, and may not put one back
/// into a list whose owner filled up since (nothing is put back then).
#[tokio::test]
async fn putting_back_counts_toward_the_quota_of_each_task_owner() {
    crate::helpers::for_each_backend_with(&[("TASKS_PER_ACCOUNT", "2")], |app| async move {
        let (owner, editor) = (app.new_user().await, app.new_user().await);
        let list = crate::requests::new_list(&app, &owner, "Shared").await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let body = json!({"email": editor.email, "role": "editor"});
        let path = format!("/lists/{list}/members");
        assert_eq!(
            crate::requests::call(&app, &owner, Method::PUT, &path, Some(body))
                .await
                .0,
            200
        );
        let in_list = |title: &str| json!({"title": title, "list_id": list});
        let shared = crate::requests::created(&app, &owner, in_list("Shared one")).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        crate::requests::created(&app, &owner, in_list("Shared two")).await;
        crate::requests::created(&app, &editor, json!({"title": "Own one"})).await;
        crate::requests::created(&app, &editor, json!({"title": "Own two"})).await;
        let page = TestApp::new_client();
        browser_login(&app, &page, &editor).await;
        // The editor is full, the owner has room again: put back.
        let (status, removed) = call(&app, &page, "/rpc/tasks/delete", &[("id", &shared)]).await;
        assert_eq!(status, 200, "{removed}");
        let batch = removed["batch"].as_str().unwrap().to_string();
        let (status, restored) =
            call(&app, &page, "/rpc/tasks/restore", &[("batch", &batch)]).await;
        assert_eq!((status, restored), (200, json!(1)));
        assert_eq!(tasks_seen(&app, &owner).await, 2);

        // The owner fills the place the deletion made: nothing is put back.
        let (status, removed) = call(&app, &page, "/rpc/tasks/delete", &[("id", &shared)]).await;
        assert_eq!(status, 200, "{removed}");
        let batch = removed["batch"].as_str().unwrap().to_string();
        crate::requests::created(&app, &owner, json!({"title": "Filled the place"})).await;
        let (status, refused) = call(&app, &page, "/rpc/tasks/restore", &[("batch", &batch)]).await;
        assert_eq!(status, 403, "{refused}");
        assert_eq!(tasks_seen(&app, &owner).await, 2);
    })
    .await;
}

async fn tasks_seen(app: &TestApp, user: &TestUser) -> u64 {
    let (status, body) = crate::requests::call(app, user, Method::GET, "/tasks", None).await;
    assert_eq!(status, 200, "{body}");
    body["total"].as_u64().unwrap()
}

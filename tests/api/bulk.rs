//! "Mark all as done / not done" and "Clear completed" on the task page act on exactly the
//! tasks the list selects (its filters, every page of it, nothing it does not show), say how
//! many, and can be undone.

use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    helpers::{for_each_backend, TestApp, TestUser},
    requests::{call_server_fn, create, list, post_form, send, signed_in_browser},
};

/// A task with this tag, completed or not; its id.
async fn tagged(app: &TestApp, user: &TestUser, title: &str, tag: &str, done: bool) -> String {
    let response = create(app, user, json!({"title": title, "tags": [tag]})).await;
    assert_eq!(response.status(), 201);
    let task: Value = response.json().await.unwrap();
    let id = task["id"].as_str().unwrap().to_string();
    if done {
        let path = format!("/api/{}/tasks/{id}/complete", user.id);
        let body = Some(json!({"is_completed": true}));
        let response = send(app, &user.token, Method::PATCH, &path, body).await;
        assert_eq!(response.status(), 200);
    }
    id
}

/// How many of the user's tasks `query` lists.
async fn count(app: &TestApp, user: &TestUser, query: &str) -> u64 {
    list(app, user, query).await["total"].as_u64().unwrap()
}

#[tokio::test]
async fn mark_all_under_a_filter_changes_exactly_what_it_selects_on_every_page_and_undoes() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        // 24 errands (more than a page of 20), one of them done; three home tasks, one done.
        for n in 0..24 {
            tagged(&app, &user, &format!("errand {n}"), "errands", n == 0).await;
        }
        for n in 0..3 {
            tagged(&app, &user, &format!("home {n}"), "home", n == 0).await;
        }
        let browser = signed_in_browser(&app, &user).await;
        let errands = [("params[tag]", "errands")];

        let mark = |completed: &'static str| {
            let (app, browser) = (app.clone(), browser.clone());
            async move {
                let mut form = vec![("completed", completed)];
                form.extend_from_slice(&errands);
                call_server_fn(&app, &browser, "/rpc/tasks/complete-all", &form).await
            }
        };
        let (status, marked) = mark("true").await;
        assert_eq!(status, 200, "{marked}");
        assert_eq!(
            (marked["count"].as_u64(), marked["completed"].as_bool()),
            (Some(23), Some(true))
        );
        assert_eq!(count(&app, &user, "tag=errands&status=active").await, 0);
        // What the filter does not select is as it was.
        assert_eq!(count(&app, &user, "tag=home&status=active").await, 2);
        assert_eq!(count(&app, &user, "tag=home&status=completed").await, 1);

        // Undo puts back exactly the 23 it changed: the errand done before stays done.
        let batch = marked["batch"].as_str().unwrap();
        let (status, put_back) =
            call_server_fn(&app, &browser, "/rpc/tasks/unmark", &[("batch", batch)]).await;
        assert_eq!((status, put_back), (200, json!(23)));
        assert_eq!(count(&app, &user, "tag=errands&status=active").await, 23);
        assert_eq!(count(&app, &user, "tag=errands&status=completed").await, 1);
        // Once only; and never someone else's.
        let (status, _) =
            call_server_fn(&app, &browser, "/rpc/tasks/unmark", &[("batch", batch)]).await;
        assert_eq!(status, 404);

        let (status, marked) = mark("false").await;
        assert_eq!((status, marked["count"].as_u64()), (200, Some(1)));
        assert_eq!(count(&app, &user, "tag=errands&status=completed").await, 0);
        assert_eq!(count(&app, &user, "tag=home&status=completed").await, 1);
        let other = app.new_user().await;
        let theirs = signed_in_browser(&app, &other).await;
        let batch = marked["batch"].as_str().unwrap();
        let (status, _) =
            call_server_fn(&app, &theirs, "/rpc/tasks/unmark", &[("batch", batch)]).await;
        assert_eq!(status, 404);
        assert_eq!(count(&app, &user, "tag=errands&status=completed").await, 0);

        // A bad filter is refused as the API refuses it, and changes nothing.
        let (status, _) = call_server_fn(
            &app,
            &browser,
            "/rpc/tasks/complete-all",
            &[("completed", "true"), ("params[status]", "done")],
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(count(&app, &user, "status=completed").await, 1);
    })
    .await;
}

#[tokio::test]
async fn clear_completed_under_a_filter_deletes_only_the_completed_tasks_it_selects() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        tagged(&app, &user, "buy stamps", "errands", true).await;
        tagged(&app, &user, "post parcel", "errands", true).await;
        tagged(&app, &user, "bank", "errands", false).await;
        let home = tagged(&app, &user, "water plants", "home", true).await;
        let browser = signed_in_browser(&app, &user).await;

        let (status, removed) = call_server_fn(
            &app,
            &browser,
            "/rpc/tasks/clear-completed",
            &[("params[tag]", "errands")],
        )
        .await;
        assert_eq!(status, 200, "{removed}");
        assert_eq!(removed["count"], 2);
        assert_eq!(count(&app, &user, "").await, 2);
        let path = format!("/api/{}/tasks/{home}", user.id);
        let kept = send(&app, &user.token, Method::GET, &path, None).await;
        assert_eq!(
            kept.status(),
            200,
            "a completed task the filter hid is kept"
        );

        let batch = removed["batch"].as_str().unwrap();
        let (status, restored) =
            call_server_fn(&app, &browser, "/rpc/tasks/restore", &[("batch", batch)]).await;
        assert_eq!((status, restored), (200, json!(2)));
        assert_eq!(count(&app, &user, "status=completed").await, 3);
    })
    .await;
}

#[tokio::test]
async fn without_javascript_bulk_actions_keep_to_the_filter_and_come_back_to_the_list() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        tagged(&app, &user, "buy stamps", "errands", false).await;
        tagged(&app, &user, "water plants", "home", true).await;
        tagged(&app, &user, "dust shelves", "home", false).await;
        let browser = signed_in_browser(&app, &user).await;

        // The page under a filter counts what the filter selects.
        let html = app
            .get_page_as(&browser, "/tasks?tag=home")
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("Clear completed (1)"), "{html}");
        assert!(
            html.contains(r#"name="params[tag]" value="home""#),
            "{html}"
        );

        let posted = post_form(
            &app,
            &browser,
            "/rpc/tasks/complete-all",
            "/tasks?tag=errands",
            &[
                ("completed", "true"),
                ("params[tag]", "errands"),
                ("next", "/tasks?tag=errands"),
            ],
        )
        .await;
        assert!(posted.status().is_redirection(), "{}", posted.status());
        assert_eq!(posted.headers()["location"], "/tasks?tag=errands");
        assert_eq!(count(&app, &user, "tag=errands&status=completed").await, 1);
        assert_eq!(count(&app, &user, "tag=home&status=active").await, 1);

        // Clearing asks first, then deletes the filter's completed tasks only.
        let asked = post_form(
            &app,
            &browser,
            "/rpc/tasks/clear-completed",
            "/tasks?tag=home",
            &[("params[tag]", "home"), ("next", "/tasks?tag=home")],
        )
        .await;
        assert_eq!(
            asked.headers()["location"],
            "/tasks?tag=home&clear=completed"
        );
        let step = app
            .get_page_as(&browser, "/tasks?tag=home&clear=completed")
            .await
            .text()
            .await
            .unwrap();
        assert!(step.contains("Delete the 1 completed task?"), "{step}");
        let confirmed = post_form(
            &app,
            &browser,
            "/rpc/tasks/clear-completed",
            "/tasks?tag=home&clear=completed",
            &[
                ("params[tag]", "home"),
                ("next", "/tasks?tag=home"),
                ("confirmed", "true"),
            ],
        )
        .await;
        assert!(confirmed.status().is_redirection());
        assert_eq!(count(&app, &user, "").await, 2);
        assert_eq!(count(&app, &user, "tag=errands&status=completed").await, 1);
    })
    .await;
}

/// Under "All lists", a viewer's "mark all" and "clear completed" count only the tasks of
/// the lists they may change: once theirs are all done, the page offers "Mark all as not
/// done", though a list they only view still holds active tasks.
#[tokio::test]
async fn bulk_actions_under_all_lists_count_only_what_a_viewer_may_change() {
    for_each_backend(|app| async move {
        let (owner, viewer) = (app.new_user().await, app.new_user().await);
        let list = crate::requests::new_list(&app, &owner, "Theirs").await;
        let list = list["id"].as_str().unwrap().to_string();
        let body = json!({"email": viewer.email, "role": "viewer"});
        let path = format!("/lists/{list}/members");
        let shared = crate::requests::call(&app, &owner, Method::PUT, &path, Some(body)).await;
        assert_eq!(shared.0, 200, "{}", shared.1);
        for (title, done) in [("theirs a", false), ("theirs b", true), ("theirs c", false)] {
            let body = json!({"title": title, "list_id": list, "tags": ["x"]});
            let (status, task) =
                crate::requests::call(&app, &owner, Method::POST, "/tasks", Some(body)).await;
            assert_eq!(status, 201, "{task}");
            if done {
                let path = format!("/tasks/{}/complete", task["id"].as_str().unwrap());
                let body = Some(json!({"is_completed": true}));
                assert_eq!(
                    crate::requests::call(&app, &owner, Method::PATCH, &path, body)
                        .await
                        .0,
                    200
                );
            }
        }
        tagged(&app, &viewer, "mine a", "x", false).await;
        tagged(&app, &viewer, "mine b", "x", true).await;
        let browser = signed_in_browser(&app, &viewer).await;
        let board = |params: &'static [(&'static str, &'static str)]| {
            let (app, browser) = (app.clone(), browser.clone());
            async move {
                let mut form = params.to_vec();
                form.push(("page", "1"));
                let (status, board) =
                    call_server_fn(&app, &browser, "/rpc/tasks/board", &form).await;
                assert_eq!(status, 200, "{board}");
                let counts =
                    |of: &str| (board[of]["active"].clone(), board[of]["completed"].clone());
                (counts("matching"), counts("changeable"))
            }
        };
        let n = |a: u64, c: u64| (json!(a), json!(c));
        // Everything, by tag (counted under the filter), and the active ones.
        assert_eq!(board(&[]).await, (n(3, 2), n(1, 1)));
        assert_eq!(board(&[("params[tag]", "x")]).await, (n(3, 2), n(1, 1)));
        assert_eq!(
            board(&[("params[status]", "active")]).await,
            (n(3, 0), n(1, 0))
        );

        let marked = call_server_fn(
            &app,
            &browser,
            "/rpc/tasks/complete-all",
            &[("completed", "true")],
        )
        .await;
        assert_eq!(marked.0, 200, "{}", marked.1);
        assert_eq!(marked.1["count"], 1, "{}", marked.1);
        assert_eq!(board(&[]).await, (n(2, 3), n(0, 2)));
        let page = app
            .get_page_as(&browser, "/tasks")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("Mark all as not done"), "{page}");
        assert!(page.contains("Clear completed (2)"), "{page}");
        // The owner's list is as it was.
        assert_eq!(count(&app, &owner, "status=active").await, 2);
    })
    .await;
}

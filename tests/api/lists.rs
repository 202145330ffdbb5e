//! Lists: every account's Inbox, making, renaming and deleting lists, tasks filed into them
//! and moved between them, and each list out of every other account's reach.

use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    helpers::{for_each_backend, TestApp, TestUser},
    requests::{assert_error, call, create, list, new_list, send, status_and_body},
};

async fn lists(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let (status, body) = call(app, user, Method::GET, "/lists", None).await;
    assert_eq!(status, 200, "{body}");
    body["lists"].as_array().unwrap().clone()
}

fn id(value: &Value) -> &str {
    value["id"].as_str().unwrap()
}

#[tokio::test]
async fn every_account_starts_with_an_inbox_that_takes_unfiled_tasks() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let all = lists(&app, &user).await;
        assert_eq!(all.len(), 1, "{all:?}");
        let inbox = &all[0];
        assert_eq!(inbox["name"], "Inbox");
        assert_eq!(inbox["owner_id"], user.id.as_str());
        assert_eq!(inbox["role"], "owner");
        assert_eq!(inbox["shared"], false);
        assert_eq!(inbox["counts"], json!({"active": 0, "completed": 0}));
        let keys: std::collections::BTreeSet<&str> = inbox
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "counts",
                "created_at",
                "id",
                "name",
                "owner_id",
                "role",
                "shared",
                "updated_at"
            ]
            .into()
        );

        let task = create(&app, &user, json!({"title": "Unfiled"}))
            .await
            .json::<Value>()
            .await
            .unwrap();
        assert_eq!(task["list_id"], inbox["id"]);
        assert_eq!(task["user_id"], user.id.as_str());
        let (status, inbox) = call(
            &app,
            &user,
            Method::GET,
            &format!("/lists/{}", id(inbox)),
            None,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(inbox["counts"], json!({"active": 1, "completed": 0}));
    })
    .await;
}

#[tokio::test]
async fn lists_are_made_renamed_and_listed_inbox_first_then_by_name() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let (status, body) = call(
            &app,
            &user,
            Method::POST,
            "/lists",
            Some(json!({"name": "  Work  "})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["name"], "Work");
        assert_eq!(body["role"], "owner");
        assert_eq!(body["created_at"], body["updated_at"]);
        new_list(&app, &user, "groceries").await;
        let names: Vec<Value> = lists(&app, &user)
            .await
            .iter()
            .map(|l| l["name"].clone())
            .collect();
        assert_eq!(names, [json!("Inbox"), json!("groceries"), json!("Work")]);

        // Names are unique per owner, compared without case; the Inbox's too.
        for taken in ["WORK", "inbox"] {
            let (status, body) = call(
                &app,
                &user,
                Method::POST,
                "/lists",
                Some(json!({"name": taken})),
            )
            .await;
            assert_error(status, &body, 409);
        }
        for bad in [
            json!({"name": "  "}),
            json!({"name": "x".repeat(101)}),
            json!({"name": "a\u{0}b"}),
            json!({}),
        ] {
            let (status, body) = call(&app, &user, Method::POST, "/lists", Some(bad.clone())).await;
            assert_error(status, &body, 422);
        }
        // Another account may use the same name.
        let other = app.new_user().await;
        new_list(&app, &other, "Work").await;

        let path = format!("/lists/{}", id(&body));
        let (status, renamed) = call(
            &app,
            &user,
            Method::PATCH,
            &path,
            Some(json!({"name": "Office"})),
        )
        .await;
        assert_eq!(status, 200, "{renamed}");
        assert_eq!(renamed["name"], "Office");
        assert_ne!(renamed["updated_at"], body["updated_at"]);
        assert_eq!(renamed["created_at"], body["created_at"]);
        let (status, clash) = call(
            &app,
            &user,
            Method::PATCH,
            &path,
            Some(json!({"name": "Groceries"})),
        )
        .await;
        assert_error(status, &clash, 409);
        // Renaming to its own name in another case is no clash.
        let (status, _) = call(
            &app,
            &user,
            Method::PATCH,
            &path,
            Some(json!({"name": "OFFICE"})),
        )
        .await;
        assert_eq!(status, 200);
        // The Inbox can be renamed, not deleted.
        let inbox = lists(&app, &user).await[0].clone();
        let inbox_path = format!("/lists/{}", id(&inbox));
        let (status, body) = call(&app, &user, Method::DELETE, &inbox_path, None).await;
        assert_error(status, &body, 409);
        let (status, body) = call(
            &app,
            &user,
            Method::PATCH,
            &inbox_path,
            Some(json!({"name": "Triage"})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(lists(&app, &user).await[0]["name"], "Triage");
    })
    .await;
}

#[tokio::test]
async fn tasks_are_filed_moved_listed_and_counted_by_list() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let inbox = lists(&app, &user).await[0].clone();
        let work = new_list(&app, &user, "Work").await;
        let filed = create(
            &app,
            &user,
            json!({"title": "Report", "list_id": id(&work)}),
        )
        .await;
        assert_eq!(filed.status(), 201);
        let filed: Value = filed.json().await.unwrap();
        assert_eq!(filed["list_id"], work["id"]);
        create(&app, &user, json!({"title": "Milk"})).await;
        let other = create(
            &app,
            &user,
            json!({"title": "Slides", "list_id": id(&work)}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();

        let in_work = list(&app, &user, &format!("list={}", id(&work))).await;
        let titles: Vec<&str> = in_work["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["Slides", "Report"]);
        assert_eq!(in_work["total"], 2);
        assert_eq!(
            list(&app, &user, "").await["total"],
            3,
            "without list=, every list"
        );
        assert_eq!(
            list(&app, &user, &format!("list={}&q=rep", id(&work))).await["total"],
            1
        );

        // A PUT without list_id keeps the list; with one, moves the task.
        let path = format!("/tasks/{}", id(&filed));
        let (status, kept) = call(
            &app,
            &user,
            Method::PUT,
            &path,
            Some(json!({"title": "Report v2"})),
        )
        .await;
        assert_eq!(status, 200, "{kept}");
        assert_eq!(kept["list_id"], work["id"]);
        let (status, moved) = call(
            &app,
            &user,
            Method::PUT,
            &path,
            Some(json!({"title": "Report v2", "list_id": id(&inbox)})),
        )
        .await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(moved["list_id"], inbox["id"]);
        let (_, done) = call(
            &app,
            &user,
            Method::PATCH,
            &format!("/tasks/{}/complete", id(&other)),
            Some(json!({"is_completed": true})),
        )
        .await;
        assert_eq!(done["is_completed"], true);

        let counts: Vec<(Value, Value)> = lists(&app, &user)
            .await
            .iter()
            .map(|l| (l["name"].clone(), l["counts"].clone()))
            .collect();
        assert_eq!(
            counts,
            [
                (json!("Inbox"), json!({"active": 2, "completed": 0})),
                (json!("Work"), json!({"active": 0, "completed": 1})),
            ]
        );
        assert_eq!(
            list(&app, &user, &format!("list={}&status=completed", id(&work))).await["total"],
            1
        );

        for bad in ["list=nope", "list="] {
            let (status, body) =
                call(&app, &user, Method::GET, &format!("/tasks?{bad}"), None).await;
            assert_error(status, &body, 422);
        }
        let (status, body) = call(
            &app,
            &user,
            Method::POST,
            "/tasks",
            Some(json!({"title": "x", "list_id": "nope"})),
        )
        .await;
        assert_error(status, &body, 422);

        // Deleting a list deletes its tasks; the others stay.
        let (status, _) = call(
            &app,
            &user,
            Method::DELETE,
            &format!("/lists/{}", id(&work)),
            None,
        )
        .await;
        assert_eq!(status, 204);
        let (status, body) = call(
            &app,
            &user,
            Method::GET,
            &format!("/tasks/{}", id(&other)),
            None,
        )
        .await;
        assert_error(status, &body, 404);
        assert_eq!(list(&app, &user, "").await["total"], 2);
        let (status, body) = call(
            &app,
            &user,
            Method::GET,
            &format!("/lists/{}", id(&work)),
            None,
        )
        .await;
        assert_error(status, &body, 404);
        let (status, body) = call(
            &app,
            &user,
            Method::GET,
            &format!("/tasks?list={}", id(&work)),
            None,
        )
        .await;
        assert_error(status, &body, 404);
    })
    .await;
}

#[tokio::test]
async fn another_accounts_list_is_out_of_reach_on_every_path() {
    for_each_backend(|app| async move {
        let owner = app.new_user().await;
        let stranger = app.new_user().await;
        let private = new_list(&app, &owner, "Private").await;
        let task = create(
            &app,
            &owner,
            json!({"title": "Secret", "list_id": id(&private)}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
        let list_path = format!("/lists/{}", id(&private));
        for (method, path, body) in [
            (Method::GET, list_path.clone(), None),
            (
                Method::PATCH,
                list_path.clone(),
                Some(json!({"name": "Mine now"})),
            ),
            (Method::DELETE, list_path.clone(), None),
            (Method::GET, format!("/tasks?list={}", id(&private)), None),
            (
                Method::POST,
                "/tasks".to_string(),
                Some(json!({"title": "Planted", "list_id": id(&private)})),
            ),
        ] {
            let (status, body) = call(&app, &stranger, method.clone(), &path, body).await;
            assert_error(status, &body, 404);
        }
        // Nor can a task of the stranger's be moved into it.
        let own = create(&app, &stranger, json!({"title": "Mine"}))
            .await
            .json::<Value>()
            .await
            .unwrap();
        let (status, body) = call(
            &app,
            &stranger,
            Method::PUT,
            &format!("/tasks/{}", id(&own)),
            Some(json!({"title": "Mine", "list_id": id(&private)})),
        )
        .await;
        assert_error(status, &body, 404);
        // Nor anyone's path but their own.
        let (status, body) = status_and_body(
            send(
                &app,
                &stranger.token,
                Method::GET,
                &format!("/api/{}/lists", owner.id),
                None,
            )
            .await,
        )
        .await;
        assert_error(status, &body, 403);
        assert_eq!(lists(&app, &stranger).await.len(), 1);

        let (status, still) = call(&app, &owner, Method::GET, &list_path, None).await;
        assert_eq!(status, 200);
        assert_eq!(still["name"], "Private");
        assert_eq!(still["counts"], json!({"active": 1, "completed": 0}));
        let (status, _) = call(
            &app,
            &owner,
            Method::GET,
            &format!("/tasks/{}", id(&task)),
            None,
        )
        .await;
        assert_eq!(status, 200);
    })
    .await;
}

#[tokio::test]
async fn quick_add_files_a_task_into_a_list_named_with_a_plus() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let groceries = new_list(&app, &user, "Groceries").await;
        let summer = new_list(&app, &user, "Summer 2027").await;
        let path = format!("/api/{}/tasks?parse=true", user.id);
        let add = |title: &'static str| {
            let (app, user, path) = (app.clone(), user.clone(), path.clone());
            async move {
                status_and_body(
                    send(
                        &app,
                        &user.token,
                        Method::POST,
                        &path,
                        Some(json!({"title": title})),
                    )
                    .await,
                )
                .await
            }
        };
        let (status, task) = add("Milk +groceries #dairy").await;
        assert_eq!(status, 201, "{task}");
        assert_eq!(
            (task["title"].as_str(), &task["list_id"]),
            (Some("Milk"), &groceries["id"])
        );
        let (_, task) = add("Tent +Summer_2027").await;
        assert_eq!(task["list_id"], summer["id"]);
        // A name no list has is refused, naming the title, and nothing is added.
        let (status, body) = add("Bread +bakery").await;
        assert_error(status, &body, 422);
        assert_eq!(body["errors"][0]["loc"], json!(["body", "title"]));
        assert!(
            body["errors"][0]["msg"]
                .as_str()
                .unwrap()
                .contains("bakery"),
            "{body}"
        );
        assert_eq!(list(&app, &user, "").await["total"], 2);
        // Without parse=true, a plus is text.
        let (status, task) = status_and_body(
            send(
                &app,
                &user.token,
                Method::POST,
                &format!("/api/{}/tasks", user.id),
                Some(json!({"title": "C +groceries"})),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, task["title"].as_str()),
            (201, Some("C +groceries"))
        );
    })
    .await;
}

#[tokio::test]
async fn an_export_carries_the_owned_lists_and_an_import_files_into_lists_of_those_names() {
    for_each_backend(|app| async move {
        let from = app.new_user().await;
        let work = new_list(&app, &from, "Work").await;
        create(&app, &from, json!({"title": "Report", "list_id": id(&work)})).await;
        create(&app, &from, json!({"title": "Milk"})).await;
        // A list shared with them is not theirs to export.
        let sharer = app.new_user().await;
        let shared = new_list(&app, &sharer, "Theirs").await;
        let (status, _) = call(&app, &sharer, Method::PUT, &format!("/lists/{}/members", id(&shared)), Some(json!({"email": from.email, "role": "editor"}))).await;
        assert_eq!(status, 200);
        create(&app, &sharer, json!({"title": "Not mine", "list_id": id(&shared)})).await;

        let (status, exported) = call(&app, &from, Method::GET, "/export", None).await;
        assert_eq!(status, 200);
        assert_eq!(exported["version"], 2);
        let summary: Vec<(Value, Value, Vec<Value>)> = exported["lists"].as_array().unwrap().iter()
            .map(|l| (l["name"].clone(), l["inbox"].clone(), l["tasks"].as_array().unwrap().iter().map(|t| t["title"].clone()).collect()))
            .collect();
        assert_eq!(summary, [
            (json!("Inbox"), json!(true), vec![json!("Milk")]),
            (json!("Work"), json!(false), vec![json!("Report")]),
        ]);

        // Into an account with a "work" list already (names compare without case) and none
        // called "Trip": the first is filled, the second made.
        let to = app.new_user().await;
        let existing = new_list(&app, &to, "work").await;
        let mut document = exported.clone();
        document["lists"].as_array_mut().unwrap().push(json!({"name": "Trip", "tasks": [{"title": "Tickets", "created_at": "2026-01-06T10:00:00Z"}]}));
        let (status, body) = call(&app, &to, Method::POST, "/import", Some(document)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"imported": 3}));
        let names: Vec<(Value, Value)> = lists(&app, &to).await.iter().map(|l| (l["name"].clone(), l["counts"]["active"].clone())).collect();
        assert_eq!(names, [(json!("Inbox"), json!(1)), (json!("Trip"), json!(1)), (json!("work"), json!(1))]);
        let in_work = list(&app, &to, &format!("list={}", id(&existing))).await;
        assert_eq!(in_work["tasks"][0]["title"], "Report");

        // A bad task is named by its list and place; nothing is stored, no list is made.
        let bad = json!({"format": "todo-export", "version": 2, "lists": [
            {"name": "New", "tasks": [{"title": "ok", "created_at": "2026-01-06T10:00:00Z"}, {"title": "", "created_at": "2026-01-06T10:00:00Z"}]}]});
        let (status, body) = call(&app, &to, Method::POST, "/import", Some(bad)).await;
        assert_error(status, &body, 422);
        assert_eq!(body["errors"][0]["loc"], json!(["body", "lists", 0, "tasks", 1, "title"]));
        let bad_name = json!({"format": "todo-export", "version": 2, "lists": [{"name": " ", "tasks": []}]});
        let (status, body) = call(&app, &to, Method::POST, "/import", Some(bad_name)).await;
        assert_error(status, &body, 422);
        assert_eq!(body["errors"][0]["loc"], json!(["body", "lists", 0, "name"]));
        for wrong in [json!({"format": "todo-export", "version": 2, "tasks": []}), json!({"format": "todo-export", "version": 3, "lists": []})] {
            let (status, body) = call(&app, &to, Method::POST, "/import", Some(wrong)).await;
            assert_error(status, &body, 422);
        }
        assert_eq!(lists(&app, &to).await.len(), 3);
        assert_eq!(list(&app, &to, "").await["total"], 3);
    })
    .await;
}

#[tokio::test]
async fn an_import_refused_by_the_quota_takes_back_the_lists_it_made() {
    crate::helpers::for_each_backend_with(&[("TASKS_PER_ACCOUNT", "2")], |app| async move {
        let user = app.new_user().await;
        let document = json!({"format": "todo-export", "version": 2, "lists": [
            {"name": "A", "tasks": [{"title": "1", "created_at": "2026-01-06T10:00:00Z"}, {"title": "2", "created_at": "2026-01-06T10:00:00Z"}]},
            {"name": "B", "tasks": [{"title": "3", "created_at": "2026-01-06T10:00:00Z"}]}]});
        let (status, body) = call(&app, &user, Method::POST, "/import", Some(document)).await;
        assert_error(status, &body, 403);
        assert_eq!(lists(&app, &user).await.len(), 1, "only the Inbox");
        assert_eq!(list(&app, &user, "").await["total"], 0);
    })
    .await;
}

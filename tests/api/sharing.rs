//! Sharing a list: members by e-mail with roles, what each role may do on every task path,
//! removing and leaving, events reaching every member, and the share attempts' ceiling.

use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    helpers::{for_each_backend, TestApp, TestUser},
    requests::{assert_error, call, send},
};

async fn new_list(app: &TestApp, user: &TestUser, name: &str) -> String {
    let list = crate::requests::new_list(app, user, name).await;
    list["id"].as_str().unwrap().to_string()
}

async fn share(
    app: &TestApp,
    owner: &TestUser,
    list: &str,
    with: &TestUser,
    role: &str,
) -> (u16, Value) {
    call(
        app,
        owner,
        Method::PUT,
        &format!("/lists/{list}/members"),
        Some(json!({"email": with.email.to_uppercase(), "role": role})),
    )
    .await
}

async fn titles(app: &TestApp, user: &TestUser, query: &str) -> Vec<String> {
    let (status, body) = call(app, user, Method::GET, &format!("/tasks?{query}"), None).await;
    assert_eq!(status, 200, "{body}");
    body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_editor_and_a_viewer_each_get_what_their_role_allows() {
    for_each_backend(|app| async move {
        let owner = app.new_user().await;
        let editor = app.new_user().await;
        let viewer = app.new_user().await;
        let list = new_list(&app, &owner, "Groceries").await;
        let (_, task) = call(&app, &owner, Method::POST, "/tasks", Some(json!({"title": "Milk", "list_id": list, "tags": ["food"]}))).await;
        let task_id = task["id"].as_str().unwrap().to_string();

        let (status, member) = share(&app, &owner, &list, &editor, "editor").await;
        assert_eq!(status, 200, "{member}");
        assert_eq!(member, json!({"user_id": editor.id, "email": editor.email, "name": editor.name, "role": "editor"}));
        let (status, _) = share(&app, &owner, &list, &viewer, "viewer").await;
        assert_eq!(status, 200);

        // Everyone sees the list, with their own role, marked shared, and its members.
        for (user, role) in [(&owner, "owner"), (&editor, "editor"), (&viewer, "viewer")] {
            let (status, seen) = call(&app, user, Method::GET, &format!("/lists/{list}"), None).await;
            assert_eq!(status, 200, "{seen}");
            assert_eq!((seen["role"].as_str().unwrap(), seen["shared"].as_bool().unwrap()), (role, true));
            let (_, members) = call(&app, user, Method::GET, &format!("/lists/{list}/members"), None).await;
            let roles: Vec<&str> = members["members"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
            assert_eq!(roles[0], "owner");
            assert_eq!(roles.len(), 3);
            // The shared list's tasks are in their task list, with and without list=.
            assert_eq!(titles(&app, user, "").await, ["Milk"]);
            assert_eq!(titles(&app, user, &format!("list={list}")).await, ["Milk"]);
            let (_, tags) = call(&app, user, Method::GET, "/tags", None).await;
            assert_eq!(tags["tags"], json!([{"name": "food", "count": 1}]));
            let (status, _) = call(&app, user, Method::GET, &format!("/tasks/{task_id}"), None).await;
            assert_eq!(status, 200);
        }

        // The editor adds, edits, completes and deletes; their task says who made it.
        let (status, added) = call(&app, &editor, Method::POST, "/tasks", Some(json!({"title": "Bread", "list_id": list}))).await;
        assert_eq!(status, 201, "{added}");
        assert_eq!(added["user_id"], editor.id.as_str());
        let added_id = added["id"].as_str().unwrap();
        let (status, _) = call(&app, &editor, Method::PUT, &format!("/tasks/{task_id}"), Some(json!({"title": "Oat milk"}))).await;
        assert_eq!(status, 200);
        let (status, _) = call(&app, &editor, Method::PATCH, &format!("/tasks/{task_id}/complete"), Some(json!({"is_completed": true}))).await;
        assert_eq!(status, 200);
        assert_eq!(titles(&app, &owner, &format!("list={list}")).await, ["Bread", "Oat milk"]);
        // The owner's own task list counts and lists them, the quota is the owner's.
        let (_, seen) = call(&app, &owner, Method::GET, &format!("/lists/{list}"), None).await;
        assert_eq!(seen["counts"], json!({"active": 1, "completed": 1}));

        // The viewer reads, and every write is 403 and changes nothing.
        for (method, path, body) in [
            (Method::POST, "/tasks".to_string(), Some(json!({"title": "Sneaked", "list_id": list}))),
            (Method::PUT, format!("/tasks/{task_id}"), Some(json!({"title": "Changed"}))),
            (Method::PATCH, format!("/tasks/{task_id}/complete"), Some(json!({"is_completed": false}))),
            (Method::DELETE, format!("/tasks/{task_id}"), None),
            (Method::PATCH, format!("/lists/{list}"), Some(json!({"name": "Mine"}))),
            (Method::DELETE, format!("/lists/{list}"), None),
            (Method::PUT, format!("/lists/{list}/members"), Some(json!({"email": owner.email, "role": "viewer"}))),
        ] {
            let (status, body) = call(&app, &viewer, method.clone(), &path, body).await;
            assert_error(status, &body, 403);
        }
        // Nor can the editor rename, delete or share it.
        let (status, body) = call(&app, &editor, Method::DELETE, &format!("/lists/{list}"), None).await;
        assert_error(status, &body, 403);
        assert_eq!(titles(&app, &viewer, &format!("list={list}")).await, ["Bread", "Oat milk"]);

        // A viewer cannot move a task of theirs into it either, and an editor can.
        let (_, own) = call(&app, &viewer, Method::POST, "/tasks", Some(json!({"title": "Mine"}))).await;
        let own_id = own["id"].as_str().unwrap();
        let (status, body) = call(&app, &viewer, Method::PUT, &format!("/tasks/{own_id}"), Some(json!({"title": "Mine", "list_id": list}))).await;
        assert_error(status, &body, 403);
        let (status, moved) = call(&app, &editor, Method::DELETE, &format!("/tasks/{added_id}"), None).await;
        assert_eq!(status, 204, "{moved}");
    })
    .await;
}

#[tokio::test]
async fn sharing_refuses_what_it_should_and_a_member_leaves_or_is_removed() {
    for_each_backend(|app| async move {
        let owner = app.new_user().await;
        let friend = app.new_user().await;
        let stranger = app.new_user().await;
        let list = new_list(&app, &owner, "Trip").await;
        let (_, lists) = call(&app, &owner, Method::GET, "/lists", None).await;
        let inbox = lists["lists"][0]["id"].as_str().unwrap().to_string();

        let (status, body) = share(&app, &owner, &inbox, &friend, "editor").await;
        assert_error(status, &body, 409);
        let (status, body) = share(&app, &owner, &list, &owner, "editor").await;
        assert_error(status, &body, 409);
        let (status, body) = call(
            &app,
            &owner,
            Method::PUT,
            &format!("/lists/{list}/members"),
            Some(json!({"email": "nobody@example.com", "role": "viewer"})),
        )
        .await;
        assert_error(status, &body, 404);
        for bad in [
            json!({"email": friend.email, "role": "owner"}),
            json!({"email": "not an address", "role": "viewer"}),
            json!({"email": friend.email}),
        ] {
            let (status, body) = call(
                &app,
                &owner,
                Method::PUT,
                &format!("/lists/{list}/members"),
                Some(bad),
            )
            .await;
            assert_error(status, &body, 422);
        }
        // Someone who is no member finds no list.
        let (status, body) = share(&app, &stranger, &list, &friend, "viewer").await;
        assert_error(status, &body, 404);

        // A second share changes the role.
        share(&app, &owner, &list, &friend, "viewer").await;
        let (status, member) = share(&app, &owner, &list, &friend, "editor").await;
        assert_eq!((status, member["role"].as_str()), (200, Some("editor")));

        // The friend leaves; the list is gone for them, still there for the owner.
        let (status, _) = call(
            &app,
            &friend,
            Method::DELETE,
            &format!("/lists/{list}/members/{}", friend.id),
            None,
        )
        .await;
        assert_eq!(status, 204);
        let (status, body) =
            call(&app, &friend, Method::GET, &format!("/lists/{list}"), None).await;
        assert_error(status, &body, 404);
        let (_, seen) = call(&app, &owner, Method::GET, &format!("/lists/{list}"), None).await;
        assert_eq!(seen["shared"], false);

        // The owner cannot leave; a member cannot remove another; the owner removes one.
        share(&app, &owner, &list, &friend, "viewer").await;
        share(&app, &owner, &list, &stranger, "viewer").await;
        let (status, body) = call(
            &app,
            &owner,
            Method::DELETE,
            &format!("/lists/{list}/members/{}", owner.id),
            None,
        )
        .await;
        assert_error(status, &body, 403);
        let (status, body) = call(
            &app,
            &friend,
            Method::DELETE,
            &format!("/lists/{list}/members/{}", stranger.id),
            None,
        )
        .await;
        assert_error(status, &body, 403);
        let (status, _) = call(
            &app,
            &owner,
            Method::DELETE,
            &format!("/lists/{list}/members/{}", stranger.id),
            None,
        )
        .await;
        assert_eq!(status, 204);
        let (status, body) = call(
            &app,
            &owner,
            Method::DELETE,
            &format!("/lists/{list}/members/{}", stranger.id),
            None,
        )
        .await;
        assert_error(status, &body, 404);
        assert!(titles(&app, &stranger, "").await.is_empty());

        // Deleting the owner's account deletes the list for its members too.
        let (status, _) = call(
            &app,
            &owner,
            Method::POST,
            "/tasks",
            Some(json!({"title": "Tickets", "list_id": list})),
        )
        .await;
        assert_eq!(status, 201);
        assert_eq!(titles(&app, &friend, "").await, ["Tickets"]);
        let response = app
            .client
            .delete(app.url("/api/auth/me"))
            .bearer_auth(&owner.token)
            .json(&json!({"password": owner.password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
        assert!(titles(&app, &friend, "").await.is_empty());
        let (_, lists) = call(&app, &friend, Method::GET, "/lists", None).await;
        assert_eq!(lists["lists"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn share_attempts_stop_at_thirty_an_hour() {
    for_each_backend(|app| async move {
        let owner = app.new_user().await;
        let list = new_list(&app, &owner, "Team").await;
        for n in 0..30 {
            let (status, body) = call(
                &app,
                &owner,
                Method::PUT,
                &format!("/lists/{list}/members"),
                Some(json!({"email": format!("probe{n}@example.com"), "role": "viewer"})),
            )
            .await;
            assert_error(status, &body, 404);
        }
        let response = send(
            &app,
            &owner.token,
            Method::PUT,
            &format!("/api/{}/lists/{list}/members", owner.id),
            Some(json!({"email": "probe@example.com", "role": "viewer"})),
        )
        .await;
        assert_eq!(response.status(), 429);
        assert!(response.headers().contains_key("retry-after"));
    })
    .await;
}

/// The task page's deletions and "mark all" reach the lists shared with an editor, and their
/// undo is the editor's: a viewer's page changes nothing, and undo puts back only into a
/// list its deleter may still change.
#[tokio::test]
async fn the_page_deletes_marks_and_undoes_in_a_shared_list_as_its_role_allows() {
    for_each_backend(|app| async move {
        let (owner, editor, viewer) = (
            app.new_user().await,
            app.new_user().await,
            app.new_user().await,
        );
        let list = new_list(&app, &owner, "Chores").await;
        assert_eq!(share(&app, &owner, &list, &editor, "editor").await.0, 200);
        assert_eq!(share(&app, &owner, &list, &viewer, "viewer").await.0, 200);
        for title in ["Sweep", "Dust", "Mop"] {
            let body = json!({"title": title, "list_id": list});
            assert_eq!(
                call(&app, &owner, Method::POST, "/tasks", Some(body))
                    .await
                    .0,
                201
            );
        }
        let in_list = format!("list={list}");
        let (editor_page, viewer_page) = (TestApp::new_client(), TestApp::new_client());
        crate::requests::browser_login(&app, &editor_page, &editor).await;
        crate::requests::browser_login(&app, &viewer_page, &viewer).await;
        let page = crate::requests::call_server_fn;
        let params = "params[list]";

        // A viewer's "mark all" marks nothing; an editor's marks the list, and undoes it.
        let (status, marked) = page(
            &app,
            &viewer_page,
            "/rpc/tasks/complete-all",
            &[("completed", "true"), (params, &list)],
        )
        .await;
        assert_eq!(
            (status, marked["count"].as_u64()),
            (200, Some(0)),
            "{marked}"
        );
        let (status, marked) = page(
            &app,
            &editor_page,
            "/rpc/tasks/complete-all",
            &[("completed", "true"), (params, &list)],
        )
        .await;
        assert_eq!(
            (status, marked["count"].as_u64()),
            (200, Some(3)),
            "{marked}"
        );
        assert!(titles(&app, &owner, &format!("{in_list}&status=active"))
            .await
            .is_empty());
        let batch = marked["batch"].as_str().unwrap();
        // Only who marked may undo it.
        let (status, _) = page(&app, &viewer_page, "/rpc/tasks/unmark", &[("batch", batch)]).await;
        assert_eq!(status, 404);
        let (status, put_back) =
            page(&app, &editor_page, "/rpc/tasks/unmark", &[("batch", batch)]).await;
        assert_eq!((status, put_back), (200, json!(3)));
        assert_eq!(
            titles(&app, &owner, &format!("{in_list}&status=active"))
                .await
                .len(),
            3
        );

        // An editor deletes a task of the list from the page and puts it back.
        let sweep = {
            let (_, body) = call(
                &app,
                &owner,
                Method::GET,
                &format!("/tasks?{in_list}&q=sweep"),
                None,
            )
            .await;
            body["tasks"][0]["id"].as_str().unwrap().to_string()
        };
        let (status, _) = page(&app, &viewer_page, "/rpc/tasks/delete", &[("id", &sweep)]).await;
        assert_eq!(status, 404, "a viewer's page deletes nothing");
        let (status, removed) =
            page(&app, &editor_page, "/rpc/tasks/delete", &[("id", &sweep)]).await;
        assert_eq!(
            (status, removed["count"].as_u64()),
            (200, Some(1)),
            "{removed}"
        );
        assert_eq!(titles(&app, &owner, &in_list).await.len(), 2);
        let batch = removed["batch"].as_str().unwrap().to_string();
        let (status, _) = page(
            &app,
            &viewer_page,
            "/rpc/tasks/restore",
            &[("batch", &batch)],
        )
        .await;
        assert_eq!(status, 404, "only its deleter undoes a deletion");
        let (status, restored) = page(
            &app,
            &editor_page,
            "/rpc/tasks/restore",
            &[("batch", &batch)],
        )
        .await;
        assert_eq!((status, restored), (200, json!(1)));
        assert!(titles(&app, &owner, &in_list)
            .await
            .contains(&"Sweep".to_string()));

        // Clear completed under the list: a deletion the editor may no longer undo once
        // removed from the list (nothing is put back where they cannot write).
        let (status, _) = page(
            &app,
            &editor_page,
            "/rpc/tasks/complete-all",
            &[("completed", "true"), (params, &list)],
        )
        .await;
        assert_eq!(status, 200);
        let (status, cleared) = page(
            &app,
            &editor_page,
            "/rpc/tasks/clear-completed",
            &[("confirmed", "true"), (params, &list)],
        )
        .await;
        assert_eq!(
            (status, cleared["count"].as_u64()),
            (200, Some(3)),
            "{cleared}"
        );
        let batch = cleared["batch"].as_str().unwrap().to_string();
        let path = format!("/lists/{list}/members/{}", editor.id);
        assert_eq!(call(&app, &owner, Method::DELETE, &path, None).await.0, 204);
        let (status, _) = page(
            &app,
            &editor_page,
            "/rpc/tasks/restore",
            &[("batch", &batch)],
        )
        .await;
        assert_eq!(status, 404);
        assert!(titles(&app, &owner, &in_list).await.is_empty());
    })
    .await;
}

/// The isolation matrix's last two rows: an account that was never a member and one that
/// was removed reach nothing of the list on any task or list route (404, as for a list that
/// does not exist), and nothing they try changes it.
#[tokio::test]
async fn a_stranger_and_a_removed_member_reach_nothing_of_a_list_on_any_route() {
    for_each_backend(|app| async move {
        let (owner, stranger, removed) = (
            app.new_user().await,
            app.new_user().await,
            app.new_user().await,
        );
        let list = new_list(&app, &owner, "Plans").await;
        let body = json!({"title": "Secret", "list_id": list, "tags": ["hidden"]});
        let (_, task) = call(&app, &owner, Method::POST, "/tasks", Some(body)).await;
        let task = task["id"].as_str().unwrap().to_string();
        assert_eq!(share(&app, &owner, &list, &removed, "editor").await.0, 200);
        assert_eq!(titles(&app, &removed, "").await, ["Secret"]);
        let path = format!("/lists/{list}/members/{}", removed.id);
        assert_eq!(call(&app, &owner, Method::DELETE, &path, None).await.0, 204);

        for user in [&stranger, &removed] {
            let own = call(
                &app,
                user,
                Method::POST,
                "/tasks",
                Some(json!({"title": "Mine"})),
            )
            .await
            .1;
            let own = own["id"].as_str().unwrap().to_string();
            for (method, path, body) in [
                (Method::GET, format!("/tasks/{task}"), None),
                (
                    Method::PUT,
                    format!("/tasks/{task}"),
                    Some(json!({"title": "Taken"})),
                ),
                (
                    Method::PATCH,
                    format!("/tasks/{task}/complete"),
                    Some(json!({"is_completed": true})),
                ),
                (Method::DELETE, format!("/tasks/{task}"), None),
                (Method::GET, format!("/tasks?list={list}"), None),
                (
                    Method::POST,
                    "/tasks".to_string(),
                    Some(json!({"title": "Planted", "list_id": list})),
                ),
                (
                    Method::PUT,
                    format!("/tasks/{own}"),
                    Some(json!({"title": "Mine", "list_id": list})),
                ),
                (Method::GET, format!("/lists/{list}"), None),
                (
                    Method::PATCH,
                    format!("/lists/{list}"),
                    Some(json!({"name": "Ours"})),
                ),
                (Method::DELETE, format!("/lists/{list}"), None),
                (Method::GET, format!("/lists/{list}/members"), None),
                (
                    Method::PUT,
                    format!("/lists/{list}/members"),
                    Some(json!({"email": user.email, "role": "editor"})),
                ),
                (
                    Method::DELETE,
                    format!("/lists/{list}/members/{}", owner.id),
                    None,
                ),
            ] {
                let (status, body) = call(&app, user, method.clone(), &path, body).await;
                assert_eq!(status, 404, "{method} {path}: {body}");
                assert_error(status, &body, 404);
            }
            // Its tasks, tags and counts are not theirs to see either.
            assert_eq!(titles(&app, user, "").await, ["Mine"]);
            let (_, tags) = call(&app, user, Method::GET, "/tags", None).await;
            assert_eq!(tags["tags"], json!([]));
            let (_, lists) = call(&app, user, Method::GET, "/lists", None).await;
            assert_eq!(lists["lists"].as_array().unwrap().len(), 1, "{lists}");
        }
        // Nothing they tried changed the list or its task.
        let (_, seen) = call(&app, &owner, Method::GET, &format!("/tasks/{task}"), None).await;
        assert_eq!(
            (seen["title"].as_str(), seen["is_completed"].as_bool()),
            (Some("Secret"), Some(false))
        );
        let (_, members) = call(
            &app,
            &owner,
            Method::GET,
            &format!("/lists/{list}/members"),
            None,
        )
        .await;
        assert_eq!(members["members"].as_array().unwrap().len(), 1);
        assert_eq!(
            titles(&app, &owner, &format!("list={list}")).await,
            ["Secret"]
        );
    })
    .await;
}

const PRIORITIES: [&str; 3] = ["low", "high", "none"];

/// A member's listing of everything merges their own lists and the lists shared with them (by
/// two others) in one order: every sort, paged by cursor two at a time, gives what one page
/// gives, and the newest first is the order they were made in, backwards.
#[tokio::test]
async fn own_and_shared_tasks_page_together_in_every_order() {
    for_each_backend(|app| async move {
        let (owner, member) = (app.new_user().await, app.new_user().await);
        let other = app.new_user().await;
        let list = new_list(&app, &owner, "Shared").await;
        assert_eq!(share(&app, &owner, &list, &member, "editor").await.0, 200);
        let theirs = new_list(&app, &other, "Also shared").await;
        assert_eq!(share(&app, &other, &theirs, &member, "viewer").await.0, 200);
        let dues = [
            "2031-01-03",
            "",
            "2031-01-01",
            "2031-01-02",
            "",
            "2031-01-05",
            "2031-01-02",
            "",
            "2031-01-04",
        ];
        for (i, due) in dues.iter().enumerate() {
            let (who, list_id) = match i % 3 {
                0 => (&owner, Some(list.as_str())),
                1 => (&member, None),
                _ => (&other, Some(theirs.as_str())),
            };
            let mut body = json!({"title": format!("task {i}"), "priority": PRIORITIES[i % 4 % 3]});
            if let Some(list_id) = list_id {
                body["list_id"] = json!(list_id);
            }
            if !due.is_empty() {
                body["due_date"] = json!(due);
            }
            assert_eq!(
                call(&app, who, Method::POST, "/tasks", Some(body)).await.0,
                201
            );
        }
        for sort in [
            "",
            "sort=due",
            "sort=due&order=desc",
            "sort=priority",
            "sort=title",
            "sort=created&order=asc",
        ] {
            let whole = titles(&app, &member, &format!("limit=100&{sort}")).await;
            assert_eq!(whole.len(), dues.len(), "{sort}");
            // Made in this order; their titles sort the same way.
            let made: Vec<String> = (0..dues.len()).map(|i| format!("task {i}")).collect();
            if sort.is_empty() {
                assert_eq!(whole, made.iter().rev().cloned().collect::<Vec<_>>());
            }
            if sort == "sort=title" || sort == "sort=created&order=asc" {
                assert_eq!(whole, made, "{sort}");
            }
            let mut paged = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let after = cursor
                    .as_ref()
                    .map(|c| format!("&cursor={c}"))
                    .unwrap_or_default();
                let (status, page) = call(
                    &app,
                    &member,
                    Method::GET,
                    &format!("/tasks?limit=2&{sort}{after}"),
                    None,
                )
                .await;
                assert_eq!(status, 200, "{page}");
                paged.extend(
                    page["tasks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t["title"].as_str().unwrap().to_string()),
                );
                match page["next_cursor"].as_str() {
                    Some(next) => cursor = Some(next.to_string()),
                    None => break,
                }
            }
            assert_eq!(paged, whole, "{sort}");
            // By offset too.
            let second = titles(&app, &member, &format!("limit=2&offset=2&{sort}")).await;
            assert_eq!(second, whole[2..4], "{sort}");
        }
    })
    .await;
}

/// The task page's board for a member: the list shown comes with its name and, for a viewer,
/// marked read-only; every list, searched for something none of them holds, is an empty page
/// (not an error).
#[tokio::test]
async fn the_board_names_the_list_shown_and_a_search_matching_nothing_is_empty() {
    for_each_backend(|app| async move {
        let (owner, viewer) = (app.new_user().await, app.new_user().await);
        let list = new_list(&app, &owner, "Garden <b>").await;
        assert_eq!(share(&app, &owner, &list, &viewer, "viewer").await.0, 200);
        let body = json!({"title": "Prune the roses", "list_id": list});
        assert_eq!(
            call(&app, &owner, Method::POST, "/tasks", Some(body))
                .await
                .0,
            201
        );
        let browser = TestApp::new_client();
        crate::requests::browser_login(&app, &browser, &viewer).await;
        let board = |params: &[(&str, &str)]| {
            let mut form: Vec<(String, String)> = params
                .iter()
                .map(|(k, v)| (format!("params[{k}]"), v.to_string()))
                .collect();
            form.push(("page".into(), "1".into()));
            let (app, browser) = (app.clone(), browser.clone());
            async move {
                let form: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                crate::requests::call_server_fn(&app, &browser, "/rpc/tasks/board", &form).await
            }
        };

        let (status, shown) = board(&[("list", &list)]).await;
        assert_eq!(status, 200, "{shown}");
        assert_eq!(shown["sharing"]["shown_name"], "Garden <b>", "{shown}");
        assert_eq!(shown["sharing"]["read_only"], json!([list]), "{shown}");
        assert_eq!(shown["page"]["total"], 1, "{shown}");

        let (status, everything) = board(&[]).await;
        assert_eq!(status, 200, "{everything}");
        assert_eq!(everything["sharing"]["shown_name"], Value::Null);
        assert_eq!(
            everything["sharing"]["read_only"],
            json!([list]),
            "{everything}"
        );

        let (status, nothing) = board(&[("q", "nowhere-to-be-found")]).await;
        assert_eq!(status, 200, "{nothing}");
        assert_eq!(nothing["page"]["total"], 0, "{nothing}");
    })
    .await;
}

/// A member of more shared lists than SQLite reads one by one (32) still gets every task,
/// newest first, paged by cursor as on one page.
#[tokio::test]
async fn a_member_of_many_shared_lists_pages_through_all_of_them_in_order() {
    for_each_backend(|app| async move {
        let member = app.new_user().await;
        let owners = [app.new_user().await, app.new_user().await];
        let mut made = Vec::new();
        for n in 0..34 {
            let owner = &owners[n % 2];
            let list = new_list(&app, owner, &format!("List {n}")).await;
            assert_eq!(share(&app, owner, &list, &member, "viewer").await.0, 200);
            let title = format!("shared {n}");
            let body = json!({"title": title, "list_id": list});
            assert_eq!(
                call(&app, owner, Method::POST, "/tasks", Some(body))
                    .await
                    .0,
                201
            );
            made.push(title);
            if n % 10 == 0 {
                let title = format!("own {n}");
                let body = json!({"title": title});
                assert_eq!(
                    call(&app, &member, Method::POST, "/tasks", Some(body))
                        .await
                        .0,
                    201
                );
                made.push(title);
            }
        }
        made.reverse();
        assert_eq!(titles(&app, &member, "limit=100").await, made);
        let mut paged = Vec::new();
        let mut cursor = String::new();
        loop {
            let path = format!("/tasks?limit=5{cursor}");
            let (status, page) = call(&app, &member, Method::GET, &path, None).await;
            assert_eq!(status, 200, "{page}");
            let tasks = page["tasks"].as_array().unwrap();
            paged.extend(
                tasks
                    .iter()
                    .map(|t| t["title"].as_str().unwrap().to_string()),
            );
            match page["next_cursor"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => break,
            }
        }
        assert_eq!(paged, made);
    })
    .await;
}

//! Organising tasks: due dates, priorities, tags, search, filters, sorts, quick add and the
//! tag list, as the contract's additions describe them.

use std::cmp::Ordering;

use chrono::{Days, NaiveDate};
use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    helpers::{for_each_backend, TestApp, TestUser},
    requests::{assert_error_shape, create, list, send},
};

async fn create_task(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let response = create(app, user, body.clone()).await;
    assert_eq!(response.status(), 201, "{body}");
    response.json().await.unwrap()
}

/// The field each of a 422's errors names (the last part of its `loc`).
fn named(error: &Value) -> Vec<String> {
    error["errors"]
        .as_array()
        .expect("an errors list")
        .iter()
        .map(|e| {
            e["loc"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

fn titles(page: &Value) -> Vec<String> {
    page["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

/// Today in the user's time zone, as the server reads it.
fn today(zone: &str) -> NaiveDate {
    app::tasks::store::today_in(zone)
}

/// The user's tag list.
async fn tags_of(app: &TestApp, user: &TestUser) -> Value {
    let path = format!("/api/{}/tags", user.id);
    let response = send(app, &user.token, Method::GET, &path, None).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// `POST .../tasks?parse=true` with this body.
async fn quick_add(app: &TestApp, user: &TestUser, body: Value) -> reqwest::Response {
    let path = format!("/api/{}/tasks?parse=true", user.id);
    send(app, &user.token, Method::POST, &path, Some(body)).await
}

async fn set_time_zone(app: &TestApp, user: &TestUser, zone: &str) {
    let response = send(
        app,
        &user.token,
        Method::PATCH,
        "/api/auth/me",
        Some(json!({"time_zone": zone})),
    )
    .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_new_fields_are_stored_normalised_returned_everywhere_and_cleared_by_put() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let task = create_task(
            &app,
            &user,
            json!({"title": "Plan trip", "due_date": "2027-03-01", "priority": "high",
                   "tags": [" Travel", "travel", "Été", "日本", "a-b_c"]}),
        )
        .await;
        assert_eq!(task["due_date"], "2027-03-01");
        assert_eq!(task["priority"], "high");
        assert_eq!(task["tags"], json!(["travel", "été", "日本", "a-b_c"]));

        let path = format!("/api/{}/tasks/{}", user.id, task["id"].as_str().unwrap());
        let read: Value = send(&app, &user.token, Method::GET, &path, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(read, task);
        let listed = list(&app, &user, "").await;
        assert_eq!(listed["tasks"][0], task);

        // Completion keeps the fields.
        let done: Value = send(
            &app,
            &user.token,
            Method::PATCH,
            &format!("{path}/complete"),
            Some(json!({"is_completed": true})),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(done["tags"], task["tags"]);
        assert_eq!(done["due_date"], "2027-03-01");

        // A PUT that leaves them out clears them, as it does the description.
        let response = send(
            &app,
            &user.token,
            Method::PUT,
            &path,
            Some(json!({"title": "Plan trip"})),
        )
        .await;
        assert_eq!(response.status(), 200);
        let cleared: Value = response.json().await.unwrap();
        assert_eq!(cleared["due_date"], Value::Null);
        assert_eq!(cleared["priority"], "none");
        assert_eq!(cleared["tags"], json!([]));
        assert_eq!(cleared["is_completed"], true);
        let tags: Value = tags_of(&app, &user).await;
        assert_eq!(
            tags,
            json!({"tags": []}),
            "a cleared task's tags are gone from the counts"
        );

        // A task created without them has the defaults.
        let plain = create_task(&app, &user, json!({"title": "plain"})).await;
        assert_eq!(
            (&plain["due_date"], &plain["priority"], &plain["tags"]),
            (&Value::Null, &json!("none"), &json!([]))
        );
    })
    .await;
}

#[tokio::test]
async fn bad_fields_are_422_naming_each_and_nothing_is_stored() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        for (body, fields) in [
            (
                json!({"title": "x", "due_date": "2026-02-30"}),
                vec!["due_date"],
            ),
            (
                json!({"title": "x", "due_date": "tomorrow"}),
                vec!["due_date"],
            ),
            (
                json!({"title": "x", "priority": "urgent"}),
                vec!["priority"],
            ),
            (json!({"title": "x", "tags": ["two words"]}), vec!["tags"]),
            (
                json!({"title": "x", "tags": ["x".repeat(33)]}),
                vec!["tags"],
            ),
            (json!({"title": "x", "tags": eleven}), vec!["tags"]),
            (
                json!({"title": "", "priority": "urgent", "due_date": "x"}),
                vec!["title", "due_date", "priority"],
            ),
            // The API takes the documented spellings only (a page's form is more lenient).
            (json!({"title": "x", "priority": ""}), vec!["priority"]),
            (json!({"title": "x", "priority": "HIGH"}), vec!["priority"]),
            (json!({"title": "x", "priority": " high"}), vec!["priority"]),
            (json!({"title": "x", "due_date": ""}), vec!["due_date"]),
            (
                json!({"title": "x", "due_date": " 2026-01-31"}),
                vec!["due_date"],
            ),
            (
                json!({"title": "", "priority": "", "due_date": ""}),
                vec!["title", "due_date", "priority"],
            ),
        ] {
            let response = create(&app, &user, body.clone()).await;
            let error = assert_error_shape(response, 422).await;
            assert_eq!(named(&error), fields, "{body}");
        }
        // A wrong JSON type is 422 too.
        let response = create(&app, &user, json!({"title": "x", "tags": "home"})).await;
        assert_error_shape(response, 422).await;
        assert_eq!(list(&app, &user, "").await["total"], 0);
    })
    .await;
}

#[tokio::test]
async fn quick_add_reads_tokens_out_of_the_title_in_the_users_time_zone() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        // Fourteen hours ahead of UTC: for most of each UTC day, its today is UTC's tomorrow.
        set_time_zone(&app, &user, "Pacific/Kiritimati").await;
        let today = today("Pacific/Kiritimati");
        let response = quick_add(&app, &user, json!({"title": "Buy milk #Errands !high ^tomorrow email#notatag ^notaday", "tags": ["home"]})).await;
        assert_eq!(response.status(), 201);
        let task: Value = response.json().await.unwrap();
        assert_eq!(task["title"], "Buy milk email#notatag ^notaday");
        assert_eq!(task["tags"], json!(["home", "errands"]));
        assert_eq!(task["priority"], "high");
        assert_eq!(
            task["due_date"],
            today.checked_add_days(Days::new(1)).unwrap().to_string()
        );

        let task = create_task(&app, &user, json!({"title": "Literal #tag !high ^today"})).await;
        assert_eq!(task["title"], "Literal #tag !high ^today", "without parse=true nothing is read");

        let task: Value = quick_add(&app, &user, json!({"title": "Report ^today"})).await
        .json()
        .await
        .unwrap();
        assert_eq!(task["due_date"], today.to_string());

        // Only tokens: no title is left.
        let response = quick_add(&app, &user, json!({"title": "#a !low"})).await;
        let error = assert_error_shape(response, 422).await;
        assert_eq!(named(&error), ["title"]);
        let response = send(
            &app,
            &user.token,
            Method::POST,
            &format!("/api/{}/tasks?parse=maybe", user.id),
            Some(json!({"title": "x"})),
        )
        .await;
        let error = assert_error_shape(response, 422).await;
        assert_eq!(error["errors"][0]["loc"], json!(["query", "parse"]));
    })
    .await;
}

/// One seeded task: title, description, due in days from today, priority, tags, done.
type Seed<'a> = (
    &'a str,
    Option<&'a str>,
    Option<i64>,
    &'a str,
    &'a [&'a str],
    bool,
);

/// A small, varied list.
async fn seed_varied(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let today = today("UTC");
    let rows: [Seed; 8] = [
        (
            "Buy milk",
            Some("semi-skimmed, two bottles"),
            Some(0),
            "high",
            &["errands", "home"],
            false,
        ),
        ("book dentist", None, Some(-3), "medium", &["health"], false),
        (
            "Call the bank",
            Some("about the mortgage"),
            Some(-1),
            "high",
            &["home"],
            true,
        ),
        (
            "Write report",
            Some("quarterly figures"),
            Some(5),
            "low",
            &["work"],
            false,
        ),
        ("Zebra crossing paint", None, None, "none", &[], false),
        (
            "apple pie",
            Some("bake for Sunday"),
            Some(1),
            "none",
            &["home", "baking"],
            false,
        ),
        (
            "Milkshake machine",
            None,
            None,
            "medium",
            &["errands"],
            false,
        ),
        (
            "Renew passport",
            Some("before the trip"),
            Some(-10),
            "high",
            &["travel"],
            false,
        ),
    ];
    let mut tasks = Vec::new();
    for (title, description, due, priority, tags, done) in rows {
        let due = due.map(|d| {
            let day = if d >= 0 {
                today.checked_add_days(Days::new(d as u64))
            } else {
                today.checked_sub_days(Days::new((-d) as u64))
            };
            day.unwrap().to_string()
        });
        let mut task = create_task(
            app,
            user,
            json!({"title": title, "description": description, "due_date": due,
                   "priority": priority, "tags": tags}),
        )
        .await;
        if done {
            let path = format!(
                "/api/{}/tasks/{}/complete",
                user.id,
                task["id"].as_str().unwrap()
            );
            task = send(
                app,
                &user.token,
                Method::PATCH,
                &path,
                Some(json!({"is_completed": true})),
            )
            .await
            .json()
            .await
            .unwrap();
        }
        tasks.push(task);
    }
    tasks
}

#[tokio::test]
async fn every_filter_and_combination_keeps_the_right_tasks_with_the_right_total() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        seed_varied(&app, &user).await;
        let today = today("UTC");
        let day = |d: u64| today.checked_add_days(Days::new(d)).unwrap().to_string();
        let cases: Vec<(String, Vec<&str>)> = vec![
            ("status=completed".into(), vec!["Call the bank"]),
            (
                "priority=high".into(),
                vec!["Renew passport", "Call the bank", "Buy milk"],
            ),
            (
                "priority=low,none&status=active".into(),
                vec!["apple pie", "Zebra crossing paint", "Write report"],
            ),
            (
                "tag=home".into(),
                vec!["apple pie", "Call the bank", "Buy milk"],
            ),
            ("tag=home,errands".into(), vec!["Buy milk"]),
            ("tag=HOME,baking".into(), vec!["apple pie"]),
            ("tag=nothing".into(), vec![]),
            (
                "overdue=true".into(),
                vec!["Renew passport", "book dentist"],
            ),
            (
                format!("due_after={}&due_before={}", day(0), day(1)),
                vec!["apple pie", "Buy milk"],
            ),
            (
                format!("due_before={}", day(0)),
                vec![
                    "Renew passport",
                    "Call the bank",
                    "book dentist",
                    "Buy milk",
                ],
            ),
            ("q=milk".into(), vec!["Milkshake machine", "Buy milk"]),
            ("q=milk%20bott".into(), vec!["Buy milk"]),
            ("q=MORTGAGE".into(), vec!["Call the bank"]),
            (
                "q=mil&tag=errands&priority=medium".into(),
                vec!["Milkshake machine"],
            ),
            ("q=%22%3B%20drop%20table%20tasks%3B%20--".into(), vec![]),
            ("q=***".into(), vec![]),
            (
                "q=the&status=active&overdue=true".into(),
                vec!["Renew passport"],
            ),
        ];
        for (query, expected) in cases {
            let page = list(&app, &user, &query).await;
            assert_eq!(titles(&page), expected, "{query}");
            assert_eq!(page["total"], expected.len(), "{query}");
        }
        // Paging a filtered list: the total is the filter's, every page is counted.
        let first = list(&app, &user, "priority=high&limit=2").await;
        assert_eq!(first["total"], 3);
        let cursor = first["next_cursor"].as_str().unwrap();
        let second = list(
            &app,
            &user,
            &format!("priority=high&limit=2&cursor={cursor}"),
        )
        .await;
        assert_eq!(titles(&second), ["Buy milk"]);
        assert_eq!(second["next_cursor"], Value::Null);
    })
    .await;
}

/// The contract's order: the sort's value (due dates missing last in both orders), then
/// `created_at`, then `id`, descending.
fn contract_order<'a>(sort: &'a str, order: &'a str) -> impl Fn(&Value, &Value) -> Ordering + 'a {
    move |a: &Value, b: &Value| {
        let rank = |t: &Value| match t["priority"].as_str().unwrap() {
            "none" => 0,
            "low" => 1,
            "medium" => 2,
            _ => 3,
        };
        let directed = |o: Ordering| if order == "asc" { o } else { o.reverse() };
        let primary = match sort {
            "created" => directed(a["created_at"].as_str().cmp(&b["created_at"].as_str())),
            "updated" => directed(a["updated_at"].as_str().cmp(&b["updated_at"].as_str())),
            "priority" => directed(rank(a).cmp(&rank(b))),
            "title" => directed(
                a["title"]
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .cmp(&b["title"].as_str().unwrap().to_lowercase()),
            ),
            _ => match (a["due_date"].as_str(), b["due_date"].as_str()) {
                (Some(x), Some(y)) => directed(x.cmp(y)),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        primary
            .then_with(|| b["created_at"].as_str().cmp(&a["created_at"].as_str()))
            .then_with(|| b["id"].as_str().cmp(&a["id"].as_str()))
    }
}

#[tokio::test]
async fn every_sort_and_order_is_the_contracts_and_cursors_walk_it_exactly() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let mut tasks = seed_varied(&app, &user).await;
        // More ties: three more tasks of one priority and one due date.
        let due = today("UTC")
            .checked_add_days(Days::new(5))
            .unwrap()
            .to_string();
        for title in ["tie one", "Tie two", "tie three"] {
            tasks.push(
                create_task(
                    &app,
                    &user,
                    json!({"title": title, "priority": "low", "due_date": due}),
                )
                .await,
            );
        }
        // `updated_at` moves for the completed one: read the tasks back as they are now.
        tasks = list(&app, &user, "limit=100").await["tasks"]
            .as_array()
            .unwrap()
            .clone();
        for sort in ["created", "updated", "due", "priority", "title"] {
            for order in ["", "asc", "desc"] {
                let effective = match (sort, order) {
                    ("due" | "title", "") => "asc",
                    (_, "") => "desc",
                    (_, o) => o,
                };
                let mut expected = tasks.clone();
                expected.sort_by(contract_order(sort, effective));
                let expected: Vec<&str> = expected
                    .iter()
                    .map(|t| t["title"].as_str().unwrap())
                    .collect();
                let params = format!(
                    "sort={sort}{}",
                    if order.is_empty() {
                        String::new()
                    } else {
                        format!("&order={order}")
                    }
                );
                let whole = list(&app, &user, &format!("{params}&limit=100")).await;
                assert_eq!(titles(&whole), expected, "{params}");
                // Pages of three by cursor give the same list, each task once.
                let mut walked = Vec::new();
                let mut cursor: Option<String> = None;
                loop {
                    let query = match &cursor {
                        None => format!("{params}&limit=3"),
                        Some(c) => format!("{params}&limit=3&cursor={c}"),
                    };
                    let page = list(&app, &user, &query).await;
                    assert_eq!(page["total"], expected.len());
                    walked.extend(titles(&page));
                    match page["next_cursor"].as_str() {
                        Some(next) => cursor = Some(next.to_string()),
                        None => break,
                    }
                }
                assert_eq!(walked, expected, "{params} by cursor");
                // And by offset.
                let page = list(&app, &user, &format!("{params}&limit=4&offset=4")).await;
                assert_eq!(titles(&page), expected[4..8], "{params} offset");
            }
        }
        // A cursor with a filter: the active tasks by due date, two at a time.
        let mut walked = Vec::new();
        let mut query = "sort=due&status=active&limit=2".to_string();
        loop {
            let page = list(&app, &user, &query).await;
            walked.extend(titles(&page));
            match page["next_cursor"].as_str() {
                Some(next) => query = format!("sort=due&status=active&limit=2&cursor={next}"),
                None => break,
            }
        }
        let mut expected: Vec<Value> = tasks
            .iter()
            .filter(|t| t["is_completed"] == false)
            .cloned()
            .collect();
        expected.sort_by(contract_order("due", "asc"));
        assert_eq!(
            walked,
            expected
                .iter()
                .map(|t| t["title"].as_str().unwrap())
                .collect::<Vec<_>>()
        );
    })
    .await;
}

#[tokio::test]
async fn bad_list_parameters_are_422_naming_each() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        create_task(&app, &user, json!({"title": "a"})).await;
        create_task(&app, &user, json!({"title": "b"})).await;
        for (query, expected) in [
            ("status=done", vec!["status"]),
            ("priority=urgent", vec!["priority"]),
            ("tag=two%20words", vec!["tag"]),
            ("due_before=2026-13-01", vec!["due_before"]),
            ("due_after=yesterday", vec!["due_after"]),
            ("overdue=1", vec!["overdue"]),
            ("sort=size", vec!["sort"]),
            ("order=up", vec!["order"]),
            ("sort=size&order=up&limit=0", vec!["sort", "order", "limit"]),
        ] {
            let response = send(
                &app,
                &user.token,
                Method::GET,
                &format!("/api/{}/tasks?{query}", user.id),
                None,
            )
            .await;
            let error = assert_error_shape(response, 422).await;
            let mut fields = named(&error);
            let mut expected: Vec<String> = expected.into_iter().map(String::from).collect();
            fields.sort();
            expected.sort();
            assert_eq!(fields, expected, "{query}");
            assert!(error["errors"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["loc"][0] == "query"));
        }
        // A cursor from one order is refused in another.
        let page = list(&app, &user, "sort=title&limit=1").await;
        let cursor = page["next_cursor"].as_str().unwrap();
        let response = send(
            &app,
            &user.token,
            Method::GET,
            &format!(
                "/api/{}/tasks?sort=title&order=desc&cursor={cursor}",
                user.id
            ),
            None,
        )
        .await;
        let error = assert_error_shape(response, 422).await;
        assert_eq!(named(&error), ["cursor"]);
    })
    .await;
}

#[tokio::test]
async fn tags_are_counted_per_user_and_search_and_tags_never_reveal_another_users_tasks() {
    for_each_backend(|app| async move {
        let alice = app.new_user().await;
        let bob = app.new_user().await;
        seed_varied(&app, &alice).await;
        create_task(
            &app,
            &bob,
            json!({"title": "Bob's secret milk plan", "tags": ["secret", "home"]}),
        )
        .await;

        let tags: Value = tags_of(&app, &alice).await;
        assert_eq!(
            tags,
            json!({"tags": [
                {"name": "home", "count": 3}, {"name": "errands", "count": 2},
                {"name": "baking", "count": 1}, {"name": "health", "count": 1},
                {"name": "travel", "count": 1}, {"name": "work", "count": 1},
            ]})
        );
        let page = list(&app, &alice, "q=secret").await;
        assert_eq!(page["total"], 0);
        let page = list(&app, &alice, "tag=secret").await;
        assert_eq!(page["total"], 0);
        let page = list(&app, &alice, "q=milk").await;
        assert_eq!(titles(&page), ["Milkshake machine", "Buy milk"]);
        let bobs = list(&app, &bob, "q=milk&tag=home").await;
        assert_eq!(titles(&bobs), ["Bob's secret milk plan"]);

        // Someone else's tag list is 403, like their tasks.
        let response = send(
            &app,
            &alice.token,
            Method::GET,
            &format!("/api/{}/tags", bob.id),
            None,
        )
        .await;
        assert_error_shape(response, 403).await;
        let response = app
            .client
            .get(app.url(&format!("/api/{}/tags", alice.id)))
            .send()
            .await
            .unwrap();
        assert_error_shape(response, 401).await;

        // Deleting a task takes its words and tags out of search and counts.
        let milk = &list(&app, &bob, "q=milk").await["tasks"][0];
        let path = format!("/api/{}/tasks/{}", bob.id, milk["id"].as_str().unwrap());
        assert_eq!(
            send(&app, &bob.token, Method::DELETE, &path, None)
                .await
                .status(),
            204
        );
        assert_eq!(list(&app, &bob, "q=milk").await["total"], 0);
        let tags: Value = tags_of(&app, &bob).await;
        assert_eq!(tags, json!({"tags": []}));

        // An edit is searchable at once under its new words only.
        let task = create_task(&app, &bob, json!({"title": "old words"})).await;
        let path = format!("/api/{}/tasks/{}", bob.id, task["id"].as_str().unwrap());
        send(
            &app,
            &bob.token,
            Method::PUT,
            &path,
            Some(json!({"title": "fresh wording"})),
        )
        .await;
        assert_eq!(list(&app, &bob, "q=old").await["total"], 0);
        assert_eq!(list(&app, &bob, "q=fresh%20word").await["total"], 1);
    })
    .await;
}

#[tokio::test]
async fn export_and_import_carry_the_new_fields() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        seed_varied(&app, &user).await;
        let export: Value = send(
            &app,
            &user.token,
            Method::GET,
            &format!("/api/{}/export", user.id),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
        let other = app.new_user().await;
        let response = send(
            &app,
            &other.token,
            Method::POST,
            &format!("/api/{}/import", other.id),
            Some(export.clone()),
        )
        .await;
        assert_eq!(response.status(), 200);
        let strip = |tasks: &Value| -> Vec<Value> {
            tasks
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    json!([
                        t["title"],
                        t["due_date"],
                        t["priority"],
                        t["tags"],
                        t["created_at"]
                    ])
                })
                .collect()
        };
        let imported: Value = send(
            &app,
            &other.token,
            Method::GET,
            &format!("/api/{}/export", other.id),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(
            strip(&imported["lists"][0]["tasks"]),
            strip(&export["lists"][0]["tasks"])
        );
        assert_eq!(
            list(&app, &other, "tag=home").await["total"],
            3,
            "imported tags are filterable"
        );
        assert_eq!(
            list(&app, &other, "q=mortgage").await["total"],
            1,
            "imported text is searchable"
        );

        // A bad tag in an import is named by position and field.
        let mut bad = export.clone();
        bad["lists"][0]["tasks"][2]["tags"] = json!(["no spaces allowed"]);
        let response = send(
            &app,
            &other.token,
            Method::POST,
            &format!("/api/{}/import", other.id),
            Some(bad),
        )
        .await;
        let error = assert_error_shape(response, 422).await;
        assert_eq!(
            error["errors"][0]["loc"],
            json!(["body", "lists", 0, "tasks", 2, "tags"])
        );
    })
    .await;
}

#[tokio::test]
async fn the_task_page_moves_to_the_clean_address_of_its_list() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let browser = TestApp::new_client();
        crate::requests::browser_login(&app, &browser, &user).await;
        for (asked, clean) in [
            // What a search form sends: every field, blank ones too.
            (
                "/tasks?q=rent&priority=&sort=created&order=&due_after=&due_before=",
                "/tasks?q=rent",
            ),
            // The status's old name, and nonsense, which is dropped.
            ("/tasks?filter=active", "/tasks?status=active"),
            ("/tasks?sort=size&tag=Home&page=1", "/tasks?tag=home"),
        ] {
            let response = app.get_page_as(&browser, asked).await;
            assert_eq!(response.status(), 302, "{asked}");
            assert_eq!(response.headers()["location"], clean, "{asked}");
            let response = app.get_page_as(&browser, clean).await;
            assert_eq!(response.status(), 200, "{clean}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_filtered_total_follows_every_kind_of_change() {
    for_each_backend(|app| async move {
        let user = app.new_user().await;
        let home = create_task(&app, &user, json!({"title": "one", "tags": ["home"]})).await;
        let other = create_task(&app, &user, json!({"title": "two"})).await;
        let total = |query: &'static str| {
            let (app, user) = (&app, &user);
            async move { list(app, user, query).await["total"].as_u64().unwrap() }
        };
        assert_eq!(total("tag=home").await, 1);
        // An edit that adds the tag.
        let path = |t: &Value| format!("/api/{}/tasks/{}", user.id, t["id"].as_str().unwrap());
        send(
            &app,
            &user.token,
            Method::PUT,
            &path(&other),
            Some(json!({"title": "two", "tags": ["home"]})),
        )
        .await;
        assert_eq!(total("tag=home").await, 2);
        // A delete and a create that leave the number of tasks as it was.
        send(&app, &user.token, Method::DELETE, &path(&home), None).await;
        create_task(&app, &user, json!({"title": "three"})).await;
        assert_eq!(total("tag=home").await, 1);
        // Completion, against an active-only filtered count.
        assert_eq!(total("tag=home&status=active").await, 1);
        send(
            &app,
            &user.token,
            Method::PATCH,
            &format!("{}/complete", path(&other)),
            Some(json!({"is_completed": true})),
        )
        .await;
        assert_eq!(total("tag=home&status=active").await, 0);
        // Another user's change does not disturb this user's count.
        let stranger = app.new_user().await;
        create_task(&app, &stranger, json!({"title": "x", "tags": ["home"]})).await;
        assert_eq!(total("tag=home").await, 1);
    })
    .await;
}

//! Listing: pages over many tasks, cursors, and the totals the database keeps.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::{
    helpers::{for_each_backend, TestApp, TestUser},
    requests::{create_ok, list, send},
};

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
            sqlx::query("insert into tasks (id, user_id, list_id, created_by, title, is_completed, created_at, updated_at)
                         values ($1, $2, (select id from lists where owner_id = $2 and is_inbox), $2, $3, $4, $5, $5)")
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
    use app::{match_pool, tasks::store};
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
    let counts = store::counts(db, owner).await.unwrap();
    assert_eq!(
        (counts.active + counts.completed, counts.completed),
        (total as u64, completed as u64),
        "{label}"
    );
    assert_eq!(list(app, user, "limit=1").await["total"], total, "{label}");
    // And each list's counts, as the lists route reads them, are what its tasks say.
    let response = crate::requests::send(
        app,
        &user.token,
        reqwest::Method::GET,
        &format!("/api/{}/lists", user.id),
        None,
    )
    .await;
    let lists: Value = response.json().await.unwrap();
    for list in lists["lists"].as_array().unwrap() {
        let id = uuid::Uuid::parse_str(list["id"].as_str().unwrap()).unwrap();
        let (total, completed): (i64, i64) = match_pool!(db, |pool| {
            sqlx::query_as(
                "select count(*), coalesce(sum(case when is_completed then 1 else 0 end), 0)
                 from tasks where list_id = $1",
            )
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
        });
        assert_eq!(
            list["counts"],
            serde_json::json!({"active": total - completed, "completed": completed}),
            "{label}: {}",
            list["name"]
        );
    }
}

#[tokio::test]
async fn totals_follow_every_change_to_a_users_tasks() {
    use app::{match_pool, tasks::store};
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
        assert_eq!(store::counts(&db, owner).await.unwrap().completed, 2);

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

        let (everything, today) = (app::tasks::TaskQuery::default(), "UTC");
        let marked = store::set_all_completed(&db, owner, true, &everything, today)
            .await
            .unwrap();
        assert_eq!(marked.count, 3);
        check_totals(&app, &user, &db, "after marking all done").await;
        assert_eq!(store::unmark(&db, owner, marked.batch).await.unwrap(), 3);
        check_totals(&app, &user, &db, "after undoing the marking").await;
        store::set_all_completed(&db, owner, true, &everything, today)
            .await
            .unwrap();
        let all_completed = store::Removal::Completed(&everything, store::today_in(today));
        let cleared = store::remove(&db, owner, all_completed).await.unwrap();
        assert_eq!(cleared.count, 4);
        check_totals(&app, &user, &db, "after clearing completed").await;
        // Undoing it puts the counts back, and clearing again takes them away.
        store::restore(&db, owner, cleared.batch).await.unwrap();
        check_totals(&app, &user, &db, "after undoing the clearing").await;
        store::remove(&db, owner, all_completed).await.unwrap();
        check_totals(&app, &user, &db, "after clearing completed again").await;
        assert_eq!(store::counts(&db, owner).await.unwrap(), Default::default());

        // A task moved into another owner's list (as a move into a shared list does) takes
        // its counts along: both owners' and both lists'.
        let theirs = create_ok(&app, &user, "mine").await;
        let moved = match_pool!(&db, |pool| {
            sqlx::query(
                "update tasks set user_id = $1,
                     list_id = (select id from lists where owner_id = $1 and is_inbox)
                 where id = $2",
            )
            .bind(uuid::Uuid::parse_str(&other.id).unwrap())
            .bind(uuid::Uuid::parse_str(theirs["id"].as_str().unwrap()).unwrap())
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        });
        assert_eq!(moved.unwrap(), 1);
        check_totals(&app, &user, &db, "after a move to another owner").await;
        check_totals(&app, &other, &db, "after a move from another owner").await;
        assert_eq!(list(&app, &other, "").await["total"], 2);

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
        assert_eq!(list(&app, &other, "").await["total"], 2);
    })
    .await;
}

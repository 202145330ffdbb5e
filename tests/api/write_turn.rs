//! Every write of the product takes this process's write turn on SQLite: with SQLite's busy
//! handler turned off (`SQLITE_BUSY_TIMEOUT_MS=0`), a write that raced another for the lock
//! instead of queueing would fail at once with SQLITE_BUSY (a 5xx, or a failed prune).

use std::sync::Arc;

use reqwest::Method;
use serde_json::{json, Value};
use todo::sessions::Sessions;
use tower_sessions::{
    session::{Id, Record},
    session_store::ExpiredDeletion as _,
    SessionStore as _,
};

use crate::{
    helpers::{spawn_app, Backend, FreshDatabase, TestApp, TestUser},
    requests::{browser_login, create, post_form, send},
};

/// No busy handler, and limits that stay out of the way of a burst from one address.
const OVERRIDES: &[(&str, &str)] = &[
    ("SQLITE_BUSY_TIMEOUT_MS", "0"),
    ("PASSWORD_QUEUE", "10000"),
    ("LOGIN_MAX_FAILURES", "100000"),
    ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "100000"),
    ("LOGIN_MAX_FAILURES_PER_ADDRESS", "100000"),
    ("SIGNUPS_PER_HOUR", "100000"),
];

/// How many clients write at once, and how many writes each makes.
const WRITERS: usize = 64;
const ROUNDS: usize = 4;

/// What one client does, round after round; every kind of write the server makes.
async fn writer(app: TestApp, user: TestUser, kind: usize) -> Vec<(String, u16)> {
    let mut seen = Vec::new();
    let mut note = |what: &str, status: reqwest::StatusCode| {
        seen.push((what.to_string(), status.as_u16()));
    };
    for round in 0..ROUNDS {
        match kind % 8 {
            // A task, then its change and its deletion: the task store.
            0 | 1 => {
                let made = create(&app, &user, json!({"title": format!("w{kind}-{round}")})).await;
                note("create", made.status());
                let id = made.json::<Value>().await.unwrap()["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let path = format!("/api/tasks/{id}");
                let body = json!({"is_completed": true});
                let patched = send(&app, &user.token, Method::PATCH, &path, Some(body)).await;
                note("patch", patched.status());
                let deleted = send(&app, &user.token, Method::DELETE, &path, None).await;
                note("delete", deleted.status());
            }
            // Tokens: a login (throttle rows written, then cleared), and its logout (a
            // revocation).
            2 => {
                let token = app.login(&user.email, &user.password).await;
                let out = app
                    .client
                    .post(app.url("/api/auth/logout"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                note("logout", out.status());
            }
            // A failed login: a throttle row that stays.
            3 => {
                let failed = app
                    .post_json(
                        "/api/auth/login",
                        &json!({"email": user.email, "password": "not the password"}),
                    )
                    .await;
                note("failed login", failed.status());
            }
            // A browser: its session record and session row, a page view, its logout.
            4 => {
                let browser = TestApp::new_client();
                browser_login(&app, &browser, &user).await;
                let page = app.get_page_as(&browser, "/").await;
                note("page", page.status());
                let out = post_form(&app, &browser, "/rpc/logout", "/", &[]).await;
                note("browser logout", out.status());
            }
            // The account's rows.
            5 => {
                let body = json!({"name": format!("Writer {kind}-{round}")});
                let changed =
                    send(&app, &user.token, Method::PATCH, "/api/auth/me", Some(body)).await;
                note("profile", changed.status());
            }
            // A new account.
            6 => {
                let signed_up = app
                    .post_json(
                        "/api/auth/signup",
                        &json!({
                            "email": crate::requests::new_email(),
                            "password": "correct horse battery",
                            "name": "New",
                        }),
                    )
                    .await;
                note("signup", signed_up.status());
            }
            // Many tasks at once: a bulk change of the owner's tasks.
            _ => {
                let body = json!({"completed": round % 2 == 0});
                let marked = send(
                    &app,
                    &user.token,
                    Method::POST,
                    "/api/tasks/complete-all",
                    Some(body),
                )
                .await;
                note("complete all", marked.status());
            }
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_write_waits_in_sqlite_s_busy_handler_under_64_concurrent_mixed_writers() {
    let (app, running) = spawn_app(Backend::Sqlite, OVERRIDES).await;
    let mut users = Vec::new();
    for _ in 0..8 {
        users.push(app.new_user().await);
    }
    for user in &users {
        for n in 0..5 {
            let made = create(&app, user, json!({"title": format!("seed {n}")})).await;
            assert_eq!(made.status(), 201);
        }
    }
    let writers: Vec<_> = (0..WRITERS)
        .map(|kind| tokio::spawn(writer(app.clone(), users[kind % users.len()].clone(), kind)))
        .collect();
    let mut counted = 0;
    for writer in writers {
        for (what, status) in writer.await.expect("a writer panicked") {
            assert!(
                status < 500,
                "{what} answered {status}: a write raced for SQLite's lock"
            );
            counted += 1;
        }
    }
    assert!(
        counted >= WRITERS * ROUNDS,
        "only {counted} requests were made"
    );
    running.shutdown().await;
}

/// The housekeeping prunes and the session store, beside task writes, on one handle.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn prunes_and_session_records_take_the_write_turn_too() {
    // No server runs: the handle below is the only writer of this database.
    let database = FreshDatabase::create(Backend::Sqlite).await;
    let config = database.config_with(OVERRIDES);
    let db = todo::startup::connect_database(&config).await.unwrap();
    let owner = app::ids::UserId(uuid::Uuid::new_v4());
    app::match_pool!(db, |pool| sqlx::query(
        "insert into users (id, email, name, password_hash, created_at, updated_at, time_zone)
         values ($1, 'turn@example.com', 'Turn', 'x', $2, $2, 'UTC')"
    )
    .bind(owner)
    .bind(app::db::now())
    .execute(pool)
    .await
    .map(drop))
    .unwrap();
    let sessions = Arc::new(Sessions::new(&db));
    let throttle = config.throttle;
    let mut jobs = tokio::task::JoinSet::new();
    for n in 0..WRITERS {
        let (db, sessions) = (db.clone(), sessions.clone());
        jobs.spawn(async move {
            for round in 0..ROUNDS {
                let outcome = match (n + round) % 6 {
                    0 => {
                        let draft = app::tasks::TaskDraft {
                            title: format!("t{n}-{round}"),
                            ..Default::default()
                        };
                        let input = draft.validate().unwrap();
                        app::tasks::store::create(&db, owner, &input)
                            .await
                            .map(drop)
                            .map_err(|e| e.to_string())
                    }
                    1 => {
                        let mut record = Record {
                            id: Id::default(),
                            data: Default::default(),
                            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
                        };
                        sessions
                            .create(&mut record)
                            .await
                            .map_err(|e| e.to_string())?;
                        sessions.save(&record).await.map_err(|e| e.to_string())?;
                        sessions.delete(&record.id).await.map_err(|e| e.to_string())
                    }
                    2 => sessions.delete_expired().await.map_err(|e| e.to_string()),
                    3 => app::auth::server::delete_expired_revocations(&db)
                        .await
                        .and(throttle.delete_expired(&db).await)
                        .and(app::auth::sessions::forget_expired_sessions(&db).await)
                        .map(drop)
                        .map_err(|e| e.to_string()),
                    4 => app::tasks::events::prune(&db)
                        .await
                        .and(todo::idempotency::prune(&db).await)
                        .map(drop)
                        .map_err(|e| e.to_string()),
                    _ => app::tasks::store::take_back_unfinished(&db)
                        .await
                        .map(drop)
                        .map_err(|e| e.to_string()),
                };
                outcome.map_err(|error| format!("job {n}, round {round}: {error}"))?;
            }
            Ok::<_, String>(())
        });
    }
    while let Some(job) = jobs.join_next().await {
        job.expect("a job panicked").unwrap();
    }
    let made = app::tasks::store::counts(&db, owner).await.unwrap();
    let creates = (0..WRITERS)
        .flat_map(|n| (0..ROUNDS).map(move |round| (n + round) % 6))
        .filter(|kind| *kind == 0)
        .count();
    assert_eq!(made.active + made.completed, creates as u64, "{made:?}");
    db.close().await;
    database.drop_database().await;
}

/// A statement whose first row comes back but whose second fails: read to its end, it fails.
const FAILS_ON_ITS_SECOND_ROW: &str =
    "select abs(x) as x from (select 1 as x union all select -9223372036854775807 - 1 as x) as v";

/// A writer reads every statement to its end, even through `fetch_optional` and
/// `fetch_one`, so a failure after the first row (on SQLite, the error of the autocommit
/// when the statement is reset: a full disk) is never lost with a write acknowledged.
#[tokio::test]
async fn a_writer_reads_every_statement_to_its_end_whichever_fetch_is_called() {
    for backend in crate::helpers::backends() {
        let database = FreshDatabase::create(backend).await;
        let db = todo::startup::connect_database(&database.config())
            .await
            .unwrap();
        let optional = db
            .write(FAILS_ON_ITS_SECOND_ROW)
            .scalar_optional::<i64>()
            .await;
        assert!(
            matches!(optional, Err(sqlx::Error::Database(_))),
            "{backend:?}: {optional:?}"
        );
        let mut writer = db.writer().await.unwrap();
        let mut tx = writer.begin().await.unwrap();
        let one = tx.sql(FAILS_ON_ITS_SECOND_ROW).scalar::<i64>().await;
        assert!(
            matches!(one, Err(sqlx::Error::Database(_))),
            "{backend:?}: {one:?}"
        );
        tx.rollback().await.unwrap();
        // The engine's own transaction, for what only one engine says, reads to the end too.
        let mut tx = writer.begin().await.unwrap();
        let engine = match tx.engine() {
            app::db::EngineTx::Sqlite(tx) => {
                sqlx::query_scalar::<_, i64>(FAILS_ON_ITS_SECOND_ROW)
                    .fetch_one(tx)
                    .await
            }
            app::db::EngineTx::Postgres(tx) => {
                sqlx::query_scalar::<_, i64>(FAILS_ON_ITS_SECOND_ROW)
                    .fetch_one(tx)
                    .await
            }
        };
        assert!(
            matches!(engine, Err(sqlx::Error::Database(_))),
            "{backend:?}: {engine:?}"
        );
        tx.rollback().await.unwrap();
        drop(writer);
        if backend == Backend::Sqlite {
            // What the writer protects from: a plain SQLite connection stops after the first
            // row and reports success.
            let plain = app::match_pool!(db, |pool| {
                sqlx::query_scalar::<_, i64>(FAILS_ON_ITS_SECOND_ROW)
                    .fetch_optional(pool)
                    .await
            });
            assert_eq!(plain.unwrap(), Some(1));
        }
        // And the writer still answers what a first row is.
        let first = db
            .write("select cast(7 as bigint) union all select cast(8 as bigint)")
            .scalar_optional::<i64>()
            .await;
        assert_eq!(first.unwrap(), Some(7));
        db.close().await;
        database.drop_database().await;
    }
}

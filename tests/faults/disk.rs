//! A full disk: every write is either stored and acknowledged, or refused in the error shape
//! and logged; none is acknowledged and lost.

use std::time::Duration;

use serde_json::json;

use crate::server::{
    assert_error_shape, client, create_task, new_account, Account, Database, Launch, Outcome,
    Server,
};

const START: Duration = Duration::from_secs(30);

/// Creates tasks one at a time until the database has refused ten (or `max` tries), and
/// returns the ids the server acknowledged and the failures it answered. Refusals need not
/// come in a row: a write that fails may leave room for a smaller one, and a checkpoint
/// after it may free some of the log.
async fn fill(
    client: &reqwest::Client,
    server: &Server,
    account: &Account,
    max: usize,
) -> (Vec<String>, Vec<(u16, serde_json::Value)>) {
    let description = "x".repeat(1500);
    let (mut created, mut failed) = (Vec::new(), Vec::new());
    for i in 0..max {
        match create_task(
            client,
            &server.address,
            account,
            &format!("task {i}"),
            &description,
        )
        .await
        {
            Outcome::Created(id) => created.push(id),
            Outcome::Failed(status, body) => {
                failed.push((status, body));
                if failed.len() == 10 {
                    break;
                }
            }
            Outcome::NoAnswer => panic!("the server dropped a connection instead of answering"),
        }
    }
    (created, failed)
}

fn assert_same_ids(mut acknowledged: Vec<String>, mut stored: Vec<String>) {
    acknowledged.sort();
    stored.sort();
    assert_eq!(
        acknowledged.len(),
        stored.len(),
        "acknowledged {} tasks, stored {}",
        acknowledged.len(),
        stored.len()
    );
    assert_eq!(acknowledged, stored);
}

/// SQLite's `max_page_count` (`SQLITE_MAX_SIZE_MB`) makes a portable full disk.
#[tokio::test]
async fn a_full_database_refuses_writes_with_507_and_stores_exactly_what_it_acknowledged() {
    let database = Database::sqlite();
    let server = Server::start(
        Launch {
            database_url: &database.url,
            data_dir: database.folder.path(),
            env: &[("SQLITE_MAX_SIZE_MB", "1")],
            shell_prefix: None,
        },
        START,
    );
    let client = client();
    let account = new_account(&client, &server).await;

    let (mut acknowledged, failed) = fill(&client, &server, &account, 3000).await;
    assert!(!acknowledged.is_empty(), "nothing fit before the limit");
    assert_eq!(failed.len(), 10, "the limit was never reached");
    for (status, body) in &failed {
        assert_eq!(*status, 507, "{body}");
        assert_error_shape(*status, body);
        assert!(body["detail"].as_str().unwrap().contains("storage is full"));
    }

    // Sixteen writers at once on the full database: still nothing acknowledged and lost.
    let writers: Vec<_> = (0..16)
        .map(|w| {
            let (client, account, url) = (client.clone(), account.clone(), server.address.clone());
            tokio::spawn(async move {
                let mut created = Vec::new();
                for i in 0..20 {
                    match create_task(&client, &url, &account, &format!("w{w} {i}"), "").await {
                        Outcome::Created(id) => created.push(id),
                        Outcome::Failed(status, body) => {
                            assert!(status == 507 || status == 503, "{status} {body}");
                            assert_error_shape(status, &body);
                        }
                        Outcome::NoAnswer => panic!("no answer"),
                    }
                }
                created
            })
        })
        .collect();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }

    // Signups on the full database: each is either stored or refused with 507 and absent.
    let mut signups = Vec::new();
    for i in 0..100 {
        let email = format!("late-{i}@example.com");
        let response = client
            .post(server.url("/api/auth/signup"))
            .json(&json!({"email": email, "password": "correct horse battery", "name": "Late"}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.json().await.unwrap();
        signups.push((email, status));
        if status != 201 {
            assert_eq!(status, 507, "{body}");
            assert_error_shape(status, &body);
            break;
        }
    }
    assert_eq!(
        signups.last().unwrap().1,
        507,
        "signups never filled the database"
    );

    assert!(
        server.log().contains("storage is full"),
        "the failure was not logged"
    );
    drop(server);
    for (email, status) in signups {
        assert_eq!(
            database.account_exists(&email).await,
            status == 201,
            "{email}"
        );
    }
    assert_same_ids(acknowledged, database.stored_task_ids(&account.id).await);
}

/// A real write error at commit time: the file-size limit (`ulimit -f`) stops the
/// write-ahead log from growing, as a full filesystem does. SQLite reports it only when the
/// transaction commits, which is where an unfinished statement used to lose it.
#[tokio::test]
async fn a_write_that_fails_at_commit_is_never_acknowledged() {
    let database = Database::sqlite();
    let server = Server::start(
        Launch {
            database_url: &database.url,
            data_dir: database.folder.path(),
            env: &[],
            // 1,024-byte blocks: the log may not grow past 1.5 MiB.
            shell_prefix: Some("ulimit -f 1536; trap '' XFSZ"),
        },
        START,
    );
    let client = client();
    let account = new_account(&client, &server).await;

    let (acknowledged, failed) = fill(&client, &server, &account, 3000).await;
    assert!(!acknowledged.is_empty());
    assert_eq!(failed.len(), 10, "the file-size limit was never reached");
    for (status, body) in &failed {
        assert!(*status == 507 || *status == 503, "{status} {body}");
        assert_error_shape(*status, body);
    }
    assert!(server.log().contains("ERROR"), "the failure was not logged");
    drop(server);
    assert_same_ids(acknowledged, database.stored_task_ids(&account.id).await);
}

//! A crash under write load (SIGKILL) loses no acknowledged write, the next start folds the
//! write-ahead log it left behind, and SIGTERM under load stops promptly.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use crate::server::{client, create_task, new_account, Database, Launch, Outcome, Server};

const START: Duration = Duration::from_secs(30);
const WRITERS: usize = 8;

/// Runs `WRITERS` create loops until `stop` is set; returns every acknowledged id.
fn write_load(
    server: &Server,
    account: &crate::server::Account,
    stop: Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Vec<String>>> {
    (0..WRITERS)
        .map(|w| {
            let (client, account, url, stop) = (
                client(),
                account.clone(),
                server.address.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                let mut created = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    if let Outcome::Created(id) =
                        create_task(&client, &url, &account, &format!("w{w} #{i}"), "load").await
                    {
                        created.push(id);
                    }
                }
                created
            })
        })
        .collect()
}

/// Returns the restarted server.
async fn crash_under_load_loses_nothing(database: &Database) -> Server {
    let launch = || Launch {
        database_url: &database.url,
        data_dir: database.folder.path(),
        env: &[],
        shell_prefix: None,
    };
    let mut server = Server::start(launch(), START);
    let account = new_account(&client(), &server).await;

    let stop = Arc::new(AtomicBool::new(false));
    let writers = write_load(&server, &account, stop.clone());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    assert!(
        acknowledged.len() > 50,
        "too little load: {}",
        acknowledged.len()
    );

    // The next start serves every acknowledged task.
    let server = Server::start(launch(), START);
    let stored = database.stored_task_ids(&account.id).await;
    let stored: std::collections::HashSet<_> = stored.into_iter().collect();
    let lost: Vec<_> = acknowledged
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged writes lost",
        lost.len(),
        acknowledged.len()
    );
    let response = client()
        .get(server.url(&format!("/api/{}/tasks/{}", account.id, acknowledged[0])))
        .bearer_auth(&account.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    server
}

#[tokio::test]
async fn sqlite_loses_no_acknowledged_write_to_a_crash_and_folds_the_log_at_start() {
    let database = Database::sqlite();
    let _restarted = crash_under_load_loses_nothing(&database).await;
    // The restarted server folded the crash's log into the database as it started.
    let wal = database.folder.path().join("todo.db-wal");
    let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert!(
        wal_bytes < 1024 * 1024,
        "the write-ahead log is still {wal_bytes} bytes after a restart"
    );
}

#[tokio::test]
async fn postgres_loses_no_acknowledged_write_to_a_crash() {
    let Some(database) = Database::postgres().await else {
        return;
    };
    drop(crash_under_load_loses_nothing(&database).await);
    database.drop_database().await;
}

/// SIGTERM while writers keep writing: the process exits within the grace period, and
/// every request it answered 201 is stored.
#[tokio::test]
async fn sigterm_under_load_stops_promptly_and_keeps_what_it_acknowledged() {
    let database = Database::sqlite();
    let mut server = Server::start(
        Launch {
            database_url: &database.url,
            data_dir: database.folder.path(),
            env: &[("SHUTDOWN_GRACE_SECS", "5")],
            shell_prefix: None,
        },
        START,
    );
    let account = new_account(&client(), &server).await;
    let stop = Arc::new(AtomicBool::new(false));
    let writers = write_load(&server, &account, stop.clone());
    tokio::time::sleep(Duration::from_millis(800)).await;
    server.terminate();
    let status = server.wait_for_exit(Duration::from_secs(15));
    stop.store(true, Ordering::Relaxed);
    assert!(
        status.is_some_and(|s| s.success()),
        "{status:?}\n{}",
        server.log()
    );
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    let stored: std::collections::HashSet<_> = database
        .stored_task_ids(&account.id)
        .await
        .into_iter()
        .collect();
    assert!(acknowledged.iter().all(|id| stored.contains(id)));
    // A clean stop checkpoints and removes the log.
    let wal = database.folder.path().join("todo.db-wal");
    assert!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) == 0);
}

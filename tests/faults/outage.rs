//! PostgreSQL outages, made by a TCP proxy between the server and the database: refused
//! connections get a fast 503 with `Retry-After`, a database that stops answering gets a
//! 503 once the request timeout passes, the server recovers by itself, and start-up waits
//! for a database that is not there yet, logging why.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::Value;
use tokio::{
    io::copy_bidirectional,
    net::{TcpListener, TcpSocket, TcpStream},
    task::JoinHandle,
};

use crate::server::{
    assert_error_shape, client, create_task, new_account, Database, Launch, Outcome, Server,
};

const START: Duration = Duration::from_secs(30);

/// A proxy that forwards, refuses (nothing listens: connection refused), or swallows
/// (accepts and forwards nothing: a network black hole).
struct Proxy {
    port: u16,
    upstream: SocketAddr,
    listener: Option<JoinHandle<()>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let mut proxy = Self {
            port: 0,
            upstream,
            listener: None,
            connections: Arc::default(),
        };
        proxy.listen(true).await;
        proxy
    }

    fn bind(port: u16) -> TcpListener {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket
            .bind(SocketAddr::from(([127, 0, 0, 1], port)))
            .unwrap();
        socket.listen(128).unwrap()
    }

    /// Listens on the proxy's port; forwards what it accepts when `forward`.
    async fn listen(&mut self, forward: bool) {
        let listener = Self::bind(self.port);
        self.port = listener.local_addr().unwrap().port();
        let (upstream, connections) = (self.upstream, self.connections.clone());
        self.listener = Some(tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let task = tokio::spawn(async move {
                    if !forward {
                        // Hold the connection open and never answer.
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        drop(client);
                        return;
                    }
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                connections.lock().unwrap().push(task);
            }
        }));
    }

    /// Closes the listening socket and every open connection.
    fn cut(&mut self) {
        if let Some(listener) = self.listener.take() {
            listener.abort();
        }
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    async fn refuse(&mut self) {
        self.cut();
        // Let the aborted tasks drop their sockets.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    async fn restore(&mut self) {
        self.cut();
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.listen(true).await;
    }

    async fn black_hole(&mut self) {
        self.cut();
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.listen(false).await;
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}

async fn postgres_with_proxy() -> Option<(Database, Proxy)> {
    let database = Database::postgres().await?;
    let url = reqwest::Url::parse(&database.url).unwrap();
    let upstream = tokio::net::lookup_host((
        url.host_str().unwrap().to_string(),
        url.port().unwrap_or(5432),
    ))
    .await
    .unwrap()
    .find(SocketAddr::is_ipv4)
    .expect("an IPv4 address for the database");
    let proxy = Proxy::start(upstream).await;
    Some((database, proxy))
}

/// The server, reaching its database through the proxy.
fn start_through(proxy: &Proxy, database: &Database, env: &[(&str, &str)]) -> Server {
    Server::start(
        Launch {
            database_url: &database.url_via(proxy.port),
            data_dir: database.folder.path(),
            env,
            shell_prefix: None,
        },
        START,
    )
}

async fn get_me(server: &Server, token: &str) -> (u16, Option<Value>, Option<String>, Duration) {
    let started = Instant::now();
    let response = client()
        .get(server.url("/api/auth/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let body = response.json().await.ok();
    (status, body, retry_after, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_refuses_connections_gets_a_fast_503_and_the_server_recovers() {
    let Some((database, mut proxy)) = postgres_with_proxy().await else {
        return;
    };
    let server = start_through(&proxy, &database, &[]);
    let account = new_account(&client(), &server).await;
    assert_eq!(get_me(&server, &account.token).await.0, 200);

    proxy.refuse().await;
    for _ in 0..5 {
        let (status, body, retry_after, took) = get_me(&server, &account.token).await;
        assert_eq!(status, 503, "{body:?}");
        assert_error_shape(503, body.as_ref().unwrap());
        assert!(retry_after.is_some(), "no Retry-After");
        assert!(took < Duration::from_secs(1), "the 503 took {took:?}");
    }
    let refused = create_task(&client(), &server.address, &account, "during", "").await;
    assert!(matches!(refused, Outcome::Failed(503, _)));

    proxy.restore().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if get_me(&server, &account.token).await.0 == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never recovered:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let Outcome::Created(id) = create_task(&client(), &server.address, &account, "after", "").await
    else {
        panic!("a create after recovery failed");
    };
    assert_eq!(database.stored_task_ids(&account.id).await, [id]);
    assert!(
        server.log().contains("unreachable"),
        "the outage was not logged"
    );
    drop(server);
    drop(proxy);
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_stops_answering_gets_503_when_the_request_times_out() {
    let Some((database, mut proxy)) = postgres_with_proxy().await else {
        return;
    };
    let server = start_through(&proxy, &database, &[("REQUEST_TIMEOUT_SECS", "2")]);
    let account = new_account(&client(), &server).await;

    proxy.black_hole().await;
    let (status, body, retry_after, took) = get_me(&server, &account.token).await;
    assert_eq!(status, 503, "{body:?}");
    assert_error_shape(503, body.as_ref().unwrap());
    assert!(retry_after.is_some());
    assert!(took < Duration::from_secs(6), "took {took:?}");
    drop(server);
    drop(proxy);
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_waits_for_the_database_and_logs_the_real_cause() {
    let Some((database, mut proxy)) = postgres_with_proxy().await else {
        return;
    };
    proxy.refuse().await;
    let url = database.url_via(proxy.port);

    // Patience runs out: a clear error naming the cause, not "pool timed out".
    let mut impatient = Server::spawn_only(Launch {
        database_url: &url,
        data_dir: database.folder.path(),
        env: &[("DATABASE_STARTUP_TIMEOUT_SECS", "1")],
        shell_prefix: None,
    });
    let status = impatient.wait_for_exit(Duration::from_secs(15));
    assert!(status.is_some_and(|s| !s.success()), "{status:?}");
    let log = impatient.log();
    assert!(log.contains("refused"), "{log}");
    assert!(!log.contains("pool timed out"), "{log}");

    // With patience, the server starts once the database appears.
    let restore_later = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        proxy.restore().await;
    };
    let start = tokio::task::spawn_blocking({
        let url = url.clone();
        let folder = database.folder.path().to_path_buf();
        move || {
            Server::start(
                Launch {
                    database_url: &url,
                    data_dir: &folder,
                    env: &[("DATABASE_STARTUP_TIMEOUT_SECS", "30")],
                    shell_prefix: None,
                },
                START,
            )
        }
    });
    restore_later.await;
    let server = start.await.unwrap();
    assert!(server.log().contains("retrying"), "{}", server.log());
    assert_eq!(
        client()
            .get(server.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    drop(server);
    drop(proxy);
    database.drop_database().await;
}

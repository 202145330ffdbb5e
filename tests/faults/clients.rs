//! Slow and stalled clients: a client that never finishes its headers, its body, or its
//! next request on a kept-alive connection is cut off, cannot lock others out, and cannot
//! keep SIGTERM from completing.

use std::time::{Duration, Instant};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::server::{assert_error_shape, client, Database, Launch, Server};

const START: Duration = Duration::from_secs(30);

async fn connect(server: &Server) -> TcpStream {
    TcpStream::connect(server.address.trim_start_matches("http://"))
        .await
        .expect("connect")
}

/// Reads until the server closes the connection (or `within` passes); what it sent.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut received)).await;
    read.ok()
        .map(|_| String::from_utf8_lossy(&received).into_owned())
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let database = Database::sqlite();
    let server = Server::start_on(&database, &[("HEADER_READ_TIMEOUT_SECS", "1")]);
    let mut stalled = connect(&server).await;
    stalled
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();

    let started = Instant::now();
    let closed = read_until_closed(&mut stalled, Duration::from_secs(10)).await;
    assert!(closed.is_some(), "the stalled connection was kept open");
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let database = Database::sqlite();
    let server = Server::start_on(&database, &[("HEADER_READ_TIMEOUT_SECS", "1")]);
    let mut idle = connect(&server).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut idle, Duration::from_secs(10)).await;
    let answer = answer.expect("the idle connection was kept open");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn many_idle_sockets_do_not_lock_other_clients_out() {
    let database = Database::sqlite();
    // One file descriptor more than the sockets the test opens would leave: the idle ones
    // must be closed for new clients to get in.
    let server = Server::start(
        Launch {
            database_url: &database.url,
            data_dir: database.folder.path(),
            env: &[("HEADER_READ_TIMEOUT_SECS", "1")],
            shell_prefix: Some("ulimit -n 256"),
        },
        START,
    );
    let mut idle = Vec::new();
    for _ in 0..300 {
        if let Ok(Ok(stream)) = tokio::time::timeout(
            Duration::from_millis(200),
            TcpStream::connect(server.address.trim_start_matches("http://")),
        )
        .await
        {
            idle.push(stream);
        }
    }
    // Within a few header timeouts, a new client is served.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = client()
            .get(server.url("/healthz"))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        if answer.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(Instant::now() < deadline, "new clients stayed locked out");
    }
    drop(idle);
}

#[tokio::test]
async fn a_body_that_never_arrives_gets_503_in_the_error_shape() {
    let database = Database::sqlite();
    let server = Server::start_on(
        &database,
        &[
            ("REQUEST_TIMEOUT_SECS", "1"),
            ("HEADER_READ_TIMEOUT_SECS", "30"),
        ],
    );
    let mut slow = connect(&server).await;
    slow.write_all(
        b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\nConnection: close\r\n\r\n{\"email\":",
    )
    .await
    .unwrap();
    let answer = read_until_closed(&mut slow, Duration::from_secs(10))
        .await
        .expect("no answer to a stalled body");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after"),
        "{answer}"
    );
    let body: serde_json::Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_error_shape(503, &body);
}

#[tokio::test]
async fn sigterm_completes_within_the_grace_period_while_a_client_stalls() {
    let database = Database::sqlite();
    let mut server = Server::start_on(
        &database,
        &[
            ("SHUTDOWN_GRACE_SECS", "2"),
            ("HEADER_READ_TIMEOUT_SECS", "600"),
        ],
    );
    // Headers sent halfway, and a body promised and never sent.
    let mut half_headers = connect(&server).await;
    half_headers
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow:")
        .await
        .unwrap();
    let mut half_body = connect(&server).await;
    half_body
        .write_all(b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    server.terminate();
    let status = server.wait_for_exit(Duration::from_secs(20));
    assert!(
        status.is_some_and(|s| s.success()),
        "still running or failed: {status:?}\n{}",
        server.log()
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "SIGTERM took {:?}",
        started.elapsed()
    );
}

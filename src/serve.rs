//! The HTTP server loop: accepts connections, bounds how long a client may take to send a
//! request, and shuts down within a grace period whatever the clients do.
//!
//! `axum::serve` offers neither a header-read timeout nor a bound on graceful shutdown, so a
//! client that sends half a request could hold a connection (and a file descriptor) forever
//! and keep SIGTERM from ever completing. This serves the same router with hyper's HTTP/1
//! connection builder, with those two limits.

use std::{future::Future, net::SocketAddr, time::Duration};

use axum::{extract::ConnectInfo, Router};
use hyper::server::conn::http1;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, task::JoinSet};
use tower_http::add_extension::AddExtension;

/// The largest body any route reads (form posts included).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// How long clients may take, and how long shutting down may take.
#[derive(Clone, Copy, Debug)]
pub struct ServeLimits {
    /// From a connection opening, or its previous response ending, to the end of the next
    /// request's headers. Also ends idle keep-alive connections.
    pub header_read_timeout: Duration,
    /// After the shutdown signal, how long open connections get to finish.
    pub shutdown_grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets in-flight requests
/// finish for at most the grace period and closes whatever is still open.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) {
    // HTTP/1.1 only: the automatic HTTP/2 detection waits for a first byte with no time
    // limit, so a socket that never sends one would be held forever. Browsers reach this
    // server over HTTP/1.1 (HTTP/2 needs TLS, which a proxy in front terminates).
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);

    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, remote) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        pause_after_accept_error(&error).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let service = TowerToHyperService::new(AddExtension::new(
                    router.clone(),
                    ConnectInfo::<SocketAddr>(remote),
                ));
                let connection = builder.serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                connections.spawn(async move {
                    // A client that goes away or times out is not the server's error.
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = &mut shutdown => break,
        }
    }
    drop(listener);

    let open = connections.len();
    if open > 0 {
        tracing::info!(open, "waiting for open connections to finish");
    }
    let drained = async {
        graceful.shutdown().await;
        while connections.join_next().await.is_some() {}
    };
    if tokio::time::timeout(limits.shutdown_grace, drained)
        .await
        .is_err()
    {
        tracing::warn!(
            grace_secs = limits.shutdown_grace.as_secs_f32(),
            "the shutdown grace period is over; closing the connections still open"
        );
    }
}

/// Accepting fails when the process is out of file descriptors (or the peer reset the
/// connection before it was accepted). Spinning would burn a core while nothing can be
/// accepted, so wait a little: idle connections closing will free descriptors.
async fn pause_after_accept_error(error: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(%error, "could not accept a connection; pausing briefly");
    tokio::time::sleep(Duration::from_millis(50)).await;
}

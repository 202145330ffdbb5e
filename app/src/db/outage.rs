//! Whether the database is reachable: an outage is noticed by the first query that meets it,
//! answered at once (503) while it lasts, and ended by a fresh connection that gets through.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use sqlx::{Connection as _, PgConnection, PgPool};

/// Whether the database is known to be unreachable. Set by the first query that finds it
/// so; cleared by [`wait_until_reachable`] once a new connection gets through.
#[derive(Debug, Default)]
pub struct Outage {
    down: AtomicBool,
    /// A pool timeout is being looked into (see [`probe_after_timeout`]).
    probing: AtomicBool,
}

impl Outage {
    /// While the database is known to be down, the error a query answers with at once.
    pub(super) fn check(&self) -> Result<(), sqlx::Error> {
        if self.down.load(Ordering::Acquire) {
            return Err(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "the database is unreachable (waiting for it to come back)",
            )));
        }
        Ok(())
    }

    /// Looks at a PostgreSQL query's error: one that says the server cannot be reached marks
    /// the database down; a pool timeout starts a probe that tells a burst from an outage.
    pub(super) fn observe(self: &Arc<Self>, pool: &PgPool, error: &sqlx::Error) {
        if matches!(error, sqlx::Error::PoolTimedOut) {
            // Every connection busy and none to spare (a burst), or none could be made (an
            // outage): only a fresh connection tells which, and one probe at a time asks.
            if !self.probing.swap(true, Ordering::AcqRel) {
                tokio::spawn(probe_after_timeout(pool.clone(), self.clone()));
            }
            return;
        }
        if means_unreachable(error) {
            mark_down(pool, self, error);
        }
    }
}

fn mark_down(pool: &PgPool, outage: &Arc<Outage>, error: &dyn std::fmt::Display) {
    if outage.down.swap(true, Ordering::AcqRel) {
        return;
    }
    tracing::error!(%error, "the database is unreachable; answering 503 until it is back");
    tokio::spawn(wait_until_reachable(pool.clone(), outage.clone()));
}

/// After a pool timeout: the database is down only if a fresh connection fails too. A busy
/// pool (every connection in use for longer than a request may wait) is not an outage: the
/// requests that timed out get 503, the others go on.
async fn probe_after_timeout(pool: PgPool, outage: Arc<Outage>) {
    let options = pool.connect_options();
    match tokio::time::timeout(PROBE_TIMEOUT, PgConnection::connect_with(&options)).await {
        Ok(Ok(connection)) => {
            let _ = connection.close().await;
        }
        Ok(Err(error)) if means_unreachable(&error) => mark_down(&pool, &outage, &error),
        Ok(Err(error)) => tracing::warn!(%error, "a probe after a pool timeout failed"),
        Err(_) => mark_down(&pool, &outage, &"connecting timed out"),
    }
    outage.probing.store(false, Ordering::Release);
}

/// How often a down database is tried again, and how long one try may take.
const PROBE_EVERY: Duration = Duration::from_millis(250);
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Tries a fresh connection (outside the pool, so the real cause is seen) until one
/// succeeds, then drops the pooled connections the outage broke and lets queries through.
async fn wait_until_reachable(pool: PgPool, outage: Arc<Outage>) {
    let since = Instant::now();
    let options = pool.connect_options();
    let mut last_cause = String::new();
    loop {
        tokio::time::sleep(PROBE_EVERY).await;
        match tokio::time::timeout(PROBE_TIMEOUT, PgConnection::connect_with(&options)).await {
            Ok(Ok(connection)) => {
                let _ = connection.close().await;
                break;
            }
            Ok(Err(error)) => {
                let cause = error.to_string();
                if cause != last_cause {
                    tracing::warn!(%cause, "the database is still unreachable");
                    last_cause = cause;
                }
            }
            Err(_) => {
                if last_cause != "timeout" {
                    tracing::warn!("the database is still unreachable: connecting timed out");
                    last_cause = "timeout".into();
                }
            }
        }
    }
    drop_broken_idle_connections(&pool).await;
    outage.down.store(false, Ordering::Release);
    tracing::info!(
        after_secs = since.elapsed().as_secs_f32(),
        "the database is reachable again"
    );
}

/// Idle connections from before an outage point at a server that went away: test each one
/// now and close those that fail, so the first requests after it do not meet them.
async fn drop_broken_idle_connections(pool: &PgPool) {
    let mut held = Vec::new();
    while let Some(mut connection) = pool.try_acquire() {
        let alive = matches!(
            tokio::time::timeout(PROBE_TIMEOUT, connection.ping()).await,
            Ok(Ok(()))
        );
        if alive {
            held.push(connection);
        } else {
            connection.close_on_drop();
        }
    }
}

/// Errors that say the server cannot be reached (refused, reset, shutting down or starting
/// up), as opposed to a bad query, bad credentials or a missing database.
pub fn means_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        // Class 08: connection exceptions; 57P01-03: the server is shutting down or starting.
        sqlx::Error::Database(e) => e.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

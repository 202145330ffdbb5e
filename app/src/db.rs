//! The database handle: one pool, SQLite or PostgreSQL, chosen at start from the URL.
//!
//! Queries are written once in SQL both engines accept (`$1` placeholders, `returning`,
//! timestamps and ids bound from Rust) and run through [`with_pool!`], which expands the
//! same code for each backend, so every query is checked against both drivers' types.

use sqlx::{PgPool, SqlitePool};

/// Runs the same code against whichever pool `db` holds: `with_pool!(db, |pool| expr)`.
#[macro_export]
macro_rules! with_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    /// The backend's name, for logs and health output.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Round-trips a trivial query: is the database reachable right now?
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        crate::with_pool!(self, |pool| sqlx::query("select 1")
            .execute(pool)
            .await
            .map(drop))
    }

    /// Closes every connection; waits for connections in use to be returned.
    pub async fn close(&self) {
        crate::with_pool!(self, |pool| pool.close().await)
    }
}

/// Now, truncated to the microsecond both engines store, so what we return after a write
/// equals what a later read returns.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, TimeDelta};
    let now = chrono::Utc::now();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}

//! The database handle: SQLite or PostgreSQL, chosen at start from the URL.
//!
//! Queries are written once in SQL both engines accept (`$1` placeholders, `returning`,
//! timestamps and ids bound from Rust) as a [`Query`] made by one of the handles below,
//! which binds each value for the engine in use ([`Value`]) and decodes rows of either
//! ([`Row`]): the engine is chosen in one place (`db::statement`), not at each query.
//!
//! The rules every query here keeps, by construction of the handles:
//! - A read goes through [`Db::read`], a write through a [`Writer`] ([`Db::write`] for one
//!   statement, [`Writer::begin`] for a transaction, [`Tx::sql`] inside it), and nothing else
//!   reaches a pool. On SQLite the reader's pool is opened read-only, so a write issued
//!   through it fails at once instead of racing for the write lock; a [`Writer`] exists only
//!   with this process's write turn.
//! - A statement that writes is read to its end: sqlx's SQLite driver stops `fetch_one` and
//!   `fetch_optional` after the first row, the autocommit then happens when the statement is
//!   reset, and the error of that reset (a full disk) is thrown away, so a write would be
//!   acknowledged that was never stored. A [`Writer`] and its transactions read every
//!   statement to its end whichever of [`Query::one`] or [`Query::optional`] is called.
//!   Stepping to the end also lets SQLite run its automatic WAL checkpoints.
//! - Both fail at once while the database is known to be down (see [`Outage`]) instead of
//!   letting each request wait for the pool.
//! - What only one engine says (row locks, arrays, `NOTIFY`) goes through [`Tx::engine`],
//!   a transaction of that engine, whose outcome is passed back to [`Tx::note`].

use std::{borrow::Cow, sync::Arc};

use sqlx::{PgPool, SqlitePool};

use crate::ids::UserId;

mod outage;
mod statement;
mod writer;

pub use outage::{means_unreachable, Outage};
pub use statement::{Query, Row, Scalar, Statement, Target, Value};
pub use writer::{EngineTx, Tx, Writer, WriterTx, Writing};

use statement::{Conn, Done, Fetch};

/// Runs the same code against whichever pool `db` writes to, with no outage check and no
/// write turn: for tests and tools that arrange or inspect rows directly. The application's
/// queries use [`Db::read`] and a [`Writer`].
#[macro_export]
macro_rules! match_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db.unguarded_pool() {
            $crate::db::Pool::Sqlite($pool) => $body,
            $crate::db::Pool::Postgres($pool) => $body,
        }
    };
}

/// A pool of the engine in use.
#[derive(Clone, Copy, Debug)]
pub enum Pool<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

/// The pools of each engine: chosen once, when the database is opened.
#[derive(Clone, Debug)]
enum Engine {
    Sqlite {
        /// Where writes go: only through a [`Writer`], with the write turn.
        writes: SqlitePool,
        /// Where reads go: read-only connections to the same file (see [`Db::read`]).
        reads: SqlitePool,
        /// One connection for writers that can only take the write turn before their
        /// connection (the session store): see [`Db::library_pools`].
        turn_first: SqlitePool,
    },
    /// Reads and writes alike (row locks order writers).
    Postgres(PgPool),
}

/// The pools a library that is handed pools (the session store) may use: see
/// [`Db::library_pools`].
#[derive(Clone, Copy, Debug)]
pub enum LibraryPools<'a> {
    Sqlite {
        /// Read-only connections.
        reads: &'a SqlitePool,
        /// To be used only while holding [`Db::write_turn`].
        turn_first: &'a SqlitePool,
    },
    Postgres(&'a PgPool),
}

/// The database: its pools, and whether it is known to be unreachable right now.
#[derive(Clone, Debug)]
pub struct Db {
    engine: Engine,
    outage: Arc<Outage>,
    /// SQLite's write turn (one at a time in this process): see [`Db::writer`].
    writes: Arc<tokio::sync::Semaphore>,
    /// Whose tasks just changed (committed): see [`Db::announce`].
    changed: tokio::sync::broadcast::Sender<Option<UserId>>,
    /// Whose sessions or tokens just ended: see [`Db::credentials_ended`].
    ended: tokio::sync::broadcast::Sender<UserId>,
    /// Rings when a reminder was set that may be due sooner than the scheduler thinks:
    /// see [`Db::reminder_set`].
    reminders: Arc<tokio::sync::Notify>,
    /// The most tasks one account may hold.
    task_quota: u64,
}

/// [`Db::task_quota`] unless the operator says otherwise (`TASKS_PER_ACCOUNT`).
pub const DEFAULT_TASK_QUOTA: u64 = 200_000;

/// The PostgreSQL channel that tells every instance a user's sessions or tokens ended, with
/// the user's id.
pub const CREDENTIALS_CHANNEL: &str = "credentials_ended";

/// The PostgreSQL channel that tells every instance's reminder scheduler that a reminder was
/// set (it may be due before the one it sleeps until).
pub const REMINDERS_CHANNEL: &str = "reminder_set";

impl Db {
    /// An SQLite database written through `writes`, whose connections must only ever be
    /// used with the write turn, and read through `reads`, which should be opened read-only
    /// (the same pool serves both for a database that lives in memory).
    pub fn sqlite(writes: SqlitePool, reads: SqlitePool) -> Self {
        let turn_first = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(writes.options().get_acquire_timeout())
            .connect_lazy_with((*writes.connect_options()).clone());
        Self::new(Engine::Sqlite {
            writes,
            reads,
            turn_first,
        })
    }

    pub fn postgres(pool: PgPool) -> Self {
        Self::new(Engine::Postgres(pool))
    }

    fn new(engine: Engine) -> Self {
        Self {
            engine,
            outage: Arc::default(),
            writes: Arc::new(tokio::sync::Semaphore::new(1)),
            changed: tokio::sync::broadcast::channel(1024).0,
            ended: tokio::sync::broadcast::channel(256).0,
            reminders: Arc::default(),
            task_quota: DEFAULT_TASK_QUOTA,
        }
    }

    /// The same database, with at most `quota` tasks per account.
    pub fn with_task_quota(mut self, quota: u64) -> Self {
        self.task_quota = quota;
        self
    }

    /// The most tasks one account may hold (imports included).
    pub fn task_quota(&self) -> u64 {
        self.task_quota
    }

    /// Says, after the commit, that a task's reminder was set: every instance's reminder
    /// scheduler looks again for the next one due (on PostgreSQL the others hear it through
    /// [`REMINDERS_CHANNEL`]; if that fails, they look on their own within minutes).
    pub async fn reminder_set(&self) {
        self.wake_reminders();
        if let Engine::Postgres(pool) = &self.engine {
            let notified = sqlx::query("select pg_notify($1, '')")
                .bind(REMINDERS_CHANNEL)
                .execute(pool)
                .await;
            if let Err(error) = notified {
                tracing::warn!(%error, "telling other instances of a new reminder failed");
            }
        }
    }

    /// [`Db::reminder_set`] in this process only (what the listener passes on).
    pub fn wake_reminders(&self) {
        self.reminders.notify_one();
    }

    /// Waits until a reminder is set (or was set since the last wait).
    pub async fn reminders_woken(&self) {
        self.reminders.notified().await;
    }

    /// Says, after the commit, that some of `user`'s sessions or tokens have ended (a logout,
    /// "sign out everywhere", a new password, a deleted account): every instance's open event
    /// streams of that user check their credential again at once. On PostgreSQL the other
    /// instances hear it through [`CREDENTIALS_CHANNEL`]; if that fails, their streams still
    /// check on their own within a minute.
    pub async fn credentials_ended(&self, user: UserId) {
        self.announce_credentials_ended(user);
        if let Engine::Postgres(pool) = &self.engine {
            let notified = sqlx::query("select pg_notify($1, $2)")
                .bind(CREDENTIALS_CHANNEL)
                .bind(user.to_string())
                .execute(pool)
                .await;
            if let Err(error) = notified {
                tracing::warn!(%error, "telling other instances that credentials ended failed");
            }
        }
    }

    /// [`Db::credentials_ended`] in this process only (what the listener passes on).
    pub fn announce_credentials_ended(&self, user: UserId) {
        let _ = self.ended.send(user);
    }

    /// Every user whose credentials end from now on, in this process.
    pub fn ended_credentials(&self) -> tokio::sync::broadcast::Receiver<UserId> {
        self.ended.subscribe()
    }

    /// Says that `owner`'s tasks changed and the change is committed: this process's open
    /// event streams of that user then read the new events (see `tasks::events`). Cheap,
    /// and nothing happens when no one listens.
    pub fn announce(&self, owner: UserId) {
        let _ = self.changed.send(Some(owner));
    }

    /// Says that anyone's tasks may have changed (announcements may have been lost).
    pub fn announce_all(&self) {
        let _ = self.changed.send(None);
    }

    /// Every [`Db::announce`] (`Some`) and [`Db::announce_all`] (`None`) from now on.
    pub fn changes(&self) -> tokio::sync::broadcast::Receiver<Option<UserId>> {
        self.changed.subscribe()
    }

    /// On SQLite, waits for this process's write turn, held until the guard is dropped; on
    /// PostgreSQL, `None` at once. Whoever holds it must not then wait for a connection of
    /// the write pool: [`Db::writer`] takes its connection first.
    pub async fn write_turn(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        match self.engine {
            Engine::Sqlite { .. } => self.writes.acquire().await.ok(),
            Engine::Postgres(_) => None,
        }
    }

    /// A statement that only reads: run on SQLite's read-only connections, at once with an
    /// unavailable error while the database is known to be down.
    pub fn read<'q>(&self, sql: impl Into<Cow<'q, str>>) -> Query<'q, Reading<'_>> {
        Query::new(Reading(self), Statement::new(sql, self.is_sqlite()))
    }

    /// The pool writes go to, with no outage check and no write turn: for [`Db::writer`],
    /// start-up and tests only (see [`match_pool!`]).
    #[doc(hidden)]
    pub fn unguarded_pool(&self) -> Pool<'_> {
        match &self.engine {
            Engine::Sqlite { writes, .. } => Pool::Sqlite(writes),
            Engine::Postgres(pool) => Pool::Postgres(pool),
        }
    }

    /// The pools for a library that is handed pools rather than a [`Writer`] (the session
    /// store). On SQLite: read-only connections, and a pool of one connection for writing
    /// that must only be used while holding [`Db::write_turn`], taken before its connection
    /// (the reverse of [`Db::writer`]); a pool of its own, so the turn's holder never waits
    /// for a connection held by a writer waiting for the turn.
    pub fn library_pools(&self) -> LibraryPools<'_> {
        match &self.engine {
            Engine::Sqlite {
                reads, turn_first, ..
            } => LibraryPools::Sqlite { reads, turn_first },
            Engine::Postgres(pool) => LibraryPools::Postgres(pool),
        }
    }

    /// Whether this is an SQLite database (queries that need a hint for its planner).
    pub fn is_sqlite(&self) -> bool {
        matches!(self.engine, Engine::Sqlite { .. })
    }

    /// A statement that holds the row of the user bound at `$1` until commit, so that a
    /// user's count-then-insert writes (a limit per account) take turns on PostgreSQL;
    /// SQLite's write turn already makes each one step.
    pub fn lock_user(&self) -> &'static str {
        if self.is_sqlite() {
            "select 1 from users where id = $1"
        } else {
            "select 1 from users where id = $1 for update"
        }
    }

    /// `clause` (a row lock: `for update`, `for share of …`, `for update skip locked`) on
    /// PostgreSQL, where row locks order writers; nothing on SQLite, whose writes take
    /// turns and whose SQL has no such clause.
    pub fn row_lock(&self, clause: &'static str) -> &'static str {
        if self.is_sqlite() {
            ""
        } else {
            clause
        }
    }

    /// The backend's name, for logs and health output.
    pub fn backend(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite { .. } => "sqlite",
            Engine::Postgres(_) => "postgres",
        }
    }

    /// Whether queries may go ahead: while the database is known to be down, the error a
    /// request answers with at once (503), rather than waiting for the pool's timeout.
    pub fn available(&self) -> Result<(), sqlx::Error> {
        self.outage.check()
    }

    /// Looks at a query's outcome: an error that says the database cannot be reached marks
    /// it down until a fresh connection succeeds (PostgreSQL; an SQLite file cannot go away
    /// like a server can).
    pub fn observe<T>(&self, result: &Result<T, sqlx::Error>) {
        if let (Engine::Postgres(pool), Err(error)) = (&self.engine, result) {
            self.outage.observe(pool, error);
        }
    }

    /// Round-trips a trivial query: is the database reachable right now?
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        self.read("select 1").execute().await.map(drop)
    }

    /// Closes every connection; waits for connections in use to be returned. On SQLite the
    /// readers go first: the last connection to close checkpoints the log and removes it,
    /// which only a writing connection can.
    pub async fn close(&self) {
        match &self.engine {
            Engine::Sqlite {
                writes,
                reads,
                turn_first,
            } => {
                reads.close().await;
                turn_first.close().await;
                writes.close().await;
            }
            Engine::Postgres(pool) => pool.close().await,
        }
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

/// Takes, inside `tx`, what makes a transaction's "check, then write" atomic against other
/// transactions about the same `subjects` (see `auth::throttle`). On SQLite nothing: it runs
/// one writer at a time, and a writing statement holds the write lock from its start, its
/// reads included. On PostgreSQL one transaction-scoped advisory lock per subject, taken in
/// the order of their keys (a volatile function in the select list runs after the sort), so
/// two transactions never wait for each other in a cycle; released at commit or rollback.
pub async fn lock_subjects(tx: &mut Tx<'_>, subjects: &[String]) -> Result<(), sqlx::Error> {
    let locked = match tx.engine() {
        EngineTx::Sqlite(_) => Ok(()),
        EngineTx::Postgres(tx) => sqlx::query(
            "select pg_advisory_xact_lock(key) from (
                 select distinct hashtextextended(subject, 0) as key from unnest($1::text[]) as subject
             ) as keys order by key",
        )
        .bind(subjects)
        .execute(tx)
        .await
        .map(drop),
    };
    tx.note(&locked);
    locked
}

/// The handle of [`Db::read`].
pub struct Reading<'db>(&'db Db);

impl Target for Reading<'_> {
    async fn run<R: Row>(
        self,
        statement: Statement<'_>,
        fetch: Fetch,
    ) -> Result<Done<R>, sqlx::Error> {
        let db = self.0;
        db.available()?;
        let conn = match &db.engine {
            Engine::Sqlite { reads, .. } => Conn::SqliteReads(reads),
            Engine::Postgres(pool) => Conn::PostgresReads(pool),
        };
        let done = statement.run(conn, fetch).await;
        db.observe(&done);
        done
    }
}

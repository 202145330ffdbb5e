//! Opening the database: SQLite set up so every acknowledged write is on disk and its
//! write-ahead log stays bounded; PostgreSQL waited for at start-up, with the real cause of
//! each failure logged; migrations applied to both.

use std::{str::FromStr, time::Duration};

use app::db::Db;
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    ConnectOptions as _, Connection as _,
};
use tokio::time::Instant;

use crate::{config::Config, private_files, startup_error::StartupError};

/// SQLite's page size for new databases, to turn `SQLITE_MAX_SIZE_MB` into pages.
const SQLITE_PAGE_BYTES: u64 = 4096;
/// Start-up retries wait this long at first, doubling up to the maximum.
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_RETRY: Duration = Duration::from_secs(5);

/// Opens the pool the URL names, creating the SQLite folder and file on first start, and
/// applies the embedded migrations.
pub async fn connect_database(config: &Config) -> Result<Db, StartupError> {
    let db = if config.database_url.starts_with("sqlite:") {
        open_sqlite(config).await?
    } else {
        open_postgres(config).await?
    }
    .with_task_quota(config.database.tasks_per_account);
    tracing::info!(backend = db.backend(), "database ready");
    Ok(db)
}

async fn open_sqlite(config: &Config) -> Result<Db, StartupError> {
    if let Some(file) = config.sqlite_file() {
        if let Some(folder) = file.parent().filter(|f| !f.as_os_str().is_empty()) {
            private_files::create_folder(folder)?;
        }
        private_files::prepare_database_file(&file)?;
    }
    let limits = config.database;
    let mut options = SqliteConnectOptions::from_str(&config.database_url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(limits.sqlite_busy_timeout)
        // After a checkpoint has copied the log into the database, the log file is cut back
        // to this size instead of keeping its largest size forever.
        .pragma(
            "journal_size_limit",
            limits.sqlite_wal_limit_bytes.to_string(),
        );
    if let Some(max_bytes) = limits.sqlite_max_bytes {
        options = options.pragma(
            "max_page_count",
            (max_bytes / SQLITE_PAGE_BYTES).max(1).to_string(),
        );
    }
    // An SQLite connection is a file handle in this process: it cannot drop the way a
    // network connection can, so pinging it before every use would only double the round
    // trips to its worker thread.
    let pool_options = || {
        SqlitePoolOptions::new()
            .max_connections(config.database_max_connections)
            .test_before_acquire(false)
            .acquire_timeout(limits.acquire_timeout)
    };
    // Writes take turns (see `app::db`), so one connection does them all on a file: its page
    // and statement caches stay warm. With several, each write ran on whichever connection
    // had been idle longest and read again every page the others had changed since.
    let writers = match config.sqlite_file() {
        Some(_) => 1,
        None => config.database_max_connections,
    };
    // A write statement that may have to undo part of itself (an insert whose triggers
    // upsert) keeps its journal in memory: on disk that was a file opened, written and
    // unlinked for every task created. Such a journal holds one statement's changes. Reads
    // keep their temporary files (a large sort) on disk.
    let pool = pool_options()
        .max_connections(writers)
        .connect_with(options.clone().pragma("temp_store", "memory"))
        .await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    // A log left behind by a crash was replayed when the database opened; fold it into the
    // database file now, so a long-running instance starts from an empty log.
    let (busy, log_pages, folded): (i64, i64, i64) =
        sqlx::query_as("pragma wal_checkpoint(truncate)")
            .fetch_all(&pool)
            .await?
            .into_iter()
            .next()
            .unwrap_or_default();
    tracing::debug!(busy, log_pages, folded, "write-ahead log folded in");
    // Reads get connections of their own, opened read-only: a write can only go through the
    // write pool and its turn (see `app::db`). A database in memory is one per connection,
    // so it is read through the same pool.
    let reads = if config.sqlite_file().is_some() {
        pool_options()
            .connect_with(
                options
                    .read_only(true)
                    .create_if_missing(false)
                    // Readers never wait for the write lock; they may wait for a writer
                    // that is opening the log (recovery) after another process crashed.
                    .busy_timeout(Duration::from_secs(5)),
            )
            .await?
    } else {
        pool.clone()
    };
    Ok(Db::sqlite(pool, reads))
}

async fn open_postgres(config: &Config) -> Result<Db, StartupError> {
    let limits = config.database;
    let options = PgConnectOptions::from_str(&config.database_url)?.options([(
        "statement_timeout",
        format!("{}ms", limits.statement_timeout.as_millis()),
    )]);
    wait_for_postgres(&options, limits.startup_timeout).await?;
    // No ping before each use: a connection the server dropped fails its query at once,
    // which marks the database down (fast 503s) until a new connection succeeds; a ping
    // would instead retry connecting until the acquire timeout on every request.
    let pool = PgPoolOptions::new()
        .max_connections(config.database_max_connections)
        .acquire_timeout(limits.acquire_timeout)
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(Db::postgres(pool))
}

/// Connects once, retrying with backoff while the server cannot be reached (it may be
/// starting), until `patience` runs out. Each failure is logged with its real cause; one
/// that waiting cannot fix (a wrong password, a missing database) ends the wait at once.
async fn wait_for_postgres(
    options: &PgConnectOptions,
    patience: Duration,
) -> Result<(), StartupError> {
    let started = Instant::now();
    let mut pause = FIRST_RETRY;
    loop {
        let attempt = tokio::time::timeout(LONGEST_RETRY, options.connect()).await;
        let error = match attempt {
            Ok(Ok(connection)) => {
                let _ = connection.close().await;
                return Ok(());
            }
            Ok(Err(error)) if !app::db::means_unreachable(&error) => return Err(error.into()),
            Ok(Err(error)) => error.to_string(),
            Err(_) => format!("no answer within {}s", LONGEST_RETRY.as_secs()),
        };
        let waited = started.elapsed();
        if waited + pause > patience {
            return Err(StartupError::Unreachable {
                waited_secs: waited.as_secs(),
                cause: error,
            });
        }
        tracing::warn!(
            cause = %error,
            retry_in_ms = pause.as_millis() as u64,
            "the database cannot be reached yet; retrying"
        );
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(LONGEST_RETRY);
    }
}
